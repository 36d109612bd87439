//! Files that appear whole or not at all; outputs that are never replaced when they are not
//! files; and no temporary left behind for good by a writer that was killed.
//!
//! Everything securebase writes goes through [`AtomicFile`]. For a new path or a regular file,
//! the bytes go to a temporary file in the target's own folder (so the final rename never
//! crosses file systems), are flushed and fsynced, and only then renamed over the target, after
//! which the folder is fsynced so the rename itself survives a power cut. If anything fails, or
//! the value is dropped without [`AtomicFile::commit`], the temporary file is removed and the
//! target is untouched.
//!
//! **What the path already is** decides the rest ([`AtomicFile::create`]; REDTEAM M5: the
//! rename used to replace whatever was there, and as root replaced `/dev/full` with a file):
//! - a FIFO or a character device (`/dev/null`, a terminal), a link to one, or the very file
//!   this process's standard output or error goes to (`/dev/stdout`, whatever it leads to): it
//!   is written into, as a shell's `>` would, with no temporary and no rename. What was written
//!   stays written if the command then fails (a pipe cannot take bytes back). A FIFO must have
//!   its reader already: one that nobody reads is refused at once rather than waited for.
//! - a symbolic link to a regular file, a folder, a block device (a disk), a socket: refused
//!   with a [`NotReplaced`] that says what it is; nothing is touched. A link to a file is not
//!   written through: a link planted in a folder would send the file somewhere else.
//!
//! **Temporaries of a writer that died** (REDTEAM L2: kill -9 during `score -o` left partial
//! outputs beside the target for good). Each temporary is locked (`File::try_lock`: `flock` on
//! Unix, `LockFileEx` on Windows, as the data folder's own lock) for as long as its writer
//! lives, and the system drops the lock however the writer ends. The first write into a folder
//! in each process removes the `.securebase-*.tmp` files there that nobody holds
//! ([`remove_stale_temporaries`]); a live writer's, in this process or another, stays.
//!
//! On Windows a rename over a file fails ("access denied", "sharing violation") while another
//! program holds the target open without allowing deletion: antivirus scanners, the search
//! indexer and sync clients do, for a moment, just after a file changes. The commit therefore
//! tries again for a few seconds ([`RETRY_FOR`]) before it gives up, and then names the file.

use std::fmt;
use std::fs::{self, File, OpenOptions, TryLockError};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use tempfile::NamedTempFile;

/// Name prefix of temporary files (their suffix is `.tmp`): what a reader may clean up after a
/// writer that died.
pub const TEMP_PREFIX: &str = ".securebase-";

/// How long a commit keeps trying a rename that another program blocks (Windows).
pub const RETRY_FOR: Duration = Duration::from_secs(3);

/// A file being written; invisible under its real name until [`AtomicFile::commit`] (unless
/// the target is a FIFO, a device or standard output, which are written into directly).
pub struct AtomicFile {
    target: PathBuf,
    sink: Sink,
}

/// Where the bytes go.
enum Sink {
    /// A locked temporary beside the target, renamed over it by the commit.
    Temporary(BufWriter<NamedTempFile>),
    /// The target itself: a FIFO, a character device, or this process's standard output.
    Direct(BufWriter<File>),
}

/// An output path securebase does not write to, and why: what the path is and what to do
/// instead. Carried inside the [`io::Error`] (kind `InvalidInput`) that
/// [`AtomicFile::create`] returns; [`is_not_replaced`] tells it apart.
#[derive(Debug)]
pub struct NotReplaced {
    /// What the path is, and what to do (the caller names the path).
    reason: String,
}

impl fmt::Display for NotReplaced {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.reason)
    }
}

impl std::error::Error for NotReplaced {}

/// Whether `error` is an output refused for what its path is ([`NotReplaced`]): the user's
/// choice of path, not a failure of the system.
pub fn is_not_replaced(error: &io::Error) -> bool {
    error
        .get_ref()
        .is_some_and(<dyn std::error::Error + Send + Sync>::is::<NotReplaced>)
}

fn not_replaced(reason: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, NotReplaced { reason })
}

impl AtomicFile {
    /// Starts writing `target`. Fails if its folder does not exist or is not writable, or if
    /// the path is something that is written neither into nor over (see the module's doc).
    pub fn create(target: &Path) -> io::Result<Self> {
        let sink = match way_of(target)? {
            Way::Replace => {
                let dir = parent_dir(target);
                clean_once(dir);
                Sink::Temporary(BufWriter::with_capacity(1 << 16, locked_temporary(dir)?))
            }
            Way::Into(file) => Sink::Direct(BufWriter::with_capacity(1 << 16, file)),
        };
        Ok(Self {
            target: target.to_path_buf(),
            sink,
        })
    }

    /// Whether the bytes go straight into the target (a FIFO, a device, standard output)
    /// rather than through a temporary and a rename.
    pub fn is_direct(&self) -> bool {
        matches!(self.sink, Sink::Direct(_))
    }

    /// Flushes, fsyncs, renames into place and fsyncs the folder; for a target written into
    /// directly, flushes.
    pub fn commit(self) -> io::Result<()> {
        let writer = match self.sink {
            Sink::Temporary(writer) => writer,
            Sink::Direct(writer) => {
                // Not fsynced: a pipe or a device has nothing to make durable (and some refuse).
                writer
                    .into_inner()
                    .map_err(io::IntoInnerError::into_error)?;
                return Ok(());
            }
        };
        let tmp = writer
            .into_inner()
            .map_err(io::IntoInnerError::into_error)?;
        tmp.as_file().sync_all()?;
        let file = persist(tmp, &self.target)?;
        // Held through the rename, so that no clean-up can take the temporary before it.
        let _ = file.unlock();
        drop(file);
        // Only Unix can fsync a folder; on Windows the rename (`MoveFileEx`) is the best there is.
        #[cfg(unix)]
        sync_dir(parent_dir(&self.target))?;
        Ok(())
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match &mut self.sink {
            Sink::Temporary(w) => w.write(buf),
            Sink::Direct(w) => w.write(buf),
        }
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        match &mut self.sink {
            Sink::Temporary(w) => w.write_all(buf),
            Sink::Direct(w) => w.write_all(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match &mut self.sink {
            Sink::Temporary(w) => w.flush(),
            Sink::Direct(w) => w.flush(),
        }
    }
}

/// How a target is written.
enum Way {
    /// Through a temporary renamed over it: a new path, or a regular file.
    Replace,
    /// Into this file, opened from the target (or this process's standard output).
    Into(File),
}

/// How to write `target`, from what it is now; `Err` for what is written neither way.
fn way_of(target: &Path) -> io::Result<Way> {
    // Missing (or not even looked at: then making the temporary says why).
    let Ok(itself) = fs::symlink_metadata(target) else {
        return Ok(Way::Replace);
    };
    if itself.is_file() {
        return Ok(Way::Replace);
    }
    if itself.is_dir() {
        return Err(not_replaced("it is a folder; name a file".to_owned()));
    }
    let is_link = itself.file_type().is_symlink();
    let leads_to =
        || fs::read_link(target).map_or_else(|_| "?".to_owned(), |p| p.display().to_string());
    let followed = match fs::metadata(target) {
        Ok(m) => m,
        Err(e) if is_link => {
            return Err(not_replaced(format!(
                "it is a symbolic link to {}, which cannot be opened ({e}); securebase does \
                 not write through links: name a file",
                leads_to()
            )));
        }
        Err(e) => return Err(e),
    };
    #[cfg(unix)]
    if let Some(stream) = standard_stream(&followed)? {
        return Ok(Way::Into(stream));
    }
    if followed.is_dir() {
        return Err(not_replaced(format!(
            "it is a symbolic link to the folder {}; name a file",
            leads_to()
        )));
    }
    if followed.is_file() {
        return Err(not_replaced(format!(
            "it is a symbolic link to {}, and securebase does not write through links (a \
             link planted in a folder would send the file elsewhere): name that file itself",
            leads_to()
        )));
    }
    open_into(target, &followed)
}

/// This process's standard output or error, when `target` is the very file it goes to: its
/// descriptor, duplicated (reopening it by name may not be allowed, and loses `>>`).
#[cfg(unix)]
fn standard_stream(target: &fs::Metadata) -> io::Result<Option<File>> {
    use std::os::fd::AsFd;
    use std::os::unix::fs::MetadataExt;
    let (stdout, stderr) = (io::stdout(), io::stderr());
    for stream in [stdout.as_fd(), stderr.as_fd()] {
        // A closed stream is no target.
        let Ok(owned) = stream.try_clone_to_owned() else {
            continue;
        };
        let file = File::from(owned);
        if file
            .metadata()
            .is_ok_and(|m| m.dev() == target.dev() && m.ino() == target.ino())
        {
            // What was printed before comes first.
            stdout.lock().flush()?;
            return Ok(Some(file));
        }
    }
    Ok(None)
}

/// Opens a FIFO or a character device for writing into it; refuses anything else.
#[cfg(unix)]
fn open_into(target: &Path, followed: &fs::Metadata) -> io::Result<Way> {
    use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
    let kind = followed.file_type();
    if kind.is_block_device() {
        return Err(not_replaced(
            "it is a block device (a disk or a partition); securebase writes no file onto one"
                .to_owned(),
        ));
    }
    if kind.is_socket() {
        return Err(not_replaced("it is a socket; name a file".to_owned()));
    }
    if !(kind.is_fifo() || kind.is_char_device()) {
        return Err(not_replaced(
            "it is not a file securebase can write; name a file".to_owned(),
        ));
    }
    // Never this process's controlling terminal by accident.
    let open = |extra: libc::c_int| {
        OpenOptions::new()
            .write(true)
            .custom_flags(libc::O_NOCTTY | extra)
            .open(target)
    };
    let file = if kind.is_fifo() {
        // Without waiting: a FIFO that nobody reads would hold the command for ever.
        let probe = open(libc::O_NONBLOCK).map_err(|e| {
            if e.raw_os_error() == Some(libc::ENXIO) {
                not_replaced(
                    "it is a named pipe (FIFO) that no program is reading; start its reader \
                     first"
                        .to_owned(),
                )
            } else {
                e
            }
        })?;
        // A reader is there (and the probe keeps it from seeing the end): this does not wait.
        let file = open(0)?;
        drop(probe);
        file
    } else {
        open(0)?
    };
    // What was opened is what was looked at, not a file swapped in meanwhile.
    let opened = file.metadata()?.file_type();
    if !(opened.is_fifo() || opened.is_char_device()) {
        return Err(not_replaced(
            "it changed while it was opened; try again".to_owned(),
        ));
    }
    Ok(Way::Into(file))
}

/// Opens a device (`NUL`, `CON`) for writing into it; refuses anything else.
#[cfg(not(unix))]
fn open_into(target: &Path, _followed: &fs::Metadata) -> io::Result<Way> {
    OpenOptions::new().write(true).open(target).map(Way::Into)
}

/// A new temporary in `dir`, locked for as long as it is open. Made again if a clean-up in
/// another process took it in the moment between its creation and its lock.
fn locked_temporary(dir: &Path) -> io::Result<NamedTempFile> {
    for _ in 0..16 {
        let tmp = tempfile::Builder::new()
            .prefix(TEMP_PREFIX)
            .suffix(".tmp")
            .tempfile_in(dir)?;
        match tmp.as_file().try_lock() {
            Ok(()) => {}
            // A clean-up has it open and locked: it is removing it. Another one.
            Err(TryLockError::WouldBlock) => continue,
            // No locks on this file system: unlocked, as before (a clean-up removes only a
            // file it could lock, so never this one).
            Err(TryLockError::Error(_)) => return Ok(tmp),
        }
        if still_named(&tmp) {
            return Ok(tmp);
        }
    }
    Err(io::Error::other(format!(
        "cannot make a temporary file in {}: each one was removed at once",
        dir.display()
    )))
}

/// Whether the locked temporary is still in its folder under its name (a clean-up may have
/// removed it just before the lock).
#[cfg(unix)]
fn still_named(tmp: &NamedTempFile) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (fs::symlink_metadata(tmp.path()), tmp.as_file().metadata()) {
        (Ok(named), Ok(open)) => named.dev() == open.dev() && named.ino() == open.ino(),
        _ => false,
    }
}

/// Whether the locked temporary is still in its folder (a file being removed cannot be
/// opened any more on Windows, so it is not found).
#[cfg(not(unix))]
fn still_named(tmp: &NamedTempFile) -> bool {
    fs::symlink_metadata(tmp.path()).is_ok()
}

/// Folders whose stale temporaries this process has removed already: once each, since a data
/// folder's audit log can hold thousands of files and each entry is a write.
static CLEANED: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// [`remove_stale_temporaries`] in `dir`, the first time this process writes there.
fn clean_once(dir: &Path) {
    {
        let Ok(mut cleaned) = CLEANED.lock() else {
            return;
        };
        if cleaned.iter().any(|d| d == dir) {
            return;
        }
        cleaned.push(dir.to_path_buf());
    }
    remove_stale_temporaries(dir);
}

/// Removes the temporaries (`.securebase-*.tmp`) in `dir` that no living writer holds: those
/// of a writer that was killed or crashed. Returns how many were removed. A temporary whose
/// lock cannot be taken (its writer lives, in this process or another, or the file system has
/// no locks) stays; so does anything that is not a regular file.
pub fn remove_stale_temporaries(dir: &Path) -> usize {
    let Ok(entries) = fs::read_dir(dir) else {
        return 0;
    };
    let mut removed = 0;
    for entry in entries.filter_map(Result::ok) {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with(TEMP_PREFIX)
            && name.ends_with(".tmp")
            && entry.file_type().is_ok_and(|t| t.is_file())
            && remove_if_unheld(&entry.path())
        {
            removed += 1;
        }
    }
    removed
}

/// Removes `path` if its lock can be taken (nobody holds it).
fn remove_if_unheld(path: &Path) -> bool {
    let mut options = OpenOptions::new();
    options.read(true);
    // Never through a link, never waiting on a FIFO put there meanwhile.
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_NOCTTY);
    }
    let Ok(file) = options.open(path) else {
        return false;
    };
    if !file.metadata().is_ok_and(|m| m.is_file()) || file.try_lock().is_err() {
        return false;
    }
    // Closed first: Windows removes a file only once nobody has it open. Its name cannot be
    // taken meanwhile (temporaries are made with new names only).
    drop(file);
    fs::remove_file(path).is_ok()
}

/// Renames `tmp` over `target`, trying again for [`RETRY_FOR`] while another program holds
/// `target` open (only Windows refuses for that reason). Returns the file, still locked.
fn persist(mut tmp: NamedTempFile, target: &Path) -> io::Result<File> {
    let started = Instant::now();
    let mut pause = Duration::from_millis(10);
    loop {
        match tmp.persist(target) {
            Ok(file) => return Ok(file),
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

/// Writes `bytes` to `target` atomically (or into it, when it is a FIFO, a device or standard
/// output; see [`AtomicFile::create`]).
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

    /// The names in `dir`.
    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .into_iter()
            .flatten()
            .filter_map(Result::ok)
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    /// REDTEAM L2: a temporary that nobody holds (its writer was killed) is removed by the
    /// first write into its folder; one that a live writer holds, and whatever else is
    /// there, stays.
    #[test]
    fn the_first_write_in_a_folder_removes_stale_temporaries_but_not_held_ones() -> io::Result<()> {
        let dir = tempfile::tempdir()?;
        let stale = dir.path().join(".securebase-killed.tmp");
        fs::write(&stale, b"half of a killed writer's output")?;
        let held = dir.path().join(".securebase-alive.tmp");
        let holder = File::create(&held)?;
        holder.try_lock().map_err(io::Error::other)?;
        fs::write(dir.path().join(".securebase-notes.txt"), b"not ours")?;
        fs::write(dir.path().join("results.csv"), b"kept")?;

        write_atomic(&dir.path().join("out.csv"), b"new")?;
        assert_eq!(
            names(dir.path()),
            [
                ".securebase-alive.tmp",
                ".securebase-notes.txt",
                "out.csv",
                "results.csv"
            ]
        );
        // Once its writer is gone, it goes too.
        drop(holder);
        assert_eq!(remove_stale_temporaries(dir.path()), 1);
        assert!(!held.exists());
        Ok(())
    }

    /// A writer's own temporary is locked while it writes: a clean-up (here, or in another
    /// process) leaves it, and the commit succeeds.
    #[test]
    fn a_live_writers_temporary_is_locked_and_survives_a_clean_up() -> io::Result<()> {
        let dir = tempfile::tempdir()?;
        let target = dir.path().join("out.csv");
        let mut file = AtomicFile::create(&target)?;
        file.write_all(b"rows")?;
        file.flush()?;
        let temporary = names(dir.path());
        assert_eq!(temporary.len(), 1);
        assert!(temporary[0].starts_with(TEMP_PREFIX), "{temporary:?}");
        let other = File::open(dir.path().join(&temporary[0]))?;
        assert!(matches!(other.try_lock(), Err(TryLockError::WouldBlock)));
        drop(other);
        assert_eq!(remove_stale_temporaries(dir.path()), 0);
        file.commit()?;
        assert_eq!(fs::read(&target)?, b"rows");
        assert_eq!(names(dir.path()), ["out.csv"]);
        Ok(())
    }

    #[test]
    fn a_folder_is_refused_by_name() {
        let dir = tempfile::tempdir().expect("temporary folder");
        let Err(err) = write_atomic(dir.path(), b"x") else {
            panic!("wrote over a folder");
        };
        assert!(is_not_replaced(&err), "{err}");
        assert!(err.to_string().contains("folder"), "{err}");
    }

    /// The kind of `path` itself, a link not followed.
    #[cfg(unix)]
    fn kind(path: &Path) -> &'static str {
        use std::os::unix::fs::FileTypeExt;
        match fs::symlink_metadata(path).map(|m| m.file_type()) {
            Ok(t) if t.is_symlink() => "link",
            Ok(t) if t.is_fifo() => "fifo",
            Ok(t) if t.is_char_device() => "char device",
            Ok(t) if t.is_file() => "file",
            Ok(_) => "other",
            Err(_) => "missing",
        }
    }

    #[cfg(unix)]
    fn mkfifo(path: &Path) -> io::Result<()> {
        let status = std::process::Command::new("mkfifo").arg(path).status()?;
        assert!(status.success(), "mkfifo {}", path.display());
        Ok(())
    }

    /// REDTEAM M5: a FIFO is written into (its reader gets the bytes) and stays a FIFO; no
    /// temporary is made beside it.
    #[cfg(unix)]
    #[test]
    fn a_fifo_with_a_reader_is_written_into_and_stays_a_fifo() -> io::Result<()> {
        use std::io::Read;
        let dir = tempfile::tempdir()?;
        let fifo = dir.path().join("out.csv");
        mkfifo(&fifo)?;
        let path = fifo.clone();
        // A reader that waits in open() counts as one (Linux, and POSIX FIFOs generally).
        let reader = std::thread::spawn(move || -> io::Result<Vec<u8>> {
            let mut bytes = Vec::new();
            File::open(&path)?.read_to_end(&mut bytes)?;
            Ok(bytes)
        });
        let started = Instant::now();
        let mut result = write_atomic(&fifo, b"through the pipe");
        while matches!(&result, Err(e) if is_not_replaced(e))
            && started.elapsed() < Duration::from_secs(10)
        {
            // The reader thread has not reached open() yet.
            std::thread::sleep(Duration::from_millis(10));
            result = write_atomic(&fifo, b"through the pipe");
        }
        result?;
        let read = reader
            .join()
            .map_err(|_| io::Error::other("reader panicked"))??;
        assert_eq!(read, b"through the pipe");
        assert_eq!(kind(&fifo), "fifo");
        assert_eq!(names(dir.path()), ["out.csv"]);
        Ok(())
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_that_nobody_reads_is_refused_at_once() -> io::Result<()> {
        let dir = tempfile::tempdir()?;
        let fifo = dir.path().join("out.csv");
        mkfifo(&fifo)?;
        let Err(err) = write_atomic(&fifo, b"x") else {
            panic!("wrote into a FIFO with no reader");
        };
        assert!(is_not_replaced(&err), "{err}");
        assert!(err.to_string().contains("no program is reading"), "{err}");
        assert_eq!(kind(&fifo), "fifo");
        assert_eq!(names(dir.path()), ["out.csv"]);
        Ok(())
    }

    /// A link to a regular file is refused; neither the link nor the file changes. A link to
    /// a FIFO or a device is written through (it is what `/dev/stdout` is).
    #[cfg(unix)]
    #[test]
    fn a_link_to_a_file_is_refused_and_a_link_to_a_device_written_through() -> io::Result<()> {
        let dir = tempfile::tempdir()?;
        let file = dir.path().join("real.csv");
        fs::write(&file, b"old")?;
        let link = dir.path().join("link.csv");
        std::os::unix::fs::symlink(&file, &link)?;
        let Err(err) = write_atomic(&link, b"new") else {
            panic!("wrote through a link");
        };
        assert!(is_not_replaced(&err), "{err}");
        assert!(err.to_string().contains("real.csv"), "{err}");
        assert_eq!(kind(&link), "link");
        assert_eq!(fs::read(&file)?, b"old");

        let dangling = dir.path().join("dangling.csv");
        std::os::unix::fs::symlink(dir.path().join("nowhere"), &dangling)?;
        let Err(err) = write_atomic(&dangling, b"new") else {
            panic!("wrote through a dangling link");
        };
        assert!(is_not_replaced(&err), "{err}");
        assert!(!dir.path().join("nowhere").exists());

        let null = dir.path().join("null");
        std::os::unix::fs::symlink("/dev/null", &null)?;
        // Checked before anything is written: never a rename over the system's device.
        let file = AtomicFile::create(&null)?;
        assert!(file.is_direct());
        drop(file);
        write_atomic(&null, b"into the void")?;
        assert_eq!(kind(&null), "link");
        assert_eq!(kind(Path::new("/dev/null")), "char device");
        let mut names = names(dir.path());
        names.retain(|n| n.starts_with(TEMP_PREFIX));
        assert!(names.is_empty(), "{names:?}");
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
