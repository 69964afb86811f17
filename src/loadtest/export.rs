//! Export of the current or last run: JSON (the documented `inferlab.loadtest` schema, config
//! sanitized so no key leaves memory), CSV (one row per request) and, after a sweep, the sweep
//! table as CSV.

use inferlab_loadtest::export::{records_csv, sweep_csv};
use leptos::prelude::*;

use super::runner::Runner;
use crate::browser::download::download_text;

/// ISO time of now (the export's `created`).
pub(super) fn now_iso() -> String {
    String::from(js_sys::Date::new_0().to_iso_string())
}

/// `2026-01-01T00-00-00` from an ISO time: a file-name-safe stamp.
pub(super) fn file_stamp(iso: &str) -> String {
    iso.chars()
        .take(19)
        .map(|c| if c == ':' { '-' } else { c })
        .collect()
}

/// The export buttons; disabled until some request has settled. `one_cell`: the run is one
/// cell of an ISL × OSL matrix, so the buttons say they export that cell alone (the matrix
/// table's own buttons export every cell).
#[component]
pub fn ExportButtons(runner: Runner, one_cell: Signal<bool>) -> impl IntoView {
    let msg = RwSignal::new(String::new());
    let has = move || {
        runner.live.track();
        runner.has_results()
    };
    let json = move |_| {
        let created = now_iso();
        let r = runner
            .export_doc(&created)
            .ok_or_else(|| "nothing to export yet".to_owned())
            .and_then(|d| d.to_json().map_err(|e| e.to_string()))
            .and_then(|text| {
                download_text(
                    &format!("inferlab-loadtest-{}.json", file_stamp(&created)),
                    "application/json",
                    &text,
                )
                .map_err(|e| e.to_string())
            });
        msg.set(r.err().unwrap_or_default());
    };
    let csv = move |_| {
        let created = now_iso();
        let text = records_csv(&runner.records());
        let r = download_text(
            &format!("inferlab-loadtest-{}.csv", file_stamp(&created)),
            "text/csv",
            &text,
        );
        msg.set(r.err().map(|e| e.to_string()).unwrap_or_default());
    };
    let has_sweep = move || runner.live.with(|l| !l.sweep.is_empty());
    let sweep = move |_| {
        let created = now_iso();
        let text = runner.live.with_untracked(|l| sweep_csv(&l.sweep));
        let r = download_text(
            &format!("inferlab-loadtest-sweep-{}.csv", file_stamp(&created)),
            "text/csv",
            &text,
        );
        msg.set(r.err().map(|e| e.to_string()).unwrap_or_default());
    };
    let suffix = move || if one_cell.get() { " (last cell)" } else { "" };
    let title = move || {
        one_cell.get().then_some(
            "This run is the last cell of the ISL × OSL matrix; the matrix table's buttons export every cell.",
        )
    };
    view! {
        <div class="lt-export">
            <button type="button" data-testid="export-json" on:click=json disabled=move || !has() title=title>
                "Export JSON" {suffix}
            </button>
            <button type="button" data-testid="export-csv" on:click=csv disabled=move || !has() title=title>
                "Export CSV" {suffix}
            </button>
            <Show when=has_sweep>
                <button type="button" data-testid="export-sweep-csv" on:click=sweep>
                    "Export sweep CSV"
                </button>
            </Show>
            <span class="muted small" role="status">{move || msg.get()}</span>
        </div>
    }
}
