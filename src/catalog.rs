//! The set of instruments a run can use: the bundled ones plus any loaded from a folder.
//!
//! A broken file never stops anything: it is kept in [`Catalog::failures`] with its error, to be
//! listed where a person will see it, and every other instrument stays usable.

use std::fs;
use std::path::{Path, PathBuf};

use crate::core::bundled;
use crate::core::error::InstrumentError;
use crate::core::instrument::Instrument;

/// Why a questionnaire file (or folder) could not be loaded. Each names the file or folder.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The file could not be read.
    #[error("{}: cannot read: {source}", file.display())]
    Read {
        /// The file.
        file: PathBuf,
        /// Why.
        source: std::io::Error,
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
            match load_file(&path) {
                Ok(instrument) => {
                    if self.get(&instrument.id).is_some() {
                        self.failures.push(LoadFailure {
                            error: LoadError::Duplicate {
                                file: path.clone(),
                                id: instrument.id,
                            },
                            file: path,
                        });
                    } else {
                        self.instruments.push(instrument);
                    }
                }
                Err(error) => self.failures.push(LoadFailure { file: path, error }),
            }
        }
        Ok(())
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
/// [`LoadError::Read`] or [`LoadError::Invalid`], naming the file.
pub fn load_file(path: &Path) -> Result<Instrument, LoadError> {
    let name = path.display().to_string();
    let text = fs::read_to_string(path).map_err(|source| LoadError::Read {
        file: path.to_owned(),
        source,
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    Ok(Instrument::from_json(&name, text)?)
}
