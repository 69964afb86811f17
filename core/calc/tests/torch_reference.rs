//! Plain-PyTorch ("transformers" engine) mode against real allocations measured on H100/H200
//! (`tests/data/torch_reference.json`, method in `tests/data/README.md`): weights and KV within
//! 0.5 %, KV + activation peak within 5 % of `prefill_peak_bytes`. Skips (with a message) when
//! the data file is absent.

use inferlab_calc::*;
use serde_json::Value;

#[test]
fn transformers_mode_matches_torch_allocations() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/torch_reference.json"
    );
    let Ok(text) = std::fs::read_to_string(path) else {
        println!("SKIPPED: {path} not found");
        return;
    };
    let data: Value = serde_json::from_str(&text).expect("torch_reference.json parses");
    let points = data["points"].as_array().expect("points array");
    let gpu = gpu("h200").expect("h200 in catalog");
    let mut checked = 0;
    let mut worst = (0.0f64, 0.0f64, 0.0f64);
    for p in points {
        let name = p["name"].as_str().unwrap_or("?");
        // The calculator models sdpa (the transformers default); eager attention points are
        // kept in the data for reference only.
        if name.contains("/eager/") {
            continue;
        }
        let config = serde_json::to_string(&p["config"]).expect("config");
        let arch = Architecture::from_hf_config(&config).unwrap_or_else(|e| panic!("{name}: {e}"));
        let num = |k: &str| p[k].as_u64().unwrap_or_else(|| panic!("{name}: {k}")) as f64;
        let s = Scenario {
            engine: Engine::Transformers,
            weights: WeightPrecision::Bf16,
            kv: KvPrecision::Bf16,
            users: num("batch") as u64,
            ctx: num("seq_len") as u64,
            input_tokens: num("seq_len") as u64,
            gpu_id: "h200".into(),
            ..Scenario::default()
        };
        let r = evaluate(&s, &arch, gpu);
        let err = |ours: f64, theirs: f64| (ours - theirs) / theirs;
        let e_params = err(arch.total_params() as f64, num("param_count"));
        let e_w = err(r.weights_bytes as f64, num("weights_bytes"));
        let e_kv = err(r.kv_bytes as f64, num("kv_bytes"));
        let e_peak = err(
            (r.kv_bytes + r.activation_bytes) as f64,
            num("prefill_peak_bytes"),
        );
        println!(
            "{name:40} params {e_params:+.4}  weights {e_w:+.4}  kv {e_kv:+.4}  peak {e_peak:+.4}"
        );
        assert!(e_params.abs() < 0.001, "{name}: params off by {e_params}");
        assert!(e_w.abs() < 0.005, "{name}: weights off by {e_w}");
        assert!(e_kv.abs() < 0.005, "{name}: kv off by {e_kv}");
        assert!(e_peak.abs() < 0.05, "{name}: prefill peak off by {e_peak}");
        worst = (
            worst.0.max(e_w.abs()),
            worst.1.max(e_kv.abs()),
            worst.2.max(e_peak.abs()),
        );
        checked += 1;
    }
    println!(
        "{checked} points; worst |error|: weights {:.4}, kv {:.4}, peak {:.4}",
        worst.0, worst.1, worst.2
    );
    assert!(checked >= 20);
}
