//! `evident diff` output: the terminal view (a score table like
//! `git diff --stat`, then one line per changed action), Markdown for
//! pull-request comments, and JSON.
//!
//! Everything shown comes from a computed [`WorkspaceDiff`]; these functions
//! only choose what to show and how to word it.

use std::fmt::Display;

use anstyle::Style;
use serde_json::{Value, json};

use crate::diff::{
    ActionChanges, ActionDiff, AssessmentChanges, AssessmentDiff, Change, ConfigDiff, ControlDiff,
    EvidenceDiff, EvidenceItem, PhaseDiff, PointsByType, ScoreChange, ScoreRow, Side, SideKind, StateDiff,
    Status, TemplateChanges, TemplateDiff, TextChange, WordOp, WorkspaceDiff,
};
use crate::model::{ActionId, Level};
use crate::render::md_cell;
use crate::score::Score;
use crate::ui::{BOLD, DIM, GREEN, RED, YELLOW, paint};

// ---------------------------------------------------------------------------
// Wording shared by the terminal and Markdown

/// How one output format shows user text, a value change and a word diff.
trait Wording {
    /// User text made safe for the format.
    fn text(&self, text: &str) -> String;
    fn arrow(&self, before: &str, after: &str) -> String;
    fn words(&self, change: &TextChange) -> String;
    /// An id (restricted to `[a-z0-9._-]`, nothing to escape).
    fn id(&self, id: &str) -> String;
}

fn show<T: Display>(w: &dyn Wording, c: &Change<T>) -> String {
    w.arrow(&c.before.to_string(), &c.after.to_string())
}

fn show_opt<T: Display>(w: &dyn Wording, c: &Change<Option<T>>) -> String {
    w.arrow(&or_none(&c.before), &or_none(&c.after))
}

/// An optional value, `(none)` when absent.
fn or_none<T: Display>(value: &Option<T>) -> String {
    value.as_ref().map(ToString::to_string).unwrap_or_else(|| "(none)".into())
}

/// Collects `label: value` lines for the fields that changed.
struct Fields<'w> {
    w: &'w dyn Wording,
    lines: Vec<String>,
}

impl<'w> Fields<'w> {
    fn new(w: &'w dyn Wording) -> Self {
        Fields { w, lines: Vec::new() }
    }

    fn value<T: Display>(mut self, label: &str, c: &Option<Change<T>>) -> Self {
        if let Some(c) = c {
            self.lines.push(format!("{label}: {}", show(self.w, c)));
        }
        self
    }

    fn optional<T: Display>(mut self, label: &str, c: &Option<Change<Option<T>>>) -> Self {
        if let Some(c) = c {
            self.lines.push(format!("{label}: {}", show_opt(self.w, c)));
        }
        self
    }

    fn text(mut self, label: &str, c: &Option<TextChange>) -> Self {
        if let Some(c) = c {
            self.lines.push(format!("{label}: {}", self.w.words(c)));
        }
        self
    }

    fn ids(mut self, label: &str, ids: &[ActionId]) -> Self {
        if !ids.is_empty() {
            let list: Vec<String> = ids.iter().map(|id| self.w.id(id.as_str())).collect();
            self.lines.push(format!("{label}: {}", list.join(", ")));
        }
        self
    }
}

fn assessment_fields(w: &dyn Wording, c: &AssessmentChanges) -> Vec<String> {
    Fields::new(w)
        .value("name", &c.name)
        .value("template", &c.template)
        .value("template version", &c.template_version)
        .optional("group", &c.group)
        .optional("service", &c.service)
        .text("description", &c.description)
        .lines
}

fn template_fields(w: &dyn Wording, c: &TemplateChanges) -> Vec<String> {
    Fields::new(w)
        .value("name", &c.name)
        .value("regulation", &c.regulation)
        .value("version", &c.version)
        .optional("source", &c.source)
        .text("description", &c.description)
        .lines
}

/// What changed in a control; an added control lists its actions.
fn control_fields(w: &dyn Wording, c: &ControlDiff) -> Vec<String> {
    let fields = Fields::new(w)
        .value("title", &c.changes.title)
        .optional("family", &c.changes.family)
        .text("description", &c.changes.description)
        .ids("actions added", &c.actions_added);
    // A removed control's actions go with it; listing them says nothing more.
    if c.status == Status::Removed {
        fields.lines
    } else {
        fields.ids("actions removed", &c.actions_removed).lines
    }
}

fn action_fields(w: &dyn Wording, c: &ActionChanges) -> Vec<String> {
    let mut lines = Fields::new(w)
        .value("title", &c.title)
        .value("version", &c.version)
        .value("category", &c.category)
        .value("action type", &c.action_type)
        .value("control type", &c.control_type)
        .value("mandatory", &c.mandatory)
        .value("points", &c.points)
        .value("testing", &c.testing)
        .optional("solution", &c.solution)
        .optional("service", &c.service)
        .text("guidance", &c.guidance)
        .lines;
    for (what, links) in [("link added", &c.links_added), ("link removed", &c.links_removed)] {
        lines.extend(links.iter().map(|l| format!("{what}: {} ({})", w.text(&l.name), w.text(&l.url))));
    }
    lines
}

/// Role, scoring, rule and check changes of the configuration, one line each.
fn config_fields(w: &dyn Wording, c: &ConfigDiff) -> Vec<String> {
    let mut out = Vec::new();
    for p in &c.people {
        let name = match p.status {
            Status::Changed => show_opt(w, &p.name),
            Status::Removed => w.text(&or_none(&p.name.before)),
            _ => w.text(&or_none(&p.name.after)),
        };
        out.push(format!("person {} {}: {name}", status_word(p.status), w.text(&p.email)));
    }
    let roles = [
        ("assessor added", &c.assessors_added),
        ("assessor removed", &c.assessors_removed),
        ("admin added", &c.admins_added),
        ("admin removed", &c.admins_removed),
    ];
    for (what, list) in roles {
        out.extend(list.iter().map(|who| format!("{what}: {}", w.text(who))));
    }
    if let Some(s) = &c.scoring {
        let row = |p: &PointsByType| format!("{}/{}/{}", p.preventative, p.detective, p.corrective);
        out.push(format!(
            "scoring (preventative/detective/corrective): mandatory {}, discretionary {}",
            w.arrow(&row(&s.before.mandatory), &row(&s.after.mandatory)),
            w.arrow(&row(&s.before.discretionary), &row(&s.after.discretionary))
        ));
    }
    for r in &c.rules {
        let level = |l: Option<Level>| match l {
            Some(Level::Error) => "error",
            Some(Level::Warning) => "warning",
            Some(Level::Off) => "off",
            None => "(default)",
        };
        out.push(format!("rule {}: {}", w.text(&r.rule), w.arrow(level(r.before), level(r.after))));
    }
    if let Some(x) = &c.max_score_drop {
        out.push(format!("max-score-drop: {}", show(w, x)));
    }
    if let Some(x) = &c.assessor_drops {
        out.push(format!("assessor-drops: {}", show(w, x)));
    }
    out
}

fn status_word(status: Status) -> &'static str {
    match status {
        Status::Added => "added",
        Status::Removed => "removed",
        Status::Changed => "changed",
        Status::Renamed => "renamed",
    }
}

/// "HEAD (1a2b3c4)", "working tree", "empty repository".
fn side_label(side: &Side, code: impl Fn(&str) -> String) -> String {
    match side.kind {
        SideKind::Worktree => "working tree".into(),
        SideKind::Empty => "empty repository".into(),
        SideKind::Commit => {
            let full = side.commit.as_deref().unwrap_or_default();
            let id = code(full.get(..7).unwrap_or(full));
            match side.rev.as_deref() {
                // A revision given as an id prefix says nothing the id does not.
                Some(rev) if !full.starts_with(rev) => format!("{} ({id})", code(rev)),
                _ => id,
            }
        }
    }
}

/// A percentage, `n/a` when nothing is in scope, `-` when absent.
fn percent(score: Option<Score>) -> String {
    match score {
        None => "-".into(),
        Some(s) if s.max == 0 => "n/a".into(),
        Some(s) => format!("{:.1}%", s.percent()),
    }
}

fn points(score: Option<Score>) -> String {
    score.map(|s| format!("{}/{}", s.earned, s.max)).unwrap_or_else(|| "-".into())
}

/// The change in percentage points: `+4.6`, `-2.5`, `±0.0` (points moved,
/// percentage did not), `new`, `removed`, `n/a`; empty when nothing moved.
fn delta(c: &ScoreChange) -> String {
    match (c.before, c.after, c.delta_tenths) {
        (None, Some(_), _) => "new".into(),
        (Some(_), None, _) => "removed".into(),
        _ if !c.changed => String::new(),
        (_, _, None) => "n/a".into(),
        (_, _, Some(0)) => "±0.0".into(),
        (_, _, Some(d)) if d > 0 => format!("+{:.1}", d as f64 / 10.0),
        (_, _, Some(d)) => format!("-{:.1}", d.unsigned_abs() as f64 / 10.0),
    }
}

fn plural(n: usize, what: &str) -> String {
    format!("{n} {what}{}", if n == 1 { "" } else { "s" })
}

/// Where an evidence item is: its path or its link.
fn location(item: &Option<EvidenceItem>) -> Option<&str> {
    item.as_ref().and_then(|e| e.path.as_deref().or(e.url.as_deref()))
}

/// What an assessment's heading adds to its id and name.
fn assessment_tag(a: &AssessmentDiff, code: impl Fn(&str) -> String) -> Option<String> {
    match a.status {
        Status::Added => {
            let group = a.group.as_ref().map(|g| format!(", group {}", code(g.as_str()))).unwrap_or_default();
            Some(format!("new: template {} version {}{group}", code(a.template.as_str()), a.template_version))
        }
        Status::Removed => Some(format!("removed, with {}", plural(a.actions.len(), "action state"))),
        Status::Renamed => {
            a.renamed_from.as_ref().map(|from| format!("renamed from {}", code(from.as_str())))
        }
        Status::Changed => None,
    }
}

/// Evidence as `+ name`, `- name`, `~ name (sha256 changed)`.
fn evidence_line(w: &dyn Wording, e: &EvidenceDiff, sign: &str) -> String {
    let mut s = format!("{sign} {}", w.text(&e.name));
    if !e.fields.is_empty() {
        s.push_str(&format!(" ({} changed)", e.fields.join(", ")));
    }
    s
}

// ---------------------------------------------------------------------------
// Terminal

/// Terminal wording: control characters replaced; word changes coloured, or
/// marked like `git diff --word-diff` (`[-removed-]{+added+}`) without colour.
struct Plain {
    color: bool,
    /// Continuation lines of multi-line text start here.
    indent: String,
}

impl Wording for Plain {
    fn text(&self, text: &str) -> String {
        super::printable(text, false).replace('\n', &format!("\n{}", self.indent))
    }

    fn arrow(&self, before: &str, after: &str) -> String {
        format!("{} → {}", self.text(before), self.text(after))
    }

    fn words(&self, change: &TextChange) -> String {
        let mut s = String::new();
        for w in &change.words {
            let text = self.text(&w.text);
            s.push_str(&match (w.op, self.color) {
                (WordOp::Equal, _) => text,
                (WordOp::Removed, true) => paint(true, RED.strikethrough(), text),
                (WordOp::Added, true) => paint(true, GREEN, text),
                (WordOp::Removed, false) => format!("[-{text}-]"),
                (WordOp::Added, false) => format!("{{+{text}+}}"),
            });
        }
        s
    }

    fn id(&self, id: &str) -> String {
        id.to_owned()
    }
}

/// The changed fields of an action definition, one line each (for `evident updates`).
pub fn action_change_lines(c: &ActionChanges, color: bool) -> Vec<String> {
    action_fields(&Plain { color, indent: "      ".into() }, c)
}

/// The changes of a template: its fields, then `control ID: …` per changed control.
pub fn template_change_lines(t: &crate::diff::TemplateDiff, color: bool) -> Vec<String> {
    let w = Plain { color, indent: "      ".into() };
    let mut lines = template_fields(&w, &t.changes);
    for c in &t.controls {
        let fields = control_fields(&w, c);
        let what = format!("control {} ({})", c.id, status_word(c.status));
        if fields.is_empty() {
            lines.push(what);
        } else {
            lines.extend(fields.iter().map(|f| format!("{what}: {f}")));
        }
    }
    lines
}

/// The terminal view; `no changes` when there are none.
pub fn human(diff: &WorkspaceDiff, base: &Side, head: &Side, color: bool) -> String {
    if diff.is_empty() {
        return "no changes\n".into();
    }
    let mut t = Term { out: String::new(), color };
    let w = t.wording(0);
    let title = format!("{} → {}", side_label(base, |x| w.text(x)), side_label(head, |x| w.text(x)));
    t.line(&t.paint(BOLD, title));
    t.out.push('\n');
    t.scores(diff);
    for a in &diff.assessments {
        t.out.push('\n');
        t.assessment(a);
    }
    t.section("templates", &diff.templates, Term::template);
    t.section("actions", &diff.actions, Term::action);
    if !diff.config.is_empty() {
        t.out.push('\n');
        t.line(&t.paint(BOLD, "config"));
        for l in config_fields(&t.wording(2), &diff.config) {
            t.line(&format!("  {l}"));
        }
    }
    t.out
}

struct Term {
    out: String,
    color: bool,
}

/// A terminal table cell: text and style (applied after measuring).
type Cell = (String, Style);

impl Term {
    fn line(&mut self, text: &str) {
        self.out.push_str(text.trim_end());
        self.out.push('\n');
    }

    fn paint(&self, style: Style, text: impl Display) -> String {
        paint(self.color, style, text)
    }

    fn wording(&self, indent: usize) -> Plain {
        Plain { color: self.color, indent: " ".repeat(indent) }
    }

    /// `+`, `-` or `~` in the colour of the status.
    fn sign(&self, status: Status) -> String {
        match status {
            Status::Added => self.paint(GREEN, "+"),
            Status::Removed => self.paint(RED, "-"),
            Status::Changed | Status::Renamed => self.paint(YELLOW, "~"),
        }
    }

    /// The overall score, then the assessments and categories whose score moved.
    fn scores(&mut self, diff: &WorkspaceDiff) {
        let s = &diff.scores;
        let mut rows = vec![self.score_row("overall".into(), &s.overall)];
        for r in s.assessments.iter().filter(|r| r.change.changed) {
            let label = match &r.renamed_from {
                Some(from) => format!("{} (was {from})", r.id),
                None => r.id.clone(),
            };
            rows.push(self.score_row(label, &r.change));
        }
        self.table(&["score", "before", "after", "change", "points"], rows);
        let moved = s.categories.iter().filter(|r| r.change.changed);
        let categories: Vec<Vec<Cell>> = moved.map(|r| self.score_row(r.label.clone(), &r.change)).collect();
        if !categories.is_empty() {
            self.out.push('\n');
            self.table(&["category", "before", "after", "change", "points"], categories);
        }
    }

    fn score_row(&self, label: String, c: &ScoreChange) -> Vec<Cell> {
        let style = match c.delta_tenths {
            Some(d) if d > 0 => GREEN,
            Some(d) if d < 0 => RED,
            _ => Style::new(),
        };
        vec![
            (self.wording(0).text(&label), Style::new()),
            (percent(c.before), Style::new()),
            (percent(c.after), Style::new()),
            (delta(c), style),
            (format!("{} → {}", points(c.before), points(c.after)), DIM),
        ]
    }

    /// Aligned columns: the first and last left-aligned, the others right.
    /// Widths are measured before colouring (escape codes take no room).
    fn table(&mut self, headers: &[&str], rows: Vec<Vec<Cell>>) {
        let header: Vec<Cell> = headers.iter().map(|h| (h.to_string(), BOLD)).collect();
        let all: Vec<&Vec<Cell>> = std::iter::once(&header).chain(rows.iter()).collect();
        let width = |i: usize| all.iter().map(|r| r.get(i).map_or(0, |c| c.0.chars().count())).max();
        let widths: Vec<usize> = (0..headers.len()).map(|i| width(i).unwrap_or(0)).collect();
        for row in all {
            let mut line = String::new();
            for (i, (text, style)) in row.iter().enumerate() {
                let width = widths.get(i).copied().unwrap_or(0);
                let pad = " ".repeat(width.saturating_sub(text.chars().count()));
                let cell = self.paint(*style, text);
                let right = i > 0 && i + 1 < headers.len();
                line.push_str(&if right { format!("{pad}{cell}  ") } else { format!("{cell}{pad}  ") });
            }
            self.line(&line);
        }
    }

    fn assessment(&mut self, a: &AssessmentDiff) {
        let w = self.wording(2);
        let tag = assessment_tag(a, str::to_owned).map(|t| self.paint(DIM, format!("  ({t})")));
        let id = self.paint(BOLD, &a.id);
        self.line(&format!("{} {id}  {}{}", self.sign(a.status), w.text(&a.name), tag.unwrap_or_default()));
        for l in assessment_fields(&w, &a.changes) {
            self.line(&format!("  {l}"));
        }
        // A removed assessment's states are gone with it; the count is in the tag.
        if a.status == Status::Removed {
            return;
        }
        let width = a.actions.iter().map(|s| s.action.as_str().len()).max().unwrap_or(0);
        for s in &a.actions {
            self.state(s, width, a.status == Status::Changed);
        }
    }

    /// `  id  implementation a → b (date)  test a → b`, then one line per other change.
    fn state(&mut self, s: &StateDiff, width: usize, show_file: bool) {
        let indent = width + 4;
        let mut head: Vec<String> =
            [headline("implementation", &s.implementation), headline("test", &s.test)]
                .into_iter()
                .flatten()
                .collect();
        let mut details = self.state_details(s, indent, show_file);
        if head.is_empty() && !details.is_empty() {
            head.push(details.remove(0));
        }
        self.line(&format!("  {:<width$}  {}", s.action.as_str(), head.join("  ")));
        for d in details {
            self.line(&format!("{}{d}", " ".repeat(indent)));
        }
    }

    fn state_details(&self, s: &StateDiff, indent: usize, show_file: bool) -> Vec<String> {
        let w = self.wording(indent);
        let mut out = Vec::new();
        if let Some(x) = &s.owner {
            out.push(format!("owner {}", show_opt(&w, x)));
        }
        // A date that moved with its status is in the headline already.
        for (what, p) in [("implementation", phase_date(&s.implementation)), ("test", phase_date(&s.test))] {
            if let Some(d) = p {
                out.push(format!("{what} date {}", show_opt(&w, d)));
            }
        }
        for e in &s.evidence {
            let at = location(if e.status == Status::Removed { &e.before } else { &e.after });
            let at = at.map(|at| self.paint(DIM, format!("  {}", w.text(at)))).unwrap_or_default();
            out.push(format!("{}{at}", evidence_line(&w, e, &format!("{} evidence", self.sign(e.status)))));
        }
        for (what, notes) in [("implementation", &s.implementation.notes), ("test", &s.test.notes)] {
            if let Some(n) = notes {
                out.push(format!("{what} notes: {}", w.words(n)));
            }
        }
        if let Some(x) = &s.accepted_version {
            out.push(format!("accepted version {}", show_opt(&w, x)));
        }
        match (s.file, show_file) {
            (Status::Removed, _) => out.push(self.paint(RED, "state file deleted")),
            (Status::Added, true) => out.push(self.paint(GREEN, "new state file")),
            _ => {}
        }
        out
    }

    fn section<T>(&mut self, title: &str, items: &[T], f: fn(&mut Term, &T)) {
        if items.is_empty() {
            return;
        }
        self.out.push('\n');
        self.line(&self.paint(BOLD, title));
        for item in items {
            f(self, item);
        }
    }

    fn template(&mut self, t: &TemplateDiff) {
        let w = self.wording(4);
        let head = format!("  {} {}  {}", self.sign(t.status), t.id, w.text(&t.name));
        if t.status != Status::Changed {
            let what = format!("(version {}, {})", t.version, plural(t.controls.len(), "control"));
            self.line(&format!("{head}  {}", self.paint(DIM, what)));
            return;
        }
        self.line(&head);
        for l in template_fields(&w, &t.changes) {
            self.line(&format!("    {l}"));
        }
        for c in &t.controls {
            let fields = control_fields(&w, c);
            let title =
                if c.status == Status::Changed { String::new() } else { format!("  {}", w.text(&c.title)) };
            let fields = if fields.is_empty() { String::new() } else { format!("  {}", fields.join("; ")) };
            self.line(&format!(
                "    {} control {}{title}{fields}",
                self.sign(c.status),
                w.text(c.id.as_str())
            ));
        }
    }

    fn action(&mut self, a: &ActionDiff) {
        let w = self.wording(4);
        let head = format!("  {} {}  {}", self.sign(a.status), a.id, w.text(&a.title));
        if a.status != Status::Changed {
            let worth = self.paint(DIM, format!("({})", plural(a.points as usize, "point")));
            self.line(&format!("{head}  {worth}"));
            return;
        }
        self.line(&head);
        for l in action_fields(&w, &a.changes) {
            self.line(&format!("    {l}"));
        }
    }
}

/// `implementation planned → implemented (2026-03-02)`, when the status changed.
fn headline<S: Display + Copy>(what: &str, p: &PhaseDiff<S>) -> Option<String> {
    let c = p.status.as_ref()?;
    let date = p.date.as_ref().and_then(|d| d.after).map(|d| format!(" ({d})")).unwrap_or_default();
    Some(format!("{what} {} → {}{date}", c.before, c.after))
}

/// The date change not already shown with a status change (or a removed date).
fn phase_date<S>(p: &PhaseDiff<S>) -> Option<&Change<Option<crate::model::Date>>> {
    let d = p.date.as_ref()?;
    (p.status.is_none() || d.after.is_none()).then_some(d)
}

// ---------------------------------------------------------------------------
// Markdown

/// Markdown wording: user text escaped (no HTML, emphasis, links or code
/// spans from the text itself, one line), changes as `old → **new**` and word
/// diffs as `~~removed~~ **added**`.
struct Md;

impl Wording for Md {
    fn text(&self, text: &str) -> String {
        md_cell(text)
    }

    fn arrow(&self, before: &str, after: &str) -> String {
        format!("{} → **{}**", self.text(before), self.text(after))
    }

    /// The markers hug the words (GitHub ignores `~~ x~~`): surrounding
    /// whitespace stays outside them.
    fn words(&self, change: &TextChange) -> String {
        let mut out = String::new();
        let mut last = WordOp::Equal;
        for w in &change.words {
            let marker = match w.op {
                WordOp::Equal => "",
                WordOp::Removed => "~~",
                WordOp::Added => "**",
            };
            let trimmed = w.text.trim();
            if marker.is_empty() || trimmed.is_empty() {
                // Removed whitespace leaves no trace; added whitespace is just space.
                if w.op != WordOp::Removed {
                    out.push_str(&self.text(&w.text));
                }
            } else {
                // `~~old~~ **new**`, not `~~old~~**new**`.
                if last == WordOp::Removed
                    && w.op == WordOp::Added
                    && !w.text.starts_with(char::is_whitespace)
                {
                    out.push(' ');
                }
                let lead = &w.text[..w.text.len() - w.text.trim_start().len()];
                let trail = &w.text[w.text.trim_end().len()..];
                out.push_str(&format!(
                    "{}{marker}{}{marker}{}",
                    self.text(lead),
                    self.text(trimmed),
                    self.text(trail)
                ));
            }
            last = w.op;
        }
        out
    }

    fn id(&self, id: &str) -> String {
        code(id)
    }
}

/// An id in a code span; ids are restricted to `[a-z0-9._-]`, so nothing to escape.
fn code(id: &str) -> String {
    format!("`{id}`")
}

/// Markdown for a pull-request comment: a score table, then per assessment a
/// table of changed actions with the notes diffs under it, then definition
/// changes as a list.
pub fn markdown(diff: &WorkspaceDiff, base: &Side, head: &Side) -> String {
    // In a code span nothing is markup; only a backtick could end it early.
    let md_side = |s: &Side| side_label(s, |x| code(&x.replace('`', "'").replace(['\n', '\r'], " ")));
    let mut out = format!("## evident diff: {} → {}\n\n", md_side(base), md_side(head));
    if diff.is_empty() {
        out.push_str("No changes.\n");
        return out;
    }
    md_scores(&mut out, diff);
    for a in &diff.assessments {
        md_assessment(&mut out, a);
    }
    md_definitions(&mut out, diff);
    out
}

fn md_percent(score: Option<Score>) -> String {
    match score {
        Some(s) if s.max > 0 => format!("{} ({})", percent(score), points(score)),
        _ => percent(score),
    }
}

fn md_score_row(label: &str, c: &ScoreChange) -> String {
    format!("| {label} | {} | {} | {} |\n", md_percent(c.before), md_percent(c.after), delta(c))
}

fn md_scores(out: &mut String, diff: &WorkspaceDiff) {
    let s = &diff.scores;
    out.push_str("| Score | Before | After | Change |\n|---|---:|---:|---:|\n");
    out.push_str(&md_score_row("**Overall**", &s.overall));
    for r in s.assessments.iter().filter(|r| r.change.changed) {
        let was = r.renamed_from.as_deref().map(|f| format!(" (was {})", code(f))).unwrap_or_default();
        out.push_str(&md_score_row(&format!("{}{was} {}", code(&r.id), Md.text(&r.label)), &r.change));
    }
    let categories: Vec<&ScoreRow> = s.categories.iter().filter(|r| r.change.changed).collect();
    if !categories.is_empty() {
        out.push_str("\n| Category | Before | After | Change |\n|---|---:|---:|---:|\n");
        for r in categories {
            out.push_str(&md_score_row(&Md.text(&r.label), &r.change));
        }
    }
    out.push('\n');
}

fn md_list(out: &mut String, items: &[String]) {
    for item in items {
        out.push_str(&format!("- {item}\n"));
    }
    if !items.is_empty() {
        out.push('\n');
    }
}

fn md_assessment(out: &mut String, a: &AssessmentDiff) {
    let tag = assessment_tag(a, code).map(|t| format!(" ({t})")).unwrap_or_default();
    out.push_str(&format!("### {} {}{tag}\n\n", code(a.id.as_str()), Md.text(&a.name)));
    md_list(out, &assessment_fields(&Md, &a.changes));
    if a.status == Status::Removed || a.actions.is_empty() {
        return;
    }
    out.push_str("| Action | Owner | Implementation | Test | Evidence |\n|---|---|---|---|---|\n");
    for s in &a.actions {
        md_state_row(out, s, a.status == Status::Changed);
    }
    out.push('\n');
    let notes: Vec<String> = a.actions.iter().flat_map(md_state_notes).collect();
    md_list(out, &notes);
}

/// A status cell: the change with the new date, or the unchanged status.
fn md_phase<S: Display + Copy>(p: &PhaseDiff<S>, current: S) -> String {
    let mut cell = match &p.status {
        Some(c) => show(&Md, c),
        None => current.to_string(),
    };
    match (&p.status, phase_date(p)) {
        (_, Some(d)) => cell.push_str(&format!(" (date {})", show_opt(&Md, d))),
        (Some(_), None) => {
            if let Some(after) = p.date.as_ref().and_then(|d| d.after) {
                cell.push_str(&format!(" ({after})"));
            }
        }
        (None, None) => {}
    }
    cell
}

fn md_state_row(out: &mut String, s: &StateDiff, show_file: bool) {
    let file = match (s.file, show_file) {
        (Status::Removed, _) => " (file deleted)",
        (Status::Added, true) => " (new file)",
        _ => "",
    };
    let owner = match &s.owner {
        Some(c) => show_opt(&Md, c),
        None => Md.text(&or_none(&s.current.owner)),
    };
    let evidence: Vec<String> = s
        .evidence
        .iter()
        .map(|e| {
            let sign = match e.status {
                Status::Added => "+",
                Status::Removed => "-",
                _ => "~",
            };
            evidence_line(&Md, e, sign)
        })
        .collect();
    out.push_str(&format!(
        "| {}{file} | {owner} | {} | {} | {} |\n",
        code(s.action.as_str()),
        md_phase(&s.implementation, s.current.implementation),
        md_phase(&s.test, s.current.test),
        evidence.join("<br>")
    ));
}

/// Notes diffs and accepted versions of one action, for the list under the table.
fn md_state_notes(s: &StateDiff) -> Vec<String> {
    let id = code(s.action.as_str());
    let mut out = Vec::new();
    for (what, notes) in [("implementation", &s.implementation.notes), ("test", &s.test.notes)] {
        if let Some(n) = notes {
            out.push(format!("{id} {what} notes: {}", Md.words(n)));
        }
    }
    if let Some(x) = &s.accepted_version {
        out.push(format!("{id} accepted version: {}", show_opt(&Md, x)));
    }
    out
}

fn md_definitions(out: &mut String, diff: &WorkspaceDiff) {
    let mut items: Vec<String> = Vec::new();
    items.extend(diff.templates.iter().map(md_template));
    items.extend(diff.actions.iter().map(md_action));
    items.extend(config_fields(&Md, &diff.config).into_iter().map(|l| format!("Config: {l}")));
    if !items.is_empty() {
        out.push_str("### Definitions\n\n");
        md_list(out, &items);
    }
}

/// A list item with nested items.
fn nested(head: String, sub: Vec<String>) -> String {
    let mut s = head;
    for item in sub {
        s.push_str(&format!("\n  - {item}"));
    }
    s
}

fn md_template(t: &TemplateDiff) -> String {
    let head = format!("Template {} {}", code(t.id.as_str()), Md.text(&t.name));
    if t.status != Status::Changed {
        let controls = plural(t.controls.len(), "control");
        return format!("{head}: {} (version {}, {controls})", status_word(t.status), t.version);
    }
    let mut sub = template_fields(&Md, &t.changes);
    for c in &t.controls {
        let fields = control_fields(&Md, c);
        let head =
            format!("control {} {}: {}", Md.text(c.id.as_str()), Md.text(&c.title), status_word(c.status));
        sub.push(if fields.is_empty() { head } else { format!("{head}; {}", fields.join("; ")) });
    }
    nested(head, sub)
}

fn md_action(a: &ActionDiff) -> String {
    let head = format!("Action {} {}", code(a.id.as_str()), Md.text(&a.title));
    if a.status != Status::Changed {
        return format!("{head}: {} ({})", status_word(a.status), plural(a.points as usize, "point"));
    }
    nested(head, action_fields(&Md, &a.changes))
}

// ---------------------------------------------------------------------------
// JSON

/// The JSON object documented in `evident diff --help`.
pub fn json(diff: &WorkspaceDiff, base: &Side, head: &Side) -> Value {
    json!({
        "base": value(base),
        "head": value(head),
        "changed": !diff.is_empty(),
        "scores": value(&diff.scores),
        "assessments": value(&diff.assessments),
        "templates": value(&diff.templates),
        "actions": value(&diff.actions),
        "config": value(&diff.config),
    })
}

/// The diff types have string keys only, so serialising cannot fail; `null`
/// stands in should it ever.
fn value(v: &impl serde::Serialize) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}
