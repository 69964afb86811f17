//! Built-in model catalog. Each entry keeps the architecture fields of the model's
//! `config.json` verbatim (as JSON, parsed by [`Architecture::from_hf_config`] so the catalog
//! exercises the same parser users' configs go through) and names the file it was copied from.
//!
//! Verification: the `verified` note of each entry says where the fields were checked during
//! development (the Hub itself was not reachable; copies of the configs in public repositories
//! were). Fields not found in any copy are listed there as unverified.

use std::sync::OnceLock;

use serde::Serialize;

use crate::architecture::Architecture;

/// One catalog model.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModelEntry {
    /// Catalog id used in URLs (`model=llama-3.1-8b`).
    pub id: &'static str,
    /// Display name.
    pub name: &'static str,
    /// Hugging Face repo id.
    pub repo: &'static str,
    /// URL of the config.json the fields were copied from.
    pub source: String,
    /// Where the copy was cross-checked, and what remains unverified.
    pub verified: &'static str,
    /// Parsed architecture.
    pub arch: Architecture,
}

struct Raw {
    id: &'static str,
    name: &'static str,
    repo: &'static str,
    verified: &'static str,
    config: &'static str,
}

const MLC: &str = "all fields match mlc-ai/mlc-llm python/mlc_llm/model/model_preset.py (a verbatim copy of the Hub config)";

const RAW: &[Raw] = &[
    Raw { id: "llama-3.1-8b", name: "Llama 3.1 8B", repo: "meta-llama/Llama-3.1-8B-Instruct", verified: MLC, config: r#"{
        "model_type":"llama","hidden_size":4096,"intermediate_size":14336,"num_hidden_layers":32,
        "num_attention_heads":32,"num_key_value_heads":8,"vocab_size":128256,"tie_word_embeddings":false,
        "attention_bias":false,"mlp_bias":false,"max_position_embeddings":131072}"# },
    Raw { id: "llama-3.1-70b", name: "Llama 3.1 70B", repo: "meta-llama/Llama-3.1-70B-Instruct", verified: MLC, config: r#"{
        "model_type":"llama","hidden_size":8192,"intermediate_size":28672,"num_hidden_layers":80,
        "num_attention_heads":64,"num_key_value_heads":8,"vocab_size":128256,"tie_word_embeddings":false,
        "attention_bias":false,"mlp_bias":false,"max_position_embeddings":131072}"# },
    Raw { id: "llama-3.1-405b", name: "Llama 3.1 405B", repo: "meta-llama/Llama-3.1-405B-Instruct",
        verified: "hidden/layers/heads/kv/intermediate/vocab/tie match several public copies (e.g. TRT-LLM and llm-analysis model tables); max_position_embeddings from memory",
        config: r#"{
        "model_type":"llama","hidden_size":16384,"intermediate_size":53248,"num_hidden_layers":126,
        "num_attention_heads":128,"num_key_value_heads":8,"vocab_size":128256,"tie_word_embeddings":false,
        "attention_bias":false,"mlp_bias":false,"max_position_embeddings":131072}"# },
    Raw { id: "llama-3.2-1b", name: "Llama 3.2 1B", repo: "meta-llama/Llama-3.2-1B-Instruct", verified: MLC, config: r#"{
        "model_type":"llama","head_dim":64,"hidden_size":2048,"intermediate_size":8192,"num_hidden_layers":16,
        "num_attention_heads":32,"num_key_value_heads":8,"vocab_size":128256,"tie_word_embeddings":true,
        "attention_bias":false,"mlp_bias":false,"max_position_embeddings":131072}"# },
    Raw { id: "llama-3.2-3b", name: "Llama 3.2 3B", repo: "meta-llama/Llama-3.2-3B-Instruct", verified: MLC, config: r#"{
        "model_type":"llama","head_dim":128,"hidden_size":3072,"intermediate_size":8192,"num_hidden_layers":28,
        "num_attention_heads":24,"num_key_value_heads":8,"vocab_size":128256,"tie_word_embeddings":true,
        "attention_bias":false,"mlp_bias":false,"max_position_embeddings":131072}"# },
    Raw { id: "llama-3.3-70b", name: "Llama 3.3 70B", repo: "meta-llama/Llama-3.3-70B-Instruct",
        verified: "same architecture as Llama 3.1 70B (checked against mlc-llm's copy of 3.1-70B); the 3.3 file itself was not found in a public copy",
        config: r#"{
        "model_type":"llama","hidden_size":8192,"intermediate_size":28672,"num_hidden_layers":80,
        "num_attention_heads":64,"num_key_value_heads":8,"vocab_size":128256,"tie_word_embeddings":false,
        "attention_bias":false,"mlp_bias":false,"max_position_embeddings":131072}"# },
    Raw { id: "qwen2.5-7b", name: "Qwen2.5 7B", repo: "Qwen/Qwen2.5-7B-Instruct",
        verified: "geometry matches mlc-llm's copy of Qwen2-7B (identical architecture); max_position_embeddings 32768 from memory",
        config: r#"{
        "model_type":"qwen2","hidden_size":3584,"intermediate_size":18944,"num_hidden_layers":28,
        "num_attention_heads":28,"num_key_value_heads":4,"vocab_size":152064,"tie_word_embeddings":false,
        "max_position_embeddings":32768,"max_window_layers":28,"sliding_window":131072,"use_sliding_window":false}"# },
    Raw { id: "qwen2.5-72b", name: "Qwen2.5 72B", repo: "Qwen/Qwen2.5-72B-Instruct",
        verified: "hidden/layers/heads/kv/intermediate/vocab match a public model table (llm sizing tool); tie/max_position from memory",
        config: r#"{
        "model_type":"qwen2","hidden_size":8192,"intermediate_size":29568,"num_hidden_layers":80,
        "num_attention_heads":64,"num_key_value_heads":8,"vocab_size":152064,"tie_word_embeddings":false,
        "max_position_embeddings":32768,"max_window_layers":70,"sliding_window":131072,"use_sliding_window":false}"# },
    Raw { id: "qwen3-8b", name: "Qwen3 8B", repo: "Qwen/Qwen3-8B", verified: MLC, config: r#"{
        "model_type":"qwen3","head_dim":128,"hidden_size":4096,"intermediate_size":12288,"num_hidden_layers":36,
        "num_attention_heads":32,"num_key_value_heads":8,"vocab_size":151936,"tie_word_embeddings":false,
        "attention_bias":false,"max_position_embeddings":40960,"sliding_window":null,"use_sliding_window":false}"# },
    Raw { id: "qwen3-32b", name: "Qwen3 32B", repo: "Qwen/Qwen3-32B",
        verified: "all fields match a verbatim config.json copy (ChibiQuest verl notes, layers edited there; 64 layers from three other copies)",
        config: r#"{
        "model_type":"qwen3","head_dim":128,"hidden_size":5120,"intermediate_size":25600,"num_hidden_layers":64,
        "num_attention_heads":64,"num_key_value_heads":8,"vocab_size":151936,"tie_word_embeddings":false,
        "attention_bias":false,"max_position_embeddings":40960,"sliding_window":null,"use_sliding_window":false}"# },
    Raw { id: "qwen3-235b-a22b", name: "Qwen3 235B-A22B", repo: "Qwen/Qwen3-235B-A22B",
        verified: "layers/heads/kv/hidden/moe_intermediate/experts/top-k/vocab match a public copy; intermediate_size 12288 (unused: every layer is MoE), head_dim 128 and tie from memory",
        config: r#"{
        "model_type":"qwen3_moe","head_dim":128,"hidden_size":4096,"intermediate_size":12288,"moe_intermediate_size":1536,
        "num_hidden_layers":94,"num_attention_heads":64,"num_key_value_heads":4,"num_experts":128,"num_experts_per_tok":8,
        "decoder_sparse_step":1,"mlp_only_layers":[],"vocab_size":151936,"tie_word_embeddings":false,
        "attention_bias":false,"max_position_embeddings":40960,"use_sliding_window":false}"# },
    Raw { id: "mistral-7b-v0.3", name: "Mistral 7B v0.3", repo: "mistralai/Mistral-7B-Instruct-v0.3", verified: MLC, config: r#"{
        "model_type":"mistral","hidden_size":4096,"intermediate_size":14336,"num_hidden_layers":32,
        "num_attention_heads":32,"num_key_value_heads":8,"vocab_size":32768,"tie_word_embeddings":false,
        "max_position_embeddings":32768,"sliding_window":null}"# },
    Raw { id: "mistral-small-24b", name: "Mistral Small 24B (2501)", repo: "mistralai/Mistral-Small-24B-Instruct-2501",
        verified: "layers 40 / kv 8 / head_dim 128 agree with the vLLM-logged 160 KiB/token (field notes A1); hidden 5120, heads 32, intermediate 32768, vocab 131072 from memory [unverified]",
        config: r#"{
        "model_type":"mistral","head_dim":128,"hidden_size":5120,"intermediate_size":32768,"num_hidden_layers":40,
        "num_attention_heads":32,"num_key_value_heads":8,"vocab_size":131072,"tie_word_embeddings":false,
        "max_position_embeddings":32768,"sliding_window":null}"# },
    Raw { id: "mixtral-8x7b", name: "Mixtral 8x7B", repo: "mistralai/Mixtral-8x7B-Instruct-v0.1", verified: MLC, config: r#"{
        "model_type":"mixtral","hidden_size":4096,"intermediate_size":14336,"num_hidden_layers":32,
        "num_attention_heads":32,"num_key_value_heads":8,"num_local_experts":8,"num_experts_per_tok":2,
        "vocab_size":32000,"tie_word_embeddings":false,"max_position_embeddings":32768,"sliding_window":null}"# },
    Raw { id: "mixtral-8x22b", name: "Mixtral 8x22B", repo: "mistralai/Mixtral-8x22B-v0.1",
        verified: "hidden/layers/heads/kv/intermediate/experts/vocab match public model tables (vocab 32000 is the v0.1 base; Instruct uses 32768); max_position 65536 from memory",
        config: r#"{
        "model_type":"mixtral","hidden_size":6144,"intermediate_size":16384,"num_hidden_layers":56,
        "num_attention_heads":48,"num_key_value_heads":8,"num_local_experts":8,"num_experts_per_tok":2,
        "vocab_size":32000,"tie_word_embeddings":false,"max_position_embeddings":65536,"sliding_window":null}"# },
    Raw { id: "gemma-2-9b", name: "Gemma 2 9B", repo: "google/gemma-2-9b-it", verified: MLC, config: r#"{
        "model_type":"gemma2","head_dim":256,"hidden_size":3584,"intermediate_size":14336,"num_hidden_layers":42,
        "num_attention_heads":16,"num_key_value_heads":8,"vocab_size":256000,"sliding_window":4096,
        "max_position_embeddings":8192,"attention_bias":false}"# },
    Raw { id: "gemma-2-27b", name: "Gemma 2 27B", repo: "google/gemma-2-27b-it", verified: MLC, config: r#"{
        "model_type":"gemma2","head_dim":128,"hidden_size":4608,"intermediate_size":36864,"num_hidden_layers":46,
        "num_attention_heads":32,"num_key_value_heads":16,"vocab_size":256000,"sliding_window":4096,
        "max_position_embeddings":8192,"attention_bias":false}"# },
    Raw { id: "gemma-3-27b", name: "Gemma 3 27B", repo: "google/gemma-3-27b-it",
        verified: "text_config and vision_config match a verbatim copy in a public test suite and a vLLM test fixture (max_position 131072, vocab 262208)",
        config: r#"{
        "model_type":"gemma3","architectures":["Gemma3ForConditionalGeneration"],
        "text_config":{"model_type":"gemma3_text","head_dim":128,"hidden_size":5376,"intermediate_size":21504,
          "num_hidden_layers":62,"num_attention_heads":32,"num_key_value_heads":16,"vocab_size":262208,
          "sliding_window":1024,"sliding_window_pattern":6,"max_position_embeddings":131072,"query_pre_attn_scalar":168},
        "vision_config":{"model_type":"siglip_vision_model","hidden_size":1152,"image_size":896,"intermediate_size":4304,
          "num_attention_heads":16,"num_hidden_layers":27,"patch_size":14,"vision_use_head":false}}"# },
    Raw { id: "phi-3-mini-4k", name: "Phi-3 mini 4k", repo: "microsoft/Phi-3-mini-4k-instruct", verified: MLC, config: r#"{
        "model_type":"phi3","hidden_size":3072,"intermediate_size":8192,"num_hidden_layers":32,
        "num_attention_heads":32,"num_key_value_heads":32,"vocab_size":32064,"tie_word_embeddings":false,
        "max_position_embeddings":4096,"sliding_window":2047}"# },
    Raw { id: "phi-4", name: "Phi-4 (14B)", repo: "microsoft/phi-4",
        verified: "all fields match a verbatim config.json copy of microsoft/phi-4 in a public tutorial",
        config: r#"{
        "model_type":"phi3","hidden_size":5120,"intermediate_size":17920,"num_hidden_layers":40,
        "num_attention_heads":40,"num_key_value_heads":10,"vocab_size":100352,"tie_word_embeddings":false,
        "attention_bias":false,"max_position_embeddings":16384,"sliding_window":null}"# },
    Raw { id: "deepseek-v2-lite", name: "DeepSeek-V2-Lite (16B)", repo: "deepseek-ai/DeepSeek-V2-Lite-Chat", verified: MLC, config: r#"{
        "model_type":"deepseek_v2","hidden_size":2048,"intermediate_size":10944,"moe_intermediate_size":1408,
        "num_hidden_layers":27,"num_attention_heads":16,"num_key_value_heads":16,"n_routed_experts":64,"n_shared_experts":2,
        "num_experts_per_tok":6,"first_k_dense_replace":1,"moe_layer_freq":1,"kv_lora_rank":512,"q_lora_rank":null,
        "qk_nope_head_dim":128,"qk_rope_head_dim":64,"v_head_dim":128,"vocab_size":102400,"tie_word_embeddings":false,
        "max_position_embeddings":163840}"# },
    Raw { id: "deepseek-v3", name: "DeepSeek-V3 (671B)", repo: "deepseek-ai/DeepSeek-V3",
        verified: "all fields match two public copies of the config (MoE/MLA fields, vocab 129280, first_k_dense_replace 3); the MTP layer (num_nextn_predict_layers 1) is not loaded for serving and not counted",
        config: r#"{
        "model_type":"deepseek_v3","hidden_size":7168,"intermediate_size":18432,"moe_intermediate_size":2048,
        "num_hidden_layers":61,"num_attention_heads":128,"num_key_value_heads":128,"n_routed_experts":256,"n_shared_experts":1,
        "num_experts_per_tok":8,"first_k_dense_replace":3,"moe_layer_freq":1,"kv_lora_rank":512,"q_lora_rank":1536,
        "qk_nope_head_dim":128,"qk_rope_head_dim":64,"v_head_dim":128,"vocab_size":129280,"tie_word_embeddings":false,
        "max_position_embeddings":163840}"# },
    Raw { id: "gpt-oss-20b", name: "gpt-oss-20b", repo: "openai/gpt-oss-20b",
        verified: "hidden/intermediate/heads/kv/head_dim/experts/top-k/window/vocab/attention_bias/layer_types pattern match a public test fixture of the config; layers 24 and max_position 131072 from memory",
        config: r#"{
        "model_type":"gpt_oss","hidden_size":2880,"intermediate_size":2880,"num_hidden_layers":24,"head_dim":64,
        "num_attention_heads":64,"num_key_value_heads":8,"num_local_experts":32,"num_experts_per_tok":4,"experts_per_token":4,
        "sliding_window":128,"attention_bias":true,"vocab_size":201088,"tie_word_embeddings":false,
        "max_position_embeddings":131072,
        "layer_types":["sliding_attention","full_attention","sliding_attention","full_attention","sliding_attention","full_attention",
          "sliding_attention","full_attention","sliding_attention","full_attention","sliding_attention","full_attention",
          "sliding_attention","full_attention","sliding_attention","full_attention","sliding_attention","full_attention",
          "sliding_attention","full_attention","sliding_attention","full_attention","sliding_attention","full_attention"]}"# },
    Raw { id: "gpt-oss-120b", name: "gpt-oss-120b", repo: "openai/gpt-oss-120b",
        verified: "as gpt-oss-20b with 36 layers and 128 experts (from memory; cross-checked against OpenAI's 116.8 B total)",
        config: r#"{
        "model_type":"gpt_oss","hidden_size":2880,"intermediate_size":2880,"num_hidden_layers":36,"head_dim":64,
        "num_attention_heads":64,"num_key_value_heads":8,"num_local_experts":128,"num_experts_per_tok":4,"experts_per_token":4,
        "sliding_window":128,"attention_bias":true,"vocab_size":201088,"tie_word_embeddings":false,
        "max_position_embeddings":131072,
        "layer_types":["sliding_attention","full_attention","sliding_attention","full_attention","sliding_attention","full_attention",
          "sliding_attention","full_attention","sliding_attention","full_attention","sliding_attention","full_attention",
          "sliding_attention","full_attention","sliding_attention","full_attention","sliding_attention","full_attention",
          "sliding_attention","full_attention","sliding_attention","full_attention","sliding_attention","full_attention",
          "sliding_attention","full_attention","sliding_attention","full_attention","sliding_attention","full_attention",
          "sliding_attention","full_attention","sliding_attention","full_attention","sliding_attention","full_attention"]}"# },
    Raw { id: "olmoe-1b-7b", name: "OLMoE 1B-7B (0924)", repo: "allenai/OLMoE-1B-7B-0924",
        verified: "all fields match public copies of the config (several test fixtures); max_position 4096 from memory",
        config: r#"{
        "model_type":"olmoe","hidden_size":2048,"intermediate_size":1024,"num_hidden_layers":16,
        "num_attention_heads":16,"num_key_value_heads":16,"num_experts":64,"num_experts_per_tok":8,
        "vocab_size":50304,"tie_word_embeddings":false,"max_position_embeddings":4096}"# },
];

/// Every catalog model (parsed once).
pub fn models() -> &'static [ModelEntry] {
    static CATALOG: OnceLock<Vec<ModelEntry>> = OnceLock::new();
    CATALOG.get_or_init(|| {
        RAW.iter()
            .filter_map(|r| {
                Architecture::from_hf_config(r.config)
                    .ok()
                    .map(|arch| ModelEntry {
                        id: r.id,
                        name: r.name,
                        repo: r.repo,
                        source: format!("https://huggingface.co/{}/blob/main/config.json", r.repo),
                        verified: r.verified,
                        arch,
                    })
            })
            .collect()
    })
}

/// Look a model up by catalog id (case-insensitive).
pub fn model(id: &str) -> Option<&'static ModelEntry> {
    let id = id.trim();
    models().iter().find(|m| m.id.eq_ignore_ascii_case(id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_raw_config_parses() {
        for r in RAW {
            if let Err(e) = Architecture::from_hf_config(r.config) {
                panic!("{}: {e}", r.id);
            }
        }
        assert_eq!(models().len(), RAW.len());
        assert!(models().len() >= 25);
    }
}
