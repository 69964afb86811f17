//! The tokenizer tool's link: `tok`, `text`, `cmp`, `view`.

use serde::{Deserialize, Serialize};

use crate::{QueryReader, QueryState, QueryWriter};

/// How tokens are shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum TokenView {
    #[default]
    Text,
    Ids,
    Both,
}

impl TokenView {
    pub const CHOICES: [(&'static str, TokenView); 3] = [
        ("text", TokenView::Text),
        ("ids", TokenView::Ids),
        ("both", TokenView::Both),
    ];

    pub fn id(self) -> &'static str {
        match self {
            TokenView::Text => "text",
            TokenView::Ids => "ids",
            TokenView::Both => "both",
        }
    }
}

/// Settings of the tokenizer tool that a link carries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TokenizerState {
    /// Bundled id, Hugging Face repo id, or an http(s) URL of a `tokenizer.json`.
    pub tok: String,
    pub text: String,
    /// Tokenizers to compare with, in order.
    pub cmp: Vec<String>,
    pub view: TokenView,
}

impl Default for TokenizerState {
    fn default() -> Self {
        Self {
            tok: "qwen3".into(),
            text: String::new(),
            cmp: Vec::new(),
            view: TokenView::Text,
        }
    }
}

impl QueryState for TokenizerState {
    fn read(r: &mut QueryReader) -> Self {
        let d = Self::default();
        Self {
            tok: r
                .text("tok")
                .filter(|t| !t.trim().is_empty())
                .unwrap_or(d.tok),
            text: r.text("text").unwrap_or_default(),
            cmp: r
                .text("cmp")
                .map(|c| {
                    c.split(',')
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(String::from)
                        .collect()
                })
                .unwrap_or_default(),
            view: r.choice("view", d.view, &TokenView::CHOICES),
        }
    }

    fn write(&self, w: &mut QueryWriter) {
        let d = Self::default();
        w.put_if("tok", &self.tok, &d.tok);
        w.put_if("text", &self.text, &d.text);
        if !self.cmp.is_empty() {
            w.put("cmp", self.cmp.join(","));
        }
        w.put_if("view", &self.view.id(), &d.view.id());
    }
}
