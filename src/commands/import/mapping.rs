//! `evident import mapping`: CISO Assistant requirement mapping sets between
//! two imported templates (`crate::import::ciso_mapping`).

use std::collections::BTreeSet;
use std::path::PathBuf;

use super::ciso::{not_owned, refused};
use crate::commands::args::OutputFormat;
use crate::commands::context::Context;
use crate::commands::output::to_json_text;
use crate::diag::Report;
use crate::error::{Error, Outcome, Result};
use crate::import::ciso::{self, marker};
use crate::import::ciso_mapping::{self, DEFAULT_SHARED, RELATIONSHIPS};
use crate::repo::layout;
use crate::repo::write::Changeset;

/// Import a CISO Assistant requirement mapping set between two imported templates.
///
/// The templates are found by their framework urns (recorded by `evident
/// import ciso-assistant`), the controls by their requirement urns. For each
/// mapping whose relationship is in `--relationships` (default: equal and
/// superset, i.e. the source control covers the target), the target control
/// also lists the source control's own actions, so one piece of work counts
/// for both frameworks (assessments of one group keep their state shared).
/// Every mapping is recorded in the target control's `related` list, shown by
/// `list` and the report; the others are never scored. A file may hold
/// several mapping sets (e.g. both directions): all are imported. Entries
/// already recorded are left as they are; entries between the same two
/// templates that the file no longer has are removed (with the actions they
/// shared), and the summary lists them. The changed templates get a new
/// version, so assessments see a pending update.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  evident import mapping mapping-dora-and-finma-2023-01.yaml
  evident import mapping mapping.yaml --relationships equal,superset,intersect --dry-run")]
pub(crate) struct Args {
    /// The mapping library (YAML), as CISO Assistant publishes it.
    #[arg(value_name = "FILE.yaml")]
    pub file: PathBuf,
    /// Relationships that share the source control's actions with the target.
    #[arg(long, value_delimiter = ',', default_values_t = DEFAULT_SHARED.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>(), value_parser = clap::builder::PossibleValuesParser::new(RELATIONSHIPS))]
    pub relationships: Vec<String>,
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
    let shared: BTreeSet<String> = args.relationships.iter().cloned().collect();
    let applied = match ciso_mapping::apply(&lib, &loaded.workspace, &shared) {
        Ok(a) => a,
        Err(r) => return refused(ui, &r, args.format.is_json()),
    };
    let mut set = Changeset::new();
    let mut refusals = Report::default();
    for t in &applied.changed {
        let path = layout::template_path(t.id.as_str());
        let text = loaded
            .report
            .sources
            .get(&path)
            .map(str::to_owned)
            .or_else(|| std::fs::read_to_string(loaded.repo.path(&path)).ok())
            .unwrap_or_default();
        if !ciso::owned_by(&text, t.id.as_str()) {
            refusals.diagnostics.push(not_owned(&path, &text, "template", t.id.as_str()));
            refusals.sources.insert(path.clone(), text);
        }
        set.put(path, marker(t.id.as_str()) + &crate::scaffold::template_text(t));
    }
    if !refusals.diagnostics.is_empty() {
        return refused(ui, &refusals, args.format.is_json());
    }
    crate::scaffold::verify(&set)?;
    if !args.dry_run {
        for (file, _) in set.commit(&lock)? {
            ui.status("Updated", &file);
        }
    }
    match args.format {
        OutputFormat::Json => ui.out(&to_json_text(&crate::render::json::ImportMappingOutput {
            dry_run: args.dry_run,
            relationships: args.relationships.clone(),
            sets: applied.sets.clone(),
            templates: applied
                .changed
                .iter()
                .map(|t| crate::render::json::TemplateVersion { id: t.id.to_string(), version: t.version })
                .collect(),
        })),
        OutputFormat::Human | OutputFormat::Markdown => {
            let mut out = String::new();
            for s in &applied.sets {
                out.push_str(&format!(
                    "{}{} → {}: {} mappings; {} pairs added, {} updated ({} sharing actions), {} already there\n",
                    if args.dry_run { "dry run, " } else { "" },
                    s.source_template,
                    s.target_template,
                    s.mappings,
                    s.pairs_added,
                    s.updated,
                    s.shared,
                    s.already
                ));
                if !s.removed.is_empty() {
                    out.push_str(&format!(
                        "  {} {} pair{} that the file no longer has:\n",
                        if args.dry_run { "would remove" } else { "removed" },
                        s.removed.len(),
                        if s.removed.len() == 1 { "" } else { "s" }
                    ));
                    for r in &s.removed {
                        out.push_str(&format!("    {r}\n"));
                    }
                }
            }
            if applied.changed.is_empty() {
                out.push_str("no template changed\n");
            }
            ui.out(&out);
        }
    }
    if applied.sets.is_empty() {
        return Err(Error::new("the file has no mapping set"));
    }
    Ok(Outcome::Success)
}
