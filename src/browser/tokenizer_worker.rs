//! The page's side of the tokenizer worker: spawned on first use (so the main bundle stays
//! small and the tokenizer's wasm loads only when needed), typed requests with replies as
//! futures, messages held until the worker says it is ready, and a crash reported to every
//! waiting caller with the worker restarted on the next call.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;

use futures_channel::oneshot;
use inferlab_tokenize::protocol::{Command, Payload, Reply, Request, READY};
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
    _on_message: Closure<dyn Fn(MessageEvent)>,
    _on_error: Closure<dyn Fn(web_sys::Event)>,
}

thread_local! {
    static LIVE: RefCell<Option<Live>> = const { RefCell::new(None) };
    static NEXT_ID: Cell<u64> = const { Cell::new(1) };
    /// Tokenizers the live worker holds (forgotten when it crashes).
    static LOADED: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
}

fn on_message(ev: MessageEvent) {
    let Some(text) = ev.data().as_string() else {
        return;
    };
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
        if let Ok(reply) = serde_json::from_str::<Reply>(&text) {
            if let Some(tx) = live.pending.remove(&reply.id) {
                let _ = tx.send(reply.result);
            }
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
        _on_message: on_message,
        _on_error: on_error,
    })
}

/// Sends `command` to the worker (starting it if needed) and waits for its reply.
pub async fn call(command: Command) -> Result<Payload, String> {
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

/// Makes sure the worker holds tokenizer `key` from `url`; returns a message if it cannot.
pub async fn ensure_loaded(key: &str, url: &str) -> Result<(), String> {
    if LOADED.with(|l| l.borrow().iter().any(|k| k == key)) {
        return Ok(());
    }
    call(Command::Load {
        key: key.to_owned(),
        url: url.to_owned(),
        token: None,
    })
    .await?;
    LOADED.with(|l| l.borrow_mut().push(key.to_owned()));
    Ok(())
}
