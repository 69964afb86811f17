//! Turns one request's transport callbacks (headers, byte chunks, end, failure) into a
//! [`RequestRecord`]: SSE parsing, chunk parsing and stamping in one place, so the browser
//! shell only forwards what `fetch` gives it with a `performance.now()` stamp.

use crate::openai::{error_message_from_body, parse_counts, parse_data, CountsItem, StreamItem};
use crate::record::{ErrorKind, RequestRecord, TokenStamp};
use crate::sse::{SseParser, DEFAULT_MAX_BYTES};

/// What a byte chunk changed, for live charts (tokens/s, TTFT as it happens).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Progress {
    /// Token-carrying chunks in this byte chunk.
    pub token_chunks: u32,
    /// This byte chunk held the first token.
    pub first_token: bool,
    /// The stream said `[DONE]` or sent an error. Keep reading to EOF anyway (cheap, and
    /// the last-byte stamp is then right); use this to cancel a stream that never closes.
    pub finished: bool,
}

/// Live state of one in-flight request.
#[derive(Debug, Clone)]
pub struct RequestTracker {
    record: RequestRecord,
    parser: SseParser,
    streaming: bool,
    /// Non-streamed body, or an error body, collected whole (bounded).
    body: Vec<u8>,
}

/// Bound on a collected non-streamed or error body.
const MAX_BODY: usize = 4 << 20;

impl RequestTracker {
    /// Starts tracking a request launched at `t_start`; `streaming` is the request's
    /// `stream` flag (a non-streamed body is parsed whole at the end).
    pub fn new(record: RequestRecord, streaming: bool) -> Self {
        Self {
            record,
            parser: SseParser::new(DEFAULT_MAX_BYTES),
            streaming,
            body: Vec::new(),
        }
    }

    /// Read access for live views.
    pub fn record(&self) -> &RequestRecord {
        &self.record
    }

    /// The request actually left at `t`, later than the launch stamp (a stream worker calls
    /// `fetch` after the page handed it the request): the start moves there, and the
    /// launch stamp is kept as `t_fetch`. Earlier or non-finite stamps are ignored.
    pub fn on_sent(&mut self, t: f64) {
        if t.is_finite() && t > self.record.t_start {
            self.record.t_fetch.get_or_insert(self.record.t_start);
            self.record.t_start = t;
        }
    }

    /// Response headers arrived with `status`; `protocol` is `nextHopProtocol` if known.
    pub fn on_headers(&mut self, t: f64, status: u16, protocol: Option<&str>) {
        self.record.t_headers.get_or_insert(t);
        self.record.status = Some(status);
        if let Some(p) = protocol.filter(|p| !p.is_empty()) {
            self.record.protocol = Some(p.to_owned());
        }
    }

    fn http_ok(&self) -> bool {
        self.record.status.is_none_or(|s| (200..300).contains(&s))
    }

    /// A chunk of body bytes arrived at `t`.
    pub fn on_bytes(&mut self, t: f64, bytes: &[u8]) -> Progress {
        let mut progress = Progress::default();
        if bytes.is_empty() {
            return progress;
        }
        self.record.t_first_byte.get_or_insert(t);
        self.record.t_last_byte = Some(t);
        self.record.bytes += bytes.len() as u64;
        if !self.streaming || !self.http_ok() {
            let room = MAX_BODY.saturating_sub(self.body.len());
            self.body
                .extend_from_slice(bytes.get(..room.min(bytes.len())).unwrap_or_default());
            return progress;
        }
        let mut parser = std::mem::take(&mut self.parser);
        parser.push_each(bytes, |ev| {
            self.on_event(t, ev.event, ev.data, ev.truncated, &mut progress)
        });
        self.parser = parser;
        progress
    }

    fn on_event(&mut self, t: f64, event: &str, data: &str, truncated: bool, p: &mut Progress) {
        let r = &mut self.record;
        r.event_times.push(t);
        if truncated {
            r.fail(
                ErrorKind::Malformed,
                "an SSE line exceeded the size bound and was dropped",
            );
        }
        if event == "error" {
            // `event: error` (some gateways): whatever the payload, the stream failed.
            let msg = match parse_data(data) {
                Ok(StreamItem::Error(e)) => e.message,
                _ => data.chars().take(200).collect(),
            };
            r.fail(ErrorKind::Stream, msg);
            p.finished = true;
            return;
        }
        if data.trim().is_empty() {
            return;
        }
        match parse_counts(data) {
            Ok(CountsItem::Done) => {
                r.t_done.get_or_insert(t);
                p.finished = true;
            }
            Ok(CountsItem::Error(e)) => {
                r.fail(ErrorKind::Stream, e.message);
                p.finished = true;
            }
            Ok(CountsItem::Chunk(c)) => {
                if c.role {
                    r.t_role.get_or_insert(t);
                }
                if let Some(u) = c.usage {
                    r.usage = Some(u);
                }
                let has_token = c.has_token();
                if c.finish_reason.is_some() {
                    r.finish_reason = c.finish_reason;
                }
                if has_token {
                    if r.t_first_token.is_none() {
                        r.t_first_token = Some(t);
                        p.first_token = true;
                    }
                    let chars = c.content_chars + c.reasoning_chars;
                    r.content_chars += c.content_chars;
                    r.reasoning_chars += c.reasoning_chars;
                    r.tokens.push(TokenStamp {
                        t,
                        chars: u32::try_from(chars).unwrap_or(u32::MAX),
                    });
                    p.token_chunks += 1;
                }
            }
            Err(e) => r.fail(ErrorKind::Malformed, e.to_string()),
        }
    }

    /// The body ended normally at `t`. Classifies HTTP errors, dropped and empty streams.
    pub fn on_eof(&mut self, t: f64) -> RequestRecord {
        let mut tail = Progress::default();
        if self.streaming && self.http_ok() {
            let mut parser = std::mem::take(&mut self.parser);
            parser.finish_each(|ev| self.on_event(t, ev.event, ev.data, ev.truncated, &mut tail));
            self.parser = parser;
        }
        let body = String::from_utf8_lossy(&self.body).into_owned();
        let r = &mut self.record;
        r.t_end = Some(t);
        match r.status {
            Some(s) if !(200..300).contains(&s) => {
                let msg = error_message_from_body(&body).unwrap_or_else(|| format!("HTTP {s}"));
                r.fail(ErrorKind::Http(s), msg);
            }
            _ if !self.streaming => match parse_data(&body) {
                Ok(StreamItem::Chunk(c)) => {
                    r.usage = c.usage;
                    r.finish_reason.clone_from(&c.finish_reason);
                    r.content_chars = c.content.chars().count() as u64;
                    r.reasoning_chars = c.reasoning.chars().count() as u64;
                    if c.has_token() {
                        // Without a stream the whole answer is the "first token".
                        r.t_first_token = r.t_last_byte.or(Some(t));
                    } else {
                        r.fail(ErrorKind::Empty, "the response held no text");
                    }
                }
                Ok(StreamItem::Error(e)) => r.fail(ErrorKind::Stream, e.message),
                Ok(StreamItem::Done) => r.fail(ErrorKind::Malformed, "unexpected [DONE] body"),
                Err(e) => r.fail(ErrorKind::Malformed, e.to_string()),
            },
            _ => {
                if r.t_done.is_none() && r.finish_reason.is_none() {
                    r.fail(
                        ErrorKind::Dropped,
                        "the stream closed before [DONE] or a finish_reason",
                    );
                } else if r.tokens.is_empty()
                    && r.usage.and_then(|u| u.completion_tokens).unwrap_or(0) == 0
                {
                    r.fail(ErrorKind::Empty, "the stream carried no tokens");
                }
            }
        }
        self.record.clone()
    }

    /// The request failed at `t` (fetch rejected, reader errored, timeout, abort).
    pub fn on_failure(&mut self, t: f64, kind: ErrorKind, message: &str) -> RequestRecord {
        self.record.t_end = Some(t);
        self.record.fail(kind, message);
        self.record.clone()
    }

    /// Consumes the tracker (after `on_eof`/`on_failure`) without a clone.
    pub fn into_record(self) -> RequestRecord {
        self.record
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::TokenSource;
    use proptest::prelude::*;

    const STREAM: &str =
        "data: {\"choices\":[{\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}]}\n\n\
        data: {\"choices\":[{\"delta\":{\"content\":\"Hel\"}}]}\n\n\
        data: {\"choices\":[{\"delta\":{\"content\":\"lo\"}}]}\n\n\
        data: {\"choices\":[{\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n\
        data: {\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":2}}\n\n\
        data: [DONE]\n\n";

    fn run(parts: &[(f64, &str)], status: u16, end: f64) -> RequestRecord {
        let mut tr = RequestTracker::new(RequestRecord::new(0, 0.0), true);
        tr.on_headers(1.0, status, Some("h2"));
        for (t, s) in parts {
            tr.on_bytes(*t, s.as_bytes());
        }
        tr.on_eof(end)
    }

    #[test]
    fn full_stream() {
        let lines: Vec<&str> = STREAM.split_inclusive("\n\n").collect();
        let parts: Vec<(f64, &str)> = lines
            .iter()
            .enumerate()
            .map(|(i, s)| (10.0 + i as f64 * 5.0, *s))
            .collect();
        let r = run(&parts, 200, 50.0);
        assert!(r.ok(), "{:?}", r.error_message);
        assert_eq!(r.t_role, Some(10.0));
        assert_eq!(r.ttft(), Some(15.0));
        assert_eq!(r.t_done, Some(35.0));
        assert_eq!(r.e2e(), Some(35.0));
        assert_eq!(r.output_tokens(), (2, TokenSource::Usage));
        assert_eq!(r.tpot(), Some(20.0));
        assert_eq!(r.event_times.len(), 6);
        assert_eq!(r.protocol.as_deref(), Some("h2"));
    }

    #[test]
    fn http_error_body() {
        let r = run(&[(2.0, r#"{"error":{"message":"Too many"}}"#)], 429, 3.0);
        assert_eq!(r.error, Some(ErrorKind::Http(429)));
        assert_eq!(r.error_message.as_deref(), Some("Too many"));
    }

    #[test]
    fn dropped_stream_and_malformed_and_stream_error() {
        let r = run(
            &[(
                2.0,
                "data: {\"choices\":[{\"delta\":{\"content\":\"a\"}}]}\n\n",
            )],
            200,
            3.0,
        );
        assert_eq!(r.error, Some(ErrorKind::Dropped));
        assert_eq!(r.tokens.len(), 1, "partial results kept");
        let r = run(&[(2.0, "data: {oops\n\ndata: [DONE]\n\n")], 200, 3.0);
        assert_eq!(r.error, Some(ErrorKind::Malformed));
        let r = run(
            &[(
                2.0,
                "data: {\"error\":{\"message\":\"does not match\",\"code\":500}}\n\n",
            )],
            200,
            3.0,
        );
        assert_eq!(r.error, Some(ErrorKind::Stream));
        let r = run(&[(2.0, "data: [DONE]\n\n")], 200, 3.0);
        assert_eq!(r.error, Some(ErrorKind::Empty));
    }

    #[test]
    fn done_without_trailing_newline() {
        let r = run(
            &[(
                2.0,
                "data: {\"choices\":[{\"text\":\"a\"}]}\n\ndata: [DONE]",
            )],
            200,
            9.0,
        );
        assert!(r.ok());
        assert_eq!(r.t_done, Some(9.0));
    }

    #[test]
    fn non_streamed() {
        let mut tr = RequestTracker::new(RequestRecord::new(0, 0.0), false);
        tr.on_headers(4.0, 200, None);
        tr.on_bytes(5.0, br#"{"choices":[{"message":{"content":"hi"}}],"#);
        tr.on_bytes(6.0, br#""usage":{"completion_tokens":1}}"#);
        let r = tr.on_eof(7.0);
        assert!(r.ok());
        assert_eq!(r.ttft(), Some(6.0));
        assert_eq!(r.e2e(), Some(6.0));
    }

    #[test]
    fn error_event_type() {
        let r = run(&[(2.0, "event: error\ndata: upstream reset\n\n")], 200, 3.0);
        assert_eq!(r.error, Some(ErrorKind::Stream));
        assert_eq!(r.error_message.as_deref(), Some("upstream reset"));
    }

    #[test]
    fn network_failure() {
        let mut tr = RequestTracker::new(RequestRecord::new(0, 0.0), true);
        let r = tr.on_failure(3.0, ErrorKind::Network, "TypeError: Failed to fetch");
        assert_eq!(r.error, Some(ErrorKind::Network));
    }

    proptest! {
        #[test]
        fn split_invariant_except_times(cut in 0usize..STREAM.len()) {
            let whole = run(&[(5.0, STREAM)], 200, 6.0);
            let (a, b) = STREAM.as_bytes().split_at(cut);
            let mut tr = RequestTracker::new(RequestRecord::new(0, 0.0), true);
            tr.on_headers(1.0, 200, None);
            tr.on_bytes(5.0, a);
            tr.on_bytes(5.0, b);
            let split = tr.on_eof(6.0);
            prop_assert_eq!(whole.tokens, split.tokens);
            prop_assert_eq!(whole.usage, split.usage);
            prop_assert_eq!(whole.error, split.error);
        }
    }

    #[test]
    fn on_sent_moves_the_start_only_later() {
        let mut t = RequestTracker::new(RequestRecord::new(1, 100.0), true);
        t.on_sent(99.0);
        t.on_sent(f64::NAN);
        assert_eq!(t.record().t_start, 100.0);
        t.on_sent(100.4);
        assert_eq!(t.record().t_start, 100.4);
        assert_eq!(t.record().t_fetch, Some(100.0));
    }
}
