//! Domain actions asked for by views, applied after the frame.

use age::secrecy::SecretString;
use eframe::egui;
use jiff::Timestamp;

use super::kiosk_session::{Form, KioskSession};
use super::views::{self, Page};
use super::{KioskState, Screen, SecurebaseApp, Workspace};
use crate::store::settings::{Battery, Settings};
use crate::store::{
    Administration, AuditAction, AuditTarget, Client, Source, Status, Store, StoreError, new_id,
};

/// Something a view asks the app to do.
pub enum Command {
    /// First run: create the data folder with this passphrase.
    CreateStore {
        /// The new passphrase.
        passphrase: SecretString,
    },
    /// Unlock with this passphrase.
    Unlock {
        /// The passphrase typed.
        passphrase: SecretString,
    },
    /// Lock the workspace now.
    Lock,
    /// Try again to open the data folder.
    Retry,
    /// Show another page of the workspace.
    Navigate(Page),
    /// Read a client's administrations (a view showed "…" for them).
    Read {
        /// The client.
        client_id: String,
    },
    /// Dismiss the clinician's notice.
    DismissNotice,
    /// Save a new or changed client.
    SaveClient {
        /// The client's id when editing.
        id: Option<String>,
        /// Pseudonym or clinic id.
        name: String,
        /// Year of birth.
        birth_year: Option<i32>,
        /// Notes.
        notes: String,
    },
    /// Start a session of these instruments for a client.
    StartSession {
        /// The client.
        client_id: String,
        /// Instrument ids, in order.
        instruments: Vec<String>,
    },
    /// Resume a client's administrations in progress.
    ResumeSession {
        /// The client.
        client_id: String,
    },
    /// Mark an administration in progress as abandoned.
    Abandon {
        /// The client.
        client_id: String,
        /// The administration.
        administration_id: String,
    },
    /// Show an administration's results.
    OpenResults {
        /// The client.
        client_id: String,
        /// The administration.
        administration_id: String,
    },
    /// Pick a questionnaire file, validate it and copy it into the data folder.
    ImportInstrument,
    /// Keep these settings.
    SaveSettings(Settings),
    /// Back up the data folder: pick a file (save dialog), then write the backup.
    BackUp,
    /// Keep a battery of the clinic's own.
    SaveBattery(Battery),
    /// Compute the clinic's local norms from every client's first administrations, and keep
    /// them.
    ComputeLocalNorms,
    /// Export (a report, a table, a FHIR bundle): pick a file (save dialog), then write it.
    Export {
        /// What it covers.
        scope: crate::export::Scope,
        /// Which kind of file.
        kind: crate::export::Kind,
    },
    /// Save a chart of the results page: pick a file (save dialog), then write it.
    ExportChart {
        /// Which chart.
        chart: views::results::ChartKind,
        /// PNG or SVG.
        format: views::results::ImageFormat,
    },
    /// Leave client mode with this passphrase.
    LeaveKiosk {
        /// The passphrase typed.
        passphrase: SecretString,
    },
}

impl SecurebaseApp {
    /// Applies one command.
    pub fn apply(&mut self, ctx: &egui::Context, command: Command) {
        match command {
            Command::CreateStore { passphrase } => self.create_store(&passphrase),
            Command::Unlock { passphrase } => self.unlock(&passphrase),
            Command::Lock => {
                self.screen = Screen::Unlock(views::unlock::UnlockForm::default());
            }
            Command::Retry => {
                self.store = None;
                self.open_store();
            }
            Command::Navigate(page) => {
                if let Screen::Clinician(ws) = &mut self.screen {
                    // A client's page has its records before it is first drawn.
                    if let (Page::ClientPage { client_id, .. }, Some(store)) = (&page, &self.store)
                    {
                        ws.administrations_of(store, &self.catalog, client_id);
                    }
                    ws.page = page;
                }
            }
            Command::Read { client_id } => {
                if let (Screen::Clinician(ws), Some(store)) = (&mut self.screen, &self.store)
                    && ws.records.cached(&client_id).is_none()
                {
                    ws.administrations_of(store, &self.catalog, &client_id);
                    ctx.request_repaint();
                }
            }
            Command::DismissNotice => self.notice = None,
            Command::SaveClient {
                id,
                name,
                birth_year,
                notes,
            } => self.save_client(id.as_deref(), &name, birth_year, &notes),
            Command::StartSession {
                client_id,
                instruments,
            } => self.start_session(ctx, &client_id, &instruments),
            Command::ResumeSession { client_id } => self.start_session(ctx, &client_id, &[]),
            Command::Abandon {
                client_id,
                administration_id,
            } => self.abandon(&client_id, &administration_id),
            Command::OpenResults {
                client_id,
                administration_id,
            } => self.open_results(&client_id, &administration_id),
            Command::ImportInstrument => self.import_instrument(),
            Command::SaveSettings(settings) => {
                self.settings = settings;
                self.save_settings();
            }
            Command::SaveBattery(battery) => {
                self.settings.batteries.retain(|b| b.name != battery.name);
                self.settings.batteries.push(battery);
                self.save_settings();
            }
            Command::LeaveKiosk { passphrase } => self.leave_kiosk(ctx, &passphrase),
            Command::ComputeLocalNorms => self.compute_local_norms(),
            Command::Export { scope, kind } => self.export(&scope, kind),
            Command::ExportChart { chart, format } => self.export_chart(chart, format),
            Command::BackUp => self.back_up(),
        }
    }

    fn save_settings(&mut self) {
        self.notice = Some(match self.settings.save(&self.data_dir) {
            Ok(()) => "Settings saved.".to_owned(),
            Err(e) => format!("The settings could not be saved: {e}"),
        });
    }

    fn create_store(&mut self, passphrase: &SecretString) {
        // The same reader as the command line's: a value that is not a work factor is refused
        // (not quietly replaced), and a weakening one is said out loud.
        let work_factor = match crate::env::work_factor(crate::store::DEFAULT_WORK_FACTOR) {
            Ok(factor) => factor,
            Err(e) => {
                if let Screen::FirstRun(form) = &mut self.screen {
                    form.error = Some(format!("The data folder was not set up: {e}."));
                }
                return;
            }
        };
        match Store::init(&self.data_dir, passphrase, work_factor.log_n) {
            Ok((store, keys)) => {
                self.store = Some(store);
                self.open_workspace(keys);
                if let Some(warning) = work_factor.weakened() {
                    super::add_notice(&mut self.notice, warning);
                }
            }
            Err(e) => {
                if let Screen::FirstRun(form) = &mut self.screen {
                    form.error = Some(e.to_string());
                }
            }
        }
    }

    fn unlock(&mut self, passphrase: &SecretString) {
        let Some(store) = &self.store else {
            return;
        };
        match store.unlock(passphrase) {
            Ok(keys) => self.open_workspace(keys),
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

    /// The workspace after unlocking; an unfinished session is offered first.
    fn open_workspace(&mut self, keys: crate::store::Keys) {
        let Some(store) = &self.store else {
            return;
        };
        let (clients, failures) = match store.clients(&keys) {
            Ok(loaded) => (
                loaded.records,
                loaded.failures.iter().map(ToString::to_string).collect(),
            ),
            Err(e) => (Vec::new(), vec![e.to_string()]),
        };
        let mut failures: Vec<String> = failures;
        let local_norms = store.local_norms(&keys).unwrap_or_else(|e| {
            failures.push(e.to_string());
            None
        });
        self.screen = Screen::Clinician(Box::new(Workspace::new(
            keys,
            clients,
            failures,
            local_norms,
        )));
    }

    fn save_client(&mut self, id: Option<&str>, name: &str, birth_year: Option<i32>, notes: &str) {
        let (Some(store), Screen::Clinician(ws)) = (&self.store, &mut self.screen) else {
            return;
        };
        let now = Timestamp::now();
        let duplicate = ws.records.clients.iter().find(|c| {
            c.name.to_lowercase() == name.trim().to_lowercase() && Some(c.id.as_str()) != id
        });
        let result = if let Some(other) = duplicate {
            Err(format!(
                "A client called \u{201c}{}\u{201d} already exists.",
                other.name
            ))
        } else {
            let client = match id {
                Some(id) => ws.records.client(id).cloned().map(|mut c| {
                    name.trim().clone_into(&mut c.name);
                    c.birth_year = birth_year;
                    notes.clone_into(&mut c.notes);
                    c.updated = now;
                    c
                }),
                None => new_id()
                    .ok()
                    .and_then(|new| Client::new(new, name, birth_year, notes, now).ok()),
            };
            match client {
                None => Err("The client could not be created.".to_owned()),
                Some(client) => client
                    .check(now)
                    .and_then(|()| store.save_client(&client))
                    .and_then(|()| {
                        let action = if id.is_some() {
                            AuditAction::Change
                        } else {
                            AuditAction::Create
                        };
                        store.audit(action, AuditTarget::Client(&client.id), "")
                    })
                    .map(|()| client)
                    .map_err(|e| e.to_string()),
            }
        };
        match result {
            Ok(client) => {
                ws.records.clients.retain(|c| c.id != client.id);
                ws.records.clients.push(client.clone());
                ws.records.clients.sort_by_key(|c| c.name.to_lowercase());
                ws.page = Page::ClientPage {
                    client_id: client.id,
                    edit: None,
                };
            }
            Err(message) => match &mut ws.page {
                Page::NewClient(form)
                | Page::ClientPage {
                    edit: Some(form), ..
                } => form.error = Some(message),
                _ => self.notice = Some(message),
            },
        }
    }

    /// Starts (or, with no instruments, resumes) a session and hands the computer over.
    fn start_session(&mut self, ctx: &egui::Context, client_id: &str, instruments: &[String]) {
        let (Some(store), Screen::Clinician(ws)) = (&self.store, &mut self.screen) else {
            return;
        };
        let Some(client) = ws.records.client(client_id).cloned() else {
            return;
        };
        let now = Timestamp::now();
        let mut forms = Vec::new();
        // Administrations already in progress come first: nothing started is left behind.
        for a in ws.administrations_of(store, &self.catalog, client_id) {
            if a.status == Status::InProgress
                && let Some(instrument) = self.catalog.get(&a.instrument_id)
            {
                forms.push(Form {
                    instrument: instrument.clone(),
                    administration: a.clone(),
                });
            }
        }
        for (position, id) in instruments.iter().enumerate() {
            let Some(instrument) = self.catalog.get(id) else {
                continue;
            };
            let Ok(admin_id) = new_id() else {
                continue;
            };
            // A millisecond apart, so that a resumed session keeps its order (the store sorts
            // administrations by start time).
            let started =
                now + jiff::SignedDuration::from_millis(i64::try_from(position).unwrap_or(0));
            let administration =
                Administration::new(admin_id, client_id, instrument, Source::ClientMode, started);
            // Saved before the hand-over, so that a crash now still shows the session.
            if let Err(e) = store.save_administration(&administration) {
                self.notice = Some(format!("The session could not be started: {e}"));
                return;
            }
            super::note_audit(
                &mut self.notice,
                &format!("The session of {} was started", instrument.id),
                store.audit(
                    AuditAction::Create,
                    AuditTarget::Administration(&administration.id),
                    &format!("session of {}", instrument.id),
                ),
            );
            forms.push(Form {
                instrument: instrument.clone(),
                administration,
            });
        }
        // What the client was in the middle of comes first, then what was not begun (records
        // from before start times were kept distinct may share one).
        forms.sort_by_key(|f| {
            f.administration.answers.is_empty() && f.administration.choice.is_none()
        });
        if forms.is_empty() {
            self.notice = Some("Choose at least one questionnaire.".to_owned());
            return;
        }
        ctx.send_viewport_cmd(egui::ViewportCommand::Fullscreen(true));
        // The workspace, and with it the unlocked key, is dropped here: leaving client mode
        // needs the passphrase again.
        self.screen = Screen::Kiosk(Box::new(KioskState {
            session: KioskSession::new(client, forms),
            shown_at: std::time::Instant::now(),
            leave: None,
            save_error: None,
            paused: false,
        }));
    }

    fn abandon(&mut self, client_id: &str, administration_id: &str) {
        let (Some(store), Screen::Clinician(ws)) = (&self.store, &mut self.screen) else {
            return;
        };
        let mut records = ws
            .administrations_of(store, &self.catalog, client_id)
            .to_vec();
        if let Some(a) = records.iter_mut().find(|a| a.id == administration_id) {
            a.status = Status::Abandoned;
            a.finished = Some(Timestamp::now());
            match store.save_administration(a).and_then(|()| {
                store.audit(
                    AuditAction::Change,
                    AuditTarget::Administration(&a.id),
                    "abandoned",
                )
            }) {
                Ok(()) => {
                    self.notice = Some("The questionnaire was marked as abandoned.".to_owned());
                }
                Err(e) => self.notice = Some(format!("Could not save: {e}")),
            }
        }
        // Read again from the store: the page shows what is on disk.
        ws.records.forget(client_id);
    }

    fn import_instrument(&mut self) {
        let Some(path) = rfd::FileDialog::new()
            .add_filter("Questionnaire", &["json"])
            .set_title("Import a questionnaire file")
            .pick_file()
        else {
            return;
        };
        self.notice = Some(match self.import_file(&path) {
            Ok(id) => format!("Imported {id}."),
            Err(e) => e,
        });
    }

    /// Validates `path` and copies it into the data folder's `questionnaires/`.
    pub fn import_file(&mut self, path: &std::path::Path) -> Result<String, String> {
        let instrument = crate::catalog::load_file(path)?;
        if self.catalog.get(&instrument.id).is_some() {
            return Err(format!(
                "{} is already loaded; a file cannot replace it. Give the new file its own id.",
                instrument.id
            ));
        }
        let folder = self.data_dir.join(crate::store::QUESTIONNAIRES);
        let bytes =
            std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        std::fs::create_dir_all(&folder).map_err(|e| e.to_string())?;
        crate::atomic::write_atomic(&folder.join(format!("{}.json", instrument.id)), &bytes)
            .map_err(|e| format!("cannot copy the file: {e}"))?;
        let id = instrument.id.clone();
        self.catalog.instruments.push(instrument);
        Ok(id)
    }

    fn leave_kiosk(&mut self, ctx: &egui::Context, passphrase: &SecretString) {
        let Some(store) = &self.store else {
            return;
        };
        let Screen::Kiosk(mode) = &mut self.screen else {
            return;
        };
        match store.unlock(passphrase) {
            Ok(keys) => {
                ctx.send_viewport_cmd(egui::ViewportCommand::Fullscreen(false));
                let client_id = mode.session.client.id.clone();
                self.open_workspace(keys);
                if let Screen::Clinician(ws) = &mut self.screen {
                    ws.page = Page::ClientPage {
                        client_id,
                        edit: None,
                    };
                }
            }
            Err(e) => {
                if let Some(form) = &mut mode.leave {
                    form.error = Some(match e {
                        StoreError::WrongPassphrase => "That passphrase is not right.".to_owned(),
                        other => other.to_string(),
                    });
                    form.passphrase.clear();
                }
            }
        }
    }
}
