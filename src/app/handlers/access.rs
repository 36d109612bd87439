//! Opening the data folder: the first run creates it, the passphrase unlocks it, and the
//! workspace starts with the client list.

use age::secrecy::SecretString;

use crate::app::state::LeftOut;
use crate::app::{Screen, SecurebaseApp, Workspace, views};
use crate::store::{Store, StoreError};

impl SecurebaseApp {
    pub(in crate::app) fn create_store(&mut self, name: &str, passphrase: &SecretString) {
        // The same reader as the command line's: a value that is not a work factor is refused
        // (not quietly replaced), and a weakening one is said out loud.
        let work_factor = match crate::env::work_factor(
            crate::store::DEFAULT_WORK_FACTOR,
            crate::store::MIN_WORK_FACTOR,
        ) {
            Ok(factor) => factor,
            Err(e) => {
                if let Screen::FirstRun(form) = &mut self.screen {
                    form.error = Some(format!("The data folder was not set up: {e}."));
                }
                return;
            }
        };
        match Store::init(&self.data_dir, name, passphrase, work_factor.log_n) {
            Ok((store, keys)) => {
                self.store = Some(store);
                self.open_workspace(keys);
                // The way back for a forgotten passphrase, shown once, before the first client.
                self.new_recovery_sheet(true);
            }
            Err(e) => {
                if let Screen::FirstRun(form) = &mut self.screen {
                    form.error = Some(e.to_string());
                }
            }
        }
    }

    pub(in crate::app) fn unlock(&mut self, clinician: Option<&str>, passphrase: &SecretString) {
        let Some(store) = &self.store else {
            return;
        };
        let migrating = store.clinicians().is_empty();
        match store.unlock_as(clinician, passphrase) {
            Ok(keys) => {
                if migrating {
                    crate::app::add_notice(
                        &mut self.notice,
                        format!(
                            "This data folder now has named clinicians: its passphrase is \
                             {}'s. Colleagues can be added in Settings, Clinicians, each with \
                             their own passphrase.",
                            keys.clinician.name
                        ),
                    );
                }
                // The audit log's chain, checked at every unlock: a broken link is said at
                // once (`securebase audit --verify` lists every one).
                match store.check_audit(&keys) {
                    Ok(report) if !report.is_whole() => crate::app::add_notice(
                        &mut self.notice,
                        format!(
                            "The audit log has been tampered with: {} ({} problems in all; \
                             `securebase verify` lists them).",
                            report.problems[0],
                            report.problems.len()
                        ),
                    ),
                    Ok(_) => {}
                    Err(e) => crate::app::add_notice(
                        &mut self.notice,
                        format!("The audit log could not be checked: {e}"),
                    ),
                }
                self.open_workspace(keys);
            }
            Err(e) => {
                if let Screen::Unlock(form) = &mut self.screen {
                    form.error = Some(match e {
                        StoreError::WrongPassphrase => {
                            "That passphrase is not right. Please try again.".to_owned()
                        }
                        other => other.to_string(),
                    });
                    form.passphrase.clear();
                }
            }
        }
    }

    /// Locks the workspace: the unlock screen (`form`, or a plain one), and the audit log
    /// names nobody until the next unlock.
    pub(in crate::app) fn lock(&mut self, form: Option<views::unlock::UnlockForm>) {
        if let Some(store) = &self.store {
            store.forget_clinician();
        }
        self.screen = Screen::Unlock(form.unwrap_or_default());
    }

    /// Adds a clinician (Settings, Clinicians); says how it went on the settings page.
    pub(in crate::app) fn add_clinician(&mut self, name: &str, passphrase: &SecretString) {
        let (Some(store), Screen::Clinician(ws)) = (&self.store, &mut self.screen) else {
            return;
        };
        let work_factor = crate::env::work_factor(
            crate::store::DEFAULT_WORK_FACTOR,
            crate::store::MIN_WORK_FACTOR,
        )
        .map_err(|e| e.to_string());
        let result = work_factor.and_then(|factor| {
            store
                .add_clinician(&ws.keys, name, passphrase, factor.log_n)
                .map_err(|e| e.to_string())
        });
        if let views::Page::Settings(form) = &mut ws.page {
            match result {
                Ok(added) => {
                    *form.clinician = views::clinicians::ClinicianForm {
                        said: Some(format!(
                            "{} was added. They unlock with their own passphrase.",
                            added.name
                        )),
                        ..Default::default()
                    };
                }
                Err(e) => form.clinician.error = Some(e),
            }
        }
    }

    /// The workspace after unlocking; an unfinished session is offered first.
    pub(in crate::app) fn open_workspace(&mut self, keys: crate::store::Keys) {
        let Some(store) = &self.store else {
            return;
        };
        let (clients, mut failures) = match store.clients(&keys) {
            Ok(loaded) => (
                loaded.records,
                loaded
                    .failures
                    .iter()
                    .map(|e| LeftOut::new(e, None))
                    .collect(),
            ),
            Err(e) => (Vec::new(), vec![LeftOut::new(&e, None)]),
        };
        let local_norms = store.local_norms(&keys).unwrap_or_else(|e| {
            failures.push(LeftOut::new(&e, None));
            None
        });
        let couples = store.couples(&keys).unwrap_or_else(|e| {
            failures.push(LeftOut::new(&e, None));
            crate::store::Couples::default()
        });
        let mut ws = Workspace::new(keys, clients, failures, local_norms);
        ws.records.couples = couples;
        self.screen = Screen::Clinician(Box::new(ws));
    }
}
