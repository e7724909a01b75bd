//! Signed verdicts (`[trust]`): the allowed signers file and commit
//! signatures verified with git. The history rules that require signatures
//! are in [`crate::checks::trust`]; `evident trust` edits the file.

pub mod signers;
pub mod verify;

pub use signers::{AllowedSigners, PublicKey, SignerLine};
pub use verify::{Found, verify};

/// Why `[trust] allowed-signers` cannot name a file of the repository, if it cannot.
pub fn path_problem(path: &str) -> Option<String> {
    let p = std::path::Path::new(path);
    if path.is_empty() || path.contains('\\') || p.is_absolute() {
        return Some(format!("`{path}` is not a path relative to the repository root (use `/` between folders)"));
    }
    if p.components().any(|c| !matches!(c, std::path::Component::Normal(_))) {
        return Some(format!("`{path}` leaves the repository or has `.` or `..` in it"));
    }
    None
}
