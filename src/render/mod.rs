//! Presentation: terminal tables, Markdown and JSON of computed results.
//! Renderers only format; they never compute scores or read files.

pub mod alerts;
pub mod diff;
pub mod history;
pub mod list;
pub mod score;
pub mod summary;
pub mod table;
pub mod table_export;
pub mod updates;

/// A ten-cell bar for a percentage: `██████░░░░`.
pub fn bar(tenths_of_percent: u64) -> String {
    let filled = ((tenths_of_percent + 50) / 100).min(10) as usize;
    format!("{}{}", "█".repeat(filled), "░".repeat(10 - filled))
}

/// A score's move: `38.2% → 41.0% (+2.8; 132/346 → 142/346)`.
pub fn score_move(before: crate::score::Score, after: crate::score::Score) -> String {
    let change = (after.tenths_of_percent() as f64 - before.tenths_of_percent() as f64) / 10.0;
    format!(
        "{:.1}% → {:.1}% ({change:+.1}; {}/{} → {}/{})",
        before.percent(),
        after.percent(),
        before.earned,
        before.max,
        after.earned,
        after.max
    )
}

/// User text as a Markdown code span: backticks inside are kept by choosing
/// a longer fence, and nothing else needs escaping there.
pub fn md_code(text: &str) -> String {
    let text = text.replace(['\n', '\r'], " ");
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') { " " } else { "" };
    format!("{fence}{pad}{text}{pad}{fence}")
}

/// Escapes user text for Markdown: no HTML, emphasis, links or code spans come
/// from the text itself, and it stays on one line (it may sit in a table cell).
pub fn md_cell(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\n' | '\r' => out.push(' '),
            '|' | '\\' | '*' | '_' | '~' | '`' | '[' | ']' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}
