//! The explanation of a recommendation, built once from a finished walk and rendered many ways.
//!
//! Every "why" comes from the answers actually given: the reasons of answers that scored for the
//! recommendation (or routed to it), the caveats of answers that scored against it, and the notes of
//! any answer. The TUI, plain mode and the text, Markdown and JSON reports all render this one value.

use std::collections::HashSet;

use serde::ser::SerializeMap;
use serde::{Deserialize, Serialize};

use textwrap::core::display_width;

use crate::change;
use crate::tree::{OutcomeIx, Step, Tree};
use crate::walk::{Answer, Basis, NoRecommendation, Recommendation, Walk};

/// Everything a person is told about a recommendation; serialises to the JSON wire format.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Explanation {
    pub outcome: OutcomeSummary,
    pub why: Vec<String>,
    pub keep_in_mind: Vec<String>,
    pub also_consider: Option<AlsoConsider>,
    pub summary: String,
    pub expect: Vec<String>,
    pub next_steps: Option<String>,
    pub answers: Vec<AnswerRecord>,
    pub scores: Scores,
    pub tree: TreeStamp,
    /// The line the result closes with: the tree's disclaimer for a group recommendation, its
    /// own closing line for an urgent result.
    pub disclaimer: String,
    /// For a group recommendation, what "provisional" means here, from the tree.
    pub provisional: Option<String>,
    /// Where to look, from the answers given, for the recommended outcome.
    pub where_to_look: Vec<String>,
    /// For an urgent result, the help for each danger named, most urgent first; the first is
    /// also given as `outcome`, `summary` and `next_steps`. Empty for a group recommendation.
    pub urgent_help: Vec<UrgentHelp>,
    /// Each danger sign the safety screen asks about, and what was answered.
    pub safety_screen: Vec<SignAnswer>,
    /// For intake staff only; not part of the wire format.
    #[serde(skip)]
    pub guidance: Option<String>,
}

/// What an urgent outcome says to do, for one danger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UrgentHelp {
    pub id: String,
    pub name: String,
    pub summary: String,
    pub steps: Vec<String>,
    pub when_you_call: Option<String>,
    pub next_steps: Option<String>,
    /// For intake staff only.
    #[serde(skip)]
    pub guidance: Option<String>,
}

/// One danger sign of the safety screen and the answer given to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SignAnswer {
    pub option: String,
    pub label: String,
    pub answer: Sign,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Sign {
    Yes,
    No,
    /// The screen ended before this sign was answered (after "I would rather not say", say).
    NotAnswered,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OutcomeSummary {
    pub id: String,
    pub name: String,
    pub urgent: bool,
    pub tie: bool,
}

/// Another kind of group worth a look: what favoured it over the recommendation and what would
/// make it the recommendation instead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AlsoConsider {
    pub id: String,
    pub name: String,
    /// The reasons of answers that favoured it over the recommendation, never one already given
    /// under Why.
    pub why: Vec<String>,
    /// The fewest answers to give differently for it to be recommended, in the order asked;
    /// empty when no change of the person's answers reaches it.
    pub changes: Vec<ChangePair>,
    /// Those changes in the person's terms: "If you could come every week, a therapy group would
    /// fit better."
    pub change: Option<String>,
    /// The changes were worked out within a limit on a very large tree: another kind of group
    /// may be as close.
    pub estimate: bool,
    /// The next nearest other kind of group, in the same form (at most one).
    pub more: Vec<AlsoConsider>,
}

impl AlsoConsider {
    /// This kind of group and the next nearest, in order.
    pub fn entries(&self) -> impl Iterator<Item = &AlsoConsider> {
        std::iter::once(self).chain(&self.more)
    }

    /// What a report says under its heading: the reasons, then what would change the result.
    pub fn lines(&self) -> Vec<String> {
        self.why.iter().chain(&self.change).cloned().collect()
    }
}

/// One answer of a change: a question and the option to choose for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChangePair {
    pub question: String,
    pub option: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AnswerRecord {
    pub question: String,
    pub option: String,
    pub question_text: String,
    pub option_label: String,
    /// The read-aloud wording, for intake summaries; not part of the wire format.
    #[serde(skip)]
    pub intake_text: Option<String>,
}

/// Outcome totals in the tree's order (urgent outcomes are routed to, never scored, so left out).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scores(pub Vec<(String, i64)>);

impl Serialize for Scores {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (id, total) in &self.0 {
            map.serialize_entry(id, total)?;
        }
        map.end()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TreeStamp {
    pub title: String,
    pub version: String,
    pub sha256: String,
}

impl TreeStamp {
    /// The tree a result, a saved call or a summary was made with.
    pub fn of(tree: &Tree) -> Self {
        Self {
            title: tree.title.clone(),
            version: tree.version.clone(),
            sha256: tree.sha256.clone(),
        }
    }
}

impl Explanation {
    /// Explains a finished walk.
    pub fn of(walk: &Walk<'_>) -> Result<Self, NoRecommendation> {
        let tree = walk.tree();
        let rec = walk.recommendation()?;
        let outcome = &tree.outcomes[rec.outcome];
        let chosen: Vec<_> = walk
            .answers()
            .iter()
            .map(|a| &tree.questions[a.question].choices[a.choice])
            .collect();

        if outcome.urgent {
            return Ok(Self::urgent(walk, &rec));
        }
        let mut why = reasons_for(tree, walk, rec.outcome);
        if rec.basis == Basis::Fallback {
            why.push(format!(
                "None of your answers pointed clearly to one kind of group, so {} is suggested as a place to start.",
                with_article(&outcome.name)
            ));
        }

        let mut keep_in_mind = Lines::default();
        if rec.tie
            && let Some(other) = rec.runner_up
        {
            keep_in_mind.push(&format!(
                "Your answers pointed just as much to {} as to {}. Both are worth a look; this one is shown first only because the list puts it first.",
                with_article(&tree.outcomes[other].name),
                with_article(&outcome.name),
            ));
        }
        for choice in &chosen {
            if choice.score_for(rec.outcome) < 0
                && let Some(caveat) = &choice.caveat
            {
                keep_in_mind.push(caveat);
            }
            for (o, line) in &choice.keep_in_mind {
                if *o == rec.outcome {
                    keep_in_mind.push(line);
                }
            }
            if let Some(note) = &choice.note {
                keep_in_mind.push(note);
            }
        }

        let also_consider = also_consider(walk, &rec, &why);

        let mut where_to_look = Lines::default();
        for choice in &chosen {
            for (o, line) in &choice.where_to_look {
                if *o == rec.outcome {
                    where_to_look.push(line);
                }
            }
        }

        Ok(Self {
            outcome: OutcomeSummary {
                id: outcome.id.clone(),
                name: outcome.name.clone(),
                urgent: false,
                tie: rec.tie,
            },
            why,
            keep_in_mind: keep_in_mind.lines,
            also_consider,
            summary: outcome.summary.clone(),
            expect: outcome.expect.clone(),
            next_steps: outcome.next_steps.clone(),
            answers: answer_records(walk),
            scores: scores_of(tree, &rec.scores),
            tree: TreeStamp::of(tree),
            disclaimer: tree.disclaimer.clone(),
            provisional: tree.provisional.clone(),
            where_to_look: where_to_look.lines,
            urgent_help: Vec::new(),
            safety_screen: safety_screen(walk),
            guidance: outcome.guidance.clone(),
        })
    }

    /// The explanation of an urgent result: the help for each danger named, most urgent first,
    /// and nothing about groups.
    fn urgent(walk: &Walk<'_>, rec: &Recommendation) -> Self {
        let tree = walk.tree();
        let outcome = &tree.outcomes[rec.outcome];
        let mut why = Lines::default();
        if let Some(safety) = tree.safety {
            let mut dangers = walk.dangers();
            dangers.sort_unstable();
            for choice in dangers {
                if let Some(reason) = &tree.questions[safety.question].choices[choice].reason {
                    why.push(reason);
                }
            }
        }
        let urgent_help = rec
            .urgent
            .iter()
            .map(|&o| {
                let help = &tree.outcomes[o];
                UrgentHelp {
                    id: help.id.clone(),
                    name: help.name.clone(),
                    summary: help.summary.clone(),
                    steps: help.steps.clone(),
                    when_you_call: help.when_you_call.clone(),
                    next_steps: help.next_steps.clone(),
                    guidance: help.guidance.clone(),
                }
            })
            .collect();
        Self {
            outcome: OutcomeSummary {
                id: outcome.id.clone(),
                name: outcome.name.clone(),
                urgent: true,
                tie: false,
            },
            why: why.lines,
            keep_in_mind: Vec::new(),
            also_consider: None,
            summary: outcome.summary.clone(),
            expect: outcome.expect.clone(),
            next_steps: outcome.next_steps.clone(),
            answers: answer_records(walk),
            scores: scores_of(tree, &rec.scores),
            tree: TreeStamp::of(tree),
            disclaimer: tree
                .urgent_closing
                .clone()
                .unwrap_or_else(|| tree.disclaimer.clone()),
            provisional: None,
            where_to_look: Vec::new(),
            urgent_help,
            safety_screen: safety_screen(walk),
            guidance: outcome.guidance.clone(),
        }
    }

    /// The explanation as a sequence of blocks, in reading order, for every renderer to share.
    pub fn blocks(&self) -> Vec<Block> {
        self.blocks_with(false)
    }

    /// The blocks as intake staff see them: the guidance for staff straight after each heading,
    /// and the questions in their read-aloud wording.
    pub fn blocks_for_staff(&self) -> Vec<Block> {
        let mut blocks = self.blocks_with(true);
        let mut answers = self.answers.iter();
        for block in &mut blocks {
            if let Block::Answer(question, _) = block
                && let Some(record) = answers.next()
                && let Some(wording) = &record.intake_text
            {
                question.clone_from(wording);
            }
        }
        blocks
    }

    fn blocks_with(&self, staff: bool) -> Vec<Block> {
        let mut blocks = Vec::new();
        if self.outcome.urgent {
            // What to do now comes first, for each danger in turn; nothing about groups.
            for help in &self.urgent_help {
                blocks.push(Block::Urgent(help.name.clone()));
                blocks.push(Block::Paragraph(help.summary.clone()));
                blocks.extend(
                    help.steps
                        .iter()
                        .enumerate()
                        .map(|(i, step)| Block::Step(i + 1, step.clone())),
                );
                if staff && let Some(guidance) = &help.guidance {
                    blocks.push(Block::Staff(guidance.clone()));
                }
                if let Some(call) = &help.when_you_call {
                    blocks.push(Block::Heading("When you call".to_owned()));
                    blocks.push(Block::Paragraph(call.clone()));
                }
                if let Some(steps) = &help.next_steps {
                    blocks.push(Block::Heading("After that".to_owned()));
                    blocks.push(Block::Paragraph(steps.clone()));
                }
            }
            section(&mut blocks, "Why we are showing this", &self.why);
        } else {
            blocks.push(Block::Title(format!(
                "Provisional recommendation: {}",
                self.outcome.name
            )));
            // What provisional means goes with the heading that says it, not under the staff
            // guidance, where it would read as part of it.
            if let Some(provisional) = &self.provisional {
                blocks.push(Block::Paragraph(provisional.clone()));
            }
            if staff && let Some(guidance) = &self.guidance {
                blocks.push(Block::Staff(guidance.clone()));
            }
            section(&mut blocks, "Why this fits", &self.why);
            section(&mut blocks, "Keep in mind", &self.keep_in_mind);
            if let Some(also) = &self.also_consider {
                for other in also.entries() {
                    blocks.push(Block::Heading(format!("Also consider: {}", other.name)));
                    blocks.extend(other.why.iter().cloned().map(Block::Bullet));
                    if let Some(change) = &other.change {
                        blocks.push(Block::Paragraph(change.clone()));
                    }
                }
                if also.estimate {
                    blocks.push(Block::Paragraph(
                        "This tree is very large, so this was worked out within a limit: another kind of group may be just as close.".to_owned(),
                    ));
                }
            }
            blocks.push(Block::Heading(format!(
                "About {}",
                lower_first(&with_article(&self.outcome.name))
            )));
            blocks.push(Block::Paragraph(self.summary.clone()));
            section(&mut blocks, "What to expect", &self.expect);
            if self.next_steps.is_some() || !self.where_to_look.is_empty() {
                blocks.push(Block::Heading("Next steps".to_owned()));
                if let Some(steps) = &self.next_steps {
                    blocks.push(Block::Paragraph(steps.clone()));
                }
                blocks.extend(self.where_to_look.iter().cloned().map(Block::Bullet));
            }
        }
        blocks.push(Block::Heading("Your answers".to_owned()));
        blocks.extend(
            self.answers
                .iter()
                .map(|a| Block::Answer(a.question_text.clone(), a.option_label.clone())),
        );
        blocks.push(Block::Note(self.disclaimer.clone()));
        blocks.push(Block::Note(format!(
            "Questions: \"{}\", version {} ({})",
            self.tree.title,
            self.tree.version,
            short_hash(&self.tree.sha256)
        )));
        blocks
    }

    /// Plain text, wrapped to `width` columns.
    pub fn to_text(&self, width: usize) -> String {
        text_of(self.blocks(), width)
    }

    /// Plain text for intake staff (see [`Explanation::blocks_for_staff`]).
    pub fn to_text_for_staff(&self, width: usize) -> String {
        text_of(self.blocks_for_staff(), width)
    }

    /// Markdown, for case records and sign-off documents.
    pub fn to_markdown(&self) -> String {
        let mut out = String::new();
        for block in self.blocks() {
            match block {
                Block::Urgent(text) | Block::Title(text) => {
                    out.push_str(&format!("# {}\n\n", md(&text)));
                }
                Block::Step(n, text) => out.push_str(&format!("{n}. {}\n", md(&text))),
                Block::Heading(text) => out.push_str(&format!("\n## {}\n\n", md(&text))),
                Block::Paragraph(text) => out.push_str(&format!("{}\n", md(&text))),
                Block::Bullet(text) => out.push_str(&format!("- {}\n", md(&text))),
                Block::Answer(question, answer) => {
                    out.push_str(&format!("1. {} — **{}**\n", md(&question), md(&answer)));
                }
                Block::Note(text) => out.push_str(&format!("\n_{}_\n", md(&text))),
                Block::Staff(text) => out.push_str(&format!("\n**For staff:** {}\n", md(&text))),
            }
        }
        out
    }

    /// The JSON wire format, pretty-printed.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
    }
}

/// The notes taken during a call, as plain text under a "Notes" heading for the end of a staff
/// report; nothing when there are none.
pub fn notes_text(notes: &str, width: usize) -> String {
    if notes.trim().is_empty() {
        return String::new();
    }
    let mut out = String::from("\nNotes\n");
    for line in notes.trim_end().lines() {
        out.push_str(&indent(line, width.max(20), "  ", "  "));
    }
    out
}

/// Plain text of blocks, wrapped to `width` columns.
fn text_of(blocks: Vec<Block>, width: usize) -> String {
    let width = width.max(20);
    let mut out = String::new();
    let mut answer_number = 0;
    for block in blocks {
        match block {
            Block::Urgent(text) => {
                // Set apart by position, a rule and its words; never by rows of '!'.
                if !out.is_empty() {
                    out.push('\n');
                }
                let rule = "=".repeat(display_width(&text).min(width));
                out.push_str(&format!("{text}\n{rule}\n"));
            }
            Block::Step(n, text) => {
                let first = format!("  {n}. ");
                let rest = " ".repeat(first.len());
                out.push_str(&indent(&text, width, &first, &rest));
            }
            Block::Title(text) => out.push_str(&format!("{text}\n")),
            Block::Heading(text) => out.push_str(&format!("\n{text}\n")),
            Block::Paragraph(text) => out.push_str(&indent(&text, width, "  ", "  ")),
            Block::Bullet(text) => out.push_str(&indent(&text, width, "  - ", "    ")),
            Block::Answer(question, answer) => {
                answer_number += 1;
                let first = format!("  {answer_number}. ");
                let rest = " ".repeat(first.len());
                out.push_str(&indent(&question, width, &first, &rest));
                // Wrapped answer text lines up under the answer, not under the arrow.
                let under = format!("{rest}  ");
                out.push_str(&indent(&format!("→ {answer}"), width, &rest, &under));
            }
            Block::Note(text) => {
                out.push('\n');
                out.push_str(&indent(&text, width, "", ""));
            }
            Block::Staff(text) => {
                out.push('\n');
                out.push_str(&indent(&format!("For staff: {text}"), width, "", "  "));
            }
        }
    }
    out
}

/// A piece of the explanation in reading order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// The heading of an urgent outcome: must not be missed.
    Urgent(String),
    /// A numbered step of what to do now.
    Step(usize, String),
    Title(String),
    Heading(String),
    Paragraph(String),
    Bullet(String),
    /// A question asked and the answer given.
    Answer(String, String),
    /// Small print: the disclaimer and the tree's stamp.
    Note(String),
    /// Guidance for intake staff, never read to the caller.
    Staff(String),
}

/// The answers given, in order, with their wording.
fn answer_records(walk: &Walk<'_>) -> Vec<AnswerRecord> {
    let tree = walk.tree();
    let safety = tree.safety;
    let answers = walk.answers();
    answers
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let question = &tree.questions[a.question];
            let choice = &question.choices[a.choice];
            // An answer to the safety screen straight after a danger answers its follow-up.
            let follow_up = safety.is_some_and(|s| {
                a.question == s.question
                    && i > 0
                    && answers[i - 1].question == s.question
                    && answers[i - 1].choice != s.none
            });
            match (&question.also, follow_up) {
                (Some(also), true) => AnswerRecord {
                    question: question.id.clone(),
                    option: choice.id.clone(),
                    question_text: also.text.clone(),
                    option_label: match (&also.none_label, safety) {
                        (Some(label), Some(s)) if s.none == a.choice => label.clone(),
                        _ => choice.label.clone(),
                    },
                    intake_text: also.intake.clone(),
                },
                _ => AnswerRecord {
                    question: question.id.clone(),
                    option: choice.id.clone(),
                    question_text: question.text.clone(),
                    option_label: choice.label.clone(),
                    intake_text: question.intake.clone(),
                },
            }
        })
        .collect()
}

/// Totals in the tree's order; urgent outcomes are routed to, never scored, so they are left out
/// unless a tree scores them.
fn scores_of(tree: &Tree, totals: &[i64]) -> Scores {
    Scores(
        tree.outcomes
            .iter()
            .zip(totals)
            .filter(|(o, total)| !o.urgent || **total != 0)
            .map(|(o, &total)| (o.id.clone(), total))
            .collect(),
    )
}

/// Each danger sign and its answer: yes when chosen; no when the screen was answered "none of
/// these" or "nothing else"; otherwise not answered.
fn safety_screen(walk: &Walk<'_>) -> Vec<SignAnswer> {
    let tree = walk.tree();
    let Some(safety) = tree.safety else {
        return Vec::new();
    };
    let on_screen = || {
        walk.answers()
            .iter()
            .filter(|a| a.question == safety.question)
    };
    let closed = on_screen().any(|a| a.choice == safety.none);
    tree.questions[safety.question]
        .choices
        .iter()
        .enumerate()
        .filter(|&(c, _)| c != safety.none)
        .map(|(c, choice)| SignAnswer {
            option: choice.id.clone(),
            label: choice.label.clone(),
            answer: if on_screen().any(|a| a.choice == c) {
                Sign::Yes
            } else if closed {
                Sign::No
            } else {
                Sign::NotAnswered
            },
        })
        .collect()
}

/// The nearest other kinds of group, each with what favoured it over the recommendation and
/// what would change the result to it; the runner-up by score when no change reaches another.
/// Nothing when none has anything of its own to say.
fn also_consider(walk: &Walk<'_>, rec: &Recommendation, why: &[String]) -> Option<AlsoConsider> {
    let tree = walk.tree();
    let nearest = change::what_would_change(walk, rec.outcome, change::BUDGET);
    let mut others: Vec<(OutcomeIx, &[Answer])> = nearest
        .alternatives
        .iter()
        .map(|alt| (alt.outcome, alt.changes.as_slice()))
        .collect();
    if let Some(runner_up) = rec.runner_up
        && others.len() < change::ALTERNATIVES
        && !others.iter().any(|&(o, _)| o == runner_up)
    {
        others.push((runner_up, &[]));
    }
    // Each line is said once in a result: not again after Why, nor under a second alternative.
    let mut shown: HashSet<String> = why.iter().cloned().collect();
    let mut entries = others.into_iter().filter_map(|(other, changes)| {
        let contrast: Vec<String> = contrasts(walk, rec.outcome, other)
            .into_iter()
            .filter(|line| shown.insert(line.clone()))
            .collect();
        let change = change_sentence(tree, other, changes);
        (!contrast.is_empty() || change.is_some()).then(|| AlsoConsider {
            id: tree.outcomes[other].id.clone(),
            name: tree.outcomes[other].name.clone(),
            why: contrast,
            changes: changes
                .iter()
                .map(|a| {
                    let question = &tree.questions[a.question];
                    ChangePair {
                        question: question.id.clone(),
                        option: question.choices[a.choice].id.clone(),
                    }
                })
                .collect(),
            change,
            estimate: !nearest.exact,
            more: Vec::new(),
        })
    });
    let mut first = entries.next()?;
    first.more = entries.collect();
    Some(first)
}

/// The reasons of the answers that favoured `other` over `recommended`: scored more for it, or
/// routed straight to it.
fn contrasts(walk: &Walk<'_>, recommended: OutcomeIx, other: OutcomeIx) -> Vec<String> {
    let tree = walk.tree();
    let mut reasons = Lines::default();
    for answer in walk.answers() {
        let choice = &tree.questions[answer.question].choices[answer.choice];
        let points = choice.score_for(other);
        let favours = (points > 0 && points > choice.score_for(recommended))
            || choice.step == Step::Outcome(other);
        if favours && let Some(reason) = &choice.reason {
            reasons.push(reason);
        }
    }
    reasons.lines
}

/// "If you could come every week and you wanted to change, a therapy group would fit better."
///
/// Each change is said by its option's `change` line; one without, by its label when the answer
/// scores or routes, and not at all when it only carries the walk on to the next question.
fn change_sentence(tree: &Tree, outcome: OutcomeIx, changes: &[Answer]) -> Option<String> {
    let clauses: Vec<String> = changes
        .iter()
        .filter_map(|a| {
            let choice = &tree.questions[a.question].choices[a.choice];
            match &choice.change {
                Some(line) => Some(line.trim().trim_end_matches('.').to_owned()),
                None if choice.score.iter().any(|&(_, p)| p != 0)
                    || matches!(choice.step, Step::Outcome(_)) =>
                {
                    Some(format!("you answered \"{}\"", choice.label))
                }
                None => None,
            }
        })
        .collect();
    if clauses.is_empty() {
        return None;
    }
    let joined = join_clauses(&clauses);
    Some(format!(
        "If {joined}, {} would fit better.",
        with_article(&tree.outcomes[outcome].name)
    ))
}

/// Two plain clauses read as "a and b"; with more, or with a comma inside one, each clause gets
/// its own ", and", so that the sentence still parses when read aloud.
fn join_clauses(clauses: &[String]) -> String {
    match clauses {
        [one] => one.clone(),
        [a, b] if !a.contains(',') && !b.contains(',') => format!("{a} and {b}"),
        _ => clauses.join(", and "),
    }
}

/// The reasons of the answers that scored for `outcome` or routed straight to it, in order.
fn reasons_for(tree: &Tree, walk: &Walk<'_>, outcome: OutcomeIx) -> Vec<String> {
    let mut reasons = Lines::default();
    for answer in walk.answers() {
        let choice = &tree.questions[answer.question].choices[answer.choice];
        let favours = choice.score_for(outcome) > 0 || choice.step == Step::Outcome(outcome);
        if favours && let Some(reason) = &choice.reason {
            reasons.push(reason);
        }
    }
    reasons.lines
}

/// Lines to show, each once, in the order first given; a walk of thousands of answers with a
/// line of its own each is gathered in time that grows only with their number.
#[derive(Default)]
struct Lines {
    lines: Vec<String>,
    seen: HashSet<String>,
}

impl Lines {
    fn push(&mut self, text: &str) {
        if !self.seen.contains(text) {
            self.seen.insert(text.to_owned());
            self.lines.push(text.to_owned());
        }
    }
}

fn section(blocks: &mut Vec<Block>, heading: &str, items: &[String]) {
    if !items.is_empty() {
        blocks.push(Block::Heading(heading.to_owned()));
        blocks.extend(items.iter().cloned().map(Block::Bullet));
    }
}

/// "a support group", "an outcome" — for sentences built around an outcome's name.
pub fn with_article(name: &str) -> String {
    let lower = lower_first(name);
    let vowel = lower.starts_with(['a', 'e', 'i', 'o', 'u', 'A', 'E', 'I', 'O', 'U']);
    format!("{} {lower}", if vowel { "an" } else { "a" })
}

fn lower_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        // Keep acronyms such as "AA group" as written.
        Some(first) if !chars.clone().next().is_some_and(char::is_uppercase) => {
            first.to_lowercase().chain(chars).collect()
        }
        _ => text.to_owned(),
    }
}

pub fn short_hash(sha256: &str) -> &str {
    sha256.get(..12).unwrap_or(sha256)
}

/// How every report and screen wraps text: at spaces only, so that phone numbers such as
/// 1-800-662-4357, and words such as "Self-help", are never broken across lines.
pub fn wrapping(width: usize) -> textwrap::Options<'static> {
    textwrap::Options::new(width.max(1))
        .word_splitter(textwrap::WordSplitter::NoHyphenation)
        .wrap_algorithm(textwrap::WrapAlgorithm::FirstFit)
}

fn indent(text: &str, width: usize, first: &str, rest: &str) -> String {
    let options = wrapping(width)
        .initial_indent(first)
        .subsequent_indent(rest);
    let mut out = String::new();
    for line in textwrap::wrap(text, options) {
        out.push_str(&line);
        out.push('\n');
    }
    if out.is_empty() {
        out.push('\n');
    }
    out
}

/// Escapes the characters that would change the meaning of Markdown text.
pub(crate) fn md(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(
            c,
            '\\' | '*' | '_' | '`' | '[' | ']' | '<' | '>' | '#' | '|'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Source;
    use crate::walk::Position;

    const TREE: &str = r#"
[tree]
title = "Test tree"
version = "9"
start = "safe"
safety = "safe"
disclaimer = "Only a guide."
urgent_closing = "Help is there at any hour."
provisional = "Provisional means a first suggestion."

[[question]]
id = "safe"
text = "Safe?"
  [[question.option]]
  id = "unsafe"
  label = "Unsafe"
  outcome = "crisis"
  reason = "You may not be safe."
  [[question.option]]
  id = "ok"
  label = "Safe"
  next = "want"

[[question]]
id = "want"
text = "What do you want?"
  [[question.option]]
  id = "cope"
  label = "Cope"
  next = "outside"
  score = { support = 3, therapy = -1 }
  reason = "You want to cope."
  caveat = "Therapy aims at change."
  [[question.option]]
  id = "change"
  label = "Change"
  next = "outside"
  score = { therapy = 3 }
  reason = "You want change."
  change = "you wanted to change"

[[question]]
id = "outside"
text = "Friends outside?"
  [[question.option]]
  id = "friends"
  label = "Yes"
  score = { support = 1, therapy = -2 }
  reason = "You want friends."
  caveat = "Therapy groups ask members not to meet outside."
  note = "Ask the group about its rules."
  keep_in_mind = { support = "Support groups welcome friendships; say hello after the meeting." }
  where_to_look = { support = "Ask at the community centre.", therapy = "Ask a therapist." }
  [[question.option]]
  id = "separate"
  label = "No"
  score = { therapy = 2, support = 1 }
  reason = "You keep things separate."
  change = "you would keep the group apart from the rest of your life"

[[outcome]]
id = "support"
name = "Support group"
summary = "Support."
expect = ["Goal: cope"]
next_steps = "Find one."
guidance = "Offer the list of local groups."

[[outcome]]
id = "therapy"
name = "Therapy group"
summary = "Therapy."

[[outcome]]
id = "crisis"
name = "Get help now"
urgent = true
summary = "Call 988."
steps = ["Call or text 988.", "Call 911 in danger."]
guidance = "Stay on the line."
"#;

    fn walk_of<'t>(tree: &'t Tree, choices: &[&str]) -> Walk<'t> {
        let mut walk = Walk::new(tree);
        for id in choices {
            let Position::Asking(q) = walk.position() else {
                panic!()
            };
            walk.choose(tree.choice_ix(q, id).unwrap());
        }
        walk
    }

    fn explain(choices: &[&str]) -> Explanation {
        let (tree, _) = Tree::load(&Source::new("t.toml", TREE.to_owned())).unwrap();
        let first = if choices.first() == Some(&"unsafe") {
            &[][..]
        } else {
            &["ok"][..]
        };
        let all: Vec<&str> = first.iter().chain(choices).copied().collect();
        Explanation::of(&walk_of(&tree, &all)).unwrap()
    }

    #[test]
    fn a_wrapped_answer_lines_up_under_its_text_not_under_the_arrow() {
        let blocks = vec![Block::Answer(
            "How often could you come?".to_owned(),
            "Every week for several months, and I would tell the group before I stop".to_owned(),
        )];
        let text = text_of(blocks, 40);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "  1. How often could you come?");
        assert!(lines[1].starts_with("     → Every week"), "{text}");
        assert!(lines.len() > 2, "{text}");
        for line in &lines[2..] {
            assert!(
                line.starts_with("       ") && !line.starts_with("        "),
                "{text}"
            );
        }
    }

    #[test]
    fn why_lists_reasons_that_scored_for_the_recommendation() {
        let e = explain(&["change", "separate"]);
        assert_eq!(e.outcome.id, "therapy");
        assert_eq!(e.why, vec!["You want change.", "You keep things separate."]);
    }

    #[test]
    fn keep_in_mind_has_caveats_against_and_every_note() {
        let e = explain(&["change", "friends"]);
        assert_eq!(
            e.outcome.id, "support",
            "support 1 vs therapy 1: tie goes to the first listed"
        );
        assert!(e.outcome.tie);
        assert!(
            e.keep_in_mind[0].contains("just as much to a therapy group as to a support group")
        );
        // 'friends' scored for support, so its caveat (about therapy) is not shown; its line for
        // support and its note are.
        assert_eq!(
            &e.keep_in_mind[1..],
            [
                "Support groups welcome friendships; say hello after the meeting.",
                "Ask the group about its rules."
            ]
        );

        let e = explain(&["change", "separate"]);
        assert!(e.keep_in_mind.is_empty());
    }

    #[test]
    fn lines_by_outcome_show_only_for_the_outcome_recommended() {
        let e = explain(&["cope", "friends"]);
        assert_eq!(e.outcome.id, "support");
        assert!(
            e.keep_in_mind
                .iter()
                .any(|k| k.starts_with("Support groups welcome"))
        );
        assert_eq!(e.where_to_look, ["Ask at the community centre."]);
        let text = e.to_text(80);
        let next = text.find("Next steps").unwrap();
        assert!(
            text[next..].contains("- Ask at the community centre."),
            "{text}"
        );
        assert!(!text.contains("Ask a therapist."), "{text}");

        let e = explain(&["change", "separate"]);
        assert!(e.where_to_look.is_empty());
        assert!(
            !e.keep_in_mind
                .iter()
                .any(|k| k.starts_with("Support groups welcome"))
        );
    }

    #[test]
    fn caveat_shows_when_the_answer_scored_against_the_recommendation() {
        let e = explain(&["cope", "separate"]);
        assert_eq!(e.outcome.id, "support");
        assert!(e.keep_in_mind.is_empty(), "'cope' scored for support");
        let e = explain(&["change", "separate"]);
        assert_eq!(e.outcome.id, "therapy");
        assert!(!e.keep_in_mind.iter().any(|k| k.contains("Therapy aims")));
    }

    #[test]
    fn changes_are_joined_so_the_sentence_reads_aloud() {
        let said = |clauses: &[&str]| {
            join_clauses(&clauses.iter().map(|c| (*c).to_owned()).collect::<Vec<_>>())
        };
        assert_eq!(said(&["you wanted to change"]), "you wanted to change");
        assert_eq!(
            said(&["you could come every week", "you wanted to change"]),
            "you could come every week and you wanted to change"
        );
        assert_eq!(
            said(&[
                "you wanted a group led by a counselor",
                "you could only come now and then, not every week",
                "you wanted to make friends"
            ]),
            "you wanted a group led by a counselor, and you could only come now and then, not every week, and you wanted to make friends"
        );
        assert_eq!(
            said(&[
                "you could only come now and then, not every week",
                "you wanted to change"
            ]),
            "you could only come now and then, not every week, and you wanted to change"
        );
    }

    #[test]
    fn also_consider_says_what_would_change_it_and_repeats_no_why_line() {
        let e = explain(&["cope", "separate"]);
        assert!(e.why.contains(&"You keep things separate.".to_owned()));
        let also = e.also_consider.clone().unwrap();
        assert_eq!(also.id, "therapy");
        // "Separate" favoured therapy more, but its reason is already under Why.
        assert_eq!(also.why, Vec::<String>::new());
        assert_eq!(
            also.changes,
            vec![ChangePair {
                question: "want".to_owned(),
                option: "change".to_owned()
            }]
        );
        assert_eq!(
            also.change.as_deref(),
            Some("If you wanted to change, a therapy group would fit better.")
        );
        assert!(!also.estimate);
        let text = e.to_text(80);
        assert!(text.contains("Also consider: Therapy group\n  If you wanted to change, a therapy group would fit better.\n"), "{text}");
    }

    #[test]
    fn contrasts_are_the_reasons_that_favoured_the_other_kind_more() {
        let (tree, _) = Tree::load(&Source::new("t.toml", TREE.to_owned())).unwrap();
        let walk = walk_of(&tree, &["ok", "cope", "separate"]);
        let support = tree.outcome_ix("support").unwrap();
        let therapy = tree.outcome_ix("therapy").unwrap();
        assert_eq!(
            contrasts(&walk, support, therapy),
            vec!["You keep things separate."]
        );
        assert_eq!(
            contrasts(&walk, therapy, support),
            vec!["You want to cope."]
        );
    }

    #[test]
    fn also_consider_is_left_out_when_it_has_nothing_of_its_own() {
        let text = TREE
            .replace("  change = \"you wanted to change\"\n", "")
            .replace(
                "  change = \"you would keep the group apart from the rest of your life\"\n",
                "",
            );
        let tree = Tree::load(&Source::new("t.toml", text)).unwrap().0;
        let e = Explanation::of(&walk_of(&tree, &["ok", "cope", "separate"])).unwrap();
        // Therapy is the runner-up, but its only reason is already under Why.
        assert_eq!(e.also_consider, None);
        assert!(!e.to_text(80).contains("Also consider"));
    }

    /// Every line of a result, in reading order, with what kind of block it is.
    fn lines_of(e: &Explanation) -> Vec<String> {
        e.blocks()
            .into_iter()
            .filter_map(|b| match b {
                Block::Bullet(t) | Block::Paragraph(t) => Some(t),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn no_line_appears_twice_in_any_result_of_the_built_in_tree() {
        let (tree, _) = Tree::load(&Source::builtin()).unwrap();
        let mut group_results = 0;
        for scenario in &tree.scenarios {
            let given: Vec<_> = scenario
                .answers
                .iter()
                .map(|(q, o, _)| crate::answers::GivenAnswer {
                    question: q.clone(),
                    option: o.clone(),
                    span: None,
                })
                .collect();
            let walk = crate::answers::replay(&tree, &given).unwrap().walk;
            let e = Explanation::of(&walk).unwrap();
            if e.outcome.urgent {
                assert_eq!(e.also_consider, None, "{}", scenario.name);
                continue;
            }
            group_results += 1;
            let also = e
                .also_consider
                .as_ref()
                .expect("another group is within reach");
            for other in also.entries() {
                for line in &other.why {
                    assert!(!e.why.contains(line), "{}: {line}", scenario.name);
                }
                assert!(other.change.is_some(), "{}", scenario.name);
            }
            let lines = lines_of(&e);
            for (i, line) in lines.iter().enumerate() {
                assert!(
                    !lines[..i].contains(line),
                    "{}: twice: {line}",
                    scenario.name
                );
            }
        }
        assert!(group_results > 40, "{group_results}");
    }

    #[test]
    fn urgent_outcome_leads_with_what_to_do_and_offers_no_group() {
        let e = explain(&["unsafe"]);
        assert!(e.outcome.urgent);
        assert_eq!(e.why, vec!["You may not be safe."]);
        assert_eq!(e.also_consider, None);
        assert_eq!(e.guidance.as_deref(), Some("Stay on the line."));
        assert_eq!(e.urgent_help.len(), 1);
        assert_eq!(e.disclaimer, "Help is there at any hour.");
        assert_eq!(e.provisional, None);
        let text = e.to_text(80);
        assert!(text.starts_with("Get help now\n============\n"), "{text}");
        assert!(!text.contains("!!"), "no rows or pairs of '!': {text}");
        assert!(!text.to_lowercase().contains("provisional"), "{text}");
        assert!(
            !text.contains("Only a guide."),
            "the group disclaimer: {text}"
        );
        assert!(
            text.contains("  1. Call or text 988.\n  2. Call 911 in danger.\n"),
            "{text}"
        );
        assert!(text.find("Call 988.").unwrap() < text.find("Why we are showing this").unwrap());
        assert!(text.contains("Help is there at any hour."), "{text}");
    }

    #[test]
    fn a_group_recommendation_says_what_provisional_means() {
        let e = explain(&["cope", "friends"]);
        let text = e.to_text(80);
        let title = text.find("Provisional recommendation").unwrap();
        let meaning = text.find("Provisional means a first suggestion.").unwrap();
        assert!(title < meaning && meaning < text.find("Why this fits").unwrap());
        // For staff, the meaning comes before their guidance, not under it as if part of it.
        let staff = e.to_text_for_staff(80);
        let meaning = staff.find("Provisional means a first suggestion.").unwrap();
        let guidance = staff.find("For staff:").unwrap();
        assert!(meaning < guidance, "{staff}");
    }

    #[test]
    fn summary_expect_next_steps_and_disclaimer_come_from_the_tree() {
        let e = explain(&["cope", "friends"]);
        assert_eq!(e.summary, "Support.");
        assert_eq!(e.expect, vec!["Goal: cope"]);
        assert_eq!(e.next_steps.as_deref(), Some("Find one."));
        assert_eq!(e.disclaimer, "Only a guide.");
        let text = e.to_text(80);
        for part in [
            "Provisional recommendation: Support group",
            "Why this fits",
            "About a support group",
            "What to expect",
            "Next steps",
            "Your answers",
            "Only a guide.",
        ] {
            assert!(text.contains(part), "missing {part:?} in\n{text}");
        }
    }

    #[test]
    fn json_has_the_wire_format_fields_in_order() {
        let e = explain(&["cope", "friends"]);
        let json: serde_json::Value = serde_json::from_str(&e.to_json()).unwrap();
        assert_eq!(json["outcome"]["id"], "support");
        assert_eq!(json["outcome"]["urgent"], false);
        assert_eq!(
            json["also_consider"]["changes"],
            serde_json::json!([
                { "question": "want", "option": "change" },
                { "question": "outside", "option": "separate" }
            ])
        );
        assert_eq!(json["also_consider"]["id"], "therapy");
        assert_eq!(json["also_consider"]["more"], serde_json::json!([]));
        assert_eq!(json["scores"]["support"], 4);
        assert_eq!(json["scores"]["therapy"], -3);
        assert!(
            json["scores"].get("crisis").is_none(),
            "urgent outcomes are never scored"
        );
        assert_eq!(json["answers"][1]["question"], "want");
        assert_eq!(json["answers"][1]["option_label"], "Cope");
        assert_eq!(json["urgent_help"], serde_json::json!([]));
        assert_eq!(json["safety_screen"][0]["option"], "unsafe");
        assert_eq!(json["safety_screen"][0]["answer"], "no");
        assert_eq!(json["tree"]["version"], "9");
        assert_eq!(json["tree"]["sha256"].as_str().unwrap().len(), 64);
        let json_text = e.to_json();
        let keys: Vec<&str> = json_text
            .lines()
            .filter(|l| l.starts_with("  \""))
            .map(|l| l.trim().split('"').nth(1).unwrap())
            .collect();
        assert_eq!(
            keys,
            [
                "outcome",
                "why",
                "keep_in_mind",
                "also_consider",
                "summary",
                "expect",
                "next_steps",
                "answers",
                "scores",
                "tree",
                "disclaimer",
                "provisional",
                "where_to_look",
                "urgent_help",
                "safety_screen"
            ]
        );
    }

    #[test]
    fn markdown_escapes_and_structures() {
        let e = explain(&["cope", "friends"]);
        let md = e.to_markdown();
        assert!(md.starts_with("# Provisional recommendation: Support group\n"));
        assert!(md.contains("\n## Why this fits\n\n- You want to cope.\n"));
        assert!(md.contains("1. What do you want? — **Cope**"));
    }

    #[test]
    fn articles_read_naturally() {
        assert_eq!(with_article("Support group"), "a support group");
        assert_eq!(
            with_article("Psychoeducational group"),
            "a psychoeducational group"
        );
        assert_eq!(with_article("Self-help group"), "a self-help group");
        assert_eq!(with_article("AA meeting"), "an AA meeting");
    }
}
