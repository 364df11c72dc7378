//! Plots and the HTML report, checked as documents: the SVG is parsed as XML, the report's
//! sections and figures are compared with the JSON output of the same run.

mod common;
use common::{stdout_of, trialsim};

const SMALL: &str = r#"{
  "name": "small",
  "description": "A small study for report tests",
  "design": {"controls": 20, "patients": 30, "arms": [{"name": "drug"}, {"name": "placebo"}]},
  "measures": {"correlation": {"baseline": 0.4, "change": 0.2}, "regions": [
    {"name": "a", "control_mean": 1.0, "between_sd": 0.06, "test_retest_cv": 0.04, "patient_shift_d": -0.6},
    {"name": "b", "control_mean": 1.1, "between_sd": 0.06, "test_retest_cv": 0.05}]},
  "arms": {"drug": {"change_pct": {"a": 4}, "change_sd_pct": 3, "baseline_improvement_corr": {"a": -0.4},
                    "improvement_mean": 12, "improvement_sd": 9},
           "placebo": {"improvement_mean": 5, "improvement_sd": 7}},
  "analysis": {"families": [
    {"name": "clinical", "kind": "clinical", "endpoints": ["change"], "multiplicity": "none"},
    {"name": "baseline", "kind": "baseline_difference", "multiplicity": "holm"},
    {"name": "change", "kind": "arm_change", "multiplicity": "holm"},
    {"name": "prediction", "kind": "prediction", "arm": "drug", "models": ["ridge"], "penalty": 0.1}]}
}"#;

#[test]
fn power_plot_has_axes_legend_and_one_curve_per_hypothesis() {
    let dir = tempfile::tempdir().unwrap();
    let scen = dir.path().join("small.json");
    std::fs::write(&scen, SMALL).unwrap();
    let svg_path = dir.path().join("curve.svg");
    trialsim()
        .arg("power")
        .arg(&scen)
        .args([
            "--reps",
            "200",
            "--n-grid",
            "30:90:20",
            "--plot-hypothesis",
            "baseline:a",
            "--plot-hypothesis",
            "change:any",
            "--plot-hypothesis",
            "clinical:madrs_change",
            "--plot",
        ])
        .arg(&svg_path)
        .assert()
        .success();
    let text = std::fs::read_to_string(&svg_path).unwrap();
    let doc = roxmltree::Document::parse(&text).expect("the plot is well-formed SVG");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "svg");
    assert_eq!(root.attribute("width"), Some("800"));
    assert_eq!(root.attribute("height"), Some("500"));
    let texts: Vec<String> = doc
        .descendants()
        .filter(|n| n.tag_name().name() == "text")
        .map(|n| n.text().unwrap_or("").trim().to_string())
        .collect();
    assert!(
        texts
            .iter()
            .any(|t| t == "Total enrolled N (controls + patients)"),
        "x axis label"
    );
    assert!(
        texts.iter().any(|t| t.starts_with("Power (alpha")),
        "y axis label"
    );
    for label in ["baseline: a", "change: any", "clinical: madrs_change"] {
        assert!(texts.iter().any(|t| t == label), "legend entry {label}");
    }
    // One polyline per curve carries a point per N (4 grid points); legend samples have 2.
    let curves = doc
        .descendants()
        .filter(|n| n.tag_name().name() == "polyline")
        .filter(|n| {
            n.attribute("points")
                .is_some_and(|p| p.split_whitespace().count() == 4)
        })
        .count();
    assert_eq!(curves, 3, "one curve per requested hypothesis");
    // And a band (polygon) per curve.
    assert!(
        doc.descendants()
            .filter(|n| n.tag_name().name() == "polygon")
            .count()
            >= 3
    );
}

#[test]
fn report_has_every_section_and_the_same_figures_as_the_json_output() {
    let dir = tempfile::tempdir().unwrap();
    let scen = dir.path().join("small.json");
    std::fs::write(&scen, SMALL).unwrap();
    let html_path = dir.path().join("report.html");
    trialsim()
        .arg("report")
        .arg(&scen)
        .args([
            "--reps", "300", "--seed", "5", "--n-grid", "30:70:20", "--max-n", "300", "--out",
        ])
        .arg(&html_path)
        .assert()
        .success();
    let html = std::fs::read_to_string(&html_path).unwrap();
    for id in [
        "scenario",
        "implied",
        "power",
        "curve",
        "prediction",
        "sample-size",
        "methods",
        "reproducibility",
    ] {
        assert!(
            html.contains(&format!("id=\"{id}\"")),
            "section {id} missing"
        );
    }
    assert!(html.contains("<svg"), "inline plots");
    assert!(html.contains("Operating characteristics were estimated by Monte Carlo simulation"));
    // The embedded figures equal those of `power` with the same seed and replicates.
    let json_path = dir.path().join("power.json");
    trialsim()
        .arg("power")
        .arg(&scen)
        .args(["--reps", "300", "--seed", "5", "--no-timing", "--out"])
        .arg(&json_path)
        .assert()
        .success();
    let power: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&json_path).unwrap()).unwrap();
    let start = html.find("id=\"trialsim-results\">").unwrap() + "id=\"trialsim-results\">".len();
    let end = html[start..].find("</script>").unwrap() + start;
    let embedded: serde_json::Value =
        serde_json::from_str(&html[start..end].replace("<\\/", "</")).unwrap();
    assert_eq!(embedded["rows_own"], power["rows"]);
    assert_eq!(embedded["scenario"], power["scenario"]);
    assert_eq!(embedded["run"]["seed"], 5);
    // The visible table shows the same power, rounded to its Monte Carlo error.
    let row = power["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| {
            r["family"] == "clinical" && r["hypothesis"] == "madrs_change" && r["metric"] == "power"
        })
        .unwrap();
    let shown = trialsim::report::results::fmt_pm(
        row["value"].as_f64().unwrap(),
        row["mc_se"].as_f64().unwrap(),
    );
    assert!(html.contains(&shown), "power {shown} not in the report");
    // The sample-size answer in the text matches the embedded one.
    let n = embedded["sample_size"]["n_total"]
        .as_u64()
        .expect("target reached in this scenario");
    assert!(html.contains(&format!("<b>{n}</b>")));
}

#[test]
fn completions_and_help_examples() {
    for shell in ["bash", "zsh", "fish"] {
        let out = stdout_of(["completions", shell]);
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.contains("sample-size") && text.contains("merge"),
            "{shell} completion"
        );
    }
    for cmd in [
        "validate",
        "simulate",
        "power",
        "sample-size",
        "report",
        "merge",
        "completions",
    ] {
        let out = stdout_of([cmd, "--help"]);
        assert!(
            String::from_utf8(out).unwrap().contains("Example"),
            "{cmd} --help has an example"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Geometry of the SVG plots, read back from the documents.

/// Axis-aligned box (x0, y0, x1, y1).
type Box4 = (f64, f64, f64, f64);

fn num_attr(n: roxmltree::Node, a: &str) -> Option<f64> {
    n.attribute(a).and_then(|v| v.parse().ok())
}

fn in_legend(n: roxmltree::Node) -> bool {
    n.ancestors().any(|a| {
        a.attribute("class")
            .is_some_and(|c| c.split(' ').any(|w| w == "legend"))
    })
}

fn points_of(n: roxmltree::Node) -> Vec<(f64, f64)> {
    n.attribute("points")
        .unwrap_or("")
        .split_whitespace()
        .filter_map(|p| {
            let (x, y) = p.split_once(',')?;
            Some((x.parse().ok()?, y.parse().ok()?))
        })
        .collect()
}

fn grow(b: &mut Option<Box4>, x: f64, y: f64) {
    *b = Some(match *b {
        None => (x, y, x, y),
        Some((a, c, d, e)) => (a.min(x), c.min(y), d.max(x), e.max(y)),
    });
}

fn overlap(a: Box4, b: Box4) -> bool {
    a.0 < b.2 && b.0 < a.2 && a.1 < b.3 && b.1 < a.3
}

/// The box of everything drawn in the data area: curves, bands, points, axes and grid lines
/// (everything but text and the legend).
fn plot_area(doc: &roxmltree::Document) -> Box4 {
    let mut b = None;
    for n in doc.descendants().filter(|n| !in_legend(*n)) {
        match n.tag_name().name() {
            "polyline" | "polygon" => {
                for (x, y) in points_of(n) {
                    grow(&mut b, x, y);
                }
            }
            "line" => {
                if let (Some(x1), Some(y1), Some(x2), Some(y2)) = (
                    num_attr(n, "x1"),
                    num_attr(n, "y1"),
                    num_attr(n, "x2"),
                    num_attr(n, "y2"),
                ) {
                    grow(&mut b, x1, y1);
                    grow(&mut b, x2, y2);
                }
            }
            "circle" => {
                if let (Some(x), Some(y)) = (num_attr(n, "cx"), num_attr(n, "cy")) {
                    grow(&mut b, x, y);
                }
            }
            _ => {}
        }
    }
    b.expect("something is drawn")
}

/// Numeric tick labels on one row (same y): (pixel x, value), at least three of them.
fn x_ticks(doc: &roxmltree::Document) -> Vec<(f64, f64)> {
    let mut by_y: std::collections::BTreeMap<String, Vec<(f64, f64)>> = Default::default();
    for n in doc.descendants().filter(|n| n.tag_name().name() == "text") {
        let t = n.text().unwrap_or("").trim();
        if let (Ok(v), Some(x), Some(y)) = (t.parse::<f64>(), num_attr(n, "x"), n.attribute("y")) {
            by_y.entry(y.to_string()).or_default().push((x, v));
        }
    }
    by_y.into_values()
        .filter(|t| t.len() >= 3)
        .max_by_key(|t| t.len())
        .expect("an x axis with numeric ticks")
}

/// Pixel x to data value, from the first and last tick of the x axis.
fn x_to_value(ticks: &[(f64, f64)]) -> impl Fn(f64) -> f64 + use<> {
    let (a, b) = (ticks[0], ticks[ticks.len() - 1]);
    move |px| a.1 + (px - a.0) * (b.1 - a.1) / (b.0 - a.0)
}

#[test]
fn power_curve_legend_lies_outside_the_plot_area() {
    let dir = tempfile::tempdir().unwrap();
    let scen = dir.path().join("small.json");
    std::fs::write(&scen, SMALL).unwrap();
    let svg_path = dir.path().join("curve.svg");
    trialsim()
        .arg("power")
        .arg(&scen)
        .args(["--reps", "100", "--n-grid", "30:90:20", "--plot"])
        .arg(&svg_path)
        .assert()
        .success();
    let text = std::fs::read_to_string(&svg_path).unwrap();
    let doc = roxmltree::Document::parse(&text).unwrap();
    let area = plot_area(&doc);
    // The legend: every text naming a curve, the target or the chosen N (about 7 px a character
    // at 12 px), and the legend's frame where there is one.
    let labels = [
        "clinical: madrs_change",
        "baseline: any",
        "change: any",
        "target 0.8",
    ];
    let mut legend = None;
    for n in doc.descendants().filter(|n| n.tag_name().name() == "text") {
        let t = n.text().unwrap_or("").trim();
        if labels.contains(&t) {
            let (x, y) = (num_attr(n, "x").unwrap(), num_attr(n, "y").unwrap());
            grow(&mut legend, x, y - 10.0);
            grow(&mut legend, x + 7.0 * t.len() as f64, y + 10.0);
        }
    }
    for n in doc
        .descendants()
        .filter(|n| in_legend(*n) && n.tag_name().name() == "rect")
    {
        let (x, y) = (num_attr(n, "x").unwrap(), num_attr(n, "y").unwrap());
        grow(&mut legend, x, y);
        grow(
            &mut legend,
            x + num_attr(n, "width").unwrap(),
            y + num_attr(n, "height").unwrap(),
        );
    }
    let legend = legend.expect("a legend naming the curves");
    assert!(
        !overlap(legend, area),
        "legend {legend:?} overlaps the plot area {area:?}"
    );
    assert!(legend.2 <= 800.0, "legend inside the picture: {legend:?}");
}

#[test]
fn power_plot_at_one_size_draws_a_dot_and_interval_per_hypothesis() {
    let dir = tempfile::tempdir().unwrap();
    let scen = dir.path().join("small.json");
    std::fs::write(&scen, SMALL).unwrap();
    let svg_path = dir.path().join("dots.svg");
    let json_path = dir.path().join("power.json");
    trialsim()
        .arg("power")
        .arg(&scen)
        .args(["--reps", "200", "--seed", "3", "--no-timing", "--out"])
        .arg(&json_path)
        .arg("--plot")
        .arg(&svg_path)
        .assert()
        .success();
    let text = std::fs::read_to_string(&svg_path).unwrap();
    let doc = roxmltree::Document::parse(&text).unwrap();
    // The axis is power from 0 to 1, not a degenerate N axis ("50 50 50 ... 51").
    let ticks = x_ticks(&doc);
    let mut shown: Vec<String> = ticks.iter().map(|t| format!("{}", t.1)).collect();
    shown.dedup();
    assert_eq!(shown.len(), ticks.len(), "repeated tick labels: {ticks:?}");
    assert_eq!((ticks[0].1, ticks[ticks.len() - 1].1), (0.0, 1.0));
    let to_value = x_to_value(&ticks);
    let power: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&json_path).unwrap()).unwrap();
    let wanted = [
        ("clinical", "madrs_change"),
        ("baseline", "any"),
        ("change", "any"),
    ];
    let dots: Vec<roxmltree::Node> = doc
        .descendants()
        .filter(|n| n.tag_name().name() == "circle" && !in_legend(*n))
        .collect();
    assert_eq!(dots.len(), wanted.len(), "one dot per hypothesis");
    for (f, h) in wanted {
        let label = format!("{f}: {h}");
        let label_y = doc
            .descendants()
            .find(|n| n.tag_name().name() == "text" && n.text().map(str::trim) == Some(&label))
            .and_then(|n| num_attr(n, "y"))
            .unwrap_or_else(|| panic!("no row label {label}"));
        let row = power["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["family"] == f && r["hypothesis"] == h && r["metric"] == "power")
            .unwrap();
        // The dot on this row sits at the power; the bar through it spans the MC interval.
        let dot = dots
            .iter()
            .find(|d| (num_attr(**d, "cy").unwrap() - label_y).abs() < 8.0)
            .unwrap_or_else(|| panic!("no dot on the row of {label}"));
        let cy = num_attr(*dot, "cy").unwrap();
        let v = to_value(num_attr(*dot, "cx").unwrap());
        assert!(
            (v - row["value"].as_f64().unwrap()).abs() < 0.005,
            "{label}: dot at {v}"
        );
        let bar = doc
            .descendants()
            .find(|n| {
                n.tag_name().name() == "line"
                    && num_attr(*n, "y1") == Some(cy)
                    && num_attr(*n, "y2") == Some(cy)
            })
            .unwrap_or_else(|| panic!("no interval on the row of {label}"));
        let (lo, hi) = (
            to_value(num_attr(bar, "x1").unwrap()),
            to_value(num_attr(bar, "x2").unwrap()),
        );
        assert!(
            (lo - row["ci_low"].as_f64().unwrap()).abs() < 0.005,
            "{label}: low {lo}"
        );
        assert!(
            (hi - row["ci_high"].as_f64().unwrap()).abs() < 0.005,
            "{label}: high {hi}"
        );
    }
}

#[test]
fn sample_size_plot_shows_only_evaluated_points_the_chosen_n_and_its_mc_range() {
    let dir = tempfile::tempdir().unwrap();
    let scen = dir.path().join("small.json");
    std::fs::write(&scen, SMALL).unwrap();
    let svg_path = dir.path().join("ss.svg");
    let json_path = dir.path().join("ss.json");
    trialsim()
        .arg("sample-size")
        .arg(&scen)
        .args([
            "--criterion",
            "clinical:madrs_change",
            "--reps",
            "200",
            "--max-n",
            "300",
            "--no-timing",
            "--out",
        ])
        .arg(&json_path)
        .arg("--plot")
        .arg(&svg_path)
        .assert()
        .success();
    let doc_json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&json_path).unwrap()).unwrap();
    let ss = &doc_json["sample_size"];
    let n = ss["n_total"].as_f64().expect("target reached");
    let (lo, hi) = (
        ss["n_total_low"].as_f64().unwrap(),
        ss["n_total_high"].as_f64().unwrap(),
    );
    let mut evaluated: Vec<(f64, f64)> = doc_json["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| {
            r["family"] == "clinical" && r["hypothesis"] == "madrs_change" && r["metric"] == "power"
        })
        .map(|r| (r["n_total"].as_f64().unwrap(), r["value"].as_f64().unwrap()))
        .collect();
    evaluated.sort_by(|a, b| a.0.total_cmp(&b.0));
    let text = std::fs::read_to_string(&svg_path).unwrap();
    let doc = roxmltree::Document::parse(&text).unwrap();
    // No line joins the evaluated points: the criterion between them was not simulated.
    let joined: Vec<_> = doc
        .descendants()
        .filter(|n| n.tag_name().name() == "polyline" && points_of(*n).len() > 2)
        .collect();
    assert!(joined.is_empty(), "a curve joins the evaluated sizes");
    let to_n = x_to_value(&x_ticks(&doc));
    // One dot per evaluated N, at that N.
    let mut dots: Vec<f64> = doc
        .descendants()
        .filter(|n| n.tag_name().name() == "circle" && !in_legend(*n))
        .map(|n| to_n(num_attr(n, "cx").unwrap()))
        .collect();
    dots.sort_by(f64::total_cmp);
    assert_eq!(dots.len(), evaluated.len(), "one dot per evaluated N");
    let tol = (evaluated.last().unwrap().0 - evaluated[0].0) / 300.0 + 1.0;
    for (d, e) in dots.iter().zip(&evaluated) {
        assert!((d - e.0).abs() <= tol, "dot at N {d}, evaluated {}", e.0);
    }
    // The chosen N as a red vertical line.
    let chosen = doc.descendants().any(|el| {
        let p = points_of(el);
        el.tag_name().name() == "polyline"
            && el.attribute("stroke") == Some("#FF0000")
            && p.len() == 2
            && p[0].0 == p[1].0
            && (to_n(p[0].0) - n).abs() <= tol
    });
    assert!(chosen, "a vertical line at the chosen N = {n}");
    // The Monte Carlo range of N as a shaded band.
    let band = doc.descendants().any(|r| {
        r.tag_name().name() == "rect"
            && !in_legend(r)
            && num_attr(r, "width").is_some_and(|w| w < 700.0)
            && {
                let x = num_attr(r, "x").unwrap();
                let w = num_attr(r, "width").unwrap();
                (to_n(x) - lo).abs() <= tol && (to_n(x + w) - hi).abs() <= tol
            }
    });
    assert!(band, "a band from N = {lo} to {hi}");
}

/// The report as an XML tree (the page is well-formed XML as well as HTML).
fn report_doc(html: &str) -> roxmltree::Document<'_> {
    roxmltree::Document::parse_with_options(
        html,
        roxmltree::ParsingOptions {
            allow_dtd: true,
            ..Default::default()
        },
    )
    .expect("the report parses as a document")
}

#[test]
fn report_leads_with_the_answer_in_html_tables_and_prints_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let scen = dir.path().join("small.json");
    std::fs::write(&scen, SMALL).unwrap();
    let html_path = dir.path().join("report.html");
    trialsim()
        .arg("report")
        .arg(&scen)
        .args([
            "--reps", "300", "--seed", "5", "--n-grid", "30:70:20", "--max-n", "300", "--out",
        ])
        .arg(&html_path)
        .assert()
        .success();
    let html = std::fs::read_to_string(&html_path).unwrap();
    let doc = report_doc(&html);
    let body = doc
        .descendants()
        .find(|n| n.tag_name().name() == "body")
        .unwrap();
    // Order: the summary is the first section, then the curves, then the details.
    let sections: Vec<&str> = body
        .children()
        .filter(|n| n.tag_name().name() == "section")
        .filter_map(|n| n.attribute("id"))
        .collect();
    assert_eq!(sections, ["summary", "curve", "details"]);
    let first_h2 = body
        .descendants()
        .find(|n| n.tag_name().name() == "h2")
        .unwrap();
    assert_eq!(
        first_h2.parent().and_then(|p| p.attribute("id")),
        Some("summary")
    );
    // The summary's figures are those embedded in the page.
    let start = html.find("id=\"trialsim-results\">").unwrap() + "id=\"trialsim-results\">".len();
    let end = html[start..].find("</script>").unwrap() + start;
    let data: serde_json::Value = serde_json::from_str(&html[start..end]).unwrap();
    let own = data["rows_own"].as_array().unwrap();
    let get = |f: &str, h: &str, m: &str| {
        own.iter()
            .find(|r| r["family"] == f && r["hypothesis"] == h && r["metric"] == m)
            .unwrap_or_else(|| panic!("{f}:{h}:{m}"))
    };
    let summary = body
        .children()
        .find(|n| n.attribute("id") == Some("summary"))
        .unwrap();
    let rows: Vec<Vec<String>> = summary
        .descendants()
        .find(|n| n.tag_name().name() == "table")
        .unwrap()
        .descendants()
        .filter(|n| n.tag_name().name() == "tr")
        .skip(1)
        .map(|tr| {
            tr.children()
                .filter(|c| c.tag_name().name() == "td")
                .map(|c| {
                    c.descendants()
                        .filter(|t| t.is_text())
                        .filter_map(|t| t.text())
                        .collect::<String>()
                })
                .collect()
        })
        .collect();
    assert_eq!(
        rows.len(),
        3,
        "primary endpoint and the two other families: {rows:?}"
    );
    let primary = &rows[0];
    assert!(primary[0].starts_with("clinical: madrs_change") && primary[0].contains("primary"));
    let p = get("clinical", "madrs_change", "power");
    let (lo, hi) = (
        p["ci_low"].as_f64().unwrap(),
        p["ci_high"].as_f64().unwrap(),
    );
    assert!(
        primary[1].contains(&format!("{:.2}", p["value"].as_f64().unwrap()))
            && primary[1].contains(&format!("{lo:.2}\u{2013}{hi:.2}")),
        "power with its MC interval: {}",
        primary[1]
    );
    let ss = &data["sample_size"];
    assert!(
        // In the units of the groups the search grew (patients for a clinical endpoint).
        primary[2].contains(&format!("{} patients", ss["n"]))
            && primary[2].contains(&format!("MC range {}\u{2013}{}", ss["n_low"], ss["n_high"])),
        "sample size with its MC range: {}",
        primary[2]
    );
    let m = get("clinical", "madrs_change", "type_m")["value"]
        .as_f64()
        .unwrap();
    assert_eq!(primary[3], format!("{m:.2}"), "type M");
    for (row, fam) in rows[1..].iter().zip(["baseline", "change"]) {
        assert!(row[0].starts_with(fam), "{row:?}");
        assert!(
            // All groups grown (patients vs controls) or patients only (arm change).
            row[2].starts_with("N = ")
                || row[2].contains(" patients (patients grown, controls held at ")
                || row[2] == "not reached by N = 300",
            "{fam}: N needed {}",
            row[2]
        );
        // One hypothesis with an effect in each: its type M.
        let m = get(fam, "a", "type_m")["value"].as_f64().unwrap();
        assert!(
            row[3].starts_with(&format!("{m:.2}")),
            "{fam}: type M {}",
            row[3]
        );
    }
    // No terminal dumps; every table fits the page (at most 8 columns).
    assert!(doc.descendants().all(|n| n.tag_name().name() != "pre"));
    for t in doc.descendants().filter(|n| n.tag_name().name() == "table") {
        for tr in t.descendants().filter(|n| n.tag_name().name() == "tr") {
            let cols = tr.children().filter(|c| c.is_element()).count();
            assert!(cols <= 8, "a table row with {cols} columns");
        }
    }
    // The validate information is in tables too.
    let implied = doc
        .descendants()
        .find(|n| n.attribute("id") == Some("implied"))
        .unwrap();
    assert!(
        implied
            .descendants()
            .any(|n| n.tag_name().name() == "th" && n.text() == Some("ICC"))
    );
    // A print style: page breaks between sections, rows kept whole, nothing cut off.
    let style: String = doc
        .descendants()
        .filter(|n| n.tag_name().name() == "style")
        .filter_map(|n| n.text())
        .collect();
    let print = &style[style.find("@media print").expect("a print style sheet")..];
    for rule in [
        "break-before:page",
        "break-inside:avoid",
        "overflow:visible",
        "color:#000",
    ] {
        assert!(print.contains(rule), "print style lacks {rule}");
    }
}

/// The power curve grows every group in proportion, so a size found by growing the patients only
/// (the flagship's clinical criterion, controls held) is not a point of it: the chosen N is
/// marked on the sample-size plot only, never as a misleading line on the curve.
#[test]
fn a_patients_only_size_is_not_marked_on_the_all_groups_power_curve() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r.html");
    trialsim()
        .args(["report", "--reps", "30", "--out"])
        .arg(&out)
        .assert()
        .success();
    let html = std::fs::read_to_string(&out).unwrap();
    let svgs: Vec<&str> = html.split("<svg").skip(1).collect();
    let curve = svgs
        .iter()
        .find(|v| v.contains("power by sample size"))
        .expect("a power curve");
    assert!(
        !curve.contains(">N = "),
        "the curve marks a patients-only N"
    );
    assert!(
        svgs.iter().any(|v| v.contains(">chosen N = ")),
        "the sample-size plot marks the chosen N"
    );
}
