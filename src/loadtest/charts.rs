//! Live charts as inline SVG: system output tokens/s over time and TTFT per request. They
//! re-render only when the runner publishes (at most once per animation frame), and each
//! series is a single `<path>`, so the DOM stays small whatever the run length.

use leptos::prelude::*;

use super::runner::Live;

const W: f64 = 480.0;
const H: f64 = 180.0;
const PAD_L: f64 = 48.0;
const PAD_B: f64 = 22.0;
const PAD_T: f64 = 8.0;
const PAD_R: f64 = 8.0;

/// A "nice" upper bound for an axis (1, 2, 5 × 10ⁿ).
fn nice_max(v: f64) -> f64 {
    if !(v.is_finite() && v > 0.0) {
        return 1.0;
    }
    let e = 10f64.powf(v.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * e)
        .find(|c| *c >= v)
        .unwrap_or(10.0 * e)
}

/// Path data for points scaled into the plot area; `dots` draws round caps of zero length.
fn path(points: &[(f64, f64)], xmax: f64, ymax: f64, dots: bool) -> String {
    let sx = (W - PAD_L - PAD_R) / xmax;
    let sy = (H - PAD_T - PAD_B) / ymax;
    let mut d = String::with_capacity(points.len() * 16);
    for (i, (x, y)) in points.iter().enumerate() {
        let px = PAD_L + x * sx;
        let py = H - PAD_B - y.min(ymax) * sy;
        let cmd = if dots || i == 0 { 'M' } else { 'L' };
        d.push_str(&format!("{cmd}{px:.1} {py:.1}"));
        if dots {
            d.push_str("h0");
        }
    }
    d
}

/// An SVG coordinate as attribute text.
fn n(v: f64) -> String {
    format!("{v:.1}")
}

/// One chart: axes, max labels and a series.
#[component]
fn Chart(
    title: &'static str,
    x_label: &'static str,
    y_unit: &'static str,
    testid: &'static str,
    dots: bool,
    #[prop(into)] points: Signal<Vec<(f64, f64)>>,
) -> impl IntoView {
    let scales = move || {
        points.with(|p| {
            let xmax = nice_max(p.iter().map(|q| q.0).fold(0.0, f64::max));
            let ymax = nice_max(p.iter().map(|q| q.1).fold(0.0, f64::max));
            (xmax, ymax)
        })
    };
    let d = move || {
        let (xmax, ymax) = scales();
        points.with(|p| path(p, xmax, ymax, dots))
    };
    let class = if dots { "lt-series dots" } else { "lt-series" };
    view! {
        <figure class="card lt-chart" data-testid=testid>
            <figcaption>{title}</figcaption>
            <svg viewBox=format!("0 0 {W} {H}") role="img" aria-label=title>
                <line class="lt-axis" x1=n(PAD_L) y1=n(PAD_T) x2=n(PAD_L) y2=n(H - PAD_B) />
                <line class="lt-axis" x1=n(PAD_L) y1=n(H - PAD_B) x2=n(W - PAD_R) y2=n(H - PAD_B) />
                <text class="lt-tick" x=n(PAD_L - 4.0) y=n(PAD_T + 10.0) text-anchor="end">
                    {move || format!("{:.0}", scales().1)}
                </text>
                <text class="lt-tick" x=n(PAD_L - 4.0) y=n(H - PAD_B) text-anchor="end">"0"</text>
                <text class="lt-tick" x=n(W - PAD_R) y=n(H - 6.0) text-anchor="end">
                    {move || format!("{} {x_label}", scales().0)}
                </text>
                <text class="lt-tick" x=n(PAD_L + 4.0) y=n(PAD_T + 10.0)>{y_unit}</text>
                <path class=class d=d />
            </svg>
        </figure>
    }
}

/// Tokens/s over time (1 s buckets) and TTFT per request over time.
#[component]
pub fn LiveCharts(#[prop(into)] live: Signal<Live>) -> impl IntoView {
    let tps = Signal::derive(move || {
        live.with(|l| {
            l.series
                .iter()
                .map(|b| (b.t_ms / 1000.0, b.tokens_per_s))
                .collect::<Vec<_>>()
        })
    });
    let ttft = Signal::derive(move || {
        live.with(|l| {
            l.ttft
                .iter()
                .map(|p| (p.t_s, p.ttft_ms))
                .collect::<Vec<_>>()
        })
    });
    view! {
        <div class="lt-charts">
            <Chart title="System output tokens/s" x_label="s" y_unit="tok/s" testid="chart-tps" dots=false points=tps />
            <Chart title="TTFT per request (by start time)" x_label="s" y_unit="ms" testid="chart-ttft" dots=true points=ttft />
        </div>
    }
}
