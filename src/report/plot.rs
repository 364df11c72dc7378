//! SVG plots: power curves and learning curves with Monte Carlo bands (plotters, SVG backend only).

use crate::montecarlo::Row;
use plotters::prelude::*;

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
    /// Put the legend at the top (for curves that stay low) instead of the bottom right.
    pub legend_top: bool,
    /// Provenance written into the SVG's `<desc>` (tool, version, seed, generator, scenario).
    pub desc: String,
}

const COLORS: [RGBColor; 8] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
];

/// Curves with their 95 % Monte Carlo bands as an 800 x 500 SVG.
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
    let mut buf = String::new();
    draw(&mut buf, spec, curves).map_err(|e| format!("drawing the plot: {e}"))?;
    if !spec.desc.is_empty()
        && let Some(end) = buf.find('>')
    {
        let desc = spec
            .desc
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;");
        buf.insert_str(end + 1, &format!("\n<desc>{desc}</desc>"));
    }
    Ok(buf)
}

fn draw(
    buf: &mut String,
    spec: &PlotSpec,
    curves: &[Curve],
) -> Result<(), Box<dyn std::error::Error>> {
    let root = SVGBackend::with_string(buf, (800, 500)).into_drawing_area();
    root.fill(&WHITE)?;
    let xs: Vec<f64> = curves
        .iter()
        .flat_map(|c| c.points.iter().map(|p| p.0))
        .collect();
    let (mut x0, mut x1) = xs
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| {
            (a.min(x), b.max(x))
        });
    if !x0.is_finite() {
        (x0, x1) = (0.0, 1.0);
    }
    if x1 <= x0 {
        x1 = x0 + 1.0;
    }
    let pad = (x1 - x0) * 0.02;
    let mut chart = ChartBuilder::on(&root)
        .caption(&spec.title, ("sans-serif", 20))
        .margin(15)
        .x_label_area_size(45)
        .y_label_area_size(60)
        .build_cartesian_2d((x0 - pad)..(x1 + pad), spec.y_range.0..spec.y_range.1)?;
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
        chart
            .draw_series(LineSeries::new(
                finite.iter().map(|p| (p.0, p.1)),
                color.stroke_width(2),
            ))?
            .label(c.label.clone())
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2))
            });
        chart.draw_series(
            finite
                .iter()
                .map(|p| Circle::new((p.0, p.1), 3, color.filled())),
        )?;
    }
    if let Some(t) = spec.target {
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(x0 - pad, t), (x1 + pad, t)],
                BLACK.stroke_width(1),
            )))?
            .label(format!("target {t}"))
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], BLACK.stroke_width(1)));
    }
    if let Some((x, label)) = &spec.mark {
        let (y0, y1) = spec.y_range;
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(*x, y0), (*x, y1)],
                RED.stroke_width(2),
            )))?
            .label(label.clone())
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], RED.stroke_width(2)));
    }
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .position(if spec.legend_top {
            SeriesLabelPosition::UpperRight
        } else {
            SeriesLabelPosition::LowerRight
        })
        .draw()?;
    root.present()?;
    Ok(())
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
