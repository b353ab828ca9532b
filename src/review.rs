//! `groupfit review`: the sign-off report a reviewer can read in minutes.
//!
//! Where `paths` lists every path for machines, the review says what a person must look at: each
//! question and option in words with where it leads and what it scores; for each outcome how many
//! paths reach it and the answers typical of them; the borderline paths, where the winner leads
//! the runner-up by the smallest margin; every scenario with its result; and the safety screen's
//! routes. Paths are visited to a budget, and the signature block appears only when the review is
//! complete.

use std::collections::{BinaryHeap, HashMap};
use std::fmt::Write as _;

use crate::check::Checked;
use crate::paths;
use crate::tree::{Step, Tree};
use crate::walk::{Answer, Basis};

/// How many borderline paths are shown.
const BORDERLINE: usize = 10;
/// Answers counted per path of the budget: a visit of `max` paths stops after `max` times this
/// many answers, so a tree of very long paths is reviewed in time linear in the budget.
pub const WORK_PER_PATH: usize = 64;

/// How many typical answers are shown per outcome.
const TYPICAL: usize = 5;

/// A path with a small lead, kept in a bounded heap (largest margin on top, to be dropped first).
#[derive(Debug, Clone)]
struct Borderline {
    margin: i128,
    /// Fewer answers first among equal margins, then the order visited.
    length: usize,
    order: usize,
    answers: Vec<Answer>,
    winner: usize,
    runner_up: Option<usize>,
    scores: Vec<i64>,
}

/// What one visit of the paths gathers.
struct Gathered {
    visited: usize,
    total: u64,
    /// Paths that end at each outcome.
    reached: Vec<u64>,
    /// Paths that end at each outcome giving each answer, by (outcome, question, choice).
    answered: HashMap<(usize, usize, usize), u64>,
    /// All paths giving each answer, by (question, choice).
    answered_all: HashMap<(usize, usize), u64>,
    borderline: BinaryHeap<Borderline>,
    no_outcome: u64,
}

impl Borderline {
    fn key(&self) -> (i128, usize, usize) {
        (self.margin, self.length, self.order)
    }
}

impl PartialEq for Borderline {
    fn eq(&self, other: &Self) -> bool {
        self.key() == other.key()
    }
}

impl Eq for Borderline {}

impl PartialOrd for Borderline {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Borderline {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.key().cmp(&other.key())
    }
}

fn gather(tree: &Tree, max: usize) -> Gathered {
    let mut g = Gathered {
        visited: 0,
        total: paths::count(tree),
        reached: vec![0; tree.outcomes.len()],
        answered: HashMap::new(),
        answered_all: HashMap::new(),
        borderline: BinaryHeap::new(),
        no_outcome: 0,
    };
    let mut order = 0;
    let mut work = 0usize;
    let mut visiting = paths::Paths::new(tree);
    while g.visited < max && work < max.saturating_mul(WORK_PER_PATH) {
        let Some((walk, scores)) = visiting.next_path() else {
            break;
        };
        g.visited += 1;
        // Counting a path's answers costs its length, so very long paths stop the visit early.
        work += walk.answers().len();
        order += 1;
        let Ok(decision) = walk.decide(scores) else {
            g.no_outcome += 1;
            continue;
        };
        let o = decision.outcome;
        g.reached[o] += 1;
        for a in walk.answers() {
            *g.answered.entry((o, a.question, a.choice)).or_default() += 1;
            *g.answered_all.entry((a.question, a.choice)).or_default() += 1;
        }
        if decision.basis == Basis::Scored {
            let top = i128::from(scores[o]);
            let runner_up = scores
                .iter()
                .enumerate()
                .filter(|&(ix, _)| ix != o && !tree.outcomes[ix].urgent)
                .rev()
                .max_by_key(|&(_, &total)| total)
                .map(|(ix, _)| ix);
            let margin = runner_up.map_or(top, |r| top - i128::from(scores[r]));
            let candidate = || Borderline {
                margin,
                length: walk.answers().len(),
                order,
                answers: walk.answers().to_vec(),
                winner: o,
                runner_up,
                scores: scores.to_vec(),
            };
            if g.borderline.len() < BORDERLINE {
                g.borderline.push(candidate());
            } else if g
                .borderline
                .peek()
                .is_some_and(|worst| (margin, walk.answers().len()) < (worst.margin, worst.length))
            {
                g.borderline.pop();
                g.borderline.push(candidate());
            }
        }
    }
    g
}

/// Markdown table cells cannot hold a bare '|' or a line break.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

fn step_words(tree: &Tree, step: Step) -> String {
    match step {
        Step::Next(q) => format!("→ `{}`", tree.questions[q].id),
        Step::Outcome(o) if tree.outcomes[o].urgent => {
            format!("**ends: {} (urgent)**", cell(&tree.outcomes[o].name))
        }
        Step::Outcome(o) => format!("ends: {}", cell(&tree.outcomes[o].name)),
        Step::End => "ends; the totals decide".to_owned(),
    }
}

fn answer_words(tree: &Tree, a: Answer) -> String {
    let q = &tree.questions[a.question];
    format!("`{}` *{}*", q.id, cell(&q.choices[a.choice].label))
}

/// The review as Markdown. `what` names the tree in words; `checked` is what `check` found.
pub fn to_markdown(tree: &Tree, what: &str, checked: &Checked, max: usize) -> String {
    let g = gather(tree, max);
    let complete = g.visited as u64 == g.total;
    let errors = checked.diagnostics.iter().filter(|d| d.is_error()).count();
    let warnings = checked.diagnostics.len() - errors;
    let stats = &checked.stats;
    let mut out = String::new();
    let _ = writeln!(out, "# Sign-off review: {}\n", cell(&tree.title));
    let _ = writeln!(out, "- Tree: {what}");
    let _ = writeln!(out, "- Version: **{}**", cell(&tree.version));
    let _ = writeln!(out, "- SHA-256: `{}`", tree.sha256);
    let _ = writeln!(
        out,
        "- {} questions, {} outcomes, {} paths from the first question to an end",
        tree.questions.len(),
        tree.outcomes.len(),
        paths::count_in_words(g.total)
    );
    let _ = writeln!(
        out,
        "- `groupfit check`: {errors} error(s), {warnings} warning(s); {} of {} scenario(s) pass",
        stats.scenarios_passed, stats.scenarios
    );
    if !complete {
        let _ = writeln!(
            out,
            "- **Stopped early:** {} of {} paths were visited (--max-paths {max}, and at most {} answers counted in all); the counts below are of those only",
            g.visited,
            paths::count_in_words(g.total),
            max.saturating_mul(WORK_PER_PATH)
        );
    }

    safety_section(tree, &mut out);
    outcomes_section(tree, &g, &mut out);
    borderline_section(tree, &g, &mut out);
    scenarios_section(tree, checked, &mut out);
    questions_section(tree, &mut out);

    let _ = writeln!(out, "\n## Sign-off\n");
    let scenarios_pass = stats.scenarios_passed == stats.scenarios;
    if complete && errors == 0 && scenarios_pass && checked.tree.is_some() {
        let _ = writeln!(
            out,
            "I have reviewed version {} (SHA-256 `{}`) of this tree.\n\nReviewed by: ____________________  Role: ____________________  Date: ____________\n\nSignature: ____________________",
            cell(&tree.version),
            tree.sha256
        );
    } else {
        let mut why = Vec::new();
        if !complete {
            why.push("not every path was visited (raise --max-paths)".to_owned());
        }
        if errors > 0 {
            why.push(format!("`groupfit check` finds {errors} error(s)"));
        }
        if !scenarios_pass {
            why.push(format!(
                "{} scenario(s) fail",
                stats.scenarios - stats.scenarios_passed
            ));
        }
        let _ = writeln!(
            out,
            "This review is not complete, so it cannot be signed off: {}.",
            why.join("; ")
        );
    }
    out
}

fn safety_section(tree: &Tree, out: &mut String) {
    let _ = writeln!(out, "\n## The safety screen\n");
    let Some(safety) = tree.safety else {
        let _ = writeln!(out, "This tree names no safety screen.");
        return;
    };
    let q = &tree.questions[safety.question];
    let _ = writeln!(out, "Asked first: \"{}\"\n", cell(&q.text));
    let _ = writeln!(out, "| answer | where it leads |");
    let _ = writeln!(out, "| --- | --- |");
    for c in &q.choices {
        let _ = writeln!(out, "| {} | {} |", cell(&c.label), step_words(tree, c.step));
    }
    if let Some(also) = &q.also {
        let _ = writeln!(
            out,
            "\nAfter a danger it asks: \"{}\", so a person in more than one danger gets the help for each, most urgent first.",
            cell(&also.text)
        );
    }
}

fn outcomes_section(tree: &Tree, g: &Gathered, out: &mut String) {
    let _ = writeln!(out, "\n## Where the paths end\n");
    let _ = writeln!(
        out,
        "| outcome | paths | answers typical of them (share of its paths) |"
    );
    let _ = writeln!(out, "| --- | ---: | --- |");
    let all = g.reached.iter().sum::<u64>().max(1);
    for (o, outcome) in tree.outcomes.iter().enumerate() {
        let reached = g.reached[o];
        let name = if outcome.urgent {
            format!("{} (urgent)", cell(&outcome.name))
        } else {
            cell(&outcome.name)
        };
        if reached == 0 {
            let _ = writeln!(out, "| {name} | 0 | **no path ends here** |");
            continue;
        }
        // Typical answers: common on this outcome's paths and commoner there than overall.
        let mut typical: Vec<(f64, f64, Answer)> = g
            .answered
            .iter()
            .filter(|&(&(to, _, _), _)| to == o)
            .map(|(&(_, q, c), &n)| {
                #[allow(clippy::cast_precision_loss)] // shares of at most 2^53 paths
                let share = n as f64 / reached as f64;
                #[allow(clippy::cast_precision_loss)]
                let overall = g.answered_all[&(q, c)] as f64 / all as f64;
                (
                    share,
                    share - overall,
                    Answer {
                        question: q,
                        choice: c,
                    },
                )
            })
            .filter(|&(share, lift, _)| share >= 0.3 && lift > 0.0)
            .collect();
        typical.sort_by(|a, b| {
            b.1.total_cmp(&a.1)
                .then(b.0.total_cmp(&a.0))
                .then((a.2.question, a.2.choice).cmp(&(b.2.question, b.2.choice)))
        });
        let words: Vec<String> = typical
            .iter()
            .take(TYPICAL)
            .map(|&(share, _, a)| format!("{} ({:.0}%)", answer_words(tree, a), share * 100.0))
            .collect();
        let words = if words.is_empty() {
            "no answer stands out".to_owned()
        } else {
            words.join("<br>")
        };
        let _ = writeln!(out, "| {name} | {reached} | {words} |");
    }
    if g.no_outcome > 0 {
        let _ = writeln!(
            out,
            "| **no outcome** | {} | see `groupfit check` |",
            g.no_outcome
        );
    }
}

fn borderline_section(tree: &Tree, g: &Gathered, out: &mut String) {
    let _ = writeln!(out, "\n## Borderline paths\n");
    let mut borderline = g.borderline.clone().into_sorted_vec();
    if borderline.is_empty() {
        let _ = writeln!(out, "No path is decided by scores.");
        return;
    }
    borderline.truncate(BORDERLINE);
    let _ = writeln!(
        out,
        "The {} path(s) decided by scores where the winner leads the runner-up by the least: a small change of score here changes the recommendation. Answers are given as question id and answer; the questions are listed in full below.\n",
        borderline.len()
    );
    for (n, b) in borderline.iter().enumerate() {
        let runner = b.runner_up.map_or_else(
            || "no other outcome".to_owned(),
            |r| format!("{} {}", cell(&tree.outcomes[r].name), b.scores[r]),
        );
        let answers: Vec<String> = b.answers.iter().map(|&a| answer_words(tree, a)).collect();
        let _ = writeln!(
            out,
            "{}. **{}** {} ahead of {runner} (lead {}): {}",
            n + 1,
            cell(&tree.outcomes[b.winner].name),
            b.scores[b.winner],
            b.margin,
            answers.join(" · ")
        );
    }
}

fn scenarios_section(tree: &Tree, checked: &Checked, out: &mut String) {
    let _ = writeln!(out, "\n## Scenarios\n");
    if tree.scenarios.is_empty() {
        let _ = writeln!(out, "The tree has no scenarios.");
        return;
    }
    let failing: Vec<&str> = checked
        .diagnostics
        .iter()
        .filter(|d| d.is_error() && d.message.starts_with("scenario '"))
        .map(|d| d.message.as_str())
        .collect();
    let _ = writeln!(out, "| scenario | expects | result |");
    let _ = writeln!(out, "| --- | --- | --- |");
    for s in &tree.scenarios {
        let prefix = format!("scenario '{}'", s.name);
        let expects = tree
            .outcome_ix(&s.expect)
            .map_or_else(|| s.expect.clone(), |o| tree.outcomes[o].name.clone());
        let result = match failing.iter().find(|m| m.starts_with(&prefix)) {
            Some(message) => format!("**fails**: {}", cell(message)),
            None => "passes".to_owned(),
        };
        let _ = writeln!(out, "| {} | {} | {result} |", cell(&s.name), cell(&expects));
    }
}

fn questions_section(tree: &Tree, out: &mut String) {
    let _ = writeln!(out, "\n## Every question and answer\n");
    for q in tree.topological_order() {
        let question = &tree.questions[q];
        let _ = writeln!(out, "### `{}`: {}\n", question.id, cell(&question.text));
        if let Some(intake) = &question.intake {
            let _ = writeln!(out, "Read aloud: \"{}\"\n", cell(intake));
        }
        let _ = writeln!(out, "| answer | where it leads | scores |");
        let _ = writeln!(out, "| --- | --- | --- |");
        for c in &question.choices {
            let scores: Vec<String> = c
                .score
                .iter()
                .map(|&(o, p)| format!("{} {p:+}", tree.outcomes[o].id))
                .collect();
            let _ = writeln!(
                out,
                "| {} | {} | {} |",
                cell(&c.label),
                step_words(tree, c.step),
                scores.join(", ")
            );
        }
        let _ = writeln!(out);
    }
}
