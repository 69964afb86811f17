//! Incremental Server-Sent Events parser (WHATWG HTML "event stream interpretation").
//!
//! `fetch` hands us the body in chunks whose boundaries fall anywhere: inside a UTF-8
//! sequence, between the CR and LF of a CRLF, in the middle of a field name. The parser keeps
//! the partial line as bytes and decodes a line only once it is complete, so every way of
//! splitting the same bytes yields the same events (checked by a property test).
//!
//! Deviations from the spec, on purpose:
//! - [`SseParser::finish`] dispatches a pending event at end of stream even without the
//!   closing blank line (the spec drops it), because LLM servers that end with
//!   `data: [DONE]` and no trailing newline exist and the `[DONE]` stamp matters for E2E.
//! - Lines and an event's data are bounded by `max_bytes`; excess is dropped and the event is
//!   flagged `truncated`, so a misbehaving server cannot grow memory without limit.

/// One dispatched event.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SseEvent {
    /// The `event:` field, `"message"` when absent (spec default).
    pub event: String,
    /// Concatenated `data:` lines joined by `\n`.
    pub data: String,
    /// The last event id seen so far (spec: it persists across events).
    pub id: Option<String>,
    /// True when a line or the data of this event exceeded the byte bound and was cut.
    pub truncated: bool,
}

/// One dispatched event, borrowed from the parser's reused buffers: the allocation-free
/// form [`SseParser::push_each`] hands out (tens of thousands of events a second in a tab
/// must not cost an allocation each).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SseEventRef<'a> {
    /// The `event:` field, `"message"` when absent (spec default).
    pub event: &'a str,
    /// Concatenated `data:` lines joined by `\n`.
    pub data: &'a str,
    /// The last event id seen so far.
    pub id: Option<&'a str>,
    /// True when a line or the data of this event exceeded the byte bound and was cut.
    pub truncated: bool,
}

impl SseEventRef<'_> {
    /// An owned copy.
    pub fn to_owned_event(&self) -> SseEvent {
        SseEvent {
            event: self.event.to_owned(),
            data: self.data.to_owned(),
            id: self.id.map(str::to_owned),
            truncated: self.truncated,
        }
    }
}

/// Default bound for one line / one event's data: 1 MiB, far above any OpenAI chunk.
pub const DEFAULT_MAX_BYTES: usize = 1 << 20;

const BOM: [u8; 3] = [0xEF, 0xBB, 0xBF];

/// Incremental SSE parser; feed it bytes with [`push`](Self::push).
#[derive(Debug, Clone)]
pub struct SseParser {
    max_bytes: usize,
    line: Vec<u8>,
    line_overflow: bool,
    /// Previous byte was CR: an LF at the start of the next chunk belongs to the same line end.
    after_cr: bool,
    /// Still looking for a BOM at the very start of the stream.
    at_start: bool,
    data: String,
    has_data: bool,
    event_type: String,
    last_id: Option<String>,
    truncated: bool,
    retry_ms: Option<u64>,
    oversized: u64,
    comments: u64,
}

impl Default for SseParser {
    fn default() -> Self {
        Self::new(DEFAULT_MAX_BYTES)
    }
}

impl SseParser {
    /// A parser that keeps at most `max_bytes` of one line and of one event's data.
    pub fn new(max_bytes: usize) -> Self {
        Self {
            max_bytes: max_bytes.max(16),
            line: Vec::new(),
            line_overflow: false,
            after_cr: false,
            at_start: true,
            data: String::new(),
            has_data: false,
            event_type: String::new(),
            last_id: None,
            truncated: false,
            retry_ms: None,
            oversized: 0,
            comments: 0,
        }
    }

    /// Feeds a chunk and returns the events it completed.
    pub fn push(&mut self, bytes: &[u8]) -> Vec<SseEvent> {
        let mut out = Vec::new();
        self.push_with(bytes, |e| out.push(e));
        out
    }

    /// Feeds a chunk, calling `f` for each completed event (no intermediate `Vec`).
    pub fn push_with(&mut self, bytes: &[u8], mut f: impl FnMut(SseEvent)) {
        self.push_each(bytes, |e| f(e.to_owned_event()));
    }

    /// Feeds a chunk, calling `f` with each completed event borrowed from the parser's
    /// buffers: no allocation per event once the buffers have grown to the stream's line
    /// size (the load tester's hot path).
    pub fn push_each(&mut self, mut bytes: &[u8], mut f: impl FnMut(SseEventRef<'_>)) {
        while !bytes.is_empty() {
            if self.after_cr {
                self.after_cr = false;
                if bytes.first() == Some(&b'\n') {
                    bytes = bytes.get(1..).unwrap_or_default();
                    continue;
                }
            }
            match bytes.iter().position(|&b| b == b'\n' || b == b'\r') {
                Some(pos) => {
                    let (head, rest) = bytes.split_at(pos);
                    self.append(head);
                    self.after_cr = rest.first() == Some(&b'\r');
                    bytes = rest.get(1..).unwrap_or_default();
                    self.end_line(&mut f);
                }
                None => {
                    self.append(bytes);
                    bytes = &[];
                }
            }
        }
    }

    /// Ends the stream: processes an unterminated last line and dispatches a pending event.
    pub fn finish(&mut self) -> Vec<SseEvent> {
        let mut out = Vec::new();
        self.finish_each(|e| out.push(e.to_owned_event()));
        out
    }

    /// [`finish`](Self::finish), borrowing like [`push_each`](Self::push_each).
    pub fn finish_each(&mut self, mut f: impl FnMut(SseEventRef<'_>)) {
        if !self.line.is_empty() || self.line_overflow {
            self.end_line(&mut f);
        }
        self.dispatch(&mut f);
        self.after_cr = false;
    }

    /// The last `retry:` value, in milliseconds (unused by a load test, kept for completeness).
    pub fn retry_ms(&self) -> Option<u64> {
        self.retry_ms
    }

    /// How many lines were longer than the bound.
    pub fn oversized_lines(&self) -> u64 {
        self.oversized
    }

    /// How many comment lines (`:` keep-alives) were seen.
    pub fn comments(&self) -> u64 {
        self.comments
    }

    fn append(&mut self, mut bytes: &[u8]) {
        if self.at_start {
            // `line` holds a proper prefix of the BOM here; strip the BOM before the size
            // check so the bound applies the same way however the bytes were split.
            let take = (3 - self.line.len().min(3)).min(bytes.len());
            let head = bytes.get(..take).unwrap_or_default();
            let mut cand = self.line.clone();
            cand.extend_from_slice(head);
            if BOM.get(..cand.len()) == Some(cand.as_slice()) {
                if cand.len() == 3 {
                    self.line.clear();
                    self.at_start = false;
                } else {
                    self.line = cand;
                }
                bytes = bytes.get(take..).unwrap_or_default();
            } else {
                self.at_start = false;
            }
        }
        if bytes.is_empty() {
            return;
        }
        let room = self.max_bytes.saturating_sub(self.line.len());
        if bytes.len() > room {
            self.line_overflow = true;
        }
        self.line
            .extend_from_slice(bytes.get(..room.min(bytes.len())).unwrap_or_default());
    }

    fn end_line(&mut self, f: &mut impl FnMut(SseEventRef<'_>)) {
        self.at_start = false;
        if std::mem::take(&mut self.line_overflow) {
            // A cut line cannot be trusted (a half JSON object); drop it and flag the event.
            self.line.clear();
            self.oversized += 1;
            self.truncated = true;
            return;
        }
        if self.line.is_empty() {
            self.dispatch(f);
            return;
        }
        // Split borrows: the line is read while the event buffers are written.
        let Self {
            line,
            data,
            has_data,
            event_type,
            last_id,
            truncated,
            retry_ms,
            comments,
            max_bytes,
            ..
        } = self;
        let text = String::from_utf8_lossy(line);
        if text.starts_with(':') {
            *comments += 1;
        } else {
            let (name, value) = match text.find(':') {
                Some(i) => {
                    let value = text.get(i + 1..).unwrap_or("");
                    (
                        text.get(..i).unwrap_or(""),
                        value.strip_prefix(' ').unwrap_or(value),
                    )
                }
                None => (text.as_ref(), ""),
            };
            match name {
                "event" => {
                    event_type.clear();
                    event_type.push_str(value);
                }
                "data" => {
                    if data.len() + value.len() + 1 > *max_bytes {
                        *truncated = true;
                    } else {
                        data.push_str(value);
                        data.push('\n');
                    }
                    *has_data = true;
                }
                "id" if !value.contains('\0') => *last_id = Some(value.to_owned()),
                "retry" if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) => {
                    *retry_ms = value.parse().ok();
                }
                _ => {}
            }
        }
        drop(text);
        self.line.clear();
        // A line that grew the buffer far beyond a chunk's size does not keep it.
        if self.line.capacity() > 64 * 1024 {
            self.line.shrink_to(4096);
        }
    }

    fn dispatch(&mut self, f: &mut impl FnMut(SseEventRef<'_>)) {
        let truncated = std::mem::take(&mut self.truncated);
        // Spec: an event with an empty data buffer is not dispatched. A truncated one still
        // is, so the caller learns about the cut.
        if std::mem::take(&mut self.has_data) || truncated {
            let data = self.data.strip_suffix('\n').unwrap_or(&self.data);
            f(SseEventRef {
                event: if self.event_type.is_empty() {
                    "message"
                } else {
                    &self.event_type
                },
                data,
                id: self.last_id.as_deref(),
                truncated,
            });
        }
        self.data.clear();
        self.event_type.clear();
        if self.data.capacity() > 64 * 1024 {
            self.data.shrink_to(4096);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn all(bytes: &[u8]) -> Vec<SseEvent> {
        let mut p = SseParser::default();
        let mut v = p.push(bytes);
        v.extend(p.finish());
        v
    }

    fn datas(bytes: &[u8]) -> Vec<String> {
        all(bytes).into_iter().map(|e| e.data).collect()
    }

    #[test]
    fn basic_openai_stream() {
        let s = b"data: {\"a\":1}\n\ndata: [DONE]\n\n";
        assert_eq!(datas(s), vec!["{\"a\":1}", "[DONE]"]);
    }

    #[test]
    fn line_endings_cr_lf_crlf() {
        assert_eq!(
            datas(b"data: a\r\n\r\ndata: b\r\rdata: c\n\n"),
            vec!["a", "b", "c"]
        );
    }

    #[test]
    fn crlf_split_across_chunks_is_one_line_end() {
        let mut p = SseParser::default();
        assert!(p.push(b"data: a\r").is_empty());
        // If the LF were a second line end, this would dispatch an empty-line event now.
        assert!(p.push(b"\n").is_empty());
        let ev = p.push(b"\r\n");
        assert_eq!(ev.len(), 1);
        assert_eq!(ev[0].data, "a");
    }

    #[test]
    fn comments_multiline_event_and_id() {
        let s = b": keep-alive\nevent: error\nid: 7\ndata: one\ndata:two\ndata\n\n";
        let ev = all(s);
        assert_eq!(ev.len(), 1);
        assert_eq!(ev[0].event, "error");
        assert_eq!(ev[0].data, "one\ntwo\n");
        assert_eq!(ev[0].id.as_deref(), Some("7"));
    }

    #[test]
    fn id_persists_and_retry_parsed() {
        let mut p = SseParser::default();
        let ev = p.push(b"id: x\ndata: 1\n\nretry: 1500\ndata: 2\n\nretry: 9x\n");
        assert_eq!(ev[1].id.as_deref(), Some("x"));
        assert_eq!(p.retry_ms(), Some(1500));
    }

    #[test]
    fn bom_is_stripped_even_when_split() {
        let mut p = SseParser::default();
        let mut ev = p.push(&[0xEF]);
        ev.extend(p.push(&[0xBB]));
        ev.extend(p.push(&[0xBF, b'd', b'a', b't', b'a', b':', b'x', b'\n', b'\n']));
        assert_eq!(ev.len(), 1);
        assert_eq!(ev[0].data, "x");
    }

    #[test]
    fn no_trailing_newline_finish_dispatches() {
        assert_eq!(datas(b"data: a\n\ndata: [DONE]"), vec!["a", "[DONE]"]);
    }

    #[test]
    fn empty_data_not_dispatched() {
        assert!(all(b"event: ping\n\n\n\n").is_empty());
    }

    #[test]
    fn utf8_split_across_chunks() {
        let s = "data: héllo 🐕\n\n".as_bytes();
        let mut p = SseParser::default();
        let mut ev = Vec::new();
        for b in s {
            ev.extend(p.push(std::slice::from_ref(b)));
        }
        assert_eq!(ev[0].data, "héllo 🐕");
    }

    #[test]
    fn oversized_line_is_bounded_and_flagged() {
        let mut p = SseParser::new(64);
        let mut s = b"data: ".to_vec();
        s.extend(std::iter::repeat_n(b'x', 10_000));
        s.extend(b"\ndata: ok\n\n");
        let ev = p.push(&s);
        assert_eq!(ev.len(), 1);
        assert!(ev[0].truncated);
        assert_eq!(ev[0].data, "ok");
        assert_eq!(p.oversized_lines(), 1);
        assert!(p.line.capacity() < 1024);
        // The next event is clean.
        let ev = p.push(b"data: y\n\n");
        assert!(!ev[0].truncated);
    }

    fn arb_stream() -> impl Strategy<Value = Vec<u8>> {
        let piece = prop_oneof![
            Just(b"data: ".to_vec()),
            Just(b"data:".to_vec()),
            Just(b"event: x".to_vec()),
            Just(b": c".to_vec()),
            Just(b"id: 1".to_vec()),
            Just(b"\n".to_vec()),
            Just(b"\r".to_vec()),
            Just(b"\r\n".to_vec()),
            Just("é🐕".as_bytes().to_vec()),
            Just(BOM.to_vec()),
            "[a-z{}\":, ]{0,12}".prop_map(|s| s.into_bytes()),
        ];
        prop::collection::vec(piece, 0..40).prop_map(|v| v.concat())
    }

    proptest! {
        #[test]
        fn same_events_for_every_split(s in arb_stream(), cuts in prop::collection::vec(any::<prop::sample::Index>(), 0..8)) {
            let whole = all(&s);
            let mut idx: Vec<usize> = cuts.iter().map(|c| c.index(s.len() + 1)).collect();
            idx.sort_unstable();
            let mut p = SseParser::default();
            let mut got = Vec::new();
            let mut prev = 0;
            for i in idx {
                got.extend(p.push(&s[prev..i]));
                prev = i;
            }
            got.extend(p.push(&s[prev..]));
            got.extend(p.finish());
            prop_assert_eq!(whole, got);
        }

        #[test]
        fn byte_by_byte_equals_whole(s in arb_stream()) {
            let whole = all(&s);
            let mut p = SseParser::new(DEFAULT_MAX_BYTES);
            let mut got = Vec::new();
            for b in &s {
                got.extend(p.push(std::slice::from_ref(b)));
            }
            got.extend(p.finish());
            prop_assert_eq!(whole, got);
        }

        #[test]
        fn same_events_for_every_split_small_bound(s in arb_stream(), cut in any::<prop::sample::Index>()) {
            let mut p = SseParser::new(16);
            let mut whole = p.push(&s);
            whole.extend(p.finish());
            let i = cut.index(s.len() + 1);
            let mut p = SseParser::new(16);
            let mut got = p.push(&s[..i]);
            got.extend(p.push(&s[i..]));
            got.extend(p.finish());
            prop_assert_eq!(whole, got);
        }

        #[test]
        fn never_panics_on_garbage(s in prop::collection::vec(any::<u8>(), 0..512), max in 16usize..128) {
            let mut p = SseParser::new(max);
            let _ = p.push(&s);
            let _ = p.finish();
            prop_assert!(p.line.len() <= max);
        }
    }
}
