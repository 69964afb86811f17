//! The run driver: a `spawn_local` loop that asks the pure [`Scheduler`] what is due, starts
//! those requests, sleeps until the next planned launch (or until a request settles), and
//! publishes a [`Live`] view for the page at most once per animation frame.
//!
//! All non-`Send` state (the scheduler, aggregators, abort handles) sits behind one `Rc`
//! owned by the loop and its request tasks; the page only sees `Send` signals and a
//! [`Runner`] handle, which is `Copy`.

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::rc::Rc;

use inferlab_loadtest::config::RunConfig;
use inferlab_loadtest::diagnose::{self, Diagnosis, Engine};
use inferlab_loadtest::export::ExportDoc;
use inferlab_loadtest::openai::{build_body_with_max, endpoint_urls};
use inferlab_loadtest::prompts::{pick, Prompt};
use inferlab_loadtest::record::{ErrorKind, RequestRecord, StampClock};
use inferlab_loadtest::schedule::{Launch, LoadModel, LoadPlan, Scheduler};
use inferlab_loadtest::stats::Bin;
use inferlab_loadtest::summary::{Bucket, RunStats, Summary, SweepRow};
use inferlab_loadtest::tracker::RequestTracker;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::browser::stream::{
    now_ms, refine_with_resource_timing, stream_request, AbortReason, Cancel, StreamRequest, Timer,
    WorkerTimer,
};

/// Longest the driver sleeps without looking at the clock, ms: bounds how late a duration
/// cap or a Stop is noticed if no request settles meanwhile.
const MAX_SLEEP_MS: f64 = 200.0;
/// Publish the live view at most this often while requests stream (a frame's worth of
/// charts and tables at 60 Hz would take the time the streams need under heavy load).
const PUBLISH_MS: f64 = 250.0;
/// Republish from the loop at least this often (`requestAnimationFrame` does not run in a
/// background tab).
const MIN_PUBLISH_MS: f64 = 1000.0;
/// Keep reading this long after `[DONE]` before closing a stream ourselves.
const FINISH_GRACE_MS: f64 = 2000.0;
/// Bars of the live ITL histogram.
const ITL_BINS: usize = 40;
/// Per-request TTFT points kept for the live chart.
const MAX_POINTS: usize = 2000;
/// Requests whose `nextHopProtocol` is looked up (entries pile up in the browser).
const PROTOCOL_SAMPLES: u64 = 4;

/// Everything a run needs, assembled by the page when Run is confirmed.
#[derive(Debug, Clone)]
pub struct RunSpec {
    /// The form, API key included (memory only; exports sanitize it).
    pub config: RunConfig,
    /// One plan per step, with its x value (users or rate); one step unless sweeping.
    pub steps: Vec<(f64, LoadPlan)>,
    /// Prompts, picked round-robin by launch id.
    pub prompts: Vec<Prompt>,
    /// Per-request time limit, ms.
    pub timeout_ms: f64,
    /// `location.origin`, for CORS fixes.
    pub page_origin: String,
    /// Engine guessed from `/v1/models`, for tailored fixes.
    pub engine: Option<Engine>,
    /// Read streams in the stream worker (see `browser::stream_worker`).
    pub in_worker: bool,
}

impl RunSpec {
    /// The most concurrent streams the plan asks for (closed loop: users; open loop: its
    /// cap, else unknown = 0 and the live peak decides).
    fn planned_concurrency(&self) -> u32 {
        self.steps
            .iter()
            .map(|(_, p)| match p.model {
                LoadModel::Closed { users, .. } => users,
                LoadModel::Open {
                    max_concurrency, ..
                } => max_concurrency.unwrap_or(0),
            })
            .max()
            .unwrap_or(0)
    }
}

/// Where a run is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Nothing has run yet.
    Idle,
    /// Launching and measuring.
    Running,
    /// Stop pressed; in-flight requests are being aborted.
    Stopping,
    /// Ended (done, capped or stopped); results are final.
    Finished,
}

/// One point of the TTFT-per-request chart.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TtftPoint {
    /// Request start, s since Run.
    pub t_s: f64,
    /// TTFT, ms.
    pub ttft_ms: f64,
    /// End-to-end latency, ms (the E2E-per-request chart).
    pub e2e_ms: f64,
}

/// What the page renders, replaced wholesale on each publish.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Live {
    /// Whole-run summary (all steps).
    pub summary: Summary,
    /// Whole-run time series (tokens/s, active requests).
    pub series: Vec<Bucket>,
    /// TTFT per successful measured request (the latest [`MAX_POINTS`]).
    pub ttft: Vec<TtftPoint>,
    /// Requests launched (warm-ups included).
    pub launched: u64,
    /// Requests settled.
    pub settled: u64,
    /// Requests in flight now.
    pub in_flight: u64,
    /// Current step (0-based) and number of steps.
    pub step: usize,
    /// Number of steps.
    pub steps: usize,
    /// One row per finished sweep step.
    pub sweep: Vec<SweepRow>,
    /// Problems worth telling, most severe first as they came.
    pub diagnoses: Vec<Diagnosis>,
    /// Time since Run, ms.
    pub elapsed_ms: f64,
    /// ITL histogram of the whole run (bins up to the p99, so the tail does not flatten it).
    pub itl_bins: Vec<Bin>,
}

/// A wake-up the driver can sleep on: resolved by a timer or by [`Wake::notify`].
#[derive(Default)]
struct Wake {
    resolve: RefCell<Option<js_sys::Function>>,
    pending: Cell<bool>,
}

impl Wake {
    fn notify(&self) {
        let f = self.resolve.borrow_mut().take();
        match f {
            Some(f) => {
                let _ = f.call0(&JsValue::NULL);
            }
            None => self.pending.set(true),
        }
    }

    async fn sleep(&self, ms: f64) {
        if self.pending.replace(false) {
            return;
        }
        let mut timer = None;
        let promise = js_sys::Promise::new(&mut |resolve: js_sys::Function, _reject| {
            let r = resolve.clone();
            // From a worker: a background tab throttles the page's own timers.
            timer = Some(WorkerTimer::new(ms, move || {
                let _ = r.call0(&JsValue::NULL);
            }));
            *self.resolve.borrow_mut() = Some(resolve);
        });
        let _ = JsFuture::from(promise).await;
        self.resolve.borrow_mut().take();
        drop(timer);
    }
}

/// Mutable run state shared by the loop and its request tasks (never borrowed across an
/// `.await`).
struct Shared {
    sched: Option<Scheduler>,
    step_stats: RunStats,
    total: RunStats,
    cancels: BTreeMap<u64, Cancel>,
    ttft: Vec<TtftPoint>,
    /// Failure diagnoses, deduplicated by title.
    events: Vec<Diagnosis>,
    protocol: Option<String>,
    launched: u64,
    settled: u64,
    /// Requests counted in the summary's `requests_ok` whose stamps stayed on the `fetch()`
    /// clock (no Timing-Allow-Origin).
    on_fetch_clock: u64,
    step: usize,
    sweep: Vec<SweepRow>,
    max_tick_lag: f64,
}

struct Control {
    shared: RefCell<Shared>,
    wake: Wake,
    stop: Cell<bool>,
    raf_pending: Cell<bool>,
    publish_timer: RefCell<Option<Timer>>,
    last_publish: Cell<f64>,
    /// Settled requests whose record waits for its Resource Timing entry.
    refining: Cell<u32>,
    /// Endpoint URL of every base URL, used round robin.
    urls: Vec<String>,
    t0: f64,
}

impl Control {
    fn abort_all(&self) {
        let cancels: Vec<Cancel> = self.shared.borrow().cancels.values().cloned().collect();
        for c in cancels {
            c.abort(AbortReason::User);
        }
    }
}

/// The page's handle on runs: signals to render and commands. `Copy`, so closures take it
/// freely.
#[derive(Clone, Copy)]
pub struct Runner {
    /// Current phase.
    pub phase: RwSignal<Phase>,
    /// Latest published view.
    pub live: RwSignal<Live>,
    records: StoredValue<Vec<RequestRecord>>,
    config: StoredValue<Option<RunConfig>>,
    control: StoredValue<Option<Rc<Control>>, LocalStorage>,
}

fn add_diagnosis(list: &mut Vec<Diagnosis>, d: Diagnosis) {
    if !list.iter().any(|x| x.title == d.title) {
        list.push(d);
    }
}

impl Runner {
    /// A runner with nothing run yet.
    pub fn new() -> Self {
        Self {
            phase: RwSignal::new(Phase::Idle),
            live: RwSignal::new(Live::default()),
            records: StoredValue::new(Vec::new()),
            config: StoredValue::new(None),
            control: StoredValue::new_local(None),
        }
    }

    /// True while requests are being launched or aborted.
    pub fn busy(&self) -> bool {
        matches!(self.phase.get(), Phase::Running | Phase::Stopping)
    }

    /// Starts a run (ignored while one is running). Only ever called from the confirmation
    /// button: a link or a reload never gets here.
    pub fn start(self, spec: RunSpec) {
        if matches!(self.phase.get_untracked(), Phase::Running | Phase::Stopping) {
            return;
        }
        if let Some(p) = web_sys::window().and_then(|w| w.performance()) {
            // Room for the entries read for `nextHopProtocol`; old ones are of no use.
            p.clear_resource_timings();
            p.set_resource_timing_buffer_size(1000);
        }
        // Start the scheduler's timer worker now: its creation (tens of ms on a slow machine)
        // must not fall between the first launches and their first chunks.
        drop(WorkerTimer::new(0.0, || {}));
        let t0 = now_ms();
        let mut total = RunStats::new(spec.config.slo, 1000.0);
        total.set_origin(t0);
        let control = Rc::new(Control {
            shared: RefCell::new(Shared {
                sched: None,
                step_stats: RunStats::new(spec.config.slo, 1000.0),
                total,
                cancels: BTreeMap::new(),
                ttft: Vec::new(),
                events: Vec::new(),
                protocol: None,
                launched: 0,
                settled: 0,
                on_fetch_clock: 0,
                step: 0,
                sweep: Vec::new(),
                max_tick_lag: 0.0,
            }),
            wake: Wake::default(),
            stop: Cell::new(false),
            raf_pending: Cell::new(false),
            publish_timer: RefCell::new(None),
            last_publish: Cell::new(t0),
            refining: Cell::new(0),
            urls: endpoint_urls(&spec.config.base_url, spec.config.request.api.path()),
            t0,
        });
        self.records.set_value(Vec::new());
        self.config.set_value(Some(spec.config.clone()));
        self.control.set_value(Some(control.clone()));
        self.live.set(Live {
            steps: spec.steps.len(),
            ..Live::default()
        });
        self.phase.set(Phase::Running);
        spawn_local(drive(self, control, Rc::new(spec)));
    }

    /// Stop: nothing more is launched and every in-flight request is aborted (recorded as
    /// aborted, not failed). Results so far stay exportable.
    pub fn stop(self) {
        // `try_*`: also called from the page's cleanup, when the signals may be gone.
        if self.phase.try_get_untracked() != Some(Phase::Running) {
            return;
        }
        self.phase.try_set(Phase::Stopping);
        self.control.try_with_value(|c| {
            if let Some(c) = c {
                c.stop.set(true);
                c.abort_all();
                c.wake.notify();
            }
        });
    }

    /// True when there is something to export.
    pub fn has_results(&self) -> bool {
        self.records.with_value(|r| !r.is_empty())
    }

    /// The export document of the current or last run (partial while running).
    pub fn export_doc(&self, created: &str) -> Option<ExportDoc> {
        let config = self.config.get_value()?;
        let live = self.live.get_untracked();
        let records = self.records.get_value();
        Some(ExportDoc::new(
            &config,
            live.summary,
            live.sweep,
            records,
            created,
        ))
    }

    /// The configuration of the current or last run (chart labels, sweep axis).
    pub fn config(&self) -> Option<RunConfig> {
        self.config.get_value()
    }

    /// Every record so far (CSV export).
    pub fn records(&self) -> Vec<RequestRecord> {
        self.records.get_value()
    }
}

impl Default for Runner {
    fn default() -> Self {
        Self::new()
    }
}

/// Builds the [`Live`] view from the shared state and sets it.
fn publish(runner: Runner, ctl: &Control, spec: &RunSpec) {
    let now = now_ms();
    ctl.last_publish.set(now);
    let live = {
        let s = ctl.shared.borrow();
        let summary = s.total.summary();
        let mut diagnoses = s.events.clone();
        let concurrency = spec
            .planned_concurrency()
            .max(u32::try_from(summary.peak_active).unwrap_or(u32::MAX));
        if let Some(d) =
            diagnose::connection_limit(s.protocol.as_deref(), &spec.config.base_url, concurrency)
        {
            diagnoses.push(d);
        }
        if let Some(d) = diagnose::throttling(s.max_tick_lag) {
            diagnoses.push(d);
        }
        if let Some(d) =
            diagnose::fetch_clock(summary.requests_ok, s.on_fetch_clock, &spec.page_origin)
        {
            diagnoses.push(d);
        }
        if let Some(d) = summary.itl_together_share.and_then(|share| {
            diagnose::tokens_together(share, summary.itl_ms.map_or(0, |p| p.count))
        }) {
            diagnoses.push(d);
        }
        let skip = s.ttft.len().saturating_sub(MAX_POINTS);
        let itl = s.total.itl();
        Live {
            itl_bins: itl.linear_bins(ITL_BINS, itl.quantile(0.99)),
            series: s.total.series(),
            ttft: s.ttft.get(skip..).unwrap_or_default().to_vec(),
            launched: s.launched,
            settled: s.settled,
            in_flight: s.total.active(),
            step: s.step,
            steps: spec.steps.len(),
            sweep: s.sweep.clone(),
            diagnoses,
            elapsed_ms: now - ctl.t0,
            summary,
        }
    };
    runner.live.try_set(live);
}

/// Asks for a publish on an animation frame at least [`PUBLISH_MS`] after the last one (at
/// most one pending).
fn request_publish(runner: Runner, ctl: &Rc<Control>, spec: &Rc<RunSpec>) {
    if ctl.raf_pending.replace(true) {
        return;
    }
    let wait = (PUBLISH_MS - (now_ms() - ctl.last_publish.get())).max(0.0);
    let (c, sp) = (ctl.clone(), spec.clone());
    let timer = Timer::new(wait, move || {
        let (c2, sp2) = (c.clone(), sp.clone());
        let cb = Closure::once_into_js(move || {
            c2.raf_pending.set(false);
            publish(runner, &c2, &sp2);
        });
        let ok = web_sys::window()
            .and_then(|w| w.request_animation_frame(cb.unchecked_ref()).ok())
            .is_some();
        if !ok {
            c.raf_pending.set(false);
        }
    });
    *ctl.publish_timer.borrow_mut() = Some(timer);
}

/// The failure diagnoses a settled record adds (network/CORS, HTTP status).
fn diagnose_record(r: &RequestRecord, spec: &RunSpec, events: &mut Vec<Diagnosis>) {
    let sends_auth = spec
        .config
        .request_headers()
        .iter()
        .any(|h| h.name.eq_ignore_ascii_case("authorization"));
    let ctx = diagnose::Context {
        base_url: &spec.config.base_url,
        page_origin: &spec.page_origin,
        sends_auth,
        engine: spec.engine,
    };
    match &r.error {
        Some(ErrorKind::Network) => add_diagnosis(events, diagnose::network_failure(&ctx)),
        Some(ErrorKind::Http(s)) => add_diagnosis(
            events,
            diagnose::http_status(*s, r.error_message.as_deref(), &ctx),
        ),
        _ => {}
    }
}

/// Starts one request and its completion handling.
fn launch(runner: Runner, ctl: &Rc<Control>, spec: &Rc<RunSpec>, l: Launch, step: u32, now: f64) {
    let seq = {
        let mut s = ctl.shared.borrow_mut();
        s.step_stats.on_launch(now);
        s.total.on_launch(now);
        s.launched += 1;
        s.launched - 1
    };
    let prompt = pick(&spec.prompts, l.id);
    let messages = prompt
        .map(|p| {
            if spec.config.workload.unique_prompts {
                p.with_nonce(seq).messages
            } else {
                p.messages.clone()
            }
        })
        .unwrap_or_default();
    // A JSONL line's own `max_tokens` wins over the form's.
    let own_max = prompt.and_then(|p| p.max_tokens);
    let body = build_body_with_max(&spec.config.request, &messages, own_max).to_string();
    let url = ctl
        .urls
        .get(usize::try_from(seq).unwrap_or(0) % ctl.urls.len().max(1))
        .cloned()
        .unwrap_or_else(|| spec.config.url());
    let req = StreamRequest {
        url,
        headers: spec.config.request_headers(),
        body,
        timeout_ms: spec.timeout_ms,
        finish_grace_ms: FINISH_GRACE_MS,
        read_protocol: seq < PROTOCOL_SAMPLES,
        page_origin: spec.page_origin.clone(),
        engine: spec.engine,
        in_worker: spec.in_worker,
    };
    let cancel = Cancel::new();
    ctl.shared.borrow_mut().cancels.insert(l.id, cancel.clone());
    if ctl.stop.get() {
        cancel.abort(AbortReason::User);
    }
    let (ctl, spec) = (ctl.clone(), spec.clone());
    spawn_local(async move {
        let c2 = ctl.clone();
        let sp2 = spec.clone();
        let (rec, via) = stream_request(
            &req,
            &cancel,
            |t| RequestTracker::new(RequestRecord::from_launch(&l, t, step), true),
            move |t, p| {
                if p.token_chunks > 0 {
                    {
                        let mut s = c2.shared.borrow_mut();
                        s.step_stats.on_tokens(t, p.token_chunks);
                        s.total.on_tokens(t, p.token_chunks);
                    }
                    request_publish(runner, &c2, &sp2);
                }
            },
        )
        .await;
        let now = now_ms();
        {
            // Free the slot first: the next launch must not wait for the refinement below.
            let mut s = ctl.shared.borrow_mut();
            if let Some(sched) = s.sched.as_mut() {
                sched.on_finish(now, l.id);
            }
            s.cancels.remove(&l.id);
            // No longer in flight (its record is counted after the refinement below).
            s.step_stats.release(now);
            s.total.release(now);
        }
        ctl.wake.notify();
        let mut rec = rec;
        ctl.refining.set(ctl.refining.get() + 1);
        refine_with_resource_timing(&mut rec, &req, via).await;
        ctl.refining.set(ctl.refining.get().saturating_sub(1));
        {
            let mut s = ctl.shared.borrow_mut();
            s.step_stats.record(&rec);
            s.total.record(&rec);
            s.settled += 1;
            // Counted as `RunStats::record` counts `requests_ok`.
            if !rec.warmup && rec.clock == StampClock::Fetch && rec.metrics().is_some() {
                s.on_fetch_clock += 1;
            }
            if s.protocol.is_none() {
                s.protocol.clone_from(&rec.protocol);
            }
            if let (false, true, Some(ttft)) = (rec.warmup, rec.ok(), rec.ttft()) {
                s.ttft.push(TtftPoint {
                    t_s: (rec.t_start - ctl.t0) / 1000.0,
                    ttft_ms: ttft,
                    e2e_ms: rec.e2e().unwrap_or(f64::NAN),
                });
            }
            diagnose_record(&rec, &spec, &mut s.events);
        }
        runner.records.try_update_value(|r| r.push(rec));
        ctl.wake.notify();
        request_publish(runner, &ctl, &spec);
    });
}

/// The loop: one pass per step (sweep), each until its scheduler is done or Stop.
async fn drive(runner: Runner, ctl: Rc<Control>, spec: Rc<RunSpec>) {
    for (i, (x, plan)) in spec.steps.iter().enumerate() {
        if ctl.stop.get() {
            break;
        }
        let sched = match Scheduler::new(*plan) {
            Ok(s) => s,
            Err(e) => {
                add_diagnosis(
                    &mut ctl.shared.borrow_mut().events,
                    Diagnosis {
                        severity: diagnose::Severity::Error,
                        title: format!("Step {} cannot run", i + 1),
                        detail: e.to_string(),
                        fixes: Vec::new(),
                    },
                );
                continue;
            }
        };
        {
            let mut s = ctl.shared.borrow_mut();
            s.sched = Some(sched);
            s.step = i;
            s.step_stats = RunStats::new(spec.config.slo, 1000.0);
            s.step_stats.set_origin(now_ms());
        }
        loop {
            let now = now_ms();
            if !ctl.stop.get() && runner.phase.try_get_untracked().is_none() {
                // The page is gone (navigated away): stop like the Stop button.
                ctl.stop.set(true);
                ctl.abort_all();
            }
            let (due, done, capped, sleep_ms) = {
                let mut s = ctl.shared.borrow_mut();
                let Some(sched) = s.sched.as_mut() else { break };
                if ctl.stop.get() {
                    sched.stop();
                }
                let capped = sched.deadline_ms().is_some_and(|d| now >= d);
                let due = sched.next_due(now);
                let done = sched.is_done(now);
                let mut sleep = sched
                    .next_wake()
                    .map_or(MAX_SLEEP_MS, |w| (w - now).clamp(0.0, MAX_SLEEP_MS));
                if let Some(d) = sched.deadline_ms().filter(|d| *d > now) {
                    sleep = sleep.min(d - now);
                }
                let lag = sched.max_tick_lag_ms();
                s.max_tick_lag = s.max_tick_lag.max(lag);
                (due, done, capped, sleep)
            };
            if capped {
                // Duration cap: stragglers are aborted (recorded as aborted, not failed).
                ctl.abort_all();
            }
            for l in due {
                launch(runner, &ctl, &spec, l, i as u32, now);
            }
            if done {
                break;
            }
            if now - ctl.last_publish.get() > MIN_PUBLISH_MS {
                publish(runner, &ctl, &spec);
            }
            ctl.wake.sleep(sleep_ms).await;
        }
        // Records still waiting for their Resource Timing entry (bounded: ~20 ms each).
        let until = now_ms() + 1000.0;
        while ctl.refining.get() > 0 && now_ms() < until {
            ctl.wake.sleep(5.0).await;
        }
        let mut s = ctl.shared.borrow_mut();
        let row = SweepRow::from_summary(*x, &s.step_stats.summary());
        if spec.steps.len() > 1 {
            s.sweep.push(row);
        }
    }
    ctl.shared.borrow_mut().sched = None;
    publish(runner, &ctl, &spec);
    runner.phase.try_set(Phase::Finished);
}
