//! Where the data folder is: `--data-dir`, else `SECUREBASE_DATA`, else the platform's place
//! for application data (Linux `~/.local/share/securebase`, Windows
//! `%APPDATA%\securebase\securebase\data`, macOS `~/Library/Application Support/org.securebase.securebase`).

use std::path::PathBuf;

/// The environment variable that overrides the default data folder.
pub const DATA_ENV: &str = "SECUREBASE_DATA";

/// The platform's default data folder, if the platform has a home folder.
pub fn default_data_dir() -> Option<PathBuf> {
    directories::ProjectDirs::from("org", "securebase", "securebase")
        .map(|dirs| dirs.data_dir().to_path_buf())
}

/// The data folder to use: the explicit one, else `SECUREBASE_DATA`, else the default.
pub fn resolve(explicit: Option<PathBuf>) -> Option<PathBuf> {
    explicit
        .or_else(|| {
            std::env::var_os(DATA_ENV)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        })
        .or_else(default_data_dir)
}
