//! Turns failures and browser limits into messages a user can act on: the exact server
//! switch for CORS per engine, HTTP status meanings, the HTTP/1.1 six-connection cap,
//! mixed content, throttled timers, and stamps the browser would not refine.
//!
//! Engine facts (checked against the engines' sources/docs, see field notes C3):
//! - vLLM: `--allowed-origins` (default `["*"]`), `--allowed-headers`, `--allowed-methods`.
//! - TGI: `--cors-allow-origin` (repeatable).
//! - llama.cpp `llama-server`: answers CORS preflights for any origin by default;
//!   `--api-key` makes clients send `Authorization`, which needs that preflight.
//! - SGLang: `http_server.py` installs FastAPI `CORSMiddleware` with `allow_origins=["*"]`
//!   unconditionally, so there is no switch; a proxy in front must pass `OPTIONS` through.
//! - Ollama: rejects foreign origins (403 on preflight) unless `OLLAMA_ORIGINS` is set.

use serde::{Deserialize, Serialize};

/// The serving engine, guessed or chosen, to tailor fixes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Engine {
    /// vLLM.
    Vllm,
    /// Hugging Face TGI.
    Tgi,
    /// llama.cpp `llama-server`.
    LlamaCpp,
    /// SGLang.
    Sglang,
    /// Ollama.
    Ollama,
    /// Not known.
    Unknown,
}

impl Engine {
    /// All real engines, in display order.
    pub const ALL: [Engine; 5] = [
        Engine::Vllm,
        Engine::Tgi,
        Engine::LlamaCpp,
        Engine::Sglang,
        Engine::Ollama,
    ];

    /// Display name.
    pub fn name(self) -> &'static str {
        match self {
            Engine::Vllm => "vLLM",
            Engine::Tgi => "TGI",
            Engine::LlamaCpp => "llama.cpp (llama-server)",
            Engine::Sglang => "SGLang",
            Engine::Ollama => "Ollama",
            Engine::Unknown => "the server",
        }
    }

    /// How to let a browser page at `origin` call this engine.
    pub fn cors_fix(self, origin: &str) -> String {
        match self {
            Engine::Vllm => format!(
                "vLLM: start with --allowed-origins '[\"{origin}\"]' (or '[\"*\"]'); if you send a key, \
                 also --allowed-headers '[\"*\"]' and --allowed-methods '[\"*\"]'. \
                 (Defaults already allow every origin; a proxy in front may be stripping headers.)"
            ),
            Engine::Tgi => format!(
                "TGI: start text-generation-launcher with --cors-allow-origin {origin}"
            ),
            Engine::LlamaCpp => "llama.cpp: llama-server answers CORS for any origin by default; \
                 check that no proxy in front drops OPTIONS requests or the \
                 Access-Control-Allow-* headers. With --api-key, the Authorization header makes \
                 the browser send a preflight first."
                .to_owned(),
            Engine::Sglang => "SGLang: the server allows every origin by default (FastAPI \
                 CORSMiddleware, allow_origins=[\"*\"]); no switch is needed, so check that a \
                 proxy in front passes OPTIONS and the Access-Control-Allow-* headers."
                .to_owned(),
            Engine::Ollama => format!(
                "Ollama: set OLLAMA_ORIGINS={origin} (or OLLAMA_ORIGINS=*) in the server's \
                 environment and restart it (e.g. `systemctl edit ollama` → Environment=…)."
            ),
            Engine::Unknown => "Make the server answer OPTIONS preflights with \
                 Access-Control-Allow-Origin, Access-Control-Allow-Headers (Content-Type, \
                 Authorization) and Access-Control-Allow-Methods (POST)."
                .to_owned(),
        }
    }
}

/// Guesses the engine from `/v1/models` `owned_by` and the URL's port (vLLM 8000, SGLang
/// 30000, TGI/llama.cpp 8080, Ollama 11434). Ports are defaults only, so this is a hint.
pub fn guess_engine(base_url: &str, owned_by: Option<&str>) -> Engine {
    if let Some(o) = owned_by.map(str::to_ascii_lowercase) {
        if o.contains("vllm") {
            return Engine::Vllm;
        }
        if o.contains("sglang") {
            return Engine::Sglang;
        }
        if o.contains("llamacpp") || o.contains("llama.cpp") {
            return Engine::LlamaCpp;
        }
        if o.contains("ollama") || o == "library" {
            return Engine::Ollama;
        }
        if o.contains("tgi") || o.contains("text-generation") {
            return Engine::Tgi;
        }
    }
    match port_of(base_url) {
        Some(11434) => Engine::Ollama,
        Some(30000) => Engine::Sglang,
        Some(8000) => Engine::Vllm,
        _ => Engine::Unknown,
    }
}

fn port_of(url: &str) -> Option<u16> {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next()?;
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let (_, port) = host_port.rsplit_once(':')?;
    port.parse().ok()
}

fn is_loopback(url: &str) -> bool {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let host = rest.split(['/', ':', '?']).next().unwrap_or("");
    host == "localhost" || host.starts_with("127.") || host == "[::1]"
}

/// How serious a diagnosis is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Results are still valid; worth knowing.
    Info,
    /// Results are distorted (e.g. concurrency capped).
    Warning,
    /// Nothing can run.
    Error,
}

/// A message for the user: a title, an explanation, and concrete fixes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnosis {
    /// Severity.
    pub severity: Severity,
    /// One line.
    pub title: String,
    /// Why.
    pub detail: String,
    /// What to do, one item per engine or option.
    pub fixes: Vec<String>,
}

/// Context of a failure.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Context<'a> {
    /// Target base URL.
    pub base_url: &'a str,
    /// The page's origin (`location.origin`), for the exact allow-origin value.
    pub page_origin: &'a str,
    /// Whether an `Authorization` header is sent.
    pub sends_auth: bool,
    /// Engine, if known.
    pub engine: Option<Engine>,
}

const PREFLIGHT_NOTE: &str = "Browsers send a CORS preflight (OPTIONS) before a POST with \
Content-Type: application/json, and an Authorization header must be listed in the server's \
Access-Control-Allow-Headers. Without Access-Control-Max-Age the preflight is repeated \
(Chrome caches it 5 s by default).";

/// `fetch` rejected with a TypeError ("Failed to fetch" / "NetworkError"): the browser hides
/// whether it was CORS, DNS, a refused connection, TLS or mixed content, so list them in
/// order of likelihood.
pub fn network_failure(ctx: &Context<'_>) -> Diagnosis {
    let mut fixes = Vec::new();
    if ctx.page_origin.starts_with("https://")
        && ctx.base_url.starts_with("http://")
        && !is_loopback(ctx.base_url)
    {
        fixes.push(
            "Mixed content: this page is HTTPS and the target is plain HTTP on another host, \
             which browsers block. Put the server behind HTTPS (a reverse proxy such as Caddy \
             or nginx), or use an http://localhost tunnel (ssh -L)."
                .to_owned(),
        );
    }
    let origin = if ctx.page_origin.is_empty() {
        "*"
    } else {
        ctx.page_origin
    };
    match ctx.engine.filter(|e| *e != Engine::Unknown) {
        Some(e) => fixes.push(e.cors_fix(origin)),
        None => fixes.extend(Engine::ALL.iter().map(|e| e.cors_fix(origin))),
    }
    fixes.push(
        "Check that the server is running and reachable from this machine: open the \
         /v1/models URL in a new tab."
            .to_owned(),
    );
    let mut detail = format!(
        "The browser could not complete the request to {}. It does not say why: the usual \
         causes are a missing CORS permission for this page's origin ({origin}), the server \
         not listening, or a TLS certificate the browser does not trust. {PREFLIGHT_NOTE}",
        crate::config::redact_url(ctx.base_url)
    );
    if ctx.sends_auth {
        detail.push_str(
            " You are sending an API key, so the preflight must allow the Authorization header.",
        );
    }
    Diagnosis {
        severity: Severity::Error,
        title: "Request blocked or server unreachable (CORS or network)".into(),
        detail,
        fixes,
    }
}

/// A non-2xx answer; `message` is the server's error text if one was parsed.
pub fn http_status(status: u16, message: Option<&str>, ctx: &Context<'_>) -> Diagnosis {
    let server = message
        .map(|m| format!(" Server said: {m}"))
        .unwrap_or_default();
    let (severity, title, detail, fixes): (Severity, String, String, Vec<String>) = match status {
        400 | 422 => (
            Severity::Error,
            format!("HTTP {status}: the server rejected the request body"),
            format!("The model name, max_tokens or an extra field is not accepted.{server}"),
            vec![
                "Pick the model from the /v1/models list.".into(),
                "Lower max_tokens below the model's context minus the prompt length.".into(),
                "Remove ignore_eos / min_tokens or extra fields this engine does not support."
                    .into(),
            ],
        ),
        401 | 403 => (
            Severity::Error,
            format!("HTTP {status}: not authorized"),
            format!(
                "The server wants a valid API key{}.{server}",
                if ctx.sends_auth {
                    " and rejected the one sent"
                } else {
                    ", and none was sent"
                }
            ),
            {
                let mut f = vec![
                    "Enter the key the server was started with (vLLM/llama.cpp/SGLang --api-key)."
                        .to_owned(),
                ];
                if status == 403 && ctx.engine.is_none_or(|e| e == Engine::Ollama) {
                    f.push(Engine::Ollama.cors_fix(if ctx.page_origin.is_empty() {
                        "*"
                    } else {
                        ctx.page_origin
                    }));
                }
                f
            },
        ),
        404 => (
            Severity::Error,
            "HTTP 404: endpoint or model not found".into(),
            format!("The URL path or the model id does not exist on this server.{server}"),
            vec![
                "Use the server's base URL (e.g. http://host:8000), without /chat/completions."
                    .into(),
                "Try the other API (chat vs completions); some servers only serve one.".into(),
                "Pick the model from the /v1/models list.".into(),
            ],
        ),
        408 | 504 => (
            Severity::Warning,
            format!("HTTP {status}: timed out"),
            format!("The server or a proxy gave up waiting.{server}"),
            vec!["Lower the load or raise the proxy's read timeout for streaming.".into()],
        ),
        429 => (
            Severity::Warning,
            "HTTP 429: rate limited".into(),
            format!(
                "The server (or a gateway) refuses more requests at this rate; the run counts \
                 them as failures.{server}"
            ),
            vec![
                "Lower users or the request rate, or raise the gateway's limit.".into(),
                "For Ollama, raise OLLAMA_NUM_PARALLEL / OLLAMA_MAX_QUEUE.".into(),
            ],
        ),
        500..=599 => (
            Severity::Warning,
            format!("HTTP {status}: server error"),
            format!(
                "The engine failed on this request (out of memory, a crashed worker, or an \
                 overloaded queue).{server}"
            ),
            vec![
                "Check the server log at the time of the failure.".into(),
                "Lower concurrency or max_tokens; watch GPU memory.".into(),
            ],
        ),
        _ => (
            Severity::Warning,
            format!("HTTP {status}"),
            format!("Unexpected status.{server}"),
            Vec::new(),
        ),
    };
    Diagnosis {
        severity,
        title,
        detail,
        fixes,
    }
}

/// Browsers open at most 6 HTTP/1.1 connections per origin (Chrome/Firefox, "won't fix"),
/// so with `http/1.1` (or plain `http:`) more than 6 concurrent streams queue in the browser
/// and TTFT includes that queueing. `protocol` is Resource Timing's `nextHopProtocol`
/// (`h2`, `h3`, `http/1.1`; empty when the server sends no `Timing-Allow-Origin`).
pub fn connection_limit(
    protocol: Option<&str>,
    base_url: &str,
    concurrency: u32,
) -> Option<Diagnosis> {
    const LIMIT: u32 = 6;
    if concurrency <= LIMIT {
        return None;
    }
    let p = protocol
        .map(str::to_ascii_lowercase)
        .filter(|p| !p.is_empty());
    let h1 = match p.as_deref() {
        Some(p) => p.starts_with("http/1"),
        // Unknown protocol: plain http:// is always HTTP/1.1 in browsers (h2 needs TLS).
        None => base_url.trim_start().starts_with("http://"),
    };
    if !h1 {
        return None;
    }
    Some(Diagnosis {
        severity: Severity::Warning,
        title: format!("HTTP/1.1: only {LIMIT} of {concurrency} streams can run at once"),
        detail: format!(
            "The connection uses HTTP/1.1, and browsers allow {LIMIT} connections per origin \
             (shared by all tabs). The other requests wait inside the browser, so measured TTFT \
             and E2E include that wait and the server never sees {concurrency} concurrent \
             requests."
        ),
        fixes: vec![
            "Serve the endpoint over HTTPS with HTTP/2 (e.g. Caddy or nginx `listen 443 ssl http2` \
             as a reverse proxy), which multiplexes ~100+ streams on one connection."
                .into(),
            format!(
                "Or spread load over several origins (different ports or host names), {LIMIT} \
                 streams each."
            ),
            format!("Or keep concurrency at {LIMIT} or below."),
        ],
    })
}

/// Without `Timing-Allow-Origin` the browser zeroes a cross-origin request's Resource Timing
/// (`requestStart`, `responseStart`), so its stamps stay on the `fetch()` clock: TTFT and E2E
/// then include the browser's own hop to its network service and back (1–2 ms on a quiet
/// machine, more under load; ITL and TPOT are unaffected). Said once at least half of the
/// `ok` measured requests (and at least 4) are on that clock; `page_origin` goes in the fix.
pub fn fetch_clock(ok: u64, on_fetch_clock: u64, page_origin: &str) -> Option<Diagnosis> {
    (ok >= 4 && on_fetch_clock * 2 >= ok).then(|| Diagnosis {
        severity: Severity::Info,
        title: format!(
            "{on_fetch_clock} of {ok} requests timed from fetch(): the server sends no \
             Timing-Allow-Origin"
        ),
        detail: "Without that header the browser hides when a request left and when its \
                 response arrived, so TTFT and E2E include the browser's own hop to its network \
                 service and back (about 1–2 ms, more under load); ITL and TPOT are not affected. \
                 Peer tools (AIPerf, vllm bench serve, guidellm) will read TTFT that much lower."
            .into(),
        fixes: vec![format!(
            "Add `Timing-Allow-Origin: {origin}` (or `*`) to the endpoint's responses, e.g. \
                 in a reverse proxy: nginx `add_header Timing-Allow-Origin \"{origin}\" always;`, \
                 Caddy `header Timing-Allow-Origin \"{origin}\"`.",
            origin = if page_origin.is_empty() {
                "*"
            } else {
                page_origin
            }
        )],
    })
}

/// Timer throttling: `lag_ms` from [`crate::schedule::Scheduler::max_tick_lag_ms`].
pub fn throttling(lag_ms: f64) -> Option<Diagnosis> {
    (lag_ms >= 100.0).then(|| Diagnosis {
        severity: Severity::Warning,
        title: format!("Launches ran up to {lag_ms:.0} ms late"),
        detail: "The browser delayed the scheduler's timers (a background tab is throttled to \
                 about one wake-up per second, or the page was busy), so arrivals were not at \
                 the planned times."
            .into(),
        fixes: vec![
            "Keep this tab in the foreground during a run.".into(),
            "Reduce chart redraws or the number of concurrent streams if the page is busy.".into(),
        ],
    })
}

/// Whether [`tokens_together`] speaks: a fifth of at least 50 ITL gaps read together (the
/// summary table flags its ITL row by the same rule).
pub fn read_together(share: f64, gaps: u64) -> bool {
    gaps >= 50 && share >= 0.2
}

/// Tokens read together: `share` of the run's `gaps` ITL gaps were under
/// [`crate::summary::TOGETHER_MS`]. The tab stamps a chunk when it reads it, so chunks that
/// waited for a busy tab share one stamp: those gaps read ~0 ms and the stamps are late.
/// A server that sends bursts gives the same picture, and one stream tells the two apart.
/// Said from a fifth of at least 50 gaps (one stream of a well-behaved engine has none;
/// 500 streams × 125 events/s on 2 cores had 96 %, 64 × 100/s 7–9 %).
pub fn tokens_together(share: f64, gaps: u64) -> Option<Diagnosis> {
    read_together(share, gaps).then(|| Diagnosis {
        severity: Severity::Warning,
        title: format!(
            "{:.0} % of token gaps were under 0.05 ms: tokens arrived together",
            share * 100.0
        ),
        detail: "This tab stamps each chunk when it reads it. Chunks that arrive together \
                 were either sent together by the server (bursts: a busy server, or several \
                 tokens per step written separately) or read late by this tab because it was \
                 busy (many streams or events per second for this machine): then ITL reads \
                 too low, TTFT and E2E too high, and the ITL histogram has a spike at 0 ms."
            .into(),
        fixes: vec![
            "Run one stream against the same server: if its ITL still has the spike at 0 ms, \
             the server bursts; if not, this tab was the bottleneck."
                .into(),
            "Spread the load over fewer streams per tab: several tabs or browsers, ideally on \
             several machines."
                .into(),
            "Close other busy tabs and programs; a machine with more cores keeps up with more \
             events per second."
                .into(),
        ],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_together_needs_a_fifth_of_enough_gaps() {
        assert!(tokens_together(0.9, 49).is_none());
        assert!(tokens_together(0.19, 10_000).is_none());
        let d = tokens_together(0.96, 149_500).expect("said");
        assert_eq!(d.severity, Severity::Warning);
        assert!(d.title.starts_with("96 %"), "{}", d.title);
        assert!(d.fixes[0].contains("one stream"));
    }

    #[test]
    fn engine_guess() {
        assert_eq!(guess_engine("http://h:9", Some("vllm")), Engine::Vllm);
        assert_eq!(guess_engine("http://h:11434/v1", None), Engine::Ollama);
        assert_eq!(guess_engine("http://u:p@h:30000", None), Engine::Sglang);
        assert_eq!(guess_engine("http://h", Some("llamacpp")), Engine::LlamaCpp);
        assert_eq!(guess_engine("garbage", None), Engine::Unknown);
    }

    #[test]
    fn cors_message_names_every_switch() {
        let d = network_failure(&Context {
            base_url: "http://gpu-box:8000",
            page_origin: "https://inferlab.dev",
            sends_auth: true,
            engine: None,
        });
        let all = d.fixes.join("\n");
        for needle in [
            "--allowed-origins",
            "--allowed-headers",
            "--cors-allow-origin",
            "OLLAMA_ORIGINS=https://inferlab.dev",
            "llama-server",
            "SGLang",
            "Mixed content",
        ] {
            assert!(all.contains(needle), "missing {needle}");
        }
        assert!(d.detail.contains("Authorization"));
        let one = network_failure(&Context {
            base_url: "http://localhost:8000",
            page_origin: "https://x",
            engine: Some(Engine::Tgi),
            ..Context::default()
        });
        assert_eq!(one.fixes.len(), 2, "{:?}", one.fixes);
    }

    #[test]
    fn statuses() {
        let c = Context::default();
        assert!(http_status(429, Some("slow"), &c).detail.contains("slow"));
        assert_eq!(http_status(503, None, &c).title, "HTTP 503: server error");
        assert!(http_status(401, None, &c).detail.contains("none was sent"));
        assert!(http_status(403, None, &c)
            .fixes
            .iter()
            .any(|f| f.contains("OLLAMA_ORIGINS")));
        assert!(http_status(404, None, &c).title.contains("404"));
        assert!(http_status(418, None, &c).title.contains("418"));
    }

    #[test]
    fn six_connections() {
        assert!(connection_limit(Some("http/1.1"), "https://h", 8).is_some());
        assert!(connection_limit(Some("h2"), "https://h", 500).is_none());
        assert!(connection_limit(None, "http://h:8000", 7).is_some());
        assert!(connection_limit(None, "https://h", 64).is_none());
        assert!(connection_limit(Some("http/1.1"), "http://h", 6).is_none());
        assert!(throttling(50.0).is_none());
        assert!(fetch_clock(3, 3, "").is_none());
        assert!(fetch_clock(10, 4, "").is_none());
        let d = fetch_clock(10, 5, "https://inferlab.dev").unwrap_or_else(|| panic!("expected"));
        assert_eq!(d.severity, Severity::Info);
        assert!(d.title.starts_with("5 of 10 requests"));
        assert!(d.fixes[0].contains("Timing-Allow-Origin: https://inferlab.dev"));
        let any = fetch_clock(4, 4, "").unwrap_or_else(|| panic!("expected"));
        assert!(any.fixes[0].contains("Timing-Allow-Origin: *"));
        assert!(throttling(900.0).is_some());
    }
}
