//! `[automation]` tables that cannot work as written (E0901): what `evident test` would run or
//! read must be one clear thing, inside the repository.

use crate::diag::{Code, Diagnostic, Report, did_you_mean};
use crate::load::{key_span_of, span_of};
use crate::model::Workspace;
use crate::repo::layout::{CONFIG_FILE, action_path};

pub(crate) fn check(ws: &Workspace, report: &mut Report) {
    let mut out = Vec::new();
    for (id, action) in &ws.actions {
        let Some(auto) = &action.automation else { continue };
        let file = action_path(id.as_str());
        let sources: Vec<&str> = [
            auto.run.as_ref().map(|_| "run"),
            auto.junit.as_ref().map(|_| "junit"),
            auto.sarif.as_ref().map(|_| "sarif"),
        ]
        .into_iter()
        .flatten()
        .collect();
        if sources.len() > 1 {
            out.push(
                Diagnostic::new(
                    Code::AutomationInvalid,
                    format!("`[automation]` of `{id}` gives {}: which one decides?", sources.join(" and ")),
                )
                .at(file.clone(), key_span(report, &file, &format!("/automation/{}", sources[1])))
                .hint("keep one of `run`, `junit` and `sarif`"),
            );
        }
        if let Some(run) = &auto.run
            && run.first().is_none_or(|p| p.trim().is_empty())
        {
            out.push(
                Diagnostic::new(
                    Code::AutomationInvalid,
                    format!("`[automation] run` of `{id}` names no program"),
                )
                .at(file.clone(), span(report, &file, "/automation/run"))
                .hint("the first item is the program, e.g. `run = [\"python3\", \"checks/tls.py\"]`"),
            );
        }
        let files = [
            ("junit", auto.junit.as_ref().map(|j| &j.file)),
            ("sarif", auto.sarif.as_ref().map(|s| &s.file)),
        ];
        for (key, path) in files {
            let Some(path) = path else { continue };
            if let Err(why) = crate::checks::evidence::normalize(path) {
                out.push(
                    Diagnostic::new(
                        Code::AutomationInvalid,
                        format!(
                            "`[automation] {key}` of `{id}` reads `{path}`, outside the repository: {}",
                            reason(&why)
                        ),
                    )
                    .at(file.clone(), span(report, &file, &format!("/automation/{key}/file")))
                    .hint("result files are read from inside the repository, relative to its root"),
                );
            }
        }
    }
    let settings = &ws.config.automation;
    for (key, list) in [("only", &settings.only), ("except", &settings.except)] {
        for (i, name) in list.iter().enumerate() {
            if ws.actions.contains_key(name.as_str()) {
                continue;
            }
            let mut d = Diagnostic::new(
                Code::AutomationInvalid,
                format!("`[automation] {key}` names `{name}`, which is not an action"),
            )
            .at(CONFIG_FILE, span(report, CONFIG_FILE, &format!("/automation/{key}/{i}")));
            if let Some(h) = did_you_mean(name, ws.actions.keys().map(|a| a.as_str())) {
                d = d.hint(h);
            }
            out.push(d);
        }
    }
    report.diagnostics.extend(out);
}

fn span(report: &Report, file: &str, pointer: &str) -> std::ops::Range<usize> {
    report.sources.get(file).and_then(|t| span_of(t, pointer)).unwrap_or(0..0)
}

fn key_span(report: &Report, file: &str, pointer: &str) -> std::ops::Range<usize> {
    report.sources.get(file).and_then(|t| key_span_of(t, pointer)).unwrap_or(0..0)
}

fn reason(why: &crate::checks::evidence::Resolved) -> String {
    use crate::checks::evidence::Resolved;
    match why {
        Resolved::Outside(w) | Resolved::Internal(w) => w.clone(),
        _ => "it names no file".to_owned(),
    }
}
