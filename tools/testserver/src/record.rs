//! The server's ground truth: when each request arrived and when each chunk was handed to the
//! connection, on a monotonic clock, served at `GET /debug/requests`.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};

use serde::Serialize;
use tokio::time::Instant;

use crate::behavior::Behavior;
use crate::openai::Api;

/// Longest prompt text kept per record; longer prompts are cut (and flagged) to bound memory.
pub const PROMPT_KEEP_CHARS: usize = 4096;

/// Monotonic milliseconds since server start.
#[derive(Debug, Clone, Copy)]
pub struct Clock {
    start: Instant,
}

impl Clock {
    /// Starts the clock now.
    pub fn new() -> Self {
        Self {
            start: Instant::now(),
        }
    }

    /// Milliseconds from server start to `t` (µs resolution).
    pub fn ms(&self, t: Instant) -> f64 {
        t.saturating_duration_since(self.start).as_secs_f64() * 1000.0
    }

    /// Milliseconds from server start to now.
    pub fn now_ms(&self) -> f64 {
        self.ms(Instant::now())
    }
}

impl Default for Clock {
    fn default() -> Self {
        Self::new()
    }
}

/// What an SSE event carried.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// Chat role-only chunk.
    Role,
    /// `reasoning_content` tokens.
    Reasoning,
    /// `content` / `text` tokens.
    Content,
    /// Empty delta with `finish_reason`.
    Finish,
    /// Usage-only chunk.
    Usage,
    /// `data: [DONE]`.
    Done,
    /// Injected invalid JSON.
    Malformed,
    /// Injected in-stream `error` object.
    Error,
    /// Whole non-streaming JSON body.
    Body,
}

/// One event handed to the connection.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EventRecord {
    /// Send time (ms since server start).
    pub ms: f64,
    /// What it carried.
    pub kind: EventKind,
    /// Output tokens in it.
    pub tokens: u32,
}

/// How a request ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Still being served.
    InProgress,
    /// All events sent.
    Completed,
    /// Injected HTTP error status.
    ErrorStatus,
    /// Refused as a bad request (4xx).
    Rejected,
    /// Injected connection/stream abort.
    Dropped,
    /// Injected in-stream error event.
    ErrorEvent,
    /// Injected hang (never ends).
    Hung,
    /// The client went away before the end.
    ClientDisconnected,
}

/// Everything recorded about one generation request.
#[derive(Debug, Clone, Serialize)]
pub struct RequestRecord {
    /// Sequence number (1, 2, …), also in the `x-inferlab-request-id` response header.
    pub seq: u64,
    /// Response id used in the chunks (`chatcmpl-inferlab-<seq>`).
    pub id: String,
    /// The client's `x-request-id` header, if any, to correlate with browser records.
    pub client_request_id: Option<String>,
    /// Endpoint.
    pub api: Api,
    /// HTTP version as seen by the server (`HTTP/1.1`, `HTTP/2.0`).
    pub http_version: String,
    /// `stream` flag of the request.
    pub stream: bool,
    /// HTTP status sent.
    pub status: u16,
    /// Request headers received (ms since server start).
    pub received_ms: f64,
    /// Request body fully read.
    pub body_read_ms: Option<f64>,
    /// Response headers handed to the connection.
    pub headers_ms: Option<f64>,
    /// Every SSE event (or the single JSON body) with its send time.
    pub events: Vec<EventRecord>,
    /// Send times of the chunks that carry tokens (content or reasoning), for TTFT/ITL truth.
    pub token_chunks_ms: Vec<f64>,
    /// When the response ended (completed, dropped, or client gone).
    pub finished_ms: Option<f64>,
    /// How it ended.
    pub outcome: Outcome,
    /// Model field of the request.
    pub model: Option<String>,
    /// Prompt text (chat: message contents joined by `\n`), cut at [`PROMPT_KEEP_CHARS`].
    pub prompt: String,
    /// Full prompt length in characters.
    pub prompt_chars: usize,
    /// `max_tokens` of the request.
    pub max_tokens: Option<u32>,
    /// Tokens the server planned to generate.
    pub output_tokens: u32,
    /// Tokens actually sent.
    pub sent_tokens: u32,
    /// `usage.prompt_tokens` reported (approximate).
    pub prompt_tokens: u32,
    /// Effective behaviour (defaults + overrides, after `fault_rate`).
    pub behavior: Option<Behavior>,
    /// Why the request was rejected, for `rejected` outcomes.
    pub error: Option<String>,
}

impl RequestRecord {
    /// A fresh record for a request whose headers arrived at `received_ms`.
    pub fn new(seq: u64, api: Api, http_version: String, received_ms: f64) -> Self {
        let prefix = match api {
            Api::Chat => "chatcmpl",
            Api::Completions => "cmpl",
        };
        Self {
            seq,
            id: format!("{prefix}-inferlab-{seq}"),
            client_request_id: None,
            api,
            http_version,
            stream: false,
            status: 200,
            received_ms,
            body_read_ms: None,
            headers_ms: None,
            events: Vec::new(),
            token_chunks_ms: Vec::new(),
            finished_ms: None,
            outcome: Outcome::InProgress,
            model: None,
            prompt: String::new(),
            prompt_chars: 0,
            max_tokens: None,
            output_tokens: 0,
            sent_tokens: 0,
            prompt_tokens: 0,
            behavior: None,
            error: None,
        }
    }

    /// Stores the prompt, cut to [`PROMPT_KEEP_CHARS`].
    pub fn set_prompt(&mut self, prompt: &str) {
        self.prompt_chars = prompt.chars().count();
        self.prompt = prompt.chars().take(PROMPT_KEEP_CHARS).collect();
    }

    /// Records one sent event.
    pub fn push_event(&mut self, ms: f64, kind: EventKind, tokens: u32) {
        if matches!(kind, EventKind::Content | EventKind::Reasoning) {
            self.token_chunks_ms.push(ms);
        }
        self.sent_tokens = self.sent_tokens.saturating_add(tokens);
        self.events.push(EventRecord { ms, kind, tokens });
    }

    /// Marks the end once; later calls (e.g. from `Drop`) keep the first outcome.
    pub fn finish(&mut self, ms: f64, outcome: Outcome) {
        if self.outcome == Outcome::InProgress {
            self.outcome = outcome;
            self.finished_ms = Some(ms);
        }
    }
}

/// A record shared between the response body (writer) and the debug endpoint (reader).
pub type SharedRecord = Arc<Mutex<RequestRecord>>;

/// Locks a record; a poisoned lock (a panic elsewhere) still yields the data instead of panicking.
pub fn lock(r: &SharedRecord) -> MutexGuard<'_, RequestRecord> {
    r.lock().unwrap_or_else(|e| e.into_inner())
}

/// All records, oldest first, bounded: beyond `capacity` the oldest are evicted (and counted).
#[derive(Debug)]
pub struct Recorder {
    inner: Mutex<RecorderInner>,
    capacity: usize,
}

#[derive(Debug, Default)]
struct RecorderInner {
    records: VecDeque<SharedRecord>,
    evicted: u64,
}

/// JSON shape of `GET /debug/requests`.
#[derive(Debug, Clone, Serialize)]
pub struct Snapshot {
    /// What the times mean.
    pub clock: &'static str,
    /// Now, on that clock.
    pub now_ms: f64,
    /// Records dropped because of the capacity bound.
    pub evicted: u64,
    /// Records, oldest first.
    pub requests: Vec<RequestRecord>,
}

impl Recorder {
    /// A recorder keeping at most `capacity` requests.
    pub fn new(capacity: usize) -> Self {
        Self {
            inner: Mutex::new(RecorderInner::default()),
            capacity: capacity.max(1),
        }
    }

    fn inner(&self) -> MutexGuard<'_, RecorderInner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Adds a record and returns the shared handle the response writes into.
    pub fn add(&self, record: RequestRecord) -> SharedRecord {
        let shared = Arc::new(Mutex::new(record));
        let mut inner = self.inner();
        while inner.records.len() >= self.capacity {
            inner.records.pop_front();
            inner.evicted += 1;
        }
        inner.records.push_back(Arc::clone(&shared));
        shared
    }

    /// Copies all records (oldest first).
    pub fn snapshot(&self, clock: &Clock) -> Snapshot {
        let (handles, evicted) = {
            let inner = self.inner();
            (
                inner.records.iter().cloned().collect::<Vec<_>>(),
                inner.evicted,
            )
        };
        Snapshot {
            clock: "ms since server start (monotonic)",
            now_ms: clock.now_ms(),
            evicted,
            requests: handles.iter().map(|r| lock(r).clone()).collect(),
        }
    }

    /// Finds one record by sequence number.
    pub fn get(&self, seq: u64) -> Option<RequestRecord> {
        let handle = self
            .inner()
            .records
            .iter()
            .find(|r| lock(r).seq == seq)
            .cloned();
        handle.map(|r| lock(&r).clone())
    }

    /// Forgets every record (requests in flight keep writing to their now-detached records).
    pub fn reset(&self) {
        let mut inner = self.inner();
        inner.records.clear();
        inner.evicted = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounded_and_resettable() {
        let rec = Recorder::new(2);
        for seq in 1..=3 {
            rec.add(RequestRecord::new(seq, Api::Chat, "HTTP/1.1".into(), 0.0));
        }
        let snap = rec.snapshot(&Clock::new());
        assert_eq!(snap.evicted, 1);
        assert_eq!(
            snap.requests.iter().map(|r| r.seq).collect::<Vec<_>>(),
            [2, 3]
        );
        assert!(rec.get(1).is_none());
        assert_eq!(rec.get(3).map(|r| r.id), Some("chatcmpl-inferlab-3".into()));
        rec.reset();
        assert!(rec.snapshot(&Clock::new()).requests.is_empty());
    }

    #[test]
    fn first_outcome_wins_and_prompt_is_cut() {
        let mut r = RequestRecord::new(1, Api::Completions, "HTTP/2.0".into(), 1.0);
        r.push_event(2.0, EventKind::Content, 3);
        r.push_event(3.0, EventKind::Done, 0);
        r.finish(3.0, Outcome::Completed);
        r.finish(9.0, Outcome::ClientDisconnected);
        assert_eq!(r.outcome, Outcome::Completed);
        assert_eq!(r.token_chunks_ms, [2.0]);
        assert_eq!(r.sent_tokens, 3);
        r.set_prompt(&"é".repeat(PROMPT_KEEP_CHARS + 5));
        assert_eq!(r.prompt_chars, PROMPT_KEEP_CHARS + 5);
        assert_eq!(r.prompt.chars().count(), PROMPT_KEEP_CHARS);
    }
}
