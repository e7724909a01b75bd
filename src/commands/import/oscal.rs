//! `evident import oscal`: a template and its actions from an OSCAL catalog,
//! optionally narrowed by a profile (baseline).

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::render::json::{ImportChange, ImportedChange};

use crate::commands::args::OutputFormat;
use crate::commands::context::Context;
use crate::commands::output::to_json_text;
use crate::diag::{Code, Diagnostic, Report, did_you_mean, render};
use crate::error::{Error, Outcome, Result};
use crate::model::{Action, parse_id};
use crate::oscal::import::{self, Built, Delta, Plan};
use crate::oscal::mapping::Mapping;
use crate::oscal::read::{self, Read};
use crate::repo::layout;
use crate::repo::write::{Changeset, WriteStatus};
use crate::schema::FileKind;
use crate::ui::Ui;

/// Import a template from an OSCAL catalog, optionally narrowed by a profile.
///
/// Writes templates/<TEMPLATE>.toml with one control per OSCAL control and
/// enhancement (id, title, family = OSCAL group, description = the statement
/// in Markdown), and one action per control, actions/<PREFIX><CONTROL>.toml
/// (guidance = the control's guidance, links = its references). Withdrawn
/// controls are skipped. Enhancements are controls of their own, not folded
/// into their base control, because baselines select them one by one.
///
/// Scoring attributes come from built-in defaults per SP 800-53 family
/// (e.g. `ac` → control-access, technical, preventative; `au` →
/// discover-and-respond, detective; `ir` → corrective; each family's `-1`
/// policy control → documentation), overridden by `--mapping`. Actions are
/// mandatory when a profile (baseline) is imported, discretionary for a
/// whole catalog.
///
/// Re-importing (a newer catalog, another mapping) compares with what the
/// last import wrote: new controls and actions are added, changed actions
/// get a new version, and the template's version is bumped when anything
/// changed, so assessments see a pending update. An identical re-import
/// writes nothing. Files the import did not write are never overwritten.
///
/// Only OSCAL 1.x JSON is read (XML and YAML editions: convert them first).
#[derive(Debug, clap::Args)]
#[command(after_help = "Mapping file (all keys optional; `evident schema oscal-mapping`):
  action_prefix = \"nist-\"          # action ids: <prefix><control-id>; default <template>-
  name = \"NIST 800-53 LOW\"         # template name / regulation / source
  [defaults]                       # every action
  testing = \"manual\"
  [families.sc]                    # by OSCAL group id
  category = \"infrastructure-cloud\"
  [controls.\"ac-2.1\"]              # by control id
  testing = \"automatic\"
  mandatory = false

Examples:
  evident import oscal --catalog NIST_SP-800-53_rev5_catalog.json \\
      --profile NIST_SP-800-53_rev5_LOW-baseline_profile.json --template nist-low
  evident import oscal --catalog MODERATE-baseline-resolved-profile_catalog.json \\
      --template nist-moderate --mapping oscal-mapping.toml --dry-run --format json")]
pub(crate) struct Args {
    /// The OSCAL catalog (JSON); a resolved profile is a catalog too.
    #[arg(long, value_name = "FILE")]
    pub catalog: PathBuf,
    /// An OSCAL profile (JSON) that selects controls from the catalog.
    #[arg(long, value_name = "FILE")]
    pub profile: Option<PathBuf>,
    /// Id of the template to write (templates/<ID>.toml).
    #[arg(long, value_name = "ID", value_parser = parse_id)]
    pub template: String,
    /// A TOML mapping file that sets the actions' scoring attributes.
    #[arg(long, value_name = "FILE")]
    pub mapping: Option<PathBuf>,
    /// Show what would change; write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Format of the summary (added, removed and changed controls and actions).
    #[arg(long, value_enum, default_value = "human")]
    pub format: OutputFormat,
}

pub(crate) fn run(ctx: &Context, args: Args) -> Result<Outcome> {
    let ui = ctx.ui();
    let Some((lock, loaded)) = ctx.load_clean_for_write(args.format.is_json())? else {
        return Ok(Outcome::Failed);
    };
    let catalog = read::catalog(&args.catalog).map_err(|r| input_failed(ui, &r))?;
    let profile = match &args.profile {
        Some(p) => Some(read::profile(p).map_err(|r| input_failed(ui, &r))?),
        None => None,
    };
    let mapping = match &args.mapping {
        Some(p) => read_mapping(ui, p)?,
        None => Mapping::default(),
    };
    let selected = match &profile {
        Some(p) => Some(import::select(&catalog, p).map_err(|r| input_failed(ui, &r))?),
        None => None,
    };
    warn_unknown_mapping_keys(ui, &catalog, &mapping);
    let mut built = import::build(&catalog, profile.as_ref(), selected.as_ref(), &mapping, &args.template)
        .map_err(|r| input_failed(ui, &r))?;
    let (old_template, old_actions) = previous_import(&loaded, &built).map_err(|r| input_failed(ui, &r))?;
    let stats = std::mem::take(&mut built.stats);
    let (families, controls, enhancements, withdrawn) =
        (stats.families, stats.controls, stats.enhancements, stats.withdrawn_skipped);
    let plan = import::plan(built, old_template.as_ref(), &old_actions);
    let mut set = Changeset::new();
    for (path, text) in &plan.files {
        set.put(path.clone(), text.clone());
    }
    crate::scaffold::verify(&set)?;
    let statuses: Vec<(String, ImportedChange)> = plan
        .files
        .iter()
        .map(|(p, _)| {
            (
                p.clone(),
                if loaded.repo.path(p).exists() { ImportedChange::Updated } else { ImportedChange::Created },
            )
        })
        .collect();
    if !args.dry_run {
        let written: Vec<(String, WriteStatus)> =
            set.commit(&lock)?.into_iter().filter(|(_, s)| *s != WriteStatus::Unchanged).collect();
        // One line per file for a small change; counts for a whole catalog.
        if written.len() <= 20 {
            for (file, status) in &written {
                ui.status(if *status == WriteStatus::Created { "Created" } else { "Updated" }, file);
            }
        } else {
            let created = written.iter().filter(|(_, s)| *s == WriteStatus::Created).count();
            ui.status("Wrote", &format!("{created} new and {} updated files", written.len() - created));
        }
    }
    let kept: Vec<String> = plan.actions.removed.iter().map(|a| layout::action_path(a)).collect();
    warn_orphaned_states(ui, &loaded.workspace, &plan);
    match args.format {
        OutputFormat::Json => {
            use crate::render::json::{ImportOscalOutput, OscalDocument, PlannedFile};
            let describe = |m: &crate::oscal::model::Metadata, file: &str| OscalDocument {
                file: file.to_owned(),
                title: m.title.clone(),
                version: m.version.clone(),
                oscal_version: m.oscal_version.clone(),
            };
            let value = ImportOscalOutput {
                template: plan.template.id.to_string(),
                version: plan.template.version,
                previous_version: plan.previous_version,
                change: plan_change(&plan),
                dry_run: args.dry_run,
                catalog: describe(&catalog.doc.metadata, &catalog.file),
                profile: profile.as_ref().map(|p| describe(&p.doc.metadata, &p.file)),
                stats,
                controls: plan.controls,
                actions: plan.actions,
                kept_action_files: kept,
                files: statuses.into_iter().map(|(path, status)| PlannedFile { path, status }).collect(),
            };
            ui.out(&to_json_text(&value));
        }
        OutputFormat::Human | OutputFormat::Markdown => {
            let mut out = String::new();
            let t = &plan.template;
            let head = head_line(&plan);
            out.push_str(&format!(
                "{}{head}: {} controls ({controls} base, {enhancements} enhancements) in {families} families; {withdrawn} withdrawn skipped\n",
                if args.dry_run { "dry run, " } else { "" },
                t.controls.len(),
            ));
            if plan.previous_version.is_some() && !plan.is_noop() {
                out.push_str(&delta_lines("controls", &plan.controls));
                out.push_str(&delta_lines("actions", &plan.actions));
            } else if plan.previous_version.is_none() {
                out.push_str(&format!("  {} actions\n", plan.actions.added.len()));
            }
            if !kept.is_empty() {
                out.push_str(&format!(
                    "  kept {} (no longer in the template; delete them once no assessment uses them)\n",
                    shorten(&kept)
                ));
            }
            ui.out(&out);
        }
    }
    Ok(Outcome::Success)
}

/// Assessments of the template keep state files of actions the import removed:
/// `evident validate` reports them (E0307) until they are removed.
pub(super) fn warn_orphaned_states(ui: &Ui, ws: &crate::model::Workspace, plan: &Plan) {
    for (id, entry) in &ws.assessments {
        if entry.assessment.template != plan.template.id {
            continue;
        }
        let orphans: Vec<String> = plan
            .actions
            .removed
            .iter()
            .filter(|a| entry.states.contains_key(a.as_str()))
            .map(|a| layout::state_path(id.as_str(), a))
            .collect();
        if !orphans.is_empty() {
            ui.diagnostic(&Diagnostic::new(
                Code::ActionNotInTemplate,
                format!(
                    "assessment `{id}` has {} state files for actions no longer in the template; remove them (`git rm`) when it accepts the new version (`evident accept --template -a {id}`): {}",
                    orphans.len(),
                    shorten(&orphans)
                ),
            ).into_warning());
        }
    }
}

/// What an import does to its template: creates it, updates it, or nothing.
pub(super) fn plan_change(plan: &Plan) -> ImportChange {
    match (plan.previous_version, plan.is_noop()) {
        (None, _) => ImportChange::Created,
        (Some(_), true) => ImportChange::None,
        (Some(_), false) => ImportChange::Updated,
    }
}

/// "template `t` version 2 (was 1)", "… (new)" or "…: no change".
pub(super) fn head_line(plan: &Plan) -> String {
    let t = &plan.template;
    match plan.previous_version {
        None => format!("template `{}` version {} (new)", t.id, t.version),
        Some(p) if plan.is_noop() => format!("template `{}` version {p}: no change", t.id),
        Some(p) => format!("template `{}` version {} (was {p})", t.id, t.version),
    }
}

/// "  controls: 2 added (ac-2.14, ac-25), 1 removed (ac-13), 3 changed (…)".
pub(super) fn delta_lines(what: &str, d: &Delta) -> String {
    let mut parts = Vec::new();
    for (word, ids) in [("added", &d.added), ("removed", &d.removed), ("changed", &d.changed)] {
        if ids.is_empty() {
            parts.push(format!("0 {word}"));
        } else {
            parts.push(format!("{} {word} ({})", ids.len(), shorten(ids)));
        }
    }
    format!("  {what}: {}\n", parts.join(", "))
}

/// The first dozen items of a list, and how many more there are.
fn shorten(items: &[String]) -> String {
    const SHOWN: usize = 12;
    let mut s = items.iter().take(SHOWN).cloned().collect::<Vec<_>>().join(", ");
    if items.len() > SHOWN {
        s.push_str(&format!(", … {} more", items.len() - SHOWN));
    }
    s
}

/// Prints the diagnostics of bad input and makes the error of the command.
pub(super) fn input_failed(ui: &Ui, report: &Report) -> Error {
    ui.err(&render::human(report, ui.color_stderr));
    Error::new("could not import; nothing was written")
}

pub(super) fn read_mapping(ui: &Ui, path: &std::path::Path) -> Result<Mapping> {
    let bytes = std::fs::read(path).map_err(|e| Error::io("read", path, e))?;
    let file = path.display().to_string();
    let parsed = crate::load::parse::<Mapping>(FileKind::OscalMapping, &file, &bytes);
    match parsed.value {
        Some(m) if parsed.diagnostics.iter().all(|d| !d.is_error()) => Ok(m),
        _ => {
            let mut report = Report { diagnostics: parsed.diagnostics, ..Report::default() };
            report.sources.insert(file, parsed.text);
            Err(input_failed(ui, &report))
        }
    }
}

/// Families and controls the mapping names that the catalog does not have: probably typos.
fn warn_unknown_mapping_keys(ui: &Ui, catalog: &Read<crate::oscal::model::Catalog>, mapping: &Mapping) {
    let flat = catalog.doc.flatten();
    let families: Vec<&str> = flat.iter().filter_map(|f| f.family_id).collect();
    let controls: Vec<&str> = flat.iter().map(|f| f.control.id.as_str()).collect();
    for (what, keys, known) in
        [("family", mapping.families.keys(), &families), ("control", mapping.controls.keys(), &controls)]
    {
        for key in keys {
            if !known.contains(&key.as_str()) {
                let hint =
                    did_you_mean(key, known.iter().copied()).map(|h| format!("; {h}")).unwrap_or_default();
                ui.diagnostic(&Diagnostic::new(
                    Code::OscalMappingUnknown,
                    format!("the mapping names {what} `{key}`, which the catalog does not have{hint}"),
                ));
            }
        }
    }
}

/// What the previous import of this template wrote, refusing files it does not own.
fn previous_import(
    loaded: &crate::commands::context::Loaded,
    built: &Built,
) -> std::result::Result<(Option<crate::model::Template>, BTreeMap<String, Action>), Report> {
    let id = built.template.id.as_str();
    let new_actions: Vec<&str> = built.actions.iter().map(|a| a.id.as_str()).collect();
    let owns = |text: &str| import::owned_by(text, id);
    let refuse = |path: &str, text: &str, what: &str| not_owned(path, text, what, id);
    let own =
        crate::import::previous::Ownership { owns_template: &owns, owns_action: &owns, not_owned: &refuse };
    crate::import::previous::find(
        &loaded.repo,
        &loaded.report.sources,
        &loaded.workspace,
        id,
        &new_actions,
        &own,
    )
}

fn not_owned(path: &str, text: &str, what: &str, template: &str) -> Diagnostic {
    let by = match import::owner(text) {
        Some(other) => format!("it was written by the import of template `{other}`"),
        None => "it was not written by `evident import oscal`".to_owned(),
    };
    let hint = if what == "template" {
        "choose another `--template` id (or rename the existing template)".to_owned()
    } else {
        "set `action_prefix` in a mapping file (`--mapping`) so that the imported actions get other ids"
            .to_owned()
    };
    Diagnostic::new(
        Code::OscalNotOwned,
        format!("the import would overwrite {what} `{path}`, which it does not own: {by}"),
    )
    .at(path, 0..text.lines().next().map_or(0, str::len))
    .hint(hint)
    .note(format!(
        "files written by the import of `{template}` start with the line {}",
        import::marker(template).trim_end()
    ))
}
