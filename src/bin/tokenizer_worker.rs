//! The tokenizer Web Worker: runs `inferlab-tokenize` (the Hugging Face `tokenizers` crate)
//! off the main thread, so a 10 MB paste or a 10 MB `tokenizer.json` never freezes the page.
//! It speaks the typed JSON messages of `inferlab_tokenize::protocol`.

#[cfg(target_arch = "wasm32")]
mod worker {
    use std::cell::RefCell;
    use std::collections::HashMap;
    use std::rc::Rc;

    use inferlab_tokenize::engine::MAX_TOKENIZER_JSON_BYTES;
    use inferlab_tokenize::protocol::{Command, Payload, Reply, Request, READY};
    use inferlab_tokenize::{synthetic_text, Engine};
    use wasm_bindgen::prelude::*;
    use wasm_bindgen::JsCast;
    use wasm_bindgen_futures::JsFuture;
    use web_sys::{DedicatedWorkerGlobalScope, MessageEvent, RequestInit, Response};

    type Engines = Rc<RefCell<HashMap<String, Rc<Engine>>>>;

    /// GETs `url` as bytes: `Ok(None)` on 404, an error in words otherwise.
    async fn fetch_bytes(
        scope: &DedicatedWorkerGlobalScope,
        url: &str,
        token: Option<&str>,
    ) -> Result<Option<Vec<u8>>, String> {
        let init = RequestInit::new();
        if let Some(t) = token.filter(|t| !t.trim().is_empty()) {
            let headers = web_sys::Headers::new().map_err(|_| "headers".to_string())?;
            let _ = headers.set("Authorization", &format!("Bearer {}", t.trim()));
            init.set_headers(&headers);
        }
        let resp = JsFuture::from(scope.fetch_with_str_and_init(url, &init))
            .await
            .map_err(|_| format!("could not fetch {url} (network failure or the server does not allow this origin)"))?;
        let resp: Response = resp.dyn_into().map_err(|_| "not a response".to_string())?;
        match resp.status() {
            200 => {}
            404 => return Ok(None),
            401 | 403 => {
                return Err(format!(
                    "{url} needs a Hugging Face token (gated or private repo): add one and accept the model's licence on its Hub page"
                ))
            }
            s => return Err(format!("{url} answered HTTP {s}")),
        }
        let buf = resp
            .array_buffer()
            .map_err(|_| "unreadable body".to_string())?;
        let buf = JsFuture::from(buf)
            .await
            .map_err(|_| format!("the download of {url} broke off"))?;
        let bytes = js_sys::Uint8Array::new(&buf);
        if bytes.length() as usize > MAX_TOKENIZER_JSON_BYTES {
            return Err(format!(
                "{url} is {} bytes, over the {} MiB limit",
                bytes.length(),
                MAX_TOKENIZER_JSON_BYTES >> 20
            ));
        }
        Ok(Some(bytes.to_vec()))
    }

    /// `…/tokenizer.json` → `…/tokenizer_config.json`.
    fn config_url(url: &str) -> Option<String> {
        url.rsplit_once('/')
            .map(|(dir, _)| format!("{dir}/tokenizer_config.json"))
    }

    fn engine(engines: &Engines, key: &str) -> Result<Rc<Engine>, String> {
        engines
            .borrow()
            .get(key)
            .cloned()
            .ok_or_else(|| format!("tokenizer {key} is not loaded"))
    }

    async fn handle(
        scope: &DedicatedWorkerGlobalScope,
        engines: &Engines,
        command: Command,
    ) -> Result<Payload, String> {
        match command {
            Command::Load { key, url, token } => {
                let now = || js_sys::Date::now();
                let t0 = now();
                let json = fetch_bytes(scope, &url, token.as_deref())
                    .await?
                    .ok_or_else(|| format!("no tokenizer.json at {url}"))?;
                let config = match config_url(&url) {
                    Some(c) => fetch_bytes(scope, &c, token.as_deref())
                        .await
                        .ok()
                        .flatten(),
                    None => None,
                };
                let e = Engine::load(&json, config.as_deref()).map_err(|e| e.to_string())?;
                let vocab_size = e.vocab_size();
                engines.borrow_mut().insert(key, Rc::new(e));
                Ok(Payload::Loaded {
                    vocab_size,
                    bytes: json.len(),
                    load_ms: now() - t0,
                })
            }
            Command::View {
                key,
                text,
                max_tokens,
            } => {
                let view = engine(engines, &key)?
                    .token_view(&text, false, max_tokens)
                    .map_err(|e| e.to_string())?;
                Ok(Payload::View { view })
            }
            Command::Count { key, text } => {
                let counts = engine(engines, &key)?
                    .count(&text, false)
                    .map_err(|e| e.to_string())?;
                Ok(Payload::Counts { counts })
            }
            Command::Decode { key, ids } => {
                let text = engine(engines, &key)?
                    .decode(&ids, false)
                    .map_err(|e| e.to_string())?;
                Ok(Payload::Text { text })
            }
            Command::Synthetic { key, n, seed } => {
                let text = synthetic_text(&*engine(engines, &key)?, n, seed, false)
                    .map_err(|e| e.to_string())?;
                Ok(Payload::Text { text })
            }
        }
    }

    pub fn run() {
        console_error_panic_hook::set_once();
        let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
        let engines: Engines = Rc::default();
        let on_message = {
            let scope = scope.clone();
            Closure::<dyn Fn(MessageEvent)>::new(move |ev: MessageEvent| {
                let Some(text) = ev.data().as_string() else {
                    return;
                };
                let scope = scope.clone();
                let engines = engines.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    let reply = match serde_json::from_str::<Request>(&text) {
                        Ok(req) => Reply {
                            id: req.id,
                            result: handle(&scope, &engines, req.command).await,
                        },
                        Err(e) => Reply {
                            id: 0,
                            result: Err(format!("malformed request: {e}")),
                        },
                    };
                    if let Ok(json) = serde_json::to_string(&reply) {
                        let _ = scope.post_message(&JsValue::from_str(&json));
                    }
                });
            })
        };
        scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        on_message.forget();
        let _ = scope.post_message(&JsValue::from_str(READY));
    }
}

fn main() {
    #[cfg(target_arch = "wasm32")]
    worker::run();
}
