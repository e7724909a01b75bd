//! Writing the history as a `git fast-import` stream, checking every commit as it goes.

use std::collections::BTreeMap;
use std::io::Write as _;

use super::*;
use evident::model::{Action, ActionState, Assessment, Template, TestStatus as TS};
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

pub(super) fn verdict(s: TS) -> bool {
    s.is_verdict()
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
        check_commit(ctx, &w, c, &before, &before_lanes)?;
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

/// The rules of `evident validate`, `evident check` and `evident audit` that the story could
/// break, for one commit.
pub(super) fn check_commit(
    ctx: &Ctx,
    w: &World,
    c: &Commit,
    before: &BTreeMap<String, Vec<u8>>,
    before_lanes: &[Option<ActionState>],
) -> Result<(), String> {
    let src = ctx.src;
    let today = edate(c.day);
    let assessor = ctx.assessors.contains(&c.author.email);
    for (i, lane) in ctx.lanes.iter().enumerate() {
        let (old, new) = (&before_lanes[i], &w.lanes[i]);
        if old == new {
            continue;
        }
        let Some(new) = new else { continue };
        let action = &src.actions[&lane.action];
        if let Some(p) = evident::checks::status::problems(action, new, today).into_iter().next() {
            return Err(fail(c, format!("{} in {}: {}", p.code.code(), lane.action, p.message)));
        }
        if let Some(owner) = &new.owner
            && let Some(people) = &src.config.people
            && !people.contains_key(owner)
        {
            return Err(fail(c, format!("owner {owner} is not in [people]")));
        }
        let old_status = old.as_ref().map(|o| o.test.status).unwrap_or_default();
        if (new.test.status == TS::Passed || new.test.status.is_failed())
            && new.test.status != old_status
            && !assessor
        {
            return Err(fail(
                c,
                format!(
                    "{} sets `{}` on {} but is not an assessor",
                    c.author.email, new.test.status, lane.action
                ),
            ));
        }
        if let Some(old) = old
            && verdict(old.test.status)
        {
            for e in &old.evidence {
                if new.evidence.iter().find(|n| n.name == e.name) != Some(e) {
                    return Err(fail(
                        c,
                        format!(
                            "evidence `{}` of {} changes under the verdict `{}`",
                            e.name, lane.action, old.test.status
                        ),
                    ));
                }
            }
        }
        for e in &new.evidence {
            if let Some(p) = &e.path {
                let bytes = w.files.get(p).ok_or_else(|| fail(c, format!("evidence file {p} missing")))?;
                if e.sha256.as_deref() != Some(sha256_hex(bytes).as_str()) {
                    return Err(fail(c, format!("evidence file {p} does not match its sha256")));
                }
            }
        }
        for u in &lane.units {
            let path = state_path(u, &lane.action);
            if !w.files.contains_key(&format!("assessments/{u}/assessment.toml")) {
                return Err(fail(c, format!("{path} is written before its assessment exists")));
            }
        }
    }
    // Evidence files changed or deleted under a verdict (at the parent).
    for (path, bytes) in before {
        if path.starts_with("assessments/")
            || path.starts_with("actions/")
            || path.starts_with("templates/")
            || path == "evident.toml"
        {
            continue;
        }
        if w.files.get(path) == Some(bytes) {
            continue;
        }
        for (i, old) in before_lanes.iter().enumerate() {
            if let Some(old) = old
                && verdict(old.test.status)
                && old.evidence.iter().any(|e| e.path.as_deref() == Some(path.as_str()))
            {
                return Err(fail(c, format!("{path} changes while {} rests on it", ctx.lanes[i].action)));
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
        // Every state file must be for an action of the template at this commit.
        for p in w
            .files
            .keys()
            .filter(|p| p.starts_with(&format!("assessments/{}/", a.id)) && !p.ends_with("/assessment.toml"))
        {
            let action = p.rsplit('/').next().and_then(|f| f.strip_suffix(".toml")).unwrap_or_default();
            if !tt.lists_action(action) {
                return Err(fail(c, format!("{p} is for an action the template does not list yet")));
            }
        }
    }
    Ok(())
}
