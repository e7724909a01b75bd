//! `evident history`: the status timeline from git history.

use crate::cli::GlobalArgs;
use crate::commands::{OutputFormat, to_json_text};
use crate::diag::{Code, Diagnostic};
use crate::error::{Error, Outcome, Result};
use crate::history::timeline::{StatusEvent, Timeline};
use crate::model::{Date, parse_id};
use crate::repo::Repo;
use crate::ui::Ui;

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
pub struct Args {
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

/// Which status events to show; shared with `evident export history`.
#[derive(Clone, Debug, Default, clap::Args)]
pub struct EventFilter {
    /// Only this action.
    #[arg(value_parser = parse_id)]
    pub action: Option<String>,
    /// Only this assessment.
    #[arg(long, value_name = "ASSESSMENT")]
    pub assessment: Option<String>,
    /// Only changes made on or after this date (YYYY-MM-DD, the author's date).
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub since: Option<Date>,
    /// Only changes by this commit author (e-mail).
    #[arg(long, value_name = "EMAIL")]
    pub author: Option<String>,
    /// List the commits of merged branches with their own authors.
    #[arg(long)]
    pub all_parents: bool,
}

impl EventFilter {
    /// Whether an event passes the filter.
    pub fn keep(&self, t: &Timeline, e: &StatusEvent) -> bool {
        let c = &t.commits[e.commit];
        self.action.as_ref().is_none_or(|a| &e.action == a)
            && self.assessment.as_ref().is_none_or(|a| &e.assessment == a)
            && self.author.as_ref().is_none_or(|a| c.author_email.eq_ignore_ascii_case(a))
            && self.since.is_none_or(|d| c.date() >= d.to_string())
    }

    /// An action or assessment the history never mentions is probably a
    /// typo: an error with the closest one that it does mention.
    pub fn check_names(&self, timeline: &Timeline) -> Result<()> {
        if let Some(action) = &self.action {
            require_known(timeline, "action", action, |e| &e.action)?;
        }
        if let Some(assessment) = &self.assessment {
            require_known(timeline, "assessment", assessment, |e| &e.assessment)?;
        }
        Ok(())
    }
}

/// Refuses a name that no status event has: most likely a typo.
fn require_known(
    t: &Timeline,
    what: &str,
    name: &str,
    field: impl Fn(&StatusEvent) -> &String,
) -> Result<()> {
    if t.events.iter().any(|e| field(e) == name) {
        return Ok(());
    }
    let mut e = Error::new(format!("no status changes of {what} `{name}` in the history"));
    let names: std::collections::BTreeSet<&str> = t.events.iter().map(|e| field(e).as_str()).collect();
    if let Some(h) = crate::diag::did_you_mean(name, names.iter().copied()) {
        e = e.hint(h);
    }
    Err(e)
}

/// Warns where a shallow clone's history starts, and about the files of past
/// commits the timeline could not read.
pub fn warn_problems(ui: &Ui, timeline: &Timeline) {
    if timeline.shallow
        && let Some(first) = timeline.points.first().map(|p| &timeline.commits[p.commit])
    {
        ui.diagnostic(&Diagnostic::new(
            Code::ShallowHistory,
            format!(
                "this is a shallow clone: history starts at {} ({}); fetch the rest with `git fetch --unshallow`",
                first.short(),
                first.date()
            ),
        ));
    }
    for problem in timeline.diagnostics() {
        ui.diagnostic(&problem);
    }
}

fn parse_date(s: &str) -> std::result::Result<Date, String> {
    s.parse()
}

pub fn run(ui: &Ui, global: &GlobalArgs, args: Args) -> Result<Outcome> {
    let repo = Repo::discover(global.repo.as_deref())?;
    let timeline = crate::commands::timeline(ui, &repo, args.filter.all_parents)?;
    args.filter.check_names(&timeline)?;
    warn_problems(ui, &timeline);
    if args.scores {
        ui.out(&match args.format {
            OutputFormat::Json => to_json_text(&crate::render::history::scores_json(&timeline)),
            _ => crate::render::history::scores(&timeline, args.format == OutputFormat::Markdown),
        });
        return Ok(Outcome::Success);
    }
    let events: Vec<&StatusEvent> =
        timeline.events.iter().filter(|e| args.filter.keep(&timeline, e)).collect();
    let signed = signatures(&repo, &timeline, &events);
    let text = match args.format {
        OutputFormat::Human => crate::render::history::human(&timeline, &events, &signed, ui.color_stdout),
        OutputFormat::Markdown => crate::render::history::markdown(&timeline, &events, &signed),
        OutputFormat::Json => to_json_text(&crate::render::history::json(&timeline, &events, &signed)),
    };
    ui.out(&text);
    Ok(Outcome::Success)
}

/// Under `[trust]` (in the working tree's evident.toml): whether each commit
/// that changed a test status was signed, and by whom.
pub fn signatures(
    repo: &Repo,
    timeline: &Timeline,
    events: &[&StatusEvent],
) -> crate::render::history::SignedBy {
    let Ok(bytes) = std::fs::read(repo.path(crate::repo::layout::CONFIG_FILE)) else {
        return Default::default();
    };
    let config: Option<crate::model::Config> =
        crate::load::parse(crate::schema::FileKind::Config, crate::repo::layout::CONFIG_FILE, &bytes).value;
    config.map(|c| crate::trust::verdict_signatures(&repo.root, &c, timeline, events)).unwrap_or_default()
}
