//! A run's full configuration (what the form holds), the headers it sends, and the redaction
//! that keeps secrets out of exports, links and storage.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::openai::{endpoint_url, RequestSettings};
use crate::schedule::LoadPlan;
use crate::summary::Slo;
use crate::sweep::{IslOsl, SweepAxis};

/// One extra HTTP header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    /// Name.
    pub name: String,
    /// Value.
    pub value: String,
}

/// Where the prompts come from (the prompts themselves are not exported: an upload can be
/// large and private; records keep each request's `prompt_index`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Workload {
    /// Built-in suite id (see [`crate::prompts::suite_ids`]).
    pub suite: Option<String>,
    /// Name of an uploaded JSONL file.
    pub jsonl_name: Option<String>,
    /// Synthetic prompts of exact length.
    pub synthetic: Option<IslOsl>,
    /// Tokenizer that counted the synthetic prompts (the `tok` id): an ISL only means
    /// something with the tokenizer that measured it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tokenizer: Option<String>,
    /// ISL × OSL matrix cells, run one after another.
    pub matrix: Vec<IslOsl>,
    /// Prefix each prompt with a request-unique tag to defeat prompt caches.
    pub unique_prompts: bool,
}

/// Everything needed to repeat a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunConfig {
    /// Free-text label for comparisons.
    pub label: String,
    /// Base URL, e.g. `http://localhost:8000` or `…/v1`.
    pub base_url: String,
    /// API key, kept in memory only; stripped by [`RunConfig::sanitized`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_key: Option<String>,
    /// Extra headers (secret-looking ones are stripped on export).
    pub headers: Vec<Header>,
    /// Body settings.
    pub request: RequestSettings,
    /// Prompt source.
    pub workload: Workload,
    /// Load (for a sweep: the template of every step).
    pub load: LoadPlan,
    /// Sweep axis, if this is a sweep.
    pub sweep: Option<SweepAxis>,
    /// Goodput SLOs.
    pub slo: Slo,
}

/// True for header names that carry credentials. Matches `Authorization`, `Cookie`, and any
/// name containing `key`, `token`, `secret`, `auth` or `password` (e.g. `x-api-key`,
/// `api-key` as Azure uses, `x-goog-api-key`).
pub fn is_secret_header(name: &str) -> bool {
    let n = name.trim().to_ascii_lowercase();
    n == "cookie"
        || ["auth", "key", "token", "secret", "password", "session"]
            .iter()
            .any(|w| n.contains(w))
}

/// Removes credentials from a URL: `user:pass@` and query parameters whose names look
/// secret (`?api_key=…`, `?token=…`).
pub fn redact_url(url: &str) -> String {
    let (base, fragment) = match url.split_once('#') {
        Some((b, f)) => (b, Some(f)),
        None => (url, None),
    };
    let (head, query) = match base.split_once('?') {
        Some((h, q)) => (h, Some(q)),
        None => (base, None),
    };
    let head = match head.split_once("://") {
        Some((scheme, rest)) => {
            let (authority, path) = match rest.find('/') {
                Some(i) => rest.split_at(i),
                None => (rest, ""),
            };
            let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
            format!("{scheme}://{host}{path}")
        }
        None => head.to_owned(),
    };
    let mut out = head;
    if let Some(q) = query {
        let kept: Vec<&str> = q
            .split('&')
            .filter(|kv| !is_secret_header(kv.split('=').next().unwrap_or("")))
            .collect();
        if !kept.is_empty() {
            out.push('?');
            out.push_str(&kept.join("&"));
        }
    }
    if let Some(f) = fragment {
        out.push('#');
        out.push_str(f);
    }
    out
}

/// Why the extra body fields or headers typed in the form cannot be sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExtraError {
    /// Not JSON at all.
    #[error("extra body fields: not valid JSON ({0})")]
    NotJson(String),
    /// JSON, but not an object.
    #[error("extra body fields: expected a JSON object like {{\"top_p\": 0.9}}")]
    NotObject,
    /// A field the tester itself manages (changing it would break the measurement).
    #[error("extra body fields: \"{0}\" is set by the load tester; change it in the form instead")]
    Reserved(String),
    /// A header name with characters HTTP does not allow.
    #[error("header {0:?}: a name may hold only letters, digits and !#$%&'*+-.^_`|~")]
    BadHeaderName(String),
}

/// Body fields that the form sets and the measurement depends on (streaming, the prompt,
/// usage reporting): extra fields may not override them.
const RESERVED_BODY: [&str; 4] = ["stream", "messages", "prompt", "stream_options"];

/// Parses the "extra JSON body fields" text: empty means none; otherwise a JSON object
/// whose fields are merged into every request body (e.g. `{"top_p": 0.9}`).
pub fn parse_extra_body(text: &str) -> Result<Map<String, Value>, ExtraError> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(Map::new());
    }
    match serde_json::from_str::<Value>(t) {
        Ok(Value::Object(m)) => {
            if let Some(k) = m.keys().find(|k| RESERVED_BODY.contains(&k.as_str())) {
                return Err(ExtraError::Reserved(k.clone()));
            }
            Ok(m)
        }
        Ok(_) => Err(ExtraError::NotObject),
        Err(e) => Err(ExtraError::NotJson(e.to_string())),
    }
}

/// The extra headers to send: rows with an empty name are skipped; a name that is not an
/// HTTP token is refused (the browser would throw on it mid-run).
pub fn clean_headers(rows: &[Header]) -> Result<Vec<Header>, ExtraError> {
    rows.iter()
        .filter(|h| !h.name.trim().is_empty())
        .map(|h| {
            let name = h.name.trim();
            let ok = name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c));
            if ok {
                Ok(Header {
                    name: name.to_owned(),
                    value: h.value.trim().to_owned(),
                })
            } else {
                Err(ExtraError::BadHeaderName(name.to_owned()))
            }
        })
        .collect()
}

impl RunConfig {
    /// The endpoint URL for the configured API.
    pub fn url(&self) -> String {
        endpoint_url(&self.base_url, self.request.api.path())
    }

    /// The `/v1/models` URL.
    pub fn models_url(&self) -> String {
        endpoint_url(&self.base_url, "models")
    }

    /// Headers for each request: `Content-Type`, `Authorization: Bearer` when a key is set,
    /// then the extra headers. (Both the JSON content type and `Authorization` make the
    /// browser send a CORS preflight.)
    pub fn request_headers(&self) -> Vec<Header> {
        let mut h = vec![Header {
            name: "Content-Type".into(),
            value: "application/json".into(),
        }];
        if let Some(k) = self.api_key.as_deref().filter(|k| !k.trim().is_empty()) {
            h.push(Header {
                name: "Authorization".into(),
                value: format!("Bearer {}", k.trim()),
            });
        }
        h.extend(
            self.headers
                .iter()
                .filter(|x| !x.name.trim().is_empty())
                .cloned(),
        );
        h
    }

    /// A copy safe to export, share or store: no API key, no secret headers, no
    /// secret-looking extra body fields (`api_key`, `token`, …), no URL credentials.
    pub fn sanitized(&self) -> Self {
        let mut c = self.clone();
        c.api_key = None;
        c.headers.retain(|h| !is_secret_header(&h.name));
        c.request.extra_body.retain(|k, _| !is_secret_header(k));
        c.base_url = redact_url(&c.base_url);
        c
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::schedule::{Limits, LoadModel};

    pub(crate) fn sample() -> RunConfig {
        RunConfig {
            label: "a".into(),
            base_url: "https://u:p@h:8000/v1?api_key=s&x=1".into(),
            api_key: Some("sk-secret".into()),
            headers: vec![
                Header {
                    name: "X-Api-Key".into(),
                    value: "k".into(),
                },
                Header {
                    name: "X-Trace".into(),
                    value: "1".into(),
                },
            ],
            request: RequestSettings::default(),
            workload: Workload::default(),
            load: LoadPlan {
                model: LoadModel::Closed {
                    users: 2,
                    ramp_up_ms: 0.0,
                    think_ms: 0.0,
                },
                limits: Limits {
                    max_requests: Some(4),
                    ..Limits::default()
                },
                seed: 0,
            },
            sweep: None,
            slo: Slo::default(),
        }
    }

    #[test]
    fn headers_and_sanitize() {
        let c = sample();
        let h = c.request_headers();
        assert_eq!(h[1].value, "Bearer sk-secret");
        assert_eq!(h.len(), 4);
        let s = c.sanitized();
        assert_eq!(s.api_key, None);
        assert_eq!(s.headers.len(), 1);
        assert_eq!(s.base_url, "https://h:8000/v1?x=1");
        let json = serde_json::to_string(&s).unwrap_or_default();
        assert!(!json.contains("secret") && !json.contains("sk-") && !json.contains("u:p"));
    }

    #[test]
    fn sanitize_drops_secret_body_fields() {
        let mut c = sample();
        c.request.extra_body =
            parse_extra_body(r#"{"top_p": 0.9, "api_key": "sk-body", "session_token": "t"}"#)
                .unwrap_or_default();
        let s = c.sanitized();
        assert_eq!(s.request.extra_body.len(), 1);
        assert!(s.request.extra_body.contains_key("top_p"));
        let json = serde_json::to_string(&s).unwrap_or_default();
        assert!(!json.contains("sk-body"));
    }

    #[test]
    fn extra_fields() {
        assert_eq!(parse_extra_body("  "), Ok(Map::new()));
        assert!(matches!(
            parse_extra_body("{oops"),
            Err(ExtraError::NotJson(_))
        ));
        assert_eq!(parse_extra_body("[1]"), Err(ExtraError::NotObject));
        assert_eq!(
            parse_extra_body(r#"{"stream": false}"#),
            Err(ExtraError::Reserved("stream".into()))
        );
        let rows = vec![
            Header {
                name: " X-Trace ".into(),
                value: " 1 ".into(),
            },
            Header {
                name: "".into(),
                value: "ignored".into(),
            },
        ];
        assert_eq!(
            clean_headers(&rows),
            Ok(vec![Header {
                name: "X-Trace".into(),
                value: "1".into()
            }])
        );
        let bad = vec![Header {
            name: "X Trace".into(),
            value: String::new(),
        }];
        assert!(matches!(
            clean_headers(&bad),
            Err(ExtraError::BadHeaderName(_))
        ));
    }

    #[test]
    fn redaction() {
        assert_eq!(redact_url("http://h:1"), "http://h:1");
        assert_eq!(redact_url("http://h/v1?token=a#f"), "http://h/v1#f");
        assert!(is_secret_header("authorization"));
        assert!(is_secret_header("x-goog-api-key"));
        assert!(!is_secret_header("x-request-id"));
    }
}
