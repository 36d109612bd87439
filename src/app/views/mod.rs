//! One file per screen; this one dispatches and holds the little widgets they share.

pub mod client_form;
pub mod client_page;
pub mod clients;
pub mod export_bar;
pub mod first_run;
pub mod instruments;
pub mod kiosk;
pub mod results;
pub mod settings_view;
pub mod setup;
pub mod unlock;

use eframe::egui::{self, RichText};

use super::theme;
use super::{Command, Screen, SecurebaseApp};

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
    SessionSetup(setup::SetupForm),
    /// The loaded instruments.
    Instruments,
    /// The settings.
    Settings(settings_view::SettingsForm),
    /// An administration's results.
    Results(Box<results::ResultsPage>),
}

/// Draws the current screen.
pub fn screen_ui(app: &mut SecurebaseApp, ui: &mut egui::Ui) {
    match app.screen {
        Screen::Problem(_) => problem_ui(app, ui),
        Screen::FirstRun(_) => first_run::first_run_ui(app, ui),
        Screen::Unlock(_) => unlock::unlock_ui(app, ui),
        Screen::Clinician(_) => workspace_ui(app, ui),
        Screen::Kiosk(_) => kiosk::kiosk_ui(app, ui),
    }
}

fn problem_ui(app: &mut SecurebaseApp, ui: &mut egui::Ui) {
    let Screen::Problem(message) = &app.screen else {
        return;
    };
    let message = message.clone();
    egui::CentralPanel::default().show(ui, |ui| {
        centered_column(ui, 560.0, |ui| {
            ui.add_space(80.0);
            ui.heading("securebase cannot open its data folder");
            ui.add_space(theme::GAP);
            ui.label(message);
            ui.add_space(theme::GAP);
            if ui.button("Try again").clicked() {
                app.commands.push(Command::Retry);
            }
        });
    });
}

/// The clinician's workspace: a top bar, then the page.
fn workspace_ui(app: &mut SecurebaseApp, ui: &mut egui::Ui) {
    let accent = theme::accent(app.settings.theme);
    egui::Panel::top("workspace_bar").show(ui, |ui| {
        ui.add_space(6.0);
        ui.horizontal(|ui| {
            ui.label(
                RichText::new("securebase")
                    .size(20.0)
                    .strong()
                    .color(accent),
            );
            ui.add_space(20.0);
            let current = match &app.screen {
                Screen::Clinician(ws) => match ws.page {
                    Page::Instruments => 1,
                    Page::Settings(_) => 2,
                    _ => 0,
                },
                _ => 0,
            };
            if ui.selectable_label(current == 0, "Clients").clicked() {
                app.commands.push(Command::Navigate(Page::Clients));
            }
            if ui.selectable_label(current == 1, "Instruments").clicked() {
                app.commands.push(Command::Navigate(Page::Instruments));
            }
            if ui.selectable_label(current == 2, "Settings").clicked() {
                app.commands.push(Command::Navigate(Page::Settings(
                    settings_view::SettingsForm::from(&app.settings),
                )));
            }
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                if ui
                    .button("Lock")
                    .on_hover_text("Lock the workspace now")
                    .clicked()
                {
                    app.commands.push(Command::Lock);
                }
            });
        });
        if let Some(notice) = app.notice.clone() {
            ui.horizontal(|ui| {
                ui.label(RichText::new(notice).color(theme::warning(app.settings.theme)));
                if ui.small_button("Dismiss").clicked() {
                    app.notice = None;
                }
            });
        }
        ui.add_space(4.0);
    });
    egui::CentralPanel::default().show(ui, |ui| {
        let Screen::Clinician(ws) = &app.screen else {
            return;
        };
        match ws.page {
            Page::Clients => clients::clients_ui(app, ui),
            Page::NewClient(_) => client_form::new_client_ui(app, ui),
            Page::ClientPage { .. } => client_page::client_page_ui(app, ui),
            Page::SessionSetup(_) => setup::setup_ui(app, ui),
            Page::Instruments => instruments::instruments_ui(app, ui),
            Page::Settings(_) => settings_view::settings_ui(app, ui),
            Page::Results(_) => results::results_ui(app, ui),
        }
    });
}

/// A column of at most `width` points, centred horizontally.
pub fn centered_column<R>(
    ui: &mut egui::Ui,
    width: f32,
    add: impl FnOnce(&mut egui::Ui) -> R,
) -> R {
    let available = ui.available_width();
    let width = width.min(available);
    let margin = ((available - width) / 2.0).max(0.0);
    ui.horizontal(|ui| {
        ui.add_space(margin);
        ui.vertical(|ui| {
            ui.set_width(width);
            add(ui)
        })
        .inner
    })
    .inner
}

/// A labelled single-line text field; the label is its accessible name.
pub fn labelled_field(
    ui: &mut egui::Ui,
    label: &str,
    text: &mut String,
    password: bool,
) -> egui::Response {
    let label = ui.label(label);
    ui.add(
        egui::TextEdit::singleline(text)
            .password(password)
            .desired_width(f32::INFINITY),
    )
    .labelled_by(label.id)
}

/// A date for people: `27 Nov 2026`.
pub fn date(ts: jiff::Timestamp) -> String {
    crate::results::date(ts)
}

/// A date and time for people: `27 Nov 2026, 14:05`.
pub fn date_time(ts: jiff::Timestamp) -> String {
    crate::results::date_time(ts)
}
