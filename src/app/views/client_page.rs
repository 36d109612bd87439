//! One client: details, every administration, and the way into a session.

use crate::app::a11y::{self, A11yTable};
use eframe::egui::{self, RichText};

use super::client_form::{ClientForm, client_form_fields};
use super::{Page, ViewCx, date, session_setup::SetupForm};
use crate::app::{Command, Records, Remembered, theme};
use crate::store::Status;

/// Draws a client's page; `edit` is the edit form, while editing.
pub fn client_page_ui(
    ui: &mut egui::Ui,
    client_id: &str,
    edit: &mut Option<ClientForm>,
    records: &Records,
    remembered: &mut Remembered,
    cx: &mut ViewCx<'_>,
) {
    let Some(client) = records.client(client_id) else {
        ui.label("This client is no longer in the list.");
        return;
    };
    let Some(administrations) = records.cached(client_id) else {
        // Read after this frame (and before a page is first shown); views never read the store.
        cx.push(Command::Read {
            client_id: client_id.to_owned(),
        });
        ui.label("\u{2026}");
        return;
    };

    ui.add_space(8.0);
    if ui.link("Back to all clients").clicked() {
        cx.push(Command::Navigate(Page::Clients));
    }
    ui.add_space(4.0);

    // Details, or the edit form.
    if let Some(form) = edit {
        a11y::page_title(ui, format!("Edit {}", client.name));
        ui.scope(|ui| {
            ui.set_max_width(520.0);
            let (command, cancel) = client_form_fields(ui, form, Some(&client.id));
            if let Some(command) = command {
                cx.push(command);
            }
            if cancel {
                cx.push(Command::Navigate(Page::ClientPage {
                    client_id: client.id.clone(),
                    edit: None,
                }));
            }
        });
        return;
    }
    ui.horizontal(|ui| {
        a11y::page_title(ui, &client.name);
        ui.add_space(16.0);
        if ui.button("Edit").clicked() {
            cx.push(Command::Navigate(Page::ClientPage {
                client_id: client.id.clone(),
                edit: Some(ClientForm::from_client(client)),
            }));
        }
    });
    let facts = match client.birth_year {
        Some(year) => format!("Client since {} · born {year}", date(client.created)),
        None => format!("Client since {}", date(client.created)),
    };
    ui.label(RichText::new(facts).color(theme::muted(ui)));
    for left_out in records
        .failures
        .iter()
        .filter(|f| f.client_id.as_deref() == Some(client_id))
    {
        ui.label(RichText::new(left_out.sentence()).color(theme::warning(ui)));
    }
    if !client.notes.trim().is_empty() {
        ui.label(&client.notes);
    }
    couple_ui(ui, client, records, remembered, cx);
    ui.add_space(theme::GAP);

    // Client mode's unfinished forms; a paper form in progress is continued from its row.
    let unfinished = administrations
        .iter()
        .filter(|a| a.status == Status::InProgress && !a.source.is_paper())
        .count();
    session_buttons_ui(ui, &client.id, unfinished, cx);
    if administrations
        .iter()
        .any(|a| a.status == Status::Completed)
    {
        let bar = crate::app::widgets::ExportBar {
            scope: crate::export::Scope::Client(client.id.clone()),
            report: Some("Report of the whole history (PDF)"),
            what: "every administration",
            folded: true,
        };
        crate::app::widgets::export_bar_ui(ui, &bar, remembered, cx);
    }
    since_intake_ui(ui, administrations, records, cx);
    ui.add_space(theme::GAP);
    ui.label(
        RichText::new("Administrations")
            .strong()
            .size(theme::EMPHASIS_SIZE),
    );
    if administrations.is_empty() {
        ui.label("None yet.");
        return;
    }
    administrations_table_ui(ui, administrations, &records.reports, &client.id, cx);
}

/// The client's couple: their partner with the couple page and "End the couple link", or the
/// choice of a partner to link.
fn couple_ui(
    ui: &mut egui::Ui,
    client: &crate::store::Client,
    records: &Records,
    remembered: &mut Remembered,
    cx: &mut ViewCx<'_>,
) {
    let couples = &records.couples;
    let name = |id: &str| {
        records
            .client(id)
            .map_or_else(|| "a client no longer here".to_owned(), |c| c.name.clone())
    };
    if let Some(couple) = couples.current_of(&client.id) {
        let partner = couple.partner_of(&client.id).map(name).unwrap_or_default();
        ui.horizontal(|ui| {
            ui.label(format!(
                "In a couple with {partner} since {}.",
                crate::results::day(couple.since)
            ));
            if ui.button("Couple page").clicked() {
                cx.push(Command::OpenCouple {
                    client_id: client.id.clone(),
                });
            }
            if ui.button("End the couple link").clicked() {
                cx.push(Command::UnlinkCouple {
                    client_id: client.id.clone(),
                });
            }
        });
        return;
    }
    let free: Vec<&crate::store::Client> = records
        .clients
        .iter()
        .filter(|c| c.id != client.id && couples.current_of(&c.id).is_none())
        .collect();
    if free.is_empty() {
        return;
    }
    ui.horizontal(|ui| {
        let chosen = remembered
            .partner_choice
            .as_deref()
            .and_then(|id| free.iter().find(|c| c.id == id))
            .map_or("Choose a client", |c| c.name.as_str())
            .to_owned();
        let label = ui.label("Link as a couple with");
        egui::ComboBox::from_id_salt("partner_choice")
            .selected_text(chosen)
            .show_ui(ui, |ui| {
                for c in &free {
                    ui.selectable_value(
                        &mut remembered.partner_choice,
                        Some(c.id.clone()),
                        &c.name,
                    );
                }
            })
            .response
            .labelled_by(label.id);
        let ready = remembered
            .partner_choice
            .as_ref()
            .is_some_and(|id| free.iter().any(|c| &c.id == id));
        if ui.add_enabled(ready, egui::Button::new("Link")).clicked()
            && let Some(partner) = remembered.partner_choice.clone()
        {
            cx.push(Command::LinkCouple {
                clients: [client.id.clone(), partner],
            });
        }
    });
    if couples.latest_of(&client.id).is_some()
        && ui.link("The couple page of their earlier couple").clicked()
    {
        cx.push(Command::OpenCouple {
            client_id: client.id.clone(),
        });
    }
}

/// Every administration, newest first, with its headline scores and actions.
fn administrations_table_ui(
    ui: &mut egui::Ui,
    administrations: &[crate::store::Administration],
    reports: &std::collections::HashMap<String, crate::core::ScoreReport>,
    client_id: &str,
    cx: &mut ViewCx<'_>,
) {
    egui::ScrollArea::vertical()
        .auto_shrink([false, false])
        .show(ui, |ui| {
            A11yTable::show(
                ui,
                "Administrations",
                administrations.len() + 1,
                ADMINISTRATION_COLUMNS.len(),
                |ui, table| {
                    egui::Grid::new("administrations")
                        .num_columns(ADMINISTRATION_COLUMNS.len())
                        .striped(true)
                        .min_col_width(110.0)
                        .spacing(egui::vec2(18.0, 10.0))
                        .show(ui, |ui| {
                            table.row(ui, 0);
                            for title in ADMINISTRATION_COLUMNS {
                                table.header(ui, title);
                            }
                            ui.end_row();
                            for (row, a) in administrations.iter().rev().enumerate() {
                                table.row(ui, row + 1);
                                administration_row_ui(ui, table, a, reports, client_id, cx);
                                ui.end_row();
                            }
                        });
                },
            );
        });
}

/// The administrations table's columns.
const ADMINISTRATION_COLUMNS: [&str; 6] = [
    "Date",
    "Questionnaire",
    "Mode",
    "Status",
    "Scores",
    "Actions",
];

/// One administration's cells: when, what, how, how far, its headline scores, and what can be
/// done with it.
fn administration_row_ui(
    ui: &mut egui::Ui,
    table: &mut A11yTable,
    a: &crate::store::Administration,
    reports: &std::collections::HashMap<String, crate::core::ScoreReport>,
    client_id: &str,
    cx: &mut ViewCx<'_>,
) {
    table.text_cell(ui, crate::results::given_text(a));
    let name = cx
        .catalog
        .get(&a.instrument_id)
        .map_or(a.instrument_id.clone(), |i| i.short_name.clone());
    table.text_cell(ui, name);
    table.text_cell(ui, a.source.label());
    table.text_cell(
        ui,
        match a.status {
            Status::InProgress => match &a.draft {
                Some(d) => format!(
                    "being keyed in (entry {}, {} of {} items)",
                    d.entry,
                    d.reached.min(d.first.len()),
                    d.first.len()
                ),
                None => format!("unfinished ({} answered)", a.answers.len()),
            },
            Status::Completed => "completed".to_owned(),
            Status::Abandoned => "abandoned".to_owned(),
        },
    );
    table.text_cell(
        ui,
        headline(cx.catalog, reports.get(&a.id), &a.instrument_id),
    );
    table.cell(ui, |ui| {
        ui.horizontal(|ui| {
            if a.status != Status::InProgress && ui.button("Results").clicked() {
                cx.push(Command::OpenResults {
                    client_id: client_id.to_owned(),
                    administration_id: a.id.clone(),
                });
            }
            if a.status == Status::InProgress
                && a.draft.is_some()
                && ui.button("Continue keying").clicked()
            {
                cx.push(Command::ContinuePaperEntry {
                    client_id: client_id.to_owned(),
                    administration_id: a.id.clone(),
                });
            }
            if a.status == Status::InProgress && ui.button("Mark abandoned").clicked() {
                cx.push(Command::Abandon {
                    client_id: client_id.to_owned(),
                    administration_id: a.id.clone(),
                });
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
fn session_buttons_ui(ui: &mut egui::Ui, client_id: &str, unfinished: usize, cx: &mut ViewCx<'_>) {
    ui.horizontal(|ui| {
        let start = egui::Button::new(RichText::new("Start a session").size(theme::EMPHASIS_SIZE))
            .min_size(egui::vec2(200.0, 40.0));
        if ui.add(start).clicked() {
            cx.push(Command::Navigate(Page::SessionSetup(SetupForm::new(
                client_id,
            ))));
        }
        let paper =
            egui::Button::new(RichText::new("Enter a paper form").size(theme::EMPHASIS_SIZE))
                .min_size(egui::vec2(200.0, 40.0));
        if ui.add(paper).clicked() {
            cx.push(Command::Navigate(Page::PaperEntry(
                super::paper::PaperPage::Setup(super::paper::PaperSetup::new(
                    client_id,
                    cx.settings.paper_double_entry,
                )),
            )));
        }
        if unfinished > 0 {
            let label = format!("Resume the unfinished session ({unfinished})");
            if ui
                .add(
                    egui::Button::new(RichText::new(label).size(theme::EMPHASIS_SIZE))
                        .min_size(egui::vec2(200.0, 40.0)),
                )
                .clicked()
            {
                cx.push(Command::ResumeSession {
                    client_id: client_id.to_owned(),
                });
            }
        }
    });
}

/// One line per questionnaire given more than once: from the intake to the latest, the
/// headline scores with their reliable change and the region then and now
/// (`results::since_intake_line`).
fn since_intake_ui(
    ui: &mut egui::Ui,
    administrations: &[crate::store::Administration],
    records: &Records,
    cx: &ViewCx<'_>,
) {
    let mut lines = Vec::new();
    for instrument in &cx.catalog.instruments {
        let mut done: Vec<&crate::store::Administration> = administrations
            .iter()
            .filter(|a| a.instrument_id == instrument.id && a.status == Status::Completed)
            .filter(|a| records.reports.contains_key(&a.id))
            .collect();
        done.sort_by(|a, b| a.course_key().cmp(&b.course_key()));
        let (Some(intake), Some(latest)) = (done.first(), done.last()) else {
            continue;
        };
        if done.len() < 2 {
            continue;
        }
        let (Some(before), Some(now)) = (
            records.reports.get(&intake.id),
            records.reports.get(&latest.id),
        ) else {
            continue;
        };
        let line = crate::results::since_intake_line(
            instrument,
            before,
            now,
            cx.settings,
            records.local_norms.as_ref(),
        );
        lines.push(format!(
            "{} since intake ({}): {line}",
            instrument.short_name,
            crate::results::day(intake.given_on())
        ));
    }
    if lines.is_empty() {
        return;
    }
    ui.add_space(theme::GAP);
    ui.label(
        RichText::new("Since intake")
            .strong()
            .size(theme::EMPHASIS_SIZE),
    );
    for line in lines {
        ui.label(line);
    }
}
