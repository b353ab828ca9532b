//! The loader read against the official TOML test suite (`toml-lang/toml-test`), which nobody here
//! wrote.
//!
//! For every file of the suite's TOML 1.1 list: a valid document reads, through the whole-text
//! parse and cut into pieces (on one thread and on two), to the keys, values and spans of toml's
//! own whole-file reading, and to the values the suite lists for it; its strings and whole numbers,
//! written into `[[question.option]]` tables, are read without serde as serde reads them. An
//! invalid document is refused, whole and in pieces, with a TOML message on the line where
//! `toml::from_str` stops.
//!
//! The suite is read from `../shared/toml-test` beside the repository, or from the folder that
//! `GROUPFIT_TOML_TEST` names. A clone of the repository alone does not carry it: then the test
//! says so and passes.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use serde::Deserialize;
use serde_json::{Value as Json, json};
use toml::Spanned;
use toml::de::{DeString, DeTable, DeValue, ValueDeserializer};
use toml::value::{Datetime, Offset};

use super::{RawDocument, RawOption, ReadTable, chunked, collect, read_entry, read_with};
use crate::source::{ReadError, Source};

/// The folder that holds the suite's `tests/`, or `None` when it is not beside the repository.
fn suite() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("GROUPFIT_TOML_TEST") {
        // A folder named on purpose must be there.
        return Some(PathBuf::from(dir));
    }
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/toml-test");
    dir.is_dir().then_some(dir)
}

/// The name every padding table starts with; no document of the suite uses it.
const PADDING_KEY: &str = "groupfit-padding-";

/// How the padded documents are cut: a piece per top-level header on the calling thread and on
/// two threads, and pieces of 32 bytes on two threads once the text is 160 bytes long.
const CUT: [chunked::Options; 3] = [
    chunked::Options {
        piece_bytes: 0,
        threads: 1,
        parallel_min_bytes: 0,
    },
    chunked::Options {
        piece_bytes: 0,
        threads: 2,
        parallel_min_bytes: 0,
    },
    chunked::Options {
        piece_bytes: 32,
        threads: 2,
        parallel_min_bytes: 160,
    },
];

/// The document followed by empty tables of its own, enough for more pieces than the threads
/// parse ahead and for more than the two-thread threshold of [`CUT`].
fn padded(text: &str) -> String {
    let mut padded = text.to_owned();
    if padded.ends_with('\r') {
        // A bare carriage return at the end must stay bare, not become a CRLF.
        padded.push(' ');
    }
    if !padded.ends_with('\n') {
        padded.push('\n');
    }
    for n in 0..10 {
        let _ = writeln!(padded, "[{PADDING_KEY}{n}]");
    }
    assert!(padded.len() - text.len() > CUT[2].parallel_min_bytes);
    padded
}

/// What the loader reads when it parses the whole text at once.
fn read_whole(text: &str) -> RawDocument {
    let (entries, errors) = chunked::parse_whole(text, &|key, value, offset| {
        read_entry(text, key, value, offset)
    });
    collect(text, entries, &errors)
}

/// A value as parsed: every key and value with its span in the whole text, and every leaf in the
/// suite's form (see [`suite_form`]) as toml's deserializer reads it.
enum Node {
    Leaf(Json),
    Array(Vec<(Range<usize>, Node)>),
    Table(BTreeMap<String, (Range<usize>, Range<usize>, Node)>),
}

fn shift(span: Range<usize>, offset: usize) -> Range<usize> {
    span.start + offset..span.end + offset
}

/// Turns a parsed value into a [`Node`], moving its spans by `offset`.
fn node(value: Spanned<DeValue<'_>>, offset: usize) -> (Range<usize>, Node) {
    let span = shift(value.span(), offset);
    let node = match value.into_inner() {
        DeValue::Table(table) => Node::Table(
            table
                .into_iter()
                .map(|(key, value)| {
                    let key_span = shift(key.span(), offset);
                    let (span, node) = node(value, offset);
                    (key.into_inner().into_owned(), (key_span, span, node))
                })
                .collect(),
        ),
        DeValue::Array(array) => {
            Node::Array(array.into_iter().map(|value| node(value, offset)).collect())
        }
        leaf => Node::Leaf(
            toml::Value::deserialize(ValueDeserializer::from(Spanned::new(span.clone(), leaf)))
                .map_or_else(
                    |error| json!(format!("unreadable: {error}")),
                    |v| suite_form(&v),
                ),
        ),
    };
    (span, node)
}

/// One top-level entry of the loader's parse, as [`chunked::MapEntry`] hands it over.
type NodeEntry = (String, Range<usize>, Range<usize>, Node);

fn node_entry(key: Spanned<DeString<'_>>, value: Spanned<DeValue<'_>>, offset: usize) -> NodeEntry {
    let key_span = shift(key.span(), offset);
    let (span, node) = node(value, offset);
    (key.into_inner().into_owned(), key_span, span, node)
}

/// Puts the entries back into one root table, appending the elements of an array of tables that
/// arrives again, as the whole-text parser does; `None` for any other key that arrives twice.
fn merge(entries: Vec<NodeEntry>) -> Option<Node> {
    let mut root = BTreeMap::new();
    for (name, key_span, span, node) in entries {
        if let Some((_, _, existing)) = root.get_mut(&name) {
            let (Node::Array(existing), Node::Array(mut more)) = (existing, node) else {
                return None;
            };
            existing.append(&mut more);
        } else {
            root.insert(name, (key_span, span, node));
        }
    }
    Some(Node::Table(root))
}

/// Every key and value of a node with its span, one to a line.
fn spans(node: &Node, indent: usize, out: &mut String) {
    match node {
        Node::Leaf(leaf) => {
            let _ = writeln!(out, "{leaf}");
        }
        Node::Array(array) => {
            let _ = writeln!(out, "array of {}", array.len());
            for (span, element) in array {
                let _ = write!(out, "{:indent$}- @{span:?} ", "", indent = indent + 2);
                spans(element, indent + 2, out);
            }
        }
        Node::Table(table) => {
            let _ = writeln!(out, "table of {}", table.len());
            for (key, (key_span, span, value)) in table {
                let _ = write!(
                    out,
                    "{:indent$}{key:?} @{key_span:?} = @{span:?} ",
                    "",
                    indent = indent + 2
                );
                spans(value, indent + 2, out);
            }
        }
    }
}

fn spans_of(node: &Node) -> String {
    let mut out = String::new();
    spans(node, 0, &mut out);
    out
}

/// The values of a node, without spans, in the suite's form.
fn values(node: &Node) -> Json {
    match node {
        Node::Leaf(leaf) => leaf.clone(),
        Node::Array(array) => array.iter().map(|(_, value)| values(value)).collect(),
        Node::Table(table) => Json::Object(
            table
                .iter()
                .map(|(key, (_, _, value))| (key.clone(), values(value)))
                .collect(),
        ),
    }
}

/// A value in the suite's JSON form: `{"type": ..., "value": ...}` for a leaf, with floats and
/// date-times written one way (see [`float_form`] and [`datetime_form`]).
fn suite_form(value: &toml::Value) -> Json {
    match value {
        toml::Value::String(s) => json!({ "type": "string", "value": s }),
        toml::Value::Integer(i) => json!({ "type": "integer", "value": i.to_string() }),
        toml::Value::Float(f) => json!({ "type": "float", "value": float_form(*f) }),
        toml::Value::Boolean(b) => json!({ "type": "bool", "value": b.to_string() }),
        toml::Value::Datetime(d) => {
            let kind = match (d.date.is_some(), d.time.is_some(), d.offset.is_some()) {
                (true, true, true) => "datetime",
                (true, true, false) => "datetime-local",
                (true, false, _) => "date-local",
                _ => "time-local",
            };
            json!({ "type": kind, "value": datetime_form(d) })
        }
        toml::Value::Array(array) => array.iter().map(suite_form).collect(),
        toml::Value::Table(table) => Json::Object(
            table
                .iter()
                .map(|(key, value)| (key.clone(), suite_form(value)))
                .collect(),
        ),
    }
}

/// A float written one way: the suite writes `+inf`, `-nan`, `5e+22`, toml reads them as f64.
fn float_form(f: f64) -> String {
    if f.is_nan() {
        "nan".to_owned()
    } else {
        format!("{f:?}")
    }
}

/// A date-time written one way: `T` between date and time, seconds always, the fraction without
/// trailing zeros.
fn datetime_form(d: &Datetime) -> String {
    let mut out = String::new();
    if let Some(date) = d.date {
        let _ = write!(out, "{:04}-{:02}-{:02}", date.year, date.month, date.day);
    }
    if let Some(time) = d.time {
        if d.date.is_some() {
            out.push('T');
        }
        let _ = write!(
            out,
            "{:02}:{:02}:{:02}",
            time.hour,
            time.minute,
            time.second.unwrap_or(0)
        );
        if let Some(nanos) = time.nanosecond.filter(|&n| n > 0) {
            let _ = write!(out, ".{}", format!("{nanos:09}").trim_end_matches('0'));
        }
    }
    match d.offset {
        Some(Offset::Z) => out.push('Z'),
        Some(Offset::Custom { minutes }) => {
            let sign = if minutes < 0 { '-' } else { '+' };
            let minutes = minutes.unsigned_abs();
            let _ = write!(out, "{sign}{:02}:{:02}", minutes / 60, minutes % 60);
        }
        None => {}
    }
    out
}

/// The suite's JSON for a document, with its floats and date-times written as [`suite_form`]
/// writes them.
fn suite_values(json: &Json) -> Result<Json, String> {
    match json {
        Json::Object(map) => {
            if let (2, Some(Json::String(kind)), Some(Json::String(value))) =
                (map.len(), map.get("type"), map.get("value"))
            {
                let value = match kind.as_str() {
                    "float" => float_form(value.parse().map_err(|e| format!("{value}: {e}"))?),
                    "integer" => value
                        .parse::<i64>()
                        .map_err(|e| format!("{value}: {e}"))?
                        .to_string(),
                    "datetime" | "datetime-local" | "date-local" | "time-local" => {
                        datetime_form(&value.parse().map_err(|e| format!("{value}: {e}"))?)
                    }
                    _ => value.clone(),
                };
                return Ok(json!({ "type": kind, "value": value }));
            }
            map.iter()
                .map(|(key, value)| Ok((key.clone(), suite_values(value)?)))
                .collect::<Result<_, String>>()
                .map(Json::Object)
        }
        Json::Array(array) => array.iter().map(suite_values).collect(),
        other => Err(format!("not in the suite's form: {other}")),
    }
}

/// The values of `toml::from_str`'s reading, in the suite's form.
fn from_str_values(text: &str) -> Result<Json, String> {
    toml::from_str::<toml::Table>(text)
        .map(|table| suite_form(&toml::Value::Table(table)))
        .map_err(|error| format!("toml::from_str refuses it: {}", error.message()))
}

fn without_padding(mut values: Json) -> Json {
    if let Json::Object(map) = &mut values {
        map.retain(|key, _| !key.starts_with(PADDING_KEY));
    }
    values
}

/// Checks one valid document.
fn check_valid(path: &Path) -> Result<(), String> {
    let text = fs::read_to_string(path).map_err(|e| e.to_string())?;
    let json = fs::read_to_string(path.with_extension("json")).map_err(|e| e.to_string())?;
    let json: Json = serde_json::from_str(&json).map_err(|e| e.to_string())?;
    if text.contains(PADDING_KEY) {
        return Err(format!("the document uses the padding key {PADDING_KEY}"));
    }
    let expected = suite_values(&json)?;
    let from_str = from_str_values(&text)?;
    if from_str != expected {
        return Err(format!(
            "toml::from_str reads\n{from_str:#}\nthe suite lists\n{expected:#}"
        ));
    }

    // The whole text at once, as the loader parses a short file or one its pieces cannot cover.
    let whole = parsed_whole(&text)?;
    if values(&whole) != expected {
        return Err(format!(
            "the whole-text parse reads\n{:#}\nthe suite lists\n{expected:#}",
            values(&whole)
        ));
    }

    // Cut into pieces.
    let padded = padded(&text);
    let padded_whole = spans_of(&parsed_whole(&padded)?);
    let padded_from_str = from_str_values(&padded)?;
    for options in CUT {
        let used_pieces = AtomicBool::new(false);
        let (entries, errors) = chunked::parse_mapped(&padded, options, &|key, value, offset| {
            if offset > 0 {
                used_pieces.store(true, Ordering::Relaxed);
            }
            node_entry(key, value, offset)
        });
        if !errors.is_empty() {
            return Err(format!("{options:?}: errors {errors:?}"));
        }
        let pieces = merge(entries).ok_or(format!("{options:?}: a key arrived twice"))?;
        if spans_of(&pieces) != padded_whole {
            return Err(format!(
                "{options:?}: in pieces\n{}\nwhole\n{padded_whole}",
                spans_of(&pieces)
            ));
        }
        if values(&pieces) != padded_from_str || without_padding(values(&pieces)) != expected {
            return Err(format!(
                "{options:?}: in pieces the values are\n{:#}",
                values(&pieces)
            ));
        }
        // Falling back to the whole text would pass every check above.
        if !used_pieces.load(Ordering::Relaxed) {
            return Err(format!("{options:?}: the text was not cut into pieces"));
        }
    }

    // What the loader makes of it: no TOML message, and the same in pieces as whole.
    let read = read_whole(&text);
    if let Some(d) = read
        .diagnostics
        .iter()
        .find(|d| is_toml_message(&d.message))
    {
        return Err(format!("the loader says: {}", d.message));
    }
    let padded_read = format!("{:?}", read_whole(&padded));
    for options in CUT {
        same_read(&padded_read, &read_with(&padded, options), options)?;
    }
    strings_and_numbers_read_plainly(&text)
}

fn parsed_whole(text: &str) -> Result<Node, String> {
    let (entries, errors) = chunked::parse_whole(text, &node_entry);
    if !errors.is_empty() {
        return Err(format!("the whole-text parse has errors {errors:?}"));
    }
    merge(entries).ok_or_else(|| "a key arrived twice in the whole-text parse".to_owned())
}

/// The loader reads the document cut into pieces as it reads it whole.
fn same_read(whole: &str, pieces: &RawDocument, options: chunked::Options) -> Result<(), String> {
    let pieces = format!("{pieces:?}");
    if pieces == whole {
        Ok(())
    } else {
        Err(format!(
            "{options:?}: the loader reads\n{pieces}\nin pieces, and whole\n{whole}"
        ))
    }
}

/// Every string and whole number of the document, written as a `label` or a score of a
/// `[[question.option]]`, is read without serde as serde reads it, to the value toml reads.
fn strings_and_numbers_read_plainly(text: &str) -> Result<(), String> {
    let Ok(root) = DeTable::parse(text) else {
        return Err("DeTable::parse refuses it".to_owned());
    };
    let mut leaves = Vec::new();
    collect_leaves(
        &Spanned::new(root.span(), DeValue::Table(root.into_inner())),
        &mut leaves,
    );
    for (span, expected) in leaves {
        let written = &text[span];
        let body = match &expected {
            toml::Value::String(_) => format!("id = \"o\"\nlabel = {written}\n"),
            toml::Value::Integer(_) => {
                format!("id = \"o\"\nlabel = \"l\"\nscore = {{ x = {written} }}\n")
            }
            _ => continue,
        };
        let table = DeTable::parse(&body)
            .map_err(|e| format!("{body}: {e}"))?
            .into_inner();
        let mut plain_table = table.clone();
        let serde = RawOption::deserialize(ValueDeserializer::from(Spanned::new(
            0..body.len(),
            DeValue::Table(table),
        )))
        .map_err(|e| format!("{body}: serde refuses it: {e}"))?;
        let plain = RawOption::read_plain(&mut plain_table)
            .ok_or_else(|| format!("{body}: not read plainly"))?;
        if format!("{plain:?}") != format!("{serde:?}") {
            return Err(format!("{body}: plainly {plain:?}, by serde {serde:?}"));
        }
        let read = match &plain.score {
            Some(scores) => toml::Value::Integer(*scores.0[0].1.get_ref()),
            None => toml::Value::String(plain.label.into_inner()),
        };
        if read != expected {
            return Err(format!("{body}: read as {read:?}, toml reads {expected:?}"));
        }
    }
    Ok(())
}

/// The strings and integers in a parsed value, with their spans and what toml reads them as.
fn collect_leaves(value: &Spanned<DeValue<'_>>, out: &mut Vec<(Range<usize>, toml::Value)>) {
    match value.get_ref() {
        DeValue::Table(table) => {
            for value in table.values() {
                collect_leaves(value, out);
            }
        }
        DeValue::Array(array) => {
            for value in array {
                collect_leaves(value, out);
            }
        }
        leaf @ (DeValue::String(_) | DeValue::Integer(_)) => {
            let leaf = Spanned::new(value.span(), leaf.clone());
            if let Ok(read) = toml::Value::deserialize(ValueDeserializer::from(leaf)) {
                out.push((value.span(), read));
            }
        }
        _ => {}
    }
}

/// A message about the file's TOML rather than about the tree written in it.
fn is_toml_message(message: &str) -> bool {
    message.starts_with("TOML syntax:")
        || super::SLIP_STARTS
            .iter()
            .any(|start| message.starts_with(start))
}

/// Checks one invalid document: refused whole and in pieces, with a TOML message on the line
/// where `toml::from_str` stops.
fn check_invalid(path: &Path) -> Result<(), String> {
    let bytes = fs::read(path).map_err(|e| e.to_string())?;
    let Ok(text) = String::from_utf8(bytes) else {
        // The loader reads text; a file that is not UTF-8 is refused where it is read.
        return match Source::read(path) {
            Err(ReadError::NotUtf8 { .. }) => Ok(()),
            other => Err(format!("read as {other:?}")),
        };
    };
    refused_on_the_line(&text, &read_whole(&text), "whole")?;
    let padded = padded(&text);
    let padded_read = format!("{:?}", read_whole(&padded));
    for options in CUT {
        let pieces = read_with(&padded, options);
        refused_on_the_line(&padded, &pieces, &format!("{options:?}"))?;
        same_read(&padded_read, &pieces, options)?;
    }
    Ok(())
}

fn refused_on_the_line(text: &str, read: &RawDocument, how: &str) -> Result<(), String> {
    let Err(error) = toml::from_str::<toml::Table>(text) else {
        return Err("toml::from_str accepts it".to_owned());
    };
    let source = Source::new("corpus", text.to_owned());
    let line = |span: &Range<usize>| source.position(span.start).0;
    let expected = error.span().map(|span| line(&span));
    let found = read.diagnostics.iter().any(|d| {
        is_toml_message(&d.message) && (expected.is_none() || d.span.as_ref().map(line) == expected)
    });
    if found {
        Ok(())
    } else {
        Err(format!(
            "{how}: toml::from_str stops on line {expected:?} ({}); the loader says {:?}",
            error.message(),
            read.diagnostics
                .iter()
                .map(|d| (d.span.as_ref().map(line), &d.message))
                .collect::<Vec<_>>()
        ))
    }
}

#[test]
fn the_toml_test_suite_reads_as_toml_reads_it() {
    let Some(dir) = suite() else {
        println!(
            "skipped: the TOML test suite is not at ../shared/toml-test beside the repository; \
             set GROUPFIT_TOML_TEST to its folder to run this test"
        );
        return;
    };
    let tests = dir.join("tests");
    let list = tests.join("files-toml-1.1.0");
    let list = fs::read_to_string(&list).unwrap_or_else(|e| panic!("{}: {e}", list.display()));
    let (mut valid, mut invalid) = (0, 0);
    let mut failures = Vec::new();
    // The list also names each valid document's `.json`, which is read beside it.
    for name in list
        .lines()
        .filter(|name| Path::new(name).extension().is_some_and(|e| e == "toml"))
    {
        let path = tests.join(name);
        let result = if name.starts_with("valid/") {
            valid += 1;
            check_valid(&path)
        } else {
            assert!(name.starts_with("invalid/"), "{name}");
            invalid += 1;
            check_invalid(&path)
        };
        if let Err(why) = result {
            failures.push(format!("{name}: {why}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} files:\n\n{}",
        failures.len(),
        valid + invalid,
        failures.join("\n\n")
    );
    assert!(valid > 0 && invalid > 0, "{} lists no files", dir.display());
    println!("{valid} valid files read alike whole and in pieces; {invalid} invalid files refused");
}
