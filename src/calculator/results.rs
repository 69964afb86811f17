//! The headline numbers. Each carries `data-testid` and `data-value` with the raw number in
//! base units (bytes, tokens, tokens/s, seconds, USD), a public interface for tests and tools.

use inferlab_calc::Report;
use leptos::prelude::*;

use super::format;

/// One figure: label, formatted value, raw value for machines, and a hint.
#[component]
fn Stat(
    label: &'static str,
    testid: &'static str,
    raw: String,
    shown: String,
    #[prop(optional)] hint: Option<String>,
) -> impl IntoView {
    view! {
        <div class="stat">
            <div class="stat-label">{label}</div>
            <div class="stat-value" data-testid=testid data-value=raw>{shown}</div>
            {hint.map(|h| view! { <div class="stat-hint">{h}</div> })}
        </div>
    }
}

/// Capitalises the first letter: the core writes reasons as clauses.
fn sentence(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map_or_else(String::new, |f| f.to_uppercase().chain(c).collect())
}

fn f(x: f64) -> String {
    if x.is_finite() {
        format!("{x}")
    } else {
        "null".into()
    }
}

/// Fit verdict, memory, capacity, speed and cost.
#[component]
pub fn Results(report: Report) -> impl IntoView {
    let r = report;
    let verdict_class = if r.fits { "verdict ok" } else { "verdict bad" };
    view! {
        <div class=verdict_class role="status">
            <span class="verdict-mark" data-testid="fits" data-value=r.fits.to_string()>
                {if r.fits { "Fits" } else { "Does not fit" }}
            </span>
            <span class="verdict-reason" data-testid="fit-reason">{sentence(&r.fit_reason)}</span>
        </div>
        <div class="card">
            <h2>"Memory"</h2>
            <div class="stats">
                <Stat label="Weights per GPU" testid="weights-bytes" raw=r.weights_bytes.to_string() shown=format::bytes(r.weights_bytes) hint=format!("{} params ({} active)", format::count(r.params_total), format::count(r.params_active)) />
                <Stat label="KV per token (per GPU)" testid="kv-bytes-per-token" raw=r.kv_bytes_per_token.to_string() shown=format::bytes(r.kv_bytes_per_token) />
                <Stat label="KV for the workload" testid="kv-bytes" raw=r.kv_bytes.to_string() shown=format::bytes(r.kv_bytes) />
                <Stat label="Activation peak" testid="activation-bytes" raw=r.activation_bytes.to_string() shown=format::bytes(r.activation_bytes) />
                <Stat label="Runtime overhead" testid="overhead-bytes" raw=r.overhead_bytes.to_string() shown=format::bytes(r.overhead_bytes) />
                <Stat label="Total per GPU" testid="total-bytes-per-gpu" raw=r.total_bytes_per_gpu.to_string() shown=format!("{} / {}", format::bytes(r.total_bytes_per_gpu), format::bytes(r.gpu_memory_bytes)) />
            </div>
        </div>
        <div class="card">
            <h2>"Capacity"</h2>
            <div class="stats">
                <Stat label="Minimum GPUs" testid="min-gpus" raw=r.min_gpus.map(|n| n.to_string()).unwrap_or_else(|| "null".into()) shown=r.min_gpus.map(|n| n.to_string()).unwrap_or_else(|| "none in reach".into()) />
                <Stat label="KV budget" testid="kv-budget-tokens" raw=r.kv_budget_tokens.to_string() shown=format!("{} tokens", format::count(r.kv_budget_tokens)) hint=format!("{} blocks", format::count(r.kv_budget_blocks)) />
                <Stat label="Max concurrent sequences at this context" testid="max-concurrency" raw=r.max_concurrency.to_string() shown=format::count(r.max_concurrency) />
                <Stat label="Max context at this concurrency" testid="max-context" raw=r.max_context.to_string() shown=format!("{} tokens", format::count(r.max_context)) />
            </div>
        </div>
        <div class="card">
            <h2>"Speed (roofline)"</h2>
            <div class="stats">
                <Stat label="Decode per sequence" testid="decode-tps-per-user" raw=f(r.decode_tps_per_user) shown=format!("{} tok/s", format::rate(r.decode_tps_per_user)) />
                <Stat label="Decode, all sequences" testid="decode-tps-system" raw=f(r.decode_tps_system) shown=format!("{} tok/s", format::rate(r.decode_tps_system)) hint=if r.compute_bound { "compute-bound".to_string() } else { "memory-bandwidth-bound".to_string() } />
                <Stat label="Prefill of one prompt" testid="prefill-seconds" raw=f(r.prefill_seconds) shown=format::seconds(r.prefill_seconds) />
            </div>
        </div>
        <div class="card">
            <h2>"Cost"</h2>
            <div class="stats">
                <Stat label="Per hour" testid="cost-per-hour" raw=f(r.cost_per_hour) shown=format::usd(r.cost_per_hour) hint=format!("{} GPUs", r.gpus) />
                <Stat label="Per month" testid="cost-per-month" raw=f(r.cost_per_month) shown=format::usd(r.cost_per_month) />
                <Stat label="Per user per month" testid="cost-per-user-month" raw=f(r.cost_per_user_month) shown=format::usd(r.cost_per_user_month) />
                <Stat label="Per million output tokens" testid="cost-per-million-tokens" raw=f(r.cost_per_million_tokens) shown=format::usd(r.cost_per_million_tokens) />
            </div>
        </div>
        {(!r.notes.is_empty()).then(|| view! {
            <div class="card notes">
                <h2>"Notes"</h2>
                <ul>{r.notes.iter().map(|n| view! { <li>{n.clone()}</li> }).collect_view()}</ul>
            </div>
        })}
    }
}
