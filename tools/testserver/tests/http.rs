//! End-to-end tests over real sockets on 127.0.0.1. Every wait is bounded (`common::STEP`).

mod common;

use std::time::Duration;

use bytes::Bytes;
use common::*;
use http_body_util::{BodyExt, Full};
use hyper::Request;
use inferlab_testserver::{Behavior, ServerConfig};
use serde_json::{json, Value};
use tokio::time::{timeout, Instant};

fn fast() -> ServerConfig {
    ServerConfig {
        behavior: Behavior {
            ttft_ms: 20.0,
            itl_ms: 5.0,
            ..Behavior::default()
        },
        ..ServerConfig::default()
    }
}

fn chat(max_tokens: u32, stream: bool) -> Value {
    json!({"model": "m", "stream": stream, "stream_options": {"include_usage": true},
        "max_tokens": max_tokens, "messages": [{"role": "user", "content": "hello"}]})
}

/// Generous bound for scheduler noise on a shared 2-core CI machine.
const SLACK_MS: f64 = 25.0;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn models_health_and_cors_headers() {
    let s = server(fast()).await;
    let mut c = connect_h1(&s).await;
    let resp = c.send(get("/v1/models")).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["access-control-allow-origin"], "*");
    assert_eq!(resp.headers()["timing-allow-origin"], "*");
    let v = body_json(resp).await;
    assert_eq!(v["data"][0]["id"], "inferlab-test");
    let resp = c.send(get("/health")).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(c.send(get("/nope")).await.status(), 404);
    assert_eq!(c.send(get("/v1/completions")).await.status(), 405);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn preflight_allows_authorization_and_caches() {
    let s = server(fast()).await;
    let mut c = connect_h1(&s).await;
    let req = Request::options("/v1/chat/completions")
        .header("host", "127.0.0.1")
        .header("origin", "http://localhost:8080")
        .header("access-control-request-method", "POST")
        .header(
            "access-control-request-headers",
            "authorization,content-type,x-custom",
        )
        .body(Full::new(Bytes::new()))
        .unwrap();
    let resp = c.send(req).await;
    assert_eq!(resp.status(), 204);
    let h = resp.headers();
    assert_eq!(h["access-control-allow-origin"], "*");
    let allowed = h["access-control-allow-headers"].to_str().unwrap();
    assert!(allowed.contains("authorization") && allowed.contains("x-custom"));
    assert!(h["access-control-allow-methods"]
        .to_str()
        .unwrap()
        .contains("POST"));
    assert_eq!(h["access-control-max-age"], "86400");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_cors_mode_refuses_preflight() {
    let s = server(ServerConfig {
        cors: false,
        ..fast()
    })
    .await;
    let mut c = connect_h1(&s).await;
    let req = Request::options("/v1/chat/completions")
        .header("host", "127.0.0.1")
        .header("origin", "http://localhost:8080")
        .body(Full::new(Bytes::new()))
        .unwrap();
    let resp = c.send(req).await;
    assert_eq!(resp.status(), 405);
    assert!(!resp.headers().contains_key("access-control-allow-origin"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chat_stream_matches_recorded_truth() {
    let s = server(fast()).await;
    let mut c = connect_h1(&s).await;
    let t0 = Instant::now();
    let resp = c.send(post("/v1/chat/completions", &chat(8, true))).await;
    assert_eq!(resp.status(), 200);
    assert!(resp.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/event-stream"));
    let id = request_id(&resp);
    let (events, end) = read_sse(resp).await;
    assert_eq!(end, Ok(()));
    let last = events.last().unwrap();
    assert_eq!(last.data, "[DONE]");
    let json: Vec<Value> = events[..events.len() - 1]
        .iter()
        .map(|e| serde_json::from_str(&e.data).unwrap())
        .collect();
    assert_eq!(json[0]["choices"][0]["delta"]["role"], "assistant");
    let content: Vec<&Received> = events
        .iter()
        .zip(json.iter().chain(std::iter::once(&Value::Null)))
        .filter(|(_, j)| {
            j["choices"][0]["delta"]["content"]
                .as_str()
                .is_some_and(|t| !t.is_empty())
        })
        .map(|(e, _)| e)
        .collect();
    assert_eq!(content.len(), 8);
    let usage = json.iter().find(|j| j.get("usage").is_some()).unwrap();
    assert_eq!(usage["usage"]["completion_tokens"], 8);
    assert_eq!(usage["choices"], json!([]));

    let rec = record(&mut c, &id).await;
    assert_eq!(rec["outcome"], "completed");
    assert_eq!(rec["http_version"], "HTTP/1.1");
    assert_eq!(rec["prompt"], "hello");
    assert_eq!(rec["max_tokens"], 8);
    let truth = f64s(&rec["token_chunks_ms"]);
    assert_eq!(truth.len(), 8);
    // Server truth follows the configured schedule (timers only fire late, never early).
    let headers = rec["headers_ms"].as_f64().unwrap();
    // Deadlines are absolute, so check each chunk's lateness rather than gaps (a late chunk
    // followed by an on-time one gives a short gap by design).
    for (i, t) in truth.iter().enumerate() {
        let late = t - (headers + 20.0 + 5.0 * i as f64);
        assert!(
            (-1.0..SLACK_MS).contains(&late),
            "chunk {i} late by {late} ms"
        );
    }
    // Client-measured gaps agree with the truth (loopback, bounded noise).
    let client_gaps: Vec<f64> = content
        .windows(2)
        .map(|w| (w[1].at - w[0].at).as_secs_f64() * 1000.0)
        .collect();
    let truth_total = truth[7] - truth[0];
    let client_total: f64 = client_gaps.iter().sum();
    assert!(
        (client_total - truth_total).abs() < SLACK_MS,
        "{client_total} vs {truth_total}"
    );
    assert!(t0.elapsed() < Duration::from_secs(5));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn completions_non_streaming_and_streaming() {
    let s = server(fast()).await;
    let mut c = connect_h1(&s).await;
    let resp = c
        .send(post(
            "/v1/completions",
            &json!({"prompt": "abcdefgh", "max_tokens": 3}),
        ))
        .await;
    assert_eq!(resp.status(), 200);
    let v = body_json(resp).await;
    assert_eq!(v["object"], "text_completion");
    assert_eq!(v["choices"][0]["text"], " alpha bravo charlie");
    assert_eq!(v["choices"][0]["finish_reason"], "length");
    assert_eq!(v["usage"]["completion_tokens"], 3);
    assert_eq!(v["usage"]["prompt_tokens"], 2);

    let body = json!({"prompt": "p", "max_tokens": 5, "stream": true,
        "inferlab_test": {"tokens_per_chunk": 2, "ttft_ms": 1, "itl_ms": 1}});
    let resp = c.send(post("/v1/completions", &body)).await;
    let (events, end) = read_sse(resp).await;
    assert_eq!(end, Ok(()));
    let texts: Vec<String> = events
        .iter()
        .filter_map(|e| serde_json::from_str::<Value>(&e.data).ok())
        .filter_map(|j| j["choices"][0]["text"].as_str().map(str::to_owned))
        .filter(|t| !t.is_empty())
        .collect();
    assert_eq!(texts, [" alpha bravo", " charlie delta", " echo"]);
    assert!(!events.iter().any(|e| e.data.contains("usage")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn output_length_honours_eos_and_ignore_eos() {
    let s = server(ServerConfig {
        behavior: Behavior {
            ttft_ms: 1.0,
            itl_ms: 0.0,
            output_tokens: Some(4),
            ..Behavior::default()
        },
        ..ServerConfig::default()
    })
    .await;
    let mut c = connect_h1(&s).await;
    let v = body_json(c.send(post("/v1/chat/completions", &chat(10, false))).await).await;
    assert_eq!(v["usage"]["completion_tokens"], 4);
    assert_eq!(v["choices"][0]["finish_reason"], "stop");
    let mut body = chat(10, false);
    body["ignore_eos"] = json!(true);
    let v = body_json(c.send(post("/v1/chat/completions", &body)).await).await;
    assert_eq!(v["usage"]["completion_tokens"], 10);
    assert_eq!(v["choices"][0]["finish_reason"], "length");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn injected_status_codes_via_body_and_header() {
    let s = server(fast()).await;
    let mut c = connect_h1(&s).await;
    let mut body = chat(4, true);
    body["inferlab_test"] = json!({"status": 429});
    let resp = c.send(post("/v1/chat/completions", &body)).await;
    assert_eq!(resp.status(), 429);
    assert_eq!(resp.headers()["retry-after"], "1");
    let id = request_id(&resp);
    assert_eq!(body_json(resp).await["error"]["code"], 429);
    assert_eq!(record(&mut c, &id).await["outcome"], "error_status");

    let mut req = post("/v1/chat/completions", &chat(4, true));
    req.headers_mut()
        .insert("x-inferlab-test", r#"{"status": 500}"#.parse().unwrap());
    let resp = c.send(req).await;
    assert_eq!(resp.status(), 500);
    assert!(body_json(resp).await["error"]["message"].is_string());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_headers_delay_the_response() {
    let s = server(fast()).await;
    let mut c = connect_h1(&s).await;
    let mut body = chat(2, true);
    body["inferlab_test"] = json!({"header_delay_ms": 150, "ttft_ms": 0});
    let t0 = Instant::now();
    let resp = c.send(post("/v1/chat/completions", &body)).await;
    let waited = t0.elapsed().as_secs_f64() * 1000.0;
    assert!(waited >= 149.0, "{waited}");
    let id = request_id(&resp);
    let (_, end) = read_sse(resp).await;
    assert_eq!(end, Ok(()));
    let rec = record(&mut c, &id).await;
    let delay = rec["headers_ms"].as_f64().unwrap() - rec["received_ms"].as_f64().unwrap();
    assert!(delay >= 149.0, "{delay}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mid_stream_drop_breaks_the_stream() {
    let s = server(fast()).await;
    let mut c = connect_h1(&s).await;
    let mut body = chat(10, true);
    body["inferlab_test"] = json!({"drop_after_chunks": 2, "role_chunk": "none"});
    let resp = c.send(post("/v1/chat/completions", &body)).await;
    let id = request_id(&resp);
    let (events, end) = read_sse(resp).await;
    assert!(end.is_err(), "stream must break");
    assert_eq!(events.len(), 2);
    let mut c2 = connect_h1(&s).await;
    let rec = record(&mut c2, &id).await;
    assert_eq!(rec["outcome"], "dropped");
    assert_eq!(f64s(&rec["token_chunks_ms"]).len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_chunk_and_error_event() {
    let s = server(fast()).await;
    let mut c = connect_h1(&s).await;
    let mut body = chat(3, true);
    body["inferlab_test"] = json!({"malformed_at_chunk": 1});
    let (events, end) = read_sse(c.send(post("/v1/chat/completions", &body)).await).await;
    assert_eq!(end, Ok(()));
    let bad = events
        .iter()
        .filter(|e| e.data != "[DONE]" && serde_json::from_str::<Value>(&e.data).is_err())
        .count();
    assert_eq!(bad, 1);
    assert_eq!(events.last().unwrap().data, "[DONE]");

    body["inferlab_test"] = json!({"error_event_after_chunks": 1});
    let (events, end) = read_sse(c.send(post("/v1/chat/completions", &body)).await).await;
    assert_eq!(end, Ok(()));
    let last: Value = serde_json::from_str(&events.last().unwrap().data).unwrap();
    assert_eq!(last["error"]["code"], 500);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hang_never_ends_until_the_client_leaves() {
    let s = server(fast()).await;
    let mut c = connect_h1(&s).await;
    let mut body = chat(5, true);
    body["inferlab_test"] = json!({"hang_after_chunks": 1});
    let resp = c.send(post("/v1/chat/completions", &body)).await;
    let id = request_id(&resp);
    let mut b = resp.into_body();
    let mut got = 0;
    let parked = timeout(Duration::from_millis(300), async {
        while let Some(Ok(_)) = b.frame().await {
            got += 1;
        }
    })
    .await;
    assert!(parked.is_err(), "hung stream must not end");
    assert!(got >= 1);
    drop(b);
    let mut c2 = connect_h1(&s).await;
    assert_eq!(record(&mut c2, &id).await["outcome"], "hung");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_requests_get_400_and_the_server_survives() {
    let s = server(fast()).await;
    let mut c = connect_h1(&s).await;
    let raw = Request::post("/v1/chat/completions")
        .header("host", "127.0.0.1")
        .body(Full::new(Bytes::from_static(b"{not json")))
        .unwrap();
    assert_eq!(c.send(raw).await.status(), 400);
    for body in [
        json!([]),
        json!({"messages": "x"}),
        json!({"messages": [{"role": "user", "content": "x"}], "max_tokens": -3}),
        json!({"messages": [{"role": "user", "content": "x"}], "inferlab_test": {"ttft": 1}}),
        json!({"messages": [{"role": "user", "content": "x"}], "inferlab_test": {"itl_ms": 1e300}}),
    ] {
        let resp = c.send(post("/v1/chat/completions", &body)).await;
        assert_eq!(resp.status(), 400, "{body}");
        assert!(body_json(resp).await["error"]["message"].is_string());
    }
    let mut req = post("/v1/chat/completions", &chat(1, false));
    req.headers_mut()
        .insert("x-inferlab-test", "not json".parse().unwrap());
    assert_eq!(c.send(req).await.status(), 400);
    let snap = body_json(c.send(get("/debug/requests")).await).await;
    let outcomes: Vec<&str> = snap["requests"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["outcome"].as_str())
        .collect();
    assert_eq!(outcomes, ["rejected"; 7]);
    // Still serving.
    assert_eq!(
        c.send(post("/v1/chat/completions", &chat(1, false)))
            .await
            .status(),
        200
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn body_limit_and_api_key() {
    let s = server(ServerConfig {
        max_body_bytes: 1000,
        api_key: Some("sk-test".into()),
        ..fast()
    })
    .await;
    let mut c = connect_h1(&s).await;
    assert_eq!(c.send(get("/v1/models")).await.status(), 401);
    let mut req = post(
        "/v1/chat/completions",
        &json!({"messages": [{"content": "x".repeat(5000)}]}),
    );
    req.headers_mut()
        .insert("authorization", "Bearer sk-test".parse().unwrap());
    assert_eq!(c.send(req).await.status(), 413);
    let mut req = get("/v1/models");
    req.headers_mut()
        .insert("authorization", "Bearer sk-test".parse().unwrap());
    assert_eq!(c.send(req).await.status(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn debug_records_and_reset() {
    let s = server(fast()).await;
    let mut c = connect_h1(&s).await;
    let mut req = post("/v1/completions", &json!({"prompt": "q", "max_tokens": 2}));
    req.headers_mut()
        .insert("x-request-id", "browser-42".parse().unwrap());
    let resp = c.send(req).await;
    let _ = resp.into_body().collect().await;
    let snap = body_json(c.send(get("/debug/requests")).await).await;
    assert!(snap["now_ms"].as_f64().unwrap() > 0.0);
    let r = &snap["requests"][0];
    assert_eq!(r["client_request_id"], "browser-42");
    assert_eq!(r["api"], "completions");
    assert_eq!(r["events"][0]["kind"], "body");
    assert_eq!(r["behavior"]["ttft_ms"], 20.0);
    assert_eq!(s.snapshot().requests.len(), 1);
    let resp = c.send(post("/debug/reset", &json!({}))).await;
    assert_eq!(resp.status(), 200);
    let snap = body_json(c.send(get("/debug/requests")).await).await;
    assert_eq!(snap["requests"], json!([]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fault_rate_faults_a_fraction() {
    let s = server(fast()).await;
    let mut c = connect_h1(&s).await;
    let mut statuses = Vec::new();
    for _ in 0..40 {
        let mut body = chat(1, false);
        body["inferlab_test"] = json!({"status": 503, "fault_rate": 0.5, "seed": 3, "ttft_ms": 0});
        let resp = c.send(post("/v1/chat/completions", &body)).await;
        statuses.push(resp.status().as_u16());
        let _ = resp.into_body().collect().await;
    }
    let failed = statuses.iter().filter(|&&s| s == 503).count();
    assert!((8..=32).contains(&failed), "{failed} of 40");
    assert!(statuses.iter().all(|&s| s == 200 || s == 503));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_h2_runs_many_streams_on_one_connection() {
    let s = server(ServerConfig {
        tls: true,
        ..fast()
    })
    .await;
    assert!(s.url.starts_with("https://127.0.0.1:"));
    assert!(s.cert_pem.as_deref().unwrap().contains("BEGIN CERTIFICATE"));
    let (conn, alpn) = connect_tls(&s, &[b"h2", b"http/1.1"]).await;
    assert_eq!(alpn.as_deref(), Some(&b"h2"[..]));
    let sender = conn.h2();
    let mut tasks = Vec::new();
    for i in 0..64 {
        let mut snd = sender.clone();
        tasks.push(tokio::spawn(async move {
            let mut body = chat(10, true);
            body["messages"][0]["content"] = json!(format!("prompt {i}"));
            let resp = timeout(STEP, snd.send_request(post("/v1/chat/completions", &body)))
                .await
                .expect("in time")
                .expect("response");
            assert_eq!(resp.version(), hyper::Version::HTTP_2);
            let (events, end) = read_sse(resp).await;
            assert_eq!(end, Ok(()));
            events.len()
        }));
    }
    for t in tasks {
        // role + 10 tokens + finish + usage + [DONE]
        assert_eq!(timeout(STEP, t).await.unwrap().unwrap(), 14);
    }
    let snap = s.snapshot();
    assert_eq!(snap.requests.len(), 64);
    assert!(snap
        .requests
        .iter()
        .all(|r| r.http_version == "HTTP/2.0" && r.token_chunks_ms.len() == 10));

    // ALPN http/1.1 only still works, and a drop over h2 resets just that stream.
    let (mut h1, alpn) = connect_tls(&s, &[b"http/1.1"]).await;
    assert_eq!(alpn.as_deref(), Some(&b"http/1.1"[..]));
    assert_eq!(h1.send(get("/health")).await.status(), 200);
    let mut snd = sender.clone();
    let mut body = chat(10, true);
    body["inferlab_test"] = json!({"drop_after_chunks": 3});
    let resp = timeout(STEP, snd.send_request(post("/v1/chat/completions", &body)))
        .await
        .unwrap()
        .unwrap();
    let (_, end) = read_sse(resp).await;
    assert!(end.is_err());
    let resp = timeout(STEP, snd.send_request(get("/health")))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(resp.status(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_h2_config_offers_only_http11() {
    let s = server(ServerConfig {
        tls: true,
        http2: false,
        ..fast()
    })
    .await;
    let (mut c, alpn) = connect_tls(&s, &[b"h2", b"http/1.1"]).await;
    assert_eq!(alpn.as_deref(), Some(&b"http/1.1"[..]));
    assert_eq!(c.send(get("/health")).await.status(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn extra_listeners_share_one_record_store() {
    let s = server(ServerConfig {
        extra_listeners: 2,
        ..fast()
    })
    .await;
    assert_eq!(s.extra_urls.len(), 2);
    for url in std::iter::once(&s.url).chain(&s.extra_urls) {
        let addr: std::net::SocketAddr = url.trim_start_matches("http://").parse().unwrap();
        let tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
        let (mut snd, conn) =
            hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(tcp))
                .await
                .unwrap();
        tokio::spawn(conn);
        let resp = timeout(
            STEP,
            snd.send_request(post(
                "/v1/completions",
                &json!({"prompt": "x", "max_tokens": 1}),
            )),
        )
        .await
        .unwrap()
        .unwrap();
        assert_eq!(resp.status(), 200);
        let _ = resp.into_body().collect().await;
    }
    assert_eq!(s.snapshot().requests.len(), 3);
}
