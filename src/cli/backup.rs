//! `securebase backup` and `securebase restore`: the data folder into one file and back, while
//! the app runs, without the passphrase (see [`crate::store::backup`]).

use std::path::Path;

use anyhow::Result;

use super::{BackupArgs, BadInput, RestoreArgs};
use crate::store::backup::{self, BackupError};
use crate::store::{AuditAction, AuditTarget, Store, StoreError};

fn user(e: BackupError) -> anyhow::Error {
    if e.is_user_error() {
        BadInput(e.to_string()).into()
    } else {
        anyhow::Error::new(e)
    }
}

/// `securebase backup --verify FILE`: needs no data folder and no passphrase.
pub fn verify(archive: &Path) -> Result<()> {
    let manifest = backup::verify(archive).map_err(user)?;
    println!(
        "{}: intact: {} files, {} bytes, each matching its SHA-256; taken {} from {} by securebase {}",
        archive.display(),
        manifest.entries.len(),
        manifest.entries.iter().map(|e| e.size).sum::<u64>(),
        manifest.created,
        manifest.data_folder,
        manifest.securebase
    );
    Ok(())
}

/// `securebase backup --output FILE`.
pub fn backup(dir: &Path, args: &BackupArgs) -> Result<()> {
    let Some(output) = &args.output else {
        return super::bad_input("give --output FILE (to back up) or --verify FILE (to check)");
    };
    // When no securebase has the folder open, this one takes it, so that the backup is in the
    // audit log; when the app has it, the backup goes ahead without.
    let store = match Store::open(dir) {
        Ok(store) => Some(store),
        Err(StoreError::Locked { .. }) => None,
        Err(e) => return Err(super::data_folder::user(e)),
    };
    let summary = backup::create(dir, output).map_err(user)?;
    for path in &summary.skipped {
        eprintln!(
            "securebase: warning: not backed up (not a securebase file): {}",
            path.display()
        );
    }
    let detail = format!("backup ({} files)", summary.manifest.entries.len());
    match &store {
        Some(store) => {
            if let Err(e) = store.audit(AuditAction::Export, AuditTarget::DataFolder, &detail) {
                eprintln!(
                    "securebase: warning: the backup is written, but its audit entry is not: {e}"
                );
            }
        }
        None => eprintln!(
            "securebase: note: another securebase has the data folder open, so this backup is \
             not in its audit log"
        ),
    }
    println!(
        "Backed up {} files ({} bytes) of {} to {}",
        summary.manifest.entries.len(),
        summary.bytes(),
        dir.display(),
        output.display()
    );
    Ok(())
}

/// `securebase restore FILE --data-dir DIR`.
pub fn restore(dir: &Path, args: &RestoreArgs) -> Result<()> {
    let manifest = backup::restore(&args.archive, dir).map_err(user)?;
    let detail = format!("restored from a backup taken {}", manifest.created);
    match Store::open(dir) {
        Ok(store) => {
            if let Err(e) = store.audit(AuditAction::Create, AuditTarget::DataFolder, &detail) {
                eprintln!("securebase: warning: restored, but the audit entry is not written: {e}");
            }
        }
        Err(e) => eprintln!("securebase: warning: restored, but the folder does not open: {e}"),
    }
    println!(
        "Restored {} files into {} (backup taken {} from {}). The passphrase is the one of that data folder.",
        manifest.entries.len(),
        dir.display(),
        manifest.created,
        manifest.data_folder
    );
    Ok(())
}
