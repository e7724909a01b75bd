//! The Markdown summary of `evident check`, for pull-request comments and
//! `$GITHUB_STEP_SUMMARY`: scores before and after, status changes, problems.

use crate::checks::gate::{Drop, Gate};
use crate::diag::{Report, Severity};
use crate::history::events::CommitChanges;
use crate::model::ActionState;
use crate::render::{md_cell, md_code};
use crate::score::{Score, Scores};

/// Where links to files point.
#[derive(Clone, Debug, Default)]
pub struct Links {
    /// e.g. `https://github.com/org/repo/blob/<sha>/`; `None` for plain paths.
    pub blob_base: Option<String>,
    /// The compliance repository's path inside the git work tree.
    pub prefix: String,
}

impl Links {
    /// From the GitHub Actions environment, when running there.
    pub(crate) fn from_env(prefix: &str, head: Option<&str>) -> Links {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        let blob_base = match (var("GITHUB_SERVER_URL"), var("GITHUB_REPOSITORY")) {
            (Some(server), Some(repo)) => {
                let sha = var("GITHUB_SHA").or_else(|| head.map(str::to_owned));
                sha.map(|sha| format!("{server}/{repo}/blob/{sha}/"))
            }
            _ => None,
        };
        Links { blob_base, prefix: prefix.to_owned() }
    }

    fn link(&self, file: &str, line: Option<usize>) -> String {
        let shown = match line {
            Some(l) => format!("{file}:{l}"),
            None => file.to_owned(),
        };
        match &self.blob_base {
            Some(base) => {
                let anchor = line.map(|l| format!("#L{l}")).unwrap_or_default();
                format!("[`{shown}`]({base}{}{file}{anchor})", self.prefix)
            }
            None => format!("`{shown}`"),
        }
    }
}

/// Everything the summary shows.
pub struct Summary<'a> {
    pub report: &'a Report,
    /// The base as given and its commit.
    pub base: Option<(&'a str, String)>,
    pub head: Option<String>,
    /// Commits with state changes.
    pub commits: &'a [CommitChanges],
    /// Commits in the range.
    pub commit_count: usize,
    pub before: Option<&'a Scores>,
    pub after: Option<&'a Scores>,
    pub links: Links,
    /// The score gate's drops, passed and failed (`--base`).
    pub gate: Option<&'a Gate>,
}

fn pct(s: Score) -> String {
    if s.max == 0 { "n/a".into() } else { format!("{:.1}% ({}/{})", s.percent(), s.earned, s.max) }
}

fn delta(before: Score, after: Score) -> String {
    let d = after.tenths_of_percent() as i64 - before.tenths_of_percent() as i64;
    match d {
        0 if before == after => "=".into(),
        0 => "±0.0".into(),
        d if d > 0 => format!("+{:.1}", d as f64 / 10.0),
        d => format!("−{:.1}", -d as f64 / 10.0),
    }
}

fn status_change(old: Option<&ActionState>, new: Option<&ActionState>) -> (String, String) {
    let imp = |s: Option<&ActionState>| s.map(|s| s.implementation.status.as_str()).unwrap_or("(none)");
    let test = |s: Option<&ActionState>| s.map(|s| s.test.status.as_str()).unwrap_or("(none)");
    let arrow = |a: &str, b: &str| if a == b { a.to_owned() } else { format!("{a} → **{b}**") };
    (arrow(imp(old), imp(new)), arrow(test(old), test(new)))
}

pub fn markdown(s: &Summary<'_>) -> String {
    let errors = s.report.error_count();
    let warnings = s.report.warning_count();
    let mut out = String::new();
    let verdict = match (errors, warnings) {
        (0, 0) => "✅ passed".to_owned(),
        (0, w) => format!("✅ passed with {w} warning{}", if w == 1 { "" } else { "s" }),
        (e, _) => format!("❌ {e} error{}", if e == 1 { "" } else { "s" }),
    };
    out.push_str(&format!("## evident check: {verdict}\n\n"));
    if let Some((name, id)) = &s.base {
        let head = s
            .head
            .as_deref()
            .map(|h| format!("`{}`", &h[..7.min(h.len())]))
            .unwrap_or_else(|| "the working tree".into());
        out.push_str(&format!(
            "Compared {} (`{}`) with {head}: {} commit{}.\n\n",
            md_code(name),
            &id[..7.min(id.len())],
            s.commit_count,
            if s.commit_count == 1 { "" } else { "s" }
        ));
    }

    if let Some(after) = s.after {
        out.push_str("### Scores\n\n");
        match s.before {
            Some(before) => {
                out.push_str("| | Before | After | Change |\n|---|---:|---:|---:|\n");
                out.push_str(&format!(
                    "| **Overall** | {} | {} | {} |\n",
                    pct(before.overall),
                    pct(after.overall),
                    delta(before.overall, after.overall)
                ));
                for a in &after.assessments {
                    match before.assessments.iter().find(|b| b.id == a.id) {
                        Some(b) => out.push_str(&format!(
                            "| {} | {} | {} | {} |\n",
                            md_cell(&a.id),
                            pct(b.score),
                            pct(a.score),
                            delta(b.score, a.score)
                        )),
                        None => {
                            out.push_str(&format!("| {} | (new) | {} | |\n", md_cell(&a.id), pct(a.score)))
                        }
                    }
                }
                for b in before.assessments.iter().filter(|b| !after.assessments.iter().any(|a| a.id == b.id))
                {
                    out.push_str(&format!("| {} | {} | (removed) | |\n", md_cell(&b.id), pct(b.score)));
                }
            }
            None => {
                out.push_str("| | Score |\n|---|---:|\n");
                out.push_str(&format!("| **Overall** | {} |\n", pct(after.overall)));
                for a in &after.assessments {
                    out.push_str(&format!("| {} | {} |\n", md_cell(&a.id), pct(a.score)));
                }
            }
        }
        out.push('\n');
    }

    if let Some(gate) = s.gate.filter(|g| !g.drops.is_empty()) {
        out.push_str(&gate_markdown(gate));
    }

    let changes: Vec<_> = s
        .commits
        .iter()
        .flat_map(|c| c.states.iter().map(move |st| (c, st)))
        .filter(|(_, st)| {
            let (o, n) = (st.old.as_ref(), st.new.as_ref());
            o.map(|o| (o.implementation.status, o.test.status))
                != n.map(|n| (n.implementation.status, n.test.status))
        })
        .collect();
    if !changes.is_empty() {
        out.push_str(&format!("### Status changes ({})\n\n", changes.len()));
        out.push_str(
            "| Commit | Author | Assessment | Action | Implementation | Test |\n|---|---|---|---|---|---|\n",
        );
        for (c, st) in changes {
            let (imp, test) = status_change(st.old.as_deref(), st.new.as_deref());
            out.push_str(&format!(
                "| `{}` | {} | {} | {} | {imp} | {test} |\n",
                crate::history::short_id(c.id),
                md_cell(&c.author.name),
                md_cell(st.assessment.as_str()),
                md_cell(st.action.as_str()),
            ));
        }
        out.push('\n');
    }

    if !s.report.diagnostics.is_empty() {
        out.push_str(&format!("### Problems ({})\n\n", s.report.diagnostics.len()));
        for d in &s.report.diagnostics {
            let icon = match d.severity {
                Severity::Error => "❌",
                Severity::Warning => "⚠️",
            };
            let location = d
                .file()
                .map(|f| {
                    let line = d.byte_span().map(|sp| s.report.sources.line_col(f, sp.start).0);
                    format!(" {}", s.links.link(f, line))
                })
                .unwrap_or_default();
            out.push_str(&format!(
                "- {icon} **{}** `{}`{location}: {}",
                d.code.code(),
                d.code.name(),
                md_cell(&d.message)
            ));
            if let Some(hint) = &d.hint {
                out.push_str(&format!(" — _{}_", md_cell(hint)));
            }
            out.push('\n');
        }
        out.push('\n');
    }
    out
}

/// The score gate's drops: which passed as findings assessors recorded, which
/// failed and why, with the verdicts that explain them.
fn gate_markdown(gate: &Gate) -> String {
    let mut out = String::from("### Score drops\n\n");
    for d in &gate.drops {
        let verdict = if d.passed { "✅ passed as a recorded finding" } else { "❌ failed" };
        out.push_str(&format!(
            "- {verdict}: {} — {}\n",
            md_cell(&d.describe(gate.max_score_drop)),
            md_cell(&d.reason)
        ));
    }
    let verdicts: Vec<&crate::checks::gate::Explaining> =
        gate.drops.iter().flat_map(|d| d.verdicts.iter()).collect();
    let mut seen = std::collections::BTreeSet::new();
    let rows: Vec<String> = verdicts
        .into_iter()
        .filter(|v| seen.insert((v.assessment.clone(), v.action.clone())))
        .map(|v| {
            format!(
                "| {} | {} | {} → **{}** | {} | `{}` | {} |\n",
                md_cell(&v.assessment),
                md_cell(&v.action),
                v.before,
                v.after,
                md_cell(&v.author),
                &v.commit[..7.min(v.commit.len())],
                v.points
            )
        })
        .collect();
    if !rows.is_empty() {
        out.push_str("\nVerdicts recorded by assessors that explain the drops:\n\n");
        out.push_str(
            "| Assessment | Action | Test | Author | Commit | Points |\n|---|---|---|---|---|---:|\n",
        );
        for r in rows {
            out.push_str(&r);
        }
    }
    out.push('\n');
    out
}

/// For the terminal: drops that passed because assessors' verdicts explain them.
pub(crate) fn allowed_drops_text(gate: &Gate) -> String {
    let mut out = String::new();
    for d in gate.drops.iter().filter(|d| d.passed) {
        out.push_str(&allowed_drop_line(d, gate.max_score_drop));
    }
    out
}

fn allowed_drop_line(d: &Drop, threshold: f64) -> String {
    let mut out = format!("note: {} (passed: {})\n", d.describe(threshold), d.reason);
    for v in &d.verdicts {
        out.push_str(&format!("  = {}\n", v.describe()));
    }
    out
}
