//! Plain mode: the questionnaire as numbered lines on standard output, answers read line by line.
//!
//! No escape codes at all, so screen readers, pipes and remote sessions read it cleanly. It walks
//! the same [`Walk`] and prints the same [`Explanation`] as every other way of answering. In
//! intake mode it also takes notes, saves the call after every change, offers an unfinished call
//! for resume, and with an export folder writes the same summary as the TUI at the end.

use std::io::{self, BufRead, Write};
use std::path::Path;

use jiff::Timestamp;
use jiff::tz::TimeZone;

use crate::commands::REPORT_WIDTH;
use crate::explain::{self, Explanation};
use crate::record::{self, CallDetails, Format, Kind, Record};
use crate::session::{self, Keeper, Session, Store};
use crate::tree::Tree;
use crate::walk::{NoRecommendation, Position, Walk};

/// What a plain session may do beyond asking.
#[derive(Debug, Default)]
pub struct Options<'a> {
    /// Read-aloud wording, staff guidance and notes.
    pub intake: bool,
    /// Where the call is saved after every change.
    pub store: Option<&'a Store>,
    /// An unfinished call to offer for resume.
    pub saved: Option<Session>,
    /// Where to write the summary at the end.
    pub export_dir: Option<&'a Path>,
    /// The files the summary is written as (Markdown and JSON when empty).
    pub formats: &'a [Format],
    /// The staff name for the record (`--staff`), so it is not asked.
    pub staff: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum PlainError {
    #[error(
        "error: input ended before the questions were finished (at the question \"{0}\"); nothing was recommended"
    )]
    EndOfInput(String),
    #[error("error: {0}")]
    NoRecommendation(#[from] NoRecommendation),
    #[error("error: cannot read or write the terminal: {0}")]
    Io(#[from] io::Error),
    #[error("error: the summary was not written: cannot write into '{dir}': {source}")]
    Export { dir: String, source: io::Error },
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
    /// Back to the question with this number (1 is the first asked).
    BackTo(usize),
    /// Enter on its own: keep the earlier answer marked, if there is one.
    Keep,
    Help,
    Quit,
    Note,
    /// Bring back the safety screen.
    Concern,
    Unclear,
}

fn parse_reply(line: &str, choices: usize) -> Reply {
    match line.trim().to_lowercase().as_str() {
        "b" | "back" => Reply::Back,
        "" => Reply::Keep,
        "n" | "note" => Reply::Note,
        "?" | "h" | "help" => Reply::Help,
        "q" | "quit" => Reply::Quit,
        "!" => Reply::Concern,
        text => {
            let back_to = text
                .strip_prefix("back")
                .or_else(|| text.strip_prefix('b'))
                .map(|n| n.trim().parse::<usize>());
            match (back_to, text.parse::<usize>()) {
                (Some(Ok(n)), _) if n > 0 => Reply::BackTo(n),
                (None, Ok(n)) if (1..=choices).contains(&n) => Reply::Choose(n - 1),
                _ => Reply::Unclear,
            }
        }
    }
}

/// A call in progress: the walk, the notes, and where it is saved.
struct Call<'t, 'a> {
    walk: Walk<'t>,
    notes: String,
    /// When the first answer or note was given.
    started: Option<Timestamp>,
    /// What staff add to the record.
    details: CallDetails,
    store: Option<&'a Store>,
    /// The last save failed, so what is saved is older than the call.
    save_failed: bool,
}

impl Call<'_, '_> {
    /// Adds a typed line to the notes; a blank line adds nothing and returns false.
    fn add_note(&mut self, line: &str) -> bool {
        let text = line.trim_end_matches(['\r', '\n']);
        if text.trim().is_empty() {
            return false;
        }
        if !self.notes.is_empty() && !self.notes.ends_with('\n') {
            self.notes.push('\n');
        }
        self.notes.push_str(text);
        true
    }

    /// Saves the call, or deletes the saved one when there is nothing to keep.
    fn save(&mut self, output: &mut impl Write) -> io::Result<()> {
        let Some(store) = self.store else {
            return Ok(());
        };
        let now = Timestamp::now();
        let keep = session::worth_keeping(&self.walk, &self.notes, store.keeper()).then(|| {
            Session::of(&self.walk, &self.notes, self.started.unwrap_or(now), now)
                .with_details(&self.details)
        });
        let result = store.keep(keep.as_ref());
        self.save_failed = result.is_err();
        if let Err(e) = result {
            writeln!(
                output,
                "!! The call could NOT be saved ({e}). Export the summary or write the answers down."
            )?;
        }
        Ok(())
    }
}

/// Asks whether to resume an unfinished call; `None` means quit and leave it saved.
fn offer(
    tree: &Tree,
    saved: &Session,
    intake: bool,
    input: &mut impl BufRead,
    output: &mut impl Write,
) -> Result<Option<bool>, PlainError> {
    let zone = TimeZone::try_system().unwrap_or(TimeZone::UTC);
    writeln!(output)?;
    write_wrapped(output, &saved.describe(Timestamp::now(), &zone, intake), "")?;
    if let Some(change) = saved.tree_change(tree) {
        write_wrapped(
            output,
            &format!("!! The questions have changed. {change}"),
            "",
        )?;
    }
    loop {
        let prompt = if intake {
            "Type r to resume it, d to delete it and start a new call, or q to quit and keep it: "
        } else {
            "Type r to carry on from them, d to delete them and start again, or q to quit and keep them: "
        };
        let Some(reply) = ask(input, output, prompt)? else {
            return Ok(None);
        };
        match reply.trim().to_lowercase().as_str() {
            "r" | "resume" => return Ok(Some(true)),
            "q" | "quit" => return Ok(None),
            "d" | "delete" => {
                let prompt = if intake {
                    "Delete the unfinished call for good? Its answers and notes will be lost. (y/n): "
                } else {
                    "Delete these answers for good? (y/n): "
                };
                let Some(sure) = ask(input, output, prompt)? else {
                    return Ok(None);
                };
                if matches!(sure.trim().to_lowercase().as_str(), "y" | "yes") {
                    return Ok(Some(false));
                }
            }
            _ => writeln!(output, "Please type r, d or q.")?,
        }
    }
}

/// Writes a prompt and reads one line; `None` when the input has ended.
fn ask(
    input: &mut impl BufRead,
    output: &mut impl Write,
    prompt: &str,
) -> io::Result<Option<String>> {
    write!(output, "{prompt}")?;
    output.flush()?;
    let mut line = String::new();
    if input.read_line(&mut line)? == 0 {
        writeln!(output)?;
        return Ok(None);
    }
    Ok(Some(line))
}

/// Runs the questionnaire over any reader and writer; the report is written at the end.
pub fn run(
    tree: &Tree,
    mut input: impl BufRead,
    mut output: impl Write,
    options: &Options<'_>,
) -> Result<Ending, PlainError> {
    let intake = options.intake;
    let longest = tree.longest_remaining();
    writeln!(output, "{}", tree.title)?;
    let mut call = Call {
        walk: Walk::new(tree),
        notes: String::new(),
        started: None,
        details: CallDetails {
            staff: options.staff.clone(),
            ..CallDetails::default()
        },
        store: options.store,
        save_failed: false,
    };
    if let Some(saved) = &options.saved {
        match offer(tree, saved, intake, &mut input, &mut output)? {
            None => {
                writeln!(output, "Stopped. The unfinished call is still saved.")?;
                return Ok(Ending::Quit);
            }
            Some(true) => {
                let resumed = session::resume(tree, saved);
                let (text, warning) = resumed.report(saved, Keeper::of(intake));
                let text = if warning { format!("!! {text}") } else { text };
                write_wrapped(&mut output, &text, "")?;
                write_recap(&mut output, &resumed.walk, intake)?;
                call.walk = resumed.walk;
                call.notes.clone_from(&saved.notes);
                call.started = Some(saved.started);
                let staff = call.details.staff.take();
                call.details = saved.details.clone();
                if call.details.staff.is_none() {
                    call.details.staff = staff;
                }
            }
            Some(false) if intake => writeln!(output, "The unfinished call was deleted.")?,
            Some(false) => writeln!(output, "The saved answers were deleted.")?,
        }
        call.save(&mut output)?;
    }
    let keys = if intake {
        "Type the number of the answer and press Enter. Type n to add a note, b to go back, ? for help, q to quit, and ! at any question to bring back the safety questions."
    } else {
        "Type the number of your answer and press Enter. Type b to go back, ? for help, q to quit, and ! at any question to bring back the safety questions."
    };
    write_wrapped(&mut output, keys, "")?;
    let safety = tree.safety.map(|s| s.question);
    let mut show_question = true;
    loop {
        let follow_up = call.walk.follow_up().is_some();
        let q = match (call.walk.follow_up(), call.walk.position()) {
            (Some(q), _) | (None, Position::Asking(q)) => q,
            (None, Position::Finished) => break,
        };
        let offered = call.walk.offered();
        let question = &tree.questions[q];
        if show_question {
            writeln!(output)?;
            write_question(&mut output, &call.walk, &longest, intake, follow_up)?;
        }
        show_question = true;
        let note = if intake { ", n" } else { "" };
        let raise = if Some(q) == safety { "" } else { ", !" };
        let kept = remembered_place(&call.walk, follow_up);
        let keep = kept.map_or(String::new(), |place| {
            format!(", Enter keeps {}", place + 1)
        });
        let prompt = format!(
            "Your answer (1-{}{keep}{note}, b, ?, q{raise}): ",
            offered.len()
        );
        let Some(line) = ask(&mut input, &mut output, &prompt)? else {
            if follow_up {
                // The urgent help is already settled; it must be shown even when input ends.
                break;
            }
            return Err(PlainError::EndOfInput(question.text.clone()));
        };
        match parse_reply(&line, offered.len()) {
            Reply::Choose(i) => {
                if follow_up {
                    call.walk.answer_follow_up(offered[i]);
                } else {
                    call.walk.choose(offered[i]);
                }
                call.started.get_or_insert_with(Timestamp::now);
                call.save(&mut output)?;
            }
            Reply::Concern if Some(q) != safety && safety.is_some() => {
                if raise_concern(tree, &mut call.walk, intake, &mut input, &mut output)? {
                    call.started.get_or_insert_with(Timestamp::now);
                    call.save(&mut output)?;
                }
            }
            Reply::Keep if kept.is_some() => {
                if let Some(place) = kept {
                    call.walk.choose(offered[place]);
                    call.save(&mut output)?;
                }
            }
            Reply::BackTo(number) => {
                let asked = call.walk.answers().len();
                if number > asked {
                    let range = if asked == 0 {
                        "there is no earlier question yet".to_owned()
                    } else {
                        format!("type b and a number from 1 to {asked}")
                    };
                    writeln!(output, "Question {number} is not behind you: {range}.")?;
                    show_question = false;
                } else {
                    call.walk.back_to(number - 1);
                    call.save(&mut output)?;
                }
            }
            Reply::Back => {
                if call.walk.take_back().is_none() {
                    writeln!(
                        output,
                        "This is the first question, so there is nothing to go back to."
                    )?;
                    show_question = false;
                } else {
                    call.save(&mut output)?;
                }
            }
            Reply::Note if intake => {
                let note = ask(
                    &mut input,
                    &mut output,
                    "Note (one line; Enter on its own adds nothing): ",
                )?;
                if note.is_some_and(|line| call.add_note(&line)) {
                    call.started.get_or_insert_with(Timestamp::now);
                    writeln!(output, "Note added.")?;
                    call.save(&mut output)?;
                } else {
                    writeln!(output, "No note added.")?;
                }
                show_question = false;
            }
            Reply::Help => {
                let help = question
                    .help
                    .as_deref()
                    .unwrap_or("There is no extra help for this question.");
                write_wrapped(&mut output, help, "")?;
                let notes = if intake { " n adds a note;" } else { "" };
                write_wrapped(
                    &mut output,
                    &format!(
                        "Keys: a number chooses that answer;{notes} b goes back one question, and b with a question's number (b 2) goes back to that question; Enter on its own keeps an earlier answer marked; ! brings back the safety questions, keeping your answers; q quits without a recommendation."
                    ),
                    "",
                )?;
                show_question = false;
            }
            Reply::Quit => {
                let kept = call.store.is_some_and(|s| s.path().exists());
                if call.save_failed {
                    let saved = if kept {
                        "What is saved is older than this call and lacks the last changes"
                    } else {
                        "Nothing of it is saved"
                    };
                    let then = if intake {
                        "write down what the caller said"
                    } else {
                        "note your answers if you want to keep them"
                    };
                    write_wrapped(
                        &mut output,
                        &format!(
                            "Stopped. Nothing was recommended. !! The last changes could NOT be saved. {saved}: {then}."
                        ),
                        "",
                    )?;
                } else if kept && intake {
                    writeln!(
                        output,
                        "Stopped. Nothing was recommended. The call is saved and offered for resume next time."
                    )?;
                } else if kept {
                    writeln!(
                        output,
                        "Stopped. Nothing was recommended. Your answers are saved; groupfit --save offers to carry on from them."
                    )?;
                } else {
                    writeln!(
                        output,
                        "Stopped. Nothing was recommended and nothing was saved."
                    )?;
                }
                return Ok(Ending::Quit);
            }
            Reply::Note | Reply::Concern | Reply::Unclear | Reply::Keep => {
                let note = if intake { ", n to add a note" } else { "" };
                writeln!(
                    output,
                    "Please type a number from 1 to {}, or b to go back{note}, ? for help, q to quit.",
                    offered.len()
                )?;
                show_question = false;
            }
        }
    }
    let explanation = Explanation::of(&call.walk)?;
    writeln!(output)?;
    let report = if intake {
        explanation.to_text_for_staff(REPORT_WIDTH)
    } else {
        explanation.to_text(REPORT_WIDTH)
    };
    output.write_all(report.as_bytes())?;
    if intake {
        // Staff often need to record what was done once the result is read out (the crisis
        // guidance asks for it), so notes can still be added before the summary is written.
        writeln!(output)?;
        while let Some(line) = ask(
            &mut input,
            &mut output,
            "Add a note before finishing (or press Enter on its own to finish): ",
        )? {
            if !call.add_note(&line) {
                break;
            }
            call.save(&mut output)?;
        }
        output.write_all(explain::notes_text(&call.notes, REPORT_WIDTH).as_bytes())?;
    }
    if let Some(dir) = options.export_dir {
        if intake {
            ask_details(
                &mut call,
                explanation.outcome.urgent,
                &mut input,
                &mut output,
            )?;
        }
        let summary = Record {
            walk: &call.walk,
            explanation: &explanation,
            kind: if intake { Kind::Intake } else { Kind::Personal },
            notes: call.notes.clone(),
            details: call.details.clone(),
            started: call.started.unwrap_or_else(Timestamp::now),
            written: Timestamp::now(),
            zone: TimeZone::try_system().unwrap_or(TimeZone::UTC),
        };
        let exported = record::export(dir, &summary, options.formats).map_err(|source| {
            PlainError::Export {
                dir: dir.display().to_string(),
                source,
            }
        })?;
        writeln!(output)?;
        write_wrapped(&mut output, &exported.about, "")?;
        writeln!(output, "{}", exported.paths("  "))?;
        if let Some(store) = call.store {
            store
                .remove()
                .map_err(|e| io::Error::other(e.to_string()))?;
        }
    }
    if call.save_failed {
        writeln!(output)?;
        write_wrapped(
            &mut output,
            "!! The last changes could NOT be saved, so what is saved is older than this call.",
            "",
        )?;
    } else if let Some(store) = call.store
        && store.path().exists()
    {
        writeln!(output)?;
        write_wrapped(
            &mut output,
            &format!(
                "The call is saved in {} until its summary is exported; groupfit --intake offers to resume it.",
                store.path().display()
            ),
            "",
        )?;
    }
    output.flush()?;
    Ok(Ending::Finished(Box::new(explanation)))
}

/// Asks staff for the record's fields before it is written: their name and the caller's
/// reference once per call (Enter leaves either out), and on an urgent call what was done.
fn ask_details(
    call: &mut Call<'_, '_>,
    urgent: bool,
    input: &mut impl BufRead,
    output: &mut impl Write,
) -> io::Result<()> {
    writeln!(output)?;
    if call.details.staff.is_none() {
        let staff = ask(
            input,
            output,
            "For the record, your name or initials (Enter on its own leaves them out): ",
        )?;
        call.details.staff = staff.map(|s| s.trim().to_owned());
    }
    if call.details.caller.is_none() {
        let caller = ask(
            input,
            output,
            "The caller's reference in your case system, if any (Enter on its own leaves it out): ",
        )?;
        call.details.caller = caller.map(|c| c.trim().to_owned());
    }
    if urgent {
        if !call.details.done.is_empty() {
            write_wrapped(
                output,
                &format!("What was done, so far: {}", call.details.done),
                "",
            )?;
        }
        loop {
            let prompt = if call.details.done.is_empty() {
                "What was done on this call (for example \"warm transfer to 988\" or \"911 called\")? "
            } else {
                "What was done (Enter on its own keeps it as it is)? "
            };
            let Some(line) = ask(input, output, prompt)? else {
                break;
            };
            let done = line.trim();
            if !done.is_empty() {
                done.clone_into(&mut call.details.done);
                break;
            }
            if !call.details.done.is_empty() {
                break;
            }
            writeln!(
                output,
                "The record of an urgent call says what was done; please write it in a few words."
            )?;
        }
    }
    call.save(output)
}

/// The answers brought back by a resume, one to a line, so the person knows where they are
/// before the next question.
fn write_recap(output: &mut impl Write, walk: &Walk<'_>, intake: bool) -> io::Result<()> {
    if walk.answers().is_empty() {
        return Ok(());
    }
    let tree = walk.tree();
    writeln!(
        output,
        "{}",
        if intake {
            "Answers so far:"
        } else {
            "Your answers so far:"
        }
    )?;
    for (n, answer) in walk.answers().iter().enumerate() {
        let question = &tree.questions[answer.question];
        let choice = &question.choices[answer.choice];
        let (asked, given) = if intake {
            (
                question.record.as_deref().unwrap_or(&question.text),
                choice.intake_label.as_deref().unwrap_or(&choice.label),
            )
        } else {
            (question.text.as_str(), choice.label.as_str())
        };
        write_wrapped(output, &format!("{}. {asked}", n + 1), "")?;
        write_wrapped(output, &format!("-> {given}"), "   ")?;
    }
    Ok(())
}

/// The question the walk is at (or the safety screen's follow-up) with its numbered answers.
fn write_question(
    output: &mut impl Write,
    walk: &Walk<'_>,
    longest: &[usize],
    intake: bool,
    follow_up: bool,
) -> io::Result<()> {
    let tree = walk.tree();
    let q = match (walk.follow_up(), walk.position()) {
        (Some(q), _) | (None, Position::Asking(q)) => q,
        (None, Position::Finished) => return Ok(()),
    };
    let question = &tree.questions[q];
    let none = tree.safety.map(|s| s.none);
    if let (Some(also), true) = (&question.also, follow_up) {
        writeln!(output, "Safety questions")?;
        let wording = match (&also.intake, intake) {
            (Some(wording), true) => wording,
            _ => &also.text,
        };
        write_wrapped(output, wording, "")?;
    } else {
        let (k, n) = walk.progress(longest);
        writeln!(output, "Question {k} of at most {n}")?;
        write_wrapped(output, question.wording(intake), "")?;
        if intake && let Some(guidance) = &question.guidance {
            write_wrapped(output, &format!("For staff: {guidance}"), "")?;
        }
        if question.help.is_some() {
            writeln!(output, "(Type ? to hear why we ask.)")?;
        }
    }
    let chosen = if follow_up {
        walk.dangers()
    } else {
        Vec::new()
    };
    for (i, &c) in walk.offered().iter().enumerate() {
        let choice = &question.choices[c];
        let label = match (&question.also, follow_up) {
            (Some(also), true) if Some(c) == none => {
                also.none_label.as_deref().unwrap_or(&choice.label)
            }
            _ => choice.label.as_str(),
        };
        let already = if chosen.contains(&c) {
            " (already chosen)"
        } else if remembered_place(walk, follow_up) == Some(i) {
            " (your earlier answer: Enter keeps it)"
        } else {
            ""
        };
        write_wrapped(output, &format!("{}. {label}{already}", i + 1), "  ")?;
    }
    Ok(())
}

/// Where the earlier answer to the question asked stands among the answers offered, when the
/// person went back past it; never on the safety screen, where nothing is marked.
fn remembered_place(walk: &Walk<'_>, follow_up: bool) -> Option<usize> {
    let Position::Asking(q) = walk.position() else {
        return None;
    };
    if follow_up {
        return None;
    }
    let choice = walk.remembered(q)?;
    walk.offered().iter().position(|&c| c == choice)
}

/// The safety screen again, at a later question; true when a danger was chosen (and the walk
/// now ends at urgent help), false when nothing on it applied and the questions carry on.
fn raise_concern(
    tree: &Tree,
    walk: &mut Walk<'_>,
    intake: bool,
    input: &mut impl BufRead,
    output: &mut impl Write,
) -> io::Result<bool> {
    let Some(safety) = tree.safety else {
        return Ok(false);
    };
    let question = &tree.questions[safety.question];
    writeln!(output)?;
    writeln!(
        output,
        "Safety questions again: your answers so far are kept."
    )?;
    write_wrapped(output, question.wording(intake), "")?;
    for (i, choice) in question.choices.iter().enumerate() {
        write_wrapped(output, &format!("{}. {}", i + 1, choice.label), "  ")?;
    }
    loop {
        let prompt = format!(
            "Your answer (1-{}, or b to carry on where you were): ",
            question.choices.len()
        );
        let Some(line) = ask(input, output, &prompt)? else {
            return Ok(false);
        };
        match parse_reply(&line, question.choices.len()) {
            Reply::Choose(c) if c == safety.none => {
                writeln!(output, "Carrying on where you were.")?;
                return Ok(false);
            }
            Reply::Choose(c) => return Ok(walk.raise(c)),
            Reply::Back => {
                writeln!(output, "Carrying on where you were.")?;
                return Ok(false);
            }
            _ => writeln!(
                output,
                "Please type a number from 1 to {}, or b to carry on where you were.",
                question.choices.len()
            )?,
        }
    }
}

fn write_wrapped(output: &mut impl Write, text: &str, indent: &str) -> io::Result<()> {
    let rest = format!("{indent}   ");
    let options = explain::wrapping(REPORT_WIDTH)
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
        assert_eq!(parse_reply("N\n", 3), Reply::Note);
        assert_eq!(parse_reply("4\n", 3), Reply::Unclear);
        assert_eq!(parse_reply("0\n", 3), Reply::Unclear);
        assert_eq!(parse_reply("\n", 3), Reply::Keep);
        assert_eq!(parse_reply("b 2\n", 3), Reply::BackTo(2));
        assert_eq!(parse_reply("b7\n", 3), Reply::BackTo(7));
        assert_eq!(parse_reply("b 0\n", 3), Reply::Unclear);
        assert_eq!(parse_reply("b x\n", 3), Reply::Unclear);
        assert_eq!(parse_reply("yes\n", 3), Reply::Unclear);
    }
}
