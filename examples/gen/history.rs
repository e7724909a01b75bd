//! The history: one `git fast-import` stream of `--commits` commits.

use std::collections::BTreeMap;
use std::io::Write as _;

use super::*;
use evident::scaffold::state_text;

pub(super) fn commit_header(out: &mut Vec<u8>, person: &Person, ts: i64, message: &str) {
    let _ = writeln!(out, "commit refs/heads/main");
    let _ = writeln!(out, "author {} <{}> {ts} +0000", person.name, person.email);
    let _ = writeln!(out, "committer {} <{}> {ts} +0000", person.name, person.email);
    data(out, message.as_bytes());
}

/// Evolves the states over `commits - 1` commits after the initial one, updating `files`, and
/// returns the `git fast-import` stream of the whole history.
pub(super) fn history(
    repo: &mut Repo,
    files: &mut BTreeMap<String, Vec<u8>>,
    opts: &Opts,
    commits: usize,
) -> Vec<u8> {
    let seed = opts.seed;
    let mut rng = Rng::new(seed, 5);
    let mut out = Vec::with_capacity(16 << 20);
    let start = timestamp(2025, 1, 6, 9);
    let end = timestamp(2026, 10, 30, 18);
    let step = ((end - start) / commits.max(1) as i64).clamp(60, 86_400);

    commit_header(
        &mut out,
        &repo.people[0],
        start,
        &format!(
            "Initial compliance repository\n\n{} actions, {} templates, {} assessments (generated, seed {seed}).\n",
            repo.actions.len(),
            repo.templates.len(),
            repo.assessments.len()
        ),
    );
    for (path, bytes) in files.iter() {
        let _ = writeln!(out, "M 100644 inline {path}");
        data(&mut out, bytes);
    }

    let min_unit = repo.units.iter().map(Vec::len).min().unwrap_or(1);
    let pairs_total = repo.units.len() * repo.actions.len();
    for c in 1..commits {
        let ts = start + c as i64 * step + rng.below((step / 2).max(1) as usize) as i64;
        let today = days_of_timestamp(ts);
        let budget = rng.range(1, opts.max_changes as i64) as usize;
        let mut touched: Vec<(usize, usize)> = Vec::new();
        let mut changed: Vec<String> = Vec::new();
        let mut lines: Vec<String> = Vec::new();
        let mut needs_assessor = false;
        let mut attempts = 0;
        while changed.len() < budget
            && (changed.is_empty() || changed.len() + min_unit <= budget)
            && touched.len() < pairs_total
            && attempts < 10_000
        {
            attempts += 1;
            let u = rng.below(repo.units.len());
            let k = rng.below(repo.actions.len());
            let size = repo.units[u].len();
            if touched.contains(&(u, k)) || (!changed.is_empty() && changed.len() + size > budget) {
                continue;
            }
            let (new, assessor, what) = evolve(
                &mut rng,
                &repo.states[u][k],
                &repo.actions[k],
                repo.baseline[k],
                today,
                &repo.people,
                &repo.evidence,
            );
            if new == repo.states[u][k] {
                continue;
            }
            touched.push((u, k));
            needs_assessor |= assessor;
            let text = state_text(&new).into_bytes();
            repo.states[u][k] = new;
            for &m in &repo.units[u] {
                let path = state_file(repo, m, k);
                files.insert(path.clone(), text.clone());
                changed.push(path);
            }
            let names: Vec<&str> = repo.units[u].iter().map(|&m| repo.assessments[m].id.as_str()).collect();
            lines.push(format!("{} in {}: {what}", repo.actions[k].id, names.join(", ")));
        }
        let author = if needs_assessor {
            &repo.people[rng.below(ASSESSORS)]
        } else {
            &repo.people[AUTHORS.start + rng.below(AUTHORS.len())]
        };
        let message = if lines.len() == 1 {
            format!("{}\n", lines[0])
        } else {
            format!(
                "Update {} action states\n\n{}\n",
                lines.len(),
                lines.iter().map(|l| format!("- {l}")).collect::<Vec<_>>().join("\n")
            )
        };
        commit_header(&mut out, author, ts, &message);
        for path in &changed {
            let _ = writeln!(out, "M 100644 inline {path}");
            data(&mut out, &files[path]);
        }
    }
    out.extend_from_slice(b"done\n");
    out
}
