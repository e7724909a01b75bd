//! The terminal view: a score table like `git diff --stat`, then one line per change.

use std::fmt::Display;

use anstyle::Style;

use super::wording::*;
use crate::diff::{
    ActionChanges, ActionDiff, AssessmentDiff, PhaseDiff, ScoreChange, Side, StateDiff, Status, TemplateDiff,
    TextChange, WordOp, WorkspaceDiff,
};
use crate::ui::{BOLD, DIM, GREEN, RED, YELLOW, paint};

/// Terminal wording: control characters replaced; word changes coloured, or
/// marked like `git diff --word-diff` (`[-removed-]{+added+}`) without colour.
pub(super) struct Plain {
    color: bool,
    /// Continuation lines of multi-line text start here.
    indent: String,
}

impl Wording for Plain {
    fn text(&self, text: &str) -> String {
        crate::render::printable(text, false).replace('\n', &format!("\n{}", self.indent))
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
pub(crate) fn action_change_lines(c: &ActionChanges, color: bool) -> Vec<String> {
    action_fields(&Plain { color, indent: "      ".into() }, c)
}

/// The changes of a template: its fields, then `control ID: …` per changed control.
pub(crate) fn template_change_lines(t: &crate::diff::TemplateDiff, color: bool) -> Vec<String> {
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
pub(crate) fn human(diff: &WorkspaceDiff, base: &Side, head: &Side, color: bool) -> String {
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

pub(super) struct Term {
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
pub(super) fn headline<S: Display + Copy>(what: &str, p: &PhaseDiff<S>) -> Option<String> {
    let c = p.status.as_ref()?;
    let date = p.date.as_ref().and_then(|d| d.after).map(|d| format!(" ({d})")).unwrap_or_default();
    Some(format!("{what} {} → {}{date}", c.before, c.after))
}
