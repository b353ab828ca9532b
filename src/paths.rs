//! Every path through the tree: counting them, visiting them to a budget, and listing them for
//! sign-off.

use serde::Serialize;

use crate::tree::{Step, Tree};
use crate::walk::{Answer, Position, Recommendation, Walk};

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
/// When the tree's points are so large that a total could saturate, they are added up again for
/// each path instead, as [`Walk::scores`] does.
pub fn visit_with_scores(
    tree: &Tree,
    max: usize,
    mut on_path: impl FnMut(&Walk<'_>, &[i64]),
) -> usize {
    // A path answers each question at most once, so no running total can get further from zero
    // than all the points in the tree together.
    let exact = tree
        .questions
        .iter()
        .flat_map(|q| &q.choices)
        .flat_map(|c| &c.score)
        .try_fold(0i64, |sum, &(_, points)| {
            sum.checked_add(points.checked_abs()?)
        })
        .is_some();
    let mut totals = vec![0i64; tree.outcomes.len()];
    let add = |totals: &mut Vec<i64>, answer: Answer, sign: i64| {
        for &(outcome, points) in &tree.questions[answer.question].choices[answer.choice].score {
            totals[outcome] += sign * points;
        }
    };

    let mut walk = Walk::new(tree);
    // cursor[d] is the next choice to try for the question at depth d.
    let mut cursor: Vec<usize> = vec![0];
    let mut seen = 0;
    while seen < max {
        match walk.position() {
            Position::Asking(q) => {
                let depth = walk.answers().len();
                let i = cursor[depth];
                if i < tree.questions[q].choices.len() {
                    cursor[depth] += 1;
                    walk.choose(i);
                    if exact {
                        add(
                            &mut totals,
                            Answer {
                                question: q,
                                choice: i,
                            },
                            1,
                        );
                    }
                    cursor.push(0);
                } else {
                    cursor.pop();
                    match walk.back() {
                        Some(answer) if exact => add(&mut totals, answer, -1),
                        Some(_) => {}
                        None => break,
                    }
                }
            }
            Position::Finished => {
                if exact {
                    on_path(&walk, &totals);
                } else {
                    on_path(&walk, &walk.scores());
                }
                seen += 1;
                cursor.pop();
                if let Some(answer) = walk.back()
                    && exact
                {
                    add(&mut totals, answer, -1);
                }
            }
        }
    }
    seen
}

/// One listed path.
#[derive(Debug, Clone)]
pub struct Path {
    pub answers: Vec<Answer>,
    pub recommendation: Option<Recommendation>,
}

/// The listing `groupfit paths` prints.
#[derive(Debug, Clone)]
pub struct Listing {
    pub total: u64,
    pub complete: bool,
    pub paths: Vec<Path>,
}

pub fn list(tree: &Tree, max: usize) -> Listing {
    let total = count(tree);
    let mut paths = Vec::new();
    visit(tree, max, |walk| {
        paths.push(Path {
            answers: walk.answers().to_vec(),
            recommendation: walk.recommendation().ok(),
        });
    });
    Listing {
        total,
        complete: paths.len() as u64 == total,
        paths,
    }
}

#[derive(Serialize)]
struct JsonListing<'a> {
    /// The tree in words: "the built-in tree, version 2026.12" or the file and its version.
    tree: &'a str,
    version: &'a str,
    sha256: &'a str,
    total: u64,
    complete: bool,
    paths: Vec<JsonPath<'a>>,
}

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

impl Listing {
    fn outcome_of<'t>(tree: &'t Tree, path: &Path) -> (&'t str, bool) {
        path.recommendation.as_ref().map_or(("(none)", false), |r| {
            (tree.outcomes[r.outcome].id.as_str(), r.tie)
        })
    }

    fn footer(&self) -> String {
        if self.complete {
            format!("{} path(s), all listed", count_in_words(self.total))
        } else {
            format!(
                "{} of {} path(s) listed; raise --max-paths to list them all",
                self.paths.len(),
                count_in_words(self.total)
            )
        }
    }

    /// A plain table: number, outcome, and the answers as `question=option`; `what` names the
    /// tree in words under it.
    pub fn to_table(&self, tree: &Tree, what: &str) -> String {
        let width = tree
            .outcomes
            .iter()
            .map(|o| o.id.len())
            .max()
            .unwrap_or(7)
            .max(7)
            + 6;
        let mut out = format!("{:>5}  {:<width$}  answers\n", "#", "outcome");
        for (n, path) in self.paths.iter().enumerate() {
            let (outcome, tie) = Self::outcome_of(tree, path);
            let outcome = if tie {
                format!("{outcome} (tie)")
            } else {
                outcome.to_owned()
            };
            let answers: Vec<String> = path
                .answers
                .iter()
                .map(|a| {
                    let q = &tree.questions[a.question];
                    format!("{}={}", q.id, q.choices[a.choice].id)
                })
                .collect();
            out.push_str(&format!(
                "{:>5}  {outcome:<width$}  {}\n",
                n + 1,
                answers.join(" ")
            ));
        }
        out.push_str(&format!(
            "{} of {what} (SHA-256 {})\n",
            self.footer(),
            tree.sha256
        ));
        out
    }

    /// Markdown: every path in words, for a machine or a search; `groupfit review` is the
    /// document to sign. The line to sign appears only when every path is listed.
    pub fn to_markdown(&self, tree: &Tree, what: &str) -> String {
        let mut out = format!(
            "# {} — every path\n\nThe tree: {what}, SHA-256 `{}`. {}.\n\n| # | Answers | Recommendation |\n| ---: | --- | --- |\n",
            tree.title,
            tree.sha256,
            self.footer()
        );
        for (n, path) in self.paths.iter().enumerate() {
            let answers: Vec<String> = path
                .answers
                .iter()
                .map(|a| {
                    let q = &tree.questions[a.question];
                    format!("`{}`: {}", q.id, cell(&q.choices[a.choice].label))
                })
                .collect();
            let outcome = path.recommendation.as_ref().map_or_else(
                || "**no outcome**: nothing scores above zero".to_owned(),
                |r| {
                    let name = cell(&tree.outcomes[r.outcome].name);
                    if r.tie { format!("{name} (tie)") } else { name }
                },
            );
            out.push_str(&format!(
                "| {} | {} | {outcome} |\n",
                n + 1,
                answers.join("<br>")
            ));
        }
        if self.complete {
            out.push_str("\nReviewed by: ____________________  Date: ____________\n");
        } else {
            out.push_str("\nThis listing is not complete, so it cannot be signed off.\n");
        }
        out
    }

    /// The JSON wire format: `{ tree, version, sha256, total, complete, paths: [ { answers,
    /// outcome, tie } ] }`.
    pub fn to_json(&self, tree: &Tree, what: &str) -> String {
        let listing = JsonListing {
            tree: what,
            version: &tree.version,
            sha256: &tree.sha256,
            total: self.total,
            complete: self.complete,
            paths: self
                .paths
                .iter()
                .map(|p| JsonPath {
                    answers: p
                        .answers
                        .iter()
                        .map(|a| {
                            let q = &tree.questions[a.question];
                            JsonAnswer {
                                question: &q.id,
                                option: &q.choices[a.choice].id,
                            }
                        })
                        .collect(),
                    outcome: p
                        .recommendation
                        .as_ref()
                        .map(|r| tree.outcomes[r.outcome].id.as_str()),
                    tie: p.recommendation.as_ref().is_some_and(|r| r.tie),
                })
                .collect(),
        };
        serde_json::to_string_pretty(&listing).unwrap_or_default()
    }
}

/// Markdown table cells cannot hold a bare '|' or a line break.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}
