//! The page's side of the tokenizer worker: spawned on first use (so the main bundle stays
//! small and the tokenizer's wasm loads only when needed), typed requests with replies as
//! futures, messages held until the worker says it is ready, and a crash reported to every
//! waiting caller with the worker restarted on the next call.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;

use futures_channel::oneshot;
use inferlab_tokenize::protocol::{
    Command, FromWorker, LoadedInfo, Payload, Request, CRASHED, READY,
};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{MessageEvent, Worker};

/// The loader Trunk's post-build hook writes under a fixed name (see Trunk.toml).
const SCRIPT: &str = "tokenizer-worker.js";

struct Live {
    worker: Worker,
    ready: bool,
    queue: Vec<String>,
    pending: HashMap<u64, oneshot::Sender<Result<Payload, String>>>,
    progress: HashMap<u64, ProgressFn>,
    _on_message: Closure<dyn Fn(MessageEvent)>,
    _on_error: Closure<dyn Fn(web_sys::Event)>,
}

/// Told `(bytes received, total if known)` while a `Load` downloads.
pub type ProgressFn = Box<dyn Fn(u64, Option<u64>)>;

thread_local! {
    static LIVE: RefCell<Option<Live>> = const { RefCell::new(None) };
    static NEXT_ID: Cell<u64> = const { Cell::new(1) };
    /// Tokenizers the live worker holds, by key (forgotten when it crashes).
    static LOADED: RefCell<HashMap<String, LoadedInfo>> = RefCell::new(HashMap::new());
}

fn on_message(ev: MessageEvent) {
    let Some(text) = ev.data().as_string() else {
        return;
    };
    if text == CRASHED {
        on_crash();
        return;
    }
    LIVE.with(|live| {
        let mut live = live.borrow_mut();
        let Some(live) = live.as_mut() else { return };
        if text == READY {
            live.ready = true;
            for msg in live.queue.drain(..) {
                let _ = live.worker.post_message(&JsValue::from_str(&msg));
            }
            return;
        }
        match serde_json::from_str::<FromWorker>(&text) {
            Ok(FromWorker::Reply(reply)) => {
                live.progress.remove(&reply.id);
                if let Some(tx) = live.pending.remove(&reply.id) {
                    let _ = tx.send(reply.result);
                }
            }
            Ok(FromWorker::Progress(p)) => {
                if let Some(f) = live.progress.get(&p.id) {
                    f(p.loaded, p.total);
                }
            }
            Err(_) => {}
        }
    });
}

/// The worker died (a panic in wasm, out of memory): fail every caller and forget it.
fn on_crash() {
    LOADED.with(|l| l.borrow_mut().clear());
    let dead = LIVE.with(|live| live.borrow_mut().take());
    if let Some(dead) = dead {
        dead.worker.terminate();
        for (_, tx) in dead.pending {
            let _ = tx.send(Err(
                "the tokenizer worker crashed; it restarts on the next request".into(),
            ));
        }
    }
}

fn spawn() -> Result<Live, String> {
    let url = format!("{}/{SCRIPT}", super::base_path());
    let worker =
        Worker::new(&url).map_err(|_| format!("could not start the tokenizer worker ({url})"))?;
    let on_message = Closure::<dyn Fn(MessageEvent)>::new(on_message);
    let on_error = Closure::<dyn Fn(web_sys::Event)>::new(|_| on_crash());
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    Ok(Live {
        worker,
        ready: false,
        queue: Vec::new(),
        pending: HashMap::new(),
        progress: HashMap::new(),
        _on_message: on_message,
        _on_error: on_error,
    })
}

/// Sends `command` to the worker (starting it if needed) and waits for its reply.
pub async fn call(command: Command) -> Result<Payload, String> {
    call_with_progress(command, None).await
}

/// [`call`], with `progress` told about a download's bytes as they arrive.
pub async fn call_with_progress(
    command: Command,
    progress: Option<ProgressFn>,
) -> Result<Payload, String> {
    let id = NEXT_ID.with(|n| {
        let id = n.get();
        n.set(id + 1);
        id
    });
    let json = serde_json::to_string(&Request { id, command }).map_err(|e| e.to_string())?;
    let (tx, rx) = oneshot::channel();
    LIVE.with(|live| -> Result<(), String> {
        let mut live = live.borrow_mut();
        if live.is_none() {
            *live = Some(spawn()?);
        }
        let Some(live) = live.as_mut() else {
            return Err("no worker".into());
        };
        live.pending.insert(id, tx);
        if let Some(p) = progress {
            live.progress.insert(id, p);
        }
        if live.ready {
            let _ = live.worker.post_message(&JsValue::from_str(&json));
        } else {
            live.queue.push(json);
        }
        Ok(())
    })?;
    rx.await
        .unwrap_or_else(|_| Err("the tokenizer worker went away".into()))
}

/// Where a tokenizer comes from, for [`ensure_loaded`].
pub enum Source {
    /// Fetched from `url`; `token` is sent only to the Hub; `cache` keeps the files in Cache
    /// Storage (remote sources: the bundled ones are ordinary static files).
    Url {
        url: String,
        token: Option<String>,
        cache: bool,
    },
    /// The text of a file the user picked, with its config if they picked one too.
    Text {
        json: String,
        config: Option<String>,
    },
}

/// What the worker reports about tokenizer `key`, if it holds it.
pub fn loaded(key: &str) -> Option<LoadedInfo> {
    LOADED.with(|l| l.borrow().get(key).cloned())
}

/// Makes sure the worker holds tokenizer `key` from `url` (no token, no Cache Storage): the
/// short form other tools use for bundled tokenizers.
pub async fn ensure_loaded(key: &str, url: &str) -> Result<(), String> {
    let source = Source::Url {
        url: url.to_owned(),
        token: None,
        cache: false,
    };
    load(key, source, None).await.map(|_| ())
}

/// Makes sure the worker holds tokenizer `key`, loading it from `source` if not; returns
/// what the worker reported, or a message for the user.
pub async fn load(
    key: &str,
    source: Source,
    progress: Option<ProgressFn>,
) -> Result<LoadedInfo, String> {
    if let Some(info) = loaded(key) {
        return Ok(info);
    }
    let command = match source {
        Source::Url { url, token, cache } => Command::Load {
            key: key.to_owned(),
            url,
            token,
            cache,
        },
        Source::Text { json, config } => Command::LoadText {
            key: key.to_owned(),
            json,
            config,
        },
    };
    match call_with_progress(command, progress).await? {
        Payload::Loaded { info } => {
            LOADED.with(|l| l.borrow_mut().insert(key.to_owned(), info.clone()));
            Ok(info)
        }
        _ => Err("unexpected reply from the tokenizer worker".into()),
    }
}

/// Forgets a tokenizer the page replaced (a new file under the same key).
pub fn forget(key: &str) {
    LOADED.with(|l| l.borrow_mut().remove(key));
}
