//! The load tester's transport: one streamed `fetch` POST, stamped with `performance.now()`
//! at start, headers, every body chunk and the end, and fed to the pure
//! [`RequestTracker`], which does all parsing and classification.
//!
//! Only I/O lives here. Every failure ends as a [`RequestRecord`] with an
//! [`ErrorKind`]; nothing from the network is unwrapped.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use inferlab_loadtest::config::Header;
use inferlab_loadtest::diagnose::{self, Engine};
use inferlab_loadtest::record::{ErrorKind, RequestRecord};
use inferlab_loadtest::tracker::{Progress, RequestTracker};
use js_sys::{Reflect, Uint8Array};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, Headers, ReadableStreamDefaultReader, RequestInit, Response};

/// `performance.now()` in ms: the one clock every stamp of a run uses (0 when there is no
/// window, which only happens outside a browser).
pub fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

/// Why a request's `AbortController` fired; decides how the resulting rejection is recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AbortReason {
    /// Not aborted.
    #[default]
    None,
    /// Stop pressed, or the run's duration cap passed: recorded as [`ErrorKind::Aborted`].
    User,
    /// The per-request time limit passed: [`ErrorKind::Timeout`].
    Timeout,
    /// `[DONE]` or an error event arrived but the server kept the stream open; the record is
    /// complete, so this ends it normally.
    Finished,
}

/// Cancels one in-flight request from outside (Stop, duration cap). Cloning shares it.
#[derive(Clone)]
pub struct Cancel {
    controller: Option<AbortController>,
    reason: Rc<Cell<AbortReason>>,
}

impl Cancel {
    /// A fresh handle. Without `AbortController` (very old browsers) requests still run but
    /// cannot be cut short.
    pub fn new() -> Self {
        Self {
            controller: AbortController::new().ok(),
            reason: Rc::new(Cell::new(AbortReason::None)),
        }
    }

    /// Aborts the request; the first reason wins.
    pub fn abort(&self, reason: AbortReason) {
        if self.reason.get() == AbortReason::None {
            self.reason.set(reason);
        }
        if let Some(c) = &self.controller {
            c.abort();
        }
    }

    fn reason(&self) -> AbortReason {
        self.reason.get()
    }
}

impl Default for Cancel {
    fn default() -> Self {
        Self::new()
    }
}

/// One streamed request, fully prepared by the runner.
#[derive(Debug, Clone)]
pub struct StreamRequest {
    /// Endpoint URL (`…/v1/chat/completions`).
    pub url: String,
    /// Headers, `Content-Type` and `Authorization` included.
    pub headers: Vec<Header>,
    /// JSON body.
    pub body: String,
    /// Per-request time limit, ms (a server that never ends must not hold a slot forever).
    pub timeout_ms: f64,
    /// How long to keep reading after `[DONE]` before closing the stream ourselves, ms.
    pub finish_grace_ms: f64,
    /// Read `nextHopProtocol` from Resource Timing at the end (cheap, but entries pile up, so
    /// the runner asks for it on a few requests only).
    pub read_protocol: bool,
    /// For the network-failure diagnosis: the page origin (`location.origin`).
    pub page_origin: String,
    /// For the network-failure diagnosis: the engine, if known.
    pub engine: Option<Engine>,
}

impl StreamRequest {
    fn sends_auth(&self) -> bool {
        self.headers
            .iter()
            .any(|h| h.name.eq_ignore_ascii_case("authorization"))
    }

    /// The one-line explanation put into a network failure's record.
    fn network_title(&self) -> String {
        diagnose::network_failure(&diagnose::Context {
            base_url: &self.url,
            page_origin: &self.page_origin,
            sends_auth: self.sends_auth(),
            engine: self.engine,
        })
        .title
    }
}

/// Text of a rejected promise's value (`TypeError: Failed to fetch`), for error messages.
fn js_error_text(v: &JsValue) -> String {
    if let Some(e) = v.dyn_ref::<js_sys::Error>() {
        let name: String = e.name().into();
        let msg: String = e.message().into();
        return format!("{name}: {msg}");
    }
    v.as_string().unwrap_or_else(|| "unknown error".to_owned())
}

/// A `setTimeout` that is cleared when dropped, so a finished request or a woken driver
/// leaves no stray callback behind.
pub struct Timer {
    id: Option<i32>,
    _cb: Closure<dyn FnMut()>,
}

impl Timer {
    /// Calls `f` after `ms` (clamped to what `setTimeout` accepts).
    pub fn new(ms: f64, f: impl FnMut() + 'static) -> Self {
        let cb = Closure::<dyn FnMut()>::new(f);
        let ms = if ms.is_finite() {
            ms.clamp(0.0, i32::MAX as f64) as i32
        } else {
            i32::MAX
        };
        let id = web_sys::window().and_then(|w| {
            w.set_timeout_with_callback_and_timeout_and_arguments_0(cb.as_ref().unchecked_ref(), ms)
                .ok()
        });
        Self { id, _cb: cb }
    }
}

impl Drop for Timer {
    fn drop(&mut self) {
        if let (Some(id), Some(w)) = (self.id, web_sys::window()) {
            w.clear_timeout_with_handle(id);
        }
    }
}

/// `nextHopProtocol` of the latest Resource Timing entry for `url` (`h2`, `http/1.1`);
/// `None` when the browser has no entry yet or the server sends no `Timing-Allow-Origin`.
pub fn next_hop_protocol(url: &str) -> Option<String> {
    let perf = web_sys::window()?.performance()?;
    let entries = perf.get_entries_by_name(url);
    (0..entries.length()).rev().find_map(|i| {
        entries
            .get(i)
            .dyn_into::<web_sys::PerformanceResourceTiming>()
            .ok()
            .map(|e| e.next_hop_protocol())
            .filter(|p| !p.is_empty())
    })
}

/// Builds the `fetch` options; `None` only if the browser refuses a header (bad name/value).
fn request_init(req: &StreamRequest, cancel: &Cancel) -> Result<RequestInit, String> {
    let headers = Headers::new().map_err(|e| js_error_text(&e))?;
    for h in &req.headers {
        headers
            .set(h.name.trim(), &h.value)
            .map_err(|e| format!("header {:?}: {}", h.name, js_error_text(&e)))?;
    }
    let init = RequestInit::new();
    init.set_method("POST");
    init.set_headers_headers(&headers);
    init.set_body(&JsValue::from_str(&req.body));
    if let Some(c) = &cancel.controller {
        init.set_signal(Some(&c.signal()));
    }
    Ok(init)
}

/// Sends one request and streams its body into a tracker that `make_tracker` creates from the
/// start stamp. `on_progress` sees every chunk's [`Progress`] with its stamp (live charts).
/// Always returns a settled record: ok, or failed with its kind and message.
pub async fn stream_request(
    req: &StreamRequest,
    cancel: &Cancel,
    make_tracker: impl FnOnce(f64) -> RequestTracker,
    mut on_progress: impl FnMut(f64, Progress),
) -> RequestRecord {
    let init = request_init(req, cancel);
    let window = web_sys::window();
    let t_start = now_ms();
    let mut tracker = make_tracker(t_start);
    let (init, window) = match (init, window) {
        (Ok(i), Some(w)) => (i, w),
        (Err(e), _) => return tracker.on_failure(now_ms(), ErrorKind::Network, &e),
        (_, None) => return tracker.on_failure(now_ms(), ErrorKind::Network, "no window"),
    };
    let timeout_cancel = cancel.clone();
    let _timeout = Timer::new(req.timeout_ms, move || {
        timeout_cancel.abort(AbortReason::Timeout)
    });
    let failed = |tracker: &mut RequestTracker, cancel: &Cancel, err: &JsValue, in_body: bool| {
        let t = now_ms();
        match cancel.reason() {
            AbortReason::User => tracker.on_failure(t, ErrorKind::Aborted, "stopped"),
            AbortReason::Timeout => tracker.on_failure(
                t,
                ErrorKind::Timeout,
                &format!("no complete answer within {:.0} s", req.timeout_ms / 1000.0),
            ),
            AbortReason::Finished => tracker.on_eof(t),
            AbortReason::None if in_body => tracker.on_failure(
                t,
                ErrorKind::Dropped,
                &format!("the connection failed mid-stream ({})", js_error_text(err)),
            ),
            AbortReason::None => tracker.on_failure(
                t,
                ErrorKind::Network,
                &format!("{} — {}", js_error_text(err), req.network_title()),
            ),
        }
    };

    let resp = match JsFuture::from(window.fetch_with_str_and_init(&req.url, &init)).await {
        Ok(r) => r,
        Err(e) => return failed(&mut tracker, cancel, &e, false),
    };
    let t_headers = now_ms();
    let Ok(resp) = resp.dyn_into::<Response>() else {
        return tracker.on_failure(t_headers, ErrorKind::Network, "fetch gave no Response");
    };
    tracker.on_headers(t_headers, resp.status(), None);

    let mut record = match resp.body() {
        None => tracker.on_eof(now_ms()),
        Some(body) => {
            let reader: ReadableStreamDefaultReader = body.get_reader().unchecked_into();
            let grace: RefCell<Option<Timer>> = RefCell::new(None);
            loop {
                let chunk = JsFuture::from(reader.read()).await;
                let t = now_ms();
                let chunk = match chunk {
                    Ok(c) => c,
                    Err(e) => break failed(&mut tracker, cancel, &e, true),
                };
                let done = Reflect::get(&chunk, &JsValue::from_str("done"))
                    .ok()
                    .and_then(|d| d.as_bool())
                    .unwrap_or(true);
                if done {
                    break tracker.on_eof(t);
                }
                let Ok(value) = Reflect::get(&chunk, &JsValue::from_str("value")) else {
                    continue;
                };
                let Some(bytes) = value.dyn_ref::<Uint8Array>() else {
                    continue;
                };
                let p = tracker.on_bytes(t, &bytes.to_vec());
                on_progress(t, p);
                if p.finished && grace.borrow().is_none() {
                    let c = cancel.clone();
                    *grace.borrow_mut() = Some(Timer::new(req.finish_grace_ms, move || {
                        c.abort(AbortReason::Finished)
                    }));
                }
            }
        }
    };
    if req.read_protocol {
        record.protocol = next_hop_protocol(&req.url).or(record.protocol);
    }
    record
}

/// Why a plain GET failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FetchError {
    /// `fetch` rejected (network, CORS) or no window.
    #[error("request failed: {0}")]
    Network(String),
    /// The body could not be read as text.
    #[error("could not read the response: {0}")]
    Body(String),
}

/// `GET url` with `headers`, returning the status and the body text (for `/v1/models`).
pub async fn get_text(url: &str, headers: &[Header]) -> Result<(u16, String), FetchError> {
    let window = web_sys::window().ok_or_else(|| FetchError::Network("no window".into()))?;
    let h = Headers::new().map_err(|e| FetchError::Network(js_error_text(&e)))?;
    for x in headers {
        h.set(x.name.trim(), &x.value)
            .map_err(|e| FetchError::Network(js_error_text(&e)))?;
    }
    let init = RequestInit::new();
    init.set_method("GET");
    init.set_headers_headers(&h);
    let resp = JsFuture::from(window.fetch_with_str_and_init(url, &init))
        .await
        .map_err(|e| FetchError::Network(js_error_text(&e)))?;
    let resp: Response = resp
        .dyn_into()
        .map_err(|_| FetchError::Network("fetch gave no Response".into()))?;
    let status = resp.status();
    let text = resp
        .text()
        .map_err(|e| FetchError::Body(js_error_text(&e)))?;
    let text = JsFuture::from(text)
        .await
        .map_err(|e| FetchError::Body(js_error_text(&e)))?;
    Ok((status, text.as_string().unwrap_or_default()))
}
