//! CLI tests: one test binary, one module per area. Every test runs the real
//! `evident` binary on a repository copied or written into a temp directory.

mod bad_input;
mod commands;
mod scoring;
mod support;
mod validate;
