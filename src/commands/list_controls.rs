//! `evident list controls`: a template's controls with their family, actions,
//! implementation groups and related controls of other templates.

use crate::commands::args::OutputFormat;
use crate::commands::context::Context;
use crate::commands::output::to_json_text;
use crate::error::{Error, Outcome, Result};

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
    let mut text = String::new();
    for t in ws
        .templates
        .values()
        .filter(|t| args.template.is_empty() || args.template.iter().any(|i| i == t.id.as_str()))
    {
        let mut family: Option<&str> = None;
        for c in &t.controls {
            if !args.group.is_empty() && !c.groups.iter().any(|g| args.group.contains(g)) {
                continue;
            }
            if args.format == OutputFormat::Json {
                rows.push(crate::render::json::ControlRow {
                    template: t.id.to_string(),
                    id: c.id.to_string(),
                    title: c.title.clone(),
                    family: c.family.clone(),
                    actions: c.actions.iter().map(|a| a.to_string()).collect(),
                    groups: c.groups.clone(),
                    related: c.related.clone(),
                });
                continue;
            }
            if family != c.family.as_deref() || text.is_empty() {
                family = c.family.as_deref();
                text.push_str(&format!("{} — {}\n", t.id, family.unwrap_or("(no family)")));
            }
            text.push_str(&format!("  {}  {}\n", c.id, c.title));
            let actions: Vec<&str> = c.actions.iter().map(|a| a.as_str()).collect();
            text.push_str(&format!("      actions: {}\n", actions.join(", ")));
            if !c.groups.is_empty() {
                text.push_str(&format!("      groups: {}\n", c.groups.join(", ")));
            }
            if !c.related.is_empty() {
                let related: Vec<String> = c
                    .related
                    .iter()
                    .map(|r| {
                        let shared = if r.actions.is_empty() { "" } else { ", shared" };
                        format!("{} {} ({}{shared})", r.template, r.control, r.relationship)
                    })
                    .collect();
                text.push_str(&format!("      related: {}\n", related.join("; ")));
            }
        }
    }
    match args.format {
        OutputFormat::Json => ui.out(&to_json_text(&rows)),
        _ => ui.out(&text),
    }
    Ok(Outcome::Success)
}
