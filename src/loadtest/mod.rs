//! The streaming load tester (issue #5): OpenAI-compatible streaming requests from this tab,
//! measured with `performance.now()` and summarised live by the pure `inferlab-loadtest`
//! core. Layout: form (URL state + memory-only settings) → Run / confirm / Stop → summary
//! table, diagnoses, charts, sweep table, export, comparison with imported runs.

mod chart_draw;
mod charts;
mod compare;
mod controls;
mod diagnoses;
mod export;
mod form;
mod matrix;
mod runner;
mod settings;
mod summary_table;
mod sweep_table;
mod workload;

use inferlab_share::loadtest::LoadTestState;
use leptos::prelude::*;
use leptos_meta::Title;

use crate::app::{CopyLink, QueryNotice};
use crate::browser::query_state::use_query_state;
use charts::LiveCharts;
use controls::RunControls;
use diagnoses::{Diagnoses, ErrorsByKind};
use export::ExportButtons;
use form::RunForm;
use matrix::{Matrix, MatrixTable};
use runner::Runner;
use settings::LocalSettings;
use summary_table::SummaryTable;
use sweep_table::SweepTable;
use workload::WorkloadForm;

/// `/loadtest`.
#[component]
pub fn LoadTestPage() -> impl IntoView {
    let q = use_query_state::<LoadTestState>();
    let local = LocalSettings::new();
    let runner = Runner::new();
    // Leaving the page stops the run: nothing keeps hammering a server from a hidden view.
    on_cleanup(move || runner.stop());
    let live = runner.live;
    let matrix = Matrix::new();
    // Stop a matrix too when leaving: no further cell starts.
    on_cleanup(move || {
        matrix.cancel.try_set(true);
    });
    let busy = Signal::derive(move || runner.busy() || matrix.active.get());
    view! {
        <Title text="Load test · InferLab" />
        <section class="page loadtest">
            <div class="page-head">
                <div>
                    <h1>"Streaming load test"</h1>
                    <p>"OpenAI-compatible streaming requests from this tab to your endpoint: TTFT, inter-token latency, tokens/s per user and in total."</p>
                </div>
                <CopyLink />
            </div>
            <QueryNotice problems=q.problems />
            <RunForm q=q local=local disabled=busy />
            <WorkloadForm q=q local=local disabled=busy />
            <p class="muted small">
                "A shared link fills this form but never starts a run. The API key stays in this tab's memory: it is not put in the link, exports or storage."
            </p>
            <RunControls q=q local=local runner=runner matrix=matrix />
            <Diagnoses list=Signal::derive(move || live.with(|l| l.diagnoses.clone())) />
            <SummaryTable summary=Signal::derive(move || live.with(|l| l.summary.clone())) />
            <ErrorsByKind errors=Signal::derive(move || live.with(|l| l.summary.errors_by_kind.clone())) />
            <ExportButtons runner=runner one_cell=matrix.holds_runner.into() />
            <MatrixTable matrix=matrix />
            <SweepTable
                rows=Signal::derive(move || live.with(|l| l.sweep.clone()))
                x_label=Signal::derive(move || {
                    if q.state.with(|s| s.sweep_over == inferlab_share::loadtest::SweepOver::Rate) {
                        "Rate (req/s)"
                    } else {
                        "Users"
                    }
                })
            />
            <LiveCharts runner=runner />
        </section>
    }
}
