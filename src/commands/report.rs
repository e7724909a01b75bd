//! `evident report`: a static HTML site or a Markdown document of the
//! compliance program, from the working tree and its git history.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::commands::context::Context;
use crate::commands::output::require_clean;
use crate::error::{Error, Outcome, Result};
use crate::history::timeline::Timeline;
use crate::repo::Repo;
use crate::repo::write::{Changeset, contained_path};
use crate::report::{self, Templates, view::FILES_DIR};
use crate::ui::Ui;

/// The file that marks a folder as written by `evident report`, listing what it wrote.
pub(crate) const MARKER: &str = ".evident-report";

/// Render a compliance report: a static HTML site or one Markdown document.
///
/// The site has an overview (overall score, scores by assessment, group,
/// category, regulation, solution and owner, what to do next, score trends
/// as charts), the action list with filters, a page per assessment (controls
/// and their actions) and a page per action (guidance, statuses, notes,
/// evidence and its status timeline from git history). It needs no network
/// and no server: open `index.html`. Evidence files are copied into the
/// output so that their links work offline.
///
/// Every file is written or none. The output folder is created if needed; a
/// folder that is not empty must have been written by `evident report`
/// (it holds a `.evident-report` file) unless `--force` is given. Files of
/// an earlier report that are no longer part of it are removed.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  evident report --out site                  then open site/index.html\n  evident report --format md --out docs/compliance\n  evident report --out site --templates my-templates"
)]
pub(crate) struct Args {
    /// Output format: a static HTML site, one Markdown document (`report.md`), or
    /// the report's data as JSON (`report.json`).
    #[arg(long, value_enum, default_value_t = ReportFormat::Html)]
    pub format: ReportFormat,
    /// The folder to write the report into (created if missing).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// A folder of templates that replace the built-in ones by file name
    /// (base.html, index.html, actions.html, assessment.html, action.html,
    /// macros.html, report.md, style.css, app.js).
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,
    /// Show the status changes of merged branches' commits with their own
    /// authors (like `evident history --all-parents`).
    #[arg(long)]
    pub all_parents: bool,
    /// Write into a non-empty folder that evident did not write before.
    #[arg(long)]
    pub force: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum ReportFormat {
    /// A static site: index.html, actions.html, a page per assessment and action.
    Html,
    /// One Markdown document: report.md.
    #[value(alias = "markdown")]
    Md,
    /// The data the templates are rendered from (`report.json`): for scripts,
    /// and to see what a `--templates` copy can use.
    Json,
}

/// The file `--format json` writes.
const JSON_FILE: &str = "report.json";

pub(crate) fn run(ctx: &Context, args: Args) -> Result<Outcome> {
    let ui = ctx.ui();
    let loaded = ctx.load_for_scoring()?;
    if !require_clean(ui, &loaded.report, false) {
        return Ok(Outcome::Failed);
    }
    let templates = match &args.templates {
        Some(dir) => Templates::with_overrides(dir)?,
        None => Templates::default(),
    };
    refuse_data_folders(&loaded.repo, &args.out)?;
    let previous = prepare_out(&args.out, args.force)?;
    let timeline = history(ctx, &loaded.repo, args.all_parents)?;
    let ws = &loaded.workspace;
    let evidence = read_evidence(ui, &loaded.repo, report::evidence_paths(ws));
    let available: BTreeSet<String> = evidence.keys().cloned().collect();
    let scores = crate::score::compute(ws);
    let mut view = report::build(&report::Input {
        workspace: ws,
        scores: &scores,
        timeline: &timeline,
        evidence_available: &available,
    });
    // Under `[trust]`: whether each verdict was signed, and by whom.
    let all: Vec<&crate::history::timeline::StatusEvent> = timeline.events.iter().collect();
    let signed = crate::trust::verdict_signatures(&loaded.repo.root, &ws.config, &timeline, &all)?;
    if !signed.is_empty() {
        for e in view.recent.iter_mut().chain(view.actions.iter_mut().flat_map(|a| a.events.iter_mut())) {
            let found = signed.get(&e.commit_id).filter(|_| e.changes.iter().any(|c| c.starts_with("test ")));
            e.signed = found.map(|s| s.label());
            e.signed_good = found.is_some_and(|s| s.status == "good");
        }
    }
    let mut files = match args.format {
        ReportFormat::Html => report::html::render(&view, &templates)?,
        ReportFormat::Md => {
            vec![(report::md::FILE.to_owned(), report::md::render(&view, &templates)?.into_bytes())]
        }
        ReportFormat::Json => {
            let text =
                crate::commands::output::to_json_text(&serde_json::to_value(&view).unwrap_or_default());
            vec![(JSON_FILE.to_owned(), text.into_bytes())]
        }
    };
    if args.format != ReportFormat::Json {
        for (path, bytes) in evidence {
            let path = crate::checks::evidence::normalize(&path).unwrap_or(path);
            files.push((format!("{FILES_DIR}/{path}"), bytes));
        }
    }
    write(&args.out, files, &previous)?;
    let opened = match args.format {
        ReportFormat::Html => "index.html",
        ReportFormat::Md => report::md::FILE,
        ReportFormat::Json => JSON_FILE,
    };
    ui.status("Wrote", &format!("the report to `{}`", args.out.join(opened).display()));
    Ok(Outcome::Success)
}

/// The timeline, or an empty one when the repository has no commits (the
/// report then shows the working tree only, and says so).
fn history(ctx: &Context, repo: &Repo, all_parents: bool) -> Result<Timeline> {
    if repo.head_commit().is_none() {
        return Ok(Timeline::default());
    }
    ctx.timeline(repo, all_parents)
}

/// Reads the evidence files to copy, by the path the state files give. A
/// path is read only when validation's own resolver finds a regular file
/// inside the repository that is neither a data file nor in `.git/` (links
/// followed); anything else (validation reports it) is left out with a
/// warning, and its name is shown without a link.
fn read_evidence(ui: &Ui, repo: &Repo, paths: BTreeSet<String>) -> BTreeMap<String, Vec<u8>> {
    use crate::checks::evidence::{Resolved, normalize, resolve};
    let mut out = BTreeMap::new();
    for path in paths {
        let read = match (normalize(&path), resolve(&repo.root, &path)) {
            (Ok(rel), Resolved::File { .. }) => contained_path(&repo.root, &rel)
                .map_err(|_| Error::new("the path leaves the repository"))
                .and_then(|full| std::fs::read(&full).map_err(|e| Error::io("read", &full, e))),
            (_, Resolved::Internal(why)) => Err(Error::new(why)),
            (_, Resolved::Data) => Err(Error::new("it is one of the repository's data files")),
            (_, Resolved::Outside(why)) => Err(Error::new(format!("the path leaves the repository: {why}"))),
            _ => Err(Error::new(format!("`{path}` is not a regular file in the repository"))),
        };
        match read {
            Ok(bytes) => {
                out.insert(path, bytes);
            }
            Err(e) => ui.diagnostic(&crate::diag::Diagnostic::new(
                crate::diag::Code::EvidenceNotCopied,
                format!("evidence `{path}` is not copied into the report: {}", e.message),
            )),
        }
    }
    out
}

/// Refuses an output folder that is the repository's root or holds (or is in)
/// its data folders: the pages would become files evident reads.
fn refuse_data_folders(repo: &Repo, out: &Path) -> Result<()> {
    let absolute = |p: &Path| -> PathBuf {
        // The nearest existing ancestor, resolved, with the rest appended.
        let p = if p.is_absolute() {
            p.to_path_buf()
        } else {
            std::env::current_dir().unwrap_or_default().join(p)
        };
        let mut existing = p.as_path();
        let mut rest = Vec::new();
        while !existing.exists() {
            match (existing.parent(), existing.file_name()) {
                (Some(parent), Some(name)) => {
                    rest.push(name.to_owned());
                    existing = parent;
                }
                _ => break,
            }
        }
        let mut full = std::fs::canonicalize(existing).unwrap_or_else(|_| existing.to_path_buf());
        for name in rest.iter().rev() {
            full.push(name);
        }
        full
    };
    let out = absolute(out);
    let root = absolute(&repo.root);
    let data = [
        crate::repo::layout::TEMPLATES_DIR,
        crate::repo::layout::ACTIONS_DIR,
        crate::repo::layout::ASSESSMENTS_DIR,
    ];
    let clash = out == root || data.iter().any(|d| out.starts_with(root.join(d)));
    if clash {
        return Err(Error::new(format!(
            "`{}` is the repository or one of its data folders; the report's pages would become files evident reads",
            out.display()
        ))
        .hint("write the report outside `templates/`, `actions/` and `assessments/`, e.g. `--out site` (and add it to .gitignore)"));
    }
    Ok(())
}

/// Checks that the output folder may be written: missing, empty, written by
/// evident before (its marker lists the files it holds), or `--force`.
/// Returns the files of the previous report.
fn prepare_out(out: &Path, force: bool) -> Result<Vec<String>> {
    if out.exists() && !out.is_dir() {
        return Err(Error::new(format!("`{}` is not a folder", out.display())));
    }
    if !out.exists() {
        return Ok(Vec::new());
    }
    remove_stray_temporary_files(out);
    let marker = out.join(MARKER);
    if let Ok(text) = std::fs::read_to_string(&marker) {
        return Ok(text
            .lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
            .map(str::to_owned)
            .collect());
    }
    let mut entries = std::fs::read_dir(out).map_err(|e| Error::io("read", out, e))?;
    if entries.next().is_some() && !force {
        return Err(Error::new(format!(
            "`{}` is not empty and was not written by `evident report`",
            out.display()
        ))
        .hint("choose an empty or new folder, or pass `--force` to write into it (files of the same names are replaced)"));
    }
    Ok(Vec::new())
}

/// Removes the temporary files (`.evident-*.tmp`) a killed report left in
/// its folder. Best effort: a file that cannot be removed is left.
fn remove_stray_temporary_files(out: &Path) {
    for entry in walkdir::WalkDir::new(out).follow_links(false).into_iter().flatten() {
        let name = entry.file_name().to_string_lossy();
        if entry.file_type().is_file() && name.starts_with(".evident-") && name.ends_with(".tmp") {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Writes every file (all or none), the marker, and removes the files of the
/// previous report that are not part of this one.
fn write(out: &Path, files: Vec<(String, Vec<u8>)>, previous: &[String]) -> Result<()> {
    std::fs::create_dir_all(out).map_err(|e| Error::io("create", out, e))?;
    let mut set = Changeset::new().regenerable();
    let mut names = BTreeSet::new();
    for (path, bytes) in files {
        names.insert(path.clone());
        set.put(path, bytes);
    }
    let mut marker = String::from(
        "# Written by `evident report`. Writing a report here again replaces the files listed below\n# and removes those the new report no longer has.\n",
    );
    for name in &names {
        marker.push_str(name);
        marker.push('\n');
    }
    set.put(MARKER, marker);
    set.apply(out)?;
    for stale in previous.iter().filter(|p| !names.contains(*p)) {
        let Ok(path) = contained_path(out, stale) else { continue };
        match std::fs::remove_file(&path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(Error::io("remove", &path, e)),
        }
    }
    Ok(())
}
