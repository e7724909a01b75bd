//! The main line of a branch, its commits and what each changed, from one
//! `git log --first-parent --raw` stream.
//!
//! Listing the line (`git rev-list`), reading every commit with libgit2 and
//! asking `git diff-tree --stdin` for the changes walks the same commits three
//! times; `git log` does it once. The stream is plumbing-like: every option
//! that user configuration could change (order files, signatures, re-encoding,
//! colours, relative paths, merge diffs) is set on the command line. The
//! commit fields are those libgit2 gives (author name and e-mail trimmed, the
//! summary made from the raw message the way `git_commit_summary` makes it),
//! so the walk sees the same values either way; a test checks that. Anything
//! unexpected (git cannot run, fails, or prints something else) gives `None`
//! and the caller walks the slower way.

use std::io::{BufRead, BufReader};
use std::process::Stdio;

use git2::Oid;

use super::{Change, GitRepo, Signature};

/// One commit of the line with what it changed against its first parent.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Logged {
    pub id: Oid,
    pub parents: Vec<Oid>,
    pub author: Signature,
    pub summary: String,
    pub changes: Vec<Change>,
}

/// The `--format` fields, NUL separated: id, parents, author name, e-mail,
/// date (`--date=raw`: seconds and offset), raw message.
const FORMAT: &str = "--format=%H%x00%P%x00%an%x00%ae%x00%ad%x00%B";

/// The first-parent line that ends at `head`, oldest first, after `base`
/// (a commit of the line; the whole line when `None`), each commit with its
/// changes inside the compliance repository. `want` is called with every
/// changed blob as it is read (to start parsing it elsewhere).
pub(crate) fn first_parent_log(
    git: &GitRepo,
    head: Oid,
    base: Option<Oid>,
    want: &mut dyn FnMut(&Change),
) -> Option<Vec<Logged>> {
    if !super::difftree::git_cli_allowed() {
        return None;
    }
    let mut cmd = super::difftree::git_command(git);
    cmd.args([
        "--no-replace-objects",
        "log",
        "--first-parent",
        "--reverse",
        "--diff-merges=first-parent",
        "--root",
        "--raw",
        "-r",
        "-z",
        "--no-renames",
        "--no-abbrev",
        "--no-color",
        "--no-ext-diff",
        "--no-relative",
        "--no-show-signature",
        "--no-notes",
        "--encoding=none",
        "--date=raw",
        // No order file: changes in tree order, as `diff-tree` lists them.
        "-O/dev/null",
        FORMAT,
    ])
    .arg(head.to_string());
    if let Some(base) = base {
        cmd.arg(format!("^{base}"));
    }
    cmd.arg("--").stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::null());
    let mut child = cmd.spawn().ok()?;
    let stdout = child.stdout.take()?;
    let parsed = read_log(BufReader::with_capacity(1 << 16, stdout), &git.prefix, want);
    // The stream was read to its end; on a parse error git is stopped.
    let status = match parsed {
        Some(_) => child.wait().ok()?,
        None => {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
    };
    let line = parsed?;
    (status.success() && line.last().map(|c| c.id) == Some(head)).then_some(line)
}

/// Parses the stream; `None` on anything unexpected.
fn read_log(mut reader: impl BufRead, prefix: &str, want: &mut dyn FnMut(&Change)) -> Option<Vec<Logged>> {
    let mut out = Vec::new();
    let mut token = Vec::new();
    let next = |reader: &mut dyn BufRead, token: &mut Vec<u8>| -> Option<bool> {
        token.clear();
        if reader.read_until(0, token).ok()? == 0 {
            return Some(false);
        }
        if token.last() == Some(&0) {
            token.pop();
        }
        Some(true)
    };
    // Whether `token` holds a commit id read ahead.
    let mut ahead = next(&mut reader, &mut token)?;
    while ahead {
        let id = oid(&token)?;
        let field = |reader: &mut dyn BufRead, token: &mut Vec<u8>| -> Option<Vec<u8>> {
            next(reader, token)?.then(|| std::mem::take(token))
        };
        let parents = field(&mut reader, &mut token)?;
        let parents = if parents.is_empty() {
            Vec::new()
        } else {
            parents.split(|&b| b == b' ').map(oid).collect::<Option<Vec<_>>>()?
        };
        let name = field(&mut reader, &mut token)?;
        let email = field(&mut reader, &mut token)?;
        let date = field(&mut reader, &mut token)?;
        let message = field(&mut reader, &mut token)?;
        let (time, offset_minutes) = raw_date(&date)?;
        let mut changes = Vec::new();
        loop {
            ahead = next(&mut reader, &mut token)?;
            if !ahead {
                break;
            }
            let header = token.strip_prefix(b"\n").unwrap_or(&token);
            if header.first() != Some(&b':') {
                break;
            }
            let header = header.to_vec();
            if !next(&mut reader, &mut token)? {
                return None;
            }
            if let Some(change) = record(&header, &token, prefix)? {
                want(&change);
                changes.push(change);
            }
        }
        out.push(Logged {
            id,
            parents,
            author: Signature {
                name: String::from_utf8_lossy(trim(&name)).into_owned(),
                email: String::from_utf8_lossy(trim(&email)).into_owned(),
                time,
                offset_minutes,
            },
            summary: String::from_utf8_lossy(&summary(&message)).into_owned(),
            changes,
        });
    }
    Some(out)
}

/// `:<mode> <mode> <id> <id> <status>` and its path: the change, if the path
/// is inside the compliance repository and either side is a regular file
/// (`Some(None)` otherwise); `None` when the header is malformed.
fn record(header: &[u8], path: &[u8], prefix: &str) -> Option<Option<Change>> {
    let fields: Vec<&[u8]> = header[1..].split(|&b| b == b' ').collect();
    let [old_mode, new_mode, old_id, new_id, _status] = fields[..] else { return None };
    let (old_id, new_id) = (oid(old_id)?, oid(new_id)?);
    let Some(rel) = std::str::from_utf8(path).ok().and_then(|p| p.strip_prefix(prefix)) else {
        return Some(None);
    };
    let regular = |mode: &[u8]| mode.len() == 6 && mode.starts_with(b"100");
    let blob = |mode: &[u8], id: Oid| (regular(mode) && !id.is_zero()).then_some(id);
    let (old, new) = (blob(old_mode, old_id), blob(new_mode, new_id));
    Some((old.is_some() || new.is_some()).then(|| Change { path: rel.to_owned(), old, new }))
}

fn oid(token: &[u8]) -> Option<Oid> {
    if token.len() != 40 {
        return None;
    }
    Oid::from_str(std::str::from_utf8(token).ok()?).ok()
}

/// `<seconds> <+|-><hh><mm>`.
fn raw_date(date: &[u8]) -> Option<(i64, i32)> {
    let text = std::str::from_utf8(date).ok()?;
    let (seconds, zone) = text.split_once(' ')?;
    let seconds: i64 = seconds.parse().ok()?;
    let (sign, digits) = match zone.as_bytes().first()? {
        b'+' => (1, &zone[1..]),
        b'-' => (-1, &zone[1..]),
        _ => return None,
    };
    if digits.len() != 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (hours, minutes): (i32, i32) = (digits[..2].parse().ok()?, digits[2..].parse().ok()?);
    Some((seconds, sign * (hours * 60 + minutes)))
}

/// libgit2's whitespace (`git__isspace`).
fn space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\x0c' | b'\r' | b'\x0b')
}

fn trim(bytes: &[u8]) -> &[u8] {
    let start = bytes.iter().position(|&b| !space(b)).unwrap_or(bytes.len());
    let end = bytes.iter().rposition(|&b| !space(b)).map_or(start, |i| i + 1);
    &bytes[start..end.max(start)]
}

/// The summary of a raw commit message as libgit2's `git_commit_summary`
/// makes it: leading newlines skipped, the first paragraph, every run of
/// whitespace that holds a newline made one space, trailing whitespace cut.
pub(crate) fn summary(raw: &[u8]) -> Vec<u8> {
    let start = raw.iter().position(|&b| b != b'\n').unwrap_or(raw.len());
    let msg = &raw[start..];
    let end = msg.iter().position(|&b| b == 0).unwrap_or(msg.len());
    let msg = &msg[..end];
    let mut out = Vec::with_capacity(msg.len().min(128));
    let mut run: Option<(usize, bool)> = None;
    for (i, &c) in msg.iter().enumerate() {
        if c == b'\n' {
            let rest = &msg[i + 1..];
            let blank = rest.iter().position(|&b| !(space(b) && b != b'\n')).map_or(rest.len(), |k| k);
            if rest.is_empty() || blank == rest.len() || rest[blank] == b'\n' {
                break;
            }
        }
        if space(c) {
            let (from, newline) = run.unwrap_or((i, false));
            run = Some((from, newline || c == b'\n'));
        } else {
            if let Some((from, newline)) = run.take() {
                if newline {
                    out.push(b' ');
                } else {
                    out.extend_from_slice(&msg[from..i]);
                }
            }
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::testing::{git, write};

    #[test]
    fn summaries_as_libgit2_makes_them() {
        let cases: &[&[u8]] = &[
            b"one\n\nbody\n",
            b"\n\nleading newlines\n",
            b"two lines\nof subject\n\nbody",
            b"tabs\t and  spaces  \n",
            b"  leading spaces\n",
            b"ends in spaces   ",
            b"para\n   \nnext",
            b"crlf line\r\nsecond\r\n\r\nbody",
            b"",
            b"\n",
            b"no newline",
            b"a\n \tb\n\n",
            b"\xff\xfe not utf-8\n",
        ];
        let dir = tempfile::tempdir().unwrap();
        let repo = git2::Repository::init(dir.path()).unwrap();
        let tree = repo.treebuilder(None).unwrap().write().unwrap();
        for raw in cases {
            let mut buf = format!("tree {tree}\nauthor A <a@b.c> 0 +0000\ncommitter A <a@b.c> 0 +0000\n\n")
                .into_bytes();
            buf.extend_from_slice(raw);
            let id = repo.odb().unwrap().write(git2::ObjectType::Commit, &buf).unwrap();
            let commit = repo.find_commit(id).unwrap();
            assert_eq!(summary(raw), commit.summary_bytes().unwrap_or_default(), "{:?}", raw);
        }
    }

    /// The log gives each commit what libgit2 and `git diff-tree` give.
    #[test]
    fn log_agrees_with_libgit2_and_diff_tree() {
        let dir = tempfile::tempdir().unwrap();
        let top = dir.path();
        git(top, &["init", "-q", "-b", "main"]);
        write(top, "compliance/evident.toml", "");
        write(top, "compliance/actions/a.toml", "id = 1\n");
        write(top, "other/readme.md", "hi\n");
        git(top, &["add", "-A"]);
        git(top, &["commit", "-qm", "\n  one\n  line \n\nbody"]);
        write(top, "compliance/actions/a.toml", "id = 2\n");
        write(top, "other/readme.md", "changed outside\n");
        git(top, &["add", "-A"]);
        git(top, &["commit", "-qm", "two", "--author=Spaced Name <s@n.c>", "--date=1700000000 -0230"]);
        git(top, &["checkout", "-q", "-b", "side"]);
        write(top, "compliance/actions/b.toml", "side\n");
        git(top, &["add", "-A"]);
        git(top, &["commit", "-qm", "side"]);
        git(top, &["checkout", "-q", "main"]);
        write(top, "compliance/actions/a.toml", "id = 3\n");
        git(top, &["add", "-A"]);
        git(top, &["commit", "-qm", "main"]);
        git(top, &["merge", "-q", "--no-ff", "--no-commit", "side"]);
        write(top, "compliance/actions/c.toml", "made in the merge\n");
        git(top, &["add", "-A"]);
        git(top, &["commit", "-qm", "merge"]);
        git(top, &["commit", "-q", "--allow-empty", "--allow-empty-message", "-m", ""]);
        // A commit written by hand: odd spacing in the author line and message.
        {
            let raw = git2::Repository::open(top).unwrap();
            let parent = raw.head().unwrap().peel_to_commit().unwrap();
            let text = format!(
                "tree {}\nparent {}\nauthor  Lead  Space  <  s@x.c > 1700000000 +0530\n\
                 committer A <a@b.c> 1700000000 +0000\n\n\n\nodd  summary\n  second line\n\nbody",
                parent.tree_id(),
                parent.id()
            );
            let id = raw.odb().unwrap().write(git2::ObjectType::Commit, text.as_bytes()).unwrap();
            raw.reference("refs/heads/main", id, true, "test").unwrap();
        }

        let repo = GitRepo::open(&top.join("compliance")).unwrap();
        let head = repo.head().unwrap().unwrap();
        let mut wanted = 0;
        let line = first_parent_log(&repo, head, None, &mut |_| wanted += 1).unwrap();
        let ids: Vec<Oid> = line.iter().map(|c| c.id).collect();
        assert_eq!(ids, super::super::difftree::first_parent_line(&repo, head).unwrap());
        assert_eq!(ids.len(), 6);
        let pairs: Vec<(Oid, Option<Oid>)> =
            line.iter().map(|c| (c.id, c.parents.first().copied())).collect();
        let mut diff_tree =
            super::super::difftree::DiffTree::spawn(&repo, &pairs, super::super::difftree::Parents::First)
                .unwrap();
        let mut count = 0;
        for c in &line {
            let commit = repo.repo.find_commit(c.id).unwrap();
            assert_eq!(c.author, Signature::of(&commit.author()));
            assert_eq!(c.summary, String::from_utf8_lossy(commit.summary_bytes().unwrap_or_default()));
            assert_eq!(c.parents, commit.parent_ids().collect::<Vec<_>>());
            assert_eq!(c.changes, diff_tree.next(c.id).unwrap());
            count += c.changes.len();
        }
        assert_eq!(wanted, count);
        assert_eq!(line[1].author.name, "Spaced Name");
        assert_eq!(line[1].author.offset_minutes, -150);
        assert_eq!(line[3].changes.len(), 2, "a merge lists what its branch brought");
        assert_eq!(
            (line[5].author.name.as_str(), line[5].summary.as_str()),
            ("Lead  Space", "odd  summary second line")
        );
        // From a base: only the commits after it.
        let rest = first_parent_log(&repo, head, Some(ids[2]), &mut |_| {}).unwrap();
        assert_eq!(rest, line[3..]);
    }

    #[test]
    fn unexpected_output_is_refused() {
        let good = b"0123456789012345678901234567890123456789\0\0A\0a@b\x001 +0000\0msg\n\0";
        assert_eq!(read_log(&good[..], "", &mut |_| {}).unwrap().len(), 1);
        for bad in [&b"xyz\0"[..], b"0123456789012345678901234567890123456789\0\0A\0a@b\0one\0msg\0"] {
            assert!(read_log(bad, "", &mut |_| {}).is_none());
        }
    }
}
