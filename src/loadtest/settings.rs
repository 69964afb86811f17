//! Settings that a link must not carry (API key) or that have no URL key, and the assembly of
//! a [`RunSpec`] from them and the URL state when Run is pressed.

use inferlab_loadtest::config::{RunConfig, Workload};
use inferlab_loadtest::diagnose::Engine;
use inferlab_loadtest::openai::{Api as WireApi, ModelInfo, RequestSettings};
use inferlab_loadtest::prompts::{self, Prompt};
use inferlab_loadtest::schedule::{Arrival, Limits, LoadModel, LoadPlan, RequestCount};
use inferlab_loadtest::summary::Slo;
use inferlab_loadtest::sweep::{doubling, sweep_steps, IslOsl, SweepAxis};
use inferlab_share::loadtest::{Api, LoadMode, LoadTestState};
use leptos::prelude::*;

use super::runner::RunSpec;

/// Prompt id for exact-length synthetic prompts (with `isl`).
pub const SYNTHETIC: &str = "synthetic";
/// Distinct synthetic prompts generated per run (picked round-robin).
const SYNTHETIC_PROMPTS: u64 = 32;

/// In-memory form state outside the URL. The API key lives only here: never in the URL, an
/// export or storage.
#[derive(Clone, Copy)]
pub struct LocalSettings {
    /// API key (`Authorization: Bearer`), memory only.
    pub api_key: RwSignal<String>,
    /// Temperature as typed; empty = server default.
    pub temperature: RwSignal<String>,
    /// Send `ignore_eos` (fixed output length on vLLM/SGLang/llama.cpp).
    pub ignore_eos: RwSignal<bool>,
    /// Warm-up requests, excluded from statistics.
    pub warmup: RwSignal<u32>,
    /// Per-request time limit, s.
    pub timeout_s: RwSignal<u32>,
    /// Prefix prompts with a unique tag so prompt caches do not flatter TTFT.
    pub unique_prompts: RwSignal<bool>,
    /// Models from the last "Fetch models".
    pub models: RwSignal<Vec<ModelInfo>>,
    /// Outcome of the last "Fetch models".
    pub models_msg: RwSignal<Option<String>>,
    /// Engine guessed from `/v1/models` (`owned_by`), for tailored CORS fixes.
    pub engine: RwSignal<Option<Engine>>,
}

impl LocalSettings {
    /// Defaults: no key, temperature 0, no warm-up, 300 s timeout, unique prompts.
    pub fn new() -> Self {
        Self {
            api_key: RwSignal::new(String::new()),
            temperature: RwSignal::new("0".into()),
            ignore_eos: RwSignal::new(false),
            warmup: RwSignal::new(0),
            timeout_s: RwSignal::new(300),
            unique_prompts: RwSignal::new(true),
            models: RwSignal::new(Vec::new()),
            models_msg: RwSignal::new(None),
            engine: RwSignal::new(None),
        }
    }

    /// Extra headers for every request (just the key, as `Authorization`).
    pub fn api_key_value(&self) -> Option<String> {
        let k = self.api_key.get_untracked();
        (!k.trim().is_empty()).then(|| k.trim().to_owned())
    }
}

impl Default for LocalSettings {
    fn default() -> Self {
        Self::new()
    }
}

/// The page origin (`location.origin`), for exact CORS allow-origin values.
pub fn page_origin() -> String {
    web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default()
}

/// Prompts for the run: a built-in suite, or synthetic prompts of about `isl` tokens (word
/// count stands in for a tokenizer here, so lengths are approximate).
fn prompts_for(state: &LoadTestState) -> Vec<Prompt> {
    if state.prompt == SYNTHETIC || state.isl > 0 {
        let isl = state.isl.max(1);
        return (0..SYNTHETIC_PROMPTS)
            .map(|seed| {
                Prompt::user(prompts::synthetic_text(isl, seed, |s| {
                    s.split_whitespace().count()
                }))
            })
            .collect();
    }
    prompts::suite(&state.prompt)
        .or_else(|| prompts::suite("classify"))
        .map(|s| s.prompts)
        .unwrap_or_default()
}

/// Builds the run from the URL state and the local settings; `Err` says what to fix.
pub fn build_spec(state: &LoadTestState, local: &LocalSettings) -> Result<RunSpec, String> {
    let base = state.url.trim();
    if !(base.starts_with("http://") || base.starts_with("https://")) {
        return Err("The base URL must start with http:// or https://".into());
    }
    let temperature = {
        let t = local.temperature.get_untracked();
        let t = t.trim();
        if t.is_empty() {
            None
        } else {
            match t.parse::<f64>() {
                Ok(x) if x.is_finite() && (0.0..=10.0).contains(&x) => Some(x),
                _ => {
                    return Err(format!(
                        "Temperature {t:?} is not a number between 0 and 10"
                    ))
                }
            }
        }
    };
    let max_tokens = if state.osl > 0 {
        state.osl
    } else {
        state.max_tokens
    };
    let request = RequestSettings {
        api: match state.api {
            Api::Chat => WireApi::Chat,
            Api::Completions => WireApi::Completions,
        },
        model: state.model.trim().to_owned(),
        max_tokens: Some(max_tokens),
        temperature,
        ignore_eos: local.ignore_eos.get_untracked() || state.osl > 0,
        ..RequestSettings::default()
    };
    let limits = Limits {
        max_requests: Some(u64::from(state.requests)),
        max_duration_ms: Some(f64::from(state.duration) * 1000.0),
        warmup_requests: u64::from(local.warmup.get_untracked()),
    };
    let closed = |users: u32| LoadModel::Closed {
        users,
        ramp_up_ms: 0.0,
        think_ms: 0.0,
    };
    let model = match state.mode {
        LoadMode::Users | LoadMode::Sweep => closed(state.users),
        LoadMode::Rate => LoadModel::Open {
            rate_per_s: state.rate,
            arrival: Arrival::Poisson,
            ramp_up_ms: 0.0,
            ramp_start_rps: 0.0,
            max_concurrency: None,
        },
    };
    let load = LoadPlan {
        model,
        limits,
        seed: 0,
    };
    load.validate().map_err(|e| e.to_string())?;
    let (sweep, steps) = match state.mode {
        LoadMode::Sweep => {
            let axis = SweepAxis::Users(doubling(state.users));
            let steps = sweep_steps(&load, &axis).map_err(|e| e.to_string())?;
            (Some(axis), steps)
        }
        LoadMode::Users => (None, vec![(f64::from(state.users), load)]),
        LoadMode::Rate => (None, vec![(state.rate, load)]),
    };
    let synthetic = (state.prompt == SYNTHETIC || state.isl > 0).then_some(IslOsl {
        isl: state.isl,
        osl: max_tokens,
    });
    let config = RunConfig {
        label: String::new(),
        base_url: base.to_owned(),
        api_key: local.api_key_value(),
        headers: Vec::new(),
        request,
        workload: Workload {
            suite: synthetic.is_none().then(|| state.prompt.clone()),
            synthetic,
            unique_prompts: local.unique_prompts.get_untracked(),
            ..Workload::default()
        },
        load,
        sweep,
        slo: Slo::default(),
    };
    Ok(RunSpec {
        config,
        steps,
        prompts: prompts_for(state),
        timeout_ms: f64::from(local.timeout_s.get_untracked().max(1)) * 1000.0,
        page_origin: page_origin(),
        engine: local.engine.get_untracked(),
    })
}

/// "exactly 8", "at most 72", "about 120", "an unknown number of" requests, summed over steps.
pub fn describe_total(spec: &RunSpec) -> String {
    let (mut n, mut kind) = (0u64, 0u8);
    for (_, p) in &spec.steps {
        let (m, k) = match p.total_requests() {
            RequestCount::Exact(m) => (m, 0),
            RequestCount::AtMost(m) => (m, 1),
            RequestCount::About(m) => (m, 2),
            RequestCount::Unknown => {
                return "an unknown number of requests (until the duration cap)".into()
            }
        };
        n += m;
        kind = kind.max(k);
    }
    let word = ["exactly", "at most", "about"]
        .get(usize::from(kind))
        .copied()
        .unwrap_or("about");
    let s = if n == 1 { "" } else { "s" };
    format!("{word} {n} request{s}")
}
