//! What `evident updates` prints: each pending update with its definition
//! changes and what accepting it would do to the scores.

use super::diff::{action_change_lines, template_change_lines};
use super::md_code;
use crate::score::Score;
use crate::updates::Update;

fn effect(before: Score, after: Score) -> String {
    if before == after {
        return format!("{:.1}% (no change)", before.percent());
    }
    super::score_move(before, after)
}

fn changes(u: &Update, color: bool) -> Vec<String> {
    if !u.found_in_history {
        return vec!["(the accepted version is not in the git history: scored on the current one)".into()];
    }
    let lines = match (&u.action_changes, &u.template_changes) {
        (Some(a), _) => action_change_lines(&a.changes, color),
        (_, Some(t)) => template_change_lines(t, color),
        _ => Vec::new(),
    };
    if lines.is_empty() { vec!["(only the version changed)".into()] } else { lines }
}

fn title(u: &Update) -> String {
    let p = &u.pending;
    format!("{} {} {}: version {} → {}", p.assessment, p.kind, p.id, p.accepted, p.current)
}

fn together(u: &Update) -> Option<String> {
    let others: Vec<&str> =
        u.accepted_with.iter().map(|a| a.as_str()).filter(|a| *a != u.pending.assessment.as_str()).collect();
    (!others.is_empty())
        .then(|| format!("accepting it here also accepts it in {} ({})", others.join(", "), u.scope.reason()))
}

/// The other assessments an accept touches, for a table cell.
fn also(u: &Update) -> String {
    let others: Vec<String> =
        u.accepted_with.iter().filter(|a| **a != u.pending.assessment).map(|a| md_code(a.as_str())).collect();
    if others.is_empty() { "-".into() } else { others.join(", ") }
}

pub(crate) fn human(updates: &[Update], color: bool) -> String {
    if updates.is_empty() {
        return "no pending updates: every assessment uses the current templates and actions\n".into();
    }
    let mut out = String::new();
    for u in updates {
        out.push_str(&format!("{}\n", crate::ui::paint(color, crate::ui::BOLD, title(u))));
        for line in changes(u, color) {
            out.push_str(&format!("    {line}\n"));
        }
        out.push_str(&format!(
            "    score of {} once accepted: {}\n",
            u.pending.assessment,
            effect(u.score_now, u.score_accepted)
        ));
        out.push_str(&format!(
            "    overall score once accepted: {}\n",
            effect(u.overall_now, u.overall_accepted)
        ));
        if let Some(t) = together(u) {
            out.push_str(&format!("    {t}\n"));
        }
    }
    let n = updates.len();
    out.push_str(&format!(
        "\n{} pending; accept with `evident accept ACTION` or `evident accept --template --assessment A` (or `--all`)\n",
        crate::diag::render::plural(n, "update")
    ));
    out
}

pub(crate) fn markdown(updates: &[Update]) -> String {
    if updates.is_empty() {
        return "No pending updates.\n".into();
    }
    let mut out = String::from(
        "| Assessment | Update | Versions | Assessment score once accepted | Overall once accepted | Accepting here also accepts in |\n|---|---|---|---|---|---|\n",
    );
    for u in updates {
        let p = &u.pending;
        out.push_str(&format!(
            "| {} | {} {} | {} → {} | {} | {} | {} |\n",
            md_code(p.assessment.as_str()),
            p.kind,
            md_code(&p.id),
            p.accepted,
            p.current,
            effect(u.score_now, u.score_accepted),
            effect(u.overall_now, u.overall_accepted),
            also(u)
        ));
    }
    out
}
