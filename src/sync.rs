//! Group synchronisation: bring every assessment of a group to the same state
//! for each action they share (docs/design/rules.md).
//!
//! For each shared action the members disagree on, history is walked back
//! from HEAD to the last commit where they agreed. Members whose state changed
//! since then are the sides; one side (or several with the same new state)
//! wins and is copied to the rest. Two different sides are a conflict, which
//! only `--prefer ASSESSMENT` resolves. Uncommitted changes count as the most
//! recent change.

use crate::checks::group::{Disagreement, disagreements};
use crate::history::GitRepo;
use crate::history::events::BlobCache;
use crate::model::{ActionId, ActionState, AssessmentId, GroupId, Workspace};
use crate::repo::layout::{assessment_path, state_path};

/// How one disagreement is settled.
#[derive(Clone, Debug)]
pub(crate) enum Resolution {
    /// Copy `from`'s state to `to`.
    Copy { from: AssessmentId, to: Vec<AssessmentId>, reason: String },
    /// Two sides changed since the members last agreed.
    Conflict { sides: Vec<Side>, reason: String },
}

/// A member whose state changed since the last agreement.
#[derive(Clone, Debug)]
pub(crate) struct Side {
    pub assessment: AssessmentId,
    /// [`UNCOMMITTED`] (never committed), [`UNCOMMITTED_CHANGES`], or "1a2b3c4 (Ana Lima, 2026-03-04)".
    pub changed_in: String,
}

/// A side whose assessment was never committed.
pub(crate) const UNCOMMITTED: &str = "uncommitted";
/// A side whose state differs from its committed one.
pub(crate) const UNCOMMITTED_CHANGES: &str = "uncommitted changes";

impl Side {
    /// "`gdpr-2027` (uncommitted)", "`gdpr-2026` (changed in 1a2b3c4 (Ana, 2026-03-04))".
    pub(crate) fn describe(&self) -> String {
        match self.changed_in.as_str() {
            UNCOMMITTED | UNCOMMITTED_CHANGES => format!("`{}` ({})", self.assessment, self.changed_in),
            commit => format!("`{}` (changed in {commit})", self.assessment),
        }
    }
}

#[derive(Clone, Debug)]
pub(crate) struct Plan {
    pub group: GroupId,
    pub action: ActionId,
    pub resolution: Resolution,
}

type Synced = (Option<String>, crate::model::Implementation, crate::model::Test, Vec<crate::model::Evidence>);

fn synced(s: &ActionState) -> Synced {
    (s.owner.clone(), s.implementation.clone(), s.test.clone(), s.evidence.clone())
}

/// Plans the synchronisation of every group.
pub(crate) fn plan(ws: &Workspace, git: Option<&GitRepo>, prefer: Option<&AssessmentId>) -> Vec<Plan> {
    let mut cache = BlobCache::default();
    disagreements(ws)
        .into_iter()
        .map(|d| Plan {
            group: d.group.clone(),
            action: d.action.clone(),
            resolution: resolve(&d, git, prefer, &mut cache),
        })
        .collect()
}

fn resolve(
    d: &Disagreement<'_>,
    git: Option<&GitRepo>,
    prefer: Option<&AssessmentId>,
    cache: &mut BlobCache,
) -> Resolution {
    let members: Vec<&AssessmentId> = d.states.iter().map(|(m, _)| *m).collect();
    let copy_from = |winner: &AssessmentId, reason: String| {
        let target = synced(
            &d.states
                .iter()
                .find(|(m, _)| *m == winner)
                .map(|(_, s)| s.clone().into_owned())
                .unwrap_or_default(),
        );
        Resolution::Copy {
            from: winner.clone(),
            to: d.states.iter().filter(|(_, s)| synced(s) != target).map(|(m, _)| (*m).clone()).collect(),
            reason,
        }
    };
    if let Some(p) = prefer.filter(|p| members.contains(p)) {
        return copy_from(p, format!("`--prefer {p}`"));
    }
    let Some(git) = git else {
        return Resolution::Conflict {
            sides: members
                .iter()
                .map(|m| Side { assessment: (*m).clone(), changed_in: "unknown".into() })
                .collect(),
            reason: "the repository is not in git, so the most recent change is unknown".into(),
        };
    };
    let agreed = last_agreement(git, d, cache);
    let Some((agreed_state, agreed_at)) = agreed else {
        return Resolution::Conflict {
            sides: members.iter().map(|m| side(git, d, m, cache)).collect(),
            reason: "they have never agreed in the history".into(),
        };
    };
    // Sides: members that moved away from the agreed state, grouped by where they went.
    let changed: Vec<(&AssessmentId, Synced)> =
        d.states.iter().map(|(m, s)| (*m, synced(s))).filter(|(_, s)| *s != agreed_state).collect();
    let first = &changed[0].1;
    if changed.iter().all(|(_, s)| s == first) {
        let winner = changed[0].0;
        let when = side(git, d, winner, cache).changed_in;
        return copy_from(winner, format!("the most recent change, {when}; they agreed at {agreed_at}"));
    }
    Resolution::Conflict {
        sides: changed.iter().map(|(m, _)| side(git, d, m, cache)).collect(),
        reason: format!("both changed since they last agreed at {agreed_at}"),
    }
}

/// The synced state every member had at the most recent commit where they
/// all agreed, and a description of that commit.
fn last_agreement(git: &GitRepo, d: &Disagreement<'_>, cache: &mut BlobCache) -> Option<(Synced, String)> {
    let head = git.head().ok().flatten()?;
    let mut commit = git.commit(head).ok()?;
    loop {
        let tree = git.tree_of(commit.id()).ok()?;
        let states: Vec<Synced> =
            d.states.iter().map(|(m, _)| state_at(git, tree.as_ref(), m, d.action, cache)).collect();
        if states.windows(2).all(|w| w[0] == w[1]) {
            return Some((states[0].clone(), describe(&commit)));
        }
        commit = commit.parent(0).ok()?;
    }
}

fn state_at(
    git: &GitRepo,
    tree: Option<&git2::Tree<'_>>,
    m: &AssessmentId,
    action: &ActionId,
    cache: &mut BlobCache,
) -> Synced {
    let state = tree
        .and_then(|t| git.blob_at(t, &state_path(m.as_str(), action.as_str())))
        .and_then(|b| cache.state(git, b))
        .unwrap_or_default();
    synced(&state)
}

/// When a member's state last changed: uncommitted, or the newest commit that changed it.
fn side(git: &GitRepo, d: &Disagreement<'_>, m: &AssessmentId, cache: &mut BlobCache) -> Side {
    let current = d
        .states
        .iter()
        .find(|(x, _)| *x == m)
        .map(|(_, s)| synced(s))
        .unwrap_or_else(|| synced(&ActionState::default()));
    let changed_in =
        last_change(git, m, d.action, &current, cache).unwrap_or_else(|| "an unknown commit".into());
    Side { assessment: m.clone(), changed_in }
}

fn last_change(
    git: &GitRepo,
    m: &AssessmentId,
    action: &ActionId,
    current: &Synced,
    cache: &mut BlobCache,
) -> Option<String> {
    let head = git.head().ok().flatten()?;
    let mut commit = git.commit(head).ok()?;
    let head_tree = git.tree_of(head).ok()?;
    // An assessment only in the working tree has no commit to name.
    if head_tree.as_ref().and_then(|t| git.blob_at(t, &assessment_path(m.as_str()))).is_none() {
        return Some(UNCOMMITTED.into());
    }
    let at_head = state_at(git, head_tree.as_ref(), m, action, cache);
    if at_head != *current {
        return Some(UNCOMMITTED_CHANGES.into());
    }
    loop {
        let here = state_at(git, git.tree_of(commit.id()).ok()?.as_ref(), m, action, cache);
        let parent = match commit.parent(0) {
            Ok(p) => p,
            // The first commit changed it only if it had the state file.
            Err(_) => {
                let tree = git.tree_of(commit.id()).ok()?;
                let had =
                    tree.as_ref().and_then(|t| git.blob_at(t, &state_path(m.as_str(), action.as_str())));
                return had.map(|_| describe(&commit));
            }
        };
        let before = state_at(git, git.tree_of(parent.id()).ok()?.as_ref(), m, action, cache);
        if here != before {
            return Some(describe(&commit));
        }
        commit = parent;
    }
}

fn describe(commit: &git2::Commit<'_>) -> String {
    crate::history::Signature::of(&commit.author()).describe(commit.id())
}
