//! The interactive questionnaire in the terminal: a thin shell over the walk and the explanation.
//!
//! The loop is synchronous: draw, wait for one event, turn it into a [`Message`], [`update`] the
//! [`App`], draw again. [`run`] hands back an [`Ending`] instead of printing, so the caller prints
//! the report after the terminal is restored and it stays in the scrollback.
//!
//! The terminal is restored on every way out: a normal return and Ctrl-C go through [`run`]'s
//! restore; a panic through the hook `ratatui::try_init` installs; SIGTERM and SIGINT set a flag
//! that the loop checks between events (a second such signal ends the process at once, for the
//! case where the loop is stuck). SIGHUP means the terminal is gone, so the process just ends.

mod app;
mod keys;
mod view;

use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use crossterm::event;
use ratatui::DefaultTerminal;

pub use app::{
    App, Ask, Asking, Ending, Exit, Features, Message, Offer, Pending, Request, Screen, update,
};
pub use keys::{
    Binding, CONFIRM_KEYS, Does, HELP_KEYS, NOTES_KEYS, Needs, QUESTION_KEYS, RESULT_KEYS,
    RESUME_KEYS, Shown, bindings, message_for, message_for_event,
};
pub use view::{MARKER, MIN_HEIGHT, MIN_WIDTH, PANEL_MIN_WIDTH, Theme, result_lines};

use std::path::Path;

use jiff::Timestamp;
use jiff::tz::TimeZone;

use crate::session::{self, Session, Store};
use crate::tree::Tree;

/// What the questionnaire may write, and the call to offer for resume.
#[derive(Debug)]
pub struct Setup<'a> {
    pub features: Features,
    /// Where the call is saved after every change; `None` writes nothing.
    pub store: Option<&'a Store>,
    /// An unfinished call found in the store.
    pub saved: Option<Session>,
    /// Where summaries are exported.
    pub export_dir: &'a Path,
}

/// How long to wait for an event before looking at the signal flag again. Nothing is redrawn
/// when the wait ends without an event.
const SIGNAL_CHECK: Duration = Duration::from_millis(200);

/// Runs the questionnaire on the terminal and returns how it ended, with the terminal restored.
///
/// Call it only when standard input and output are terminals and the tree has been validated.
pub fn run(tree: &Tree, setup: Setup<'_>) -> io::Result<Ending> {
    let signal = watch_signals()?;
    let mut terminal = match ratatui::try_init() {
        Ok(terminal) => terminal,
        Err(error) => {
            ratatui::restore();
            return Err(error);
        }
    };
    // Notes take a paste as one piece of text rather than as hundreds of keys (each one saved).
    let paste = setup.features.intake
        && crossterm::execute!(io::stdout(), crossterm::event::EnableBracketedPaste).is_ok();
    // Reading the system's time zone takes a moment, so it is done only when a time is shown.
    let zone = if setup.features.export || setup.saved.is_some() {
        TimeZone::try_system().unwrap_or(TimeZone::UTC)
    } else {
        TimeZone::UTC
    };
    let offer = setup.saved.map(|session| {
        Offer::new(
            session,
            tree,
            Timestamp::now(),
            &zone,
            setup.features.intake,
        )
    });
    let app = App::with(tree, Theme::from_env(), setup.features, offer);
    let files = Files {
        store: setup.store,
        export_dir: setup.export_dir,
        zone,
    };
    let ending = event_loop(&mut terminal, app, &signal, &files);
    if paste {
        let _ = crossterm::execute!(io::stdout(), crossterm::event::DisableBracketedPaste);
    }
    let _ = terminal.show_cursor();
    drop(terminal);
    let restored = ratatui::try_restore();
    let ending = ending?;
    restored?;
    Ok(ending)
}

/// Where the event loop writes, and the time zone summaries are written in.
struct Files<'a> {
    store: Option<&'a Store>,
    export_dir: &'a Path,
    zone: TimeZone,
}

fn event_loop(
    terminal: &mut DefaultTerminal,
    mut app: App<'_>,
    signal: &AtomicUsize,
    files: &Files<'_>,
) -> io::Result<Ending> {
    let mut saved_revision = app.revision();
    let size = terminal.size()?;
    update(&mut app, Message::Resize(size.width, size.height));
    terminal.draw(|frame| frame.render_widget(&app, frame.area()))?;
    loop {
        let number = signal.load(Ordering::Relaxed);
        if number != 0 {
            return Ok(app.ending(Exit::Signal(i32::try_from(number).unwrap_or(15))));
        }
        // The timeout is only there to notice a signal; the screen changes only after an event.
        match event::poll(SIGNAL_CHECK) {
            Ok(true) => {}
            Ok(false) => continue,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
            Err(error) => return Err(error),
        }
        let event = match event::read() {
            Ok(event) => event,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
            Err(error) => return Err(error),
        };
        if let Some(message) = message_for_event(&event, &app.screen(), app.features()) {
            update(&mut app, message);
            write_files(&mut app, files, &mut saved_revision);
        }
        if let Some(exit) = app.exit() {
            return Ok(app.ending(exit));
        }
        terminal.draw(|frame| frame.render_widget(&app, frame.area()))?;
    }
}

/// Does what the app asked for and saves the call when it changed, reporting back to the app.
///
/// The save happens before the next draw, so a call is on disk by the time its answer shows.
fn write_files(app: &mut App<'_>, files: &Files<'_>, saved_revision: &mut u64) {
    let export_dir = files.export_dir;
    if app.request() == Some(Request::Export) {
        let result = match app.summary(Timestamp::now(), files.zone.clone()) {
            Some(summary) => session::export(export_dir, &summary)
                .map_err(|e| format!("cannot write into '{}': {e}", export_dir.display())),
            None => Err("there is no recommendation to export yet".to_owned()),
        };
        update(app, Message::Exported(result));
    }
    let Some(store) = files.store else { return };
    if app.offering() || app.revision() == *saved_revision {
        return;
    }
    *saved_revision = app.revision();
    let saved = store.keep(app.session(Timestamp::now()).as_ref());
    update(
        app,
        match saved {
            Ok(()) => Message::Saved,
            Err(e) => Message::SaveFailed(e.to_string()),
        },
    );
}

/// Turns SIGTERM and SIGINT into a flag holding the signal's number; SIGHUP ends the program.
///
/// The handlers stay installed after the questionnaire: signal-hook cannot put the default action
/// back, and the program ends soon after anyway. A second signal while the flag is set exits at
/// once, so a stuck program can still be stopped. On SIGHUP the terminal is gone, so there is
/// nothing to restore, and crossterm would otherwise spin reading its end of file.
#[cfg(unix)]
fn watch_signals() -> io::Result<Arc<AtomicUsize>> {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    use signal_hook::flag;
    use std::sync::atomic::AtomicBool;

    let number = Arc::new(AtomicUsize::new(0));
    let seen = Arc::new(AtomicBool::new(false));
    for signal in [SIGTERM, SIGINT] {
        flag::register_conditional_shutdown(signal, 128 + signal, Arc::clone(&seen))?;
        flag::register(signal, Arc::clone(&seen))?;
        flag::register_usize(signal, Arc::clone(&number), signal.unsigned_abs() as usize)?;
    }
    flag::register_conditional_shutdown(SIGHUP, 128 + SIGHUP, Arc::new(AtomicBool::new(true)))?;
    Ok(number)
}

/// Elsewhere Ctrl-C arrives as a key, and there is no SIGTERM to watch.
#[cfg(not(unix))]
fn watch_signals() -> io::Result<Arc<AtomicUsize>> {
    Ok(Arc::new(AtomicUsize::new(0)))
}
