//! Settings that a link must not carry (API key) or that have no URL key, and the assembly of
//! a [`RunSpec`] from them and the URL state when Run is pressed.

use inferlab_loadtest::config::{clean_headers, parse_extra_body, Header, RunConfig, Workload};
use inferlab_loadtest::diagnose::Engine;
use inferlab_loadtest::openai::{Api as WireApi, ModelInfo, RequestSettings};
use inferlab_loadtest::prompts::{self, Prompt};
use inferlab_loadtest::schedule::{Arrival, Limits, LoadModel, LoadPlan, RequestCount};
use inferlab_loadtest::summary::Slo;
use inferlab_loadtest::sweep::{
    doubling, parse_f64_list, parse_matrix, parse_u32_list, sweep_steps, IslOsl, SweepAxis,
};
use inferlab_share::loadtest::{Api, ArrivalKind, LoadMode, LoadTestState, SweepOver};
use inferlab_tokenize::protocol::{Command, Payload};
use leptos::prelude::*;

use super::runner::RunSpec;
use crate::browser::tokenizer_worker::{self, Source};

/// Prompt id for exact-length synthetic prompts (with `isl`).
pub const SYNTHETIC: &str = "synthetic";
/// Prompt id for an uploaded JSONL file.
pub const JSONL: &str = "jsonl";
/// Most distinct synthetic prompts generated per run (picked round-robin).
const SYNTHETIC_PROMPTS: u64 = 64;

/// A JSONL upload: its file name and prompts.
#[derive(Debug, Clone, PartialEq)]
pub struct Upload {
    /// File name, kept in the export (the prompts are not).
    pub name: String,
    /// Parsed prompts.
    pub prompts: Vec<Prompt>,
}

/// In-memory form state outside the URL. The API key lives only here: never in the URL, an
/// export or storage. Extra headers and body fields live here too, because they may hold
/// credentials (exports keep only the ones that do not look secret).
#[derive(Clone, Copy)]
pub struct LocalSettings {
    /// API key (`Authorization: Bearer`), memory only.
    pub api_key: RwSignal<String>,
    /// Temperature as typed; empty = server default.
    pub temperature: RwSignal<String>,
    /// Send `ignore_eos` (fixed output length on vLLM/SGLang/llama.cpp).
    pub ignore_eos: RwSignal<bool>,
    /// `min_tokens` as typed; empty = not sent.
    pub min_tokens: RwSignal<String>,
    /// Extra JSON body fields as typed (a JSON object; empty = none).
    pub extra_body: RwSignal<String>,
    /// Extra header rows (empty names are skipped).
    pub headers: RwSignal<Vec<Header>>,
    /// The last JSONL upload that parsed.
    pub upload: RwSignal<Option<Upload>>,
    /// Outcome of the last upload: `Ok(summary)` or `Err(message naming the line)`.
    pub upload_msg: RwSignal<Option<Result<String, String>>>,
    /// Tokenizer / synthetic prompt progress, shown while Run prepares.
    pub synth_msg: RwSignal<Option<String>>,
    /// Token count of the first synthetic prompt, re-counted by the worker (`Count`).
    pub synth_tokens: RwSignal<Option<usize>>,
    /// Warm-up requests, excluded from statistics.
    pub warmup: RwSignal<u32>,
    /// Per-request time limit, s.
    pub timeout_s: RwSignal<u32>,
    /// Prefix prompts with a unique tag so prompt caches do not flatter TTFT.
    pub unique_prompts: RwSignal<bool>,
    /// Read streams in a dedicated worker, so a busy page does not delay the stamps.
    pub in_worker: RwSignal<bool>,
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
            min_tokens: RwSignal::new(String::new()),
            extra_body: RwSignal::new(String::new()),
            headers: RwSignal::new(Vec::new()),
            upload: RwSignal::new(None),
            upload_msg: RwSignal::new(None),
            synth_msg: RwSignal::new(None),
            synth_tokens: RwSignal::new(None),
            warmup: RwSignal::new(0),
            timeout_s: RwSignal::new(300),
            unique_prompts: RwSignal::new(true),
            in_worker: RwSignal::new(true),
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

/// The ISL × OSL cells of a matrix run (empty when `matrix` is empty).
pub fn matrix_cells(state: &LoadTestState) -> Result<Vec<IslOsl>, String> {
    if state.matrix.trim().is_empty() {
        return Ok(Vec::new());
    }
    parse_matrix(&state.matrix).map_err(|e| format!("ISL × OSL matrix: {e}"))
}

/// The sweep axis for `mode=sweep`: the typed steps, else 1, 2, 4 … up to users (or rate).
pub fn sweep_axis(state: &LoadTestState) -> Result<SweepAxis, String> {
    let typed = !state.steps.trim().is_empty();
    let err = |e: inferlab_loadtest::sweep::ListError| format!("Sweep steps: {e}");
    Ok(match state.sweep_over {
        SweepOver::Users if typed => SweepAxis::Users(parse_u32_list(&state.steps).map_err(err)?),
        SweepOver::Users => SweepAxis::Users(doubling(state.users)),
        SweepOver::Rate if typed => SweepAxis::Rates(parse_f64_list(&state.steps).map_err(err)?),
        SweepOver::Rate => SweepAxis::Rates(
            doubling(state.rate.ceil().max(1.0) as u32)
                .into_iter()
                .map(f64::from)
                .collect(),
        ),
    })
}

/// The goodput SLOs of the form.
pub fn slo_of(state: &LoadTestState) -> Slo {
    Slo {
        ttft_ms: state.slo_ttft,
        tpot_ms: state.slo_tpot,
        e2e_ms: state.slo_e2e,
    }
}

/// Prompts known without the tokenizer: a built-in suite or the upload; synthetic prompts
/// are made by [`prepare_prompts`].
fn prompts_for(state: &LoadTestState, local: &LocalSettings) -> Result<Vec<Prompt>, String> {
    if state.prompt == JSONL {
        return local
            .upload
            .get_untracked()
            .map(|u| u.prompts)
            .ok_or_else(|| "Prompts: choose a JSONL file to upload first".to_owned());
    }
    Ok(prompts::suite(&state.prompt)
        .or_else(|| prompts::suite("classify"))
        .map(|s| s.prompts)
        .unwrap_or_default())
}

/// Builds the run (or matrix cell `cell`) from the URL state and the local settings; `Err`
/// says what to fix. Synthetic prompts are left empty for [`prepare_prompts`].
pub fn build_spec(
    state: &LoadTestState,
    local: &LocalSettings,
    cell: Option<IslOsl>,
) -> Result<RunSpec, String> {
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
    let min_tokens = {
        let t = local.min_tokens.get_untracked();
        let t = t.trim();
        if t.is_empty() {
            None
        } else {
            Some(
                t.parse::<u32>()
                    .map_err(|_| format!("min_tokens {t:?} is not a whole number"))?,
            )
        }
    };
    let extra_body =
        parse_extra_body(&local.extra_body.get_untracked()).map_err(|e| e.to_string())?;
    let headers = clean_headers(&local.headers.get_untracked()).map_err(|e| e.to_string())?;
    let osl = cell.map_or(state.osl, |c| c.osl);
    let isl = cell.map_or(state.isl, |c| c.isl);
    let max_tokens = if osl > 0 { osl } else { state.max_tokens };
    let request = RequestSettings {
        api: match state.api {
            Api::Chat => WireApi::Chat,
            Api::Completions => WireApi::Completions,
        },
        model: state.model.trim().to_owned(),
        max_tokens: Some(max_tokens),
        temperature,
        ignore_eos: local.ignore_eos.get_untracked() || osl > 0,
        min_tokens,
        extra_body,
        ..RequestSettings::default()
    };
    let limits = Limits {
        max_requests: Some(u64::from(state.requests)),
        max_duration_ms: Some(f64::from(state.duration) * 1000.0),
        warmup_requests: u64::from(local.warmup.get_untracked()),
    };
    let ramp_up_ms = state.ramp * 1000.0;
    let closed = |users: u32| LoadModel::Closed {
        users,
        ramp_up_ms,
        think_ms: 0.0,
    };
    let open = |rate_per_s: f64| LoadModel::Open {
        rate_per_s,
        arrival: match state.arrival {
            ArrivalKind::Poisson => Arrival::Poisson,
            ArrivalKind::Constant => Arrival::Constant,
            ArrivalKind::Gamma => Arrival::Gamma {
                burstiness: state.burstiness,
            },
        },
        ramp_up_ms,
        ramp_start_rps: state.ramp_start,
        max_concurrency: state.max_concurrency,
    };
    let sweep_rate = state.mode == LoadMode::Sweep && state.sweep_over == SweepOver::Rate;
    let model = match state.mode {
        LoadMode::Users => closed(state.users),
        LoadMode::Sweep if !sweep_rate => closed(state.users),
        LoadMode::Rate | LoadMode::Sweep => open(state.rate),
    };
    let load = LoadPlan {
        model,
        limits,
        seed: 0,
    };
    load.validate().map_err(|e| e.to_string())?;
    let (sweep, steps) = match state.mode {
        LoadMode::Sweep => {
            let axis = sweep_axis(state)?;
            let steps = sweep_steps(&load, &axis).map_err(|e| e.to_string())?;
            (Some(axis), steps)
        }
        LoadMode::Users => (None, vec![(f64::from(state.users), load)]),
        LoadMode::Rate => (None, vec![(state.rate, load)]),
    };
    let synthetic =
        (cell.is_some() || state.prompt == SYNTHETIC || state.isl > 0).then_some(IslOsl {
            isl,
            osl: max_tokens,
        });
    if synthetic.is_some_and(|s| s.isl == 0) {
        return Err("Synthetic prompts: set ISL (input length in tokens) above 0".into());
    }
    let prompts = if synthetic.is_some() {
        Vec::new()
    } else {
        prompts_for(state, local)?
    };
    let upload_name = local
        .upload
        .with_untracked(|u| u.as_ref().map(|u| u.name.clone()));
    let config = RunConfig {
        label: String::new(),
        base_url: base.to_owned(),
        api_key: local.api_key_value(),
        headers,
        request,
        workload: Workload {
            suite: (synthetic.is_none() && state.prompt != JSONL).then(|| state.prompt.clone()),
            jsonl_name: (synthetic.is_none() && state.prompt == JSONL)
                .then_some(upload_name)
                .flatten(),
            synthetic,
            tokenizer: synthetic.map(|_| state.tok.clone()),
            matrix: matrix_cells(state)?,
            // A nonce would add tokens to an exact-length prompt; synthetic prompts are
            // distinct already.
            unique_prompts: synthetic.is_none() && local.unique_prompts.get_untracked(),
        },
        load,
        sweep,
        slo: slo_of(state),
    };
    Ok(RunSpec {
        config,
        steps,
        prompts,
        timeout_ms: f64::from(local.timeout_s.get_untracked().max(1)) * 1000.0,
        page_origin: page_origin(),
        engine: local.engine.get_untracked(),
        in_worker: local.in_worker.get_untracked(),
    })
}

/// Makes the synthetic prompts of `spec` (if it has a synthetic workload) with tokenizer
/// `tok` in the worker: each exactly `isl` tokens of text, distinct per seed, as many as
/// the run sends (at most [`SYNTHETIC_PROMPTS`]). Progress goes to `local.synth_msg`; the
/// first prompt is re-counted into `local.synth_tokens` so the page shows the exact length.
pub async fn prepare_prompts(
    spec: &mut RunSpec,
    tok: &str,
    local: &LocalSettings,
) -> Result<(), String> {
    let Some(IslOsl { isl, .. }) = spec.config.workload.synthetic else {
        return Ok(());
    };
    let base = crate::browser::base_path();
    let url = inferlab_tokenize::sources::tokenizer_url(tok, &base)
        .ok_or_else(|| format!("Tokenizer {tok:?}: not a bundled id, a Hub repo id or a URL"))?;
    let msg = local.synth_msg;
    msg.set(Some(format!("Loading tokenizer {tok}…")));
    let progress: tokenizer_worker::ProgressFn = Box::new(move |got, total| {
        let text = match total {
            Some(t) if t > 0 => format!(
                "Loading tokenizer… {:.0} % of {:.1} MB",
                100.0 * got as f64 / t as f64,
                t as f64 / 1e6
            ),
            _ => format!("Loading tokenizer… {:.1} MB", got as f64 / 1e6),
        };
        msg.try_set(Some(text));
    });
    let source = Source::Url {
        url,
        token: None,
        cache: !inferlab_tokenize::sources::is_bundled(tok),
    };
    tokenizer_worker::load(tok, source, Some(progress))
        .await
        .map_err(|e| {
            msg.set(None);
            format!("Tokenizer {tok}: {e}")
        })?;
    let per_step = spec.config.load.limits.warmup_requests
        + spec
            .config
            .load
            .limits
            .max_requests
            .unwrap_or(SYNTHETIC_PROMPTS);
    let n = (per_step * spec.steps.len() as u64).clamp(1, SYNTHETIC_PROMPTS);
    let mut out = Vec::with_capacity(n as usize);
    for seed in 0..n {
        msg.set(Some(format!(
            "Making synthetic prompts of {isl} tokens… {}/{n}",
            seed + 1
        )));
        let reply = tokenizer_worker::call(Command::Synthetic {
            key: tok.to_owned(),
            n: isl as usize,
            seed,
        })
        .await;
        match reply {
            Ok(Payload::Text { text }) => out.push(Prompt::user(text)),
            Ok(_) => return Err("unexpected reply from the tokenizer worker".into()),
            Err(e) => {
                msg.set(None);
                return Err(format!("Synthetic prompts: {e}"));
            }
        }
    }
    if let Some(first) = out.first().and_then(|p| p.messages.first()) {
        let counted = tokenizer_worker::call(Command::Count {
            key: tok.to_owned(),
            text: first.content.clone(),
        })
        .await;
        if let Ok(Payload::Counts { counts }) = counted {
            local.synth_tokens.set(Some(counts.tokens));
        }
    }
    msg.set(Some(format!(
        "{n} synthetic prompt{} of {isl} tokens ({tok})",
        if n == 1 { "" } else { "s" }
    )));
    spec.prompts = out;
    Ok(())
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
