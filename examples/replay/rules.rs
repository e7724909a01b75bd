//! The replayed history judged by evident's own rules, through the library: each commit's tree
//! as `evident validate` and `evident check` see it (the status rules with the commit's day as
//! today, group synchronisation, references, people), and the whole history as `evident audit`
//! sees it (evidence frozen under a verdict, verdicts by assessors only, settings changed by
//! admins, definitions changed with a version bump). The replay keeps no copy of these rules.

use std::collections::BTreeMap;
use std::path::Path;

use evident::checks::history::{HistoryRules, Roles, levels_from_base};
use evident::diag::Report;
use evident::history::GitRepo;
use evident::history::events::{self, BlobCache, Parents};
use evident::load::{RawFile, assemble};
use evident::model::{Config, Date};
use evident::repo::layout::classify;

/// Diagnostics (errors and warnings) as `evident` prints them, or `None` when there are none.
fn findings(report: &Report) -> Option<String> {
    (!report.diagnostics.is_empty()).then(|| evident::diag::render::human(report, false))
}

/// `evident validate` and `evident check` on one commit's files, `today` being the commit's day.
/// Evidence files are compared with their SHA-256 by the replay itself (the library's evidence
/// check reads them from a working tree).
pub(super) fn check_tree(files: &BTreeMap<String, Vec<u8>>, today: Date) -> Result<(), String> {
    let raw: Vec<RawFile> = files
        .iter()
        .map(|(path, bytes)| (path, classify(path), bytes))
        .filter(|(_, entry, _)| entry.is_data())
        .map(|(path, entry, bytes)| RawFile { path: path.clone(), entry, bytes: Ok(bytes.clone()) })
        .collect();
    let (ws, mut report) = assemble(raw);
    evident::checks::references::check(&ws, &mut report);
    evident::checks::file_rules(&ws, &mut report, today);
    report.finish(&ws.config.rules);
    findings(&report).map_or(Ok(()), Err)
}

/// `evident audit` on the repository written to `dir`.
pub(super) fn audit(dir: &Path, config: &Config) -> Result<(), String> {
    let git = GitRepo::open(dir).map_err(|e| e.to_string())?;
    let head = git.committed_head().map_err(|e| e.to_string())?;
    let ids = events::commits(&git, None, head, false).map_err(|e| e.to_string())?;
    let mut cache = BlobCache::default();
    let mut rules = HistoryRules::new(Roles::AtParent);
    let empty = Report::default();
    events::walk(&git, &ids, Parents::All, &mut cache, |c, cache| rules.visit(&git, &c, cache, &empty))
        .map_err(|e| e.to_string())?;
    let mut report = Report { commits_checked: Some(ids.len()), ..Report::default() };
    rules.finish(&mut report).map_err(|e| e.to_string())?;
    report.finish(&levels_from_base(&config.rules, &Config::default()));
    findings(&report).map_or(Ok(()), Err)
}
