//! Problems printed for a person: each `file:line:col: severity: message` line followed by the
//! line of the file it is about, with a caret under the place.
//!
//! A report lists at most [`crate::diagnostic::SHOWN`] problems, so only those lines of the file
//! are rendered, and a file with thousands of problems costs no more to print than before.

use std::fmt::Write as _;

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};

use crate::diagnostic::{Report, Severity};
use crate::source::Source;

/// The report as text, each located problem with its line and a caret under the place.
pub fn render(report: &Report, source: &Source) -> String {
    let renderer = Renderer::plain();
    let mut out = String::new();
    for item in &report.items {
        if item.line == 0 {
            let _ = writeln!(out, "{}: {}: {}", report.file, item.severity, item.message);
            continue;
        }
        let _ = writeln!(
            out,
            "{}:{}:{}: {}: {}",
            report.file, item.line, item.column, item.severity, item.message
        );
        let text = source.line_text(item.line);
        if text.trim().is_empty() {
            continue;
        }
        let place = place(text, item.column);
        let level = match item.severity {
            Severity::Error => Level::ERROR,
            Severity::Warning => Level::WARNING,
        };
        let group = Group::with_level(level).element(
            Snippet::source(text)
                .line_start(item.line)
                .annotation(AnnotationKind::Primary.span(place)),
        );
        let drawn = renderer.render(&[group]);
        for line in drawn.lines().filter(|l| !l.trim().is_empty()) {
            let _ = writeln!(out, "{line}");
        }
    }
    if report.omitted() > 0 {
        // The line that counts the problems not listed, worded as the report words it.
        if let Some(more) = report.to_string().lines().last() {
            let _ = writeln!(out, "{more}");
        }
    }
    out
}

/// The byte range to underline: from the column (in characters) to the end of the word or
/// quoted text there, at least one character.
fn place(text: &str, column: usize) -> std::ops::Range<usize> {
    let start = text
        .char_indices()
        .nth(column.saturating_sub(1))
        .map_or(text.len(), |(i, _)| i);
    let rest = &text[start..];
    let length = match rest.chars().next() {
        Some(quote @ ('"' | '\'' | '“' | '‘')) => {
            let close = if quote == '“' {
                '”'
            } else if quote == '‘' {
                '’'
            } else {
                quote
            };
            rest[quote.len_utf8()..]
                .find(close)
                .map_or(rest.len(), |i| i + quote.len_utf8() + close.len_utf8())
        }
        Some('[') => rest.find(']').map_or(rest.len(), |i| i + 1),
        Some(first) => {
            match rest.find(|c: char| c.is_whitespace() || matches!(c, '=' | ',' | '}' | ']')) {
                Some(0) => first.len_utf8(),
                Some(end) => end,
                None => rest.len(),
            }
        }
        None => 0,
    };
    start..start + length
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Diagnostic;

    #[test]
    fn a_located_problem_shows_its_line_with_a_caret_under_the_place() {
        let source = Source::new("t.toml", "[tree]\n  nxt = \"q2\"\n".to_owned());
        let report = Report::new(
            &source,
            &[
                Diagnostic::error(9..12, "unknown key 'nxt'"),
                Diagnostic::warning(None, "about the whole file"),
            ],
        );
        let text = render(&report, &source);
        assert_eq!(
            text,
            "t.toml: warning: about the whole file\n\
             t.toml:2:3: error: unknown key 'nxt'\n  \
             |\n\
             2 |   nxt = \"q2\"\n  \
             |   ^^^\n"
        );
    }

    #[test]
    fn problems_past_the_listed_ones_are_counted_on_one_line() {
        use crate::diagnostic::SHOWN;
        let text = "x = 1\n".repeat(SHOWN + 50);
        let source = Source::new("t.toml", text);
        let diagnostics: Vec<Diagnostic> = (0..SHOWN + 50)
            .map(|i| Diagnostic::error(i * 6..i * 6 + 1, "bad"))
            .collect();
        let shown = render(&Report::new(&source, &diagnostics), &source);
        assert_eq!(shown.matches(": error: bad").count(), SHOWN);
        assert_eq!(shown.matches("| ^").count(), SHOWN);
        assert!(
            shown.ends_with("t.toml: and 50 more error(s) not listed (only the first 100 are); fix those above and run it again\n"),
            "{shown}"
        );
    }

    #[test]
    fn the_place_is_a_word_a_quoted_text_or_a_header() {
        assert_eq!(place("next = none", 8), 7..11);
        assert_eq!(place("text = “Hi”", 8), 7..15);
        assert_eq!(place("[[questions]]", 1), 0..12);
        assert_eq!(place("x", 9), 1..1);
    }
}
