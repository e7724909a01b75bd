//! The spreadsheets evident writes and reads back: their sheet names, column
//! headers and rows. `commands/export/` writes them and `import/` checks a
//! file's headers against them and compares its cells with what an export
//! would write now, so the layout lives here, below both. Each sheet has a
//! `Column` enum: its order is the file's, and `header` names it.

/// The headers of a sheet's `Column`s, in order, computed at compile time:
/// `headers!(Column, 23)`.
macro_rules! headers {
    ($column:ty, $n:expr) => {{
        let mut out = [""; $n];
        let mut i = 0;
        while i < $n {
            out[i] = <$column>::ALL[i].header();
            i += 1;
        }
        out
    }};
}
pub(crate) use headers;

/// A column of one of the sheets: the importer finds cells by it.
pub(crate) trait Header: Copy {
    /// The column's header, as the export writes it.
    fn header(self) -> &'static str;
}

pub(crate) mod actions;
pub(crate) mod history;
pub(crate) mod template;
