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
        self.out_bytes(crate::render::printable(text, self.color_stdout).as_bytes());
    }

    /// Writes data (a CSV file) to stdout as it is: its bytes are the result.
    /// On a terminal, where it is only shown, its control characters are made
    /// visible like any output. Errors as for [`Ui::out`].
    pub(crate) fn out_bytes(&self, bytes: &[u8]) {
        if OUTPUT_ERROR.get().is_some() {
            return;
        }
        let mut stdout = std::io::stdout().lock();
        let shown;
        let bytes = if stdout.is_terminal() {
            shown = crate::render::printable(&String::from_utf8_lossy(bytes), false).into_owned();
            shown.as_bytes()
        } else {
            bytes
        };
        if let Err(e) = stdout.write_all(bytes).and_then(|_| stdout.flush()) {
            if e.kind() == std::io::ErrorKind::BrokenPipe {
                std::process::exit(0);
            }
            let _ = OUTPUT_ERROR.set(e);
        }
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
