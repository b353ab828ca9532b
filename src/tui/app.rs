//! The questionnaire's state and the one function that changes it.
//!
//! [`App`] holds the walk and what is on screen; [`update`] applies a [`Message`] to it. Nothing
//! here draws, reads the terminal or touches a file, so every key sequence can be tested as plain
//! data. Saving and exporting happen in the event loop, which asks the app what to write
//! ([`App::revision`], [`App::session`], [`App::request`]) and reports back with a message.

use crossterm::event::KeyEvent;
use jiff::Timestamp;
use jiff::tz::TimeZone;
use ratatui::layout::{Rect, Size};
use ratatui_textarea::{CursorMove, TextArea, WrapMode};

use super::view::{self, Theme};
use crate::explain::Explanation;
use crate::possible::{self, Bounds, Possible};
use crate::session::{self, Exported, Keeper, Session, Summary};
use crate::tree::{QuestionIx, Step, Tree};
use crate::walk::{NoRecommendation, Position, Walk};

/// The question on screen and the answers it offers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Asking {
    pub question: QuestionIx,
    pub kind: Ask,
    /// Choice indices of the question, in the order shown and numbered.
    pub offered: Vec<usize>,
}

/// Why a question is on screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ask {
    /// The walk asks it.
    Question,
    /// The safety screen asks whether anything else on it is true as well.
    FollowUp,
    /// The safety screen, brought back with `!` at a later question.
    Raised,
}

/// What is on screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    Question,
    Result,
    /// The help, over the question or the result.
    Help,
    /// A yes/no question, over the question or the result.
    Confirm(Pending),
    /// The notes box, over the question or the result.
    Notes,
    /// An unfinished call was found at start: resume it or discard it.
    Resume,
}

/// What waits for a yes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pending {
    Quit,
    Restart,
    /// Clear everything for the next caller.
    NextCall,
    /// Delete the unfinished call offered at start.
    Discard,
    /// Leave the result to change the last answer (intake mode, where one stray key must not
    /// clear a recommendation that staff may still be reading out).
    LeaveResult,
}

/// What the app has turned on, from the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Features {
    /// Read-aloud wording, staff guidance, notes, "still possible" and the next-call key.
    pub intake: bool,
    /// The call is saved after every change and offered for resume after a crash.
    pub autosave: bool,
    /// The result can be exported as a summary.
    pub export: bool,
}

impl Features {
    /// Intake mode: everything on.
    pub fn intake() -> Self {
        Self {
            intake: true,
            autosave: true,
            export: true,
        }
    }
}

/// Something for the event loop to do, because the app itself touches no files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Request {
    Export,
}

/// Everything a key or the event loop can ask for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    Up,
    Down,
    Choose,
    /// Choose the answer at this index.
    Pick(usize),
    Back,
    /// Bring back the safety screen at a later question.
    Concern,
    ToggleHelp,
    Restart,
    Quit,
    QuitNow,
    Yes,
    No,
    ScrollUp,
    ScrollDown,
    PageUp,
    PageDown,
    Top,
    Bottom,
    Resize(u16, u16),
    /// Open the notes box.
    Notes,
    /// Close the notes box.
    CloseNotes,
    /// A key typed into the notes box.
    Edit(KeyEvent),
    /// Text pasted into the notes box, all at once.
    Paste(String),
    /// Export the summary of the result.
    Export,
    /// Clear everything for the next caller (asks first).
    NextCall,
    /// Resume the unfinished call offered at start.
    Resume,
    /// Discard the unfinished call offered at start (asks first).
    Discard,
    /// The event loop wrote the summary, or could not.
    Exported(Result<Exported, String>),
    /// The event loop could not save the call.
    SaveFailed(String),
    /// The event loop saved the call (or deleted it, with nothing left to keep).
    Saved,
}

/// How the questionnaire was left.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// `q`, after confirming when answers would have been lost.
    Quit,
    /// Ctrl-C.
    Interrupted,
    /// A signal such as SIGTERM, by number.
    Signal(i32),
}

/// What the questionnaire hands back once the terminal is restored.
#[derive(Debug, Clone, PartialEq)]
pub struct Ending {
    /// The recommendation on screen when it closed, to print so it stays in the scrollback.
    pub explanation: Option<Explanation>,
    pub exit: Exit,
    /// The summary files written during the session, most recent last.
    pub exported: Vec<Exported>,
    /// Why the last save failed, if it did: the saved call is then out of date.
    pub save_problem: Option<String>,
    /// The notes as typed, for the report.
    pub notes: String,
}

/// A line shown above the keys until the next change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    pub text: String,
    /// Something went wrong and the person must act on it.
    pub warning: bool,
}

/// The unfinished call offered at start.
#[derive(Debug, Clone)]
pub struct Offer {
    pub session: Session,
    /// When it is from and how far it got, in words.
    pub description: String,
    /// How its tree differs from this one, in words, when it does.
    pub tree_change: Option<String>,
}

impl Offer {
    /// Describes a saved call for the person deciding what to do with it, as of `now`.
    pub fn new(
        session: Session,
        tree: &Tree,
        now: Timestamp,
        zone: &TimeZone,
        intake: bool,
    ) -> Self {
        Self {
            description: session.describe(now, zone, intake),
            tree_change: session.tree_change(tree),
            session,
        }
    }
}

/// The safety screen raised over a question, and the mark that waits to come back.
#[derive(Debug, Clone, Copy)]
struct Raised {
    mark: Option<usize>,
}

#[derive(Debug, Clone)]
pub struct App<'t> {
    walk: Walk<'t>,
    longest: Vec<usize>,
    screen: Screen,
    /// The marked answer on the question screen, as a place in the answers offered; nothing is
    /// marked at first on the safety screen, so a stray Enter chooses nothing there.
    selected: Option<usize>,
    /// The safety screen is up again, raised with `!`.
    raised: Option<Raised>,
    /// The first line of the result shown.
    scroll: u16,
    /// The first line of the help shown.
    help_scroll: u16,
    /// Built once, when the walk finishes; cleared whenever it changes.
    result: Option<Result<Explanation, NoRecommendation>>,
    /// The terminal's size, so that scrolling can stop at the end.
    size: Size,
    theme: Theme,
    exit: Option<Exit>,
    features: Features,
    notes: TextArea<'static>,
    /// When the first answer or note of this call was given.
    started: Option<Timestamp>,
    /// Counts changes to what would be saved: answers, notes, exports.
    revision: u64,
    /// The summary written since the last change, if any.
    exported: Option<Exported>,
    /// Every summary written, for the report at the end.
    all_exported: Vec<Exported>,
    status: Option<Status>,
    /// Why the last save failed; cleared by the next one that works.
    save_problem: Option<String>,
    offer: Option<Offer>,
    /// Where the walk can still lead, for intake; recomputed when the walk changes.
    possible: Option<Possible>,
    /// Worked out once, to make `possible` quick.
    bounds: Option<Bounds>,
    request: Option<Request>,
}

impl<'t> App<'t> {
    pub fn new(tree: &'t Tree, theme: Theme) -> Self {
        Self::with(tree, theme, Features::default(), None)
    }

    /// An app with features turned on, offering an unfinished call when there is one.
    pub fn with(tree: &'t Tree, theme: Theme, features: Features, offer: Option<Offer>) -> Self {
        let mut app = Self {
            walk: Walk::new(tree),
            longest: tree.longest_remaining(),
            screen: if offer.is_some() {
                Screen::Resume
            } else {
                Screen::Question
            },
            selected: None,
            raised: None,
            scroll: 0,
            help_scroll: 0,
            result: None,
            size: Size::new(80, 24),
            theme,
            exit: None,
            features,
            notes: notes_box(Vec::new()),
            started: None,
            revision: 0,
            exported: None,
            all_exported: Vec::new(),
            status: None,
            save_problem: None,
            offer,
            possible: None,
            bounds: features.intake.then(|| Bounds::of(tree)),
            request: None,
        };
        app.walk_changed();
        app.selected = app.first_mark();
        app
    }

    pub fn tree(&self) -> &'t Tree {
        self.walk.tree()
    }

    pub fn walk(&self) -> &Walk<'t> {
        &self.walk
    }

    pub fn screen(&self) -> Screen {
        self.screen
    }

    /// The screen under any help, confirmation or notes.
    pub fn base(&self) -> Screen {
        if self.offer.is_some() {
            return Screen::Resume;
        }
        if self.raised.is_some() || self.walk.follow_up().is_some() {
            return Screen::Question;
        }
        match self.walk.position() {
            Position::Asking(_) => Screen::Question,
            Position::Finished => Screen::Result,
        }
    }

    /// The question on screen, if any: the walk's, the safety screen's follow-up, or the safety
    /// screen raised again.
    pub fn asking(&self) -> Option<Asking> {
        let tree = self.tree();
        if self.raised.is_some()
            && let Some(safety) = tree.safety
        {
            return Some(Asking {
                question: safety.question,
                kind: Ask::Raised,
                offered: (0..tree.questions[safety.question].choices.len()).collect(),
            });
        }
        if let Some(question) = self.walk.follow_up() {
            return Some(Asking {
                question,
                kind: Ask::FollowUp,
                offered: self.walk.offered(),
            });
        }
        match self.walk.position() {
            Position::Asking(question) => Some(Asking {
                question,
                kind: Ask::Question,
                offered: self.walk.offered(),
            }),
            Position::Finished => None,
        }
    }

    /// The marked answer, as a place in [`Asking::offered`].
    pub fn selected(&self) -> Option<usize> {
        self.selected
    }

    pub fn scroll(&self) -> u16 {
        self.scroll
    }

    pub fn help_scroll(&self) -> u16 {
        self.help_scroll
    }

    pub fn theme(&self) -> Theme {
        self.theme
    }

    pub fn features(&self) -> Features {
        self.features
    }

    /// "Question k of at most n".
    pub fn progress(&self) -> (usize, usize) {
        self.walk.progress(&self.longest)
    }

    pub fn result(&self) -> Option<&Result<Explanation, NoRecommendation>> {
        self.result.as_ref()
    }

    pub fn exit(&self) -> Option<Exit> {
        self.exit
    }

    /// The notes as typed.
    pub fn notes(&self) -> String {
        self.notes.lines().join("\n")
    }

    /// The notes box, for drawing.
    pub fn notes_box(&self) -> &TextArea<'static> {
        &self.notes
    }

    pub fn status(&self) -> Option<&Status> {
        self.status.as_ref()
    }

    /// Why the call could not be saved, while that is so.
    pub fn save_problem(&self) -> Option<&str> {
        self.save_problem.as_deref()
    }

    pub fn offer(&self) -> Option<&Offer> {
        self.offer.as_ref()
    }

    /// Where the call can still end. With the safety screen brought back at a later question,
    /// that includes every urgent outcome its answers lead to.
    pub fn possible(&self) -> Option<Possible> {
        let mut possible = self.possible.clone()?;
        if self.raised.is_some()
            && let Some(safety) = self.tree().safety
        {
            for choice in &self.tree().questions[safety.question].choices {
                if let Step::Outcome(o) = choice.step
                    && !possible.outcomes.contains(&o)
                {
                    possible.outcomes.push(o);
                }
            }
            possible.outcomes.sort_unstable();
        }
        Some(possible)
    }

    /// Whether a summary of this call has been written at some point.
    pub fn exported_before(&self) -> bool {
        !self.all_exported.is_empty()
    }

    /// The summary written since the last change, if any.
    pub fn exported(&self) -> Option<&Exported> {
        self.exported.as_ref()
    }

    /// Changes whenever what would be saved changes; the event loop saves when it does.
    pub fn revision(&self) -> u64 {
        self.revision
    }

    /// What to save now, or `None` when nothing needs keeping: no answers and no notes, or
    /// everything already exported. While an unfinished call is on offer, nothing is decided yet.
    pub fn session(&self, now: Timestamp) -> Option<Session> {
        let notes = self.notes();
        let keeper = Keeper::of(self.features.intake);
        if self.exported.is_some() || !session::worth_keeping(&self.walk, &notes, keeper) {
            return None;
        }
        Some(Session::of(
            &self.walk,
            &notes,
            self.started.unwrap_or(now),
            now,
        ))
    }

    /// Whether the saved call should be left alone: one is on offer and not yet resumed or discarded.
    pub fn offering(&self) -> bool {
        self.offer.is_some()
    }

    /// Work for the event loop, until it reports back.
    pub fn request(&self) -> Option<Request> {
        self.request
    }

    /// The summary to export: the result with the notes and times.
    pub fn summary(&self, now: Timestamp, zone: TimeZone) -> Option<Summary<'_>> {
        let Some(Ok(explanation)) = &self.result else {
            return None;
        };
        Some(Summary {
            explanation,
            notes: self.notes(),
            started: self.started.unwrap_or(now),
            written: now,
            zone,
        })
    }
}

impl App<'_> {
    /// Whether quitting now would throw something away, or leave a call unexported.
    pub fn would_lose_answers(&self) -> bool {
        match self.base() {
            Screen::Resume => false,
            Screen::Result => self.features.intake && self.exported.is_none(),
            _ => !self.walk.answers().is_empty() || !self.notes().trim().is_empty(),
        }
    }

    /// The output once the app has exited: the recommendation when one was on screen.
    pub fn ending(self, exit: Exit) -> Ending {
        let notes = self.notes();
        let explanation = match (exit, self.result) {
            (Exit::Quit | Exit::Interrupted, Some(Ok(explanation))) => Some(explanation),
            _ => None,
        };
        Ending {
            notes,
            explanation,
            exit,
            exported: self.all_exported,
            save_problem: self.save_problem,
        }
    }

    fn choices(&self) -> usize {
        self.asking().map_or(0, |asking| asking.offered.len())
    }

    /// What is marked when a question comes up: nothing on the safety screen, else the first.
    fn first_mark(&self) -> Option<usize> {
        let safety = self.tree().safety.map(|s| s.question);
        match self.asking() {
            Some(asking) if Some(asking.question) == safety => None,
            Some(_) => Some(0),
            None => None,
        }
    }

    /// Something that would be saved changed: the answers, the notes or an export.
    fn changed(&mut self) {
        self.revision += 1;
        self.exported = None;
        if self.status.as_ref().is_some_and(|s| !s.warning) {
            self.status = None;
        }
    }

    /// Keeps what depends on the walk in step with it.
    fn walk_changed(&mut self) {
        self.possible = self
            .bounds
            .as_ref()
            .map(|bounds| possible::still_possible(&self.walk, bounds, possible::BUDGET));
        self.result = match self.walk.position() {
            Position::Finished => Some(Explanation::of(&self.walk)),
            Position::Asking(_) => None,
        };
    }

    /// A call starts with its first answer or note, not when the program was opened or cleared.
    fn begun(&mut self) {
        self.started.get_or_insert_with(Timestamp::now);
    }

    /// Chooses the answer at this place in the answers offered.
    fn choose(&mut self, place: usize) {
        let Some(asking) = self.asking() else {
            return;
        };
        let Some(&choice) = asking.offered.get(place) else {
            return;
        };
        let chosen = match asking.kind {
            Ask::Question => self.walk.choose(choice),
            Ask::FollowUp => self.walk.answer_follow_up(choice),
            Ask::Raised => {
                if self.tree().safety.is_some_and(|s| s.none == choice) {
                    // None of the dangers applies after all: back to where the person was.
                    self.close_raised();
                    return;
                }
                self.walk.raise(choice)
            }
        };
        if !chosen {
            if asking.kind != Ask::Question {
                self.status = Some(Status {
                    text: "That answer is already chosen. Choose anything else that is also true, or the answer that says nothing else is.".to_owned(),
                    warning: false,
                });
            }
            return;
        }
        self.raised = None;
        self.begun();
        self.scroll = 0;
        self.changed();
        self.walk_changed();
        self.selected = self.first_mark();
        self.screen = self.base();
    }

    /// Brings back the safety screen at a question after it, keeping every answer.
    fn raise(&mut self) {
        let safety = self.tree().safety.map(|s| s.question);
        let past_safety = self
            .asking()
            .is_some_and(|a| a.kind == Ask::Question && Some(a.question) != safety);
        if past_safety && self.screen == Screen::Question {
            self.raised = Some(Raised {
                mark: self.selected.take(),
            });
        }
    }

    fn close_raised(&mut self) {
        if let Some(raised) = self.raised.take() {
            self.selected = raised.mark;
            self.screen = self.base();
        }
    }

    fn back(&mut self) {
        if self.raised.is_some() {
            self.close_raised();
            return;
        }
        if let Some(answer) = self.walk.back() {
            self.scroll = 0;
            self.changed();
            self.walk_changed();
            self.screen = self.base();
            // Mark the answer being taken back, so the person sees what they chose before.
            self.selected = self
                .asking()
                .and_then(|asking| asking.offered.iter().position(|&c| c == answer.choice));
        }
    }

    /// Clears the answers; in intake mode the notes about the caller stay.
    fn restart(&mut self) {
        self.walk.restart();
        self.raised = None;
        self.selected = self.first_mark();
        self.scroll = 0;
        self.screen = Screen::Question;
        if !self.features.intake {
            self.notes = notes_box(Vec::new());
        }
        self.changed();
        self.walk_changed();
    }

    /// Clears everything for a new caller.
    fn next_call(&mut self) {
        self.walk.restart();
        self.notes = notes_box(Vec::new());
        self.started = None;
        self.raised = None;
        self.selected = self.first_mark();
        self.scroll = 0;
        self.screen = Screen::Question;
        self.changed();
        self.status = None;
        self.walk_changed();
    }

    fn resume(&mut self) {
        let Some(offer) = self.offer.take() else {
            return;
        };
        let tree = self.walk.tree();
        let resumed = session::resume(tree, &offer.session);
        let (text, warning) = resumed.report(&offer.session, Keeper::of(self.features.intake));
        self.walk = resumed.walk;
        self.notes = notes_box(offer.session.notes.lines().map(str::to_owned).collect());
        self.started = Some(offer.session.started);
        self.screen = self.base();
        self.selected = self.first_mark();
        self.changed();
        self.walk_changed();
        self.status = Some(Status { text, warning });
    }

    fn discard(&mut self) {
        if self.offer.take().is_some() {
            self.screen = Screen::Question;
            // Nothing to keep now, so the saved call is deleted at the next save.
            self.changed();
            self.status = Some(Status {
                text: "The unfinished call was deleted.".to_owned(),
                warning: false,
            });
        }
    }

    fn edit_notes(&mut self, key: KeyEvent) {
        if self.notes.input(key) {
            self.begun();
            self.changed();
        }
    }

    fn scroll_by(&mut self, lines: i32) {
        if self.screen == Screen::Help {
            let area = Rect::new(0, 0, self.size.width, self.size.height);
            self.help_scroll = scrolled(self.help_scroll, lines, view::help_max_scroll(self, area));
        } else {
            self.scroll = scrolled(self.scroll, lines, self.max_scroll());
        }
    }

    /// The last line the result can be scrolled to at the current size.
    fn max_scroll(&self) -> u16 {
        if self.result.is_none() {
            return 0;
        }
        let area = Rect::new(0, 0, self.size.width, self.size.height);
        let viewport = view::result_viewport(self, area);
        let lines = view::result_lines(self, viewport.width).len();
        u16::try_from(lines.saturating_sub(usize::from(viewport.height))).unwrap_or(u16::MAX)
    }

    fn page(&self) -> i32 {
        let area = Rect::new(0, 0, self.size.width, self.size.height);
        i32::from(view::result_viewport(self, area).height.saturating_sub(1)).max(1)
    }
}

/// An empty or filled notes box, wrapping at words, with the cursor after the last character so
/// that typing adds to the notes rather than going in front of them.
fn notes_box(lines: Vec<String>) -> TextArea<'static> {
    let mut notes = TextArea::new(lines);
    notes.move_cursor(CursorMove::Bottom);
    notes.move_cursor(CursorMove::End);
    notes.set_wrap_mode(WrapMode::WordOrGlyph);
    notes.set_placeholder_text("Type notes about the call here. They are saved as you type.");
    notes
}

fn scrolled(from: u16, lines: i32, max: u16) -> u16 {
    let target = i32::from(from.min(max)) + lines;
    u16::try_from(target.clamp(0, i32::from(max))).unwrap_or(0)
}

/// Applies a message: the only place the app changes.
pub fn update(app: &mut App<'_>, message: Message) {
    // Until an unfinished call is resumed or discarded, nothing may change the walk or the notes.
    let allowed_on_offer = matches!(
        message,
        Message::Resume
            | Message::Discard
            | Message::Yes
            | Message::No
            | Message::ToggleHelp
            | Message::ScrollUp
            | Message::ScrollDown
            | Message::Quit
            | Message::QuitNow
            | Message::Resize(..)
    );
    if app.offer.is_some() && !allowed_on_offer {
        return;
    }
    match message {
        Message::Up => app.selected = Some(app.selected.map_or(0, |s| s.saturating_sub(1))),
        Message::Down => {
            let last = app.choices().saturating_sub(1);
            app.selected = Some(app.selected.map_or(0, |s| (s + 1).min(last)));
        }
        Message::Choose => {
            if let Some(place) = app.selected {
                app.choose(place);
            }
        }
        Message::Pick(place) => app.choose(place),
        Message::Concern => app.raise(),
        Message::Back => {
            if app.features.intake && app.screen == Screen::Result {
                app.screen = Screen::Confirm(Pending::LeaveResult);
            } else {
                app.back();
            }
        }
        Message::ToggleHelp => {
            app.help_scroll = 0;
            app.screen = if app.screen == Screen::Help {
                app.base()
            } else {
                Screen::Help
            };
        }
        Message::Restart => {
            if !app.walk.answers().is_empty() {
                app.screen = Screen::Confirm(Pending::Restart);
            }
        }
        Message::Quit => {
            if app.would_lose_answers() {
                app.screen = Screen::Confirm(Pending::Quit);
            } else {
                app.exit = Some(Exit::Quit);
            }
        }
        Message::QuitNow => app.exit = Some(Exit::Interrupted),
        Message::Yes => match app.screen {
            Screen::Confirm(Pending::Quit) => app.exit = Some(Exit::Quit),
            Screen::Confirm(Pending::Restart) => app.restart(),
            Screen::Confirm(Pending::NextCall) => app.next_call(),
            Screen::Confirm(Pending::Discard) => app.discard(),
            Screen::Confirm(Pending::LeaveResult) => app.back(),
            _ => {}
        },
        Message::No => app.screen = app.base(),
        Message::ScrollUp => app.scroll_by(-1),
        Message::ScrollDown => app.scroll_by(1),
        Message::PageUp => app.scroll_by(-app.page()),
        Message::PageDown => app.scroll_by(app.page()),
        Message::Top => app.scroll = 0,
        Message::Bottom => app.scroll = app.max_scroll(),
        Message::Resize(width, height) => {
            let area = |size: Size| Rect::new(0, 0, size.width, size.height);
            let old_width = view::result_viewport(app, area(app.size)).width;
            app.size = Size::new(width, height);
            let new_width = view::result_viewport(app, area(app.size)).width;
            if app.result.is_some() && old_width != new_width {
                app.scroll = view::rescrolled(app, app.scroll, old_width, new_width);
            }
            app.scroll = app.scroll.min(app.max_scroll());
            let area = Rect::new(0, 0, width, height);
            app.help_scroll = app.help_scroll.min(view::help_max_scroll(app, area));
        }
        Message::Notes => {
            if app.features.intake && app.offer.is_none() {
                app.screen = Screen::Notes;
            }
        }
        Message::CloseNotes => {
            app.screen = app.base();
            app.scroll = app.scroll.min(app.max_scroll());
        }
        Message::Edit(key) => {
            if app.screen == Screen::Notes {
                app.edit_notes(key);
            }
        }
        Message::Paste(text) => {
            // Terminals send a pasted line break as a carriage return.
            let text = text.replace("\r\n", "\n").replace('\r', "\n");
            if app.screen == Screen::Notes && app.notes.insert_str(text) {
                app.begun();
                app.changed();
            }
        }
        Message::Export => {
            if let Some(exported) = &app.exported {
                // Nothing changed since, so a second pair of files would only duplicate the record.
                app.status = Some(Status {
                    text: format!("Already exported, unchanged since:\n{}", exported.paths("")),
                    warning: false,
                });
            } else if app.features.export && matches!(app.result, Some(Ok(_))) {
                app.request = Some(Request::Export);
            }
        }
        Message::Exported(result) => {
            app.request = None;
            match result {
                Ok(exported) => {
                    app.revision += 1;
                    app.status = Some(Status {
                        text: format!("Summary written to:\n{}", exported.paths("")),
                        warning: false,
                    });
                    app.all_exported.push(exported.clone());
                    app.exported = Some(exported);
                }
                Err(problem) => {
                    app.status = Some(Status {
                        text: format!("The summary was NOT written: {problem}"),
                        warning: true,
                    });
                }
            }
        }
        Message::SaveFailed(problem) => app.save_problem = Some(problem),
        Message::Saved => app.save_problem = None,
        Message::NextCall => {
            let something = !app.walk.answers().is_empty() || !app.notes().trim().is_empty();
            if app.features.intake && app.offer.is_none() {
                if something {
                    app.screen = Screen::Confirm(Pending::NextCall);
                } else {
                    app.next_call();
                }
            }
        }
        Message::Resume => app.resume(),
        Message::Discard => {
            if app.offer.is_some() {
                app.screen = Screen::Confirm(Pending::Discard);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Source;

    const TREE: &str = r#"
[tree]
title = "T"
version = "1"
start = "first"
safety = "first"
disclaimer = "Only a guide."
urgent_closing = "Help is there any time."

[[question]]
id = "first"
text = "First?"
help = "Why first."
  [[question.option]]
  id = "danger"
  label = "Danger"
  outcome = "urgent"
  reason = "Not safe."
  [[question.option]]
  id = "go"
  label = "Go on"
  next = "second"

[[question]]
id = "second"
text = "Second?"
  [[question.option]]
  id = "a"
  label = "A"
  score = { a = 1 }
  reason = "Because A."
  [[question.option]]
  id = "b"
  label = "B"
  score = { b = 1 }
  reason = "Because B."

[[outcome]]
id = "a"
name = "A group"
summary = "About A."

[[outcome]]
id = "b"
name = "B group"
summary = "About B."

[[outcome]]
id = "urgent"
name = "Get help now"
urgent = true
summary = "Call someone."
steps = ["Call 988."]
"#;

    fn tree() -> Tree {
        Tree::load(&Source::new("t.toml", TREE.to_owned()))
            .unwrap()
            .0
    }

    fn send(app: &mut App<'_>, messages: &[Message]) {
        for message in messages {
            update(app, message.clone());
        }
    }

    #[test]
    fn moving_stays_within_the_answers() {
        let tree = tree();
        let mut app = App::new(&tree, Theme::plain());
        assert_eq!(
            app.selected(),
            None,
            "nothing is marked on the safety screen"
        );
        send(&mut app, &[Message::Up]);
        assert_eq!(app.selected(), Some(0));
        send(&mut app, &[Message::Down, Message::Down, Message::Down]);
        assert_eq!(app.selected(), Some(1));
    }

    #[test]
    fn choosing_to_the_end_shows_the_result() {
        let tree = tree();
        let mut app = App::new(&tree, Theme::plain());
        send(&mut app, &[Message::Down, Message::Down, Message::Choose]);
        assert_eq!(app.screen(), Screen::Question);
        assert_eq!(app.progress(), (2, 2));
        assert_eq!(app.selected(), Some(0), "a new question starts at the top");
        send(&mut app, &[Message::Pick(1)]);
        assert_eq!(app.screen(), Screen::Result);
        let Some(Ok(explanation)) = app.result() else {
            panic!("no result")
        };
        assert_eq!(explanation.outcome.id, "b");
    }

    #[test]
    fn a_number_past_the_answers_does_nothing() {
        let tree = tree();
        let mut app = App::new(&tree, Theme::plain());
        send(&mut app, &[Message::Pick(5)]);
        assert!(app.walk().answers().is_empty());
    }

    #[test]
    fn going_back_marks_the_old_answer_and_choosing_again_replaces_it() {
        let tree = tree();
        let mut app = App::new(&tree, Theme::plain());
        send(&mut app, &[Message::Pick(1), Message::Pick(0)]);
        assert_eq!(app.screen(), Screen::Result);
        send(&mut app, &[Message::Back]);
        assert_eq!(app.screen(), Screen::Question);
        assert_eq!(app.selected(), Some(0));
        assert!(app.result().is_none());
        send(&mut app, &[Message::Down, Message::Choose]);
        let Some(Ok(explanation)) = app.result() else {
            panic!("no result")
        };
        assert_eq!(explanation.outcome.id, "b");
        assert_eq!(app.walk().answers().len(), 2);
    }

    #[test]
    fn back_on_the_first_question_does_nothing() {
        let tree = tree();
        let mut app = App::new(&tree, Theme::plain());
        send(&mut app, &[Message::Down, Message::Back]);
        assert_eq!(app.screen(), Screen::Question);
        assert_eq!(app.selected(), Some(0));
    }

    #[test]
    fn quitting_asks_only_when_answers_would_be_lost() {
        let tree = tree();
        let mut app = App::new(&tree, Theme::plain());
        send(&mut app, &[Message::Quit]);
        assert_eq!(app.exit(), Some(Exit::Quit), "nothing to lose yet");

        let mut app = App::new(&tree, Theme::plain());
        send(&mut app, &[Message::Pick(1), Message::Quit]);
        assert_eq!(app.screen(), Screen::Confirm(Pending::Quit));
        assert_eq!(app.exit(), None);
        send(&mut app, &[Message::No]);
        assert_eq!(app.screen(), Screen::Question);
        send(&mut app, &[Message::Quit, Message::Yes]);
        assert_eq!(app.exit(), Some(Exit::Quit));
        assert_eq!(app.ending(Exit::Quit).explanation, None);
    }

    #[test]
    fn quitting_on_the_result_keeps_it() {
        let tree = tree();
        let mut app = App::new(&tree, Theme::plain());
        send(&mut app, &[Message::Pick(0), Message::Quit]);
        assert_eq!(app.exit(), Some(Exit::Quit));
        let ending = app.ending(Exit::Quit);
        assert_eq!(
            ending.explanation.map(|e| e.outcome.id),
            Some("urgent".to_owned())
        );
    }

    #[test]
    fn ctrl_c_quits_without_asking() {
        let tree = tree();
        let mut app = App::new(&tree, Theme::plain());
        send(&mut app, &[Message::Pick(1), Message::QuitNow]);
        assert_eq!(app.exit(), Some(Exit::Interrupted));
    }

    #[test]
    fn restart_asks_first_and_clears_everything() {
        let tree = tree();
        let mut app = App::new(&tree, Theme::plain());
        send(&mut app, &[Message::Restart]);
        assert_eq!(app.screen(), Screen::Question, "nothing to restart");
        send(
            &mut app,
            &[Message::Pick(1), Message::Pick(0), Message::Restart],
        );
        assert_eq!(app.screen(), Screen::Confirm(Pending::Restart));
        send(&mut app, &[Message::No]);
        assert_eq!(app.screen(), Screen::Result);
        send(&mut app, &[Message::Restart, Message::Yes]);
        assert_eq!(app.screen(), Screen::Question);
        assert!(app.walk().answers().is_empty());
        assert!(app.result().is_none());
    }

    #[test]
    fn help_opens_and_closes_over_either_screen() {
        let tree = tree();
        let mut app = App::new(&tree, Theme::plain());
        send(&mut app, &[Message::ToggleHelp]);
        assert_eq!(app.screen(), Screen::Help);
        send(&mut app, &[Message::ToggleHelp]);
        assert_eq!(app.screen(), Screen::Question);
        send(&mut app, &[Message::Pick(0), Message::ToggleHelp]);
        assert_eq!(app.screen(), Screen::Help);
        assert_eq!(app.base(), Screen::Result);
        send(&mut app, &[Message::ToggleHelp]);
        assert_eq!(app.screen(), Screen::Result);
    }

    #[test]
    fn scrolling_stops_at_both_ends() {
        let tree = tree();
        let mut app = App::new(&tree, Theme::plain());
        send(
            &mut app,
            &[Message::Resize(40, 12), Message::Pick(1), Message::Pick(0)],
        );
        send(&mut app, &[Message::ScrollUp]);
        assert_eq!(app.scroll(), 0);
        send(&mut app, &[Message::Bottom]);
        let bottom = app.scroll();
        assert!(bottom > 0, "the result is longer than a 40×12 window");
        send(&mut app, &[Message::ScrollDown, Message::PageDown]);
        assert_eq!(app.scroll(), bottom);
        send(&mut app, &[Message::ScrollUp]);
        assert_eq!(app.scroll(), bottom - 1);
        send(&mut app, &[Message::Top]);
        assert_eq!(app.scroll(), 0);
        send(&mut app, &[Message::Bottom, Message::Resize(200, 100)]);
        assert_eq!(app.scroll(), 0, "everything fits once the window is large");
    }

    fn offer(tree: &Tree, saved: Session) -> Offer {
        Offer::new(saved, tree, Timestamp::UNIX_EPOCH, &TimeZone::UTC, true)
    }

    /// An intake app offering a call saved with these answers and notes.
    fn offering<'t>(tree: &'t Tree, walk: &Walk<'t>, notes: &str) -> (App<'t>, Session) {
        let saved = Session::of(walk, notes, Timestamp::UNIX_EPOCH, Timestamp::UNIX_EPOCH);
        let app = App::with(
            tree,
            Theme::plain(),
            Features::intake(),
            Some(offer(tree, saved.clone())),
        );
        (app, saved)
    }

    fn intake(tree: &Tree) -> App<'_> {
        App::with(tree, Theme::plain(), Features::intake(), None)
    }

    fn typed(app: &mut App<'_>, text: &str) {
        for c in text.chars() {
            let key = if c == '\n' {
                KeyEvent::from(crossterm::event::KeyCode::Enter)
            } else {
                KeyEvent::from(crossterm::event::KeyCode::Char(c))
            };
            update(app, Message::Edit(key));
        }
    }

    #[test]
    fn nothing_is_kept_until_there_is_an_answer_or_a_note() {
        let tree = tree();
        let mut app = intake(&tree);
        assert_eq!(app.session(Timestamp::now()), None);
        let before = app.revision();
        send(&mut app, &[Message::Down]);
        assert_eq!(app.revision(), before, "moving changes nothing to save");
        send(&mut app, &[Message::Pick(1)]);
        assert_ne!(app.revision(), before);
        let session = app.session(Timestamp::now()).unwrap();
        assert_eq!(session.answers.len(), 1);
        assert_eq!(session.answers[0].option, "go");
        send(&mut app, &[Message::Back]);
        assert_eq!(
            app.session(Timestamp::now()),
            None,
            "taken back, nothing is left"
        );
    }

    #[test]
    fn notes_open_take_typing_close_and_are_saved() {
        let tree = tree();
        let mut app = intake(&tree);
        send(&mut app, &[Message::Notes]);
        assert_eq!(app.screen(), Screen::Notes);
        let before = app.revision();
        typed(&mut app, "Calm.\nq1");
        assert_eq!(app.notes(), "Calm.\nq1");
        assert_ne!(app.revision(), before, "every change to the notes is saved");
        assert!(
            app.walk().answers().is_empty(),
            "keys in the notes do not answer"
        );
        send(&mut app, &[Message::CloseNotes]);
        assert_eq!(app.screen(), Screen::Question);
        assert_eq!(app.session(Timestamp::now()).unwrap().notes, "Calm.\nq1");
    }

    #[test]
    fn notes_need_intake_mode() {
        let tree = tree();
        let mut app = App::new(&tree, Theme::plain());
        send(&mut app, &[Message::Notes]);
        assert_eq!(app.screen(), Screen::Question);
        assert!(app.possible().is_none());
    }

    #[test]
    fn still_possible_follows_the_walk() {
        let tree = tree();
        let mut app = intake(&tree);
        let names = |app: &App<'_>| -> Vec<String> {
            let possible = app.possible().unwrap();
            assert!(possible.exact);
            possible
                .outcomes
                .iter()
                .map(|&o| tree.outcomes[o].id.clone())
                .collect()
        };
        assert_eq!(names(&app), ["a", "b", "urgent"]);
        send(&mut app, &[Message::Pick(1)]);
        assert_eq!(names(&app), ["a", "b"]);
        // The safety screen brought back can still end in urgent help, and the panel says so.
        send(&mut app, &[Message::Concern]);
        assert_eq!(app.asking().map(|a| a.kind), Some(Ask::Raised));
        assert_eq!(names(&app), ["a", "b", "urgent"]);
        send(&mut app, &[Message::Back]);
        assert_eq!(names(&app), ["a", "b"]);
        send(&mut app, &[Message::Back]);
        assert_eq!(names(&app), ["a", "b", "urgent"]);
    }

    #[test]
    fn export_is_asked_of_the_loop_and_ends_the_need_to_keep_the_call() {
        let tree = tree();
        let mut app = intake(&tree);
        send(&mut app, &[Message::Export]);
        assert_eq!(app.request(), None, "no result, nothing to export");
        send(
            &mut app,
            &[Message::Pick(1), Message::Pick(0), Message::Export],
        );
        assert_eq!(app.request(), Some(Request::Export));
        let summary = app.summary(Timestamp::now(), TimeZone::UTC).unwrap();
        assert_eq!(summary.explanation.outcome.id, "a");

        send(&mut app, &[Message::Exported(Err("disk full".to_owned()))]);
        assert_eq!(app.request(), None);
        assert!(app.status().unwrap().warning);
        assert!(
            app.session(Timestamp::now()).is_some(),
            "a failed export keeps the call"
        );
        send(&mut app, &[Message::Quit]);
        assert_eq!(
            app.screen(),
            Screen::Confirm(Pending::Quit),
            "not exported, so it asks"
        );
        send(&mut app, &[Message::No]);

        let exported = Exported {
            markdown: "a.md".into(),
            json: "a.json".into(),
        };
        send(
            &mut app,
            &[Message::Export, Message::Exported(Ok(exported.clone()))],
        );
        assert_eq!(app.exported(), Some(&exported));
        assert!(app.status().unwrap().text.contains("a.md\na.json"));
        assert_eq!(
            app.session(Timestamp::now()),
            None,
            "exported, so the autosave goes"
        );

        send(&mut app, &[Message::Notes]);
        typed(&mut app, "x");
        assert_eq!(
            app.exported(),
            None,
            "a change after the export needs a new one"
        );
        assert!(app.session(Timestamp::now()).is_some());
        send(&mut app, &[Message::CloseNotes, Message::Export]);
        send(&mut app, &[Message::Exported(Ok(exported.clone()))]);
        send(&mut app, &[Message::Export]);
        assert_eq!(app.request(), None, "unchanged since, so not written twice");
        assert!(app.status().unwrap().text.starts_with("Already exported"));
        send(&mut app, &[Message::Quit]);
        assert_eq!(app.exit(), Some(Exit::Quit), "exported, so it does not ask");
        assert_eq!(
            app.ending(Exit::Quit).exported,
            [exported.clone(), exported]
        );
    }

    #[test]
    fn next_call_asks_then_clears_answers_and_notes() {
        let tree = tree();
        let mut app = intake(&tree);
        send(&mut app, &[Message::Pick(1), Message::Notes]);
        typed(&mut app, "note");
        send(&mut app, &[Message::CloseNotes, Message::NextCall]);
        assert_eq!(app.screen(), Screen::Confirm(Pending::NextCall));
        send(&mut app, &[Message::No]);
        assert_eq!(app.walk().answers().len(), 1);
        send(&mut app, &[Message::NextCall, Message::Yes]);
        assert_eq!(app.screen(), Screen::Question);
        assert!(app.walk().answers().is_empty());
        assert_eq!(app.notes(), "");
        assert_eq!(app.session(Timestamp::now()), None);
    }

    #[test]
    fn restarting_in_intake_keeps_the_notes() {
        let tree = tree();
        let mut app = intake(&tree);
        send(&mut app, &[Message::Pick(1), Message::Notes]);
        typed(&mut app, "about the caller");
        send(
            &mut app,
            &[Message::CloseNotes, Message::Restart, Message::Yes],
        );
        assert!(app.walk().answers().is_empty());
        assert_eq!(app.notes(), "about the caller");
    }

    #[test]
    fn an_unfinished_call_is_offered_then_resumed() {
        let tree = tree();
        let mut walk = Walk::new(&tree);
        walk.choose(1);
        let (mut app, saved) = offering(&tree, &walk, "Earlier note.\nSecond line.");
        assert_eq!(app.screen(), Screen::Resume);
        assert!(app.offering());
        assert!(app.offer().unwrap().tree_change.is_none());
        send(&mut app, &[Message::Pick(0), Message::Notes]);
        assert_eq!(
            app.screen(),
            Screen::Resume,
            "nothing else happens until it is decided"
        );
        assert!(app.walk().answers().is_empty());
        send(&mut app, &[Message::Resume]);
        assert!(!app.offering());
        assert_eq!(app.screen(), Screen::Question);
        assert_eq!(app.walk().answers(), walk.answers());
        assert_eq!(app.notes(), "Earlier note.\nSecond line.");
        // Typing in the notes adds to the end of them.
        send(&mut app, &[Message::Notes]);
        typed(&mut app, " Called back.");
        assert_eq!(app.notes(), "Earlier note.\nSecond line. Called back.");
        let now = app.session(Timestamp::now()).unwrap();
        assert_eq!(now.started, saved.started, "the call keeps its start time");
        assert_eq!(now.answers, saved.answers);
    }

    #[test]
    fn an_unfinished_call_is_discarded_only_after_confirming() {
        let tree = tree();
        let mut walk = Walk::new(&tree);
        walk.choose(1);
        let (mut app, _) = offering(&tree, &walk, "");
        let before = app.revision();
        send(&mut app, &[Message::Discard]);
        assert_eq!(app.screen(), Screen::Confirm(Pending::Discard));
        send(&mut app, &[Message::No]);
        assert_eq!(app.screen(), Screen::Resume);
        assert_eq!(app.revision(), before);
        send(&mut app, &[Message::Discard, Message::Yes]);
        assert_eq!(app.screen(), Screen::Question);
        assert!(!app.offering());
        assert_ne!(
            app.revision(),
            before,
            "the loop now deletes the saved call"
        );
        assert_eq!(app.session(Timestamp::now()), None);
    }

    #[test]
    fn quitting_the_offer_leaves_it_alone() {
        let tree = tree();
        let (mut app, _) = offering(&tree, &Walk::new(&tree), "n");
        send(&mut app, &[Message::Quit]);
        assert_eq!(app.exit(), Some(Exit::Quit));
        assert!(app.offering());
    }

    #[test]
    fn a_failed_save_stays_on_screen_until_one_works() {
        let tree = tree();
        let mut app = intake(&tree);
        send(&mut app, &[Message::SaveFailed("no space left".to_owned())]);
        send(&mut app, &[Message::Pick(1)]);
        assert_eq!(app.save_problem(), Some("no space left"));
        send(&mut app, &[Message::Saved]);
        assert_eq!(app.save_problem(), None);
    }

    #[test]
    fn a_paste_goes_into_the_notes_at_once() {
        let tree = tree();
        let mut app = intake(&tree);
        send(&mut app, &[Message::Paste("ignored".to_owned())]);
        assert_eq!(app.notes(), "", "only the notes box takes pastes");
        send(&mut app, &[Message::Notes]);
        let before = app.revision();
        send(
            &mut app,
            &[Message::Paste("first\rsecond\r\nthird".to_owned())],
        );
        assert_eq!(app.notes(), "first\nsecond\nthird");
        assert_eq!(app.revision(), before + 1, "one paste, one save");
    }

    #[test]
    fn in_intake_leaving_the_result_asks_first() {
        let tree = tree();
        let mut app = intake(&tree);
        send(&mut app, &[Message::Pick(0), Message::Back]);
        assert_eq!(app.screen(), Screen::Confirm(Pending::LeaveResult));
        send(&mut app, &[Message::No]);
        assert_eq!(app.screen(), Screen::Result);
        assert_eq!(app.walk().answers().len(), 1);
        send(&mut app, &[Message::Back, Message::Yes]);
        assert_eq!(app.screen(), Screen::Question);
        assert!(app.walk().answers().is_empty());
    }

    #[test]
    fn personal_answers_are_kept_only_until_the_recommendation() {
        let tree = tree();
        let features = Features {
            autosave: true,
            ..Features::default()
        };
        let mut app = App::with(&tree, Theme::plain(), features, None);
        send(&mut app, &[Message::Pick(1)]);
        assert!(app.session(Timestamp::now()).is_some());
        send(&mut app, &[Message::Pick(0)]);
        assert_eq!(app.screen(), Screen::Result);
        assert_eq!(app.session(Timestamp::now()), None);
    }

    #[test]
    fn a_call_starts_with_its_first_answer_not_when_cleared() {
        let tree = tree();
        let mut app = intake(&tree);
        send(
            &mut app,
            &[Message::Pick(1), Message::NextCall, Message::Yes],
        );
        std::thread::sleep(std::time::Duration::from_millis(5));
        let before = Timestamp::now();
        send(&mut app, &[Message::Pick(1)]);
        let session = app.session(Timestamp::now()).unwrap();
        assert!(session.started >= before, "{} < {before}", session.started);
    }

    fn builtin() -> Tree {
        Tree::load(&Source::builtin()).unwrap().0
    }

    #[test]
    fn resizing_the_result_keeps_the_same_section_in_view() {
        let tree = builtin();
        let mut app = App::new(&tree, Theme::plain());
        send(&mut app, &[Message::Resize(100, 16)]);
        let suicide = place(&app, "suicide");
        send(&mut app, &[Message::Pick(suicide)]);
        let none = place(&app, "none");
        send(&mut app, &[Message::Pick(none)]);
        assert_eq!(app.screen(), Screen::Result);
        let text = |app: &App<'_>| -> Vec<String> {
            let area = Rect::new(0, 0, app.size.width, app.size.height);
            let width = view::result_viewport(app, area).width;
            view::result_lines(app, width)
                .iter()
                .map(ToString::to_string)
                .collect()
        };
        // The section a line belongs to: the nearest heading at or above it.
        let section = |lines: &[String], at: usize| -> String {
            lines[..=at]
                .iter()
                .rev()
                .find(|l| {
                    ["When you call", "After that", "Why we are showing this"].contains(&l.trim())
                })
                .cloned()
                .unwrap_or_default()
        };
        let lines = text(&app);
        let heading = lines.iter().position(|l| l.trim() == "After that").unwrap();
        for _ in 0..=heading {
            send(&mut app, &[Message::ScrollDown]);
        }
        assert_eq!(section(&lines, usize::from(app.scroll())), "After that");
        for (width, height) in [(50, 16), (70, 14), (100, 16)] {
            send(&mut app, &[Message::Resize(width, height)]);
            let lines = text(&app);
            assert_eq!(
                section(&lines, usize::from(app.scroll())),
                "After that",
                "at {width}×{height}"
            );
        }
    }

    /// The place of an option among the answers on screen.
    fn place(app: &App<'_>, id: &str) -> usize {
        let asking = app.asking().unwrap();
        let question = &app.tree().questions[asking.question];
        asking
            .offered
            .iter()
            .position(|&c| question.choices[c].id == id)
            .unwrap_or_else(|| panic!("{id} is not offered"))
    }

    #[test]
    fn enter_alone_on_the_safety_screen_chooses_nothing() {
        let tree = builtin();
        let mut app = App::new(&tree, Theme::plain());
        assert_eq!(app.selected(), None);
        send(&mut app, &[Message::Choose, Message::Choose]);
        assert!(app.walk().answers().is_empty());
        assert_eq!(app.screen(), Screen::Question);
        // The arrows mark an answer; only then does Enter choose it.
        send(&mut app, &[Message::Down]);
        assert_eq!(app.selected(), Some(0));
        send(&mut app, &[Message::Up, Message::Choose]);
        assert_eq!(app.walk().answers().len(), 1);
    }

    #[test]
    fn a_danger_asks_about_the_others_then_gives_help_for_each_most_urgent_first() {
        let tree = builtin();
        let mut app = App::new(&tree, Theme::plain());
        let withdrawal = place(&app, "withdrawal");
        send(&mut app, &[Message::Pick(withdrawal)]);
        assert_eq!(app.screen(), Screen::Question);
        let asking = app.asking().unwrap();
        assert_eq!(asking.kind, Ask::FollowUp);
        assert_eq!(
            app.selected(),
            None,
            "nothing is marked on the follow-up either"
        );
        // Every answer keeps its number, and the one already chosen cannot be chosen again.
        assert_eq!(place(&app, "withdrawal"), withdrawal);
        send(&mut app, &[Message::Choose, Message::Pick(withdrawal)]);
        assert_eq!(app.walk().answers().len(), 1, "nothing was chosen");
        assert!(
            app.status()
                .is_some_and(|s| s.text.contains("already chosen")),
            "choosing it again says why nothing happened"
        );
        let suicide = place(&app, "suicide");
        send(&mut app, &[Message::Pick(suicide)]);
        assert_eq!(app.asking().map(|a| a.kind), Some(Ask::FollowUp));
        let none = place(&app, "none");
        send(&mut app, &[Message::Pick(none)]);
        assert_eq!(app.screen(), Screen::Result);
        let Some(Ok(explanation)) = app.result() else {
            panic!("no result")
        };
        let help: Vec<&str> = explanation
            .urgent_help
            .iter()
            .map(|h| h.id.as_str())
            .collect();
        assert_eq!(help, ["crisis", "withdrawal"]);
        // Going back reopens the follow-up, then takes back the second danger.
        send(&mut app, &[Message::Back]);
        assert_eq!(app.asking().map(|a| a.kind), Some(Ask::FollowUp));
        send(&mut app, &[Message::Back]);
        assert_eq!(app.walk().answers().len(), 1);
    }

    #[test]
    fn would_rather_not_say_ends_the_screen_at_once() {
        let tree = builtin();
        let mut app = App::new(&tree, Theme::plain());
        let rather = place(&app, "rather_not_say");
        send(&mut app, &[Message::Pick(rather)]);
        assert_eq!(app.screen(), Screen::Result);
    }

    #[test]
    fn the_safety_screen_can_be_raised_at_a_later_question_keeping_the_answers() {
        let tree = builtin();
        let mut app = App::new(&tree, Theme::plain());
        send(&mut app, &[Message::Concern]);
        assert_eq!(
            app.asking().map(|a| a.kind),
            Some(Ask::Question),
            "not on the safety screen itself"
        );
        let none = place(&app, "none");
        send(
            &mut app,
            &[Message::Pick(none), Message::Down, Message::Down],
        );
        let who = app.asking().unwrap().question;
        assert_eq!(app.selected(), Some(1));
        send(&mut app, &[Message::Concern]);
        assert_eq!(app.asking().map(|a| a.kind), Some(Ask::Raised));
        assert_eq!(app.selected(), None);
        send(&mut app, &[Message::Choose]);
        assert_eq!(app.walk().answers().len(), 1, "Enter alone chose nothing");
        // "None of these" on the raised screen goes back to where the person was.
        let none = place(&app, "none");
        send(&mut app, &[Message::Pick(none)]);
        assert_eq!(
            app.asking().map(|a| (a.kind, a.question)),
            Some((Ask::Question, who))
        );
        assert_eq!(app.selected(), Some(1), "the mark came back");
        assert_eq!(app.walk().answers().len(), 1);
        // Esc (back) closes it too.
        send(&mut app, &[Message::Concern, Message::Back]);
        assert_eq!(app.asking().map(|a| a.kind), Some(Ask::Question));
        // A danger raised later keeps every answer given before it.
        send(&mut app, &[Message::Pick(0), Message::Concern]);
        let someone = place(&app, "someone_else");
        send(&mut app, &[Message::Pick(someone)]);
        assert_eq!(app.asking().map(|a| a.kind), Some(Ask::FollowUp));
        let none = place(&app, "none");
        send(&mut app, &[Message::Pick(none)]);
        assert_eq!(app.screen(), Screen::Result);
        let Some(Ok(explanation)) = app.result() else {
            panic!("no result")
        };
        assert_eq!(explanation.outcome.id, "someone_else");
        let asked: Vec<&str> = explanation
            .answers
            .iter()
            .map(|a| a.question.as_str())
            .collect();
        assert_eq!(asked, ["safety", "age", "safety", "safety"]);
        assert_eq!(explanation.answers[2].option, "someone_else");
    }
}
