//! The questionnaire's state and the one function that changes it.
//!
//! [`App`] holds the walk and what is on screen; [`update`] applies a [`Message`] to it. Nothing
//! here draws or reads the terminal, so every key sequence can be tested as plain data.

use ratatui::layout::{Rect, Size};

use super::view::{self, Theme};
use crate::explain::Explanation;
use crate::tree::Tree;
use crate::walk::{NoRecommendation, Position, Walk};

/// What is on screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    Question,
    Result,
    /// The help, over the question or the result.
    Help,
    /// A yes/no question, over the question or the result.
    Confirm(Pending),
}

/// What waits for a yes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pending {
    Quit,
    Restart,
}

/// Everything a key can ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Message {
    Up,
    Down,
    Choose,
    /// Choose the answer at this index.
    Pick(usize),
    Back,
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
}

#[derive(Debug, Clone)]
pub struct App<'t> {
    walk: Walk<'t>,
    longest: Vec<usize>,
    screen: Screen,
    /// The marked answer on the question screen.
    selected: usize,
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
}

impl<'t> App<'t> {
    pub fn new(tree: &'t Tree, theme: Theme) -> Self {
        Self {
            walk: Walk::new(tree),
            longest: tree.longest_remaining(),
            screen: Screen::Question,
            selected: 0,
            scroll: 0,
            help_scroll: 0,
            result: None,
            size: Size::new(80, 24),
            theme,
            exit: None,
        }
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

    /// The screen under any help or confirmation.
    pub fn base(&self) -> Screen {
        match self.walk.position() {
            Position::Asking(_) => Screen::Question,
            Position::Finished => Screen::Result,
        }
    }

    pub fn selected(&self) -> usize {
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

    /// Whether quitting now would throw away answers the person has not seen a result for.
    pub fn would_lose_answers(&self) -> bool {
        !self.walk.answers().is_empty() && self.base() == Screen::Question
    }

    /// The output once the app has exited: the recommendation when one was on screen.
    pub fn ending(self, exit: Exit) -> Ending {
        let explanation = match (exit, self.result) {
            (Exit::Quit | Exit::Interrupted, Some(Ok(explanation))) => Some(explanation),
            _ => None,
        };
        Ending { explanation, exit }
    }

    fn choices(&self) -> usize {
        match self.walk.position() {
            Position::Asking(q) => self.tree().questions[q].choices.len(),
            Position::Finished => 0,
        }
    }

    fn choose(&mut self, choice: usize) {
        if !self.walk.choose(choice) {
            return;
        }
        self.selected = 0;
        self.scroll = 0;
        if self.walk.position() == Position::Finished {
            self.result = Some(Explanation::of(&self.walk));
            self.screen = Screen::Result;
        }
    }

    fn back(&mut self) {
        if let Some(answer) = self.walk.back() {
            // Mark the answer being taken back, so the person sees what they chose before.
            self.selected = answer.choice;
            self.result = None;
            self.scroll = 0;
            self.screen = Screen::Question;
        }
    }

    fn restart(&mut self) {
        self.walk.restart();
        self.selected = 0;
        self.scroll = 0;
        self.result = None;
        self.screen = Screen::Question;
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
        let Some(result) = &self.result else { return 0 };
        let area = Rect::new(0, 0, self.size.width, self.size.height);
        let viewport = view::result_viewport(self, area);
        let lines = view::result_lines(result, viewport.width, self.theme).len();
        u16::try_from(lines.saturating_sub(usize::from(viewport.height))).unwrap_or(u16::MAX)
    }

    fn page(&self) -> i32 {
        let area = Rect::new(0, 0, self.size.width, self.size.height);
        i32::from(view::result_viewport(self, area).height.saturating_sub(1)).max(1)
    }
}

fn scrolled(from: u16, lines: i32, max: u16) -> u16 {
    let target = i32::from(from.min(max)) + lines;
    u16::try_from(target.clamp(0, i32::from(max))).unwrap_or(0)
}

/// Applies a message: the only place the app changes.
pub fn update(app: &mut App<'_>, message: Message) {
    match message {
        Message::Up => app.selected = app.selected.saturating_sub(1),
        Message::Down => {
            app.selected = (app.selected + 1).min(app.choices().saturating_sub(1));
        }
        Message::Choose => app.choose(app.selected),
        Message::Pick(choice) => app.choose(choice),
        Message::Back => app.back(),
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
            app.size = Size::new(width, height);
            app.scroll = app.scroll.min(app.max_scroll());
            let area = Rect::new(0, 0, width, height);
            app.help_scroll = app.help_scroll.min(view::help_max_scroll(app, area));
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
disclaimer = "Only a guide."

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
"#;

    fn tree() -> Tree {
        Tree::load(&Source::new("t.toml", TREE.to_owned()))
            .unwrap()
            .0
    }

    fn send(app: &mut App<'_>, messages: &[Message]) {
        for &message in messages {
            update(app, message);
        }
    }

    #[test]
    fn moving_stays_within_the_answers() {
        let tree = tree();
        let mut app = App::new(&tree, Theme::plain());
        send(&mut app, &[Message::Up]);
        assert_eq!(app.selected(), 0);
        send(&mut app, &[Message::Down, Message::Down, Message::Down]);
        assert_eq!(app.selected(), 1);
    }

    #[test]
    fn choosing_to_the_end_shows_the_result() {
        let tree = tree();
        let mut app = App::new(&tree, Theme::plain());
        send(&mut app, &[Message::Down, Message::Choose]);
        assert_eq!(app.screen(), Screen::Question);
        assert_eq!(app.progress(), (2, 2));
        assert_eq!(app.selected(), 0, "a new question starts at the top");
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
        assert_eq!(app.selected(), 0);
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
        assert_eq!(app.selected(), 1);
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
}
