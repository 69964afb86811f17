//! Roofline speed (field notes A5): a decode step reads the weights once (plus each sequence's
//! KV) and costs `2 · active params` FLOPs per token; it takes the longer of the two, divided
//! by an efficiency factor. Prefill is compute-bound: `2 · N · S + 2 · L · heads · hd · S²`.
//! MoE decode reads only the experts the batch touches: `E · (1 − (1 − k/E)^B)` per layer.

use crate::architecture::Architecture;
use crate::gpus::Gpu;
use crate::precision::{ComputeKind, WeightPrecision};

/// Default efficiency: llm-analysis suggests ~0.9 of HBM bandwidth and ~0.7 of peak FLOPS for
/// inference; 0.8 sits between the two and is meant to be calibrated from measured runs.
pub const DEFAULT_EFFICIENCY: f64 = 0.8;

/// Per-all-reduce latency on the GPU link (NCCL small-message floor, order of 10 µs).
pub const ALLREDUCE_LATENCY_S: f64 = 10e-6;

/// Inputs of the roofline on one GPU (one tensor-parallel rank).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RooflineInputs {
    /// Weight bytes one rank holds (all experts).
    pub weights_per_gpu: f64,
    /// Of which routed-expert bytes (read partially in decode).
    pub routed_expert_bytes_per_gpu: f64,
    /// Experts per MoE layer and experts per token (0, 0 for dense).
    pub experts: (u32, u32),
    /// KV bytes one sequence holds on this rank at the average decode context.
    pub kv_bytes_per_seq: f64,
    /// Concurrent sequences in the step.
    pub batch: f64,
    /// Average context length while decoding.
    pub context: f64,
    /// Tensor-parallel ranks.
    pub tp: u32,
    /// Pipeline stages.
    pub pp: u32,
}

/// Roofline result.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Speed {
    /// Seconds per decode step (all sequences advance one token).
    pub step_seconds: f64,
    /// Tokens/s seen by one sequence.
    pub tps_per_user: f64,
    /// Tokens/s of the whole batch.
    pub tps_system: f64,
    /// True when the step is limited by FLOPS rather than bandwidth.
    pub compute_bound: bool,
}

/// Dense tensor FLOPS used for `prec` on `gpu` (fp8/int8 fall back to bf16 where absent).
pub fn peak_flops(gpu: &Gpu, prec: WeightPrecision) -> f64 {
    let tf = match prec.compute_kind() {
        ComputeKind::Tf32 => gpu.bf16_tflops / 2.0,
        ComputeKind::Bf16 => gpu.bf16_tflops,
        ComputeKind::Fp8 if gpu.fp8_tflops > 0.0 => gpu.fp8_tflops,
        ComputeKind::Int8 if gpu.int8_tops > 0.0 => gpu.int8_tops,
        _ => gpu.bf16_tflops,
    };
    tf.max(0.0) * 1e12
}

/// Attention FLOPs per token per unit of context (QK and PV), whole model.
fn attn_flops_per_ctx(arch: &Architecture) -> f64 {
    let per_head = match &arch.mla {
        Some(m) => f64::from(m.kv_lora_rank + m.qk_rope_head_dim + m.kv_lora_rank),
        None => 2.0 * f64::from(arch.head_dim),
    };
    2.0 * f64::from(arch.kv_layers()) * f64::from(arch.heads) * per_head
}

/// Time for the two all-reduces per layer of tensor parallelism over `tokens` tokens.
fn tp_comm_seconds(arch: &Architecture, gpu: &Gpu, tp: u32, tokens: f64, act_bytes: f64) -> f64 {
    if tp <= 1 {
        return 0.0;
    }
    let t = f64::from(tp);
    let bytes = 2.0 * (t - 1.0) / t * tokens * arch.hidden as f64 * act_bytes;
    let link = (gpu.interconnect.gb_per_s * 1e9 / 2.0).max(1e9);
    2.0 * f64::from(arch.layers) * (bytes / link + ALLREDUCE_LATENCY_S)
}

/// Decode roofline for one replica.
pub fn decode(
    arch: &Architecture,
    gpu: &Gpu,
    prec: WeightPrecision,
    r: &RooflineInputs,
    efficiency: f64,
) -> Speed {
    let eff = if efficiency.is_finite() && efficiency > 0.0 {
        efficiency.min(1.0)
    } else {
        DEFAULT_EFFICIENCY
    };
    let batch = r.batch.max(1.0);
    let (e, k) = r.experts;
    let touched = if e > 0 {
        let frac = 1.0 - (1.0 - f64::from(k.min(e)) / f64::from(e)).powf(batch);
        frac.clamp(0.0, 1.0)
    } else {
        1.0
    };
    let weight_read = (r.weights_per_gpu - r.routed_expert_bytes_per_gpu)
        + r.routed_expert_bytes_per_gpu * touched;
    let bytes = weight_read + batch * r.kv_bytes_per_seq;
    let t_mem = bytes / (gpu.bandwidth_bytes_per_s.max(1.0) * eff);
    let tp = f64::from(r.tp.max(1));
    let pp = f64::from(r.pp.max(1));
    let flops = batch
        * (2.0 * arch.matmul_params_per_token() as f64 + attn_flops_per_ctx(arch) * r.context)
        / (tp * pp);
    let t_comp = flops / (peak_flops(gpu, prec).max(1.0) * eff);
    // With PP a token crosses every stage in turn: per-token latency is the sum over stages.
    let stage = t_mem.max(t_comp);
    let step = stage * pp + tp_comm_seconds(arch, gpu, r.tp, batch, prec.activation_bytes() as f64);
    let step = step.max(1e-9);
    Speed {
        step_seconds: step,
        tps_per_user: 1.0 / step,
        tps_system: batch / step,
        compute_bound: t_comp > t_mem,
    }
}

/// Seconds to prefill one prompt of `input_tokens` (time to first token, queueing excluded).
#[allow(clippy::too_many_arguments)] // flat scalars read clearer here than a one-use struct
pub fn prefill_seconds(
    arch: &Architecture,
    gpu: &Gpu,
    prec: WeightPrecision,
    weights_per_gpu: f64,
    input_tokens: f64,
    tp: u32,
    pp: u32,
    efficiency: f64,
) -> f64 {
    let eff = if efficiency.is_finite() && efficiency > 0.0 {
        efficiency.min(1.0)
    } else {
        DEFAULT_EFFICIENCY
    };
    let s = input_tokens.max(0.0);
    let flops =
        2.0 * arch.matmul_params_per_token() as f64 * s + attn_flops_per_ctx(arch) * s * s / 2.0;
    let ranks = f64::from(tp.max(1)) * f64::from(pp.max(1));
    let t_comp = flops / ranks / (peak_flops(gpu, prec).max(1.0) * eff);
    let t_mem = weights_per_gpu / (gpu.bandwidth_bytes_per_s.max(1.0) * eff);
    (t_comp.max(t_mem)) * f64::from(pp.max(1))
        + tp_comm_seconds(arch, gpu, tp, s, prec.activation_bytes() as f64)
}
