//! `securebase init`, `securebase clinician add|list` and `securebase change-passphrase`: a
//! data folder set up with its first clinician, more clinicians, and a passphrase changed.
//!
//! Together because all are about the passphrases that seal the key, and none reads a record.

use anyhow::Result;

use super::data_folder::{open, open_unlocked, user};
use super::passphrase;
use super::{ClinicianCommand, InitArgs};
use crate::store::settings::Paper;
use crate::store::{Store, StoreError};

/// `securebase init`: the folder, its first clinician, and its recovery key (on a sheet, or
/// its code shown once).
pub fn init(dir: &std::path::Path, args: &InitArgs) -> Result<()> {
    if Store::is_initialised(dir) {
        return Err(user(StoreError::AlreadyInitialised(dir.to_path_buf())));
    }
    if Store::holds_records(dir) {
        return Err(user(StoreError::MetaMissing(dir.to_path_buf())));
    }
    let pass = passphrase::ask_new(crate::env::PASSPHRASE)?;
    let (store, keys) =
        Store::init(dir, &args.name, &pass, passphrase::work_factor()?).map_err(user)?;
    println!("Data folder set up at {}", store.dir().display());
    println!(
        "First clinician: {} (`securebase clinician add --name NAME` adds colleagues, each with their own passphrase).",
        keys.clinician.name
    );
    match &args.recovery_sheet {
        Some(path) => super::recovery::make_sheet(&store, &keys, path, Paper::A4)?,
        None => super::recovery::show_code(&store, &keys)?,
    }
    println!(
        "Keep the passphrase safe. Without it and without the recovery code, nobody can read the records."
    );
    Ok(())
}

/// `securebase clinician add|list|remove|rename`.
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
        ClinicianCommand::Remove { name } => {
            let (store, mut keys) = open_unlocked(dir)?;
            let removed = store.remove_clinician(&mut keys, name).map_err(user)?;
            println!("{}\t{}", removed.id, removed.name);
            eprintln!(
                "Removed {} (by {}). The folder's key was replaced: their passphrase, and any \
                 copy of the old key, open nothing written from now on.",
                removed.name, keys.clinician.name
            );
        }
        ClinicianCommand::Rename { name, to } => {
            let (store, keys) = open_unlocked(dir)?;
            let renamed = store.rename_clinician(&keys, name, to).map_err(user)?;
            println!("{}\t{}", renamed.id, renamed.name);
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
