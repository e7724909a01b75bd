//! Writing a unit's result through the edit session.

use super::{OUTPUT_NAME, Outcome, Unit, output_path};
use crate::edit::{EvidenceFile, Session, StatusChange};
use crate::error::Result;
use crate::model::{Date, ImplementationStatus, TestStatus};

/// Adds a unit's result to the session: test status, date and notes, the output as evidence
/// (replacing the previous automatic output), and, for a pass, the implementation of an action
/// still recorded as not implemented or planned.
pub(crate) fn record(
    session: &mut Session<'_>,
    unit: &Unit<'_>,
    outcome: &Outcome,
    today: Date,
) -> Result<()> {
    let file = EvidenceFile::generated(output_path(&unit.action.id, &unit.key), outcome.output.clone());
    session.copy(&file);
    let item = file.item(OUTPUT_NAME.to_owned());
    for assessment in &unit.assessments {
        let Some(edit) = session.open(assessment, unit.action)? else {
            continue;
        };
        edit.change_test(&StatusChange {
            status: Some(outcome.status),
            date: Some(today),
            notes: Some(outcome.notes.clone()),
        })?;
        let implementation = edit.before.implementation.status;
        if outcome.status == TestStatus::Passed
            && matches!(implementation, ImplementationStatus::NotImplemented | ImplementationStatus::Planned)
        {
            edit.change_implementation(&StatusChange {
                status: Some(ImplementationStatus::Implemented),
                date: Some(today),
                notes: None,
            })?;
        }
        edit.put_automatic_output(&item)?;
    }
    Ok(())
}
