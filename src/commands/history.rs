//! `evident history`: the status timeline from git history.

use std::fmt::Write;

use crate::commands::args::EventFilter;
use crate::commands::args::OutputFormat;
use crate::commands::context::Context;
use crate::commands::output::warn_problems;
use crate::error::{Outcome, Result};
use crate::history::timeline::{StatusEvent, Timeline};
use crate::render::history;
use crate::render::json_text::write_json;
use crate::repo::Repo;

/// Show the history of action states: who changed what, when.
///
/// Every commit that changed a state file is a status event: implementation
/// and test status, owner, dates, notes and evidence, before → after. History
/// follows the first parent of each merge (the main line), so a merged branch
/// shows as its merge commit; `--all-parents` lists the branch's own commits
/// with their authors instead. Results are cached under `.git/evident/`.
///
/// An action or assessment that never changed has an empty history; before the
/// first commit the history is empty too, with a note.
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
    let timeline = ctx.history_timeline(&repo, args.filter.all_parents)?;
    args.filter.check_names(&timeline, &repo.root)?;
    warn_problems(ui, &timeline);
    let out = &mut ui.out_writer();
    if args.scores {
        write_scores(&timeline, args.format, out)?;
        return Ok(Outcome::Success);
    }
    let events: Vec<&StatusEvent> =
        timeline.events.iter().filter(|e| args.filter.keep(&timeline, e)).collect();
    let signed = signatures(&repo, &timeline, &events)?;
    write_events(&timeline, &events, &signed, args.format, ui.color_stdout, out)?;
    Ok(Outcome::Success)
}

/// Writes the score series as it is formatted. A failed write stops it, and
/// is reported when the command ends (as for any output).
fn write_scores(t: &Timeline, format: OutputFormat, out: &mut dyn Write) -> Result<()> {
    match format {
        OutputFormat::Json => write_json(out, &history::scores_json(t)),
        _ => {
            let _ = history::scores(t, format == OutputFormat::Markdown, out);
            Ok(())
        }
    }
}

/// Writes the status events as they are formatted; failed writes as for
/// [`write_scores`].
fn write_events(
    t: &Timeline,
    events: &[&StatusEvent],
    signed: &history::SignedBy,
    format: OutputFormat,
    color: bool,
    out: &mut dyn Write,
) -> Result<()> {
    let _ = match format {
        OutputFormat::Human => history::human(t, events, signed, color, out),
        OutputFormat::Markdown => history::markdown(t, events, signed, out),
        OutputFormat::Json => return write_json(out, &history::json(t, events, signed)),
    };
    Ok(())
}

/// Under `[trust]` (in the working tree's evident.toml): whether each commit
/// that changed a test status was signed, and by whom.
pub(crate) fn signatures(
    repo: &Repo,
    timeline: &Timeline,
    events: &[&StatusEvent],
) -> crate::error::Result<history::SignedBy> {
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
