//! Token view and exact-length synthetic text on real tokenizers.

mod common;

use inferlab_tokenize::{synthetic_text, Engine, SyntheticError};
use proptest::prelude::*;
use std::sync::OnceLock;

fn engine(id: &'static str) -> Option<&'static Engine> {
    static CACHE: OnceLock<std::sync::Mutex<Vec<(&'static str, &'static Engine)>>> =
        OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    let mut guard = cache.lock().expect("lock");
    if let Some((_, e)) = guard.iter().find(|(k, _)| *k == id) {
        return Some(e);
    }
    let e: &'static Engine = Box::leak(Box::new(common::load(id)?));
    guard.push((id, e));
    Some(e)
}

#[test]
fn llama3_split_character_is_one_span() {
    // transformers.js #1258: ♩ is split over two byte-level tokens. With this Llama 3
    // tokenizer.json (and Python `tokenizers`): "a ♩ b" = [64, 36458 "ĠâĻ", 102 "©", 293].
    let Some(e) = engine("llama3") else { return };
    let view = e.token_view("a ♩ b", false, None).expect("view");
    let ids: Vec<u32> = view.tokens.iter().map(|t| t.id).collect();
    assert_eq!(ids, [64, 36458, 102, 293]);
    let span = view
        .spans
        .iter()
        .find(|s| s.text.contains('♩'))
        .expect("span");
    assert_eq!(span.token_count, 2);
    assert_eq!(span.text, " ♩");
}

#[test]
fn spans_cover_text_for_byte_level_tokenizers() {
    for id in ["gpt-4o", "deepseek-v3", "qwen3", "mistral-nemo"] {
        let Some(e) = engine(id) else { continue };
        let text = "Family 👨‍👩‍👧 flags 🇺🇸 中文 ♩\r\n\tend";
        let view = e.token_view(text, false, None).expect("view");
        // Byte-level BPE with no normalizer (Qwen's NFC leaves this text as is): the spans'
        // text concatenates back to the input, and no span shows U+FFFD.
        let joined: String = view.spans.iter().map(|s| s.text.as_str()).collect();
        assert_eq!(joined, text, "{id}");
        assert!(
            view.spans.iter().all(|s| !s.text.contains('\u{FFFD}')),
            "{id}"
        );
        assert_eq!(view.counts.tokens, view.tokens.len());
        // Offsets are in bounds and on char boundaries (the UI slices the input with them).
        for s in &view.spans {
            assert!(text.get(s.start..s.end).is_some(), "{id}: {s:?}");
        }
    }
}

#[test]
fn sentencepiece_byte_fallback_and_specials() {
    let Some(e) = engine("llama2") else { return };
    // 🦀 is not in Llama 2's vocabulary: four <0xNN> byte-fallback tokens, one span.
    let view = e.token_view("x 🦀", true, None).expect("view");
    assert!(
        view.tokens.first().is_some_and(|t| t.special),
        "BOS is special"
    );
    let emoji = view
        .spans
        .iter()
        .find(|s| s.text.contains('🦀'))
        .expect("emoji span");
    assert_eq!(emoji.token_count, 4, "4 <0xNN> byte-fallback tokens");
}

#[test]
fn view_can_be_bounded() {
    let Some(e) = engine("gpt-4o") else { return };
    let text = "word ".repeat(1000);
    let view = e.token_view(&text, false, Some(10)).expect("view");
    assert_eq!(view.tokens.len(), 10);
    assert!(view.truncated);
    assert_eq!(view.counts.tokens, e.ids(&text, false).expect("ids").len());
}

#[test]
fn decode_round_trips() {
    for id in ["gpt-4o", "qwen3", "bert-base-uncased", "t5-unigram"] {
        let Some(e) = engine(id) else { continue };
        let ids = e.ids("hello world", false).expect("ids");
        assert_eq!(e.decode(&ids, true).expect("decode"), "hello world", "{id}");
    }
}

#[test]
fn synthetic_below_minimum_is_an_error() {
    let Some(e) = engine("llama2") else { return };
    assert_eq!(
        synthetic_text(e, 0, 1, true),
        Err(SyntheticError::BelowMinimum {
            requested: 0,
            minimum: 1
        })
    );
    assert_eq!(synthetic_text(e, 1, 1, true).expect("bos only"), "");
}

#[test]
fn synthetic_is_deterministic_and_large_n_exact() {
    for id in ["gpt-4o", "bert-base-uncased"] {
        let Some(e) = engine(id) else { continue };
        let a = synthetic_text(e, 4096, 7, false).expect("text");
        assert_eq!(a, synthetic_text(e, 4096, 7, false).expect("text"));
        assert_eq!(e.ids(&a, false).expect("ids").len(), 4096, "{id}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]
    #[test]
    fn synthetic_has_exactly_n_tokens(
        n in prop_oneof![Just(1usize), Just(2usize), 1usize..64, 64usize..2048],
        seed in any::<u64>(),
        which in 0usize..5,
        specials in any::<bool>(),
    ) {
        let id = ["gpt-4o", "qwen3", "bert-base-uncased", "t5-unigram", "deepseek-v3"][which];
        if let Some(e) = engine(id) {
            let minimum = e.ids("", specials).expect("ids").len();
            if n < minimum {
                // BERT adds [CLS] [SEP] to any text.
                let below = matches!(synthetic_text(e, n, seed, specials), Err(SyntheticError::BelowMinimum { .. }));
                prop_assert!(below);
                return Ok(());
            }
            let t = synthetic_text(e, n, seed, specials).expect("synthetic");
            prop_assert_eq!(e.ids(&t, specials).expect("ids").len(), n, "{} {:?}", id, t);
        }
    }
}
