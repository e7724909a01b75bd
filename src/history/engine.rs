//! The history engine: walks the main line of a branch oldest first, keeps a
//! [`Live`] workspace up to date from the changed files only, and records
//! status events and the scores after every commit.

use std::collections::HashMap;
use std::sync::Arc;

use git2::Oid;

use super::GitRepo;
use super::events::{self, BlobCache, CommitChanges, Parents, StateChange};
use super::live::Live;
use super::timeline::{CommitInfo, Problem, ScorePoint, StateSnapshot, StatusEvent, Timeline};
use crate::error::Result;
use crate::load::{Item, parse_typed};
use crate::model::{ActionId, ActionState, AssessmentId, Workspace};
use crate::repo::layout::{self, Entry};

/// How to read history.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Options {
    /// Also list the status events of commits on merged branches, by their
    /// own authors (scores still follow the main line).
    pub all_parents: bool,
}

/// Computes the scores after each commit.
pub(crate) trait Scorer {
    /// Everything may have changed (definitions, configuration, the first commit).
    fn reset(&mut self, ws: &Workspace);
    /// Only these state files changed since the last call.
    fn states_changed(
        &mut self,
        ws: &Workspace,
        changed: &[(crate::model::AssessmentId, crate::model::ActionId)],
    );
    /// The scores now.
    fn point(&self, commit: usize) -> ScorePoint;
}

#[cfg(test)]
/// The reference scorer: every score from scratch, with `score::compute`.
/// Slow on long histories; the incremental scorer is checked against it.
#[derive(Default)]
pub(crate) struct FullScorer {
    last: Option<crate::score::Scores>,
}

#[cfg(test)]
impl Scorer for FullScorer {
    fn reset(&mut self, ws: &Workspace) {
        self.last = Some(crate::score::compute(ws));
    }

    fn states_changed(&mut self, ws: &Workspace, _: &[(crate::model::AssessmentId, crate::model::ActionId)]) {
        self.reset(ws);
    }

    fn point(&self, commit: usize) -> ScorePoint {
        let Some(s) = &self.last else {
            return ScorePoint {
                commit,
                overall: super::timeline::Points::default(),
                assessments: Default::default(),
                categories: Default::default(),
                managed: Default::default(),
            };
        };
        ScorePoint {
            commit,
            overall: s.overall.into(),
            assessments: s.assessments.iter().map(|a| (a.id.as_str().into(), a.score.into())).collect(),
            categories: s
                .categories
                .iter()
                .filter_map(|c| Some((c.id.as_deref()?.into(), c.score.into())))
                .collect(),
            managed: s
                .managed
                .iter()
                .filter_map(|c| Some((c.id.as_deref()?.into(), c.score.into())))
                .collect(),
        }
    }
}

#[cfg(test)]
/// Builds the timeline of the history that leads to `head`.
pub fn build(
    git: &GitRepo,
    head: Oid,
    options: Options,
    scorer: &mut dyn Scorer,
    progress: &dyn Fn(u64),
) -> Result<Timeline> {
    let (mainline, ahead) = main_line(git, head)?;
    build_read(git, &mainline, Timeline::default(), ahead, options, scorer, progress)
}

/// The main line, its commits and their changes read ahead by [`main_line`].
pub(crate) struct ReadAhead {
    line: Vec<events::Logged>,
    cache: BlobCache,
}

/// The main line that ends at `head`, oldest first; with git, also every
/// commit of it and its changes, read in the same pass (then hand both to
/// [`build_read`]).
pub(crate) fn main_line(git: &GitRepo, head: Oid) -> Result<(Vec<Oid>, Option<ReadAhead>)> {
    let mut cache = BlobCache::for_timeline();
    match events::read_line(git, head, None, &mut cache) {
        Some(line) => Ok((line.iter().map(|c| c.id).collect(), Some(ReadAhead { line, cache }))),
        None => Ok((events::commits(git, None, head, true)?, None)),
    }
}

#[cfg(test)]
/// Continues `done`, the timeline of the first commits of `mainline`, to the
/// end of `mainline` (the whole history when `done` is empty).
pub(crate) fn build_from(
    git: &GitRepo,
    mainline: &[Oid],
    done: Timeline,
    options: Options,
    scorer: &mut dyn Scorer,
    progress: &dyn Fn(u64),
) -> Result<Timeline> {
    build_read(git, mainline, done, None, options, scorer, progress)
}

/// [`build_from`], with `mainline` and what [`main_line`] read ahead of it.
pub(crate) fn build_read(
    git: &GitRepo,
    mainline: &[Oid],
    done: Timeline,
    ahead: Option<ReadAhead>,
    options: Options,
    scorer: &mut dyn Scorer,
    progress: &dyn Fn(u64),
) -> Result<Timeline> {
    let mut start = done.commits.len().min(mainline.len());
    let mut timeline = Timeline { shallow: git.repo.is_shallow(), ..done };
    if start == mainline.len() && !options.all_parents {
        return Ok(timeline);
    }
    // Resume from the state after the last commit already done; when a file
    // does not parse there, from before the last commit that broke a file
    // (only a walk knows a broken file's last good version).
    let mut live = loop {
        if start == 0 {
            break Live::default();
        }
        if let Some(live) = resume_at(git, mainline[start - 1])? {
            break live;
        }
        start = timeline.problems.iter().map(|p| p.commit).filter(|&c| c < start).max().unwrap_or(0);
    };
    super::cache::truncate(&mut timeline, start);
    // One commit and one score point per main-line commit: grown once, not by doubling.
    timeline.commits.reserve(mainline.len() - start);
    timeline.points.reserve(mainline.len() - start);
    // The rest of the line with its changes: read ahead, or now from one
    // `git log` (checked to be exactly that rest), or else walked commit by commit.
    let (mut cache, read) = match ahead {
        Some(ReadAhead { mut line, cache }) if line.len() == mainline.len() => {
            (cache, Some(line.split_off(start)))
        }
        _ => {
            let mut cache = BlobCache::for_timeline();
            let base = start.checked_sub(1).map(|i| mainline[i]);
            let read = mainline.last().and_then(|&head| events::read_line(git, head, base, &mut cache));
            (cache, read.filter(|line| line.iter().map(|c| c.id).eq(mainline[start..].iter().copied())))
        }
    };
    let shallow_roots = git.shallow_roots();
    let mut walker = Walker {
        git,
        live: &mut live,
        scorer,
        timeline: &mut timeline,
        first: true,
        shallow_roots: &shallow_roots,
        snapshots: Snapshots::default(),
    };
    let visit = |c: CommitChanges, cache: &mut BlobCache| {
        progress(1);
        walker.commit(c, cache, !options.all_parents);
    };
    match read {
        Some(line) => events::walk_read(git, line, &mut cache, visit),
        None => events::walk_states(git, &mainline[start..], Parents::First, &mut cache, visit)?,
    }
    if options.all_parents {
        let head = mainline.last().copied();
        if let Some(head) = head {
            add_branch_events(git, head, &mut timeline, progress)?;
        }
    }
    Ok(timeline)
}

/// The live workspace after `commit`, as a walk from the first commit would
/// have left it (states of a missing assessment kept aside); `None` when a
/// file does not parse there.
fn resume_at(git: &GitRepo, commit: Oid) -> Result<Option<Live>> {
    let mut live = Live::default();
    let Some(tree) = git.tree_of(commit)? else { return Ok(Some(live)) };
    for (_, entry, blob) in git.data_files(&tree) {
        match git.blob(blob).ok().and_then(|b| parse_typed(&entry, &b)) {
            Some(item) => live.apply(entry, Some(item)),
            None => return Ok(None),
        }
    }
    Ok(Some(live))
}

/// Applies one main-line commit after another.
struct Walker<'a> {
    git: &'a GitRepo,
    live: &'a mut Live,
    scorer: &'a mut dyn Scorer,
    timeline: &'a mut Timeline,
    first: bool,
    /// Commits whose parents a shallow clone cut off: their files were not
    /// added by them, so they have no events.
    shallow_roots: &'a std::collections::HashSet<Oid>,
    snapshots: Snapshots,
}

/// The snapshots of the states, shared: made once per state blob (by the
/// blob cache), and the current one of each action kept, so that an event's
/// before is the previous event's after rather than a copy of it.
#[derive(Default)]
struct Snapshots {
    /// The snapshot of each state the live workspace holds, once the walk
    /// has changed it (before that, made from the live workspace).
    current: HashMap<(AssessmentId, ActionId), Arc<StateSnapshot>>,
}

impl Walker<'_> {
    fn commit(&mut self, c: CommitChanges, cache: &BlobCache, with_events: bool) {
        let with_events = with_events && !self.shallow_roots.contains(&c.id);
        let index = self.timeline.commits.len();
        self.timeline.commits.push(info(&c));
        let mut definitions = false;
        for f in &c.files {
            let entry = layout::classify(&f.change.path);
            if !entry.is_data() {
                continue;
            }
            definitions = true;
            match f.change.new {
                None => self.live.apply(entry, None),
                Some(blob) => match self.git.blob(blob).ok().and_then(|b| parse_typed(&entry, &b)) {
                    Some(item) => self.live.apply(entry, Some(item)),
                    None => self.problem(index, &f.change.path, blob),
                },
            }
        }
        let mut changed = Vec::new();
        for s in &c.states {
            let Some(state) = self.apply_state(index, s, cache) else { continue };
            if with_events && s.renamed_from.is_none() && s.renamed_to.is_none() {
                let (before, after) = state;
                if before != after {
                    self.timeline.events.push(StatusEvent {
                        commit: index,
                        assessment: s.assessment.to_string(),
                        action: s.action.to_string(),
                        before,
                        after,
                    });
                }
            }
            changed.push((s.assessment.clone(), s.action.clone()));
        }
        if definitions || self.first {
            self.scorer.reset(&self.live.ws);
        } else if !changed.is_empty() {
            self.scorer.states_changed(&self.live.ws, &changed);
        }
        self.first = false;
        self.timeline.points.push(self.scorer.point(index));
    }

    /// Applies a state change; returns the snapshots before and after, or
    /// `None` when the new version cannot be read (the last good one stays).
    #[allow(clippy::type_complexity)]
    fn apply_state(
        &mut self,
        index: usize,
        s: &StateChange,
        cache: &BlobCache,
    ) -> Option<(Option<Arc<StateSnapshot>>, Option<Arc<StateSnapshot>>)> {
        let key = (s.assessment.clone(), s.action.clone());
        let before = match self.snapshots.current.get(&key) {
            Some(current) => Some(Arc::clone(current)),
            None => {
                self.live.state(&s.assessment, &s.action).map(|state| Arc::new(StateSnapshot::from(state)))
            }
        };
        let entry = Entry::State(s.assessment.clone(), s.action.clone());
        match (&s.new, s.new_exists) {
            (Some(new), _) => {
                let after = snapshot(cache, s.new_blob, new);
                self.snapshots.current.insert(key, Arc::clone(&after));
                self.live.apply(entry, Some(Item::State(scored_part(new))));
                Some((before, Some(after)))
            }
            (None, false) => {
                self.snapshots.current.remove(&key);
                self.live.apply(entry, None);
                Some((before, None))
            }
            (None, true) => {
                self.problem_message(index, &s.path, s.new_blob);
                None
            }
        }
    }

    fn problem(&mut self, index: usize, path: &str, blob: Oid) {
        self.problem_message(index, path, Some(blob));
    }

    fn problem_message(&mut self, index: usize, path: &str, blob: Option<Oid>) {
        let message = blob
            .and_then(|b| self.git.blob(b).ok())
            .map(|bytes| first_problem(path, &bytes))
            .unwrap_or_else(|| "cannot be read".to_owned());
        self.timeline.problems.push(Problem { commit: index, path: path.to_owned(), message });
    }
}

/// The snapshot of a state read from `blob`: the one the timeline's cache
/// made when it read the blob (its state keeps no evidence names), or, from a
/// cache that keeps states whole, one made now.
fn snapshot(cache: &BlobCache, blob: Option<Oid>, state: &ActionState) -> Arc<StateSnapshot> {
    blob.and_then(|b| cache.snapshot(b)).unwrap_or_else(|| Arc::new(StateSnapshot::from(state)))
}

/// A copy of a state for the live workspace, which only the scorer reads:
/// without the evidence (the snapshots keep its names), the longest part of
/// most states.
fn scored_part(state: &ActionState) -> ActionState {
    ActionState {
        owner: state.owner.clone(),
        accepted_version: state.accepted_version,
        testing: state.testing,
        implementation: state.implementation.clone(),
        test: state.test.clone(),
        evidence: Vec::new(),
    }
}

/// What the full loader says is wrong with a file.
fn first_problem(path: &str, bytes: &[u8]) -> String {
    use crate::schema::FileKind;
    let diags = match layout::classify(path) {
        Entry::Config => {
            crate::load::parse::<crate::model::Config>(FileKind::Config, path, bytes).diagnostics
        }
        Entry::Template(_) => {
            crate::load::parse::<crate::model::Template>(FileKind::Template, path, bytes).diagnostics
        }
        Entry::Action(_) => {
            crate::load::parse::<crate::model::Action>(FileKind::Action, path, bytes).diagnostics
        }
        Entry::Assessment(_) => {
            crate::load::parse::<crate::model::Assessment>(FileKind::Assessment, path, bytes).diagnostics
        }
        Entry::State(..) => crate::load::parse::<ActionState>(FileKind::State, path, bytes).diagnostics,
        _ => Vec::new(),
    };
    diags.into_iter().find(|d| d.is_error()).map(|d| d.message).unwrap_or_else(|| "cannot be read".to_owned())
}

fn info(c: &CommitChanges) -> CommitInfo {
    CommitInfo {
        id: c.id.to_string(),
        author_name: c.author.name.clone(),
        author_email: c.author.email.clone(),
        time: c.author.time,
        offset_minutes: c.author.offset_minutes,
        summary: c.summary.clone(),
    }
}

/// Events of the commits on merged branches, each attributed to its own
/// author; merges then count only what they changed themselves.
fn add_branch_events(
    git: &GitRepo,
    head: Oid,
    timeline: &mut Timeline,
    progress: &dyn Fn(u64),
) -> Result<()> {
    let all = events::commits(git, None, head, false)?;
    let mut events = Vec::new();
    let mut commits = Vec::new();
    let mut cache = BlobCache::for_timeline();
    let shallow_roots = git.shallow_roots();
    events::walk_states(git, &all, Parents::All, &mut cache, |c, cache| {
        progress(1);
        let index = commits.len();
        commits.push(info(&c));
        let states = if shallow_roots.contains(&c.id) { &[][..] } else { &c.states[..] };
        for s in states {
            if s.renamed_from.is_some() || s.renamed_to.is_some() || (s.new.is_none() && s.new_exists) {
                continue;
            }
            let before = s.old.as_ref().map(|state| snapshot(cache, s.old_blob, state));
            let after = s.new.as_ref().map(|state| snapshot(cache, s.new_blob, state));
            if before != after {
                events.push(StatusEvent {
                    commit: index,
                    assessment: s.assessment.to_string(),
                    action: s.action.to_string(),
                    before,
                    after,
                });
            }
        }
    })?;
    // Re-number the score points to the full commit list.
    let position: std::collections::HashMap<&str, usize> =
        commits.iter().enumerate().map(|(i, c)| (c.id.as_str(), i)).collect();
    for p in &mut timeline.points {
        p.commit = position.get(timeline.commits[p.commit].id.as_str()).copied().unwrap_or(p.commit);
    }
    for p in &mut timeline.problems {
        p.commit = position.get(timeline.commits[p.commit].id.as_str()).copied().unwrap_or(p.commit);
    }
    timeline.commits = commits;
    timeline.events = events;
    Ok(())
}
