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
