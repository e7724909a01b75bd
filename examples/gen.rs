//! Synthetic compliance repositories for benchmarks and load tests.
//!
//! ```text
//! cargo run --release --example gen -- --out DIR --assessments 20 --actions 500 \
//!     [--templates 5] [--seed 42] [--commits N] [--max-changes 5] [--force]
//! ```
//!
//! The output is a valid evident repository (`evident validate`, `evident check` and, with
//! history, `evident audit` and `evident check --base <first commit>` report no errors and no
//! warnings), the same bytes (and commit ids) for the same arguments. Its shape:
//!
//! - `evident.toml`: `[people]` (30 people, `first.last@example.com`), `[roles]` with 3
//!   assessors (people 1-3) and 2 admins (people 4-5).
//! - `actions/`: `--actions` actions. Categories cycle with the index, action types every 10,
//!   control types every 30 (so any 90 consecutive actions hold every combination); about 40%
//!   are mandatory, about 25% are tested automatically, most name a solution and some a
//!   service, guidance and links. Versions 1-3.
//! - `templates/`: `--templates` templates (ISO 27001, NIST 800-53, GDPR, ...). EVERY template
//!   lists EVERY action: each template shuffles the actions its own way and cuts them into
//!   controls of 3-7 actions (5 on average), and about 15% of its controls also list one action
//!   of another control (so an action can appear under two controls of one template).
//! - `assessments/`: `--assessments` assessments, assessment `i` on template `i % templates`.
//!   The first `2 * (assessments / 5)` assessments form pairs (0+1, 2+3, ...), each pair one
//!   group; every action is shared within a pair, so the two state files of an action are
//!   byte-identical. Every assessment has a state file for every action: `assessments *
//!   actions` state files (20 x 500 = 10,000).
//! - States: a realistic mix of implementation and test statuses that follows the status
//!   rules (passed needs implemented/alternative and evidence; alternative and out-of-scope
//!   carry notes; implemented/alternative/out-of-scope and passed/failed-*/out-of-scope/
//!   partially-tested carry dates; test date >= implementation date; automatic-only statuses
//!   only on automatic actions; owners from `[people]`; accepted_version = the action's
//!   version). Some assessments (pairs) are more mature than others; about a quarter of the
//!   actions are an organisation-wide baseline, passed in every assessment, so the overall
//!   score (an action earns only if it earns in every assessment) is not zero.
//! - `evidence/`: 24 small files; state files refer to them by path with their SHA-256, or to
//!   links (`url`).
//! - `README.md` recording the arguments.
//!
//! Dates: the initial states are dated in 2024. With `--commits N`, DIR also becomes a git
//! repository (branch `main`) with exactly N commits, built with one `git fast-import` stream:
//! commit 1 holds the whole initial repository (authored by an assessor); each of the N-1
//! following commits changes 1-5 state files (1 to `--max-changes`; a pair's two files always
//! change together):
//! implementation progress, test results (baseline actions never regress, others now and then),
//! owner changes, evidence added (never removed or altered; at most 8 items per state). Commits
//! that write a test result of passed or failed-* (status, date or notes) are authored by an
//! assessor, the others by one of 7 non-assessor people. Timestamps increase from 2025-01-06 and stay before 2026-10-31;
//! state dates written by a commit are the commit's day. Every commit's tree is valid. The
//! working tree is the last commit's tree, and `git status` is clean. Without `--commits` the
//! tree is the initial repository (what commit 1 would hold).
//!
//! DIR must not exist or be empty; `--force` first deletes what the generator writes
//! (`evident.toml`, `README.md`, `actions/`, `templates/`, `assessments/`, `evidence/`, `.git/`)
//! and leaves anything else alone (with `--commits`, such files stay untracked). Exit codes: 0 done, 2 bad arguments or DIR not empty,
//! 1 I/O or git failure.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use evident::model::{
    Action, ActionId, ActionState, ActionType, Assessment, AssessmentId, Category, Control, ControlId,
    ControlType, Date, Evidence, GroupId, Implementation, ImplementationStatus, Link, Template, TemplateId,
    Test, TestStatus, Testing,
};
use evident::scaffold::{action_text, assessment_text, state_text, template_text};
use sha2::{Digest, Sha256};

#[path = "common/fast_import.rs"]
mod fast_import;
use fast_import::{data, import};

// ---------------------------------------------------------------------------------------------
// Arguments

/// Writes a synthetic compliance repository, optionally with a git history.
#[derive(clap::Parser)]
#[command(name = "gen", override_usage = "cargo run --release --example gen -- --out DIR [OPTIONS]")]
struct Opts {
    /// Where to write the repository (must not exist or be empty)
    #[arg(short, long, value_name = "DIR")]
    out: PathBuf,
    /// Number of assessments
    #[arg(long, value_name = "N", default_value_t = 20)]
    assessments: usize,
    /// Number of actions; every template lists all of them
    #[arg(long, value_name = "N", default_value_t = 500)]
    actions: usize,
    /// Number of templates
    #[arg(long, value_name = "N", default_value_t = 5)]
    templates: usize,
    /// Random seed
    #[arg(long, value_name = "N", default_value_t = 42)]
    seed: u64,
    /// Also make DIR a git repository with N commits of history (the first holds the whole repository)
    #[arg(long, value_name = "N")]
    commits: Option<usize>,
    /// Each commit after the first changes 1 to N state files
    #[arg(long, value_name = "N", default_value_t = 5)]
    max_changes: usize,
    /// Delete a previous output in DIR first
    #[arg(long)]
    force: bool,
}

/// The limits clap does not check.
fn check_args(opts: &Opts) -> Result<(), String> {
    if opts.actions == 0 {
        return Err("--actions must be at least 1".into());
    }
    if opts.max_changes == 0 {
        return Err("--max-changes must be at least 1".into());
    }
    if opts.templates == 0 {
        return Err("--templates must be at least 1".into());
    }
    if opts.commits.is_some_and(|n| n > 1) && opts.assessments == 0 {
        return Err("--commits above 1 needs at least one assessment (the commits change states)".into());
    }
    if opts.commits == Some(0) {
        return Err("--commits must be at least 1 (the first commit holds the whole repository)".into());
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Randomness: SplitMix64, deterministic for a seed and independent of the platform.

#[path = "common/rng.rs"]
mod rng;

struct Rng(rng::SplitMix64);

impl Rng {
    fn new(seed: u64, stream: u64) -> Rng {
        Rng(rng::SplitMix64::new(seed ^ stream.wrapping_mul(0xA076_1D64_78BD_642F)))
    }
    /// Uniform in `0..n` (n > 0).
    fn below(&mut self, n: usize) -> usize {
        self.0.below(n as u64) as usize
    }
    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo + 1) as usize) as i64
    }
    /// True with probability `percent` / 100.
    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i + 1);
            items.swap(i, j);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Vocabulary

const FIRST: &[&str] = &[
    "Ana", "Bruno", "Chen", "Dana", "Emeka", "Fatima", "Gustav", "Hana", "Ivan", "Jonas", "Keiko", "Liam",
    "Maya", "Nikos", "Olga", "Pedro", "Quinn", "Rosa", "Sami", "Tara", "Umar", "Vera", "Wei", "Ximena",
    "Yusuf", "Zoe", "Arjun", "Bea", "Carlos", "Dmitri",
];
const LAST: &[&str] = &[
    "Lima", "Costa", "Wang", "Okafor", "Eze", "Haddad", "Berg", "Sato", "Petrov", "Weber", "Tanaka",
    "Murphy", "Patel", "Pappas", "Ivanova", "Alves", "Reed", "Romero", "Nieminen", "Singh", "Farouk",
    "Novak", "Zhang", "Ortega", "Demir", "Martin", "Rao", "Keller", "Ruiz", "Volkov",
];
const PEOPLE: usize = 30;
const ASSESSORS: usize = 3; // people 0..3
const ADMINS: std::ops::Range<usize> = 3..5;
const AUTHORS: std::ops::Range<usize> = 3..10; // non-assessor commit authors

/// Title stems by category (same order as `Category::ALL`).
const TITLES: [&[&str]; 10] = [
    &[
        "Require MFA for administrators",
        "Block legacy authentication",
        "Review privileged access quarterly",
        "Enforce least-privilege roles",
        "Disable inactive accounts",
        "Use conditional access for risky sign-ins",
    ],
    &[
        "Centralise security event logging",
        "Alert on impossible travel",
        "Run incident response exercises",
        "Retain audit logs for one year",
        "Triage alerts within one business day",
        "Hunt for persistence mechanisms",
    ],
    &[
        "Apply retention labels to records",
        "Classify documents by sensitivity",
        "Dispose of expired records",
        "Inventory information assets",
        "Define records management roles",
        "Review data owners annually",
    ],
    &[
        "Encrypt storage accounts at rest",
        "Restrict public network access",
        "Patch virtual machines monthly",
        "Back up production databases",
        "Harden container images",
        "Segment management networks",
    ],
    &[
        "Maintain a compliance calendar",
        "Document control owners",
        "Track regulatory changes",
        "Report compliance status to the board",
        "Keep a risk register",
        "Review third-party attestations",
    ],
    &[
        "Enrol devices in management",
        "Require disk encryption on laptops",
        "Enforce screen lock after five minutes",
        "Block jailbroken mobile devices",
        "Deploy endpoint detection and response",
        "Keep operating systems supported",
    ],
    &[
        "Monitor data exfiltration by leavers",
        "Screen staff in sensitive roles",
        "Detect anomalous file downloads",
        "Separate duties for payments",
        "Run insider risk awareness training",
        "Review access on role change",
    ],
    &[
        "Keep a record of processing activities",
        "Answer data subject requests in time",
        "Run privacy impact assessments",
        "Minimise personal data collected",
        "Sign data processing agreements",
        "Notify breaches within 72 hours",
    ],
    &[
        "Filter malicious e-mail attachments",
        "Scan downloads for malware",
        "Protect against phishing links",
        "Isolate untrusted web content",
        "Block macros from the internet",
        "Run phishing simulations",
    ],
    &[
        "Prevent sharing of card numbers",
        "Encrypt e-mail with sensitive data",
        "Label confidential documents",
        "Protect data in transit with TLS",
        "Control removable media",
        "Rotate encryption keys yearly",
    ],
];
const SOLUTIONS: &[&str] = &[
    "Entra ID",
    "Defender for Endpoint",
    "Purview Data Loss Prevention",
    "Intune",
    "Sentinel",
    "AWS IAM",
    "Okta",
];
const SERVICES: &[&str] = &["Microsoft 365", "AWS", "Azure", "Google Workspace"];

/// (id, name, regulation, source, control id style)
const REGULATIONS: &[(&str, &str, &str, &str, u8)] = &[
    ("iso-27001", "ISO/IEC 27001:2022", "ISO/IEC 27001", "https://www.iso.org/standard/27001", 0),
    (
        "nist-800-53",
        "NIST SP 800-53 Rev. 5",
        "NIST SP 800-53",
        "https://csrc.nist.gov/pubs/sp/800/53/r5/upd1/final",
        1,
    ),
    ("gdpr", "GDPR (EU 2016/679)", "GDPR", "https://eur-lex.europa.eu/eli/reg/2016/679/oj", 2),
    (
        "hipaa",
        "HIPAA Security Rule",
        "HIPAA",
        "https://www.hhs.gov/hipaa/for-professionals/security/index.html",
        3,
    ),
    ("pci-dss", "PCI DSS v4.0.1", "PCI DSS", "https://www.pcisecuritystandards.org/document_library/", 4),
    (
        "soc2",
        "SOC 2 Trust Services Criteria",
        "SOC 2",
        "https://www.aicpa-cima.com/resources/download/2017-trust-services-criteria",
        5,
    ),
    ("nis2", "NIS2 Directive (EU 2022/2555)", "NIS2", "https://eur-lex.europa.eu/eli/dir/2022/2555/oj", 2),
    (
        "cis-v8",
        "CIS Critical Security Controls v8",
        "CIS Controls",
        "https://www.cisecurity.org/controls/v8",
        6,
    ),
];
const FAMILIES: &[&str] = &[
    "Organisational controls",
    "People controls",
    "Physical controls",
    "Technological controls",
    "Governance",
    "Risk management",
    "Incident handling",
    "Supply chain",
];
const SCOPES: &[&str] = &["emea", "us", "apac", "corp", "prod", "retail", "cloud", "labs", "latam", "hq"];

/// Names of the groups (pairs of assessments).
const GROUPS: &[&str] = &[
    "privacy",
    "security",
    "cloud-platform",
    "payments",
    "corporate",
    "product",
    "health-data",
    "critical-services",
];

fn control_id(style: u8, i: usize) -> String {
    let n = i + 1;
    match style {
        0 => format!("A.{}.{}", 5 + i / 40, i % 40 + 1),
        1 => {
            const FAM: &[&str] = &["AC", "AU", "CM", "IA", "IR", "RA", "SC", "SI"];
            format!("{}-{}", FAM[i % FAM.len()], i / FAM.len() + 1)
        }
        2 => format!("art-{n}"),
        3 => format!("164.{}(a)({})", 308 + i / 20, i % 20 + 1),
        4 => format!("req-{}.{}", i / 12 + 1, i % 12 + 1),
        5 => format!("CC{}.{}", i / 9 + 1, i % 9 + 1),
        _ => format!("{}.{}", i / 10 + 1, i % 10 + 1),
    }
}

// ---------------------------------------------------------------------------------------------
// Dates and times

fn epoch_day() -> jiff::civil::Date {
    jiff::civil::date(2024, 1, 1)
}

/// The date `days` after 2024-01-01.
fn day(days: i64) -> Date {
    Date(epoch_day().checked_add(jiff::Span::new().days(days)).expect("date in range"))
}

fn days_of_timestamp(ts: i64) -> i64 {
    let d = jiff::Timestamp::from_second(ts)
        .expect("timestamp in range")
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date();
    (d - epoch_day()).get_days() as i64
}

fn timestamp(y: i16, m: i8, d: i8, hour: i8) -> i64 {
    jiff::civil::date(y, m, d)
        .at(hour, 0, 0, 0)
        .to_zoned(jiff::tz::TimeZone::UTC)
        .expect("valid time")
        .timestamp()
        .as_second()
}

/// Initial states are dated between these days (2024-01-08 .. 2024-12-20).
const INITIAL_FIRST_DAY: i64 = 7;
const INITIAL_LAST_DAY: i64 = 354;

// ---------------------------------------------------------------------------------------------
// The generator

struct Person {
    email: String,
    name: String,
}

struct EvidenceFile {
    path: String,
    name: String,
    bytes: Vec<u8>,
    sha256: String,
}

struct Repo {
    people: Vec<Person>,
    actions: Vec<Action>,
    templates: Vec<Template>,
    assessments: Vec<Assessment>,
    /// Assessments sharing one set of states (a group pair, or a single assessment).
    units: Vec<Vec<usize>>,
    /// Organisation-wide baseline actions, by action index.
    baseline: Vec<bool>,
    /// `states[unit][action index]`.
    states: Vec<Vec<ActionState>>,
    evidence: Vec<EvidenceFile>,
}

fn people() -> Vec<Person> {
    (0..PEOPLE)
        .map(|i| {
            let first = FIRST[i % FIRST.len()];
            let last = LAST[(i * 7) % LAST.len()];
            Person {
                email: format!("{}.{}@example.com", first.to_lowercase(), last.to_lowercase()),
                name: format!("{first} {last}"),
            }
        })
        .collect()
}

fn slug(s: &str) -> String {
    evident::model::slugify(s)
}

fn actions(rng: &mut Rng, n: usize) -> Vec<Action> {
    (0..n)
        .map(|i| {
            let category = Category::ALL[i % Category::ALL.len()];
            let stems = TITLES[i % Category::ALL.len()];
            let title = (*rng.pick(stems)).to_owned();
            let short: Vec<&str> = title.split_whitespace().take(3).collect();
            let id = format!("{}-{:04}", slug(&short.join(" ")), i + 1);
            let solution = rng.chance(75).then(|| (*rng.pick(SOLUTIONS)).to_owned());
            let service = rng.chance(40).then(|| (*rng.pick(SERVICES)).to_owned());
            let guidance = rng.chance(50).then(|| {
                format!(
                    "## Implement\n\n{title}. Record the configuration or the procedure as evidence.\n\n\
                     ## Test\n\nSample at least {} items and attach the results.\n",
                    rng.range(5, 40)
                )
            });
            let links = if rng.chance(30) {
                vec![Link {
                    name: "Internal standard".to_owned(),
                    url: format!("https://wiki.example.com/standards/{id}"),
                }]
            } else {
                Vec::new()
            };
            Action {
                id: ActionId::new(id),
                title,
                version: rng.range(1, 3) as u32,
                category,
                action_type: ActionType::ALL[(i / 10) % 3],
                control_type: ControlType::ALL[(i / 30) % 3],
                mandatory: rng.chance(40),
                testing: if rng.chance(25) { Testing::Automatic } else { Testing::Manual },
                solution,
                service,
                guidance,
                links,
            }
        })
        .collect()
}

fn templates(rng: &mut Rng, n: usize, actions: &[Action]) -> Vec<Template> {
    (0..n)
        .map(|t| {
            let (base, name, regulation, source, style) = REGULATIONS[t % REGULATIONS.len()];
            let round = t / REGULATIONS.len();
            let (id, name) = if round == 0 {
                (base.to_owned(), name.to_owned())
            } else {
                (format!("{base}-{}", round + 1), format!("{name} (copy {})", round + 1))
            };
            let mut order: Vec<usize> = (0..actions.len()).collect();
            rng.shuffle(&mut order);
            let mut chunks: Vec<Vec<usize>> = Vec::new();
            let mut rest = &order[..];
            while !rest.is_empty() {
                let size = (rng.range(3, 7) as usize).min(rest.len());
                chunks.push(rest[..size].to_vec());
                rest = &rest[size..];
            }
            // Some controls also list an action of another control.
            if actions.len() > 7 {
                for chunk in &mut chunks {
                    if rng.chance(15) {
                        let extra = order[rng.below(order.len())];
                        if !chunk.contains(&extra) {
                            chunk.push(extra);
                        }
                    }
                }
            }
            let per_family = chunks.len().div_ceil(FAMILIES.len().min(6)).max(1);
            let controls = chunks
                .iter()
                .enumerate()
                .map(|(i, chunk)| Control {
                    id: ControlId::new(control_id(style, i)),
                    title: actions[chunk[0]].title.clone(),
                    family: Some(FAMILIES[(i / per_family + t) % FAMILIES.len()].to_owned()),
                    description: rng
                        .chance(30)
                        .then(|| format!("The organisation shall {}.", actions[chunk[0]].title.to_lowercase())),
                    actions: chunk.iter().map(|&a| actions[a].id.clone()).collect(),
                    urn: None,
                    groups: Vec::new(),
                    related: Vec::new(),
                })
                .collect();
            Template {
                id: TemplateId::new(id),
                name,
                regulation: regulation.to_owned(),
                version: rng.range(1, 3) as u32,
                description: Some(format!(
                    "Synthetic template modelled on {regulation}: every action of the repository, in controls of its own."
                )),
                source: Some(source.to_owned()),
                urn: None,
                controls,
            }
        })
        .collect()
}

fn evidence_files(rng: &mut Rng) -> Vec<EvidenceFile> {
    const FILES: &[(&str, &str)] = &[
        ("policies/access-control-policy.md", "Access control policy"),
        ("policies/acceptable-use-policy.md", "Acceptable use policy"),
        ("policies/data-retention-policy.md", "Data retention policy"),
        ("policies/incident-response-plan.md", "Incident response plan"),
        ("policies/privacy-notice.md", "Privacy notice"),
        ("policies/vendor-management.md", "Vendor management procedure"),
        ("exports/conditional-access-2024-q3.json", "Conditional access export"),
        ("exports/device-compliance-2024-q4.json", "Device compliance report"),
        ("exports/dlp-policies.json", "DLP policy export"),
        ("exports/admin-role-members.csv", "Admin role members"),
        ("exports/inactive-accounts.csv", "Inactive accounts report"),
        ("exports/patch-status.csv", "Patch status report"),
        ("exports/backup-jobs.csv", "Backup job history"),
        ("exports/log-retention.json", "Log retention settings"),
        ("reviews/access-review-2024-q2.txt", "Access review Q2"),
        ("reviews/access-review-2024-q4.txt", "Access review Q4"),
        ("reviews/risk-register-2024.csv", "Risk register"),
        ("reviews/board-report-2024.txt", "Board compliance report"),
        ("reviews/dpia-crm.txt", "DPIA for the CRM"),
        ("reviews/tabletop-exercise-2024.txt", "Tabletop exercise minutes"),
        ("training/phishing-simulation-results.csv", "Phishing simulation results"),
        ("training/awareness-completion.csv", "Awareness training completion"),
        ("screenshots/mfa-registration.txt", "MFA registration screenshot (text)"),
        ("screenshots/tls-scan.txt", "TLS scan output"),
    ];
    FILES
        .iter()
        .map(|(path, name)| {
            let mut text = String::new();
            if path.ends_with(".md") {
                let _ = writeln!(text, "# {name}\n");
                for k in 1..=rng.range(3, 8) {
                    let _ = writeln!(
                        text,
                        "{k}. Requirement {k}: reviewed every {} months by the owner.",
                        rng.range(3, 12)
                    );
                }
            } else if path.ends_with(".json") {
                let _ = writeln!(text, "{{\n  \"report\": \"{name}\",\n  \"items\": [");
                let n = rng.range(2, 6);
                for k in 0..n {
                    let sep = if k + 1 < n { "," } else { "" };
                    let _ = writeln!(
                        text,
                        "    {{\"id\": {k}, \"state\": \"enabled\", \"value\": {}}}{sep}",
                        rng.range(1, 9999)
                    );
                }
                let _ = writeln!(text, "  ]\n}}");
            } else if path.ends_with(".csv") {
                let _ = writeln!(text, "item,owner,status,count");
                for k in 0..rng.range(3, 12) {
                    let _ = writeln!(
                        text,
                        "item-{k},{},{},{}",
                        FIRST[rng.below(FIRST.len())].to_lowercase(),
                        if rng.chance(80) { "ok" } else { "exception" },
                        rng.range(0, 500)
                    );
                }
            } else {
                let _ = writeln!(text, "{name}\n{}", "=".repeat(name.len()));
                for k in 0..rng.range(2, 6) {
                    let _ = writeln!(
                        text,
                        "- finding {k}: {}",
                        if rng.chance(70) { "no exceptions" } else { "follow-up opened" }
                    );
                }
            }
            let bytes = text.into_bytes();
            EvidenceFile {
                path: format!("evidence/{path}"),
                name: (*name).to_owned(),
                sha256: hex_sha256(&bytes),
                bytes,
            }
        })
        .collect()
}

fn hex_sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

const MAX_EVIDENCE: usize = 8;

/// Appends one evidence item (a file of the repository or a link) under a name not yet used.
/// At most [`MAX_EVIDENCE`] items: beyond that, nothing is added.
fn add_evidence(rng: &mut Rng, state: &mut ActionState, action: &Action, files: &[EvidenceFile]) {
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

fn owner(rng: &mut Rng, people: &[Person]) -> Option<String> {
    Some(rng.pick(people).email.clone())
}

const FAILED: [TestStatus; 3] = [TestStatus::FailedLow, TestStatus::FailedMedium, TestStatus::FailedHigh];

/// A believable initial state. `maturity` 0..=2 skews it towards less or more progress; 3 is
/// a baseline action, passed (maybe as an alternative implementation).
fn initial_state(
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
fn evolve(
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

fn build(opts: &Opts) -> Repo {
    let people = people();
    let actions = actions(&mut Rng::new(opts.seed, 1), opts.actions);
    let templates = templates(&mut Rng::new(opts.seed, 2), opts.templates, &actions);
    let evidence = evidence_files(&mut Rng::new(opts.seed, 3));

    let mut rng = Rng::new(opts.seed, 4);
    let n = opts.assessments;
    let pairs = if n >= 2 { (n / 5).max(1) } else { 0 };
    let mut units: Vec<Vec<usize>> = Vec::new();
    let mut assessments = Vec::new();
    for i in 0..n {
        let template = &templates[i % templates.len()];
        let group = (i < 2 * pairs).then(|| {
            let g = i / 2;
            let name = GROUPS[g % GROUPS.len()];
            GroupId::new(match g / GROUPS.len() {
                0 => name.to_owned(),
                round => format!("{name}-{}", round + 1),
            })
        });
        if i < 2 * pairs && i % 2 == 1 {
            units.last_mut().expect("pair").push(i);
        } else {
            units.push(vec![i]);
        }
        let scope = SCOPES[i % SCOPES.len()];
        assessments.push(Assessment {
            id: AssessmentId::new(format!("{}-{scope}-{:02}", template.id, i + 1)),
            name: format!("{} - {} {}", template.name, scope.to_uppercase(), i + 1),
            template: template.id.clone(),
            template_version: template.version,
            group,
            service: rng.chance(60).then(|| (*rng.pick(SERVICES)).to_owned()),
            description: rng
                .chance(50)
                .then(|| format!("Assessment of the {scope} scope against {}.", template.regulation)),
        });
    }
    // About a quarter of the actions are an organisation-wide baseline, passed in every
    // assessment, so that the overall score (an action earns only where it earns in every
    // assessment) is not zero.
    let baseline: Vec<bool> = {
        let mut r = Rng::new(opts.seed, 6);
        actions.iter().map(|_| r.chance(25)).collect()
    };
    let states = (0..units.len())
        .map(|u| {
            actions
                .iter()
                .zip(&baseline)
                .map(|(a, &base)| {
                    let maturity = if base { 3 } else { (u % 3) as u8 };
                    initial_state(&mut rng, a, maturity, &people, &evidence)
                })
                .collect()
        })
        .collect();
    Repo { people, actions, templates, assessments, units, baseline, states, evidence }
}

fn config_text(repo: &Repo) -> String {
    let mut doc = toml_edit::DocumentMut::new();
    let mut people = toml_edit::Table::new();
    for p in &repo.people {
        people[p.email.as_str()] = toml_edit::value(p.name.as_str());
    }
    doc["people"] = toml_edit::Item::Table(people);
    let list = |range: std::ops::Range<usize>| {
        let mut a = toml_edit::Array::new();
        for p in &repo.people[range] {
            a.push(p.email.as_str());
        }
        toml_edit::value(a)
    };
    let mut roles = toml_edit::Table::new();
    roles["assessors"] = list(0..ASSESSORS);
    roles["admins"] = list(ADMINS);
    doc["roles"] = toml_edit::Item::Table(roles);
    format!("# Synthetic compliance repository written by `cargo run --example gen` (evident).\n\n{doc}")
}

/// Every file of the repository: path -> bytes, sorted by path.
fn tree(repo: &Repo, opts: &Opts) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    files.insert("evident.toml".to_owned(), config_text(repo).into_bytes());
    files.insert(
        "README.md".to_owned(),
        format!(
            "# Synthetic compliance repository\n\nGenerated by `cargo run --release --example gen -- \
             --assessments {} --actions {} --templates {} --seed {}{}` in the evident repository.\n\
             Every template lists every action; every assessment has a state file for every action.\n",
            opts.assessments,
            opts.actions,
            opts.templates,
            opts.seed,
            opts.commits.map(|c| format!(" --commits {c}")).unwrap_or_default()
                + &if opts.max_changes == 5 {
                    String::new()
                } else {
                    format!(" --max-changes {}", opts.max_changes)
                }
        )
        .into_bytes(),
    );
    for a in &repo.actions {
        files.insert(format!("actions/{}.toml", a.id), action_text(a).into_bytes());
    }
    for t in &repo.templates {
        files.insert(format!("templates/{}.toml", t.id), template_text(t).into_bytes());
    }
    for a in &repo.assessments {
        files.insert(format!("assessments/{}/assessment.toml", a.id), assessment_text(a).into_bytes());
    }
    for (u, members) in repo.units.iter().enumerate() {
        for k in 0..repo.actions.len() {
            let text = state_text(&repo.states[u][k]).into_bytes();
            for &m in members {
                files.insert(state_file(repo, m, k), text.clone());
            }
        }
    }
    for f in &repo.evidence {
        files.insert(f.path.clone(), f.bytes.clone());
    }
    files
}

fn state_file(repo: &Repo, assessment: usize, action: usize) -> String {
    format!("assessments/{}/{}.toml", repo.assessments[assessment].id, repo.actions[action].id)
}

// ---------------------------------------------------------------------------------------------
// History

fn commit_header(out: &mut Vec<u8>, person: &Person, ts: i64, message: &str) {
    let _ = writeln!(out, "commit refs/heads/main");
    let _ = writeln!(out, "author {} <{}> {ts} +0000", person.name, person.email);
    let _ = writeln!(out, "committer {} <{}> {ts} +0000", person.name, person.email);
    data(out, message.as_bytes());
}

/// Evolves the states over `commits - 1` commits after the initial one, updating `files`, and
/// returns the `git fast-import` stream of the whole history.
fn history(repo: &mut Repo, files: &mut BTreeMap<String, Vec<u8>>, opts: &Opts, commits: usize) -> Vec<u8> {
    let seed = opts.seed;
    let mut rng = Rng::new(seed, 5);
    let mut out = Vec::with_capacity(16 << 20);
    let start = timestamp(2025, 1, 6, 9);
    let end = timestamp(2026, 10, 30, 18);
    let step = ((end - start) / commits.max(1) as i64).clamp(60, 86_400);

    commit_header(
        &mut out,
        &repo.people[0],
        start,
        &format!(
            "Initial compliance repository\n\n{} actions, {} templates, {} assessments (generated, seed {seed}).\n",
            repo.actions.len(),
            repo.templates.len(),
            repo.assessments.len()
        ),
    );
    for (path, bytes) in files.iter() {
        let _ = writeln!(out, "M 100644 inline {path}");
        data(&mut out, bytes);
    }

    let min_unit = repo.units.iter().map(Vec::len).min().unwrap_or(1);
    let pairs_total = repo.units.len() * repo.actions.len();
    for c in 1..commits {
        let ts = start + c as i64 * step + rng.below((step / 2).max(1) as usize) as i64;
        let today = days_of_timestamp(ts);
        let budget = rng.range(1, opts.max_changes as i64) as usize;
        let mut touched: Vec<(usize, usize)> = Vec::new();
        let mut changed: Vec<String> = Vec::new();
        let mut lines: Vec<String> = Vec::new();
        let mut needs_assessor = false;
        let mut attempts = 0;
        while changed.len() < budget
            && (changed.is_empty() || changed.len() + min_unit <= budget)
            && touched.len() < pairs_total
            && attempts < 10_000
        {
            attempts += 1;
            let u = rng.below(repo.units.len());
            let k = rng.below(repo.actions.len());
            let size = repo.units[u].len();
            if touched.contains(&(u, k)) || (!changed.is_empty() && changed.len() + size > budget) {
                continue;
            }
            let (new, assessor, what) = evolve(
                &mut rng,
                &repo.states[u][k],
                &repo.actions[k],
                repo.baseline[k],
                today,
                &repo.people,
                &repo.evidence,
            );
            if new == repo.states[u][k] {
                continue;
            }
            touched.push((u, k));
            needs_assessor |= assessor;
            let text = state_text(&new).into_bytes();
            repo.states[u][k] = new;
            for &m in &repo.units[u] {
                let path = state_file(repo, m, k);
                files.insert(path.clone(), text.clone());
                changed.push(path);
            }
            let names: Vec<&str> = repo.units[u].iter().map(|&m| repo.assessments[m].id.as_str()).collect();
            lines.push(format!("{} in {}: {what}", repo.actions[k].id, names.join(", ")));
        }
        let author = if needs_assessor {
            &repo.people[rng.below(ASSESSORS)]
        } else {
            &repo.people[AUTHORS.start + rng.below(AUTHORS.len())]
        };
        let message = if lines.len() == 1 {
            format!("{}\n", lines[0])
        } else {
            format!(
                "Update {} action states\n\n{}\n",
                lines.len(),
                lines.iter().map(|l| format!("- {l}")).collect::<Vec<_>>().join("\n")
            )
        };
        commit_header(&mut out, author, ts, &message);
        for path in &changed {
            let _ = writeln!(out, "M 100644 inline {path}");
            data(&mut out, &files[path]);
        }
    }
    out.extend_from_slice(b"done\n");
    out
}

// ---------------------------------------------------------------------------------------------

const OWN_ENTRIES: &[&str] =
    &["evident.toml", "README.md", "actions", "templates", "assessments", "evidence", ".git"];

fn prepare_dir(opts: &Opts) -> Result<(), (u8, String)> {
    let dir = &opts.out;
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
            for name in OWN_ENTRIES {
                let p = dir.join(name);
                let res = if p.is_dir() && !p.is_symlink() {
                    std::fs::remove_dir_all(&p)
                } else if p.symlink_metadata().is_ok() {
                    std::fs::remove_file(&p)
                } else {
                    Ok(())
                };
                res.map_err(|e| (1, format!("cannot remove `{}`: {e}", p.display())))?;
            }
        }
    }
    std::fs::create_dir_all(dir).map_err(|e| (1, format!("cannot create `{}`: {e}", dir.display())))
}

fn write_tree(dir: &Path, files: &BTreeMap<String, Vec<u8>>) -> Result<(), String> {
    let mut made = std::collections::BTreeSet::new();
    for (path, bytes) in files {
        let full = dir.join(path);
        if let Some(parent) = full.parent()
            && made.insert(parent.to_path_buf())
        {
            std::fs::create_dir_all(parent)
                .map_err(|e| format!("cannot create `{}`: {e}", parent.display()))?;
        }
        std::fs::write(&full, bytes).map_err(|e| format!("cannot write `{}`: {e}", full.display()))?;
    }
    Ok(())
}

fn run(opts: &Opts) -> Result<(), (u8, String)> {
    let started = std::time::Instant::now();
    prepare_dir(opts)?;
    let prepared = started.elapsed().as_secs_f64();
    let mut repo = build(opts);
    let mut files = tree(&repo, opts);
    let stream = opts.commits.map(|n| history(&mut repo, &mut files, opts, n));
    let generated = started.elapsed().as_secs_f64() - prepared;
    write_tree(&opts.out, &files).map_err(|e| (1, e))?;
    let written = started.elapsed().as_secs_f64() - prepared;
    if let Some(stream) = &stream {
        import(&opts.out, stream, "generator").map_err(|e| (1, e))?;
    }
    let mut phases = match &stream {
        Some(stream) => format!(
            "generate {generated:.2}s, write {:.2}s, git {:.2}s for a {:.1} MB fast-import stream",
            written - generated,
            started.elapsed().as_secs_f64() - prepared - written,
            stream.len() as f64 / 1e6
        ),
        None => format!("generate {generated:.2}s, write {:.2}s", written - generated),
    };
    if prepared >= 0.01 {
        phases.insert_str(0, &format!("clear the old output {prepared:.2}s, "));
    }
    let states =
        files.keys().filter(|p| p.starts_with("assessments/") && !p.ends_with("/assessment.toml")).count();
    eprintln!(
        "wrote {}: {} actions, {} templates, {} assessments, {} state files, {} evidence files{} in {:.2}s ({phases})",
        opts.out.display(),
        repo.actions.len(),
        repo.templates.len(),
        repo.assessments.len(),
        states,
        repo.evidence.len(),
        opts.commits.map(|n| format!(", {n} commits")).unwrap_or_default(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn main() -> ExitCode {
    let opts = <Opts as clap::Parser>::parse();
    if let Err(e) = check_args(&opts) {
        eprintln!("gen: {e}");
        return ExitCode::from(2);
    }
    match run(&opts) {
        Ok(()) => ExitCode::SUCCESS,
        Err((code, e)) => {
            eprintln!("gen: {e}");
            ExitCode::from(code)
        }
    }
}
