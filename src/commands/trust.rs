//! `evident trust`: the allowed signers file of `[trust]`, whose keys may
//! sign verdicts and admin changes.

use crate::commands::args::{OutputFormat, WriteArgs};
use crate::commands::context::Context;
use crate::commands::output::{print_file_changes, write_verb};
use crate::error::{Error, Outcome, Result};
use crate::model::{Config, DEFAULT_ALLOWED_SIGNERS};
use crate::repo::Repo;
use crate::repo::layout::CONFIG_FILE;
use crate::repo::write::Changeset;
use crate::schema::FileKind;
use crate::trust::AllowedSigners;
use crate::trust::signers::parse_public_key;
use crate::ui::Ui;

/// Manage the keys that may sign verdicts and admin changes.
///
/// The allowed signers file (`[trust] allowed-signers` in evident.toml,
/// default `.evident/allowed_signers`) is in git's own format, so that `git
/// log --show-signature` with `gpg.ssh.allowedSignersFile` pointing at it
/// agrees with `evident check` and `evident audit`. Changing it is an admin
/// change: commit it on its own, signed by an admin; a key is trusted from
/// the next commit on.
#[derive(Debug, clap::Subcommand)]
pub(crate) enum Command {
    /// Trust an SSH public key for an e-mail address (an admin's task).
    ///
    /// Adds `EMAIL <key type> <key>` to the allowed signers file, creating it
    /// if needed. Does nothing when the file already lists that key for that
    /// address. Refuses a file that is not an SSH public key.
    #[command(after_help = "Examples:
  evident trust add cy@example.com ~/.ssh/id_ed25519.pub
  evident trust add cy@example.com cy.pub --dry-run --format json")]
    Add(AddArgs),
    /// List the trusted keys: e-mail, key type, fingerprint, comment.
    #[command(after_help = "Examples:\n  evident trust list\n  evident trust list --format json")]
    List(ListArgs),
}

#[derive(Debug, clap::Args)]
pub(crate) struct AddArgs {
    /// The signer's e-mail address (their commits' author e-mail).
    #[arg(value_name = "EMAIL")]
    pub email: String,
    /// Their SSH public key file (e.g. `id_ed25519.pub`), or `-` for standard input.
    #[arg(value_name = "KEYFILE")]
    pub keyfile: std::path::PathBuf,
    #[command(flatten)]
    pub write: WriteArgs,
}

#[derive(Debug, clap::Args)]
pub(crate) struct ListArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
    pub format: OutputFormat,
}

pub(crate) fn run(ctx: &Context, cmd: Command) -> Result<Outcome> {
    let ui = ctx.ui();
    match cmd {
        Command::Add(args) => add(ctx, ui, args),
        Command::List(args) => list(ctx, ui, args),
    }
}

/// The allowed signers path `evident.toml` names (the default without `[trust]`).
fn signers_path(repo: &Repo) -> Result<String> {
    Ok(trust_settings(repo)?.0)
}

/// The allowed signers path and the `[trust]` table, if any.
fn trust_settings(repo: &Repo) -> Result<(String, Option<crate::model::Trust>)> {
    let path = repo.path(CONFIG_FILE);
    let bytes = std::fs::read(&path).map_err(|e| Error::io("read", &path, e))?;
    let config: Option<Config> = crate::load::parse(FileKind::Config, CONFIG_FILE, &bytes).value;
    let Some(config) = config else {
        return Err(
            Error::new(format!("`{CONFIG_FILE}` does not load")).hint("run `evident validate` to see why")
        );
    };
    let rel = config
        .trust
        .as_ref()
        .map(|t| t.allowed_signers.clone())
        .unwrap_or_else(|| DEFAULT_ALLOWED_SIGNERS.to_owned());
    if let Some(problem) = crate::trust::path_problem(&rel) {
        return Err(Error::new(format!("`[trust] allowed-signers`: {problem}")));
    }
    Ok((rel, config.trust))
}

/// Says when the keys are trusted but no signature is required yet.
fn enforcement_note(ui: &Ui, trust: Option<&crate::model::Trust>) {
    match trust {
        None => ui.note(&format!(
            "signatures are not required yet: add `[trust]` to `{CONFIG_FILE}` (its `require-signed` defaults to verdicts, automation and admin changes)"
        )),
        Some(t) if t.require_signed.is_empty() => ui.note(&format!(
            "signatures are not required: `[trust] require-signed` in `{CONFIG_FILE}` is empty"
        )),
        Some(_) => {}
    }
}

fn read_existing(repo: &Repo, rel: &str) -> Result<String> {
    let path = repo.path(rel);
    match crate::repo::write::read_regular(&path) {
        Ok(bytes) => String::from_utf8(bytes).map_err(|_| Error::new(format!("`{rel}` is not UTF-8 text"))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(String::new()),
        Err(e) => Err(Error::io("read", &path, e)),
    }
}

fn add(ctx: &Context, ui: &Ui, args: AddArgs) -> Result<Outcome> {
    let email = args.email.trim();
    if email.is_empty()
        || email.chars().any(|c| c.is_whitespace() || c == ',' || c == '"')
        || !email.contains('@')
    {
        return Err(Error::new(format!("`{}` is not an e-mail address", args.email))
            .hint("give the address the signer commits with (`git config user.email`)"));
    }
    let text = if args.keyfile.as_os_str() == "-" {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut s)
            .map_err(|e| Error::new(format!("could not read standard input: {e}")))?;
        s
    } else {
        let bytes = std::fs::read(&args.keyfile).map_err(|e| Error::io("read", &args.keyfile, e))?;
        String::from_utf8_lossy(&bytes).into_owned()
    };
    let (key, comment) = parse_public_key(&text).map_err(|why| {
        Error::new(format!("`{}` is not an SSH public key: {why}", args.keyfile.display()))
            .hint("give the `.pub` file `ssh-keygen -t ed25519` wrote (e.g. `~/.ssh/id_ed25519.pub`)")
    })?;
    let lock = ctx.lock()?;
    let repo = ctx.repo()?;
    let (rel, trust) = trust_settings(&repo)?;
    let existing = read_existing(&repo, &rel)?;
    let signers = AllowedSigners::parse(&existing);
    let listed = signers.lists(email, &key.fingerprint);
    let mut out = existing;
    if !listed {
        if !out.is_empty() && !out.ends_with('\n') {
            out.push('\n');
        }
        out.push_str(&format!("{email} {} {}", key.key_type, key.base64));
        if !comment.is_empty() {
            out.push(' ');
            out.push_str(&comment);
        }
        out.push('\n');
    }
    let mut set = Changeset::new();
    set.put(rel.clone(), out);
    let dry_run = args.write.dry_run;
    let statuses = if dry_run { set.preview(&repo.root)? } else { set.commit(&lock)? };
    let problems: Vec<_> = signers.problems.iter().map(|p| problem(&rel, p)).collect();
    if args.write.json() {
        let what = |_: &str| vec![format!("trust {email} {}", key.fingerprint)];
        print_file_changes(ui, &statuses, what, dry_run, &problems);
    } else {
        for (file, status) in statuses {
            let verb = write_verb(status, dry_run).unwrap_or("Unchanged");
            ui.status(verb, &format!("{file}: {email} {}", key.fingerprint));
        }
        problems.iter().for_each(|p| ui.diagnostic(p));
    }
    enforcement_note(ui, trust.as_ref());
    Ok(Outcome::Success)
}

fn list(ctx: &Context, ui: &Ui, args: ListArgs) -> Result<Outcome> {
    let repo = ctx.repo()?;
    let rel = signers_path(&repo)?;
    let signers = AllowedSigners::parse(&read_existing(&repo, &rel)?);
    match args.format {
        OutputFormat::Json => {
            use crate::render::json::{TrustLineProblem, TrustListOutput, TrustedKey};
            let keys = signers
                .lines
                .iter()
                .map(|l| TrustedKey {
                    principals: l.principals.clone(),
                    key_type: l.key.key_type.clone(),
                    fingerprint: l.key.fingerprint.clone(),
                    comment: l.comment.clone(),
                    options: l.options.clone(),
                    line: l.line,
                })
                .collect();
            let problems = signers
                .problems
                .iter()
                .map(|p| TrustLineProblem { line: p.line, message: p.message.clone() })
                .collect();
            let json = TrustListOutput { file: rel.clone(), keys, problems };
            ui.out(&crate::commands::output::to_json_text(&json));
        }
        format => {
            let mut table =
                crate::render::table::Table::new(&["E-mail", "Key type", "Fingerprint", "Comment"]);
            for l in &signers.lines {
                table.row(vec![
                    l.principals.join(", "),
                    l.key.key_type.clone(),
                    l.key.fingerprint.clone(),
                    l.comment.clone(),
                ]);
            }
            if signers.lines.is_empty() {
                ui.err(&format!(
                    "no trusted keys in `{rel}`; add one with `evident trust add EMAIL KEYFILE`\n"
                ));
            } else if format == OutputFormat::Markdown {
                ui.out(&table.markdown());
            } else {
                ui.out(&table.render(ui.color_stdout));
            }
            for p in &signers.problems {
                ui.diagnostic(&problem(&rel, p));
            }
        }
    }
    Ok(Outcome::Success)
}

/// A line of the allowed signers file that is not a key, as a warning beside the output
/// (`evident validate` reports it as an error).
fn problem(rel: &str, p: &crate::trust::signers::LineProblem) -> crate::diag::Diagnostic {
    crate::diag::Diagnostic::new(
        crate::diag::Code::AllowedSignersInvalid,
        format!("line {} of `{rel}` is not a key: {}", p.line, p.message),
    )
    .in_file(rel)
    .into_warning()
}
