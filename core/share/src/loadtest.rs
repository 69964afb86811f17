//! The load tester's link. It fills the form only: a link never starts a run, and it never
//! carries an API key or headers (there is no parameter for them).

use serde::{Deserialize, Serialize};

use crate::{QueryReader, QueryState, QueryWriter};

/// Which OpenAI-compatible endpoint is called.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Api {
    #[default]
    Chat,
    Completions,
}

/// How load is applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum LoadMode {
    /// Closed loop: N users, each sends the next request when the last one ends.
    #[default]
    Users,
    /// Open loop: requests arrive at a rate, whatever the server does.
    Rate,
    /// A sequence of closed-loop steps (users 1, 2, 4, …).
    Sweep,
}

impl Api {
    pub const CHOICES: [(&'static str, Api); 2] =
        [("chat", Api::Chat), ("completions", Api::Completions)];
    pub fn id(self) -> &'static str {
        match self {
            Api::Chat => "chat",
            Api::Completions => "completions",
        }
    }
}

impl LoadMode {
    pub const CHOICES: [(&'static str, LoadMode); 3] = [
        ("users", LoadMode::Users),
        ("rate", LoadMode::Rate),
        ("sweep", LoadMode::Sweep),
    ];
    pub fn id(self) -> &'static str {
        match self {
            LoadMode::Users => "users",
            LoadMode::Rate => "rate",
            LoadMode::Sweep => "sweep",
        }
    }
}

/// Settings of the load tester that a link carries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LoadTestState {
    pub url: String,
    pub api: Api,
    pub model: String,
    pub mode: LoadMode,
    pub users: u32,
    /// Requests per second (open loop).
    pub rate: f64,
    /// Cap on requests.
    pub requests: u32,
    /// Cap on duration, seconds.
    pub duration: u32,
    pub max_tokens: u32,
    /// Built-in prompt suite id, or `synthetic` for exact-length prompts.
    pub prompt: String,
    /// Input length in tokens for synthetic prompts (0 = suite prompts).
    pub isl: u32,
    /// Output length in tokens (0 = `max_tokens`).
    pub osl: u32,
}

impl Default for LoadTestState {
    fn default() -> Self {
        Self {
            url: "http://127.0.0.1:8000".into(),
            api: Api::Chat,
            model: String::new(),
            mode: LoadMode::Users,
            users: 4,
            rate: 1.0,
            requests: 64,
            duration: 120,
            max_tokens: 256,
            prompt: "classify".into(),
            isl: 0,
            osl: 0,
        }
    }
}

impl QueryState for LoadTestState {
    fn read(r: &mut QueryReader) -> Self {
        let d = Self::default();
        let url = match r.text("url") {
            Some(u) if u.starts_with("http://") || u.starts_with("https://") => u,
            Some(u) => {
                r.invalid("url", &u, "an http:// or https:// URL");
                d.url.clone()
            }
            None => d.url.clone(),
        };
        Self {
            url,
            api: r.choice("api", d.api, &Api::CHOICES),
            model: r.text("model").unwrap_or_default(),
            mode: r.choice("mode", d.mode, &LoadMode::CHOICES),
            users: r.number("users", d.users, 1..=4096),
            rate: r.number("rate", d.rate, 0.001..=100_000.0),
            requests: r.number("requests", d.requests, 1..=1_000_000),
            duration: r.number("duration", d.duration, 1..=86_400),
            max_tokens: r.number("max_tokens", d.max_tokens, 1..=1_000_000),
            prompt: r
                .text("prompt")
                .filter(|p| !p.is_empty())
                .unwrap_or(d.prompt),
            isl: r.number("isl", d.isl, 0..=10_000_000),
            osl: r.number("osl", d.osl, 0..=10_000_000),
        }
    }

    fn write(&self, w: &mut QueryWriter) {
        let d = Self::default();
        w.put_if("url", &self.url, &d.url);
        w.put_if("api", &self.api.id(), &d.api.id());
        w.put_if("model", &self.model, &d.model);
        w.put_if("mode", &self.mode.id(), &d.mode.id());
        w.put_if("users", &self.users, &d.users);
        w.put_if("rate", &self.rate, &d.rate);
        w.put_if("requests", &self.requests, &d.requests);
        w.put_if("duration", &self.duration, &d.duration);
        w.put_if("max_tokens", &self.max_tokens, &d.max_tokens);
        w.put_if("prompt", &self.prompt, &d.prompt);
        w.put_if("isl", &self.isl, &d.isl);
        w.put_if("osl", &self.osl, &d.osl);
    }
}
