//! Output: where text goes (stdout for results, stderr for messages), and
//! whether it is coloured. The only place that writes to the terminal.

use std::io::{IsTerminal, Write};

use anstyle::{AnsiColor, Style};

use crate::error::Error;

/// When to colour output.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum ColorChoice {
    /// Colour when writing to a terminal (honours NO_COLOR and CLICOLOR_FORCE).
    #[default]
    Auto,
    Always,
    Never,
}

#[derive(Clone, Debug)]
pub(crate) struct Ui {
    pub color_stdout: bool,
    pub color_stderr: bool,
    /// Whether stderr is a terminal (progress bars are drawn only then).
    pub stderr_is_terminal: bool,
    pub quiet: bool,
}

pub(crate) const BOLD: Style = Style::new().bold();
pub(crate) const GREEN: Style = AnsiColor::Green.on_default();
pub(crate) const RED: Style = AnsiColor::Red.on_default();
pub(crate) const YELLOW: Style = AnsiColor::Yellow.on_default();
pub(crate) const DIM: Style = Style::new().dimmed();
pub(crate) const CYAN: Style = AnsiColor::Cyan.on_default();

impl Ui {
    pub(crate) fn new(choice: ColorChoice, quiet: bool) -> Self {
        let decide = |auto: anstream::ColorChoice| match choice {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => !matches!(auto, anstream::ColorChoice::Never),
        };
        Ui {
            color_stdout: decide(anstream::AutoStream::choice(&std::io::stdout())),
            color_stderr: decide(anstream::AutoStream::choice(&std::io::stderr())),
            stderr_is_terminal: std::io::stderr().is_terminal(),
            quiet,
        }
    }

    /// Plain output, for tests.
    pub(crate) fn plain() -> Self {
        Ui { color_stdout: false, color_stderr: false, stderr_is_terminal: false, quiet: false }
    }

    /// Styles text for stdout.
    pub(crate) fn paint(&self, style: Style, text: impl std::fmt::Display) -> String {
        paint(self.color_stdout, style, text)
    }

    /// Styles text for stderr.
    pub(crate) fn paint_err(&self, style: Style, text: impl std::fmt::Display) -> String {
        paint(self.color_stderr, style, text)
    }

    /// Writes a result to stdout, its control characters made visible
    /// ([`crate::render::printable`]; evident's own colours kept when
    /// colouring). A closed pipe (`evident list | head`) is not an error: the
    /// reader has what it wanted, and the process ends quietly. Any other
    /// failure (a full disk, `/dev/full`) is remembered, later output is
    /// dropped, and the command ends with exit 2 ([`output_error`]), so
    /// truncated output never looks like success.
    pub(crate) fn out(&self, text: &str) {
        write_stdout(crate::render::printable(text, self.color_stdout).as_bytes(), false);
    }

    /// A writer to stdout for long output, written as it is made, with the
    /// rules of [`Ui::out`]. Text is written a line's end at a time, once
    /// 64 KiB are pending, and the rest when the writer is dropped. After a
    /// failed write, writes fail ([`std::fmt::Error`]) so that the caller can
    /// stop; the failure itself is reported as for [`Ui::out`].
    pub(crate) fn out_writer(&self) -> OutWriter<'static> {
        OutWriter::new(self.color_stdout, Box::new(|text: &str| write_stdout(text.as_bytes(), false)))
    }

    /// Writes data (a CSV file) to stdout as it is: its bytes are the result.
    /// On a terminal, where it is only shown, its control characters are made
    /// visible like any output. Errors as for [`Ui::out`].
    pub(crate) fn out_bytes(&self, bytes: &[u8]) {
        write_stdout(bytes, true);
    }

    /// Writes a message to stderr.
    pub(crate) fn err(&self, text: &str) {
        let text = crate::render::printable(text, self.color_stderr);
        let _ = std::io::stderr().lock().write_all(text.as_bytes());
    }

    /// A status message ("Created …") on stderr, unless quiet.
    pub(crate) fn status(&self, verb: &str, text: &str) {
        if !self.quiet {
            self.err(&format!("{:>12} {text}\n", self.paint_err(GREEN.bold(), verb)));
        }
    }

    /// A note about the run ("note: …") on stderr, unless quiet.
    pub(crate) fn note(&self, text: &str) {
        if !self.quiet {
            self.err(&format!("{}: {text}\n", self.paint_err(CYAN.bold(), "note")));
        }
    }

    /// A warning about the run itself (not about the repository's files, which are
    /// diagnostics), on one line.
    pub(crate) fn warn(&self, text: &str) {
        self.err(&format!("{}: {text}\n", self.paint_err(YELLOW.bold(), "warning")));
    }

    /// A diagnostic beside a command's output (a warning with its code), on one line.
    pub(crate) fn diagnostic(&self, d: &crate::diag::Diagnostic) {
        self.err(&crate::diag::render::short(&crate::diag::Sources::default(), d, self.color_stderr));
    }

    /// Prints an error that stopped the command, with its hints.
    pub(crate) fn error(&self, e: &Error) {
        let mut text = format!("{}: {}\n", self.paint_err(RED.bold(), "error"), e.message);
        for hint in &e.hints {
            text.push_str(&format!("  {}: {hint}\n", self.paint_err(CYAN.bold(), "help")));
        }
        self.err(&text);
    }
}

/// Writes to stdout, and says whether it was written. `raw` is data that
/// has not been through [`crate::render::printable`]: on a terminal, it is.
/// A closed pipe ends the process quietly; any other error is kept in
/// [`OUTPUT_ERROR`], and nothing more is written after it.
fn write_stdout(bytes: &[u8], raw: bool) -> bool {
    if OUTPUT_ERROR.get().is_some() {
        return false;
    }
    let mut stdout = std::io::stdout().lock();
    let shown;
    let bytes = if raw && stdout.is_terminal() {
        shown = crate::render::printable(&String::from_utf8_lossy(bytes), false).into_owned();
        shown.as_bytes()
    } else {
        bytes
    };
    match stdout.write_all(bytes).and_then(|_| stdout.flush()) {
        Ok(()) => true,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => std::process::exit(0),
        Err(e) => {
            let _ = OUTPUT_ERROR.set(e);
            false
        }
    }
}

/// Pending text is written once it reaches this size, at the end of a line.
const CHUNK: usize = 64 * 1024;

/// Text for stdout, buffered and made printable a chunk at a time (see
/// [`Ui::out_writer`]). Chunks end at a line's end, where no colour sequence
/// can be cut in two, so the result is what [`Ui::out`] makes of the whole.
pub(crate) struct OutWriter<'a> {
    pending: String,
    keep_sgr: bool,
    /// Writes printable text; false when it could not.
    sink: Box<dyn FnMut(&str) -> bool + 'a>,
    failed: bool,
}

impl<'a> OutWriter<'a> {
    pub(crate) fn new(keep_sgr: bool, sink: Box<dyn FnMut(&str) -> bool + 'a>) -> Self {
        OutWriter { pending: String::with_capacity(CHUNK + 4096), keep_sgr, sink, failed: false }
    }

    /// Writes the pending text up to `end`.
    fn write_to(&mut self, end: usize) -> std::fmt::Result {
        let ok = (self.sink)(&crate::render::printable(&self.pending[..end], self.keep_sgr));
        self.pending.drain(..end);
        self.failed = !ok;
        if ok { Ok(()) } else { Err(std::fmt::Error) }
    }
}

impl std::fmt::Write for OutWriter<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        if self.failed {
            return Err(std::fmt::Error);
        }
        self.pending.push_str(s);
        if self.pending.len() >= CHUNK
            && let Some(i) = s.rfind('\n')
        {
            let end = self.pending.len() - s.len() + i + 1;
            return self.write_to(end);
        }
        Ok(())
    }
}

impl Drop for OutWriter<'_> {
    fn drop(&mut self) {
        if !self.failed && !self.pending.is_empty() {
            let _ = self.write_to(self.pending.len());
        }
    }
}

/// The first failed write to stdout (stdout is one per process, and so is this).
static OUTPUT_ERROR: std::sync::OnceLock<std::io::Error> = std::sync::OnceLock::new();

/// Why the output could not be written, if it could not: the command then
/// fails with exit 2, whatever it found.
pub(crate) fn output_error() -> Option<Error> {
    OUTPUT_ERROR.get().map(|e| {
        Error::new(format!("could not write the output: {e}"))
            .hint("the output is incomplete; check the disk or the file standard output goes to")
    })
}

pub(crate) fn paint(enabled: bool, style: Style, text: impl std::fmt::Display) -> String {
    if enabled { format!("{style}{text}{style:#}") } else { text.to_string() }
}

impl Ui {
    /// A progress bar on stderr, drawn only on a terminal and when not quiet.
    pub(crate) fn progress(&self, len: u64, message: &str) -> indicatif::ProgressBar {
        if !self.stderr_is_terminal || self.quiet {
            return indicatif::ProgressBar::hidden();
        }
        let bar = indicatif::ProgressBar::new(len);
        let style =
            indicatif::ProgressStyle::with_template("{msg:>12} [{bar:30}] {pos}/{len} {per_sec} eta {eta}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
                .progress_chars("=> ");
        bar.set_style(style);
        bar.set_message(message.to_owned());
        bar
    }
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;
    use std::fmt::Write;

    use super::*;

    /// What an [`OutWriter`] writes, chunk by chunk.
    fn written(keep_sgr: bool, pieces: &[&str], fail_after: usize) -> (Vec<String>, Vec<std::fmt::Result>) {
        let chunks = RefCell::new(Vec::new());
        let mut results = Vec::new();
        {
            let sink = |text: &str| {
                chunks.borrow_mut().push(text.to_owned());
                chunks.borrow().len() <= fail_after
            };
            let mut w = OutWriter::new(keep_sgr, Box::new(sink));
            for piece in pieces {
                results.push(w.write_str(piece));
            }
        }
        (chunks.into_inner(), results)
    }

    #[test]
    fn streamed_output_is_what_out_makes_of_the_whole() {
        // Colour sequences and control characters cut across writes, on
        // lines long enough to make several chunks.
        let line = format!("{}\x1b[1mbold\x1b[0m \x1b]0;title\x07 ✓\n", "x".repeat(1000));
        let mut pieces = Vec::new();
        for _ in 0..200 {
            let (a, b) = line.split_at(1003);
            pieces.extend([a, b]);
        }
        pieces.push("no newline at the end \x1b[");
        pieces.push("31m");
        let whole: String = pieces.concat();
        for keep_sgr in [false, true] {
            let (chunks, results) = written(keep_sgr, &pieces, usize::MAX);
            assert!(chunks.len() > 2, "{}", chunks.len());
            assert!(chunks[..chunks.len() - 1].iter().all(|c| c.ends_with('\n')));
            assert!(results.iter().all(Result::is_ok));
            assert_eq!(chunks.concat(), crate::render::printable(&whole, keep_sgr));
        }
    }

    #[test]
    fn streamed_output_stops_at_the_first_failed_write() {
        let line = "y".repeat(100) + "\n";
        let pieces = vec![line.as_str(); 2000];
        let (chunks, results) = written(false, &pieces, 1);
        // The first chunk was written, the second failed: nothing after it.
        assert_eq!(chunks.len(), 2);
        let failed = results.iter().position(Result::is_err).expect("a write fails");
        assert!(results[failed..].iter().all(Result::is_err));
        // Short output is written when the writer is dropped.
        let (chunks, results) = written(false, &["a\n", "b"], usize::MAX);
        assert_eq!(chunks, ["a\nb"]);
        assert!(results.iter().all(Result::is_ok));
        assert_eq!(written(false, &[], usize::MAX).0, Vec::<String>::new());
    }
}
