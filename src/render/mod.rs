//! Presentation: terminal tables, Markdown and JSON of computed results.
//! Renderers only format; they never compute scores or read files.

pub(crate) mod alerts;
pub(crate) mod diff;
pub(crate) mod history;
pub(crate) mod json;
pub(crate) mod json_text;
pub(crate) mod list;
pub(crate) mod notify;
pub mod score;
pub(crate) mod sheets;
pub(crate) mod soa;
pub mod summary;
pub(crate) mod table;
pub(crate) mod table_export;
pub(crate) mod test;
pub(crate) mod updates;

/// A ten-cell bar for a percentage: `██████░░░░`.
pub(crate) fn bar(tenths_of_percent: u64) -> String {
    let filled = ((tenths_of_percent + 50) / 100).min(10) as usize;
    format!("{}{}", "█".repeat(filled), "░".repeat(10 - filled))
}

/// A score's move: `38.2% → 41.0% (+2.8; 132/346 → 142/346)`.
pub(crate) fn score_move(before: crate::score::Score, after: crate::score::Score) -> String {
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

/// Text made safe to show: every control character (C0 but line feed and
/// tab, DEL, C1) and every bidirectional override (which reorders what a
/// reader sees) is replaced by a visible stand-in, so that author names,
/// commit messages, notes and titles cannot move the cursor, clear the
/// screen, set the window title or hide text. C0 characters become their
/// Unicode "control pictures" (ESC shows as `␛`), the others `<U+XXXX>`.
///
/// `keep_sgr` keeps colour sequences (`ESC [ … m`), for output that evident
/// itself coloured; everything else about ESC is still replaced. This is the
/// one sanitiser: the terminal sink ([`crate::ui::Ui`]) applies it to every
/// line it writes, and the Markdown escapes ([`md_cell`], [`md_code`]) to
/// every cell.
pub(crate) fn printable(text: &str, keep_sgr: bool) -> std::borrow::Cow<'_, str> {
    fn unsafe_char(c: char) -> bool {
        (c.is_control() && c != '\n' && c != '\t')
            || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
    }
    if !text.contains(unsafe_char) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if c == '\u{1b}'
            && keep_sgr
            && let Some(len) = sgr_len(rest)
        {
            out.push_str(&rest[..len]);
            rest = &rest[len..];
            continue;
        }
        match c {
            '\0'..='\u{1f}' if c != '\n' && c != '\t' => {
                out.push(char::from_u32(0x2400 + c as u32).unwrap_or('\u{fffd}'));
            }
            '\u{7f}' => out.push('\u{2421}'),
            c if unsafe_char(c) => out.push_str(&format!("<U+{:04X}>", c as u32)),
            c => out.push(c),
        }
        rest = &rest[c.len_utf8()..];
    }
    std::borrow::Cow::Owned(out)
}

/// The length of the colour sequence at the start of `text`, when it is one
/// that evident's palette writes (`ESC [ n m`, n a reset, bold, dim,
/// strike-through (a removed word), or a foreground of [`crate::ui`]'s
/// colours): one in user text that slipped
/// through cannot conceal text, paint its background or hide it otherwise.
fn sgr_len(text: &str) -> Option<usize> {
    let params = text.strip_prefix("\u{1b}[")?;
    let n = params.bytes().take_while(u8::is_ascii_digit).count();
    let ours = matches!(&params[..n], "0" | "1" | "2" | "9" | "31" | "32" | "33" | "36");
    (ours && params.as_bytes().get(n) == Some(&b'm')).then_some(2 + n + 1)
}

/// User text as a Markdown code span: backticks inside are kept by choosing
/// a longer fence, and nothing else needs escaping there.
pub(crate) fn md_code(text: &str) -> String {
    let text = printable(&text.replace(['\n', '\r'], " "), false).into_owned();
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') { " " } else { "" };
    format!("{fence}{pad}{text}{pad}{fence}")
}

/// Escapes user text for Markdown: no HTML, emphasis, links or code spans come
/// from the text itself, and it stays on one line (it may sit in a table cell).
pub(crate) fn md_cell(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let text = text.replace('\r', " ");
    for c in printable(&text, false).chars() {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_become_visible() {
        assert_eq!(printable("plain\ttext\n", false), "plain\ttext\n");
        assert_eq!(printable("a\x1b]0;pwned\x07b\rc", false), "a␛]0;pwned␇b␍c");
        assert_eq!(printable("\x1b[2J\x1b[31mred\x1b[0m", true), "␛[2J\x1b[31mred\x1b[0m");
        assert_eq!(printable("\x1b[31m", false), "␛[31m");
        assert_eq!(printable("\u{9b}31m \u{7f} \u{202e}txt", false), "<U+009B>31m ␡ <U+202E>txt");
        assert_eq!(md_cell("Ana\x1b[8m"), "Ana␛\\[8m");
    }

    /// Only the colour sequences evident writes are kept: one that conceals
    /// text, paints a background or sets a colour of its own is shown.
    #[test]
    fn only_our_colours_are_kept() {
        use crate::ui::{BOLD, CYAN, DIM, GREEN, RED, YELLOW, paint};
        let struck = RED.strikethrough();
        for style in [BOLD, DIM, GREEN, RED, YELLOW, CYAN, RED.bold(), GREEN.bold(), CYAN.bold(), struck] {
            let ours = paint(true, style, "x");
            assert_eq!(printable(&ours, true), ours);
        }
        for theirs in
            ["\x1b[8m", "\x1b[30;40m", "\x1b[47m", "\x1b[38;5;0m", "\x1b[1;31m", "\x1b[m", "\x1b[7m"]
        {
            assert_eq!(printable(theirs, true), theirs.replace('\x1b', "␛"), "{theirs:?}");
        }
    }
}
