//! Markdown for pull-request comments.

use std::fmt::Display;

use super::wording::*;
use crate::diff::{
    ActionDiff, AssessmentDiff, PhaseDiff, ScoreChange, ScoreRow, Side, StateDiff, Status, TemplateDiff,
    TextChange, WordOp, WorkspaceDiff,
};
use crate::render::md_cell;
use crate::score::Score;

/// Markdown wording: user text escaped (no HTML, emphasis, links or code
/// spans from the text itself, one line), changes as `old → **new**` and word
/// diffs as `~~removed~~ **added**`.
pub(super) struct Md;

impl Wording for Md {
    fn text(&self, text: &str) -> String {
        md_cell(text)
    }

    fn arrow(&self, before: &str, after: &str) -> String {
        format!("{} → **{}**", self.text(before), self.text(after))
    }

    /// The markers hug the words (GitHub ignores `~~ x~~`): surrounding
    /// whitespace stays outside them.
    fn words(&self, change: &TextChange) -> String {
        let mut out = String::new();
        let mut last = WordOp::Equal;
        for w in &change.words {
            let marker = match w.op {
                WordOp::Equal => "",
                WordOp::Removed => "~~",
                WordOp::Added => "**",
            };
            let trimmed = w.text.trim();
            if marker.is_empty() || trimmed.is_empty() {
                // Removed whitespace leaves no trace; added whitespace is just space.
                if w.op != WordOp::Removed {
                    out.push_str(&self.text(&w.text));
                }
            } else {
                // `~~old~~ **new**`, not `~~old~~**new**`.
                if last == WordOp::Removed
                    && w.op == WordOp::Added
                    && !w.text.starts_with(char::is_whitespace)
                {
                    out.push(' ');
                }
                let lead = &w.text[..w.text.len() - w.text.trim_start().len()];
                let trail = &w.text[w.text.trim_end().len()..];
                out.push_str(&format!(
                    "{}{marker}{}{marker}{}",
                    self.text(lead),
                    self.text(trimmed),
                    self.text(trail)
                ));
            }
            last = w.op;
        }
        out
    }

    fn id(&self, id: &str) -> String {
        code(id)
    }
}

/// An id in a code span; ids are restricted to `[a-z0-9._-]`, so nothing to escape.
pub(super) fn code(id: &str) -> String {
    format!("`{id}`")
}

/// Markdown for a pull-request comment: a score table, then per assessment a
/// table of changed actions with the notes diffs under it, then definition
/// changes as a list.
pub(crate) fn markdown(diff: &WorkspaceDiff, base: &Side, head: &Side) -> String {
    // In a code span nothing is markup; only a backtick could end it early.
    let md_side = |s: &Side| side_label(s, |x| code(&x.replace('`', "'").replace(['\n', '\r'], " ")));
    let mut out = format!("## evident diff: {} → {}\n\n", md_side(base), md_side(head));
    if diff.is_empty() {
        out.push_str("No changes.\n");
        return out;
    }
    md_scores(&mut out, diff);
    for a in &diff.assessments {
        md_assessment(&mut out, a);
    }
    md_definitions(&mut out, diff);
    out
}

pub(super) fn md_percent(score: Option<Score>) -> String {
    match score {
        Some(s) if s.max > 0 => format!("{} ({})", percent(score), points(score)),
        _ => percent(score),
    }
}

pub(super) fn md_score_row(label: &str, c: &ScoreChange) -> String {
    format!("| {label} | {} | {} | {} |\n", md_percent(c.before), md_percent(c.after), delta(c))
}

pub(super) fn md_scores(out: &mut String, diff: &WorkspaceDiff) {
    let s = &diff.scores;
    out.push_str("| Score | Before | After | Change |\n|---|---:|---:|---:|\n");
    out.push_str(&md_score_row("**Overall**", &s.overall));
    for r in s.assessments.iter().filter(|r| r.change.changed) {
        let was = r.renamed_from.as_deref().map(|f| format!(" (was {})", code(f))).unwrap_or_default();
        out.push_str(&md_score_row(&format!("{}{was} {}", code(&r.id), Md.text(&r.label)), &r.change));
    }
    let categories: Vec<&ScoreRow> = s.categories.iter().filter(|r| r.change.changed).collect();
    if !categories.is_empty() {
        out.push_str("\n| Category | Before | After | Change |\n|---|---:|---:|---:|\n");
        for r in categories {
            out.push_str(&md_score_row(&Md.text(&r.label), &r.change));
        }
    }
    out.push('\n');
}

pub(super) fn md_list(out: &mut String, items: &[String]) {
    for item in items {
        out.push_str(&format!("- {item}\n"));
    }
    if !items.is_empty() {
        out.push('\n');
    }
}

pub(super) fn md_assessment(out: &mut String, a: &AssessmentDiff) {
    let tag = assessment_tag(a, code).map(|t| format!(" ({t})")).unwrap_or_default();
    out.push_str(&format!("### {} {}{tag}\n\n", code(a.id.as_str()), Md.text(&a.name)));
    md_list(out, &assessment_fields(&Md, &a.changes));
    if a.status == Status::Removed || a.actions.is_empty() {
        return;
    }
    out.push_str("| Action | Owner | Implementation | Test | Evidence |\n|---|---|---|---|---|\n");
    for s in &a.actions {
        md_state_row(out, s, a.status == Status::Changed);
    }
    out.push('\n');
    let notes: Vec<String> = a.actions.iter().flat_map(md_state_notes).collect();
    md_list(out, &notes);
}

/// A status cell: the change with the new date, or the unchanged status.
pub(super) fn md_phase<S: Display + Copy>(p: &PhaseDiff<S>, current: S) -> String {
    let mut cell = match &p.status {
        Some(c) => show(&Md, c),
        None => current.to_string(),
    };
    match (&p.status, phase_date(p)) {
        (_, Some(d)) => cell.push_str(&format!(" (date {})", show_opt(&Md, d))),
        (Some(_), None) => {
            if let Some(after) = p.date.as_ref().and_then(|d| d.after) {
                cell.push_str(&format!(" ({after})"));
            }
        }
        (None, None) => {}
    }
    cell
}

pub(super) fn md_state_row(out: &mut String, s: &StateDiff, show_file: bool) {
    let file = match (s.file, show_file) {
        (Status::Removed, _) => " (file deleted)",
        (Status::Added, true) => " (new file)",
        _ => "",
    };
    let owner = match &s.owner {
        Some(c) => show_opt(&Md, c),
        None => Md.text(&or_none(&s.current.owner)),
    };
    let evidence: Vec<String> = s
        .evidence
        .iter()
        .map(|e| {
            let sign = match e.status {
                Status::Added => "+",
                Status::Removed => "-",
                _ => "~",
            };
            evidence_line(&Md, e, sign)
        })
        .collect();
    out.push_str(&format!(
        "| {}{file} | {owner} | {} | {} | {} |\n",
        code(s.action.as_str()),
        md_phase(&s.implementation, s.current.implementation),
        md_phase(&s.test, s.current.test),
        evidence.join("<br>")
    ));
}

/// Notes diffs and accepted versions of one action, for the list under the table.
pub(super) fn md_state_notes(s: &StateDiff) -> Vec<String> {
    let id = code(s.action.as_str());
    let mut out = Vec::new();
    for (what, notes) in [("implementation", &s.implementation.notes), ("test", &s.test.notes)] {
        if let Some(n) = notes {
            out.push(format!("{id} {what} notes: {}", Md.words(n)));
        }
    }
    if let Some(x) = &s.accepted_version {
        out.push(format!("{id} accepted version: {}", show_opt(&Md, x)));
    }
    out
}

pub(super) fn md_definitions(out: &mut String, diff: &WorkspaceDiff) {
    let mut items: Vec<String> = Vec::new();
    items.extend(diff.templates.iter().map(md_template));
    items.extend(diff.actions.iter().map(md_action));
    items.extend(config_fields(&Md, &diff.config).into_iter().map(|l| format!("Config: {l}")));
    if !items.is_empty() {
        out.push_str("### Definitions\n\n");
        md_list(out, &items);
    }
}

/// A list item with nested items.
pub(super) fn nested(head: String, sub: Vec<String>) -> String {
    let mut s = head;
    for item in sub {
        s.push_str(&format!("\n  - {item}"));
    }
    s
}

pub(super) fn md_template(t: &TemplateDiff) -> String {
    let head = format!("Template {} {}", code(t.id.as_str()), Md.text(&t.name));
    if t.status != Status::Changed {
        let controls = plural(t.controls.len(), "control");
        return format!("{head}: {} (version {}, {controls})", status_word(t.status), t.version);
    }
    let mut sub = template_fields(&Md, &t.changes);
    for c in &t.controls {
        let fields = control_fields(&Md, c);
        let head =
            format!("control {} {}: {}", Md.text(c.id.as_str()), Md.text(&c.title), status_word(c.status));
        sub.push(if fields.is_empty() { head } else { format!("{head}; {}", fields.join("; ")) });
    }
    nested(head, sub)
}

pub(super) fn md_action(a: &ActionDiff) -> String {
    let head = format!("Action {} {}", code(a.id.as_str()), Md.text(&a.title));
    if a.status != Status::Changed {
        return format!("{head}: {} ({})", status_word(a.status), plural(a.points as usize, "point"));
    }
    nested(head, action_fields(&Md, &a.changes))
}
