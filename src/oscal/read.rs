//! Reading OSCAL JSON files: recognising what a file is (XML, YAML, another
//! OSCAL model, another OSCAL major version) before parsing it into the typed
//! model, so that every failure names the file, the place and the fix.

use std::path::Path;

use serde::de::DeserializeOwned;
use serde_json::Value;

use super::model::{Catalog, MODELS, Profile};
use crate::diag::{Code, Diagnostic, Report};

/// A parsed OSCAL document and the text it came from (for later diagnostics).
pub(crate) struct Read<T> {
    pub doc: T,
    /// The file as the user named it.
    pub file: String,
    pub text: String,
}

/// Reads an OSCAL catalog (a resolved profile is a catalog too).
pub(crate) fn catalog(path: &Path) -> Result<Read<Catalog>, Report> {
    read(path, "catalog")
}

/// Reads an OSCAL profile.
pub(crate) fn profile(path: &Path) -> Result<Read<Profile>, Report> {
    read(path, "profile")
}

/// A report with one diagnostic about `file`, whose text is kept for snippets.
pub(crate) fn failure(file: &str, text: Option<&str>, d: Diagnostic) -> Report {
    let mut report = Report::default();
    if let Some(text) = text {
        report.sources.insert(file, text);
    }
    report.diagnostics.push(d);
    report
}

fn read<T: DeserializeOwned>(path: &Path, model: &str) -> Result<Read<T>, Report> {
    let file = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| {
        failure(
            &file,
            None,
            Diagnostic::new(Code::UnreadableFile, format!("could not read `{file}`: {e}")).in_file(&file),
        )
    })?;
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let d = Diagnostic::new(
                Code::OscalNotJson,
                format!("`{file}` is not UTF-8 text, so it is not OSCAL JSON"),
            )
            .in_file(&file)
            .note(format!("the first invalid byte is at offset {at}"));
            return Err(failure(&file, None, d));
        }
    };
    let body = text.trim_start_matches('\u{feff}');
    let start = text.len() - body.trim_start().len();
    let trimmed = body.trim_start();
    if trimmed.starts_with('<') {
        let d = Diagnostic::new(Code::OscalNotJson, format!("`{file}` is XML; evident reads OSCAL JSON"))
            .at(&file, start..start + trimmed.find('>').map_or(1, |i| i + 1))
            .label("an XML document starts here")
            .hint(format!(
                "use the JSON edition of the same {model} (NIST publishes OSCAL content as XML, JSON and YAML), or convert it: `oscal-cli {model} convert --to json {file} {}`",
                json_name(path)
            ));
        return Err(failure(&file, Some(&text), d));
    }
    let value: Value = match serde_json::from_str(&text) {
        Ok(v) => v,
        Err(e) => {
            let offset = offset_of(&text, e.line(), e.column());
            let yaml = trimmed.starts_with("---") || trimmed.starts_with(&format!("{model}:"));
            let hint = if yaml {
                format!(
                    "this looks like YAML; use the JSON edition, or convert it: `oscal-cli {model} convert --to json {file} {}`",
                    json_name(path)
                )
            } else {
                "OSCAL files are JSON documents (https://pages.nist.gov/OSCAL/); check the file is complete"
                    .to_owned()
            };
            let d = Diagnostic::new(
                Code::OscalNotJson,
                format!("`{file}` is not valid JSON: {}", bare_message(&e)),
            )
            .at(&file, offset..offset)
            .hint(hint);
            return Err(failure(&file, Some(&text), d));
        }
    };
    check_envelope(&file, &text, &value, model)?;
    drop(value);
    let mut de = serde_json::Deserializer::from_str(&text);
    let wrapped: Result<Envelope<T>, _> = serde_path_to_error::deserialize(&mut de);
    match wrapped {
        Ok(env) => Ok(Read { doc: env.doc, file, text }),
        Err(e) => {
            let inner = e.inner();
            let offset = offset_of(&text, inner.line(), inner.column());
            let d = Diagnostic::new(
                Code::OscalInvalid,
                format!("`{file}` is not a valid OSCAL {model}: {}", bare_message(inner)),
            )
            .at(&file, offset..offset)
            .label(format!("at `{}`", e.path()))
            .note("evident reads the OSCAL 1.x JSON model; unknown fields are ignored, but the fields it uses must have their OSCAL types")
            .hint("check the file against NIST's OSCAL JSON schema (https://pages.nist.gov/OSCAL/resources/concepts/validation/)");
            Err(failure(&file, Some(&text), d))
        }
    }
}

/// `{"catalog": T}` or `{"profile": T}`: the root key is the model name.
struct Envelope<T> {
    doc: T,
}

impl<'de, T: DeserializeOwned> serde::Deserialize<'de> for Envelope<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(std::marker::PhantomData<T>);
        impl<'de, T: DeserializeOwned> serde::de::Visitor<'de> for V<T> {
            type Value = Envelope<T>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an OSCAL document")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut doc = None;
                while let Some(key) = map.next_key::<String>()? {
                    if MODELS.contains(&key.as_str()) && doc.is_none() {
                        doc = Some(map.next_value::<T>()?);
                    } else {
                        map.next_value::<serde::de::IgnoredAny>()?;
                    }
                }
                doc.map(|doc| Envelope { doc }).ok_or_else(|| serde::de::Error::custom("no OSCAL model"))
            }
        }
        d.deserialize_map(V(std::marker::PhantomData))
    }
}

/// Checks the root key is the wanted model and `oscal-version` is 1.x.
fn check_envelope(file: &str, text: &str, value: &Value, model: &str) -> Result<(), Report> {
    let root = value.as_object();
    let found: Vec<&str> = root
        .map(|o| o.keys().filter(|k| MODELS.contains(&k.as_str())).map(String::as_str).collect())
        .unwrap_or_default();
    if found.first() != Some(&model) {
        let message = match found.first() {
            Some(other) => format!("`{file}` is an OSCAL {other}, not a {model}"),
            None => format!("`{file}` is JSON but not an OSCAL document"),
        };
        let keys: Vec<String> =
            root.map(|o| o.keys().map(|k| format!("`{k}`")).collect()).unwrap_or_default();
        let mut d = Diagnostic::new(Code::OscalWrongModel, message)
            .in_file(file)
            .note(format!("an OSCAL {model} is a JSON object with one top-level key `{model}`"));
        d = match (root, found.first()) {
            (Some(_), Some(other)) => d.span(key_span(text, other)).label("this model"),
            (Some(_), None) if !keys.is_empty() => {
                d.note(format!("the top-level keys are {}", keys.join(", ")))
            }
            _ => d.note("the file's top level is not a JSON object"),
        };
        d = d.hint(if model == "catalog" {
            "pass an OSCAL catalog, or a resolved profile (itself a catalog), as `--catalog`; a profile goes to `--profile`"
        } else {
            "pass an OSCAL profile as `--profile`, or its resolved catalog as `--catalog` without `--profile`"
        });
        return Err(failure(file, Some(text), d));
    }
    let version = value.pointer(&format!("/{model}/metadata/oscal-version"));
    let Some(version) = version.and_then(Value::as_str) else {
        let d =
            Diagnostic::new(Code::OscalInvalid, format!("`{file}` has no `{model}.metadata.oscal-version`"))
                .in_file(file)
                .span(key_span(text, model))
                .note("every OSCAL document states the OSCAL version it follows in `metadata.oscal-version`");
        return Err(failure(file, Some(text), d));
    };
    let major = version.trim_start_matches('v').split('.').next().unwrap_or("");
    if major != "1" {
        let d = Diagnostic::new(
            Code::OscalVersion,
            format!("`{file}` is OSCAL {version}; evident reads OSCAL 1.x"),
        )
        .in_file(file)
        .span(value_span(text, "oscal-version"))
        .label(format!("OSCAL {version}"))
        .hint(if major == "0" {
            "pre-1.0 OSCAL (milestones and release candidates) changed incompatibly; get the 1.x edition of the content (NIST's oscal-content releases)"
        } else {
            "this OSCAL major version is newer than evident understands; use a 1.x edition of the content"
        });
        return Err(failure(file, Some(text), d));
    }
    Ok(())
}

/// The span of the first `"key"` in the text.
pub(crate) fn key_span(text: &str, key: &str) -> Option<std::ops::Range<usize>> {
    let quoted = format!("\"{key}\"");
    text.find(&quoted).map(|i| i..i + quoted.len())
}

/// The span of the string value of the first `"key": "value"` in the text.
pub(crate) fn value_span(text: &str, key: &str) -> Option<std::ops::Range<usize>> {
    let k = key_span(text, key)?;
    let rest = &text[k.end..];
    let open = k.end + rest.find('"')?;
    let close = open + 1 + text[open + 1..].find('"')?;
    Some(open..close + 1)
}

/// The span of the first string value equal to `value` (quoted) after `from`.
pub(crate) fn string_span(text: &str, value: &str, from: usize) -> Option<std::ops::Range<usize>> {
    let quoted = format!("\"{value}\"");
    text.get(from..)?.find(&quoted).map(|i| from + i..from + i + quoted.len())
}

/// Byte offset of a 1-based line and column (serde_json's columns count bytes).
fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let start: usize = text.split_inclusive('\n').take(line.saturating_sub(1)).map(str::len).sum();
    (start + column.saturating_sub(1)).min(text.len())
}

/// serde_json's message without its " at line X column Y" suffix (the snippet shows it).
fn bare_message(e: &serde_json::Error) -> String {
    let s = e.to_string();
    match s.rfind(" at line ") {
        Some(i) => s[..i].to_owned(),
        None => s,
    }
}

fn json_name(path: &Path) -> String {
    path.with_extension("json").file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}
