//! `evident library`: the templates built into evident (`crate::library`).

use crate::commands::args::{OutputFormat, WriteArgs};
use crate::commands::context::Context;
use crate::commands::output::{print_file_changes, to_json_text};
use crate::diag::{Code, Diagnostic};
use crate::error::{Error, Outcome, Result};
use crate::library::{ENTRIES, Entry};
use crate::model::parse_id;
use crate::repo::write::{Changeset, WriteStatus, read_regular};
use crate::ui::Ui;
use std::path::Path;

/// Templates built into evident: public frameworks with their actions.
#[derive(Debug, clap::Subcommand)]
pub(crate) enum Command {
    List(ListArgs),
    Add(AddArgs),
}

/// List the built-in templates with their source, version and licence.
#[derive(Debug, clap::Args)]
pub(crate) struct ListArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
    pub format: OutputFormat,
}

/// Write a built-in template and its actions into the repository.
///
/// Files that exist with other content are never overwritten: nothing is
/// written then (exit 1). Files that exist with the same content are left.
/// `--format json` prints the files as the edits do (`changes`), a refusal's
/// reasons in its `diagnostics`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  evident library add nist-800-53-rev5-moderate\n  evident library add dora --template dora-2026\n  evident library add dora --dry-run --format json"
)]
pub(crate) struct AddArgs {
    /// The built-in template (`evident library list`).
    #[arg(value_name = "ID")]
    pub id: String,
    /// Write the template under this id instead (templates/<NEW-ID>.toml).
    #[arg(long, value_name = "NEW-ID", value_parser = parse_id)]
    pub template: Option<String>,
    #[command(flatten)]
    pub write: WriteArgs,
}

pub(crate) fn run(ctx: &Context, cmd: Command) -> Result<Outcome> {
    let ui = ctx.ui();
    match cmd {
        Command::List(args) => {
            match args.format {
                OutputFormat::Json => {
                    let entries: crate::render::json::LibraryListOutput = ENTRIES
                        .iter()
                        .map(|e| crate::render::json::LibraryEntry {
                            id: e.id.to_owned(),
                            name: e.name.to_owned(),
                            source: e.source.to_owned(),
                            version: e.version.to_owned(),
                            licence: e.licence.to_owned(),
                        })
                        .collect();
                    ui.out(&to_json_text(&entries))
                }
                OutputFormat::Markdown => {
                    let mut table =
                        crate::render::table::Table::new(&["Id", "Name", "Version", "Source", "Licence"]);
                    for e in ENTRIES {
                        table.row([e.id, e.name, e.version, e.source, e.licence].map(str::to_owned).to_vec());
                    }
                    ui.out(&table.markdown());
                }
                OutputFormat::Human => {
                    let mut s = String::new();
                    for e in ENTRIES {
                        s.push_str(&format!(
                            "{}\n  {}\n  version: {}\n  source: {}\n  licence: {}\n",
                            e.id, e.name, e.version, e.source, e.licence
                        ));
                    }
                    ui.out(&s);
                }
            }
            Ok(Outcome::Success)
        }
        Command::Add(args) => {
            let lock = ctx.lock()?;
            let repo = ctx.repo()?;
            add(ui, &repo.root, &args.id, args.template.as_deref(), args.write, |set| set.commit(&lock))
        }
    }
}

/// The entry, or an error listing the ids.
pub(crate) fn entry(id: &str) -> Result<&'static Entry> {
    crate::library::get(id).ok_or_else(|| {
        let ids: Vec<&str> = ENTRIES.iter().map(|e| e.id).collect();
        let mut e = Error::new(format!("no built-in template `{id}`"));
        e = match crate::diag::did_you_mean(id, ids.iter().copied()) {
            Some(h) => e.hint(h),
            None => e.hint(format!("built-in templates: {}", ids.join(", "))),
        };
        e
    })
}

/// What adding a built-in template under a folder would do, found before anything is written.
pub(crate) enum Addition {
    /// Files of the folder stand in the way: why (for stderr), and the same as diagnostics.
    Refused { message: String, problems: Vec<Diagnostic> },
    /// The files to write (checked against their schemas), and those already there as they are.
    Ready { entry: &'static Entry, set: Changeset, present: Vec<(String, WriteStatus)> },
}

/// Plans adding the built-in `id` (under the id `template`, if given) to the files under
/// `root`: refused when a file exists with other content or an id would be declared twice.
pub(crate) fn plan(root: &Path, id: &str, template: Option<&str>) -> Result<Addition> {
    let e = entry(id)?;
    let files = crate::library::files(e, template)
        .map_err(|m| Error::new(format!("the built-in `{id}` is damaged: {m}")))?;
    let mut set = Changeset::new();
    let mut present = Vec::new();
    let mut clashes = Vec::new();
    for (path, text) in files {
        match read_regular(&root.join(&path)).and_then(utf8_text) {
            Ok(old) if old != text => clashes.push(path),
            Ok(_) => present.push((path, WriteStatus::Unchanged)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => set.put(path, text),
            // A file that exists but cannot be read as text (not UTF-8, a directory…) is not ours to replace.
            Err(_) => clashes.push(path),
        }
    }
    if !clashes.is_empty() {
        let shown: Vec<&str> = clashes.iter().take(5).map(String::as_str).collect();
        let message = format!(
            "{} of `{id}` already exist{} with other content ({}{}); nothing was written\n  = help: add it under another id with `--template NEW-ID`, or remove the files\n",
            crate::diag::render::plural(clashes.len(), "file"),
            if clashes.len() == 1 { "s" } else { "" },
            shown.join(", "),
            if clashes.len() > 5 { ", …" } else { "" }
        );
        let problems = clashes.iter().map(|path| {
            Diagnostic::new(Code::FileExists, format!("`{path}` of `{id}` already exists with other content"))
                .in_file(path)
                .hint("add it under another id with `--template NEW-ID`, or remove the file")
        });
        return Ok(Addition::Refused { message, problems: problems.collect() });
    }
    // A file under another name that already declares one of the ids (a repository with an
    // id-mismatch error, say) would make a duplicate id; one that cannot be read leaves it open.
    let (duplicates, unreadable) = declared_ids(root, &set);
    if !duplicates.is_empty() || !unreadable.is_empty() {
        let message = ids_message(id, &duplicates, &unreadable);
        let mut problems: Vec<Diagnostic> = duplicates
            .iter()
            .map(|(declared, rel)| {
                Diagnostic::new(
                    Code::DuplicateId,
                    format!("`{rel}` declares `{declared}`, which `{id}` would add again"),
                )
                .in_file(rel)
            })
            .collect();
        problems.extend(unreadable.iter().map(|rel| {
            Diagnostic::new(
                Code::UnreadableFile,
                format!("`{rel}` cannot be read, so evident cannot tell which ids it declares"),
            )
            .in_file(rel)
        }));
        return Ok(Addition::Refused { message, problems });
    }
    crate::scaffold::verify(&set)?;
    Ok(Addition::Ready { entry: e, set, present })
}

/// The `what` of a file of the built-in `id` in the `changes` JSON.
pub(crate) fn what(id: &str) -> Vec<String> {
    vec![format!("from the built-in `{id}`")]
}

/// The status line of an addition: the template (under its id in the repository) and how
/// many files were written.
pub(crate) fn added_line(ui: &Ui, e: &Entry, target: &str, written: usize, dry_run: bool) {
    let verb = if dry_run { "Would add" } else { "Added" };
    ui.status(verb, &format!("template `{target}` ({}) and {written} files", e.name));
}

/// Writes the entry's files under `root` (refusing to overwrite other content) with `commit`,
/// unless `write` asks for a dry run; says what it wrote as `write` asks.
fn add(
    ui: &Ui,
    root: &Path,
    id: &str,
    template: Option<&str>,
    write: WriteArgs,
    commit: impl FnOnce(Changeset) -> Result<Vec<(String, WriteStatus)>>,
) -> Result<Outcome> {
    let (e, set, present) = match plan(root, id, template)? {
        Addition::Refused { message, problems } => return Ok(refuse(ui, write, &message, &problems)),
        Addition::Ready { entry, set, present } => (entry, set, present),
    };
    let target = template.unwrap_or(e.id);
    if set.files().next().is_none() {
        if write.json() {
            print_file_changes(ui, &present, |_| Vec::new(), write.dry_run, &[]);
        } else {
            ui.status(
                "Unchanged",
                &format!("template `{target}` ({}) is already present; nothing was written", e.name),
            );
        }
        return Ok(Outcome::Success);
    }
    let mut written = if write.dry_run { set.preview(root)? } else { commit(set)? };
    if write.json() {
        written.extend(present);
        print_file_changes(ui, &written, |_| what(id), write.dry_run, &[]);
    } else {
        added_line(ui, e, target, written.len(), write.dry_run);
    }
    Ok(Outcome::Success)
}

/// Refuses the addition (exit 1): the message on stderr, and with JSON the problems as the
/// `diagnostics` of an empty `changes` object on stdout.
pub(crate) fn refuse(ui: &Ui, write: WriteArgs, message: &str, problems: &[Diagnostic]) -> Outcome {
    if write.json() {
        print_file_changes(ui, &[], |_| Vec::new(), write.dry_run, problems);
    }
    ui.err(&format!("{}: {message}", ui.paint_err(crate::ui::RED.bold(), "error")));
    Outcome::Failed
}

/// Why ids clash: those declared twice, and the files that cannot tell.
fn ids_message(id: &str, duplicates: &[(String, String)], unreadable: &[String]) -> String {
    let mut msg = String::new();
    if !duplicates.is_empty() {
        let shown: Vec<String> =
            duplicates.iter().take(5).map(|(d, rel)| format!("`{d}` in {rel}")).collect();
        msg.push_str(&format!("`{id}` would duplicate ids the repository already has: {}", shown.join("; ")));
        if duplicates.len() > 5 {
            msg.push_str("; …");
        }
    }
    if !unreadable.is_empty() {
        if !duplicates.is_empty() {
            msg.push_str("; and ");
        }
        msg.push_str(&format!(
            "{} cannot be read, so evident cannot tell which ids it declares",
            unreadable.iter().map(|p| format!("`{p}`")).collect::<Vec<_>>().join(", ")
        ));
    }
    msg.push_str(
        "; nothing was written\n  = help: fix or remove those files (`evident validate` shows them), \
         or add the template under another id with `--template NEW-ID`\n",
    );
    msg
}

/// Of the ids the new files declare (their file names in `templates/` and `actions/`), those
/// that another file of that folder declares already ("`dora` in templates/old.toml"); and
/// the files of those folders that do not parse, so that what they declare is unknown.
fn declared_ids(root: &Path, set: &Changeset) -> (Vec<(String, String)>, Vec<String>) {
    let mut duplicates = Vec::new();
    let mut unreadable = Vec::new();
    for dir in ["templates", "actions"] {
        let new: std::collections::BTreeSet<&str> = set
            .files()
            .filter_map(|(p, _)| p.strip_prefix(dir)?.strip_prefix('/')?.strip_suffix(".toml"))
            .collect();
        if new.is_empty() {
            continue;
        }
        let Ok(entries) = std::fs::read_dir(root.join(dir)) else { continue };
        let mut names: Vec<String> = entries
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .filter(|n| n.ends_with(".toml"))
            .collect();
        names.sort();
        for name in names {
            let rel = format!("{dir}/{name}");
            let stem = name.trim_end_matches(".toml");
            let Some(text) = read_regular(&root.join(&rel)).and_then(utf8_text).ok() else {
                unreadable.push(rel);
                continue;
            };
            let declared = match text.parse::<toml::Table>() {
                Ok(table) => table.get("id").and_then(|v| v.as_str()).map(str::to_owned),
                Err(_) => {
                    // Only a file that could hold one of the new ids matters.
                    if new.iter().any(|id| text.contains(id)) {
                        unreadable.push(rel);
                    }
                    continue;
                }
            };
            if let Some(declared) = declared
                && declared != stem
                && new.contains(declared.as_str())
            {
                duplicates.push((declared, rel));
            }
        }
    }
    (duplicates, unreadable)
}

/// A file's bytes as text; not UTF-8 is an error, as for `read_to_string`.
fn utf8_text(bytes: Vec<u8>) -> std::io::Result<String> {
    String::from_utf8(bytes).map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))
}
