//! Wording shared by the terminal and Markdown.

use std::fmt::Display;

use crate::diff::{
    ActionChanges, AssessmentChanges, AssessmentDiff, Change, ConfigDiff, ControlDiff, EvidenceDiff,
    EvidenceItem, PhaseDiff, PointsByType, ScoreChange, Side, SideKind, Status, TemplateChanges, TextChange,
};
use crate::model::{ActionId, Level};
use crate::score::Score;

/// How one output format shows user text, a value change and a word diff.
pub(super) trait Wording {
    /// User text made safe for the format.
    fn text(&self, text: &str) -> String;
    fn arrow(&self, before: &str, after: &str) -> String;
    fn words(&self, change: &TextChange) -> String;
    /// An id (restricted to `[a-z0-9._-]`, nothing to escape).
    fn id(&self, id: &str) -> String;
}

pub(super) fn show<T: Display>(w: &dyn Wording, c: &Change<T>) -> String {
    w.arrow(&c.before.to_string(), &c.after.to_string())
}

pub(super) fn show_opt<T: Display>(w: &dyn Wording, c: &Change<Option<T>>) -> String {
    w.arrow(&or_none(&c.before), &or_none(&c.after))
}

/// An optional value, `(none)` when absent.
pub(super) fn or_none<T: Display>(value: &Option<T>) -> String {
    value.as_ref().map(ToString::to_string).unwrap_or_else(|| "(none)".into())
}

/// Collects `label: value` lines for the fields that changed.
pub(super) struct Fields<'w> {
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

pub(super) fn assessment_fields(w: &dyn Wording, c: &AssessmentChanges) -> Vec<String> {
    Fields::new(w)
        .value("name", &c.name)
        .value("template", &c.template)
        .value("template version", &c.template_version)
        .optional("group", &c.group)
        .optional("service", &c.service)
        .text("description", &c.description)
        .lines
}

pub(super) fn template_fields(w: &dyn Wording, c: &TemplateChanges) -> Vec<String> {
    Fields::new(w)
        .value("name", &c.name)
        .value("regulation", &c.regulation)
        .value("version", &c.version)
        .optional("source", &c.source)
        .text("description", &c.description)
        .lines
}

/// What changed in a control; an added control lists its actions.
pub(super) fn control_fields(w: &dyn Wording, c: &ControlDiff) -> Vec<String> {
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

pub(super) fn action_fields(w: &dyn Wording, c: &ActionChanges) -> Vec<String> {
    let mut lines = Fields::new(w)
        .value("title", &c.title)
        .value("version", &c.version)
        .value("category", &c.category)
        .value("action type", &c.action_type)
        .value("control type", &c.control_type)
        .value("mandatory", &c.mandatory)
        .value("points", &c.points)
        .value("testing", &c.testing)
        .value("managed by", &c.managed_by)
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
pub(super) fn config_fields(w: &dyn Wording, c: &ConfigDiff) -> Vec<String> {
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

pub(super) fn status_word(status: Status) -> &'static str {
    match status {
        Status::Added => "added",
        Status::Removed => "removed",
        Status::Changed => "changed",
        Status::Renamed => "renamed",
    }
}

/// "HEAD (1a2b3c4)", "working tree", "empty repository".
pub(super) fn side_label(side: &Side, code: impl Fn(&str) -> String) -> String {
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
pub(super) fn percent(score: Option<Score>) -> String {
    match score {
        None => "-".into(),
        Some(s) if s.max == 0 => "n/a".into(),
        Some(s) => format!("{:.1}%", s.percent()),
    }
}

pub(super) fn points(score: Option<Score>) -> String {
    score.map(|s| format!("{}/{}", s.earned, s.max)).unwrap_or_else(|| "-".into())
}

/// The change in percentage points: `+4.6`, `-2.5`, `±0.0` (points moved,
/// percentage did not), `new`, `removed`, `n/a`; empty when nothing moved.
pub(super) fn delta(c: &ScoreChange) -> String {
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

pub(super) fn plural(n: usize, what: &str) -> String {
    format!("{n} {what}{}", if n == 1 { "" } else { "s" })
}

/// Where an evidence item is: its path or its link.
pub(super) fn location(item: &Option<EvidenceItem>) -> Option<&str> {
    item.as_ref().and_then(|e| e.path.as_deref().or(e.url.as_deref()))
}

/// What an assessment's heading adds to its id and name.
pub(super) fn assessment_tag(a: &AssessmentDiff, code: impl Fn(&str) -> String) -> Option<String> {
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
pub(super) fn evidence_line(w: &dyn Wording, e: &EvidenceDiff, sign: &str) -> String {
    let mut s = format!("{sign} {}", w.text(&e.name));
    if !e.fields.is_empty() {
        s.push_str(&format!(" ({} changed)", e.fields.join(", ")));
    }
    s
}

/// The date change not already shown with a status change (or a removed date).
pub(super) fn phase_date<S>(p: &PhaseDiff<S>) -> Option<&Change<Option<crate::model::Date>>> {
    let d = p.date.as_ref()?;
    (p.status.is_none() || d.after.is_none()).then_some(d)
}
