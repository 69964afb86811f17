//! How the fake model behaves: timing, output length and injected faults.
//!
//! One [`Behavior`] holds the server-wide defaults (from CLI flags); each request may override
//! any field through the body key `"inferlab_test": {...}` or the header `x-inferlab-test: {...}`
//! (same JSON shape, header wins), so one server process serves many test cases at once.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::error::ControlError;

/// Longest delay accepted for any timing field (one hour), so a typo cannot park a request forever.
pub const MAX_DELAY_MS: f64 = 3_600_000.0;

/// Hard cap on generated tokens per request, bounding the memory one request can take.
pub const MAX_OUTPUT_TOKENS: u32 = 262_144;

/// When the chat role-only chunk (`delta: {role: "assistant"}`) is sent.
///
/// It matters because peers disagree on whether it counts as the first token (field notes C3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum RoleChunk {
    /// Right before the first token chunk, at the same deadline (what vLLM does).
    #[default]
    WithFirst,
    /// As soon as the headers are out, before the TTFT delay (sglang-router style prelude).
    Immediate,
    /// Never sent.
    None,
}

/// Timing, length and fault settings of one request (or the server-wide defaults).
///
/// Times are in milliseconds. Chunk `i` is due at
/// `headers + ttft_ms + i * tokens_per_chunk * itl_ms + jitter_i`, an absolute deadline
/// (no accumulated sleeps), with `jitter_i` uniform in `[-jitter_ms, +jitter_ms]`, seeded, and
/// clamped so deadlines never go backwards.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Behavior {
    /// Delay from header release to the first token chunk.
    pub ttft_ms: f64,
    /// Delay per token after the first; a chunk of `k` tokens follows the previous one by `k * itl_ms`.
    pub itl_ms: f64,
    /// Half-width of the uniform jitter added to every chunk deadline.
    pub jitter_ms: f64,
    /// Jitter seed; the request's prompt text is mixed in so equal prompts get equal delays.
    pub seed: u64,
    /// Tokens per SSE chunk (>1 models speculative decoding / batching).
    pub tokens_per_chunk: u32,
    /// Natural output length ("EOS" point); `None` means generate until `max_tokens`.
    pub output_tokens: Option<u32>,
    /// `max_tokens` used when the request gives none.
    pub default_max_tokens: u32,
    /// Leading tokens sent as `reasoning_content` instead of `content` (chat only).
    pub reasoning_tokens: u32,
    /// When the chat role-only chunk is sent.
    pub role_chunk: RoleChunk,
    /// Fault "slow headers": hold the response headers this long after the request arrived.
    pub header_delay_ms: f64,
    /// Fault: answer with this HTTP status (e.g. 429, 500) and an OpenAI error body.
    pub status: Option<u16>,
    /// Fault: abort the connection/stream after this many token chunks.
    pub drop_after_chunks: Option<u32>,
    /// Fault: send a chunk of invalid JSON before token chunk number `n` (the stream then goes on).
    pub malformed_at_chunk: Option<u32>,
    /// Fault: after this many token chunks send `data: {"error": {...}}` and end the stream.
    pub error_event_after_chunks: Option<u32>,
    /// Fault: after this many token chunks stop sending anything and never end.
    pub hang_after_chunks: Option<u32>,
    /// Fraction of requests (0..=1) that get the faults above; the pick is seeded by `seed`
    /// and the request's sequence number.
    pub fault_rate: f64,
}

impl Default for Behavior {
    fn default() -> Self {
        Self {
            ttft_ms: 50.0,
            itl_ms: 10.0,
            jitter_ms: 0.0,
            seed: 0,
            tokens_per_chunk: 1,
            output_tokens: None,
            default_max_tokens: 16,
            reasoning_tokens: 0,
            role_chunk: RoleChunk::WithFirst,
            header_delay_ms: 0.0,
            status: None,
            drop_after_chunks: None,
            malformed_at_chunk: None,
            error_event_after_chunks: None,
            hang_after_chunks: None,
            fault_rate: 1.0,
        }
    }
}

impl Behavior {
    /// Returns `self` with the keys of `patch` (a JSON object in this struct's shape) replaced.
    ///
    /// A `null` value clears an optional field, so a request can switch off a server-wide fault.
    pub fn merged(&self, patch: &Value) -> Result<Behavior, ControlError> {
        let Value::Object(patch) = patch else {
            return Err(ControlError::NotAnObject);
        };
        let mut base = match serde_json::to_value(self) {
            Ok(Value::Object(m)) => m,
            _ => Map::new(),
        };
        for (k, v) in patch {
            base.insert(k.clone(), v.clone());
        }
        let merged: Behavior = serde_json::from_value(Value::Object(base))
            .map_err(|e| ControlError::Invalid(e.to_string()))?;
        merged.validate()?;
        Ok(merged)
    }

    /// Checks ranges so timing arithmetic cannot overflow or go negative.
    pub fn validate(&self) -> Result<(), ControlError> {
        for (name, v) in [
            ("ttft_ms", self.ttft_ms),
            ("itl_ms", self.itl_ms),
            ("jitter_ms", self.jitter_ms),
            ("header_delay_ms", self.header_delay_ms),
        ] {
            if !v.is_finite() || !(0.0..=MAX_DELAY_MS).contains(&v) {
                return Err(ControlError::OutOfRange {
                    field: name,
                    reason: format!("must be within 0..={MAX_DELAY_MS} ms, got {v}"),
                });
            }
        }
        if self.tokens_per_chunk == 0 {
            return Err(ControlError::OutOfRange {
                field: "tokens_per_chunk",
                reason: "must be at least 1".into(),
            });
        }
        if self.default_max_tokens == 0 || self.default_max_tokens > MAX_OUTPUT_TOKENS {
            return Err(ControlError::OutOfRange {
                field: "default_max_tokens",
                reason: format!("must be within 1..={MAX_OUTPUT_TOKENS}"),
            });
        }
        if let Some(s) = self.status {
            if !(400..=599).contains(&s) {
                return Err(ControlError::OutOfRange {
                    field: "status",
                    reason: format!("must be an error status 400..=599, got {s}"),
                });
            }
        }
        if !(0.0..=1.0).contains(&self.fault_rate) {
            return Err(ControlError::OutOfRange {
                field: "fault_rate",
                reason: format!("must be within 0..=1, got {}", self.fault_rate),
            });
        }
        Ok(())
    }

    /// True when any fault is configured (before `fault_rate` is applied).
    pub fn has_fault(&self) -> bool {
        self.status.is_some()
            || self.header_delay_ms > 0.0
            || self.drop_after_chunks.is_some()
            || self.malformed_at_chunk.is_some()
            || self.error_event_after_chunks.is_some()
            || self.hang_after_chunks.is_some()
    }

    /// Removes every fault; used for requests that `fault_rate` leaves healthy.
    pub fn without_faults(&self) -> Behavior {
        Behavior {
            header_delay_ms: 0.0,
            status: None,
            drop_after_chunks: None,
            malformed_at_chunk: None,
            error_event_after_chunks: None,
            hang_after_chunks: None,
            ..self.clone()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn merge_overrides_only_given_keys() {
        let b = Behavior::default()
            .merged(&json!({"ttft_ms": 5, "status": 429}))
            .unwrap();
        assert_eq!(b.ttft_ms, 5.0);
        assert_eq!(b.status, Some(429));
        assert_eq!(b.itl_ms, Behavior::default().itl_ms);
    }

    #[test]
    fn null_clears_a_default_fault() {
        let base = Behavior {
            status: Some(500),
            ..Behavior::default()
        };
        assert_eq!(base.merged(&json!({"status": null})).unwrap().status, None);
    }

    #[test]
    fn rejects_typos_and_bad_ranges() {
        let d = Behavior::default();
        assert!(matches!(
            d.merged(&json!({"ttft": 1})),
            Err(ControlError::Invalid(_))
        ));
        assert!(d.merged(&json!({"itl_ms": -1})).is_err());
        assert!(d.merged(&json!({"tokens_per_chunk": 0})).is_err());
        assert!(d.merged(&json!({"status": 200})).is_err());
        assert!(d.merged(&json!({"fault_rate": 2})).is_err());
        assert!(d.merged(&json!([1])).is_err());
        assert!(d.merged(&json!({"role_chunk": "immediate"})).is_ok());
    }
}
