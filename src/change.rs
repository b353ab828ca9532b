//! What would change a recommendation: the fewest answers a person would have to give differently
//! for another kind of group to be recommended, worked out over the tree.
//!
//! A change is a whole walk: changing an answer can lead to questions the person was never asked,
//! and those need answers too, so the cost of another walk is the number of its answers that the
//! person did not give. The safety screen is never changed (a danger leads to help, not a group),
//! and an answer the person gave is only ever replaced by one with a `change` line, so that facts
//! such as age are never offered as something that could be different.
//!
//! The search deepens one change at a time, so the first walk found for an outcome has the fewest
//! changes. Two bounds, worked out once per search from the last questions back to the first,
//! keep it small: the fewest changes still needed from each question ([`Bounds::fewest`]), and the
//! most and least each outcome can still gain, which rule out questions after which no outcome
//! still looked for can come out on top. A budget on the questions visited bounds it on huge trees;
//! past it, what was found is still a real walk, but it may not be the smallest change and an
//! alternative may be missing, which the result says ([`WhatWouldChange::exact`]).

use crate::tree::{OutcomeIx, QuestionIx, Step, Tree};
use crate::walk::{Answer, Position, Walk, by_score};

/// How many questions the search may visit before it stops with what it has.
pub const BUDGET: usize = 20_000;

/// How many other kinds of group are offered at most.
pub const ALTERNATIVES: usize = 2;

/// The nearest other recommendations a walk could have had.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WhatWouldChange {
    /// Nearest first: fewest changes, then the higher total now, then the tree's order.
    pub alternatives: Vec<Alternative>,
    /// False when the budget ran out: the changes found are real, but may not be the fewest.
    pub exact: bool,
    /// Questions visited, for the benches.
    pub visited: usize,
}

/// Another outcome, and the answers to give for it: those of a whole walk that the person did
/// not give, in the order they are asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alternative {
    pub outcome: OutcomeIx,
    pub changes: Vec<Answer>,
}

/// The fewest answer changes that would make each of the nearest other non-urgent outcomes the
/// recommendation of `walk`, which must be finished with `recommended`.
pub fn what_would_change(
    walk: &Walk<'_>,
    recommended: OutcomeIx,
    budget: usize,
) -> WhatWouldChange {
    let tree = walk.tree();
    let nothing = WhatWouldChange {
        alternatives: Vec::new(),
        exact: true,
        visited: 0,
    };
    if walk.position() != Position::Finished || !walk.dangers().is_empty() {
        return nothing;
    }
    let rules = Rules::of(walk);
    let targets: Vec<OutcomeIx> = (0..tree.outcomes.len())
        .filter(|&o| o != recommended && !tree.outcomes[o].urgent)
        .collect();
    if targets.is_empty() {
        return nothing;
    }
    let bounds = Bounds::of(tree, &rules);
    let now = walk.scores();
    let mut search = Search {
        tree,
        rules: &rules,
        bounds: &bounds,
        wanted: targets,
        found: Vec::new(),
        left: budget,
        visited: 0,
    };
    let deepest = bounds.deepest(tree.start);
    let mut exact = true;
    for limit in 1..=deepest {
        match search.level(limit) {
            Level::OutOfBudget => {
                exact = false;
                break;
            }
            Level::Done { cut } => {
                if search.found.len() >= ALTERNATIVES || search.wanted.is_empty() || !cut {
                    break;
                }
            }
        }
    }
    let mut found = search.found;
    // Found in order of changes; among equals, the one the answers favour more now comes first.
    found.sort_by_key(|(alt, cost)| (*cost, std::cmp::Reverse(now[alt.outcome]), alt.outcome));
    found.truncate(ALTERNATIVES);
    WhatWouldChange {
        alternatives: found.into_iter().map(|(alt, _)| alt).collect(),
        exact,
        visited: search.visited,
    }
}

/// Which answers a changed walk may give, and which of them count as changes.
struct Rules {
    /// The answer the person gave to each question, if any.
    given: Vec<Option<usize>>,
    safety: Option<(QuestionIx, usize)>,
}

impl Rules {
    fn of(walk: &Walk<'_>) -> Self {
        let tree = walk.tree();
        let mut given = vec![None; tree.questions.len()];
        for a in walk.answers() {
            given[a.question] = Some(a.choice);
        }
        Self {
            given,
            safety: tree.safety.map(|s| (s.question, s.none)),
        }
    }

    /// The cost of answering `q` with `c` (0 or 1), or `None` when a changed walk may not.
    fn cost(&self, tree: &Tree, q: QuestionIx, c: usize) -> Option<usize> {
        let choice = &tree.questions[q].choices[c];
        if matches!(choice.step, Step::Outcome(o) if tree.outcomes[o].urgent) {
            return None;
        }
        if let Some((screen, none)) = self.safety
            && screen == q
        {
            return (c == none).then_some(0);
        }
        match self.given[q] {
            Some(g) if g == c => Some(0),
            // Only an answer that says what it would mean replaces one the person gave.
            Some(_) => choice.change.is_some().then_some(1),
            None => Some(1),
        }
    }
}

/// For each question, over the answers [`Rules`] allow from it to the end: the fewest changes, the
/// most questions, and the most and least each outcome can gain; and which outcomes an answer
/// below it routes to.
struct Bounds {
    outcomes: usize,
    fewest: Vec<usize>,
    longest: Vec<usize>,
    most: Vec<i64>,
    least: Vec<i64>,
    routes: Vec<bool>,
}

/// No allowed way on from a question.
const DEAD: usize = usize::MAX;

impl Bounds {
    fn of(tree: &Tree, rules: &Rules) -> Self {
        let outcomes = tree.outcomes.len();
        let questions = tree.questions.len();
        let mut b = Bounds {
            outcomes,
            fewest: vec![DEAD; questions],
            longest: vec![0; questions],
            most: vec![i64::MIN; questions * outcomes],
            least: vec![i64::MAX; questions * outcomes],
            routes: vec![false; questions * outcomes],
        };
        for &q in tree.topological_order().iter().rev() {
            for (c, choice) in tree.questions[q].choices.iter().enumerate() {
                let Some(cost) = rules.cost(tree, q, c) else {
                    continue;
                };
                let (after, longest) = match choice.step {
                    Step::Next(next) if b.fewest[next] == DEAD => continue,
                    Step::Next(next) => (b.fewest[next], b.longest[next] + 1),
                    Step::Outcome(_) | Step::End => (0, 1),
                };
                b.fewest[q] = b.fewest[q].min(cost + after);
                b.longest[q] = b.longest[q].max(longest);
                for o in 0..outcomes {
                    let gain = choice.score_for(o);
                    let (most, least, routed) = match choice.step {
                        Step::Next(next) => (
                            b.most[next * outcomes + o],
                            b.least[next * outcomes + o],
                            b.routes[next * outcomes + o],
                        ),
                        Step::Outcome(to) => (0, 0, to == o),
                        Step::End => (0, 0, false),
                    };
                    let at = q * outcomes + o;
                    b.most[at] = b.most[at].max(gain.saturating_add(most));
                    b.least[at] = b.least[at].min(gain.saturating_add(least));
                    b.routes[at] |= routed;
                }
            }
        }
        b
    }

    /// The most changes a walk from `q` can have: one per question on its longest allowed path.
    fn deepest(&self, q: QuestionIx) -> usize {
        if self.fewest[q] == DEAD {
            0
        } else {
            self.longest[q]
        }
    }

    /// Whether some allowed way on from `q`, with these totals so far, could end in `outcome`.
    /// Never false when it could.
    fn may_win(&self, tree: &Tree, q: QuestionIx, totals: &[i64], outcome: OutcomeIx) -> bool {
        let at = |o: OutcomeIx| q * self.outcomes + o;
        if self.routes[at(outcome)] {
            return true;
        }
        let best = totals[outcome].saturating_add(self.most[at(outcome)]);
        let by_score = best > 0
            && (0..totals.len()).filter(|&p| p != outcome).all(|p| {
                let worst = totals[p].saturating_add(self.least[at(p)]);
                // The first listed of equal totals wins.
                if p < outcome {
                    best > worst
                } else {
                    best >= worst
                }
            });
        let by_fallback = tree.fallback == Some(outcome)
            && (0..totals.len()).all(|p| totals[p].saturating_add(self.least[at(p)]) <= 0);
        by_score || by_fallback
    }
}

enum Level {
    /// Every walk with at most the limit's changes was tried; `cut` when some had more.
    Done {
        cut: bool,
    },
    OutOfBudget,
}

struct Search<'a> {
    tree: &'a Tree,
    rules: &'a Rules,
    bounds: &'a Bounds,
    /// Outcomes not found yet.
    wanted: Vec<OutcomeIx>,
    /// Each outcome found, with its changes and how many.
    found: Vec<(Alternative, usize)>,
    left: usize,
    visited: usize,
}

/// One question on the way down, and the next of its answers to try.
struct Frame {
    question: QuestionIx,
    next: usize,
}

impl Search<'_> {
    /// Tries every allowed walk with at most `limit` changes, depth first, without recursion so
    /// that a tree thousands of questions deep cannot overflow the stack.
    fn level(&mut self, limit: usize) -> Level {
        let tree = self.tree;
        let mut cut = false;
        let mut totals = vec![0i64; tree.outcomes.len()];
        let mut path: Vec<Answer> = Vec::new();
        let mut cost = 0usize;
        let mut stack: Vec<Frame> = Vec::new();
        if !self.enter(tree.start, &totals, cost, limit, &mut cut, &mut stack) {
            return Level::OutOfBudget;
        }
        while let Some(frame) = stack.last_mut() {
            let q = frame.question;
            let choices = &tree.questions[q].choices;
            // Take back the answer tried last at this question, if any.
            if let Some(last) = path.last()
                && last.question == q
            {
                let last = *last;
                path.pop();
                self.add(&mut totals, last, -1);
                cost -= self.rules.cost(tree, q, last.choice).unwrap_or(0);
            }
            // The person's own answer first, so the smallest changes are tried first.
            let order = |i: usize| -> usize {
                match self.rules.given[q] {
                    Some(g) if i == 0 => g,
                    Some(g) if i <= g => i - 1,
                    _ => i,
                }
            };
            let Some(i) = (frame.next..choices.len()).find(|&i| {
                let allowed = self.rules.cost(tree, q, order(i));
                cut |= allowed.is_some_and(|c| cost + c > limit);
                allowed.is_some_and(|c| cost + c <= limit)
            }) else {
                stack.pop();
                continue;
            };
            frame.next = i + 1;
            let c = order(i);
            let answer = Answer {
                question: q,
                choice: c,
            };
            cost += self.rules.cost(tree, q, c).unwrap_or(0);
            self.add(&mut totals, answer, 1);
            path.push(answer);
            match choices[c].step {
                Step::Next(next) => {
                    if !self.enter(next, &totals, cost, limit, &mut cut, &mut stack) {
                        return Level::OutOfBudget;
                    }
                }
                Step::Outcome(o) => self.found_walk(o, &path, cost),
                Step::End => {
                    if let Ok(decision) = by_score(tree, &totals) {
                        self.found_walk(decision.outcome, &path, cost);
                    }
                }
            }
            if self.wanted.is_empty() {
                return Level::Done { cut };
            }
        }
        Level::Done { cut }
    }

    /// Pushes `q` when some walk on from it is worth trying; false when the budget is spent.
    fn enter(
        &mut self,
        q: QuestionIx,
        totals: &[i64],
        cost: usize,
        limit: usize,
        cut: &mut bool,
        stack: &mut Vec<Frame>,
    ) -> bool {
        let fewest = self.bounds.fewest[q];
        if fewest == DEAD {
            return true;
        }
        if cost + fewest > limit {
            *cut = true;
            return true;
        }
        if !self
            .wanted
            .iter()
            .any(|&o| self.bounds.may_win(self.tree, q, totals, o))
        {
            return true;
        }
        if self.left == 0 {
            return false;
        }
        self.left -= 1;
        self.visited += 1;
        stack.push(Frame {
            question: q,
            next: 0,
        });
        true
    }

    fn found_walk(&mut self, outcome: OutcomeIx, path: &[Answer], cost: usize) {
        if let Some(at) = self.wanted.iter().position(|&o| o == outcome) {
            self.wanted.remove(at);
            let changes = path
                .iter()
                .filter(|a| self.rules.given[a.question] != Some(a.choice))
                .copied()
                .collect();
            self.found.push((Alternative { outcome, changes }, cost));
        }
    }

    fn add(&self, totals: &mut [i64], answer: Answer, sign: i64) {
        let choice = &self.tree.questions[answer.question].choices[answer.choice];
        for &(o, points) in &choice.score {
            totals[o] = totals[o].saturating_add(sign * points);
        }
    }
}

/// The walk that `changes` make of `walk`'s answers: each question answered as changed, else as
/// the person answered it. `None` when some question on the way has neither.
pub fn replay<'t>(walk: &Walk<'t>, changes: &[Answer]) -> Option<Walk<'t>> {
    let tree = walk.tree();
    let answer_to = |q: QuestionIx| {
        changes
            .iter()
            .chain(walk.answers())
            .find(|a| a.question == q)
            .map(|a| a.choice)
    };
    let mut replayed = Walk::new(tree);
    while let Position::Asking(q) = replayed.position() {
        if !replayed.choose(answer_to(q)?) {
            return None;
        }
    }
    Some(replayed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Source;
    use proptest::prelude::*;

    fn load(text: &str) -> Tree {
        Tree::load(&Source::new("t.toml", text.to_owned()))
            .unwrap_or_else(|e| panic!("{e:?}"))
            .0
    }

    fn walk_to<'t>(tree: &'t Tree, ids: &[&str]) -> Walk<'t> {
        let mut walk = Walk::new(tree);
        for id in ids {
            let Position::Asking(q) = walk.position() else {
                panic!("finished early")
            };
            assert!(walk.choose(tree.choice_ix(q, id).expect("option")));
        }
        walk
    }

    const TREE: &str = r#"
[tree]
title = "t"
version = "1"
start = "safe"
safety = "safe"
disclaimer = "d"
urgent_closing = "c"

[[question]]
id = "safe"
text = "Safe?"
  [[question.option]]
  id = "danger"
  label = "Danger"
  outcome = "urgent"
  [[question.option]]
  id = "none"
  label = "None"
  next = "age"

[[question]]
id = "age"
text = "Age?"
  [[question.option]]
  id = "young"
  label = "Young"
  next = "young_want"
  [[question.option]]
  id = "adult"
  label = "Adult"
  next = "want"

[[question]]
id = "young_want"
text = "Young want?"
  [[question.option]]
  id = "talk"
  label = "Talk"
  score = { support = 5 }
  change = "you wanted to talk"
  [[question.option]]
  id = "learn"
  label = "Learn"
  score = { learn = 5 }
  change = "you wanted to learn"

[[question]]
id = "want"
text = "Want?"
  [[question.option]]
  id = "cope"
  label = "Cope"
  next = "often"
  score = { support = 4 }
  change = "you wanted to cope"
  [[question.option]]
  id = "change"
  label = "Change"
  next = "how"
  score = { therapy = 4 }
  change = "you wanted to change"

[[question]]
id = "how"
text = "How?"
  [[question.option]]
  id = "deep"
  label = "Deep"
  next = "often"
  score = { therapy = 2 }
  [[question.option]]
  id = "light"
  label = "Light"
  next = "often"
  score = { learn = 6 }

[[question]]
id = "often"
text = "How often?"
  [[question.option]]
  id = "sometimes"
  label = "Sometimes"
  score = { support = 1 }
  change = "you could come only sometimes"
  [[question.option]]
  id = "weekly"
  label = "Weekly"
  score = { therapy = 6 }
  change = "you could come every week"

[[outcome]]
id = "support"
name = "Support group"
summary = "s"

[[outcome]]
id = "therapy"
name = "Therapy group"
summary = "s"

[[outcome]]
id = "learn"
name = "Learning group"
summary = "s"

[[outcome]]
id = "urgent"
name = "Help now"
urgent = true
summary = "s"
steps = ["Call."]
"#;

    fn ids<'t>(tree: &'t Tree, changes: &[Answer]) -> Vec<(&'t str, &'t str)> {
        changes
            .iter()
            .map(|a| {
                let q = &tree.questions[a.question];
                (q.id.as_str(), q.choices[a.choice].id.as_str())
            })
            .collect()
    }

    #[test]
    fn one_answer_can_tip_it() {
        let tree = load(TREE);
        let walk = walk_to(&tree, &["none", "adult", "cope", "sometimes"]);
        let rec = walk.recommendation().unwrap();
        assert_eq!(tree.outcomes[rec.outcome].id, "support");
        let found = what_would_change(&walk, rec.outcome, BUDGET);
        assert!(found.exact);
        let first = &found.alternatives[0];
        assert_eq!(tree.outcomes[first.outcome].id, "therapy");
        assert_eq!(ids(&tree, &first.changes), vec![("often", "weekly")]);
        // The learning group needs a new branch: "change", then "light", and not weekly.
        let second = &found.alternatives[1];
        assert_eq!(tree.outcomes[second.outcome].id, "learn");
        assert_eq!(
            ids(&tree, &second.changes),
            vec![("want", "change"), ("how", "light")]
        );
    }

    #[test]
    fn facts_without_a_change_line_and_the_safety_screen_are_never_changed() {
        let tree = load(TREE);
        let walk = walk_to(&tree, &["none", "adult", "cope", "sometimes"]);
        let rec = walk.recommendation().unwrap();
        for alt in what_would_change(&walk, rec.outcome, BUDGET).alternatives {
            for (q, _) in ids(&tree, &alt.changes) {
                assert!(q != "age" && q != "safe", "{q}");
            }
        }
    }

    #[test]
    fn nothing_when_no_change_reaches_another_group() {
        let text = TREE.replace("  change = \"you wanted to learn\"\n", "");
        let tree = load(&text.replace("  change = \"you wanted to talk\"\n", ""));
        let walk = walk_to(&tree, &["none", "young", "talk"]);
        let rec = walk.recommendation().unwrap();
        let found = what_would_change(&walk, rec.outcome, BUDGET);
        assert_eq!(found.alternatives, vec![]);
        assert!(found.exact);
    }

    #[test]
    fn an_urgent_result_has_nothing_to_change() {
        let tree = load(TREE);
        let walk = walk_to(&tree, &["danger"]);
        let rec = walk.recommendation().unwrap();
        assert_eq!(
            what_would_change(&walk, rec.outcome, BUDGET).alternatives,
            vec![]
        );
    }

    #[test]
    fn a_spent_budget_says_it_is_not_exact() {
        let tree = load(TREE);
        let walk = walk_to(&tree, &["none", "adult", "cope", "sometimes"]);
        let rec = walk.recommendation().unwrap();
        let found = what_would_change(&walk, rec.outcome, 1);
        assert!(!found.exact);
        for alt in &found.alternatives {
            let replayed = replay(&walk, &alt.changes).expect("a real walk");
            assert_eq!(replayed.recommendation().unwrap().outcome, alt.outcome);
        }
    }

    #[test]
    fn a_deep_tree_neither_overflows_nor_runs_past_the_budget() {
        let depth = 20_000;
        let mut text = String::from(
            "[tree]\ntitle = \"t\"\nversion = \"1\"\nstart = \"q0\"\ndisclaimer = \"d\"\n",
        );
        for i in 0..depth {
            let step = if i + 1 < depth {
                format!("next = \"q{}\"\n", i + 1)
            } else {
                String::new()
            };
            text.push_str(&format!(
                "[[question]]\nid = \"q{i}\"\ntext = \"Q\"\n[[question.option]]\nid = \"a\"\nlabel = \"A\"\nscore = {{ a = 1 }}\nchange = \"a\"\n{step}[[question.option]]\nid = \"b\"\nlabel = \"B\"\nscore = {{ b = 1 }}\nchange = \"b\"\n{step}"
            ));
        }
        text.push_str("[[outcome]]\nid = \"a\"\nname = \"A\"\nsummary = \"s\"\n[[outcome]]\nid = \"b\"\nname = \"B\"\nsummary = \"s\"\n");
        let tree = load(&text);
        let mut walk = Walk::new(&tree);
        while walk.position() != Position::Finished {
            walk.choose(0);
        }
        let rec = walk.recommendation().unwrap();
        let found = what_would_change(&walk, rec.outcome, BUDGET);
        assert!(found.visited <= BUDGET);
        assert!(
            !found.exact,
            "half the answers must change, far past the budget"
        );
    }

    /// A random tree of up to six questions, each going only to later ones, with scores, a
    /// fallback sometimes, a route now and then, and `change` lines on some answers.
    fn tree_text() -> impl Strategy<Value = String> {
        let option = (
            0..4usize,
            -3..4i64,
            -3..4i64,
            -3..4i64,
            any::<bool>(),
            0..8u8,
        );
        let question = proptest::collection::vec(option, 2..4);
        (proptest::collection::vec(question, 1..7), any::<bool>()).prop_map(
            |(questions, fallback)| {
                let n = questions.len();
                let mut text = String::from(
                    "[tree]\ntitle = \"t\"\nversion = \"1\"\nstart = \"q0\"\ndisclaimer = \"d\"\n",
                );
                if fallback {
                    text.push_str("fallback = \"b\"\n");
                }
                for (i, options) in questions.iter().enumerate() {
                    text.push_str(&format!("[[question]]\nid = \"q{i}\"\ntext = \"Q\"\n"));
                    for (j, &(jump, a, b, c, change, route)) in options.iter().enumerate() {
                        text.push_str(&format!(
                            "[[question.option]]\nid = \"o{j}\"\nlabel = \"L\"\nscore = {{ a = {a}, b = {b}, c = {c} }}\n"
                        ));
                        if change {
                            text.push_str("change = \"x\"\n");
                        }
                        let target = i + 1 + jump;
                        if route == 0 {
                            text.push_str("outcome = \"c\"\n");
                        } else if target < n {
                            text.push_str(&format!("next = \"q{target}\"\n"));
                        }
                    }
                }
                for o in ["a", "b", "c"] {
                    text.push_str(&format!(
                        "[[outcome]]\nid = \"{o}\"\nname = \"{o}\"\nsummary = \"s\"\n"
                    ));
                }
                text
            },
        )
    }

    /// Every allowed walk and its cost, by trying every answer everywhere.
    fn every_walk<'t>(walk: &Walk<'t>, rules: &Rules) -> Vec<(Walk<'t>, usize)> {
        let tree = walk.tree();
        let mut done = Vec::new();
        let mut open = vec![(Walk::new(tree), 0)];
        while let Some((w, cost)) = open.pop() {
            match w.position() {
                Position::Finished => done.push((w, cost)),
                Position::Asking(q) => {
                    for c in 0..tree.questions[q].choices.len() {
                        if let Some(extra) = rules.cost(tree, q, c) {
                            let mut next = w.clone();
                            next.choose(c);
                            open.push((next, cost + extra));
                        }
                    }
                }
            }
        }
        done
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]
        #[test]
        fn the_changes_are_the_fewest_and_reach_the_outcome(text in tree_text(), picks in proptest::collection::vec(0..4usize, 8)) {
            let Ok((tree, _)) = Tree::load(&Source::new("t.toml", text)) else {
                return Ok(());
            };
            let mut walk = Walk::new(&tree);
            let mut i = 0;
            while let Position::Asking(q) = walk.position() {
                walk.choose(picks[i] % tree.questions[q].choices.len());
                i += 1;
            }
            let Ok(rec) = walk.recommendation() else {
                return Ok(());
            };
            let rules = Rules::of(&walk);
            let mut fewest = vec![usize::MAX; tree.outcomes.len()];
            for (w, cost) in every_walk(&walk, &rules) {
                if let Ok(r) = w.recommendation() {
                    fewest[r.outcome] = fewest[r.outcome].min(cost);
                }
            }
            let found = what_would_change(&walk, rec.outcome, BUDGET);
            prop_assert!(found.exact);
            for alt in &found.alternatives {
                prop_assert_ne!(alt.outcome, rec.outcome);
                let replayed = replay(&walk, &alt.changes).expect("the changes make a walk");
                prop_assert_eq!(replayed.recommendation().map(|r| r.outcome), Ok(alt.outcome));
                // Exactly the answers of that walk the person did not give.
                let new: Vec<Answer> = replayed.answers().iter().filter(|a| !walk.answers().contains(a)).copied().collect();
                prop_assert_eq!(&new, &alt.changes);
                // No smaller set of changes reaches it.
                prop_assert_eq!(alt.changes.len(), fewest[alt.outcome]);
            }
            // The nearest are named, and none is left out that could be reached.
            let named: Vec<_> = found.alternatives.iter().map(|a| a.outcome).collect();
            let reachable: Vec<_> = (0..tree.outcomes.len()).filter(|&o| o != rec.outcome && fewest[o] != usize::MAX).collect();
            prop_assert_eq!(named.len(), reachable.len().min(ALTERNATIVES));
            for &o in &reachable {
                if !named.contains(&o) {
                    prop_assert!(found.alternatives.iter().all(|a| a.changes.len() <= fewest[o]));
                }
            }
        }
    }
}
