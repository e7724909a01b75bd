//! The fast path for listing what each commit changed: `git diff-tree --stdin`.
//!
//! libgit2 re-applies a whole delta chain for every tree it reads (it caches
//! only the chain's base), so on packed repositories, where chains run 50
//! deep, reading history through it costs 2.5 to 4 times `git log --raw`.
//! git's own reader caches intermediate bases. So when a `git` executable is
//! available, evident asks it for the raw list of changed paths and blob ids
//! (plumbing output, independent of user configuration) and reads only the
//! changed blobs itself. Without git, or with `EVIDENT_GIT_CLI=0`, the
//! libgit2 walker in `git.rs` does the same job; tests check that both agree.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdout, Command, Stdio};

use git2::Oid;

use super::{Change, GitRepo};
use crate::error::{Error, Result};

thread_local! {
    /// Lets tests on this thread use the libgit2 walker.
    static FORCE_LIBGIT2: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// A running `git diff-tree --stdin` fed with the commits to list.
pub(crate) struct DiffTree {
    child: Child,
    reader: BufReader<ChildStdout>,
    writer: Option<std::thread::JoinHandle<()>>,
    /// The compliance repository's path in the work tree ("" or "dir/").
    prefix: String,
    /// A commit id read ahead: the start of the next commit's output.
    pending: Option<Oid>,
}

/// How a commit is compared.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Parents {
    /// With its first parent only (a merge lists everything its branch brought).
    First,
    /// With every parent: a merge lists only what differs from all of them.
    All,
}

/// Whether history may be read with the `git` executable.
pub(super) fn git_cli_allowed() -> bool {
    !(std::env::var("EVIDENT_GIT_CLI").is_ok_and(|v| v == "0") || FORCE_LIBGIT2.with(|f| f.get()))
}

/// `git` for the repository, without the environment that would point it elsewhere.
pub(super) fn git_command(git: &GitRepo) -> Command {
    let mut cmd = Command::new("git");
    cmd.arg("--git-dir")
        .arg(git.repo.path())
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .env_remove("GIT_INDEX_FILE");
    cmd
}

/// The first-parent line that ends at `head`, oldest first, from
/// `git rev-list --first-parent --reverse`; `None` when git cannot be run
/// or says something unexpected (libgit2 then walks it).
pub(crate) fn first_parent_line(git: &GitRepo, head: Oid) -> Option<Vec<Oid>> {
    if !git_cli_allowed() {
        return None;
    }
    let output = git_command(git)
        .args(["--no-replace-objects", "rev-list", "--first-parent", "--reverse"])
        .arg(head.to_string())
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    if !output.status.success() {
        return None;
    }
    let text = std::str::from_utf8(&output.stdout).ok()?;
    let line: Vec<Oid> = text.lines().map(Oid::from_str).collect::<std::result::Result<_, _>>().ok()?;
    (line.last() == Some(&head)).then_some(line)
}

impl DiffTree {
    /// Starts git for `commits` (with their first parents when `parents` is
    /// `First`); `None` when git cannot be run.
    pub(crate) fn spawn(git: &GitRepo, commits: &[(Oid, Option<Oid>)], parents: Parents) -> Option<DiffTree> {
        if !git_cli_allowed() {
            return None;
        }
        let mut cmd = git_command(git);
        cmd.args([
            "diff-tree",
            "--stdin",
            "-r",
            "--raw",
            "--no-renames",
            "--no-abbrev",
            "-z",
            "--root",
            "--always",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
        if parents == Parents::All {
            cmd.arg("-c");
        }
        let mut child = cmd.spawn().ok()?;
        let mut stdin = child.stdin.take()?;
        let stdout = child.stdout.take()?;
        // Lines are written from another thread so that git never blocks on a
        // full output pipe while we are still writing its input.
        let lines: Vec<String> = commits
            .iter()
            .map(|(id, parent)| match (parents, parent) {
                (Parents::First, Some(p)) => format!("{id} {p}\n"),
                _ => format!("{id}\n"),
            })
            .collect();
        let writer = std::thread::spawn(move || {
            let mut out = std::io::BufWriter::new(&mut stdin);
            for line in lines {
                if out.write_all(line.as_bytes()).is_err() {
                    return;
                }
            }
            let _ = out.flush();
        });
        Some(DiffTree {
            child,
            reader: BufReader::with_capacity(1 << 16, stdout),
            writer: Some(writer),
            prefix: git.prefix.clone(),
            pending: None,
        })
    }

    /// The changes of the next commit, which must be `expected`.
    pub(crate) fn next(&mut self, expected: Oid) -> Result<Vec<Change>> {
        let id = match self.pending.take() {
            Some(id) => id,
            None => self.read_commit_id()?,
        };
        if id != expected {
            return Err(Error::new(format!("git diff-tree listed {id} where {expected} was expected")));
        }
        let mut changes = Vec::new();
        let mut token = Vec::new();
        loop {
            token.clear();
            if self.reader.read_until(0, &mut token).map_err(io)? == 0 {
                return Ok(changes);
            }
            strip_nul(&mut token);
            if token.first() == Some(&b':') {
                let header = std::mem::take(&mut token);
                self.reader.read_until(0, &mut token).map_err(io)?;
                strip_nul(&mut token);
                if let Some(change) = self.record(&header, &token) {
                    changes.push(change);
                }
            } else {
                self.pending = Some(parse_oid(&token)?);
                return Ok(changes);
            }
        }
    }

    fn read_commit_id(&mut self) -> Result<Oid> {
        let mut token = Vec::new();
        self.reader.read_until(0, &mut token).map_err(io)?;
        strip_nul(&mut token);
        parse_oid(&token)
    }

    /// `:<modes…> <ids…> <status>` (one colon per parent) and its path.
    fn record(&self, header: &[u8], path: &[u8]) -> Option<Change> {
        let path = std::str::from_utf8(path).ok()?;
        let rel = path.strip_prefix(self.prefix.as_str())?;
        let parents = header.iter().take_while(|&&b| b == b':').count();
        let fields: Vec<&[u8]> = header[parents..].split(|&b| b == b' ').collect();
        // parents + 1 modes, parents + 1 ids, then the status.
        if fields.len() < 2 * (parents + 1) + 1 {
            return None;
        }
        let regular = |mode: &[u8]| mode.len() == 6 && mode.starts_with(b"100");
        let blob = |mode: &[u8], id: &[u8]| {
            if !regular(mode) {
                return None;
            }
            parse_oid(id).ok().filter(|o| !o.is_zero())
        };
        let old = blob(fields[0], fields[parents + 1]);
        let new = blob(fields[parents], fields[2 * parents + 1]);
        (old.is_some() || new.is_some()).then(|| Change { path: rel.to_owned(), old, new })
    }
}

impl Drop for DiffTree {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if let Some(w) = self.writer.take() {
            let _ = w.join();
        }
    }
}

fn strip_nul(token: &mut Vec<u8>) {
    if token.last() == Some(&0) {
        token.pop();
    }
}

fn parse_oid(token: &[u8]) -> Result<Oid> {
    std::str::from_utf8(token).ok().and_then(|s| Oid::from_str(s.trim()).ok()).ok_or_else(|| {
        Error::new(format!("unexpected output from git diff-tree: {:?}", String::from_utf8_lossy(token)))
    })
}

fn io(e: std::io::Error) -> Error {
    Error::new(format!("cannot read from git diff-tree: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::events::{self, BlobCache};
    use crate::history::testing::{git, write};

    /// Every commit's changes, as both walkers report them.
    fn listed(root: &std::path::Path, parents: Parents) -> Vec<(Oid, Vec<Change>)> {
        let repo = GitRepo::open(root).unwrap();
        let head = repo.head().unwrap().unwrap();
        let ids = events::commits(&repo, None, head, false).unwrap();
        let mut out = Vec::new();
        events::walk(&repo, &ids, parents, &mut BlobCache::default(), |c, _| {
            let mut all: Vec<Change> =
                c.states.iter().map(|s| Change { path: s.path.clone(), old: None, new: None }).collect();
            all.extend(c.files.iter().map(|f| f.change.clone()));
            all.sort_by(|a, b| a.path.cmp(&b.path));
            out.push((c.id, all));
        })
        .unwrap();
        out
    }

    /// The raw change lists of both walkers, for an awkward history.
    #[test]
    fn git_and_libgit2_agree() {
        let dir = tempfile::tempdir().unwrap();
        let top = dir.path();
        git(top, &["init", "-q", "-b", "main"]);
        // The compliance repository sits in a sub-directory; other files beside it.
        write(top, "compliance/evident.toml", "");
        write(top, "compliance/actions/a.toml", "id = 1\n");
        write(top, "compliance/evidence/x.txt", "x\n");
        write(top, "other/readme.md", "hi\n");
        git(top, &["add", "-A"]);
        git(top, &["commit", "-qm", "one"]);
        write(top, "compliance/actions/a.toml", "id = 2\n");
        std::fs::remove_file(top.join("compliance/evidence/x.txt")).unwrap();
        write(top, "compliance/evidence/x.txt/inner.txt", "now a folder\n");
        write(top, "other/readme.md", "changed outside\n");
        git(top, &["add", "-A"]);
        git(top, &["commit", "-qm", "two"]);
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink("actions/a.toml", top.join("compliance/link.toml")).unwrap();
            git(top, &["add", "-A"]);
            git(top, &["commit", "-qm", "a link"]);
        }
        git(top, &["checkout", "-q", "-b", "side"]);
        write(top, "compliance/actions/b.toml", "side\n");
        git(top, &["add", "-A"]);
        git(top, &["commit", "-qm", "side"]);
        git(top, &["checkout", "-q", "main"]);
        write(top, "compliance/actions/a.toml", "id = 3\n");
        git(top, &["add", "-A"]);
        git(top, &["commit", "-qm", "main"]);
        // An evil merge: it also changes a file neither side had that way.
        git(top, &["merge", "-q", "--no-ff", "--no-commit", "side"]);
        write(top, "compliance/actions/c.toml", "made in the merge\n");
        git(top, &["add", "-A"]);
        git(top, &["commit", "-qm", "merge"]);

        let root = top.join("compliance");
        for parents in [Parents::All, Parents::First] {
            let fast = listed(&root, parents);
            FORCE_LIBGIT2.with(|f| f.set(true));
            let slow = listed(&root, parents);
            FORCE_LIBGIT2.with(|f| f.set(false));
            assert_eq!(fast, slow, "{parents:?}");
            assert_eq!(fast.len(), 6);
            let merge = &fast.last().unwrap().1;
            let paths: Vec<&str> = merge.iter().map(|c| c.path.as_str()).collect();
            match parents {
                Parents::All => assert_eq!(paths, ["actions/c.toml"], "only what the merge made itself"),
                Parents::First => assert_eq!(paths, ["actions/b.toml", "actions/c.toml"]),
            }
        }
        let fast = listed(&root, Parents::All);
        let second: Vec<&str> = fast[1].1.iter().map(|c| c.path.as_str()).collect();
        assert_eq!(
            second,
            ["actions/a.toml", "evidence/x.txt", "evidence/x.txt/inner.txt"],
            "outside files are left out"
        );
    }
}
