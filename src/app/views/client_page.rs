//! One client: details, every administration, and the way into a session.

use eframe::egui::{self, RichText};

use super::client_form::{ClientForm, client_form_fields};
use super::{Page, date, date_time, setup::SetupForm};
use crate::app::{Command, Screen, SecurebaseApp, theme};
use crate::store::Status;

/// Draws a client's page.
pub fn client_page_ui(app: &mut SecurebaseApp, ui: &mut egui::Ui) {
    let theme_choice = app.settings.theme;
    let SecurebaseApp {
        screen,
        commands,
        catalog,
        ..
    } = app;
    let Screen::Clinician(ws) = screen else {
        return;
    };
    let Page::ClientPage { client_id, .. } = &ws.page else {
        return;
    };
    let client_id = client_id.clone();
    let Some(client) = ws.clients.iter().find(|c| c.id == client_id).cloned() else {
        ui.label("This client is no longer in the list.");
        return;
    };
    let Some(administrations) = ws.cached(&client_id).map(<[_]>::to_vec) else {
        // Read by the app before the next frame; views never read the store.
        ws.want(&client_id);
        ui.label("\u{2026}");
        return;
    };

    ui.add_space(8.0);
    if ui.link("Back to all clients").clicked() {
        commands.push(Command::Navigate(Page::Clients));
    }
    ui.add_space(4.0);

    // Details, or the edit form.
    if let Page::ClientPage {
        edit: Some(form), ..
    } = &mut ws.page
    {
        ui.heading(format!("Edit {}", client.name));
        ui.scope(|ui| {
            ui.set_max_width(520.0);
            let (command, cancel) = client_form_fields(ui, form, Some(&client.id), theme_choice);
            if let Some(command) = command {
                commands.push(command);
            }
            if cancel {
                commands.push(Command::Navigate(Page::ClientPage {
                    client_id: client.id.clone(),
                    edit: None,
                }));
            }
        });
        return;
    }
    ui.horizontal(|ui| {
        ui.heading(&client.name);
        ui.add_space(16.0);
        if ui.button("Edit").clicked() {
            commands.push(Command::Navigate(Page::ClientPage {
                client_id: client.id.clone(),
                edit: Some(ClientForm::from_client(&client)),
            }));
        }
    });
    let facts = match client.birth_year {
        Some(year) => format!("Client since {} · born {year}", date(client.created)),
        None => format!("Client since {}", date(client.created)),
    };
    ui.label(RichText::new(facts).color(theme::muted(theme_choice)));
    if !client.notes.trim().is_empty() {
        ui.label(&client.notes);
    }
    ui.add_space(theme::GAP);

    let unfinished = administrations
        .iter()
        .filter(|a| a.status == Status::InProgress)
        .count();
    session_buttons_ui(ui, &client.id, unfinished, commands);
    if administrations
        .iter()
        .any(|a| a.status == Status::Completed)
    {
        let bar = super::export_bar::ExportBar {
            scope: crate::export::Scope::Client(client.id.clone()),
            report: Some("Report of the whole history (PDF)"),
            what: "every administration",
            folded: true,
        };
        super::export_bar::export_bar_ui(
            ui,
            &bar,
            &mut ws.report_note,
            &mut ws.export_names,
            commands,
            theme_choice,
        );
    }
    ui.add_space(theme::GAP);
    ui.label(RichText::new("Administrations").strong().size(18.0));
    if administrations.is_empty() {
        ui.label("None yet.");
        return;
    }
    let reports = &ws.reports;
    administrations_table_ui(ui, &administrations, reports, catalog, &client.id, commands);
}

/// Every administration, newest first, with its headline scores and actions.
fn administrations_table_ui(
    ui: &mut egui::Ui,
    administrations: &[crate::store::Administration],
    reports: &std::collections::HashMap<String, crate::core::ScoreReport>,
    catalog: &crate::catalog::Catalog,
    client_id: &str,
    commands: &mut Vec<Command>,
) {
    egui::ScrollArea::vertical()
        .auto_shrink([false, false])
        .show(ui, |ui| {
            egui::Grid::new("administrations")
                .num_columns(5)
                .striped(true)
                .min_col_width(110.0)
                .spacing(egui::vec2(18.0, 10.0))
                .show(ui, |ui| {
                    for title in ["Date", "Questionnaire", "Status", "Scores", ""] {
                        ui.label(RichText::new(title).strong());
                    }
                    ui.end_row();
                    for a in administrations.iter().rev() {
                        ui.label(date_time(a.started));
                        let name = catalog
                            .get(&a.instrument_id)
                            .map_or(a.instrument_id.clone(), |i| i.short_name.clone());
                        ui.label(name);
                        ui.label(match a.status {
                            Status::InProgress => {
                                format!("unfinished ({} answered)", a.answers.len())
                            }
                            Status::Completed => "completed".to_owned(),
                            Status::Abandoned => "abandoned".to_owned(),
                        });
                        ui.label(headline(catalog, reports.get(&a.id), &a.instrument_id));
                        ui.horizontal(|ui| {
                            if a.status != Status::InProgress && ui.button("Results").clicked() {
                                commands.push(Command::OpenResults {
                                    client_id: client_id.to_owned(),
                                    administration_id: a.id.clone(),
                                });
                            }
                            if a.status == Status::InProgress
                                && ui.button("Mark abandoned").clicked()
                            {
                                commands.push(Command::Abandon {
                                    client_id: client_id.to_owned(),
                                    administration_id: a.id.clone(),
                                });
                            }
                        });
                        ui.end_row();
                    }
                });
        });
}

/// The administration's headline scores (`results::text::headline`), when it is scored.
fn headline(
    catalog: &crate::catalog::Catalog,
    report: Option<&crate::core::ScoreReport>,
    instrument_id: &str,
) -> String {
    match (catalog.get(instrument_id), report) {
        (Some(instrument), Some(report)) => crate::results::text::headline(instrument, report),
        _ => String::new(),
    }
}

/// "Start a session", and "Resume" when something is unfinished.
fn session_buttons_ui(
    ui: &mut egui::Ui,
    client_id: &str,
    unfinished: usize,
    commands: &mut Vec<Command>,
) {
    ui.horizontal(|ui| {
        let start = egui::Button::new(RichText::new("Start a session").size(17.0))
            .min_size(egui::vec2(200.0, 40.0));
        if ui.add(start).clicked() {
            commands.push(Command::Navigate(Page::SessionSetup(SetupForm::new(
                client_id,
            ))));
        }
        if unfinished > 0 {
            let label = format!("Resume the unfinished session ({unfinished})");
            if ui
                .add(
                    egui::Button::new(RichText::new(label).size(17.0))
                        .min_size(egui::vec2(200.0, 40.0)),
                )
                .clicked()
            {
                commands.push(Command::ResumeSession {
                    client_id: client_id.to_owned(),
                });
            }
        }
    });
}
