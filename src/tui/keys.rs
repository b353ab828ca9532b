//! The keys: one static table per screen, read by the key handler, the footer and the help alike.
//!
//! Because the footer and the help list are generated from the same rows that turn key presses
//! into messages, a key can never be advertised without working, or work without being listed.

use crossterm::event::{Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::app::{Features, Message, Screen};

/// What a row sends when one of its keys is pressed.
#[derive(Debug, Clone)]
pub enum Does {
    Send(Message),
    /// A digit key sends the message for its position: `1` is the first answer (index 0).
    Number(fn(usize) -> Message),
}

/// Where a row is advertised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shown {
    /// In the footer and in the help.
    Always,
    /// Only once an answer has been given (going back, starting again).
    WithAnswers,
    /// Only in the help, to keep the footer short.
    HelpOnly,
    /// On the questions after the safety screen (where raising it again makes sense).
    PastSafety,
}

/// What a row needs turned on to work (and to be listed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Needs {
    Nothing,
    /// Intake mode: notes and the next-call key.
    Intake,
    /// Exporting a summary.
    Export,
    /// Everywhere but intake mode, where Esc only closes things, so that a second Esc after
    /// closing the notes cannot also take back an answer.
    NotIntake,
}

/// One row of a key table.
#[derive(Debug, Clone)]
pub struct Binding {
    pub keys: &'static [KeyCode],
    /// The keys must be pressed with Ctrl.
    pub ctrl: bool,
    /// A word or two for the footer.
    pub label: &'static str,
    /// A fuller description for the help.
    pub help: &'static str,
    pub does: Does,
    pub shown: Shown,
    pub needs: Needs,
}

impl Binding {
    /// Whether the row works with these features.
    pub fn available(&self, features: Features) -> bool {
        match self.needs {
            Needs::Nothing => true,
            Needs::Intake => features.intake,
            Needs::Export => features.export,
            Needs::NotIntake => !features.intake,
        }
    }

    fn matches(&self, key: &KeyEvent) -> bool {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        // Shift is not checked: '?' arrives with Shift on some terminals and without on others.
        self.ctrl == ctrl
            && !key.modifiers.contains(KeyModifiers::ALT)
            && self.keys.contains(&key.code)
    }

    fn message(&self, code: KeyCode) -> Option<Message> {
        match &self.does {
            Does::Send(message) => Some(message.clone()),
            Does::Number(make) => match code {
                KeyCode::Char(c) => c
                    .to_digit(10)
                    .and_then(|d| (d as usize).checked_sub(1))
                    .map(make),
                _ => None,
            },
        }
    }

    /// The keys as shown in the help: "↑, k", or for digits the range that works here.
    pub fn names(&self, choices: usize) -> String {
        match self.does {
            Does::Number(_) => numbers(choices.min(self.keys.len())),
            Does::Send(_) => self
                .keys
                .iter()
                .map(|&code| self.key_name(code))
                .collect::<Vec<_>>()
                .join(", "),
        }
    }

    /// The first key as shown in the footer; digits as the range that works here.
    pub fn hint(&self, choices: usize) -> String {
        match (&self.does, self.keys.first()) {
            (Does::Number(_), _) => numbers(choices.min(self.keys.len())),
            (Does::Send(_), Some(&code)) => self.key_name(code),
            (Does::Send(_), None) => String::new(),
        }
    }

    fn key_name(&self, code: KeyCode) -> String {
        let name = match code {
            KeyCode::Up => "↑".to_owned(),
            KeyCode::Down => "↓".to_owned(),
            KeyCode::Left => "←".to_owned(),
            KeyCode::Right => "→".to_owned(),
            KeyCode::Enter => "Enter".to_owned(),
            KeyCode::Backspace => "Backspace".to_owned(),
            KeyCode::Esc => "Esc".to_owned(),
            KeyCode::PageUp => "PgUp".to_owned(),
            KeyCode::PageDown => "PgDn".to_owned(),
            KeyCode::Home => "Home".to_owned(),
            KeyCode::End => "End".to_owned(),
            KeyCode::Char(' ') => "Space".to_owned(),
            KeyCode::Char(c) if self.ctrl => c.to_uppercase().to_string(),
            KeyCode::Char(c) => c.to_string(),
            other => other.to_string(),
        };
        if self.ctrl {
            format!("Ctrl-{name}")
        } else {
            name
        }
    }
}

fn numbers(up_to: usize) -> String {
    if up_to <= 1 {
        "1".to_owned()
    } else {
        format!("1–{up_to}")
    }
}

const QUIT_NOW: Binding = Binding {
    keys: &[KeyCode::Char('c')],
    ctrl: true,
    label: "quit now",
    help: "quit at once, without asking",
    does: Does::Send(Message::QuitNow),
    shown: Shown::HelpOnly,
    needs: Needs::Nothing,
};

/// Scrolls the result or the help.
const SCROLL_UP: Binding = Binding {
    keys: &[KeyCode::Up, KeyCode::Char('k')],
    ctrl: false,
    label: "scroll",
    help: "scroll up",
    does: Does::Send(Message::ScrollUp),
    shown: Shown::Always,
    needs: Needs::Nothing,
};

/// Scrolls the result or the help.
const SCROLL_DOWN: Binding = Binding {
    keys: &[KeyCode::Down, KeyCode::Char('j')],
    ctrl: false,
    label: "scroll",
    help: "scroll down",
    does: Does::Send(Message::ScrollDown),
    shown: Shown::Always,
    needs: Needs::Nothing,
};

/// Quits, asking first when answers would be lost.
const QUIT: Binding = Binding {
    keys: &[KeyCode::Char('q')],
    ctrl: false,
    label: "quit",
    help: "quit (asks first if answers would be lost or a summary is not exported)",
    does: Does::Send(Message::Quit),
    shown: Shown::Always,
    needs: Needs::Nothing,
};

/// Opens the notes box (intake).
const NOTES: Binding = Binding {
    keys: &[KeyCode::Char('n')],
    ctrl: false,
    label: "notes",
    help: "open the notes box to type notes about the call (Esc closes it)",
    does: Does::Send(Message::Notes),
    shown: Shown::Always,
    needs: Needs::Intake,
};

/// Clears everything for the next caller (intake).
const NEXT_CALLER: Binding = Binding {
    keys: &[KeyCode::Char('c')],
    ctrl: false,
    label: "next caller",
    help: "clear everything for the next caller (asks first, and warns if the summary was not exported)",
    does: Does::Send(Message::NextCall),
    shown: Shown::Always,
    needs: Needs::Intake,
};

const DIGITS: &[KeyCode] = &[
    KeyCode::Char('1'),
    KeyCode::Char('2'),
    KeyCode::Char('3'),
    KeyCode::Char('4'),
    KeyCode::Char('5'),
    KeyCode::Char('6'),
    KeyCode::Char('7'),
    KeyCode::Char('8'),
    KeyCode::Char('9'),
];

const BACK_KEYS: &[KeyCode] = &[KeyCode::Left, KeyCode::Backspace, KeyCode::Char('h')];

/// Keys on a question.
pub static QUESTION_KEYS: &[Binding] = &[
    Binding {
        keys: DIGITS,
        ctrl: false,
        label: "answer",
        help: "choose the answer with that number",
        does: Does::Number(Message::Pick),
        shown: Shown::Always,
        needs: Needs::Nothing,
    },
    Binding {
        keys: &[KeyCode::Up, KeyCode::Char('k')],
        ctrl: false,
        label: "move",
        help: "move to the answer above",
        does: Does::Send(Message::Up),
        shown: Shown::Always,
        needs: Needs::Nothing,
    },
    Binding {
        keys: &[KeyCode::Down, KeyCode::Char('j')],
        ctrl: false,
        label: "move",
        help: "move to the answer below",
        does: Does::Send(Message::Down),
        shown: Shown::Always,
        needs: Needs::Nothing,
    },
    Binding {
        keys: &[KeyCode::Enter, KeyCode::Right, KeyCode::Char('l')],
        ctrl: false,
        label: "choose",
        help: "choose the marked answer",
        does: Does::Send(Message::Choose),
        shown: Shown::Always,
        needs: Needs::Nothing,
    },
    Binding {
        keys: BACK_KEYS,
        ctrl: false,
        label: "back",
        help: "go back one question to change the answer",
        does: Does::Send(Message::Back),
        shown: Shown::WithAnswers,
        needs: Needs::Nothing,
    },
    Binding {
        keys: &[KeyCode::Esc],
        ctrl: false,
        label: "back",
        help: "the same as ←",
        does: Does::Send(Message::Back),
        shown: Shown::HelpOnly,
        needs: Needs::NotIntake,
    },
    Binding {
        keys: &[KeyCode::Char('g')],
        ctrl: false,
        label: "go back to…",
        help: "list your answers so far and go straight back to any of them; each later answer is marked again when its question comes up, for Enter to keep",
        does: Does::Send(Message::OpenJump),
        shown: Shown::WithAnswers,
        needs: Needs::Nothing,
    },
    Binding {
        keys: &[KeyCode::Char('!')],
        ctrl: false,
        label: "safety check",
        help: "bring back the safety questions at any point, if you (or someone you are asking for) may not be safe; your answers so far are kept",
        does: Does::Send(Message::Concern),
        shown: Shown::PastSafety,
        needs: Needs::Nothing,
    },
    NOTES,
    Binding {
        keys: &[KeyCode::Char('?')],
        ctrl: false,
        label: "help",
        help: "show or hide why we ask and these keys",
        does: Does::Send(Message::ToggleHelp),
        shown: Shown::Always,
        needs: Needs::Nothing,
    },
    Binding {
        keys: &[KeyCode::Char('r')],
        ctrl: false,
        label: "start again",
        help: "start again from the first question",
        does: Does::Send(Message::Restart),
        shown: Shown::WithAnswers,
        needs: Needs::Nothing,
    },
    NEXT_CALLER,
    QUIT,
    QUIT_NOW,
];

/// Keys on the result.
pub static RESULT_KEYS: &[Binding] = &[
    SCROLL_UP,
    SCROLL_DOWN,
    Binding {
        keys: &[KeyCode::PageUp],
        ctrl: false,
        label: "page up",
        help: "scroll up a page",
        does: Does::Send(Message::PageUp),
        shown: Shown::HelpOnly,
        needs: Needs::Nothing,
    },
    Binding {
        keys: &[KeyCode::PageDown, KeyCode::Char(' ')],
        ctrl: false,
        label: "page",
        help: "scroll down a page",
        does: Does::Send(Message::PageDown),
        shown: Shown::HelpOnly,
        needs: Needs::Nothing,
    },
    Binding {
        keys: &[KeyCode::Home],
        ctrl: false,
        label: "top",
        help: "go to the top",
        does: Does::Send(Message::Top),
        shown: Shown::HelpOnly,
        needs: Needs::Nothing,
    },
    Binding {
        keys: &[KeyCode::End],
        ctrl: false,
        label: "end",
        help: "go to the end",
        does: Does::Send(Message::Bottom),
        shown: Shown::HelpOnly,
        needs: Needs::Nothing,
    },
    Binding {
        keys: &[KeyCode::Char('e')],
        ctrl: false,
        label: "export summary",
        help: "write the record of the call for the case file (in intake, asks first for your name, the caller's reference and, on an urgent call, what was done); again after a change, it replaces the earlier record",
        does: Does::Send(Message::Export),
        shown: Shown::Always,
        needs: Needs::Export,
    },
    NOTES,
    Binding {
        keys: BACK_KEYS,
        ctrl: false,
        label: "change an answer",
        help: "go back to change your last answer",
        does: Does::Send(Message::Back),
        shown: Shown::Always,
        needs: Needs::Nothing,
    },
    Binding {
        keys: &[KeyCode::Esc],
        ctrl: false,
        label: "change an answer",
        help: "the same as ←",
        does: Does::Send(Message::Back),
        shown: Shown::HelpOnly,
        needs: Needs::NotIntake,
    },
    Binding {
        keys: &[KeyCode::Char('?')],
        ctrl: false,
        label: "help",
        help: "show or hide these keys",
        does: Does::Send(Message::ToggleHelp),
        shown: Shown::Always,
        needs: Needs::Nothing,
    },
    Binding {
        keys: &[KeyCode::Char('r')],
        ctrl: false,
        label: "start again",
        help: "start again from the first question",
        does: Does::Send(Message::Restart),
        shown: Shown::Always,
        needs: Needs::Nothing,
    },
    NEXT_CALLER,
    Binding {
        keys: &[KeyCode::Char('q')],
        ctrl: false,
        label: "quit & print report",
        help: "quit; this report is printed in your terminal so you can keep it",
        does: Does::Send(Message::Quit),
        shown: Shown::Always,
        needs: Needs::Nothing,
    },
    QUIT_NOW,
];

/// Keys while the help is open.
pub static HELP_KEYS: &[Binding] = &[
    SCROLL_UP,
    SCROLL_DOWN,
    Binding {
        keys: &[KeyCode::Char('?'), KeyCode::Esc],
        ctrl: false,
        label: "close help",
        help: "close this help",
        does: Does::Send(Message::ToggleHelp),
        shown: Shown::Always,
        needs: Needs::Nothing,
    },
    QUIT,
    QUIT_NOW,
];

/// Keys while a question such as "Quit?" waits for yes or no.
pub static CONFIRM_KEYS: &[Binding] = &[
    Binding {
        keys: &[KeyCode::Char('y'), KeyCode::Char('Y')],
        ctrl: false,
        label: "yes",
        help: "yes",
        does: Does::Send(Message::Yes),
        shown: Shown::Always,
        needs: Needs::Nothing,
    },
    Binding {
        keys: &[KeyCode::Char('n'), KeyCode::Char('N'), KeyCode::Esc],
        ctrl: false,
        label: "no",
        help: "no, go back to where you were",
        does: Does::Send(Message::No),
        shown: Shown::Always,
        needs: Needs::Nothing,
    },
    QUIT_NOW,
];

/// Keys on the list of answers to go back to.
pub static JUMP_KEYS: &[Binding] = &[
    Binding {
        keys: DIGITS,
        ctrl: false,
        label: "go to",
        help: "go back to the answer with that number",
        does: Does::Number(Message::JumpTo),
        shown: Shown::Always,
        needs: Needs::Nothing,
    },
    Binding {
        keys: &[KeyCode::Up, KeyCode::Char('k')],
        ctrl: false,
        label: "move",
        help: "mark the answer above",
        does: Does::Send(Message::Up),
        shown: Shown::Always,
        needs: Needs::Nothing,
    },
    Binding {
        keys: &[KeyCode::Down, KeyCode::Char('j')],
        ctrl: false,
        label: "move",
        help: "mark the answer below",
        does: Does::Send(Message::Down),
        shown: Shown::Always,
        needs: Needs::Nothing,
    },
    Binding {
        keys: &[KeyCode::Enter, KeyCode::Right, KeyCode::Char('l')],
        ctrl: false,
        label: "go back there",
        help: "go back to the marked answer, to answer its question again",
        does: Does::Send(Message::Choose),
        shown: Shown::Always,
        needs: Needs::Nothing,
    },
    Binding {
        keys: &[KeyCode::Esc, KeyCode::Char('g')],
        ctrl: false,
        label: "close",
        help: "close this list and stay on the question",
        does: Does::Send(Message::No),
        shown: Shown::Always,
        needs: Needs::Nothing,
    },
    QUIT_NOW,
];

/// Keys while the notes box is open; every other key types into it.
pub static NOTES_KEYS: &[Binding] = &[
    Binding {
        keys: &[KeyCode::Esc],
        ctrl: false,
        label: "close notes",
        help: "close the notes box; the notes are kept and saved",
        does: Does::Send(Message::CloseNotes),
        shown: Shown::Always,
        needs: Needs::Nothing,
    },
    QUIT_NOW,
];

/// Keys while a field of the record is asked for; every other key types into it.
pub static RECORD_KEYS: &[Binding] = &[
    Binding {
        keys: &[KeyCode::Enter],
        ctrl: false,
        label: "done",
        help: "keep what is typed and go on (to the next field, or the export)",
        does: Does::Send(Message::FieldDone),
        shown: Shown::Always,
        needs: Needs::Nothing,
    },
    Binding {
        keys: &[KeyCode::Esc],
        ctrl: false,
        label: "not now",
        help: "close without exporting; e asks again",
        does: Does::Send(Message::CancelExport),
        shown: Shown::Always,
        needs: Needs::Nothing,
    },
    QUIT_NOW,
];

/// Keys while an unfinished call is offered at start.
pub static RESUME_KEYS: &[Binding] = &[
    Binding {
        keys: &[KeyCode::Char('r'), KeyCode::Enter],
        ctrl: false,
        label: "resume it",
        help: "resume the call at its next unanswered question, with its notes",
        does: Does::Send(Message::Resume),
        shown: Shown::Always,
        needs: Needs::Nothing,
    },
    Binding {
        keys: &[KeyCode::Char('d')],
        ctrl: false,
        label: "delete it",
        help: "delete the unfinished call and start a new one (asks first)",
        does: Does::Send(Message::Discard),
        shown: Shown::Always,
        needs: Needs::Nothing,
    },
    Binding {
        keys: &[KeyCode::Char('?')],
        ctrl: false,
        label: "help",
        help: "show or hide these keys",
        does: Does::Send(Message::ToggleHelp),
        shown: Shown::Always,
        needs: Needs::Nothing,
    },
    Binding {
        keys: &[KeyCode::Char('q')],
        ctrl: false,
        label: "quit",
        help: "quit and leave the unfinished call saved for next time",
        does: Does::Send(Message::Quit),
        shown: Shown::Always,
        needs: Needs::Nothing,
    },
    QUIT_NOW,
];

/// The key table in force on a screen.
pub fn bindings(screen: &Screen) -> &'static [Binding] {
    match screen {
        Screen::Question => QUESTION_KEYS,
        Screen::Result => RESULT_KEYS,
        Screen::Help => HELP_KEYS,
        Screen::Confirm(_) => CONFIRM_KEYS,
        Screen::Notes => NOTES_KEYS,
        Screen::Resume => RESUME_KEYS,
        Screen::Record(_) => RECORD_KEYS,
        Screen::Jump => JUMP_KEYS,
    }
}

/// The message a key press sends on a screen, if any; in the notes box, every other key types.
pub fn message_for(key: KeyEvent, screen: &Screen, features: Features) -> Option<Message> {
    let bound = bindings(screen)
        .iter()
        .find(|binding| binding.available(features) && binding.matches(&key))
        .and_then(|binding| binding.message(key.code));
    match screen {
        Screen::Notes | Screen::Record(_) => bound.or(Some(Message::Edit(key))),
        _ => bound,
    }
}

/// The message a terminal event sends on a screen, if any.
pub fn message_for_event(event: &Event, screen: &Screen, features: Features) -> Option<Message> {
    match event {
        // Terminals that report key releases and repeats (Windows, or the kitty keyboard protocol)
        // would otherwise act twice on one press; this is the only place key kinds are looked at.
        Event::Key(key) if key.kind == KeyEventKind::Press => message_for(*key, screen, features),
        Event::Resize(width, height) => Some(Message::Resize(*width, *height)),
        Event::Paste(text) if matches!(screen, Screen::Notes | Screen::Record(_)) => {
            Some(Message::Paste(text.clone()))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::app::Pending;

    fn key(code: KeyCode) -> Option<Message> {
        message_for(code.into(), &Screen::Question, Features::default())
    }

    #[test]
    fn question_keys_send_their_messages() {
        assert_eq!(key(KeyCode::Up), Some(Message::Up));
        assert_eq!(key(KeyCode::Char('k')), Some(Message::Up));
        assert_eq!(key(KeyCode::Down), Some(Message::Down));
        assert_eq!(key(KeyCode::Char('j')), Some(Message::Down));
        for code in [KeyCode::Enter, KeyCode::Right, KeyCode::Char('l')] {
            assert_eq!(key(code), Some(Message::Choose), "{code:?}");
        }
        for code in [
            KeyCode::Left,
            KeyCode::Backspace,
            KeyCode::Char('h'),
            KeyCode::Esc,
        ] {
            assert_eq!(key(code), Some(Message::Back), "{code:?}");
        }
        assert_eq!(key(KeyCode::Char('?')), Some(Message::ToggleHelp));
        assert_eq!(key(KeyCode::Char('r')), Some(Message::Restart));
        assert_eq!(key(KeyCode::Char('q')), Some(Message::Quit));
        assert_eq!(key(KeyCode::Char('x')), None);
        assert_eq!(key(KeyCode::Tab), None);
    }

    #[test]
    fn digits_pick_by_position() {
        assert_eq!(key(KeyCode::Char('1')), Some(Message::Pick(0)));
        assert_eq!(key(KeyCode::Char('9')), Some(Message::Pick(8)));
        assert_eq!(key(KeyCode::Char('0')), None);
    }

    #[test]
    fn ctrl_c_quits_at_once_everywhere_but_plain_c_does_nothing() {
        let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
        for screen in [
            Screen::Question,
            Screen::Result,
            Screen::Help,
            Screen::Confirm(Pending::Quit),
        ] {
            assert_eq!(
                message_for(ctrl_c, &screen, Features::default()),
                Some(Message::QuitNow)
            );
            assert_eq!(
                message_for(KeyCode::Char('c').into(), &screen, Features::default()),
                None
            );
        }
        let ctrl_q = KeyEvent::new(KeyCode::Char('q'), KeyModifiers::CONTROL);
        assert_eq!(
            message_for(ctrl_q, &Screen::Question, Features::default()),
            None
        );
    }

    #[test]
    fn shift_does_not_stop_the_question_mark() {
        let shifted = KeyEvent::new(KeyCode::Char('?'), KeyModifiers::SHIFT);
        assert_eq!(
            message_for(shifted, &Screen::Question, Features::default()),
            Some(Message::ToggleHelp)
        );
    }

    #[test]
    fn result_keys_scroll() {
        let on_result =
            |code: KeyCode| message_for(code.into(), &Screen::Result, Features::default());
        assert_eq!(on_result(KeyCode::Down), Some(Message::ScrollDown));
        assert_eq!(on_result(KeyCode::Char('k')), Some(Message::ScrollUp));
        assert_eq!(on_result(KeyCode::PageDown), Some(Message::PageDown));
        assert_eq!(on_result(KeyCode::PageUp), Some(Message::PageUp));
        assert_eq!(on_result(KeyCode::Home), Some(Message::Top));
        assert_eq!(on_result(KeyCode::End), Some(Message::Bottom));
        assert_eq!(on_result(KeyCode::Backspace), Some(Message::Back));
        assert_eq!(on_result(KeyCode::Char('1')), None);
    }

    #[test]
    fn help_and_confirm_take_only_their_own_keys() {
        assert_eq!(
            message_for(KeyCode::Esc.into(), &Screen::Help, Features::default()),
            Some(Message::ToggleHelp)
        );
        assert_eq!(
            message_for(
                KeyCode::Char('q').into(),
                &Screen::Help,
                Features::default()
            ),
            Some(Message::Quit)
        );
        let confirm = Screen::Confirm(Pending::Restart);
        assert_eq!(
            message_for(KeyCode::Char('y').into(), &confirm, Features::default()),
            Some(Message::Yes)
        );
        assert_eq!(
            message_for(KeyCode::Esc.into(), &confirm, Features::default()),
            Some(Message::No)
        );
        assert_eq!(
            message_for(KeyCode::Char('q').into(), &confirm, Features::default()),
            None
        );
    }

    #[test]
    fn only_presses_count() {
        let mut release = KeyEvent::from(KeyCode::Enter);
        release.kind = KeyEventKind::Release;
        assert_eq!(
            message_for_event(&Event::Key(release), &Screen::Question, Features::default()),
            None
        );
        assert_eq!(
            message_for_event(
                &Event::Key(KeyCode::Enter.into()),
                &Screen::Question,
                Features::default()
            ),
            Some(Message::Choose)
        );
        assert_eq!(
            message_for_event(&Event::Resize(3, 4), &Screen::Result, Features::default()),
            Some(Message::Resize(3, 4))
        );
    }

    #[test]
    fn every_row_has_keys_and_words_and_no_key_is_bound_twice() {
        for table in [
            QUESTION_KEYS,
            RESULT_KEYS,
            HELP_KEYS,
            CONFIRM_KEYS,
            NOTES_KEYS,
            RESUME_KEYS,
        ] {
            let mut seen = Vec::new();
            for row in table {
                assert!(!row.keys.is_empty() && !row.label.is_empty() && !row.help.is_empty());
                for &code in row.keys {
                    assert!(!seen.contains(&(code, row.ctrl)), "{code:?} bound twice");
                    seen.push((code, row.ctrl));
                }
            }
        }
    }

    #[test]
    fn names_come_from_the_keys() {
        assert_eq!(QUESTION_KEYS[0].names(12), "1–9");
        assert_eq!(QUESTION_KEYS[0].hint(3), "1–3");
        assert_eq!(QUESTION_KEYS[1].names(3), "↑, k");
        assert_eq!(QUESTION_KEYS[4].hint(2), "←");
        assert_eq!(QUIT_NOW.names(0), "Ctrl-C");
    }

    #[test]
    fn intake_keys_work_only_in_intake_mode() {
        let plain = Features::default();
        let intake = Features::intake();
        let n = KeyEvent::from(KeyCode::Char('n'));
        let c = KeyEvent::from(KeyCode::Char('c'));
        let e = KeyEvent::from(KeyCode::Char('e'));
        assert_eq!(message_for(n, &Screen::Question, plain), None);
        assert_eq!(
            message_for(n, &Screen::Question, intake),
            Some(Message::Notes)
        );
        assert_eq!(
            message_for(c, &Screen::Question, intake),
            Some(Message::NextCall)
        );
        assert_eq!(message_for(e, &Screen::Question, intake), None);
        assert_eq!(message_for(e, &Screen::Result, plain), None);
        assert_eq!(
            message_for(e, &Screen::Result, intake),
            Some(Message::Export)
        );
        let esc = KeyEvent::from(KeyCode::Esc);
        assert_eq!(
            message_for(esc, &Screen::Question, plain),
            Some(Message::Back)
        );
        assert_eq!(
            message_for(esc, &Screen::Question, intake),
            None,
            "Esc only closes things"
        );
        assert_eq!(message_for(esc, &Screen::Result, intake), None);
        let left = KeyEvent::from(KeyCode::Left);
        assert_eq!(
            message_for(left, &Screen::Result, intake),
            Some(Message::Back)
        );
    }

    #[test]
    fn in_the_notes_box_keys_type_except_esc_and_ctrl_c() {
        let intake = Features::intake();
        for code in [
            KeyCode::Char('q'),
            KeyCode::Char('1'),
            KeyCode::Enter,
            KeyCode::Backspace,
        ] {
            let key = KeyEvent::from(code);
            assert_eq!(
                message_for(key, &Screen::Notes, intake),
                Some(Message::Edit(key))
            );
        }
        assert_eq!(
            message_for(KeyCode::Esc.into(), &Screen::Notes, intake),
            Some(Message::CloseNotes)
        );
        let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(
            message_for(ctrl_c, &Screen::Notes, intake),
            Some(Message::QuitNow)
        );
    }

    #[test]
    fn an_unfinished_call_is_resumed_or_discarded() {
        let on_offer =
            |c: char| message_for(KeyCode::Char(c).into(), &Screen::Resume, Features::intake());
        assert_eq!(on_offer('r'), Some(Message::Resume));
        assert_eq!(
            message_for(KeyCode::Enter.into(), &Screen::Resume, Features::intake()),
            Some(Message::Resume)
        );
        assert_eq!(on_offer('d'), Some(Message::Discard));
        assert_eq!(on_offer('q'), Some(Message::Quit));
        // No key means one thing here and another on the confirmation that follows, so two
        // presses of a reflex never delete a call.
        for c in ['y', 'n'] {
            assert_eq!(on_offer(c), None, "{c}");
        }
        let on_confirm = |code: KeyCode| {
            message_for(
                code.into(),
                &Screen::Confirm(crate::tui::app::Pending::Discard),
                Features::intake(),
            )
        };
        for key in RESUME_KEYS.iter().flat_map(|binding| binding.keys) {
            assert_ne!(on_confirm(*key), Some(Message::Yes), "{key:?}");
        }
        assert_eq!(on_offer('1'), None);
    }
}
