//! Pieces of the report page that are not about the results: the style sheet (screen and print)
//! and the conversion of `validate`'s text into HTML tables and lists, so that the page carries no
//! preformatted terminal text.

use super::html::esc;
use std::fmt::Write;

/// Style sheet of the report: readable on screen, and clean pages from the browser's print-to-PDF
/// (no scroll bars or overflow, a page break before each top-level section, rows and figures kept
/// whole, dark text on white).
pub const CSS: &str = "\
body{font-family:sans-serif;max-width:1000px;margin:2em auto;padding:0 1em;line-height:1.45;color:#111;background:#fff}\
h1{font-size:1.6em}h2{border-bottom:2px solid #333;padding-bottom:.2em;margin-top:1.6em}h3{margin-top:1.2em}\
table{border-collapse:collapse;margin:.6em 0 1em;font-size:.9em;max-width:100%}\
td,th{border:1px solid #bbb;padding:3px 7px;text-align:right;vertical-align:top;overflow-wrap:anywhere}\
th{background:#eee}td:first-child,th:first-child{text-align:left}\
table.summary{width:100%;font-size:1em}table.summary td,table.summary th{text-align:left;padding:6px 9px}\
table.summary tr.primary td{background:#fff7d6;font-weight:bold}\
.answer{font-size:1.15em;border-left:5px solid #2a6;padding:.5em 1em;background:#f3faf5}\
.note{color:#444;font-size:.9em}\
figure{margin:1em 0}figure svg{max-width:100%;height:auto;display:block}figcaption{color:#444;font-size:.9em}\
code{overflow-wrap:anywhere}\
@media print{\
body{max-width:none;margin:0;padding:0;font-size:10pt;color:#000;background:#fff}\
section.top{break-before:page;page-break-before:always}section.top.first{break-before:auto;page-break-before:auto}\
h2,h3,h4{break-after:avoid;page-break-after:avoid}\
table{break-inside:auto;font-size:8.5pt}tr,figure,svg,.answer{break-inside:avoid;page-break-inside:avoid}\
thead{display:table-header-group}\
table.summary{break-inside:avoid;page-break-inside:avoid;font-size:9pt}table.summary td,table.summary th{padding:3px 6px}\
figure svg{max-height:105mm}\
th{background:#eee}.answer{background:#fff}table.summary tr.primary td{background:#fff}\
a{color:#000;text-decoration:none}\
*{overflow:visible}}\
@page{margin:15mm}\
";

/// Cells of a text line: split at runs of two or more spaces.
fn wide_cells(line: &str) -> Vec<&str> {
    line.trim()
        .split("  ")
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .collect()
}

/// A block of indented lines as a table (first line the header) when they line up as columns.
/// Cells are split at any space or, where a cell holds a space ("carry a-b") or two columns touch
/// ("d_obs rel_chg"), at runs of two spaces: the first split that gives the header and every row
/// the same number (at least 3) of cells wins.
fn as_table(lines: &[&str]) -> Option<String> {
    if lines.len() < 2 {
        return None;
    }
    let split: [fn(&str) -> Vec<&str>; 2] = [|l| l.split_whitespace().collect(), wide_cells];
    let (header, rows) = split.iter().find_map(|head| {
        let header = head(lines[0]);
        if header.len() < 3 {
            return None;
        }
        split.iter().find_map(|body| {
            let rows: Vec<Vec<&str>> = lines[1..].iter().map(|l| body(l)).collect();
            rows.iter()
                .all(|r| r.len() == header.len())
                .then(|| (header.clone(), rows))
        })
    })?;
    let mut o = String::from("<table><thead><tr>");
    for h in &header {
        let _ = write!(o, "<th>{}</th>", esc(h));
    }
    o.push_str("</tr></thead><tbody>\n");
    for r in rows {
        o.push_str("<tr>");
        for c in r {
            let _ = write!(o, "<td>{}</td>", esc(c));
        }
        o.push_str("</tr>\n");
    }
    o.push_str("</tbody></table>\n");
    Some(o)
}

/// `validate`'s text as HTML: a line that starts a block becomes a paragraph, the indented lines
/// under it a table when they line up as columns, a list otherwise.
///
/// ```
/// let html = trialsim::report::page::text_to_html(
///     "Regions:\n  region  shift  ICC\n  a  -0.03  0.59\n  b  +0.01  0.50\n\nnote: x < y\n");
/// assert!(html.contains("<th>shift</th>") && html.contains("<td>-0.03</td>"));
/// assert!(html.contains("x &lt; y") && !html.contains("<pre"));
/// // Touching columns in a header; a space inside a header cell:
/// use trialsim::report::page::text_to_html;
/// let html = text_to_html("  region  d_obs rel_chg\n  a  +0.37  0.24\n  b  +0.00  0.00\n");
/// assert!(html.contains("<th>rel_chg</th>"));
/// let html = text_to_html("  measure    d  carry a-b\n  a  +0.3  +0.1\n  b  +0.0  +0.0\n");
/// assert!(html.contains("<th>carry a-b</th>") && html.contains("<td>+0.1</td>"));
/// ```
pub fn text_to_html(text: &str) -> String {
    let mut o = String::new();
    let lines: Vec<&str> = text.lines().collect();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        if line.trim().is_empty() {
            i += 1;
            continue;
        }
        if !line.starts_with(' ') {
            let _ = writeln!(o, "<p>{}</p>", esc(line.trim()));
            i += 1;
            continue;
        }
        let start = i;
        while i < lines.len() && lines[i].starts_with(' ') && !lines[i].trim().is_empty() {
            i += 1;
        }
        let block = &lines[start..i];
        match as_table(block) {
            Some(t) => o.push_str(&t),
            None => {
                o.push_str("<ul>\n");
                for l in block {
                    let _ = writeln!(o, "<li>{}</li>", esc(l.trim()));
                }
                o.push_str("</ul>\n");
            }
        }
    }
    o
}
