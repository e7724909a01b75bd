//! `evident audit`: the history rules over the whole history.

use crate::checks::history::{HistoryRules, Roles};
use crate::commands::args::DiagnosticFormat;
use crate::commands::context::{Context, Loaded};
use crate::commands::output::print_report;
use crate::diag::Report;
use crate::error::{Error, Outcome, Result};
use crate::history::GitRepo;
use crate::history::events::{self, BlobCache};
use crate::model::{Config, Workspace};
use crate::repo::layout::CONFIG_FILE;
use crate::schema::FileKind;

/// Check the whole history: frozen evidence and verdicts by assessors only.
///
/// Checks every commit, the first one and merges included: no evidence removed
/// or altered after a test verdict, test verdicts set only by assessors,
/// `[roles]`, `[rules]`, `[check]` and `[scoring]` changed only by admins, and
/// no action definition changed without a version bump. Each commit is judged
/// by the roles and rule levels in evident.toml at its parent (a root commit
/// by its own); when that file is missing or broken, by the last one that
/// loaded. The working tree is not checked: that is `check`.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  evident audit\n  evident audit --format json > audit.json")]
pub(crate) struct Args {
    /// Follow only the first parent of merges (the main line).
    #[arg(long)]
    pub first_parent: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = DiagnosticFormat::Human)]
    pub format: DiagnosticFormat,
}

pub(crate) fn run(ctx: &Context, args: Args) -> Result<Outcome> {
    let ui = ctx.ui();
    let repo = ctx.repo()?;
    // Only the rule levels are needed from the working tree.
    let config_path = repo.path(CONFIG_FILE);
    let bytes = std::fs::read(&config_path).map_err(|e| Error::io("read", &config_path, e))?;
    let config: Config = crate::load::parse(FileKind::Config, CONFIG_FILE, &bytes).value.unwrap_or_default();

    let git = GitRepo::open(&repo.root)?;
    let head = git.committed_head()?;
    let ids = events::commits(&git, None, head, args.first_parent)?;
    git.require_complete(&ids, "an audit of the whole history")?;
    let bar = ui.progress(ids.len() as u64, "Auditing");
    let mut cache = BlobCache::default();
    let mut rules = HistoryRules::new(Roles::AtParent);
    let empty = Report::default();
    // Under --first-parent a merge answers for everything it brings into the main line.
    let parents = if args.first_parent { events::Parents::First } else { events::Parents::All };
    events::walk(&git, &ids, parents, &mut cache, |c, cache| {
        bar.inc(1);
        rules.visit(&git, &c, cache, &empty);
    })?;
    bar.finish_and_clear();

    let mut report = Report { commits_checked: Some(ids.len()), ..Report::default() };
    rules.finish(&mut report)?;
    // The history rules took their levels from each commit's parent.
    report.finish(&crate::checks::history::levels_from_base(&config.rules, &Config::default()));
    report.locate(|file| std::fs::read_to_string(repo.path(file)).ok());
    let loaded = Loaded { repo, workspace: Workspace { config, ..Workspace::default() }, report };
    print_report(ui, &loaded, args.format);
    Ok(Outcome::failed_if(loaded.report.has_errors()))
}
