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
        Self {
            name: name.into(),
            text,
            line_starts,
            builtin: false,
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
    pub fn position(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = self.line_starts.partition_point(|&start| start <= offset);
        let start = self.line_starts[line - 1];
        let column = self
            .text
            .get(start..offset)
            .map_or(offset - start, |s| s.chars().count());
        (line, column + 1)
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
    fn non_utf8_is_located() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.toml");
        std::fs::write(&path, b"ok = 1\nx = \"\xff\"\n").unwrap();
        let err = Source::read(&path).unwrap_err().to_string();
        assert!(err.contains(":2:6:"), "{err}");
        assert!(err.contains("not UTF-8"), "{err}");
    }
}
