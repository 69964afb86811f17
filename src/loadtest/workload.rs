//! The rest of the form: load model details (arrival, ramp-up, concurrency cap, sweep
//! steps), prompt sources (JSONL upload, tokenizer for synthetic prompts, ISL × OSL
//! matrix), request settings (`min_tokens`, extra body fields and headers) and goodput SLOs.
//! Fields with a URL key write the URL state; headers and body fields stay in memory
//! because they may carry credentials.

use inferlab_loadtest::config::{is_secret_header, parse_extra_body, Header};
use inferlab_loadtest::prompts::parse_jsonl;
use inferlab_share::loadtest::{ArrivalKind, LoadMode, LoadTestState, SweepOver};
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

use super::form::UrlNumber;
use super::settings::{matrix_cells, sweep_axis, LocalSettings, Upload, JSONL, SYNTHETIC};
use crate::app::ChoiceField;
use crate::browser::query_state::QueryStateHandle;

/// Largest JSONL file read, bytes (it is held in memory and sent request by request).
const MAX_UPLOAD_BYTES: f64 = 64.0 * 1024.0 * 1024.0;

fn parse_pos(v: &str) -> Option<f64> {
    v.parse::<f64>().ok().filter(|x| x.is_finite() && *x >= 0.0)
}

/// An optional number of the URL state: empty clears it.
#[component]
fn OptNumber(
    q: QueryStateHandle<LoadTestState>,
    id: &'static str,
    label: &'static str,
    get: fn(&LoadTestState) -> Option<f64>,
    set: fn(&mut LoadTestState, Option<f64>),
    #[prop(optional)] hint: &'static str,
    #[prop(optional)] placeholder: &'static str,
) -> impl IntoView {
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <input
                id=id
                type="number"
                min="0"
                step="any"
                title=hint
                placeholder=placeholder
                prop:value=move || q.state.with(get).map(|v| v.to_string()).unwrap_or_default()
                on:change=move |ev| {
                    let v = event_target_value(&ev);
                    let v = v.trim();
                    let mut s = q.state.get_untracked();
                    if v.is_empty() {
                        set(&mut s, None);
                    } else if let Some(x) = parse_pos(v).filter(|x| *x > 0.0) {
                        set(&mut s, Some(x));
                    } else {
                        return;
                    }
                    q.set(s);
                }
            />
        </div>
    }
}

/// A list field (steps, matrix) with its parse problem shown inline.
#[component]
fn ListField(
    q: QueryStateHandle<LoadTestState>,
    id: &'static str,
    label: &'static str,
    placeholder: &'static str,
    hint: &'static str,
    get: fn(&LoadTestState) -> String,
    set: fn(&mut LoadTestState, String),
    check: fn(&LoadTestState) -> Option<String>,
) -> impl IntoView {
    let problem = Memo::new(move |_| q.state.with(check));
    view! {
        <div class="field wide2">
            <label for=id>{label}</label>
            <input
                id=id
                placeholder=placeholder
                title=hint
                aria-invalid=move || problem.with(Option::is_some).to_string()
                prop:value=move || q.state.with(get)
                on:change=move |ev| {
                    let v = event_target_value(&ev).trim().to_owned();
                    // Keep only list characters: the link stays valid whatever was typed.
                    let v: String = v.chars().filter(|c| c.is_ascii_digit() || " ,;.|:xX".contains(*c)).collect();
                    q.update(|s| set(s, v));
                }
            />
            <span class="muted small">{hint}</span>
            {move || problem.get().map(|p| view! { <span class="lt-bad small" role="alert" data-testid=format!("{id}-error")>{p}</span> })}
        </div>
    }
}

/// Load model details, shown for the modes they apply to.
#[component]
fn LoadModelFields(q: QueryStateHandle<LoadTestState>) -> impl IntoView {
    let state = q.state;
    let mode = Memo::new(move |_| state.with(|s| s.mode));
    let open = Memo::new(move |_| {
        state.with(|s| {
            s.mode == LoadMode::Rate
                || (s.mode == LoadMode::Sweep && s.sweep_over == SweepOver::Rate)
        })
    });
    let gamma = Memo::new(move |_| state.with(|s| s.arrival == ArrivalKind::Gamma));
    view! {
        <Show when=move || open.get()>
            <ChoiceField
                id="lt-arrival"
                label="Arrival"
                choices=&ArrivalKind::CHOICES
                label_of=|a| match a {
                    ArrivalKind::Poisson => "Poisson (exponential gaps)",
                    ArrivalKind::Constant => "constant (even gaps)",
                    ArrivalKind::Gamma => "gamma (burstiness)",
                }
                value=Signal::derive(move || state.with(|s| s.arrival))
                on_value=Callback::new(move |a| q.update(|s| s.arrival = a))
            />
            <Show when=move || gamma.get()>
                <UrlNumber
                    q=q
                    id="lt-burstiness"
                    label="Burstiness"
                    hint="Gamma shape, as vllm bench serve's --burstiness: below 1 burstier than Poisson, 1 = Poisson, above 1 more even."
                    get=|s| s.burstiness.to_string()
                    set=|s, v| parse_pos(v).filter(|x| *x >= 0.001).map(|x| s.burstiness = x.min(1000.0)).is_some()
                />
            </Show>
            <OptNumber
                q=q
                id="lt-max-concurrency"
                label="Max concurrency"
                placeholder="no cap"
                hint="Most requests in flight; later arrivals wait for a free slot (vllm bench serve's --max-concurrency)."
                get=|s| s.max_concurrency.map(f64::from)
                set=|s, v| s.max_concurrency = v.map(|x| x.round().clamp(1.0, 100_000.0) as u32)
            />
            <UrlNumber
                q=q
                id="lt-ramp-start"
                label="Ramp start (req/s)"
                min="0"
                hint="Rate at the start of the ramp-up; it climbs linearly to the target rate."
                get=|s| s.ramp_start.to_string()
                set=|s, v| parse_pos(v).map(|x| s.ramp_start = x.min(100_000.0)).is_some()
            />
        </Show>
        <UrlNumber
            q=q
            id="lt-ramp"
            label="Ramp-up (s)"
            min="0"
            hint="Closed loop: users join evenly over this time. Open loop: the rate climbs from the ramp start to the target over it. 0 = none."
            get=|s| s.ramp.to_string()
            set=|s, v| parse_pos(v).map(|x| s.ramp = x.min(86_400.0)).is_some()
        />
        <Show when=move || mode.get() == LoadMode::Sweep>
            <ChoiceField
                id="lt-sweep-over"
                label="Sweep over"
                choices=&SweepOver::CHOICES
                label_of=|a| match a {
                    SweepOver::Users => "users (closed loop)",
                    SweepOver::Rate => "rates (open loop)",
                }
                value=Signal::derive(move || state.with(|s| s.sweep_over))
                on_value=Callback::new(move |a| q.update(|s| s.sweep_over = a))
            />
            <ListField
                q=q
                id="lt-steps"
                label="Steps"
                placeholder="1,2,4,8,16,32"
                hint="One run per value, in order; empty = 1, 2, 4 … up to users (or rate)."
                get=|s| s.steps.clone()
                set=|s, v| s.steps = v
                check=|s| sweep_axis(s).err()
            />
        </Show>
    }
}

/// Reads the picked JSONL file and parses it; the message names a bad line.
fn on_upload(local: LocalSettings, q: QueryStateHandle<LoadTestState>, ev: web_sys::Event) {
    let Some(input) = ev
        .target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
    else {
        return;
    };
    let Some(file) = input.files().and_then(|f| f.get(0)) else {
        return;
    };
    let name = file.name();
    if file.size() > MAX_UPLOAD_BYTES {
        local.upload_msg.set(Some(Err(format!(
            "{name}: {:.0} MB is more than the {:.0} MB this page reads",
            file.size() / 1e6,
            MAX_UPLOAD_BYTES / 1e6
        ))));
        return;
    }
    local.upload_msg.set(Some(Ok(format!("Reading {name}…"))));
    spawn_local(async move {
        let text = wasm_bindgen_futures::JsFuture::from(file.text())
            .await
            .ok()
            .and_then(|v| v.as_string());
        let Some(text) = text else {
            local
                .upload_msg
                .set(Some(Err(format!("{name}: could not be read as text"))));
            return;
        };
        match parse_jsonl(&text) {
            Ok(prompts) => {
                let n = prompts.len();
                local.upload_msg.set(Some(Ok(format!(
                    "{name}: {n} prompt{}",
                    if n == 1 { "" } else { "s" }
                ))));
                local.upload.set(Some(Upload { name, prompts }));
                if q.state.with_untracked(|s| s.prompt != JSONL) {
                    q.update(|s| s.prompt = JSONL.into());
                }
            }
            // The previous upload (if any) is kept: bad input loses nothing.
            Err(e) => local.upload_msg.set(Some(Err(format!("{name}: {e}")))),
        }
    });
}

/// Prompt sources beyond the built-in suites.
#[component]
fn PromptFields(q: QueryStateHandle<LoadTestState>, local: LocalSettings) -> impl IntoView {
    let state = q.state;
    let synthetic = Memo::new(move |_| {
        state.with(|s| s.prompt == SYNTHETIC || s.isl > 0 || !s.matrix.trim().is_empty())
    });
    view! {
        <div class="field wide2">
            <label for="lt-jsonl">"JSONL prompts"</label>
            <input
                id="lt-jsonl"
                type="file"
                accept=".jsonl,.json,.txt,application/jsonl,application/json,text/plain"
                title="One prompt per line: a JSON string, {\"prompt\": …}, {\"messages\": [{\"role\", \"content\"}…]} or a list of messages."
                on:change=move |ev| on_upload(local, q, ev)
            />
            {move || {
                local
                    .upload_msg
                    .get()
                    .map(|m| match m {
                        Ok(t) => view! { <span class="muted small" role="status" data-testid="jsonl-status">{t}</span> }.into_any(),
                        Err(e) => view! { <span class="lt-bad small" role="alert" data-testid="jsonl-error">{e}</span> }.into_any(),
                    })
            }}
        </div>
        <div class="field">
            <label for="lt-tok">"Tokenizer (synthetic)"</label>
            <input
                id="lt-tok"
                list="lt-toks"
                title="Counts the tokens of synthetic prompts: a bundled id, a Hugging Face repo id (org/name) or a tokenizer.json URL. Use the served model's tokenizer for an exact ISL."
                prop:value=move || state.get().tok
                on:change=move |ev| {
                    let v = event_target_value(&ev).trim().to_owned();
                    if !v.is_empty() {
                        q.update(|s| s.tok = v);
                    }
                }
            />
            <datalist id="lt-toks">
                {inferlab_tokenize::sources::BUNDLED
                    .iter()
                    .map(|(id, name)| view! { <option value=*id>{*name}</option> })
                    .collect_view()}
            </datalist>
            <Show when=move || synthetic.get() && local.synth_tokens.get().is_some()>
                <span class="muted small" data-testid="synthetic-tokens" data-value=move || local.synth_tokens.get().map(|n| n.to_string()).unwrap_or_default()>
                    {move || format!("first prompt: {} tokens", local.synth_tokens.get().unwrap_or(0))}
                </span>
            </Show>
        </div>
        <ListField
            q=q
            id="lt-matrix"
            label="ISL × OSL matrix"
            placeholder="2048x128,32768x2048"
            hint="Optional: one run per ISL×OSL cell with synthetic prompts (ignore_eos on), one after another."
            get=|s| s.matrix.clone()
            set=|s, v| s.matrix = v
            check=|s| matrix_cells(s).err()
        />
    }
}

/// `min_tokens`, extra body fields and headers.
#[component]
fn RequestFields(local: LocalSettings) -> impl IntoView {
    let body_problem = Memo::new(move |_| {
        local
            .extra_body
            .with(|t| parse_extra_body(t).err().map(|e| e.to_string()))
    });
    let add_row = move |_| {
        local.headers.update(|h| {
            h.push(Header {
                name: String::new(),
                value: String::new(),
            })
        })
    };
    view! {
        <div class="field">
            <label for="lt-min-tokens">"min_tokens"</label>
            <input
                id="lt-min-tokens"
                type="number"
                min="0"
                placeholder="not sent"
                title="vLLM extension: generate at least this many tokens."
                prop:value=move || local.min_tokens.get()
                on:input=move |ev| local.min_tokens.set(event_target_value(&ev))
            />
        </div>
        <div class="field wide2 lt-span-rows">
            <label for="lt-extra-body">"Extra JSON body fields"</label>
            <textarea
                id="lt-extra-body"
                rows="3"
                spellcheck="false"
                placeholder="{\"top_p\": 0.9, \"seed\": 1}"
                title="A JSON object merged into every request body. Kept in memory only; exports keep the fields whose names do not look secret."
                aria-invalid=move || body_problem.with(Option::is_some).to_string()
                prop:value=move || local.extra_body.get()
                on:input=move |ev| local.extra_body.set(event_target_value(&ev))
            ></textarea>
            {move || body_problem.get().map(|p| view! { <span class="lt-bad small" role="alert" data-testid="extra-body-error">{p}</span> })}
        </div>
        <div class="field wide">
            <span class="lt-label">"Extra headers"</span>
            <div class="lt-headers" data-testid="extra-headers">
                {move || {
                    let n = local.headers.with(Vec::len);
                    (0..n)
                        .map(|i| {
                            let get = move |f: fn(&Header) -> String| {
                                move || local.headers.with(|h| h.get(i).map(f).unwrap_or_default())
                            };
                            let secret = move || local.headers.with(|h| h.get(i).is_some_and(|x| is_secret_header(&x.name)));
                            view! {
                                <div class="lt-inline">
                                    <input
                                        aria-label=format!("Header {} name", i + 1)
                                        placeholder="X-Header-Name"
                                        prop:value=get(|h| h.name.clone())
                                        on:input=move |ev| {
                                            let v = event_target_value(&ev);
                                            local.headers.update(|h| if let Some(x) = h.get_mut(i) { x.name = v; });
                                        }
                                    />
                                    <input
                                        aria-label=format!("Header {} value", i + 1)
                                        placeholder="value"
                                        prop:r#type=move || if secret() { "password" } else { "text" }
                                        autocomplete="off"
                                        prop:value=get(|h| h.value.clone())
                                        on:input=move |ev| {
                                            let v = event_target_value(&ev);
                                            local.headers.update(|h| if let Some(x) = h.get_mut(i) { x.value = v; });
                                        }
                                    />
                                    <button
                                        type="button"
                                        aria-label=format!("Remove header {}", i + 1)
                                        on:click=move |_| local.headers.update(|h| { if i < h.len() { h.remove(i); } })
                                    >
                                        "×"
                                    </button>
                                </div>
                            }
                        })
                        .collect_view()
                }}
                <div class="lt-inline">
                    <button type="button" data-testid="add-header" on:click=add_row>"Add header"</button>
                    <span class="muted small">
                        "Sent with every request (non-standard headers make the browser send a CORS preflight). Kept in memory only; secret-looking ones (key, token, auth…) never reach the link, exports or storage."
                    </span>
                </div>
            </div>
        </div>
    }
}

/// Goodput SLO inputs.
#[component]
fn SloFields(q: QueryStateHandle<LoadTestState>) -> impl IntoView {
    view! {
        <OptNumber
            q=q
            id="lt-slo-ttft"
            label="SLO TTFT (ms)"
            placeholder="none"
            hint="Goodput counts requests whose TTFT is at most this."
            get=|s| s.slo_ttft
            set=|s, v| s.slo_ttft = v
        />
        <OptNumber
            q=q
            id="lt-slo-tpot"
            label="SLO TPOT (ms)"
            placeholder="none"
            hint="Goodput counts requests whose time per output token is at most this."
            get=|s| s.slo_tpot
            set=|s, v| s.slo_tpot = v
        />
        <OptNumber
            q=q
            id="lt-slo-e2e"
            label="SLO E2E (ms)"
            placeholder="none"
            hint="Goodput counts requests whose end-to-end latency is at most this."
            get=|s| s.slo_e2e
            set=|s, v| s.slo_e2e = v
        />
    }
}

/// The workload, request and SLO settings, under the main form.
#[component]
pub fn WorkloadForm(
    q: QueryStateHandle<LoadTestState>,
    local: LocalSettings,
    #[prop(into)] disabled: Signal<bool>,
) -> impl IntoView {
    view! {
        <fieldset class="card lt-form" prop:disabled=move || disabled.get() data-testid="load-model">
            <legend class="muted">"Load model and prompts"</legend>
            <LoadModelFields q=q />
            <PromptFields q=q local=local />
        </fieldset>
        <fieldset class="card lt-form" prop:disabled=move || disabled.get()>
            <legend class="muted">"Request settings and goodput SLOs"</legend>
            <SloFields q=q />
            <RequestFields local=local />
        </fieldset>
    }
}
