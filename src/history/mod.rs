//! Status history is git history: reading workspaces and changes out of
//! commits (docs/design/history.md).

pub(crate) mod cache;
pub(crate) mod difftree;
pub(crate) mod engine;
pub mod events;
pub(crate) mod git;
pub(crate) mod gitlog;
pub(crate) mod live;
pub(crate) mod narrow;
mod packed;
pub(crate) mod prefetch;
pub(crate) mod scorer;
#[cfg(test)]
mod testing;
pub mod timeline;
mod tree_update;
pub(crate) mod worktree;

pub use git::{Change, GitRepo, Signature, short_id};

use git2::Oid;

use crate::diag::Report;
use crate::error::Result;
use crate::model::Workspace;

/// The workspace as it was at a commit, for computing (scores, history):
/// typed parsing only; files that do not parse are left out and listed.
pub(crate) fn snapshot_at(git: &GitRepo, commit: Oid) -> Result<(Workspace, Vec<String>)> {
    let files = match git.tree_of(commit)? {
        Some(tree) => git.raw_files(&tree),
        None => Vec::new(),
    };
    Ok(crate::load::assemble_quietly(files))
}

/// Loads the workspace as it was at a commit with the diagnostics of every
/// file (without cross-file checks).
pub(crate) fn load_at(git: &GitRepo, commit: Oid) -> Result<(Workspace, Report)> {
    let files = match git.tree_of(commit)? {
        Some(tree) => git.raw_files(&tree),
        None => Vec::new(),
    };
    Ok(crate::load::assemble(files))
}
