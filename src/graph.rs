//! `groupfit graph`: the tree as a picture, in Mermaid (rendered by GitHub and GitLab Markdown)
//! or Graphviz DOT.
//!
//! Questions are boxes with their text, each option a labelled arrow with what it scores, and
//! outcomes end boxes; urgent outcomes are set apart by shape and by the word "URGENT", never by
//! colour alone. Each question is drawn once, however many paths reach it, so shared tails are
//! drawn once and the picture grows with the file, not with the number of paths; `depth` cuts it
//! further for a large tree.

use std::collections::{BTreeMap, VecDeque};
use std::fmt::Write as _;

use crate::tree::{QuestionIx, Step, Tree};

/// The two picture languages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Mermaid,
    Dot,
}

/// Where an arrow ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Target {
    Question(QuestionIx),
    /// A question deeper than the depth limit, drawn as a stub.
    Cut(QuestionIx),
    Outcome(usize),
    /// The walk ends and the totals decide.
    Scores,
}

/// Widest line of text in a box before it wraps.
const WRAP: usize = 32;
/// Longest option label on an arrow before it is shortened.
const LABEL: usize = 48;

/// The picture of `tree`, drawing questions at most `depth` steps from the first (all when
/// `None`); `what` names the tree in words ([`crate::source::Source::describe`]).
pub fn render(tree: &Tree, format: Format, depth: Option<usize>, what: &str) -> String {
    let distance = distances(tree);
    let drawn = |q: QuestionIx| distance[q].is_some_and(|d| depth.is_none_or(|limit| d <= limit));

    // Arrows from each drawn question, parallel ones merged into one with every label.
    let mut arrows: BTreeMap<(QuestionIx, Target), Vec<String>> = BTreeMap::new();
    let mut cut = Vec::new();
    let mut scores_used = false;
    let mut outcome_used = vec![false; tree.outcomes.len()];
    for (q, question) in tree.questions.iter().enumerate().filter(|&(q, _)| drawn(q)) {
        for choice in &question.choices {
            let target = match choice.step {
                Step::Next(next) if drawn(next) => Target::Question(next),
                Step::Next(next) => {
                    cut.push(next);
                    Target::Cut(next)
                }
                Step::Outcome(o) => {
                    outcome_used[o] = true;
                    Target::Outcome(o)
                }
                Step::End => {
                    scores_used = true;
                    Target::Scores
                }
            };
            arrows
                .entry((q, target))
                .or_default()
                .push(arrow_label(tree, choice));
        }
    }
    cut.sort_unstable();
    cut.dedup();
    // Outcomes reached only by scoring are drawn too, beside the scores node, so every end is seen.
    let scored: Vec<usize> = (0..tree.outcomes.len())
        .filter(|&o| {
            tree.fallback == Some(o)
                || tree
                    .questions
                    .iter()
                    .any(|q| q.choices.iter().any(|c| c.score_for(o) > 0))
        })
        .collect();

    let shown: Vec<bool> = (0..tree.outcomes.len())
        .map(|o| outcome_used[o] || (scores_used && scored.contains(&o)))
        .collect();
    let mut out = String::new();
    let nodes_hidden = distance
        .iter()
        .filter(|d| d.is_some_and(|d| depth.is_some_and(|limit| d > limit)))
        .count();
    match format {
        Format::Mermaid => {
            let _ = writeln!(out, "flowchart TD");
            let _ = writeln!(out, "  %% {}: {}", one_line(&tree.title), one_line(what));
            if nodes_hidden > 0 {
                let _ = writeln!(
                    out,
                    "  %% {nodes_hidden} question(s) deeper than --depth are not drawn"
                );
            }
            for (q, question) in tree.questions.iter().enumerate().filter(|&(q, _)| drawn(q)) {
                let text = format!("{}<br>{}", question.id, wrap(&question.text, "<br>"));
                let _ = writeln!(out, "  q{q}[\"{}\"]", mermaid(&text));
            }
            for &q in &cut {
                let text = format!("{} …<br>(deeper: not drawn)", tree.questions[q].id);
                let _ = writeln!(out, "  q{q}[/\"{}\"/]", mermaid(&text));
            }
            for (o, outcome) in tree.outcomes.iter().enumerate() {
                if !shown[o] {
                    continue;
                }
                if outcome.urgent {
                    let text = format!(
                        "URGENT: {}<br>crisis help, not a group",
                        wrap(&outcome.name, "<br>")
                    );
                    let _ = writeln!(out, "  o{o}{{{{\"{}\"}}}}", mermaid(&text));
                } else {
                    let text = format!("{}<br>(provisional)", wrap(&outcome.name, "<br>"));
                    let _ = writeln!(out, "  o{o}([\"{}\"])", mermaid(&text));
                }
            }
            if scores_used {
                let _ = writeln!(out, "  scores((\"the totals decide\"))");
                for &o in &scored {
                    let _ = writeln!(out, "  scores -.-> o{o}");
                }
            }
            for ((q, target), labels) in &arrows {
                let _ = writeln!(
                    out,
                    "  q{q} -->|\"{}\"| {}",
                    mermaid(&labels.join("<br>")),
                    node_id(*target)
                );
            }
        }
        Format::Dot => {
            let _ = writeln!(out, "digraph tree {{");
            let _ = writeln!(out, "  label=\"{}: {}\";", dot(&tree.title), dot(what));
            if nodes_hidden > 0 {
                let _ = writeln!(
                    out,
                    "  // {nodes_hidden} question(s) deeper than --depth are not drawn"
                );
            }
            let _ = writeln!(out, "  rankdir=TB;");
            let _ = writeln!(out, "  node [fontname=\"Helvetica\"];");
            let _ = writeln!(out, "  edge [fontname=\"Helvetica\", fontsize=10];");
            for (q, question) in tree.questions.iter().enumerate().filter(|&(q, _)| drawn(q)) {
                let text = format!("{}\n{}", question.id, wrap(&question.text, "\n"));
                let _ = writeln!(out, "  q{q} [shape=box, label=\"{}\"];", dot(&text));
            }
            for &q in &cut {
                let text = format!("{} …\n(deeper: not drawn)", tree.questions[q].id);
                let _ = writeln!(
                    out,
                    "  q{q} [shape=box, style=dashed, label=\"{}\"];",
                    dot(&text)
                );
            }
            for (o, outcome) in tree.outcomes.iter().enumerate() {
                if !shown[o] {
                    continue;
                }
                if outcome.urgent {
                    let text = format!(
                        "URGENT: {}\ncrisis help, not a group",
                        wrap(&outcome.name, "\n")
                    );
                    let _ = writeln!(
                        out,
                        "  o{o} [shape=doubleoctagon, style=bold, label=\"{}\"];",
                        dot(&text)
                    );
                } else {
                    let text = format!("{}\n(provisional)", wrap(&outcome.name, "\n"));
                    let _ = writeln!(out, "  o{o} [shape=ellipse, label=\"{}\"];", dot(&text));
                }
            }
            if scores_used {
                let _ = writeln!(
                    out,
                    "  scores [shape=circle, label=\"the totals\\ndecide\"];"
                );
                for &o in &scored {
                    let _ = writeln!(out, "  scores -> o{o} [style=dashed];");
                }
            }
            for ((q, target), labels) in &arrows {
                let _ = writeln!(
                    out,
                    "  q{q} -> {} [label=\"{}\"];",
                    node_id(*target),
                    dot(&labels.join("\n"))
                );
            }
            let _ = writeln!(out, "}}");
        }
    }
    out
}

/// Steps from the first question to each question (`None`: never reached).
fn distances(tree: &Tree) -> Vec<Option<usize>> {
    let mut distance = vec![None; tree.questions.len()];
    distance[tree.start] = Some(0);
    let mut queue = VecDeque::from([tree.start]);
    while let Some(q) = queue.pop_front() {
        let here = distance[q].unwrap_or(0);
        for choice in &tree.questions[q].choices {
            if let Step::Next(next) = choice.step
                && distance[next].is_none()
            {
                distance[next] = Some(here + 1);
                queue.push_back(next);
            }
        }
    }
    distance
}

fn node_id(target: Target) -> String {
    match target {
        Target::Question(q) | Target::Cut(q) => format!("q{q}"),
        Target::Outcome(o) => format!("o{o}"),
        Target::Scores => "scores".to_owned(),
    }
}

/// An option's label, shortened, with what it scores: "Bad (therapy +1)".
fn arrow_label(tree: &Tree, choice: &crate::tree::Choice) -> String {
    let label = one_line(&choice.label);
    let mut shown: String = label.chars().take(LABEL).collect();
    if label.chars().count() > LABEL {
        shown.push('…');
    }
    if !choice.score.is_empty() {
        let points: Vec<String> = choice
            .score
            .iter()
            .map(|&(o, p)| format!("{} {p:+}", tree.outcomes[o].id))
            .collect();
        shown.push_str(&format!(" ({})", points.join(", ")));
    }
    shown
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn wrap(text: &str, newline: &str) -> String {
    textwrap::wrap(&one_line(text), WRAP).join(newline)
}

/// Text inside a Mermaid `"..."` label: quotes become entities, and `#` starts none.
fn mermaid(text: &str) -> String {
    text.replace('#', "#35;").replace('"', "#quot;")
}

/// Text inside a DOT `"..."` string.
fn dot(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}
