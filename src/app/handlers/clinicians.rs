//! Clinicians and the recovery sheet: renaming and removing a clinician (Settings), making a
//! recovery sheet and saving it as PDF, and a new passphrase with the recovery code (unlock
//! screen).

use age::secrecy::SecretString;

use crate::app::views::recovery_sheet::RecoverySheetPage;
use crate::app::views::typed_path::{FileAction, FileRequest};
use crate::app::{Screen, SecurebaseApp, views};
use crate::export::recovery_sheet::{SheetRequest, recovery_sheet_pdf};
use crate::store::StoreError;
use crate::store::recovery_code::RecoveryCode;

impl SecurebaseApp {
    /// Says how a change of the clinicians went, on the settings page.
    fn say_on_clinicians(&mut self, result: Result<String, String>) {
        if let Screen::Clinician(ws) = &mut self.screen
            && let views::Page::Settings(form) = &mut ws.page
        {
            match result {
                Ok(said) => {
                    *form.clinician = views::clinicians::ClinicianForm {
                        said: Some(said),
                        ..Default::default()
                    };
                }
                Err(e) => form.clinician.error = Some(e),
            }
        }
    }

    pub(in crate::app) fn rename_clinician(&mut self, id: &str, name: &str) {
        let (Some(store), Screen::Clinician(ws)) = (&self.store, &self.screen) else {
            return;
        };
        let result = store
            .rename_clinician(&ws.keys, id, name)
            .map(|c| format!("Renamed: {}.", c.name))
            .map_err(|e| e.to_string());
        if let (Ok(_), Screen::Clinician(ws)) = (&result, &mut self.screen)
            && ws.keys.clinician.id == id
        {
            name.clone_into(&mut ws.keys.clinician.name);
        }
        self.say_on_clinicians(result);
    }

    pub(in crate::app) fn remove_clinician(&mut self, id: &str) {
        let (Some(store), Screen::Clinician(ws)) = (&self.store, &mut self.screen) else {
            return;
        };
        let result = store
            .remove_clinician(&mut ws.keys, id)
            .map(|c| {
                format!(
                    "{} was removed. The folder's key was replaced: their passphrase, and any copy \
                     of the old key, open nothing written from now on.",
                    c.name
                )
            })
            .map_err(|e| e.to_string());
        self.say_on_clinicians(result);
    }

    /// Makes a new recovery key and shows its sheet (`first`: at set-up).
    pub(in crate::app) fn new_recovery_sheet(&mut self, first: bool) {
        let (Some(store), Screen::Clinician(ws)) = (&self.store, &mut self.screen) else {
            return;
        };
        match store.new_recovery(&ws.keys) {
            Ok(code) => {
                ws.page = views::Page::RecoverySheet(Box::new(RecoverySheetPage {
                    code: code.to_string(),
                    first,
                    said: None,
                }));
            }
            Err(e) => {
                self.notice = Some(format!("The recovery sheet was not made: {e}"));
            }
        }
    }

    /// Asks where to save the sheet of `code`, then writes it.
    pub(in crate::app) fn save_recovery_sheet(&mut self, code: &str) {
        if !matches!((&self.store, &self.screen), (Some(_), Screen::Clinician(_))) {
            return;
        }
        let request = FileRequest::save(
            "Save the recovery sheet",
            "PDF",
            "pdf",
            "securebase-recovery-sheet.pdf".to_owned(),
        );
        let action = FileAction::SaveRecoverySheet {
            code: code.to_owned(),
        };
        self.choose_file(request, action);
    }

    /// Writes the sheet of `code` to `path`, chosen in the dialog or typed, and says how it
    /// went on the sheet's page.
    pub(in crate::app) fn recovery_sheet_chosen(&mut self, code: &str, path: &std::path::Path) {
        let (Some(store), Screen::Clinician(ws)) = (&self.store, &mut self.screen) else {
            return;
        };
        let made = store.recovery();
        let said = save_sheet(
            code,
            store.dir(),
            made.as_ref(),
            &ws.keys.clinician.name,
            self.settings.paper,
            path,
        );
        if let views::Page::RecoverySheet(page) = &mut ws.page {
            page.said = Some(said);
        }
    }

    /// "Forgot your passphrase?": a new passphrase for `clinician` with the recovery code.
    pub(in crate::app) fn recover(&mut self, clinician: &str, typed: &str, new: &SecretString) {
        let Some(store) = &self.store else {
            return;
        };
        let result = RecoveryCode::parse(typed)
            .map_err(|e| e.to_string())
            .and_then(|code| {
                let factor = crate::env::work_factor(
                    crate::store::DEFAULT_WORK_FACTOR,
                    crate::store::MIN_WORK_FACTOR,
                )
                .map_err(|e| e.to_string())?;
                store
                    .recover(&code, clinician, new, factor.log_n)
                    .map_err(|e| match e {
                        StoreError::WrongPassphrase => {
                            "That recovery code does not open this data folder (is it an earlier \
                             sheet?). Nothing was changed."
                                .to_owned()
                        }
                        other => other.to_string(),
                    })
            });
        match result {
            Ok(keys) => {
                crate::app::add_notice(
                    &mut self.notice,
                    format!(
                        "{} has a new passphrase; the old one no longer works.",
                        keys.clinician.name
                    ),
                );
                self.open_workspace(keys);
            }
            Err(e) => {
                if let Screen::Unlock(form) = &mut self.screen {
                    form.recovery.error = Some(e);
                }
            }
        }
    }
}

/// Writes the sheet of `code` to `path`; what to tell the clinician.
pub(in crate::app) fn save_sheet(
    code: &str,
    folder: &std::path::Path,
    made: Option<&crate::store::recovery::Recovery>,
    made_by: &str,
    paper: crate::store::settings::Paper,
    path: &std::path::Path,
) -> String {
    let pdf = recovery_sheet_pdf(&SheetRequest {
        code,
        data_folder: folder,
        created: made.map_or_else(jiff::Timestamp::now, |r| r.created),
        made_by,
        paper,
    });
    match pdf
        .map_err(|e| e.to_string())
        .and_then(|bytes| crate::atomic::write_atomic(path, &bytes).map_err(|e| e.to_string()))
    {
        Ok(()) => format!(
            "Saved {}. Print it, put it away, then delete the file from this computer.",
            path.display()
        ),
        Err(e) => format!("The sheet was not saved: {e}"),
    }
}
