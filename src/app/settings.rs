//! The app's settings: idle lock, text size, theme, and the clinic's own batteries.
//!
//! Kept in `settings.json` in the data folder (nothing in it is about a client), written
//! atomically. A missing or unreadable file gives the defaults, never an error screen.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::atomic::write_atomic;

/// The settings file's name in the data folder.
pub const FILE: &str = "settings.json";

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
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            format: 1,
            idle_minutes: 5,
            text_scale: 1.0,
            theme: ThemeChoice::Light,
            batteries: Vec::new(),
        }
    }
}

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
    /// Reads the settings of a data folder; defaults where absent or unreadable.
    pub fn load(data_dir: &Path) -> Self {
        std::fs::read(data_dir.join(FILE))
            .ok()
            .and_then(|bytes| serde_json::from_slice::<Settings>(&bytes).ok())
            .map(Settings::sanitised)
            .unwrap_or_default()
    }

    /// Writes the settings atomically.
    pub fn save(&self, data_dir: &Path) -> std::io::Result<()> {
        let text = serde_json::to_vec_pretty(self).map_err(std::io::Error::other)?;
        write_atomic(&data_dir.join(FILE), &text)
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

    /// Built-in batteries followed by the clinic's own.
    pub fn all_batteries(&self) -> Vec<Battery> {
        let mut all = built_in_batteries();
        all.extend(self.batteries.iter().cloned());
        all
    }
}
