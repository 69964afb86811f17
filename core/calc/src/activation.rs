//! Activation peaks: what a forward pass allocates on top of weights and KV (field notes A4:
//! "the term naive calculators miss").
//!
//! Two shapes of forward matter:
//! - Serving engines profile one chunk of `max_num_batched_tokens` tokens plus a sampler pass
//!   over up to `max_num_seqs` rows of fp32 logits ([`serving_peak`]).
//! - Plain PyTorch / transformers runs the whole prompt (`batch × seq_len`) in one forward and
//!   materialises logits for every position ([`transformers_peak`]).

use crate::architecture::Architecture;

/// The named terms of an activation estimate, so the UI can show where the bytes go.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ActivationTerms {
    /// Hidden-state / attention / MLP intermediates of one chunk, at the worst layer.
    pub intermediates: u64,
    /// Logits and sampler buffers.
    pub logits: u64,
}

impl ActivationTerms {
    /// Peak bytes.
    pub fn total(&self) -> u64 {
        self.intermediates.saturating_add(self.logits)
    }
}

/// Widest feed-forward intermediate a token passes through on one GPU, in elements:
/// dense `intermediate`, or for MoE `experts_per_token × moe_intermediate + shared`.
fn ffn_width(arch: &Architecture, tp: u64) -> u64 {
    let moe = arch.moe.as_ref().map_or(0, |m| {
        u64::from(m.experts_per_token) * m.moe_intermediate + m.shared_intermediate
    });
    let dense = if arch.moe.as_ref().is_some_and(|m| m.dense_layers == 0) {
        0
    } else {
        arch.intermediate
    };
    dense.max(moe) / tp
}

/// Attention q/k/v/o widths on one GPU, in elements per token.
fn attn_width(arch: &Architecture, tp: u64) -> u64 {
    let hd = u64::from(arch.head_dim);
    let q = u64::from(arch.heads) * hd;
    let kv = 2 * u64::from(arch.kv_heads) * hd;
    (2 * q + kv) / tp
}

/// Bytes per token of the intermediates alive at the worst point of a serving forward:
/// residual + normed input (2·h), gate/up output and activation (3·ffn), attention q/k/v/out.
pub fn serving_bytes_per_token(arch: &Architecture, act_bytes: u64, tp: u32) -> u64 {
    let tp = u64::from(tp.max(1));
    let ffn = 3 * ffn_width(arch, tp);
    let attn = attn_width(arch, tp);
    act_bytes * (2 * arch.hidden + ffn.max(attn) + arch.hidden)
}

/// Copies of the fp32 `rows × vocab` logits the vLLM sampler holds during its profiling pass
/// (logits, probs, logprobs, sorted values + int64 indices for top-k/top-p). Calibrated to the
/// llm-d measurements in field notes A1 (Llama-3.1-8B 4.76 GiB, Qwen3-0.6B 5.56 GiB,
/// gpt-oss-20b 7.38 GiB at 8,192 batched tokens and 1,024 sequences): the model gives 5.2,
/// 5.2 and 7.4 GiB.
pub const VLLM_SAMPLER_COPIES: f64 = 8.5;

/// Peak of a serving engine's profile run: `batch_tokens` tokens through the model plus
/// `sampler_rows` rows of fp32 logits held `sampler_copies` times.
pub fn serving_peak(
    arch: &Architecture,
    act_bytes: u64,
    tp: u32,
    batch_tokens: u64,
    sampler_rows: u64,
    sampler_copies: f64,
) -> ActivationTerms {
    let intermediates = batch_tokens.saturating_mul(serving_bytes_per_token(arch, act_bytes, tp));
    let rows = sampler_rows.min(batch_tokens.max(1));
    let logits =
        (rows as f64 * arch.vocab as f64 * 4.0 * sampler_copies).min(u64::MAX as f64 / 2.0) as u64;
    ActivationTerms {
        intermediates,
        logits,
    }
}

/// Peak of a plain PyTorch forward (transformers 5, sdpa, bf16, `use_cache=True`) over a
/// `batch × seq` prompt, *on top of* the resident KV cache at full length. Fitted to the
/// H100/H200 allocator measurements in `tests/data/torch_reference.json` (README there):
/// every sdpa point within 1 %.
///
/// With `T = batch·seq`, `e` = activation bytes, `H` hidden, `I` intermediate, `V` vocab:
/// - MLP moment of the last layer: `rope (2·seq·head_dim·e) + sliding mask (seq² bytes when a
///   sliding layer's window ≤ seq) + 4·T·H·e` (inputs_embeds, layer input, residual, normed
///   input) `+ 3·T·I·e` (act(gate), up, product; 4·T·I·e with Phi-3's fused gate_up). MoE
///   (transformers grouped_mm experts): `T·k·e·max(4H, H + 4I, 3H + I) + T·E·(e + 4)` (router
///   logits in bf16 and their fp32 softmax).
/// - lm_head moment: `T·H·e` (final normed hidden) `+ c·T·V·e` logits for every position,
///   kept in bf16 (no fp32 upcast without labels); `c = 2` with Gemma-2's final soft-capping.
///
/// The peak is the larger of the two; sdpa attention is never the peak (eager attention is).
pub fn transformers_peak(
    arch: &Architecture,
    act_bytes: u64,
    batch: u64,
    seq: u64,
) -> ActivationTerms {
    let e = act_bytes as f64;
    let (s, t) = (seq as f64, batch as f64 * seq as f64);
    let h = arch.hidden as f64;
    let rope = 2.0 * s * f64::from(arch.head_dim) * e;
    let window = arch.sliding_window.map_or(f64::INFINITY, f64::from);
    let mask = if arch.sliding_layers > 0 && s >= window {
        s * s
    } else {
        0.0
    };
    let last_layer_moe = arch.moe.as_ref().filter(|m| m.dense_layers < arch.layers);
    let mlp_act = match last_layer_moe {
        Some(m) => {
            let (k, i, experts) = (
                f64::from(m.experts_per_token),
                m.moe_intermediate as f64,
                f64::from(m.experts),
            );
            t * k * e * (4.0 * h).max(h + 4.0 * i).max(3.0 * h + i) + t * experts * (e + 4.0)
        }
        None => {
            let i = arch.intermediate as f64;
            let copies = if arch.fused_gate_up {
                4.0
            } else if arch.gated_mlp {
                3.0
            } else {
                2.0
            };
            copies * t * i * e
        }
    };
    let p_mlp = rope + mask + 4.0 * t * h * e + mlp_act;
    let c = if arch.final_logit_softcapping {
        2.0
    } else {
        1.0
    };
    let logits = c * t * arch.vocab as f64 * e;
    let p_logits = t * h * e + logits;
    if p_logits >= p_mlp {
        ActivationTerms {
            intermediates: (t * h * e) as u64,
            logits: logits as u64,
        }
    } else {
        ActivationTerms {
            intermediates: p_mlp as u64,
            logits: 0,
        }
    }
}

/// llama.cpp compute buffer for a micro-batch of `ubatch` tokens: fp32 logits for the
/// micro-batch plus fp32 intermediates (flash attention on, so no `ubatch × ctx` score matrix).
pub fn llamacpp_compute_buffer(arch: &Architecture, ubatch: u64) -> ActivationTerms {
    ActivationTerms {
        intermediates: ubatch.saturating_mul(serving_bytes_per_token(arch, 4, 1)),
        logits: ubatch.saturating_mul(arch.vocab * 4),
    }
}
