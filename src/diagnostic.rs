//! Problems found in a file, located by line and column and printed the same way everywhere.

use std::fmt;
use std::ops::Range;

use serde::Serialize;

use crate::source::Source;

/// How serious a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The file cannot be used until this is fixed.
    Error,
    /// The file works, but probably not as its author meant.
    Warning,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        })
    }
}

/// One problem, with the byte range of the file it is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub message: String,
    /// Byte range in the source; `None` for problems about the file as a whole.
    pub span: Option<Range<usize>>,
}

impl Diagnostic {
    pub fn error(span: impl Into<Option<Range<usize>>>, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Error,
            message: message.into(),
            span: span.into(),
        }
    }

    pub fn warning(span: impl Into<Option<Range<usize>>>, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Warning,
            message: message.into(),
            span: span.into(),
        }
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// A diagnostic resolved to a line and column, ready to print or serialise.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Located {
    pub severity: Severity,
    pub message: String,
    pub line: usize,
    pub column: usize,
}

/// Every diagnostic of one file, resolved and sorted by position.
#[derive(Debug, Clone)]
pub struct Report {
    pub file: String,
    pub items: Vec<Located>,
}

impl Report {
    /// Resolves positions and sorts by them; problems about the whole file come first.
    pub fn new(source: &Source, diagnostics: &[Diagnostic]) -> Self {
        let mut items: Vec<Located> = diagnostics
            .iter()
            .map(|d| {
                let (line, column) = d
                    .span
                    .as_ref()
                    .map_or((0, 0), |span| source.position(span.start));
                Located {
                    severity: d.severity,
                    message: d.message.clone(),
                    line,
                    column,
                }
            })
            .collect();
        items.sort_by_key(|item| (item.line, item.column, item.severity));
        Self {
            file: source.name().to_owned(),
            items,
        }
    }

    pub fn errors(&self) -> usize {
        self.count(Severity::Error)
    }

    pub fn warnings(&self) -> usize {
        self.count(Severity::Warning)
    }

    fn count(&self, severity: Severity) -> usize {
        self.items.iter().filter(|d| d.severity == severity).count()
    }
}

impl fmt::Display for Report {
    /// One `file:line:col: severity: message` line per problem.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for item in &self.items {
            if item.line == 0 {
                writeln!(f, "{}: {}: {}", self.file, item.severity, item.message)?;
            } else {
                writeln!(
                    f,
                    "{}:{}:{}: {}: {}",
                    self.file, item.line, item.column, item.severity, item.message
                )?;
            }
        }
        Ok(())
    }
}

/// The closest of `candidates` to `wanted`, if it is close enough to be a likely misspelling.
pub fn closest<'a>(wanted: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::damerau_levenshtein(wanted, c), c))
        .filter(|&(distance, c)| {
            // Allow roughly one slip per three characters, so 'nxt' finds 'next'
            // but 'a' does not find 'b'.
            distance > 0 && distance <= (wanted.chars().count().max(c.chars().count()) / 3).max(1)
        })
        // Ties go to the name first in alphabetical order, so the hint is the same on every run
        // whatever order the candidates come in.
        .min_by_key(|&(distance, c)| (distance, c))
        .map(|(_, c)| c)
}

/// "; did you mean 'x'?" when a close candidate exists, else nothing.
pub fn did_you_mean<'a>(wanted: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    closest(wanted, candidates).map_or_else(String::new, |c| format!("; did you mean '{c}'?"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equally_close_names_are_suggested_in_one_order() {
        assert_eq!(closest("o9", ["o2", "o1", "o3"]), Some("o1"));
        assert_eq!(closest("o9", ["o3", "o1", "o2"]), Some("o1"));
    }

    #[test]
    fn suggests_close_names_only() {
        assert_eq!(closest("nxt", ["next", "note", "id"]), Some("next"));
        assert_eq!(
            closest("comitment", ["commitment", "safety"]),
            Some("commitment")
        );
        assert_eq!(closest("zzz", ["next", "note"]), None);
        assert_eq!(
            closest("next", ["next"]),
            None,
            "an exact match is not a suggestion"
        );
    }

    #[test]
    fn report_sorts_by_position() {
        let source = Source::new("t.toml", "a\nbb\nccc\n".to_owned());
        let report = Report::new(
            &source,
            &[
                Diagnostic::warning(7..8, "third"),
                Diagnostic::error(0..1, "first"),
                Diagnostic::error(None, "whole file"),
                Diagnostic::error(3..4, "second"),
            ],
        );
        let text = report.to_string();
        assert_eq!(
            text,
            "t.toml: error: whole file\nt.toml:1:1: error: first\nt.toml:2:2: error: second\nt.toml:3:3: warning: third\n"
        );
        assert_eq!((report.errors(), report.warnings()), (3, 1));
    }
}
