//! The tokenizer Web Worker: runs `inferlab-tokenize` (the Hugging Face `tokenizers` crate)
//! off the main thread, so a 10 MB paste or a 10 MB `tokenizer.json` never freezes the page.
//! It speaks the typed JSON messages of `inferlab_tokenize::protocol`.

#[cfg(target_arch = "wasm32")]
mod worker {
    use std::cell::RefCell;
    use std::collections::HashMap;
    use std::rc::Rc;

    use inferlab_tokenize::engine::{MAX_CONFIG_JSON_BYTES, MAX_TOKENIZER_JSON_BYTES};
    use inferlab_tokenize::protocol::{
        Command, FromWorker, LoadedInfo, Payload, Progress, Reply, Request, READY,
    };
    use inferlab_tokenize::{synthetic_text, Engine};
    use js_sys::{Reflect, Uint8Array};
    use wasm_bindgen::prelude::*;
    use wasm_bindgen::JsCast;
    use wasm_bindgen_futures::JsFuture;
    use web_sys::{
        Cache, DedicatedWorkerGlobalScope, MessageEvent, ReadableStreamDefaultReader, RequestInit,
        Response,
    };

    type Engines = Rc<RefCell<HashMap<String, Rc<Engine>>>>;

    /// Cache Storage bucket for downloaded tokenizers (bump the suffix to drop old entries).
    const CACHE_NAME: &str = "inferlab-tokenizers-v1";
    /// Progress is posted at most this often (bytes), so a 30 MB download is ~120 messages.
    const PROGRESS_STEP: u64 = 256 * 1024;

    fn post(scope: &DedicatedWorkerGlobalScope, msg: &FromWorker) {
        if let Ok(json) = serde_json::to_string(msg) {
            let _ = scope.post_message(&JsValue::from_str(&json));
        }
    }

    async fn open_cache(scope: &DedicatedWorkerGlobalScope) -> Option<Cache> {
        let storage = scope.caches().ok()?;
        JsFuture::from(storage.open(CACHE_NAME))
            .await
            .ok()?
            .dyn_into()
            .ok()
    }

    /// A cached body: `Some(Some(bytes))` for a stored file, `Some(None)` for a stored 404.
    async fn cached(cache: &Cache, url: &str) -> Option<Option<Vec<u8>>> {
        let hit = JsFuture::from(cache.match_with_str(url)).await.ok()?;
        let resp: Response = hit.dyn_into().ok()?;
        if resp.status() == 404 {
            return Some(None);
        }
        let buf = JsFuture::from(resp.array_buffer().ok()?).await.ok()?;
        Some(Some(Uint8Array::new(&buf).to_vec()))
    }

    async fn store(cache: &Cache, url: &str, body: Option<&[u8]>) {
        let resp = match body {
            Some(b) => Response::new_with_opt_u8_array(Some(&mut b.to_vec())),
            None => {
                let init = web_sys::ResponseInit::new();
                init.set_status(404);
                Response::new_with_opt_str_and_init(None, &init)
            }
        };
        if let Ok(resp) = resp {
            // Quota errors are not the user's problem: the next load downloads again.
            let _ = JsFuture::from(cache.put_with_str(url, &resp)).await;
        }
    }

    /// GETs `url` as bytes, posting progress for request `id`: `Ok(None)` on 404, an error in
    /// words otherwise. Bodies over `max` bytes are refused as soon as that is known.
    async fn fetch_bytes(
        scope: &DedicatedWorkerGlobalScope,
        url: &str,
        token: Option<&str>,
        progress: Option<u64>,
        max: usize,
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
                    "{url} needs a Hugging Face token (gated or private repo): paste one under “Hub token” and accept the model's licence on its Hub page"
                ))
            }
            s => return Err(format!("{url} answered HTTP {s}")),
        }
        let too_big = |n: u64| {
            format!(
                "{url} is {n} bytes, over the {} MiB limit for this file",
                max >> 20
            )
        };
        let total = resp
            .headers()
            .get("content-length")
            .ok()
            .flatten()
            .and_then(|v| v.parse::<u64>().ok());
        if let Some(t) = total.filter(|&t| t > max as u64) {
            return Err(too_big(t));
        }
        let body = resp.body().ok_or_else(|| format!("{url} sent no body"))?;
        let reader: ReadableStreamDefaultReader = body
            .get_reader()
            .dyn_into()
            .map_err(|_| "unreadable body".to_string())?;
        let mut out: Vec<u8> = Vec::with_capacity(total.unwrap_or(0).min(max as u64) as usize);
        let mut next_report = PROGRESS_STEP;
        loop {
            let chunk = JsFuture::from(reader.read())
                .await
                .map_err(|_| format!("the download of {url} broke off"))?;
            let done = Reflect::get(&chunk, &JsValue::from_str("done"))
                .ok()
                .and_then(|d| d.as_bool())
                .unwrap_or(true);
            if done {
                break;
            }
            if let Ok(v) = Reflect::get(&chunk, &JsValue::from_str("value")) {
                let part: Uint8Array = v.unchecked_into();
                let start = out.len();
                out.resize(start + part.length() as usize, 0);
                part.copy_to(&mut out[start..]);
            }
            if out.len() > max {
                let _ = reader.cancel();
                return Err(too_big(out.len() as u64));
            }
            if let Some(id) = progress.filter(|_| out.len() as u64 >= next_report) {
                next_report = out.len() as u64 + PROGRESS_STEP;
                post(
                    scope,
                    &FromWorker::Progress(Progress {
                        id,
                        loaded: out.len() as u64,
                        total,
                    }),
                );
            }
        }
        Ok(Some(out))
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

    fn today() -> (i32, u32, u32) {
        let d = js_sys::Date::new_0();
        (d.get_full_year() as i32, d.get_month() + 1, d.get_date())
    }

    /// Parses and keeps a tokenizer; what the page shows about it.
    fn install(
        engines: &Engines,
        key: String,
        json: &[u8],
        config: Option<&[u8]>,
        t0: f64,
        from_cache: bool,
    ) -> Result<Payload, String> {
        let e = Engine::load(json, config).map_err(|e| e.to_string())?;
        let info = LoadedInfo {
            vocab_size: e.vocab_size(),
            bytes: json.len(),
            load_ms: js_sys::Date::now() - t0,
            from_cache,
            chat_template: e.config().chat_template(None).map(|t| t.source.clone()),
            has_config: config.is_some(),
        };
        engines.borrow_mut().insert(key, Rc::new(e));
        Ok(Payload::Loaded { info })
    }

    async fn load(
        scope: &DedicatedWorkerGlobalScope,
        id: u64,
        url: &str,
        token: Option<&str>,
        use_cache: bool,
    ) -> Result<(Vec<u8>, Option<Vec<u8>>, bool), String> {
        let cache = if use_cache {
            open_cache(scope).await
        } else {
            None
        };
        let config_url = config_url(url);
        if let Some(cache) = &cache {
            if let Some(Some(json)) = cached(cache, url).await {
                let config = match &config_url {
                    Some(c) => cached(cache, c).await.flatten(),
                    None => None,
                };
                return Ok((json, config, true));
            }
        }
        let json = fetch_bytes(scope, url, token, Some(id), MAX_TOKENIZER_JSON_BYTES)
            .await?
            .ok_or_else(|| format!("no tokenizer.json at {url}"))?;
        // The side file is optional: without it there is no chat template, nothing else.
        let config = match &config_url {
            Some(c) => fetch_bytes(scope, c, token, None, MAX_CONFIG_JSON_BYTES)
                .await
                .ok()
                .flatten(),
            None => None,
        };
        Ok((json, config, false))
    }

    async fn handle(
        scope: &DedicatedWorkerGlobalScope,
        engines: &Engines,
        id: u64,
        command: Command,
    ) -> Result<Payload, String> {
        match command {
            Command::Load {
                key,
                url,
                token,
                cache,
            } => {
                let t0 = js_sys::Date::now();
                let (json, config, from_cache) =
                    load(scope, id, &url, token.as_deref(), cache).await?;
                let loaded = install(engines, key, &json, config.as_deref(), t0, from_cache)?;
                // Only a file that parsed is worth keeping.
                if cache && !from_cache {
                    if let Some(c) = open_cache(scope).await {
                        store(&c, &url, Some(&json)).await;
                        if let Some(cu) = config_url(&url) {
                            store(&c, &cu, config.as_deref()).await;
                        }
                    }
                }
                Ok(loaded)
            }
            Command::LoadText { key, json, config } => {
                let t0 = js_sys::Date::now();
                install(
                    engines,
                    key,
                    json.as_bytes(),
                    config.as_deref().map(str::as_bytes),
                    t0,
                    false,
                )
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
            Command::Chat {
                key,
                messages,
                add_generation_prompt,
                template,
            } => {
                let p = engine(engines, &key)?
                    .render_chat(
                        &messages,
                        add_generation_prompt,
                        template.as_deref(),
                        Some(today()),
                    )
                    .map_err(|e| e.to_string())?;
                Ok(Payload::Chat {
                    rendered: p.rendered,
                    counts: p.counts,
                    ids: p.ids,
                })
            }
            Command::ClearCache => {
                if let Ok(storage) = scope.caches() {
                    let _ = JsFuture::from(storage.delete(CACHE_NAME)).await;
                }
                Ok(Payload::Done)
            }
            Command::Crash => panic!("crash requested by the page (a test of crash recovery)"),
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
                            result: handle(&scope, &engines, req.id, req.command).await,
                        },
                        Err(e) => Reply {
                            id: 0,
                            result: Err(format!("malformed request: {e}")),
                        },
                    };
                    post(&scope, &FromWorker::Reply(reply));
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
