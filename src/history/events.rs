//! Status events: every change of a state file in a range of commits, with
//! the state before and after, who made it and when.

use std::collections::HashMap;
use std::sync::Arc;

use git2::Oid;

use super::difftree::DiffTree;
pub use super::difftree::Parents;
pub(crate) use super::gitlog::Logged;
use super::narrow::Detail;
use super::timeline::StateSnapshot;
use super::{Change, GitRepo, Signature};
use crate::error::Result;
use crate::model::{ActionId, ActionState, AssessmentId, Config};
use crate::repo::layout::{self, Entry};

/// One commit's change to one state file.
#[derive(Clone, Debug)]
pub struct StateChange {
    pub commit: Oid,
    pub author: Signature,
    pub path: String,
    pub assessment: AssessmentId,
    pub action: ActionId,
    /// `None`: the file did not exist (or could not be parsed).
    pub old: Option<Arc<ActionState>>,
    pub new: Option<Arc<ActionState>>,
    pub old_exists: bool,
    pub new_exists: bool,
    /// The blob of the old version, if the file existed before the commit.
    pub old_blob: Option<Oid>,
    /// The blob of the new version, if the file exists after the commit.
    pub new_blob: Option<Oid>,
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
    pub config_before: Option<Arc<Config>>,
    /// The uncommitted changes judged as a commit on top of HEAD
    /// ([`super::worktree`]): no signature, nothing to rewrite yet.
    pub uncommitted: bool,
    /// Why the author of the uncommitted changes has no e-mail, when so.
    pub no_email: Option<super::worktree::NoEmail>,
}

/// Commits reachable from `head` but not from `base`, oldest first.
pub fn commits(git: &GitRepo, base: Option<Oid>, head: Oid, first_parent: bool) -> Result<Vec<Oid>> {
    // The main line from git itself when it can run: libgit2's topological walk
    // sorts a 20,000-commit line in about as much time as the rest of a cached run.
    if first_parent
        && base.is_none()
        && let Some(line) = super::difftree::first_parent_line(git, head)
    {
        return Ok(line);
    }
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

/// Parses blobs once per id. History only needs the values, so blobs go
/// straight to the typed parser; the schema checks and diagnostics of
/// `validate` are for the working tree.
#[derive(Default)]
pub struct BlobCache {
    states: HashMap<Oid, Option<Arc<ActionState>>>,
    configs: HashMap<Oid, Option<Arc<Config>>>,
    /// How much of the states' evidence to keep.
    detail: Detail,
    /// With [`Detail::Names`], each state's snapshot (the states then keep
    /// no evidence: its names moved here).
    snapshots: HashMap<Oid, Arc<StateSnapshot>>,
}

/// A state blob as a cache keeps it: the state, and with [`Detail::Names`]
/// its snapshot.
pub(crate) type CachedState = Option<(Arc<ActionState>, Option<Arc<StateSnapshot>>)>;

impl BlobCache {
    /// A cache for the timeline: each state read once into its snapshot and
    /// what the scores read (evidence paths, hashes and links are skipped).
    pub(crate) fn for_timeline() -> Self {
        BlobCache { detail: Detail::Names, ..BlobCache::default() }
    }

    pub(crate) fn state(&mut self, git: &GitRepo, id: Oid) -> Option<Arc<ActionState>> {
        if !self.states.contains_key(&id) {
            let parsed = read_state(&git.repo, id, self.detail);
            self.insert(id, parsed);
        }
        self.states.get(&id).cloned().flatten()
    }

    /// The snapshot of a state blob the cache read with [`Detail::Names`].
    pub(crate) fn snapshot(&self, id: Oid) -> Option<Arc<StateSnapshot>> {
        self.snapshots.get(&id).cloned()
    }

    fn insert(&mut self, id: Oid, parsed: CachedState) {
        let state = parsed.map(|(state, snapshot)| {
            if let Some(snapshot) = snapshot {
                self.snapshots.insert(id, snapshot);
            }
            state
        });
        self.states.insert(id, state);
    }

    /// Whether two states' blobs hold the same state, every value of it: a
    /// move is told by the whole state, whatever this cache's detail keeps. A
    /// cache of [`Detail::Names`] compares what it keeps first, and reads the
    /// two blobs in full only when those agree (a moved file, rarely).
    fn same(&self, git: &GitRepo, a: Option<Oid>, b: Option<Oid>) -> bool {
        let state = |id: Option<Oid>| id.and_then(|id| self.states.get(&id).cloned().flatten());
        let (sa, sb) = (state(a), state(b));
        let kept =
            sa.is_some() && sa == sb && a.and_then(|a| self.snapshot(a)) == b.and_then(|b| self.snapshot(b));
        match (self.detail, a, b) {
            (Detail::Names, Some(a), Some(b)) if kept && a != b => {
                let full = parse_state(&git.repo, a, Detail::Full);
                full.is_some() && full == parse_state(&git.repo, b, Detail::Full)
            }
            _ => kept,
        }
    }

    pub(crate) fn config(&mut self, git: &GitRepo, id: Oid) -> Option<Arc<Config>> {
        self.configs.entry(id).or_insert_with(|| parse_fast::<Config>(git, id).map(Arc::new)).clone()
    }
}

fn parse_fast<T: serde::de::DeserializeOwned>(git: &GitRepo, id: Oid) -> Option<T> {
    parse_blob(&git.repo, id)
}

/// A state blob read for a cache of this detail.
pub(crate) fn read_state(repo: &git2::Repository, id: Oid, detail: Detail) -> CachedState {
    let state = parse_state(repo, id, detail)?;
    Some(match detail {
        Detail::Full => (Arc::new(state), None),
        Detail::Names => {
            let (state, snapshot) = StateSnapshot::split(state);
            (Arc::new(state), Some(Arc::new(snapshot)))
        }
    })
}

/// A state blob: read by [`super::narrow`] when it has the plain shape,
/// otherwise by the full parser; `None` when it cannot be read or parsed.
pub(crate) fn parse_state(repo: &git2::Repository, id: Oid, detail: Detail) -> Option<ActionState> {
    let blob = repo.find_blob(id).ok()?;
    let text = std::str::from_utf8(blob.content()).ok()?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    super::narrow::state(text, detail).or_else(|| toml::from_str(text).ok().map(|s| detail.trim(s)))
}

/// A blob parsed straight into `T`; `None` when it cannot be read or parsed.
pub(crate) fn parse_blob<T: serde::de::DeserializeOwned>(repo: &git2::Repository, id: Oid) -> Option<T> {
    let blob = repo.find_blob(id).ok()?;
    let text = std::str::from_utf8(blob.content()).ok()?;
    toml::from_str(text.strip_prefix('\u{feff}').unwrap_or(text)).ok()
}

/// What a walk needs to know of a commit before its changes.
struct Meta {
    id: Oid,
    author: Signature,
    summary: String,
    parents: Vec<Oid>,
}

/// Walks `commits` in order and hands each one's changes to `visit`.
///
/// With [`Parents::All`] a merge commit reports only what it introduced
/// itself (files that differ from every parent); with [`Parents::First`] it
/// reports everything that differs from its first parent (a first-parent
/// view of history). The changes come from `git diff-tree` when git can be
/// run (see [`super::difftree`]), otherwise from libgit2.
pub fn walk(
    git: &GitRepo,
    commits: &[Oid],
    parents: Parents,
    cache: &mut BlobCache,
    visit: impl FnMut(CommitChanges, &mut BlobCache),
) -> Result<()> {
    walk_with(git, commits, parents, cache, true, visit)
}

/// [`walk`] without [`CommitChanges::config_before`] (always `None`): the
/// history engine does not need it, and finding it costs a commit and a tree
/// read per commit.
pub(crate) fn walk_states(
    git: &GitRepo,
    commits: &[Oid],
    parents: Parents,
    cache: &mut BlobCache,
    visit: impl FnMut(CommitChanges, &mut BlobCache),
) -> Result<()> {
    walk_with(git, commits, parents, cache, false, visit)
}

fn walk_with(
    git: &GitRepo,
    commits: &[Oid],
    parents: Parents,
    cache: &mut BlobCache,
    with_config: bool,
    mut visit: impl FnMut(CommitChanges, &mut BlobCache),
) -> Result<()> {
    let metas = metas(git, commits)?;
    let pairs: Vec<(Oid, Option<Oid>)> = metas.iter().map(|m| (m.id, m.parents.first().copied())).collect();
    let mut trees = super::git::TreeCache::default();
    let mut lister = DiffTree::spawn(git, &pairs, parents);
    // With git listing the changes, all of them are read first, and the state
    // blobs they name are parsed on other threads meanwhile (see `prefetch`).
    let mut listed = match &mut lister {
        Some(lister) => Some(list_all(git, lister, &metas, cache)?.into_iter()),
        None => None,
    };
    for m in metas {
        let first_parent = m.parents.first().copied();
        let parent_tree = if with_config || lister.is_none() {
            first_parent.and_then(|p| git.commit(p).ok()).and_then(|c| git.narrowed_tree_id(&c, &mut trees))
        } else {
            None
        };
        let changed = match &mut listed {
            Some(listed) => listed.next().unwrap_or_default(),
            None => libgit2_changes(git, &m, parent_tree, parents, &mut trees)?,
        };
        let config_before = parent_tree
            .filter(|_| with_config)
            .and_then(|t| git.blob_below(t, layout::CONFIG_FILE, &mut trees))
            .and_then(|b| cache.config(git, b));
        let (states, files) = split(git, cache, m.id, &m.author, changed);
        visit(
            CommitChanges {
                id: m.id,
                author: m.author,
                summary: m.summary,
                first_parent,
                states,
                files,
                config_before,
                uncommitted: false,
                no_email: None,
            },
            cache,
        );
    }
    Ok(())
}

/// The first-parent line that ends at `head` (after `base`, a commit of it),
/// each commit with its changes, from one `git log` while worker threads
/// parse the state blobs it names into `cache`; `None` when git cannot be
/// used (the caller then lists the line and walks it with [`walk_states`]).
pub(crate) fn read_line(
    git: &GitRepo,
    head: Oid,
    base: Option<Oid>,
    cache: &mut BlobCache,
) -> Option<Vec<Logged>> {
    let known = &cache.states;
    let (line, parsed) = super::prefetch::states_while(
        git,
        cache.detail,
        |id| known.contains_key(&id),
        |want| {
            super::gitlog::first_parent_log(git, head, base, &mut |c| {
                if matches!(layout::classify(&c.path), Entry::State(..)) {
                    c.old.into_iter().chain(c.new).for_each(|id| want(id, &c.path));
                }
            })
        },
    );
    parsed.into_iter().for_each(|(id, state)| cache.insert(id, state));
    line
}

/// [`walk_states`] over a line [`read_line`] read.
pub(crate) fn walk_read(
    git: &GitRepo,
    line: Vec<Logged>,
    cache: &mut BlobCache,
    mut visit: impl FnMut(CommitChanges, &mut BlobCache),
) {
    for c in line {
        let (states, files) = split(git, cache, c.id, &c.author, c.changes);
        visit(
            CommitChanges {
                id: c.id,
                author: c.author,
                summary: c.summary,
                first_parent: c.parents.first().copied(),
                states,
                files,
                config_before: None,
                uncommitted: false,
                no_email: None,
            },
            cache,
        );
    }
}

/// Every commit of `commits` read, on worker threads for a long list.
fn metas(git: &GitRepo, commits: &[Oid]) -> Result<Vec<Meta>> {
    match super::prefetch::map_ids(git, commits, meta) {
        Some(metas) => metas.into_iter().collect(),
        None => commits.iter().map(|id| meta(&git.repo, *id)).collect(),
    }
}

/// The changes of every commit from `git diff-tree`, with the state blobs
/// they name parsed into `cache` on worker threads while the list is read.
fn list_all(
    git: &GitRepo,
    lister: &mut DiffTree,
    metas: &[Meta],
    cache: &mut BlobCache,
) -> Result<Vec<Vec<Change>>> {
    let known = &cache.states;
    let (listed, parsed) = super::prefetch::states_while(
        git,
        cache.detail,
        |id| known.contains_key(&id),
        |want| {
            metas
                .iter()
                .map(|m| {
                    let changed = lister.next(m.id)?;
                    for c in &changed {
                        if matches!(layout::classify(&c.path), Entry::State(..)) {
                            c.old.into_iter().chain(c.new).for_each(|id| want(id, &c.path));
                        }
                    }
                    Ok(changed)
                })
                .collect::<Result<Vec<_>>>()
        },
    );
    parsed.into_iter().for_each(|(id, state)| cache.insert(id, state));
    listed
}

fn meta(repo: &git2::Repository, id: Oid) -> Result<Meta> {
    let commit =
        repo.find_commit(id).map_err(|e| crate::error::Error::git(&format!("cannot read commit {id}"), e))?;
    Ok(Meta {
        id,
        author: Signature::of(&commit.author()),
        summary: String::from_utf8_lossy(commit.summary_bytes().unwrap_or_default()).into_owned(),
        parents: commit.parent_ids().collect(),
    })
}

/// The changes of one commit, read with libgit2 (the fallback of `diff-tree`).
fn libgit2_changes(
    git: &GitRepo,
    m: &Meta,
    parent_tree: Option<Oid>,
    parents: Parents,
    trees: &mut super::git::TreeCache,
) -> Result<Vec<Change>> {
    let commit = git.commit(m.id)?;
    let tree = git.narrowed_tree_id(&commit, trees);
    let mut changed = git.changes_by_id(parent_tree, tree, trees);
    if parents == Parents::All && m.parents.len() > 1 {
        let others: Vec<Oid> = m.parents[1..]
            .iter()
            .filter_map(|p| git.commit(*p).ok().and_then(|c| git.narrowed_tree_id(&c, trees)))
            .collect();
        changed.retain(|c| others.iter().all(|t| c.new != git.blob_below(*t, &c.path, trees)));
    }
    Ok(changed)
}

/// Splits a commit's changes into state changes and other files.
pub(crate) fn split(
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
                old_blob: change.old,
                new_blob: change.new,
                path: change.path.clone(),
                assessment,
                action,
                renamed_from: None,
                renamed_to: None,
            }),
            _ => files.push(FileChange { commit, author: author.clone(), change }),
        }
    }
    // A state file deleted and the same content added for the same action in
    // one commit is a move, but only when its assessment was renamed in that
    // commit (the old assessment.toml removed, the new one added): a verdict
    // may not be carried into another, existing assessment.
    let assessments = |removed: bool| -> std::collections::HashSet<AssessmentId> {
        files
            .iter()
            .filter(|f| f.change.old.is_some() == removed && f.change.new.is_some() != removed)
            .filter_map(|f| match layout::classify(&f.change.path) {
                Entry::Assessment(id) => Some(id),
                _ => None,
            })
            .collect()
    };
    let (gone, new) = (assessments(true), assessments(false));
    let deleted: Vec<usize> = (0..states.len())
        .filter(|&i| states[i].old_exists && !states[i].new_exists && gone.contains(&states[i].assessment))
        .collect();
    for i in deleted {
        let (from, action, old_blob) = (states[i].path.clone(), states[i].action.clone(), states[i].old_blob);
        if let Some(j) = states.iter().position(|s| {
            !s.old_exists
                && s.new_exists
                && s.action == action
                && new.contains(&s.assessment)
                && s.renamed_from.is_none()
                && cache.same(git, old_blob, s.new_blob)
        }) {
            let to = states[j].path.clone();
            states[j].renamed_from = Some(from);
            states[i].renamed_to = Some(to);
        }
    }
    (states, files)
}

#[cfg(test)]
mod tests {
    use crate::history::GitRepo;
    use crate::history::engine::{Options, build};
    use crate::history::scorer::IncrementalScorer;
    use crate::history::testing::{git, one_action, write};

    const STATE: &str = "[implementation]\nstatus = \"implemented\"\n\n[test]\nstatus = \"passed\"\n\n[[evidence]]\nname = \"e\"\npath = \"";

    /// The events of each commit of a repository whose assessment `s` is
    /// renamed to `s2` in its second commit, the state of `a` moving with it
    /// with evidence path `path`.
    fn events_after_rename(path: &str) -> Vec<(usize, String, bool)> {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        git(root, &["init", "-q", "-b", "main"]);
        one_action(root);
        let assessment =
            |id: &str| format!("id = \"{id}\"\nname = \"s\"\ntemplate = \"t\"\ntemplate_version = 1\n");
        write(root, "assessments/s/assessment.toml", &assessment("s"));
        write(root, "assessments/s/a.toml", &format!("{STATE}x.txt\"\n"));
        git(root, &["add", "-A"]);
        git(root, &["commit", "-qm", "one"]);
        std::fs::remove_dir_all(root.join("assessments/s")).unwrap();
        write(root, "assessments/s2/assessment.toml", &assessment("s2"));
        write(root, "assessments/s2/a.toml", &format!("{STATE}{path}\"\n"));
        git(root, &["add", "-A"]);
        git(root, &["commit", "-qm", "rename"]);
        let repo = GitRepo::open(root).unwrap();
        let head = repo.head().unwrap().unwrap();
        let t = build(&repo, head, Options::default(), &mut IncrementalScorer::default(), &|_| {}).unwrap();
        t.events.iter().map(|e| (e.commit, e.assessment.clone(), e.after.is_some())).collect()
    }

    /// A state moved with its renamed assessment is a move only when its whole
    /// state is the same: the timeline keeps only evidence names, but a changed
    /// evidence path still makes it a removal and an addition.
    #[test]
    fn a_move_is_told_by_the_whole_state_not_the_names_kept() {
        let added = (0, "s".to_owned(), true);
        assert_eq!(events_after_rename("x.txt"), std::slice::from_ref(&added), "moved as it was: no event");
        assert_eq!(
            events_after_rename("y.txt"),
            [added, (1, "s".to_owned(), false), (1, "s2".to_owned(), true)],
            "the evidence path changed in the move"
        );
    }
}
