//! Drawing the load-test charts with plotters, on any backend (the page uses [`FastCanvas`]).
//!
//! Everything is laid out in backing-store pixels: the caller passes `scale` (the device
//! pixel ratio) and every font size, margin, stroke and marker is multiplied by it, so a
//! canvas whose backing size is CSS size × DPR is sharp on HiDPI screens.

use std::error::Error;

use inferlab_loadtest::stats::Bin;
use inferlab_loadtest::summary::{Bucket, SweepRow};
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters_backend::{BackendColor, BackendCoord, BackendTextStyle, DrawingErrorKind};
use plotters_canvas::CanvasBackend;
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

/// One per-request point of the latency chart.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LatencyPoint {
    /// Request start, s since the run started.
    pub t_s: f64,
    /// TTFT, ms.
    pub ttft_ms: f64,
    /// End-to-end latency, ms (NaN when unknown).
    pub e2e_ms: f64,
}

/// What the sweep's x axis counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SweepX {
    /// Concurrent users (closed loop).
    #[default]
    Users,
    /// Requests per second (open loop).
    Rate,
}

/// Everything the charts draw for one run (the live one or an imported one).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RunView {
    /// Legend label.
    pub label: String,
    /// Per-second buckets: tokens/s and active requests.
    pub series: Vec<Bucket>,
    /// Per-request TTFT and E2E.
    pub points: Vec<LatencyPoint>,
    /// ITL histogram.
    pub itl_bins: Vec<Bin>,
    /// Sweep rows (empty unless the run was a sweep).
    pub sweep: Vec<SweepRow>,
    /// The sweep's x axis.
    pub sweep_x: SweepX,
}

/// The five charts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChartKind {
    /// System output tokens/s over time.
    Tps,
    /// Requests in flight over time.
    Active,
    /// TTFT and E2E per request over time.
    Latency,
    /// ITL histogram.
    Itl,
    /// Sweep: users/rate vs tokens/s in total and per user.
    Sweep,
}

impl ChartKind {
    /// All charts, in page order.
    pub const ALL: [ChartKind; 5] = [
        ChartKind::Tps,
        ChartKind::Active,
        ChartKind::Latency,
        ChartKind::Itl,
        ChartKind::Sweep,
    ];

    /// Caption (drawn in the canvas, so the PNG carries it too).
    pub fn title(self) -> &'static str {
        match self {
            ChartKind::Tps => "System output tokens/s",
            ChartKind::Active => "Active requests",
            ChartKind::Latency => "TTFT and E2E per request",
            ChartKind::Itl => "Inter-token latency (ITL) histogram",
            ChartKind::Sweep => "Sweep: output tokens/s",
        }
    }

    /// `data-testid` of the figure and stem of the PNG's file name.
    pub fn id(self) -> &'static str {
        match self {
            ChartKind::Tps => "chart-tps",
            ChartKind::Active => "chart-active",
            ChartKind::Latency => "chart-latency",
            ChartKind::Itl => "chart-itl",
            ChartKind::Sweep => "chart-sweep",
        }
    }

    /// Whether any run has data for this chart.
    pub fn has_data(self, runs: &[RunView]) -> bool {
        runs.iter().any(|r| match self {
            ChartKind::Tps | ChartKind::Active => !r.series.is_empty(),
            ChartKind::Latency => !r.points.is_empty(),
            ChartKind::Itl => r.itl_bins.iter().any(|b| b.count > 0),
            ChartKind::Sweep => !r.sweep.is_empty(),
        })
    }
}

/// Theme colours, resolved from the page's CSS variables before each draw.
#[derive(Debug, Clone, PartialEq)]
pub struct Palette {
    /// Chart background (`--surface`).
    pub bg: RGBColor,
    /// Captions and tick labels (`--text`).
    pub text: RGBColor,
    /// Axis descriptions (`--muted`).
    pub muted: RGBColor,
    /// Grid and axis lines (`--border`).
    pub grid: RGBColor,
    /// One colour per run (or per series when a single run is shown).
    pub series: Vec<RGBColor>,
}

impl Palette {
    fn color(&self, i: usize) -> RGBColor {
        self.series
            .get(i % self.series.len().max(1))
            .copied()
            .unwrap_or(self.text)
    }
}

type DrawResult = Result<(), Box<dyn Error>>;

/// Tick label: at most two decimals, trailing zeros dropped.
fn tick(v: &f64) -> String {
    let s = format!("{v:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".to_owned()
    } else {
        s.to_owned()
    }
}

/// Upper end of an axis: the data max plus headroom; never empty.
fn upper(max: f64) -> f64 {
    if max.is_finite() && max > 0.0 {
        max * 1.08
    } else {
        1.0
    }
}

/// Upper end of an axis under an upper-corner legend of `entries` lines: room above the data
/// so the legend does not hide points.
fn upper_legend(max: f64, entries: usize) -> f64 {
    upper(max) * (1.0 + 0.16 * entries.min(6) as f64)
}

/// Draws `kind` for `runs` on `root` (whose pixels are `scale` × CSS pixels).
pub fn draw(
    root: &DrawingArea<FastCanvas, Shift>,
    kind: ChartKind,
    runs: &[RunView],
    pal: &Palette,
    scale: f64,
) -> DrawResult {
    root.fill(&pal.bg)?;
    let px = |v: f64| (v * scale).round() as i32;
    let caption = ("sans-serif", 14.0 * scale)
        .into_font()
        .style(FontStyle::Bold)
        .color(&pal.text);
    let (w, _) = root.dim_in_pixel();
    let narrow = f64::from(w) / scale < 420.0;
    if !kind.has_data(runs) {
        root.draw(&Text::new(kind.title(), (px(10.0), px(8.0)), caption))?;
        root.draw(&Text::new(
            "No data yet",
            (px(10.0), px(36.0)),
            ("sans-serif", 12.0 * scale).into_font().color(&pal.muted),
        ))?;
        return Ok(());
    }
    let mut b = ChartBuilder::on(root);
    b.caption(kind.title(), caption)
        .margin(px(10.0))
        .margin_top(px(6.0))
        .x_label_area_size(px(38.0))
        .y_label_area_size(px(if narrow { 50.0 } else { 58.0 }));
    if kind == ChartKind::Sweep {
        b.right_y_label_area_size(px(if narrow { 50.0 } else { 58.0 }));
    }
    let ctx = Ctx {
        pal,
        scale,
        single: runs.len() == 1,
        narrow,
    };
    match kind {
        ChartKind::Tps => time_series(&mut b, runs, &ctx, "tokens/s", |b| b.tokens_per_s),
        ChartKind::Active => time_series(&mut b, runs, &ctx, "requests in flight", |b| {
            b.active_max as f64
        }),
        ChartKind::Latency => latency(&mut b, runs, &ctx),
        ChartKind::Itl => itl(&mut b, runs, &ctx),
        ChartKind::Sweep => sweep(&mut b, runs, &ctx),
    }
}

struct Ctx<'p> {
    pal: &'p Palette,
    scale: f64,
    single: bool,
    narrow: bool,
}

impl Ctx<'_> {
    fn px(&self, v: f64) -> i32 {
        (v * self.scale).round() as i32
    }
    fn font(&self, size: f64, color: RGBColor) -> TextStyle<'static> {
        ("sans-serif", size * self.scale).into_font().color(&color)
    }
    fn labels(&self) -> usize {
        if self.narrow {
            4
        } else {
            7
        }
    }
}

/// Grid, ticks and axis descriptions in theme colours.
fn mesh(
    chart: &mut ChartContext<'_, FastCanvas, Cartesian2d<RangedCoordf64, RangedCoordf64>>,
    ctx: &Ctx<'_>,
    x_desc: &str,
    y_desc: &str,
) -> DrawResult {
    chart
        .configure_mesh()
        .bold_line_style(ctx.pal.grid.stroke_width(ctx.px(1.0).max(1) as u32))
        .light_line_style(TRANSPARENT)
        .axis_style(ctx.pal.muted.stroke_width(ctx.px(1.0).max(1) as u32))
        .x_labels(ctx.labels())
        .y_labels(5)
        .x_label_formatter(&tick)
        .y_label_formatter(&tick)
        .label_style(ctx.font(11.0, ctx.pal.text))
        .axis_desc_style(ctx.font(11.0, ctx.pal.muted))
        .set_all_tick_mark_size(ctx.px(3.0))
        .x_desc(x_desc)
        .y_desc(y_desc)
        .draw()?;
    Ok(())
}

fn legend(
    chart: &mut ChartContext<'_, FastCanvas, Cartesian2d<RangedCoordf64, RangedCoordf64>>,
    ctx: &Ctx<'_>,
) -> DrawResult {
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .margin(ctx.px(6.0))
        .legend_area_size(ctx.px(22.0))
        .background_style(ctx.pal.bg.mix(0.85))
        .border_style(ctx.pal.grid)
        .label_font(ctx.font(11.0, ctx.pal.text))
        .draw()?;
    Ok(())
}

fn line_legend(
    color: RGBColor,
    ctx: &Ctx<'_>,
) -> impl Fn(BackendCoord) -> PathElement<BackendCoord> {
    let (w, s) = (ctx.px(16.0), ctx.px(2.0).max(1) as u32);
    move |(x, y)| PathElement::new(vec![(x, y), (x + w, y)], color.stroke_width(s))
}

/// Up to this many buckets, a time series also marks its points.
const FEW_POINTS: usize = 3;

fn time_series(
    b: &mut ChartBuilder<'_, '_, FastCanvas>,
    runs: &[RunView],
    ctx: &Ctx<'_>,
    y_desc: &str,
    value: fn(&Bucket) -> f64,
) -> DrawResult {
    let secs = |r: &RunView| {
        r.series
            .last()
            .map_or(0.0, |b| (b.t_ms + b.span_ms) / 1000.0)
    };
    let xmax = runs.iter().map(secs).fold(1.0, f64::max);
    let ymax = runs
        .iter()
        .flat_map(|r| r.series.iter().map(value))
        .fold(0.0, f64::max);
    let entries = if ctx.single { 0 } else { runs.len() };
    let mut chart = b.build_cartesian_2d(0.0..xmax, 0.0..upper_legend(ymax, entries))?;
    mesh(&mut chart, ctx, "time since start (s)", y_desc)?;
    let stroke = ctx.px(2.0).max(1) as u32;
    for (i, r) in runs.iter().enumerate() {
        let color = ctx.pal.color(i);
        // A bucket's value is plotted at the middle of the time it covers ([t, t + 1 s),
        // the newest only up to the run's latest event).
        let pts = r
            .series
            .iter()
            .map(|b| ((b.t_ms + b.span_ms / 2.0) / 1000.0, value(b)));
        let s = chart.draw_series(LineSeries::new(pts.clone(), color.stroke_width(stroke)))?;
        if !ctx.single {
            s.label(r.label.clone()).legend(line_legend(color, ctx));
        }
        // A run of a second or two has one or two buckets: a line alone would be a dot's
        // worth of ink or nothing, so mark the points.
        if r.series.len() <= FEW_POINTS {
            let dot = ctx.px(3.0).max(2);
            chart.draw_series(pts.map(|p| Circle::new(p, dot, color.filled())))?;
        }
    }
    if !ctx.single {
        legend(&mut chart, ctx)?;
    }
    Ok(())
}

fn latency(
    b: &mut ChartBuilder<'_, '_, FastCanvas>,
    runs: &[RunView],
    ctx: &Ctx<'_>,
) -> DrawResult {
    let xmax = runs
        .iter()
        .flat_map(|r| r.points.iter().map(|p| p.t_s))
        .fold(1.0, f64::max);
    let ymax = runs
        .iter()
        .flat_map(|r| r.points.iter().flat_map(|p| [p.ttft_ms, p.e2e_ms]))
        .filter(|v| v.is_finite())
        .fold(0.0, f64::max);
    // One legend line per run (several runs) or per metric (one run), to keep it short.
    let entries = if ctx.single { 2 } else { runs.len() };
    let mut chart = b.build_cartesian_2d(0.0..xmax * 1.02, 0.0..upper_legend(ymax, entries))?;
    let y_desc = if ctx.single {
        "latency (ms)"
    } else {
        "ms (● TTFT, ○ E2E)"
    };
    mesh(&mut chart, ctx, "request start (s)", y_desc)?;
    let r_dot = ctx.px(2.5).max(2);
    let ring = ctx.px(1.2).max(1) as u32;
    for (i, r) in runs.iter().enumerate() {
        // One run: colour by metric; several: colour by run, filled = TTFT, ring = E2E.
        let (c_ttft, c_e2e) = if ctx.single {
            (ctx.pal.color(0), ctx.pal.color(1))
        } else {
            (ctx.pal.color(i), ctx.pal.color(i))
        };
        let e2e = chart.draw_series(
            r.points
                .iter()
                .filter(|p| p.e2e_ms.is_finite())
                .map(|p| Circle::new((p.t_s, p.e2e_ms), r_dot + 1, c_e2e.stroke_width(ring))),
        )?;
        if ctx.single {
            e2e.label("E2E").legend(move |(x, y)| {
                Circle::new((x + r_dot * 2, y), r_dot + 1, c_e2e.stroke_width(ring))
            });
        }
        let label = if ctx.single {
            "TTFT".to_owned()
        } else {
            r.label.clone()
        };
        chart
            .draw_series(
                r.points
                    .iter()
                    .map(|p| Circle::new((p.t_s, p.ttft_ms), r_dot, c_ttft.filled())),
            )?
            .label(label)
            .legend(move |(x, y)| Circle::new((x + r_dot * 2, y), r_dot, c_ttft.filled()));
    }
    legend(&mut chart, ctx)
}

fn itl(b: &mut ChartBuilder<'_, '_, FastCanvas>, runs: &[RunView], ctx: &Ctx<'_>) -> DrawResult {
    fn bins(r: &RunView) -> impl Iterator<Item = &Bin> {
        r.itl_bins
            .iter()
            .filter(|b| b.hi.is_finite() && b.lo.is_finite())
    }
    let lo = runs
        .iter()
        .flat_map(|r| bins(r).map(|b| b.lo))
        .fold(f64::INFINITY, f64::min);
    let hi = runs
        .iter()
        .flat_map(|r| bins(r).map(|b| b.hi))
        .fold(f64::NEG_INFINITY, f64::max);
    let (lo, hi) = if lo.is_finite() && hi > lo {
        let pad = (hi - lo) * 0.03;
        ((lo - pad).max(0.0), hi + pad)
    } else {
        (0.0, lo.max(0.0) + 1.0)
    };
    // Share of each run's gaps, so runs of different lengths compare.
    let share = |r: &RunView| {
        let total: u64 = r.itl_bins.iter().map(|b| b.count).sum();
        move |b: &Bin| b.count as f64 * 100.0 / total.max(1) as f64
    };
    let ymax = runs
        .iter()
        .flat_map(|r| {
            let f = share(r);
            r.itl_bins.iter().map(f).collect::<Vec<_>>()
        })
        .fold(0.0, f64::max);
    let entries = if ctx.single { 0 } else { runs.len() };
    let mut chart = b.build_cartesian_2d(lo..hi, 0.0..upper_legend(ymax, entries))?;
    mesh(&mut chart, ctx, "gap between chunks (ms)", "% of gaps")?;
    let line = ctx.px(1.0).max(1) as u32;
    for (i, r) in runs.iter().enumerate() {
        let color = ctx.pal.color(i);
        let f = share(r);
        let fill = if ctx.single { 0.75 } else { 0.35 };
        let s = chart.draw_series(
            r.itl_bins
                .iter()
                .filter(|b| b.count > 0)
                .map(|b| Rectangle::new([(b.lo, 0.0), (b.hi, f(b))], color.mix(fill).filled())),
        )?;
        if !ctx.single {
            let w = ctx.px(12.0);
            s.label(r.label.clone()).legend(move |(x, y)| {
                Rectangle::new(
                    [(x, y - w / 2), (x + w, y + w / 2)],
                    color.mix(fill).filled(),
                )
            });
        }
        chart.draw_series(
            r.itl_bins
                .iter()
                .filter(|b| b.count > 0)
                .map(|b| Rectangle::new([(b.lo, 0.0), (b.hi, f(b))], color.stroke_width(line))),
        )?;
    }
    if !ctx.single {
        legend(&mut chart, ctx)?;
    }
    Ok(())
}

fn sweep(b: &mut ChartBuilder<'_, '_, FastCanvas>, runs: &[RunView], ctx: &Ctx<'_>) -> DrawResult {
    let rows = || runs.iter().flat_map(|r| r.sweep.iter());
    let xmax = rows().map(|r| r.x).fold(1.0, f64::max);
    let y1 = rows().map(|r| r.output_tps_system).fold(0.0, f64::max);
    let y2 = rows().map(|r| r.output_tps_per_user).fold(0.0, f64::max);
    let x_desc = match runs.iter().find(|r| !r.sweep.is_empty()).map(|r| r.sweep_x) {
        Some(SweepX::Rate) => "request rate (req/s)",
        _ => "concurrent users",
    };
    // Legend entries: total and per user for each run with a sweep.
    let with_sweep = runs.iter().filter(|r| !r.sweep.is_empty()).count();
    let entries = if ctx.single { 2 } else { with_sweep };
    let mut chart = b
        .build_cartesian_2d(0.0..xmax * 1.05, 0.0..upper_legend(y1, entries))?
        .set_secondary_coord(0.0..xmax * 1.05, 0.0..upper_legend(y2, entries));
    mesh(&mut chart, ctx, x_desc, "total tokens/s (solid)")?;
    chart
        .configure_secondary_axes()
        .axis_style(ctx.pal.muted.stroke_width(ctx.px(1.0).max(1) as u32))
        .y_labels(5)
        .y_label_formatter(&tick)
        .label_style(ctx.font(11.0, ctx.pal.text))
        .axis_desc_style(ctx.font(11.0, ctx.pal.muted))
        .y_desc("per user tokens/s (dashed)")
        .draw()?;
    let stroke = ctx.px(2.0).max(1) as u32;
    let dot = ctx.px(3.0).max(2);
    for (i, r) in runs.iter().enumerate().filter(|(_, r)| !r.sweep.is_empty()) {
        let (c_tot, c_user) = if ctx.single {
            (ctx.pal.color(0), ctx.pal.color(1))
        } else {
            (ctx.pal.color(i), ctx.pal.color(i))
        };
        let tot: Vec<(f64, f64)> = r.sweep.iter().map(|s| (s.x, s.output_tps_system)).collect();
        let user: Vec<(f64, f64)> = r
            .sweep
            .iter()
            .map(|s| (s.x, s.output_tps_per_user))
            .collect();
        chart
            .draw_series(LineSeries::new(
                tot.iter().copied(),
                c_tot.stroke_width(stroke),
            ))?
            .label(if ctx.single {
                "total".to_owned()
            } else {
                r.label.clone()
            })
            .legend(line_legend(c_tot, ctx));
        chart.draw_series(tot.iter().map(|p| Circle::new(*p, dot, c_tot.filled())))?;
        let (dash, gap) = (ctx.px(6.0), ctx.px(4.0));
        let per_user = chart.draw_secondary_series(DashedLineSeries::new(
            user.iter().copied(),
            dash,
            gap,
            c_user.stroke_width(stroke),
        ))?;
        if ctx.single {
            per_user.label("per user").legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + dash, y)], c_user.stroke_width(stroke))
            });
        }
        chart.draw_secondary_series(
            user.iter()
                .map(|p| Circle::new(*p, dot, c_user.stroke_width(stroke))),
        )?;
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .margin(ctx.px(6.0))
        .legend_area_size(ctx.px(22.0))
        .background_style(ctx.pal.bg.mix(0.85))
        .border_style(ctx.pal.grid)
        .label_font(ctx.font(11.0, ctx.pal.text))
        .draw()?;
    Ok(())
}

/// `plotters_canvas::CanvasBackend` with text measured by the canvas (`measureText`)
/// instead of plotters' default for the web, which adds a `<span>` to the page and reads its
/// size, forcing a layout of the whole page for every tick label.
pub struct FastCanvas {
    inner: CanvasBackend,
    ctx: CanvasRenderingContext2d,
    dom_text: bool,
}

impl FastCanvas {
    /// Wraps a canvas; `dom_text` keeps plotters' own text measuring (for comparison).
    pub fn new(canvas: HtmlCanvasElement, dom_text: bool) -> Option<Self> {
        let ctx: CanvasRenderingContext2d = canvas.get_context("2d").ok()??.dyn_into().ok()?;
        let inner = CanvasBackend::with_canvas_object(canvas)?;
        Some(Self {
            inner,
            ctx,
            dom_text,
        })
    }
}

type BResult = Result<(), DrawingErrorKind<<CanvasBackend as DrawingBackend>::ErrorType>>;

impl DrawingBackend for FastCanvas {
    type ErrorType = <CanvasBackend as DrawingBackend>::ErrorType;

    fn get_size(&self) -> (u32, u32) {
        self.inner.get_size()
    }
    fn ensure_prepared(&mut self) -> BResult {
        self.inner.ensure_prepared()
    }
    fn present(&mut self) -> BResult {
        self.inner.present()
    }
    fn draw_pixel(&mut self, point: BackendCoord, color: BackendColor) -> BResult {
        self.inner.draw_pixel(point, color)
    }
    fn draw_line<S: plotters_backend::BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> BResult {
        self.inner.draw_line(from, to, style)
    }
    fn draw_rect<S: plotters_backend::BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> BResult {
        self.inner.draw_rect(upper_left, bottom_right, style, fill)
    }
    fn draw_path<S: plotters_backend::BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> BResult {
        self.inner.draw_path(path, style)
    }
    fn draw_circle<S: plotters_backend::BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> BResult {
        self.inner.draw_circle(center, radius, style, fill)
    }
    fn fill_polygon<S: plotters_backend::BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> BResult {
        self.inner.fill_polygon(vert, style)
    }
    fn draw_text<S: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &S,
        pos: BackendCoord,
    ) -> BResult {
        self.inner.draw_text(text, style, pos)
    }
    fn estimate_text_size<S: BackendTextStyle>(
        &self,
        text: &str,
        style: &S,
    ) -> Result<(u32, u32), DrawingErrorKind<Self::ErrorType>> {
        if self.dom_text {
            return self.inner.estimate_text_size(text, style);
        }
        self.ctx.set_font(&format!(
            "{} {}px {}",
            style.style().as_str(),
            style.size(),
            style.family().as_str()
        ));
        let w = self
            .ctx
            .measure_text(text)
            .map(|m| m.width())
            .unwrap_or(0.0);
        // Line height like a browser's `normal` (≈ 1.15 em). Unrotated, as plotters' own
        // measuring reports it (the caller applies the rotation).
        Ok((w.ceil() as u32, (style.size() * 1.15).ceil() as u32))
    }
}
