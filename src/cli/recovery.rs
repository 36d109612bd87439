//! `securebase recovery new|use`, and the recovery sheet of `securebase init`: a way back for a
//! clinician who forgot their passphrase.

use std::path::Path;

use anyhow::Result;
use jiff::Timestamp;

use super::data_folder::{open, open_unlocked, user};
use super::{BadInput, RecoveryCommand, passphrase};
use crate::export::recovery_sheet::{SheetRequest, recovery_sheet_pdf};
use crate::store::recovery_code::RecoveryCode;
use crate::store::settings::Paper;
use crate::store::{Keys, Store, StoreError};

/// `securebase recovery new|use`.
pub fn run(dir: &Path, command: &RecoveryCommand) -> Result<()> {
    match command {
        RecoveryCommand::New { output, paper } => {
            let paper = Paper::parse(paper).ok_or_else(|| {
                BadInput(format!("{paper:?} is not a paper size; use a4 or letter"))
            })?;
            let (store, keys) = open_unlocked(dir)?;
            let replaced = store.recovery().is_some();
            make_sheet(&store, &keys, output, paper)?;
            if replaced {
                eprintln!("The earlier recovery sheet no longer works.");
            }
            Ok(())
        }
        RecoveryCommand::Use { clinician } => {
            let store = open(dir)?;
            let typed = if let Some(code) = crate::env::recovery_code() {
                code
            } else {
                use age::secrecy::ExposeSecret as _;
                passphrase::ask("Recovery code (from the recovery sheet): ")?
                    .expose_secret()
                    .to_owned()
            };
            // A typing error is found here, before anything is tried or counted.
            let code = RecoveryCode::parse(&typed).map_err(|e| BadInput(e.to_string()))?;
            let new = passphrase::ask_changed()?;
            let keys = store
                .recover(&code, clinician, &new, passphrase::work_factor()?)
                .map_err(|e| match e {
                    StoreError::WrongPassphrase => BadInput(
                        "that recovery code does not open this data folder's recovery key (it \
                         may be an earlier sheet's); nothing was changed"
                            .to_owned(),
                    )
                    .into(),
                    other => user(other),
                })?;
            println!(
                "{} has a new passphrase. Their old one no longer works; the records were not \
                 touched.",
                keys.clinician.name
            );
            Ok(())
        }
    }
}

/// Makes a new recovery key and writes its sheet to `output`; the code is on the sheet only.
pub(super) fn make_sheet(store: &Store, keys: &Keys, output: &Path, paper: Paper) -> Result<()> {
    // The sheet must end up as a file: one written into a device or a pipe is gone, and the
    // new key has by then replaced the old sheet's. Asked before anything is replaced.
    if let Ok(meta) = std::fs::symlink_metadata(output)
        && !meta.is_file()
    {
        return super::bad_input(format!(
            "{} is not a regular file: the recovery sheet must be saved as a file (a new \
             recovery key would replace the old sheet's); nothing was changed",
            output.display()
        ));
    }
    let code = store.new_recovery(keys).map_err(user)?;
    let text = code.to_string();
    let pdf = recovery_sheet_pdf(&SheetRequest {
        code: &text,
        data_folder: store.dir(),
        created: store.recovery().map_or_else(Timestamp::now, |r| r.created),
        made_by: &keys.clinician.name,
        paper,
    })?;
    crate::atomic::write_atomic(output, &pdf).map_err(|e| {
        anyhow::anyhow!("cannot write the recovery sheet {}: {e}", output.display())
    })?;
    println!(
        "Wrote the recovery sheet {}: print it, keep it locked away from this computer, then \
         delete the file.",
        output.display()
    );
    Ok(())
}

/// A new recovery key whose code is shown here, once (set-up without `--recovery-sheet`).
pub(super) fn show_code(store: &Store, keys: &Keys) -> Result<()> {
    let code = store.new_recovery(keys).map_err(user)?;
    println!("Recovery code (shown once; write it down and keep it locked away): {code}");
    println!(
        "With it a clinician who forgot their passphrase gets a new one \
         (`securebase recovery use --clinician NAME`); `securebase recovery new --output \
         FILE.pdf` makes a printable sheet, and replaces this code."
    );
    Ok(())
}
