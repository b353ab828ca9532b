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

/// How many problems a report lists; the rest are counted on one line, so a file with a million
/// mistakes gives a page to read, not a million lines.
pub const SHOWN: usize = 100;

/// The diagnostics of one file, resolved and sorted by position: the first [`SHOWN`] of them, and
/// how many there are in all.
#[derive(Debug, Clone)]
pub struct Report {
    pub file: String,
    /// The first problems in file order, at most [`SHOWN`].
    pub items: Vec<Located>,
    errors: usize,
    warnings: usize,
}

impl Report {
    /// Resolves positions and sorts by them; problems about the whole file come first.
    pub fn new(source: &Source, diagnostics: &[Diagnostic]) -> Self {
        Self::of(source, diagnostics.iter())
    }

    /// The report of the errors alone, for refusing a file whose warnings do not matter here.
    pub fn errors_only(source: &Source, diagnostics: &[Diagnostic]) -> Self {
        Self::of(source, diagnostics.iter().filter(|d| d.is_error()))
    }

    fn of<'d>(source: &Source, diagnostics: impl Iterator<Item = &'d Diagnostic>) -> Self {
        let diagnostics: Vec<&Diagnostic> = diagnostics.collect();
        // Every position is resolved and sorted, but only the messages shown are copied.
        let mut order: Vec<(usize, usize, Severity, usize)> = diagnostics
            .iter()
            .enumerate()
            .map(|(ix, d)| {
                let (line, column) = d
                    .span
                    .as_ref()
                    .map_or((0, 0), |span| source.position(span.start));
                (line, column, d.severity, ix)
            })
            .collect();
        // The index last keeps problems at one position in the order they were found.
        order.sort_unstable();
        let items = order
            .iter()
            .take(SHOWN)
            .map(|&(line, column, severity, ix)| Located {
                severity,
                message: diagnostics[ix].message.clone(),
                line,
                column,
            })
            .collect();
        let errors = diagnostics.iter().filter(|d| d.is_error()).count();
        Self {
            file: source.name().to_owned(),
            items,
            errors,
            warnings: diagnostics.len() - errors,
        }
    }

    /// Every error, listed or not.
    pub fn errors(&self) -> usize {
        self.errors
    }

    /// Every warning, listed or not.
    pub fn warnings(&self) -> usize {
        self.warnings
    }

    /// How many problems are counted but not listed.
    pub fn omitted(&self) -> usize {
        self.errors + self.warnings - self.items.len()
    }
}

impl fmt::Display for Report {
    /// One `file:line:col: severity: message` line per problem listed, then how many more there
    /// are.
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
        if self.omitted() > 0 {
            let listed_errors = self
                .items
                .iter()
                .filter(|i| i.severity == Severity::Error)
                .count();
            writeln!(
                f,
                "{}: {}",
                self.file,
                more_line(
                    self.errors - listed_errors,
                    self.warnings - (self.items.len() - listed_errors)
                )
            )?;
        }
        Ok(())
    }
}

/// "and N more error(s) not listed; …", the line that ends a list cut at [`SHOWN`].
fn more_line(errors: usize, warnings: usize) -> String {
    let counted = match (errors, warnings) {
        (0, w) => format!("{w} more warning(s)"),
        (e, 0) => format!("{e} more error(s)"),
        (e, w) => format!("{e} more error(s) and {w} more warning(s)"),
    };
    format!(
        "and {counted} not listed (only the first {SHOWN} are); fix those above and run it again"
    )
}

/// Problems with no file to locate them in (answers given as `--answer QID=OID`), one
/// `severity: message` line each, cut at [`SHOWN`] like a [`Report`].
pub fn unlocated(diagnostics: &[Diagnostic]) -> String {
    use fmt::Write as _;
    let mut out = String::new();
    for d in diagnostics.iter().take(SHOWN) {
        let _ = writeln!(out, "{}: {}", d.severity, d.message);
    }
    if diagnostics.len() > SHOWN {
        let rest = &diagnostics[SHOWN..];
        let errors = rest.iter().filter(|d| d.is_error()).count();
        let _ = writeln!(out, "{}", more_line(errors, rest.len() - errors));
    }
    out
}

/// The closest of `candidates` to `wanted`, if it is close enough to be a likely misspelling.
pub fn closest<'a>(wanted: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let wanted_len = wanted.chars().count();
    // Allow roughly one slip per three characters, so 'nxt' finds 'next' but 'a' does not find 'b'.
    let allowed = |len: usize| (wanted_len.max(len) / 3).max(1);
    candidates
        .into_iter()
        // The distance is at least the difference in length, which is cheaper to know.
        .filter(|c| {
            let len = c.chars().count();
            wanted_len.abs_diff(len) <= allowed(len)
        })
        .map(|c| (strsim::damerau_levenshtein(wanted, c), c))
        .filter(|&(distance, c)| distance > 0 && distance <= allowed(c.chars().count()))
        // Ties go to the name first in alphabetical order, so the hint is the same on every run
        // whatever order the candidates come in.
        .min_by_key(|&(distance, c)| (distance, c))
        .map(|(_, c)| c)
}

/// A set of names to suggest from ("did you mean"), built once and asked once per misspelling,
/// in time that does not grow with the number of names.
///
/// Up to [`Names::EXHAUSTIVE`] names, every one is compared, as [`closest`] does. Beyond that only
/// the names nearest the misspelling in alphabetical order, and nearest it read backwards, are,
/// each also without its last character: a slip in the middle or at the end of a name keeps it
/// near in the first order (`q1x` is next to `q1` once the `x` is left off), a slip at its start
/// in the second. So a file with thousands of questions and thousands of misspelt references is
/// checked in time that grows only with its size.
#[derive(Debug, Clone, Default)]
pub struct Names {
    /// Every name, sorted and each once.
    sorted: Vec<String>,
    /// Each name read backwards, sorted, with its index in `sorted`.
    backwards: Vec<(String, usize)>,
}

impl Names {
    /// Sets up to this size are searched whole.
    pub const EXHAUSTIVE: usize = 100;
    /// How many neighbours on each side of each place looked at a larger set compares.
    const NEIGHBOURS: usize = 8;

    pub fn new<'a>(names: impl IntoIterator<Item = &'a str>) -> Self {
        let mut sorted: Vec<String> = names.into_iter().map(str::to_owned).collect();
        sorted.sort_unstable();
        sorted.dedup();
        let backwards = if sorted.len() > Self::EXHAUSTIVE {
            let mut backwards: Vec<(String, usize)> = sorted
                .iter()
                .enumerate()
                .map(|(ix, name)| (name.chars().rev().collect(), ix))
                .collect();
            backwards.sort_unstable();
            backwards
        } else {
            Vec::new()
        };
        Self { sorted, backwards }
    }

    /// The closest name to `wanted`, if it is close enough to be a likely misspelling.
    pub fn closest(&self, wanted: &str) -> Option<&str> {
        if self.sorted.len() <= Self::EXHAUSTIVE {
            return closest(wanted, self.sorted.iter().map(String::as_str));
        }
        let near = |len: usize, at: usize| {
            at.saturating_sub(Self::NEIGHBOURS)..(at + Self::NEIGHBOURS).min(len)
        };
        let reversed: String = wanted.chars().rev().collect();
        let mut candidates: Vec<&str> = Vec::with_capacity(8 * Self::NEIGHBOURS);
        for probe in [wanted, without_last(wanted)] {
            let at = self.sorted.partition_point(|name| name.as_str() < probe);
            candidates.extend(
                self.sorted[near(self.sorted.len(), at)]
                    .iter()
                    .map(String::as_str),
            );
        }
        for probe in [reversed.as_str(), without_last(&reversed)] {
            let at = self
                .backwards
                .partition_point(|(name, _)| name.as_str() < probe);
            candidates.extend(
                self.backwards[near(self.backwards.len(), at)]
                    .iter()
                    .map(|&(_, ix)| self.sorted[ix].as_str()),
            );
        }
        closest(wanted, candidates)
    }

    /// "; did you mean 'x'?" when a close name exists, else nothing.
    pub fn did_you_mean(&self, wanted: &str) -> String {
        self.closest(wanted)
            .map_or_else(String::new, |c| format!("; did you mean '{c}'?"))
    }
}

/// `text` without its last character.
fn without_last(text: &str) -> &str {
    text.char_indices().last().map_or(text, |(i, _)| &text[..i])
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
    fn a_small_set_of_names_suggests_as_comparing_them_all_does() {
        let ids = [
            "safety",
            "want",
            "issue",
            "commitment",
            "outside",
            "o1",
            "o2",
            "o3",
        ];
        let names = Names::new(ids);
        for wanted in [
            "comitment",
            "wnat",
            "isue",
            "o9",
            "zzz",
            "safety",
            "outsid",
            "xafety",
        ] {
            assert_eq!(names.closest(wanted), closest(wanted, ids), "{wanted}");
        }
    }

    #[test]
    fn a_large_set_of_names_finds_slips_anywhere_in_a_name() {
        let ids: Vec<String> = (0..50_000).map(|i| format!("question{i}")).collect();
        let names = Names::new(ids.iter().map(String::as_str));
        // A slip at the end, in the middle and at the start.
        assert_eq!(names.closest("question12345x"), Some("question12345"));
        assert_eq!(names.closest("quesiton777"), Some("question777"));
        assert_eq!(names.closest("xuestion4242"), Some("question4242"));
        assert_eq!(names.closest("question1x"), Some("question1"));
        assert_eq!(names.closest("xquestion2"), Some("question2"));
        assert_eq!(names.closest("elsewhere"), None);
        assert_eq!(
            names.did_you_mean("qestion7"),
            "; did you mean 'question7'?"
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
        assert_eq!(report.omitted(), 0);
    }

    #[test]
    fn a_long_report_lists_the_first_problems_and_counts_the_rest() {
        let source = Source::new("t.toml", "x\n".repeat(300));
        // Found out of order, as the checks find them: warnings on even lines, errors on odd.
        let diagnostics: Vec<Diagnostic> = (0..300)
            .rev()
            .map(|line| {
                if line % 2 == 0 {
                    Diagnostic::warning(2 * line..2 * line + 1, format!("w{}", line + 1))
                } else {
                    Diagnostic::error(2 * line..2 * line + 1, format!("e{}", line + 1))
                }
            })
            .collect();
        let report = Report::new(&source, &diagnostics);
        assert_eq!((report.errors(), report.warnings()), (150, 150));
        assert_eq!(report.items.len(), SHOWN);
        assert_eq!(report.omitted(), 200);
        let text = report.to_string();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), SHOWN + 1);
        assert_eq!(lines[0], "t.toml:1:1: warning: w1");
        assert_eq!(lines[SHOWN - 1], "t.toml:100:1: error: e100");
        assert_eq!(
            lines[SHOWN],
            "t.toml: and 100 more error(s) and 100 more warning(s) not listed (only the first 100 are); fix those above and run it again"
        );

        let errors = Report::errors_only(&source, &diagnostics);
        assert_eq!((errors.errors(), errors.warnings()), (150, 0));
        let text = errors.to_string();
        assert_eq!(text.lines().count(), SHOWN + 1);
        assert_eq!(text.lines().next(), Some("t.toml:2:1: error: e2"));
        assert!(text.ends_with("and 50 more error(s) not listed (only the first 100 are); fix those above and run it again\n"), "{text}");
    }

    #[test]
    fn unlocated_problems_are_cut_the_same_way() {
        let few = vec![Diagnostic::error(None, "one")];
        assert_eq!(unlocated(&few), "error: one\n");
        let many: Vec<Diagnostic> = (0..SHOWN + 5)
            .map(|i| Diagnostic::error(None, format!("e{i}")))
            .collect();
        let text = unlocated(&many);
        assert_eq!(text.lines().count(), SHOWN + 1);
        assert!(text.ends_with("and 5 more error(s) not listed (only the first 100 are); fix those above and run it again\n"), "{text}");
    }
}
