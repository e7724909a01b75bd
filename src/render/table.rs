//! Plain, aligned terminal tables (no borders, a rule under the header).

use comfy_table::{Cell, CellAlignment, ContentArrangement, Table as Comfy, presets};

use crate::ui::{BOLD, paint};

pub struct Table {
    headers: Vec<String>,
    right: Vec<bool>,
    rows: Vec<Vec<String>>,
}

impl Table {
    /// Headers ending in `>` are right-aligned (the `>` is dropped).
    pub fn new(headers: &[&str]) -> Self {
        Table {
            headers: headers.iter().map(|h| h.trim_end_matches('>').to_owned()).collect(),
            right: headers.iter().map(|h| h.ends_with('>')).collect(),
            rows: Vec::new(),
        }
    }

    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    pub fn render(&self, color: bool) -> String {
        let mut t = Comfy::new();
        t.load_preset(presets::NOTHING);
        t.set_content_arrangement(ContentArrangement::Disabled);
        t.set_header(self.headers.iter().map(|h| Cell::new(paint(color, BOLD, h))));
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
