//! The rules that keep the safety screen whole.
//!
//! The safety screen is the first question, named by `safety` in `[tree]`. Every one of its
//! options but one ends at an urgent outcome; the one left says no danger applies and goes on to
//! the questions about groups. An urgent outcome says what to do now, and an urgent result closes
//! with a line of its own. Each edit that would break one of these rules is an error here, so a
//! tree that breaks them can never be walked.

use std::collections::HashMap;
use std::ops::Range;

use super::raw::RawTreeHeader;
use super::{Outcome, Question, QuestionIx, Safety, Step};
use crate::diagnostic::Diagnostic;
use crate::source::Source;

/// What the safety rules look at: the built questions and outcomes and where `[tree]` is.
pub(super) struct Screen<'a> {
    pub source: &'a Source,
    pub header: &'a RawTreeHeader,
    pub header_span: Range<usize>,
    pub start: Option<QuestionIx>,
    pub question_ids: &'a HashMap<String, QuestionIx>,
    pub questions: &'a [Question],
    pub outcomes: &'a [Outcome],
}

impl Screen<'_> {
    /// Checks the rules, pushing an error for each one broken; the screen when all hold.
    pub fn check(&self, diagnostics: &mut Vec<Diagnostic>) -> Option<Safety> {
        let before = diagnostics.iter().filter(|d| d.is_error()).count();
        let urgent: Vec<&str> = self
            .outcomes
            .iter()
            .filter(|o| o.urgent)
            .map(|o| o.id.as_str())
            .collect();

        for outcome in self
            .outcomes
            .iter()
            .filter(|o| o.urgent && o.steps.is_empty())
        {
            diagnostics.push(Diagnostic::error(
                outcome.span.clone(),
                format!(
                    "urgent outcome '{}' has no 'steps': say what to do now, in short numbered steps, such as steps = [\"Call or text 988 now.\", \"...\"]",
                    outcome.id
                ),
            ));
        }
        if !urgent.is_empty() && self.header.urgent_closing.is_none() {
            diagnostics.push(Diagnostic::error(
                self.header_span.clone(),
                "the tree has urgent outcomes but [tree] has no 'urgent_closing', the line an urgent result ends with in place of the disclaimer; add urgent_closing = \"...\"",
            ));
        }

        let screen = self.named_screen(&urgent, diagnostics);
        self.stray_follow_ups(screen, diagnostics);
        let screen = screen?;
        let none = self.screen_options(screen, diagnostics);

        let after = diagnostics.iter().filter(|d| d.is_error()).count();
        match none {
            Some(none) if after == before => Some(Safety {
                question: screen,
                none,
            }),
            _ => None,
        }
    }

    /// The question `safety` names, when it names one and it is the first question.
    fn named_screen(
        &self,
        urgent: &[&str],
        diagnostics: &mut Vec<Diagnostic>,
    ) -> Option<QuestionIx> {
        let Some(name) = &self.header.safety else {
            if urgent.is_empty() {
                diagnostics.push(Diagnostic::warning(
                    self.header_span.clone(),
                    "the tree has no safety screen: nothing asks about danger before the questions about groups; make the first question ask about it, end each danger at an outcome with urgent = true, and name the question with safety = \"...\" in [tree]",
                ));
            } else {
                let start = self
                    .start
                    .map_or("the first question", |q| self.questions[q].id.as_str());
                diagnostics.push(Diagnostic::error(
                    self.header_span.clone(),
                    format!(
                        "the tree has urgent outcomes ('{}') but names no safety screen; add safety = \"{start}\" to [tree], naming the first question, the one that asks about danger",
                        urgent.join("', '")
                    ),
                ));
            }
            return None;
        };
        let Some(&screen) = self.question_ids.get(name.get_ref()) else {
            let known: Vec<&str> = self.questions.iter().map(|q| q.id.as_str()).collect();
            let hint = super::hint_or_list(name.get_ref(), &known, "questions");
            diagnostics.push(Diagnostic::error(
                name.span(),
                format!(
                    "'safety' names question '{}', but there is no such question{hint}",
                    name.get_ref()
                ),
            ));
            return None;
        };
        if let Some(start) = self.start
            && start != screen
        {
            diagnostics.push(Diagnostic::error(
                name.span(),
                format!(
                    "the safety screen '{}' must be the first question asked, but 'start' is '{}'; set start = \"{}\" so that danger is asked about before anything else",
                    self.questions[screen].id, self.questions[start].id, self.questions[screen].id
                ),
            ));
        }
        Some(screen)
    }

    /// The follow-up and `alone` belong to the safety screen only.
    fn stray_follow_ups(&self, screen: Option<QuestionIx>, diagnostics: &mut Vec<Diagnostic>) {
        for (q, question) in self.questions.iter().enumerate() {
            if Some(q) == screen {
                continue;
            }
            if question.also.is_some() {
                diagnostics.push(Diagnostic::error(
                    question.span.clone(),
                    format!(
                        "question '{}' has 'also', but only the safety screen asks \"is anything else true as well?\"; remove 'also' from this question",
                        question.id
                    ),
                ));
            }
            for choice in question.choices.iter().filter(|c| c.alone) {
                diagnostics.push(Diagnostic::error(
                    choice.span.clone(),
                    format!(
                        "option '{}' of question '{}' has 'alone', which only options of the safety screen may have; remove it",
                        choice.id, question.id
                    ),
                ));
            }
        }
    }

    /// Checks the screen's options; the index of the one that says no danger applies.
    fn screen_options(
        &self,
        screen: QuestionIx,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> Option<usize> {
        let question = &self.questions[screen];
        let going_on: Vec<usize> = question
            .choices
            .iter()
            .enumerate()
            .filter(|(_, c)| matches!(c.step, Step::Next(_)))
            .map(|(i, _)| i)
            .collect();
        let none = going_on.first().copied();
        match none {
            None => diagnostics.push(Diagnostic::error(
                question.span.clone(),
                format!(
                    "the safety screen '{}' has no option that says no danger applies; add one with next = \"...\" so that a person in no danger can go on to the questions about groups",
                    question.id
                ),
            )),
            Some(first) => {
                if going_on.len() > 1 {
                    let named: Vec<String> = going_on
                        .iter()
                        .map(|&c| {
                            let (line, _) = self.source.position(question.choices[c].span.start);
                            format!("'{}' (line {line})", question.choices[c].id)
                        })
                        .collect();
                    let second = &question.choices[going_on[1]];
                    diagnostics.push(Diagnostic::error(
                        second.next_span.clone().unwrap_or(second.span.clone()),
                        format!(
                            "more than one option of the safety screen goes on to other questions ({}); only the one that says no danger applies may, so end each of the others at an urgent outcome with outcome = \"...\"",
                            named.join(", ")
                        ),
                    ));
                }
                if question.choices[first].alone {
                    diagnostics.push(Diagnostic::error(
                        question.choices[first].span.clone(),
                        format!(
                            "option '{}' says no danger applies, so it cannot have 'alone', which ends the screen at an urgent result; remove 'alone'",
                            question.choices[first].id
                        ),
                    ));
                }
            }
        }

        // Each outcome the screen ends at that is not urgent is reported once, at the outcome,
        // naming every option that leads to it.
        let mut not_urgent: Vec<(usize, Vec<String>)> = Vec::new();
        for choice in &question.choices {
            match choice.step {
                Step::End => diagnostics.push(Diagnostic::error(
                    choice.span.clone(),
                    format!(
                        "option '{}' of the safety screen does not end at an urgent outcome, so a person who chooses it would be offered a group; add outcome = \"...\" naming an outcome with urgent = true",
                        choice.id
                    ),
                )),
                Step::Outcome(o) if !self.outcomes[o].urgent => {
                    let (line, _) = self.source.position(choice.span.start);
                    let named = format!("'{}' (line {line})", choice.id);
                    match not_urgent.iter_mut().find(|(seen, _)| *seen == o) {
                        Some((_, options)) => options.push(named),
                        None => not_urgent.push((o, vec![named])),
                    }
                }
                Step::Next(_) | Step::Outcome(_) => {}
            }
        }
        for (o, options) in not_urgent {
            let outcome = &self.outcomes[o];
            diagnostics.push(Diagnostic::error(
                outcome.span.clone(),
                format!(
                    "outcome '{}' is where the safety screen's option {} ends, but it is not urgent, so it would be shown as a provisional group recommendation; add urgent = true to it, or end the option at an urgent outcome",
                    outcome.id,
                    options.join(", ")
                ),
            ));
        }
        none
    }
}
