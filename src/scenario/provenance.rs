//! Which numbers in a scenario file carry no source.
//!
//! A scenario's `provenance` maps path patterns to notes. A pattern is a dotted path whose segments
//! are object keys or array items' `name` values, with `*` for any one segment; it covers every number
//! beneath it. `trialsim validate` lists the numbers no pattern covers, so that "every number cites
//! its source or is marked as an assumption" is checked by the tool rather than hoped for.

use serde_json::Value;

/// Paths of numeric fields written in the JSON `text` that no `provenance` pattern covers.
/// The analysis plan (a choice, not a fact) is not checked. Returns an empty list for invalid JSON.
///
/// ```
/// let text = r#"{"provenance": {"design.controls": "[S] table 1"},
///                "design": {"controls": 49, "patients": 34}}"#;
/// assert_eq!(trialsim::scenario::unsourced_numbers(text), vec!["design.patients"]);
/// ```
pub fn unsourced_numbers(text: &str) -> Vec<String> {
    let Ok(v) = serde_json::from_str::<Value>(text) else {
        return Vec::new();
    };
    // A trie of the patterns, so that checking a number costs its path's length (times the
    // wildcard branches), not the number of patterns: validation stays linear in the file's size.
    let mut patterns = Trie::default();
    if let Some(m) = v.get("provenance").and_then(Value::as_object) {
        for k in m.keys() {
            patterns.insert(k.split('.'));
        }
    }
    let mut leaves = Vec::new();
    if let Some(obj) = v.as_object() {
        for (k, child) in obj {
            if matches!(
                k.as_str(),
                "provenance" | "sources" | "analysis" | "name" | "description"
            ) {
                continue;
            }
            walk(child, &mut vec![k.clone()], &mut leaves);
        }
    }
    leaves
        .into_iter()
        .filter(|leaf| !patterns.covers(leaf))
        .map(|leaf| leaf.join("."))
        .collect()
}

fn walk(v: &Value, path: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    match v {
        Value::Number(_) => out.push(path.clone()),
        Value::Object(m) => {
            for (k, child) in m {
                path.push(k.clone());
                walk(child, path, out);
                path.pop();
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                let seg = child
                    .get("name")
                    .and_then(Value::as_str)
                    .map(str::to_string)
                    .unwrap_or_else(|| i.to_string());
                path.push(seg);
                walk(child, path, out);
                path.pop();
            }
        }
        _ => {}
    }
}

/// Path patterns by segment; `end` marks a complete pattern (which covers everything beneath it).
#[derive(Default)]
struct Trie {
    end: bool,
    children: std::collections::HashMap<String, Trie>,
}

impl Trie {
    fn insert<'a>(&mut self, segments: impl Iterator<Item = &'a str>) {
        let mut node = self;
        for s in segments {
            node = node.children.entry(s.to_string()).or_default();
        }
        node.end = true;
    }

    /// Whether some pattern is a prefix of `leaf` (segment by segment, `*` matching any one).
    fn covers(&self, leaf: &[String]) -> bool {
        if self.end {
            return true;
        }
        let Some((first, rest)) = leaf.split_first() else {
            return false;
        };
        self.children.get(first).is_some_and(|c| c.covers(rest))
            || self.children.get("*").is_some_and(|c| c.covers(rest))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_and_named_items() {
        let text = r#"{"provenance": {"measures.regions.*.control_mean": "[A]",
                                      "measures.regions.habenula": "assumption: small"},
            "measures": {"regions": [
                {"name": "cortex", "control_mean": 1.0, "between_sd": 0.05},
                {"name": "habenula", "control_mean": 0.9, "between_sd": 0.07}]}}"#;
        assert_eq!(
            unsourced_numbers(text),
            vec!["measures.regions.cortex.between_sd"]
        );
    }
}
