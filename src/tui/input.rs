//! What the terminal sends, turned into keys and pastes: a small parser that groupfit owns.
//!
//! crossterm's own reader keeps a partial escape sequence (`ESC [`, a lone UTF-8 lead byte, a
//! paste that never ends) until more bytes come, swallows the next key into it, and reads the
//! terminal in a way that can leave a burst of keys unread. This parser never waits for more than
//! [`SEQUENCE_TIMEOUT`] (a paste, [`PASTE_TIMEOUT`]) to finish what it started, and a control
//! key such as Ctrl-C always ends an unfinished sequence and counts as itself (Ctrl-C even ends a
//! paste). It is pure: bytes
//! and the time they came in, events out, so every case is a unit test.

use std::time::{Duration, Instant};

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};

/// How long an unfinished escape sequence or character may wait for the rest of it. Terminals
/// send a sequence in one write, so this only has to cover a slow remote link; after it, what is
/// unfinished is dropped.
pub const SEQUENCE_TIMEOUT: Duration = Duration::from_millis(100);

/// How long a paste may go quiet before it counts as ended without its end marker.
pub const PASTE_TIMEOUT: Duration = Duration::from_millis(500);

/// The most pasted text kept from one paste; the rest of it is dropped.
pub const PASTE_LIMIT: usize = 1 << 20;

/// The longest control sequence taken; longer ones are not keys and are dropped.
const SEQUENCE_LIMIT: usize = 64;

const ESC: u8 = 0x1b;
/// The byte a terminal sends for Ctrl-C.
pub const CTRL_C: u8 = 0x03;
const PASTE_END: &[u8] = b"\x1b[201~";

/// Where the parser is in what the terminal sends.
#[derive(Debug, Clone, PartialEq, Eq)]
enum State {
    Ground,
    /// After `ESC`: a key with Alt, the start of a sequence, or the Escape key itself.
    Escape,
    /// After `ESC [`: parameter and intermediate bytes so far.
    Csi(Vec<u8>),
    /// A sequence past [`SEQUENCE_LIMIT`], skipped up to its final byte.
    Overlong,
    /// After `ESC O`: one more byte names the key.
    Ss3,
    /// A UTF-8 character, `needed` bytes long, with the bytes so far.
    Utf8 {
        bytes: Vec<u8>,
        needed: usize,
    },
    /// Inside a bracketed paste: the text so far and how much of the end marker has come.
    Paste {
        text: Vec<u8>,
        marker: usize,
    },
}

/// Bytes from the terminal in, events out.
#[derive(Debug)]
pub struct Parser {
    state: State,
    /// When the unfinished sequence or paste gives up waiting.
    deadline: Option<Instant>,
}

impl Default for Parser {
    fn default() -> Self {
        Self::new()
    }
}

impl Parser {
    pub fn new() -> Self {
        Self {
            state: State::Ground,
            deadline: None,
        }
    }

    /// When [`Parser::expire`] should be called if nothing more arrives; `None` when nothing is
    /// unfinished.
    pub fn deadline(&self) -> Option<Instant> {
        self.deadline
    }

    /// Takes bytes that arrived at `now`, and returns the events they complete.
    pub fn feed(&mut self, bytes: &[u8], now: Instant) -> Vec<Event> {
        let mut events = Vec::new();
        for &byte in bytes {
            self.byte(byte, &mut events);
        }
        // A terminal sends a whole sequence in one write, so an `ESC` that ends what was read is
        // the Escape key, at once.
        if self.state == State::Escape {
            self.state = State::Ground;
            events.push(key(KeyCode::Esc, KeyModifiers::NONE));
        }
        self.deadline = match self.state {
            State::Ground => None,
            State::Paste { .. } => Some(now + PASTE_TIMEOUT),
            _ => Some(now + SEQUENCE_TIMEOUT),
        };
        events
    }

    /// Ends what is unfinished once its deadline has passed: a paste is what came of it, and
    /// anything else is dropped.
    pub fn expire(&mut self, now: Instant) -> Vec<Event> {
        if self.deadline.is_none_or(|deadline| now < deadline) {
            return Vec::new();
        }
        self.deadline = None;
        match std::mem::replace(&mut self.state, State::Ground) {
            State::Escape => vec![key(KeyCode::Esc, KeyModifiers::NONE)],
            State::Paste { text, marker, .. } => {
                let mut text = text;
                text.extend_from_slice(&PASTE_END[..marker]);
                vec![paste(&text)]
            }
            _ => Vec::new(),
        }
    }

    fn byte(&mut self, byte: u8, events: &mut Vec<Event>) {
        match &mut self.state {
            State::Ground => self.ground(byte, events),
            State::Escape => match byte {
                b'[' => self.state = State::Csi(Vec::new()),
                b'O' => self.state = State::Ss3,
                // Alt with a printable key; nothing in groupfit uses Alt, but it must not
                // count as the key alone.
                0x20..=0x7e => {
                    self.state = State::Ground;
                    events.push(key(char_code(byte), KeyModifiers::ALT));
                }
                // Escape, then the key: Ctrl-C after a lone ESC still quits.
                _ => {
                    events.push(key(KeyCode::Esc, KeyModifiers::NONE));
                    self.state = State::Ground;
                    self.ground(byte, events);
                }
            },
            State::Csi(params) => match byte {
                0x20..=0x3f if params.len() < SEQUENCE_LIMIT => params.push(byte),
                0x20..=0x3f => self.state = State::Overlong,
                0x40..=0x7e => {
                    let params = std::mem::take(params);
                    self.state = State::Ground;
                    self.csi(&params, byte, events);
                }
                // Not part of a sequence: the sequence is dropped and the byte is a key.
                _ => {
                    self.state = State::Ground;
                    self.ground(byte, events);
                }
            },
            State::Overlong => match byte {
                0x20..=0x3f => {}
                0x40..=0x7e => self.state = State::Ground,
                _ => {
                    self.state = State::Ground;
                    self.ground(byte, events);
                }
            },
            State::Ss3 => {
                self.state = State::Ground;
                if (0x40..=0x7e).contains(&byte) {
                    if let Some(code) = ss3_key(byte) {
                        events.push(key(code, KeyModifiers::NONE));
                    }
                } else {
                    events.push(key(KeyCode::Char('O'), KeyModifiers::ALT));
                    self.ground(byte, events);
                }
            }
            State::Utf8 { bytes, needed } => {
                if (0x80..=0xbf).contains(&byte) {
                    bytes.push(byte);
                    if bytes.len() == *needed {
                        // from_utf8 refuses overlong forms and surrogates, which are dropped.
                        if let Some(c) = std::str::from_utf8(bytes)
                            .ok()
                            .and_then(|s| s.chars().next())
                        {
                            events.push(char_key(c));
                        }
                        self.state = State::Ground;
                    }
                } else {
                    self.state = State::Ground;
                    self.ground(byte, events);
                }
            }
            State::Paste { text, marker } => {
                if byte == CTRL_C {
                    // Ctrl-C quits even from a paste that never ends; real pasted text does not
                    // hold it.
                    let mut text = std::mem::take(text);
                    text.extend_from_slice(&PASTE_END[..*marker]);
                    self.state = State::Ground;
                    events.push(paste(&text));
                    self.ground(byte, events);
                    return;
                }
                if byte == PASTE_END[*marker] {
                    *marker += 1;
                    if *marker == PASTE_END.len() {
                        let text = std::mem::take(text);
                        self.state = State::Ground;
                        events.push(paste(&text));
                    }
                    return;
                }
                // What looked like the end marker was text after all.
                let mut keep = |bytes: &[u8]| {
                    let room = PASTE_LIMIT.saturating_sub(text.len());
                    text.extend_from_slice(&bytes[..bytes.len().min(room)]);
                };
                keep(&PASTE_END[..*marker]);
                if byte == ESC {
                    *marker = 1;
                } else {
                    *marker = 0;
                    keep(&[byte]);
                }
            }
        }
    }

    fn ground(&mut self, byte: u8, events: &mut Vec<Event>) {
        let none = KeyModifiers::NONE;
        match byte {
            ESC => self.state = State::Escape,
            b'\r' | b'\n' => events.push(key(KeyCode::Enter, none)),
            b'\t' => events.push(key(KeyCode::Tab, none)),
            0x7f | 0x08 => events.push(key(KeyCode::Backspace, none)),
            0x00 => events.push(key(KeyCode::Char(' '), KeyModifiers::CONTROL)),
            0x01..=0x1a => events.push(key(
                KeyCode::Char(char::from(byte - 1 + b'a')),
                KeyModifiers::CONTROL,
            )),
            0x1c..=0x1f => events.push(key(
                KeyCode::Char(char::from(byte - 0x1c + b'4')),
                KeyModifiers::CONTROL,
            )),
            0x20..=0x7e => events.push(char_key(char::from(byte))),
            0xc2..=0xdf => self.utf8(byte, 2),
            0xe0..=0xef => self.utf8(byte, 3),
            0xf0..=0xf4 => self.utf8(byte, 4),
            // A continuation byte with no lead, or a byte UTF-8 never uses.
            _ => {}
        }
    }

    fn utf8(&mut self, lead: u8, needed: usize) {
        self.state = State::Utf8 {
            bytes: vec![lead],
            needed,
        };
    }

    fn csi(&mut self, params: &[u8], last: u8, events: &mut Vec<Event>) {
        let text = String::from_utf8_lossy(params);
        // Only plain numeric parameters name keys; private ones (`<`, `?`, `>`) are replies and
        // mouse reports, which groupfit never asks for.
        if !text
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b';' || b == b':')
        {
            return;
        }
        let numbers: Vec<u16> = text
            .split(';')
            .map(|p| p.split(':').next().unwrap_or("").parse().unwrap_or(0))
            .collect();
        let first = numbers.first().copied().unwrap_or(0);
        let modifiers = modifiers(numbers.get(1).copied().unwrap_or(1));
        let code = match last {
            b'A' => KeyCode::Up,
            b'B' => KeyCode::Down,
            b'C' => KeyCode::Right,
            b'D' => KeyCode::Left,
            b'H' => KeyCode::Home,
            b'F' => KeyCode::End,
            b'P' => KeyCode::F(1),
            b'Q' => KeyCode::F(2),
            b'S' => KeyCode::F(4),
            b'Z' => {
                events.push(key(KeyCode::BackTab, KeyModifiers::SHIFT));
                return;
            }
            b'~' if first == 200 => {
                self.state = State::Paste {
                    text: Vec::new(),
                    marker: 0,
                };
                return;
            }
            b'~' => match first {
                1 | 7 => KeyCode::Home,
                2 => KeyCode::Insert,
                3 => KeyCode::Delete,
                4 | 8 => KeyCode::End,
                5 => KeyCode::PageUp,
                6 => KeyCode::PageDown,
                11..=15 => KeyCode::F((first - 10) as u8),
                17..=21 => KeyCode::F((first - 11) as u8),
                23 | 24 => KeyCode::F((first - 12) as u8),
                _ => return,
            },
            _ => return,
        };
        events.push(key(code, modifiers));
    }
}

/// The modifiers in a sequence's second parameter: 1 + Shift 1, Alt 2, Ctrl 4.
fn modifiers(parameter: u16) -> KeyModifiers {
    let bits = parameter.saturating_sub(1);
    let mut modifiers = KeyModifiers::NONE;
    for (bit, modifier) in [
        (1, KeyModifiers::SHIFT),
        (2, KeyModifiers::ALT),
        (4, KeyModifiers::CONTROL),
    ] {
        if bits & bit != 0 {
            modifiers |= modifier;
        }
    }
    modifiers
}

fn ss3_key(byte: u8) -> Option<KeyCode> {
    Some(match byte {
        b'A' => KeyCode::Up,
        b'B' => KeyCode::Down,
        b'C' => KeyCode::Right,
        b'D' => KeyCode::Left,
        b'H' => KeyCode::Home,
        b'F' => KeyCode::End,
        b'P'..=b'S' => KeyCode::F(byte - b'P' + 1),
        _ => return None,
    })
}

fn key(code: KeyCode, modifiers: KeyModifiers) -> Event {
    Event::Key(KeyEvent::new(code, modifiers))
}

fn char_code(byte: u8) -> KeyCode {
    KeyCode::Char(char::from(byte))
}

/// A typed character; capitals carry Shift, as crossterm reports them.
fn char_key(c: char) -> Event {
    let modifiers = if c.is_uppercase() {
        KeyModifiers::SHIFT
    } else {
        KeyModifiers::NONE
    };
    key(KeyCode::Char(c), modifiers)
}

fn paste(bytes: &[u8]) -> Event {
    Event::Paste(String::from_utf8_lossy(bytes).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(code: KeyCode) -> Event {
        key(code, KeyModifiers::NONE)
    }

    fn ctrl_c() -> Event {
        key(KeyCode::Char('c'), KeyModifiers::CONTROL)
    }

    /// Feeds all bytes at once, then lets every deadline pass.
    fn parse(bytes: &[u8]) -> Vec<Event> {
        let mut parser = Parser::new();
        let now = Instant::now();
        let mut events = parser.feed(bytes, now);
        events.extend(parser.expire(now + PASTE_TIMEOUT));
        assert_eq!(parser.deadline(), None);
        events
    }

    #[test]
    fn keys_and_sequences() {
        assert_eq!(
            parse(b"j\r\x7f\t"),
            [
                plain(KeyCode::Char('j')),
                plain(KeyCode::Enter),
                plain(KeyCode::Backspace),
                plain(KeyCode::Tab)
            ]
        );
        assert_eq!(
            parse(b"\x1b[A\x1bOB\x1b[5~\x1b[6~\x1b[H\x1b[4~\x1b[3~"),
            [
                plain(KeyCode::Up),
                plain(KeyCode::Down),
                plain(KeyCode::PageUp),
                plain(KeyCode::PageDown),
                plain(KeyCode::Home),
                plain(KeyCode::End),
                plain(KeyCode::Delete)
            ]
        );
        assert_eq!(
            parse(b"\x1b[1;5C"),
            [key(KeyCode::Right, KeyModifiers::CONTROL)]
        );
        assert_eq!(parse(b"Q"), [key(KeyCode::Char('Q'), KeyModifiers::SHIFT)]);
        assert_eq!(parse(b"\x03"), [ctrl_c()]);
        assert_eq!(
            parse(b"\x1bq"),
            [key(KeyCode::Char('q'), KeyModifiers::ALT)]
        );
        assert_eq!(parse("é€😀".as_bytes()).len(), 3);
        assert_eq!(
            parse(b"\x1b[Z"),
            [key(KeyCode::BackTab, KeyModifiers::SHIFT)]
        );
    }

    #[test]
    fn an_escape_at_the_end_of_a_read_is_the_escape_key_at_once() {
        let mut parser = Parser::new();
        let now = Instant::now();
        assert_eq!(parser.feed(b"\x1b", now), [plain(KeyCode::Esc)]);
        assert_eq!(parser.deadline(), None);
        // Escape, then a key read apart from it, is not Alt with that key.
        assert_eq!(parser.feed(b"1", now), [plain(KeyCode::Char('1'))]);
        assert_eq!(
            parse(b"\x1b\x1b"),
            [plain(KeyCode::Esc), plain(KeyCode::Esc)]
        );
        // An unfinished sequence waits for the rest, and gives up after the timeout.
        assert_eq!(parser.feed(b"\x1b[", now), []);
        assert_eq!(parser.deadline(), Some(now + SEQUENCE_TIMEOUT));
        assert_eq!(parser.feed(b"A", now), [plain(KeyCode::Up)]);
        assert_eq!(parser.feed(b"\x1b[", now), []);
        assert_eq!(parser.expire(now + SEQUENCE_TIMEOUT / 2), []);
        assert_eq!(parser.expire(now + SEQUENCE_TIMEOUT), []);
        assert_eq!(parser.deadline(), None);
        assert_eq!(
            parser.feed(b"A", now),
            [key(KeyCode::Char('A'), KeyModifiers::SHIFT)]
        );
    }

    #[test]
    fn ctrl_c_counts_after_every_unfinished_sequence() {
        for start in [
            &b"\x1b"[..],
            b"\x1b[",
            b"\x1b[<",
            b"\x1b[1;5",
            b"\x1bO",
            b"\xc3",
            b"\xe2\x82",
        ] {
            // At once, as part of the same burst,
            let at_once = parse(&[start, b"\x03"].concat());
            assert_eq!(at_once.last(), Some(&ctrl_c()), "{start:?}: {at_once:?}");
            // and after the sequence has been given up.
            let mut parser = Parser::new();
            let now = Instant::now();
            parser.feed(start, now);
            let later = now + SEQUENCE_TIMEOUT;
            parser.expire(later);
            assert_eq!(parser.deadline(), None, "{start:?}");
            assert_eq!(parser.feed(b"\x03", later), [ctrl_c()], "{start:?}");
        }
    }

    #[test]
    fn unknown_or_overlong_sequences_are_dropped_not_typed() {
        assert_eq!(parse(b"\x1b[<0;10;5Mj"), [plain(KeyCode::Char('j'))]);
        assert_eq!(parse(b"\x1b[99~j"), [plain(KeyCode::Char('j'))]);
        let long = [&b"\x1b["[..], &[b'1'; 500], b"Aj"].concat();
        assert_eq!(parse(&long), [plain(KeyCode::Char('j'))]);
        assert_eq!(parse(b"\x80\xff\xc0\xafj"), [plain(KeyCode::Char('j'))]);
    }

    #[test]
    fn a_paste_is_one_event_with_its_control_characters_kept() {
        let events = parse(b"\x1b[200~one\x1b]0;x\x07\r\x1b[20\ttwo\x1b[201~j");
        assert_eq!(
            events,
            [
                Event::Paste("one\x1b]0;x\x07\r\x1b[20\ttwo".to_owned()),
                plain(KeyCode::Char('j'))
            ]
        );
    }

    #[test]
    fn a_paste_split_across_reads_is_one_event() {
        let mut parser = Parser::new();
        let now = Instant::now();
        let mut events = Vec::new();
        for chunk in [&b"\x1b[2"[..], b"00~ab", b"c\x1b[2", b"01", b"~"] {
            events.extend(parser.feed(chunk, now));
        }
        assert_eq!(events, [Event::Paste("abc".to_owned())]);
    }

    #[test]
    fn ctrl_c_ends_a_paste_and_counts() {
        let mut parser = Parser::new();
        let now = Instant::now();
        assert_eq!(
            parser.feed(b"\x1b[200~half\x1b[2\x03", now),
            [Event::Paste("half\x1b[2".to_owned()), ctrl_c()]
        );
        assert_eq!(parser.deadline(), None);
    }

    #[test]
    fn a_paste_that_never_ends_ends_when_it_goes_quiet() {
        let mut parser = Parser::new();
        let now = Instant::now();
        assert_eq!(parser.feed(b"\x1b[200~half", now), []);
        assert_eq!(parser.deadline(), Some(now + PASTE_TIMEOUT));
        assert_eq!(parser.expire(now + SEQUENCE_TIMEOUT), []);
        let later = now + PASTE_TIMEOUT;
        assert_eq!(parser.expire(later), [Event::Paste("half".to_owned())]);
        assert_eq!(parser.feed(b"\x03", later), [ctrl_c()]);
    }

    #[test]
    fn a_huge_paste_is_cut_at_the_limit() {
        let big = vec![b'x'; PASTE_LIMIT + 10];
        let events = parse(&[&b"\x1b[200~"[..], &big, b"\x1b[201~"].concat());
        let [Event::Paste(text)] = events.as_slice() else {
            panic!("{events:?}");
        };
        assert_eq!(text.len(), PASTE_LIMIT);
    }
}
