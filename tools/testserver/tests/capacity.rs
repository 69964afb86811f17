//! Capacity probe (ignored by default; run with `--ignored --nocapture`): many concurrent HTTP/2
//! streams over TLS, reporting SSE events/s and how late the server sent chunks vs schedule.

mod common;

use std::time::Duration;

use common::*;
use inferlab_testserver::{Behavior, ServerConfig};
use serde_json::json;
use tokio::time::{timeout, Instant};

#[tokio::test(flavor = "multi_thread")]
#[ignore = "load probe; prints figures"]
async fn many_h2_streams() {
    let streams: usize = std::env::var("STREAMS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(500);
    let tokens: u32 = 200;
    let s = server(ServerConfig {
        tls: true,
        behavior: Behavior {
            ttft_ms: 20.0,
            itl_ms: 10.0,
            ..Behavior::default()
        },
        ..ServerConfig::default()
    })
    .await;
    // Two connections of 250 streams, like a browser using two origins.
    let per_conn = 250;
    let mut senders = Vec::new();
    for _ in 0..streams.div_ceil(per_conn) {
        let (conn, _) = connect_tls(&s, &[b"h2"]).await;
        senders.push(conn.h2());
    }
    let t0 = Instant::now();
    let mut tasks = Vec::new();
    for i in 0..streams {
        let mut snd = senders[i / per_conn].clone();
        tasks.push(tokio::spawn(async move {
            let body = json!({"prompt": format!("p{i}"), "max_tokens": tokens, "stream": true});
            snd.ready().await.expect("ready");
            let resp = timeout(STEP, snd.send_request(post("/v1/completions", &body)))
                .await
                .expect("in time")
                .expect("response");
            let (events, end) = read_sse(resp).await;
            assert_eq!(end, Ok(()));
            events.len()
        }));
    }
    let mut events = 0;
    for t in tasks {
        events += timeout(Duration::from_secs(60), t).await.unwrap().unwrap();
    }
    let secs = t0.elapsed().as_secs_f64();
    let snap = s.snapshot();
    // Lateness of each token chunk vs its nominal deadline (headers + 20 + 10 * i).
    let mut late: Vec<f64> = snap
        .requests
        .iter()
        .flat_map(|r| {
            let h = r.headers_ms.unwrap_or(r.received_ms);
            r.token_chunks_ms
                .iter()
                .enumerate()
                .map(move |(i, t)| t - (h + 20.0 + 10.0 * i as f64))
                .collect::<Vec<_>>()
        })
        .collect();
    late.sort_by(f64::total_cmp);
    let q = |p: f64| late[((late.len() - 1) as f64 * p) as usize];
    println!(
        "{streams} streams, {events} SSE events in {secs:.2} s = {:.0} events/s; \
         server send lateness vs schedule ms: p50 {:.2} p99 {:.2} max {:.2}",
        events as f64 / secs,
        q(0.5),
        q(0.99),
        q(1.0)
    );
}
