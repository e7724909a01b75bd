//! Plain, aligned terminal tables (no borders, two spaces between columns).
//!
//! Laid out here rather than by comfy-table: a history table has tens of
//! thousands of rows, and comfy-table copies, splits and re-measures every cell
//! several times (parsing ANSI styles each time). Each cell is measured once;
//! rows are then written one by one. The look is comfy-table's (its `NOTHING`
//! preset, one space of padding either side, the outer ones trimmed); a cell of
//! several lines is still laid out by comfy-table, which wraps styles across
//! the lines.

use std::io::{self, Write};

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
        Table {
            headers: headers.iter().map(|h| h.trim_end_matches('>').to_owned()).collect(),
            right: headers.iter().map(|h| h.ends_with('>')).collect(),
            rows: Vec::new(),
        }
    }

    pub(crate) fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    pub(crate) fn render(&self, color: bool) -> String {
        let mut out = Vec::new();
        self.write(&mut out, color).expect("writing to memory does not fail");
        String::from_utf8(out).expect("the cells are text")
    }

    /// Writes the table line by line.
    pub(crate) fn write(&self, out: &mut dyn Write, color: bool) -> io::Result<()> {
        let header: Vec<String> = self.headers.iter().map(|h| paint(color, BOLD, h)).collect();
        let multiline = self.rows.iter().chain([&header]).flatten().any(|c| c.contains('\n'));
        if multiline {
            return out.write_all(self.render_comfy(&header).as_bytes());
        }
        let columns = self.headers.len().max(self.rows.iter().map(Vec::len).max().unwrap_or(0));
        // A column is at least one character wide, as in comfy-table.
        let mut widths = vec![1usize; columns];
        let measured: Vec<Vec<usize>> = std::iter::once(&header)
            .chain(&self.rows)
            .map(|row| {
                row.iter()
                    .zip(widths.iter_mut())
                    .map(|(cell, w)| {
                        let cw = width(cell).min(u16::MAX as usize);
                        *w = (*w).max(cw);
                        cw
                    })
                    .collect()
            })
            .collect();
        let mut line = String::new();
        for (row, cell_widths) in std::iter::once(&header).chain(&self.rows).zip(&measured) {
            line.clear();
            for i in 0..columns {
                let (cell, w) = match row.get(i) {
                    Some(cell) => (cell.as_str(), cell_widths[i]),
                    None => ("", 0),
                };
                let pad = widths[i] - w;
                // One space of padding either side of every cell.
                line.push(' ');
                if self.right.get(i).copied().unwrap_or(false) {
                    push_spaces(&mut line, pad);
                    line.push_str(cell);
                } else {
                    line.push_str(cell);
                    push_spaces(&mut line, pad);
                }
                line.push(' ');
            }
            let text = line.strip_prefix(' ').unwrap_or(&line).trim_end();
            out.write_all(text.as_bytes())?;
            out.write_all(b"\n")?;
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

/// The columns a cell takes on a terminal (styles take none).
fn width(cell: &str) -> usize {
    if cell.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        cell.len()
    } else if cell.contains('\x1b') {
        cell.ansi_strip().width()
    } else {
        cell.width()
    }
}

fn push_spaces(s: &mut String, n: usize) {
    s.extend(std::iter::repeat_n(' ', n));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::{DIM, GREEN};

    fn both(headers: &[&str], rows: &[Vec<String>], color: bool) -> (String, String) {
        let mut t = Table::new(headers);
        for r in rows {
            t.row(r.clone());
        }
        let header: Vec<String> = t.headers.iter().map(|h| paint(color, BOLD, h)).collect();
        (t.render(color), t.render_comfy(&header))
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
}
