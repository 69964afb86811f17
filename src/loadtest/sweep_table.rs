//! The sweep table: one row per step (users), tokens/s in total and per user, latencies.

use inferlab_loadtest::summary::SweepRow;
use leptos::prelude::*;

/// A table number with `digits` decimals, or "—" when there is none.
pub(super) fn cell(v: Option<f64>, digits: usize) -> String {
    v.filter(|x| x.is_finite())
        .map(|x| format!("{x:.digits$}"))
        .unwrap_or_else(|| "—".into())
}

/// Shown once a sweep has finished a step.
#[component]
pub fn SweepTable(
    #[prop(into)] rows: Signal<Vec<SweepRow>>,
    /// Header of the x column ("Users" or "Rate (req/s)").
    #[prop(optional, into)]
    x_label: Option<Signal<&'static str>>,
) -> impl IntoView {
    let x_label = move || x_label.map_or("Users", |l| l.get());
    view! {
        <Show when=move || rows.with(|r| !r.is_empty())>
            <div class="card lt-scroll">
                <table class="lt-table" data-testid="sweep-table">
                    <thead>
                        <tr>
                            <th>{x_label}</th>
                            <th>"tok/s system"</th>
                            <th>"tok/s per user"</th>
                            <th>"TTFT p50 (ms)"</th>
                            <th>"TPOT p50 (ms)"</th>
                            <th>"E2E p50 (ms)"</th>
                            <th>"Failed"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {move || {
                            rows.get()
                                .into_iter()
                                .map(|r| {
                                    view! {
                                        <tr data-testid="sweep-row">
                                            <td class="num">{cell(Some(r.x), if r.x.fract() == 0.0 { 0 } else { 2 })}</td>
                                            <td class="num">{cell(Some(r.output_tps_system), 1)}</td>
                                            <td class="num">{cell(Some(r.output_tps_per_user), 1)}</td>
                                            <td class="num">{cell(r.ttft_p50_ms, 1)}</td>
                                            <td class="num">{cell(r.tpot_p50_ms, 2)}</td>
                                            <td class="num">{cell(r.e2e_p50_ms, 0)}</td>
                                            <td class="num">{r.requests_failed}</td>
                                        </tr>
                                    }
                                })
                                .collect_view()
                        }}
                    </tbody>
                </table>
            </div>
        </Show>
    }
}
