//! Text as it may be shown on a terminal: every control character written visibly.
//!
//! A tree, a note or a file name can hold control characters, and written to a terminal as they
//! are, `ESC [ 2 J` clears the screen and `ESC ] 0 ;` retitles the window. Everything groupfit
//! prints for a person goes through [`Visible`] (or [`visible`]), which writes each control
//! character other than newline and tab as the TOML escape that would put it in a tree, such as
//! `\u001B`; the full-screen questionnaire never draws them at all. Files keep the text exactly:
//! JSON escapes every control character in its own way ([`json`]), and Markdown written to a
//! file or a pipe is left alone.

use std::borrow::Cow;
use std::io::{self, Write};

/// Whether a character is written as an escape: C0 controls but newline and tab, DEL, and the
/// C1 controls (U+0080–U+009F), which some terminals obey like `ESC` sequences.
fn hidden(c: char) -> bool {
    c.is_control() && c != '\n' && c != '\t'
}

/// `\u001B` for ESC: the TOML escape, so the text can be found and fixed in a tree.
fn escape(c: char) -> String {
    format!("\\u{:04X}", u32::from(c))
}

/// The text with every control character but newline and tab written as an escape.
pub fn visible(text: &str) -> Cow<'_, str> {
    if !text.chars().any(hidden) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars()
            .map(|c| if hidden(c) { escape(c) } else { c.to_string() })
            .collect(),
    )
}

/// JSON with DEL and the C1 controls escaped too: `serde_json` escapes the C0 controls and leaves
/// those as they are. The JSON means exactly the same text; only how it is written changes.
pub fn json(text: &str) -> Cow<'_, str> {
    let c1 = |c: char| c == '\u{7f}' || ('\u{80}'..='\u{9f}').contains(&c);
    if !text.chars().any(c1) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars()
            .map(|c| {
                if c1(c) {
                    format!("\\u{:04x}", u32::from(c))
                } else {
                    c.to_string()
                }
            })
            .collect(),
    )
}

/// A writer that passes text on with every control character but newline and tab escaped.
///
/// It works on bytes, so it needs no whole lines: a C1 control is the two bytes `C2 80`–`C2 9F`
/// in UTF-8, and a `C2` at the end of one write waits for the next.
#[derive(Debug)]
pub struct Visible<W: Write> {
    inner: W,
    /// A `C2` byte whose character is not known yet.
    lead: bool,
}

impl<W: Write> Visible<W> {
    pub fn new(inner: W) -> Self {
        Self { inner, lead: false }
    }

    /// Hands back the writer, with anything held back written.
    pub fn into_inner(mut self) -> io::Result<W> {
        self.release()?;
        Ok(self.inner)
    }

    fn release(&mut self) -> io::Result<()> {
        if std::mem::take(&mut self.lead) {
            self.inner.write_all(&[0xc2])?;
        }
        Ok(())
    }
}

impl<W: Write> Write for Visible<W> {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        let mut start = 0;
        for (i, &byte) in bytes.iter().enumerate() {
            if std::mem::take(&mut self.lead) {
                if (0x80..=0x9f).contains(&byte) {
                    self.inner.write_all(escape(char::from(byte)).as_bytes())?;
                    start = i + 1;
                    continue;
                }
                self.inner.write_all(&[0xc2])?;
            }
            let control = (byte < 0x20 && byte != b'\n' && byte != b'\t') || byte == 0x7f;
            if control || byte == 0xc2 {
                self.inner.write_all(&bytes[start..i])?;
                start = i + 1;
                if control {
                    self.inner.write_all(escape(char::from(byte)).as_bytes())?;
                } else {
                    self.lead = true;
                }
            }
        }
        self.inner.write_all(&bytes[start..])?;
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.release()?;
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written(pieces: &[&[u8]]) -> String {
        let mut out = Visible::new(Vec::new());
        for piece in pieces {
            out.write_all(piece).unwrap();
        }
        String::from_utf8(out.into_inner().unwrap()).unwrap()
    }

    const HOSTILE: &str = "a\u{1b}]0;PWNED\u{7}\u{1b}[2J\r\u{7f}\u{9b}31m\tb\nç😀";
    const SHOWN: &str = "a\\u001B]0;PWNED\\u0007\\u001B[2J\\u000D\\u007F\\u009B31m\tb\nç😀";

    #[test]
    fn control_characters_are_written_as_escapes() {
        assert_eq!(visible(HOSTILE), SHOWN);
        assert_eq!(written(&[HOSTILE.as_bytes()]), SHOWN);
        assert!(matches!(visible("plain\ttext\n"), Cow::Borrowed(_)));
    }

    #[test]
    fn the_writer_escapes_across_write_boundaries() {
        let bytes = HOSTILE.as_bytes();
        for cut in 0..bytes.len() {
            assert_eq!(
                written(&[&bytes[..cut], &bytes[cut..]]),
                SHOWN,
                "cut at {cut}"
            );
        }
        // A C2 at the very end is written once the writer is done.
        let mut out = Visible::new(Vec::new());
        out.write_all(b"x\xc2").unwrap();
        out.flush().unwrap();
        assert_eq!(out.into_inner().unwrap(), b"x\xc2");
    }

    #[test]
    fn json_keeps_its_meaning() {
        let text = serde_json::to_string(HOSTILE).unwrap();
        let escaped = json(&text);
        assert!(!escaped.chars().any(char::is_control), "{escaped}");
        let back: String = serde_json::from_str(&escaped).unwrap();
        assert_eq!(back, HOSTILE);
    }
}
