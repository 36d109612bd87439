//! Files that appear whole or not at all.
//!
//! Everything securebase writes goes through [`AtomicFile`]: the bytes go to a temporary file in
//! the target's own folder (so the final rename never crosses file systems), are flushed and
//! fsynced, and only then renamed over the target, after which the folder is fsynced so the
//! rename itself survives a power cut. If anything fails, or the value is dropped without
//! [`AtomicFile::commit`], the temporary file is removed and the target is untouched.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use tempfile::NamedTempFile;

/// Name prefix of temporary files (their suffix is `.tmp`): what a reader may clean up after a
/// writer that died.
pub const TEMP_PREFIX: &str = ".securebase-";

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
        tmp.persist(&self.target).map_err(|e| e.error)?;
        sync_dir(parent_dir(&self.target))
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

/// Makes a rename in `dir` durable. Only Unix can fsync a folder; on Windows the rename
/// (`MoveFileEx` with write-through semantics in `persist`) is the best available.
fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        File::open(dir)?.sync_all()
    }
    #[cfg(not(unix))]
    {
        let _ = (dir, File::open);
        Ok(())
    }
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
}
