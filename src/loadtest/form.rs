//! The run form: fields with a URL key write the URL state (so a link reproduces the setup),
//! the rest live in [`LocalSettings`]. Nothing here starts a run.

use inferlab_loadtest::config::RunConfig;
use inferlab_loadtest::diagnose::guess_engine;
use inferlab_loadtest::openai::{endpoint_url, parse_models};
use inferlab_loadtest::prompts::suite_ids;
use inferlab_share::loadtest::{Api, LoadMode, LoadTestState};
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::settings::{LocalSettings, JSONL, SYNTHETIC};
use crate::app::ChoiceField;
use crate::browser::query_state::QueryStateHandle;
use crate::browser::stream::get_text;

/// Fetches `GET /v1/models` into `local.models` (and guesses the engine); fills the model
/// field with the first id when it is empty. Returns the first id.
pub async fn fetch_models(
    q: QueryStateHandle<LoadTestState>,
    local: LocalSettings,
) -> Option<String> {
    let state = q.state.get_untracked();
    let url = endpoint_url(&state.url, "models");
    let cfg = RunConfig {
        api_key: local.api_key_value(),
        headers: Vec::new(),
        ..placeholder_config(&state.url)
    };
    // Only the Authorization header: a GET needs no Content-Type (and so no preflight
    // without a key).
    let headers: Vec<_> = cfg
        .request_headers()
        .into_iter()
        .filter(|h| h.name.eq_ignore_ascii_case("authorization"))
        .collect();
    local.models_msg.set(Some("Fetching models…".into()));
    let result = get_text(&url, &headers).await;
    match result {
        Ok((status, body)) if (200..300).contains(&status) => match parse_models(&body) {
            Ok(models) => {
                local.engine.set(Some(guess_engine(
                    &state.url,
                    models.first().and_then(|m| m.owned_by.as_deref()),
                )));
                let first = models.first().map(|m| m.id.clone());
                local.models_msg.set(Some(format!(
                    "{} model{} found",
                    models.len(),
                    if models.len() == 1 { "" } else { "s" }
                )));
                local.models.set(models);
                if let Some(id) = &first {
                    if q.state.get_untracked().model.trim().is_empty() {
                        let id = id.clone();
                        q.update(|s| s.model = id);
                    }
                }
                first
            }
            Err(e) => {
                local.models_msg.set(Some(e.to_string()));
                None
            }
        },
        Ok((status, _)) => {
            local
                .models_msg
                .set(Some(format!("GET {url} answered HTTP {status}")));
            None
        }
        Err(e) => {
            local.models_msg.set(Some(format!(
                "{e} (unreachable, or the server does not allow this page's origin: see CORS below after a run)"
            )));
            None
        }
    }
}

fn placeholder_config(base: &str) -> RunConfig {
    use inferlab_loadtest::schedule::{Limits, LoadModel, LoadPlan};
    RunConfig {
        label: String::new(),
        base_url: base.to_owned(),
        api_key: None,
        headers: Vec::new(),
        request: Default::default(),
        workload: Default::default(),
        load: LoadPlan {
            model: LoadModel::Closed {
                users: 1,
                ramp_up_ms: 0.0,
                think_ms: 0.0,
            },
            limits: Limits::default(),
            seed: 0,
        },
        sweep: None,
        slo: Default::default(),
    }
}

/// A number input bound to a number of the URL state (committed on change).
#[component]
pub(super) fn UrlNumber(
    q: QueryStateHandle<LoadTestState>,
    id: &'static str,
    label: &'static str,
    get: fn(&LoadTestState) -> String,
    set: fn(&mut LoadTestState, &str) -> bool,
    #[prop(optional)] hint: &'static str,
    #[prop(optional)] min: &'static str,
) -> impl IntoView {
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <input
                id=id
                type="number"
                min=min
                step="any"
                title=hint
                prop:value=move || q.state.with(get)
                on:change=move |ev| {
                    let v = event_target_value(&ev);
                    let mut s = q.state.get_untracked();
                    if set(&mut s, v.trim()) {
                        q.set(s);
                    }
                }
            />
        </div>
    }
}

fn parse_u32(v: &str, lo: u32) -> Option<u32> {
    v.parse::<u32>().ok().filter(|n| *n >= lo)
}

/// The form.
#[component]
pub fn RunForm(
    q: QueryStateHandle<LoadTestState>,
    local: LocalSettings,
    #[prop(into)] disabled: Signal<bool>,
) -> impl IntoView {
    let state = q.state;
    let prompt_options: Vec<String> = suite_ids()
        .into_iter()
        .chain([SYNTHETIC.to_owned(), JSONL.to_owned()])
        .collect();
    let fetching = RwSignal::new(false);
    let on_fetch = move |_| {
        fetching.set(true);
        spawn_local(async move {
            fetch_models(q, local).await;
            fetching.set(false);
        });
    };
    view! {
        <fieldset class="card lt-form" prop:disabled=move || disabled.get()>
            <legend class="muted">"Target"</legend>
            <div class="field wide2">
                <label for="lt-url">"Base URL"</label>
                <input
                    id="lt-url"
                    type="url"
                    placeholder="http://127.0.0.1:8000"
                    prop:value=move || state.get().url
                    on:change=move |ev| {
                        let v = event_target_value(&ev).trim().to_owned();
                        q.update(|s| s.url = v);
                    }
                />
            </div>
            <ChoiceField
                id="lt-api"
                label="API"
                choices=&Api::CHOICES
                label_of=|a| match a {
                    Api::Chat => "chat/completions",
                    Api::Completions => "completions",
                }
                value=Signal::derive(move || state.with(|s| s.api))
                on_value=Callback::new(move |a| q.update(|s| s.api = a))
            />
            <div class="field">
                <label for="lt-key">"API key"</label>
                <input
                    id="lt-key"
                    type="password"
                    autocomplete="off"
                    placeholder="optional, kept in memory only"
                    title="Sent as Authorization: Bearer …; never put in the URL, exports or storage. It makes the browser send a CORS preflight."
                    prop:value=move || local.api_key.get()
                    on:input=move |ev| local.api_key.set(event_target_value(&ev))
                />
            </div>
            <div class="field wide2">
                <label for="lt-model">"Model"</label>
                <div class="lt-inline">
                    <input
                        id="lt-model"
                        list="lt-models"
                        placeholder="from /v1/models (filled on Run if empty)"
                        prop:value=move || state.get().model
                        on:change=move |ev| {
                            let v = event_target_value(&ev).trim().to_owned();
                            q.update(|s| s.model = v);
                        }
                    />
                    <datalist id="lt-models">
                        {move || {
                            local
                                .models
                                .get()
                                .into_iter()
                                .map(|m| view! { <option value=m.id.clone()>{m.owned_by.clone().unwrap_or_default()}</option> })
                                .collect_view()
                        }}
                    </datalist>
                    <button type="button" data-testid="fetch-models" on:click=on_fetch disabled=move || fetching.get()>
                        "Fetch models"
                    </button>
                </div>
                <span class="muted small" role="status">{move || local.models_msg.get().unwrap_or_default()}</span>
            </div>
            <div class="field wide2">
                <label for="lt-prompt">"Prompts"</label>
                <select
                    id="lt-prompt"
                    on:change=move |ev| {
                        let v = event_target_value(&ev);
                        q.update(|s| s.prompt = v);
                    }
                >
                    {prompt_options
                        .into_iter()
                        .map(|id| {
                            let id2 = id.clone();
                            let label = if id == SYNTHETIC {
                                "synthetic (exact input length in tokens, see ISL)".to_owned()
                            } else if id == JSONL {
                                "uploaded JSONL file (below)".to_owned()
                            } else {
                                id.clone()
                            };
                            view! { <option value=id selected=move || state.get().prompt == id2>{label}</option> }
                        })
                        .collect_view()}
                </select>
            </div>

            <ChoiceField
                id="lt-mode"
                label="Load"
                choices=&LoadMode::CHOICES
                label_of=|m| match m {
                    LoadMode::Users => "users (closed loop)",
                    LoadMode::Rate => "rate (open loop)",
                    LoadMode::Sweep => "sweep (users or rates)",
                }
                value=Signal::derive(move || state.with(|s| s.mode))
                on_value=Callback::new(move |m| q.update(|s| s.mode = m))
            />
            <UrlNumber
                q=q
                id="lt-users"
                label="Concurrent users"
                min="1"
                hint="Closed loop: each user sends its next request when the previous one ends. Sweep: the largest step."
                get=|s| s.users.to_string()
                set=|s, v| parse_u32(v, 1).map(|n| s.users = n.min(4096)).is_some()
            />
            <UrlNumber
                q=q
                id="lt-rate"
                label="Rate (requests/s)"
                hint="Open loop: arrivals at this mean rate (see Arrival), whatever the server does."
                get=|s| s.rate.to_string()
                set=|s, v| {
                    v.parse::<f64>()
                        .ok()
                        .filter(|x| x.is_finite() && *x > 0.0)
                        .map(|x| s.rate = x.min(100_000.0))
                        .is_some()
                }
            />
            <UrlNumber
                q=q
                id="lt-requests"
                label="Max requests"
                min="1"
                hint="Measured requests per run (per step in a sweep); warm-ups come on top."
                get=|s| s.requests.to_string()
                set=|s, v| parse_u32(v, 1).map(|n| s.requests = n.min(1_000_000)).is_some()
            />
            <UrlNumber
                q=q
                id="lt-duration"
                label="Max duration (s)"
                min="1"
                hint="No launch after this; requests still running then are aborted."
                get=|s| s.duration.to_string()
                set=|s, v| parse_u32(v, 1).map(|n| s.duration = n.min(86_400)).is_some()
            />
            <UrlNumber
                q=q
                id="lt-max-tokens"
                label="max_tokens"
                min="1"
                get=|s| s.max_tokens.to_string()
                set=|s, v| parse_u32(v, 1).map(|n| s.max_tokens = n).is_some()
            />
            <UrlNumber
                q=q
                id="lt-isl"
                label="ISL (tokens)"
                min="0"
                hint="Synthetic prompts of exactly this many input tokens, counted by the tokenizer below (0 = the prompt source above)."
                get=|s| s.isl.to_string()
                set=|s, v| parse_u32(v, 0).map(|n| s.isl = n).is_some()
            />
            <UrlNumber
                q=q
                id="lt-osl"
                label="OSL (tokens)"
                min="0"
                hint="Fixed output length: sets max_tokens and ignore_eos (0 = use max_tokens)."
                get=|s| s.osl.to_string()
                set=|s, v| parse_u32(v, 0).map(|n| s.osl = n).is_some()
            />
            <div class="field">
                <label for="lt-temp">"Temperature"</label>
                <input
                    id="lt-temp"
                    inputmode="decimal"
                    placeholder="server default"
                    prop:value=move || local.temperature.get()
                    on:input=move |ev| local.temperature.set(event_target_value(&ev))
                />
            </div>
            <div class="field">
                <label for="lt-warmup">"Warm-up requests"</label>
                <input
                    id="lt-warmup"
                    type="number"
                    min="0"
                    title="Sent first and excluded from the statistics."
                    prop:value=move || local.warmup.get().to_string()
                    on:change=move |ev| {
                        if let Ok(n) = event_target_value(&ev).trim().parse::<u32>() {
                            local.warmup.set(n.min(10_000));
                        }
                    }
                />
            </div>
            <div class="field">
                <label for="lt-timeout">"Request timeout (s)"</label>
                <input
                    id="lt-timeout"
                    type="number"
                    min="1"
                    prop:value=move || local.timeout_s.get().to_string()
                    on:change=move |ev| {
                        if let Ok(n) = event_target_value(&ev).trim().parse::<u32>() {
                            local.timeout_s.set(n.clamp(1, 86_400));
                        }
                    }
                />
            </div>
            <div class="field lt-checks">
                <label>
                    <input
                        type="checkbox"
                        prop:checked=move || local.ignore_eos.get()
                        on:change=move |ev| local.ignore_eos.set(event_target_checked(&ev))
                    />
                    " ignore_eos"
                </label>
                <label title="Prefix each prompt with a request-unique tag so prompt caches do not shorten TTFT.">
                    <input
                        type="checkbox"
                        prop:checked=move || local.unique_prompts.get()
                        on:change=move |ev| local.unique_prompts.set(event_target_checked(&ev))
                    />
                    " unique prompts"
                </label>
                <label title="Fetch and read the streams in a dedicated worker: its time stamps do not wait for a busy page (launching many requests, drawing charts). Off: everything runs on the page.">
                    <input
                        type="checkbox"
                        prop:checked=move || local.in_worker.get()
                        on:change=move |ev| local.in_worker.set(event_target_checked(&ev))
                    />
                    " read streams in a worker"
                </label>
            </div>
        </fieldset>
    }
}
