//! The full-screen questionnaire, three ways: whole screens rendered into ratatui's `TestBackend`
//! and snapshotted at fixed sizes, renders at every awkward size that must not panic, and the
//! real binary driven through a terminal in tmux.
//!
//! Snapshots use the tree below, so they change only when the screens do; the tests on the
//! built-in tree find their way through it at run time, so a clinician's edit never breaks them.

// Test helpers outside #[test] functions may unwrap: a failure is a failed test.
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::Command;
use std::thread::sleep;
use std::time::{Duration, Instant};

use crossterm::event::KeyCode;
use groupfit::explain::{Block, Explanation};
use groupfit::source::Source;
use groupfit::tree::{Step, Tree};
use groupfit::tui::{self, App, Features, Field, Message, Pending, Screen, Theme, update};
use groupfit::walk::{Position, Walk};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::widgets::Widget;

#[path = "support/trees.rs"]
mod trees;

/// A small tree in the shape of the built-in one: safety first, then scored questions.
const TREE: &str = r#"[tree]
title = "Which kind of group fits?"
version = "test.1"
start = "safety"
safety = "safety"
disclaimer = "This is a guide, not a diagnosis, and it does not replace an assessment by a professional."
urgent_closing = "Help is there at any hour."

[[question]]
id = "safety"
text = "Before anything else: are any of these true for you right now?"
help = "We ask this first because some things need help straight away, before any group. Your answer is not stored or sent anywhere."

  [[question.option]]
  id = "harm"
  label = "I am having thoughts of ending my life or of harming someone"
  outcome = "crisis"
  reason = "You told us you are having thoughts of ending your life or of harming someone."

  [[question.option]]
  id = "withdrawal"
  label = "I get sick or feel in danger when I stop drinking or using drugs"
  outcome = "crisis"
  reason = "Stopping alcohol or drugs can be dangerous and needs medical care first."

  [[question.option]]
  id = "unsure"
  label = "I'd rather not say"
  outcome = "crisis"
  reason = "You preferred not to say, so we are showing where to get help now, just in case."

  [[question.option]]
  id = "none"
  label = "None of these"
  next = "want"

[[question]]
id = "want"
text = "What do you most want from a group?"
help = "Groups differ most in their aim: some help you live with something, others help you change."

  [[question.option]]
  id = "cope"
  label = "Help coping with something I can't change, from people who understand"
  next = "commitment"
  score = { support = 3, therapy = -1 }
  reason = "You want help coping with something that can't be changed, which is what support groups are for."
  caveat = "Therapy groups aim at change more than coping."

  [[question.option]]
  id = "change"
  label = "To change a pattern in how I feel, think or relate to people"
  next = "commitment"
  score = { therapy = 3 }
  reason = "You want to change a pattern that keeps coming back, which is the aim of therapy groups."

  [[question.option]]
  id = "learn"
  label = "To learn about a diagnosis and how to manage it"
  next = "commitment"
  score = { psychoeducational = 3 }
  reason = "You want to learn about a diagnosis, which psychoeducational groups teach."

[[question]]
id = "commitment"
text = "How much time can you give to a group?"

  [[question.option]]
  id = "dropin"
  label = "I'd like to drop in when I can"
  next = "outside"
  score = { support = 2, therapy = -2 }
  reason = "You'd like to drop in when you can, and support groups usually welcome that."
  caveat = "Therapy groups ask for regular attendance for months."

  [[question.option]]
  id = "course"
  label = "A fixed course of a few weeks"
  next = "outside"
  score = { psychoeducational = 2 }
  reason = "A course of a few weeks suits you, which is how psychoeducational groups run."

  [[question.option]]
  id = "months"
  label = "Every week for several months"
  next = "outside"
  score = { therapy = 2 }
  reason = "You can come every week for months, which therapy groups ask for."

[[question]]
id = "outside"
text = "How do you feel about seeing group members outside the sessions?"

  [[question.option]]
  id = "friends"
  label = "I'd like to make friends in the group and see them outside it"
  score = { support = 2, therapy = -2 }
  reason = "You'd like friendships that carry on outside the group, which support groups welcome."
  caveat = "Therapy groups ask members not to meet outside sessions; raise this at the screening interview."

  [[question.option]]
  id = "separate"
  label = "I'd rather keep the group separate from the rest of my life"
  score = { therapy = 1, psychoeducational = 1 }
  reason = "You'd rather keep the group separate from the rest of your life."

[[outcome]]
id = "support"
name = "Support group"
summary = "People who share one problem meet to help each other cope with it."
expect = ["Goal: coping and feeling less alone", "Led by: often a member, sometimes a professional", "Commitment: drop in when you can", "Outside contact: friendships are welcome"]
next_steps = "Ask your doctor, a local hospital or a charity for the issue about support groups near you or online."

[[outcome]]
id = "therapy"
name = "Therapy group"
summary = "A trained therapist helps a small group of members change patterns in how they feel and relate to others."
expect = ["Goal: change", "Led by: a trained professional", "Commitment: weekly for months", "Outside contact: discouraged", "Joining: a screening interview first"]
next_steps = "Ask a therapist or your doctor about group therapy; expect an interview before you join."

[[outcome]]
id = "psychoeducational"
name = "Psychoeducational group"
summary = "A short course, led by a professional, about a diagnosis and how to manage it."
expect = ["Goal: understanding and skills", "Led by: a professional", "Commitment: a fixed number of weeks"]
next_steps = "Ask the service that treats you whether it runs a course."

[[outcome]]
id = "crisis"
name = "Please get help now"
urgent = true
summary = "A group is not the right first step. Talking to someone now is."
steps = ["Call or text 988 now.", "In an emergency, call 911."]
next_steps = "If you can, tell someone you trust how you are feeling today."

[[scenario]]
name = "Wants to cope, drops in, makes friends"
answers = { safety = "none", want = "cope", commitment = "dropin", outside = "friends" }
expect = "support"
"#;

fn fixture() -> Tree {
    Tree::load(&Source::new("fixture.toml", TREE.to_owned()))
        .unwrap()
        .0
}

/// The fixture with read-aloud wording and staff guidance, for intake mode.
fn intake_fixture() -> Tree {
    let text = TREE
        .replace(
            "help = \"We ask this first",
            "intake = \"Ask the caller whether any of these is true for them right now.\"\nguidance = \"If the caller will not answer, choose 'rather not say'.\"\nhelp = \"We ask this first",
        )
        .replace(
            "next_steps = \"If you can, tell someone you trust",
            "guidance = \"Stay on the line and offer to connect the caller to 988.\"\nnext_steps = \"If you can, tell someone you trust",
        );
    let tree = Tree::load(&Source::new("intake.toml", text)).unwrap().0;
    assert!(tree.questions[tree.start].intake.is_some());
    tree
}

fn intake_app<'t>(tree: &'t Tree, messages: &[Message]) -> App<'t> {
    let mut app = App::with(tree, Theme::plain(), Features::intake(), None);
    for message in messages {
        update(&mut app, message.clone());
    }
    app
}

fn typing(text: &str) -> Vec<Message> {
    text.chars()
        .map(|c| match c {
            '\n' => Message::Edit(KeyCode::Enter.into()),
            c => Message::Edit(KeyCode::Char(c).into()),
        })
        .collect()
}

fn builtin() -> Tree {
    Tree::load(&Source::builtin())
        .unwrap_or_else(|e| panic!("the built-in tree does not load: {e:?}"))
        .0
}

fn app<'t>(tree: &'t Tree, messages: &[Message]) -> App<'t> {
    let mut app = App::new(tree, Theme::plain());
    for message in messages {
        update(&mut app, message.clone());
    }
    app
}

/// Picks by option id, so the fixture's snapshots read as the walk they show.
fn pick(tree: &Tree, question: &str, option: &str) -> Message {
    let q = tree.question_ix(question).unwrap();
    Message::Pick(tree.choice_ix(q, option).unwrap())
}

fn draw(app: &App<'_>, width: u16, height: u16) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal
        .draw(|frame| frame.render_widget(app, frame.area()))
        .unwrap();
    terminal
}

fn screen_text(buffer: &Buffer) -> String {
    let mut text = String::new();
    for y in 0..buffer.area.height {
        for x in 0..buffer.area.width {
            text.push_str(buffer[(x, y)].symbol());
        }
        text.push('\n');
    }
    text
}

/// The screen's words in reading order, without borders, boxes or line breaks.
fn screen_words(buffer: &Buffer) -> String {
    let text: String = screen_text(buffer)
        .chars()
        .map(|c| {
            if "│║╔╗╚╝═─┌┐└┘".contains(c) {
                ' '
            } else {
                c
            }
        })
        .collect();
    squash(&text)
}

fn squash(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

macro_rules! snapshot {
    ($name:expr, $app:expr, $width:expr, $height:expr) => {
        insta::assert_snapshot!($name, draw($app, $width, $height).backend())
    };
}

// --- Snapshots -----------------------------------------------------------------------------------

#[test]
fn snapshot_first_question() {
    let tree = fixture();
    let app = app(&tree, &[]);
    snapshot!("first_question_80x24", &app, 80, 24);
    snapshot!("first_question_120x30", &app, 120, 30);
}

#[test]
fn snapshot_question_with_a_marked_answer() {
    let tree = fixture();
    let app = app(&tree, &[pick(&tree, "safety", "none"), Message::Down]);
    snapshot!("second_question_80x24", &app, 80, 24);
}

#[test]
fn snapshot_going_straight_back_and_the_earlier_answer_marked() {
    let tree = fixture();
    let mut app = app(
        &tree,
        &[
            pick(&tree, "safety", "none"),
            pick(&tree, "want", "change"),
            Message::OpenJump,
        ],
    );
    // On a window too narrow for the answers panel, the list to go back to still shows.
    snapshot!("jump_80x24", &app, 80, 24);
    update(&mut app, Message::Choose);
    snapshot!("earlier_answer_80x24", &app, 80, 24);
}

#[test]
fn snapshot_help() {
    let tree = fixture();
    let app = app(&tree, &[Message::ToggleHelp]);
    snapshot!("help_80x24", &app, 80, 24);
    snapshot!("help_120x30", &app, 120, 30);
}

#[test]
fn snapshot_answers_so_far_on_a_wide_terminal() {
    let tree = fixture();
    let app = app(
        &tree,
        &[pick(&tree, "safety", "none"), pick(&tree, "want", "change")],
    );
    snapshot!("answers_panel_120x30", &app, 120, 30);
    snapshot!("answers_panel_100x30", &app, 100, 30);
}

#[test]
fn snapshot_confirm_quit() {
    let tree = fixture();
    let app = app(&tree, &[pick(&tree, "safety", "none"), Message::Quit]);
    assert_eq!(app.screen(), Screen::Confirm(Pending::Quit));
    snapshot!("confirm_quit_80x24", &app, 80, 24);
}

#[test]
fn snapshot_intake_question_with_staff_guidance_and_where_the_call_can_go() {
    let tree = intake_fixture();
    let app = intake_app(&tree, &[]);
    snapshot!("intake_first_question_80x24", &app, 80, 24);
    let mut messages = vec![pick(&tree, "safety", "none"), Message::Notes];
    messages.extend(typing("Calls from work.\nPrefers evenings."));
    messages.push(Message::CloseNotes);
    let app = intake_app(&tree, &messages);
    snapshot!("intake_second_question_100x30", &app, 100, 30);
}

#[test]
fn snapshot_intake_notes_box() {
    let tree = intake_fixture();
    let mut messages = vec![pick(&tree, "safety", "none"), Message::Notes];
    messages.extend(typing("Calls from work.\nPrefers evenings."));
    let app = intake_app(&tree, &messages);
    assert_eq!(app.screen(), Screen::Notes);
    snapshot!("intake_notes_80x24", &app, 80, 24);
}

#[test]
fn snapshot_intake_crisis_result_puts_staff_guidance_first() {
    let tree = intake_fixture();
    let app = intake_app(&tree, &[pick(&tree, "safety", "harm")]);
    snapshot!("intake_crisis_result_80x24", &app, 80, 24);
    let text = screen_text(draw(&app, 80, 24).backend().buffer());
    let banner = text.find("Please get help now").unwrap();
    let staff = text.find("For staff: Stay on the line").unwrap();
    let why = text.find("Why we are showing this").unwrap();
    assert!(banner < staff && staff < why, "{text}");
}

#[test]
fn snapshot_intake_asks_what_was_done_before_exporting_an_urgent_call() {
    let tree = intake_fixture();
    let mut messages = vec![pick(&tree, "safety", "harm"), Message::Export];
    messages.extend(typing("JM"));
    messages.extend([Message::FieldDone, Message::FieldDone]);
    messages.extend(typing("Warm transfer to 988"));
    let app = intake_app(&tree, &messages);
    assert_eq!(app.screen(), Screen::Record(Field::Done));
    snapshot!("intake_what_was_done_80x24", &app, 80, 24);
    let text = screen_words(draw(&app, 80, 24).backend().buffer());
    assert!(text.contains("Warm transfer to 988"), "{text}");
    assert!(
        text.contains("Enter done"),
        "the footer names the keys: {text}"
    );
}

#[test]
fn snapshot_intake_next_caller_warns_when_not_exported() {
    let tree = intake_fixture();
    let mut messages = support_walk(&tree);
    messages.push(Message::NextCall);
    let app = intake_app(&tree, &messages);
    assert_eq!(app.screen(), Screen::Confirm(Pending::NextCall));
    snapshot!("intake_next_caller_80x24", &app, 80, 24);
}

#[test]
fn an_unfinished_call_on_another_tree_is_shown_as_such() {
    let tree = intake_fixture();
    let mut walk = Walk::new(&tree);
    walk.choose(3);
    let mut saved = groupfit::session::Session::of(
        &walk,
        "note",
        jiff::Timestamp::UNIX_EPOCH,
        jiff::Timestamp::UNIX_EPOCH,
    );
    saved.tree.version = "old.1".to_owned();
    saved.tree.sha256 = "f".repeat(64);
    let offer = tui::Offer::new(
        saved,
        &tree,
        jiff::Timestamp::UNIX_EPOCH,
        &jiff::tz::TimeZone::UTC,
        true,
    );
    let app = App::with(&tree, Theme::plain(), Features::intake(), Some(offer));
    let words = screen_words(draw(&app, 80, 24).backend().buffer());
    for expected in [
        "Unfinished call",
        "1 answer and 1 line of notes",
        "The questions have changed",
        "version old.1 (ffffffffffff)",
        "Press r to resume it",
    ] {
        assert!(
            words.contains(&squash(expected)),
            "lacks {expected:?}:\n{words}"
        );
    }
}

fn support_walk(tree: &Tree) -> Vec<Message> {
    vec![
        pick(tree, "safety", "none"),
        pick(tree, "want", "cope"),
        pick(tree, "commitment", "months"),
        pick(tree, "outside", "friends"),
    ]
}

#[test]
fn snapshot_result() {
    let tree = fixture();
    let app = app(&tree, &support_walk(&tree));
    assert_eq!(app.screen(), Screen::Result);
    snapshot!("result_80x24", &app, 80, 24);
    snapshot!("result_120x30", &app, 120, 30);
    let mut scrolled = app.clone();
    update(&mut scrolled, Message::Resize(80, 24));
    update(&mut scrolled, Message::Bottom);
    snapshot!("result_end_80x24", &scrolled, 80, 24);
}

#[test]
fn snapshot_crisis_result() {
    let tree = fixture();
    let app = app(&tree, &[pick(&tree, "safety", "harm")]);
    snapshot!("crisis_80x24", &app, 80, 24);
    snapshot!("crisis_120x30", &app, 120, 30);
}

#[test]
fn snapshot_too_small() {
    let tree = fixture();
    let app = app(&tree, &[]);
    snapshot!("too_small_30x10", &app, 30, 10);
    snapshot!("too_small_80x11", &app, 80, 11);
}

#[test]
fn snapshot_smallest_size_that_fits() {
    let tree = fixture();
    let app = app(
        &tree,
        &[pick(&tree, "safety", "none"), Message::Down, Message::Down],
    );
    snapshot!("question_40x12", &app, 40, 12);
}

// --- What the screens say ------------------------------------------------------------------------

#[test]
fn the_too_small_message_names_both_sizes() {
    let tree = fixture();
    let text = screen_words(draw(&app(&tree, &[]), 30, 10).backend().buffer());
    assert!(
        text.contains("Make the window at least 40×12; it is now 30×10."),
        "{text}"
    );
}

#[test]
fn the_urgent_result_is_unmistakable_without_colour() {
    let tree = fixture();
    let app = app(&tree, &[pick(&tree, "safety", "harm")]);
    let terminal = draw(&app, 80, 24);
    let buffer = terminal.backend().buffer();
    let text = screen_text(buffer);
    let banner = text
        .lines()
        .position(|line| line.contains("║ Please get help now"))
        .unwrap_or_else(|| panic!("no banner in\n{text}"));
    assert!(banner <= 3, "the banner leads the screen:\n{text}");
    assert!(!text.contains("!!"), "no pairs of '!':\n{text}");
    let steps = text.find("1. Call or text 988 now.").unwrap();
    assert!(steps < text.find("Why we are showing this").unwrap());
    // The banner is bold and reversed, and no cell has a colour.
    let y = u16::try_from(banner).unwrap();
    let x = u16::try_from(
        text.lines()
            .nth(banner)
            .unwrap()
            .chars()
            .position(|c| c == 'P')
            .unwrap(),
    )
    .unwrap();
    let cell = &buffer[(x, y)];
    assert!(cell.modifier.contains(Modifier::BOLD | Modifier::REVERSED));
    assert!(
        buffer
            .content
            .iter()
            .all(|c| c.fg == ratatui::style::Color::Reset)
    );
}

#[test]
fn the_marked_answer_is_reversed_and_has_the_marker() {
    let tree = fixture();
    let app = app(&tree, &[Message::Down, Message::Down]);
    let terminal = draw(&app, 80, 24);
    let buffer = terminal.backend().buffer();
    let text = screen_text(buffer);
    let (y, line) = text
        .lines()
        .enumerate()
        .find(|(_, line)| line.contains(tui::MARKER))
        .unwrap();
    assert!(line.contains("▶ 2. I get sick"), "{line}");
    let x = u16::try_from(line.chars().position(|c| c == '2').unwrap()).unwrap();
    let cell = &buffer[(x, u16::try_from(y).unwrap())];
    assert!(cell.modifier.contains(Modifier::REVERSED));
}

/// Every block of the explanation, at a size where the whole result fits on one screen.
fn assert_result_shows_every_block(app: &App<'_>, explanation: &Explanation) {
    let lines = tui::result_lines(app, 96).len();
    let height = u16::try_from(lines + 10).unwrap();
    let terminal = draw(app, 100, height);
    let words = screen_words(terminal.backend().buffer());
    for block in explanation.blocks() {
        let parts = match block {
            Block::Urgent(text)
            | Block::Title(text)
            | Block::Heading(text)
            | Block::Paragraph(text)
            | Block::Bullet(text)
            | Block::Note(text)
            | Block::Staff(text)
            | Block::Step(_, text) => vec![text],
            Block::Answer(question, answer) => vec![question, answer],
        };
        for part in parts {
            assert!(
                words.contains(&squash(&part)),
                "the result screen lacks {part:?}:\n{words}"
            );
        }
    }
}

#[test]
fn the_result_screen_shows_everything_the_report_says() {
    let tree = fixture();
    for walk in [
        support_walk(&tree),
        vec![pick(&tree, "safety", "withdrawal")],
    ] {
        let app = app(&tree, &walk);
        let Some(Ok(explanation)) = app.result() else {
            panic!("no result")
        };
        assert_result_shows_every_block(&app, explanation);
    }
}

#[test]
fn the_built_in_tree_shows_every_block_and_question() {
    let tree = builtin();
    let path = long_path(&tree);
    let mut app = App::new(&tree, Theme::plain());
    for &choice in &path {
        let Position::Asking(q) = app.walk().position() else {
            panic!("finished early")
        };
        let question = &tree.questions[q];
        // Narrower than the answers panel needs, so rows hold one column of text to read.
        let words = screen_words(draw(&app, 99, 60).backend().buffer());
        assert!(words.contains(&squash(&question.text)), "{words}");
        for choice in &question.choices {
            assert!(words.contains(&squash(&choice.label)), "{words}");
        }
        update(&mut app, Message::Pick(choice));
    }
    let Some(Ok(explanation)) = app.result() else {
        panic!("the built-in tree gave no result for {path:?}")
    };
    let text = explanation.to_text(80);
    assert!(text.starts_with(&first_line(explanation)));
    assert_result_shows_every_block(&app, explanation);
}

// --- Any size, any screen ------------------------------------------------------------------------

fn every_screen(tree: &Tree) -> Vec<App<'_>> {
    let path = long_path(tree);
    let first = path.first().copied().unwrap_or(0);
    let mut screens = vec![
        app(tree, &[]),
        app(tree, &[Message::ToggleHelp]),
        app(tree, &[Message::Pick(first)]),
        app(
            tree,
            &path.iter().map(|&c| Message::Pick(c)).collect::<Vec<_>>(),
        ),
    ];
    let mut help_on_result = screens[3].clone();
    update(&mut help_on_result, Message::ToggleHelp);
    screens.push(help_on_result);
    let mut restart = screens[3].clone();
    update(&mut restart, Message::Restart);
    screens.push(restart);
    if path.len() > 1 {
        screens.push(app(tree, &[Message::Pick(first), Message::Quit]));
    }
    if let Some(urgent) = urgent_choice(tree) {
        screens.push(app(tree, &[Message::Pick(urgent)]));
    }
    // Intake mode: the panel, the notes box over a question and over the result, the next-caller
    // question, and an unfinished call on offer.
    let all: Vec<Message> = path.iter().map(|&c| Message::Pick(c)).collect();
    let mut notes = vec![Message::Notes];
    notes.extend(typing(&"a long note that wraps ".repeat(20)));
    screens.push(intake_app(tree, &[Message::Pick(first)]));
    screens.push(intake_app(tree, &notes));
    screens.push(intake_app(tree, &[all.clone(), notes.clone()].concat()));
    screens.push(intake_app(
        tree,
        &[all.clone(), notes, vec![Message::CloseNotes]].concat(),
    ));
    screens.push(intake_app(
        tree,
        &[all.clone(), vec![Message::NextCall]].concat(),
    ));
    screens.push(intake_app(tree, &[all, vec![Message::Export]].concat()));
    let mut walk = Walk::new(tree);
    walk.choose(first);
    let saved = groupfit::session::Session::of(
        &walk,
        "note",
        jiff::Timestamp::UNIX_EPOCH,
        jiff::Timestamp::UNIX_EPOCH,
    );
    let offer = tui::Offer::new(
        saved,
        tree,
        jiff::Timestamp::UNIX_EPOCH,
        &jiff::tz::TimeZone::UTC,
        true,
    );
    screens.push(App::with(
        tree,
        Theme::plain(),
        Features::intake(),
        Some(offer),
    ));
    screens
}

#[test]
fn no_size_makes_any_screen_panic() {
    let sizes = [
        (0, 0),
        (1, 1),
        (2, 2),
        (10, 3),
        (300, 5),
        (5, 300),
        (39, 12),
        (40, 11),
        (40, 12),
        (41, 13),
        (99, 30),
        (100, 30),
        (1000, 12),
        (40, 1000),
        (u16::MAX, 1),
        (1, u16::MAX),
    ];
    for tree in [fixture(), builtin()] {
        for app in every_screen(&tree) {
            for (width, height) in sizes {
                let mut app = app.clone();
                update(&mut app, Message::Resize(width, height));
                for message in [Message::Bottom, Message::PageDown, Message::ScrollUp] {
                    update(&mut app, message);
                }
                let area = Rect::new(0, 0, width, height);
                let mut buffer = Buffer::empty(area);
                (&app).render(area, &mut buffer);
            }
            for width in (0..=130).step_by(26).chain(38..=42).chain(98..=101) {
                for height in (0..=45).step_by(9).chain(10..=14) {
                    let area = Rect::new(0, 0, width, height);
                    let mut buffer = Buffer::empty(area);
                    (&app).render(area, &mut buffer);
                }
            }
        }
    }
}

#[test]
fn a_huge_terminal_gets_a_clamped_drawing_area() {
    let (max_width, max_height) = tui::MAX_AREA;
    assert_eq!(
        tui::drawing_area(u16::MAX, u16::MAX),
        Rect::new(0, 0, max_width, max_height)
    );
    assert_eq!(tui::drawing_area(6000, 30), Rect::new(0, 0, max_width, 30));
    assert_eq!(tui::drawing_area(80, 24), Rect::new(0, 0, 80, 24));
    assert_eq!(tui::drawing_area(0, 0), Rect::new(0, 0, 0, 0));
    // A question, the help and the result draw at the largest area.
    let tree = builtin();
    let area = tui::drawing_area(u16::MAX, u16::MAX);
    for app in every_screen(&tree).into_iter().take(3) {
        let mut app = app.clone();
        update(&mut app, Message::Resize(area.width, area.height));
        let mut terminal = Terminal::new(TestBackend::new(area.width, area.height)).unwrap();
        terminal
            .draw(|frame| frame.render_widget(&app, frame.area()))
            .unwrap();
    }
}

/// A tree whose one question has `options` answers.
fn wide_tree(options: usize) -> Tree {
    let mut text = String::from(
        "[tree]\ntitle = \"Wide\"\nversion = \"1\"\nstart = \"q\"\ndisclaimer = \"A guide.\"\nfallback = \"support\"\n[[question]]\nid = \"q\"\ntext = \"Which?\"\n",
    );
    for i in 1..=options {
        text.push_str(&format!(
            "[[question.option]]\nid = \"o{i}\"\nlabel = \"Answer {i}\"\n"
        ));
    }
    text.push_str("[[outcome]]\nid = \"support\"\nname = \"Support group\"\nsummary = \"s\"\n");
    Tree::load(&Source::new("wide.toml", text)).unwrap().0
}

#[test]
fn a_question_with_very_many_answers_shows_those_around_the_marked_one() {
    let tree = wide_tree(2000);
    let mut app = app(&tree, &[Message::Resize(80, 24)]);
    for _ in 0..999 {
        update(&mut app, Message::Down);
    }
    let middle = screen_text(draw(&app, 80, 24).backend().buffer());
    assert!(
        middle.contains(&format!("{} 1000. Answer 1000", tui::MARKER)),
        "{middle}"
    );
    assert!(middle.contains("Answer 990"), "{middle}");
    assert!(!middle.contains("Answer 1001 "), "{middle}");
    assert!(middle.contains("more above ↑ and below ↓"), "{middle}");
    for _ in 0..2000 {
        update(&mut app, Message::Down);
    }
    let end = screen_text(draw(&app, 80, 24).backend().buffer());
    assert!(
        end.contains(&format!("{} 2000. Answer 2000", tui::MARKER)),
        "{end}"
    );
    assert!(end.contains("more above ↑ "), "{end}");
    assert!(!end.contains("below ↓"), "{end}");
    // The same as a question with few answers, when they all fit.
    let few = wide_tree(3);
    let few = self::app(&few, &[Message::Resize(80, 24)]);
    let top = screen_text(draw(&few, 80, 24).backend().buffer());
    assert!(top.contains("Answer 3") && !top.contains("more"), "{top}");
}

#[test]
fn tabs_show_as_spaces_and_joiners_not_at_all() {
    let text = TREE
        .replace(
            "How much time can you give to a group?",
            "How much time\\tcan you give?\\u200d",
        )
        .replace(
            "I'd like to drop in when I can",
            "Drop in\\twhen I can\\u200d",
        );
    let tree = Tree::load(&Source::new("tabs.toml", text)).unwrap().0;
    let app = app(
        &tree,
        &[
            Message::Resize(80, 24),
            pick(&tree, "safety", "none"),
            pick(&tree, "want", "cope"),
        ],
    );
    let shown = screen_text(draw(&app, 80, 24).backend().buffer());
    assert!(shown.contains("How much time can you give?"), "{shown}");
    assert!(shown.contains("Drop in when I can "), "{shown}");
    assert!(!shown.contains('\u{200d}'), "{shown}");
}

#[test]
fn a_window_that_is_too_small_still_takes_keys() {
    let tree = fixture();
    let mut app = app(&tree, &[Message::Resize(10, 3)]);
    update(&mut app, pick(&tree, "safety", "none"));
    assert_eq!(app.walk().answers().len(), 1);
}

// --- Finding a way through any tree --------------------------------------------------------------

/// A path to a recommendation that asks as many questions as it can: at each question the last
/// answer that goes on, else the first that ends with a recommendation.
fn long_path(tree: &Tree) -> Vec<usize> {
    let mut walk = Walk::new(tree);
    let mut path = Vec::new();
    while let Position::Asking(q) = walk.position() {
        let choices = &tree.questions[q].choices;
        let choice = choices
            .iter()
            .rposition(|c| matches!(c.step, Step::Next(_)))
            .or_else(|| {
                (0..choices.len()).find(|&i| {
                    let mut next = walk.clone();
                    next.choose(i);
                    next.recommendation()
                        .is_ok_and(|r| !tree.outcomes[r.outcome].urgent)
                })
            })
            .unwrap_or(0);
        assert!(walk.choose(choice));
        path.push(choice);
    }
    path
}

/// An answer to the first question that routes straight to an urgent outcome, if there is one.
fn urgent_choice(tree: &Tree) -> Option<usize> {
    tree.questions[tree.start]
        .choices
        .iter()
        .position(|c| matches!(c.step, Step::Outcome(o) if tree.outcomes[o].urgent))
}

fn first_line(explanation: &Explanation) -> String {
    match &explanation.blocks()[0] {
        Block::Urgent(text) | Block::Title(text) => text.clone(),
        other => panic!("the explanation starts with {other:?}"),
    }
}

fn explain(tree: &Tree, path: &[usize]) -> Explanation {
    let mut walk = Walk::new(tree);
    for &choice in path {
        assert!(walk.choose(choice));
    }
    Explanation::of(&walk).unwrap()
}

// --- The real binary in a real terminal (tmux) ---------------------------------------------------

/// A tmux server of its own, with one pane running groupfit; killed when dropped.
struct Pane {
    /// The server's socket, a file of the test's own that is removed with the pane.
    socket: std::path::PathBuf,
}

/// Whether tmux can be used; on CI its absence is a failure, elsewhere the test is skipped.
fn tmux_available(test: &str) -> bool {
    let found = Command::new("tmux")
        .arg("-V")
        .output()
        .is_ok_and(|out| out.status.success());
    let on_ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0");
    assert!(
        found || !on_ci,
        "tmux is not installed, and CI is set, so {test} may not be skipped; install tmux (apt-get install tmux)"
    );
    if !found {
        eprintln!("skipping {test}: tmux is not installed");
    }
    found
}

impl Pane {
    /// Starts groupfit in a terminal of this size, on the given tree file or the built-in tree;
    /// afterwards the pane prints the exit code and `stty -a`, so the terminal's state after
    /// groupfit can be checked.
    fn start(name: &str, width: u16, height: u16, tree: Option<&Path>) -> Pane {
        Pane::start_with(name, width, height, tree, &[], &[])
    }

    /// [`Pane::start`] with more arguments, and environment variables set for groupfit.
    fn start_with(
        name: &str,
        width: u16,
        height: u16,
        tree: Option<&Path>,
        args: &[&str],
        env: &[(&str, &Path)],
    ) -> Pane {
        Pane::start_after(name, width, height, "", tree, args, env)
    }

    /// [`Pane::start_with`] with groupfit's standard output sent to a file.
    fn start_redirected(name: &str, width: u16, height: u16, args: &[&str], output: &Path) -> Pane {
        Pane::launch(name, (width, height), "", None, args, &[], Some(output))
    }

    /// [`Pane::start_with`], running the shell commands `before` in the pane first.
    fn start_after(
        name: &str,
        width: u16,
        height: u16,
        before: &str,
        tree: Option<&Path>,
        args: &[&str],
        env: &[(&str, &Path)],
    ) -> Pane {
        Pane::launch(name, (width, height), before, tree, args, env, None)
    }

    fn launch(
        name: &str,
        (width, height): (u16, u16),
        before: &str,
        tree: Option<&Path>,
        args: &[&str],
        env: &[(&str, &Path)],
        output: Option<&Path>,
    ) -> Pane {
        let quote = |text: &str| format!("'{}'", text.replace('\'', "'\\''"));
        let mut command = quote(env!("CARGO_BIN_EXE_groupfit"));
        if let Some(tree) = tree {
            command.push_str(" --questions ");
            command.push_str(&quote(&tree.display().to_string()));
        }
        for arg in args {
            command.push(' ');
            command.push_str(&quote(arg));
        }
        let mut vars = String::new();
        for (name, value) in env {
            vars.push_str(&format!("{name}={} ", quote(&value.display().to_string())));
        }
        if let Some(output) = output {
            command.push_str(" > ");
            command.push_str(&quote(&output.display().to_string()));
        }
        let script = format!(
            "{before}env -u GROUPFIT_QUESTIONS -u NO_COLOR TERM=xterm-256color {vars}{command}; echo __EXIT:$?; stty -a; echo __DONE; exec sleep 300"
        );
        let pane = Pane {
            socket: std::env::temp_dir()
                .join(format!("groupfit-test-{}-{name}.tmux", std::process::id())),
        };
        pane.tmux(&[
            "new-session",
            "-d",
            "-x",
            &width.to_string(),
            "-y",
            &height.to_string(),
            "/bin/sh",
            "-c",
            &script,
        ]);
        pane
    }

    fn tmux(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .arg("-S")
            .arg(&self.socket)
            .args(["-f", "/dev/null"])
            .args(args)
            .env_remove("TMUX")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "tmux {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn send(&self, key: &str) {
        self.tmux(&["send-keys", "-t", "0", key]);
    }

    /// Types text as it is, without tmux reading key names in it.
    fn type_text(&self, text: &str) {
        self.tmux(&["send-keys", "-t", "0", "-l", text]);
    }

    /// The screen and everything scrolled off it.
    fn capture(&self) -> String {
        self.tmux(&["capture-pane", "-p", "-J", "-t", "0", "-S", "-500"])
    }

    /// Waits until the pane shows `needle`, and returns what it shows.
    fn wait_for(&self, needle: &str) -> String {
        self.wait_until(&format!("{needle:?}"), |text| text.contains(needle))
    }

    /// Waits until what the pane shows passes the test, and returns it.
    fn wait_until(&self, what: &str, passes: impl Fn(&str) -> bool) -> String {
        self.wait_until_within(Duration::from_secs(20), what, passes)
    }

    /// [`Pane::wait_until`] with a patience of its own, for a tree that takes long to read.
    fn wait_until_within(
        &self,
        patience: Duration,
        what: &str,
        passes: impl Fn(&str) -> bool,
    ) -> String {
        let deadline = Instant::now() + patience;
        loop {
            let text = self.capture();
            if passes(&text) {
                return text;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}; the pane shows:\n{text}"
            );
            sleep(Duration::from_millis(50));
        }
    }

    fn alternate_screen(&self) -> bool {
        self.tmux(&["display-message", "-p", "-t", "0", "#{alternate_on}"])
            .trim()
            == "1"
    }

    /// Types the number of an answer, or moves to it and presses Enter past 9.
    fn choose(&self, choice: usize) {
        if choice < 9 {
            self.send(&(choice + 1).to_string());
        } else {
            for _ in 0..choice {
                self.send("Down");
            }
            self.send("Enter");
        }
    }

    fn groupfit_pid(&self) -> String {
        let shell = self.tmux(&["display-message", "-p", "-t", "0", "#{pane_pid}"]);
        let shell = shell.trim();
        std::fs::read_to_string(format!("/proc/{shell}/task/{shell}/children"))
            .unwrap()
            .split_whitespace()
            .next()
            .unwrap_or_else(|| panic!("groupfit is not running under the pane's shell {shell}"))
            .to_owned()
    }
}

impl Drop for Pane {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .arg("-S")
            .arg(&self.socket)
            .arg("kill-server")
            .env_remove("TMUX")
            .output();
        let _ = std::fs::remove_file(&self.socket);
    }
}

/// The terminal is back in cooked mode with echo: `stty -a` shows "icanon" and "echo" unnegated.
fn assert_terminal_sane(text: &str) {
    let flags: Vec<&str> = text.split_whitespace().collect();
    for flag in ["icanon", "echo", "isig"] {
        assert!(
            flags.contains(&flag) && !flags.contains(&format!("-{flag}").as_str()),
            "'{flag}' is not set after groupfit:\n{text}"
        );
    }
}

fn question(k: usize) -> String {
    format!("Question {k} of at most")
}

/// The fixture written to a file for the binary to read.
fn fixture_file() -> tempfile::NamedTempFile {
    let mut file = tempfile::NamedTempFile::new().unwrap();
    std::io::Write::write_all(&mut file, TREE.as_bytes()).unwrap();
    file
}

/// Walks a path, goes back once and chooses again, finishes, changes the last answer from the
/// result, finishes again and quits; the report must then be on the normal screen.
fn walk_back_finish_and_quit(name: &str, tree: &Tree, file: Option<&Path>) {
    let path = long_path(tree);
    let explanation = explain(tree, &path);
    let headline = first_line(&explanation);
    let pane = Pane::start(name, 100, 30, file);
    pane.wait_for(&question(1));
    assert!(pane.alternate_screen());

    pane.choose(path[0]);
    if path.len() > 1 {
        pane.wait_for(&question(2));
        pane.send("BSpace");
        pane.wait_for(&question(1));
        pane.choose(path[0]);
        pane.wait_for(&question(2));
    }
    for (k, &choice) in path.iter().enumerate().skip(1) {
        pane.choose(choice);
        if k + 1 < path.len() {
            pane.wait_for(&question(k + 2));
        }
    }
    pane.wait_for(&headline);
    pane.send("h");
    pane.wait_for(&question(path.len()));
    pane.choose(path[path.len() - 1]);
    pane.wait_for(&headline);
    pane.send("q");

    let text = pane.wait_for("__DONE");
    assert!(!pane.alternate_screen(), "still on the alternate screen");
    assert!(text.contains("__EXIT:0"), "{text}");
    let report = explanation.to_text(groupfit::commands::REPORT_WIDTH);
    let printed = text.split("__EXIT").next().unwrap();
    for line in report.lines().filter(|l| !l.trim().is_empty()) {
        assert!(
            printed.contains(line.trim_end()),
            "the report lacks {line:?}:\n{text}"
        );
    }
    assert!(
        !printed.contains("? help"),
        "the questionnaire's screen was left behind:\n{text}"
    );
    assert_terminal_sane(&text);
}

#[test]
fn terminal_walk_back_finish_and_the_report_stays_in_the_scrollback() {
    if !tmux_available("terminal_walk_back_finish_and_the_report_stays_in_the_scrollback") {
        return;
    }
    walk_back_finish_and_quit("walk-builtin", &builtin(), None);
    let file = fixture_file();
    walk_back_finish_and_quit("walk-fixture", &fixture(), Some(file.path()));
}

#[test]
fn terminal_with_output_redirected_asks_on_screen_and_writes_the_report_to_the_file() {
    if !tmux_available(
        "terminal_with_output_redirected_asks_on_screen_and_writes_the_report_to_the_file",
    ) {
        return;
    }
    let tree = builtin();
    let path = long_path(&tree);
    let explanation = explain(&tree, &path);
    let headline = first_line(&explanation);
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.txt");
    let pane = Pane::start_redirected("redirected", 100, 30, &[], &report);
    pane.wait_for(&question(1));
    assert!(pane.alternate_screen(), "not the full-screen questionnaire");
    for (k, &choice) in path.iter().enumerate() {
        pane.choose(choice);
        if k + 1 < path.len() {
            pane.wait_for(&question(k + 2));
        }
    }
    pane.wait_for(&headline);
    pane.send("q");
    let text = pane.wait_for("__DONE");
    assert!(text.contains("__EXIT:0"), "{text}");
    assert!(
        text.contains("the report was written to the redirected output"),
        "{text}"
    );
    assert_terminal_sane(&text);
    let written = std::fs::read_to_string(&report).unwrap();
    assert_eq!(
        written,
        explanation.to_text(groupfit::commands::REPORT_WIDTH),
        "the file holds exactly the report"
    );
}

#[test]
fn terminal_no_report_leaves_the_result_out_of_the_scrollback() {
    if !tmux_available("terminal_no_report_leaves_the_result_out_of_the_scrollback") {
        return;
    }
    let tree = fixture();
    let file = fixture_file();
    let path = long_path(&tree);
    let explanation = explain(&tree, &path);
    let headline = first_line(&explanation);
    let pane = Pane::start_with(
        "no-report",
        100,
        30,
        Some(file.path()),
        &["--no-report"],
        &[],
    );
    pane.wait_for(&question(1));
    for (k, &choice) in path.iter().enumerate() {
        pane.choose(choice);
        if k + 1 < path.len() {
            pane.wait_for(&question(k + 2));
        }
    }
    pane.wait_for(&headline);
    pane.send("q");
    let text = pane.wait_for("__DONE");
    assert!(text.contains("__EXIT:0"), "{text}");
    let printed = text.split("__EXIT").next().unwrap();
    assert!(
        !printed.contains(headline.trim()),
        "the result was printed:\n{text}"
    );
    for why in &explanation.why {
        assert!(
            !printed.contains(why.as_str()),
            "{why:?} was printed:\n{text}"
        );
    }
    assert_terminal_sane(&text);
}

fn quit_after_one_answer(name: &str, tree: &Tree, file: Option<&Path>) {
    let path = long_path(tree);
    let pane = Pane::start(name, 80, 24, file);
    pane.wait_for(&question(1));
    pane.choose(path[0]);
    pane.wait_for(&question(2));
    pane.send("q");
    pane.wait_for("Your answers will be lost.");
    pane.send("n");
    let text = pane.wait_until("the question again, without the popup", |text| {
        text.contains(&question(2)) && !text.contains("Your answers will be lost.")
    });
    assert!(text.contains(&question(2)), "{text}");
    pane.send("q");
    pane.wait_for("Your answers will be lost.");
    pane.send("y");
    let text = pane.wait_for("__DONE");
    assert!(text.contains("Stopped. Nothing was recommended"), "{text}");
    assert!(text.contains("__EXIT:0"), "{text}");
    assert_terminal_sane(&text);
}

#[test]
fn terminal_quit_asks_first_when_answers_would_be_lost() {
    if !tmux_available("terminal_quit_asks_first_when_answers_would_be_lost") {
        return;
    }
    let file = fixture_file();
    quit_after_one_answer("quit-fixture", &fixture(), Some(file.path()));
    let tree = builtin();
    if long_path(&tree).len() > 1 {
        quit_after_one_answer("quit-builtin", &tree, None);
    }
}

#[test]
fn terminal_resizing_and_ctrl_c() {
    if !tmux_available("terminal_resizing_and_ctrl_c") {
        return;
    }
    let pane = Pane::start("resize", 80, 24, None);
    pane.wait_for(&question(1));
    pane.tmux(&["resize-window", "-t", "0", "-x", "30", "-y", "10"]);
    pane.wait_for("it is now 30×10");
    pane.tmux(&["resize-window", "-t", "0", "-x", "80", "-y", "24"]);
    pane.wait_for(&question(1));
    pane.send("C-c");
    let text = pane.wait_for("__DONE");
    assert!(text.contains("__EXIT:130"), "{text}");
    assert!(!pane.alternate_screen());
    assert_terminal_sane(&text);
}

#[test]
fn terminal_sigterm_restores_the_terminal() {
    if !tmux_available("terminal_sigterm_restores_the_terminal") {
        return;
    }
    let pane = Pane::start("sigterm", 80, 24, None);
    pane.wait_for(&question(1));
    let pid = pane.groupfit_pid();
    let killed = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    assert!(killed.success());
    let text = pane.wait_for("__DONE");
    assert!(text.contains("__EXIT:143"), "{text}");
    assert!(!pane.alternate_screen());
    assert_terminal_sane(&text);
}

/// Sends a signal to a process by its id.
fn signal(pid: &str, name: &str) {
    let sent = Command::new("kill")
        .args([&format!("-{name}"), pid])
        .status()
        .unwrap();
    assert!(sent.success(), "kill -{name} {pid}");
}

/// Bytes that start a key sequence and never finish it: CSI, an SGR mouse report, a modified
/// key, a UTF-8 lead byte, and a bracketed paste with no end.
const PARTIAL_SEQUENCES: &[&[&str]] = &[
    &["1b", "5b"],
    &["1b", "5b", "3c"],
    &["1b", "5b", "31", "3b", "35"],
    &["c3"],
    &["1b", "5b", "32", "30", "30", "7e"],
];

/// Starts groupfit, sends `bytes` (hex) and then `ending`, and checks that it exits with `code`
/// and leaves the terminal as it found it.
fn ends_after_partial_sequence(name: &str, bytes: &[&str], ending: &str, code: u8) {
    let pane = Pane::start(name, 80, 24, None);
    pane.wait_for(&question(1));
    let pid = pane.groupfit_pid();
    let mut keys = vec!["send-keys", "-t", "0", "-H"];
    keys.extend_from_slice(bytes);
    match ending {
        // Ctrl-C in the same write as the unfinished sequence, so it lands inside it.
        "C-c" => {
            keys.push("03");
            pane.tmux(&keys);
        }
        // Ctrl-C once the sequence has been given up.
        "C-c later" => {
            pane.tmux(&keys);
            sleep(tui::SEQUENCE_TIMEOUT.max(tui::PASTE_TIMEOUT) * 2);
            pane.send("C-c");
        }
        // A signal while the sequence is still unfinished: no key follows it.
        signal_name => {
            pane.tmux(&keys);
            signal(&pid, signal_name);
        }
    }
    let text = pane.wait_for("__DONE");
    assert!(
        text.contains(&format!("__EXIT:{code}")),
        "{bytes:?} then {ending}:\n{text}"
    );
    assert!(!pane.alternate_screen(), "{bytes:?} then {ending}");
    assert_terminal_sane(&text);
}

#[test]
fn terminal_signals_and_ctrl_c_end_it_after_a_partial_key_sequence() {
    if !tmux_available("terminal_signals_and_ctrl_c_end_it_after_a_partial_key_sequence") {
        return;
    }
    for (k, bytes) in PARTIAL_SEQUENCES.iter().enumerate() {
        ends_after_partial_sequence(&format!("partial-{k}-term"), bytes, "TERM", 143);
        ends_after_partial_sequence(&format!("partial-{k}-ctrl-c"), bytes, "C-c", 130);
        ends_after_partial_sequence(&format!("partial-{k}-later"), bytes, "C-c later", 130);
    }
    let bytes = PARTIAL_SEQUENCES[0];
    ends_after_partial_sequence("partial-int", bytes, "INT", 130);
    ends_after_partial_sequence("partial-hup", bytes, "HUP", 129);
}

#[test]
#[cfg(unix)]
fn terminal_every_key_of_a_burst_is_handled() {
    if !tmux_available("terminal_every_key_of_a_burst_is_handled") {
        return;
    }
    let state = tempfile::tempdir().unwrap();
    let exports = tempfile::tempdir().unwrap();
    let saved = state.path().join("groupfit").join("session.json");
    let args = ["--intake", "--export-dir", exports.path().to_str().unwrap()];
    let pane = Pane::start_with(
        "burst",
        100,
        30,
        None,
        &args,
        &[("XDG_STATE_HOME", state.path())],
    );
    pane.wait_for(&question(1));
    pane.send("n");
    pane.wait_for("Notes about the call");
    // Three thousand keys, typed faster than any person, each one a letter in the notes.
    for _ in 0..3 {
        pane.type_text(&"j".repeat(1000));
    }
    let notes = "j".repeat(3000);
    let text = wait_for_file(&saved, &notes);
    assert!(!text.contains(&format!("{notes}j")), "more keys than sent");
    // Ctrl-C quits at once even behind a burst far longer than can be handled in that time.
    for _ in 0..30 {
        pane.type_text(&"j".repeat(1000));
    }
    pane.send("C-c");
    let text = pane.wait_for("__DONE");
    assert!(text.contains("__EXIT:130"), "{text}");
    assert_terminal_sane(&text);
}

#[test]
fn terminal_a_huge_terminal_is_drawn_in_a_clamped_area() {
    if !tmux_available("terminal_a_huge_terminal_is_drawn_in_a_clamped_area") {
        return;
    }
    // The pane is small, but the terminal says it is 65535 × 65535.
    let pane = Pane::start_after(
        "huge",
        80,
        24,
        "stty rows 65535 cols 65535; ",
        None,
        &[],
        &[],
    );
    pane.wait_for("answer");
    let pid = pane.groupfit_pid();
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let peak_kib: u64 = status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap();
    // Two buffers of the clamped area, not of four billion cells.
    assert!(peak_kib < 400 * 1024, "{peak_kib} KiB at the peak");
    pane.send("C-c");
    let text = pane.wait_for("__DONE");
    assert!(text.contains("__EXIT:130"), "{text}");
    assert_terminal_sane(&text);
}

/// Waits until a file exists and holds `needle`, and returns its text.
fn wait_for_file(path: &Path, needle: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        if text.contains(needle) {
            return text;
        }
        assert!(
            Instant::now() < deadline,
            "timed out waiting for {needle:?} in {}; it holds:\n{text}",
            path.display()
        );
        sleep(Duration::from_millis(50));
    }
}

/// Files in a folder whose names end with `suffix`.
fn files_ending(dir: &Path, suffix: &str) -> Vec<std::path::PathBuf> {
    let mut found: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.to_string_lossy().ends_with(suffix))
        .collect();
    found.sort();
    found
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// The keys for one answer of the built-in tree, found by ids so edits to wording do not matter.
fn key_for(tree: &Tree, question: &str, option: &str) -> String {
    let q = tree.question_ix(question).unwrap();
    (tree.choice_ix(q, option).unwrap() + 1).to_string()
}

#[test]
#[cfg(unix)]
fn terminal_intake_call_survives_a_kill_and_is_exported() {
    if !tmux_available("terminal_intake_call_survives_a_kill_and_is_exported") {
        return;
    }
    let tree = builtin();
    let state = tempfile::tempdir().unwrap();
    let exports = tempfile::tempdir().unwrap();
    let saved = state.path().join("groupfit").join("session.json");
    let args = ["--intake", "--export-dir", exports.path().to_str().unwrap()];
    let env = [("XDG_STATE_HOME", state.path())];
    let answers = [
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

    // Two answers, each saved as soon as it is given; then the process dies.
    let pane = Pane::start_with("intake-kill", 100, 30, None, &args, &env);
    pane.wait_for(&question(1));
    pane.wait_for("Still possible");
    pane.wait_for("For staff:");
    pane.send(&key_for(&tree, "safety", "none"));
    pane.wait_for(&question(2));
    pane.send(&key_for(&tree, "age", "adult"));
    pane.wait_for(&question(3));
    wait_for_file(&saved, "\"adult\"");
    assert_eq!(mode(&saved), 0o600);
    assert_eq!(mode(saved.parent().unwrap()), 0o700);
    let pid = pane.groupfit_pid();
    assert!(
        Command::new("kill")
            .args(["-KILL", &pid])
            .status()
            .unwrap()
            .success()
    );
    // Wait for the process itself to be gone: after SIGKILL the terminal is left raw, so what the
    // shell prints next may staircase off the alternate screen before it can be read.
    let proc = std::path::PathBuf::from(format!("/proc/{pid}"));
    let deadline = Instant::now() + Duration::from_secs(20);
    while proc.exists() {
        assert!(Instant::now() < deadline, "groupfit {pid} did not die");
        sleep(Duration::from_millis(20));
    }
    drop(pane);

    // Started again, it offers the call, and resumes at the third question.
    let pane = Pane::start_with("intake-resume", 100, 30, None, &args, &env);
    let offer = pane.wait_for("Unfinished call");
    assert!(offer.contains("2 answers"), "{offer}");
    pane.send("r");
    pane.wait_for("Resumed the call");
    pane.wait_for(&question(3));
    for (k, (question_id, option)) in answers.iter().enumerate().skip(2) {
        pane.wait_for(&question(k + 1));
        pane.send(&key_for(&tree, question_id, option));
    }
    pane.wait_for("Provisional recommendation: Therapy group");

    // A note typed on the result screen is saved and shown.
    pane.send("n");
    pane.wait_for("Notes about the call");
    pane.type_text("Prefers evenings; call back Tuesday.");
    wait_for_file(&saved, "Prefers evenings; call back Tuesday.");
    pane.send("Escape");
    pane.send("End");
    // Closed, the note is at the end of the result.
    pane.wait_until("the note at the end of the result", |text| {
        !text.contains("Notes about the call")
            && text.contains("Prefers evenings; call back Tuesday.")
    });

    // Export: staff initials and the caller's reference are asked once, then both files,
    // owner-only, and the autosave is gone.
    pane.send("e");
    pane.wait_for("For the record: staff");
    pane.type_text("JM");
    pane.send("Enter");
    pane.wait_for("For the record: caller reference");
    pane.type_text("C-42");
    pane.send("Enter");
    pane.wait_for("Summary written to");
    let markdown = files_ending(exports.path(), ".md");
    let json = files_ending(exports.path(), ".json");
    assert_eq!(
        (markdown.len(), json.len()),
        (1, 1),
        "{markdown:?} {json:?}"
    );
    assert_eq!(mode(&markdown[0]), 0o600);
    assert_eq!(mode(&json[0]), 0o600);
    assert!(
        !saved.exists(),
        "the autosave is deleted once the call is exported"
    );

    let text = std::fs::read_to_string(&markdown[0]).unwrap();
    for expected in [
        "# Intake record",
        "**Call started:**",
        "**Length of call:**",
        "- **Staff:** JM",
        "- **Caller reference:** C-42",
        "version 2026",
        &format!("SHA-256 `{}`", tree.sha256),
        "## Recommendation: Therapy group",
        "### Why this fits",
        "> Prefers evenings; call back Tuesday.",
        "It is not a diagnosis",
    ] {
        assert!(
            text.contains(expected),
            "the summary lacks {expected:?}:\n{text}"
        );
    }
    // Every answer in the record's own words, none in the first person.
    for (question_id, option) in answers.iter().skip(1) {
        let q = tree.question_ix(question_id).unwrap();
        let question = &tree.questions[q];
        let wording = question.record.as_deref().unwrap();
        let choice = &question.choices[tree.choice_ix(q, option).unwrap()];
        let label = choice.intake_label.as_deref().unwrap();
        assert!(text.contains(wording), "the summary lacks {wording:?}");
        assert!(text.contains(label), "the summary lacks {label:?}");
    }
    assert!(!text.contains("Caller chose"), "{text}");

    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json[0]).unwrap()).unwrap();
    assert_eq!(summary["outcome"]["id"], "therapy");
    assert_eq!(summary["notes"], "Prefers evenings; call back Tuesday.");
    assert!(summary["started"].as_str().unwrap().starts_with("20"));

    // The exported JSON replays to the same recommendation.
    let replayed = Command::new(env!("CARGO_BIN_EXE_groupfit"))
        .args(["answer", "--format", "json", "--answers"])
        .arg(&json[0])
        .env_remove("GROUPFIT_QUESTIONS")
        .output()
        .unwrap();
    assert!(
        replayed.status.success(),
        "{}",
        String::from_utf8_lossy(&replayed.stderr)
    );
    let replayed: serde_json::Value = serde_json::from_slice(&replayed.stdout).unwrap();
    assert_eq!(replayed["outcome"], summary["outcome"]);
    assert_eq!(replayed["why"], summary["why"]);

    // The status line shows each file whole, on a line of its own.
    let shown = pane.capture();
    for file in [&markdown[0], &json[0]] {
        let path = file.display().to_string();
        assert!(
            shown.lines().any(|l| l.trim() == path),
            "{path} is not shown whole:\n{shown}"
        );
    }

    // Quitting after the export asks nothing and leaves the report, with the notes, in the
    // scrollback.
    pane.send("q");
    let text = pane.wait_for("__DONE");
    assert!(text.contains("__EXIT:0"), "{text}");
    assert!(
        text.contains("Summary of the call with caller reference \"C-42\" (started at "),
        "the report says whose summary it is: {text}"
    );
    assert!(text.contains(") written to:\n  /"), "{text}");
    let printed = text.split("__EXIT").next().unwrap();
    for line in printed
        .lines()
        .filter(|line| !line.trim_start().starts_with('/'))
    {
        assert!(
            line.trim_end().chars().count() <= groupfit::commands::REPORT_WIDTH,
            "the report runs past its width: {line:?}"
        );
    }
    assert!(
        text.contains("Notes\n  Prefers evenings; call back Tuesday."),
        "{text}"
    );
    assert_terminal_sane(&text);
    assert!(!saved.exists());
}

#[test]
#[cfg(unix)]
fn terminal_the_report_shows_control_characters_in_notes_and_tree_visibly() {
    if !tmux_available("terminal_the_report_shows_control_characters_in_notes_and_tree_visibly") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let tree = dir.path().join("hostile.toml");
    std::fs::write(
        &tree,
        TREE.replace(
            "People who share one problem",
            r"People\u001B[2J who share one problem",
        ),
    )
    .unwrap();
    let state = tempfile::tempdir().unwrap();
    let args = ["--intake", "--export-dir", dir.path().to_str().unwrap()];
    let pane = Pane::start_with(
        "hostile",
        100,
        30,
        Some(&tree),
        &args,
        &[("XDG_STATE_HOME", state.path())],
    );
    pane.wait_for(&question(1));
    // A note pasted with a window title and a screen clear in it.
    pane.send("n");
    pane.wait_for("Notes about the call");
    let mut paste = vec![
        "send-keys",
        "-t",
        "0",
        "-H",
        "1b",
        "5b",
        "32",
        "30",
        "30",
        "7e",
    ];
    let hex: Vec<String> = "\u{1b}]0;PWNED\u{7}\u{1b}[2JCalled back"
        .bytes()
        .map(|b| format!("{b:02x}"))
        .collect();
    paste.extend(hex.iter().map(String::as_str));
    paste.extend(["1b", "5b", "32", "30", "31", "7e"]);
    pane.tmux(&paste);
    pane.wait_for("Called back");
    pane.send("Escape");
    // Each key once the screen has taken the last: an Escape and a digit read together are
    // Alt with the digit.
    pane.wait_until("the notes closed", |text| {
        !text.contains("Notes about the call")
    });
    let tree = fixture();
    for (k, (question, option)) in [
        ("safety", "none"),
        ("want", "cope"),
        ("commitment", "dropin"),
        ("outside", "friends"),
    ]
    .into_iter()
    .enumerate()
    {
        pane.wait_for(&self::question(k + 1));
        pane.send(&key_for(&tree, question, option));
    }
    pane.wait_for("Support group");
    // The summary was not exported, so quitting asks first.
    pane.send("q");
    pane.wait_for("Press y to quit");
    pane.send("y");
    let text = pane.wait_for("__DONE");
    assert!(text.contains("__EXIT:0"), "{text}");
    assert!(
        text.contains(r"\u001B]0;PWNED\u0007\u001B[2JCalled back"),
        "{text}"
    );
    assert!(text.contains(r"People\u001B[2J who share"), "{text}");
    let title = pane.tmux(&["display-message", "-p", "-t", "0", "#{pane_title}"]);
    assert!(
        !title.contains("PWNED"),
        "the window title was set to {title}"
    );
    assert_terminal_sane(&text);
}

/// A mother calls about her 16-year-old, who has posted that she wants to die and is locked in
/// her room. The worker keys what they hear: Enter by reflex (nothing happens), the danger to
/// someone else, and "nothing else"; the result is the help for the one who is worried, with its
/// guidance for staff.
#[test]
fn terminal_a_parent_calls_about_her_child() {
    if !tmux_available("terminal_a_parent_calls_about_her_child") {
        return;
    }
    let tree = builtin();
    let state = tempfile::tempdir().unwrap();
    let exports = tempfile::tempdir().unwrap();
    let args = ["--intake", "--export-dir", exports.path().to_str().unwrap()];
    let env = [("XDG_STATE_HOME", state.path())];
    let pane = Pane::start_with("intake-parent", 100, 30, None, &args, &env);
    pane.wait_for(&question(1));
    let first = pane.wait_for("8. None of these is true right now");
    assert!(first.contains("4. Someone I am worried about"), "{first}");
    assert!(
        !first.contains(tui::MARKER),
        "nothing is marked at first:\n{first}"
    );

    pane.send("Enter");
    // Another key after Enter, so that the screen is known to have handled the Enter.
    pane.send("?");
    pane.wait_for("Why we ask this");
    pane.send("?");
    let text = pane.wait_until("the help closed", |t| !t.contains("Why we ask this"));
    assert!(
        text.contains(&question(1)),
        "Enter alone chose nothing:\n{text}"
    );

    pane.send(&key_for(&tree, "safety", "someone_else"));
    // Each answer keeps the number it had, so keys pressed from habit mean the same. (The
    // screen is read once it is whole: tmux may show it halfway through a redraw.)
    let follow_up = pane.wait_until("the follow-up question", |text| {
        text.contains("is anything else on this list also true")
            && text.contains("8. No, nothing else on the list")
    });
    assert!(follow_up.contains("(already chosen)"), "{follow_up}");
    pane.send(&key_for(&tree, "safety", "none"));

    let result = pane.wait_for("How to help the person you are worried about");
    for words in [
        "For staff: The caller is worried about someone else",
        "Read this first",
        "1-800-222-1222",
    ] {
        let text = pane.wait_until(&format!("{words:?} on the result"), |text| {
            text.contains(words)
        });
        assert!(text.contains(words));
    }
    assert!(!result.contains("Provisional"), "{result}");
    assert!(!result.contains("!!"), "{result}");
    assert!(
        !result.contains("You told us you are having thoughts"),
        "{result}"
    );

    // Before the record is exported, staff say what was done; it cannot be left empty.
    pane.send("e");
    pane.wait_for("For the record: staff");
    pane.send("Enter");
    pane.wait_for("For the record: caller reference");
    pane.send("Enter");
    pane.wait_for("For the record: what was done");
    pane.send("Enter");
    pane.wait_for("before the record is exported");
    pane.type_text("Warm transfer to 988; caller stayed with her daughter.");
    pane.send("Enter");
    pane.wait_for("Summary written to");
    let markdown = files_ending(exports.path(), ".md");
    assert_eq!(markdown.len(), 1, "{markdown:?}");
    let text = std::fs::read_to_string(&markdown[0]).unwrap();
    for expected in [
        "## What was done\n\n> Warm transfer to 988; caller stayed with her daughter.",
        "| Someone the caller is worried about may be thinking of suicide, or is in danger right now | Yes |",
        "| The caller is having thoughts of ending their life or of not wanting to be alive, or has been getting ready to (for example, saving up pills) | No |",
    ] {
        assert!(
            text.contains(expected),
            "the record lacks {expected:?}:\n{text}"
        );
    }
    assert!(!text.contains("I am having thoughts"), "{text}");
    assert!(!text.contains("Staff:"), "left out, so not given: {text}");
    pane.send("C-c");
    pane.wait_for("__DONE");
}

/// A tree 100,000 questions deep opens in intake, with where the call can still go worked out,
/// takes an answer, and quits with the terminal put back: nothing recurses on the depth.
#[test]
fn terminal_intake_on_a_chain_100000_questions_deep() {
    if !tmux_available("terminal_intake_on_a_chain_100000_questions_deep") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let chain = dir.path().join("chain.toml");
    std::fs::write(&chain, trees::chain(100_000, false)).unwrap();
    let state = tempfile::tempdir().unwrap();
    let args = ["--intake", "--export-dir", dir.path().to_str().unwrap()];
    let pane = Pane::start_with(
        "deep-chain",
        120,
        30,
        Some(&chain),
        &args,
        &[("XDG_STATE_HOME", state.path())],
    );
    // Reading 18 MB of tree takes a while in a test build on a busy machine.
    let first = pane.wait_until_within(Duration::from_mins(2), "the first question", |text| {
        text.contains("Q0?") && text.contains("Still possible") || text.contains("__DONE")
    });
    assert!(first.contains("Question 1 of at most 100000"), "{first}");
    assert!(pane.alternate_screen());
    pane.send("1");
    pane.wait_for("Q1?");
    pane.send("q");
    pane.wait_for("y yes");
    pane.send("y");
    let text = pane.wait_for("__DONE");
    assert!(!pane.alternate_screen(), "still on the alternate screen");
    assert!(text.contains("__EXIT:0"), "{text}");
    assert!(!text.contains("overflow"), "{text}");
    assert_terminal_sane(&text);
}
