//! Run-level aggregation: the live summary table, goodput, time series for charts, sweep rows.
//!
//! [`RunStats`] is fed incrementally — `on_launch`/`on_tokens` as things happen (charts) and
//! [`RunStats::add`] once per settled request (distributions) — and [`RunStats::summary`]
//! is cheap enough to call every animation frame.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::record::{ErrorKind, RequestRecord, TokenSource};
use crate::stats::{Distribution, Percentiles};
use crate::sweep::IslOsl;

/// Service-level objectives for goodput (vLLM `--goodput ttft:ms tpot:ms e2el:ms`): a request
/// counts only if it meets every SLO that is set.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
pub struct Slo {
    /// Max TTFT (ms).
    pub ttft_ms: Option<f64>,
    /// Max TPOT (ms).
    pub tpot_ms: Option<f64>,
    /// Max E2E (ms).
    pub e2e_ms: Option<f64>,
}

impl Slo {
    /// True when no SLO is set (goodput is then not reported).
    pub fn is_empty(&self) -> bool {
        self.ttft_ms.is_none() && self.tpot_ms.is_none() && self.e2e_ms.is_none()
    }

    /// Whether a successful request meets all set SLOs. A missing metric (e.g. TPOT of a
    /// one-token answer) does not fail its SLO.
    pub fn met_by(&self, r: &RequestRecord) -> bool {
        let within = |limit: Option<f64>, v: Option<f64>| match (limit, v) {
            (Some(l), Some(v)) => v <= l,
            _ => true,
        };
        r.ok()
            && within(self.ttft_ms, r.ttft())
            && within(self.tpot_ms, r.tpot())
            && within(self.e2e_ms, r.e2e())
    }
}

/// One time bucket of the live series.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
pub struct Bucket {
    /// Bucket start, ms since the run started.
    pub t_ms: f64,
    /// Output token chunks received in the bucket, as tokens/s.
    pub tokens_per_s: f64,
    /// Requests launched in the bucket.
    pub launched: u64,
    /// Requests settled in the bucket (ok or failed).
    pub finished: u64,
    /// Most requests in flight at any moment in the bucket.
    pub active_max: u64,
    /// How much of the bucket the run has covered, ms: the bucket's length except for the
    /// newest, which ends at the run's latest event (its `tokens_per_s` is over this span).
    pub span_ms: f64,
}

/// The summary the table, the export and the sweep rows read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Summary {
    /// Successful measured requests.
    pub requests_ok: u64,
    /// Failed measured requests (user aborts excluded).
    pub requests_failed: u64,
    /// Measured requests aborted by Stop or the duration cap (not failures).
    pub requests_aborted: u64,
    /// Warm-up requests seen and excluded.
    pub warmup_excluded: u64,
    /// Failures by [`crate::record::ErrorKind::label`].
    pub errors_by_kind: BTreeMap<String, u64>,
    /// TTFT (first content/reasoning token), ms.
    pub ttft_ms: Option<Percentiles>,
    /// Time to first chunk incl. role-only chunk (vLLM's definition), ms.
    pub ttft_first_chunk_ms: Option<Percentiles>,
    /// Time to first byte, ms.
    pub ttfb_ms: Option<Percentiles>,
    /// Inter-chunk latency over every gap of every request, ms.
    pub itl_ms: Option<Percentiles>,
    /// Per-request TPOT, ms.
    pub tpot_ms: Option<Percentiles>,
    /// End-to-end latency, ms.
    pub e2e_ms: Option<Percentiles>,
    /// Output tokens per request.
    pub output_tokens: Option<Percentiles>,
    /// Per-request 1/TPOT, tokens/s.
    pub tokens_per_s_user: Option<Percentiles>,
    /// Sum of output tokens of successful measured requests.
    pub total_output_tokens: u64,
    /// How many requests' counts came from each source.
    pub token_sources: BTreeMap<String, u64>,
    /// Some request's chunks held several tokens: ITL is inter-chunk, not inter-token.
    pub multi_token_chunks: bool,
    /// Share of ITL gaps under [`TOGETHER_MS`]: token chunks the tab read together, because
    /// the server sent them in a burst or the tab fell behind reading (then its stamps are
    /// late); `None` without gaps. See [`crate::diagnose::tokens_together`].
    #[serde(default)]
    pub itl_together_share: Option<f64>,
    /// First measured start → last measured finish, ms.
    pub duration_ms: f64,
    /// System output tokens/s = Σ tokens / duration.
    pub output_tps_system: f64,
    /// Mean per-user tokens/s (mean of per-request 1/TPOT).
    pub output_tps_per_user: f64,
    /// Successful requests per second.
    pub requests_per_s: f64,
    /// Requests/s meeting all SLOs (`None` when no SLO is set).
    pub goodput_rps: Option<f64>,
    /// Requests meeting all SLOs.
    pub goodput_requests: Option<u64>,
    /// Peak concurrent requests.
    pub peak_active: u64,
    /// Worst launch lag, ms (large values mean a throttled background tab or a saturated
    /// client).
    pub max_launch_lag_ms: f64,
}

/// Incremental aggregator for one run (or one sweep step).
#[derive(Debug, Clone)]
pub struct RunStats {
    slo: Slo,
    bucket_ms: f64,
    t0: Option<f64>,
    ttft: Distribution,
    ttft_chunk: Distribution,
    ttfb: Distribution,
    itl: Distribution,
    tpot: Distribution,
    e2e: Distribution,
    out_tokens: Distribution,
    tps_user: Distribution,
    ok: u64,
    failed: u64,
    aborted: u64,
    warmup: u64,
    errors: BTreeMap<String, u64>,
    sources: BTreeMap<String, u64>,
    multi_token: bool,
    itl_together: u64,
    total_tokens: u64,
    good: u64,
    first_start: Option<f64>,
    last_finish: Option<f64>,
    active: u64,
    peak_active: u64,
    max_lag: f64,
    buckets: Vec<Bucket>,
    /// The latest event seen (launch, tokens or settle): where the newest bucket ends.
    t_last: Option<f64>,
}

/// Two token chunks stamped closer than this, ms, came in one read (or in reads one right
/// after the other): the browser's clock has 0.1 ms steps, real engines' token gaps are ms.
pub const TOGETHER_MS: f64 = 0.05;

/// The least part of its length the newest bucket must cover to be shown (see
/// [`RunStats::series`]).
const MIN_SPAN: f64 = 0.1;

/// Upper bound on live buckets (a 1 s bucket covers 2.7 h), so memory stays bounded.
const MAX_BUCKETS: usize = 10_000;

impl RunStats {
    /// A new aggregator; `bucket_ms` is the live-series resolution (1000 for per-second).
    pub fn new(slo: Slo, bucket_ms: f64) -> Self {
        Self {
            slo,
            bucket_ms: if bucket_ms.is_finite() && bucket_ms > 0.0 {
                bucket_ms
            } else {
                1000.0
            },
            t0: None,
            ttft: Distribution::new(),
            ttft_chunk: Distribution::new(),
            ttfb: Distribution::new(),
            itl: Distribution::new(),
            tpot: Distribution::new(),
            e2e: Distribution::new(),
            out_tokens: Distribution::new(),
            tps_user: Distribution::new(),
            ok: 0,
            failed: 0,
            aborted: 0,
            warmup: 0,
            errors: BTreeMap::new(),
            sources: BTreeMap::new(),
            multi_token: false,
            itl_together: 0,
            total_tokens: 0,
            good: 0,
            first_start: None,
            last_finish: None,
            active: 0,
            peak_active: 0,
            max_lag: 0.0,
            buckets: Vec::new(),
            t_last: None,
        }
    }

    /// Sets the series origin (the moment Run started); defaults to the first launch.
    pub fn set_origin(&mut self, t: f64) {
        self.t0 = Some(t);
    }

    fn bucket(&mut self, t: f64) -> Option<&mut Bucket> {
        let t0 = *self.t0.get_or_insert(t);
        let idx = ((t - t0).max(0.0) / self.bucket_ms) as usize;
        if idx >= MAX_BUCKETS {
            return None;
        }
        self.t_last = Some(self.t_last.map_or(t, |l| l.max(t)));
        while self.buckets.len() <= idx {
            let t_ms = self.buckets.len() as f64 * self.bucket_ms;
            let active = self.active;
            self.buckets.push(Bucket {
                t_ms,
                active_max: active,
                span_ms: self.bucket_ms,
                ..Bucket::default()
            });
        }
        self.buckets.get_mut(idx)
    }

    /// A request was launched at `t` (warm-ups included: they load the server too).
    pub fn on_launch(&mut self, t: f64) {
        // Buckets of the quiet gap before `t` hold the count from before this launch.
        let _ = self.bucket(t);
        self.active += 1;
        self.peak_active = self.peak_active.max(self.active);
        let active = self.active;
        if let Some(b) = self.bucket(t) {
            b.launched += 1;
            b.active_max = b.active_max.max(active);
        }
    }

    /// `token_chunks` token-carrying chunks arrived at `t` (from [`crate::tracker::Progress`]).
    pub fn on_tokens(&mut self, t: f64, token_chunks: u32) {
        let per_s = 1000.0 / self.bucket_ms;
        if let Some(b) = self.bucket(t) {
            b.tokens_per_s += f64::from(token_chunks) * per_s;
        }
    }

    /// A request settled: updates the series and, unless it is a warm-up, the statistics.
    pub fn add(&mut self, r: &RequestRecord) {
        let t_end = r.t_end.or(r.t_finish()).unwrap_or(r.t_start);
        self.release(t_end);
        self.record(r);
    }

    /// A request's slot was freed at `t` (it is no longer in flight); its record follows
    /// with [`RunStats::record`] once it is final (the shell refines stamps after freeing
    /// the slot, and the next launch must not count the finished one as still in flight).
    pub fn release(&mut self, t: f64) {
        // The request was active through any gap buckets up to its end: count it there.
        if let Some(b) = self.bucket(t) {
            b.finished += 1;
        }
        self.active = self.active.saturating_sub(1);
    }

    /// A settled request's statistics (unless it is a warm-up); see [`RunStats::release`].
    pub fn record(&mut self, r: &RequestRecord) {
        let t_end = r.t_end.or(r.t_finish()).unwrap_or(r.t_start);
        if r.warmup {
            self.warmup += 1;
            return;
        }
        self.max_lag = self.max_lag.max(r.launch_lag());
        self.first_start = Some(self.first_start.map_or(r.t_start, |t| t.min(r.t_start)));
        let finish = r.t_finish().unwrap_or(t_end);
        self.last_finish = Some(self.last_finish.map_or(finish, |t| t.max(finish)));
        let Some(m) = r.metrics() else {
            if r.error == Some(ErrorKind::Aborted) {
                self.aborted += 1;
                return;
            }
            self.failed += 1;
            let label = r
                .error
                .as_ref()
                .map_or_else(|| "unfinished".to_owned(), |e| e.label());
            *self.errors.entry(label).or_default() += 1;
            return;
        };
        self.ok += 1;
        if let Some(v) = m.ttft_ms {
            self.ttft.add(v);
        }
        if let Some(v) = r.ttft_first_chunk() {
            self.ttft_chunk.add(v);
        }
        if let Some(v) = m.ttfb_ms {
            self.ttfb.add(v);
        }
        for g in r.itl_gaps() {
            self.itl.add(g);
            self.itl_together += u64::from(g < TOGETHER_MS);
        }
        if let Some(v) = m.tpot_ms {
            self.tpot.add(v);
        }
        if let Some(v) = m.tokens_per_s_user {
            self.tps_user.add(v);
        }
        self.e2e.add(m.e2e_ms);
        self.out_tokens.add(m.output_tokens as f64);
        self.total_tokens += m.output_tokens;
        let src = match m.token_source {
            TokenSource::Usage => "usage",
            TokenSource::Chunks => "chunks",
            TokenSource::Estimate => "estimate",
        };
        *self.sources.entry(src.to_owned()).or_default() += 1;
        self.multi_token |= r.multi_token_chunks();
        if self.slo.met_by(r) {
            self.good += 1;
        }
    }

    /// The live series (one entry per bucket since the origin). The newest bucket is only
    /// partly covered (the run ended, or is, part-way through it): its tokens/s is over the
    /// covered span, so a run that ends 0.3 s into a second does not plot a false drop to
    /// 30 %. A newest bucket covered less than [`MIN_SPAN`] of its length is left out while
    /// earlier ones exist (a rate over a few ms is noise).
    pub fn series(&self) -> Vec<Bucket> {
        let mut out = self.buckets.clone();
        let (Some(t0), Some(t_last)) = (self.t0, self.t_last) else {
            return out;
        };
        if let Some(last) = out.last_mut() {
            let span = (t_last - t0 - last.t_ms).clamp(0.0, self.bucket_ms);
            if span >= MIN_SPAN * self.bucket_ms {
                last.tokens_per_s *= self.bucket_ms / span;
                last.span_ms = span;
            } else if out.len() > 1 {
                out.pop();
            }
        }
        out
    }

    /// Requests in flight now.
    pub fn active(&self) -> u64 {
        self.active
    }

    /// The ITL distribution, for the histogram chart.
    pub fn itl(&self) -> &Distribution {
        &self.itl
    }

    /// The current summary.
    pub fn summary(&self) -> Summary {
        let duration_ms = match (self.first_start, self.last_finish) {
            (Some(a), Some(b)) => (b - a).max(0.0),
            _ => 0.0,
        };
        let per_s = |n: u64| {
            if duration_ms > 0.0 {
                n as f64 * 1000.0 / duration_ms
            } else {
                0.0
            }
        };
        let tps_user = self.tps_user.percentiles();
        Summary {
            requests_ok: self.ok,
            requests_failed: self.failed,
            requests_aborted: self.aborted,
            warmup_excluded: self.warmup,
            errors_by_kind: self.errors.clone(),
            ttft_ms: self.ttft.percentiles(),
            ttft_first_chunk_ms: self.ttft_chunk.percentiles(),
            ttfb_ms: self.ttfb.percentiles(),
            itl_ms: self.itl.percentiles(),
            tpot_ms: self.tpot.percentiles(),
            e2e_ms: self.e2e.percentiles(),
            output_tokens: self.out_tokens.percentiles(),
            tokens_per_s_user: tps_user,
            total_output_tokens: self.total_tokens,
            token_sources: self.sources.clone(),
            multi_token_chunks: self.multi_token,
            itl_together_share: (self.itl.count() > 0)
                .then(|| self.itl_together as f64 / self.itl.count() as f64),
            duration_ms,
            output_tps_system: per_s(self.total_tokens),
            output_tps_per_user: tps_user.map_or(0.0, |p| p.mean),
            requests_per_s: per_s(self.ok),
            goodput_rps: (!self.slo.is_empty()).then(|| per_s(self.good)),
            goodput_requests: (!self.slo.is_empty()).then_some(self.good),
            peak_active: self.peak_active,
            max_launch_lag_ms: self.max_lag,
        }
    }
}

impl RunStats {
    /// Rebuilds the aggregator a live run would have ended with from its records (an
    /// imported export has records but no series or histograms): every launch, token chunk
    /// and settle is fed in time order, so the tokens/s and active-requests series, the ITL
    /// histogram and the summary match what the page showed. The origin is the earliest
    /// `t_due` (the schedule's start, close to when Run was pressed).
    pub fn replay(records: &[RequestRecord], slo: Slo, bucket_ms: f64) -> Self {
        // (time, order at equal times: launch < tokens < settle, record index)
        let mut events: Vec<(f64, u8, usize)> = Vec::new();
        for (i, r) in records.iter().enumerate() {
            events.push((r.t_start, 0, i));
            events.extend(r.tokens.iter().map(|t| (t.t, 1, i)));
            let end = r.t_end.or(r.t_finish()).unwrap_or(r.t_start);
            events.push((end, 2, i));
        }
        events.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let mut s = Self::new(slo, bucket_ms);
        let origin = records
            .iter()
            .map(|r| r.t_due.min(r.t_start))
            .filter(|t| t.is_finite())
            .reduce(f64::min);
        if let Some(t0) = origin {
            s.set_origin(t0);
        }
        for (t, kind, i) in events {
            let Some(r) = records.get(i) else { continue };
            match kind {
                0 => s.on_launch(t),
                1 => s.on_tokens(t, 1),
                _ => s.add(r),
            }
        }
        s
    }
}

/// Summaries from a batch of finished records (import, recomputation after the fact),
/// replayed in time order so that `peak_active` is the real overlap, not the record count.
pub fn summarize(records: &[RequestRecord], slo: Slo) -> Summary {
    RunStats::replay(records, slo, 1000.0).summary()
}

/// One row of the sweep table / chart: users (or rate) vs tokens/s per user and in total.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SweepRow {
    /// Users (closed loop) or requests/s (open loop) of the step.
    pub x: f64,
    /// System output tokens/s.
    pub output_tps_system: f64,
    /// Mean per-user output tokens/s.
    pub output_tps_per_user: f64,
    /// Median TTFT, ms.
    pub ttft_p50_ms: Option<f64>,
    /// p99 TTFT, ms.
    pub ttft_p99_ms: Option<f64>,
    /// Median TPOT, ms.
    pub tpot_p50_ms: Option<f64>,
    /// Median E2E, ms.
    pub e2e_p50_ms: Option<f64>,
    /// Successful requests/s.
    pub requests_per_s: f64,
    /// Goodput requests/s, if SLOs were set.
    pub goodput_rps: Option<f64>,
    /// Failed requests.
    pub requests_failed: u64,
    /// The ISL × OSL cell, when the row is a matrix cell (then `x` is the cell's index).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cell: Option<IslOsl>,
}

impl SweepRow {
    /// The row for step `x` from its summary.
    pub fn from_summary(x: f64, s: &Summary) -> Self {
        Self {
            x,
            output_tps_system: s.output_tps_system,
            output_tps_per_user: s.output_tps_per_user,
            ttft_p50_ms: s.ttft_ms.map(|p| p.p50),
            ttft_p99_ms: s.ttft_ms.map(|p| p.p99),
            tpot_p50_ms: s.tpot_ms.map(|p| p.p50),
            e2e_p50_ms: s.e2e_ms.map(|p| p.p50),
            requests_per_s: s.requests_per_s,
            goodput_rps: s.goodput_rps,
            requests_failed: s.requests_failed,
            cell: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::openai::Usage;
    use crate::record::TokenStamp;

    /// A request starting at `t0` with TTFT 50 ms and `n` tokens 10 ms apart.
    fn req(id: u64, t0: f64, n: usize) -> RequestRecord {
        let mut r = RequestRecord::new(id, t0);
        r.t_first_byte = Some(t0 + 40.0);
        r.tokens = (0..n)
            .map(|i| TokenStamp {
                t: t0 + 50.0 + 10.0 * i as f64,
                chars: 4,
            })
            .collect();
        r.t_first_token = r.tokens.first().map(|s| s.t);
        let last = r.tokens.last().map_or(t0 + 50.0, |s| s.t);
        r.t_done = Some(last);
        r.t_end = Some(last + 1.0);
        r.usage = Some(Usage {
            completion_tokens: Some(n as u64),
            ..Usage::default()
        });
        r
    }

    #[test]
    fn replay_rebuilds_series_and_histograms() {
        // Two overlapping requests then a third alone: 0–141 ms, 100–241 ms, 2000–2141 ms.
        let recs = vec![req(0, 1000.0, 10), req(1, 1100.0, 10), req(2, 3000.0, 10)];
        let s = RunStats::replay(&recs, Slo::default(), 1000.0);
        let series = s.series();
        assert_eq!(series.len(), 3, "{series:?}");
        // Bucket 0 holds both first requests' chunks (t 1050..1140 and 1150..1240).
        assert_eq!(series[0].tokens_per_s, 20.0);
        assert_eq!(series[0].active_max, 2);
        assert_eq!(series[1].tokens_per_s, 0.0);
        // The run ends 141 ms into bucket 2 (its last settle at 3141): 10 tokens over 141 ms,
        // not over a whole second.
        assert!((series[2].tokens_per_s - 10.0 * 1000.0 / 141.0).abs() < 1e-9);
        assert_eq!(series[2].span_ms, 141.0);
        assert_eq!(series[2].active_max, 1);
        assert_eq!(s.active(), 0);
        assert_eq!(s.itl().count(), 27);
        let sum = s.summary();
        assert_eq!(sum.requests_ok, 3);
        assert_eq!(sum.peak_active, 2);
        // The batch summary is the same replay: its peak is the real overlap (2 of 3).
        assert_eq!(sum, summarize(&recs, Slo::default()));
        // Order of records does not matter.
        let rev: Vec<_> = recs.iter().rev().cloned().collect();
        assert_eq!(
            RunStats::replay(&rev, Slo::default(), 1000.0).series(),
            series
        );
    }

    #[test]
    fn replay_of_nothing_is_empty() {
        let s = RunStats::replay(&[], Slo::default(), 1000.0);
        assert!(s.series().is_empty());
        assert_eq!(s.summary().requests_ok, 0);
    }

    #[test]
    fn summary_numbers() {
        let mut s = RunStats::new(
            Slo {
                ttft_ms: Some(60.0),
                ..Slo::default()
            },
            1000.0,
        );
        let mut warm = req(0, 0.0, 3);
        warm.warmup = true;
        let a = req(1, 0.0, 11); // 50 ms TTFT, E2E 150
        let b = req(2, 50.0, 11); // ends at 200
        let mut c = req(3, 60.0, 2);
        c.fail(ErrorKind::Http(429), "rate");
        for r in [&warm, &a, &b, &c] {
            s.on_launch(r.t_start);
        }
        assert_eq!(s.active(), 4);
        for r in [&warm, &a, &b, &c] {
            s.add(r);
        }
        let m = s.summary();
        assert_eq!(m.requests_ok, 2);
        assert_eq!(m.requests_failed, 1);
        assert_eq!(m.warmup_excluded, 1);
        assert_eq!(m.errors_by_kind.get("http_429"), Some(&1));
        assert_eq!(m.total_output_tokens, 22);
        assert_eq!(m.duration_ms, 200.0);
        assert!((m.output_tps_system - 110.0).abs() < 1e-9);
        assert!((m.output_tps_per_user - 100.0).abs() < 0.2);
        assert_eq!(m.tpot_ms.map(|p| p.p50), Some(10.0));
        assert_eq!(m.ttft_ms.map(|p| p.p50), Some(50.0));
        assert_eq!(m.itl_ms.map(|p| p.count), Some(20));
        assert_eq!(m.goodput_requests, Some(2));
        assert_eq!(m.peak_active, 4);
        assert_eq!(m.token_sources.get("usage"), Some(&2));
        assert_eq!(s.active(), 0);
        let mut d = req(4, 0.0, 2);
        d.fail(ErrorKind::Aborted, "stop");
        s.on_launch(0.0);
        s.add(&d);
        assert_eq!(s.summary().requests_aborted, 1);
        assert_eq!(s.summary().requests_failed, 1);
    }

    proptest::proptest! {
        /// Percentiles are ordered and inside [min, max]; counts add up.
        #[test]
        fn summary_invariants(specs in proptest::collection::vec((0.0f64..10_000.0, 1usize..40, proptest::bool::ANY), 1..30)) {
            let recs: Vec<RequestRecord> = specs
                .iter()
                .enumerate()
                .map(|(i, (t0, n, bad))| {
                    let mut r = req(i as u64, *t0, *n);
                    if *bad {
                        r.fail(ErrorKind::Dropped, "x");
                    }
                    r
                })
                .collect();
            let s = summarize(&recs, Slo::default());
            proptest::prop_assert_eq!(s.requests_ok + s.requests_failed, recs.len() as u64);
            for p in [s.ttft_ms, s.e2e_ms, s.itl_ms, s.tpot_ms].into_iter().flatten() {
                proptest::prop_assert!(p.min <= p.p50 && p.p50 <= p.p90 && p.p90 <= p.p95);
                proptest::prop_assert!(p.p95 <= p.p99 && p.p99 <= p.max);
            }
            proptest::prop_assert!(s.output_tps_system.is_finite() && s.output_tps_system >= 0.0);
        }
    }

    #[test]
    fn tokens_read_together_are_counted() {
        // 10 tokens, 9 gaps; the last 3 chunks read at one instant (2 gaps of 0 ms).
        let mut r = req(0, 0.0, 10);
        let t7 = r.tokens[7].t;
        r.tokens[8].t = t7;
        r.tokens[9].t = t7 + 0.01;
        let sum = summarize(&[r], Slo::default());
        assert_eq!(sum.itl_together_share, Some(2.0 / 9.0));
        assert_eq!(summarize(&[], Slo::default()).itl_together_share, None);
        // Older exports have no such field: it reads as unknown.
        let mut v = serde_json::to_value(&sum).expect("json");
        v.as_object_mut()
            .expect("object")
            .remove("itl_together_share");
        let back: Summary = serde_json::from_value(v).expect("old summary parses");
        assert_eq!(back.itl_together_share, None);
    }

    #[test]
    fn series_buckets() {
        let mut s = RunStats::new(Slo::default(), 100.0);
        s.set_origin(0.0);
        s.on_launch(10.0);
        s.on_tokens(150.0, 5);
        s.on_tokens(160.0, 5);
        let series = s.series();
        assert_eq!(series.len(), 2);
        // 10 tokens in the 60 ms of bucket 1 covered so far.
        assert!((series[1].tokens_per_s - 10.0 * 1000.0 / 60.0).abs() < 1e-9);
        assert_eq!(series[0].span_ms, 100.0);
        assert_eq!(series[1].active_max, 1);
        s.on_tokens(1e12, 1); // far future: ignored, bounded
        assert!(s.series().len() <= MAX_BUCKETS);
        assert_eq!(s.series(), series);
        // Bucket 2 covered 5 ms of 100: too little for a rate, left out; bucket 1 is whole.
        s.on_tokens(205.0, 1);
        let now = s.series();
        assert_eq!(now.len(), 2);
        assert_eq!((now[1].tokens_per_s, now[1].span_ms), (100.0, 100.0));
        s.on_tokens(230.0, 1);
        assert_eq!(s.series()[2].tokens_per_s, 2.0 * 1000.0 / 30.0);
    }

    #[test]
    fn a_released_slot_is_not_in_flight_while_its_record_is_refined() {
        let mut s = RunStats::new(Slo::default(), 1000.0);
        s.on_launch(0.0);
        s.release(100.0);
        s.on_launch(101.0); // the user's next request, before the first record is final
        assert_eq!(s.active(), 1);
        s.record(&req(0, 0.0, 3));
        assert_eq!(s.active(), 1);
        let m = s.summary();
        assert_eq!((m.requests_ok, m.peak_active), (1, 1));
    }

    #[test]
    fn quiet_gaps_hold_the_count_of_their_time() {
        // One request 50–450 ms; a second launched at 750 ms after a quiet stretch.
        let mut s = RunStats::new(Slo::default(), 100.0);
        s.set_origin(0.0);
        s.on_launch(50.0);
        let mut r = req(0, 50.0, 2);
        r.t_end = Some(450.0);
        s.add(&r);
        s.on_launch(750.0);
        let active: Vec<u64> = s.series().iter().map(|b| b.active_max).collect();
        // Buckets 1–4 (100–499 ms) while the first ran; 5–6 idle; 7 the second launch.
        assert_eq!(active, vec![1, 1, 1, 1, 1, 0, 0, 1]);
    }

    #[test]
    fn goodput_off_without_slo_and_sweep_row() {
        let m = summarize(&[req(1, 0.0, 5)], Slo::default());
        assert_eq!(m.goodput_rps, None);
        let row = SweepRow::from_summary(4.0, &m);
        assert_eq!(row.x, 4.0);
        assert_eq!(row.ttft_p50_ms, Some(50.0));
    }
}
