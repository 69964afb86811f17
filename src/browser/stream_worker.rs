//! The load tester's transport in a dedicated worker: the worker calls `fetch`, reads each
//! body and stamps every chunk with its own `performance.now()` (moved onto the page's
//! clock), then posts the chunks to the page in batches. The page parses them with the
//! same pure [`RequestTracker`] as the page-only transport in [`super::stream`].
//!
//! Why: a stamp taken on the page is late by however long the page was busy (launching
//! dozens of requests, parsing other streams, redrawing charts); at 64 simultaneous
//! streams that made TTFT tens of ms too long. The worker does nothing but network I/O,
//! so its stamps stay close to when the bytes arrived, and the page's per-chunk cost drops
//! to one call from a batch loop. Resource Timing entries of the worker's requests live in
//! the worker's own timeline, so the re-basing lookup runs there too ([`resource_timing`]).
//!
//! Without `Worker` (or if the worker dies) the page transport is used; the record's
//! `clock` and the run's diagnoses say nothing different, the stamps are just noisier.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use inferlab_loadtest::record::{ErrorKind, RequestRecord};
use inferlab_loadtest::tracker::{Progress, RequestTracker};
use js_sys::{Array, Uint8Array};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use super::stream::{fail_record, now_ms, AbortReason, Cancel, StreamRequest, Timer, Via};

#[wasm_bindgen(inline_js = r#"
// The Resource Timing entry of a request called at tFetch whose first response stamp is
// tFirst and last byte tLast (all on this global's clock), or null (none yet, or no
// Timing-Allow-Origin). Runs in the workers (pasted into their source) and on the page.
let rtSized = false;
function rtFind(url, tFetch, tFirst, tLast) {
  // The default buffer (250, shared by every origin) drops entries of a busy run.
  if (!rtSized) { performance.setResourceTimingBufferSize(4000); rtSized = true; }
  const es = performance.getEntriesByName(url, "resource");
  let best = null, bestD = Infinity;
  for (let i = es.length - 1; i >= 0; i--) {
    const e = es[i];
    if (e.startTime < tFetch - 2 || e.requestStart <= 0 || e.requestStart > tFirst ||
        e.responseEnd > tLast + 50) continue;
    const d = Math.abs(tLast - e.responseEnd) + Math.abs(e.startTime - tFetch);
    if (d < bestD) { bestD = d; best = e; }
  }
  // Keep the buffer well below its size: a request finished but not yet matched loses its
  // entry and keeps the fetch clock, which its record says.
  if (performance.getEntriesByType("resource").length > 1500) performance.clearResourceTimings();
  return best;
}
export function rt_match(url, tFetch, tFirst, tLast) {
  const e = rtFind(url, tFetch, tFirst, tLast);
  return e ? [e.requestStart, e.responseStart, e.responseEnd, e.nextHopProtocol] : null;
}

// The worker: fetch, read, stamp (page clock), post in batches. Chunks are batched for up
// to 1 ms; headers, ends and errors flush at once (they free a user's slot).
const SRC = `
let offset = 0;
const live = new Map();
let out = [], bufs = [], timer = 0;
function flush() { if (timer) { clearTimeout(timer); timer = 0; } if (!out.length) return;
  const m = out, b = bufs; out = []; bufs = []; postMessage(m, b); }
function emit(m, buf, now) { out.push(m); if (buf) bufs.push(buf);
  if (now) flush(); else if (!timer) timer = setTimeout(flush, 1); }
async function run(m) {
  const ctl = new AbortController();
  live.set(m.id, ctl);
  let phase = 0;
  try {
    emit([m.id, 4, performance.now() + offset], null, false);
    const r = await fetch(m.url, { method: "POST", headers: m.headers, body: m.body, signal: ctl.signal });
    emit([m.id, 0, performance.now() + offset, r.status], null, true);
    phase = 1;
    if (r.body) {
      const rd = r.body.getReader();
      for (;;) {
        const x = await rd.read();
        const t = performance.now() + offset;
        if (x.done) { emit([m.id, 2, t], null, true); break; }
        const v = x.value;
        emit([m.id, 1, t, v], v.byteOffset === 0 && v.byteLength === v.buffer.byteLength ? v.buffer : null, false);
      }
    } else emit([m.id, 2, performance.now() + offset], null, true);
  } catch (e) {
    const text = e && e.name ? e.name + ": " + e.message : String(e);
    emit([m.id, 3, performance.now() + offset, text, phase], null, true);
  } finally { live.delete(m.id); }
}
let rtSized = false;
${rtFind}
function rt(q) {
  const e = rtFind(q.url, q.tFetch - offset, q.tFirst - offset, q.tLast - offset);
  if (e) return [e.requestStart + offset, e.responseStart + offset, e.responseEnd + offset, e.nextHopProtocol];
  // Without Timing-Allow-Origin there are no times, but the protocol may still be known.
  const es = performance.getEntriesByName(q.url, "resource");
  const p = es.length ? es[es.length - 1].nextHopProtocol : "";
  return p ? [NaN, NaN, NaN, p] : null;
}
onmessage = (e) => {
  const m = e.data;
  if (m.op === "start") run(m);
  else if (m.op === "abort") { const c = live.get(m.id); if (c) c.abort(); }
  else if (m.op === "rt") postMessage({ rt: m.seq, v: rt(m) });
  else if (m.op === "init") {
    offset = performance.timeOrigin - m.origin;
  }
};
`;
// A small pool: each worker calls fetch() for its share of a burst of launches, so no
// worker is busy long enough to delay the first chunks of the requests it started first.
let pool = null, handler = null, rtSeq = 1;
const rtWaits = new Map(), liveIds = new Map();
function size() {
  const n = globalThis.__inferlabStreamWorkers ?? Math.min(4, Math.max(2, (navigator.hardwareConcurrency || 2) >> 1));
  return Math.max(1, Math.min(16, n | 0));
}
export function sw_init(h) {
  if (pool !== null) return pool !== false;
  handler = h;
  const url = URL.createObjectURL(new Blob([SRC], { type: "text/javascript" }));
  try {
    pool = [];
    for (let i = 0; i < size(); i++) pool.push(new Worker(url));
  } catch (_) {
    for (const w of pool) w.terminate();
    pool = false;
    return false;
  }
  for (const w of pool) {
    w.onmessage = (e) => {
      const d = e.data;
      if (d.rt !== undefined) {
        const f = rtWaits.get(d.rt);
        if (f) { rtWaits.delete(d.rt); f(d.v); }
        return;
      }
      for (let i = 0; i < d.length; i++) {
        const m = d[i];
        if (m[1] === 2 || m[1] === 3) liveIds.delete(m[0]);
        handler(m[0], m[1], m[2], m[3], m[4]);
      }
    };
    w.onerror = (e) => {
      // A dead worker must not leave requests hanging: fail them all, use the page from
      // now on.
      const text = "the stream worker failed: " + (e.message || "unknown error");
      const ids = [...liveIds.keys()];
      liveIds.clear();
      if (pool) for (const x of pool) x.terminate();
      pool = false;
      for (const id of ids) handler(id, 3, performance.now(), text, 1);
      for (const f of rtWaits.values()) f(null);
      rtWaits.clear();
    };
    w.postMessage({ op: "init", origin: performance.timeOrigin });
  }
  return true;
}
export function sw_alive() { return !!pool; }
export function sw_start(id, url, headers, body) {
  if (!pool) {
    // The pool died after the caller looked: fail the request instead of throwing.
    setTimeout(() => handler(id, 3, performance.now(), "the stream worker is not running", 0), 0);
    return;
  }
  const w = pool[id % pool.length];
  liveIds.set(id, w);
  w.postMessage({ op: "start", id, url, headers, body });
}
export function sw_abort(id) { const w = liveIds.get(id); if (w) w.postMessage({ op: "abort", id }); }
export function sw_rt(id, url, tFetch, tFirst, tLast) {
  if (!pool) return Promise.resolve(null);
  const w = pool[id % pool.length];
  const seq = rtSeq++;
  return new Promise((resolve) => {
    rtWaits.set(seq, resolve);
    w.postMessage({ op: "rt", seq, url, tFetch, tFirst, tLast });
  });
}
"#)]
extern "C" {
    /// Starts the worker pool once with the page's message handler; false when workers
    /// are unavailable (then the page transport is used).
    fn sw_init(handler: &Closure<dyn FnMut(u32, u8, f64, JsValue, JsValue)>) -> bool;
    /// True while the worker is usable.
    fn sw_alive() -> bool;
    /// Starts request `id` in worker `id mod pool size`.
    fn sw_start(id: u32, url: &str, headers: &Array, body: &str);
    /// Aborts request `id` in the worker (its error event follows).
    fn sw_abort(id: u32);
    /// `[requestStart, responseStart, responseEnd, nextHopProtocol]` (page clock) of the
    /// Resource Timing entry that fits, from the worker that ran request `id`, or `null`.
    fn sw_rt(id: u32, url: &str, t_fetch: f64, t_first: f64, t_last: f64) -> js_sys::Promise;
    /// `[requestStart, responseStart, responseEnd, nextHopProtocol]` of the page's own
    /// Resource Timing entry that fits a request of the page transport, or `null` (same
    /// matching as the workers').
    pub(crate) fn rt_match(url: &str, t_fetch: f64, t_first: f64, t_last: f64) -> JsValue;
}

/// One request in flight in the worker, as the page tracks it.
struct Pending {
    tracker: Option<RequestTracker>,
    on_progress: Box<dyn FnMut(f64, Progress)>,
    cancel: Cancel,
    req: Rc<StreamRequest>,
    grace: Option<Timer>,
    buf: Vec<u8>,
    result: Option<RequestRecord>,
    resolve: Option<js_sys::Function>,
}

struct Registry {
    next_id: u32,
    pending: HashMap<u32, Rc<RefCell<Pending>>>,
    _handler: Closure<dyn FnMut(u32, u8, f64, JsValue, JsValue)>,
}

thread_local! {
    static REGISTRY: RefCell<Option<Registry>> = const { RefCell::new(None) };
}

/// True when the worker transport can be used (starts the worker on first call).
pub fn available() -> bool {
    REGISTRY.with(|r| {
        let mut r = r.borrow_mut();
        if r.is_some() {
            return sw_alive();
        }
        let handler = Closure::<dyn FnMut(u32, u8, f64, JsValue, JsValue)>::new(on_message);
        if !sw_init(&handler) {
            return false;
        }
        *r = Some(Registry {
            next_id: 1,
            pending: HashMap::new(),
            _handler: handler,
        });
        true
    })
}

fn pending(id: u32) -> Option<Rc<RefCell<Pending>>> {
    REGISTRY.with(|r| r.borrow().as_ref()?.pending.get(&id).cloned())
}

/// Handles one event from the worker: 4 `fetch` called, 0 headers (`a` = status), 1 chunk
/// (`a` = bytes), 2 end, 3 error (`a` = text, `b` = 1 when the body had started).
fn on_message(id: u32, kind: u8, t: f64, a: JsValue, b: JsValue) {
    let Some(p) = pending(id) else { return };
    let resolve = {
        let mut p = p.borrow_mut();
        let p = &mut *p;
        let Some(tracker) = p.tracker.as_mut() else {
            return;
        };
        match kind {
            4 => {
                tracker.on_sent(t);
                return;
            }
            0 => {
                let status = a.as_f64().map_or(0, |s| s as u16);
                tracker.on_headers(t, status, None);
                return;
            }
            1 => {
                let bytes: Uint8Array = a.unchecked_into();
                p.buf.resize(bytes.length() as usize, 0);
                bytes.copy_to(&mut p.buf);
                let progress = tracker.on_bytes(t, &p.buf);
                (p.on_progress)(t, progress);
                if progress.finished && p.grace.is_none() {
                    let c = p.cancel.clone();
                    p.grace = Some(Timer::new(p.req.finish_grace_ms, move || {
                        c.abort(AbortReason::Finished)
                    }));
                }
                return;
            }
            2 => {
                let Some(mut tracker) = p.tracker.take() else {
                    return;
                };
                p.result = Some(tracker.on_eof(t));
            }
            _ => {
                let Some(mut tracker) = p.tracker.take() else {
                    return;
                };
                let text = a.as_string().unwrap_or_else(|| "unknown error".into());
                let in_body = b.as_f64().is_some_and(|x| x > 0.0);
                p.result = Some(fail_record(
                    &mut tracker,
                    &p.cancel,
                    &p.req,
                    t,
                    &text,
                    in_body,
                ));
            }
        }
        p.grace = None;
        p.resolve.take()
    };
    REGISTRY.with(|r| {
        if let Some(r) = r.borrow_mut().as_mut() {
            r.pending.remove(&id);
        }
    });
    if let Some(f) = resolve {
        let _ = f.call0(&JsValue::NULL);
    }
}

/// Sends one request from a stream worker; same contract as
/// [`super::stream::stream_request`].
pub async fn stream_request(
    req: &StreamRequest,
    cancel: &Cancel,
    make_tracker: impl FnOnce(f64) -> RequestTracker,
    on_progress: impl FnMut(f64, Progress) + 'static,
) -> (RequestRecord, Via) {
    let t_start = now_ms();
    let mut tracker = make_tracker(t_start);
    let headers = Array::new();
    for h in &req.headers {
        headers.push(&Array::of2(
            &JsValue::from_str(h.name.trim()),
            &JsValue::from_str(&h.value),
        ));
    }
    let id = REGISTRY.with(|r| {
        r.borrow_mut().as_mut().map(|r| {
            let id = r.next_id;
            r.next_id = r.next_id.wrapping_add(1).max(1);
            id
        })
    });
    let Some(id) = id.filter(|_| sw_alive()) else {
        let msg = "the stream worker is not running";
        return (
            tracker.on_failure(now_ms(), ErrorKind::Network, msg),
            Via::Page,
        );
    };
    let state = Rc::new(RefCell::new(Pending {
        tracker: Some(tracker),
        on_progress: Box::new(on_progress),
        cancel: cancel.clone(),
        req: Rc::new(req.clone()),
        grace: None,
        buf: Vec::new(),
        result: None,
        resolve: None,
    }));
    let done = js_sys::Promise::new(&mut |resolve, _| {
        state.borrow_mut().resolve = Some(resolve);
    });
    REGISTRY.with(|r| {
        if let Some(r) = r.borrow_mut().as_mut() {
            r.pending.insert(id, state.clone());
        }
    });
    // Stop, the time limit and the finish grace all abort through the request's signal.
    let on_abort = Closure::<dyn FnMut()>::new(move || sw_abort(id));
    let signal = cancel.signal();
    if let Some(signal) = &signal {
        signal.set_onabort(Some(on_abort.as_ref().unchecked_ref()));
    }
    let aborted_already = cancel.reason() != AbortReason::None;
    let timeout_cancel = cancel.clone();
    let _timeout = Timer::new(req.timeout_ms, move || {
        timeout_cancel.abort(AbortReason::Timeout)
    });
    if aborted_already {
        // Stopped before it started: never send it.
        REGISTRY.with(|r| {
            if let Some(r) = r.borrow_mut().as_mut() {
                r.pending.remove(&id);
            }
        });
    } else {
        sw_start(id, &req.url, &headers, &req.body);
        let _ = JsFuture::from(done).await;
    }
    if let Some(signal) = &signal {
        signal.set_onabort(None);
    }
    drop(on_abort);
    let mut st = state.borrow_mut();
    let st = &mut *st;
    if let Some(record) = st.result.take() {
        return (record, Via::Worker(id));
    }
    let t = now_ms();
    let lost = "the stream worker lost this request";
    let record = match st.tracker.as_mut() {
        Some(tracker) if aborted_already => {
            fail_record(tracker, &st.cancel, &st.req, t, "AbortError", false)
        }
        Some(tracker) => tracker.on_failure(t, ErrorKind::Network, lost),
        None => RequestTracker::new(RequestRecord::default(), true).on_failure(
            t,
            ErrorKind::Network,
            lost,
        ),
    };
    (record, Via::Worker(id))
}

/// The worker's Resource Timing entry for a finished request:
/// `(requestStart, responseStart, responseEnd, nextHopProtocol)` on the page clock. The
/// entry can appear a little after the end was read, so this asks a few times over ~20 ms.
pub async fn resource_timing(
    id: u32,
    url: &str,
    t_fetch: f64,
    t_first: f64,
    t_last: f64,
) -> Option<(f64, f64, f64, String)> {
    for attempt in 0..5 {
        if attempt > 0 {
            super::stream::sleep_ms(4.0).await;
        }
        let v = JsFuture::from(sw_rt(id, url, t_fetch, t_first, t_last))
            .await
            .ok()?;
        if let Some(a) = v.dyn_ref::<Array>() {
            let rs = a.get(0).as_f64()?;
            let re = a.get(2).as_f64()?;
            let resp_start = a.get(1).as_f64().unwrap_or(f64::NAN);
            return Some((rs, resp_start, re, a.get(3).as_string().unwrap_or_default()));
        }
        if !sw_alive() {
            return None;
        }
    }
    None
}
