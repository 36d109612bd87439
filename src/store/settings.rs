//! The app's settings: idle lock, text size, theme, and the clinic's own batteries.
//!
//! Kept in `settings.json` in the data folder (nothing in it is about a client), written
//! atomically. A missing file gives the defaults. A file that cannot be read is never replaced
//! in silence: the app sets it aside under a dated name and says so
//! ([`Settings::load_or_set_aside`]), and [`Settings::save`] refuses to write over a file it
//! cannot read, because the next "Save settings" would otherwise overwrite the clinic's
//! figures and batteries with the defaults.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::atomic::write_atomic;

/// The settings file's name in the data folder.
pub const FILE: &str = "settings.json";

/// The format this version reads and writes. Format 1 is the first; a later one (from a newer
/// securebase) is refused rather than misread.
pub const FORMAT: u32 = 1;

/// Why the settings file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    /// It could not be read.
    #[error("{}: cannot be read: {source}", file.display())]
    Io {
        /// The file.
        file: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// It is not settings JSON (the error gives line and column).
    #[error("{}: not valid settings: {source}", file.display())]
    Json {
        /// The file.
        file: PathBuf,
        /// Why, with line and column.
        #[source]
        source: serde_json::Error,
    },
    /// It has a format this version does not read.
    #[error(
        "{}: format {format}, which this version of securebase does not read (it reads format \
         {FORMAT}{newer})",
        file.display(),
        newer = if *format > FORMAT { "; the file is from a newer version" } else { "" }
    )]
    Format {
        /// The file.
        file: PathBuf,
        /// Its `format` field.
        format: u32,
    },
}

/// Colour theme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ThemeChoice {
    /// Dark text on a light background.
    Light,
    /// Light text on a dark background.
    Dark,
    /// White on black with yellow focus: for low vision.
    HighContrast,
}

impl ThemeChoice {
    /// All choices, in the order shown.
    pub const ALL: [ThemeChoice; 3] = [
        ThemeChoice::Light,
        ThemeChoice::Dark,
        ThemeChoice::HighContrast,
    ];

    /// Name for people.
    pub fn label(self) -> &'static str {
        match self {
            ThemeChoice::Light => "Light",
            ThemeChoice::Dark => "Dark",
            ThemeChoice::HighContrast => "High contrast",
        }
    }
}

/// Paper sizes of PDF reports (a setting; the PDF layout reads its size).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Paper {
    /// 210 × 297 mm.
    A4,
    /// 8.5 × 11 in.
    Letter,
}

impl Paper {
    /// Width and height in points.
    pub fn size(self) -> (f32, f32) {
        match self {
            Paper::A4 => (595.276, 841.89),
            Paper::Letter => (612.0, 792.0),
        }
    }

    /// From its name (`a4`, `letter`), any case.
    pub fn parse(name: &str) -> Option<Self> {
        match name.trim().to_ascii_lowercase().as_str() {
            "a4" => Some(Paper::A4),
            "letter" | "us-letter" | "us letter" => Some(Paper::Letter),
            _ => None,
        }
    }
}

/// A named list of instruments given together.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Battery {
    /// Name shown on its button.
    pub name: String,
    /// Instrument ids, in the order given.
    pub instruments: Vec<String>,
}

/// The batteries every clinic has.
pub fn built_in_batteries() -> Vec<Battery> {
    let battery = |name: &str, ids: &[&str]| Battery {
        name: name.to_owned(),
        instruments: ids.iter().map(|s| (*s).to_owned()).collect(),
    };
    vec![
        battery("Intake", &["ecr-r", "rfq-8", "rq"]),
        battery("Follow-up", &["ecr-r"]),
        battery("Relationships", &["ecr-rs"]),
    ]
}

/// A reliability and SD a clinic supplies for one score, so that measurement error and reliable
/// change can be computed (no verified figures are shipped with the questionnaires).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClinicFigures {
    /// Instrument id.
    pub instrument: String,
    /// Score id.
    pub score: String,
    /// Reliability coefficient, between 0 and 1.
    pub reliability: f64,
    /// Standard deviation from the same source.
    pub sd: f64,
    /// Where the figures come from, citable.
    pub source: String,
}

impl ClinicFigures {
    /// The figures as the core uses them, when they are usable.
    pub fn figures(&self) -> Option<crate::core::change::Figures> {
        let usable = self.reliability > 0.0
            && self.reliability < 1.0
            && self.sd.is_finite()
            && self.sd > 0.0
            && !self.source.trim().is_empty();
        usable.then(|| crate::core::change::Figures {
            reliability: self.reliability,
            sd: self.sd,
            source: self.source.clone(),
        })
    }
}

/// Everything a clinic can set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// Format version of the file.
    pub format: u32,
    /// Minutes without input before the clinician's workspace locks (and client mode pauses).
    pub idle_minutes: u32,
    /// Text size: 1.0 is normal; up to 2.0.
    pub text_scale: f32,
    /// Colour theme.
    pub theme: ThemeChoice,
    /// Batteries the clinic saved.
    pub batteries: Vec<Battery>,
    /// Reliability and SD per score, supplied by the clinic.
    pub figures: Vec<ClinicFigures>,
    /// Opt-in: results show z, T and percentile against the clinic's local norms (and their
    /// region on the plane) when local norms have been computed.
    pub use_local_norms: bool,
    /// Opt-in: bands and reliable change use the clinic's own figures (α and SD over its
    /// intakes, computed with the local norms) where no figures were typed in.
    pub use_clinic_reliability: bool,
    /// Fewer intakes than this with a scale complete, and its computed figures are "not enough
    /// data" (not used).
    pub min_reliability_n: usize,
    /// Paper size of PDF reports.
    pub paper: Paper,
    /// Paper forms are keyed in twice by default (double entry); each form can still choose.
    pub paper_double_entry: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            format: FORMAT,
            idle_minutes: 5,
            text_scale: 1.0,
            theme: ThemeChoice::Light,
            batteries: Vec::new(),
            figures: Vec::new(),
            use_local_norms: false,
            use_clinic_reliability: false,
            min_reliability_n: DEFAULT_MIN_RELIABILITY_N,
            paper: Paper::A4,
            paper_double_entry: false,
        }
    }
}

/// The fewest intakes whose own α and SD are used for bands and reliable change, unless the
/// clinic sets another: 30 is a common floor for a stable α (its interval at n = 30 is still
/// about ±.1 for α near .8); below it the figures are shown as "not enough data".
pub const DEFAULT_MIN_RELIABILITY_N: usize = 30;

/// Text sizes offered, as (label, scale).
pub const TEXT_SCALES: [(&str, f32); 4] = [
    ("Normal", 1.0),
    ("Large", 1.25),
    ("Larger", 1.5),
    ("Largest", 1.75),
];

/// Idle times offered, in minutes.
pub const IDLE_CHOICES: [u32; 5] = [2, 5, 10, 15, 30];

impl Settings {
    /// Reads the settings of a data folder: the defaults when there is no file yet, an error
    /// naming the file when it cannot be used.
    pub fn load(data_dir: &Path) -> Result<Self, SettingsError> {
        let file = data_dir.join(FILE);
        let bytes = match crate::safe_read::read_regular(&file, 1 << 20) {
            Ok(bytes) => bytes,
            Err(e) if e.io_kind() == Some(std::io::ErrorKind::NotFound) => {
                return Ok(Settings::default());
            }
            Err(e) => {
                return Err(SettingsError::Io {
                    file,
                    source: std::io::Error::other(e.to_string()),
                });
            }
        };
        let settings: Settings = match serde_json::from_slice(&bytes) {
            Ok(settings) => settings,
            Err(source) => return Err(SettingsError::Json { file, source }),
        };
        if settings.format != FORMAT {
            return Err(SettingsError::Format {
                file,
                format: settings.format,
            });
        }
        Ok(settings.sanitised())
    }

    /// [`Settings::load`] for the app, which saves: a damaged file is renamed
    /// `settings.json.unreadable-<time>` (kept, for the clinic or IT to look at); one from a
    /// newer version stays in place for that version. Either way the defaults are used, with a
    /// sentence for the clinician saying so.
    pub fn load_or_set_aside(data_dir: &Path) -> (Self, Option<String>) {
        let e = match Settings::load(data_dir) {
            Ok(settings) => return (settings, None),
            Err(e @ SettingsError::Format { .. }) => {
                // Left where it is, for the version that wrote it; `save` will not replace it.
                return (
                    Settings::default(),
                    Some(format!(
                        "The settings could not be used, so the defaults are in use, and saving \
                         settings is refused so as not to replace them. {e}"
                    )),
                );
            }
            Err(e) => e,
        };
        let file = data_dir.join(FILE);
        let stamp = jiff::Timestamp::now().strftime("%Y%m%dT%H%M%SZ");
        let aside = data_dir.join(format!("{FILE}.unreadable-{stamp}"));
        let message = match std::fs::rename(&file, &aside) {
            Ok(()) => format!(
                "The settings could not be used, so the defaults are in use; the file was kept \
                 as {}. {e}",
                aside.display()
            ),
            Err(rename) => format!(
                "The settings could not be used, so the defaults are in use, and the file could \
                 not be set aside ({rename}), so saving settings is refused until it is moved. \
                 {e}"
            ),
        };
        (Settings::default(), Some(message))
    }

    /// Writes the settings atomically; refuses to replace a settings file it cannot read
    /// (one from a newer version, or damaged), so that nothing a clinic set is lost.
    pub fn save(&self, data_dir: &Path) -> Result<(), SettingsError> {
        let file = data_dir.join(FILE);
        Settings::load(data_dir)?;
        let text = serde_json::to_vec_pretty(self).map_err(|source| SettingsError::Json {
            file: file.clone(),
            source,
        })?;
        write_atomic(&file, &text).map_err(|source| SettingsError::Io { file, source })
    }

    /// Values clamped to what the app offers, so a hand-edited file cannot break the UI.
    fn sanitised(mut self) -> Self {
        self.idle_minutes = self.idle_minutes.clamp(1, 120);
        self.text_scale = if self.text_scale.is_finite() {
            self.text_scale.clamp(0.75, 2.0)
        } else {
            1.0
        };
        self
    }

    /// The clinic's figures for a score of an instrument, if set and usable.
    pub fn figures_for(
        &self,
        instrument: &str,
        score: &str,
    ) -> Option<crate::core::change::Figures> {
        self.figures
            .iter()
            .find(|f| f.instrument == instrument && f.score == score)
            .and_then(ClinicFigures::figures)
    }

    /// Built-in batteries followed by the clinic's own.
    pub fn all_batteries(&self) -> Vec<Battery> {
        let mut all = built_in_batteries();
        all.extend(self.batteries.iter().cloned());
        all
    }
}
