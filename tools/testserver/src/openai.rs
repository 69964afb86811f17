//! The OpenAI wire format: what is read from a request and the JSON of every response chunk.
//!
//! Chunk shapes follow the OpenAI API reference for `chat.completion.chunk` and
//! `text_completion`, as served by vLLM (role-only first chunk, separate finish chunk, usage chunk
//! with empty `choices` when `stream_options.include_usage` is set).

use serde_json::{json, Value};

use crate::behavior::{Behavior, MAX_OUTPUT_TOKENS};
use crate::error::RequestError;

/// Which generation endpoint was called.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Api {
    /// `POST /v1/chat/completions`
    Chat,
    /// `POST /v1/completions`
    Completions,
}

/// The fields of an OpenAI request that shape the fake answer.
#[derive(Debug, Clone, PartialEq)]
pub struct GenRequest {
    /// Endpoint.
    pub api: Api,
    /// Requested model (echoed back; any name is accepted).
    pub model: Option<String>,
    /// `stream: true`.
    pub stream: bool,
    /// `stream_options.include_usage: true`.
    pub include_usage: bool,
    /// `max_tokens` or `max_completion_tokens`.
    pub max_tokens: Option<u32>,
    /// vLLM's `min_tokens`.
    pub min_tokens: Option<u32>,
    /// vLLM's `ignore_eos`.
    pub ignore_eos: bool,
    /// Prompt text (chat: message contents joined by newlines).
    pub prompt: String,
    /// Raw `inferlab_test` control object, if any.
    pub control: Option<Value>,
}

impl GenRequest {
    /// Parses a request body; unknown OpenAI fields (temperature, …) are ignored like a real server.
    pub fn parse(api: Api, body: &[u8]) -> Result<GenRequest, RequestError> {
        let v: Value =
            serde_json::from_slice(body).map_err(|e| RequestError::NotJson(e.to_string()))?;
        let Value::Object(obj) = v else {
            return Err(RequestError::NotAnObject);
        };
        let model = match obj.get("model") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(_) => return Err(field("model", "must be a string")),
        };
        let stream = opt_bool(obj.get("stream"), "stream")?;
        let include_usage = match obj.get("stream_options") {
            None | Some(Value::Null) => false,
            Some(Value::Object(o)) => opt_bool(o.get("include_usage"), "stream_options")?,
            Some(_) => return Err(field("stream_options", "must be an object")),
        };
        let max_tokens = match opt_u32(obj.get("max_tokens"), "max_tokens")? {
            Some(m) => Some(m),
            None => opt_u32(obj.get("max_completion_tokens"), "max_completion_tokens")?,
        };
        if let Some(m) = max_tokens {
            if m == 0 || m > MAX_OUTPUT_TOKENS {
                return Err(field(
                    "max_tokens",
                    &format!("must be within 1..={MAX_OUTPUT_TOKENS}"),
                ));
            }
        }
        let min_tokens = opt_u32(obj.get("min_tokens"), "min_tokens")?;
        let ignore_eos = opt_bool(obj.get("ignore_eos"), "ignore_eos")?;
        let prompt = match api {
            Api::Chat => chat_prompt(obj.get("messages"))?,
            Api::Completions => completion_prompt(obj.get("prompt"))?,
        };
        let control = match obj.get("inferlab_test") {
            None | Some(Value::Null) => None,
            Some(v) => Some(v.clone()),
        };
        Ok(GenRequest {
            api,
            model,
            stream,
            include_usage,
            max_tokens,
            min_tokens,
            ignore_eos,
            prompt,
            control,
        })
    }

    /// Output length and finish reason: the natural length (`output_tokens`) unless
    /// `ignore_eos`, raised to `min_tokens`, capped by `max_tokens` (or the default).
    pub fn output_len(&self, b: &Behavior) -> (u32, FinishReason) {
        let max = self
            .max_tokens
            .unwrap_or(b.default_max_tokens)
            .clamp(1, MAX_OUTPUT_TOKENS);
        let natural = if self.ignore_eos {
            None
        } else {
            b.output_tokens
        };
        match natural {
            Some(k) if k < max => {
                let n = k.max(self.min_tokens.unwrap_or(0)).clamp(1, max);
                let reason = if n == max {
                    FinishReason::Length
                } else {
                    FinishReason::Stop
                };
                (n, reason)
            }
            _ => (max, FinishReason::Length),
        }
    }

    /// Rough prompt token count for `usage.prompt_tokens` (~4 characters per token; approximate).
    pub fn prompt_tokens(&self) -> u32 {
        let chars = self.prompt.chars().count();
        u32::try_from(chars.div_ceil(4).max(1)).unwrap_or(u32::MAX)
    }
}

/// `finish_reason` of the last chunk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FinishReason {
    /// Natural end of output.
    Stop,
    /// Hit `max_tokens`.
    Length,
}

impl FinishReason {
    fn as_str(self) -> &'static str {
        match self {
            FinishReason::Stop => "stop",
            FinishReason::Length => "length",
        }
    }
}

fn field(name: &'static str, reason: &str) -> RequestError {
    RequestError::Field {
        field: name,
        reason: reason.to_string(),
    }
}

fn opt_bool(v: Option<&Value>, name: &'static str) -> Result<bool, RequestError> {
    match v {
        None | Some(Value::Null) => Ok(false),
        Some(Value::Bool(b)) => Ok(*b),
        Some(_) => Err(field(name, "must be a boolean")),
    }
}

fn opt_u32(v: Option<&Value>, name: &'static str) -> Result<Option<u32>, RequestError> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => n
            .as_u64()
            .and_then(|x| u32::try_from(x).ok())
            .map(Some)
            .ok_or_else(|| field(name, "must be a non-negative integer")),
        Some(_) => Err(field(name, "must be an integer")),
    }
}

fn chat_prompt(messages: Option<&Value>) -> Result<String, RequestError> {
    let Some(Value::Array(msgs)) = messages else {
        return Err(field("messages", "must be an array"));
    };
    if msgs.is_empty() {
        return Err(field("messages", "must not be empty"));
    }
    let mut parts = Vec::with_capacity(msgs.len());
    for m in msgs {
        let Value::Object(m) = m else {
            return Err(field("messages", "each message must be an object"));
        };
        match m.get("content") {
            None | Some(Value::Null) => {}
            Some(Value::String(s)) => parts.push(s.clone()),
            // Content parts: [{"type": "text", "text": "..."}, ...]
            Some(Value::Array(items)) => {
                for it in items {
                    if let Some(Value::String(t)) = it.get("text") {
                        parts.push(t.clone());
                    }
                }
            }
            Some(_) => return Err(field("messages", "content must be a string or an array")),
        }
    }
    Ok(parts.join("\n"))
}

fn completion_prompt(prompt: Option<&Value>) -> Result<String, RequestError> {
    match prompt {
        Some(Value::String(s)) => Ok(s.clone()),
        Some(Value::Array(items)) => {
            let mut parts = Vec::with_capacity(items.len());
            for it in items {
                match it {
                    Value::String(s) => parts.push(s.clone()),
                    // Token ids: keep them as text so the record still shows the prompt.
                    Value::Number(n) => parts.push(n.to_string()),
                    _ => return Err(field("prompt", "array items must be strings or token ids")),
                }
            }
            Ok(parts.join(" "))
        }
        _ => Err(field("prompt", "must be a string or an array")),
    }
}

/// The fixed vocabulary of the fake model; token `i` is `WORDS[i % len]`, so output is
/// deterministic and every token is one short ASCII word with a leading space.
const WORDS: [&str; 16] = [
    " alpha",
    " bravo",
    " charlie",
    " delta",
    " echo",
    " foxtrot",
    " golf",
    " hotel",
    " india",
    " juliet",
    " kilo",
    " lima",
    " mike",
    " november",
    " oscar",
    " papa",
];

/// Text of tokens `from..to`.
pub fn token_text(from: u32, to: u32) -> String {
    (from..to)
        .map(|i| WORDS[(i as usize) % WORDS.len()])
        .collect()
}

/// Fields shared by every chunk of one response.
#[derive(Debug, Clone)]
pub struct ChunkHeader {
    /// Response id (`chatcmpl-…` / `cmpl-…`).
    pub id: String,
    /// Unix seconds.
    pub created: u64,
    /// Model name echoed back.
    pub model: String,
    /// Endpoint.
    pub api: Api,
}

impl ChunkHeader {
    fn object(&self) -> &'static str {
        match self.api {
            Api::Chat => "chat.completion.chunk",
            Api::Completions => "text_completion",
        }
    }

    fn chunk(&self, choices: Value) -> Value {
        json!({
            "id": self.id,
            "object": self.object(),
            "created": self.created,
            "model": self.model,
            "choices": choices,
        })
    }

    /// Chat role-only chunk.
    pub fn role(&self) -> Value {
        self.chunk(
            json!([{"index": 0, "delta": {"role": "assistant", "content": ""},
            "logprobs": null, "finish_reason": null}]),
        )
    }

    /// A chunk carrying `text` as content (or as `reasoning_content` when `reasoning`).
    pub fn tokens(&self, text: &str, reasoning: bool) -> Value {
        match self.api {
            Api::Chat => {
                let delta = if reasoning {
                    json!({"reasoning_content": text})
                } else {
                    json!({"content": text})
                };
                self.chunk(json!([{"index": 0, "delta": delta, "logprobs": null,
                    "finish_reason": null}]))
            }
            Api::Completions => self.chunk(json!([{"index": 0, "text": text, "logprobs": null,
                "finish_reason": null}])),
        }
    }

    /// The chunk with `finish_reason` and an empty delta.
    pub fn finish(&self, reason: FinishReason) -> Value {
        match self.api {
            Api::Chat => self.chunk(json!([{"index": 0, "delta": {}, "logprobs": null,
                "finish_reason": reason.as_str()}])),
            Api::Completions => self.chunk(json!([{"index": 0, "text": "", "logprobs": null,
                "finish_reason": reason.as_str()}])),
        }
    }

    /// The usage-only chunk (empty `choices`).
    pub fn usage(&self, prompt_tokens: u32, completion_tokens: u32) -> Value {
        let mut v = self.chunk(json!([]));
        v["usage"] = usage(prompt_tokens, completion_tokens);
        v
    }

    /// A whole non-streaming response.
    pub fn full(
        &self,
        reasoning: &str,
        content: &str,
        reason: FinishReason,
        prompt_tokens: u32,
        completion_tokens: u32,
    ) -> Value {
        let (object, choice) = match self.api {
            Api::Chat => {
                let mut message = json!({"role": "assistant", "content": content});
                if !reasoning.is_empty() {
                    message["reasoning_content"] = json!(reasoning);
                }
                (
                    "chat.completion",
                    json!({"index": 0, "message": message, "logprobs": null,
                        "finish_reason": reason.as_str()}),
                )
            }
            Api::Completions => (
                "text_completion",
                json!({"index": 0, "text": format!("{reasoning}{content}"), "logprobs": null,
                    "finish_reason": reason.as_str()}),
            ),
        };
        json!({
            "id": self.id,
            "object": object,
            "created": self.created,
            "model": self.model,
            "choices": [choice],
            "usage": usage(prompt_tokens, completion_tokens),
        })
    }
}

fn usage(prompt_tokens: u32, completion_tokens: u32) -> Value {
    json!({
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
        "total_tokens": u64::from(prompt_tokens) + u64::from(completion_tokens),
    })
}

/// OpenAI-style error object, used for HTTP error bodies and in-stream `error` events.
pub fn error_body(message: &str, kind: &str, code: u16) -> Value {
    json!({"error": {"message": message, "type": kind, "param": null, "code": code}})
}

/// Frames one SSE event: `data: <json>\n\n`.
pub fn sse(v: &Value) -> bytes::Bytes {
    bytes::Bytes::from(format!("data: {v}\n\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(body: Value, api: Api) -> Result<GenRequest, RequestError> {
        GenRequest::parse(api, body.to_string().as_bytes())
    }

    #[test]
    fn parses_chat_request() {
        let r = req(
            json!({"model": "m", "stream": true, "stream_options": {"include_usage": true},
                "max_completion_tokens": 7, "messages": [{"role": "system", "content": "s"},
                {"role": "user", "content": [{"type": "text", "text": "hi"}]}],
                "inferlab_test": {"ttft_ms": 1}, "temperature": 0.2}),
            Api::Chat,
        )
        .unwrap();
        assert!(r.stream && r.include_usage);
        assert_eq!(r.max_tokens, Some(7));
        assert_eq!(r.prompt, "s\nhi");
        assert_eq!(r.control, Some(json!({"ttft_ms": 1})));
    }

    #[test]
    fn rejects_bad_bodies_without_panicking() {
        assert!(matches!(
            GenRequest::parse(Api::Chat, b"{"),
            Err(RequestError::NotJson(_))
        ));
        assert_eq!(
            GenRequest::parse(Api::Chat, b"[]"),
            Err(RequestError::NotAnObject)
        );
        assert!(req(json!({"messages": "x"}), Api::Chat).is_err());
        assert!(req(json!({"messages": []}), Api::Chat).is_err());
        assert!(req(json!({"prompt": 3}), Api::Completions).is_err());
        assert!(req(json!({"prompt": "x", "max_tokens": 0}), Api::Completions).is_err());
        assert!(req(json!({"prompt": "x", "max_tokens": -1}), Api::Completions).is_err());
        assert!(req(json!({"prompt": "x", "stream": "yes"}), Api::Completions).is_err());
        assert!(req(json!({"prompt": ["a", 5]}), Api::Completions).is_ok());
    }

    #[test]
    fn output_length_rules() {
        let b = Behavior::default();
        let mut r = req(json!({"prompt": "x"}), Api::Completions).unwrap();
        assert_eq!(r.output_len(&b), (16, FinishReason::Length));
        r.max_tokens = Some(5);
        assert_eq!(r.output_len(&b), (5, FinishReason::Length));
        let eos = Behavior {
            output_tokens: Some(3),
            ..b.clone()
        };
        assert_eq!(r.output_len(&eos), (3, FinishReason::Stop));
        r.min_tokens = Some(4);
        assert_eq!(r.output_len(&eos), (4, FinishReason::Stop));
        r.ignore_eos = true;
        assert_eq!(r.output_len(&eos), (5, FinishReason::Length));
    }

    #[test]
    fn token_text_is_deterministic() {
        assert_eq!(token_text(0, 2), " alpha bravo");
        assert_eq!(token_text(16, 17), " alpha");
        assert_eq!(token_text(3, 3), "");
    }
}
