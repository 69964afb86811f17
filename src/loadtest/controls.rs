//! Run → confirmation (target URL and total number of requests) → Stop. The confirmation is
//! the only path to [`Runner::start`], so opening a shared link never sends a request.

use inferlab_share::loadtest::LoadTestState;
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::form::fetch_models;
use super::matrix::{run_matrix, Matrix};
use super::runner::{Phase, RunSpec, Runner};
use super::settings::{build_spec, describe_total, matrix_cells, prepare_prompts, LocalSettings};
use crate::browser::query_state::QueryStateHandle;

/// Buttons, the confirmation step and the progress line.
#[component]
pub fn RunControls(
    q: QueryStateHandle<LoadTestState>,
    local: LocalSettings,
    runner: Runner,
    matrix: Matrix,
) -> impl IntoView {
    // The spec to confirm, with the state it came from and the matrix cells (empty: no
    // matrix), so a later edit of the form cannot change what was confirmed.
    let confirm: RwSignal<
        Option<(
            RunSpec,
            LoadTestState,
            Vec<inferlab_loadtest::sweep::IslOsl>,
        )>,
    > = RwSignal::new(None);
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
            let prepared = async {
                let cells = matrix_cells(&state)?;
                let mut spec = build_spec(&state, &local, cells.first().copied())?;
                prepare_prompts(&mut spec, &state.tok, &local).await?;
                Ok::<_, String>((spec, state.clone(), cells))
            };
            match prepared.await {
                Ok(c) => confirm.set(Some(c)),
                Err(e) => error.set(Some(e)),
            }
            preparing.set(false);
        });
    };
    let on_confirm = move |_| {
        if let Some((spec, state, cells)) = confirm.get_untracked() {
            confirm.set(None);
            if cells.is_empty() {
                matrix.holds_runner.set(false);
                runner.start(spec);
            } else {
                spawn_local(run_matrix(runner, matrix, state, local, cells, spec));
            }
        }
    };
    let running = move || {
        matrix.active.get() || matches!(runner.phase.get(), Phase::Running | Phase::Stopping)
    };
    let progress = move || {
        let phase = runner.phase.get();
        runner.live.with(|l| {
            let state = match phase {
                Phase::Idle => return String::new(),
                Phase::Running => "Running",
                Phase::Stopping => "Stopping",
                Phase::Finished => "Finished",
            };
            let cells = matrix.cells.with(Vec::len);
            let cell = if matrix.active.get() && cells > 0 {
                let done = matrix
                    .cells
                    .with(|c| c.iter().filter(|c| c.summary.is_some()).count());
                format!(" · cell {} of {cells}", (done + 1).min(cells))
            } else {
                String::new()
            };
            let step = if l.steps > 1 {
                format!(" · step {} of {}", l.step + 1, l.steps)
            } else {
                String::new()
            };
            format!(
                "{state}{cell}{step} · {:.1} s · launched {} · settled {} · in flight {}",
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
                    on:click=move |_| {
                        matrix.cancel.set(true);
                        runner.stop();
                    }
                >
                    "Stop"
                </button>
            </Show>
            <span class="muted" data-testid="run-status" data-phase=move || format!("{:?}", runner.phase.get()).to_lowercase()>
                {progress}
            </span>
            <span class="muted small" role="status" data-testid="synth-status">
                {move || local.synth_msg.get().unwrap_or_default()}
            </span>
        </div>
        {move || error.get().map(|e| view! { <p class="lt-diag bad" role="alert">{e}</p> })}
        {move || {
            confirm
                .get()
                .map(|(spec, _, cells)| {
                    let mut total = describe_total(&spec);
                    if !cells.is_empty() {
                        let list: Vec<String> =
                            cells.iter().map(|c| format!("{}×{}", c.isl, c.osl)).collect();
                        total = format!(
                            "{total} in each of {} ISL × OSL cells ({})",
                            cells.len(),
                            list.join(", ")
                        );
                    }
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
