//! Merges of unrelated histories: what such a merge brings in is judged as its own change.

use git2::Oid;

use crate::history::GitRepo;
use crate::history::events::{BlobCache, CommitChanges};

/// A merge of a history unrelated to its first parent's (`git merge
/// --allow-unrelated-histories`) with everything it brings in: those files
/// were never judged against this history's rules, so the merge answers for
/// them (state files, `evident.toml`, definitions, evidence). `None` for any
/// other commit.
pub(super) fn brought_in(
    git: &GitRepo,
    c: &CommitChanges,
    merged: &[Oid],
    cache: &mut BlobCache,
) -> Option<CommitChanges> {
    let first = c.first_parent?;
    if !merged.iter().any(|p| git.repo.merge_base(first, *p).is_err()) {
        return None;
    }
    let (Ok(Some(before)), Ok(Some(after))) = (git.tree_of(first), git.tree_of(c.id)) else {
        return None;
    };
    let already: std::collections::HashSet<&str> = c
        .states
        .iter()
        .map(|s| s.path.as_str())
        .chain(c.files.iter().map(|f| f.change.path.as_str()))
        .collect();
    let changes: Vec<crate::history::Change> = git
        .changes(Some(&before), Some(&after))
        .into_iter()
        .filter(|ch| !already.contains(ch.path.as_str()))
        .collect();
    let (states, files) = crate::history::events::split(git, cache, c.id, &c.author, changes);
    let mut wide = c.clone();
    wide.states.extend(states);
    wide.files.extend(files);
    Some(wide)
}
