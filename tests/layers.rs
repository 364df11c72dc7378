//! The layers depend one way: stats <- scenario <- model <- analysis <- montecarlo <- study <-
//! report <- serve (and the binary). This test reads every source file and fails if a module
//! refers to a layer above its own, which is how the absence of import circles is checked.

use std::collections::BTreeSet;
use std::path::Path;

/// Layers from the bottom; a module may use its own layer and those below. `rng`, `error` and
/// `limits` are leaves that everything may use.
const ORDER: [&str; 8] = [
    "stats",
    "scenario",
    "model",
    "analysis",
    "montecarlo",
    "study",
    "report",
    "serve",
];
const LEAVES: [&str; 3] = ["rng", "error", "limits"];

fn rank(m: &str) -> Option<usize> {
    ORDER.iter().position(|x| *x == m)
}

fn files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// Top-level modules named as `crate::NAME` in code (comments and doc lines skipped).
fn referenced(text: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for line in text.lines() {
        let code = line.trim_start();
        if code.starts_with("//") {
            continue;
        }
        let mut rest = code;
        while let Some(i) = rest.find("crate::") {
            rest = &rest[i + 7..];
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                found.insert(name);
            }
            // `use crate::{a, b}` groups.
            if let Some(group) = rest.strip_prefix('{') {
                for part in group.split('}').next().unwrap_or("").split(',') {
                    let name: String = part
                        .trim()
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect();
                    if !name.is_empty() {
                        found.insert(name);
                    }
                }
            }
        }
    }
    found
}

#[test]
fn no_module_uses_a_layer_above_its_own() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut bad = Vec::new();
    let mut checked = 0;
    for layer in ORDER {
        let dir = src.join(layer);
        let mut fs = Vec::new();
        if dir.is_dir() {
            files(&dir, &mut fs);
        }
        let single = src.join(format!("{layer}.rs"));
        if single.is_file() {
            fs.push(single);
        }
        for f in fs {
            checked += 1;
            let text = std::fs::read_to_string(&f).unwrap();
            for m in referenced(&text) {
                if LEAVES.contains(&m.as_str()) || m == "Study" || m == "Scenario" {
                    continue;
                }
                match rank(&m) {
                    Some(r) if r > rank(layer).unwrap() => {
                        bad.push(format!("{} uses crate::{m}", f.display()))
                    }
                    _ => {}
                }
            }
        }
    }
    assert!(checked > 40, "only {checked} files read");
    assert!(bad.is_empty(), "layer violations:\n{}", bad.join("\n"));
}

#[test]
fn the_checker_sees_a_violation() {
    // The check itself can fail: a stats file naming crate::scenario is caught.
    let refs = referenced("use crate::scenario::Scenario;\nuse crate::{rng, model::Cohort};");
    assert!(refs.contains("scenario") && refs.contains("model") && refs.contains("rng"));
    assert!(referenced("// use crate::model").is_empty());
}

#[test]
fn the_binary_is_thin() {
    let main =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/main.rs")).unwrap();
    assert!(
        main.lines().count() < 150,
        "src/main.rs has grown past 150 lines"
    );
}
