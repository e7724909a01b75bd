//! The on-disk cache of the timeline, under `.git/evident/`.
//!
//! A cache, never the truth: it stores the last timeline computed for the
//! main line, and a run reuses only the longest prefix of commits whose ids
//! still match (a commit's events and scores depend only on the commit and
//! its ancestors, which its id pins). A rewritten history is recomputed from
//! the first commit that differs; a damaged or foreign file is ignored.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::GitRepo;
use super::timeline::Timeline;

/// Bump when the timeline's meaning or layout changes. 2: packed (each
/// snapshot and id once, see `packed`).
const FORMAT: u32 = 2;
const MAGIC: &str = "evident timeline cache";

#[derive(Serialize, Deserialize)]
struct Header {
    magic: String,
    format: u32,
    /// The evident version that wrote it: scoring rules may change between versions.
    version: String,
    /// The compliance repository's path in the git work tree.
    prefix: String,
}

/// Where the timeline of one compliance repository is cached.
pub(crate) struct TimelineCache {
    path: PathBuf,
    prefix: String,
}

impl TimelineCache {
    pub(crate) fn of(git: &GitRepo) -> TimelineCache {
        let name = if git.prefix.is_empty() {
            "timeline.bin".to_owned()
        } else {
            format!("timeline-{}.bin", &format!("{:x}", Sha256::digest(git.prefix.as_bytes()))[..16])
        };
        TimelineCache { path: git.repo.path().join("evident").join(name), prefix: git.prefix.clone() }
    }

    /// The cached timeline: `Ok(None)` when there is none, `Err` (with why)
    /// when the file cannot be used.
    pub(crate) fn load(&self) -> Result<Option<Timeline>, String> {
        let Some(bytes) = self.read()? else { return Ok(None) };
        let (header, rest): (Header, &[u8]) = postcard::take_from_bytes(&bytes).map_err(|e| e.to_string())?;
        if header.magic != MAGIC || header.format > FORMAT || header.prefix != self.prefix {
            return Err("written for another repository or format".into());
        }
        if header.format < FORMAT || header.version != env!("CARGO_PKG_VERSION") {
            // Not damage: an older format, or another version whose scoring may
            // differ. Start again quietly.
            return Ok(None);
        }
        super::packed::unpack(rest).map(Some)
    }

    /// The file's bytes, `None` when there is none. Only a regular file in a
    /// real folder is read: a link or a device there (`/dev/zero`, a pipe)
    /// would read without end or block, and a link is not what evident wrote.
    fn read(&self) -> Result<Option<Vec<u8>>, String> {
        use std::io::Read;
        if let Some(dir) = self.path.parent()
            && std::fs::symlink_metadata(dir).is_ok_and(|m| !m.file_type().is_dir())
        {
            return Err(format!("{} is not a folder", dir.display()));
        }
        match std::fs::symlink_metadata(&self.path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e.to_string()),
            Ok(m) if !m.file_type().is_file() => return Err("not a regular file".into()),
            Ok(_) => {}
        }
        let mut file = std::fs::File::open(&self.path).map_err(|e| e.to_string())?;
        let meta = file.metadata().map_err(|e| e.to_string())?;
        if !meta.is_file() {
            return Err("not a regular file".into());
        }
        let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0).min(1 << 30));
        file.read_to_end(&mut bytes).map_err(|e| e.to_string())?;
        Ok(Some(bytes))
    }

    /// Stores a timeline.
    pub(crate) fn store(&self, timeline: &Timeline) -> Result<(), String> {
        let header = Header {
            magic: MAGIC.into(),
            format: FORMAT,
            version: env!("CARGO_PKG_VERSION").into(),
            prefix: self.prefix.clone(),
        };
        let dir = self.path.parent().ok_or("no cache folder")?;
        std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
        // A temporary file renamed into place, so that a reader never sees half a
        // file; no fsync: a cache lost in a crash is simply rebuilt. Written through
        // a buffer rather than built in memory first: a long history's cache is
        // tens of megabytes, and growing one vector to that size costs more than
        // the serialising.
        if std::fs::symlink_metadata(dir).is_ok_and(|m| !m.file_type().is_dir()) {
            return Err(format!("{} is not a folder", dir.display()));
        }
        let mut temp = tempfile::Builder::new()
            .prefix(TEMP_PREFIX)
            .suffix(".tmp")
            .tempfile_in(dir)
            .map_err(|e| e.to_string())?;
        {
            let mut out = std::io::BufWriter::with_capacity(1 << 16, temp.as_file_mut());
            postcard::to_io(&header, &mut out).map_err(|e| e.to_string())?;
            super::packed::pack(timeline, &mut out)?;
            std::io::Write::flush(&mut out).map_err(|e| e.to_string())?;
        }
        temp.persist(&self.path).map_err(|e| e.error.to_string())?;
        remove_stale_temps(dir);
        Ok(())
    }
}

/// The start of the names of the cache's temporary files.
const TEMP_PREFIX: &str = ".timeline-";

/// Removes the temporary files of runs killed while writing the cache (each
/// as large as the cache), once they are old enough that no run still
/// writes them.
fn remove_stale_temps(dir: &std::path::Path) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    for entry in entries.flatten() {
        let name = entry.file_name();
        let ours = name.to_str().is_some_and(|n| n.starts_with(TEMP_PREFIX) && n.ends_with(".tmp"));
        let stale = entry
            .metadata()
            .is_ok_and(|m| m.file_type().is_file() && m.modified().is_ok_and(|t| t < hour_ago));
        if ours && stale {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// How many leading commits of `cached` are the same as `mainline` (by id).
pub(crate) fn reusable(cached: &Timeline, mainline: &[git2::Oid]) -> usize {
    cached.commits.iter().zip(mainline).take_while(|(c, id)| c.id == id.to_string()).count()
}

/// Keeps only what the first `k` commits produced.
pub(crate) fn truncate(timeline: &mut Timeline, k: usize) {
    timeline.commits.truncate(k);
    timeline.events.retain(|e| e.commit < k);
    timeline.points.retain(|p| p.commit < k);
    timeline.problems.retain(|p| p.commit < k);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::engine::{Options, build, build_from};
    use crate::history::scorer::IncrementalScorer;
    use crate::history::testing::{git as run_git, one_action, write};

    /// A repository of `n` commits, each changing the state of action a (1 point).
    fn repo(n: usize) -> (tempfile::TempDir, GitRepo) {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        run_git(root, &["init", "-q", "-b", "main"]);
        one_action(root);
        write(
            root,
            "assessments/s/assessment.toml",
            "id = \"s\"\nname = \"s\"\ntemplate = \"t\"\ntemplate_version = 1\n",
        );
        for i in 0..n {
            let test = if i % 2 == 0 { "none" } else { "passed" };
            write(
                root,
                "assessments/s/a.toml",
                &format!(
                    "[implementation]\nstatus = \"implemented\"\n\n[test]\nstatus = \"{test}\"\nnotes = \"note {i}.\"\n"
                ),
            );
            run_git(root, &["add", "-A"]);
            run_git(root, &["commit", "-qm", &format!("commit {i}")]);
        }
        let repo = GitRepo::open(root).unwrap();
        (dir, repo)
    }

    /// The file name of a sub-folder's cache is the start of its prefix's
    /// SHA-256: changing it would orphan every cache written before.
    #[test]
    fn a_sub_folder_cache_is_named_by_its_prefix_hash() {
        let (_dir, mut git) = repo(0);
        assert!(TimelineCache::of(&git).path.ends_with("evident/timeline.bin"));
        git.prefix = "compliance/".to_owned();
        assert!(TimelineCache::of(&git).path.ends_with("evident/timeline-e7689dad68f28ac2.bin"));
    }

    fn timeline_of(git: &GitRepo) -> Timeline {
        let head = git.head().unwrap().unwrap();
        build(git, head, Options::default(), &mut IncrementalScorer::default(), &|_| {}).unwrap()
    }

    fn bytes(t: &Timeline) -> Vec<u8> {
        postcard::to_stdvec(t).unwrap()
    }

    fn mainline(git: &GitRepo) -> Vec<git2::Oid> {
        crate::history::events::commits(git, None, git.head().unwrap().unwrap(), true).unwrap()
    }

    /// Each event's before is the previous event's after, shared rather than
    /// copied (a long history holds tens of thousands of them).
    #[test]
    fn events_share_their_snapshots() {
        let (_dir, git) = repo(4);
        let timeline = timeline_of(&git);
        assert_eq!(timeline.events.len(), 4);
        assert!(timeline.events[0].before.is_none(), "the state file is added");
        for pair in timeline.events.windows(2) {
            let (after, before) = (pair[0].after.as_ref().unwrap(), pair[1].before.as_ref().unwrap());
            assert!(std::sync::Arc::ptr_eq(after, before));
        }
    }

    #[test]
    fn round_trip_and_header_mismatches() {
        let (_dir, git) = repo(3);
        let timeline = timeline_of(&git);
        let cache = TimelineCache::of(&git);
        assert!(cache.load().unwrap().is_none(), "no file yet");
        cache.store(&timeline).unwrap();
        assert_eq!(bytes(&cache.load().unwrap().unwrap()), bytes(&timeline));
        // The same file read for another compliance repository of the work tree.
        let other = TimelineCache { path: cache.path.clone(), prefix: "sub/".into() };
        assert_eq!(other.load().err().as_deref(), Some("written for another repository or format"));
        let good = std::fs::read(&cache.path).unwrap();
        // The magic string (length 22, then its bytes), then the format number.
        assert_eq!(good[0] as usize, MAGIC.len());
        // A format this version does not know.
        let mut format = good.clone();
        format[1 + MAGIC.len()] = FORMAT as u8 + 1;
        std::fs::write(&cache.path, &format).unwrap();
        assert!(cache.load().is_err());
        // An older format: written before an upgrade, not damage; just no cache.
        format[1 + MAGIC.len()] = FORMAT as u8 - 1;
        std::fs::write(&cache.path, &format).unwrap();
        assert!(cache.load().unwrap().is_none());
        let mut magic = good.clone();
        magic[1] = b'E';
        std::fs::write(&cache.path, &magic).unwrap();
        assert!(cache.load().is_err());
        // Another evident version: not damage, just no cache.
        let version = env!("CARGO_PKG_VERSION").as_bytes();
        let at = good.windows(version.len()).position(|w| w == version).unwrap();
        let mut older = good.clone();
        older[at] = if older[at] == b'0' { b'9' } else { b'0' };
        std::fs::write(&cache.path, &older).unwrap();
        assert!(cache.load().unwrap().is_none());
    }

    /// A cache of the first format (every event's snapshots in full, ids in
    /// every score point) is rebuilt, not read as the packed one.
    #[test]
    fn a_first_format_cache_is_rebuilt_quietly() {
        let (_dir, git) = repo(3);
        let timeline = timeline_of(&git);
        let cache = TimelineCache::of(&git);
        let header = Header {
            magic: MAGIC.into(),
            format: 1,
            version: env!("CARGO_PKG_VERSION").into(),
            prefix: String::new(),
        };
        let mut old = postcard::to_stdvec(&header).unwrap();
        old.extend(postcard::to_stdvec(&timeline).unwrap());
        std::fs::create_dir_all(cache.path.parent().unwrap()).unwrap();
        std::fs::write(&cache.path, &old).unwrap();
        assert!(cache.load().unwrap().is_none());
    }

    /// The file holds each snapshot once, though it is the after of one event
    /// and the before of the next, and reading it shares them again, as it
    /// shares each score id among the points.
    #[test]
    fn snapshots_and_ids_are_stored_once_and_shared_again() {
        let (_dir, git) = repo(6);
        let cache = TimelineCache::of(&git);
        cache.store(&timeline_of(&git)).unwrap();
        let file = std::fs::read(&cache.path).unwrap();
        let count = |s: &str| file.windows(s.len()).filter(|w| *w == s.as_bytes()).count();
        for i in 0..6 {
            assert_eq!(count(&format!("note {i}.")), 1, "snapshot {i}");
        }
        assert_eq!(count("control-access"), 1, "a category id");
        let loaded = cache.load().unwrap().unwrap();
        for pair in loaded.events.windows(2) {
            let (after, before) = (pair[0].after.as_ref().unwrap(), pair[1].before.as_ref().unwrap());
            assert!(std::sync::Arc::ptr_eq(after, before));
        }
        let first = &loaded.points[0];
        for p in &loaded.points {
            assert!(std::sync::Arc::ptr_eq(&p.assessments[0].0, &first.assessments[0].0));
            assert!(std::sync::Arc::ptr_eq(&p.categories[0].0, &first.categories[0].0));
            assert!(std::sync::Arc::ptr_eq(&p.managed[1].0, &first.managed[1].0));
        }
        assert_eq!(&*first.managed[1].0, "provider");
    }

    /// Whatever a byte of the file is changed to, reading it returns (a
    /// timeline or a refusal) and never panics.
    #[test]
    fn damaged_bytes_never_panic() {
        let (_dir, git) = repo(3);
        let cache = TimelineCache::of(&git);
        cache.store(&timeline_of(&git)).unwrap();
        let good = std::fs::read(&cache.path).unwrap();
        for at in 0..good.len() {
            for byte in [0, 1, 2, 0x7f, 0x80, 0xff, good[at] ^ 1] {
                let mut bad = good.clone();
                bad[at] = byte;
                std::fs::write(&cache.path, &bad).unwrap();
                let _ = cache.load();
            }
        }
    }

    /// A link or a device where the cache belongs is not read (`/dev/zero`
    /// would be read until memory ran out, a pipe would block), and storing
    /// replaces the link rather than writing through it.
    #[cfg(unix)]
    #[test]
    fn only_a_regular_file_is_read() {
        let (dir, git) = repo(2);
        let cache = TimelineCache::of(&git);
        let timeline = timeline_of(&git);
        let elsewhere = dir.path().join("elsewhere.bin");
        cache.store(&timeline).unwrap();
        std::fs::rename(&cache.path, &elsewhere).unwrap();
        for target in [elsewhere.as_path(), std::path::Path::new("/dev/zero")] {
            std::os::unix::fs::symlink(target, &cache.path).unwrap();
            assert_eq!(cache.load().err().as_deref(), Some("not a regular file"));
            std::fs::remove_file(&cache.path).unwrap();
        }
        let fifo = std::process::Command::new("mkfifo").arg(&cache.path).status();
        if fifo.is_ok_and(|s| s.success()) {
            assert_eq!(cache.load().err().as_deref(), Some("not a regular file"));
            std::fs::remove_file(&cache.path).unwrap();
        }
        std::os::unix::fs::symlink(&elsewhere, &cache.path).unwrap();
        cache.store(&timeline).unwrap();
        assert!(std::fs::symlink_metadata(&cache.path).unwrap().file_type().is_file());
        assert!(cache.load().unwrap().is_some());
    }

    /// A run killed while writing leaves its temporary file; the next run
    /// that stores the cache removes it once it is an hour old.
    #[test]
    fn temporary_files_of_killed_runs_are_removed() {
        let (_dir, git) = repo(2);
        let cache = TimelineCache::of(&git);
        let folder = cache.path.parent().unwrap().to_owned();
        std::fs::create_dir_all(&folder).unwrap();
        let (old, new, other) =
            (folder.join(".timeline-abc.tmp"), folder.join(".timeline-def.tmp"), folder.join("journal"));
        for f in [&old, &new, &other] {
            std::fs::write(f, "x").unwrap();
        }
        let two_hours_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(7200);
        std::fs::File::options().write(true).open(&old).unwrap().set_modified(two_hours_ago).unwrap();
        std::fs::File::options().write(true).open(&other).unwrap().set_modified(two_hours_ago).unwrap();
        cache.store(&timeline_of(&git)).unwrap();
        assert!(!old.exists(), "an old temporary file is removed");
        assert!(new.exists(), "one being written is kept");
        assert!(other.exists(), "other files are left alone");
        let names: Vec<String> = std::fs::read_dir(&folder)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert!(!names.iter().any(|n| n.starts_with(".tmp")), "{names:?}");
    }

    #[test]
    fn every_truncation_is_refused() {
        let (_dir, git) = repo(4);
        let cache = TimelineCache::of(&git);
        cache.store(&timeline_of(&git)).unwrap();
        let good = std::fs::read(&cache.path).unwrap();
        for len in 0..good.len() {
            std::fs::write(&cache.path, &good[..len]).unwrap();
            assert!(cache.load().is_err(), "a file cut to {len} of {} bytes was accepted", good.len());
        }
    }

    #[test]
    fn reuses_the_matching_prefix_only() {
        let (dir, git) = repo(5);
        let full = timeline_of(&git);
        let ids = mainline(&git);
        assert_eq!(reusable(&full, &ids), 5);
        assert_eq!(reusable(&full, &ids[..3]), 3);
        // History rewritten from the fourth commit: three commits still match.
        run_git(dir.path(), &["reset", "-q", "--hard", "HEAD~2"]);
        write(dir.path(), "assessments/s/a.toml", "[implementation]\nstatus = \"planned\"\n");
        run_git(dir.path(), &["commit", "-qam", "rewritten"]);
        let rewritten = mainline(&git);
        assert_eq!(reusable(&full, &rewritten), 3);
        let mut kept = full.clone();
        truncate(&mut kept, 3);
        assert_eq!(kept.commits.len(), 3);
        assert_eq!(kept.points.len(), 3);
        assert!(kept.events.iter().all(|e| e.commit < 3));
        assert_eq!(kept.events.len(), 3, "one event per commit");
    }

    #[test]
    fn build_from_reads_only_new_commits() {
        let (dir, git) = repo(4);
        let mut done = timeline_of(&git);
        // Mark a reused commit: a run that re-read it would lose the mark.
        done.commits[0].summary = "from the cache".into();
        for i in 4..7 {
            write(
                dir.path(),
                "assessments/s/a.toml",
                &format!(
                    "[implementation]\nstatus = \"implemented\"\n\n[test]\nstatus = \"failed-low\"\nnotes = \"{i}\"\n"
                ),
            );
            run_git(dir.path(), &["commit", "-qam", &format!("commit {i}")]);
        }
        let ids = mainline(&git);
        let read = std::cell::Cell::new(0);
        let resumed =
            build_from(&git, &ids, done, Options::default(), &mut IncrementalScorer::default(), &|n| {
                read.set(read.get() + n)
            })
            .unwrap();
        assert_eq!(read.get(), 3, "only the three new commits are read");
        assert_eq!(resumed.commits[0].summary, "from the cache");
        let mut fresh = timeline_of(&git);
        fresh.commits[0].summary = "from the cache".into();
        assert_eq!(bytes(&resumed), bytes(&fresh));
        // Scores: passed at 1 and 3 (1/1), failed from 4 on (0/1).
        let earned: Vec<u64> = resumed.points.iter().map(|p| p.overall.earned).collect();
        assert_eq!(earned, [0, 1, 0, 1, 0, 0, 0]);
    }

    #[test]
    fn resume_goes_back_to_the_commit_that_broke_a_file() {
        let (dir, git) = repo(3);
        // Commit 3 breaks a definition file; commit 4 changes a state.
        write(dir.path(), "actions/a.toml", "id = \"a\"\ntitle = [broken\n");
        run_git(dir.path(), &["commit", "-qam", "break a"]);
        write(
            dir.path(),
            "assessments/s/a.toml",
            "[implementation]\nstatus = \"implemented\"\n\n[test]\nstatus = \"passed\"\n",
        );
        run_git(dir.path(), &["commit", "-qam", "pass"]);
        let done = timeline_of(&git);
        assert_eq!(done.problems.len(), 1);
        assert_eq!(done.problems[0].commit, 3);
        run_git(dir.path(), &["commit", "-q", "--allow-empty", "-m", "later"]);
        let ids = mainline(&git);
        let read = std::cell::Cell::new(0);
        let resumed =
            build_from(&git, &ids, done, Options::default(), &mut IncrementalScorer::default(), &|n| {
                read.set(read.get() + n)
            })
            .unwrap();
        // From commit 3 (the break) to 5: three commits, not six.
        assert_eq!(read.get(), 3);
        assert_eq!(bytes(&resumed), bytes(&timeline_of(&git)));
        // The last good action (1 point) still scores: passed from commit 4.
        let earned: Vec<u64> = resumed.points.iter().map(|p| p.overall.earned).collect();
        assert_eq!(earned, [0, 1, 0, 0, 1, 1]);
    }
}
