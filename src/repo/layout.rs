//! Where each kind of file lives in a compliance repository, and what a
//! repository-relative path means. Shared by the working tree and history.

use crate::model::{ActionId, AssessmentId, TemplateId, id_problem, is_valid_id};

pub(crate) const CONFIG_FILE: &str = "evident.toml";
pub(crate) const TEMPLATES_DIR: &str = "templates";
pub(crate) const ACTIONS_DIR: &str = "actions";
pub(crate) const ASSESSMENTS_DIR: &str = "assessments";
pub(crate) const EVIDENCE_DIR: &str = "evidence";
pub(crate) const ASSESSMENT_FILE: &str = "assessment.toml";

/// What a repository-relative path (with `/` separators) is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Entry {
    Config,
    Template(TemplateId),
    Action(ActionId),
    Assessment(AssessmentId),
    State(AssessmentId, ActionId),
    /// Under a data folder but not where evident reads files; the reason says why.
    Misplaced(String),
    /// Not evident's business (README, evidence, CI files...).
    Other,
}

impl Entry {
    pub fn is_data(&self) -> bool {
        !matches!(self, Entry::Misplaced(_) | Entry::Other)
    }
}

pub(crate) fn template_path(id: &str) -> String {
    format!("{TEMPLATES_DIR}/{id}.toml")
}

pub(crate) fn action_path(id: &str) -> String {
    format!("{ACTIONS_DIR}/{id}.toml")
}

pub(crate) fn assessment_path(id: &str) -> String {
    format!("{ASSESSMENTS_DIR}/{id}/{ASSESSMENT_FILE}")
}

pub(crate) fn state_path(assessment: &str, action: &str) -> String {
    format!("{ASSESSMENTS_DIR}/{assessment}/{action}.toml")
}

/// Files that may sit in data folders without being data: notes and git placeholders.
fn is_incidental(name: &str) -> bool {
    name.starts_with('.') || name.ends_with(".md") || name.ends_with(".txt")
}

/// Classifies a repository-relative path.
pub fn classify(path: &str) -> Entry {
    let parts: Vec<&str> = path.split('/').collect();
    match parts.as_slice() {
        [CONFIG_FILE] => Entry::Config,
        [TEMPLATES_DIR, rest @ ..] => {
            flat_file(rest, TEMPLATES_DIR, |id| Entry::Template(TemplateId::new(id)))
        }
        [ACTIONS_DIR, rest @ ..] => flat_file(rest, ACTIONS_DIR, |id| Entry::Action(ActionId::new(id))),
        [ASSESSMENTS_DIR, name] if is_incidental(name) => Entry::Other,
        [ASSESSMENTS_DIR, _] => Entry::Misplaced(format!(
            "files directly in `{ASSESSMENTS_DIR}/` are not read; each assessment is a directory `{ASSESSMENTS_DIR}/<id>/`"
        )),
        [ASSESSMENTS_DIR, dir, file] => {
            if is_incidental(file) {
                return Entry::Other;
            }
            if !is_valid_id(dir) {
                return Entry::Misplaced(format!(
                    "the directory name is not an assessment id: {}",
                    id_problem(dir).unwrap_or_default()
                ));
            }
            let Some(stem) = file.strip_suffix(".toml") else {
                return Entry::Misplaced(format!(
                    "only `.toml` files are read in `{ASSESSMENTS_DIR}/{dir}/`"
                ));
            };
            if *file == ASSESSMENT_FILE {
                Entry::Assessment(AssessmentId::new(*dir))
            } else if is_valid_id(stem) {
                Entry::State(AssessmentId::new(*dir), ActionId::new(stem))
            } else {
                Entry::Misplaced(format!(
                    "the file name is not an action id: {}",
                    id_problem(stem).unwrap_or_default()
                ))
            }
        }
        [ASSESSMENTS_DIR, dir, ..] if !is_incidental(parts.last().unwrap_or(&"")) => {
            Entry::Misplaced(format!(
                "sub-directories of `{ASSESSMENTS_DIR}/{dir}/` are not read; state files sit directly in the assessment's directory"
            ))
        }
        _ => Entry::Other,
    }
}

fn flat_file(rest: &[&str], dir: &str, make: impl Fn(&str) -> Entry) -> Entry {
    match rest {
        [name] if is_incidental(name) => Entry::Other,
        [name] => match name.strip_suffix(".toml") {
            Some(stem) if is_valid_id(stem) => make(stem),
            Some(stem) => Entry::Misplaced(id_problem(stem).unwrap_or_default()),
            None => Entry::Misplaced(format!("only `.toml` files are read in `{dir}/`")),
        },
        [.., last] if is_incidental(last) => Entry::Other,
        _ => Entry::Misplaced(format!("sub-directories of `{dir}/` are not read")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_paths() {
        assert_eq!(classify("evident.toml"), Entry::Config);
        assert_eq!(classify("templates/gdpr.toml"), Entry::Template("gdpr".into()));
        assert_eq!(classify("actions/mfa.toml"), Entry::Action("mfa".into()));
        assert_eq!(classify("assessments/g/assessment.toml"), Entry::Assessment("g".into()));
        assert_eq!(classify("assessments/g/mfa.toml"), Entry::State("g".into(), "mfa".into()));
        assert_eq!(classify("templates/README.md"), Entry::Other);
        assert_eq!(classify("templates/.gitkeep"), Entry::Other);
        assert_eq!(classify("evidence/x.pdf"), Entry::Other);
        assert_eq!(classify("README.md"), Entry::Other);
        for bad in [
            "templates/sub/x.toml",
            "templates/GDPR.toml",
            "actions/x.yaml",
            "assessments/x.toml",
            "assessments/g/sub/x.toml",
            "assessments/G/x.toml",
        ] {
            assert!(matches!(classify(bad), Entry::Misplaced(_)), "{bad}");
        }
    }
}
