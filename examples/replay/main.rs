//! Replays a believable year of work on `example-repo/` into a fresh git repository, so that
//! `evident history`, `evident report` and the score trends have something real to show.
//!
//! ```text
//! cargo run --release --example replay -- --out DIR [--from DIR] [--force]
//! ```
//!
//! The history runs from 2025-11-03 to the end of October 2026, on working days and in office
//! hours, each author in their own time zone (the US team on Eastern, Central, Mountain or Pacific
//! time, the Irish subsidiary on Dublin time, with daylight saving). It ends with a working tree
//! and a HEAD tree byte-identical to the source (`--from`, by default the crate's
//! `example-repo/`), so `evident validate` and `evident score` there give the same results as on
//! the source. The story (its words, notes, hand-overs and revisions are data, in
//! `examples/replay/story.toml`; the code below decides when each happens):
//!
//! - November: the CISO and the DPO start the repository (config, templates with their actions,
//!   the three assessments, the CI workflow), then assign owners; a state file appears when an
//!   action gets its owner (a missing file means not implemented, not tested), so an action
//!   nobody owns yet has no file.
//! - From December: owners plan (`planned`), implement (`implemented` / `alternative`, dated)
//!   and attach evidence (files under `evidence/` with their SHA-256, or links); the assessors
//!   from `[roles]` (and only they) record `passed` / `failed-*`, often after an `in-progress`
//!   step. Two actions are scoped out and back in, one stays out of scope; action definitions
//!   and the HIPAA template get new versions that the assessments accept in the same commit.
//! - Automatic testing: from March, CI's nightly `evident test` job commits the TLS check's
//!   verdict every week as `compliance-bot@example.com`, and catches a legacy storage account
//!   on TLS 1.0 in July, before the August retest confirms it.
//! - Regressions: a retest fails months after a pass and is fixed later (encryption at rest), a
//!   quarterly retest fails (vulnerability scanning, TLS), evidence is replaced by moving the
//!   test back to `in-progress` first (privacy requests), a monitoring signal is lost late in
//!   the year (audit logging). The overall score rises with dips.
//!
//! Every commit is valid on its own: `evident validate` and `evident check` are clean (the
//! status rules with the commit's own date as today, group `privacy` in sync), and `evident
//! audit` finds nothing (evidence is never removed or altered under a verdict; verdicts are
//! committed by assessors). The replay checks this with evident's own rules, through the
//! library (`rules.rs`): every commit's tree as it writes the history, and the written history
//! as `evident audit` does. It stops (exit 1) if the source does not allow the story (after an
//! edit of example-repo, say); a special storyline whose assumptions no longer hold falls back
//! to the plain one.
//!
//! Deterministic (fixed dates, fixed seed): the same source gives the same commit ids. The
//! history is written with one `git fast-import` stream. DIR must not exist or be empty (exit 2
//! otherwise); `--force` first deletes what a previous run wrote there (`.git/` and the files
//! of the source tree) and nothing else. Exit codes: 0 done, 1 the source does not fit or a git
//! or I/O failure, 2 bad arguments or DIR not empty.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::process::ExitCode;

#[path = "../common/fast_import.rs"]
mod fast_import;
#[path = "../common/out_dir.rs"]
mod out_dir;
use fast_import::{data, import};

mod calendar;
mod commits;
mod lanes;
mod output;
mod plain;
mod plan;
mod rules;
mod source;
mod story;
mod storylines;
mod write;

use calendar::*;
use commits::*;
use lanes::*;
use output::*;
use plain::*;
use plan::*;
use source::*;
use story::*;
use storylines::*;
use write::*;

const SEED: u64 = 2026;

// ---------------------------------------------------------------------------------------------
// Arguments

/// Replays a year of work on a compliance repository into a fresh git repository.
#[derive(clap::Parser)]
#[command(
    name = "replay",
    override_usage = "cargo run --release --example replay -- --out DIR [--from DIR] [--force]"
)]
struct Opts {
    /// Where to write the repository (must not exist or be empty)
    #[arg(short, long, value_name = "DIR")]
    out: PathBuf,
    /// The compliance repository to replay (default: the crate's example-repo/)
    #[arg(long, value_name = "DIR", default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/example-repo"))]
    from: PathBuf,
    /// Delete what a previous run wrote in DIR first
    #[arg(long)]
    force: bool,
}

// ---------------------------------------------------------------------------------------------
// Randomness: SplitMix64, deterministic and independent of the platform.

#[path = "../common/rng.rs"]
mod rng;

struct Rng(rng::SplitMix64);

impl Rng {
    fn new(stream: &str) -> Rng {
        // FNV-1a of the stream name, mixed with the seed.
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in stream.bytes() {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        Rng(rng::SplitMix64::new(SEED ^ h))
    }
    fn below(&mut self, n: u64) -> u64 {
        self.0.below(n)
    }
    /// Uniform in `lo..=hi` (`lo` when `hi < lo`).
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo { lo } else { lo + self.below((hi - lo + 1) as u64) as i64 }
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

fn people_of(src: &Source) -> BTreeMap<String, Person> {
    let mut out = BTreeMap::new();
    for (email, name) in src.config.people.clone().unwrap_or_default() {
        let (off, region) = ZONES
            .iter()
            .find(|(e, _, _)| *e == email)
            .map(|(_, o, r)| (*o, *r))
            .unwrap_or((-300, Region::Us));
        out.insert(email.clone(), Person { email, name, std_offset: off, region });
    }
    out
}

fn run(opts: &Opts) -> Result<(), (u8, String)> {
    let started = std::time::Instant::now();
    story::load().map_err(|e| (1, e))?;
    let src = load_source(&opts.from).map_err(|e| (1, e))?;
    let people = people_of(&src);
    let assessors = src.config.roles.assessors.clone();
    let admins = src.config.roles.admins.clone();
    if assessors.is_empty() || admins.is_empty() {
        return Err((1, "the source's evident.toml needs [roles] assessors and admins".into()));
    }
    let lanes = build_lanes(&src).map_err(|e| (1, e))?;
    let mut ctx = Ctx {
        src: &src,
        people,
        assessors,
        admins,
        lanes,
        intro: BTreeMap::new(),
        assign_days: BTreeMap::new(),
        extra_files: BTreeMap::new(),
    };
    let steps = plan(&mut ctx).map_err(|e| (1, e))?;
    let commits = merge(&ctx, steps);
    let (stream, files) = write_history(&ctx, &commits).map_err(|e| (1, e))?;
    let planned = started.elapsed().as_secs_f64();
    let mut paths: BTreeSet<String> = files.keys().cloned().collect();
    paths.extend(ctx.extra_files.keys().cloned());
    prepare_dir(opts, &paths)?;
    write_tree(&opts.out, &files, &src.exec).map_err(|e| (1, e))?;
    import(&opts.out, &stream, "replay").map_err(|e| (1, e))?;
    rules::audit(&opts.out, &src.config).map_err(|e| {
        (1, format!("`evident audit` finds problems in the replayed history:\n{e}\n(adjust examples/replay/story.toml or the storylines)"))
    })?;
    let authors: BTreeSet<&str> = commits.iter().map(|c| c.author.email.as_str()).collect();
    eprintln!(
        "wrote {}: {} commits by {} authors, {} to {} ({} files) in {:.2}s (plan {planned:.2}s, git {:.2}s)",
        opts.out.display(),
        commits.len(),
        authors.len(),
        commits.first().map(|c| c.day.to_string()).unwrap_or_default(),
        commits.last().map(|c| c.day.to_string()).unwrap_or_default(),
        files.len(),
        started.elapsed().as_secs_f64(),
        started.elapsed().as_secs_f64() - planned,
    );
    Ok(())
}

fn main() -> ExitCode {
    let opts = <Opts as clap::Parser>::parse();
    match run(&opts) {
        Ok(()) => ExitCode::SUCCESS,
        Err((code, e)) => {
            eprintln!("replay: {e}");
            ExitCode::from(code)
        }
    }
}
