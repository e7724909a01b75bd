//! The spreadsheet of `evident export template`: one row per control of a
//! template, the file `evident import template` reads back as the template's
//! next version (`import::template`). Export and import share this layout.

use crate::model::{Control, Template};
use crate::render::table_export::{Cell, Table};

/// The sheet `evident import template` looks for in a workbook.
pub(crate) const SHEET: &str = "Template";

/// A column of the sheet, in the order of the file. The first six are the
/// template's own and repeat on every row; the rest are one control's.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Column {
    Template,
    Name,
    Regulation,
    Version,
    Source,
    Description,
    Control,
    ControlTitle,
    Family,
    ControlDescription,
    Actions,
}

impl Column {
    /// Every column, in the order of the file.
    pub(crate) const ALL: [Column; 11] = [
        Column::Template,
        Column::Name,
        Column::Regulation,
        Column::Version,
        Column::Source,
        Column::Description,
        Column::Control,
        Column::ControlTitle,
        Column::Family,
        Column::ControlDescription,
        Column::Actions,
    ];

    /// The column's header.
    pub(crate) const fn header(self) -> &'static str {
        match self {
            Column::Template => "Template",
            Column::Name => "Name",
            Column::Regulation => "Regulation",
            Column::Version => "Version",
            Column::Source => "Source",
            Column::Description => "Description",
            Column::Control => "Control",
            Column::ControlTitle => "Control title",
            Column::Family => "Family",
            Column::ControlDescription => "Control description",
            Column::Actions => "Actions",
        }
    }

    /// The column's cell for one control of a template.
    pub(crate) fn cell(self, t: &Template, c: &Control) -> Cell {
        match self {
            Column::Template => Cell::text(t.id.as_str()),
            Column::Name => Cell::text(&t.name),
            Column::Regulation => Cell::text(&t.regulation),
            Column::Version => Cell::Int(i64::from(t.version)),
            Column::Source => Cell::opt(t.source.as_deref()),
            Column::Description => Cell::opt(t.description.as_deref()),
            Column::Control => Cell::text(c.id.as_str()),
            Column::ControlTitle => Cell::text(&c.title),
            Column::Family => Cell::opt(c.family.as_deref()),
            Column::ControlDescription => Cell::opt(c.description.as_deref()),
            Column::Actions => {
                Cell::text(c.actions.iter().map(|a| a.as_str()).collect::<Vec<_>>().join("\n"))
            }
        }
    }
}

impl super::Header for Column {
    fn header(self) -> &'static str {
        Column::header(self)
    }
}

/// The headers, in order.
pub(crate) const HEADERS: [&str; 11] = super::headers!(Column, 11);

/// One row per control, in the template's order.
pub(crate) fn table(t: &Template) -> Table {
    let rows = t.controls.iter().map(|c| Column::ALL.iter().map(|col| col.cell(t, c)).collect()).collect();
    Table { sheet: SHEET.into(), headers: HEADERS.to_vec(), rows }
}
