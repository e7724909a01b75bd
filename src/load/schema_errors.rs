//! Turns JSON Schema validation errors into diagnostics that point at the
//! TOML source and speak the file format's language.

use serde_json::Value;
use toml::Spanned;
use toml::de::DeTable;

use super::tree::{self, Located, Seg};
use crate::diag::{Code, Diagnostic, did_you_mean};
use crate::model::slugify;

/// Validates `json` against `schema` and returns one diagnostic per problem.
pub(crate) fn check(
    file: &str,
    doc: &Spanned<DeTable<'_>>,
    json: &Value,
    validator: &jsonschema::Validator,
    schema: &Value,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for err in validator.iter_errors(json) {
        let pointer = tree::pointer_segments(&err.instance_path().to_string());
        let located = tree::locate(doc, &pointer);
        let node_schema = schema_at(schema, &pointer);
        out.extend(describe(file, &err, located.as_ref(), node_schema, schema, &pointer));
    }
    out.extend(quoted_dates(file, doc, schema));
    out
}

/// Dates written as strings (`date = "2026-03-02"`). The JSON the schema
/// sees cannot tell a TOML date from a string, so these are found here, next
/// to the schema's own findings: a quoted date is reported even when the
/// file has other problems (typed reading stops at the first one).
fn quoted_dates(file: &str, doc: &Spanned<DeTable<'_>>, schema: &Value) -> Vec<Diagnostic> {
    fn walk(
        file: &str,
        value: &Spanned<toml::de::DeValue<'_>>,
        pointer: &mut Vec<String>,
        schema: &Value,
        out: &mut Vec<Diagnostic>,
    ) {
        use toml::de::DeValue;
        match value.get_ref() {
            DeValue::String(s) => {
                let is_date = schema_at(schema, pointer)
                    .map(|node| resolve(node, schema))
                    .and_then(|node| node.get("format"))
                    .and_then(Value::as_str)
                    == Some("date");
                if is_date {
                    out.push(
                        Diagnostic::new(
                            Code::InvalidDate,
                            format!("dates are TOML dates, not strings: write `{s}` without quotes"),
                        )
                        .at(file, value.span())
                        .label("expected a date such as 2026-03-02"),
                    );
                }
            }
            DeValue::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    pointer.push(i.to_string());
                    walk(file, item, pointer, schema, out);
                    pointer.pop();
                }
            }
            DeValue::Table(table) => {
                for (key, item) in table.iter() {
                    pointer.push(key.get_ref().to_string());
                    walk(file, item, pointer, schema, out);
                    pointer.pop();
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    let mut pointer = Vec::new();
    for (key, item) in doc.get_ref().iter() {
        pointer.push(key.get_ref().to_string());
        walk(file, item, &mut pointer, schema, &mut out);
        pointer.pop();
    }
    out
}

fn describe(
    file: &str,
    err: &jsonschema::ValidationError<'_>,
    located: Option<&Located<'_, '_>>,
    node_schema: Option<&Value>,
    root_schema: &Value,
    pointer: &[String],
) -> Vec<Diagnostic> {
    use jsonschema::error::ValidationErrorKind as K;

    let segments = located.map(|l| l.segments.clone()).unwrap_or_else(|| guess_segments(pointer));
    let path = tree::display_path(&segments);
    // The root table spans the whole file: point at its start instead.
    let span = located.filter(|_| !pointer.is_empty()).map(|l| l.primary()).unwrap_or(0..0);
    let value_span = located.map(|l| l.value.clone()).unwrap_or(0..0);
    let in_table = if path.is_empty() { "at the top level".to_owned() } else { format!("in `{path}`") };
    let description = node_schema.and_then(|s| s.get("description")).and_then(Value::as_str);
    let instance = err.instance();

    match err.kind() {
        K::AdditionalProperties { unexpected } => {
            let known = node_schema.map(|s| property_names(s, root_schema)).unwrap_or_default();
            unexpected
                .iter()
                .map(|key| {
                    let key_span = located
                        .and_then(|l| l.table)
                        .and_then(|t| t.get_key_value(key.as_str()))
                        .map(|(k, _)| k.span())
                        .unwrap_or_else(|| span.clone());
                    let hint = did_you_mean(key, known.iter().map(String::as_str)).or_else(|| {
                        (!known.is_empty()).then(|| format!("expected one of: {}", known.join(", ")))
                    });
                    Diagnostic::new(Code::UnknownKey, format!("unknown key `{key}` {in_table}"))
                        .at(file, key_span)
                        .label("unknown key")
                        .maybe_hint(hint)
                })
                .collect()
        }
        K::Required { property } => {
            let name = property.as_str().unwrap_or_default();
            let prop = node_schema
                .map(|s| resolve(s, root_schema))
                .and_then(|s| s.get("properties"))
                .and_then(|p| p.get(name));
            let mut d = Diagnostic::new(Code::MissingKey, format!("missing key `{name}` {in_table}"))
                .at(file, span)
                .label(format!("`{name}` is required here"));
            if let Some(prop) = prop {
                let values = resolve(prop, root_schema).get("enum").and_then(Value::as_array);
                let desc = prop.get("description").or_else(|| resolve(prop, root_schema).get("description"));
                d = match (values, desc.and_then(Value::as_str)) {
                    (Some(values), _) => {
                        let names: Vec<&str> = values.iter().filter_map(Value::as_str).collect();
                        d.hint(format!("add `{name} = \"…\"`, one of: {}", names.join(", ")))
                    }
                    (None, Some(desc)) => d.hint(format!("add `{name} = …`: {}", first_sentence(desc))),
                    (None, None) => d,
                };
            }
            vec![d]
        }
        K::Type { kind } => {
            let expected = expected_words(kind);
            let found = located.map(|l| l.kind()).unwrap_or("another type");
            if found == "a float" && instance.is_string() {
                // TOML's nan and inf have no JSON form; they arrive here as strings.
                return vec![
                    Diagnostic::new(
                        Code::InvalidFormat,
                        format!(
                            "`{path}` must be a finite number, found `{}`",
                            instance.as_str().unwrap_or_default()
                        ),
                    )
                    .at(file, value_span)
                    .label("not a finite number"),
                ];
            }
            let mut d =
                Diagnostic::new(Code::WrongType, format!("`{path}` must be {expected}, found {found}"))
                    .at(file, value_span)
                    .label(format!("expected {expected}"));
            if let Some(hint) = type_hint(instance, &expected, found) {
                d = d.hint(hint);
            }
            vec![d]
        }
        K::Enum { options } => {
            let allowed: Vec<&str> =
                options.as_array().map(|a| a.iter().filter_map(Value::as_str).collect()).unwrap_or_default();
            let shown = display_value(instance);
            let mut d = Diagnostic::new(Code::InvalidValue, format!("`{path}` cannot be {shown}"))
                .at(file, value_span)
                .label("not an allowed value");
            if let Some(s) = instance.as_str() {
                d = d.maybe_hint(did_you_mean(s, allowed.iter().copied()));
            }
            vec![d.note(format!("expected one of: {}", allowed.join(", ")))]
        }
        K::Pattern { .. } => {
            let shown = display_value(instance);
            let mut d = Diagnostic::new(Code::InvalidFormat, format!("`{path}` cannot be {shown}"))
                .at(file, value_span)
                .label("does not have the required form");
            if let Some(expected) = pattern_meaning(err.kind(), description) {
                d = d.note(expected);
            }
            if let Some(s) = instance.as_str()
                && is_id_schema(node_schema)
            {
                let slug = slugify(s);
                if !slug.is_empty() && slug != s {
                    d = d.hint(format!("try `{slug}`"));
                }
            }
            vec![d]
        }
        K::MaxLength { limit } => {
            let length = instance.as_str().map_or(0, |s| s.chars().count());
            let shown: String = instance.as_str().unwrap_or_default().chars().take(40).collect();
            let is_id = is_id_schema(node_schema.map(|s| resolve(s, root_schema)));
            let what = if is_id { "an id" } else { "the value" };
            let mut d = Diagnostic::new(
                Code::InvalidFormat,
                format!("`{path}` is too long for {what}: {length} characters, at most {limit}"),
            )
            .at(file, value_span)
            .label(format!("{length} characters, at most {limit}"))
            .note(format!("the value starts `{shown}…`"));
            if is_id {
                d = d.hint(format!(
                    "shorten the id to at most {limit} characters: ids name files and folders, so their length is limited"
                ));
            }
            vec![d]
        }
        K::Format { format } => {
            let shown = display_value(instance);
            let d = if format == "date" {
                Diagnostic::new(Code::InvalidDate, format!("`{path}` must be a date, found {shown}"))
                    .at(file, value_span)
                    .label("expected a date such as 2026-03-02")
                    .hint("write a TOML local date without quotes, time or time zone: `date = 2026-03-02`")
            } else {
                Diagnostic::new(Code::InvalidFormat, format!("`{path}` is not a valid {format}: {shown}"))
                    .at(file, value_span)
            };
            vec![d]
        }
        K::Minimum { limit } | K::ExclusiveMinimum { limit } => vec![
            Diagnostic::new(
                Code::InvalidFormat,
                format!("`{path}` must be at least {limit}, found {}", display_value(instance)),
            )
            .at(file, value_span)
            .label("too small"),
        ],
        K::Maximum { limit } | K::ExclusiveMaximum { limit } => vec![
            Diagnostic::new(
                Code::InvalidFormat,
                format!("`{path}` must be at most {limit}, found {}", display_value(instance)),
            )
            .at(file, value_span)
            .label("too large"),
        ],
        _ => vec![Diagnostic::new(Code::InvalidFormat, format!("`{path}`: {err}")).at(file, value_span)],
    }
}

/// When the path could not be found in the tree, treat numeric segments as indexes.
fn guess_segments(pointer: &[String]) -> Vec<Seg> {
    pointer.iter().map(|s| s.parse().map(Seg::Index).unwrap_or_else(|_| Seg::Key(s.clone()))).collect()
}

fn is_id_schema(node: Option<&Value>) -> bool {
    node.and_then(|n| n.get("pattern")).and_then(Value::as_str) == Some(crate::model::ID_PATTERN)
}

fn expected_words(kind: &jsonschema::error::TypeKind) -> String {
    use jsonschema::error::TypeKind;
    let word = |t: &jsonschema::JsonType| -> &'static str {
        match t.to_string().as_str() {
            "string" => "a string",
            "integer" => "an integer",
            "number" => "a number",
            "boolean" => "a boolean (true or false)",
            "array" => "an array",
            "object" => "a table",
            _ => "another type",
        }
    };
    match kind {
        TypeKind::Single(t) => word(t).to_owned(),
        TypeKind::Multiple(ts) => ts.iter().map(|t| word(&t)).collect::<Vec<_>>().join(" or "),
    }
}

fn type_hint(instance: &Value, expected: &str, found: &str) -> Option<String> {
    let s = instance.as_str();
    match (expected, found) {
        ("an integer", "a string") if s.is_some_and(|s| s.trim().parse::<i64>().is_ok()) => {
            Some(format!("remove the quotes: {}", s.unwrap_or_default().trim()))
        }
        ("a boolean (true or false)", "a string") => {
            Some("write `true` or `false`, without quotes".to_owned())
        }
        ("a string", "a date" | "a date-time" | "a time" | "an integer" | "a float" | "a boolean") => {
            Some("put the value in double quotes".to_owned())
        }
        ("an array", "a string") => Some(format!("write a list: [{}]", instance)),
        _ => None,
    }
}

fn display_value(v: &Value) -> String {
    match v {
        Value::String(s) => format!("`{s}`"),
        other => format!("`{other}`"),
    }
}

/// The first sentence of a description (not cut at "e.g." or "i.e.").
fn first_sentence(s: &str) -> &str {
    let mut from = 0;
    while let Some(i) = s[from..].find(". ").map(|i| from + i) {
        let before = &s[..i];
        if !(before.ends_with("e.g") || before.ends_with("i.e") || before.ends_with("etc")) {
            return &s[..i];
        }
        from = i + 2;
    }
    s.trim_end_matches('.')
}

/// What a pattern asks for, in words.
fn pattern_meaning(
    kind: &jsonschema::error::ValidationErrorKind,
    description: Option<&str>,
) -> Option<String> {
    let jsonschema::error::ValidationErrorKind::Pattern { pattern } = kind else {
        return None;
    };
    let meaning = match pattern.as_str() {
        p if p == crate::model::ID_PATTERN => {
            "an id: lower-case letters, digits, `.`, `_` and `-`, starting with a letter or digit"
        }
        r"^[^@\s]+@[^@\s]+$" => "an e-mail address such as ana@example.com",
        r"^[0-9a-f]{64}$" => "a SHA-256 hash: 64 lower-case hexadecimal digits",
        r"^https?://\S+$" => "an http:// or https:// address without spaces",
        r"^\S+$" => "a value without spaces",
        _ => return description.map(|d| format!("expected: {}", first_sentence(d))),
    };
    Some(format!("expected {meaning}"))
}

/// Follows `$ref`s to `#/$defs/...`.
fn resolve<'s>(mut schema: &'s Value, root: &'s Value) -> &'s Value {
    for _ in 0..16 {
        match schema.get("$ref").and_then(Value::as_str).and_then(|r| r.strip_prefix('#')) {
            Some(pointer) => match root.pointer(pointer) {
                Some(target) => schema = target,
                None => break,
            },
            None => break,
        }
    }
    schema
}

/// The schema that governs the value at `pointer`.
fn schema_at<'s>(root: &'s Value, pointer: &[String]) -> Option<&'s Value> {
    let mut node = resolve(root, root);
    for seg in pointer {
        node = resolve(node, root);
        let next = node
            .get("properties")
            .and_then(|p| p.get(seg))
            .or_else(|| node.get("items"))
            .or_else(|| node.get("additionalProperties").filter(|a| a.is_object()))?;
        node = next;
    }
    Some(node)
}

fn property_names(schema: &Value, root: &Value) -> Vec<String> {
    resolve(schema, root)
        .get("properties")
        .and_then(Value::as_object)
        .map(|p| p.keys().cloned().collect())
        .unwrap_or_default()
}
