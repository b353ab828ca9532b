//! Where the questionnaire's events come from: the keys read from the terminal, resizes, and
//! the signals that end it.
//!
//! A thread reads the terminal and hands every byte it gets to the event loop, which parses
//! them with [`Parser`]; a blocking read on a thread of its own can neither leave keys unread nor
//! keep a signal from being seen. Another thread takes SIGTERM, SIGINT and SIGHUP: it tells the
//! loop, which ends the questionnaire and restores the terminal, and if the process has not
//! ended [`GRACE`] later (or a second signal comes) it restores the terminal itself and exits.

use std::collections::VecDeque;
use std::io::{self, Write as _};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, SyncSender, TryRecvError};
use std::time::{Duration, Instant};

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};

use super::input::{CTRL_C, Parser};

/// How long the event loop has, after a signal, to restore the terminal and end the process
/// before the signal thread does both itself.
pub const GRACE: Duration = Duration::from_millis(500);

/// How many reads may wait for the event loop before the reading thread waits too.
const BACKLOG: usize = 256;

/// The most bytes taken from the terminal in one read.
const READ_SIZE: usize = 16 * 1024;

/// What woke the event loop.
#[derive(Debug)]
enum Arrival {
    Bytes(Vec<u8>),
    Resized,
    /// A terminating signal; its number is in [`Events::caught`].
    Signal,
    /// The terminal is gone: its input ended or cannot be read.
    Closed,
}

/// The next thing for the event loop to act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Next {
    Event(Event),
    /// SIGTERM, SIGINT or SIGHUP, by number.
    Signal(i32),
    /// The terminal hung up.
    Closed,
}

/// Keys, resizes and signals, in the order the event loop should act on them: a signal first.
#[derive(Debug)]
pub struct Events {
    arrivals: Receiver<Arrival>,
    parser: Parser,
    queue: VecDeque<Event>,
    caught: Arc<AtomicI32>,
    /// Set by the reading thread when a Ctrl-C has been read.
    interrupted: Arc<AtomicBool>,
    closed: bool,
    size: fn() -> io::Result<(u16, u16)>,
}

/// Set once the questionnaire has put the terminal back, so the signal thread leaves it alone.
#[derive(Debug, Clone, Default)]
pub struct Restored(Arc<AtomicBool>);

impl Restored {
    pub fn set(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    fn get(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

impl Events {
    /// Starts reading the terminal (standard input) and watching for signals.
    pub fn start(restored: &Restored) -> io::Result<Self> {
        let (sender, arrivals) = mpsc::sync_channel(BACKLOG);
        let caught = Arc::new(AtomicI32::new(0));
        #[cfg(unix)]
        watch_signals(sender.clone(), Arc::clone(&caught), restored.clone())?;
        #[cfg(not(unix))]
        let _ = restored;
        let events = Self::from(arrivals, caught, crossterm::terminal::size);
        let interrupted = Arc::clone(&events.interrupted);
        std::thread::Builder::new()
            .name("terminal input".to_owned())
            .spawn(move || read_terminal(&mut io::stdin().lock(), &sender, &interrupted))?;
        Ok(events)
    }

    fn from(
        arrivals: Receiver<Arrival>,
        caught: Arc<AtomicI32>,
        size: fn() -> io::Result<(u16, u16)>,
    ) -> Self {
        Self {
            arrivals,
            parser: Parser::new(),
            queue: VecDeque::new(),
            caught,
            interrupted: Arc::new(AtomicBool::new(false)),
            closed: false,
            size,
        }
    }

    /// The next event, signal or hang-up. With `wait`, blocks until there is one; without,
    /// returns `None` once everything that has arrived has been handed out.
    pub fn next(&mut self, wait: bool) -> Option<Next> {
        loop {
            let signal = self.caught.load(Ordering::SeqCst);
            if signal != 0 {
                return Some(Next::Signal(signal));
            }
            // Ctrl-C quits at once, so it goes ahead of keys still waiting to be handled, even
            // thousands of them. (The parser makes every Ctrl-C byte the key, in a paste too.)
            if self.interrupted.swap(false, Ordering::SeqCst) {
                self.queue.clear();
                return Some(Next::Event(Event::Key(KeyEvent::new(
                    KeyCode::Char('c'),
                    KeyModifiers::CONTROL,
                ))));
            }
            if let Some(event) = self.queue.pop_front() {
                return Some(Next::Event(event));
            }
            if self.closed {
                return Some(Next::Closed);
            }
            let now = Instant::now();
            self.queue.extend(self.parser.expire(now));
            if !self.queue.is_empty() {
                continue;
            }
            let arrival = match (wait, self.parser.deadline()) {
                (false, _) => match self.arrivals.try_recv() {
                    Ok(arrival) => arrival,
                    Err(TryRecvError::Empty) => return None,
                    Err(TryRecvError::Disconnected) => Arrival::Closed,
                },
                (true, Some(deadline)) => {
                    match self
                        .arrivals
                        .recv_timeout(deadline.saturating_duration_since(now))
                    {
                        Ok(arrival) => arrival,
                        Err(RecvTimeoutError::Timeout) => continue,
                        Err(RecvTimeoutError::Disconnected) => Arrival::Closed,
                    }
                }
                (true, None) => self.arrivals.recv().unwrap_or(Arrival::Closed),
            };
            match arrival {
                Arrival::Bytes(bytes) => {
                    let events = self.parser.feed(&bytes, Instant::now());
                    self.queue.extend(events);
                }
                Arrival::Resized => {
                    if let Ok((width, height)) = (self.size)() {
                        self.queue.push_back(Event::Resize(width, height));
                    }
                }
                Arrival::Signal => {}
                Arrival::Closed => self.closed = true,
            }
        }
    }
}

/// Hands everything read to the event loop until the terminal's input ends, and says at once
/// when a Ctrl-C was among it.
fn read_terminal(
    input: &mut impl io::Read,
    sender: &SyncSender<Arrival>,
    interrupted: &AtomicBool,
) {
    let mut buffer = vec![0; READ_SIZE];
    loop {
        let arrival = match input.read(&mut buffer) {
            Ok(0) => Arrival::Closed,
            Ok(n) => {
                if buffer[..n].contains(&CTRL_C) {
                    interrupted.store(true, Ordering::SeqCst);
                }
                Arrival::Bytes(buffer[..n].to_vec())
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(_) => Arrival::Closed,
        };
        let last = matches!(arrival, Arrival::Closed);
        if sender.send(arrival).is_err() || last {
            return;
        }
    }
}

/// Takes SIGTERM, SIGINT, SIGHUP and SIGWINCH on a thread of their own.
///
/// The handlers stay installed after the questionnaire (signal-hook cannot put the default
/// action back), and the watch with them: a terminating signal still ends the process within
/// [`GRACE`] while the report is printed.
#[cfg(unix)]
fn watch_signals(
    sender: SyncSender<Arrival>,
    caught: Arc<AtomicI32>,
    restored: Restored,
) -> io::Result<()> {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM, SIGWINCH};

    let mut signals = signal_hook::iterator::Signals::new([SIGTERM, SIGINT, SIGHUP, SIGWINCH])?;
    std::thread::Builder::new()
        .name("signals".to_owned())
        .spawn(move || {
            for signal in signals.forever() {
                if signal == SIGWINCH {
                    // A full queue will be read soon, and the size is asked for afresh then.
                    let _ = sender.try_send(Arrival::Resized);
                    continue;
                }
                if caught.swap(signal, Ordering::SeqCst) != 0 {
                    // A second signal: whoever sent it will not wait.
                    exit_now(&restored, signal);
                }
                let _ = sender.try_send(Arrival::Signal);
                let restored = restored.clone();
                let _ = std::thread::Builder::new()
                    .name("signal grace".to_owned())
                    .spawn(move || {
                        std::thread::sleep(GRACE);
                        exit_now(&restored, signal);
                    });
            }
        })?;
    Ok(())
}

/// Puts the terminal back if the questionnaire has not, and ends the process for `signal`.
#[cfg(unix)]
fn exit_now(restored: &Restored, signal: i32) -> ! {
    if !restored.get() {
        // On a thread of its own, and waited for only briefly: the event loop may hold the
        // output, and a terminal that is gone may not take the bytes.
        let (done, finished) = mpsc::channel();
        let _ = std::thread::Builder::new()
            .name("restore".to_owned())
            .spawn(move || {
                restore_terminal();
                let _ = done.send(());
            });
        let _ = finished.recv_timeout(Duration::from_millis(200));
    }
    std::process::exit(128 + signal)
}

/// Leaves raw mode, the alternate screen and bracketed paste, and shows the cursor, writing to
/// the terminal directly so that nothing the event loop holds can stop it.
#[cfg(unix)]
fn restore_terminal() {
    let _ = crossterm::terminal::disable_raw_mode();
    let reset = b"\x1b[?2004l\x1b[?25h\x1b[?1049l";
    match std::fs::OpenOptions::new().write(true).open("/dev/tty") {
        Ok(mut tty) => {
            let _ = tty.write_all(reset);
        }
        Err(_) => {
            let _ = io::stdout().write_all(reset);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn events() -> (Events, SyncSender<Arrival>, Arc<AtomicI32>) {
        let (sender, arrivals) = mpsc::sync_channel(BACKLOG);
        let caught = Arc::new(AtomicI32::new(0));
        let events = Events::from(arrivals, Arc::clone(&caught), || Ok((120, 40)));
        (events, sender, caught)
    }

    fn ctrl_c() -> Next {
        Next::Event(Event::Key(KeyEvent::new(
            KeyCode::Char('c'),
            KeyModifiers::CONTROL,
        )))
    }

    fn key(c: char) -> Next {
        Next::Event(Event::Key(KeyEvent::from(KeyCode::Char(c))))
    }

    #[test]
    fn every_key_of_a_burst_is_handed_out() {
        let (mut events, sender, _) = events();
        let burst = vec![b'j'; 3000];
        let interrupted = Arc::clone(&events.interrupted);
        std::thread::spawn(move || {
            let mut input = io::Cursor::new(burst);
            read_terminal(&mut input, &sender, &interrupted);
        });
        let mut keys = 0;
        while let Some(next) = events.next(true) {
            if next == key('j') {
                keys += 1;
            } else {
                // The input ended after the burst, as a hung-up terminal's does.
                assert_eq!(next, Next::Closed, "after {keys} keys");
                break;
            }
        }
        assert_eq!(keys, 3000);
    }

    #[test]
    fn ctrl_c_goes_ahead_of_keys_still_waiting() {
        let (mut events, sender, _) = events();
        let interrupted = Arc::clone(&events.interrupted);
        let burst = [&[b'j'; 3000][..], b"\x03"].concat();
        read_terminal(&mut io::Cursor::new(burst), &sender, &interrupted);
        assert_eq!(events.next(true), Some(ctrl_c()));
    }

    #[test]
    fn a_signal_comes_before_keys_already_read() {
        let (mut events, sender, caught) = events();
        sender.send(Arrival::Bytes(b"jjj".to_vec())).unwrap();
        assert_eq!(events.next(true), Some(key('j')));
        caught.store(15, Ordering::SeqCst);
        sender.send(Arrival::Signal).unwrap();
        assert_eq!(events.next(true), Some(Next::Signal(15)));
    }

    #[test]
    fn a_signal_wakes_a_loop_waiting_on_an_unfinished_sequence() {
        let (mut events, sender, caught) = events();
        sender.send(Arrival::Bytes(b"\x1b[1;5".to_vec())).unwrap();
        assert_eq!(events.next(false), None);
        let started = Instant::now();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(20));
            caught.store(15, Ordering::SeqCst);
            sender.send(Arrival::Signal).unwrap();
            // Kept open, so only the signal can end the wait.
            std::thread::sleep(Duration::from_secs(5));
        });
        assert_eq!(events.next(true), Some(Next::Signal(15)));
        assert!(started.elapsed() < Duration::from_secs(5));
    }

    #[test]
    fn a_resize_comes_with_the_size() {
        let (mut events, sender, _) = events();
        sender.send(Arrival::Bytes(b"\x1b[".to_vec())).unwrap();
        sender.send(Arrival::Resized).unwrap();
        assert_eq!(events.next(true), Some(Next::Event(Event::Resize(120, 40))));
        // The unfinished sequence is given up after its wait, and nothing comes of it.
        assert_eq!(events.next(false), None);
        std::thread::sleep(crate::tui::SEQUENCE_TIMEOUT);
        assert_eq!(events.next(false), None);
        sender.send(Arrival::Bytes(b"j".to_vec())).unwrap();
        assert_eq!(events.next(true), Some(key('j')));
    }
}
