//! One sizing scenario in, one report out: per-GPU memory breakdown under the engine's rule,
//! fit verdict in words, capacity (concurrency, context, KV budget), roofline speed and cost;
//! plus the all-GPU table. Everything is cheap arithmetic (no allocation-heavy work besides the
//! report's strings), so it can run on every keystroke in wasm.

use serde::{Deserialize, Serialize};

use crate::activation::{self, VLLM_SAMPLER_COPIES};
use crate::architecture::Architecture;
use crate::cost::{self, HOURS_PER_MONTH};
use crate::engine::{Engine, EngineBudget};
use crate::gpus::{gpus, Gpu};
use crate::kv_cache::{self, WindowRule};
use crate::precision::{KvPrecision, WeightPrecision};
use crate::speed::{self, RooflineInputs, DEFAULT_EFFICIENCY};
use crate::weights;

const GIB: f64 = 1024.0 * 1024.0 * 1024.0;

/// Everything the user chose. Field names follow the URL parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Scenario {
    /// Catalog model id, or a Hub repo id when the architecture came from a fetched config.
    pub model_id: String,
    /// Weight precision.
    pub weights: WeightPrecision,
    /// KV-cache precision.
    pub kv: KvPrecision,
    /// Context length per sequence (`max_model_len`), tokens.
    pub ctx: u64,
    /// Concurrent sequences (URL `users`).
    pub users: u64,
    /// Tokens per forward (`max_num_batched_tokens`); `None` = engine default.
    pub batch_tokens: Option<u64>,
    /// Prompt tokens per request (prefill time, average decode context).
    pub input_tokens: u64,
    /// Output tokens per request (average decode context).
    pub output_tokens: u64,
    /// Catalog GPU id.
    pub gpu_id: String,
    /// GPUs paid for; beyond `tp × pp` they form data-parallel replicas.
    pub gpus: u32,
    /// Tensor parallel size.
    pub tp: u32,
    /// Pipeline parallel size.
    pub pp: u32,
    /// Engine whose memory rule applies.
    pub engine: Engine,
    /// Engine memory fraction; `None` = engine default.
    pub util: Option<f64>,
    /// USD per GPU-hour; `None` = the GPU's catalog default.
    pub price_per_gpu_hour: Option<f64>,
    /// Hours billed per month (730 default, 720 selectable).
    pub hours_per_month: f64,
    /// People served per concurrent stream (chat ×10, agents ×4).
    pub per_stream: f64,
    /// Roofline efficiency (0–1).
    pub efficiency: f64,
    /// Tokens per KV block; `None` = engine default.
    pub block_size: Option<u32>,
    /// CUDA-graph memory in bytes; `None` = engine default.
    pub cuda_graph_reserve: Option<u64>,
    /// Measured activation peak in bytes, replacing the estimate (calibration).
    pub activation_override: Option<u64>,
    /// Measured non-torch memory in bytes, replacing the default (calibration).
    pub non_torch_override: Option<u64>,
}

impl Default for Scenario {
    fn default() -> Self {
        Scenario {
            model_id: "llama-3.1-8b".into(),
            weights: WeightPrecision::Bf16,
            kv: KvPrecision::Bf16,
            ctx: 8192,
            users: 16,
            batch_tokens: None,
            input_tokens: 2048,
            output_tokens: 512,
            gpu_id: "h100-sxm".into(),
            gpus: 1,
            tp: 1,
            pp: 1,
            engine: Engine::Vllm,
            util: None,
            price_per_gpu_hour: None,
            hours_per_month: HOURS_PER_MONTH,
            per_stream: 10.0,
            efficiency: DEFAULT_EFFICIENCY,
            block_size: None,
            cuda_graph_reserve: None,
            activation_override: None,
            non_torch_override: None,
        }
    }
}

/// One bar segment of the per-GPU memory chart.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MemoryTerm {
    /// `weights`, `kv`, `activation`, `overhead`, `reserve`, `free`.
    pub key: &'static str,
    /// Display label.
    pub label: &'static str,
    /// Bytes on one GPU.
    pub bytes: u64,
    /// One sentence on where the number comes from.
    pub explanation: String,
}

/// Results, in base units (bytes, tokens, tokens/s, seconds, USD), named after the UI's
/// `data-testid`s. Non-finite costs (nobody served, zero throughput) serialize as `null`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// Weight bytes on the most loaded GPU.
    pub weights_bytes: u64,
    /// KV bytes per token per GPU (after TP sharding / replication; MLA not sharded).
    pub kv_bytes_per_token: u64,
    /// KV bytes of the workload (`users × ctx`, windows applied) per GPU.
    pub kv_bytes: u64,
    /// Activation peak per GPU.
    pub activation_bytes: u64,
    /// Non-torch memory + CUDA graphs (+ CUDA context for engines that count it).
    pub overhead_bytes: u64,
    /// Memory the engine leaves unused by design.
    pub reserve_bytes: u64,
    /// Weights + KV + activation + overhead on one GPU.
    pub total_bytes_per_gpu: u64,
    /// Memory of one GPU.
    pub gpu_memory_bytes: u64,
    /// Whether the workload fits.
    pub fits: bool,
    /// Why, in plain words.
    pub fit_reason: String,
    /// Fewest GPUs of this type that fit the workload (TP ∈ {1,2,4,8}, then PP), if any ≤ 512.
    pub min_gpus: Option<u32>,
    /// Sequences of `ctx` tokens the KV budget holds, over all replicas.
    pub max_concurrency: u64,
    /// Longest context that fits at `users` sequences.
    pub max_context: u64,
    /// KV budget per GPU in tokens (budget ÷ KV bytes per token).
    pub kv_budget_tokens: u64,
    /// KV budget per GPU in blocks.
    pub kv_budget_blocks: u64,
    /// KV budget per GPU in bytes (negative budgets clamp to 0).
    pub kv_budget_bytes: u64,
    /// Decode tokens/s seen by one sequence.
    pub decode_tps_per_user: f64,
    /// Decode tokens/s over all sequences and replicas.
    pub decode_tps_system: f64,
    /// Whether decode is compute-bound at this concurrency.
    pub compute_bound: bool,
    /// Prefill time of one `input_tokens` prompt.
    pub prefill_seconds: f64,
    /// USD per hour for all GPUs.
    pub cost_per_hour: f64,
    /// USD per month.
    pub cost_per_month: f64,
    /// Month cost ÷ (users × per_stream).
    pub cost_per_user_month: f64,
    /// USD per million output tokens.
    pub cost_per_million_tokens: f64,
    /// Total parameters.
    pub params_total: u64,
    /// Parameters active per token.
    pub params_active: u64,
    /// GPUs billed (at least `tp × pp`).
    pub gpus: u32,
    /// Data-parallel replicas.
    pub replicas: u32,
    /// Per-GPU breakdown: weights, kv, activation, overhead, reserve, free.
    pub terms: Vec<MemoryTerm>,
    /// Assumptions and warnings.
    pub notes: Vec<String>,
}

/// One row of the all-GPU table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GpuRow {
    /// Catalog GPU id.
    pub gpu_id: String,
    /// Fewest GPUs that fit, if any.
    pub min_gpus: Option<u32>,
    /// Tensor-parallel size of that configuration (0 if none fits).
    pub tp: u32,
    /// Pipeline stages of that configuration (0 if none fits).
    pub pp: u32,
    /// USD per hour at `min_gpus` (NaN-free; 0 when none fits).
    pub cost_per_hour: f64,
    /// USD per month at `min_gpus`.
    pub cost_per_month: f64,
    /// Whether one GPU suffices.
    pub fits_at_one: bool,
}

/// Precomputed per-configuration quantities; `fits(users, ctx)` is the cheap inner test.
struct Model<'a> {
    s: &'a Scenario,
    arch: &'a Architecture,
    tp: u32,
    pp: u32,
    mem: f64,
    util: f64,
    weights: f64,
    overhead: f64,
    batch_tokens: u64,
    max_seqs: u64,
    rule: WindowRule,
    layer_bytes: u64,
}

impl<'a> Model<'a> {
    fn new(s: &'a Scenario, arch: &'a Architecture, gpu: &'a Gpu, tp: u32, pp: u32) -> Self {
        let e = s.engine;
        let mem = gpu.memory_bytes as f64;
        let util = s
            .util
            .filter(|u| u.is_finite() && *u > 0.0)
            .map_or(e.default_util(tp), |u| u.min(1.0));
        let batch_tokens = s
            .batch_tokens
            .filter(|t| *t > 0)
            .unwrap_or_else(|| e.default_batch_tokens(gpu.memory_bytes, gpu.is_a100()));
        let block = s
            .block_size
            .filter(|b| *b > 0)
            .unwrap_or_else(|| e.default_block_size());
        let rule = match e {
            Engine::Vllm => WindowRule::Vllm {
                block_size: block,
                batch_tokens: batch_tokens.max(1),
            },
            Engine::Transformers => WindowRule::DynamicCache,
            _ => WindowRule::Exact,
        };
        let layer_bytes = if e == Engine::Transformers {
            kv_cache::decompressed_layer_bytes_per_token(arch, s.kv, tp)
        } else {
            kv_cache::layer_bytes_per_token(arch, s.kv, tp)
        };
        let overhead = s
            .non_torch_override
            .unwrap_or_else(|| e.non_torch_bytes(tp)) as f64
            + s.cuda_graph_reserve
                .unwrap_or_else(|| e.default_cuda_graph_reserve()) as f64;
        Model {
            s,
            arch,
            tp,
            pp,
            mem,
            util,
            weights: weights::weights_per_gpu(arch, s.weights, tp, pp) as f64,
            overhead,
            batch_tokens,
            max_seqs: e.default_max_seqs(gpu.memory_bytes, gpu.is_a100()),
            rule,
            layer_bytes,
        }
    }

    fn block(&self) -> u64 {
        u64::from(
            self.s
                .block_size
                .filter(|b| *b > 0)
                .unwrap_or_else(|| self.s.engine.default_block_size()),
        )
    }

    fn kv_seq(&self, ctx: u64) -> u64 {
        kv_cache::sequence_bytes_with(
            self.arch,
            self.layer_bytes,
            ctx,
            self.tp,
            self.pp,
            self.rule,
        )
    }

    fn kv_per_token(&self) -> u64 {
        u64::from(self.arch.kv_layers()).div_ceil(u64::from(self.pp.max(1))) * self.layer_bytes
    }

    fn activation(&self, users: u64, ctx: u64) -> u64 {
        if let Some(a) = self.s.activation_override {
            return a;
        }
        let act = self.s.weights.activation_bytes();
        let t = self.batch_tokens;
        let terms = match self.s.engine {
            Engine::Vllm => activation::serving_peak(
                self.arch,
                act,
                self.tp,
                t,
                self.max_seqs,
                VLLM_SAMPLER_COPIES,
            ),
            Engine::Sglang | Engine::Tgi => {
                activation::serving_peak(self.arch, act, self.tp, t, users.max(1), 4.0)
            }
            Engine::Trtllm => {
                activation::serving_peak(self.arch, act, self.tp, t, users.max(1), 2.0)
            }
            Engine::Llamacpp => activation::llamacpp_compute_buffer(self.arch, t),
            Engine::Transformers => {
                // Sliding-window cache views pin the full-length K/V storage after prefill.
                let full = kv_cache::sequence_bytes_with(
                    self.arch,
                    self.layer_bytes,
                    ctx,
                    self.tp,
                    self.pp,
                    WindowRule::Full,
                );
                let pinned = users.saturating_mul(full.saturating_sub(self.kv_seq(ctx)));
                return activation::transformers_peak(self.arch, act, users, ctx)
                    .total()
                    .saturating_add(pinned);
            }
        };
        terms.total()
    }

    fn budget(&self, activation: u64) -> EngineBudget {
        self.s.engine.budget(
            self.mem,
            self.util,
            self.weights,
            activation as f64,
            self.overhead,
        )
    }

    fn fits(&self, users: u64, ctx: u64) -> bool {
        let a = self.activation(users, ctx);
        let b = self.budget(a);
        let kv = users.saturating_mul(self.kv_seq(ctx)) as f64;
        b.static_fits && b.kv_budget >= 0.0 && kv <= b.kv_budget
    }

    /// Largest `x` in `[0, hi]` with `ok(x)`, assuming monotonicity.
    fn search(hi: u64, ok: impl Fn(u64) -> bool) -> u64 {
        if !ok(0) {
            return 0;
        }
        let (mut lo, mut hi) = (0u64, hi);
        if ok(hi) {
            return hi;
        }
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            if ok(mid) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        lo
    }
}

fn tp_valid(arch: &Architecture, tp: u32) -> bool {
    let heads_ok = arch.heads.is_multiple_of(tp);
    let kv_ok = arch.mla.is_some()
        || arch.kv_heads.is_multiple_of(tp)
        || tp.is_multiple_of(arch.kv_heads.max(1));
    heads_ok && kv_ok
}

/// Fewest GPUs of `gpu` that hold the scenario: TP ∈ {1, 2, 4, 8} (heads and KV heads must
/// divide, or KV heads replicate), then the largest valid TP ≤ 8 times PP stages (multi-node).
fn min_config(s: &Scenario, arch: &Architecture, gpu: &Gpu) -> Option<(u32, u32)> {
    let users = s.users;
    let ctx = s.ctx;
    for tp in [1u32, 2, 4, 8] {
        if tp_valid(arch, tp) && Model::new(s, arch, gpu, tp, 1).fits(users, ctx) {
            return Some((tp, 1));
        }
    }
    let base = [8u32, 4, 2, 1]
        .into_iter()
        .find(|t| tp_valid(arch, *t))
        .unwrap_or(1);
    let max_pp = arch.layers.clamp(1, 64);
    (2..=max_pp)
        .filter(|pp| base * pp > 8)
        .find(|pp| Model::new(s, arch, gpu, base, *pp).fits(users, ctx))
        .map(|pp| (base, pp))
}

fn gib(b: f64) -> String {
    format!("{:.1} GiB", b / GIB)
}

fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Evaluate a scenario on `gpu` for `arch` (look both up with [`crate::model`] and
/// [`crate::gpu`], or parse a config). Never panics; zero inputs are clamped to 1 where a
/// divisor needs it.
pub fn evaluate(s: &Scenario, arch: &Architecture, gpu: &Gpu) -> Report {
    let tp = s.tp.max(1);
    let pp = s.pp.max(1);
    let group = tp.saturating_mul(pp);
    let mut notes = Vec::new();
    let gpus_billed = s.gpus.max(group).max(1);
    if s.gpus < group {
        notes.push(format!(
            "tp {tp} × pp {pp} needs {group} GPUs; costing {group}, not {}",
            s.gpus
        ));
    }
    let replicas = (gpus_billed / group).max(1);
    let users_pr = s.users.div_ceil(u64::from(replicas));
    if replicas > 1 {
        notes.push(format!(
            "{replicas} data-parallel replicas of tp {tp} × pp {pp}; {users_pr} sequences each"
        ));
    }

    let m = Model::new(s, arch, gpu, tp, pp);
    let ctx = s.ctx;
    let kv_seq = m.kv_seq(ctx);
    let kv_bytes = users_pr.saturating_mul(kv_seq);
    let activation = m.activation(users_pr, ctx);
    let b = m.budget(activation);
    let kv_budget = b.kv_budget.max(0.0);
    let kv_per_token = m.kv_per_token();
    let fits = m.fits(users_pr, ctx);

    // Capacity.
    let max_conc_pr = if kv_seq == 0 {
        if fits {
            users_pr
        } else {
            0
        }
    } else {
        Model::search(1 << 32, |u| m.fits(u, ctx))
    };
    let ctx_cap = if arch.max_position_embeddings > 0 {
        arch.max_position_embeddings
    } else {
        1 << 24
    };
    let max_context = Model::search(ctx_cap, |c| m.fits(users_pr.max(1), c));
    let kv_budget_tokens = if kv_per_token > 0 {
        (kv_budget / kv_per_token as f64) as u64
    } else {
        0
    };
    let kv_budget_blocks = kv_budget_tokens / m.block().max(1);

    // Notes on rules applied.
    if arch.mla.is_some() {
        if s.engine == Engine::Transformers {
            notes.push(
                "transformers caches MLA keys/values decompressed (heads × (nope + rope + v))"
                    .into(),
            );
        } else if tp > 1 {
            notes.push(format!(
                "MLA latent is not sharded: each of the {tp} GPUs holds the full KV"
            ));
        }
    } else if tp > arch.kv_heads {
        notes.push(format!(
            "tp {tp} > kv heads {}: KV heads replicated",
            arch.kv_heads
        ));
    }
    if !tp_valid(arch, tp) {
        notes.push(format!(
            "tp {tp} does not divide {} heads / {} KV heads: engines will refuse it",
            arch.heads, arch.kv_heads
        ));
    }
    if let (Some(w), true) = (arch.sliding_window, arch.sliding_layers > 0) {
        let rule = match m.rule {
            WindowRule::Vllm { .. } => "vLLM reserves min(W − 1 + batch tokens, ctx) + 1 block per sequence",
            WindowRule::Full => "no window saving",
            WindowRule::DynamicCache => "transformers keeps W − 1 tokens, but the full prompt's storage stays pinned after prefill (counted under activation)",
            WindowRule::Exact => "capped at the window",
        };
        notes.push(format!(
            "{} of {} layers use a {w}-token sliding window: {rule}",
            arch.sliding_layers, arch.layers
        ));
    }
    if arch.recurrent_layers > 0 {
        notes.push(format!(
            "{} recurrent layers hold a constant state per sequence (no KV)",
            arch.recurrent_layers
        ));
    }
    if arch.kv_shared_layers > 0 {
        notes.push(format!(
            "{} layers reuse another layer's KV and hold none",
            arch.kv_shared_layers
        ));
    }
    if arch.max_position_embeddings > 0 && ctx > arch.max_position_embeddings {
        notes.push(format!(
            "ctx {} exceeds the model's max_position_embeddings {}",
            ctx, arch.max_position_embeddings
        ));
    }
    if s.weights.is_gguf() && s.engine != Engine::Llamacpp {
        notes.push(
            "GGUF weights are meant for llama.cpp; other engines' GGUF support is partial".into(),
        );
    }
    if s.weights == WeightPrecision::Fp8 && gpu.fp8_tflops <= 0.0 {
        notes.push(format!(
            "{} has no FP8 tensor cores: FP8 runs weight-only at bf16 speed",
            gpu.name
        ));
    }
    if s.kv == KvPrecision::Fp8 && gpu.fp8_tflops <= 0.0 {
        notes.push(
            "FP8 KV cache on a GPU without FP8: supported by vLLM but dequantized in attention"
                .into(),
        );
    }
    if !fits {
        notes.push("speed and cost assume the configuration ran; it does not fit as set".into());
    }
    if s.activation_override.is_some() {
        notes.push("activation peak taken from your measurement".into());
    }
    if arch.vision_params > 0 {
        notes.push(format!(
            "vision tower ≈ {:.2} B parameters (estimated, kept in 16-bit)",
            arch.vision_params as f64 / 1e9
        ));
    }

    // Fit verdict.
    let usable = match s.engine {
        Engine::Trtllm => m.mem,
        _ => m.util * m.mem,
    };
    let total = m.weights + kv_bytes as f64 + activation as f64 + m.overhead;
    let engine = s.engine.label();
    let fit_reason = if fits {
        format!(
            "needs {} per GPU of the {} {engine} may use on each {} ({} {:.2}); room for {} sequences of {} tokens",
            gib(total),
            gib(usable),
            gpu.name,
            s.engine.util_flag(),
            m.util,
            thousands(max_conc_pr.saturating_mul(u64::from(replicas))),
            thousands(ctx)
        )
    } else if !b.static_fits && s.engine == Engine::Sglang {
        format!(
            "activations ({}) and CUDA graphs/non-torch ({}) exceed the {} left by {} {:.2}: lower it",
            gib(activation as f64),
            gib(m.overhead),
            gib((1.0 - m.util) * m.mem),
            s.engine.util_flag(),
            m.util
        )
    } else if b.kv_budget < 0.0 || !b.static_fits {
        format!(
            "weights ({}) + activations ({}) + overhead ({}) alone exceed the {} {engine} may use on each {}: add GPUs{} or use a smaller precision",
            gib(m.weights),
            gib(activation as f64),
            gib(m.overhead),
            gib(usable),
            gpu.name,
            min_config(s, arch, gpu).map_or(String::new(), |(t, p)| format!(" (min {})", t * p))
        )
    } else {
        format!(
            "needs {} per GPU, {} allows {}: KV for {} × {} tokens needs {} but only {} is left; max {} sequences at this context, or {} tokens at {} sequences",
            gib(total),
            gpu.name,
            gib(usable),
            thousands(users_pr),
            thousands(ctx),
            gib(kv_bytes as f64),
            gib(kv_budget),
            thousands(max_conc_pr),
            thousands(max_context),
            thousands(users_pr)
        )
    };

    // Memory terms (sum to the GPU's memory when it fits).
    let reserve = b.reserve.max(0.0) as u64;
    let used = (m.weights as u64)
        .saturating_add(kv_bytes)
        .saturating_add(activation)
        .saturating_add(m.overhead as u64)
        .saturating_add(reserve);
    let free = gpu.memory_bytes.saturating_sub(used);
    let pool_note = if s.engine.preallocates_kv() {
        format!(
            "{engine} still allocates this for KV: it is the pool headroom beyond your workload"
        )
    } else {
        "unallocated".to_string()
    };
    let terms = vec![
        MemoryTerm {
            key: "weights",
            label: "Weights",
            bytes: m.weights as u64,
            explanation: format!(
                "{:.2} B parameters at {} ({:.2} bits on quantized layers), split over tp {tp} × pp {pp}",
                arch.total_params() as f64 / 1e9,
                s.weights.label(),
                s.weights.bits_per_weight()
            ),
        },
        MemoryTerm {
            key: "kv",
            label: "KV cache",
            bytes: kv_bytes,
            explanation: format!(
                "{} sequences × {} tokens × {} B/token ({} KV)",
                thousands(users_pr),
                thousands(ctx),
                thousands(kv_per_token),
                s.kv.label()
            ),
        },
        MemoryTerm {
            key: "activation",
            label: "Activation peak",
            bytes: activation,
            explanation: match s.engine {
                Engine::Transformers => format!(
                    "whole prompt in one forward: {} tokens of logits and intermediates",
                    thousands(users_pr.saturating_mul(ctx))
                ),
                Engine::Llamacpp => format!("compute buffer for a {}-token micro-batch", m.batch_tokens),
                _ => format!(
                    "profile forward of {} batched tokens plus sampler logits",
                    thousands(m.batch_tokens)
                ),
            },
        },
        MemoryTerm {
            key: "overhead",
            label: "Runtime overhead",
            bytes: m.overhead as u64,
            explanation: "non-torch memory (NCCL, cuBLAS workspaces, CUDA context where the engine counts it) and CUDA graphs".into(),
        },
        MemoryTerm {
            key: "reserve",
            label: "Engine reserve",
            bytes: reserve,
            explanation: format!("left unused by {} {:.2}", s.engine.util_flag(), m.util),
        },
        MemoryTerm { key: "free", label: "Free", bytes: free, explanation: pool_note },
    ];

    // Speed.
    let p = arch.params();
    let routed_bytes =
        p.routed_experts as f64 * s.weights.bits_per_weight() / 8.0 / f64::from(group);
    let batch = users_pr.min(max_conc_pr.max(1)).max(1);
    let avg_ctx = s
        .input_tokens
        .saturating_add(s.output_tokens / 2)
        .min(ctx.max(1));
    let experts = arch
        .moe
        .as_ref()
        .map_or((0, 0), |mo| (mo.experts, mo.experts_per_token));
    let r = RooflineInputs {
        weights_per_gpu: m.weights,
        routed_expert_bytes_per_gpu: routed_bytes.min(m.weights),
        experts,
        kv_bytes_per_seq: m.kv_seq(avg_ctx) as f64,
        batch: batch as f64,
        context: avg_ctx as f64,
        tp,
        pp,
    };
    let sp = speed::decode(arch, gpu, s.weights, &r, s.efficiency);
    let tps_system = sp.tps_system * f64::from(replicas);
    let prefill = speed::prefill_seconds(
        arch,
        gpu,
        s.weights,
        m.weights,
        s.input_tokens as f64,
        tp,
        pp,
        s.efficiency,
    );

    let price = s
        .price_per_gpu_hour
        .filter(|p| p.is_finite() && *p >= 0.0)
        .unwrap_or(gpu.price_per_hour);
    let c = cost::cost(
        price,
        gpus_billed,
        s.hours_per_month,
        s.users,
        s.per_stream,
        tps_system,
    );

    Report {
        weights_bytes: m.weights as u64,
        kv_bytes_per_token: kv_per_token,
        kv_bytes,
        activation_bytes: activation,
        overhead_bytes: m.overhead as u64,
        reserve_bytes: reserve,
        total_bytes_per_gpu: total as u64,
        gpu_memory_bytes: gpu.memory_bytes,
        fits,
        fit_reason,
        min_gpus: min_config(s, arch, gpu).map(|(t, p)| t * p),
        max_concurrency: max_conc_pr.saturating_mul(u64::from(replicas)),
        max_context,
        kv_budget_tokens,
        kv_budget_blocks,
        kv_budget_bytes: kv_budget as u64,
        decode_tps_per_user: sp.tps_per_user,
        decode_tps_system: tps_system,
        compute_bound: sp.compute_bound,
        prefill_seconds: prefill,
        cost_per_hour: c.per_hour,
        cost_per_month: c.per_month,
        cost_per_user_month: c.per_user_month,
        cost_per_million_tokens: c.per_million_tokens,
        params_total: p.total(),
        params_active: arch.active_params(),
        gpus: gpus_billed,
        replicas,
        terms,
        notes,
    }
}

/// The scenario's model and workload on every catalog GPU: fewest GPUs and what they cost.
/// The scenario's own price override applies to its own GPU only.
pub fn gpu_table(s: &Scenario, arch: &Architecture) -> Vec<GpuRow> {
    gpus()
        .iter()
        .map(|g| {
            let cfg = min_config(s, arch, g);
            let n = cfg.map_or(0, |(t, p)| t * p);
            let price = if g.id == s.gpu_id {
                s.price_per_gpu_hour
                    .filter(|p| p.is_finite() && *p >= 0.0)
                    .unwrap_or(g.price_per_hour)
            } else {
                g.price_per_hour
            };
            let per_hour = price * f64::from(n);
            GpuRow {
                gpu_id: g.id.clone(),
                min_gpus: cfg.map(|_| n),
                tp: cfg.map_or(0, |c| c.0),
                pp: cfg.map_or(0, |c| c.1),
                cost_per_hour: per_hour,
                cost_per_month: per_hour * s.hours_per_month.max(0.0),
                fits_at_one: n == 1,
            }
        })
        .collect()
}
