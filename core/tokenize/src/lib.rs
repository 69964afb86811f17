//! Tokenizer core for InferLab's tokenizer tool: the Hugging Face `tokenizers` library built
//! with fancy-regex on every target, so native tests compute the ids the browser worker will.
//!
//! - [`engine`]: load `tokenizer.json` (+ `tokenizer_config.json`), encode, decode, counts.
//! - [`spans`]: per-token pieces/bytes and valid-UTF-8 grouping for the token view.
//! - [`chat_template`]: render a model's Jinja chat template like `transformers` does.
//! - [`synthetic`]: natural-looking text of exactly N tokens.

pub mod chat_template;
pub mod config;
pub mod engine;
pub mod protocol;
pub mod sources;
pub mod spans;
pub mod synthetic;

pub use chat_template::{
    ChatMessage, ChatTemplate, RenderOptions, TemplateError, TemplateErrorKind,
};
pub use config::{NamedTemplate, TokenizerConfig};
pub use engine::{
    percent_difference, ChatError, ChatPrompt, Counts, Encoded, Engine, EngineError, LoadError,
};
pub use spans::{visible_whitespace, PieceEncoding, Span, TokenInfo, TokenView};
pub use synthetic::{synthetic_text, SyntheticError};
