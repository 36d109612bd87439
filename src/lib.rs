//! securebase: adult attachment assessment for clinicians.
//!
//! See `ARCHITECTURE.md` for the map. In short: [`core`] is the pure domain (instruments,
//! scoring); [`catalog`] loads instruments from the binary and from folders; [`cli`] is the
//! command line; [`store`] keeps the encrypted records; [`results`] is what is said about an
//! administration, [`chart`] draws it and [`export`] writes the files that leave; `app`
//! (feature `gui`) is the desktop app; [`env`](mod@env) reads the environment; [`atomic`] writes files
//! so that a crash never leaves half a file; [`safe_read`] reads only regular files, capped.

#[cfg(feature = "gui")]
pub mod app;
pub mod atomic;
pub mod catalog;
pub mod chart;
pub mod cli;
pub mod core;
pub mod env;
pub mod export;
pub mod results;
pub mod safe_read;
pub mod store;
