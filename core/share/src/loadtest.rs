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

/// Open-loop inter-arrival distribution (`arrival=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum ArrivalKind {
    /// Exponential gaps (what `vllm bench serve` does by default).
    #[default]
    Poisson,
    /// Evenly spaced.
    Constant,
    /// Gamma gaps with shape `burstiness` (< 1 burstier than Poisson, > 1 smoother).
    Gamma,
}

impl ArrivalKind {
    pub const CHOICES: [(&'static str, ArrivalKind); 3] = [
        ("poisson", ArrivalKind::Poisson),
        ("constant", ArrivalKind::Constant),
        ("gamma", ArrivalKind::Gamma),
    ];
    pub fn id(self) -> &'static str {
        match self {
            ArrivalKind::Poisson => "poisson",
            ArrivalKind::Constant => "constant",
            ArrivalKind::Gamma => "gamma",
        }
    }
}

/// What a sweep varies (`sweep_over=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum SweepOver {
    /// Closed-loop user counts.
    #[default]
    Users,
    /// Open-loop request rates.
    Rate,
}

impl SweepOver {
    pub const CHOICES: [(&'static str, SweepOver); 2] =
        [("users", SweepOver::Users), ("rate", SweepOver::Rate)];
    pub fn id(self) -> &'static str {
        match self {
            SweepOver::Users => "users",
            SweepOver::Rate => "rate",
        }
    }
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
    /// Open-loop arrival distribution.
    pub arrival: ArrivalKind,
    /// Gamma shape for `arrival=gamma`.
    pub burstiness: f64,
    /// Ramp-up duration, seconds (closed loop: users join evenly; open loop: the rate
    /// climbs linearly from `ramp_start`).
    pub ramp: f64,
    /// Open loop: requests/s at the start of the ramp.
    pub ramp_start: f64,
    /// Open loop: most requests in flight (later arrivals wait); `None` = no cap.
    pub max_concurrency: Option<u32>,
    /// What a sweep varies.
    pub sweep_over: SweepOver,
    /// Sweep steps as typed (`1,2,4,8`); empty = 1, 2, 4 … `users` (or `rate`).
    pub steps: String,
    /// Goodput SLO on TTFT, ms.
    pub slo_ttft: Option<f64>,
    /// Goodput SLO on TPOT, ms.
    pub slo_tpot: Option<f64>,
    /// Goodput SLO on E2E latency, ms.
    pub slo_e2e: Option<f64>,
    /// Tokenizer for synthetic prompts (bundled id, Hub repo id or URL).
    pub tok: String,
    /// ISL × OSL matrix as typed (`2048x128,32768x2048`); empty = no matrix.
    pub matrix: String,
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
            arrival: ArrivalKind::Poisson,
            burstiness: 1.0,
            ramp: 0.0,
            ramp_start: 0.0,
            max_concurrency: None,
            sweep_over: SweepOver::Users,
            steps: String::new(),
            slo_ttft: None,
            slo_tpot: None,
            slo_e2e: None,
            tok: "qwen3".into(),
            matrix: String::new(),
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
            arrival: r.choice("arrival", d.arrival, &ArrivalKind::CHOICES),
            burstiness: r.number("burstiness", d.burstiness, 0.001..=1000.0),
            ramp: r.number("ramp", d.ramp, 0.0..=86_400.0),
            ramp_start: r.number("ramp_start", d.ramp_start, 0.0..=100_000.0),
            max_concurrency: r.optional_number("max_concurrency", 1..=100_000),
            sweep_over: r.choice("sweep_over", d.sweep_over, &SweepOver::CHOICES),
            steps: list_text(r, "steps", "a list of positive numbers, e.g. 1,2,4,8"),
            slo_ttft: r.optional_number("slo_ttft", 0.001..=86_400_000.0),
            slo_tpot: r.optional_number("slo_tpot", 0.001..=86_400_000.0),
            slo_e2e: r.optional_number("slo_e2e", 0.001..=86_400_000.0),
            tok: r
                .text("tok")
                .filter(|t| !t.trim().is_empty())
                .unwrap_or(d.tok),
            matrix: list_text(r, "matrix", "ISLxOSL pairs, e.g. 2048x128,32768x2048"),
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
        w.put_if("arrival", &self.arrival.id(), &d.arrival.id());
        w.put_if("burstiness", &self.burstiness, &d.burstiness);
        w.put_if("ramp", &self.ramp, &d.ramp);
        w.put_if("ramp_start", &self.ramp_start, &d.ramp_start);
        w.put_opt("max_concurrency", &self.max_concurrency);
        w.put_if("sweep_over", &self.sweep_over.id(), &d.sweep_over.id());
        w.put_if("steps", &self.steps, &d.steps);
        w.put_opt("slo_ttft", &self.slo_ttft);
        w.put_opt("slo_tpot", &self.slo_tpot);
        w.put_opt("slo_e2e", &self.slo_e2e);
        w.put_if("tok", &self.tok, &d.tok);
        w.put_if("matrix", &self.matrix, &d.matrix);
    }
}

/// A list parameter kept as typed (the load tester parses and explains it); only characters
/// no list uses are refused here, so a link cannot smuggle arbitrary text into the form.
fn list_text(r: &mut QueryReader, key: &str, expected: &str) -> String {
    match r.text(key) {
        None => String::new(),
        Some(v)
            if v.len() <= 2000
                && v.chars()
                    .all(|c| c.is_ascii_digit() || " ,;.|:xX".contains(c)) =>
        {
            v.trim().to_owned()
        }
        Some(v) => {
            r.invalid(key, &v, expected);
            String::new()
        }
    }
}
