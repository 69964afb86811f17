//! The load tester's transport: one streamed `fetch` POST, stamped with `performance.now()`
//! at start, headers, every body chunk and the end, and fed to the pure
//! [`RequestTracker`], which does all parsing and classification.
//!
//! Only I/O lives here. Every failure ends as a [`RequestRecord`] with an
//! [`ErrorKind`]; nothing from the network is unwrapped.
//!
//! Hot path (hundreds of streams, tens of thousands of SSE events a second in one tab): the
//! body is read by a small JavaScript loop ([`pump`]) that stamps each chunk and hands it to
//! Rust synchronously, instead of a Rust future per `read()` (a promise, a `JsFuture`, two
//! `Reflect` lookups and a task wake-up per chunk); bytes are copied into one reused buffer.
//!
//! Accuracy: `fetch()` reaches Chromium's network service a few ms after the call, and each
//! chunk reaches the page a little after the network got it. [`refine_with_resource_timing`]
//! re-bases a finished record on its Resource Timing entry (see
//! [`RequestRecord::apply_resource_timing`]); the record says which clock it used. Before
//! that, on HTTP/2 in Chromium, the network stack's 1 ms read hold is taken off the body
//! stamps ([`RequestRecord::undo_h2_read_hold`]).

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use inferlab_loadtest::config::Header;
use inferlab_loadtest::diagnose::{self, Engine};
use inferlab_loadtest::record::{ErrorKind, RequestRecord, StampClock, CHROMIUM_H2_READ_HOLD_MS};
use inferlab_loadtest::tracker::{Progress, RequestTracker};
use js_sys::Uint8Array;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, Headers, ReadableStreamDefaultReader, RequestInit, Response};

#[wasm_bindgen(inline_js = r#"
export async function pump(reader, onChunk) {
  for (;;) {
    const r = await reader.read();
    const t = performance.now();
    if (r.done) return t;
    onChunk(r.value, t);
  }
}

const TICKER = "onmessage = (e) => { const [id, ms] = e.data; setTimeout(() => postMessage(id), ms); };";
let ticker = null;
const ticks = new Map();
let nextTick = 1;
export function worker_timeout(ms, cb) {
  if (ticker === null) {
    try {
      ticker = new Worker(URL.createObjectURL(new Blob([TICKER], { type: "text/javascript" })));
      ticker.onmessage = (e) => {
        const f = ticks.get(e.data);
        if (f) { ticks.delete(e.data); f(); }
      };
    } catch (_) {
      ticker = false;
    }
  }
  if (ticker === false) return -setTimeout(cb, ms);
  const id = nextTick++;
  ticks.set(id, cb);
  ticker.postMessage([id, ms]);
  return id;
}
export function worker_clear(id) {
  if (id < 0) clearTimeout(-id); else ticks.delete(id);
}
export function worker_ticks() { return ticker ? 1 : 0; }
"#)]
extern "C" {
    /// Reads `reader` to the end, calling `on_chunk(bytes, performance.now())` per chunk;
    /// resolves with the end stamp, rejects with the reader's error.
    #[wasm_bindgen(catch)]
    async fn pump(
        reader: &ReadableStreamDefaultReader,
        on_chunk: &Closure<dyn FnMut(Uint8Array, f64)>,
    ) -> Result<JsValue, JsValue>;
    /// `setTimeout` run in a dedicated worker (falls back to the page's): a background
    /// tab's timers are throttled to once a second or less, a worker's are not.
    fn worker_timeout(ms: f64, cb: &js_sys::Function) -> f64;
    fn worker_clear(id: f64);
}

/// A [`Timer`]-like one-shot driven from a dedicated worker, so the run's scheduler keeps
/// its pace in a background tab. Cleared when dropped.
pub struct WorkerTimer {
    id: f64,
    _cb: Closure<dyn FnMut()>,
}

impl WorkerTimer {
    /// Calls `f` after `ms`.
    pub fn new(ms: f64, f: impl FnMut() + 'static) -> Self {
        let cb = Closure::<dyn FnMut()>::new(f);
        let ms = if ms.is_finite() { ms.max(0.0) } else { 1e9 };
        let id = worker_timeout(ms, cb.as_ref().unchecked_ref());
        Self { id, _cb: cb }
    }
}

impl Drop for WorkerTimer {
    fn drop(&mut self) {
        worker_clear(self.id);
    }
}

/// Re-bases a finished record on its Resource Timing entry (start = `requestStart`, response
/// stamps less the delivery delay). The entry appears when the browser has finished the
/// response, which can be a little after the page read the end, so this retries a few
/// times over ~20 ms; without a usable entry the record keeps the `fetch()` clock.
pub async fn refine_with_resource_timing(rec: &mut RequestRecord, req: &StreamRequest, via: Via) {
    let (Some(first), Some(last)) = (rec.t_headers.or(rec.t_first_byte), rec.t_last_byte) else {
        return;
    };
    if rec.clock == StampClock::ResourceTiming {
        return;
    }
    if let Via::Worker(id) = via {
        if let Some((rs, resp_start, re, protocol)) =
            super::stream_worker::resource_timing(id, &req.url, rec.t_start, first, last).await
        {
            if !protocol.is_empty() {
                rec.protocol = Some(protocol);
            }
            undo_chromium_h2_hold(rec);
            rec.apply_resource_timing(rs, resp_start, re);
        }
        return;
    }
    for attempt in 0..5 {
        if attempt > 0 {
            sleep_ms(4.0).await;
        }
        let v = super::stream_worker::rt_match(&req.url, rec.t_start, first, last);
        if let Some(a) = v.dyn_ref::<js_sys::Array>() {
            if let Some(p) = a.get(3).as_string().filter(|p| !p.is_empty()) {
                rec.protocol = Some(p);
            }
            undo_chromium_h2_hold(rec);
            if let (Some(rs), Some(re)) = (a.get(0).as_f64(), a.get(2).as_f64()) {
                let resp_start = a.get(1).as_f64().unwrap_or(f64::NAN);
                rec.apply_resource_timing(rs, resp_start, re);
            }
            return;
        }
    }
    // No entry (no Timing-Allow-Origin): the protocol, if it was looked up, still tells.
    undo_chromium_h2_hold(rec);
}

/// True in Chromium-based browsers (Chrome, Edge, Opera, Brave; not Chrome on iOS, which is
/// WebKit): their HTTP/2 stack holds received data 1 ms before the reader sees it.
fn is_chromium() -> bool {
    thread_local! {
        static CHROMIUM: bool = web_sys::window()
            .and_then(|w| w.navigator().user_agent().ok())
            .is_some_and(|ua| ua.contains("Chrome/") || ua.contains("Chromium/"));
    }
    CHROMIUM.with(|c| *c)
}

/// Undoes Chromium's HTTP/2 read hold on a raw record (see
/// [`RequestRecord::undo_h2_read_hold`]); nothing on other protocols or browsers.
fn undo_chromium_h2_hold(rec: &mut RequestRecord) {
    if rec.protocol.as_deref() == Some("h2") && is_chromium() {
        rec.undo_h2_read_hold(CHROMIUM_H2_READ_HOLD_MS);
    }
}

/// Sleeps `ms` on the page's timer.
pub(crate) async fn sleep_ms(ms: f64) {
    let mut timer = None;
    let p = js_sys::Promise::new(&mut |resolve: js_sys::Function, _| {
        timer = Some(Timer::new(ms, move || {
            let _ = resolve.call0(&JsValue::NULL);
        }));
    });
    let _ = JsFuture::from(p).await;
    drop(timer);
}

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

    pub(crate) fn reason(&self) -> AbortReason {
        self.reason.get()
    }

    /// The signal that fires when this request is aborted (the worker transport forwards
    /// it to the worker).
    pub(crate) fn signal(&self) -> Option<web_sys::AbortSignal> {
        self.controller.as_ref().map(AbortController::signal)
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
    /// Read the stream in the stream worker (stamps unaffected by a busy page).
    pub in_worker: bool,
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

/// Ends a request whose `fetch` or body read rejected with `err_text` at `t`: an abort is
/// recorded by its reason (Stop, time limit, or a finished stream closed by us), anything
/// else as a network failure before the headers or a dropped stream after them.
pub(crate) fn fail_record(
    tracker: &mut RequestTracker,
    cancel: &Cancel,
    req: &StreamRequest,
    t: f64,
    err_text: &str,
    in_body: bool,
) -> RequestRecord {
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
            &format!("the connection failed mid-stream ({err_text})"),
        ),
        AbortReason::None => tracker.on_failure(
            t,
            ErrorKind::Network,
            &format!("{err_text} — {}", req.network_title()),
        ),
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
/// Always returns a settled record: ok, or failed with its kind and message. Runs in the
/// stream worker when `req.in_worker` is set and a worker is available
/// ([`super::stream_worker`]), else on the page.
pub async fn stream_request(
    req: &StreamRequest,
    cancel: &Cancel,
    make_tracker: impl FnOnce(f64) -> RequestTracker,
    on_progress: impl FnMut(f64, Progress) + 'static,
) -> (RequestRecord, Via) {
    if req.in_worker && super::stream_worker::available() {
        super::stream_worker::stream_request(req, cancel, make_tracker, on_progress).await
    } else {
        let rec = stream_on_page(req, cancel, make_tracker, on_progress).await;
        (rec, Via::Page)
    }
}

/// Which transport ran a request: its Resource Timing entry is in that global's timeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    /// The page.
    Page,
    /// The stream worker, with the worker-side request id.
    Worker(u32),
}

/// [`stream_request`] on the page: `fetch` and the body read run on the main thread.
async fn stream_on_page(
    req: &StreamRequest,
    cancel: &Cancel,
    make_tracker: impl FnOnce(f64) -> RequestTracker,
    on_progress: impl FnMut(f64, Progress) + 'static,
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
        fail_record(tracker, cancel, req, now_ms(), &js_error_text(err), in_body)
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
            let tracker = Rc::new(RefCell::new(tracker));
            let grace: Rc<RefCell<Option<Timer>>> = Rc::new(RefCell::new(None));
            let on_chunk = {
                let (tracker, grace, cancel) = (tracker.clone(), grace.clone(), cancel.clone());
                let finish_grace_ms = req.finish_grace_ms;
                let mut buf: Vec<u8> = Vec::new();
                let mut on_progress = on_progress;
                Closure::<dyn FnMut(Uint8Array, f64)>::new(move |bytes: Uint8Array, t: f64| {
                    let n = bytes.length() as usize;
                    buf.resize(n, 0);
                    bytes.copy_to(&mut buf);
                    let p = tracker.borrow_mut().on_bytes(t, &buf);
                    on_progress(t, p);
                    if p.finished && grace.borrow().is_none() {
                        let c = cancel.clone();
                        *grace.borrow_mut() = Some(Timer::new(finish_grace_ms, move || {
                            c.abort(AbortReason::Finished)
                        }));
                    }
                })
            };
            let end = pump(&reader, &on_chunk).await;
            drop(on_chunk);
            let mut tracker = tracker.borrow_mut();
            match end {
                Ok(t) => tracker.on_eof(t.as_f64().unwrap_or_else(now_ms)),
                Err(e) => failed(&mut tracker, cancel, &e, true),
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
