//! The per-GPU memory breakdown: one stacked bar and a legend that names every term.

use inferlab_calc::Report;
use leptos::prelude::*;

use super::format;

/// Stacked bar of weights, KV, activation, overhead, reserve and free memory on one GPU.
#[component]
pub fn MemoryChart(#[prop(into)] report: Signal<Report>) -> impl IntoView {
    view! {
        <div class="memory-chart" data-testid="memory-chart">
            {move || {
                let r = report.get();
                let total: u64 = r.terms.iter().map(|t| t.bytes).sum::<u64>().max(r.gpu_memory_bytes).max(1);
                let over = r.total_bytes_per_gpu > r.gpu_memory_bytes;
                view! {
                    <div class="bar" role="img" aria-label=format!("{} of {} per GPU", format::bytes(r.total_bytes_per_gpu), format::bytes(r.gpu_memory_bytes))>
                        {r
                            .terms
                            .iter()
                            .filter(|t| t.bytes > 0)
                            .map(|t| {
                                let pct = 100.0 * t.bytes as f64 / total as f64;
                                view! {
                                    <div
                                        class=format!("seg seg-{}", t.key)
                                        style=format!("width:{pct:.3}%")
                                        title=format!("{}: {}", t.label, format::bytes(t.bytes))
                                    ></div>
                                }
                            })
                            .collect_view()}
                        {over.then(|| {
                            let pct = 100.0 * r.gpu_memory_bytes as f64 / total as f64;
                            view! { <div class="capacity" style=format!("left:{pct:.3}%") title="GPU memory"></div> }
                        })}
                    </div>
                    <ul class="legend">
                        {r
                            .terms
                            .iter()
                            .map(|t| {
                                view! {
                                    <li>
                                        <span class=format!("swatch seg-{}", t.key)></span>
                                        <span class="term">{t.label}</span>
                                        <span class="amount">{format::bytes(t.bytes)}</span>
                                        <span class="why">{t.explanation.clone()}</span>
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                }
            }}
        </div>
    }
}
