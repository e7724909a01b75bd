//! Result files that other tools wrote: JUnit XML and SARIF 2.1. Each is read into the cases
//! or findings that decide an action's result; a file that cannot be read is [`Malformed`],
//! with the position where reading stopped, and never counts as a pass.

use quick_xml::events::{BytesStart, Event};

/// Why a result file could not be read, and where (1-based line and column, when known).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Malformed {
    pub message: String,
    pub offset: Option<usize>,
}

/// The verdict of a result file over the cases or rules an action names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum FileVerdict {
    /// Every matched case passed / no finding for the rules. `matched` counts what decided it.
    Passed { matched: usize },
    /// Some matched cases failed / findings for the rules.
    Failed { failed: Vec<String>, matched: usize },
    /// Nothing matched (JUnit), or matched cases were all skipped.
    NoMatch(String),
}

/// A JUnit test case.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Case {
    name: String,
    classname: String,
    outcome: CaseOutcome,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum CaseOutcome {
    Passed,
    Failed,
    Skipped,
}

/// The largest result file read (a report above it is not one a test tool wrote for a check).
pub(crate) const MAX_RESULT_FILE: u64 = 64 << 20;

/// Reads the result file at `file` (relative to `root`): a regular file inside the repository,
/// symbolic links resolved, at most [`MAX_RESULT_FILE`] bytes. A FIFO or device is refused
/// without blocking. The error says why, for the test notes.
pub(crate) fn read_file(root: &std::path::Path, file: &str) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let rel =
        crate::checks::evidence::normalize(file).map_err(|_| "the path leaves the repository".to_owned())?;
    let full = match root.join(rel).canonicalize() {
        Ok(full) => full,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err("the file is missing".to_owned()),
        Err(e) => return Err(format!("cannot read it: {e}")),
    };
    let inside = root.canonicalize().is_ok_and(|root| full.starts_with(root));
    if !inside {
        return Err("the path leaves the repository (through a symbolic link)".to_owned());
    }
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // Opening a FIFO for reading would wait for a writer.
        options.custom_flags(rustix::fs::OFlags::NONBLOCK.bits() as i32);
    }
    let handle = options.open(&full).map_err(|e| format!("cannot read it: {e}"))?;
    let meta = handle.metadata().map_err(|e| format!("cannot read it: {e}"))?;
    if !meta.is_file() {
        return Err("it is not a regular file".to_owned());
    }
    if meta.len() > MAX_RESULT_FILE {
        return Err(format!(
            "it has {} bytes, more than the {} MiB evident reads",
            meta.len(),
            MAX_RESULT_FILE >> 20
        ));
    }
    let mut bytes = Vec::new();
    handle.take(MAX_RESULT_FILE + 1).read_to_end(&mut bytes).map_err(|e| format!("cannot read it: {e}"))?;
    if bytes.len() as u64 > MAX_RESULT_FILE {
        return Err(format!("it has more than the {} MiB evident reads", MAX_RESULT_FILE >> 20));
    }
    Ok(bytes)
}

/// Reads a JUnit XML report and judges the cases matching `patterns` (all cases when empty).
pub(crate) fn junit(bytes: &[u8], patterns: &[String]) -> Result<FileVerdict, Malformed> {
    let cases = junit_cases(bytes)?;
    let matched: Vec<&Case> = cases
        .iter()
        .filter(|c| {
            patterns.is_empty()
                || patterns.iter().any(|p| {
                    super::wildcard(p, &c.name) || super::wildcard(p, &format!("{}.{}", c.classname, c.name))
                })
        })
        .collect();
    // Names come from another tool's file: control characters (a terminal escape, say) are made
    // visible before they reach notes, the summary or the report.
    let label = |c: &Case| {
        let label =
            if c.classname.is_empty() { c.name.clone() } else { format!("{}.{}", c.classname, c.name) };
        visible(&label)
    };
    let failed: Vec<String> =
        matched.iter().filter(|c| c.outcome == CaseOutcome::Failed).map(|c| label(c)).collect();
    let ran = matched.iter().filter(|c| c.outcome != CaseOutcome::Skipped).count();
    Ok(if !failed.is_empty() {
        FileVerdict::Failed { failed, matched: matched.len() }
    } else if matched.is_empty() {
        FileVerdict::NoMatch(if cases.is_empty() {
            "the report has no test cases".to_owned()
        } else {
            format!("none of its {} test cases matches {}", cases.len(), patterns.join(", "))
        })
    } else if ran < matched.len() {
        let skipped: Vec<String> =
            matched.iter().filter(|c| c.outcome == CaseOutcome::Skipped).map(|c| label(c)).collect();
        FileVerdict::NoMatch(format!("skipped: {}", skipped.join(", ")))
    } else {
        FileVerdict::Passed { matched: matched.len() }
    })
}

fn junit_cases(bytes: &[u8]) -> Result<Vec<Case>, Malformed> {
    let mut reader = quick_xml::Reader::from_reader(bytes);
    let mut buf = Vec::new();
    let mut cases = Vec::new();
    let mut open: Option<Case> = None;
    let mut root_seen = false;
    loop {
        let event = reader.read_event_into(&mut buf).map_err(|e| Malformed {
            message: format!("not well-formed XML: {e}"),
            offset: Some(reader.error_position() as usize),
        })?;
        let at = reader.buffer_position() as usize;
        match event {
            Event::Start(e) | Event::Empty(e) if !root_seen => {
                root_seen = true;
                let name = e.local_name();
                if !matches!(name.as_ref(), b"testsuites" | b"testsuite") {
                    return Err(Malformed {
                        message: format!(
                            "not a JUnit report: the root element is `<{}>`, not `<testsuites>` or `<testsuite>`",
                            String::from_utf8_lossy(name.as_ref())
                        ),
                        offset: Some(at),
                    });
                }
            }
            Event::Start(e) => {
                if e.local_name().as_ref() == b"testcase" {
                    open = Some(case(&e, at, reader.decoder())?);
                } else if let Some(c) = open.as_mut() {
                    mark(c, &e);
                }
            }
            Event::Empty(e) => {
                if e.local_name().as_ref() == b"testcase" {
                    cases.push(case(&e, at, reader.decoder())?);
                } else if let Some(c) = open.as_mut() {
                    mark(c, &e);
                }
            }
            Event::End(e) => {
                if e.local_name().as_ref() == b"testcase"
                    && let Some(c) = open.take()
                {
                    cases.push(c);
                }
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    if !root_seen {
        return Err(Malformed {
            message: "the file is empty: no `<testsuites>` element".to_owned(),
            offset: None,
        });
    }
    Ok(cases)
}

fn case(e: &BytesStart<'_>, at: usize, decoder: quick_xml::encoding::Decoder) -> Result<Case, Malformed> {
    let mut name = None;
    let mut classname = String::new();
    for attr in e.attributes() {
        let attr =
            attr.map_err(|err| Malformed { message: format!("bad attribute: {err}"), offset: Some(at) })?;
        let value = attr
            .decode_and_unescape_value(decoder)
            .map_err(|err| Malformed { message: format!("bad attribute value: {err}"), offset: Some(at) })?
            .into_owned();
        match attr.key.local_name().as_ref() {
            b"name" => name = Some(value),
            b"classname" => classname = value,
            _ => {}
        }
    }
    let name = name.ok_or_else(|| Malformed {
        message: "a `<testcase>` has no `name` attribute".to_owned(),
        offset: Some(at),
    })?;
    Ok(Case { name, classname, outcome: CaseOutcome::Passed })
}

fn mark(case: &mut Case, e: &BytesStart<'_>) {
    match e.local_name().as_ref() {
        b"failure" | b"error" => case.outcome = CaseOutcome::Failed,
        b"skipped" if case.outcome == CaseOutcome::Passed => case.outcome = CaseOutcome::Skipped,
        _ => {}
    }
}

/// Reads a SARIF 2.1 log and judges the results of the rules matching `patterns` (all when
/// empty): a result of level `error` or `warning` (the default level) is a finding.
pub(crate) fn sarif(bytes: &[u8], patterns: &[String]) -> Result<FileVerdict, Malformed> {
    let log: sarif_model::Log = serde_json::from_slice(bytes).map_err(|e| Malformed {
        message: format!("not a SARIF 2.1 log: {e}"),
        offset: line_column_offset(bytes, e.line(), e.column()),
    })?;
    if !log.version.starts_with("2.1") {
        return Err(Malformed {
            message: format!("SARIF version `{}`; evident reads 2.1", log.version),
            offset: None,
        });
    }
    let mut findings = Vec::new();
    let mut rules_seen = std::collections::BTreeSet::new();
    for run in &log.runs {
        for rule in run.tool.driver.rules.iter() {
            rules_seen.insert(rule.id.clone());
        }
        for result in &run.results {
            let Some(rule) = result.rule_id.as_deref().or(result.rule.as_ref().and_then(|r| r.id.as_deref()))
            else {
                continue;
            };
            rules_seen.insert(rule.to_owned());
            let matches = patterns.is_empty() || patterns.iter().any(|p| super::wildcard(p, rule));
            let level = result.level.as_deref().unwrap_or("warning");
            let suppressed = result
                .suppressions
                .iter()
                .any(|s| s.get("status").and_then(|v| v.as_str()) != Some("rejected"));
            if matches
                && matches!(level, "error" | "warning")
                && result.kind.as_deref().is_none_or(|k| k == "fail")
                && !suppressed
            {
                let place = result
                    .locations
                    .first()
                    .and_then(|l| l.physical_location.as_ref())
                    .and_then(|p| p.artifact_location.as_ref())
                    .and_then(|a| a.uri.clone());
                findings.push(visible(&match place {
                    Some(uri) => format!("{rule} ({uri})"),
                    None => rule.to_owned(),
                }));
            }
        }
    }
    let matched = rules_seen
        .iter()
        .filter(|r| patterns.is_empty() || patterns.iter().any(|p| super::wildcard(p, r)))
        .count();
    Ok(if findings.is_empty() {
        FileVerdict::Passed { matched }
    } else {
        FileVerdict::Failed { failed: findings, matched }
    })
}

/// `text` with control characters (newlines too: a label is one line) made visible.
fn visible(text: &str) -> String {
    crate::render::printable(&text.replace(['\n', '\t'], " "), false).into_owned()
}

/// The byte offset of a 1-based line and column.
fn line_column_offset(bytes: &[u8], line: usize, column: usize) -> Option<usize> {
    if line == 0 {
        return None;
    }
    let mut offset = 0;
    for (i, l) in bytes.split(|b| *b == b'\n').enumerate() {
        if i + 1 == line {
            return Some(offset + column.saturating_sub(1).min(l.len()));
        }
        offset += l.len() + 1;
    }
    None
}

/// The part of SARIF 2.1 that decides a result.
mod sarif_model {
    use serde::Deserialize;

    #[derive(Deserialize)]
    pub(crate) struct Log {
        pub version: String,
        pub runs: Vec<Run>,
    }

    #[derive(Deserialize)]
    pub(crate) struct Run {
        pub tool: Tool,
        #[serde(default)]
        pub results: Vec<SarifResult>,
    }

    #[derive(Deserialize)]
    pub(crate) struct Tool {
        pub driver: Driver,
    }

    #[derive(Deserialize)]
    pub(crate) struct Driver {
        #[serde(default)]
        pub rules: Vec<Rule>,
    }

    #[derive(Deserialize)]
    pub(crate) struct Rule {
        pub id: String,
    }

    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub(crate) struct SarifResult {
        pub rule_id: Option<String>,
        pub rule: Option<RuleRef>,
        pub level: Option<String>,
        pub kind: Option<String>,
        #[serde(default)]
        pub locations: Vec<Location>,
        #[serde(default)]
        pub suppressions: Vec<serde_json::Map<String, serde_json::Value>>,
    }

    #[derive(Deserialize)]
    pub(crate) struct RuleRef {
        pub id: Option<String>,
    }

    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub(crate) struct Location {
        pub physical_location: Option<PhysicalLocation>,
    }

    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub(crate) struct PhysicalLocation {
        pub artifact_location: Option<ArtifactLocation>,
    }

    #[derive(Deserialize)]
    pub(crate) struct ArtifactLocation {
        pub uri: Option<String>,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pats(p: &[&str]) -> Vec<String> {
        p.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn junit_cases_decide() {
        let xml = br#"<?xml version="1.0"?>
<testsuites><testsuite name="ssh">
  <testcase classname="ssh" name="sshd-root-login"/>
  <testcase classname="ssh" name="sshd-ciphers"><failure message="weak"/></testcase>
  <testcase classname="tls" name="tls-min"><skipped/></testcase>
</testsuite></testsuites>"#;
        assert_eq!(junit(xml, &pats(&["sshd-root*"])).unwrap(), FileVerdict::Passed { matched: 1 });
        assert!(matches!(junit(xml, &pats(&["sshd-*"])).unwrap(), FileVerdict::Failed { .. }));
        assert!(matches!(junit(xml, &pats(&["tls.*"])).unwrap(), FileVerdict::NoMatch(_)));
        assert!(matches!(junit(xml, &pats(&["nothing"])).unwrap(), FileVerdict::NoMatch(_)));
        let broken = b"<testsuites>\n<testcase name=\"a\">\n</testsuite>";
        let err = junit(broken, &[]).unwrap_err();
        assert!(err.offset.is_some(), "{err:?}");
        assert!(junit(b"<html/>", &[]).is_err());
    }

    #[test]
    fn sarif_results_decide() {
        let log = br#"{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"checkov","rules":[{"id":"CKV_AWS_20"},{"id":"CKV_AWS_21"}]}},
          "results":[{"ruleId":"CKV_AWS_21","level":"error","message":{"text":"x"}}]}]}"#;
        assert_eq!(sarif(log, &pats(&["CKV_AWS_20"])).unwrap(), FileVerdict::Passed { matched: 1 });
        assert!(matches!(sarif(log, &pats(&["CKV_AWS_2?"])).unwrap(), FileVerdict::Failed { .. }));
        let err = sarif(b"{\n \"version\": ", &[]).unwrap_err();
        assert!(err.offset.is_some());
    }
}
