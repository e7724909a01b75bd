//! `evident history`: the status timeline from git history.

use crate::commands::args::EventFilter;
use crate::commands::args::OutputFormat;
use crate::commands::context::Context;
use crate::commands::output::to_json_text;
use crate::commands::output::warn_problems;
use crate::error::{Outcome, Result};
use crate::history::timeline::{StatusEvent, Timeline};
use crate::repo::Repo;

/// Show the history of action states: who changed what, when.
///
/// Every commit that changed a state file is a status event: implementation
/// and test status, owner, dates, notes and evidence, before → after. History
/// follows the first parent of each merge (the main line), so a merged branch
/// shows as its merge commit; `--all-parents` lists the branch's own commits
/// with their authors instead. Results are cached under `.git/evident/`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  evident history mfa-admins\n  evident history --assessment gdpr-2026 --since 2026-01-01\n  evident history --author chloe.martin@example.com --format json\n  evident history --scores"
)]
pub(crate) struct Args {
    #[command(flatten)]
    pub filter: EventFilter,
    /// Show the overall and per-assessment scores after each commit instead
    /// (human and Markdown list the commits that moved the overall score; JSON
    /// has every commit, with per-category scores too).
    #[arg(long)]
    pub scores: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
    pub format: OutputFormat,
}

pub(crate) fn run(ctx: &Context, args: Args) -> Result<Outcome> {
    let ui = ctx.ui();
    let repo = ctx.repo()?;
    let timeline = ctx.timeline(&repo, args.filter.all_parents)?;
    args.filter.check_names(&timeline)?;
    warn_problems(ui, &timeline);
    if args.scores {
        let markdown = args.format == OutputFormat::Markdown;
        match args.format {
            OutputFormat::Json => ui.out(&to_json_text(&crate::render::history::scores_json(&timeline))),
            // A failed write is reported by `ui` when the command ends.
            _ => _ = crate::render::history::scores(&timeline, markdown, &mut ui.out_writer()),
        }
        return Ok(Outcome::Success);
    }
    let events: Vec<&StatusEvent> =
        timeline.events.iter().filter(|e| args.filter.keep(&timeline, e)).collect();
    let signed = signatures(&repo, &timeline, &events)?;
    let _ = match args.format {
        OutputFormat::Human => {
            crate::render::history::human(&timeline, &events, &signed, ui.color_stdout, &mut ui.out_writer())
        }
        OutputFormat::Markdown => {
            crate::render::history::markdown(&timeline, &events, &signed, &mut ui.out_writer())
        }
        OutputFormat::Json => {
            ui.out(&to_json_text(&crate::render::history::json(&timeline, &events, &signed)));
            Ok(())
        }
    };
    Ok(Outcome::Success)
}

/// Under `[trust]` (in the working tree's evident.toml): whether each commit
/// that changed a test status was signed, and by whom.
pub(crate) fn signatures(
    repo: &Repo,
    timeline: &Timeline,
    events: &[&StatusEvent],
) -> crate::error::Result<crate::render::history::SignedBy> {
    let Ok(bytes) = std::fs::read(repo.path(crate::repo::layout::CONFIG_FILE)) else {
        return Ok(Default::default());
    };
    let config: Option<crate::model::Config> =
        crate::load::parse(crate::schema::FileKind::Config, crate::repo::layout::CONFIG_FILE, &bytes).value;
    match config {
        Some(c) => crate::trust::verdict_signatures(&repo.root, &c, timeline, events),
        None => Ok(Default::default()),
    }
}
