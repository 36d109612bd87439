//! `securebase init` and `securebase change-passphrase`: a data folder set up with its
//! passphrase, and that passphrase changed.
//!
//! Together because both are about the passphrase that seals the key, and neither reads a
//! record.

use anyhow::Result;

use super::data_folder::{open, user};
use super::passphrase;
use crate::store::{Store, StoreError};

/// `securebase init`.
pub fn init(dir: &std::path::Path) -> Result<()> {
    if Store::is_initialised(dir) {
        return Err(user(StoreError::AlreadyInitialised(dir.to_path_buf())));
    }
    let pass = passphrase::ask_new(crate::env::PASSPHRASE)?;
    let (store, _keys) = Store::init(dir, &pass, passphrase::work_factor()?).map_err(user)?;
    println!("Data folder set up at {}", store.dir().display());
    println!(
        "Keep the passphrase safe: it cannot be recovered, and without it nobody can read the records."
    );
    Ok(())
}

/// `securebase change-passphrase`.
pub fn change_passphrase(dir: &std::path::Path) -> Result<()> {
    let store = open(dir)?;
    let old = passphrase::ask("Current passphrase: ")?;
    let keys = store.unlock(&old).map_err(user)?;
    let new = passphrase::ask_changed()?;
    store
        .change_passphrase(&keys, &new, passphrase::work_factor()?)
        .map_err(user)?;
    println!(
        "Passphrase changed. The records were not touched; only the key that opens them was re-sealed."
    );
    Ok(())
}
