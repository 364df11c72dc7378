//! Loading scenario text (files or built-ins) and parsing it into a resolved scenario.

use super::builtin;
use super::resolve::resolve;
use super::spec::ScenarioSpec;
use super::types::Scenario;
use crate::error::{Problem, ScenarioError};

/// Load a scenario from a file path, or from the built-in set by name.
pub fn load(name_or_path: &str) -> Result<Scenario, ScenarioError> {
    let (label, text) = read_text(name_or_path)?;
    parse(&label, &text)
}

/// The JSON text of a scenario file, or of a built-in scenario by name, with the label used in
/// messages (the path, or `built-in:NAME`). A file of that name wins over a built-in.
pub fn read_text(name_or_path: &str) -> Result<(String, String), ScenarioError> {
    let path = std::path::Path::new(name_or_path);
    if path.is_file() {
        let text = std::fs::read_to_string(path).map_err(|e| ScenarioError::Io {
            file: name_or_path.to_string(),
            source: e,
        })?;
        return Ok((name_or_path.to_string(), text));
    }
    match builtin::get(name_or_path) {
        Some(text) => Ok((format!("built-in:{name_or_path}"), text.to_string())),
        None => Err(ScenarioError::NotFound(name_or_path.to_string())),
    }
}

/// Parse and validate scenario JSON text; `file` names it in error messages.
pub fn parse(file: &str, text: &str) -> Result<Scenario, ScenarioError> {
    let de = &mut serde_json::Deserializer::from_str(text);
    let spec: ScenarioSpec = match serde_path_to_error::deserialize(de) {
        Ok(s) => s,
        Err(e) => {
            let path = e.path().to_string();
            let inner = e.into_inner();
            if inner.is_syntax() || inner.is_eof() {
                return Err(ScenarioError::Syntax {
                    file: file.to_string(),
                    line: inner.line(),
                    column: inner.column(),
                    message: strip_position(&inner.to_string()),
                });
            }
            let path = if path == "." { String::new() } else { path };
            return Err(ScenarioError::Invalid {
                file: file.to_string(),
                problems: vec![Problem {
                    path,
                    message: format!(
                        "{} (line {}, column {})",
                        strip_position(&inner.to_string()),
                        inner.line(),
                        inner.column()
                    ),
                }],
            });
        }
    };
    resolve(spec).map_err(|problems| ScenarioError::Invalid {
        file: file.to_string(),
        problems,
    })
}

fn strip_position(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg.to_string(),
    }
}
