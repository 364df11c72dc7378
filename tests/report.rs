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
