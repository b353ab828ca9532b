//! The interactive questionnaire in the terminal: a thin shell over the walk and the explanation.
//!
//! The loop is synchronous: draw, wait for one event, turn it into a [`Message`], [`update`] the
//! [`App`], draw again. [`run`] hands back an [`Ending`] instead of printing, so the caller prints
//! the report after the terminal is restored and it stays in the scrollback.
//!
//! The terminal is restored on every way out: a normal return, Ctrl-C, SIGTERM, SIGINT and SIGHUP
//! go through [`run`]'s restore; a panic through the hook [`run`] installs; and if the loop has
//! not ended soon after a signal, the signal thread restores the terminal and exits itself (see
//! [`events`]). groupfit reads and parses the terminal's input
//! itself ([`input`]), so no key sequence can leave it waiting.

mod app;
mod events;
mod input;
mod keys;
mod view;

use std::fs::{File, OpenOptions};
use std::io::{self, IsTerminal as _, Write};

use crossterm::event::Event;
use ratatui::backend::CrosstermBackend;
use ratatui::layout::Rect;
use ratatui::{Terminal, TerminalOptions, Viewport};

pub use app::{
    App, Ask, Asking, Ending, Exit, Features, Field, Message, Offer, Pending, Request, Screen,
    update,
};
pub use input::{PASTE_TIMEOUT, SEQUENCE_TIMEOUT};
pub use keys::{
    Binding, CONFIRM_KEYS, Does, HELP_KEYS, NOTES_KEYS, Needs, QUESTION_KEYS, RECORD_KEYS,
    RESULT_KEYS, RESUME_KEYS, Shown, bindings, message_for, message_for_event,
};
pub use view::{MARKER, MIN_HEIGHT, MIN_WIDTH, PANEL_MIN_WIDTH, Theme, result_lines};

use std::path::Path;

use jiff::Timestamp;
use jiff::tz::TimeZone;

use self::events::{Events, Next, Restored};
use crate::record::{self, Format};
use crate::session::{Session, Store};
use crate::tree::Tree;

/// What the questionnaire may write, and the call to offer for resume.
#[derive(Debug)]
pub struct Setup<'a> {
    /// Where it is drawn ([`Output::terminal`]).
    pub output: Output,
    pub features: Features,
    /// Where the call is saved after every change; `None` writes nothing.
    pub store: Option<&'a Store>,
    /// An unfinished call found in the store.
    pub saved: Option<Session>,
    /// Where summaries are exported.
    pub export_dir: &'a Path,
    /// The files each summary is written as.
    pub formats: &'a [Format],
    /// The staff name for every call's record (`--staff`), so it is not asked.
    pub staff: Option<String>,
}

/// The largest drawing area, whatever size the terminal says it is. Each cell costs memory and
/// time on every frame, so a terminal that reports 65535×65535 gets a questionnaire of this size
/// in its top-left corner instead of an attempt at four billion cells.
pub const MAX_AREA: (u16, u16) = (1000, 1000);

/// The area the questionnaire draws in on a terminal of this size.
pub fn drawing_area(width: u16, height: u16) -> Rect {
    Rect::new(0, 0, width.min(MAX_AREA.0), height.min(MAX_AREA.1))
}

/// Where the questionnaire is drawn: standard output when it is the terminal, and otherwise the
/// terminal itself (`/dev/tty`), as fzf and skim do, so that `groupfit > report.txt` shows the
/// questions on screen and writes only the report into the file.
#[derive(Debug)]
pub enum Output {
    Stdout(io::Stdout),
    Tty(File),
}

impl Output {
    pub fn open() -> io::Result<Output> {
        if io::stdout().is_terminal() {
            Ok(Output::Stdout(io::stdout()))
        } else {
            OpenOptions::new()
                .read(true)
                .write(true)
                .open("/dev/tty")
                .map(Output::Tty)
        }
    }

    /// The terminal to draw on, even with standard output redirected; `None` when there is none.
    pub fn terminal() -> Option<Output> {
        Output::open().ok().filter(|output| match output {
            Output::Stdout(_) => true,
            Output::Tty(file) => file.is_terminal(),
        })
    }
}

impl Write for Output {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        match self {
            Output::Stdout(out) => out.write(bytes),
            Output::Tty(tty) => tty.write(bytes),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Output::Stdout(out) => out.flush(),
            Output::Tty(tty) => tty.flush(),
        }
    }
}

type Term = Terminal<CrosstermBackend<Output>>;

/// Leaves raw mode and the alternate screen.
fn restore(output: &mut impl Write) -> io::Result<()> {
    crossterm::terminal::disable_raw_mode()?;
    crossterm::execute!(
        output,
        crossterm::terminal::LeaveAlternateScreen,
        crossterm::cursor::Show
    )
}

/// A panic puts the terminal back before its message is printed, so the message can be read.
fn restore_on_panic() {
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if let Ok(mut output) = Output::open() {
            let _ = crossterm::execute!(output, crossterm::event::DisableBracketedPaste);
            let _ = restore(&mut output);
        }
        hook(info);
    }));
}

/// Runs the questionnaire on the terminal and returns how it ended, with the terminal restored.
///
/// Call it only when standard input is a terminal, there is a terminal to draw on
/// (`setup.output`), and the tree has been validated.
pub fn run(tree: &Tree, setup: Setup<'_>) -> io::Result<Ending> {
    let restored = Restored::default();
    let mut events = Events::start(&restored)?;
    let (width, height) = crossterm::terminal::size()?;
    // A fixed viewport is resized only by the event loop, to the clamped size; ratatui's
    // full-screen one would follow the terminal's size to any allocation.
    let viewport = Viewport::Fixed(drawing_area(width, height));
    let mut output = setup.output;
    restore_on_panic();
    let terminal = crossterm::terminal::enable_raw_mode()
        .and_then(|()| crossterm::execute!(output, crossterm::terminal::EnterAlternateScreen))
        .and_then(|()| {
            Terminal::with_options(CrosstermBackend::new(output), TerminalOptions { viewport })
        });
    let mut terminal = match terminal {
        Ok(terminal) => terminal,
        Err(error) => {
            if let Ok(mut output) = Output::open() {
                let _ = restore(&mut output);
            }
            restored.set();
            return Err(error);
        }
    };
    // Notes take a paste as one piece of text rather than as hundreds of keys (each one saved).
    let paste = setup.features.intake
        && crossterm::execute!(
            terminal.backend_mut(),
            crossterm::event::EnableBracketedPaste
        )
        .is_ok();
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
    let app = App::with(tree, Theme::from_env(), setup.features, offer).with_staff(setup.staff);
    let files = Files {
        store: setup.store,
        export_dir: setup.export_dir,
        formats: setup.formats,
        zone,
    };
    let ending = event_loop(&mut terminal, app, &mut events, &files);
    if paste {
        let _ = crossterm::execute!(
            terminal.backend_mut(),
            crossterm::event::DisableBracketedPaste
        );
    }
    let _ = terminal.show_cursor();
    let restoring = restore(terminal.backend_mut());
    drop(terminal);
    restored.set();
    let ending = ending?;
    // After a signal or a hang-up the terminal may be gone; the ending still stands.
    if !matches!(ending.exit, Exit::Signal(_)) {
        restoring?;
    }
    Ok(ending)
}

/// Where the event loop writes, and the time zone summaries are written in.
struct Files<'a> {
    store: Option<&'a Store>,
    export_dir: &'a Path,
    formats: &'a [Format],
    zone: TimeZone,
}

/// SIGHUP's number: how a terminal that hung up ends the questionnaire.
const HANG_UP: i32 = 1;

fn event_loop(
    terminal: &mut Term,
    mut app: App<'_>,
    events: &mut Events,
    files: &Files<'_>,
) -> io::Result<Ending> {
    let mut saved_revision = app.revision();
    let area = terminal.get_frame().area();
    update(&mut app, Message::Resize(area.width, area.height));
    terminal.draw(|frame| frame.render_widget(&app, frame.area()))?;
    loop {
        // Everything that has arrived is handled before the next frame, so a burst of keys costs
        // one redraw, not one per key.
        let mut wait = true;
        while let Some(next) = events.next(wait) {
            wait = false;
            let event = match next {
                Next::Signal(number) => return Ok(app.ending(Exit::Signal(number))),
                Next::Closed => return Ok(app.ending(Exit::Signal(HANG_UP))),
                Next::Event(Event::Resize(width, height)) => {
                    let area = drawing_area(width, height);
                    // Resizing clears the screen, so only a real change of size does it.
                    if area != terminal.get_frame().area() {
                        terminal.resize(area)?;
                    }
                    Event::Resize(area.width, area.height)
                }
                Next::Event(event) => event,
            };
            if let Some(message) = message_for_event(&event, &app.screen(), app.features()) {
                update(&mut app, message);
                export(&mut app, files);
            }
            if let Some(exit) = app.exit() {
                save(&mut app, files, &mut saved_revision);
                return Ok(app.ending(exit));
            }
        }
        // Saved once per burst, before the frame that shows it: a call is on disk by the time
        // its answer shows, and a pasted or fast-typed burst is not saved once per key.
        save(&mut app, files, &mut saved_revision);
        terminal.draw(|frame| frame.render_widget(&app, frame.area()))?;
    }
}

/// Exports the summary when the app asked for it, reporting back to the app.
fn export(app: &mut App<'_>, files: &Files<'_>) {
    let export_dir = files.export_dir;
    if app.request() == Some(Request::Export) {
        let result = match app.record(Timestamp::now(), files.zone.clone()) {
            Some(summary) => record::export(export_dir, &summary, files.formats)
                .map_err(|e| format!("cannot write into '{}': {e}", export_dir.display())),
            None => Err("there is no recommendation to export yet".to_owned()),
        };
        update(app, Message::Exported(result));
    }
}

/// Saves the call when it changed, reporting back to the app.
fn save(app: &mut App<'_>, files: &Files<'_>, saved_revision: &mut u64) {
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
