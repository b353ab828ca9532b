//! A walk through the tree: the answers given so far, and where they lead.
//!
//! The walk is the one state machine behind every way of answering — the TUI, plain mode, replayed
//! answers files and the checker's scenarios — so they cannot disagree about where answers lead.

use crate::tree::{OutcomeIx, QuestionIx, Step, Tree};

/// One answer: a question and the index of the choice made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Answer {
    pub question: QuestionIx,
    pub choice: usize,
}

/// Where a walk stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Position {
    /// Waiting for an answer to this question.
    Asking(QuestionIx),
    /// The last answer ended the walk. After a danger on the safety screen the result is already
    /// settled, but the screen may still ask whether anything else on it is true as well (see
    /// [`Walk::follow_up`]).
    Finished,
}

#[derive(Debug, Clone)]
pub struct Walk<'t> {
    tree: &'t Tree,
    answers: Vec<Answer>,
    /// Answers the person took back, one per question at most, offered again (marked, never
    /// chosen) when their question comes up again. They never count, so they are kept apart.
    remembered: Vec<Answer>,
}

/// Why a finished walk has no recommendation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NoRecommendation {
    #[error(
        "no outcome scored above zero for these answers and the tree has no fallback; run 'groupfit check' on the tree"
    )]
    NoWinner,
    #[error("the walk is not finished: question '{0}' still needs an answer")]
    Unfinished(String),
}

/// Where a finished walk leads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recommendation {
    pub outcome: OutcomeIx,
    /// How the outcome was chosen.
    pub basis: Basis,
    /// Another outcome had the same top total; the one listed first in the tree won.
    pub tie: bool,
    /// The best other outcome with a positive total, offered as "also consider".
    pub runner_up: Option<OutcomeIx>,
    /// Totals for every outcome, in the tree's order.
    pub scores: Vec<i64>,
    /// Every urgent outcome the dangers chosen lead to, most urgent first (the order of the
    /// safety screen's options); `outcome` is the first. Empty for a group recommendation.
    pub urgent: Vec<OutcomeIx>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Basis {
    /// An answer routed straight to the outcome.
    Routed,
    /// The outcome had the highest total.
    Scored,
    /// Nothing scored above zero, so the tree's fallback was used.
    Fallback,
}

impl<'t> Walk<'t> {
    pub fn new(tree: &'t Tree) -> Self {
        Self {
            tree,
            answers: Vec::new(),
            remembered: Vec::new(),
        }
    }

    pub fn tree(&self) -> &'t Tree {
        self.tree
    }

    pub fn answers(&self) -> &[Answer] {
        &self.answers
    }

    pub fn position(&self) -> Position {
        let Some(last) = self.answers.last() else {
            return Position::Asking(self.tree.start);
        };
        if let Some(safety) = self.tree.safety
            && last.question == safety.question
            && last.choice == safety.none
            && !self.dangers().is_empty()
        {
            // "Nothing else" after a danger closes the screen; the dangers decide.
            return Position::Finished;
        }
        match self.tree.questions[last.question].choices[last.choice].step {
            Step::Next(next) => Position::Asking(next),
            Step::Outcome(_) | Step::End => Position::Finished,
        }
    }

    /// Answers the current question; ignored when the walk is finished or the choice does not exist.
    pub fn choose(&mut self, choice: usize) -> bool {
        match self.position() {
            Position::Asking(question) if choice < self.tree.questions[question].choices.len() => {
                if !self.remembered.is_empty() {
                    self.remembered.retain(|a| a.question != question);
                }
                self.answers.push(Answer { question, choice });
                true
            }
            _ => false,
        }
    }

    /// The dangers chosen on the last run of the safety screen, as choice indices in the order
    /// chosen; empty when no danger was chosen.
    ///
    /// A run is the answers to the safety screen at the end of the walk: the first question, or
    /// the screen raised again later with `!`.
    pub fn dangers(&self) -> Vec<usize> {
        let Some(safety) = self.tree.safety else {
            return Vec::new();
        };
        self.answers
            .iter()
            .rev()
            .take_while(|a| a.question == safety.question)
            .filter(|a| a.choice != safety.none)
            .map(|a| a.choice)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect()
    }

    /// The safety screen, when it is asking "is anything else on this list true as well?": after
    /// a danger that does not end the screen on its own, while some danger is left to choose.
    pub fn follow_up(&self) -> Option<QuestionIx> {
        let safety = self.tree.safety?;
        let question = &self.tree.questions[safety.question];
        question.also.as_ref()?;
        let last = self.answers.last()?;
        if last.question != safety.question
            || last.choice == safety.none
            || question.choices[last.choice].alone
        {
            return None;
        }
        let chosen = self.dangers();
        let left = (0..question.choices.len()).any(|c| c != safety.none && !chosen.contains(&c));
        left.then_some(safety.question)
    }

    /// The answers offered now, as choice indices in the order shown: every answer of the
    /// question asked. The follow-up shows every answer of the safety screen too, so that each
    /// keeps its number; those already chosen ([`Walk::dangers`]) cannot be chosen again.
    pub fn offered(&self) -> Vec<usize> {
        if let Some(q) = self.follow_up() {
            return (0..self.tree.questions[q].choices.len()).collect();
        }
        match self.position() {
            Position::Asking(q) => (0..self.tree.questions[q].choices.len()).collect(),
            Position::Finished => Vec::new(),
        }
    }

    /// Answers the safety screen's follow-up: another danger, or the no-danger option for
    /// "nothing else". Ignored when no follow-up is asked, or the choice does not exist or was
    /// already chosen.
    pub fn answer_follow_up(&mut self, choice: usize) -> bool {
        match self.follow_up() {
            Some(question)
                if choice < self.tree.questions[question].choices.len()
                    && !self.dangers().contains(&choice) =>
            {
                self.answers.push(Answer { question, choice });
                true
            }
            _ => false,
        }
    }

    /// A danger raised at a later question with `!`: the safety screen answered again, keeping
    /// every answer so far. Only a danger is taken (a raised screen answered "none of these"
    /// changes nothing), and only while a question after the safety screen is asked.
    pub fn raise(&mut self, choice: usize) -> bool {
        let Some(safety) = self.tree.safety else {
            return false;
        };
        let raisable = matches!(self.position(), Position::Asking(q) if q != safety.question);
        if !raisable
            || choice == safety.none
            || choice >= self.tree.questions[safety.question].choices.len()
        {
            return false;
        }
        self.answers.push(Answer {
            question: safety.question,
            choice,
        });
        true
    }

    /// Takes back the last answer; the next choice replaces it, so no stale answer survives.
    pub fn back(&mut self) -> Option<Answer> {
        self.answers.pop()
    }

    /// The person takes back their last answer: it is remembered, to be marked when its
    /// question comes up again, unless it was on the safety screen, where nothing starts marked.
    pub fn take_back(&mut self) -> Option<Answer> {
        let answer = self.answers.pop()?;
        let on_safety = self
            .tree
            .safety
            .is_some_and(|s| s.question == answer.question);
        if !on_safety {
            self.remembered.retain(|a| a.question != answer.question);
            self.remembered.push(answer);
        }
        Some(answer)
    }

    /// Goes back to the answer at `index` (0-based), taking back it and every later one, so that
    /// its question is asked again; each is remembered as [`Walk::take_back`] does.
    pub fn back_to(&mut self, index: usize) -> Option<Answer> {
        let mut last = None;
        while self.answers.len() > index {
            last = self.take_back();
        }
        last
    }

    /// The earlier answer to `question` that was taken back and not given again, if any.
    pub fn remembered(&self, question: QuestionIx) -> Option<usize> {
        self.remembered
            .iter()
            .find(|a| a.question == question)
            .map(|a| a.choice)
    }

    pub fn restart(&mut self) {
        self.answers.clear();
        self.remembered.clear();
    }

    /// 1-based number of the current question and the most there can be, for progress.
    ///
    /// The total is the answers so far plus the longest path from here, so it can shrink as
    /// branches close but the question number never goes back while moving forward.
    pub fn progress(&self, longest: &[usize]) -> (usize, usize) {
        match self.position() {
            Position::Asking(q) => {
                let k = self.answers.len() + 1;
                (k, self.answers.len() + longest[q])
            }
            Position::Finished => (self.answers.len(), self.answers.len()),
        }
    }

    /// Totals of every outcome over the answers given.
    pub fn scores(&self) -> Vec<i64> {
        let mut totals = vec![0i64; self.tree.outcomes.len()];
        for answer in &self.answers {
            for &(outcome, points) in
                &self.tree.questions[answer.question].choices[answer.choice].score
            {
                totals[outcome] = totals[outcome].saturating_add(points);
            }
        }
        totals
    }

    /// The recommendation of a finished walk.
    pub fn recommendation(&self) -> Result<Recommendation, NoRecommendation> {
        if let Position::Asking(q) = self.position() {
            return Err(NoRecommendation::Unfinished(
                self.tree.questions[q].id.clone(),
            ));
        }
        let scores = self.scores();
        let decision = self.decide(&scores)?;
        let urgent = self.urgent_outcomes();
        let runner_up = match decision.basis {
            // An urgent outcome recommends no group, so nothing else is offered beside it.
            Basis::Routed if self.tree.outcomes[decision.outcome].urgent => None,
            Basis::Routed | Basis::Scored => best_other(&scores, decision.outcome),
            Basis::Fallback => None,
        };
        Ok(Recommendation {
            outcome: decision.outcome,
            basis: decision.basis,
            tie: decision.tie,
            runner_up,
            scores,
            urgent,
        })
    }

    /// The urgent outcomes of the dangers chosen, in the order the safety screen lists them,
    /// each once.
    fn urgent_outcomes(&self) -> Vec<OutcomeIx> {
        let Some(safety) = self.tree.safety else {
            return Vec::new();
        };
        let mut dangers = self.dangers();
        dangers.sort_unstable();
        let mut outcomes = Vec::new();
        for choice in dangers {
            if let Step::Outcome(o) = self.tree.questions[safety.question].choices[choice].step
                && !outcomes.contains(&o)
            {
                outcomes.push(o);
            }
        }
        outcomes
    }

    /// The outcome of a finished walk whose totals are `scores` (what [`Walk::scores`] gives),
    /// without the runner-up and totals that [`Walk::recommendation`] adds.
    pub fn decide(&self, scores: &[i64]) -> Result<Decision, NoRecommendation> {
        if let Some(&outcome) = self.urgent_outcomes().first() {
            return Ok(Decision {
                outcome,
                basis: Basis::Routed,
                tie: false,
            });
        }
        let last = self.answers.last().copied();
        let routed =
            last.and_then(
                |a| match self.tree.questions[a.question].choices[a.choice].step {
                    Step::Outcome(o) => Some(o),
                    _ => None,
                },
            );
        if let Some(outcome) = routed {
            return Ok(Decision {
                outcome,
                basis: Basis::Routed,
                tie: false,
            });
        }
        by_score(self.tree, scores)
    }
}

/// The outcome of a walk that ends by scoring, from its totals: the highest positive total (the
/// first listed on a tie), else the tree's fallback.
pub fn by_score(tree: &Tree, scores: &[i64]) -> Result<Decision, NoRecommendation> {
    let (best, top) = scores
        .iter()
        .enumerate()
        // max_by_key keeps the last of equals; reversing keeps the first listed.
        .rev()
        .max_by_key(|&(_, &total)| total)
        .map_or((None, 0), |(ix, &total)| (Some(ix), total));
    match best {
        Some(outcome) if top > 0 => {
            let tie = scores
                .iter()
                .enumerate()
                .any(|(ix, &total)| ix != outcome && total == top);
            Ok(Decision {
                outcome,
                basis: Basis::Scored,
                tie,
            })
        }
        _ => match tree.fallback {
            Some(outcome) => Ok(Decision {
                outcome,
                basis: Basis::Fallback,
                tie: false,
            }),
            None => Err(NoRecommendation::NoWinner),
        },
    }
}

/// Where a finished walk leads, as [`Walk::decide`] finds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    pub outcome: OutcomeIx,
    pub basis: Basis,
    /// Another outcome had the same top total; the one listed first in the tree won.
    pub tie: bool,
}

/// The highest positive total other than `outcome`, the first listed on a tie.
fn best_other(scores: &[i64], outcome: OutcomeIx) -> Option<OutcomeIx> {
    scores
        .iter()
        .enumerate()
        .filter(|&(ix, &total)| ix != outcome && total > 0)
        .rev()
        .max_by_key(|&(_, &total)| total)
        .map(|(ix, _)| ix)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Source;

    pub(crate) fn tree(text: &str) -> Tree {
        Tree::load(&Source::new("t.toml", text.to_owned()))
            .unwrap_or_else(|e| panic!("{e:?}"))
            .0
    }

    const TWO_STEP: &str = r#"
[tree]
title = "t"
version = "1"
start = "first"
safety = "first"
disclaimer = "d"
urgent_closing = "c"

[[question]]
id = "first"
text = "First?"
  [[question.option]]
  id = "danger"
  label = "Danger"
  outcome = "urgent"
  [[question.option]]
  id = "go"
  label = "Go on"
  next = "second"
  score = { b = 1 }
  reason = "go reason"

[[question]]
id = "second"
text = "Second?"
  [[question.option]]
  id = "a"
  label = "A"
  score = { a = 3, b = 1 }
  [[question.option]]
  id = "tie"
  label = "Tie"
  score = { a = 1 }
  [[question.option]]
  id = "none"
  label = "None"
  score = { b = -5 }
  [[question.option]]
  id = "routed"
  label = "Routed"
  outcome = "b"
  score = { a = 4 }

[[outcome]]
id = "a"
name = "A"
summary = "s"

[[outcome]]
id = "b"
name = "B"
summary = "s"

[[outcome]]
id = "urgent"
name = "U"
urgent = true
summary = "s"
steps = ["Call."]
"#;

    fn walk_to<'t>(tree: &'t Tree, choices: &[&str]) -> Walk<'t> {
        let mut walk = Walk::new(tree);
        for id in choices {
            let Position::Asking(q) = walk.position() else {
                panic!("finished early")
            };
            assert!(walk.choose(tree.choice_ix(q, id).unwrap()));
        }
        walk
    }

    #[test]
    fn highest_total_wins_and_runner_up_is_offered() {
        let tree = tree(TWO_STEP);
        let rec = walk_to(&tree, &["go", "a"]).recommendation().unwrap();
        assert_eq!(tree.outcomes[rec.outcome].id, "a");
        assert_eq!(rec.basis, Basis::Scored);
        assert!(!rec.tie);
        assert_eq!(rec.scores, vec![3, 2, 0]);
        assert_eq!(
            rec.runner_up.map(|o| tree.outcomes[o].id.as_str()),
            Some("b")
        );
    }

    #[test]
    fn a_tie_goes_to_the_outcome_listed_first_and_says_so() {
        let tree = tree(TWO_STEP);
        let rec = walk_to(&tree, &["go", "tie"]).recommendation().unwrap();
        assert_eq!(tree.outcomes[rec.outcome].id, "a");
        assert!(rec.tie);
        assert_eq!(
            rec.runner_up.map(|o| tree.outcomes[o].id.as_str()),
            Some("b")
        );
    }

    #[test]
    fn no_positive_total_without_fallback_is_no_recommendation() {
        let tree = tree(TWO_STEP);
        let walk = walk_to(&tree, &["go", "none"]);
        assert_eq!(walk.recommendation(), Err(NoRecommendation::NoWinner));
    }

    #[test]
    fn fallback_is_used_when_nothing_scores() {
        let tree =
            tree(&TWO_STEP.replace("disclaimer = \"d\"", "disclaimer = \"d\"\nfallback = \"b\""));
        let rec = walk_to(&tree, &["go", "none"]).recommendation().unwrap();
        assert_eq!(tree.outcomes[rec.outcome].id, "b");
        assert_eq!(rec.basis, Basis::Fallback);
    }

    #[test]
    fn routed_outcome_ignores_scores_but_offers_a_runner_up() {
        let tree = tree(TWO_STEP);
        let rec = walk_to(&tree, &["go", "routed"]).recommendation().unwrap();
        assert_eq!(tree.outcomes[rec.outcome].id, "b");
        assert_eq!(rec.basis, Basis::Routed);
        assert_eq!(
            rec.runner_up.map(|o| tree.outcomes[o].id.as_str()),
            Some("a")
        );
    }

    #[test]
    fn urgent_outcome_offers_nothing_beside_it() {
        let tree = tree(TWO_STEP);
        let walk = walk_to(&tree, &["danger"]);
        assert_eq!(walk.position(), Position::Finished);
        let rec = walk.recommendation().unwrap();
        assert_eq!(tree.outcomes[rec.outcome].id, "urgent");
        assert_eq!(rec.runner_up, None);
    }

    #[test]
    fn going_back_drops_the_later_answer() {
        let tree = tree(TWO_STEP);
        let mut walk = walk_to(&tree, &["go", "a"]);
        walk.back();
        assert_eq!(walk.answers().len(), 1);
        walk.choose(1);
        let rec = walk.recommendation().unwrap();
        assert!(rec.tie, "the new answer replaced the old one");
    }

    #[test]
    fn answers_taken_back_are_remembered_but_never_count() {
        let tree = tree(TWO_STEP);
        let mut walk = walk_to(&tree, &["go", "a"]);
        let second = tree.question_ix("second").unwrap();
        let first = tree.question_ix("first").unwrap();
        walk.back_to(0);
        assert_eq!(walk.answers(), &[]);
        assert_eq!(walk.remembered(second), Some(0));
        assert_eq!(
            walk.remembered(first),
            None,
            "nothing starts marked on the safety screen"
        );
        assert_eq!(
            walk.scores(),
            vec![0, 0, 0],
            "a remembered answer counts for nothing"
        );
        walk.choose(1);
        assert_eq!(
            walk.remembered(second),
            Some(0),
            "still there when it comes up again"
        );
        walk.choose(1);
        assert_eq!(walk.remembered(second), None, "answering again replaces it");
        assert_eq!(walk.answers().len(), 2);
        walk.restart();
        walk.choose(1);
        assert_eq!(walk.remembered(second), None, "starting again forgets");
    }

    #[test]
    fn progress_never_goes_backwards() {
        let tree = tree(TWO_STEP);
        let longest = tree.longest_remaining();
        let mut walk = Walk::new(&tree);
        assert_eq!(walk.progress(&longest), (1, 2));
        walk.choose(1);
        assert_eq!(walk.progress(&longest), (2, 2));
        assert!(!walk.choose(99), "a choice that does not exist is refused");
    }
}
