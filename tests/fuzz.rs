//! A fuzz target for loading, checking and answering a tree, on stable Rust.
//!
//! Each case takes a fixture (`tests/fixtures/**/*.toml`, and the built-in tree), mutates it with
//! byte flips, deleted and duplicated lines and pieces spliced in from another fixture, and then
//! does in-process what `check`, `paths`, `answer` and intake's "still possible" do with it. No
//! case may panic, and every error must point inside the file. The run in `cargo test` has a
//! fixed seed and a few hundred cases; `cargo test --test fuzz -- --ignored` runs many more, from
//! a seed of its own each time (proptest prints it, and the failing case, if one fails).

// Test helpers outside #[test] functions unwrap too: a failure there is a failed test.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use groupfit::answers::{GivenAnswer, replay};
use groupfit::check::check;
use groupfit::diagnostic::Severity;
use groupfit::explain::Explanation;
use groupfit::paths;
use groupfit::possible::{Bounds, still_possible};
use groupfit::source::Source;
use groupfit::tree::Tree;
use groupfit::walk::{Position, Walk};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed};

/// Every fixture's bytes, and the built-in tree's; those that load come first.
fn corpus() -> &'static [Vec<u8>] {
    static CORPUS: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    CORPUS.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = vec![root.join("questions.toml")];
        let mut rest = Vec::new();
        let mut dirs = vec![root.join("tests/fixtures")];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path: PathBuf = entry.unwrap().path();
                if path.is_dir() {
                    dirs.push(path);
                } else if path.extension().is_some_and(|e| e == "toml") {
                    rest.push(path);
                }
            }
        }
        rest.sort();
        let (valid, invalid): (Vec<PathBuf>, Vec<PathBuf>) = rest
            .into_iter()
            .partition(|p| p.parent().is_some_and(|d| d.ends_with("valid")));
        assert!(!valid.is_empty() && invalid.len() > 10);
        files.extend(valid);
        files.extend(invalid);
        files.iter().map(|f| std::fs::read(f).unwrap()).collect()
    })
}

/// How many files at the start of [`corpus`] load as they are.
fn loadable() -> usize {
    let corpus = corpus();
    corpus
        .iter()
        .take_while(|bytes| {
            let source = Source::new("f.toml", String::from_utf8_lossy(bytes).into_owned());
            check(&source, 1).tree.is_some()
        })
        .count()
}

/// One change to a file's bytes; positions are taken modulo the file's length when applied.
#[derive(Debug, Clone)]
enum Mutation {
    FlipByte {
        at: usize,
        bits: u8,
    },
    DeleteLine {
        line: usize,
    },
    DuplicateLine {
        line: usize,
    },
    /// The bytes `from..from + len` of fixture `donor`, put in at `at`.
    Splice {
        donor: usize,
        from: usize,
        len: usize,
        at: usize,
    },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        4 => (any::<usize>(), 1..=255u8).prop_map(|(at, bits)| Mutation::FlipByte { at, bits }),
        1 => any::<usize>().prop_map(|line| Mutation::DeleteLine { line }),
        1 => any::<usize>().prop_map(|line| Mutation::DuplicateLine { line }),
        1 => (any::<usize>(), any::<usize>(), 1..400usize, any::<usize>())
            .prop_map(|(donor, from, len, at)| Mutation::Splice { donor, from, len, at }),
    ]
}

/// Where each line starts, and the end of the file.
fn line_starts(bytes: &[u8]) -> Vec<usize> {
    let mut starts = vec![0];
    starts.extend(
        bytes
            .iter()
            .enumerate()
            .filter(|&(_, &b)| b == b'\n')
            .map(|(i, _)| i + 1),
    );
    starts
}

fn apply(bytes: &mut Vec<u8>, mutation: &Mutation) {
    let corpus = corpus();
    match *mutation {
        Mutation::FlipByte { at, bits } => {
            if !bytes.is_empty() {
                let at = at % bytes.len();
                bytes[at] ^= bits;
            }
        }
        Mutation::DeleteLine { line } | Mutation::DuplicateLine { line } => {
            let starts = line_starts(bytes);
            let line = line % starts.len();
            let start = starts[line];
            let end = starts.get(line + 1).copied().unwrap_or(bytes.len());
            if matches!(mutation, Mutation::DeleteLine { .. }) {
                bytes.drain(start..end);
            } else {
                let copy = bytes[start..end].to_vec();
                bytes.splice(end..end, copy);
            }
        }
        Mutation::Splice {
            donor,
            from,
            len,
            at,
        } => {
            let donor = &corpus[donor % corpus.len()];
            let from = from % donor.len().max(1);
            let piece = &donor[from..(from + len).min(donor.len())];
            let at = at % (bytes.len() + 1);
            bytes.splice(at..at, piece.iter().copied());
        }
    }
}

/// Loads, checks and answers one file, asserting that every error points inside it.
fn exercise(bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes).into_owned();
    let source = Source::new("fuzzed.toml", text);
    let len = source.text().len();
    let checked = check(&source, 1_000);
    for diagnostic in &checked.diagnostics {
        if let Some(span) = &diagnostic.span {
            assert!(
                span.start <= span.end && span.end <= len,
                "{span:?} is outside a file of {len} bytes: {}",
                diagnostic.message
            );
        } else if diagnostic.severity == Severity::Error {
            // Only the line that sums up errors past the cap is about no one place.
            assert!(
                diagnostic.message.starts_with("… and "),
                "an error without a place: {}",
                diagnostic.message
            );
        }
    }
    // Lines as `Source` counts them: ended by '\n' only, a '\r' before it part of the line; a
    // column may point just past a line's last character, at its end.
    let lines: Vec<&str> = source.text().split('\n').collect();
    let report = checked.report(&source);
    for item in &report.items {
        if item.line > 0 {
            let line = lines.get(item.line - 1);
            assert!(
                line.is_some_and(|line| item.column >= 1 && item.column <= line.chars().count() + 1),
                "{}:{} is outside the file: {}",
                item.line,
                item.column,
                item.message
            );
        }
    }
    let _ = format!("{report}");

    // `paths` needs only the structure to hold, so a tree that loads is answered even when
    // `check` finds errors in its paths or scenarios.
    let loaded = Tree::load(&source);
    assert!(
        loaded.is_ok() || report.errors() > 0,
        "no tree and no error"
    );
    let Ok((tree, _)) = &loaded else {
        return;
    };
    // Answering: the first paths, and the path of every last answer, replayed as `answer` does
    // and explained in every format.
    let mut walks = Vec::new();
    paths::visit(tree, 3, |walk| walks.push(walk.answers().to_vec()));
    let bounds = Bounds::of(tree);
    let mut last = Walk::new(tree);
    while let Position::Asking(q) = last.position() {
        let _ = still_possible(&last, &bounds, 500);
        last.choose(tree.questions[q].choices.len() - 1);
    }
    walks.push(last.answers().to_vec());
    for answers in walks {
        let given: Vec<GivenAnswer> = answers
            .iter()
            .map(|a| {
                let q = &tree.questions[a.question];
                GivenAnswer {
                    question: q.id.clone(),
                    option: q.choices[a.choice].id.clone(),
                    span: None,
                }
            })
            .collect();
        let replayed = replay(tree, &given).expect("a path of the tree replays");
        if let Ok(explanation) = Explanation::of(&replayed.walk) {
            let _ = explanation.to_text(80);
            let _ = explanation.to_text_for_staff(80);
            let _ = explanation.to_markdown();
            let _ = explanation.to_json();
        }
    }
    let listing = paths::Listing::new(tree, 3);
    let mut out = Vec::new();
    listing.write_table(&mut out).unwrap();
    listing.write_markdown(&mut out).unwrap();
    listing.write_json(&mut out).unwrap();
}

/// A fixture, most often one that loads, and one or two changes to it.
fn case() -> impl Strategy<Value = (usize, Vec<Mutation>)> {
    let loadable = loadable();
    let file = prop_oneof![3 => 0..loadable, 1 => 0..corpus().len()];
    (file, prop::collection::vec(mutation(), 1..=2))
}

fn run(config: Config) {
    let mut runner = proptest::test_runner::TestRunner::new(config);
    runner
        .run(&case(), |(file, mutations)| {
            let corpus = corpus();
            let mut bytes = corpus[file].clone();
            for mutation in &mutations {
                apply(&mut bytes, mutation);
            }
            exercise(&bytes);
            Ok(())
        })
        .unwrap();
}

#[test]
fn mutated_fixtures_never_panic_and_every_error_points_inside_the_file() {
    run(Config {
        cases: 200,
        rng_seed: RngSeed::Fixed(13),
        failure_persistence: None,
        ..Config::default()
    });
}

/// The same for much longer, with a new seed each run.
#[test]
#[ignore = "runs for minutes: cargo test --release --test fuzz -- --ignored"]
fn mutated_fixtures_never_panic_long_run() {
    run(Config {
        cases: 50_000,
        failure_persistence: None,
        ..Config::default()
    });
}
