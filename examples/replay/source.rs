//! The source repository: its files, parsed, and small helpers over them.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;

use evident::model::{Action, ActionState, Assessment, Config, Template};
use sha2::{Digest, Sha256};

pub(super) struct Source {
    pub(super) files: BTreeMap<String, Vec<u8>>,
    pub(super) exec: BTreeSet<String>,
    pub(super) config: Config,
    pub(super) actions: BTreeMap<String, Action>,
    pub(super) templates: BTreeMap<String, Template>,
    /// Template text per file path.
    pub(super) assessments: BTreeMap<String, Assessment>,
    /// Final state per state file path.
    pub(super) states: BTreeMap<String, ActionState>,
}

pub(super) fn read_tree(
    root: &Path,
    dir: &Path,
    files: &mut BTreeMap<String, Vec<u8>>,
    exec: &mut BTreeSet<String>,
) -> Result<(), String> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| format!("cannot read `{}`: {e}", dir.display()))?
        .filter_map(|e| e.ok())
        .collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let path = e.path();
        let name = e.file_name().to_string_lossy().into_owned();
        let ft = e.file_type().map_err(|err| format!("cannot read `{}`: {err}", path.display()))?;
        if ft.is_symlink() {
            return Err(format!(
                "`{}` is a symbolic link; the replay copies regular files only",
                path.display()
            ));
        }
        if ft.is_dir() {
            if name == ".git" {
                continue;
            }
            read_tree(root, &path, files, exec)?;
        } else {
            let rel = path.strip_prefix(root).expect("inside root").to_string_lossy().replace('\\', "/");
            let bytes =
                std::fs::read(&path).map_err(|err| format!("cannot read `{}`: {err}", path.display()))?;
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                if e.metadata().map(|m| m.permissions().mode() & 0o111 != 0).unwrap_or(false) {
                    exec.insert(rel.clone());
                }
            }
            files.insert(rel, bytes);
        }
    }
    Ok(())
}

pub(super) fn parse<T: serde::de::DeserializeOwned>(path: &str, bytes: &[u8]) -> Result<T, String> {
    let text = std::str::from_utf8(bytes).map_err(|_| format!("`{path}` is not UTF-8"))?;
    toml::from_str(text).map_err(|e| format!("`{path}` does not parse: {}", e.to_string().trim()))
}

pub(super) fn load_source(root: &Path) -> Result<Source, String> {
    if !root.join("evident.toml").is_file() {
        return Err(format!("`{}` has no evident.toml", root.display()));
    }
    let mut files = BTreeMap::new();
    let mut exec = BTreeSet::new();
    read_tree(root, root, &mut files, &mut exec)?;
    let config: Config = parse("evident.toml", &files["evident.toml"])?;
    let mut src = Source {
        files: BTreeMap::new(),
        exec,
        config,
        actions: BTreeMap::new(),
        templates: BTreeMap::new(),
        assessments: BTreeMap::new(),
        states: BTreeMap::new(),
    };
    for (path, bytes) in &files {
        let parts: Vec<&str> = path.split('/').collect();
        match parts.as_slice() {
            ["templates", f] if f.ends_with(".toml") => {
                let t: Template = parse(path, bytes)?;
                src.templates.insert(t.id.as_str().to_owned(), t);
            }
            ["actions", f] if f.ends_with(".toml") => {
                let a: Action = parse(path, bytes)?;
                src.actions.insert(a.id.as_str().to_owned(), a);
            }
            ["assessments", a, "assessment.toml"] => {
                let x: Assessment = parse(path, bytes)?;
                if x.id.as_str() != *a {
                    return Err(format!("`{path}` has id `{}`", x.id));
                }
                src.assessments.insert(x.id.as_str().to_owned(), x);
            }
            ["assessments", _, f] if f.ends_with(".toml") => {
                let s: ActionState = parse(path, bytes)?;
                src.states.insert(path.clone(), s);
            }
            _ => {}
        }
    }
    src.files = files;
    Ok(src)
}

pub(super) fn state_path(assessment: &str, action: &str) -> String {
    format!("assessments/{assessment}/{action}.toml")
}

pub(super) fn sha256_hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(64);
    for b in Sha256::digest(bytes) {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// Replaces the first top-level line starting with `key = ` by `key = value`.
pub(super) fn set_line(text: &str, key: &str, value: &str) -> Option<String> {
    let prefix = format!("{key} = ");
    let mut out = String::with_capacity(text.len());
    let mut done = false;
    for line in text.split_inclusive('\n') {
        if !done && line.starts_with(&prefix) {
            out.push_str(&prefix);
            out.push_str(value);
            out.push('\n');
            done = true;
        } else {
            out.push_str(line);
        }
    }
    done.then_some(out)
}
