//! Sizing & cost model for self-hosted LLM serving: architectures and exact parameter counts,
//! weight / KV precisions, KV-cache bytes for GQA / MLA / sliding-window / hybrid models,
//! engine memory rules (vLLM, SGLang, TRT-LLM, TGI, llama.cpp, transformers), roofline speed,
//! and cost. Pure Rust with no browser dependency, so `cargo test -p inferlab-calc` runs natively.
//!
//! Entry points: [`evaluate`] for one scenario, [`gpu_table`] for every catalog GPU,
//! [`Architecture::from_hf_config`] for a pasted or fetched `config.json`.

pub mod activation;
pub mod architecture;
pub mod cost;
pub mod engine;
pub mod gpus;
pub mod kv_cache;
pub mod models;
pub mod precision;
pub mod pricing;
pub mod safetensors;
pub mod scenario;
pub mod speed;
pub mod weights;

pub use architecture::{Architecture, ConfigError, Mla, Moe, ParamCounts, Recurrent};
pub use engine::Engine;
pub use gpus::{gpu, gpus, Gpu, Interconnect};
pub use models::{model, models, ModelEntry};
pub use precision::{KvPrecision, UnknownId, WeightPrecision};
pub use pricing::{preset, presets, PricePreset};
pub use safetensors::{parse_safetensors_header, TensorSummary};
pub use scenario::{evaluate, gpu_table, GpuRow, MemoryTerm, Report, Scenario};
