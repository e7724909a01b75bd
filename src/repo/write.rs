//! Safe writes: every file is staged in a temporary file and the targets are
//! replaced in one pass of renames, keeping the originals until the end so
//! that a failure restores them; writes to the repository itself also go
//! through the journal and the write lock ([`super::journal`]). Unchanged
//! files are not touched, and no path may leave the repository.

use std::collections::HashSet;
use std::io::Write;
use std::path::{Component, Path, PathBuf};

use super::journal::{Journal, JournalEntry, StateDir, WriteLock};
use crate::error::{Error, Result};

/// What happened to one file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum WriteStatus {
    Created,
    Updated,
    Unchanged,
}

/// A set of files to write together. Nothing is written until every file has
/// been staged, so a failure part-way leaves the repository as it was.
#[derive(Debug)]
pub(crate) struct Changeset {
    files: Vec<(String, Vec<u8>)>,
    /// Where each path is in `files`, so that a bulk edit of many files
    /// does not search the list for every file it adds.
    index: std::collections::HashMap<String, usize>,
    durable: bool,
}

impl Default for Changeset {
    fn default() -> Self {
        Changeset { files: Vec::new(), index: std::collections::HashMap::new(), durable: true }
    }
}

impl Changeset {
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// Output that can be generated again (a report) need not be flushed to
    /// disk file by file; the user's own files always are.
    pub(crate) fn regenerable(mut self) -> Self {
        self.durable = false;
        self
    }

    /// Adds a file; a later entry for the same path replaces the earlier one
    /// (in its place).
    pub(crate) fn put(&mut self, rel: impl Into<String>, contents: impl Into<Vec<u8>>) {
        let rel = rel.into();
        match self.index.get(&rel) {
            Some(&i) => self.files[i].1 = contents.into(),
            None => {
                self.index.insert(rel.clone(), self.files.len());
                self.files.push((rel, contents.into()));
            }
        }
    }

    pub(crate) fn files(&self) -> impl Iterator<Item = (&str, &[u8])> {
        self.files.iter().map(|(p, c)| (p.as_str(), c.as_slice()))
    }

    /// What writing the set under `root` would do to each file, writing
    /// nothing (`--dry-run`); the same checks as a write, so a path that
    /// leaves `root` is refused here too.
    pub(crate) fn preview(&self, root: &Path) -> Result<Vec<(String, WriteStatus)>> {
        Ok(self.statuses(&self.targets(root, &mut HashSet::new())?))
    }

    /// Each file's target under `root` and what writing it would do, checked (a path that
    /// leaves `root`, a target that is not a regular file) before anything is written, so that
    /// a refusal leaves no folder behind. `inside` keeps the folders found inside `root`: a new
    /// file in one needs no second walk of every component (an import writes thousands of
    /// files into `actions/`).
    fn targets(&self, root: &Path, inside: &mut HashSet<PathBuf>) -> Result<Vec<(PathBuf, WriteStatus)>> {
        let target = |(rel, contents): &(String, Vec<u8>)| {
            let target = contained_in(root, rel, inside)?;
            let status = status_of(&target, contents)?;
            Ok((target, status))
        };
        self.files.iter().map(target).collect()
    }

    /// Each file's path with what writing it does, from its [`Self::targets`].
    fn statuses(&self, targets: &[(PathBuf, WriteStatus)]) -> Vec<(String, WriteStatus)> {
        self.files.iter().zip(targets).map(|((rel, _), (_, status))| (rel.clone(), *status)).collect()
    }

    /// Writes every file under `root`, returning what happened to each: for
    /// output that is not the repository (a report folder, schemas, a new
    /// repository). Each file is staged next to its target and the targets
    /// are replaced in one pass; if a replacement fails, the files already
    /// replaced are restored. There is no journal: a crash part-way can
    /// leave some files replaced (output like this can be written again).
    pub(crate) fn apply(&self, root: &Path) -> Result<Vec<(String, WriteStatus)>> {
        self.write(root, None)
    }

    /// Writes the repository's own files under its write lock, with the
    /// journal: either every file is replaced or, after a failure or a
    /// crash, none is (see [`super::journal`]).
    pub(crate) fn commit(&self, lock: &WriteLock) -> Result<Vec<(String, WriteStatus)>> {
        self.write(lock.root(), Some(lock.state()))
    }

    fn write(&self, root: &Path, state: Option<&StateDir>) -> Result<Vec<(String, WriteStatus)>> {
        let mut staged = Vec::new();
        let mut created_dirs = Vec::new();
        let mut backups = Cleanup::default();
        let mut inside: HashSet<PathBuf> = HashSet::new();
        let targets = self.targets(root, &mut inside)?;
        let statuses = self.statuses(&targets);
        for ((rel, contents), (target, status)) in self.files.iter().zip(targets) {
            if status == WriteStatus::Unchanged {
                continue;
            }
            let parent = target.parent().unwrap_or(root);
            let missing: Vec<PathBuf> =
                parent.ancestors().take_while(|d| !d.exists()).map(Path::to_path_buf).collect();
            if !missing.is_empty() {
                std::fs::create_dir_all(parent).map_err(|e| Error::io("create directory", parent, e))?;
                created_dirs.extend(missing.into_iter().rev());
                // Directories just created must still be inside the repository.
                inside.remove(parent);
                contained_in(root, rel, &mut inside)?;
            }
            let staging = state.map(StateDir::tmp_dir).unwrap_or_else(|| parent.to_path_buf());
            let mut builder = tempfile::Builder::new();
            builder.prefix(".evident-").suffix(".tmp");
            // Temporary files are private (0600); the result should not be.
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                let mode = std::fs::metadata(&target).map(|m| m.permissions().mode()).unwrap_or(0o644);
                builder.permissions(std::fs::Permissions::from_mode(mode));
            }
            let mut temp = builder
                .tempfile_in(&staging)
                .map_err(|e| Error::io("create a temporary file in", &staging, e))?;
            temp.write_all(contents).map_err(|e| Error::io("write", temp.path(), e))?;
            if self.durable {
                temp.as_file().sync_all().map_err(|e| Error::io("write", temp.path(), e))?;
            }
            // Keep the path, not the open file (removed if we fail): a bulk
            // edit stages thousands of files, more than a process may hold open.
            let temp = temp.into_temp_path();
            let backup = if status == WriteStatus::Updated {
                let backup = temp.with_extension("orig.tmp");
                keep_original(&target, &backup)?;
                backups.0.push(backup.clone());
                Some(backup)
            } else {
                None
            };
            staged.push((temp, target, backup));
        }
        if staged.is_empty() {
            return Ok(statuses);
        }
        if let Some(state) = state {
            super::journal::sync_dir(&state.tmp_dir());
        }
        let mut journal = Journal { entries: Vec::new(), created_dirs };
        let mut temps = Cleanup::default();
        for (temp, target, backup) in staged {
            let temp = temp.keep().map_err(|e| Error::io("keep", &e.path, e.error))?;
            temps.0.push(temp.clone());
            journal.entries.push(JournalEntry { target, temp, backup });
        }
        if let Some(state) = state {
            journal.save(state, root)?;
        }
        let faults = Faults::from_env();
        for (replaced, entry) in journal.entries.iter().enumerate() {
            let result =
                faults.before_replace(replaced).and_then(|_| std::fs::rename(&entry.temp, &entry.target));
            if let Err(e) = result {
                let err = Error::io("replace", &entry.target, e);
                return Err(match journal.roll_back() {
                    Ok(()) => {
                        if let Some(state) = state {
                            let _ = state.end_write();
                        }
                        err.hint(match replaced {
                            0 => "nothing was changed".to_owned(),
                            1 => "nothing was changed: the file already replaced was restored".to_owned(),
                            n => format!("nothing was changed: the {n} files already replaced were restored"),
                        })
                    }
                    Err(r) => {
                        // Keep every backup and the journal for the next run.
                        std::mem::take(&mut backups.0);
                        std::mem::take(&mut temps.0);
                        err.hint(format!(
                            "restoring the files already replaced failed too ({}); the next evident command retries",
                            r.message
                        ))
                    }
                });
            }
        }
        if self.durable {
            let parents: std::collections::BTreeSet<&Path> =
                journal.entries.iter().filter_map(|e| e.target.parent()).collect();
            parents.into_iter().for_each(super::journal::sync_dir);
        }
        temps.0.clear();
        if let Some(state) = state {
            let path = state.journal_path();
            if let Err(e) = state.end_write() {
                // The journal stays, so the backups must too: the next run
                // rolls the whole write back.
                std::mem::take(&mut backups.0);
                return Err(Error::io("remove", &path, e)
                    .hint("the next evident command undoes this write; then run it again"));
            }
            super::journal::sync_dir(&state.dir);
        }
        drop(backups);
        Ok(statuses)
    }
}

/// Keeps the file about to be replaced: a hard link (the original stays in
/// place until the rename), or a copy where links are not supported.
fn keep_original(target: &Path, backup: &Path) -> Result<()> {
    std::fs::hard_link(target, backup)
        .or_else(|_| std::fs::copy(target, backup).map(|_| ()))
        .map_err(|e| Error::io("keep a copy of", target, e))
}

/// Files removed when dropped (unless the list was emptied).
#[derive(Default)]
struct Cleanup(Vec<PathBuf>);

impl Drop for Cleanup {
    fn drop(&mut self) {
        for path in &self.0 {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// Fault injection for the test suite, read from the environment:
/// `EVIDENT_TEST_FAIL_AFTER_REPLACES=N` makes replacement N+1 fail, and
/// `EVIDENT_TEST_CRASH_AFTER_REPLACES=N` aborts the process after N
/// replacements. Test hooks only; nothing else reads these variables.
struct Faults {
    fail_after: Option<usize>,
    crash_after: Option<usize>,
}

impl Faults {
    fn from_env() -> Faults {
        let var = |name| std::env::var(name).ok().and_then(|v| v.parse().ok());
        Faults {
            fail_after: var("EVIDENT_TEST_FAIL_AFTER_REPLACES"),
            crash_after: var("EVIDENT_TEST_CRASH_AFTER_REPLACES"),
        }
    }

    fn before_replace(&self, replaced: usize) -> std::io::Result<()> {
        if self.crash_after == Some(replaced) {
            std::process::abort();
        }
        if self.fail_after == Some(replaced) {
            return Err(std::io::Error::other("injected failure (EVIDENT_TEST_FAIL_AFTER_REPLACES)"));
        }
        Ok(())
    }
}

/// Replaces one file outside the repository's own files (an export's
/// `--out FILE`): staged next to it, flushed to disk and renamed into place,
/// so a reader never sees half a file and a failure leaves the old one.
/// A device or a pipe (`--out /dev/stdout`) is written to, not replaced; a
/// directory is refused.
pub(crate) fn replace_file(path: &Path, bytes: &[u8]) -> Result<()> {
    if path.is_dir() {
        return Err(Error::new(format!("`{}` is a directory", path.display()))
            .hint("give the path of a file, not a directory"));
    }
    if std::fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir()) {
        let mut file =
            std::fs::OpenOptions::new().write(true).open(path).map_err(|e| Error::io("open", path, e))?;
        return file.write_all(bytes).and_then(|_| file.flush()).map_err(|e| Error::io("write", path, e));
    }
    // No export writes TOML: an existing `.toml` is the repository's own data (evident.toml,
    // an action, a template, a state) named by mistake.
    if path.is_file() && path.extension().is_some_and(|e| e.eq_ignore_ascii_case("toml")) {
        return Err(Error::new(format!(
            "refusing to replace `{}`: it is a TOML file, not an export",
            path.display()
        ))
        .hint("give the export a file name of its own (`--out soa.csv`)"));
    }
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    // Git's own files (`--out .git/config`) are never an export's; the folders are resolved
    // as far as they exist (a link may lead into `.git`).
    let in_git = |p: &Path| p.components().any(|c| c.as_os_str() == ".git");
    let existing = parent.ancestors().find(|p| p.exists()).unwrap_or(Path::new("."));
    if in_git(path) || std::fs::canonicalize(existing).is_ok_and(|p| in_git(&p)) {
        return Err(Error::new(format!(
            "refusing to write `{}`: it is inside a `.git` folder",
            path.display()
        ))
        .hint("give the export a path outside `.git`"));
    }
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return Err(Error::new(format!("cannot write `{}`: give a file name in UTF-8", path.display())));
    };
    // A missing folder is created, as `report --out` does.
    if !parent.is_dir() {
        std::fs::create_dir_all(parent).map_err(|e| {
            Error::new(format!(
                "cannot create the folder `{}` for `{}`: {e}",
                parent.display(),
                path.display()
            ))
            .hint("give a path in a folder that exists or can be created")
        })?;
    }
    let mut set = Changeset::new();
    set.put(name, bytes);
    set.apply(parent).map(|_| ())
}

/// The bytes of a file that is about to be replaced or compared: a regular file's only. Anything
/// else is an error (a FIFO would block the read until a writer comes, a device never end).
pub(crate) fn read_regular(path: &Path) -> std::io::Result<Vec<u8>> {
    if !std::fs::metadata(path)?.is_file() {
        return Err(std::io::Error::new(std::io::ErrorKind::InvalidInput, "not a regular file"));
    }
    std::fs::read(path)
}

/// Whether writing `contents` to `target` creates, updates or leaves it.
fn status_of(target: &Path, contents: &[u8]) -> Result<WriteStatus> {
    match read_regular(target) {
        Ok(existing) if existing == contents => Ok(WriteStatus::Unchanged),
        Ok(_) => Ok(WriteStatus::Updated),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(WriteStatus::Created),
        Err(e) => Err(Error::io("read", target, e)),
    }
}

/// [`contained_path`], remembering the folders found inside the repository: a
/// file that does not exist yet, in a folder already resolved, is inside too.
fn contained_in(root: &Path, rel: &str, inside: &mut HashSet<PathBuf>) -> Result<PathBuf> {
    let target = root.join(rel);
    let absent = matches!(target.symlink_metadata(), Err(e) if e.kind() == std::io::ErrorKind::NotFound);
    let parent = target.parent().map(Path::to_path_buf);
    if absent && parent.as_ref().is_some_and(|p| inside.contains(p)) && lexically_inside(rel) {
        return Ok(target);
    }
    let target = contained_path(root, rel)?;
    // Only an absent file's check resolved its folder itself (an existing file is resolved
    // through whatever it links to).
    if let Some(parent) = parent.filter(|p| absent && p.is_dir()) {
        inside.insert(parent);
    }
    Ok(target)
}

/// A relative path of normal components only: no root, no `..`.
fn lexically_inside(rel: &str) -> bool {
    let rel_path = Path::new(rel);
    !rel.is_empty()
        && !rel_path.is_absolute()
        && rel_path.components().all(|c| matches!(c, Component::Normal(_) | Component::CurDir))
}

/// Joins `rel` to `root`, refusing anything that could leave the repository:
/// absolute paths, `..`, and symbolic links along the way that point outside.
pub fn contained_path(root: &Path, rel: &str) -> Result<PathBuf> {
    let rel_path = Path::new(rel);
    if !lexically_inside(rel) {
        return Err(Error::new(format!("refusing to write `{rel}`: the path leaves the repository")));
    }
    let root_real = super::absolute(root);
    // The deepest existing ancestor decides where the path really goes.
    let target = root.join(rel_path);
    let mut existing = target.as_path();
    while !existing.exists() && existing.symlink_metadata().is_err() {
        match existing.parent() {
            Some(p) => existing = p,
            None => break,
        }
    }
    let real = super::absolute(existing);
    if !real.starts_with(&root_real) {
        return Err(Error::new(format!(
            "refusing to write `{rel}`: it resolves to `{}`, outside the repository",
            real.display()
        )));
    }
    Ok(target)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_atomically_and_skips_unchanged() {
        let dir = tempfile::tempdir().unwrap();
        let mut set = Changeset::new();
        set.put("a/b.toml", "x = 1\n");
        assert_eq!(set.apply(dir.path()).unwrap(), vec![("a/b.toml".to_owned(), WriteStatus::Created)]);
        assert_eq!(set.apply(dir.path()).unwrap()[0].1, WriteStatus::Unchanged);
        set.put("a/b.toml", "x = 2\n");
        assert_eq!(set.apply(dir.path()).unwrap()[0].1, WriteStatus::Updated);
        assert_eq!(std::fs::read_to_string(dir.path().join("a/b.toml")).unwrap(), "x = 2\n");
        let leftovers: Vec<_> = std::fs::read_dir(dir.path().join("a")).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "no temporary files left behind");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join("a/b.toml")).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o644);
        }
    }

    #[test]
    fn refuses_paths_outside() {
        let dir = tempfile::tempdir().unwrap();
        for bad in ["../x", "/etc/passwd", "a/../../x", ""] {
            assert!(contained_path(dir.path(), bad).is_err(), "{bad}");
        }
        #[cfg(unix)]
        {
            let outside = tempfile::tempdir().unwrap();
            std::os::unix::fs::symlink(outside.path(), dir.path().join("link")).unwrap();
            assert!(contained_path(dir.path(), "link/x.toml").is_err());
        }
    }

    /// One write resolves a folder once; the folders it remembers never let a
    /// later file out: not through a linked folder beside them, nor through a
    /// link planted where a file of a resolved folder goes.
    #[cfg(unix)]
    #[test]
    fn folders_resolved_once_still_keep_every_file_inside() {
        let dir = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("actions")).unwrap();
        std::os::unix::fs::symlink(outside.path(), dir.path().join("link")).unwrap();
        std::os::unix::fs::symlink(outside.path().join("b.toml"), dir.path().join("actions/b.toml")).unwrap();
        let mut inside = HashSet::new();
        assert!(contained_in(dir.path(), "actions/a.toml", &mut inside).is_ok());
        assert!(inside.contains(&dir.path().join("actions")));
        assert!(contained_in(dir.path(), "actions/c.toml", &mut inside).is_ok());
        assert!(contained_in(dir.path(), "link/x.toml", &mut inside).is_err(), "a linked folder");
        assert!(contained_in(dir.path(), "actions/../../x", &mut inside).is_err(), "`..`");
        // A dangling link is replaced by the file (a rename does not follow it).
        let mut set = Changeset::new();
        set.put("actions/a.toml", "a");
        set.put("actions/b.toml", "b");
        set.apply(dir.path()).unwrap();
        assert!(!outside.path().join("b.toml").exists(), "nothing written outside");
        assert!(std::fs::symlink_metadata(dir.path().join("actions/b.toml")).unwrap().is_file());
        let mut set = Changeset::new();
        set.put("link/x.toml", "x");
        assert!(set.apply(dir.path()).is_err());
        assert!(!outside.path().join("x.toml").exists(), "nothing written outside");
    }
}
