//! The JSON output.

use serde_json::{Value, json};

use crate::diff::{Side, WorkspaceDiff};

/// The JSON object documented in `evident diff --help`.
pub fn json(diff: &WorkspaceDiff, base: &Side, head: &Side) -> Value {
    json!({
        "base": value(base),
        "head": value(head),
        "changed": !diff.is_empty(),
        "scores": value(&diff.scores),
        "assessments": value(&diff.assessments),
        "templates": value(&diff.templates),
        "actions": value(&diff.actions),
        "config": value(&diff.config),
    })
}

/// The diff types have string keys only, so serialising cannot fail; `null`
/// stands in should it ever.
fn value(v: &impl serde::Serialize) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}
