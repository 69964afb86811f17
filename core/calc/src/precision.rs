//! Weight and KV-cache precisions, with their storage cost in bits per element.
//!
//! Assumptions (documented here because the UI explains them):
//! - fp8 / int8 (W8A8 or W8A16) and the 4-bit formats quantize the *linear* layers of the
//!   transformer blocks only. Embeddings, `lm_head`, norms and MoE routers stay in bf16, as in
//!   AutoAWQ, GPTQModel and llm-compressor's default recipes (`ignore: ["lm_head"]`).
//! - AWQ / GPTQ use group size 128 with one fp16 scale and one packed 4-bit zero point per group:
//!   `4 + (16 + 4) / 128 = 4.156` bits per weight. GPTQ's `g_idx` (one int32 per input channel)
//!   adds < 0.01 bit per weight and is ignored.
//! - `int4` is symmetric 4-bit with an fp16 scale per group of 128 (no zero point): 4.125 bpw.
//! - `int8` stores one bf16 scale per output channel, which is negligible (< 0.01 bpw).
//! - GGUF bits per weight are llama.cpp's whole-file averages (`tools/quantize/README.md`,
//!   measured on Llama-2-7B, field notes A1) and therefore already include token embeddings and
//!   the output layer; block formats q8_0 (34 B / 32 weights) and q4_0 (18 B / 32) are exact.

/// Error for an unknown precision, engine, or other id in a URL or form.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {kind} `{value}`; expected one of: {expected}")]
pub struct UnknownId {
    /// What was being parsed ("weights precision", "engine", ...).
    pub kind: &'static str,
    /// The rejected input.
    pub value: String,
    /// Comma-separated valid ids, for the message shown to the user.
    pub expected: String,
}

macro_rules! id_enum {
    ($(#[$m:meta])* $name:ident, $kind:literal, { $($(#[$vm:meta])* $var:ident => $id:literal, $label:literal;)+ }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, ::serde::Serialize, ::serde::Deserialize)]
        pub enum $name { $($(#[$vm])* #[serde(rename = $id)] $var,)+ }

        impl $name {
            /// Every variant, in the order the UI lists them.
            pub const ALL: &'static [Self] = &[$(Self::$var,)+];

            /// Stable id used in URLs and `data-value`s.
            pub fn id(self) -> &'static str { match self { $(Self::$var => $id,)+ } }

            /// Human-readable name for menus.
            pub fn label(self) -> &'static str { match self { $(Self::$var => $label,)+ } }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result { f.write_str(self.id()) }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::precision::UnknownId;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                let t = s.trim();
                Self::ALL.iter().copied().find(|v| v.id().eq_ignore_ascii_case(t)).ok_or_else(|| $crate::precision::UnknownId {
                    kind: $kind,
                    value: s.to_string(),
                    expected: Self::ALL.iter().map(|v| v.id()).collect::<Vec<_>>().join(", "),
                })
            }
        }
    };
}
pub(crate) use id_enum;

id_enum!(
    /// Storage format of the model weights.
    WeightPrecision, "weights precision", {
    Fp32 => "fp32", "FP32";
    Bf16 => "bf16", "BF16";
    Fp16 => "fp16", "FP16";
    Fp8 => "fp8", "FP8 (W8A8)";
    Int8 => "int8", "INT8 (W8A16 / W8A8)";
    Int4 => "int4", "INT4 (group 128)";
    Awq => "awq", "AWQ 4-bit (g128)";
    Gptq => "gptq", "GPTQ 4-bit (g128)";
    Q8_0 => "q8_0", "GGUF Q8_0";
    Q6K => "q6_k", "GGUF Q6_K";
    Q5KM => "q5_k_m", "GGUF Q5_K_M";
    Q4KM => "q4_k_m", "GGUF Q4_K_M";
    Q4_0 => "q4_0", "GGUF Q4_0";
    Q3KM => "q3_k_m", "GGUF Q3_K_M";
    Q2K => "q2_k", "GGUF Q2_K";
});

id_enum!(
    /// Storage format of the KV cache.
    KvPrecision, "KV-cache precision", {
    Bf16 => "bf16", "BF16";
    Fp16 => "fp16", "FP16";
    Fp8 => "fp8", "FP8";
    Int8 => "int8", "INT8";
});

impl WeightPrecision {
    /// Bits per weight of the quantized (linear-layer) tensors, scales and zero points included.
    pub fn bits_per_weight(self) -> f64 {
        match self {
            Self::Fp32 => 32.0,
            Self::Bf16 | Self::Fp16 => 16.0,
            Self::Fp8 | Self::Int8 => 8.0,
            Self::Int4 => 4.0 + 16.0 / 128.0,
            Self::Awq | Self::Gptq => 4.0 + 20.0 / 128.0,
            // llama.cpp ggml-common.h: block_q8_0 = 32 int8 + fp16 scale = 34 B / 32.
            Self::Q8_0 => 34.0 * 8.0 / 32.0,
            // llama.cpp tools/quantize/README.md table (Llama-2-7B file averages), field notes A1.
            Self::Q6K => 6.56,
            Self::Q5KM => 5.68,
            Self::Q4KM => 4.84,
            // block_q4_0 = 16 B of nibbles + fp16 scale = 18 B / 32.
            Self::Q4_0 => 18.0 * 8.0 / 32.0,
            Self::Q3KM => 3.91,
            Self::Q2K => 3.35,
        }
    }

    /// Bits per element of tensors that stay unquantized (embeddings, lm_head, norms, routers).
    pub fn unquantized_bits(self) -> f64 {
        match self {
            Self::Fp32 => 32.0,
            // GGUF file averages already include embeddings and output at their mixed types.
            s if s.is_gguf() => s.bits_per_weight(),
            _ => 16.0,
        }
    }

    /// Bits per element of 1-D tensors (norm weights, biases): f32 in GGUF, else the float type.
    pub fn vector_bits(self) -> f64 {
        match self {
            Self::Fp32 => 32.0,
            s if s.is_gguf() => 32.0,
            _ => 16.0,
        }
    }

    /// True for llama.cpp GGUF formats.
    pub fn is_gguf(self) -> bool {
        matches!(
            self,
            Self::Q8_0 | Self::Q6K | Self::Q5KM | Self::Q4KM | Self::Q4_0 | Self::Q3KM | Self::Q2K
        )
    }

    /// Bytes per element of activations computed with these weights (fp32 stays fp32).
    pub fn activation_bytes(self) -> u64 {
        if self == Self::Fp32 {
            4
        } else {
            2
        }
    }

    /// Which tensor-core rate the matmuls run at (weight-only formats dequantize to bf16).
    pub fn compute_kind(self) -> ComputeKind {
        match self {
            Self::Fp32 => ComputeKind::Tf32,
            Self::Fp8 => ComputeKind::Fp8,
            Self::Int8 => ComputeKind::Int8,
            _ => ComputeKind::Bf16,
        }
    }
}

/// Tensor-core datapath used for the roofline compute bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ComputeKind {
    /// fp32 weights: TF32 tensor cores, taken as half the dense bf16 rate.
    Tf32,
    /// bf16/fp16 tensor cores (also weight-only int4/GGUF after dequantization).
    Bf16,
    /// fp8 tensor cores (falls back to bf16 where the GPU has none).
    Fp8,
    /// int8 tensor cores.
    Int8,
}

impl KvPrecision {
    /// Bytes per cached element. Per-token-head scales of fp8/int8 modes are ignored (< 1 %).
    pub fn bytes(self) -> u64 {
        match self {
            Self::Bf16 | Self::Fp16 => 2,
            Self::Fp8 | Self::Int8 => 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip() {
        for p in WeightPrecision::ALL {
            assert_eq!(p.id().parse::<WeightPrecision>().ok(), Some(*p));
            assert_eq!(p.to_string(), p.id());
        }
        for p in KvPrecision::ALL {
            assert_eq!(p.id().parse::<KvPrecision>().ok(), Some(*p));
        }
        assert_eq!(WeightPrecision::ALL.len(), 15);
        assert!("fp64".parse::<WeightPrecision>().is_err());
    }

    #[test]
    fn block_formats_are_exact() {
        assert_eq!(WeightPrecision::Q8_0.bits_per_weight(), 8.5);
        assert_eq!(WeightPrecision::Q4_0.bits_per_weight(), 4.5);
        assert_eq!(WeightPrecision::Awq.bits_per_weight(), 4.15625);
    }
}
