//! The live summary table. Every figure cell carries `data-testid` (for the public ones) and
//! `data-value` (raw number in ms, tokens/s or a count; empty when there is no data yet), so
//! tests and scripts read numbers without parsing formatted text.

use inferlab_loadtest::diagnose;
use inferlab_loadtest::stats::Percentiles;
use inferlab_loadtest::summary::Summary;
use leptos::prelude::*;

/// Raw value for `data-value`: counts (no unit) as integers, others with three decimals;
/// empty for none.
fn raw(v: Option<f64>, unit: &str) -> String {
    v.filter(|x| x.is_finite())
        .map(|x| {
            if unit.is_empty() {
                format!("{x:.0}")
            } else {
                format!("{x:.3}")
            }
        })
        .unwrap_or_default()
}

/// Displayed text: ms with one decimal under 100, none above; "—" for none.
fn shown(v: Option<f64>, unit: &str) -> String {
    match v.filter(|x| x.is_finite()) {
        None => "—".into(),
        Some(x) if unit == "ms" && x >= 100.0 => format!("{x:.0} ms"),
        Some(x) if unit == "ms" => format!("{x:.1} ms"),
        Some(x) if unit.is_empty() => format!("{x:.0}"),
        Some(x) => format!("{x:.1} {unit}"),
    }
}

/// One number cell.
#[component]
fn Num(
    #[prop(into)] value: Signal<Option<f64>>,
    testid: Option<&'static str>,
    #[prop(optional)] unit: &'static str,
) -> impl IntoView {
    view! {
        <td class="num" data-testid=testid data-value=move || raw(value.get(), unit)>
            {move || shown(value.get(), unit)}
        </td>
    }
}

/// A percentile row: p50, p90, p99, mean; `ids` name the public cells (p50, p90, p99).
#[component]
fn PctRow(
    name: &'static str,
    tip: &'static str,
    summary: Signal<Summary>,
    pick: fn(&Summary) -> Option<Percentiles>,
    #[prop(optional)] ids: [Option<&'static str>; 3],
) -> impl IntoView {
    let get = move |f: fn(&Percentiles) -> f64| {
        Signal::derive(move || summary.with(|s| pick(s).map(|p| f(&p))))
    };
    let [a, b, c] = ids;
    view! {
        <tr>
            <th scope="row" title=tip>{name}</th>
            <Num value=get(|p| p.p50) testid=a unit="ms" />
            <Num value=get(|p| p.p90) testid=b unit="ms" />
            <Num value=get(|p| p.p99) testid=c unit="ms" />
            <Num value=get(|p| p.mean) testid=None unit="ms" />
        </tr>
    }
}

/// The footnote for a run whose tokens were read together (the rule of
/// [`diagnose::tokens_together`]): its ITL percentiles are not the server's gaps.
fn together_note(s: &Summary) -> Option<String> {
    let share = s.itl_together_share?;
    let gaps = s.itl_ms.map_or(0, |p| p.count);
    diagnose::read_together(share, gaps).then(|| {
        format!(
            " · {:.0} % of ITL gaps under 0.05 ms: tokens arrived together (see the warning above)",
            share * 100.0
        )
    })
}

/// The table: latency percentiles, then throughput and counts.
#[component]
pub fn SummaryTable(#[prop(into)] summary: Signal<Summary>) -> impl IntoView {
    let f = move |g: fn(&Summary) -> Option<f64>| Signal::derive(move || summary.with(g));
    let sources = move || {
        summary.with(|s| {
            s.token_sources
                .iter()
                .map(|(k, v)| format!("{k}: {v}"))
                .collect::<Vec<_>>()
                .join(", ")
        })
    };
    view! {
        <div class="card lt-summary">
            <table class="lt-table">
                <thead>
                    <tr>
                        <th scope="col">"Latency"</th>
                        <th scope="col">"p50"</th>
                        <th scope="col">"p90"</th>
                        <th scope="col">"p99"</th>
                        <th scope="col">"mean"</th>
                    </tr>
                </thead>
                <tbody>
                    <PctRow
                        name="TTFT"
                        tip="Time to first token: first chunk with non-empty content or reasoning − request start."
                        summary=summary
                        pick=|s| s.ttft_ms
                        ids=[Some("ttft-p50"), Some("ttft-p90"), Some("ttft-p99")]
                    />
                    <PctRow
                        name="TPOT"
                        tip="Time per output token, per request: (E2E − TTFT) / (output tokens − 1)."
                        summary=summary
                        pick=|s| s.tpot_ms
                        ids=[Some("tpot-p50"), None, None]
                    />
                    <PctRow
                        name="ITL"
                        tip="Inter-token latency: every gap between token-carrying chunks of every request."
                        summary=summary
                        pick=|s| s.itl_ms
                        ids=[Some("itl-p50"), None, None]
                    />
                    <PctRow
                        name="E2E"
                        tip="End-to-end latency: [DONE] (or last byte) − request start."
                        summary=summary
                        pick=|s| s.e2e_ms
                        ids=[Some("e2e-p50"), None, Some("e2e-p99")]
                    />
                    <PctRow
                        name="TTFB"
                        tip="Time to first byte of the body."
                        summary=summary
                        pick=|s| s.ttfb_ms
                    />
                    <PctRow
                        name="First chunk"
                        tip="Time to the first chunk of any kind, role-only included (vllm bench serve's TTFT)."
                        summary=summary
                        pick=|s| s.ttft_first_chunk_ms
                    />
                </tbody>
            </table>
            <table class="lt-table">
                <tbody>
                    <tr>
                        <th scope="row" title="Σ output tokens / (last finish − first start).">"Output tokens/s, system"</th>
                        <Num value=f(|s| (s.requests_ok > 0).then_some(s.output_tps_system)) testid=Some("output-tps-system") unit="tok/s" />
                    </tr>
                    <tr>
                        <th scope="row" title="Mean over requests of 1000 / TPOT.">"Output tokens/s, per user"</th>
                        <Num value=f(|s| s.tokens_per_s_user.map(|_| s.output_tps_per_user)) testid=Some("output-tps-per-user") unit="tok/s" />
                    </tr>
                    <tr>
                        <th scope="row">"Requests/s"</th>
                        <Num value=f(|s| (s.requests_ok > 0).then_some(s.requests_per_s)) testid=None unit="req/s" />
                    </tr>
                    <tr>
                        <th scope="row" title="Requests/s that met every SLO set below the form (TTFT, TPOT, E2E); empty without SLOs.">"Goodput"</th>
                        <Num value=f(|s| s.goodput_rps) testid=Some("goodput-rps") unit="req/s" />
                    </tr>
                    <tr>
                        <th scope="row" title="Successful requests that met every SLO.">"Requests within SLOs"</th>
                        <Num value=f(|s| s.goodput_requests.map(|n| n as f64)) testid=Some("goodput-requests") />
                    </tr>
                    <tr>
                        <th scope="row">"Requests ok"</th>
                        <Num value=f(|s| Some(s.requests_ok as f64)) testid=Some("requests-ok") />
                    </tr>
                    <tr>
                        <th scope="row">"Requests failed"</th>
                        <Num value=f(|s| Some(s.requests_failed as f64)) testid=Some("requests-failed") />
                    </tr>
                    <tr>
                        <th scope="row" title="Stopped by you or by the duration cap; not failures.">"Aborted"</th>
                        <Num value=f(|s| Some(s.requests_aborted as f64)) testid=None />
                    </tr>
                    <tr>
                        <th scope="row">"Warm-up (excluded)"</th>
                        <Num value=f(|s| Some(s.warmup_excluded as f64)) testid=None />
                    </tr>
                    <tr>
                        <th scope="row">"Output tokens"</th>
                        <Num value=f(|s| Some(s.total_output_tokens as f64)) testid=None />
                    </tr>
                    <tr>
                        <th scope="row">"Peak in flight"</th>
                        <Num value=f(|s| Some(s.peak_active as f64)) testid=None />
                    </tr>
                </tbody>
            </table>
            <p class="muted small">
                "Token counts from: " {sources}
                {move || summary.with(|s| s.multi_token_chunks).then_some(" · chunks hold several tokens, so ITL is inter-chunk")}
                {move || summary.with(together_note)}
            </p>
        </div>
    }
}
