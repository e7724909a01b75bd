//! Reading many objects of a walk at once, on worker threads.
//!
//! A long history spends most of evident's own time reading commits and the
//! changed state blobs out of the pack and parsing them, one after another.
//! Both are independent per object, so they are done ahead of the walk on a
//! few threads, each with its own libgit2 handle (a `Repository` is not shared
//! between threads): commits in even shares, and state blobs in batches while
//! the main thread is still reading `git diff-tree`. The walk itself stays
//! sequential and finds every object already parsed; anything a worker could
//! not do (the repository does not open, a thread fails) is simply done by
//! the walk as before, so the results are the same either way.

use std::collections::HashSet;
use std::sync::mpsc;

use git2::{Oid, Repository};

use super::GitRepo;
use super::narrow::Detail;

/// Below this many objects, threads cost more than they save.
const MIN_PARALLEL: usize = 256;
/// Blob ids handed to a worker at a time.
const BATCH: usize = 64;

/// Worker threads to use: the cores, at most four.
fn workers() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get()).min(4)
}

/// A state blob parsed (or not: `None`) by a worker.
pub(crate) type Parsed = (Oid, super::events::CachedState);

/// `f` applied to each id, in order, with the ids shared out among worker
/// threads; `None` when there are too few to share or a worker failed (the
/// caller then does the work itself).
pub(crate) fn map_ids<T: Send>(
    git: &GitRepo,
    ids: &[Oid],
    f: impl Fn(&Repository, Oid) -> T + Sync,
) -> Option<Vec<T>> {
    let n = workers();
    if n < 2 || ids.len() < MIN_PARALLEL {
        return None;
    }
    let path = git.repo.path();
    let f = &f;
    std::thread::scope(|s| {
        let handles: Vec<_> = ids
            .chunks(ids.len().div_ceil(n))
            .map(|part| {
                s.spawn(move || {
                    let repo = Repository::open(path).ok()?;
                    Some(part.iter().map(|&id| f(&repo, id)).collect::<Vec<T>>())
                })
            })
            .collect();
        let mut out = Vec::with_capacity(ids.len());
        for h in handles {
            out.extend(h.join().ok()??);
        }
        Some(out)
    })
}

/// Runs `read`, which names (through the function it is given) the state
/// blobs the walk will need, each with its file's path; those not `known`
/// are parsed on worker threads meanwhile. Returns what `read` returned and
/// the blobs parsed.
///
/// Each file's blobs go to the same worker: git stores the versions of a
/// file as deltas of one another, and a worker that reads them in order finds
/// the bases it needs in its own libgit2 cache.
pub(crate) fn states_while<R>(
    git: &GitRepo,
    detail: Detail,
    known: impl Fn(Oid) -> bool,
    read: impl FnOnce(&mut dyn FnMut(Oid, &str)) -> R,
) -> (R, Vec<Parsed>) {
    let n = workers();
    if n < 2 {
        return (read(&mut |_, _| {}), Vec::new());
    }
    let path = git.repo.path();
    let (senders, receivers): (Vec<_>, Vec<_>) = (0..n).map(|_| mpsc::channel::<Vec<Oid>>()).unzip();
    std::thread::scope(|s| {
        let handles: Vec<_> = receivers
            .into_iter()
            .map(|rx| {
                s.spawn(move || {
                    let repo = Repository::open(path).ok();
                    let mut out = Vec::new();
                    // Without a repository the batches are only drained; the walk parses them.
                    for batch in rx {
                        if let Some(repo) = &repo {
                            out.extend(batch.into_iter().map(|id| (id, state(repo, id, detail))));
                        }
                    }
                    out
                })
            })
            .collect();
        let mut seen = HashSet::new();
        let mut batches: Vec<Vec<Oid>> = (0..n).map(|_| Vec::with_capacity(BATCH)).collect();
        let result = read(&mut |id, file| {
            if !known(id) && seen.insert(id) {
                let worker = worker_of(file, n);
                batches[worker].push(id);
                if batches[worker].len() == BATCH {
                    let _ = senders[worker]
                        .send(std::mem::replace(&mut batches[worker], Vec::with_capacity(BATCH)));
                }
            }
        });
        for (batch, tx) in batches.into_iter().zip(&senders) {
            if !batch.is_empty() {
                let _ = tx.send(batch);
            }
        }
        drop(senders);
        let parsed = handles.into_iter().flat_map(|h| h.join().unwrap_or_default()).collect();
        (result, parsed)
    })
}

/// The worker that reads the blobs of `file`.
fn worker_of(file: &str, workers: usize) -> usize {
    use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher};
    BuildHasherDefault::<DefaultHasher>::default().hash_one(file) as usize % workers
}

/// A state blob parsed as the walk parses it.
fn state(repo: &Repository, id: Oid, detail: Detail) -> super::events::CachedState {
    super::events::read_state(repo, id, detail)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::testing::{git, write};

    /// The workers parse every blob named, once, as the walk would.
    #[test]
    fn workers_parse_what_the_walk_would() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        git(root, &["init", "-q", "-b", "main"]);
        let texts = [
            "[implementation]\nstatus = \"implemented\"\n",
            "owner = \"a@b.c\"\n[test]\nstatus = \"passed\"\ndate = 2026-01-02\n",
            "this is not toml = = \n",
            "implementation = { status = \"planned\", notes = \"\"\"\nlater\"\"\" }\n",
        ];
        for (i, text) in texts.iter().enumerate() {
            write(root, &format!("s{i}.toml"), text);
        }
        git(root, &["add", "-A"]);
        git(root, &["commit", "-qm", "one"]);
        let repo = GitRepo::open(root).unwrap();
        let tree = repo.tree_of(repo.head().unwrap().unwrap()).unwrap().unwrap();
        let ids: Vec<Oid> = tree.iter().map(|e| e.id()).collect();
        let first = ids[0];
        let ((), parsed) = states_while(
            &repo,
            Detail::Full,
            |id| id == first,
            |want| {
                for &id in ids.iter().chain(&ids) {
                    want(id, "");
                }
            },
        );
        if workers() < 2 {
            return;
        }
        let mut expected: Vec<Parsed> =
            ids[1..].iter().map(|&id| (id, state(&repo.repo, id, Detail::Full))).collect();
        let mut parsed = parsed;
        parsed.sort_by_key(|p| p.0);
        expected.sort_by_key(|p| p.0);
        assert_eq!(parsed, expected);
        assert!(parsed.iter().any(|p| p.1.is_none()), "the broken file is parsed as missing");
    }
}
