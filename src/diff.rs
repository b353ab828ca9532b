//! `groupfit diff`: what changed between two versions of a tree, and above all which answers now
//! end at a different outcome.
//!
//! Content is compared by id: questions, options, outcomes and scenarios added, removed, reworded,
//! routed or scored differently. Outcomes are compared by walking both trees side by side over
//! every combination of answers either of them asks for (a question only one tree has is answered
//! in every way it allows), up to a budget, so that "which callers would now be told something
//! different" is counted, per pair of outcomes, with the shortest examples.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

use serde::Serialize;

use crate::tree::{Choice, Outcome, Question, Step, Tree};
use crate::walk::{Position, Walk};

/// Answers followed per combination of the budget, as in [`crate::review::WORK_PER_PATH`].
const WORK_PER_PATH: usize = crate::review::WORK_PER_PATH;

/// How many examples are kept for each pair of outcomes.
const EXAMPLES: usize = 3;

/// One tree of the two, as the report names it.
#[derive(Debug, Clone, Serialize)]
pub struct Named {
    /// "old.toml, version 1" or "the built-in tree, version 2026.12".
    pub tree: String,
    pub version: String,
    pub sha256: String,
}

/// A change to the file's content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    /// "tree", "question", "option", "outcome" or "scenario".
    pub part: &'static str,
    /// The id (`question.option` for an option, the name for a scenario).
    pub id: String,
    /// "added", "removed", "reworded", "rerouted", "rescored" or "changed".
    pub kind: &'static str,
    /// What changed, in words.
    pub detail: String,
}

/// One answer of an example.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Given {
    pub question: String,
    pub option: String,
}

/// The combinations of answers that ended at `from` and now end at `to`.
#[derive(Debug, Clone, Serialize)]
pub struct Moved {
    pub from: String,
    pub to: String,
    pub count: u64,
    /// The shortest examples, fewest answers first.
    pub examples: Vec<Vec<Given>>,
}

/// Everything `groupfit diff` reports.
#[derive(Debug, Clone, Serialize)]
pub struct Diff {
    pub old: Named,
    pub new: Named,
    /// The file's content changed but `version` did not.
    pub version_not_bumped: bool,
    pub changes: Vec<Change>,
    /// Combinations of answers compared.
    pub compared: u64,
    /// Whether every combination was compared (false when the budget ran out).
    pub complete: bool,
    /// Combinations that now end at a different outcome.
    pub changed: u64,
    pub moved: Vec<Moved>,
}

impl Diff {
    pub fn outcomes_changed(&self) -> bool {
        self.changed > 0
    }
}

/// What an end of a walk is called in the report.
const NOT_OFFERED: &str = "(answer not offered)";
const NO_OUTCOME: &str = "(no outcome)";

/// Compares two trees, comparing at most `max` combinations of answers.
pub fn compare(old: &Tree, old_name: &str, new: &Tree, new_name: &str, max: usize) -> Diff {
    let mut changes = Vec::new();
    compare_header(old, new, &mut changes);
    compare_questions(old, new, &mut changes);
    compare_outcomes(old, new, &mut changes);
    compare_scenarios(old, new, &mut changes);
    let walked = walk_both(old, new, max);
    let name = |tree: &Tree, what: &str| Named {
        tree: what.to_owned(),
        version: tree.version.clone(),
        sha256: tree.sha256.clone(),
    };
    Diff {
        old: name(old, old_name),
        new: name(new, new_name),
        version_not_bumped: old.sha256 != new.sha256 && old.version == new.version,
        changes,
        compared: walked.compared,
        complete: walked.complete,
        changed: walked.moved.values().map(|m| m.count).sum(),
        moved: walked.moved.into_values().collect(),
    }
}

fn change(part: &'static str, id: impl Into<String>, kind: &'static str, detail: String) -> Change {
    Change {
        part,
        id: id.into(),
        kind,
        detail,
    }
}

/// "text, help" for the fields that differ, with the old and new wording of the first.
fn reworded(fields: &[(&str, String, String)]) -> Option<String> {
    let differing: Vec<&(&str, String, String)> =
        fields.iter().filter(|(_, a, b)| a != b).collect();
    let (first, before, after) = differing.first()?;
    let names: Vec<&str> = differing.iter().map(|(name, _, _)| *name).collect();
    let others = if names.len() > 1 {
        format!(" ({} changed)", names.join(", "))
    } else {
        String::new()
    };
    Some(format!(
        "{first} was {}, now {}{others}",
        quoted(before),
        quoted(after)
    ))
}

/// Text for a report: on one line, shortened, in quotes; "(none)" when empty.
fn quoted(text: &str) -> String {
    if text.is_empty() {
        "(none)".to_owned()
    } else {
        format!("\"{}\"", short(text))
    }
}

fn short(text: &str) -> String {
    const LONGEST: usize = 80;
    let one: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if one.chars().count() > LONGEST {
        one.chars().take(LONGEST).collect::<String>() + "…"
    } else {
        one
    }
}

fn opt(text: Option<&String>) -> String {
    text.cloned().unwrap_or_default()
}

fn compare_header(old: &Tree, new: &Tree, changes: &mut Vec<Change>) {
    let outcome =
        |tree: &Tree, o: Option<usize>| o.map_or(String::new(), |o| tree.outcomes[o].id.clone());
    let question =
        |tree: &Tree, q: Option<usize>| q.map_or(String::new(), |q| tree.questions[q].id.clone());
    let fields = [
        ("title", old.title.clone(), new.title.clone()),
        ("version", old.version.clone(), new.version.clone()),
        (
            "start",
            question(old, Some(old.start)),
            question(new, Some(new.start)),
        ),
        ("disclaimer", old.disclaimer.clone(), new.disclaimer.clone()),
        (
            "fallback",
            outcome(old, old.fallback),
            outcome(new, new.fallback),
        ),
        (
            "safety",
            question(old, old.safety.map(|s| s.question)),
            question(new, new.safety.map(|s| s.question)),
        ),
        (
            "provisional",
            opt(old.provisional.as_ref()),
            opt(new.provisional.as_ref()),
        ),
        (
            "urgent_closing",
            opt(old.urgent_closing.as_ref()),
            opt(new.urgent_closing.as_ref()),
        ),
        ("ask_all", old.ask_all.to_string(), new.ask_all.to_string()),
    ];
    for (name, before, after) in fields {
        if before != after {
            changes.push(change(
                "tree",
                name,
                "changed",
                format!(
                    "{name} was \"{}\", now \"{}\"",
                    short(&before),
                    short(&after)
                ),
            ));
        }
    }
}

fn question_words(q: &Question) -> Vec<(&'static str, String, String)> {
    let also = |q: &Question| {
        q.also.as_ref().map(|a| {
            format!(
                "{} / {} / {}",
                a.text,
                opt(a.intake.as_ref()),
                opt(a.none_label.as_ref())
            )
        })
    };
    vec![
        ("text", q.text.clone(), String::new()),
        ("intake", opt(q.intake.as_ref()), String::new()),
        ("help", opt(q.help.as_ref()), String::new()),
        ("guidance", opt(q.guidance.as_ref()), String::new()),
        ("record", opt(q.record.as_ref()), String::new()),
        ("also", also(q).unwrap_or_default(), String::new()),
    ]
}

fn choice_words(tree: &Tree, c: &Choice) -> Vec<(&'static str, String, String)> {
    let by_outcome = |lines: &[(usize, String)]| {
        lines
            .iter()
            .map(|(o, text)| format!("{}={text}", tree.outcomes[*o].id))
            .collect::<Vec<_>>()
            .join("; ")
    };
    vec![
        ("label", c.label.clone(), String::new()),
        ("reason", opt(c.reason.as_ref()), String::new()),
        ("caveat", opt(c.caveat.as_ref()), String::new()),
        ("note", opt(c.note.as_ref()), String::new()),
        ("intake_label", opt(c.intake_label.as_ref()), String::new()),
        ("change", opt(c.change.as_ref()), String::new()),
        ("where_to_look", by_outcome(&c.where_to_look), String::new()),
        ("keep_in_mind", by_outcome(&c.keep_in_mind), String::new()),
        ("alone", c.alone.to_string(), String::new()),
    ]
}

fn outcome_words(o: &Outcome) -> Vec<(&'static str, String, String)> {
    vec![
        ("name", o.name.clone(), String::new()),
        ("summary", o.summary.clone(), String::new()),
        ("expect", o.expect.join(" | "), String::new()),
        ("next_steps", opt(o.next_steps.as_ref()), String::new()),
        ("guidance", opt(o.guidance.as_ref()), String::new()),
        ("steps", o.steps.join(" | "), String::new()),
        (
            "when_you_call",
            opt(o.when_you_call.as_ref()),
            String::new(),
        ),
    ]
}

/// Pairs the wording of two versions field by field.
fn paired(
    mut before: Vec<(&'static str, String, String)>,
    after: Vec<(&'static str, String, String)>,
) -> Vec<(&'static str, String, String)> {
    for (field, (_, text, _)) in before.iter_mut().zip(after) {
        field.2 = text;
    }
    before
}

fn step_words(tree: &Tree, step: Step) -> String {
    match step {
        Step::Next(q) => format!("goes on to '{}'", tree.questions[q].id),
        Step::Outcome(o) => format!("ends at '{}'", tree.outcomes[o].id),
        Step::End => "ends, and the totals decide".to_owned(),
    }
}

fn step_words_past(tree: &Tree, step: Step) -> String {
    match step {
        Step::Next(q) => format!("went on to '{}'", tree.questions[q].id),
        Step::Outcome(o) => format!("ended at '{}'", tree.outcomes[o].id),
        Step::End => "ended, and the totals decided".to_owned(),
    }
}

fn score_words(tree: &Tree, c: &Choice) -> String {
    if c.score.is_empty() {
        return "nothing".to_owned();
    }
    c.score
        .iter()
        .map(|&(o, p)| format!("{} {p:+}", tree.outcomes[o].id))
        .collect::<Vec<_>>()
        .join(", ")
}

fn compare_questions(old: &Tree, new: &Tree, changes: &mut Vec<Change>) {
    for q in &old.questions {
        if new.question_ix(&q.id).is_none() {
            changes.push(change(
                "question",
                &q.id,
                "removed",
                format!("\"{}\"", short(&q.text)),
            ));
        }
    }
    for nq in &new.questions {
        let Some(oq) = old.question_ix(&nq.id).map(|i| &old.questions[i]) else {
            changes.push(change(
                "question",
                &nq.id,
                "added",
                format!("\"{}\"", short(&nq.text)),
            ));
            continue;
        };
        if let Some(detail) = reworded(&paired(question_words(oq), question_words(nq))) {
            changes.push(change("question", &nq.id, "reworded", detail));
        }
        for oc in &oq.choices {
            if !nq.choices.iter().any(|c| c.id == oc.id) {
                changes.push(change(
                    "option",
                    format!("{}.{}", nq.id, oc.id),
                    "removed",
                    format!("\"{}\"", short(&oc.label)),
                ));
            }
        }
        for nc in &nq.choices {
            let id = format!("{}.{}", nq.id, nc.id);
            let Some(oc) = oq.choices.iter().find(|c| c.id == nc.id) else {
                changes.push(change(
                    "option",
                    id,
                    "added",
                    format!(
                        "\"{}\", which {}",
                        short(&nc.label),
                        step_words(new, nc.step)
                    ),
                ));
                continue;
            };
            if let Some(detail) = reworded(&paired(choice_words(old, oc), choice_words(new, nc))) {
                changes.push(change("option", id.clone(), "reworded", detail));
            }
            let (before, after) = (step_words(old, oc.step), step_words(new, nc.step));
            if before != after {
                changes.push(change(
                    "option",
                    id.clone(),
                    "rerouted",
                    format!("{}; now {after}", step_words_past(old, oc.step)),
                ));
            }
            let (before, after) = (score_words(old, oc), score_words(new, nc));
            if before != after {
                changes.push(change(
                    "option",
                    id,
                    "rescored",
                    format!("scored {before}; now {after}"),
                ));
            }
        }
    }
}

fn compare_outcomes(old: &Tree, new: &Tree, changes: &mut Vec<Change>) {
    for o in &old.outcomes {
        if new.outcome_ix(&o.id).is_none() {
            changes.push(change(
                "outcome",
                &o.id,
                "removed",
                format!("\"{}\"", short(&o.name)),
            ));
        }
    }
    for no in &new.outcomes {
        let Some(oo) = old.outcome_ix(&no.id).map(|i| &old.outcomes[i]) else {
            let urgent = if no.urgent { " (urgent)" } else { "" };
            changes.push(change(
                "outcome",
                &no.id,
                "added",
                format!("\"{}\"{urgent}", short(&no.name)),
            ));
            continue;
        };
        if oo.urgent != no.urgent {
            let now = if no.urgent {
                "now urgent"
            } else {
                "no longer urgent"
            };
            changes.push(change("outcome", &no.id, "changed", now.to_owned()));
        }
        if let Some(detail) = reworded(&paired(outcome_words(oo), outcome_words(no))) {
            changes.push(change("outcome", &no.id, "reworded", detail));
        }
    }
}

fn compare_scenarios(old: &Tree, new: &Tree, changes: &mut Vec<Change>) {
    let words = |s: &crate::tree::Scenario| {
        let answers: Vec<String> = s
            .answers
            .iter()
            .map(|(q, o, _)| format!("{q}={o}"))
            .collect();
        format!("{} → {}", answers.join(", "), s.expect)
    };
    let old_by_name: HashMap<&str, String> = old
        .scenarios
        .iter()
        .map(|s| (s.name.as_str(), words(s)))
        .collect();
    let new_by_name: HashMap<&str, String> = new
        .scenarios
        .iter()
        .map(|s| (s.name.as_str(), words(s)))
        .collect();
    for s in &old.scenarios {
        if !new_by_name.contains_key(s.name.as_str()) {
            changes.push(change("scenario", &s.name, "removed", words(s)));
        }
    }
    for s in &new.scenarios {
        match old_by_name.get(s.name.as_str()) {
            None => changes.push(change("scenario", &s.name, "added", words(s))),
            Some(before) if *before != words(s) => changes.push(change(
                "scenario",
                &s.name,
                "changed",
                format!("was {before}; now {}", words(s)),
            )),
            Some(_) => {}
        }
    }
}

/// The result of walking both trees side by side.
struct Walked {
    compared: u64,
    complete: bool,
    moved: BTreeMap<(String, String), Moved>,
}

/// One of the two walks, and whether an answer it was given is one it does not offer.
struct Side<'t> {
    walk: Walk<'t>,
    stuck: bool,
}

impl Side<'_> {
    fn asking(&self) -> Option<usize> {
        match self.walk.position() {
            Position::Asking(q) if !self.stuck => Some(q),
            _ => None,
        }
    }

    fn ending(&self) -> String {
        if self.stuck {
            return NOT_OFFERED.to_owned();
        }
        self.walk.recommendation().map_or_else(
            |_| NO_OUTCOME.to_owned(),
            |r| self.walk.tree().outcomes[r.outcome].id.clone(),
        )
    }
}

/// What answering one branch did to the two walks, so it can be taken back.
#[derive(Default)]
struct Undo {
    steps: [usize; 2],
    stuck: [bool; 2],
}

/// One question being answered every way, on the explicit stack (a tree may be deep).
struct Branch {
    question: String,
    options: Vec<String>,
    next: usize,
    undo: Option<Undo>,
}

/// Answers, on each side, every question it is asking that already has an answer.
fn settle(sides: &mut [Side<'_>; 2], answers: &HashMap<String, String>) -> Undo {
    let mut undo = Undo::default();
    loop {
        let mut moved = false;
        for (s, side) in sides.iter_mut().enumerate() {
            let Some(q) = side.asking() else { continue };
            let tree = side.walk.tree();
            let Some(option) = answers.get(&tree.questions[q].id) else {
                continue;
            };
            if let Some(c) = tree.choice_ix(q, option) {
                side.walk.choose(c);
                undo.steps[s] += 1;
            } else {
                side.stuck = true;
                undo.stuck[s] = true;
            }
            moved = true;
        }
        if !moved {
            return undo;
        }
    }
}

fn take_back(sides: &mut [Side<'_>; 2], undo: &Undo) {
    for (s, side) in sides.iter_mut().enumerate() {
        for _ in 0..undo.steps[s] {
            side.walk.back();
        }
        if undo.stuck[s] {
            side.stuck = false;
        }
    }
}

fn walk_both(old: &Tree, new: &Tree, max: usize) -> Walked {
    let mut sides = [
        Side {
            walk: Walk::new(old),
            stuck: false,
        },
        Side {
            walk: Walk::new(new),
            stuck: false,
        },
    ];
    let mut answers: HashMap<String, String> = HashMap::new();
    // The order answers were given in, for examples.
    let mut order: Vec<String> = Vec::new();
    let mut stack: Vec<Branch> = Vec::new();
    let mut work = 0usize;
    let mut walked = Walked {
        compared: 0,
        complete: true,
        moved: BTreeMap::new(),
    };
    loop {
        // The next question either walk asks, the old one's first.
        let asking = sides
            .iter()
            .find_map(|side| side.asking().map(|q| (side.walk.tree(), q)));
        if let Some((tree, q)) = asking {
            let id = tree.questions[q].id.clone();
            let mut options: Vec<String> = Vec::new();
            for t in [old, new] {
                if let Some(ix) = t.question_ix(&id) {
                    for c in &t.questions[ix].choices {
                        if !options.contains(&c.id) {
                            options.push(c.id.clone());
                        }
                    }
                }
            }
            stack.push(Branch {
                question: id,
                options,
                next: 0,
                undo: None,
            });
        } else {
            // A path costs its length to finish, so very long paths stop the comparison early.
            work += order.len();
            if walked.compared as usize >= max || work > max.saturating_mul(WORK_PER_PATH) {
                walked.complete = false;
                break;
            }
            walked.compared += 1;
            let (from, to) = (sides[0].ending(), sides[1].ending());
            if from != to {
                let example: Vec<Given> = order
                    .iter()
                    .map(|q| Given {
                        question: q.clone(),
                        option: answers[q].clone(),
                    })
                    .collect();
                let entry = walked
                    .moved
                    .entry((from.clone(), to.clone()))
                    .or_insert_with(|| Moved {
                        from,
                        to,
                        count: 0,
                        examples: Vec::new(),
                    });
                entry.count += 1;
                entry.examples.push(example);
                entry.examples.sort_by_key(Vec::len);
                entry.examples.truncate(EXAMPLES);
            }
        }
        // Take back the last answer and give the next one, going up when a question is done.
        loop {
            let Some(top) = stack.last_mut() else {
                return walked;
            };
            if let Some(undo) = top.undo.take() {
                take_back(&mut sides, &undo);
                answers.remove(&top.question);
                order.pop();
            }
            if top.next < top.options.len() {
                let option = top.options[top.next].clone();
                top.next += 1;
                answers.insert(top.question.clone(), option);
                order.push(top.question.clone());
                top.undo = Some(settle(&mut sides, &answers));
                break;
            }
            stack.pop();
        }
    }
    walked
}

fn example_words(example: &[Given]) -> String {
    example
        .iter()
        .map(|g| format!("{}={}", g.question, g.option))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Diff {
    fn heading_lines(&self) -> Vec<String> {
        let mut lines = vec![
            format!("Old: {} (SHA-256 {})", self.old.tree, self.old.sha256),
            format!("New: {} (SHA-256 {})", self.new.tree, self.new.sha256),
        ];
        if self.version_not_bumped {
            lines.push(format!(
                "warning: the content changed but 'version' is still \"{}\"; change version in [tree] (for example to \"{}-2\") so every result names the tree that made it",
                self.new.version, self.new.version
            ));
        }
        lines
    }

    fn moved_summary(&self) -> String {
        let compared = if self.complete {
            format!("all {} combinations of answers compared", self.compared)
        } else {
            format!(
                "stopped early: {} combinations of answers compared (--max-paths, or the paths are too long to follow within it); raise --max-paths to compare them all",
                self.compared
            )
        };
        if self.changed == 0 {
            format!("No answers end at a different outcome ({compared}).")
        } else {
            format!(
                "{} combination(s) of answers now end at a different outcome ({compared}).",
                self.changed
            )
        }
    }

    /// Plain text, for a terminal.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        for line in self.heading_lines() {
            let _ = writeln!(out, "{line}");
        }
        let _ = writeln!(out);
        if self.changes.is_empty() {
            let _ = writeln!(out, "The content is the same.");
        } else {
            let _ = writeln!(out, "What changed in the file ({}):", self.changes.len());
            for c in &self.changes {
                let _ = writeln!(out, "  {} '{}' {}: {}", c.part, c.id, c.kind, c.detail);
            }
        }
        let _ = writeln!(out);
        let _ = writeln!(out, "{}", self.moved_summary());
        for m in &self.moved {
            let _ = writeln!(out, "  {} → {}: {}; for example:", m.from, m.to, m.count);
            for example in &m.examples {
                let _ = writeln!(out, "      {}", example_words(example));
            }
        }
        out
    }

    /// Markdown, for a review or a pull request.
    pub fn to_markdown(&self) -> String {
        let mut out = format!(
            "# What changed: {} → {}\n\n",
            self.old.version, self.new.version
        );
        for line in self.heading_lines() {
            let line = line.replace("warning:", "**Warning:**");
            let _ = writeln!(out, "- {line}");
        }
        let _ = writeln!(out, "\n## Answers that now end at a different outcome\n");
        let _ = writeln!(out, "{}\n", self.moved_summary());
        if !self.moved.is_empty() {
            let _ = writeln!(out, "| was | now | combinations | shortest examples |");
            let _ = writeln!(out, "| --- | --- | ---: | --- |");
            for m in &self.moved {
                let examples: Vec<String> = m
                    .examples
                    .iter()
                    .map(|e| format!("`{}`", example_words(e)))
                    .collect();
                let _ = writeln!(
                    out,
                    "| {} | {} | {} | {} |",
                    m.from,
                    m.to,
                    m.count,
                    examples.join("<br>")
                );
            }
            let _ = writeln!(out);
        }
        let _ = writeln!(out, "## What changed in the file\n");
        if self.changes.is_empty() {
            let _ = writeln!(out, "The content is the same.");
        } else {
            let _ = writeln!(out, "| part | id | change | detail |");
            let _ = writeln!(out, "| --- | --- | --- | --- |");
            for c in &self.changes {
                let _ = writeln!(
                    out,
                    "| {} | `{}` | {} | {} |",
                    c.part,
                    c.id,
                    c.kind,
                    c.detail.replace('|', "\\|")
                );
            }
        }
        out
    }

    /// The JSON wire format: this value as it is.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Source;

    fn tree(text: &str) -> Tree {
        Tree::load(&Source::new("t.toml", text.to_owned()))
            .expect("the tree loads")
            .0
    }

    const BASE: &str = "[tree]\ntitle = \"t\"\nversion = \"1\"\nstart = \"q\"\ndisclaimer = \"d\"\n\n\
[[question]]\nid = \"q\"\ntext = \"Q?\"\n\
[[question.option]]\nid = \"a\"\nlabel = \"A\"\nscore = { x = 1 }\nreason = \"r\"\n\
[[question.option]]\nid = \"b\"\nlabel = \"B\"\nscore = { y = 1 }\nreason = \"r\"\n\n\
[[outcome]]\nid = \"x\"\nname = \"X\"\nsummary = \"s\"\n\n\
[[outcome]]\nid = \"y\"\nname = \"Y\"\nsummary = \"s\"\n";

    #[test]
    fn the_same_tree_has_no_changes() {
        let t = tree(BASE);
        let diff = compare(&t, "a", &t, "b", 100);
        assert!(diff.changes.is_empty());
        assert_eq!((diff.compared, diff.changed, diff.complete), (2, 0, true));
        assert!(!diff.version_not_bumped);
    }

    #[test]
    fn a_new_question_is_answered_every_way_and_moves_counted_by_pair() {
        let new = BASE
            .replace("score = { x = 1 }\nreason = \"r\"\n", "next = \"extra\"\n")
            .replace("\n[[outcome]]\nid = \"x\"", "\n[[question]]\nid = \"extra\"\ntext = \"E?\"\n[[question.option]]\nid = \"e1\"\nlabel = \"E1\"\nscore = { x = 1 }\nreason = \"r\"\n[[question.option]]\nid = \"e2\"\nlabel = \"E2\"\nscore = { y = 1 }\nreason = \"r\"\n\n[[outcome]]\nid = \"x\"");
        let diff = compare(&tree(BASE), "old", &tree(&new), "new", 100);
        assert_eq!(diff.compared, 3, "q=a with e1 and e2, and q=b");
        assert_eq!(diff.changed, 1);
        assert_eq!(diff.moved[0].from, "x");
        assert_eq!(diff.moved[0].to, "y");
        assert_eq!(example_words(&diff.moved[0].examples[0]), "q=a, extra=e2");
        assert!(diff.version_not_bumped);
        assert!(
            diff.changes
                .iter()
                .any(|c| c.part == "question" && c.kind == "added" && c.id == "extra")
        );
        assert!(diff.changes.iter().any(|c| c.id == "q.a"
            && c.kind == "rerouted"
            && c.detail == "ended, and the totals decided; now goes on to 'extra'"));
        assert!(
            diff.changes
                .iter()
                .any(|c| c.id == "q.a" && c.kind == "rescored")
        );
    }

    #[test]
    fn a_removed_answer_is_reported_as_not_offered() {
        let new = BASE.replace(
            "[[question.option]]\nid = \"b\"\nlabel = \"B\"\nscore = { y = 1 }\nreason = \"r\"\n",
            "[[question.option]]\nid = \"c\"\nlabel = \"C\"\nscore = { y = 1 }\nreason = \"r\"\n",
        );
        let diff = compare(&tree(BASE), "old", &tree(&new), "new", 100);
        let pairs: Vec<(&str, &str)> = diff
            .moved
            .iter()
            .map(|m| (m.from.as_str(), m.to.as_str()))
            .collect();
        assert_eq!(
            pairs,
            [("(answer not offered)", "y"), ("y", "(answer not offered)")]
        );
    }

    #[test]
    fn a_budget_stops_early_and_says_so() {
        let t = tree(BASE);
        let diff = compare(&t, "a", &t, "b", 1);
        assert_eq!((diff.compared, diff.complete), (1, false));
        assert!(diff.to_text().contains("stopped early"));
    }
}
