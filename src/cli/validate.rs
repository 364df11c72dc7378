//! `trialsim validate`: check scenarios and print what they imply.

use super::output::Stdout;
use anyhow::Result;
use trialsim::{ScenarioError, Study, report, scenario};

pub fn run(names: Vec<String>, provenance: bool) -> Result<()> {
    let names = if names.is_empty() {
        vec![scenario::builtin::DEFAULT.to_string()]
    } else {
        names
    };
    let mut out = Stdout::new();
    let mut failed = 0;
    for (i, name) in names.iter().enumerate() {
        if i > 0 {
            out.line("")?;
        }
        match Study::load(name) {
            Ok(study) => {
                out.line(&format!("{}: ok", study.label()))?;
                let unsourced = study.unsourced_numbers();
                out.text(&report::validate::summary(study.scenario(), &unsourced))?;
                if provenance && unsourced.len() > report::validate::PROVENANCE_LIST_MAX {
                    out.text(&report::validate::provenance_list(&unsourced))?;
                }
            }
            Err(e) => {
                eprintln!("Error: {e}");
                failed += 1;
            }
        }
    }
    if failed > 0 {
        return Err(ScenarioError::SomeInvalid {
            failed,
            checked: names.len(),
        }
        .into());
    }
    Ok(())
}
