//! The searchable list of clients.

use eframe::egui::{self, RichText};

use super::{Page, ViewCx, client_form::ClientForm, date};
use crate::app::a11y::{self, A11yTable};
use crate::app::{Command, Records, Remembered, theme};
use crate::store::{Administration, Client, Status};

/// Draws the client list.
pub fn clients_ui(
    ui: &mut egui::Ui,
    records: &Records,
    remembered: &mut Remembered,
    cx: &mut ViewCx<'_>,
) {
    ui.add_space(8.0);
    let mut search_entered = false;
    ui.horizontal(|ui| {
        a11y::page_title(ui, "Clients");
        ui.add_space(20.0);
        let label = ui.label("Search");
        let field = ui
            .add(
                egui::TextEdit::singleline(&mut remembered.search)
                    .hint_text("pseudonym or clinic ID")
                    .desired_width(260.0),
            )
            .labelled_by(label.id);
        // The list starts at its search field (after unlocking, coming back to the list);
        // Enter there opens the first client it shows.
        search_entered = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        if !search_entered && ui.memory(|m| m.focused().is_none()) {
            field.request_focus();
        }
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            if ui.button("Add client").clicked() {
                cx.push(Command::Navigate(Page::NewClient(ClientForm::default())));
            }
            export_all_ui(ui, &mut remembered.export_names, cx);
        });
    });
    for failure in &records.failures {
        ui.label(RichText::new(failure.sentence()).color(theme::warning(ui)));
    }
    ui.add_space(8.0);
    let query = remembered.search.trim().to_lowercase();
    let shown: Vec<usize> = records
        .clients
        .iter()
        .enumerate()
        .filter(|(_, c)| query.is_empty() || c.name.to_lowercase().contains(&query))
        .map(|(i, _)| i)
        .collect();
    if records.clients.is_empty() {
        ui.add_space(40.0);
        ui.label("No clients yet. Add the first one with \u{201c}Add client\u{201d}.");
        return;
    }
    if let Some(&first) = shown.first().filter(|_| search_entered) {
        cx.push(Command::Navigate(Page::ClientPage {
            client_id: records.clients[first].id.clone(),
            edit: None,
        }));
    }
    if shown.is_empty() {
        ui.label(format!(
            "No client matches \u{201c}{}\u{201d}.",
            remembered.search.trim()
        ));
        return;
    }
    let row_height = 36.0;
    // One table to the accessibility layer: the header row, then a row per client shown (only
    // the rows on screen are drawn, each with its place in the whole list).
    A11yTable::show(
        ui,
        "Clients",
        shown.len() + 1,
        COLUMNS.len(),
        |ui, table| {
            header_row(ui, table);
            ui.separator();
            egui::ScrollArea::vertical()
                .auto_shrink([false, false])
                .show_rows(ui, row_height, shown.len(), |ui, range| {
                    let first = range.start;
                    egui::Grid::new("clients_rows")
                        .num_columns(COLUMNS.len())
                        .min_col_width(210.0)
                        .min_row_height(row_height - 8.0)
                        .striped(true)
                        .show(ui, |ui| {
                            for (k, &i) in shown[range].iter().enumerate() {
                                let client = &records.clients[i];
                                // Read lazily: only the rows on screen ask for their
                                // administrations, which the app reads after this frame (never
                                // while drawing).
                                let cached = records.cached(&client.id);
                                if cached.is_none() {
                                    cx.push(Command::Read {
                                        client_id: client.id.clone(),
                                    });
                                }
                                table.row(ui, first + k + 1);
                                client_row_ui(ui, table, client, cached, cx);
                            }
                        });
                });
        },
    );
}

/// The column titles.
const COLUMNS: [&str; 4] = [
    "Pseudonym / clinic ID",
    "Birth year",
    "Last administration",
    "In progress",
];

/// One client's row: name (a link to their page), birth year, last administration, and how
/// many are unfinished; "…" until the administrations have been read.
fn client_row_ui(
    ui: &mut egui::Ui,
    table: &mut A11yTable,
    client: &Client,
    administrations: Option<&[Administration]>,
    cx: &mut ViewCx<'_>,
) {
    if table.cell(ui, |ui| ui.link(&client.name)).clicked() {
        cx.push(Command::Navigate(Page::ClientPage {
            client_id: client.id.clone(),
            edit: None,
        }));
    }
    table.text_cell(
        ui,
        client.birth_year.map(|y| y.to_string()).unwrap_or_default(),
    );
    if let Some(administrations) = administrations {
        let last = administrations.iter().map(|a| a.started).max();
        let unfinished = administrations
            .iter()
            .filter(|a| a.status == Status::InProgress)
            .count();
        table.text_cell(ui, last.map_or_else(|| "none yet".to_owned(), date));
        if unfinished > 0 {
            table.text_cell(
                ui,
                RichText::new(format!("{unfinished} unfinished")).color(theme::warning(ui)),
            );
        } else {
            table.text_cell(ui, "");
        }
    } else {
        table.text_cell(ui, "\u{2026}");
        table.text_cell(ui, "");
    }
    ui.end_row();
}

/// The column titles, as the table's header row.
fn header_row(ui: &mut egui::Ui, table: &mut A11yTable) {
    egui::Grid::new("clients_header")
        .num_columns(COLUMNS.len())
        .min_col_width(210.0)
        .show(ui, |ui| {
            table.row(ui, 0);
            for title in COLUMNS {
                table.header(ui, title);
            }
            ui.end_row();
        });
}

/// Research: every client's administrations in one file.
fn export_all_ui(ui: &mut egui::Ui, names: &mut bool, cx: &mut ViewCx<'_>) {
    ui.menu_button("Export all clients", |ui| {
        ui.checkbox(names, "Include client names");
        for kind in [
            crate::export::Kind::Csv,
            crate::export::Kind::Json,
            crate::export::Kind::Fhir,
        ] {
            if ui.button(format!("{} file", kind.label())).clicked() {
                cx.push(Command::Export {
                    scope: crate::export::Scope::All,
                    kind,
                });
                ui.close();
            }
        }
    });
}
