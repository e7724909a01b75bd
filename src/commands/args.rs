//! Arguments and formats that several commands share: the `--format`
//! enums, the action filters (`list actions`, `export actions`), the event
//! filters (`history`, `export history`) and the options of editing commands.

use std::collections::BTreeSet;
use std::path::Path;

use crate::error::{Error, Result};
use crate::filter::ActionFilter;
use crate::history::timeline::{StatusEvent, Timeline};
use crate::model::{ActionType, Category, Date, ImplementationStatus, TestStatus, parse_id};
use crate::repo::layout;

/// Output formats of commands that print results.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum OutputFormat {
    /// Tables for people; coloured on a terminal.
    #[value(alias = "text")]
    Human,
    /// JSON for scripts.
    Json,
    /// Markdown, for pull-request comments and job summaries.
    #[value(alias = "md")]
    Markdown,
}

impl OutputFormat {
    /// Whether stdout is JSON, which a refusal then is too.
    pub(crate) fn is_json(self) -> bool {
        self == OutputFormat::Json
    }
}

/// Output formats of commands that report diagnostics.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum DiagnosticFormat {
    /// Diagnostics with snippets, on stderr.
    Human,
    /// One JSON object with every diagnostic, on stdout.
    Json,
    /// GitHub Actions workflow commands (annotations), on stdout.
    Github,
    /// SARIF 2.1.0 (code scanning), on stdout.
    Sarif,
}

/// Output formats of the commands that write files (the edits and the
/// spreadsheet imports): what changed, for people or scripts; no Markdown.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum WriteFormat {
    /// Messages for people, on stderr.
    #[default]
    #[value(alias = "text")]
    Human,
    /// One JSON object on stdout: the changes, or the problems.
    Json,
}

impl WriteFormat {
    /// Whether stdout is JSON, which a refusal then is too.
    pub(crate) fn is_json(self) -> bool {
        self == WriteFormat::Json
    }
}

/// Whether to write, and how to show what changed; shared by the commands
/// that write files (`set`, `assign`, `accept`, `evidence`, the spreadsheet
/// imports), flattened last so that `--help` lists these options last.
#[derive(Clone, Copy, Debug, Default, clap::Args)]
pub(crate) struct WriteArgs {
    /// Show what would change without writing anything.
    #[arg(long)]
    pub dry_run: bool,
    /// Output format of what changed.
    #[arg(long, value_enum, default_value_t = WriteFormat::Human)]
    pub format: WriteFormat,
}

impl WriteArgs {
    /// Whether stdout is JSON.
    pub(crate) fn json(self) -> bool {
        self.format.is_json()
    }
}

/// Where an edit goes and whether to write it; shared by `evidence add|remove|rehash`
/// (flattened last, so `--help` lists them last).
#[derive(Clone, Debug, Default, clap::Args)]
pub(crate) struct EditArgs {
    /// Only in this assessment (repeat for several). Default: every assessment
    /// that lists the action, when there is one or they are all in one group.
    #[arg(long = "assessment", short = 'a', value_name = "ASSESSMENT")]
    pub assessments: Vec<String>,
    #[command(flatten)]
    pub write: WriteArgs,
}

/// The filters of the action list; shared with `evident export actions`.
#[derive(Clone, Debug, Default, clap::Args)]
pub(crate) struct FilterArgs {
    /// Only actions of templates with this regulation (or template id).
    #[arg(long, value_delimiter = ',', value_name = "REGULATION")]
    pub regulation: Vec<String>,
    /// Only actions with this solution.
    #[arg(long, value_delimiter = ',', value_name = "SOLUTION")]
    pub solution: Vec<String>,
    /// Only actions in assessments of this group.
    #[arg(long, value_delimiter = ',', value_name = "GROUP")]
    pub group: Vec<String>,
    /// Only actions with this test status.
    #[arg(long, value_delimiter = ',', value_enum, value_name = "STATUS")]
    pub test_status: Vec<TestStatus>,
    /// Only actions of this category.
    #[arg(long, value_delimiter = ',', value_enum, value_name = "CATEGORY")]
    pub category: Vec<Category>,
    /// Only actions owned by this person (`none`: without owner).
    #[arg(long, value_delimiter = ',', value_name = "EMAIL")]
    pub owner: Vec<String>,
    /// Only actions of this type.
    #[arg(long, value_delimiter = ',', value_enum, value_name = "TYPE")]
    pub action_type: Vec<ActionType>,
    /// Only actions of this assessment.
    #[arg(long, value_delimiter = ',', value_name = "ASSESSMENT")]
    pub assessment: Vec<String>,
    /// Only actions with this implementation status.
    #[arg(long, value_delimiter = ',', value_enum, value_name = "STATUS")]
    pub status: Vec<ImplementationStatus>,
    /// Only actions whose test result is stale (older than its valid-for).
    #[arg(long)]
    pub stale: bool,
}

impl FilterArgs {
    /// The filter, with every value checked against the repository.
    pub(crate) fn filter(self, ws: &crate::model::Workspace) -> Result<ActionFilter> {
        let filter = ActionFilter {
            regulations: self.regulation,
            solutions: self.solution,
            groups: self.group,
            test_statuses: self.test_status,
            categories: self.category,
            owners: self.owner,
            action_types: self.action_type,
            assessments: self.assessment,
            statuses: self.status,
            stale: self.stale,
        };
        filter.check_values(ws)?;
        Ok(filter)
    }
}

/// Which status events to show; shared with `evident export history`.
#[derive(Clone, Debug, Default, clap::Args)]
pub(crate) struct EventFilter {
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
    pub(crate) fn keep(&self, t: &Timeline, e: &StatusEvent) -> bool {
        let c = &t.commits[e.commit];
        self.action.as_ref().is_none_or(|a| &e.action == a)
            && self.assessment.as_ref().is_none_or(|a| &e.assessment == a)
            && self.author.as_ref().is_none_or(|a| c.author_email.eq_ignore_ascii_case(a))
            && self.since.is_none_or(|d| c.date() >= d.to_string())
    }

    /// An action or assessment that the history never mentions and that has no file in the
    /// working tree (`root`) is probably a typo: an error with the closest name that either
    /// has. One that exists but never changed simply has no events.
    pub(crate) fn check_names(&self, timeline: &Timeline, root: &Path) -> Result<()> {
        if let Some(action) = &self.action {
            let on_disk = known_on_disk(root, layout::ACTIONS_DIR, layout::action_path);
            require_known(timeline, "action", action, |e| &e.action, &on_disk)?;
        }
        if let Some(assessment) = &self.assessment {
            let on_disk = known_on_disk(root, layout::ASSESSMENTS_DIR, layout::assessment_path);
            require_known(timeline, "assessment", assessment, |e| &e.assessment, &on_disk)?;
        }
        Ok(())
    }
}

/// The ids that have a file in the working tree: `dir/<id>.toml` or `dir/<id>/…`, as `path` places them.
fn known_on_disk(root: &Path, dir: &str, path: impl Fn(&str) -> String) -> BTreeSet<String> {
    let Ok(entries) = std::fs::read_dir(root.join(dir)) else {
        return BTreeSet::new();
    };
    entries
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            let id = name.strip_suffix(".toml").unwrap_or(&name).to_owned();
            root.join(path(&id)).is_file().then_some(id)
        })
        .collect()
}

/// Refuses a name that neither a status event nor a file has: most likely a typo.
fn require_known(
    t: &Timeline,
    what: &str,
    name: &str,
    field: impl Fn(&StatusEvent) -> &String,
    on_disk: &BTreeSet<String>,
) -> Result<()> {
    if on_disk.contains(name) || t.events.iter().any(|e| field(e) == name) {
        return Ok(());
    }
    let mut e = Error::new(format!("no {what} `{name}`: neither the history nor the working tree has it"));
    let mut names: BTreeSet<&str> = t.events.iter().map(|e| field(e).as_str()).collect();
    names.extend(on_disk.iter().map(String::as_str));
    if let Some(h) = crate::diag::did_you_mean(name, names.iter().copied()) {
        e = e.hint(h);
    }
    Err(e)
}

fn parse_date(s: &str) -> std::result::Result<Date, String> {
    s.parse()
}
