//! `evident init`: start a compliance repository.

use std::path::{Path, PathBuf};

use crate::commands::args::WriteArgs;
use crate::commands::context::Context;
use crate::commands::library::{self, Addition};
use crate::commands::output::{print_file_changes, write_verb};
use crate::error::{Error, Outcome, Result};
use crate::repo::layout::{ACTIONS_DIR, ASSESSMENTS_DIR, CONFIG_FILE, EVIDENCE_DIR, TEMPLATES_DIR};
use crate::repo::write::{Changeset, WriteStatus};

/// Where `init` puts the schemas editors use.
pub(crate) const SCHEMA_DIR: &str = ".evident/schemas";

/// Start a compliance repository.
///
/// Writes evident.toml, the folders, the JSON Schemas and the editor set-up
/// (Taplo / Even Better TOML), and creates a git repository. `--dry-run` shows
/// the files without writing anything (no folder, no git repository);
/// `--format json` prints them, the template's included, as the edits do
/// (`schemas/output/changes.schema.json`).
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  evident init\n  evident init my-compliance && cd my-compliance\n  evident init --template nist-800-53-rev5-moderate\n  evident init my-compliance --dry-run --format json"
)]
pub(crate) struct Args {
    /// Directory to set up (created if missing).
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    /// Do not create a git repository.
    #[arg(long)]
    pub no_git: bool,
    /// Start with a built-in template and its actions (`evident library list`).
    #[arg(long, value_name = "ID")]
    pub template: Option<String>,
    #[command(flatten)]
    pub write: WriteArgs,
}

/// The walkthrough `init` prints: it ends in an assessment with one action and no warnings.
/// The template's `[[controls]]` link the action to it; `new template` writes a commented
/// example that lists `mfa-admins`.
pub(crate) const NEXT_STEPS: &str = "\nNext:
  evident new template gdpr --name \"GDPR\" --regulation GDPR
  evident new action mfa-admins --title \"Require MFA for administrators\" \\
      --category control-access --action-type technical --control-type preventative --mandatory
  # in templates/gdpr.toml, uncomment the [[controls]] example: it lists mfa-admins
  evident new assessment gdpr-2026 --template gdpr
  evident validate
";

pub(crate) fn run(ctx: &Context, args: Args) -> Result<Outcome> {
    let ui = ctx.ui();
    let (dir, write) = (&args.dir, args.write);
    if dir.join(CONFIG_FILE).exists() {
        return Err(Error::new(format!("`{}` already has an `{CONFIG_FILE}`", dir.display()))
            .hint("run `evident validate` there to check it"));
    }
    let mut set = own_files(dir);
    // The template is planned before anything is written: a clash leaves the directory as it was.
    let (entry, present) = match &args.template {
        Some(id) => match library::plan(dir, id, None)? {
            Addition::Refused { message, problems } => {
                return Ok(library::refuse(ui, write, &message, &problems));
            }
            Addition::Ready { entry, set: files, present } => {
                files.files().for_each(|(path, text)| set.put(path, text));
                (Some(entry), present)
            }
        },
        None => (None, Vec::new()),
    };
    let mut statuses = write_files(&set, dir, write.dry_run)?;
    let git = !args.no_git && git2::Repository::discover(dir).is_err();
    if git && !write.dry_run {
        git2::Repository::init(dir).map_err(|e| Error::git("could not create a git repository", e))?;
    }
    statuses.extend(present);
    if write.json() {
        let what = |path: &str| match (own_file_what(path), &args.template) {
            (None, Some(id)) => library::what(id),
            (what, _) => what.into_iter().collect(),
        };
        print_file_changes(ui, &statuses, what, write.dry_run, &[]);
        return Ok(Outcome::Success);
    }
    let (own, template): (Vec<_>, Vec<_>) =
        statuses.into_iter().partition(|(p, _)| own_file_what(p).is_some());
    for (file, status) in own.iter().filter(|(f, s)| *s == WriteStatus::Created && !f.ends_with(".gitkeep")) {
        ui.status(write_verb(*status, write.dry_run).unwrap_or("Created"), file);
    }
    if git {
        ui.status(if write.dry_run { "Would initialise" } else { "Initialised" }, "git repository");
    }
    if let Some(entry) = entry {
        let written = template.iter().filter(|(_, s)| *s != WriteStatus::Unchanged).count();
        if written == 0 {
            let text =
                format!("template `{}` ({}) is already present; nothing was written", entry.id, entry.name);
            ui.status("Unchanged", &text);
        } else {
            library::added_line(ui, entry, entry.id, written, write.dry_run);
        }
    }
    if !ui.quiet && !write.dry_run {
        ui.err(&match &args.template {
            Some(id) => {
                format!("\nNext:\n  evident new assessment {id}-2026 --template {id}\n  evident validate\n")
            }
            None => NEXT_STEPS.to_owned(),
        });
    }
    Ok(Outcome::Success)
}

/// Writes the files under `dir` (created if missing) or, on a dry run, says what writing
/// them would do; nothing there yet means every file would be created.
fn write_files(set: &Changeset, dir: &Path, dry_run: bool) -> Result<Vec<(String, WriteStatus)>> {
    if !dry_run {
        std::fs::create_dir_all(dir).map_err(|e| Error::io("create directory", dir, e))?;
        set.apply(dir)
    } else if dir.exists() {
        set.preview(dir)
    } else {
        Ok(set.files().map(|(p, _)| (p.to_owned(), WriteStatus::Created)).collect())
    }
}

/// The files of a new repository under `dir`: the configuration, the folders, the schemas,
/// the editor set-up, and `.gitignore` (kept, with the local state folder added).
fn own_files(dir: &Path) -> Changeset {
    let mut set = Changeset::new();
    set.put(CONFIG_FILE, crate::scaffold::CONFIG_TEXT);
    for folder in [TEMPLATES_DIR, ACTIONS_DIR, ASSESSMENTS_DIR, EVIDENCE_DIR] {
        set.put(format!("{folder}/.gitkeep"), "");
    }
    for (file, text) in crate::commands::schema::schema_files().files() {
        set.put(format!("{SCHEMA_DIR}/{file}"), text);
    }
    set.put(".taplo.toml", crate::scaffold::taplo_text(SCHEMA_DIR));
    // Outside git, the write lock, journal and temporary files live in
    // `.evident/local/` (see `repo::journal`): never to be committed.
    let ignore = format!("/{}/", crate::repo::journal::LOCAL_STATE_DIR);
    let existing = std::fs::read_to_string(dir.join(".gitignore")).unwrap_or_default();
    if !existing.lines().any(|l| l.trim() == ignore) {
        let sep = if existing.is_empty() || existing.ends_with('\n') { "" } else { "\n" };
        set.put(".gitignore", format!("{existing}{sep}{ignore}\n"));
    }
    set
}

/// What one of `init`'s own files is, for the `changes` JSON; none for a file that is not.
fn own_file_what(path: &str) -> Option<String> {
    let what = if path == CONFIG_FILE {
        "configuration".to_owned()
    } else if let Some(folder) = path.strip_suffix("/.gitkeep") {
        format!("keeps the empty folder `{folder}/` in git")
    } else if let Some(file) = path.strip_prefix(SCHEMA_DIR).and_then(|f| f.strip_prefix('/')) {
        format!("JSON Schema `{file}` for editors")
    } else if path == ".taplo.toml" {
        "editor set-up (Taplo / Even Better TOML)".to_owned()
    } else if path == ".gitignore" {
        format!("ignores `/{}/`", crate::repo::journal::LOCAL_STATE_DIR)
    } else {
        return None;
    };
    Some(what)
}
