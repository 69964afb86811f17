//! Serving engines and their KV-budget rules (field notes A4; aiconfigurator issue #1159):
//!
//! | engine | KV budget |
//! |---|---|
//! | vLLM | `util · total − (weights + activation peak + non-torch + CUDA graphs)` |
//! | SGLang | `mem_fraction_static · total − weights − non-torch`; activations and CUDA graphs must fit in the rest |
//! | TRT-LLM | `free_gpu_memory_fraction · (total − weights − activations − runtime)` |
//! | TGI | `0.93 · (cuda_memory_fraction · total − weights − warmup peak − runtime)` |
//! | llama.cpp | whole `n_ctx` allocated up front; what is left stays free |
//! | transformers | DynamicCache grows with the prompt; everything left stays free |

use crate::precision::id_enum;

id_enum!(
    /// Inference engine whose memory rule applies.
    Engine, "engine", {
    Vllm => "vllm", "vLLM";
    Sglang => "sglang", "SGLang";
    Trtllm => "trtllm", "TensorRT-LLM";
    Tgi => "tgi", "TGI";
    Llamacpp => "llamacpp", "llama.cpp";
    /// Plain PyTorch / transformers: the whole prompt in one forward, DynamicCache KV.
    Transformers => "transformers", "PyTorch / transformers";
});

const GIB: f64 = 1024.0 * 1024.0 * 1024.0;

/// TGI keeps this share of the free memory after warmup for KV blocks
/// (`TGI_WIGGLE_ROOM`, text-generation-inference server `flash_causal_lm.py`) [unverified value].
pub const TGI_WIGGLE_ROOM: f64 = 0.93;

/// Memory split an engine arrives at on one GPU.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EngineBudget {
    /// Bytes the engine may give to KV (may be negative when even weights do not fit).
    pub kv_budget: f64,
    /// Bytes the engine deliberately leaves unused (`1 − util` of total, TRT-LLM's share…).
    pub reserve: f64,
    /// Whether the non-KV parts fit at all (SGLang: activations within `1 − mem_fraction_static`).
    pub static_fits: bool,
}

impl Engine {
    /// Default memory fraction: vLLM `gpu_memory_utilization` 0.9; SGLang `mem_fraction_static`
    /// by TP size (older `server_args.py` defaults 0.88/0.87/0.85/0.81/0.79 for tp 1/2/4/8/16+);
    /// TRT-LLM `free_gpu_memory_fraction` 0.9; TGI `cuda_memory_fraction` 1.0; others 1.0.
    pub fn default_util(self, tp: u32) -> f64 {
        match self {
            Self::Vllm | Self::Trtllm => 0.9,
            Self::Sglang => match tp {
                0..=1 => 0.88,
                2..=3 => 0.87,
                4..=7 => 0.85,
                8..=15 => 0.81,
                _ => 0.79,
            },
            Self::Tgi | Self::Llamacpp | Self::Transformers => 1.0,
        }
    }

    /// Name of the engine's memory-fraction flag, for explanations.
    pub fn util_flag(self) -> &'static str {
        match self {
            Self::Vllm => "--gpu-memory-utilization",
            Self::Sglang => "--mem-fraction-static",
            Self::Trtllm => "free_gpu_memory_fraction",
            Self::Tgi => "--cuda-memory-fraction",
            Self::Llamacpp | Self::Transformers => "memory fraction",
        }
    }

    /// Tokens per KV block: vLLM 16 (`DEFAULT_BLOCK_SIZE`), TRT-LLM 32 (`tokens_per_block`),
    /// TGI 16; SGLang, llama.cpp and transformers allocate per token.
    pub fn default_block_size(self) -> u32 {
        match self {
            Self::Vllm | Self::Tgi => 16,
            Self::Trtllm => 32,
            Self::Sglang | Self::Llamacpp | Self::Transformers => 1,
        }
    }

    /// Default chunk of tokens per forward: vLLM `max_num_batched_tokens` (8,192 on ≥ 70 GiB
    /// non-A100 GPUs for the API server, else 2,048; `vllm/engine/arg_utils.py`), SGLang
    /// `chunked_prefill_size` 8,192, TRT-LLM `max_num_tokens` 8,192, TGI
    /// `max_batch_prefill_tokens` 4,096, llama.cpp `n_ubatch` 512.
    pub fn default_batch_tokens(self, gpu_memory_bytes: u64, gpu_is_a100: bool) -> u64 {
        match self {
            Self::Vllm => {
                if gpu_memory_bytes as f64 >= 70.0 * GIB && !gpu_is_a100 {
                    8192
                } else {
                    2048
                }
            }
            Self::Sglang | Self::Trtllm => 8192,
            Self::Tgi => 4096,
            Self::Llamacpp => 512,
            Self::Transformers => 0,
        }
    }

    /// Default `max_num_seqs` (rows the vLLM sampler profiles): 1,024 on ≥ 70 GiB non-A100
    /// GPUs, else 256 (`vllm/engine/arg_utils.py`).
    pub fn default_max_seqs(self, gpu_memory_bytes: u64, gpu_is_a100: bool) -> u64 {
        if self == Self::Vllm && gpu_memory_bytes as f64 >= 70.0 * GIB && !gpu_is_a100 {
            1024
        } else {
            256
        }
    }

    /// Default CUDA-graph memory: vLLM ≈ 0.5 GiB (llm-d measured −0.45…+0.39 GiB on H100;
    /// a 2024 vLLM log says "1~3 GiB" for older versions), SGLang 0.5 GiB, others none.
    pub fn default_cuda_graph_reserve(self) -> u64 {
        match self {
            Self::Vllm | Self::Sglang => (0.5 * GIB) as u64,
            _ => 0,
        }
    }

    /// Memory outside PyTorch's allocator: vLLM/SGLang count only the *increase* during
    /// profiling (NCCL, cuBLAS: 0.15 GiB at TP 1, 0.6 GiB at TP ≥ 2, llm-d); the others also
    /// carry the CUDA context and library workspaces (≈ 0.5 GiB + NCCL buffers under TP).
    pub fn non_torch_bytes(self, tp: u32) -> u64 {
        let multi = tp > 1;
        let gib = match self {
            Self::Vllm | Self::Sglang => {
                if multi {
                    0.6
                } else {
                    0.15
                }
            }
            _ => {
                if multi {
                    1.0
                } else {
                    0.5
                }
            }
        };
        (gib * GIB) as u64
    }

    /// Whether this engine's KV budget is computed with the pre-allocating rule (the cache is
    /// sized to the budget, not to the workload).
    pub fn preallocates_kv(self) -> bool {
        !matches!(self, Self::Llamacpp | Self::Transformers)
    }

    /// Apply the engine's memory rule on one GPU. `overhead` = non-torch + CUDA graphs.
    pub fn budget(
        self,
        total: f64,
        util: f64,
        weights: f64,
        activation: f64,
        overhead: f64,
    ) -> EngineBudget {
        let util = if util.is_finite() {
            util.clamp(0.0, 1.0)
        } else {
            1.0
        };
        match self {
            Self::Vllm => EngineBudget {
                kv_budget: util * total - (weights + activation + overhead),
                reserve: (1.0 - util) * total,
                static_fits: true,
            },
            Self::Sglang => {
                let headroom = (1.0 - util) * total;
                EngineBudget {
                    kv_budget: util * total - weights,
                    reserve: (headroom - activation - overhead).max(0.0),
                    static_fits: activation + overhead <= headroom,
                }
            }
            Self::Trtllm => {
                let free = total - weights - activation - overhead;
                EngineBudget {
                    kv_budget: free * util,
                    reserve: (free * (1.0 - util)).max(0.0),
                    static_fits: free >= 0.0,
                }
            }
            Self::Tgi => {
                let free = util * total - weights - activation - overhead;
                EngineBudget {
                    kv_budget: free * TGI_WIGGLE_ROOM,
                    reserve: (1.0 - util) * total + (free * (1.0 - TGI_WIGGLE_ROOM)).max(0.0),
                    static_fits: free >= 0.0,
                }
            }
            Self::Llamacpp | Self::Transformers => EngineBudget {
                kv_budget: util * total - weights - activation - overhead,
                reserve: (1.0 - util) * total,
                static_fits: true,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip() {
        for e in Engine::ALL {
            assert_eq!(e.id().parse::<Engine>().ok(), Some(*e));
        }
        assert!("ollama".parse::<Engine>().is_err());
    }

    #[test]
    fn vllm_worked_check_a4() {
        // vLLM #12330: A100-40GB, util 0.9, Llama-3-8B: 35.55 GiB budget − 14.96 − 0.10 − 9.37.
        let total = 39.5 * GIB;
        let b = Engine::Vllm.budget(total, 0.9, 14.96 * GIB, 9.37 * GIB, 0.10 * GIB);
        let blocks = (b.kv_budget / (131_072.0 * 16.0)).floor();
        assert!((blocks - 5691.0).abs() <= 5.0, "{blocks}");
    }
}
