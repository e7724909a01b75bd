//! `evident init`: start a compliance repository.

use std::path::PathBuf;

use crate::commands::context::Context;
use crate::error::{Error, Outcome, Result};
use crate::repo::layout::{ACTIONS_DIR, ASSESSMENTS_DIR, CONFIG_FILE, EVIDENCE_DIR, TEMPLATES_DIR};
use crate::repo::write::Changeset;

/// Where `init` puts the schemas editors use.
pub(crate) const SCHEMA_DIR: &str = ".evident/schemas";

/// Start a compliance repository.
///
/// Writes evident.toml, the folders, the JSON Schemas and the editor set-up
/// (Taplo / Even Better TOML), and creates a git repository.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  evident init\n  evident init my-compliance && cd my-compliance\n  evident init --template nist-800-53-rev5-moderate"
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
    let dir = args.dir;
    if dir.join(CONFIG_FILE).exists() {
        return Err(Error::new(format!("`{}` already has an `{CONFIG_FILE}`", dir.display()))
            .hint("run `evident validate` there to check it"));
    }
    if let Some(id) = &args.template {
        crate::commands::library::entry(id)?;
    }
    std::fs::create_dir_all(&dir).map_err(|e| Error::io("create directory", &dir, e))?;

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
    for (file, status) in set.apply(&dir)? {
        if status == crate::repo::write::WriteStatus::Created && !file.ends_with(".gitkeep") {
            ui.status("Created", &file);
        }
    }

    if !args.no_git && git2::Repository::discover(&dir).is_err() {
        git2::Repository::init(&dir).map_err(|e| Error::git("could not create a git repository", e))?;
        ui.status("Initialised", "git repository");
    }
    if let Some(id) = &args.template {
        // Its files clash with the directory's: refused (exit 1), as `library add` is.
        if crate::commands::library::add(ui, &dir, id, None, Default::default(), |set| set.apply(&dir))?
            == Outcome::Failed
        {
            return Ok(Outcome::Failed);
        }
        if !ui.quiet {
            ui.err(&format!(
                "\nNext:\n  evident new assessment {id}-2026 --template {id}\n  evident validate\n"
            ));
        }
        return Ok(Outcome::Success);
    }
    if ui.quiet {
        return Ok(Outcome::Success);
    }
    ui.err(NEXT_STEPS);
    Ok(Outcome::Success)
}
