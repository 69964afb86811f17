//! Live charts on `<canvas>` (plotters): system tokens/s, active requests, TTFT and E2E per
//! request, the ITL histogram and the sweep chart, each with a PNG download. Imported runs
//! (see [`super::compare`]) are overlaid in their own colours.
//!
//! Redraws follow the data: the runner publishes [`Live`] at most once per animation frame,
//! so each chart is redrawn at most once per frame too; a theme switch or a resize redraws
//! once more. Canvases get a backing store of CSS size × `devicePixelRatio` (sharp on HiDPI)
//! and take their colours from the theme's CSS variables.

use inferlab_loadtest::config::RunConfig;
use inferlab_loadtest::export::ExportDoc;
use inferlab_loadtest::summary::RunStats;
use inferlab_loadtest::sweep::SweepAxis;
use leptos::prelude::*;
use plotters::prelude::{IntoDrawingArea, RGBColor};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::HtmlCanvasElement;

use super::chart_draw::{draw, ChartKind, FastCanvas, LatencyPoint, Palette, RunView, SweepX};
use super::compare::{CompareRuns, Imported};
use super::runner::{Live, Runner};
use crate::browser::download::download_url;
use crate::browser::stream::now_ms;

/// Bars of an imported run's ITL histogram (as many as the live one).
const ITL_BINS: usize = 40;
/// Per-request points drawn for an imported run (evenly thinned beyond this).
const MAX_POINTS: usize = 2000;

/// Theme variables of the run colours, in order: run 0 (the live run), run 1, …
pub const RUN_COLOR_VARS: [&str; 6] = [
    "--accent",
    "--c-activation",
    "--c-kv",
    "--bad",
    "--c-overhead",
    "--ok",
];

fn sweep_x(config: &RunConfig) -> SweepX {
    match config.sweep {
        Some(SweepAxis::Rates(_)) => SweepX::Rate,
        _ => SweepX::Users,
    }
}

/// The live run as chart data; `None` before anything was measured.
fn live_view(live: &Live, config: Option<&RunConfig>) -> Option<RunView> {
    if live.series.is_empty() && live.ttft.is_empty() && live.sweep.is_empty() {
        return None;
    }
    let label = config
        .map(|c| c.label.trim().to_owned())
        .filter(|l| !l.is_empty())
        .unwrap_or_else(|| "this run".to_owned());
    Some(RunView {
        label,
        series: live.series.clone(),
        points: live
            .ttft
            .iter()
            .map(|p| LatencyPoint {
                t_s: p.t_s,
                ttft_ms: p.ttft_ms,
                e2e_ms: p.e2e_ms,
            })
            .collect(),
        itl_bins: live.itl_bins.clone(),
        sweep: live.sweep.clone(),
        sweep_x: config.map(sweep_x).unwrap_or_default(),
    })
}

/// An imported export as chart data: series and histograms rebuilt from its records.
pub fn doc_view(doc: &ExportDoc, label: String) -> RunView {
    let stats = RunStats::replay(&doc.records, doc.config.slo, 1000.0);
    let origin = doc
        .records
        .iter()
        .map(|r| r.t_due.min(r.t_start))
        .filter(|t| t.is_finite())
        .fold(f64::INFINITY, f64::min);
    let pts: Vec<LatencyPoint> = doc
        .records
        .iter()
        .filter(|r| !r.warmup && r.ok())
        .filter_map(|r| {
            Some(LatencyPoint {
                t_s: (r.t_start - origin) / 1000.0,
                ttft_ms: r.ttft()?,
                e2e_ms: r.e2e().unwrap_or(f64::NAN),
            })
        })
        .collect();
    let stride = pts.len().div_ceil(MAX_POINTS).max(1);
    let itl = stats.itl();
    RunView {
        label,
        series: stats.series(),
        points: pts.into_iter().step_by(stride).collect(),
        itl_bins: itl.linear_bins(ITL_BINS, itl.quantile(0.99)),
        sweep: doc.sweep.clone(),
        sweep_x: sweep_x(&doc.config),
    }
}

/// "rgb(r, g, b)" / "rgba(r, g, b, a)" → colour.
fn parse_rgb(s: &str) -> Option<RGBColor> {
    let inner = s.trim().strip_prefix("rgb")?.trim_start_matches('a');
    let inner = inner.strip_prefix('(')?.strip_suffix(')')?;
    let mut it = inner
        .split([',', ' ', '/'])
        .filter(|p| !p.is_empty())
        .map(|p| {
            p.trim()
                .parse::<f64>()
                .ok()
                .map(|v| v.round().clamp(0.0, 255.0) as u8)
        });
    Some(RGBColor(it.next()??, it.next()??, it.next()??))
}

/// Resolves the theme's colours: a probe element takes `color: var(--x)` and the browser
/// reports the computed `rgb(…)` (this also resolves `light-dark()`).
fn theme_palette() -> Palette {
    let fallback = Palette {
        bg: RGBColor(255, 255, 255),
        text: RGBColor(27, 29, 42),
        muted: RGBColor(93, 98, 117),
        grid: RGBColor(217, 219, 230),
        series: vec![
            RGBColor(79, 70, 229),
            RGBColor(224, 137, 43),
            RGBColor(14, 165, 164),
            RGBColor(180, 35, 53),
            RGBColor(139, 92, 246),
            RGBColor(15, 123, 79),
        ],
    };
    let Some((win, doc)) = web_sys::window().and_then(|w| w.document().map(|d| (w, d))) else {
        return fallback;
    };
    let Some(probe) = doc
        .create_element("span")
        .ok()
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    else {
        return fallback;
    };
    let Some(body) = doc.body() else {
        return fallback;
    };
    if body.append_child(&probe).is_err() {
        return fallback;
    }
    let get = |var: &str, fb: RGBColor| {
        let _ = probe.style().set_property("color", &format!("var({var})"));
        win.get_computed_style(&probe)
            .ok()
            .flatten()
            .and_then(|cs| cs.get_property_value("color").ok())
            .and_then(|c| parse_rgb(&c))
            .unwrap_or(fb)
    };
    let pal = Palette {
        bg: get("--surface", fallback.bg),
        text: get("--text", fallback.text),
        muted: get("--muted", fallback.muted),
        grid: get("--border", fallback.grid),
        series: RUN_COLOR_VARS
            .iter()
            .zip(&fallback.series)
            .map(|(v, fb)| get(v, *fb))
            .collect(),
    };
    probe.remove();
    pal
}

/// `window.__inferlabChartsDomText = true` switches to plotters' own text measuring, to
/// compare redraw times (see the charts e2e test).
fn dom_text() -> bool {
    web_sys::window()
        .and_then(|w| js_sys::Reflect::get(&w, &JsValue::from_str("__inferlabChartsDomText")).ok())
        .and_then(|v| v.as_bool())
        .unwrap_or(false)
}

/// Sizes the backing store to CSS size × DPR and draws; records the time taken in
/// `data-draw-ms` (and the number of draws in `data-draws`).
fn paint(
    c: &HtmlCanvasElement,
    kind: ChartKind,
    runs: &[RunView],
    pal: &Palette,
) -> Result<(), String> {
    let css_w = f64::from(c.client_width());
    let css_h = f64::from(c.client_height());
    if css_w <= 0.0 || css_h <= 0.0 {
        return Ok(()); // hidden
    }
    let t0 = now_ms();
    let dpr = web_sys::window()
        .map_or(1.0, |w| w.device_pixel_ratio())
        .clamp(1.0, 4.0);
    let (bw, bh) = ((css_w * dpr).round() as u32, (css_h * dpr).round() as u32);
    if c.width() != bw {
        c.set_width(bw);
    }
    if c.height() != bh {
        c.set_height(bh);
    }
    let backend = FastCanvas::new(c.clone(), dom_text()).ok_or("no 2D canvas context")?;
    let root = backend.into_drawing_area();
    draw(&root, kind, runs, pal, dpr).map_err(|e| e.to_string())?;
    root.present().map_err(|e| e.to_string())?;
    let ms = now_ms() - t0;
    let draws = c
        .get_attribute("data-draws")
        .and_then(|d| d.parse::<u64>().ok())
        .unwrap_or(0);
    let _ = c.set_attribute("data-draw-ms", &format!("{ms:.2}"));
    let _ = c.set_attribute("data-draws", &(draws + 1).to_string());
    Ok(())
}

/// One chart: a canvas and its PNG button.
#[component]
fn ChartCanvas(
    kind: ChartKind,
    runs: Memo<Vec<RunView>>,
    palette: Memo<Palette>,
    redraw: RwSignal<u32>,
) -> impl IntoView {
    let canvas = NodeRef::<leptos::html::Canvas>::new();
    let msg = RwSignal::new(String::new());
    let hidden = move || kind == ChartKind::Sweep && !runs.with(|r| kind.has_data(r));
    Effect::new(move |_| {
        // A resize changes no data but the canvas size: redraw on its tick too.
        redraw.track();
        let Some(c) = canvas.get() else { return };
        let r = palette.with(|pal| runs.with(|r| paint(&c, kind, r, pal)));
        msg.set(
            r.err()
                .map(|e| format!("Chart not drawn: {e}"))
                .unwrap_or_default(),
        );
    });
    let png = move |_| {
        let r = canvas
            .get_untracked()
            .ok_or_else(|| "no chart".to_owned())
            .and_then(|c| {
                c.to_data_url_with_type("image/png")
                    .map_err(|_| "the browser refused to export the chart".to_owned())
            })
            .and_then(|url| {
                download_url(&format!("inferlab-{}.png", kind.id()), &url)
                    .map_err(|e| e.to_string())
            });
        msg.set(r.err().unwrap_or_default());
    };
    view! {
        <figure class="card lt-chart" data-testid=kind.id() class:hidden=hidden>
            <figcaption class="visually-hidden">{kind.title()}</figcaption>
            <button
                type="button"
                class="lt-png"
                data-testid=format!("{}-png", kind.id())
                title="Download this chart as a PNG image"
                on:click=png
            >
                "PNG"
            </button>
            <canvas node_ref=canvas role="img" aria-label=kind.title()></canvas>
            <span class="muted small" role="status">{move || msg.get()}</span>
        </figure>
    }
}

/// Watches `html[data-theme]` and the system scheme; bumps `tick` on a change.
fn watch_theme(tick: RwSignal<u32>) {
    let bump = move || {
        tick.try_update(|t| *t = t.wrapping_add(1));
    };
    let cb = Closure::<dyn Fn()>::new(bump);
    let observer = web_sys::MutationObserver::new(cb.as_ref().unchecked_ref()).ok();
    let root = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element());
    if let (Some(o), Some(root)) = (&observer, root) {
        let opts = web_sys::MutationObserverInit::new();
        opts.set_attributes(true);
        opts.set_attribute_filter(&js_sys::Array::of1(&JsValue::from_str("data-theme")));
        let _ = o.observe_with_options(&root, &opts);
    }
    let mq = web_sys::window()
        .and_then(|w| w.match_media("(prefers-color-scheme: dark)").ok().flatten());
    if let Some(mq) = &mq {
        let _ = mq.add_event_listener_with_callback("change", cb.as_ref().unchecked_ref());
    }
    let held = StoredValue::new_local((observer, mq, cb));
    on_cleanup(move || {
        held.try_with_value(|(o, mq, cb)| {
            if let Some(o) = o {
                o.disconnect();
            }
            if let Some(mq) = mq {
                let _ =
                    mq.remove_event_listener_with_callback("change", cb.as_ref().unchecked_ref());
            }
        });
    });
}

/// The charts of the live run and of imported runs, and the comparison section.
#[component]
pub fn LiveCharts(runner: Runner) -> impl IntoView {
    let imported = RwSignal::new(Vec::<Imported>::new());
    let redraw = RwSignal::new(0u32);
    watch_theme(redraw);
    let resize = window_event_listener(leptos::ev::resize, move |_| {
        redraw.try_update(|t| *t = t.wrapping_add(1));
    });
    on_cleanup(move || resize.remove());
    let palette = Memo::new(move |_| {
        redraw.track();
        theme_palette()
    });
    let live = Memo::new(move |_| runner.live.with(|l| live_view(l, runner.config().as_ref())));
    let imported_views = Memo::new(move |_| {
        imported.with(|list| {
            list.iter()
                .map(|i| doc_view(&i.doc, i.label()))
                .collect::<Vec<_>>()
        })
    });
    let runs = Memo::new(move |_| {
        let mut v: Vec<RunView> = live.get().into_iter().collect();
        v.extend(imported_views.get());
        v
    });
    let current = Signal::derive(move || {
        let label = live.with(|l| l.as_ref().map(|v| v.label.clone()))?;
        Some((label, runner.live.with(|l| l.summary.clone())))
    });
    view! {
        <section class="lt-results" aria-label="Charts">
            <div class="lt-charts">
                {ChartKind::ALL
                    .into_iter()
                    .map(|kind| view! { <ChartCanvas kind=kind runs=runs palette=palette redraw=redraw /> })
                    .collect_view()}
            </div>
            <CompareRuns imported=imported current=current />
        </section>
    }
}
