//! Vocabulary: names, titles, solutions, regulations and control-id styles.

pub(super) const FIRST: &[&str] = &[
    "Ana", "Bruno", "Chen", "Dana", "Emeka", "Fatima", "Gustav", "Hana", "Ivan", "Jonas", "Keiko", "Liam",
    "Maya", "Nikos", "Olga", "Pedro", "Quinn", "Rosa", "Sami", "Tara", "Umar", "Vera", "Wei", "Ximena",
    "Yusuf", "Zoe", "Arjun", "Bea", "Carlos", "Dmitri",
];
pub(super) const LAST: &[&str] = &[
    "Lima", "Costa", "Wang", "Okafor", "Eze", "Haddad", "Berg", "Sato", "Petrov", "Weber", "Tanaka",
    "Murphy", "Patel", "Pappas", "Ivanova", "Alves", "Reed", "Romero", "Nieminen", "Singh", "Farouk",
    "Novak", "Zhang", "Ortega", "Demir", "Martin", "Rao", "Keller", "Ruiz", "Volkov",
];
pub(super) const PEOPLE: usize = 30;
pub(super) const ASSESSORS: usize = 3; // people 0..3
pub(super) const ADMINS: std::ops::Range<usize> = 3..5;
pub(super) const AUTHORS: std::ops::Range<usize> = 3..10; // non-assessor commit authors

/// Title stems by category (same order as `Category::ALL`).
pub(super) const TITLES: [&[&str]; 10] = [
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
pub(super) const SOLUTIONS: &[&str] = &[
    "Entra ID",
    "Defender for Endpoint",
    "Purview Data Loss Prevention",
    "Intune",
    "Sentinel",
    "AWS IAM",
    "Okta",
];
pub(super) const SERVICES: &[&str] = &["Microsoft 365", "AWS", "Azure", "Google Workspace"];

/// (id, name, regulation, source, control id style)
pub(super) const REGULATIONS: &[(&str, &str, &str, &str, u8)] = &[
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
pub(super) const FAMILIES: &[&str] = &[
    "Organisational controls",
    "People controls",
    "Physical controls",
    "Technological controls",
    "Governance",
    "Risk management",
    "Incident handling",
    "Supply chain",
];
pub(super) const SCOPES: &[&str] =
    &["emea", "us", "apac", "corp", "prod", "retail", "cloud", "labs", "latam", "hq"];

/// Names of the groups (pairs of assessments).
pub(super) const GROUPS: &[&str] = &[
    "privacy",
    "security",
    "cloud-platform",
    "payments",
    "corporate",
    "product",
    "health-data",
    "critical-services",
];

pub(super) fn control_id(style: u8, i: usize) -> String {
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
