//! Loading a Hugging Face tokenizer and the operations every view needs: encode, decode, counts.
//!
//! Input arrives from the network, a dropped file or a URL, so every failure is a typed
//! [`LoadError`] / [`EngineError`] and nothing here panics: a panic in the wasm worker would
//! kill it mid-request.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use thiserror::Error;
use tokenizers::Tokenizer;

use crate::chat_template::{ChatMessage, RenderOptions, TemplateError};
use crate::config::TokenizerConfig;
use crate::spans::{self, PieceEncoding, TokenView};

/// Largest `tokenizer.json` accepted. Real ones are 2–35 MB (Gemma 3: 33 MB); the parsed
/// form takes several times the file size in memory, so a bound keeps a wrong file (a
/// model checkpoint dropped by mistake) from exhausting the worker.
pub const MAX_TOKENIZER_JSON_BYTES: usize = 64 * 1024 * 1024;

/// Largest `tokenizer_config.json` accepted (Gemma 3's is 1.1 MB of added-token entries).
pub const MAX_CONFIG_JSON_BYTES: usize = 16 * 1024 * 1024;

/// Why a tokenizer could not be loaded.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum LoadError {
    /// The file is larger than the bound.
    #[error("{what} is {size} bytes; the limit is {max} bytes")]
    TooLarge {
        /// Which file.
        what: &'static str,
        /// Its size.
        size: usize,
        /// The bound.
        max: usize,
    },
    /// Not parseable as JSON at all (HTML error page, binary, truncated download).
    #[error("{what} is not valid JSON: {detail}")]
    NotJson {
        /// Which file.
        what: &'static str,
        /// serde_json's message (with line and column).
        detail: String,
    },
    /// JSON, but not a `tokenizer.json` the `tokenizers` library understands.
    #[error("this JSON is not a Hugging Face tokenizer.json: {0}")]
    NotATokenizer(String),
    /// A regex in the pre-tokenizer or normalizer that fancy-regex cannot compile.
    #[error("unsupported regular expression {pattern:?}: {detail}")]
    UnsupportedRegex {
        /// The pattern as written in the file.
        pattern: String,
        /// fancy-regex's message.
        detail: String,
    },
}

/// Why encoding or decoding failed.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum EngineError {
    /// The `tokenizers` library reported an error (rare: e.g. a regex backtrack limit).
    #[error("tokenizer error: {0}")]
    Tokenizer(String),
    /// An id not in the vocabulary was given to decode.
    #[error("token id {id} is outside the vocabulary (size {vocab_size})")]
    UnknownId {
        /// The offending id.
        id: u32,
        /// Vocabulary size including added tokens.
        vocab_size: usize,
    },
}

/// Counts shown for a text.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Counts {
    /// Number of tokens.
    pub tokens: usize,
    /// Unicode scalar values (what Python's `len(str)` counts).
    pub chars: usize,
    /// UTF-8 bytes.
    pub bytes: usize,
    /// `chars / tokens`, 0 for no tokens.
    pub chars_per_token: f64,
}

impl Counts {
    /// Counts for `text` that encoded to `tokens` tokens.
    pub fn new(text: &str, tokens: usize) -> Self {
        let chars = text.chars().count();
        Self {
            tokens,
            chars,
            bytes: text.len(),
            chars_per_token: if tokens == 0 {
                0.0
            } else {
                chars as f64 / tokens as f64
            },
        }
    }
}

/// How many percent more (positive) or fewer tokens `n` is than `base`; `None` when `base`
/// is 0 (compare view: "+12.5 %" means this tokenizer needs 12.5 % more tokens).
pub fn percent_difference(n: usize, base: usize) -> Option<f64> {
    (base > 0).then(|| (n as f64 - base as f64) / base as f64 * 100.0)
}

/// The ids of an encoded text with their byte offsets into the input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Encoded {
    /// Token ids.
    pub ids: Vec<u32>,
    /// `[start, end)` byte offsets into the input for each id (as the `tokenizers` library
    /// reports them; special tokens added by the post-processor get `(0, 0)`).
    pub offsets: Vec<(usize, usize)>,
}

/// A chat conversation rendered by the template and encoded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChatPrompt {
    /// The prompt text the model sees.
    pub rendered: String,
    /// Its counts.
    pub counts: Counts,
    /// Its ids.
    pub ids: Vec<u32>,
}

/// Why a chat prompt could not be made.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum ChatError {
    /// Neither the config nor the user gave a template.
    #[error("this tokenizer has no chat_template (no tokenizer_config.json beside it, or none in it): paste one")]
    NoTemplate,
    /// The template failed to compile or render.
    #[error("the chat template failed: {0}")]
    Template(#[from] TemplateError),
    /// Encoding the rendered prompt failed.
    #[error(transparent)]
    Engine(#[from] EngineError),
}

/// A loaded tokenizer plus what its side file says.
#[derive(Debug)]
pub struct Engine {
    tokenizer: Tokenizer,
    config: TokenizerConfig,
    special_ids: HashSet<u32>,
    pieces: PieceEncoding,
}

fn check_size(what: &'static str, bytes: &[u8], max: usize) -> Result<(), LoadError> {
    if bytes.len() > max {
        return Err(LoadError::TooLarge {
            what,
            size: bytes.len(),
            max,
        });
    }
    Ok(())
}

/// Every regex pattern in the JSON (`{"Regex": "..."}` objects, used by `Split` pre-tokenizers
/// and `Replace` normalizers/decoders), to find the one fancy-regex rejects.
fn regex_patterns(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(o) => {
            if let Some(Value::String(p)) = o.get("Regex") {
                out.push(p.clone());
            }
            // Skip the (huge) vocabulary and merges: they hold no patterns.
            for (k, child) in o {
                if k != "vocab" && k != "merges" {
                    regex_patterns(child, out);
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|c| regex_patterns(c, out)),
        _ => {}
    }
}

impl Engine {
    /// Loads from the bytes of `tokenizer.json` and, optionally, `tokenizer_config.json`
    /// (for the chat template and BOS/EOS names). A config that is not JSON is reported
    /// (`NotJson` naming `tokenizer_config.json`; pass `None` to load without it); fields of
    /// unexpected shape in it are ignored, since the ids come from `tokenizer.json` alone.
    pub fn load(tokenizer_json: &[u8], config_json: Option<&[u8]>) -> Result<Self, LoadError> {
        check_size("tokenizer.json", tokenizer_json, MAX_TOKENIZER_JSON_BYTES)?;
        let value: Value =
            serde_json::from_slice(tokenizer_json).map_err(|e| LoadError::NotJson {
                what: "tokenizer.json",
                detail: e.to_string(),
            })?;
        let config = match config_json {
            Some(bytes) => {
                check_size("tokenizer_config.json", bytes, MAX_CONFIG_JSON_BYTES)?;
                let v: Value = serde_json::from_slice(bytes).map_err(|e| LoadError::NotJson {
                    what: "tokenizer_config.json",
                    detail: e.to_string(),
                })?;
                TokenizerConfig::from_value(&v)
            }
            None => TokenizerConfig::default(),
        };
        Self::from_value(value, config)
    }

    /// Loads from an already-parsed `tokenizer.json` value.
    pub fn from_value(value: Value, config: TokenizerConfig) -> Result<Self, LoadError> {
        if !value.is_object() || value.get("model").is_none() {
            return Err(LoadError::NotATokenizer(
                "no top-level \"model\" object".into(),
            ));
        }
        let pieces = PieceEncoding::detect(&value);
        let mut patterns = Vec::new();
        regex_patterns(&value, &mut patterns);
        let tokenizer: Tokenizer = match serde_json::from_value(value) {
            Ok(t) => t,
            Err(e) => {
                // Name the regex when that is what failed.
                for p in patterns {
                    if let Err(re) = fancy_regex::Regex::new(&p) {
                        return Err(LoadError::UnsupportedRegex {
                            pattern: p,
                            detail: re.to_string(),
                        });
                    }
                }
                return Err(LoadError::NotATokenizer(e.to_string()));
            }
        };
        let special_ids = tokenizer
            .get_added_tokens_decoder()
            .into_iter()
            .filter(|(_, t)| t.special)
            .map(|(id, _)| id)
            .collect();
        Ok(Self {
            tokenizer,
            config,
            special_ids,
            pieces,
        })
    }

    /// What `tokenizer_config.json` said (empty when none was given).
    pub fn config(&self) -> &TokenizerConfig {
        &self.config
    }

    /// How vocabulary strings map to bytes for this tokenizer.
    pub fn piece_encoding(&self) -> PieceEncoding {
        self.pieces
    }

    /// Vocabulary size including added tokens.
    pub fn vocab_size(&self) -> usize {
        self.tokenizer.get_vocab_size(true)
    }

    /// The vocabulary string of `id` (e.g. `Ġthe`, `▁the`, `##ing`), if it exists.
    pub fn id_to_token(&self, id: u32) -> Option<String> {
        self.tokenizer.id_to_token(id)
    }

    /// The id of a vocabulary string or added token.
    pub fn token_to_id(&self, token: &str) -> Option<u32> {
        self.tokenizer.token_to_id(token)
    }

    /// Whether `id` is a special added token (BOS, `<|im_start|>`, …).
    pub fn is_special(&self, id: u32) -> bool {
        self.special_ids.contains(&id)
    }

    /// Encodes `text`; `add_special_tokens` applies the post-processor (e.g. Llama's BOS),
    /// exactly as Python's `tokenizer.encode(text, add_special_tokens=…)`.
    pub fn encode(&self, text: &str, add_special_tokens: bool) -> Result<Encoded, EngineError> {
        let enc = self
            .tokenizer
            .encode(text, add_special_tokens)
            .map_err(|e| EngineError::Tokenizer(e.to_string()))?;
        Ok(Encoded {
            ids: enc.get_ids().to_vec(),
            offsets: enc.get_offsets().to_vec(),
        })
    }

    /// Only the ids (skips offset bookkeeping: faster for counting and long texts).
    pub fn ids(&self, text: &str, add_special_tokens: bool) -> Result<Vec<u32>, EngineError> {
        let enc = self
            .tokenizer
            .encode_fast(text, add_special_tokens)
            .map_err(|e| EngineError::Tokenizer(e.to_string()))?;
        Ok(enc.get_ids().to_vec())
    }

    /// Token/char/byte counts of `text`.
    pub fn count(&self, text: &str, add_special_tokens: bool) -> Result<Counts, EngineError> {
        Ok(Counts::new(text, self.ids(text, add_special_tokens)?.len()))
    }

    /// Decodes ids to text; ids outside the vocabulary are an error rather than silently
    /// dropped, so a pasted id list from another model is caught.
    pub fn decode(&self, ids: &[u32], skip_special_tokens: bool) -> Result<String, EngineError> {
        let vocab_size = self.vocab_size();
        if let Some(&id) = ids
            .iter()
            .find(|&&id| self.tokenizer.id_to_token(id).is_none())
        {
            return Err(EngineError::UnknownId { id, vocab_size });
        }
        self.tokenizer
            .decode(ids, skip_special_tokens)
            .map_err(|e| EngineError::Tokenizer(e.to_string()))
    }

    /// Renders `messages` with the tokenizer's default chat template, or `template` (an
    /// edited one), and encodes the result without adding special tokens, as
    /// `apply_chat_template(tokenize=True)` does (the template writes BOS itself).
    /// `today` feeds `strftime_now`.
    pub fn render_chat(
        &self,
        messages: &[ChatMessage],
        add_generation_prompt: bool,
        template: Option<&str>,
        today: Option<(i32, u32, u32)>,
    ) -> Result<ChatPrompt, ChatError> {
        let source = match template {
            Some(t) => t,
            None => self
                .config
                .chat_template(None)
                .map(|t| t.source.as_str())
                .ok_or(ChatError::NoTemplate)?,
        };
        let opts = RenderOptions {
            add_generation_prompt,
            bos_token: self.config.bos_token.clone(),
            eos_token: self.config.eos_token.clone(),
            unk_token: self.config.unk_token.clone(),
            pad_token: self.config.pad_token.clone(),
            today,
            extra: Default::default(),
        };
        let rendered = crate::chat_template::render(source, messages, &opts)?;
        let ids = self.ids(&rendered, false)?;
        Ok(ChatPrompt {
            counts: Counts::new(&rendered, ids.len()),
            rendered,
            ids,
        })
    }

    /// Everything the token view needs: per-token pieces and bytes, UTF-8 spans, counts.
    /// `max_tokens` bounds the per-token detail (a 10 MB paste is ~3M tokens, too many to
    /// send to the page or render); the counts always cover the whole text.
    pub fn token_view(
        &self,
        text: &str,
        add_special_tokens: bool,
        max_tokens: Option<usize>,
    ) -> Result<TokenView, EngineError> {
        let enc = self.encode(text, add_special_tokens)?;
        Ok(spans::build_view(self, text, &enc, max_tokens))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_differences() {
        assert_eq!(percent_difference(110, 100), Some(10.0));
        assert_eq!(percent_difference(90, 100), Some(-10.0));
        assert_eq!(percent_difference(5, 0), None);
    }

    #[test]
    fn rejects_non_json() {
        let e = Engine::load(b"<html>404</html>", None).unwrap_err();
        assert!(matches!(e, LoadError::NotJson { .. }), "{e:?}");
    }

    #[test]
    fn rejects_json_that_is_not_a_tokenizer() {
        let e = Engine::load(br#"{"hello": 1}"#, None).unwrap_err();
        assert!(matches!(e, LoadError::NotATokenizer(_)), "{e:?}");
        let e = Engine::load(br#"[1,2]"#, None).unwrap_err();
        assert!(matches!(e, LoadError::NotATokenizer(_)), "{e:?}");
        let e = Engine::load(br#"{"model": {"type": "Nope"}}"#, None).unwrap_err();
        assert!(matches!(e, LoadError::NotATokenizer(_)), "{e:?}");
    }

    fn tiny(pattern: &str) -> String {
        serde_json::json!({
            "version": "1.0",
            "truncation": null, "padding": null, "added_tokens": [],
            "normalizer": null,
            "pre_tokenizer": {"type": "Split", "pattern": {"Regex": pattern},
                               "behavior": "Isolated", "invert": false},
            "post_processor": null, "decoder": null,
            "model": {"type": "WordLevel", "vocab": {"a": 0, "b": 1, "[UNK]": 2}, "unk_token": "[UNK]"}
        })
        .to_string()
    }

    #[test]
    fn names_the_unsupported_regex() {
        // An unknown Unicode class: fancy-regex (and Oniguruma) reject it at load.
        let bad = r"(?<=a)\p{NoSuchClass}+";
        let e = Engine::load(tiny(bad).as_bytes(), None).unwrap_err();
        match e {
            LoadError::UnsupportedRegex { pattern, .. } => assert_eq!(pattern, bad),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn tiny_tokenizer_round_trip_and_errors() {
        let eng = Engine::load(tiny(r"\w").as_bytes(), None).unwrap();
        let enc = eng.encode("ab", false).unwrap();
        assert_eq!(enc.ids, vec![0, 1]);
        assert_eq!(enc.offsets, vec![(0, 1), (1, 2)]);
        assert!(matches!(
            eng.decode(&[0, 99], false),
            Err(EngineError::UnknownId { id: 99, .. })
        ));
        let c = eng.count("ab", false).unwrap();
        assert_eq!((c.tokens, c.chars, c.bytes), (2, 2, 2));
        assert_eq!(Counts::new("", 0).chars_per_token, 0.0);
    }

    #[test]
    fn too_large_is_refused_before_parsing() {
        let big = vec![b' '; MAX_TOKENIZER_JSON_BYTES + 1];
        assert!(matches!(
            Engine::load(&big, None),
            Err(LoadError::TooLarge { .. })
        ));
    }
}
