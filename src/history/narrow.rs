//! A fast reader for state files in the plain shape evident and most people
//! write them: `key = value` lines, the `[implementation]`, `[test]` and
//! `[[evidence]]` headers, comments and blank lines.
//!
//! A long history parses tens of thousands of state blobs; the general TOML
//! parser is most of that time. This reader accepts only a strict subset of
//! TOML (bare known keys, basic strings without escapes, local dates, small
//! integers) and gives up (`None`) on anything else, escapes, literal or
//! multi-line strings, inline tables, dotted or quoted keys, unknown or
//! repeated keys, a missing status, control characters; the caller then uses
//! the full parser. What it accepts it reads exactly as the full parser does
//! (tests compare both on many variants of valid and broken files).

use serde::Deserialize;
use serde::de::IntoDeserializer;

use crate::model::{ActionState, Date, Evidence};

/// How much of each evidence item to keep.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum Detail {
    /// Every value: what the history rules compare.
    #[default]
    Full,
    /// The names only: all a timeline shows of evidence (and scores never
    /// read it), so a long history need not copy paths and hashes.
    Names,
}

impl Detail {
    /// Drops what this detail does not keep from a state read in full.
    pub(crate) fn trim(self, mut state: ActionState) -> ActionState {
        if self == Detail::Names {
            for item in &mut state.evidence {
                (item.path, item.sha256, item.url) = (None, None, None);
            }
        }
        state
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Table {
    Top,
    Implementation,
    Test,
    Evidence,
}

/// The state in `text`, when it has the plain shape; `None` otherwise
/// (whether or not it is valid). With [`Detail::Names`] the evidence items
/// keep only their names (the other values are still checked).
pub(crate) fn state(text: &str, detail: Detail) -> Option<ActionState> {
    if text.bytes().any(|b| (b < 0x20 && b != b'\n' && b != b'\t') || b == 0x7f) {
        return None;
    }
    let mut state = ActionState::default();
    let mut table = Table::Top;
    // Keys seen in the current table, and the tables already opened.
    let mut seen: Vec<&str> = Vec::new();
    let (mut implementation, mut test) = (false, false);
    let (mut implementation_status, mut test_status) = (false, false);
    let mut evidence_name = true;
    for line in text.split('\n') {
        let line = line.trim_start_matches([' ', '\t']);
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if line.starts_with('[') {
            let (header, rest) = if let Some(rest) = line.strip_prefix("[[evidence]]") {
                (Table::Evidence, rest)
            } else if let Some(rest) = line.strip_prefix("[implementation]") {
                (Table::Implementation, rest)
            } else if let Some(rest) = line.strip_prefix("[test]") {
                (Table::Test, rest)
            } else {
                return None;
            };
            end_of_line(rest)?;
            if !evidence_name {
                return None;
            }
            match header {
                Table::Implementation if !implementation => implementation = true,
                Table::Test if !test => test = true,
                Table::Evidence => {
                    state.evidence.push(Evidence {
                        name: String::new(),
                        path: None,
                        sha256: None,
                        url: None,
                    });
                    evidence_name = false;
                }
                _ => return None,
            }
            table = header;
            seen.clear();
            continue;
        }
        let key_len = line.bytes().position(|b| !(b.is_ascii_alphanumeric() || b == b'_' || b == b'-'))?;
        let (key, rest) = line.split_at(key_len);
        let rest = rest.trim_start_matches([' ', '\t']).strip_prefix('=')?.trim_start_matches([' ', '\t']);
        if key.is_empty() || seen.contains(&key) {
            return None;
        }
        seen.push(key);
        match (table, key) {
            (Table::Top, "owner") => state.owner = Some(string(rest)?),
            (Table::Top, "accepted_version") => state.accepted_version = Some(integer(rest)?),
            (Table::Implementation, "status") => {
                state.implementation.status = enumerated(&string(rest)?)?;
                implementation_status = true;
            }
            (Table::Implementation, "date") => state.implementation.date = Some(date(rest)?),
            (Table::Implementation, "notes") => state.implementation.notes = Some(string(rest)?),
            (Table::Test, "status") => {
                state.test.status = enumerated(&string(rest)?)?;
                test_status = true;
            }
            (Table::Test, "date") => state.test.date = Some(date(rest)?),
            (Table::Test, "notes") => state.test.notes = Some(string(rest)?),
            (Table::Evidence, "name") => {
                state.evidence.last_mut()?.name = string(rest)?;
                evidence_name = true;
            }
            (Table::Evidence, field) if detail == Detail::Names => {
                if !matches!(field, "path" | "sha256" | "url") {
                    return None;
                }
                string_body(rest)?;
            }
            (Table::Evidence, field) => {
                let value = Some(string(rest)?);
                let item = state.evidence.last_mut()?;
                match field {
                    "path" => item.path = value,
                    "sha256" => item.sha256 = value,
                    "url" => item.url = value,
                    _ => return None,
                }
            }
            _ => return None,
        }
    }
    let complete = evidence_name && implementation == implementation_status && test == test_status;
    complete.then_some(state)
}

/// Nothing but blanks and a comment may follow a value or header.
fn end_of_line(rest: &str) -> Option<()> {
    let rest = rest.trim_start_matches([' ', '\t']);
    (rest.is_empty() || rest.starts_with('#')).then_some(())
}

/// A basic string without escapes: `"…"`.
fn string(value: &str) -> Option<String> {
    string_body(value).map(str::to_owned)
}

/// The body of a basic string without escapes, not copied.
fn string_body(value: &str) -> Option<&str> {
    let body = value.strip_prefix('"')?;
    if body.starts_with("\"\"") {
        return None;
    }
    let end = body.find(['"', '\\'])?;
    if body.as_bytes()[end] != b'"' {
        return None;
    }
    end_of_line(&body[end + 1..])?;
    Some(&body[..end])
}

/// A local date, `YYYY-MM-DD`, in the years every reader agrees on.
fn date(value: &str) -> Option<Date> {
    let text = value.get(..10)?;
    end_of_line(&value[10..])?;
    if !text.starts_with(|c: char| ('1'..='9').contains(&c)) {
        return None;
    }
    text.parse().ok()
}

/// A decimal integer without sign, underscores or leading zeros.
fn integer(value: &str) -> Option<u32> {
    let digits = value.bytes().take_while(u8::is_ascii_digit).count();
    let (number, rest) = value.split_at(digits);
    end_of_line(rest)?;
    if digits == 0 || digits > 9 || (digits > 1 && number.starts_with('0')) {
        return None;
    }
    number.parse().ok()
}

/// A status from its name, as serde reads it from a TOML string.
fn enumerated<T: for<'de> Deserialize<'de>>(name: &str) -> Option<T> {
    let de: serde::de::value::StrDeserializer<'_, serde::de::value::Error> = name.into_deserializer();
    T::deserialize(de).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn full(text: &str) -> Option<ActionState> {
        toml::from_str(text).ok()
    }

    /// The state in full; the names-only read accepts the same files and
    /// keeps the same values but the evidence paths, hashes and links.
    fn read(text: &str) -> Option<ActionState> {
        let full = state(text, Detail::Full);
        assert_eq!(state(text, Detail::Names), full.clone().map(|s| Detail::Names.trim(s)), "{text:?}");
        full
    }

    const PLAIN: &str = r#"owner = "pedro.alves@example.com"
accepted_version = 3

[implementation]
status = "implemented"
date = 2025-01-07
notes = "Done, see the runbook."

[test]
status = "passed"
date = 2026-10-30
notes = "Fixed and re-tested."

[[evidence]]
name = "Access review Q2"
path = "evidence/reviews/access-review-2024-q2.txt"
sha256 = "b64ec7eb2a9561a71159af0a1d3b35abd7f841ae7ea68cde55cf1b2aaf54d783"

[[evidence]]
name = "Runbook"
url = "https://wiki.example.com/runbooks/x"
"#;

    /// Plain files are read here, and exactly as the full parser reads them.
    #[test]
    fn plain_files_are_read_as_the_full_parser_reads_them() {
        let plain = [
            PLAIN,
            "",
            "# only a comment\n",
            "[implementation]\nstatus = \"planned\"\n",
            "[test]\nstatus = \"failed-high\" # a comment\n\n# another\n[implementation]\nstatus = \"implemented\"\n",
            "  owner\t=\t\"a@b.c\"   \n",
            "owner = \"\"\n",
            "owner = \"ünïcödé 'quotes' # not a comment\"\n",
            "[implementation] # header comment\nstatus = \"alternative\"\nnotes = \"x\"\ndate = 2024-02-29\n",
            "accepted_version = 0\n",
            "[[evidence]]\nname = \"a\"\n[[evidence]]\nurl = \"https://x\"\nname = \"b\"\n",
        ];
        for text in plain {
            let narrow = read(text);
            assert!(narrow.is_some(), "read here: {text:?}");
            assert_eq!(narrow, full(text), "{text:?}");
        }
    }

    /// Valid TOML in any other shape is left to the full parser.
    #[test]
    fn other_shapes_are_left_to_the_full_parser() {
        let valid = [
            "implementation.status = \"implemented\"\n",
            "implementation = { status = \"planned\" }\n",
            "\"owner\" = \"a@b.c\"\n",
            "owner = 'a@b.c'\n",
            "owner = \"a\\u0040b.c\"\n",
            "[implementation]\nstatus = \"planned\"\nnotes = \"\"\"\nmulti\nline\"\"\"\n",
            "[implementation]\nstatus = \"planned\"\nnotes = '''\nraw'''\n",
            "evidence = [{ name = \"a\" }]\n",
            "[ implementation ]\nstatus = \"planned\"\n",
            "accepted_version = 1_0\n",
            "accepted_version = +3\n",
            "owner = \"a@b.c\"\r\n",
            "[implementation]\nstatus = \"planned\"\ndate = 0999-01-01\n",
        ];
        for text in valid {
            assert!(full(text).is_some(), "valid TOML: {text:?}");
            assert_eq!(read(text), None, "left to the full parser: {text:?}");
        }
    }

    /// Every one-byte change of a plain file: whatever this reader accepts,
    /// the full parser reads the same way.
    #[test]
    fn no_edit_makes_the_readers_disagree() {
        let inserts = ["\"", "'", "#", "=", " ", "\n", "[", "]", "\\", "x", "0", "-", ".", "{", "T", ":"];
        let mut accepted = 0;
        for i in 0..=PLAIN.len() {
            if !PLAIN.is_char_boundary(i) {
                continue;
            }
            let mut variants = Vec::new();
            if i < PLAIN.len() {
                variants.push(format!("{}{}", &PLAIN[..i], &PLAIN[i + 1..]));
            }
            for s in inserts {
                variants.push(format!("{}{s}{}", &PLAIN[..i], &PLAIN[i..]));
            }
            for text in variants {
                if let Some(narrow) = read(&text) {
                    accepted += 1;
                    assert_eq!(Some(narrow), full(&text), "{text:?}");
                }
            }
        }
        assert!(accepted > 100, "most harmless edits stay on the fast path ({accepted})");
    }

    #[test]
    fn broken_files_are_not_read_here() {
        let broken = [
            "owner = \"a@b.c\"\nowner = \"d@e.f\"\n",
            "[implementation]\nnotes = \"no status\"\n",
            "[implementation]\nstatus = \"nonsense\"\n",
            "[implementation]\nstatus = \"planned\"\n[implementation]\nstatus = \"planned\"\n",
            "[[evidence]]\npath = \"no name\"\n",
            "[implementation]\nstatus = \"planned\"\ndate = 2026-02-30\n",
            "unknown = \"x\"\n",
            "owner = \"unterminated\n",
            "owner = \"a\" trailing\n",
        ];
        for text in broken {
            assert_eq!(full(text), None, "invalid: {text:?}");
            assert_eq!(read(text), None, "{text:?}");
        }
    }
}
