//! Writing the history as a `git fast-import` stream, checking every commit as it goes.

use std::collections::BTreeMap;
use std::io::Write as _;

use super::*;
use evident::model::{Action, ActionState, Assessment, Template};
use evident::scaffold::state_text;

pub(super) struct World<'s> {
    pub(super) src: &'s Source,
    pub(super) files: BTreeMap<String, Vec<u8>>,
    pub(super) lanes: Vec<Option<ActionState>>,
    pub(super) accepted: BTreeMap<String, Option<u32>>,
    pub(super) versions: BTreeMap<String, u32>,
}

impl World<'_> {
    pub(super) fn render(&self, path: &str, state: &ActionState) -> Vec<u8> {
        let accepted = self.accepted.get(path).copied().flatten();
        let with = ActionState { accepted_version: accepted, ..state.clone() };
        match self.src.states.get(path) {
            Some(fin) if *fin == with => self.src.files[path].clone(),
            _ => state_text(&with).into_bytes(),
        }
    }
}

pub(super) fn fail(commit: &Commit, msg: String) -> String {
    format!(
        "the story breaks a rule in the commit of {} by {} ({:?}): {msg}\n(the source repository no longer fits the replay's story; adjust examples/replay/story.toml or the storylines)",
        commit.day, commit.author.email, commit.subject
    )
}

/// The fast-import stream and the files of the last commit.
pub(super) type Replayed = (Vec<u8>, BTreeMap<String, Vec<u8>>);

pub(super) fn write_history(ctx: &Ctx, commits: &[Commit]) -> Result<Replayed, String> {
    let src = ctx.src;
    let mut w = World {
        src,
        files: BTreeMap::new(),
        lanes: vec![None; ctx.lanes.len()],
        accepted: BTreeMap::new(),
        versions: BTreeMap::new(),
    };
    let mut out: Vec<u8> = Vec::with_capacity(4 << 20);
    let end = d3(END);
    for c in commits {
        if c.day > end || c.day < d3(START) {
            return Err(fail(c, format!("{} is outside the replayed year", c.day)));
        }
        let before = w.files.clone();
        let before_lanes = w.lanes.clone();
        let mut notes: Vec<String> = Vec::new();
        for s in &c.steps {
            for (path, bytes) in &s.file_writes {
                match bytes {
                    Some(b) => {
                        w.files.insert(path.clone(), b.clone());
                        if let Some(a) = path.strip_prefix("actions/").and_then(|p| p.strip_suffix(".toml")) {
                            let parsed: Action = parse(path, b)?;
                            w.versions.insert(a.to_owned(), parsed.version);
                        }
                    }
                    None => {
                        w.files.remove(path);
                        notes.push(format!("Removes {path}."));
                    }
                }
            }
            for (action, version) in &s.accept {
                let paths: Vec<String> =
                    w.accepted.keys().filter(|p| p.ends_with(&format!("/{action}.toml"))).cloned().collect();
                for p in paths {
                    let cap = src.states.get(&p).and_then(|s| s.accepted_version);
                    w.accepted.insert(p, cap.map(|c| c.min(*version)));
                }
            }
            for (lane, state) in &s.lane_writes {
                w.lanes[*lane] = Some(state.clone());
            }
        }
        // Render every state file of the lanes (accepted versions may have moved too).
        for (i, lane) in ctx.lanes.iter().enumerate() {
            let Some(state) = &w.lanes[i] else { continue };
            for u in &lane.units {
                let path = state_path(u, &lane.action);
                if !w.accepted.contains_key(&path) {
                    let v = w.versions.get(&lane.action).copied();
                    let cap = src.states.get(&path).and_then(|s| s.accepted_version);
                    w.accepted.insert(
                        path.clone(),
                        match (v, cap) {
                            (Some(v), Some(c)) => Some(v.min(c)),
                            _ => None,
                        },
                    );
                }
                let text = w.render(&path, state);
                w.files.insert(path, text);
            }
        }
        // Evidence files come with the first state that needs them.
        for (i, lane) in ctx.lanes.iter().enumerate() {
            let Some(state) = &w.lanes[i] else { continue };
            let _ = lane;
            for e in &state.evidence {
                let Some(p) = &e.path else { continue };
                if w.files.contains_key(p) {
                    continue;
                }
                let bytes = src
                    .files
                    .get(p)
                    .or_else(|| ctx.extra_files.get(p))
                    .ok_or_else(|| fail(c, format!("evidence `{p}` exists nowhere")))?;
                if let Some(d) = ctx.file_day(p)
                    && c.day < d
                {
                    return Err(fail(c, format!("evidence `{p}` is used before it was produced ({d})")));
                }
                w.files.insert(p.clone(), bytes.clone());
                notes.push(format!("Adds {p} (sha256 {}).", &sha256_hex(bytes)[..12]));
            }
        }
        check_commit(ctx, &w, c, &before_lanes)?;
        // The stream.
        let mut message = c.subject.clone();
        let mut body = c.body.clone();
        if !notes.is_empty() {
            if !body.is_empty() {
                body.push_str("\n\n");
            }
            body.push_str(&notes.join("\n"));
        }
        if !body.trim().is_empty() {
            message.push_str("\n\n");
            message.push_str(&wrap(body.trim(), 72));
        }
        message.push('\n');
        let ts = c.time;
        let off = offset_text(offset_on(&c.author, c.day));
        let _ = writeln!(out, "commit refs/heads/main");
        let _ = writeln!(out, "author {} <{}> {ts} {off}", c.author.name, c.author.email);
        let _ = writeln!(out, "committer {} <{}> {ts} {off}", c.author.name, c.author.email);
        data(&mut out, message.as_bytes());
        for (path, bytes) in &w.files {
            if before.get(path) != Some(bytes) {
                let mode = if src.exec.contains(path) { "100755" } else { "100644" };
                let _ = writeln!(out, "M {mode} inline {path}");
                data(&mut out, bytes);
            }
        }
        for path in before.keys() {
            if !w.files.contains_key(path) {
                let _ = writeln!(out, "D {path}");
            }
        }
    }
    out.extend_from_slice(b"done\n");
    if w.files != src.files {
        let extra: Vec<&String> =
            w.files.keys().filter(|p| src.files.get(*p) != Some(&w.files[*p])).collect();
        let missing: Vec<&String> = src.files.keys().filter(|p| !w.files.contains_key(*p)).collect();
        return Err(format!(
            "the replay does not end on the source tree (a replay bug): differs {extra:?}, missing {missing:?}"
        ));
    }
    Ok((out, w.files))
}

/// One commit as `evident validate` and `evident check` see it, through the library's own
/// rules ([`super::rules::check_tree`]), plus what only the story promises: every evidence
/// file matches its SHA-256, and assessments accept each new action and template version in
/// the commit that brings it. The history rules (`evident audit`) are checked on the written
/// repository ([`super::rules::audit`]).
pub(super) fn check_commit(
    ctx: &Ctx,
    w: &World,
    c: &Commit,
    before_lanes: &[Option<ActionState>],
) -> Result<(), String> {
    let src = ctx.src;
    super::rules::check_tree(&w.files, edate(c.day)).map_err(|e| fail(c, e))?;
    for (i, _) in ctx.lanes.iter().enumerate() {
        let (old, new) = (&before_lanes[i], &w.lanes[i]);
        if old == new {
            continue;
        }
        let Some(new) = new else { continue };
        for e in &new.evidence {
            if let Some(p) = &e.path {
                let bytes = w.files.get(p).ok_or_else(|| fail(c, format!("evidence file {p} missing")))?;
                if e.sha256.as_deref() != Some(sha256_hex(bytes).as_str()) {
                    return Err(fail(c, format!("evidence file {p} does not match its sha256")));
                }
            }
        }
    }
    // Accepted versions after a revision; template versions.
    for (path, accepted) in &w.accepted {
        let action = path.rsplit('/').next().and_then(|f| f.strip_suffix(".toml")).unwrap_or_default();
        let clean_at_end = src.states.get(path).and_then(|s| s.accepted_version)
            == src.actions.get(action).map(|a| a.version);
        if clean_at_end && *accepted != w.versions.get(action).copied() {
            return Err(fail(c, format!("{path} did not accept the new version of {action}")));
        }
    }
    for a in src.assessments.values() {
        let path = format!("assessments/{}/assessment.toml", a.id);
        let (Some(at), Some(tt)) =
            (w.files.get(&path), w.files.get(&format!("templates/{}.toml", a.template)))
        else {
            continue;
        };
        let at: Assessment = parse(&path, at)?;
        let tt: Template = parse("template", tt)?;
        if at.template_version != tt.version
            && a.template_version == src.templates[a.template.as_str()].version
        {
            return Err(fail(
                c,
                format!("{} accepts template version {} of {}", a.id, at.template_version, tt.version),
            ));
        }
    }
    Ok(())
}
