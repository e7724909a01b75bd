//! The score gate of `evident check --base`: the overall score and each
//! assessment's score may not drop between the base and the change by more
//! than `[check] max-score-drop`, each side scored by its own `[scoring]`
//! table (and, when the change edits that table, also both by the base's, so
//! that neither a re-weighting nor a state change hides behind the other).
//!
//! A drop passes when every point of it comes from test verdicts that
//! assessors recorded in the change: the change is scored again with those
//! verdicts put back to their values at the base, and if that counterfactual
//! is within the threshold of the base, the drop is the assessors' (an honest
//! failed re-test is what the record is for). `[check] assessor-drops =
//! "fail"` makes those fail too.

use schemars::JsonSchema;
use serde::Serialize;

use super::history::{RecordedVerdict, dropped};
use crate::diag::{Code, Diagnostic, Report};
use crate::model::{AssessorDrops, CheckSettings, Workspace};
use crate::repo::layout;
use crate::score::{Score, Scores};

/// What the gate compares.
pub struct Input<'a> {
    /// The base, scored by its own table.
    pub before: &'a Scores,
    pub base: &'a Workspace,
    /// The change (the working tree), with its own configuration.
    pub head: &'a Workspace,
    /// Verdicts assessors recorded in the range that are still the last word on their test.
    pub verdicts: &'a [RecordedVerdict],
    /// `[check]` as in force at the end of the range.
    pub settings: &'a CheckSettings,
}

/// Every drop the gate found, passed or failed.
#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct Gate {
    pub max_score_drop: f64,
    pub assessor_drops: &'static str,
    pub drops: Vec<Drop>,
}

/// One score that dropped beyond the threshold.
#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct Drop {
    /// `null` for the overall score.
    pub assessment: Option<String>,
    pub before: Points,
    pub after: Points,
    /// The drop in percentage points.
    pub points: f64,
    /// Whose `[scoring]` table scored the change: "own" or "base".
    pub table: &'static str,
    /// Passed as a finding the assessors recorded.
    pub passed: bool,
    pub reason: String,
    /// The assessors' verdicts that took points off this score.
    pub verdicts: Vec<Explaining>,
}

#[derive(Clone, Copy, Debug, Serialize, JsonSchema)]
pub struct Points {
    pub earned: u64,
    pub max: u64,
    pub percent: f64,
}

impl From<Score> for Points {
    fn from(s: Score) -> Self {
        Points { earned: s.earned, max: s.max, percent: s.percent() }
    }
}

/// A verdict that explains (part of) a drop.
#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct Explaining {
    pub assessment: String,
    pub action: String,
    pub before: String,
    pub after: String,
    pub author: String,
    pub commit: String,
    /// Points the verdict took off the action's assessment.
    pub points: u64,
}

impl Explaining {
    /// "`mfa` in `gdpr-2026`: passed → failed-medium, by cy@example.com in 1a2b3c4, 27 points"
    pub(crate) fn describe(&self) -> String {
        format!(
            "`{}` in `{}`: {} → {}, by {} in {}, {} points",
            self.action,
            self.assessment,
            self.before,
            self.after,
            self.author,
            &self.commit[..7.min(self.commit.len())],
            self.points
        )
    }
}

impl Drop {
    /// "the overall score" / "the score of `gdpr-2026`".
    pub(crate) fn what(&self) -> String {
        match &self.assessment {
            None => "the overall score".to_owned(),
            Some(a) => format!("the score of `{a}`"),
        }
    }

    /// "dropped 0.54 points, allowed 0.5: from 50.0% (…) to 49.5% (…)".
    pub(crate) fn describe(&self, threshold: f64) -> String {
        let pct = |p: Points| format!("{:.1}% ({}/{})", p.percent, p.earned, p.max);
        format!(
            "{} dropped {} points, allowed {threshold}: from {} to {}",
            self.what(),
            shown_drop(self.points, threshold),
            pct(self.before),
            pct(self.after)
        )
    }
}

/// The drop with as many decimals as it takes to show that it exceeds the
/// threshold (one at least, six at most).
pub(crate) fn shown_drop(drop: f64, threshold: f64) -> String {
    for digits in 1..=6 {
        let text = format!("{drop:.digits$}");
        if text.parse::<f64>().is_ok_and(|v| v > threshold) {
            return text;
        }
    }
    format!("{drop:.6}")
}

fn ratio(s: Score) -> f64 {
    if s.max == 0 { 1.0 } else { s.earned as f64 / s.max as f64 }
}

/// Runs the gate.
pub(crate) fn judge(input: &Input<'_>) -> Gate {
    let mut drops = Vec::new();
    evaluate(input, input.head, "own", &mut drops);
    if input.head.config.scoring != input.base.config.scoring {
        let mut by_base = input.head.clone();
        by_base.config.scoring = input.base.config.scoring.clone();
        let mut more = Vec::new();
        evaluate(input, &by_base, "base", &mut more);
        more.retain(|m| !drops.iter().any(|d| d.assessment == m.assessment));
        drops.extend(more);
    }
    Gate {
        max_score_drop: input.settings.max_score_drop,
        assessor_drops: input.settings.assessor_drops.as_str(),
        drops,
    }
}

fn evaluate(input: &Input<'_>, head: &Workspace, table: &'static str, out: &mut Vec<Drop>) {
    let threshold = input.settings.max_score_drop;
    let after = crate::score::compute(head);
    let mut candidates: Vec<(Option<String>, Score, Score)> = Vec::new();
    if dropped(input.before.overall, after.overall, threshold) {
        candidates.push((None, input.before.overall, after.overall));
    }
    for b in &input.before.assessments {
        if let Some(a) = after.assessments.iter().find(|a| a.id == b.id)
            && dropped(b.score, a.score, threshold)
        {
            candidates.push((Some(b.id.clone()), b.score, a.score));
        }
    }
    if candidates.is_empty() {
        return;
    }
    // The assessors' verdicts still in place, and the change without them.
    let state = |ws: &Workspace, v: &RecordedVerdict| {
        ws.assessments.get(&v.assessment).and_then(|e| e.states.get(&v.action)).cloned()
    };
    let live: Vec<&RecordedVerdict> =
        input.verdicts.iter().filter(|v| state(head, v).is_some_and(|s| s.test.status == v.after)).collect();
    let mut without = head.clone();
    for v in &live {
        let base_test = state(input.base, v).map(|s| s.test).unwrap_or_default();
        if let Some(s) = without.assessments.get_mut(&v.assessment).and_then(|e| e.states.get_mut(&v.action))
        {
            s.test = base_test;
        }
    }
    let counterfactual = crate::score::compute(&without);
    let table_points = head.config.points_table();
    let explaining: Vec<Explaining> = live
        .iter()
        .filter_map(|v| {
            let now = state(head, v)?;
            let then = state(&without, v)?;
            let action = head.actions.get(&v.action)?;
            let points = if crate::score::earns(&then) && !crate::score::earns(&now) {
                crate::score::points(&table_points, action)
            } else {
                0
            };
            Some(Explaining {
                assessment: v.assessment.to_string(),
                action: v.action.to_string(),
                before: v.before.as_str().to_owned(),
                after: v.after.as_str().to_owned(),
                author: v.author.clone(),
                commit: v.commit.to_string(),
                points,
            })
        })
        .filter(|e| e.points > 0)
        .collect();
    for (assessment, before, after) in candidates {
        let without_them = match &assessment {
            None => Some(counterfactual.overall),
            Some(id) => counterfactual.assessments.iter().find(|a| &a.id == id).map(|a| a.score),
        };
        let verdicts: Vec<Explaining> = explaining
            .iter()
            .filter(|e| assessment.as_ref().is_none_or(|a| a == &e.assessment))
            .cloned()
            .collect();
        let explained = !verdicts.is_empty() && without_them.is_some_and(|w| !dropped(before, w, threshold));
        let passed = explained && input.settings.assessor_drops == AssessorDrops::Allow;
        let reason = match (explained, passed, without_them) {
            (true, true, _) => "every point of the drop comes from test verdicts that assessors recorded".to_owned(),
            (true, false, _) => "every point of the drop comes from test verdicts that assessors recorded, and `[check] assessor-drops` is \"fail\"".to_owned(),
            (false, _, Some(w)) if !verdicts.is_empty() => format!(
                "test verdicts that assessors recorded explain only part of it: without them the score would still drop to {:.1}% ({}/{}), from other changes (scope, implementation, definitions, accepted versions, removed files or a non-assessor's change)",
                w.percent(),
                w.earned,
                w.max
            ),
            _ => "no test verdict recorded by an assessor explains it: it comes from other changes (scope, implementation, definitions, accepted versions, removed files or a non-assessor's change)".to_owned(),
        };
        out.push(Drop {
            assessment,
            before: before.into(),
            after: after.into(),
            points: (ratio(before) - ratio(after)) * 100.0,
            table,
            passed,
            reason,
            verdicts,
        });
    }
}

/// The failed drops as diagnostics.
pub(crate) fn diagnostics(gate: &Gate, report: &mut Report) {
    for d in gate.drops.iter().filter(|d| !d.passed) {
        let file = match &d.assessment {
            None => layout::CONFIG_FILE.to_owned(),
            Some(a) => layout::assessment_path(a),
        };
        let mut diag = Diagnostic::new(Code::ScoreDrop, d.describe(gate.max_score_drop))
            .in_file(file)
            .note(d.reason.clone());
        if d.table == "base" {
            diag = diag.note("scored on both sides with the base's `[scoring]` table: the change's own table hides this drop");
        }
        for v in &d.verdicts {
            diag = diag.note(format!("recorded by an assessor: {}", v.describe()));
        }
        if gate.max_score_drop == 0.0 {
            diag = diag.hint("restore what lowered the score; `[check] max-score-drop` (0: any drop fails) is for admins to change");
        }
        report.diagnostics.push(diag);
    }
}
