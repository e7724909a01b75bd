//! `evident audit`: the history rules over the whole history.

use crate::checks::history::{self as history_rules, Roles};
use crate::cli::GlobalArgs;
use crate::commands::{DiagnosticFormat, load_unfinished, print_report};
use crate::error::{Error, Outcome, Result};
use crate::history::GitRepo;
use crate::history::events::{self, BlobCache};
use crate::ui::Ui;

/// Check the whole history: frozen evidence and verdicts by assessors only.
///
/// Checks every commit: no evidence removed or altered after a test verdict,
/// and test verdicts set only by assessors (as listed in evident.toml just
/// before each commit).
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  evident audit\n  evident audit --format json > audit.json")]
pub struct Args {
    /// Follow only the first parent of merges (the main line).
    #[arg(long)]
    pub first_parent: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = DiagnosticFormat::Human)]
    pub format: DiagnosticFormat,
}

pub fn run(ui: &Ui, global: &GlobalArgs, args: Args) -> Result<Outcome> {
    let mut loaded = load_unfinished(global)?;
    // Only the history rules: `validate` problems of the working tree are not this command's business.
    loaded.report.diagnostics.clear();
    let git = GitRepo::open(&loaded.repo.root)?;
    let head = git
        .head()?
        .ok_or_else(|| Error::new("the repository has no commits yet").hint("commit the repository first"))?;
    let ids = events::commits(&git, None, head, args.first_parent)?;
    let bar = ui.progress(ids.len() as u64, "Auditing");
    let mut cache = BlobCache::default();
    let changes = events::changes(&git, &ids, &mut cache, || bar.inc(1))?;
    bar.finish_and_clear();
    history_rules::check(&git, &changes, Roles::AtParent, &mut cache, &mut loaded.report);
    loaded.report.files_checked = ids.len();
    loaded.report.unit = "commit";
    loaded.report.finish(&loaded.workspace.config.rules);
    print_report(ui, &loaded, args.format);
    Ok(Outcome::failed_if(loaded.report.has_errors()))
}
