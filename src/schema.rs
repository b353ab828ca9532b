//! `groupfit schema`: a JSON Schema of the tree format, derived from the loader's own serde types
//! so that it cannot drift from what the loader accepts.
//!
//! Editors that read JSON Schema for TOML (taplo: VS Code's Even Better TOML, Helix, Neovim) use it
//! to complete keys and flag typos as the file is typed.

use schemars::generate::SchemaSettings;
use schemars::{JsonSchema, Schema};
use serde_json::{Value, json};

use crate::tree::raw::{RawOption, RawOutcome, RawQuestion, RawScenario, RawTreeHeader};

/// A question tree for groupfit: which kind of group to look for, and why.
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "groupfit question tree")]
#[allow(dead_code)] // never built: only its schema is used
struct TreeFile {
    /// Once, at the top: the title, version, first question and closing lines.
    tree: RawTreeHeader,
    /// One block per question, followed by its options as [[question.option]].
    #[serde(default)]
    question: Vec<RawQuestion>,
    /// One block per kind of group, and one for each danger on the safety screen.
    #[serde(default)]
    outcome: Vec<RawOutcome>,
    /// Regression cases: these answers must lead to this outcome.
    #[serde(default)]
    scenario: Vec<RawScenario>,
}

/// The schema (JSON Schema draft-07, which taplo reads) of the tree format.
pub fn tree_schema() -> Schema {
    let mut generator = SchemaSettings::draft07().into_generator();
    // The options are read table by table rather than by serde, so the question's type skips
    // them; they are put back here from the option's own type.
    let option = generator.subschema_for::<RawOption>();
    let mut schema = generator.into_root_schema_for::<TreeFile>();
    if let Some(Value::Object(question)) = schema
        .get_mut("definitions")
        .and_then(|d| d.get_mut("RawQuestion"))
        && let Some(Value::Object(properties)) = question.get_mut("properties")
    {
        properties.insert(
            "option".to_owned(),
            json!({
                "description": "The answers this question offers: at least two.",
                "type": "array",
                "items": option.to_value(),
                "minItems": 2
            }),
        );
        if let Some(Value::Array(required)) = question.get_mut("required") {
            required.push(json!("option"));
        }
    }
    let mut value = schema.to_value();
    without_null(&mut value);
    Schema::try_from(value).unwrap_or_default()
}

/// TOML has no null, so an optional key is one left out, never one that may be null: `"null"`
/// is taken out of every `type` list (serde's `Option` puts it there).
fn without_null(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if let Some(Value::Array(types)) = map.get_mut("type") {
                types.retain(|t| t != "null");
                if let [only] = types.as_slice() {
                    let only = only.clone();
                    map.insert("type".to_owned(), only);
                }
            }
            if let Some(Value::Array(alternatives)) = map.get_mut("anyOf") {
                alternatives.retain(|a| *a != json!({ "type": "null" }));
                if alternatives.len() == 1 {
                    // `allOf` keeps the description beside the `$ref` in draft-07.
                    let only = alternatives.clone();
                    map.remove("anyOf");
                    map.insert("allOf".to_owned(), Value::Array(only));
                }
            }
            map.values_mut().for_each(without_null);
        }
        Value::Array(items) => items.iter_mut().for_each(without_null),
        _ => {}
    }
}

/// The schema as pretty JSON, as `groupfit schema` prints it.
pub fn to_json() -> String {
    format!(
        "{}\n",
        serde_json::to_string_pretty(&tree_schema()).unwrap_or_default()
    )
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    fn names(value: Option<&Value>) -> BTreeSet<String> {
        match value {
            Some(Value::Object(map)) => map.keys().cloned().collect(),
            Some(Value::Array(items)) => items
                .iter()
                .filter_map(|i| i.as_str().map(str::to_owned))
                .collect(),
            _ => BTreeSet::new(),
        }
    }

    fn set(keys: &[&str]) -> BTreeSet<String> {
        keys.iter().map(|&k| k.to_owned()).collect()
    }

    /// The loader's own lists of allowed and required keys are what the schema says, table by
    /// table: a key added to the loader and not to the schema (or the reverse) fails here.
    #[test]
    fn every_table_has_exactly_the_keys_the_loader_accepts() {
        let schema = tree_schema().to_value();
        assert_eq!(
            names(schema.get("properties")),
            set(crate::tree::raw::TOP_KEYS)
        );
        let tables: [(&str, &[&str], &[&str]); 5] = [
            (
                "RawTreeHeader",
                RawTreeHeader::KEYS,
                RawTreeHeader::REQUIRED,
            ),
            ("RawQuestion", RawQuestion::KEYS, RawQuestion::REQUIRED),
            ("RawOption", RawOption::KEYS, RawOption::REQUIRED),
            ("RawOutcome", RawOutcome::KEYS, RawOutcome::REQUIRED),
            ("RawScenario", RawScenario::KEYS, RawScenario::REQUIRED),
        ];
        for (name, keys, required) in tables {
            let table = &schema["definitions"][name];
            assert_eq!(names(table.get("properties")), set(keys), "{name}");
            let mut required = set(required);
            if name == "RawQuestion" {
                // Fewer than two options is an error of the loader's own.
                required.insert("option".to_owned());
            }
            assert_eq!(names(table.get("required")), required, "{name}");
            assert_eq!(table["additionalProperties"], json!(false), "{name}");
        }
        for key in [
            "safety",
            "provisional",
            "urgent_closing",
            "ask_all",
            "record",
            "also",
            "also_intake",
            "also_none",
            "intake_label",
            "change",
            "where_to_look",
            "keep_in_mind",
            "alone",
            "steps",
            "when_you_call",
        ] {
            assert!(to_json().contains(&format!("\"{key}\"")), "{key}");
        }
    }

    #[test]
    fn no_key_may_be_null() {
        assert!(!to_json().contains("null"));
    }
}
