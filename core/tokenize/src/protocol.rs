//! Typed messages between the page and the tokenizer Web Worker. Both sides serialise these
//! as JSON strings, so a mismatch is an error value, never undefined behaviour.

use serde::{Deserialize, Serialize};

use crate::{Counts, TokenView};

/// Work for the worker. `key` names a loaded tokenizer (the page uses its source).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Command {
    /// Fetch `tokenizer.json` from `url` and `tokenizer_config.json` beside it; keep as `key`.
    Load {
        key: String,
        url: String,
        token: Option<String>,
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
        vocab_size: usize,
        bytes: usize,
        load_ms: f64,
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
}

/// The answer to request `id`: a payload, or a message for the user.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reply {
    pub id: u64,
    pub result: Result<Payload, String>,
}

/// The first message a worker posts: before it, messages to the worker would be lost.
pub const READY: &str = "ready";

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
        let back: Reply = serde_json::from_str(&serde_json::to_string(&reply).unwrap()).unwrap();
        assert_eq!(back, reply);
    }
}
