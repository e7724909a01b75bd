//! The report's view model: everything the templates show, computed once from
//! the workspace, its scores and the timeline. Templates only display it;
//! every number, label, link and chart is decided here.
//!
//! Links are relative to the site's root (`actions/mfa.html`); templates put
//! the page's way back to the root (`""` or `"../"`) in front of them.

use std::collections::{BTreeMap, BTreeSet};

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde::Serialize;

use super::chart::{self, Chart, Series};
use super::markdown;
use crate::filter::{ActionFilter, ActionRow, action_rows};
use crate::history::timeline::{CommitInfo, Points, ScorePoint, StatusEvent, Timeline};
use crate::model::{ActionType, Category, Evidence, TestStatus, Workspace};
use crate::score::{Agreement, AssessmentScore, BreakdownRow, Pair, Score, Scores, agreement};

/// How many actions "what to do next" lists.
pub const NEXT_COUNT: usize = 10;
/// How many status changes the overview lists.
pub const RECENT_COUNT: usize = 20;
/// Where evidence files are copied in the output, under their repository path.
pub const FILES_DIR: &str = "files";

/// What the report is built from.
pub struct Input<'a> {
    pub workspace: &'a Workspace,
    pub scores: &'a Scores,
    pub timeline: &'a Timeline,
    /// Repository paths of the evidence files that will be copied into the output.
    pub evidence_available: &'a BTreeSet<String>,
}

/// Everything the templates show.
#[derive(Debug, Serialize)]
pub struct Report {
    pub title: String,
    /// The commit the history ends at (HEAD); `None` without commits.
    pub head: Option<CommitView>,
    /// What the reader should know about the history (none, shallow, unreadable files).
    pub notes: Vec<Note>,
    pub overall: ScoreView,
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
}

#[derive(Debug, Serialize)]
pub struct ControlView {
    pub id: String,
    pub title: String,
    pub family: Option<String>,
    pub score: ScoreView,
    pub actions: Vec<ControlActionView>,
}

/// An action under a control: its state in that assessment.
#[derive(Debug, Serialize)]
pub struct ControlActionView {
    pub id: String,
    pub title: String,
    pub href: String,
    pub implementation: StatusView,
    pub test: StatusView,
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
}

#[derive(Debug, Serialize)]
pub struct ProblemView {
    pub date: String,
    pub commit: String,
    pub author: String,
    pub path: String,
    pub message: String,
}

/// Builds the view model.
pub fn build(input: &Input<'_>) -> Report {
    let ws = input.workspace;
    let t = input.timeline;
    let pairs = crate::score::pairs(ws);
    let rows = action_rows(&pairs, &ActionFilter::default());
    let look = Lookup::new(input, &rows);
    let samples = samples(t);
    let actions: Vec<ActionView> = rows.iter().map(|r| look.action(r)).collect();
    Report {
        title: "Compliance report".into(),
        head: t.points.last().and_then(|p| t.commits.get(p.commit)).map(commit_view),
        notes: notes(t),
        overall: score_view(input.scores.overall),
        assessments: input.scores.assessments.iter().map(|a| look.assessment(a, &pairs, &samples)).collect(),
        breakdowns: breakdowns(input.scores, &look),
        next: next(&rows, &actions, input.scores.overall),
        trends: trends(&samples, &look),
        filters: filters(&rows, &look),
        recent: t.events.iter().rev().take(RECENT_COUNT).map(|e| look.event(e)).collect(),
        problems: t.problems.iter().filter_map(|p| look.problem(p)).collect(),
        counts: Counts {
            actions: actions.len(),
            assessments: input.scores.assessments.len(),
            commits: t.commits.len(),
            events: t.events.len(),
        },
        actions,
    }
}

/// Repository paths of the evidence files of every state the report shows.
pub fn evidence_paths(ws: &Workspace) -> BTreeSet<String> {
    crate::score::pairs(ws)
        .iter()
        .flat_map(|p| p.state.evidence.iter().filter_map(|e| e.path.clone()).collect::<Vec<_>>())
        .collect()
}

/// Shared lookups: names, people, pages, commits.
struct Lookup<'a> {
    ws: &'a Workspace,
    timeline: &'a Timeline,
    evidence: &'a BTreeSet<String>,
    /// Actions that have a page, with their titles.
    action_titles: BTreeMap<&'a str, &'a str>,
    /// Status events by action.
    events: BTreeMap<&'a str, Vec<&'a StatusEvent>>,
}

impl<'a> Lookup<'a> {
    fn new(input: &Input<'a>, rows: &[ActionRow<'_, 'a>]) -> Self {
        let action_titles: BTreeMap<&'a str, &'a str> = rows
            .iter()
            .filter_map(|r| Some((r.pairs.first()?.id.as_str(), r.action.title.as_str())))
            .collect();
        let mut events: BTreeMap<&'a str, Vec<&'a StatusEvent>> = BTreeMap::new();
        for e in &input.timeline.events {
            events.entry(e.action.as_str()).or_default().push(e);
        }
        Lookup {
            ws: input.workspace,
            timeline: input.timeline,
            evidence: input.evidence_available,
            action_titles,
            events,
        }
    }

    fn person(&self, email: &str) -> PersonView {
        let name = self.ws.config.person_name(email).map(str::to_owned);
        PersonView { email: email.to_owned(), label: name.clone().unwrap_or_else(|| email.to_owned()), name }
    }

    fn assessment_href(&self, id: &str) -> Option<String> {
        self.ws.assessments.contains_key(id).then(|| format!("assessments/{id}.html"))
    }

    fn action_href(&self, id: &str) -> Option<String> {
        self.action_titles.contains_key(id).then(|| format!("actions/{id}.html"))
    }

    fn assessment_name(&self, id: &str) -> String {
        self.ws.assessments.get(id).map(|e| e.assessment.name.clone()).unwrap_or_else(|| id.to_owned())
    }

    fn commit(&self, index: usize) -> Option<&'a CommitInfo> {
        self.timeline.commits.get(index)
    }

    fn event(&self, e: &StatusEvent) -> EventView {
        let commit = self.commit(e.commit);
        EventView {
            date: commit.map(CommitInfo::date).unwrap_or_default(),
            commit: commit.map(|c| c.short().to_owned()).unwrap_or_default(),
            commit_id: commit.map(|c| c.id.clone()).unwrap_or_default(),
            author: commit.map(|c| c.author_name.clone()).unwrap_or_default(),
            author_email: commit.map(|c| c.author_email.clone()).unwrap_or_default(),
            summary: commit.map(|c| c.summary.clone()).unwrap_or_default(),
            assessment: e.assessment.clone(),
            assessment_href: self.assessment_href(&e.assessment),
            action: e.action.clone(),
            action_title: self.action_titles.get(e.action.as_str()).map(|t| (*t).to_owned()),
            action_href: self.action_href(&e.action),
            changes: changes(e),
            signed: None,
        }
    }

    fn problem(&self, p: &crate::history::timeline::Problem) -> Option<ProblemView> {
        let c = self.commit(p.commit)?;
        Some(ProblemView {
            date: c.date(),
            commit: c.short().to_owned(),
            author: c.author_name.clone(),
            path: p.path.clone(),
            message: p.message.clone(),
        })
    }

    fn evidence(&self, e: &Evidence) -> EvidenceView {
        let mut view =
            EvidenceView { name: e.name.clone(), href: None, url: None, text: None, missing: false };
        if let Some(path) = &e.path {
            if self.evidence.contains(path) {
                let path = crate::checks::evidence::normalize(path).unwrap_or_else(|_| path.clone());
                view.href = Some(format!("{FILES_DIR}/{}", encode(&path, true)));
            } else {
                view.missing = true;
            }
            view.text = Some(path.clone());
        } else if let Some(url) = &e.url {
            if markdown::is_http_url(url) {
                view.url = Some(url.trim().to_owned());
            } else {
                view.text = Some(url.clone());
            }
        }
        view
    }

    fn state(&self, p: &Pair<'_>) -> StateView {
        let s = &p.state;
        StateView {
            assessment: p.assessment.to_string(),
            assessment_name: self.assessment_name(p.assessment.as_str()),
            assessment_href: format!("assessments/{}.html", p.assessment),
            owner: s.owner.as_deref().map(|o| self.person(o)),
            implementation: status(s.implementation.status.as_str(), s.implementation.status.label()),
            implementation_date: s.implementation.date.map(|d| d.to_string()),
            implementation_notes: s.implementation.notes.clone(),
            test: status(s.test.status.as_str(), s.test.status.label()),
            test_date: s.test.date.map(|d| d.to_string()),
            test_notes: s.test.notes.clone(),
            evidence: s.evidence.iter().map(|e| self.evidence(e)).collect(),
            score: score_view(p.score()),
            in_scope: p.in_scope,
            accepted_version: s.accepted_version,
            pending_update: p.pending_update,
        }
    }

    fn action(&self, row: &ActionRow<'_, '_>) -> ActionView {
        let a = row.action;
        let id = row.pairs.first().map(|p| p.id.to_string()).unwrap_or_else(|| a.id.to_string());
        ActionView {
            href: format!("actions/{id}.html"),
            title: a.title.clone(),
            version: a.version,
            category: status(a.category.as_str(), a.category.label()),
            action_type: status(a.action_type.as_str(), a.action_type.label()),
            control_type: status(a.control_type.as_str(), a.control_type.label()),
            testing: status(a.testing.as_str(), a.testing.label()),
            mandatory: a.mandatory,
            solution: a.solution.clone(),
            service: a.service.clone(),
            points: row.points,
            score: score_view(row.score),
            remaining: row.remaining(),
            implementation: common_status(row, |p| {
                (p.state.implementation.status.as_str(), p.state.implementation.status.label())
            }),
            test: common_status(row, |p| (p.state.test.status.as_str(), p.state.test.status.label())),
            owners: owners(row).into_iter().map(|o| self.person(o)).collect(),
            regulations: row.regulations().into_iter().map(str::to_owned).collect(),
            filter_pairs: filter_pairs(row),
            filter_solution: a.solution.as_deref().map(str::to_lowercase).unwrap_or_default(),
            guidance: a.guidance.clone(),
            guidance_html: a.guidance.as_deref().map(markdown::to_html),
            links: a
                .links
                .iter()
                .filter(|l| markdown::is_http_url(&l.url))
                .map(|l| LinkView { name: l.name.clone(), url: l.url.clone() })
                .collect(),
            states: row.pairs.iter().map(|p| self.state(p)).collect(),
            events: self.events.get(id.as_str()).into_iter().flatten().map(|e| self.event(e)).collect(),
            id,
        }
    }

    fn assessment(&self, a: &AssessmentScore, pairs: &[Pair<'_>], samples: &[Sample<'_>]) -> AssessmentView {
        let entry = self.ws.assessments.get(a.id.as_str());
        let template = entry.and_then(|e| self.ws.template_of(&e.assessment));
        let mine: BTreeMap<&str, &Pair> =
            pairs.iter().filter(|p| p.assessment.as_str() == a.id).map(|p| (p.id.as_str(), p)).collect();
        let controls = template
            .map(|t| {
                t.controls
                    .iter()
                    .zip(&a.controls)
                    .map(|(c, score)| {
                        let mut seen = BTreeSet::new();
                        ControlView {
                            id: c.id.to_string(),
                            title: c.title.clone(),
                            family: c.family.clone(),
                            score: score_view(score.score),
                            actions: c
                                .actions
                                .iter()
                                .filter(|id| seen.insert(id.as_str()))
                                .filter_map(|id| mine.get(id.as_str()))
                                .map(|p| self.control_action(p))
                                .collect(),
                        }
                    })
                    .collect()
            })
            .unwrap_or_default();
        AssessmentView {
            id: a.id.clone(),
            name: a.name.clone(),
            href: format!("assessments/{}.html", a.id),
            template: a.template.clone(),
            template_name: template.map(|t| t.name.clone()).unwrap_or_else(|| a.template.clone()),
            template_version: entry.map(|e| e.assessment.template_version).unwrap_or_default(),
            regulation: a.regulation.clone(),
            group: a.group.clone(),
            service: entry.and_then(|e| e.assessment.service.clone()),
            description_html: entry.and_then(|e| e.assessment.description.as_deref()).map(markdown::to_html),
            score: score_view(a.score),
            controls,
            trend: assessment_trend(samples, &a.id, &a.name),
        }
    }

    fn control_action(&self, p: &Pair<'_>) -> ControlActionView {
        ControlActionView {
            id: p.id.to_string(),
            title: p.action.title.clone(),
            href: format!("actions/{}.html", p.id),
            implementation: status(
                p.state.implementation.status.as_str(),
                p.state.implementation.status.label(),
            ),
            test: status(p.state.test.status.as_str(), p.state.test.status.label()),
            owner: p.state.owner.as_deref().map(|o| self.person(o)),
            score: score_view(p.score()),
            in_scope: p.in_scope,
        }
    }
}

/// What an event changed, in the words of `evident history`; a state file
/// added with the default state changes nothing visible.
fn changes(e: &StatusEvent) -> Vec<String> {
    let words =
        crate::render::history::changes(&e.before_or_default(), &e.after_or_default(), e.after.is_none());
    if words.is_empty() && e.before.is_none() { vec!["state file added".into()] } else { words }
}

fn commit_view(c: &CommitInfo) -> CommitView {
    CommitView {
        id: c.id.clone(),
        short: c.short().to_owned(),
        date: c.date(),
        author: c.author_name.clone(),
        summary: c.summary.clone(),
    }
}

fn status(value: &str, label: &str) -> StatusView {
    StatusView { value: value.to_owned(), label: label.to_owned() }
}

pub fn score_view(s: Score) -> ScoreView {
    let percent = (s.max > 0).then(|| s.percent());
    ScoreView {
        earned: s.earned,
        max: s.max,
        percent,
        text: percent.map(|p| format!("{p:.1}%")).unwrap_or_else(|| "n/a".into()),
        points: format!("{} / {}", s.earned, s.max),
        bar: percent.unwrap_or(0.0),
    }
}

/// The status all pairs share, or "mixed".
fn common_status(
    row: &ActionRow<'_, '_>,
    of: impl Fn(&Pair<'_>) -> (&'static str, &'static str),
) -> StatusView {
    match agreement(row.pairs.iter().map(|p| of(p))) {
        Agreement::None => status("none", "-"),
        Agreement::All((value, label)) => status(value, label),
        Agreement::Mixed => status("mixed", "Mixed"),
    }
}

/// Distinct owners of a row, sorted.
fn owners<'r>(row: &'r ActionRow<'_, '_>) -> BTreeSet<&'r str> {
    row.pairs.iter().filter_map(|p| p.state.owner.as_deref()).collect()
}

/// The filter keys of each assessment of an action, as JSON for `data-pairs`.
fn filter_pairs(row: &ActionRow<'_, '_>) -> String {
    #[derive(Serialize, PartialEq, Eq, PartialOrd, Ord)]
    struct Keys {
        r: String,
        g: String,
        t: &'static str,
        o: String,
    }
    let keys: BTreeSet<Keys> = row
        .pairs
        .iter()
        .map(|p| Keys {
            r: p.regulation.to_lowercase(),
            g: p.group.map(|g| g.to_string()).unwrap_or_default(),
            t: p.state.test.status.as_str(),
            o: p.state.owner.as_deref().map(str::to_lowercase).unwrap_or_else(|| "none".into()),
        })
        .collect();
    serde_json::to_string(&keys).unwrap_or_else(|_| "[]".into())
}

/// The options of the action list's filters: only values that occur.
fn filters(rows: &[ActionRow<'_, '_>], look: &Lookup<'_>) -> Vec<FilterView> {
    let pairs = || rows.iter().flat_map(|r| r.pairs.iter().copied());
    let mut regulations = BTreeMap::new();
    let mut groups = BTreeMap::new();
    let mut owners = BTreeMap::new();
    for p in pairs() {
        regulations.entry(p.regulation.to_lowercase()).or_insert_with(|| p.regulation.to_owned());
        if let Some(g) = p.group {
            groups.entry(g.to_string()).or_insert_with(|| g.to_string());
        }
        let owner = match p.state.owner.as_deref() {
            Some(o) => (o.to_lowercase(), look.person(o).label),
            None => ("none".to_owned(), "(unassigned)".to_owned()),
        };
        owners.entry(owner.0).or_insert(owner.1);
    }
    let mut solutions = BTreeMap::new();
    for r in rows {
        if let Some(s) = &r.action.solution {
            solutions.entry(s.to_lowercase()).or_insert_with(|| s.clone());
        }
    }
    let tests: BTreeSet<TestStatus> = pairs().map(|p| p.state.test.status).collect();
    let categories: BTreeSet<Category> = rows.iter().map(|r| r.action.category).collect();
    let types: BTreeSet<ActionType> = rows.iter().map(|r| r.action.action_type).collect();
    let mut owners: Vec<(String, String)> = owners.into_iter().collect();
    owners.sort_by_key(|(value, label)| (value != "none", label.to_lowercase()));
    vec![
        filter("regulation", "Regulation", regulations),
        filter("solution", "Solution", solutions),
        filter("group", "Group", groups),
        filter("test", "Test status", tests.iter().map(|t| (t.as_str().to_owned(), t.label().to_owned()))),
        filter(
            "category",
            "Category",
            categories.iter().map(|c| (c.as_str().to_owned(), c.label().to_owned())),
        ),
        filter("owner", "Owner", owners),
        filter("type", "Action type", types.iter().map(|t| (t.as_str().to_owned(), t.label().to_owned()))),
    ]
}

fn filter(name: &str, label: &str, options: impl IntoIterator<Item = (String, String)>) -> FilterView {
    FilterView {
        name: name.into(),
        label: label.into(),
        options: options.into_iter().map(|(value, label)| OptionView { value, label }).collect(),
    }
}

/// A link to the action list with one filter set.
fn filter_href(name: &str, value: &str) -> String {
    format!("actions.html#{name}={}", encode(value, false))
}

fn breakdowns(scores: &Scores, look: &Lookup<'_>) -> Vec<Breakdown> {
    // (title, column, rows, filter key); rows without an id filter as `none`
    // for owners and not at all for solutions.
    let tables: [(&str, &str, &[BreakdownRow], &str); 5] = [
        ("By group", "Group", &scores.groups, "group"),
        ("By category", "Category", &scores.categories, "category"),
        ("By regulation", "Regulation", &scores.regulations, "regulation"),
        ("By solution", "Solution", &scores.solutions, "solution"),
        ("By owner", "Owner", &scores.owners, "owner"),
    ];
    tables
        .into_iter()
        .filter(|(_, _, rows, _)| !rows.is_empty())
        .map(|(title, column, rows, key)| Breakdown {
            title: title.into(),
            column: column.into(),
            rows: rows
                .iter()
                .map(|r| BreakdownView {
                    // Owners by name, as everywhere else in the report.
                    label: match (&r.id, key) {
                        (Some(email), "owner") => look.person(email).label,
                        _ => r.label.clone(),
                    },
                    score: score_view(r.score),
                    href: match (&r.id, key) {
                        (Some(id), "group" | "category") => Some(filter_href(key, id)),
                        (Some(id), _) => Some(filter_href(key, &id.to_lowercase())),
                        (None, "owner") => Some(filter_href(key, "none")),
                        (None, _) => None,
                    },
                })
                .collect(),
        })
        .collect()
}

/// The actions with the most points still to gain.
fn next(rows: &[ActionRow<'_, '_>], views: &[ActionView], overall: Score) -> NextView {
    // `views` are built from `rows`, in the same order.
    let mut todo: Vec<(&ActionRow, &ActionView)> =
        rows.iter().zip(views).filter(|(r, _)| r.remaining() > 0).collect();
    todo.sort_by(|(a, va), (b, vb)| b.remaining().cmp(&a.remaining()).then(va.id.cmp(&vb.id)));
    todo.truncate(NEXT_COUNT);
    let gain: u64 = todo.iter().map(|(r, _)| r.remaining()).sum();
    let actions = todo
        .iter()
        .map(|(r, view)| NextAction {
            missing_in: r
                .pairs
                .iter()
                .filter(|p| p.in_scope && !p.earns)
                .map(|p| p.assessment.to_string())
                .collect(),
            id: view.id.clone(),
            title: view.title.clone(),
            href: view.href.clone(),
            remaining: r.remaining(),
            owners: view.owners.clone(),
            implementation: view.implementation.clone(),
            test: view.test.clone(),
        })
        .collect();
    NextView { actions, gain, after: score_view(Score { earned: overall.earned + gain, max: overall.max }) }
}

fn notes(t: &Timeline) -> Vec<Note> {
    let mut notes = Vec::new();
    if t.commits.is_empty() {
        notes.push(Note {
            level: "info",
            text: "This repository has no commits yet: the report shows the current files. Score trends and status timelines appear once the repository is committed to git.".into(),
        });
    }
    if t.shallow
        && let Some(first) = t.points.first().and_then(|p| t.commits.get(p.commit))
    {
        notes.push(Note {
            level: "info",
            text: format!(
                "This is a shallow clone: history starts at the first available commit, {} of {}. Trends and status timelines show nothing before it.",
                first.short(),
                first.date()
            ),
        });
    }
    if !t.problems.is_empty() {
        let n = t.problems.len();
        notes.push(Note {
            level: "warning",
            text: format!(
                "{} in past commits could not be read; the history kept the last good version of each (see “Problems in history”).",
                if n == 1 { "1 file".to_owned() } else { format!("{n} files") }
            ),
        });
    }
    notes
}

/// The scores after one commit, at the commit's local author time.
struct Sample<'t> {
    /// Local time, seconds since 1970-01-01.
    time: i64,
    commit: &'t CommitInfo,
    point: &'t ScorePoint,
}

impl Sample<'_> {
    fn date(&self) -> String {
        let date = chart::date_of_day(self.time.div_euclid(chart::DAY));
        format!("{:04}-{:02}-{:02}", date.year(), date.month(), date.day())
    }
}

/// The score points in time order (history order for equal times). The
/// chart keeps one point per unit of width, so long histories stay small.
fn samples(t: &Timeline) -> Vec<Sample<'_>> {
    let mut out: Vec<Sample> = t
        .points
        .iter()
        .filter_map(|point| {
            let commit = t.commits.get(point.commit)?;
            Some(Sample { time: commit.time + i64::from(commit.offset_minutes) * 60, commit, point })
        })
        .collect();
    out.sort_by_key(|s| s.time);
    out
}

fn percent(p: Points) -> Option<f64> {
    (p.max > 0).then(|| Score::from(p).percent())
}

fn assessment_points(point: &ScorePoint, id: &str) -> Option<Points> {
    point.assessments.iter().find(|(a, _)| a == id).map(|(_, p)| *p)
}

fn overall_series(samples: &[Sample<'_>]) -> Series {
    Series {
        label: "Overall".into(),
        values: samples.iter().map(|s| (s.time, percent(s.point.overall))).collect(),
        emphasis: true,
    }
}

fn assessment_series(samples: &[Sample<'_>], id: &str, label: String) -> Series {
    Series {
        label,
        values: samples.iter().map(|s| (s.time, assessment_points(s.point, id).and_then(percent))).collect(),
        emphasis: false,
    }
}

/// "GDPR 2026 from 10.0% to 57.9%".
fn describe(series: &Series) -> Option<String> {
    let mut values = series.values.iter().filter_map(|(_, v)| *v);
    let first = values.next()?;
    let last = values.next_back().unwrap_or(first);
    Some(format!("{} from {first:.1}% to {last:.1}%", series.label))
}

fn trends(samples: &[Sample<'_>], look: &Lookup<'_>) -> Option<Trends> {
    let (first, last) = (samples.first()?, samples.last()?);
    let (first_date, last_date) = (first.date(), last.date());
    let span = format!("from {first_date} to {last_date}");
    let overall = overall_series(samples);
    let overall_chart = Chart {
        id: "trend-overall".into(),
        title: "Overall score over time".into(),
        description: format!("{}, {span}.", describe(&overall).unwrap_or_else(|| "Overall: n/a".into())),
        series: vec![overall],
    };
    let ids: BTreeSet<&str> =
        samples.iter().flat_map(|s| s.point.assessments.iter().map(|(a, _)| a.as_str())).collect();
    let series: Vec<Series> = ids
        .iter()
        .map(|id| {
            let label = match look.ws.assessments.get(*id) {
                Some(e) => e.assessment.name.clone(),
                None => format!("{id} (removed)"),
            };
            assessment_series(samples, id, label)
        })
        .collect();
    let described: Vec<String> = series.iter().filter_map(describe).collect();
    let by_assessment = Chart {
        id: "trend-assessments".into(),
        title: "Score of each assessment over time".into(),
        description: format!("Scores {span}: {}.", described.join("; ")),
        series,
    };
    Some(Trends {
        overall: chart::render(&overall_chart),
        assessments: chart::render(&by_assessment),
        first_date,
        last_date,
        monthly: monthly(samples),
    })
}

/// One assessment's trend, with the overall score for reference.
fn assessment_trend(samples: &[Sample<'_>], id: &str, name: &str) -> String {
    let (Some(first), Some(last)) = (samples.first(), samples.last()) else {
        return String::new();
    };
    let mine = assessment_series(samples, id, name.to_owned());
    let overall = overall_series(samples);
    let description = format!(
        "{}; {}; from {} to {}.",
        describe(&mine).unwrap_or_else(|| format!("{name}: n/a")),
        describe(&overall).unwrap_or_else(|| "Overall: n/a".into()),
        first.date(),
        last.date()
    );
    chart::render(&Chart {
        id: format!("trend-{id}"),
        title: format!("Score of {name} over time"),
        description,
        series: vec![mine, overall],
    })
}

/// The overall score at the end of each month.
fn monthly(samples: &[Sample<'_>]) -> Vec<MonthRow> {
    let mut months: BTreeMap<String, &Sample> = BTreeMap::new();
    for s in samples {
        let mut month = s.date();
        month.truncate(7);
        months.insert(month, s);
    }
    months
        .into_iter()
        .map(|(month, d)| MonthRow {
            month,
            commit: d.commit.short().to_owned(),
            score: score_view(d.point.overall.into()),
        })
        .collect()
}

/// Percent-encodes everything but unreserved characters (and `/` in paths).
pub fn encode(text: &str, keep_slash: bool) -> String {
    utf8_percent_encode(text, if keep_slash { PATH } else { COMPONENT }).to_string()
}

/// Everything but the unreserved characters of RFC 3986 (`A-Za-z0-9-._~`).
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');
/// [`COMPONENT`] with `/` kept, for paths.
const PATH: &AsciiSet = &COMPONENT.remove(b'/');

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoding() {
        assert_eq!(encode("evidence/CA policy #1.pdf", true), "evidence/CA%20policy%20%231.pdf");
        assert_eq!(encode("ana@example.com", false), "ana%40example.com");
        assert_eq!(encode("é", false), "%C3%A9");
    }

    #[test]
    fn empty_scores_show_na() {
        let s = score_view(Score::default());
        assert_eq!(s.text, "n/a");
        assert_eq!(score_view(Score { earned: 1, max: 3 }).text, "33.3%");
    }
}
