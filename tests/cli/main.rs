//! CLI tests: one test binary, one module per area. Every test runs the real
//! `evident` binary on a repository copied or written into a temp directory.

mod bad_input;
mod check;
mod commands;
mod diff;
mod edit;
mod export;
mod import;
mod report;
mod scoring;
mod support;
mod sync;
mod validate;
