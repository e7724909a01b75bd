//! `evident schema`: print or write the JSON Schemas of the file formats.

use std::path::PathBuf;

use crate::commands::context::Context;
use crate::error::{Error, Outcome, Result};
use crate::repo::write::Changeset;
use crate::schema::FileKind;

/// Print the JSON Schema (draft 2020-12) of a file kind, or write them all.
///
/// Editors use the schemas to complete keys and flag mistakes as you type;
/// `evident init` sets Taplo / Even Better TOML up to use them.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  evident schema state\n  evident schema --write .evident/schemas   # refresh a repository's copies"
)]
pub(crate) struct Args {
    /// The kind of file.
    #[arg(value_enum, required_unless_present = "write")]
    pub kind: Option<FileKind>,
    /// Write every schema into DIR (as <kind>.schema.json) instead of printing one.
    #[arg(long, value_name = "DIR", conflicts_with = "kind")]
    pub write: Option<PathBuf>,
}

/// The schema files, generated from the model types.
pub(crate) fn schema_files() -> Changeset {
    let mut set = Changeset::new();
    for kind in FileKind::ALL {
        let text = serde_json::to_string_pretty(&kind.generate()).unwrap_or_default() + "\n";
        set.put(kind.schema_file(), text);
    }
    set
}

pub(crate) fn run(ctx: &Context, args: Args) -> Result<Outcome> {
    let ui = ctx.ui();
    if let Some(dir) = args.write {
        std::fs::create_dir_all(&dir).map_err(|e| Error::io("create directory", &dir, e))?;
        for (file, status) in schema_files().apply(&dir)? {
            if status != crate::repo::write::WriteStatus::Unchanged {
                ui.status("Wrote", &dir.join(file).display().to_string());
            }
        }
        return Ok(Outcome::Success);
    }
    if let Some(kind) = args.kind {
        ui.out(kind.schema_text());
    }
    Ok(Outcome::Success)
}
