//! The decision tree: validated questions, choices, outcomes and scenarios, built from the raw file.
//!
//! A [`Tree`] only exists when its structure is sound: every id is unique, every reference names
//! something, every question has at least two choices and no walk can go round in a circle. Those
//! invariants let the walk, the checker and the explanation index freely.

mod chunked;
pub mod raw;
mod safety;

use std::collections::HashMap;
use std::ops::Range;
use std::sync::OnceLock;

use crate::diagnostic::{Diagnostic, Names};
use crate::source::Source;
use raw::{RawDocument, RawOption, RawQuestion};

/// Index of a question in [`Tree::questions`].
pub type QuestionIx = usize;
/// Index of an outcome in [`Tree::outcomes`].
pub type OutcomeIx = usize;

#[derive(Debug, Clone)]
pub struct Tree {
    pub title: String,
    pub version: String,
    pub start: QuestionIx,
    pub disclaimer: String,
    pub fallback: Option<OutcomeIx>,
    /// The question that screens for danger, always the first one asked; `None` only in a tree
    /// with no urgent outcome.
    pub safety: Option<Safety>,
    /// One sentence on what "provisional" means, shown with every group recommendation.
    pub provisional: Option<String>,
    /// The line an urgent result closes with, in place of the disclaimer.
    pub urgent_closing: Option<String>,
    /// Ask every question, even one whose answer can no longer matter.
    pub ask_all: bool,
    pub questions: Vec<Question>,
    pub outcomes: Vec<Outcome>,
    pub scenarios: Vec<Scenario>,
    /// SHA-256 of the file's bytes, so a result names exactly the tree that made it.
    pub sha256: String,
    question_ids: HashMap<String, QuestionIx>,
    outcome_ids: HashMap<String, OutcomeIx>,
    /// The question and outcome ids to suggest from, set up the first time one is misspelt.
    question_names: OnceLock<Names>,
    outcome_names: OnceLock<Names>,
}

#[derive(Debug, Clone)]
pub struct Question {
    pub id: String,
    pub text: String,
    /// Third-person wording for intake staff to read aloud.
    pub intake: Option<String>,
    pub help: Option<String>,
    /// Shown to intake staff only.
    pub guidance: Option<String>,
    /// Neutral wording for the case record ("Whether the caller ...").
    pub record: Option<String>,
    /// The safety screen's follow-up, asked after a danger is chosen.
    pub also: Option<FollowUp>,
    pub choices: Vec<Choice>,
    pub span: Range<usize>,
}

/// "Is anything else on this list true as well?", asked on the safety screen after a danger, so
/// that a person in more than one danger at once gets help for each.
#[derive(Debug, Clone)]
pub struct FollowUp {
    pub text: String,
    pub intake: Option<String>,
    /// The answer that says nothing else applies; the no-danger option's label when not given.
    pub none_label: Option<String>,
}

/// The safety screen: the first question, whose every answer but one ends at an urgent outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Safety {
    pub question: QuestionIx,
    /// The one option that says no danger applies; it goes on to the rest of the questions.
    pub none: usize,
}

/// One answer a question offers (an `[[question.option]]` in the file).
#[derive(Debug, Clone)]
pub struct Choice {
    pub id: String,
    pub label: String,
    pub step: Step,
    /// Points added to outcomes, in the order written.
    pub score: Vec<(OutcomeIx, i64)>,
    pub reason: Option<String>,
    pub caveat: Option<String>,
    pub note: Option<String>,
    /// Third-person wording of the answer, for intake staff and the case record.
    pub intake_label: Option<String>,
    /// What choosing this answer would mean, as a clause for "If ..., a therapy group would fit
    /// better" ("you could come every week for several months").
    pub change: Option<String>,
    /// Where to look, by outcome, shown under next steps when this answer was given and that
    /// outcome is recommended.
    pub where_to_look: Vec<(OutcomeIx, String)>,
    /// What to keep in mind, by outcome, shown when this answer was given and that outcome is
    /// recommended: the clash between the answer and what that kind of group asks.
    pub keep_in_mind: Vec<(OutcomeIx, String)>,
    /// On the safety screen: this answer ends the screen at once, with no follow-up.
    pub alone: bool,
    pub span: Range<usize>,
    /// Where the `next` key is, for cycle reports.
    pub next_span: Option<Range<usize>>,
    /// Where each score key is, parallel to `score`.
    pub score_spans: Vec<Range<usize>>,
}

impl Choice {
    /// The points this choice gives an outcome (0 when it does not score it).
    pub fn score_for(&self, outcome: OutcomeIx) -> i64 {
        self.score
            .iter()
            .filter(|&&(o, _)| o == outcome)
            .map(|&(_, points)| points)
            .sum()
    }
}

/// What happens after a choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Go on to another question.
    Next(QuestionIx),
    /// End the walk with exactly this outcome; no scoring.
    Outcome(OutcomeIx),
    /// End the walk; the scores decide.
    End,
}

#[derive(Debug, Clone)]
pub struct Outcome {
    pub id: String,
    pub name: String,
    pub urgent: bool,
    pub summary: String,
    pub expect: Vec<String>,
    pub next_steps: Option<String>,
    /// Shown to intake staff only.
    pub guidance: Option<String>,
    /// For an urgent outcome: what to do now, as short numbered steps.
    pub steps: Vec<String>,
    /// For an urgent outcome: what happens when you call.
    pub when_you_call: Option<String>,
    pub span: Range<usize>,
}

/// A clinician's regression case: these answers must lead to `expect`.
#[derive(Debug, Clone)]
pub struct Scenario {
    pub name: String,
    /// (question id, option id, where the answer is written), in the order written; the safety
    /// screen may be answered more than once (every danger that applies).
    pub answers: Vec<(String, String, Range<usize>)>,
    pub answers_span: Range<usize>,
    pub expect: String,
    pub expect_span: Range<usize>,
    pub span: Range<usize>,
}

/// How many ids are listed when no id is close to the one written.
const LISTED_IDS: usize = 10;

/// "; did you mean 'x'?" when an id is close to `wanted`; otherwise the ids there are ("; the
/// questions are 'a', 'b' and 'c'"), the first ten and how many more, so a person with no near
/// match still sees what may be written.
pub fn hint_or_list(wanted: &str, known: &[&str], plural: &str) -> String {
    let hint = crate::diagnostic::did_you_mean(wanted, known.iter().copied());
    if hint.is_empty() {
        list_ids(known.iter().copied(), plural)
    } else {
        hint
    }
}

/// "; the questions are 'a', 'b' and 3 more": the first ten ids, in the order given.
pub fn list_ids<'a>(known: impl Iterator<Item = &'a str>, plural: &str) -> String {
    let mut listed = Vec::new();
    let mut more = 0usize;
    for id in known {
        if listed.len() < LISTED_IDS {
            listed.push(format!("'{id}'"));
        } else {
            more += 1;
        }
    }
    match (listed.is_empty(), more) {
        (true, _) => String::new(),
        (false, 0) => format!("; the {plural} are {}", listed.join(", ")),
        (false, more) => format!("; the {plural} are {} and {more} more", listed.join(", ")),
    }
}

impl Tree {
    /// Reads and validates a tree, returning it with any structural warnings, or every error found.
    pub fn load(source: &Source) -> Result<(Self, Vec<Diagnostic>), Vec<Diagnostic>> {
        let raw = raw::read(source.text());
        let misnamed = raw.misnamed.clone();
        let knock_on = |d: &Diagnostic| {
            misnamed.iter().any(|&table| {
                d.message.ends_with(&format!("there is no such {table}"))
                    || d.message
                        .contains(&format!("but there is no such {table};"))
                    || d.message
                        .starts_with(&format!("the tree has no [[{table}]]"))
            })
        };
        match Builder::new(source).build(raw) {
            Ok(built) => Ok(built),
            Err(mut diagnostics) if !misnamed.is_empty() => {
                diagnostics.retain(|d| !knock_on(d));
                Err(diagnostics)
            }
            Err(diagnostics) => Err(diagnostics),
        }
    }

    pub fn question_ix(&self, id: &str) -> Option<QuestionIx> {
        self.question_ids.get(id).copied()
    }

    pub fn outcome_ix(&self, id: &str) -> Option<OutcomeIx> {
        self.outcome_ids.get(id).copied()
    }

    /// The index of a choice of a question by its id.
    pub fn choice_ix(&self, question: QuestionIx, id: &str) -> Option<usize> {
        self.questions[question]
            .choices
            .iter()
            .position(|c| c.id == id)
    }

    /// "; did you mean 'x'?" for a misspelt question id, or the ids there are.
    pub fn suggest_question(&self, id: &str) -> String {
        let hint = self
            .question_names
            .get_or_init(|| Names::new(self.questions.iter().map(|q| q.id.as_str())))
            .did_you_mean(id);
        if hint.is_empty() {
            list_ids(self.questions.iter().map(|q| q.id.as_str()), "questions")
        } else {
            hint
        }
    }

    /// "; did you mean 'x'?" for a misspelt outcome id, or the ids there are.
    pub fn suggest_outcome(&self, id: &str) -> String {
        let hint = self
            .outcome_names
            .get_or_init(|| Names::new(self.outcomes.iter().map(|o| o.id.as_str())))
            .did_you_mean(id);
        if hint.is_empty() {
            list_ids(self.outcomes.iter().map(|o| o.id.as_str()), "outcomes")
        } else {
            hint
        }
    }

    /// The longest number of questions still to answer from each question, itself included.
    ///
    /// Used for "question k of at most n", which must never jump backwards.
    pub fn longest_remaining(&self) -> Vec<usize> {
        let order = self.topological_order();
        let mut longest = vec![1; self.questions.len()];
        for &q in order.iter().rev() {
            for choice in &self.questions[q].choices {
                if let Step::Next(next) = choice.step {
                    longest[q] = longest[q].max(longest[next] + 1);
                }
            }
        }
        longest
    }

    /// Questions ordered so that every `next` points later; valid because a tree has no cycles.
    pub fn topological_order(&self) -> Vec<QuestionIx> {
        let n = self.questions.len();
        let mut indegree = vec![0usize; n];
        for question in &self.questions {
            for choice in &question.choices {
                if let Step::Next(next) = choice.step {
                    indegree[next] += 1;
                }
            }
        }
        let mut ready: Vec<QuestionIx> = (0..n).filter(|&q| indegree[q] == 0).rev().collect();
        let mut order = Vec::with_capacity(n);
        while let Some(q) = ready.pop() {
            order.push(q);
            for choice in &self.questions[q].choices {
                if let Step::Next(next) = choice.step {
                    indegree[next] -= 1;
                    if indegree[next] == 0 {
                        ready.push(next);
                    }
                }
            }
        }
        order
    }
}

/// "; the outcomes are 'a', 'b', …", sorted, the first [`OUTCOMES_LISTED`] of them and how many
/// more there are.
fn outcome_list(ids: &HashMap<String, OutcomeIx>) -> String {
    let mut known: Vec<&str> = ids.keys().map(String::as_str).collect();
    known.sort_unstable();
    let listed = known
        .iter()
        .take(OUTCOMES_LISTED)
        .map(|k| format!("'{k}'"))
        .collect::<Vec<_>>()
        .join(", ");
    match known.len().checked_sub(OUTCOMES_LISTED) {
        Some(more) if more > 0 => format!("; the outcomes are {listed} and {more} more"),
        _ => format!("; the outcomes are {listed}"),
    }
}

/// Ids may be typed on a command line (`--answer want=cope`), so they are kept simple.
fn id_problem(id: &str) -> Option<&'static str> {
    if id.is_empty() {
        Some("is empty")
    } else if !id
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        Some("may use only letters, digits, '_' and '-'")
    } else {
        None
    }
}

/// The largest number of points one score may give or take away.
///
/// A walk answers each question once, and a file holds far fewer than 9 * 10^12 scores, so no
/// total of bounded scores can overflow, and adding and taking away points along a search never
/// drifts.
pub const MAX_POINTS: i64 = 1_000_000;

/// Where an option leads and what it scores, resolved to indices.
struct Links {
    step: Step,
    score: Vec<(OutcomeIx, i64)>,
    score_spans: Vec<Range<usize>>,
    where_to_look: Vec<(OutcomeIx, String)>,
    keep_in_mind: Vec<(OutcomeIx, String)>,
}

impl Question {
    /// What is shown: the read-aloud wording for intake staff when there is one, else the text.
    pub fn wording(&self, intake: bool) -> &str {
        match (&self.intake, intake) {
            (Some(wording), true) => wording,
            _ => &self.text,
        }
    }

    /// The question with its text moved out of the raw table, all but the id, which other
    /// questions' messages may still suggest; `links` has one entry per option.
    fn take_from(question: &mut RawQuestion, links: Vec<Links>) -> Self {
        let choices = std::mem::take(&mut question.options)
            .into_iter()
            .zip(links)
            .map(|(option, links)| Choice {
                next_span: option.next.as_ref().map(toml::Spanned::span),
                id: option.id.into_inner(),
                label: option.label.into_inner(),
                step: links.step,
                score: links.score,
                reason: option.reason.map(toml::Spanned::into_inner),
                caveat: option.caveat.map(toml::Spanned::into_inner),
                note: option.note.map(toml::Spanned::into_inner),
                intake_label: option.intake_label.map(toml::Spanned::into_inner),
                change: option.change.map(toml::Spanned::into_inner),
                where_to_look: links.where_to_look,
                keep_in_mind: links.keep_in_mind,
                alone: option.alone.is_some_and(toml::Spanned::into_inner),
                span: option.span,
                score_spans: links.score_spans,
            })
            .collect();
        Self {
            id: question.id.get_ref().clone(),
            text: std::mem::take(question.text.get_mut()),
            intake: question.intake.take().map(toml::Spanned::into_inner),
            help: question.help.take().map(toml::Spanned::into_inner),
            guidance: question.guidance.take().map(toml::Spanned::into_inner),
            record: question.record.take().map(toml::Spanned::into_inner),
            also: question.also.take().map(|text| FollowUp {
                text: text.into_inner(),
                intake: question.also_intake.take().map(toml::Spanned::into_inner),
                none_label: question.also_none.take().map(toml::Spanned::into_inner),
            }),
            choices,
            span: question.span.clone(),
        }
    }
}

struct Builder<'s> {
    source: &'s Source,
    diagnostics: Vec<Diagnostic>,
    /// What is said after a reference to a question or an outcome that does not exist, by the
    /// name written, so a name misspelt a thousand times is looked up once.
    hints: HashMap<(Refers, String), String>,
    /// The question and outcome ids to suggest from, set up at the first misspelling.
    question_names: Option<Names>,
    outcome_names: Option<Names>,
    /// The outcome ids, for a name too far from all of them to suggest one.
    outcome_list: Option<String>,
}

/// What a reference names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Refers {
    Question,
    Outcome,
}

/// How many outcome ids a message lists before saying how many more there are.
const OUTCOMES_LISTED: usize = 20;

impl<'s> Builder<'s> {
    fn new(source: &'s Source) -> Self {
        Self {
            source,
            diagnostics: Vec::new(),
            hints: HashMap::new(),
            question_names: None,
            outcome_names: None,
            outcome_list: None,
        }
    }

    fn error(&mut self, span: Range<usize>, message: String) {
        self.diagnostics.push(Diagnostic::error(span, message));
    }

    fn check_id(&mut self, what: &str, id: &raw::Text) {
        if let Some(problem) = id_problem(id.get_ref()) {
            self.error(id.span(), format!("{what} id '{}' {problem}", id.get_ref()));
        }
    }

    fn build(mut self, mut raw: RawDocument) -> Result<(Tree, Vec<Diagnostic>), Vec<Diagnostic>> {
        self.diagnostics = raw.diagnostics;

        let mut outcome_ids: HashMap<String, OutcomeIx> = HashMap::new();
        for (ix, outcome) in raw.outcomes.iter().enumerate() {
            self.check_id("outcome", &outcome.id);
            if let Some(&first) = outcome_ids.get(outcome.id.get_ref()) {
                let (line, _) = self.source.position(raw.outcomes[first].id.span().start);
                self.error(
                    outcome.id.span(),
                    format!(
                        "duplicate outcome id '{}' (first used on line {line}); give each outcome its own id",
                        outcome.id.get_ref()
                    ),
                );
            } else {
                outcome_ids.insert(outcome.id.get_ref().clone(), ix);
            }
        }
        let mut question_ids: HashMap<String, QuestionIx> = HashMap::new();
        for (ix, question) in raw.questions.iter().enumerate() {
            self.check_id("question", &question.id);
            if let Some(&first) = question_ids.get(question.id.get_ref()) {
                let (line, _) = self.source.position(raw.questions[first].id.span().start);
                self.error(
                    question.id.span(),
                    format!(
                        "duplicate question id '{}' (first used on line {line}); give each question its own id",
                        question.id.get_ref()
                    ),
                );
            } else {
                question_ids.insert(question.id.get_ref().clone(), ix);
            }
        }
        if raw.outcomes.is_empty() && raw.header.is_some() {
            self.diagnostics.push(Diagnostic::error(
                raw.header_span.clone(),
                "the tree has no [[outcome]]; add at least one so a walk can end in a recommendation",
            ));
        }

        let start = raw.header.as_ref().and_then(|header| {
            self.resolve_question(&question_ids, &header.start, "start", &raw.questions)
        });
        let fallback = raw
            .header
            .as_ref()
            .and_then(|h| h.fallback.as_ref())
            .and_then(|f| self.resolve_outcome(&outcome_ids, f, "fallback"));

        for question in &raw.questions {
            if question.also.is_none() {
                for key in [&question.also_intake, &question.also_none]
                    .into_iter()
                    .flatten()
                {
                    self.error(
                        key.span(),
                        format!(
                            "question '{}' has wording for the follow-up but no 'also', the follow-up question itself; add also = \"Is anything else on this list true as well?\" or remove this key",
                            question.id.get_ref()
                        ),
                    );
                }
            }
        }

        // Each question's references are resolved while every question id is still in place to
        // suggest from; then its text moves from the raw table into the tree.
        let mut questions = Vec::with_capacity(raw.questions.len());
        for index in 0..raw.questions.len() {
            let links = self.question_links(
                &raw.questions[index],
                &question_ids,
                &outcome_ids,
                &raw.questions,
            );
            if let Some(links) = links {
                questions.push(Question::take_from(&mut raw.questions[index], links));
            }
        }

        let outcomes: Vec<Outcome> = raw
            .outcomes
            .into_iter()
            .map(|o| Outcome {
                id: o.id.into_inner(),
                name: o.name.into_inner(),
                urgent: o.urgent,
                summary: o.summary.into_inner(),
                expect: o.expect,
                next_steps: o.next_steps.map(toml::Spanned::into_inner),
                guidance: o.guidance.map(toml::Spanned::into_inner),
                steps: o.steps,
                when_you_call: o.when_you_call.map(toml::Spanned::into_inner),
                span: o.span,
            })
            .collect();

        let scenarios = raw
            .scenarios
            .into_iter()
            .map(|s| Scenario {
                name: s.name.into_inner(),
                answers_span: s.answers.span(),
                answers: s
                    .answers
                    .into_inner()
                    .into_iter()
                    .flat_map(|(q, answer)| {
                        let whole = q.span().start..answer.span().end;
                        let q = q.into_inner();
                        let ids = match answer.into_inner() {
                            raw::ScenarioAnswer::One(id) => vec![(id, whole)],
                            raw::ScenarioAnswer::Many(ids) => ids
                                .into_iter()
                                .map(|id| (id.get_ref().clone(), id.span()))
                                .collect(),
                        };
                        ids.into_iter().map(move |(id, span)| (q.clone(), id, span))
                    })
                    .collect(),
                expect_span: s.expect.span(),
                expect: s.expect.into_inner(),
                span: s.span,
            })
            .collect();

        // Without errors every question was built, so `questions` is indexed like the raw ones.
        let sound = !questions.is_empty() && self.diagnostics.iter().all(|d| !d.is_error());
        if sound {
            self.find_cycles(&questions);
        }
        let safety = match (&raw.header, sound) {
            (Some(header), true) => safety::Screen {
                source: self.source,
                header,
                header_span: raw.header_span.clone().unwrap_or(0..0),
                start,
                question_ids: &question_ids,
                questions: &questions,
                outcomes: &outcomes,
            }
            .check(&mut self.diagnostics),
            _ => None,
        };

        if self.diagnostics.iter().any(Diagnostic::is_error) {
            return Err(self.diagnostics);
        }
        let (Some(header), Some(start)) = (raw.header, start) else {
            // Both are reported as errors above; this is unreachable without one.
            return Err(self.diagnostics);
        };
        if header.provisional.is_none() && outcomes.iter().any(|o| !o.urgent) {
            self.diagnostics.push(Diagnostic::warning(
                raw.header_span.clone().unwrap_or(0..0),
                "[tree] has no 'provisional' sentence, so a group recommendation is called provisional without saying what that means; add one, such as provisional = \"Provisional means this is a first suggestion from your answers: the group's leader will help you check that it fits.\"".to_owned(),
            ));
        }
        let tree = Tree {
            title: header.title.into_inner(),
            version: header.version.into_inner(),
            start,
            disclaimer: header.disclaimer.into_inner(),
            fallback,
            safety,
            provisional: header.provisional.map(toml::Spanned::into_inner),
            urgent_closing: header.urgent_closing.map(toml::Spanned::into_inner),
            ask_all: header.ask_all.is_some_and(toml::Spanned::into_inner),
            questions,
            outcomes,
            scenarios,
            sha256: self.source.sha256(),
            question_ids,
            outcome_ids,
            question_names: OnceLock::new(),
            outcome_names: OnceLock::new(),
        };
        Ok((tree, self.diagnostics))
    }

    fn resolve_question(
        &mut self,
        ids: &HashMap<String, QuestionIx>,
        name: &raw::Text,
        key: &str,
        questions: &[RawQuestion],
    ) -> Option<QuestionIx> {
        let found = ids.get(name.get_ref()).copied();
        if found.is_none() {
            let hint = self.hint(Refers::Question, name.get_ref(), |builder, wanted| {
                let hint = builder
                    .question_names
                    .get_or_insert_with(|| {
                        Names::new(questions.iter().map(|q| q.id.get_ref().as_str()))
                    })
                    .did_you_mean(wanted);
                if hint.is_empty() {
                    list_ids(
                        questions.iter().map(|q| q.id.get_ref().as_str()),
                        "questions",
                    )
                } else {
                    hint
                }
            });
            self.error(
                name.span(),
                format!(
                    "'{key}' names question '{}', but there is no such question{hint}",
                    name.get_ref()
                ),
            );
        }
        found
    }

    fn resolve_outcome(
        &mut self,
        ids: &HashMap<String, OutcomeIx>,
        name: &raw::Text,
        key: &str,
    ) -> Option<OutcomeIx> {
        let found = ids.get(name.get_ref()).copied();
        if found.is_none() {
            let hint = self.hint(Refers::Outcome, name.get_ref(), |builder, wanted| {
                let hint = builder
                    .outcome_names
                    .get_or_insert_with(|| Names::new(ids.keys().map(String::as_str)))
                    .did_you_mean(wanted);
                if hint.is_empty() {
                    builder
                        .outcome_list
                        .get_or_insert_with(|| outcome_list(ids))
                        .clone()
                } else {
                    hint
                }
            });
            self.error(
                name.span(),
                format!(
                    "'{key}' names outcome '{}', but there is no such outcome{hint}",
                    name.get_ref()
                ),
            );
        }
        found
    }

    /// What to say after a reference to something that does not exist: `find` works it out the
    /// first time a name is seen.
    fn hint(
        &mut self,
        refers: Refers,
        wanted: &str,
        find: impl FnOnce(&mut Self, &str) -> String,
    ) -> String {
        let key = (refers, wanted.to_owned());
        if let Some(hint) = self.hints.get(&key) {
            return hint.clone();
        }
        let hint = find(self, wanted);
        self.hints.insert(key, hint.clone());
        hint
    }

    /// Where each option of a question leads and what it scores, in the order written; `None`
    /// when the question has problems, which are reported.
    fn question_links(
        &mut self,
        question: &RawQuestion,
        question_ids: &HashMap<String, QuestionIx>,
        outcome_ids: &HashMap<String, OutcomeIx>,
        all: &[RawQuestion],
    ) -> Option<Vec<Links>> {
        let before = self.diagnostics.len();
        if question.option_tables < 2 {
            let found = match question.option_tables {
                0 => "none".to_owned(),
                n => n.to_string(),
            };
            self.error(
                question.options_span.clone(),
                format!(
                    "question '{}' has {found} option(s); a question needs at least two [[question.option]] tables",
                    question.id.get_ref()
                ),
            );
        }
        let mut seen: HashMap<&str, usize> = HashMap::with_capacity(question.options.len());
        let mut links = Vec::with_capacity(question.options.len());
        for option in &question.options {
            self.check_id("option", &option.id);
            if let Some(&first) = seen.get(option.id.get_ref().as_str()) {
                let (line, _) = self.source.position(first);
                self.error(
                    option.id.span(),
                    format!(
                        "question '{}' has two options with id '{}' (first on line {line}); give each option its own id",
                        question.id.get_ref(),
                        option.id.get_ref()
                    ),
                );
            } else {
                seen.insert(option.id.get_ref(), option.id.span().start);
            }
            if let Some(option_links) = self.option_links(option, question_ids, outcome_ids, all) {
                links.push(option_links);
            }
        }
        if self.diagnostics.len() > before {
            return None;
        }
        Some(links)
    }

    fn option_links(
        &mut self,
        option: &RawOption,
        question_ids: &HashMap<String, QuestionIx>,
        outcome_ids: &HashMap<String, OutcomeIx>,
        all: &[RawQuestion],
    ) -> Option<Links> {
        let before = self.diagnostics.len();
        let step = match (&option.next, &option.outcome) {
            (Some(next), Some(outcome)) => {
                self.error(
                    outcome.span(),
                    format!(
                        "option '{}' has both 'next' and 'outcome'; keep 'next' to ask another question, or 'outcome' to end the walk here",
                        option.id.get_ref()
                    ),
                );
                let _ = next;
                None
            }
            (Some(next), None) => self
                .resolve_question(question_ids, next, "next", all)
                .map(Step::Next),
            (None, Some(outcome)) => self
                .resolve_outcome(outcome_ids, outcome, "outcome")
                .map(Step::Outcome),
            (None, None) => Some(Step::End),
        };
        let mut score = Vec::new();
        let mut score_spans = Vec::new();
        for (name, points) in option.score.iter().flat_map(|scores| &scores.0) {
            let value = *points.get_ref();
            if value.unsigned_abs() > MAX_POINTS.unsigned_abs() {
                self.error(
                    points.span(),
                    format!(
                        "the score {value} for '{}' is beyond the limit of {} either way; use a number from -{} to {} (only how scores compare matters, so scaling every score down by the same amount changes no result)",
                        name.get_ref(),
                        MAX_POINTS,
                        MAX_POINTS,
                        MAX_POINTS
                    ),
                );
            }
            if let Some(o) = self.resolve_outcome(outcome_ids, name, "score") {
                score.push((o, value));
                score_spans.push(name.span());
            }
        }
        let where_to_look =
            self.lines_by_outcome(outcome_ids, option.where_to_look.as_ref(), "where_to_look");
        let keep_in_mind =
            self.lines_by_outcome(outcome_ids, option.keep_in_mind.as_ref(), "keep_in_mind");
        if self.diagnostics.len() > before {
            return None;
        }
        Some(Links {
            step: step?,
            score,
            score_spans,
            where_to_look,
            keep_in_mind,
        })
    }

    /// A `{ outcome = "text" }` table with its outcome ids resolved.
    fn lines_by_outcome(
        &mut self,
        outcome_ids: &HashMap<String, OutcomeIx>,
        lines: Option<&raw::Looks>,
        key: &str,
    ) -> Vec<(OutcomeIx, String)> {
        let mut resolved = Vec::new();
        for (name, line) in lines.iter().flat_map(|looks| &looks.0) {
            if let Some(o) = self.resolve_outcome(outcome_ids, name, key) {
                resolved.push((o, line.get_ref().clone()));
            }
        }
        resolved
    }

    /// Reports each cycle once, as the chain of question ids, at the `next` that closes it.
    fn find_cycles(&mut self, questions: &[Question]) {
        #[derive(Clone, Copy, PartialEq)]
        enum Mark {
            New,
            OnPath,
            Done,
        }
        let n = questions.len();
        let mut mark = vec![Mark::New; n];
        for root in 0..n {
            if mark[root] != Mark::New {
                continue;
            }
            // Iterative depth-first search: (question, next choice to try).
            let mut stack: Vec<(QuestionIx, usize)> = vec![(root, 0)];
            mark[root] = Mark::OnPath;
            while let Some(&mut (q, ref mut next_choice)) = stack.last_mut() {
                let Some(choice) = questions[q].choices.get(*next_choice) else {
                    mark[q] = Mark::Done;
                    stack.pop();
                    continue;
                };
                *next_choice += 1;
                let Step::Next(target) = choice.step else {
                    continue;
                };
                match mark[target] {
                    Mark::New => {
                        mark[target] = Mark::OnPath;
                        stack.push((target, 0));
                    }
                    Mark::OnPath => {
                        let from = stack.iter().position(|&(s, _)| s == target).unwrap_or(0);
                        let chain: Vec<&str> = stack[from..]
                            .iter()
                            .map(|&(s, _)| questions[s].id.as_str())
                            .chain(std::iter::once(questions[target].id.as_str()))
                            .collect();
                        let span = choice.next_span.clone().unwrap_or(choice.span.clone());
                        self.error(
                            span,
                            format!(
                                "cycle: {}; a walk could go round forever, so point one of these 'next' keys elsewhere or end it with an outcome",
                                chain.join(" → ")
                            ),
                        );
                    }
                    Mark::Done => {}
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_list_of_outcomes_is_cut_after_the_first_twenty() {
        let few: HashMap<String, OutcomeIx> = [("b".to_owned(), 0), ("a".to_owned(), 1)]
            .into_iter()
            .collect();
        assert_eq!(outcome_list(&few), "; the outcomes are 'a', 'b'");
        let many: HashMap<String, OutcomeIx> = (0..25).map(|i| (format!("o{i:02}"), i)).collect();
        let list = outcome_list(&many);
        assert!(
            list.starts_with("; the outcomes are 'o00', 'o01'"),
            "{list}"
        );
        assert!(list.ends_with("'o19' and 5 more"), "{list}");
    }
}
