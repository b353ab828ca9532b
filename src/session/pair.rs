//! An export's files (Markdown, text, JSON) appearing whole or not at all, replacing a call's
//! earlier export only once the new one is written, and the tidying at start-up after a process
//! was killed half-way.
//!
//! Every file is first written in full, synced, under a hidden name that says which export it
//! belongs to and which files that export has (`.NAME.md+json.md.tmp`); then each takes its own
//! name in that order, replacing the earlier export's file of the same name if there is one. A
//! process killed at any point leaves either every hidden file (nothing had appeared yet: they are
//! removed, and any earlier export is still whole) or the first file in place and some hidden
//! ones (the export had begun to appear: the rest are put in place). [`tidy`] does this, and
//! removes groupfit's other stale temporary files, each once it is old enough that no running
//! groupfit can still be writing it.

use std::collections::BTreeMap;
use std::fs;
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// How old a temporary file must be before it counts as left behind: writing one takes
/// milliseconds, and another groupfit may be exporting into the same folder.
pub const STALE_AFTER: Duration = Duration::from_secs(60);

const TEMP_SUFFIX: &str = ".tmp";

/// One file of an export: its extension (`md`, `txt`, `json`) and its bytes.
#[derive(Debug, Clone, Copy)]
pub struct Part<'a> {
    pub extension: &'static str,
    pub bytes: &'a [u8],
}

/// The hidden name of one file of an export while it is written.
fn pending(dir: &Path, name: &str, set: &str, extension: &str) -> PathBuf {
    dir.join(format!(".{name}.{set}.{extension}{TEMP_SUFFIX}"))
}

fn set_of(parts: &[Part<'_>]) -> String {
    parts
        .iter()
        .map(|p| p.extension)
        .collect::<Vec<_>>()
        .join("+")
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

/// Why an export was not written under a name.
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

/// Writes every hidden file of an export, in full.
fn write_hidden(dir: &Path, name: &str, parts: &[Part<'_>]) -> io::Result<Vec<tempfile::TempPath>> {
    let set = set_of(parts);
    parts
        .iter()
        .map(|part| write_new(&pending(dir, name, &set, part.extension), part.bytes))
        .collect()
}

/// Writes `NAME.md`, `NAME.json`, … into `dir`, never replacing a file, so that the export is
/// there whole or not at all.
pub fn write(dir: &Path, name: &str, parts: &[Part<'_>]) -> Result<(), PairError> {
    let finals: Vec<PathBuf> = parts
        .iter()
        .map(|p| dir.join(format!("{name}.{}", p.extension)))
        .collect();
    if finals.iter().any(|f| f.exists()) {
        return Err(PairError::Taken);
    }
    let hidden = write_hidden(dir, name, parts)?;
    for (i, (temp, path)) in hidden.into_iter().zip(&finals).enumerate() {
        if let Err(e) = temp.persist_noclobber(path) {
            // The files just put in place are this export's own: take them back so that no
            // part of it stays.
            for done in &finals[..i] {
                let _ = fs::remove_file(done);
            }
            return Err(e.error.into());
        }
    }
    Ok(())
}

/// Writes the export again under the name it already has, each new file replacing the old one
/// only once every new file is written in full.
pub fn replace(dir: &Path, name: &str, parts: &[Part<'_>]) -> io::Result<()> {
    let hidden = write_hidden(dir, name, parts)?;
    for (temp, part) in hidden.into_iter().zip(parts) {
        temp.persist(dir.join(format!("{name}.{}", part.extension)))
            .map_err(|e| e.error)?;
    }
    Ok(())
}

/// What [`tidy`] did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Tidied {
    /// Files of exports put in place beside a first file that had already appeared.
    pub completed: Vec<PathBuf>,
    /// Temporary files removed.
    pub removed: usize,
}

/// An export's name and the extensions of its files, in the order they take their names.
type Export = (String, Vec<String>);

/// A hidden file of an export: the export's name, its set of files, and which file this is.
fn parse_pending(file: &str) -> Option<(String, Vec<String>, String)> {
    let inner = file.strip_prefix('.')?.strip_suffix(TEMP_SUFFIX)?;
    let (rest, extension) = inner.rsplit_once('.')?;
    let (name, set) = rest.rsplit_once('.')?;
    let set: Vec<String> = set.split('+').map(str::to_owned).collect();
    (name.starts_with("groupfit-") && set.iter().any(|s| s == extension))
        .then(|| (name.to_owned(), set, extension.to_owned()))
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
    let stale: Vec<(PathBuf, String)> = entries
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
    // Hidden files of one export, by its name and set of files.
    let mut exports: BTreeMap<Export, Vec<(PathBuf, String)>> = BTreeMap::new();
    for (path, file) in stale {
        match parse_pending(&file) {
            Some((name, set, extension)) => {
                exports
                    .entry((name, set))
                    .or_default()
                    .push((path, extension));
            }
            None => {
                if fs::remove_file(&path).is_ok() {
                    tidied.removed += 1;
                }
            }
        }
    }
    for ((name, set), hidden) in exports {
        let first = &set[0];
        let first_path = dir.join(format!("{name}.{first}"));
        // The export had begun to appear when its first file is in place: its hidden file is
        // gone, or is still there after a link that the unlink did not yet follow.
        let begun = match hidden.iter().find(|(_, extension)| extension == first) {
            Some((path, _)) => fs::read(path)
                .is_ok_and(|bytes| fs::read(&first_path).is_ok_and(|shown| shown == bytes)),
            None => first_path.is_file(),
        };
        for (path, extension) in hidden {
            let target = dir.join(format!("{name}.{extension}"));
            if begun
                && extension != *first
                && let Ok(temp) = tempfile::TempPath::try_from_path(&path)
            {
                match temp.persist(&target) {
                    Ok(()) => tidied.completed.push(target),
                    // Left where it is rather than removed: it may be the only copy.
                    Err(e) => drop(e.path.keep()),
                }
                continue;
            }
            if fs::remove_file(&path).is_ok() {
                tidied.removed += 1;
            }
        }
    }
    tidied
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

    fn parts<'a>(md: &'a [u8], json: &'a [u8]) -> [Part<'a>; 2] {
        [
            Part {
                extension: "md",
                bytes: md,
            },
            Part {
                extension: "json",
                bytes: json,
            },
        ]
    }

    fn hidden(dir: &Path, name: &str, extension: &str) -> PathBuf {
        pending(dir, name, "md+json", extension)
    }

    #[test]
    fn a_pair_is_written_whole_and_never_over_a_file() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "groupfit-x", &parts(b"# md", b"{}")).unwrap();
        assert_eq!(names(dir.path()), ["groupfit-x.json", "groupfit-x.md"]);
        assert!(matches!(
            write(dir.path(), "groupfit-x", &parts(b"other", b"other")),
            Err(PairError::Taken)
        ));
        assert_eq!(fs::read(dir.path().join("groupfit-x.md")).unwrap(), b"# md");
        // A JSON of someone else's appearing in between takes the Markdown back with it.
        fs::write(dir.path().join("groupfit-y.json"), "theirs").unwrap();
        assert!(matches!(
            write(dir.path(), "groupfit-y", &parts(b"# md", b"{}")),
            Err(PairError::Taken)
        ));
        assert_eq!(
            names(dir.path()),
            ["groupfit-x.json", "groupfit-x.md", "groupfit-y.json"]
        );
    }

    #[test]
    fn replacing_writes_every_new_file_and_leaves_no_hidden_one() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "groupfit-x", &parts(b"old", b"old")).unwrap();
        fs::write(dir.path().join("groupfit-z.md"), "another call").unwrap();
        replace(dir.path(), "groupfit-x", &parts(b"new md", b"new json")).unwrap();
        assert_eq!(
            names(dir.path()),
            ["groupfit-x.json", "groupfit-x.md", "groupfit-z.md"]
        );
        assert_eq!(
            fs::read(dir.path().join("groupfit-x.md")).unwrap(),
            b"new md"
        );
        assert_eq!(
            fs::read(dir.path().join("groupfit-x.json")).unwrap(),
            b"new json"
        );
        assert_eq!(
            fs::read(dir.path().join("groupfit-z.md")).unwrap(),
            b"another call"
        );
    }

    #[test]
    fn a_replacement_killed_before_anything_appeared_keeps_the_old_files() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "groupfit-r", &parts(b"old md", b"old json")).unwrap();
        fs::write(hidden(dir.path(), "groupfit-r", "md"), "new md").unwrap();
        fs::write(hidden(dir.path(), "groupfit-r", "json"), "new json").unwrap();
        let tidied = tidy(dir.path(), later());
        assert_eq!(tidied.removed, 2);
        assert_eq!(names(dir.path()), ["groupfit-r.json", "groupfit-r.md"]);
        assert_eq!(
            fs::read(dir.path().join("groupfit-r.md")).unwrap(),
            b"old md"
        );
    }

    #[test]
    fn a_replacement_killed_after_its_first_file_appeared_is_completed() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("groupfit-r.md"), "new md").unwrap();
        fs::write(dir.path().join("groupfit-r.json"), "old json").unwrap();
        fs::write(hidden(dir.path(), "groupfit-r", "json"), "new json").unwrap();
        let tidied = tidy(dir.path(), later());
        assert_eq!(tidied.completed, [dir.path().join("groupfit-r.json")]);
        assert_eq!(
            fs::read(dir.path().join("groupfit-r.json")).unwrap(),
            b"new json"
        );
        assert_eq!(names(dir.path()), ["groupfit-r.json", "groupfit-r.md"]);
    }

    #[test]
    fn a_pair_killed_after_its_markdown_appeared_is_completed() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("groupfit-a.md"), "# md").unwrap();
        fs::write(hidden(dir.path(), "groupfit-a", "json"), "{}").unwrap();
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
        fs::write(hidden(dir.path(), "groupfit-b", "md"), "# md").unwrap();
        fs::write(hidden(dir.path(), "groupfit-b", "json"), "{").unwrap();
        // Someone else's Markdown of the same name is not taken for this export's.
        fs::write(dir.path().join("groupfit-b.md"), "theirs").unwrap();
        fs::write(dir.path().join(".groupfit-AbC123.tmp"), "autosave").unwrap();
        fs::write(dir.path().join(".groupfit-check-XyZ987"), "").unwrap();
        fs::write(dir.path().join(".hidden.tmp"), "not ours").unwrap();
        let tidied = tidy(dir.path(), later());
        assert_eq!(tidied.completed, Vec::<PathBuf>::new());
        assert_eq!(tidied.removed, 4);
        assert_eq!(names(dir.path()), [".hidden.tmp", "groupfit-b.md"]);
        assert_eq!(
            fs::read(dir.path().join("groupfit-b.md")).unwrap(),
            b"theirs"
        );
    }

    #[test]
    fn a_pair_killed_between_link_and_unlink_is_completed() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("groupfit-c.md"), "# md").unwrap();
        fs::write(hidden(dir.path(), "groupfit-c", "md"), "# md").unwrap();
        fs::write(hidden(dir.path(), "groupfit-c", "json"), "{}").unwrap();
        let tidied = tidy(dir.path(), later());
        assert_eq!(tidied.completed, [dir.path().join("groupfit-c.json")]);
        assert_eq!(tidied.removed, 1);
        assert_eq!(names(dir.path()), ["groupfit-c.json", "groupfit-c.md"]);
    }
}
