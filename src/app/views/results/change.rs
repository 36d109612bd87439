//! The change table: since the administration before, per score, with its notes.

use eframe::egui::{self, RichText};

use crate::app::a11y::{self, A11yTable};
use crate::app::theme;
use crate::results::text;

/// Change since the administration before: per score, the difference and, where reliability
/// figures exist, the reliable change index and its reading; otherwise why not, plainly.
pub(super) fn change_ui(ui: &mut egui::Ui, change: &text::Change) {
    a11y::section_title(ui, &change.heading);
    let titles = ["Score", "Before", "Now", "Difference", "Reliable change"];
    A11yTable::show(
        ui,
        &change.heading,
        change.rows.len() + 1,
        titles.len(),
        |ui, table| {
            egui::Grid::new(("change", &change.heading))
                .num_columns(titles.len())
                .striped(true)
                .spacing(egui::vec2(20.0, 8.0))
                .show(ui, |ui| {
                    table.row(ui, 0);
                    for title in titles {
                        table.header(ui, title);
                    }
                    ui.end_row();
                    for (k, row) in change.rows.iter().enumerate() {
                        table.row(ui, k + 1);
                        table.text_cell(ui, &row.name);
                        table.text_cell(ui, &row.before);
                        table.text_cell(ui, &row.now);
                        table.text_cell(ui, &row.difference);
                        if row.reading == "not computable" {
                            table
                                .text_cell(ui, RichText::new(&row.reading).color(theme::muted(ui)));
                        } else {
                            table.text_cell(ui, &row.reading);
                        }
                        ui.end_row();
                    }
                });
        },
    );
    for note in &change.notes {
        ui.label(RichText::new(note).small().color(theme::muted(ui)));
    }
}
