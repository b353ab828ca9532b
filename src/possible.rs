//! Where a walk can still end: the outcomes that some way of answering the remaining questions
//! would recommend, for the intake panel "still possible".
//!
//! Trying every way of finishing is exact but takes milliseconds on the built-in tree's first
//! questions, and the panel is redrawn after every answer. So each outcome is looked for on its
//! own, depth first, following only answers after which it can still come out on top: judged by
//! the most it can still gain against the least each other outcome will ([`Bounds`]), which rules
//! out most of the tree without visiting it. A budget bounds the search on huge trees: when it
//! runs out the search stops, and the outcome is listed anyway, so the list may hold too many but
//! never too few.

use crate::tree::{OutcomeIx, QuestionIx, Step, Tree};
use crate::walk::{Position, Walk};

/// How many questions the search may visit per outcome before it gives up and lists the outcome.
pub const BUDGET: usize = 50_000;

/// The outcomes a walk can still end in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Possible {
    /// In the tree's order.
    pub outcomes: Vec<OutcomeIx>,
    /// False when the budget ran out for some outcome, which is then listed without proof.
    pub exact: bool,
}

/// For every question, the most and the least each outcome can still gain from it to the end,
/// and which outcomes an answer below it routes to.
#[derive(Debug, Clone)]
pub struct Bounds {
    most: Vec<Vec<i64>>,
    least: Vec<Vec<i64>>,
    routes: Vec<Vec<bool>>,
}

impl Bounds {
    /// Worked out once per tree, from the last questions back to the first.
    pub fn of(tree: &Tree) -> Self {
        let outcomes = tree.outcomes.len();
        let questions = tree.questions.len();
        let mut bounds = Bounds {
            most: vec![vec![0; outcomes]; questions],
            least: vec![vec![0; outcomes]; questions],
            routes: vec![vec![false; outcomes]; questions],
        };
        for &q in tree.topological_order().iter().rev() {
            let mut most = vec![i64::MIN; outcomes];
            let mut least = vec![i64::MAX; outcomes];
            let mut routes = vec![false; outcomes];
            for choice in &tree.questions[q].choices {
                let mut gain = vec![0i64; outcomes];
                for &(o, points) in &choice.score {
                    gain[o] = gain[o].saturating_add(points);
                }
                let (after_most, after_least) = match choice.step {
                    Step::Next(next) => {
                        for (o, routed) in routes.iter_mut().enumerate() {
                            *routed |= bounds.routes[next][o];
                        }
                        (bounds.most[next].clone(), bounds.least[next].clone())
                    }
                    Step::Outcome(o) => {
                        routes[o] = true;
                        (vec![0; outcomes], vec![0; outcomes])
                    }
                    Step::End => (vec![0; outcomes], vec![0; outcomes]),
                };
                for o in 0..outcomes {
                    most[o] = most[o].max(gain[o].saturating_add(after_most[o]));
                    least[o] = least[o].min(gain[o].saturating_add(after_least[o]));
                }
            }
            bounds.most[q] = most;
            bounds.least[q] = least;
            bounds.routes[q] = routes;
        }
        bounds
    }

    /// Whether, with these totals so far, some way on from `q` could still leave `outcome` on top
    /// by its score, or as the fallback when nothing scores. Never false when it could; sometimes
    /// true when it cannot, since each outcome's best and worst are taken on their own.
    fn may_win(&self, tree: &Tree, q: QuestionIx, totals: &[i64], outcome: OutcomeIx) -> bool {
        let best = totals[outcome].saturating_add(self.most[q][outcome]);
        let by_score = best > 0
            && (0..totals.len()).filter(|&p| p != outcome).all(|p| {
                let worst = totals[p].saturating_add(self.least[q][p]);
                // The first listed of equal totals wins.
                if p < outcome {
                    best > worst
                } else {
                    best >= worst
                }
            });
        let by_fallback = tree.fallback == Some(outcome)
            && (0..totals.len()).all(|p| totals[p].saturating_add(self.least[q][p]) <= 0);
        by_score || by_fallback
    }
}

/// The outcomes that finishing this walk can still be recommended.
pub fn still_possible(walk: &Walk<'_>, bounds: &Bounds, budget: usize) -> Possible {
    let tree = walk.tree();
    let Position::Asking(from) = walk.position() else {
        return Possible {
            outcomes: walk
                .recommendation()
                .map(|r| vec![r.outcome])
                .unwrap_or_default(),
            exact: true,
        };
    };
    let mut outcomes = Vec::new();
    let mut exact = true;
    for outcome in 0..tree.outcomes.len() {
        if bounds.routes[from][outcome] {
            // Some answer from here leads straight to it, whatever the scores.
            outcomes.push(outcome);
            continue;
        }
        let mut search = Search {
            bounds,
            outcome,
            walk: walk.clone(),
            totals: walk.scores(),
            left: budget,
        };
        match search.can_end_in() {
            Found::Yes => outcomes.push(outcome),
            Found::No => {}
            Found::GaveUp => {
                exact = false;
                outcomes.push(outcome);
            }
        }
    }
    Possible { outcomes, exact }
}

/// What a search below some point of the walk came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Found {
    /// A way of finishing there ends in the outcome.
    Yes,
    /// No way of finishing there does.
    No,
    /// The budget ran out before either was known.
    GaveUp,
}

/// A question the search is trying the answers of.
struct Frame {
    question: QuestionIx,
    /// The answers to try, best for the outcome first.
    order: Vec<usize>,
    /// How many of `order` have been tried.
    tried: usize,
}

/// What the search found on reaching a point of the walk: settled at once, or a question to try.
enum Visit {
    Settled(Found),
    Explore(Frame),
}

/// A depth-first search for one way of finishing that ends in `outcome`.
///
/// The search keeps its own stack of questions rather than recursing, since a tree may be
/// hundreds of thousands of questions deep.
struct Search<'b, 't> {
    bounds: &'b Bounds,
    outcome: OutcomeIx,
    walk: Walk<'t>,
    /// The walk's totals, kept in step with it.
    totals: Vec<i64>,
    /// Questions still to visit before giving up.
    left: usize,
}

impl Search<'_, '_> {
    /// Whether some way of finishing the walk ends in the outcome. The walk is left wherever the
    /// search stopped.
    fn can_end_in(&mut self) -> Found {
        let mut frames: Vec<Frame> = Vec::new();
        // What the search below the top frame's last answer came to, once it is known.
        let mut below = match self.visit() {
            Visit::Settled(found) => return found,
            Visit::Explore(frame) => {
                frames.push(frame);
                None
            }
        };
        while let Some(frame) = frames.last_mut() {
            if let Some(found) = below.take() {
                self.undo();
                match found {
                    Found::Yes => return Found::Yes,
                    Found::No => {}
                    // The budget never grows back, so nothing more can be settled.
                    Found::GaveUp => return Found::GaveUp,
                }
            }
            if let Some(&choice) = frame.order.get(frame.tried) {
                frame.tried += 1;
                let question = frame.question;
                self.walk.choose(choice);
                self.add(question, choice, 1);
                match self.visit() {
                    Visit::Settled(found) => below = Some(found),
                    Visit::Explore(frame) => frames.push(frame),
                }
            } else {
                frames.pop();
                if frames.is_empty() {
                    return Found::No;
                }
                below = Some(Found::No);
            }
        }
        Found::No
    }

    /// Where the walk stands now: finished (in the outcome or not), out of budget, ruled out by
    /// the bounds, or a question whose answers are worth trying.
    fn visit(&mut self) -> Visit {
        let tree = self.walk.tree();
        let q = match self.walk.position() {
            Position::Finished => {
                // The totals kept in step, not the walk's own sum: that would cost the length of
                // the walk at every end, and a search may reach one end per question.
                let ends_here = self
                    .walk
                    .decide(&self.totals)
                    .is_ok_and(|d| d.outcome == self.outcome);
                return Visit::Settled(if ends_here { Found::Yes } else { Found::No });
            }
            Position::Asking(q) => q,
        };
        if self.left == 0 {
            return Visit::Settled(Found::GaveUp);
        }
        self.left -= 1;
        if !self.bounds.may_win(tree, q, &self.totals, self.outcome) {
            return Visit::Settled(Found::No);
        }
        // The answers that do the most for the outcome first, so a way is usually found at once.
        // An answer that ends at another outcome cannot lead to this one.
        let choices = &tree.questions[q].choices;
        let mut order: Vec<usize> = (0..choices.len())
            .filter(|&c| !matches!(choices[c].step, Step::Outcome(o) if o != self.outcome))
            .collect();
        order.sort_by_key(|&c| std::cmp::Reverse(choices[c].score_for(self.outcome)));
        Visit::Explore(Frame {
            question: q,
            order,
            tried: 0,
        })
    }

    /// Takes back the walk's last answer and its points.
    fn undo(&mut self) {
        if let Some(answer) = self.walk.back() {
            self.add(answer.question, answer.choice, -1);
        }
    }

    fn add(&mut self, q: QuestionIx, c: usize, sign: i64) {
        let choice = &self.walk.tree().questions[q].choices[c];
        for &(o, points) in &choice.score {
            self.totals[o] = self.totals[o].saturating_add(sign * points);
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::source::Source;

    /// Every way of finishing, tried one by one: the slow, obvious answer to compare with.
    pub(crate) fn by_trying_everything(walk: &Walk<'_>) -> Vec<OutcomeIx> {
        let tree = walk.tree();
        let mut reached = vec![false; tree.outcomes.len()];
        let mut stack = vec![walk.clone()];
        while let Some(w) = stack.pop() {
            match w.position() {
                Position::Finished => {
                    if let Ok(r) = w.recommendation() {
                        reached[r.outcome] = true;
                    }
                }
                Position::Asking(q) => {
                    for c in 0..tree.questions[q].choices.len() {
                        let mut next = w.clone();
                        next.choose(c);
                        stack.push(next);
                    }
                }
            }
        }
        (0..reached.len()).filter(|&o| reached[o]).collect()
    }

    fn builtin() -> Tree {
        Tree::load(&Source::builtin()).unwrap().0
    }

    fn ids(tree: &Tree, outcomes: &[OutcomeIx]) -> Vec<String> {
        outcomes
            .iter()
            .map(|&o| tree.outcomes[o].id.clone())
            .collect()
    }

    #[test]
    fn at_the_start_everything_is_possible_and_past_safety_crisis_is_not() {
        let tree = builtin();
        let bounds = Bounds::of(&tree);
        let walk = Walk::new(&tree);
        let start = still_possible(&walk, &bounds, BUDGET);
        assert!(start.exact);
        assert_eq!(
            ids(&tree, &start.outcomes),
            [
                "support",
                "therapy",
                "psychoeducational",
                "self_help",
                "crisis",
                "harm_others",
                "unsafe",
                "someone_else",
                "withdrawal",
                "reality",
                "rather_not_say"
            ]
        );
        let mut walk = walk;
        let safety = tree.question_ix("safety").unwrap();
        walk.choose(tree.choice_ix(safety, "none").unwrap());
        let past = still_possible(&walk, &bounds, BUDGET);
        assert!(past.outcomes.iter().all(|&o| !tree.outcomes[o].urgent));
    }

    #[test]
    fn on_the_built_in_tree_it_agrees_with_trying_everything_along_many_walks() {
        let tree = builtin();
        let bounds = Bounds::of(&tree);
        // Every walk of up to four answers, and from each, one walk on to the end.
        let mut walks = vec![Walk::new(&tree)];
        let mut checked = 0;
        while let Some(walk) = walks.pop() {
            let possible = still_possible(&walk, &bounds, BUDGET);
            assert!(possible.exact);
            assert_eq!(
                possible.outcomes,
                by_trying_everything(&walk),
                "{:?}",
                walk.answers()
            );
            checked += 1;
            if let Position::Asking(q) = walk.position() {
                let deep = walk.answers().len() >= 4;
                for c in 0..tree.questions[q].choices.len() {
                    if deep && c > 0 {
                        break;
                    }
                    let mut next = walk.clone();
                    next.choose(c);
                    walks.push(next);
                }
            }
        }
        assert!(checked > 100, "{checked}");
    }

    #[test]
    fn past_the_budget_it_lists_rather_than_leaves_out() {
        let tree = builtin();
        let bounds = Bounds::of(&tree);
        let walk = Walk::new(&tree);
        let exact = by_trying_everything(&walk);
        let estimate = still_possible(&walk, &bounds, 1);
        for o in exact {
            assert!(estimate.outcomes.contains(&o), "{}", tree.outcomes[o].id);
        }
    }

    #[test]
    fn a_finished_walk_ends_where_it_ended() {
        let tree = builtin();
        let bounds = Bounds::of(&tree);
        let mut walk = Walk::new(&tree);
        let safety = tree.question_ix("safety").unwrap();
        walk.choose(tree.choice_ix(safety, "withdrawal").unwrap());
        let possible = still_possible(&walk, &bounds, 10);
        assert_eq!(ids(&tree, &possible.outcomes), ["withdrawal"]);
    }

    /// Scores at the bound, most of them at once in a walk: three questions whose answers each
    /// give or take the most points allowed, for three outcomes.
    fn at_the_bound() -> Tree {
        use crate::tree::MAX_POINTS;
        use std::fmt::Write as _;
        let m = MAX_POINTS;
        let mut text = String::from(
            "[tree]\ntitle = \"t\"\nversion = \"1\"\nstart = \"q0\"\ndisclaimer = \"d\"\nfallback = \"z\"\n",
        );
        let answers = [
            format!("x = {m}, y = {m}, z = {m}"),
            format!("x = -{m}, y = {m}"),
            format!("x = {m}, y = -{m}, z = -{m}"),
        ];
        for q in 0..3 {
            let _ = write!(text, "\n[[question]]\nid = \"q{q}\"\ntext = \"?\"\n");
            for (c, score) in answers.iter().enumerate() {
                let _ = write!(
                    text,
                    "[[question.option]]\nid = \"o{c}\"\nlabel = \"O\"\nscore = {{ {score} }}\nreason = \"r\"\n"
                );
                if q < 2 {
                    let _ = writeln!(text, "next = \"q{}\"", q + 1);
                }
            }
        }
        for o in ["x", "y", "z"] {
            let _ = write!(
                text,
                "\n[[outcome]]\nid = \"{o}\"\nname = \"{o}\"\nsummary = \"s\"\n"
            );
        }
        Tree::load(&Source::new("bound.toml", text)).unwrap().0
    }

    #[test]
    fn with_scores_at_the_bound_it_agrees_with_trying_everything() {
        let tree = at_the_bound();
        let bounds = Bounds::of(&tree);
        let mut walks = vec![Walk::new(&tree)];
        let mut checked = 0;
        while let Some(walk) = walks.pop() {
            let possible = still_possible(&walk, &bounds, BUDGET);
            assert!(possible.exact);
            assert_eq!(
                possible.outcomes,
                by_trying_everything(&walk),
                "{:?}",
                walk.answers()
            );
            checked += 1;
            if let Position::Asking(q) = walk.position() {
                for c in 0..tree.questions[q].choices.len() {
                    let mut next = walk.clone();
                    next.choose(c);
                    walks.push(next);
                }
            }
        }
        assert_eq!(checked, 1 + 3 + 9 + 27);
    }
}
