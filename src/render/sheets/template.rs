//! The spreadsheet of `evident export template`: one row per control of a
//! template, the file `evident import template` reads back as the template's
//! next version (`import::template`). Export and import share this layout.

use crate::model::Template;
use crate::render::table_export::{Cell, Table};

/// The sheet `evident import template` looks for in a workbook.
pub const SHEET: &str = "Template";

pub const HEADERS: [&str; 11] = [
    "Template",
    "Name",
    "Regulation",
    "Version",
    "Source",
    "Description",
    "Control",
    "Control title",
    "Family",
    "Control description",
    "Actions",
];

/// One row per control, in the template's order.
pub fn table(t: &Template) -> Table {
    let rows = t
        .controls
        .iter()
        .map(|c| {
            vec![
                Cell::text(t.id.as_str()),
                Cell::text(&t.name),
                Cell::text(&t.regulation),
                Cell::Int(i64::from(t.version)),
                Cell::opt(t.source.as_deref()),
                Cell::opt(t.description.as_deref()),
                Cell::text(c.id.as_str()),
                Cell::text(&c.title),
                Cell::opt(c.family.as_deref()),
                Cell::opt(c.description.as_deref()),
                Cell::text(c.actions.iter().map(|a| a.as_str()).collect::<Vec<_>>().join("\n")),
            ]
        })
        .collect();
    Table { sheet: SHEET.into(), headers: HEADERS.to_vec(), rows }
}
