//! Token view data: each token's vocabulary piece and raw bytes, and the grouping of tokens
//! into spans of valid UTF-8.
//!
//! Byte-level BPE can split one character over several tokens (Llama 3: `♩` = [21315, 105];
//! transformers.js #1258), and decoding such a token alone yields U+FFFD. The view therefore
//! groups consecutive tokens until their bytes form valid UTF-8 and shows the group once.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::engine::{Counts, Encoded, Engine};

/// How a tokenizer's vocabulary strings encode bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PieceEncoding {
    /// GPT-2 byte-to-unicode map (`Ġ` = space): GPT-2, Llama 3, Qwen, DeepSeek, o200k.
    ByteLevel,
    /// SentencePiece: `▁` = space, `<0xNN>` = one raw byte (byte fallback): Llama 2, Mistral,
    /// Gemma, T5.
    SentencePiece,
    /// WordPiece: `##` marks a continuation (BERT).
    WordPiece,
    /// The piece is the text.
    Plain,
}

fn mentions(v: &Value, ty: &str) -> bool {
    match v {
        Value::Object(o) => {
            o.get("type").and_then(Value::as_str) == Some(ty)
                || o.iter()
                    .any(|(k, c)| k != "vocab" && k != "merges" && mentions(c, ty))
        }
        Value::Array(a) => a.iter().any(|c| mentions(c, ty)),
        _ => false,
    }
}

impl PieceEncoding {
    /// Guesses from the decoder/pre-tokenizer/model sections of a `tokenizer.json`.
    pub fn detect(tokenizer_json: &Value) -> Self {
        let decoder = tokenizer_json.get("decoder").unwrap_or(&Value::Null);
        let pre = tokenizer_json.get("pre_tokenizer").unwrap_or(&Value::Null);
        let model = tokenizer_json.get("model").unwrap_or(&Value::Null);
        let model_type = model.get("type").and_then(Value::as_str).unwrap_or("");
        if mentions(decoder, "ByteLevel") || mentions(pre, "ByteLevel") {
            Self::ByteLevel
        } else if model_type == "WordPiece" || mentions(decoder, "WordPiece") {
            Self::WordPiece
        } else if model_type == "Unigram"
            || mentions(decoder, "Metaspace")
            || mentions(decoder, "ByteFallback")
            || model.get("byte_fallback").and_then(Value::as_bool) == Some(true)
        {
            Self::SentencePiece
        } else {
            Self::Plain
        }
    }
}

/// GPT-2's byte → printable char table, inverted: maps each char used in byte-level
/// vocabularies back to its byte (openai/gpt-2 `encoder.py`, `bytes_to_unicode`).
fn byte_level_char_to_byte(c: char) -> Option<u8> {
    let cp = c as u32;
    let printable =
        |b: u32| (33..=126).contains(&b) || (161..=172).contains(&b) || (174..=255).contains(&b);
    if cp < 256 && printable(cp) {
        return u8::try_from(cp).ok();
    }
    // Non-printable bytes were assigned 256, 257, … in byte order.
    let idx = cp.checked_sub(256)?;
    (0u32..256)
        .filter(|b| !printable(*b))
        .nth(usize::try_from(idx).ok()?)
        .and_then(|b| u8::try_from(b).ok())
}

/// Raw bytes a vocabulary piece stands for. Added/special tokens are their own text.
pub fn piece_bytes(piece: &str, encoding: PieceEncoding, special: bool) -> Vec<u8> {
    if special {
        return piece.as_bytes().to_vec();
    }
    match encoding {
        PieceEncoding::ByteLevel => {
            let mapped: Option<Vec<u8>> = piece.chars().map(byte_level_char_to_byte).collect();
            // An added (non-special) token like `<think>` is stored as plain text.
            mapped.unwrap_or_else(|| piece.as_bytes().to_vec())
        }
        PieceEncoding::SentencePiece => {
            if let Some(hex) = piece.strip_prefix("<0x").and_then(|p| p.strip_suffix('>')) {
                if hex.len() == 2 {
                    if let Ok(b) = u8::from_str_radix(hex, 16) {
                        return vec![b];
                    }
                }
            }
            piece.replace('\u{2581}', " ").into_bytes()
        }
        PieceEncoding::WordPiece => piece
            .strip_prefix("##")
            .unwrap_or(piece)
            .as_bytes()
            .to_vec(),
        PieceEncoding::Plain => piece.as_bytes().to_vec(),
    }
}

/// One token of the view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenInfo {
    /// Token id.
    pub id: u32,
    /// Vocabulary string (`Ġthe`, `▁the`, `<0xE2>`, `##ing`).
    pub piece: String,
    /// The raw bytes it stands for (shown on hover).
    pub bytes: Vec<u8>,
    /// Special added token (BOS, `<|im_start|>`): shown marked.
    pub special: bool,
    /// `[start, end)` byte offsets into the input, as the library reports them.
    pub start: usize,
    /// See `start`.
    pub end: usize,
}

/// Consecutive tokens whose bytes together are valid UTF-8: one coloured box in the view.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Span {
    /// Index of the first token of the span in [`TokenView::tokens`].
    pub first_token: usize,
    /// Number of tokens in the span (>1 when a character is split across tokens).
    pub token_count: usize,
    /// The span's bytes as text (U+FFFD only if the tokens never complete a character).
    pub text: String,
    /// Whether all its tokens are special.
    pub special: bool,
    /// `[start, end)` byte offsets into the input (union of its tokens' offsets).
    pub start: usize,
    /// See `start`.
    pub end: usize,
    /// The same range in UTF-16 code units, for slicing a JavaScript string.
    pub utf16_start: usize,
    /// See `utf16_start`.
    pub utf16_end: usize,
}

/// The whole token view of one text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TokenView {
    /// One entry per token.
    pub tokens: Vec<TokenInfo>,
    /// Tokens grouped into valid UTF-8 spans, in order.
    pub spans: Vec<Span>,
    /// Counts of the whole text (even when `truncated`).
    pub counts: Counts,
    /// Whether `tokens`/`spans` stop before the end of the text (see `max_tokens`).
    pub truncated: bool,
}

/// Longest run of tokens merged while waiting for a character to complete; beyond it the
/// bytes can never become valid UTF-8 (a character is at most 4 bytes) and are shown lossily.
const MAX_PENDING_BYTES: usize = 8;

/// Groups tokens into spans of valid UTF-8.
pub fn group_spans(tokens: &[TokenInfo], text: &str) -> Vec<Span> {
    let mut spans = Vec::new();
    let mut first = 0;
    let mut buf: Vec<u8> = Vec::new();
    let utf16 = Utf16Index::new(text);
    let flush = |first: usize, last: usize, buf: &mut Vec<u8>, spans: &mut Vec<Span>| {
        let group = tokens.get(first..=last).unwrap_or(&[]);
        let real: Vec<&TokenInfo> = group.iter().filter(|t| t.end > t.start).collect();
        let start = real.iter().map(|t| t.start).min().unwrap_or(0);
        let end = real.iter().map(|t| t.end).max().unwrap_or(start);
        spans.push(Span {
            first_token: first,
            token_count: group.len(),
            text: String::from_utf8_lossy(buf).into_owned(),
            special: group.iter().all(|t| t.special),
            start,
            end,
            utf16_start: utf16.at(start),
            utf16_end: utf16.at(end),
        });
        buf.clear();
    };
    for (i, t) in tokens.iter().enumerate() {
        if buf.is_empty() {
            first = i;
        }
        buf.extend_from_slice(&t.bytes);
        let complete = match std::str::from_utf8(&buf) {
            Ok(_) => true,
            // `error_len() == Some(_)`: invalid, not merely incomplete — waiting won't help.
            Err(e) => e.error_len().is_some() || buf.len() >= MAX_PENDING_BYTES,
        };
        if complete || t.special {
            flush(first, i, &mut buf, &mut spans);
        }
    }
    if !buf.is_empty() {
        flush(first, tokens.len().saturating_sub(1), &mut buf, &mut spans);
    }
    spans
}

/// Byte offset → UTF-16 offset lookup for one text.
struct Utf16Index {
    /// (byte offset, utf16 offset) at every char boundary, plus the end.
    marks: Vec<(usize, usize)>,
}

impl Utf16Index {
    fn new(text: &str) -> Self {
        let mut marks = Vec::with_capacity(text.len() + 1);
        let mut u = 0;
        for (b, c) in text.char_indices() {
            marks.push((b, u));
            u += c.len_utf16();
        }
        marks.push((text.len(), u));
        Self { marks }
    }

    /// UTF-16 offset of the char boundary at or before byte `b`.
    fn at(&self, b: usize) -> usize {
        match self.marks.binary_search_by_key(&b, |m| m.0) {
            Ok(i) => self.marks.get(i).map_or(0, |m| m.1),
            Err(i) => self.marks.get(i.saturating_sub(1)).map_or(0, |m| m.1),
        }
    }
}

pub(crate) fn build_view(
    engine: &Engine,
    text: &str,
    enc: &Encoded,
    max_tokens: Option<usize>,
) -> TokenView {
    let encoding = engine.piece_encoding();
    let shown = max_tokens.map_or(enc.ids.len(), |m| m.min(enc.ids.len()));
    let tokens: Vec<TokenInfo> = enc
        .ids
        .iter()
        .take(shown)
        .zip(enc.offsets.iter())
        .map(|(&id, &(start, end))| {
            let piece = engine.id_to_token(id).unwrap_or_default();
            let special = engine.is_special(id);
            let bytes = piece_bytes(&piece, encoding, special);
            TokenInfo {
                id,
                piece,
                bytes,
                special,
                start,
                end,
            }
        })
        .collect();
    let spans = group_spans(&tokens, text);
    TokenView {
        tokens,
        spans,
        counts: Counts::new(text, enc.ids.len()),
        truncated: shown < enc.ids.len(),
    }
}

/// Makes whitespace visible for the token view: space `·`, tab `→`, newline `↵` (followed by
/// the newline itself so lines still break), CR `␍`, NBSP `⍽`, ideographic space `□`, other
/// Unicode spaces `␣`.
pub fn visible_whitespace(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            ' ' => out.push('·'),
            '\t' => out.push('→'),
            '\n' => out.push_str("↵\n"),
            '\r' => out.push('␍'),
            '\u{a0}' => out.push('⍽'),
            '\u{3000}' => out.push('□'),
            c if c.is_whitespace() => out.push('␣'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_level_map_round_trips_all_bytes() {
        // Forward map per GPT-2, then check our inverse.
        let printable = |b: u32| {
            (33..=126).contains(&b) || (161..=172).contains(&b) || (174..=255).contains(&b)
        };
        let mut n = 0;
        for b in 0u32..256 {
            let c = if printable(b) {
                char::from_u32(b).unwrap()
            } else {
                n += 1;
                char::from_u32(255 + n).unwrap()
            };
            assert_eq!(byte_level_char_to_byte(c), Some(b as u8), "byte {b}");
        }
        assert_eq!(byte_level_char_to_byte('Ġ'), Some(b' '));
        assert_eq!(byte_level_char_to_byte('Ċ'), Some(b'\n'));
        assert_eq!(byte_level_char_to_byte('中'), None);
    }

    #[test]
    fn sentencepiece_pieces() {
        assert_eq!(
            piece_bytes("<0xE2>", PieceEncoding::SentencePiece, false),
            vec![0xE2]
        );
        assert_eq!(
            piece_bytes("▁the", PieceEncoding::SentencePiece, false),
            b" the".to_vec()
        );
        assert_eq!(
            piece_bytes("<s>", PieceEncoding::SentencePiece, true),
            b"<s>".to_vec()
        );
        assert_eq!(
            piece_bytes("##ing", PieceEncoding::WordPiece, false),
            b"ing".to_vec()
        );
    }

    fn tok(id: u32, bytes: &[u8], start: usize, end: usize) -> TokenInfo {
        TokenInfo {
            id,
            piece: String::new(),
            bytes: bytes.to_vec(),
            special: false,
            start,
            end,
        }
    }

    #[test]
    fn groups_split_characters() {
        // "a♩" where ♩ (E2 99 A9) is split over two tokens, both with the char's offsets.
        let text = "a♩";
        let toks = [
            tok(1, b"a", 0, 1),
            tok(2, &[0xE2, 0x99], 1, 4),
            tok(3, &[0xA9], 1, 4),
        ];
        let spans = group_spans(&toks, text);
        assert_eq!(spans.len(), 2);
        assert_eq!(spans[1].text, "♩");
        assert_eq!((spans[1].first_token, spans[1].token_count), (1, 2));
        assert_eq!((spans[1].start, spans[1].end), (1, 4));
        assert_eq!((spans[1].utf16_start, spans[1].utf16_end), (1, 2));
    }

    #[test]
    fn invalid_bytes_do_not_swallow_the_rest() {
        let toks = [tok(1, &[0xFF], 0, 1), tok(2, b"b", 1, 2)];
        let spans = group_spans(&toks, "xb");
        assert_eq!(spans.len(), 2);
        assert_eq!(spans[0].text, "\u{FFFD}");
    }

    #[test]
    fn whitespace_is_visible() {
        assert_eq!(
            visible_whitespace("a b\tc\r\n\u{a0}\u{3000}"),
            "a·b→c␍↵\n⍽□"
        );
    }
}
