//! `securebase init`, `securebase clinician add|list` and `securebase change-passphrase`: a
//! data folder set up with its first clinician, more clinicians, and a passphrase changed.
//!
//! Together because all are about the passphrases that seal the key, and none reads a record.

use anyhow::Result;

use super::ClinicianCommand;
use super::data_folder::{open, open_unlocked, user};
use super::passphrase;
use crate::store::{Store, StoreError};

/// `securebase init`.
pub fn init(dir: &std::path::Path, name: &str) -> Result<()> {
    if Store::is_initialised(dir) {
        return Err(user(StoreError::AlreadyInitialised(dir.to_path_buf())));
    }
    let pass = passphrase::ask_new(crate::env::PASSPHRASE)?;
    let (store, keys) = Store::init(dir, name, &pass, passphrase::work_factor()?).map_err(user)?;
    println!("Data folder set up at {}", store.dir().display());
    println!(
        "First clinician: {} (`securebase clinician add --name NAME` adds colleagues, each with their own passphrase).",
        keys.clinician.name
    );
    println!(
        "Keep the passphrase safe: it cannot be recovered, and without it nobody can read the records."
    );
    Ok(())
}

/// `securebase clinician add|list`.
pub fn clinician(dir: &std::path::Path, command: &ClinicianCommand) -> Result<()> {
    match command {
        ClinicianCommand::Add { name } => {
            let (store, keys) = open_unlocked(dir)?;
            let pass = passphrase::ask_changed()?;
            let added = store
                .add_clinician(&keys, name, &pass, passphrase::work_factor()?)
                .map_err(user)?;
            println!("{}\t{}", added.id, added.name);
            eprintln!(
                "Added {} (by {}). They unlock with their own passphrase.",
                added.name, keys.clinician.name
            );
        }
        ClinicianCommand::List => {
            let store = open(dir)?;
            println!("id\tname\tadded");
            let clinicians = store.clinicians();
            if clinicians.is_empty() {
                eprintln!(
                    "securebase: this data folder is from before clinicians: its one passphrase \
                     becomes the first clinician's at the next unlock"
                );
            }
            for c in clinicians {
                println!("{}\t{}\t{}", c.id, c.name, c.added);
            }
        }
    }
    Ok(())
}

/// `securebase change-passphrase`.
pub fn change_passphrase(dir: &std::path::Path) -> Result<()> {
    let store = open(dir)?;
    let old = passphrase::ask("Current passphrase: ")?;
    let keys = store
        .unlock_as(crate::env::clinician().as_deref(), &old)
        .map_err(user)?;
    let new = passphrase::ask_changed()?;
    store
        .change_passphrase(&keys, &new, passphrase::work_factor()?)
        .map_err(user)?;
    println!(
        "Passphrase changed. The records were not touched; only the key that opens them was re-sealed."
    );
    Ok(())
}
