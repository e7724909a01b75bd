//! The JSON output.

use serde_json::Value;

use crate::diff::{Side, WorkspaceDiff};
use crate::render::json::{DiffOutput, to_value};

/// The JSON object documented in `evident diff --help` ([`DiffOutput`]).
pub(crate) fn json(diff: &WorkspaceDiff, base: &Side, head: &Side) -> Value {
    to_value(&DiffOutput { base, head, changed: !diff.is_empty(), diff })
}
