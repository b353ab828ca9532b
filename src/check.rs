//! `groupfit check`: everything that can be wrong with a tree, found at once.
//!
//! Structural checks (keys, ids, references, cycles, unreachable questions, reasonless scores) are
//! complete and linear in the size of the file. Path checks (no winner, ties, outcomes never
//! recommended) visit paths up to a budget and say when they stopped early. Scenarios are replayed
//! through the same walk as every other answer.

use std::collections::HashSet;

use serde::Serialize;

use crate::answers::{GivenAnswer, replay};
use crate::diagnostic::{Diagnostic, Report};
use crate::paths;
use crate::source::Source;
use crate::tree::{Step, Tree};
use crate::walk::{NoRecommendation, Walk};

/// How many problems of one kind are listed one by one before the rest are counted in one line.
const LISTED_PER_KIND: usize = 25;

/// The default path budget, as DESIGN gives it.
pub const DEFAULT_MAX_PATHS: usize = 100_000;

/// What was checked, for the summary line.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Stats {
    pub questions: usize,
    pub outcomes: usize,
    pub paths_total: u64,
    pub paths_checked: usize,
    pub paths_complete: bool,
    pub scenarios: usize,
    pub scenarios_passed: usize,
    pub options_covered: usize,
    pub options_total: usize,
    pub outcomes_covered: usize,
}

#[derive(Debug)]
pub struct Checked {
    pub tree: Option<Tree>,
    pub diagnostics: Vec<Diagnostic>,
    pub stats: Stats,
}

impl Checked {
    pub fn report(&self, source: &Source) -> Report {
        Report::new(source, &self.diagnostics)
    }

    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Runs every check on a file.
pub fn check(source: &Source, max_paths: usize) -> Checked {
    let (tree, mut diagnostics) = match Tree::load(source) {
        Ok(loaded) => loaded,
        Err(diagnostics) => {
            return Checked {
                tree: None,
                diagnostics,
                stats: Stats::default(),
            };
        }
    };
    let mut stats = Stats {
        questions: tree.questions.len(),
        outcomes: tree.outcomes.len(),
        options_total: tree.questions.iter().map(|q| q.choices.len()).sum(),
        ..Stats::default()
    };
    unreachable_questions(&tree, &mut diagnostics);
    reasonless_scores(&tree, &mut diagnostics);
    urgent_without_guidance(&tree, &mut diagnostics);
    unworded_for_the_record(&tree, &mut diagnostics);
    check_paths(&tree, max_paths, &mut stats, &mut diagnostics);
    check_scenarios(&tree, source, &mut stats, &mut diagnostics);
    Checked {
        tree: Some(tree),
        diagnostics,
        stats,
    }
}

fn unreachable_questions(tree: &Tree, diagnostics: &mut Vec<Diagnostic>) {
    let mut reached = vec![false; tree.questions.len()];
    reached[tree.start] = true;
    let mut stack = vec![tree.start];
    while let Some(q) = stack.pop() {
        for choice in &tree.questions[q].choices {
            if let Step::Next(next) = choice.step
                && !reached[next]
            {
                reached[next] = true;
                stack.push(next);
            }
        }
    }
    for (question, _) in tree.questions.iter().zip(&reached).filter(|(_, r)| !**r) {
        diagnostics.push(Diagnostic::warning(
            question.span.clone(),
            format!(
                "question '{}' is never asked: no path from the start reaches it; point a 'next' at it or remove it",
                question.id
            ),
        ));
    }
}

/// Intake staff need to be told what to do on the call when an urgent outcome comes up.
fn urgent_without_guidance(tree: &Tree, diagnostics: &mut Vec<Diagnostic>) {
    for outcome in tree
        .outcomes
        .iter()
        .filter(|o| o.urgent && o.guidance.is_none())
    {
        diagnostics.push(Diagnostic::warning(
            outcome.span.clone(),
            format!(
                "urgent outcome '{}' has no 'guidance' for intake staff; add guidance = \"...\" saying to stay on the line and how to connect the caller to crisis help",
                outcome.id
            ),
        ));
    }
}

/// A question read aloud in intake goes into the case record: without `record` wording the
/// record falls back to the read-aloud words, and without an `intake_label` it can only quote
/// the first-person answer as worded on screen.
fn unworded_for_the_record(tree: &Tree, diagnostics: &mut Vec<Diagnostic>) {
    for question in tree.questions.iter().filter(|q| q.intake.is_some()) {
        if question.record.is_none() {
            diagnostics.push(Diagnostic::warning(
                question.span.clone(),
                format!(
                    "question '{}' has read-aloud 'intake' wording but no 'record' wording, so the case record uses the words read aloud; add record = \"...\" in neutral words, such as \"The caller's age group\"",
                    question.id
                ),
            ));
        }
        for choice in question.choices.iter().filter(|c| c.intake_label.is_none()) {
            diagnostics.push(Diagnostic::warning(
                choice.span.clone(),
                format!(
                    "option '{}' of question '{}' has no 'intake_label', so the case record quotes its label \"{}\" as worded on screen; add intake_label = \"...\" saying it of the caller, in the third person",
                    choice.id, question.id, choice.label
                ),
            ));
        }
    }
}

fn reasonless_scores(tree: &Tree, diagnostics: &mut Vec<Diagnostic>) {
    for question in &tree.questions {
        for choice in question.choices.iter().filter(|c| c.reason.is_none()) {
            let favoured: Vec<&str> = choice
                .score
                .iter()
                .filter(|&&(_, points)| points > 0)
                .map(|&(o, _)| tree.outcomes[o].id.as_str())
                .collect();
            if !favoured.is_empty() {
                diagnostics.push(Diagnostic::warning(
                    choice.span.clone(),
                    format!(
                        "option '{}' of question '{}' scores for '{}' but has no 'reason', so the explanation cannot say why; add a reason",
                        choice.id,
                        question.id,
                        favoured.join("', '")
                    ),
                ));
            }
        }
    }
}

/// Lists the first problems of a kind one by one and counts the rest.
struct Capped {
    listed: usize,
    more: usize,
}

impl Capped {
    fn new() -> Self {
        Self { listed: 0, more: 0 }
    }

    fn push(&mut self, diagnostics: &mut Vec<Diagnostic>, diagnostic: impl FnOnce() -> Diagnostic) {
        if self.listed < LISTED_PER_KIND {
            diagnostics.push(diagnostic());
            self.listed += 1;
        } else {
            self.more += 1;
        }
    }

    fn finish(&self, diagnostics: &mut Vec<Diagnostic>, error: bool, what: &str) {
        if self.more > 0 {
            let message = format!(
                "… and {} more {what} (the first {LISTED_PER_KIND} are listed)",
                self.more
            );
            diagnostics.push(if error {
                Diagnostic::error(None, message)
            } else {
                Diagnostic::warning(None, message)
            });
        }
    }
}

fn describe(walk: &Walk<'_>) -> String {
    let tree = walk.tree();
    walk.answers()
        .iter()
        .map(|a| {
            let q = &tree.questions[a.question];
            format!("{}={}", q.id, q.choices[a.choice].id)
        })
        .collect::<Vec<_>>()
        .join(" → ")
}

fn check_paths(
    tree: &Tree,
    max_paths: usize,
    stats: &mut Stats,
    diagnostics: &mut Vec<Diagnostic>,
) {
    stats.paths_total = paths::count(tree);
    let mut recommended = vec![false; tree.outcomes.len()];
    let mut no_winner = Capped::new();
    let mut ties = Capped::new();
    let mut found = Vec::new();
    stats.paths_checked = paths::visit_with_scores(tree, max_paths, |walk, scores| {
        let last = || {
            walk.answers()
                .last()
                .map(|a| tree.questions[a.question].choices[a.choice].span.clone())
        };
        match walk.decide(scores) {
            Ok(decision) => {
                recommended[decision.outcome] = true;
                if decision.tie {
                    ties.push(&mut found, || {
                        let top = scores[decision.outcome];
                        let tied_ids: Vec<&str> = scores
                            .iter()
                            .enumerate()
                            .filter(|&(_, &total)| total == top)
                            .map(|(o, _)| tree.outcomes[o].id.as_str())
                            .collect();
                        Diagnostic::warning(
                            last(),
                            format!(
                                "the path {} ends in a tie between '{}' ({top} each); '{}' wins only because it is listed first — adjust a score so one outcome leads",
                                describe(walk),
                                tied_ids.join("' and '"),
                                tree.outcomes[decision.outcome].id
                            ),
                        )
                    });
                }
            }
            Err(NoRecommendation::NoWinner | NoRecommendation::Unfinished(_)) => {
                no_winner.push(&mut found, || {
                    Diagnostic::error(
                        last(),
                        format!(
                            "the path {} favours no outcome: nothing scores above zero; give one of its answers a positive score, or set 'fallback' in [tree]",
                            describe(walk)
                        ),
                    )
                });
            }
        }
    });
    diagnostics.append(&mut found);
    no_winner.finish(diagnostics, true, "paths that favour no outcome");
    ties.finish(diagnostics, false, "paths that end in a tie");
    stats.paths_complete = stats.paths_checked as u64 == stats.paths_total;
    if stats.paths_complete {
        for (outcome, _) in tree.outcomes.iter().zip(&recommended).filter(|(_, r)| !**r) {
            diagnostics.push(Diagnostic::warning(
                outcome.span.clone(),
                format!(
                    "outcome '{}' is never recommended: no path leads to it; route an option to it with outcome = \"{}\" or score for it",
                    outcome.id, outcome.id
                ),
            ));
        }
    } else {
        diagnostics.push(Diagnostic::warning(
            None,
            format!(
                "stopped early: checked {} of {} paths (--max-paths {max_paths}); ties, paths with no winner and outcomes never recommended were checked only on those — raise --max-paths to check every path",
                stats.paths_checked, stats.paths_total
            ),
        ));
    }
}

/// A problem's words, with the scenarios (name, where) it is found in.
type SharedProblem = (String, Vec<(String, std::ops::Range<usize>)>);

/// How many line numbers a grouped problem lists.
const LISTED_LINES: usize = 12;

/// One problem shared by several scenarios, such as the answer to a new question missing from
/// each: reported once, under its cause, with the lines of every scenario it is found in.
fn grouped_scenario_problems(
    source: &Source,
    groups: Vec<SharedProblem>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    for (message, found) in groups {
        if let [(name, span)] = found.as_slice() {
            diagnostics.push(Diagnostic::error(
                span.clone(),
                format!("scenario '{name}': {message}"),
            ));
            continue;
        }
        let lines: Vec<String> = found
            .iter()
            .take(LISTED_LINES)
            .map(|(_, span)| source.position(span.start).0.to_string())
            .collect();
        let more = found.len().saturating_sub(LISTED_LINES);
        let more = if more > 0 {
            format!(" and {more} more")
        } else {
            String::new()
        };
        diagnostics.push(Diagnostic::error(
            found[0].1.clone(),
            format!(
                "{} scenarios share one problem: {message}; in the scenarios on lines {}{more}",
                found.len(),
                lines.join(", ")
            ),
        ));
    }
}

fn check_scenarios(
    tree: &Tree,
    source: &Source,
    stats: &mut Stats,
    diagnostics: &mut Vec<Diagnostic>,
) {
    stats.scenarios = tree.scenarios.len();
    let mut groups: Vec<SharedProblem> = Vec::new();
    let mut unwalked = 0;
    let mut covered_options: HashSet<(usize, usize)> = HashSet::new();
    let mut covered_outcomes: HashSet<usize> = HashSet::new();
    for scenario in &tree.scenarios {
        let Some(expected) = tree.outcome_ix(&scenario.expect) else {
            let hint = tree.suggest_outcome(&scenario.expect);
            diagnostics.push(Diagnostic::error(
                scenario.expect_span.clone(),
                format!(
                    "scenario '{}' expects outcome '{}', but there is no such outcome{hint}",
                    scenario.name, scenario.expect
                ),
            ));
            continue;
        };
        let given: Vec<GivenAnswer> = scenario
            .answers
            .iter()
            .map(|(q, o, span)| GivenAnswer {
                question: q.clone(),
                option: o.clone(),
                span: Some(span.clone()),
            })
            .collect();
        let replayed = match replay(tree, &given) {
            Ok(replayed) => replayed,
            Err(problems) => {
                unwalked += 1;
                for problem in problems {
                    let span = problem.span.unwrap_or(scenario.answers_span.clone());
                    let found = (scenario.name.clone(), span);
                    match groups.iter_mut().find(|(m, _)| *m == problem.message) {
                        Some((_, list)) => list.push(found),
                        None => groups.push((problem.message, vec![found])),
                    }
                }
                continue;
            }
        };
        for warning in replayed.unused {
            diagnostics.push(Diagnostic::warning(
                warning.span,
                format!("scenario '{}': {}", scenario.name, warning.message),
            ));
        }
        for answer in replayed.walk.answers() {
            covered_options.insert((answer.question, answer.choice));
        }
        match replayed.walk.recommendation() {
            Ok(rec) if rec.outcome == expected => {
                stats.scenarios_passed += 1;
                covered_outcomes.insert(expected);
            }
            Ok(rec) => {
                covered_outcomes.insert(rec.outcome);
                let totals: Vec<String> = tree
                    .outcomes
                    .iter()
                    .zip(&rec.scores)
                    .filter(|(o, _)| !o.urgent)
                    .map(|(o, total)| format!("{} {total}", o.id))
                    .collect();
                diagnostics.push(Diagnostic::error(
                    scenario.expect_span.clone(),
                    format!(
                        "scenario '{}' expects '{}' but its answers lead to '{}' (totals: {})",
                        scenario.name,
                        scenario.expect,
                        tree.outcomes[rec.outcome].id,
                        totals.join(", ")
                    ),
                ));
            }
            Err(NoRecommendation::NoWinner) => diagnostics.push(Diagnostic::error(
                scenario.expect_span.clone(),
                format!(
                    "scenario '{}' expects '{}' but its answers favour no outcome: nothing scores above zero and the tree has no fallback; give one of its answers a positive score, or set 'fallback' in [tree]",
                    scenario.name, scenario.expect
                ),
            )),
            Err(problem) => diagnostics.push(Diagnostic::error(
                scenario.expect_span.clone(),
                format!(
                    "scenario '{}' expects '{}' but {problem}",
                    scenario.name, scenario.expect
                ),
            )),
        }
    }
    grouped_scenario_problems(source, groups, diagnostics);
    stats.options_covered = covered_options.len();
    stats.outcomes_covered = covered_outcomes.len();
    if unwalked > 0 {
        // Coverage follows from the scenarios that walk the tree; until the others are fixed,
        // a warning per option would only repeat the errors above.
        let options = stats.options_total - stats.options_covered;
        let outcomes = tree.outcomes.len() - stats.outcomes_covered;
        diagnostics.push(Diagnostic::warning(
            None,
            format!(
                "(about the scenarios as a whole) {options} option(s) and {outcomes} outcome(s) are not yet covered by a scenario, but {unwalked} scenario(s) do not walk the tree (see the errors); fix those first, then check again to see which are really not covered"
            ),
        ));
        return;
    }
    if tree.scenarios.is_empty() {
        diagnostics.push(Diagnostic::warning(
            None,
            "the tree has no [[scenario]] cases; add some so that changes to the tree are checked against the answers you expect",
        ));
        return;
    }
    let mut options = Capped::new();
    for (q, question) in tree.questions.iter().enumerate() {
        for (c, choice) in question.choices.iter().enumerate() {
            if !covered_options.contains(&(q, c)) {
                options.push(diagnostics, || {
                    Diagnostic::warning(
                        choice.span.clone(),
                        format!(
                            "no scenario answers '{}' with option '{}'; add a [[scenario]] that does",
                            question.id, choice.id
                        ),
                    )
                });
            }
        }
    }
    options.finish(diagnostics, false, "options no scenario covers");
    for (o, outcome) in tree.outcomes.iter().enumerate() {
        if !covered_outcomes.contains(&o) {
            diagnostics.push(Diagnostic::warning(
                outcome.span.clone(),
                format!(
                    "no scenario leads to outcome '{}'; add a [[scenario]] that does",
                    outcome.id
                ),
            ));
        }
    }
}

/// The one-line summary printed after the diagnostics; `what` names the tree in words
/// ([`Source::describe`]).
pub fn summary(checked: &Checked, report: &Report, what: &str) -> String {
    let s = &checked.stats;
    let verdict = match (report.errors(), report.warnings()) {
        (0, 0) => "no problems".to_owned(),
        (e, w) => format!("{e} error(s), {w} warning(s)"),
    };
    if checked.tree.is_none() {
        return format!(
            "Checked {what}: {verdict}; paths and scenarios are checked once these are fixed"
        );
    }
    let paths = if s.paths_complete {
        format!("{} path(s) checked", paths::count_in_words(s.paths_total))
    } else {
        format!(
            "{} of {} path(s) checked",
            s.paths_checked,
            paths::count_in_words(s.paths_total)
        )
    };
    format!(
        "Checked {what}: {verdict}; {} questions, {} outcomes, {paths}; {} of {} scenario(s) pass, covering {} of {} options and {} of {} outcomes",
        s.questions,
        s.outcomes,
        s.scenarios_passed,
        s.scenarios,
        s.options_covered,
        s.options_total,
        s.outcomes_covered,
        s.outcomes
    )
}

#[cfg(test)]
mod props {
    use std::fmt::Write as _;

    use proptest::prelude::*;

    use super::*;
    use crate::tree::MAX_POINTS;

    /// A well-formed tree text: questions that may point anywhere (cycles included), outcomes,
    /// scores of any sign and scenarios with any answers.
    fn tree_text() -> impl Strategy<Value = String> {
        let option = (
            0u8..4,
            0usize..8,
            prop::collection::vec((0usize..3, -3i64..4), 0..3),
            any::<bool>(),
        );
        let question = prop::collection::vec(option, 1..5);
        let scenario = (
            prop::collection::vec((0usize..8, 0usize..5), 0..5),
            0usize..4,
        );
        (
            prop::collection::vec(question, 1..7),
            prop::collection::vec(scenario, 0..4),
            any::<bool>(),
        )
            .prop_map(|(questions, scenarios, fallback)| {
                let n = questions.len();
                let mut t = String::from("[tree]\ntitle = \"t\"\nversion = \"1\"\nstart = \"q0\"\ndisclaimer = \"d\"\n");
                if fallback {
                    t.push_str("fallback = \"o1\"\n");
                }
                for (qi, options) in questions.iter().enumerate() {
                    let _ = write!(t, "\n[[question]]\nid = \"q{qi}\"\ntext = \"Q{qi}?\"\n");
                    for (oi, (kind, target, scores, reason)) in options.iter().enumerate() {
                        let _ = write!(t, "[[question.option]]\nid = \"a{oi}\"\nlabel = \"A{oi}\"\n");
                        match kind {
                            0 => {
                                let _ = writeln!(t, "next = \"q{}\"", target % (n + 1));
                            }
                            1 => {
                                let _ = writeln!(t, "outcome = \"o{}\"", target % 4);
                            }
                            _ => {}
                        }
                        if !scores.is_empty() {
                            let parts: Vec<String> = scores
                                .iter()
                                .map(|(o, p)| format!("o{o} = {p}"))
                                .collect::<std::collections::BTreeSet<_>>()
                                .into_iter()
                                .collect();
                            let _ = writeln!(t, "score = {{ {} }}", parts.join(", "));
                        }
                        if *reason {
                            t.push_str("reason = \"r\"\ncaveat = \"c\"\n");
                        }
                    }
                }
                for o in 0..3 {
                    let _ = write!(t, "\n[[outcome]]\nid = \"o{o}\"\nname = \"O{o}\"\nsummary = \"s\"\n");
                }
                for (si, (answers, expect)) in scenarios.iter().enumerate() {
                    let pairs: Vec<String> = answers
                        .iter()
                        .copied()
                        .collect::<std::collections::BTreeMap<usize, usize>>()
                        .into_iter()
                        .map(|(q, a)| format!("q{q} = \"a{a}\""))
                        .collect();
                    let _ = write!(
                        t,
                        "\n[[scenario]]\nname = \"s{si}\"\nanswers = {{ {} }}\nexpect = \"o{expect}\"\n",
                        pairs.join(", ")
                    );
                }
                t
            })
    }

    /// Two questions; the first scores `first_a` and `first_b` for o0.
    fn bounded(first_a: i64, first_b: i64) -> String {
        format!(
            "[tree]\ntitle = \"t\"\nversion = \"1\"\nstart = \"q0\"\ndisclaimer = \"d\"\n\n\
[[question]]\nid = \"q0\"\ntext = \"?\"\n\
[[question.option]]\nid = \"a\"\nlabel = \"A\"\nnext = \"q1\"\nscore = {{ o0 = {first_a} }}\nreason = \"r\"\n\
[[question.option]]\nid = \"b\"\nlabel = \"B\"\nnext = \"q1\"\nscore = {{ o0 = {first_b} }}\nreason = \"r\"\n\n\
[[question]]\nid = \"q1\"\ntext = \"?\"\n\
[[question.option]]\nid = \"a\"\nlabel = \"A\"\nscore = {{ o0 = 5, o1 = 1 }}\nreason = \"r\"\n\
[[question.option]]\nid = \"b\"\nlabel = \"B\"\nscore = {{ o0 = -7 }}\n\n\
[[outcome]]\nid = \"o0\"\nname = \"O0\"\nsummary = \"s\"\n\n\
[[outcome]]\nid = \"o1\"\nname = \"O1\"\nsummary = \"s\"\n"
        )
    }

    #[test]
    fn totals_of_scores_at_the_bound_are_added_up_as_a_walk_adds_them() {
        let source = Source::new("bound.toml", bounded(MAX_POINTS, -MAX_POINTS));
        let checked = check(&source, 100);
        let tree = checked.tree.as_ref().expect("the tree loads");
        let mut seen = Vec::new();
        paths::visit_with_scores(tree, 100, |walk, scores| {
            assert_eq!(scores, walk.scores().as_slice());
            seen.push(scores.to_vec());
        });
        assert_eq!(
            seen,
            vec![
                vec![MAX_POINTS + 5, 1],
                vec![MAX_POINTS - 7, 0],
                vec![-MAX_POINTS + 5, 1],
                vec![-MAX_POINTS - 7, 0]
            ]
        );
    }

    #[test]
    fn a_score_past_the_bound_is_an_error_at_its_value() {
        for points in [MAX_POINTS + 1, -MAX_POINTS - 1, i64::MIN] {
            let text = bounded(points, 1);
            let checked = check(&Source::new("past.toml", text.clone()), 100);
            assert!(checked.tree.is_none());
            let report = checked.report(&Source::new("past.toml", text));
            let found = report
                .to_string()
                .lines()
                .find(|l| l.contains("beyond the limit of 1000000 either way"))
                .map(str::to_owned);
            assert_eq!(
                found.as_deref().and_then(|l| l.split(": error").next()),
                Some("past.toml:14:16"),
                "{report}"
            );
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn any_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
            let source = Source::new("fuzz.toml", String::from_utf8_lossy(&bytes).into_owned());
            let _ = check(&source, 1000);
        }

        #[test]
        fn any_tomlish_text_never_panics(text in "(\\[\\[?(tree|question|question\\.option|outcome|scenario)\\]\\]?\n|[a-z]{1,6} = (\"[a-z0-9]{0,4}\"|[0-9-]{1,3}|\\{ [a-z0-9]{1,3} = [0-9-]{1,3} \\}|\\[\\]|true)\n|#.*\n|\n){0,40}") {
            let source = Source::new("fuzz.toml", text);
            let _ = check(&source, 1000);
        }

        #[test]
        fn well_formed_trees_never_panic_and_agree_with_paths(text in tree_text()) {
            let source = Source::new("gen.toml", text);
            let checked = check(&source, 10_000);
            if let Some(tree) = &checked.tree {
                paths::visit_with_scores(tree, 10_000, |walk, scores| {
                    assert_eq!(scores, walk.scores().as_slice());
                    let decision = walk.decide(scores);
                    let recommendation = walk.recommendation();
                    assert_eq!(decision.as_ref().err(), recommendation.as_ref().err());
                    if let (Ok(decision), Ok(recommendation)) = (decision, recommendation) {
                        assert_eq!(
                            (decision.outcome, decision.basis, decision.tie),
                            (recommendation.outcome, recommendation.basis, recommendation.tie)
                        );
                    }
                });
                let mut listed = Vec::new();
                paths::visit(tree, 10_000, |walk| {
                    listed.push((walk.answers().to_vec(), walk.recommendation().ok()));
                });
                let mut json = Vec::new();
                paths::Listing::new(tree, 10_000).write_json(&mut json).unwrap();
                let json: serde_json::Value = serde_json::from_slice(&json).unwrap();
                prop_assert_eq!(json["total"].as_u64(), Some(paths::count(tree)));
                prop_assert_eq!(json["paths"].as_array().map(Vec::len), Some(listed.len()));
                for (answers, recommendation) in &listed {
                    let given: Vec<GivenAnswer> = answers.iter().map(|a| {
                        let q = &tree.questions[a.question];
                        GivenAnswer { question: q.id.clone(), option: q.choices[a.choice].id.clone(), span: None }
                    }).collect();
                    let replayed = replay(tree, &given).expect("a listed path replays");
                    prop_assert_eq!(&replayed.walk.recommendation().ok(), recommendation);
                }
            }
        }

        #[test]
        fn still_possible_agrees_with_trying_everything(text in tree_text()) {
            let source = Source::new("gen.toml", text);
            if let Ok((tree, _)) = Tree::load(&source) {
                let bounds = crate::possible::Bounds::of(&tree);
                let mut walk = crate::walk::Walk::new(&tree);
                // Along the walk that always takes the last answer, at every question.
                loop {
                    let possible = crate::possible::still_possible(&walk, &bounds, usize::MAX);
                    prop_assert!(possible.exact);
                    prop_assert_eq!(
                        possible.outcomes,
                        crate::possible::tests::by_trying_everything(&walk)
                    );
                    match walk.position() {
                        crate::walk::Position::Asking(q) => {
                            walk.choose(tree.questions[q].choices.len() - 1);
                        }
                        crate::walk::Position::Finished => break,
                    }
                }
            }
        }
    }
}
