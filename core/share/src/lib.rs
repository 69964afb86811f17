//! Shareable URL state.
//!
//! Every tool keeps its settings in the query string so that a link reproduces the view.
//! This crate is the one place that maps each tool's versioned, serde-serialisable state to
//! and from short, readable `key=value` parameters (a public interface: users hand-write
//! links). Decoding never fails: unknown or invalid parameters become [`Problem`]s that the
//! UI shows in a notice, and the defaults are used for them.

pub mod calculator;
mod codec;
pub mod loadtest;
pub mod packed_text;
mod state;
pub mod tokenizer;

pub use codec::{
    decode_component, encode_component, encoded_len, parse_query, QueryError, MAX_QUERY_BYTES,
};
pub use state::{decode, encode, Decoded, Problem, QueryReader, QueryState, QueryWriter, VERSION};
