//! Turning model values into views: names, people, pages, commits, states.

use std::collections::{BTreeMap, BTreeSet};

use super::filters::filter_pairs;
use super::trends::{Sample, assessment_trend};
use super::*;
use crate::filter::ActionRow;
use crate::history::timeline::{CommitInfo, StatusEvent, Timeline};
use crate::model::{Evidence, Workspace};
use crate::report::markdown;
use crate::score::{Agreement, AssessmentScore, Pair, Score, agreement};

/// Shared lookups: names, people, pages, commits.
pub(super) struct Lookup<'a> {
    pub(super) ws: &'a Workspace,
    pub(super) timeline: &'a Timeline,
    pub(super) evidence: &'a BTreeSet<String>,
    /// Actions that have a page, with their titles.
    pub(super) action_titles: BTreeMap<&'a str, &'a str>,
    /// Status events by action.
    pub(super) events: BTreeMap<&'a str, Vec<&'a StatusEvent>>,
}

impl<'a> Lookup<'a> {
    pub(super) fn new(input: &Input<'a>, rows: &[ActionRow<'_, 'a>]) -> Self {
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

    pub(super) fn person(&self, email: &str) -> PersonView {
        let name = self.ws.config.person_name(email).map(str::to_owned);
        PersonView { email: email.to_owned(), label: name.clone().unwrap_or_else(|| email.to_owned()), name }
    }

    pub(super) fn assessment_href(&self, id: &str) -> Option<String> {
        self.ws.assessments.contains_key(id).then(|| format!("assessments/{id}.html"))
    }

    pub(super) fn action_href(&self, id: &str) -> Option<String> {
        self.action_titles.contains_key(id).then(|| format!("actions/{id}.html"))
    }

    pub(super) fn assessment_name(&self, id: &str) -> String {
        self.ws.assessments.get(id).map(|e| e.assessment.name.clone()).unwrap_or_else(|| id.to_owned())
    }

    pub(super) fn commit(&self, index: usize) -> Option<&'a CommitInfo> {
        self.timeline.commits.get(index)
    }

    pub(super) fn event(&self, e: &StatusEvent) -> EventView {
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
            signed_good: false,
        }
    }

    pub(super) fn problem(&self, p: &crate::history::timeline::Problem) -> Option<ProblemView> {
        let c = self.commit(p.commit)?;
        Some(ProblemView {
            date: c.date(),
            commit: c.short().to_owned(),
            author: c.author_name.clone(),
            path: p.path.clone(),
            message: p.message.clone(),
        })
    }

    pub(super) fn evidence(&self, e: &Evidence) -> EvidenceView {
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

    pub(super) fn state(&self, p: &Pair<'_>) -> StateView {
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
            test_age: super::age::age(self.ws, p),
            test_notes: s.test.notes.clone(),
            evidence: s.evidence.iter().map(|e| self.evidence(e)).collect(),
            score: score_view(p.score()),
            in_scope: p.in_scope,
            accepted_version: s.accepted_version,
            pending_update: p.pending_update,
        }
    }

    pub(super) fn action(&self, row: &ActionRow<'_, '_>) -> ActionView {
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
            counts_for: crate::report::related::counts_for(self.ws, &id),
            states: row.pairs.iter().map(|p| self.state(p)).collect(),
            events: self.events.get(id.as_str()).into_iter().flatten().map(|e| self.event(e)).collect(),
            id,
        }
    }

    pub(super) fn assessment(
        &self,
        a: &AssessmentScore,
        pairs: &[Pair<'_>],
        samples: &[Sample<'_>],
    ) -> AssessmentView {
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
                            family_start: false,
                            related: crate::report::related::related(c),
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
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default();
        let controls = by_family(controls);
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
            soa_href: format!("soa/{}.html", a.id),
            soa: crate::soa::build(self.ws, pairs, &a.id).map(|s| self.soa(&s)).unwrap_or_default(),
        }
    }

    pub(super) fn soa(&self, soa: &crate::soa::Soa<'_>) -> SoaView {
        SoaView {
            applicable: soa.applicable(),
            controls: soa
                .controls
                .iter()
                .map(|c| SoaControlView {
                    id: c.control.id.to_string(),
                    title: c.control.title.clone(),
                    family: c.control.family.clone(),
                    applicable: c.applicable(),
                    exclusions: c
                        .exclusions()
                        .into_iter()
                        .map(|e| ExclusionView { action: e.action.to_owned(), notes: e.notes })
                        .collect(),
                    implementation: c.implementation_summary(),
                    test: c.test_summary(),
                    actions: c.actions.iter().map(|p| self.control_action(p)).collect(),
                    owners: c.owners().into_iter().map(|o| self.person(o)).collect(),
                    evidence: c.evidence().into_iter().map(|e| self.evidence(e)).collect(),
                    score: score_view(c.score()),
                })
                .collect(),
        }
    }

    pub(super) fn control_action(&self, p: &Pair<'_>) -> ControlActionView {
        ControlActionView {
            id: p.id.to_string(),
            title: p.action.title.clone(),
            href: format!("actions/{}.html", p.id),
            implementation: status(
                p.state.implementation.status.as_str(),
                p.state.implementation.status.label(),
            ),
            test: status(p.state.test.status.as_str(), p.state.test.status.label()),
            test_age: super::age::age(self.ws, p),
            owner: p.state.owner.as_deref().map(|o| self.person(o)),
            score: score_view(p.score()),
            in_scope: p.in_scope,
        }
    }
}

/// What an event changed, in the words of `evident history`; a state file
/// added with the default state changes nothing visible.
pub(super) fn changes(e: &StatusEvent) -> Vec<String> {
    let words =
        crate::render::history::changes(e.before_or_default(), e.after_or_default(), e.after.is_none());
    if words.is_empty() && e.before.is_none() { vec!["state file added".into()] } else { words }
}

pub(super) fn commit_view(c: &CommitInfo) -> CommitView {
    CommitView {
        id: c.id.clone(),
        short: c.short().to_owned(),
        date: c.date(),
        author: c.author_name.clone(),
        summary: c.summary.clone(),
    }
}

pub(super) fn status(value: &str, label: &str) -> StatusView {
    StatusView { value: value.to_owned(), label: label.to_owned() }
}

pub(crate) fn score_view(s: Score) -> ScoreView {
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
pub(super) fn common_status(
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
pub(super) fn owners<'r>(row: &'r ActionRow<'_, '_>) -> BTreeSet<&'r str> {
    row.pairs.iter().filter_map(|p| p.state.owner.as_deref()).collect()
}

/// The controls grouped by family (see [`crate::report::related::family_order`]).
fn by_family(controls: Vec<ControlView>) -> Vec<ControlView> {
    let families: Vec<Option<&str>> = controls.iter().map(|c| c.family.as_deref()).collect();
    let (order, starts) = crate::report::related::family_order(&families);
    let mut slots: Vec<Option<ControlView>> = controls.into_iter().map(Some).collect();
    order
        .into_iter()
        .zip(starts)
        .filter_map(|(i, start)| {
            let mut c = slots[i].take()?;
            c.family_start = start;
            Some(c)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    pub(super) fn empty_scores_show_na() {
        let s = score_view(Score::default());
        assert_eq!(s.text, "n/a");
        assert_eq!(score_view(Score { earned: 1, max: 3 }).text, "33.3%");
    }
}
