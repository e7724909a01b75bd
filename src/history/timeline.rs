//! The timeline of a repository: what each commit changed in the actions'
//! states (status events) and the scores after each commit (the score series).
//! This is what `evident history`, `evident export history` and the report's
//! trends and status timelines read.

use std::sync::{Arc, LazyLock};

use serde::{Deserialize, Serialize};

use crate::diag::{Code, CommitPath, Diagnostic};
use crate::model::{ActionState, ImplementationStatus, TestStatus};
use crate::score::Score;

/// Everything the history engine found.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Timeline {
    /// The commits read, oldest first.
    pub commits: Vec<CommitInfo>,
    /// Changes of action states, in commit order.
    pub events: Vec<StatusEvent>,
    /// Scores after each commit of the main line (first parents), in order.
    pub points: Vec<ScorePoint>,
    /// Files of past commits that could not be read; their last good version was kept.
    pub problems: Vec<Problem>,
    /// The history is cut short (a shallow clone).
    pub shallow: bool,
}

/// A commit, as the timeline shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommitInfo {
    /// The full commit id.
    pub id: String,
    pub author_name: String,
    pub author_email: String,
    /// Author time: seconds since the epoch and the author's offset from UTC in minutes.
    pub time: i64,
    pub offset_minutes: i32,
    /// The first line of the message.
    pub summary: String,
}

impl CommitInfo {
    pub(crate) fn short(&self) -> &str {
        &self.id[..self.id.len().min(7)]
    }

    /// The author's local date, `YYYY-MM-DD`.
    pub(crate) fn date(&self) -> String {
        crate::history::Signature {
            name: String::new(),
            email: String::new(),
            time: self.time,
            offset_minutes: self.offset_minutes,
        }
        .date()
    }
}

/// One commit's change to the state of one action in one assessment.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StatusEvent {
    /// Index into [`Timeline::commits`].
    pub commit: usize,
    pub assessment: String,
    pub action: String,
    /// `None`: there was no state file (the defaults applied). Shared with
    /// the other events of the same state (a long history has tens of
    /// thousands of events, each state the after of one and the before of
    /// the next); stored as a plain snapshot.
    pub before: Option<Arc<StateSnapshot>>,
    /// `None`: the state file was removed.
    pub after: Option<Arc<StateSnapshot>>,
}

/// The state of an action without a state file.
static DEFAULT_SNAPSHOT: LazyLock<StateSnapshot> = LazyLock::new(StateSnapshot::default);

impl StatusEvent {
    pub(crate) fn before_or_default(&self) -> &StateSnapshot {
        self.before.as_deref().unwrap_or(&DEFAULT_SNAPSHOT)
    }

    pub(crate) fn after_or_default(&self) -> &StateSnapshot {
        self.after.as_deref().unwrap_or(&DEFAULT_SNAPSHOT)
    }

    /// Whether the test status changed (what "testing history" lists).
    pub(crate) fn test_changed(&self) -> bool {
        self.before_or_default().test != self.after_or_default().test
    }
}

/// The parts of an action state the timeline shows. Dates are `YYYY-MM-DD`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct StateSnapshot {
    pub owner: Option<String>,
    pub implementation: ImplementationStatus,
    pub implementation_date: Option<String>,
    pub implementation_notes: Option<String>,
    pub test: TestStatus,
    pub test_date: Option<String>,
    pub test_notes: Option<String>,
    /// Names of the evidence items.
    pub evidence: Vec<String>,
}

impl From<&ActionState> for StateSnapshot {
    fn from(s: &ActionState) -> Self {
        StateSnapshot {
            owner: s.owner.clone(),
            implementation: s.implementation.status,
            implementation_date: s.implementation.date.map(|d| d.to_string()),
            implementation_notes: s.implementation.notes.clone(),
            test: s.test.status,
            test_date: s.test.date.map(|d| d.to_string()),
            test_notes: s.test.notes.clone(),
            evidence: s.evidence.iter().map(|e| e.name.clone()).collect(),
        }
    }
}

impl StateSnapshot {
    /// The snapshot of a state, and the state without its evidence: the
    /// names move into the snapshot rather than being copied.
    pub(crate) fn split(mut state: ActionState) -> (ActionState, StateSnapshot) {
        // A new vector: collecting in place would keep the evidence items' larger buffer.
        let mut evidence = Vec::with_capacity(state.evidence.len());
        evidence.extend(std::mem::take(&mut state.evidence).into_iter().map(|e| e.name));
        let snapshot = StateSnapshot { evidence, ..StateSnapshot::from(&state) };
        (state, snapshot)
    }
}

/// The scores after one commit of the main line. A long history has one
/// point per commit, each naming every assessment and category, and most
/// commits move no score: the lists are shared with the point before when
/// they are the same, and the ids by every point (a clone is a count).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScorePoint {
    /// Index into [`Timeline::commits`].
    pub commit: usize,
    pub overall: Points,
    /// By assessment id, sorted.
    pub assessments: ScoreList,
    /// By category id, sorted.
    pub categories: ScoreList,
    /// Customer-managed and provider-managed points (`customer`, `provider`).
    #[serde(default)]
    pub managed: ScoreList,
}

/// Points by id, as a score point holds them (shared, see [`ScorePoint`]).
pub(crate) type ScoreList = Arc<[(Arc<str>, Points)]>;

/// Earned and maximum points, as stored in the timeline.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Points {
    pub earned: u64,
    pub max: u64,
}

impl From<Score> for Points {
    fn from(s: Score) -> Self {
        Points { earned: s.earned, max: s.max }
    }
}

impl From<Points> for Score {
    fn from(p: Points) -> Self {
        Score { earned: p.earned, max: p.max }
    }
}

/// A file of a past commit that could not be read. Stored as found (the
/// timeline is cached); [`Timeline::diagnostics`] tells it as a diagnostic.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    /// Index into [`Timeline::commits`].
    pub commit: usize,
    pub path: String,
    pub message: String,
}

impl Timeline {
    /// The files of past commits that could not be read, as warnings at
    /// their commit and path.
    pub(crate) fn diagnostics(&self) -> Vec<Diagnostic> {
        self.problems
            .iter()
            .map(|p| {
                let c = self.commits.get(p.commit);
                Diagnostic::new(
                    Code::PastFileUnreadable,
                    format!("{}; its last good version was kept", p.message),
                )
                .in_commit(CommitPath {
                    commit: c.map(|c| c.id.clone()).unwrap_or_default(),
                    date: c.map(CommitInfo::date),
                    path: p.path.clone(),
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Location;

    #[test]
    fn unreadable_files_are_warnings_at_their_commit_and_path() {
        let timeline = Timeline {
            commits: vec![CommitInfo {
                id: "1a2b3c4d5e6f7a8b9c0d1a2b3c4d5e6f7a8b9c0d".into(),
                author_name: "Ana".into(),
                author_email: "ana@example.com".into(),
                time: 1_777_712_400, // 2026-05-02T09:00:00Z
                offset_minutes: 0,
                summary: "Oops".into(),
            }],
            problems: vec![Problem {
                commit: 0,
                path: "assessments/ccpa-2026/mfa.toml".into(),
                message: "the file is not valid TOML".into(),
            }],
            ..Timeline::default()
        };
        let [d] = timeline.diagnostics().try_into().unwrap();
        assert_eq!(d.code, Code::PastFileUnreadable);
        assert!(!d.is_error());
        assert_eq!(d.message, "the file is not valid TOML; its last good version was kept");
        assert_eq!(
            d.location,
            Location::Commit(CommitPath {
                commit: "1a2b3c4d5e6f7a8b9c0d1a2b3c4d5e6f7a8b9c0d".into(),
                date: Some("2026-05-02".into()),
                path: "assessments/ccpa-2026/mfa.toml".into(),
            })
        );
    }
}
