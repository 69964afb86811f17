//! Model architecture: the fields of a Hugging Face `config.json` that decide memory and speed,
//! and exact parameter counting from them.
//!
//! Counting follows the module layout of the `transformers` implementations (Llama, Qwen2/3,
//! Mistral/Mixtral, Gemma 2/3, Phi-3, DeepSeek-V2/V3, gpt-oss, OLMoE): every linear weight,
//! bias, norm weight, router, attention sink and (estimated) vision tower.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Why a `config.json` could not be turned into an [`Architecture`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// Not valid JSON (message from the parser, with line and column).
    #[error("config.json is not valid JSON: {0}")]
    Json(String),
    /// Valid JSON but not an object.
    #[error("config.json must be a JSON object")]
    NotAnObject,
    /// Required fields are absent; the UI asks the user to fill these in.
    #[error("config.json lacks required fields: {}", .0.join(", "))]
    MissingFields(Vec<String>),
    /// A field is present but unusable (zero, negative, inconsistent).
    #[error("config.json field `{field}` is invalid: {reason}")]
    Invalid {
        /// Field name as in config.json.
        field: String,
        /// Plain-words reason.
        reason: String,
    },
}

/// Mixture-of-experts feed-forward layout.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Moe {
    /// Routed experts per MoE layer (`num_local_experts`, `num_experts`, `n_routed_experts`).
    pub experts: u32,
    /// Routed experts used per token (`num_experts_per_tok`).
    pub experts_per_token: u32,
    /// Always-active shared experts (`n_shared_experts`; Qwen2-MoE counts as 1).
    pub shared_experts: u32,
    /// Intermediate width of one routed expert (`moe_intermediate_size`).
    pub moe_intermediate: u64,
    /// Total intermediate width of all shared experts together.
    pub shared_intermediate: u64,
    /// Leading dense (non-MoE) layers (`first_k_dense_replace`, `mlp_only_layers`).
    pub dense_layers: u32,
    /// Experts carry biases (gpt-oss).
    pub expert_bias: bool,
    /// Router carries a bias (gpt-oss).
    pub router_bias: bool,
    /// Qwen2-MoE's scalar gate on the shared expert.
    pub shared_expert_gate: bool,
}

/// Multi-head latent attention (DeepSeek-V2/V3, Kimi-K2).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Mla {
    /// Compressed KV latent width; this plus the rope part is what engines cache.
    pub kv_lora_rank: u32,
    /// Query compression rank; `None` = full-rank query projection (V2-Lite).
    pub q_lora_rank: Option<u32>,
    /// Decoupled rope key width (shared across heads, cached).
    pub qk_rope_head_dim: u32,
    /// Per-head non-rope query/key width.
    pub qk_nope_head_dim: u32,
    /// Per-head value width.
    pub v_head_dim: u32,
}

/// Recurrent (Mamba / linear-attention) layers of hybrid models: constant state per sequence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Recurrent {
    /// State elements per sequence per recurrent layer (conv + SSM state), stored in bf16.
    pub state_elems_per_layer: u64,
    /// Parameters of one recurrent mixer (replaces attention in that layer).
    pub params_per_layer: u64,
}

/// Everything about a model that decides memory and speed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Architecture {
    /// `model_type` from config.json (for messages and engine quirks).
    pub model_type: String,
    /// Residual width (`hidden_size`).
    pub hidden: u64,
    /// Decoder layers (`num_hidden_layers`).
    pub layers: u32,
    /// Query heads.
    pub heads: u32,
    /// Key/value heads (GQA/MQA); equals `heads` for MHA.
    pub kv_heads: u32,
    /// Per-head width; explicit `head_dim` wins over `hidden / heads` (Gemma, Qwen3, gpt-oss).
    pub head_dim: u32,
    /// Dense MLP intermediate width.
    pub intermediate: u64,
    /// Vocabulary rows of the embedding / lm_head.
    pub vocab: u64,
    /// lm_head shares the embedding matrix (counted once).
    pub tied_embeddings: bool,
    /// SwiGLU/GeGLU (3 matrices) rather than a 2-matrix MLP.
    pub gated_mlp: bool,
    /// q/k/v projections have biases (Qwen2, gpt-oss).
    pub qkv_bias: bool,
    /// Output projection has a bias.
    pub o_bias: bool,
    /// MLP projections have biases.
    pub mlp_bias: bool,
    /// Norm weight vectors per layer (2 for Llama, 4 for Gemma 2/3).
    pub norms_per_layer: u32,
    /// Norms are LayerNorm with a bias (GPT-2 style).
    pub norm_bias: bool,
    /// q/k norm parameters per layer (Qwen3, Gemma 3: 2·head_dim; OLMoE: full width).
    pub qk_norm_params: u64,
    /// Other per-layer parameters (gpt-oss attention sinks: one per head).
    pub extra_params_per_layer: u64,
    /// Mixture-of-experts layout, if any.
    pub moe: Option<Moe>,
    /// Multi-head latent attention, if any.
    pub mla: Option<Mla>,
    /// Sliding-window size of the windowed layers.
    pub sliding_window: Option<u32>,
    /// How many layers use the sliding window (the rest are global).
    pub sliding_layers: u32,
    /// How many layers are recurrent (Mamba / linear attention) and hold no KV.
    pub recurrent_layers: u32,
    /// Recurrent layer sizes, when `recurrent_layers > 0`.
    pub recurrent: Option<Recurrent>,
    /// Layers that reuse another layer's KV (Gemma 3n `num_kv_shared_layers`): hold nothing.
    pub kv_shared_layers: u32,
    /// Vision tower + projector parameters (multimodal checkpoints), kept unquantized.
    pub vision_params: u64,
    /// Longest context the model supports (0 = unknown).
    pub max_position_embeddings: u64,
    /// Final logits are soft-capped (Gemma 2): transformers holds two logits tensors at once.
    #[serde(default)]
    pub final_logit_softcapping: bool,
    /// gate and up projections are one fused matrix (Phi-3): its 2·I output is alive at once.
    #[serde(default)]
    pub fused_gate_up: bool,
}

/// Parameter counts by role; the roles matter because quantization treats them differently.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParamCounts {
    /// Input embedding matrix.
    pub embedding: u64,
    /// Output projection (0 when tied).
    pub lm_head: u64,
    /// Linear weights of attention / recurrent mixers.
    pub attention: u64,
    /// Linear weights of dense MLPs (dense layers of MoE models included).
    pub dense_mlp: u64,
    /// Linear weights of all routed experts.
    pub routed_experts: u64,
    /// Linear weights of shared experts.
    pub shared_experts: u64,
    /// Router (gate) weights.
    pub router: u64,
    /// Norm weights, biases, attention sinks and other vectors.
    pub vectors: u64,
    /// Vision tower and projector.
    pub vision: u64,
}

impl ParamCounts {
    /// All parameters.
    pub fn total(&self) -> u64 {
        self.embedding
            + self.lm_head
            + self.attention
            + self.dense_mlp
            + self.routed_experts
            + self.shared_experts
            + self.router
            + self.vectors
            + self.vision
    }
}

impl Architecture {
    /// Layers that hold a KV cache (not recurrent, not KV-shared).
    pub fn kv_layers(&self) -> u32 {
        self.layers
            .saturating_sub(self.recurrent_layers)
            .saturating_sub(self.kv_shared_layers)
    }

    /// KV-holding layers that are global (full attention).
    pub fn full_attention_layers(&self) -> u32 {
        self.kv_layers().saturating_sub(self.sliding_layers)
    }

    /// KV-holding layers capped at the sliding window.
    pub fn windowed_layers(&self) -> u32 {
        self.sliding_layers.min(self.kv_layers())
    }

    /// MoE layers (0 for dense models).
    pub fn moe_layers(&self) -> u32 {
        match &self.moe {
            Some(m) => self.layers.saturating_sub(m.dense_layers),
            None => 0,
        }
    }

    /// Exact parameter counts by role.
    pub fn params(&self) -> ParamCounts {
        let h = self.hidden;
        let l = u64::from(self.layers);
        let heads = u64::from(self.heads);
        let kv = u64::from(self.kv_heads);
        let hd = u64::from(self.head_dim);
        let rec_layers = u64::from(self.recurrent_layers.min(self.layers));
        let attn_layers = l - rec_layers;
        let mut c = ParamCounts {
            embedding: self.vocab.saturating_mul(h),
            lm_head: if self.tied_embeddings {
                0
            } else {
                self.vocab.saturating_mul(h)
            },
            vision: self.vision_params,
            ..ParamCounts::default()
        };

        // Attention mixer.
        let (attn_w, attn_v) = match &self.mla {
            Some(m) => {
                let (r, nope, rope, v) = (
                    u64::from(m.kv_lora_rank),
                    u64::from(m.qk_nope_head_dim),
                    u64::from(m.qk_rope_head_dim),
                    u64::from(m.v_head_dim),
                );
                let q = match m.q_lora_rank {
                    Some(qr) => {
                        let qr = u64::from(qr);
                        h * qr + qr * heads * (nope + rope)
                    }
                    None => h * heads * (nope + rope),
                };
                let w = q + h * (r + rope) + r * heads * (nope + v) + heads * v * h;
                // q_a_layernorm (if any) + kv_a_layernorm.
                let vecs = m.q_lora_rank.map_or(0, u64::from) + r;
                (w, vecs)
            }
            None => {
                let w = h * heads * hd + 2 * h * kv * hd + heads * hd * h;
                let mut v = 0;
                if self.qkv_bias {
                    v += heads * hd + 2 * kv * hd;
                }
                if self.o_bias {
                    v += h;
                }
                (w, v)
            }
        };
        c.attention = attn_layers * attn_w;
        c.vectors += attn_layers * (attn_v + self.qk_norm_params);
        if let Some(r) = &self.recurrent {
            c.attention += rec_layers * r.params_per_layer;
        }

        // Feed-forward.
        let mats = if self.gated_mlp { 3 } else { 2 };
        let mlp_bias = |inter: u64| -> u64 {
            if self.mlp_bias {
                (mats - 1) * inter + h
            } else {
                0
            }
        };
        let dense_layers = match &self.moe {
            Some(m) => u64::from(m.dense_layers.min(self.layers)),
            None => l,
        };
        c.dense_mlp = dense_layers * mats * h * self.intermediate;
        c.vectors += dense_layers * mlp_bias(self.intermediate);
        if let Some(m) = &self.moe {
            let ml = l - dense_layers;
            let e = u64::from(m.experts);
            c.routed_experts = ml * e * mats * h * m.moe_intermediate;
            if m.expert_bias {
                c.vectors += ml * e * ((mats - 1) * m.moe_intermediate + h);
            }
            c.shared_experts = ml * mats * h * m.shared_intermediate;
            c.router = ml * h * (e + u64::from(m.shared_expert_gate));
            if m.router_bias {
                c.vectors += ml * e;
            }
        }

        // Norms: per-layer norms + final norm; LayerNorm doubles with its bias.
        let norm_mult = if self.norm_bias { 2 } else { 1 };
        c.vectors += norm_mult * (l * u64::from(self.norms_per_layer) * h + h);
        c.vectors += l * self.extra_params_per_layer;
        c
    }

    /// All parameters.
    pub fn total_params(&self) -> u64 {
        self.params().total()
    }

    /// Parameters touched per token: routed experts scaled by `experts_per_token / experts`.
    pub fn active_params(&self) -> u64 {
        let p = self.params();
        p.total() - p.routed_experts + self.active_routed(&p)
    }

    fn active_routed(&self, p: &ParamCounts) -> u64 {
        match &self.moe {
            Some(m) if m.experts > 0 => {
                let k = m.experts_per_token.min(m.experts);
                (u128::from(p.routed_experts) * u128::from(k) / u128::from(m.experts)) as u64
            }
            _ => 0,
        }
    }

    /// Matmul parameters per token (active, without the embedding lookup and vision tower):
    /// the `2·N` FLOPs-per-token term of the roofline.
    pub fn matmul_params_per_token(&self) -> u64 {
        let p = self.params();
        self.active_params()
            .saturating_sub(p.embedding)
            .saturating_sub(p.vision)
            .saturating_sub(p.vectors)
            + if self.tied_embeddings { p.embedding } else { 0 }
    }

    /// Parse a Hugging Face `config.json` (text-only or multimodal with `text_config`).
    pub fn from_hf_config(json: &str) -> Result<Architecture, ConfigError> {
        let root: Value =
            serde_json::from_str(json).map_err(|e| ConfigError::Json(e.to_string()))?;
        let root = root.as_object().ok_or(ConfigError::NotAnObject)?;
        parse(root)
    }
}

fn num(v: &Value) -> Option<u64> {
    match v {
        Value::Number(n) => n.as_u64().or_else(|| {
            n.as_f64()
                .filter(|f| *f >= 0.0 && f.fract() == 0.0 && *f < 1e18)
                .map(|f| f as u64)
        }),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

struct Cfg<'a> {
    text: &'a Map<String, Value>,
    root: &'a Map<String, Value>,
}

impl Cfg<'_> {
    fn get(&self, key: &str) -> Option<&Value> {
        self.text
            .get(key)
            .filter(|v| !v.is_null())
            .or_else(|| self.root.get(key).filter(|v| !v.is_null()))
    }
    fn u(&self, keys: &[&str]) -> Option<u64> {
        keys.iter().find_map(|k| self.get(k).and_then(num))
    }
    fn b(&self, key: &str) -> Option<bool> {
        self.get(key).and_then(Value::as_bool)
    }
}

fn to_u32(v: u64, field: &str) -> Result<u32, ConfigError> {
    u32::try_from(v).map_err(|_| ConfigError::Invalid {
        field: field.into(),
        reason: format!("{v} is too large"),
    })
}

fn parse(root: &Map<String, Value>) -> Result<Architecture, ConfigError> {
    let text = root
        .get("text_config")
        .or_else(|| root.get("llm_config"))
        .and_then(Value::as_object)
        .unwrap_or(root);
    let c = Cfg { text, root };
    let model_type = c
        .text
        .get("model_type")
        .and_then(Value::as_str)
        .or_else(|| c.root.get("model_type").and_then(Value::as_str))
        .unwrap_or("unknown")
        .to_string();
    let mt = model_type.as_str();

    let mut missing = Vec::new();
    let mut need = |v: Option<u64>, name: &str| -> u64 {
        match v {
            Some(x) if x > 0 => x,
            _ => {
                missing.push(name.to_string());
                0
            }
        }
    };
    let hidden = need(
        c.u(&["hidden_size", "n_embd", "d_model", "dim"]),
        "hidden_size",
    );
    let layers = need(
        c.u(&["num_hidden_layers", "n_layer", "num_layers", "n_layers"]),
        "num_hidden_layers",
    );
    let heads = need(
        c.u(&["num_attention_heads", "n_head", "n_heads"]),
        "num_attention_heads",
    );
    let vocab = need(c.u(&["vocab_size", "padded_vocab_size"]), "vocab_size");

    let experts = c
        .u(&["num_local_experts", "num_experts", "n_routed_experts"])
        .filter(|e| *e > 1);
    let moe_inter = c.u(&["moe_intermediate_size"]);
    let intermediate = match c.u(&["intermediate_size", "n_inner", "ffn_hidden_size", "ffn_dim"]) {
        Some(x) if x > 0 => x,
        _ if experts.is_some() && moe_inter.is_some() => 0,
        _ if matches!(mt, "gpt2" | "gpt_bigcode") && hidden > 0 => 4 * hidden,
        _ => need(None, "intermediate_size"),
    };
    if !missing.is_empty() {
        return Err(ConfigError::MissingFields(missing));
    }
    // Plausibility limits keep every later product inside u64 (and catch typos).
    for (v, max, field) in [
        (hidden, 1u64 << 18, "hidden_size"),
        (layers, 1 << 12, "num_hidden_layers"),
        (heads, 1 << 12, "num_attention_heads"),
        (vocab, 1 << 23, "vocab_size"),
        (intermediate, 1 << 20, "intermediate_size"),
        (experts.unwrap_or(0), 1 << 12, "num_experts"),
        (moe_inter.unwrap_or(0), 1 << 18, "moe_intermediate_size"),
    ] {
        if v > max {
            return Err(ConfigError::Invalid {
                field: field.into(),
                reason: format!("{v} exceeds the plausible maximum {max}"),
            });
        }
    }

    let kv_heads = c
        .u(&[
            "num_key_value_heads",
            "n_head_kv",
            "num_kv_heads",
            "multi_query_group_num",
        ])
        .filter(|k| *k > 0)
        .unwrap_or(heads);
    let head_dim = c
        .u(&["head_dim", "kv_channels", "attention_head_dim"])
        .filter(|d| *d > 0)
        .unwrap_or(hidden / heads.max(1));
    if head_dim > 1 << 14 || kv_heads > heads.max(1) << 4 {
        return Err(ConfigError::Invalid {
            field: "head_dim".into(),
            reason: format!("{head_dim} / {kv_heads} KV heads is implausible"),
        });
    }
    if head_dim == 0 {
        return Err(ConfigError::Invalid {
            field: "head_dim".into(),
            reason: "hidden_size / num_attention_heads is 0".into(),
        });
    }

    let is_gemma = mt.starts_with("gemma");
    let tied_embeddings = c.b("tie_word_embeddings").unwrap_or(is_gemma);
    let gated_mlp = !matches!(
        mt,
        "gpt2" | "gpt_neox" | "gpt_bigcode" | "phi" | "starcoder2" | "bert" | "falcon" | "gptj"
    );
    let norm_bias = matches!(
        mt,
        "gpt2" | "gpt_neox" | "gpt_bigcode" | "phi" | "starcoder2" | "falcon" | "gptj"
    );
    let attention_bias = c
        .b("attention_bias")
        .or(c.b("use_bias"))
        .or(c.b("bias"))
        .unwrap_or(false);
    let qwen2_family = matches!(mt, "qwen2" | "qwen2_moe" | "qwen2_vl" | "qwen2_5_vl");
    let qkv_bias = attention_bias
        || qwen2_family
        || c.b("use_qkv_bias").unwrap_or(false)
        || matches!(mt, "gpt2" | "gpt_neox" | "starcoder2" | "phi");
    let o_bias = attention_bias || matches!(mt, "gpt2" | "gpt_neox" | "starcoder2" | "phi");
    let mlp_bias = c.b("mlp_bias").unwrap_or(false)
        || matches!(mt, "gpt2" | "gpt_neox" | "starcoder2" | "phi");
    let norms_per_layer = if matches!(
        mt,
        "gemma2" | "gemma3" | "gemma3_text" | "gemma3n_text" | "olmo2"
    ) {
        if mt == "olmo2" {
            2
        } else {
            4
        }
    } else {
        2
    };
    let qk_norm_params = match mt {
        "qwen3" | "qwen3_moe" | "gemma3" | "gemma3_text" | "qwen3_next" => 2 * head_dim,
        "olmoe" | "olmo2" => heads * head_dim + kv_heads * head_dim,
        _ => 0,
    };
    let is_gpt_oss = mt == "gpt_oss";
    let extra_params_per_layer = if is_gpt_oss { heads } else { 0 };

    let layers32 = to_u32(layers, "num_hidden_layers")?;

    let moe = match experts {
        Some(e) => {
            let k = c
                .u(&["num_experts_per_tok", "experts_per_token", "moe_topk"])
                .unwrap_or(2);
            let moe_intermediate = moe_inter.unwrap_or(intermediate);
            let (shared_experts, shared_intermediate, gate) =
                if let Some(si) = c.u(&["shared_expert_intermediate_size"]).filter(|x| *x > 0) {
                    (1, si, true)
                } else {
                    let n = c
                        .u(&["n_shared_experts", "num_shared_experts"])
                        .unwrap_or(0);
                    (n, n * moe_intermediate, false)
                };
            let mut dense = c.u(&["first_k_dense_replace"]).unwrap_or(0);
            if let Some(list) = c.get("mlp_only_layers").and_then(Value::as_array) {
                dense += list.len() as u64;
            }
            if let Some(step) = c
                .u(&["decoder_sparse_step", "moe_layer_freq"])
                .filter(|s| *s > 1)
            {
                dense += layers - layers / step;
            }
            Some(Moe {
                experts: to_u32(e, "num_experts")?,
                experts_per_token: to_u32(k, "num_experts_per_tok")?,
                shared_experts: to_u32(shared_experts, "n_shared_experts")?,
                moe_intermediate,
                shared_intermediate,
                dense_layers: to_u32(dense.min(layers), "first_k_dense_replace")?,
                expert_bias: is_gpt_oss,
                router_bias: is_gpt_oss,
                shared_expert_gate: gate,
            })
        }
        None => None,
    };

    let mla = match c.u(&["kv_lora_rank"]) {
        Some(r) if r > 0 => Some(Mla {
            kv_lora_rank: to_u32(r, "kv_lora_rank")?,
            q_lora_rank: c
                .u(&["q_lora_rank"])
                .filter(|q| *q > 0)
                .map(|q| to_u32(q, "q_lora_rank"))
                .transpose()?,
            qk_rope_head_dim: to_u32(c.u(&["qk_rope_head_dim"]).unwrap_or(64), "qk_rope_head_dim")?,
            qk_nope_head_dim: to_u32(
                c.u(&["qk_nope_head_dim"]).unwrap_or(128),
                "qk_nope_head_dim",
            )?,
            v_head_dim: to_u32(c.u(&["v_head_dim"]).unwrap_or(128), "v_head_dim")?,
        }),
        _ => None,
    };

    let max_pos = c
        .u(&[
            "max_position_embeddings",
            "n_positions",
            "seq_length",
            "max_sequence_length",
        ])
        .unwrap_or(0);

    // Layer kinds: explicit list > interval > Gemma pattern > Gemma 2 alternation > all-sliding.
    let mut sliding_layers = 0u64;
    let mut recurrent_layers = 0u64;
    let window = c
        .u(&["sliding_window", "sliding_window_size"])
        .filter(|w| *w > 0);
    if let Some(types) = c.get("layer_types").and_then(Value::as_array) {
        for t in types.iter().take(layers as usize) {
            match t.as_str().unwrap_or("") {
                "sliding_attention" | "local_attention" | "sliding" => sliding_layers += 1,
                "linear_attention" | "mamba" | "mamba2" | "recurrent" => recurrent_layers += 1,
                _ => {}
            }
        }
    } else if let Some(interval) = c.u(&["full_attention_interval"]).filter(|i| *i > 1) {
        recurrent_layers = layers - layers / interval;
    } else if let Some(p) = c.u(&["sliding_window_pattern"]).filter(|p| *p > 1) {
        if window.is_some() {
            sliding_layers = layers - layers / p;
        }
    } else if mt == "gemma2" {
        if window.is_some() {
            sliding_layers = layers.div_ceil(2);
        }
    } else if let Some(w) = window {
        let enabled = c.b("use_sliding_window").unwrap_or(true);
        let below_max = max_pos == 0 || w < max_pos;
        if enabled
            && below_max
            && matches!(
                mt,
                "mistral" | "phi3" | "starcoder2" | "mixtral" | "qwen2" | "qwen3"
            )
        {
            // Qwen's `max_window_layers` keeps the first N layers global.
            let global = c
                .u(&["max_window_layers"])
                .filter(|_| mt.starts_with("qwen"))
                .unwrap_or(0)
                .min(layers);
            sliding_layers = layers - global;
        }
    }
    let sliding_window = if sliding_layers > 0 {
        window.map(|w| to_u32(w, "sliding_window")).transpose()?
    } else {
        None
    };

    let recurrent = if recurrent_layers > 0 {
        Some(recurrent_sizes(&c, hidden))
    } else {
        None
    };
    let kv_shared = c.u(&["num_kv_shared_layers"]).unwrap_or(0).min(layers);

    let final_logit_softcapping = c
        .get("final_logit_softcapping")
        .and_then(Value::as_f64)
        .is_some_and(|v| v > 0.0);
    let fused_gate_up = matches!(mt, "phi3" | "phi4");
    Ok(Architecture {
        model_type,
        hidden,
        layers: layers32,
        heads: to_u32(heads, "num_attention_heads")?,
        kv_heads: to_u32(kv_heads, "num_key_value_heads")?,
        head_dim: to_u32(head_dim, "head_dim")?,
        intermediate,
        vocab,
        tied_embeddings,
        gated_mlp,
        qkv_bias,
        o_bias,
        mlp_bias,
        norms_per_layer,
        norm_bias,
        qk_norm_params,
        extra_params_per_layer,
        moe,
        mla,
        sliding_window,
        sliding_layers: to_u32(sliding_layers, "layer_types")?,
        recurrent_layers: to_u32(recurrent_layers, "layer_types")?,
        recurrent,
        kv_shared_layers: to_u32(kv_shared, "num_kv_shared_layers")?,
        vision_params: root
            .get("vision_config")
            .and_then(Value::as_object)
            .map_or(0, |v| vision_params(v, hidden)),
        max_position_embeddings: max_pos,
        final_logit_softcapping,
        fused_gate_up,
    })
}

/// Sizes of a Gated-DeltaNet (Qwen3-Next style) or Mamba-2 mixer. Approximate: biases and
/// small vectors of these mixers are folded in; state is taken in bf16.
fn recurrent_sizes(c: &Cfg<'_>, hidden: u64) -> Recurrent {
    if let Some(nv) = c.u(&["linear_num_value_heads"]) {
        let nk = c.u(&["linear_num_key_heads"]).unwrap_or(nv);
        let dk = c.u(&["linear_key_head_dim"]).unwrap_or(128);
        let dv = c.u(&["linear_value_head_dim"]).unwrap_or(128);
        let kernel = c.u(&["linear_conv_kernel_dim"]).unwrap_or(4);
        let (key_dim, value_dim) = (nk * dk, nv * dv);
        let conv_dim = 2 * key_dim + value_dim;
        let params = hidden * (2 * key_dim + 2 * value_dim)
            + hidden * 2 * nv
            + conv_dim * kernel
            + 2 * nv
            + dv
            + value_dim * hidden;
        return Recurrent {
            state_elems_per_layer: conv_dim * (kernel - 1).max(1) + nv * dk * dv,
            params_per_layer: params,
        };
    }
    let heads = c
        .u(&["mamba_num_heads", "mamba_n_heads"])
        .unwrap_or(hidden * 2 / 64);
    let hd = c.u(&["mamba_head_dim", "mamba_d_head"]).unwrap_or(64);
    let ds = c
        .u(&["ssm_state_size", "mamba_d_state", "state_size"])
        .unwrap_or(128);
    let ng = c.u(&["n_groups", "mamba_n_groups"]).unwrap_or(1);
    let kernel = c.u(&["conv_kernel", "mamba_d_conv"]).unwrap_or(4);
    let d_inner = heads * hd;
    let conv_dim = d_inner + 2 * ng * ds;
    let params = hidden * (2 * d_inner + 2 * ng * ds + heads)
        + conv_dim * (kernel + 1)
        + 3 * heads
        + d_inner
        + d_inner * hidden;
    Recurrent {
        state_elems_per_layer: conv_dim * (kernel - 1).max(1) + heads * hd * ds,
        params_per_layer: params,
    }
}

/// Estimated ViT (SigLIP/CLIP) tower + linear projector: per layer `4h² + 2h·i` weights plus
/// biases and two LayerNorms; patch and position embeddings; projector `h_v · h_text`.
fn vision_params(v: &Map<String, Value>, text_hidden: u64) -> u64 {
    let g = |k: &str| v.get(k).and_then(num);
    let (Some(h), Some(l)) = (g("hidden_size"), g("num_hidden_layers").or(g("depth"))) else {
        return 0;
    };
    let i = g("intermediate_size").unwrap_or(4 * h);
    let patch = g("patch_size").unwrap_or(14);
    let image = g("image_size").unwrap_or(224);
    let chans = g("num_channels").unwrap_or(3);
    let per_layer = 4 * h * h + 4 * h + 2 * h * i + i + h + 4 * h;
    let positions = (image / patch.max(1)).pow(2);
    l * per_layer + chans * patch * patch * h + h + positions * h + 2 * h + h * text_hidden + h
}

#[cfg(test)]
mod tests {
    use super::*;

    const LLAMA_8B: &str = r#"{"architectures":["LlamaForCausalLM"],"hidden_size":4096,"intermediate_size":14336,
        "max_position_embeddings":131072,"model_type":"llama","num_attention_heads":32,"num_hidden_layers":32,
        "num_key_value_heads":8,"tie_word_embeddings":false,"vocab_size":128256}"#;

    #[test]
    fn llama_8b_exact_params() {
        let a = Architecture::from_hf_config(LLAMA_8B).unwrap();
        // Meta-Llama-3.1-8B safetensors total: 8,030,261,248 parameters.
        assert_eq!(a.total_params(), 8_030_261_248);
        assert_eq!(a.head_dim, 128);
    }

    #[test]
    fn missing_fields_are_named() {
        match Architecture::from_hf_config(r#"{"model_type":"llama","hidden_size":4096}"#) {
            Err(ConfigError::MissingFields(f)) => {
                assert!(f.contains(&"num_hidden_layers".to_string()));
                assert!(f.contains(&"vocab_size".to_string()));
                assert!(f.contains(&"intermediate_size".to_string()));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn malformed_json_is_an_error() {
        assert!(matches!(
            Architecture::from_hf_config("{"),
            Err(ConfigError::Json(_))
        ));
        assert!(matches!(
            Architecture::from_hf_config("[1]"),
            Err(ConfigError::NotAnObject)
        ));
        assert!(Architecture::from_hf_config(r#"{"hidden_size":-5}"#).is_err());
    }
}
