//! Drawing the app: `impl Widget for &App`, one function per region, reading and never changing.
//!
//! Text is wrapped here with `textwrap` rather than by `Paragraph`, so that line counts are known
//! exactly: that keeps the marked answer and the scrolled result in view, and lets `update` stop
//! scrolling at the end. Meaning never rests on colour: the marked answer has "▶", an urgent
//! result says "IMPORTANT" between "!!" markers in a double-ruled box, and with `NO_COLOR` set no
//! colour is used at all.

use std::borrow::Cow;

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, Padding, Paragraph, Widget};
use textwrap::core::display_width;

use super::app::{App, Ask, Message, Pending, Screen};
use super::keys::{Binding, Does, HELP_KEYS, RESULT_KEYS, RESUME_KEYS, Shown, bindings};
use crate::explain;
use crate::session;

/// Below this the screens do not fit, and a message asks for a larger window.
pub const MIN_WIDTH: u16 = 40;
pub const MIN_HEIGHT: u16 = 12;
/// From this width the answers so far are shown beside the question.
pub const PANEL_MIN_WIDTH: u16 = 100;
/// The selected answer's marker, so the selection never depends on colour.
pub const MARKER: &str = "▶";

/// Styles; with colour off only modifiers such as bold and reverse are used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    colour: bool,
}

// Every style goes through the theme, even those alike with and without colour, so the look is
// decided in one place.
#[allow(clippy::unused_self)]
impl Theme {
    /// Colour unless `NO_COLOR` is set to anything but the empty string (<https://no-color.org>).
    pub fn from_env() -> Self {
        Self {
            colour: std::env::var_os("NO_COLOR").is_none_or(|value| value.is_empty()),
        }
    }

    /// No colour at all.
    pub fn plain() -> Self {
        Self { colour: false }
    }

    pub fn coloured() -> Self {
        Self { colour: true }
    }

    fn tint(self, style: Style, colour: Color) -> Style {
        if self.colour { style.fg(colour) } else { style }
    }

    fn title(self) -> Style {
        self.tint(Style::new().add_modifier(Modifier::BOLD), Color::Cyan)
    }

    fn key(self) -> Style {
        self.tint(Style::new().add_modifier(Modifier::BOLD), Color::Cyan)
    }

    fn strong(self) -> Style {
        Style::new().add_modifier(Modifier::BOLD)
    }

    fn heading(self) -> Style {
        self.tint(
            Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
            Color::Cyan,
        )
    }

    fn selected(self) -> Style {
        Style::new().add_modifier(Modifier::BOLD | Modifier::REVERSED)
    }

    fn aside(self) -> Style {
        Style::new().add_modifier(Modifier::ITALIC)
    }

    fn urgent(self) -> Style {
        self.tint(Style::new().add_modifier(Modifier::BOLD), Color::Red)
    }

    /// Guidance for staff: set apart from what is read to the caller.
    fn staff(self) -> Style {
        self.tint(Style::new().add_modifier(Modifier::ITALIC), Color::Cyan)
    }

    fn urgent_banner(self) -> Style {
        self.tint(
            Style::new().add_modifier(Modifier::BOLD | Modifier::REVERSED),
            Color::Red,
        )
    }
}

impl Widget for &App<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        if area.is_empty() {
            return;
        }
        if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
            render_too_small(area, buf);
            return;
        }
        let screen = self.screen();
        let [body, footer] = split_footer(self, area, bindings(&screen));
        match self.base() {
            Screen::Result => render_result(self, body, buf),
            Screen::Resume => render_resume(self, body, buf),
            // `base` is never an overlay.
            Screen::Question | Screen::Help | Screen::Confirm(_) | Screen::Notes => {
                render_question(self, body, buf);
            }
        }
        match screen {
            Screen::Help => render_help(self, body, buf),
            Screen::Confirm(pending) => render_confirm(self, pending, body, buf),
            Screen::Notes => render_notes(self, body, buf),
            Screen::Question | Screen::Result | Screen::Resume => {}
        }
        render_footer(self, bindings(&screen), footer, buf);
    }
}

fn render_too_small(area: Rect, buf: &mut Buffer) {
    let text = format!(
        "Make the window at least {MIN_WIDTH}×{MIN_HEIGHT}; it is now {}×{}.",
        area.width, area.height
    );
    let mut lines = wrap(&text, area.width, "", "", Style::new());
    lines.extend(wrap("Ctrl-C quits.", area.width, "", "", Style::new()));
    let top = area.height.saturating_sub(len_u16(lines.len())) / 2;
    let area = Rect {
        y: area.y.saturating_add(top),
        height: area.height.saturating_sub(top),
        ..area
    };
    Paragraph::new(lines).render(area, buf);
}

/// The body and the footer, whose height depends on how many keys fit on a line.
fn split_footer(app: &App<'_>, area: Rect, table: &[Binding]) -> [Rect; 2] {
    let height = len_u16(footer_lines(app, table, area.width).len()).min(area.height / 3);
    Layout::vertical([Constraint::Fill(1), Constraint::Length(height)]).areas(area)
}

/// The footer: the keys that work on this screen, from the same table that handles them.
///
/// Neighbouring rows with the same label share one entry, so "↑" and "↓" read "↑↓ move".
fn footer_lines(app: &App<'_>, table: &[Binding], width: u16) -> Vec<Line<'static>> {
    let theme = app.theme();
    let answered = !app.walk().answers().is_empty();
    let asking = app.asking();
    let choices = asking.as_ref().map_or(0, |a| a.offered.len());
    let safety = app.tree().safety.map(|s| s.question);
    let past_safety = asking
        .as_ref()
        .is_some_and(|a| a.kind == Ask::Question && Some(a.question) != safety);
    let mut items: Vec<(String, &str)> = Vec::new();
    for binding in table {
        if !binding.available(app.features()) {
            continue;
        }
        let shown = match binding.shown {
            Shown::Always => true,
            Shown::WithAnswers => answered,
            Shown::HelpOnly => false,
            Shown::PastSafety => past_safety,
        };
        if !shown {
            continue;
        }
        let hint = binding.hint(choices);
        match items.last_mut() {
            Some((hints, label)) if *label == binding.label => hints.push_str(&hint),
            _ => items.push((hint, binding.label)),
        }
    }
    let mut lines = status_lines(app, width);
    let mut line = Line::from(" ");
    for (hint, label) in items {
        let item_width = display_width(&hint) + 1 + display_width(label);
        let used = line.width();
        if used > 1 && used + 2 + item_width > usize::from(width) {
            lines.push(std::mem::replace(&mut line, Line::from(" ")));
        } else if used > 1 {
            line.push_span(Span::raw("  "));
        }
        line.push_span(Span::styled(hint, theme.key()));
        line.push_span(Span::raw(format!(" {label}")));
    }
    if line.width() > 1 {
        lines.push(line);
    }
    lines
}

/// What just happened (an export, a resume), and above it any failure to save, which stays until
/// a save works again.
fn status_lines(app: &App<'_>, width: u16) -> Vec<Line<'static>> {
    let theme = app.theme();
    let mut lines = Vec::new();
    if let Some(problem) = app.save_problem() {
        let text =
            format!("!! Saving FAILED ({problem}). Export the summary or write the answers down.");
        lines.extend(wrap(&text, width, " ", " ", theme.urgent()));
    }
    if let Some(status) = app.status() {
        let (text, style) = if status.warning {
            (format!("!! {}", status.text), theme.urgent())
        } else {
            (status.text.clone(), theme.strong())
        };
        lines.extend(wrap(&text, width, " ", " ", style));
    }
    lines
}

fn render_footer(app: &App<'_>, table: &[Binding], area: Rect, buf: &mut Buffer) {
    Paragraph::new(footer_lines(app, table, area.width)).render(area, buf);
}

fn render_question(app: &App<'_>, area: Rect, buf: &mut Buffer) {
    let (main, panel) = if area.width >= PANEL_MIN_WIDTH {
        let panel_width = (area.width * 2 / 5).min(56);
        let [main, panel] =
            Layout::horizontal([Constraint::Fill(1), Constraint::Length(panel_width)]).areas(area);
        (main, Some(panel))
    } else {
        (area, None)
    };
    let mut block = framed().title(Line::styled(
        format!(" {} ", shown(&app.tree().title)),
        app.theme().title(),
    ));
    let inner = block.inner(main);
    let layout = question_layout(app, inner.width, inner.height, panel.is_some());
    // The question stays in view while the answers scroll, unless it would leave them no room.
    let header_height = len_u16(layout.header.len());
    let (header, answers, area_for_answers) = if header_height <= inner.height / 2 {
        let [top, rest] =
            Layout::vertical([Constraint::Length(header_height), Constraint::Fill(1)]).areas(inner);
        (Some((layout.header, top)), layout.answers, rest)
    } else {
        let mut all = layout.header;
        all.extend(layout.answers);
        (None, all, inner)
    };
    let marked = if header.is_some() {
        layout.marked
    } else {
        layout.marked.start + usize::from(header_height)
            ..layout.marked.end + usize::from(header_height)
    };
    let height = usize::from(area_for_answers.height);
    // Scroll only as far as needed to keep the marked answer in view, and when the question stays
    // put, to the start of an answer so that none shows only its end.
    let needed = marked.end.saturating_sub(height).min(marked.start);
    let offset = if header.is_some() {
        layout
            .starts
            .iter()
            .copied()
            .find(|&start| start >= needed)
            .unwrap_or(needed)
            .min(marked.start)
    } else {
        needed
    };
    let more = match (
        offset > 0 || layout.above,
        offset + height < answers.len() || layout.below,
    ) {
        (true, true) => Some(" more above ↑ and below ↓ "),
        (true, false) => Some(" more above ↑ "),
        (false, true) => Some(" more below ↓ "),
        (false, false) => None,
    };
    if let Some(more) = more {
        block = block.title_bottom(Line::styled(more, app.theme().strong()).right_aligned());
    }
    block.render(main, buf);
    if let Some((lines, top)) = header {
        Paragraph::new(lines).render(top, buf);
    }
    Paragraph::new(answers)
        .scroll((len_u16(offset), 0))
        .render(area_for_answers, buf);
    if let Some(panel) = panel {
        if app.features().intake {
            render_intake_panel(app, panel, buf);
        } else {
            render_answers(app, panel, buf);
        }
    }
}

/// "Still possible: Support group, Therapy group", for a window too narrow for the panel.
fn possible_text(app: &App<'_>) -> String {
    let Some(possible) = app.possible() else {
        return String::new();
    };
    let names: Vec<&str> = possible
        .outcomes
        .iter()
        .map(|&o| app.tree().outcomes[o].name.as_str())
        .collect();
    let estimate = if possible.exact { "" } else { " (estimate)" };
    format!("Still possible{estimate}: {}", names.join(", "))
}

/// Beside the question in intake mode: where the call can still lead, the notes, the answers.
fn render_intake_panel(app: &App<'_>, area: Rect, buf: &mut Buffer) {
    let theme = app.theme();
    let inner_width = framed().inner(area).width;
    let mut possible = Vec::new();
    if let Some(p) = app.possible() {
        for &o in &p.outcomes {
            let outcome = &app.tree().outcomes[o];
            let style = if outcome.urgent {
                theme.urgent()
            } else {
                Style::new()
            };
            let mark = if outcome.urgent { "! " } else { "• " };
            possible.extend(wrap(&outcome.name, inner_width, mark, "  ", style));
        }
        if !p.exact {
            possible.extend(wrap(
                "(an estimate: too many ways to finish to try them all)",
                inner_width,
                "",
                "",
                theme.aside(),
            ));
        }
    }
    let notes = app.notes();
    let mut note_lines = Vec::new();
    for line in notes.trim_end().lines() {
        note_lines.extend(wrap(line, inner_width, "", "", Style::new()));
    }
    let notes_height = if note_lines.is_empty() {
        0
    } else {
        len_u16(note_lines.len().min(6)) + 2
    };
    let [top, middle, rest] = Layout::vertical([
        Constraint::Length(len_u16(possible.len()) + 2),
        Constraint::Length(notes_height),
        Constraint::Fill(1),
    ])
    .areas(area);
    let block = framed().title(Line::styled(" Still possible ", theme.title()));
    Paragraph::new(possible).render(block.inner(top), buf);
    block.render(top, buf);
    if notes_height > 0 {
        let block = framed().title(Line::styled(" Notes (n to edit) ", theme.title()));
        let inner = block.inner(middle);
        // The latest notes matter most, so long notes show their end.
        let skip = note_lines.len().saturating_sub(usize::from(inner.height));
        block.render(middle, buf);
        Paragraph::new(note_lines.split_off(skip)).render(inner, buf);
    }
    render_answers(app, rest, buf);
}

/// A question laid out at a size: its heading lines, its answers' lines, and the marked answer's.
struct QuestionLayout {
    header: Vec<Line<'static>>,
    answers: Vec<Line<'static>>,
    marked: std::ops::Range<usize>,
    /// The first line of each answer.
    starts: Vec<usize>,
    /// Answers above and below these lines were left out, as they cannot show.
    above: bool,
    below: bool,
}

fn question_layout(app: &App<'_>, width: u16, height: u16, panel: bool) -> QuestionLayout {
    let theme = app.theme();
    let Some(asking) = app.asking() else {
        return QuestionLayout {
            header: Vec::new(),
            answers: Vec::new(),
            marked: 0..0,
            starts: Vec::new(),
            above: false,
            below: false,
        };
    };
    let question = &app.tree().questions[asking.question];
    let intake = app.features().intake;
    let (k, n) = app.progress();
    let (progress, wording) = match (asking.kind, &question.also) {
        (Ask::FollowUp, Some(also)) => (
            "Safety questions".to_owned(),
            match (&also.intake, intake) {
                (Some(wording), true) => wording.as_str(),
                _ => also.text.as_str(),
            },
        ),
        (Ask::Raised, _) => (
            "Safety questions again: your answers so far are kept".to_owned(),
            question.wording(intake),
        ),
        _ => (
            format!("Question {k} of at most {n}"),
            question.wording(intake),
        ),
    };
    let progress = Line::from(progress);
    let asked = wrap(wording, width, "", "", theme.strong());
    // What staff see beside the question: guidance, where the call can go, whether there are notes.
    let mut text = Vec::new();
    if intake && let Some(guidance) = &question.guidance {
        text.extend(wrap(
            &format!("For staff: {guidance}"),
            width,
            "",
            "  ",
            theme.staff(),
        ));
    }
    if intake && !panel {
        // No room for the panel, so where the call is heading goes under the question, and a
        // reminder that there are notes.
        text.extend(wrap(&possible_text(app), width, "", "  ", theme.aside()));
        let notes = app.notes();
        let lines = session::note_lines(&notes);
        if lines > 0 {
            let count = session::count(lines, "line", "lines");
            text.extend(wrap(
                &format!("Notes: {count}; press n to see or edit them."),
                width,
                "",
                "  ",
                theme.aside(),
            ));
        }
    }
    let hint = if question.help.is_some() {
        wrap(
            "Press ? to see why we ask this.",
            width,
            "",
            "",
            theme.aside(),
        )
    } else {
        Vec::new()
    };

    let none = app.tree().safety.map(|s| s.none);
    // On the follow-up, the dangers already chosen keep their place and number.
    let chosen = if asking.kind == Ask::FollowUp {
        app.walk().dangers()
    } else {
        Vec::new()
    };
    let number_width = asking.offered.len().to_string().len();
    // With more answers than lines, only those that can show around the marked one are laid out
    // (each takes a line at least), so a key costs the same for ten answers or a hundred
    // thousand; what shows is the same as if all were.
    let count = asking.offered.len();
    let height = usize::from(height);
    let centre = app.selected().unwrap_or(0);
    let window = if count > height {
        centre.saturating_sub(height)..count.min(centre + height + 1)
    } else {
        0..count
    };
    let options: Vec<Vec<Line<'static>>> = asking.offered[window.clone()]
        .iter()
        .zip(window.clone())
        .map(|(&c, i)| {
            let choice = &question.choices[c];
            let label = match (asking.kind, &question.also) {
                (Ask::FollowUp, Some(also)) if Some(c) == none => {
                    also.none_label.as_deref().unwrap_or(&choice.label)
                }
                _ => choice.label.as_str(),
            };
            let label = if chosen.contains(&c) {
                format!("{label} (already chosen)")
            } else {
                label.to_owned()
            };
            let is_marked = Some(i) == app.selected();
            let marker = if is_marked { MARKER } else { " " };
            let first = format!("{marker} {:>number_width$}. ", i + 1);
            let rest = " ".repeat(display_width(&first));
            let style = if is_marked {
                theme.selected()
            } else {
                Style::new()
            };
            let style = if chosen.contains(&c) {
                style.patch(theme.aside())
            } else {
                style
            };
            wrap(&label, width, &first, &rest, style)
        })
        .collect();

    // Blank lines read more easily; they go first when the window is short. When even then the
    // question and its answers do not fit, what is beside the question moves below the answers,
    // so that the question itself stays in sight with the answer marked first.
    let option_lines: usize = if window.len() < count {
        count
    } else {
        options.iter().map(Vec::len).sum()
    };
    let spaced_header = 3 + asked.len() + text.len() + hint.len();
    let roomy = spaced_header + option_lines + options.len().saturating_sub(1) <= height;
    let mut header = vec![progress];
    let mut below = Vec::new();
    if spaced_header + option_lines <= height {
        header.push(Line::default());
        header.extend(asked);
        header.extend(text);
        header.extend(hint);
        header.push(Line::default());
    } else if spaced_header - 2 + option_lines <= height {
        header.extend(asked);
        header.extend(text);
        header.extend(hint);
    } else {
        header.extend(asked);
        if !text.is_empty() || !hint.is_empty() {
            below.push(Line::default());
        }
        below.extend(text);
        below.extend(hint);
    }
    let mut answers = Vec::new();
    let mut marked = 0..0;
    let mut starts = Vec::new();
    for (option, i) in options.into_iter().zip(window.clone()) {
        if roomy && i > 0 {
            answers.push(Line::default());
        }
        let start = answers.len();
        starts.push(start);
        answers.extend(option);
        if Some(i) == app.selected() {
            marked = start..answers.len();
        }
    }
    if window.end == count {
        answers.extend(below);
    }
    QuestionLayout {
        header,
        answers,
        marked,
        starts,
        above: window.start > 0,
        below: window.end < count,
    }
}

fn render_answers(app: &App<'_>, area: Rect, buf: &mut Buffer) {
    let theme = app.theme();
    let block = framed().title(Line::styled(" Your answers so far ", theme.title()));
    let inner = block.inner(area);
    block.render(area, buf);
    let tree = app.tree();
    let answers = app.walk().answers();
    let mut lines = Vec::new();
    if answers.is_empty() {
        lines.extend(wrap(
            "None yet. Each answer you give is listed here, and you can go back to change it.",
            inner.width,
            "",
            "",
            theme.aside(),
        ));
    }
    let mut starts = Vec::new();
    for (i, answer) in answers.iter().enumerate() {
        let question = &tree.questions[answer.question];
        let choice = &question.choices[answer.choice];
        if i > 0 {
            lines.push(Line::default());
        }
        starts.push(lines.len());
        let first = format!("{}. ", i + 1);
        let rest = " ".repeat(first.len());
        let wording = question.wording(app.features().intake);
        lines.extend(wrap(wording, inner.width, &first, &rest, Style::new()));
        lines.extend(wrap(
            &format!("→ {}", choice.label),
            inner.width,
            &rest,
            &format!("{rest}  "),
            theme.strong(),
        ));
    }
    // The latest answers matter most, so an overflowing list shows its end, from the start of an
    // answer, and says that there is more above.
    let height = usize::from(inner.height);
    let skip = lines.len().saturating_sub(height);
    if skip > 0 {
        let skip = starts
            .iter()
            .copied()
            .find(|&start| start > skip)
            .unwrap_or(skip + 1)
            .min(lines.len());
        let earlier = starts.iter().filter(|&&start| start < skip).count();
        let mut shown = vec![Line::styled(
            format!("↑ {} above", session::count(earlier, "answer", "answers")),
            theme.aside(),
        )];
        shown.extend(lines.split_off(skip));
        Paragraph::new(shown).render(inner, buf);
    } else {
        Paragraph::new(lines).render(inner, buf);
    }
}

/// Where the result's text goes at a given terminal size; shared with scrolling in `update`.
pub fn result_viewport(app: &App<'_>, area: Rect) -> Rect {
    let [body, _] = split_footer(app, area, RESULT_KEYS);
    framed().inner(body)
}

/// A bordered block with a column of space inside each side.
fn framed() -> Block<'static> {
    Block::bordered().padding(Padding::horizontal(1))
}

fn render_result(app: &App<'_>, area: Rect, buf: &mut Buffer) {
    let theme = app.theme();
    let Some(result) = app.result() else {
        return;
    };
    let urgent = matches!(result, Ok(e) if e.outcome.urgent);
    let title = format!(" {} ", shown(&app.tree().title));
    let (label, label_style) = if urgent {
        (" Read this first ", theme.urgent_banner())
    } else {
        (" Your result ", theme.title())
    };
    let room = usize::from(area.width.saturating_sub(2));
    let mut block = framed();
    if urgent {
        block = block.border_style(theme.urgent());
    }
    // Titles at both ends overwrite each other when they do not fit; the label matters more.
    if display_width(&title) + display_width(label) < room {
        block = block.title(Line::styled(title, theme.title()));
    }
    block = block.title(Line::styled(label, label_style).right_aligned());
    let inner = block.inner(area);
    let lines = result_lines(app, inner.width);
    let height = usize::from(inner.height);
    let scroll = usize::from(app.scroll()).min(lines.len().saturating_sub(height));
    if lines.len() > height {
        let last = (scroll + height).min(lines.len());
        let more = if last < lines.len() {
            "↓ more below"
        } else {
            "end"
        };
        let status = format!(" lines {}–{last} of {}, {more} ", scroll + 1, lines.len());
        block = block.title_bottom(Line::styled(status, theme.strong()).right_aligned());
    }
    block.render(area, buf);
    Paragraph::new(lines)
        .scroll((len_u16(scroll), 0))
        .render(inner, buf);
}

/// The result as lines at a width: the blocks of [`Explanation::blocks`], in order, all of them.
pub fn result_lines(app: &App<'_>, width: u16) -> Vec<Line<'static>> {
    result_layout(app, width).0
}

/// The scroll position that keeps in view what was at the top at the old width, after the
/// result is wrapped again at the new one: the same block, and as far into it as before, in
/// proportion. So a resize keeps the reader's place, not the line number.
pub fn rescrolled(app: &App<'_>, scroll: u16, old_width: u16, new_width: u16) -> u16 {
    let (old_lines, old_starts) = result_layout(app, old_width);
    let (new_lines, new_starts) = result_layout(app, new_width);
    let scroll = usize::from(scroll);
    let Some(block) = old_starts.iter().rposition(|&start| start <= scroll) else {
        return 0;
    };
    let length = |starts: &[usize], total: usize| {
        starts.get(block + 1).copied().unwrap_or(total) - starts[block]
    };
    let (old_length, new_length) = (
        length(&old_starts, old_lines.len()),
        length(&new_starts, new_lines.len()),
    );
    let into = (scroll - old_starts[block]) * new_length / old_length.max(1);
    len_u16(new_starts[block] + into.min(new_length.saturating_sub(1)))
}

/// [`result_lines`], with the line each block starts on.
fn result_layout(app: &App<'_>, width: u16) -> (Vec<Line<'static>>, Vec<usize>) {
    let theme = app.theme();
    let mut starts = Vec::new();
    let Some(result) = app.result() else {
        return (Vec::new(), starts);
    };
    let explanation = match result {
        Ok(explanation) => explanation,
        Err(problem) => {
            let mut lines = wrap("No recommendation", width, "", "", theme.strong());
            lines.push(Line::default());
            lines.extend(wrap(&problem.to_string(), width, "", "", Style::new()));
            lines.push(Line::default());
            lines.extend(wrap(
                "Press ← to go back and change your last answer.",
                width,
                "",
                "",
                Style::new(),
            ));
            return (lines, vec![0]);
        }
    };
    let intake = app.features().intake;
    let mut lines = Vec::new();
    let blocks = if intake {
        explanation.blocks_for_staff()
    } else {
        explanation.blocks()
    };
    let mut blocks = blocks.into_iter().peekable();
    let mut answer_number = 0;
    while let Some(block) = blocks.next() {
        starts.push(lines.len());
        match block {
            explain::Block::Urgent(heading) => {
                // What to do now goes in the box with the heading.
                let mut inside = Vec::new();
                while let Some(block) = blocks.next_if(|b| {
                    matches!(b, explain::Block::Paragraph(_) | explain::Block::Step(..))
                }) {
                    match block {
                        explain::Block::Step(n, text) => inside.push((Some(n), text)),
                        explain::Block::Paragraph(text) => inside.push((None, text)),
                        _ => {}
                    }
                }
                if !lines.is_empty() {
                    lines.push(Line::default());
                }
                lines.extend(urgent_box(&heading, &inside, width, theme));
            }
            explain::Block::Step(n, text) => {
                let first = format!("  {n}. ");
                let rest = " ".repeat(first.len());
                lines.extend(wrap(&text, width, &first, &rest, Style::new()));
            }
            explain::Block::Title(text) => {
                lines.extend(wrap(&text, width, "", "", theme.title()));
            }
            explain::Block::Heading(text) => {
                lines.push(Line::default());
                lines.extend(wrap(&text, width, "", "", theme.heading()));
            }
            explain::Block::Paragraph(text) => {
                lines.extend(wrap(&text, width, "  ", "  ", Style::new()));
            }
            explain::Block::Bullet(text) => {
                lines.extend(wrap(&text, width, "  • ", "    ", Style::new()));
            }
            explain::Block::Answer(question, answer) => {
                answer_number += 1;
                let first = format!("  {answer_number}. ");
                let rest = " ".repeat(first.len());
                lines.extend(wrap(&question, width, &first, &rest, Style::new()));
                lines.extend(wrap(
                    &format!("→ {answer}"),
                    width,
                    &rest,
                    &format!("{rest}  "),
                    theme.strong(),
                ));
            }
            explain::Block::Note(text) => {
                lines.push(Line::default());
                lines.extend(wrap(&text, width, "", "", theme.aside()));
            }
            explain::Block::Staff(text) => {
                lines.push(Line::default());
                lines.extend(wrap(
                    &format!("For staff: {text}"),
                    width,
                    "",
                    "  ",
                    theme.staff(),
                ));
            }
        }
    }
    if intake {
        starts.push(lines.len());
        lines.push(Line::default());
        lines.extend(wrap("Notes", width, "", "", theme.heading()));
        let notes = app.notes();
        if notes.trim().is_empty() {
            lines.extend(wrap(
                "None yet. Press n to add notes; they go into the exported summary.",
                width,
                "  ",
                "  ",
                theme.aside(),
            ));
        }
        for line in notes.trim_end().lines() {
            lines.extend(wrap(line, width, "  ", "  ", Style::new()));
        }
    }
    (lines, starts)
}

/// A double-ruled box the full width, headed in the tree's words, holding what to do now: the
/// summary and the numbered steps. It stands apart by its frame and its place, not by colour.
fn urgent_box(
    heading: &str,
    inside: &[(Option<usize>, String)],
    width: u16,
    theme: Theme,
) -> Vec<Line<'static>> {
    let width = usize::from(width);
    if width < 8 {
        let mut lines = wrap(heading, len_u16(width), "", "", theme.urgent_banner());
        for (_, text) in inside {
            lines.extend(wrap(text, len_u16(width), "", "", theme.strong()));
        }
        return lines;
    }
    let border = theme.urgent();
    let inner = width - 4;
    let boxed = |text: String, style: Style| {
        let pad = inner.saturating_sub(display_width(&text));
        Line::from(vec![
            Span::styled("║ ", border),
            Span::styled(text, style),
            Span::raw(" ".repeat(pad)),
            Span::styled(" ║", border),
        ])
    };
    let mut lines = vec![Line::styled(format!("╔{}╗", "═".repeat(width - 2)), border)];
    for line in textwrap::wrap(&shown(heading), wrapping(inner)) {
        lines.push(boxed(line.into_owned(), theme.urgent_banner()));
    }
    let mut previous_step = false;
    for (step, text) in inside {
        if step.is_none() || !previous_step {
            lines.push(boxed(String::new(), Style::new()));
        }
        previous_step = step.is_some();
        let (first, rest) = match step {
            Some(n) => (format!("{n}. "), " ".repeat(format!("{n}. ").len())),
            None => (String::new(), String::new()),
        };
        let options = wrapping(inner)
            .initial_indent(&first)
            .subsequent_indent(&rest);
        for line in textwrap::wrap(&shown(text), options) {
            lines.push(boxed(line.into_owned(), theme.strong()));
        }
    }
    lines.push(Line::styled(format!("╚{}╝", "═".repeat(width - 2)), border));
    lines
}

/// The help's box within the body, and all of its lines (more than fit, on a small window).
fn help_popup(app: &App<'_>, body: Rect) -> (Rect, Vec<Line<'static>>) {
    let theme = app.theme();
    let width = body.width.saturating_sub(4).min(76);
    let text_width = width.saturating_sub(4);
    let mut lines = Vec::new();
    if let (Screen::Question, Some(asking)) = (app.base(), app.asking()) {
        let q = asking.question;
        lines.push(Line::styled("Why we ask this", theme.heading()));
        let help = app.tree().questions[q]
            .help
            .as_deref()
            .unwrap_or("There is no extra help for this question.");
        lines.extend(wrap(help, text_width, "", "", Style::new()));
        lines.push(Line::default());
        // On a small window the staff lines may be out of sight below the answers; here they are not.
        let guidance = app.tree().questions[q].guidance.as_deref();
        if let (true, Some(guidance)) = (app.features().intake, guidance) {
            lines.push(Line::styled("For staff", theme.heading()));
            lines.extend(wrap(guidance, text_width, "", "", theme.staff()));
            lines.push(Line::default());
        }
    }
    lines.push(Line::styled("Keys", theme.heading()));
    let table = bindings(&app.base());
    let choices = app.asking().map_or(0, |a| a.offered.len());
    let table: Vec<&Binding> = table
        .iter()
        .filter(|b| b.available(app.features()))
        .collect();
    let names: Vec<String> = table.iter().map(|b| b.names(choices)).collect();
    let column = names.iter().map(|n| display_width(n)).max().unwrap_or(0);
    // Side by side when there is room for the descriptions, else each description under its keys.
    let side_by_side = column + 2 + 24 <= usize::from(text_width);
    for (binding, names) in table.iter().zip(names) {
        if side_by_side {
            let first = format!("{names:<column$}  ");
            let rest = " ".repeat(column + 2);
            lines.extend(wrap(binding.help, text_width, &first, &rest, Style::new()));
        } else {
            lines.extend(wrap(&names, text_width, "", "", theme.key()));
            lines.extend(wrap(binding.help, text_width, "  ", "  ", Style::new()));
        }
    }
    let popup = centered(body, width, len_u16(lines.len()).saturating_add(2));
    (popup, lines)
}

/// How far the help can scroll in a window of this size; shared with `update`.
pub fn help_max_scroll(app: &App<'_>, area: Rect) -> u16 {
    let [body, _] = split_footer(app, area, HELP_KEYS);
    let (popup, lines) = help_popup(app, body);
    len_u16(lines.len()).saturating_sub(inner_of(popup).height)
}

fn render_help(app: &App<'_>, body: Rect, buf: &mut Buffer) {
    let theme = app.theme();
    let (popup, lines) = help_popup(app, body);
    let height = inner_of(popup).height;
    let scroll = app
        .help_scroll()
        .min(len_u16(lines.len()).saturating_sub(height));
    let more = if scroll.saturating_add(height) < len_u16(lines.len()) {
        " ↓ more · ? or Esc closes "
    } else {
        " ? or Esc closes this "
    };
    Clear.render(popup, buf);
    framed()
        .title(Line::styled(" Help ", theme.title()))
        .title_bottom(Line::styled(more, theme.strong()).right_aligned())
        .render(popup, buf);
    Paragraph::new(lines)
        .scroll((scroll, 0))
        .render(inner_of(popup), buf);
}

fn render_confirm(app: &App<'_>, pending: Pending, area: Rect, buf: &mut Buffer) {
    let theme = app.theme();
    let features = app.features();
    let next_call = match app.exported() {
        Some(_) => "Everything on screen will be cleared for the next caller. This call's summary has been exported.".to_owned(),
        None => "This call's summary has NOT been exported. Its answers and notes will be deleted for good.".to_owned(),
    };
    let (title, text, action) = match pending {
        Pending::Quit if app.save_problem().is_some() => (
            "Quit?",
            "The last changes could NOT be saved, so quitting now loses them. Export the summary first, or write the answers down.".to_owned(),
            "quit anyway",
        ),
        Pending::Quit if features.intake => (
            "Quit?",
            if app.base() == Screen::Result && app.exported_before() {
                "The latest changes have not been exported. The call stays saved, and groupfit offers to resume it when it starts again."
            } else if app.base() == Screen::Result {
                "The summary has not been exported. The call stays saved, and groupfit offers to resume it when it starts again."
            } else {
                "The call stays saved, and groupfit offers to resume it when it starts again."
            }
            .to_owned(),
            "quit",
        ),
        Pending::Quit if features.autosave => (
            "Quit?",
            "Your answers stay saved, and groupfit offers them when you start it again with --save."
                .to_owned(),
            "quit",
        ),
        Pending::Quit => ("Quit?", "Your answers will be lost.".to_owned(), "quit"),
        Pending::Restart if features.intake => (
            "Start again?",
            if app.base() == Screen::Result && app.exported().is_none() {
                "This result has NOT been exported. The answers will be cleared and you will go back to the first question. The notes are kept."
            } else {
                "The answers so far will be cleared and you will go back to the first question. The notes are kept."
            }
            .to_owned(),
            "start again",
        ),
        Pending::Restart => (
            "Start again?",
            "Your answers so far will be cleared and you will go back to the first question.".to_owned(),
            "start again",
        ),
        Pending::NextCall => ("Next caller?", next_call, "clear everything"),
        Pending::Discard => (
            "Delete the unfinished call?",
            "Its answers and notes will be deleted for good.".to_owned(),
            "delete it",
        ),
        Pending::LeaveResult => (
            "Change the last answer?",
            "The recommendation will be cleared until the questions are finished again. The notes are kept.".to_owned(),
            "change the answer",
        ),
    };
    let table = bindings(&Screen::Confirm(pending));
    let hint = |message: Message| key_for(table, &message);
    let width = area.width.saturating_sub(4).min(52);
    let text_width = width.saturating_sub(4);
    let mut lines = wrap(&text, text_width, "", "", theme.strong());
    lines.push(Line::default());
    let stay = match pending {
        Pending::LeaveResult => "keep the result",
        _ => "go back",
    };
    let keys = format!(
        "Press {} to {action}, or {} to {stay}.",
        hint(Message::Yes),
        hint(Message::No)
    );
    lines.extend(wrap(&keys, text_width, "", "", Style::new()));
    let popup = centered(area, width, len_u16(lines.len()).saturating_add(2));
    Clear.render(popup, buf);
    framed()
        .border_type(BorderType::Thick)
        .title(Line::styled(format!(" {title} "), theme.title()))
        .render(popup, buf);
    Paragraph::new(lines).render(inner_of(popup), buf);
}

/// The unfinished call found at start: what it is, and how its tree differs if it does.
fn render_resume(app: &App<'_>, area: Rect, buf: &mut Buffer) {
    let theme = app.theme();
    let Some(offer) = app.offer() else {
        return;
    };
    let intake = app.features().intake;
    let title = if intake {
        " Unfinished call "
    } else {
        " Answers from before "
    };
    let block = framed().title(Line::styled(title, theme.title()));
    let inner = block.inner(area);
    block.render(area, buf);
    let width = inner.width;
    let mut lines = wrap(&offer.description, width, "", "", theme.strong());
    if let Some(change) = &offer.tree_change {
        lines.push(Line::default());
        lines.extend(wrap(
            &format!("!! The questions have changed. {change}"),
            width,
            "",
            "   ",
            theme.urgent(),
        ));
    }
    lines.push(Line::default());
    let hint = |message: Message| key_for(RESUME_KEYS, &message);
    let (resume, discard, quit) = (
        hint(Message::Resume),
        hint(Message::Discard),
        hint(Message::Quit),
    );
    let keys = if intake {
        format!(
            "Press {resume} to resume it at the next unanswered question, with its notes. Press {discard} to delete it and start a new call. Press {quit} to quit and leave it saved."
        )
    } else {
        format!(
            "Press {resume} to carry on from the next unanswered question. Press {discard} to delete these answers and start again. Press {quit} to quit and keep them."
        )
    };
    lines.extend(wrap(&keys, width, "", "", Style::new()));
    Paragraph::new(lines).render(inner, buf);
}

/// The notes box over most of the body, with the cursor where typing goes.
fn render_notes(app: &App<'_>, body: Rect, buf: &mut Buffer) {
    let theme = app.theme();
    let width = body.width.saturating_sub(4).min(90);
    // Short enough to keep the question in sight above and below it.
    let height = body.height.saturating_sub(6).clamp(3, 14);
    let popup = centered(body, width, height);
    Clear.render(popup, buf);
    let block = Block::bordered()
        .border_type(BorderType::Thick)
        .title(Line::styled(" Notes about the call ", theme.title()))
        .title_bottom(
            Line::styled(" saved as you type · Esc closes ", theme.strong()).right_aligned(),
        );
    let inner = block.inner(popup);
    block.render(popup, buf);
    app.notes_box().render(inner, buf);
}

/// The first key that sends `message` in a table, as shown in the footer, for sentences such as
/// "Press y to quit".
fn key_for(table: &[Binding], message: &Message) -> String {
    table
        .iter()
        .find(|b| matches!(&b.does, Does::Send(m) if m == message))
        .map(|b| b.hint(0))
        .unwrap_or_default()
}

/// Inside a [`framed`] block.
fn inner_of(popup: Rect) -> Rect {
    framed().inner(popup)
}

fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let width = width.min(area.width);
    let height = height.min(area.height);
    Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + (area.height - height) / 2,
        width,
        height,
    }
}

/// Text as the screen can draw it: a tab is a space (ratatui would drop it as a control
/// character), and zero-width joiners go, because terminals disagree on what they join to and
/// one left at the end of a cell joins the next thing drawn there, such as a border.
fn shown(text: &str) -> Cow<'_, str> {
    if !text.contains(['\t', '\u{200d}']) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars()
            .filter(|&c| c != '\u{200d}')
            .map(|c| if c == '\t' { ' ' } else { c })
            .collect(),
    )
}

/// Wraps text to a width with a first-line and a following-line indent, all in one style.
fn wrap(text: &str, width: u16, first: &str, rest: &str, style: Style) -> Vec<Line<'static>> {
    let options = wrapping(usize::from(width))
        .initial_indent(first)
        .subsequent_indent(rest);
    textwrap::wrap(&shown(text), options)
        .into_iter()
        .map(|line| Line::styled(line.into_owned(), style))
        .collect()
}

/// Lines break only at spaces: "Ctrl-C", "Self-help" and phone numbers stay whole.
fn wrapping(width: usize) -> textwrap::Options<'static> {
    explain::wrapping(width)
}

fn len_u16(n: usize) -> u16 {
    u16::try_from(n).unwrap_or(u16::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Source;
    use crate::tree::Tree;
    use crate::tui::app::update;
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    const TREE: &str = r#"
[tree]
title = "Which group?"
version = "1"
start = "first"
safety = "first"
disclaimer = "Only a guide."
urgent_closing = "Help is there at any hour."

[[question]]
id = "first"
text = "Are you safe right now?"
help = "We ask this first because safety comes before anything else."
  [[question.option]]
  id = "no"
  label = "No, or I am not sure"
  outcome = "urgent"
  reason = "You said you may not be safe."
  [[question.option]]
  id = "yes"
  label = "Yes"
  next = "second"

[[question]]
id = "second"
text = "What do you want most?"
  [[question.option]]
  id = "a"
  label = "To cope"
  score = { a = 1 }
  reason = "You want to cope."
  [[question.option]]
  id = "b"
  label = "To change"
  score = { b = 1 }
  reason = "You want to change."

[[outcome]]
id = "a"
name = "Support group"
summary = "People who share a problem meet to help each other cope."
expect = ["Goal: coping", "Led by: peers"]
next_steps = "Look for one near you."

[[outcome]]
id = "b"
name = "Therapy group"
summary = "A professional helps members change."

[[outcome]]
id = "urgent"
name = "Get help now"
urgent = true
summary = "A group is not the first step today."
steps = ["Call or text 988 now."]
"#;

    fn tree() -> Tree {
        Tree::load(&Source::new("t.toml", TREE.to_owned()))
            .unwrap()
            .0
    }

    fn screen(app: &App<'_>, width: u16, height: u16) -> String {
        let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
        terminal
            .draw(|frame| frame.render_widget(app, frame.area()))
            .unwrap();
        let buffer = terminal.backend().buffer();
        let mut text = String::new();
        for y in 0..buffer.area.height {
            for x in 0..buffer.area.width {
                text.push_str(buffer[(x, y)].symbol());
            }
            text.push('\n');
        }
        text
    }

    #[test]
    fn the_marked_answer_has_a_marker_not_only_a_style() {
        let tree = tree();
        let mut app = App::new(&tree, Theme::plain());
        update(&mut app, Message::Down);
        update(&mut app, Message::Down);
        let text = screen(&app, 80, 24);
        assert!(text.contains("▶ 2. Yes"), "{text}");
        assert!(text.contains("  1. No, or I am not sure"), "{text}");
    }

    #[test]
    fn without_colour_no_cell_has_a_colour() {
        let tree = tree();
        let mut app = App::new(&tree, Theme::plain());
        update(&mut app, Message::Pick(0));
        let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
        terminal
            .draw(|frame| frame.render_widget(&app, frame.area()))
            .unwrap();
        for cell in &terminal.backend().buffer().content {
            assert_eq!(cell.fg, Color::Reset);
            assert_eq!(cell.bg, Color::Reset);
        }
    }

    #[test]
    fn an_urgent_result_is_boxed_and_marked_in_words() {
        let tree = tree();
        let mut app = App::new(&tree, Theme::plain());
        update(&mut app, Message::Pick(0));
        let text = screen(&app, 80, 24);
        assert!(!text.contains("!!"), "no pairs of '!': {text}");
        assert!(text.contains(" Read this first "), "{text}");
        assert!(text.contains("╔═"), "{text}");
        assert!(text.contains("║ Get help now"), "{text}");
        assert!(text.contains("║ 1. Call or text 988 now."), "{text}");
    }

    #[test]
    fn the_footer_lists_only_keys_that_work_here() {
        let tree = tree();
        let mut app = App::new(&tree, Theme::plain());
        let first = screen(&app, 80, 24);
        assert!(
            first.contains("q quit") && !first.contains("← back"),
            "{first}"
        );
        update(&mut app, Message::Pick(1));
        let second = screen(&app, 80, 24);
        assert!(second.contains("← back") && second.contains("r start again"));
        assert!(
            second.contains("1–2 answer") && second.contains("↑↓ move"),
            "{second}"
        );
    }

    #[test]
    fn footer_wraps_rather_than_losing_keys() {
        let tree = tree();
        let mut app = App::new(&tree, Theme::plain());
        update(&mut app, Message::Pick(1));
        let lines = footer_lines(&app, bindings(&Screen::Question), 40);
        assert!(lines.len() > 1);
        assert!(lines.iter().all(|l| l.width() <= 40));
    }

    #[test]
    fn every_size_renders_without_panicking() {
        let tree = tree();
        let mut app = App::new(&tree, Theme::coloured());
        update(&mut app, Message::Pick(1));
        for width in (0..=130).step_by(7).chain([1, 2, 39, 40, 99, 100]) {
            for height in (0..=40).step_by(3).chain([1, 11, 12]) {
                let area = Rect::new(0, 0, width, height);
                let mut buffer = Buffer::empty(area);
                (&app).render(area, &mut buffer);
            }
        }
    }

    #[test]
    fn result_lines_do_not_exceed_the_width() {
        let tree = tree();
        let mut app = App::new(&tree, Theme::plain());
        update(&mut app, Message::Pick(0));
        for width in [8, 20, 40, 77, 200] {
            for line in result_lines(&app, width) {
                assert!(line.width() <= usize::from(width), "{line:?} at {width}");
            }
        }
    }
}
