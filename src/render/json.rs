//! The JSON outputs of the commands (`--format json`) as types. Each derives
//! `Serialize` (the output: field order is the order of the keys) and
//! `JsonSchema` (its schema, checked into `schemas/output/` by
//! `schema::OutputKind`; a test fails when they drift). Renderers build these
//! values; they never assemble JSON by hand.

use schemars::JsonSchema;
use serde::Serialize;

use crate::alerts::Fired;
use crate::checks::gate::Gate;
use crate::diag::Severity;
use crate::diff::{Side, WorkspaceDiff};
use crate::filter::ActionRow;
use crate::history::timeline::{CommitInfo, Points, StateSnapshot, StatusEvent, Timeline};
use crate::model::{
    ActionId, ActionType, AssessmentId, Category, ControlType, Date, ImplementationStatus, ManagedBy,
    TestStatus, Testing,
};
use crate::score::{Score, Scores};
use crate::updates::Update;

/// `evident score --format json`: every score of the working tree.
#[derive(Debug, Serialize, JsonSchema)]
pub(crate) struct ScoreOutput {
    /// The commit the working tree is on (`null` before the first commit).
    pub commit: Option<String>,
    /// The scores, each assessment's controls sorted by id.
    #[serde(flatten)]
    pub scores: Scores,
}

impl ScoreOutput {
    pub(crate) fn new(scores: &Scores, commit: Option<&str>) -> Self {
        let mut scores = scores.clone();
        for a in &mut scores.assessments {
            a.controls.sort_by(|x, y| x.id.cmp(&y.id));
        }
        ScoreOutput { commit: commit.map(str::to_owned), scores }
    }
}

/// `evident list actions --format json`: one entry per action.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(transparent)]
pub(crate) struct ListOutput(pub Vec<ListedAction>);

/// An action of the list, with its points over the listed assessments.
#[derive(Debug, Serialize, JsonSchema)]
pub(crate) struct ListedAction {
    pub id: ActionId,
    pub title: String,
    pub category: Category,
    pub action_type: ActionType,
    pub control_type: ControlType,
    pub mandatory: bool,
    pub testing: Testing,
    /// `customer`, or `provider` for an action the provider carries out.
    pub managed_by: ManagedBy,
    pub solution: Option<String>,
    pub service: Option<String>,
    /// What the action is worth.
    pub points: u64,
    pub earned: u64,
    pub max: u64,
    pub percent: f64,
    pub regulations: Vec<String>,
    pub groups: Vec<String>,
    /// The action's state in each listed assessment.
    pub assessments: Vec<ListedPair>,
}

/// One action in one assessment.
#[derive(Debug, Serialize, JsonSchema)]
pub(crate) struct ListedPair {
    pub id: AssessmentId,
    pub owner: Option<String>,
    pub implementation: ImplementationStatus,
    pub implementation_date: Option<Date>,
    pub test: TestStatus,
    pub test_date: Option<Date>,
    pub in_scope: bool,
    /// The action changed since the assessment accepted it.
    pub pending_update: bool,
    /// The test result is older than its `valid-for`.
    pub stale: bool,
    /// The implementation is `planned` and its target date (`implementation_date`) has passed.
    pub overdue: bool,
    pub earned: u64,
    pub max: u64,
}

impl ListOutput {
    pub(crate) fn new(rows: &[ActionRow<'_, '_>]) -> Self {
        ListOutput(
            rows.iter()
                .map(|row| {
                    let a = row.action;
                    ListedAction {
                        id: a.id.clone(),
                        title: a.title.clone(),
                        category: a.category,
                        action_type: a.action_type,
                        control_type: a.control_type,
                        mandatory: a.mandatory,
                        testing: a.testing,
                        managed_by: a.managed_by,
                        solution: a.solution.clone(),
                        service: a.service.clone(),
                        points: row.points,
                        earned: row.score.earned,
                        max: row.score.max,
                        percent: row.score.percent(),
                        regulations: row.regulations().into_iter().map(str::to_owned).collect(),
                        groups: row.groups().into_iter().map(str::to_owned).collect(),
                        assessments: row
                            .pairs
                            .iter()
                            .map(|p| {
                                let score = p.score();
                                ListedPair {
                                    id: p.assessment.clone(),
                                    owner: p.state.owner.clone(),
                                    implementation: p.state.implementation.status,
                                    implementation_date: p.state.implementation.date,
                                    test: p.state.test.status,
                                    test_date: p.state.test.date,
                                    in_scope: p.in_scope,
                                    pending_update: p.pending_update,
                                    stale: p.stale,
                                    overdue: p.overdue,
                                    earned: score.earned,
                                    max: score.max,
                                }
                            })
                            .collect(),
                    }
                })
                .collect(),
        )
    }
}

/// `evident alerts --format json`: the policies a range of commits fired.
#[derive(Debug, Serialize, JsonSchema)]
pub(crate) struct AlertsOutput {
    /// The base revision as given.
    pub base: String,
    pub base_commit: String,
    pub head_commit: String,
    /// Commits in the range.
    pub commits: usize,
    pub alerts: Vec<Fired>,
}

/// A commit as the JSON outputs of `evident history` name it.
#[derive(Debug, Serialize, JsonSchema)]
pub(crate) struct CommitOutput {
    /// The full commit id.
    pub commit: String,
    /// The author's local date, `YYYY-MM-DD`.
    pub date: String,
    /// Author time, seconds since the epoch.
    pub time: i64,
    pub author: Author,
    /// The first line of the message.
    pub summary: String,
}

/// A commit's author.
#[derive(Debug, Serialize, JsonSchema)]
pub(crate) struct Author {
    pub name: String,
    pub email: String,
}

impl From<&CommitInfo> for CommitOutput {
    fn from(c: &CommitInfo) -> Self {
        CommitOutput {
            commit: c.id.clone(),
            date: c.date(),
            time: c.time,
            author: Author { name: c.author_name.clone(), email: c.author_email.clone() },
            summary: c.summary.clone(),
        }
    }
}

/// `evident history --format json`: the status events, in commit order.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(transparent)]
pub(crate) struct HistoryOutput(pub Vec<HistoryEvent>);

/// One commit's change to one action's state in one assessment.
#[derive(Debug, Serialize, JsonSchema)]
pub(crate) struct HistoryEvent {
    #[serde(flatten)]
    pub commit: CommitOutput,
    pub assessment: String,
    pub action: String,
    /// `null`: there was no state file (the defaults applied).
    pub before: Option<StateSnapshot>,
    /// `null`: the state file was removed.
    pub after: Option<StateSnapshot>,
    /// Under `[trust]`, for a change of the test: whether the commit was signed, and by whom.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signature: Option<crate::trust::Signed>,
}

impl HistoryOutput {
    pub(crate) fn new(t: &Timeline, events: &[&StatusEvent], signed: &super::history::SignedBy) -> Self {
        HistoryOutput(
            events
                .iter()
                .map(|e| HistoryEvent {
                    commit: CommitOutput::from(&t.commits[e.commit]),
                    assessment: e.assessment.clone(),
                    action: e.action.clone(),
                    before: e.before.as_deref().cloned(),
                    after: e.after.as_deref().cloned(),
                    signature: signed.get(&t.commits[e.commit].id).filter(|_| e.test_changed()).cloned(),
                })
                .collect(),
        )
    }
}

/// `evident history --scores --format json`: every main-line commit with the
/// overall, per-assessment and per-category scores after it.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(transparent)]
pub(crate) struct HistoryScoresOutput(pub Vec<ScoresAfter>);

/// The scores after one commit.
#[derive(Debug, Serialize, JsonSchema)]
pub(crate) struct ScoresAfter {
    #[serde(flatten)]
    pub commit: CommitOutput,
    pub overall: Score,
    pub assessments: Vec<ScoreOf>,
    pub categories: Vec<ScoreOf>,
}

/// The score of one assessment or category.
#[derive(Debug, Serialize, JsonSchema)]
pub(crate) struct ScoreOf {
    pub earned: u64,
    pub max: u64,
    pub percent: f64,
    /// The assessment or category id.
    pub id: String,
}

impl HistoryScoresOutput {
    pub(crate) fn new(t: &Timeline) -> Self {
        let of = |(id, p): &(std::sync::Arc<str>, Points)| {
            let s = Score::from(*p);
            ScoreOf { earned: s.earned, max: s.max, percent: s.percent(), id: id.to_string() }
        };
        HistoryScoresOutput(
            t.points
                .iter()
                .map(|p| ScoresAfter {
                    commit: CommitOutput::from(&t.commits[p.commit]),
                    overall: Score::from(p.overall),
                    assessments: p.assessments.iter().map(of).collect(),
                    categories: p.categories.iter().map(of).collect(),
                })
                .collect(),
        )
    }
}

/// `evident diff --format json`: the two sides and what differs.
#[derive(Debug, Serialize, JsonSchema)]
pub(crate) struct DiffOutput<'a> {
    pub base: &'a Side,
    pub head: &'a Side,
    /// Whether anything differs.
    pub changed: bool,
    #[serde(flatten)]
    pub diff: &'a WorkspaceDiff,
}

/// `evident updates --format json`: every pending update.
#[derive(Debug, Serialize, JsonSchema)]
pub(crate) struct UpdatesOutput<'a> {
    pub updates: &'a [Update],
}

/// `evident validate --format json` and `evident check --format json`: the
/// diagnostics of the run.
#[derive(Debug, Serialize, JsonSchema)]
pub(crate) struct CheckOutput {
    /// No errors (warnings allowed).
    pub ok: bool,
    /// How many files were checked (not with `audit`, which checks commits).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub files: Option<usize>,
    /// How many commits were checked (`check --base`, `audit`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commits: Option<usize>,
    pub errors: usize,
    pub warnings: usize,
    pub diagnostics: Vec<DiagnosticOutput>,
    /// The score gate of `check --base`, when it ran.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score_gate: Option<Gate>,
}

/// The command's output or, when it refused to run because the repository
/// has errors (exit 1), their diagnostics as `evident validate --format json`
/// prints them.
// Only the schema is used: `commands::output::print_refusal` prints the refusal.
#[cfg(test)]
#[allow(dead_code)]
#[derive(Serialize, JsonSchema)]
#[serde(untagged)]
pub(crate) enum OrRefused<T> {
    Output(T),
    Refused(CheckOutput),
}

/// One diagnostic (docs/design/outputs.md).
#[derive(Debug, Serialize, JsonSchema)]
pub(crate) struct DiagnosticOutput {
    /// `E0NNN`.
    pub code: &'static str,
    /// The rule's name, as `[rules]` and `evident explain` know it.
    pub rule: &'static str,
    pub severity: Severity,
    pub message: String,
    /// The repository file or spreadsheet, `null` for a problem with no file.
    pub file: Option<String>,
    #[serde(flatten)]
    pub place: PlaceOutput,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<RelatedOutput>,
}

/// Where in its file a diagnostic is, by kind of location.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(untagged)]
pub(crate) enum PlaceOutput {
    /// A spreadsheet cell.
    Cell {
        /// The sheet's name (XLSX only).
        sheet: Option<String>,
        /// The row number the spreadsheet shows.
        row: Option<usize>,
        /// The column's header.
        column: Option<String>,
    },
    /// A file of a past commit.
    Commit {
        line: (),
        column: (),
        /// The full commit id.
        commit: String,
        /// The commit's author date, `YYYY-MM-DD`, when known.
        date: Option<String>,
    },
    /// A place in a repository file (`null` line and column when there is none).
    File {
        line: Option<usize>,
        column: Option<usize>,
        #[serde(skip_serializing_if = "Option::is_none")]
        end_line: Option<usize>,
        #[serde(skip_serializing_if = "Option::is_none")]
        end_column: Option<usize>,
        /// The commit a history rule was broken in (full id), when the
        /// diagnostic has one; the place is the file in the working tree.
        #[serde(skip_serializing_if = "Option::is_none")]
        commit: Option<String>,
        /// That commit's author date, `YYYY-MM-DD`.
        #[serde(skip_serializing_if = "Option::is_none")]
        date: Option<String>,
    },
}

/// Another place a diagnostic points to.
#[derive(Debug, Serialize, JsonSchema)]
pub(crate) struct RelatedOutput {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// `evident import actions --format json`: what the import changed, or why it refused.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(untagged)]
pub(crate) enum ImportActionsOutput {
    /// The sheet was read: the state files it changes.
    Imported {
        /// Rows read.
        rows: usize,
        changes: Vec<ImportedFile>,
        /// Whether the files were written (not with `--dry-run`, nor when refused).
        written: bool,
        /// Why the change was refused, when it was.
        #[serde(skip_serializing_if = "Option::is_none")]
        diagnostics: Option<CheckOutput>,
    },
    /// The sheet has problems: nothing was written.
    Refused { problems: Vec<DiagnosticOutput>, written: bool },
}

/// A state file an import creates or updates.
#[derive(Debug, Serialize, JsonSchema)]
pub(crate) struct ImportedFile {
    pub path: String,
    pub change: ImportedChange,
    /// What changes, in words.
    pub what: Vec<String>,
}

#[derive(Clone, Copy, Debug, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub(crate) enum ImportedChange {
    Created,
    Updated,
}

/// `--format json` of the edits (`set`, `assign`, `accept`, `evidence add|remove|rehash`) and
/// of the commands that write whole files (`new`, `sync`, `library add`, `trust add`): what the
/// command writes, or why it refused (exit 1).
#[derive(Debug, Serialize, JsonSchema)]
pub(crate) struct ChangesOutput {
    /// Whether the files were written (not with `--dry-run`, nor when refused).
    pub written: bool,
    pub dry_run: bool,
    /// The files the command touches, sorted by path.
    pub files: Vec<ChangedFile>,
    /// Evidence files copied into the repository.
    pub copies: Vec<String>,
    /// What the checks of the edit found: errors refuse it, warnings do not.
    pub diagnostics: Vec<DiagnosticOutput>,
}

/// A file an edit creates, updates or leaves as it is.
#[derive(Debug, Serialize, JsonSchema)]
pub(crate) struct ChangedFile {
    pub path: String,
    pub change: FileChangeOutput,
    /// What changes, in words; empty when nothing does.
    pub what: Vec<String>,
}

#[derive(Clone, Copy, Debug, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub(crate) enum FileChangeOutput {
    Created,
    Updated,
    Unchanged,
}

/// A value as JSON for `commands::output::to_json_text`.
pub(crate) fn to_value(output: &impl Serialize) -> serde_json::Value {
    serde_json::to_value(output).unwrap_or(serde_json::Value::Null)
}

/// `evident import template --format json`: the template's next version.
#[derive(Debug, Serialize, JsonSchema)]
pub(crate) struct ImportTemplateOutput {
    pub template: String,
    /// The version in the repository before the import (null: a new template).
    pub previous_version: Option<u32>,
    pub version: u32,
    /// What changes, in words; empty when nothing does.
    pub changes: Vec<String>,
    /// Whether the template was written (not with `--dry-run`, nor when nothing changed).
    pub written: bool,
}

/// `evident import oscal --format json`: what importing a catalog (and
/// profile) does to the template and its actions.
#[derive(Debug, Serialize, JsonSchema)]
pub(crate) struct ImportOscalOutput {
    pub template: String,
    pub version: u32,
    /// Null: a new template.
    pub previous_version: Option<u32>,
    pub change: ImportChange,
    pub dry_run: bool,
    pub catalog: OscalDocument,
    pub profile: Option<OscalDocument>,
    pub stats: crate::oscal::import::Stats,
    pub controls: crate::oscal::import::Delta,
    pub actions: crate::oscal::import::Delta,
    /// Action files of controls the new import no longer has: kept, not deleted.
    pub kept_action_files: Vec<String>,
    pub files: Vec<PlannedFile>,
}

#[derive(Clone, Copy, Debug, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub(crate) enum ImportChange {
    Created,
    Updated,
    None,
}

/// An OSCAL document read: its file and metadata.
#[derive(Debug, Serialize, JsonSchema)]
pub(crate) struct OscalDocument {
    pub file: String,
    pub title: String,
    pub version: String,
    pub oscal_version: String,
}

/// A file an import writes.
#[derive(Debug, Serialize, JsonSchema)]
pub(crate) struct PlannedFile {
    pub path: String,
    pub status: ImportedChange,
}

/// `evident trust list --format json`: the keys of the allowed signers file.
#[derive(Debug, Serialize, JsonSchema)]
pub(crate) struct TrustListOutput {
    /// The allowed signers file, relative to the repository.
    pub file: String,
    pub keys: Vec<TrustedKey>,
    /// Lines that are not keys.
    pub problems: Vec<TrustLineProblem>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub(crate) struct TrustedKey {
    /// The e-mail addresses the key signs for.
    pub principals: Vec<String>,
    pub key_type: String,
    /// `SHA256:...`, as `ssh-keygen -l` prints it.
    pub fingerprint: String,
    pub comment: String,
    /// Options such as `valid-before=...`, as written.
    pub options: Option<String>,
    /// 1-based line number in the file.
    pub line: usize,
}

#[derive(Debug, Serialize, JsonSchema)]
pub(crate) struct TrustLineProblem {
    pub line: usize,
    pub message: String,
}

/// `evident import ciso-assistant --format json`: what importing a framework
/// library does to its template and actions.
#[derive(Debug, Serialize, JsonSchema)]
pub(crate) struct ImportCisoOutput {
    pub template: String,
    pub version: u32,
    /// Null: a new template.
    pub previous_version: Option<u32>,
    pub change: ImportChange,
    pub dry_run: bool,
    pub library: CisoLibrary,
    pub stats: crate::import::ciso::Stats,
    pub controls: crate::oscal::import::Delta,
    pub actions: crate::oscal::import::Delta,
    /// The files written (or, with `--dry-run`, that would be).
    pub files: Vec<String>,
}

/// The CISO Assistant library file read.
#[derive(Debug, Serialize, JsonSchema)]
pub(crate) struct CisoLibrary {
    pub file: String,
    pub urn: String,
    pub version: Option<String>,
    /// The framework's urn.
    pub framework: String,
}

/// `evident import mapping --format json`: the mapping sets applied and the
/// templates they changed.
#[derive(Debug, Serialize, JsonSchema)]
pub(crate) struct ImportMappingOutput {
    pub dry_run: bool,
    /// The relationships that share the source control's actions.
    pub relationships: Vec<String>,
    pub sets: Vec<crate::import::ciso_mapping::SetStats>,
    /// The templates changed, with their new versions.
    pub templates: Vec<TemplateVersion>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub(crate) struct TemplateVersion {
    pub id: String,
    pub version: u32,
}

/// `evident list controls --format json`: every control of the templates listed.
#[cfg(test)]
pub(crate) type ListControlsOutput = Vec<ControlRow>;

#[derive(Debug, Serialize, JsonSchema)]
pub(crate) struct ControlRow {
    pub template: String,
    pub id: String,
    pub title: String,
    pub family: Option<String>,
    pub actions: Vec<String>,
    /// Implementation groups (e.g. CIS IG1), as the framework names them.
    pub groups: Vec<String>,
    pub related: Vec<crate::model::Related>,
}

/// `evident library list --format json`: the templates built into evident.
pub(crate) type LibraryListOutput = Vec<LibraryEntry>;

#[derive(Debug, Serialize, JsonSchema)]
pub(crate) struct LibraryEntry {
    pub id: String,
    pub name: String,
    /// Where the text comes from.
    pub source: String,
    pub version: String,
    /// The terms that allow bundling it.
    pub licence: String,
}
