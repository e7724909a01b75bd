//! Editing action state files the way a person would.
//!
//! The editing commands (`set`, `assign`, `evidence add|remove|rehash`) change a few
//! keys of `assessments/<a>/<action>.toml` and leave the rest of the text
//! (comments, spacing, key order, quoting) as it was: they edit the TOML
//! document with `toml_edit` instead of re-serialising the typed state.
//!
//! Every edit goes through a [`Session`]:
//!
//! 1. [`targets`] decides which assessments an edit goes to: those asked for,
//!    widened to the other members of their group that list the action, so that
//!    the state a group shares stays identical (group synchronisation);
//! 2. [`Session::open`] reads each state file, or starts a new one when it is
//!    missing, and refuses files that do not load;
//! 3. the command changes each [`StateEdit`];
//! 4. [`Session::plan`] reads every result back with the loader `validate`
//!    uses, runs the status rules, and gathers the files to write into one
//!    [`Changeset`], so that either every file is written or none is.

mod assessor;
mod automatic;
mod document;
mod evidence;
mod plan;
mod rehash;
mod session;
mod targets;
#[cfg(test)]
mod tests;

pub(crate) use document::{StateEdit, StatusChange};
pub(crate) use evidence::{EVIDENCE_TYPES, EvidenceFile, check_url, evidence_file, evidence_users};
pub(crate) use plan::{FileChange, FileResult, Plan, describe};
pub(crate) use rehash::{Which, changed};
pub(crate) use session::{Session, render};
pub(crate) use targets::{
    action, assessment_flag, check_person, command_flag, known_assessment, owner_change, targets,
    targets_everywhere, unloaded_states, unusable_inputs,
};

// Shared between the parts of this module.
use targets::group_of;
