//! Where the fixture tokenizers live (keep in sync with scripts/gen_tokenizer_expected.py).

#![allow(dead_code)]

use std::path::PathBuf;

use inferlab_tokenize::Engine;

/// Directory of a fixture tokenizer by id.
pub fn dir(id: &str) -> PathBuf {
    let here = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let public = here.join("../../public/tokenizers");
    let fixtures = here.join("tests/fixtures");
    match id {
        "llama3" | "llama2" | "gemma3" => fixtures.join("downloaded").join(id),
        "t5-unigram" => fixtures.join(id),
        other => public.join(other),
    }
}

/// Loads a fixture tokenizer with its config; `None` when its files are absent
/// (downloaded ones need `python3 scripts/gen_tokenizer_expected.py --fetch`).
pub fn load(id: &str) -> Option<Engine> {
    let d = dir(id);
    let tj = std::fs::read(d.join("tokenizer.json")).ok()?;
    let cfg = std::fs::read(d.join("tokenizer_config.json")).ok();
    match Engine::load(&tj, cfg.as_deref()) {
        Ok(e) => Some(e),
        Err(e) => panic!("{id}: {e}"),
    }
}

/// Whether missing downloaded fixtures must fail the run (set in CI after fetching).
pub fn require_all() -> bool {
    std::env::var_os("INFERLAB_REQUIRE_ALL_TOKENIZERS").is_some()
}
