//! The JSON Schemas of the file formats.
//!
//! They are generated from the model types (`generate`), checked into
//! `schemas/` (a test fails when they drift), embedded in the binary, and
//! compiled once per run for validation.

use std::sync::OnceLock;

use schemars::generate::SchemaSettings;
use schemars::transform::{Transform, transform_subschemas};
use schemars::{JsonSchema, Schema};
use serde_json::Value;

use crate::model::{Action, ActionState, Assessment, Config, Template};

/// The kinds of files in a compliance repository.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, clap::ValueEnum)]
pub(crate) enum FileKind {
    /// `evident.toml`
    Config,
    /// `templates/<id>.toml`
    Template,
    /// `actions/<id>.toml`
    Action,
    /// `assessments/<id>/assessment.toml`
    Assessment,
    /// `assessments/<id>/<action>.toml`
    State,
    /// The mapping file of `evident import oscal --mapping`
    OscalMapping,
}

impl FileKind {
    pub(crate) const ALL: [FileKind; 6] = [
        FileKind::Config,
        FileKind::Template,
        FileKind::Action,
        FileKind::Assessment,
        FileKind::State,
        FileKind::OscalMapping,
    ];

    pub(crate) fn name(self) -> &'static str {
        match self {
            FileKind::Config => "config",
            FileKind::Template => "template",
            FileKind::Action => "action",
            FileKind::Assessment => "assessment",
            FileKind::State => "state",
            FileKind::OscalMapping => "oscal-mapping",
        }
    }

    /// File name of the schema in `schemas/`.
    pub(crate) fn schema_file(self) -> String {
        format!("{}.schema.json", self.name())
    }

    /// The schema text embedded in the binary.
    pub(crate) fn schema_text(self) -> &'static str {
        match self {
            FileKind::Config => include_str!("../schemas/config.schema.json"),
            FileKind::Template => include_str!("../schemas/template.schema.json"),
            FileKind::Action => include_str!("../schemas/action.schema.json"),
            FileKind::Assessment => include_str!("../schemas/assessment.schema.json"),
            FileKind::State => include_str!("../schemas/state.schema.json"),
            FileKind::OscalMapping => include_str!("../schemas/oscal-mapping.schema.json"),
        }
    }

    /// The parsed embedded schema.
    pub(crate) fn schema(self) -> &'static Value {
        static SCHEMAS: OnceLock<Vec<Value>> = OnceLock::new();
        let all = SCHEMAS.get_or_init(|| {
            FileKind::ALL
                .iter()
                .map(|k| serde_json::from_str(k.schema_text()).expect("embedded schema is valid JSON"))
                .collect()
        });
        &all[self as usize]
    }

    /// The compiled validator of the embedded schema.
    pub(crate) fn validator(self) -> &'static jsonschema::Validator {
        static VALIDATORS: OnceLock<Vec<jsonschema::Validator>> = OnceLock::new();
        let all = VALIDATORS.get_or_init(|| {
            FileKind::ALL
                .iter()
                .map(|k| {
                    jsonschema::options()
                        .with_draft(jsonschema::Draft::Draft202012)
                        .should_validate_formats(true)
                        .build(k.schema())
                        .expect("embedded schema compiles")
                })
                .collect()
        });
        &all[self as usize]
    }

    /// Generates the schema from the Rust types (the source of truth).
    pub(crate) fn generate(self) -> Value {
        let schema = match self {
            FileKind::Config => generate::<Config>(),
            FileKind::Template => generate::<Template>(),
            FileKind::Action => generate::<Action>(),
            FileKind::Assessment => generate::<Assessment>(),
            FileKind::State => generate::<ActionState>(),
            FileKind::OscalMapping => generate::<crate::oscal::mapping::Mapping>(),
        };
        schema.to_value()
    }
}

#[cfg(test)]
/// The JSON outputs of the commands (`--format json`), whose schemas are
/// generated from `render::json` and checked into `schemas/output/`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum OutputKind {
    /// `evident score --format json`
    Score,
    /// `evident list actions --format json`
    List,
    /// `evident alerts --format json`
    Alerts,
    /// `evident alerts --send --format json`
    AlertsSend,
    /// `evident history --format json`
    History,
    /// `evident history --scores --format json`
    HistoryScores,
    /// `evident diff --format json`
    Diff,
    /// `evident updates --format json`
    Updates,
    /// `evident validate --format json` and `evident check --format json`
    Check,
    /// `evident import actions --format json`
    ImportActions,
    /// `evident import template --format json`
    ImportTemplate,
    /// `evident import oscal --format json`
    ImportOscal,
    /// `evident trust list --format json`
    TrustList,
    /// `evident import ciso-assistant --format json`
    ImportCiso,
    /// `evident import mapping --format json`
    ImportMapping,
    /// `evident list controls --format json`
    ListControls,
    /// `evident library list --format json`
    LibraryList,
    /// `evident set|assign|evidence add|evidence remove|accept|new|sync|library add|trust add --format json`
    Changes,
    /// `evident test --format json`
    Test,
}

#[cfg(test)]
impl OutputKind {
    pub(crate) const ALL: [OutputKind; 19] = [
        OutputKind::Score,
        OutputKind::List,
        OutputKind::Alerts,
        OutputKind::AlertsSend,
        OutputKind::History,
        OutputKind::HistoryScores,
        OutputKind::Diff,
        OutputKind::Updates,
        OutputKind::Check,
        OutputKind::ImportActions,
        OutputKind::ImportTemplate,
        OutputKind::ImportOscal,
        OutputKind::TrustList,
        OutputKind::ImportCiso,
        OutputKind::ImportMapping,
        OutputKind::ListControls,
        OutputKind::LibraryList,
        OutputKind::Changes,
        OutputKind::Test,
    ];

    pub(crate) fn name(self) -> &'static str {
        match self {
            OutputKind::Score => "score",
            OutputKind::List => "list",
            OutputKind::Alerts => "alerts",
            OutputKind::AlertsSend => "alerts-send",
            OutputKind::History => "history",
            OutputKind::HistoryScores => "history-scores",
            OutputKind::Diff => "diff",
            OutputKind::Updates => "updates",
            OutputKind::Check => "check",
            OutputKind::ImportActions => "import-actions",
            OutputKind::ImportTemplate => "import-template",
            OutputKind::ImportOscal => "import-oscal",
            OutputKind::TrustList => "trust-list",
            OutputKind::ImportCiso => "import-ciso-assistant",
            OutputKind::ImportMapping => "import-mapping",
            OutputKind::ListControls => "list-controls",
            OutputKind::LibraryList => "library-list",
            OutputKind::Changes => "changes",
            OutputKind::Test => "test",
        }
    }

    /// File name of the schema in `schemas/output/`.
    pub(crate) fn schema_file(self) -> String {
        format!("{}.schema.json", self.name())
    }

    /// The schema text embedded in the binary.
    pub(crate) fn schema_text(self) -> &'static str {
        match self {
            OutputKind::Score => include_str!("../schemas/output/score.schema.json"),
            OutputKind::List => include_str!("../schemas/output/list.schema.json"),
            OutputKind::Alerts => include_str!("../schemas/output/alerts.schema.json"),
            OutputKind::AlertsSend => include_str!("../schemas/output/alerts-send.schema.json"),
            OutputKind::History => include_str!("../schemas/output/history.schema.json"),
            OutputKind::HistoryScores => include_str!("../schemas/output/history-scores.schema.json"),
            OutputKind::Diff => include_str!("../schemas/output/diff.schema.json"),
            OutputKind::Updates => include_str!("../schemas/output/updates.schema.json"),
            OutputKind::Check => include_str!("../schemas/output/check.schema.json"),
            OutputKind::ImportActions => include_str!("../schemas/output/import-actions.schema.json"),
            OutputKind::ImportTemplate => include_str!("../schemas/output/import-template.schema.json"),
            OutputKind::ImportOscal => include_str!("../schemas/output/import-oscal.schema.json"),
            OutputKind::TrustList => include_str!("../schemas/output/trust-list.schema.json"),
            OutputKind::ImportCiso => include_str!("../schemas/output/import-ciso-assistant.schema.json"),
            OutputKind::ImportMapping => include_str!("../schemas/output/import-mapping.schema.json"),
            OutputKind::ListControls => include_str!("../schemas/output/list-controls.schema.json"),
            OutputKind::LibraryList => include_str!("../schemas/output/library-list.schema.json"),
            OutputKind::Changes => include_str!("../schemas/output/changes.schema.json"),
            OutputKind::Test => include_str!("../schemas/output/test.schema.json"),
        }
    }

    /// Generates the schema from the output types (the source of truth).
    pub(crate) fn generate(self) -> Value {
        use crate::render::json::{
            AlertsOutput, CheckOutput, DiffOutput, HistoryOutput, HistoryScoresOutput, ImportActionsOutput,
            ImportCisoOutput, ImportMappingOutput, ImportOscalOutput, ImportTemplateOutput,
            ListControlsOutput, ListOutput, ScoreOutput, TrustListOutput, UpdatesOutput,
        };
        // The commands that refuse a repository with errors print its diagnostics instead.
        let schema = match self {
            OutputKind::Score => refusable::<ScoreOutput>(),
            OutputKind::List => refusable::<ListOutput>(),
            OutputKind::Alerts => refusable::<AlertsOutput>(),
            OutputKind::AlertsSend => refusable::<crate::notify::SendOutput>(),
            OutputKind::History => generate_output::<HistoryOutput>(),
            OutputKind::HistoryScores => generate_output::<HistoryScoresOutput>(),
            OutputKind::Diff => generate_output::<DiffOutput<'static>>(),
            OutputKind::Updates => refusable::<UpdatesOutput<'static>>(),
            OutputKind::Check => generate_output::<CheckOutput>(),
            OutputKind::ImportActions => refusable::<ImportActionsOutput>(),
            OutputKind::ImportTemplate => refusable::<ImportTemplateOutput>(),
            OutputKind::ImportOscal => refusable::<ImportOscalOutput>(),
            OutputKind::TrustList => generate_output::<TrustListOutput>(),
            OutputKind::ImportCiso => refusable::<ImportCisoOutput>(),
            OutputKind::ImportMapping => refusable::<ImportMappingOutput>(),
            OutputKind::ListControls => refusable::<ListControlsOutput>(),
            OutputKind::LibraryList => generate_output::<crate::render::json::LibraryListOutput>(),
            OutputKind::Changes => refusable::<crate::render::json::ChangesOutput>(),
            OutputKind::Test => refusable::<crate::automation::Summary>(),
        };
        schema.to_value()
    }
}

#[cfg(test)]
/// The schema of what evident writes: `null` is a value here (JSON has it).
fn generate_output<T: JsonSchema>() -> Schema {
    SchemaSettings::draft2020_12().for_serialize().into_generator().into_root_schema_for::<T>()
}

#[cfg(test)]
/// The schema of a command that refuses a repository with errors: its output
/// or the diagnostics, each a shared definition.
fn refusable<T: JsonSchema>() -> Schema {
    let mut schema = generate_output::<crate::render::json::OrRefused<T>>();
    schema.insert("title".into(), format!("{} or refusal", T::schema_name()).into());
    schema
}

fn generate<T: JsonSchema>() -> Schema {
    SchemaSettings::draft2020_12()
        .for_deserialize()
        .with_transform(NoNull)
        .into_generator()
        .into_root_schema_for::<T>()
}

/// Makes schemas fit TOML and editors. TOML has no null: `Option<T>` means "may be absent", not "may be null".
/// Removes the `null` alternatives schemars adds, which would otherwise make
/// editors offer `null` and turn simple type errors into `anyOf` errors.
#[derive(Clone)]
struct NoNull;

impl Transform for NoNull {
    fn transform(&mut self, schema: &mut Schema) {
        if let Some(obj) = schema.as_object_mut() {
            if let Some(Value::Array(types)) = obj.get_mut("type") {
                types.retain(|t| t != "null");
                if types.len() == 1 {
                    let only = types.remove(0);
                    obj.insert("type".into(), only);
                }
            }
            if let Some(Value::Array(options)) = obj.get("anyOf") {
                let rest: Vec<Value> =
                    options.iter().filter(|o| o.get("type") != Some(&Value::from("null"))).cloned().collect();
                if rest.len() == 1 && options.len() == 2 {
                    obj.remove("anyOf");
                    if let Value::Object(inner) = &rest[0] {
                        for (k, v) in inner {
                            obj.entry(k.clone()).or_insert(v.clone());
                        }
                    }
                }
            }
            if obj.get("default") == Some(&Value::Null) {
                obj.remove("default");
            }
            // Integer width formats ("uint32") are not JSON Schema formats; editors flag
            // them. Their upper bound is what matters to a user.
            if obj.get("format").and_then(Value::as_str) == Some("uint32") {
                obj.insert("maximum".into(), Value::from(u32::MAX));
            }
            if obj
                .get("format")
                .and_then(Value::as_str)
                .is_some_and(|f| f.starts_with("int") || f.starts_with("uint"))
            {
                obj.remove("format");
            }
            // Doc comments wrap lines; descriptions read better unwrapped.
            if let Some(Value::String(d)) = obj.get_mut("description") {
                *d = d.split("\n\n").map(|p| p.replace('\n', " ")).collect::<Vec<_>>().join("\n\n");
            }
        }
        transform_subschemas(self, schema);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The checked-in schemas must be exactly what the types generate.
    /// Regenerate with `cargo run -- schema --write schemas`.
    #[test]
    fn checked_in_schemas_match_the_types() {
        for kind in FileKind::ALL {
            let generated = serde_json::to_string_pretty(&kind.generate()).unwrap() + "\n";
            assert_eq!(
                generated,
                kind.schema_text(),
                "schemas/{} is stale: run `cargo run -- schema --write schemas`",
                kind.schema_file()
            );
        }
    }

    /// The checked-in output schemas must be exactly what the output types
    /// generate. Regenerate with `UPDATE_SCHEMAS=1 cargo test --lib output_schemas`.
    #[test]
    fn checked_in_output_schemas_match_the_types() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas/output");
        let update = std::env::var_os("UPDATE_SCHEMAS").is_some_and(|v| v == "1");
        let mut stale = Vec::new();
        for kind in OutputKind::ALL {
            let generated = serde_json::to_string_pretty(&kind.generate()).unwrap() + "\n";
            if update {
                std::fs::write(dir.join(kind.schema_file()), &generated).unwrap();
            } else if generated != kind.schema_text() {
                stale.push(kind.schema_file());
            }
        }
        assert!(
            stale.is_empty(),
            "schemas/output/{} stale: run `UPDATE_SCHEMAS=1 cargo test --lib output_schemas`",
            stale.join(", ")
        );
    }

    #[test]
    fn output_schemas_compile() {
        for kind in OutputKind::ALL {
            let schema: Value = serde_json::from_str(kind.schema_text()).unwrap();
            jsonschema::options().with_draft(jsonschema::Draft::Draft202012).build(&schema).unwrap();
        }
    }

    #[test]
    fn schemas_compile() {
        for kind in FileKind::ALL {
            kind.validator();
        }
    }
}
