//! Status events: every change of a state file in a range of commits, with
//! the state before and after, who made it and when.

use std::collections::HashMap;

use git2::Oid;

use super::{Change, GitRepo, Signature};
use crate::error::Result;
use crate::model::{ActionId, ActionState, AssessmentId, Config};
use crate::repo::layout::{self, Entry};
use crate::schema::FileKind;

/// One commit's change to one state file.
#[derive(Clone, Debug)]
pub struct StateChange {
    pub commit: Oid,
    pub author: Signature,
    pub path: String,
    pub assessment: AssessmentId,
    pub action: ActionId,
    /// `None`: the file did not exist (or could not be parsed).
    pub old: Option<ActionState>,
    pub new: Option<ActionState>,
    pub old_exists: bool,
    pub new_exists: bool,
    /// The file moved here from this path in the same commit (same content).
    pub renamed_from: Option<String>,
    /// The file moved to this path in the same commit (same content).
    pub renamed_to: Option<String>,
}

/// Any other file that changed in a commit (evidence files, definitions...).
#[derive(Clone, Debug)]
pub struct FileChange {
    pub commit: Oid,
    pub author: Signature,
    pub change: Change,
}

/// A commit with what it changed.
#[derive(Clone, Debug)]
pub struct CommitChanges {
    pub id: Oid,
    pub author: Signature,
    pub summary: String,
    pub first_parent: Option<Oid>,
    pub states: Vec<StateChange>,
    pub files: Vec<FileChange>,
    /// The configuration before this commit (at its first parent).
    pub config_before: Option<Config>,
}

/// Commits reachable from `head` but not from `base`, oldest first.
pub fn commits(git: &GitRepo, base: Option<Oid>, head: Oid, first_parent: bool) -> Result<Vec<Oid>> {
    let mut walk = git.repo.revwalk().map_err(|e| crate::error::Error::git("cannot walk history", e))?;
    walk.set_sorting(git2::Sort::TOPOLOGICAL | git2::Sort::REVERSE)
        .map_err(|e| crate::error::Error::git("cannot walk history", e))?;
    if first_parent {
        walk.simplify_first_parent().map_err(|e| crate::error::Error::git("cannot walk history", e))?;
    }
    walk.push(head).map_err(|e| crate::error::Error::git("cannot walk history", e))?;
    if let Some(base) = base {
        walk.hide(base).map_err(|e| crate::error::Error::git("cannot walk history", e))?;
    }
    walk.map(|r| r.map_err(|e| crate::error::Error::git("cannot walk history", e))).collect()
}

/// Parses blobs once per id.
#[derive(Default)]
pub struct BlobCache {
    states: HashMap<Oid, Option<ActionState>>,
    configs: HashMap<Oid, Option<Config>>,
}

impl BlobCache {
    pub fn state(&mut self, git: &GitRepo, id: Oid) -> Option<ActionState> {
        self.states
            .entry(id)
            .or_insert_with(|| {
                let bytes = git.blob(id).ok()?;
                crate::load::parse::<ActionState>(FileKind::State, "", &bytes).value
            })
            .clone()
    }

    pub fn config(&mut self, git: &GitRepo, id: Oid) -> Option<Config> {
        self.configs
            .entry(id)
            .or_insert_with(|| {
                let bytes = git.blob(id).ok()?;
                crate::load::parse::<Config>(FileKind::Config, "", &bytes).value
            })
            .clone()
    }
}

/// What each commit changed, in commit order. A merge commit reports only what
/// it introduced itself: files that differ from every parent.
pub fn changes(
    git: &GitRepo,
    commits: &[Oid],
    cache: &mut BlobCache,
    mut progress: impl FnMut(),
) -> Result<Vec<CommitChanges>> {
    let mut out = Vec::with_capacity(commits.len());
    for &id in commits {
        progress();
        let commit = git.commit(id)?;
        let author = Signature::of(&commit.author());
        let summary = String::from_utf8_lossy(commit.summary_bytes().unwrap_or_default()).into_owned();
        let tree = git.tree_of(id)?;
        let parents: Vec<Oid> = commit.parent_ids().collect();
        let first_parent = parents.first().copied();
        let parent_tree = match first_parent {
            Some(p) => git.tree_of(p)?,
            None => None,
        };
        let mut changed = git.changes(parent_tree.as_ref(), tree.as_ref());
        if parents.len() > 1 {
            let others: Vec<_> = parents[1..].iter().filter_map(|p| git.tree_of(*p).ok().flatten()).collect();
            changed.retain(|c| others.iter().all(|t| c.new != git.blob_at(t, &c.path)));
        }
        let config_before = parent_tree
            .as_ref()
            .and_then(|t| git.blob_at(t, layout::CONFIG_FILE))
            .and_then(|b| cache.config(git, b));
        let (states, files) = split(git, cache, id, &author, changed);
        out.push(CommitChanges { id, author, summary, first_parent, states, files, config_before });
    }
    Ok(out)
}

fn split(
    git: &GitRepo,
    cache: &mut BlobCache,
    commit: Oid,
    author: &Signature,
    changed: Vec<Change>,
) -> (Vec<StateChange>, Vec<FileChange>) {
    let mut states = Vec::new();
    let mut files = Vec::new();
    for change in changed {
        match layout::classify(&change.path) {
            Entry::State(assessment, action) => states.push(StateChange {
                commit,
                author: author.clone(),
                old: change.old.and_then(|b| cache.state(git, b)),
                new: change.new.and_then(|b| cache.state(git, b)),
                old_exists: change.old.is_some(),
                new_exists: change.new.is_some(),
                path: change.path.clone(),
                assessment,
                action,
                renamed_from: None,
                renamed_to: None,
            }),
            _ => files.push(FileChange { commit, author: author.clone(), change }),
        }
    }
    // A state file deleted and the same content added for the same action
    // elsewhere in one commit is a move (an assessment renamed).
    let deleted: Vec<(usize, String)> = states
        .iter()
        .enumerate()
        .filter(|(_, s)| s.old_exists && !s.new_exists)
        .map(|(i, s)| (i, s.path.clone()))
        .collect();
    let blob_of = |s: &StateChange, old: bool| if old { s.old.clone() } else { s.new.clone() };
    for (i, from) in deleted {
        let Some(old_state) = blob_of(&states[i], true) else {
            continue;
        };
        let action = states[i].action.clone();
        if let Some(j) = states.iter().position(|s| {
            !s.old_exists
                && s.new_exists
                && s.action == action
                && s.renamed_from.is_none()
                && s.new.as_ref() == Some(&old_state)
        }) {
            let to = states[j].path.clone();
            states[j].renamed_from = Some(from);
            states[i].renamed_to = Some(to);
        }
    }
    (states, files)
}
