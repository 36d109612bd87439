//! Backups of a data folder: one file, taken while securebase runs, checked without the
//! passphrase, restored only into an empty folder.
//!
//! A backup is a tar archive (any archiver can list it) of the data folder's own files as they
//! are on disk: the records stay age files, nothing is decrypted. Its last entry,
//! [`MANIFEST`], lists every other entry with its size and SHA-256, so that
//! [`verify`] can tell an intact archive from a damaged or changed one and name the entry,
//! without the passphrase.
//!
//! Copying the folder by hand fails on Windows while securebase runs (the lock is mandatory
//! there), and anywhere it may catch a record between two writes. [`create`] instead holds the
//! data folder's backup gate ([`super::lock::Quiet`]): the writer, whoever it is, waits while the
//! files are read, so no write is half done in the archive.
//!
//! Only the files that make up a data folder are taken ([`belongs`]): its description, the
//! sealed key, the settings, the clinic's questionnaires and every record. Anything else found
//! in the folder is listed in [`Summary::skipped`], never silently left out.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io::{self, BufReader, Read, Write};
use std::path::{Component, Path, PathBuf};

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::error::StoreError;
use super::lock::{GATE_FILE, LOCK_FILE, PID_FILE, Quiet};
use crate::atomic::AtomicFile;

/// The manifest's name in the archive: the last entry.
pub const MANIFEST: &str = "securebase-backup.json";
/// Version of the archive's layout.
pub const FORMAT: u32 = 1;
/// Larger than any file of a data folder: an entry above it is refused unread.
const MAX_ENTRY: u64 = 256 * 1024 * 1024;

/// The files at the top of a data folder that a backup takes.
const TOP_FILES: [&str; 8] = [
    "securebase.json",
    // How far the audit log went, and the entries from before it was chained (store::chain).
    "audit-head.age",
    "audit-earlier.age",
    // The one sealed key of a folder from securebase 0.1.0, and its checksum.
    "identity.age",
    "identity.age.sha256",
    "settings.json",
    "local-norms.age",
    "couples.age",
];

/// What a backup holds, as its manifest says.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    /// [`FORMAT`].
    pub format: u32,
    /// What this file is, for whoever finds it.
    pub what: String,
    /// The securebase that wrote it.
    pub securebase: String,
    /// When the backup was taken.
    pub created: Timestamp,
    /// The data folder it was taken from.
    pub data_folder: String,
    /// Every other entry, in archive order.
    pub entries: Vec<ManifestEntry>,
}

/// One file of a backup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestEntry {
    /// Path inside the data folder, `/`-separated.
    pub path: String,
    /// Size in bytes.
    pub size: u64,
    /// SHA-256 of the content, lower-case hex.
    pub sha256: String,
}

/// What [`create`] did.
#[derive(Debug, Clone)]
pub struct Summary {
    /// The archive's manifest.
    pub manifest: Manifest,
    /// Files of the data folder that are not securebase's and were not taken.
    pub skipped: Vec<PathBuf>,
}

impl Summary {
    /// Total size of the files taken.
    pub fn bytes(&self) -> u64 {
        self.manifest.entries.iter().map(|e| e.size).sum()
    }
}

/// A backup that cannot be made, checked or restored.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    /// Nothing to back up.
    #[error("no securebase data folder at {0}; nothing was written")]
    NotInitialised(PathBuf),
    /// A request that would harm something (a restore over a folder that is not empty).
    #[error("{0}")]
    Refused(String),
    /// One entry of the archive is wrong.
    #[error("{archive}: entry {entry}: {problem}")]
    Entry {
        /// The archive.
        archive: PathBuf,
        /// The entry's path in the archive.
        entry: String,
        /// What is wrong.
        problem: String,
    },
    /// The archive as a whole is wrong.
    #[error("{archive}: {problem}")]
    Archive {
        /// The archive.
        archive: PathBuf,
        /// What is wrong.
        problem: String,
    },
    /// The data folder.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl BackupError {
    /// Whether the error is the user's input (a damaged archive, a folder that is not empty):
    /// the CLI exits 2 for these.
    pub fn is_user_error(&self) -> bool {
        match self {
            BackupError::Store(e) => e.is_user_error(),
            _ => true,
        }
    }
}

fn io_error(context: String) -> impl FnOnce(io::Error) -> BackupError {
    move |cause| BackupError::Store(StoreError::Io { context, cause })
}

/// Whether the data folder's file at `relative` (`/`-separated) is one a backup takes.
pub fn belongs(relative: &str) -> bool {
    let parts: Vec<&str> = relative.split('/').collect();
    match parts.as_slice() {
        [top] => TOP_FILES.contains(top),
        ["clients" | "audit" | "tombstones", name] => is_record_name(name, ".age"),
        ["administrations", client, name] => is_plain_name(client) && is_record_name(name, ".age"),
        ["questionnaires", name] => is_record_name(name, ".json"),
        ["keys", name] => is_record_name(name, ".age") || is_record_name(name, ".age.sha256"),
        _ => false,
    }
}

fn is_record_name(name: &str, extension: &str) -> bool {
    name.strip_suffix(extension).is_some_and(is_plain_name)
}

/// Letters, digits, `-`, `_` and inner dots: what securebase names files, and nothing that
/// could climb out of a folder when restored.
fn is_plain_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('.')
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// Files that securebase itself keeps in a data folder and a backup leaves out: the locks and
/// temporaries of a write in progress.
fn is_own_working_file(relative: &str) -> bool {
    let name = relative.rsplit('/').next().unwrap_or(relative);
    [LOCK_FILE, PID_FILE, GATE_FILE, super::attempts::FILE].contains(&relative)
        || (name.starts_with(crate::atomic::TEMP_PREFIX)
            && Path::new(name).extension().is_some_and(|e| e == "tmp"))
}

/// The files of the data folder `dir` a backup takes (sorted, `/`-separated), and the others.
fn list(dir: &Path) -> Result<(Vec<String>, Vec<PathBuf>), BackupError> {
    let mut taken = Vec::new();
    let mut skipped = Vec::new();
    let mut folders = vec![(dir.to_path_buf(), String::new())];
    while let Some((folder, prefix)) = folders.pop() {
        let entries =
            fs::read_dir(&folder).map_err(io_error(format!("cannot read {}", folder.display())))?;
        for entry in entries {
            let entry = entry.map_err(io_error(format!("cannot read {}", folder.display())))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let relative = format!("{prefix}{name}");
            let kind = entry
                .file_type()
                .map_err(io_error(format!("cannot read {}", entry.path().display())))?;
            if kind.is_dir() && prefix.matches('/').count() < 2 {
                folders.push((entry.path(), format!("{relative}/")));
            } else if kind.is_file() && belongs(&relative) {
                taken.push(relative);
            } else if !is_own_working_file(&relative) {
                skipped.push(entry.path());
            }
        }
    }
    taken.sort();
    skipped.sort();
    Ok((taken, skipped))
}

/// Writes a backup of the data folder `dir` to `output` (whole, or not at all), while no write
/// is in progress. Needs no passphrase. `output` must not be inside `dir`.
pub fn create(dir: &Path, output: &Path) -> Result<Summary, BackupError> {
    if !super::Store::is_initialised(dir) {
        return Err(BackupError::NotInitialised(dir.to_path_buf()));
    }
    refuse_inside(dir, output)?;
    let mut out = AtomicFile::create(output)
        .map_err(io_error(format!("cannot write {}", output.display())))?;
    let written = |e: io::Error| io_error(format!("cannot write {}", output.display()))(e);
    let mut manifest = Manifest {
        format: FORMAT,
        what: "securebase backup: the data folder's files as they were on disk (records are \
               age files, nothing decrypted); restore with `securebase restore`"
            .to_owned(),
        securebase: env!("CARGO_PKG_VERSION").to_owned(),
        created: Timestamp::now(),
        data_folder: dir.display().to_string(),
        entries: Vec::new(),
    };
    let skipped = {
        let quiet = Quiet::acquire(dir)?;
        let (files, skipped) = list(dir)?;
        let mut tar = tar::Builder::new(&mut out);
        for relative in &files {
            let path = dir.join(relative);
            // Only regular files, each within the largest a record may be (REDTEAM M4).
            let bytes = crate::safe_read::read_regular(&path, 64 << 20)
                .map_err(|e| BackupError::Store(e.into()))?;
            let mtime = fs::metadata(&path)
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_secs());
            append(&mut tar, relative, &bytes, mtime).map_err(written)?;
            manifest.entries.push(ManifestEntry {
                path: relative.clone(),
                size: bytes.len() as u64,
                sha256: super::checksum::sha256_hex(&bytes),
            });
        }
        drop(quiet);
        let text = serde_json::to_vec_pretty(&manifest)
            .map_err(|e| written(io::Error::other(e.to_string())))?;
        let now = u64::try_from(manifest.created.as_second()).unwrap_or(0);
        append(&mut tar, MANIFEST, &text, now).map_err(written)?;
        tar.finish().map_err(written)?;
        skipped
    };
    out.commit().map_err(written)?;
    Ok(Summary { manifest, skipped })
}

/// A backup inside the folder it backs up is lost with it.
fn refuse_inside(dir: &Path, output: &Path) -> Result<(), BackupError> {
    let folder = output
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if let (Ok(folder), Ok(dir)) = (folder.canonicalize(), dir.canonicalize())
        && folder.starts_with(&dir)
    {
        return Err(BackupError::Refused(format!(
            "{} is inside the data folder {}; a backup must be kept somewhere else (another \
             disk, a server), or it is lost with the folder",
            output.display(),
            dir.display()
        )));
    }
    Ok(())
}

fn append<W: Write>(
    tar: &mut tar::Builder<W>,
    path: &str,
    bytes: &[u8],
    mtime: u64,
) -> io::Result<()> {
    let mut header = tar::Header::new_gnu();
    header.set_entry_type(tar::EntryType::Regular);
    header.set_size(bytes.len() as u64);
    header.set_mode(0o600);
    header.set_mtime(mtime);
    header.set_uid(0);
    header.set_gid(0);
    tar.append_data(&mut header, path, bytes)
}

/// Checks every entry of the backup `archive` against its manifest (sizes and SHA-256) and
/// that it is a whole data folder. Needs no passphrase. Returns the manifest.
pub fn verify(archive: &Path) -> Result<Manifest, BackupError> {
    read(archive, &mut |_, _| Ok(()))
}

/// The entries read so far: path → (size, SHA-256).
type Seen = BTreeMap<String, (u64, String)>;

/// What [`read`] hands each entry to: its path in the archive and its bytes.
type Take<'a> = dyn FnMut(&str, &[u8]) -> Result<(), BackupError> + 'a;

/// Reads `archive`, handing each entry's path and bytes to `take` as it goes, and checks it
/// all at the end. Whoever takes entries must discard them if this fails.
fn read(archive: &Path, take: &mut Take<'_>) -> Result<Manifest, BackupError> {
    let whole = |problem: String| BackupError::Archive {
        archive: archive.to_path_buf(),
        problem,
    };
    let file = fs::File::open(archive).map_err(|e| whole(format!("cannot be opened: {e}")))?;
    let mut tar = tar::Archive::new(BufReader::new(file));
    let entries = tar
        .entries()
        .map_err(|e| whole(format!("is not a tar archive: {e}")))?;
    let mut seen = Seen::new();
    let mut manifest: Option<Manifest> = None;
    let mut last = String::from("(the first)");
    for entry in entries {
        let entry = entry.map_err(|e| {
            whole(format!(
                "is damaged after entry {last}: {e}; it is not a backup securebase can use"
            ))
        })?;
        let (name, bytes) = read_entry(archive, entry, manifest.is_some(), &seen)?;
        if name == MANIFEST {
            manifest = Some(serde_json::from_slice(&bytes).map_err(|e| {
                entry_error(archive, &name, format!("is not a securebase manifest: {e}"))
            })?);
        } else {
            take(&name, &bytes)?;
            seen.insert(
                name.clone(),
                (bytes.len() as u64, super::checksum::sha256_hex(&bytes)),
            );
        }
        last = name;
    }
    let Some(manifest) = manifest else {
        return Err(whole(format!(
            "has no {MANIFEST}; it is incomplete (cut short?) or not a securebase backup"
        )));
    };
    check_against(archive, &manifest, &seen)?;
    Ok(manifest)
}

fn entry_error(archive: &Path, entry: &str, problem: String) -> BackupError {
    BackupError::Entry {
        archive: archive.to_path_buf(),
        entry: entry.to_owned(),
        problem,
    }
}

/// One entry's name and bytes, refused unless it is a plain file of a data folder, not seen
/// before, not after the manifest, and of a sane size.
fn read_entry<R: Read>(
    archive: &Path,
    mut entry: tar::Entry<'_, R>,
    after_manifest: bool,
    seen: &Seen,
) -> Result<(String, Vec<u8>), BackupError> {
    let name = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
    let refuse = |problem: String| Err(entry_error(archive, &name, problem));
    if after_manifest {
        return refuse(format!("comes after {MANIFEST}, which must be last"));
    }
    if entry.header().entry_type() != tar::EntryType::Regular {
        return refuse("is not a plain file".to_owned());
    }
    if name != MANIFEST && !belongs(&name) {
        return refuse("is not a file of a securebase data folder".to_owned());
    }
    if seen.contains_key(&name) {
        return refuse("is in the archive twice".to_owned());
    }
    let size = entry.size();
    if size > MAX_ENTRY {
        return refuse(format!("is {size} bytes, more than any securebase file"));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    if let Err(e) = entry.read_to_end(&mut bytes) {
        return refuse(format!("cannot be read whole: {e}"));
    }
    Ok((name, bytes))
}

/// Every entry is the one the manifest lists, and a data folder's two essential files are
/// there.
fn check_against(archive: &Path, manifest: &Manifest, seen: &Seen) -> Result<(), BackupError> {
    let at = |entry: &str, problem: String| Err(entry_error(archive, entry, problem));
    if manifest.format > FORMAT {
        return Err(BackupError::Archive {
            archive: archive.to_path_buf(),
            problem: format!(
                "was written by a newer securebase (backup format {}; this version reads up \
                 to {FORMAT}); update securebase",
                manifest.format
            ),
        });
    }
    for listed in &manifest.entries {
        match seen.get(&listed.path) {
            None => return at(&listed.path, "is in the manifest but missing".to_owned()),
            Some((size, _)) if *size != listed.size => {
                return at(
                    &listed.path,
                    format!(
                        "is {size} bytes, the manifest says {}: the archive is damaged or was \
                         changed",
                        listed.size
                    ),
                );
            }
            Some((_, sha256)) if *sha256 != listed.sha256 => {
                return at(
                    &listed.path,
                    "does not match its SHA-256 in the manifest: the archive is damaged or \
                     was changed"
                        .to_owned(),
                );
            }
            Some(_) => {}
        }
    }
    let listed: BTreeSet<&str> = manifest.entries.iter().map(|e| e.path.as_str()).collect();
    if let Some(extra) = seen.keys().find(|path| !listed.contains(path.as_str())) {
        return at(extra, "is not in the manifest: it was added".to_owned());
    }
    let has_key = seen.contains_key("identity.age") || seen.keys().any(|p| p.starts_with("keys/"));
    for (needed, there) in [
        ("securebase.json", seen.contains_key("securebase.json")),
        ("key (keys/ or identity.age)", has_key),
    ] {
        if !there {
            return Err(BackupError::Archive {
                archive: archive.to_path_buf(),
                problem: format!("has no {needed}: it is not a whole data folder"),
            });
        }
    }
    Ok(())
}

/// Restores the backup `archive` into `dir`, which must be empty or not exist: the archive is
/// checked whole first, unpacked beside `dir`, and moved into place with one rename, so that
/// `dir` ends up either untouched or complete.
pub fn restore(archive: &Path, dir: &Path) -> Result<Manifest, BackupError> {
    match super::paths::contents(dir) {
        super::paths::Contents::Absent | super::paths::Contents::Empty => {}
        _ => {
            return Err(BackupError::Refused(format!(
                "{} is not an empty folder; securebase restores only into an empty or new \
                 folder, so that nothing there is replaced. Nothing was changed.",
                dir.display()
            )));
        }
    }
    verify(archive)?;
    let parent = dir
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    fs::create_dir_all(parent).map_err(io_error(format!("cannot create {}", parent.display())))?;
    let staging = tempfile::Builder::new()
        .prefix(".securebase-restore-")
        .tempdir_in(parent)
        .map_err(io_error(format!(
            "cannot create a folder in {}",
            parent.display()
        )))?;
    let manifest = read(archive, &mut |relative, bytes| {
        let mut path = staging.path().to_path_buf();
        path.extend(relative.split('/'));
        write_new(&path, bytes)
    })?;
    sync_folders(staging.path());
    if super::paths::contents(dir) == super::paths::Contents::Empty {
        fs::remove_dir(dir).map_err(io_error(format!("cannot replace {}", dir.display())))?;
    }
    let staged = staging.keep();
    if let Err(e) = fs::rename(&staged, dir) {
        let _ = fs::remove_dir_all(&staged);
        return Err(io_error(format!(
            "cannot move the restored folder to {}",
            dir.display()
        ))(e));
    }
    sync_folder(parent);
    Ok(manifest)
}

/// Writes a new file (0600 on Unix), and its folders, durably.
fn write_new(path: &Path, bytes: &[u8]) -> Result<(), BackupError> {
    debug_assert!(
        path.components()
            .all(|c| !matches!(c, Component::ParentDir))
    );
    if let Some(folder) = path.parent() {
        super::create_private_dir(folder)
            .map_err(io_error(format!("cannot create {}", folder.display())))?;
    }
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options
        .open(path)
        .map_err(io_error(format!("cannot create {}", path.display())))?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .map_err(io_error(format!("cannot write {}", path.display())))
}

/// Makes the folders of a restore durable: `root` and every folder below it (Unix; on Windows
/// a folder cannot be synced).
fn sync_folders(root: &Path) {
    let mut folders = vec![root.to_path_buf()];
    while let Some(folder) = folders.pop() {
        if let Ok(entries) = fs::read_dir(&folder) {
            folders.extend(
                entries
                    .filter_map(Result::ok)
                    .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
                    .map(|e| e.path()),
            );
        }
        sync_folder(&folder);
    }
}

/// Makes the entries of one folder durable (Unix only).
fn sync_folder(folder: &Path) {
    #[cfg(unix)]
    let _ = fs::File::open(folder).and_then(|f| f.sync_all());
    #[cfg(not(unix))]
    let _ = folder;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_data_folders_own_files_belong() {
        for yes in [
            "securebase.json",
            "identity.age",
            "settings.json",
            "local-norms.age",
            "couples.age",
            "clients/01HZX.age",
            "administrations/01HZX/01J00.age",
            "audit/20261201T0900000000Z-abcd1234.age",
            "audit-head.age",
            "audit-earlier.age",
            "tombstones/01J00.age",
            "questionnaires/my-ecr.json",
        ] {
            assert!(belongs(yes), "{yes}");
        }
        for no in [
            "lock",
            "lock.pid",
            "backup.lock",
            "notes.txt",
            "clients/.securebase-x.tmp",
            "clients/x.AGE",
            "clients/sub/x.age",
            "../clients/x.age",
            "clients/../identity.age",
            "/identity.age",
            "administrations/../x.age",
            "administrations/a/b/c.age",
            "questionnaires/x.age",
            "clients/x y.age",
        ] {
            assert!(!belongs(no), "{no}");
        }
    }
}
