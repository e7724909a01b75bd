//! Which versions of the repository a diff compares.

use serde::Serialize;

/// Which version of the repository one side of a diff is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Side {
    pub kind: SideKind,
    /// The revision as given (`HEAD`, `main`, an id); `None` for the working
    /// tree and the empty repository.
    pub rev: Option<String>,
    /// The full commit id, for a commit.
    pub commit: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SideKind {
    Commit,
    /// The files on disk, committed or not.
    Worktree,
    /// Nothing: the base of a repository without commits.
    Empty,
}

impl Side {
    pub fn commit(rev: &str, id: impl ToString) -> Side {
        Side { kind: SideKind::Commit, rev: Some(rev.to_owned()), commit: Some(id.to_string()) }
    }

    pub fn worktree() -> Side {
        Side { kind: SideKind::Worktree, rev: None, commit: None }
    }

    pub fn empty() -> Side {
        Side { kind: SideKind::Empty, rev: None, commit: None }
    }
}
