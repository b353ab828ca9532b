//! Opening the files groupfit reads and locks: regular files only, never waiting, never past a
//! size.
//!
//! A path can name a named pipe (opening it waits for a writer that may never come), a device
//! such as `/dev/zero` (reading it never ends), a folder, or a symbolic link planted where a
//! file of groupfit's own should be. Every file is opened without blocking, checked to be a
//! regular file on the open handle itself (so nothing can be swapped in between), and read only
//! up to a limit.

use std::fs::{File, OpenOptions};
use std::io::{self, Read as _};
use std::path::Path;

/// The largest tree or answers file read: far above any real tree (the 100 000-question
/// benchmark tree is about 30 MiB).
pub const SOURCE_LIMIT: u64 = 64 << 20;

/// The largest saved call read.
pub const SESSION_LIMIT: u64 = 16 << 20;

/// Whether the last part of a path may be a symbolic link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Links {
    /// Followed: a tree may well be a link to where it is kept.
    Follow,
    /// Refused: groupfit's own files are never links, so one is planted.
    Refuse,
}

/// Why a file was not read.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("{0}")]
    Io(#[from] io::Error),
    #[error("it is {0}, not a regular file")]
    NotRegular(&'static str),
    #[error("it is a symbolic link, and groupfit does not follow links for its own files")]
    Link,
    #[error("it is {size} bytes, more than the {} MiB groupfit reads", limit >> 20)]
    TooLarge { size: u64, limit: u64 },
}

impl FileError {
    /// Whether the file is simply not there.
    pub fn not_found(&self) -> bool {
        matches!(self, FileError::Io(e) if e.kind() == io::ErrorKind::NotFound)
    }
}

/// Reads a whole regular file of at most `limit` bytes.
pub fn read(path: &Path, limit: u64, links: Links) -> Result<Vec<u8>, FileError> {
    let mut options = OpenOptions::new();
    options.read(true);
    let file = open(&mut options, path, links)?;
    let size = file.metadata()?.len();
    if size > limit {
        return Err(FileError::TooLarge { size, limit });
    }
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    // A file that grows while it is read stops at the limit all the same.
    file.take(limit + 1).read_to_end(&mut bytes)?;
    let read = bytes.len() as u64;
    if read > limit {
        return Err(FileError::TooLarge { size: read, limit });
    }
    Ok(bytes)
}

/// Opens (creating it owner-only if need be) a lock file, which must be a regular file and not
/// a link.
pub fn open_lock(path: &Path) -> Result<File, FileError> {
    let mut options = OpenOptions::new();
    options.create(true).truncate(false).write(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    open(&mut options, path, Links::Refuse)
}

fn open(options: &mut OpenOptions, path: &Path, links: Links) -> Result<File, FileError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        let mut flags = libc::O_NONBLOCK;
        if links == Links::Refuse {
            flags |= libc::O_NOFOLLOW;
        }
        options.custom_flags(flags);
    }
    let file = match options.open(path) {
        Ok(file) => file,
        #[cfg(unix)]
        Err(e) if links == Links::Refuse && e.raw_os_error() == Some(libc::ELOOP) => {
            return Err(FileError::Link);
        }
        #[cfg(unix)]
        // A named pipe opened for writing without blocking fails when nobody reads it.
        Err(e) if e.raw_os_error() == Some(libc::ENXIO) => {
            return Err(FileError::NotRegular(kind(path)));
        }
        Err(e) => return Err(FileError::Io(e)),
    };
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(FileError::NotRegular(kind_of(meta.file_type())));
    }
    Ok(file)
}

fn kind(path: &Path) -> &'static str {
    std::fs::metadata(path).map_or("not a regular file", |meta| kind_of(meta.file_type()))
}

/// What a file that is not a regular file is, in words.
fn kind_of(file_type: std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt as _;
        if file_type.is_fifo() {
            return "a named pipe (FIFO)";
        }
        if file_type.is_char_device() || file_type.is_block_device() {
            return "a device";
        }
        if file_type.is_socket() {
            return "a socket";
        }
    }
    if file_type.is_dir() {
        "a folder"
    } else {
        "not a regular file"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_regular_file_is_read_up_to_its_limit() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tree.toml");
        std::fs::write(&path, b"12345").unwrap();
        assert_eq!(read(&path, 5, Links::Refuse).unwrap(), b"12345");
        let error = read(&path, 4, Links::Follow).unwrap_err();
        assert!(matches!(error, FileError::TooLarge { size: 5, limit: 4 }));
        assert!(
            read(&dir.path().join("nope"), 5, Links::Follow)
                .unwrap_err()
                .not_found()
        );
        assert_eq!(
            read(dir.path(), 5, Links::Follow).unwrap_err().to_string(),
            "it is a folder, not a regular file"
        );
    }

    #[test]
    #[cfg(target_os = "linux")]
    fn devices_are_refused_and_links_only_when_asked() {
        let error = read(Path::new("/dev/zero"), SESSION_LIMIT, Links::Follow).unwrap_err();
        assert_eq!(error.to_string(), "it is a device, not a regular file");
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("target");
        std::fs::write(&target, b"x").unwrap();
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        assert_eq!(read(&link, 5, Links::Follow).unwrap(), b"x");
        assert!(matches!(
            read(&link, 5, Links::Refuse),
            Err(FileError::Link)
        ));
        let zero = dir.path().join("zero");
        std::os::unix::fs::symlink("/dev/zero", &zero).unwrap();
        assert!(matches!(
            read(&zero, 5, Links::Follow),
            Err(FileError::NotRegular(_))
        ));
    }

    #[test]
    #[cfg(target_os = "linux")]
    fn a_named_pipe_neither_blocks_nor_passes() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        let message = "it is a named pipe (FIFO), not a regular file";
        assert_eq!(
            read(&fifo, 5, Links::Follow).unwrap_err().to_string(),
            message
        );
        assert_eq!(open_lock(&fifo).unwrap_err().to_string(), message);
    }

    #[test]
    #[cfg(unix)]
    fn a_lock_is_never_a_link() {
        let dir = tempfile::tempdir().unwrap();
        let lock = dir.path().join("session.lock");
        std::os::unix::fs::symlink(dir.path().join("elsewhere"), &lock).unwrap();
        assert!(matches!(open_lock(&lock), Err(FileError::Link)));
        assert!(
            !dir.path().join("elsewhere").exists(),
            "the link's target was made"
        );
        std::fs::remove_file(&lock).unwrap();
        open_lock(&lock).unwrap();
        assert!(lock.is_file());
    }
}
