//! Typed messages between the page and the tokenizer Web Worker. Both sides serialise these
//! as JSON strings, so a mismatch is an error value, never undefined behaviour.

use serde::{Deserialize, Serialize};

use crate::{ChatMessage, Counts, TokenView};

/// Work for the worker. `key` names a loaded tokenizer (the page uses its source).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Command {
    /// Fetch `tokenizer.json` from `url` and `tokenizer_config.json` beside it; keep as `key`.
    /// `token` (a Hugging Face token) is sent as `Authorization: Bearer`; `cache` keeps both
    /// files in Cache Storage so a reload needs no download (Hub and URL sources).
    Load {
        key: String,
        url: String,
        token: Option<String>,
        #[serde(default)]
        cache: bool,
    },
    /// A `tokenizer.json` the user dropped or picked (and optionally its config), as text.
    LoadText {
        key: String,
        json: String,
        config: Option<String>,
    },
    /// Token view of `text` (no special tokens added), at most `max_tokens` shown.
    View {
        key: String,
        text: String,
        max_tokens: Option<usize>,
    },
    /// Counts only (fast path for long texts).
    Count { key: String, text: String },
    /// Ids back to text.
    Decode { key: String, ids: Vec<u32> },
    /// Text of exactly `n` tokens.
    Synthetic { key: String, n: usize, seed: u64 },
    /// Render `messages` with the tokenizer's chat template (or `template`, an edited one)
    /// and count the result's tokens as `apply_chat_template(tokenize=True)` does.
    Chat {
        key: String,
        messages: Vec<ChatMessage>,
        add_generation_prompt: bool,
        template: Option<String>,
    },
    /// Forget every tokenizer kept in Cache Storage.
    ClearCache,
    /// Panic on purpose: lets a test check that a crash is reported and the worker restarts.
    Crash,
}

/// A command with the id its reply will carry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Request {
    pub id: u64,
    pub command: Command,
}

/// What a command produced.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Payload {
    Loaded {
        info: LoadedInfo,
    },
    View {
        view: TokenView,
    },
    Counts {
        counts: Counts,
    },
    Text {
        text: String,
    },
    /// A rendered chat prompt, its counts and ids.
    Chat {
        rendered: String,
        counts: Counts,
        ids: Vec<u32>,
    },
    /// Done, nothing to return.
    Done,
}

/// What the page learns about a tokenizer it loaded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LoadedInfo {
    /// Vocabulary size including added tokens.
    pub vocab_size: usize,
    /// Size of `tokenizer.json`.
    pub bytes: usize,
    /// Download (or cache read) plus parse.
    pub load_ms: f64,
    /// Whether the files came from Cache Storage.
    pub from_cache: bool,
    /// The default chat template's source, if the config has one.
    pub chat_template: Option<String>,
    /// Whether a `tokenizer_config.json` was found.
    pub has_config: bool,
}

/// Download progress of request `id`, posted while a `Load` fetches.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Progress {
    pub id: u64,
    /// Bytes received so far.
    pub loaded: u64,
    /// `Content-Length`, when the server sent it.
    pub total: Option<u64>,
}

/// Every message the worker posts after [`READY`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "msg", rename_all = "snake_case")]
pub enum FromWorker {
    Reply(Reply),
    Progress(Progress),
}

/// The answer to request `id`: a payload, or a message for the user.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reply {
    pub id: u64,
    pub result: Result<Payload, String>,
}

/// The first message a worker posts: before it, messages to the worker would be lost.
pub const READY: &str = "ready";

/// Posted by the worker's loader script when the wasm traps (see Trunk.toml): the page fails
/// every waiting call and starts a fresh worker on the next one.
pub const CRASHED: &str = "crashed";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_round_trip_as_json() {
        let r = Request {
            id: 7,
            command: Command::Decode {
                key: "qwen3".into(),
                ids: vec![1, 2],
            },
        };
        let back: Request = serde_json::from_str(&serde_json::to_string(&r).unwrap()).unwrap();
        assert_eq!(back, r);
        let reply = Reply {
            id: 7,
            result: Err("nope".into()),
        };
        let msg = FromWorker::Reply(reply);
        let back: FromWorker = serde_json::from_str(&serde_json::to_string(&msg).unwrap()).unwrap();
        assert_eq!(back, msg);
        let msg = FromWorker::Progress(Progress {
            id: 7,
            loaded: 10,
            total: None,
        });
        let back: FromWorker = serde_json::from_str(&serde_json::to_string(&msg).unwrap()).unwrap();
        assert_eq!(back, msg);
    }
}
