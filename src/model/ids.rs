//! Identifier newtypes. Ids double as file and directory names, so they are
//! restricted to a safe alphabet: no path separators, no `..`, no spaces.

use std::borrow::Borrow;
use std::fmt;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Serialize};

/// Pattern shared by every id that names a file or directory.
pub const ID_PATTERN: &str = r"^[a-z0-9][a-z0-9._-]*$";
/// The longest id: ids name files and directories, and most file systems
/// allow 255 bytes for a name (with room for `.toml` and temporary suffixes).
pub const ID_MAX_LEN: usize = 128;
/// Control ids come from regulations ("164.308(a)(1)", "Art. 32") and never name a file.
pub(crate) const CONTROL_ID_PATTERN: &str = r"^\S+$";

/// Checks an id against [`ID_PATTERN`] without a regex engine.
pub fn is_valid_id(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_lowercase() || c.is_ascii_digit())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'))
        && s.len() <= ID_MAX_LEN
}

/// Why `s` is not a valid id, in words (the rule it breaks, and the rule).
pub fn id_problem(s: &str) -> Option<String> {
    if is_valid_id(s) {
        return None;
    }
    let rule = "use lower-case letters, digits, `.`, `_` and `-`, starting with a letter or digit";
    let chars = s.chars().count();
    let shape_ok = {
        let mut it = s.chars();
        matches!(it.next(), Some(c) if c.is_ascii_lowercase() || c.is_ascii_digit())
            && it.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'))
    };
    Some(if s.is_empty() {
        format!("an id cannot be empty: {rule}")
    } else if s.len() > ID_MAX_LEN && shape_ok {
        format!(
            "`{}…` is not a valid id: it is {chars} characters long, and ids are at most {ID_MAX_LEN} characters",
            truncated(s)
        )
    } else if s.len() > ID_MAX_LEN {
        format!(
            "`{}…` is not a valid id: it is {chars} characters long (at most {ID_MAX_LEN}); {rule}",
            truncated(s)
        )
    } else {
        format!("`{s}` is not a valid id: {rule}")
    })
}

/// The first characters of a long id, for messages.
fn truncated(s: &str) -> String {
    s.chars().take(40).collect()
}

/// Explains why `s` is not a valid id, for command-line arguments.
pub fn parse_id(s: &str) -> Result<String, String> {
    if is_valid_id(s) {
        Ok(s.to_owned())
    } else {
        let suggestion = slugify(s);
        let mut msg = id_problem(s).unwrap_or_default();
        if !suggestion.is_empty() && suggestion != s && suggestion.len() <= ID_MAX_LEN {
            msg.push_str(&format!(" (try `{suggestion}`)"));
        }
        Err(msg)
    }
}

/// Turns free text into an id-shaped string: "Art. 32 (1)" -> "art.-32-1".
pub fn slugify(s: &str) -> String {
    let mut out = String::new();
    for c in s.trim().chars() {
        let c = c.to_ascii_lowercase();
        if c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '_' {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_matches(|c| c == '-' || c == '.').to_owned()
}

macro_rules! id_type {
    ($(#[$meta:meta])* $name:ident, $pattern:expr, $what:literal) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub String);

        impl $name {
            pub fn new(s: impl Into<String>) -> Self {
                Self(s.into())
            }
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl Borrow<str> for $name {
            fn borrow(&self) -> &str {
                &self.0
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                Self(s.to_owned())
            }
        }

        impl JsonSchema for $name {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                stringify!($name).into()
            }
            fn json_schema(_: &mut SchemaGenerator) -> Schema {
                let mut schema = json_schema!({
                    "type": "string",
                    "pattern": $pattern,
                    "description": $what,
                });
                if $pattern == ID_PATTERN {
                    schema.insert("maxLength".into(), ID_MAX_LEN.into());
                }
                schema
            }
        }
    };
}

id_type!(
    /// Id of an improvement action: the stem of `actions/<id>.toml`.
    ActionId,
    ID_PATTERN,
    "Id of an improvement action: the file name of `actions/<id>.toml` without `.toml`. Lower-case letters, digits, `.`, `_` and `-`, at most 128 characters."
);
id_type!(
    /// Id of a template: the stem of `templates/<id>.toml`.
    TemplateId,
    ID_PATTERN,
    "Id of an assessment template: the file name of `templates/<id>.toml` without `.toml`. Lower-case letters, digits, `.`, `_` and `-`, at most 128 characters."
);
id_type!(
    /// Id of an assessment: the name of its directory under `assessments/`.
    AssessmentId,
    ID_PATTERN,
    "Id of an assessment: the name of its directory `assessments/<id>/`. Lower-case letters, digits, `.`, `_` and `-`, at most 128 characters."
);
id_type!(
    /// Id of an assessment group.
    GroupId,
    ID_PATTERN,
    "Id of an assessment group. Assessments in one group keep the state of the actions they share identical. Lower-case letters, digits, `.`, `_` and `-`, at most 128 characters."
);
id_type!(
    /// Id of a control within a template, as the regulation numbers it.
    ControlId,
    CONTROL_ID_PATTERN,
    "Id of a control as the regulation numbers it, e.g. `art-32` or `164.308(a)(1)`. No spaces."
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids() {
        assert!(is_valid_id("mfa-admins"));
        assert!(is_valid_id("ac-2.1"));
        assert!(is_valid_id("0day"));
        assert!(!is_valid_id(""));
        assert!(!is_valid_id("../x"));
        assert!(!is_valid_id(".hidden"));
        assert!(!is_valid_id("Upper"));
        assert!(!is_valid_id("a b"));
        assert!(!is_valid_id("a/b"));
    }

    #[test]
    fn slugs() {
        assert_eq!(slugify("Require MFA for Admins"), "require-mfa-for-admins");
        assert_eq!(slugify("  Art. 32 (1) "), "art.-32-1");
        assert!(parse_id("Bad Id").unwrap_err().contains("try `bad-id`"));
        let long = "a".repeat(ID_MAX_LEN + 1);
        assert!(!is_valid_id(&long));
        assert!(is_valid_id(&long[1..]));
        let message = parse_id(&long).unwrap_err();
        assert!(message.contains("129 characters long") && message.contains("at most 128"), "{message}");
    }
}
