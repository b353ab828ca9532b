//! Plain mode: the questionnaire as numbered lines on standard output, answers read line by line.
//!
//! No escape codes at all, so screen readers, pipes and remote sessions read it cleanly. It walks
//! the same [`Walk`] and prints the same [`Explanation`] as every other way of answering.

use std::io::{self, BufRead, Write};

use crate::commands::REPORT_WIDTH;
use crate::explain::Explanation;
use crate::tree::Tree;
use crate::walk::{NoRecommendation, Position, Walk};

#[derive(Debug, thiserror::Error)]
pub enum PlainError {
    #[error(
        "error: input ended before the questions were finished (at question '{0}'); nothing was recommended"
    )]
    EndOfInput(String),
    #[error("error: {0}")]
    NoRecommendation(#[from] NoRecommendation),
    #[error("error: cannot read or write the terminal: {0}")]
    Io(#[from] io::Error),
}

/// How a plain session ended.
#[derive(Debug)]
pub enum Ending {
    Finished(Box<Explanation>),
    Quit,
}

/// One line typed in answer to a question.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reply {
    Choose(usize),
    Back,
    Help,
    Quit,
    Unclear,
}

fn parse_reply(line: &str, choices: usize) -> Reply {
    match line.trim().to_lowercase().as_str() {
        "b" | "back" => Reply::Back,
        "?" | "h" | "help" => Reply::Help,
        "q" | "quit" => Reply::Quit,
        text => match text.parse::<usize>() {
            Ok(n) if (1..=choices).contains(&n) => Reply::Choose(n - 1),
            _ => Reply::Unclear,
        },
    }
}

/// Runs the questionnaire over any reader and writer; the report is written at the end.
pub fn run(
    tree: &Tree,
    mut input: impl BufRead,
    mut output: impl Write,
    intake: bool,
) -> Result<Ending, PlainError> {
    let longest = tree.longest_remaining();
    let mut walk = Walk::new(tree);
    writeln!(output, "{}", tree.title)?;
    writeln!(
        output,
        "Type the number of your answer and press Enter. Type b to go back, ? for help, q to quit."
    )?;
    let mut line = String::new();
    let mut show_question = true;
    while let Position::Asking(q) = walk.position() {
        let question = &tree.questions[q];
        if show_question {
            let (k, n) = walk.progress(&longest);
            writeln!(output)?;
            writeln!(output, "Question {k} of at most {n}")?;
            let text = match (&question.intake, intake) {
                (Some(wording), true) => wording,
                _ => &question.text,
            };
            write_wrapped(&mut output, text, "")?;
            if intake && let Some(guidance) = &question.guidance {
                write_wrapped(&mut output, &format!("For staff: {guidance}"), "")?;
            }
            if question.help.is_some() {
                writeln!(output, "(Type ? to hear why we ask.)")?;
            }
            for (i, choice) in question.choices.iter().enumerate() {
                write_wrapped(&mut output, &format!("{}. {}", i + 1, choice.label), "  ")?;
            }
        }
        show_question = true;
        write!(
            output,
            "Your answer (1-{}, b, ?, q): ",
            question.choices.len()
        )?;
        output.flush()?;
        line.clear();
        if input.read_line(&mut line)? == 0 {
            writeln!(output)?;
            return Err(PlainError::EndOfInput(question.id.clone()));
        }
        match parse_reply(&line, question.choices.len()) {
            Reply::Choose(i) => {
                walk.choose(i);
            }
            Reply::Back => {
                if walk.back().is_none() {
                    writeln!(
                        output,
                        "This is the first question, so there is nothing to go back to."
                    )?;
                    show_question = false;
                }
            }
            Reply::Help => {
                let help = question
                    .help
                    .as_deref()
                    .unwrap_or("There is no extra help for this question.");
                write_wrapped(&mut output, help, "")?;
                writeln!(
                    output,
                    "Keys: a number chooses that answer; b goes back one question; q quits without a recommendation."
                )?;
                show_question = false;
            }
            Reply::Quit => {
                writeln!(
                    output,
                    "Stopped. Nothing was recommended and nothing was saved."
                )?;
                return Ok(Ending::Quit);
            }
            Reply::Unclear => {
                writeln!(
                    output,
                    "Please type a number from 1 to {}, or b to go back, ? for help, q to quit.",
                    question.choices.len()
                )?;
                show_question = false;
            }
        }
    }
    let explanation = Explanation::of(&walk)?;
    writeln!(output)?;
    output.write_all(explanation.to_text(REPORT_WIDTH).as_bytes())?;
    if intake && let Some(guidance) = &explanation.guidance {
        writeln!(output)?;
        write_wrapped(&mut output, &format!("For staff: {guidance}"), "")?;
    }
    output.flush()?;
    Ok(Ending::Finished(Box::new(explanation)))
}

fn write_wrapped(output: &mut impl Write, text: &str, indent: &str) -> io::Result<()> {
    let rest = format!("{indent}   ");
    let options = textwrap::Options::new(REPORT_WIDTH)
        .initial_indent(indent)
        .subsequent_indent(&rest);
    for line in textwrap::wrap(text, options) {
        writeln!(output, "{line}")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replies_are_read_leniently() {
        assert_eq!(parse_reply(" 2 \n", 3), Reply::Choose(1));
        assert_eq!(parse_reply("B\n", 3), Reply::Back);
        assert_eq!(parse_reply("?\n", 3), Reply::Help);
        assert_eq!(parse_reply("q\n", 3), Reply::Quit);
        assert_eq!(parse_reply("4\n", 3), Reply::Unclear);
        assert_eq!(parse_reply("0\n", 3), Reply::Unclear);
        assert_eq!(parse_reply("\n", 3), Reply::Unclear);
        assert_eq!(parse_reply("yes\n", 3), Reply::Unclear);
    }
}
