//! Weight bytes: parameters by role × bits of the chosen precision, split over TP and PP.

use crate::architecture::{Architecture, ParamCounts};
use crate::precision::WeightPrecision;

/// Weight bytes by role for the whole model.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct WeightBytes {
    /// Quantized linear layers of the blocks (attention, MLP, experts).
    pub linear: f64,
    /// Embedding matrix.
    pub embedding: f64,
    /// lm_head (0 when tied).
    pub lm_head: f64,
    /// Routers, vision tower: kept unquantized.
    pub other_unquantized: f64,
    /// Norms, biases, sinks.
    pub vectors: f64,
}

impl WeightBytes {
    /// Whole-model bytes.
    pub fn total(&self) -> f64 {
        self.linear + self.embedding + self.lm_head + self.other_unquantized + self.vectors
    }
}

/// Bytes of every weight role at `prec` (see `precision` for what stays unquantized).
pub fn weight_bytes(p: &ParamCounts, prec: WeightPrecision) -> WeightBytes {
    let q = prec.bits_per_weight() / 8.0;
    let u = prec.unquantized_bits() / 8.0;
    let v = prec.vector_bits() / 8.0;
    let linear = (p.attention + p.dense_mlp + p.routed_experts + p.shared_experts) as f64;
    WeightBytes {
        linear: linear * q,
        embedding: p.embedding as f64 * u,
        lm_head: p.lm_head as f64 * u,
        other_unquantized: (p.router + p.vision) as f64 * u,
        vectors: p.vectors as f64 * v,
    }
}

/// Whole-model weight bytes.
pub fn total_weight_bytes(arch: &Architecture, prec: WeightPrecision) -> u64 {
    weight_bytes(&arch.params(), prec).total().round() as u64
}

/// Weight bytes on the most loaded GPU: block weights split `tp × pp` ways; with PP the
/// embedding sits on the first stage and lm_head on the last, so the worst stage adds the
/// larger of the two (sharded by TP).
pub fn weights_per_gpu(arch: &Architecture, prec: WeightPrecision, tp: u32, pp: u32) -> u64 {
    let w = weight_bytes(&arch.params(), prec);
    let tp = f64::from(tp.max(1));
    let pp = f64::from(pp.max(1));
    // Vectors (norms replicated, biases sharded) are split too: the replicated part is < 0.01 %.
    let blocks = (w.linear + w.other_unquantized + w.vectors) / (tp * pp);
    let ends = if pp > 1.0 {
        w.embedding.max(w.lm_head)
    } else {
        w.embedding + w.lm_head
    };
    (blocks + ends / tp).round() as u64
}
