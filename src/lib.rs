//! securebase: adult attachment assessment for clinicians.
//!
//! See `ARCHITECTURE.md` for the map. In short: [`core`] is the pure domain (instruments,
//! scoring); [`catalog`] loads instruments from the binary and from folders; [`cli`] is the
//! command line; [`store`] keeps the encrypted records; `app` (feature `gui`) is the desktop
//! app; [`atomic`] writes files so that a crash never leaves half a file.

#[cfg(feature = "gui")]
pub mod app;
pub mod atomic;
pub mod catalog;
pub mod cli;
pub mod clinic_norms;
pub mod core;
pub mod env;
pub mod export;
pub mod report;
pub mod results;
pub mod settings;
pub mod store;
