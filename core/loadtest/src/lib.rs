//! Pure core of InferLab's streaming load tester.
//!
//! Everything here is deterministic and clock-free: the browser shell passes times in
//! (f64 milliseconds, as from `performance.now()`) and bytes as they arrive, and gets back
//! events, per-request records, summaries, launch plans and user-facing diagnoses. That keeps
//! the measurement logic testable natively and identical to what runs in the tab.
//!
//! Flow for one request: [`openai::build_body`] → transport → [`tracker::RequestTracker`]
//! (bytes → [`sse::SseParser`] → [`openai::parse_data`] → [`record::RequestRecord`]) →
//! [`summary::RunStats::add`]. The [`schedule::Scheduler`] says when to launch;
//! [`sweep`] expands sweeps and ISL×OSL matrices into plans; [`config::RunConfig`] is the
//! form, [`export`] writes/reads the versioned JSON and CSV, [`diagnose`] explains failures
//! and [`prompts`] holds the built-in suites and JSONL parsing. `tests/pipeline.rs` shows
//! the whole loop as the shell drives it.

pub mod config;
pub mod diagnose;
pub mod export;
pub mod openai;
pub mod prompts;
pub mod record;
pub mod rng;
pub mod schedule;
pub mod sse;
pub mod stats;
pub mod summary;
pub mod sweep;
pub mod tracker;
