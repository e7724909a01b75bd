//! Action states: the initial mix and how a commit evolves them.

use super::*;
use evident::model::{
    Action, ActionState, Evidence, Implementation, ImplementationStatus, Test, TestStatus, Testing,
};
use sha2::{Digest, Sha256};

pub(super) fn hex_sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

pub(super) const MAX_EVIDENCE: usize = 8;

/// Appends one evidence item (a file of the repository or a link) under a name not yet used.
/// At most [`MAX_EVIDENCE`] items: beyond that, nothing is added.
pub(super) fn add_evidence(rng: &mut Rng, state: &mut ActionState, action: &Action, files: &[EvidenceFile]) {
    if state.evidence.len() >= MAX_EVIDENCE {
        return;
    }
    let has_path = |p: &str| state.evidence.iter().any(|e| e.path.as_deref() == Some(p));
    let runbook = format!("https://wiki.example.com/runbooks/{}", action.id);
    let has_runbook = state.evidence.iter().any(|e| e.url.as_deref() == Some(runbook.as_str()));
    let file = rng.pick(files);
    let (base, path, sha256, url) = if rng.chance(60) && !has_path(&file.path) {
        (file.name.clone(), Some(file.path.clone()), Some(file.sha256.clone()), None)
    } else if rng.chance(50) && !has_runbook {
        ("Runbook".to_owned(), None, None, Some(runbook))
    } else {
        let ticket = rng.range(100, 9999);
        (
            format!("Ticket SEC-{ticket}"),
            None,
            None,
            Some(format!("https://tickets.example.com/browse/SEC-{ticket}")),
        )
    };
    let mut name = base.clone();
    let mut k = 2;
    while state.evidence.iter().any(|e| e.name == name) {
        name = format!("{base} ({k})");
        k += 1;
    }
    state.evidence.push(Evidence { name, path, sha256, url });
}

pub(super) fn owner(rng: &mut Rng, people: &[Person]) -> Option<String> {
    Some(rng.pick(people).email.clone())
}

pub(super) const FAILED: [TestStatus; 3] =
    [TestStatus::FailedLow, TestStatus::FailedMedium, TestStatus::FailedHigh];

/// A believable initial state. `maturity` 0..=2 skews it towards less or more progress; 3 is
/// a baseline action, passed (maybe as an alternative implementation).
pub(super) fn initial_state(
    rng: &mut Rng,
    action: &Action,
    maturity: u8,
    people: &[Person],
    files: &[EvidenceFile],
) -> ActionState {
    let roll = match maturity {
        0 => rng.below(100).max(rng.below(100)),
        1 => rng.below(100),
        2 => rng.below(100).min(rng.below(100)),
        // An organisation-wide baseline action: implemented and passed everywhere.
        _ => rng.below(34),
    };
    let d1 = rng.range(INITIAL_FIRST_DAY, INITIAL_LAST_DAY - 30);
    let d2 = rng.range(d1, INITIAL_LAST_DAY);
    let automatic = action.testing == Testing::Automatic;
    let mut s = ActionState {
        owner: if rng.chance(85) { owner(rng, people) } else { None },
        accepted_version: rng.chance(80).then_some(action.version),
        ..ActionState::default()
    };
    let implemented = |s: &mut ActionState, notes: Option<&str>| {
        s.implementation = Implementation {
            status: ImplementationStatus::Implemented,
            date: Some(day(d1)),
            notes: notes.map(str::to_owned),
        };
    };
    let test = |s: &mut ActionState, status: TestStatus, dated: bool, notes: Option<String>| {
        s.test = Test { status, date: dated.then(|| day(d2)), notes };
    };
    match roll {
        0..30 => {
            implemented(&mut s, None);
            test(
                &mut s,
                TestStatus::Passed,
                true,
                rng.chance(50).then(|| format!("Sampled {} items, no exceptions.", rng.range(5, 40))),
            );
            for _ in 0..rng.range(1, 3) {
                add_evidence(rng, &mut s, action, files);
            }
        }
        30..34 => {
            s.implementation = Implementation {
                status: ImplementationStatus::Alternative,
                date: Some(day(d1)),
                notes: Some("Covered by a compensating control; see the linked runbook.".into()),
            };
            test(&mut s, TestStatus::Passed, true, None);
            add_evidence(rng, &mut s, action, files);
        }
        34..40 => {
            implemented(&mut s, None);
            let status = *rng.pick(&FAILED);
            test(&mut s, status, true, Some(format!("{} of the sampled items failed.", rng.range(1, 9))));
            if rng.chance(50) {
                add_evidence(rng, &mut s, action, files);
            }
        }
        40..46 => {
            implemented(&mut s, rng.chance(40).then_some("Rolled out to all business units."));
            let status = *rng.pick(&[
                TestStatus::None,
                TestStatus::NotAssessed,
                TestStatus::InProgress,
                TestStatus::ToBeDetermined,
            ]);
            test(&mut s, status, false, None);
        }
        46..49 => {
            implemented(&mut s, None);
            test(&mut s, TestStatus::PartiallyTested, true, Some("Half of the sites tested so far.".into()));
            if rng.chance(50) {
                add_evidence(rng, &mut s, action, files);
            }
        }
        49..52 => {
            implemented(&mut s, None);
            if automatic {
                let status = *rng.pick(&[TestStatus::ToBeDetected, TestStatus::CouldNotBeDetected]);
                test(&mut s, status, false, None);
            } else {
                test(&mut s, TestStatus::None, false, None);
            }
        }
        52..64 => {
            s.implementation = Implementation {
                status: ImplementationStatus::Planned,
                date: None,
                notes: rng.chance(50).then(|| format!("Planned for Q{} 2025.", rng.range(1, 4))),
            };
            let status = *rng.pick(&[TestStatus::None, TestStatus::NotAssessed]);
            test(&mut s, status, false, None);
        }
        64..90 => {
            let status = *rng.pick(&[
                TestStatus::None,
                TestStatus::None,
                TestStatus::NotAssessed,
                TestStatus::CouldNotBeDetermined,
            ]);
            test(&mut s, status, false, None);
        }
        90..92 => {
            test(&mut s, TestStatus::FailedHigh, true, Some("The control is absent.".into()));
        }
        92..96 => {
            s.implementation = Implementation {
                status: ImplementationStatus::OutOfScope,
                date: Some(day(d1)),
                notes: Some("Not applicable: the service is not used in this scope.".into()),
            };
            test(&mut s, TestStatus::OutOfScope, true, Some("Out of scope with the implementation.".into()));
        }
        96..98 => {
            s.implementation = Implementation {
                status: ImplementationStatus::OutOfScope,
                date: Some(day(d1)),
                notes: Some("Accepted risk, approved by the CISO.".into()),
            };
        }
        _ => {
            implemented(&mut s, None);
            test(&mut s, TestStatus::OutOfScope, true, Some("Tested under another assessment.".into()));
        }
    }
    s
}

/// One step of history for a state, dated `today`. Returns the new state, whether the change
/// needs an assessor (it sets passed or failed-*), and a short description.
pub(super) fn evolve(
    rng: &mut Rng,
    old: &ActionState,
    action: &Action,
    baseline: bool,
    today: i64,
    people: &[Person],
    files: &[EvidenceFile],
) -> (ActionState, bool, String) {
    let mut s = old.clone();
    let date = Some(day(today));
    let automatic = action.testing == Testing::Automatic;
    let change_owner = |rng: &mut Rng, s: &mut ActionState| {
        loop {
            let o = owner(rng, people);
            if o != s.owner {
                s.owner = o;
                break;
            }
        }
        format!("owner {}", s.owner.as_deref().unwrap_or("-"))
    };
    // Implementation moves on: the old test result no longer applies (and may predate it).
    let implement = |s: &mut ActionState, status: ImplementationStatus, notes: Option<String>| {
        s.implementation = Implementation { status, date, notes };
        s.test = Test {
            status: if automatic { TestStatus::ToBeDetected } else { TestStatus::InProgress },
            date: None,
            notes: None,
        };
    };
    let imp = s.implementation.status;
    let tst = s.test.status;
    let what = match imp {
        ImplementationStatus::NotImplemented | ImplementationStatus::Planned => {
            if rng.chance(15) {
                change_owner(rng, &mut s)
            } else if imp == ImplementationStatus::NotImplemented && rng.chance(40) {
                s.implementation = Implementation {
                    status: ImplementationStatus::Planned,
                    date: None,
                    notes: Some(format!("Planned for Q{} 2026.", rng.range(1, 4))),
                };
                "planned".to_owned()
            } else if rng.chance(85) {
                implement(&mut s, ImplementationStatus::Implemented, None);
                "implemented".to_owned()
            } else {
                implement(
                    &mut s,
                    ImplementationStatus::Alternative,
                    Some("Met by a compensating control.".into()),
                );
                "alternative".to_owned()
            }
        }
        ImplementationStatus::Implemented | ImplementationStatus::Alternative => {
            let roll = rng.below(100);
            if tst == TestStatus::OutOfScope || roll < 10 {
                change_owner(rng, &mut s)
            } else if tst == TestStatus::Passed {
                if roll < 45 {
                    add_evidence(rng, &mut s, action, files);
                    "evidence added".to_owned()
                } else if roll < 95 || baseline {
                    // Baseline actions do not regress; others do, now and then.
                    s.test.date = date;
                    s.test.notes = Some(format!("Re-tested: sampled {} items.", rng.range(5, 40)));
                    "re-tested, passed".to_owned()
                } else {
                    s.test = Test {
                        status: *rng.pick(&FAILED),
                        date,
                        notes: Some("Regression found at re-test.".into()),
                    };
                    format!("test {}", s.test.status)
                }
            } else if tst.is_failed() {
                if roll < 75 {
                    add_evidence(rng, &mut s, action, files);
                    s.test =
                        Test { status: TestStatus::Passed, date, notes: Some("Fixed and re-tested.".into()) };
                    "fixed, test passed".to_owned()
                } else {
                    add_evidence(rng, &mut s, action, files);
                    "evidence added".to_owned()
                }
            } else if roll < 60 {
                if s.evidence.is_empty() || rng.chance(40) {
                    add_evidence(rng, &mut s, action, files);
                }
                s.test = Test {
                    status: TestStatus::Passed,
                    date,
                    notes: rng.chance(50).then(|| format!("Sampled {} items.", rng.range(5, 40))),
                };
                "test passed".to_owned()
            } else if roll < 80 {
                s.test = Test {
                    status: *rng.pick(&FAILED),
                    date,
                    notes: Some(format!("{} exceptions found.", rng.range(1, 9))),
                };
                format!("test {}", s.test.status)
            } else if roll < 90 && tst != TestStatus::PartiallyTested {
                s.test = Test {
                    status: TestStatus::PartiallyTested,
                    date,
                    notes: Some("Some sites tested.".into()),
                };
                "partially tested".to_owned()
            } else {
                add_evidence(rng, &mut s, action, files);
                "evidence added".to_owned()
            }
        }
        ImplementationStatus::OutOfScope => {
            if rng.chance(70) {
                change_owner(rng, &mut s)
            } else {
                s.implementation.notes =
                    Some(format!("Out of scope: confirmed at the {} review.", day(today).0.year()));
                "scope confirmed".to_owned()
            }
        }
    };
    // Any change to a test result of passed or failed-* (status, date or notes) is an
    // assessor's.
    let needs_assessor =
        s.test != old.test && (s.test.status == TestStatus::Passed || s.test.status.is_failed());
    (s, needs_assessor, what)
}
