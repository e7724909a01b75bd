//! The uncommitted changes as a commit on top of HEAD, so that `evident check`
//! judges them by the history rules before they are committed.
//!
//! The commit is what `git commit -a` would record, plus the untracked files
//! (a state file `evident set` just created is untracked until `git add`):
//! the working tree of the compliance repository, ignored files left out.
//! When a path is staged in a third version, the index is judged too, as
//! another commit on top of HEAD: judging more than is committed may refuse
//! a change early, but never lets one through. During a merge both have the
//! merged commits as further parents, and answer only for what they change
//! themselves. Its author is the one `git commit` would record: `GIT_AUTHOR_EMAIL`
//! (which git also sets for its hooks, `--author` included), else `author.email`
//! or `user.email` of the git configuration, else `EMAIL`; when none is set
//! the author is left empty and the diagnostics say so. Its objects are written to an in-memory object
//! database: nothing is written under `.git/` and no reference moves.
//!
//! Only the data files' content is stored there (state files, `evident.toml`,
//! assessments, definitions, templates): the history rules read no other
//! file of the commit. Evidence is judged by its path (E0701) and by the
//! `sha256` the state files record; a file an automatic test runs, the allowed
//! signers file, by path and blob id. Those files are hashed as they are read,
//! in chunks, so a large evidence video costs no memory; their trees are
//! written by [`super::tree_update`], which does not ask for the blobs.

use std::path::Path;

use std::collections::BTreeMap;

use git2::{FileMode, Oid};

use super::GitRepo;
use super::events::{BlobCache, CommitChanges, split};
use super::tree_update::{self, Update};
use crate::error::{Error, Result};
use crate::repo::layout;

/// The uncommitted changes, each as a commit on top of HEAD.
#[derive(Default)]
pub(crate) struct Uncommitted {
    /// The working tree, staged or not, untracked files included.
    pub worktree: Option<CommitChanges>,
    /// The index, when a path is staged in a version that is neither HEAD's
    /// nor the working tree's.
    pub staged: Option<CommitChanges>,
}

/// The uncommitted changes of the compliance repository as commits whose
/// parent is HEAD (and, during a merge, the commits being merged): the
/// working tree first; then, when some path is staged in a version that is
/// neither HEAD's nor the working tree's (`git add` then another edit, `git rm
/// --cached`), the index, which is what a plain `git commit` records. Empty
/// when there are none, before the first commit, or when HEAD does not hold
/// the compliance repository.
pub(crate) fn uncommitted(git: &GitRepo, cache: &mut BlobCache) -> Result<Uncommitted> {
    let mut out = Uncommitted::default();
    let Some(head) = git.head()? else { return Ok(out) };
    let Some(head_tree) = git.tree_of(head)? else { return Ok(out) };
    if head_tree.get_name(layout::CONFIG_FILE).is_none() {
        return Ok(out);
    }
    let Some(workdir) = git.repo.workdir().map(Path::to_path_buf) else { return Ok(out) };
    let fail = |e: git2::Error| Error::git("cannot judge the uncommitted changes", e);
    use_hook_index(git);
    let paths = changed_paths(git)?;
    if paths.is_empty() {
        return Ok(out);
    }
    // Everything written from here on stays in memory.
    let odb = git.repo.odb().map_err(fail)?;
    odb.add_new_mempack_backend(1000).map_err(fail)?;
    let full = git.repo.find_tree(git.commit(head)?.tree_id()).map_err(fail)?;
    let author = author(git).map_err(fail)?;
    let mut parents = vec![head];
    parents.extend(merging(git));
    let mut worktree = BTreeMap::new();
    for (path, _) in &paths {
        let entry = read_entry(git, path, &workdir.join(path)).map_err(fail)?;
        update(&mut worktree, &full, path, entry);
    }
    let tree = tree_update::updated(&git.repo, &full, &worktree).map_err(fail)?;
    out.worktree = judged(git, cache, &full, tree, &parents, &author, "uncommitted changes")?;
    if paths.iter().any(|(_, status)| staged_apart(*status)) {
        let index = git.repo.index().map_err(fail)?;
        // Conflicts: nothing can be committed before they are resolved.
        if !index.has_conflicts() {
            let mut staged = BTreeMap::new();
            for (path, _) in paths.iter().filter(|(_, status)| staged_at_all(*status)) {
                let entry = index.get_path(Path::new(path), 0).map(|e| (e.id, mode(e.mode)));
                update(&mut staged, &full, path, entry);
            }
            let tree = tree_update::updated(&git.repo, &full, &staged).map_err(fail)?;
            out.staged = judged(git, cache, &full, tree, &parents, &author, "staged changes")?;
        }
    }
    Ok(out)
}

/// Records a path's new entry; a path that is gone is removed when HEAD has it.
fn update(
    updates: &mut BTreeMap<String, Update>,
    head: &git2::Tree<'_>,
    path: &str,
    entry: Option<(Oid, i32)>,
) {
    if entry.is_some() || head.get_path(Path::new(path)).is_ok() {
        updates.insert(path.to_owned(), entry);
    }
}

/// The commit of tree `tree_id` on top of HEAD (tree `full`), with what it
/// changes; `None` when it changes nothing.
fn judged(
    git: &GitRepo,
    cache: &mut BlobCache,
    full: &git2::Tree<'_>,
    tree_id: Oid,
    parents: &[Oid],
    (in_commit, author, no_email): &Author,
    summary: &str,
) -> Result<Option<CommitChanges>> {
    let fail = |e: git2::Error| Error::git("cannot judge the uncommitted changes", e);
    if tree_id == full.id() {
        return Ok(None);
    }
    let tree = git.repo.find_tree(tree_id).map_err(fail)?;
    let commits: Vec<git2::Commit<'_>> = parents.iter().map(|p| git.commit(*p)).collect::<Result<_>>()?;
    let id = git
        .repo
        .commit(None, in_commit, in_commit, summary, &tree, &commits.iter().collect::<Vec<_>>())
        .map_err(fail)?;
    let head = parents[0];
    let before = git.tree_of(head)?;
    let after = git.tree_of(id)?;
    let mut changed = git.changes(before.as_ref(), after.as_ref());
    // A merge answers for what it changes itself, not for what the merged branches bring.
    let merged: Vec<git2::Tree<'_>> =
        parents[1..].iter().filter_map(|p| git.tree_of(*p).ok().flatten()).collect();
    changed.retain(|c| merged.iter().all(|t| c.new != git.blob_at(t, &c.path)));
    let config_before =
        before.as_ref().and_then(|t| git.blob_at(t, layout::CONFIG_FILE)).and_then(|b| cache.config(git, b));
    let (states, files) = split(git, cache, id, author, changed);
    Ok(Some(CommitChanges {
        id,
        author: author.clone(),
        summary: summary.to_owned(),
        first_parent: Some(head),
        states,
        files,
        config_before,
        uncommitted: true,
        no_email: *no_email,
    }))
}

/// The commits a merge in progress brings in (`MERGE_HEAD`), which the
/// commit that concludes it will have as parents.
fn merging(git: &GitRepo) -> Vec<Oid> {
    if git.repo.state() != git2::RepositoryState::Merge {
        return Vec::new();
    }
    let text = std::fs::read_to_string(git.repo.path().join("MERGE_HEAD")).unwrap_or_default();
    text.lines()
        .filter_map(|line| Oid::from_str(line.trim()).ok())
        .filter(|id| git.repo.find_commit(*id).is_ok())
        .collect()
}

/// In a pre-commit hook, git names the index it is about to commit in
/// `GIT_INDEX_FILE` (a temporary one for `git commit -a` or `git commit
/// PATHS`): that one is compared, not `.git/index`. Read only.
fn use_hook_index(git: &GitRepo) {
    let Some(path) = std::env::var_os("GIT_INDEX_FILE").filter(|p| !p.is_empty()) else { return };
    let Ok(path) = std::path::absolute(path) else { return };
    // A missing file would read as an empty index: everything deleted.
    if !path.is_file() {
        return;
    }
    if let Ok(mut index) = git2::Index::open(&path) {
        let _ = git.repo.set_index(&mut index);
    }
}

/// A path staged in a version that is neither HEAD's nor the working tree's.
fn staged_apart(status: git2::Status) -> bool {
    staged_at_all(status)
        && status.intersects(
            git2::Status::WT_NEW
                | git2::Status::WT_MODIFIED
                | git2::Status::WT_DELETED
                | git2::Status::WT_TYPECHANGE,
        )
}

/// A path whose staged version differs from HEAD's.
fn staged_at_all(status: git2::Status) -> bool {
    status.intersects(
        git2::Status::INDEX_NEW
            | git2::Status::INDEX_MODIFIED
            | git2::Status::INDEX_DELETED
            | git2::Status::INDEX_TYPECHANGE,
    )
}

/// The tree mode of an index entry.
fn mode(mode: u32) -> i32 {
    i32::from(match mode {
        0o100755 => FileMode::BlobExecutable,
        0o120000 => FileMode::Link,
        0o160000 => FileMode::Commit,
        _ => FileMode::Blob,
    })
}

/// The e-mail address `git commit` would record as the author's, with where
/// it comes from (`` `git config user.email` ``); or why there is none.
pub(crate) fn user_email(repo: &git2::Repository) -> std::result::Result<(String, &'static str), NoEmail> {
    let config = repo.config().and_then(|mut c| c.snapshot()).map_err(|_| NoEmail::Unset)?;
    let who = identity(&config, &env_value);
    let no_email = who.no_email();
    who.email.map(|e| (e, who.from)).ok_or(no_email.unwrap_or(NoEmail::Unset))
}

/// Why `git commit` would record no e-mail for the author.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NoEmail {
    /// None of `GIT_AUTHOR_EMAIL`, `author.email`, `user.email` and `EMAIL` is set.
    Unset,
    /// `GIT_AUTHOR_EMAIL` is set but empty (`git commit --author 'Name <>'`).
    Empty,
}

impl NoEmail {
    /// The cause, as the user would see it.
    pub(crate) fn cause(self) -> &'static str {
        match self {
            NoEmail::Unset => "`git config user.email` is not set",
            NoEmail::Empty => "`GIT_AUTHOR_EMAIL` is empty, as `git commit --author 'Name <>'` sets it",
        }
    }

    /// How to give one.
    pub(crate) fn fix(self) -> &'static str {
        match self {
            NoEmail::Unset => "set your e-mail with `git config user.email`",
            NoEmail::Empty => "give your e-mail in `git commit --author 'Name <e-mail>'`",
        }
    }
}

/// Who `git commit` would record as the author.
#[derive(Debug, Default, PartialEq, Eq)]
struct Identity {
    name: Option<String>,
    email: Option<String>,
    /// Where the e-mail comes from, as the user would set it.
    from: &'static str,
}

impl Identity {
    /// Why there is no e-mail, if there is none.
    fn no_email(&self) -> Option<NoEmail> {
        let empty = self.from == "`GIT_AUTHOR_EMAIL`";
        self.email.is_none().then_some(if empty { NoEmail::Empty } else { NoEmail::Unset })
    }
}

/// git's order: the `GIT_AUTHOR_*` variables (a hook sees `--author` there),
/// then `author.*`, then `user.*`, then `EMAIL` for the address. A
/// `GIT_AUTHOR_EMAIL` that is set but empty (`--author 'Bob <>'`) is what git
/// records, an author with no e-mail: it ends the search, as it does for git.
fn identity(config: &git2::Config, env: &dyn Fn(&str) -> Option<String>) -> Identity {
    let name = env("GIT_AUTHOR_NAME")
        .or_else(|| config_value(config, "author.name"))
        .or_else(|| config_value(config, "user.name"))
        .filter(|n| !n.is_empty());
    if let Some(email) = env("GIT_AUTHOR_EMAIL") {
        return Identity { name, email: Some(email).filter(|e| !e.is_empty()), from: "`GIT_AUTHOR_EMAIL`" };
    }
    let (email, from) = None
        .or_else(|| Some((config_value(config, "author.email")?, "`git config author.email`")))
        .or_else(|| Some((config_value(config, "user.email")?, "`git config user.email`")))
        .or_else(|| Some((env("EMAIL").filter(|e| !e.is_empty())?, "`EMAIL`")))
        .unzip();
    Identity { name, email, from: from.unwrap_or_default() }
}

/// An environment variable, trimmed (empty when set but blank); `None` when
/// unset or not UTF-8.
fn env_value(key: &str) -> Option<String> {
    std::env::var(key).ok().map(|v| v.trim().to_owned())
}

/// A `git config` value, trimmed; `None` when unset or blank.
fn config_value(config: &git2::Config, key: &str) -> Option<String> {
    config.get_string(key).ok().map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

/// The author of the uncommitted changes: as written into the in-memory
/// commit (git needs an address there: a stand-in when none is set), as
/// the rules see it (no e-mail when none is set), and why it has none.
type Author = (git2::Signature<'static>, super::Signature, Option<NoEmail>);

fn author(git: &GitRepo) -> std::result::Result<Author, git2::Error> {
    let who = identity(&git.repo.config()?.snapshot()?, &env_value);
    let no_email = who.no_email();
    let Identity { name, email, .. } = who;
    let name = name.filter(|n| !n.contains(['<', '>']));
    let in_commit = git2::Signature::now(
        name.as_deref().unwrap_or("you"),
        email.as_deref().filter(|e| !e.contains(['<', '>'])).unwrap_or("unknown"),
    )?;
    let mut seen = super::Signature::of(&in_commit);
    if email.is_none() {
        seen.email.clear();
    }
    Ok((in_commit, seen, no_email))
}

/// Paths (relative to the work tree) under the compliance repository that
/// differ from HEAD, with how: changed, deleted, staged or untracked, not
/// ignored.
fn changed_paths(git: &GitRepo) -> Result<Vec<(String, git2::Status)>> {
    let mut opts = git2::StatusOptions::new();
    opts.include_untracked(true)
        .recurse_untracked_dirs(true)
        .include_ignored(false)
        .exclude_submodules(true)
        .renames_head_to_index(false)
        // The folder's name is a path, not a pattern (`comp[1]`, `*`).
        .disable_pathspec_match(true);
    if !git.prefix.is_empty() {
        opts.pathspec(git.prefix.trim_end_matches('/'));
    }
    let statuses = git
        .repo
        .statuses(Some(&mut opts))
        .map_err(|e| Error::git("cannot list the uncommitted changes", e))?;
    Ok(statuses
        .iter()
        .filter(|s| !s.status().is_ignored())
        .filter_map(|s| s.path().ok().map(|p| (p.to_owned(), s.status())))
        .filter(|(p, _)| p.starts_with(&git.prefix))
        .collect())
}

/// A working-tree file (`path` relative to the work tree, at `file`) as a
/// blob and its mode; `None` when it is gone, is neither a regular file nor
/// a link, or lies behind a link (a folder replaced by a link to a copy of
/// it: git does not follow the link, its files are gone). Only a data file's
/// content is stored; any other file is hashed in chunks and its blob named
/// but not stored (see the module's doc).
fn read_entry(
    git: &GitRepo,
    path: &str,
    file: &Path,
) -> std::result::Result<Option<(Oid, i32)>, git2::Error> {
    if behind_link(file, path) {
        return Ok(None);
    }
    let Ok(meta) = std::fs::symlink_metadata(file) else { return Ok(None) };
    if meta.file_type().is_symlink() {
        let Ok(target) = std::fs::read_link(file) else { return Ok(None) };
        return Ok(Some((blob(git, &link_bytes(&target))?, i32::from(FileMode::Link))));
    }
    if !meta.is_file() {
        return Ok(None);
    }
    let mode = i32::from(if executable(&meta) { FileMode::BlobExecutable } else { FileMode::Blob });
    let data = path.strip_prefix(&git.prefix).is_some_and(|p| layout::classify(p).is_data());
    if !data {
        return Ok(Oid::hash_file(git2::ObjectType::Blob, file).ok().map(|id| (id, mode)));
    }
    let Ok(bytes) = std::fs::read(file) else { return Ok(None) };
    Ok(Some((blob(git, &bytes)?, mode)))
}

/// Whether a folder on the way to `file` (at `path`, relative to the work
/// tree) is a link.
fn behind_link(file: &Path, path: &str) -> bool {
    let folders = Path::new(path).ancestors().skip(1).filter(|a| !a.as_os_str().is_empty()).count();
    file.ancestors()
        .skip(1)
        .take(folders)
        .any(|folder| std::fs::symlink_metadata(folder).is_ok_and(|m| m.file_type().is_symlink()))
}

/// The blob of `bytes`, written to the in-memory objects unless git has it
/// already: writing an object git has refreshes its file's time under
/// `.git/objects` (libgit2's "freshen"), and `check` changes nothing there.
fn blob(git: &GitRepo, bytes: &[u8]) -> std::result::Result<Oid, git2::Error> {
    let id = Oid::hash_object(git2::ObjectType::Blob, bytes)?;
    if git.repo.odb()?.exists(id) { Ok(id) } else { git.repo.blob(bytes) }
}

/// A link's target as git stores it: its bytes, not a lossy UTF-8 copy (a target `\xff`
/// would hash as one that reads `\u{FFFD}`).
#[cfg(unix)]
fn link_bytes(target: &Path) -> Vec<u8> {
    use std::os::unix::ffi::OsStrExt;
    target.as_os_str().as_bytes().to_vec()
}

#[cfg(not(unix))]
fn link_bytes(target: &Path) -> Vec<u8> {
    target.to_string_lossy().replace('\\', "/").into_bytes()
}

#[cfg(unix)]
fn executable(meta: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::PermissionsExt;
    meta.permissions().mode() & 0o111 != 0
}

#[cfg(not(unix))]
fn executable(_: &std::fs::Metadata) -> bool {
    false
}

#[cfg(test)]
mod tests {
    use super::{Identity, identity};
    use crate::history::testing::{git, one_action, write};

    /// A repository with one action and `files`, committed.
    fn committed(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        git(root, &["init", "-q", "-b", "main"]);
        one_action(root);
        for (rel, text) in files {
            write(root, rel, text);
        }
        git(root, &["add", "-A"]);
        git(root, &["commit", "-qm", "one"]);
        dir
    }

    /// The repository at `root` and its uncommitted changes.
    fn pending(root: &std::path::Path) -> (crate::history::GitRepo, super::Uncommitted) {
        let repo = crate::history::GitRepo::open(root).unwrap();
        let pending = super::uncommitted(&repo, &mut super::BlobCache::default()).unwrap();
        (repo, pending)
    }

    /// The uncommitted commit's tree is the one `git add -A` gives.
    fn assert_tree_is_gits(root: &std::path::Path) {
        let (repo, pending) = pending(root);
        let ours = pending.worktree.map(|c| repo.commit(c.id).unwrap().tree_id());
        git(root, &["add", "-A"]);
        let theirs = git2::Repository::open(root).unwrap().index().unwrap().write_tree().unwrap();
        assert_eq!(ours, Some(theirs));
    }

    /// The uncommitted commit names an evidence file's blob without storing
    /// it, and stores the data files the rules read.
    #[test]
    fn only_data_files_are_stored() {
        let dir = committed(&[]);
        let root = dir.path();
        write(root, "evidence/video.bin", "a large video");
        write(root, "actions/a.toml", "id = \"a\"\n");
        let (repo, pending) = pending(root);
        let commit = pending.worktree.unwrap();
        let tree = repo.tree_of(commit.id).unwrap().unwrap();
        let odb = repo.repo.odb().unwrap();
        let video = repo.blob_at(&tree, "evidence/video.bin").unwrap();
        assert_eq!(video, git2::Oid::hash_object(git2::ObjectType::Blob, b"a large video").unwrap());
        assert!(!odb.exists(video), "the evidence file's content was stored");
        assert!(odb.exists(repo.blob_at(&tree, "actions/a.toml").unwrap()));
    }

    /// A folder replaced by a link to a copy of it: git records the link and
    /// drops the folder's files, and so does the uncommitted commit (it once
    /// read the files through the link, and saw the folder unchanged).
    #[cfg(unix)]
    #[test]
    fn a_folder_replaced_by_a_link_is_gone() {
        let dir = committed(&[("checks/run.sh", "echo ok")]);
        let root = dir.path();
        std::fs::rename(root.join("checks"), root.join("tools")).unwrap();
        std::os::unix::fs::symlink("tools", root.join("checks")).unwrap();
        assert_tree_is_gits(root);
    }

    /// A file replaced by a link whose target is the file's content has the
    /// same blob id: it is gone all the same, as `git diff` says.
    #[cfg(unix)]
    #[test]
    fn a_file_replaced_by_a_link_with_its_content_is_gone() {
        let dir = committed(&[("checks/run.sh", "elsewhere/run.sh")]);
        let root = dir.path();
        std::fs::remove_file(root.join("checks/run.sh")).unwrap();
        std::os::unix::fs::symlink("elsewhere/run.sh", root.join("checks/run.sh")).unwrap();
        let files = pending(root).1.worktree.map(|c| c.files).unwrap_or_default();
        let changed: Vec<(&str, bool)> =
            files.iter().map(|f| (f.change.path.as_str(), f.change.new.is_some())).collect();
        assert_eq!(changed, [("checks/run.sh", false)]);
    }

    /// A link whose target is not UTF-8 is stored with its bytes, as git stores it (a lossy
    /// copy would make `\xff` and `\u{FFFD}` the same link).
    #[cfg(unix)]
    #[test]
    fn a_link_target_that_is_not_utf8_is_hashed_as_git_does() {
        use std::os::unix::ffi::OsStrExt;
        let dir = committed(&[]);
        let target = std::ffi::OsStr::from_bytes(b"evidence/\xff.pdf");
        std::os::unix::fs::symlink(target, dir.path().join("checks-link")).unwrap();
        assert_tree_is_gits(dir.path());
    }

    fn config(entries: &[(&str, &str)]) -> (tempfile::TempDir, git2::Config) {
        let dir = tempfile::tempdir().unwrap();
        let mut config = git2::Config::open(&dir.path().join("config")).unwrap();
        for (key, value) in entries {
            config.set_str(key, value).unwrap();
        }
        let snapshot = config.snapshot().unwrap();
        (dir, snapshot)
    }

    fn who(name: &str, email: &str, from: &'static str) -> Identity {
        Identity { name: Some(name.to_owned()), email: Some(email.to_owned()), from }
    }

    #[test]
    fn the_author_is_found_in_gits_order() {
        let user = [("user.name", "U"), ("user.email", "u@x")];
        let both = [("user.name", "U"), ("user.email", "u@x"), ("author.name", "A"), ("author.email", "a@x")];
        let none = |_: &str| None;
        let hook = |k: &str| match k {
            "GIT_AUTHOR_NAME" => Some("H".to_owned()),
            "GIT_AUTHOR_EMAIL" => Some("h@x".to_owned()),
            _ => None,
        };
        let mail = |k: &str| (k == "EMAIL").then(|| "e@x".to_owned());
        assert_eq!(identity(&config(&user).1, &none), who("U", "u@x", "`git config user.email`"));
        assert_eq!(identity(&config(&both).1, &none), who("A", "a@x", "`git config author.email`"));
        assert_eq!(identity(&config(&both).1, &hook), who("H", "h@x", "`GIT_AUTHOR_EMAIL`"));
        assert_eq!(identity(&config(&user).1, &mail), who("U", "u@x", "`git config user.email`"));
        let email_only = Identity { name: None, email: Some("e@x".to_owned()), from: "`EMAIL`" };
        assert_eq!(identity(&config(&[]).1, &mail), email_only);
        assert_eq!(identity(&config(&[]).1, &none), Identity::default());
        // `--author 'Bob <>'`: git exports an empty address and records it; not `user.email`.
        let blank = |k: &str| match k {
            "GIT_AUTHOR_NAME" => Some("Bob".to_owned()),
            "GIT_AUTHOR_EMAIL" | "EMAIL" => Some(String::new()),
            _ => None,
        };
        let no_email = Identity { name: Some("Bob".to_owned()), email: None, from: "`GIT_AUTHOR_EMAIL`" };
        assert_eq!(identity(&config(&user).1, &blank), no_email);
        // A blank `EMAIL` is skipped, as git skips it.
        let blank_mail = |k: &str| (k == "EMAIL").then(String::new);
        assert_eq!(identity(&config(&[]).1, &blank_mail), Identity::default());
    }
}
