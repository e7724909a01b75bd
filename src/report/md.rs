//! The Markdown report: the same content as the site in one document
//! (`report.md`). User text goes through the `md` filter (no HTML, emphasis,
//! links or table breaks from the text itself); guidance keeps its Markdown
//! with raw HTML escaped, quoted under its action.

use minijinja::context;
use minijinja::value::{Serde, Value};

use super::Renderer;
use super::templates::Templates;
use super::view::Report;
use crate::error::Result;

pub(crate) const FILE: &str = "report.md";

/// The text of `report.md`.
pub fn render(report: &Report, templates: &Templates) -> Result<String> {
    let env = Renderer::new(templates, report)?;
    let mut text = env.render(FILE, context! { report => Value::from(Serde(report)) })?;
    // Templates leave blank lines around optional sections; keep at most one.
    while text.contains("\n\n\n") {
        text = text.replace("\n\n\n", "\n\n");
    }
    if !text.ends_with('\n') {
        text.push('\n');
    }
    Ok(crate::render::printable(&text, false).into_owned())
}

/// Escapes user text for Markdown (one line, no markup).
pub(crate) fn md(text: &str) -> String {
    crate::render::md_cell(text)
}

/// User Markdown (guidance) as a block quote, its raw HTML escaped and no
/// `<` left outside code.
pub(crate) fn md_quote(text: &str) -> String {
    super::markdown::escape_angles(&super::markdown::neutralize(text.trim_end()))
        .lines()
        .map(|l| if l.is_empty() { ">".to_owned() } else { format!("> {l}") })
        .collect::<Vec<_>>()
        .join("\n")
}

/// A link destination for Markdown: `<...>` with the characters that would end it encoded:
/// `|` (a table cell's end: links sit in table cells) and `\` (before the closing `>` it
/// would escape it) too.
pub(crate) fn md_url(url: &str) -> String {
    let mut out = String::from("<");
    for c in url.chars() {
        match c {
            '<' => out.push_str("%3C"),
            '>' => out.push_str("%3E"),
            ' ' => out.push_str("%20"),
            '|' => out.push_str("%7C"),
            '\\' => out.push_str("%5C"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out.push('>');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping() {
        assert_eq!(md("<script>|*x*"), "&lt;script&gt;\\|\\*x\\*");
        assert_eq!(md_quote("a <b>\n\nc"), "> a &lt;b&gt;\n>\n> c");
        assert_eq!(md_url("https://x.example/a b>"), "<https://x.example/a%20b%3E>");
        // A pipe would end the table cell; a trailing backslash would escape the closing `>`.
        assert_eq!(md_url("https://x.example/a|b\\"), "<https://x.example/a%7Cb%5C>");
    }
}
