//! History rules (docs/design/rules.md), over the commits of a range or the whole history: evidence
//! is frozen once a test verdict is reached, only assessors set verdicts,
//! only admins change the settings that decide the rules, and action
//! definitions do not change without a version bump. Each commit is judged by
//! the configuration in force at its parent, never by what it changes itself.
//! The score gate is in [`super::gate`].

use std::collections::{BTreeMap, HashMap, HashSet};

use std::sync::Arc;

use git2::Oid;

use super::automation_history::{
    AutomationIndex, automatic_before, automation_changes, forged, replaceable_output,
    replaceable_output_file,
};
use super::remedy;
use super::trust::{Needs, Signatures};
use crate::diag::{Code, CommitRef, Diagnostic, Report};
use crate::history::GitRepo;
use crate::history::events::{BlobCache, CommitChanges, StateChange};
use crate::load::span_of;
use crate::model::SignedChange;
use crate::model::{ActionId, ActionState, AssessmentId, Config, Evidence, TestStatus, VerdictChange};
use crate::repo::layout::{self, Entry};
use crate::score::Score;

/// Where the configuration that judges the first commits of a walk comes from.
pub enum Roles<'a> {
    /// `check --base`: the base's configuration judges the first commit of
    /// the range (and any commit whose parent is outside the range).
    Fixed(&'a Config),
    /// `audit`: the configuration at each commit's parent; a root commit is
    /// judged by its own.
    AtParent,
}

/// A test verdict that an assessor recorded (the author held the role in the
/// configuration that judged the commit).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct RecordedVerdict {
    pub commit: Oid,
    pub author: String,
    pub assessment: AssessmentId,
    pub action: ActionId,
    pub before: TestStatus,
    pub after: TestStatus,
}

/// The history rules, fed one commit at a time so that long histories are
/// checked without holding every commit's changes in memory.
///
/// Each commit is judged by the configuration in force at its first parent:
/// the parent's `evident.toml`, except that a change to it that its author
/// was not allowed to make (E0704, E0705), a deleted or broken
/// `evident.toml`, is not applied: the last configuration that loaded and was
/// changed by someone allowed to stays in force. Rule levels (`[rules]`)
/// come from the same configuration, commit by commit.
pub struct HistoryRules<'a> {
    roles: Roles<'a>,
    diagnostics: Vec<Diagnostic>,
    /// For each parent commit looked at: evidence path -> verdict states resting on it.
    evidence_index: HashMap<Oid, HashMap<String, Vec<(String, TestStatus)>>>,
    /// The configuration in force after each commit walked.
    in_force: HashMap<Oid, Arc<Config>>,
    /// State files that stopped parsing: the last version that parsed, so
    /// that restoring the file is compared with what it was.
    last_good: HashMap<String, Option<Arc<ActionState>>>,
    /// For each (assessment, action): the verdict an assessor recorded, when
    /// that is the last change of its test in the walk.
    recorded: BTreeMap<(AssessmentId, ActionId), Option<RecordedVerdict>>,
    /// Existing assessments put into a group (or moved to another) in the
    /// walk, with the tests the other members had then: copying one of those
    /// into the assessment is taking a verdict not made for it, not group
    /// synchronisation (a verdict recorded after the join may be synced).
    joined: HashMap<AssessmentId, HashSet<(ActionId, String)>>,
    /// Action definitions and the files automatic tests run, as of each commit.
    automation: AutomationIndex,
    /// Signed verdicts (`[trust]`).
    signatures: Signatures,
}

impl<'a> HistoryRules<'a> {
    pub fn new(roles: Roles<'a>) -> Self {
        HistoryRules {
            signatures: Signatures::new(matches!(roles, Roles::Fixed(_))),
            roles,
            diagnostics: Vec::new(),
            evidence_index: HashMap::new(),
            in_force: HashMap::new(),
            last_good: HashMap::new(),
            recorded: BTreeMap::new(),
            joined: HashMap::new(),
            automation: AutomationIndex::default(),
        }
    }

    /// The configuration that judges `c`.
    fn judging(&self, git: &GitRepo, c: &CommitChanges, cache: &mut BlobCache) -> Arc<Config> {
        if let Some(parent) = c.first_parent {
            if let Some(config) = self.in_force.get(&parent) {
                return config.clone();
            }
            return match &self.roles {
                Roles::Fixed(base) => Arc::new((*base).clone()),
                Roles::AtParent => c.config_before.clone().unwrap_or_default(),
            };
        }
        // A root commit: its own configuration.
        c.files
            .iter()
            .find(|f| f.change.path == layout::CONFIG_FILE)
            .and_then(|f| f.change.new)
            .and_then(|b| cache.config(git, b))
            .or_else(|| match &self.roles {
                Roles::Fixed(base) => Some(Arc::new((*base).clone())),
                Roles::AtParent => None,
            })
            .unwrap_or_default()
    }

    pub fn visit(&mut self, git: &GitRepo, c: &CommitChanges, cache: &mut BlobCache, report: &Report) {
        let config = self.judging(git, c, cache);
        let start = self.diagnostics.len();
        // The other parents of a merge (none for most commits).
        let merged: Vec<Oid> =
            git.commit(c.id).map(|commit| commit.parent_ids().skip(1).collect()).unwrap_or_default();
        let widened = super::merge::brought_in(git, c, &merged, cache);
        let c = widened.as_ref().unwrap_or(c);
        self.groups_joined(git, c, cache);
        let mut states: Vec<StateChange> = c.states.clone();
        for s in &mut states {
            // A file broken in an earlier commit is compared with its last good version.
            if s.old.is_none() && s.old_exists {
                if let Some(good) = self.last_good.get(&s.path) {
                    s.old = good.clone();
                }
            }
            if s.new.is_none() && s.new_exists {
                let good = s.old.clone();
                self.last_good.insert(s.path.clone(), good);
            } else {
                self.last_good.remove(&s.path);
            }
        }
        let (mut signed, mut automated) = (Vec::new(), Vec::new());
        for s in &states {
            if s.new_exists && s.new.is_none() {
                continue; // broken: judged when it parses again
            }
            let automatic = touches_test(s) && automatic_before(&mut self.automation, git, c, s, &config);
            let replaceable = |name: &str| replaceable_output(&config, c, automatic, name);
            frozen_evidence(c, s, report, &mut self.diagnostics, &replaceable);
            // An automatic action's result is the automation identity's to record, not an assessor's.
            let rule =
                if automatic { forged(c, s, &config, report) } else { assessor(c, s, &config, report) };
            let flagged = rule
                .filter(|_| self.predates_join(s) || !copied_within_group(git, c, s, cache))
                .map(|d| self.diagnostics.push(d))
                .is_some();
            self.record(c, s, &config, flagged, automatic);
            // A verdict needs its author's signature under `[trust]`: an assessor's, or for an
            // automatic result the automation identity's.
            let kind = if automatic { SignedChange::Automation } else { SignedChange::Verdicts };
            if !flagged
                && Signatures::wants(&config, kind)
                && let Some(what) = verdict_change(s)
                && (self.predates_join(s) || !copied_within_group(git, c, s, cache))
            {
                let need = Needs { file: s.path.clone(), span: span(report, &s.path, "/test/status"), what };
                if automatic { automated.push(need) } else { signed.push(need) }
            }
        }
        self.evidence_files(git, c, cache, report, &config);
        self.diagnostics.extend(super::definitions::changed_without_version(git, c, report));
        let changed = automation_changes(&mut self.automation, git, c, &config, report);
        self.diagnostics.extend(changed);
        let adopted = self.config_changes(git, c, &config, cache);
        // Uncommitted changes have no signature yet: it is checked once they are committed.
        let adopted = if c.uncommitted {
            adopted
        } else {
            self.signatures.visit(git, c, &config, signed, automated, adopted, &merged, cache)
        };
        // The rule levels of the configuration that judged the commit.
        let mut made = self.diagnostics.split_off(start);
        made.retain_mut(|d| d.apply_level(&config.rules));
        // The commit as data too, for JSON and SARIF (the message names it for people).
        let made_in = CommitRef { commit: c.id.to_string(), date: Some(c.author.date()) };
        for d in made.iter_mut().filter(|_| !c.uncommitted) {
            d.made_in.get_or_insert_with(|| made_in.clone());
        }
        self.diagnostics.extend(made);
        let after = match adopted {
            Some(new) => new,
            None if widened.is_some() => config,
            None => self.merged_config(git, c, &merged).unwrap_or(config),
        };
        self.in_force.insert(c.id, after);
    }

    /// Existing assessments whose group this commit set or changed, with the
    /// tests of the group's other members at this commit.
    fn groups_joined(&mut self, git: &GitRepo, c: &CommitChanges, cache: &mut BlobCache) {
        for f in &c.files {
            let (Some(old), Some(new)) = (f.change.old, f.change.new) else { continue };
            let Entry::Assessment(id) = layout::classify(&f.change.path) else { continue };
            let Some(group) = group_of(git, new).filter(|g| Some(g) != group_of(git, old).as_ref()) else {
                continue;
            };
            let Ok(Some(tree)) = git.tree_of(c.id) else { continue };
            let files = git.data_files(&tree);
            let members: HashSet<AssessmentId> = files
                .iter()
                .filter_map(|(_, entry, blob)| match entry {
                    Entry::Assessment(m) if *m != id && group_of(git, *blob).as_ref() == Some(&group) => {
                        Some(m.clone())
                    }
                    _ => None,
                })
                .collect();
            let tests = files
                .iter()
                .filter_map(|(_, entry, blob)| match entry {
                    Entry::State(m, action) if members.contains(m) => {
                        cache.state(git, *blob).map(|st| (action.clone(), test_key(&st)))
                    }
                    _ => None,
                })
                .collect();
            self.joined.insert(id, tests);
        }
    }

    /// Whether a new verdict in an assessment that joined a group in the walk
    /// is one its fellow members already had when it joined.
    fn predates_join(&self, s: &StateChange) -> bool {
        let (Some(before), Some(new)) = (self.joined.get(&s.assessment), &s.new) else { return false };
        before.contains(&(s.action.clone(), test_key(new)))
    }

    /// For a merge that did not change `evident.toml` itself: the configuration
    /// in force on the side whose `evident.toml` it kept.
    fn merged_config(&self, git: &GitRepo, c: &CommitChanges, merged: &[Oid]) -> Option<Arc<Config>> {
        if merged.is_empty() {
            return None;
        }
        let mine = git.tree_of(c.id).ok()??;
        let mine = git.blob_at(&mine, layout::CONFIG_FILE);
        let first = c.first_parent.and_then(|p| git.tree_of(p).ok().flatten());
        if first.is_some_and(|t| git.blob_at(&t, layout::CONFIG_FILE) == mine) {
            return None;
        }
        merged.iter().find_map(|p| {
            let theirs = git.tree_of(*p).ok()??;
            (git.blob_at(&theirs, layout::CONFIG_FILE) == mine).then(|| self.in_force.get(p).cloned())?
        })
    }

    /// Remembers who last changed each action's test, for the score gate.
    fn record(
        &mut self,
        c: &CommitChanges,
        s: &StateChange,
        config: &Config,
        flagged: bool,
        automatic: bool,
    ) {
        let old_test = s.old.as_ref().map(|o| o.test.clone()).unwrap_or_default();
        let new_test = s.new.as_ref().map(|n| n.test.clone()).unwrap_or_default();
        // The status is what scores: notes or a date edited later leave the verdict whose it was.
        if old_test.status == new_test.status && s.new.is_some() {
            return;
        }
        let key = (s.assessment.clone(), s.action.clone());
        let by_assessor = !flagged
            && s.new.is_some()
            && new_test.status.is_verdict()
            && s.renamed_from.is_none()
            && (config.is_assessor(&c.author.email) || (automatic && config.is_automation(&c.author.email)));
        let verdict = by_assessor.then(|| RecordedVerdict {
            commit: c.id,
            author: c.author.email.clone(),
            assessment: s.assessment.clone(),
            action: s.action.clone(),
            before: old_test.status,
            after: new_test.status,
        });
        // The status before the range, for a verdict recorded over another.
        let verdict = match (verdict, self.recorded.get(&key)) {
            (Some(mut v), Some(Some(prev))) => {
                v.before = prev.before;
                Some(v)
            }
            (v, _) => v,
        };
        self.recorded.insert(key, verdict);
    }

    /// The configuration in force after a commit walked.
    pub(crate) fn in_force(&self, commit: Oid) -> Option<Arc<Config>> {
        self.in_force.get(&commit).cloned()
    }

    /// The verdicts assessors recorded that are still the last word on their
    /// action's test (under `[trust]`, signed as required).
    pub(crate) fn recorded_verdicts(&mut self) -> Vec<RecordedVerdict> {
        let refused = self.signatures.refused();
        self.recorded.values().flatten().filter(|v| !refused.contains(&v.commit)).cloned().collect()
    }

    /// Changes to `evident.toml`: `[roles]` (E0704) and the other settings
    /// only admins may change (E0705). Returns the configuration to apply to
    /// the commits after this one, when the change may be applied.
    fn config_changes(
        &mut self,
        git: &GitRepo,
        c: &CommitChanges,
        authority: &Arc<Config>,
        cache: &mut BlobCache,
    ) -> Option<Arc<Config>> {
        let change = c.files.iter().find(|f| f.change.path == layout::CONFIG_FILE)?;
        // A root commit is judged by the configuration it brings.
        c.first_parent?;
        // Deleted: nothing in force; broken: unknown. Keep the last that loaded.
        let after = match change.change.new {
            Some(b) => Some(cache.config(git, b)?),
            None => None,
        };
        // Compared with the configuration in force, not the parent's file: a
        // setting that was not applied (a non-admin's earlier change still in
        // the file) is not adopted by a later, unrelated edit of the file.
        let before = authority.clone();
        let parent_file = c.config_before.clone();
        let default = Config::default();
        let after_ref: &Config = after.as_deref().unwrap_or(&default);
        if authority.roles.admins.is_empty() {
            // Nobody is named to change the settings, so anyone may; but within
            // a change under review the base's stay in force: a pull request
            // cannot relax the rules or grant the roles it is checked by.
            let settings_changed =
                before.roles != after_ref.roles || !admin_tables_changed(&before, after_ref).is_empty();
            return match self.roles {
                Roles::Fixed(_) if settings_changed => None,
                _ => after,
            };
        }
        if authority.roles.admins.iter().any(|a| a.eq_ignore_ascii_case(&c.author.email)) {
            return after;
        }
        if after.is_none() {
            self.diagnostics.push(
                not_an_admin(Code::AdminSettingsChanged, "`evident.toml` was deleted", c, authority)
                    .note("the commits after it are judged by the configuration before it")
                    .hint(remedy::hint(
                        c,
                        "restore `evident.toml`; only an admin may remove it",
                        "only an admin may remove `evident.toml`",
                    )),
            );
            return None;
        }
        // Differences the parent's file already had were reported where they were made.
        let new_here = |same: &dyn Fn(&Config) -> bool| parent_file.as_deref().is_none_or(|p| !same(p));
        let roles_changed = before.roles != after_ref.roles;
        if roles_changed && new_here(&|p| p.roles == after_ref.roles) {
            self.diagnostics
                .push(not_an_admin(Code::RolesChanged, "`[roles]` changed", c, authority).hint(remedy::hint(
                c,
                "leave `[roles]` as it is in HEAD and ask an admin to change who is an assessor or an admin",
                "ask an admin to change who is an assessor or an admin",
            )));
        }
        let tables = admin_tables_changed(&before, after_ref);
        let allowed = !roles_changed && tables.is_empty();
        let tables: Vec<&str> = match parent_file.as_deref() {
            Some(p) => {
                let here = admin_tables_changed(p, after_ref);
                tables.into_iter().filter(|t| here.contains(t)).collect()
            }
            None => tables,
        };
        if !tables.is_empty() {
            let names = tables.iter().map(|t| format!("`[{t}]`")).collect::<Vec<_>>().join(", ");
            self.diagnostics.push(
                not_an_admin(Code::AdminSettingsChanged, &format!("{names} changed"), c, authority)
                    .note("the commits after it are judged by the settings before it")
                    .hint(remedy::hint(
                        c,
                        "leave those tables as they are in HEAD and ask an admin to make this change",
                        "ask an admin to make this change",
                    )),
            );
        }
        if allowed { after } else { None }
    }

    /// Evidence files changed or deleted while a verdict rests on them.
    fn evidence_files(
        &mut self,
        git: &GitRepo,
        c: &CommitChanges,
        cache: &mut BlobCache,
        report: &Report,
        config: &Config,
    ) {
        for f in &c.files {
            let (Some(_), Some(parent)) = (f.change.old, c.first_parent) else { continue };
            // The output a new automatic result replaces.
            if replaceable_output_file(config, c, &f.change.path) {
                continue;
            }
            // Data files cannot be evidence (E0407), so their changes need no index.
            if layout::classify(&f.change.path).is_data() {
                continue;
            }
            let index =
                self.evidence_index.entry(parent).or_insert_with(|| verdict_evidence(git, parent, cache));
            for (state_path, status) in index.get(&f.change.path).into_iter().flatten() {
                let what = if f.change.new.is_some() { "changed" } else { "deleted" };
                self.diagnostics.push(
                    Diagnostic::new(
                        Code::EvidenceFrozen,
                        format!(
                            "evidence file `{}` was {what} in {} while the test status was `{status}`",
                            f.change.path,
                            describe(c)
                        ),
                    )
                    .at(state_path.clone(), span(report, state_path, "/test/status"))
                    .hint(remedy::hint(
                        c,
                        &format!("restore `{}` as it is in HEAD before committing", f.change.path),
                        &format!("keep `{}` as it was before", f.change.path),
                    )),
                );
            }
        }
    }

    /// Hands over the diagnostics; an error when commit signatures could not
    /// be verified (exit 2).
    pub fn finish(self, report: &mut Report) -> crate::error::Result<()> {
        report.diagnostics.extend(self.diagnostics);
        self.signatures.finish(&mut report.diagnostics)
    }
}

fn frozen_evidence(
    c: &CommitChanges,
    s: &StateChange,
    report: &Report,
    out: &mut Vec<Diagnostic>,
    replaceable: &dyn Fn(&str) -> bool,
) {
    let Some(old) = &s.old else { return };
    if !old.test.status.is_verdict() || s.renamed_to.is_some() {
        return;
    }
    let new_evidence: &[Evidence] = s.new.as_ref().map(|n| n.evidence.as_slice()).unwrap_or_default();
    for item in old.evidence.iter().filter(|item| !replaceable(&item.name)) {
        let change = match new_evidence.iter().find(|e| e.name == item.name) {
            None => "removed",
            Some(e) if e != item => "altered",
            Some(_) => continue,
        };
        out.push(
            Diagnostic::new(
                Code::EvidenceFrozen,
                format!(
                    "evidence `{}` was {change} in {} while the test status was `{}`",
                    item.name,
                    describe(c),
                    old.test.status
                ),
            )
            .at(s.path.clone(), span(report, &s.path, "/test/status"))
            .hint(remedy::hint(
                c,
                "restore the evidence before committing; to replace it, commit the test status moved back (e.g. to `in-progress`) first and change the evidence in a later commit",
                "to replace evidence, move the test status back (e.g. to `in-progress`) in a commit of its own first (restoring the evidence in a later commit removes its replacement again)",
            )),
        );
    }
}

/// Whether a change touches the test (status, notes) or the evidence of a state.
fn touches_test(s: &StateChange) -> bool {
    let (old, new) = (s.old.as_deref(), s.new.as_deref());
    old.map(|o| (&o.test.status, &o.test.notes, &o.evidence))
        != new.map(|n| (&n.test.status, &n.test.notes, &n.evidence))
}

/// What a change does that only an assessor may do, if it does: set a test
/// verdict, change one into another or withdraw a finding.
fn verdict_change(s: &StateChange) -> Option<String> {
    let new = s.new.as_ref()?;
    let old_status = s.old.as_ref().map(|o| o.test.status).unwrap_or_default();
    let status = new.test.status;
    // A move carries the verdict with it; it is not a new verdict.
    if s.renamed_from.is_some() {
        return None;
    }
    Some(match old_status.verdict_change_to(status)? {
        VerdictChange::Withdrawn => format!("test verdict `{old_status}` withdrawn (set to `{status}`)"),
        VerdictChange::Set => format!("test status set to `{status}`"),
    })
}

/// A verdict set by someone who is not an assessor, if this change is one.
fn assessor(c: &CommitChanges, s: &StateChange, config: &Config, report: &Report) -> Option<Diagnostic> {
    if config.roles.assessors.is_empty() || config.is_assessor(&c.author.email) {
        return None;
    }
    let what = verdict_change(s)?;
    Some(
        Diagnostic::new(
            Code::AssessorRequired,
            format!("{what} in {} by {}, who is not an assessor", describe(c), remedy::author(c)),
        )
        .at(s.path.clone(), span(report, &s.path, "/test/status"))
        .note(format!("assessors: {}", config.roles.assessors.join(", ")))
        .hint(remedy::assessor_hint(c)),
    )
}

/// A change to `evident.toml` by someone who is not an admin: `what`
/// happened in `c`, judged by `authority`.
fn not_an_admin(code: Code, what: &str, c: &CommitChanges, authority: &Config) -> Diagnostic {
    Diagnostic::new(code, format!("{what} in {} by {}, who is not an admin", describe(c), remedy::author(c)))
        .in_file(layout::CONFIG_FILE)
        .note(format!("admins: {}", authority.roles.admins.join(", ")))
}

/// A test as text, to compare verdicts across assessments.
fn test_key(state: &ActionState) -> String {
    format!("{:?}", state.test)
}

/// The `group` of an assessment.toml blob, when it has one and parses.
fn group_of(git: &GitRepo, blob: Oid) -> Option<String> {
    let bytes = git.blob(blob).ok()?;
    let text = std::str::from_utf8(&bytes).ok()?;
    let a: crate::model::Assessment = toml::from_str(text.strip_prefix('\u{feff}').unwrap_or(text)).ok()?;
    a.group.map(|g| g.to_string())
}

/// Whether a verdict was copied from another assessment of the same group
/// (`evident new assessment --group`, `evident sync`): some other member of
/// the group already had the same test result for the action before the
/// commit. A copy is group synchronisation, not a new verdict.
fn copied_within_group(git: &GitRepo, c: &CommitChanges, s: &StateChange, cache: &mut BlobCache) -> bool {
    let Some(new) = &s.new else { return false };
    let (Ok(Some(tree)), Some(parent)) = (git.tree_of(c.id), c.first_parent) else { return false };
    let Ok(Some(before)) = git.tree_of(parent) else { return false };
    let group_in = |tree: &git2::Tree<'_>, assessment: &str| -> Option<String> {
        let blob = git.blob_at(tree, &layout::assessment_path(assessment))?;
        let bytes = git.blob(blob).ok()?;
        let a: crate::model::Assessment = toml::from_str(std::str::from_utf8(&bytes).ok()?).ok()?;
        a.group.map(|g| g.to_string())
    };
    let Some(group) = group_in(&tree, s.assessment.as_str()) else { return false };
    // A member already, or an assessment created in the group by this commit
    // (`evident new assessment --group`); joining in the same commit is not.
    let at_parent = git.blob_at(&before, &layout::assessment_path(s.assessment.as_str()));
    if at_parent.is_some() && group_in(&before, s.assessment.as_str()).as_deref() != Some(group.as_str()) {
        return false;
    }
    let Some(assessments) =
        before.get_name(layout::ASSESSMENTS_DIR).and_then(|e| git.repo.find_tree(e.id()).ok())
    else {
        return false;
    };
    assessments.iter().filter_map(|e| e.name().ok().map(str::to_owned)).any(|member| {
        member.as_str() != s.assessment.as_str()
            && group_in(&before, &member).as_deref() == Some(group.as_str())
            && git
                .blob_at(&before, &layout::state_path(&member, s.action.as_str()))
                .and_then(|b| cache.state(git, b))
                .is_some_and(|other| other.test == new.test && other.evidence == new.evidence)
    })
}

/// For every evidence path, the state files with a verdict that rest on it.
fn verdict_evidence(
    git: &GitRepo,
    commit: Oid,
    cache: &mut BlobCache,
) -> HashMap<String, Vec<(String, TestStatus)>> {
    let mut index: HashMap<String, Vec<(String, TestStatus)>> = HashMap::new();
    let Ok(Some(tree)) = git.tree_of(commit) else {
        return index;
    };
    for (path, entry, blob) in git.data_files(&tree) {
        if !matches!(entry, Entry::State(..)) {
            continue;
        }
        let Some(state) = cache.state(git, blob) else {
            continue;
        };
        if state.test.status.is_verdict() {
            for e in &state.evidence {
                if let Some(p) = &e.path {
                    index.entry(p.clone()).or_default().push((path.clone(), state.test.status));
                }
            }
        }
    }
    index
}

fn span(report: &Report, file: &str, pointer: &str) -> std::ops::Range<usize> {
    report.sources.get(file).and_then(|t| span_of(t, pointer)).unwrap_or(0..0)
}

/// "1a2b3c4 (Ana Lima, 2026-03-04)", or "the uncommitted changes".
fn describe(c: &CommitChanges) -> String {
    remedy::describe(c)
}

/// The tables of `evident.toml`, other than `[roles]`, that only admins may change.
pub(crate) fn admin_tables_changed(before: &Config, after: &Config) -> Vec<&'static str> {
    let mut out = Vec::new();
    if before.rules != after.rules {
        out.push("rules");
    }
    if before.check != after.check {
        out.push("check");
    }
    if before.scoring != after.scoring {
        out.push("scoring");
    }
    if before.automation != after.automation {
        out.push("automation");
    }
    if before.freshness != after.freshness {
        out.push("freshness");
    }
    if before.trust != after.trust {
        out.push("trust");
    }
    out
}

/// The codes of the history rules.
pub(crate) const HISTORY_CODES: [Code; 13] = [
    Code::SignatureMissing,
    Code::SignatureUnknownKey,
    Code::SignatureOtherSigner,
    Code::SignatureBad,
    Code::SignatureUnverified,
    Code::EvidenceFrozen,
    Code::AssessorRequired,
    Code::ScoreDrop,
    Code::RolesChanged,
    Code::AdminSettingsChanged,
    Code::DefinitionChangedWithoutVersion,
    Code::AutomaticVerdictForged,
    Code::AutomationChanged,
];

/// Rule levels for the final report of a check or an audit: the working
/// tree's, except for the history rules, whose levels were applied commit by
/// commit (a change cannot switch off the rules it is checked by); the score
/// gate's level comes from `base`.
pub fn levels_from_base(
    worktree: &std::collections::BTreeMap<String, crate::model::Level>,
    base: &Config,
) -> std::collections::BTreeMap<String, crate::model::Level> {
    let mut levels = worktree.clone();
    for code in HISTORY_CODES {
        levels.remove(code.name());
    }
    // The commit rules got their levels commit by commit; the score gate
    // compares the base with the change as a whole.
    if let Some(level) = base.rules.get(Code::ScoreDrop.name()) {
        levels.insert(Code::ScoreDrop.name().to_owned(), *level);
    }
    levels
}

/// Whether `after` is lower than `before` by more than `threshold` percentage
/// points, computed exactly (a one-point drop out of thousands still counts).
pub(crate) fn dropped(before: Score, after: Score, threshold: f64) -> bool {
    // ratio = earned / max, or 1 when max is 0.
    let ratio = |s: Score| {
        if s.max == 0 { (1u128, 1u128) } else { (u128::from(s.earned), u128::from(s.max)) }
    };
    let ((e1, m1), (e2, m2)) = (ratio(before), ratio(after));
    let (lhs, rhs) = (e1 * m2, e2 * m1);
    if lhs <= rhs {
        return false;
    }
    // A threshold that is not a number allows nothing; no drop exceeds 100 points.
    let threshold = if threshold.is_nan() { 0.0 } else { threshold.max(0.0) };
    if threshold >= 100.0 {
        return false;
    }
    // before - after > threshold / 100  <=>  100 S (e1 m2 - e2 m1) > round(threshold S) m1 m2,
    // with the threshold in units of S = 10^-9 points (0.0495 is not 0.05).
    const S: u128 = 1_000_000_000;
    let t = (threshold * S as f64).round() as u128;
    match ((lhs - rhs).checked_mul(100 * S), t.checked_mul(m1).and_then(|x| x.checked_mul(m2))) {
        (Some(l), Some(r)) => l > r,
        // Beyond u128: close enough in floating point.
        _ => (lhs as f64 / (m1 * m2) as f64 - rhs as f64 / (m1 * m2) as f64) * 100.0 > threshold,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(earned: u64, max: u64) -> Score {
        Score { earned, max }
    }

    #[test]
    fn drops_are_exact() {
        assert!(dropped(s(5000, 10000), s(4999, 10000), 0.0), "one point in ten thousand");
        assert!(!dropped(s(5000, 10000), s(5000, 10000), 0.0));
        assert!(!dropped(s(5000, 10000), s(5001, 10000), 0.0));
        // 50% -> 49% is a drop of 1 percentage point.
        assert!(!dropped(s(50, 100), s(49, 100), 1.0));
        assert!(dropped(s(50, 100), s(48, 100), 1.0));
        // Nothing in scope counts as 100%.
        assert!(dropped(s(0, 0), s(0, 27), 0.0));
        assert!(!dropped(s(0, 27), s(0, 0), 0.0));
        // A larger maximum with the same ratio is not a drop.
        assert!(!dropped(s(1, 2), s(2, 4), 0.0));
        // 1000/2000 -> 999/2000 is exactly 0.05 points: above 0.0495 and 0.049, not above 0.05.
        assert!(dropped(s(1000, 2000), s(999, 2000), 0.0495));
        assert!(dropped(s(1000, 2000), s(999, 2000), 0.049));
        assert!(!dropped(s(1000, 2000), s(999, 2000), 0.05));
        // Hostile thresholds neither panic nor allow more than they say.
        assert!(!dropped(s(1, 1), s(0, 1), f64::INFINITY));
        assert!(dropped(s(1, 1), s(0, 1), f64::NAN));
        assert!(dropped(s(1, 1), s(0, 1), -5.0));
        assert!(dropped(s(u64::MAX, u64::MAX), s(u64::MAX - 1, u64::MAX), 0.0));
    }
}
