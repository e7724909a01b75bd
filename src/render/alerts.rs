//! What `evident alerts` prints: per fired policy, its recipients and what
//! fired it, as a terminal listing, Markdown (for chat or mail) or JSON.

use serde_json::Value;

use super::table::Table;
use super::{md_cell, md_code};
use crate::alerts::{Event, Fired, Scope, short};

/// The range an alert run covered.
pub(crate) struct Header<'a> {
    pub base: &'a str,
    pub base_id: String,
    pub head_id: String,
    pub commits: usize,
}

pub(crate) fn json(header: &Header<'_>, fired: &[Fired]) -> Value {
    super::json::to_value(&super::json::AlertsOutput {
        base: header.base.to_owned(),
        base_commit: header.base_id.clone(),
        head_commit: header.head_id.clone(),
        commits: header.commits,
        alerts: fired.to_vec(),
    })
}

pub(crate) fn title(header: &Header<'_>, fired: &[Fired]) -> String {
    let what = match fired.len() {
        0 => "no alerts fired".to_owned(),
        1 => "1 alert fired".to_owned(),
        n => format!("{n} alerts fired"),
    };
    format!("{what} in {}..HEAD ({})", header.base, crate::diag::render::plural(header.commits, "commit"))
}

pub(crate) fn human(header: &Header<'_>, fired: &[Fired], color: bool) -> String {
    let mut out = format!("{}\n", title(header, fired));
    for alert in fired {
        out.push_str(&format!("\n{}: {}", alert.id, alert.watches));
        if !alert.notify.is_empty() {
            out.push_str(&format!(" → {}", alert.notify.join(", ")));
        }
        out.push('\n');
        let mut statuses = Table::new(&["Date", "Commit", "Author", "Assessment", "Action", "Change"]);
        let mut scores = Table::new(&["Score", "Change"]);
        for event in &alert.events {
            match event {
                Event::Status { commit, date, author, assessment, action, before, after, .. } => statuses
                    .row(vec![
                        date.clone(),
                        short(commit),
                        author.clone(),
                        assessment.clone(),
                        action.clone(),
                        format!("{before} → {after}"),
                    ]),
                Event::Score { scope, label, before, after, .. } => {
                    let name =
                        if *scope == Scope::Overall { label.clone() } else { format!("{scope} {label}") };
                    scores.row(vec![name, super::score_move(*before, *after)]);
                }
                Event::Owner { commit, date, author, assessment, action, before, after, .. } => {
                    statuses.row(vec![
                        date.clone(),
                        short(commit),
                        author.clone(),
                        assessment.clone(),
                        action.clone(),
                        format!("owner {} → {}", or_none(before), or_none(after)),
                    ])
                }
                Event::Stale { assessment, action, test, test_date, valid_for, .. } => statuses.row(vec![
                    test_date.clone().unwrap_or_default(),
                    String::new(),
                    String::new(),
                    assessment.clone(),
                    action.clone(),
                    format!("{test} is stale (valid for {valid_for})"),
                ]),
            }
        }
        for table in [statuses, scores] {
            if !table.is_empty() {
                for line in table.render(color).lines() {
                    out.push_str(&format!("  {line}\n"));
                }
            }
        }
    }
    out
}

pub(crate) fn markdown(header: &Header<'_>, fired: &[Fired]) -> String {
    let mut out = format!("## {}\n", title(header, fired));
    for alert in fired {
        out.push_str(&format!("\n### {}\n\n{}", md_code(&alert.id), md_cell(&alert.watches)));
        if !alert.notify.is_empty() {
            let to: Vec<String> = alert.notify.iter().map(|n| md_cell(n)).collect();
            out.push_str(&format!(" → {}", to.join(", ")));
        }
        out.push_str("\n\n");
        for event in &alert.events {
            match event {
                Event::Status { commit, date, author, assessment, action, title, before, after, .. } => {
                    out.push_str(&format!(
                        "- {date} `{}` {}: {} in {} ({}): {} → {}\n",
                        short(commit),
                        md_cell(author),
                        md_code(action),
                        md_code(assessment),
                        md_cell(title.as_deref().unwrap_or("")),
                        md_code(before),
                        md_code(after)
                    ));
                }
                Event::Owner { commit, date, author, assessment, action, title, before, after, .. } => {
                    out.push_str(&format!(
                        "- {date} `{}` {}: {} in {} ({}): owner {} → {}\n",
                        short(commit),
                        md_cell(author),
                        md_code(action),
                        md_code(assessment),
                        md_cell(title.as_deref().unwrap_or("")),
                        md_code(or_none(before)),
                        md_code(or_none(after))
                    ));
                }
                Event::Stale { assessment, action, title, test, test_date, valid_for, .. } => {
                    out.push_str(&format!(
                        "- {} in {} ({}): {} of {} is stale (valid for {valid_for})\n",
                        md_code(action),
                        md_code(assessment),
                        md_cell(title.as_deref().unwrap_or("")),
                        md_code(test),
                        test_date.as_deref().unwrap_or("?")
                    ));
                }
                Event::Score { scope, label, before, after, .. } => {
                    let name = if *scope == Scope::Overall {
                        "overall score".to_owned()
                    } else {
                        format!("{scope} {}", md_cell(label))
                    };
                    out.push_str(&format!("- {name}: {}\n", super::score_move(*before, *after)));
                }
            }
        }
    }
    out
}

/// An owner, or `none` when there is none.
pub(crate) fn or_none(owner: &Option<String>) -> &str {
    owner.as_deref().unwrap_or("none")
}
