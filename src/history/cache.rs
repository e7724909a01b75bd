//! The on-disk cache of the timeline, under `.git/evident/`.
//!
//! A cache, never the truth: it stores the last timeline computed for the
//! main line, and a run reuses only the longest prefix of commits whose ids
//! still match (a commit's events and scores depend only on the commit and
//! its ancestors, which its id pins). A rewritten history is recomputed from
//! the first commit that differs; a damaged or foreign file is ignored.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::GitRepo;
use super::timeline::Timeline;

/// Bump when the timeline's meaning or layout changes.
const FORMAT: u32 = 1;
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
pub struct TimelineCache {
    path: PathBuf,
    prefix: String,
}

impl TimelineCache {
    pub fn of(git: &GitRepo) -> TimelineCache {
        let name = if git.prefix.is_empty() {
            "timeline.bin".to_owned()
        } else {
            format!("timeline-{}.bin", &crate::checks::evidence::sha256_bytes(git.prefix.as_bytes())[..16])
        };
        TimelineCache { path: git.repo.path().join("evident").join(name), prefix: git.prefix.clone() }
    }

    /// The cached timeline: `Ok(None)` when there is none, `Err` (with why)
    /// when the file cannot be used.
    pub fn load(&self) -> Result<Option<Timeline>, String> {
        let bytes = match std::fs::read(&self.path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e.to_string()),
        };
        let (header, rest): (Header, &[u8]) = postcard::take_from_bytes(&bytes).map_err(|e| e.to_string())?;
        if header.magic != MAGIC || header.format != FORMAT || header.prefix != self.prefix {
            return Err("written for another repository or format".into());
        }
        if header.version != env!("CARGO_PKG_VERSION") {
            // Not damage: another version's scoring may differ. Start again quietly.
            return Ok(None);
        }
        postcard::from_bytes(rest).map(Some).map_err(|e| e.to_string())
    }

    /// Stores a timeline.
    pub fn store(&self, timeline: &Timeline) -> Result<(), String> {
        let header = Header {
            magic: MAGIC.into(),
            format: FORMAT,
            version: env!("CARGO_PKG_VERSION").into(),
            prefix: self.prefix.clone(),
        };
        let mut bytes = postcard::to_stdvec(&header).map_err(|e| e.to_string())?;
        bytes.extend(postcard::to_stdvec(timeline).map_err(|e| e.to_string())?);
        let dir = self.path.parent().ok_or("no cache folder")?;
        std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
        // A temporary file renamed into place, so that a reader never sees half a
        // file; no fsync: a cache lost in a crash is simply rebuilt.
        let mut temp = tempfile::NamedTempFile::new_in(dir).map_err(|e| e.to_string())?;
        std::io::Write::write_all(&mut temp, &bytes).map_err(|e| e.to_string())?;
        temp.persist(&self.path).map(|_| ()).map_err(|e| e.error.to_string())
    }
}

/// How many leading commits of `cached` are the same as `mainline` (by id).
pub fn reusable(cached: &Timeline, mainline: &[git2::Oid]) -> usize {
    cached.commits.iter().zip(mainline).take_while(|(c, id)| c.id == id.to_string()).count()
}

/// Keeps only what the first `k` commits produced.
pub fn truncate(timeline: &mut Timeline, k: usize) {
    timeline.commits.truncate(k);
    timeline.events.retain(|e| e.commit < k);
    timeline.points.retain(|p| p.commit < k);
    timeline.problems.retain(|p| p.commit < k);
}
