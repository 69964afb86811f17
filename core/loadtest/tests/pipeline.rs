//! End-to-end use of the crate as the browser shell drives it, against a simulated
//! deterministic server: scheduler → body → tracker (bytes) → stats → export. Checks that
//! measured metrics equal the simulated truth exactly (no transport noise here).

use inferlab_loadtest::config::{RunConfig, Workload};
use inferlab_loadtest::export::{import_json, ExportDoc};
use inferlab_loadtest::openai::{build_body, RequestSettings};
use inferlab_loadtest::prompts::{pick, suite};
use inferlab_loadtest::record::RequestRecord;
use inferlab_loadtest::schedule::{Limits, LoadModel, LoadPlan, Scheduler};
use inferlab_loadtest::summary::{RunStats, Slo};
use inferlab_loadtest::tracker::RequestTracker;

const TTFT: f64 = 50.0;
const ITL: f64 = 10.0;
const TOKENS: usize = 20;

/// The bytes a vLLM-like server sends at `k` ms after the request: role chunk at 5 ms,
/// token i at TTFT + i·ITL, then finish, usage and [DONE] with the last token.
fn server_bytes(k: usize) -> Option<String> {
    let k = k as f64;
    if k == 5.0 {
        return Some(
            "data: {\"choices\":[{\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}]}\n\n"
                .into(),
        );
    }
    let i = (k - TTFT) / ITL;
    if i < 0.0 || i.fract() != 0.0 || i as usize >= TOKENS {
        return None;
    }
    let mut s = format!("data: {{\"choices\":[{{\"delta\":{{\"content\":\"w{i} \"}}}}]}}\n\n");
    if i as usize == TOKENS - 1 {
        s.push_str("data: {\"choices\":[{\"delta\":{},\"finish_reason\":\"length\"}]}\n\n");
        s.push_str(&format!(
            "data: {{\"choices\":[],\"usage\":{{\"prompt_tokens\":9,\"completion_tokens\":{TOKENS}}}}}\n\ndata: [DONE]\n\n"
        ));
    }
    Some(s)
}

#[test]
fn closed_loop_run_measures_truth() {
    let plan = LoadPlan {
        model: LoadModel::Closed {
            users: 4,
            ramp_up_ms: 0.0,
            think_ms: 0.0,
        },
        limits: Limits {
            max_requests: Some(12),
            warmup_requests: 2,
            ..Limits::default()
        },
        seed: 1,
    };
    let config = RunConfig {
        label: "sim".into(),
        base_url: "http://127.0.0.1:8000".into(),
        api_key: Some("sk-test".into()),
        headers: vec![],
        request: RequestSettings {
            model: "m".into(),
            max_tokens: Some(TOKENS as u32),
            ignore_eos: true,
            ..RequestSettings::default()
        },
        workload: Workload {
            suite: Some("classify".into()),
            unique_prompts: true,
            ..Workload::default()
        },
        load: plan,
        sweep: None,
        slo: Slo {
            ttft_ms: Some(60.0),
            ..Slo::default()
        },
    };
    let prompts = suite("classify").map(|s| s.prompts).unwrap_or_default();
    let mut sched = Scheduler::new(plan).unwrap_or_else(|e| panic!("{e}"));
    let mut stats = RunStats::new(config.slo, 1000.0);
    stats.set_origin(0.0);
    let mut live: Vec<(f64, u64, RequestTracker)> = Vec::new();
    let mut done: Vec<RequestRecord> = Vec::new();
    let mut now = 0.0;
    while !sched.is_done(now) && now < 10_000.0 {
        for l in sched.next_due(now) {
            let prompt = pick(&prompts, l.id)
                .map(|p| p.with_nonce(l.id))
                .unwrap_or_else(|| panic!());
            let body = build_body(&config.request, &prompt.messages);
            assert_eq!(body["max_tokens"], TOKENS as u64);
            stats.on_launch(now);
            let mut tr = RequestTracker::new(RequestRecord::from_launch(&l, now, 0), true);
            tr.on_headers(now + 2.0, 200, Some("h2"));
            live.push((now, l.id, tr));
        }
        let mut still = Vec::new();
        for (t0, id, mut tr) in live {
            let k = (now - t0) as usize;
            if let Some(bytes) = server_bytes(k) {
                let p = tr.on_bytes(now, bytes.as_bytes());
                stats.on_tokens(now, p.token_chunks);
            }
            if tr.record().t_done.is_some() {
                let r = tr.on_eof(now);
                sched.on_finish(now, id);
                stats.add(&r);
                done.push(r);
            } else {
                still.push((t0, id, tr));
            }
        }
        live = still;
        now += 1.0;
    }
    assert_eq!(done.len(), 14);
    let s = stats.summary();
    assert_eq!(s.requests_ok, 12);
    assert_eq!(s.warmup_excluded, 2);
    let p = |x: Option<inferlab_loadtest::stats::Percentiles>| x.map(|p| p.p50).unwrap_or(f64::NAN);
    assert_eq!(p(s.ttft_ms), TTFT);
    assert_eq!(p(s.ttft_first_chunk_ms), 5.0);
    assert_eq!(p(s.itl_ms), ITL);
    assert_eq!(p(s.tpot_ms), ITL);
    assert_eq!(p(s.e2e_ms), TTFT + ITL * (TOKENS - 1) as f64);
    assert_eq!(s.token_sources.get("usage"), Some(&12));
    assert_eq!(s.goodput_requests, Some(12));
    assert!((s.output_tps_per_user - 100.0).abs() < 0.1);
    // System tok/s = Σ tokens / (last finish − first measured start) (field notes C2).
    assert_eq!(s.total_output_tokens, 12 * TOKENS as u64);
    assert!((s.output_tps_system - 240_000.0 / s.duration_ms).abs() < 1e-9);
    assert!(!stats.series().is_empty());

    let doc = ExportDoc::new(&config, s, vec![], done, "2026-01-01T00:00:00Z");
    let json = doc.to_json().unwrap_or_default();
    assert!(!json.contains("sk-test"));
    assert_eq!(import_json(&json).map(|d| d.records.len()), Ok(14));
}

/// Rough client-side cost: SSE + JSON parsing + stamping per event. Ignored by default;
/// run with `cargo test -p inferlab-loadtest --release -- --ignored --nocapture`.
#[test]
#[ignore]
fn tracker_throughput() {
    let chunk = "data: {\"id\":\"x\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\" word\"},\"finish_reason\":null}]}\n\n";
    let n = 200_000;
    let start = std::time::Instant::now();
    let mut tr = RequestTracker::new(RequestRecord::new(0, 0.0), true);
    tr.on_headers(0.0, 200, None);
    for i in 0..n {
        tr.on_bytes(i as f64, chunk.as_bytes());
    }
    let r = tr.on_eof(n as f64);
    let secs = start.elapsed().as_secs_f64();
    assert_eq!(r.tokens.len(), n);
    println!(
        "{:.0} events/s ({:.2} µs/event)",
        n as f64 / secs,
        secs * 1e6 / n as f64
    );
}
