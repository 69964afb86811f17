//! Command-line parsing (hand-rolled to keep the dependency set small for 2-core CI).

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;

use serde_json::{Map, Value};

use crate::behavior::Behavior;
use crate::error::CliError;
use crate::server::ServerConfig;

/// `--help` text.
pub const USAGE: &str = "\
inferlab-testserver: deterministic OpenAI-compatible streaming server for load-tester tests.
Prints its base URL on the first stdout line.

USAGE: inferlab-testserver [FLAGS]

Server:
  --addr IP                 bind address (default 127.0.0.1)
  --port N                  port, 0 = any free port (default 0)
  --tls                     HTTPS with a fresh self-signed certificate (ALPN h2, http/1.1)
  --cert-out PATH           write that certificate (PEM) to PATH before printing the URL
  --no-h2                   HTTP/1.1 only (to reproduce the browser's 6-connection limit)
  --h2-max-streams N        HTTP/2 max concurrent streams per connection (default 1000)
  --model NAME              model id for GET /v1/models, repeatable (default inferlab-test)
  --api-key KEY             require `Authorization: Bearer KEY` on /v1/*
  --no-cors                 no CORS headers, preflights get 405 (simulates a CORS refusal)
  --no-timing-allow-origin  CORS without Timing-Allow-Origin (as llama-server and vLLM answer)
  --max-records N           request records kept for /debug/requests (default 100000)
  --max-body-bytes N        largest request body (default 16777216)
  --threads N               runtime worker threads (default: number of CPUs)
  --extra-listeners N       also serve N more free ports (one URL per stdout line after the
                            first); Chromium caps one HTTP/2 connection at 256 streams, so
                            >256 concurrent streams from a tab need several origins

Default behaviour of every request (each also settable per request, see README):
  --ttft-ms MS              header release to first token chunk (default 50)
  --itl-ms MS               delay per token after the first (default 10)
  --jitter-ms MS            uniform +-jitter on every chunk deadline, seeded (default 0)
  --seed N                  jitter / fault_rate seed (default 0)
  --tokens-per-chunk N      tokens per SSE chunk (default 1)
  --output-tokens N         natural output length (EOS); default: until max_tokens
  --default-max-tokens N    max_tokens when the request gives none (default 16)
  --reasoning-tokens N      leading tokens sent as reasoning_content (chat; default 0)
  --role-chunk MODE         with_first | immediate | none (default with_first)
  --header-delay-ms MS      fault: slow headers
  --status CODE             fault: answer every request with this HTTP error (e.g. 429, 500)
  --drop-after-chunks N     fault: abort the stream after N token chunks
  --malformed-at-chunk N    fault: invalid JSON chunk before token chunk N
  --error-event-after-chunks N  fault: in-stream {\"error\":...} event after N chunks, then end
  --hang-after-chunks N     fault: stop sending after N chunks and never end
  --fault-rate P            fraction 0..1 of requests that get the faults (default 1)
  --behavior JSON           any of the above as one JSON object (keys with underscores)
  -h, --help                this text
";

/// What the command line asks for.
#[derive(Debug, Clone)]
pub enum Command {
    /// Print [`USAGE`].
    Help,
    /// Run the server.
    Run {
        /// Server settings (boxed: much larger than the other variant).
        config: Box<ServerConfig>,
        /// Runtime worker threads (`None` = tokio's default).
        threads: Option<usize>,
        /// Where to write the TLS certificate.
        cert_out: Option<PathBuf>,
    },
}

/// Behaviour flags; `--foo-bar` sets the `Behavior` field `foo_bar`.
const BEHAVIOR_FLAGS: [&str; 16] = [
    "ttft-ms",
    "itl-ms",
    "jitter-ms",
    "seed",
    "tokens-per-chunk",
    "output-tokens",
    "default-max-tokens",
    "reasoning-tokens",
    "role-chunk",
    "header-delay-ms",
    "status",
    "drop-after-chunks",
    "malformed-at-chunk",
    "error-event-after-chunks",
    "hang-after-chunks",
    "fault-rate",
];

fn bad(flag: &str, reason: impl ToString) -> CliError {
    CliError::BadValue {
        flag: flag.to_string(),
        reason: reason.to_string(),
    }
}

fn num<T: std::str::FromStr>(flag: &str, v: &str) -> Result<T, CliError>
where
    T::Err: std::fmt::Display,
{
    v.parse::<T>().map_err(|e| bad(flag, e))
}

/// Parses the arguments after the program name. Accepts `--flag value` and `--flag=value`.
pub fn parse<I: IntoIterator<Item = String>>(args: I) -> Result<Command, CliError> {
    let mut config = ServerConfig::default();
    let mut ip: IpAddr = config.addr.ip();
    let mut port: u16 = 0;
    let mut threads = None;
    let mut cert_out = None;
    let mut models: Vec<String> = Vec::new();
    let mut patch = Map::new();
    let mut it = args.into_iter();
    while let Some(arg) = it.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ => (arg.clone(), None),
        };
        let mut value = || -> Result<String, CliError> {
            match &inline {
                Some(v) => Ok(v.clone()),
                None => it
                    .next()
                    .ok_or_else(|| CliError::MissingValue(flag.clone())),
            }
        };
        match flag.as_str() {
            "-h" | "--help" => return Ok(Command::Help),
            "--addr" => ip = num(&flag, &value()?)?,
            "--port" => port = num(&flag, &value()?)?,
            "--tls" => config.tls = true,
            "--no-h2" => config.http2 = false,
            "--no-cors" => config.cors = false,
            "--no-timing-allow-origin" => config.timing_allow_origin = false,
            "--cert-out" => cert_out = Some(PathBuf::from(value()?)),
            "--h2-max-streams" => config.h2_max_streams = num(&flag, &value()?)?,
            "--model" => models.push(value()?),
            "--api-key" => config.api_key = Some(value()?),
            "--max-records" => config.max_records = num(&flag, &value()?)?,
            "--max-body-bytes" => config.max_body_bytes = num(&flag, &value()?)?,
            "--extra-listeners" => config.extra_listeners = num(&flag, &value()?)?,
            "--threads" => {
                let n: usize = num(&flag, &value()?)?;
                if n == 0 {
                    return Err(bad(&flag, "must be at least 1"));
                }
                threads = Some(n);
            }
            "--behavior" => {
                let v: Value = serde_json::from_str(&value()?).map_err(|e| bad(&flag, e))?;
                let Value::Object(m) = v else {
                    return Err(bad(&flag, "must be a JSON object"));
                };
                patch.extend(m);
            }
            f => {
                let name = f.strip_prefix("--").unwrap_or(f);
                if !BEHAVIOR_FLAGS.contains(&name) {
                    return Err(CliError::UnknownFlag(f.to_string()));
                }
                let raw = value()?;
                // Numbers and `null` as JSON, anything else (e.g. `immediate`) as a string.
                let v = serde_json::from_str::<Value>(&raw).unwrap_or(Value::String(raw));
                patch.insert(name.replace('-', "_"), v);
            }
        }
    }
    config.behavior = Behavior::default()
        .merged(&Value::Object(patch))
        .map_err(|e| bad("behavior", e))?;
    if !models.is_empty() {
        config.models = models;
    }
    config.addr = SocketAddr::new(ip, port);
    Ok(Command::Run {
        config: Box::new(config),
        threads,
        cert_out,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::behavior::RoleChunk;

    fn run(args: &[&str]) -> Result<(ServerConfig, Option<usize>, Option<PathBuf>), CliError> {
        match parse(args.iter().map(|s| s.to_string()))? {
            Command::Run {
                config,
                threads,
                cert_out,
            } => Ok((*config, threads, cert_out)),
            Command::Help => panic!("unexpected help"),
        }
    }

    #[test]
    fn defaults() {
        let (c, t, o) = run(&[]).unwrap();
        assert_eq!(c.addr, SocketAddr::from(([127, 0, 0, 1], 0)));
        assert!(!c.tls && c.http2 && c.cors);
        assert_eq!(c.behavior, Behavior::default());
        assert_eq!((t, o), (None, None));
    }

    #[test]
    fn all_kinds_of_flags() {
        let (c, t, o) = run(&[
            "--addr",
            "0.0.0.0",
            "--port=8123",
            "--tls",
            "--no-h2",
            "--no-timing-allow-origin",
            "--model",
            "a",
            "--model=b",
            "--ttft-ms",
            "12.5",
            "--role-chunk",
            "immediate",
            "--status=429",
            "--threads",
            "2",
            "--cert-out",
            "/tmp/c.pem",
            "--extra-listeners",
            "2",
            "--behavior",
            r#"{"itl_ms": 3, "seed": 4}"#,
            "--seed",
            "5",
        ])
        .unwrap();
        assert_eq!(c.addr.port(), 8123);
        assert_eq!(c.extra_listeners, 2);
        assert!(c.tls && !c.http2);
        assert!(c.cors && !c.timing_allow_origin);
        assert_eq!(c.models, ["a", "b"]);
        assert_eq!(c.behavior.ttft_ms, 12.5);
        assert_eq!(c.behavior.itl_ms, 3.0);
        assert_eq!(c.behavior.seed, 5);
        assert_eq!(c.behavior.role_chunk, RoleChunk::Immediate);
        assert_eq!(c.behavior.status, Some(429));
        assert_eq!((t, o), (Some(2), Some(PathBuf::from("/tmp/c.pem"))));
    }

    #[test]
    fn errors() {
        assert!(matches!(run(&["--nope"]), Err(CliError::UnknownFlag(_))));
        assert!(matches!(run(&["--port"]), Err(CliError::MissingValue(_))));
        assert!(matches!(
            run(&["--port", "x"]),
            Err(CliError::BadValue { .. })
        ));
        assert!(run(&["--itl-ms", "-1"]).is_err());
        assert!(run(&["--role-chunk", "sometimes"]).is_err());
        assert!(run(&["--behavior", "[]"]).is_err());
        assert!(run(&["--threads", "0"]).is_err());
        assert!(matches!(parse(["--help".to_string()]), Ok(Command::Help)));
    }
}
