//! `evident import ciso-assistant`: a template and its actions from a CISO
//! Assistant framework library (YAML). The reading and building are
//! `crate::import::ciso`; the plan of a re-import is the OSCAL import's.

use std::path::PathBuf;

use super::oscal::{delta_lines, read_mapping, warn_orphaned_states};
use crate::commands::args::OutputFormat;
use crate::commands::context::Context;
use crate::commands::output::to_json_text;
use crate::diag::{Code, Diagnostic, Report, render};
use crate::error::{Outcome, Result};
use crate::import::ciso::{self, Built};
use crate::model::parse_id;
use crate::oscal::import::{Plan, Texts, plan_with};
use crate::oscal::mapping::Mapping;
use crate::repo::write::{Changeset, WriteStatus};
use crate::ui::Ui;

/// Import a template from a CISO Assistant framework library (YAML).
///
/// Writes templates/<TEMPLATE>.toml with one control per assessable
/// requirement node: its id is the node's `ref_id` made a valid id (`1.A` →
/// `1.a`, `Recital 1` → `recital-1`; the original leads the title), its
/// family the nearest named ancestor ("Article 5: Governance and
/// organisation"), its description the node's, its `groups` the node's
/// implementation groups. The template and each control record their urn,
/// which `evident import mapping` matches.
///
/// Actions: the node's reference controls when the library defines them,
/// as actions/<LIBRARY>-<REF>.toml shared by every framework that references
/// them; otherwise one action per control, actions/<PREFIX><CONTROL>.toml
/// (guidance = the node's description). Every action is mandatory; scoring
/// attributes come from built-in defaults (a reference control's CSF
/// function and category), overridden by `--mapping` (the OSCAL import's
/// mapping file: `[families."<family as shown>"]`, `[controls.<id>]`).
///
/// Re-importing compares with what the last import wrote, as `import oscal`
/// does: an unchanged library writes nothing; a changed one writes new
/// versions, so assessments see a pending update. What `import mapping`
/// added to the template is kept.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  evident import ciso-assistant dora.yaml
  evident import ciso-assistant cisa-cpg-2.0.yaml --template cpg --mapping scoring.toml --dry-run")]
pub(crate) struct Args {
    /// The library (YAML), as CISO Assistant publishes it.
    #[arg(value_name = "FILE.yaml")]
    pub file: PathBuf,
    /// Id of the template to write (templates/<ID>.toml). Default: the last part of the framework's urn.
    #[arg(long, value_name = "ID", value_parser = parse_id)]
    pub template: Option<String>,
    /// A TOML mapping file that sets the actions' scoring attributes (`evident schema oscal-mapping`).
    #[arg(long, value_name = "FILE")]
    pub mapping: Option<PathBuf>,
    /// Show what would change; write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Format of the summary.
    #[arg(long, value_enum, default_value = "human")]
    pub format: OutputFormat,
}

pub(crate) fn run(ctx: &Context, args: Args) -> Result<Outcome> {
    let ui = ctx.ui();
    let Some((lock, loaded)) = ctx.load_clean_for_write(args.format.is_json())? else {
        return Ok(Outcome::Failed);
    };
    let lib = match ciso::read(&args.file) {
        Ok(lib) => lib,
        Err(r) => return refused(ui, &r, args.format.is_json()),
    };
    let fw = match ciso::framework(&lib) {
        Ok(fw) => fw,
        Err(r) => return refused(ui, &r, args.format.is_json()),
    };
    let mapping = match &args.mapping {
        Some(p) => read_mapping(ui, p)?,
        None => Mapping::default(),
    };
    let id = args.template.clone().unwrap_or_else(|| ciso::default_template_id(&lib));
    let mut built = match ciso::build(&lib, fw, &mapping, &id) {
        Ok(b) => b,
        Err(r) => return refused(ui, &r, args.format.is_json()),
    };
    warn_unknown_keys(ui, &built, &mapping);
    let mut plan = match plan(&loaded, &mut built) {
        Ok(p) => p,
        Err(r) => return refused(ui, &r, args.format.is_json()),
    };
    write(ui, &lock, &plan, args.dry_run)?;
    warn_orphaned_states(ui, &loaded.workspace, &plan);
    use crate::render::json::{CisoLibrary, ImportCisoOutput};
    let change = super::oscal::plan_change(&plan);
    let s = &built.stats;
    match args.format {
        OutputFormat::Json => ui.out(&to_json_text(&ImportCisoOutput {
            template: plan.template.id.to_string(),
            version: plan.template.version,
            previous_version: plan.previous_version,
            change,
            dry_run: args.dry_run,
            library: CisoLibrary {
                file: lib.file.clone(),
                urn: lib.doc.urn.clone(),
                version: lib.doc.version.as_ref().map(|v| v.0.to_string()),
                framework: fw.urn.clone(),
            },
            stats: std::mem::take(&mut built.stats),
            controls: std::mem::take(&mut plan.controls),
            actions: std::mem::take(&mut plan.actions),
            files: plan.files.iter().map(|(p, _)| p.clone()).collect(),
        })),
        OutputFormat::Human | OutputFormat::Markdown => {
            let head = super::oscal::head_line(&plan);
            let mut out = format!(
                "{}{head}: {} controls in {} families; {} actions ({} from reference controls)\n",
                if args.dry_run { "dry run, " } else { "" },
                s.controls,
                s.families,
                s.actions,
                s.reference_control_actions
            );
            if plan.previous_version.is_some() && !plan.is_noop() {
                out.push_str(&delta_lines("controls", &plan.controls));
                out.push_str(&delta_lines("actions", &plan.actions));
            }
            ui.out(&out);
        }
    }
    Ok(Outcome::Success)
}

/// Compares the build with the previous import (keeping what mappings added) and plans the files.
fn plan(loaded: &crate::commands::context::Loaded, built: &mut Built) -> std::result::Result<Plan, Report> {
    let id = built.template.id.to_string();
    let new_actions: Vec<&str> = built.actions.iter().map(|a| a.id.as_str()).collect();
    let owns_template = |text: &str| ciso::owned_by(text, &id);
    // An action made from a reference control is shared by the libraries that reference the
    // same urn: another urn whose id happens to be the same must not overwrite it.
    let urns: std::collections::BTreeSet<&str> = built.shared.values().map(String::as_str).collect();
    let owns_action =
        |text: &str| ciso::owned_by(text, &id) || ciso::shared_urn(text).is_some_and(|u| urns.contains(u));
    let refuse = |path: &str, text: &str, what: &str| not_owned(path, text, what, &id);
    let own = crate::import::previous::Ownership {
        owns_template: &owns_template,
        owns_action: &owns_action,
        not_owned: &refuse,
    };
    let (old_template, old_actions) = crate::import::previous::find(
        &loaded.repo,
        &loaded.report.sources,
        &loaded.workspace,
        &id,
        &new_actions,
        &own,
    )?;
    if let Some(old) = &old_template {
        // The template this import owns came from another framework: replacing it would drop
        // its controls (and the assessments' states of them) for unrelated ones.
        if let (Some(was), Some(now)) = (old.urn.as_deref(), built.template.urn.as_deref())
            && was != now
        {
            let path = format!("templates/{id}.toml");
            let d = Diagnostic::new(
                Code::CisoNotOwned,
                format!("template `{id}` was imported from the framework `{was}`, not from this library's `{now}`"),
            )
            .in_file(&path)
            .hint("choose another `--template` id for this library")
            .note("a re-import replaces the template with the library's framework; it must be the same framework");
            return Err(ciso::failure(&path, None, d));
        }
        ciso::keep_mappings(&mut built.template, old);
    }
    let template_text =
        |t: &crate::model::Template| ciso::marker(t.id.as_str()) + &crate::scaffold::template_text(t);
    let action_text = |a: &crate::model::Action| {
        let head = match built.shared.get(a.id.as_str()) {
            Some(urn) => ciso::shared_marker(urn),
            None => ciso::marker(&id),
        };
        head + &crate::scaffold::action_text(a)
    };
    let texts = Texts { template: &template_text, action: &action_text };
    Ok(plan_with(
        built.template.clone(),
        std::mem::take(&mut built.actions),
        old_template.as_ref(),
        &old_actions,
        &texts,
    ))
}

/// Writes the plan's files (unless a dry run), one line per file for a small change.
pub(super) fn write(
    ui: &Ui,
    lock: &crate::repo::journal::WriteLock,
    plan: &Plan,
    dry_run: bool,
) -> Result<()> {
    let mut set = Changeset::new();
    for (path, text) in &plan.files {
        set.put(path.clone(), text.clone());
    }
    crate::scaffold::verify(&set)?;
    if dry_run {
        return Ok(());
    }
    let written: Vec<(String, WriteStatus)> =
        set.commit(lock)?.into_iter().filter(|(_, s)| *s != WriteStatus::Unchanged).collect();
    if written.len() <= 20 {
        for (file, status) in &written {
            ui.status(if *status == WriteStatus::Created { "Created" } else { "Updated" }, file);
        }
    } else {
        let created = written.iter().filter(|(_, s)| *s == WriteStatus::Created).count();
        ui.status("Wrote", &format!("{created} new and {} updated files", written.len() - created));
    }
    Ok(())
}

/// Prints the diagnostics of bad input (as JSON on stdout when `json`): exit
/// 1, nothing written (exit 2 when a file cannot be read).
pub(super) fn refused(ui: &Ui, report: &Report, json: bool) -> Result<Outcome> {
    if report.diagnostics.iter().any(|d| d.code == Code::UnreadableFile) {
        ui.err(&render::human(report, ui.color_stderr));
        return Err(crate::error::Error::new("could not import; nothing was written"));
    }
    crate::commands::output::print_refusal(ui, report, json, "could not import; nothing was written");
    Ok(Outcome::Failed)
}

/// Families and controls the scoring mapping names that the library does not have: probably typos.
fn warn_unknown_keys(ui: &Ui, built: &Built, mapping: &Mapping) {
    let (families, controls) = &built.keys;
    for (what, keys, known) in
        [("family", mapping.families.keys(), families), ("control", mapping.controls.keys(), controls)]
    {
        for key in keys.filter(|k| !known.contains(*k)) {
            let hint = crate::diag::did_you_mean(key, known.iter().map(String::as_str))
                .map(|h| format!("; {h}"))
                .unwrap_or_default();
            ui.diagnostic(
                &Diagnostic::new(
                    Code::CisoMappingUnknown,
                    format!("the mapping names {what} `{key}`, which the library does not have{hint}"),
                )
                .into_warning(),
            );
        }
    }
}

pub(super) fn not_owned(path: &str, text: &str, what: &str, template: &str) -> Diagnostic {
    let by = match ciso::owner(text) {
        Some(other) => format!("it was written by {other}"),
        None => "it was not written by `evident import ciso-assistant`".to_owned(),
    };
    Diagnostic::new(
        Code::CisoNotOwned,
        format!("the import would overwrite {what} `{path}`, which it does not own: {by}"),
    )
    .at(path, 0..text.lines().next().map_or(0, str::len))
    .hint(if what == "template" {
        "choose another `--template` id (or rename the existing template)"
    } else if ciso::shared(text) {
        "two libraries' reference controls end their urns alike: import only one of them, or change the urns in one"
    } else {
        "set `action_prefix` in a mapping file (`--mapping`) so that the imported actions get other ids"
    })
    .note(format!(
        "files written by the import of `{template}` start with the line {}",
        ciso::marker(template).trim_end()
    ))
}
