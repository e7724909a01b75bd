//! `evident list controls`: a template's controls with their family, actions,
//! implementation groups and related controls of other templates.

use crate::commands::args::OutputFormat;
use crate::commands::context::Context;
use crate::commands::output::to_json_text;
use crate::error::{Error, Outcome, Result};
use crate::render::json::ControlRow;
use crate::render::table::Table;

/// List the controls of templates: family, actions, implementation groups and the related
/// controls of other templates (`evident import mapping`; related controls are shown, never scored).
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  evident list controls --template finma-2023-01\n  evident list controls --group IG1 --format json"
)]
pub(crate) struct Args {
    /// Only this template (repeat or comma-separate for several). Default: every template.
    #[arg(long, value_delimiter = ',', value_name = "ID")]
    pub template: Vec<String>,
    /// Only controls in this implementation group (e.g. `IG1`).
    #[arg(long, value_delimiter = ',', value_name = "GROUP")]
    pub group: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
    pub format: OutputFormat,
}

pub(crate) fn run(ctx: &Context, args: Args) -> Result<Outcome> {
    let ui = ctx.ui();
    let loaded = ctx.load()?;
    if !crate::commands::output::require_clean(ui, &loaded.report, args.format.is_json()) {
        return Ok(Outcome::Failed);
    }
    let ws = &loaded.workspace;
    for t in &args.template {
        if !ws.templates.contains_key(t.as_str()) {
            let mut e = Error::new(format!("no template `{t}` (templates/{t}.toml)"));
            if let Some(hint) = crate::diag::did_you_mean(t, ws.templates.keys().map(|k| k.as_str())) {
                e = e.hint(hint);
            }
            return Err(e);
        }
    }
    let mut rows = Vec::new();
    for t in ws
        .templates
        .values()
        .filter(|t| args.template.is_empty() || args.template.iter().any(|i| i == t.id.as_str()))
    {
        for c in &t.controls {
            if !args.group.is_empty() && !c.groups.iter().any(|g| args.group.contains(g)) {
                continue;
            }
            rows.push(ControlRow {
                template: t.id.to_string(),
                id: c.id.to_string(),
                title: c.title.clone(),
                family: c.family.clone(),
                actions: c.actions.iter().map(|a| a.to_string()).collect(),
                groups: c.groups.clone(),
                related: c.related.clone(),
            });
        }
    }
    match args.format {
        OutputFormat::Json => ui.out(&to_json_text(&rows)),
        OutputFormat::Human => ui.out(&human(&rows)),
        OutputFormat::Markdown => ui.out(&markdown(&rows)),
    }
    Ok(Outcome::Success)
}

/// Controls under a heading per template and family, each with its actions, groups and
/// related controls.
fn human(rows: &[ControlRow]) -> String {
    let mut text = String::new();
    let mut heading: Option<(&str, Option<&str>)> = None;
    for c in rows {
        if heading != Some((&c.template, c.family.as_deref())) {
            heading = Some((&c.template, c.family.as_deref()));
            text.push_str(&format!("{} — {}\n", c.template, c.family.as_deref().unwrap_or("(no family)")));
        }
        text.push_str(&format!("  {}  {}\n", c.id, c.title));
        text.push_str(&format!("      actions: {}\n", c.actions.join(", ")));
        if !c.groups.is_empty() {
            text.push_str(&format!("      groups: {}\n", c.groups.join(", ")));
        }
        if !c.related.is_empty() {
            text.push_str(&format!("      related: {}\n", related(c)));
        }
    }
    text
}

/// One table row per control.
fn markdown(rows: &[ControlRow]) -> String {
    let mut table = Table::new(&["Template", "Family", "Control", "Title", "Actions", "Groups", "Related"]);
    for c in rows {
        table.row(vec![
            c.template.clone(),
            c.family.clone().unwrap_or_default(),
            c.id.clone(),
            c.title.clone(),
            c.actions.join(", "),
            c.groups.join(", "),
            related(c),
        ]);
    }
    table.markdown()
}

/// `template control (relationship[, shared])`, separated by `; `.
fn related(c: &ControlRow) -> String {
    let related: Vec<String> = c
        .related
        .iter()
        .map(|r| {
            let shared = if r.actions.is_empty() { "" } else { ", shared" };
            format!("{} {} ({}{shared})", r.template, r.control, r.relationship)
        })
        .collect();
    related.join("; ")
}
