//! Every tool's state survives a link, and no link can make decoding panic.

use inferlab_calc::{gpus, models, Engine, KvPrecision, Scenario, WeightPrecision};
use inferlab_share::loadtest::{Api, LoadMode, LoadTestState};
use inferlab_share::tokenizer::{TokenView, TokenizerState};
use inferlab_share::{decode, encode, Decoded, Problem};
use proptest::prelude::*;
use proptest::sample::select;

fn scenario() -> impl Strategy<Value = Scenario> {
    let model_ids: Vec<String> = models().iter().map(|m| m.id.to_string()).collect();
    let gpu_ids: Vec<String> = gpus().iter().map(|g| g.id.to_string()).collect();
    (
        (
            select(model_ids),
            select(WeightPrecision::ALL.to_vec()),
            select(KvPrecision::ALL.to_vec()),
        ),
        (
            1u64..=2_000_000,
            1u64..=100_000,
            proptest::option::of(1u64..=1_000_000),
            1u64..=1_000_000,
            1u64..=1_000_000,
        ),
        (
            select(gpu_ids),
            1u32..=64,
            1u32..=16,
            1u32..=8,
            select(Engine::ALL.to_vec()),
        ),
        (
            proptest::option::of(0.01f64..=1.0),
            proptest::option::of(0.0f64..=100.0),
            1.0f64..=744.0,
            0.01f64..=100.0,
        ),
        (
            0.01f64..=1.0,
            proptest::option::of(1u32..=256),
            proptest::option::of(0u64..=65_536),
        ),
    )
        .prop_map(
            |(
                (m, w, kv),
                (ctx, users, bt, input, output),
                (g, gpus, tp, pp, engine),
                (util, price, hours, per),
                (eff, block, graphs_mib),
            )| Scenario {
                model_id: m,
                weights: w,
                kv,
                ctx,
                users,
                batch_tokens: bt,
                input_tokens: input,
                output_tokens: output,
                gpu_id: g,
                gpus,
                tp,
                pp,
                engine,
                util,
                price_per_gpu_hour: price,
                hours_per_month: hours,
                per_stream: per,
                efficiency: eff,
                block_size: block,
                cuda_graph_reserve: graphs_mib.map(|m| m << 20),
                ..Scenario::default()
            },
        )
}

fn tokenizer_state() -> impl Strategy<Value = TokenizerState> {
    (
        "[a-zA-Z0-9_./-]{1,40}",
        ".{0,200}",
        proptest::collection::vec("[a-zA-Z0-9_./-]{1,20}", 0..4),
        select(vec![TokenView::Text, TokenView::Ids, TokenView::Both]),
    )
        .prop_map(|(tok, text, cmp, view)| TokenizerState {
            tok,
            text,
            cmp,
            view,
        })
}

fn loadtest_state() -> impl Strategy<Value = LoadTestState> {
    (
        (
            "https?://[a-z0-9.:-]{1,30}(/[a-z0-9]{0,10})?",
            select(vec![Api::Chat, Api::Completions]),
            "[a-zA-Z0-9_./-]{0,30}",
        ),
        (
            select(vec![LoadMode::Users, LoadMode::Rate, LoadMode::Sweep]),
            1u32..=4096,
            0.001f64..=1000.0,
        ),
        (1u32..=100_000, 1u32..=86_400, 1u32..=100_000),
        ("[a-z-]{1,20}", 0u32..=1_000_000, 0u32..=1_000_000),
    )
        .prop_map(
            |(
                (url, api, model),
                (mode, users, rate),
                (requests, duration, max_tokens),
                (prompt, isl, osl),
            )| LoadTestState {
                url,
                api,
                model,
                mode,
                users,
                rate,
                requests,
                duration,
                max_tokens,
                prompt,
                isl,
                osl,
                ..LoadTestState::default()
            },
        )
}

#[test]
fn loadtest_workload_keys_round_trip() {
    use inferlab_share::loadtest::{ArrivalKind, SweepOver};
    let s = LoadTestState {
        arrival: ArrivalKind::Gamma,
        burstiness: 0.5,
        ramp: 2.5,
        ramp_start: 0.5,
        max_concurrency: Some(8),
        sweep_over: SweepOver::Rate,
        steps: "1,2,4".into(),
        slo_ttft: Some(500.0),
        slo_tpot: Some(50.0),
        slo_e2e: Some(3000.0),
        tok: "gpt-4o".into(),
        matrix: "2048x128,32768x2048".into(),
        ..LoadTestState::default()
    };
    let d = round_trip(&s);
    assert_eq!(d.problems, vec![]);
    assert_eq!(d.state, s);
    let bad: Decoded<LoadTestState> = decode("steps=1,<b>&matrix=2048x128");
    assert_eq!(bad.problems.len(), 1);
    assert_eq!(bad.state.steps, "");
    assert_eq!(bad.state.matrix, "2048x128");
}

fn round_trip<S: inferlab_share::QueryState + Clone + PartialEq + std::fmt::Debug>(
    s: &S,
) -> Decoded<S> {
    decode(&encode(s))
}

proptest! {
    #[test]
    fn calculator_state_round_trips(s in scenario()) {
        let d = round_trip(&s);
        prop_assert_eq!(d.problems, vec![]);
        prop_assert_eq!(d.state, s);
    }

    #[test]
    fn tokenizer_state_round_trips(s in tokenizer_state()) {
        let d = round_trip(&s);
        prop_assert_eq!(d.problems, vec![]);
        prop_assert_eq!(d.state, s);
    }

    #[test]
    fn loadtest_state_round_trips(s in loadtest_state()) {
        let d = round_trip(&s);
        prop_assert_eq!(d.problems, vec![]);
        prop_assert_eq!(d.state, s);
    }

    #[test]
    fn arbitrary_links_never_panic(q in ".{0,600}") {
        let _: Decoded<Scenario> = decode(&q);
        let _: Decoded<TokenizerState> = decode(&q);
        let _: Decoded<LoadTestState> = decode(&q);
    }

    #[test]
    fn arbitrary_values_of_known_keys_never_panic(k in select(vec!["model", "ctx", "util", "gpu", "engine", "tp", "price", "cmp", "url", "rate"]), v in ".{0,80}") {
        let q = format!("{k}={}", inferlab_share::encode_component(&v));
        let _: Decoded<Scenario> = decode(&q);
        let _: Decoded<TokenizerState> = decode(&q);
        let _: Decoded<LoadTestState> = decode(&q);
    }
}

#[test]
fn the_issues_example_link_names_both_bad_parameters() {
    let d: Decoded<Scenario> = decode("foo=1&bar=%ZZ");
    assert_eq!(d.state, Scenario::default());
    let keys: Vec<_> = d.problems.iter().filter_map(Problem::key).collect();
    assert_eq!(keys, ["foo", "bar"]);
}

#[test]
fn calculator_link_reads_public_parameters() {
    let d: Decoded<Scenario> = decode(
        "model=llama-3.1-405b&weights=fp8&kv=fp8&ctx=32768&users=32&gpu=h100-sxm&gpus=8&tp=8&engine=vllm&util=0.92&price=4.1875&hours=720&per_stream=4",
    );
    assert_eq!(d.problems, vec![]);
    let s = d.state;
    assert_eq!(
        (s.model_id.as_str(), s.weights, s.kv),
        ("llama-3.1-405b", WeightPrecision::Fp8, KvPrecision::Fp8)
    );
    assert_eq!((s.ctx, s.users, s.gpus, s.tp), (32768, 32, 8, 8));
    assert_eq!(
        (
            s.util,
            s.price_per_gpu_hour,
            s.hours_per_month,
            s.per_stream
        ),
        (Some(0.92), Some(4.1875), 720.0, 4.0)
    );
}

#[test]
fn hub_repo_ids_are_models_but_junk_is_not() {
    let d: Decoded<Scenario> = decode("model=Qwen/Qwen3-8B");
    assert_eq!(d.state.model_id, "Qwen/Qwen3-8B");
    let d: Decoded<Scenario> = decode("model=../../etc");
    assert_eq!(d.state.model_id, Scenario::default().model_id);
    assert_eq!(d.problems.len(), 1);
}

#[test]
fn loadtest_links_carry_no_secrets() {
    let d: Decoded<LoadTestState> = decode("url=http://127.0.0.1:8000&api_key=sk-123&key=abc");
    let keys: Vec<_> = d.problems.iter().filter_map(Problem::key).collect();
    assert_eq!(keys, ["api_key", "key"]);
    assert!(!encode(&d.state).contains("sk-"));
}
