//! Trees written straight to the object database, for the commit of the
//! uncommitted changes ([`super::worktree`]).
//!
//! libgit2's tree builders check that each object an entry names is in the
//! object database. The uncommitted changes name files whose blobs are hashed
//! from the working tree but not stored (an evidence video is never read into
//! memory), so their trees are written here, as git writes them: entries
//! sorted by name, a folder as if its name ended in `/`.

use std::collections::BTreeMap;

use git2::{ObjectType, Oid, Repository, Tree};

/// The mode of a folder in a tree.
const FOLDER: i32 = 0o040000;

/// A path's new entry, its object and mode (`0o100644`...); `None` when it is removed.
pub(crate) type Update = Option<(Oid, i32)>;

/// The entries of one folder: name, mode and object.
type Entries = BTreeMap<Vec<u8>, (i32, Oid)>;

/// `base` with `updates` (paths with `/` separators) applied, written to the
/// object database unless it has it already. A folder left empty is dropped.
pub(crate) fn updated(
    repo: &Repository,
    base: &Tree<'_>,
    updates: &BTreeMap<String, Update>,
) -> Result<Oid, git2::Error> {
    let updates: Vec<(&str, Update)> = updates.iter().map(|(p, u)| (p.as_str(), *u)).collect();
    write(repo, &apply(repo, Some(base), &updates)?)
}

/// The entries of `base` (none: a new folder) with `updates` applied.
fn apply(
    repo: &Repository,
    base: Option<&Tree<'_>>,
    updates: &[(&str, Update)],
) -> Result<Entries, git2::Error> {
    let mut entries: Entries = base
        .into_iter()
        .flat_map(Tree::iter)
        .map(|e| (e.name_bytes().to_vec(), (e.filemode(), e.id())))
        .collect();
    let mut below: BTreeMap<&str, Vec<(&str, Update)>> = BTreeMap::new();
    for (path, update) in updates {
        match (path.split_once('/'), update) {
            (Some((folder, rest)), _) => below.entry(folder).or_default().push((rest, *update)),
            (None, Some((id, mode))) => drop(entries.insert(path.as_bytes().to_vec(), (*mode, *id))),
            (None, None) => drop(entries.remove(path.as_bytes())),
        }
    }
    // Files first: a file that replaced a folder (or the reverse) is already in place.
    for (folder, updates) in below {
        let name = folder.as_bytes().to_vec();
        let sub = match entries.get(&name) {
            Some((FOLDER, id)) => Some(repo.find_tree(*id)?),
            _ => None,
        };
        let inner = apply(repo, sub.as_ref(), &updates)?;
        if !inner.is_empty() {
            entries.insert(name, (FOLDER, write(repo, &inner)?));
        } else if sub.is_some() {
            entries.remove(&name);
        }
    }
    Ok(entries)
}

/// Writes a folder's entries as a tree object; its id.
fn write(repo: &Repository, entries: &Entries) -> Result<Oid, git2::Error> {
    let key = |(name, (mode, _)): &(&Vec<u8>, &(i32, Oid))| {
        let mut key = (*name).clone();
        if *mode == FOLDER {
            key.push(b'/');
        }
        key
    };
    let mut sorted: Vec<(&Vec<u8>, &(i32, Oid))> = entries.iter().collect();
    sorted.sort_by_cached_key(key);
    let mut raw = Vec::new();
    for (name, (mode, id)) in sorted {
        raw.extend_from_slice(format!("{mode:o} ").as_bytes());
        raw.extend_from_slice(name);
        raw.push(0);
        raw.extend_from_slice(id.as_bytes());
    }
    // Writing an object git has would refresh its file's time under `.git/objects`.
    let id = Oid::hash_object(ObjectType::Tree, &raw)?;
    let odb = repo.odb()?;
    if !odb.exists(id) {
        odb.write(ObjectType::Tree, &raw)?;
    }
    Ok(id)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use git2::build::TreeUpdateBuilder;
    use git2::{FileMode, Oid, Repository};

    use super::{Update, updated};

    /// The same updates give the tree libgit2's builder gives: names that sort
    /// differently as folders (`a` against `a.txt` and `a0`), a folder emptied,
    /// a new nested folder. And a file replacing a folder or the reverse, which
    /// libgit2's builder refuses.
    #[test]
    fn trees_are_written_as_git_writes_them() {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init(dir.path()).unwrap();
        let blob = |text: &str| repo.blob(text.as_bytes()).unwrap();
        let (one, two) = (blob("one"), blob("two"));
        let mut base = TreeUpdateBuilder::new();
        for path in ["a.txt", "a/x", "a0", "b/y", "c", "d/e/f", "g/h"] {
            base.upsert(path, one, FileMode::Blob);
        }
        let empty = repo.treebuilder(None).unwrap().write().unwrap();
        let base =
            repo.find_tree(base.create_updated(&repo, &repo.find_tree(empty).unwrap()).unwrap()).unwrap();
        let changes: [(&str, Option<(Oid, FileMode)>); 4] = [
            ("a/z", Some((two, FileMode::BlobExecutable))),
            ("d/e/f", None),
            ("new/deep/file", Some((two, FileMode::Blob))),
            ("a0", Some((two, FileMode::Blob))),
        ];
        let mut theirs = TreeUpdateBuilder::new();
        let mut ours: BTreeMap<String, Update> = BTreeMap::new();
        for (path, change) in changes {
            match change {
                Some((id, mode)) => theirs.upsert(path, id, mode),
                None => theirs.remove(path),
            };
            ours.insert(path.to_owned(), change.map(|(id, mode)| (id, i32::from(mode))));
        }
        let expected = theirs.create_updated(&repo, &base).unwrap();
        assert_eq!(updated(&repo, &base, &ours).unwrap(), expected);
        let folder_to_file =
            BTreeMap::from([("b".to_owned(), Some((two, 0o100644))), ("b/y".to_owned(), None)]);
        let tree = repo.find_tree(updated(&repo, &base, &folder_to_file).unwrap()).unwrap();
        let b = tree.get_name("b").unwrap();
        assert_eq!((b.id(), b.filemode()), (two, 0o100644));
        let file_to_folder =
            BTreeMap::from([("c".to_owned(), None), ("c/n".to_owned(), Some((two, 0o120000)))]);
        let tree = repo.find_tree(updated(&repo, &base, &file_to_folder).unwrap()).unwrap();
        assert_eq!(tree.get_path(std::path::Path::new("c/n")).unwrap().id(), two);
        // A blob that is not in the object database can be named.
        let absent = Oid::hash_object(git2::ObjectType::Blob, b"never stored").unwrap();
        let with_absent = BTreeMap::from([("g/big".to_owned(), Some((absent, 0o100644)))]);
        let tree = repo.find_tree(updated(&repo, &base, &with_absent).unwrap()).unwrap();
        assert_eq!(tree.get_path(std::path::Path::new("g/big")).unwrap().id(), absent);
        assert!(!repo.odb().unwrap().exists(absent));
    }
}
