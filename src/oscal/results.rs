//! Assessments → OSCAL 1.1.2 assessment results (JSON).
//!
//! One `result` per assessment; one `observation` per action of its template
//! (the implementation and test status, notes and evidence, who last set the
//! test status and when, from git history); one `finding` per control in
//! scope, satisfied when every in-scope action of the control earns its
//! points (implemented or alternative, and passed). Controls whose actions
//! are all out of scope are excluded from `reviewed-controls`.
//!
//! Output is deterministic: UUIDs are version 5, named from the repository's
//! first commit and stable names (`result/<assessment>`, ...), dates come
//! from commits (never the clock), and keys keep the order written here.

use std::collections::BTreeMap;

use serde_json::{Value, json};
use uuid::Uuid;

use crate::history::timeline::{CommitInfo, Timeline};
use crate::model::{Action, ActionState, AssessmentEntry, Template, Testing, Workspace};
use crate::score::{earns, in_scope};

/// The OSCAL version of the output (and of the vendored schema).
pub(crate) const OSCAL_VERSION: &str = "1.1.2";

/// Namespace of evident's own properties (`props[].ns`): the action id and its statuses.
pub(crate) const NS: &str = "urn:evident:oscal";

/// What the export reads besides the working tree.
pub(crate) struct History<'a> {
    pub timeline: &'a Timeline,
}

/// Stable UUIDs: version 5 in a namespace of the repository (its first commit).
struct Ids {
    namespace: Uuid,
}

impl Ids {
    fn new(root_commit: &str) -> Self {
        let base = Uuid::new_v5(&Uuid::NAMESPACE_URL, NS.as_bytes());
        Ids { namespace: Uuid::new_v5(&base, root_commit.as_bytes()) }
    }

    fn of(&self, name: &str) -> String {
        Uuid::new_v5(&self.namespace, name.as_bytes()).to_string()
    }
}

/// OSCAL date-time (with time zone): commit times in UTC.
pub(crate) fn datetime(seconds: i64) -> String {
    jiff::Timestamp::from_second(seconds)
        .map(|t| t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_else(|_| "1970-01-01T00:00:00Z".to_owned())
}

/// OSCAL tokens (NCName): control ids like `164.308(a)(1)` need a safe form.
pub(crate) fn token(s: &str) -> String {
    let mut out: String = s
        .chars()
        .map(|c| if c.is_alphanumeric() || matches!(c, '.' | '-' | '_') { c } else { '_' })
        .collect();
    if !out.chars().next().is_some_and(|c| c.is_alphabetic() || c == '_') {
        out.insert(0, '_');
    }
    out
}

/// A repository path as a URI reference (percent-encoding what URIs do not allow).
fn uri_path(path: &str) -> String {
    let mut out = String::new();
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/!$&'()*+,;=:@".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A URL as a URI reference: bytes URIs do not allow (non-ASCII, spaces,
/// `<>"{}|\^` and backquote) are percent-encoded; existing `%XX` escapes
/// and the URI's own delimiters stay.
fn uri_url(url: &str) -> String {
    let mut out = String::new();
    for b in url.trim().bytes() {
        if b.is_ascii_alphanumeric() || b"-._~:/?#[]@!$&'()*+,;=%".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Who last set an action's test status in an assessment, and in which commit.
fn last_test_change<'t>(timeline: &'t Timeline, assessment: &str, action: &str) -> Option<&'t CommitInfo> {
    timeline
        .events
        .iter()
        .rev()
        .find(|e| e.assessment == assessment && e.action == action && e.test_changed())
        .and_then(|e| timeline.commits.get(e.commit))
}

/// The assessment results document for the given assessments (ids sorted).
/// Built with `json!` rather than an output type: OSCAL is NIST's format,
/// with NIST's schema, so `schemas/output/` has no schema of its own for it.
pub(crate) fn document(ws: &Workspace, assessments: &[&AssessmentEntry], history: &History) -> Value {
    let tl = history.timeline;
    let root = tl.commits.first().map_or("", |c| c.id.as_str());
    let head = tl.commits.last();
    let head_time = head.map_or(0, |c| c.time);
    let ids = Ids::new(root);
    let names: Vec<&str> = assessments.iter().map(|a| a.assessment.id.as_str()).collect();
    let mut parties: BTreeMap<String, Value> = BTreeMap::new();
    let results: Vec<Value> =
        assessments.iter().map(|entry| result(ws, entry, tl, head_time, &ids, &mut parties)).collect();
    let title = match assessments {
        [one] => format!("Assessment results: {}", one.assessment.name),
        _ => format!("Assessment results: {}", names.join(", ")),
    };
    let mut metadata = json!({
        "title": title,
        "last-modified": datetime(head_time),
        "version": head.map_or("uncommitted".to_owned(), |c| c.id.clone()),
        "oscal-version": OSCAL_VERSION,
    });
    if !parties.is_empty() {
        metadata["roles"] = json!([{"id": "assessor", "title": "Assessor", "description": "Set test statuses (commit author in git history)."}]);
        metadata["parties"] = Value::Array(parties.values().cloned().collect());
    }
    let first = assessments.first().map_or(String::new(), |a| a.assessment.id.to_string());
    json!({
        "assessment-results": {
            "uuid": ids.of(&format!("assessment-results/{}", names.join(","))),
            "metadata": metadata,
            "import-ap": {
                "href": uri_path(&crate::repo::layout::assessment_path(&first)),
                "remarks": "There is no OSCAL assessment plan: this points to the evident assessment definition.",
            },
            "results": results,
        }
    })
}

fn result(
    ws: &Workspace,
    entry: &AssessmentEntry,
    tl: &Timeline,
    head_time: i64,
    ids: &Ids,
    parties: &mut BTreeMap<String, Value>,
) -> Value {
    let a = &entry.assessment;
    let id = a.id.as_str();
    let template = ws.template_of(a);
    // The assessment's history: from its first to its last recorded change.
    let touched: Vec<i64> = tl
        .events
        .iter()
        .filter(|e| e.assessment == id)
        .filter_map(|e| tl.commits.get(e.commit).map(|c| c.time))
        .collect();
    let start = touched.iter().min().copied().unwrap_or(head_time);
    let end = touched.iter().max().copied().unwrap_or(head_time);
    let mut observations = Vec::new();
    let mut findings = Vec::new();
    let mut included = Vec::new();
    let mut excluded = Vec::new();
    let mut observed: BTreeMap<&str, String> = BTreeMap::new();
    let empty = Template {
        id: a.template.clone(),
        name: String::new(),
        regulation: String::new(),
        version: 0,
        description: None,
        source: None,
        urn: None,
        controls: Vec::new(),
    };
    let template = template.unwrap_or(&empty);
    for action_id in template.action_ids() {
        let Some(action) = ws.actions.get(action_id) else { continue };
        let state = entry.states.get(action_id).cloned().unwrap_or_default();
        let uuid = ids.of(&format!("observation/{id}/{action_id}"));
        observations.push(observation(
            &uuid,
            action,
            &state,
            last_test_change(tl, id, action_id.as_str()),
            head_time,
            parties,
            ids,
        ));
        observed.insert(action_id.as_str(), uuid);
    }
    for control in &template.controls {
        let states: Vec<(&str, ActionState)> = control
            .actions
            .iter()
            .filter(|a| ws.actions.contains_key(*a))
            .map(|a| (a.as_str(), entry.states.get(a).cloned().unwrap_or_default()))
            .collect();
        let scoped: Vec<&(&str, ActionState)> = states.iter().filter(|(_, s)| in_scope(s)).collect();
        let target = token(control.id.as_str());
        if scoped.is_empty() && !states.is_empty() {
            excluded.push(json!({"control-id": target}));
            continue;
        }
        included.push(json!({"control-id": target}));
        let satisfied = !scoped.is_empty() && scoped.iter().all(|(_, s)| earns(s));
        let failed: Vec<&str> =
            scoped.iter().filter(|(_, s)| s.test.status.is_failed()).map(|(a, _)| *a).collect();
        let (state, reason, why) = if satisfied {
            ("satisfied", "pass", "every action in scope is implemented and passed its test".to_owned())
        } else if !failed.is_empty() {
            ("not-satisfied", "fail", format!("failed tests: {}", failed.join(", ")))
        } else {
            let open: Vec<&str> = scoped.iter().filter(|(_, s)| !earns(s)).map(|(a, _)| *a).collect();
            ("not-satisfied", "other", format!("not yet implemented and passed: {}", open.join(", ")))
        };
        let lines: Vec<String> = states
            .iter()
            .map(|(a, s)| {
                format!("- `{a}`: implementation {}, test {}", s.implementation.status, s.test.status)
            })
            .collect();
        let related: Vec<Value> = control
            .actions
            .iter()
            .filter_map(|a| observed.get(a.as_str()))
            .map(|u| json!({"observation-uuid": u}))
            .collect();
        let mut finding = json!({
            "uuid": ids.of(&format!("finding/{id}/{}", control.id)),
            "title": format!("{} {}", control.id, control.title),
            "description": format!("Control `{}` of template `{}` version {}:\n\n{}", control.id, template.id, a.template_version, lines.join("\n")),
            "target": {
                "type": "objective-id",
                "target-id": target,
                "description": why,
                "status": {"state": state, "reason": reason},
            },
        });
        if !related.is_empty() {
            finding["related-observations"] = Value::Array(related);
        }
        findings.push(finding);
    }
    let mut selection = json!({});
    if included.is_empty() {
        selection["include-all"] = json!({});
    } else {
        selection["include-controls"] = Value::Array(included);
    }
    if !excluded.is_empty() {
        selection["exclude-controls"] = Value::Array(excluded);
    }
    let description = a.description.clone().unwrap_or_else(|| {
        format!(
            "Assessment `{id}` against template `{}` version {}{}.",
            a.template,
            a.template_version,
            a.group.as_ref().map(|g| format!(" in group `{g}`")).unwrap_or_default()
        )
    });
    let mut result = json!({
        "uuid": ids.of(&format!("result/{id}")),
        "title": a.name,
        "description": description,
        "start": datetime(start),
        "end": datetime(end.max(start)),
        "reviewed-controls": {"control-selections": [selection]},
    });
    if !observations.is_empty() {
        result["observations"] = Value::Array(observations);
    }
    if !findings.is_empty() {
        result["findings"] = Value::Array(findings);
    }
    result
}

fn observation(
    uuid: &str,
    action: &Action,
    state: &ActionState,
    tested: Option<&CommitInfo>,
    head_time: i64,
    parties: &mut BTreeMap<String, Value>,
    ids: &Ids,
) -> Value {
    let imp = &state.implementation;
    let test = &state.test;
    let dated = |status: &str, date: &Option<crate::model::Date>| match date {
        Some(d) => format!("{status} ({d})"),
        None => status.to_owned(),
    };
    let mut description = format!(
        "Implementation: {}. Test: {}.",
        dated(imp.status.as_str(), &imp.date),
        dated(test.status.as_str(), &test.date)
    );
    if let Some(owner) = &state.owner {
        description.push_str(&format!(" Owner: {owner}."));
    }
    for (what, notes) in [("Implementation notes", &imp.notes), ("Test notes", &test.notes)] {
        if let Some(n) = notes.as_deref().filter(|n| !n.trim().is_empty()) {
            description.push_str(&format!("\n\n{what}: {}", n.trim()));
        }
    }
    let method = if action.testing == Testing::Automatic { "TEST" } else { "EXAMINE" };
    let kind = if test.status.is_failed() { "finding" } else { "control-objective" };
    let prop = |name: &str, value: &str| json!({"name": name, "ns": NS, "value": value});
    let mut obs = json!({
        "uuid": uuid,
        "title": action.title,
        "description": description,
        "props": [
            prop("action-id", action.id.as_str()),
            prop("implementation-status", imp.status.as_str()),
            prop("test-status", test.status.as_str()),
        ],
        "methods": [method],
        "types": [kind],
    });
    if let Some(commit) = tested {
        let party = ids.of(&format!("party/{}", commit.author_email.to_lowercase()));
        parties.entry(party.clone()).or_insert_with(|| {
            // OSCAL strings are non-empty and trimmed; git allows an empty author name.
            let name = match commit.author_name.trim() {
                "" => commit.author_email.trim(),
                n => n,
            };
            let mut p = json!({"uuid": party, "type": "person", "name": if name.is_empty() { "unknown" } else { name }});
            if commit.author_email.contains('@') && !commit.author_email.contains(char::is_whitespace) {
                p["email-addresses"] = json!([commit.author_email]);
            }
            p
        });
        obs["origins"] = json!([{"actors": [{"type": "party", "actor-uuid": party, "role-id": "assessor"}]}]);
    }
    let evidence: Vec<Value> = state
        .evidence
        .iter()
        .map(|e| {
            let mut item = json!({});
            if let Some(url) = &e.url {
                item["href"] = json!(uri_url(url));
            } else if let Some(path) = &e.path {
                // Only a path validation accepts is exported (normalised);
                // `.git/` and paths that leave the repository never are.
                if let Ok(path) = crate::checks::evidence::normalize(path) {
                    item["href"] = json!(uri_path(&path));
                }
            }
            item["description"] = json!(e.name);
            if let Some(sha) = &e.sha256 {
                item["remarks"] = json!(format!("sha256 {sha}"));
            }
            item
        })
        .collect();
    if !evidence.is_empty() {
        obs["relevant-evidence"] = Value::Array(evidence);
    }
    obs["collected"] = json!(datetime(tested.map_or(head_time, |c| c.time)));
    if let Some(commit) = tested {
        obs["remarks"] = json!(format!(
            "Test status last set in commit {} by {} <{}>: {}",
            commit.short(),
            commit.author_name,
            commit.author_email,
            commit.summary
        ));
    }
    obs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_become_uri_references() {
        assert_eq!(uri_url("https://wiki.example.com/Über"), "https://wiki.example.com/%C3%9Cber");
        assert_eq!(uri_url("https://ex.com/?a=1&b=<2>"), "https://ex.com/?a=1&b=%3C2%3E");
        assert_eq!(uri_url("https://ex.com/a%20b#frag"), "https://ex.com/a%20b#frag");
    }

    #[test]
    fn tokens_and_uris() {
        assert_eq!(token("ac-2.1"), "ac-2.1");
        assert_eq!(token("164.308(a)(1)"), "_164.308_a__1_");
        assert_eq!(token("Art. 32"), "Art._32");
        assert_eq!(uri_path("evidence/CA policy.pdf"), "evidence/CA%20policy.pdf");
        assert_eq!(datetime(0), "1970-01-01T00:00:00Z");
    }

    #[test]
    fn uuids_are_stable_v5() {
        let a = Ids::new("abc").of("result/x");
        assert_eq!(a, Ids::new("abc").of("result/x"));
        assert_ne!(a, Ids::new("abd").of("result/x"));
        assert_eq!(a.as_bytes()[14], b'5');
    }
}
