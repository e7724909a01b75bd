//! Presentation: terminal tables, Markdown and JSON of computed results.
//! Renderers only format; they never compute scores or read files.

pub mod diff;
pub mod list;
pub mod score;
pub mod summary;
pub mod table;

/// A ten-cell bar for a percentage: `██████░░░░`.
pub fn bar(tenths_of_percent: u64) -> String {
    let filled = ((tenths_of_percent + 50) / 100).min(10) as usize;
    format!("{}{}", "█".repeat(filled), "░".repeat(10 - filled))
}

/// Escapes text for a Markdown table cell.
pub fn md_cell(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace('\n', " ")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}
