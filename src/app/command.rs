//! What views ask for ([`Command`]), and the one `apply` that hands each to its handler in
//! `handlers/`, after the frame.

use age::secrecy::SecretString;
use eframe::egui;

use super::views::{self, Page};
use super::{Screen, SecurebaseApp};
use crate::store::settings::{Battery, Settings};

/// Something a view asks the app to do.
pub enum Command {
    /// First run: create the data folder with this passphrase.
    CreateStore {
        /// The first clinician's name.
        name: String,
        /// Their passphrase.
        passphrase: SecretString,
    },
    /// Unlock with this passphrase.
    Unlock {
        /// Who is unlocking, when the folder has several clinicians (by name).
        clinician: Option<String>,
        /// The passphrase typed.
        passphrase: SecretString,
    },
    /// Add a clinician with their own passphrase (Settings, Clinicians).
    AddClinician {
        /// Their name.
        name: String,
        /// Their passphrase.
        passphrase: SecretString,
    },
    /// Rename a clinician (Settings, Clinicians).
    RenameClinician {
        /// Their id.
        id: String,
        /// The new name.
        name: String,
    },
    /// Remove a clinician, replacing the folder's key (Settings, Clinicians).
    RemoveClinician {
        /// Their id.
        id: String,
    },
    /// Make a new recovery key and show its sheet (the earlier one stops working).
    NewRecoverySheet,
    /// Save the recovery sheet of this code as a PDF: pick a file, then write it.
    SaveRecoverySheet {
        /// The code, grouped, as shown.
        code: String,
    },
    /// Unlock screen, "Forgot your passphrase?": a new passphrase with the recovery code.
    Recover {
        /// The clinician (by name).
        clinician: String,
        /// The code as typed.
        code: String,
        /// Their new passphrase.
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
        /// (instrument id, block id) of the blocks that do not apply to this client.
        not_applicable: Vec<(String, String)>,
        /// A couple's session: this partner fills the same questionnaires next, once the
        /// clinician has taken the computer back with their passphrase.
        then_partner: Option<String>,
    },
    /// Resume a client's administrations in progress.
    ResumeSession {
        /// The client.
        client_id: String,
    },
    /// Start keying a paper form in: the record is made (in progress, with its draft).
    StartPaperEntry {
        /// The client.
        client_id: String,
        /// The questionnaire.
        instrument_id: String,
        /// The date written on the form.
        form_date: jiff::civil::Date,
        /// Keyed twice.
        double: bool,
    },
    /// Save a paper form's draft after a key.
    SavePaperDraft(Box<crate::store::Administration>),
    /// Save a paper form as completed, then show its results.
    FinishPaperEntry(Box<crate::store::Administration>),
    /// Go on keying a paper form whose draft was saved.
    ContinuePaperEntry {
        /// The client.
        client_id: String,
        /// The administration.
        administration_id: String,
    },
    /// Link two clients as a couple (from the first one's page).
    LinkCouple {
        /// The two clients.
        clients: [String; 2],
    },
    /// End a client's current couple link (both histories stay).
    UnlinkCouple {
        /// Either partner.
        client_id: String,
    },
    /// Show the couple page of a client's couple.
    OpenCouple {
        /// Either partner.
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
    /// The typed-path prompt's Save or Open (where no file dialog could be shown): use the
    /// path typed there for what the prompt was opened for.
    UseTypedPath,
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
    /// Bring an interrupted client mode back to the form with this passphrase.
    ResumeKiosk {
        /// The passphrase typed.
        passphrase: SecretString,
    },
}

impl SecurebaseApp {
    /// Applies one command.
    pub fn apply(&mut self, ctx: &egui::Context, command: Command) {
        match command {
            Command::CreateStore { name, passphrase } => self.create_store(&name, &passphrase),
            Command::Unlock {
                clinician,
                passphrase,
            } => self.unlock(clinician.as_deref(), &passphrase),
            Command::AddClinician { name, passphrase } => self.add_clinician(&name, &passphrase),
            Command::RenameClinician { id, name } => self.rename_clinician(&id, &name),
            Command::RemoveClinician { id } => self.remove_clinician(&id),
            Command::NewRecoverySheet => self.new_recovery_sheet(false),
            Command::SaveRecoverySheet { code } => self.save_recovery_sheet(&code),
            Command::Recover {
                clinician,
                code,
                passphrase,
            } => self.recover(&clinician, &code, &passphrase),
            Command::Lock => self.lock(None),
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
                not_applicable,
                then_partner,
            } => {
                self.start_session_then(ctx, &client_id, instruments, not_applicable, then_partner);
            }
            Command::ResumeSession { client_id } => {
                self.start_session(ctx, &client_id, &[], &[]);
            }
            Command::StartPaperEntry {
                client_id,
                instrument_id,
                form_date,
                double,
            } => self.start_paper_entry(&client_id, &instrument_id, form_date, double),
            Command::SavePaperDraft(administration) => self.save_paper_draft(&administration),
            Command::FinishPaperEntry(administration) => {
                self.finish_paper_entry(&administration);
            }
            Command::ContinuePaperEntry {
                client_id,
                administration_id,
            } => self.continue_paper_entry(&client_id, &administration_id),
            Command::LinkCouple { clients } => self.link_couple(&clients),
            Command::UnlinkCouple { client_id } => self.unlink_couple(&client_id),
            Command::OpenCouple { client_id } => self.open_couple(&client_id),
            Command::Abandon {
                client_id,
                administration_id,
            } => self.abandon(&client_id, &administration_id),
            Command::OpenResults {
                client_id,
                administration_id,
            } => self.open_results(&client_id, &administration_id),
            Command::ImportInstrument => self.import_instrument(),
            Command::UseTypedPath => self.use_typed_path(),
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
            Command::ResumeKiosk { passphrase } => self.resume_kiosk(ctx, &passphrase),
            Command::ComputeLocalNorms => self.compute_local_norms(),
            Command::Export { scope, kind } => self.export(&scope, kind),
            Command::ExportChart { chart, format } => self.export_chart(chart, format),
            Command::BackUp => self.back_up(),
        }
    }
}
