//! Lanes (the action states that move together), steps, and the builder of a lane's steps.

use std::collections::BTreeMap;

use super::*;
use evident::model::ActionState;
use jiff::civil::Date as Day;

/// One shared state of an action: every assessment of a group that lists the action (group
/// sync), plus other assessments whose final state is the same (one team, one control).
pub(super) struct Lane {
    pub(super) action: String,
    /// Assessment ids whose state file this lane writes.
    pub(super) units: Vec<String>,
    /// The final state (owner, implementation, test, evidence; `accepted_version` per file).
    pub(super) fin: ActionState,
    /// Suffix naming the lane's regulations when the action has other lanes: " (HIPAA)".
    pub(super) scope: String,
    /// Whether every unit is in a group (the privacy side of the program).
    pub(super) grouped_only: bool,
    pub(super) ungrouped_only: bool,
}

pub(super) fn synced(s: &ActionState) -> ActionState {
    ActionState { accepted_version: None, ..s.clone() }
}

#[derive(Clone)]
pub(super) struct Step {
    pub(super) day: Day,
    pub(super) author: String,
    /// Steps with the same day, author and key become one commit.
    pub(super) key: String,
    pub(super) action: String,
    pub(super) subject: String,
    /// Subject without the scope suffix.
    pub(super) base: String,
    /// Subject of a commit of several such steps; `{n}` is the number of actions.
    pub(super) group: Option<String>,
    pub(super) body: String,
    /// One line for the list in the body of a merged commit.
    pub(super) line: String,
    pub(super) lane_writes: Vec<(usize, ActionState)>,
    pub(super) file_writes: Vec<(String, Option<Vec<u8>>)>,
    /// Raise `accepted_version` of every state file of an action.
    pub(super) accept: Vec<(String, u32)>,
}

pub(super) struct Ctx<'s> {
    pub(super) src: &'s Source,
    pub(super) people: BTreeMap<String, Person>,
    pub(super) assessors: Vec<String>,
    pub(super) admins: Vec<String>,
    pub(super) lanes: Vec<Lane>,
    /// Day each action is introduced (its template's first commit or a later revision).
    pub(super) intro: BTreeMap<String, Day>,
    /// Day of each (admin, owner) assignment commit.
    pub(super) assign_days: BTreeMap<(String, String), Day>,
    /// Evidence files produced by the story that are not in the source.
    pub(super) extra_files: BTreeMap<String, Vec<u8>>,
}

impl Ctx<'_> {
    pub(super) fn person(&self, email: &str) -> Person {
        self.people.get(email).cloned().unwrap_or_else(|| Person {
            email: email.to_owned(),
            name: email.split('@').next().unwrap_or(email).to_owned(),
            std_offset: -300,
            region: Region::Us,
        })
    }
    pub(super) fn region(&self, email: &str) -> Region {
        self.person(email).region
    }
    pub(super) fn words(&self, action: &str) -> (&str, String, String) {
        match story().words.iter().find(|w| w.id == action) {
            Some(w) => (&w.label, w.implemented.to_owned(), w.plan.to_owned()),
            None => {
                let title = self
                    .src
                    .actions
                    .get(action)
                    .map(|a| a.title.clone())
                    .unwrap_or_else(|| action.to_owned());
                ("", title.clone(), format!("{title}: approach agreed; implementation planned."))
            }
        }
    }
    pub(super) fn label(&self, action: &str) -> String {
        match story().words.iter().find(|w| w.id == action) {
            Some(w) => w.label.to_owned(),
            None => format!("`{action}`"),
        }
    }
    pub(super) fn assessor_for(&self, lane: &Lane) -> String {
        let n = self.assessors.len();
        let i = if lane.grouped_only {
            0
        } else if lane.ungrouped_only {
            1 % n
        } else {
            (Rng::new(&lane.action).below(n as u64)) as usize
        };
        self.assessors[i].clone()
    }
    pub(super) fn admin_for(&self, lane: &Lane) -> String {
        if lane.grouped_only { self.admins[1 % self.admins.len()].clone() } else { self.admins[0].clone() }
    }
    pub(super) fn file_day(&self, path: &str) -> Option<Day> {
        story().file_days.iter().find(|(p, _)| *p == path).map(|(_, d)| d3(*d))
    }
}

/// Builds the steps of one lane, one after the other on strictly increasing days.
pub(super) struct LaneBuilder<'c, 's> {
    pub(super) ctx: &'c Ctx<'s>,
    pub(super) lane: usize,
    pub(super) cur: ActionState,
    pub(super) last: Option<Day>,
    pub(super) steps: Vec<Step>,
}

impl<'c, 's> LaneBuilder<'c, 's> {
    pub(super) fn new(ctx: &'c Ctx<'s>, lane: usize) -> Self {
        LaneBuilder { ctx, lane, cur: ActionState::default(), last: None, steps: Vec::new() }
    }
    pub(super) fn lane(&self) -> &'c Lane {
        &self.ctx.lanes[self.lane]
    }
    pub(super) fn fin(&self) -> &'c ActionState {
        &self.lane().fin
    }
    /// The day of a step: on or after `target`, after the previous step, a working day of `who`.
    pub(super) fn when(&self, target: Day, who: &str) -> Day {
        let mut d = target;
        if let Some(l) = self.last
            && d <= l
        {
            d = plus(l, 1);
        }
        let region = self.ctx.region(who);
        if is_workday(region, d) {
            return d;
        }
        // Weekend and holiday work is done on one of the next working days, not always the first.
        let spread = Rng::new(&format!("{}/{d}/{who}", self.lane().action)).below(3) as i64;
        add_workdays(region, d, spread)
    }
    pub(super) fn owner(&self) -> String {
        self.cur
            .owner
            .clone()
            .or_else(|| self.fin().owner.clone())
            .unwrap_or_else(|| self.ctx.admin_for(self.lane()))
    }
    pub(super) fn assessor(&self) -> String {
        self.ctx.assessor_for(self.lane())
    }
    /// Records a step; `f` turns the current state into the new one (it gets the step's day).
    #[allow(clippy::too_many_arguments)]
    pub(super) fn step(
        &mut self,
        target: Day,
        who: &str,
        key: &str,
        subject: &str,
        group: Option<&str>,
        body: &str,
        f: impl FnOnce(&mut ActionState, Day),
    ) -> Day {
        let day = self.when(target, who);
        let mut s = self.cur.clone();
        f(&mut s, day);
        self.cur = s.clone();
        self.last = Some(day);
        let lane = self.lane();
        let units = lane.units.join(", ");
        let line = if body.is_empty() {
            format!("{} ({units})", lane.action)
        } else {
            format!("{} ({units}): {body}", lane.action)
        };
        self.steps.push(Step {
            day,
            author: who.to_owned(),
            key: key.to_string(),
            action: lane.action.clone(),
            subject: with_scope(subject, &lane.scope),
            base: subject.to_owned(),
            group: group.map(str::to_owned),
            body: body.to_owned(),
            line,
            lane_writes: vec![(self.lane, s)],
            file_writes: Vec::new(),
            accept: Vec::new(),
        });
        day
    }
    pub(super) fn last_step_mut(&mut self) -> &mut Step {
        self.steps.last_mut().expect("a step")
    }
    pub(super) fn rng(&self, phase: &str) -> Rng {
        Rng::new(&format!("{}/{phase}", self.lane().action))
    }
    pub(super) fn not_before(&self, part: Part) -> Option<Day> {
        story()
            .not_before
            .iter()
            .find(|(a, p, _)| *a == self.lane().action && *p == part)
            .map(|(_, _, d)| d3(*d))
    }
}

/// `days` after `start`, but not in the last week of the replayed year (at most the day after
/// `start` then).
pub(super) fn late(start: Day, days: i64) -> Day {
    let limit = plus(d3(END), -7);
    let d = plus(start, days);
    if d <= limit { d } else { max_day(limit, Some(plus(start, 1))) }
}

/// "Subject (HIPAA)", or "Subject (medium; HIPAA)" when the subject ends in parentheses.
pub(super) fn with_scope(subject: &str, scope: &str) -> String {
    let inner = scope.trim().trim_start_matches('(').trim_end_matches(')');
    if inner.is_empty() {
        subject.to_owned()
    } else if let Some(s) = subject.strip_suffix(')') {
        format!("{s}; {inner})")
    } else {
        format!("{subject} ({inner})")
    }
}

pub(super) fn max_day(a: Day, b: Option<Day>) -> Day {
    match b {
        Some(b) if b > a => b,
        _ => a,
    }
}
