//! The repository on disk: finding its root, listing its files, reading them.

pub mod journal;
pub mod layout;
pub mod write;

use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use crate::diag::{Code, Diagnostic};
use crate::error::{Error, Result};
use layout::{ASSESSMENT_FILE, ASSESSMENTS_DIR, CONFIG_FILE, Entry};

/// A compliance repository: a directory with `evident.toml`.
#[derive(Clone, Debug)]
pub struct Repo {
    pub root: PathBuf,
}

/// A data file found in the working tree.
#[derive(Clone, Debug)]
pub(crate) struct FoundFile {
    /// Repository-relative, `/`-separated.
    pub path: String,
    pub entry: Entry,
}

/// The result of listing the working tree.
#[derive(Debug, Default)]
pub(crate) struct Scan {
    pub files: Vec<FoundFile>,
    pub diagnostics: Vec<Diagnostic>,
}

impl Repo {
    /// Finds the repository: `explicit` must hold `evident.toml`; otherwise
    /// the current directory and its parents are searched. A write that an
    /// earlier run left unfinished is undone first, so that every command
    /// reads a whole repository.
    pub fn discover(explicit: Option<&Path>) -> Result<Repo> {
        let repo = Self::find(explicit)?;
        journal::recover(&repo.root)?;
        Ok(repo)
    }

    fn find(explicit: Option<&Path>) -> Result<Repo> {
        match explicit {
            Some(dir) => {
                if !dir.is_dir() {
                    return Err(Error::new(format!("`{}` is not a directory", dir.display())));
                }
                if dir.join(CONFIG_FILE).is_file() {
                    return Ok(Repo { root: absolute(dir) });
                }
                let mut err = Error::new(format!("no `{CONFIG_FILE}` in `{}`", dir.display()));
                if let Some(parent) = find_upwards(dir) {
                    err = err.hint(format!("the repository root is `{}`", parent.display()));
                } else {
                    err = err.hint(format!(
                        "run `evident init {}` to start a compliance repository there",
                        crate::diag::shell::quote(&dir.display().to_string())
                    ));
                }
                Err(err)
            }
            None => {
                let cwd = std::env::current_dir()
                    .map_err(|e| Error::new(format!("cannot read the current directory: {e}")))?;
                find_upwards(&cwd).map(|root| Repo { root }).ok_or_else(|| {
                    Error::new(format!("no `{CONFIG_FILE}` in `{}` or any parent directory", cwd.display()))
                        .hint(
                            "run `evident init` to start a compliance repository here, or pass `--repo DIR`",
                        )
                })
            }
        }
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.root.join(rel)
    }

    /// Lists the data files. Symbolic links are reported, never followed.
    pub(crate) fn scan(&self) -> Scan {
        let mut scan = Scan::default();
        let config_is_link =
            self.path(CONFIG_FILE).symlink_metadata().is_ok_and(|m| m.file_type().is_symlink());
        if config_is_link {
            scan.diagnostics.push(
                Diagnostic::new(Code::SymlinkedFile, format!("`{CONFIG_FILE}` is a symbolic link"))
                    .in_file(CONFIG_FILE)
                    .hint("replace the link with the file itself; links are not followed"),
            );
        } else if self.path(CONFIG_FILE).symlink_metadata().is_ok_and(|m| !m.is_file()) {
            scan.diagnostics.push(not_regular(CONFIG_FILE.to_owned()));
        } else {
            scan.files.push(FoundFile { path: CONFIG_FILE.to_owned(), entry: Entry::Config });
        }
        for dir in [layout::TEMPLATES_DIR, layout::ACTIONS_DIR, ASSESSMENTS_DIR] {
            let top = self.root.join(dir);
            let meta = top.symlink_metadata();
            if meta.as_ref().is_ok_and(|m| m.file_type().is_symlink()) {
                // Followed, the link would read files from wherever it points.
                scan.diagnostics.push(
                    Diagnostic::new(
                        Code::DataFolderNotAFolder,
                        format!(
                            "`{dir}` is a symbolic link; evident does not follow links out of the repository, so nothing in it is read"
                        ),
                    )
                    .in_file(dir)
                    .hint(format!("replace the link with the folder `{dir}/` itself")),
                );
                continue;
            }
            if !meta.is_ok_and(|m| m.is_dir()) {
                if top.symlink_metadata().is_ok() {
                    // A file where the folder should be: nothing would be read
                    // and the repository would pass as empty.
                    scan.diagnostics.push(
                        Diagnostic::new(
                            Code::DataFolderNotAFolder,
                            format!("`{dir}` is a file, not a folder: nothing in it is read"),
                        )
                        .in_file(dir)
                        .hint(format!(
                            "remove or rename the file `{dir}` and create the folder `{dir}/` (`evident new` creates it)"
                        )),
                    );
                }
                continue;
            }
            for item in WalkDir::new(&top).follow_links(false).sort_by_file_name() {
                let item = match item {
                    Ok(item) => item,
                    Err(e) => {
                        let path = e.path().map(|p| self.relative(p)).unwrap_or_else(|| dir.to_owned());
                        scan.diagnostics.push(
                            Diagnostic::new(Code::UnreadableFile, format!("cannot read `{path}`: {e}"))
                                .in_file(path),
                        );
                        continue;
                    }
                };
                let rel = self.relative(item.path());
                let file_type = item.file_type();
                if file_type.is_dir() {
                    if dir == ASSESSMENTS_DIR
                        && item.depth() == 1
                        && !item.path().join(ASSESSMENT_FILE).exists()
                    {
                        scan.diagnostics.push(
                            Diagnostic::new(
                                Code::MissingAssessmentFile,
                                format!("assessment directory `{rel}/` has no `{ASSESSMENT_FILE}`"),
                            )
                            .in_file(format!("{rel}/"))
                            .hint(new_assessment_hint(&item.file_name().to_string_lossy())),
                        );
                    }
                    continue;
                }
                let entry = layout::classify(&rel);
                if file_type.is_symlink() {
                    let to_dir = item.path().is_dir();
                    if entry.is_data() || matches!(entry, Entry::Misplaced(_)) || to_dir {
                        let (message, what) = if to_dir {
                            (
                                format!(
                                    "`{rel}` is a symbolic link; evident does not follow links out of the repository, so nothing in it is read"
                                ),
                                "folder",
                            )
                        } else {
                            (format!("`{rel}` is a symbolic link"), "file")
                        };
                        scan.diagnostics.push(
                            Diagnostic::new(Code::SymlinkedFile, message).in_file(rel).hint(format!(
                                "replace the link with the {what} itself; links are not followed"
                            )),
                        );
                    }
                    continue;
                }
                if !file_type.is_file() {
                    // A FIFO would block the read for ever; a device could be endless.
                    if entry.is_data() || matches!(entry, Entry::Misplaced(_)) {
                        scan.diagnostics.push(not_regular(rel));
                    }
                    continue;
                }
                match entry {
                    Entry::Misplaced(reason) => scan.diagnostics.push(
                        Diagnostic::new(
                            Code::MisplacedFile,
                            format!("`{rel}` is not where evident reads files"),
                        )
                        .in_file(rel)
                        .hint(reason),
                    ),
                    Entry::Other => {}
                    entry => scan.files.push(FoundFile { path: rel, entry }),
                }
            }
        }
        scan
    }

    /// Repository-relative, `/`-separated path.
    pub(crate) fn relative(&self, path: &Path) -> String {
        relative_path(&self.root, path)
    }

    /// The git repository that holds this one, if any.
    pub(crate) fn git(&self) -> Option<git2::Repository> {
        git2::Repository::discover(&self.root).ok()
    }

    /// Id of the commit HEAD points to, if the repository is committed in git:
    /// `None` outside git, before the first commit, and when HEAD does not
    /// hold this repository's `evident.toml` (a folder inside another
    /// project's git repository that was never committed there).
    pub(crate) fn head_commit(&self) -> Option<String> {
        let git = self.git()?;
        let head = git.head().ok()?.peel_to_commit().ok()?;
        let config = format!("{}{CONFIG_FILE}", self.git_prefix());
        head.tree().ok()?.get_path(Path::new(&config)).ok()?;
        Some(head.id().to_string())
    }

    /// This repository's path inside its git work tree, with a trailing `/`
    /// ("" at the top), for paths in GitHub annotations and SARIF.
    pub(crate) fn git_prefix(&self) -> String {
        let Some(workdir) = self.git().and_then(|g| g.workdir().map(Path::to_path_buf)) else {
            return String::new();
        };
        let workdir = absolute(&workdir);
        match self.root.strip_prefix(&workdir) {
            Ok(rel) if rel.as_os_str().is_empty() => String::new(),
            Ok(rel) => format!("{}/", rel.to_string_lossy().replace('\\', "/")),
            Err(_) => String::new(),
        }
    }
}

/// `path` relative to `root`, `/`-separated (as repository paths are written).
/// A data file's path that names a FIFO, socket or device: never opened.
fn not_regular(path: String) -> Diagnostic {
    Diagnostic::new(
        Code::NotRegularFile,
        format!("`{path}` is not a regular file (a pipe, socket or device); it is not read"),
    )
    .in_file(path)
    .hint("replace it with a regular file, or remove it")
}

pub(crate) fn relative_path(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/")
}

fn find_upwards(start: &Path) -> Option<PathBuf> {
    let start = absolute(start);
    start.ancestors().find(|dir| dir.join(CONFIG_FILE).is_file()).map(Path::to_path_buf)
}

/// An absolute, symlink-free path where possible.
pub(crate) fn absolute(path: &Path) -> PathBuf {
    std::fs::canonicalize(path)
        .unwrap_or_else(|_| std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf()))
}

/// The hint for an assessment directory without `assessment.toml`: the
/// command that creates it, when its name is an id `evident new` takes.
fn new_assessment_hint(name: &str) -> String {
    if crate::model::is_valid_id(name) {
        format!(
            "create it with `evident new assessment {name} --template <template>`, or remove the directory"
        )
    } else {
        "remove the directory, or rename it to an assessment id (lower-case letters, digits, `.`, `_` and `-`) and run `evident new assessment ID --template <template>`".to_owned()
    }
}
