//! Comparing runs: import one or more exported JSON files; they are overlaid on the charts in
//! their own colours and compared with the first run (the live run when there is one) in a
//! table of differences. A bad file gets a message naming it and the problem; runs already
//! loaded stay.

use inferlab_loadtest::export::{compare, import_json, DiffRow, ExportDoc};
use inferlab_loadtest::summary::Summary;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen_futures::JsFuture;

use super::charts::RUN_COLOR_VARS;

/// Files larger than this are refused before reading (an export of 100,000 requests with
/// every token stamp is far smaller).
const MAX_BYTES: f64 = 200.0 * 1024.0 * 1024.0;

/// An imported export and the name of the file it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Imported {
    /// File name.
    pub file: String,
    /// Parsed export.
    pub doc: ExportDoc,
}

impl Imported {
    /// Legend label: the run's own label (if it had one) and the file name.
    pub fn label(&self) -> String {
        let l = self.doc.config.label.trim();
        if l.is_empty() {
            self.file.clone()
        } else {
            format!("{l} ({})", self.file)
        }
    }
}

fn color_var(i: usize) -> &'static str {
    RUN_COLOR_VARS[i % RUN_COLOR_VARS.len()]
}

fn fmt_value(v: Option<f64>, unit: &str) -> String {
    match v {
        None => "–".to_owned(),
        Some(v) if unit == "count" => format!("{v:.0}"),
        Some(v) if unit == "req/s" => format!("{v:.2}"),
        Some(v) => format!("{v:.1}"),
    }
}

fn fmt_delta(r: &DiffRow) -> String {
    match r.delta_pct {
        None => "–".to_owned(),
        Some(d) if d.abs() < 0.05 => "0 %".to_owned(),
        Some(d) => format!("{d:+.1} %"),
    }
}

/// Reads the chosen files one by one; good ones are appended, bad ones reported.
async fn read_files(
    files: Vec<web_sys::File>,
    imported: RwSignal<Vec<Imported>>,
    errors: RwSignal<Vec<String>>,
) {
    let mut errs = Vec::new();
    for f in files {
        let name = f.name();
        if f.size() > MAX_BYTES {
            errs.push(format!(
                "{name}: too large ({:.0} MB) for an InferLab export",
                f.size() / 1e6
            ));
            continue;
        }
        let text = JsFuture::from(f.text())
            .await
            .ok()
            .and_then(|v| v.as_string());
        let Some(text) = text else {
            errs.push(format!("{name}: the browser could not read the file"));
            continue;
        };
        match import_json(&text) {
            Ok(doc) => {
                imported.try_update(|l| l.push(Imported { file: name, doc }));
            }
            Err(e) => errs.push(format!("{name}: {e}")),
        }
    }
    errors.try_set(errs);
}

/// Import button, loaded runs (with their chart colours) and the differences table.
/// `current` is the live run's label and summary, when there is one.
#[component]
pub fn CompareRuns(
    imported: RwSignal<Vec<Imported>>,
    #[prop(into)] current: Signal<Option<(String, Summary)>>,
) -> impl IntoView {
    let errors = RwSignal::new(Vec::<String>::new());
    let on_files = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        let files: Vec<web_sys::File> = input
            .files()
            .map(|l| (0..l.length()).filter_map(|i| l.get(i)).collect())
            .unwrap_or_default();
        // Let the same file be chosen again (after a fix, say).
        input.set_value("");
        spawn_local(read_files(files, imported, errors));
    };
    let offset = move || usize::from(current.with(|c| c.is_some()));
    // (label, summary) of every run, the baseline first.
    let runs = move || {
        let mut v: Vec<(String, Summary)> = current.get().into_iter().collect();
        imported.with(|l| v.extend(l.iter().map(|i| (i.label(), i.doc.summary.clone()))));
        v
    };
    let table = move || {
        let runs = runs();
        let (base, others) = runs.split_first()?;
        if others.is_empty() {
            return None;
        }
        let diffs: Vec<Vec<DiffRow>> = others.iter().map(|(_, s)| compare(&base.1, s)).collect();
        let metrics: Vec<(String, String, Option<f64>)> = diffs
            .first()?
            .iter()
            .map(|r| (r.metric.clone(), r.unit.clone(), r.a))
            .collect();
        let head = others
            .iter()
            .enumerate()
            .map(|(i, (label, _))| {
                let sw = format!("background: var({})", color_var(i + 1));
                view! {
                    <th scope="col"><span class="lt-swatch" style=sw></span>{label.clone()}</th>
                    <th scope="col">"Δ vs baseline"</th>
                }
            })
            .collect_view();
        let body = metrics
            .into_iter()
            .enumerate()
            .map(|(m, (metric, unit, a))| {
                let cells = diffs
                    .iter()
                    .filter_map(|d| d.get(m).cloned())
                    .map(|r| {
                        // Colour only differences that show in the rounded figure.
                        let shows = r.delta_pct.is_some_and(|d| d.abs() >= 0.05);
                        let class = match r.b_better {
                            Some(true) if shows => "num good",
                            Some(false) if shows => "num bad",
                            _ => "num",
                        };
                        view! {
                            <td class="num">{fmt_value(r.b, &r.unit)}</td>
                            <td class=class data-value=r.delta_pct.map(|d| format!("{d:.3}")).unwrap_or_default()>
                                {fmt_delta(&r)}
                            </td>
                        }
                    })
                    .collect_view();
                view! {
                    <tr>
                        <th scope="row">{metric}<span class="muted">{format!(" ({unit})")}</span></th>
                        <td class="num">{fmt_value(a, &unit)}</td>
                        {cells}
                    </tr>
                }
            })
            .collect_view();
        let base_sw = format!("background: var({})", color_var(0));
        Some(view! {
            <div class="lt-compare-scroll">
                <table class="lt-table lt-compare" data-testid="compare-table">
                    <thead>
                        <tr>
                            <th scope="col">"Metric"</th>
                            <th scope="col"><span class="lt-swatch" style=base_sw></span>{base.0.clone()}" (baseline)"</th>
                            {head}
                        </tr>
                    </thead>
                    <tbody>{body}</tbody>
                </table>
            </div>
        })
    };
    let chips = move || {
        let off = offset();
        imported
            .get()
            .into_iter()
            .enumerate()
            .map(|(i, imp)| {
                let sw = format!("background: var({})", color_var(i + off));
                let remove = move |_| {
                    imported.update(|l| {
                        if i < l.len() {
                            l.remove(i);
                        }
                    });
                };
                view! {
                    <li>
                        <span class="lt-swatch" style=sw></span>
                        {imp.label()}
                        <span class="muted small">{format!(" · {} requests", imp.doc.records.len())}</span>
                        <button type="button" class="link-button" data-testid="remove-import" on:click=remove>
                            "Remove"
                        </button>
                    </li>
                }
            })
            .collect_view()
    };
    view! {
        <section class="card lt-compare-card" aria-labelledby="lt-compare-h">
            <h2 id="lt-compare-h">"Compare runs"</h2>
            <p class="muted small">
                "Import JSON exports to overlay them on the charts and compare them with "
                {move || if current.with(|c| c.is_some()) { "this run" } else { "the first file" }}
                " (the baseline). Differences are (run − baseline) / baseline; green is better."
            </p>
            <label class="lt-import">
                <span class="button">"Import JSON…"</span>
                <input
                    type="file"
                    accept=".json,application/json"
                    multiple
                    class="visually-hidden"
                    data-testid="import-json"
                    on:change=on_files
                />
            </label>
            <div role="alert" data-testid="import-errors" class="lt-import-errors">
                {move || {
                    errors
                        .get()
                        .into_iter()
                        .map(|e| view! { <p class="lt-diag bad">{e}</p> })
                        .collect_view()
                }}
            </div>
            <ul class="lt-runs">{chips}</ul>
            {table}
        </section>
    }
}
