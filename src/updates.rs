//! Pending updates: an action definition (`version`) or a template that moved
//! past what an assessment accepted (`accepted_version` in the state file,
//! `template_version` in assessment.toml). Until the assessment accepts the
//! update, it is scored on the definition it accepted, read from git history.

use std::collections::{BTreeMap, HashMap};

use git2::Oid;
use serde::Serialize;

use crate::diag::{Code, Diagnostic};
use crate::history::GitRepo;
use crate::model::{Action, ActionId, AssessmentId, Deferred, Template, Workspace};
use crate::repo::layout::{action_path, template_path};

/// One definition an assessment has not accepted yet.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, schemars::JsonSchema)]
pub struct Pending {
    pub assessment: AssessmentId,
    pub kind: PendingKind,
    /// The action or template id.
    pub id: String,
    pub accepted: u32,
    pub current: u32,
}

/// What kind of definition is pending.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum PendingKind {
    Action,
    Template,
}

impl PendingKind {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            PendingKind::Action => "action",
            PendingKind::Template => "template",
        }
    }
}

impl std::fmt::Display for PendingKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Every pending update, by assessment, templates before actions.
pub fn pending(ws: &Workspace) -> Vec<Pending> {
    let mut out = Vec::new();
    for (id, entry) in &ws.assessments {
        let a = &entry.assessment;
        if let Some(t) = ws.templates.get(&a.template)
            && a.template_version < t.version
        {
            out.push(Pending {
                assessment: id.clone(),
                kind: PendingKind::Template,
                id: t.id.as_str().to_owned(),
                accepted: a.template_version,
                current: t.version,
            });
        }
        for (action_id, state) in &entry.states {
            if let (Some(accepted), Some(def)) = (state.accepted_version, ws.actions.get(action_id))
                && accepted < def.version
            {
                out.push(Pending {
                    assessment: id.clone(),
                    kind: PendingKind::Action,
                    id: action_id.as_str().to_owned(),
                    accepted,
                    current: def.version,
                });
            }
        }
    }
    out
}

/// The accepted definitions of the pending updates, from the history of
/// `start` (merged branches included): for each, the newest committed version
/// of the file with the accepted `version`. Updates whose accepted version is
/// not in the history are returned as warnings; they are scored on the
/// current definition.
pub(crate) fn resolve(
    git: &GitRepo,
    start: Option<Oid>,
    pending: &[Pending],
) -> (BTreeMap<AssessmentId, Deferred>, Vec<Diagnostic>) {
    let mut wanted: BTreeMap<String, Vec<&Pending>> = BTreeMap::new();
    for p in pending {
        let path = if p.kind == PendingKind::Template { template_path(&p.id) } else { action_path(&p.id) };
        wanted.entry(path).or_default().push(p);
    }
    let mut found: HashMap<(String, u32), Found> = HashMap::new();
    if let Some(start) = start {
        search(git, start, &wanted, &mut found);
    }
    let mut deferred: BTreeMap<AssessmentId, Deferred> = BTreeMap::new();
    let mut warnings = Vec::new();
    for (path, list) in &wanted {
        for p in list {
            match found.get(&(path.clone(), p.accepted)) {
                Some(Found::Template(t)) => deferred.entry(p.assessment.clone()).or_default().template = Some(t.clone()),
                Some(Found::Action(a)) => {
                    deferred.entry(p.assessment.clone()).or_default().actions.insert(ActionId::new(p.id.clone()), a.clone());
                }
                None => warnings.push(
                    Diagnostic::new(
                        Code::AcceptedVersionUnavailable,
                        format!(
                            "{} `{}` version {} (accepted by `{}`) is not in the git history; `{}` is scored on version {}",
                            p.kind, p.id, p.accepted, p.assessment, p.assessment, p.current
                        ),
                    ),
                ),
            }
        }
    }
    (deferred, warnings)
}

#[derive(Clone, Debug)]
enum Found {
    Template(Template),
    Action(Action),
}

/// Walks the history of `head` (every parent, newest commit first), parsing
/// each wanted file whenever its blob changes, until every wanted version is
/// found. A version accepted on a merged branch is found there.
fn search(
    git: &GitRepo,
    head: Oid,
    wanted: &BTreeMap<String, Vec<&Pending>>,
    found: &mut HashMap<(String, u32), Found>,
) {
    let Ok(mut walk) = git.repo.revwalk() else { return };
    let _ = walk.set_sorting(git2::Sort::TIME);
    if walk.push(head).is_err() {
        return;
    }
    let mut missing: usize = wanted
        .values()
        .map(|l| l.iter().map(|p| p.accepted).collect::<std::collections::BTreeSet<_>>().len())
        .sum();
    let mut last_blob: HashMap<&str, Oid> = HashMap::new();
    for id in walk.flatten() {
        if missing == 0 {
            break;
        }
        let Ok(Some(tree)) = git.tree_of(id) else { continue };
        for (path, list) in wanted {
            let Some(blob) = git.blob_at(&tree, path) else { continue };
            if last_blob.insert(path, blob) == Some(blob) {
                continue;
            }
            let Ok(bytes) = git.blob(blob) else { continue };
            let Some(def) = parse(&bytes, list[0].kind) else { continue };
            let version = match &def {
                Found::Template(t) => t.version,
                Found::Action(a) => a.version,
            };
            let key = (path.clone(), version);
            if list.iter().any(|p| p.accepted == version) && !found.contains_key(&key) {
                found.insert(key, def);
                missing -= 1;
            }
        }
    }
}

fn parse(bytes: &[u8], kind: PendingKind) -> Option<Found> {
    let text = std::str::from_utf8(bytes).ok()?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if kind == PendingKind::Template {
        toml::from_str(text).ok().map(Found::Template)
    } else {
        toml::from_str(text).ok().map(Found::Action)
    }
}

/// Fills `ws.deferred` from git history when updates are pending, so that
/// scores use the accepted definitions. Returns warnings for the user.
pub(crate) fn apply_deferred(ws: &mut Workspace, root: &std::path::Path) -> Vec<Diagnostic> {
    let pending = pending(ws);
    if pending.is_empty() {
        return Vec::new();
    }
    let Ok(git) = GitRepo::open(root) else {
        return vec![Diagnostic::new(
            Code::AcceptedVersionUnavailable,
            format!(
                "{} pending update(s) are scored on the current definitions: the repository is not in git, so the accepted versions cannot be read",
                pending.len()
            ),
        )];
    };
    let head = git.committed_head().ok();
    defer(ws, &git, head, &pending)
}

/// Like [`apply_deferred`] for a workspace as of `commit` (a snapshot of
/// history, or the working tree on top of HEAD).
pub(crate) fn apply_deferred_at(ws: &mut Workspace, git: &GitRepo, commit: Option<Oid>) -> Vec<Diagnostic> {
    let pending = pending(ws);
    if pending.is_empty() {
        return Vec::new();
    }
    defer(ws, git, commit, &pending)
}

fn defer(ws: &mut Workspace, git: &GitRepo, commit: Option<Oid>, pending: &[Pending]) -> Vec<Diagnostic> {
    let (deferred, warnings) = resolve(git, commit, pending);
    ws.deferred = deferred;
    warnings
}

/// A pending update with what it changes and what accepting it would do.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub(crate) struct Update {
    #[serde(flatten)]
    pub pending: Pending,
    /// The assessments `evident accept` touches when it is accepted here: for a
    /// technical action, every assessment with the same update; for a
    /// documentation or operational action and for a template, the
    /// assessment's group (or the assessment alone).
    pub accepted_with: Vec<AssessmentId>,
    /// Why `accepted_with` is what it is.
    pub scope: AcceptScope,
    /// The definition as accepted, when the history has it.
    pub found_in_history: bool,
    pub action_changes: Option<crate::diff::ActionDiff>,
    pub template_changes: Option<crate::diff::TemplateDiff>,
    /// The assessment's score now (on the accepted definition) and once accepted.
    pub score_now: crate::score::Score,
    pub score_accepted: crate::score::Score,
    pub overall_now: crate::score::Score,
    pub overall_accepted: crate::score::Score,
}

/// Every pending update of `ws` (whose `deferred` is filled) with its
/// definition diff and score effect, optionally for one assessment.
pub(crate) fn updates(ws: &Workspace, only: Option<&str>) -> Vec<Update> {
    let all = pending(ws);
    let now = crate::score::compute(ws);
    let table = ws.config.points_table();
    let mut out = Vec::new();
    for p in all.iter().filter(|p| only.is_none_or(|a| p.assessment.as_str() == a)) {
        let (together, scope) = accept_scope(ws, &all, p.kind, &p.id, &p.assessment);
        let mut accepted = ws.clone();
        for a in &together {
            if let Some(d) = accepted.deferred.get_mut(a) {
                if p.kind == PendingKind::Template {
                    d.template = None;
                } else {
                    d.actions.remove(p.id.as_str());
                }
            }
        }
        let after = crate::score::compute(&accepted);
        let deferred = ws.deferred.get(&p.assessment);
        let (action_changes, template_changes, found) = if p.kind == PendingKind::Template {
            let old = deferred.and_then(|d| d.template.as_ref());
            let current = ws.templates.get(p.id.as_str());
            let diff = old.and_then(|o| crate::diff::template_diff(&o.id, Some(o), current));
            (None, diff, old.is_some())
        } else {
            let old = deferred.and_then(|d| d.actions.get(p.id.as_str()));
            let current = ws.actions.get(p.id.as_str());
            let id = ActionId::new(p.id.clone());
            let diff = old.and_then(|o| crate::diff::action_diff(&id, Some(o), current, (table, table)));
            (diff, None, old.is_some())
        };
        let score_of = |s: &crate::score::Scores| {
            s.assessments.iter().find(|a| a.id == p.assessment.as_str()).map(|a| a.score).unwrap_or_default()
        };
        out.push(Update {
            pending: p.clone(),
            accepted_with: together,
            scope,
            found_in_history: found,
            action_changes,
            template_changes,
            score_now: score_of(&now),
            score_accepted: score_of(&after),
            overall_now: now.overall,
            overall_accepted: after.overall,
        });
    }
    out
}

/// How far accepting an update reaches from the assessment it is accepted in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum AcceptScope {
    /// A technical action: every assessment where the same update is pending.
    Everywhere,
    /// A documentation or operational action, or a template: the assessment's group.
    Group,
    /// As `group`, for an assessment in no group: the assessment alone.
    Assessment,
}

impl AcceptScope {
    /// Why these assessments, in words.
    pub(crate) fn reason(self) -> &'static str {
        match self {
            AcceptScope::Everywhere => "a technical action: every assessment that lists it",
            AcceptScope::Group => "same group",
            AcceptScope::Assessment => "this assessment only",
        }
    }
}

/// The assessments that accept the update of `(kind, id)` when it is accepted
/// in `from`: for a technical action, every assessment where it is pending;
/// for a documentation or operational action and for a template, `from` and
/// the assessments of its group where it is pending (`from` alone outside a
/// group). An update is accepted in `from` only when it is pending there:
/// otherwise nothing is (a technical update is not accepted everywhere
/// because some unrelated assessment was named). The action's type is that of
/// its current definition, the one being accepted.
pub(crate) fn accept_scope(
    ws: &Workspace,
    all: &[Pending],
    kind: PendingKind,
    id: &str,
    from: &AssessmentId,
) -> (Vec<AssessmentId>, AcceptScope) {
    let technical = kind == PendingKind::Action
        && ws.actions.get(id).is_some_and(|a| a.action_type == crate::model::ActionType::Technical);
    let group_of = |a: &AssessmentId| ws.assessments.get(a).and_then(|e| e.assessment.group.as_ref());
    let group = group_of(from);
    let scope = match (technical, group) {
        (true, _) => AcceptScope::Everywhere,
        (false, Some(_)) => AcceptScope::Group,
        (false, None) => AcceptScope::Assessment,
    };
    if !all.iter().any(|q| q.kind == kind && q.id == id && q.assessment == *from) {
        return (Vec::new(), scope);
    }
    let mut out: Vec<AssessmentId> = all
        .iter()
        .filter(|q| q.kind == kind && q.id == id)
        .filter(|q| match scope {
            AcceptScope::Everywhere => true,
            AcceptScope::Group => q.assessment == *from || group_of(&q.assessment) == group,
            AcceptScope::Assessment => q.assessment == *from,
        })
        .map(|q| q.assessment.clone())
        .collect();
    out.sort();
    out.dedup();
    (out, scope)
}
