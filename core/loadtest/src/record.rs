//! One request's raw stamps and the metrics derived from them (field notes C2).
//!
//! Times are absolute `performance.now()` milliseconds as the caller saw them; every metric
//! is a difference of two stamps of the same clock, so the time origin never matters.

use serde::{Deserialize, Serialize};

use crate::openai::Usage;

/// Why a request failed.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "kind", content = "status", rename_all = "snake_case")]
pub enum ErrorKind {
    /// `fetch` rejected: host unreachable, DNS, TLS, or a CORS refusal (the browser does not
    /// say which; see [`crate::diagnose`]).
    Network,
    /// The server answered with a non-2xx status.
    Http(u16),
    /// The server put an `error` object in the stream.
    Stream,
    /// A payload was not JSON / not an object, or an SSE line exceeded the bound.
    Malformed,
    /// The stream closed before `[DONE]` or a `finish_reason`.
    Dropped,
    /// The request ran past its time limit.
    Timeout,
    /// The user pressed Stop (or the run's duration cap aborted it).
    Aborted,
    /// The stream completed but carried no token at all.
    Empty,
}

impl ErrorKind {
    /// A stable short label for tables, CSV and "errors by kind" (`http_429`, `dropped`, …).
    pub fn label(&self) -> String {
        match self {
            ErrorKind::Network => "network".into(),
            ErrorKind::Http(s) => format!("http_{s}"),
            ErrorKind::Stream => "stream_error".into(),
            ErrorKind::Malformed => "malformed".into(),
            ErrorKind::Dropped => "dropped".into(),
            ErrorKind::Timeout => "timeout".into(),
            ErrorKind::Aborted => "aborted".into(),
            ErrorKind::Empty => "empty".into(),
        }
    }
}

/// Where an output-token count came from, shown next to every throughput figure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenSource {
    /// `usage.completion_tokens` from the server: exact.
    Usage,
    /// Number of token-carrying chunks: exact only when each chunk holds one token.
    Chunks,
    /// A client-side tokenizer estimate of the generated text.
    Estimate,
}

/// A token-carrying chunk: when it arrived and how much text it held.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TokenStamp {
    /// Arrival time (ms).
    pub t: f64,
    /// Characters of content + reasoning text in the chunk.
    pub chars: u32,
}

/// How long Chromium holds received HTTP/2 DATA before waking the reader, ms
/// (`kBufferTimeMs` in `net/spdy/spdy_http_stream.cc`); see
/// [`RequestRecord::undo_h2_read_hold`].
pub const CHROMIUM_H2_READ_HOLD_MS: f64 = 1.0;

/// Body stamps this close to the last-byte stamp came in the stream's last delivery (one
/// delivery can be read in several chunks; `performance.now()` is coarsened to 0.1 ms).
pub const SAME_DELIVERY_MS: f64 = 0.25;

/// Everything recorded about one request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct RequestRecord {
    /// Launch id (from the scheduler).
    pub id: u64,
    /// Virtual user (closed loop) or 0.
    pub user: u32,
    /// Sweep step or ISL×OSL cell index (0 for a single run).
    pub step: u32,
    /// Warm-up requests are kept in exports but excluded from statistics.
    pub warmup: bool,
    /// Index of the prompt in the workload.
    pub prompt_index: u64,
    /// When the scheduler wanted it launched; `start − due` is the scheduling lag.
    pub t_due: f64,
    /// `fetch` called.
    pub t_start: f64,
    /// Response headers received (fetch promise resolved).
    pub t_headers: Option<f64>,
    /// First body bytes.
    pub t_first_byte: Option<f64>,
    /// Last body bytes.
    pub t_last_byte: Option<f64>,
    /// Role-only first chunk (vLLM's TTFT definition counts this one).
    pub t_role: Option<f64>,
    /// First chunk with non-empty content or reasoning: the TTFT event.
    pub t_first_token: Option<f64>,
    /// `[DONE]` received.
    pub t_done: Option<f64>,
    /// Stream closed / request settled (success or failure).
    pub t_end: Option<f64>,
    /// HTTP status.
    pub status: Option<u16>,
    /// `nextHopProtocol` of the response (`h2`, `http/1.1`), when the shell knows it.
    pub protocol: Option<String>,
    /// Time of every SSE event (chunks, usage, `[DONE]`).
    pub event_times: Vec<f64>,
    /// Token-carrying chunks.
    pub tokens: Vec<TokenStamp>,
    /// Server usage, if reported.
    pub usage: Option<Usage>,
    /// A client-side tokenizer estimate of the output tokens, if the shell computed one.
    pub estimated_tokens: Option<u64>,
    /// Last `finish_reason`.
    pub finish_reason: Option<String>,
    /// Total body bytes.
    pub bytes: u64,
    /// Characters of content text.
    pub content_chars: u64,
    /// Characters of reasoning text.
    pub reasoning_chars: u64,
    /// Which clock `t_start` and the body stamps come from (see [`StampClock`]).
    #[serde(default)]
    pub clock: StampClock,
    /// When `fetch()` was called, as the page stamped it; `t_start` is Resource Timing's
    /// `requestStart` when `clock` says so. `None` in records from before this field.
    #[serde(default)]
    pub t_fetch: Option<f64>,
    /// Delivery delay subtracted from the response stamps up to the last token, ms: the
    /// smaller of the header stamp − Resource Timing's `responseStart` and the last-byte
    /// stamp − `responseEnd` (see [`RequestRecord::apply_resource_timing`]).
    #[serde(default)]
    pub delivery_ms: Option<f64>,
    /// Delivery delay subtracted from the end stamps (last byte, `[DONE]`, end), ms: the
    /// last-byte stamp − `responseEnd`.
    #[serde(default)]
    pub delivery_end_ms: Option<f64>,
    /// Chromium's HTTP/2 read hold taken off the body stamps delivered before the last one,
    /// ms (see [`RequestRecord::undo_h2_read_hold`]); `None` when not applied.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub h2_hold_ms: Option<f64>,
    /// First failure, if any.
    pub error: Option<ErrorKind>,
    /// Its message.
    pub error_message: Option<String>,
}

/// Where a record's stamps come from. The browser adds a hop between `fetch()` and its
/// network service (~2–5 ms in Chromium) before a request is sent, and another between a
/// chunk's arrival and the page's read; both would bias TTFT and E2E (not ITL).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StampClock {
    /// `performance.now()` at `fetch()` and at each read: includes both hops.
    #[default]
    Fetch,
    /// Start = Resource Timing `requestStart`; response stamps shifted by the request's
    /// delivery delay (`delivery_ms`), so TTFT and E2E are what the network saw.
    ResourceTiming,
}

/// Metrics of one successful request, all in ms except where named.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RequestMetrics {
    /// First content/reasoning token − start.
    pub ttft_ms: Option<f64>,
    /// First byte − start.
    pub ttfb_ms: Option<f64>,
    /// End (`[DONE]`, else last byte, else close) − start.
    pub e2e_ms: f64,
    /// (E2E − TTFT)/(N − 1); `None` when N < 2.
    pub tpot_ms: Option<f64>,
    /// Output tokens.
    pub output_tokens: u64,
    /// Where that count came from.
    pub token_source: TokenSource,
    /// 1000 / TPOT: the decode speed one user sees.
    pub tokens_per_s_user: Option<f64>,
}

impl RequestRecord {
    /// A fresh record for a request launched at `t_start`.
    pub fn new(id: u64, t_start: f64) -> Self {
        Self {
            id,
            t_start,
            t_due: t_start,
            ..Self::default()
        }
    }

    /// A record for a scheduler launch started (`fetch` called) at `t_start`.
    pub fn from_launch(l: &crate::schedule::Launch, t_start: f64, step: u32) -> Self {
        Self {
            id: l.id,
            user: l.user,
            warmup: l.warmup,
            prompt_index: l.id,
            step,
            t_due: l.due_ms,
            t_start,
            ..Self::default()
        }
    }

    /// Re-bases the stamps on Resource Timing (`requestStart`, `responseStart`, `responseEnd`
    /// of this request's entry, same clock as `performance.now()`): start becomes
    /// `requestStart`, and every response stamp moves earlier by the delivery delay, which
    /// leaves every gap (ITL) as measured. The delay is measured twice, at the headers
    /// (`t_headers − responseStart`) and at the end (`t_last_byte − responseEnd`); the smaller
    /// is used, because one late delivery (a busy page at the end of the stream) must not
    /// pull the first token before the time the network saw it. `response_start` may be NaN
    /// (unknown). Refuses (returns false, changes nothing) when the entry cannot belong to
    /// this request: `requestStart` before `fetch()` or after the headers, or `responseEnd`
    /// outside the request.
    pub fn apply_resource_timing(
        &mut self,
        request_start: f64,
        response_start: f64,
        response_end: f64,
    ) -> bool {
        if self.clock == StampClock::ResourceTiming {
            return false;
        }
        let fetch = self.t_start;
        let first_response = self.t_headers.or(self.t_first_byte);
        let (Some(first), Some(last)) = (first_response, self.t_last_byte) else {
            return false;
        };
        let sane = request_start.is_finite()
            && response_end.is_finite()
            && request_start >= fetch - 0.01
            && request_start <= first
            && response_end >= request_start
            && response_end <= last + 1000.0;
        if !sane {
            return false;
        }
        let at_end = last - response_end;
        let at_headers = match self.t_headers {
            Some(h) if response_start.is_finite() && response_start >= request_start => {
                h - response_start
            }
            _ => f64::INFINITY,
        };
        // Stamps from the start of the response move by the smaller delay; the end stamps by
        // the end's own delay (so E2E ends at `responseEnd`), never before the last token.
        let delay = at_end.min(at_headers).max(0.0);
        let end_delay = at_end.max(delay);
        let shift = |t: &mut f64| *t -= delay;
        for t in [
            &mut self.t_headers,
            &mut self.t_first_byte,
            &mut self.t_role,
            &mut self.t_first_token,
        ]
        .into_iter()
        .flatten()
        {
            shift(t);
        }
        self.event_times.iter_mut().for_each(shift);
        self.tokens.iter_mut().for_each(|s| shift(&mut s.t));
        // The end can't come before the last token (the `[DONE]` event itself is an end
        // stamp, so events don't bound it).
        let last_seen = self
            .tokens
            .last()
            .map(|s| s.t)
            .into_iter()
            .chain(self.t_first_byte)
            .fold(request_start, f64::max);
        for t in [&mut self.t_last_byte, &mut self.t_done, &mut self.t_end]
            .into_iter()
            .flatten()
        {
            *t = (*t - end_delay).max(last_seen.min(*t - delay));
        }
        // Never before the request left (a delay estimate larger than the true one).
        let floor = request_start;
        for t in [
            &mut self.t_headers,
            &mut self.t_first_byte,
            &mut self.t_first_token,
        ]
        .into_iter()
        .flatten()
        {
            *t = t.max(floor);
        }
        self.t_fetch = Some(fetch);
        self.t_start = request_start;
        self.delivery_ms = Some(delay);
        self.delivery_end_ms = Some(end_delay);
        self.clock = StampClock::ResourceTiming;
        true
    }

    /// Takes Chromium's HTTP/2 read hold off the body stamps. Chromium's network stack
    /// (`net/spdy/spdy_http_stream.cc`, `kBufferTimeMs = 1`) keeps the DATA it receives on an
    /// HTTP/2 stream for [`CHROMIUM_H2_READ_HOLD_MS`] before waking the reader, so that small
    /// frames arrive together, unless the reader's buffer fills or the stream closes first.
    /// Each SSE chunk of a stream therefore reaches the page 1 ms after the network saw it,
    /// except the last delivery (with the stream's close), which is not held. Every body stamp
    /// taken before that last delivery (more than [`SAME_DELIVERY_MS`] before the last-byte
    /// stamp) moves `hold_ms` earlier, never before the headers; the last delivery and the
    /// headers (never held) stay. Call it on the raw stamps, before
    /// [`RequestRecord::apply_resource_timing`], and only for Chromium on `h2`. Returns
    /// whether anything moved.
    pub fn undo_h2_read_hold(&mut self, hold_ms: f64) -> bool {
        if self.clock != StampClock::Fetch
            || self.h2_hold_ms.is_some()
            || hold_ms.is_nan()
            || hold_ms <= 0.0
        {
            return false;
        }
        let Some(last) = self.t_last_byte else {
            return false;
        };
        let held_before = last - SAME_DELIVERY_MS;
        let floor = self.t_headers.unwrap_or(self.t_start);
        let mut moved = false;
        let mut undo = |t: &mut f64| {
            if *t < held_before {
                *t = (*t - hold_ms).max(floor);
                moved = true;
            }
        };
        for t in [
            &mut self.t_first_byte,
            &mut self.t_role,
            &mut self.t_first_token,
            &mut self.t_done,
        ]
        .into_iter()
        .flatten()
        {
            undo(t);
        }
        self.event_times.iter_mut().for_each(&mut undo);
        self.tokens.iter_mut().for_each(|s| undo(&mut s.t));
        if moved {
            self.h2_hold_ms = Some(hold_ms);
        }
        moved
    }

    /// True when the request finished without error.
    pub fn ok(&self) -> bool {
        self.error.is_none() && self.t_end.is_some()
    }

    /// Records the first failure (later ones are consequences and are ignored).
    pub fn fail(&mut self, kind: ErrorKind, message: impl Into<String>) {
        if self.error.is_none() {
            self.error = Some(kind);
            self.error_message = Some(message.into());
        }
    }

    /// TTFT: first content or reasoning chunk − start (field notes C2).
    pub fn ttft(&self) -> Option<f64> {
        self.t_first_token.map(|t| t - self.t_start)
    }

    /// Time to the role-only chunk or first token, whichever came first — vLLM's TTFT, kept
    /// for comparing with `vllm bench serve`.
    pub fn ttft_first_chunk(&self) -> Option<f64> {
        match (self.t_role, self.t_first_token) {
            (Some(a), Some(b)) => Some(a.min(b) - self.t_start),
            (a, b) => a.or(b).map(|t| t - self.t_start),
        }
    }

    /// Time to first byte.
    pub fn ttfb(&self) -> Option<f64> {
        self.t_first_byte.map(|t| t - self.t_start)
    }

    /// Time to response headers.
    pub fn ttfh(&self) -> Option<f64> {
        self.t_headers.map(|t| t - self.t_start)
    }

    /// End stamp: `[DONE]`, else last byte, else the close/settle time.
    pub fn t_finish(&self) -> Option<f64> {
        self.t_done.or(self.t_last_byte).or(self.t_end)
    }

    /// E2E latency: last byte / `[DONE]` − start.
    pub fn e2e(&self) -> Option<f64> {
        self.t_finish().map(|t| t - self.t_start)
    }

    /// Output tokens and their source: server usage, else chunk count, else estimate.
    pub fn output_tokens(&self) -> (u64, TokenSource) {
        if let Some(n) = self.usage.and_then(|u| u.completion_tokens) {
            return (n, TokenSource::Usage);
        }
        if !self.tokens.is_empty() {
            return (self.tokens.len() as u64, TokenSource::Chunks);
        }
        match self.estimated_tokens {
            Some(n) => (n, TokenSource::Estimate),
            None => (0, TokenSource::Chunks),
        }
    }

    /// TPOT = (E2E − TTFT)/(N − 1), per request (vLLM, AIPerf "ITL").
    pub fn tpot(&self) -> Option<f64> {
        let (n, _) = self.output_tokens();
        let (e2e, ttft) = (self.e2e()?, self.ttft()?);
        (n >= 2).then(|| (e2e - ttft).max(0.0) / (n - 1) as f64)
    }

    /// Gaps between consecutive token-carrying chunks (inter-chunk latency). Role-only and
    /// usage chunks do not advance it (vLLM PR #55508's rule).
    pub fn itl_gaps(&self) -> impl Iterator<Item = f64> + '_ {
        self.tokens.windows(2).map(|w| match w {
            [a, b] => (b.t - a.t).max(0.0),
            _ => 0.0,
        })
    }

    /// True when some chunk appears to hold more than one token (usage count exceeds the
    /// chunk count), so the ITL distribution is inter-*chunk*, not inter-token.
    pub fn multi_token_chunks(&self) -> bool {
        matches!(
            self.usage.and_then(|u| u.completion_tokens),
            Some(n) if n > self.tokens.len() as u64 && !self.tokens.is_empty()
        )
    }

    /// Scheduling lag: how late the launch was versus its plan.
    pub fn launch_lag(&self) -> f64 {
        (self.t_fetch.unwrap_or(self.t_start) - self.t_due).max(0.0)
    }

    /// All derived metrics of a successful request; `None` for failed or unfinished ones.
    pub fn metrics(&self) -> Option<RequestMetrics> {
        if !self.ok() {
            return None;
        }
        let (output_tokens, token_source) = self.output_tokens();
        let tpot_ms = self.tpot();
        Some(RequestMetrics {
            ttft_ms: self.ttft(),
            ttfb_ms: self.ttfb(),
            e2e_ms: self.e2e()?,
            tpot_ms,
            output_tokens,
            token_source,
            tokens_per_s_user: tpot_ms.filter(|t| *t > 0.0).map(|t| 1000.0 / t),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// TTFT + (N − 1)·TPOT = E2E, and every ITL gap is non-negative.
        #[test]
        fn metrics_are_consistent(ttft in 0.0f64..5000.0, gaps in prop::collection::vec(0.0f64..200.0, 1..64), tail in 0.0f64..50.0) {
            let mut r = RequestRecord::new(0, 1000.0);
            let mut t = 1000.0 + ttft;
            r.t_first_token = Some(t);
            r.tokens.push(TokenStamp { t, chars: 1 });
            for g in &gaps {
                t += g;
                r.tokens.push(TokenStamp { t, chars: 1 });
            }
            r.t_done = Some(t + tail);
            r.t_end = Some(t + tail);
            let m = r.metrics().unwrap_or_else(|| panic!("ok"));
            let n = m.output_tokens as f64;
            let tpot = m.tpot_ms.unwrap_or(f64::NAN);
            prop_assert!((m.ttft_ms.unwrap_or(f64::NAN) + (n - 1.0) * tpot - m.e2e_ms).abs() < 1e-6);
            prop_assert!(r.itl_gaps().all(|g| g >= 0.0));
            prop_assert_eq!(r.itl_gaps().count(), gaps.len());
        }
    }

    fn rec() -> RequestRecord {
        let mut r = RequestRecord::new(1, 100.0);
        r.t_headers = Some(105.0);
        r.t_first_byte = Some(106.0);
        r.t_role = Some(106.0);
        r.tokens = (0..5)
            .map(|i| TokenStamp {
                t: 120.0 + 10.0 * i as f64,
                chars: 3,
            })
            .collect();
        r.t_first_token = Some(120.0);
        r.t_done = Some(161.0);
        r.t_last_byte = Some(161.0);
        r.t_end = Some(162.0);
        r
    }

    #[test]
    fn c2_definitions() {
        let r = rec();
        assert_eq!(r.ttft(), Some(20.0));
        assert_eq!(r.ttft_first_chunk(), Some(6.0));
        assert_eq!(r.ttfb(), Some(6.0));
        assert_eq!(r.ttfh(), Some(5.0));
        assert_eq!(r.e2e(), Some(61.0));
        assert_eq!(r.output_tokens(), (5, TokenSource::Chunks));
        assert_eq!(r.tpot(), Some(41.0 / 4.0));
        assert_eq!(r.itl_gaps().collect::<Vec<_>>(), vec![10.0; 4]);
        let m = r.metrics().unwrap_or_else(|| panic!("ok record"));
        assert!((m.tokens_per_s_user.unwrap_or(0.0) - 1000.0 / 10.25).abs() < 1e-9);
    }

    #[test]
    fn usage_wins_then_estimate() {
        let mut r = rec();
        r.usage = Some(Usage {
            completion_tokens: Some(9),
            ..Usage::default()
        });
        assert_eq!(r.output_tokens(), (9, TokenSource::Usage));
        assert!(r.multi_token_chunks());
        r.usage = None;
        r.tokens.clear();
        r.estimated_tokens = Some(4);
        assert_eq!(r.output_tokens(), (4, TokenSource::Estimate));
    }

    #[test]
    fn single_token_has_no_tpot_and_failed_has_no_metrics() {
        let mut r = rec();
        r.tokens.truncate(1);
        assert_eq!(r.tpot(), None);
        r.fail(ErrorKind::Http(429), "slow down");
        r.fail(ErrorKind::Dropped, "ignored");
        assert_eq!(r.error, Some(ErrorKind::Http(429)));
        assert!(r.metrics().is_none());
        assert_eq!(ErrorKind::Http(429).label(), "http_429");
    }

    #[test]
    fn h2_read_hold_is_undone_except_for_the_last_delivery() {
        let mut r = rec();
        // The last token came with `[DONE]` and the close: one delivery, not held.
        if let Some(s) = r.tokens.last_mut() {
            s.t = 161.0;
        }
        r.event_times = vec![106.0, 120.0, 161.0, 161.0];
        let before = r.clone();
        assert!(r.undo_h2_read_hold(CHROMIUM_H2_READ_HOLD_MS));
        assert_eq!(r.h2_hold_ms, Some(1.0));
        assert_eq!(r.t_headers, Some(105.0));
        assert_eq!(r.t_first_byte, Some(105.0));
        assert_eq!(r.t_first_token, Some(119.0));
        assert_eq!(r.ttft(), Some(19.0));
        let t: Vec<f64> = r.tokens.iter().map(|s| s.t).collect();
        assert_eq!(t, [119.0, 129.0, 139.0, 149.0, 161.0]);
        assert_eq!(r.event_times, [105.0, 119.0, 161.0, 161.0]);
        assert_eq!(
            (r.t_done, r.t_last_byte, r.t_end),
            (before.t_done, before.t_last_byte, before.t_end)
        );
        // Once only, and never on re-based stamps.
        assert!(!r.undo_h2_read_hold(1.0));
        let mut rt = before.clone();
        rt.clock = StampClock::ResourceTiming;
        assert!(!rt.undo_h2_read_hold(1.0));
        // A response delivered all at once (stream closed) was not held.
        let mut one = before;
        one.tokens.iter_mut().for_each(|s| s.t = 161.0);
        one.t_first_token = Some(161.0);
        one.t_first_byte = Some(161.0);
        one.t_role = Some(161.0);
        one.event_times = vec![161.0];
        assert!(!one.undo_h2_read_hold(1.0));
        assert_eq!(one.h2_hold_ms, None);
    }

    #[test]
    fn resource_timing_rebases_start_and_keeps_gaps() {
        let mut r = rec();
        let gaps: Vec<f64> = r.itl_gaps().collect();
        let (start, first) = (r.t_start, r.t_first_token.unwrap());
        let last = r.t_last_byte.unwrap();
        // requestStart 3 ms after fetch(); the last byte reached the page 0.5 ms late.
        assert!(r.apply_resource_timing(start + 3.0, f64::NAN, last - 0.5));
        assert_eq!(r.clock, StampClock::ResourceTiming);
        assert_eq!(r.t_fetch, Some(start));
        assert_eq!(r.delivery_ms, Some(0.5));
        assert_eq!(r.ttft(), Some(first - 0.5 - (start + 3.0)));
        assert_eq!(r.itl_gaps().collect::<Vec<_>>(), gaps);
        assert_eq!(r.launch_lag(), 0.0);
        // Only once.
        assert!(!r.apply_resource_timing(start + 3.0, f64::NAN, last - 0.5));
        // An entry of another request is refused.
        let mut r = rec();
        assert!(!r.apply_resource_timing(start - 5.0, f64::NAN, last));
        assert!(!r.apply_resource_timing(r.t_headers.unwrap() + 1.0, f64::NAN, last));
        assert!(!r.apply_resource_timing(f64::NAN, f64::NAN, last));
        assert_eq!(r.clock, StampClock::Fetch);
    }

    #[test]
    fn resource_timing_uses_the_smaller_delivery_delay() {
        // Headers reached the page 0.2 ms after the network had them, the last byte 3 ms
        // after (the page was busy at the end): only 0.2 ms is taken off the first token.
        let mut r = rec();
        let (start, headers) = (r.t_start, r.t_headers.unwrap());
        let (first, last) = (r.t_first_token.unwrap(), r.t_last_byte.unwrap());
        assert!(r.apply_resource_timing(start + 1.0, headers - 0.2, last - 3.0));
        assert!((r.delivery_ms.unwrap() - 0.2).abs() < 1e-9);
        assert!((r.t_first_token.unwrap() - (first - 0.2)).abs() < 1e-9);
        // The end moves by its own delay (E2E ends at responseEnd), but never before the
        // last token: here the last token (160 − 0.2) is later than 161 − 3.
        assert_eq!(r.delivery_end_ms, Some(3.0));
        assert!((r.t_last_byte.unwrap() - 159.8).abs() < 1e-9);
        let mut r = rec();
        r.t_last_byte = Some(170.0);
        r.t_done = Some(170.0);
        assert!(r.apply_resource_timing(start + 1.0, headers - 0.2, 167.0));
        assert!((r.t_done.unwrap() - 167.0).abs() < 1e-9);
        assert!((r.t_first_token.unwrap() - (first - 0.2)).abs() < 1e-9);
        // A responseStart before requestStart is not this request's: only the end counts.
        let mut r = rec();
        assert!(r.apply_resource_timing(start + 1.0, start, last - 3.0));
        assert_eq!(r.delivery_ms, Some(3.0));
    }
}
