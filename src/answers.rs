//! Answers given outside the questionnaire — an answers file or `--answer QID=OID` — and replaying
//! them through the tree.
//!
//! An answers file is TOML (an `[answers]` table) or the JSON that `groupfit answer --format json`
//! prints, so any result can be replayed.

use std::collections::HashMap;
use std::ops::Range;

use serde::Deserialize;
use toml::Spanned;

use crate::diagnostic::{Diagnostic, did_you_mean};
use crate::source::Source;
use crate::tree::Tree;
use crate::walk::{Position, Walk};

/// One answer as written by a person or a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GivenAnswer {
    pub question: String,
    pub option: String,
    /// Where it is written, when it comes from a file.
    pub span: Option<Range<usize>>,
}

/// The tree a JSON result was made with, to warn when replaying on another.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Stamp {
    pub version: String,
    pub sha256: String,
}

/// Answers read from a file.
#[derive(Debug, Clone, Default)]
pub struct AnswersFile {
    pub answers: Vec<GivenAnswer>,
    /// Present when the file is a JSON result.
    pub made_with: Option<Stamp>,
    /// Notes carried by an exported intake summary.
    pub notes: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TomlAnswers {
    answers: Spanned<HashMap<Spanned<String>, Spanned<String>>>,
}

#[derive(Deserialize)]
struct JsonResult {
    answers: Vec<JsonAnswer>,
    tree: Option<Stamp>,
    notes: Option<String>,
}

#[derive(Deserialize)]
struct JsonAnswer {
    question: String,
    option: String,
}

/// Parses an answers file, TOML or JSON, with located errors.
pub fn parse_file(source: &Source) -> Result<AnswersFile, Vec<Diagnostic>> {
    let text = source.text();
    if text.trim_start().starts_with('{') {
        parse_json(text)
    } else {
        parse_toml(text)
    }
}

fn parse_toml(text: &str) -> Result<AnswersFile, Vec<Diagnostic>> {
    let parsed: TomlAnswers = toml::from_str(text).map_err(|e| {
        let message = e.message().trim_end().replace('\n', " ");
        if let Some(words) = e
            .span()
            .and_then(|span| crate::tree::raw::slip_words(&message, text, span.start))
        {
            return vec![Diagnostic::error(e.span(), words)];
        }
        let message = message.replace('`', "'");
        vec![Diagnostic::error(
            e.span(),
            format!(
                "{message}; an answers file is an [answers] table of question_id = \"option_id\" lines, or a JSON result from 'groupfit answer --format json'"
            ),
        )]
    })?;
    let mut answers: Vec<GivenAnswer> = parsed
        .answers
        .into_inner()
        .into_iter()
        .map(|(q, o)| GivenAnswer {
            span: Some(q.span().start..o.span().end),
            question: q.into_inner(),
            option: o.into_inner(),
        })
        .collect();
    answers.sort_by_key(|a| a.span.as_ref().map(|s| s.start));
    Ok(AnswersFile {
        answers,
        made_with: None,
        notes: None,
    })
}

fn parse_json(text: &str) -> Result<AnswersFile, Vec<Diagnostic>> {
    let parsed: JsonResult = serde_json::from_str(text).map_err(|e| {
        // serde_json gives a line and column; turn them back into an offset for the report.
        let offset = offset_of(text, e.line(), e.column());
        vec![Diagnostic::error(
            offset..offset,
            format!("not a groupfit JSON result: {e}"),
        )]
    })?;
    let answers = parsed
        .answers
        .into_iter()
        .map(|a| {
            let span = locate_json_answer(text, &a.question);
            GivenAnswer {
                question: a.question,
                option: a.option,
                span,
            }
        })
        .collect();
    Ok(AnswersFile {
        answers,
        made_with: parsed.tree,
        notes: parsed.notes,
    })
}

/// Where `"question": "<id>"` is written, so problems with a JSON answer can be located.
fn locate_json_answer(text: &str, question: &str) -> Option<Range<usize>> {
    let needle = serde_json::to_string(question).ok()?;
    let mut from = 0;
    while let Some(found) = text[from..].find(&needle) {
        let at = from + found;
        let before = text[..at].trim_end();
        if before.ends_with(':')
            && before[..before.len() - 1]
                .trim_end()
                .ends_with("\"question\"")
        {
            return Some(at..at + needle.len());
        }
        from = at + needle.len();
    }
    None
}

fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let line_start = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum::<usize>();
    let rest = &text[line_start.min(text.len())..];
    line_start
        + rest
            .char_indices()
            .nth(column.saturating_sub(1))
            .map_or(rest.len(), |(i, _)| i)
}

/// Parses `QID=OID` from the command line.
pub fn parse_pair(pair: &str) -> Result<GivenAnswer, String> {
    match pair.split_once('=') {
        Some((q, o)) if !q.trim().is_empty() && !o.trim().is_empty() => Ok(GivenAnswer {
            question: q.trim().to_owned(),
            option: o.trim().to_owned(),
            span: None,
        }),
        _ => Err(format!(
            "'{pair}' is not an answer; write it as QUESTION_ID=OPTION_ID, for example want=cope"
        )),
    }
}

/// Result of following given answers through the tree.
#[derive(Debug)]
pub struct Replay<'t> {
    pub walk: Walk<'t>,
    /// Answers to questions the walk never reached.
    pub unused: Vec<Diagnostic>,
}

/// Follows the tree from its start, taking each question's answer from `given`.
///
/// Errors name the question and its valid option ids; answers to questions off the path are
/// returned as warnings.
pub fn replay<'t>(tree: &'t Tree, given: &[GivenAnswer]) -> Result<Replay<'t>, Vec<Diagnostic>> {
    let safety = tree.safety.map(|s| tree.questions[s.question].id.as_str());
    let mut errors = Vec::new();
    let mut by_question: HashMap<&str, usize> = HashMap::new();
    // The safety screen may be answered more than once: every danger that applies, and again
    // later when a danger was raised at another question. Each run of answers to it is kept with
    // the question answered just before it (none for the first).
    let mut screen_runs: Vec<(Option<&str>, Vec<usize>)> = Vec::new();
    let mut previous: Option<&str> = None;
    for (ix, answer) in given.iter().enumerate() {
        if tree.question_ix(&answer.question).is_none() {
            errors.push(Diagnostic::error(
                answer.span.clone(),
                format!(
                    "'{}' is not a question in this tree{}",
                    answer.question,
                    tree.suggest_question(&answer.question)
                ),
            ));
        } else if Some(answer.question.as_str()) == safety {
            match screen_runs.last_mut() {
                Some((_, run)) if previous == safety => run.push(ix),
                _ => screen_runs.push((previous, vec![ix])),
            }
        } else if by_question.insert(&answer.question, ix).is_some() {
            errors.push(Diagnostic::error(
                answer.span.clone(),
                format!(
                    "question '{}' is answered twice; keep one answer",
                    answer.question
                ),
            ));
        }
        previous = Some(answer.question.as_str());
    }
    if !errors.is_empty() {
        return Err(errors);
    }

    // The first run answers the screen at the start; a later one is raised after its question.
    let mut runs = screen_runs.into_iter();
    let first_run = runs.next().map(|(_, run)| run).unwrap_or_default();
    let mut raised: Vec<(&str, Vec<usize>)> = runs
        .map(|(after, run)| (after.unwrap_or_default(), run))
        .collect();

    let mut walk = Walk::new(tree);
    let mut used = vec![false; given.len()];
    while let Position::Asking(q) = walk.position() {
        let question = &tree.questions[q];
        let answer = if Some(question.id.as_str()) == safety {
            first_run.first().copied()
        } else {
            by_question.get(question.id.as_str()).copied()
        };
        let Some(ix) = answer else {
            return Err(vec![Diagnostic::error(
                None,
                format!(
                    "no answer for question '{}' (\"{}\"); answer it with one of: {}",
                    question.id,
                    question.text,
                    option_ids(tree, q)
                ),
            )]);
        };
        let choice = choice_of(tree, q, &given[ix])?;
        used[ix] = true;
        walk.choose(choice);
        if Some(question.id.as_str()) == safety {
            for &more in first_run.iter().skip(1) {
                let choice = choice_of(tree, q, &given[more])?;
                if walk.answer_follow_up(choice) {
                    used[more] = true;
                }
            }
        } else if let Some(at) = raised.iter().position(|(after, _)| *after == question.id)
            && let Some(screen) = tree.safety
        {
            let (_, run) = raised.remove(at);
            let mut run = run.into_iter();
            if let Some(first) = run.next() {
                let choice = choice_of(tree, screen.question, &given[first])?;
                if walk.raise(choice) {
                    used[first] = true;
                    for more in run {
                        let choice = choice_of(tree, screen.question, &given[more])?;
                        if walk.answer_follow_up(choice) {
                            used[more] = true;
                        }
                    }
                }
            }
        }
    }
    let unused = given
        .iter()
        .zip(&used)
        .filter(|(_, used)| !**used)
        .map(|(a, _)| {
            Diagnostic::warning(
                a.span.clone(),
                format!(
                    "the answer to '{}' was not used: these answers never reach that question",
                    a.question
                ),
            )
        })
        .collect();
    Ok(Replay { walk, unused })
}

fn option_ids(tree: &Tree, q: usize) -> String {
    tree.questions[q]
        .choices
        .iter()
        .map(|c| c.id.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The choice an answer names, or an error naming the question's options.
fn choice_of(tree: &Tree, q: usize, answer: &GivenAnswer) -> Result<usize, Vec<Diagnostic>> {
    let question = &tree.questions[q];
    tree.choice_ix(q, &answer.option).ok_or_else(|| {
        let hint = did_you_mean(
            &answer.option,
            question.choices.iter().map(|c| c.id.as_str()),
        );
        vec![Diagnostic::error(
            answer.span.clone(),
            format!(
                "question '{}' has no option '{}'{hint} (its options are: {})",
                question.id,
                answer.option,
                option_ids(tree, q)
            ),
        )]
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_need_both_sides() {
        assert_eq!(parse_pair("want=cope").unwrap().option, "cope");
        assert!(
            parse_pair("want")
                .unwrap_err()
                .contains("QUESTION_ID=OPTION_ID")
        );
        assert!(parse_pair("=cope").is_err());
        assert!(parse_pair("want=").is_err());
    }

    #[test]
    fn toml_answers_keep_their_positions() {
        let source = Source::new(
            "a.toml",
            "[answers]\nsafety = \"no\"\nwant = \"cope\"\n".to_owned(),
        );
        let file = parse_file(&source).unwrap();
        assert_eq!(file.answers.len(), 2);
        assert_eq!(file.answers[1].question, "want");
        assert_eq!(
            source.position(file.answers[1].span.clone().unwrap().start),
            (3, 1)
        );
    }

    #[test]
    fn toml_answers_reject_unknown_tables() {
        let source = Source::new("a.toml", "[answer]\nsafety = \"no\"\n".to_owned());
        let errors = parse_file(&source).unwrap_err();
        assert!(
            errors[0].message.contains("[answers] table"),
            "{}",
            errors[0].message
        );
    }

    #[test]
    fn json_answers_are_located() {
        let text =
            "{\n  \"answers\": [\n    { \"question\": \"safety\", \"option\": \"no\" }\n  ]\n}\n";
        let source = Source::new("a.json", text.to_owned());
        let file = parse_file(&source).unwrap();
        assert_eq!(file.answers[0].option, "no");
        assert_eq!(
            source.position(file.answers[0].span.clone().unwrap().start),
            (3, 19)
        );
    }

    #[test]
    fn bad_json_is_located() {
        let source = Source::new("a.json", "{\n  \"answers\": 3\n}\n".to_owned());
        let errors = parse_file(&source).unwrap_err();
        assert_eq!(source.position(errors[0].span.clone().unwrap().start).0, 2);
        assert!(errors[0].message.contains("not a groupfit JSON result"));
    }
}
