//! `evident import actions`: a spreadsheet of actions as a bulk update.

use std::path::PathBuf;

use crate::commands::args::{WriteArgs, WriteFormat};
use crate::commands::context::Context;
use crate::commands::output::to_json_text;
use crate::commands::output::{conclude, refuse_inputs};
use crate::diag::{Diagnostic, Sources};
use crate::edit::{self, FileChange, Session, StatusChange};
use crate::error::{Error, Outcome, Result};
use crate::import::actions::{Changes, Field, FieldValue, Update};
use crate::model::{Date, Workspace};
use crate::render::json::{ImportActionsOutput, ImportedChange, ImportedFile, to_value};
use crate::ui::Ui;

/// Update many actions at once from a spreadsheet (CSV or XLSX).
///
/// Reads the file `evident export actions` writes, after you edited it: the
/// Owner, Implementation status/date/notes and Test status/date/notes columns
/// of each row are the new state of that action in that assessment; the other
/// columns are for reading and are ignored. Rows the file does not have are
/// left alone, so a filtered export imports too.
///
/// Every row is checked before anything is written; any problem (unknown
/// status, ambiguous date, unknown action, duplicate row, formula or merged
/// cell...) is reported with its sheet, row and column, and nothing is
/// written (exit 2). The changes then go through the same checks as
/// `evident set`: state files keep their comments and layout, the status
/// rules must hold (exit 1 otherwise), and a change to an action of a group
/// is made in every assessment of the group. An unchanged export imports as
/// "no change" and writes nothing.
///
/// Cells: a blank owner, date or notes cell removes the value, except that a
/// blank date next to a status the row changes becomes today. Statuses by
/// name (`failed-low`) or label, in any case. Dates as date cells, Excel
/// serial numbers or `YYYY-MM-DD` text; `dd/mm/yyyy` is refused as ambiguous.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  evident export actions --format xlsx --out actions.xlsx
  # edit owners, statuses, dates and notes in a spreadsheet program, then:
  evident import actions actions.xlsx --dry-run
  evident import actions actions.xlsx
  evident import actions todo.csv --format json")]
pub(crate) struct ActionsArgs {
    /// The spreadsheet: `.csv`, or `.xlsx` (the sheet "Actions", or its only sheet).
    pub file: PathBuf,
    #[command(flatten)]
    pub write: WriteArgs,
}

/// Problems shown in full; the rest are counted.
const SHOWN: usize = 50;

pub(crate) fn run(ctx: &Context, args: ActionsArgs) -> Result<Outcome> {
    let ui = ctx.ui();
    let lock = ctx.lock()?;
    let loaded = ctx.load_for_scoring()?;
    if let Some(report) = edit::unusable_inputs(&loaded.report) {
        return Ok(refuse_inputs(ui, &report, args.write.json()));
    }
    let ws = &loaded.workspace;
    let (sheet, mut problems) = crate::import::read(&args.file, crate::render::sheets::actions::SHEET)?;
    let update = match crate::import::actions::plan(ws, &sheet) {
        Ok(update) if problems.is_empty() => update,
        Ok(_) => return refuse(ui, &args.file, args.write.format, &problems),
        Err(more) => {
            problems.extend(more);
            problems.sort_by_key(crate::import::row_of);
            return refuse(ui, &args.file, args.write.format, &problems);
        }
    };
    if args.write.format == WriteFormat::Human {
        for ignored in crate::import::actions::ignored_edits(ws, &sheet) {
            ui.diagnostic(&Diagnostic::new(
                crate::diag::Code::ColumnNotImported,
                format!(
                    "column \"{}\" is not imported: {} differ{} from the repository (first: row {}); only the owner, status, date and notes columns are",
                    ignored.column,
                    rows(ignored.rows),
                    if ignored.rows == 1 { "s" } else { "" },
                    ignored.first_row
                ),
            ));
        }
    }
    if update.files.is_empty() {
        if args.write.json() {
            let output = ImportActionsOutput::Imported {
                rows: update.rows,
                changes: Vec::new(),
                written: false,
                diagnostics: None,
            };
            ui.out(&to_json_text(&to_value(&output)));
        } else {
            ui.status(
                "No change",
                &format!("{} matches the repository ({} read)", sheet.file, rows(update.rows)),
            );
        }
        return Ok(Outcome::Success);
    }
    let mut session = Session::new(&loaded.repo.root, ws, Date::today());
    apply(&mut session, ws, &update)?;
    let plan = session.plan(&ws.config.rules);
    if args.write.format == WriteFormat::Human {
        return conclude(ui, &lock, &plan, args.write.dry_run, false);
    }
    if !plan.report.diagnostics.is_empty() {
        ui.err(&crate::diag::render::human(&plan.report, ui.color_stderr));
    }
    let written = !plan.is_refused() && !args.write.dry_run;
    if written {
        plan.write(&lock)?;
    }
    let changes = plan
        .files
        .iter()
        .filter(|f| f.change != FileChange::Unchanged)
        .map(|f| ImportedFile {
            path: f.path.clone(),
            change: if f.change == FileChange::Created {
                ImportedChange::Created
            } else {
                ImportedChange::Updated
            },
            what: f.what.clone(),
        })
        .collect();
    let diagnostics = plan.is_refused().then(|| crate::diag::render::check_output(&plan.report));
    let output = ImportActionsOutput::Imported { rows: update.rows, changes, written, diagnostics };
    ui.out(&to_json_text(&to_value(&output)));
    Ok(Outcome::failed_if(plan.is_refused()))
}

fn rows(n: usize) -> String {
    crate::diag::render::plural(n, "row")
}

/// Prints every problem (the first [`SHOWN`] in text) and refuses the import.
pub(super) fn refuse(
    ui: &Ui,
    file: &std::path::Path,
    format: WriteFormat,
    problems: &[Diagnostic],
) -> Result<Outcome> {
    let sources = Sources::default();
    if format == WriteFormat::Json {
        let problems = problems.iter().map(|d| crate::diag::render::diagnostic_output(&sources, d)).collect();
        ui.out(&to_json_text(&to_value(&ImportActionsOutput::Refused { problems, written: false })));
    } else {
        for d in problems.iter().take(SHOWN) {
            ui.err(&crate::diag::render::short(&sources, d, ui.color_stderr));
        }
        if problems.len() > SHOWN {
            ui.err(&format!("... and {} more\n", problems.len() - SHOWN));
        }
    }
    let error = Error::new(format!(
        "{} in `{}`; nothing was written",
        crate::diag::render::plural(problems.len(), "problem"),
        file.display()
    ));
    Err(if format.is_json() {
        error.hint("fix the cells listed in the JSON output and import again")
    } else {
        error.hint("fix the cells named above and import again (`--format json` lists every problem)")
    })
}

/// Makes the changes of the update in the session's files.
fn apply(session: &mut Session<'_>, ws: &Workspace, update: &Update) -> Result<()> {
    for ((assessment, action_id), changes) in &update.files {
        let Some(action) = ws.actions.get(action_id) else { continue };
        let Some(file) = session.open(assessment, action)? else { continue };
        match changes.get(&Field::Owner) {
            Some((FieldValue::Text(Some(owner)), _)) => file.set_owner(owner),
            Some((FieldValue::Text(None), _)) => file.remove_owner(),
            _ => {}
        }
        let implementation = StatusChange {
            status: match changes.get(&Field::ImplementationStatus) {
                Some((FieldValue::Implementation(s), _)) => Some(*s),
                _ => None,
            },
            date: date(changes, Field::ImplementationDate),
            notes: notes(changes, Field::ImplementationNotes),
        };
        file.change_implementation(&implementation)?;
        if implementation.status.is_none() && blank_date(changes, Field::ImplementationDate) {
            file.remove_date(false);
        }
        let test = StatusChange {
            status: match changes.get(&Field::TestStatus) {
                Some((FieldValue::Test(s), _)) => Some(*s),
                _ => None,
            },
            date: date(changes, Field::TestDate),
            notes: notes(changes, Field::TestNotes),
        };
        if (test.status.is_some() || test.notes.is_some())
            && crate::automation::is_automatic(&ws.config, action, &file.before)
        {
            file.refuse_hand_set_test();
        }
        file.change_test(&test)?;
        if test.status.is_none() && blank_date(changes, Field::TestDate) {
            file.remove_date(true);
        }
    }
    Ok(())
}

fn date(changes: &Changes, field: Field) -> Option<Date> {
    match changes.get(&field) {
        Some((FieldValue::Date(d), _)) => *d,
        _ => None,
    }
}

fn blank_date(changes: &Changes, field: Field) -> bool {
    matches!(changes.get(&field), Some((FieldValue::Date(None), _)))
}

/// New notes: the text, or "" (which removes them) for a blank cell.
fn notes(changes: &Changes, field: Field) -> Option<String> {
    match changes.get(&field) {
        Some((FieldValue::Text(t), _)) => Some(t.clone().unwrap_or_default()),
        _ => None,
    }
}
