//! The plain storyline of a lane: assign, plan, implement, evidence, test.

use super::*;
use evident::model::{Evidence, ImplementationStatus as Impl, TestStatus as TS};
use jiff::civil::Date as Day;

pub(super) fn phase_assign(b: &mut LaneBuilder) {
    let lane = b.lane();
    let Some(final_owner) = lane.fin.owner.clone() else { return };
    let handover = story().handovers.iter().find(|(a, from, _)| *a == lane.action && *from != final_owner);
    let first = handover.map(|(_, from, _)| from.to_string()).unwrap_or_else(|| final_owner.clone());
    let admin = b.ctx.admin_for(lane);
    let intro = b.ctx.intro.get(&lane.action).copied().unwrap_or(d3(START));
    let target = match b.ctx.assign_days.get(&(admin.clone(), first.clone())) {
        Some(d) if *d > intro => *d,
        _ => add_workdays(b.ctx.region(&admin), intro, 2),
    };
    let name = b.ctx.person(&first).name;
    let label = b.ctx.label(&lane.action);
    b.step(
        target,
        &admin,
        &format!("assign:{first}"),
        &format!("Assign {label} to {name}"),
        Some(&format!("Assign {{n}} actions to {name}")),
        "",
        |s, _| s.owner = Some(first.clone()),
    );
    if let Some((_, _, when)) = handover {
        let new_name = b.ctx.person(&final_owner).name;
        let old_first = b.ctx.person(&first).first().to_owned();
        let body =
            format!("{old_first} hands the action over to {new_name}, who runs the tooling it depends on.");
        let who = admin.clone();
        b.step(
            d3(*when),
            &who,
            &format!("handover:{}", lane.action),
            &format!("Hand {label} over to {new_name}"),
            None,
            &body,
            |s, _| s.owner = Some(final_owner.clone()),
        );
    }
}

pub(super) fn planned_note(b: &LaneBuilder) -> String {
    b.ctx.words(&b.lane().action).2
}

/// Plan, then implement (or the final planned / not-implemented / out-of-scope state).
pub(super) fn phase_implement(b: &mut LaneBuilder, allow_plan: bool) {
    let fin = b.fin().clone();
    let lane_action = b.lane().action.clone();
    let label = b.ctx.label(&lane_action);
    let owner = b.owner();
    let mut rng = b.rng("implement");
    let start = b.last.unwrap_or(d3(START));
    let nb = b.not_before(Part::Impl);
    let plan = planned_note(b);
    match fin.implementation.status {
        Impl::Implemented | Impl::Alternative => {
            let di = fin.implementation.date.map(|d| d.0).unwrap_or_else(|| plus(start, 30));
            let span = days_between(start, di);
            if allow_plan && span >= 20 && b.cur.implementation.status != Impl::Planned {
                let back = rng.range((span - 7).min(30), (span - 7).min(110));
                let note = plan.clone();
                let subject = plan_subject(&label, &mut rng);
                let planned = b.step(
                    plus(di, -back),
                    &owner,
                    &format!("plan:{lane_action}"),
                    &subject,
                    None,
                    &note,
                    |s, _| {
                        s.implementation = evident::model::Implementation {
                            status: Impl::Planned,
                            date: None,
                            notes: Some(note.clone()),
                        };
                    },
                );
                let gap = days_between(planned, di);
                if let Some((_, progress)) = story().progress.iter().find(|(a, _)| *a == lane_action)
                    && gap > 40
                {
                    let progress = progress.to_string();
                    b.step(
                        plus(planned, gap / 2 + rng.range(-5, 5)),
                        &owner,
                        &format!("progress:{lane_action}"),
                        &format!("Update the plan for {label}"),
                        None,
                        &progress,
                        |s, _| {
                            s.implementation.notes = Some(progress.clone());
                        },
                    );
                }
            }
            let target = max_day(di, nb);
            let target = add_workdays(b.ctx.region(&owner), target, rng.range(0, 2));
            let subject = b.ctx.words(&lane_action).1;
            let notes = fin.implementation.notes.clone().unwrap_or_default();
            let imp = fin.implementation.clone();
            b.step(target, &owner, &format!("implement:{lane_action}"), &subject, None, &notes, |s, _| {
                s.implementation = imp
            });
        }
        Impl::Planned | Impl::NotImplemented => {
            if fin.implementation.notes.is_none() {
                return;
            }
            let final_target = max_day(late(start, 60), nb);
            if allow_plan
                && b.cur.implementation.status != Impl::Planned
                && days_between(start, final_target) > 45
            {
                let early = plus(start, rng.range(14, 45));
                let note = plan.clone();
                let subject = plan_subject(&label, &mut rng);
                b.step(early, &owner, &format!("plan:{lane_action}"), &subject, None, &note, |s, _| {
                    s.implementation = evident::model::Implementation {
                        status: Impl::Planned,
                        date: None,
                        notes: Some(note.clone()),
                    };
                });
            }
            let subject = if fin.implementation.status == Impl::Planned {
                format!("Update the plan for {label}")
            } else {
                format!("Put {label} on hold")
            };
            let notes = fin.implementation.notes.clone().unwrap_or_default();
            let imp = fin.implementation.clone();
            let target = add_workdays(b.ctx.region(&owner), final_target, rng.range(0, 3));
            b.step(target, &owner, &format!("implement:{lane_action}"), &subject, None, &notes, |s, _| {
                s.implementation = imp
            });
        }
        Impl::OutOfScope => {
            let di = fin.implementation.date.map(|d| d.0).unwrap_or_else(|| plus(start, 30));
            let notes = fin.implementation.notes.clone().unwrap_or_default();
            let imp = fin.implementation.clone();
            let regs = scope_names(b.ctx, b.lane());
            b.step(
                di,
                &owner,
                &format!("implement:{lane_action}"),
                &format!("Scope {label} out of {regs}"),
                None,
                &notes,
                |s, _| s.implementation = imp,
            );
        }
    }
}

pub(super) fn plan_subject(label: &str, rng: &mut Rng) -> String {
    match rng.below(4) {
        0 => format!("Schedule {label}"),
        1 => format!("Add a plan for {label}"),
        _ => format!("Plan {label}"),
    }
}

pub(super) fn scope_names(ctx: &Ctx, lane: &Lane) -> String {
    let mut regs: Vec<String> = Vec::new();
    for u in &lane.units {
        let reg = ctx
            .src
            .assessments
            .get(u)
            .and_then(|a| ctx.src.templates.get(a.template.as_str()))
            .map(|t| t.regulation.clone())
            .unwrap_or_else(|| u.clone());
        if !regs.contains(&reg) {
            regs.push(reg);
        }
    }
    regs.join(" and ")
}

pub(super) fn in_progress_note(b: &LaneBuilder, rng: &mut Rng) -> (String, Option<Day>) {
    if let Some((_, note, nb)) = story().in_progress.iter().find(|(a, _, _)| *a == b.lane().action) {
        return (note.to_string(), Some(d3(*nb)));
    }
    let owner = b.ctx.person(&b.owner()).first().to_owned();
    let automatic = b
        .ctx
        .src
        .actions
        .get(&b.lane().action)
        .is_some_and(|a| a.testing == evident::model::Testing::Automatic);
    let manual = [
        format!("Fieldwork started; evidence requested from {owner}."),
        format!("Walkthrough with {owner} booked; the sample will be drawn from the period to date."),
        format!("Test plan agreed with {owner}; collecting evidence."),
    ];
    let auto = [
        "Collecting 30 days of monitoring data before sign-off.".to_owned(),
        format!("Report export requested from {owner}; checking coverage against the asset register."),
    ];
    let note = if automatic {
        auto[rng.below(auto.len() as u64) as usize].clone()
    } else {
        manual[rng.below(manual.len() as u64) as usize].clone()
    };
    (note, None)
}

pub(super) fn verdict_subject(ctx: &Ctx, action: &str, status: TS) -> String {
    let label = ctx.label(action);
    if (status == TS::Passed || status.is_failed())
        && let Some((_, _, s)) = story()
            .verdict_subjects
            .iter()
            .find(|(a, pass, _)| *a == action && *pass == (status == TS::Passed))
    {
        return s.to_string();
    }
    match status {
        TS::Passed => format!("Assessor: pass {label}"),
        TS::FailedLow => format!("Assessor: fail {label} (low risk)"),
        TS::FailedMedium => format!("Assessor: fail {label} (medium risk)"),
        TS::FailedHigh => format!("Assessor: fail {label} (high risk)"),
        TS::PartiallyTested => format!("Assessor: partially tested {label}"),
        TS::CouldNotBeDetermined => format!("Assessor: could not determine whether {label} works"),
        TS::OutOfScope => format!("Assessor: agree that {label} is out of scope"),
        TS::InProgress => format!("Assessor: start testing {label}"),
        TS::NotAssessed => format!("Assessor: leave {label} out of this cycle's sample"),
        TS::ToBeDetermined => format!("Assessor: test of {label} to be determined"),
        TS::ToBeDetected => format!("Connect {label} to its monitoring signal"),
        TS::CouldNotBeDetected => format!("Record that the monitor of {label} has no signal"),
        TS::None => format!("Reset the test of {label}"),
    }
}

/// Whether a test status is recorded by the assessor (rather than by the owner's monitoring).
pub(super) fn by_assessor(status: TS) -> bool {
    !matches!(status, TS::ToBeDetected | TS::CouldNotBeDetected | TS::None)
}

/// Adds the evidence items of the final state that the state lacks, as the owner (before a
/// test). `only` limits to file items (true) or takes every item.
pub(super) fn add_evidence(b: &mut LaneBuilder, target: Day, items: Vec<Evidence>) -> Option<Day> {
    if items.is_empty() {
        return None;
    }
    let owner = b.owner();
    let lane_action = b.lane().action.clone();
    let label = b.ctx.label(&lane_action);
    let file = items.iter().find_map(|e| e.path.clone());
    let files_day = items.iter().filter_map(|e| e.path.as_deref().and_then(|p| b.ctx.file_day(p))).max();
    let target = max_day(target, files_day);
    let key = match &file {
        Some(p) => format!("evidence:{p}"),
        None => format!("evidence:{lane_action}"),
    };
    let subject = if items.len() == 1 {
        format!("Add evidence for {label}: {}", items[0].name)
    } else {
        format!("Add evidence for {label}")
    };
    let group = file.as_ref().map(|_| {
        format!(
            "Add {} as evidence",
            items.iter().find(|e| e.path.is_some()).map(|e| e.name.as_str()).unwrap_or("evidence")
        )
    });
    let body = items.iter().map(|e| format!("- {}", e.name)).collect::<Vec<_>>().join("\n");
    let fin_order: Vec<Evidence> = b.fin().evidence.clone();
    let day = b.step(target, &owner, &key, &subject, group.as_deref(), &body, |s, _| {
        let mut have: Vec<Evidence> = s.evidence.clone();
        for e in &items {
            if !have.contains(e) {
                have.push(e.clone());
            }
        }
        // Keep the order of the final state for the items it has.
        let mut ordered: Vec<Evidence> = have.iter().filter(|e| !fin_order.contains(e)).cloned().collect();
        ordered.extend(fin_order.iter().filter(|e| have.contains(e)).cloned());
        s.evidence = ordered;
    });
    // In a commit of several actions, list them rather than the items.
    b.last_step_mut().line = format!("{lane_action} ({})", b.lane().units.join(", "));
    Some(day)
}

pub(super) struct TestOpts {
    pub(super) in_progress: bool,
}

/// Evidence and the test, up to the final test state.
pub(super) fn phase_test(b: &mut LaneBuilder, opts: TestOpts) {
    let fin = b.fin().clone();
    let lane_action = b.lane().action.clone();
    let mut rng = b.rng("test");
    let start = b.last.unwrap_or(d3(START));
    let missing: Vec<Evidence> =
        fin.evidence.iter().filter(|e| !b.cur.evidence.contains(e)).cloned().collect();
    let assessor = b.assessor();
    let status = fin.test.status;
    if let Some(dt) = fin.test.date.map(|d| d.0) {
        let files_day =
            fin.evidence.iter().filter_map(|e| e.path.as_deref().and_then(|p| b.ctx.file_day(p))).max();
        let verdict_target = max_day(dt, files_day);
        // The assessor starts the test.
        let (note, ip_nb) = in_progress_note(b, &mut rng);
        if opts.in_progress
            && status != TS::OutOfScope
            && b.cur.test.status != TS::InProgress
            && (ip_nb.is_some() || rng.chance(80))
        {
            let target = max_day(plus(dt, -rng.range(5, 25)), ip_nb);
            let target = max_day(target, Some(plus(start, 1)));
            if target < verdict_target && next_workday(b.ctx.region(&assessor), target) < verdict_target {
                let subject = verdict_subject(b.ctx, &lane_action, TS::InProgress);
                b.step(
                    target,
                    &assessor,
                    &format!("inprogress:{lane_action}"),
                    &subject,
                    None,
                    &note,
                    |s, _| {
                        s.test = evident::model::Test {
                            status: TS::InProgress,
                            date: None,
                            notes: Some(note.clone()),
                        };
                    },
                );
            }
        }
        // The owner provides evidence: the files always, links often (the assessor adds the
        // other links with the verdict).
        let own: Vec<Evidence> = missing.into_iter().filter(|e| e.path.is_some() || rng.chance(70)).collect();
        if !own.is_empty() {
            let after = b.last.map(|l| plus(l, 1)).unwrap_or(start);
            let target = max_day(plus(dt, -rng.range(1, 6)), Some(after));
            add_evidence(b, target, own);
        }
        // The verdict (or a dated test status).
        let cut = story().note_additions.iter().find(|(a, cut, _)| {
            *a == lane_action && fin.test.notes.as_deref().is_some_and(|n| n.contains(cut))
        });
        let mut test = fin.test.clone();
        if let Some((_, cut, _)) = cut {
            let n = test.notes.as_deref().unwrap_or_default().replacen(cut, "", 1);
            let n = if n.ends_with('.') { n } else { format!("{n}.") };
            test.notes = Some(n);
        }
        let who = if by_assessor(status) { assessor.clone() } else { b.owner() };
        let target = add_workdays(b.ctx.region(&who), verdict_target, rng.range(0, 2));
        let subject = verdict_subject(b.ctx, &lane_action, status);
        let evidence = fin.evidence.clone();
        let body = test.notes.clone().unwrap_or_default();
        b.step(target, &who, &format!("verdict:{lane_action}"), &subject, None, &body, |s, _| {
            s.test = test;
            s.evidence = evidence;
        });
        if let Some((_, _, when)) = cut {
            let label = b.ctx.label(&lane_action);
            let final_test = fin.test.clone();
            let body = final_test.notes.clone().unwrap_or_default();
            b.step(
                d3(*when),
                &assessor,
                &format!("notes:{lane_action}"),
                &format!("Assessor: update the test notes of {label}"),
                None,
                &body,
                |s, _| s.test = final_test,
            );
        }
    } else {
        if status == TS::None && missing.is_empty() {
            return;
        }
        if !missing.is_empty() {
            let target = plus(start, rng.range(5, 20));
            add_evidence(b, target, missing);
        }
        if status == TS::None {
            return;
        }
        let nb = b.not_before(Part::TestUndated);
        let who = if by_assessor(status) { assessor.clone() } else { b.owner() };
        let (target, key) = if status == TS::NotAssessed {
            // Assessors mark what they will not test in one sweep of their test plan.
            let sweep = if who == b.ctx.assessors[0] { day(2026, 6, 9) } else { day(2026, 6, 8) };
            (max_day(sweep, Some(plus(start, 1))), format!("notassessed:{who}"))
        } else {
            (max_day(late(start, rng.range(10, 45)), nb), format!("test:{lane_action}"))
        };
        let subject = verdict_subject(b.ctx, &lane_action, status);
        let body = fin.test.notes.clone().unwrap_or_default();
        let test = fin.test.clone();
        b.step(
            target,
            &who,
            &key,
            &subject,
            Some("Assessor: {n} actions not assessed in this cycle"),
            &body,
            |s, _| s.test = test,
        );
        if status == TS::NotAssessed {
            let note = "Not in the test sample of this cycle.";
            b.last_step_mut().body = note.to_owned();
            let l = format!("{lane_action} ({})", b.lane().units.join(", "));
            b.last_step_mut().line = l;
        }
    }
}

pub(super) fn plain(b: &mut LaneBuilder) {
    phase_assign(b);
    phase_implement(b, true);
    phase_test(b, TestOpts { in_progress: true });
}
