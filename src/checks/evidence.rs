//! Evidence files: inside the repository, present, and unchanged since their
//! hash was recorded.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::Path;

use rayon::prelude::*;
use sha2::{Digest, Sha256};

use crate::diag::{Code, Diagnostic, Report};
use crate::load::span_of;
use crate::model::{ActionId, ActionState, AssessmentId, Level, Workspace};
use crate::repo::layout::state_path;

/// The file types evidence files may have: the seeds' list (documents,
/// images, video, archives) and their current forms.
pub(crate) const EVIDENCE_TYPES: &[&str] = &[
    "doc", "docx", "xls", "xlsx", "ppt", "pptx", "txt", "md", "csv", "json", "pdf", "jpg", "jpeg", "png",
    "mkv", "zip", "rar",
];

/// Whether a file name has one of the [`EVIDENCE_TYPES`].
pub(crate) fn is_evidence_type(name: &str) -> bool {
    Path::new(name)
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .is_some_and(|e| EVIDENCE_TYPES.contains(&e.as_str()))
}

/// What a path in an evidence item turned out to be.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Resolved {
    /// A regular file inside the repository, with its SHA-256.
    File {
        sha256: String,
    },
    Outside(String),
    Missing,
    NotFile,
    /// One of the repository's own data files (a template, an action state...).
    Data,
    /// Inside `.git/` or evident's own folder: never evidence.
    Internal(String),
    Unreadable(String),
}

/// Folders whose files are never evidence, compared without case (a
/// case-insensitive file system opens `.GIT/config` as `.git/config`): git's
/// own data (remote URLs with tokens, hooks) and evident's internal folder.
pub(crate) const INTERNAL_DIRS: &[&str] = &[".git", ".evident"];

/// An evidence path in its one canonical form: `/` separators, no `.`
/// components, no empty ones (`a//b`), no trailing `/`. Everything that
/// checks, records, copies or exports an evidence path goes through this,
/// so `./.git/config`, `.//.git/config` and `.git/config` are judged alike.
///
/// Refused here: absolute paths, drive prefixes, `..` anywhere (even when it
/// would stay inside: through a linked folder `..` leads elsewhere), and
/// paths inside [`INTERNAL_DIRS`] at any depth.
pub(crate) fn normalize(rel: &str) -> Result<String, Resolved> {
    let unified = rel.replace('\\', "/");
    if unified.starts_with('/') || Path::new(rel).is_absolute() || has_drive(&unified) {
        return Err(Resolved::Outside("the path is absolute".into()));
    }
    let mut parts = Vec::new();
    for part in unified.split('/') {
        match part {
            "" | "." => {}
            ".." => return Err(Resolved::Outside("the path contains `..`".into())),
            part => parts.push(part),
        }
    }
    if let Some(dir) = parts.iter().find(|p| is_internal_name(p)) {
        return Err(Resolved::Internal(format!(
            "`{dir}` is not part of what git versions; its files are never evidence"
        )));
    }
    if parts.is_empty() {
        return Err(Resolved::NotFile);
    }
    Ok(parts.join("/"))
}

/// `C:`, `c:foo`: a Windows drive.
fn has_drive(path: &str) -> bool {
    let b = path.as_bytes();
    b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':'
}

/// Whether a path component names one of [`INTERNAL_DIRS`]; case, trailing
/// dots and spaces ignored (Windows drops them when opening).
fn is_internal_name(part: &str) -> bool {
    let trimmed = part.trim_end_matches(['.', ' ']);
    INTERNAL_DIRS.iter().any(|d| trimmed.eq_ignore_ascii_case(d))
}

/// Whether a normalised path is one of the repository's data files, whatever
/// its case.
fn is_data(path: &str) -> bool {
    let layout = crate::repo::layout::classify;
    layout(path).is_data() || layout(&path.to_ascii_lowercase()).is_data()
}

/// Resolves an evidence path against the repository root, refusing anything
/// that leaves it (absolute paths, `..`, links that point outside), anything
/// in `.git/` or evident's folder, and the repository's data files: by the
/// path as written (normalised), and again by where its links lead.
pub(crate) fn resolve(root: &Path, rel: &str) -> Resolved {
    let rel = match normalize(rel) {
        Ok(rel) => rel,
        Err(refused) => return refused,
    };
    if is_data(&rel) {
        return Resolved::Data;
    }
    let full = root.join(&rel);
    if full.symlink_metadata().is_err() {
        return Resolved::Missing;
    }
    let (Ok(real), Ok(root_real)) = (std::fs::canonicalize(&full), std::fs::canonicalize(root)) else {
        // A dangling link.
        return Resolved::Missing;
    };
    let Ok(inside) = real.strip_prefix(&root_real) else {
        return Resolved::Outside(format!("it is a link to `{}`", real.display()));
    };
    // A link inside the repository to `.git/config` or to a state file.
    let target = inside.to_string_lossy().replace('\\', "/");
    match normalize(&target) {
        Err(Resolved::Internal(why)) => {
            return Resolved::Internal(format!("it is a link to `{target}`; {why}"));
        }
        Ok(target) if is_data(&target) => return Resolved::Data,
        _ => {}
    }
    if !real.is_file() {
        return Resolved::NotFile;
    }
    match sha256_file(&real) {
        Ok(sha256) => Resolved::File { sha256 },
        Err(e) => Resolved::Unreadable(e.to_string()),
    }
}

pub(crate) fn sha256_file(path: &Path) -> std::io::Result<String> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hex(&hasher.finalize()))
}

pub fn sha256_bytes(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub(crate) fn check(ws: &Workspace, report: &mut Report, root: &Path) {
    // Each distinct path is resolved (and hashed) once, in parallel.
    let paths: BTreeSet<&str> = ws
        .assessments
        .values()
        .flat_map(|e| e.states.values())
        .flat_map(|s| s.evidence.iter().filter_map(|ev| ev.path.as_deref()))
        .collect();
    let resolved: BTreeMap<&str, Resolved> = paths.into_par_iter().map(|p| (p, resolve(root, p))).collect();

    let mut out = Vec::new();
    for (assessment, entry) in &ws.assessments {
        for (action, state) in &entry.states {
            let file = state_path(assessment.as_str(), action.as_str());
            for (i, ev) in state.evidence.iter().enumerate() {
                let at = |field: &str| {
                    report
                        .sources
                        .get(&file)
                        .and_then(|t| span_of(t, &format!("/evidence/{i}/{field}")))
                        .unwrap_or(0..0)
                };
                match (&ev.path, &ev.url) {
                    (Some(_), Some(_)) | (None, None) => {
                        let both = ev.path.is_some();
                        out.push(
                            Diagnostic::new(
                                Code::EvidenceMalformed,
                                format!(
                                    "evidence `{}` has {} of `path` and `url`",
                                    ev.name,
                                    if both { "both" } else { "neither" }
                                ),
                            )
                            .at(&file, at("name"))
                            .hint("a file in the repository has `path` and `sha256`; a link has `url`"),
                        );
                        continue;
                    }
                    (None, Some(_)) => {
                        if ev.sha256.is_some() {
                            out.push(
                                Diagnostic::new(
                                    Code::EvidenceMalformed,
                                    format!("evidence link `{}` has a `sha256`", ev.name),
                                )
                                .at(&file, at("sha256"))
                                .hint("only files in the repository carry a hash; remove `sha256`"),
                            );
                        }
                        continue;
                    }
                    (Some(_), None) => {}
                }
                let path = ev.path.as_deref().unwrap_or_default();
                match &resolved[path] {
                    Resolved::Outside(why) => out.push(
                        Diagnostic::new(Code::EvidenceOutsideRepo, format!("evidence path `{path}` leaves the repository"))
                            .at(&file, at("path"))
                            .label(why.clone())
                            .hint("copy the file under `evidence/` and refer to it by its path from the repository root"),
                    ),
                    Resolved::Missing => out.push(
                        Diagnostic::new(Code::EvidenceMissing, format!("evidence file `{path}` does not exist"))
                            .at(&file, at("path"))
                            .label("no such file")
                            .hint(similar_file(root, path).unwrap_or_else(|| {
                                format!("restore the file (`git log -- {}` shows the commits that changed it), or fix `path`", crate::diag::shell::quote(path))
                            })),
                    ),
                    Resolved::Internal(why) => out.push(
                        Diagnostic::new(Code::EvidenceInternal, format!("evidence path `{path}` is inside `.git/` or evident's own folder"))
                            .at(&file, at("path"))
                            .label(why.clone())
                            .hint("evidence is a document, export or screenshot kept under `evidence/`"),
                    ),
                    Resolved::Data => out.push(
                        Diagnostic::new(Code::EvidenceIsData, format!("evidence path `{path}` is one of the repository's data files"))
                            .at(&file, at("path"))
                            .hint("evidence is a document, export or screenshot kept under `evidence/`"),
                    ),
                    Resolved::NotFile => out.push(
                        Diagnostic::new(Code::EvidenceNotFile, format!("evidence path `{path}` is not a file"))
                            .at(&file, at("path")),
                    ),
                    Resolved::Unreadable(e) => out.push(
                        Diagnostic::new(Code::UnreadableFile, format!("cannot read evidence file `{path}`: {e}"))
                            .at(&file, at("path")),
                    ),
                    Resolved::File { sha256 } => {
                        if !is_evidence_type(path) {
                            out.push(
                                Diagnostic::new(Code::EvidenceType, format!("evidence file `{path}` is not a document, image, video or archive"))
                                    .at(&file, at("path"))
                                    .note(format!("accepted: .{}", EVIDENCE_TYPES.join(" .")))
                                    .hint("convert it (e.g. to .pdf or .txt), or set `evidence-type = \"off\"` in `[rules]`"),
                            );
                        }
                        match &ev.sha256 {
                        None => out.push(
                            Diagnostic::new(Code::EvidenceHashMissing, format!("evidence file `{path}` has no `sha256`"))
                                .at(&file, at("path"))
                                .hint(hash_hint(ws, (assessment, action, state), &ev.name, sha256, false)),
                        ),
                        Some(recorded) if recorded != sha256 => out.push(
                            Diagnostic::new(
                                Code::EvidenceHashMismatch,
                                format!("evidence file `{path}` changed since its hash was recorded"),
                            )
                            .at(&file, at("sha256"))
                            .label("recorded hash")
                            .hint(hash_hint(ws, (assessment, action, state), &ev.name, sha256, true)),
                        ),
                        Some(_) => {}
                        }
                    }
                }
            }
        }
    }
    report.diagnostics.extend(out);
}

/// The hint of E0403 (`changed`: a hash was recorded) and of E0404: the
/// command that records the hash where it works, and, for a changed file
/// under a verdict the rules freeze (E0701), how to get there first.
fn hash_hint(
    ws: &Workspace,
    (assessment, action, state): (&AssessmentId, &ActionId, &ActionState),
    name: &str,
    sha256: &str,
    changed: bool,
) -> String {
    let by_hand = format!("`sha256 = \"{sha256}\"`");
    let command = rehash_command(ws, assessment, action, name);
    match command {
        Some((flag, rehash)) if changed && frozen(ws, state) => format!(
            "restore the file: the test status is `{}`, and the evidence a verdict rests on may not change (E0701); if the change is intended, first move the test status back (`evident set {action}{flag} --test in-progress`) in a commit of its own, then run {rehash} and test again",
            state.test.status
        ),
        Some((_, rehash)) if changed => {
            format!(
                "restore the file, or, if the change is intended, record its new hash with {rehash} ({by_hand})"
            )
        }
        None if changed => format!(
            "restore the file, or, if the change is intended, record its new hash: {by_hand} (in each state file that cites it)"
        ),
        Some((_, rehash)) if !frozen(ws, state) => format!("record it with {rehash} ({by_hand})"),
        _ => format!("add {by_hand}"),
    }
}

/// `evident evidence rehash` for the item `name` of a state, with the
/// ` -a <assessment>` it needs; `None` when no command reaches the state.
fn rehash_command(
    ws: &Workspace,
    assessment: &AssessmentId,
    action: &ActionId,
    name: &str,
) -> Option<(String, String)> {
    let flag = crate::edit::command_flag(ws, action, assessment)?;
    // A name that starts with `-` would read as an option.
    let word = crate::diag::shell::quote(name);
    let word = if name.starts_with('-') { format!("-- {word}") } else { word };
    let command = format!("`evident evidence rehash {action}{flag} {word}`");
    Some((flag, command))
}

/// Whether the rules freeze a state's evidence: its test is a verdict and
/// E0701 is an error (`evidence rehash` is refused then).
fn frozen(ws: &Workspace, state: &ActionState) -> bool {
    let level = ws.config.rules.get(Code::EvidenceFrozen.name()).copied().unwrap_or(Level::Error);
    state.test.status.is_verdict() && level == Level::Error
}

/// "did you mean" for a missing file: a file of the same directory with a close name.
fn similar_file(root: &Path, rel: &str) -> Option<String> {
    let p = Path::new(rel);
    let dir = root.join(p.parent()?);
    let name = p.file_name()?.to_string_lossy();
    let names: Vec<String> = std::fs::read_dir(dir)
        .ok()?
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    let best = crate::diag::suggest(&name, names.iter().map(String::as_str))?;
    let parent = p.parent().map(|d| d.to_string_lossy().into_owned()).unwrap_or_default();
    Some(if parent.is_empty() {
        format!("did you mean `{best}`?")
    } else {
        format!("did you mean `{parent}/{best}`?")
    })
}
