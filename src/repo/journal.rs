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
pub(crate) const TIMEOUT_VAR: &str = "EVIDENT_LOCK_TIMEOUT";

/// The state folder of the repository at `root`.
#[derive(Clone, Debug)]
pub(crate) struct StateDir {
    pub dir: PathBuf,
    /// Outside git the folder is in the work tree and must ignore itself.
    in_work_tree: bool,
}

/// The folder under the repository that holds the state outside git.
pub(crate) const LOCAL_STATE_DIR: &str = ".evident/local";

impl StateDir {
    pub(crate) fn of(root: &Path) -> StateDir {
        match git_dir(root) {
            Some(git) => StateDir { dir: git.join("evident"), in_work_tree: false },
            None => StateDir { dir: root.join(LOCAL_STATE_DIR), in_work_tree: true },
        }
    }

    pub(crate) fn lock_path(&self) -> PathBuf {
        self.dir.join("lock")
    }

    pub(crate) fn journal_path(&self) -> PathBuf {
        self.dir.join("journal")
    }

    pub(crate) fn tmp_dir(&self) -> PathBuf {
        self.dir.join("tmp")
    }

    fn generation_path(&self) -> PathBuf {
        self.dir.join("generation")
    }

    /// Ends a write that replaced files (or put them back): marks the
    /// repository as changed for readers that were reading meanwhile (see
    /// [`read_whole`]), then removes the journal, the commit point.
    pub(crate) fn end_write(&self) -> std::io::Result<()> {
        let stamp = format!(
            "{} {}\n",
            std::process::id(),
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_nanos()
        );
        // A new file renamed into place: never written through a link.
        if let Ok(mut temp) =
            tempfile::Builder::new().prefix(".evident-").suffix(".tmp").tempfile_in(&self.dir)
            && temp.write_all(stamp.as_bytes()).is_ok()
        {
            let _ = temp.persist(self.generation_path());
        }
        fs::remove_file(self.journal_path())
    }

    fn create(&self) -> Result<()> {
        self.check()?;
        let tmp = self.tmp_dir();
        fs::create_dir_all(&tmp).map_err(|e| cannot_write(&self.dir, e))?;
        self.check()?;
        if self.in_work_tree {
            let ignore = self.dir.join(".gitignore");
            // `create_new` never follows a link planted in the folder.
            match OpenOptions::new().write(true).create_new(true).open(&ignore) {
                Ok(mut file) => file
                    .write_all(b"# evident's lock, journal and temporary files\n*\n")
                    .map_err(|e| cannot_write(&ignore, e))?,
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
                Err(e) => return Err(cannot_write(&ignore, e)),
            }
        }
        Ok(())
    }

    /// Refuses a state folder evident did not make: a symbolic link (or a
    /// file) where its folders or files belong would send the lock, the
    /// backups, the journal or the clean-up of `tmp/` somewhere else (a
    /// repository unpacked from an archive can hold anything there).
    pub(crate) fn check(&self) -> Result<()> {
        let mut dirs = vec![self.dir.clone(), self.tmp_dir()];
        if self.in_work_tree
            && let Some(parent) = self.dir.parent()
        {
            dirs.insert(0, parent.to_path_buf());
        }
        let files = [
            self.lock_path(),
            self.journal_path(),
            self.dir.join("journal.new"),
            self.dir.join(".gitignore"),
        ];
        let wanted = dirs.iter().map(|d| (d, true)).chain(files.iter().map(|f| (f, false)));
        for (path, folder) in wanted {
            let Ok(meta) = fs::symlink_metadata(path) else { continue };
            let ok = if folder { meta.file_type().is_dir() } else { meta.file_type().is_file() };
            if !ok {
                let kind =
                    if meta.file_type().is_symlink() { "a symbolic link" } else { "not what evident made" };
                let what = if folder { "folder" } else { "file" };
                return Err(Error::new(format!(
                    "evident's state {what} `{}` is {kind}; refusing to use it",
                    path.display()
                ))
                .hint(format!(
                    "evident keeps its lock, journal and temporary files in `{}` and never follows links there; \
                     remove `{}` (evident makes it again)",
                    self.dir.display(),
                    path.display()
                )));
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
/// work trees and submodules. No git library is needed for this. Like git,
/// it takes a `.git` file's target only when that is a git directory (it has
/// a `HEAD`): a `.git` file unpacked from an archive could otherwise send the
/// state folder, and the folders made for it, anywhere on the machine.
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
            let git = dir.join(target);
            return git.join("HEAD").is_file().then_some(git);
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
    /// Waits for the lock only.
    fn wait(root: &Path) -> Result<WriteLock> {
        let state = StateDir::of(root);
        let timeout = timeout()?;
        let file = lock_file(&state)?;
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
        Ok(WriteLock { root: root.to_path_buf(), state, _file: file })
    }

    /// Waits for the lock (up to `EVIDENT_LOCK_TIMEOUT` seconds, 30 by
    /// default), then finishes any interrupted write and removes stray
    /// temporary files, so that the caller reads a whole repository.
    pub fn acquire(root: &Path) -> Result<WriteLock> {
        let lock = WriteLock::wait(root)?;
        lock.recover()?;
        clear_dir(&lock.state.tmp_dir());
        Ok(lock)
    }

    pub(crate) fn root(&self) -> &Path {
        &self.root
    }

    pub(crate) fn state(&self) -> &StateDir {
        &self.state
    }

    /// Undoes the write the journal records, if there is one. Every entry is
    /// checked first; a journal that could send a rename or a removal
    /// anywhere but into the repository and the state folder is refused
    /// whole, before anything is touched.
    fn recover(&self) -> Result<()> {
        let path = self.state.journal_path();
        let _ = fs::remove_file(self.state.dir.join("journal.new"));
        let text = match fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(Error::io("read", &path, e)),
        };
        let journal = Journal::parse(&text, &self.root, &self.state).map_err(|reason| {
            Error::new(format!(
                "the write journal `{}` is not one evident could have written ({reason}); nothing was touched",
                path.display()
            ))
            .hint(format!(
                "if an evident write was interrupted here, check the files with `git status`; then remove the journal and `{}`",
                self.state.tmp_dir().display()
            ))
        })?;
        journal.roll_back()?;
        self.state.end_write().map_err(|e| Error::io("remove", &path, e))?;
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

/// The longest a writer waits: `EVIDENT_LOCK_TIMEOUT` seconds (a number,
/// `0.5` or `inf` too), or 30 when it is unset or empty.
fn timeout() -> Result<Duration> {
    let Some(value) = std::env::var_os(TIMEOUT_VAR) else { return Ok(DEFAULT_TIMEOUT) };
    let text = value.to_string_lossy();
    let text = text.trim();
    if text.is_empty() {
        return Ok(DEFAULT_TIMEOUT);
    }
    match text.parse::<f64>() {
        Ok(s) if s >= 0.0 => Ok(Duration::try_from_secs_f64(s).unwrap_or(Duration::MAX)),
        _ => Err(Error::new(format!("{TIMEOUT_VAR}=`{text}` is not a number of seconds"))
            .hint(format!("give how long to wait for another evident process, e.g. {TIMEOUT_VAR}=30, 0.5 or inf; unset it for 30 seconds"))),
    }
}

fn seconds(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s == 1.0 { "1 second".into() } else { format!("{s} seconds") }
}

/// Before any command reads the repository: if a write was interrupted,
/// undo it (under the lock); stray temporary files are removed when no
/// writer is at work. Costs a few `stat` calls when there is nothing to do.
/// A command that cannot write there says so and stops.
pub(crate) fn recover(root: &Path) -> Result<()> {
    let state = StateDir::of(root);
    state.check()?;
    if state.journal_path().exists() {
        let lock = WriteLock::wait(root).map_err(|e| {
            Error::new(format!(
                "an interrupted evident write must be undone before the repository is read, and it could not be: {}",
                e.message
            ))
            .hint("run evident where it can write the repository (or wait for the other process)")
        })?;
        // The journal is gone if it was a live writer's, now finished.
        lock.recover()?;
        clear_dir(&lock.state.tmp_dir());
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

/// How many times a reader reads again, without the lock, when a write
/// replaced files while it read; then it reads under the lock.
const OPTIMISTIC_READS: usize = 3;

/// Reads the work tree with `read` so that the result never mixes files from
/// before and after a write: a write that replaced files while `read` ran
/// (its journal is there, or the generation it leaves changed) makes the
/// reader wait for it and read again. Readers need no lock and no write
/// access for this; only a reader overtaken again and again takes the lock.
pub(crate) fn read_whole<T>(root: &Path, mut read: impl FnMut() -> T) -> Result<T> {
    let state = StateDir::of(root);
    let stamp = || (state.journal_path().exists(), fs::read(state.generation_path()).ok());
    for _ in 0..OPTIMISTIC_READS {
        let before = stamp();
        if !before.0 {
            let value = read();
            faults_pause_after_read();
            if stamp() == before {
                return Ok(value);
            }
        }
        recover(root)?;
    }
    let _lock = WriteLock::acquire(root).map_err(|e| {
        Error::new(format!(
            "the repository kept changing while it was read, and it could not be locked: {}",
            e.message
        ))
        .hint("run the command again when the writers have finished")
    })?;
    Ok(read())
}

/// Test hook: `EVIDENT_TEST_PAUSE_AFTER_READ_MS` pauses a reader between
/// reading the work tree and checking that no write overtook it.
fn faults_pause_after_read() {
    if let Some(ms) = std::env::var("EVIDENT_TEST_PAUSE_AFTER_READ_MS").ok().and_then(|v| v.parse().ok()) {
        std::thread::sleep(Duration::from_millis(ms));
    }
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
pub(crate) fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(f) = File::open(dir) {
        let _ = f.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

/// The record of a write in progress, with the paths it works on.
#[derive(Debug, Default)]
pub(crate) struct Journal {
    pub entries: Vec<JournalEntry>,
    /// Folders the write created, parents first.
    pub created_dirs: Vec<PathBuf>,
}

/// One file of a write: its staged contents (`temp`, in `tmp/`) go to
/// `target`; `backup` (in `tmp/`) is a hard link to the file it replaces, or
/// `None` when the file is new.
#[derive(Debug)]
pub(crate) struct JournalEntry {
    pub target: PathBuf,
    pub temp: PathBuf,
    pub backup: Option<PathBuf>,
}

/// The journal on disk. It names nothing by absolute path: targets and
/// created folders relative to the repository, staged files and backups by
/// their name in `tmp/`. A journal from anywhere else (an archive, a pull
/// request, a moved repository) can then only point into the repository
/// and the state folder, and recovery checks even that before it acts.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct JournalFile {
    version: u32,
    entries: Vec<FileEntry>,
    created_dirs: Vec<String>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileEntry {
    target: String,
    temp: String,
    backup: Option<String>,
}

const JOURNAL_VERSION: u32 = 1;

impl Journal {
    /// Writes the journal to disk, durably, before any target is touched.
    pub(crate) fn save(&self, state: &StateDir, root: &Path) -> Result<()> {
        let file = self.to_file(state, root).ok_or_else(|| {
            Error::new("could not record the write in the journal: a path is outside the repository or the state folder")
        })?;
        let new = state.dir.join("journal.new");
        let text = serde_json::to_string(&file)
            .map_err(|e| Error::new(format!("could not record the write in the journal: {e}")))?;
        let _ = fs::remove_file(&new);
        // `create_new`: never write through a link someone left there.
        let mut file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&new)
            .map_err(|e| Error::io("write", &new, e))?;
        file.write_all(text.as_bytes())
            .and_then(|_| file.sync_all())
            .map_err(|e| Error::io("write", &new, e))?;
        let path = state.journal_path();
        fs::rename(&new, &path).map_err(|e| Error::io("write", &path, e))?;
        sync_dir(&state.dir);
        Ok(())
    }

    fn to_file(&self, state: &StateDir, root: &Path) -> Option<JournalFile> {
        let rel = |p: &Path| p.strip_prefix(root).ok()?.to_str().map(str::to_owned);
        let tmp = state.tmp_dir();
        let name = |p: &Path| (p.parent()? == tmp).then(|| p.file_name()?.to_str().map(str::to_owned))?;
        let mut entries = Vec::new();
        for e in &self.entries {
            let backup = match &e.backup {
                Some(b) => Some(name(b)?),
                None => None,
            };
            entries.push(FileEntry { target: rel(&e.target)?, temp: name(&e.temp)?, backup });
        }
        let created_dirs = self.created_dirs.iter().map(|d| rel(d)).collect::<Option<_>>()?;
        Some(JournalFile { version: JOURNAL_VERSION, entries, created_dirs })
    }

    /// Reads a journal found on disk, checking every entry: targets and
    /// folders must be plain relative paths inside the repository (not in
    /// `.git`, not in evident's state, no link leading out), staged files
    /// and backups plain names of evident's temporary files in `tmp/`, and a
    /// backup a regular file. The reason is given for the first that is not.
    fn parse(text: &str, root: &Path, state: &StateDir) -> std::result::Result<Journal, String> {
        let file: JournalFile = serde_json::from_str(text).map_err(|e| format!("it does not parse: {e}"))?;
        if file.version != JOURNAL_VERSION {
            return Err(format!("version {} is not {JOURNAL_VERSION}", file.version));
        }
        let tmp = state.tmp_dir();
        let in_repo = |rel: &str| -> std::result::Result<PathBuf, String> {
            let first = Path::new(rel).components().next();
            let reserved =
                matches!(first, Some(std::path::Component::Normal(c)) if c == ".git" || c == ".evident");
            if reserved || rel.contains('\\') {
                return Err(format!("`{rel}` is not a file of the repository"));
            }
            super::write::contained_path(root, rel).map_err(|e| e.message)
        };
        let temp_file = |name: &str| -> std::result::Result<PathBuf, String> {
            let plain = name.starts_with(".evident-")
                && name.ends_with(".tmp")
                && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
            if !plain {
                return Err(format!("`{name}` is not the name of one of evident's temporary files"));
            }
            Ok(tmp.join(name))
        };
        let mut journal = Journal::default();
        for entry in &file.entries {
            let backup = match &entry.backup {
                Some(name) => {
                    let path = temp_file(name)?;
                    if fs::symlink_metadata(&path).is_ok_and(|m| !m.file_type().is_file()) {
                        return Err(format!("the backup `{name}` is not a regular file"));
                    }
                    Some(path)
                }
                None => None,
            };
            journal.entries.push(JournalEntry {
                target: in_repo(&entry.target)?,
                temp: temp_file(&entry.temp)?,
                backup,
            });
        }
        for dir in &file.created_dirs {
            journal.created_dirs.push(in_repo(dir)?);
        }
        Ok(journal)
    }

    /// Puts every target back as it was. Safe to repeat: each step checks
    /// what is on disk, so a recovery that is itself interrupted is finished
    /// by the next one.
    pub(crate) fn roll_back(&self) -> Result<()> {
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
        fs::write(main_git.join("worktrees/wt/HEAD"), "ref: refs/heads/wt\n").unwrap();
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
