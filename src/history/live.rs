//! A workspace kept up to date commit by commit: each changed file is applied
//! on its own, so history never re-reads unchanged files.

use std::collections::BTreeMap;

use crate::load::Item;
use crate::model::{ActionId, ActionState, AssessmentEntry, AssessmentId, Config, Workspace};
use crate::repo::layout::Entry;

/// A workspace plus the state files whose assessment is missing (its
/// `assessment.toml` not added yet, or removed first): they are attached as
/// soon as the assessment appears.
#[derive(Debug, Default)]
pub(crate) struct Live {
    pub ws: Workspace,
    orphans: BTreeMap<(AssessmentId, ActionId), ActionState>,
}

impl Live {
    /// The state file of an action in an assessment, if there is one.
    pub(crate) fn state(&self, assessment: &AssessmentId, action: &ActionId) -> Option<&ActionState> {
        match self.ws.assessments.get(assessment) {
            Some(entry) => entry.states.get(action),
            None => self.orphans.get(&(assessment.clone(), action.clone())),
        }
    }

    /// Sets (or, with `None`, removes) the value of a file.
    pub(crate) fn apply(&mut self, entry: Entry, item: Option<Item>) {
        match (entry, item) {
            (Entry::Config, Some(Item::Config(c))) => self.ws.config = c,
            (Entry::Config, None) => self.ws.config = Config::default(),
            (Entry::Template(id), Some(Item::Template(t))) => {
                self.ws.templates.insert(id, t);
            }
            (Entry::Template(id), None) => {
                self.ws.templates.remove(&id);
            }
            (Entry::Action(id), Some(Item::Action(a))) => {
                self.ws.actions.insert(id, a);
            }
            (Entry::Action(id), None) => {
                self.ws.actions.remove(&id);
            }
            (Entry::Assessment(id), Some(Item::Assessment(a))) => self.put_assessment(id, a),
            (Entry::Assessment(id), None) => {
                if let Some(entry) = self.ws.assessments.remove(&id) {
                    for (action, state) in entry.states {
                        self.orphans.insert((id.clone(), action), state);
                    }
                }
            }
            (Entry::State(a, x), Some(Item::State(s))) => match self.ws.assessments.get_mut(&a) {
                Some(entry) => {
                    entry.states.insert(x, s);
                }
                None => {
                    self.orphans.insert((a, x), s);
                }
            },
            (Entry::State(a, x), None) => {
                if let Some(entry) = self.ws.assessments.get_mut(&a) {
                    entry.states.remove(&x);
                }
                self.orphans.remove(&(a, x));
            }
            _ => {}
        }
    }

    fn put_assessment(&mut self, id: AssessmentId, assessment: crate::model::Assessment) {
        let entry = self
            .ws
            .assessments
            .entry(id.clone())
            .or_insert_with(|| AssessmentEntry { assessment: assessment.clone(), states: BTreeMap::new() });
        entry.assessment = assessment;
        let adopted: Vec<(AssessmentId, ActionId)> = self
            .orphans
            .range((id.clone(), ActionId::new(""))..)
            .take_while(|((a, _), _)| *a == id)
            .map(|(k, _)| k.clone())
            .collect();
        for key in adopted {
            if let Some(state) = self.orphans.remove(&key) {
                entry.states.insert(key.1, state);
            }
        }
    }
}
