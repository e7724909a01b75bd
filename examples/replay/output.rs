//! The output directory.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use super::*;

pub(super) fn canonical(p: &Path) -> PathBuf {
    std::fs::canonicalize(p)
        .unwrap_or_else(|_| std::env::current_dir().map(|d| d.join(p)).unwrap_or_else(|_| p.to_path_buf()))
}

/// Refuses a non-empty DIR without --force; with it, deletes `.git/` and the files the replay
/// writes (and the folders that become empty), nothing else.
pub(super) fn prepare_dir(opts: &Opts, paths: &BTreeSet<String>) -> Result<(), (u8, String)> {
    let dir = &opts.out;
    let (from, out) = (canonical(&opts.from), canonical(dir));
    if out.starts_with(&from) || from.starts_with(&out) {
        return Err((2, format!("--out `{}` overlaps the source `{}`", dir.display(), opts.from.display())));
    }
    if super::out_dir::needs_clearing(dir, opts.force)? {
        let git_dir = dir.join(".git");
        if git_dir.symlink_metadata().is_ok() {
            let r = if git_dir.is_dir() && !git_dir.is_symlink() {
                std::fs::remove_dir_all(&git_dir)
            } else {
                std::fs::remove_file(&git_dir)
            };
            r.map_err(|e| (1, format!("cannot remove `{}`: {e}", git_dir.display())))?;
        }
        let mut parents: BTreeSet<PathBuf> = BTreeSet::new();
        for p in paths {
            let full = dir.join(p);
            if full.symlink_metadata().is_ok_and(|m| !m.is_dir()) {
                std::fs::remove_file(&full)
                    .map_err(|e| (1, format!("cannot remove `{}`: {e}", full.display())))?;
            }
            let mut parent = Path::new(p).parent();
            while let Some(pp) = parent.filter(|pp| !pp.as_os_str().is_empty()) {
                parents.insert(dir.join(pp));
                parent = pp.parent();
            }
        }
        // Deepest first; only folders left empty.
        let mut parents: Vec<PathBuf> = parents.into_iter().collect();
        parents.sort_by_key(|p| std::cmp::Reverse(p.components().count()));
        for p in parents {
            let _ = std::fs::remove_dir(&p);
        }
    }
    std::fs::create_dir_all(dir).map_err(|e| (1, format!("cannot create `{}`: {e}", dir.display())))
}

pub(super) fn write_tree(
    dir: &Path,
    files: &BTreeMap<String, Vec<u8>>,
    exec: &BTreeSet<String>,
) -> Result<(), String> {
    for (path, bytes) in files {
        let full = dir.join(path);
        if let Some(parent) = full.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| format!("cannot create `{}`: {e}", parent.display()))?;
        }
        std::fs::write(&full, bytes).map_err(|e| format!("cannot write `{}`: {e}", full.display()))?;
        #[cfg(unix)]
        if exec.contains(path) {
            use std::os::unix::fs::PermissionsExt;
            let _ = std::fs::set_permissions(&full, std::fs::Permissions::from_mode(0o755));
        }
    }
    Ok(())
}
