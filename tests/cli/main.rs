//! CLI tests: one test binary, one module per area. Every test runs the real
//! `evident` binary on a repository copied or written into a temp directory.

mod alerts;
mod automation;
mod bad_input;
mod check;
mod ciso;
mod commands;
mod diff;
mod docs;
mod edit;
mod export;
mod history;
mod history_cache;
mod history_rules;
mod history_scores;
mod hostile;
mod import;
mod import_template;
mod invalid;
mod library;
mod notify;
mod oscal;
mod output_schemas;
mod replay;
mod report;
mod scoring;
mod servers;
mod soa;
mod support;
mod sync;
mod trust;
mod updates;
mod validate;
mod writes;
