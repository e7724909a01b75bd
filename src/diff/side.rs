//! Which versions of the repository a diff compares.

use schemars::JsonSchema;
use serde::Serialize;

/// Which version of the repository one side of a diff is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, JsonSchema)]
pub(crate) struct Side {
    pub kind: SideKind,
    /// The revision as given (`HEAD`, `main`, an id); `None` for the working
    /// tree and the empty repository.
    pub rev: Option<String>,
    /// The full commit id, for a commit.
    pub commit: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum SideKind {
    Commit,
    /// The files on disk, committed or not.
    Worktree,
    /// Nothing: the base of a repository without commits.
    Empty,
}

impl Side {
    pub(crate) fn commit(rev: &str, id: impl ToString) -> Side {
        Side { kind: SideKind::Commit, rev: Some(rev.to_owned()), commit: Some(id.to_string()) }
    }

    pub(crate) fn worktree() -> Side {
        Side { kind: SideKind::Worktree, rev: None, commit: None }
    }

    pub(crate) fn empty() -> Side {
        Side { kind: SideKind::Empty, rev: None, commit: None }
    }
}
