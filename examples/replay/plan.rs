//! Planning the whole history: lanes, revisions, the steps of every lane.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use super::*;
use evident::model::{ActionState, Assessment, Template, TestStatus as TS};
use jiff::civil::Date as Day;

pub(super) fn build_lanes(src: &Source) -> Result<Vec<Lane>, String> {
    // Units: (group or assessment) x action, with the final state.
    let mut per_action: BTreeMap<String, Vec<(Vec<String>, ActionState, bool)>> = BTreeMap::new();
    let mut by_key: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    for (id, a) in &src.assessments {
        let key =
            a.group.as_ref().map(|g| format!("group:{g}")).unwrap_or_else(|| format!("assessment:{id}"));
        let Some(t) = src.templates.get(a.template.as_str()) else {
            return Err(format!("assessment `{id}` names an unknown template `{}`", a.template));
        };
        for action in t.action_ids() {
            if src.states.contains_key(&state_path(id, action.as_str())) {
                by_key.entry((action.as_str().to_owned(), key.clone())).or_default().push(id.clone());
            }
        }
    }
    for ((action, key), units) in by_key {
        let states: Vec<ActionState> =
            units.iter().map(|u| synced(&src.states[&state_path(u, &action)])).collect();
        if states.windows(2).any(|w| w[0] != w[1]) {
            return Err(format!(
                "the assessments {} disagree on `{action}` (run `evident sync` there)",
                units.join(", ")
            ));
        }
        per_action.entry(action).or_default().push((units, states[0].clone(), key.starts_with("group:")));
    }
    let mut lanes = Vec::new();
    for (action, groups) in per_action {
        let mut merged: Vec<(Vec<String>, ActionState, bool, bool)> = Vec::new();
        for (units, state, grouped) in groups {
            if let Some(m) = merged.iter_mut().find(|m| m.1 == state) {
                m.0.extend(units);
                if grouped { m.3 = false } else { m.2 = false }
            } else {
                merged.push((units, state, grouped, !grouped));
            }
        }
        let several = merged.len() > 1;
        for (mut units, fin, grouped_only, ungrouped_only) in merged {
            units.sort();
            lanes.push(Lane {
                action: action.clone(),
                units,
                fin,
                scope: String::new(),
                grouped_only,
                ungrouped_only,
            });
            let _ = several;
        }
    }
    // Scope suffixes for actions with several lanes.
    let counts: BTreeMap<String, usize> = lanes.iter().fold(BTreeMap::new(), |mut m, l| {
        *m.entry(l.action.clone()).or_default() += 1;
        m
    });
    for i in 0..lanes.len() {
        if counts[&lanes[i].action] > 1 {
            let mut regs: Vec<String> = Vec::new();
            for u in &lanes[i].units {
                let reg = src
                    .assessments
                    .get(u)
                    .and_then(|a| src.templates.get(a.template.as_str()))
                    .map(|t| t.regulation.clone())
                    .unwrap_or_else(|| u.clone());
                if !regs.contains(&reg) {
                    regs.push(reg);
                }
            }
            lanes[i].scope = format!(" ({})", regs.join(", "));
        }
    }
    Ok(lanes)
}

/// Text of an action definition at an earlier version.
pub(super) fn action_text_at(src: &Source, action: &str, version: u32) -> Result<Vec<u8>, String> {
    let path = format!("actions/{action}.toml");
    let fin = src.actions[action].version;
    let mut text =
        String::from_utf8(src.files[&path].clone()).map_err(|_| format!("`{path}` is not UTF-8"))?;
    let mut v = fin;
    while v > version {
        if let Some(r) = story().revisions.iter().find(|r| r.action.as_str() == action && r.version == v) {
            for (now, before) in &r.undo {
                if text.contains(now.as_str()) {
                    text = text.replacen(now.as_str(), before, 1);
                }
            }
        }
        v -= 1;
    }
    if version != fin {
        text = set_line(&text, "version", &version.to_string())
            .ok_or_else(|| format!("`{path}` has no `version = ` line"))?;
    }
    Ok(text.into_bytes())
}

/// Text of a template at an earlier version.
pub(super) fn template_text_at(src: &Source, template: &str, version: u32) -> Result<Vec<u8>, String> {
    let path = format!("templates/{template}.toml");
    let fin = src.templates[template].version;
    let mut text =
        String::from_utf8(src.files[&path].clone()).map_err(|_| format!("`{path}` is not UTF-8"))?;
    let mut v = fin;
    while v > version {
        if let Some(r) =
            story().template_revisions.iter().find(|r| r.template.as_str() == template && r.version == v)
        {
            let marker = format!("[[controls]]\nid = \"{}\"\n", r.control.as_str());
            if let Some(start) = text.find(&marker) {
                let rest = &text[start + marker.len()..];
                let end = rest.find("[[controls]]").map(|i| start + marker.len() + i).unwrap_or(text.len());
                text.replace_range(start..end, "");
            }
            if !r.description_cut.is_empty() {
                text = text.replacen(r.description_cut.as_str(), "", 1);
            }
        }
        v -= 1;
    }
    if version != fin {
        text = set_line(&text, "version", &version.to_string())
            .ok_or_else(|| format!("`{path}` has no `version = ` line"))?;
    }
    Ok(text.into_bytes())
}

/// The Q1 privacy request log, cut from the H1 export: (path, bytes, number of requests).
pub(super) fn q1_log(src: &Source) -> Option<(String, Vec<u8>, usize)> {
    let h1 = std::str::from_utf8(src.files.get("evidence/dsar-log-2026-h1.csv")?).ok()?;
    let mut lines = h1.lines();
    let header = lines.next()?;
    let cols: Vec<&str> = header.split(',').collect();
    let received = cols.iter().position(|c| *c == "received")?;
    let closed = cols.iter().position(|c| *c == "closed")?;
    let mut out = format!("{header}\n");
    let mut n = 0;
    for line in lines {
        let f: Vec<&str> = line.split(',').collect();
        if f.len() > closed && f[received] < "2026-04-01" && f[closed] < "2026-04-01" && f[closed] >= "2026" {
            out.push_str(line);
            out.push('\n');
            n += 1;
        }
    }
    (n >= 3).then(|| ("evidence/dsar-log-2026-q1.csv".to_owned(), out.into_bytes(), n))
}

pub(super) fn plan(ctx: &mut Ctx) -> Result<Vec<Step>, String> {
    let src = ctx.src;
    let mut steps: Vec<Step> = Vec::new();
    let admin = ctx.admins[0].clone();
    let privacy_admin = ctx.admins[1 % ctx.admins.len()].clone();

    // --- Month 1: the repository, templates and their actions, assessments, CI.
    let mut introduced: BTreeSet<String> = BTreeSet::new();
    let template_v1 = |id: &str| -> u32 {
        let fin = src.templates[id].version;
        story()
            .template_revisions
            .iter()
            .filter(|r| r.template.as_str() == id && r.version <= fin)
            .map(|r| r.version - 1)
            .min()
            .unwrap_or(fin)
    };
    let action_v1 = |id: &str| -> u32 {
        let fin = src.actions[id].version;
        story()
            .revisions
            .iter()
            .filter(|r| r.action.as_str() == id && r.version <= fin)
            .map(|r| r.version - 1)
            .min()
            .unwrap_or(fin)
    };
    // Templates: those without a group first (the CISO starts with HIPAA), then the others.
    let mut templates: Vec<&str> = src.templates.keys().map(String::as_str).collect();
    let grouped_templates: BTreeSet<&str> =
        src.assessments.values().filter(|a| a.group.is_some()).map(|a| a.template.as_str()).collect();
    templates.sort_by_key(|t| (grouped_templates.contains(t), *t));
    let setup_days = [
        day(2025, 11, 3),
        day(2025, 11, 5),
        day(2025, 11, 7),
        day(2025, 11, 10),
        day(2025, 11, 11),
        day(2025, 11, 12),
    ];
    let mut k = 0;
    for (i, t) in templates.iter().enumerate() {
        let v = template_v1(t);
        let text = template_text_at(src, t, v)?;
        let parsed: Template = parse(t, &text)?;
        let mut files = Vec::new();
        let mut new_actions = Vec::new();
        for a in parsed.action_ids() {
            let a = a.as_str();
            if introduced.insert(a.to_owned()) {
                if !src.actions.contains_key(a) {
                    return Err(format!("template `{t}` lists unknown action `{a}`"));
                }
                files.push((format!("actions/{a}.toml"), Some(action_text_at(src, a, action_v1(a))?)));
                new_actions.push(a.to_owned());
                ctx.intro.insert(a.to_owned(), setup_days[k.min(setup_days.len() - 1)]);
            }
        }
        files.push((format!("templates/{t}.toml"), Some(text)));
        let who = if grouped_templates.contains(t) { privacy_admin.clone() } else { admin.clone() };
        let (subject, mut body) = if i == 0 {
            ("Start the compliance repository".to_owned(), String::new())
        } else {
            (format!("Add the {} template and its actions", parsed.regulation), String::new())
        };
        if i == 0 {
            for f in ["evident.toml", "README.md"] {
                if src.files.contains_key(f) {
                    files.insert(0, (f.to_owned(), Some(src.files[f].clone())));
                }
            }
            body.push_str("People and roles of the 2026 program: the CISO and the DPO administer the repository, internal audit and the external assessor record test results.\n\n");
        }
        let _ = writeln!(
            body,
            "{}: {} controls, {} new improvement actions.",
            parsed.name,
            parsed.controls.len(),
            new_actions.len()
        );
        steps.push(global_step(
            setup_days[k.min(setup_days.len() - 1)],
            &who,
            &format!("setup:{t}"),
            &subject,
            &body,
            files,
        ));
        k += 1;
    }
    // Assessments, a group at a time.
    let mut by_group: BTreeMap<String, Vec<&Assessment>> = BTreeMap::new();
    for a in src.assessments.values() {
        by_group
            .entry(a.group.as_ref().map(|g| g.as_str().to_owned()).unwrap_or_else(|| format!("~{}", a.id)))
            .or_default()
            .push(a);
    }
    for (g, members) in &by_group {
        let mut files = Vec::new();
        for a in members {
            let path = format!("assessments/{}/assessment.toml", a.id);
            let v = template_v1(a.template.as_str());
            let mut text = src.files[&path].clone();
            if v != a.template_version {
                let t = String::from_utf8(text).map_err(|_| format!("`{path}` is not UTF-8"))?;
                text = set_line(&t, "template_version", &v.to_string())
                    .ok_or_else(|| format!("`{path}` has no template_version line"))?
                    .into_bytes();
            }
            files.push((path, Some(text)));
        }
        let names: Vec<String> = members.iter().map(|a| a.id.to_string()).collect();
        let (who, subject, body) = if let Some(g) = g.strip_prefix('~') {
            let a = members[0];
            (
                admin.clone(),
                format!("Create the {g} assessment"),
                format!(
                    "{} on template {} version {}.",
                    a.name,
                    a.template,
                    template_v1(a.template.as_str())
                ),
            )
        } else {
            (
                privacy_admin.clone(),
                format!("Create {} in group {g}", names.join(" and ")),
                format!(
                    "The assessments of group {g} share the state of the actions they have in common.\nOwners are assigned next; until then every action is not implemented and not tested."
                ),
            )
        };
        steps.push(global_step(
            setup_days[k.min(setup_days.len() - 1)],
            &who,
            &format!("setup:{g}"),
            &subject,
            &body,
            files,
        ));
        k += 1;
    }
    // Everything else in the source that is not compliance data or evidence (CI, docs).
    let others: Vec<(String, Option<Vec<u8>>)> = src
        .files
        .iter()
        .filter(|(p, _)| {
            !(p.as_str() == "evident.toml"
                || p.as_str() == "README.md"
                || p.starts_with("templates/")
                || p.starts_with("actions/")
                || p.starts_with("assessments/")
                || p.starts_with("evidence/"))
        })
        .map(|(p, b)| (p.clone(), Some(b.clone())))
        .collect();
    if !others.is_empty() {
        let ci = others.iter().any(|(p, _)| p.starts_with(".github/"));
        let subject = if ci { "Run evident check on pull requests" } else { "Add supporting files" };
        let body = if ci {
            "The workflow comments the change summary on pull requests and uploads SARIF."
        } else {
            ""
        };
        let who = src
            .config
            .people
            .as_ref()
            .and_then(|p| p.keys().find(|e| e.starts_with("david.")))
            .cloned()
            .unwrap_or_else(|| admin.clone());
        steps.push(global_step(day(2025, 11, 13), &who, "setup:other", subject, body, others));
    }
    // Evidence files nobody refers to: added when they were produced.
    let referenced: BTreeSet<String> =
        src.states.values().flat_map(|s| s.evidence.iter().filter_map(|e| e.path.clone())).collect();
    for path in src.files.keys().filter(|p| p.starts_with("evidence/") && !referenced.contains(*p)) {
        let d = ctx.file_day(path).unwrap_or(day(2026, 6, 15));
        steps.push(global_step(
            next_workday(Region::Us, d),
            &admin,
            &format!("file:{path}"),
            &format!("Add {path}"),
            "",
            vec![(path.clone(), Some(src.files[path].clone()))],
        ));
    }

    // --- Revisions of action definitions and templates.
    for r in story().revisions {
        let Some(a) = src.actions.get(r.action.as_str()) else { continue };
        if r.version > a.version || r.version < 2 {
            continue;
        }
        let text = action_text_at(src, r.action.as_str(), r.version)?;
        let who = if ctx.people.contains_key(r.author.as_str()) {
            r.author.as_str().to_owned()
        } else {
            admin.clone()
        };
        let mut s = global_step(
            next_workday(ctx.region(&who), d3(r.day)),
            &who,
            &format!("revision:{}:{}", r.action.as_str(), r.version),
            r.subject.as_str(),
            r.body.as_str(),
            vec![(format!("actions/{}.toml", r.action.as_str()), Some(text))],
        );
        s.accept.push((r.action.as_str().to_owned(), r.version));
        steps.push(s);
    }
    for r in story().template_revisions {
        let Some(t) = src.templates.get(r.template.as_str()) else { continue };
        if r.version > t.version || r.version < 2 {
            continue;
        }
        let text = template_text_at(src, r.template.as_str(), r.version)?;
        let parsed: Template = parse(r.template.as_str(), &text)?;
        let d = next_workday(ctx.region(r.author.as_str()), d3(r.day));
        let mut files = Vec::new();
        for a in parsed.action_ids() {
            if introduced.insert(a.as_str().to_owned()) {
                files.push((
                    format!("actions/{a}.toml"),
                    Some(action_text_at(src, a.as_str(), action_v1(a.as_str()))?),
                ));
                ctx.intro.insert(a.as_str().to_owned(), d);
            }
        }
        files.push((format!("templates/{}.toml", r.template.as_str()), Some(text)));
        for a in src.assessments.values().filter(|a| a.template.as_str() == r.template.as_str()) {
            let path = format!("assessments/{}/assessment.toml", a.id);
            let t =
                String::from_utf8(src.files[&path].clone()).map_err(|_| format!("`{path}` is not UTF-8"))?;
            let v = r.version.min(a.template_version);
            files.push((
                path.clone(),
                Some(
                    set_line(&t, "template_version", &v.to_string())
                        .ok_or("no template_version line")?
                        .into_bytes(),
                ),
            ));
        }
        let who = if ctx.people.contains_key(r.author.as_str()) {
            r.author.as_str().to_owned()
        } else {
            admin.clone()
        };
        steps.push(global_step(
            d,
            &who,
            &format!("template:{}:{}", r.template.as_str(), r.version),
            r.subject.as_str(),
            r.body.as_str(),
            files,
        ));
    }
    if introduced.len() != src.actions.len() {
        let unused: Vec<&String> = src.actions.keys().filter(|a| !introduced.contains(*a)).collect();
        // Actions no template lists: added with the first template (evident warns about them).
        let mut files = Vec::new();
        for a in unused {
            files.push((format!("actions/{a}.toml"), Some(action_text_at(src, a, src.actions[a].version)?)));
        }
        steps.push(global_step(
            day(2025, 11, 14),
            &admin,
            "setup:unused-actions",
            "Add actions not yet listed by a template",
            "",
            files,
        ));
    }

    // --- Assignment days: the CISO assigns first (security and HIPAA), then the DPO (privacy).
    let mut pairs: BTreeSet<(usize, String)> = BTreeSet::new();
    for lane in &ctx.lanes {
        let Some(owner) = lane.fin.owner.clone() else { continue };
        if ctx.intro.get(&lane.action).is_some_and(|d| *d > day(2025, 11, 30)) {
            continue;
        }
        let first = story()
            .handovers
            .iter()
            .find(|(a, from, _)| *a == lane.action && *from != owner)
            .map(|(_, f, _)| f.to_string())
            .unwrap_or(owner);
        let admin_i = if lane.grouped_only { 1 } else { 0 };
        pairs.insert((admin_i, first));
    }
    let mut counters = [0i64; 2];
    for (admin_i, owner) in pairs {
        let who = if admin_i == 0 { admin.clone() } else { privacy_admin.clone() };
        let base = if admin_i == 0 { day(2025, 11, 17) } else { day(2025, 11, 20) };
        let d = add_workdays(ctx.region(&who), base, counters[admin_i] / 2);
        counters[admin_i] += 1;
        ctx.assign_days.insert((who, owner), d);
    }

    // --- The lanes.
    let q1 = q1_log(src);
    if let Some((p, bytes, _)) = &q1 {
        ctx.extra_files.insert(p.clone(), bytes.clone());
    }
    let ctx: &Ctx = ctx;
    for i in 0..ctx.lanes.len() {
        let lane = &ctx.lanes[i];
        let mut b = LaneBuilder::new(ctx, i);
        let a = lane.action.as_str();
        let special = match a {
            "storage-encryption-at-rest" | "tls-in-transit" => story_policy_snapshot(&mut b),
            "dsar-process" | "identity-verification-dsar" if lane.grouped_only => {
                story_privacy_log(&mut b, &q1)
            }
            "audit-logging" => story_audit_logging(&mut b),
            "vulnerability-scanning" => story_retest_fails(&mut b),
            "emergency-access-accounts" => story_quarterly(&mut b),
            "do-not-sell-link" => story_scoped_back_in(
                &mut b,
                "Northwind Health does not sell personal information; the marketing site only uses first-party analytics.",
                day(2025, 12, 9),
                "Back in scope: counsel advised on 5 January that the advertising pixels on the marketing site count as sharing for cross-context behavioural advertising under the CPRA. Link and GPC support to be added to the consent banner.",
                day(2026, 1, 6),
                &privacy_admin,
            ),
            "email-encryption" if lane.ungrouped_only => story_scoped_back_in(
                &mut b,
                "Clinicians use the portal's secure messaging; e-mail is not used for ePHI.",
                day(2025, 12, 10),
                "Back in scope: the 2026 risk analysis found medical record numbers in outbound e-mail to insurers (R-22). A Purview Message Encryption rule is planned for June.",
                day(2026, 5, 11),
                &admin,
            ),
            "incident-response-plan" => story_incident_plan(&mut b),
            "penetration-test" => story_fail_then_fix(
                &mut b,
                day(2026, 7, 10),
                TS::FailedHigh,
                "Report received 8 July: 2 high findings (IDOR in the appointments API, an admin endpoint of the video gateway reachable from the internet) and 4 medium ones.",
                "Assessor: penetration test finds 2 high issues (high)",
                None,
            ),
            "security-awareness-training" => story_fail_then_fix(
                &mut b,
                day(2026, 7, 1),
                TS::FailedLow,
                "Completion 88.4% (221 of 250) at the 30 June deadline; reminders and manager escalation under way.",
                "Assessor: training completion below target at the deadline (low)",
                Some((day(2026, 5, 5), "2026 course assigned to all 250 staff on 4 May; deadline 30 June.")),
            ),
            "restore-test" => story_fail_then_fix(
                &mut b,
                day(2026, 6, 18),
                TS::FailedMedium,
                "Q2 restore of the EHR integration database took 5 h 40 min against an RTO of 4 hours: the restore job queued behind a vault upgrade. Runbook changed to pre-stage restores (CLOUD-301).",
                "Assessor: Q2 restore test misses the RTO (medium)",
                Some((day(2026, 6, 15), "Q2 restore of the EHR integration database scheduled for 17 June.")),
            ),
            _ => false,
        };
        if !special {
            b = LaneBuilder::new(ctx, i);
            plain(&mut b);
        }
        steps.extend(b.steps);
    }
    Ok(steps)
}

pub(super) fn global_step(
    d: Day,
    who: &str,
    key: &str,
    subject: &str,
    body: &str,
    files: Vec<(String, Option<Vec<u8>>)>,
) -> Step {
    Step {
        day: d,
        author: who.to_owned(),
        key: key.to_owned(),
        action: String::new(),
        subject: subject.to_owned(),
        base: subject.to_owned(),
        group: None,
        body: body.to_owned(),
        line: subject.to_owned(),
        lane_writes: Vec::new(),
        file_writes: files,
        accept: Vec::new(),
    }
}
