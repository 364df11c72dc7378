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
    if let Some(what) = not_a_file(path) {
        return Err(ScenarioError::NotAFile {
            file: name_or_path.to_string(),
            what,
        });
    }
    if path.is_file() {
        let text = std::fs::read_to_string(path).map_err(|e| ScenarioError::Io {
            file: name_or_path.to_string(),
            source: e,
        })?;
        return Ok((name_or_path.to_string(), text));
    }
    match builtin::get(name_or_path) {
        Some(text) => Ok((format!("built-in:{name_or_path}"), text.to_string())),
        None => Err(ScenarioError::NotFound {
            name: name_or_path.to_string(),
            suggestion: suggest(name_or_path)
                .map(|s| format!(" (did you mean {s}?)"))
                .unwrap_or_default(),
        }),
    }
}

/// What a path that exists (or is a link) but is not a readable regular file is, for the message.
fn not_a_file(path: &std::path::Path) -> Option<String> {
    let link = std::fs::symlink_metadata(path).ok()?;
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(_) if link.file_type().is_symlink() => {
            let target = std::fs::read_link(path)
                .map(|t| t.display().to_string())
                .unwrap_or_else(|_| "?".into());
            return Some(format!(
                "is a symbolic link to {target}, which does not exist"
            ));
        }
        Err(e) => return Some(format!("cannot be examined: {e}")),
    };
    let ft = meta.file_type();
    if ft.is_file() {
        return None;
    }
    if ft.is_dir() {
        return Some("is a directory, not a scenario file".into());
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if ft.is_fifo() {
            return Some("is a fifo (named pipe) or standard input, not a scenario file: save the scenario to a file".into());
        }
        if ft.is_char_device() || ft.is_block_device() {
            return Some("is a device (a terminal or standard input?), not a scenario file: save the scenario to a file".into());
        }
        if ft.is_socket() {
            return Some("is a socket, not a scenario file".into());
        }
    }
    Some("is not a regular file".into())
}

/// The built-in scenario closest to a mistyped name (edit distance at most a third of its length).
fn suggest(name: &str) -> Option<&'static str> {
    builtin::BUILTIN
        .iter()
        .map(|(n, _)| (edit_distance(name, n), *n))
        .filter(|(d, n)| *d > 0 && *d <= n.chars().count().div_ceil(3).max(2))
        .min()
        .map(|(_, n)| n)
}

/// Levenshtein distance over characters (names are short: O(a * b) is fine).
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    if a.chars().count() > 4 * b.len() + 16 {
        return usize::MAX; // far too different; bounds the work on a huge argument
    }
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != *cb))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// Parse and validate scenario JSON text; `file` names it in error messages.
pub fn parse(file: &str, text: &str) -> Result<Scenario, ScenarioError> {
    // A UTF-8 byte-order mark (some Windows editors write one) is not part of the JSON.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let de = &mut serde_json::Deserializer::from_str(text);
    let spec: ScenarioSpec = match serde_path_to_error::deserialize(de) {
        Ok(s) => s,
        Err(e) => {
            let path = e.path().to_string();
            let inner = e.into_inner();
            // serde_json reports a wrong kind of value where an enum is expected (`null`, a
            // number) as a syntax error; when the text is well-formed JSON it is a data error and
            // the field path is what the user needs.
            let well_formed =
                inner.is_syntax() && serde_json::from_str::<serde::de::IgnoredAny>(text).is_ok();
            if (inner.is_syntax() || inner.is_eof()) && !well_formed {
                return Err(ScenarioError::Syntax {
                    file: file.to_string(),
                    line: inner.line(),
                    column: inner.column(),
                    message: strip_position(&inner.to_string()),
                });
            }
            let path = field_path(path, &inner.to_string());
            return Err(ScenarioError::Invalid {
                file: file.to_string(),
                problems: vec![Problem {
                    path,
                    message: format!(
                        "{} (line {}, column {})",
                        if well_formed {
                            "expected one of the names this field accepts (a string), got another kind of value".to_string()
                        } else {
                            strip_position(&inner.to_string())
                        },
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

/// The path of a data error: a missing field is named in the path itself, and an error about the
/// whole document says so (every problem carries a path).
fn field_path(path: String, message: &str) -> String {
    let missing = message
        .strip_prefix("missing field `")
        .and_then(|m| m.split('`').next());
    match (path.as_str(), missing) {
        (".", Some(f)) => f.to_string(),
        (".", None) => "(top level: a scenario is a JSON object)".to_string(),
        (_, Some(f)) => format!("{path}.{f}"),
        _ => path,
    }
}
