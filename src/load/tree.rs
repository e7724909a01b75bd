//! The spanned TOML tree: parsing, conversion to JSON for schema validation,
//! and finding the source span of a path such as `/controls/2/actions/1`.

use std::ops::Range;

use serde_json::{Map, Number, Value};
use toml::Spanned;
use toml::de::{DeTable, DeValue};

/// One step of a path into a document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Seg {
    Key(String),
    Index(usize),
}

/// Splits a JSON pointer into segments; numeric segments may be keys or indexes,
/// which the walk decides by the value it meets.
pub(crate) fn pointer_segments(pointer: &str) -> Vec<String> {
    if pointer.is_empty() {
        return Vec::new();
    }
    pointer.trim_start_matches('/').split('/').map(|s| s.replace("~1", "/").replace("~0", "~")).collect()
}

/// A path for people: `controls[2].actions[1]`, `implementation.status`.
pub(crate) fn display_path(segments: &[Seg]) -> String {
    let mut out = String::new();
    for seg in segments {
        match seg {
            Seg::Key(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                if k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') && !k.is_empty() {
                    out.push_str(k);
                } else {
                    out.push_str(&format!("{k:?}"));
                }
            }
            Seg::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

/// Where a path ends up in the source.
#[derive(Clone, Debug)]
pub(crate) struct Located<'t, 'i> {
    /// Span of the key that names the value, when it has one (not for array items or the root).
    pub key: Option<Range<usize>>,
    /// Span of the value itself.
    pub value: Range<usize>,
    /// The value; `None` for the root table.
    pub node: Option<&'t DeValue<'i>>,
    /// The table, when the value is one (or is the root).
    pub table: Option<&'t DeTable<'i>>,
    /// The path with keys and indexes told apart.
    pub segments: Vec<Seg>,
}

impl Located<'_, '_> {
    /// The best span to underline: the key for tables (their value span is the
    /// whole table), the value otherwise.
    pub(crate) fn primary(&self) -> Range<usize> {
        match (&self.key, self.table) {
            (Some(key), Some(_)) => key.clone(),
            _ => self.value.clone(),
        }
    }

    /// The kind of the value in words.
    pub(crate) fn kind(&self) -> &'static str {
        self.node.map_or("a table", kind_of)
    }
}

/// Follows `pointer` (a JSON pointer) through the document.
pub(crate) fn locate<'t, 'i>(root: &'t Spanned<DeTable<'i>>, pointer: &[String]) -> Option<Located<'t, 'i>> {
    let mut located = Located {
        key: None,
        value: root.span(),
        node: None,
        table: Some(root.get_ref()),
        segments: Vec::new(),
    };
    for raw in pointer {
        let next: &'t Spanned<DeValue<'i>> = match (located.table, located.node) {
            (Some(table), _) => {
                let (k, v) = table.get_key_value(raw.as_str())?;
                located.key = Some(k.span());
                located.segments.push(Seg::Key(raw.clone()));
                v
            }
            (None, Some(DeValue::Array(items))) => {
                let index: usize = raw.parse().ok()?;
                located.key = None;
                located.segments.push(Seg::Index(index));
                items.get(index)?
            }
            _ => return None,
        };
        located.value = next.span();
        located.node = Some(next.get_ref());
        located.table = match next.get_ref() {
            DeValue::Table(t) => Some(t),
            _ => None,
        };
    }
    Some(located)
}

/// A TOML value's kind in words: "a string", "an integer", "a date".
pub(crate) fn kind_of(value: &DeValue<'_>) -> &'static str {
    match value {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) => "an integer",
        DeValue::Float(_) => "a float",
        DeValue::Boolean(_) => "a boolean",
        DeValue::Datetime(dt) => match (dt.date, dt.time) {
            (Some(_), None) => "a date",
            (None, Some(_)) => "a time",
            _ => "a date-time",
        },
        DeValue::Array(_) => "an array",
        DeValue::Table(_) => "a table",
    }
}

/// Converts the TOML tree to JSON for schema validation. Datetimes become
/// strings (as editors' TOML schema support does).
pub(crate) fn to_json(table: &DeTable<'_>) -> Value {
    Value::Object(table_to_json(table))
}

fn table_to_json(table: &DeTable<'_>) -> Map<String, Value> {
    table.iter().map(|(k, v)| (k.get_ref().to_string(), value_to_json(v.get_ref()))).collect()
}

fn value_to_json(value: &DeValue<'_>) -> Value {
    match value {
        DeValue::String(s) => Value::String(s.to_string()),
        DeValue::Integer(i) => {
            // `as_str` is already in `from_str_radix` form (no prefix, no underscores).
            i64::from_str_radix(i.as_str(), i.radix())
                .ok()
                .map(Value::from)
                .unwrap_or_else(|| Value::String(i.as_str().to_owned()))
        }
        DeValue::Float(f) => f
            .as_str()
            .replace('_', "")
            .parse::<f64>()
            .ok()
            .and_then(Number::from_f64)
            .map(Value::Number)
            .unwrap_or_else(|| Value::String(f.as_str().to_owned())),
        DeValue::Boolean(b) => Value::Bool(*b),
        DeValue::Datetime(dt) => Value::String(dt.to_string()),
        DeValue::Array(items) => Value::Array(items.iter().map(|v| value_to_json(v.get_ref())).collect()),
        DeValue::Table(t) => Value::Object(table_to_json(t)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locates_keys_and_items() {
        let text = "id = \"x\"\n[[controls]]\nid = \"a\"\nactions = [\"p\", \"q\"]\n[implementation]\nstatus = \"planned\"\n";
        let doc = DeTable::parse(text).unwrap();
        let ptr = pointer_segments("/controls/0/actions/1");
        let loc = locate(&doc, &ptr).unwrap();
        assert_eq!(&text[loc.value.clone()], "\"q\"");
        assert_eq!(display_path(&loc.segments), "controls[0].actions[1]");
        let loc = locate(&doc, &pointer_segments("/implementation")).unwrap();
        assert_eq!(&text[loc.primary()], "implementation");
        let loc = locate(&doc, &pointer_segments("/implementation/status")).unwrap();
        assert_eq!(&text[loc.key.clone().unwrap()], "status");
        assert!(locate(&doc, &pointer_segments("/nope")).is_none());
        let root = locate(&doc, &[]).unwrap();
        assert_eq!(root.value.start, 0);
        assert!(root.table.unwrap().get("id").is_some());
    }

    #[test]
    fn converts_to_json() {
        let text = "a = 0x1F\nb = 1_000\nc = 2026-03-02\nd = [1.5]\n[e]\nf = true\n";
        let doc = DeTable::parse(text).unwrap();
        assert_eq!(
            to_json(doc.get_ref()),
            serde_json::json!({"a": 31, "b": 1000, "c": "2026-03-02", "d": [1.5], "e": {"f": true}})
        );
    }
}
