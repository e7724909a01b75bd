//! Markdown written by users (action guidance, descriptions), made safe.
//!
//! For HTML pages, [`to_html`] renders with pulldown-cmark and rewrites the
//! events first: raw HTML becomes text (shown, not interpreted), links keep
//! only http, https and relative destinations, images become links (a report
//! makes no requests when it is viewed), and headings move two levels down to
//! sit under the page's own. For the Markdown report, [`neutralize`] keeps
//! the source but escapes its raw HTML.

use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};

fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS
}

/// Safe HTML for a Markdown text.
pub(crate) fn to_html(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut out, safe_events(Parser::new_ext(markdown, options())));
    out
}

/// Rewrites the events that could run code, load resources or break the page.
fn safe_events<'a>(events: impl Iterator<Item = Event<'a>>) -> impl Iterator<Item = Event<'a>> {
    // For each open link or image: whether it was kept.
    let mut open: Vec<bool> = Vec::new();
    events.filter_map(move |event| match event {
        Event::Html(html) | Event::InlineHtml(html) => Some(Event::Text(html)),
        Event::Start(Tag::HtmlBlock) => Some(Event::Start(Tag::Paragraph)),
        Event::End(TagEnd::HtmlBlock) => Some(Event::End(TagEnd::Paragraph)),
        Event::Start(Tag::Heading { level, .. }) => {
            Some(Event::Start(Tag::Heading { level: lower(level), id: None, classes: vec![], attrs: vec![] }))
        }
        Event::End(TagEnd::Heading(level)) => Some(Event::End(TagEnd::Heading(lower(level)))),
        Event::Start(Tag::Link { link_type, dest_url, title, id })
        | Event::Start(Tag::Image { link_type, dest_url, title, id }) => {
            let keep = is_safe_url(&dest_url);
            open.push(keep);
            keep.then_some(Event::Start(Tag::Link { link_type, dest_url, title, id }))
        }
        Event::End(TagEnd::Link) | Event::End(TagEnd::Image) => {
            open.pop().unwrap_or(false).then_some(Event::End(TagEnd::Link))
        }
        other => Some(other),
    })
}

fn lower(level: HeadingLevel) -> HeadingLevel {
    match level {
        HeadingLevel::H1 => HeadingLevel::H3,
        HeadingLevel::H2 => HeadingLevel::H4,
        HeadingLevel::H3 => HeadingLevel::H5,
        _ => HeadingLevel::H6,
    }
}

/// An http or https address.
pub(crate) fn is_http_url(url: &str) -> bool {
    let lower = url.trim_start().to_ascii_lowercase();
    (lower.starts_with("http://") || lower.starts_with("https://"))
        && !url.chars().any(|c| c.is_control() || c.is_whitespace())
}

/// An http or https address, or a relative one (no scheme, not `//host`).
pub(crate) fn is_safe_url(url: &str) -> bool {
    if url.chars().any(|c| c.is_control()) {
        return false;
    }
    if is_http_url(url) {
        return true;
    }
    let trimmed = url.trim_start();
    let before_path = trimmed.split(['/', '?', '#']).next().unwrap_or("");
    !before_path.contains(':') && !trimmed.starts_with("//") && !trimmed.starts_with("\\\\")
}

/// The Markdown source made safe to show as it is: raw HTML escaped (a
/// viewer shows it as text), images turned into links (no requests when
/// viewed), links other than http, https and relative ones turned into text.
/// Everything else is left as written.
pub(crate) fn neutralize(markdown: &str) -> String {
    // Escaping an HTML block turns the text inside it back into Markdown, whose
    // links and images must then be checked too: repeat until nothing changes.
    let mut text = neutralize_once(markdown);
    for _ in 0..8 {
        let again = neutralize_once(&text);
        if again == text {
            break;
        }
        text = again;
    }
    text
}

fn neutralize_once(markdown: &str) -> String {
    let mut edits: Vec<(std::ops::Range<usize>, String)> = Vec::new();
    for (event, range) in Parser::new_ext(markdown, options()).into_offset_iter() {
        match event {
            Event::Html(_) | Event::InlineHtml(_) => edits.push((range.clone(), escape(&markdown[range]))),
            Event::Start(Tag::Link { dest_url, .. }) if !is_safe_url(&dest_url) => {
                edits.push((
                    range.start..range.start + 1,
                    escape_opening(&markdown[range.start..=range.start]),
                ));
            }
            Event::Start(Tag::Image { dest_url, .. }) => {
                let text = if is_safe_url(&dest_url) { String::new() } else { "\\".to_owned() };
                edits.push((range.start..range.start + 1, text));
            }
            _ => {}
        }
    }
    edits.sort_by_key(|(r, _)| r.start);
    let mut out = String::with_capacity(markdown.len());
    let mut done = 0;
    for (range, text) in edits {
        if range.start < done || !markdown.is_char_boundary(range.end) {
            continue;
        }
        out.push_str(&markdown[done..range.start]);
        out.push_str(&text);
        done = range.end;
    }
    out.push_str(&markdown[done..]);
    out
}

/// Every `<` outside code written as `&lt;`, so that no viewer can find a
/// tag in the text, however it reads escapes: `\<img onerror=…>` (a
/// backslash-escaped `<`, which some viewers still render as a tag) becomes
/// `&lt;img onerror=…>`, autolinks become text. Code spans and code blocks
/// are kept as written: every Markdown viewer shows code as text, and `&lt;`
/// there would show literally.
pub(crate) fn escape_angles(markdown: &str) -> String {
    let mut code: Vec<std::ops::Range<usize>> = Vec::new();
    for (event, range) in Parser::new_ext(markdown, options()).into_offset_iter() {
        if matches!(event, Event::Code(_) | Event::Start(Tag::CodeBlock(_))) {
            code.push(range);
        }
    }
    let mut out = String::with_capacity(markdown.len() + 16);
    let mut code = code.into_iter().peekable();
    let mut i = 0;
    let bytes = markdown.as_bytes();
    while i < bytes.len() {
        while code.peek().is_some_and(|r| r.end <= i) {
            code.next();
        }
        if let Some(r) = code.peek().filter(|r| r.start <= i) {
            out.push_str(&markdown[i..r.end]);
            i = r.end;
            continue;
        }
        match (bytes[i], bytes.get(i + 1)) {
            (b'\\', Some(b'\\')) => {
                out.push_str("\\\\");
                i += 2;
            }
            (b'\\', Some(b'<')) => {
                out.push_str("&lt;");
                i += 2;
            }
            (b'<', _) => {
                out.push_str("&lt;");
                i += 1;
            }
            _ => {
                let next = markdown[i..].chars().next().map_or(1, char::len_utf8);
                out.push_str(&markdown[i..i + next]);
                i += next;
            }
        }
    }
    out
}

/// The opening character of a link as literal text: `[` or `<`.
fn escape_opening(c: &str) -> String {
    if c == "<" { "&lt;".to_owned() } else { format!("\\{c}") }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_html_is_shown_as_text() {
        let html = to_html("Hello <script>alert(1)</script>\n\n<div onclick=\"x()\">block</div>\n");
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<div"), "{html}");
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "{html}");
    }

    #[test]
    fn only_http_and_relative_links() {
        let html = to_html(
            "[a](https://example.com/x) [b](javascript:alert(1)) [c](docs/x.md) [d](JaVaScRiPt:x) [e](//evil.example) [f](data:text/html,x)",
        );
        assert!(html.contains("<a href=\"https://example.com/x\">a</a>"), "{html}");
        assert!(html.contains("<a href=\"docs/x.md\">c</a>"), "{html}");
        for text in ["b", "d", "e", "f"] {
            assert!(html.contains(&format!(" {text}")), "{text} kept as text: {html}");
        }
        assert!(!html.to_lowercase().contains("javascript"), "{html}");
        assert_eq!(html.matches("<a ").count(), 2, "{html}");
    }

    #[test]
    fn images_become_links_and_headings_move_down() {
        let html = to_html("# Title\n\n![diagram](https://example.com/d.png)\n");
        assert!(html.contains("<h3>Title</h3>"), "{html}");
        assert!(!html.contains("<img"), "{html}");
        assert!(html.contains("<a href=\"https://example.com/d.png\">diagram</a>"), "{html}");
    }

    #[test]
    fn neutralize_escapes_only_html() {
        let md = "Use `a < b` and <b>bold</b>.\n\n<script>alert(1)</script>\n\n```\n<kept>\n```\n";
        let out = neutralize(md);
        assert!(out.contains("`a < b`"), "{out}");
        assert!(out.contains("&lt;b&gt;bold&lt;/b&gt;"), "{out}");
        assert!(out.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "{out}");
        assert!(out.contains("```\n<kept>\n```"), "{out}");
    }

    #[test]
    fn links_inside_an_escaped_html_block_are_checked_too() {
        let out =
            neutralize("<div>\nSee [x](javascript:alert(1)) and ![p](https://t.example/p.png)\n</div>\n");
        assert!(out.contains("\\[x](javascript:"), "{out}");
        assert!(!out.contains("![p]"), "{out}");
        assert!(out.contains("&lt;div&gt;"), "{out}");
    }

    #[test]
    fn no_angle_bracket_outside_code() {
        let out = escape_angles(
            "a \\<img src=x onerror=alert(1)> b <b>c</b> \\\\<i> `x < y`\n\n```\n<kept>\n```\n<https://a.example>\n",
        );
        assert_eq!(
            out,
            "a &lt;img src=x onerror=alert(1)> b &lt;b>c&lt;/b> \\\\&lt;i> `x < y`\n\n```\n<kept>\n```\n&lt;https://a.example>\n"
        );
    }

    #[test]
    fn neutralize_unsafe_links_and_images() {
        let out = neutralize(
            "[a](javascript:x) [b](https://b.example) <javascript:y> ![c](https://c.example/i.png) ![d](data:x)",
        );
        assert_eq!(
            out,
            "\\[a](javascript:x) [b](https://b.example) &lt;javascript:y> [c](https://c.example/i.png) \\[d](data:x)"
        );
    }
}
