//! The tokenizer tool's link: `tok`, `text`, `cmp`, `view`.

use serde::{Deserialize, Serialize};

use crate::packed_text::{pack, unpack};
use crate::{encoded_len, QueryReader, QueryState, QueryWriter, MAX_QUERY_BYTES};

/// Room the `text` parameter may take in a link, leaving the rest of the 16 KiB limit to the
/// other parameters (a Hub repo id or a URL, `cmp`).
pub const MAX_TEXT_PARAM_BYTES: usize = MAX_QUERY_BYTES - 2048;

/// The `text` value for a link, packed when long; `None` when even packed it does not fit
/// (the link then omits the text, and the page says so).
pub fn text_param(text: &str) -> Option<String> {
    pack(text).filter(|v| encoded_len(v) <= MAX_TEXT_PARAM_BYTES)
}

/// A comma-separated list of tokenizers (the `cmp` parameter, and the page's field).
pub fn parse_list(text: &str) -> Vec<String> {
    text.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect()
}

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
            text: match r.text("text") {
                Some(v) => unpack(&v).unwrap_or_else(|e| {
                    r.invalid("text", &v, &format!("plain text or a packed text: {e}"));
                    String::new()
                }),
                None => String::new(),
            },
            cmp: r.text("cmp").map(|c| parse_list(&c)).unwrap_or_default(),
            view: r.choice("view", d.view, &TokenView::CHOICES),
        }
    }

    fn write(&self, w: &mut QueryWriter) {
        let d = Self::default();
        w.put_if("tok", &self.tok, &d.tok);
        if let Some(v) = text_param(&self.text).filter(|v| !v.is_empty()) {
            w.put("text", v);
        }
        if !self.cmp.is_empty() {
            w.put("cmp", self.cmp.join(","));
        }
        w.put_if("view", &self.view.id(), &d.view.id());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{decode, encode};

    #[test]
    fn long_texts_travel_packed_and_too_long_ones_are_left_out() {
        let prose = "It was the best of times, it was the worst of times. ".repeat(400);
        let s = TokenizerState {
            text: prose.clone(),
            ..Default::default()
        };
        let link = encode(&s);
        assert!(link.len() < MAX_QUERY_BYTES, "{}", link.len());
        assert!(link.contains("text=~"), "{link}");
        let back = decode::<TokenizerState>(&link);
        assert!(back.problems.is_empty(), "{:?}", back.problems);
        assert_eq!(back.state.text, prose);

        // Incompressible text beyond the limit: no `text` parameter at all.
        let noise: String = (0..40_000u32)
            .map(|i| {
                char::from_u32(0x4e00 + (i.wrapping_mul(2_654_435_761) >> 20) % 20_000)
                    .unwrap_or('x')
            })
            .collect();
        assert_eq!(text_param(&noise), None);
        let s = TokenizerState {
            text: noise,
            ..Default::default()
        };
        assert!(!encode(&s).contains("text="));
    }

    #[test]
    fn a_broken_packed_text_is_named() {
        let d = decode::<TokenizerState>("tok=qwen3&text=~%21%21");
        assert_eq!(d.state.text, "");
        assert_eq!(d.problems.len(), 1, "{:?}", d.problems);
        assert_eq!(d.problems[0].key(), Some("text"));
    }
}
