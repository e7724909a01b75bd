//! Special storylines. Each checks that the final state still fits the story and returns false
//! (nothing recorded) otherwise, so that the plain storyline is used.

use super::*;
use evident::model::{ActionState, Evidence, ImplementationStatus as Impl, TestStatus as TS};
use jiff::civil::Date as Day;

pub(super) fn impl_date(fin: &ActionState) -> Option<Day> {
    fin.implementation.date.map(|d| d.0)
}
pub(super) fn test_date(fin: &ActionState) -> Option<Day> {
    fin.test.date.map(|d| d.0)
}
pub(super) fn implemented(fin: &ActionState) -> bool {
    fin.implementation.status.is_implemented()
}

pub(super) fn set_test(s: &mut ActionState, status: TS, date: Option<Day>, notes: &str) {
    s.test = evident::model::Test {
        status,
        date: date.map(edate),
        notes: if notes.is_empty() { None } else { Some(notes.to_owned()) },
    };
}

pub(super) fn url(name: &str, url: &str) -> Evidence {
    Evidence { name: name.to_owned(), path: None, sha256: None, url: Some(url.to_owned()) }
}

/// Encryption at rest and TLS pass in March on a policy snapshot; encryption fails a retest in
/// May (new storage accounts without customer-managed keys) and passes again in August; TLS
/// fails its August retest.
pub(super) fn story_policy_snapshot(b: &mut LaneBuilder) -> bool {
    let fin = b.fin().clone();
    let action = b.lane().action.clone();
    let march = day(2026, 3, 16);
    if !implemented(&fin)
        || impl_date(&fin).is_none_or(|d| d > day(2026, 3, 5))
        || test_date(&fin).is_none_or(|d| d < day(2026, 8, 10))
        || !(fin.test.status == TS::Passed || fin.test.status.is_failed())
    {
        return false;
    }
    let snapshot = url(
        "Azure Policy compliance snapshot, March 2026",
        "https://wiki.example.com/cloud/evidence/policy-snapshot-2026-03",
    );
    phase_assign(b);
    phase_implement(b, true);
    let owner = b.owner();
    let assessor = b.assessor();
    let label = b.ctx.label(&action);
    let ev = snapshot.clone();
    b.step(
        day(2026, 3, 12),
        &owner,
        "evidence:march-snapshot",
        &format!("Add evidence for {label}: March policy snapshot"),
        Some("Add the March Azure Policy snapshot as evidence"),
        "- Azure Policy compliance snapshot, March 2026",
        |s, _| s.evidence = vec![ev],
    );
    let line = format!("{action} ({})", b.lane().units.join(", "));
    b.last_step_mut().line = line;
    let note = if action == "tls-in-transit" {
        "Minimum TLS 1.2 reported on all 71 in-scope resources in the 12 March policy snapshot."
    } else {
        "Policy compliance snapshot of 12 March: 58 of 58 in-scope storage accounts and databases use customer-managed keys."
    };
    b.step(
        march,
        &assessor,
        &format!("verdict:{action}"),
        &verdict_subject(b.ctx, &action, TS::Passed),
        None,
        note,
        |s, d| set_test(s, TS::Passed, Some(d), note),
    );
    if action == "tls-in-transit" {
        season_of_automatic_results(b);
    }
    let retest = if action == "storage-encryption-at-rest" {
        let note = "Retest after the analytics platform build: 2 new storage accounts (nwanalyticsraw, nwanalyticscur) use Microsoft-managed keys under a policy exemption that expired on 30 April (CLOUD-274).";
        let who = b.ctx.assessors[1 % b.ctx.assessors.len()].clone();
        b.step(
            day(2026, 5, 19),
            &who,
            &format!("regress:{action}"),
            "Assessor: encryption at rest fails retest, 2 analytics accounts without CMK (medium)",
            None,
            note,
            |s, d| set_test(s, TS::FailedMedium, Some(d), note),
        );
        "Retest after CLOUD-274 moved the analytics accounts to customer-managed keys; waiting for the August policy snapshot."
    } else {
        "Yearly retest with the August policy snapshot."
    };
    b.step(
        day(2026, 8, 3),
        &assessor,
        &format!("inprogress:{action}"),
        &format!("Assessor: retest {label}"),
        None,
        retest,
        |s, _| set_test(s, TS::InProgress, None, retest),
    );
    // The owner swaps the March link for the August snapshot file.
    let fin_ev = fin.evidence.clone();
    let file = fin_ev.iter().find_map(|e| e.path.clone());
    let key = file.as_ref().map(|p| format!("evidence:{p}")).unwrap_or_else(|| format!("evidence:{action}"));
    let names: Vec<String> = fin_ev.iter().map(|e| format!("- {}", e.name)).collect();
    let body =
        format!("{}\n- removed: Azure Policy compliance snapshot, March 2026 (superseded)", names.join("\n"));
    let target = max_day(
        day(2026, 8, 14),
        fin_ev.iter().filter_map(|e| e.path.as_deref().and_then(|p| b.ctx.file_day(p))).max(),
    );
    let group = fin_ev.iter().find(|e| e.path.is_some()).map(|e| format!("Add {} as evidence", e.name));
    b.step(
        target,
        &owner,
        &key,
        &format!("Replace the March snapshot of {label} with the August one"),
        group.as_deref(),
        &body,
        |s, _| s.evidence = fin_ev,
    );
    let line = format!("{action} ({})", b.lane().units.join(", "));
    b.last_step_mut().line = line;
    let test = fin.test.clone();
    let body = test.notes.clone().unwrap_or_default();
    let dt = test_date(&fin).expect("dated");
    b.step(
        add_workdays(b.ctx.region(&assessor), dt, 1),
        &assessor,
        &format!("verdict:{action}"),
        &verdict_subject(b.ctx, &action, fin.test.status),
        None,
        &body,
        |s, _| s.test = test,
    );
    true
}

/// Privacy requests pass in April on a Q1 log; in July the assessor moves the tests back to
/// in-progress so the owner can swap the Q1 log (a file, deleted) for the H1 export.
pub(super) fn story_privacy_log(b: &mut LaneBuilder, q1: &Option<(String, Vec<u8>, usize)>) -> bool {
    let fin = b.fin().clone();
    let action = b.lane().action.clone();
    let Some((q1_path, _, rows)) = q1 else { return false };
    let h1 = fin.evidence.iter().any(|e| e.path.as_deref() == Some("evidence/dsar-log-2026-h1.csv"));
    if !h1
        || fin.test.status != TS::Passed
        || !implemented(&fin)
        || impl_date(&fin).is_none_or(|d| d > day(2026, 3, 31))
        || test_date(&fin).is_none_or(|d| d < day(2026, 7, 10))
    {
        return false;
    }
    phase_assign(b);
    phase_implement(b, true);
    let owner = b.owner();
    let assessor = b.assessor();
    let label = b.ctx.label(&action);
    let q1_item = Evidence {
        name: "Privacy request log Q1 2026".to_owned(),
        path: Some(q1_path.clone()),
        sha256: Some(sha256_hex(&b.ctx.extra_files[q1_path])),
        url: None,
    };
    let item = q1_item.clone();
    b.step(
        day(2026, 4, 7),
        &owner,
        &format!("evidence:{q1_path}"),
        &format!("Add evidence for {label}: Q1 request log"),
        Some("Record the Q1 privacy request log as evidence"),
        "- Privacy request log Q1 2026",
        |s, _| s.evidence = vec![item],
    );
    let line = format!("{action} ({})", b.lane().units.join(", "));
    b.last_step_mut().line = line;
    let note = if action == "dsar-process" {
        format!("Q1 log: {rows} requests, all closed within deadline; median 8 days.")
    } else {
        "Sampled 5 closed Q1 requests: each records how the requester was verified.".to_owned()
    };
    b.step(
        day(2026, 4, 14),
        &assessor,
        &format!("verdict:{action}"),
        &format!("Assessor: pass {label} on the Q1 log"),
        None,
        &note,
        |s, d| set_test(s, TS::Passed, Some(d), &note),
    );
    let note =
        "H1 review: the Q1 log is to be replaced by the H1 export, so the test goes back to in-progress.";
    b.step(
        day(2026, 7, 6),
        &assessor,
        "inprogress:h1-log",
        "Assessor: start the H1 review of privacy requests",
        None,
        note,
        |s, _| set_test(s, TS::InProgress, None, note),
    );
    let fin_ev = fin.evidence.clone();
    b.step(
        day(2026, 7, 8),
        &owner,
        "evidence:evidence/dsar-log-2026-h1.csv",
        "Replace the Q1 privacy request log with the H1 export",
        None,
        "The H1 export covers Q1 as well, so the Q1 file goes.",
        |s, _| s.evidence = fin_ev,
    );
    if action == "dsar-process" {
        b.last_step_mut().file_writes.push((q1_path.clone(), None));
    }
    let test = fin.test.clone();
    let body = test.notes.clone().unwrap_or_default();
    let dt = test_date(&fin).expect("dated");
    b.step(
        dt,
        &assessor,
        &format!("verdict:{action}"),
        &verdict_subject(b.ctx, &action, TS::Passed),
        None,
        &body,
        |s, _| s.test = test,
    );
    true
}

/// Audit logging passes in March on the connector health workbook; in October a connector
/// update breaks the workbook, the test goes back to in-progress and then to-be-detected.
pub(super) fn story_audit_logging(b: &mut LaneBuilder) -> bool {
    let fin = b.fin().clone();
    let action = b.lane().action.clone();
    if fin.test.status != TS::ToBeDetected
        || impl_date(&fin).is_none_or(|d| d > day(2026, 2, 20))
        || !implemented(&fin)
        || !fin.evidence.is_empty()
    {
        return false;
    }
    phase_assign(b);
    phase_implement(b, true);
    let owner = b.owner();
    let assessor = b.assessor();
    let label = b.ctx.label(&action);
    let note = "Health signal of the Sentinel data-connector workbook to be wired into the test; it needs 30 days of data.";
    b.step(
        day(2026, 2, 3),
        &owner,
        &format!("test:{action}"),
        &verdict_subject(b.ctx, &action, TS::ToBeDetected),
        None,
        note,
        |s, _| set_test(s, TS::ToBeDetected, None, note),
    );
    let wb = url(
        "Sentinel data connector health workbook",
        "https://wiki.example.com/security/evidence/sentinel-connector-health",
    );
    b.step(
        day(2026, 3, 2),
        &owner,
        &format!("evidence:{action}"),
        &format!("Add evidence for {label}: connector health workbook"),
        None,
        "- Sentinel data connector health workbook",
        |s, _| s.evidence = vec![wb],
    );
    let note = "30 days of connector health: all 9 data connectors healthy, no ingestion gap over 1 hour.";
    b.step(
        day(2026, 3, 4),
        &assessor,
        &format!("verdict:{action}"),
        &format!("Assessor: pass {label} on 30 days of connector health"),
        None,
        note,
        |s, d| set_test(s, TS::Passed, Some(d), note),
    );
    let note = "The connector update of 12 October broke the health workbook; retest once it is rebuilt.";
    b.step(
        day(2026, 10, 13),
        &assessor,
        &format!("inprogress:{action}"),
        &format!("Assessor: reopen the test of {label}"),
        None,
        note,
        |s, _| set_test(s, TS::InProgress, None, note),
    );
    let test = fin.test.clone();
    let body = format!(
        "{}\n\nThe old workbook link is removed: it points at the broken workbook.",
        test.notes.clone().unwrap_or_default()
    );
    b.step(
        day(2026, 10, 16),
        &owner,
        &format!("test:{action}"),
        &format!("Wait for 30 days of the rebuilt {label} health signal"),
        None,
        &body,
        |s, _| {
            s.test = test;
            s.evidence = Vec::new();
        },
    );
    true
}

/// A pass in April, then the September retest fails (the April report is dropped first).
pub(super) fn story_retest_fails(b: &mut LaneBuilder) -> bool {
    let fin = b.fin().clone();
    let action = b.lane().action.clone();
    if !fin.test.status.is_failed()
        || !implemented(&fin)
        || impl_date(&fin).is_none_or(|d| d > day(2026, 4, 1))
        || test_date(&fin).is_none_or(|d| d < day(2026, 9, 3))
        || !fin.evidence.is_empty()
    {
        return false;
    }
    phase_assign(b);
    phase_implement(b, true);
    let owner = b.owner();
    let assessor = b.assessor();
    let label = b.ctx.label(&action);
    let report = url(
        "Defender vulnerability report, April 2026",
        "https://wiki.example.com/security/evidence/mdvm-2026-04",
    );
    b.step(
        day(2026, 4, 20),
        &owner,
        &format!("evidence:{action}"),
        &format!("Add evidence for {label}: April report"),
        None,
        "- Defender vulnerability report, April 2026",
        |s, _| s.evidence = vec![report],
    );
    let note = "No critical or high findings older than 30 days on 21 April; all 41 servers and 6 registries covered.";
    b.step(
        day(2026, 4, 22),
        &assessor,
        &format!("verdict:{action}"),
        &verdict_subject(b.ctx, &action, TS::Passed),
        None,
        note,
        |s, d| set_test(s, TS::Passed, Some(d), note),
    );
    let note = "Q3 retest started; the April report is out of date.";
    b.step(
        day(2026, 9, 1),
        &assessor,
        &format!("inprogress:{action}"),
        &format!("Assessor: start the Q3 retest of {label}"),
        None,
        note,
        |s, _| set_test(s, TS::InProgress, None, note),
    );
    b.step(
        day(2026, 9, 2),
        &owner,
        &format!("evidence:{action}"),
        &format!("Drop the April report from {label}"),
        None,
        "The Q3 retest works from the live dashboard; the April export is superseded.",
        |s, _| s.evidence = Vec::new(),
    );
    let test = fin.test.clone();
    let body = test.notes.clone().unwrap_or_default();
    let dt = test_date(&fin).expect("dated");
    b.step(
        add_workdays(b.ctx.region(&assessor), dt, 1),
        &assessor,
        &format!("verdict:{action}"),
        &format!("Assessor: {label} fails the Q3 retest"),
        None,
        &body,
        |s, _| s.test = test,
    );
    true
}

/// Scoped out in December, back in scope later, then the plain storyline.
pub(super) fn story_scoped_back_in(
    b: &mut LaneBuilder,
    out_note: &str,
    out_day: Day,
    back_note: &str,
    back_day: Day,
    decider: &str,
) -> bool {
    let fin = b.fin().clone();
    let action = b.lane().action.clone();
    if !implemented(&fin) || impl_date(&fin).is_none_or(|d| d <= plus(back_day, 7)) {
        return false;
    }
    phase_assign(b);
    let label = b.ctx.label(&action);
    let regs = scope_names(b.ctx, b.lane());
    b.step(
        out_day,
        decider,
        &format!("scope:{action}"),
        &format!("Scope {label} out of {regs}"),
        None,
        out_note,
        |s, d| {
            s.implementation = evident::model::Implementation {
                status: Impl::OutOfScope,
                date: Some(edate(d)),
                notes: Some(out_note.to_owned()),
            };
        },
    );
    b.step(
        back_day,
        decider,
        &format!("scope:{action}"),
        &format!("Bring {label} back into scope"),
        None,
        back_note,
        |s, _| {
            s.implementation = evident::model::Implementation {
                status: Impl::Planned,
                date: None,
                notes: Some(back_note.to_owned()),
            };
        },
    );
    phase_implement(b, false);
    phase_test(b, TestOpts { in_progress: true });
    true
}

/// The old plan counts as implemented until the new action version asks for more.
pub(super) fn story_incident_plan(b: &mut LaneBuilder) -> bool {
    let fin = b.fin().clone();
    if !implemented(&fin) || impl_date(&fin).is_none_or(|d| d < day(2026, 3, 1)) {
        return false;
    }
    phase_assign(b);
    let owner = b.owner();
    let note = "Incident response plan v1.4 (2023) on the security wiki; on-call rota in PagerDuty.";
    b.step(
        day(2025, 12, 10),
        &owner,
        "implement:incident-response-plan",
        "Record the current incident response plan (v1.4)",
        None,
        note,
        |s, d| {
            s.implementation = evident::model::Implementation {
                status: Impl::Implemented,
                date: Some(edate(d)),
                notes: Some(note.to_owned()),
            };
        },
    );
    let note = "Plan being rewritten as v2.1 for action version 2: new playbooks for misdirected e-mail and account takeover; CISO approval planned for mid-March.";
    b.step(
        day(2026, 2, 5),
        &owner,
        "plan:incident-response-plan",
        "Rewrite the incident response plan for action v2",
        None,
        note,
        |s, _| {
            s.implementation = evident::model::Implementation {
                status: Impl::Planned,
                date: None,
                notes: Some(note.to_owned()),
            };
        },
    );
    phase_implement(b, false);
    phase_test(b, TestOpts { in_progress: true });
    true
}

/// A quarterly test passes in Q1 on its own record; in Q3 the record is replaced (the test goes
/// back to in-progress first) and the test passes again.
pub(super) fn story_quarterly(b: &mut LaneBuilder) -> bool {
    let fin = b.fin().clone();
    let action = b.lane().action.clone();
    if fin.test.status != TS::Passed
        || !implemented(&fin)
        || impl_date(&fin).is_none_or(|d| d > day(2026, 3, 13))
        || test_date(&fin).is_none_or(|d| d < day(2026, 7, 27))
        || fin.evidence.len() != 1
        || fin.evidence[0].url.is_none()
    {
        return false;
    }
    phase_assign(b);
    phase_implement(b, true);
    let owner = b.owner();
    let assessor = b.assessor();
    let label = b.ctx.label(&action);
    let q1 = url(
        "Break-glass test record Q1",
        "https://wiki.example.com/security/breakglass-tests?quarter=2026-q1",
    );
    b.step(
        day(2026, 3, 27),
        &owner,
        &format!("evidence:{action}"),
        &format!("Add evidence for {label}: Q1 test record"),
        None,
        "- Break-glass test record Q1",
        |s, _| s.evidence = vec![q1],
    );
    let note = "Quarterly test: both accounts signed in, incidents created within 3 minutes, keys returned and the safe log signed.";
    b.step(
        day(2026, 3, 30),
        &assessor,
        &format!("verdict:{action}"),
        &format!("Assessor: pass the Q1 test of {label}"),
        None,
        note,
        |s, d| set_test(s, TS::Passed, Some(d), note),
    );
    let note = "Q3 test booked for 3 August; its record will replace the Q1 record.";
    b.step(
        day(2026, 7, 20),
        &assessor,
        &format!("inprogress:{action}"),
        &format!("Assessor: start the Q3 test of {label}"),
        None,
        note,
        |s, _| set_test(s, TS::InProgress, None, note),
    );
    let dt = test_date(&fin).expect("dated");
    let fin_ev = fin.evidence.clone();
    b.step(
        dt,
        &owner,
        &format!("evidence:{action}"),
        &format!("Replace the Q1 record of {label} with the Q3 one"),
        None,
        &format!("- {}", fin_ev[0].name),
        |s, _| s.evidence = fin_ev,
    );
    let test = fin.test.clone();
    let body = test.notes.clone().unwrap_or_default();
    b.step(
        dt,
        &assessor,
        &format!("verdict:{action}"),
        &format!("Assessor: pass the Q3 test of {label}"),
        None,
        &body,
        |s, _| s.test = test,
    );
    true
}

/// A failed test first, then a pass after the fix: (day, status, notes, subject) of the failure.
pub(super) fn story_fail_then_fix(
    b: &mut LaneBuilder,
    fail_day: Day,
    status: TS,
    note: &str,
    subject: &str,
    in_progress: Option<(Day, &str)>,
) -> bool {
    let fin = b.fin().clone();
    let action = b.lane().action.clone();
    if fin.test.status != TS::Passed
        || !implemented(&fin)
        || impl_date(&fin).is_none_or(|d| d >= fail_day)
        || test_date(&fin).is_none_or(|d| d <= plus(fail_day, 14))
    {
        return false;
    }
    phase_assign(b);
    phase_implement(b, true);
    let assessor = b.assessor();
    if let Some((d, n)) = in_progress {
        let label = b.ctx.label(&action);
        b.step(
            d,
            &assessor,
            &format!("inprogress:{action}"),
            &format!("Assessor: start testing {label}"),
            None,
            n,
            |s, _| set_test(s, TS::InProgress, None, n),
        );
    }
    // Link evidence that already exists (pen test report) goes in with the failure.
    let early: Vec<Evidence> =
        fin.evidence.iter().filter(|e| e.url.is_some() && action == "penetration-test").cloned().collect();
    if !early.is_empty() {
        add_evidence(b, plus(fail_day, -1), early);
    }
    b.step(fail_day, &assessor, &format!("verdict:{action}"), subject, None, note, |s, d| {
        set_test(s, status, Some(d), note)
    });
    phase_test(b, TestOpts { in_progress: false });
    true
}

/// The identity CI commits `evident test` results as.
pub(super) const AUTOMATION: &str = "compliance-bot@example.com";

/// A season of automatic results for the TLS check: after the assessor's March pass, the
/// nightly `evident test` job keeps the verdict current and CI commits it once a week (the
/// nights in between change only the date). In mid-July the check catches the legacy storage
/// account that accepts TLS 1.0 (failed-low, the action's `on-fail`) weeks before the August
/// retest confirms it.
fn season_of_automatic_results(b: &mut LaneBuilder) {
    let run = "python3 checks/tls_min_version.py --config config/tls.conf --min 1.2";
    let regression = day(2026, 7, 13);
    let mut d = day(2026, 3, 23);
    while d < day(2026, 8, 1) {
        let (status, subject, note) = if d < regression {
            (
                TS::Passed,
                "evident test: the TLS check passes",
                format!("evident test: `{run}` exited 0 after 0.4 s."),
            )
        } else {
            (
                TS::FailedLow,
                "evident test: the TLS check fails on one storage account (low)",
                format!(
                    "evident test: `{run}` exited 1 after 0.4 s: storage account nwlegacyexports accepts TLS 1.0."
                ),
            )
        };
        b.step(d, AUTOMATION, "auto:evident-test", subject, None, &note, |s, day| {
            set_test(s, status, Some(day), &note)
        });
        d = plus(d, 7);
    }
}
