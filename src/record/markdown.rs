//! Escaping for the Markdown record: a backslash only where Markdown would otherwise change the
//! text, so that notes pasted into a case system that shows the marks literally read as typed.

/// One line of text as Markdown that shows exactly these characters.
///
/// Escaped: emphasis and code marks (`*`, `` ` ``, `~~`, and `_` at the edge of a word); `[` and
/// `]` when both are on the line (a link); `<` that could open a tag or link; `&` that could
/// start an entity; `\` before punctuation; and at the start of the line, what would make a
/// heading, a quote, a list item or a rule.
pub fn line(text: &str) -> String {
    escape(text, false, true)
}

/// Like [`line`], for text that follows other text on its line, where nothing it starts with
/// can make a block.
pub fn inline(text: &str) -> String {
    escape(text, false, false)
}

/// Like [`inline`], and `|` too, for a table cell.
pub fn cell(text: &str) -> String {
    escape(text, true, false)
}

fn escape(text: &str, in_table: bool, starts_line: bool) -> String {
    let chars: Vec<char> = text.chars().collect();
    let link = text.contains('[') && text.contains(']');
    let mut out = String::with_capacity(text.len() + 8);
    let start = chars.iter().take_while(|c| **c == ' ').count();
    out.extend(&chars[..start]);
    let (prefix, consumed) = if starts_line {
        line_start(&chars[start..])
    } else {
        (String::new(), 0)
    };
    out.push_str(&prefix);
    for i in start + consumed..chars.len() {
        let c = chars[i];
        let prev = i.checked_sub(1).map(|p| chars[p]);
        let next = chars.get(i + 1).copied();
        let word = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
        let escaped = match c {
            '*' | '`' => true,
            '_' => !(word(prev) && word(next)),
            '~' => prev == Some('~') || next == Some('~'),
            '[' | ']' => link,
            '<' => next.is_some_and(|n| n.is_ascii_alphabetic() || matches!(n, '/' | '!' | '?')),
            '&' => entity_follows(&chars[i + 1..]),
            '\\' => next.is_some_and(|n| n.is_ascii_punctuation()),
            '|' => in_table,
            _ => false,
        };
        if escaped {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The start of a line escaped so that it is no block mark, and how many characters that took.
fn line_start(chars: &[char]) -> (String, usize) {
    let first = chars.first().copied();
    let second = chars.get(1).copied();
    let blank_after = |c: Option<char>| c.is_none_or(|c| c == ' ');
    match first {
        Some('#' | '>') => (format!("\\{}", chars[0]), 1),
        Some('-' | '+' | '*' | '=') if blank_after(second) || second == first => {
            (format!("\\{}", chars[0]), 1)
        }
        Some(d) if d.is_ascii_digit() => {
            let digits: String = chars.iter().take_while(|c| c.is_ascii_digit()).collect();
            let after = chars.get(digits.len()).copied();
            let after_that = chars.get(digits.len() + 1).copied();
            if matches!(after, Some('.' | ')')) && blank_after(after_that) {
                (
                    format!("{digits}\\{}", after.unwrap_or('.')),
                    digits.len() + 1,
                )
            } else {
                (String::new(), 0)
            }
        }
        _ => (String::new(), 0),
    }
}

/// Whether `&` is followed by what reads as an entity, such as `amp;` or `#38;`.
fn entity_follows(rest: &[char]) -> bool {
    let name = rest
        .iter()
        .take_while(|c| c.is_ascii_alphanumeric() || **c == '#')
        .count();
    name > 0 && rest.get(name) == Some(&';')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_text_is_left_alone() {
        for text in [
            "Prefers evenings; call back after 5 <3",
            "snake_case_id and 2 > 1, a | b, 1-800-662-4357",
            "Tom & Jerry, C:\\Users\\x, a~b",
            "Said \"no\" (twice) - then yes. # not a heading",
        ] {
            assert_eq!(line(text), text);
        }
    }

    #[test]
    fn what_markdown_would_change_is_escaped() {
        assert_eq!(line("*very* anxious"), "\\*very\\* anxious");
        assert_eq!(line("_quiet_ today"), "\\_quiet\\_ today");
        assert_eq!(line("see [her file](x)"), "see \\[her file\\](x)");
        assert_eq!(line("<b>bold</b>"), "\\<b>bold\\</b>");
        assert_eq!(line("`code` and ~~no~~"), "\\`code\\` and \\~\\~no\\~\\~");
        assert_eq!(line("&amp; sign"), "\\&amp; sign");
        assert_eq!(line("a \\* star"), "a \\\\\\* star");
        assert_eq!(line("# Heading"), "\\# Heading");
        assert_eq!(line("> quoted"), "\\> quoted");
        assert_eq!(line("- item"), "\\- item");
        assert_eq!(line("---"), "\\---");
        assert_eq!(line("2. second"), "2\\. second");
        assert_eq!(line("2.5 hours"), "2.5 hours");
        assert_eq!(cell("a | b"), "a \\| b");
        assert_eq!(inline("#123 - *x*"), "#123 - \\*x\\*");
    }

    proptest::proptest! {
        #[test]
        fn any_text_is_escaped_without_panicking_and_only_by_adding_backslashes(text in "\\PC{0,40}") {
            let escaped = line(&text);
            let mut kept = String::new();
            let mut chars = escaped.chars().peekable();
            while let Some(c) = chars.next() {
                // Every backslash added stands before the character it escapes.
                if c == '\\' && chars.peek().is_some_and(char::is_ascii_punctuation) {
                    kept.push(chars.next().unwrap_or_default());
                } else {
                    kept.push(c);
                }
            }
            // Read back as Markdown reads escapes, it is the text as typed.
            proptest::prop_assert_eq!(kept, text.clone());
            let _ = cell(&text);
        }
    }
}
