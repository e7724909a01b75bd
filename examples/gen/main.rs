//! Synthetic compliance repositories for benchmarks and load tests.
//!
//! ```text
//! cargo run --release --example gen -- --out DIR --assessments 20 --actions 500 \
//!     [--templates 5] [--seed 42] [--commits N] [--max-changes 5] [--force]
//! ```
//!
//! The output is a valid evident repository (`evident validate`, `evident check` and, with
//! history, `evident audit` and `evident check --base <first commit>` report no errors and no
//! warnings), the same bytes (and commit ids) for the same arguments. Its shape:
//!
//! - `evident.toml`: `[people]` (30 people, `first.last@example.com`), `[roles]` with 3
//!   assessors (people 1-3) and 2 admins (people 4-5).
//! - `actions/`: `--actions` actions. Categories cycle with the index, action types every 10,
//!   control types every 30 (so any 90 consecutive actions hold every combination); about 40%
//!   are mandatory, about 25% are tested automatically, most name a solution and some a
//!   service, guidance and links. Versions 1-3.
//! - `templates/`: `--templates` templates (ISO 27001, NIST 800-53, GDPR, ...). EVERY template
//!   lists EVERY action: each template shuffles the actions its own way and cuts them into
//!   controls of 3-7 actions (5 on average), and about 15% of its controls also list one action
//!   of another control (so an action can appear under two controls of one template).
//! - `assessments/`: `--assessments` assessments, assessment `i` on template `i % templates`.
//!   The first `2 * (assessments / 5)` assessments form pairs (0+1, 2+3, ...), each pair one
//!   group; every action is shared within a pair, so the two state files of an action are
//!   byte-identical. Every assessment has a state file for every action: `assessments *
//!   actions` state files (20 x 500 = 10,000).
//! - States: a realistic mix of implementation and test statuses that follows the status
//!   rules (passed needs implemented/alternative and evidence; alternative and out-of-scope
//!   carry notes; implemented/alternative/out-of-scope and passed/failed-*/out-of-scope/
//!   partially-tested carry dates; test date >= implementation date; automatic-only statuses
//!   only on automatic actions; owners from `[people]`; accepted_version = the action's
//!   version). Some assessments (pairs) are more mature than others; about a quarter of the
//!   actions are an organisation-wide baseline, passed in every assessment, so the overall
//!   score (an action earns only if it earns in every assessment) is not zero.
//! - `evidence/`: 24 small files; state files refer to them by path with their SHA-256, or to
//!   links (`url`).
//! - `README.md` recording the arguments.
//!
//! Dates: the initial states are dated in 2024. With `--commits N`, DIR also becomes a git
//! repository (branch `main`) with exactly N commits, built with one `git fast-import` stream:
//! commit 1 holds the whole initial repository (authored by an assessor); each of the N-1
//! following commits changes 1-5 state files (1 to `--max-changes`; a pair's two files always
//! change together):
//! implementation progress, test results (baseline actions never regress, others now and then),
//! owner changes, evidence added (never removed or altered; at most 8 items per state). Commits
//! that write a test result of passed or failed-* (status, date or notes) are authored by an
//! assessor, the others by one of 7 non-assessor people. Timestamps increase from 2025-01-06 and stay before 2026-10-31;
//! state dates written by a commit are the commit's day. Every commit's tree is valid. The
//! working tree is the last commit's tree, and `git status` is clean. Without `--commits` the
//! tree is the initial repository (what commit 1 would hold).
//!
//! DIR must not exist or be empty; `--force` first deletes what the generator writes
//! (`evident.toml`, `README.md`, `actions/`, `templates/`, `assessments/`, `evidence/`, `.git/`)
//! and leaves anything else alone (with `--commits`, such files stay untracked). Exit codes: 0 done, 2 bad arguments or DIR not empty,
//! 1 I/O or git failure.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[path = "../common/fast_import.rs"]
mod fast_import;
#[path = "../common/out_dir.rs"]
mod out_dir;
use fast_import::{data, import};

mod history;
mod repo;
mod states;
mod vocab;

use history::*;
use repo::*;
use states::*;
use vocab::*;

// ---------------------------------------------------------------------------------------------
// Arguments

/// Writes a synthetic compliance repository, optionally with a git history.
#[derive(clap::Parser)]
#[command(name = "gen", override_usage = "cargo run --release --example gen -- --out DIR [OPTIONS]")]
struct Opts {
    /// Where to write the repository (must not exist or be empty)
    #[arg(short, long, value_name = "DIR")]
    out: PathBuf,
    /// Number of assessments
    #[arg(long, value_name = "N", default_value_t = 20)]
    assessments: usize,
    /// Number of actions; every template lists all of them
    #[arg(long, value_name = "N", default_value_t = 500)]
    actions: usize,
    /// Number of templates
    #[arg(long, value_name = "N", default_value_t = 5)]
    templates: usize,
    /// Random seed
    #[arg(long, value_name = "N", default_value_t = 42)]
    seed: u64,
    /// Also make DIR a git repository with N commits of history (the first holds the whole repository)
    #[arg(long, value_name = "N")]
    commits: Option<usize>,
    /// Each commit after the first changes 1 to N state files
    #[arg(long, value_name = "N", default_value_t = 5)]
    max_changes: usize,
    /// Delete a previous output in DIR first
    #[arg(long)]
    force: bool,
}

/// The limits clap does not check.
fn check_args(opts: &Opts) -> Result<(), String> {
    if opts.actions == 0 {
        return Err("--actions must be at least 1".into());
    }
    if opts.max_changes == 0 {
        return Err("--max-changes must be at least 1".into());
    }
    if opts.templates == 0 {
        return Err("--templates must be at least 1".into());
    }
    if opts.commits.is_some_and(|n| n > 1) && opts.assessments == 0 {
        return Err("--commits above 1 needs at least one assessment (the commits change states)".into());
    }
    if opts.commits == Some(0) {
        return Err("--commits must be at least 1 (the first commit holds the whole repository)".into());
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Randomness: SplitMix64, deterministic for a seed and independent of the platform.

#[path = "../common/rng.rs"]
mod rng;

struct Rng(rng::SplitMix64);

impl Rng {
    fn new(seed: u64, stream: u64) -> Rng {
        Rng(rng::SplitMix64::new(seed ^ stream.wrapping_mul(0xA076_1D64_78BD_642F)))
    }
    /// Uniform in `0..n` (n > 0).
    fn below(&mut self, n: usize) -> usize {
        self.0.below(n as u64) as usize
    }
    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo + 1) as usize) as i64
    }
    /// True with probability `percent` / 100.
    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i + 1);
            items.swap(i, j);
        }
    }
}

// ---------------------------------------------------------------------------------------------

const OWN_ENTRIES: &[&str] =
    &["evident.toml", "README.md", "actions", "templates", "assessments", "evidence", ".git"];

fn prepare_dir(opts: &Opts) -> Result<(), (u8, String)> {
    let dir = &opts.out;
    if out_dir::needs_clearing(dir, opts.force)? {
        for name in OWN_ENTRIES {
            let p = dir.join(name);
            let res = if p.is_dir() && !p.is_symlink() {
                std::fs::remove_dir_all(&p)
            } else if p.symlink_metadata().is_ok() {
                std::fs::remove_file(&p)
            } else {
                Ok(())
            };
            res.map_err(|e| (1, format!("cannot remove `{}`: {e}", p.display())))?;
        }
    }
    std::fs::create_dir_all(dir).map_err(|e| (1, format!("cannot create `{}`: {e}", dir.display())))
}

fn write_tree(dir: &Path, files: &BTreeMap<String, Vec<u8>>) -> Result<(), String> {
    let mut made = std::collections::BTreeSet::new();
    for (path, bytes) in files {
        let full = dir.join(path);
        if let Some(parent) = full.parent()
            && made.insert(parent.to_path_buf())
        {
            std::fs::create_dir_all(parent)
                .map_err(|e| format!("cannot create `{}`: {e}", parent.display()))?;
        }
        std::fs::write(&full, bytes).map_err(|e| format!("cannot write `{}`: {e}", full.display()))?;
    }
    Ok(())
}

fn run(opts: &Opts) -> Result<(), (u8, String)> {
    let started = std::time::Instant::now();
    prepare_dir(opts)?;
    let prepared = started.elapsed().as_secs_f64();
    let mut repo = build(opts);
    let mut files = tree(&repo, opts);
    let stream = opts.commits.map(|n| history(&mut repo, &mut files, opts, n));
    let generated = started.elapsed().as_secs_f64() - prepared;
    write_tree(&opts.out, &files).map_err(|e| (1, e))?;
    let written = started.elapsed().as_secs_f64() - prepared;
    if let Some(stream) = &stream {
        import(&opts.out, stream, "generator").map_err(|e| (1, e))?;
    }
    let mut phases = match &stream {
        Some(stream) => format!(
            "generate {generated:.2}s, write {:.2}s, git {:.2}s for a {:.1} MB fast-import stream",
            written - generated,
            started.elapsed().as_secs_f64() - prepared - written,
            stream.len() as f64 / 1e6
        ),
        None => format!("generate {generated:.2}s, write {:.2}s", written - generated),
    };
    if prepared >= 0.01 {
        phases.insert_str(0, &format!("clear the old output {prepared:.2}s, "));
    }
    let states =
        files.keys().filter(|p| p.starts_with("assessments/") && !p.ends_with("/assessment.toml")).count();
    eprintln!(
        "wrote {}: {} actions, {} templates, {} assessments, {} state files, {} evidence files{} in {:.2}s ({phases})",
        opts.out.display(),
        repo.actions.len(),
        repo.templates.len(),
        repo.assessments.len(),
        states,
        repo.evidence.len(),
        opts.commits.map(|n| format!(", {n} commits")).unwrap_or_default(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn main() -> ExitCode {
    let opts = <Opts as clap::Parser>::parse();
    if let Err(e) = check_args(&opts) {
        eprintln!("gen: {e}");
        return ExitCode::from(2);
    }
    match run(&opts) {
        Ok(()) => ExitCode::SUCCESS,
        Err((code, e)) => {
            eprintln!("gen: {e}");
            ExitCode::from(code)
        }
    }
}
