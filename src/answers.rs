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
        let written = e
            .span()
            .and_then(|span| text.get(span))
            .unwrap_or_default();
        let token = e
            .span()
            .and_then(|span| text.get(span.start..))
            .map_or("", |rest| {
                rest.split(|c: char| c.is_whitespace() || matches!(c, '#' | ',' | ']' | '}'))
                    .next()
                    .unwrap_or_default()
            });
        if token.contains(['“', '”', '‘', '’', '„'])
            && let Some(words) = e.span().and_then(|span| {
                crate::tree::raw::slip_words(e.message().trim_end(), text, span.start)
            })
        {
            return vec![Diagnostic::error(e.span(), words)];
        }
        let message = plain_toml_message(e.message(), written, token);
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

/// The TOML parser's words for a problem in an answers file, put so that they say the fix;
/// `written` is the text the problem is about and `token` what is written from where it starts.
///
/// An answer written without quotes is read as a number, a date or a word, and the parser's words
/// for that ("integer number overflowed", "invalid type: integer", "invalid float") do not say
/// that the quotes are what is missing.
fn plain_toml_message(message: &str, written: &str, token: &str) -> String {
    let message = message.trim_end().replace('\n', " ").replace('`', "'");
    if message.starts_with("duplicate key") {
        return format!(
            "question '{}' is answered twice; keep one answer",
            written.trim().trim_matches(['"', '\''])
        );
    }
    let unquoted = !token.is_empty() && !token.starts_with(['"', '\'', '{', '[']);
    let read_as_other = if message.starts_with("invalid type") {
        message.contains("expected a string")
    } else {
        message.starts_with("invalid")
            || message.contains("must be quoted")
            || message.contains("number")
            || message.contains("leading zero")
    };
    if unquoted && read_as_other {
        return format!(
            "'{token}' is not in quotes; an answer is an option id in quotes, such as want = \"cope\""
        );
    }
    message
        .replace("invalid type: ", "wrong kind of value: found ")
        .replace(", expected a string", ", expected an option id in quotes")
}

fn parse_json(text: &str) -> Result<AnswersFile, Vec<Diagnostic>> {
    let parsed: JsonResult = serde_json::from_str(text).map_err(|e| {
        // serde_json gives a line and column; turn them back into an offset for the report, which
        // gives them again.
        let offset = offset_of(text, e.line(), e.column());
        let message = e.to_string();
        let message = message
            .rsplit_once(" at line ")
            .map_or(message.as_str(), |(words, _)| words)
            .replace('`', "'")
            .replace("invalid type: ", "wrong kind of value: found ")
            .replace(", expected a string", ", expected text in quotes")
            .replace(", expected a sequence", ", expected a list");
        vec![Diagnostic::error(
            offset..offset,
            format!("not a groupfit JSON result: {message}"),
        )]
    })?;
    // The answers are written in the order they are listed, so each is looked for after the one
    // before: the file is read once, however many answers it holds.
    let mut from = 0;
    let answers = parsed
        .answers
        .into_iter()
        .map(|a| {
            let span = locate_json_answer(text, from, &a.question);
            if let Some(span) = &span {
                from = span.end;
            }
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

/// Where `"question": "<id>"` is first written at or after byte `from`, so problems with a JSON
/// answer can be located.
fn locate_json_answer(text: &str, mut from: usize, question: &str) -> Option<Range<usize>> {
    let needle = serde_json::to_string(question).ok()?;
    while let Some(found) = text.get(from..)?.find(&needle) {
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
    // By the question each run is raised after, which is answered once, so it is found at once
    // however many runs there are.
    let mut raised: HashMap<&str, Vec<usize>> = HashMap::new();
    for (after, run) in runs {
        raised
            .entry(after.unwrap_or_default())
            .or_default()
            .extend(run);
    }

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
        } else if let Some(screen) = tree.safety
            && let Some(run) = raised.remove(question.id.as_str())
        {
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

    fn toml_message(text: &str) -> String {
        let source = Source::new("a.toml", format!("[answers]\n{text}\n"));
        let errors = parse_file(&source).unwrap_err();
        assert_eq!(errors.len(), 1);
        errors[0].message.clone()
    }

    #[test]
    fn an_answer_without_quotes_is_told_to_add_them_not_what_a_number_is() {
        for (written, value) in [
            ("safety = 99999999999999999999", "99999999999999999999"),
            ("safety = 1e999", "1e999"),
            ("safety = 0x", "0x"),
            ("safety = 012 # a comment", "012"),
            ("safety = 3", "3"),
            ("safety = no", "no"),
            ("safety = yes", "yes"),
            ("safety = true", "true"),
            ("safety = 1979-05-27", "1979-05-27"),
        ] {
            let message = toml_message(written);
            assert!(
                message.starts_with(&format!(
                    "'{value}' is not in quotes; an answer is an option id in quotes, such as want = \"cope\""
                )),
                "{written}: {message}"
            );
            assert!(!message.contains("overflow"), "{message}");
            assert!(!message.contains("i128"), "{message}");
        }
        assert!(
            toml_message("safety = \"no\"\nsafety = \"yes\"")
                .starts_with("question 'safety' is answered twice; keep one answer")
        );
        assert!(
            toml_message("safety = [\"no\"]").starts_with(
                "wrong kind of value: found sequence, expected an option id in quotes"
            )
        );
    }

    #[test]
    fn many_json_answers_are_each_located_where_they_are_written() {
        // 40,000 distinct questions once took twelve seconds: each was looked for from the start.
        let n = 40_000;
        let mut text = String::from("{\n  \"answers\": [\n");
        for q in 0..n {
            let comma = if q + 1 < n { "," } else { "" };
            text.push_str(&format!(
                "    {{ \"question\": \"q{q}\", \"option\": \"a\" }}{comma}\n"
            ));
        }
        text.push_str("  ]\n}\n");
        let source = Source::new("a.json", text);
        let file = parse_file(&source).unwrap();
        assert_eq!(file.answers.len(), n);
        for (q, answer) in file.answers.iter().enumerate().step_by(997) {
            assert_eq!(answer.question, format!("q{q}"));
            assert_eq!(
                source.position(answer.span.clone().unwrap().start),
                (q + 3, 19)
            );
        }
    }

    #[test]
    fn a_long_chain_of_answers_each_with_its_own_lines_replays_to_the_end() {
        // 50,000 answers along a 50,000-question chain once took seven seconds: each reason and
        // note was compared with every one gathered before it.
        let n = 20_000;
        let mut tree = String::from(
            "[tree]\ntitle = \"Chain\"\nversion = \"1\"\nstart = \"q0\"\ndisclaimer = \"A guide.\"\n",
        );
        let mut answers = String::from("[answers]\n");
        for q in 0..n {
            let next = if q + 1 < n {
                format!("next = \"q{}\"\n", q + 1)
            } else {
                String::new()
            };
            tree.push_str(&format!(
                "[[question]]\nid = \"q{q}\"\ntext = \"Question {q}?\"\n[[question.option]]\nid = \"a\"\nlabel = \"A\"\n{next}score = {{ x = 1 }}\nreason = \"Reason {q}.\"\nnote = \"Note {q}.\"\n[[question.option]]\nid = \"b\"\nlabel = \"B\"\nscore = {{ x = 2 }}\nreason = \"Because.\"\n"
            ));
            answers.push_str(&format!("q{q} = \"a\"\n"));
        }
        tree.push_str("[[outcome]]\nid = \"x\"\nname = \"X\"\nsummary = \"About x.\"\n");
        let (tree, _) = Tree::load(&Source::new("chain.toml", tree)).unwrap();
        let file = parse_file(&Source::new("answers.toml", answers)).unwrap();
        let replayed = replay(&tree, &file.answers).unwrap();
        assert!(replayed.unused.is_empty());
        assert_eq!(replayed.walk.answers().len(), n);
        let explanation = crate::explain::Explanation::of(&replayed.walk).unwrap();
        assert_eq!(explanation.why.len(), n);
        assert_eq!(explanation.why[n - 1], format!("Reason {}.", n - 1));
        assert_eq!(explanation.keep_in_mind.len(), n);
        assert_eq!(explanation.keep_in_mind[0], "Note 0.");
    }

    #[test]
    fn a_safety_screen_raised_after_every_question_is_matched_to_its_question_at_once() {
        // Each run of answers to the safety screen raised after a question was once looked for
        // among all the runs at every question of the walk.
        let n = 20_000;
        let mut tree = String::from(
            "[tree]\ntitle = \"Chain\"\nversion = \"1\"\nstart = \"safety\"\nsafety = \"safety\"\ndisclaimer = \"A guide.\"\nurgent_closing = \"Help is there.\"\n[[question]]\nid = \"safety\"\ntext = \"Is anyone in danger?\"\n[[question.option]]\nid = \"danger\"\nlabel = \"Yes\"\noutcome = \"help_now\"\nreason = \"Danger.\"\n[[question.option]]\nid = \"none\"\nlabel = \"No\"\nnext = \"q0\"\n",
        );
        let mut answers = vec![r#"{ "question": "safety", "option": "none" }"#.to_owned()];
        for q in 0..n {
            let next = if q + 1 < n {
                format!("next = \"q{}\"\n", q + 1)
            } else {
                String::new()
            };
            tree.push_str(&format!(
                "[[question]]\nid = \"q{q}\"\ntext = \"Question {q}?\"\n[[question.option]]\nid = \"a\"\nlabel = \"A\"\n{next}score = {{ x = 1 }}\nreason = \"Because.\"\n[[question.option]]\nid = \"b\"\nlabel = \"B\"\nscore = {{ x = 2 }}\nreason = \"Because.\"\n"
            ));
            answers.push(format!(r#"{{ "question": "q{q}", "option": "a" }}"#));
            // "None of these" raised again changes nothing, so the walk goes on.
            answers.push(r#"{ "question": "safety", "option": "none" }"#.to_owned());
        }
        tree.push_str("[[outcome]]\nid = \"x\"\nname = \"X\"\nsummary = \"About x.\"\n[[outcome]]\nid = \"help_now\"\nname = \"Get help now\"\nurgent = true\nsummary = \"Now.\"\nsteps = [\"Call.\"]\nguidance = \"Stay on the line.\"\n");
        let (tree, _) = Tree::load(&Source::new("chain.toml", tree)).unwrap();
        let json = format!("{{ \"answers\": [\n{}\n] }}\n", answers.join(",\n"));
        let file = parse_file(&Source::new("answers.json", json)).unwrap();
        let replayed = replay(&tree, &file.answers).unwrap();
        assert_eq!(replayed.walk.answers().len(), n + 1);
        assert_eq!(
            replayed.unused.len(),
            n,
            "each raised 'none of these' is unused"
        );
        let explanation = crate::explain::Explanation::of(&replayed.walk).unwrap();
        assert_eq!(explanation.outcome.id, "x");
    }

    #[test]
    fn bad_json_is_located() {
        let source = Source::new("a.json", "{\n  \"answers\": 3\n}\n".to_owned());
        let errors = parse_file(&source).unwrap_err();
        assert_eq!(source.position(errors[0].span.clone().unwrap().start).0, 2);
        assert!(errors[0].message.contains("not a groupfit JSON result"));
    }
}
