//! The uncommitted changes as a commit on top of HEAD, so that `evident check`
//! judges them by the history rules before they are committed.
//!
//! The commit is what `git commit -a` would record, plus the untracked files
//! (a state file `evident set` just created is untracked until `git add`):
//! the working tree of the compliance repository, ignored files left out.
//! Its author is the e-mail `git config user.email` gives, read from the
//! repository's git configuration (with the user's and the system's), never
//! from the environment; when it is not set the author is left empty and the
//! diagnostics say so. Its objects are written to an in-memory object
//! database: nothing is written under `.git/` and no reference moves.

use std::path::Path;

use git2::build::TreeUpdateBuilder;
use git2::{FileMode, Oid};

use super::GitRepo;
use super::events::{BlobCache, CommitChanges, split};
use crate::error::{Error, Result};
use crate::repo::layout;

/// The uncommitted changes of the compliance repository as a commit whose
/// parent is HEAD; `None` when there are none, before the first commit, or
/// when HEAD does not hold the compliance repository.
pub(crate) fn uncommitted(git: &GitRepo, cache: &mut BlobCache) -> Result<Option<CommitChanges>> {
    let Some(head) = git.head()? else { return Ok(None) };
    let Some(head_tree) = git.tree_of(head)? else { return Ok(None) };
    if head_tree.get_name(layout::CONFIG_FILE).is_none() {
        return Ok(None);
    }
    let paths = changed_paths(git)?;
    if paths.is_empty() {
        return Ok(None);
    }
    let fail = |e: git2::Error| Error::git("cannot judge the uncommitted changes", e);
    // Everything written from here on stays in memory.
    let odb = git.repo.odb().map_err(fail)?;
    odb.add_new_mempack_backend(1000).map_err(fail)?;
    let parent = git.commit(head)?;
    let full = git.repo.find_tree(parent.tree_id()).map_err(fail)?;
    let Some(workdir) = git.repo.workdir() else { return Ok(None) };
    let mut update = TreeUpdateBuilder::new();
    for path in &paths {
        match read_entry(git, &workdir.join(path)).map_err(fail)? {
            Some((blob, mode)) => update.upsert(path.as_str(), blob, mode),
            None if full.get_path(Path::new(path)).is_ok() => update.remove(path.as_str()),
            None => &mut update,
        };
    }
    let tree_id = update.create_updated(&git.repo, &full).map_err(fail)?;
    if tree_id == full.id() {
        return Ok(None);
    }
    let tree = git.repo.find_tree(tree_id).map_err(fail)?;
    let author = author(git).map_err(fail)?;
    let id =
        git.repo.commit(None, &author, &author, "uncommitted changes", &tree, &[&parent]).map_err(fail)?;
    let mut author = super::Signature::of(&author);
    // git needs an address in the commit object; the rules see none.
    if user_email(&git.repo).is_none() {
        author.email.clear();
    }
    let before = git.tree_of(head)?;
    let after = git.tree_of(id)?;
    let changed = git.changes(before.as_ref(), after.as_ref());
    let config_before =
        before.as_ref().and_then(|t| git.blob_at(t, layout::CONFIG_FILE)).and_then(|b| cache.config(git, b));
    let (states, files) = split(git, cache, id, &author, changed);
    Ok(Some(CommitChanges {
        id,
        author,
        summary: "uncommitted changes".to_owned(),
        first_parent: Some(head),
        states,
        files,
        config_before,
        uncommitted: true,
    }))
}

/// The e-mail address `git config user.email` gives, if set.
pub(crate) fn user_email(repo: &git2::Repository) -> Option<String> {
    let mut config = repo.config().ok()?;
    let config = config.snapshot().ok()?;
    config.get_string("user.email").ok().map(|e| e.trim().to_owned()).filter(|e| !e.is_empty())
}

/// The author of the uncommitted changes: `user.name` and `user.email` of the
/// git configuration (with a stand-in e-mail when it is not set).
fn author(git: &GitRepo) -> std::result::Result<git2::Signature<'static>, git2::Error> {
    let email = user_email(&git.repo).unwrap_or_default();
    let name = git
        .repo
        .config()
        .and_then(|mut c| c.snapshot())
        .and_then(|c| c.get_string("user.name"))
        .ok()
        .map(|n| n.trim().to_owned())
        .filter(|n| !n.is_empty() && !n.contains(['<', '>']))
        .unwrap_or_else(|| "you".to_owned());
    let email = if email.is_empty() || email.contains(['<', '>']) { "unknown".to_owned() } else { email };
    git2::Signature::now(&name, &email)
}

/// Paths (relative to the work tree) under the compliance repository that
/// differ from HEAD: changed, deleted, staged or untracked, not ignored.
fn changed_paths(git: &GitRepo) -> Result<Vec<String>> {
    let mut opts = git2::StatusOptions::new();
    opts.include_untracked(true)
        .recurse_untracked_dirs(true)
        .include_ignored(false)
        .exclude_submodules(true)
        .renames_head_to_index(false);
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
        .filter_map(|s| s.path().ok().map(str::to_owned))
        .filter(|p| p.starts_with(&git.prefix))
        .collect())
}

/// A working-tree file as a blob and its mode; `None` when it is gone or
/// is neither a regular file nor a link.
fn read_entry(git: &GitRepo, path: &Path) -> std::result::Result<Option<(Oid, FileMode)>, git2::Error> {
    let Ok(meta) = std::fs::symlink_metadata(path) else { return Ok(None) };
    if meta.file_type().is_symlink() {
        let Ok(target) = std::fs::read_link(path) else { return Ok(None) };
        let target = target.to_string_lossy().into_owned();
        return Ok(Some((git.repo.blob(target.as_bytes())?, FileMode::Link)));
    }
    if !meta.is_file() {
        return Ok(None);
    }
    let Ok(bytes) = std::fs::read(path) else { return Ok(None) };
    Ok(Some((
        git.repo.blob(&bytes)?,
        if executable(&meta) { FileMode::BlobExecutable } else { FileMode::Blob },
    )))
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
