//! OpenAI-compatible wire format: request bodies, streamed chunks, `/v1/models`, error bodies.
//!
//! vLLM, SGLang, TGI, llama.cpp and Ollama all speak this dialect with small differences, which
//! the parser tolerates: `reasoning_content` (vLLM/SGLang/DeepSeek) vs `reasoning` (newer vLLM,
//! Ollama), `error` objects or strings inside the stream (llama.cpp, vLLM), usage on a final
//! chunk with empty `choices` (`stream_options.include_usage`, OpenAI spec).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Which endpoint to drive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Api {
    /// `POST /v1/chat/completions` with `messages`.
    #[default]
    Chat,
    /// `POST /v1/completions` with `prompt`.
    Completions,
}

impl Api {
    /// Path below the `/v1` base.
    pub fn path(self) -> &'static str {
        match self {
            Api::Chat => "chat/completions",
            Api::Completions => "completions",
        }
    }

    /// URL-parameter spelling (`chat` | `completions`).
    pub fn as_str(self) -> &'static str {
        match self {
            Api::Chat => "chat",
            Api::Completions => "completions",
        }
    }

    /// Parses the URL-parameter spelling.
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "chat" | "chat/completions" => Some(Api::Chat),
            "completions" | "completion" => Some(Api::Completions),
            _ => None,
        }
    }
}

/// Joins a user-typed base URL and an endpoint path, accepting bases with or without `/v1`
/// and trailing slashes (`http://h:8000`, `http://h:8000/`, `http://h:8000/v1/`). Of several
/// space-separated bases (see [`endpoint_urls`]) the first one is used.
pub fn endpoint_url(base: &str, path: &str) -> String {
    let base = base.split_whitespace().next().unwrap_or("");
    let base = base.trim_end_matches('/');
    let base = base.strip_suffix("/v1").unwrap_or(base);
    format!("{base}/v1/{}", path.trim_start_matches('/'))
}

/// The endpoint URL of every space-separated base URL, in order. Requests go to them round
/// robin: Chromium opens one HTTP/2 connection per origin and caps it at ~256 concurrent
/// streams, so a tab needs several origins (ports or host names of one server) for more.
pub fn endpoint_urls(bases: &str, path: &str) -> Vec<String> {
    let urls: Vec<String> = bases
        .split_whitespace()
        .map(|b| endpoint_url(b, path))
        .collect();
    if urls.is_empty() {
        vec![endpoint_url("", path)]
    } else {
        urls
    }
}

/// One chat message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    /// `system`, `user` or `assistant`.
    pub role: String,
    /// Plain text content.
    pub content: String,
}

impl Message {
    /// Shorthand constructor.
    pub fn new(role: &str, content: impl Into<String>) -> Self {
        Self {
            role: role.to_owned(),
            content: content.into(),
        }
    }
}

/// Sampling and protocol settings shared by every request of a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RequestSettings {
    /// Chat or completions.
    pub api: Api,
    /// Model id from `/v1/models`.
    pub model: String,
    /// `max_tokens` (OSL cap); `None` leaves the server default.
    pub max_tokens: Option<u32>,
    /// Sampling temperature; `None` leaves the server default.
    pub temperature: Option<f64>,
    /// vLLM/SGLang/llama.cpp extension: keep generating past EOS so every request yields
    /// exactly `max_tokens` (needed for fixed-OSL benchmarks).
    pub ignore_eos: bool,
    /// vLLM extension: minimum number of generated tokens.
    pub min_tokens: Option<u32>,
    /// Ask for the final usage chunk (`stream_options.include_usage`), the exact token count.
    pub include_usage: bool,
    /// Stream (SSE) or not.
    pub stream: bool,
    /// Extra top-level JSON fields, merged last (they override the above).
    pub extra_body: Map<String, Value>,
}

impl Default for RequestSettings {
    fn default() -> Self {
        Self {
            api: Api::Chat,
            model: String::new(),
            max_tokens: Some(128),
            temperature: Some(0.0),
            ignore_eos: false,
            min_tokens: None,
            include_usage: true,
            stream: true,
            extra_body: Map::new(),
        }
    }
}

/// Renders messages as one prompt for `/v1/completions` (no chat template is known here, so
/// the texts are joined by blank lines; use the chat API for template-faithful prompts).
pub fn messages_to_text(messages: &[Message]) -> String {
    messages
        .iter()
        .map(|m| m.content.as_str())
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// Builds the JSON body for one request.
pub fn build_body(settings: &RequestSettings, messages: &[Message]) -> Value {
    build_body_with_max(settings, messages, None)
}

/// [`build_body`] with a per-prompt `max_tokens` (a JSONL line's `max_tokens` /
/// `output_tokens`) that wins over the form's; `min_tokens` is capped to it, so the pair
/// stays valid for the server.
pub fn build_body_with_max(
    settings: &RequestSettings,
    messages: &[Message],
    max_tokens: Option<u32>,
) -> Value {
    let max_tokens = max_tokens.or(settings.max_tokens);
    let mut body = Map::new();
    body.insert("model".into(), Value::String(settings.model.clone()));
    match settings.api {
        Api::Chat => {
            body.insert(
                "messages".into(),
                serde_json::to_value(messages).unwrap_or(Value::Array(Vec::new())),
            );
        }
        Api::Completions => {
            body.insert("prompt".into(), Value::String(messages_to_text(messages)));
        }
    }
    body.insert("stream".into(), Value::Bool(settings.stream));
    if settings.stream && settings.include_usage {
        body.insert(
            "stream_options".into(),
            serde_json::json!({ "include_usage": true }),
        );
    }
    if let Some(n) = max_tokens {
        body.insert("max_tokens".into(), n.into());
    }
    if let Some(t) = settings.temperature.filter(|t| t.is_finite()) {
        body.insert("temperature".into(), t.into());
    }
    if settings.ignore_eos {
        body.insert("ignore_eos".into(), Value::Bool(true));
    }
    if let Some(n) = settings.min_tokens {
        let n = max_tokens.map_or(n, |m| n.min(m));
        body.insert("min_tokens".into(), n.into());
    }
    for (k, v) in &settings.extra_body {
        body.insert(k.clone(), v.clone());
    }
    Value::Object(body)
}

/// Token counts reported by the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Usage {
    /// Input tokens (ISL as the server counted it).
    pub prompt_tokens: Option<u64>,
    /// Output tokens, reasoning included (OSL).
    pub completion_tokens: Option<u64>,
    /// Reasoning tokens, where reported (`completion_tokens_details.reasoning_tokens`).
    pub reasoning_tokens: Option<u64>,
}

/// An error object the server put in the stream or body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiError {
    /// Human-readable message.
    pub message: String,
    /// `type` field, if any.
    pub kind: Option<String>,
    /// `code` field (number or string) rendered as text.
    pub code: Option<String>,
}

/// What one streamed chunk (or a whole non-streamed response) carried.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Chunk {
    /// Number of `choices` entries (0 for a usage-only chunk).
    pub choices: usize,
    /// A `role` was present (vLLM/SGLang's role-only first chunk).
    pub role: bool,
    /// Content text (`delta.content`, `message.content` or completions `text`).
    pub content: String,
    /// Reasoning text (`reasoning_content` or `reasoning`).
    pub reasoning: String,
    /// `finish_reason` of the first choice that has one.
    pub finish_reason: Option<String>,
    /// Usage, when the chunk carries it.
    pub usage: Option<Usage>,
}

impl Chunk {
    /// True when the chunk carries generated text (content or reasoning): the TTFT event.
    pub fn has_token(&self) -> bool {
        !self.content.is_empty() || !self.reasoning.is_empty()
    }
}

/// One parsed SSE `data:` payload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum StreamItem {
    /// A JSON chunk.
    Chunk(Chunk),
    /// The `[DONE]` sentinel.
    Done,
    /// An `error` object inside the stream.
    Error(ApiError),
}

/// Why a payload could not be understood.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum ChunkError {
    /// Not JSON at all.
    #[error("chunk is not JSON: {snippet}")]
    NotJson {
        /// The first bytes of the payload.
        snippet: String,
    },
    /// JSON, but not an object.
    #[error("chunk is JSON but not an object: {snippet}")]
    NotObject {
        /// The first bytes of the payload.
        snippet: String,
    },
}

fn snippet(s: &str) -> String {
    s.chars().take(120).collect()
}

fn text_of(v: Option<&Value>) -> &str {
    v.and_then(Value::as_str).unwrap_or("")
}

/// Extracts an error from an `error` value: object (`{message,type,code}`) or plain string.
fn api_error(v: &Value) -> ApiError {
    match v {
        Value::String(s) => ApiError {
            message: s.clone(),
            kind: None,
            code: None,
        },
        Value::Object(o) => ApiError {
            message: o
                .get("message")
                .and_then(Value::as_str)
                .map(str::to_owned)
                .unwrap_or_else(|| v.to_string()),
            kind: o.get("type").and_then(Value::as_str).map(str::to_owned),
            code: o.get("code").and_then(|c| match c {
                Value::String(s) => Some(s.clone()),
                Value::Number(n) => Some(n.to_string()),
                _ => None,
            }),
        },
        other => ApiError {
            message: other.to_string(),
            kind: None,
            code: None,
        },
    }
}

fn parse_usage(v: &Value) -> Option<Usage> {
    let o = v.as_object()?;
    Some(Usage {
        prompt_tokens: o.get("prompt_tokens").and_then(Value::as_u64),
        completion_tokens: o.get("completion_tokens").and_then(Value::as_u64),
        reasoning_tokens: o
            .get("completion_tokens_details")
            .and_then(|d| d.get("reasoning_tokens"))
            .and_then(Value::as_u64),
    })
}

/// Parses one SSE `data` payload of a chat or completions stream. Also accepts a whole
/// non-streamed response body (`message` instead of `delta`).
pub fn parse_data(data: &str) -> Result<StreamItem, ChunkError> {
    let trimmed = data.trim();
    if trimmed == "[DONE]" {
        return Ok(StreamItem::Done);
    }
    let v: Value = serde_json::from_str(trimmed).map_err(|_| ChunkError::NotJson {
        snippet: snippet(trimmed),
    })?;
    let o = v.as_object().ok_or_else(|| ChunkError::NotObject {
        snippet: snippet(trimmed),
    })?;
    if let Some(e) = o.get("error").filter(|e| !e.is_null()) {
        return Ok(StreamItem::Error(api_error(e)));
    }
    let mut chunk = Chunk {
        usage: o.get("usage").and_then(parse_usage),
        ..Chunk::default()
    };
    if let Some(choices) = o.get("choices").and_then(Value::as_array) {
        chunk.choices = choices.len();
        for c in choices {
            let delta = c.get("delta").or_else(|| c.get("message"));
            if let Some(d) = delta {
                chunk.role |= d.get("role").is_some_and(|r| !r.is_null());
                chunk.content.push_str(text_of(d.get("content")));
                chunk
                    .reasoning
                    .push_str(text_of(d.get("reasoning_content")));
                chunk.reasoning.push_str(text_of(d.get("reasoning")));
            }
            chunk.content.push_str(text_of(c.get("text")));
            if chunk.finish_reason.is_none() {
                chunk.finish_reason = c
                    .get("finish_reason")
                    .and_then(Value::as_str)
                    .map(str::to_owned);
            }
        }
    }
    Ok(StreamItem::Chunk(chunk))
}

/// What the tracker needs from one streamed chunk, without copying its text: the counts of
/// content and reasoning characters instead of the strings.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ChunkCounts {
    /// A `role` was present.
    pub role: bool,
    /// Characters of content text.
    pub content_chars: u64,
    /// Characters of reasoning text.
    pub reasoning_chars: u64,
    /// `finish_reason` of the first choice that has one.
    pub finish_reason: Option<String>,
    /// Usage, when the chunk carries it.
    pub usage: Option<Usage>,
}

impl ChunkCounts {
    /// True when the chunk carries generated text: the TTFT event.
    pub fn has_token(&self) -> bool {
        self.content_chars > 0 || self.reasoning_chars > 0
    }
}

impl From<&Chunk> for ChunkCounts {
    fn from(c: &Chunk) -> Self {
        Self {
            role: c.role,
            content_chars: c.content.chars().count() as u64,
            reasoning_chars: c.reasoning.chars().count() as u64,
            finish_reason: c.finish_reason.clone(),
            usage: c.usage,
        }
    }
}

/// One payload as [`parse_counts`] sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CountsItem {
    /// A JSON chunk.
    Chunk(ChunkCounts),
    /// The `[DONE]` sentinel.
    Done,
    /// An `error` object inside the stream.
    Error(ApiError),
}

/// The typed shapes of the fast path: strings borrowed from the payload where it has no
/// escapes. Any surprise (a non-string `content`, an `error` key, a duplicate key) makes
/// deserialization fail and [`parse_counts`] falls back to [`parse_data`], so both agree.
mod fast {
    use std::borrow::Cow;

    use serde::de::IgnoredAny;
    use serde::Deserialize;

    #[derive(Deserialize)]
    pub struct Chunk<'a> {
        #[serde(borrow, default)]
        pub choices: Option<Vec<Choice<'a>>>,
        #[serde(default)]
        pub usage: Option<Usage>,
        #[serde(default)]
        pub error: Option<IgnoredAny>,
    }

    #[derive(Deserialize)]
    pub struct Choice<'a> {
        /// Outer `Some`: the key is present (even as `null`, which hides `message` in
        /// `parse_data` too).
        #[serde(borrow, default, deserialize_with = "present")]
        pub delta: Option<Option<Delta<'a>>>,
        #[serde(borrow, default, deserialize_with = "present")]
        pub message: Option<Option<Delta<'a>>>,
        #[serde(borrow, default)]
        pub text: Option<Cow<'a, str>>,
        #[serde(borrow, default)]
        pub finish_reason: Option<Cow<'a, str>>,
    }

    fn present<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
    where
        D: serde::Deserializer<'de>,
        T: Deserialize<'de>,
    {
        T::deserialize(d).map(Some)
    }

    #[derive(Deserialize)]
    pub struct Delta<'a> {
        #[serde(default)]
        pub role: Option<IgnoredAny>,
        #[serde(borrow, default)]
        pub content: Option<Cow<'a, str>>,
        #[serde(borrow, default)]
        pub reasoning_content: Option<Cow<'a, str>>,
        #[serde(borrow, default)]
        pub reasoning: Option<Cow<'a, str>>,
    }

    #[derive(Deserialize)]
    pub struct Usage {
        #[serde(default)]
        pub prompt_tokens: Option<u64>,
        #[serde(default)]
        pub completion_tokens: Option<u64>,
        #[serde(default)]
        pub completion_tokens_details: Option<Details>,
    }

    #[derive(Deserialize)]
    pub struct Details {
        #[serde(default)]
        pub reasoning_tokens: Option<u64>,
    }
}

fn chars(s: Option<&std::borrow::Cow<'_, str>>) -> u64 {
    s.map_or(0, |s| s.chars().count() as u64)
}

fn parse_counts_fast(data: &str) -> Option<ChunkCounts> {
    let c: fast::Chunk<'_> = serde_json::from_str(data).ok()?;
    if c.error.is_some() {
        return None;
    }
    let mut out = ChunkCounts {
        usage: c.usage.map(|u| Usage {
            prompt_tokens: u.prompt_tokens,
            completion_tokens: u.completion_tokens,
            reasoning_tokens: u.completion_tokens_details.and_then(|d| d.reasoning_tokens),
        }),
        ..ChunkCounts::default()
    };
    for ch in c.choices.iter().flatten() {
        // `parse_data` reads `delta`, else `message`.
        let d = match (&ch.delta, &ch.message) {
            (Some(d), _) => d.as_ref(),
            (None, Some(m)) => m.as_ref(),
            (None, None) => None,
        };
        if let Some(d) = d {
            out.role |= d.role.is_some();
            out.content_chars += chars(d.content.as_ref());
            out.reasoning_chars +=
                chars(d.reasoning_content.as_ref()) + chars(d.reasoning.as_ref());
        }
        out.content_chars += chars(ch.text.as_ref());
        if out.finish_reason.is_none() {
            out.finish_reason = ch.finish_reason.as_deref().map(str::to_owned);
        }
    }
    Some(out)
}

/// [`parse_data`] for the hot path: a typed parse that copies no text (OpenAI chunks as
/// vLLM, TGI, llama.cpp, SGLang and Ollama send them), falling back to the general parser
/// for anything unusual. Gives the same answer as `parse_data` (checked by a property test).
pub fn parse_counts(data: &str) -> Result<CountsItem, ChunkError> {
    let trimmed = data.trim();
    if trimmed == "[DONE]" {
        return Ok(CountsItem::Done);
    }
    if let Some(c) = parse_counts_fast(trimmed) {
        return Ok(CountsItem::Chunk(c));
    }
    Ok(match parse_data(trimmed)? {
        StreamItem::Chunk(c) => CountsItem::Chunk(ChunkCounts::from(&c)),
        StreamItem::Done => CountsItem::Done,
        StreamItem::Error(e) => CountsItem::Error(e),
    })
}

/// Pulls a readable message out of an HTTP error body (JSON `error`/`message`/`detail`, or
/// the text itself, shortened).
pub fn error_message_from_body(body: &str) -> Option<String> {
    let t = body.trim();
    if t.is_empty() {
        return None;
    }
    if let Ok(v) = serde_json::from_str::<Value>(t) {
        if let Some(e) = v.get("error") {
            return Some(api_error(e).message);
        }
        for key in ["message", "detail"] {
            if let Some(m) = v.get(key) {
                return Some(
                    m.as_str()
                        .map(str::to_owned)
                        .unwrap_or_else(|| m.to_string()),
                );
            }
        }
    }
    Some(snippet(t))
}

/// One entry of `GET /v1/models`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModelInfo {
    /// The id to put in `model`.
    pub id: String,
    /// `owned_by`, which often names the engine (`vllm`, `llamacpp`, `sglang`).
    pub owned_by: Option<String>,
    /// vLLM's `max_model_len`, when present.
    pub max_model_len: Option<u64>,
}

/// Why a models list could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ModelsError {
    /// Body is not JSON.
    #[error("the models response is not JSON: {0}")]
    NotJson(String),
    /// JSON without `data` or `models` arrays.
    #[error("the models response has neither `data` nor `models`")]
    NoList,
}

/// Parses `GET /v1/models` (OpenAI `data[].id`), also Ollama's `/api/tags` (`models[].name`).
pub fn parse_models(body: &str) -> Result<Vec<ModelInfo>, ModelsError> {
    let v: Value =
        serde_json::from_str(body.trim()).map_err(|_| ModelsError::NotJson(snippet(body)))?;
    if let Some(list) = v.get("data").and_then(Value::as_array) {
        return Ok(list
            .iter()
            .filter_map(|m| {
                Some(ModelInfo {
                    id: m.get("id")?.as_str()?.to_owned(),
                    owned_by: m.get("owned_by").and_then(Value::as_str).map(str::to_owned),
                    max_model_len: m.get("max_model_len").and_then(Value::as_u64),
                })
            })
            .collect());
    }
    if let Some(list) = v.get("models").and_then(Value::as_array) {
        return Ok(list
            .iter()
            .filter_map(|m| {
                let id = m.get("name").or_else(|| m.get("model"))?.as_str()?;
                Some(ModelInfo {
                    id: id.to_owned(),
                    owned_by: None,
                    max_model_len: None,
                })
            })
            .collect());
    }
    Err(ModelsError::NoList)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    fn chunk(s: &str) -> Chunk {
        match parse_data(s) {
            Ok(StreamItem::Chunk(c)) => c,
            other => panic!("not a chunk: {other:?}"),
        }
    }

    #[test]
    fn several_bases() {
        let u = endpoint_urls(" https://a:1/v1  https://a:2/ ", "chat/completions");
        assert_eq!(
            u,
            [
                "https://a:1/v1/chat/completions",
                "https://a:2/v1/chat/completions"
            ]
        );
        assert_eq!(
            endpoint_url("https://a:1 https://a:2", "models"),
            "https://a:1/v1/models"
        );
        assert_eq!(endpoint_urls("", "models"), ["/v1/models"]);
    }

    #[test]
    fn urls() {
        for base in [
            "http://h:8000",
            "http://h:8000/",
            "http://h:8000/v1",
            "http://h:8000/v1/",
        ] {
            assert_eq!(
                endpoint_url(base, Api::Chat.path()),
                "http://h:8000/v1/chat/completions"
            );
        }
        assert_eq!(endpoint_url("http://h", "models"), "http://h/v1/models");
    }

    #[test]
    fn chat_body() {
        let s = RequestSettings {
            model: "m".into(),
            max_tokens: Some(16),
            ignore_eos: true,
            min_tokens: Some(16),
            extra_body: [
                ("top_p".to_owned(), json!(0.9)),
                ("stream".to_owned(), json!(true)),
            ]
            .into_iter()
            .collect(),
            ..RequestSettings::default()
        };
        let b = build_body(&s, &[Message::new("user", "hi")]);
        assert_eq!(
            b,
            json!({"model":"m","messages":[{"role":"user","content":"hi"}],"stream":true,
                "stream_options":{"include_usage":true},"max_tokens":16,"temperature":0.0,
                "ignore_eos":true,"min_tokens":16,"top_p":0.9})
        );
    }

    #[test]
    fn a_prompts_own_max_tokens_wins_and_caps_min_tokens() {
        let s = RequestSettings {
            model: "m".into(),
            max_tokens: Some(16),
            min_tokens: Some(16),
            ..RequestSettings::default()
        };
        let msgs = [Message::new("user", "hi")];
        let b = build_body_with_max(&s, &msgs, Some(5));
        assert_eq!(b["max_tokens"], json!(5));
        assert_eq!(b["min_tokens"], json!(5));
        let b = build_body_with_max(&s, &msgs, Some(64));
        assert_eq!(
            (b["max_tokens"].clone(), b["min_tokens"].clone()),
            (json!(64), json!(16))
        );
        assert_eq!(build_body_with_max(&s, &msgs, None), build_body(&s, &msgs));
    }

    #[test]
    fn completions_body_non_stream() {
        let s = RequestSettings {
            api: Api::Completions,
            model: "m".into(),
            stream: false,
            temperature: None,
            max_tokens: None,
            ..RequestSettings::default()
        };
        let b = build_body(
            &s,
            &[Message::new("system", "S"), Message::new("user", "U")],
        );
        assert_eq!(b, json!({"model":"m","prompt":"S\n\nU","stream":false}));
    }

    #[test]
    fn role_only_first_chunk() {
        let c = chunk(r#"{"choices":[{"index":0,"delta":{"role":"assistant","content":""}}]}"#);
        assert!(c.role);
        assert!(!c.has_token());
        let c = chunk(r#"{"choices":[{"index":0,"delta":{"role":"assistant","content":null}}]}"#);
        assert!(!c.has_token());
    }

    #[test]
    fn content_reasoning_text_finish() {
        assert_eq!(
            chunk(r#"{"choices":[{"delta":{"content":"Hi"}}]}"#).content,
            "Hi"
        );
        let c = chunk(r#"{"choices":[{"delta":{"reasoning_content":"hmm","content":null}}]}"#);
        assert_eq!(c.reasoning, "hmm");
        assert!(c.has_token());
        assert_eq!(
            chunk(r#"{"choices":[{"delta":{"reasoning":"r"}}]}"#).reasoning,
            "r"
        );
        assert_eq!(
            chunk(r#"{"choices":[{"text":"t","index":0}]}"#).content,
            "t"
        );
        let c = chunk(r#"{"choices":[{"delta":{},"finish_reason":"length"}]}"#);
        assert_eq!(c.finish_reason.as_deref(), Some("length"));
        assert!(!c.has_token());
    }

    #[test]
    fn usage_chunk() {
        let c = chunk(
            r#"{"choices":[],"usage":{"prompt_tokens":5,"completion_tokens":7,"total_tokens":12,
            "completion_tokens_details":{"reasoning_tokens":3}}}"#,
        );
        assert_eq!(c.choices, 0);
        assert_eq!(
            c.usage,
            Some(Usage {
                prompt_tokens: Some(5),
                completion_tokens: Some(7),
                reasoning_tokens: Some(3)
            })
        );
        // vLLM continuous usage stats / null usage.
        assert_eq!(chunk(r#"{"choices":[],"usage":null}"#).usage, None);
    }

    #[test]
    fn done_and_errors() {
        assert_eq!(parse_data(" [DONE] "), Ok(StreamItem::Done));
        assert_eq!(
            parse_data(r#"{"error":{"message":"boom","type":"server_error","code":500}}"#),
            Ok(StreamItem::Error(ApiError {
                message: "boom".into(),
                kind: Some("server_error".into()),
                code: Some("500".into())
            }))
        );
        assert!(matches!(
            parse_data(r#"{"error":"x"}"#),
            Ok(StreamItem::Error(_))
        ));
        assert!(matches!(
            parse_data("nope"),
            Err(ChunkError::NotJson { .. })
        ));
        assert!(matches!(
            parse_data("[1]"),
            Err(ChunkError::NotObject { .. })
        ));
    }

    #[test]
    fn non_stream_response() {
        let c = chunk(
            r#"{"choices":[{"message":{"role":"assistant","content":"ok"},"finish_reason":"stop"}],
            "usage":{"prompt_tokens":1,"completion_tokens":1}}"#,
        );
        assert_eq!(c.content, "ok");
        assert_eq!(c.usage.and_then(|u| u.completion_tokens), Some(1));
    }

    #[test]
    fn models() {
        let m = parse_models(
            r#"{"object":"list","data":[{"id":"llama","owned_by":"vllm","max_model_len":4096},{"x":1}]}"#,
        )
        .unwrap_or_default();
        assert_eq!(m.len(), 1);
        assert_eq!(m[0].max_model_len, Some(4096));
        let m = parse_models(r#"{"models":[{"name":"qwen:0.5b"}]}"#).unwrap_or_default();
        assert_eq!(m[0].id, "qwen:0.5b");
        assert_eq!(parse_models("{}"), Err(ModelsError::NoList));
        assert!(matches!(
            parse_models("<html>"),
            Err(ModelsError::NotJson(_))
        ));
    }

    #[test]
    fn error_bodies() {
        assert_eq!(
            error_message_from_body(r#"{"error":{"message":"rate"}}"#).as_deref(),
            Some("rate")
        );
        assert_eq!(
            error_message_from_body(r#"{"detail":"Not Found"}"#).as_deref(),
            Some("Not Found")
        );
        assert_eq!(error_message_from_body("  ").as_deref(), None);
    }

    proptest! {
        #[test]
        fn counts_agree_with_parse_data(
            role in prop::option::of(prop_oneof![Just("\"assistant\""), Just("null"), Just("1")]),
            content in prop::option::of(prop_oneof![Just("\"hé\\n\"".to_string()), Just("null".to_string()), Just("[1]".to_string()), "\"[a-z]{0,4}\"".prop_map(|s| s)]),
            reasoning in prop::option::of(prop_oneof![Just("\"r\"".to_string()), Just("7".to_string())]),
            key in prop_oneof![Just("delta"), Just("message"), Just("delta\":null,\"message")],
            text in prop::option::of(Just("\"t\\u00e9\"")),
            finish in prop::option::of(prop_oneof![Just("\"stop\""), Just("null"), Just("3")]),
            usage in prop::option::of(prop_oneof![Just("{\"completion_tokens\":3,\"prompt_tokens\":2}"), Just("{\"completion_tokens\":1.5}"), Just("null"), Just("{\"completion_tokens_details\":{\"reasoning_tokens\":2}}")]),
            error in prop::option::of(prop_oneof![Just("null"), Just("{\"message\":\"x\"}"), Just("\"boom\"")]),
            two in any::<bool>(),
        ) {
            let mut fields = Vec::new();
            if let Some(r) = role { fields.push(format!("\"role\":{r}")); }
            if let Some(c) = &content { fields.push(format!("\"content\":{c}")); }
            if let Some(r) = &reasoning { fields.push(format!("\"reasoning_content\":{r}")); }
            let mut choice = vec![format!("\"{key}\":{{{}}}", fields.join(","))];
            if let Some(t) = text { choice.push(format!("\"text\":{t}")); }
            if let Some(f) = finish { choice.push(format!("\"finish_reason\":{f}")); }
            let choice = format!("{{{}}}", choice.join(","));
            let choices = if two { format!("[{choice},{choice}]") } else { format!("[{choice}]") };
            let mut top = vec![format!("\"choices\":{choices}")];
            if let Some(u) = usage { top.push(format!("\"usage\":{u}")); }
            if let Some(e) = error { top.push(format!("\"error\":{e}")); }
            let data = format!("{{{}}}", top.join(","));
            let slow = match parse_data(&data) {
                Ok(StreamItem::Chunk(c)) => Ok(CountsItem::Chunk(ChunkCounts::from(&c))),
                Ok(StreamItem::Done) => Ok(CountsItem::Done),
                Ok(StreamItem::Error(e)) => Ok(CountsItem::Error(e)),
                Err(e) => Err(e),
            };
            prop_assert_eq!(parse_counts(&data), slow, "{}", data);
        }

        #[test]
        fn parse_never_panics(s in ".{0,200}") {
            let _ = parse_data(&s);
            let _ = parse_models(&s);
            let _ = error_message_from_body(&s);
        }
    }
}
