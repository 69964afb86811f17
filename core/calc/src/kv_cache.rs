//! KV-cache bytes (field notes A3): GQA/MQA with explicit `head_dim`, MLA latent, sliding
//! windows (with vLLM's reservation rule), recurrent state, KV-shared layers, TP replication.

use crate::architecture::Architecture;
use crate::precision::KvPrecision;

/// How an engine reserves cache for sliding-window layers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WindowRule {
    /// Exactly `min(ctx, W)` tokens (the textbook formula; Gemma-3 check of A3).
    Exact,
    /// vLLM `SlidingWindowSpec`: `(cdiv(min(W − 1 + batch_tokens, ctx), block) + 1) · block`
    /// tokens, and full layers round `ctx` up to whole blocks.
    Vllm {
        /// Tokens per KV block.
        block_size: u32,
        /// `max_num_batched_tokens`.
        batch_tokens: u64,
    },
    /// No window saving: every layer holds `ctx` tokens.
    Full,
    /// transformers `DynamicSlidingWindowLayer`: logically the last `W − 1` tokens. After a
    /// one-shot prefill the view still pins the full-length storage (counted as activation).
    DynamicCache,
}

/// KV heads held by one GPU: `ceil(kv / tp)`, at least 1 (heads are replicated when tp > kv).
pub fn kv_heads_per_gpu(arch: &Architecture, tp: u32) -> u64 {
    u64::from(arch.kv_heads.max(1)).div_ceil(u64::from(tp.max(1)))
}

/// Bytes one token adds to one KV layer on one GPU.
/// MLA caches `kv_lora_rank + qk_rope_head_dim` per layer and is not sharded by TP.
pub fn layer_bytes_per_token(arch: &Architecture, kv: KvPrecision, tp: u32) -> u64 {
    let b = kv.bytes();
    match &arch.mla {
        Some(m) => u64::from(m.kv_lora_rank + m.qk_rope_head_dim) * b,
        None => 2 * kv_heads_per_gpu(arch, tp) * u64::from(arch.head_dim) * b,
    }
}

/// Bytes per token per layer when MLA K/V are cached *decompressed* (plain transformers):
/// keys `heads · (nope + rope)` and values `heads · v_head_dim`, sharded by heads.
pub fn decompressed_layer_bytes_per_token(arch: &Architecture, kv: KvPrecision, tp: u32) -> u64 {
    match &arch.mla {
        Some(m) => {
            let heads = u64::from(arch.heads.max(1)).div_ceil(u64::from(tp.max(1)));
            heads * u64::from(m.qk_nope_head_dim + m.qk_rope_head_dim + m.v_head_dim) * kv.bytes()
        }
        None => layer_bytes_per_token(arch, kv, tp),
    }
}

fn per_stage(layers: u32, pp: u32) -> u64 {
    u64::from(layers).div_ceil(u64::from(pp.max(1)))
}

/// KV bytes per token per GPU over all KV-holding layers (windowed layers counted per token,
/// i.e. the cost of a token before any window cap). Llama-3.1-8B bf16 = 131,072.
pub fn kv_bytes_per_token(arch: &Architecture, kv: KvPrecision, tp: u32, pp: u32) -> u64 {
    per_stage(arch.kv_layers(), pp) * layer_bytes_per_token(arch, kv, tp)
}

/// Tokens a windowed layer holds for a sequence of `ctx` tokens under `rule`.
pub fn window_tokens(window: u64, ctx: u64, rule: WindowRule) -> u64 {
    match rule {
        WindowRule::Exact => ctx.min(window),
        WindowRule::Full => ctx,
        WindowRule::DynamicCache => ctx.min(window.saturating_sub(1)),
        WindowRule::Vllm {
            block_size,
            batch_tokens,
        } => {
            let b = u64::from(block_size.max(1));
            let n = (window.saturating_sub(1).saturating_add(batch_tokens)).min(ctx);
            if ctx == 0 {
                0
            } else {
                n.div_ceil(b).saturating_add(1).saturating_mul(b)
            }
        }
    }
}

/// Bytes of cache one sequence of `ctx` tokens holds on one GPU, with per-layer byte cost
/// `layer_bytes` (from [`layer_bytes_per_token`] or the decompressed variant).
pub fn sequence_bytes_with(
    arch: &Architecture,
    layer_bytes: u64,
    ctx: u64,
    tp: u32,
    pp: u32,
    rule: WindowRule,
) -> u64 {
    let full_tokens = match rule {
        WindowRule::Vllm { block_size, .. } => ctx
            .div_ceil(u64::from(block_size.max(1)))
            .saturating_mul(u64::from(block_size.max(1))),
        _ => ctx,
    };
    let window = arch.sliding_window.map_or(u64::MAX, u64::from);
    let full = per_stage(arch.full_attention_layers(), pp)
        .saturating_mul(layer_bytes)
        .saturating_mul(full_tokens);
    let win = per_stage(arch.windowed_layers(), pp)
        .saturating_mul(layer_bytes)
        .saturating_mul(window_tokens(window, ctx, rule).min(full_tokens.max(ctx)));
    full.saturating_add(win)
        .saturating_add(recurrent_bytes_per_sequence(arch, tp, pp))
}

/// KV bytes one sequence of `ctx` tokens holds on one GPU.
pub fn kv_bytes_per_sequence(
    arch: &Architecture,
    kv: KvPrecision,
    ctx: u64,
    tp: u32,
    pp: u32,
    rule: WindowRule,
) -> u64 {
    sequence_bytes_with(arch, layer_bytes_per_token(arch, kv, tp), ctx, tp, pp, rule)
}

/// Constant recurrent (Mamba / linear-attention) state per sequence per GPU, bf16, TP-sharded.
pub fn recurrent_bytes_per_sequence(arch: &Architecture, tp: u32, pp: u32) -> u64 {
    match &arch.recurrent {
        Some(r) => {
            per_stage(arch.recurrent_layers, pp)
                .saturating_mul(r.state_elems_per_layer)
                .saturating_mul(2)
                / u64::from(tp.max(1))
        }
        None => 0,
    }
}
