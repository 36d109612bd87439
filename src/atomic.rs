//! Files that appear whole or not at all.
//!
//! Everything securebase writes goes through [`AtomicFile`]: the bytes go to a temporary file in
//! the target's own folder (so the final rename never crosses file systems), are flushed and
//! fsynced, and only then renamed over the target, after which the folder is fsynced so the
//! rename itself survives a power cut. If anything fails, or the value is dropped without
//! [`AtomicFile::commit`], the temporary file is removed and the target is untouched.
//!
//! On Windows a rename over a file fails ("access denied", "sharing violation") while another
//! program holds the target open without allowing deletion: antivirus scanners, the search
//! indexer and sync clients do, for a moment, just after a file changes. The commit therefore
//! tries again for a few seconds ([`RETRY_FOR`]) before it gives up, and then names the file.

use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use tempfile::NamedTempFile;

/// Name prefix of temporary files (their suffix is `.tmp`): what a reader may clean up after a
/// writer that died.
pub const TEMP_PREFIX: &str = ".securebase-";

/// How long a commit keeps trying a rename that another program blocks (Windows).
pub const RETRY_FOR: Duration = Duration::from_secs(3);

/// A file being written; invisible under its real name until [`AtomicFile::commit`].
pub struct AtomicFile {
    target: PathBuf,
    writer: BufWriter<NamedTempFile>,
}

impl AtomicFile {
    /// Starts writing `target`. Fails if its folder does not exist or is not writable.
    pub fn create(target: &Path) -> io::Result<Self> {
        let dir = parent_dir(target);
        let tmp = tempfile::Builder::new()
            .prefix(TEMP_PREFIX)
            .suffix(".tmp")
            .tempfile_in(dir)?;
        Ok(Self {
            target: target.to_path_buf(),
            writer: BufWriter::with_capacity(1 << 16, tmp),
        })
    }

    /// Flushes, fsyncs, renames into place and fsyncs the folder.
    pub fn commit(self) -> io::Result<()> {
        let tmp = self
            .writer
            .into_inner()
            .map_err(io::IntoInnerError::into_error)?;
        tmp.as_file().sync_all()?;
        persist(tmp, &self.target)?;
        // Only Unix can fsync a folder; on Windows the rename (`MoveFileEx`) is the best there is.
        #[cfg(unix)]
        sync_dir(parent_dir(&self.target))?;
        Ok(())
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.writer.write(buf)
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.writer.write_all(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.writer.flush()
    }
}

/// Renames `tmp` over `target`, trying again for [`RETRY_FOR`] while another program holds
/// `target` open (only Windows refuses for that reason).
fn persist(mut tmp: NamedTempFile, target: &Path) -> io::Result<()> {
    let started = Instant::now();
    let mut pause = Duration::from_millis(10);
    loop {
        match tmp.persist(target) {
            Ok(_) => return Ok(()),
            Err(e) if is_held_by_another_program(&e.error) => {
                if started.elapsed() >= RETRY_FOR {
                    return Err(io::Error::new(
                        e.error.kind(),
                        format!(
                            "cannot replace {}: Windows refused for {} s ({}); another program \
                             may be holding it open (antivirus, the search indexer, a sync \
                             client), or the file is read-only",
                            target.display(),
                            RETRY_FOR.as_secs(),
                            e.error
                        ),
                    ));
                }
                tmp = e.file;
                std::thread::sleep(pause);
                pause = (pause * 2).min(Duration::from_millis(250));
            }
            Err(e) => return Err(e.error),
        }
    }
}

/// Whether a failed rename is Windows saying that another program has the target open:
/// `ERROR_ACCESS_DENIED` (5), `ERROR_SHARING_VIOLATION` (32), `ERROR_LOCK_VIOLATION` (33).
fn is_held_by_another_program(error: &io::Error) -> bool {
    cfg!(windows) && matches!(error.raw_os_error(), Some(5 | 32 | 33))
}

/// Writes `bytes` to `target` atomically.
pub fn write_atomic(target: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut file = AtomicFile::create(target)?;
    file.write_all(bytes)?;
    file.commit()
}

fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// Makes a rename in `dir` durable.
#[cfg(unix)]
fn sync_dir(dir: &Path) -> io::Result<()> {
    std::fs::File::open(dir)?.sync_all()
}

/// Renames `from` to `to` (one file system; an existing file `to` is replaced, atomically) and
/// makes the rename durable where the system can (Unix fsyncs both folders).
pub fn rename_durably(from: &Path, to: &Path) -> io::Result<()> {
    std::fs::rename(from, to)?;
    #[cfg(unix)]
    {
        sync_dir(parent_dir(to))?;
        if parent_dir(from) != parent_dir(to) {
            sync_dir(parent_dir(from))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dropped_file_leaves_nothing() -> io::Result<()> {
        let dir = tempfile::tempdir()?;
        let target = dir.path().join("out.csv");
        {
            let mut f = AtomicFile::create(&target)?;
            f.write_all(b"half")?;
        }
        assert!(!target.exists());
        assert_eq!(std::fs::read_dir(dir.path())?.count(), 0);
        Ok(())
    }

    #[test]
    fn commit_replaces_whole() -> io::Result<()> {
        let dir = tempfile::tempdir()?;
        let target = dir.path().join("out.csv");
        std::fs::write(&target, b"old")?;
        write_atomic(&target, b"new contents")?;
        assert_eq!(std::fs::read(&target)?, b"new contents");
        assert_eq!(std::fs::read_dir(dir.path())?.count(), 1);
        Ok(())
    }

    /// What antivirus and the search indexer do on Windows: open the target without allowing
    /// deletion, which makes a rename over it fail until they let go.
    #[cfg(windows)]
    #[test]
    fn a_rename_that_another_program_blocks_is_tried_again_then_named() -> io::Result<()> {
        use std::os::windows::fs::OpenOptionsExt;
        const FILE_SHARE_READ: u32 = 1;
        let hold = |path: &Path| {
            std::fs::OpenOptions::new()
                .read(true)
                .share_mode(FILE_SHARE_READ)
                .open(path)
        };
        let dir = tempfile::tempdir()?;
        let target = dir.path().join("record.age");
        std::fs::write(&target, b"old")?;

        // Held for a moment: the commit waits and then succeeds.
        let holder = hold(&target)?;
        let released = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(400));
            drop(holder);
        });
        let started = Instant::now();
        write_atomic(&target, b"new")?;
        assert!(started.elapsed() >= Duration::from_millis(300), "it waited");
        let _ = released.join();
        assert_eq!(std::fs::read(&target)?, b"new");

        // Held for longer than the commit tries: it fails naming the file, and nothing
        // changes (the old content stays, no temporary is left).
        let holder = hold(&target)?;
        let Err(err) = write_atomic(&target, b"newer") else {
            panic!("the commit succeeded although the target was held open");
        };
        drop(holder);
        let message = err.to_string();
        assert!(message.contains(&target.display().to_string()), "{message}");
        assert!(message.contains("another program"), "{message}");
        assert_eq!(std::fs::read(&target)?, b"new");
        assert_eq!(std::fs::read_dir(dir.path())?.count(), 1);
        Ok(())
    }
}
