//! Tables for spreadsheets: a header row and typed cells, written as CSV (the
//! `csv` crate: RFC 4180 quoting) or XLSX (`rust_xlsxwriter`: a frozen header
//! row, an autofilter, real Excel dates and column widths that fit the text).
//!
//! The exports (`evident export history`, `evident export actions`) build a
//! [`Table`] and call [`encode`]; they never format cells themselves.

use rust_xlsxwriter::{ExcelDateTime, Format, FormatAlign, Workbook, XlsxError};

use crate::error::{Error, Result};
use crate::model::Date;

/// The two spreadsheet formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum TableFormat {
    /// Comma-separated values (UTF-8, RFC 4180 quoting), one header row.
    Csv,
    /// An Excel workbook with one sheet: frozen header, filters, real dates.
    Xlsx,
}

/// One cell. Dates are calendar dates; date-times are the author's local time
/// with its offset from UTC (CSV keeps the offset, Excel has no time zones).
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Cell {
    Empty,
    Text(String),
    Int(i64),
    Bool(bool),
    Date(Date),
    DateTime(jiff::civil::DateTime, jiff::tz::Offset),
}

impl Cell {
    pub(crate) fn text(s: impl Into<String>) -> Cell {
        Cell::Text(s.into())
    }

    /// Text, or an empty cell for `None`.
    pub(crate) fn opt(s: Option<impl Into<String>>) -> Cell {
        s.map_or(Cell::Empty, |s| Cell::Text(s.into()))
    }

    /// The cell as CSV text: dates ISO 8601, booleans `true`/`false`.
    pub(crate) fn csv_text(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(s) => s.clone(),
            Cell::Int(n) => n.to_string(),
            Cell::Bool(b) => b.to_string(),
            Cell::Date(d) => d.to_string(),
            Cell::DateTime(dt, offset) => {
                format!("{}{}", dt.strftime("%Y-%m-%dT%H:%M:%S"), iso_offset(*offset))
            }
        }
    }

    /// Characters the cell shows, for column widths.
    fn width(&self) -> usize {
        match self {
            Cell::Empty => 0,
            Cell::Text(s) => s.lines().map(|l| l.chars().count()).max().unwrap_or(0),
            Cell::Int(n) => n.to_string().len(),
            Cell::Bool(_) => 5,
            Cell::Date(_) => 10,
            Cell::DateTime(..) => 16,
        }
    }
}

/// `+02:00`, `-05:30`, `+00:00`.
fn iso_offset(offset: jiff::tz::Offset) -> String {
    let seconds = offset.seconds();
    let sign = if seconds < 0 { '-' } else { '+' };
    let minutes = seconds.abs() / 60;
    format!("{sign}{:02}:{:02}", minutes / 60, minutes % 60)
}

/// A sheet: a name (XLSX only), headers and rows of cells.
#[derive(Clone, Debug, Default)]
pub(crate) struct Table {
    pub sheet: String,
    pub headers: Vec<&'static str>,
    pub rows: Vec<Vec<Cell>>,
}

/// The table in `format`, as the bytes of a file.
pub(crate) fn encode(table: &Table, format: TableFormat) -> Result<Vec<u8>> {
    match format {
        TableFormat::Csv => csv(table),
        TableFormat::Xlsx => xlsx(table),
    }
}

/// CSV with a header row; fields with commas, quotes or line breaks are quoted.
pub(crate) fn csv(table: &Table) -> Result<Vec<u8>> {
    let mut writer = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(Vec::new());
    let fail = |e: csv::Error| Error::new(format!("could not write CSV: {e}"));
    writer.write_record(&table.headers).map_err(fail)?;
    let mut record = Vec::with_capacity(table.headers.len());
    for row in &table.rows {
        record.clear();
        record.extend(row.iter().map(|cell| match cell {
            Cell::Text(s) => defuse(s),
            other => other.csv_text(),
        }));
        writer.write_record(&record).map_err(fail)?;
    }
    writer.into_inner().map_err(|e| Error::new(format!("could not write CSV: {e}")))
}

/// The characters that make a spreadsheet read a CSV cell as a formula
/// (OWASP "CSV injection"): `=`, `+`, `-`, `@`, tab and carriage return.
pub(crate) const FORMULA_START: &[char] = &['=', '+', '-', '@', '\t', '\r'];

/// Whether `text`, once its leading `'`s are skipped, starts like a formula.
fn formula_like(text: &str) -> bool {
    text.trim_start_matches('\'').starts_with(FORMULA_START)
}

/// A text cell for CSV, defused the OWASP way: a cell that would start a
/// formula gets a leading `'` (spreadsheets show it as text and hide the
/// quote). So that [`undefuse`] can tell the added quote from one the text
/// had, text that already starts with `'`s followed by a formula character
/// gets one more. Typed cells (numbers, dates, booleans) are never text and
/// are written as they are.
pub(crate) fn defuse(text: &str) -> String {
    if formula_like(text) { format!("'{text}") } else { text.to_owned() }
}

/// Undoes [`defuse`] exactly: removes the one `'` it added, and nothing
/// from any other text (`'quoted'` stays as it is).
pub(crate) fn undefuse(text: &str) -> &str {
    match text.strip_prefix('\'') {
        Some(rest) if formula_like(rest) => rest,
        _ => text,
    }
}

/// Excel's limit on the characters of a cell.
const CELL_LIMIT: usize = 32_767;

/// What ends a text cell cut to Excel's limit; `evident import` refuses such a cell.
pub(crate) const TRUNCATED: &str = " …[cut to Excel's limit by evident export]";

/// Text longer than a cell holds (long notes) is cut, with [`TRUNCATED`] at its end, rather
/// than failing the whole workbook. (Counted in UTF-16 units: never more than characters.)
fn cell_text(s: &str) -> std::borrow::Cow<'_, str> {
    if s.encode_utf16().count() <= CELL_LIMIT {
        return s.into();
    }
    let room = CELL_LIMIT - TRUNCATED.encode_utf16().count();
    let mut used = 0;
    let end = s
        .char_indices()
        .find(|(_, c)| {
            used += c.len_utf16();
            used > room
        })
        .map_or(s.len(), |(i, _)| i);
    format!("{}{TRUNCATED}", &s[..end]).into()
}

/// Widest a column gets, in characters; longer text wraps.
const MAX_WIDTH: usize = 60;

/// An XLSX workbook with the table on one sheet.
pub(crate) fn xlsx(table: &Table) -> Result<Vec<u8>> {
    xlsx_inner(table).map_err(|e| Error::new(format!("could not write the workbook: {e}")))
}

fn xlsx_inner(table: &Table) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name(&table.sheet)?;
    let header = Format::new().set_bold().set_align(FormatAlign::Top);
    let date = Format::new().set_num_format("yyyy-mm-dd").set_align(FormatAlign::Top);
    let datetime = Format::new().set_num_format("yyyy-mm-dd hh:mm:ss").set_align(FormatAlign::Top);
    let text = Format::new().set_align(FormatAlign::Top);
    let wrapped = Format::new().set_text_wrap().set_align(FormatAlign::Top);
    let widths = column_widths(table);
    for (col, (name, width)) in table.headers.iter().zip(&widths).enumerate() {
        let col = col as u16;
        sheet.write_string_with_format(0, col, *name, &header)?;
        sheet.set_column_width(col, (*width + 2) as f64)?;
    }
    for (r, row) in table.rows.iter().enumerate() {
        let r = r as u32 + 1;
        for (col, cell) in row.iter().enumerate() {
            let col = col as u16;
            match cell {
                Cell::Empty => {}
                Cell::Text(s) => {
                    let wide = widths.get(col as usize).is_some_and(|w| *w >= MAX_WIDTH);
                    let format = if wide || s.contains('\n') { &wrapped } else { &text };
                    sheet.write_string_with_format(r, col, cell_text(s).as_ref(), format)?;
                }
                Cell::Int(n) => {
                    sheet.write_number_with_format(r, col, *n as f64, &text)?;
                }
                Cell::Bool(b) => {
                    sheet.write_boolean_with_format(r, col, *b, &text)?;
                }
                Cell::Date(d) => {
                    sheet.write_datetime_with_format(r, col, excel_date(*d)?, &date)?;
                }
                Cell::DateTime(dt, _) => {
                    let value = excel_date(Date(dt.date()))?.and_hms(
                        dt.hour() as u16,
                        dt.minute() as u8,
                        dt.second() as f64,
                    )?;
                    sheet.write_datetime_with_format(r, col, value, &datetime)?;
                }
            }
        }
    }
    let last_col = table.headers.len().saturating_sub(1) as u16;
    sheet.set_freeze_panes(1, 0)?;
    sheet.autofilter(0, 0, table.rows.len() as u32, last_col)?;
    workbook.save_to_buffer()
}

fn excel_date(d: Date) -> Result<ExcelDateTime, XlsxError> {
    ExcelDateTime::from_ymd(d.0.year() as u16, d.0.month() as u8, d.0.day() as u8)
}

/// The width of each column: its widest cell or header (plus room for the
/// filter button), at least 8 and at most [`MAX_WIDTH`] characters.
fn column_widths(table: &Table) -> Vec<usize> {
    table
        .headers
        .iter()
        .enumerate()
        .map(|(col, header)| {
            let widest = table.rows.iter().filter_map(|r| r.get(col)).map(Cell::width).max().unwrap_or(0);
            widest.max(header.chars().count() + 3).clamp(8, MAX_WIDTH)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_what_needs_it() {
        let table = Table {
            sheet: "T".into(),
            headers: vec!["A", "B"],
            rows: vec![vec![Cell::text("a, \"b\"\nc"), Cell::Int(3)], vec![Cell::Empty, Cell::Bool(true)]],
        };
        let text = String::from_utf8(csv(&table).unwrap()).unwrap();
        assert_eq!(text, "A,B\r\n\"a, \"\"b\"\"\nc\",3\r\n,true\r\n");
    }

    #[test]
    fn csv_cells_that_start_a_formula_are_defused_and_undone_exactly() {
        let texts = [
            "=HYPERLINK(\"http://x\")",
            "+1",
            "-2",
            "@SUM(A1)",
            "\tx",
            "\rx",
            "'=x",
            "''+x",
            "'quoted'",
            "a=b",
            "",
            "'",
        ];
        for text in texts {
            let out = defuse(text);
            assert!(!out.starts_with(FORMULA_START), "{out:?}");
            assert_eq!(undefuse(&out), text, "{text:?}");
        }
        assert_eq!(defuse("=1+1"), "'=1+1");
        assert_eq!(defuse("'quoted'"), "'quoted'");
        let table = Table {
            sheet: "T".into(),
            headers: vec!["A", "B"],
            rows: vec![vec![Cell::text("=1+1"), Cell::Int(-3)]],
        };
        assert_eq!(String::from_utf8(csv(&table).unwrap()).unwrap(), "A,B\r\n'=1+1,-3\r\n");
    }

    #[test]
    fn offsets_are_iso() {
        let offset = |s| jiff::tz::Offset::from_seconds(s).unwrap();
        assert_eq!(iso_offset(offset(0)), "+00:00");
        assert_eq!(iso_offset(offset(-(5 * 3600 + 30 * 60))), "-05:30");
        assert_eq!(iso_offset(offset(2 * 3600)), "+02:00");
    }
}
