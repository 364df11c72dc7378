//! SVG plots: power curves and learning curves with Monte Carlo bands, a dot-and-interval chart for
//! a single size, and the evaluated points of a sample-size search (plotters, SVG backend only).
//!
//! The legend is drawn in its own panel to the right of the plotting area (`<g class="legend">`),
//! so it can never cover a curve.

use crate::montecarlo::Row;
use plotters::prelude::*;
use std::fmt::Write;

/// One curve: a label and points (x, value, ci_low, ci_high).
#[derive(Debug, Clone)]
pub struct Curve {
    /// Legend label.
    pub label: String,
    /// Points sorted by x.
    pub points: Vec<(f64, f64, f64, f64)>,
}

/// What to draw.
#[derive(Debug, Clone)]
pub struct PlotSpec {
    /// Title.
    pub title: String,
    /// X axis label (with unit).
    pub x_label: String,
    /// Y axis label.
    pub y_label: String,
    /// Y range.
    pub y_range: (f64, f64),
    /// A horizontal target line.
    pub target: Option<f64>,
    /// A marked x (the chosen N), with its label.
    pub mark: Option<(f64, String)>,
    /// Kept for callers; the legend now always sits in its own panel right of the plot.
    pub legend_top: bool,
    /// Provenance written into the SVG's `<desc>` (tool, version, seed, generator, scenario).
    pub desc: String,
}

const COLORS: [RGBColor; 8] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    // No red: red marks the chosen N.
    RGBColor(23, 190, 207),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
];

const WIDTH: u32 = 800;
const HEIGHT: u32 = 500;

/// How a legend entry is drawn.
#[derive(Clone, Copy)]
enum Key {
    Line(RGBColor, u32),
    Dot(RGBColor),
    Band(RGBColor),
}

fn hex(c: RGBColor) -> String {
    format!("#{:02X}{:02X}{:02X}", c.0, c.1, c.2)
}

fn xml(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Width of the legend panel for these labels (about 6.5 px a character at 12 px).
fn legend_width(entries: &[(String, Key)]) -> u32 {
    let chars = entries
        .iter()
        .map(|e| e.0.chars().count())
        .max()
        .unwrap_or(0);
    ((chars as f64 * 6.6) as u32 + 50).clamp(120, 300)
}

/// The legend as SVG, in a panel starting at `x0` (right of the plotting area).
fn legend_svg(entries: &[(String, Key)], x0: u32, y0: u32) -> String {
    let mut o = String::from("<g class=\"legend\">\n");
    let w = legend_width(entries) - 10;
    let h = entries.len() as u32 * 20 + 10;
    let _ = writeln!(
        o,
        "<rect x=\"{x0}\" y=\"{y0}\" width=\"{w}\" height=\"{h}\" fill=\"#FFFFFF\" stroke=\"#000000\" stroke-width=\"1\"/>"
    );
    for (k, (label, key)) in entries.iter().enumerate() {
        let y = y0 + 15 + 20 * k as u32;
        let (xa, xb) = (x0 + 8, x0 + 30);
        match key {
            Key::Line(c, width) => {
                let _ = writeln!(
                    o,
                    "<line x1=\"{xa}\" y1=\"{y}\" x2=\"{xb}\" y2=\"{y}\" stroke=\"{}\" stroke-width=\"{width}\"/>",
                    hex(*c)
                );
            }
            Key::Dot(c) => {
                let _ = writeln!(
                    o,
                    "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{}\" stroke-width=\"1\"/>\n<circle cx=\"{}\" cy=\"{y}\" r=\"3\" fill=\"{}\"/>",
                    (xa + xb) / 2,
                    y - 7,
                    (xa + xb) / 2,
                    y + 7,
                    hex(*c),
                    (xa + xb) / 2,
                    hex(*c)
                );
            }
            Key::Band(c) => {
                let _ = writeln!(
                    o,
                    "<rect x=\"{xa}\" y=\"{}\" width=\"{}\" height=\"10\" fill=\"{}\" fill-opacity=\"0.25\"/>",
                    y - 5,
                    xb - xa,
                    hex(*c)
                );
            }
        }
        let _ = writeln!(
            o,
            "<text x=\"{}\" y=\"{}\" font-family=\"sans-serif\" font-size=\"12\" fill=\"#000000\">{}</text>",
            xb + 6,
            y + 4,
            xml(label)
        );
    }
    o.push_str("</g>\n");
    o
}

/// Put the provenance `<desc>` after the opening tag and the legend before the closing one.
fn finish(mut buf: String, desc: &str, legend: &str) -> String {
    if let Some(end) = buf.rfind("</svg>") {
        buf.insert_str(end, legend);
    }
    if !desc.is_empty()
        && let Some(end) = buf.find('>')
    {
        buf.insert_str(end + 1, &format!("\n<desc>{}</desc>", xml(desc)));
    }
    buf
}

/// Curves with their 95 % Monte Carlo bands as an 800 x 500 SVG, the legend right of the plot.
///
/// ```
/// use trialsim::report::plot::{Curve, PlotSpec, svg};
/// let c = Curve { label: "any".into(), points: vec![(40.0, 0.3, 0.28, 0.32), (80.0, 0.6, 0.58, 0.62)] };
/// let spec = PlotSpec { title: "Power".into(), x_label: "N".into(), y_label: "power".into(),
///                       y_range: (0.0, 1.0), target: Some(0.8), mark: None, legend_top: false,
///                       desc: "trialsim, seed 1".into() };
/// let text = svg(&spec, &[c]).unwrap();
/// assert!(text.starts_with("<svg") && text.contains("any") && text.contains("<desc>trialsim, seed 1</desc>"));
/// ```
pub fn svg(spec: &PlotSpec, curves: &[Curve]) -> Result<String, String> {
    let mut entries: Vec<(String, Key)> = curves
        .iter()
        .enumerate()
        .map(|(k, c)| (c.label.clone(), Key::Line(COLORS[k % COLORS.len()], 2)))
        .collect();
    if let Some(t) = spec.target {
        entries.push((format!("target {t}"), Key::Line(BLACK, 1)));
    }
    if let Some((_, label)) = &spec.mark {
        entries.push((label.clone(), Key::Line(RED, 2)));
    }
    entries.push(("bands: 95 % MC interval".into(), Key::Band(COLORS[0])));
    let chart_w = WIDTH - legend_width(&entries);
    let mut buf = String::new();
    let y_top =
        draw(&mut buf, spec, curves, chart_w).map_err(|e| format!("drawing the plot: {e}"))?;
    Ok(finish(
        buf,
        &spec.desc,
        &legend_svg(&entries, chart_w + 5, y_top),
    ))
}

/// X range of points with a 2 % pad on each side.
fn x_range(xs: impl Iterator<Item = f64>) -> (f64, f64) {
    let (mut x0, mut x1) = xs.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| {
        (a.min(x), b.max(x))
    });
    if !x0.is_finite() {
        (x0, x1) = (0.0, 1.0);
    }
    if x1 <= x0 {
        x1 = x0 + 1.0;
    }
    let pad = (x1 - x0) * 0.02;
    (x0 - pad, x1 + pad)
}

/// Draw the curves in the left `chart_w` pixels; returns the top of the plotting area.
fn draw(
    buf: &mut String,
    spec: &PlotSpec,
    curves: &[Curve],
    chart_w: u32,
) -> Result<u32, Box<dyn std::error::Error>> {
    let root = SVGBackend::with_string(buf, (WIDTH, HEIGHT)).into_drawing_area();
    root.fill(&WHITE)?;
    let (left, _) = root.split_horizontally(chart_w);
    let (x0, x1) = x_range(curves.iter().flat_map(|c| c.points.iter().map(|p| p.0)));
    let mut chart = ChartBuilder::on(&left)
        .caption(&spec.title, ("sans-serif", 18))
        .margin(15)
        .x_label_area_size(45)
        .y_label_area_size(60)
        .build_cartesian_2d(x0..x1, spec.y_range.0..spec.y_range.1)?;
    chart
        .configure_mesh()
        .x_label_formatter(&|x| format!("{x:.0}"))
        .x_desc(&spec.x_label)
        .y_desc(&spec.y_label)
        .light_line_style(WHITE.mix(0.0))
        .draw()?;
    for (k, c) in curves.iter().enumerate() {
        let color = COLORS[k % COLORS.len()];
        let finite: Vec<_> = c
            .points
            .iter()
            .filter(|p| p.1.is_finite())
            .copied()
            .collect();
        let band: Vec<(f64, f64)> = finite
            .iter()
            .filter(|p| p.2.is_finite() && p.3.is_finite())
            .map(|p| (p.0, p.2))
            .chain(
                finite
                    .iter()
                    .rev()
                    .filter(|p| p.2.is_finite() && p.3.is_finite())
                    .map(|p| (p.0, p.3)),
            )
            .collect();
        if band.len() >= 4 {
            chart.draw_series(std::iter::once(Polygon::new(band, color.mix(0.18))))?;
        }
        chart.draw_series(LineSeries::new(
            finite.iter().map(|p| (p.0, p.1)),
            color.stroke_width(2),
        ))?;
        chart.draw_series(
            finite
                .iter()
                .map(|p| Circle::new((p.0, p.1), 3, color.filled())),
        )?;
    }
    if let Some(t) = spec.target {
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(x0, t), (x1, t)],
            BLACK.stroke_width(1),
        )))?;
    }
    if let Some((x, _)) = &spec.mark {
        let (y0, y1) = spec.y_range;
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(*x, y0), (*x, y1)],
            RED.stroke_width(2),
        )))?;
    }
    let top = chart.plotting_area().get_pixel_range().1.start.max(0) as u32;
    root.present()?;
    Ok(top)
}

/// One figure at one size: label, value and its 95 % Monte Carlo interval.
#[derive(Debug, Clone)]
pub struct Dot {
    /// Row label (family: hypothesis).
    pub label: String,
    /// Estimate.
    pub value: f64,
    /// Lower end of the 95 % Monte Carlo interval.
    pub low: f64,
    /// Upper end of the 95 % Monte Carlo interval.
    pub high: f64,
}

/// A dot-and-interval chart: one row per figure, the value as a dot and its 95 % Monte Carlo
/// interval as a bar on a 0 to 1 axis, for results at a single sample size (a curve needs a grid).
///
/// ```
/// use trialsim::report::plot::{Dot, dots_svg};
/// let d = [Dot { label: "clinical: madrs_change".into(), value: 0.63, low: 0.56, high: 0.70 }];
/// let text = dots_svg("Power at N = 50", "Power", Some(0.8), &d, "seed 1");
/// assert!(text.contains("<circle") && text.contains("clinical: madrs_change"));
/// ```
pub fn dots_svg(
    title: &str,
    x_label: &str,
    target: Option<f64>,
    dots: &[Dot],
    desc: &str,
) -> String {
    let label_w = dots
        .iter()
        .map(|d| d.label.chars().count())
        .max()
        .unwrap_or(0) as f64
        * 6.6
        + 20.0;
    let left = label_w.clamp(120.0, 340.0);
    let value_w = 150.0;
    let right = WIDTH as f64 - value_w;
    let top = 50.0;
    let row_h = 28.0;
    let bottom = top + row_h * dots.len().max(1) as f64;
    let height = bottom + 60.0;
    let x = |v: f64| left + (right - left) * v.clamp(0.0, 1.0);
    let mut o = String::new();
    let _ = writeln!(
        o,
        "<svg width=\"{WIDTH}\" height=\"{height}\" viewBox=\"0 0 {WIDTH} {height}\" xmlns=\"http://www.w3.org/2000/svg\">"
    );
    let _ = writeln!(o, "<desc>{}</desc>", xml(desc));
    let _ = writeln!(
        o,
        "<rect x=\"0\" y=\"0\" width=\"{WIDTH}\" height=\"{height}\" fill=\"#FFFFFF\"/>"
    );
    let _ = writeln!(
        o,
        "<text x=\"{}\" y=\"28\" text-anchor=\"middle\" font-family=\"sans-serif\" font-size=\"18\">{}</text>",
        WIDTH / 2,
        xml(title)
    );
    // Axis with ticks every 0.2.
    let _ = writeln!(
        o,
        "<line class=\"axis\" x1=\"{left}\" y1=\"{bottom}\" x2=\"{right}\" y2=\"{bottom}\" stroke=\"#000000\" stroke-width=\"1\"/>"
    );
    for k in 0..=5 {
        let v = k as f64 * 0.2;
        let _ = writeln!(
            o,
            "<line x1=\"{0}\" y1=\"{top}\" x2=\"{0}\" y2=\"{1}\" stroke=\"#000000\" stroke-opacity=\"0.15\" stroke-width=\"1\"/>\n<text class=\"tick\" x=\"{0}\" y=\"{2}\" text-anchor=\"middle\" font-family=\"sans-serif\" font-size=\"12\">{v:.1}</text>",
            x(v),
            bottom + 5.0,
            bottom + 20.0
        );
    }
    let _ = writeln!(
        o,
        "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-family=\"sans-serif\" font-size=\"13\">{}</text>",
        (left + right) / 2.0,
        bottom + 42.0,
        xml(x_label)
    );
    if let Some(t) = target {
        let _ = writeln!(
            o,
            "<line class=\"target\" x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{bottom}\" stroke=\"#000000\" stroke-dasharray=\"5,4\" stroke-width=\"1\"/>\n<text x=\"{0}\" y=\"{2}\" text-anchor=\"middle\" font-family=\"sans-serif\" font-size=\"11\">target {t}</text>",
            x(t),
            top - 6.0,
            top - 9.0
        );
    }
    for (k, d) in dots.iter().enumerate() {
        let y = top + row_h * (k as f64 + 0.5);
        let c = hex(COLORS[0]);
        let _ = writeln!(
            o,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\" font-family=\"sans-serif\" font-size=\"12\">{}</text>",
            left - 10.0,
            y + 4.0,
            xml(&d.label)
        );
        if !d.value.is_finite() {
            continue;
        }
        if d.low.is_finite() && d.high.is_finite() {
            let _ = writeln!(
                o,
                "<line class=\"interval\" x1=\"{}\" y1=\"{y}\" x2=\"{}\" y2=\"{y}\" stroke=\"{c}\" stroke-width=\"2\"/>",
                x(d.low),
                x(d.high)
            );
        }
        let _ = writeln!(
            o,
            "<circle class=\"estimate\" cx=\"{}\" cy=\"{y}\" r=\"4\" fill=\"{c}\"/>\n<text x=\"{}\" y=\"{}\" font-family=\"sans-serif\" font-size=\"12\">{:.2} ({:.2}\u{2013}{:.2})</text>",
            x(d.value),
            right + 12.0,
            y + 4.0,
            d.value,
            d.low,
            d.high
        );
    }
    o.push_str("</svg>\n");
    o
}

/// The evaluated points of a sample-size search: each N the bisection simulated, with its 95 %
/// Monte Carlo interval (no line joins them: the criterion between them was not simulated), the
/// target, the chosen N and the range of N consistent with Monte Carlo error as a shaded band.
pub fn search_svg(
    spec: &PlotSpec,
    points: &[(f64, f64, f64, f64)],
    mc_range: Option<(f64, f64)>,
) -> Result<String, String> {
    let color = COLORS[0];
    let mut entries = vec![(
        "evaluated N (95 % MC interval)".to_string(),
        Key::Dot(color),
    )];
    if let Some(t) = spec.target {
        entries.push((format!("target {t}"), Key::Line(BLACK, 1)));
    }
    if let Some((_, label)) = &spec.mark {
        entries.push((label.clone(), Key::Line(RED, 2)));
    }
    if let Some((a, b)) = mc_range {
        entries.push((
            format!("N consistent with MC error: {a:.0}\u{2013}{b:.0}"),
            Key::Band(RED),
        ));
    }
    let chart_w = WIDTH - legend_width(&entries);
    let mut buf = String::new();
    let top = draw_search(&mut buf, spec, points, mc_range, chart_w)
        .map_err(|e| format!("drawing the plot: {e}"))?;
    Ok(finish(
        buf,
        &spec.desc,
        &legend_svg(&entries, chart_w + 5, top),
    ))
}

fn draw_search(
    buf: &mut String,
    spec: &PlotSpec,
    points: &[(f64, f64, f64, f64)],
    mc_range: Option<(f64, f64)>,
    chart_w: u32,
) -> Result<u32, Box<dyn std::error::Error>> {
    let root = SVGBackend::with_string(buf, (WIDTH, HEIGHT)).into_drawing_area();
    root.fill(&WHITE)?;
    let (left, _) = root.split_horizontally(chart_w);
    let xs = points
        .iter()
        .map(|p| p.0)
        .chain(mc_range.into_iter().flat_map(|(a, b)| [a, b]))
        .chain(spec.mark.iter().map(|m| m.0));
    let (x0, x1) = x_range(xs);
    let (y0, y1) = spec.y_range;
    let mut chart = ChartBuilder::on(&left)
        .caption(&spec.title, ("sans-serif", 18))
        .margin(15)
        .x_label_area_size(45)
        .y_label_area_size(60)
        .build_cartesian_2d(x0..x1, y0..y1)?;
    chart
        .configure_mesh()
        .x_label_formatter(&|x| format!("{x:.0}"))
        .x_desc(&spec.x_label)
        .y_desc(&spec.y_label)
        .light_line_style(WHITE.mix(0.0))
        .draw()?;
    if let Some((a, b)) = mc_range {
        chart.draw_series(std::iter::once(Rectangle::new(
            [(a, y0), (b, y1)],
            RED.mix(0.12).filled(),
        )))?;
    }
    if let Some(t) = spec.target {
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(x0, t), (x1, t)],
            BLACK.stroke_width(1),
        )))?;
    }
    if let Some((x, _)) = &spec.mark {
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(*x, y0), (*x, y1)],
            RED.stroke_width(2),
        )))?;
    }
    let cap = (x1 - x0) * 0.006;
    for p in points.iter().filter(|p| p.1.is_finite()) {
        if p.2.is_finite() && p.3.is_finite() {
            chart.draw_series(
                [
                    vec![(p.0, p.2), (p.0, p.3)],
                    vec![(p.0 - cap, p.2), (p.0 + cap, p.2)],
                    vec![(p.0 - cap, p.3), (p.0 + cap, p.3)],
                ]
                .into_iter()
                .map(|v| PathElement::new(v, color_of(0).stroke_width(1))),
            )?;
        }
        chart.draw_series(std::iter::once(Circle::new(
            (p.0, p.1),
            4,
            color_of(0).filled(),
        )))?;
    }
    let top = chart.plotting_area().get_pixel_range().1.start.max(0) as u32;
    root.present()?;
    Ok(top)
}

fn color_of(k: usize) -> RGBColor {
    COLORS[k % COLORS.len()]
}

/// Curves over N of the given (family, hypothesis, metric) triples from result rows.
pub fn curves_from_rows(rows: &[Row], wanted: &[(String, String, String)]) -> Vec<Curve> {
    wanted
        .iter()
        .map(|(f, h, m)| {
            let mut points: Vec<(f64, f64, f64, f64)> = rows
                .iter()
                .filter(|r| &r.family == f && &r.hypothesis == h && &r.metric == m)
                .map(|r| (r.n_total as f64, r.value, r.ci_low, r.ci_high))
                .collect();
            points.sort_by(|a, b| a.0.total_cmp(&b.0));
            let label = if m == "power" {
                format!("{f}: {h}")
            } else {
                format!("{h} {m}")
            };
            Curve { label, points }
        })
        .filter(|c| !c.points.is_empty())
        .collect()
}
