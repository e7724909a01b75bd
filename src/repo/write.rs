//! Safe writes: every file is written to a temporary file next to it and
//! renamed into place, unchanged files are not touched, and no path may leave
//! the repository.

use std::io::Write;
use std::path::{Component, Path, PathBuf};

use crate::error::{Error, Result};

/// What happened to one file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WriteStatus {
    Created,
    Updated,
    Unchanged,
}

/// A set of files to write together. Nothing is written until every file has
/// been staged, so a failure part-way leaves the repository as it was.
#[derive(Debug)]
pub struct Changeset {
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
    pub fn new() -> Self {
        Self::default()
    }

    /// Output that can be generated again (a report) need not be flushed to
    /// disk file by file; the user's own files always are.
    pub fn regenerable(mut self) -> Self {
        self.durable = false;
        self
    }

    /// Adds a file; a later entry for the same path replaces the earlier one
    /// (in its place).
    pub fn put(&mut self, rel: impl Into<String>, contents: impl Into<Vec<u8>>) {
        let rel = rel.into();
        match self.index.get(&rel) {
            Some(&i) => self.files[i].1 = contents.into(),
            None => {
                self.index.insert(rel.clone(), self.files.len());
                self.files.push((rel, contents.into()));
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    pub fn files(&self) -> impl Iterator<Item = (&str, &[u8])> {
        self.files.iter().map(|(p, c)| (p.as_str(), c.as_slice()))
    }

    /// Writes every file under `root`, returning what happened to each.
    pub fn apply(&self, root: &Path) -> Result<Vec<(String, WriteStatus)>> {
        let mut staged = Vec::new();
        let mut statuses = Vec::new();
        for (rel, contents) in &self.files {
            let target = contained_path(root, rel)?;
            let status = match std::fs::read(&target) {
                Ok(existing) if existing == *contents => WriteStatus::Unchanged,
                Ok(_) => WriteStatus::Updated,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => WriteStatus::Created,
                Err(e) => return Err(Error::io("read", &target, e)),
            };
            statuses.push((rel.clone(), status));
            if status == WriteStatus::Unchanged {
                continue;
            }
            let parent = target.parent().unwrap_or(root);
            std::fs::create_dir_all(parent).map_err(|e| Error::io("create directory", parent, e))?;
            // Directories just created must still be inside the repository.
            contained_path(root, rel)?;
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
                .tempfile_in(parent)
                .map_err(|e| Error::io("create a temporary file in", parent, e))?;
            temp.write_all(contents).map_err(|e| Error::io("write", temp.path(), e))?;
            if self.durable {
                temp.as_file().sync_all().map_err(|e| Error::io("write", temp.path(), e))?;
            }
            // Keep the path, not the open file (removed if we fail): a bulk
            // edit stages thousands of files, more than a process may hold open.
            staged.push((temp.into_temp_path(), target));
        }
        for (temp, target) in staged {
            temp.persist(&target).map_err(|e| Error::io("replace", &target, e.error))?;
        }
        Ok(statuses)
    }
}

/// Joins `rel` to `root`, refusing anything that could leave the repository:
/// absolute paths, `..`, and symbolic links along the way that point outside.
pub fn contained_path(root: &Path, rel: &str) -> Result<PathBuf> {
    let rel_path = Path::new(rel);
    let escapes = rel_path.is_absolute()
        || rel_path.components().any(|c| !matches!(c, Component::Normal(_) | Component::CurDir));
    if rel.is_empty() || escapes {
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
}
