//! The generated repository: dates, people, actions, templates, evidence files and the file tree.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::*;
use evident::model::{
    Action, ActionId, ActionState, ActionType, Assessment, AssessmentId, Category, Control, ControlId,
    ControlType, Date, GroupId, Link, Template, TemplateId, Testing,
};
use evident::scaffold::{action_text, assessment_text, state_text, template_text};

pub(super) fn epoch_day() -> jiff::civil::Date {
    jiff::civil::date(2024, 1, 1)
}

/// The date `days` after 2024-01-01.
pub(super) fn day(days: i64) -> Date {
    Date(epoch_day().checked_add(jiff::Span::new().days(days)).expect("date in range"))
}

pub(super) fn days_of_timestamp(ts: i64) -> i64 {
    let d = jiff::Timestamp::from_second(ts)
        .expect("timestamp in range")
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date();
    (d - epoch_day()).get_days() as i64
}

pub(super) fn timestamp(y: i16, m: i8, d: i8, hour: i8) -> i64 {
    jiff::civil::date(y, m, d)
        .at(hour, 0, 0, 0)
        .to_zoned(jiff::tz::TimeZone::UTC)
        .expect("valid time")
        .timestamp()
        .as_second()
}

/// Initial states are dated between these days (2024-01-08 .. 2024-12-20).
pub(super) const INITIAL_FIRST_DAY: i64 = 7;
pub(super) const INITIAL_LAST_DAY: i64 = 354;

// ---------------------------------------------------------------------------------------------
// The generator

pub(super) struct Person {
    pub(super) email: String,
    pub(super) name: String,
}

pub(super) struct EvidenceFile {
    pub(super) path: String,
    pub(super) name: String,
    pub(super) bytes: Vec<u8>,
    pub(super) sha256: String,
}

pub(super) struct Repo {
    pub(super) people: Vec<Person>,
    pub(super) actions: Vec<Action>,
    pub(super) templates: Vec<Template>,
    pub(super) assessments: Vec<Assessment>,
    /// Assessments sharing one set of states (a group pair, or a single assessment).
    pub(super) units: Vec<Vec<usize>>,
    /// Organisation-wide baseline actions, by action index.
    pub(super) baseline: Vec<bool>,
    /// `states[unit][action index]`.
    pub(super) states: Vec<Vec<ActionState>>,
    pub(super) evidence: Vec<EvidenceFile>,
}

pub(super) fn people() -> Vec<Person> {
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

pub(super) fn slug(s: &str) -> String {
    evident::model::slugify(s)
}

pub(super) fn actions(rng: &mut Rng, n: usize) -> Vec<Action> {
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
                managed_by: Default::default(),
                solution,
                service,
                guidance,
                links,
                automation: None,
            }
        })
        .collect()
}

pub(super) fn templates(rng: &mut Rng, n: usize, actions: &[Action]) -> Vec<Template> {
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

pub(super) fn evidence_files(rng: &mut Rng) -> Vec<EvidenceFile> {
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

pub(super) fn build(opts: &Opts) -> Repo {
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
            automation: None,
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

pub(super) fn config_text(repo: &Repo) -> String {
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
pub(super) fn tree(repo: &Repo, opts: &Opts) -> BTreeMap<String, Vec<u8>> {
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

pub(super) fn state_file(repo: &Repo, assessment: usize, action: usize) -> String {
    format!("assessments/{}/{}.toml", repo.assessments[assessment].id, repo.actions[action].id)
}
