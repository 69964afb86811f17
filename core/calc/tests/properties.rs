//! Property tests: monotonicity, TP sharding, and no panics on arbitrary input.

use inferlab_calc::weights::weights_per_gpu;
use inferlab_calc::*;
use proptest::prelude::*;

fn pick_model(i: usize) -> &'static ModelEntry {
    &models()[i % models().len()]
}

fn pick_gpu(i: usize) -> &'static Gpu {
    &gpus()[i % gpus().len()]
}

fn extreme_u64() -> impl Strategy<Value = u64> {
    prop_oneof![Just(0u64), 1u64..200_000, Just(u64::MAX), any::<u64>()]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn evaluate_never_panics(
        m in 0usize..64, g in 0usize..64, e in 0usize..6, w in 0usize..15, k in 0usize..4,
        ctx in extreme_u64(), users in extreme_u64(), batch in proptest::option::of(extreme_u64()),
        tp in prop_oneof![Just(0u32), 1u32..20, Just(u32::MAX)], pp in prop_oneof![Just(0u32), 1u32..10, Just(u32::MAX)],
        gpus_n in any::<u32>(), util in proptest::option::of(any::<f64>()), eff in any::<f64>(),
        price in proptest::option::of(any::<f64>()), hours in any::<f64>(), per_stream in any::<f64>(),
        block in proptest::option::of(any::<u32>()), input in extreme_u64(), output in extreme_u64(),
    ) {
        let entry = pick_model(m);
        let gpu = pick_gpu(g);
        let s = Scenario {
            model_id: entry.id.into(), weights: WeightPrecision::ALL[w], kv: KvPrecision::ALL[k], ctx, users,
            batch_tokens: batch, input_tokens: input, output_tokens: output, gpu_id: gpu.id.clone(), gpus: gpus_n,
            tp, pp, engine: Engine::ALL[e], util, price_per_gpu_hour: price, hours_per_month: hours, per_stream,
            efficiency: eff, block_size: block, cuda_graph_reserve: None, activation_override: None, non_torch_override: None,
        };
        let r = evaluate(&s, &entry.arch, gpu);
        prop_assert!(r.terms.len() == 6);
        prop_assert!(!r.decode_tps_system.is_nan());
    }

    #[test]
    fn kv_and_total_grow_with_ctx_and_users(m in 0usize..64, e in 0usize..6, ctx in 1u64..200_000, extra in 0u64..100_000, users in 1u64..512, more in 0u64..512) {
        let entry = pick_model(m);
        let gpu = gpu("b200").unwrap();
        let base = Scenario { model_id: entry.id.into(), engine: Engine::ALL[e], ctx, users, gpu_id: gpu.id.clone(), ..Scenario::default() };
        let r0 = evaluate(&base, &entry.arch, gpu);
        let r1 = evaluate(&Scenario { ctx: ctx + extra, ..base.clone() }, &entry.arch, gpu);
        let r2 = evaluate(&Scenario { users: users + more, ..base.clone() }, &entry.arch, gpu);
        prop_assert!(r1.kv_bytes >= r0.kv_bytes);
        prop_assert!(r2.kv_bytes >= r0.kv_bytes);
        prop_assert!(r1.total_bytes_per_gpu >= r0.total_bytes_per_gpu);
        prop_assert!(r2.total_bytes_per_gpu >= r0.total_bytes_per_gpu);
        // Fitting more never makes it fit.
        prop_assert!(r0.fits || !r1.fits);
        prop_assert!(r0.fits || !r2.fits);
    }

    #[test]
    fn tp_divides_per_gpu_weights(m in 0usize..64, w in 0usize..15, tp in prop_oneof![Just(2u32), Just(4), Just(8)]) {
        let a = &pick_model(m).arch;
        let p = WeightPrecision::ALL[w];
        let one = weights_per_gpu(a, p, 1, 1) as f64;
        let many = weights_per_gpu(a, p, tp, 1) as f64;
        // Norm vectors are replicated: within 0.5 % of an exact split.
        prop_assert!((many * f64::from(tp) - one).abs() / one < 5e-3, "{} {}", one, many);
    }

    #[test]
    fn lower_precision_never_needs_more_weight_memory(m in 0usize..64) {
        let a = &pick_model(m).arch;
        let b = weights_per_gpu(a, WeightPrecision::Bf16, 1, 1);
        prop_assert!(weights_per_gpu(a, WeightPrecision::Fp8, 1, 1) < b);
        prop_assert!(weights_per_gpu(a, WeightPrecision::Awq, 1, 1) < weights_per_gpu(a, WeightPrecision::Fp8, 1, 1));
        prop_assert!(weights_per_gpu(a, WeightPrecision::Fp32, 1, 1) > b);
        prop_assert!(a.active_params() <= a.total_params());
    }

    #[test]
    fn config_parser_never_panics_on_text(text in ".{0,200}") {
        let _ = Architecture::from_hf_config(&text);
    }

    #[test]
    fn config_parser_never_panics_on_odd_numbers(
        hidden in any::<i64>(), layers in any::<u64>(), heads in any::<u64>(), kv in any::<u64>(),
        vocab in any::<u64>(), inter in any::<u64>(), hd in any::<u64>(), experts in any::<u64>(), window in any::<u64>(),
    ) {
        let json = format!(
            r#"{{"model_type":"gemma3_text","hidden_size":{hidden},"num_hidden_layers":{layers},"num_attention_heads":{heads},
            "num_key_value_heads":{kv},"vocab_size":{vocab},"intermediate_size":{inter},"head_dim":{hd},"num_experts":{experts},
            "moe_intermediate_size":{inter},"sliding_window":{window},"sliding_window_pattern":6,"kv_lora_rank":{hd}}}"#
        );
        if let Ok(a) = Architecture::from_hf_config(&json) {
            let gpu = gpu("h100-sxm").unwrap();
            let _ = evaluate(&Scenario::default(), &a, gpu);
            let _ = gpu_table(&Scenario::default(), &a);
        }
    }
}
