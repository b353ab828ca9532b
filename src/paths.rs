//! Every path through the tree: counting them, visiting them to a budget, and listing them for
//! sign-off.

use std::io::{self, Write};

use serde::Serialize;

use crate::tree::{OutcomeIx, QuestionIx, Step, Tree};
use crate::walk::{Position, Walk};

/// How many distinct paths lead from the start to an end (saturating at `u64::MAX`).
///
/// Linear in the size of the tree: each question's count is the sum over its choices.
pub fn count(tree: &Tree) -> u64 {
    let mut paths = vec![0u64; tree.questions.len()];
    for &q in tree.topological_order().iter().rev() {
        paths[q] = tree.questions[q]
            .choices
            .iter()
            .map(|c| match c.step {
                Step::Next(next) => paths[next],
                Step::Outcome(_) | Step::End => 1,
            })
            .fold(0u64, u64::saturating_add);
    }
    paths[tree.start]
}

/// A path count in words: a count that saturated at `u64::MAX` is "more than" the largest below.
pub fn count_in_words(total: u64) -> String {
    if total == u64::MAX {
        format!("more than {}", u64::MAX - 1)
    } else {
        total.to_string()
    }
}

/// Visits finished walks depth first, in the tree's order, until `max` have been visited.
///
/// Returns how many were visited.
pub fn visit(tree: &Tree, max: usize, mut on_path: impl FnMut(&Walk<'_>)) -> usize {
    visit_with_scores(tree, max, |walk, _| on_path(walk))
}

/// Like [`visit`], also giving each walk's totals, equal to what [`Walk::scores`] returns.
///
/// The totals are kept up to date answer by answer, so a path costs no more than its last step.
pub fn visit_with_scores(
    tree: &Tree,
    max: usize,
    mut on_path: impl FnMut(&Walk<'_>, &[i64]),
) -> usize {
    let mut paths = Paths::new(tree);
    let mut seen = 0;
    while seen < max {
        let Some((walk, totals)) = paths.next_path() else {
            break;
        };
        on_path(walk, totals);
        seen += 1;
    }
    seen
}

/// Every finished walk in turn, depth first in the tree's order, each with its totals.
///
/// The walk is taken one answer forward or back at a time, with its own stack of the answers left
/// to try, so nothing recurses on the depth of the tree and a path costs no more than its last
/// step. Scores are bounded ([`crate::tree::MAX_POINTS`]), so the running totals cannot overflow.
pub struct Paths<'t> {
    tree: &'t Tree,
    walk: Walk<'t>,
    /// `cursor[d]` is the next choice to try for the question at depth `d`.
    cursor: Vec<usize>,
    totals: Vec<i64>,
    /// The walk stands at a path already given out, to be left before the next.
    at_path: bool,
}

impl<'t> Paths<'t> {
    pub fn new(tree: &'t Tree) -> Self {
        Self {
            tree,
            walk: Walk::new(tree),
            cursor: vec![0],
            totals: vec![0; tree.outcomes.len()],
            at_path: false,
        }
    }

    /// The next finished walk and its totals, or `None` after the last.
    pub fn next_path(&mut self) -> Option<(&Walk<'t>, &[i64])> {
        if self.at_path {
            self.at_path = false;
            self.cursor.pop();
            self.back();
        }
        loop {
            match self.walk.position() {
                Position::Asking(q) => {
                    let depth = self.walk.answers().len();
                    let i = *self.cursor.get(depth)?;
                    if i < self.tree.questions[q].choices.len() {
                        self.cursor[depth] += 1;
                        self.walk.choose(i);
                        self.add(q, i, 1);
                        self.cursor.push(0);
                    } else {
                        self.cursor.pop();
                        if !self.back() {
                            return None;
                        }
                    }
                }
                Position::Finished => {
                    self.at_path = true;
                    return Some((&self.walk, &self.totals));
                }
            }
        }
    }

    /// Takes back the last answer; false at the start.
    fn back(&mut self) -> bool {
        if let Some(answer) = self.walk.back() {
            self.add(answer.question, answer.choice, -1);
            true
        } else {
            self.cursor.clear();
            false
        }
    }

    fn add(&mut self, question: QuestionIx, choice: usize, sign: i64) {
        for &(outcome, points) in &self.tree.questions[question].choices[choice].score {
            self.totals[outcome] += sign * points;
        }
    }
}

/// The listing `groupfit paths` prints: the total, counted, and the paths up to a budget, each
/// written as it is found so that memory stays bounded by one path, however many are listed.
#[derive(Debug, Clone, Copy)]
pub struct Listing<'t> {
    tree: &'t Tree,
    pub total: u64,
    max: usize,
    /// The tree in words, as every command names it ("the built-in tree, version 2026.12").
    what: &'t str,
}

#[derive(Serialize)]
struct JsonListing<'a, 't> {
    /// The tree in words: "the built-in tree, version 2026.12" or the file and its version.
    tree: &'a str,
    version: &'a str,
    sha256: &'a str,
    total: u64,
    complete: bool,
    paths: JsonPaths<'a, 't>,
}

/// The paths of a listing as a JSON array, serialized one by one as they are visited.
struct JsonPaths<'a, 't>(&'a Listing<'t>);

#[derive(Serialize)]
struct JsonPath<'a> {
    answers: Vec<JsonAnswer<'a>>,
    outcome: Option<&'a str>,
    tie: bool,
}

#[derive(Serialize)]
struct JsonAnswer<'a> {
    question: &'a str,
    option: &'a str,
}

impl Serialize for JsonPaths<'_, '_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let tree = self.0.tree;
        let mut seq = serializer.serialize_seq(Some(self.0.listed()))?;
        let mut paths = Paths::new(tree);
        for _ in 0..self.0.max {
            let Some((walk, totals)) = paths.next_path() else {
                break;
            };
            let recommendation = recommendation(walk, totals);
            seq.serialize_element(&JsonPath {
                answers: walk
                    .answers()
                    .iter()
                    .map(|a| {
                        let q = &tree.questions[a.question];
                        JsonAnswer {
                            question: &q.id,
                            option: &q.choices[a.choice].id,
                        }
                    })
                    .collect(),
                outcome: recommendation.map(|(o, _)| tree.outcomes[o].id.as_str()),
                tie: recommendation.is_some_and(|(_, tie)| tie),
            })?;
        }
        seq.end()
    }
}

/// The outcome a finished walk with these totals ends in, and whether by a tie.
fn recommendation(walk: &Walk<'_>, totals: &[i64]) -> Option<(OutcomeIx, bool)> {
    walk.decide(totals).ok().map(|d| (d.outcome, d.tie))
}

impl<'t> Listing<'t> {
    /// Counts the paths (linear in the size of the tree); they are visited only when written.
    pub fn new(tree: &'t Tree, max: usize) -> Self {
        Self {
            tree,
            total: count(tree),
            max,
            what: "",
        }
    }

    /// Names the tree in the listing's heading or footer ([`crate::source::Source::describe`]).
    #[must_use]
    pub fn named(self, what: &'t str) -> Self {
        Self { what, ..self }
    }

    /// "of the built-in tree, version 2026.12 (SHA-256 …)", or nothing when not named.
    fn of_what(&self) -> String {
        if self.what.is_empty() {
            String::new()
        } else {
            format!(" of {} (SHA-256 {})", self.what, self.tree.sha256)
        }
    }

    /// How many paths are listed: all of them, or `max`.
    pub fn listed(&self) -> usize {
        usize::try_from(self.total).map_or(self.max, |total| total.min(self.max))
    }

    /// Whether every path is listed; a total that saturated is never complete.
    pub fn complete(&self) -> bool {
        self.total != u64::MAX && self.listed() as u64 == self.total
    }

    /// Each listed path in turn, with its number from 1.
    fn each(
        &self,
        mut write: impl FnMut(usize, &Walk<'_>, Option<(OutcomeIx, bool)>) -> io::Result<()>,
    ) -> io::Result<()> {
        let mut paths = Paths::new(self.tree);
        for n in 1..=self.max {
            let Some((walk, totals)) = paths.next_path() else {
                break;
            };
            write(n, walk, recommendation(walk, totals))?;
        }
        Ok(())
    }

    fn footer(&self) -> String {
        if self.complete() {
            format!("{} path(s), all listed", count_in_words(self.total))
        } else {
            format!(
                "{} of {} path(s) listed; raise --max-paths to list them all",
                self.listed(),
                count_in_words(self.total)
            )
        }
    }

    /// A plain table: number, outcome, and the answers as `question=option`.
    pub fn write_table(&self, out: &mut impl Write) -> io::Result<()> {
        let tree = self.tree;
        let width = tree
            .outcomes
            .iter()
            .map(|o| o.id.len())
            .max()
            .unwrap_or(7)
            .max(7)
            + 6;
        writeln!(out, "{:>5}  {:<width$}  answers", "#", "outcome")?;
        self.each(|n, walk, recommendation| {
            let outcome = match recommendation {
                Some((o, true)) => format!("{} (tie)", tree.outcomes[o].id),
                Some((o, false)) => tree.outcomes[o].id.clone(),
                None => "(none)".to_owned(),
            };
            write!(out, "{n:>5}  {outcome:<width$} ")?;
            for a in walk.answers() {
                let q = &tree.questions[a.question];
                write!(out, " {}={}", q.id, q.choices[a.choice].id)?;
            }
            writeln!(out)
        })?;
        writeln!(out, "{}{}", self.footer(), self.of_what())
    }

    /// Markdown: every path in words, for a machine or a search; `groupfit review` is the
    /// document to sign. The line to sign appears only when every path is listed.
    pub fn write_markdown(&self, out: &mut impl Write) -> io::Result<()> {
        let tree = self.tree;
        let what = if self.what.is_empty() {
            format!("version {}", tree.version)
        } else {
            self.what.to_owned()
        };
        write!(
            out,
            "# {} — every path\n\nThe tree: {what}, SHA-256 `{}`. {}.\n\n| # | Answers | Recommendation |\n| ---: | --- | --- |\n",
            tree.title,
            tree.sha256,
            self.footer()
        )?;
        self.each(|n, walk, recommendation| {
            write!(out, "| {n} | ")?;
            for (i, a) in walk.answers().iter().enumerate() {
                let q = &tree.questions[a.question];
                let gap = if i == 0 { "" } else { "<br>" };
                write!(out, "{gap}`{}`: {}", q.id, cell(&q.choices[a.choice].label))?;
            }
            let outcome = recommendation.map_or_else(
                || "**no outcome**: nothing scores above zero".to_owned(),
                |(o, tie)| {
                    let name = cell(&tree.outcomes[o].name);
                    if tie { format!("{name} (tie)") } else { name }
                },
            );
            writeln!(out, " | {outcome} |")
        })?;
        if self.complete() {
            writeln!(
                out,
                "\nReviewed by: ____________________  Date: ____________"
            )
        } else {
            writeln!(
                out,
                "\nThis listing is not complete, so it cannot be signed off."
            )
        }
    }

    /// The JSON wire format: `{ total, complete, paths: [ { answers, outcome, tie } ] }`,
    /// followed by a newline.
    pub fn write_json(&self, out: &mut impl Write) -> io::Result<()> {
        let listing = JsonListing {
            tree: self.what,
            version: &self.tree.version,
            sha256: &self.tree.sha256,
            total: self.total,
            complete: self.complete(),
            paths: JsonPaths(self),
        };
        serde_json::to_writer_pretty(&mut *out, &listing)?;
        writeln!(out)
    }
}

/// Markdown table cells cannot hold a bare '|' or a line break.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Source;

    fn written(write: impl FnOnce(&mut Vec<u8>) -> io::Result<()>) -> String {
        let mut out = Vec::new();
        write(&mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    /// Two questions of two answers each; the second answer of the first ends at once.
    const SMALL: &str = "[tree]\ntitle = \"T\"\nversion = \"1\"\nstart = \"a\"\ndisclaimer = \"D.\"\n\n[[question]]\nid = \"a\"\ntext = \"A?\"\n[[question.option]]\nid = \"on\"\nlabel = \"On | over\"\nnext = \"b\"\n[[question.option]]\nid = \"stop\"\nlabel = \"Stop\"\nscore = { y = 1 }\nreason = \"R.\"\n\n[[question]]\nid = \"b\"\ntext = \"B?\"\n[[question.option]]\nid = \"x\"\nlabel = \"X\"\nscore = { x = 1 }\nreason = \"R.\"\n[[question.option]]\nid = \"y\"\nlabel = \"Y\"\nscore = { x = 1, y = 1 }\nreason = \"R.\"\n\n[[outcome]]\nid = \"x\"\nname = \"Outcome X\"\nsummary = \"X.\"\n\n[[outcome]]\nid = \"y\"\nname = \"Outcome Y\"\nsummary = \"Y.\"\n";

    fn small() -> Tree {
        Tree::load(&Source::new("small.toml", SMALL.to_owned()))
            .unwrap()
            .0
    }

    #[test]
    fn the_table_lists_paths_in_order_with_ties_and_the_footer() {
        let tree = small();
        let table = written(|out| Listing::new(&tree, 10).write_table(out));
        assert_eq!(
            table,
            "    #  outcome        answers\n    1  x              a=on b=x\n    2  x (tie)        a=on b=y\n    3  y              a=stop\n3 path(s), all listed\n"
        );
        let cut = written(|out| Listing::new(&tree, 2).write_table(out));
        assert!(
            cut.ends_with("2 of 3 path(s) listed; raise --max-paths to list them all\n"),
            "{cut}"
        );
    }

    #[test]
    fn markdown_has_a_row_per_path_and_a_line_to_sign() {
        let tree = small();
        let markdown = written(|out| Listing::new(&tree, 10).write_markdown(out));
        assert!(markdown.contains("3 path(s), all listed."), "{markdown}");
        assert!(
            markdown.contains("| 1 | `a`: On \\| over<br>`b`: X | Outcome X |\n"),
            "{markdown}"
        );
        assert!(
            markdown.contains("| 3 | `a`: Stop | Outcome Y |\n"),
            "{markdown}"
        );
        assert!(markdown.ends_with("Date: ____________\n"), "{markdown}");
    }

    #[test]
    fn json_is_the_wire_format_and_stops_at_the_budget() {
        let tree = small();
        let json: serde_json::Value =
            serde_json::from_str(&written(|out| Listing::new(&tree, 2).write_json(out))).unwrap();
        assert_eq!(json["total"], 3);
        assert_eq!(json["complete"], false);
        assert_eq!(json["paths"].as_array().unwrap().len(), 2);
        assert_eq!(json["paths"][1]["tie"], true);
        assert_eq!(json["paths"][1]["answers"][1]["option"], "y");
        let all = written(|out| Listing::new(&tree, 3).write_json(out));
        assert!(all.contains("\"complete\": true"), "{all}");
        let none = written(|out| Listing::new(&tree, 0).write_json(out));
        assert!(none.contains("\"paths\": []"), "{none}");
    }

    #[test]
    fn visiting_agrees_with_counting_and_with_each_walks_own_totals() {
        let tree = small();
        let mut seen = Vec::new();
        let visited = visit_with_scores(&tree, usize::MAX, |walk, totals| {
            assert_eq!(totals, walk.scores());
            seen.push(walk.answers().len());
        });
        assert_eq!(visited as u64, count(&tree));
        assert_eq!(seen, [2, 2, 1]);
    }
}
