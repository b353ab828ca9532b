//! One keystroke handled and the screen redrawn into ratatui's `TestBackend`, at 80×24 and 120×40.
//!
//! Run with `cargo bench --bench keystroke`. Each sample turns a key into a message, updates the
//! app and draws the whole frame, as the event loop does; the median and 99th percentile are shown.
//! Intake mode is measured too: each answer there also works out which outcomes are still possible,
//! and each key typed into the notes box edits and redraws it. A question with 10, 10 000 and
//! 100 000 answers shows that a key costs the same whatever the number of answers. Last, intake
//! on a chain 100 000 questions deep, answering on and now and then going back, where each
//! answer works out where the call can still go.

#![allow(clippy::cast_precision_loss, clippy::cast_sign_loss)] // percentiles of a few thousand samples

use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent};
use groupfit::source::Source;
use groupfit::tree::Tree;
use groupfit::tui::{App, Features, Message, Theme, message_for, update};
use groupfit::walk::Position;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

#[path = "../tests/support/trees.rs"]
mod trees;

fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    samples.sort();
    let index = ((samples.len() - 1) as f64 * p).round() as usize;
    samples[index]
}

/// A tree whose one question has `options` answers, all ending the walk.
fn wide_tree(options: usize) -> Tree {
    let mut text = String::from(
        "[tree]\ntitle = \"Wide\"\nversion = \"1\"\nstart = \"q\"\ndisclaimer = \"A guide.\"\nfallback = \"support\"\n[[question]]\nid = \"q\"\ntext = \"Which?\"\n",
    );
    for i in 0..options {
        text.push_str(&format!(
            "[[question.option]]\nid = \"o{i}\"\nlabel = \"Answer number {i}, which is long enough to wrap onto a second line on a narrow window\"\n"
        ));
    }
    text.push_str("[[outcome]]\nid = \"support\"\nname = \"Support group\"\nsummary = \"s\"\n");
    Tree::load(&Source::new("wide.toml", text))
        .expect("the wide tree loads")
        .0
}

/// Moving through a question with very many answers: a key must cost the same for any number.
fn many_answers(rounds: usize) {
    for options in [10, 10_000, 100_000] {
        let tree = wide_tree(options);
        let mut terminal = Terminal::new(TestBackend::new(80, 24)).expect("test backend");
        let mut app = App::with(&tree, Theme::plain(), Features::default(), None);
        let mut samples = Vec::with_capacity(rounds);
        for round in 0..rounds {
            // Down through the middle of the list, and back up now and then.
            let key = if round % 10 == 9 {
                KeyCode::Up
            } else {
                KeyCode::Down
            };
            let start = Instant::now();
            if let Some(message) = message_for(KeyEvent::from(key), &app.screen(), app.features()) {
                update(&mut app, message);
            }
            terminal
                .draw(|frame| frame.render_widget(&app, frame.area()))
                .expect("draw");
            samples.push(start.elapsed());
        }
        println!(
            "80×24 one question with {options} answers: median {:.1} µs, p99 {:.1} µs over {} keystrokes",
            percentile(&mut samples, 0.5).as_secs_f64() * 1e6,
            percentile(&mut samples, 0.99).as_secs_f64() * 1e6,
            samples.len()
        );
    }
}

/// Intake on a chain 100 000 questions deep: four answers on, one back, and again.
fn deep_chain(quick: bool) {
    let depth = if quick { 1_000 } else { 100_000 };
    let keys = if quick { 20 } else { 500 };
    let tree = Tree::load(&Source::new("chain.toml", trees::chain(depth, false)))
        .expect("the chain loads")
        .0;
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).expect("test backend");
    let features = Features::intake();
    let mut app = App::with(&tree, Theme::plain(), features, None);
    let mut samples = Vec::with_capacity(keys);
    for k in 0..keys {
        let key = if k % 5 == 4 {
            KeyCode::Left
        } else {
            KeyCode::Char('1')
        };
        let start = Instant::now();
        if let Some(message) = message_for(KeyEvent::from(key), &app.screen(), features) {
            update(&mut app, message);
        }
        terminal
            .draw(|frame| frame.render_widget(&app, frame.area()))
            .expect("draw");
        samples.push(start.elapsed());
    }
    println!(
        "120×40 intake, chain {depth} deep: median {:.1} µs, p99 {:.1} µs over {} keystrokes",
        percentile(&mut samples, 0.5).as_secs_f64() * 1e6,
        percentile(&mut samples, 0.99).as_secs_f64() * 1e6,
        samples.len()
    );
}

fn main() {
    let quick = !std::env::args().any(|a| a == "--bench");
    let rounds = if quick { 50 } else { 5_000 };
    many_answers(rounds);
    let (tree, _) = Tree::load(&Source::builtin()).expect("the built-in tree loads");
    let modes = [("", Features::default()), ("intake ", Features::intake())];
    for ((width, height), (mode, features)) in [(80u16, 24u16), (120, 40)]
        .into_iter()
        .flat_map(|size| modes.map(|mode| (size, mode)))
    {
        let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("test backend");
        let mut app = App::with(&tree, Theme::plain(), features, None);
        let mut question = Vec::with_capacity(rounds);
        let mut result = Vec::with_capacity(rounds);
        let mut notes = Vec::with_capacity(rounds);
        for _ in 0..rounds {
            // Walk the questions: move down, then type the number of the last answer, one
            // keystroke each. The last answer of the first question is "none of these", so the
            // walk goes through every question rather than straight to the crisis result.
            let mut finished = false;
            while !finished {
                let last = match app.walk().position() {
                    Position::Asking(q) => tree.questions[q].choices.len(),
                    Position::Finished => 1,
                };
                let digit =
                    char::from_digit(u32::try_from(last.min(9)).unwrap_or(1), 10).unwrap_or('1');
                for key in [KeyCode::Down, KeyCode::Char(digit)] {
                    let start = Instant::now();
                    if let Some(message) = message_for(KeyEvent::from(key), &app.screen(), features)
                    {
                        update(&mut app, message);
                    }
                    terminal
                        .draw(|frame| frame.render_widget(&app, frame.area()))
                        .expect("draw");
                    question.push(start.elapsed());
                    if app.result().is_some() {
                        finished = true;
                        break;
                    }
                }
            }
            // Scroll the result, then start again.
            for key in [KeyCode::Down, KeyCode::PageDown, KeyCode::Up] {
                let start = Instant::now();
                if let Some(message) = message_for(KeyEvent::from(key), &app.screen(), features) {
                    update(&mut app, message);
                }
                terminal
                    .draw(|frame| frame.render_widget(&app, frame.area()))
                    .expect("draw");
                result.push(start.elapsed());
            }
            if features.intake {
                update(&mut app, Message::Notes);
                for c in "Calm; call back Tuesday.".chars() {
                    let start = Instant::now();
                    if let Some(message) =
                        message_for(KeyEvent::from(KeyCode::Char(c)), &app.screen(), features)
                    {
                        update(&mut app, message);
                    }
                    terminal
                        .draw(|frame| frame.render_widget(&app, frame.area()))
                        .expect("draw");
                    notes.push(start.elapsed());
                }
                update(&mut app, Message::CloseNotes);
                update(&mut app, Message::NextCall);
            } else {
                update(&mut app, Message::Restart);
            }
            update(&mut app, Message::Yes);
        }
        for (name, samples) in [
            ("question screen", &mut question),
            ("result screen", &mut result),
            ("notes box", &mut notes),
        ] {
            if samples.is_empty() {
                continue;
            }
            println!(
                "{width}×{height} {mode}{name}: median {:.1} µs, p99 {:.1} µs over {} keystrokes",
                percentile(samples, 0.5).as_secs_f64() * 1e6,
                percentile(samples, 0.99).as_secs_f64() * 1e6,
                samples.len()
            );
        }
    }
    deep_chain(quick);
}
