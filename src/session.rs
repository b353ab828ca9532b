//! A call as data: autosaved while it runs, offered for resume after a crash or a dropped
//! connection, and exported as a summary for the case record when it ends.
//!
//! Nothing here draws or reads keys: the TUI and plain mode decide when to save and export, and
//! pass the clock in, so every function here can be tested with fixed times.
//!
//! Every file is written to a temporary file beside its destination with owner-only permissions
//! (0600) and then renamed into place, so a reader never sees half a file. Exports never replace
//! an existing file, and an export's two files appear whole or not at all ([`pair`]); temporary
//! files a killed process left behind are tidied when groupfit starts. The autosave is one file in the state directory, `session.json` for intake
//! staff and `answers.json` for a person's own answers ([`Keeper`]); while a questionnaire runs it
//! holds a lock beside it, so two windows cannot overwrite each other's call.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};

mod pair;

pub use pair::{STALE_AFTER, Tidied, tidy};

use crate::explain::{Explanation, TreeStamp, md, short_hash};
use crate::files::{self, FileError, Links};
use crate::tree::Tree;
use crate::walk::{Position, Walk};

/// Whose answers a store keeps. Each has its own file, so answers saved with `--save` and a call
/// saved in intake mode can never overwrite or be resumed as one another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keeper {
    /// Intake staff's call in progress: `session.json`.
    Intake,
    /// A person's own answers, with `--save`: `answers.json`.
    Personal,
}

impl Keeper {
    /// Intake staff's calls, or a person's own answers.
    pub fn of(intake: bool) -> Self {
        if intake {
            Keeper::Intake
        } else {
            Keeper::Personal
        }
    }

    fn file(self) -> &'static str {
        match self {
            Keeper::Intake => "session.json",
            Keeper::Personal => "answers.json",
        }
    }

    fn lock(self) -> &'static str {
        match self {
            Keeper::Intake => "session.lock",
            Keeper::Personal => "answers.lock",
        }
    }
}

/// The version of the saved-session format, written into every file.
const FORMAT: u32 = 1;

/// One answer as saved: ids, so that a saved call survives a restart of the program.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SavedAnswer {
    pub question: String,
    pub option: String,
}

/// Everything needed to pick a call up again: the answers, the notes, when it started, and the
/// tree it was answered on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Session {
    /// The format version; a newer program may write a higher one.
    pub groupfit_session: u32,
    pub started: Timestamp,
    pub saved: Timestamp,
    pub tree: TreeStamp,
    pub answers: Vec<SavedAnswer>,
    pub notes: String,
}

impl Session {
    /// The state of a call at `saved`.
    pub fn of(walk: &Walk<'_>, notes: &str, started: Timestamp, saved: Timestamp) -> Self {
        let tree = walk.tree();
        Self {
            groupfit_session: FORMAT,
            started,
            saved,
            tree: TreeStamp::of(tree),
            answers: walk
                .answers()
                .iter()
                .map(|a| {
                    let question = &tree.questions[a.question];
                    SavedAnswer {
                        question: question.id.clone(),
                        option: question.choices[a.choice].id.clone(),
                    }
                })
                .collect(),
            notes: notes.to_owned(),
        }
    }

    /// Whether the call was saved with exactly this tree (same text, so the same hash).
    pub fn same_tree(&self, tree: &Tree) -> bool {
        self.tree.sha256 == tree.sha256
    }

    /// A sentence or two for the person deciding whether to resume: when, how far, and notes.
    ///
    /// Intake staff read of "a call"; a person answering for themselves, of their own answers.
    pub fn describe(&self, now: Timestamp, zone: &TimeZone, intake: bool) -> String {
        let answers = count(self.answers.len(), "answer", "answers");
        let notes = match note_lines(&self.notes) {
            0 => "no notes".to_owned(),
            lines => count(lines, "line of notes", "lines of notes"),
        };
        let started = when(self.started, now, zone);
        let saved = when(self.saved, now, zone);
        if intake {
            format!(
                "A call started {started} is still open. It was last saved {saved}, with {answers} and {notes}."
            )
        } else {
            let were = if self.answers.len() == 1 {
                "was"
            } else {
                "were"
            };
            format!("You started answering {started}. {answers} {were} saved {saved}.")
        }
    }

    /// What differs when the call was saved with another tree, in words; `None` when it is the same.
    pub fn tree_change(&self, tree: &Tree) -> Option<String> {
        if self.same_tree(tree) {
            return None;
        }
        Some(format!(
            "It was saved with the questions \"{}\", version {} ({}), but these are \"{}\", version {} ({}). Its answers may not mean the same with these questions: resuming replays only the answers that still match, and stops at the first that does not.",
            self.tree.title,
            self.tree.version,
            short_hash(&self.tree.sha256),
            tree.title,
            tree.version,
            short_hash(&tree.sha256)
        ))
    }
}

/// Whether a call in progress is worth keeping on disk: it holds an answer or a note, and a
/// person's own answers are kept only until they reach a recommendation.
pub fn worth_keeping(walk: &Walk<'_>, notes: &str, keeper: Keeper) -> bool {
    let empty = walk.answers().is_empty() && notes.trim().is_empty();
    let finished = keeper == Keeper::Personal && walk.position() == Position::Finished;
    !empty && !finished
}

/// How many lines of the notes have something written on them.
pub fn note_lines(notes: &str) -> usize {
    notes.lines().filter(|l| !l.trim().is_empty()).count()
}

/// "no answers", "1 answer", "3 answers".
pub fn count(n: usize, one: &str, many: &str) -> String {
    match n {
        0 => format!("no {many}"),
        1 => format!("1 {one}"),
        n => format!("{n} {many}"),
    }
}

/// "at 14:05 today" or "on Friday 20 November 2026 at 14:05".
fn when(at: Timestamp, now: Timestamp, zone: &TimeZone) -> String {
    let then = at.to_zoned_datetime(zone.clone());
    let today = now.to_zoned_datetime(zone.clone()).date();
    if then.date() == today {
        format!("at {} today", then.strftime("%H:%M"))
    } else {
        format!("on {}", then.strftime("%A %-d %B %Y at %H:%M"))
    }
}

/// A saved call replayed onto a tree.
#[derive(Debug, Clone)]
pub struct Resumed<'t> {
    pub walk: Walk<'t>,
    /// How many saved answers were replayed.
    pub replayed: usize,
    /// Why replaying stopped before the saved answers ran out, in words.
    pub stopped: Option<String>,
}

impl Resumed<'_> {
    /// What to tell the person once a saved call of `saved` answers is back, and whether it is a
    /// warning: some answers did not fit and must be asked again.
    pub fn report(&self, saved: &Session, keeper: Keeper) -> (String, bool) {
        let notes = if saved.notes.trim().is_empty() {
            ""
        } else {
            " and the notes"
        };
        let saved = saved.answers.len();
        match (&self.stopped, keeper) {
            (None, Keeper::Intake) => (
                format!(
                    "Resumed the call: {}{notes} {}.",
                    count(self.replayed, "answer", "answers"),
                    if self.replayed == 1 && notes.is_empty() {
                        "is back"
                    } else {
                        "are back"
                    }
                ),
                false,
            ),
            (None, Keeper::Personal) => (
                format!(
                    "Carrying on where you left off: {} back.",
                    count(self.replayed, "answer is", "answers are")
                ),
                false,
            ),
            (Some(why), _) => (
                format!(
                    "Resumed {} of {saved} saved answers: {why}. Ask the caller the rest again.",
                    self.replayed
                ),
                true,
            ),
        }
    }
}

/// Replays a saved call's answers in order, stopping at the first that no longer fits the tree.
///
/// On the tree it was saved with every answer fits, and the walk stands where the call stopped:
/// at the next unanswered question, or finished.
pub fn resume<'t>(tree: &'t Tree, session: &Session) -> Resumed<'t> {
    let mut walk = Walk::new(tree);
    let mut stopped = None;
    let safety = tree.safety.map(|s| s.question);
    for saved in &session.answers {
        // The safety screen's follow-up, and a danger raised at a later question, are answers
        // to the safety screen that come after the walk reached a result or another question.
        if let Some(screen) = safety
            && tree.questions[screen].id == saved.question
            && let Some(choice) = tree.choice_ix(screen, &saved.option)
            && (walk.answer_follow_up(choice) || walk.raise(choice))
        {
            continue;
        }
        let Position::Asking(q) = walk.position() else {
            stopped = Some(format!(
                "the questions ended before the saved answer to '{}'",
                saved.question
            ));
            break;
        };
        let question = &tree.questions[q];
        if question.id != saved.question {
            stopped = Some(format!(
                "the saved answers continue with '{}', but these questions ask '{}' next",
                saved.question, question.id
            ));
            break;
        }
        let Some(choice) = tree.choice_ix(q, &saved.option) else {
            stopped = Some(format!(
                "question '{}' has no option '{}' any more",
                question.id, saved.option
            ));
            break;
        };
        walk.choose(choice);
    }
    let replayed = walk.answers().len();
    Resumed {
        walk,
        replayed,
        stopped,
    }
}

/// Why the saved session cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "error: cannot use '{}' for saved sessions: {source}; set XDG_STATE_HOME to a folder you can write to",
        dir.display()
    )]
    Folder { dir: PathBuf, source: io::Error },
    #[error(
        "error: another groupfit is already running with a saved call in '{}'; finish or quit the call in that window, then start again",
        dir.display()
    )]
    Busy { dir: PathBuf },
    #[error(
        "{}:{line}:{column}: error: the saved call cannot be read: {message}. It may hold a caller's answers, so it was left as it is; move it somewhere else and start again",
        path.display()
    )]
    Unreadable {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    #[error(
        "error: cannot use '{}' as the lock for saved calls: {problem}; remove it and start again",
        path.display()
    )]
    Lock { path: PathBuf, problem: FileError },
    #[error("cannot write '{}': {source}", path.display())]
    Write { path: PathBuf, source: io::Error },
}

/// The autosave: one file in the state directory, locked while a questionnaire uses it.
#[derive(Debug)]
pub struct Store {
    dir: PathBuf,
    keeper: Keeper,
    /// Held until the store is dropped; the lock file goes with it.
    _lock: File,
}

impl Drop for Store {
    /// Removes the lock file while still holding the lock, so nothing is left behind after a
    /// normal exit. [`take_lock`] makes sure a start-up that opened the file just before this
    /// does not go on with a lock that is no longer the one on disk.
    fn drop(&mut self) {
        let _ = fs::remove_file(self.dir.join(self.keeper.lock()));
    }
}

#[derive(Debug)]
enum LockProblem {
    Busy,
    Open(files::FileError),
    Io(io::Error),
}

/// Opens and locks the lock file, trying again when another groupfit removed the file between
/// our opening and locking it: the lock is only held once it is on the file the path names.
fn take_lock(path: &Path) -> Result<File, LockProblem> {
    loop {
        let lock = files::open_lock(path).map_err(LockProblem::Open)?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(fs::TryLockError::WouldBlock) => return Err(LockProblem::Busy),
            Err(fs::TryLockError::Error(source)) => return Err(LockProblem::Io(source)),
        }
        if still_named(&lock, path).map_err(LockProblem::Io)? {
            return Ok(lock);
        }
    }
}

#[cfg(unix)]
fn still_named(lock: &File, path: &Path) -> io::Result<bool> {
    use std::os::unix::fs::MetadataExt as _;
    let held = lock.metadata()?;
    match fs::symlink_metadata(path) {
        Ok(named) => Ok(named.dev() == held.dev() && named.ino() == held.ino()),
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(error) => Err(error),
    }
}

#[cfg(not(unix))]
fn still_named(_lock: &File, path: &Path) -> io::Result<bool> {
    Ok(path.exists())
}

impl Store {
    /// `$XDG_STATE_HOME/groupfit`, or `~/.local/state/groupfit` when it is not set.
    pub fn default_dir() -> Option<PathBuf> {
        use etcetera::BaseStrategy as _;
        let xdg = etcetera::base_strategy::Xdg::new().ok()?;
        xdg.state_dir().map(|dir| dir.join("groupfit"))
    }

    /// Opens the folder (creating it, owner-only) and takes the lock for this keeper's file.
    pub fn open(dir: &Path, keeper: Keeper) -> Result<Self, StoreError> {
        let folder = |source| StoreError::Folder {
            dir: dir.to_owned(),
            source,
        };
        create_private_dir(dir).map_err(folder)?;
        let path = dir.join(keeper.lock());
        let lock = take_lock(&path).map_err(|problem| match problem {
            LockProblem::Busy => StoreError::Busy {
                dir: dir.to_owned(),
            },
            LockProblem::Open(problem) => StoreError::Lock {
                path: path.clone(),
                problem,
            },
            LockProblem::Io(source) => folder(source),
        })?;
        // Temporary files of saves cut short by a killed process.
        tidy(dir, std::time::SystemTime::now());
        Ok(Self {
            dir: dir.to_owned(),
            keeper,
            _lock: lock,
        })
    }

    /// Whose answers this store keeps.
    pub fn keeper(&self) -> Keeper {
        self.keeper
    }

    /// Where the autosave is written.
    pub fn path(&self) -> PathBuf {
        self.dir.join(self.keeper.file())
    }

    /// The saved call, if there is one.
    pub fn load(&self) -> Result<Option<Session>, StoreError> {
        let path = self.path();
        let unreadable = |message: String| StoreError::Unreadable {
            path: path.clone(),
            line: 1,
            column: 1,
            message,
        };
        let bytes = match files::read(&path, files::SESSION_LIMIT, Links::Refuse) {
            Ok(bytes) => bytes,
            Err(e) if e.not_found() => return Ok(None),
            Err(e) => return Err(unreadable(e.to_string())),
        };
        let text =
            String::from_utf8(bytes).map_err(|_| unreadable("it is not UTF-8 text".to_owned()))?;
        let session: Session = serde_json::from_str(&text).map_err(|e| StoreError::Unreadable {
            path: path.clone(),
            line: e.line().max(1),
            column: e.column().max(1),
            message: e.to_string(),
        })?;
        if session.groupfit_session != FORMAT {
            return Err(StoreError::Unreadable {
                path,
                line: 1,
                column: 1,
                message: format!(
                    "it is in format {} and this groupfit reads format {FORMAT}",
                    session.groupfit_session
                ),
            });
        }
        Ok(Some(session))
    }

    /// Replaces the saved call, atomically.
    pub fn save(&self, session: &Session) -> Result<(), StoreError> {
        let path = self.path();
        let mut json = serde_json::to_string_pretty(session).map_err(|e| StoreError::Write {
            path: path.clone(),
            source: io::Error::other(e),
        })?;
        json.push('\n');
        write_private(&self.dir, &path, json.as_bytes()).map_err(|source| StoreError::Write {
            path: path.clone(),
            source,
        })
    }

    /// Saves the call, or deletes the saved one when there is nothing (any more) to keep.
    pub fn keep(&self, session: Option<&Session>) -> Result<(), StoreError> {
        match session {
            Some(session) => self.save(session),
            None => self.remove(),
        }
    }

    /// Deletes the saved call; there being none is fine.
    pub fn remove(&self) -> Result<(), StoreError> {
        let path = self.path();
        match fs::remove_file(&path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
            Err(source) => Err(StoreError::Write { path, source }),
        }
    }
}

/// Creates the folder owner-only, or makes an existing one owner-only: it holds callers'
/// answers, so a folder others may read or write (0777, say) is tightened to 0700.
fn create_private_dir(dir: &Path) -> io::Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt as _;
        builder.mode(0o700);
    }
    builder.create(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = fs::metadata(dir)?.permissions().mode();
        if mode & 0o077 != 0 {
            fs::set_permissions(dir, fs::Permissions::from_mode(0o700)).map_err(|e| {
                io::Error::new(
                    e.kind(),
                    format!(
                        "others may use the folder (mode {:o}) and it cannot be made owner-only: {e}",
                        mode & 0o777
                    ),
                )
            })?;
        }
    }
    Ok(())
}

/// Replaces a file owner-only, through a temporary file renamed into place.
fn write_private(dir: &Path, path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut builder = tempfile::Builder::new();
    builder.prefix(".groupfit-").suffix(".tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        builder.permissions(fs::Permissions::from_mode(0o600));
    }
    let mut file = builder.tempfile_in(dir)?;
    file.write_all(bytes)?;
    file.flush()?;
    file.persist(path).map(drop).map_err(|e| e.error)
}

/// A finished call as it goes into the case record.
#[derive(Debug, Clone)]
pub struct Summary<'a> {
    pub explanation: &'a Explanation,
    pub notes: String,
    pub started: Timestamp,
    pub written: Timestamp,
    pub zone: TimeZone,
}

/// The exported JSON: the `answer` wire format, then the notes and the times.
#[derive(Serialize)]
struct SummaryJson<'a> {
    #[serde(flatten)]
    explanation: &'a Explanation,
    notes: &'a str,
    started: String,
    exported: String,
}

impl Summary<'_> {
    fn local(&self, at: Timestamp, format: &str) -> String {
        at.to_zoned_datetime(self.zone.clone())
            .strftime(format)
            .to_string()
    }

    /// RFC 3339 with the local offset, e.g. `2026-11-23T14:05:09+01:00`.
    fn rfc3339(&self, at: Timestamp) -> String {
        let offset = self.zone.to_offset(at);
        at.display_with_offset(offset).to_string()
    }

    /// The summary in Markdown, ready to paste into a case record.
    pub fn to_markdown(&self) -> String {
        let e = self.explanation;
        let mut out = String::new();
        out.push_str("# Intake summary\n\n");
        out.push_str(&format!(
            "- **Call started:** {}\n",
            self.local(self.started, "%A %-d %B %Y, %H:%M (UTC%:z)")
        ));
        out.push_str(&format!(
            "- **Summary written:** {}\n",
            self.local(self.written, "%A %-d %B %Y, %H:%M (UTC%:z)")
        ));
        out.push_str(&format!(
            "- **Questions used:** \"{}\", version {}, sha256 `{}`\n",
            md(&e.tree.title),
            md(&e.tree.version),
            e.tree.sha256
        ));
        let kind = if e.outcome.urgent {
            "urgent, not a group"
        } else {
            "provisional"
        };
        out.push_str(&format!(
            "- **Recommendation:** {} ({kind})\n",
            md(&e.outcome.name)
        ));

        out.push_str("\n## Questions asked and answers given\n\n");
        for (i, answer) in e.answers.iter().enumerate() {
            let asked = answer
                .intake_text
                .as_deref()
                .unwrap_or(&answer.question_text);
            out.push_str(&format!(
                "{}. {}  \n   **Caller chose:** {}\n",
                i + 1,
                md(asked),
                md(&answer.option_label)
            ));
        }

        if e.outcome.urgent {
            for help in &e.urgent_help {
                out.push_str(&format!(
                    "\n## {}\n\n{}\n\n",
                    md(&help.name),
                    md(&help.summary)
                ));
                for (i, step) in help.steps.iter().enumerate() {
                    out.push_str(&format!("{}. {}\n", i + 1, md(step)));
                }
            }
            list(&mut out, "Why this was shown", &e.why);
        } else {
            out.push_str(&format!(
                "\n## Recommendation: {}\n\n{}\n",
                md(&e.outcome.name),
                md(&e.summary)
            ));
            list(&mut out, "Why this fits", &e.why);
        }
        list(&mut out, "Keep in mind", &e.keep_in_mind);
        if let Some(also) = &e.also_consider {
            list(
                &mut out,
                &format!("Also consider: {}", also.name),
                &also.why,
            );
        }
        list(&mut out, "What to expect", &e.expect);
        if let Some(steps) = &e.next_steps {
            out.push_str(&format!("\n### Next steps\n\n{}\n", md(steps)));
        }

        out.push_str("\n## Notes\n\n");
        if self.notes.trim().is_empty() {
            out.push_str("_No notes were taken._\n");
        } else {
            for line in self.notes.trim_end().lines() {
                if line.trim().is_empty() {
                    out.push_str(">\n");
                } else {
                    out.push_str(&format!("> {}  \n", md(line)));
                }
            }
        }
        out.push_str(&format!("\n---\n\n_{}_\n", md(&e.disclaimer)));
        out
    }

    /// The summary as JSON: the `groupfit answer --format json` object plus `notes`, `started`
    /// and `exported`, so `groupfit answer --answers` replays it.
    pub fn to_json(&self) -> io::Result<String> {
        let json = SummaryJson {
            explanation: self.explanation,
            notes: &self.notes,
            started: self.rfc3339(self.started),
            exported: self.rfc3339(self.written),
        };
        let mut text = serde_json::to_string_pretty(&json).map_err(io::Error::other)?;
        text.push('\n');
        Ok(text)
    }

    /// `groupfit-2026-11-23-140509`, from when the summary was written, in local time.
    fn stem(&self) -> String {
        self.local(self.written, "groupfit-%Y-%m-%d-%H%M%S")
    }
}

fn list(out: &mut String, heading: &str, items: &[String]) {
    if items.is_empty() {
        return;
    }
    out.push_str(&format!("\n### {}\n\n", md(heading)));
    for item in items {
        out.push_str(&format!("- {}\n", md(item)));
    }
}

/// The two files an export wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exported {
    pub markdown: PathBuf,
    pub json: PathBuf,
}

impl Exported {
    /// Both paths, each whole on a line of its own after `indent`, so they can be copied.
    pub fn paths(&self, indent: &str) -> String {
        format!(
            "{indent}{}\n{indent}{}",
            self.markdown.display(),
            self.json.display()
        )
    }
}

/// Writes the summary as Markdown and JSON into `dir`, named by date and time, never replacing a
/// file: when the name is taken, `-2`, `-3`, … is added. The pair appears whole or not at all
/// (see [`pair`]).
pub fn export(dir: &Path, summary: &Summary<'_>) -> io::Result<Exported> {
    let stem = summary.stem();
    let markdown = summary.to_markdown();
    let json = summary.to_json()?;
    for n in 1..1000 {
        let name = if n == 1 {
            stem.clone()
        } else {
            format!("{stem}-{n}")
        };
        match pair::write(dir, &name, markdown.as_bytes(), json.as_bytes()) {
            Ok(()) => {
                return Ok(Exported {
                    markdown: dir.join(format!("{name}.md")),
                    json: dir.join(format!("{name}.json")),
                });
            }
            Err(pair::PairError::Taken) => {}
            Err(pair::PairError::Io(e)) => return Err(e),
        }
    }
    Err(io::Error::new(
        io::ErrorKind::AlreadyExists,
        format!(
            "too many summaries named '{stem}' already in '{}'",
            dir.display()
        ),
    ))
}

/// How many bytes the export folder must take before a call starts: more than a summary pair.
const EXPORT_PROBE: usize = 64 * 1024;

/// Checks that an export folder exists and is a folder, before any question is asked.
pub fn check_export_dir(dir: &Path) -> Result<(), String> {
    match fs::metadata(dir) {
        // Found out now rather than at the end of a call: try writing a summary's worth there,
        // which a full disk refuses where an empty file would still be made.
        Ok(meta) if meta.is_dir() => tempfile::Builder::new()
            .prefix(".groupfit-check-")
            .tempfile_in(dir)
            .and_then(|mut probe| {
                probe.write_all(&vec![0; EXPORT_PROBE])?;
                probe.as_file().sync_all()
            })
            .map_err(|e| {
                format!(
                    "error: --export-dir '{}' cannot be written to: {e}; give a folder you can write to",
                    dir.display()
                )
            }),
        Ok(_) => Err(format!(
            "error: --export-dir '{}' is a file, not a folder; give a folder to write summaries into",
            dir.display()
        )),
        Err(e) => Err(format!(
            "error: --export-dir '{}' cannot be used: {e}; create the folder first or give another",
            dir.display()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::answers;
    use crate::source::Source;

    fn builtin() -> Tree {
        Tree::load(&Source::builtin()).unwrap().0
    }

    fn walk<'t>(tree: &'t Tree, answers: &[(&str, &str)]) -> Walk<'t> {
        let mut walk = Walk::new(tree);
        for (question, option) in answers {
            let q = tree.question_ix(question).unwrap();
            assert_eq!(walk.position(), Position::Asking(q), "{question}");
            assert!(walk.choose(tree.choice_ix(q, option).unwrap()));
        }
        walk
    }

    const THERAPY: &[(&str, &str)] = &[
        ("safety", "none"),
        ("age", "adult"),
        ("who", "myself"),
        ("want", "pattern"),
        ("pattern_what", "relationships"),
        ("shared", "mix"),
        ("feedback", "welcome"),
        ("peers", "no"),
        ("leader", "professional"),
        ("commitment", "months"),
        ("outside", "separate"),
        ("cost", "can_pay"),
    ];

    fn at(seconds: i64) -> Timestamp {
        Timestamp::from_second(1_795_000_000 + seconds).unwrap()
    }

    #[cfg(unix)]
    fn mode(path: &Path) -> u32 {
        use std::os::unix::fs::PermissionsExt as _;
        fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn a_saved_call_loads_back_the_same_owner_only() {
        let tree = builtin();
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("state"), Keeper::Intake).unwrap();
        assert_eq!(store.load().unwrap(), None);
        let session = Session::of(
            &walk(&tree, &THERAPY[..3]),
            "Calm.\nCall back.",
            at(0),
            at(60),
        );
        store.save(&session).unwrap();
        assert_eq!(store.load().unwrap(), Some(session.clone()));
        #[cfg(unix)]
        {
            assert_eq!(mode(&store.path()), 0o600);
            assert_eq!(mode(&dir.path().join("state")), 0o700);
        }
        // Saving again replaces it whole.
        let later = Session::of(&walk(&tree, &THERAPY[..4]), "Calm.", at(0), at(90));
        store.save(&later).unwrap();
        assert_eq!(store.load().unwrap(), Some(later));
        store.remove().unwrap();
        assert_eq!(store.load().unwrap(), None);
        store.remove().unwrap();
    }

    #[test]
    fn only_one_questionnaire_uses_a_store_at_a_time() {
        let dir = tempfile::tempdir().unwrap();
        let first = Store::open(dir.path(), Keeper::Intake).unwrap();
        let second = Store::open(dir.path(), Keeper::Intake);
        assert!(matches!(second, Err(StoreError::Busy { .. })), "{second:?}");
        // Personal answers are kept apart, so they neither wait for nor touch the call.
        let personal = Store::open(dir.path(), Keeper::Personal).unwrap();
        assert_ne!(personal.path(), first.path());
        drop(first);
        assert!(
            !dir.path().join("session.lock").exists(),
            "the lock file stays after the store is dropped"
        );
        Store::open(dir.path(), Keeper::Intake).unwrap();
        drop(personal);
        assert!(!dir.path().join("answers.lock").exists());
    }

    #[test]
    fn a_lock_file_removed_after_opening_is_not_taken_as_the_lock() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("session.lock");
        // Opened by a start-up just before the groupfit holding it exits and removes it.
        let stale = files::open_lock(&path).unwrap();
        fs::remove_file(&path).unwrap();
        assert!(!still_named(&stale, &path).unwrap());
        let lock = take_lock(&path).unwrap();
        assert!(still_named(&lock, &path).unwrap());
        // The stale handle can lock its unlinked file, but that is no longer the lock.
        stale.try_lock().unwrap();
        assert!(!still_named(&stale, &path).unwrap());
    }

    #[test]
    fn an_unreadable_call_is_located_and_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), Keeper::Intake).unwrap();
        fs::write(store.path(), "{\n  \"groupfit_session\": 1,\n  oops\n}").unwrap();
        let error = store.load().unwrap_err();
        let message = error.to_string();
        assert!(
            message.contains("session.json:3:3: error: the saved call cannot be read"),
            "{message}"
        );
        assert!(message.contains("move it somewhere else"), "{message}");
        assert!(store.path().exists());
    }

    #[test]
    fn resuming_on_the_same_tree_replays_every_answer() {
        let tree = builtin();
        let session = Session::of(&walk(&tree, &THERAPY[..4]), "", at(0), at(1));
        assert!(session.same_tree(&tree));
        assert_eq!(session.tree_change(&tree), None);
        let resumed = resume(&tree, &session);
        assert_eq!(resumed.replayed, 4);
        assert_eq!(resumed.stopped, None);
        let next = tree.question_ix("pattern_what").unwrap();
        assert_eq!(resumed.walk.position(), Position::Asking(next));

        let finished = Session::of(&walk(&tree, THERAPY), "", at(0), at(1));
        let resumed = resume(&tree, &finished);
        assert_eq!(resumed.walk.position(), Position::Finished);
        let explanation = Explanation::of(&resumed.walk).unwrap();
        assert_eq!(explanation.outcome.id, "therapy");
    }

    #[test]
    fn the_resume_report_mentions_notes_only_when_there_are_some() {
        let tree = builtin();
        let with_notes = Session::of(&walk(&tree, &THERAPY[..2]), "Lives alone.", at(0), at(1));
        let (text, warning) = resume(&tree, &with_notes).report(&with_notes, Keeper::Intake);
        assert_eq!(text, "Resumed the call: 2 answers and the notes are back.");
        assert!(!warning);
        let without = Session::of(&walk(&tree, &THERAPY[..1]), " \n", at(0), at(1));
        let (text, _) = resume(&tree, &without).report(&without, Keeper::Intake);
        assert_eq!(text, "Resumed the call: 1 answer is back.");
    }

    #[test]
    fn resuming_on_another_tree_says_so_and_stops_where_answers_no_longer_fit() {
        let tree = builtin();
        let mut session = Session::of(&walk(&tree, &THERAPY[..4]), "Notes.", at(0), at(1));
        session.tree.sha256 = "0".repeat(64);
        session.tree.version = "2025.01".to_owned();
        let change = session.tree_change(&tree).unwrap();
        assert!(change.contains("version 2025.01"), "{change}");
        assert!(change.contains("may not mean the same"), "{change}");

        session.answers[3].option = "gone".to_owned();
        let resumed = resume(&tree, &session);
        assert_eq!(resumed.replayed, 3);
        let why = resumed.stopped.unwrap();
        assert!(why.contains("'want' has no option 'gone'"), "{why}");

        session.answers[3].question = "elsewhere".to_owned();
        let why = resume(&tree, &session).stopped.unwrap();
        assert!(why.contains("continue with 'elsewhere'"), "{why}");
    }

    #[test]
    fn the_description_counts_answers_and_notes() {
        let tree = builtin();
        let session = Session::of(&walk(&tree, &THERAPY[..1]), "one\n\ntwo\n", at(0), at(1));
        let text = session.describe(at(86_400 * 3), &TimeZone::UTC, true);
        assert!(text.contains("1 answer and 2 lines of notes"), "{text}");
        let none = Session::of(&walk(&tree, &THERAPY[..2]), " \n", at(0), at(1));
        let quiet = none.describe(at(60), &TimeZone::UTC, true);
        assert!(quiet.contains("with 2 answers and no notes."), "{quiet}");
        assert!(
            text.contains("started on Wednesday 18 November 2026 at 11:06"),
            "an older call names its date: {text}"
        );
        let today = session.describe(at(60), &TimeZone::UTC, false);
        assert!(
            today.contains(
                "You started answering at 11:06 today. 1 answer was saved at 11:06 today."
            ),
            "{today}"
        );
    }

    fn summary<'a>(explanation: &'a Explanation, notes: &str) -> Summary<'a> {
        Summary {
            explanation,
            notes: notes.to_owned(),
            started: at(0),
            written: at(600),
            zone: TimeZone::fixed(jiff::tz::offset(1)),
        }
    }

    #[test]
    fn the_markdown_summary_has_everything_for_the_case_record() {
        let tree = builtin();
        let explanation = Explanation::of(&walk(&tree, THERAPY)).unwrap();
        let text = summary(&explanation, "Lives alone.\n\nPrefers *evenings*.").to_markdown();
        for expected in [
            "# Intake summary",
            "- **Call started:** ",
            "(UTC+01:00)",
            &format!("sha256 `{}`", tree.sha256),
            "- **Recommendation:** Therapy group (provisional)",
            "## Questions asked and answers given",
            "1. Before anything about groups, ask",
            "   **Caller chose:** None of these is true right now",
            "### What to expect",
            "## Recommendation: Therapy group",
            "### Why this fits",
            "### Also consider:",
            "## Notes",
            "> Lives alone.  \n>\n> Prefers \\*evenings\\*.",
            "It is not a diagnosis",
        ] {
            assert!(text.contains(expected), "lacks {expected:?}:\n{text}");
        }
        let empty = summary(&explanation, " \n").to_markdown();
        assert!(empty.contains("_No notes were taken._"));
    }

    #[test]
    fn an_urgent_summary_says_so_first() {
        let tree = builtin();
        let explanation = Explanation::of(&walk(&tree, &[("safety", "suicide")])).unwrap();
        let text = summary(&explanation, "").to_markdown();
        assert!(text.contains("(urgent, not a group)"), "{text}");
        assert!(text.contains("## Please get help now"), "{text}");
        assert!(!text.contains("!!"), "{text}");
    }

    #[test]
    fn the_json_summary_replays_to_the_same_recommendation() {
        let tree = builtin();
        let explanation = Explanation::of(&walk(&tree, THERAPY)).unwrap();
        let json = summary(&explanation, "Call back Tuesday.")
            .to_json()
            .unwrap();
        let value: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(value["notes"], "Call back Tuesday.");
        assert_eq!(value["started"], "2026-11-18T12:06:40+01:00");
        assert_eq!(value["exported"], "2026-11-18T12:16:40+01:00");
        assert_eq!(value["outcome"]["id"], "therapy");
        assert!(value["also_consider"].is_object());

        let file = answers::parse_file(&Source::new("summary.json", json)).unwrap();
        assert_eq!(file.notes.as_deref(), Some("Call back Tuesday."));
        let replayed = answers::replay(&tree, &file.answers).unwrap();
        assert_eq!(Explanation::of(&replayed.walk).unwrap(), explanation);
    }

    #[test]
    fn an_export_never_overwrites() {
        let tree = builtin();
        let explanation = Explanation::of(&walk(&tree, THERAPY)).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let summary = summary(&explanation, "");
        let taken = dir.path().join(format!("{}.md", summary.stem()));
        fs::write(&taken, "someone else's record").unwrap();

        let first = export(dir.path(), &summary).unwrap();
        assert_eq!(
            first.markdown,
            dir.path().join("groupfit-2026-11-18-121640-2.md")
        );
        assert_eq!(
            first.json,
            dir.path().join("groupfit-2026-11-18-121640-2.json")
        );
        let second = export(dir.path(), &summary).unwrap();
        assert_eq!(
            second.markdown,
            dir.path().join("groupfit-2026-11-18-121640-3.md")
        );
        assert_eq!(fs::read_to_string(&taken).unwrap(), "someone else's record");
        assert_eq!(
            fs::read_to_string(&first.markdown).unwrap(),
            summary.to_markdown()
        );
        assert_eq!(
            fs::read_to_string(&second.json).unwrap(),
            summary.to_json().unwrap()
        );
        #[cfg(unix)]
        for path in [&first.markdown, &first.json, &second.markdown, &second.json] {
            assert_eq!(mode(path), 0o600, "{}", path.display());
        }
        // No temporary file is left behind.
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 5);
    }

    #[test]
    fn an_export_folder_must_be_a_folder() {
        let dir = tempfile::tempdir().unwrap();
        assert!(check_export_dir(dir.path()).is_ok());
        let missing = check_export_dir(&dir.path().join("nope")).unwrap_err();
        assert!(missing.contains("create the folder first"), "{missing}");
        let file = dir.path().join("file");
        fs::write(&file, "").unwrap();
        let not_dir = check_export_dir(&file).unwrap_err();
        assert!(not_dir.contains("is a file, not a folder"), "{not_dir}");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let locked = dir.path().join("locked");
            fs::create_dir(&locked).unwrap();
            fs::set_permissions(&locked, fs::Permissions::from_mode(0o500)).unwrap();
            // Root may write anywhere, so only check the message when the folder really refuses.
            if fs::write(locked.join("probe"), "").is_err() {
                let refused = check_export_dir(&locked).unwrap_err();
                assert!(refused.contains("cannot be written to"), "{refused}");
            }
        }
        assert_eq!(
            fs::read_dir(dir.path()).unwrap().count(),
            2,
            "the check leaves nothing"
        );
        // A folder nobody may write in, root included.
        #[cfg(target_os = "linux")]
        {
            let refused = check_export_dir(Path::new("/proc")).unwrap_err();
            assert!(refused.contains("cannot be written to"), "{refused}");
        }
    }
}
