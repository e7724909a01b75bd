//! evident: compliance as code.
//!
//! The data flows one way: [`repo`] finds and reads files, [`load`] turns
//! them into the typed [`model`], [`checks`] and [`score`] compute, and
//! [`render`] and the [`commands`] present the results.

pub mod alerts;
pub mod automation;
pub mod checks;
pub mod cli;
pub mod commands;
pub mod diag;
pub mod diff;
pub mod edit;
pub mod error;
pub mod filter;
pub mod history;
pub mod import;
pub mod library;
pub mod load;
pub mod model;
pub mod notify;
pub mod oscal;
pub mod render;
pub mod repo;
pub mod report;
pub mod scaffold;
pub mod schema;
pub mod score;
pub mod soa;
pub mod sync;
pub mod trust;
pub mod ui;
pub mod updates;
