//! `groupfit schema` against the fixtures and the built-in tree: every tree the loader accepts is
//! valid under the schema, and the trees with unknown keys are not.
//!
//! The schema uses a small part of JSON Schema (type, properties, required, additionalProperties,
//! items, minItems, anyOf, allOf, $ref); the checks below follow exactly that part.

#![allow(clippy::unwrap_used)]

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

fn schema() -> Value {
    let output = Command::cargo_bin("groupfit")
        .unwrap()
        .arg("schema")
        .output()
        .unwrap();
    assert!(output.status.success());
    serde_json::from_slice(&output.stdout).unwrap()
}

fn as_json(toml_text: &str) -> Value {
    let value: toml::Value = toml::from_str(toml_text).unwrap();
    serde_json::to_value(value).unwrap()
}

/// Where `value` breaks `schema`, as JSON-pointer-like paths with the reason; empty when valid.
fn problems(root: &Value, schema: &Value, value: &Value, at: &str, out: &mut Vec<String>) {
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        let name = reference.trim_start_matches("#/definitions/");
        problems(root, &root["definitions"][name], value, at, out);
    }
    if let Some(kind) = schema.get("type").and_then(Value::as_str) {
        let fits = match kind {
            "object" => value.is_object(),
            "array" => value.is_array(),
            "string" => value.is_string(),
            "integer" => value.is_i64() || value.is_u64(),
            "boolean" => value.is_boolean(),
            other => panic!("type '{other}' is not handled here"),
        };
        if !fits {
            out.push(format!("{at}: not {kind}"));
            return;
        }
    }
    if let Some(all) = schema.get("allOf").and_then(Value::as_array) {
        for part in all {
            problems(root, part, value, at, out);
        }
    }
    if let Some(any) = schema.get("anyOf").and_then(Value::as_array) {
        let fits = any.iter().any(|part| {
            let mut inner = Vec::new();
            problems(root, part, value, at, &mut inner);
            inner.is_empty()
        });
        if !fits {
            out.push(format!("{at}: fits none of the alternatives"));
        }
    }
    if let Value::Object(map) = value {
        let properties = schema.get("properties").and_then(Value::as_object);
        for required in schema
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let required = required.as_str().unwrap();
            if !map.contains_key(required) {
                out.push(format!("{at}: missing '{required}'"));
            }
        }
        for (key, item) in map {
            let here = format!("{at}/{key}");
            match properties.and_then(|p| p.get(key)) {
                Some(property) => problems(root, property, item, &here, out),
                None => match schema.get("additionalProperties") {
                    Some(Value::Bool(false)) => out.push(format!("{here}: unknown key")),
                    Some(extra @ Value::Object(_)) => problems(root, extra, item, &here, out),
                    _ => {}
                },
            }
        }
    }
    if let Value::Array(items) = value {
        if let Some(least) = schema.get("minItems").and_then(Value::as_u64)
            && (items.len() as u64) < least
        {
            out.push(format!("{at}: fewer than {least} items"));
        }
        if let Some(each) = schema.get("items") {
            for (n, item) in items.iter().enumerate() {
                problems(root, each, item, &format!("{at}/{n}"), out);
            }
        }
    }
}

fn validate(schema: &Value, text: &str) -> Vec<String> {
    let mut out = Vec::new();
    problems(schema, schema, &as_json(text), "", &mut out);
    out
}

fn fixtures(kind: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(kind);
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    files
}

#[test]
fn every_valid_fixture_and_the_built_in_tree_fit_the_schema() {
    let schema = schema();
    for file in fixtures("valid") {
        let problems = validate(&schema, &fs::read_to_string(&file).unwrap());
        assert!(problems.is_empty(), "{}: {problems:?}", file.display());
    }
    let problems = validate(&schema, groupfit::source::BUILTIN_TREE);
    assert!(problems.is_empty(), "built-in tree: {problems:?}");
}

#[test]
fn unknown_keys_missing_keys_and_wrong_kinds_do_not_fit_the_schema() {
    let schema = schema();
    for (name, expected) in [
        ("unknown_key.toml", "/option/1/nxt: unknown key"),
        ("unknown_table.toml", "/outcomes: unknown key"),
        ("missing_key.toml", "missing 'label'"),
        ("wrong_type.toml", "not "),
    ] {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/invalid")
            .join(name);
        let problems = validate(&schema, &fs::read_to_string(&path).unwrap());
        assert!(
            problems.iter().any(|p| p.contains(expected)),
            "{name}: {problems:?}"
        );
    }
}
