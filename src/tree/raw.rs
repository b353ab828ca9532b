//! The serde mirror of `questions.toml`: every table as written, with positions, before any meaning
//! is checked.
//!
//! The document is parsed once into toml's spanned tree; then each `[tree]`, `[[question]]`,
//! `[[question.option]]`, `[[outcome]]` and `[[scenario]]` is deserialised on its own, so that one bad
//! table does not hide the problems of the next. Keys are compared with the allowed and required
//! lists first, which lets every unknown or missing key be reported at once with a suggestion;
//! serde's `deny_unknown_fields` stays on as the last word.

use std::collections::BTreeMap;
use std::ops::Range;

use serde::Deserialize;
use serde::de::DeserializeOwned;
use toml::Spanned;
use toml::de::{DeTable, DeValue, ValueDeserializer};

use crate::diagnostic::{Diagnostic, did_you_mean};

pub type Text = Spanned<String>;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTreeHeader {
    pub title: Text,
    pub version: Text,
    pub start: Text,
    pub disclaimer: Text,
    pub fallback: Option<Text>,
}

impl RawTreeHeader {
    const KEYS: &[&str] = &["title", "version", "start", "disclaimer", "fallback"];
    const REQUIRED: &[&str] = &["title", "version", "start", "disclaimer"];
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawQuestion {
    pub id: Text,
    pub text: Text,
    pub intake: Option<Text>,
    pub help: Option<Text>,
    pub guidance: Option<Text>,
    /// Filled from the `[[question.option]]` tables, which are read one by one.
    #[serde(skip)]
    pub options: Vec<RawOption>,
    #[serde(skip)]
    pub span: Range<usize>,
    /// Where the `option` key (or, when it is missing, the question) is, for "fewer than two".
    #[serde(skip)]
    pub options_span: Range<usize>,
    /// How many `[[question.option]]` tables were written, counting ones with problems of their own.
    #[serde(skip)]
    pub option_tables: usize,
}

impl RawQuestion {
    const KEYS: &[&str] = &["id", "text", "intake", "help", "guidance", "option"];
    const REQUIRED: &[&str] = &["id", "text"];
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawOption {
    pub id: Text,
    pub label: Text,
    pub next: Option<Text>,
    pub outcome: Option<Text>,
    pub score: Option<BTreeMap<Text, Spanned<i64>>>,
    pub reason: Option<Text>,
    pub caveat: Option<Text>,
    pub note: Option<Text>,
    #[serde(skip)]
    pub span: Range<usize>,
}

impl RawOption {
    const KEYS: &[&str] = &[
        "id", "label", "next", "outcome", "score", "reason", "caveat", "note",
    ];
    const REQUIRED: &[&str] = &["id", "label"];
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawOutcome {
    pub id: Text,
    pub name: Text,
    #[serde(default)]
    pub urgent: bool,
    pub summary: Text,
    #[serde(default)]
    pub expect: Vec<String>,
    pub next_steps: Option<Text>,
    pub guidance: Option<Text>,
    #[serde(skip)]
    pub span: Range<usize>,
}

impl RawOutcome {
    const KEYS: &[&str] = &[
        "id",
        "name",
        "urgent",
        "summary",
        "expect",
        "next_steps",
        "guidance",
    ];
    const REQUIRED: &[&str] = &["id", "name", "summary"];
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawScenario {
    pub name: Text,
    pub answers: Spanned<BTreeMap<Text, Text>>,
    pub expect: Text,
    #[serde(skip)]
    pub span: Range<usize>,
}

impl RawScenario {
    const KEYS: &[&str] = &["name", "answers", "expect"];
    const REQUIRED: &[&str] = &["name", "answers", "expect"];
}

/// Everything read from one file; `None`/missing parts were reported in `diagnostics`.
#[derive(Debug, Default)]
pub struct RawDocument {
    pub header: Option<RawTreeHeader>,
    pub header_span: Option<Range<usize>>,
    pub questions: Vec<RawQuestion>,
    pub outcomes: Vec<RawOutcome>,
    pub scenarios: Vec<RawScenario>,
    pub diagnostics: Vec<Diagnostic>,
}

const TOP_KEYS: &[&str] = &["tree", "question", "outcome", "scenario"];

/// Reads a whole document, collecting every problem rather than stopping at the first.
pub fn read(text: &str) -> RawDocument {
    let (root, errors) = crate::tree::chunked::parse(text);
    let mut doc = RawDocument::default();
    for error in errors {
        doc.diagnostics.push(syntax_error(&error, text));
    }
    let root_span = root.span();
    let mut root = root.into_inner();

    for (key, _) in &root {
        if !TOP_KEYS.contains(&key.get_ref().as_ref()) {
            doc.diagnostics.push(Diagnostic::error(
                key.span(),
                format!(
                    "unknown top-level key '{}'{} (a tree has only [tree], [[question]], [[outcome]] and [[scenario]])",
                    key.get_ref(),
                    did_you_mean(key.get_ref(), TOP_KEYS.iter().copied())
                ),
            ));
        }
    }

    match root.remove("tree") {
        Some(value) => {
            doc.header_span = Some(value.span());
            if let Some(table) = expect_table(value, "[tree]", &mut doc.diagnostics) {
                doc.header = read_table::<RawTreeHeader>(
                    table,
                    "[tree]",
                    RawTreeHeader::KEYS,
                    RawTreeHeader::REQUIRED,
                    &mut doc.diagnostics,
                )
                .map(|(header, _)| header);
            }
        }
        None if doc.diagnostics.is_empty() => doc.diagnostics.push(Diagnostic::error(
            root_span.start..root_span.start,
            "the file has no [tree] table; add one with title, version, start and disclaimer",
        )),
        None => {}
    }

    for table in take_array(&mut root, "question", "[[question]]", &mut doc.diagnostics) {
        if let Some(question) = read_question(table, &mut doc.diagnostics) {
            doc.questions.push(question);
        }
    }
    for table in take_array(&mut root, "outcome", "[[outcome]]", &mut doc.diagnostics) {
        if let Some((mut outcome, span)) = read_table::<RawOutcome>(
            table,
            "[[outcome]]",
            RawOutcome::KEYS,
            RawOutcome::REQUIRED,
            &mut doc.diagnostics,
        ) {
            outcome.span = span;
            doc.outcomes.push(outcome);
        }
    }
    for table in take_array(&mut root, "scenario", "[[scenario]]", &mut doc.diagnostics) {
        if let Some((mut scenario, span)) = read_table::<RawScenario>(
            table,
            "[[scenario]]",
            RawScenario::KEYS,
            RawScenario::REQUIRED,
            &mut doc.diagnostics,
        ) {
            scenario.span = span;
            doc.scenarios.push(scenario);
        }
    }
    doc
}

fn read_question(
    mut table: Spanned<DeTable<'_>>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<RawQuestion> {
    let span = table.span();
    let options_value = table.get_mut().remove("option");
    let options_span = options_value.as_ref().map_or(span.clone(), |v| {
        // Point at the first option's header rather than at the whole array.
        v.get_ref()
            .as_array()
            .and_then(|a| a.iter().next())
            .map_or(v.span(), Spanned::span)
    });
    let mut options = Vec::new();
    let mut option_tables = 0;
    if let Some(value) = options_value {
        for option in array_of_tables(value, "[[question.option]]", diagnostics) {
            option_tables += 1;
            if let Some((mut raw, option_span)) = read_table::<RawOption>(
                option,
                "[[question.option]]",
                RawOption::KEYS,
                RawOption::REQUIRED,
                diagnostics,
            ) {
                raw.span = option_span;
                options.push(raw);
            }
        }
    }
    // Put the key back so the key check sees it as allowed rather than missing.
    let (mut question, span) = read_table::<RawQuestion>(
        table,
        "[[question]]",
        RawQuestion::KEYS,
        RawQuestion::REQUIRED,
        diagnostics,
    )?;
    question.options = options;
    question.span = span;
    question.options_span = options_span;
    question.option_tables = option_tables;
    Some(question)
}

/// Removes `key` from the root and returns its tables, reporting anything that is not an array of
/// tables.
fn take_array<'i>(
    root: &mut DeTable<'i>,
    key: &str,
    what: &str,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<Spanned<DeTable<'i>>> {
    match root.remove(key) {
        Some(value) => array_of_tables(value, what, diagnostics),
        None => Vec::new(),
    }
}

fn array_of_tables<'i>(
    value: Spanned<DeValue<'i>>,
    what: &str,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<Spanned<DeTable<'i>>> {
    let span = value.span();
    match value.into_inner() {
        DeValue::Array(items) => items
            .into_iter()
            .filter_map(|item| expect_table(item, what, diagnostics))
            .collect(),
        other => {
            diagnostics.push(Diagnostic::error(
                span,
                format!(
                    "expected {what} tables here, found {}; write each one under its own {what} header",
                    article(other.type_str())
                ),
            ));
            Vec::new()
        }
    }
}

fn expect_table<'i>(
    value: Spanned<DeValue<'i>>,
    what: &str,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Spanned<DeTable<'i>>> {
    let span = value.span();
    match value.into_inner() {
        DeValue::Table(table) => Some(Spanned::new(span, table)),
        other => {
            diagnostics.push(Diagnostic::error(
                span,
                format!(
                    "expected a {what} table, found {}",
                    article(other.type_str())
                ),
            ));
            None
        }
    }
}

/// Checks the keys of one table, then deserialises it; `None` when anything was wrong.
fn read_table<T: DeserializeOwned>(
    table: Spanned<DeTable<'_>>,
    what: &str,
    allowed: &[&str],
    required: &[&str],
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<(T, Range<usize>)> {
    let span = table.span();
    let before = diagnostics.len();
    let entries = table.get_ref();
    for (key, _) in entries {
        let name: &str = key.get_ref();
        if !allowed.contains(&name) {
            let hint = did_you_mean(name, allowed.iter().copied());
            let hint = if hint.is_empty() {
                format!("; the keys allowed here are {}", quoted_list(allowed))
            } else {
                hint
            };
            diagnostics.push(Diagnostic::error(
                key.span(),
                format!("unknown key '{name}' in {what}{hint}"),
            ));
        }
    }
    for &key in required {
        if entries.get(key).is_none() {
            let id = entries
                .get("id")
                .and_then(|v| v.get_ref().as_str())
                .map_or_else(String::new, |id| format!(" '{id}'"));
            diagnostics.push(Diagnostic::error(
                span.clone(),
                format!("{what}{id} is missing the required key '{key}'"),
            ));
        }
    }
    if diagnostics.len() > before {
        return None;
    }
    let value = Spanned::new(span.clone(), DeValue::Table(table.into_inner()));
    match T::deserialize(ValueDeserializer::from(value)) {
        Ok(parsed) => Some((parsed, span)),
        Err(error) => {
            let at = error.span().unwrap_or(span);
            diagnostics.push(Diagnostic::error(
                at,
                format!("in {what}: {}", plain_serde_message(error.message())),
            ));
            None
        }
    }
}

fn syntax_error(error: &toml::de::Error, text: &str) -> Diagnostic {
    let span = error.span().unwrap_or(0..0);
    let span = span.start.min(text.len())..span.end.min(text.len());
    let message = error.message().trim_end().replace('\n', " ");
    Diagnostic::error(span, format!("TOML syntax: {message}"))
}

/// Turns serde's type errors into words a clinician can act on.
fn plain_serde_message(message: &str) -> String {
    let message = message.trim_end().replace('\n', " ");
    let message = message
        .replace("invalid type: ", "wrong kind of value: found ")
        .replace(", expected a string", ", expected text in quotes")
        .replace(", expected i64", ", expected a whole number")
        .replace(", expected a boolean", ", expected true or false")
        .replace(
            ", expected a map",
            ", expected a table like { support = 2 }",
        )
        .replace(
            ", expected a sequence",
            ", expected a list like [\"...\", \"...\"]",
        );
    message.replace('`', "'")
}

fn article(type_name: &str) -> String {
    let first = type_name.chars().next().unwrap_or('x');
    if "aeiou".contains(first) {
        format!("an {type_name}")
    } else {
        format!("a {type_name}")
    }
}

fn quoted_list(keys: &[&str]) -> String {
    keys.iter()
        .map(|k| format!("'{k}'"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn messages(text: &str) -> Vec<String> {
        read(text)
            .diagnostics
            .into_iter()
            .map(|d| d.message)
            .collect()
    }

    #[test]
    fn every_allowed_key_is_accepted_by_serde() {
        let doc = read(
            r#"
[tree]
title = "t"
version = "1"
start = "q"
disclaimer = "d"
fallback = "a"

[[question]]
id = "q"
text = "?"
intake = "i"
help = "h"
guidance = "g"
  [[question.option]]
  id = "o"
  label = "l"
  next = "q"
  outcome = "a"
  score = { a = 1 }
  reason = "r"
  caveat = "c"
  note = "n"

[[outcome]]
id = "a"
name = "A"
urgent = true
summary = "s"
expect = ["e"]
next_steps = "n"
guidance = "g"

[[scenario]]
name = "n"
answers = { q = "o" }
expect = "a"
"#,
        );
        assert!(doc.diagnostics.is_empty(), "{:?}", doc.diagnostics);
        assert!(doc.header.is_some());
        assert_eq!(doc.questions[0].options.len(), 1);
        assert_eq!(doc.outcomes.len(), 1);
        assert_eq!(doc.scenarios.len(), 1);
    }

    #[test]
    fn reports_every_unknown_and_missing_key_at_once() {
        let found = messages(
            r#"
[tree]
title = "t"
version = "1"
strat = "q"
disclaimer = "d"

[[question]]
id = "q"
txt = "?"
  [[question.option]]
  id = "o"
  label = "l"
  nxt = "q"
  [[question.option]]
  label = "l"
"#,
        );
        let all = found.join("\n");
        assert!(
            all.contains("unknown key 'strat' in [tree]; did you mean 'start'?"),
            "{all}"
        );
        assert!(
            all.contains("[tree] is missing the required key 'start'"),
            "{all}"
        );
        assert!(
            all.contains("unknown key 'txt' in [[question]]; did you mean 'text'?"),
            "{all}"
        );
        assert!(
            all.contains("unknown key 'nxt' in [[question.option]]; did you mean 'next'?"),
            "{all}"
        );
        assert!(
            all.contains("[[question.option]] is missing the required key 'id'"),
            "{all}"
        );
    }

    #[test]
    fn wrong_types_are_named_plainly() {
        let all = messages(
            r#"
[tree]
title = "t"
version = 3
start = "q"
disclaimer = "d"
"#,
        )
        .join("\n");
        assert!(
            all.contains("in [tree]: wrong kind of value: found integer"),
            "{all}"
        );
        assert!(all.contains("expected text in quotes"), "{all}");
    }

    #[test]
    fn syntax_errors_are_reported_with_their_position() {
        let doc = read("[tree]\ntitle = \"unterminated\n");
        assert!(doc.diagnostics[0].message.starts_with("TOML syntax:"));
        assert!(doc.diagnostics[0].span.is_some());
    }
}
