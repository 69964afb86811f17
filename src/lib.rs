//! InferLab: plan and test self-hosted LLM deployments in the browser.
//!
//! This crate is the thin shell: browser I/O in [`browser`], the app frame in [`app`], and one
//! folder per tool whose components only wire signals to the pure `inferlab-*` core crates.

pub mod app;
pub mod browser;
mod calculator;
mod loadtest;
mod tokenizer;

pub use app::App;

/// Benchmark hook for `make bench`: mean milliseconds of one calculator recompute
/// (`evaluate` + the GPU table) in this wasm build, over `n` input changes.
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn bench_calculator(n: u32) -> f64 {
    calculator::bench(n)
}

/// Benchmark hook for `make bench`: loads bundled tokenizer `tok` in the worker (if needed)
/// and returns `[load_ms, count_ms, tokens]` for counting the tokens of `text` there.
#[wasm_bindgen::prelude::wasm_bindgen]
pub async fn bench_tokenizer(tok: String, text: String) -> Result<Vec<f64>, wasm_bindgen::JsValue> {
    use inferlab_tokenize::protocol::{Command, Payload};
    let now = || {
        web_sys::window()
            .and_then(|w| w.performance())
            .map_or(0.0, |p| p.now())
    };
    let url = inferlab_tokenize::sources::tokenizer_url(&tok, &browser::base_path())
        .ok_or_else(|| wasm_bindgen::JsValue::from_str("unknown tokenizer"))?;
    let t0 = now();
    browser::tokenizer_worker::ensure_loaded(&tok, &url)
        .await
        .map_err(|e| wasm_bindgen::JsValue::from_str(&e))?;
    let t1 = now();
    let reply = browser::tokenizer_worker::call(Command::Count { key: tok, text }).await;
    let t2 = now();
    match reply {
        Ok(Payload::Counts { counts }) => Ok(vec![t1 - t0, t2 - t1, counts.tokens as f64]),
        Ok(_) => Err("unexpected reply".into()),
        Err(e) => Err(e.into()),
    }
}

/// Test hook: makes the tokenizer worker panic, and returns what a waiting caller is told.
/// The Playwright test then checks that the next request restarts the worker.
#[wasm_bindgen::prelude::wasm_bindgen]
pub async fn debug_crash_tokenizer_worker() -> String {
    use inferlab_tokenize::protocol::Command;
    match browser::tokenizer_worker::call(Command::Crash).await {
        Ok(_) => "the worker did not crash".into(),
        Err(e) => e,
    }
}
