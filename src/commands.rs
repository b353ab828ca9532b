//! What each command does, and how results become output and exit codes.
//!
//! This is the edge of the program: files are read, the core is called, and problems are printed
//! with their locations. Exit codes: 0 success, 1 invalid input, 2 usage (from clap).

use std::ffi::OsString;
use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{CommandFactory, Parser as _};

use crate::answers::{self, GivenAnswer};
use crate::check::{self, DEFAULT_MAX_PATHS};
use crate::cli::{AnswerFormat, CheckFormat, Cli, Command, GraphFormat, PathsFormat, RunArgs};
use crate::diagnostic::{Diagnostic, Report};
use crate::explain::{self, Explanation, short_hash};
use crate::graph;
use crate::paths;
use crate::plain;
use crate::record::Format;
use crate::session::{self, Keeper, Store};
use crate::source::Source;
use crate::tree::Tree;
use crate::visible::{self, Visible, visible};

/// Width of text reports.
pub const REPORT_WIDTH: usize = 80;

/// A failure already worded for the person; printed to standard error, exit code 1.
#[derive(Debug)]
pub struct Failure(pub String);

impl From<crate::source::ReadError> for Failure {
    fn from(error: crate::source::ReadError) -> Self {
        Failure(format!("error: {error}"))
    }
}

/// Runs the parsed command line and returns the exit code.
pub fn run(cli: Cli) -> ExitCode {
    match dispatch(cli) {
        Ok(code) => code,
        Err(Failure(message)) => {
            let mut stderr = Visible::new(io::stderr().lock());
            let _ = write!(stderr, "{message}");
            if !message.ends_with('\n') {
                let _ = writeln!(stderr);
            }
            let _ = stderr.flush();
            ExitCode::from(1)
        }
    }
}

/// Parses the command line; when clap refuses it, prints why and returns the exit code.
///
/// clap quotes what was typed, so the message is made from the arguments with their control
/// characters escaped: a refused argument cannot clear the screen or retitle the window.
pub fn parse_command_line() -> Result<Cli, ExitCode> {
    let args: Vec<OsString> = std::env::args_os().collect();
    let error = match Cli::try_parse_from(&args) {
        Ok(cli) => return Ok(cli),
        Err(error) => error,
    };
    let shown: Vec<OsString> = args
        .iter()
        .map(|arg| OsString::from(visible(&arg.to_string_lossy()).into_owned()))
        .collect();
    let error = if shown == args {
        error
    } else {
        Cli::try_parse_from(&shown).err().unwrap_or(error)
    };
    let _ = error.print();
    Err(ExitCode::from(u8::try_from(error.exit_code()).unwrap_or(2)))
}

fn dispatch(cli: Cli) -> Result<ExitCode, Failure> {
    let questions = cli.questions.as_deref();
    match cli.command {
        None => questionnaire(questions, &cli.run),
        Some(Command::Run(args)) => questionnaire(questions, &cli.run.merged(&args)),
        Some(Command::Check {
            file,
            strict,
            format,
            max_paths,
        }) => check_command(file.as_deref().or(questions), strict, format, max_paths),
        Some(Command::Paths {
            file,
            format,
            max_paths,
        }) => paths_command(file.as_deref().or(questions), format, max_paths),
        Some(Command::Review { file, max_paths }) => {
            review_command(file.as_deref().or(questions), max_paths)
        }
        Some(Command::Diff {
            old,
            new,
            format,
            max_paths,
        }) => diff_command(&old, &new, format, max_paths),
        Some(Command::Graph {
            file,
            format,
            depth,
        }) => graph_command(file.as_deref().or(questions), format, depth),
        Some(Command::Answer {
            answers,
            answer,
            format,
        }) => answer_command(questions, answers.as_deref(), answer, format),
        Some(Command::Completions { shell }) => {
            let mut out = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "groupfit", &mut out);
            emit(&String::from_utf8_lossy(&out), Form::Exact)
        }
        Some(Command::Schema) => emit(&crate::schema::to_json(), Form::Json),
        Some(Command::Man) => {
            let mut out = Vec::new();
            clap_mangen::Man::new(Cli::command())
                .render(&mut out)
                .map_err(|e| Failure(format!("error: cannot write the man page: {e}")))?;
            emit(&String::from_utf8_lossy(&out), Form::Exact)
        }
    }
}

/// Reads the tree named on the command line, or the built-in one.
pub fn read_tree_source(path: Option<&Path>) -> Result<Source, Failure> {
    Ok(match path {
        Some(path) => Source::read(path)?,
        None => Source::builtin(),
    })
}

/// Loads a tree for use: any error `check` would report refuses it, with every problem listed.
pub fn load_tree(path: Option<&Path>) -> Result<(Source, Tree), Failure> {
    let source = read_tree_source(path)?;
    if path.is_none() {
        // The built-in tree passes `check --strict` in the test suite, so its path checks (several
        // milliseconds) are not repeated before every first frame.
        return Tree::load(&source)
            .map(|(tree, _)| (source.clone(), tree))
            .map_err(|diagnostics| refused(&source, &diagnostics));
    }
    let checked = check::check(&source, DEFAULT_MAX_PATHS);
    if checked.has_errors() || checked.tree.is_none() {
        let errors_only = Report::errors_only(&source, &checked.diagnostics);
        return Err(Failure(format!(
            "{}{}: the question tree has {} error(s); fix them (run 'groupfit check {}' to see everything) and try again\n",
            crate::snippet::render(&errors_only, &source),
            errors_only.file,
            errors_only.errors(),
            errors_only.file
        )));
    }
    let tree = checked
        .tree
        .ok_or_else(|| Failure("error: the tree could not be loaded".into()))?;
    Ok((source, tree))
}

/// What kind of text goes to standard output, which decides how control characters in it are
/// written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Form {
    /// For a person to read: control characters always escaped.
    Text,
    /// Escaped on a terminal; exact into a file or a pipe.
    Markdown,
    /// Every control character is a JSON escape, so the text stays exact.
    Json,
    /// Generated by groupfit itself (completions, the man page): written as it is.
    Exact,
}

impl From<AnswerFormat> for Form {
    fn from(format: AnswerFormat) -> Self {
        match format {
            AnswerFormat::Text => Form::Text,
            AnswerFormat::Markdown => Form::Markdown,
            AnswerFormat::Json => Form::Json,
        }
    }
}

/// Writes to standard output; a closed pipe (`groupfit paths | head`) is not an error.
fn emit(text: &str, form: Form) -> Result<ExitCode, Failure> {
    emit_with(text, form, ExitCode::SUCCESS)
}

fn emit_with(text: &str, form: Form, code: ExitCode) -> Result<ExitCode, Failure> {
    let out = io::stdout();
    let shown = form == Form::Text || (form == Form::Markdown && out.is_terminal());
    let mut out = out.lock();
    let written = if shown {
        let mut out = Visible::new(&mut out);
        out.write_all(text.as_bytes()).and_then(|()| out.flush())
    } else if form == Form::Json {
        out.write_all(visible::json(text).as_bytes())
            .and_then(|()| out.flush())
    } else {
        out.write_all(text.as_bytes()).and_then(|()| out.flush())
    };
    match written {
        Ok(()) => Ok(code),
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(code),
        Err(e) => Err(Failure(format!("error: cannot write the output: {e}"))),
    }
}

fn check_command(
    path: Option<&Path>,
    strict: bool,
    format: CheckFormat,
    max_paths: usize,
) -> Result<ExitCode, Failure> {
    let source = read_tree_source(path)?;
    let mut checked = check::check(&source, max_paths);
    if source.is_builtin()
        && let Some(warning) = differing_local_tree(Path::new(BUILTIN_FILE_NAME))
    {
        checked.diagnostics.push(warning);
    }
    let report = checked.report(&source);
    let version = checked.tree.as_ref().map(|t| t.version.as_str());
    let what = source.describe(version);
    let failed = report.errors() > 0 || (strict && report.warnings() > 0);
    let code = if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    };
    let text = match format {
        CheckFormat::Text => format!(
            "{}{}\n",
            crate::snippet::render(&report, &source),
            check::summary(&checked, &report, &what)
        ),
        CheckFormat::Json => {
            let json = serde_json::json!({
                "checked": what,
                "file": report.file,
                "builtin": source.is_builtin(),
                "version": version,
                "sha256": source.sha256(),
                "errors": report.errors(),
                "warnings": report.warnings(),
                "diagnostics": report.items,
                "omitted": report.omitted(),
                "stats": checked.stats,
            });
            format!(
                "{}\n",
                serde_json::to_string_pretty(&json).unwrap_or_default()
            )
        }
    };
    let form = match format {
        CheckFormat::Text => Form::Text,
        CheckFormat::Json => Form::Json,
    };
    emit_with(&text, form, code)
}

/// The file a clinician edits, which `check` with no file might be mistaken for checking.
const BUILTIN_FILE_NAME: &str = "questions.toml";

/// A warning when `path` (a `questions.toml` in the current folder) differs from the built-in
/// tree, which is what was checked: a broken copy there must not look checked.
fn differing_local_tree(path: &Path) -> Option<Diagnostic> {
    let shown = path.display();
    let message = match crate::files::read(
        path,
        crate::files::SOURCE_LIMIT,
        crate::files::Links::Follow,
    ) {
        Ok(bytes) if bytes == crate::source::BUILTIN_TREE.as_bytes() => return None,
        Ok(_) => format!(
            "this checked the built-in tree, not the file '{shown}' in the current folder, which differs from it; to check that file, run 'groupfit check {shown}'"
        ),
        Err(e) if e.not_found() => return None,
        Err(e) => format!(
            "this checked the built-in tree; the file '{shown}' in the current folder could not be read ({e}); to check it, run 'groupfit check {shown}'"
        ),
    };
    Some(Diagnostic::warning(None, message))
}

fn paths_command(
    path: Option<&Path>,
    format: PathsFormat,
    max_paths: usize,
) -> Result<ExitCode, Failure> {
    let source = read_tree_source(path)?;
    // Listing paths helps review a tree that still has path problems, so only structure must hold.
    let tree = match Tree::load(&source) {
        Ok((tree, _)) => tree,
        Err(diagnostics) => return Err(refused(&source, &diagnostics)),
    };
    let what = source.describe(Some(&tree.version));
    let listing = paths::Listing::new(&tree, max_paths).named(&what);
    // Written path by path as they are visited, so memory is one path, not the listing.
    let out = io::stdout();
    let terminal = out.is_terminal();
    let mut out = io::BufWriter::new(out.lock());
    let written = match format {
        PathsFormat::Table => write_visibly(&mut out, |out| listing.write_table(out)),
        PathsFormat::Markdown if terminal => {
            write_visibly(&mut out, |out| listing.write_markdown(out))
        }
        PathsFormat::Markdown => listing.write_markdown(&mut out),
        // Ids hold only letters, digits, '_' and '-', so the JSON has no control characters.
        PathsFormat::Json => listing.write_json(&mut out),
    }
    .and_then(|()| out.flush());
    match written {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(ExitCode::SUCCESS),
        Err(e) => Err(Failure(format!("error: cannot write the output: {e}"))),
    }
}

/// Writes through [`Visible`], so control characters in tree text are shown escaped.
fn write_visibly<W: Write>(
    out: &mut W,
    write: impl FnOnce(&mut Visible<&mut W>) -> io::Result<()>,
) -> io::Result<()> {
    let mut visible = Visible::new(out);
    write(&mut visible)?;
    visible.flush()
}

fn review_command(path: Option<&Path>, max_paths: usize) -> Result<ExitCode, Failure> {
    let source = read_tree_source(path)?;
    let checked = check::check(&source, max_paths);
    let Some(tree) = &checked.tree else {
        return Err(refused(&source, &checked.diagnostics));
    };
    let what = source.describe(Some(&tree.version));
    let text = crate::review::to_markdown(tree, &what, &checked, max_paths);
    emit(&text, Form::Markdown)
}

/// Exit code of `diff` when some answers now end at a different outcome.
const OUTCOMES_CHANGED: u8 = 3;

fn diff_command(
    old: &Path,
    new: &Path,
    format: AnswerFormat,
    max_paths: usize,
) -> Result<ExitCode, Failure> {
    let load = |path: &Path| -> Result<(Source, Tree), Failure> {
        let source = Source::read(path)?;
        match Tree::load(&source) {
            Ok((tree, _)) => Ok((source, tree)),
            Err(diagnostics) => Err(refused(&source, &diagnostics)),
        }
    };
    let (old_source, old_tree) = load(old)?;
    let (new_source, new_tree) = load(new)?;
    let diff = crate::diff::compare(
        &old_tree,
        &old_source.describe(Some(&old_tree.version)),
        &new_tree,
        &new_source.describe(Some(&new_tree.version)),
        max_paths,
    );
    let code = if diff.outcomes_changed() {
        ExitCode::from(OUTCOMES_CHANGED)
    } else {
        ExitCode::SUCCESS
    };
    let text = match format {
        AnswerFormat::Text => diff.to_text(),
        AnswerFormat::Markdown => diff.to_markdown(),
        AnswerFormat::Json => format!("{}\n", diff.to_json()),
    };
    emit_with(&text, format.into(), code)
}

fn graph_command(
    path: Option<&Path>,
    format: GraphFormat,
    depth: Option<usize>,
) -> Result<ExitCode, Failure> {
    let source = read_tree_source(path)?;
    // A picture helps to find a tree's path problems, so only its structure must hold.
    let tree = match Tree::load(&source) {
        Ok((tree, _)) => tree,
        Err(diagnostics) => return Err(refused(&source, &diagnostics)),
    };
    let format = match format {
        GraphFormat::Mermaid => graph::Format::Mermaid,
        GraphFormat::Dot => graph::Format::Dot,
    };
    let what = source.describe(Some(&tree.version));
    emit(&graph::render(&tree, format, depth, &what), Form::Markdown)
}

fn refused(source: &Source, diagnostics: &[Diagnostic]) -> Failure {
    let report = Report::new(source, diagnostics);
    Failure(format!(
        "{}{}: the question tree has {} error(s); fix them and try again\n",
        crate::snippet::render(&report, source),
        report.file,
        report.errors()
    ))
}

fn answer_command(
    questions: Option<&Path>,
    answers_file: Option<&Path>,
    pairs: Vec<GivenAnswer>,
    format: AnswerFormat,
) -> Result<ExitCode, Failure> {
    let (_, tree) = load_tree(questions)?;
    let mut warnings = String::new();
    let (given, answers_source) = match answers_file {
        Some(path) => {
            let source = Source::read(path)?;
            let file = answers::parse_file(&source).map_err(|d| refused_answers(&source, &d))?;
            if let Some(stamp) = &file.made_with
                && stamp.sha256 != tree.sha256
            {
                warnings.push_str(&format!(
                    "{}: warning: these answers were made with tree version {} ({}), not this tree (version {}, {}); replaying them on this one\n",
                    source.name(),
                    stamp.version,
                    short_hash(&stamp.sha256),
                    tree.version,
                    short_hash(&tree.sha256)
                ));
            }
            (file.answers, Some(source))
        }
        None => (pairs, None),
    };
    let located = |diagnostics: &[Diagnostic]| match &answers_source {
        Some(source) => crate::snippet::render(&Report::new(source, diagnostics), source),
        None => crate::diagnostic::unlocated(diagnostics),
    };
    let replayed = answers::replay(&tree, &given)
        .map_err(|d| Failure(format!("{warnings}{}", located(&d))))?;
    warnings.push_str(&located(&replayed.unused));
    if !warnings.is_empty() {
        let mut stderr = Visible::new(io::stderr().lock());
        let _ = stderr
            .write_all(warnings.as_bytes())
            .and_then(|()| stderr.flush());
    }
    let explanation =
        Explanation::of(&replayed.walk).map_err(|e| Failure(format!("error: {e}")))?;
    emit(&render(&explanation, format), format.into())
}

fn refused_answers(source: &Source, diagnostics: &[Diagnostic]) -> Failure {
    Failure(crate::snippet::render(
        &Report::new(source, diagnostics),
        source,
    ))
}

/// The explanation in the requested format.
pub fn render(explanation: &Explanation, format: AnswerFormat) -> String {
    match format {
        AnswerFormat::Text => explanation.to_text(REPORT_WIDTH),
        AnswerFormat::Markdown => explanation.to_markdown(),
        AnswerFormat::Json => format!("{}\n", explanation.to_json()),
    }
}

fn questionnaire(questions: Option<&Path>, args: &RunArgs) -> Result<ExitCode, Failure> {
    use crate::tui::{self, Exit, Features, Setup};

    // The tree, the flags and any saved call are checked before the terminal is touched, so a
    // problem prints on the ordinary terminal and never behind the alternate screen.
    let (_, tree) = load_tree(questions)?;
    // With standard output redirected the questionnaire is drawn on the terminal itself and the
    // report goes where the output was sent; piped input means answers are being typed in
    // advance, which plain mode reads.
    let output = if io::stdin().is_terminal() && !args.plain {
        tui::Output::terminal()
    } else {
        None
    };
    let plain = output.is_none();
    let features = Features {
        intake: args.intake,
        autosave: args.intake || args.save,
        // Plain mode writes a summary only when told where.
        export: (args.intake && !plain) || args.export_dir.is_some(),
    };
    let export_dir = args
        .export_dir
        .clone()
        .unwrap_or_else(|| PathBuf::from("."));
    if features.export {
        session::check_export_dir(&export_dir).map_err(|problem| {
            Failure(if args.export_dir.is_some() {
                problem
            } else {
                format!(
                    "{problem}\n(summaries go into the current folder unless --export-dir names another)"
                )
            })
        })?;
        for file in session::tidy(&export_dir, std::time::SystemTime::now()).completed {
            // Absolute, like every path groupfit prints, so it can be found from anywhere.
            let file = std::path::absolute(&file).unwrap_or(file);
            let _ = writeln!(
                Visible::new(io::stderr().lock()),
                "Completed a summary whose writing was cut short: {}",
                file.display()
            );
        }
    }
    let store = if features.autosave {
        let dir = Store::default_dir().ok_or_else(|| {
            Failure(
                "error: there is no folder to save calls in: set XDG_STATE_HOME or HOME".to_owned(),
            )
        })?;
        let store = Store::open(&dir, Keeper::of(args.intake));
        Some(store.map_err(|e| Failure(e.to_string()))?)
    } else {
        None
    };
    let saved = match &store {
        Some(store) => store.load().map_err(|e| Failure(e.to_string()))?,
        None => None,
    };

    let formats: Vec<Format> = if args.export_format.is_empty() {
        Format::DEFAULT.to_vec()
    } else {
        args.export_format
            .iter()
            .copied()
            .map(Format::from)
            .collect()
    };
    let staff = args
        .staff
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned);
    let Some(output) = output else {
        let stdin = io::stdin().lock();
        let stdout = io::stdout().lock();
        let options = plain::Options {
            intake: args.intake,
            store: store.as_ref(),
            saved,
            export_dir: args.export_dir.is_some().then_some(export_dir.as_path()),
            formats: &formats,
            staff,
        };
        return match plain::run(&tree, stdin, Visible::new(stdout), &options) {
            Ok(_) => Ok(ExitCode::SUCCESS),
            Err(plain::PlainError::Io(e)) if e.kind() == io::ErrorKind::BrokenPipe => {
                Ok(ExitCode::SUCCESS)
            }
            Err(e) => Err(Failure(format!("{e}"))),
        };
    };

    let setup = Setup {
        output,
        features,
        store: store.as_ref(),
        saved,
        export_dir: &export_dir,
        formats: &formats,
        staff,
    };
    let ending = tui::run(&tree, setup)
        .map_err(|e| Failure(format!("error: cannot use the terminal: {e}; try --plain")))?;
    let code = match ending.exit {
        Exit::Quit => ExitCode::SUCCESS,
        Exit::Interrupted => ExitCode::from(130),
        Exit::Signal(number) => ExitCode::from(u8::try_from(128 + number).unwrap_or(1)),
    };
    // Printed only now that the terminal is restored, so the report stays in the scrollback.
    let mut text = match (&ending.explanation, ending.exit) {
        (Some(_), _) if args.no_report => String::new(),
        (Some(explanation), _) if args.intake => {
            explanation.to_text_for_staff(REPORT_WIDTH)
                + &explain::notes_text(&ending.notes, REPORT_WIDTH)
        }
        (Some(explanation), _) => explanation.to_text(REPORT_WIDTH),
        (None, Exit::Signal(_)) => String::new(),
        (None, _) if store.is_some() => "Stopped. Nothing was recommended.\n".to_owned(),
        (None, _) => "Stopped. Nothing was recommended and nothing was saved.\n".to_owned(),
    };
    for exported in &ending.exported {
        // The heading wraps at spaces to the report's width; the paths stay whole below it.
        let about = textwrap::fill(&exported.about, explain::wrapping(REPORT_WIDTH));
        text.push_str(&format!("\n{about}\n{}\n", exported.paths("  ")));
    }
    if let Some(problem) = &ending.save_problem {
        text.push_str(&format!(
            "\n!! The last changes could NOT be saved ({problem}); what is saved is older than what was on screen.\n"
        ));
    } else if let Some(store) = &store
        && store.path().exists()
    {
        let saved = if args.intake {
            format!(
                "\nThe call is saved until its summary is exported, and groupfit --intake offers\nto resume it. It is in:\n  {}\n",
                store.path().display()
            )
        } else {
            format!(
                "\nYour answers are saved, and groupfit --save offers to carry on from them.\nThey are in:\n  {}\n",
                store.path().display()
            )
        };
        text.push_str(&saved);
    }
    if !io::stdout().is_terminal() && ending.explanation.is_some() && !args.no_report {
        // The questionnaire was drawn on the terminal and has gone; say where the report went.
        let _ = writeln!(
            io::stderr(),
            "groupfit: the report was written to the redirected output."
        );
    }
    emit_with(&text, Form::Text, code)
}
