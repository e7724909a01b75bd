//! Imports: spreadsheets read back into the repository.
//!
//! [`read`] turns a CSV file or one sheet of an XLSX workbook into a header
//! and rows of typed cells, each row with the number a spreadsheet shows for
//! it; [`actions`] checks the rows of an action export and plans the bulk
//! update. Every problem is a [`Diagnostic`] at a [`Cell`] that names the
//! file, sheet, row and column, so all of them can be shown at once.

pub(crate) mod actions;
pub(crate) mod cells;
pub(crate) mod ciso;
pub(crate) mod ciso_mapping;
pub(crate) mod previous;
pub(crate) mod template;

use std::collections::HashMap;
use std::path::Path;

use calamine::{Data, Reader, Xlsx, open_workbook};

use crate::diag::{Cell, Code, Diagnostic, Location, did_you_mean};
use crate::error::{Error, Result};
use crate::render::sheets::Header;

/// A spreadsheet read into memory.
#[derive(Debug, Default)]
pub(crate) struct Sheet {
    /// The file name, as the user gave it.
    pub file: String,
    /// The sheet's name (XLSX only).
    pub sheet: Option<String>,
    /// The spreadsheet row number of the header (1-based).
    pub header_row: usize,
    pub headers: Vec<String>,
    pub rows: Vec<Row>,
}

/// One row below the header. `number` is the row number a spreadsheet shows
/// (the header is usually row 1); `line` is the CSV line it starts on.
#[derive(Debug, Clone)]
pub(crate) struct Row {
    pub number: usize,
    pub line: Option<u64>,
    pub cells: Vec<Value>,
}

impl Row {
    pub(crate) fn is_blank(&self) -> bool {
        self.cells
            .iter()
            .all(|c| matches!(c, Value::Empty) || matches!(c, Value::Text(t) if t.trim().is_empty()))
    }
}

/// A cell's value, as typed as the file says.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    Empty,
    Text(String),
    Number(f64),
    Bool(bool),
    /// A date cell of a workbook: year, month, day, and whether it has a time of day.
    Date(i16, i8, i8, bool),
}

/// A problem with the whole file (or sheet).
pub(crate) fn file_problem(code: Code, sheet: &Sheet, message: impl Into<String>) -> Diagnostic {
    Diagnostic::new(code, message).in_cell(Cell {
        file: sheet.file.clone(),
        sheet: sheet.sheet.clone(),
        row: None,
        line: None,
        column: None,
    })
}

/// A problem with a row (`column: None`) or one of its cells.
pub(crate) fn problem_at(
    code: Code,
    sheet: &Sheet,
    row: &Row,
    column: Option<&str>,
    message: impl Into<String>,
) -> Diagnostic {
    Diagnostic::new(code, message).in_cell(Cell {
        file: sheet.file.clone(),
        sheet: sheet.sheet.clone(),
        row: Some(row.number),
        line: row.line,
        column: column.map(str::to_owned),
    })
}

/// The spreadsheet row a problem is on (`None` for the whole file), to list
/// problems in the order of the file.
pub(crate) fn row_of(d: &Diagnostic) -> Option<usize> {
    match &d.location {
        Location::Cell(cell) => cell.row,
        _ => None,
    }
}

/// Where each column is in the file.
pub(crate) struct Columns {
    index: HashMap<&'static str, usize>,
}

impl Columns {
    /// The cell of a row in a column (empty when the row is short).
    pub(crate) fn cell<'r>(&self, row: &'r Row, column: impl Header) -> &'r Value {
        self.index.get(column.header()).and_then(|i| row.cells.get(*i)).unwrap_or(&Value::Empty)
    }

    /// The cell as trimmed text.
    pub(crate) fn text(&self, row: &Row, column: impl Header) -> String {
        text_of(self.cell(row, column)).trim().to_owned()
    }

    /// Checks the header row: every column of `headers` (the export's, which
    /// `command` writes), each once, in any order, and no other.
    pub(crate) fn check(
        sheet: &Sheet,
        columns: &[impl Header],
        command: &str,
    ) -> Result<Columns, Vec<Diagnostic>> {
        let headers: Vec<&'static str> = columns.iter().map(|c| c.header()).collect();
        let mut problems = Vec::new();
        let mut index = HashMap::new();
        let header_row = Row {
            number: sheet.header_row,
            line: Some(1).filter(|_| sheet.sheet.is_none()),
            cells: Vec::new(),
        };
        let expected = || {
            format!(
                "the columns are: {}",
                headers.iter().map(|h| format!("\"{h}\"")).collect::<Vec<_>>().join(", ")
            )
        };
        if sheet.headers.iter().all(|h| h.trim().is_empty()) {
            return Err(vec![file_problem(Code::ImportColumns, sheet, "the file has no header row").hint(
                format!(
                    "the first row names the columns, as `evident export actions` writes them; {}",
                    expected()
                ),
            )]);
        }
        for (i, header) in sheet.headers.iter().enumerate() {
            let h = header.trim();
            if h.is_empty() {
                continue;
            }
            match headers.iter().find(|k| k.eq_ignore_ascii_case(h)) {
                Some(known) => {
                    if index.insert(*known, i).is_some() {
                        problems.push(
                            problem_at(
                                Code::ImportColumns,
                                sheet,
                                &header_row,
                                Some(h),
                                format!("column \"{known}\" appears twice"),
                            )
                            .hint("delete one of them"),
                        );
                    }
                }
                None => {
                    let hint = did_you_mean(h, headers.iter().copied()).unwrap_or_else(expected);
                    problems.push(
                        problem_at(
                            Code::ImportColumns,
                            sheet,
                            &header_row,
                            Some(h),
                            format!("unknown column \"{h}\""),
                        )
                        .hint(hint),
                    );
                }
            }
        }
        let missing: Vec<&str> = headers.iter().copied().filter(|h| !index.contains_key(h)).collect();
        if !missing.is_empty() {
            let list = missing.iter().map(|h| format!("\"{h}\"")).collect::<Vec<_>>().join(", ");
            problems.push(
                file_problem(
                    Code::ImportColumns,
                    sheet,
                    format!("missing column{} {list}", if missing.len() == 1 { "" } else { "s" }),
                )
                .hint(format!("{}; export again with `{command}` to get them all", expected())),
            );
        }
        if problems.is_empty() { Ok(Columns { index }) } else { Err(problems) }
    }
}

/// Spreadsheet file formats, by extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Csv,
    Xlsx,
}

impl Kind {
    pub(crate) fn of(path: &Path) -> Result<Kind> {
        let ext = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
        match ext.as_deref() {
            Some("csv") => Ok(Kind::Csv),
            Some("xlsx" | "xlsm") => Ok(Kind::Xlsx),
            _ => Err(Error::new(format!("`{}` is neither a .csv nor an .xlsx file", path.display()))
                .hint("import the file `evident export` wrote, as CSV (`.csv`) or Excel (`.xlsx`)")),
        }
    }
}

/// Reads a CSV file, or the sheet called `sheet_name` of a workbook (its only
/// sheet when it has one). Errors that stop reading are an [`Error`];
/// problems with cells (formulas, merged cells) are returned with the sheet.
pub(crate) fn read(path: &Path, sheet_name: &str) -> Result<(Sheet, Vec<Diagnostic>)> {
    let file = path.display().to_string();
    match Kind::of(path)? {
        Kind::Csv => {
            let bytes = std::fs::read(path).map_err(|e| Error::io("read", path, e))?;
            read_csv(&file, &bytes).map(|s| (s, Vec::new()))
        }
        Kind::Xlsx => read_xlsx(path, &file, sheet_name),
    }
}

/// Reads CSV bytes (UTF-8, with or without a byte-order mark).
pub(crate) fn read_csv(file: &str, bytes: &[u8]) -> Result<Sheet> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(bytes);
    let mut sheet = Sheet { file: file.to_owned(), header_row: 1, ..Sheet::default() };
    let mut record = csv::StringRecord::new();
    let mut number = 0;
    let (mut counted, mut lines) = (0usize, 0u64);
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let at = e.position().map(|p| format!(" (line {})", p.line())).unwrap_or_default();
                return Err(Error::new(format!("`{file}` is not valid CSV{at}: {e}"))
                    .hint("save the file as \"CSV UTF-8 (comma delimited)\""));
            }
        }
        number += 1;
        let cells: Vec<String> = record.iter().map(str::to_owned).collect();
        if number == 1 {
            sheet.headers = cells;
            continue;
        }
        // The line a record starts on, counted here: the reader's own count
        // does not include line breaks inside quoted fields.
        let line = record.position().map(|p| {
            // After `\r` the reader ends a record; its `\n` starts the next one.
            let mut start = (p.byte() as usize).min(bytes.len());
            while matches!(bytes.get(start), Some(b'\r' | b'\n')) {
                start += 1;
            }
            lines += memchr::memchr_iter(b'\n', &bytes[counted..start]).count() as u64;
            counted = start;
            lines + 1
        });
        // `evident export` defused cells that would start a formula with a `'`; take exactly that back.
        let cells = cells
            .into_iter()
            .map(|c| match crate::render::table_export::undefuse(&c) {
                "" => Value::Empty,
                text if text.len() == c.len() => Value::Text(c),
                text => Value::Text(text.to_owned()),
            })
            .collect();
        sheet.rows.push(Row { number, line, cells });
    }
    Ok(sheet)
}

/// What a workbook may inflate to before it is read: an XLSX is a zip file,
/// and a few kilobytes of it can inflate to gigabytes (a "zip bomb") that
/// would exhaust memory when the spreadsheet reader loads its strings.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ZipLimits {
    /// Bytes one part (a sheet, the shared strings) may inflate to.
    pub part: u64,
    /// Bytes all parts together may inflate to.
    pub total: u64,
    /// Parts the zip may hold.
    pub parts: usize,
}

/// Far above what `evident export` writes for 100,000 rows (about 60 MiB).
pub(crate) const XLSX_LIMITS: ZipLimits = ZipLimits { part: 256 << 20, total: 512 << 20, parts: 10_000 };

/// Refuses a workbook that inflates beyond `limits`, judged by the sizes the
/// zip declares and then by the bytes its parts really inflate to (read and
/// discarded, each stopped at the limit), before the spreadsheet reader
/// loads anything.
pub(crate) fn check_zip(path: &Path, file: &str, limits: &ZipLimits) -> Result<()> {
    use std::io::Read;
    let unreadable = |e: &dyn std::fmt::Display| {
        Error::new(format!("`{file}` is not a readable Excel workbook: {e}"))
            .hint("save it as an Excel Workbook (.xlsx), or export it again with `evident export`")
    };
    let too_big = |part: &str, what: String| {
        Error::new(format!("`{file}` is refused: {what} (part `{part}`)")).hint(format!(
            "a workbook to import may inflate to {} MiB per part and {} MiB in all; this one looks like a zip bomb, or holds far more than actions",
            limits.part >> 20,
            limits.total >> 20
        ))
    };
    let handle = std::fs::File::open(path).map_err(|e| Error::io("read", path, e))?;
    let mut zip = zip::ZipArchive::new(std::io::BufReader::new(handle)).map_err(|e| unreadable(&e))?;
    if zip.len() > limits.parts {
        return Err(too_big("*", format!("it has {} parts, more than {}", zip.len(), limits.parts)));
    }
    let mut declared = 0u64;
    for i in 0..zip.len() {
        let part = zip.by_index_raw(i).map_err(|e| unreadable(&e))?;
        declared = declared.saturating_add(part.size());
        if part.size() > limits.part || declared > limits.total {
            let what = format!("it declares {} MiB uncompressed", part.size() >> 20);
            return Err(too_big(part.name(), what));
        }
    }
    let mut total = 0u64;
    for i in 0..zip.len() {
        let mut part = zip.by_index(i).map_err(|e| unreadable(&e))?;
        let name = part.name().to_owned();
        let inflated = std::io::copy(&mut (&mut part).take(limits.part + 1), &mut std::io::sink())
            .map_err(|e| unreadable(&e))?;
        total += inflated;
        if inflated > limits.part {
            return Err(too_big(&name, format!("it inflates to more than {} MiB", limits.part >> 20)));
        }
        if total > limits.total {
            return Err(too_big(&name, format!("its parts inflate to more than {} MiB", limits.total >> 20)));
        }
    }
    Ok(())
}

fn read_xlsx(path: &Path, file: &str, wanted: &str) -> Result<(Sheet, Vec<Diagnostic>)> {
    let unreadable = |e: calamine::XlsxError| {
        Error::new(format!("`{file}` is not a readable Excel workbook: {e}"))
            .hint("save it as an Excel Workbook (.xlsx), or export it again with `evident export`")
    };
    check_zip(path, file, &XLSX_LIMITS)?;
    let mut book: Xlsx<_> = open_workbook(path).map_err(unreadable)?;
    let names = book.sheet_names();
    let name = match names.iter().find(|n| n.eq_ignore_ascii_case(wanted)) {
        Some(n) => n.clone(),
        None if names.len() == 1 => names[0].clone(),
        None => {
            return Err(Error::new(format!("`{file}` has no sheet \"{wanted}\"")).hint(format!(
                "its sheets: {}; rename the one to import to \"{wanted}\"",
                names.iter().map(|n| format!("\"{n}\"")).collect::<Vec<_>>().join(", ")
            )));
        }
    };
    let range = book.worksheet_range(&name).map_err(unreadable)?;
    let formulas = book.worksheet_formula(&name).map_err(unreadable)?;
    book.load_merged_regions().map_err(unreadable)?;
    let merged: Vec<calamine::Dimensions> =
        book.merged_regions_by_sheet(&name).into_iter().map(|(_, _, d)| *d).collect();

    let mut sheet = Sheet { file: file.to_owned(), sheet: Some(name), ..Sheet::default() };
    let mut problems = Vec::new();
    let (top, left) = range.start().unwrap_or((0, 0));
    for (i, cells) in range.rows().enumerate() {
        let number = top as usize + i + 1;
        // Columns left of the used range are empty.
        let mut values: Vec<Value> = vec![Value::Empty; left as usize];
        for (j, cell) in cells.iter().enumerate() {
            values.push(match value(cell) {
                Ok(v) => v,
                Err(message) => {
                    let column = column_name(&sheet, left as usize + j);
                    let row = Row { number, line: None, cells: Vec::new() };
                    problems.push(problem_at(Code::ImportInvalidValue, &sheet, &row, Some(&column), message));
                    Value::Empty
                }
            });
        }
        if i == 0 {
            sheet.header_row = number;
            sheet.headers = values.into_iter().map(|v| text_of(&v)).collect();
        } else {
            sheet.rows.push(Row { number, line: None, cells: values });
        }
    }
    let (ftop, fleft) = formulas.start().unwrap_or((0, 0));
    for (r, c, formula) in formulas.used_cells() {
        if formula.is_empty() {
            continue;
        }
        let row = Row { number: ftop as usize + r + 1, line: None, cells: Vec::new() };
        let column = column_name(&sheet, fleft as usize + c);
        problems.push(
            problem_at(
                Code::ImportFormula,
                &sheet,
                &row,
                Some(&column),
                format!("the cell holds a formula (`={formula}`)"),
            )
            .hint("replace formulas by their values (copy, then Paste Values) before importing"),
        );
    }
    for d in merged {
        let row = Row { number: d.start.0 as usize + 1, line: None, cells: Vec::new() };
        let range = format!("{}{}:{}{}", letters(d.start.1), d.start.0 + 1, letters(d.end.1), d.end.0 + 1);
        problems.push(
            problem_at(Code::ImportMergedCells, &sheet, &row, None, format!("cells {range} are merged"))
                .hint("unmerge them and give every row its own values"),
        );
    }
    Ok((sheet, problems))
}

/// The header of a column, or its letter when it has none.
fn column_name(sheet: &Sheet, col: usize) -> String {
    match sheet.headers.get(col) {
        Some(h) if !h.trim().is_empty() => h.trim().to_owned(),
        _ => letters(col as u32),
    }
}

/// Excel's column letters: 0 → A, 25 → Z, 26 → AA.
pub(crate) fn letters(col: u32) -> String {
    let mut n = col + 1;
    let mut out = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        out.push(b'A' + rem as u8);
        n = (n - 1) / 26;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

fn value(cell: &Data) -> std::result::Result<Value, String> {
    Ok(match cell {
        Data::Empty => Value::Empty,
        Data::String(s) if s.is_empty() => Value::Empty,
        Data::String(s) if s.ends_with(crate::render::table_export::TRUNCATED) => {
            return Err("the cell's text was cut to Excel's limit of 32,767 characters by `evident export`, so it is incomplete; put the full text back (the CSV export has it) or import CSV".to_owned());
        }
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => Value::Text(s.clone()),
        Data::Int(n) => Value::Number(*n as f64),
        Data::Float(f) => Value::Number(*f),
        Data::Bool(b) => Value::Bool(*b),
        Data::DateTime(d) if d.is_datetime() => {
            let (y, m, day, h, mi, s, ms) = d.to_ymd_hms_milli();
            Value::Date(y as i16, m as i8, day as i8, (h, mi, s, ms) != (0, 0, 0, 0))
        }
        Data::DateTime(d) => Value::Number(d.as_f64()),
        Data::Error(e) => return Err(format!("the cell holds the error `{e}`")),
    })
}

/// A cell as text: what a header or a text column reads.
pub(crate) fn text_of(v: &Value) -> String {
    match v {
        Value::Empty => String::new(),
        Value::Text(s) => s.clone(),
        Value::Number(n) if n.fract() == 0.0 && n.abs() < 1e15 => format!("{}", *n as i64),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Date(y, m, d, _) => format!("{y:04}-{m:02}-{d:02}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_letters() {
        assert_eq!(letters(0), "A");
        assert_eq!(letters(25), "Z");
        assert_eq!(letters(26), "AA");
        assert_eq!(letters(701), "ZZ");
        assert_eq!(letters(702), "AAA");
    }

    /// A zip whose one part is `size` zero bytes.
    fn zeros(size: usize) -> tempfile::NamedTempFile {
        use std::io::Write;
        let file = tempfile::NamedTempFile::new().unwrap();
        let mut zip = zip::ZipWriter::new(file.reopen().unwrap());
        let options =
            zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        zip.start_file("xl/sharedStrings.xml", options).unwrap();
        zip.write_all(&vec![b'0'; size]).unwrap();
        zip.finish().unwrap();
        file
    }

    #[test]
    fn a_workbook_that_inflates_too_far_is_refused_by_what_it_really_inflates_to() {
        let limits = ZipLimits { part: 1 << 20, total: 3 << 20, parts: 10 };
        let small = zeros(1 << 19);
        assert!(check_zip(small.path(), "small.xlsx", &limits).is_ok());
        let big = zeros(2 << 20);
        let err = check_zip(big.path(), "big.xlsx", &limits).unwrap_err();
        assert!(err.message.contains("`big.xlsx` is refused"), "{}", err.message);
        assert!(err.message.contains("xl/sharedStrings.xml"), "{}", err.message);
        // A zip that understates its sizes is caught by counting the bytes.
        let mut lying = std::fs::read(big.path()).unwrap();
        for at in memchr::memmem::find_iter(&lying.clone(), &(2u32 << 20).to_le_bytes()) {
            lying[at..at + 4].copy_from_slice(&1000u32.to_le_bytes());
        }
        let lie = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(lie.path(), &lying).unwrap();
        match check_zip(lie.path(), "lie.xlsx", &limits) {
            Err(e) => assert!(e.message.contains("lie.xlsx"), "{}", e.message),
            Ok(()) => panic!("a lying zip passed"),
        }
    }

    #[test]
    fn csv_rows_know_their_lines() {
        let sheet = read_csv("a.csv", b"\xEF\xBB\xBFA,B\r\n1,\"x\ny\"\r\n2,\r\n").unwrap();
        assert_eq!(sheet.headers, ["A", "B"]);
        assert_eq!(sheet.rows.len(), 2);
        assert_eq!((sheet.rows[1].number, sheet.rows[1].line), (3, Some(4)));
        assert_eq!(sheet.rows[1].cells, [Value::Text("2".into()), Value::Empty]);
    }
}
