//! Run → confirmation (target URL and total number of requests) → Stop. The confirmation is
//! the only path to [`Runner::start`], so opening a shared link never sends a request.

use inferlab_share::loadtest::LoadTestState;
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::form::fetch_models;
use super::runner::{Phase, RunSpec, Runner};
use super::settings::{build_spec, describe_total, LocalSettings};
use crate::browser::query_state::QueryStateHandle;

/// Buttons, the confirmation step and the progress line.
#[component]
pub fn RunControls(
    q: QueryStateHandle<LoadTestState>,
    local: LocalSettings,
    runner: Runner,
) -> impl IntoView {
    let confirm: RwSignal<Option<RunSpec>> = RwSignal::new(None);
    let error: RwSignal<Option<String>> = RwSignal::new(None);
    let preparing = RwSignal::new(false);
    let on_run = move |_| {
        error.set(None);
        preparing.set(true);
        spawn_local(async move {
            // An empty model is filled from /v1/models (most engines reject "").
            let mut state = q.state.get_untracked();
            if state.model.trim().is_empty() {
                // Use the id directly: the URL (and so `q.state`) may update a tick later.
                if let Some(id) = fetch_models(q, local).await {
                    state.model = id;
                }
            }
            match build_spec(&state, &local) {
                Ok(spec) => confirm.set(Some(spec)),
                Err(e) => error.set(Some(e)),
            }
            preparing.set(false);
        });
    };
    let on_confirm = move |_| {
        if let Some(spec) = confirm.get_untracked() {
            confirm.set(None);
            runner.start(spec);
        }
    };
    let running = move || matches!(runner.phase.get(), Phase::Running | Phase::Stopping);
    let progress = move || {
        let phase = runner.phase.get();
        runner.live.with(|l| {
            let state = match phase {
                Phase::Idle => return String::new(),
                Phase::Running => "Running",
                Phase::Stopping => "Stopping",
                Phase::Finished => "Finished",
            };
            let step = if l.steps > 1 {
                format!(" · step {} of {}", l.step + 1, l.steps)
            } else {
                String::new()
            };
            format!(
                "{state}{step} · {:.1} s · launched {} · settled {} · in flight {}",
                l.elapsed_ms / 1000.0,
                l.launched,
                l.settled,
                l.in_flight
            )
        })
    };
    view! {
        <div class="lt-controls">
            <Show
                when=running
                fallback=move || {
                    view! {
                        <button
                            type="button"
                            class="primary"
                            data-testid="run"
                            disabled=move || preparing.get() || confirm.with(Option::is_some)
                            on:click=on_run
                        >
                            "Run"
                        </button>
                    }
                }
            >
                <button
                    type="button"
                    data-testid="stop"
                    disabled=move || runner.phase.get() == Phase::Stopping
                    on:click=move |_| runner.stop()
                >
                    "Stop"
                </button>
            </Show>
            <span class="muted" data-testid="run-status" data-phase=move || format!("{:?}", runner.phase.get()).to_lowercase()>
                {progress}
            </span>
        </div>
        {move || error.get().map(|e| view! { <p class="lt-diag bad" role="alert">{e}</p> })}
        {move || {
            confirm
                .get()
                .map(|spec| {
                    let total = describe_total(&spec);
                    let url = spec.config.url();
                    let auth = if spec.config.api_key.is_some() { " with your API key" } else { "" };
                    view! {
                        <div class="card lt-confirm" role="dialog" aria-label="Confirm the run" data-testid="confirm">
                            <p>
                                "Send " <strong>{total}</strong> " to " <code>{url}</code> {auth} "?"
                            </p>
                            <div class="lt-inline">
                                <button type="button" class="primary" data-testid="confirm-run" on:click=on_confirm>
                                    "Start the run"
                                </button>
                                <button type="button" data-testid="cancel-run" on:click=move |_| confirm.set(None)>
                                    "Cancel"
                                </button>
                            </div>
                        </div>
                    }
                })
        }}
    }
}
