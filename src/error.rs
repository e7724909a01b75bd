//! The error type of commands: what went wrong, hints to fix it, and the
//! exit code it maps to.

use std::fmt;
use std::path::Path;

/// Why a command could not do its job (exit code 2). Problems found *in* the
/// repository's files are diagnostics, not errors.
#[derive(Debug)]
pub struct Error {
    pub message: String,
    pub hints: Vec<String>,
}

pub(crate) type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub(crate) fn new(message: impl Into<String>) -> Self {
        Error { message: message.into(), hints: Vec::new() }
    }

    pub(crate) fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hints.push(hint.into());
        self
    }

    /// An I/O error on a path, naming the path.
    pub(crate) fn io(action: &str, path: &Path, err: std::io::Error) -> Self {
        // tempfile wraps its errors to add `at path "…"`, which the message already names.
        let mut reason = err.to_string();
        if let Some(at) = reason.find(" at path \"") {
            reason.truncate(at);
        }
        Error::new(format!("could not {action} `{}`: {reason}", path.display()))
    }

    pub(crate) fn git(context: &str, err: git2::Error) -> Self {
        Error::new(format!("{context}: {}", err.message()))
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

/// How a command ended, when it did its job.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// Exit 0.
    Success,
    /// Exit 1: the repository has errors or a check failed; diagnostics were printed.
    Failed,
}

impl Outcome {
    pub(crate) fn failed_if(cond: bool) -> Self {
        if cond { Outcome::Failed } else { Outcome::Success }
    }
}

#[cfg(test)]
mod tests {
    use super::Error;

    #[test]
    fn an_io_error_names_its_path_once() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("gone");
        let err = tempfile::Builder::new().tempfile_in(&missing).unwrap_err();
        let message = Error::io("create a temporary file in", &missing, err).to_string();
        assert_eq!(message.matches("gone").count(), 1, "{message}");
        assert!(message.ends_with("No such file or directory (os error 2)"), "{message}");
    }
}
