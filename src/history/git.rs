//! Reading a compliance repository out of git: revisions, trees, blobs, and
//! which data files changed between two trees.
//!
//! Trees are compared by entry id by hand (unchanged folders are skipped
//! without being read), which docs/design/history.md measured faster than
//! libgit2's tree-to-tree diff.

use std::path::Path;

use git2::{ObjectType, Oid, Repository, Tree};

use crate::error::{Error, Result};
use crate::load::RawFile;
use crate::repo::layout::{self, Entry};

/// A git repository holding a compliance repository at `prefix`.
pub struct GitRepo {
    pub repo: Repository,
    /// The compliance repository's path in the work tree: "" or "sub/dir/".
    pub prefix: String,
}

/// The seven-digit form of a commit id.
pub fn short_id(id: Oid) -> String {
    let full = id.to_string();
    full[..7.min(full.len())].to_owned()
}

/// Why the git repository around `root` could not be opened, with the fix
/// for the usual cause: a checkout owned by another user (a CI container).
pub(crate) fn not_opened(root: &Path, e: &git2::Error) -> Error {
    let err =
        Error::new(format!("could not open the git repository of `{}`: {}", root.display(), e.message()));
    if e.code() == git2::ErrorCode::Owner {
        err.hint(format!(
            "another user owns it, so git does not trust it; if you trust it, run \
             `git config --global --add safe.directory '{}'` (as git itself suggests)",
            Repository::discover_path(root, None::<&Path>)
                .ok()
                .and_then(|p| p.parent().map(crate::repo::absolute))
                .unwrap_or_else(|| crate::repo::absolute(root))
                .display()
        ))
    } else {
        err
    }
}

/// A commit time moved by its offset from UTC. A commit can say any time (up to `i64::MAX`
/// seconds): the sum saturates instead of overflowing.
pub(crate) fn local_seconds(time: i64, offset_minutes: i32) -> i64 {
    time.saturating_add(i64::from(offset_minutes) * 60)
}

/// A file that differs between two trees (paths relative to the compliance root).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    pub path: String,
    pub old: Option<Oid>,
    pub new: Option<Oid>,
}

/// Who made a commit, and when.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Signature {
    pub name: String,
    pub email: String,
    /// Seconds since the epoch.
    pub time: i64,
    /// Offset from UTC in minutes.
    pub offset_minutes: i32,
}

impl Signature {
    pub(crate) fn of(sig: &git2::Signature<'_>) -> Self {
        Signature {
            name: String::from_utf8_lossy(sig.name_bytes()).into_owned(),
            email: String::from_utf8_lossy(sig.email_bytes()).into_owned(),
            time: sig.when().seconds(),
            offset_minutes: sig.when().offset_minutes(),
        }
    }

    /// "1a2b3c4 (Ana Lima, 2026-03-04)": a commit as messages name it.
    pub(crate) fn describe(&self, commit: Oid) -> String {
        format!("{} ({}, {})", short_id(commit), self.name, self.date())
    }

    /// The local date of the signature, `YYYY-MM-DD` ("" for a time no calendar has).
    pub(crate) fn date(&self) -> String {
        jiff::Timestamp::from_second(local_seconds(self.time, self.offset_minutes))
            .map(|t| t.strftime("%Y-%m-%d").to_string())
            .unwrap_or_default()
    }
}

impl GitRepo {
    /// Opens the git repository that holds `root`.
    pub fn open(root: &Path) -> Result<GitRepo> {
        GitRepo::find(root)?.ok_or_else(|| {
            Error::new(format!("`{}` is not in a git repository", root.display()))
                .hint("history needs git: run `git init` and commit the repository")
        })
    }

    /// The git repository that holds `root`: `None` when there is none, an
    /// error when there is one that cannot be opened (one git refuses because
    /// another user owns it, say), which must not pass for "no git".
    pub fn find(root: &Path) -> Result<Option<GitRepo>> {
        // Objects come from git itself; re-hashing every object read costs more
        // than it protects here.
        git2::opts::strict_hash_verification(false);
        let repo = match Repository::discover(root) {
            Ok(repo) => repo,
            Err(e) if e.code() == git2::ErrorCode::NotFound => return Ok(None),
            Err(e) => return Err(not_opened(root, &e)),
        };
        let workdir = repo
            .workdir()
            .map(crate::repo::absolute)
            .ok_or_else(|| Error::new("the git repository is bare; run evident in a work tree"))?;
        let root = crate::repo::absolute(root);
        let prefix = match root.strip_prefix(&workdir) {
            Ok(rel) if rel.as_os_str().is_empty() => String::new(),
            Ok(rel) => format!("{}/", rel.to_string_lossy().replace('\\', "/")),
            Err(_) => String::new(),
        };
        Ok(Some(GitRepo { repo, prefix }))
    }

    /// The commit HEAD points to; `None` before the first commit.
    pub(crate) fn head(&self) -> Result<Option<Oid>> {
        match self.repo.head() {
            Ok(head) => {
                head.peel_to_commit().map(|c| Some(c.id())).map_err(|e| Error::git("cannot read HEAD", e))
            }
            Err(e) if matches!(e.code(), git2::ErrorCode::UnbornBranch | git2::ErrorCode::NotFound) => {
                Ok(None)
            }
            Err(e) => Err(Error::git("cannot read HEAD", e)),
        }
    }

    /// HEAD, which must hold the compliance repository: history commands
    /// refuse a folder that was never committed in the git repository around it.
    pub fn committed_head(&self) -> Result<Oid> {
        let head = self.head()?.ok_or_else(|| {
            Error::new("the repository has no commits yet").hint("commit the compliance repository first")
        })?;
        let tracked = self.tree_of(head)?.is_some_and(|t| t.get_name(layout::CONFIG_FILE).is_some());
        if !tracked {
            let place = if self.prefix.is_empty() {
                "the top of the git repository".to_owned()
            } else {
                format!("`{}`", self.prefix)
            };
            return Err(Error::new(format!(
                "HEAD has no `{}` at {place}: the compliance repository is not committed",
                layout::CONFIG_FILE
            ))
            .hint(
                "commit it (`git add` and `git commit`), or run evident in the git repository that holds it",
            ));
        }
        Ok(head)
    }

    /// The commits whose parents a shallow clone cut off (`.git/shallow`).
    pub(crate) fn shallow_roots(&self) -> std::collections::HashSet<Oid> {
        std::fs::read_to_string(self.repo.path().join("shallow"))
            .map(|text| text.lines().filter_map(|l| Oid::from_str(l.trim()).ok()).collect())
            .unwrap_or_default()
    }

    /// Refuses to check `commits` when a shallow clone cut their history: the
    /// first commit after the cut would look like it added every file.
    pub(crate) fn require_complete(&self, commits: &[Oid], what: &str) -> Result<()> {
        let roots = self.shallow_roots();
        if let Some(cut) = commits.iter().find(|c| roots.contains(c)) {
            return Err(Error::new(format!(
                "{what} needs history this shallow clone does not have (it stops at {})",
                short_id(*cut)
            ))
            .hint("fetch the history: `git fetch --unshallow` (in GitHub Actions: `fetch-depth: 0` in actions/checkout)"));
        }
        Ok(())
    }

    /// Resolves a revision (`main`, `HEAD~3`, a commit id) to a commit.
    pub(crate) fn resolve(&self, rev: &str) -> Result<Oid> {
        match self.repo.revparse_single(rev).and_then(|o| o.peel_to_commit()) {
            Ok(commit) => Ok(commit.id()),
            Err(_) => {
                let mut e = Error::new(format!("unknown revision `{rev}`"));
                if self.repo.is_shallow() {
                    e = e.hint(
                        "this is a shallow clone: fetch the history (`git fetch --unshallow`, or `fetch-depth: 0` in actions/checkout)",
                    );
                } else if self.head()?.is_none() {
                    e = e.hint("the repository has no commits yet");
                } else {
                    if let Some(hint) = self.similar_ref(rev) {
                        e = e.hint(hint);
                    }
                    // A name that starts with `-` would read as an option.
                    if !rev.starts_with('-') {
                        let word = crate::diag::shell::quote(rev);
                        e = e.hint(format!("is `{rev}` fetched? try `git fetch origin {word}`"));
                    }
                }
                Err(e)
            }
        }
    }

    /// "did you mean" over the branches (local and remote-tracking) and tags,
    /// for the name part of `rev` (`masterr~2` → `master~2`). Only names up to
    /// about twice as long are compared: comparing costs the product of the
    /// lengths, and thousands of long refs from a remote would stall the error.
    fn similar_ref(&self, rev: &str) -> Option<String> {
        const LONGEST: usize = 128;
        let cut = rev.find(['~', '^', '@', ':']).unwrap_or(rev.len());
        let (name, suffix) = rev.split_at(cut);
        if name.len() > LONGEST {
            return None;
        }
        let near = |n: &str| n.len() <= 2 * name.len() + 16;
        let refs = self.repo.references().ok()?;
        let names: Vec<String> = refs
            .flatten()
            .filter(|r| r.is_branch() || r.is_remote() || r.is_tag())
            .filter_map(|r| r.shorthand().ok().map(str::to_owned))
            .filter(|n| !n.ends_with("/HEAD") && near(n))
            .collect();
        let best = crate::diag::suggest(name, names.iter().map(String::as_str))?;
        let shown = format!("{best}{suffix}");
        // The suggestion is a word to type: quoted when a shell would read into the name.
        let word = crate::diag::shell::quote(&shown);
        Some(if crate::diag::shell::quote(best) == best {
            format!("did you mean `{shown}`?")
        } else {
            format!("did you mean `{shown}` (in a shell: {word})?")
        })
    }

    pub(crate) fn commit(&self, id: Oid) -> Result<git2::Commit<'_>> {
        self.repo.find_commit(id).map_err(|e| Error::git(&format!("cannot read commit {id}"), e))
    }

    /// The tree of a commit, narrowed to the compliance repository.
    pub(crate) fn tree_of(&self, commit: Oid) -> Result<Option<Tree<'_>>> {
        self.narrow(&self.commit(commit)?)
    }

    /// A commit's tree, narrowed to the compliance repository.
    pub(crate) fn narrow(&self, commit: &git2::Commit<'_>) -> Result<Option<Tree<'_>>> {
        let tree = self.repo.find_tree(commit.tree_id()).map_err(|e| Error::git("cannot read a tree", e))?;
        if self.prefix.is_empty() {
            return Ok(Some(tree));
        }
        match tree.get_path(Path::new(self.prefix.trim_end_matches('/'))) {
            Ok(entry) if entry.kind() == Some(ObjectType::Tree) => {
                Ok(Some(self.repo.find_tree(entry.id()).map_err(|e| Error::git("cannot read a tree", e))?))
            }
            _ => Ok(None),
        }
    }

    pub(crate) fn blob(&self, id: Oid) -> Result<Vec<u8>> {
        self.repo
            .find_blob(id)
            .map(|b| b.content().to_vec())
            .map_err(|e| Error::git(&format!("cannot read blob {id}"), e))
    }

    /// The blob at a path (relative to the compliance root) in a tree.
    pub(crate) fn blob_at(&self, tree: &Tree<'_>, path: &str) -> Option<Oid> {
        tree.get_path(Path::new(path)).ok().filter(|e| e.kind() == Some(ObjectType::Blob)).map(|e| e.id())
    }

    /// Every data file of a tree with its blob id.
    pub(crate) fn data_files(&self, tree: &Tree<'_>) -> Vec<(String, Entry, Oid)> {
        let mut out = Vec::new();
        for dir in ["", layout::TEMPLATES_DIR, layout::ACTIONS_DIR, layout::ASSESSMENTS_DIR] {
            let sub = if dir.is_empty() {
                Some(tree.clone())
            } else {
                tree.get_name(dir)
                    .filter(|e| e.kind() == Some(ObjectType::Tree))
                    .and_then(|e| self.repo.find_tree(e.id()).ok())
            };
            let Some(sub) = sub else { continue };
            let base = if dir.is_empty() { String::new() } else { format!("{dir}/") };
            self.walk_blobs(&sub, &base, dir.is_empty(), &mut |path, id| {
                let entry = layout::classify(&path);
                if entry.is_data() {
                    out.push((path, entry, id));
                }
            });
        }
        out
    }

    fn walk_blobs(&self, tree: &Tree<'_>, base: &str, top_only: bool, f: &mut dyn FnMut(String, Oid)) {
        for entry in tree.iter() {
            let name = String::from_utf8_lossy(entry.name_bytes());
            let path = format!("{base}{name}");
            match entry.kind() {
                Some(ObjectType::Blob) if entry.filemode() != 0o120000 => f(path, entry.id()),
                Some(ObjectType::Tree) if !top_only => {
                    if let Ok(sub) = self.repo.find_tree(entry.id()) {
                        self.walk_blobs(&sub, &format!("{path}/"), false, f);
                    }
                }
                _ => {}
            }
        }
    }

    /// The data files of a tree as raw files for the loader.
    pub(crate) fn raw_files(&self, tree: &Tree<'_>) -> Vec<RawFile> {
        self.data_files(tree)
            .into_iter()
            .map(|(path, entry, id)| RawFile { bytes: self.blob(id).map_err(|e| e.message), path, entry })
            .collect()
    }

    /// The files that differ between two trees (either may be absent).
    pub(crate) fn changes(&self, old: Option<&Tree<'_>>, new: Option<&Tree<'_>>) -> Vec<Change> {
        self.changes_by_id(old.map(Tree::id), new.map(Tree::id), &mut TreeCache::default())
    }

    /// The files that differ between two trees given by id, reusing trees read
    /// for the previous commit (see [`TreeCache`]).
    pub(crate) fn changes_by_id(
        &self,
        old: Option<Oid>,
        new: Option<Oid>,
        cache: &mut TreeCache,
    ) -> Vec<Change> {
        let mut out = Vec::new();
        let mut path = Vec::new();
        let old = old.and_then(|id| cache.get(&self.repo, id));
        let new = new.and_then(|id| cache.get(&self.repo, id));
        self.diff_trees(old.as_deref(), new.as_deref(), &mut path, &mut out, cache);
        cache.next_generation();
        out
    }

    /// The tree id of a commit, narrowed to the compliance repository.
    pub(crate) fn narrowed_tree_id(&self, commit: &git2::Commit<'_>, cache: &mut TreeCache) -> Option<Oid> {
        let mut id = commit.tree_id();
        for part in self.prefix.split('/').filter(|p| !p.is_empty()) {
            let tree = cache.get(&self.repo, id)?;
            id = entries(&tree).find(|e| e.name == part.as_bytes() && e.is_tree())?.id();
        }
        Some(id)
    }

    /// The blob at a path below a tree, both read through the cache.
    pub(crate) fn blob_below(&self, tree: Oid, path: &str, cache: &mut TreeCache) -> Option<Oid> {
        let mut id = tree;
        let mut parts = path.split('/').peekable();
        while let Some(part) = parts.next() {
            let data = cache.get(&self.repo, id)?;
            let last = parts.peek().is_none();
            let entry = entries(&data).find(|e| e.name == part.as_bytes() && (e.is_tree() != last))?;
            if last {
                return entry.is_blob().then(|| entry.id());
            }
            id = entry.id();
        }
        None
    }

    /// Merge-joins two sorted trees on raw entry names; unchanged entries (same
    /// id) are skipped without reading them, and nothing is allocated for them.
    fn diff_trees(
        &self,
        old: Option<&[u8]>,
        new: Option<&[u8]>,
        path: &mut Vec<u8>,
        out: &mut Vec<Change>,
        cache: &mut TreeCache,
    ) {
        let (mut a, mut b) = (old.unwrap_or_default(), new.unwrap_or_default());
        loop {
            // Most records of a changed folder are unchanged: identical bytes on
            // both sides are skipped without parsing them.
            if let (Some(la), Some(lb)) = (record_len(a), record_len(b))
                && a[..la] == b[..lb]
            {
                a = &a[la..];
                b = &b[lb..];
                continue;
            }
            let (ea, eb) = (entry_at(a), entry_at(b));
            let ordering = match (&ea, &eb) {
                (Some((x, _)), Some((y, _))) => git_order(x, y),
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (None, None) => break,
            };
            match (ordering, ea, eb) {
                (std::cmp::Ordering::Less, Some((x, rest)), _) => {
                    self.emit(Some(&x), None, path, out, cache);
                    a = rest;
                }
                (std::cmp::Ordering::Greater, _, Some((y, rest))) => {
                    self.emit(None, Some(&y), path, out, cache);
                    b = rest;
                }
                (std::cmp::Ordering::Equal, Some((x, rest_a)), Some((y, rest_b))) => {
                    a = rest_a;
                    b = rest_b;
                    // A file replaced by a link whose target is the file's content keeps its id.
                    if x.raw_id == y.raw_id && x.mode & 0o170000 == y.mode & 0o170000 {
                        continue;
                    }
                    if x.is_tree() && y.is_tree() {
                        let (ta, tb) = (cache.get(&self.repo, x.id()), cache.get(&self.repo, y.id()));
                        let len = path.len();
                        path.extend_from_slice(x.name);
                        path.push(b'/');
                        self.diff_trees(ta.as_deref(), tb.as_deref(), path, out, cache);
                        path.truncate(len);
                    } else {
                        self.emit(Some(&x), Some(&y), path, out, cache);
                    }
                }
                _ => break,
            }
        }
    }

    /// Reports one side's entry (a blob, or every blob under a tree).
    fn emit(
        &self,
        old: Option<&RawEntry<'_>>,
        new: Option<&RawEntry<'_>>,
        path: &mut Vec<u8>,
        out: &mut Vec<Change>,
        cache: &mut TreeCache,
    ) {
        let blob = |e: Option<&RawEntry<'_>>| e.filter(|e| e.is_blob()).map(RawEntry::id);
        let (old_blob, new_blob) = (blob(old), blob(new));
        let Some(name) = old.or(new).map(|e| e.name) else { return };
        let len = path.len();
        path.extend_from_slice(name);
        if old_blob.is_some() || new_blob.is_some() {
            out.push(Change {
                path: String::from_utf8_lossy(path).into_owned(),
                old: old_blob,
                new: new_blob,
            });
        }
        // A tree on either side: every blob under it was added or removed.
        path.push(b'/');
        for (side, is_old) in [(old, true), (new, false)] {
            if let Some(e) = side.filter(|e| e.is_tree())
                && let Some(tree) = cache.get(&self.repo, e.id())
            {
                if is_old {
                    self.diff_trees(Some(&tree), None, path, out, cache);
                } else {
                    self.diff_trees(None, Some(&tree), path, out, cache);
                }
            }
        }
        path.truncate(len);
    }
}

/// One record of a raw tree object: `<octal mode> <name>\0<20-byte id>`.
struct RawEntry<'a> {
    mode: u32,
    name: &'a [u8],
    /// The raw id, compared as bytes; turned into an `Oid` only when needed.
    raw_id: &'a [u8],
}

impl RawEntry<'_> {
    fn id(&self) -> Oid {
        Oid::from_bytes(self.raw_id).unwrap_or(Oid::ZERO_SHA1)
    }

    fn is_tree(&self) -> bool {
        self.mode == 0o40000
    }

    /// Regular files: not symbolic links (git stores those as blobs) nor submodules.
    fn is_blob(&self) -> bool {
        self.mode & 0o170000 == 0o100000
    }
}

/// Iterates the records of a raw tree object without allocating. Git writes
/// trees, so a malformed record only ends the iteration.
fn entries(data: &[u8]) -> impl Iterator<Item = RawEntry<'_>> {
    let mut rest = data;
    std::iter::from_fn(move || {
        let (entry, after) = entry_at(rest)?;
        rest = after;
        Some(entry)
    })
}

/// The length of the record at the start of a raw tree (the NUL after the
/// name, then the 20-byte id).
fn record_len(data: &[u8]) -> Option<usize> {
    let nul = memchr::memchr(0, data)?;
    (data.len() >= nul + 21).then_some(nul + 21)
}

/// The record at the start of a raw tree, and what follows it.
fn entry_at(data: &[u8]) -> Option<(RawEntry<'_>, &[u8])> {
    let len = record_len(data)?;
    let record = &data[..len];
    let space = memchr::memchr(b' ', record)?;
    let mode = record[..space]
        .iter()
        .try_fold(0u32, |m, &d| d.is_ascii_digit().then(|| m * 8 + u32::from(d - b'0')))?;
    let name = &record[space + 1..len - 21];
    let raw_id = &record[len - 20..];
    Some((RawEntry { mode, name, raw_id }, &data[len..]))
}

/// Git's tree order: names compared as bytes, a tree as if its name ended in
/// `/`. Entries of one name but different kinds compare equal here, so that a
/// blob replaced by a tree is seen as one change.
fn git_order(a: &RawEntry<'_>, b: &RawEntry<'_>) -> std::cmp::Ordering {
    let (x, y) = (a.name, b.name);
    if x == y {
        return std::cmp::Ordering::Equal;
    }
    let common = x.len().min(y.len());
    match x[..common].cmp(&y[..common]) {
        std::cmp::Ordering::Equal => {}
        other => return other,
    }
    let next = |name: &[u8], tree: bool| name.get(common).copied().or(tree.then_some(b'/'));
    next(x, a.is_tree()).cmp(&next(y, b.is_tree()))
}

/// Raw tree objects read for the current and the previous commit. Walking
/// history oldest first, a commit's trees are the next commit's parent trees,
/// so each is read from the pack once instead of twice.
#[derive(Default)]
pub(crate) struct TreeCache {
    previous: std::collections::HashMap<Oid, std::rc::Rc<[u8]>>,
    current: std::collections::HashMap<Oid, std::rc::Rc<[u8]>>,
}

impl TreeCache {
    fn get(&mut self, repo: &Repository, id: Oid) -> Option<std::rc::Rc<[u8]>> {
        if let Some(t) = self.current.get(&id) {
            return Some(t.clone());
        }
        let tree = match self.previous.remove(&id) {
            Some(t) => t,
            None => {
                let odb = repo.odb().ok()?;
                let object = odb.read(id).ok()?;
                if object.kind() != ObjectType::Tree {
                    return None;
                }
                std::rc::Rc::from(object.data())
            }
        };
        self.current.insert(id, tree.clone());
        Some(tree)
    }

    /// Keeps what the last commit read; forgets the commit before.
    fn next_generation(&mut self) {
        self.previous = std::mem::take(&mut self.current);
    }
}
