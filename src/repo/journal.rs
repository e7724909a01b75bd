//! The repository's write lock and write journal.
//!
//! Both live in the repository's state folder: `.git/evident/` when the
//! repository is in git (the git directory of the work tree, so each
//! `git worktree` has its own), else `.evident/local/`, which ignores itself
//! with its own `.gitignore`. The folder holds:
//!
//! - `lock`: an advisory lock (`flock`) every writing command holds from
//!   before it reads the repository until it has written. The system drops it
//!   when the process ends, however it ends, so it never goes stale.
//! - `journal`: written (and flushed to disk) once every new file is staged,
//!   before the first file is replaced; removed when the last one is. A
//!   journal found by a later run means a write was interrupted: that run
//!   undoes it (see [`recover`]) before it reads anything.
//! - `tmp/`: the staged files and the backups of the files they replace, on
//!   the repository's file system so that each replacement is one rename.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use fs4::fs_std::FileExt;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// How long a writer waits for another one, unless `EVIDENT_LOCK_TIMEOUT`
/// (seconds) says otherwise.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// How often a waiting writer tries the lock: it goes on within a few
/// milliseconds of the release.
const POLL: Duration = Duration::from_millis(2);
pub const TIMEOUT_VAR: &str = "EVIDENT_LOCK_TIMEOUT";

/// The state folder of the repository at `root`.
#[derive(Clone, Debug)]
pub struct StateDir {
    pub dir: PathBuf,
    /// Outside git the folder is in the work tree and must ignore itself.
    in_work_tree: bool,
}

/// The folder under the repository that holds the state outside git.
pub const LOCAL_STATE_DIR: &str = ".evident/local";

impl StateDir {
    pub fn of(root: &Path) -> StateDir {
        match git_dir(root) {
            Some(git) => StateDir { dir: git.join("evident"), in_work_tree: false },
            None => StateDir { dir: root.join(LOCAL_STATE_DIR), in_work_tree: true },
        }
    }

    pub fn lock_path(&self) -> PathBuf {
        self.dir.join("lock")
    }

    pub fn journal_path(&self) -> PathBuf {
        self.dir.join("journal")
    }

    pub fn tmp_dir(&self) -> PathBuf {
        self.dir.join("tmp")
    }

    fn create(&self) -> Result<()> {
        let tmp = self.tmp_dir();
        fs::create_dir_all(&tmp).map_err(|e| cannot_write(&self.dir, e))?;
        if self.in_work_tree {
            let ignore = self.dir.join(".gitignore");
            if !ignore.exists() {
                fs::write(&ignore, "# evident's lock, journal and temporary files\n*\n")
                    .map_err(|e| cannot_write(&ignore, e))?;
            }
        }
        Ok(())
    }
}

fn cannot_write(path: &Path, e: std::io::Error) -> Error {
    Error::new(format!("could not write evident's state folder `{}`: {e}", path.display()))
        .hint("evident needs write access there to lock the repository and to finish interrupted writes")
}

/// The git directory of the work tree holding `root`, found as git finds it:
/// the nearest `.git` folder, or a `.git` file (`gitdir: …`) as in linked
/// work trees and submodules. No git library is needed for this.
pub fn git_dir(root: &Path) -> Option<PathBuf> {
    for dir in root.ancestors() {
        let dotgit = dir.join(".git");
        let Ok(meta) = fs::metadata(&dotgit) else { continue };
        if meta.is_dir() {
            return Some(dotgit);
        }
        if meta.is_file() {
            let text = fs::read_to_string(&dotgit).ok()?;
            let target = text.lines().find_map(|l| l.strip_prefix("gitdir:"))?.trim();
            return Some(dir.join(target));
        }
    }
    None
}

/// The repository's write lock, held until dropped.
#[derive(Debug)]
pub struct WriteLock {
    root: PathBuf,
    state: StateDir,
    _file: File,
}

impl WriteLock {
    /// Waits for the lock (up to `EVIDENT_LOCK_TIMEOUT` seconds, 30 by
    /// default), then finishes any interrupted write and removes stray
    /// temporary files, so that the caller reads a whole repository.
    pub fn acquire(root: &Path) -> Result<WriteLock> {
        let state = StateDir::of(root);
        let file = lock_file(&state)?;
        let timeout = timeout();
        let start = Instant::now();
        loop {
            match FileExt::try_lock_exclusive(&file) {
                Ok(true) => break,
                Ok(false) if start.elapsed() < timeout => std::thread::sleep(POLL),
                Ok(false) => {
                    return Err(Error::new(format!(
                        "another evident process holds the write lock `{}`; gave up after {}",
                        state.lock_path().display(),
                        seconds(timeout)
                    ))
                    .hint(format!(
                        "wait for the other command to finish, or wait longer with {TIMEOUT_VAR}=SECONDS"
                    )));
                }
                Err(e) => return Err(Error::io("lock", &state.lock_path(), e)),
            }
        }
        let lock = WriteLock { root: root.to_path_buf(), state, _file: file };
        lock.recover()?;
        clear_dir(&lock.state.tmp_dir());
        Ok(lock)
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn state(&self) -> &StateDir {
        &self.state
    }

    fn recover(&self) -> Result<()> {
        let path = self.state.journal_path();
        let _ = fs::remove_file(self.state.dir.join("journal.new"));
        let text = match fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(Error::io("read", &path, e)),
        };
        let journal: Journal = serde_json::from_str(&text).map_err(|e| {
            Error::new(format!("the write journal `{}` is damaged: {e}", path.display()))
                .hint("an evident write was interrupted; check `git status`, then remove the journal by hand")
        })?;
        journal.roll_back()?;
        fs::remove_file(&path).map_err(|e| Error::io("remove", &path, e))?;
        sync_dir(&self.state.dir);
        Ok(())
    }
}

fn lock_file(state: &StateDir) -> Result<File> {
    state.create()?;
    let path = state.lock_path();
    OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(|e| cannot_write(&path, e))
}

fn timeout() -> Duration {
    std::env::var(TIMEOUT_VAR)
        .ok()
        .and_then(|v| v.trim().parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s >= 0.0)
        .map(Duration::from_secs_f64)
        .unwrap_or(DEFAULT_TIMEOUT)
}

fn seconds(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s == 1.0 { "1 second".into() } else { format!("{s} seconds") }
}

/// Before any command reads the repository: if a write was interrupted,
/// undo it (under the lock); stray temporary files are removed when no
/// writer is at work. Costs a few `stat` calls when there is nothing to do.
/// A command that cannot write there says so and stops.
pub fn recover(root: &Path) -> Result<()> {
    let state = StateDir::of(root);
    if state.journal_path().exists() {
        WriteLock::acquire(root).map_err(|e| {
            Error::new(format!(
                "an interrupted evident write must be undone before the repository is read, and it could not be: {}",
                e.message
            ))
            .hint("run evident where it can write the repository (or wait for the other process)")
        })?;
        return Ok(());
    }
    let tmp = state.tmp_dir();
    let has_strays = fs::read_dir(&tmp).is_ok_and(|mut d| d.next().is_some());
    if has_strays
        && let Ok(file) = lock_file(&state)
        && FileExt::try_lock_exclusive(&file).unwrap_or(false)
        && !state.journal_path().exists()
    {
        clear_dir(&tmp);
    }
    Ok(())
}

fn clear_dir(dir: &Path) {
    if let Ok(entries) = fs::read_dir(dir) {
        for entry in entries.flatten() {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// Flushes a folder's entries (renames, new files) to disk. Best effort:
/// not every system can open a folder.
pub fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(f) = File::open(dir) {
        let _ = f.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

/// The record of a write in progress.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Journal {
    pub entries: Vec<JournalEntry>,
    /// Folders the write created, parents first.
    pub created_dirs: Vec<PathBuf>,
}

/// One file of a write: its staged contents (`temp`, in `tmp/`) go to
/// `target`; `backup` (in `tmp/`) is a hard link to the file it replaces, or
/// `None` when the file is new.
#[derive(Debug, Serialize, Deserialize)]
pub struct JournalEntry {
    pub target: PathBuf,
    pub temp: PathBuf,
    pub backup: Option<PathBuf>,
}

impl Journal {
    /// Writes the journal to disk, durably, before any target is touched.
    pub fn save(&self, state: &StateDir) -> Result<()> {
        let new = state.dir.join("journal.new");
        let text = serde_json::to_string(self)
            .map_err(|e| Error::new(format!("could not record the write in the journal: {e}")))?;
        let mut file = File::create(&new).map_err(|e| Error::io("write", &new, e))?;
        file.write_all(text.as_bytes())
            .and_then(|_| file.sync_all())
            .map_err(|e| Error::io("write", &new, e))?;
        let path = state.journal_path();
        fs::rename(&new, &path).map_err(|e| Error::io("write", &path, e))?;
        sync_dir(&state.dir);
        Ok(())
    }

    /// Puts every target back as it was. Safe to repeat: each step checks
    /// what is on disk, so a recovery that is itself interrupted is finished
    /// by the next one.
    pub fn roll_back(&self) -> Result<()> {
        for entry in self.entries.iter().rev() {
            if entry.temp.exists() {
                // Never moved into place: the target is untouched.
                let _ = fs::remove_file(&entry.temp);
                if let Some(backup) = &entry.backup {
                    let _ = fs::remove_file(backup);
                }
                continue;
            }
            match &entry.backup {
                Some(backup) if backup.exists() => {
                    fs::rename(backup, &entry.target).map_err(|e| Error::io("restore", &entry.target, e))?;
                }
                Some(_) => {} // restored by an earlier recovery
                // A new file: remove it.
                None => match fs::remove_file(&entry.target) {
                    Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                        return Err(Error::io("remove", &entry.target, e));
                    }
                    _ => {}
                },
            }
        }
        for dir in self.created_dirs.iter().rev() {
            let _ = fs::remove_dir(dir);
        }
        for entry in &self.entries {
            if let Some(parent) = entry.target.parent() {
                sync_dir(parent);
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_git_dir_of_a_linked_work_tree() {
        let dir = tempfile::tempdir().unwrap();
        let main_git = dir.path().join("main/.git");
        fs::create_dir_all(main_git.join("worktrees/wt")).unwrap();
        fs::create_dir_all(dir.path().join("wt/sub")).unwrap();
        fs::write(dir.path().join("wt/.git"), "gitdir: ../main/.git/worktrees/wt\n").unwrap();
        let found = git_dir(&dir.path().join("wt/sub")).unwrap();
        assert_eq!(found, dir.path().join("wt").join("../main/.git/worktrees/wt"));
        assert_eq!(git_dir(&dir.path().join("main")).unwrap(), main_git);
    }

    #[test]
    fn outside_git_the_state_ignores_itself() {
        let dir = tempfile::tempdir().unwrap();
        if git_dir(dir.path()).is_some() {
            return; // the temporary folder is inside a git work tree
        }
        let lock = WriteLock::acquire(dir.path()).unwrap();
        assert_eq!(lock.state().dir, dir.path().join(LOCAL_STATE_DIR));
        let ignore = fs::read_to_string(dir.path().join(LOCAL_STATE_DIR).join(".gitignore")).unwrap();
        assert!(ignore.lines().any(|l| l == "*"));
    }
}
