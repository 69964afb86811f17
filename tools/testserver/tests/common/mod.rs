//! A minimal hyper client for the integration tests (HTTP/1.1 or HTTP/2, plain or TLS).

#![allow(dead_code)]

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::client::conn::{http1, http2};
use hyper::{Request, Response};
use hyper_util::rt::{TokioExecutor, TokioIo};
use inferlab_testserver::{start, RunningServer, ServerConfig};
use serde_json::Value;
use tokio::net::TcpStream;
use tokio::time::{timeout, Instant};
use tokio_rustls::rustls;

/// Every network step of a test is bounded by this.
pub const STEP: Duration = Duration::from_secs(10);

pub async fn server(config: ServerConfig) -> RunningServer {
    start(config).await.expect("server starts")
}

pub enum Conn {
    H1(http1::SendRequest<Full<Bytes>>),
    H2(http2::SendRequest<Full<Bytes>>),
}

impl Conn {
    pub async fn send(&mut self, req: Request<Full<Bytes>>) -> Response<Incoming> {
        let fut = async {
            match self {
                Conn::H1(s) => {
                    s.ready().await?;
                    s.send_request(req).await
                }
                Conn::H2(s) => {
                    s.ready().await?;
                    s.send_request(req).await
                }
            }
        };
        timeout(STEP, fut)
            .await
            .expect("response in time")
            .expect("response")
    }

    pub fn h2(&self) -> http2::SendRequest<Full<Bytes>> {
        match self {
            Conn::H2(s) => s.clone(),
            Conn::H1(_) => panic!("not an h2 connection"),
        }
    }
}

/// Plain HTTP/1.1 connection.
pub async fn connect_h1(s: &RunningServer) -> Conn {
    let tcp = TcpStream::connect(s.local_addr).await.expect("connect");
    let (sender, conn) = http1::handshake(TokioIo::new(tcp))
        .await
        .expect("h1 handshake");
    tokio::spawn(conn);
    Conn::H1(sender)
}

/// TLS connection trusting the server's self-signed certificate; returns the ALPN protocol too.
pub async fn connect_tls(s: &RunningServer, alpn: &[&[u8]]) -> (Conn, Option<Vec<u8>>) {
    let mut roots = rustls::RootCertStore::empty();
    let der = s.cert_der.clone().expect("tls server");
    roots
        .add(rustls::pki_types::CertificateDer::from(der))
        .expect("root");
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut cfg = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
    cfg.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
    let connector = tokio_rustls::TlsConnector::from(Arc::new(cfg));
    let tcp = TcpStream::connect(s.local_addr).await.expect("connect");
    let name = rustls::pki_types::ServerName::try_from("127.0.0.1").expect("name");
    let tls = timeout(STEP, connector.connect(name, tcp))
        .await
        .expect("tls in time")
        .expect("tls handshake");
    let proto = tls.get_ref().1.alpn_protocol().map(|p| p.to_vec());
    let conn = if proto.as_deref() == Some(b"h2") {
        let (sender, conn) = http2::handshake(TokioExecutor::new(), TokioIo::new(tls))
            .await
            .expect("h2 handshake");
        tokio::spawn(conn);
        Conn::H2(sender)
    } else {
        let (sender, conn) = http1::handshake(TokioIo::new(tls))
            .await
            .expect("h1 handshake");
        tokio::spawn(conn);
        Conn::H1(sender)
    };
    (conn, proto)
}

pub fn post(path: &str, body: &Value) -> Request<Full<Bytes>> {
    Request::post(path)
        .header("host", "127.0.0.1")
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from(body.to_string())))
        .expect("request")
}

pub fn get(path: &str) -> Request<Full<Bytes>> {
    Request::get(path)
        .header("host", "127.0.0.1")
        .body(Full::new(Bytes::new()))
        .expect("request")
}

pub async fn body_json(resp: Response<Incoming>) -> Value {
    let bytes = timeout(STEP, resp.into_body().collect())
        .await
        .expect("body in time")
        .expect("body")
        .to_bytes();
    serde_json::from_slice(&bytes).expect("json body")
}

/// One SSE `data:` payload and when the client received the frame holding it.
#[derive(Debug, Clone)]
pub struct Received {
    pub data: String,
    pub at: Instant,
}

/// Reads a streamed body frame by frame, splitting SSE events; `Err` if the stream broke.
pub async fn read_sse(resp: Response<Incoming>) -> (Vec<Received>, Result<(), String>) {
    let mut body = resp.into_body();
    let mut buf = String::new();
    let mut events = Vec::new();
    for _ in 0..100_000 {
        match timeout(STEP, body.frame()).await {
            Err(_) => return (events, Err("timed out".into())),
            Ok(None) => return (events, Ok(())),
            Ok(Some(Err(e))) => return (events, Err(e.to_string())),
            Ok(Some(Ok(frame))) => {
                let at = Instant::now();
                if let Ok(d) = frame.into_data() {
                    buf.push_str(&String::from_utf8_lossy(&d));
                    while let Some(i) = buf.find("\n\n") {
                        let ev: String = buf.drain(..i + 2).collect();
                        if let Some(data) = ev.trim_end().strip_prefix("data: ") {
                            events.push(Received {
                                data: data.to_string(),
                                at,
                            });
                        }
                    }
                }
            }
        }
    }
    (events, Err("too many frames".into()))
}

/// Server truth for one request, by its `x-inferlab-request-id`.
pub async fn record(conn: &mut Conn, resp_id: &str) -> Value {
    let resp = conn.send(get(&format!("/debug/requests/{resp_id}"))).await;
    assert_eq!(resp.status(), 200);
    body_json(resp).await
}

pub fn request_id(resp: &Response<Incoming>) -> String {
    resp.headers()
        .get("x-inferlab-request-id")
        .and_then(|v| v.to_str().ok())
        .expect("request id header")
        .to_string()
}

pub fn f64s(v: &Value) -> Vec<f64> {
    v.as_array()
        .expect("array")
        .iter()
        .filter_map(Value::as_f64)
        .collect()
}
