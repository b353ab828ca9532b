//! The text of a tree or answers file, its name for messages, and byte-offset → line:column.

use std::path::Path;

use sha2::{Digest, Sha256};

use crate::files::{self, FileError, Links};

/// The built-in tree, compiled in so that groupfit works from any directory.
pub const BUILTIN_TREE: &str = include_str!("../questions.toml");

/// The name the built-in tree goes by in messages.
pub const BUILTIN_NAME: &str = "(built-in) questions.toml";

/// A file's text with the name used in messages.
#[derive(Debug, Clone)]
pub struct Source {
    name: String,
    text: String,
    line_starts: Vec<usize>,
    builtin: bool,
    /// The number of characters before each multiple of [`CHARS_EVERY`] bytes, so that a column
    /// far along a long line is counted from the nearest mark, not from the line's start.
    chars_before: Vec<usize>,
}

/// How many bytes apart the character counts of [`Source::chars_before`] are.
const CHARS_EVERY: usize = 256;

/// Whether a byte starts a character (is not a UTF-8 continuation byte).
fn starts_char(byte: u8) -> bool {
    byte & 0xC0 != 0x80
}

/// Why a file could not be read as text.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("{path}: cannot read the file: {source}; give the path of a TOML or JSON file")]
    Io { path: String, source: FileError },
    #[error(
        "{path}:{line}:{column}: the file is not UTF-8 text (byte {offset}); save it as UTF-8 and try again"
    )]
    NotUtf8 {
        path: String,
        offset: usize,
        line: usize,
        column: usize,
    },
}

impl Source {
    pub fn new(name: impl Into<String>, text: String) -> Self {
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        let mut chars_before = Vec::with_capacity(text.len() / CHARS_EVERY + 1);
        let mut chars = 0;
        for block in text.as_bytes().chunks(CHARS_EVERY) {
            chars_before.push(chars);
            chars += block.iter().filter(|&&b| starts_char(b)).count();
        }
        if text.len().is_multiple_of(CHARS_EVERY) {
            // The end of the text starts a block of its own.
            chars_before.push(chars);
        }
        Self {
            name: name.into(),
            text,
            line_starts,
            builtin: false,
            chars_before,
        }
    }

    /// The tree compiled into the binary, named so that no message mistakes it for a file called
    /// `questions.toml` in the current folder.
    pub fn builtin() -> Self {
        Self {
            builtin: true,
            ..Self::new(BUILTIN_NAME, BUILTIN_TREE.to_owned())
        }
    }

    /// Whether this is the tree compiled into the binary rather than a file.
    pub fn is_builtin(&self) -> bool {
        self.builtin
    }

    /// The tree in words, as every command that uses one names it: "the built-in tree, version
    /// 2026.12" or "my-tree.toml, version 3".
    pub fn describe(&self, version: Option<&str>) -> String {
        let what = if self.builtin {
            "the built-in tree".to_owned()
        } else {
            self.name.clone()
        };
        match version {
            Some(version) => format!("{what}, version {version}"),
            None => what,
        }
    }

    /// Reads a file, refusing anything that is not UTF-8 with the position of the first bad byte,
    /// and anything that is not a regular file or is larger than [`files::SOURCE_LIMIT`].
    pub fn read(path: &Path) -> Result<Self, ReadError> {
        let shown = path.display().to_string();
        let bytes = files::read(path, files::SOURCE_LIMIT, Links::Follow).map_err(|source| {
            ReadError::Io {
                path: shown.clone(),
                source,
            }
        })?;
        match String::from_utf8(bytes) {
            Ok(text) => Ok(Self::new(shown, text)),
            Err(err) => {
                let offset = err.utf8_error().valid_up_to();
                let good = &err.as_bytes()[..offset];
                #[allow(clippy::naive_bytecount)] // once per unreadable file
                let line = good.iter().filter(|&&b| b == b'\n').count() + 1;
                let line_start = good.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
                let column = String::from_utf8_lossy(&good[line_start..]).chars().count() + 1;
                Err(ReadError::NotUtf8 {
                    path: shown,
                    offset,
                    line,
                    column,
                })
            }
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    /// The 1-based line and column (in characters) of a byte offset.
    ///
    /// Both are found in time that does not grow with the length of the line, so that a file
    /// with thousands of problems on one long line is still reported at once.
    pub fn position(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = self.line_starts.partition_point(|&start| start <= offset);
        let start = self.line_starts[line - 1];
        // An offset inside a character is counted as that character's column.
        (
            line,
            self.chars_before(offset) - self.chars_before(start) + 1,
        )
    }

    /// The number of characters that start before byte `offset`, at most the text's length.
    fn chars_before(&self, offset: usize) -> usize {
        let block = offset / CHARS_EVERY;
        self.chars_before[block]
            + self.text.as_bytes()[block * CHARS_EVERY..offset]
                .iter()
                .filter(|&&b| starts_char(b))
                .count()
    }

    /// The text of a 1-based line, without its line break; empty past the end.
    pub fn line_text(&self, line: usize) -> &str {
        let Some(&start) = line.checked_sub(1).and_then(|i| self.line_starts.get(i)) else {
            return "";
        };
        let end = self
            .line_starts
            .get(line)
            .map_or(self.text.len(), |&next| next - 1);
        self.text
            .get(start..end)
            .unwrap_or_default()
            .trim_end_matches('\r')
    }

    /// The file's SHA-256, in lowercase hex, stamped on every result.
    pub fn sha256(&self) -> String {
        let digest = Sha256::digest(self.text.as_bytes());
        digest.iter().fold(String::with_capacity(64), |mut hex, b| {
            use std::fmt::Write as _;
            let _ = write!(hex, "{b:02x}");
            hex
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based_and_count_characters() {
        let source = Source::new("x", "ab\nçd\n\nz".to_owned());
        assert_eq!(source.position(0), (1, 1));
        assert_eq!(source.position(1), (1, 2));
        assert_eq!(source.position(3), (2, 1));
        assert_eq!(source.position(5), (2, 2), "ç is two bytes but one column");
        assert_eq!(source.position(7), (3, 1));
        assert_eq!(source.position(8), (4, 1));
        assert_eq!(source.position(999), (4, 2), "past the end clamps");
    }

    #[test]
    fn positions_along_a_long_line_match_counting_from_its_start() {
        // Blocks of the character index end inside characters of two, three and four bytes.
        let line: String = (0..3000).map(|i| ['a', 'é', '€', '𝄞'][i % 4]).collect();
        let text = format!("first\n{line}\n{line}");
        let source = Source::new("x", text.clone());
        for (offset, _) in text.char_indices() {
            let start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
            let line = text[..offset].matches('\n').count() + 1;
            let column = text[start..offset].chars().count() + 1;
            assert_eq!(source.position(offset), (line, column), "at byte {offset}");
        }
        let end = text.len();
        assert_eq!(source.position(end), (3, line.chars().count() + 1));
    }

    #[test]
    fn a_text_whose_length_is_a_multiple_of_the_block_is_located_to_its_end() {
        let source = Source::new("x", "a".repeat(2 * CHARS_EVERY));
        assert_eq!(source.position(2 * CHARS_EVERY), (1, 2 * CHARS_EVERY + 1));
        assert_eq!(Source::new("x", String::new()).position(0), (1, 1));
    }

    #[test]
    fn non_utf8_is_located() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.toml");
        std::fs::write(&path, b"ok = 1\nx = \"\xff\"\n").unwrap();
        let err = Source::read(&path).unwrap_err().to_string();
        assert!(err.contains(":2:6:"), "{err}");
        assert!(err.contains("not UTF-8"), "{err}");
    }
}
