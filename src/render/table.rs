//! Plain, aligned terminal tables (no borders, two spaces between columns).
//!
//! Laid out here rather than by comfy-table: a history table has tens of
//! thousands of rows, and comfy-table copies, splits and re-measures every cell
//! several times (parsing ANSI styles each time). The look is comfy-table's
//! (its `NOTHING` preset, one space of padding either side, the outer ones
//! trimmed); a cell of several lines is still laid out by comfy-table, which
//! wraps styles across the lines.
//!
//! [`Table`] keeps its rows, for short tables. [`Stream`] keeps none: it walks
//! its rows twice, once to measure the columns and once to write each row as
//! it is formatted, so a table of any length takes the memory of one row.

use std::fmt::{self, Write};

use ansi_str::AnsiStr;
use comfy_table::{Cell, CellAlignment, ContentArrangement, Table as Comfy, presets};
use unicode_width::UnicodeWidthStr;

use crate::ui::{BOLD, paint};

pub(crate) struct Table {
    headers: Vec<String>,
    right: Vec<bool>,
    rows: Vec<Vec<String>>,
}

impl Table {
    /// Headers ending in `>` are right-aligned (the `>` is dropped).
    pub(crate) fn new(headers: &[&str]) -> Self {
        Table { headers: header_names(headers), right: right_aligned(headers), rows: Vec::new() }
    }

    pub(crate) fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    pub(crate) fn render(&self, color: bool) -> String {
        let mut out = String::new();
        self.write(&mut out, color).expect("writing to memory does not fail");
        out
    }

    /// The table in Markdown: every cell escaped (user text makes no links, HTML or columns),
    /// right-aligned columns marked so.
    pub(crate) fn markdown(&self) -> String {
        let line = |cells: &mut dyn Iterator<Item = String>| {
            let mut s = String::from("|");
            for cell in cells {
                s.push_str(&format!(" {cell} |"));
            }
            s.push('\n');
            s
        };
        let mut out = line(&mut self.headers.iter().map(|h| super::md_cell(h)));
        out.push_str(&line(&mut self.right.iter().map(|&r| if r { "---:" } else { "---" }.to_owned())));
        for row in &self.rows {
            out.push_str(&line(&mut row.iter().map(|c| super::md_cell(c))));
        }
        out
    }

    /// Writes the table line by line.
    pub(crate) fn write(&self, out: &mut dyn Write, color: bool) -> fmt::Result {
        let header: Vec<String> = self.headers.iter().map(|h| paint(color, BOLD, h)).collect();
        let multiline = self.rows.iter().chain([&header]).flatten().any(|c| c.contains('\n'));
        if multiline {
            return out.write_str(&self.render_comfy(&header));
        }
        let mut layout = Layout::new(self.right.clone());
        for row in std::iter::once(&header).chain(&self.rows) {
            layout.measure(row);
        }
        let mut line = String::new();
        for row in std::iter::once(&header).chain(&self.rows) {
            layout.write_row(row, &mut line, out)?;
        }
        Ok(())
    }

    /// The table as comfy-table lays it out.
    fn render_comfy(&self, header: &[String]) -> String {
        let mut t = Comfy::new();
        t.load_preset(presets::NOTHING);
        t.set_content_arrangement(ContentArrangement::Disabled);
        t.set_header(header.iter().map(Cell::new));
        for row in &self.rows {
            t.add_row(row.iter().map(Cell::new));
        }
        for (i, right) in self.right.iter().enumerate() {
            if *right && let Some(col) = t.column_mut(i) {
                col.set_cell_alignment(CellAlignment::Right);
            }
        }
        // comfy-table pads each cell with one space either side; trim the outer ones.
        let text = t.to_string();
        let mut out = String::new();
        for line in text.lines() {
            out.push_str(line.strip_prefix(' ').unwrap_or(line).trim_end());
            out.push('\n');
        }
        out
    }
}

fn header_names(headers: &[&str]) -> Vec<String> {
    headers.iter().map(|h| h.trim_end_matches('>').to_owned()).collect()
}

fn right_aligned(headers: &[&str]) -> Vec<bool> {
    headers.iter().map(|h| h.ends_with('>')).collect()
}

/// A table written as it is formatted, laid out exactly as [`Table`] lays out
/// the same rows. `fill` formats one item's row into [`Cells`]; it is called
/// twice per item (to measure, then to write), so it must give the same cells
/// both times, and `items` is cloned to walk them again.
pub(crate) struct Stream<I, F> {
    headers: Vec<String>,
    right: Vec<bool>,
    items: I,
    fill: F,
    color: bool,
}

impl<I, F> Stream<I, F>
where
    I: Iterator + Clone,
    F: FnMut(I::Item, &mut Cells),
{
    /// Headers ending in `>` are right-aligned (the `>` is dropped).
    pub(crate) fn new(headers: &[&str], items: I, fill: F, color: bool) -> Self {
        Stream { headers: header_names(headers), right: right_aligned(headers), items, fill, color }
    }

    /// Writes the header and every row.
    pub(crate) fn write(mut self, out: &mut dyn Write) -> fmt::Result {
        let header: Vec<String> = self.headers.iter().map(|h| paint(self.color, BOLD, h)).collect();
        let mut layout = Layout::new(std::mem::take(&mut self.right));
        layout.measure(&header);
        let mut cells = Cells::default();
        let mut multiline = header.iter().any(|c| c.contains('\n'));
        for item in self.items.clone() {
            cells.clear();
            (self.fill)(item, &mut cells);
            layout.measure(cells.as_slice());
            multiline |= cells.as_slice().iter().any(|c| c.contains('\n'));
        }
        if multiline {
            let color = self.color;
            return self.collect(layout.right).write(out, color);
        }
        let mut line = String::new();
        layout.write_row(&header, &mut line, out)?;
        for item in self.items {
            cells.clear();
            (self.fill)(item, &mut cells);
            layout.write_row(cells.as_slice(), &mut line, out)?;
        }
        Ok(())
    }

    /// The rows kept in a [`Table`], for cells of several lines.
    fn collect(mut self, right: Vec<bool>) -> Table {
        let mut table = Table { headers: self.headers, right, rows: Vec::new() };
        let mut cells = Cells::default();
        for item in self.items {
            cells.clear();
            (self.fill)(item, &mut cells);
            table.row(cells.as_slice().to_vec());
        }
        table
    }
}

/// The cells of one row of a [`Stream`]; their buffers are reused from row
/// to row.
#[derive(Default)]
pub(crate) struct Cells {
    cells: Vec<String>,
    len: usize,
}

impl Cells {
    /// The next cell, empty, to write into.
    pub(crate) fn next(&mut self) -> &mut String {
        if self.len == self.cells.len() {
            self.cells.push(String::new());
        }
        self.len += 1;
        let cell = &mut self.cells[self.len - 1];
        cell.clear();
        cell
    }

    /// Adds a cell of user text, its control characters made visible: the
    /// terminal sink keeps colour sequences (evident's), and would keep one
    /// written in an author name or a title too.
    pub(crate) fn push(&mut self, text: &str) {
        self.next().push_str(&crate::render::printable(text, false));
    }

    /// Adds a cell of user text in a style (plain when not colouring), made
    /// visible like [`Cells::push`].
    pub(crate) fn paint(&mut self, color: bool, style: anstyle::Style, text: &str) {
        let text = crate::render::printable(text, false);
        let cell = self.next();
        if color {
            let _ = write!(cell, "{style}{text}{style:#}");
        } else {
            cell.push_str(&text);
        }
    }

    fn clear(&mut self) {
        self.len = 0;
    }

    fn as_slice(&self) -> &[String] {
        &self.cells[..self.len]
    }
}

/// Column widths and alignment, and the writing of a row to them.
struct Layout {
    right: Vec<bool>,
    widths: Vec<usize>,
}

impl Layout {
    fn new(right: Vec<bool>) -> Self {
        // A column is at least one character wide, as in comfy-table.
        Layout { widths: vec![1; right.len()], right }
    }

    /// Widens the columns to fit a row.
    fn measure(&mut self, row: &[String]) {
        if row.len() > self.widths.len() {
            self.widths.resize(row.len(), 1);
        }
        for (cell, w) in row.iter().zip(self.widths.iter_mut()) {
            *w = (*w).max(width(cell));
        }
    }

    /// Writes a row, its cells padded to the columns' widths; `line` is a
    /// buffer kept from row to row.
    fn write_row(&self, row: &[String], line: &mut String, out: &mut dyn Write) -> fmt::Result {
        line.clear();
        for (i, column) in self.widths.iter().enumerate() {
            let (cell, w) = match row.get(i) {
                Some(cell) => (cell.as_str(), width(cell)),
                None => ("", 0),
            };
            let pad = column - w;
            // One space of padding either side of every cell.
            line.push(' ');
            if self.right.get(i).copied().unwrap_or(false) {
                push_spaces(line, pad);
                line.push_str(cell);
            } else {
                line.push_str(cell);
                push_spaces(line, pad);
            }
            line.push(' ');
        }
        out.write_str(line.strip_prefix(' ').unwrap_or(line).trim_end())?;
        out.write_char('\n')
    }
}

/// The columns a cell takes on a terminal (styles take none).
fn width(cell: &str) -> usize {
    let w = if cell.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        cell.len()
    } else if cell.contains('\x1b') {
        cell.ansi_strip().width()
    } else {
        cell.width()
    };
    w.min(u16::MAX as usize)
}

fn push_spaces(s: &mut String, n: usize) {
    s.extend(std::iter::repeat_n(' ', n));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::{DIM, GREEN};

    /// Our layout and comfy-table's; the streamed one is checked against ours.
    fn both(headers: &[&str], rows: &[Vec<String>], color: bool) -> (String, String) {
        let mut t = Table::new(headers);
        for r in rows {
            t.row(r.clone());
        }
        let header: Vec<String> = t.headers.iter().map(|h| paint(color, BOLD, h)).collect();
        let ours = t.render(color);
        assert_eq!(streamed(headers, rows, color), ours, "streamed");
        (ours, t.render_comfy(&header))
    }

    fn streamed(headers: &[&str], rows: &[Vec<String>], color: bool) -> String {
        // The cells are styled already: written as they are.
        let fill = |row: &Vec<String>, cells: &mut Cells| {
            for cell in row {
                cells.next().push_str(cell);
            }
        };
        let mut out = String::new();
        Stream::new(headers, rows.iter(), fill, color).write(&mut out).expect("in memory");
        out
    }

    #[test]
    fn lays_out_as_comfy_table_does() {
        let cells =
            ["", "a", "mfa-admins", "é", "日本語", "x y", "  lead", "trail  ", "ﬁ", "👍🏽", "\t", "e\u{301}"];
        for color in [false, true] {
            for (k, headers) in
                [&["Date", "Commit", "Author"][..], &["A", "Points>", "Score>"], &["", "B>", ""]]
                    .iter()
                    .enumerate()
            {
                let rows: Vec<Vec<String>> = (0..cells.len())
                    .map(|i| {
                        (0..3)
                            .map(|j| {
                                let c = cells[(i * 7 + j * 3 + k) % cells.len()];
                                if color && j == 1 { paint(true, GREEN, c) } else { paint(color, DIM, c) }
                            })
                            .collect()
                    })
                    .collect();
                let (ours, comfy) = both(headers, &rows, color);
                assert_eq!(ours, comfy, "{headers:?} color={color}");
                // A short row, and a table with no rows.
                let mut short = rows.clone();
                short.push(vec!["only".into()]);
                let (ours, comfy) = both(headers, &short, color);
                assert_eq!(ours, comfy);
                let (ours, comfy) = both(headers, &[], color);
                assert_eq!(ours, comfy);
            }
        }
    }

    #[test]
    fn cells_of_several_lines_keep_their_layout() {
        let rows = vec![vec!["a\nbb".to_owned(), "c".into()], vec!["d".into(), "e\nf\ng".into()]];
        let (ours, comfy) = both(&["X", "Y>"], &rows, false);
        assert_eq!(ours, comfy);
    }

    #[test]
    fn a_streamed_table_formats_each_row_twice_and_keeps_none() {
        // Cells that vary in width and style; the widest comes last.
        let items = ["a", "日本語", "👍🏽 x", "\x1b[31mred\x1b[0m", "longest of all"];
        let mut calls = 0;
        let fill = |item: &&str, cells: &mut Cells| {
            calls += 1;
            cells.paint(true, DIM, item);
            cells.push(&item.len().to_string());
        };
        let mut out = String::new();
        Stream::new(&["Name", "Bytes>"], items.iter(), fill, true).write(&mut out).expect("in memory");
        assert_eq!(calls, 2 * items.len());
        let mut t = Table::new(&["Name", "Bytes>"]);
        for item in items {
            // A colour sequence in the text itself is shown, not obeyed.
            let shown = crate::render::printable(item, false);
            t.row(vec![paint(true, DIM, shown), item.len().to_string()]);
        }
        assert_eq!(out, t.render(true));
        assert!(out.contains("\x1b[2m␛[31mred␛[0m\x1b[0m"), "{out:?}");
    }

    #[test]
    fn an_empty_stream_is_its_header() {
        let out = streamed(&["Date", "Points>"], &[], false);
        assert_eq!(out, "Date  Points\n");
        assert_eq!(streamed(&["Date", "Points>"], &[], true), Table::new(&["Date", "Points>"]).render(true));
    }

    #[test]
    fn a_streamed_row_of_several_lines_is_laid_out_by_comfy_table() {
        let rows = vec![vec!["a".to_owned(), "b".into()], vec!["c\nd".into(), "e".into()]];
        let (ours, comfy) = both(&["X", "Y>"], &rows, true);
        assert_eq!(ours, comfy);
    }
}
