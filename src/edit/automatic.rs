//! The edits of `evident test`: its output as evidence, replacing the previous automatic output,
//! and the refusal of hand-set results of automatic actions.

use toml_edit::{Item, Value};

use super::document::set_value;
use super::{EvidenceFile, StateEdit};
use crate::checks::status::Broken;
use crate::diag::{Code, Diagnostic};
use crate::error::{Error, Result};
use crate::model::Evidence;

impl EvidenceFile {
    /// A file the command writes itself (an automatic test's output).
    pub(crate) fn generated(path: String, bytes: Vec<u8>) -> EvidenceFile {
        let sha256 = crate::checks::evidence::sha256_bytes(&bytes);
        EvidenceFile { path, sha256, copy: Some(bytes) }
    }
}

impl StateEdit {
    /// Records `item` as the automatic test output: the item of that name is updated in place
    /// (other evidence stays), or added.
    pub(crate) fn put_automatic_output(&mut self, item: &Evidence) -> Result<()> {
        let Some(index) = self.before.evidence.iter().position(|e| e.name == item.name) else {
            self.add_evidence(item)?;
            return Ok(());
        };
        let table = match self.doc.get_mut("evidence") {
            Some(Item::ArrayOfTables(tables)) => {
                tables.get_mut(index).map(|t| t as &mut dyn toml_edit::TableLike)
            }
            Some(Item::Value(Value::Array(array))) => array
                .get_mut(index)
                .and_then(Value::as_inline_table_mut)
                .map(|t| t as &mut dyn toml_edit::TableLike),
            _ => None,
        };
        let table = table.ok_or_else(|| {
            Error::new(format!("internal error: evidence of `{}` has an unexpected shape", self.path))
        })?;
        table.remove("url");
        for (key, value) in [("path", &item.path), ("sha256", &item.sha256)] {
            if let Some(v) = value {
                set_value(table, key, Value::from(v.as_str()));
            }
        }
        Ok(())
    }

    /// Refuses the edit: people do not record the test status or notes of an automatic action.
    pub(crate) fn refuse_hand_set_test(&mut self) {
        let (action, assessment) = (self.action.id.clone(), self.assessment.clone());
        self.refusals.push(Broken {
            pointer: "/test/status",
            diagnostic: Diagnostic::new(
                Code::AutomaticTestByHand,
                format!("`{action}` is tested automatically: `evident test` records its test status and notes"),
            )
            .hint(format!(
                "run `evident test {action}`; to test it by hand in `{assessment}`, first switch it to manual testing there: `testing = \"manual\"` in `{}`",
                self.path
            )),
        });
    }
}
