//! Load + check time of generated complete ternary trees, and how it grows with size; then the
//! time of `review` and `diff` on the built-in tree and on the generated trees, which work to the
//! same path budget as `check`.
//!
//! Run with `cargo bench --bench check`. Each question has three options that lead to its child
//! questions or, at the leaves, end with a score. For 20 000 questions the same file is also parsed
//! by Python's `tomllib` (when `python3` is available) for comparison. The summary gives the
//! ratio to `tomllib`, how time grows from 20 000 to 100 000 questions, the CPUs available (files
//! of 1 MiB or more are parsed on up to four threads) and the load average before and after.
//!
//! Then two extreme shapes: a chain 100 000 questions deep (each question's first answer goes on,
//! its second ends) and a tree of 200 questions with 2^200 paths. For each: load and check, where
//! the call can still go at the first question (what intake works out before its first frame),
//! and listing 1 000 paths as JSON.
//!
//! Then four inputs that once took time growing with the square of their size, at 1 000, 8 000 and
//! 40 000: questions that each name a question that does not exist, one line of syntax errors, a
//! JSON answers file with that many distinct questions, and that many answers replayed along a
//! chain of that many questions. For each, the growth from 1 000 to 40 000 is printed (40.0× is
//! linear; 1 600× would be quadratic). Each time is the median of three runs after a warm-up.

#![allow(clippy::cast_precision_loss)] // timings of at most 10^5 questions

use std::fmt::Write as _;
use std::process::Command;
use std::time::{Duration, Instant};

use groupfit::answers::{self, parse_file};
use groupfit::check::{DEFAULT_MAX_PATHS, check};
use groupfit::explain::Explanation;
use groupfit::paths::Listing;
use groupfit::possible::{BUDGET, Bounds, still_possible};
use groupfit::source::{BUILTIN_TREE, Source};
use groupfit::tree::Tree;
use groupfit::walk::Walk;

#[path = "../tests/support/trees.rs"]
mod trees;

fn ternary_tree(questions: usize) -> String {
    let mut t = String::with_capacity(questions * 260);
    t.push_str("[tree]\ntitle = \"Generated\"\nversion = \"1\"\nstart = \"q0\"\ndisclaimer = \"A guide.\"\n");
    for q in 0..questions {
        let _ = write!(
            t,
            "\n[[question]]\nid = \"q{q}\"\ntext = \"Question {q}?\"\n"
        );
        for c in 1..=3 {
            let child = 3 * q + c;
            let _ = write!(
                t,
                "  [[question.option]]\n  id = \"o{c}\"\n  label = \"Option {c}\"\n"
            );
            if child < questions {
                let _ = writeln!(t, "  next = \"q{child}\"");
            } else {
                let _ = writeln!(
                    t,
                    "  score = {{ x = {}, y = {} }}\n  reason = \"Because.\"",
                    c,
                    4 - c
                );
            }
        }
    }
    for o in ["x", "y"] {
        let _ = write!(
            t,
            "\n[[outcome]]\nid = \"{o}\"\nname = \"Outcome {o}\"\nsummary = \"About {o}.\"\n"
        );
    }
    t
}

const HEADER: &str =
    "[tree]\ntitle = \"Generated\"\nversion = \"1\"\nstart = \"q0\"\ndisclaimer = \"A guide.\"\n";

/// `n` questions whose first option goes on to a question that does not exist.
fn elsewhere_tree(n: usize) -> String {
    let mut t = String::from(HEADER);
    for q in 0..n {
        let _ = write!(
            t,
            "\n[[question]]\nid = \"q{q}\"\ntext = \"Question {q}?\"\n  [[question.option]]\n  id = \"a\"\n  label = \"A\"\n  next = \"elsewhere\"\n  [[question.option]]\n  id = \"b\"\n  label = \"B\"\n  outcome = \"x\"\n"
        );
    }
    t.push_str("\n[[outcome]]\nid = \"x\"\nname = \"X\"\nsummary = \"About x.\"\n");
    t
}

/// `x = {` and then `1,` `n` times, all on one line: two syntax errors per `1,`.
fn long_line(n: usize) -> String {
    format!("x = {{{}\n", "1,".repeat(n))
}

/// A chain of `n` questions: the first option goes on (or, at the last, ends) with a reason and a
/// note of its own, so the explanation has `n` distinct lines in Why and in Keep in mind.
fn chain_tree(n: usize) -> String {
    let mut t = String::from(HEADER);
    for q in 0..n {
        let next = if q + 1 < n {
            format!("  next = \"q{}\"\n", q + 1)
        } else {
            String::new()
        };
        let _ = write!(
            t,
            "\n[[question]]\nid = \"q{q}\"\ntext = \"Question {q}?\"\n  [[question.option]]\n  id = \"a\"\n  label = \"A\"\n{next}  score = {{ x = 1, y = 1 }}\n  reason = \"Reason {q}.\"\n  note = \"Note {q}.\"\n  [[question.option]]\n  id = \"b\"\n  label = \"B\"\n  score = {{ y = 2 }}\n  reason = \"Because.\"\n"
        );
    }
    for o in ["x", "y"] {
        let _ = write!(
            t,
            "\n[[outcome]]\nid = \"{o}\"\nname = \"Outcome {o}\"\nsummary = \"About {o}.\"\n"
        );
    }
    t
}

/// The first option of each of `n` questions, as a TOML answers file or a JSON result.
fn answers_file(n: usize, json: bool) -> String {
    let mut t = String::new();
    if json {
        t.push_str("{\n  \"answers\": [\n");
        for q in 0..n {
            let comma = if q + 1 < n { "," } else { "" };
            let _ = writeln!(
                t,
                "    {{ \"question\": \"q{q}\", \"option\": \"a\" }}{comma}"
            );
        }
        t.push_str("  ]\n}\n");
    } else {
        t.push_str("[answers]\n");
        for q in 0..n {
            let _ = writeln!(t, "q{q} = \"a\"");
        }
    }
    t
}

/// The median of three runs, after one that is not counted.
fn time_once(mut run: impl FnMut()) -> Duration {
    run();
    median(
        (0..3)
            .map(|_| {
                let start = Instant::now();
                run();
                start.elapsed()
            })
            .collect(),
    )
}

/// Times the inputs that used to be quadratic, at each size, and prints how time grew.
fn quadratic_inputs(sizes: &[usize]) {
    println!();
    println!("{:<42} {:>7}  {:>10}", "input (size n)", "n", "time");
    let mut rows: Vec<(&str, Vec<Duration>)> = Vec::new();
    let mut record = |name: &'static str, n: usize, t: Duration| {
        println!("{name:<42} {n:>7}  {:>8.1}ms", t.as_secs_f64() * 1e3);
        match rows.iter_mut().find(|(row, _)| *row == name) {
            Some((_, times)) => times.push(t),
            None => rows.push((name, vec![t])),
        }
    };
    for &n in sizes {
        let source = Source::new("elsewhere.toml", elsewhere_tree(n));
        let t = time_once(|| {
            let checked = check(&source, DEFAULT_MAX_PATHS);
            let report = checked.report(&source);
            assert_eq!(report.errors(), n);
            std::hint::black_box(report.to_string());
        });
        record("check: n × next = \"elsewhere\"", n, t);

        let source = Source::new("line.toml", long_line(n));
        let t = time_once(|| {
            let checked = check(&source, DEFAULT_MAX_PATHS);
            let report = checked.report(&source);
            assert!(report.errors() > n);
            std::hint::black_box(report.to_string());
        });
        record("check: one line, x = { then 1, × n", n, t);

        let source = Source::new("answers.json", answers_file(n, true));
        let t = time_once(|| {
            let file = parse_file(&source).expect("the JSON answers parse");
            assert_eq!(file.answers.len(), n);
        });
        record("answers: JSON file, n distinct questions", n, t);

        let tree_source = Source::new("chain.toml", chain_tree(n));
        let (tree, _) = Tree::load(&tree_source).expect("the chain loads");
        let source = Source::new("answers.toml", answers_file(n, false));
        let t = time_once(|| {
            let file = parse_file(&source).expect("the TOML answers parse");
            let replayed = answers::replay(&tree, &file.answers).expect("the answers replay");
            let explanation = Explanation::of(&replayed.walk).expect("a recommendation");
            assert_eq!(explanation.why.len(), n);
            std::hint::black_box(explanation.to_text(80));
        });
        record("answer: n TOML answers along an n-chain", n, t);
    }
    for (name, times) in rows {
        if let (Some(first), Some(last)) = (times.first(), times.last())
            && times.len() > 1
        {
            let (small, large) = (sizes[0], sizes[sizes.len() - 1]);
            println!(
                "growth {name}: {:.1}× from n = {small} to n = {large} ({:.1}× is linear)",
                last.as_secs_f64() / first.as_secs_f64(),
                large as f64 / small as f64
            );
        }
    }
}

/// The median of `runs` timings of `work`.
fn timed<T>(runs: usize, mut work: impl FnMut() -> T) -> Duration {
    median(
        (0..runs)
            .map(|_| {
                let start = Instant::now();
                std::hint::black_box(work());
                start.elapsed()
            })
            .collect(),
    )
}

fn ms(t: Duration) -> String {
    format!("{:>10.1}ms", t.as_secs_f64() * 1e3)
}

/// The chain and the doubling tree: load+check, still possible at the start, 1 000 paths listed.
fn extreme_shapes(quick: bool) {
    let (depth, questions, runs) = if quick {
        (1_000, 20, 1)
    } else {
        (100_000, 200, 3)
    };
    println!("\n{:<44}  {:>12}", "extreme shape", "median");
    for (name, text, short_first) in [
        (
            format!("chain {depth} deep"),
            trees::chain(depth, false),
            trees::chain(depth, true),
        ),
        (
            format!("{questions} questions, 2^{questions} paths"),
            trees::doubling(questions),
            trees::doubling(questions),
        ),
    ] {
        let t = timed(runs, || {
            let checked = check(&Source::new("bench.toml", text.clone()), DEFAULT_MAX_PATHS);
            assert!(checked.tree.is_some(), "the generated tree must load");
        });
        println!("{:<44}  {}", format!("{name}: load+check"), ms(t));
        let tree = Tree::load(&Source::new("bench.toml", text.clone()))
            .map_or_else(|_| panic!("the generated tree must load"), |(tree, _)| tree);
        let t = timed(runs, || Bounds::of(&tree));
        println!(
            "{:<44}  {}",
            format!("{name}: bounds, once per tree"),
            ms(t)
        );
        let bounds = Bounds::of(&tree);
        let t = timed(runs, || still_possible(&Walk::new(&tree), &bounds, BUDGET));
        println!(
            "{:<44}  {}",
            format!("{name}: still possible at the start"),
            ms(t)
        );
        let listed = Tree::load(&Source::new("bench.toml", short_first))
            .map_or_else(|_| panic!("the generated tree must load"), |(tree, _)| tree);
        let t = timed(runs, || {
            Listing::new(&listed, 1_000).write_json(&mut std::io::sink())
        });
        println!("{:<44}  {}", format!("{name}: 1 000 paths as JSON"), ms(t));
    }
    let tree = Tree::load(&Source::new("bench.toml", trees::chain(depth, false)))
        .map_or_else(|_| panic!("the generated tree must load"), |(tree, _)| tree);
    let t = timed(runs, || {
        Listing::new(&tree, 3).write_json(&mut std::io::sink())
    });
    println!(
        "{:<44}  {}",
        format!("chain {depth} deep: its 3 longest paths as JSON"),
        ms(t)
    );
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn time_check(text: &str, runs: usize) -> Duration {
    let samples = (0..runs)
        .map(|_| {
            let source = Source::new("bench.toml", text.to_owned());
            let start = Instant::now();
            let checked = check(&source, DEFAULT_MAX_PATHS);
            let elapsed = start.elapsed();
            assert!(checked.tree.is_some(), "the generated tree must load");
            elapsed
        })
        .collect();
    median(samples)
}

fn python_tomllib(text: &str) -> Option<Duration> {
    let dir = std::env::temp_dir().join(format!("groupfit-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).ok()?;
    let path = dir.join("tree.toml");
    std::fs::write(&path, text).ok()?;
    let script = "import sys, time, tomllib, statistics\n\
data = open(sys.argv[1], 'rb').read().decode()\n\
ts = []\n\
for _ in range(5):\n    t = time.perf_counter(); tomllib.loads(data); ts.append(time.perf_counter() - t)\n\
print(statistics.median(ts))\n";
    let output = Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(&path)
        .output()
        .ok()?;
    let _ = std::fs::remove_dir_all(&dir);
    let seconds: f64 = String::from_utf8(output.stdout).ok()?.trim().parse().ok()?;
    Some(Duration::from_secs_f64(seconds))
}

/// The 1-, 5- and 15-minute load averages, where the system reports them.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg").map_or_else(
        |_| "unknown".to_owned(),
        |l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "),
    )
}

/// Median time of `f` over `runs` runs.
fn time(runs: usize, mut f: impl FnMut()) -> Duration {
    median(
        (0..runs)
            .map(|_| {
                let start = Instant::now();
                f();
                start.elapsed()
            })
            .collect(),
    )
}

/// `review` (check included, as the command runs it) and `diff` against a copy with one score
/// changed, on the built-in tree and the generated ones.
fn review_and_diff(quick: bool) {
    let sizes: &[usize] = if quick { &[1_000] } else { &[20_000, 100_000] };
    println!("\n{:>9}  {:>12}  {:>12}", "questions", "review", "diff");
    let mut rows = vec![("built-in".to_owned(), BUILTIN_TREE.to_owned())];
    rows.extend(sizes.iter().map(|&n| (n.to_string(), ternary_tree(n))));
    let mut per_size = Vec::new();
    for (name, text) in rows {
        let source = Source::new("bench.toml", text.clone());
        let changed = Source::new(
            "changed.toml",
            text.replacen("score = { x = 1, y = 3 }", "score = { x = 5, y = 3 }", 1)
                .replacen("support = 2", "support = 3", 1),
        );
        let runs = if quick { 1 } else { 5 };
        let review = time(runs, || {
            let checked = check(&source, DEFAULT_MAX_PATHS);
            let tree = checked.tree.as_ref().expect("the tree loads");
            let text = groupfit::review::to_markdown(tree, "bench", &checked, DEFAULT_MAX_PATHS);
            assert!(text.contains("## Sign-off"));
        });
        let old = Tree::load(&source).expect("loads").0;
        let new = Tree::load(&changed).expect("loads").0;
        let mut complete = true;
        let diff = time(runs, || {
            let diff = groupfit::diff::compare(&old, "old", &new, "new", DEFAULT_MAX_PATHS);
            complete = diff.complete;
        });
        println!(
            "{name:>9}  {:>10.1}ms  {:>10.1}ms{}",
            review.as_secs_f64() * 1e3,
            diff.as_secs_f64() * 1e3,
            if complete {
                ""
            } else {
                "  (diff stopped at the path budget, and says so)"
            }
        );
        per_size.push((review, diff));
    }
    if let [_, (r20, d20), (r100, d100)] = per_size.as_slice() {
        println!(
            "20 000 → 100 000 questions: review {:.2}×, diff {:.2}× the time for 5× the questions (5.00× is linear)",
            r100.as_secs_f64() / r20.as_secs_f64(),
            d100.as_secs_f64() / d20.as_secs_f64()
        );
    }
}

/// What showing each problem's line costs on a file with thousands of errors, against the check
/// itself and against printing the bare `file:line:col` lines.
fn snippets_on_many_errors(quick: bool) {
    let n = if quick { 100 } else { 5_000 };
    let mut t = String::from(
        "[tree]\ntitle = \"G\"\nversion = \"1\"\nstart = \"q0\"\ndisclaimer = \"d\"\n",
    );
    for q in 0..n {
        let _ = write!(
            t,
            "\n[[question]]\nid = \"q{q}\"\ntext = \"Q?\"\n  [[question.option]]\n  id = \"a\"\n  label = \"A\"\n  nxt = \"q{}\"\n  [[question.option]]\n  id = \"b\"\n  label = \"B\"\n  score = {{ x = 1 }}\n  reason = \"r\"\n",
            q + 1
        );
    }
    t.push_str("\n[[outcome]]\nid = \"x\"\nname = \"X\"\nsummary = \"s\"\n");
    let source = Source::new("errors.toml", t);
    let runs = if quick { 1 } else { 9 };
    let checked = check(&source, DEFAULT_MAX_PATHS);
    let report = checked.report(&source);
    let check_time = time(runs, || {
        let _ = check(&source, DEFAULT_MAX_PATHS).report(&source);
    });
    let bare = time(runs, || {
        let _ = report.to_string();
    });
    let shown = time(runs, || {
        let _ = groupfit::snippet::render(&report, &source);
    });
    println!(
        "\n{} errors: check {:.1}ms; printing them bare {:.1}ms, with their lines {:.1}ms: the lines add {:.1}% to check and print",
        report.errors(),
        check_time.as_secs_f64() * 1e3,
        bare.as_secs_f64() * 1e3,
        shown.as_secs_f64() * 1e3,
        100.0 * (shown.as_secs_f64() - bare.as_secs_f64()) / (check_time + bare).as_secs_f64()
    );
}

fn main() {
    let load_before = load_average();
    // `cargo test` runs benches in test mode with --bench absent; keep that quick.
    let quick = !std::env::args().any(|a| a == "--bench");
    let sizes: &[usize] = if quick {
        &[1_000]
    } else {
        &[1_000, 10_000, 20_000, 100_000]
    };
    println!(
        "{:>9}  {:>10}  {:>12}  {:>12}",
        "questions", "bytes", "load+check", "per question"
    );
    let mut per_question = Vec::new();
    let mut at_20k = None;
    let mut at_100k = None;
    let mut python = None;
    for &n in sizes {
        let text = ternary_tree(n);
        let runs = if n >= 100_000 { 5 } else { 9 };
        let t = time_check(&text, if quick { 1 } else { runs });
        let each = t.as_secs_f64() / n as f64;
        per_question.push(each);
        match n {
            20_000 => at_20k = Some(t),
            100_000 => at_100k = Some(t),
            _ => {}
        }
        println!(
            "{n:>9}  {:>10}  {:>10.1}ms  {:>10.0}ns",
            text.len(),
            t.as_secs_f64() * 1e3,
            each * 1e9
        );
        if n == 20_000
            && let Some(py) = python_tomllib(&text)
        {
            python = Some(py);
            println!(
                "           python tomllib parse only: {:.1}ms; groupfit load+check is {:.1}% of it",
                py.as_secs_f64() * 1e3,
                100.0 * t.as_secs_f64() / py.as_secs_f64()
            );
        }
    }
    if per_question.len() > 1 {
        let first = per_question[0];
        let last = per_question[per_question.len() - 1];
        println!(
            "growth: time per question at the largest size is {:.2}× that at the smallest (1.00× is linear)",
            last / first
        );
    }
    if let (Some(ours), Some(py)) = (at_20k, python) {
        println!(
            "20 000 questions: {:.1}ms against tomllib's {:.1}ms, a ratio of {:.3} (target: at most 0.100)",
            ours.as_secs_f64() * 1e3,
            py.as_secs_f64() * 1e3,
            ours.as_secs_f64() / py.as_secs_f64()
        );
    }
    if let (Some(small), Some(large)) = (at_20k, at_100k) {
        println!(
            "20 000 → 100 000 questions: {:.2}× the time for 5× the questions (5.00× is linear)",
            large.as_secs_f64() / small.as_secs_f64()
        );
    }
    extreme_shapes(quick);
    // GROUPFIT_BENCH_QUADRATIC=1000,8000 picks other sizes for the inputs below.
    let quadratic_sizes: Vec<usize> = match std::env::var("GROUPFIT_BENCH_QUADRATIC") {
        Ok(list) => list
            .split(',')
            .filter_map(|n| n.trim().parse().ok())
            .collect(),
        Err(_) if quick => vec![1_000],
        Err(_) => vec![1_000, 8_000, 40_000],
    };
    quadratic_inputs(&quadratic_sizes);
    review_and_diff(quick);
    snippets_on_many_errors(quick);
    println!(
        "CPUs available: {}; load average before {load_before}, after {}",
        std::thread::available_parallelism().map_or(1, std::num::NonZero::get),
        load_average()
    );
}
