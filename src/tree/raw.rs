//! The serde mirror of `questions.toml`: every table as written, with positions, before any meaning
//! is checked.
//!
//! The document is parsed into toml's spanned tree a piece at a time (see [`chunked`]); each
//! `[tree]`, `[[question]]`, `[[question.option]]`, `[[outcome]]` and `[[scenario]]` is read on
//! its own as soon as its piece is parsed, so that one bad table does not hide the problems of the
//! next and no tree of the whole document is ever held. Keys are compared with the allowed and
//! required lists first, which lets every unknown or missing key be reported at once with a
//! suggestion; then serde reads the table, with `deny_unknown_fields` as the last word, unless
//! every value already has the kind it should (see `ReadTable`).

use std::collections::{BTreeMap, HashSet};
use std::ops::Range;

use schemars::JsonSchema;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use toml::Spanned;
use toml::de::{DeString, DeTable, DeValue, ValueDeserializer};

use super::chunked;
use crate::diagnostic::{Diagnostic, did_you_mean};

pub type Text = Spanned<String>;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawTreeHeader {
    /// The title, shown at the top of every result.
    #[schemars(with = "String")]
    pub title: Text,
    /// Stamped on every result; change it whenever you change the tree.
    #[schemars(with = "String")]
    pub version: Text,
    /// The id of the first question.
    #[schemars(with = "String")]
    pub start: Text,
    /// Closes every group recommendation.
    #[schemars(with = "String")]
    pub disclaimer: Text,
    /// The outcome recommended when no outcome scores above zero.
    #[schemars(with = "Option<String>")]
    pub fallback: Option<Text>,
    /// The id of the safety screen: the first question, whose every answer but one ends at an urgent outcome.
    #[schemars(with = "Option<String>")]
    pub safety: Option<Text>,
    /// One sentence on what "provisional" means, shown under every group recommendation.
    #[schemars(with = "Option<String>")]
    pub provisional: Option<Text>,
    /// The line every urgent result closes with, in place of the disclaimer.
    #[schemars(with = "Option<String>")]
    pub urgent_closing: Option<Text>,
    /// Ask every question, even one whose answer can no longer matter.
    #[schemars(with = "Option<bool>")]
    pub ask_all: Option<Spanned<bool>>,
}

impl RawTreeHeader {
    pub(crate) const KEYS: &[&str] = &[
        "title",
        "version",
        "start",
        "disclaimer",
        "fallback",
        "safety",
        "provisional",
        "urgent_closing",
        "ask_all",
    ];
    pub(crate) const REQUIRED: &[&str] = &["title", "version", "start", "disclaimer"];
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawQuestion {
    /// Letters, digits, _ and - only; unique among the questions.
    #[schemars(with = "String")]
    pub id: Text,
    /// The question as the person reads it.
    #[schemars(with = "String")]
    pub text: Text,
    /// Third-person wording for intake staff to read aloud.
    #[schemars(with = "Option<String>")]
    pub intake: Option<Text>,
    /// Shown when the person presses ?.
    #[schemars(with = "Option<String>")]
    pub help: Option<Text>,
    /// Shown to intake staff only.
    #[schemars(with = "Option<String>")]
    pub guidance: Option<Text>,
    /// Neutral wording for the case record.
    #[schemars(with = "Option<String>")]
    pub record: Option<Text>,
    /// Safety screen only: the follow-up asked after a danger ("Is anything else on this list also true?").
    #[schemars(with = "Option<String>")]
    pub also: Option<Text>,
    /// Safety screen only: the follow-up as staff read it aloud.
    #[schemars(with = "Option<String>")]
    pub also_intake: Option<Text>,
    /// Safety screen only: the answer that says nothing else applies.
    #[schemars(with = "Option<String>")]
    pub also_none: Option<Text>,
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
    pub(crate) const KEYS: &[&str] = &[
        "id",
        "text",
        "intake",
        "help",
        "guidance",
        "record",
        "also",
        "also_intake",
        "also_none",
        "option",
    ];
    pub(crate) const REQUIRED: &[&str] = &["id", "text"];
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawOption {
    /// Letters, digits, _ and - only; unique within its question.
    #[schemars(with = "String")]
    pub id: Text,
    /// The answer as the person reads it.
    #[schemars(with = "String")]
    pub label: Text,
    /// The id of the question this answer goes on to.
    #[schemars(with = "Option<String>")]
    pub next: Option<Text>,
    /// The id of the outcome this answer ends at (never with next).
    #[schemars(with = "Option<String>")]
    pub outcome: Option<Text>,
    /// Points this answer adds to outcomes, as { outcome-id = points }.
    pub score: Option<Scores>,
    /// Why this answer favours the outcomes it scores for, shown under "Why this fits".
    #[schemars(with = "Option<String>")]
    pub reason: Option<Text>,
    /// Shown under "Keep in mind" when an outcome this answer scores against is recommended.
    #[schemars(with = "Option<String>")]
    pub caveat: Option<Text>,
    /// Always shown under "Keep in mind" when this answer is given.
    #[schemars(with = "Option<String>")]
    pub note: Option<Text>,
    /// The answer in third person, for intake staff and the case record.
    #[schemars(with = "Option<String>")]
    pub intake_label: Option<Text>,
    /// What choosing this answer would mean, as in "If <change>, a therapy group would fit better".
    #[schemars(with = "Option<String>")]
    pub change: Option<Text>,
    /// Where to look, by outcome id, shown under Next steps when that outcome is recommended.
    pub where_to_look: Option<Looks>,
    /// What to keep in mind, by outcome id, when that outcome is recommended.
    pub keep_in_mind: Option<Looks>,
    /// Safety screen only: this answer ends the screen at once, with no follow-up.
    #[schemars(with = "Option<bool>")]
    pub alone: Option<Spanned<bool>>,
    #[serde(skip)]
    pub span: Range<usize>,
}

impl RawOption {
    pub(crate) const KEYS: &[&str] = &[
        "id",
        "label",
        "next",
        "outcome",
        "score",
        "reason",
        "caveat",
        "note",
        "intake_label",
        "change",
        "where_to_look",
        "keep_in_mind",
        "alone",
    ];
    pub(crate) const REQUIRED: &[&str] = &["id", "label"];
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawOutcome {
    /// Letters, digits, _ and - only; unique among the outcomes.
    #[schemars(with = "String")]
    pub id: Text,
    /// The heading of the result, in plain words.
    #[schemars(with = "String")]
    pub name: Text,
    /// Recommends no group: crisis help, never called provisional.
    #[serde(default)]
    pub urgent: bool,
    /// What this result means, in a sentence or two.
    #[schemars(with = "String")]
    pub summary: Text,
    /// What joining such a group asks of you, one line each.
    #[serde(default)]
    pub expect: Vec<String>,
    /// What to do next (for an urgent outcome, shown as "After that").
    #[schemars(with = "Option<String>")]
    pub next_steps: Option<Text>,
    /// Shown to intake staff only: what to do on the call.
    #[schemars(with = "Option<String>")]
    pub guidance: Option<Text>,
    /// Urgent outcomes: what to do now, as numbered steps.
    #[serde(default)]
    pub steps: Vec<String>,
    /// Urgent outcomes: what happens when you call.
    #[schemars(with = "Option<String>")]
    pub when_you_call: Option<Text>,
    #[serde(skip)]
    pub span: Range<usize>,
}

impl RawOutcome {
    pub(crate) const KEYS: &[&str] = &[
        "id",
        "name",
        "urgent",
        "summary",
        "expect",
        "next_steps",
        "guidance",
        "steps",
        "when_you_call",
    ];
    pub(crate) const REQUIRED: &[&str] = &["id", "name", "summary"];
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawScenario {
    /// What the case is, in words.
    #[schemars(with = "String")]
    pub name: Text,
    /// An answer for every question the walk reaches, as { question-id = "option-id" }; the safety screen may take a list of dangers.
    #[schemars(with = "BTreeMap<String, ScenarioAnswer>")]
    pub answers: Spanned<BTreeMap<Text, Spanned<ScenarioAnswer>>>,
    /// The id of the outcome these answers must lead to.
    #[schemars(with = "String")]
    pub expect: Text,
    #[serde(skip)]
    pub span: Range<usize>,
}

impl RawScenario {
    pub(crate) const KEYS: &[&str] = &["name", "answers", "expect"];
    pub(crate) const REQUIRED: &[&str] = &["name", "answers", "expect"];
}

/// The points of a `score = { outcome = points }` table, in the order of the outcome ids (as a
/// `BTreeMap` would give them), kept in a plain list because most have one or two entries.
#[derive(Debug, Default)]
pub struct Scores(pub Vec<(Text, Spanned<i64>)>);

impl<'de> Deserialize<'de> for Scores {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ScoresVisitor;

        impl<'de> serde::de::Visitor<'de> for ScoresVisitor {
            type Value = Scores;

            fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                // The words serde uses for a map, which `plain_serde_message` rewrites.
                formatter.write_str("a map")
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Scores, A::Error> {
                let mut points: Vec<(Text, Spanned<i64>)> = Vec::new();
                while let Some(entry) = map.next_entry()? {
                    points.push(entry);
                }
                // A TOML table has no repeated keys, so this is the order of a map.
                points.sort_by(|a, b| a.0.get_ref().cmp(b.0.get_ref()));
                Ok(Scores(points))
            }
        }

        deserializer.deserialize_map(ScoresVisitor)
    }
}

/// The lines of a `where_to_look` or `keep_in_mind` table (`{ outcome = "..." }`), in the order
/// of the outcome ids.
#[derive(Debug, Default)]
pub struct Looks(pub Vec<(Text, Text)>);

impl<'de> Deserialize<'de> for Looks {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct LooksVisitor;

        impl<'de> serde::de::Visitor<'de> for LooksVisitor {
            type Value = Looks;

            fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                formatter.write_str("a map")
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Looks, A::Error> {
                let mut lines: Vec<(Text, Text)> = Vec::new();
                while let Some(entry) = map.next_entry()? {
                    lines.push(entry);
                }
                lines.sort_by(|a, b| a.0.get_ref().cmp(b.0.get_ref()));
                Ok(Looks(lines))
            }
        }

        deserializer.deserialize_map(LooksVisitor)
    }
}

/// A scenario's answer to one question: an option id, or for the safety screen a list of them
/// (every danger that applies, in the order they are chosen).
#[derive(Debug)]
pub enum ScenarioAnswer {
    One(String),
    Many(Vec<Text>),
}

impl Default for ScenarioAnswer {
    fn default() -> Self {
        Self::One(String::new())
    }
}

impl<'de> Deserialize<'de> for ScenarioAnswer {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct AnswerVisitor;

        impl<'de> serde::de::Visitor<'de> for AnswerVisitor {
            type Value = ScenarioAnswer;

            fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                formatter.write_str("an option id in quotes, or a list of them")
            }

            fn visit_str<E: serde::de::Error>(self, value: &str) -> Result<ScenarioAnswer, E> {
                Ok(ScenarioAnswer::One(value.to_owned()))
            }

            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<ScenarioAnswer, A::Error> {
                let mut ids = Vec::new();
                while let Some(id) = seq.next_element::<Text>()? {
                    ids.push(id);
                }
                Ok(ScenarioAnswer::Many(ids))
            }
        }

        deserializer.deserialize_any(AnswerVisitor)
    }
}

/// In the schema, a `score` is a table of whole numbers by outcome id.
impl JsonSchema for Scores {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Scores".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let most = crate::tree::MAX_POINTS;
        schemars::json_schema!({
            "description": "Points by outcome id, such as { support = 2, therapy = -1 }.",
            "type": "object",
            "additionalProperties": { "type": "integer", "minimum": -most, "maximum": most }
        })
    }
}

/// In the schema, `where_to_look` and `keep_in_mind` are tables of text by outcome id.
impl JsonSchema for Looks {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "ByOutcome".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "Text by outcome id, such as { support = \"...\" }.",
            "type": "object",
            "additionalProperties": { "type": "string" }
        })
    }
}

impl JsonSchema for ScenarioAnswer {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "ScenarioAnswer".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "An option id, or for the safety screen a list of every danger that applies.",
            "anyOf": [
                { "type": "string" },
                { "type": "array", "items": { "type": "string" } }
            ]
        })
    }
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
    /// Top-level tables written under a misspelt name (`[[questions]]` for `[[question]]`): the
    /// tables meant are missing, and what follows from that alone is not reported again.
    pub misnamed: Vec<&'static str>,
}

pub(crate) const TOP_KEYS: &[&str] = &["tree", "question", "outcome", "scenario"];

/// One top-level entry of the file, read on its own, with the problems found in it.
///
/// Entries are read as the parser delivers them (on the parser's threads for a large file), and
/// `[[question]]`, `[[outcome]]` and `[[scenario]]` tables may come in several batches; see
/// [`chunked::parse_mapped`]. Reading one table never depends on another.
enum Entry {
    Tree {
        span: Range<usize>,
        header: Option<Box<RawTreeHeader>>,
        diagnostics: Vec<Diagnostic>,
    },
    Questions(Vec<RawQuestion>, Vec<Diagnostic>),
    Outcomes(Vec<RawOutcome>, Vec<Diagnostic>),
    Scenarios(Vec<RawScenario>, Vec<Diagnostic>),
    Unknown {
        name: String,
        span: Range<usize>,
    },
}

/// Reads a whole document, collecting every problem rather than stopping at the first.
///
/// Problems are listed in a fixed order whatever the batches: syntax errors, numbers that cannot
/// be read (by position), unknown top-level keys (by name), then those of `[tree]`, of the
/// questions, outcomes and scenarios in file order.
pub fn read(text: &str) -> RawDocument {
    read_with(text, chunked::Options::default())
}

fn read_with(text: &str, options: chunked::Options) -> RawDocument {
    let (entries, errors) = chunked::parse_mapped(text, options, &|key, value, offset| {
        read_entry(text, key, value, offset)
    });
    collect(text, entries, &errors)
}

/// Puts the entries of a document together, and its problems in their fixed order.
fn collect(
    text: &str,
    entries: Vec<(Entry, Unreadable)>,
    errors: &[toml::de::Error],
) -> RawDocument {
    let mut doc = RawDocument::default();
    for error in errors {
        doc.diagnostics.push(syntax_error(error, text));
    }
    // What the tables' reading says about a value the parser refused ("found floating point
    // 'NaN'" after `next = none`) is the same slip again, so only the parser's words are kept.
    let syntax_starts: Vec<usize> = doc
        .diagnostics
        .iter()
        .filter_map(|d| d.span.as_ref().map(|span| span.start))
        .collect();

    // An unknown `[[key]]` may arrive in several batches; it is reported once, where it is first
    // written.
    let mut unknown: BTreeMap<String, Range<usize>> = BTreeMap::new();
    let mut tree = None;
    let mut question_diagnostics = Vec::new();
    let mut outcome_diagnostics = Vec::new();
    let mut scenario_diagnostics = Vec::new();
    let mut numbers = Vec::new();
    let mut unreadable_spans = Vec::new();
    for (entry, mut unreadable) in entries {
        numbers.append(&mut unreadable.diagnostics);
        unreadable_spans.append(&mut unreadable.spans);
        match entry {
            // `[[tree]]` written in several batches is still one array, reported once with the
            // first batch; later batches add nothing.
            Entry::Tree {
                span,
                header,
                diagnostics,
            } if tree.is_none() => tree = Some((span, header, diagnostics)),
            Entry::Tree { .. } => {}
            Entry::Questions(mut questions, mut diagnostics) => {
                doc.questions.append(&mut questions);
                question_diagnostics.append(&mut diagnostics);
            }
            Entry::Outcomes(mut outcomes, mut diagnostics) => {
                doc.outcomes.append(&mut outcomes);
                outcome_diagnostics.append(&mut diagnostics);
            }
            Entry::Scenarios(mut scenarios, mut diagnostics) => {
                doc.scenarios.append(&mut scenarios);
                scenario_diagnostics.append(&mut diagnostics);
            }
            Entry::Unknown { name, span } => {
                unknown.entry(name).or_insert(span);
            }
        }
    }

    // The entries come in key order or in document order, depending on how the text was parsed.
    numbers.sort_by_key(|number| number.span.as_ref().map(|span| span.start));
    // One message per value: a number that cannot be read is what to fix, and the parser or
    // `unreadable_numbers` has said why, so what the tables' reading says about the same value
    // ("integer number overflowed") is left out.
    let unreadable_spans: HashSet<(usize, usize)> = unreadable_spans
        .iter()
        .map(|span| (span.start, span.end))
        .collect();
    let without_numbers = |diagnostics: &mut Vec<Diagnostic>| {
        if !syntax_starts.is_empty() {
            diagnostics.retain(|d| {
                d.span
                    .as_ref()
                    .is_none_or(|span| !syntax_starts.contains(&span.start))
            });
        }
        if !unreadable_spans.is_empty() {
            diagnostics.retain(|d| {
                d.span
                    .as_ref()
                    .is_none_or(|span| !unreadable_spans.contains(&(span.start, span.end)))
            });
        }
    };
    without_numbers(&mut question_diagnostics);
    without_numbers(&mut outcome_diagnostics);
    without_numbers(&mut scenario_diagnostics);
    if let Some((_, _, diagnostics)) = &mut tree {
        without_numbers(diagnostics);
    }
    doc.diagnostics.append(&mut numbers);

    for (name, span) in unknown {
        let meant = crate::diagnostic::closest(&name, TOP_KEYS.iter().copied())
            .and_then(|meant| TOP_KEYS.iter().copied().find(|&k| k == meant));
        let message = match meant {
            Some(meant) => {
                doc.misnamed.push(meant);
                let header = if meant == "tree" {
                    "[tree]".to_owned()
                } else {
                    format!("[[{meant}]]")
                };
                format!(
                    "unknown table name '{name}'; did you mean '{meant}'? Write {header}: until then the tables under '{name}' are not read, so problems that follow only from that are not listed"
                )
            }
            None => format!(
                "unknown top-level key '{name}' (a tree has only [tree], [[question]], [[outcome]] and [[scenario]])"
            ),
        };
        doc.diagnostics.push(Diagnostic::error(span, message));
    }
    if doc.misnamed.contains(&"question") {
        // `[[question.option]]` under a misnamed `[[questions]]` makes a lone `question` table.
        question_diagnostics
            .retain(|d| !d.message.starts_with("expected [[question]] tables here"));
    }
    match tree {
        Some((span, header, mut diagnostics)) => {
            doc.header_span = Some(span);
            doc.header = header.map(|header| *header);
            doc.diagnostics.append(&mut diagnostics);
        }
        None if doc.diagnostics.is_empty() => doc.diagnostics.push(Diagnostic::error(
            0..0,
            "the file has no [tree] table; add one with title, version, start and disclaimer",
        )),
        None => {}
    }
    doc.diagnostics.append(&mut question_diagnostics);
    doc.diagnostics.append(&mut outcome_diagnostics);
    doc.diagnostics.append(&mut scenario_diagnostics);
    doc
}

/// Reads one top-level entry (see [`Entry`]) with the numbers in it that cannot be read, and
/// moves their spans by `offset`, as [`chunked::parse_mapped`] asks; `text` is the whole text.
fn read_entry(
    text: &str,
    key: Spanned<DeString<'_>>,
    value: Spanned<DeValue<'_>>,
    offset: usize,
) -> (Entry, Unreadable) {
    let mut numbers = Unreadable::default();
    let piece = text.get(offset..).unwrap_or_default();
    unreadable_numbers(piece, &value, None, false, &mut numbers);
    let mut read = (read_entry_at(key, value), numbers);
    if offset > 0 {
        read.shift(offset);
    }
    read
}

/// Reads one top-level entry, leaving spans as they are in `key` and `value`.
fn read_entry_at(key: Spanned<DeString<'_>>, value: Spanned<DeValue<'_>>) -> Entry {
    let mut diagnostics = Vec::new();
    match key.get_ref().as_ref() {
        "tree" => {
            let span = value.span();
            let header = expect_table(value, "[tree]", &mut diagnostics)
                .and_then(|table| {
                    read_table::<RawTreeHeader>(
                        table,
                        "[tree]",
                        RawTreeHeader::KEYS,
                        RawTreeHeader::REQUIRED,
                        &mut diagnostics,
                    )
                })
                .map(|(header, _)| Box::new(header));
            Entry::Tree {
                span,
                header,
                diagnostics,
            }
        }
        "question" => {
            let mut questions = Vec::new();
            for table in array_of_tables(value, "[[question]]", &mut diagnostics) {
                if let Some(question) = read_question(table, &mut diagnostics) {
                    questions.push(question);
                }
            }
            Entry::Questions(questions, diagnostics)
        }
        "outcome" => {
            let mut outcomes = Vec::new();
            for table in array_of_tables(value, "[[outcome]]", &mut diagnostics) {
                if let Some((mut outcome, span)) = read_table::<RawOutcome>(
                    table,
                    "[[outcome]]",
                    RawOutcome::KEYS,
                    RawOutcome::REQUIRED,
                    &mut diagnostics,
                ) {
                    outcome.span = span;
                    outcomes.push(outcome);
                }
            }
            Entry::Outcomes(outcomes, diagnostics)
        }
        "scenario" => {
            let mut scenarios = Vec::new();
            for table in array_of_tables(value, "[[scenario]]", &mut diagnostics) {
                if let Some((mut scenario, span)) = read_table::<RawScenario>(
                    table,
                    "[[scenario]]",
                    RawScenario::KEYS,
                    RawScenario::REQUIRED,
                    &mut diagnostics,
                ) {
                    scenario.span = span;
                    scenarios.push(scenario);
                }
            }
            Entry::Scenarios(scenarios, diagnostics)
        }
        _ => Entry::Unknown {
            span: key.span(),
            name: key.into_inner().into_owned(),
        },
    }
}

/// Moving every span of what was read from a piece of the text by the piece's offset.
trait Shift {
    fn shift(&mut self, offset: usize);
}

impl Shift for Range<usize> {
    fn shift(&mut self, offset: usize) {
        self.start += offset;
        self.end += offset;
    }
}

impl<T: Shift> Shift for Option<T> {
    fn shift(&mut self, offset: usize) {
        if let Some(inner) = self {
            inner.shift(offset);
        }
    }
}

impl<T: Shift> Shift for Box<T> {
    fn shift(&mut self, offset: usize) {
        (**self).shift(offset);
    }
}

impl<T: Shift> Shift for Vec<T> {
    fn shift(&mut self, offset: usize) {
        for item in self {
            item.shift(offset);
        }
    }
}

impl<A: Shift, B: Shift> Shift for (A, B) {
    fn shift(&mut self, offset: usize) {
        self.0.shift(offset);
        self.1.shift(offset);
    }
}

/// A spanned value of its own: the span moves, the value stays.
fn shift_spanned<T: Default>(spanned: &mut Spanned<T>, offset: usize) {
    let mut span = spanned.span();
    span.shift(offset);
    let inner = std::mem::take(spanned.get_mut());
    *spanned = Spanned::new(span, inner);
}

impl Shift for Text {
    fn shift(&mut self, offset: usize) {
        shift_spanned(self, offset);
    }
}

impl Shift for Spanned<i64> {
    fn shift(&mut self, offset: usize) {
        shift_spanned(self, offset);
    }
}

impl Shift for Diagnostic {
    fn shift(&mut self, offset: usize) {
        self.span.shift(offset);
    }
}

impl Shift for Scores {
    fn shift(&mut self, offset: usize) {
        self.0.shift(offset);
    }
}

impl Shift for Looks {
    fn shift(&mut self, offset: usize) {
        self.0.shift(offset);
    }
}

impl Shift for Spanned<bool> {
    fn shift(&mut self, offset: usize) {
        shift_spanned(self, offset);
    }
}

impl Shift for Spanned<ScenarioAnswer> {
    fn shift(&mut self, offset: usize) {
        if let ScenarioAnswer::Many(ids) = self.get_mut() {
            ids.shift(offset);
        }
        shift_spanned(self, offset);
    }
}

impl Shift for RawTreeHeader {
    fn shift(&mut self, offset: usize) {
        let Self {
            title,
            version,
            start,
            disclaimer,
            fallback,
            safety,
            provisional,
            urgent_closing,
            ask_all,
        } = self;
        title.shift(offset);
        version.shift(offset);
        start.shift(offset);
        disclaimer.shift(offset);
        fallback.shift(offset);
        safety.shift(offset);
        provisional.shift(offset);
        urgent_closing.shift(offset);
        ask_all.shift(offset);
    }
}

impl Shift for RawQuestion {
    fn shift(&mut self, offset: usize) {
        let Self {
            id,
            text,
            intake,
            help,
            guidance,
            record,
            also,
            also_intake,
            also_none,
            options,
            span,
            options_span,
            option_tables: _,
        } = self;
        id.shift(offset);
        text.shift(offset);
        intake.shift(offset);
        help.shift(offset);
        guidance.shift(offset);
        record.shift(offset);
        also.shift(offset);
        also_intake.shift(offset);
        also_none.shift(offset);
        options.shift(offset);
        span.shift(offset);
        options_span.shift(offset);
    }
}

impl Shift for RawOption {
    fn shift(&mut self, offset: usize) {
        let Self {
            id,
            label,
            next,
            outcome,
            score,
            reason,
            caveat,
            note,
            intake_label,
            change,
            where_to_look,
            keep_in_mind,
            alone,
            span,
        } = self;
        id.shift(offset);
        label.shift(offset);
        next.shift(offset);
        outcome.shift(offset);
        score.shift(offset);
        reason.shift(offset);
        caveat.shift(offset);
        note.shift(offset);
        intake_label.shift(offset);
        change.shift(offset);
        where_to_look.shift(offset);
        keep_in_mind.shift(offset);
        alone.shift(offset);
        span.shift(offset);
    }
}

impl Shift for RawOutcome {
    fn shift(&mut self, offset: usize) {
        let Self {
            id,
            name,
            urgent: _,
            summary,
            expect: _,
            next_steps,
            guidance,
            steps: _,
            when_you_call,
            span,
        } = self;
        id.shift(offset);
        name.shift(offset);
        summary.shift(offset);
        next_steps.shift(offset);
        guidance.shift(offset);
        when_you_call.shift(offset);
        span.shift(offset);
    }
}

impl Shift for RawScenario {
    fn shift(&mut self, offset: usize) {
        let Self {
            name,
            answers,
            expect,
            span,
        } = self;
        name.shift(offset);
        // The keys of a map cannot change in place, so the map is rebuilt.
        let mut answers_span = answers.span();
        answers_span.shift(offset);
        let pairs = std::mem::take(answers.get_mut())
            .into_iter()
            .map(|mut pair| {
                pair.shift(offset);
                pair
            })
            .collect();
        *answers = Spanned::new(answers_span, pairs);
        expect.shift(offset);
        span.shift(offset);
    }
}

impl Shift for Entry {
    fn shift(&mut self, offset: usize) {
        match self {
            Entry::Tree {
                span,
                header,
                diagnostics,
            } => {
                span.shift(offset);
                header.shift(offset);
                diagnostics.shift(offset);
            }
            Entry::Questions(questions, diagnostics) => {
                questions.shift(offset);
                diagnostics.shift(offset);
            }
            Entry::Outcomes(outcomes, diagnostics) => {
                outcomes.shift(offset);
                diagnostics.shift(offset);
            }
            Entry::Scenarios(scenarios, diagnostics) => {
                scenarios.shift(offset);
                diagnostics.shift(offset);
            }
            Entry::Unknown { name: _, span } => span.shift(offset),
        }
    }
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

/// A raw table that serde reads, and that the most common tables can skip serde for.
trait ReadTable: DeserializeOwned {
    /// The table read directly when every value has the kind it should, so that serde could not
    /// fail on it; `None` (with the table untouched) otherwise. Its keys have been checked.
    fn read_plain(_table: &mut DeTable<'_>) -> Option<Self> {
        None
    }
}

impl ReadTable for RawTreeHeader {}
impl ReadTable for RawOutcome {}
impl ReadTable for RawScenario {}

impl ReadTable for RawQuestion {
    fn read_plain(table: &mut DeTable<'_>) -> Option<Self> {
        if !table.values().all(|value| is_string(value.get_ref())) {
            return None;
        }
        Some(Self {
            id: take_text(table, "id")?,
            text: take_text(table, "text")?,
            intake: take_text(table, "intake"),
            help: take_text(table, "help"),
            guidance: take_text(table, "guidance"),
            record: take_text(table, "record"),
            also: take_text(table, "also"),
            also_intake: take_text(table, "also_intake"),
            also_none: take_text(table, "also_none"),
            options: Vec::new(),
            span: 0..0,
            options_span: 0..0,
            option_tables: 0,
        })
    }
}

impl ReadTable for RawOption {
    fn read_plain(table: &mut DeTable<'_>) -> Option<Self> {
        let plain = table.iter().all(|(key, value)| match value.get_ref() {
            DeValue::Table(points) if key.get_ref() == "score" => points
                .values()
                .all(|points| integer(points.get_ref()).is_some()),
            DeValue::Table(lines)
                if matches!(key.get_ref().as_ref(), "where_to_look" | "keep_in_mind") =>
            {
                lines.values().all(|line| is_string(line.get_ref()))
            }
            DeValue::Boolean(_) => key.get_ref() == "alone",
            value => {
                !matches!(
                    key.get_ref().as_ref(),
                    "score" | "where_to_look" | "keep_in_mind" | "alone"
                ) && is_string(value)
            }
        });
        if !plain {
            return None;
        }
        let score = table.remove("score").map(|points| {
            let DeValue::Table(points) = points.into_inner() else {
                unreachable!("checked above")
            };
            Scores(
                points
                    .into_iter()
                    .map(|(outcome, points)| {
                        let value = integer(points.get_ref()).unwrap_or_default();
                        (
                            Spanned::new(outcome.span(), outcome.into_inner().into_owned()),
                            Spanned::new(points.span(), value),
                        )
                    })
                    .collect(),
            )
        });
        let where_to_look = take_looks(table, "where_to_look");
        let keep_in_mind = take_looks(table, "keep_in_mind");
        let alone = table.remove("alone").map(|flag| {
            let span = flag.span();
            Spanned::new(span, matches!(flag.into_inner(), DeValue::Boolean(true)))
        });
        Some(Self {
            id: take_text(table, "id")?,
            label: take_text(table, "label")?,
            next: take_text(table, "next"),
            outcome: take_text(table, "outcome"),
            score,
            reason: take_text(table, "reason"),
            caveat: take_text(table, "caveat"),
            note: take_text(table, "note"),
            intake_label: take_text(table, "intake_label"),
            change: take_text(table, "change"),
            where_to_look,
            keep_in_mind,
            alone,
            span: 0..0,
        })
    }
}

/// Removes a table of outcome ids to text (whose values have been checked to be strings).
fn take_looks(table: &mut DeTable<'_>, key: &str) -> Option<Looks> {
    let lines = table.remove(key)?;
    let DeValue::Table(lines) = lines.into_inner() else {
        unreachable!("checked to be a table")
    };
    let mut lines: Vec<(Text, Text)> = lines
        .into_iter()
        .map(|(outcome, line)| {
            let span = line.span();
            let text = match line.into_inner() {
                DeValue::String(text) => text.into_owned(),
                _ => unreachable!("checked to be a string"),
            };
            (
                Spanned::new(outcome.span(), outcome.into_inner().into_owned()),
                Spanned::new(span, text),
            )
        })
        .collect();
    lines.sort_by(|a, b| a.0.get_ref().cmp(b.0.get_ref()));
    Some(Looks(lines))
}

fn is_string(value: &DeValue<'_>) -> bool {
    matches!(value, DeValue::String(_))
}

/// An integer as serde reads it into an `i64`; `None` for any other value or one out of range.
fn integer(value: &DeValue<'_>) -> Option<i64> {
    match value {
        DeValue::Integer(integer) => i64::from_str_radix(integer.as_str(), integer.radix()).ok(),
        _ => None,
    }
}

/// Removes a string value from the table (whose values have been checked to be strings).
fn take_text(table: &mut DeTable<'_>, key: &str) -> Option<Text> {
    let value = table.remove(key)?;
    let span = value.span();
    match value.into_inner() {
        DeValue::String(text) => Some(Spanned::new(span, text.into_owned())),
        _ => unreachable!("checked to be a string"),
    }
}

/// Checks the keys of one table, then deserialises it; `None` when anything was wrong.
fn read_table<T: ReadTable>(
    mut table: Spanned<DeTable<'_>>,
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
    if let Some(plain) = T::read_plain(table.get_mut()) {
        return Some((plain, span));
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
    if let Some(words) = slip_words(&message, text, span.start) {
        return Diagnostic::error(span, words);
    }
    let message = plain_syntax_message(&message, number_at(text, span.start));
    Diagnostic::error(span, format!("TOML syntax: {message}"))
}

/// How the messages of [`slip_words`] begin: they are about the file's TOML, like the parser's
/// own messages, though put in words that need no TOML.
#[cfg(test)]
pub(crate) const SLIP_STARTS: &[&str] = &[
    "the key '",
    "this text has no closing double quote",
    "text must be in straight double quotes",
    "text must be in double quotes",
];

/// The slips people make when typing TOML by hand, in words that say how to fix them: curly
/// quotes, a word without quotes where text belongs, a key written twice. `None` for other
/// problems, whose parser words are kept.
/// How far either side of a syntax error [`slip_words`] looks along its line.
const LINE_WINDOW: usize = 1024;

pub(crate) fn slip_words(message: &str, text: &str, at: usize) -> Option<String> {
    let at = at.min(text.len());
    if !text.is_char_boundary(at) {
        return None;
    }
    // Only so much of the line either side is read, so that each of thousands of errors on one
    // very long line costs the same as an error on a short one.
    let mut low = at.saturating_sub(LINE_WINDOW);
    while !text.is_char_boundary(low) {
        low += 1;
    }
    let mut high = (at + LINE_WINDOW).min(text.len());
    while !text.is_char_boundary(high) {
        high -= 1;
    }
    let (low, high) = (low.min(at), high.max(at));
    let line_start = text[low..at].rfind('\n').map_or(low, |i| low + i + 1);
    let line_end = text[at..high].find('\n').map_or(high, |i| at + i);
    let line = &text[line_start..line_end];
    let before = &text[line_start..at];
    // The key the value belongs to: the last `key =` before the place on its line.
    let key = before
        .trim_end()
        .strip_suffix('=')
        .map(|k| {
            k.rsplit(['{', ',', ' '])
                .find(|part| !part.trim().is_empty())
                .unwrap_or_default()
                .trim()
        })
        .filter(|k| !k.is_empty());
    if message.starts_with("duplicate key") {
        let name = number_at(text, at);
        let hint = if name == "id" {
            "; if this starts another question, option or outcome, put its header ([[question]], [[question.option]] or [[outcome]]) above it"
        } else {
            ""
        };
        return Some(format!(
            "the key '{name}' is written twice in this table; a table (the lines under one [header]) may set each key only once, so delete one of them{hint}"
        ));
    }
    if message.starts_with("invalid basic string") && text[at..line_end].trim().is_empty() {
        return Some(
            "this text has no closing double quote: end it with \" on the same line (text that runs over several lines goes between \"\"\" and \"\"\")"
                .to_owned(),
        );
    }
    if line.contains(['“', '”', '‘', '’', '„']) {
        let example = key.map_or_else(|| "key = \"text\"".to_owned(), |k| format!("{k} = \"...\""));
        return Some(format!(
            "text must be in straight double quotes (\"), not curly quotes (“ ” or ‘ ’), which word processors and some editors put in; retype the quotes, as in {example}"
        ));
    }
    let word = number_at(text, at);
    let bare = word.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && !matches!(word, "true" | "false" | "inf" | "nan")
        && (message.contains("string values must be quoted")
            || message.contains("invalid float")
            || message.contains("expected `nan`")
            || message.contains("expected `inf`")
            || message.contains("invalid integer")
            || message.contains("expected `true`")
            || message.contains("expected `false`"));
    if bare {
        let written = key.map_or_else(|| format!("\"{word}\""), |k| format!("{k} = \"{word}\""));
        if let Some(meant) = crate::diagnostic::closest(word, ["true", "false"]) {
            return Some(format!(
                "text must be in double quotes, and only true and false go without: did you mean {meant}? Otherwise write {written}"
            ));
        }
        let yes_no = if message.contains("expected `true`") || message.contains("expected `false`")
        {
            " (only true and false go without quotes)"
        } else {
            ""
        };
        return Some(format!(
            "text must be in double quotes; write {written}{yes_no}"
        ));
    }
    None
}

/// Puts the parser's words for a badly written number into words that say how to fix it; its
/// other messages are kept. `number` is what is written where the parser stopped.
fn plain_syntax_message(message: &str, number: &str) -> String {
    if message.starts_with("unexpected leading zero") {
        return format!(
            "'{number}' starts with a zero, which TOML allows only in the number 0 itself; remove the leading zero"
        );
    }
    for radix in [2, 8, 16] {
        let (kind, prefix, _) = radix_words(radix);
        if message.starts_with(&format!("invalid {kind} number")) {
            return format!(
                "'{number}' is not {} number: after '{prefix}' come only the digits {}",
                article(kind),
                digit_words(radix)
            );
        }
    }
    message.to_owned()
}

/// The run of characters a number is made of around byte `at` of `text`.
fn number_at(text: &str, at: usize) -> &str {
    let in_number = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '+' | '-' | '.');
    if !text.is_char_boundary(at) {
        return "";
    }
    let start = text[..at]
        .char_indices()
        .rev()
        .find(|&(_, c)| !in_number(c))
        .map_or(0, |(i, c)| i + c.len_utf8());
    let end = text[at..]
        .find(|c| !in_number(c))
        .map_or(text.len(), |i| at + i);
    &text[start..end]
}

/// The numbers of one entry that no `i64` or `f64` holds.
#[derive(Debug, Default)]
struct Unreadable {
    /// Where each is, so that nothing else is said about that value.
    spans: Vec<Range<usize>>,
    /// What is wrong with those the parser took without a word.
    diagnostics: Vec<Diagnostic>,
}

impl Shift for Unreadable {
    fn shift(&mut self, offset: usize) {
        self.spans.shift(offset);
        self.diagnostics.shift(offset);
    }
}

/// Finds the numbers in `value` that no `i64` or `f64` holds, which `toml::from_str` refuses (as
/// "integer number overflowed", for `0x` as much as for a number with twenty digits), and says
/// what is wrong with each that the parser took without a word.
///
/// `source` is the text the spans are relative to; `key` is the key `value` is written under, and
/// `in_score` says whether that key names an outcome in a `score` table.
fn unreadable_numbers(
    source: &str,
    value: &Spanned<DeValue<'_>>,
    key: Option<&str>,
    in_score: bool,
    out: &mut Unreadable,
) {
    match value.get_ref() {
        DeValue::Table(table) => {
            let scores = key == Some("score");
            for (key, value) in table {
                unreadable_numbers(source, value, Some(key.get_ref()), scores, out);
            }
        }
        DeValue::Array(array) => {
            for element in array {
                unreadable_numbers(source, element, key, false, out);
            }
        }
        DeValue::Integer(_) | DeValue::Float(_) => {
            let written = source.get(value.span()).unwrap_or_default();
            let score_for = key.filter(|_| in_score);
            match read_number(value.get_ref(), written, score_for) {
                Reading::Readable => {}
                Reading::Refused => out.spans.push(value.span()),
                Reading::Unreadable(message) => {
                    out.spans.push(value.span());
                    out.diagnostics
                        .push(Diagnostic::error(value.span(), message));
                }
            }
        }
        _ => {}
    }
}

/// How a number written in the file reads.
enum Reading {
    /// An `i64` or `f64` holds it.
    Readable,
    /// The parser has refused how it is written, and said why.
    Refused,
    /// The parser took it, but nothing can hold it: what is wrong, in words that say the fix.
    Unreadable(String),
}

/// Reads a number as `toml::from_str` would, saying what is wrong when that fails.
fn read_number(value: &DeValue<'_>, written: &str, score_for: Option<&str>) -> Reading {
    match value {
        DeValue::Integer(integer) => {
            let (number, radix) = (integer.as_str(), integer.radix());
            if i64::from_str_radix(number, radix).is_ok() {
                return Reading::Readable;
            }
            let (kind, prefix, example) = radix_words(radix);
            let digits = number.trim_start_matches(['+', '-']);
            if digits.is_empty() {
                // The parser leaves no digits when it has refused the number (a leading zero, a
                // wrong digit), and when there were none after the prefix, which it lets through.
                let bare_prefix = radix != 10
                    && written
                        .trim_start_matches(['+', '-'])
                        .eq_ignore_ascii_case(prefix);
                if !bare_prefix {
                    return Reading::Refused;
                }
                return Reading::Unreadable(format!(
                    "TOML syntax: '{written}' is an incomplete {kind} number: write its digits after '{prefix}', like {example}, or write the number plainly, like 2"
                ));
            }
            if let Some(stray) = digits.chars().find(|c| !c.is_digit(radix)) {
                return Reading::Unreadable(format!(
                    "TOML syntax: '{written}' is not a number: '{stray}' (U+{:04X}) is not one of the digits {}; type the number with those",
                    u32::from(stray),
                    digit_words(radix)
                ));
            }
            Reading::Unreadable(too_large(
                written,
                score_for,
                "between -9223372036854775808 and 9223372036854775807",
            ))
        }
        DeValue::Float(float) => {
            let number = float.as_str();
            // As for integers, nothing is left of a number the parser has refused.
            if number.is_empty() {
                return Reading::Refused;
            }
            // toml reads an infinite value only from `inf`, not from too many digits.
            match number.parse::<f64>() {
                Ok(n) if !n.is_infinite() || number.contains("inf") => Reading::Readable,
                Ok(_) => Reading::Unreadable(too_large(
                    written,
                    score_for,
                    "between about -1.8e308 and 1.8e308",
                )),
                Err(_) => Reading::Unreadable(format!("TOML syntax: '{written}' is not a number")),
            }
        }
        _ => Reading::Readable,
    }
}

/// A number that is too far from zero, as a score or anywhere else; `range` is what fits.
fn too_large(written: &str, score_for: Option<&str>, range: &str) -> String {
    let size = if written.starts_with('-') {
        "too far below zero"
    } else {
        "too large"
    };
    match score_for {
        Some(outcome) => format!(
            "the score {written} for '{outcome}' is {size}; use a small whole number such as 2 or -1"
        ),
        None => {
            format!("TOML syntax: {written} is {size} for a TOML number, which must lie {range}")
        }
    }
}

/// The name, prefix and an example of a number written in `radix`.
fn radix_words(radix: u32) -> (&'static str, &'static str, &'static str) {
    match radix {
        2 => ("binary", "0b", "0b101"),
        8 => ("octal", "0o", "0o17"),
        16 => ("hexadecimal", "0x", "0x1F"),
        _ => ("decimal", "", "2"),
    }
}

/// The digits a number written in `radix` may use.
fn digit_words(radix: u32) -> &'static str {
    match radix {
        2 => "0 and 1",
        8 => "0 to 7",
        16 => "0 to 9 and a to f",
        _ => "0 to 9",
    }
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
mod corpus;

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

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
    fn every_slip_message_is_known_as_one_about_the_toml() {
        for text in [
            "x = none\n",
            "x = \u{201c}a\u{201d}\n",
            "x = \"open\n",
            "x = 1\nx = 2\n",
        ] {
            let doc = read(text);
            let message = &doc.diagnostics[0].message;
            assert!(
                SLIP_STARTS.iter().any(|start| message.starts_with(start)),
                "{text:?}: {message}"
            );
        }
    }

    #[test]
    fn syntax_errors_are_reported_with_their_position() {
        let doc = read("[tree\ntitle = \"t\"\n");
        assert!(doc.diagnostics[0].message.starts_with("TOML syntax:"));
        assert!(doc.diagnostics[0].span.is_some());
        let doc = read("[tree]\ntitle = \"unterminated\n");
        assert!(
            doc.diagnostics[0]
                .message
                .starts_with("this text has no closing double quote")
        );
        assert!(doc.diagnostics[0].span.is_some());
    }

    /// A tree whose only score is `points`, in several tables so that it can be cut into pieces.
    fn tree_scoring(points: &str) -> String {
        format!(
            "[tree]\ntitle = \"t\"\nversion = \"1\"\nstart = \"q\"\ndisclaimer = \"d\"\n\n\
             [[question]]\nid = \"q\"\ntext = \"?\"\n  [[question.option]]\n  id = \"o\"\n  \
             label = \"l\"\n  score = {{ therapy = {points} }}\n\n\
             [[outcome]]\nid = \"therapy\"\nname = \"T\"\nsummary = \"s\"\n"
        )
    }

    /// The one message about the value written as `value`, read whole and in pieces alike.
    fn the_message_at(text: &str, value: &str) -> String {
        let whole = read_whole(text);
        for threads in [1, 2] {
            let options = chunked::Options {
                piece_bytes: 0,
                threads,
                parallel_min_bytes: 0,
            };
            assert_eq!(format!("{:?}", read_with(text, options)), whole, "{text}");
        }
        let at = text.find(value).expect("the value is in the text");
        let value_span = at..at + value.len();
        let found: Vec<String> = read(text)
            .diagnostics
            .into_iter()
            .filter(|d| {
                d.span
                    .as_ref()
                    .is_some_and(|s| value_span.contains(&s.start))
            })
            .map(|d| d.message)
            .collect();
        assert_eq!(found.len(), 1, "one message per value: {found:?}\n{text}");
        found.into_iter().next().unwrap_or_default()
    }

    #[test]
    fn numbers_that_cannot_be_read_say_what_is_wrong_in_a_tree_or_not() {
        // (as written, the words in a score, the words anywhere else when they differ)
        let cases = [
            (
                "0b",
                "'0b' is an incomplete binary number: write its digits after '0b'",
                None,
            ),
            (
                "0o",
                "'0o' is an incomplete octal number: write its digits after '0o'",
                None,
            ),
            (
                "0x",
                "'0x' is an incomplete hexadecimal number: write its digits after '0x'",
                None,
            ),
            (
                "1_0\u{660}",
                "'1_0\u{660}' is not a number: '\u{660}' (U+0660) is not one of the digits 0 to 9",
                None,
            ),
            (
                "01",
                "'01' starts with a zero, which TOML allows only in the number 0",
                None,
            ),
            ("-01", "'-01' starts with a zero", None),
            (
                "0b102",
                "'0b102' is not a binary number: after '0b' come only the digits 0 and 1",
                None,
            ),
            ("0o78", "'0o78' is not an octal number", None),
            (
                "99999999999999999999",
                "the score 99999999999999999999 for 'therapy' is too large; use a small whole number",
                Some(
                    "99999999999999999999 is too large for a TOML number, which must lie between -9223372036854775808 and 9223372036854775807",
                ),
            ),
            (
                "9223372036854775808",
                "the score 9223372036854775808 for 'therapy' is too large; use a small whole number",
                Some("9223372036854775808 is too large for a TOML number"),
            ),
            (
                "-9223372036854775809",
                "the score -9223372036854775809 for 'therapy' is too far below zero; use a small whole number",
                Some("-9223372036854775809 is too far below zero for a TOML number"),
            ),
            (
                "1e400",
                "the score 1e400 for 'therapy' is too large; use a small whole number",
                Some("1e400 is too large for a TOML number"),
            ),
        ];
        for (written, in_score, elsewhere) in cases {
            let in_tree = the_message_at(&tree_scoring(written), written);
            assert!(in_tree.contains(in_score), "{written}: {in_tree}");
            assert!(!in_tree.contains("overflowed"), "{written}: {in_tree}");
            let elsewhere = elsewhere.unwrap_or(in_score);
            for text in [
                format!("n = {written}\n"),
                format!("[tree]\ntitle = {written}\n"),
                format!("[[x]]\nn = [1, {written}]\n[[y]]\n"),
            ] {
                let message = the_message_at(&text, written);
                assert!(message.contains(elsewhere), "{text}: {message}");
                assert!(message.starts_with("TOML syntax: "), "{text}: {message}");
            }
        }
    }

    #[test]
    fn numbers_that_can_be_read_are_left_alone() {
        for points in [
            "0",
            "-0",
            "+2",
            "0x1F",
            "0o17",
            "0b101",
            "1_000",
            "-9223372036854775808",
        ] {
            let doc = read(&tree_scoring(points));
            assert!(
                doc.diagnostics.is_empty(),
                "{points}: {:?}",
                doc.diagnostics
            );
        }
        for value in ["inf", "-inf", "nan", "1e308", "0.0", "6.02e23"] {
            let messages = messages(&format!("n = {value}\n"));
            assert_eq!(messages.len(), 1, "{value}: {messages:?}");
            assert!(
                messages[0].starts_with("unknown top-level key 'n'"),
                "{value}: {messages:?}"
            );
        }
    }

    /// Header lines after the first table; a `[[question]]` is followed by its options.
    const HEADERS: &[&str] = &[
        "[[question]]",
        "[[question]]",
        "[[outcome]]",
        "[[scenario]]",
    ];

    /// Header lines that are misspelt or clash, written now and then.
    const ODD_HEADERS: &[&str] = &[
        "[tree]",
        "[[extra]]",
        "[tre]",
        "[question]",
        "[[tree]]",
        "[question.meta]",
        "[[question.option]]",
    ];

    /// Keys with a few values each: right ones, wrong kinds, misspelt keys, strings holding
    /// header-like lines.
    const KEYS: &[(&str, &[&str])] = &[
        ("id", &["\"q0\"", "\"q1\"", "\"x\"", "\"bad id\"", "3"]),
        ("text", &["\"?\"", "\"\"\"\n[[question]]\nid = 1\n\"\"\""]),
        ("label", &["\"L\"", "true"]),
        ("next", &["\"q1\"", "\"nowhere\""]),
        ("outcome", &["\"x\""]),
        (
            "score",
            &["{ x = 1 }", "{ x = 2, y = -1 }", "3", "{ x = \"a\" }"],
        ),
        ("reason", &["\"r\""]),
        ("title", &["\"t\""]),
        ("version", &["\"1\"", "1"]),
        ("start", &["\"q0\""]),
        ("disclaimer", &["\"d\""]),
        ("name", &["\"n\""]),
        ("summary", &["\"s\"", "'''\n[tree]\n'''"]),
        ("urgent", &["true", "\"yes\""]),
        ("expect", &["\"x\"", "[\"e\"]", "[\n\"e\",\n]"]),
        ("answers", &["{ q0 = \"a\" }", "[]"]),
        ("nxt", &["\"q1\""]),
        ("strat", &["\"q0\""]),
        ("option", &["1"]),
        ("id", &["\"o1\"", "\"o2\""]),
    ];

    /// A document of tables, each with distinct keys, most often starting with `[tree]`, now and
    /// then broken or with keys at the root, with either line break and sometimes a byte-order
    /// mark.
    fn document() -> impl Strategy<Value = String> {
        let header = prop_oneof![
            12 => prop::sample::select(HEADERS),
            1 => prop::sample::select(ODD_HEADERS),
        ];
        let keys = || prop::collection::vec((0..KEYS.len(), 0..5usize), 0..7);
        let table = (header, keys(), prop::collection::vec(keys(), 0..4));
        (
            prop::collection::vec(table, 1..16),
            prop::sample::select(vec!["[tree]", "[[question]]", "[[extra]]"]),
            prop::sample::select(vec![
                "",
                "",
                "question = 1\n",
                "extra = [1,\n2]\n",
                "# [tree]\n",
            ]),
            prop::sample::select(vec!["", "", "", "", "bad = \n", "x = \"open\n"]),
            any::<bool>(),
            any::<bool>(),
        )
            .prop_map(|(tables, first, prefix, broken, crlf, bom)| {
                let mut text = String::from(if bom { "\u{feff}" } else { "" });
                text.push_str(prefix);
                let write_keys = |text: &mut String, keys: &[(usize, usize)]| {
                    let mut used = Vec::new();
                    for &(key, value) in keys {
                        let (name, values) = KEYS[key];
                        if !used.contains(&name) {
                            used.push(name);
                            text.push_str(&format!("{name} = {}\n", values[value % values.len()]));
                        }
                    }
                };
                for (n, (header, keys, options)) in tables.iter().enumerate() {
                    let header = if n == 0 { first } else { header };
                    text.push_str(header);
                    text.push('\n');
                    write_keys(&mut text, keys);
                    if header == "[[question]]" {
                        for option in options {
                            text.push_str("  [[question.option]]\n");
                            write_keys(&mut text, option);
                        }
                    }
                    if n == 3 {
                        text.push_str(broken);
                    }
                }
                if crlf {
                    text.replace('\n', "\r\n")
                } else {
                    text
                }
            })
    }

    /// What `read` gives when the whole text is parsed at once.
    fn read_whole(text: &str) -> String {
        let (root, errors) = DeTable::parse_recoverable(text);
        let entries = root
            .into_inner()
            .into_iter()
            .map(|(key, value)| read_entry(text, key, value, 0))
            .collect();
        format!("{:?}", collect(text, entries, &errors))
    }

    /// A `[[question.option]]` body: some of its keys, with values of the right and wrong kinds.
    fn option_body() -> impl Strategy<Value = String> {
        let text = prop::sample::select(vec![
            "\"plain\"",
            "\"esc \\\" \\u00e9 \\n\"",
            "'literal \\ '",
            "\"\"\"\nmulti\nline\"\"\"",
            "3",
            "true",
            "[\"a\"]",
        ]);
        let points = prop::sample::select(vec![
            "1",
            "-3",
            "+4",
            "0x1F",
            "0o17",
            "0b101",
            "1_000",
            "9223372036854775807",
            "-9223372036854775808",
            "9223372036854775808",
            "1.5",
            "\"2\"",
        ]);
        let score = prop_oneof![
            4 => prop::collection::btree_map("[a-c]", points, 0..4).prop_map(|points| {
                let pairs: Vec<String> = points.iter().map(|(k, v)| format!("{k} = {v}")).collect();
                format!("{{ {} }}", pairs.join(", "))
            }),
            1 => Just("3".to_owned()),
        ];
        (
            prop::collection::vec(prop::option::of(text), 7),
            prop::option::of(score),
        )
            .prop_map(|(texts, score)| {
                let mut body = String::new();
                let keys = ["id", "label", "next", "outcome", "reason", "caveat", "note"];
                for (key, value) in keys.iter().zip(texts) {
                    if let Some(value) = value {
                        body.push_str(&format!("{key} = {value}\n"));
                    } else if *key == "id" || *key == "label" {
                        body.push_str(&format!("{key} = \"x\"\n"));
                    }
                }
                if let Some(score) = score {
                    body.push_str(&format!("score = {score}\n"));
                }
                body
            })
    }

    #[test]
    fn tree_tables_in_two_pieces_are_reported_once() {
        let text = "[[tree]]\ntitle = \"t\"\n[[tree]]\n";
        let expected = read_whole(text);
        assert!(expected.contains("expected a [tree] table, found an array"));
        for threads in [1, 2] {
            let options = chunked::Options {
                piece_bytes: 0,
                threads,
                parallel_min_bytes: 0,
            };
            assert_eq!(format!("{:?}", read_with(text, options)), expected);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(500))]

        #[test]
        fn plain_tables_are_read_as_serde_reads_them(body in option_body()) {
            let table = DeTable::parse(&body).expect("a valid table").into_inner();
            let mut plain_table = table.clone();
            let serde = RawOption::deserialize(ValueDeserializer::from(Spanned::new(
                0..body.len(),
                DeValue::Table(table),
            )));
            if let Some(plain) = RawOption::read_plain(&mut plain_table) {
                let serde = serde.expect("serde reads what is read plainly");
                prop_assert_eq!(format!("{plain:?}"), format!("{serde:?}"));
            } else {
                let untouched = DeTable::parse(&body).expect("a valid table").into_inner();
                prop_assert_eq!(format!("{plain_table:?}"), format!("{untouched:?}"));
            }
        }

        #[test]
        fn reading_in_pieces_gives_what_reading_the_whole_text_gives(text in document()) {
            let expected = read_whole(&text);
            for (piece_bytes, threads) in [(0, 1), (60, 1), (0, 2), (16 * 1024, 1)] {
                let options = chunked::Options { piece_bytes, threads, parallel_min_bytes: 0 };
                prop_assert_eq!(format!("{:?}", read_with(&text, options)), expected.clone(), "{:?}", options);
            }
        }
    }
}
