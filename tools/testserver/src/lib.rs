//! A deterministic OpenAI-compatible streaming server: the load tester's reference.
//!
//! It serves `POST /v1/chat/completions`, `POST /v1/completions` and `GET /v1/models` (streaming
//! and not) with configurable TTFT, inter-token delay, jitter, tokens per chunk and output
//! length, injects faults on demand, answers CORS preflights, optionally speaks TLS + HTTP/2, and
//! records when every chunk was handed to the connection (`GET /debug/requests`), so tests can
//! compare what a client measured with the truth.

pub mod behavior;
pub mod cli;
pub mod error;
pub mod openai;
pub mod record;
pub mod schedule;
pub mod server;
pub mod stream;

pub use behavior::{Behavior, RoleChunk};
pub use error::{CliError, ControlError, RequestError, ServerError};
pub use record::{EventKind, EventRecord, Outcome, RequestRecord, Snapshot};
pub use server::{start, RunningServer, ServerConfig};
