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
