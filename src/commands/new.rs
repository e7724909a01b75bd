//! `evident new`: create templates, actions and assessments.

use std::collections::BTreeMap;

use crate::cli::GlobalArgs;
use crate::diag::{Code, Diagnostic, did_you_mean};
use crate::error::{Error, Outcome, Result};
use crate::model::{
    Action, ActionId, ActionState, ActionType, Assessment, AssessmentId, Category, ControlType, GroupId,
    Implementation, Template, TemplateId, Test, Testing, Workspace, parse_id,
};
use crate::repo::layout::{self, Entry};
use crate::repo::write::{Changeset, WriteStatus};
use crate::scaffold;
use crate::ui::Ui;

/// Create a template, an action or an assessment.
///
/// Every file written is checked against its schema first.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub what: What,
}

#[derive(Debug, clap::Subcommand)]
pub enum What {
    Template(TemplateArgs),
    Action(ActionArgs),
    Assessment(AssessmentArgs),
}

/// Create a template (templates/<ID>.toml) at version 1.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Example:\n  evident new template gdpr --name \"GDPR (EU 2016/679)\" --regulation GDPR --source https://eur-lex.europa.eu/eli/reg/2016/679/oj"
)]
pub struct TemplateArgs {
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
}

/// Create an improvement action (actions/<ID>.toml) at version 1.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Example:\n  evident new action mfa-admins --title \"Require MFA for administrators\" \\\n      --category control-access --action-type technical --control-type preventative --mandatory"
)]
pub struct ActionArgs {
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
    /// Where the action is carried out.
    #[arg(long)]
    pub solution: Option<String>,
    /// The service the action assesses.
    #[arg(long)]
    pub service: Option<String>,
    /// How to implement and test it (Markdown).
    #[arg(long)]
    pub guidance: Option<String>,
}

/// Create an assessment (assessments/<ID>/) with a state file for every
/// action of its template. In a group, each state file copies the state the
/// group already has for that action, so the group stays in sync.
#[derive(Debug, clap::Args)]
#[command(after_help = "Example:\n  evident new assessment gdpr-2026 --template gdpr --group privacy")]
pub struct AssessmentArgs {
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
}

pub fn run(ui: &Ui, global: &GlobalArgs, args: Args) -> Result<Outcome> {
    let lock = crate::commands::lock(global)?;
    let loaded = crate::commands::load(global)?;
    let ws = &loaded.workspace;
    let mut set = Changeset::new();
    match args.what {
        What::Template(a) => {
            refuse_existing(&loaded.repo, &layout::template_path(&a.id), "template")?;
            let template = Template {
                id: TemplateId::new(a.id.clone()),
                name: a.name,
                regulation: a.regulation,
                version: 1,
                description: a.description,
                source: a.source,
                controls: Vec::new(),
            };
            set.put(layout::template_path(&a.id), scaffold::template_text(&template));
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
                solution: a.solution,
                service: a.service,
                guidance: a.guidance,
                links: Vec::new(),
            };
            set.put(layout::action_path(&a.id), scaffold::action_text(&action));
        }
        What::Assessment(a) => new_assessment(ui, &loaded.repo, ws, &loaded.report, a, &mut set)?,
    }
    verify(&set)?;
    for (file, status) in set.commit(&lock)? {
        if status != WriteStatus::Unchanged {
            ui.status("Created", &file);
        }
    }
    Ok(Outcome::Success)
}

fn refuse_existing(repo: &crate::repo::Repo, rel: &str, what: &str) -> Result<()> {
    if repo.path(rel).exists() {
        return Err(
            Error::new(format!("{what} `{rel}` already exists")).hint("choose another id, or edit the file")
        );
    }
    Ok(())
}

fn new_assessment(
    ui: &Ui,
    repo: &crate::repo::Repo,
    ws: &Workspace,
    report: &crate::diag::Report,
    a: AssessmentArgs,
    set: &mut Changeset,
) -> Result<()> {
    let dir = format!("{}/{}", layout::ASSESSMENTS_DIR, a.id);
    if repo.path(&dir).exists() {
        return Err(Error::new(format!("assessment `{dir}/` already exists")).hint("choose another id"));
    }
    let Some(template) = ws.templates.get(a.template.as_str()) else {
        let mut e = Error::new(format!("no template `{}`", a.template));
        if let Some(h) = did_you_mean(&a.template, ws.templates.keys().map(|k| k.as_str())) {
            e = e.hint(h);
        } else if report.sources.get(&layout::template_path(&a.template)).is_some() {
            e = e.hint(format!(
                "`{}` has errors; `evident validate` shows them",
                layout::template_path(&a.template)
            ));
        } else {
            e = e.hint(format!(
                "create it with `evident new template {} --name … --regulation …`",
                a.template
            ));
        }
        return Err(e);
    };
    let group_members: Vec<&AssessmentId> = match &a.group {
        Some(g) => ws
            .assessments
            .iter()
            .filter(|(_, e)| e.assessment.group.as_ref().is_some_and(|x| x.as_str() == g))
            .map(|(id, _)| id)
            .collect(),
        None => Vec::new(),
    };
    if let Some(g) = &a.group
        && group_members.is_empty()
    {
        let groups: Vec<&str> =
            ws.assessments.values().filter_map(|e| e.assessment.group.as_ref().map(|g| g.as_str())).collect();
        if let Some(h) = did_you_mean(g, groups.iter().copied()) {
            ui.diagnostic(&Diagnostic::new(Code::NewGroup, format!("`{g}` is a new group; {h}")));
        }
    }
    let assessment = Assessment {
        id: AssessmentId::new(a.id.clone()),
        name: a.name.unwrap_or_else(|| template.name.clone()),
        template: template.id.clone(),
        template_version: template.version,
        group: a.group.clone().map(GroupId::new),
        service: a.service,
        description: None,
    };
    set.put(layout::assessment_path(&a.id), scaffold::assessment_text(&assessment));

    let mut missing = Vec::new();
    for action_id in template.action_ids() {
        let Some(action) = ws.actions.get(action_id) else {
            missing.push(action_id.to_string());
            continue;
        };
        let path = layout::state_path(&a.id, action_id.as_str());
        match group_state(ws, report, &group_members, action_id) {
            GroupState::Copy { text, from, disagrees } => {
                if !disagrees.is_empty() {
                    ui.diagnostic(&Diagnostic::new(
                        Code::GroupOutOfSync,
                        format!(
                            "the group disagrees on `{action_id}` ({}); copied the state of `{from}` (run `evident sync`)",
                            disagrees.join(", ")
                        ),
                    ).as_warning());
                }
                set.put(path, text);
            }
            GroupState::None => {
                let state = ActionState {
                    accepted_version: Some(action.version),
                    implementation: Implementation::default(),
                    test: Test::default(),
                    ..ActionState::default()
                };
                set.put(path, scaffold::state_text(&state));
            }
        }
    }
    if !missing.is_empty() {
        ui.diagnostic(
            &Diagnostic::new(
                Code::UnknownAction,
                format!(
                    "template `{}` lists actions that do not exist, so they have no state file: {}",
                    template.id,
                    missing.join(", ")
                ),
            )
            .as_warning(),
        );
    }
    Ok(())
}

enum GroupState {
    None,
    Copy { text: String, from: String, disagrees: Vec<String> },
}

/// The group's state for an action: the file of the first member (by id)
/// that has one, noting members whose state differs.
fn group_state(
    ws: &Workspace,
    report: &crate::diag::Report,
    members: &[&AssessmentId],
    action: &ActionId,
) -> GroupState {
    let with_state: BTreeMap<&AssessmentId, &ActionState> = members
        .iter()
        .filter_map(|m| ws.assessments.get(*m).and_then(|e| e.states.get(action)).map(|s| (*m, s)))
        .collect();
    let Some((first, first_state)) = with_state.iter().next() else {
        return GroupState::None;
    };
    let path = layout::state_path(first.as_str(), action.as_str());
    let Some(text) = report.sources.get(&path) else {
        return GroupState::None;
    };
    let disagrees = with_state
        .iter()
        .filter(|(_, s)| s.synced_part() != first_state.synced_part())
        .map(|(id, _)| id.to_string())
        .collect();
    GroupState::Copy { text: text.to_owned(), from: first.to_string(), disagrees }
}

/// Every generated file must pass its schema: a failure here is a bug in evident.
pub(crate) fn verify(set: &Changeset) -> Result<()> {
    for (path, bytes) in set.files() {
        let diags = match layout::classify(path) {
            Entry::Template(_) => {
                crate::load::parse::<Template>(crate::schema::FileKind::Template, path, bytes).diagnostics
            }
            Entry::Action(_) => {
                crate::load::parse::<Action>(crate::schema::FileKind::Action, path, bytes).diagnostics
            }
            Entry::Assessment(_) => {
                crate::load::parse::<Assessment>(crate::schema::FileKind::Assessment, path, bytes).diagnostics
            }
            Entry::State(..) => {
                crate::load::parse::<ActionState>(crate::schema::FileKind::State, path, bytes).diagnostics
            }
            _ => Vec::new(),
        };
        if let Some(d) = diags.first() {
            return Err(Error::new(format!("internal error: generated `{path}` is invalid: {}", d.message))
                .hint("please report this bug; nothing was written"));
        }
    }
    Ok(())
}
