//! Do the files agree with each other? Ids, references between files,
//! versions and people.

use std::collections::{BTreeSet, HashMap};

use crate::diag::{Code, Diagnostic, Report, did_you_mean};
use crate::load::{key_span_of, span_of};
use crate::model::{ActionState, AssessmentEntry, Template, Workspace};
use crate::repo::layout::{CONFIG_FILE, action_path, assessment_path, state_path, template_path};

pub fn check(ws: &Workspace, report: &mut Report) {
    let mut out = Vec::new();
    config(ws, report, &mut out);
    alerts(ws, report, &mut out);
    for (id, template) in &ws.templates {
        template_refs(ws, report, &template_path(id.as_str()), template, &mut out);
    }
    unused_actions(ws, report, &mut out);
    for (id, entry) in &ws.assessments {
        assessment_refs(ws, report, id.as_str(), entry, &mut out);
    }
    if ws.is_empty() && !report.has_errors() {
        out.push(
            Diagnostic::new(
                Code::EmptyRepository,
                "the repository has no templates, actions or assessments yet",
            )
            .in_file(CONFIG_FILE)
            .hint("start with `evident new template`, `evident new action` and `evident new assessment`"),
        );
    }
    report.diagnostics.extend(out);
}

/// The names `[rules]` configures. Read from the text of `evident.toml` when it is valid
/// TOML, so that an unknown name is reported in the same run as a wrong level next to it
/// (which keeps the typed configuration from loading).
fn configured_rules(ws: &Workspace, report: &Report) -> Vec<String> {
    let raw = report.sources.get(CONFIG_FILE).and_then(|t| t.parse::<toml::Table>().ok());
    match raw.as_ref().map(|t| t.get("rules")) {
        Some(Some(toml::Value::Table(rules))) => rules.keys().cloned().collect(),
        Some(_) => Vec::new(),
        None => ws.config.rules.keys().cloned().collect(),
    }
}

/// Looks up the span of a pointer in a file, or the start of the file.
fn span(report: &Report, file: &str, pointer: &str) -> std::ops::Range<usize> {
    report.sources.get(file).and_then(|t| span_of(t, pointer)).unwrap_or(0..0)
}

fn key_span(report: &Report, file: &str, pointer: &str) -> std::ops::Range<usize> {
    report.sources.get(file).and_then(|t| key_span_of(t, pointer)).unwrap_or(0..0)
}

fn config(ws: &Workspace, report: &Report, out: &mut Vec<Diagnostic>) {
    let rule_names: Vec<&str> = Code::ALL.iter().filter(|c| c.configurable()).map(|c| c.name()).collect();
    for name in &configured_rules(ws, report) {
        let name = name.as_str();
        let known = Code::lookup(name);
        match known {
            Some(code) if code.configurable() && code.name() == name => {}
            Some(code) if code.configurable() => out.push(
                Diagnostic::new(Code::UnknownRule, format!("`[rules]` must name rules, not codes: `{name}`"))
                    .at(CONFIG_FILE, key_span(report, CONFIG_FILE, &format!("/rules/{name}")))
                    .hint(format!("write `{} = …`", code.name())),
            ),
            Some(code) => out.push(
                Diagnostic::new(Code::UnknownRule, format!("rule `{name}` cannot be configured"))
                    .at(CONFIG_FILE, key_span(report, CONFIG_FILE, &format!("/rules/{name}")))
                    .hint(format!(
                        "the level of `{}` ({}) is {} (always): remove it from `[rules]`",
                        code.name(),
                        code.code(),
                        format!("{:?}", code.default_severity()).to_lowercase()
                    )),
            ),
            None => out.push(
                Diagnostic::new(Code::UnknownRule, format!("unknown rule `{name}` in `[rules]`"))
                    .at(CONFIG_FILE, key_span(report, CONFIG_FILE, &format!("/rules/{name}")))
                    .maybe_hint(did_you_mean(name, rule_names.iter().copied()))
                    .note("`evident explain --list` lists the rules"),
            ),
        }
    }
    if let Some(people) = &ws.config.people {
        for (role, members) in
            [("assessors", &ws.config.roles.assessors), ("admins", &ws.config.roles.admins)]
        {
            for (i, member) in members.iter().enumerate() {
                if !people.contains_key(member) {
                    out.push(
                        Diagnostic::new(
                            Code::UnknownPerson,
                            format!("`{member}` in `roles.{role}` is not listed in `[people]`"),
                        )
                        .at(CONFIG_FILE, span(report, CONFIG_FILE, &format!("/roles/{role}/{i}")))
                        .maybe_hint(
                            did_you_mean(member, people.keys().map(String::as_str))
                                .or_else(|| Some(format!("add `\"{member}\" = \"Name\"` to `[people]`"))),
                        ),
                    );
                }
            }
        }
    }
}

/// `[[alerts]]` policies: unique ids, options that fit the trigger, filters that name
/// things that exist.
fn alerts(ws: &Workspace, report: &Report, out: &mut Vec<Diagnostic>) {
    use crate::model::{ImplementationStatus, TestStatus};
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for (i, alert) in ws.config.alerts.iter().enumerate() {
        let at = |key: &str| span(report, CONFIG_FILE, &format!("/alerts/{i}/{key}"));
        let invalid = |message: String, key: &str| {
            Diagnostic::new(Code::InvalidAlert, message).at(CONFIG_FILE, at(key))
        };
        if let Some(&first) = seen.get(alert.id.as_str()) {
            out.push(
                invalid(format!("alert `{}` is defined twice", alert.id), "id")
                    .label("defined again here")
                    .related(
                        CONFIG_FILE,
                        span(report, CONFIG_FILE, &format!("/alerts/{first}/id")),
                        "first defined here",
                    )
                    .hint("give each `[[alerts]]` its own `id`"),
            );
        } else {
            seen.insert(alert.id.as_str(), i);
        }
        let on = alert.on.as_str();
        if alert.on.is_score() {
            if !alert.to.is_empty() {
                out.push(
                    invalid(format!("alert `{}`: `to` is for status alerts, not `{on}`", alert.id), "to")
                        .hint(
                            "remove `to`; a score alert fires when the score moves by more than `threshold`",
                        ),
                );
            }
            if !alert.actions.is_empty() {
                out.push(
                    invalid(
                        format!("alert `{}`: a `{on}` alert cannot watch single actions", alert.id),
                        "actions",
                    )
                    .hint("watch `assessments`, `categories` or `owners` instead, or use a status alert"),
                );
            }
        } else if alert.threshold.is_some() {
            out.push(
                invalid(
                    format!("alert `{}`: `threshold` is for score alerts, not `{on}`", alert.id),
                    "threshold",
                )
                .hint("remove `threshold`, or use `on = \"score-increase\"` or `\"score-decrease\"`"),
            );
        }
        if alert.on == crate::model::AlertTrigger::OwnerChange && !alert.to.is_empty() {
            out.push(
                invalid(format!("alert `{}`: `to` is for status alerts, not `{on}`", alert.id), "to")
                    .hint("remove `to`; `owners` keeps the changes from or to certain owners"),
            );
        }
        let statuses = match alert.on {
            crate::model::AlertTrigger::ImplementationStatus => ImplementationStatus::names(),
            crate::model::AlertTrigger::TestStatus => TestStatus::names(),
            _ => Vec::new(),
        };
        for (j, status) in alert.to.iter().enumerate() {
            if !alert.on.is_score()
                && alert.on != crate::model::AlertTrigger::OwnerChange
                && !statuses.contains(&status.as_str())
            {
                out.push(
                    invalid(
                        format!("alert `{}`: `{status}` is not a {}", alert.id, on.replace('-', " ")),
                        &format!("to/{j}"),
                    )
                    .maybe_hint(did_you_mean(status, statuses.iter().copied()))
                    .note(format!("one of: {}", statuses.join(", "))),
                );
            }
        }
        for (j, id) in alert.assessments.iter().enumerate() {
            if !ws.assessments.keys().any(|a| a.as_str() == id) {
                out.push(
                    invalid(
                        format!("alert `{}`: no assessment `{id}`", alert.id),
                        &format!("assessments/{j}"),
                    )
                    .maybe_hint(did_you_mean(id, ws.assessments.keys().map(|a| a.as_str()))),
                );
            }
        }
        for (j, id) in alert.actions.iter().enumerate() {
            if !ws.actions.keys().any(|a| a.as_str() == id) {
                out.push(
                    invalid(format!("alert `{}`: no action `{id}`", alert.id), &format!("actions/{j}"))
                        .maybe_hint(did_you_mean(id, ws.actions.keys().map(|a| a.as_str()))),
                );
            }
        }
        if let Some(people) = &ws.config.people {
            for (j, owner) in alert.owners.iter().enumerate() {
                if !people.contains_key(owner) {
                    out.push(
                        Diagnostic::new(
                            Code::UnknownPerson,
                            format!("`{owner}` in alert `{}` is not listed in `[people]`", alert.id),
                        )
                        .at(CONFIG_FILE, at(&format!("owners/{j}")))
                        .maybe_hint(did_you_mean(owner, people.keys().map(String::as_str))),
                    );
                }
            }
        }
    }
}

fn template_refs(
    ws: &Workspace,
    report: &Report,
    file: &str,
    template: &Template,
    out: &mut Vec<Diagnostic>,
) {
    if template.controls.iter().all(|c| c.actions.is_empty()) {
        out.push(
            Diagnostic::new(Code::EmptyTemplate, format!("template `{}` lists no actions", template.id))
                .at(file, span(report, file, "/id"))
                .hint("add `[[controls]]` with the `actions` that satisfy them"),
        );
    }
    // A repeated id is reported once with its count (a template listing one
    // action 10,000 times gives one diagnostic, not 10,000 snippets).
    let mut controls: Vec<(&str, Vec<usize>)> = Vec::new();
    let mut control_index: HashMap<&str, usize> = HashMap::new();
    for (i, control) in template.controls.iter().enumerate() {
        let at = *control_index.entry(control.id.as_str()).or_insert_with(|| {
            controls.push((control.id.as_str(), Vec::new()));
            controls.len() - 1
        });
        controls[at].1.push(i);
        let mut actions: Vec<(&str, Vec<usize>)> = Vec::new();
        let mut action_index: HashMap<&str, usize> = HashMap::new();
        for (j, action) in control.actions.iter().enumerate() {
            if let Some(&k) = action_index.get(action.as_str()) {
                actions[k].1.push(j);
                continue;
            }
            action_index.insert(action.as_str(), actions.len());
            actions.push((action.as_str(), vec![j]));
            if !ws.actions.contains_key(action) && !report_has_file(report, &action_path(action.as_str())) {
                out.push(
                    Diagnostic::new(Code::UnknownAction, format!("unknown action `{action}`"))
                        .at(file, span(report, file, &format!("/controls/{i}/actions/{j}")))
                        .label(format!("no file `{}`", action_path(action.as_str())))
                        .maybe_hint(
                            did_you_mean(action.as_str(), ws.actions.keys().map(|k| k.as_str())).or_else(
                                || Some(format!("create it with `evident new action {action} --title …`")),
                            ),
                        ),
                );
            }
        }
        for (action, at) in actions.iter().filter(|(_, at)| at.len() > 1) {
            out.push(
                Diagnostic::new(
                    Code::DuplicateId,
                    format!("control `{}` lists action `{action}` {}", control.id, times(at.len())),
                )
                .at(file, span(report, file, &format!("/controls/{i}/actions/{}", at[1])))
                .label("listed again here")
                .related(
                    file,
                    span(report, file, &format!("/controls/{i}/actions/{}", at[0])),
                    "first listed here",
                )
                .hint(if at.len() > 2 { "keep one of them" } else { "remove one of them" }),
            );
        }
    }
    for (id, at) in controls.iter().filter(|(_, at)| at.len() > 1) {
        out.push(
            Diagnostic::new(Code::DuplicateId, format!("control `{id}` is defined {}", times(at.len())))
                .at(file, span(report, file, &format!("/controls/{}/id", at[1])))
                .label("defined again here")
                .related(file, span(report, file, &format!("/controls/{}/id", at[0])), "first defined here"),
        );
    }
}

/// `twice`, `3 times`.
fn times(n: usize) -> String {
    if n == 2 { "twice".to_owned() } else { format!("{n} times") }
}

/// True when a file was read (it may have failed to parse: no second error then).
fn report_has_file(report: &Report, path: &str) -> bool {
    report.sources.get(path).is_some()
}

fn unused_actions(ws: &Workspace, report: &Report, out: &mut Vec<Diagnostic>) {
    let used: BTreeSet<&str> = ws
        .templates
        .values()
        .flat_map(|t| t.controls.iter().flat_map(|c| c.actions.iter().map(|a| a.as_str())))
        .collect();
    for id in ws.actions.keys() {
        if !used.contains(id.as_str()) {
            let file = action_path(id.as_str());
            out.push(
                Diagnostic::new(Code::UnusedAction, format!("action `{id}` is not listed by any template"))
                    .at(&file, span(report, &file, "/id"))
                    .hint("list it in a control's `actions`, or remove the file"),
            );
        }
    }
}

fn assessment_refs(
    ws: &Workspace,
    report: &Report,
    id: &str,
    entry: &AssessmentEntry,
    out: &mut Vec<Diagnostic>,
) {
    let file = assessment_path(id);
    let a = &entry.assessment;
    let template = ws.templates.get(&a.template);
    match template {
        None if !report_has_file(report, &template_path(a.template.as_str())) => out.push(
            Diagnostic::new(Code::UnknownTemplate, format!("unknown template `{}`", a.template))
                .at(&file, span(report, &file, "/template"))
                .label(format!("no file `{}`", template_path(a.template.as_str())))
                .maybe_hint(did_you_mean(a.template.as_str(), ws.templates.keys().map(|k| k.as_str()))),
        ),
        None => {}
        Some(t) if a.template_version > t.version => out.push(
            Diagnostic::new(
                Code::TemplateVersionAhead,
                format!(
                    "template `{}` has no version {} (its version is {})",
                    t.id, a.template_version, t.version
                ),
            )
            .at(&file, span(report, &file, "/template_version"))
            .hint(format!("set `template_version = {}`", t.version)),
        ),
        Some(t) if a.template_version < t.version => out.push(
            Diagnostic::new(
                Code::PendingTemplateUpdate,
                format!(
                    "template `{}` is at version {}; this assessment accepted version {}",
                    t.id, t.version, a.template_version
                ),
            )
            .at(&file, span(report, &file, "/template_version"))
            .hint("review the template's changes, then accept them by raising `template_version`"),
        ),
        Some(_) => {}
    }
    for (action, state) in &entry.states {
        let state_file = state_path(id, action.as_str());
        // With a template update pending, the state may belong to an action of
        // the accepted version (E0306 already says the update is pending).
        let pending_template = template.is_some_and(|t| a.template_version < t.version);
        if let Some(t) = template
            && !t.lists_action(action.as_str())
            && !pending_template
        {
            let listed: Vec<&str> = t.action_ids().into_iter().map(|a| a.as_str()).collect();
            out.push(
                Diagnostic::new(
                    Code::ActionNotInTemplate,
                    format!("template `{}` does not list action `{action}`", t.id),
                )
                .in_file(&state_file)
                .span(Some(0..0))
                .maybe_hint(
                    did_you_mean(action.as_str(), listed.iter().copied())
                        .map(|s| format!("{s} (rename the file)"))
                        .or_else(|| Some("remove the file, or list the action in the template".to_owned())),
                ),
            );
            continue;
        }
        state_refs(ws, report, (&state_file, id), action.as_str(), state, out);
    }
}

fn state_refs(
    ws: &Workspace,
    report: &Report,
    (file, assessment): (&str, &str),
    action: &str,
    state: &ActionState,
    out: &mut Vec<Diagnostic>,
) {
    if let (Some(owner), Some(people)) = (&state.owner, &ws.config.people)
        && !people.contains_key(owner)
    {
        out.push(
            Diagnostic::new(Code::UnknownPerson, format!("owner `{owner}` is not listed in `[people]`"))
                .at(file, span(report, file, "/owner"))
                .maybe_hint(did_you_mean(owner, people.keys().map(String::as_str)).or_else(|| {
                    Some(format!("add `\"{owner}\" = \"Name\"` to `[people]` in `{CONFIG_FILE}`"))
                })),
        );
    }
    if let (Some(accepted), Some(def)) = (state.accepted_version, ws.actions.get(action)) {
        if accepted > def.version {
            out.push(
                Diagnostic::new(
                    Code::AcceptedVersionAhead,
                    format!("action `{action}` has no version {accepted} (its version is {})", def.version),
                )
                .at(file, span(report, file, "/accepted_version"))
                .hint(format!("set `accepted_version = {}`", def.version)),
            );
        } else if accepted < def.version {
            out.push(
                Diagnostic::new(
                    Code::PendingActionUpdate,
                    format!(
                        "action `{action}` is at version {}; this assessment accepted version {accepted}",
                        def.version
                    ),
                )
                .at(file, span(report, file, "/accepted_version"))
                .hint(format!(
                    "`evident updates` shows what changed; accept it with `evident accept {action} -a {assessment}`"
                )),
            );
        }
    }
    let mut names: Vec<(&str, Vec<usize>)> = Vec::new();
    let mut name_index: HashMap<&str, usize> = HashMap::new();
    for (i, ev) in state.evidence.iter().enumerate() {
        let at = *name_index.entry(ev.name.as_str()).or_insert_with(|| {
            names.push((ev.name.as_str(), Vec::new()));
            names.len() - 1
        });
        names[at].1.push(i);
    }
    for (name, at) in names.iter().filter(|(_, at)| at.len() > 1) {
        out.push(
            Diagnostic::new(Code::DuplicateId, format!("evidence `{name}` is listed {}", times(at.len())))
                .at(file, span(report, file, &format!("/evidence/{}/name", at[1])))
                .related(file, span(report, file, &format!("/evidence/{}/name", at[0])), "first listed here")
                .hint("give each evidence item its own name"),
        );
    }
}
