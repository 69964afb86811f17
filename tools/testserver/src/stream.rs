//! The SSE response body: a hyper `Body` that sleeps until each chunk's absolute deadline
//! inside `poll_frame`, so the recorded send time is the moment the frame is handed to the
//! connection (no channel or extra task in between).

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use hyper::body::{Body, Frame};
use tokio::time::{Instant, Sleep};

use crate::behavior::{Behavior, RoleChunk};
use crate::openai::{error_body, sse, token_text, Api, ChunkHeader, FinishReason};
use crate::record::{lock, Clock, EventKind, Outcome, SharedRecord};
use crate::schedule::Schedule;

/// The error a body returns to make hyper abort the stream (HTTP/1.1: connection closed without
/// the final chunk; HTTP/2: `RST_STREAM`), i.e. the injected mid-stream drop.
#[derive(Debug, thiserror::Error)]
#[error("injected mid-stream drop")]
pub struct InjectedDrop;

/// What one streamed response will contain.
#[derive(Debug, Clone)]
pub struct StreamPlan {
    /// Ids and model shared by all chunks.
    pub header: ChunkHeader,
    /// Effective behaviour (faults included).
    pub behavior: Behavior,
    /// Tokens to generate.
    pub n_tokens: u32,
    /// Leading tokens sent as reasoning.
    pub reasoning_tokens: u32,
    /// Finish reason of the last chunk.
    pub finish: FinishReason,
    /// Send the usage chunk.
    pub include_usage: bool,
    /// `usage.prompt_tokens`.
    pub prompt_tokens: u32,
}

#[derive(Debug)]
enum Step {
    Send(Bytes, EventKind, u32),
    End(Outcome),
    Drop,
    Hang,
}

/// Lazily produces the steps of a stream, a few at a time, so long outputs take no memory upfront.
#[derive(Debug)]
struct Steps {
    plan: StreamPlan,
    schedule: Schedule,
    queue: VecDeque<(Option<Instant>, Step)>,
    chunks_sent: u32,
    next_token: u32,
    started: bool,
    ended: bool,
}

impl Steps {
    fn next(&mut self) -> Option<(Option<Instant>, Step)> {
        if self.queue.is_empty() {
            self.refill();
        }
        self.queue.pop_front()
    }

    fn refill(&mut self) {
        if self.ended {
            return;
        }
        let p = &self.plan;
        let b = &p.behavior;
        let chat = p.header.api == Api::Chat;
        if !self.started {
            self.started = true;
            if chat && b.role_chunk == RoleChunk::Immediate {
                self.queue
                    .push_back((None, Step::Send(sse(&p.header.role()), EventKind::Role, 0)));
            }
        }
        let c = self.chunks_sent;
        let due = self.schedule.deadline(self.next_token);
        if b.drop_after_chunks == Some(c) {
            self.queue.push_back((Some(due), Step::Drop));
            self.ended = true;
            return;
        }
        if b.error_event_after_chunks == Some(c) {
            let err = error_body("injected error event", "server_error", 500);
            self.queue
                .push_back((Some(due), Step::Send(sse(&err), EventKind::Error, 0)));
            self.queue.push_back((None, Step::End(Outcome::ErrorEvent)));
            self.ended = true;
            return;
        }
        if b.hang_after_chunks == Some(c) {
            self.queue.push_back((Some(due), Step::Hang));
            self.ended = true;
            return;
        }
        if self.next_token >= p.n_tokens {
            let h = &p.header;
            self.queue.push_back((
                None,
                Step::Send(sse(&h.finish(p.finish)), EventKind::Finish, 0),
            ));
            if p.include_usage {
                let u = h.usage(p.prompt_tokens, p.n_tokens);
                self.queue
                    .push_back((None, Step::Send(sse(&u), EventKind::Usage, 0)));
            }
            self.queue.push_back((
                None,
                Step::Send(Bytes::from_static(b"data: [DONE]\n\n"), EventKind::Done, 0),
            ));
            self.queue.push_back((None, Step::End(Outcome::Completed)));
            self.ended = true;
            return;
        }
        let k = b.tokens_per_chunk.max(1);
        let start = self.next_token;
        let reasoning = start < p.reasoning_tokens;
        let seg_end = if reasoning {
            p.reasoning_tokens
        } else {
            p.n_tokens
        };
        let end = start.saturating_add(k).min(seg_end);
        if b.malformed_at_chunk == Some(c) {
            let bad = format!(
                "data: {{\"id\":\"{}\",\"object\":\"broken\",\"choices\":[{{\"delta\":{{\"content\":\n\n",
                p.header.id
            );
            self.queue.push_back((
                Some(due),
                Step::Send(Bytes::from(bad), EventKind::Malformed, 0),
            ));
        }
        if c == 0 && chat && b.role_chunk == RoleChunk::WithFirst {
            self.queue.push_back((
                Some(due),
                Step::Send(sse(&p.header.role()), EventKind::Role, 0),
            ));
        }
        let text = token_text(start, end);
        let kind = if reasoning {
            EventKind::Reasoning
        } else {
            EventKind::Content
        };
        let chunk = sse(&p.header.tokens(&text, reasoning));
        self.queue
            .push_back((Some(due), Step::Send(chunk, kind, end - start)));
        self.chunks_sent += 1;
        self.next_token = end;
    }
}

/// The streamed SSE body of one request.
pub struct SseBody {
    steps: Steps,
    current: Option<(Option<Instant>, Step)>,
    sleep: Pin<Box<Sleep>>,
    armed: bool,
    record: SharedRecord,
    clock: Clock,
    done: bool,
}

impl SseBody {
    /// A body that plays `plan` with deadlines from `base` (header release), writing into `record`.
    pub fn new(
        plan: StreamPlan,
        base: Instant,
        prompt: &str,
        record: SharedRecord,
        clock: Clock,
    ) -> Self {
        let schedule = Schedule::new(base, &plan.behavior, prompt);
        Self {
            steps: Steps {
                plan,
                schedule,
                queue: VecDeque::new(),
                chunks_sent: 0,
                next_token: 0,
                started: false,
                ended: false,
            },
            current: None,
            sleep: Box::pin(tokio::time::sleep_until(base)),
            armed: false,
            record,
            clock,
            done: false,
        }
    }
}

impl Body for SseBody {
    type Data = Bytes;
    type Error = InjectedDrop;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, InjectedDrop>>> {
        let this = &mut *self;
        if this.done {
            return Poll::Ready(None);
        }
        if this.current.is_none() {
            this.current = this.steps.next();
            this.armed = false;
            if let Some((Some(due), _)) = &this.current {
                // A deadline already passed is served at once: tokio's timer would add up to a tick.
                if *due > Instant::now() {
                    this.sleep.as_mut().reset(*due);
                    this.armed = true;
                }
            }
        }
        if this.armed {
            if this.sleep.as_mut().poll(cx).is_pending() {
                return Poll::Pending;
            }
            this.armed = false;
        }
        let now_ms = this.clock.now_ms();
        match this.current.take() {
            None => {
                this.done = true;
                lock(&this.record).finish(now_ms, Outcome::Completed);
                Poll::Ready(None)
            }
            Some((_, Step::Send(bytes, kind, tokens))) => {
                lock(&this.record).push_event(now_ms, kind, tokens);
                Poll::Ready(Some(Ok(Frame::data(bytes))))
            }
            Some((_, Step::End(outcome))) => {
                this.done = true;
                lock(&this.record).finish(now_ms, outcome);
                Poll::Ready(None)
            }
            Some((_, Step::Drop)) => {
                this.done = true;
                lock(&this.record).finish(now_ms, Outcome::Dropped);
                Poll::Ready(Some(Err(InjectedDrop)))
            }
            Some((due, Step::Hang)) => {
                lock(&this.record).finish(now_ms, Outcome::Hung);
                // Stay parked forever; nothing will wake us, the body is dropped with the connection.
                this.current = Some((due, Step::Hang));
                Poll::Pending
            }
        }
    }
}

impl Drop for SseBody {
    fn drop(&mut self) {
        lock(&self.record).finish(self.clock.now_ms(), Outcome::ClientDisconnected);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::RequestRecord;
    use http_body_util::BodyExt;
    use std::sync::{Arc, Mutex};

    fn plan(api: Api, behavior: Behavior, n: u32, usage: bool) -> StreamPlan {
        StreamPlan {
            header: ChunkHeader {
                id: "x-1".into(),
                created: 0,
                model: "m".into(),
                api,
            },
            reasoning_tokens: behavior.reasoning_tokens.min(n),
            behavior,
            n_tokens: n,
            finish: FinishReason::Length,
            include_usage: usage,
            prompt_tokens: 3,
        }
    }

    async fn play(p: StreamPlan) -> (String, RequestRecord, bool) {
        let record = Arc::new(Mutex::new(RequestRecord::new(
            1,
            p.header.api,
            "t".into(),
            0.0,
        )));
        let mut body = SseBody::new(p, Instant::now(), "p", Arc::clone(&record), Clock::new());
        let mut text = String::new();
        let mut errored = false;
        for _ in 0..10_000 {
            match body.frame().await {
                Some(Ok(f)) => {
                    if let Ok(d) = f.into_data() {
                        text.push_str(&String::from_utf8_lossy(&d));
                    }
                }
                Some(Err(_)) => {
                    errored = true;
                    break;
                }
                None => break,
            }
        }
        drop(body);
        let r = lock(&record).clone();
        (text, r, errored)
    }

    fn fast() -> Behavior {
        Behavior {
            ttft_ms: 2.0,
            itl_ms: 1.0,
            ..Behavior::default()
        }
    }

    #[tokio::test]
    async fn chat_stream_has_role_tokens_finish_usage_done() {
        let (text, r, err) = play(plan(Api::Chat, fast(), 5, true)).await;
        assert!(!err);
        let events: Vec<&str> = text.split("\n\n").filter(|s| !s.is_empty()).collect();
        assert_eq!(events.len(), 1 + 5 + 3);
        assert!(events[0].contains("\"role\":\"assistant\""));
        assert!(events[6].contains("\"finish_reason\":\"length\""));
        assert!(events[7].contains("\"completion_tokens\":5"));
        assert_eq!(events[8], "data: [DONE]");
        assert_eq!(r.outcome, Outcome::Completed);
        assert_eq!(r.token_chunks_ms.len(), 5);
        assert_eq!(r.sent_tokens, 5);
        assert!(r.token_chunks_ms.windows(2).all(|w| w[1] >= w[0]));
    }

    #[tokio::test]
    async fn multi_token_chunks_and_reasoning() {
        let b = Behavior {
            tokens_per_chunk: 3,
            reasoning_tokens: 4,
            role_chunk: RoleChunk::None,
            ..fast()
        };
        let (text, r, _) = play(plan(Api::Chat, b, 10, false)).await;
        // Reasoning 4 = 3 + 1, content 6 = 3 + 3.
        let kinds: Vec<EventKind> = r.events.iter().map(|e| e.kind).collect();
        assert_eq!(
            kinds,
            [
                EventKind::Reasoning,
                EventKind::Reasoning,
                EventKind::Content,
                EventKind::Content,
                EventKind::Finish,
                EventKind::Done
            ]
        );
        assert_eq!(r.events.iter().map(|e| e.tokens).sum::<u32>(), 10);
        assert!(text.contains("reasoning_content"));
        assert!(!text.contains("\"role\""));
    }

    #[tokio::test]
    async fn faults_end_streams_as_configured() {
        let drop = Behavior {
            drop_after_chunks: Some(2),
            ..fast()
        };
        let (_, r, err) = play(plan(Api::Completions, drop, 5, false)).await;
        assert!(err);
        assert_eq!((r.outcome, r.token_chunks_ms.len()), (Outcome::Dropped, 2));

        let ev = Behavior {
            error_event_after_chunks: Some(1),
            ..fast()
        };
        let (text, r, err) = play(plan(Api::Chat, ev, 5, false)).await;
        assert!(!err && text.contains("\"error\"") && !text.contains("[DONE]"));
        assert_eq!(r.outcome, Outcome::ErrorEvent);

        let bad = Behavior {
            malformed_at_chunk: Some(0),
            ..fast()
        };
        let (text, r, _) = play(plan(Api::Completions, bad, 2, false)).await;
        assert!(text.starts_with("data: {\"id\":\"x-1\",\"object\":\"broken\""));
        assert_eq!((r.outcome, r.sent_tokens), (Outcome::Completed, 2));
    }

    #[tokio::test]
    async fn hang_parks_and_drop_records_it() {
        let b = Behavior {
            hang_after_chunks: Some(1),
            ..fast()
        };
        let p = plan(Api::Completions, b, 5, false);
        let record = Arc::new(Mutex::new(RequestRecord::new(
            1,
            Api::Completions,
            "t".into(),
            0.0,
        )));
        let mut body = SseBody::new(p, Instant::now(), "p", Arc::clone(&record), Clock::new());
        assert!(body.frame().await.is_some());
        let parked = tokio::time::timeout(std::time::Duration::from_millis(50), body.frame()).await;
        assert!(parked.is_err());
        drop(body);
        assert_eq!(lock(&record).outcome, Outcome::Hung);
    }
}
