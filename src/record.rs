//! The exported record of a finished walk: an intake call's case record, or a person's own
//! summary, in Markdown, plain text and JSON, and writing it to disk.
//!
//! An intake record is about the caller, in the third person: the danger signs asked about and
//! the answer to each, what was done on an urgent call, every answer in the tree's `record` and
//! `intake_label` wording, the result and why, the notes, and the fields a case file needs (staff,
//! caller reference, the call's length, the tree's title, version and full SHA-256). A person's
//! own summary is their result as they saw it, with the date and the tree. Both are built from
//! the one [`Explanation`] the screen showed, so the record and the screen cannot disagree.

mod markdown;
mod person;

use std::io;
use std::path::{Path, PathBuf};

use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};

use crate::explain::{Block, Explanation, Sign};
use crate::session::pair::{self, Part};
use crate::tree::{QuestionIx, Step, Tree};
use crate::walk::Walk;

pub use person::third_person;

/// Who the record is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Intake staff's case record of a call.
    Intake,
    /// A person's own summary of their answers.
    Personal,
}

/// A file format of the record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Format {
    Markdown,
    Text,
    Json,
}

impl Format {
    /// The file name's extension.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Markdown => "md",
            Format::Text => "txt",
            Format::Json => "json",
        }
    }

    /// Markdown and JSON, unless told otherwise.
    pub const DEFAULT: &[Format] = &[Format::Markdown, Format::Json];
}

/// What staff add to a call's record beyond the answers and notes; saved with the call.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CallDetails {
    /// Staff name or initials: `None` until asked, empty when left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub staff: Option<String>,
    /// The caller's reference in the case system: `None` until asked, empty when left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caller: Option<String>,
    /// On an urgent call, what was done ("warm transfer to 988").
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub done: String,
    /// The name the call's record was first exported under, so a later export replaces it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exported_as: Option<String>,
}

impl CallDetails {
    /// Nothing has been given or exported yet.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// The caller reference, when one was given.
    pub fn caller_reference(&self) -> Option<&str> {
        self.caller
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
    }

    /// The staff name or initials, when given.
    pub fn staff_name(&self) -> Option<&str> {
        self.staff
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
    }
}

/// A finished walk as it goes into a record.
#[derive(Debug, Clone)]
pub struct Record<'a> {
    pub walk: &'a Walk<'a>,
    pub explanation: &'a Explanation,
    pub kind: Kind,
    pub notes: String,
    pub details: CallDetails,
    pub started: Timestamp,
    pub written: Timestamp,
    pub zone: TimeZone,
}

/// One answer as the record gives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
struct Entry {
    question: String,
    option: String,
    /// What was read: the read-aloud wording in intake, else the question as shown.
    question_text: String,
    /// What was chosen: the third-person answer in intake, else the answer as shown.
    option_label: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    question_first_person: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    option_first_person: Option<String>,
    /// The neutral wording the case record uses for the question.
    question_record: String,
    /// For a danger raised with `!`, the question being asked at the time.
    #[serde(skip_serializing_if = "Option::is_none")]
    raised_at: Option<RaisedAt>,
    #[serde(skip)]
    on_safety_screen: bool,
    /// The answer has its own third-person wording in the tree.
    #[serde(skip)]
    worded: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
struct RaisedAt {
    question: String,
    question_record: String,
}

/// A question's wording for the record: `record`, else the read-aloud `intake`, else its text.
pub fn record_wording(tree: &Tree, question: QuestionIx) -> &str {
    let q = &tree.questions[question];
    q.record
        .as_deref()
        .or(q.intake.as_deref())
        .unwrap_or(&q.text)
}

/// The answers of a walk as the record gives them, in the order given.
fn entries(walk: &Walk<'_>, kind: Kind) -> Vec<Entry> {
    let tree = walk.tree();
    let safety = tree.safety;
    let answers = walk.answers();
    let intake = kind == Kind::Intake;
    answers
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let question = &tree.questions[a.question];
            let choice = &question.choices[a.choice];
            let previous = i.checked_sub(1).map(|p| answers[p]);
            let on_screen = safety.is_some_and(|s| s.question == a.question);
            let follow_up = on_screen
                && previous.is_some_and(|p| p.question == a.question)
                && safety.is_some_and(|s| previous.is_some_and(|p| p.choice != s.none));
            let raised_at = match previous {
                Some(p) if on_screen && p.question != a.question => {
                    match tree.questions[p.question].choices[p.choice].step {
                        Step::Next(at) => Some(RaisedAt {
                            question: tree.questions[at].id.clone(),
                            question_record: record_wording(tree, at).to_owned(),
                        }),
                        _ => None,
                    }
                }
                _ => None,
            };
            let (shown, read) = match (&question.also, follow_up) {
                (Some(also), true) => (also.text.clone(), also.intake.clone()),
                _ => (question.text.clone(), question.intake.clone()),
            };
            let shown_label = match (&question.also, follow_up, safety) {
                (Some(also), true, Some(s)) if s.none == a.choice => also
                    .none_label
                    .clone()
                    .unwrap_or_else(|| choice.label.clone()),
                _ => choice.label.clone(),
            };
            let read = read.filter(|_| intake);
            // "No, nothing else on the list" says the same of anyone; the no-danger option's own
            // third-person label ("None of these is true") would contradict the danger before it.
            let nothing_else = follow_up && safety.is_some_and(|s| s.none == a.choice);
            let chosen = if nothing_else {
                Some(shown_label.clone())
            } else {
                choice.intake_label.clone()
            }
            .filter(|_| intake);
            let worded = chosen.is_some();
            let differs = |first: &String, other: &Option<String>| {
                other
                    .as_ref()
                    .is_some_and(|o| o != first)
                    .then(|| first.clone())
            };
            Entry {
                question: question.id.clone(),
                option: choice.id.clone(),
                question_first_person: differs(&shown, &read),
                option_first_person: differs(&shown_label, &chosen),
                question_text: read.unwrap_or(shown),
                option_label: chosen.unwrap_or(shown_label),
                question_record: record_wording(tree, a.question).to_owned(),
                raised_at,
                on_safety_screen: on_screen,
                worded,
            }
        })
        .collect()
}

/// A piece of a record, in reading order, for the Markdown and text renderers to share.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Title(String),
    Field(String, String),
    /// The tree's title, version and SHA-256.
    Stamp(String, String, String),
    Heading(String),
    Sub(String),
    Paragraph(String),
    Bullet(String),
    Numbered(usize, String),
    /// A question and the answer given.
    Answer(usize, String, String),
    /// Two columns with a header.
    Table([String; 2], Vec<[String; 2]>),
    /// Text exactly as typed, line for line.
    Typed(String),
    Small(String),
}

impl Piece {
    /// Pieces written as lines of one list, with a blank line after the list ends.
    fn is_listed(&self) -> bool {
        matches!(
            self,
            Piece::Field(..)
                | Piece::Stamp(..)
                | Piece::Bullet(_)
                | Piece::Numbered(..)
                | Piece::Answer(..)
        )
    }
}

impl Record<'_> {
    fn local(&self, at: Timestamp, format: &str) -> String {
        at.to_zoned_datetime(self.zone.clone())
            .strftime(format)
            .to_string()
    }

    /// RFC 3339 with the local offset, e.g. `2026-11-23T14:05:09+01:00`.
    fn rfc3339(&self, at: Timestamp) -> String {
        let offset = self.zone.to_offset(at);
        at.display_with_offset(offset).to_string()
    }

    fn date(&self, at: Timestamp) -> String {
        self.local(at, "%A %-d %B %Y, %H:%M (UTC%:z)")
    }

    /// Seconds from the call's start to the record, never negative.
    fn length_seconds(&self) -> i64 {
        self.written
            .as_second()
            .saturating_sub(self.started.as_second())
            .max(0)
    }

    /// Tree prose for the record: in the third person about the caller for intake.
    fn said(&self, text: &str) -> String {
        match self.kind {
            Kind::Intake => third_person(text, "The caller"),
            Kind::Personal => text.to_owned(),
        }
    }

    /// The caller's record or the person's summary as parts, in reading order.
    fn parts(&self) -> Vec<Piece> {
        match self.kind {
            Kind::Intake => self.intake_parts(),
            Kind::Personal => self.personal_parts(),
        }
    }

    fn stamp(&self) -> Piece {
        let tree = &self.explanation.tree;
        Piece::Stamp(
            tree.title.clone(),
            tree.version.clone(),
            tree.sha256.clone(),
        )
    }

    fn intake_parts(&self) -> Vec<Piece> {
        let e = self.explanation;
        let tree = self.walk.tree();
        let entries = entries(self.walk, Kind::Intake);
        let mut parts = vec![Piece::Title("Intake record".to_owned())];
        parts.push(Piece::Field(
            "Call started".to_owned(),
            self.date(self.started),
        ));
        parts.push(Piece::Field(
            "Length of call".to_owned(),
            length(self.length_seconds()),
        ));
        parts.push(Piece::Field(
            "Record written".to_owned(),
            self.date(self.written),
        ));
        if let Some(staff) = self.details.staff_name() {
            parts.push(Piece::Field("Staff".to_owned(), staff.to_owned()));
        }
        if let Some(caller) = self.details.caller_reference() {
            parts.push(Piece::Field(
                "Caller reference".to_owned(),
                caller.to_owned(),
            ));
        }
        parts.push(self.stamp());
        let result = if e.outcome.urgent {
            format!("{} (urgent: help now, not a group)", e.outcome.name)
        } else {
            format!("{} (provisional recommendation)", e.outcome.name)
        };
        parts.push(Piece::Field("Result".to_owned(), result));

        if let Some(safety) = tree.safety {
            let screen = &tree.questions[safety.question];
            parts.push(Piece::Heading("Safety screen".to_owned()));
            parts.push(Piece::Paragraph(format!(
                "{}:",
                record_wording(tree, safety.question).trim_end_matches(['.', ':'])
            )));
            let rows = e
                .safety_screen
                .iter()
                .map(|sign| {
                    let choice = screen.choices.iter().find(|c| c.id == sign.option);
                    let label = choice
                        .and_then(|c| c.intake_label.clone())
                        .unwrap_or_else(|| quoted(&sign.label));
                    let answer = match sign.answer {
                        Sign::Yes => "Yes",
                        Sign::No => "No",
                        Sign::NotAnswered => "Not asked: the screen ended first",
                    };
                    [label, answer.to_owned()]
                })
                .collect();
            parts.push(Piece::Table(
                ["Danger sign".to_owned(), "Answer given".to_owned()],
                rows,
            ));
            for entry in &entries {
                if let Some(at) = &entry.raised_at {
                    parts.push(Piece::Paragraph(format!(
                        "The safety questions were raised again during the call, at the question \"{}\": {}.",
                        at.question_record.trim_end_matches('.'),
                        entry.option_label.trim_end_matches('.')
                    )));
                }
            }
        }

        if e.outcome.urgent {
            parts.push(Piece::Heading("What was done".to_owned()));
            if self.details.done.trim().is_empty() {
                parts.push(Piece::Paragraph("Not filled in by staff.".to_owned()));
            } else {
                parts.push(Piece::Typed(self.details.done.trim_end().to_owned()));
            }
        }

        let given: Vec<&Entry> = entries.iter().filter(|e| !e.on_safety_screen).collect();
        if !given.is_empty() {
            parts.push(Piece::Heading("Answers given".to_owned()));
            for (i, entry) in given.iter().enumerate() {
                let answer = if entry.worded {
                    entry.option_label.clone()
                } else {
                    quoted(&entry.option_label)
                };
                parts.push(Piece::Answer(i + 1, entry.question_record.clone(), answer));
            }
        }

        if e.outcome.urgent {
            for help in &e.urgent_help {
                parts.push(Piece::Heading(format!("Help given: {}", help.name)));
                parts.push(Piece::Paragraph(
                    "What the caller was told, in the words of the questions:".to_owned(),
                ));
                parts.push(Piece::Paragraph(help.summary.clone()));
                parts.extend(
                    help.steps
                        .iter()
                        .enumerate()
                        .map(|(i, step)| Piece::Numbered(i + 1, step.clone())),
                );
                if let Some(call) = &help.when_you_call {
                    parts.push(Piece::Sub("When you call".to_owned()));
                    parts.push(Piece::Paragraph(call.clone()));
                }
                if let Some(after) = &help.next_steps {
                    parts.push(Piece::Sub("After that".to_owned()));
                    parts.push(Piece::Paragraph(after.clone()));
                }
            }
            self.list(&mut parts, "Why this was shown", &e.why);
        } else {
            parts.push(Piece::Heading(format!(
                "Recommendation: {} (provisional)",
                e.outcome.name
            )));
            if let Some(provisional) = &e.provisional {
                parts.push(Piece::Paragraph(self.said(provisional)));
            }
            self.list(&mut parts, "Why this fits", &e.why);
            self.list(&mut parts, "Keep in mind", &e.keep_in_mind);
            if let Some(also) = &e.also_consider {
                for other in also.entries() {
                    self.list(
                        &mut parts,
                        &format!("Also consider: {}", other.name),
                        &other.lines(),
                    );
                }
            }
            parts.push(Piece::Sub(format!("About: {}", e.outcome.name)));
            parts.push(Piece::Paragraph(self.said(&e.summary)));
            self.list(&mut parts, "What to expect", &e.expect);
            if e.next_steps.is_some() || !e.where_to_look.is_empty() {
                parts.push(Piece::Sub("Next steps".to_owned()));
                if let Some(steps) = &e.next_steps {
                    parts.push(Piece::Paragraph(self.said(steps)));
                }
                parts.extend(e.where_to_look.iter().map(|w| Piece::Bullet(self.said(w))));
            }
        }

        parts.push(Piece::Heading("Notes".to_owned()));
        if self.notes.trim().is_empty() {
            parts.push(Piece::Paragraph("No notes were taken.".to_owned()));
        } else {
            parts.push(Piece::Typed(self.notes.trim_end().to_owned()));
        }
        parts.push(Piece::Small(self.said(&e.disclaimer)));
        parts
    }

    /// A person's own summary: what they saw, with the date and the tree, and nothing of a call.
    fn personal_parts(&self) -> Vec<Piece> {
        let mut parts = vec![
            Piece::Title("Your summary".to_owned()),
            Piece::Field("Written".to_owned(), self.date(self.written)),
            self.stamp(),
        ];
        let mut first = true;
        let mut number = 0;
        for block in self.explanation.blocks() {
            match block {
                Block::Urgent(text) | Block::Title(text) => {
                    parts.push(Piece::Heading(text));
                }
                Block::Step(n, text) => parts.push(Piece::Numbered(n, text)),
                Block::Heading(text) if first => {
                    first = false;
                    parts.push(Piece::Sub(text));
                }
                Block::Heading(text) => parts.push(Piece::Sub(text)),
                Block::Paragraph(text) => parts.push(Piece::Paragraph(text)),
                Block::Bullet(text) => parts.push(Piece::Bullet(text)),
                Block::Answer(question, answer) => {
                    number += 1;
                    parts.push(Piece::Answer(number, question, answer));
                }
                // The tree's stamp is already at the top.
                Block::Note(text) if text.starts_with("Questions: ") => {}
                Block::Note(text) => parts.push(Piece::Small(text)),
                Block::Staff(_) => {}
            }
        }
        if !self.notes.trim().is_empty() {
            parts.push(Piece::Sub("Notes".to_owned()));
            parts.push(Piece::Typed(self.notes.trim_end().to_owned()));
        }
        parts
    }

    fn list(&self, parts: &mut Vec<Piece>, heading: &str, items: &[String]) {
        if items.is_empty() {
            return;
        }
        parts.push(Piece::Sub(heading.to_owned()));
        parts.extend(items.iter().map(|item| Piece::Bullet(self.said(item))));
    }

    /// The record in Markdown, escaped only where Markdown would change the text.
    pub fn to_markdown(&self) -> String {
        let md = markdown::line;
        let mut out = String::new();
        let mut in_list = false;
        for part in self.parts() {
            let listed = part.is_listed();
            if in_list && !listed {
                out.push('\n');
            }
            in_list = listed;
            match part {
                Piece::Title(text) => out.push_str(&format!("# {}\n\n", md(&text))),
                Piece::Field(label, value) => {
                    let value = markdown::inline(&value);
                    out.push_str(&format!("- **{}:** {value}\n", md(&label)));
                }
                Piece::Stamp(title, version, sha256) => out.push_str(&format!(
                    "- **Questions used:** \"{}\", version {}, SHA-256 `{sha256}`\n",
                    markdown::inline(&title),
                    markdown::inline(&version)
                )),
                Piece::Heading(text) => out.push_str(&format!("## {}\n\n", md(&text))),
                Piece::Sub(text) => out.push_str(&format!("### {}\n\n", md(&text))),
                Piece::Paragraph(text) => out.push_str(&format!("{}\n\n", md(&text))),
                Piece::Bullet(text) => out.push_str(&format!("- {}\n", md(&text))),
                Piece::Numbered(n, text) => out.push_str(&format!("{n}. {}\n", md(&text))),
                Piece::Answer(n, question, answer) => out.push_str(&format!(
                    "{n}. {}  \n   **Answer:** {}\n",
                    md(&question),
                    md(&answer)
                )),
                Piece::Table(header, rows) => {
                    let cell = markdown::cell;
                    out.push_str(&format!(
                        "| {} | {} |\n| --- | --- |\n",
                        cell(&header[0]),
                        cell(&header[1])
                    ));
                    for [a, b] in rows {
                        out.push_str(&format!("| {} | {} |\n", cell(&a), cell(&b)));
                    }
                    out.push('\n');
                }
                Piece::Typed(text) => {
                    for line in text.lines() {
                        if line.trim().is_empty() {
                            out.push_str(">\n");
                        } else {
                            out.push_str(&format!("> {}  \n", md(line)));
                        }
                    }
                    out.push('\n');
                }
                Piece::Small(text) => out.push_str(&format!("---\n\n_{}_\n\n", md(&text))),
            }
        }
        while out.ends_with("\n\n") {
            out.pop();
        }
        out
    }

    /// The record as plain text, for case systems that show Markdown marks literally: no marks
    /// and no escapes, notes exactly as typed, and lines left for the case system to wrap.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        let mut in_list = false;
        for part in self.parts() {
            let listed = part.is_listed();
            if in_list && !listed {
                out.push('\n');
            }
            in_list = listed;
            match part {
                Piece::Title(text) => out.push_str(&format!("{text}\n{}\n\n", rule(&text, '='))),
                Piece::Field(label, value) => out.push_str(&format!("{label}: {value}\n")),
                Piece::Stamp(title, version, sha256) => out.push_str(&format!(
                    "Questions used: \"{title}\", version {version}, SHA-256 {sha256}\n"
                )),
                Piece::Heading(text) => out.push_str(&format!("{text}\n{}\n\n", rule(&text, '-'))),
                Piece::Sub(text)
                | Piece::Paragraph(text)
                | Piece::Typed(text)
                | Piece::Small(text) => {
                    out.push_str(&format!("{text}\n\n"));
                }
                Piece::Bullet(text) => out.push_str(&format!("- {text}\n")),
                Piece::Numbered(n, text) => out.push_str(&format!("{n}. {text}\n")),
                Piece::Answer(n, question, answer) => {
                    out.push_str(&format!("{n}. {question}\n   Answer: {answer}\n"));
                }
                Piece::Table(_, rows) => {
                    for [a, b] in rows {
                        out.push_str(&format!("- {a} — answer: {b}\n"));
                    }
                    out.push('\n');
                }
            }
        }
        while out.ends_with("\n\n") {
            out.pop();
        }
        out
    }

    /// The record as JSON: the `groupfit answer --format json` object, with the answers (and
    /// danger signs) in the wording that was read and chosen, plus the call's fields, so that
    /// `groupfit answer --answers` replays it.
    pub fn to_json(&self) -> io::Result<String> {
        let mut value = serde_json::to_value(self.explanation).map_err(io::Error::other)?;
        let entries = entries(self.walk, self.kind);
        let object = value
            .as_object_mut()
            .ok_or_else(|| io::Error::other("the explanation is not a JSON object"))?;
        object.insert(
            "answers".to_owned(),
            serde_json::to_value(&entries).map_err(io::Error::other)?,
        );
        if self.kind == Kind::Intake
            && let Some(signs) = object
                .get_mut("safety_screen")
                .and_then(serde_json::Value::as_array_mut)
            && let Some(safety) = self.walk.tree().safety
        {
            let screen = &self.walk.tree().questions[safety.question];
            for sign in signs {
                let Some(sign) = sign.as_object_mut() else {
                    continue;
                };
                let id = sign.get("option").and_then(|o| o.as_str()).unwrap_or("");
                if let Some(worded) = screen
                    .choices
                    .iter()
                    .find(|c| c.id == id)
                    .and_then(|c| c.intake_label.clone())
                    && let Some(label) = sign.insert("label".to_owned(), worded.clone().into())
                    && label != worded.as_str()
                {
                    sign.insert("label_first_person".to_owned(), label);
                }
            }
        }
        let kind = match self.kind {
            Kind::Intake => "intake",
            Kind::Personal => "personal",
        };
        object.insert("record".to_owned(), kind.into());
        object.insert("exported".to_owned(), self.rfc3339(self.written).into());
        if self.kind == Kind::Intake {
            object.insert("notes".to_owned(), self.notes.clone().into());
            object.insert("started".to_owned(), self.rfc3339(self.started).into());
            object.insert("length_seconds".to_owned(), self.length_seconds().into());
            object.insert("staff".to_owned(), self.details.staff_name().into());
            object.insert(
                "caller_reference".to_owned(),
                self.details.caller_reference().into(),
            );
            let done = (self.explanation.outcome.urgent).then(|| self.details.done.trim());
            object.insert("what_was_done".to_owned(), done.into());
        }
        let mut text = serde_json::to_string_pretty(&value).map_err(io::Error::other)?;
        text.push('\n');
        Ok(text)
    }

    /// `groupfit-2026-11-23-140509`: when the call started (or, for a person's own summary,
    /// when it was written), in local time.
    fn stem(&self) -> String {
        let at = match self.kind {
            Kind::Intake => self.started,
            Kind::Personal => self.written,
        };
        self.local(at, "groupfit-%Y-%m-%d-%H%M%S")
    }

    /// Which call this is, to head the paths in the report on quitting: "Summary of the call
    /// with caller reference "R-1" (started at 14:05 on 2 December 2026) written to:".
    pub fn describe(&self) -> String {
        let started = self.local(self.started, "%H:%M on %-d %B %Y");
        match (self.kind, self.details.caller_reference()) {
            (Kind::Personal, _) => "Your summary written to:".to_owned(),
            (Kind::Intake, Some(caller)) => format!(
                "Summary of the call with caller reference \"{caller}\" (started at {started}) written to:"
            ),
            (Kind::Intake, None) => format!(
                "Summary of the call started at {started} (no caller reference given) written to:"
            ),
        }
    }
}

/// `"text"`, for an answer the tree has no third-person wording for: the words on screen,
/// quoted, so they are never taken for the record's own.
fn quoted(text: &str) -> String {
    format!("\"{text}\" (as worded on screen)")
}

fn rule(text: &str, c: char) -> String {
    std::iter::repeat_n(c, textwrap::core::display_width(text).max(3)).collect()
}

/// "under a minute", "1 minute", "1 hour 5 minutes".
fn length(seconds: i64) -> String {
    let minutes = seconds / 60;
    let unit = |n: i64, one: &str, many: &str| {
        if n == 1 {
            format!("1 {one}")
        } else {
            format!("{n} {many}")
        }
    };
    match (minutes / 60, minutes % 60) {
        (0, 0) => "under a minute".to_owned(),
        (0, m) => unit(m, "minute", "minutes"),
        (h, 0) => unit(h, "hour", "hours"),
        (h, m) => format!(
            "{} {}",
            unit(h, "hour", "hours"),
            unit(m, "minute", "minutes")
        ),
    }
}

/// The files of one exported record, and which call it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exported {
    /// The name shared by its files, without the extension.
    pub name: String,
    /// Each file, as an absolute path, in the order of the formats.
    pub files: Vec<PathBuf>,
    /// Which call (or whose summary) it is, in words.
    pub about: String,
}

impl Exported {
    /// Every path, each whole on a line of its own after `indent`, so they can be copied.
    pub fn paths(&self, indent: &str) -> String {
        self.files
            .iter()
            .map(|f| format!("{indent}{}", f.display()))
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// Writes the record into `dir` in each format, the files appearing whole or not at all.
///
/// The first export of a call takes a name from when the call started, never replacing a file
/// (`-2`, `-3`, … is added when the name is taken). An export of a call exported before
/// (`details.exported_as`) replaces that call's earlier files, keeping them until the new ones
/// are written in full; no other call's files are ever touched.
pub fn export(dir: &Path, record: &Record<'_>, formats: &[Format]) -> io::Result<Exported> {
    let dir = std::path::absolute(dir)?;
    let mut formats = formats.to_vec();
    formats.sort_unstable();
    formats.dedup();
    if formats.is_empty() {
        formats = Format::DEFAULT.to_vec();
    }
    let mut texts = Vec::new();
    for format in &formats {
        texts.push(match format {
            Format::Markdown => record.to_markdown(),
            Format::Text => record.to_text(),
            Format::Json => record.to_json()?,
        });
    }
    let parts: Vec<Part<'_>> = formats
        .iter()
        .zip(&texts)
        .map(|(format, text)| Part {
            extension: format.extension(),
            bytes: text.as_bytes(),
        })
        .collect();
    let done = |name: String| Exported {
        files: formats
            .iter()
            .map(|f| dir.join(format!("{name}.{}", f.extension())))
            .collect(),
        name,
        about: record.describe(),
    };
    if let Some(name) = &record.details.exported_as {
        pair::replace(&dir, name, &parts)?;
        // A format the earlier export had and this one has not would be a stale record.
        for format in [Format::Markdown, Format::Text, Format::Json] {
            if !formats.contains(&format) {
                let stale = dir.join(format!("{name}.{}", format.extension()));
                match std::fs::remove_file(&stale) {
                    Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
                    _ => {}
                }
            }
        }
        return Ok(done(name.clone()));
    }
    let stem = record.stem();
    for n in 1..1000 {
        let name = if n == 1 {
            stem.clone()
        } else {
            format!("{stem}-{n}")
        };
        match pair::write(&dir, &name, &parts) {
            Ok(()) => return Ok(done(name)),
            Err(pair::PairError::Taken) => {}
            Err(pair::PairError::Io(e)) => return Err(e),
        }
    }
    Err(io::Error::new(
        io::ErrorKind::AlreadyExists,
        format!(
            "too many summaries named '{stem}' already in '{}'",
            dir.display()
        ),
    ))
}

#[cfg(test)]
mod tests {
    use std::fs;

    use super::*;
    use crate::answers;
    use crate::source::Source;
    use crate::walk::Position;

    fn builtin() -> Tree {
        Tree::load(&Source::builtin()).unwrap().0
    }

    fn walk<'t>(tree: &'t Tree, answers: &[(&str, &str)]) -> Walk<'t> {
        let mut walk = Walk::new(tree);
        for (question, option) in answers {
            let q = tree.question_ix(question).unwrap();
            let c = tree.choice_ix(q, option).unwrap();
            let taken = match walk.position() {
                Position::Asking(at) if at == q => walk.choose(c),
                _ => walk.answer_follow_up(c) || walk.raise(c),
            };
            assert!(taken, "{question}={option}");
        }
        walk
    }

    const THERAPY: &[(&str, &str)] = &[
        ("safety", "none"),
        ("age", "adult"),
        ("who", "myself"),
        ("want", "pattern"),
        ("pattern_what", "relationships"),
        ("shared", "mix"),
        ("feedback", "welcome"),
        ("peers", "no"),
        ("leader", "professional"),
        ("commitment", "months"),
        ("outside", "separate"),
        ("cost", "can_pay"),
    ];

    fn at(seconds: i64) -> Timestamp {
        Timestamp::from_second(1_795_000_000 + seconds).unwrap()
    }

    fn record<'a>(
        walk: &'a Walk<'a>,
        explanation: &'a Explanation,
        kind: Kind,
        notes: &str,
    ) -> Record<'a> {
        Record {
            walk,
            explanation,
            kind,
            notes: notes.to_owned(),
            details: CallDetails {
                staff: Some("JM".to_owned()),
                caller: Some("C-2291".to_owned()),
                done: String::new(),
                exported_as: None,
            },
            started: at(0),
            written: at(754),
            zone: TimeZone::fixed(jiff::tz::offset(1)),
        }
    }

    /// Words of the person answering that a record in the third person must never hold.
    const FIRST_PERSON: &[&str] = &["Caller chose", "I am ", "I'm ", "I would", "I'd ", " my "];

    #[test]
    fn an_intake_record_reads_as_a_record_of_the_call() {
        let tree = builtin();
        let walk = walk(&tree, THERAPY);
        let explanation = Explanation::of(&walk).unwrap();
        let text = record(
            &walk,
            &explanation,
            Kind::Intake,
            "Lives alone.\n\nPrefers *evenings*.",
        )
        .to_markdown();
        for expected in [
            "# Intake record",
            "- **Call started:** Wednesday 18 November 2026, 12:06 (UTC+01:00)",
            "- **Length of call:** 12 minutes",
            "- **Staff:** JM",
            "- **Caller reference:** C-2291",
            &format!("SHA-256 `{}`", tree.sha256),
            "- **Result:** Therapy group (provisional recommendation)",
            "## Safety screen",
            "| The caller is having thoughts of ending their life or of not wanting to be alive, or has been getting ready to (for example, saving up pills) | No |",
            "## Answers given",
            "1. The caller's age group  \n   **Answer:** 18 or older",
            "## Recommendation: Therapy group (provisional)",
            "- The caller wants to change a pattern that keeps coming back.",
            "### Keep in mind",
            "### Also consider:",
            "### What to expect",
            "## Notes",
            "> Lives alone.  \n>\n> Prefers \\*evenings\\*.",
            "It is not a diagnosis",
        ] {
            assert!(text.contains(expected), "lacks {expected:?}:\n{text}");
        }
        for never in FIRST_PERSON
            .iter()
            .chain(&["You want", "Before anything about groups, ask"])
        {
            assert!(!text.contains(never), "holds {never:?}:\n{text}");
        }
        assert!(!text.contains("What was done"), "not an urgent call");
        insta::assert_snapshot!("intake_therapy_md", text);
    }

    #[test]
    fn an_urgent_record_lists_every_danger_sign_and_what_was_done() {
        let tree = builtin();
        let walk = walk(
            &tree,
            &[
                ("safety", "withdrawal"),
                ("safety", "suicide"),
                ("safety", "none"),
            ],
        );
        let explanation = Explanation::of(&walk).unwrap();
        let mut urgent = record(&walk, &explanation, Kind::Intake, "");
        let text = urgent.to_markdown();
        assert!(
            text.contains("## What was done\n\nNot filled in by staff."),
            "{text}"
        );
        urgent.details.done = "Warm transfer to 988; caller stayed on the line.".to_owned();
        let text = urgent.to_markdown();
        let screen = &tree.questions[tree.safety.unwrap().question];
        for choice in &screen.choices {
            if choice.id == "none" {
                continue;
            }
            let answer = if ["withdrawal", "suicide"].contains(&choice.id.as_str()) {
                "Yes"
            } else {
                "No"
            };
            let row = format!("| {} | {answer} |", choice.intake_label.as_deref().unwrap());
            assert!(text.contains(&row), "lacks {row:?}:\n{text}");
        }
        for expected in [
            "- **Result:** Please get help now (urgent: help now, not a group)",
            "## What was done\n\n> Warm transfer to 988; caller stayed on the line.",
            "## Help given: Please get help now",
            "### Why this was shown",
            "- The caller told us they are having thoughts of ending their life",
        ] {
            assert!(text.contains(expected), "lacks {expected:?}:\n{text}");
        }
        for never in FIRST_PERSON
            .iter()
            .chain(&["!!", "provisional)", "You told us"])
        {
            assert!(!text.contains(never), "holds {never:?}:\n{text}");
        }
        assert!(
            !text.contains("## Answers given"),
            "only the safety screen was asked"
        );
        let json: serde_json::Value = serde_json::from_str(&urgent.to_json().unwrap()).unwrap();
        assert_eq!(json["answers"][2]["option"], "none");
        assert_eq!(
            json["answers"][2]["option_label"],
            "No, nothing else on the list"
        );
        assert_eq!(
            json["what_was_done"],
            "Warm transfer to 988; caller stayed on the line."
        );
        insta::assert_snapshot!("intake_urgent_md", text);
        insta::assert_snapshot!("intake_urgent_txt", urgent.to_text());
    }

    #[test]
    fn a_danger_raised_later_names_the_question_and_keeps_the_answers() {
        let tree = builtin();
        let walk = walk(
            &tree,
            &[
                ("safety", "none"),
                ("age", "adult"),
                ("who", "myself"),
                ("safety", "someone_else"),
            ],
        );
        let explanation = Explanation::of(&walk).unwrap();
        let text = record(&walk, &explanation, Kind::Intake, "").to_markdown();
        for expected in [
            "raised again during the call, at the question \"What the caller most wants help with\"",
            "Someone the caller is worried about may be thinking of suicide",
            "1. The caller's age group  \n   **Answer:** 18 or older",
            "2. Who the group is for",
        ] {
            assert!(text.contains(expected), "lacks {expected:?}:\n{text}");
        }
        assert!(!text.contains("at the question \"want\""), "{text}");
        let json: serde_json::Value = serde_json::from_str(
            &record(&walk, &explanation, Kind::Intake, "")
                .to_json()
                .unwrap(),
        )
        .unwrap();
        assert_eq!(json["answers"][3]["raised_at"]["question"], "want");
    }

    #[test]
    fn a_personal_summary_is_no_intake_form() {
        let tree = builtin();
        let walk = walk(&tree, THERAPY);
        let explanation = Explanation::of(&walk).unwrap();
        let personal = record(&walk, &explanation, Kind::Personal, "");
        for text in [personal.to_markdown(), personal.to_text()] {
            for never in [
                "Call started",
                "Caller chose",
                "No notes were taken",
                "caller",
                "Staff",
            ] {
                assert!(!text.contains(never), "holds {never:?}:\n{text}");
            }
            for expected in [
                "Your summary",
                "Provisional recommendation: Therapy group",
                "You want to change",
            ] {
                assert!(text.contains(expected), "lacks {expected:?}:\n{text}");
            }
        }
        let json: serde_json::Value = serde_json::from_str(&personal.to_json().unwrap()).unwrap();
        assert_eq!(json["record"], "personal");
        assert!(json.get("staff").is_none() && json.get("notes").is_none());
        assert_eq!(personal.describe(), "Your summary written to:");
    }

    #[test]
    fn the_text_record_has_the_notes_exactly_as_typed() {
        let tree = builtin();
        let walk = walk(&tree, THERAPY);
        let explanation = Explanation::of(&walk).unwrap();
        let notes = "Prefers <evenings> | not *Mondays*\n# 2 kids_at_home\n\\o/";
        let text = record(&walk, &explanation, Kind::Intake, notes).to_text();
        assert!(text.contains(notes), "{text}");
        assert!(!text.contains("**") && !text.contains("\\<"), "{text}");
        let md = record(&walk, &explanation, Kind::Intake, notes).to_markdown();
        assert!(
            md.contains(
                "> Prefers \\<evenings> | not \\*Mondays\\*  \n> \\# 2 kids_at_home  \n> \\o/"
            ),
            "escaped only where Markdown would change it:\n{md}"
        );
    }

    #[test]
    fn the_json_record_carries_what_was_read_and_chosen_and_replays() {
        let tree = builtin();
        let walk = walk(&tree, THERAPY);
        let explanation = Explanation::of(&walk).unwrap();
        let json = record(&walk, &explanation, Kind::Intake, "Call back Tuesday.")
            .to_json()
            .unwrap();
        let value: serde_json::Value = serde_json::from_str(&json).unwrap();
        let age = &value["answers"][1];
        let question = &tree.questions[tree.question_ix("age").unwrap()];
        assert_eq!(age["question_text"], question.intake.as_deref().unwrap());
        assert_eq!(age["question_first_person"], question.text.as_str());
        assert_eq!(age["question_record"], "The caller's age group");
        assert_eq!(age["option_label"], "18 or older");
        let sign = &value["safety_screen"][0];
        assert!(
            sign["label"].as_str().unwrap().starts_with("The caller is"),
            "{sign}"
        );
        assert!(
            sign["label_first_person"]
                .as_str()
                .unwrap()
                .starts_with("I am"),
            "{sign}"
        );
        assert_eq!(value["notes"], "Call back Tuesday.");
        assert_eq!(value["started"], "2026-11-18T12:06:40+01:00");
        assert_eq!(value["length_seconds"], 754);
        assert_eq!(value["staff"], "JM");
        assert_eq!(value["caller_reference"], "C-2291");
        assert_eq!(value["what_was_done"], serde_json::Value::Null);
        assert_eq!(value["tree"]["sha256"], tree.sha256.as_str());

        let file = answers::parse_file(&Source::new("record.json", json)).unwrap();
        let replayed = answers::replay(&tree, &file.answers).unwrap();
        assert_eq!(Explanation::of(&replayed.walk).unwrap(), explanation);
    }

    #[test]
    fn the_record_falls_back_to_quoted_words_where_the_tree_has_none() {
        let mut tree = builtin();
        let age = tree.question_ix("age").unwrap();
        tree.questions[age].record = None;
        tree.questions[age].choices[1].intake_label = None;
        let walk = walk(&tree, THERAPY);
        let explanation = Explanation::of(&walk).unwrap();
        let text = record(&walk, &explanation, Kind::Intake, "").to_markdown();
        let label = &tree.questions[age].choices[1].label;
        assert!(
            text.contains(&format!(
                "1. Is the caller under 18, or 18 or older?  \n   **Answer:** \"{label}\" (as worded on screen)"
            )),
            "{text}"
        );
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn one_call_one_record_and_another_call_never_replaces_it() {
        let tree = builtin();
        let walk = walk(&tree, THERAPY);
        let explanation = Explanation::of(&walk).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let mut first = record(&walk, &explanation, Kind::Intake, "First note.");
        let formats = [Format::Json, Format::Markdown, Format::Text];
        let exported = export(dir.path(), &first, &formats).unwrap();
        assert_eq!(exported.name, "groupfit-2026-11-18-120640");
        assert_eq!(
            exported.files,
            ["md", "txt", "json"]
                .map(|e| dir.path().join(format!("groupfit-2026-11-18-120640.{e}")))
        );
        assert!(exported.files.iter().all(|f| f.is_absolute()));
        assert!(
            exported
                .about
                .contains("caller reference \"C-2291\" (started at 12:06"),
            "{}",
            exported.about
        );

        // Another call that started in the same second gets a name of its own.
        let other = record(&walk, &explanation, Kind::Intake, "Someone else.");
        let theirs = export(dir.path(), &other, &formats).unwrap();
        assert_eq!(theirs.name, "groupfit-2026-11-18-120640-2");

        // The first call, changed and exported again, replaces only its own files.
        first.notes = "First note.\nSecond note.".to_owned();
        first.details.exported_as = Some(exported.name.clone());
        let again = export(dir.path(), &first, &formats).unwrap();
        assert_eq!(again.files, exported.files);
        assert_eq!(names(dir.path()).len(), 6, "{:?}", names(dir.path()));
        assert!(
            fs::read_to_string(&again.files[0])
                .unwrap()
                .contains("Second note.")
        );
        assert!(
            fs::read_to_string(&theirs.files[0])
                .unwrap()
                .contains("Someone else.")
        );
        // Exported once more as Markdown only, its text and JSON go: they would be out of date.
        let markdown = export(dir.path(), &first, &[Format::Markdown]).unwrap();
        assert_eq!(markdown.files, exported.files[..1]);
        assert_eq!(names(dir.path()).len(), 4, "{:?}", names(dir.path()));
        #[cfg(unix)]
        for file in theirs.files.iter().chain(&markdown.files) {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = fs::metadata(file).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "{}", file.display());
        }
    }

    #[test]
    fn a_record_names_its_length_in_words() {
        assert_eq!(length(0), "under a minute");
        assert_eq!(length(61), "1 minute");
        assert_eq!(length(3600), "1 hour");
        assert_eq!(length(3900), "1 hour 5 minutes");
    }
}
