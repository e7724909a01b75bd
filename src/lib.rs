//! evident: compliance as code.
//!
//! The data flows one way: [`repo`] finds and reads files, [`load`] turns
//! them into the typed [`model`], [`checks`] and [`score`] compute, and
//! [`render`] and the [`commands`] present the results.

pub(crate) mod alerts;
pub(crate) mod automation;
pub mod checks;
pub mod cli;
pub(crate) mod commands;
pub mod diag;
pub(crate) mod diff;
pub(crate) mod edit;
pub(crate) mod error;
pub(crate) mod filter;
pub mod history;
pub(crate) mod import;
pub(crate) mod library;
pub mod load;
pub mod model;
pub(crate) mod notify;
pub(crate) mod oscal;
pub mod render;
pub mod repo;
pub mod report;
pub mod scaffold;
pub(crate) mod schema;
pub mod score;
pub(crate) mod soa;
pub(crate) mod sync;
pub(crate) mod trust;
pub(crate) mod ui;
pub mod updates;
