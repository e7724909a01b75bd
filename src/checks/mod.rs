//! Checks across files: references, people, evidence (and, later, status
//! rules and group synchronisation). Each check adds diagnostics to a report.

pub(crate) mod automation;
pub(crate) mod automation_history;
pub(crate) mod channels;
mod definitions;
pub mod evidence;
pub(crate) mod gate;
pub(crate) mod group;
pub mod history;
mod merge;
pub(crate) mod range;
pub mod references;
pub(crate) mod related;
mod remedy;
pub(crate) mod status;
pub(crate) mod trust;

use std::path::Path;

use crate::diag::Report;
use crate::model::Workspace;

/// Every check `evident validate` runs on a loaded working tree.
pub fn validate(ws: &Workspace, report: &mut Report, root: &Path) {
    references::check(ws, report);
    related::check(ws, report);
    channels::check(ws, report);
    evidence::check(ws, report, root);
    automation::check(ws, report);
    trust::check_file(ws, report, root);
}

/// The file rules `evident check` adds to `validate`: status rules and group
/// synchronisation.
pub fn file_rules(ws: &Workspace, report: &mut Report, today: crate::model::Date) {
    status::check(ws, report, today);
    group::check(ws, report);
}
