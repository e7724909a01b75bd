//! History rules (docs/design/rules.md), over the commits of a range:
//! evidence is frozen once a test verdict is reached, only assessors set
//! verdicts, and scores do not drop.

use std::collections::HashMap;

use git2::Oid;

use crate::diag::{Code, Diagnostic, Report};
use crate::history::GitRepo;
use crate::history::events::{BlobCache, CommitChanges, StateChange};
use crate::load::span_of;
use crate::model::{Config, Evidence, TestStatus};
use crate::repo::layout::{self, Entry};
use crate::score::{Score, Scores};

/// Whose `[roles]` decide who is an assessor.
pub enum Roles<'a> {
    /// One configuration for the whole range (`check --base`: the base's, so a
    /// change cannot make its own author an assessor).
    Fixed(&'a Config),
    /// The configuration before each commit (`audit`: the rules then in force).
    AtParent,
}

/// The history rules, fed one commit at a time so that long histories are
/// checked without holding every commit's changes in memory.
pub struct HistoryRules<'a> {
    roles: Roles<'a>,
    diagnostics: Vec<Diagnostic>,
    /// For each parent commit looked at: evidence path -> verdict states resting on it.
    evidence_index: HashMap<Oid, HashMap<String, Vec<(String, TestStatus)>>>,
}

impl<'a> HistoryRules<'a> {
    pub fn new(roles: Roles<'a>) -> Self {
        HistoryRules { roles, diagnostics: Vec::new(), evidence_index: HashMap::new() }
    }

    pub fn visit(&mut self, git: &GitRepo, c: &CommitChanges, cache: &mut BlobCache, report: &Report) {
        for s in &c.states {
            frozen_evidence(c, s, report, &mut self.diagnostics);
            let config = match &self.roles {
                Roles::Fixed(config) => Some(*config),
                Roles::AtParent => c.config_before.as_deref(),
            };
            if let Some(config) = config
                && let Some(d) = assessor(c, s, config, report)
                && !copied_within_group(git, c, s, cache)
            {
                self.diagnostics.push(d);
            }
        }
        self.evidence_files(git, c, cache, report);
        let authority = match &self.roles {
            Roles::Fixed(config) => Some(*config),
            Roles::AtParent => c.config_before.as_deref(),
        };
        if let Some(authority) = authority {
            self.roles_changes(git, c, authority, cache);
        }
    }

    /// `[roles]` changed by someone who is not an admin (when admins are named).
    fn roles_changes(&mut self, git: &GitRepo, c: &CommitChanges, authority: &Config, cache: &mut BlobCache) {
        let Some(change) = c.files.iter().find(|f| f.change.path == layout::CONFIG_FILE) else { return };
        if authority.roles.admins.is_empty()
            || authority.roles.admins.iter().any(|a| a.eq_ignore_ascii_case(&c.author.email))
        {
            return;
        }
        let after = change.change.new.and_then(|b| cache.config(git, b));
        let before = c.config_before.as_deref();
        let roles_of = |config: Option<&Config>| config.map(|c| c.roles.clone()).unwrap_or_default();
        if roles_of(before) == roles_of(after.as_deref()) {
            return;
        }
        self.diagnostics.push(
            Diagnostic::new(
                Code::RolesChanged,
                format!("`[roles]` changed in {} by {}, who is not an admin", describe(c), c.author.email),
            )
            .in_file(layout::CONFIG_FILE)
            .note(format!("admins: {}", authority.roles.admins.join(", ")))
            .hint("ask an admin to change who is an assessor or an admin"),
        );
    }

    /// Evidence files changed or deleted while a verdict rests on them.
    fn evidence_files(&mut self, git: &GitRepo, c: &CommitChanges, cache: &mut BlobCache, report: &Report) {
        for f in &c.files {
            let (Some(_), Some(parent)) = (f.change.old, c.first_parent) else { continue };
            // Data files cannot be evidence (E0407), so their changes need no index.
            if layout::classify(&f.change.path).is_data() {
                continue;
            }
            let index =
                self.evidence_index.entry(parent).or_insert_with(|| verdict_evidence(git, parent, cache));
            for (state_path, status) in index.get(&f.change.path).into_iter().flatten() {
                let what = if f.change.new.is_some() { "changed" } else { "deleted" };
                self.diagnostics.push(
                    Diagnostic::new(
                        Code::EvidenceFrozen,
                        format!(
                            "evidence file `{}` was {what} in {} while the test status was `{status}`",
                            f.change.path,
                            describe(c)
                        ),
                    )
                    .at(state_path.clone(), span(report, state_path, "/test/status"))
                    .hint(format!(
                        "restore `{}` as it was before {}",
                        f.change.path,
                        crate::history::short_id(c.id)
                    )),
                );
            }
        }
    }

    pub fn finish(self, report: &mut Report) {
        report.diagnostics.extend(self.diagnostics);
    }
}

fn frozen_evidence(c: &CommitChanges, s: &StateChange, report: &Report, out: &mut Vec<Diagnostic>) {
    let Some(old) = &s.old else { return };
    if !old.test.status.is_verdict() || s.renamed_to.is_some() {
        return;
    }
    let new_evidence: &[Evidence] = s.new.as_ref().map(|n| n.evidence.as_slice()).unwrap_or_default();
    for item in &old.evidence {
        let change = match new_evidence.iter().find(|e| e.name == item.name) {
            None => "removed",
            Some(e) if e != item => "altered",
            Some(_) => continue,
        };
        out.push(
            Diagnostic::new(
                Code::EvidenceFrozen,
                format!(
                    "evidence `{}` was {change} in {} while the test status was `{}`",
                    item.name,
                    describe(c),
                    old.test.status
                ),
            )
            .at(s.path.clone(), span(report, &s.path, "/test/status"))
            .hint("restore the evidence; to replace it, first move the test status back (e.g. to `in-progress`) in its own commit"),
        );
    }
}

/// A verdict set by someone who is not an assessor, if this change is one.
fn assessor(c: &CommitChanges, s: &StateChange, config: &Config, report: &Report) -> Option<Diagnostic> {
    let new = s.new.as_ref()?;
    let old_status = s.old.as_ref().map(|o| o.test.status).unwrap_or_default();
    let status = new.test.status;
    let verdict = status == TestStatus::Passed || status.is_failed();
    // A move carries the verdict with it; it is not a new verdict.
    if !verdict || old_status == status || s.renamed_from.is_some() || config.roles.assessors.is_empty() {
        return None;
    }
    if config.is_assessor(&c.author.email) {
        return None;
    }
    Some(
        Diagnostic::new(
            Code::AssessorRequired,
            format!(
                "test status set to `{status}` in {} by {}, who is not an assessor",
                describe(c),
                c.author.email
            ),
        )
        .at(s.path.clone(), span(report, &s.path, "/test/status"))
        .note(format!("assessors: {}", config.roles.assessors.join(", ")))
        .hint("ask an assessor to record the test result"),
    )
}

/// Whether a verdict was copied from another assessment of the same group
/// (`evident new assessment --group`, `evident sync`): some other member of
/// the group already had the same test result for the action before the
/// commit. A copy is group synchronisation, not a new verdict.
fn copied_within_group(git: &GitRepo, c: &CommitChanges, s: &StateChange, cache: &mut BlobCache) -> bool {
    let Some(new) = &s.new else { return false };
    let (Ok(Some(tree)), Some(parent)) = (git.tree_of(c.id), c.first_parent) else { return false };
    let Ok(Some(before)) = git.tree_of(parent) else { return false };
    let group_in = |tree: &git2::Tree<'_>, assessment: &str| -> Option<String> {
        let blob = git.blob_at(tree, &layout::assessment_path(assessment))?;
        let bytes = git.blob(blob).ok()?;
        let a: crate::model::Assessment = toml::from_str(std::str::from_utf8(&bytes).ok()?).ok()?;
        a.group.map(|g| g.to_string())
    };
    let Some(group) = group_in(&tree, s.assessment.as_str()) else { return false };
    let Some(assessments) =
        before.get_name(layout::ASSESSMENTS_DIR).and_then(|e| git.repo.find_tree(e.id()).ok())
    else {
        return false;
    };
    assessments.iter().filter_map(|e| e.name().ok().map(str::to_owned)).any(|member| {
        member.as_str() != s.assessment.as_str()
            && group_in(&before, &member).as_deref() == Some(group.as_str())
            && git
                .blob_at(&before, &layout::state_path(&member, s.action.as_str()))
                .and_then(|b| cache.state(git, b))
                .is_some_and(|other| other.test == new.test)
    })
}

/// For every evidence path, the state files with a verdict that rest on it.
fn verdict_evidence(
    git: &GitRepo,
    commit: Oid,
    cache: &mut BlobCache,
) -> HashMap<String, Vec<(String, TestStatus)>> {
    let mut index: HashMap<String, Vec<(String, TestStatus)>> = HashMap::new();
    let Ok(Some(tree)) = git.tree_of(commit) else {
        return index;
    };
    for (path, entry, blob) in git.data_files(&tree) {
        if !matches!(entry, Entry::State(..)) {
            continue;
        }
        let Some(state) = cache.state(git, blob) else {
            continue;
        };
        if state.test.status.is_verdict() {
            for e in &state.evidence {
                if let Some(p) = &e.path {
                    index.entry(p.clone()).or_default().push((path.clone(), state.test.status));
                }
            }
        }
    }
    index
}

fn span(report: &Report, file: &str, pointer: &str) -> std::ops::Range<usize> {
    report.sources.get(file).and_then(|t| span_of(t, pointer)).unwrap_or(0..0)
}

/// "1a2b3c4 (Ana Lima, 2026-03-04)"
fn describe(c: &CommitChanges) -> String {
    c.author.describe(c.id)
}

/// The codes of the history rules.
pub const HISTORY_CODES: [Code; 4] =
    [Code::EvidenceFrozen, Code::AssessorRequired, Code::ScoreDrop, Code::RolesChanged];

/// Rule levels for checking a change: the working tree's, except for the
/// history rules, whose levels come from the base (a change cannot switch
/// off the rules it is checked by).
pub fn levels_from_base(
    worktree: &std::collections::BTreeMap<String, crate::model::Level>,
    base: &Config,
) -> std::collections::BTreeMap<String, crate::model::Level> {
    let mut levels = worktree.clone();
    for code in HISTORY_CODES {
        levels.remove(code.name());
        if let Some(level) = base.rules.get(code.name()) {
            levels.insert(code.name().to_owned(), *level);
        }
    }
    levels
}

/// Whether `after` is lower than `before` by more than `threshold` percentage
/// points, computed exactly (a one-point drop out of thousands still counts).
pub fn dropped(before: Score, after: Score, threshold: f64) -> bool {
    // ratio = earned / max, or 1 when max is 0.
    let ratio = |s: Score| {
        if s.max == 0 { (1u128, 1u128) } else { (u128::from(s.earned), u128::from(s.max)) }
    };
    let ((e1, m1), (e2, m2)) = (ratio(before), ratio(after));
    // before - after > threshold / 100  <=>  100000 (e1 m2 - e2 m1) > t_milli m1 m2
    let lhs = 100_000 * (e1 * m2);
    let rhs_after = 100_000 * (e2 * m1);
    let t_milli = (threshold.max(0.0) * 1000.0).round() as u128;
    lhs > rhs_after && lhs - rhs_after > t_milli * m1 * m2
}

/// Score drops between the base and the head of a change.
pub fn score_drops(before: &Scores, after: &Scores, threshold: f64, report: &mut Report) {
    let mut out = Vec::new();
    let describe_drop = |what: &str, b: Score, a: Score| {
        format!(
            "{what} dropped from {:.1}% ({}/{}) to {:.1}% ({}/{})",
            b.percent(),
            b.earned,
            b.max,
            a.percent(),
            a.earned,
            a.max
        )
    };
    let threshold_note = if threshold > 0.0 {
        format!("`[check] max-score-drop` allows {threshold} percentage points")
    } else {
        "`[check] max-score-drop` is 0: any drop fails".to_owned()
    };
    if dropped(before.overall, after.overall, threshold) {
        out.push(
            Diagnostic::new(
                Code::ScoreDrop,
                describe_drop("the overall score", before.overall, after.overall),
            )
            .in_file(layout::CONFIG_FILE)
            .note(threshold_note.clone()),
        );
    }
    for b in &before.assessments {
        if let Some(a) = after.assessments.iter().find(|a| a.id == b.id)
            && dropped(b.score, a.score, threshold)
        {
            out.push(
                Diagnostic::new(
                    Code::ScoreDrop,
                    describe_drop(&format!("the score of `{}`", b.id), b.score, a.score),
                )
                .in_file(layout::assessment_path(&b.id))
                .note(threshold_note.clone()),
            );
        }
    }
    report.diagnostics.extend(out);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(earned: u64, max: u64) -> Score {
        Score { earned, max }
    }

    #[test]
    fn drops_are_exact() {
        assert!(dropped(s(5000, 10000), s(4999, 10000), 0.0), "one point in ten thousand");
        assert!(!dropped(s(5000, 10000), s(5000, 10000), 0.0));
        assert!(!dropped(s(5000, 10000), s(5001, 10000), 0.0));
        // 50% -> 49% is a drop of 1 percentage point.
        assert!(!dropped(s(50, 100), s(49, 100), 1.0));
        assert!(dropped(s(50, 100), s(48, 100), 1.0));
        // Nothing in scope counts as 100%.
        assert!(dropped(s(0, 0), s(0, 27), 0.0));
        assert!(!dropped(s(0, 27), s(0, 0), 0.0));
        // A larger maximum with the same ratio is not a drop.
        assert!(!dropped(s(1, 2), s(2, 4), 0.0));
    }
}
