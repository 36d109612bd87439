//! What the app holds between frames: the screen, and in the workspace the records read so far.
//!
//! The split matters to views: a view gets its page's own state, the read-only [`Records`]
//! and [`Remembered`], never the [`Workspace`] (whose key it has no business with) and never
//! the store.

use std::collections::HashMap;
use std::time::Instant;

use super::kiosk_session::{KioskSession, Step};
use super::views;
use crate::catalog::Catalog;
use crate::core::ScoreReport;
use crate::store::{Administration, Client, Couples, Keys, LocalNorms, Store};

/// What the window shows.
pub enum Screen {
    /// Something stops the app from opening the data folder (another securebase has it).
    Problem(String),
    /// No data folder yet: create the passphrase.
    FirstRun(views::first_run::FirstRunForm),
    /// The data folder is locked: ask for the passphrase.
    Unlock(views::unlock::UnlockForm),
    /// The clinician's workspace.
    Clinician(Box<Workspace>),
    /// A client is filling in forms.
    Kiosk(Box<KioskState>),
}

/// The unlocked workspace.
pub struct Workspace {
    /// The unlocked key.
    pub keys: Keys,
    /// The records read so far, with their scores.
    pub records: Records,
    /// What the clinician typed or ticked that outlives a page.
    pub remembered: Remembered,
    /// The page shown.
    pub page: views::Page,
    /// The typed-path prompt, open where no file dialog could be shown.
    pub typed_path: Option<views::typed_path::TypedPath>,
    /// How files are chosen: the system's dialog (a test may put another in its place).
    pub file_dialog: views::typed_path::FileDialog,
}

impl Workspace {
    /// The workspace just unlocked: the client list, nothing else read yet.
    pub fn new(
        keys: Keys,
        clients: Vec<Client>,
        failures: Vec<LeftOut>,
        local_norms: Option<LocalNorms>,
    ) -> Self {
        Self {
            keys,
            records: Records {
                clients,
                administrations: HashMap::new(),
                reports: HashMap::new(),
                failures,
                local_norms,
                couples: Couples::default(),
            },
            remembered: Remembered::default(),
            page: views::Page::Clients,
            typed_path: None,
            file_dialog: super::handlers::file_choice::system_dialog,
        }
    }

    /// A client's administrations (read from the store once, then cached), each scored by the
    /// core as it is read, so that views only show reports.
    pub fn administrations_of(
        &mut self,
        store: &Store,
        catalog: &Catalog,
        client_id: &str,
    ) -> &[Administration] {
        let records = &mut self.records;
        if !records.administrations.contains_key(client_id) {
            let read = match store.administrations(&self.keys, client_id) {
                Ok(loaded) => {
                    records.failures.extend(
                        loaded
                            .failures
                            .iter()
                            .map(|e| LeftOut::new(e, Some(client_id))),
                    );
                    loaded.records
                }
                Err(e) => {
                    records.failures.push(LeftOut::new(&e, Some(client_id)));
                    Vec::new()
                }
            };
            for a in &read {
                if let Some(instrument) = catalog.get(&a.instrument_id)
                    && let Ok(responses) = a.responses(instrument)
                {
                    records
                        .reports
                        .insert(a.id.clone(), crate::core::score(instrument, &responses));
                }
            }
            records.administrations.insert(client_id.to_owned(), read);
        }
        records.cached(client_id).unwrap_or(&[])
    }

    /// Reads the open client page's administrations if they have not been read: they are
    /// there before the page is first drawn.
    pub(super) fn load_page(&mut self, store: &Store, catalog: &Catalog) -> bool {
        if let views::Page::ClientPage { client_id, .. } = &self.page
            && self.records.cached(client_id).is_none()
        {
            let id = client_id.clone();
            self.administrations_of(store, catalog, &id);
            return true;
        }
        false
    }
}

/// A record left out of what the workspace shows, said for the clinician.
#[derive(Debug, Clone)]
pub struct LeftOut {
    /// Set apart (it reads, but its ids say it belongs elsewhere; REDTEAM H1), rather than
    /// unreadable.
    pub set_apart: bool,
    /// The error, naming the file and why.
    pub text: String,
    /// The client whose administrations were being read, if any.
    pub client_id: Option<String>,
}

impl LeftOut {
    /// `error`, met while reading `client_id`'s administrations (or the clients).
    pub fn new(error: &crate::store::StoreError, client_id: Option<&str>) -> Self {
        Self {
            set_apart: error.is_set_apart(),
            text: error.to_string(),
            client_id: client_id.map(str::to_owned),
        }
    }

    /// The line a view shows.
    pub fn sentence(&self) -> String {
        if self.set_apart {
            format!("Set apart, not counted as this client's: {}", self.text)
        } else {
            format!("Skipped an unreadable record: {}", self.text)
        }
    }
}

/// The records of the workspace read so far: what views show.
pub struct Records {
    /// Every client, sorted by name.
    pub clients: Vec<Client>,
    /// Per client id: its administrations, read when first needed.
    pub administrations: HashMap<String, Vec<Administration>>,
    /// Per administration id: its scores, computed by the core when it was read.
    pub reports: HashMap<String, ScoreReport>,
    /// Records left out: unreadable, or set apart because they lie in the wrong place.
    pub failures: Vec<LeftOut>,
    /// The clinic's local norms, when computed.
    pub local_norms: Option<LocalNorms>,
    /// The couples (current and ended).
    pub couples: Couples,
}

impl Records {
    /// A client's administrations if they have been read: `None` means a view should ask for
    /// them with [`Command::Read`](super::Command::Read); nothing is read while drawing.
    pub fn cached(&self, client_id: &str) -> Option<&[Administration]> {
        self.administrations.get(client_id).map(Vec::as_slice)
    }

    /// A client by id.
    pub fn client(&self, client_id: &str) -> Option<&Client> {
        self.clients.iter().find(|c| c.id == client_id)
    }

    /// Forgets a client's cached administrations (after a change), so they are read again.
    pub fn forget(&mut self, client_id: &str) {
        if let Some(records) = self.administrations.remove(client_id) {
            for a in records {
                self.reports.remove(&a.id);
            }
        }
    }
}

/// What the clinician typed or ticked on one page that the next page (or a return to it)
/// should still have.
#[derive(Default)]
pub struct Remembered {
    /// Text in the client search box.
    pub search: String,
    /// The clinician's note for the next PDF report.
    pub report_note: String,
    /// Whether exports include client names.
    pub export_names: bool,
    /// The client chosen on a client's page to link as their partner.
    pub partner_choice: Option<String>,
}

/// The second partner of a couple's session, and what they fill.
#[derive(Debug, Clone)]
pub struct NextPartner {
    /// The partner.
    pub client_id: String,
    /// The same questionnaires, in the same order.
    pub instruments: Vec<String>,
    /// The same blocks that do not apply.
    pub not_applicable: Vec<(String, String)>,
}

/// The kiosk (the UI's "client mode"): a session and the few things around it.
pub struct KioskState {
    /// The session.
    pub session: KioskSession,
    /// When the current screen appeared (for seconds per item).
    pub shown_at: Instant,
    /// The "return to clinician" passphrase prompt, when open.
    pub leave: Option<views::kiosk::LeaveForm>,
    /// A save failed: shown until a save works again.
    pub save_error: Option<String>,
    /// Paused after the idle time.
    pub paused: bool,
    /// A couple's session: the partner whose forms come next, after the clinician's
    /// passphrase (each partner's session holds only their own forms).
    pub then: Option<NextPartner>,
    /// Whether the window has had the keyboard focus since client mode began or came back:
    /// only a loss after that is an interruption (a window that never had the focus, as under
    /// a bare X server, has nothing to lose it to).
    pub had_focus: bool,
    /// The screen (form index and step) whose heading or statement was last given the
    /// keyboard focus: a new screen moves the focus there, so that a screen reader reads it
    /// first. Cleared while the form is hidden, so that coming back announces it again.
    pub announced: Option<(usize, Step)>,
}
