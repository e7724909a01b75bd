//! Evidence files: checking, naming and copying them into `evidence/`.

use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};

use crate::checks::evidence::{Resolved, resolve, sha256_bytes};
use crate::error::{Error, Result};
use crate::model::{ActionId, Evidence, Workspace};
use crate::repo::layout::{EVIDENCE_DIR, state_path};

pub(crate) use crate::checks::evidence::EVIDENCE_TYPES;

/// An evidence file ready to record.
#[derive(Clone, Debug)]
pub(crate) struct EvidenceFile {
    /// Repository-relative path to record.
    pub path: String,
    pub sha256: String,
    /// The bytes to write at `path` when copying; `None` when the file is
    /// already there (in place, or the same content under that name).
    pub(super) copy: Option<Vec<u8>>,
}

impl EvidenceFile {
    pub(crate) fn item(&self, name: String) -> Evidence {
        Evidence { name, path: Some(self.path.clone()), sha256: Some(self.sha256.clone()), url: None }
    }
}

/// Decides where the evidence file `file` (a path as the user typed it) goes.
///
/// A file already under `evidence/` is referred to in place. Any other file is
/// copied to `evidence/<action>/<file name>`; when a different file has that
/// name the copy is called `<name>-2.<ext>` (then -3...), and when the same
/// content is already there it is reused. The file must be a regular file of
/// an accepted type, and a link inside the repository that points outside it
/// is refused: it would smuggle an outside file in under an inside name.
pub(crate) fn evidence_file(root: &Path, action: &ActionId, file: &Path) -> Result<EvidenceFile> {
    let shown = file.display();
    let meta = std::fs::symlink_metadata(file).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => Error::new(format!("no file `{shown}`")),
        _ => Error::io("read", file, e),
    })?;
    let real = std::fs::canonicalize(file)
        .map_err(|_| Error::new(format!("`{shown}` is a link to a file that does not exist")))?;
    if !real.is_file() {
        let what = if meta.is_dir() { "a directory" } else { "not a regular file" };
        return Err(
            Error::new(format!("`{shown}` is {what}")).hint("evidence is a file (or a link with `--url`)")
        );
    }
    let inside_real = real.starts_with(root);
    if !inside_real && looks_inside(root, file) {
        return Err(Error::new(format!(
            "`{shown}` is a link to `{}`, outside the repository",
            real.display()
        ))
        .hint(format!("give the file's own path (`{}`) to copy it into the repository", real.display())));
    }
    let rel = crate::repo::relative_path(root, &real);
    if inside_real && let Err(Resolved::Internal(why)) = crate::checks::evidence::normalize(&rel) {
        return Err(Error::new(format!("`{shown}` is inside `.git/` or evident's own folder: {why}"))
            .hint("evidence is a document, export or screenshot; copy it out of there first"));
    }
    if inside_real && rel.starts_with(&format!("{EVIDENCE_DIR}/")) {
        check_type(&rel)?;
        return match resolve(root, &rel) {
            Resolved::File { sha256 } => Ok(EvidenceFile { path: rel, sha256, copy: None }),
            Resolved::Unreadable(e) => Err(Error::new(format!("cannot read `{rel}`: {e}"))),
            _ => Err(Error::new(format!("`{rel}` is not a file inside the repository"))),
        };
    }
    let name = file.file_name().and_then(|n| n.to_str()).ok_or_else(|| {
        Error::new(format!("the name of `{shown}` is not valid UTF-8")).hint("rename the file")
    })?;
    check_type(name)?;
    let bytes = std::fs::read(&real).map_err(|e| Error::io("read", &real, e))?;
    // The hash is of the bytes copied, so a file changing meanwhile cannot mismatch.
    let sha256 = sha256_bytes(&bytes);
    let (path, reused) = destination(root, action, name, &sha256)?;
    Ok(EvidenceFile { path, sha256, copy: (!reused).then_some(bytes) })
}

/// Refuses file types that are not evidence.
pub(super) fn check_type(name: &str) -> Result<()> {
    let ext = Path::new(name).extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
    if ext.as_deref().is_some_and(|e| EVIDENCE_TYPES.contains(&e)) {
        return Ok(());
    }
    let what = match &ext {
        Some(ext) => format!("`.{ext}` files are not accepted as evidence"),
        None => format!("`{name}` has no file type (extension)"),
    };
    let types: Vec<String> = EVIDENCE_TYPES.iter().map(|t| format!(".{t}")).collect();
    Err(Error::new(what).hint(format!("accepted types: {}", types.join(" "))))
}

/// The path under `evidence/<action>/` for a copy, and whether a file with
/// the same content is already there.
fn destination(root: &Path, action: &ActionId, name: &str, sha256: &str) -> Result<(String, bool)> {
    let (stem, ext) = match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => (stem, format!(".{ext}")),
        _ => (name, String::new()),
    };
    for n in 1..=1000 {
        let file = if n == 1 { name.to_owned() } else { format!("{stem}-{n}{ext}") };
        let candidate = format!("{EVIDENCE_DIR}/{action}/{file}");
        match resolve(root, &candidate) {
            Resolved::Missing => return Ok((candidate, false)),
            Resolved::File { sha256: existing } if existing == sha256 => return Ok((candidate, true)),
            Resolved::Outside(why) => {
                return Err(Error::new(format!("refusing to write `{candidate}`: {why}")));
            }
            _ => {}
        }
    }
    Err(Error::new(format!("too many files named like `{name}` in `{EVIDENCE_DIR}/{action}/`"))
        .hint("rename the file before adding it"))
}

/// Whether `file`, as typed, names a place inside the repository: by name,
/// or once the directories leading to it are resolved (the last component,
/// the link itself, is not followed).
fn looks_inside(root: &Path, file: &Path) -> bool {
    let by_name = lexical_absolute(file).is_some_and(|p| p.starts_with(root));
    let parent = file.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let by_parent = std::fs::canonicalize(parent).is_ok_and(|p| p.starts_with(root));
    by_name || by_parent
}

/// `path` made absolute without following links; `..` removed by name.
fn lexical_absolute(path: &Path) -> Option<PathBuf> {
    let abs = std::path::absolute(path).ok()?;
    let mut out = PathBuf::new();
    for c in abs.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    Some(out)
}

/// Checks a link given as evidence: http or https, no spaces.
pub(crate) fn check_url(url: &str) -> Result<()> {
    let rest = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://"));
    if rest.is_some_and(|r| !r.is_empty() && !r.contains(char::is_whitespace)) {
        return Ok(());
    }
    Err(Error::new(format!("`{url}` is not an http or https link"))
        .hint("links start with `https://` (or `http://`) and contain no spaces"))
}

/// State files other than `except` that refer to the evidence file `path`.
pub(crate) fn evidence_users(ws: &Workspace, path: &str, except: &BTreeSet<String>) -> Vec<String> {
    let mut out = Vec::new();
    for (assessment, entry) in &ws.assessments {
        for (action, state) in &entry.states {
            let file = state_path(assessment.as_str(), action.as_str());
            if !except.contains(&file) && state.evidence.iter().any(|e| e.path.as_deref() == Some(path)) {
                out.push(file);
            }
        }
    }
    out
}
