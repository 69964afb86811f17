//! Where a tokenizer comes from: a bundled id, a Hugging Face repo id, or a URL.

/// Tokenizers shipped under `public/tokenizers/<id>/` (licences beside them).
pub const BUNDLED: [(&str, &str); 5] = [
    ("qwen3", "Qwen3 (byte-level BPE, 151k)"),
    ("deepseek-v3", "DeepSeek-V3 (byte-level BPE, 129k)"),
    ("mistral-nemo", "Mistral Nemo / Tekken (131k)"),
    ("gpt-4o", "GPT-4o o200k (200k)"),
    ("bert-base-uncased", "BERT base uncased (WordPiece, 30k)"),
];

/// Whether `tok` names a bundled tokenizer (a static file of the app, not worth caching).
pub fn is_bundled(tok: &str) -> bool {
    BUNDLED.iter().any(|(id, _)| *id == tok.trim())
}

/// Whether a Hugging Face token may be sent to `url`: only to the Hub itself, never to an
/// arbitrary URL a link names.
pub fn is_hub_url(url: &str) -> bool {
    url.starts_with("https://huggingface.co/")
}

/// The `tokenizer.json` URL for `tok`, with `base` the app's path prefix (no trailing
/// slash); `None` when `tok` is none of the three forms.
pub fn tokenizer_url(tok: &str, base: &str) -> Option<String> {
    let tok = tok.trim();
    if BUNDLED.iter().any(|(id, _)| *id == tok) {
        return Some(format!("{base}/public/tokenizers/{tok}/tokenizer.json"));
    }
    if tok.starts_with("https://") || tok.starts_with("http://") {
        return Some(tok.to_owned());
    }
    let mut parts = tok.split('/');
    let ok = |p: Option<&str>| {
        p.is_some_and(|p| {
            !p.is_empty()
                && p.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        })
    };
    (ok(parts.next()) && ok(parts.next()) && parts.next().is_none())
        .then(|| format!("https://huggingface.co/{tok}/resolve/main/tokenizer.json"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_the_three_forms() {
        assert_eq!(
            tokenizer_url("qwen3", "/sub").as_deref(),
            Some("/sub/public/tokenizers/qwen3/tokenizer.json")
        );
        assert_eq!(
            tokenizer_url("Qwen/Qwen3-8B", "").as_deref(),
            Some("https://huggingface.co/Qwen/Qwen3-8B/resolve/main/tokenizer.json")
        );
        assert_eq!(
            tokenizer_url("http://127.0.0.1:1/t.json", "").as_deref(),
            Some("http://127.0.0.1:1/t.json")
        );
        assert_eq!(tokenizer_url("../../etc/passwd", ""), None);
        assert_eq!(tokenizer_url("", ""), None);
    }

    #[test]
    fn tokens_go_only_to_the_hub() {
        assert!(is_hub_url(
            "https://huggingface.co/a/b/resolve/main/tokenizer.json"
        ));
        assert!(!is_hub_url("https://huggingface.co.evil.example/x"));
        assert!(!is_hub_url("http://127.0.0.1:1/t.json"));
        assert!(is_bundled(" qwen3"));
        assert!(!is_bundled("Qwen/Qwen3-8B"));
    }
}
