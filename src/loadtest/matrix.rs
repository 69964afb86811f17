//! ISL × OSL matrix runs (the TensorRT-LLM style table): the cells run one after another,
//! each a complete run with its own synthetic prompts and `max_tokens`, and each finished
//! cell adds its row to the table. The runner itself knows nothing about matrices: each
//! finished cell's config and records are kept here, so the matrix exports as one JSON.

use inferlab_loadtest::export::{matrix_csv, ExportDoc, MatrixCellRun};
use inferlab_loadtest::summary::Summary;
use inferlab_loadtest::sweep::IslOsl;
use inferlab_share::loadtest::LoadTestState;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::export::{file_stamp, now_iso};
use super::runner::{Phase, RunSpec, Runner};
use super::settings::{build_spec, prepare_prompts, LocalSettings};
use super::sweep_table::cell;
use crate::browser::download::download_text;

/// One cell and, once run, its summary (or why it could not run).
#[derive(Debug, Clone, PartialEq)]
pub struct CellResult {
    /// Input and output length.
    pub cell: IslOsl,
    /// Whole-cell summary, when the cell ran.
    pub summary: Option<Summary>,
    /// Why the cell did not run.
    pub error: Option<String>,
}

/// The page's matrix state: `Copy` signals.
#[derive(Clone, Copy)]
pub struct Matrix {
    /// Cells of the current or last matrix run.
    pub cells: RwSignal<Vec<CellResult>>,
    /// True from the first cell's start to the last cell's end.
    pub active: RwSignal<bool>,
    /// Set by Stop: no further cell starts.
    pub cancel: RwSignal<bool>,
    /// Every finished cell's config and records (not reactive: only the export reads them).
    pub runs: StoredValue<Vec<MatrixCellRun>>,
    /// The runner's current or last run is one of this matrix's cells: the page's own
    /// export buttons then cover that cell alone, and say so.
    pub holds_runner: RwSignal<bool>,
}

impl Matrix {
    /// Nothing run yet.
    pub fn new() -> Self {
        Self {
            cells: RwSignal::new(Vec::new()),
            active: RwSignal::new(false),
            cancel: RwSignal::new(false),
            runs: StoredValue::new(Vec::new()),
            holds_runner: RwSignal::new(false),
        }
    }
}

impl Default for Matrix {
    fn default() -> Self {
        Self::new()
    }
}

async fn sleep_ms(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve: js_sys::Function, _| {
        let ok = web_sys::window().and_then(|w| {
            w.set_timeout_with_callback_and_timeout_and_arguments_0(resolve.unchecked_ref(), ms)
                .ok()
        });
        if ok.is_none() {
            let _ = resolve.call0(&wasm_bindgen::JsValue::NULL);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// Runs `cells` one after another; `first` is the first cell's prepared spec (confirmed by
/// the user). Each later cell's prompts are made just before it starts. Stop ends the
/// matrix after the current cell.
pub async fn run_matrix(
    runner: Runner,
    matrix: Matrix,
    state: LoadTestState,
    local: LocalSettings,
    cells: Vec<IslOsl>,
    first: RunSpec,
) {
    matrix.cells.set(
        cells
            .iter()
            .map(|&cell| CellResult {
                cell,
                summary: None,
                error: None,
            })
            .collect(),
    );
    matrix.runs.set_value(Vec::new());
    matrix.cancel.set(false);
    matrix.active.set(true);
    matrix.holds_runner.set(true);
    let mut first = Some(first);
    for (i, cell) in cells.iter().enumerate() {
        if matrix.cancel.try_get_untracked() != Some(false) {
            break;
        }
        let spec = match first.take() {
            Some(s) => Ok(s),
            None => match build_spec(&state, &local, Some(*cell)) {
                Ok(mut s) => prepare_prompts(&mut s, &state.tok, &local)
                    .await
                    .map(|()| s),
                Err(e) => Err(e),
            },
        };
        let spec = match spec {
            Ok(s) => s,
            Err(e) => {
                matrix.cells.try_update(|v| {
                    if let Some(c) = v.get_mut(i) {
                        c.error = Some(e);
                    }
                });
                continue;
            }
        };
        if matrix.cancel.try_get_untracked() != Some(false) {
            break;
        }
        runner.start(spec);
        // Bounded by the run's own caps (requests, duration) and by Stop.
        while matches!(
            runner.phase.try_get_untracked(),
            Some(Phase::Running | Phase::Stopping)
        ) {
            sleep_ms(100).await;
        }
        let Some(summary) = runner.live.try_with_untracked(|l| l.summary.clone()) else {
            break;
        };
        if let Some(config) = runner.config() {
            matrix.runs.try_update_value(|runs| {
                runs.push(MatrixCellRun {
                    index: u32::try_from(i).unwrap_or(u32::MAX),
                    cell: *cell,
                    config,
                    summary: summary.clone(),
                    records: runner.records(),
                });
            });
        }
        matrix.cells.try_update(|v| {
            if let Some(c) = v.get_mut(i) {
                c.summary = Some(summary);
            }
        });
    }
    matrix.active.try_set(false);
}

/// Downloads the whole matrix, every cell's records included, as one JSON export.
fn export_matrix_json(runs: &[MatrixCellRun]) -> Result<(), String> {
    let created = now_iso();
    let doc = ExportDoc::from_matrix(runs, &created).ok_or("no cell has finished yet")?;
    let text = doc.to_json().map_err(|e| e.to_string())?;
    download_text(
        &format!("inferlab-loadtest-matrix-{}.json", file_stamp(&created)),
        "application/json",
        &text,
    )
    .map_err(|e| e.to_string())
}

/// Downloads the matrix table as CSV (one row per cell, its summary).
fn export_matrix_csv(rows: &[CellResult]) -> Result<(), String> {
    let cells: Vec<_> = rows.iter().map(|r| (r.cell, r.summary.as_ref())).collect();
    download_text(
        &format!("inferlab-loadtest-matrix-{}.csv", file_stamp(&now_iso())),
        "text/csv",
        &matrix_csv(&cells),
    )
    .map_err(|e| e.to_string())
}

/// One row per cell, filled as cells finish.
#[component]
pub fn MatrixTable(matrix: Matrix) -> impl IntoView {
    let rows = matrix.cells;
    let msg = RwSignal::new(String::new());
    let any_done = move || rows.with(|r| r.iter().any(|c| c.summary.is_some()));
    let export = move |_| {
        let r = rows.with_untracked(|r| export_matrix_csv(r));
        msg.set(r.err().unwrap_or_default());
    };
    let export_json = move |_| {
        let r = matrix.runs.with_value(|r| export_matrix_json(r));
        msg.set(r.err().unwrap_or_default());
    };
    view! {
        <Show when=move || rows.with(|r| !r.is_empty())>
            <div class="card lt-scroll">
                <table class="lt-table" data-testid="matrix-table">
                    <caption class="muted small">"ISL × OSL matrix: one run per cell, in order"</caption>
                    <thead>
                        <tr>
                            <th>"ISL"</th>
                            <th>"OSL"</th>
                            <th>"Ok"</th>
                            <th>"Failed"</th>
                            <th>"TTFT p50 (ms)"</th>
                            <th>"TPOT p50 (ms)"</th>
                            <th>"E2E p50 (ms)"</th>
                            <th>"tok/s system"</th>
                            <th>"tok/s per user"</th>
                            <th>"Goodput (req/s)"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {move || {
                            rows.get()
                                .into_iter()
                                .map(|r| {
                                    let s = r.summary.clone();
                                    let p50 = |f: fn(&Summary) -> Option<inferlab_loadtest::stats::Percentiles>| {
                                        s.as_ref().and_then(f).map(|p| p.p50)
                                    };
                                    let status = r
                                        .error
                                        .clone()
                                        .unwrap_or_else(|| if s.is_some() { String::new() } else { "waiting".into() });
                                    view! {
                                        <tr data-testid="matrix-row" data-done=s.is_some().to_string()>
                                            <td class="num">{r.cell.isl}</td>
                                            <td class="num">{r.cell.osl}</td>
                                            <td class="num" data-testid="matrix-ok">{s.as_ref().map(|s| s.requests_ok.to_string()).unwrap_or(status)}</td>
                                            <td class="num">{s.as_ref().map(|s| s.requests_failed.to_string()).unwrap_or_default()}</td>
                                            <td class="num">{cell(p50(|s| s.ttft_ms), 1)}</td>
                                            <td class="num">{cell(p50(|s| s.tpot_ms), 2)}</td>
                                            <td class="num">{cell(p50(|s| s.e2e_ms), 0)}</td>
                                            <td class="num">{cell(s.as_ref().map(|s| s.output_tps_system), 1)}</td>
                                            <td class="num">{cell(s.as_ref().map(|s| s.output_tps_per_user), 1)}</td>
                                            <td class="num">{cell(s.as_ref().and_then(|s| s.goodput_rps), 2)}</td>
                                        </tr>
                                    }
                                })
                                .collect_view()
                        }}
                    </tbody>
                </table>
                <div class="lt-export">
                    <button type="button" data-testid="export-matrix-csv" on:click=export disabled=move || !any_done()>
                        "Export matrix CSV"
                    </button>
                    <button type="button" data-testid="export-matrix-json" on:click=export_json disabled=move || !any_done()>
                        "Export matrix JSON"
                    </button>
                    <span class="muted small" role="status">{move || msg.get()}</span>
                </div>
            </div>
        </Show>
    }
}
