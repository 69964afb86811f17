//! Error types. Every bad input becomes one of these (and an HTTP 4xx), never a panic.

use thiserror::Error;

/// A per-request control object (`inferlab_test` / `x-inferlab-test`) that cannot be used.
#[derive(Debug, Error, PartialEq)]
pub enum ControlError {
    /// The control value is not a JSON object.
    #[error("inferlab_test must be a JSON object")]
    NotAnObject,
    /// Unknown key or wrong type.
    #[error("invalid inferlab_test: {0}")]
    Invalid(String),
    /// A field outside its range.
    #[error("inferlab_test.{field}: {reason}")]
    OutOfRange {
        /// The offending field.
        field: &'static str,
        /// Why it is out of range.
        reason: String,
    },
}

/// An OpenAI request body the server refuses (answered with HTTP 400).
#[derive(Debug, Error, PartialEq)]
pub enum RequestError {
    /// The body is not JSON.
    #[error("request body is not valid JSON: {0}")]
    NotJson(String),
    /// The body is JSON but not an object.
    #[error("request body must be a JSON object")]
    NotAnObject,
    /// A field has the wrong type or value.
    #[error("invalid field `{field}`: {reason}")]
    Field {
        /// The offending field.
        field: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// The per-request control object is invalid.
    #[error(transparent)]
    Control(#[from] ControlError),
}

/// Command-line arguments that cannot be used.
#[derive(Debug, Error, PartialEq)]
pub enum CliError {
    /// Flag not known.
    #[error("unknown flag `{0}` (see --help)")]
    UnknownFlag(String),
    /// Flag given without its value.
    #[error("flag `{0}` needs a value")]
    MissingValue(String),
    /// Value that does not parse.
    #[error("flag `{flag}`: {reason}")]
    BadValue {
        /// The flag.
        flag: String,
        /// Why its value is wrong.
        reason: String,
    },
}

/// Failure to start the server.
#[derive(Debug, Error)]
pub enum ServerError {
    /// Binding the listening socket failed.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address asked for.
        addr: std::net::SocketAddr,
        /// The OS error.
        source: std::io::Error,
    },
    /// Other socket error.
    #[error("socket error: {0}")]
    Io(#[from] std::io::Error),
    /// Self-signed certificate generation failed.
    #[error("cannot generate the self-signed certificate: {0}")]
    Cert(#[from] rcgen::Error),
    /// TLS configuration failed.
    #[error("TLS setup failed: {0}")]
    Tls(#[from] tokio_rustls::rustls::Error),
}
