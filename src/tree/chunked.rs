//! Parsing the TOML document into toml's spanned tree, piece by piece.
//!
//! [`parse_mapped`] gives the same top-level entries (keys, values, every key and value span) and
//! the same errors as one `DeTable::parse_recoverable` of the whole text, but never holds the
//! whole document's tokens, parser events or tree at once. Those three together take about forty
//! times the file's size in memory, and touching that much fresh memory makes a whole-text parse of
//! a large tree slower per byte than of a small one. Here the text is cut into pieces of about
//! [`DEFAULT_PIECE_BYTES`]; each piece is parsed and handed to the caller's `map` (which turns its
//! entries into the caller's own structs) before the next one is needed, and large files are
//! parsed on a few threads.
//!
//! How it works:
//! 1. [`split_points`], a byte scanner that follows comments, the four kinds of strings and the
//!    bracket depth of arrays and inline tables, finds the line starts of the top-level header
//!    lines whose key has a single segment (`[tree]`, `[[question]]`, `[[outcome]]`,
//!    `[[scenario]]`, `["quoted.key"]`, ...). Dotted headers such as `[[question.option]]` never
//!    start a piece: they stay with the `[[question]]` before them.
//! 2. The text before the first such line (a byte-order mark, comments, keys at the root, dotted
//!    headers) is parsed on its own. It *is* a prefix of the document, so its result is what the
//!    whole-text parser has at that point, spans included.
//! 3. The rest is cut at those lines into pieces. Each is parsed with `DeTable::parse`, and its
//!    root entries go to `map` in document order, with the piece's offset to add to their spans.
//!    A key not seen before is new; an array of tables (`[[X]]`) that an earlier piece started
//!    receives more elements; anything else (a second `[tree]`, `[X]` after `[[X]]`, a dotted
//!    header in a piece that does not start its parent, a root key that a later header names
//!    again, ...) is a clash.
//! 4. On a syntax error in any piece, on any clash, or when the brackets do not balance, the whole
//!    text is parsed again with `DeTable::parse_recoverable` and its entries are mapped instead, so
//!    errors (messages, spans, recovery) are exactly those of the whole-text parse. A file with
//!    errors costs one extra parse.
//!
//! Why the result is the same. (a) Every piece starts at a line whose first non-blank byte is `[`.
//! If the whole-text parser is not at the start of an expression there (the line is inside a
//! multi-line string, array or inline table), the piece before it ends inside that string or
//! bracket and fails to parse, which means falling back. So whenever every piece parses, each piece
//! starts at an expression boundary with the tokens the whole-text lexer produces there, and its
//! first expression is a table header. This holds whatever the scanner decides; the scanner only
//! has to be right for the pieces to be taken rather than the fallback (the tests check both).
//! (b) At a header the whole-text parser finishes the previous table and from then on reads and
//! writes only the root entries named by the headers that follow. If a piece's root key is new,
//! the whole-text parser builds the same subtree from the same tokens as the piece's own parse. If
//! the key is an array of tables and the piece's first header naming it is `[[X]]`, it pushes a new
//! element and puts later `[X.y]` / `[[X.y]]` headers into that last element, as the piece's parse
//! does. If the piece's first header naming it were dotted, the piece's parse would make `X` an
//! implicit table, which is a clash and falls back.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, PoisonError, mpsc};

use toml::Spanned;
use toml::de::{DeString, DeTable, DeValue};

/// Target size of one piece. Small pieces keep a piece's tokens and events (about twenty bytes
/// each per byte of text) in cache; 4 to 64 KiB measure the same, larger pieces are slower.
pub const DEFAULT_PIECE_BYTES: usize = 16 * 1024;

/// Files shorter than this are parsed on the calling thread only.
pub const DEFAULT_PARALLEL_MIN_BYTES: usize = 1 << 20;

/// How many pieces the worker threads may parse ahead of the one the caller is waiting for.
const WINDOW: usize = 8;

/// How to cut the text and how many threads to parse it on.
#[derive(Clone, Copy, Debug)]
pub struct Options {
    /// Target piece size in bytes; 0 puts every top-level header in a piece of its own.
    pub piece_bytes: usize,
    /// Worker threads; 0 or 1 parses on the calling thread.
    pub threads: usize,
    /// Texts shorter than this are parsed on the calling thread whatever `threads` says.
    pub parallel_min_bytes: usize,
}

impl Default for Options {
    /// 16 KiB pieces; as many threads as there are CPUs (at most four) for texts of 1 MiB or more.
    fn default() -> Self {
        Self {
            piece_bytes: DEFAULT_PIECE_BYTES,
            threads: std::thread::available_parallelism().map_or(1, |n| n.get().min(4)),
            parallel_min_bytes: DEFAULT_PARALLEL_MIN_BYTES,
        }
    }
}

/// Turns one top-level entry into the caller's value. It may run on a worker thread.
///
/// The spans of the key and value (and of everything in it) are relative to the piece the entry
/// was parsed from; the third argument is the piece's offset in the text, to be added to every span
/// the caller keeps. Moving the spans of the caller's result is much cheaper than moving those of
/// the parsed tree, whose tables would all have to be rebuilt because their keys carry spans too.
pub type MapEntry<'i, T> =
    dyn Fn(Spanned<DeString<'i>>, Spanned<DeValue<'i>>, usize) -> T + Sync + 'i;

/// Parses `text` and maps each top-level entry with `map`, returning the mapped values and the
/// syntax errors.
///
/// The entries, taken together and with their spans moved by the given offsets, are exactly those
/// of `DeTable::parse_recoverable(text)`, and so are the errors. How they are grouped differs, so
/// `map` must treat each entry on its own:
///
/// - when the text is cut into pieces, an array of tables (`[[X]]`) written across several pieces
///   arrives once per piece, each time holding only that piece's elements (its span and key are
///   then those of the piece's first `[[X]]` header; only the first arrival's match the whole-text
///   parse); entries come in document order, and in key order within a piece;
/// - otherwise (a short or unusual text, or one with errors) each key arrives once, in key order,
///   with the whole-text parse's errors.
pub fn parse_mapped<'i, T: Send>(
    text: &'i str,
    options: Options,
    map: &MapEntry<'i, T>,
) -> (Vec<T>, Vec<toml::de::Error>) {
    if let Some(splits) = split_points(text)
        && let Some(mapped) = map_pieces(text, &splits, options, map)
    {
        return (mapped, Vec::new());
    }
    parse_whole(text, map)
}

/// Parses the whole text at once with `DeTable::parse_recoverable` and maps each top-level entry
/// with offset 0: what [`parse_mapped`] falls back to, and what its pieces must add up to.
pub fn parse_whole<'i, T>(text: &'i str, map: &MapEntry<'i, T>) -> (Vec<T>, Vec<toml::de::Error>) {
    let (root, errors) = DeTable::parse_recoverable(text);
    let mapped = root
        .into_inner()
        .into_iter()
        .map(|(key, value)| map(key, value, 0))
        .collect();
    (mapped, errors)
}

/// The byte offsets of the line starts of the top-level header lines whose key has one segment,
/// in order; `None` when a closing bracket has no opening one (the parser will report it).
///
/// The scanner follows comments, the four kinds of strings and the bracket depth of arrays and
/// inline tables. It decides only whether the pieces can be used: a piece always starts at a line
/// whose first non-blank byte is `[`, and if that line is not really a header, the piece before it
/// ends inside a string or bracket, fails to parse, and the whole text is parsed instead.
fn split_points(text: &str) -> Option<Vec<usize>> {
    let b = text.as_bytes();
    let n = b.len();
    let mut splits = Vec::new();
    let mut depth: usize = 0;
    // A byte-order mark belongs to the first line, and so to the prefix, whose lexer skips it.
    let mut i = if b.starts_with(b"\xEF\xBB\xBF") { 3 } else { 0 };
    let mut line_start = 0;
    'lines: while i < n {
        while i < n && (b[i] == b' ' || b[i] == b'\t') {
            i += 1;
        }
        if depth == 0 && i < n && b[i] == b'[' {
            let (dotted, next_line) = scan_header_line(b, i);
            if !dotted {
                splits.push(line_start);
            }
            i = next_line;
            line_start = i;
            continue;
        }
        while i < n {
            match b[i] {
                b'\n' => {
                    i += 1;
                    line_start = i;
                    continue 'lines;
                }
                b'#' => {
                    while i < n && b[i] != b'\n' {
                        i += 1;
                    }
                }
                b'"' if b[i..].starts_with(b"\"\"\"") => i = skip_multiline_string(b, i + 3, b'"'),
                b'\'' if b[i..].starts_with(b"'''") => i = skip_multiline_string(b, i + 3, b'\''),
                b'"' | b'\'' => i = skip_string(b, i + 1, b[i]),
                b'[' | b'{' => {
                    depth += 1;
                    i += 1;
                }
                b']' | b'}' => {
                    depth = depth.checked_sub(1)?;
                    i += 1;
                }
                _ => {
                    i += 1;
                    while i < n && !SPECIAL[usize::from(b[i])] {
                        i += 1;
                    }
                }
            }
        }
    }
    Some(splits)
}

/// The bytes the scanner must look at; runs of other bytes are skipped in a tight loop.
const SPECIAL: [bool; 256] = {
    let mut table = [false; 256];
    let special = b"\n#\"'[]{}";
    let mut k = 0;
    while k < special.len() {
        table[special[k] as usize] = true;
        k += 1;
    }
    table
};

/// `i` is at the `[` of a header. Returns whether its key is dotted (a `.` outside quotes before
/// the first `]`) and where the next line starts.
fn scan_header_line(b: &[u8], mut i: usize) -> (bool, usize) {
    let n = b.len();
    let mut dotted = false;
    i += 1;
    while i < n {
        match b[i] {
            b']' | b'\n' => break,
            b'.' => {
                dotted = true;
                i += 1;
            }
            b'"' | b'\'' => i = skip_string(b, i + 1, b[i]),
            _ => i += 1,
        }
    }
    while i < n && b[i] != b'\n' {
        i += 1;
    }
    (dotted, (i + 1).min(n))
}

/// A one-line string from `i`, just after its opening quote: the index after the closing quote,
/// or of the line break or end of text when there is none.
fn skip_string(b: &[u8], mut i: usize, quote: u8) -> usize {
    let n = b.len();
    while i < n {
        match b[i] {
            b'\\' if quote == b'"' => i += 2,
            b'\n' => return i,
            c if c == quote => return i + 1,
            _ => i += 1,
        }
    }
    n
}

/// A multi-line string from `i`, just after its opening triple quote: the index after the closing
/// triple quote (and after up to two more quotes, which belong to the string), or the end of text.
fn skip_multiline_string(b: &[u8], mut i: usize, quote: u8) -> usize {
    let n = b.len();
    while i < n {
        let c = b[i];
        if c == b'\\' && quote == b'"' {
            i += 2;
        } else if c == quote && i + 2 < n && b[i + 1] == quote && b[i + 2] == quote {
            i += 3;
            let mut extra = 0;
            while extra < 2 && i < n && b[i] == quote {
                i += 1;
                extra += 1;
            }
            return i;
        } else {
            i += 1;
        }
    }
    n
}

/// One mapped root entry of a piece: the key's name, whether the value is an array (to tell a
/// continued `[[X]]` from a clash), and what `map` made of it.
type Mapped<T> = (String, bool, T);

/// Parses the prefix and the pieces cut at `splits` and maps their entries; `None` means the
/// whole text must be parsed instead (a syntax error or a clash).
fn map_pieces<'i, T: Send>(
    text: &'i str,
    splits: &[usize],
    options: Options,
    map: &MapEntry<'i, T>,
) -> Option<Vec<T>> {
    if splits.len() < 2 {
        return None; // one piece: nothing to gain
    }
    let mut out = Vec::new();
    // Root keys so far; `true` for arrays of tables made by `[[X]]` headers in pieces, the only
    // entries a later piece may continue.
    let mut seen: HashMap<String, bool> = HashMap::new();

    // The prefix is a true prefix of the document: its parse is exact as it is, and its spans are
    // already relative to the whole text.
    let prefix_end = splits[0];
    if prefix_end > 0 {
        let prefix = DeTable::parse(&text[..prefix_end]).ok()?;
        for (key, value) in prefix.into_inner() {
            seen.insert(key.get_ref().to_string(), false);
            out.push(map(key, value, 0));
        }
    }

    let pieces = pieces(text.len(), splits, options.piece_bytes);
    let mut take = |piece: Vec<Mapped<T>>| -> Option<()> {
        for (name, is_array, item) in piece {
            // A piece starts with a header, so each of its root keys comes from a header, and an
            // array there from a `[[X]]` header.
            match seen.get(&name) {
                None => {
                    seen.insert(name, is_array);
                }
                Some(true) if is_array => {}
                Some(_) => return None, // a clash: the whole-text parser decides
            }
            out.push(item);
        }
        Some(())
    };

    if options.threads <= 1 || text.len() < options.parallel_min_bytes || pieces.len() < 4 {
        for piece in &pieces {
            take(parse_piece(text, piece.clone(), map)?)?;
        }
    } else {
        map_in_parallel(text, &pieces, options.threads, map, take)?;
    }
    Some(out)
}

/// Groups consecutive split points into pieces of about `piece_bytes` each.
fn pieces(len: usize, splits: &[usize], piece_bytes: usize) -> Vec<Range<usize>> {
    let mut pieces = Vec::new();
    let mut i = 0;
    while i < splits.len() {
        let start = splits[i];
        let mut j = i + 1;
        while j < splits.len() && splits[j] - start < piece_bytes {
            j += 1;
        }
        pieces.push(start..splits.get(j).copied().unwrap_or(len));
        i = j;
    }
    pieces
}

/// Parses and maps the pieces on `threads` worker threads, at most [`WINDOW`] pieces ahead of the
/// calling thread, which hands each piece's entries to `take` strictly in order. A piece's tree is
/// built, mapped and freed on one thread. `None` as soon as a piece fails or `take` refuses one.
fn map_in_parallel<'i, T: Send>(
    text: &'i str,
    pieces: &[Range<usize>],
    threads: usize,
    map: &MapEntry<'i, T>,
    mut take: impl FnMut(Vec<Mapped<T>>) -> Option<()>,
) -> Option<()> {
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let taken = Mutex::new(0usize);
    let advanced = Condvar::new();
    let (sender, receiver) = mpsc::channel::<(usize, Option<Vec<Mapped<T>>>)>();
    std::thread::scope(|scope| {
        for _ in 0..threads {
            let sender = sender.clone();
            let (next, stop, taken, advanced) = (&next, &stop, &taken, &advanced);
            scope.spawn(move || {
                loop {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    if index >= pieces.len() {
                        return;
                    }
                    let mut done = taken.lock().unwrap_or_else(PoisonError::into_inner);
                    while index >= *done + WINDOW && !stop.load(Ordering::Relaxed) {
                        done = advanced.wait(done).unwrap_or_else(PoisonError::into_inner);
                    }
                    drop(done);
                    if stop.load(Ordering::Relaxed) {
                        return;
                    }
                    let parsed = parse_piece(text, pieces[index].clone(), map);
                    if sender.send((index, parsed)).is_err() {
                        return;
                    }
                }
            });
        }
        drop(sender);

        // Pieces finished out of order wait here until their turn.
        let mut early: HashMap<usize, Option<Vec<Mapped<T>>>> = HashMap::new();
        let mut ok = true;
        for index in 0..pieces.len() {
            let piece = loop {
                if let Some(piece) = early.remove(&index) {
                    break piece;
                }
                match receiver.recv() {
                    Ok((i, piece)) => {
                        early.insert(i, piece);
                    }
                    Err(_) => break None, // every worker has gone, which only a panic does
                }
            };
            if piece.and_then(&mut take).is_none() {
                ok = false;
                break;
            }
            *taken.lock().unwrap_or_else(PoisonError::into_inner) += 1;
            advanced.notify_all();
        }
        if !ok {
            stop.store(true, Ordering::Relaxed);
            advanced.notify_all();
        }
        drop(receiver);
        ok.then_some(())
    })
}

/// Parses one piece and maps its root entries.
fn parse_piece<'i, T>(
    text: &'i str,
    piece: Range<usize>,
    map: &MapEntry<'i, T>,
) -> Option<Vec<Mapped<T>>> {
    let offset = piece.start;
    let table = DeTable::parse(&text[piece]).ok()?;
    Some(
        table
            .into_inner()
            .into_iter()
            .map(|(key, value)| {
                let name = key.get_ref().to_string();
                let is_array = value.get_ref().is_array();
                (name, is_array, map(key, value, offset))
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use std::fmt::Write as _;

    use proptest::prelude::*;

    use super::*;

    fn shift(span: Range<usize>, offset: usize) -> Range<usize> {
        span.start + offset..span.end + offset
    }

    fn shift_key(key: Spanned<DeString<'_>>, offset: usize) -> Spanned<DeString<'_>> {
        let span = shift(key.span(), offset);
        Spanned::new(span, key.into_inner())
    }

    /// Moves every span in `value` by `offset`. Values and array elements are changed in place; a
    /// table is rebuilt, because its keys cannot be changed inside the map.
    fn shift_value(value: &mut Spanned<DeValue<'_>>, offset: usize) {
        match value.get_mut() {
            DeValue::Table(table) => {
                *table = std::mem::take(table)
                    .into_iter()
                    .map(|(key, mut value)| {
                        shift_value(&mut value, offset);
                        (shift_key(key, offset), value)
                    })
                    .collect();
            }
            DeValue::Array(array) => {
                for element in array.iter_mut() {
                    shift_value(element, offset);
                }
            }
            _ => {}
        }
        let span = shift(value.span(), offset);
        let inner = std::mem::replace(value.get_mut(), DeValue::Boolean(false));
        *value = Spanned::new(span, inner);
    }

    /// The entry with its spans relative to the whole text.
    fn shifted<'i>(
        key: Spanned<DeString<'i>>,
        mut value: Spanned<DeValue<'i>>,
        offset: usize,
    ) -> (Spanned<DeString<'i>>, Spanned<DeValue<'i>>) {
        shift_value(&mut value, offset);
        (shift_key(key, offset), value)
    }

    /// Every option set the tests run: a piece per header, tiny and usual pieces, one piece, and
    /// threads with tiny pieces.
    const OPTION_SETS: &[Options] = &[
        Options {
            piece_bytes: 0,
            threads: 1,
            parallel_min_bytes: 0,
        },
        Options {
            piece_bytes: 40,
            threads: 1,
            parallel_min_bytes: 0,
        },
        Options {
            piece_bytes: DEFAULT_PIECE_BYTES,
            threads: 1,
            parallel_min_bytes: 0,
        },
        Options {
            piece_bytes: usize::MAX,
            threads: 1,
            parallel_min_bytes: 0,
        },
        Options {
            piece_bytes: 0,
            threads: 2,
            parallel_min_bytes: 0,
        },
        Options {
            piece_bytes: 30,
            threads: 3,
            parallel_min_bytes: 0,
        },
    ];

    /// The strictest cutting: every top-level header starts a piece.
    const ONE_HEADER_A_PIECE: Options = Options {
        piece_bytes: 0,
        threads: 1,
        parallel_min_bytes: 0,
    };

    /// Text of a value with every key and value span, in a fixed order.
    fn dump_value(value: &Spanned<DeValue<'_>>, indent: usize, out: &mut String) {
        match value.get_ref() {
            DeValue::Table(table) => {
                let _ = writeln!(out, "table @{:?}", value.span());
                for (key, value) in table {
                    let _ = write!(
                        out,
                        "{:indent$}{:?} @{:?} = ",
                        "",
                        key.get_ref(),
                        key.span(),
                        indent = indent + 2
                    );
                    dump_value(value, indent + 2, out);
                }
            }
            DeValue::Array(array) => {
                let _ = writeln!(out, "array({}) @{:?}", array.len(), value.span());
                for element in array {
                    let _ = write!(out, "{:indent$}- ", "", indent = indent + 2);
                    dump_value(element, indent + 2, out);
                }
            }
            other => {
                let _ = writeln!(out, "{other:?} @{:?}", value.span());
            }
        }
    }

    fn dump_errors(errors: &[toml::de::Error], out: &mut String) {
        for error in errors {
            let _ = writeln!(out, "error {:?} @{:?}", error.message(), error.span());
        }
    }

    /// The whole-text parse, as text.
    fn whole(text: &str) -> String {
        let (root, errors) = DeTable::parse_recoverable(text);
        let mut out = String::new();
        dump_value(
            &Spanned::new(root.span(), DeValue::Table(root.into_inner())),
            0,
            &mut out,
        );
        dump_errors(&errors, &mut out);
        out
    }

    /// Puts the entries back into one root table, appending the elements of an array of tables
    /// that arrives again, as the whole-text parser does.
    fn merge<'i>(entries: Vec<(Spanned<DeString<'i>>, Spanned<DeValue<'i>>)>) -> DeTable<'i> {
        let mut root = DeTable::new();
        for (key, value) in entries {
            if let Some(existing) = root.get_mut(key.get_ref().as_ref()) {
                match (existing.get_mut(), value.into_inner()) {
                    (DeValue::Array(existing), DeValue::Array(more)) => {
                        for element in more {
                            existing.push(element);
                        }
                    }
                    _ => panic!("a key arrived twice and is not an array of tables"),
                }
            } else {
                root.insert(key, value);
            }
        }
        root
    }

    fn dump_merged(
        entries: Vec<(Spanned<DeString<'_>>, Spanned<DeValue<'_>>)>,
        errors: &[toml::de::Error],
    ) -> String {
        let mut out = String::new();
        dump_value(
            &Spanned::new(0..0, DeValue::Table(merge(entries))),
            0,
            &mut out,
        );
        dump_errors(errors, &mut out);
        out
    }

    fn chunked(text: &str, options: Options) -> String {
        let (entries, errors) = parse_mapped(text, options, &shifted);
        dump_merged(entries, &errors)
    }

    /// Whether the pieces are used rather than the whole-text parse.
    fn pieces_taken(text: &str, options: Options) -> bool {
        split_points(text)
            .is_some_and(|splits| map_pieces(text, &splits, options, &|_, _, _| ()).is_some())
    }

    /// Line starts whose first non-blank byte is `[`: the most careless cutting allowed.
    fn careless_splits(text: &str) -> Vec<usize> {
        let mut out = Vec::new();
        let mut start = 0;
        for line in text.split_inclusive('\n') {
            if line
                .trim_start_matches([' ', '\t', '\u{feff}'])
                .starts_with('[')
            {
                out.push(start);
            }
            start += line.len();
        }
        out
    }

    fn assert_same(name: &str, text: &str) {
        let expected = whole(text);
        for &options in OPTION_SETS {
            assert_eq!(
                chunked(text, options),
                expected,
                "{name}: {options:?}\n--- text ---\n{text}"
            );
        }
        // Even cutting at every line that starts with `[`, in strings and arrays too, cannot make
        // the result differ: such pieces fail to parse and the whole text is parsed instead.
        let splits = careless_splits(text);
        for piece_bytes in [0, 25] {
            let options = Options {
                piece_bytes,
                threads: 1,
                parallel_min_bytes: 0,
            };
            let got = match map_pieces(text, &splits, options, &shifted) {
                Some(entries) => dump_merged(entries, &[]),
                None => expected.clone(),
            };
            assert_eq!(
                got, expected,
                "{name}: careless cuts, pieces of {piece_bytes}\n--- text ---\n{text}"
            );
        }
    }

    const BASE: &str = r#"[tree]
title = "T"
version = "1"
start = "q0"

[[question]]
id = "q0"
text = "Question 0?"
  [[question.option]]
  id = "a"
  label = "A"
  next = "q1"
  [[question.option]]
  id = "c"
  label = "C"
  score = { x = 1, y = -1 }
  reason = "because"

[[question]]
id = "q1"
text = "Question 1?"
  [[question.option]]
  id = "a"
  label = "A"
  score = { x = 2 }

[[outcome]]
id = "x"
name = "X"
summary = "..."
"#;

    /// A complete ternary tree like the benchmark's.
    fn generated(questions: usize, crlf: bool, bom: bool) -> String {
        let mut t = String::new();
        if bom {
            t.push('\u{feff}');
        }
        t.push_str(
            "[tree]\ntitle = \"Generated\"\nversion = \"1\"\nstart = \"q0\"\ndisclaimer = \"d\"\n",
        );
        for q in 0..questions {
            let _ = write!(
                t,
                "\n[[question]]\nid = \"q{q}\"\ntext = \"Question {q}?\"\n"
            );
            for c in 1..=3 {
                let child = 3 * q + c;
                let _ = write!(
                    t,
                    "  [[question.option]]\n  id = \"o{c}\"\n  label = \"Option {c}\"\n"
                );
                if child < questions {
                    let _ = writeln!(t, "  next = \"q{child}\"");
                } else {
                    let _ = writeln!(
                        t,
                        "  score = {{ x = {c}, y = {} }}\n  reason = \"Because.\"",
                        4 - c
                    );
                }
            }
        }
        t.push_str("\n[[outcome]]\nid = \"x\"\nname = \"X\"\nsummary = \"S\"\n");
        if crlf { t.replace('\n', "\r\n") } else { t }
    }

    /// (name, text, whether the pieces are used when every header starts one)
    fn cases() -> Vec<(&'static str, String, bool)> {
        vec![
            ("base", BASE.to_owned(), true),
            ("crlf", BASE.replace('\n', "\r\n"), true),
            ("bom", format!("\u{feff}{BASE}"), true),
            ("bom crlf", format!("\u{feff}{}", BASE.replace('\n', "\r\n")), true),
            ("bom then root key", format!("\u{feff}k = 1\n{BASE}"), true),
            ("no final line break", BASE.trim_end().to_owned(), true),
            ("header last, no line break", format!("{BASE}[[outcome]]"), true),
            ("tabs", BASE.replace("  [[", "\t[[").replace("\n[[question]]", "\n \t[[question]]"), true),
            (
                "multi-line string with header lines",
                BASE.replace("text = \"Question 0?\"", "text = \"\"\"\n[[question]]\nid = \"fake\"\n[tree]\n  [[question.option]]\n\"\"\""),
                true,
            ),
            (
                "multi-line string with escaped quotes",
                BASE.replace("text = \"Question 0?\"", "text = \"\"\"a \\\"\"\" b \\\n[[question]]\n\\\\\"\"\"\"\""),
                true,
            ),
            (
                "literal multi-line string with header lines and extra quotes",
                BASE.replace("summary = \"...\"", "summary = '''\n[tree]\n[[outcome]]\n'''''"),
                true,
            ),
            (
                "strings with brackets, quotes and hashes",
                BASE.replace("label = \"A\"", "label = \"[not] # a ' comment {\"\n  note = 'it is [x] \" {'"),
                true,
            ),
            (
                "array over several lines starting with [",
                BASE.replace("text = \"Question 1?\"", "text = \"Question 1?\"\nmatrix = [\n  [1, 2],\n[3, 4],\n[\"[tree]\"], # ]\n]"),
                true,
            ),
            (
                "inline table over several lines",
                BASE.replace("score = { x = 2 }", "score = {\n    x = 2,\n    y = [\n[1],\n],\n  }"),
                true,
            ),
            (
                "comments with brackets",
                BASE.replace("[[outcome]]", "# [tree]\n#[[question]]\n[[outcome]] # [[question]] ]]"),
                true,
            ),
            (
                "quoted and spaced header keys",
                BASE.replacen("[[question]]\nid = \"q1\"", "[[ \"question\" ]]\nid = \"q1\"", 1).replace("[tree]", "['tree']"),
                true,
            ),
            ("header key with ] and . in quotes", format!("{BASE}[\"a.b]c\"]\nx = 1\n"), true),
            (
                "sub-tables and dotted keys",
                BASE.replace(
                    "  [[question.option]]\n  id = \"a\"\n  label = \"A\"\n  score",
                    "  [question.meta]\n  a.b.c = 1\n  [[question.option]]\n  id = \"a\"\n  label = \"A\"\n  score",
                ),
                true,
            ),
            ("root keys first", format!("name = \"n\"\nlist = [1,\n2]\n# c\n{BASE}"), true),
            (
                "values of every kind",
                format!("{BASE}[misc]\ni = 0x1F\nf = 1e3\nb = true\nd = 1979-05-27T07:32:00Z\nld = 1979-05-27\nt = 07:32:00\ninf = -inf\nu = \"\\u00e9 ü\"\n"),
                true,
            ),
            ("generated", generated(60, false, false), true),
            ("generated crlf bom", generated(60, true, true), true),
            ("empty", String::new(), false),
            ("only comments", "# a\n\n# b\n".to_owned(), false),
            ("only root keys", "a = 1\nb = \"[x]\"\n".to_owned(), false),
            // Texts the whole-text parser must decide:
            ("second [tree]", format!("{BASE}[tree]\ntitle = \"again\"\n"), false),
            ("[question] after [[question]]", format!("{BASE}[question]\nx = 1\n"), false),
            ("[[tree]] after [tree]", format!("{BASE}[[tree]]\nx = 1\n"), false),
            ("root key named again by a header", format!("question = 1\n{BASE}"), false),
            ("root array named again by [[X]]", format!("outcome = [{{ id = \"z\" }}]\n{BASE}"), false),
            ("[a.b] then [a]", format!("{BASE}[a.b]\nx = 1\n[a]\ny = 2\n"), false),
            ("[a] then [a.b]", format!("{BASE}[a]\ny = 2\n[a.b]\nx = 1\n"), true),
            ("[[question.option]] after another key", format!("{BASE}[extra]\nx = 1\n[[question.option]]\nid = \"late\"\n"), false),
            ("[[X.y]] before [[X]]", format!("[[zz.option]]\nid = 1\n{BASE}[[zz]]\nid = 2\n"), false),
            ("duplicate key", BASE.replace("next = \"q1\"", "next = \"q1\"\nid = \"dup\""), false),
            ("syntax errors", BASE.replace("next = \"q1\"", "next = ").replace("name = \"X\"", "name = \"X"), false),
            ("unterminated multi-line string", format!("{BASE}[z]\ns = \"\"\"\n[[question]]\n"), false),
            ("unclosed array", format!("{BASE}[z]\na = [\n[[question]]\nid = 1\n"), false),
            ("stray ]", format!("{BASE}]\n[z]\n"), false),
            ("bare carriage return", BASE.replace("\n[[outcome]]", "\r[[outcome]]"), false),
            ("junk after a header", BASE.replace("[[outcome]]", "[[outcome]] x = 1"), false),
        ]
    }

    #[test]
    fn same_as_the_whole_text_parse() {
        for (name, text, _) in cases() {
            assert_same(name, &text);
        }
    }

    #[test]
    fn pieces_are_used_where_they_can_be() {
        for (name, text, expected) in cases() {
            assert_eq!(pieces_taken(&text, ONE_HEADER_A_PIECE), expected, "{name}");
        }
    }

    #[test]
    fn a_large_generated_tree_is_cut_and_parsed_on_threads() {
        let text = generated(4000, false, false);
        assert!(text.len() > DEFAULT_PARALLEL_MIN_BYTES);
        let options = Options {
            threads: 2,
            ..Options::default()
        };
        assert!(pieces_taken(&text, options));
        assert_eq!(chunked(&text, options), whole(&text));
    }

    /// Lines of a TOML-like document: headers of every kind, keys and values, strings and arrays
    /// holding header-like lines, comments, and a few broken ones.
    fn line() -> impl Strategy<Value = String> {
        let header = prop::sample::select(vec![
            "[tree]",
            "[[question]]",
            "[[question.option]]",
            "[[outcome]]",
            "[[scenario]]",
            "[question.meta]",
            "[ tree ]",
            "[[ \"question\" ]]",
            "['outcome'.x]",
            "[a]",
            "[a.b]",
            "[[a]]",
            "[\"x.y\"]",
            "  [[question.option]] # c [x]",
            "\t[[outcome]]",
        ]);
        let value = prop::sample::select(vec![
            "\"q\"",
            "\"t [x] # y\"",
            "1",
            "2.5",
            "true",
            "{ x = 1, y = -1 }",
            "'c'",
            "\"\"\"\n[[question]]\nid = 1\n\"\"\"",
            "'''\n[tree]\n'''''",
            "[\n  [1],\n[2],\n]",
            "{\n  k = [\n[3]],\n}",
            "[\"]\", '['] # ]",
            "\"\"\"a\\\"\"\"\n[tree]\"\"\"",
        ]);
        let broken = prop::sample::select(vec![
            "bad = ",
            "oops = \"unterminated",
            "k = [1,",
            "]",
            "x = 1 = 2",
        ]);
        prop_oneof![
            4 => header.prop_map(str::to_owned),
            6 => (prop::sample::select(vec!["id", "text", "a.b", "k"]), 0u8..6, value)
                .prop_map(|(key, n, value)| format!("{key}{n} = {value}")),
            1 => Just("id = \"dup\"".to_owned()),
            1 => prop::sample::select(vec!["", "   ", "# [tree]", "# [[question]]"]).prop_map(str::to_owned),
            1 => broken.prop_map(str::to_owned),
        ]
    }

    fn document() -> impl Strategy<Value = String> {
        (
            prop::collection::vec(line(), 0..40),
            any::<bool>(),
            any::<bool>(),
        )
            .prop_map(|(lines, crlf, bom)| {
                let break_ = if crlf { "\r\n" } else { "\n" };
                let mut text = String::from(if bom { "\u{feff}" } else { "" });
                for line in lines {
                    text.push_str(&line.replace('\n', break_));
                    text.push_str(break_);
                }
                text
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1000))]

        #[test]
        fn random_documents_parse_the_same(text in document()) {
            assert_same("random", &text);
        }

        #[test]
        fn generated_trees_parse_the_same(questions in 1usize..40, crlf in any::<bool>(), bom in any::<bool>(), piece_bytes in 0usize..600) {
            let text = generated(questions, crlf, bom);
            let options = Options { piece_bytes, threads: 1, parallel_min_bytes: 0 };
            prop_assert!(pieces_taken(&text, options));
            prop_assert_eq!(chunked(&text, options), whole(&text));
        }
    }
}
