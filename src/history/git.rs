//! Reading a compliance repository out of git: revisions, trees, blobs, and
//! which data files changed between two trees.
//!
//! Trees are compared by entry id by hand (unchanged folders are skipped
//! without being read), which DESIGN.md section 4 measured faster than
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
    pub fn of(sig: &git2::Signature<'_>) -> Self {
        Signature {
            name: String::from_utf8_lossy(sig.name_bytes()).into_owned(),
            email: String::from_utf8_lossy(sig.email_bytes()).into_owned(),
            time: sig.when().seconds(),
            offset_minutes: sig.when().offset_minutes(),
        }
    }

    /// The local date of the signature, `YYYY-MM-DD`.
    pub fn date(&self) -> String {
        jiff::Timestamp::from_second(self.time + i64::from(self.offset_minutes) * 60)
            .map(|t| t.strftime("%Y-%m-%d").to_string())
            .unwrap_or_default()
    }
}

impl GitRepo {
    /// Opens the git repository that holds `root`.
    pub fn open(root: &Path) -> Result<GitRepo> {
        // Objects come from git itself; re-hashing every object read costs more
        // than it protects here.
        git2::opts::strict_hash_verification(false);
        let repo = Repository::discover(root).map_err(|_| {
            Error::new(format!("`{}` is not in a git repository", root.display()))
                .hint("history needs git: run `git init` and commit the repository")
        })?;
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
        Ok(GitRepo { repo, prefix })
    }

    /// The commit HEAD points to; `None` before the first commit.
    pub fn head(&self) -> Result<Option<Oid>> {
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

    /// Resolves a revision (`main`, `HEAD~3`, a commit id) to a commit.
    pub fn resolve(&self, rev: &str) -> Result<Oid> {
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
                    e = e.hint(format!("is `{rev}` fetched? try `git fetch origin {rev}`"));
                }
                Err(e)
            }
        }
    }

    pub fn commit(&self, id: Oid) -> Result<git2::Commit<'_>> {
        self.repo.find_commit(id).map_err(|e| Error::git(&format!("cannot read commit {id}"), e))
    }

    /// The tree of a commit, narrowed to the compliance repository.
    pub fn tree_of(&self, commit: Oid) -> Result<Option<Tree<'_>>> {
        let tree = self.commit(commit)?.tree().map_err(|e| Error::git("cannot read a tree", e))?;
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

    pub fn blob(&self, id: Oid) -> Result<Vec<u8>> {
        self.repo
            .find_blob(id)
            .map(|b| b.content().to_vec())
            .map_err(|e| Error::git(&format!("cannot read blob {id}"), e))
    }

    /// The blob at a path (relative to the compliance root) in a tree.
    pub fn blob_at(&self, tree: &Tree<'_>, path: &str) -> Option<Oid> {
        tree.get_path(Path::new(path)).ok().filter(|e| e.kind() == Some(ObjectType::Blob)).map(|e| e.id())
    }

    /// Every data file of a tree with its blob id.
    pub fn data_files(&self, tree: &Tree<'_>) -> Vec<(String, Entry, Oid)> {
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
    pub fn raw_files(&self, tree: &Tree<'_>) -> Vec<RawFile> {
        self.data_files(tree)
            .into_iter()
            .map(|(path, entry, id)| RawFile { bytes: self.blob(id).map_err(|e| e.message), path, entry })
            .collect()
    }

    /// The files that differ between two trees (either may be absent).
    pub fn changes(&self, old: Option<&Tree<'_>>, new: Option<&Tree<'_>>) -> Vec<Change> {
        let mut out = Vec::new();
        self.diff_trees(old, new, "", &mut out);
        out
    }

    fn diff_trees(&self, old: Option<&Tree<'_>>, new: Option<&Tree<'_>>, base: &str, out: &mut Vec<Change>) {
        let old_entries = old.map(entries).unwrap_or_default();
        let new_entries = new.map(entries).unwrap_or_default();
        let (mut i, mut j) = (0, 0);
        while i < old_entries.len() || j < new_entries.len() {
            let ordering = match (old_entries.get(i), new_entries.get(j)) {
                (Some(a), Some(b)) => git_order(a, b),
                (Some(_), None) => std::cmp::Ordering::Less,
                _ => std::cmp::Ordering::Greater,
            };
            match ordering {
                std::cmp::Ordering::Less => {
                    self.emit(Some(&old_entries[i]), None, base, out);
                    i += 1;
                }
                std::cmp::Ordering::Greater => {
                    self.emit(None, Some(&new_entries[j]), base, out);
                    j += 1;
                }
                std::cmp::Ordering::Equal => {
                    let (a, b) = (&old_entries[i], &new_entries[j]);
                    if a.id != b.id || a.is_tree != b.is_tree {
                        if a.is_tree && b.is_tree {
                            let (ta, tb) = (self.repo.find_tree(a.id).ok(), self.repo.find_tree(b.id).ok());
                            self.diff_trees(ta.as_ref(), tb.as_ref(), &format!("{base}{}/", a.name), out);
                        } else {
                            self.emit(Some(a), Some(b), base, out);
                        }
                    }
                    i += 1;
                    j += 1;
                }
            }
        }
    }

    /// Reports one side's entry (a blob, or every blob under a tree).
    fn emit(
        &self,
        old: Option<&TreeEntryInfo>,
        new: Option<&TreeEntryInfo>,
        base: &str,
        out: &mut Vec<Change>,
    ) {
        let blob = |e: Option<&TreeEntryInfo>| e.filter(|e| !e.is_tree).map(|e| e.id);
        let (old_blob, new_blob) = (blob(old), blob(new));
        let name = old.or(new).map(|e| e.name.as_str()).unwrap_or_default();
        if old_blob.is_some() || new_blob.is_some() {
            out.push(Change { path: format!("{base}{name}"), old: old_blob, new: new_blob });
        }
        // A tree on either side: every blob under it was added or removed.
        for (side, is_old) in [(old, true), (new, false)] {
            if let Some(e) = side.filter(|e| e.is_tree)
                && let Ok(tree) = self.repo.find_tree(e.id)
            {
                let tree = Some(&tree);
                let dir = format!("{base}{}/", e.name);
                if is_old {
                    self.diff_trees(tree, None, &dir, out);
                } else {
                    self.diff_trees(None, tree, &dir, out);
                }
            }
        }
    }
}

struct TreeEntryInfo {
    name: String,
    id: Oid,
    is_tree: bool,
}

fn entries(tree: &Tree<'_>) -> Vec<TreeEntryInfo> {
    tree.iter()
        .filter(|e| e.filemode() != 0o160000) // submodules
        .map(|e| TreeEntryInfo {
            name: String::from_utf8_lossy(e.name_bytes()).into_owned(),
            id: e.id(),
            is_tree: e.kind() == Some(ObjectType::Tree),
        })
        .collect()
}

/// Git's tree order: names compared as bytes, trees as if followed by `/`.
/// Entries of the same name but different kinds compare equal here so that a
/// blob replaced by a tree is seen as one change.
fn git_order(a: &TreeEntryInfo, b: &TreeEntryInfo) -> std::cmp::Ordering {
    if a.name == b.name {
        return std::cmp::Ordering::Equal;
    }
    let key = |e: &TreeEntryInfo| {
        let mut k = e.name.as_bytes().to_vec();
        if e.is_tree {
            k.push(b'/');
        }
        k
    };
    key(a).cmp(&key(b))
}
