//! One keystroke handled and the screen redrawn into ratatui's `TestBackend`, at 80×24 and 120×40.
//!
//! Run with `cargo bench --bench keystroke`. Each sample turns a key into a message, updates the
//! app and draws the whole frame, as the event loop does; the median and 99th percentile are shown.
//! Intake mode is measured too: each answer there also works out which outcomes are still possible,
//! and each key typed into the notes box edits and redraws it.

#![allow(clippy::cast_precision_loss, clippy::cast_sign_loss)] // percentiles of a few thousand samples

use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent};
use groupfit::source::Source;
use groupfit::tree::Tree;
use groupfit::tui::{App, Features, Message, Theme, message_for, update};
use groupfit::walk::Position;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    samples.sort();
    let index = ((samples.len() - 1) as f64 * p).round() as usize;
    samples[index]
}

fn main() {
    let quick = !std::env::args().any(|a| a == "--bench");
    let rounds = if quick { 50 } else { 5_000 };
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
}
