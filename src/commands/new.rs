//! `evident new`: create templates, actions and assessments.

use crate::commands::args::WriteArgs;
use crate::commands::context::{Context, Loaded};
use crate::commands::output::{print_file_changes, write_verb};
use crate::diag::Diagnostic;
use crate::error::{Error, Outcome, Result};
use crate::model::{
    Action, ActionId, ActionType, Category, ControlType, ManagedBy, Template, TemplateId, Testing, parse_id,
};
use crate::repo::layout;
use crate::repo::write::Changeset;
use crate::scaffold::{self, NewAssessment};

/// Create a template, an action or an assessment.
///
/// Every file written is checked against its schema first. `--dry-run` shows
/// the files without writing them; `--format json` prints them as the edits
/// do (`schemas/output/changes.schema.json`).
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(subcommand)]
    pub what: What,
}

#[derive(Debug, clap::Subcommand)]
pub(crate) enum What {
    Template(TemplateArgs),
    Action(ActionArgs),
    Assessment(AssessmentArgs),
}

/// Create a template (templates/<ID>.toml) at version 1.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Example:\n  evident new template gdpr --name \"GDPR (EU 2016/679)\" --regulation GDPR --source https://eur-lex.europa.eu/eli/reg/2016/679/oj"
)]
pub(crate) struct TemplateArgs {
    /// Id of the template (lower-case letters, digits, `.`, `_`, `-`).
    #[arg(value_parser = parse_id)]
    pub id: String,
    /// Display name.
    #[arg(long)]
    pub name: String,
    /// The regulation or standard.
    #[arg(long)]
    pub regulation: String,
    /// Where the regulation is published (URL).
    #[arg(long)]
    pub source: Option<String>,
    /// What the template covers.
    #[arg(long)]
    pub description: Option<String>,
    #[command(flatten)]
    pub write: WriteArgs,
}

/// Create an improvement action (actions/<ID>.toml) at version 1.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Example:\n  evident new action mfa-admins --title \"Require MFA for administrators\" \\\n      --category control-access --action-type technical --control-type preventative --mandatory"
)]
pub(crate) struct ActionArgs {
    /// Id of the action (lower-case letters, digits, `.`, `_`, `-`).
    #[arg(value_parser = parse_id)]
    pub id: String,
    /// What to do, in a few words.
    #[arg(long)]
    pub title: String,
    #[arg(long, value_enum)]
    pub category: Category,
    #[arg(long, value_enum)]
    pub action_type: ActionType,
    #[arg(long, value_enum)]
    pub control_type: ControlType,
    /// A mandatory action (worth more points); discretionary otherwise.
    #[arg(long)]
    pub mandatory: bool,
    #[arg(long, value_enum, default_value_t = Testing::Manual)]
    pub testing: Testing,
    /// Who carries it out: `customer`, or `provider` (a cloud or service provider, whose
    /// attestation is the evidence).
    #[arg(long, value_enum, default_value_t = ManagedBy::Customer)]
    pub managed_by: ManagedBy,
    /// Where the action is carried out.
    #[arg(long)]
    pub solution: Option<String>,
    /// The service the action assesses.
    #[arg(long)]
    pub service: Option<String>,
    /// How to implement and test it (Markdown).
    #[arg(long)]
    pub guidance: Option<String>,
    #[command(flatten)]
    pub write: WriteArgs,
}

/// Create an assessment (assessments/<ID>/) with a state file for every
/// action of its template. In a group, each state file copies the state the
/// group already has for that action, so the group stays in sync.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  evident new assessment gdpr-2026 --template gdpr --group privacy
  evident new assessment ccpa-2026 --template ccpa --group privacy --dry-run --format json")]
pub(crate) struct AssessmentArgs {
    /// Id of the assessment (its directory name).
    #[arg(value_parser = parse_id)]
    pub id: String,
    /// The template to assess against.
    #[arg(long, value_parser = parse_id)]
    pub template: String,
    /// The group to join (actions shared within a group keep identical state).
    #[arg(long, value_parser = parse_id)]
    pub group: Option<String>,
    /// Display name (default: the template's name).
    #[arg(long)]
    pub name: Option<String>,
    /// The service in scope.
    #[arg(long)]
    pub service: Option<String>,
    #[command(flatten)]
    pub write: WriteArgs,
}

impl What {
    fn write(&self) -> WriteArgs {
        match self {
            What::Template(a) => a.write,
            What::Action(a) => a.write,
            What::Assessment(a) => a.write,
        }
    }
}

pub(crate) fn run(ctx: &Context, args: Args) -> Result<Outcome> {
    let ui = ctx.ui();
    let write = args.what.write();
    let lock = ctx.lock()?;
    let loaded = ctx.load()?;
    let mut set = Changeset::new();
    let (warnings, what) = files(&loaded, args.what, &mut set)?;
    crate::scaffold::verify(&set)?;
    if !write.json() {
        warnings.iter().for_each(|w| ui.diagnostic(w));
    }
    let statuses = if write.dry_run { set.preview(&loaded.repo.root)? } else { set.commit(&lock)? };
    if write.json() {
        print_file_changes(ui, &statuses, |path| vec![what(path)], write.dry_run, &warnings);
        return Ok(Outcome::Success);
    }
    for (file, status) in statuses {
        if let Some(verb) = write_verb(status, write.dry_run) {
            ui.status(verb, &file);
        }
    }
    Ok(Outcome::Success)
}

/// What a new file is, in words, by its path.
type Describe = Box<dyn Fn(&str) -> String>;

/// Puts the new files in `set`; the warnings about them, and what each file is, in words.
fn files(loaded: &Loaded, what: What, set: &mut Changeset) -> Result<(Vec<Diagnostic>, Describe)> {
    let ws = &loaded.workspace;
    match what {
        What::Template(a) => {
            refuse_existing(&loaded.repo, &layout::template_path(&a.id), "template")?;
            let template = Template {
                id: TemplateId::new(a.id.clone()),
                name: a.name,
                regulation: a.regulation,
                version: 1,
                description: a.description,
                source: a.source,
                urn: None,
                controls: Vec::new(),
            };
            set.put(layout::template_path(&a.id), scaffold::template_text(&template));
            Ok((Vec::new(), Box::new(move |_: &str| format!("template `{}` version 1", a.id))))
        }
        What::Action(a) => {
            refuse_existing(&loaded.repo, &layout::action_path(&a.id), "action")?;
            let action = Action {
                id: ActionId::new(a.id.clone()),
                title: a.title,
                version: 1,
                category: a.category,
                action_type: a.action_type,
                control_type: a.control_type,
                mandatory: a.mandatory,
                testing: a.testing,
                managed_by: a.managed_by,
                solution: a.solution,
                service: a.service,
                guidance: a.guidance,
                links: Vec::new(),
                automation: None,
            };
            set.put(layout::action_path(&a.id), scaffold::action_text(&action));
            Ok((Vec::new(), Box::new(move |_: &str| format!("action `{}` version 1", a.id))))
        }
        What::Assessment(a) => {
            let dir = format!("{}/{}", layout::ASSESSMENTS_DIR, a.id);
            if loaded.repo.path(&dir).exists() {
                return Err(
                    Error::new(format!("assessment `{dir}/` already exists")).hint("choose another id")
                );
            }
            let (id, template) = (a.id.clone(), a.template.clone());
            let spec = NewAssessment {
                id: a.id,
                template: a.template,
                group: a.group,
                name: a.name,
                service: a.service,
            };
            let warnings = scaffold::new_assessment(ws, &loaded.report, spec, set)?;
            let main = layout::assessment_path(&id);
            let describe = move |path: &str| {
                if path == main {
                    return format!("assessment `{id}` of template `{template}`");
                }
                let file = path.rsplit('/').next().unwrap_or(path);
                format!("state of action `{}`", file.trim_end_matches(".toml"))
            };
            Ok((warnings, Box::new(describe)))
        }
    }
}

fn refuse_existing(repo: &crate::repo::Repo, rel: &str, what: &str) -> Result<()> {
    if repo.path(rel).exists() {
        return Err(
            Error::new(format!("{what} `{rel}` already exists")).hint("choose another id, or edit the file")
        );
    }
    Ok(())
}
