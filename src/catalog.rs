//! The set of instruments a run can use: the bundled ones plus any loaded from a folder.
//!
//! A broken file never stops anything: it is kept in [`Catalog::failures`] with its error, to be
//! listed where a person will see it, and every other instrument stays usable.

use std::fs;
use std::path::{Path, PathBuf};

use crate::core::bundled;
use crate::core::instrument::Instrument;

/// A file that could not be loaded, with its error.
#[derive(Debug, Clone)]
pub struct LoadFailure {
    /// The file (or `<bundled>/…`).
    pub file: PathBuf,
    /// What is wrong: file, JSON path and problem.
    pub error: String,
}

/// Loaded instruments.
#[derive(Debug, Clone, Default)]
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
                    error: e.to_string(),
                }),
            }
        }
        catalog
    }

    /// Adds every `*.json` file in `dir` (not recursive), in name order. A file whose id is
    /// already loaded is refused, so that a stray copy can never change how a bundled
    /// instrument is scored. Fails only if the folder itself cannot be read.
    pub fn load_dir(&mut self, dir: &Path) -> std::io::Result<()> {
        let mut paths: Vec<PathBuf> = fs::read_dir(dir)?
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
                            error: format!(
                                "{}: at $.id: id {:?} is already loaded (bundled or an earlier file); give this file its own id",
                                path.display(),
                                instrument.id
                            ),
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

/// Reads and checks one questionnaire file; the error names the file.
pub fn load_file(path: &Path) -> Result<Instrument, String> {
    let name = path.display().to_string();
    let text = fs::read_to_string(path).map_err(|e| format!("{name}: cannot read: {e}"))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    Instrument::from_json(&name, text).map_err(|e| e.to_string())
}
