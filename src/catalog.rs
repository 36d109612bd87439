//! The set of instruments a run can use: the bundled ones plus any loaded from a folder.
//!
//! A broken file never stops anything: it is kept in [`Catalog::failures`] with its error, to be
//! listed where a person will see it, and every other instrument stays usable.
//!
//! A file is read only when it is a regular file, never through a symbolic link, without
//! waiting on a FIFO, and never past [`MAX_FILE_BYTES`] ([`crate::safe_read`], REDTEAM M4): a
//! FIFO or a link to `/dev/zero` among the questionnaires is a failure by name, at once. An
//! instrument whose id, or whose short name (what the app shows on its buttons), is already
//! loaded is refused: a look-alike must never sit beside the instrument it imitates (L13).

use std::fs;
use std::path::{Path, PathBuf};

use crate::core::bundled;
use crate::core::error::InstrumentError;
use crate::core::instrument::Instrument;
use crate::core::limits::MAX_FILE_BYTES;
use crate::safe_read::{ReadError, read_regular_text};

/// Why a questionnaire file (or folder) could not be loaded. Each names the file or folder.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The file could not be read, or is not a regular file (a FIFO, a device, a link, a
    /// folder); the error names it.
    #[error("{cause}")]
    Read {
        /// The file.
        file: PathBuf,
        /// Why, naming the file (in the message, not a `source`, so that a chain of causes
        /// does not say it twice).
        cause: ReadError,
    },
    /// The file is larger than a questionnaire file may be; it was not read.
    #[error(
        "{}: the file is {size} bytes; a questionnaire file may have at most 1 MiB ({} bytes), securebase's limit (see \"Limits\" in questionnaires/README.md); it was not read",
        file.display(),
        MAX_FILE_BYTES
    )]
    TooLarge {
        /// The file.
        file: PathBuf,
        /// Its size in bytes (at least the limit plus one, if it grew while read).
        size: u64,
    },
    /// The file is not a usable questionnaire (its JSON path and problem).
    #[error(transparent)]
    Invalid(#[from] InstrumentError),
    /// Its id is already loaded: a stray copy must never change how an instrument is scored.
    #[error(
        "{}: at $.id: id {id:?} is already loaded (bundled or an earlier file); give this file its own id",
        file.display()
    )]
    Duplicate {
        /// The file.
        file: PathBuf,
        /// The id.
        id: String,
    },
    /// Its short name is already another loaded instrument's (compared without case and
    /// surrounding space): the app would show two buttons alike, and one imitates the other.
    #[error(
        "{}: at $.short_name: short name {short_name:?} is already the short name of {other} (bundled or an earlier file); give this questionnaire its own short name",
        file.display()
    )]
    DuplicateShortName {
        /// The file.
        file: PathBuf,
        /// Its short name, as written.
        short_name: String,
        /// The id of the instrument that has it.
        other: String,
    },
    /// A folder of questionnaires could not be read.
    #[error("cannot read questionnaire folder {}: {source}", dir.display())]
    Folder {
        /// The folder.
        dir: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

/// A file that could not be loaded, with its error.
#[derive(Debug)]
pub struct LoadFailure {
    /// The file (or `<bundled>/…`).
    pub file: PathBuf,
    /// What is wrong: file, JSON path and problem.
    pub error: LoadError,
}

/// Loaded instruments.
#[derive(Debug, Default)]
pub struct Catalog {
    /// Usable instruments, bundled first.
    pub instruments: Vec<Instrument>,
    /// Files that failed to load.
    pub failures: Vec<LoadFailure>,
}

impl Catalog {
    /// The bundled instruments.
    pub fn bundled() -> Self {
        let mut catalog = Self::default();
        for (result, (name, _)) in bundled::bundled().into_iter().zip(bundled::BUNDLED) {
            match result {
                Ok(instrument) => catalog.instruments.push(instrument),
                Err(e) => catalog.failures.push(LoadFailure {
                    file: PathBuf::from(format!("<bundled>/{name}")),
                    error: e.into(),
                }),
            }
        }
        catalog
    }

    /// What a run can use: the bundled instruments, then every file of `extra` (a folder
    /// given on the command line, which must exist), then the data folder's own `own` (its
    /// `questionnaires/`, read when it exists). The app and the command line both start here.
    ///
    /// # Errors
    /// [`LoadError::Folder`] when a folder cannot be read; a broken file is a failure in the
    /// catalog instead, and everything else stays usable.
    pub fn load(extra: Option<&Path>, own: Option<&Path>) -> Result<Self, LoadError> {
        let mut catalog = Self::bundled();
        if let Some(dir) = extra {
            catalog.load_dir(dir)?;
        }
        if let Some(dir) = own.filter(|d| d.is_dir()) {
            catalog.load_dir(dir)?;
        }
        Ok(catalog)
    }

    /// Adds every `*.json` file in `dir` (not recursive), in name order. A file whose id is
    /// already loaded is refused, so that a stray copy can never change how a bundled
    /// instrument is scored.
    ///
    /// # Errors
    /// Only when the folder itself cannot be read.
    pub fn load_dir(&mut self, dir: &Path) -> Result<(), LoadError> {
        let folder = |source| LoadError::Folder {
            dir: dir.to_owned(),
            source,
        };
        let mut paths: Vec<PathBuf> = fs::read_dir(dir)
            .map_err(folder)?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| {
                p.extension()
                    .is_some_and(|x| x.eq_ignore_ascii_case("json"))
            })
            .collect();
        paths.sort();
        for path in paths {
            match load_file(&path).and_then(|i| self.admit(&path, i)) {
                Ok(instrument) => self.instruments.push(instrument),
                Err(error) => self.failures.push(LoadFailure { file: path, error }),
            }
        }
        Ok(())
    }

    /// `instrument`, read from `file`, when it can join the catalog: its id and its short
    /// name are not already loaded (ids without case; short names without case and
    /// surrounding space).
    ///
    /// # Errors
    /// [`LoadError::Duplicate`] or [`LoadError::DuplicateShortName`], naming the file.
    pub fn admit(&self, file: &Path, instrument: Instrument) -> Result<Instrument, LoadError> {
        if self.get(&instrument.id).is_some() {
            return Err(LoadError::Duplicate {
                file: file.to_owned(),
                id: instrument.id,
            });
        }
        let short = instrument.short_name.trim();
        if let Some(other) = self
            .instruments
            .iter()
            .find(|i| i.short_name.trim().to_lowercase() == short.to_lowercase())
        {
            return Err(LoadError::DuplicateShortName {
                file: file.to_owned(),
                short_name: instrument.short_name,
                other: other.id.clone(),
            });
        }
        Ok(instrument)
    }

    /// The instrument with this id (case-insensitive).
    pub fn get(&self, id: &str) -> Option<&Instrument> {
        self.instruments
            .iter()
            .find(|i| i.id.eq_ignore_ascii_case(id.trim()))
    }

    /// Ids of all loaded instruments, for messages.
    pub fn ids(&self) -> Vec<&str> {
        self.instruments.iter().map(|i| i.id.as_str()).collect()
    }
}

/// Reads and checks one questionnaire file.
///
/// # Errors
/// [`LoadError::Read`], [`LoadError::TooLarge`] or [`LoadError::Invalid`], naming the file.
pub fn load_file(path: &Path) -> Result<Instrument, LoadError> {
    read_file(path).map(|(instrument, _)| instrument)
}

/// [`load_file`], with the bytes the instrument was read from: what is checked is what a
/// caller copies, with no second read in between.
///
/// # Errors
/// As [`load_file`].
pub fn read_file(path: &Path) -> Result<(Instrument, Vec<u8>), LoadError> {
    let text = read_regular_text(path, MAX_FILE_BYTES).map_err(|cause| match cause {
        ReadError::TooLarge { size, .. } => LoadError::TooLarge {
            file: path.to_owned(),
            size,
        },
        cause => LoadError::Read {
            file: path.to_owned(),
            cause,
        },
    })?;
    let json = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let instrument = Instrument::from_json(&path.display().to_string(), json)?;
    Ok((instrument, text.into_bytes()))
}
