//! Replays a believable year of work on `example-repo/` into a fresh git repository, so that
//! `evident history`, `evident report` and the score trends have something real to show.
//!
//! ```text
//! cargo run --release --example replay -- --out DIR [--from DIR] [--force]
//! ```
//!
//! The history runs from 2025-11-03 to the end of October 2026, on working days and in office
//! hours, each author in their own time zone (the US team on Eastern, Central, Mountain or Pacific
//! time, the Irish subsidiary on Dublin time, with daylight saving). It ends with a working tree
//! and a HEAD tree byte-identical to the source (`--from`, by default the crate's
//! `example-repo/`), so `evident validate` and `evident score` there give the same results as on
//! the source. The story:
//!
//! - November: the CISO and the DPO start the repository (config, templates with their actions,
//!   the three assessments, the CI workflow), then assign owners; a state file appears when an
//!   action gets its owner (a missing file means not implemented, not tested), so an action
//!   nobody owns yet has no file.
//! - From December: owners plan (`planned`), implement (`implemented` / `alternative`, dated)
//!   and attach evidence (files under `evidence/` with their SHA-256, or links); the assessors
//!   from `[roles]` (and only they) record `passed` / `failed-*`, often after an `in-progress`
//!   step. Two actions are scoped out and back in, one stays out of scope; action definitions
//!   and the HIPAA template get new versions that the assessments accept in the same commit.
//! - Regressions: a retest fails months after a pass and is fixed later (encryption at rest), a
//!   quarterly retest fails (vulnerability scanning, TLS), evidence is replaced by moving the
//!   test back to `in-progress` first (privacy requests), a monitoring signal is lost late in
//!   the year (audit logging). The overall score rises with dips.
//!
//! Every commit is valid on its own: `evident validate` and `evident check` are clean (the
//! status rules with the commit's own date as today, group `privacy` in sync), and `evident
//! audit` finds nothing (evidence is never removed or altered under a verdict; verdicts are
//! committed by assessors). The generator checks all of this itself while it writes the history
//! and stops (exit 1) if the source does not allow the story (after an edit of example-repo,
//! say); a special storyline whose assumptions no longer hold falls back to the plain one.
//!
//! Deterministic (fixed dates, fixed seed): the same source gives the same commit ids. The
//! history is written with one `git fast-import` stream. DIR must not exist or be empty (exit 2
//! otherwise); `--force` first deletes what a previous run wrote there (`.git/` and the files
//! of the source tree) and nothing else. Exit codes: 0 done, 1 the source does not fit or a git
//! or I/O failure, 2 bad arguments or DIR not empty.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use evident::model::{
    Action, ActionState, Assessment, Config, Date, Evidence, ImplementationStatus as Impl, Template,
    TestStatus as TS,
};
use evident::scaffold::state_text;
use jiff::civil::{Date as Day, Weekday};
use sha2::{Digest, Sha256};

#[path = "common/fast_import.rs"]
mod fast_import;
use fast_import::{data, import};

const SEED: u64 = 2026;

// ---------------------------------------------------------------------------------------------
// Arguments

/// Replays a year of work on a compliance repository into a fresh git repository.
#[derive(clap::Parser)]
#[command(
    name = "replay",
    override_usage = "cargo run --release --example replay -- --out DIR [--from DIR] [--force]"
)]
struct Opts {
    /// Where to write the repository (must not exist or be empty)
    #[arg(short, long, value_name = "DIR")]
    out: PathBuf,
    /// The compliance repository to replay (default: the crate's example-repo/)
    #[arg(long, value_name = "DIR", default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/example-repo"))]
    from: PathBuf,
    /// Delete what a previous run wrote in DIR first
    #[arg(long)]
    force: bool,
}

// ---------------------------------------------------------------------------------------------
// Randomness: SplitMix64, deterministic and independent of the platform.

#[path = "common/rng.rs"]
mod rng;

struct Rng(rng::SplitMix64);

impl Rng {
    fn new(stream: &str) -> Rng {
        // FNV-1a of the stream name, mixed with the seed.
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in stream.bytes() {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        Rng(rng::SplitMix64::new(SEED ^ h))
    }
    fn below(&mut self, n: u64) -> u64 {
        self.0.below(n)
    }
    /// Uniform in `lo..=hi` (`lo` when `hi < lo`).
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo { lo } else { lo + self.below((hi - lo + 1) as u64) as i64 }
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

// ---------------------------------------------------------------------------------------------
// Calendar and time zones

fn day(y: i16, m: i8, d: i8) -> Day {
    jiff::civil::date(y, m, d)
}

fn plus(d: Day, days: i64) -> Day {
    d.checked_add(jiff::Span::new().days(days)).expect("date in range")
}

fn days_between(a: Day, b: Day) -> i64 {
    i64::from((b - a).get_days())
}

fn edate(d: Day) -> Date {
    Date(d)
}

const START: (i16, i8, i8) = (2025, 11, 3);
const END: (i16, i8, i8) = (2026, 10, 30);

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Region {
    Us,
    Ie,
}

/// Where a person works: UTC offset in standard time (minutes) and the region (daylight saving
/// rules and public holidays).
#[derive(Clone, Debug)]
struct Person {
    email: String,
    name: String,
    std_offset: i32,
    region: Region,
}

impl Person {
    fn first(&self) -> &str {
        self.name.split_whitespace().next().unwrap_or(&self.name)
    }
}

/// Time zones of Northwind Health's people; anyone else works from Boston.
const ZONES: &[(&str, i32, Region)] = &[
    ("ana.lima@example.com", -300, Region::Us),      // Boston HQ (CISO)
    ("ben.okafor@example.com", 0, Region::Ie),       // Dublin (DPO, Irish subsidiary)
    ("chloe.martin@example.com", 0, Region::Ie),     // Dublin (internal audit)
    ("david.chen@example.com", -480, Region::Us),    // Seattle (identity)
    ("elena.rossi@example.com", -300, Region::Us),   // Boston (security operations)
    ("farid.haddad@example.com", -360, Region::Us),  // Chicago (cloud platform)
    ("grace.kim@example.com", -300, Region::Us),     // Boston (people team)
    ("hugo.schmidt@example.com", -360, Region::Us),  // Chicago (external assessor)
    ("isabel.santos@example.com", -420, Region::Us), // Denver (devices, clinics)
    ("jonas.berg@example.com", 0, Region::Ie),       // Dublin (Microsoft 365, Purview)
];

fn nth_sunday(y: i16, m: i8, n: i8) -> Day {
    let mut d = day(y, m, 1);
    let mut seen = 0;
    loop {
        if d.weekday() == Weekday::Sunday {
            seen += 1;
            if seen == n {
                return d;
            }
        }
        d = plus(d, 1);
    }
}

fn last_sunday(y: i16, m: i8) -> Day {
    let mut d = plus(day(if m == 12 { y + 1 } else { y }, if m == 12 { 1 } else { m + 1 }, 1), -1);
    while d.weekday() != Weekday::Sunday {
        d = plus(d, -1);
    }
    d
}

/// UTC offset in minutes of a person on a day (office hours, far from the 2 a.m. switch).
fn offset_on(p: &Person, d: Day) -> i32 {
    let y = d.year();
    let dst = match p.region {
        Region::Us => d >= nth_sunday(y, 3, 2) && d < nth_sunday(y, 11, 1),
        Region::Ie => d >= last_sunday(y, 3) && d < last_sunday(y, 10),
    };
    p.std_offset + if dst { 60 } else { 0 }
}

fn is_holiday(region: Region, d: Day) -> bool {
    let md = (d.month(), d.day());
    // Everyone: the Christmas break, 24 December to 2 January.
    if (d.month() == 12 && d.day() >= 24) || (d.month() == 1 && d.day() <= 2) {
        return true;
    }
    let fixed: &[(i16, i8, i8)] = match region {
        Region::Us => &[
            (2025, 11, 27),
            (2025, 11, 28),
            (2026, 1, 19),
            (2026, 5, 25),
            (2026, 7, 3),
            (2026, 9, 7),
            (2026, 10, 12),
        ],
        Region::Ie => &[
            (2026, 2, 2),
            (2026, 3, 17),
            (2026, 4, 6),
            (2026, 5, 4),
            (2026, 6, 1),
            (2026, 8, 3),
            (2026, 10, 26),
        ],
    };
    fixed.iter().any(|&(y, m, dd)| d.year() == y && md == (m, dd))
}

fn is_workday(region: Region, d: Day) -> bool {
    !matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday) && !is_holiday(region, d)
}

fn next_workday(region: Region, d: Day) -> Day {
    let mut d = d;
    while !is_workday(region, d) {
        d = plus(d, 1);
    }
    d
}

fn add_workdays(region: Region, d: Day, n: i64) -> Day {
    let mut d = next_workday(region, d);
    for _ in 0..n {
        d = next_workday(region, plus(d, 1));
    }
    d
}

/// Seconds since the epoch of a local time on a day for a person.
fn timestamp(p: &Person, d: Day, minute_of_day: i64) -> i64 {
    let days = i64::from((d - day(1970, 1, 1)).get_days());
    days * 86_400 + minute_of_day * 60 - i64::from(offset_on(p, d)) * 60
}

fn offset_text(minutes: i32) -> String {
    let sign = if minutes < 0 { '-' } else { '+' };
    let m = minutes.abs();
    format!("{sign}{:02}{:02}", m / 60, m % 60)
}

// ---------------------------------------------------------------------------------------------
// The source repository

struct Source {
    files: BTreeMap<String, Vec<u8>>,
    exec: BTreeSet<String>,
    config: Config,
    actions: BTreeMap<String, Action>,
    templates: BTreeMap<String, Template>,
    /// Template text per file path.
    assessments: BTreeMap<String, Assessment>,
    /// Final state per state file path.
    states: BTreeMap<String, ActionState>,
}

fn read_tree(
    root: &Path,
    dir: &Path,
    files: &mut BTreeMap<String, Vec<u8>>,
    exec: &mut BTreeSet<String>,
) -> Result<(), String> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| format!("cannot read `{}`: {e}", dir.display()))?
        .filter_map(|e| e.ok())
        .collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let path = e.path();
        let name = e.file_name().to_string_lossy().into_owned();
        let ft = e.file_type().map_err(|err| format!("cannot read `{}`: {err}", path.display()))?;
        if ft.is_symlink() {
            return Err(format!(
                "`{}` is a symbolic link; the replay copies regular files only",
                path.display()
            ));
        }
        if ft.is_dir() {
            if name == ".git" {
                continue;
            }
            read_tree(root, &path, files, exec)?;
        } else {
            let rel = path.strip_prefix(root).expect("inside root").to_string_lossy().replace('\\', "/");
            let bytes =
                std::fs::read(&path).map_err(|err| format!("cannot read `{}`: {err}", path.display()))?;
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                if e.metadata().map(|m| m.permissions().mode() & 0o111 != 0).unwrap_or(false) {
                    exec.insert(rel.clone());
                }
            }
            files.insert(rel, bytes);
        }
    }
    Ok(())
}

fn parse<T: serde::de::DeserializeOwned>(path: &str, bytes: &[u8]) -> Result<T, String> {
    let text = std::str::from_utf8(bytes).map_err(|_| format!("`{path}` is not UTF-8"))?;
    toml::from_str(text).map_err(|e| format!("`{path}` does not parse: {}", e.to_string().trim()))
}

fn load_source(root: &Path) -> Result<Source, String> {
    if !root.join("evident.toml").is_file() {
        return Err(format!("`{}` has no evident.toml", root.display()));
    }
    let mut files = BTreeMap::new();
    let mut exec = BTreeSet::new();
    read_tree(root, root, &mut files, &mut exec)?;
    let config: Config = parse("evident.toml", &files["evident.toml"])?;
    let mut src = Source {
        files: BTreeMap::new(),
        exec,
        config,
        actions: BTreeMap::new(),
        templates: BTreeMap::new(),
        assessments: BTreeMap::new(),
        states: BTreeMap::new(),
    };
    for (path, bytes) in &files {
        let parts: Vec<&str> = path.split('/').collect();
        match parts.as_slice() {
            ["templates", f] if f.ends_with(".toml") => {
                let t: Template = parse(path, bytes)?;
                src.templates.insert(t.id.as_str().to_owned(), t);
            }
            ["actions", f] if f.ends_with(".toml") => {
                let a: Action = parse(path, bytes)?;
                src.actions.insert(a.id.as_str().to_owned(), a);
            }
            ["assessments", a, "assessment.toml"] => {
                let x: Assessment = parse(path, bytes)?;
                if x.id.as_str() != *a {
                    return Err(format!("`{path}` has id `{}`", x.id));
                }
                src.assessments.insert(x.id.as_str().to_owned(), x);
            }
            ["assessments", _, f] if f.ends_with(".toml") => {
                let s: ActionState = parse(path, bytes)?;
                src.states.insert(path.clone(), s);
            }
            _ => {}
        }
    }
    src.files = files;
    Ok(src)
}

fn state_path(assessment: &str, action: &str) -> String {
    format!("assessments/{assessment}/{action}.toml")
}

fn sha256_hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(64);
    for b in Sha256::digest(bytes) {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// Replaces the first top-level line starting with `key = ` by `key = value`.
fn set_line(text: &str, key: &str, value: &str) -> Option<String> {
    let prefix = format!("{key} = ");
    let mut out = String::with_capacity(text.len());
    let mut done = false;
    for line in text.split_inclusive('\n') {
        if !done && line.starts_with(&prefix) {
            out.push_str(&prefix);
            out.push_str(value);
            out.push('\n');
            done = true;
        } else {
            out.push_str(line);
        }
    }
    done.then_some(out)
}

// ---------------------------------------------------------------------------------------------
// The story's vocabulary: how the team talks about each action.

struct Words {
    id: &'static str,
    /// Noun phrase for commit subjects.
    label: &'static str,
    /// Subject of the commit that records the implementation.
    implemented: &'static str,
    /// Implementation notes while the action is planned.
    plan: &'static str,
}

const WORDS: &[Words] = &[
    Words {
        id: "access-reviews",
        label: "quarterly access reviews",
        implemented: "Start quarterly Entra access reviews for personal-data groups",
        plan: "Quarterly Entra access reviews for the groups and apps that grant access to personal data; first cycle to start on 1 April.",
    },
    Words {
        id: "anti-malware",
        label: "anti-malware protection",
        implemented: "Turn on Defender Antivirus with tamper protection everywhere",
        plan: "Defender Antivirus in active mode with cloud and tamper protection, rolled out together with the EDR onboarding.",
    },
    Words {
        id: "audit-logging",
        label: "audit logging",
        implemented: "Stream audit logs to Sentinel with a year of retention",
        plan: "Turn on the unified audit log and send Azure activity and diagnostic logs to the Sentinel workspace.",
    },
    Words {
        id: "auto-screen-lock",
        label: "automatic screen lock",
        implemented: "Lock screens after 10 minutes, 5 on clinician tablets",
        plan: "Screen-lock settings to be pushed from the Intune settings catalog with the device compliance baseline.",
    },
    Words {
        id: "azure-policy-baseline",
        label: "the Azure Policy baseline",
        implemented: "Assign the cloud security benchmark to production",
        plan: "Assign the Microsoft cloud security benchmark in audit mode first, then deny effects for public storage and open management ports.",
    },
    Words {
        id: "background-checks",
        label: "background checks",
        implemented: "Record background checks for roles with ePHI access",
        plan: "Confirm with the screening provider that every role with ePHI access is checked before the start date.",
    },
    Words {
        id: "backup-daily",
        label: "daily backups",
        implemented: "Protect production with daily backups to an immutable vault",
        plan: "Move all production VMs, SQL databases and file shares to the new Recovery Services vault, then lock it (immutable).",
    },
    Words {
        id: "block-legacy-auth",
        label: "the legacy authentication block",
        implemented: "Block legacy authentication (CA-03)",
        plan: "CA-03 in report-only mode to find the last legacy clients (two scanners and an old CRM connector) before enforcing it.",
    },
    Words {
        id: "breach-notification-procedure",
        label: "the breach notification procedure",
        implemented: "Publish the breach assessment and notification procedure",
        plan: "Draft the breach assessment procedure with the DPC 72-hour and HHS notice templates; review with outside counsel in March.",
    },
    Words {
        id: "compliance-evaluation",
        label: "the compliance evaluation",
        implemented: "Set up internal audit's half-yearly compliance evaluation",
        plan: "Internal audit to evaluate the privacy assessments and the Security Rule safeguards every six months; first report in June.",
    },
    Words {
        id: "confidentiality-agreements",
        label: "confidentiality agreements",
        implemented: "Record confidentiality terms for staff and contractors",
        plan: "Check that the confidentiality clause is in every employment contract and contractor agreement template.",
    },
    Words {
        id: "consent-management",
        label: "consent management",
        implemented: "Sync consent choices from the portal to e-mail and analytics",
        plan: "Central consent service in the patient portal that pushes choices to the e-mail platform and analytics; build planned for Q2.",
    },
    Words {
        id: "cross-border-transfers",
        label: "cross-border transfers",
        implemented: "Document the transfer mechanism for each US recipient",
        plan: "List the US recipients from the record of processing and choose DPF or SCCs with a transfer impact assessment for each.",
    },
    Words {
        id: "data-inventory",
        label: "the data inventory",
        implemented: "Publish the data inventory of 41 systems",
        plan: "Build the data inventory in the privacy register from the Azure resource list, the SaaS spend report and interviews.",
    },
    Words {
        id: "data-minimisation-review",
        label: "the data minimisation review",
        implemented: "Run the data minimisation review",
        plan: "Yearly review of the fields collected by the sign-up and intake forms, with the product team; first review in Q3.",
    },
    Words {
        id: "device-compliance",
        label: "device compliance",
        implemented: "Require compliant devices for Microsoft 365 and the EHR (CA-04)",
        plan: "Intune compliance policies in report-only mode first; CA-04 to require compliant devices once 95% of devices comply.",
    },
    Words {
        id: "device-encryption",
        label: "device encryption",
        implemented: "Enforce BitLocker and FileVault with escrowed recovery keys",
        plan: "BitLocker and FileVault policies in Intune with recovery keys escrowed; tablets to require a passcode.",
    },
    Words {
        id: "disaster-recovery-plan",
        label: "the disaster recovery plan",
        implemented: "Approve the disaster recovery plan for the telehealth platform",
        plan: "DR plan for the telehealth platform with recovery objectives per tier and a secondary region; draft due in April.",
    },
    Words {
        id: "dlp-policies",
        label: "DLP policies",
        implemented: "Enforce DLP for medical record numbers and SSNs",
        plan: "DLP policies for medical record numbers and SSNs in test mode first; enforcement once false positives are tuned.",
    },
    Words {
        id: "do-not-sell-link",
        label: "the Do Not Sell or Share link",
        implemented: "Add the 'Your Privacy Choices' link and honour GPC",
        plan: "Footer link and GPC support to be added to the consent banner on the site and in the app.",
    },
    Words {
        id: "dpia-process",
        label: "the DPIA process",
        implemented: "Add DPIA screening to the change template",
        plan: "Add DPIA screening questions to the change template; DPIAs for the symptom checker and video visits first.",
    },
    Words {
        id: "dsar-process",
        label: "privacy request handling",
        implemented: "Log every privacy request with its deadline",
        plan: "One request tracker for GDPR and CCPA requests from the web form, the portal and privacy@, with the deadline of each regime.",
    },
    Words {
        id: "email-encryption",
        label: "e-mail encryption",
        implemented: "Encrypt outbound mail that carries a medical record number",
        plan: "Purview Message Encryption rule for outbound mail containing a medical record number, planned for June.",
    },
    Words {
        id: "emergency-access-accounts",
        label: "break-glass accounts",
        implemented: "Set up two break-glass accounts with FIDO2 keys",
        plan: "Two cloud-only break-glass accounts with FIDO2 keys in the office safe, excluded from CA-01; Sentinel alert on any sign-in.",
    },
    Words {
        id: "endpoint-edr",
        label: "endpoint detection and response",
        implemented: "Onboard all devices and servers to Defender for Endpoint",
        plan: "Onboard laptops and tablets through Intune and servers through Azure Arc, starting with IT and engineering.",
    },
    Words {
        id: "facility-access-control",
        label: "facility access control",
        implemented: "Record facility access control",
        plan: "Review which premises hold ePHI systems or paper records.",
    },
    Words {
        id: "identity-verification-dsar",
        label: "requester identity verification",
        implemented: "Verify requesters by portal sign-in instead of ID copies",
        plan: "Decide how to verify requesters without collecting ID copies: portal sign-in, matching data points, or both.",
    },
    Words {
        id: "incident-response-plan",
        label: "the incident response plan",
        implemented: "Approve incident response plan v2.1",
        plan: "Review the incident response plan and its contact lists with the CISO.",
    },
    Words {
        id: "insider-risk-monitoring",
        label: "insider risk monitoring",
        implemented: "Turn on insider risk monitoring",
        plan: "Pilot Purview Insider Risk Management with HR for departing staff in Q3; licences to be confirmed.",
    },
    Words {
        id: "integrity-controls",
        label: "integrity controls for health records",
        implemented: "Write the EHR audit trail to immutable storage with nightly checksums",
        plan: "Immutable (WORM) storage for the EHR audit trail and a nightly checksum comparison of exported records; build in September.",
    },
    Words {
        id: "joiner-mover-leaver",
        label: "joiner-mover-leaver",
        implemented: "Disable accounts from the HRIS termination date",
        plan: "Drive account disabling from the HRIS termination date through the Entra provisioning connector.",
    },
    Words {
        id: "key-management",
        label: "key management",
        implemented: "Move to customer-managed keys with 12-month rotation",
        plan: "Customer-managed keys in Key Vault Premium with purge protection and a 12-month rotation policy.",
    },
    Words {
        id: "log-review",
        label: "the weekly EHR access review",
        implemented: "Start the weekly EHR access review",
        plan: "Weekly review of the EHR access workbook (break-glass, VIP and employee records); the workbook is to be built first.",
    },
    Words {
        id: "mfa-admins",
        label: "MFA for admins",
        implemented: "Enforce phishing-resistant MFA for admins (CA-02)",
        plan: "FIDO2 keys for the 14 admins, then CA-02 with the phishing-resistant authentication strength for the admin roles.",
    },
    Words {
        id: "mfa-all-users",
        label: "MFA for all users",
        implemented: "Enforce MFA for all users (CA-01)",
        plan: "CA-01 for all users in report-only mode from January; switch it on once the Authenticator rollout is done.",
    },
    Words {
        id: "network-segmentation",
        label: "network segmentation",
        implemented: "Separate production from corporate networks",
        plan: "Hub-and-spoke design with Azure Firewall between the production and corporate VNets (CLOUD-290); build planned for Q2.",
    },
    Words {
        id: "non-discrimination",
        label: "non-discrimination",
        implemented: "State that prices do not depend on privacy choices",
        plan: "Confirm with marketing that no offer depends on privacy choices, and say so in the next privacy notice.",
    },
    Words {
        id: "patch-management",
        label: "patch management",
        implemented: "Enforce OS updates within 14 days",
        plan: "Windows Update for Business rings and macOS managed updates with a 14-day deadline.",
    },
    Words {
        id: "penetration-test",
        label: "the penetration test",
        implemented: "Run the 2026 external penetration test",
        plan: "External penetration test of the patient portal and public APIs booked with an accredited firm for June.",
    },
    Words {
        id: "phishing-simulation",
        label: "phishing simulations",
        implemented: "Start quarterly phishing simulations",
        plan: "Quarterly phishing simulations with the awareness platform.",
    },
    Words {
        id: "privacy-by-design-review",
        label: "the privacy review of new features",
        implemented: "Require a privacy review before launch",
        plan: "Privacy review of new features before launch; checklist to be drafted with the product team.",
    },
    Words {
        id: "privacy-notice",
        label: "the privacy notice",
        implemented: "Publish privacy notice v4",
        plan: "Privacy notice v4 with the CCPA categories table and the DPO's contact details; legal review in March.",
    },
    Words {
        id: "privileged-access-jit",
        label: "just-in-time admin access",
        implemented: "Use PIM for admins, with a ticketed exception for EHR vendor accounts (RA-07)",
        plan: "PIM for every admin role; check whether the EHR vendor support accounts can use it.",
    },
    Words {
        id: "pseudonymisation",
        label: "pseudonymisation",
        implemented: "Pseudonymise analytics data",
        plan: "Pseudonymise the data used for analytics.",
    },
    Words {
        id: "records-of-processing",
        label: "the record of processing",
        implemented: "Publish the record of processing activities",
        plan: "Record of processing activities in the privacy register, built together with the data inventory.",
    },
    Words {
        id: "restore-test",
        label: "quarterly restore tests",
        implemented: "Schedule quarterly restore tests of tier-1 systems",
        plan: "Quarterly restore tests rotating through the tier-1 systems; first one in Q2.",
    },
    Words {
        id: "retention-policies",
        label: "retention policies",
        implemented: "Publish retention labels",
        plan: "Retention schedule being drafted with Legal; Purview retention labels once it is approved.",
    },
    Words {
        id: "risk-assessment",
        label: "the risk analysis",
        implemented: "Complete the 2026 security risk analysis",
        plan: "2026 risk analysis of every system in the data inventory in March and April, NIST SP 800-30 style.",
    },
    Words {
        id: "risk-management-plan",
        label: "risk treatment",
        implemented: "Track risk treatments in the RISK project",
        plan: "Move the risk register to Jira (RISK) with owners, treatments and due dates once the 2026 analysis is done.",
    },
    Words {
        id: "sanctions-policy",
        label: "the sanctions policy",
        implemented: "Reference sanctions in the Code of Conduct",
        plan: "Describe sanctions for security and privacy violations in the Code of Conduct update.",
    },
    Words {
        id: "secure-disposal",
        label: "secure disposal",
        implemented: "Reset devices before reuse and shred retired drives",
        plan: "Autopilot reset before reuse; a certified shredding vendor for retired drives.",
    },
    Words {
        id: "security-awareness-training",
        label: "security awareness training",
        implemented: "Launch the 2026 security and privacy course",
        plan: "2026 security and privacy course in the LMS, with a consumer-requests module for the support team.",
    },
    Words {
        id: "security-incident-tracking",
        label: "security incident tracking",
        implemented: "Mirror Sentinel incidents to the SEC project",
        plan: "Mirror Sentinel incidents into Jira (SEC) and require a root cause and follow-ups before closure.",
    },
    Words {
        id: "security-officer",
        label: "the Security Officer and DPO appointments",
        implemented: "Appoint the Security Officer and the DPO",
        plan: "Appointment letters for the Security Officer and the DPO; DPO registration with the DPC.",
    },
    Words {
        id: "security-policy",
        label: "the information security policy",
        implemented: "Approve information security policy v3",
        plan: "Information security policy v3 to go to the leadership team for approval in January.",
    },
    Words {
        id: "sensitivity-labels",
        label: "sensitivity labels",
        implemented: "Publish sensitivity labels",
        plan: "Label taxonomy drafted with Legal and the care teams; approval by the leadership team in Q3.",
    },
    Words {
        id: "siem-alerting",
        label: "SIEM alerting",
        implemented: "Turn on Sentinel analytics rules that page on-call",
        plan: "Sentinel analytics rules for impossible travel, mass download, role changes and break-glass sign-ins.",
    },
    Words {
        id: "storage-encryption-at-rest",
        label: "encryption at rest",
        implemented: "Require customer-managed keys for storage and SQL",
        plan: "Customer-managed keys for every storage account and SQL database; deny policy once everything is migrated.",
    },
    Words {
        id: "tls-in-transit",
        label: "TLS 1.2 in transit",
        implemented: "Set minimum TLS 1.2 on every endpoint",
        plan: "Minimum TLS 1.2 on App Service, SQL, API Management and storage; first find the clients that still need TLS 1.0.",
    },
    Words {
        id: "unique-user-ids",
        label: "unique user IDs",
        implemented: "Provision every account from the HRIS",
        plan: "Provision accounts from the HRIS and retire the shared front-desk accounts.",
    },
    Words {
        id: "vendor-agreements",
        label: "vendor agreements",
        implemented: "Record signed DPAs and BAAs for our vendors",
        plan: "Collect DPAs (with SCCs where needed) and BAAs for every vendor in the vendor register.",
    },
    Words {
        id: "vulnerability-scanning",
        label: "vulnerability scanning",
        implemented: "Scan servers and container images for vulnerabilities",
        plan: "Defender Vulnerability Management on all servers, registry scanning for the video service's images.",
    },
];

/// Subjects of a few assessors' commits (the rest say "Assessor: pass ..."): (action, for a
/// pass, subject).
const VERDICT_SUBJECTS: &[(&str, bool, &str)] = &[
    ("mfa-admins", true, "Assessor: pass MFA for admins after sampling sign-ins"),
    ("mfa-all-users", true, "Assessor: pass MFA for all users on 25 sampled sign-ins"),
    ("block-legacy-auth", true, "Assessor: pass the legacy-auth block (no legacy sign-ins in 30 days)"),
    ("access-reviews", true, "Assessor: pass Q2 access reviews after spot-checking denials"),
    ("data-inventory", true, "Assessor: pass the data inventory after reconciling with Azure and SaaS spend"),
    ("records-of-processing", true, "Assessor: pass the record of processing (3 new features traced)"),
    ("risk-assessment", true, "Assessor: pass the 2026 risk analysis after leadership approval"),
    ("incident-response-plan", true, "Assessor: pass the incident response plan on the May tabletop"),
    ("restore-test", true, "Assessor: pass the Q3 restore test (47 minutes, RTO 4 hours)"),
    ("vendor-agreements", true, "Assessor: pass BAAs after reconciling with accounts payable"),
    ("penetration-test", true, "Assessor: pass the penetration test after the retest of both highs"),
    ("joiner-mover-leaver", false, "Assessor: leaver sample fails for contractors (medium)"),
    ("consent-management", false, "Assessor: opt-out not honoured by the e-mail platform (high)"),
    ("tls-in-transit", false, "Assessor: TLS retest fails on one legacy storage account (low)"),
    ("patch-management", false, "Assessor: September patch compliance below target (low)"),
    ("risk-management-plan", false, "Assessor: 4 risk treatments overdue (low)"),
    ("vendor-agreements", false, "Assessor: 3 processors still on old DPAs (medium)"),
];

/// Notes of the assessors while a test is under way, for a few actions.
const IN_PROGRESS: &[(&str, &str, (i16, i8, i8))] = &[
    (
        "consent-management",
        "Three test opt-outs made on 18 July through the portal, the app and an unsubscribe link; checking the e-mail platform and analytics.",
        (2026, 7, 18),
    ),
    (
        "mfa-admins",
        "Sampling admin sign-ins from the first week of March; FIDO2 registrations requested from David.",
        (2026, 3, 2),
    ),
    ("access-reviews", "Q2 review cycle closes on 30 June; results export requested.", (2026, 6, 22)),
    (
        "penetration-test",
        "Report expected in the first week of July; retest of any high finding to follow.",
        (2026, 6, 30),
    ),
    ("log-review", "Sampling the weekly review sign-offs for weeks 23 to 36.", (2026, 9, 8)),
];

/// Progress of long plans, recorded halfway between the plan and the implementation.
const PROGRESS: &[(&str, &str)] = &[
    (
        "access-reviews",
        "Review definitions created in Entra for the 8 groups and apps; data owners briefed on what a denial does.",
    ),
    (
        "anti-malware",
        "Tamper protection on for IT and engineering; the clinics follow with the EDR onboarding in February.",
    ),
    (
        "audit-logging",
        "Unified audit log on; Azure diagnostic settings deployed by policy to 80% of the subscriptions.",
    ),
    (
        "auto-screen-lock",
        "Settings catalog profile piloted on the IT ring; clinician tablets get a shorter timeout (5 minutes).",
    ),
    (
        "azure-policy-baseline",
        "Benchmark assigned in audit mode: 37 non-compliant resources, 31 fixed so far; deny effects next.",
    ),
    (
        "backup-daily",
        "New vault created; production VMs moved, SQL databases and file shares next, then the immutability lock.",
    ),
    (
        "block-legacy-auth",
        "CA-03 in report-only mode: the two scanners now use SMTP with OAuth; the CRM connector is the last legacy client.",
    ),
    (
        "breach-notification-procedure",
        "Draft procedure with the DPC and HHS templates sent to outside counsel for review.",
    ),
    (
        "consent-management",
        "Consent service built; the push to the e-mail platform is in testing, analytics next.",
    ),
    (
        "data-inventory",
        "32 of 41 systems documented; the SaaS tools found in the spend report are being interviewed.",
    ),
    (
        "device-compliance",
        "Compliance policies in report-only mode: 91% of devices compliant; CA-04 to be switched on at 95%.",
    ),
    (
        "device-encryption",
        "BitLocker enforced on the IT and engineering rings; FileVault profile tested on 5 Macs.",
    ),
    ("dlp-policies", "Policies in test mode since April; false positives on lab order numbers being tuned."),
    (
        "dpia-process",
        "Screening questions agreed with the change board; DPIA for the symptom checker under way.",
    ),
    (
        "dsar-process",
        "Request tracker configured with the GDPR and CCPA deadlines; the web form is being connected.",
    ),
    (
        "endpoint-edr",
        "IT and engineering onboarded (96 devices); clinics next, servers through Azure Arc in February.",
    ),
    (
        "identity-verification-dsar",
        "Portal sign-in chosen for account holders; matching rules for requesters without an account being agreed with Legal.",
    ),
    (
        "joiner-mover-leaver",
        "Entra provisioning from the HRIS in test; contractors are not in the HRIS and need another route.",
    ),
    (
        "key-management",
        "Key Vault Premium vaults created with purge protection; keys being rotated into them.",
    ),
    ("mfa-admins", "FIDO2 keys ordered for the 14 admins; 9 registered so far."),
    (
        "mfa-all-users",
        "CA-01 in report-only mode since 5 January; 212 of 250 staff registered in the Authenticator app.",
    ),
    (
        "patch-management",
        "Update rings created; the clinic tablets need their own ring with a maintenance window.",
    ),
    (
        "privacy-notice",
        "Draft v4 with the CCPA categories table is with Legal; the EU pages get the same text.",
    ),
    (
        "records-of-processing",
        "14 processing activities recorded; the features launched in Q2 still to be added.",
    ),
    ("restore-test", "Runbook written; the first restore (scheduling database) booked for Q2."),
    ("risk-assessment", "Workshops with the system owners done for 28 of the 41 systems."),
    (
        "security-awareness-training",
        "Course updated with the consumer-requests module; LMS assignment rules being set up.",
    ),
    (
        "siem-alerting",
        "Rules for impossible travel and mass download live in test; on-call paging being wired up.",
    ),
    (
        "storage-encryption-at-rest",
        "Customer-managed keys on 41 of 58 storage accounts and databases; the deny policy follows.",
    ),
    (
        "tls-in-transit",
        "Minimum TLS 1.2 set on App Service and SQL; 3 storage accounts still have clients on TLS 1.0.",
    ),
    ("unique-user-ids", "HRIS provisioning live; the two shared front-desk accounts are retired in January."),
    ("vendor-agreements", "DPAs back from 17 of 23 processors; BAAs from 8 of 9 business associates."),
    (
        "vulnerability-scanning",
        "Defender Vulnerability Management on 30 of 41 servers; registry scanning being set up.",
    ),
    ("security-incident-tracking", "Sentinel-to-Jira connector in test; closure checklist drafted."),
    (
        "disaster-recovery-plan",
        "Recovery objectives per tier agreed with the business; West US 3 chosen as the secondary region.",
    ),
    (
        "risk-management-plan",
        "RISK project created in Jira; the findings of the 2026 analysis are being imported.",
    ),
    ("log-review", "EHR access workbook built; first weekly review as a dry run with the privacy team."),
    (
        "privileged-access-jit",
        "PIM live for the Entra and Azure admin roles; the EHR vendor support accounts cannot use PIM.",
    ),
    (
        "cross-border-transfers",
        "DPF certification checked for 5 recipients; SCCs and transfer impact assessments for the other 3 in drafting.",
    ),
    ("integrity-controls", "WORM storage for the audit trail created; the checksum job is being written."),
];

/// Commits may record a final state only from these days on (the notes mention later events).
const NOT_BEFORE: &[(&str, Part, (i16, i8, i8))] = &[
    ("compliance-evaluation", Part::TestUndated, (2026, 10, 5)),
    ("data-minimisation-review", Part::Impl, (2026, 10, 12)),
    ("privacy-by-design-review", Part::Impl, (2026, 10, 5)),
    ("retention-policies", Part::Impl, (2026, 9, 28)),
    ("sensitivity-labels", Part::Impl, (2026, 9, 21)),
    ("network-segmentation", Part::Impl, (2026, 6, 15)),
    ("insider-risk-monitoring", Part::Impl, (2026, 9, 14)),
    ("cross-border-transfers", Part::TestUndated, (2026, 9, 21)),
    ("integrity-controls", Part::TestUndated, (2026, 10, 6)),
    ("do-not-sell-link", Part::TestUndated, (2026, 10, 5)),
];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Part {
    Impl,
    TestUndated,
}

/// Test notes first written without a later addition: (action, text cut from the notes, the
/// day the addition is made).
const NOTE_ADDITIONS: &[(&str, &str, (i16, i8, i8))] = &[
    ("siem-alerting", "; break-glass sign-in alert tested on 3 August", (2026, 8, 4)),
    ("vendor-agreements", " Renewals sent 10 July.", (2026, 7, 10)),
];

/// Ownership that changed during the year: (action, first owner, day of the hand-over).
const HANDOVERS: &[(&str, &str, (i16, i8, i8))] = &[
    ("retention-policies", "ben.okafor@example.com", (2026, 1, 13)),
    ("log-review", "david.chen@example.com", (2026, 2, 3)),
    ("secure-disposal", "farid.haddad@example.com", (2026, 1, 27)),
];

/// When each evidence file was produced (commits that use it come on or after that day).
const FILE_DAYS: &[(&str, (i16, i8, i8))] = &[
    ("evidence/access-review-2026-q2.csv", (2026, 7, 1)),
    ("evidence/azure-policy-compliance-2026-08.json", (2026, 8, 14)),
    ("evidence/ca-policy-export-2026-03.json", (2026, 3, 9)),
    ("evidence/dsar-log-2026-h1.csv", (2026, 7, 7)),
    ("evidence/intune-encryption-report-2026-09.csv", (2026, 9, 25)),
    ("evidence/ir-tabletop-2026-05.md", (2026, 5, 21)),
    ("evidence/restore-test-2026-q3.md", (2026, 9, 17)),
    ("evidence/risk-assessment-2026.md", (2026, 5, 4)),
    ("evidence/ropa-2026.csv", (2026, 6, 10)),
    ("evidence/training-completion-2026.csv", (2026, 9, 30)),
];

/// New versions of action definitions: (action, version, day, author, subject, body, edit that
/// turns this version's text back into the previous one's).
struct Revision {
    action: &'static str,
    version: u32,
    day: (i16, i8, i8),
    author: &'static str,
    subject: &'static str,
    body: &'static str,
    undo: &'static [(&'static str, &'static str)],
}

const REVISIONS: &[Revision] = &[
    Revision {
        action: "mfa-all-users",
        version: 2,
        day: (2026, 1, 13),
        author: "david.chen@example.com",
        subject: "mfa-all-users v2: exclude only break-glass accounts, never groups",
        body: "The report-only week showed two departments excluded by group. The guidance now says\nthat only the break-glass accounts may be excluded. Accepted in every assessment.",
        undo: &[(
            "- Exclude only the break-glass accounts (see `emergency-access-accounts`), never groups of people.\n",
            "- Exclude the break-glass accounts (see `emergency-access-accounts`).\n",
        )],
    },
    Revision {
        action: "incident-response-plan",
        version: 2,
        day: (2026, 2, 3),
        author: "ana.lima@example.com",
        subject: "incident-response-plan v2: playbooks for misdirected e-mail and account takeover",
        body: "The plan must now cover misdirected e-mail and account takeover, and be reviewed every\nyear and after every major incident. Accepted in every assessment.",
        undo: &[(
            "and playbooks for ransomware, lost device, misdirected e-mail and account takeover.\nReview it every year and after every major incident.\n",
            "and playbooks for ransomware and lost devices.\n",
        )],
    },
    Revision {
        action: "mfa-all-users",
        version: 3,
        day: (2026, 4, 21),
        author: "david.chen@example.com",
        subject: "mfa-all-users v3: retire SMS and voice once Authenticator is everywhere",
        body: "Everyone has the Authenticator app since April, so SMS and voice go. Accepted in every\nassessment; CA-01 is unchanged.",
        undo: &[("- Block SMS and voice as methods once everyone has the Authenticator app.\n", "")],
    },
    Revision {
        action: "dlp-policies",
        version: 2,
        day: (2026, 5, 12),
        author: "jonas.berg@example.com",
        subject: "dlp-policies v2: cover Teams chat as well",
        body: "Patient details were pasted into Teams chats with external guests twice in April. DLP\nnow covers Teams as well as Exchange, SharePoint and OneDrive. Accepted in every\nassessment.",
        undo: &[("in Exchange, SharePoint, OneDrive and Teams.", "in Exchange, SharePoint and OneDrive.")],
    },
    Revision {
        action: "dsar-process",
        version: 2,
        day: (2026, 5, 19),
        author: "ben.okafor@example.com",
        subject: "dsar-process v2: delete in every system of the data inventory",
        body: "Now that the data inventory exists, deletion requests must reach every system it lists.\nAccepted in gdpr-2026 and ccpa-2026.",
        undo: &[("Deletion requests are executed in every system listed in the data inventory.\n", "")],
    },
];

/// A new template version: (template, version, day, author, subject, body, control removed to
/// get the previous version, text removed from the description).
struct TemplateRevision {
    template: &'static str,
    version: u32,
    day: (i16, i8, i8),
    author: &'static str,
    subject: &'static str,
    body: &'static str,
    control: &'static str,
    description_cut: &'static str,
}

const TEMPLATE_REVISIONS: &[TemplateRevision] = &[TemplateRevision {
    template: "hipaa",
    version: 2,
    day: (2026, 8, 4),
    author: "ana.lima@example.com",
    subject: "HIPAA template v2: add 164.312(c)(1) integrity controls",
    body: "Internal audit report IA-2026-03 noted that the template had no control for the\nintegrity of ePHI. Adds control 164.312(c)(1) with the new action integrity-controls,\nand hipaa-2026 accepts version 2.",
    control: "164.312(c)(1)",
    description_cut: " Version 2 added 164.312(c)(1) integrity controls.",
}];

fn d3(t: (i16, i8, i8)) -> Day {
    day(t.0, t.1, t.2)
}

// ---------------------------------------------------------------------------------------------
// Lanes: the action states that move together.

/// One shared state of an action: every assessment of a group that lists the action (group
/// sync), plus other assessments whose final state is the same (one team, one control).
struct Lane {
    action: String,
    /// Assessment ids whose state file this lane writes.
    units: Vec<String>,
    /// The final state (owner, implementation, test, evidence; `accepted_version` per file).
    fin: ActionState,
    /// Suffix naming the lane's regulations when the action has other lanes: " (HIPAA)".
    scope: String,
    /// Whether every unit is in a group (the privacy side of the program).
    grouped_only: bool,
    ungrouped_only: bool,
}

fn synced(s: &ActionState) -> ActionState {
    ActionState { accepted_version: None, ..s.clone() }
}

// ---------------------------------------------------------------------------------------------
// Steps and commits

#[derive(Clone)]
struct Step {
    day: Day,
    author: String,
    /// Steps with the same day, author and key become one commit.
    key: String,
    action: String,
    subject: String,
    /// Subject without the scope suffix.
    base: String,
    /// Subject of a commit of several such steps; `{n}` is the number of actions.
    group: Option<String>,
    body: String,
    /// One line for the list in the body of a merged commit.
    line: String,
    lane_writes: Vec<(usize, ActionState)>,
    file_writes: Vec<(String, Option<Vec<u8>>)>,
    /// Raise `accepted_version` of every state file of an action.
    accept: Vec<(String, u32)>,
}

struct Ctx<'s> {
    src: &'s Source,
    people: BTreeMap<String, Person>,
    assessors: Vec<String>,
    admins: Vec<String>,
    lanes: Vec<Lane>,
    /// Day each action is introduced (its template's first commit or a later revision).
    intro: BTreeMap<String, Day>,
    /// Day of each (admin, owner) assignment commit.
    assign_days: BTreeMap<(String, String), Day>,
    /// Evidence files produced by the story that are not in the source.
    extra_files: BTreeMap<String, Vec<u8>>,
}

impl Ctx<'_> {
    fn person(&self, email: &str) -> Person {
        self.people.get(email).cloned().unwrap_or_else(|| Person {
            email: email.to_owned(),
            name: email.split('@').next().unwrap_or(email).to_owned(),
            std_offset: -300,
            region: Region::Us,
        })
    }
    fn region(&self, email: &str) -> Region {
        self.person(email).region
    }
    fn words(&self, action: &str) -> (&str, String, String) {
        match WORDS.iter().find(|w| w.id == action) {
            Some(w) => (w.label, w.implemented.to_owned(), w.plan.to_owned()),
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
    fn label(&self, action: &str) -> String {
        match WORDS.iter().find(|w| w.id == action) {
            Some(w) => w.label.to_owned(),
            None => format!("`{action}`"),
        }
    }
    fn assessor_for(&self, lane: &Lane) -> String {
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
    fn admin_for(&self, lane: &Lane) -> String {
        if lane.grouped_only { self.admins[1 % self.admins.len()].clone() } else { self.admins[0].clone() }
    }
    fn file_day(&self, path: &str) -> Option<Day> {
        FILE_DAYS.iter().find(|(p, _)| *p == path).map(|(_, d)| d3(*d))
    }
}

/// Builds the steps of one lane, one after the other on strictly increasing days.
struct LaneBuilder<'c, 's> {
    ctx: &'c Ctx<'s>,
    lane: usize,
    cur: ActionState,
    last: Option<Day>,
    steps: Vec<Step>,
}

impl<'c, 's> LaneBuilder<'c, 's> {
    fn new(ctx: &'c Ctx<'s>, lane: usize) -> Self {
        LaneBuilder { ctx, lane, cur: ActionState::default(), last: None, steps: Vec::new() }
    }
    fn lane(&self) -> &'c Lane {
        &self.ctx.lanes[self.lane]
    }
    fn fin(&self) -> &'c ActionState {
        &self.lane().fin
    }
    /// The day of a step: on or after `target`, after the previous step, a working day of `who`.
    fn when(&self, target: Day, who: &str) -> Day {
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
    fn owner(&self) -> String {
        self.cur
            .owner
            .clone()
            .or_else(|| self.fin().owner.clone())
            .unwrap_or_else(|| self.ctx.admin_for(self.lane()))
    }
    fn assessor(&self) -> String {
        self.ctx.assessor_for(self.lane())
    }
    /// Records a step; `f` turns the current state into the new one (it gets the step's day).
    #[allow(clippy::too_many_arguments)]
    fn step(
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
    fn last_step_mut(&mut self) -> &mut Step {
        self.steps.last_mut().expect("a step")
    }
    fn rng(&self, phase: &str) -> Rng {
        Rng::new(&format!("{}/{phase}", self.lane().action))
    }
    fn not_before(&self, part: Part) -> Option<Day> {
        NOT_BEFORE.iter().find(|(a, p, _)| *a == self.lane().action && *p == part).map(|(_, _, d)| d3(*d))
    }
}

/// `days` after `start`, but not in the last week of the replayed year (at most the day after
/// `start` then).
fn late(start: Day, days: i64) -> Day {
    let limit = plus(d3(END), -7);
    let d = plus(start, days);
    if d <= limit { d } else { max_day(limit, Some(plus(start, 1))) }
}

/// "Subject (HIPAA)", or "Subject (medium; HIPAA)" when the subject ends in parentheses.
fn with_scope(subject: &str, scope: &str) -> String {
    let inner = scope.trim().trim_start_matches('(').trim_end_matches(')');
    if inner.is_empty() {
        subject.to_owned()
    } else if let Some(s) = subject.strip_suffix(')') {
        format!("{s}; {inner})")
    } else {
        format!("{subject} ({inner})")
    }
}

fn max_day(a: Day, b: Option<Day>) -> Day {
    match b {
        Some(b) if b > a => b,
        _ => a,
    }
}

// ---------------------------------------------------------------------------------------------
// The plain storyline of a lane: assign, plan, implement, evidence, test.

fn phase_assign(b: &mut LaneBuilder) {
    let lane = b.lane();
    let Some(final_owner) = lane.fin.owner.clone() else { return };
    let handover = HANDOVERS.iter().find(|(a, from, _)| *a == lane.action && *from != final_owner);
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

fn planned_note(b: &LaneBuilder) -> String {
    b.ctx.words(&b.lane().action).2
}

/// Plan, then implement (or the final planned / not-implemented / out-of-scope state).
fn phase_implement(b: &mut LaneBuilder, allow_plan: bool) {
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
                if let Some((_, progress)) = PROGRESS.iter().find(|(a, _)| *a == lane_action)
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

fn plan_subject(label: &str, rng: &mut Rng) -> String {
    match rng.below(4) {
        0 => format!("Schedule {label}"),
        1 => format!("Add a plan for {label}"),
        _ => format!("Plan {label}"),
    }
}

fn scope_names(ctx: &Ctx, lane: &Lane) -> String {
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

fn in_progress_note(b: &LaneBuilder, rng: &mut Rng) -> (String, Option<Day>) {
    if let Some((_, note, nb)) = IN_PROGRESS.iter().find(|(a, _, _)| *a == b.lane().action) {
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

fn verdict_subject(ctx: &Ctx, action: &str, status: TS) -> String {
    let label = ctx.label(action);
    if (status == TS::Passed || status.is_failed())
        && let Some((_, _, s)) =
            VERDICT_SUBJECTS.iter().find(|(a, pass, _)| *a == action && *pass == (status == TS::Passed))
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
fn by_assessor(status: TS) -> bool {
    !matches!(status, TS::ToBeDetected | TS::CouldNotBeDetected | TS::None)
}

/// Adds the evidence items of the final state that the state lacks, as the owner (before a
/// test). `only` limits to file items (true) or takes every item.
fn add_evidence(b: &mut LaneBuilder, target: Day, items: Vec<Evidence>) -> Option<Day> {
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

struct TestOpts {
    in_progress: bool,
}

/// Evidence and the test, up to the final test state.
fn phase_test(b: &mut LaneBuilder, opts: TestOpts) {
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
        let cut = NOTE_ADDITIONS.iter().find(|(a, cut, _)| {
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

fn plain(b: &mut LaneBuilder) {
    phase_assign(b);
    phase_implement(b, true);
    phase_test(b, TestOpts { in_progress: true });
}

// ---------------------------------------------------------------------------------------------
// Special storylines. Each checks that the final state still fits the story and returns false
// (nothing recorded) otherwise, so that the plain storyline is used.

fn impl_date(fin: &ActionState) -> Option<Day> {
    fin.implementation.date.map(|d| d.0)
}
fn test_date(fin: &ActionState) -> Option<Day> {
    fin.test.date.map(|d| d.0)
}
fn implemented(fin: &ActionState) -> bool {
    fin.implementation.status.is_implemented()
}

fn set_test(s: &mut ActionState, status: TS, date: Option<Day>, notes: &str) {
    s.test = evident::model::Test {
        status,
        date: date.map(edate),
        notes: if notes.is_empty() { None } else { Some(notes.to_owned()) },
    };
}

fn url(name: &str, url: &str) -> Evidence {
    Evidence { name: name.to_owned(), path: None, sha256: None, url: Some(url.to_owned()) }
}

/// Encryption at rest and TLS pass in March on a policy snapshot; encryption fails a retest in
/// May (new storage accounts without customer-managed keys) and passes again in August; TLS
/// fails its August retest.
fn story_policy_snapshot(b: &mut LaneBuilder) -> bool {
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
fn story_privacy_log(b: &mut LaneBuilder, q1: &Option<(String, Vec<u8>, usize)>) -> bool {
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
fn story_audit_logging(b: &mut LaneBuilder) -> bool {
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
fn story_retest_fails(b: &mut LaneBuilder) -> bool {
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
fn story_scoped_back_in(
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
fn story_incident_plan(b: &mut LaneBuilder) -> bool {
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
fn story_quarterly(b: &mut LaneBuilder) -> bool {
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
fn story_fail_then_fix(
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

// ---------------------------------------------------------------------------------------------
// Planning the whole history

fn build_lanes(src: &Source) -> Result<Vec<Lane>, String> {
    // Units: (group or assessment) x action, with the final state.
    let mut per_action: BTreeMap<String, Vec<(Vec<String>, ActionState, bool)>> = BTreeMap::new();
    let mut by_key: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    for (id, a) in &src.assessments {
        let key =
            a.group.as_ref().map(|g| format!("group:{g}")).unwrap_or_else(|| format!("assessment:{id}"));
        let Some(t) = src.templates.get(a.template.as_str()) else {
            return Err(format!("assessment `{id}` names an unknown template `{}`", a.template));
        };
        for action in t.action_ids() {
            if src.states.contains_key(&state_path(id, action.as_str())) {
                by_key.entry((action.as_str().to_owned(), key.clone())).or_default().push(id.clone());
            }
        }
    }
    for ((action, key), units) in by_key {
        let states: Vec<ActionState> =
            units.iter().map(|u| synced(&src.states[&state_path(u, &action)])).collect();
        if states.windows(2).any(|w| w[0] != w[1]) {
            return Err(format!(
                "the assessments {} disagree on `{action}` (run `evident sync` there)",
                units.join(", ")
            ));
        }
        per_action.entry(action).or_default().push((units, states[0].clone(), key.starts_with("group:")));
    }
    let mut lanes = Vec::new();
    for (action, groups) in per_action {
        let mut merged: Vec<(Vec<String>, ActionState, bool, bool)> = Vec::new();
        for (units, state, grouped) in groups {
            if let Some(m) = merged.iter_mut().find(|m| m.1 == state) {
                m.0.extend(units);
                if grouped { m.3 = false } else { m.2 = false }
            } else {
                merged.push((units, state, grouped, !grouped));
            }
        }
        let several = merged.len() > 1;
        for (mut units, fin, grouped_only, ungrouped_only) in merged {
            units.sort();
            lanes.push(Lane {
                action: action.clone(),
                units,
                fin,
                scope: String::new(),
                grouped_only,
                ungrouped_only,
            });
            let _ = several;
        }
    }
    // Scope suffixes for actions with several lanes.
    let counts: BTreeMap<String, usize> = lanes.iter().fold(BTreeMap::new(), |mut m, l| {
        *m.entry(l.action.clone()).or_default() += 1;
        m
    });
    for i in 0..lanes.len() {
        if counts[&lanes[i].action] > 1 {
            let mut regs: Vec<String> = Vec::new();
            for u in &lanes[i].units {
                let reg = src
                    .assessments
                    .get(u)
                    .and_then(|a| src.templates.get(a.template.as_str()))
                    .map(|t| t.regulation.clone())
                    .unwrap_or_else(|| u.clone());
                if !regs.contains(&reg) {
                    regs.push(reg);
                }
            }
            lanes[i].scope = format!(" ({})", regs.join(", "));
        }
    }
    Ok(lanes)
}

/// Text of an action definition at an earlier version.
fn action_text_at(src: &Source, action: &str, version: u32) -> Result<Vec<u8>, String> {
    let path = format!("actions/{action}.toml");
    let fin = src.actions[action].version;
    let mut text =
        String::from_utf8(src.files[&path].clone()).map_err(|_| format!("`{path}` is not UTF-8"))?;
    let mut v = fin;
    while v > version {
        if let Some(r) = REVISIONS.iter().find(|r| r.action == action && r.version == v) {
            for (now, before) in r.undo {
                if text.contains(now) {
                    text = text.replacen(now, before, 1);
                }
            }
        }
        v -= 1;
    }
    if version != fin {
        text = set_line(&text, "version", &version.to_string())
            .ok_or_else(|| format!("`{path}` has no `version = ` line"))?;
    }
    Ok(text.into_bytes())
}

/// Text of a template at an earlier version.
fn template_text_at(src: &Source, template: &str, version: u32) -> Result<Vec<u8>, String> {
    let path = format!("templates/{template}.toml");
    let fin = src.templates[template].version;
    let mut text =
        String::from_utf8(src.files[&path].clone()).map_err(|_| format!("`{path}` is not UTF-8"))?;
    let mut v = fin;
    while v > version {
        if let Some(r) = TEMPLATE_REVISIONS.iter().find(|r| r.template == template && r.version == v) {
            let marker = format!("[[controls]]\nid = \"{}\"\n", r.control);
            if let Some(start) = text.find(&marker) {
                let rest = &text[start + marker.len()..];
                let end = rest.find("[[controls]]").map(|i| start + marker.len() + i).unwrap_or(text.len());
                text.replace_range(start..end, "");
            }
            if !r.description_cut.is_empty() {
                text = text.replacen(r.description_cut, "", 1);
            }
        }
        v -= 1;
    }
    if version != fin {
        text = set_line(&text, "version", &version.to_string())
            .ok_or_else(|| format!("`{path}` has no `version = ` line"))?;
    }
    Ok(text.into_bytes())
}

/// The Q1 privacy request log, cut from the H1 export: (path, bytes, number of requests).
fn q1_log(src: &Source) -> Option<(String, Vec<u8>, usize)> {
    let h1 = std::str::from_utf8(src.files.get("evidence/dsar-log-2026-h1.csv")?).ok()?;
    let mut lines = h1.lines();
    let header = lines.next()?;
    let cols: Vec<&str> = header.split(',').collect();
    let received = cols.iter().position(|c| *c == "received")?;
    let closed = cols.iter().position(|c| *c == "closed")?;
    let mut out = format!("{header}\n");
    let mut n = 0;
    for line in lines {
        let f: Vec<&str> = line.split(',').collect();
        if f.len() > closed && f[received] < "2026-04-01" && f[closed] < "2026-04-01" && f[closed] >= "2026" {
            out.push_str(line);
            out.push('\n');
            n += 1;
        }
    }
    (n >= 3).then(|| ("evidence/dsar-log-2026-q1.csv".to_owned(), out.into_bytes(), n))
}

fn plan(ctx: &mut Ctx) -> Result<Vec<Step>, String> {
    let src = ctx.src;
    let mut steps: Vec<Step> = Vec::new();
    let admin = ctx.admins[0].clone();
    let privacy_admin = ctx.admins[1 % ctx.admins.len()].clone();

    // --- Month 1: the repository, templates and their actions, assessments, CI.
    let mut introduced: BTreeSet<String> = BTreeSet::new();
    let template_v1 = |id: &str| -> u32 {
        let fin = src.templates[id].version;
        TEMPLATE_REVISIONS
            .iter()
            .filter(|r| r.template == id && r.version <= fin)
            .map(|r| r.version - 1)
            .min()
            .unwrap_or(fin)
    };
    let action_v1 = |id: &str| -> u32 {
        let fin = src.actions[id].version;
        REVISIONS
            .iter()
            .filter(|r| r.action == id && r.version <= fin)
            .map(|r| r.version - 1)
            .min()
            .unwrap_or(fin)
    };
    // Templates: those without a group first (the CISO starts with HIPAA), then the others.
    let mut templates: Vec<&str> = src.templates.keys().map(String::as_str).collect();
    let grouped_templates: BTreeSet<&str> =
        src.assessments.values().filter(|a| a.group.is_some()).map(|a| a.template.as_str()).collect();
    templates.sort_by_key(|t| (grouped_templates.contains(t), *t));
    let setup_days = [
        day(2025, 11, 3),
        day(2025, 11, 5),
        day(2025, 11, 7),
        day(2025, 11, 10),
        day(2025, 11, 11),
        day(2025, 11, 12),
    ];
    let mut k = 0;
    for (i, t) in templates.iter().enumerate() {
        let v = template_v1(t);
        let text = template_text_at(src, t, v)?;
        let parsed: Template = parse(t, &text)?;
        let mut files = Vec::new();
        let mut new_actions = Vec::new();
        for a in parsed.action_ids() {
            let a = a.as_str();
            if introduced.insert(a.to_owned()) {
                if !src.actions.contains_key(a) {
                    return Err(format!("template `{t}` lists unknown action `{a}`"));
                }
                files.push((format!("actions/{a}.toml"), Some(action_text_at(src, a, action_v1(a))?)));
                new_actions.push(a.to_owned());
                ctx.intro.insert(a.to_owned(), setup_days[k.min(setup_days.len() - 1)]);
            }
        }
        files.push((format!("templates/{t}.toml"), Some(text)));
        let who = if grouped_templates.contains(t) { privacy_admin.clone() } else { admin.clone() };
        let (subject, mut body) = if i == 0 {
            ("Start the compliance repository".to_owned(), String::new())
        } else {
            (format!("Add the {} template and its actions", parsed.regulation), String::new())
        };
        if i == 0 {
            for f in ["evident.toml", "README.md"] {
                if src.files.contains_key(f) {
                    files.insert(0, (f.to_owned(), Some(src.files[f].clone())));
                }
            }
            body.push_str("People and roles of the 2026 program: the CISO and the DPO administer the repository, internal audit and the external assessor record test results.\n\n");
        }
        let _ = writeln!(
            body,
            "{}: {} controls, {} new improvement actions.",
            parsed.name,
            parsed.controls.len(),
            new_actions.len()
        );
        steps.push(global_step(
            setup_days[k.min(setup_days.len() - 1)],
            &who,
            &format!("setup:{t}"),
            &subject,
            &body,
            files,
        ));
        k += 1;
    }
    // Assessments, a group at a time.
    let mut by_group: BTreeMap<String, Vec<&Assessment>> = BTreeMap::new();
    for a in src.assessments.values() {
        by_group
            .entry(a.group.as_ref().map(|g| g.as_str().to_owned()).unwrap_or_else(|| format!("~{}", a.id)))
            .or_default()
            .push(a);
    }
    for (g, members) in &by_group {
        let mut files = Vec::new();
        for a in members {
            let path = format!("assessments/{}/assessment.toml", a.id);
            let v = template_v1(a.template.as_str());
            let mut text = src.files[&path].clone();
            if v != a.template_version {
                let t = String::from_utf8(text).map_err(|_| format!("`{path}` is not UTF-8"))?;
                text = set_line(&t, "template_version", &v.to_string())
                    .ok_or_else(|| format!("`{path}` has no template_version line"))?
                    .into_bytes();
            }
            files.push((path, Some(text)));
        }
        let names: Vec<String> = members.iter().map(|a| a.id.to_string()).collect();
        let (who, subject, body) = if let Some(g) = g.strip_prefix('~') {
            let a = members[0];
            (
                admin.clone(),
                format!("Create the {g} assessment"),
                format!(
                    "{} on template {} version {}.",
                    a.name,
                    a.template,
                    template_v1(a.template.as_str())
                ),
            )
        } else {
            (
                privacy_admin.clone(),
                format!("Create {} in group {g}", names.join(" and ")),
                format!(
                    "The assessments of group {g} share the state of the actions they have in common.\nOwners are assigned next; until then every action is not implemented and not tested."
                ),
            )
        };
        steps.push(global_step(
            setup_days[k.min(setup_days.len() - 1)],
            &who,
            &format!("setup:{g}"),
            &subject,
            &body,
            files,
        ));
        k += 1;
    }
    // Everything else in the source that is not compliance data or evidence (CI, docs).
    let others: Vec<(String, Option<Vec<u8>>)> = src
        .files
        .iter()
        .filter(|(p, _)| {
            !(p.as_str() == "evident.toml"
                || p.as_str() == "README.md"
                || p.starts_with("templates/")
                || p.starts_with("actions/")
                || p.starts_with("assessments/")
                || p.starts_with("evidence/"))
        })
        .map(|(p, b)| (p.clone(), Some(b.clone())))
        .collect();
    // What automatic tests run (scripts, the files they read) is an admin's to add; the rest
    // (CI, docs) anyone's.
    let (others, checks): (Vec<_>, Vec<_>) =
        others.into_iter().partition(|(p, _)| p.starts_with(".github/") || p.starts_with("docs/"));
    if !checks.is_empty() {
        steps.push(global_step(
            day(2025, 11, 13),
            &admin,
            "setup:checks",
            "Add the automatic checks and the files they read",
            "`evident test` runs them every night; only admins may change what runs.",
            checks,
        ));
    }
    if !others.is_empty() {
        let ci = others.iter().any(|(p, _)| p.starts_with(".github/"));
        let subject = if ci { "Run evident check on pull requests" } else { "Add supporting files" };
        let body = if ci {
            "The workflow comments the change summary on pull requests and uploads SARIF."
        } else {
            ""
        };
        let who = src
            .config
            .people
            .as_ref()
            .and_then(|p| p.keys().find(|e| e.starts_with("david.")))
            .cloned()
            .unwrap_or_else(|| admin.clone());
        steps.push(global_step(day(2025, 11, 13), &who, "setup:other", subject, body, others));
    }
    // Evidence files nobody refers to: added when they were produced.
    let referenced: BTreeSet<String> =
        src.states.values().flat_map(|s| s.evidence.iter().filter_map(|e| e.path.clone())).collect();
    for path in src.files.keys().filter(|p| p.starts_with("evidence/") && !referenced.contains(*p)) {
        let d = ctx.file_day(path).unwrap_or(day(2026, 6, 15));
        steps.push(global_step(
            next_workday(Region::Us, d),
            &admin,
            &format!("file:{path}"),
            &format!("Add {path}"),
            "",
            vec![(path.clone(), Some(src.files[path].clone()))],
        ));
    }

    // --- Revisions of action definitions and templates.
    for r in REVISIONS {
        let Some(a) = src.actions.get(r.action) else { continue };
        if r.version > a.version || r.version < 2 {
            continue;
        }
        let text = action_text_at(src, r.action, r.version)?;
        let who = if ctx.people.contains_key(r.author) { r.author.to_owned() } else { admin.clone() };
        let mut s = global_step(
            next_workday(ctx.region(&who), d3(r.day)),
            &who,
            &format!("revision:{}:{}", r.action, r.version),
            r.subject,
            r.body,
            vec![(format!("actions/{}.toml", r.action), Some(text))],
        );
        s.accept.push((r.action.to_owned(), r.version));
        steps.push(s);
    }
    for r in TEMPLATE_REVISIONS {
        let Some(t) = src.templates.get(r.template) else { continue };
        if r.version > t.version || r.version < 2 {
            continue;
        }
        let text = template_text_at(src, r.template, r.version)?;
        let parsed: Template = parse(r.template, &text)?;
        let d = next_workday(ctx.region(r.author), d3(r.day));
        let mut files = Vec::new();
        for a in parsed.action_ids() {
            if introduced.insert(a.as_str().to_owned()) {
                files.push((
                    format!("actions/{a}.toml"),
                    Some(action_text_at(src, a.as_str(), action_v1(a.as_str()))?),
                ));
                ctx.intro.insert(a.as_str().to_owned(), d);
            }
        }
        files.push((format!("templates/{}.toml", r.template), Some(text)));
        for a in src.assessments.values().filter(|a| a.template.as_str() == r.template) {
            let path = format!("assessments/{}/assessment.toml", a.id);
            let t =
                String::from_utf8(src.files[&path].clone()).map_err(|_| format!("`{path}` is not UTF-8"))?;
            let v = r.version.min(a.template_version);
            files.push((
                path.clone(),
                Some(
                    set_line(&t, "template_version", &v.to_string())
                        .ok_or("no template_version line")?
                        .into_bytes(),
                ),
            ));
        }
        let who = if ctx.people.contains_key(r.author) { r.author.to_owned() } else { admin.clone() };
        steps.push(global_step(
            d,
            &who,
            &format!("template:{}:{}", r.template, r.version),
            r.subject,
            r.body,
            files,
        ));
    }
    if introduced.len() != src.actions.len() {
        let unused: Vec<&String> = src.actions.keys().filter(|a| !introduced.contains(*a)).collect();
        // Actions no template lists: added with the first template (evident warns about them).
        let mut files = Vec::new();
        for a in unused {
            files.push((format!("actions/{a}.toml"), Some(action_text_at(src, a, src.actions[a].version)?)));
        }
        steps.push(global_step(
            day(2025, 11, 14),
            &admin,
            "setup:unused-actions",
            "Add actions not yet listed by a template",
            "",
            files,
        ));
    }

    // --- Assignment days: the CISO assigns first (security and HIPAA), then the DPO (privacy).
    let mut pairs: BTreeSet<(usize, String)> = BTreeSet::new();
    for lane in &ctx.lanes {
        let Some(owner) = lane.fin.owner.clone() else { continue };
        if ctx.intro.get(&lane.action).is_some_and(|d| *d > day(2025, 11, 30)) {
            continue;
        }
        let first = HANDOVERS
            .iter()
            .find(|(a, from, _)| *a == lane.action && *from != owner)
            .map(|(_, f, _)| f.to_string())
            .unwrap_or(owner);
        let admin_i = if lane.grouped_only { 1 } else { 0 };
        pairs.insert((admin_i, first));
    }
    let mut counters = [0i64; 2];
    for (admin_i, owner) in pairs {
        let who = if admin_i == 0 { admin.clone() } else { privacy_admin.clone() };
        let base = if admin_i == 0 { day(2025, 11, 17) } else { day(2025, 11, 20) };
        let d = add_workdays(ctx.region(&who), base, counters[admin_i] / 2);
        counters[admin_i] += 1;
        ctx.assign_days.insert((who, owner), d);
    }

    // --- The lanes.
    let q1 = q1_log(src);
    if let Some((p, bytes, _)) = &q1 {
        ctx.extra_files.insert(p.clone(), bytes.clone());
    }
    let ctx: &Ctx = ctx;
    for i in 0..ctx.lanes.len() {
        let lane = &ctx.lanes[i];
        let mut b = LaneBuilder::new(ctx, i);
        let a = lane.action.as_str();
        let special = match a {
            "storage-encryption-at-rest" | "tls-in-transit" => story_policy_snapshot(&mut b),
            "dsar-process" | "identity-verification-dsar" if lane.grouped_only => {
                story_privacy_log(&mut b, &q1)
            }
            "audit-logging" => story_audit_logging(&mut b),
            "vulnerability-scanning" => story_retest_fails(&mut b),
            "emergency-access-accounts" => story_quarterly(&mut b),
            "do-not-sell-link" => story_scoped_back_in(
                &mut b,
                "Northwind Health does not sell personal information; the marketing site only uses first-party analytics.",
                day(2025, 12, 9),
                "Back in scope: counsel advised on 5 January that the advertising pixels on the marketing site count as sharing for cross-context behavioural advertising under the CPRA. Link and GPC support to be added to the consent banner.",
                day(2026, 1, 6),
                &privacy_admin,
            ),
            "email-encryption" if lane.ungrouped_only => story_scoped_back_in(
                &mut b,
                "Clinicians use the portal's secure messaging; e-mail is not used for ePHI.",
                day(2025, 12, 10),
                "Back in scope: the 2026 risk analysis found medical record numbers in outbound e-mail to insurers (R-22). A Purview Message Encryption rule is planned for June.",
                day(2026, 5, 11),
                &admin,
            ),
            "incident-response-plan" => story_incident_plan(&mut b),
            "penetration-test" => story_fail_then_fix(
                &mut b,
                day(2026, 7, 10),
                TS::FailedHigh,
                "Report received 8 July: 2 high findings (IDOR in the appointments API, an admin endpoint of the video gateway reachable from the internet) and 4 medium ones.",
                "Assessor: penetration test finds 2 high issues (high)",
                None,
            ),
            "security-awareness-training" => story_fail_then_fix(
                &mut b,
                day(2026, 7, 1),
                TS::FailedLow,
                "Completion 88.4% (221 of 250) at the 30 June deadline; reminders and manager escalation under way.",
                "Assessor: training completion below target at the deadline (low)",
                Some((day(2026, 5, 5), "2026 course assigned to all 250 staff on 4 May; deadline 30 June.")),
            ),
            "restore-test" => story_fail_then_fix(
                &mut b,
                day(2026, 6, 18),
                TS::FailedMedium,
                "Q2 restore of the EHR integration database took 5 h 40 min against an RTO of 4 hours: the restore job queued behind a vault upgrade. Runbook changed to pre-stage restores (CLOUD-301).",
                "Assessor: Q2 restore test misses the RTO (medium)",
                Some((day(2026, 6, 15), "Q2 restore of the EHR integration database scheduled for 17 June.")),
            ),
            _ => false,
        };
        if !special {
            b = LaneBuilder::new(ctx, i);
            plain(&mut b);
        }
        steps.extend(b.steps);
    }
    Ok(steps)
}

fn global_step(
    d: Day,
    who: &str,
    key: &str,
    subject: &str,
    body: &str,
    files: Vec<(String, Option<Vec<u8>>)>,
) -> Step {
    Step {
        day: d,
        author: who.to_owned(),
        key: key.to_owned(),
        action: String::new(),
        subject: subject.to_owned(),
        base: subject.to_owned(),
        group: None,
        body: body.to_owned(),
        line: subject.to_owned(),
        lane_writes: Vec::new(),
        file_writes: files,
        accept: Vec::new(),
    }
}

// ---------------------------------------------------------------------------------------------
// Commits

struct Commit {
    day: Day,
    author: Person,
    time: i64,
    subject: String,
    body: String,
    steps: Vec<Step>,
}

fn wrap(text: &str, width: usize) -> String {
    let mut out = String::new();
    for (i, para) in text.split("\n\n").enumerate() {
        if i > 0 {
            out.push_str("\n\n");
        }
        // Lines of a paragraph are one text unless they are list items.
        let mut logical: Vec<String> = Vec::new();
        for raw in para.lines() {
            match logical.last_mut() {
                Some(last) if !raw.starts_with("- ") && !raw.trim().is_empty() => {
                    last.push(' ');
                    last.push_str(raw.trim());
                }
                _ => logical.push(raw.to_owned()),
            }
        }
        let mut first_line = true;
        for raw in &logical {
            if !first_line {
                out.push('\n');
            }
            first_line = false;
            let indent = if raw.starts_with("- ") { "  " } else { "" };
            let mut col = 0;
            for (j, word) in raw.split(' ').enumerate() {
                if j > 0 && col + 1 + word.len() > width {
                    out.push('\n');
                    out.push_str(indent);
                    col = indent.len();
                } else if j > 0 {
                    out.push(' ');
                    col += 1;
                }
                out.push_str(word);
                col += word.len();
            }
        }
    }
    out
}

fn merge(ctx: &Ctx, steps: Vec<Step>) -> Vec<Commit> {
    let mut groups: BTreeMap<(Day, String, String), Vec<Step>> = BTreeMap::new();
    for s in steps {
        groups.entry((s.day, s.author.clone(), s.key.clone())).or_default().push(s);
    }
    let mut commits = Vec::new();
    for ((d, author, key), parts) in groups {
        let person = ctx.person(&author);
        let actions: BTreeSet<&str> = parts.iter().map(|p| p.action.as_str()).collect();
        let subject = if parts.len() == 1 {
            parts[0].subject.clone()
        } else if parts.iter().all(|p| p.base == parts[0].base) {
            parts[0].base.clone()
        } else if let Some(g) = &parts[0].group {
            g.replace("{n}", &actions.len().to_string())
        } else {
            parts[0].base.clone()
        };
        let body = if parts.len() == 1
            || (parts.iter().all(|p| p.body == parts[0].body) && !parts[0].body.is_empty())
        {
            parts[0].body.clone()
        } else {
            let lines: Vec<String> = parts.iter().map(|p| format!("- {}", p.line)).collect();
            lines.join("\n")
        };
        // Office hours in the author's time zone; a few early or late commits.
        let mut rng = Rng::new(&format!("{d}/{author}/{key}"));
        let minute = match rng.below(20) {
            0 => rng.range(7 * 60 + 40, 8 * 60 + 30),
            1 => rng.range(18 * 60, 20 * 60 + 30),
            _ => rng.range(8 * 60 + 35, 17 * 60 + 50),
        };
        let time = timestamp(&person, d, minute);
        commits.push(Commit { day: d, author: person, time, subject, body, steps: parts });
    }
    commits.sort_by_key(|c| (c.time, c.day));
    for i in 1..commits.len() {
        if commits[i].time <= commits[i - 1].time {
            commits[i].time = commits[i - 1].time + 60 + i64::from(i as u32 % 7) * 13;
        }
    }
    commits
}

// ---------------------------------------------------------------------------------------------
// Writing the history, checking every commit as evident would

struct World<'s> {
    src: &'s Source,
    files: BTreeMap<String, Vec<u8>>,
    lanes: Vec<Option<ActionState>>,
    accepted: BTreeMap<String, Option<u32>>,
    versions: BTreeMap<String, u32>,
}

impl World<'_> {
    fn render(&self, path: &str, state: &ActionState) -> Vec<u8> {
        let accepted = self.accepted.get(path).copied().flatten();
        let with = ActionState { accepted_version: accepted, ..state.clone() };
        match self.src.states.get(path) {
            Some(fin) if *fin == with => self.src.files[path].clone(),
            _ => state_text(&with).into_bytes(),
        }
    }
}

fn verdict(s: TS) -> bool {
    s.is_verdict()
}

fn fail(commit: &Commit, msg: String) -> String {
    format!(
        "the story breaks a rule in the commit of {} by {} ({:?}): {msg}\n(the source repository no longer fits the replay's story; adjust examples/replay.rs)",
        commit.day, commit.author.email, commit.subject
    )
}

/// The fast-import stream and the files of the last commit.
type Replayed = (Vec<u8>, BTreeMap<String, Vec<u8>>);

fn write_history(ctx: &Ctx, commits: &[Commit]) -> Result<Replayed, String> {
    let src = ctx.src;
    let mut w = World {
        src,
        files: BTreeMap::new(),
        lanes: vec![None; ctx.lanes.len()],
        accepted: BTreeMap::new(),
        versions: BTreeMap::new(),
    };
    let mut out: Vec<u8> = Vec::with_capacity(4 << 20);
    let end = d3(END);
    for c in commits {
        if c.day > end || c.day < d3(START) {
            return Err(fail(c, format!("{} is outside the replayed year", c.day)));
        }
        let before = w.files.clone();
        let before_lanes = w.lanes.clone();
        let mut notes: Vec<String> = Vec::new();
        for s in &c.steps {
            for (path, bytes) in &s.file_writes {
                match bytes {
                    Some(b) => {
                        w.files.insert(path.clone(), b.clone());
                        if let Some(a) = path.strip_prefix("actions/").and_then(|p| p.strip_suffix(".toml")) {
                            let parsed: Action = parse(path, b)?;
                            w.versions.insert(a.to_owned(), parsed.version);
                        }
                    }
                    None => {
                        w.files.remove(path);
                        notes.push(format!("Removes {path}."));
                    }
                }
            }
            for (action, version) in &s.accept {
                let paths: Vec<String> =
                    w.accepted.keys().filter(|p| p.ends_with(&format!("/{action}.toml"))).cloned().collect();
                for p in paths {
                    let cap = src.states.get(&p).and_then(|s| s.accepted_version);
                    w.accepted.insert(p, cap.map(|c| c.min(*version)));
                }
            }
            for (lane, state) in &s.lane_writes {
                w.lanes[*lane] = Some(state.clone());
            }
        }
        // Render every state file of the lanes (accepted versions may have moved too).
        for (i, lane) in ctx.lanes.iter().enumerate() {
            let Some(state) = &w.lanes[i] else { continue };
            for u in &lane.units {
                let path = state_path(u, &lane.action);
                if !w.accepted.contains_key(&path) {
                    let v = w.versions.get(&lane.action).copied();
                    let cap = src.states.get(&path).and_then(|s| s.accepted_version);
                    w.accepted.insert(
                        path.clone(),
                        match (v, cap) {
                            (Some(v), Some(c)) => Some(v.min(c)),
                            _ => None,
                        },
                    );
                }
                let text = w.render(&path, state);
                w.files.insert(path, text);
            }
        }
        // Evidence files come with the first state that needs them.
        for (i, lane) in ctx.lanes.iter().enumerate() {
            let Some(state) = &w.lanes[i] else { continue };
            let _ = lane;
            for e in &state.evidence {
                let Some(p) = &e.path else { continue };
                if w.files.contains_key(p) {
                    continue;
                }
                let bytes = src
                    .files
                    .get(p)
                    .or_else(|| ctx.extra_files.get(p))
                    .ok_or_else(|| fail(c, format!("evidence `{p}` exists nowhere")))?;
                if let Some(d) = ctx.file_day(p)
                    && c.day < d
                {
                    return Err(fail(c, format!("evidence `{p}` is used before it was produced ({d})")));
                }
                w.files.insert(p.clone(), bytes.clone());
                notes.push(format!("Adds {p} (sha256 {}).", &sha256_hex(bytes)[..12]));
            }
        }
        check_commit(ctx, &w, c, &before, &before_lanes)?;
        // The stream.
        let mut message = c.subject.clone();
        let mut body = c.body.clone();
        if !notes.is_empty() {
            if !body.is_empty() {
                body.push_str("\n\n");
            }
            body.push_str(&notes.join("\n"));
        }
        if !body.trim().is_empty() {
            message.push_str("\n\n");
            message.push_str(&wrap(body.trim(), 72));
        }
        message.push('\n');
        let ts = c.time;
        let off = offset_text(offset_on(&c.author, c.day));
        let _ = writeln!(out, "commit refs/heads/main");
        let _ = writeln!(out, "author {} <{}> {ts} {off}", c.author.name, c.author.email);
        let _ = writeln!(out, "committer {} <{}> {ts} {off}", c.author.name, c.author.email);
        data(&mut out, message.as_bytes());
        for (path, bytes) in &w.files {
            if before.get(path) != Some(bytes) {
                let mode = if src.exec.contains(path) { "100755" } else { "100644" };
                let _ = writeln!(out, "M {mode} inline {path}");
                data(&mut out, bytes);
            }
        }
        for path in before.keys() {
            if !w.files.contains_key(path) {
                let _ = writeln!(out, "D {path}");
            }
        }
    }
    out.extend_from_slice(b"done\n");
    if w.files != src.files {
        let extra: Vec<&String> =
            w.files.keys().filter(|p| src.files.get(*p) != Some(&w.files[*p])).collect();
        let missing: Vec<&String> = src.files.keys().filter(|p| !w.files.contains_key(*p)).collect();
        return Err(format!(
            "the replay does not end on the source tree (a replay bug): differs {extra:?}, missing {missing:?}"
        ));
    }
    Ok((out, w.files))
}

/// The rules of `evident validate`, `evident check` and `evident audit` that the story could
/// break, for one commit.
fn check_commit(
    ctx: &Ctx,
    w: &World,
    c: &Commit,
    before: &BTreeMap<String, Vec<u8>>,
    before_lanes: &[Option<ActionState>],
) -> Result<(), String> {
    let src = ctx.src;
    let today = edate(c.day);
    let assessor = ctx.assessors.contains(&c.author.email);
    for (i, lane) in ctx.lanes.iter().enumerate() {
        let (old, new) = (&before_lanes[i], &w.lanes[i]);
        if old == new {
            continue;
        }
        let Some(new) = new else { continue };
        let action = &src.actions[&lane.action];
        if let Some(p) = evident::checks::status::problems(action, new, today).into_iter().next() {
            return Err(fail(c, format!("{} in {}: {}", p.code.code(), lane.action, p.message)));
        }
        if let Some(owner) = &new.owner
            && let Some(people) = &src.config.people
            && !people.contains_key(owner)
        {
            return Err(fail(c, format!("owner {owner} is not in [people]")));
        }
        let old_status = old.as_ref().map(|o| o.test.status).unwrap_or_default();
        if (new.test.status == TS::Passed || new.test.status.is_failed())
            && new.test.status != old_status
            && !assessor
        {
            return Err(fail(
                c,
                format!(
                    "{} sets `{}` on {} but is not an assessor",
                    c.author.email, new.test.status, lane.action
                ),
            ));
        }
        if let Some(old) = old
            && verdict(old.test.status)
        {
            for e in &old.evidence {
                if new.evidence.iter().find(|n| n.name == e.name) != Some(e) {
                    return Err(fail(
                        c,
                        format!(
                            "evidence `{}` of {} changes under the verdict `{}`",
                            e.name, lane.action, old.test.status
                        ),
                    ));
                }
            }
        }
        for e in &new.evidence {
            if let Some(p) = &e.path {
                let bytes = w.files.get(p).ok_or_else(|| fail(c, format!("evidence file {p} missing")))?;
                if e.sha256.as_deref() != Some(sha256_hex(bytes).as_str()) {
                    return Err(fail(c, format!("evidence file {p} does not match its sha256")));
                }
            }
        }
        for u in &lane.units {
            let path = state_path(u, &lane.action);
            if !w.files.contains_key(&format!("assessments/{u}/assessment.toml")) {
                return Err(fail(c, format!("{path} is written before its assessment exists")));
            }
        }
    }
    // Evidence files changed or deleted under a verdict (at the parent).
    for (path, bytes) in before {
        if path.starts_with("assessments/")
            || path.starts_with("actions/")
            || path.starts_with("templates/")
            || path == "evident.toml"
        {
            continue;
        }
        if w.files.get(path) == Some(bytes) {
            continue;
        }
        for (i, old) in before_lanes.iter().enumerate() {
            if let Some(old) = old
                && verdict(old.test.status)
                && old.evidence.iter().any(|e| e.path.as_deref() == Some(path.as_str()))
            {
                return Err(fail(c, format!("{path} changes while {} rests on it", ctx.lanes[i].action)));
            }
        }
    }
    // Accepted versions after a revision; template versions.
    for (path, accepted) in &w.accepted {
        let action = path.rsplit('/').next().and_then(|f| f.strip_suffix(".toml")).unwrap_or_default();
        let clean_at_end = src.states.get(path).and_then(|s| s.accepted_version)
            == src.actions.get(action).map(|a| a.version);
        if clean_at_end && *accepted != w.versions.get(action).copied() {
            return Err(fail(c, format!("{path} did not accept the new version of {action}")));
        }
    }
    for a in src.assessments.values() {
        let path = format!("assessments/{}/assessment.toml", a.id);
        let (Some(at), Some(tt)) =
            (w.files.get(&path), w.files.get(&format!("templates/{}.toml", a.template)))
        else {
            continue;
        };
        let at: Assessment = parse(&path, at)?;
        let tt: Template = parse("template", tt)?;
        if at.template_version != tt.version
            && a.template_version == src.templates[a.template.as_str()].version
        {
            return Err(fail(
                c,
                format!("{} accepts template version {} of {}", a.id, at.template_version, tt.version),
            ));
        }
        // Every state file must be for an action of the template at this commit.
        for p in w
            .files
            .keys()
            .filter(|p| p.starts_with(&format!("assessments/{}/", a.id)) && !p.ends_with("/assessment.toml"))
        {
            let action = p.rsplit('/').next().and_then(|f| f.strip_suffix(".toml")).unwrap_or_default();
            if !tt.lists_action(action) {
                return Err(fail(c, format!("{p} is for an action the template does not list yet")));
            }
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// The output directory and git

fn canonical(p: &Path) -> PathBuf {
    std::fs::canonicalize(p)
        .unwrap_or_else(|_| std::env::current_dir().map(|d| d.join(p)).unwrap_or_else(|_| p.to_path_buf()))
}

/// Refuses a non-empty DIR without --force; with it, deletes `.git/` and the files the replay
/// writes (and the folders that become empty), nothing else.
fn prepare_dir(opts: &Opts, paths: &BTreeSet<String>) -> Result<(), (u8, String)> {
    let dir = &opts.out;
    let (from, out) = (canonical(&opts.from), canonical(dir));
    if out.starts_with(&from) || from.starts_with(&out) {
        return Err((2, format!("--out `{}` overlaps the source `{}`", dir.display(), opts.from.display())));
    }
    if dir.exists() {
        if !dir.is_dir() {
            return Err((2, format!("`{}` exists and is not a directory", dir.display())));
        }
        let non_empty = std::fs::read_dir(dir)
            .map_err(|e| (1, format!("cannot read `{}`: {e}", dir.display())))?
            .next()
            .is_some();
        if non_empty {
            if !opts.force {
                return Err((
                    2,
                    format!(
                        "`{}` is not empty; choose another --out or pass --force to replace a previous output",
                        dir.display()
                    ),
                ));
            }
            let git_dir = dir.join(".git");
            if git_dir.symlink_metadata().is_ok() {
                let r = if git_dir.is_dir() && !git_dir.is_symlink() {
                    std::fs::remove_dir_all(&git_dir)
                } else {
                    std::fs::remove_file(&git_dir)
                };
                r.map_err(|e| (1, format!("cannot remove `{}`: {e}", git_dir.display())))?;
            }
            let mut parents: BTreeSet<PathBuf> = BTreeSet::new();
            for p in paths {
                let full = dir.join(p);
                if full.symlink_metadata().is_ok_and(|m| !m.is_dir()) {
                    std::fs::remove_file(&full)
                        .map_err(|e| (1, format!("cannot remove `{}`: {e}", full.display())))?;
                }
                let mut parent = Path::new(p).parent();
                while let Some(pp) = parent.filter(|pp| !pp.as_os_str().is_empty()) {
                    parents.insert(dir.join(pp));
                    parent = pp.parent();
                }
            }
            // Deepest first; only folders left empty.
            let mut parents: Vec<PathBuf> = parents.into_iter().collect();
            parents.sort_by_key(|p| std::cmp::Reverse(p.components().count()));
            for p in parents {
                let _ = std::fs::remove_dir(&p);
            }
        }
    }
    std::fs::create_dir_all(dir).map_err(|e| (1, format!("cannot create `{}`: {e}", dir.display())))
}

fn write_tree(dir: &Path, files: &BTreeMap<String, Vec<u8>>, exec: &BTreeSet<String>) -> Result<(), String> {
    for (path, bytes) in files {
        let full = dir.join(path);
        if let Some(parent) = full.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| format!("cannot create `{}`: {e}", parent.display()))?;
        }
        std::fs::write(&full, bytes).map_err(|e| format!("cannot write `{}`: {e}", full.display()))?;
        #[cfg(unix)]
        if exec.contains(path) {
            use std::os::unix::fs::PermissionsExt;
            let _ = std::fs::set_permissions(&full, std::fs::Permissions::from_mode(0o755));
        }
    }
    Ok(())
}

fn people_of(src: &Source) -> BTreeMap<String, Person> {
    let mut out = BTreeMap::new();
    for (email, name) in src.config.people.clone().unwrap_or_default() {
        let (off, region) = ZONES
            .iter()
            .find(|(e, _, _)| *e == email)
            .map(|(_, o, r)| (*o, *r))
            .unwrap_or((-300, Region::Us));
        out.insert(email.clone(), Person { email, name, std_offset: off, region });
    }
    out
}

fn run(opts: &Opts) -> Result<(), (u8, String)> {
    let started = std::time::Instant::now();
    let src = load_source(&opts.from).map_err(|e| (1, e))?;
    let people = people_of(&src);
    let assessors = src.config.roles.assessors.clone();
    let admins = src.config.roles.admins.clone();
    if assessors.is_empty() || admins.is_empty() {
        return Err((1, "the source's evident.toml needs [roles] assessors and admins".into()));
    }
    let lanes = build_lanes(&src).map_err(|e| (1, e))?;
    let mut ctx = Ctx {
        src: &src,
        people,
        assessors,
        admins,
        lanes,
        intro: BTreeMap::new(),
        assign_days: BTreeMap::new(),
        extra_files: BTreeMap::new(),
    };
    let steps = plan(&mut ctx).map_err(|e| (1, e))?;
    let commits = merge(&ctx, steps);
    let (stream, files) = write_history(&ctx, &commits).map_err(|e| (1, e))?;
    let planned = started.elapsed().as_secs_f64();
    let mut paths: BTreeSet<String> = files.keys().cloned().collect();
    paths.extend(ctx.extra_files.keys().cloned());
    prepare_dir(opts, &paths)?;
    write_tree(&opts.out, &files, &src.exec).map_err(|e| (1, e))?;
    import(&opts.out, &stream, "replay").map_err(|e| (1, e))?;
    let authors: BTreeSet<&str> = commits.iter().map(|c| c.author.email.as_str()).collect();
    eprintln!(
        "wrote {}: {} commits by {} authors, {} to {} ({} files) in {:.2}s (plan {planned:.2}s, git {:.2}s)",
        opts.out.display(),
        commits.len(),
        authors.len(),
        commits.first().map(|c| c.day.to_string()).unwrap_or_default(),
        commits.last().map(|c| c.day.to_string()).unwrap_or_default(),
        files.len(),
        started.elapsed().as_secs_f64(),
        started.elapsed().as_secs_f64() - planned,
    );
    Ok(())
}

fn main() -> ExitCode {
    let opts = <Opts as clap::Parser>::parse();
    match run(&opts) {
        Ok(()) => ExitCode::SUCCESS,
        Err((code, e)) => {
            eprintln!("replay: {e}");
            ExitCode::from(code)
        }
    }
}
