//! The spreadsheets evident writes and reads back: their sheet names, column
//! headers and rows. `commands/export/` writes them and `import/` checks a
//! file's headers against them and compares its cells with what an export
//! would write now, so the layout lives here, below both.

pub mod actions;
pub mod template;
