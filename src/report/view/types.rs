//! The view structs the templates read: plain, serializable data.

use serde::Serialize;

/// Everything the templates show.
#[derive(Debug, Serialize)]
pub struct Report {
    pub title: String,
    /// The commit the history ends at (HEAD); `None` without commits.
    pub head: Option<CommitView>,
    /// What the reader should know about the history (none, shallow, unreadable files).
    pub notes: Vec<Note>,
    pub overall: ScoreView,
    /// The overall score split: customer-managed, then provider-managed actions.
    pub managed: Vec<ManagedView>,
    pub assessments: Vec<AssessmentView>,
    pub breakdowns: Vec<Breakdown>,
    pub next: NextView,
    /// Score trends; `None` without commits.
    pub trends: Option<Trends>,
    pub actions: Vec<ActionView>,
    pub filters: Vec<FilterView>,
    /// The latest status changes, newest first.
    pub recent: Vec<EventView>,
    pub problems: Vec<ProblemView>,
    pub counts: Counts,
}

/// Customer-managed or provider-managed points.
#[derive(Debug, Serialize)]
pub struct ManagedView {
    /// `customer` or `provider`.
    pub id: String,
    /// "Customer-managed".
    pub label: String,
    pub score: ScoreView,
}

#[derive(Debug, Serialize)]
pub struct Counts {
    pub actions: usize,
    pub assessments: usize,
    pub commits: usize,
    pub events: usize,
}

#[derive(Debug, Serialize)]
pub struct CommitView {
    pub id: String,
    pub short: String,
    pub date: String,
    pub author: String,
    pub summary: String,
}

#[derive(Debug, Serialize)]
pub struct Note {
    /// `info` or `warning`.
    pub level: &'static str,
    pub text: String,
}

/// A score for display: points, percent (`n/a` when nothing is in scope) and bar length.
#[derive(Clone, Debug, Serialize)]
pub struct ScoreView {
    pub earned: u64,
    pub max: u64,
    pub percent: Option<f64>,
    /// "60.3%" or "n/a".
    pub text: String,
    /// "496 / 823".
    pub points: String,
    /// 0–100, for bars.
    pub bar: f64,
}

#[derive(Clone, Debug, Serialize)]
pub struct PersonView {
    pub email: String,
    pub name: Option<String>,
    /// The name when `[people]` lists one, else the address.
    pub label: String,
}

/// A status with its wire name (for styling) and label.
#[derive(Clone, Debug, Serialize)]
pub struct StatusView {
    pub value: String,
    pub label: String,
}

#[derive(Debug, Serialize)]
pub struct AssessmentView {
    pub id: String,
    pub name: String,
    pub href: String,
    pub template: String,
    pub template_name: String,
    pub template_version: u32,
    pub regulation: String,
    pub group: Option<String>,
    pub service: Option<String>,
    pub description_html: Option<String>,
    pub score: ScoreView,
    pub controls: Vec<ControlView>,
    /// The trend chart (HTML), empty without history.
    pub trend: String,
    /// Its Statement of Applicability page.
    pub soa_href: String,
    pub soa: SoaView,
}

/// The Statement of Applicability of an assessment: every control of its template.
#[derive(Debug, Default, Serialize)]
pub struct SoaView {
    /// How many controls apply.
    pub applicable: usize,
    /// Every control, in the template's order.
    pub controls: Vec<SoaControlView>,
}

#[derive(Debug, Serialize)]
pub struct SoaControlView {
    pub id: String,
    pub title: String,
    pub family: Option<String>,
    /// Not applicable when all its actions are out of scope.
    pub applicable: bool,
    /// The out-of-scope actions and why (their notes).
    pub exclusions: Vec<ExclusionView>,
    /// "2 of 3 implemented, 1 planned", "not applicable", "no actions".
    pub implementation: String,
    /// "1 of 3 passed, 1 failed", "not applicable", "no actions".
    pub test: String,
    pub actions: Vec<ControlActionView>,
    pub owners: Vec<PersonView>,
    pub evidence: Vec<EvidenceView>,
    pub score: ScoreView,
}

/// An action out of scope in the assessment, and the reason given.
#[derive(Debug, Serialize)]
pub struct ExclusionView {
    pub action: String,
    pub notes: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct ControlView {
    pub id: String,
    pub title: String,
    pub family: Option<String>,
    /// Whether the control is the first of its family (controls are grouped by family).
    pub family_start: bool,
    pub score: ScoreView,
    pub actions: Vec<ControlActionView>,
    /// Controls of other templates mapped to this one.
    pub related: Vec<crate::report::related::RelatedView>,
}

/// An action under a control: its state in that assessment.
#[derive(Debug, Serialize)]
pub struct ControlActionView {
    pub id: String,
    pub title: String,
    pub href: String,
    pub implementation: StatusView,
    pub test: StatusView,
    /// How old the test result is.
    pub test_age: Option<super::age::AgeView>,
    pub owner: Option<PersonView>,
    pub score: ScoreView,
    pub in_scope: bool,
}

#[derive(Debug, Serialize)]
pub struct ActionView {
    pub id: String,
    pub title: String,
    pub href: String,
    pub version: u32,
    pub category: StatusView,
    pub action_type: StatusView,
    pub control_type: StatusView,
    pub testing: StatusView,
    pub mandatory: bool,
    pub solution: Option<String>,
    pub service: Option<String>,
    pub points: u64,
    /// Over all assessments (each action once).
    pub score: ScoreView,
    /// Points still to gain overall.
    pub remaining: u64,
    /// The common status of its assessments, or "mixed".
    pub implementation: StatusView,
    pub test: StatusView,
    pub owners: Vec<PersonView>,
    pub regulations: Vec<String>,
    /// For the list's filters: JSON of the (regulation, group, test, owner) of each assessment.
    pub filter_pairs: String,
    /// For the list's filters: the solution, lower-case ("" for none).
    pub filter_solution: String,
    /// The guidance as written (Markdown), for the Markdown report.
    pub guidance: Option<String>,
    /// The guidance as safe HTML.
    pub guidance_html: Option<String>,
    pub links: Vec<LinkView>,
    /// Every control (of every template) the action counts for.
    pub counts_for: Vec<crate::report::related::CountsForView>,
    pub states: Vec<StateView>,
    /// Status changes, oldest first.
    pub events: Vec<EventView>,
}

#[derive(Debug, Serialize)]
pub struct LinkView {
    pub name: String,
    pub url: String,
}

/// An action's state in one assessment.
#[derive(Debug, Serialize)]
pub struct StateView {
    pub assessment: String,
    pub assessment_name: String,
    pub assessment_href: String,
    pub owner: Option<PersonView>,
    pub implementation: StatusView,
    pub implementation_date: Option<String>,
    pub implementation_notes: Option<String>,
    pub test: StatusView,
    pub test_date: Option<String>,
    /// How old the test result is.
    pub test_age: Option<super::age::AgeView>,
    pub test_notes: Option<String>,
    pub evidence: Vec<EvidenceView>,
    pub score: ScoreView,
    pub in_scope: bool,
    pub accepted_version: Option<u32>,
    /// The action's definition moved past the accepted version (scored on the accepted one).
    pub pending_update: bool,
}

#[derive(Debug, Serialize)]
pub struct EvidenceView {
    pub name: String,
    /// A copied file, relative to the site's root.
    pub href: Option<String>,
    /// An http(s) link.
    pub url: Option<String>,
    /// The repository path (files) or the address as written (links that are not http/https).
    pub text: Option<String>,
    /// A file that could not be copied.
    pub missing: bool,
}

#[derive(Debug, Serialize)]
pub struct Breakdown {
    pub title: String,
    /// The column heading ("Category").
    pub column: String,
    pub rows: Vec<BreakdownView>,
}

#[derive(Debug, Serialize)]
pub struct BreakdownView {
    pub label: String,
    pub score: ScoreView,
    /// The action list filtered to this row.
    pub href: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct NextView {
    pub actions: Vec<NextAction>,
    /// Points the listed actions would add together.
    pub gain: u64,
    /// The overall score if they were all done.
    pub after: ScoreView,
    /// Test results older than their `valid-for`: re-tests due, oldest first.
    pub retests: Vec<Retest>,
    /// Planned implementations whose target date has passed, oldest first.
    pub overdue: Vec<OverduePlan>,
}

/// A `planned` implementation past its target date.
#[derive(Debug, Serialize)]
pub struct OverduePlan {
    pub id: String,
    pub title: String,
    pub href: String,
    pub assessment: String,
    /// The target date, `YYYY-MM-DD`.
    pub date: String,
    pub owner: Option<PersonView>,
}

/// A stale test result.
#[derive(Debug, Serialize)]
pub struct Retest {
    pub id: String,
    pub title: String,
    pub href: String,
    pub assessment: String,
    /// The test status's label.
    pub test: String,
    pub date: Option<String>,
    /// How old the result is.
    pub age: Option<super::age::AgeView>,
}

#[derive(Debug, Serialize)]
pub struct NextAction {
    pub id: String,
    pub title: String,
    pub href: String,
    pub remaining: u64,
    pub owners: Vec<PersonView>,
    /// Assessments where the action is in scope and does not earn yet.
    pub missing_in: Vec<String>,
    pub implementation: StatusView,
    pub test: StatusView,
}

#[derive(Debug, Serialize)]
pub struct Trends {
    /// Charts (HTML).
    pub overall: String,
    pub assessments: String,
    pub first_date: String,
    pub last_date: String,
    /// The score at the end of each month.
    pub monthly: Vec<MonthRow>,
}

#[derive(Debug, Serialize)]
pub struct MonthRow {
    pub month: String,
    pub commit: String,
    pub score: ScoreView,
}

#[derive(Debug, Serialize)]
pub struct FilterView {
    /// The key in the URL hash and the `<select>` name.
    pub name: String,
    pub label: String,
    pub options: Vec<OptionView>,
}

#[derive(Debug, Serialize)]
pub struct OptionView {
    pub value: String,
    pub label: String,
}

#[derive(Debug, Serialize)]
pub struct EventView {
    pub date: String,
    pub commit: String,
    pub commit_id: String,
    pub author: String,
    pub author_email: String,
    pub summary: String,
    pub assessment: String,
    pub assessment_href: Option<String>,
    pub action: String,
    pub action_title: Option<String>,
    pub action_href: Option<String>,
    /// What changed, in words ("test none → passed").
    pub changes: Vec<String>,
    /// Under `[trust]`, for a test change: "signed by …", "not signed"...
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signed: Option<String>,
    /// Whether `signed` is a good signature by the author's own key (the
    /// page marks only those as signed).
    pub signed_good: bool,
}

#[derive(Debug, Serialize)]
pub struct ProblemView {
    pub date: String,
    pub commit: String,
    pub author: String,
    pub path: String,
    pub message: String,
}
