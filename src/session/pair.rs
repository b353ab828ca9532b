//! An export's two files, Markdown and JSON, appearing whole or not at all, and the tidying at
//! start-up after a process was killed half-way.
//!
//! Both files are first written in full, synced, under hidden names that say which export they
//! belong to (`.NAME.md.tmp`, `.NAME.json.tmp`); then the Markdown takes its own name, and the
//! JSON last. A process killed at any point leaves either hidden files only (the export never
//! appeared: they are removed) or the Markdown and a whole hidden JSON (the export had begun to
//! appear: the JSON is put in place). [`tidy`] does this, and removes groupfit's other stale
//! temporary files, each once it is old enough that no running groupfit can still be writing
//! it.

use std::fs;
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// How old a temporary file must be before it counts as left behind: writing one takes
/// milliseconds, and another groupfit may be exporting into the same folder.
pub const STALE_AFTER: Duration = Duration::from_secs(60);

const TEMP_SUFFIX: &str = ".tmp";
const MARKDOWN: &str = ".md";
const JSON: &str = ".json";

/// The hidden name of one half of an export while it is written.
fn pending(dir: &Path, name: &str, extension: &str) -> PathBuf {
    dir.join(format!(".{name}{extension}{TEMP_SUFFIX}"))
}

/// Writes a new owner-only file in full and syncs it, removing it again on failure.
fn write_new(path: &Path, bytes: &[u8]) -> io::Result<tempfile::TempPath> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    // From here on the file is ours, and dropping the path removes it.
    let temp = tempfile::TempPath::try_from_path(path)?;
    file.write_all(bytes)?;
    // A summary goes into a case record, so it must survive a power cut once shown.
    file.sync_all()?;
    Ok(temp)
}

/// Why a pair was not written under a name.
#[derive(Debug)]
pub enum PairError {
    /// One of the names, or a hidden name, is taken: try the next name.
    Taken,
    Io(io::Error),
}

impl From<io::Error> for PairError {
    fn from(error: io::Error) -> Self {
        if error.kind() == io::ErrorKind::AlreadyExists {
            PairError::Taken
        } else {
            PairError::Io(error)
        }
    }
}

/// Writes `NAME.md` and `NAME.json` into `dir`, never replacing a file, so that the pair is
/// there whole or not at all.
pub fn write(dir: &Path, name: &str, markdown: &[u8], json: &[u8]) -> Result<(), PairError> {
    let final_markdown = dir.join(format!("{name}{MARKDOWN}"));
    let final_json = dir.join(format!("{name}{JSON}"));
    if final_markdown.exists() || final_json.exists() {
        return Err(PairError::Taken);
    }
    let markdown = write_new(&pending(dir, name, MARKDOWN), markdown)?;
    let json = write_new(&pending(dir, name, JSON), json)?;
    markdown
        .persist_noclobber(&final_markdown)
        .map_err(|e| PairError::from(e.error))?;
    if let Err(e) = json.persist_noclobber(&final_json) {
        // The Markdown just put in place is this export's own: take it back so that no half
        // pair stays.
        let _ = fs::remove_file(&final_markdown);
        return Err(e.error.into());
    }
    Ok(())
}

/// What [`tidy`] did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Tidied {
    /// JSON halves put in place beside a Markdown that had already appeared.
    pub completed: Vec<PathBuf>,
    /// Temporary files removed.
    pub removed: usize,
}

/// Completes or removes half-written exports in `dir`, and removes groupfit's own temporary
/// files there that are older than [`STALE_AFTER`] at `now`.
///
/// Only hidden files named `.groupfit-…` are looked at; nothing else in the folder is touched.
pub fn tidy(dir: &Path, now: SystemTime) -> Tidied {
    let mut tidied = Tidied::default();
    let Ok(entries) = fs::read_dir(dir) else {
        return tidied;
    };
    let mut stale: Vec<(PathBuf, String)> = entries
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let name = entry.file_name().into_string().ok()?;
            let ours = name.starts_with(".groupfit-")
                && (name.ends_with(TEMP_SUFFIX) || name.starts_with(".groupfit-check-"));
            let meta = entry.metadata().ok()?;
            let modified = meta.modified().ok()?;
            let old = now
                .duration_since(modified)
                .is_ok_and(|age| age >= STALE_AFTER);
            (ours && old && meta.is_file()).then(|| (entry.path(), name))
        })
        .collect();
    // The JSON halves first, so a Markdown half still hidden is known for what it is.
    stale.sort_by_key(|(_, name)| !name.ends_with(&format!("{JSON}{TEMP_SUFFIX}")));
    for (path, name) in stale {
        if let Some(export) = name
            .strip_prefix('.')
            .and_then(|n| n.strip_suffix(&format!("{JSON}{TEMP_SUFFIX}")))
            && let Some(done) = complete(dir, export, &path)
        {
            tidied.completed.push(done);
            continue;
        }
        if fs::remove_file(&path).is_ok() {
            tidied.removed += 1;
        }
    }
    tidied
}

/// Puts a hidden JSON half in place when its Markdown half has already appeared.
fn complete(dir: &Path, name: &str, hidden_json: &Path) -> Option<PathBuf> {
    let markdown = dir.join(format!("{name}{MARKDOWN}"));
    let json = dir.join(format!("{name}{JSON}"));
    let hidden_markdown = pending(dir, name, MARKDOWN);
    // The Markdown appeared if it is there and is this export's (the same bytes as its hidden
    // half, if that is still there after a link that was not yet followed by the unlink).
    let appeared = match fs::read(&hidden_markdown) {
        Ok(hidden) => fs::read(&markdown).is_ok_and(|shown| shown == hidden),
        Err(_) => markdown.is_file(),
    };
    if !appeared || json.exists() {
        return None;
    }
    let temp = tempfile::TempPath::try_from_path(hidden_json).ok()?;
    match temp.persist_noclobber(&json) {
        Ok(()) => Some(json),
        Err(e) => {
            // Left where it is rather than removed: it is the only JSON of that export.
            let _ = e.path.keep();
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        names
    }

    fn later() -> SystemTime {
        SystemTime::now() + STALE_AFTER
    }

    #[test]
    fn a_pair_is_written_whole_and_never_over_a_file() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "groupfit-x", b"# md", b"{}").unwrap();
        assert_eq!(names(dir.path()), ["groupfit-x.json", "groupfit-x.md"]);
        assert!(matches!(
            write(dir.path(), "groupfit-x", b"other", b"other"),
            Err(PairError::Taken)
        ));
        assert_eq!(fs::read(dir.path().join("groupfit-x.md")).unwrap(), b"# md");
        // A JSON of someone else's appearing in between takes the Markdown back with it.
        fs::write(dir.path().join("groupfit-y.json"), "theirs").unwrap();
        assert!(matches!(
            write(dir.path(), "groupfit-y", b"# md", b"{}"),
            Err(PairError::Taken)
        ));
        assert_eq!(
            names(dir.path()),
            ["groupfit-x.json", "groupfit-x.md", "groupfit-y.json"]
        );
    }

    #[test]
    fn a_pair_killed_after_its_markdown_appeared_is_completed() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("groupfit-a.md"), "# md").unwrap();
        fs::write(pending(dir.path(), "groupfit-a", JSON), "{}").unwrap();
        // Not yet: another groupfit may be in the middle of it.
        assert_eq!(tidy(dir.path(), SystemTime::now()), Tidied::default());
        let tidied = tidy(dir.path(), later());
        assert_eq!(tidied.completed, [dir.path().join("groupfit-a.json")]);
        assert_eq!(names(dir.path()), ["groupfit-a.json", "groupfit-a.md"]);
        assert_eq!(fs::read(dir.path().join("groupfit-a.json")).unwrap(), b"{}");
    }

    #[test]
    fn a_pair_killed_before_anything_appeared_is_removed() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(pending(dir.path(), "groupfit-b", MARKDOWN), "# md").unwrap();
        fs::write(pending(dir.path(), "groupfit-b", JSON), "{").unwrap();
        // Someone else's Markdown of the same name is not taken for this export's.
        fs::write(dir.path().join("groupfit-b.md"), "theirs").unwrap();
        fs::write(dir.path().join(".groupfit-AbC123.tmp"), "autosave").unwrap();
        fs::write(dir.path().join(".groupfit-check-XyZ987"), "").unwrap();
        fs::write(dir.path().join(".hidden.tmp"), "not ours").unwrap();
        let tidied = tidy(dir.path(), later());
        assert_eq!(tidied.completed, Vec::<PathBuf>::new());
        assert_eq!(tidied.removed, 4);
        assert_eq!(names(dir.path()), [".hidden.tmp", "groupfit-b.md"]);
    }

    #[test]
    fn a_pair_killed_between_link_and_unlink_is_completed() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("groupfit-c.md"), "# md").unwrap();
        fs::write(pending(dir.path(), "groupfit-c", MARKDOWN), "# md").unwrap();
        fs::write(pending(dir.path(), "groupfit-c", JSON), "{}").unwrap();
        let tidied = tidy(dir.path(), later());
        assert_eq!(tidied.completed, [dir.path().join("groupfit-c.json")]);
        assert_eq!(tidied.removed, 1);
        assert_eq!(names(dir.path()), ["groupfit-c.json", "groupfit-c.md"]);
    }
}
