//! The data folder for the commands that use it: where it is ([`data_dir`], [`locate`]),
//! opening and unlocking its store ([`open_unlocked`] asks for the passphrase), and the store's
//! errors as exit codes ([`user`]).
//!
//! Apart from the subcommands so that `init`, `client`, `enter`, `history`, `audit`,
//! `change-passphrase`, `report`, `export` and `backup` all find, open and fail the same way.

use std::path::PathBuf;

use anyhow::Result;

use super::passphrase;
use super::{BadInput, bad_input};
use crate::store::{self, Keys, Loaded, Store, StoreError};

/// The data folder to use, or an error saying how to name one. A move from Windows' Roaming
/// place is carried out here, and what happened is said on stderr.
pub fn data_dir(explicit: Option<PathBuf>) -> Result<PathBuf> {
    let location = locate(explicit)?;
    if let Some(notice) = &location.notice {
        eprintln!("securebase: note: {notice}");
    }
    Ok(location.dir)
}

/// Where the data folder is and why, after any move from Roaming.
pub fn locate(explicit: Option<PathBuf>) -> Result<store::paths::Location> {
    let candidates = store::paths::candidates(explicit).map_err(|e| BadInput(e.to_string()))?;
    match store::paths::plan(&candidates, &store::paths::contents) {
        Some(location) => Ok(store::paths::settle(location)),
        None => bad_input("no home folder to put the data folder in; pass --data-dir"),
    }
}

/// Turns store errors into exit codes: the user's mistakes are [`BadInput`] (exit 2).
pub(super) fn user(e: StoreError) -> anyhow::Error {
    if e.is_user_error() {
        BadInput(e.to_string()).into()
    } else {
        anyhow::Error::new(e)
    }
}

/// Opens the store in `dir`.
pub(super) fn open(dir: &std::path::Path) -> Result<Store> {
    let store = Store::open(dir).map_err(user)?;
    if let Some(warning) = store::loose_modes_warning(dir) {
        eprintln!("securebase: warning: {warning}");
    }
    Ok(store)
}

/// Opens and unlocks the store.
pub(super) fn open_unlocked(dir: &std::path::Path) -> Result<(Store, Keys)> {
    let store = open(dir)?;
    let pass = passphrase::ask("Passphrase: ")?;
    let keys = store
        .unlock_as(crate::env::clinician().as_deref(), &pass)
        .map_err(user)?;
    Ok((store, keys))
}

/// Reports files that could not be read, without stopping.
pub(super) fn warn_failures<T>(loaded: &Loaded<T>) {
    warn_each(&loaded.failures);
}

/// Names each record that was left out on stderr: set apart (it reads, but its ids say it
/// belongs elsewhere) or unreadable.
pub(super) fn warn_each(failures: &[StoreError]) {
    for f in failures {
        if f.is_set_apart() || matches!(f, StoreError::Stray { .. }) {
            eprintln!("securebase: warning: {f}");
        } else {
            eprintln!("securebase: warning: skipped unreadable record: {f}");
        }
    }
}
