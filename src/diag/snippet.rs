//! The source text a terminal snippet shows. A line longer than
//! [`LONG_LINE`] columns is cut to windows around the places a diagnostic
//! underlines, with `…` where text was left out, so that a diagnostic on a
//! 60 kB one-line array prints a short line instead of the whole array. Line
//! numbers, columns and underlines stay those of the file.

use std::borrow::Cow;
use std::ops::Range;

use codespan_reporting::files::{Error, Files, SimpleFile};
use unicode_width::UnicodeWidthChar;

/// Lines wider than this many columns are cut.
pub(crate) const LONG_LINE: usize = 160;
/// Columns kept on each side of an underlined place.
const CONTEXT: usize = 40;
const ELLIPSIS: &str = "…";

/// Byte ranges (without the line break) of the lines of `text` wider than [`LONG_LINE`].
pub(crate) fn long_lines(text: &str) -> Vec<Range<usize>> {
    let mut long = Vec::new();
    let mut start = 0;
    for line in text.split_inclusive('\n') {
        let body = line.strip_suffix('\n').unwrap_or(line);
        // A line of few bytes is narrow: no character is wider than its bytes but a tab.
        if body.len() > LONG_LINE && width(body) > LONG_LINE {
            long.push(start..start + body.len());
        }
        start += line.len();
    }
    long
}

fn char_width(c: char) -> usize {
    if c == '\t' { 4 } else { c.width().unwrap_or(0) }
}

fn width(s: &str) -> usize {
    s.chars().map(char_width).sum()
}

/// The byte offset `columns` columns before `at` in `line` (a character boundary).
fn back(line: &str, at: usize, columns: usize) -> usize {
    let mut used = 0;
    let mut start = at;
    for (i, c) in line[..at].char_indices().rev() {
        used += char_width(c);
        if used > columns {
            break;
        }
        start = i;
    }
    start
}

/// The byte offset `columns` columns after `at` in `line` (a character boundary).
fn forward(line: &str, at: usize, columns: usize) -> usize {
    let mut used = 0;
    let mut end = at;
    for c in line[at..].chars() {
        used += char_width(c);
        if used > columns {
            break;
        }
        end += c.len_utf8();
    }
    end
}

fn floor_boundary(s: &str, mut at: usize) -> usize {
    at = at.min(s.len());
    while !s.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// The parts of `line` to show: [`CONTEXT`] columns around each of `marks`
/// (byte offsets in `line`), merged where they touch; the line's start when
/// nothing in it is marked. Sorted, on character boundaries.
pub(crate) fn windows(line: &str, marks: &[usize]) -> Vec<Range<usize>> {
    let mut parts: Vec<Range<usize>> = if marks.is_empty() {
        let start = 0..forward(line, 0, 2 * CONTEXT);
        vec![start]
    } else {
        marks
            .iter()
            .map(|&m| {
                let m = floor_boundary(line, m);
                back(line, m, CONTEXT)..forward(line, m, CONTEXT)
            })
            .collect()
    };
    parts.sort_by_key(|r| r.start);
    let mut merged: Vec<Range<usize>> = Vec::with_capacity(parts.len());
    for part in parts {
        match merged.last_mut() {
            Some(last) if part.start <= last.end => last.end = last.end.max(part.end),
            _ => merged.push(part),
        }
    }
    merged
}

/// A piece of the file kept in the shown text: bytes `from..to` at `at`.
#[derive(Clone, Copy, Debug)]
struct Piece {
    from: usize,
    to: usize,
    at: usize,
}

/// One file as a snippet shows it.
pub(crate) struct Shown<'a> {
    name: &'a str,
    original: &'a str,
    file: SimpleFile<&'a str, Cow<'a, str>>,
    /// The kept pieces in order; empty when nothing is cut.
    pieces: Vec<Piece>,
}

impl<'a> Shown<'a> {
    /// `text` with its `long` lines cut around `points` (byte offsets in `text`).
    pub(crate) fn new(name: &'a str, text: &'a str, long: &[Range<usize>], points: &[usize]) -> Shown<'a> {
        if long.is_empty() {
            return Shown {
                name,
                original: text,
                file: SimpleFile::new(name, Cow::Borrowed(text)),
                pieces: Vec::new(),
            };
        }
        let mut shown = String::new();
        let mut pieces = Vec::new();
        let mut keep = |shown: &mut String, from: usize, to: usize| {
            pieces.push(Piece { from, to, at: shown.len() });
            shown.push_str(&text[from..to]);
        };
        let mut from = 0;
        for line in long {
            keep(&mut shown, from, line.start);
            let body = &text[line.clone()];
            let marks: Vec<usize> = points
                .iter()
                .filter(|p| line.contains(p) || **p == line.end)
                .map(|p| p - line.start)
                .collect();
            let mut end = 0;
            for part in windows(body, &marks) {
                if part.start > end {
                    shown.push_str(ELLIPSIS);
                }
                keep(&mut shown, line.start + part.start, line.start + part.end);
                end = part.end;
            }
            if end < body.len() {
                shown.push_str(ELLIPSIS);
            }
            from = line.end;
        }
        keep(&mut shown, from, text.len());
        Shown { name, original: text, file: SimpleFile::new(name, Cow::Owned(shown)), pieces }
    }

    /// Where byte `offset` of the file is in the shown text.
    pub(crate) fn shown_offset(&self, offset: usize) -> usize {
        if self.pieces.is_empty() {
            return offset;
        }
        let offset = offset.min(self.original.len());
        let i = self.pieces.partition_point(|p| p.from <= offset).saturating_sub(1);
        let p = self.pieces[i];
        p.at + offset.clamp(p.from, p.to) - p.from
    }

    /// Where byte `offset` of the shown text is in the file (the end of the
    /// piece before, inside a `…`).
    fn original_offset(&self, offset: usize) -> usize {
        let i = self.pieces.partition_point(|p| p.at <= offset).saturating_sub(1);
        let p = self.pieces[i];
        (p.from + (offset - p.at)).min(p.to)
    }

    /// The shown text.
    pub(crate) fn text(&self) -> &str {
        self.file.source()
    }
}

/// The files of one diagnostic, for codespan-reporting.
#[derive(Default)]
pub(crate) struct View<'a> {
    pub files: Vec<std::rc::Rc<Shown<'a>>>,
}

impl View<'_> {
    fn get(&self, id: usize) -> Result<&Shown<'_>, Error> {
        self.files.get(id).map(|f| &**f).ok_or(Error::FileMissing)
    }
}

impl<'v> Files<'v> for View<'_> {
    type FileId = usize;
    type Name = &'v str;
    type Source = &'v str;

    fn name(&'v self, id: usize) -> Result<&'v str, Error> {
        Ok(self.get(id)?.name)
    }

    fn source(&'v self, id: usize) -> Result<&'v str, Error> {
        Ok(self.get(id)?.text())
    }

    fn line_index(&'v self, id: usize, byte_index: usize) -> Result<usize, Error> {
        self.get(id)?.file.line_index((), byte_index)
    }

    fn line_range(&'v self, id: usize, line_index: usize) -> Result<Range<usize>, Error> {
        self.get(id)?.file.line_range((), line_index)
    }

    /// The column in the file, not in the cut line.
    fn column_number(&'v self, id: usize, line_index: usize, byte_index: usize) -> Result<usize, Error> {
        let shown = self.get(id)?;
        if shown.pieces.is_empty() {
            return shown.file.column_number((), line_index, byte_index);
        }
        let line_start = shown.original_offset(shown.file.line_range((), line_index)?.start);
        let at = floor_boundary(shown.original, shown.original_offset(byte_index));
        Ok(shown.original.get(line_start..at).map_or(0, |s| s.chars().count()) + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cut(text: &str, span: Range<usize>) -> (String, Range<usize>) {
        let shown = Shown::new("f", text, &long_lines(text), &[span.start, span.end]);
        let span = shown.shown_offset(span.start)..shown.shown_offset(span.end);
        (shown.text().to_owned(), span)
    }

    #[test]
    fn short_lines_are_kept_whole() {
        let text = "a = 1\nb = [\"x\"]\n";
        assert!(long_lines(text).is_empty());
        assert_eq!(cut(text, 6..7), (text.to_owned(), 6..7));
    }

    #[test]
    fn a_long_line_is_cut_around_the_label_at_its_start_middle_and_end() {
        let ids: Vec<String> = (0..1000).map(|i| format!("\"x{i:04}\"")).collect();
        let line = format!("actions = [{}]", ids.join(", "));
        let text = format!("id = \"t\"\n{line}\nname = \"n\"\n");
        let line_start = text.find("actions").unwrap();
        let whole = line_start..line_start + line.len();
        assert_eq!(long_lines(&text), vec![whole]);
        for id in ["\"x0000\"", "\"x0500\"", "\"x0999\""] {
            let start = text.find(id).unwrap();
            let (shown, span) = cut(&text, start..start + id.len());
            assert_eq!(&shown[span], id, "the underline is on the id");
            let lines: Vec<&str> = shown.lines().collect();
            assert_eq!(lines.len(), 3, "no line is added or lost: {shown}");
            assert_eq!((lines[0], lines[2]), ("id = \"t\"", "name = \"n\""));
            assert!(lines[1].chars().count() <= 2 * CONTEXT + id.len() + 2, "{}", lines[1]);
            assert_eq!(lines[1].starts_with(ELLIPSIS), id != "\"x0000\"", "{}", lines[1]);
            assert_eq!(lines[1].ends_with(ELLIPSIS), id != "\"x0999\"", "{}", lines[1]);
        }
        // The start of the line is shown as it is.
        let (shown, _) = cut(&text, line_start..line_start + 7);
        assert!(shown.contains("\nactions = [\"x0000\""), "{shown}");
    }

    #[test]
    fn a_cut_never_splits_a_character() {
        // Two- to four-byte characters all along the line, and a label between them.
        let line: String = "é€😀".repeat(200);
        let text = format!("{line}x{line}\n");
        let at = line.len();
        let (shown, span) = cut(&text, at..at + 1);
        assert_eq!(&shown[span], "x");
        assert!(shown.starts_with(ELLIPSIS) && shown.ends_with(&format!("{ELLIPSIS}\n")), "{shown}");
        // Wide characters count two columns: fewer of them fit the window.
        assert!(width(&shown) <= 2 * CONTEXT + 3, "{} columns: {shown}", width(&shown));
        for w in windows(&line, &[1, 5, 200, line.len() - 1]) {
            assert!(line.is_char_boundary(w.start) && line.is_char_boundary(w.end), "{w:?}");
        }
    }

    #[test]
    fn a_label_longer_than_the_window_keeps_both_ends() {
        let text = format!("k = \"{}\"\n", "a".repeat(1000));
        let (shown, span) = cut(&text, 4..text.len() - 1);
        assert_eq!(shown.matches(ELLIPSIS).count(), 1, "one cut, in the middle: {shown}");
        assert!(shown[span.clone()].starts_with('"') && shown[span].ends_with('"'));
    }
}
