//! `tokenizer_config.json`: the parts a tokenizer tool needs that `tokenizer.json` lacks.
//!
//! Hugging Face keeps the chat template and the names of the BOS/EOS tokens in this side file;
//! values come in several historical shapes (a plain string or an `AddedToken` object, a single
//! template or a list of named ones), so parsing is deliberately lenient: a field of an unknown
//! shape is ignored rather than failing the whole load.

use serde_json::Value;

/// One chat template; repos with several (e.g. `default`, `tool_use`) name each.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedTemplate {
    /// `default` for a template given as a plain string.
    pub name: String,
    /// The Jinja source.
    pub source: String,
}

/// What the tool reads from `tokenizer_config.json`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TokenizerConfig {
    /// All chat templates, the `default` one first when present.
    pub chat_templates: Vec<NamedTemplate>,
    /// Text of the BOS token (`bos_token`), if configured.
    pub bos_token: Option<String>,
    /// Text of the EOS token (`eos_token`), if configured.
    pub eos_token: Option<String>,
    /// Text of the UNK token.
    pub unk_token: Option<String>,
    /// Text of the PAD token.
    pub pad_token: Option<String>,
    /// `add_bos_token`: whether the slow tokenizer prepends BOS (informational; the fast
    /// tokenizer's post-processor in `tokenizer.json` is what actually decides).
    pub add_bos_token: Option<bool>,
    /// `add_eos_token`, likewise informational.
    pub add_eos_token: Option<bool>,
    /// `model_max_length` when it is a sane number (HF writes 1e30 for "unbounded").
    pub model_max_length: Option<u64>,
    /// `tokenizer_class`, e.g. `LlamaTokenizerFast`.
    pub tokenizer_class: Option<String>,
}

impl TokenizerConfig {
    /// Reads the fields from an already-parsed JSON object; unknown shapes are skipped.
    pub fn from_value(v: &Value) -> Self {
        let token = |key: &str| -> Option<String> {
            match v.get(key)? {
                Value::String(s) => Some(s.clone()),
                Value::Object(o) => o.get("content")?.as_str().map(str::to_owned),
                _ => None,
            }
        };
        let chat_templates = match v.get("chat_template") {
            Some(Value::String(s)) => vec![NamedTemplate {
                name: "default".into(),
                source: s.clone(),
            }],
            Some(Value::Array(items)) => {
                let mut list: Vec<NamedTemplate> = items
                    .iter()
                    .filter_map(|it| {
                        Some(NamedTemplate {
                            name: it.get("name")?.as_str()?.to_owned(),
                            source: it.get("template")?.as_str()?.to_owned(),
                        })
                    })
                    .collect();
                // `default` first so callers can just take the first one.
                list.sort_by_key(|t| t.name != "default");
                list
            }
            _ => Vec::new(),
        };
        let model_max_length = v
            .get("model_max_length")
            .and_then(Value::as_f64)
            .filter(|x| x.is_finite() && *x >= 0.0 && *x < 1e15)
            .map(|x| x as u64);
        Self {
            chat_templates,
            bos_token: token("bos_token"),
            eos_token: token("eos_token"),
            unk_token: token("unk_token"),
            pad_token: token("pad_token"),
            add_bos_token: v.get("add_bos_token").and_then(Value::as_bool),
            add_eos_token: v.get("add_eos_token").and_then(Value::as_bool),
            model_max_length,
            tokenizer_class: v
                .get("tokenizer_class")
                .and_then(Value::as_str)
                .map(str::to_owned),
        }
    }

    /// The template called `name`, or the default (first) one when `name` is `None`.
    pub fn chat_template(&self, name: Option<&str>) -> Option<&NamedTemplate> {
        match name {
            Some(n) => self.chat_templates.iter().find(|t| t.name == n),
            None => self.chat_templates.first(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_string_and_object_tokens() {
        let c = TokenizerConfig::from_value(&json!({
            "bos_token": {"content": "<s>", "lstrip": false},
            "eos_token": "</s>",
            "add_bos_token": true,
            "model_max_length": 1e30,
            "chat_template": "{{ bos_token }}"
        }));
        assert_eq!(c.bos_token.as_deref(), Some("<s>"));
        assert_eq!(c.eos_token.as_deref(), Some("</s>"));
        assert_eq!(c.add_bos_token, Some(true));
        assert_eq!(c.model_max_length, None);
        assert_eq!(
            c.chat_template(None).map(|t| t.name.as_str()),
            Some("default")
        );
    }

    #[test]
    fn named_templates_default_first() {
        let c = TokenizerConfig::from_value(&json!({
            "chat_template": [
                {"name": "tool_use", "template": "T"},
                {"name": "default", "template": "D"}
            ]
        }));
        assert_eq!(c.chat_template(None).map(|t| t.source.as_str()), Some("D"));
        assert_eq!(
            c.chat_template(Some("tool_use")).map(|t| t.source.as_str()),
            Some("T")
        );
        assert!(c.chat_template(Some("nope")).is_none());
    }

    #[test]
    fn odd_shapes_are_ignored() {
        let c = TokenizerConfig::from_value(&json!({"bos_token": 3, "chat_template": 7}));
        assert_eq!(c, TokenizerConfig::default());
    }
}
