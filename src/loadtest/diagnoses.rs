//! Problems found during a run, each with what to do about it (CORS switch per engine, the
//! HTTP/1.1 connection cap, throttled timers, HTTP errors), and the errors counted by kind.

use std::collections::BTreeMap;

use inferlab_loadtest::diagnose::{Diagnosis, Severity};
use leptos::prelude::*;

fn class(s: Severity) -> &'static str {
    match s {
        Severity::Info => "lt-diag info",
        Severity::Warning => "lt-diag warn",
        Severity::Error => "lt-diag bad",
    }
}

/// The diagnosis cards.
#[component]
pub fn Diagnoses(#[prop(into)] list: Signal<Vec<Diagnosis>>) -> impl IntoView {
    view! {
        <div class="lt-diags" data-testid="diagnoses" role="status" aria-live="polite">
            {move || {
                list.get()
                    .into_iter()
                    .map(|d| {
                        view! {
                            <div class=class(d.severity)>
                                <strong>{d.title.clone()}</strong>
                                <p>{d.detail.clone()}</p>
                                <ul>
                                    {d.fixes.iter().map(|f| view! { <li>{f.clone()}</li> }).collect_view()}
                                </ul>
                            </div>
                        }
                    })
                    .collect_view()
            }}
        </div>
    }
}

/// Failures by kind (`http_429: 3`, `dropped: 1`, …); nothing when there are none.
#[component]
pub fn ErrorsByKind(#[prop(into)] errors: Signal<BTreeMap<String, u64>>) -> impl IntoView {
    view! {
        <Show when=move || errors.with(|e| !e.is_empty())>
            <div class="card lt-errors" data-testid="errors-by-kind">
                <strong>"Errors by kind"</strong>
                <ul>
                    {move || {
                        errors
                            .get()
                            .into_iter()
                            .map(|(k, n)| view! { <li data-kind=k.clone()><code>{k.clone()}</code>": "{n}</li> })
                            .collect_view()
                    }}
                </ul>
            </div>
        </Show>
    }
}
