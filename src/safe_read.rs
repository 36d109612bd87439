//! Reading a file that someone else may have planted: only a regular file, never through a
//! symbolic link, and never more than a cap (REDTEAM M4).
//!
//! A FIFO read with `fs::read` blocks forever (every command and the app hung on one in the
//! data folder or in `questionnaires/`), a link to `/dev/zero` grows until memory runs out.
//! [`read_regular`] opens without following a final symbolic link and, on Unix, without
//! blocking (`O_NONBLOCK`, so opening a FIFO returns at once), then checks the open file's own
//! kind and size (`fstat`, so no other file can be swapped in between) and reads at most `cap`
//! bytes. Each refusal is a [`ReadError`] that says what the path is.

use std::fmt;
use std::fs::{File, OpenOptions};
use std::io::{self, Read};
use std::path::{Path, PathBuf};

/// Why a file was not read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The path names something other than a regular file.
    #[error("{} is {kind}, not a regular file; it was not read", path.display())]
    NotRegular {
        /// The path asked for.
        path: PathBuf,
        /// What it names.
        kind: Kind,
    },
    /// The file is larger than this kind of file can be.
    #[error("{} is {size} bytes, more than the {cap} bytes this kind of file may have; it was not read", path.display())]
    TooLarge {
        /// The path asked for.
        path: PathBuf,
        /// Its size in bytes (at least `cap + 1` when it grew while read).
        size: u64,
        /// The most bytes this kind of file may have.
        cap: u64,
    },
    /// The file could not be opened or read.
    #[error("cannot read {}: {cause}", path.display())]
    Io {
        /// The path asked for.
        path: PathBuf,
        /// The operating system's reason (in the message, not a `source`, so that a chain of
        /// causes does not say it twice).
        cause: io::Error,
    },
}

impl ReadError {
    /// The I/O error's kind, when it is one (`NotFound` tells a missing file).
    pub fn io_kind(&self) -> Option<io::ErrorKind> {
        match self {
            Self::Io { cause, .. } => Some(cause.kind()),
            _ => None,
        }
    }
}

/// What a path that is not a regular file names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A folder.
    Directory,
    /// A symbolic link (never followed: it may point at a device).
    SymbolicLink,
    /// A named pipe: reading one would wait for a writer forever.
    Fifo,
    /// A block or character device (`/dev/zero` never ends).
    Device,
    /// A Unix socket.
    Socket,
    /// Anything else the system has.
    Other,
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Directory => "a folder",
            Self::SymbolicLink => "a symbolic link",
            Self::Fifo => "a named pipe (FIFO)",
            Self::Device => "a device",
            Self::Socket => "a socket",
            Self::Other => "not a file",
        })
    }
}

/// The kind of a path that is not a regular file, from its metadata; `None` for a regular file.
pub fn kind_of(file_type: std::fs::FileType) -> Option<Kind> {
    if file_type.is_file() {
        return None;
    }
    if file_type.is_dir() {
        return Some(Kind::Directory);
    }
    if file_type.is_symlink() {
        return Some(Kind::SymbolicLink);
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return Some(Kind::Fifo);
        }
        if file_type.is_block_device() || file_type.is_char_device() {
            return Some(Kind::Device);
        }
        if file_type.is_socket() {
            return Some(Kind::Socket);
        }
    }
    Some(Kind::Other)
}

/// Opens `path` for reading if it is a regular file (not a link, FIFO, device or folder),
/// without blocking on a FIFO. The returned file is the one checked.
pub fn open_regular(path: &Path) -> Result<File, ReadError> {
    let io_error = |cause| ReadError::Io {
        path: path.to_path_buf(),
        cause,
    };
    // The link itself, first: on Windows there is no O_NOFOLLOW, and on Unix it gives the
    // clearer message than ELOOP.
    let meta = std::fs::symlink_metadata(path).map_err(io_error)?;
    if let Some(kind) = kind_of(meta.file_type()) {
        return Err(ReadError::NotRegular {
            path: path.to_path_buf(),
            kind,
        });
    }
    let mut options = OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK | libc::O_NOFOLLOW);
    }
    let file = options.open(path).map_err(|cause| {
        // A link put in place between the two looks: ELOOP.
        #[cfg(unix)]
        if cause.raw_os_error() == Some(libc::ELOOP) {
            return ReadError::NotRegular {
                path: path.to_path_buf(),
                kind: Kind::SymbolicLink,
            };
        }
        io_error(cause)
    })?;
    let meta = file.metadata().map_err(io_error)?;
    if let Some(kind) = kind_of(meta.file_type()) {
        return Err(ReadError::NotRegular {
            path: path.to_path_buf(),
            kind,
        });
    }
    Ok(file)
}

/// The bytes of the regular file at `path`, refused when it is larger than `cap` bytes.
pub fn read_regular(path: &Path, cap: u64) -> Result<Vec<u8>, ReadError> {
    let file = open_regular(path)?;
    let io_error = |cause| ReadError::Io {
        path: path.to_path_buf(),
        cause,
    };
    let size = file.metadata().map_err(io_error)?.len();
    if size > cap {
        return Err(ReadError::TooLarge {
            path: path.to_path_buf(),
            size,
            cap,
        });
    }
    // The file may grow while it is read: never more than the cap, plus one byte to tell.
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    file.take(cap + 1)
        .read_to_end(&mut bytes)
        .map_err(io_error)?;
    if bytes.len() as u64 > cap {
        return Err(ReadError::TooLarge {
            path: path.to_path_buf(),
            size: bytes.len() as u64,
            cap,
        });
    }
    Ok(bytes)
}

/// [`read_regular`] as UTF-8 text.
pub fn read_regular_text(path: &Path, cap: u64) -> Result<String, ReadError> {
    let bytes = read_regular(path, cap)?;
    String::from_utf8(bytes).map_err(|e| ReadError::Io {
        path: path.to_path_buf(),
        cause: io::Error::new(io::ErrorKind::InvalidData, format!("not UTF-8 text ({e})")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_regular_file_reads_and_a_large_one_is_refused() -> anyhow::Result<()> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("a.json");
        std::fs::write(&path, b"0123456789")?;
        assert_eq!(read_regular(&path, 10)?, b"0123456789");
        let err = read_regular(&path, 9).unwrap_err();
        assert!(
            matches!(
                err,
                ReadError::TooLarge {
                    size: 10,
                    cap: 9,
                    ..
                }
            ),
            "{err}"
        );
        Ok(())
    }

    #[test]
    fn a_folder_is_refused_by_name() -> anyhow::Result<()> {
        let dir = tempfile::tempdir()?;
        let err = read_regular(dir.path(), 100).unwrap_err();
        assert!(
            err.to_string().contains("is a folder, not a regular file"),
            "{err}"
        );
        Ok(())
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_is_refused_at_once_and_a_link_to_a_device_is_not_followed() -> anyhow::Result<()> {
        let dir = tempfile::tempdir()?;
        let fifo = dir.path().join("x.json");
        assert!(
            std::process::Command::new("mkfifo")
                .arg(&fifo)
                .status()?
                .success()
        );
        let started = std::time::Instant::now();
        let err = read_regular(&fifo, 100).unwrap_err();
        assert!(started.elapsed() < std::time::Duration::from_secs(2));
        assert!(
            matches!(
                err,
                ReadError::NotRegular {
                    kind: Kind::Fifo,
                    ..
                }
            ),
            "{err}"
        );
        let link = dir.path().join("z.json");
        std::os::unix::fs::symlink("/dev/zero", &link)?;
        let err = read_regular(&link, 100).unwrap_err();
        assert!(
            matches!(
                err,
                ReadError::NotRegular {
                    kind: Kind::SymbolicLink,
                    ..
                }
            ),
            "{err}"
        );
        Ok(())
    }
}
