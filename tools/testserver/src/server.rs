//! Listening, TLS, HTTP/1.1 + HTTP/2, routing, CORS and the request handlers.

use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http_body_util::combinators::UnsyncBoxBody;
use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use hyper::body::Incoming;
use hyper::header::{HeaderMap, HeaderName, HeaderValue, CONTENT_TYPE};
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use serde_json::{json, Value};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::time::Instant;
use tokio_rustls::rustls;
use tokio_rustls::TlsAcceptor;

use crate::behavior::{Behavior, RoleChunk};
use crate::error::{ControlError, RequestError, ServerError};
use crate::openai::{error_body, token_text, Api, ChunkHeader, GenRequest};
use crate::record::{lock, Clock, EventKind, Outcome, Recorder, RequestRecord, Snapshot};
use crate::schedule::{fault_selected, Schedule};
use crate::stream::{InjectedDrop, SseBody, StreamPlan};

/// Response body type of every route.
pub type RespBody = UnsyncBoxBody<Bytes, InjectedDrop>;

/// Header carrying a per-request control object (same JSON as the body's `inferlab_test`).
pub const CONTROL_HEADER: &str = "x-inferlab-test";
/// Response header with the request's sequence number (key of `/debug/requests/<seq>`).
pub const REQUEST_ID_HEADER: &str = "x-inferlab-request-id";
/// Request header whose value is stored as `client_request_id`, to join browser and server records.
pub const CLIENT_ID_HEADER: &str = "x-request-id";

/// Headers allowed by the preflight when the browser names none (Chrome's `*` does not cover
/// `Authorization`, so it is always listed explicitly).
const ALLOWED_HEADERS: &str = "authorization, content-type, x-inferlab-test, x-request-id";

/// Server settings (CLI flags map one to one).
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Address to bind (port 0 picks a free one).
    pub addr: SocketAddr,
    /// Serve HTTPS with a fresh self-signed certificate.
    pub tls: bool,
    /// Offer HTTP/2 (ALPN `h2` over TLS, prior knowledge on plain TCP). Off = HTTP/1.1 only.
    pub http2: bool,
    /// Model ids listed by `GET /v1/models` (any model name is accepted in requests).
    pub models: Vec<String>,
    /// Default behaviour of every request.
    pub behavior: Behavior,
    /// If set, `/v1/*` needs `Authorization: Bearer <key>`.
    pub api_key: Option<String>,
    /// Send CORS headers and answer preflights (off simulates a server that refuses CORS).
    pub cors: bool,
    /// Send `Timing-Allow-Origin: *` with CORS (off: like llama-server or vLLM, whose
    /// responses don't carry it, so the browser hides a request's network timing).
    pub timing_allow_origin: bool,
    /// `SETTINGS_MAX_CONCURRENT_STREAMS` announced over HTTP/2.
    pub h2_max_streams: u32,
    /// Most request records kept for `/debug/requests`.
    pub max_records: usize,
    /// Largest request body accepted (413 beyond).
    pub max_body_bytes: usize,
    /// Extra ports served by the same server. Chromium opens at most 256 streams on one HTTP/2
    /// connection (`kMaxConcurrentStreamLimit`, net/spdy/spdy_session.cc) and uses one
    /// connection per origin, so >256 concurrent streams from a tab need several origins.
    pub extra_listeners: u16,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            tls: false,
            http2: true,
            models: vec!["inferlab-test".into()],
            behavior: Behavior::default(),
            api_key: None,
            cors: true,
            timing_allow_origin: true,
            h2_max_streams: 1000,
            max_records: 100_000,
            max_body_bytes: 16 * 1024 * 1024,
            extra_listeners: 0,
        }
    }
}

struct State {
    config: ServerConfig,
    clock: Clock,
    recorder: Recorder,
    seq: AtomicU64,
}

/// A started server; dropping it (or [`RunningServer::shutdown`]) stops accepting connections.
pub struct RunningServer {
    /// The bound address (with the real port).
    pub local_addr: SocketAddr,
    /// Base URL, e.g. `http://127.0.0.1:41234` (no trailing slash).
    pub url: String,
    /// URLs of the extra listeners (same server, same records; distinct origins).
    pub extra_urls: Vec<String>,
    /// PEM of the self-signed certificate when TLS is on (to trust it in a client).
    pub cert_pem: Option<String>,
    /// The same certificate in DER, for adding to a client's root store.
    pub cert_der: Option<Vec<u8>>,
    state: Arc<State>,
    shutdown: Option<watch::Sender<()>>,
}

impl RunningServer {
    /// The same data `GET /debug/requests` serves.
    pub fn snapshot(&self) -> Snapshot {
        self.state.recorder.snapshot(&self.state.clock)
    }

    /// Forgets all records, like `POST /debug/reset`.
    pub fn reset(&self) {
        self.state.recorder.reset();
    }

    /// Stops accepting new connections (open ones finish on their own).
    pub fn shutdown(mut self) {
        // Dropping the sender ends every accept loop.
        self.shutdown.take();
    }
}

impl Drop for RunningServer {
    fn drop(&mut self) {
        // Dropping the sender ends every accept loop.
        self.shutdown.take();
    }
}

/// Binds, generates the certificate if TLS is on, and starts serving on the current runtime.
pub async fn start(config: ServerConfig) -> Result<RunningServer, ServerError> {
    config
        .behavior
        .validate()
        .map_err(|e| ServerError::Io(std::io::Error::other(e.to_string())))?;
    let mut listeners = Vec::with_capacity(1 + usize::from(config.extra_listeners));
    for i in 0..=config.extra_listeners {
        // Extra listeners always take free ports, so a fixed --port stays the primary one.
        let addr = if i == 0 {
            config.addr
        } else {
            SocketAddr::new(config.addr.ip(), 0)
        };
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|source| ServerError::Bind { addr, source })?;
        listeners.push(listener);
    }
    let mut addrs = Vec::with_capacity(listeners.len());
    for l in &listeners {
        addrs.push(l.local_addr()?);
    }
    let local_addr = *addrs
        .first()
        .ok_or_else(|| ServerError::Io(std::io::Error::other("no listener")))?;
    let (acceptor, cert_pem, cert_der) = if config.tls {
        let (a, pem, der) = tls_acceptor(local_addr.ip(), config.http2)?;
        (Some(a), Some(pem), Some(der))
    } else {
        (None, None, None)
    };
    let host = match local_addr.ip() {
        IpAddr::V4(v4) if v4.is_unspecified() => "127.0.0.1".to_string(),
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) if v6.is_unspecified() => "[::1]".to_string(),
        IpAddr::V6(v6) => format!("[{v6}]"),
    };
    let scheme = if config.tls { "https" } else { "http" };
    let mut urls = addrs
        .iter()
        .map(|a| format!("{scheme}://{host}:{}", a.port()));
    let url = urls.next().unwrap_or_default();
    let extra_urls: Vec<String> = urls.collect();

    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder.http1().timer(TokioTimer::new()).keep_alive(true);
    builder
        .http2()
        .timer(TokioTimer::new())
        .max_concurrent_streams(config.h2_max_streams);
    let builder = if config.http2 {
        builder
    } else {
        builder.http1_only()
    };

    let state = Arc::new(State {
        recorder: Recorder::new(config.max_records),
        config,
        clock: Clock::new(),
        seq: AtomicU64::new(0),
    });
    let (tx, rx) = watch::channel(());
    for listener in listeners {
        tokio::spawn(accept_loop(
            listener,
            Arc::clone(&state),
            builder.clone(),
            acceptor.clone(),
            rx.clone(),
        ));
    }
    Ok(RunningServer {
        local_addr,
        url,
        extra_urls,
        cert_pem,
        cert_der,
        state,
        shutdown: Some(tx),
    })
}

async fn accept_loop(
    listener: TcpListener,
    state: Arc<State>,
    builder: auto::Builder<TokioExecutor>,
    acceptor: Option<TlsAcceptor>,
    mut shutdown: watch::Receiver<()>,
) {
    loop {
        tokio::select! {
            // Fires when the sender is dropped (server shut down).
            _ = shutdown.changed() => break,
            res = listener.accept() => match res {
                Ok((stream, _)) => {
                    let _ = stream.set_nodelay(true);
                    tokio::spawn(serve_connection(
                        Arc::clone(&state),
                        builder.clone(),
                        acceptor.clone(),
                        stream,
                    ));
                }
                // E.g. out of file descriptors: back off instead of spinning.
                Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
            },
        }
    }
}

fn tls_acceptor(ip: IpAddr, http2: bool) -> Result<(TlsAcceptor, String, Vec<u8>), ServerError> {
    let mut names = vec!["localhost".to_string(), "127.0.0.1".into(), "::1".into()];
    if !ip.is_unspecified() && !names.contains(&ip.to_string()) {
        names.push(ip.to_string());
    }
    let ck = rcgen::generate_simple_self_signed(names)?;
    let pem = ck.cert.pem();
    let der = ck.cert.der().to_vec();
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(rustls::pki_types::PrivatePkcs8KeyDer::from(
        ck.key_pair.serialize_der(),
    ));
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut cfg = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(vec![ck.cert.der().clone()], key)?;
    cfg.alpn_protocols = if http2 {
        vec![b"h2".to_vec(), b"http/1.1".to_vec()]
    } else {
        vec![b"http/1.1".to_vec()]
    };
    Ok((TlsAcceptor::from(Arc::new(cfg)), pem, der))
}

async fn serve_connection(
    state: Arc<State>,
    builder: auto::Builder<TokioExecutor>,
    acceptor: Option<TlsAcceptor>,
    stream: TcpStream,
) {
    let svc = service_fn(move |req| {
        let st = Arc::clone(&state);
        async move { Ok::<_, Infallible>(handle(st, req).await) }
    });
    match acceptor {
        Some(acc) => {
            if let Ok(Ok(tls)) =
                tokio::time::timeout(Duration::from_secs(10), acc.accept(stream)).await
            {
                let _ = builder.serve_connection(TokioIo::new(tls), svc).await;
            }
        }
        None => {
            let _ = builder.serve_connection(TokioIo::new(stream), svc).await;
        }
    }
}

async fn handle(st: Arc<State>, req: Request<Incoming>) -> Response<RespBody> {
    let received = Instant::now();
    let cors = st.config.cors;
    let mut resp = route(&st, req, received).await;
    if cors {
        let h = resp.headers_mut();
        h.insert("access-control-allow-origin", HeaderValue::from_static("*"));
        h.insert(
            "access-control-expose-headers",
            HeaderValue::from_static("x-inferlab-request-id, retry-after"),
        );
        // Lets Resource Timing expose details (e.g. nextHopProtocol) to the page.
        if st.config.timing_allow_origin {
            h.insert("timing-allow-origin", HeaderValue::from_static("*"));
        }
    }
    resp
}

async fn route(st: &State, req: Request<Incoming>, received: Instant) -> Response<RespBody> {
    let path = req.uri().path().to_string();
    let method = req.method().clone();
    if method == Method::OPTIONS {
        return if st.config.cors {
            preflight(req.headers())
        } else {
            error_response(
                StatusCode::METHOD_NOT_ALLOWED,
                "CORS is off",
                "invalid_request_error",
            )
        };
    }
    if path.starts_with("/v1/") {
        if let Some(resp) = check_auth(st, req.headers()) {
            return resp;
        }
    }
    match (method, path.as_str()) {
        (Method::GET, "/" | "/health") => text(StatusCode::OK, "ok\n"),
        (Method::GET, "/v1/models") => {
            let data: Vec<Value> = st
                .config
                .models
                .iter()
                .map(|m| json!({"id": m, "object": "model", "created": 0, "owned_by": "inferlab-testserver"}))
                .collect();
            json_response(StatusCode::OK, &json!({"object": "list", "data": data}))
        }
        (Method::POST, "/v1/chat/completions") => generate(st, Api::Chat, req, received).await,
        (Method::POST, "/v1/completions") => generate(st, Api::Completions, req, received).await,
        (Method::GET, "/debug/requests") => snapshot_response(&st.recorder.snapshot(&st.clock)),
        (Method::GET, p) if p.starts_with("/debug/requests/") => {
            let id = p.trim_start_matches("/debug/requests/");
            match id.parse::<u64>().ok().and_then(|seq| st.recorder.get(seq)) {
                Some(r) => match serde_json::to_value(&r) {
                    Ok(v) => json_response(StatusCode::OK, &v),
                    Err(e) => error_response(
                        StatusCode::INTERNAL_SERVER_ERROR,
                        &e.to_string(),
                        "server_error",
                    ),
                },
                None => error_response(
                    StatusCode::NOT_FOUND,
                    "no such request record",
                    "not_found_error",
                ),
            }
        }
        (Method::POST, "/debug/reset") => {
            st.recorder.reset();
            json_response(StatusCode::OK, &json!({"ok": true}))
        }
        (
            _,
            "/"
            | "/health"
            | "/v1/models"
            | "/v1/chat/completions"
            | "/v1/completions"
            | "/debug/requests"
            | "/debug/reset",
        ) => error_response(
            StatusCode::METHOD_NOT_ALLOWED,
            "method not allowed",
            "invalid_request_error",
        ),
        _ => error_response(StatusCode::NOT_FOUND, "not found", "not_found_error"),
    }
}

fn preflight(req_headers: &HeaderMap) -> Response<RespBody> {
    let allow_headers = req_headers
        .get("access-control-request-headers")
        .and_then(|v| v.to_str().ok())
        .filter(|s| !s.trim().is_empty() && s.len() < 4096)
        .map(|s| format!("{ALLOWED_HEADERS}, {s}"))
        .unwrap_or_else(|| ALLOWED_HEADERS.to_string());
    let mut resp = empty(StatusCode::NO_CONTENT);
    let h = resp.headers_mut();
    h.insert(
        "access-control-allow-methods",
        HeaderValue::from_static("GET, POST, OPTIONS"),
    );
    if let Ok(v) = HeaderValue::from_str(&allow_headers) {
        h.insert("access-control-allow-headers", v);
    }
    // Chrome caps this at 7200 s, Firefox at 86400 s; either way far above a test run.
    h.insert("access-control-max-age", HeaderValue::from_static("86400"));
    if req_headers.contains_key("access-control-request-private-network") {
        h.insert(
            "access-control-allow-private-network",
            HeaderValue::from_static("true"),
        );
    }
    resp
}

fn check_auth(st: &State, headers: &HeaderMap) -> Option<Response<RespBody>> {
    let key = st.config.api_key.as_ref()?;
    let ok = headers
        .get(hyper::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .is_some_and(|k| k == key);
    (!ok).then(|| {
        error_response(
            StatusCode::UNAUTHORIZED,
            "invalid API key",
            "authentication_error",
        )
    })
}

async fn generate(
    st: &State,
    api: Api,
    req: Request<Incoming>,
    received: Instant,
) -> Response<RespBody> {
    let seq = st.seq.fetch_add(1, Ordering::Relaxed) + 1;
    let mut rec = RequestRecord::new(
        seq,
        api,
        format!("{:?}", req.version()),
        st.clock.ms(received),
    );
    rec.client_request_id = req
        .headers()
        .get(CLIENT_ID_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(|s| s.chars().take(200).collect());
    let header_control = req
        .headers()
        .get(CONTROL_HEADER)
        .map(|v| v.to_str().map(str::to_owned).map_err(|e| e.to_string()));
    let body = match Limited::new(req.into_body(), st.config.max_body_bytes)
        .collect()
        .await
    {
        Ok(c) => c.to_bytes(),
        Err(e) => {
            let (status, msg) = if e.downcast_ref::<LengthLimitError>().is_some() {
                (
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "request body too large".to_string(),
                )
            } else {
                (
                    StatusCode::BAD_REQUEST,
                    format!("cannot read request body: {e}"),
                )
            };
            return reject(st, rec, status, &msg);
        }
    };
    let body_read = Instant::now();
    rec.body_read_ms = Some(st.clock.ms(body_read));

    let parsed = GenRequest::parse(api, &body).and_then(|r| {
        let b = resolve_behavior(&st.config.behavior, r.control.as_ref(), header_control, seq)?;
        Ok((r, b))
    });
    let (r, b) = match parsed {
        Ok(x) => x,
        Err(e) => return reject(st, rec, StatusCode::BAD_REQUEST, &e.to_string()),
    };

    let (n, finish) = r.output_len(&b);
    let reasoning = if api == Api::Chat {
        b.reasoning_tokens.min(n)
    } else {
        0
    };
    let model = r
        .model
        .clone()
        .or_else(|| st.config.models.first().cloned())
        .unwrap_or_default();
    rec.stream = r.stream;
    rec.model = r.model.clone();
    rec.set_prompt(&r.prompt);
    rec.max_tokens = r.max_tokens;
    rec.output_tokens = n;
    rec.prompt_tokens = r.prompt_tokens();
    rec.behavior = Some(b.clone());
    let header = ChunkHeader {
        id: rec.id.clone(),
        created: SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0),
        model,
        api,
    };
    let record = st.recorder.add(rec);

    // Headers are released `header_delay_ms` after the body was read; token deadlines follow.
    let base = body_read + Duration::from_secs_f64(b.header_delay_ms / 1000.0);
    sleep_until_precise(base).await;

    if let Some(code) = b.status {
        let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let kind = if code == 429 {
            "rate_limit_error"
        } else {
            "server_error"
        };
        let mut resp = error_response(status, &format!("injected HTTP {code}"), kind);
        if code == 429 {
            resp.headers_mut()
                .insert("retry-after", HeaderValue::from_static("1"));
        }
        let now = st.clock.now_ms();
        let mut g = lock(&record);
        g.status = code;
        g.headers_ms = Some(now);
        g.push_event(now, EventKind::Body, 0);
        g.finish(now, Outcome::ErrorStatus);
        return with_id(resp, seq);
    }

    let prompt_tokens = r.prompt_tokens();
    if r.stream {
        let plan = StreamPlan {
            header,
            behavior: b,
            n_tokens: n,
            reasoning_tokens: reasoning,
            finish,
            include_usage: r.include_usage,
            prompt_tokens,
        };
        let body = SseBody::new(
            plan,
            base,
            &r.prompt,
            std::sync::Arc::clone(&record),
            st.clock,
        );
        let mut resp = Response::new(body.boxed_unsync());
        let h = resp.headers_mut();
        h.insert(
            CONTENT_TYPE,
            HeaderValue::from_static("text/event-stream; charset=utf-8"),
        );
        h.insert("cache-control", HeaderValue::from_static("no-cache"));
        h.insert("x-accel-buffering", HeaderValue::from_static("no"));
        lock(&record).headers_ms = Some(st.clock.now_ms());
        return with_id(resp, seq);
    }

    // Non-streaming: answer when the last token would have been generated.
    let cut = [
        b.drop_after_chunks,
        b.error_event_after_chunks,
        b.hang_after_chunks,
    ]
    .into_iter()
    .flatten()
    .min();
    let mut schedule = Schedule::new(base, &b, &r.prompt);
    sleep_until_precise(schedule.last_token_deadline(cut.map_or(n, |c| c.min(n)))).await;
    if b.hang_after_chunks.is_some() && cut == b.hang_after_chunks {
        lock(&record).finish(st.clock.now_ms(), Outcome::Hung);
        std::future::pending::<()>().await;
    }
    if b.drop_after_chunks.is_some() && cut == b.drop_after_chunks {
        // Headers, then an aborted body: the client sees a broken response.
        let plan = StreamPlan {
            header,
            behavior: Behavior {
                ttft_ms: 0.0,
                drop_after_chunks: Some(0),
                role_chunk: RoleChunk::None,
                ..b
            },
            n_tokens: n,
            reasoning_tokens: 0,
            finish,
            include_usage: false,
            prompt_tokens,
        };
        let body = SseBody::new(plan, Instant::now(), "", Arc::clone(&record), st.clock);
        let mut resp = Response::new(body.boxed_unsync());
        resp.headers_mut()
            .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        lock(&record).headers_ms = Some(st.clock.now_ms());
        return with_id(resp, seq);
    }
    if b.error_event_after_chunks.is_some() && cut == b.error_event_after_chunks {
        let resp = error_response(
            StatusCode::INTERNAL_SERVER_ERROR,
            "injected error event",
            "server_error",
        );
        let now = st.clock.now_ms();
        let mut g = lock(&record);
        g.status = 500;
        g.headers_ms = Some(now);
        g.push_event(now, EventKind::Error, 0);
        g.finish(now, Outcome::ErrorEvent);
        return with_id(resp, seq);
    }
    let full = header.full(
        &token_text(0, reasoning),
        &token_text(reasoning, n),
        finish,
        prompt_tokens,
        n,
    );
    let (bytes, kind) = if b.malformed_at_chunk.is_some() {
        let s = full.to_string();
        let cut_at = s.len() / 2;
        (
            Bytes::from(s.into_bytes()).slice(..cut_at),
            EventKind::Malformed,
        )
    } else {
        (Bytes::from(full.to_string()), EventKind::Body)
    };
    let mut resp = Response::new(full_body(bytes));
    resp.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    let now = st.clock.now_ms();
    {
        let mut g = lock(&record);
        g.headers_ms = Some(now);
        g.push_event(now, kind, n);
        g.finish(now, Outcome::Completed);
    }
    with_id(resp, seq)
}

/// Sleeps only when `t` is in the future: tokio's timer rounds up to its 1 ms tick, so even a
/// deadline of "now" would cost up to a millisecond.
async fn sleep_until_precise(t: Instant) {
    if t > Instant::now() {
        tokio::time::sleep_until(t).await;
    }
}

/// Defaults, then the body's `inferlab_test`, then the header; faults dropped unless picked by
/// `fault_rate`.
fn resolve_behavior(
    defaults: &Behavior,
    body_control: Option<&Value>,
    header_control: Option<Result<String, String>>,
    seq: u64,
) -> Result<Behavior, RequestError> {
    let mut b = defaults.clone();
    if let Some(c) = body_control {
        b = b.merged(c)?;
    }
    if let Some(h) = header_control {
        let text = h.map_err(|e| ControlError::Invalid(format!("{CONTROL_HEADER}: {e}")))?;
        let v: Value = serde_json::from_str(&text)
            .map_err(|e| ControlError::Invalid(format!("{CONTROL_HEADER}: {e}")))?;
        b = b.merged(&v)?;
    }
    if b.has_fault() && !fault_selected(&b, seq) {
        b = b.without_faults();
    }
    Ok(b)
}

fn reject(st: &State, mut rec: RequestRecord, status: StatusCode, msg: &str) -> Response<RespBody> {
    let now = st.clock.now_ms();
    rec.status = status.as_u16();
    rec.headers_ms = Some(now);
    rec.error = Some(msg.to_string());
    rec.finish(now, Outcome::Rejected);
    let seq = rec.seq;
    st.recorder.add(rec);
    with_id(error_response(status, msg, "invalid_request_error"), seq)
}

fn with_id(mut resp: Response<RespBody>, seq: u64) -> Response<RespBody> {
    resp.headers_mut().insert(
        HeaderName::from_static(REQUEST_ID_HEADER),
        HeaderValue::from(seq),
    );
    resp
}

fn full_body(bytes: Bytes) -> RespBody {
    Full::new(bytes)
        .map_err(|never: Infallible| match never {})
        .boxed_unsync()
}

fn empty(status: StatusCode) -> Response<RespBody> {
    let mut r = Response::new(full_body(Bytes::new()));
    *r.status_mut() = status;
    r
}

fn text(status: StatusCode, s: &'static str) -> Response<RespBody> {
    let mut r = Response::new(full_body(Bytes::from_static(s.as_bytes())));
    *r.status_mut() = status;
    r.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    r
}

fn json_response(status: StatusCode, v: &Value) -> Response<RespBody> {
    let mut r = Response::new(full_body(Bytes::from(v.to_string())));
    *r.status_mut() = status;
    r.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    r
}

fn snapshot_response(s: &Snapshot) -> Response<RespBody> {
    match serde_json::to_vec(s) {
        Ok(bytes) => {
            let mut r = Response::new(full_body(Bytes::from(bytes)));
            r.headers_mut()
                .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
            r
        }
        Err(e) => error_response(
            StatusCode::INTERNAL_SERVER_ERROR,
            &e.to_string(),
            "server_error",
        ),
    }
}

fn error_response(status: StatusCode, msg: &str, kind: &str) -> Response<RespBody> {
    json_response(status, &error_body(msg, kind, status.as_u16()))
}
