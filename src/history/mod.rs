//! Status history is git history: reading workspaces and changes out of
//! commits (DESIGN.md section 4).

pub mod difftree;
pub mod events;
pub mod git;

pub use git::{Change, GitRepo, Signature};

use git2::Oid;

use crate::diag::Report;
use crate::error::Result;
use crate::model::Workspace;

/// Loads the workspace as it was at a commit (without cross-file checks).
pub fn load_at(git: &GitRepo, commit: Oid) -> Result<(Workspace, Report)> {
    let files = match git.tree_of(commit)? {
        Some(tree) => git.raw_files(&tree),
        None => Vec::new(),
    };
    Ok(crate::load::assemble(files))
}
