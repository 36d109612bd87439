//! One file (or folder) per screen; this one holds the [`ViewCx`] they share and the one
//! dispatch over screens and pages. Widgets several screens use are in `app::widgets`.
//!
//! A view draws and changes only its page's own state; what it wants done (saving, reading a
//! client's records, exporting) it pushes as a [`Command`] through its [`ViewCx`].

pub mod client_form;
pub mod client_page;
pub mod clients;
pub mod clinicians;
pub mod couple;
pub mod first_run;
pub mod instruments;
pub mod kiosk;
pub mod paper;
pub mod recovery_sheet;
pub mod results;
pub mod session_setup;
pub mod settings;
pub mod typed_path;
pub mod unlock;

use crate::app::a11y;
use std::path::Path;

use eframe::egui::{self, RichText};

use super::theme;
pub use super::widgets::{centered_column, labelled_field};
use super::{Command, Screen, Workspace};
use crate::catalog::Catalog;
use crate::store::settings::Settings;

/// The pages of the clinician's workspace.
pub enum Page {
    /// The searchable list of clients.
    Clients,
    /// Adding a client.
    NewClient(client_form::ClientForm),
    /// One client: details and administrations.
    ClientPage {
        /// The client.
        client_id: String,
        /// The edit form, while editing.
        edit: Option<client_form::ClientForm>,
    },
    /// Choosing instruments for a session.
    SessionSetup(session_setup::SetupForm),
    /// A paper form keyed in.
    PaperEntry(paper::PaperPage),
    /// The loaded instruments.
    Instruments,
    /// The settings.
    Settings(settings::SettingsForm),
    /// An administration's results.
    Results(Box<results::ResultsPage>),
    /// A couple: both partners on one plane.
    Couple(Box<couple::CouplePage>),
    /// A recovery code just made, shown once.
    RecoverySheet(Box<recovery_sheet::RecoverySheetPage>),
}

/// What a view may use besides its page's own state: the app's settings and catalog, read
/// only, and the list of commands it asks for. Nothing here reaches the store or the key.
pub struct ViewCx<'a> {
    /// The data folder's clinicians (names are in the clear: the unlock screen lists them).
    pub clinicians: &'a [crate::store::Clinician],
    /// The clinician who unlocked the workspace, when it is open.
    pub unlocked_as: Option<&'a str>,
    /// The folder's recovery key, when one was made (in the clear: no secret).
    pub recovery: Option<&'a crate::store::recovery::Recovery>,
    /// The clinic's settings.
    pub settings: &'a Settings,
    /// Bundled instruments plus the clinic's own.
    pub catalog: &'a Catalog,
    /// The data folder.
    pub data_dir: &'a Path,
    /// The clinician's notice (saved, imported, a failed audit write, …).
    pub notice: Option<&'a str>,
    /// Something about where the data folder is (shown on the first screens).
    pub folder_notice: Option<&'a str>,
    /// What this frame's views ask for, applied after it.
    pub commands: &'a mut Vec<Command>,
}

impl ViewCx<'_> {
    /// Asks for `command`, to be applied after the frame.
    pub fn push(&mut self, command: Command) {
        self.commands.push(command);
    }
}

/// Draws the current screen: the one place that matches the screen and the page.
pub fn screen_ui(ui: &mut egui::Ui, screen: &mut Screen, cx: &mut ViewCx<'_>) {
    match screen {
        Screen::Problem(message) => problem_ui(ui, message, cx),
        Screen::FirstRun(form) => first_run::first_run_ui(ui, form, cx),
        Screen::Unlock(form) => unlock::unlock_ui(ui, form, cx),
        Screen::Clinician(ws) => workspace_ui(ui, ws, cx),
        Screen::Kiosk(mode) => kiosk::kiosk_ui(ui, mode, cx),
    }
}

fn problem_ui(ui: &mut egui::Ui, message: &str, cx: &mut ViewCx<'_>) {
    egui::CentralPanel::default().show(ui, |ui| {
        centered_column(ui, 560.0, |ui| {
            ui.add_space(80.0);
            a11y::page_title(ui, "securebase cannot open its data folder");
            ui.add_space(theme::GAP);
            ui.label(message);
            ui.add_space(theme::GAP);
            if ui.button("Try again").clicked() {
                cx.push(Command::Retry);
            }
        });
    });
}

/// The clinician's workspace: a top bar, then the page.
fn workspace_ui(ui: &mut egui::Ui, ws: &mut Workspace, cx: &mut ViewCx<'_>) {
    let Workspace {
        records,
        remembered,
        page,
        typed_path,
        ..
    } = ws;
    egui::Panel::top("workspace_bar").show(ui, |ui| top_bar_ui(ui, page, cx));
    egui::CentralPanel::default().show(ui, |ui| match page {
        Page::Clients => clients::clients_ui(ui, records, remembered, cx),
        Page::NewClient(form) => client_form::new_client_ui(ui, form, cx),
        Page::ClientPage { client_id, edit } => {
            client_page::client_page_ui(ui, client_id, edit, records, remembered, cx);
        }
        Page::SessionSetup(form) => session_setup::setup_ui(ui, form, records, cx),
        Page::PaperEntry(page) => paper::paper_ui(ui, page, records, cx),
        Page::Instruments => instruments::instruments_ui(ui, cx),
        Page::Settings(form) => {
            settings::settings_ui(ui, form, records.local_norms.as_ref(), cx);
        }
        Page::Results(page) => results::results_ui(ui, page, remembered, cx),
        Page::Couple(page) => couple::couple_ui(ui, page, remembered, cx),
        Page::RecoverySheet(page) => recovery_sheet::recovery_sheet_ui(ui, page, cx),
    });
    typed_path::typed_path_ui(ui, typed_path, cx);
}

/// The workspace's top bar: the pages, Lock, and the clinician's notice.
fn top_bar_ui(ui: &mut egui::Ui, page: &Page, cx: &mut ViewCx<'_>) {
    ui.add_space(6.0);
    ui.horizontal(|ui| {
        ui.label(
            RichText::new("securebase")
                .size(theme::WORDMARK_SIZE)
                .strong()
                .color(theme::accent(ui)),
        );
        ui.add_space(20.0);
        let current = match page {
            Page::Instruments => 1,
            Page::Settings(_) => 2,
            _ => 0,
        };
        if ui.selectable_label(current == 0, "Clients").clicked() {
            cx.push(Command::Navigate(Page::Clients));
        }
        if ui.selectable_label(current == 1, "Instruments").clicked() {
            cx.push(Command::Navigate(Page::Instruments));
        }
        if ui.selectable_label(current == 2, "Settings").clicked() {
            let form = settings::SettingsForm::from(cx.settings);
            cx.push(Command::Navigate(Page::Settings(form)));
        }
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            if ui
                .button("Lock")
                .on_hover_text("Lock the workspace now")
                .clicked()
            {
                cx.push(Command::Lock);
            }
        });
    });
    if let Some(notice) = cx.notice {
        // Dismiss first, then the notice wrapped in what is left: a long one (a path, a
        // warning about the folder's modes) stays on screen, and so does its button.
        ui.horizontal_top(|ui| {
            if ui.small_button("Dismiss").clicked() {
                cx.push(Command::DismissNotice);
            }
            ui.add(egui::Label::new(RichText::new(notice).color(theme::warning(ui))).wrap());
        });
    }
    ui.add_space(4.0);
}

/// A date for people: `27 Nov 2026`.
pub fn date(ts: jiff::Timestamp) -> String {
    crate::results::date(ts)
}
