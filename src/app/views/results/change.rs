//! The change table: since the administration before, per score, with its notes.

use eframe::egui::{self, RichText};

use crate::app::theme;
use crate::results::text;

/// Change since the administration before: per score, the difference and, where reliability
/// figures exist, the reliable change index and its reading; otherwise why not, plainly.
pub(super) fn change_ui(ui: &mut egui::Ui, change: &text::Change) {
    ui.label(RichText::new(&change.heading).strong());
    egui::Grid::new(("change", &change.heading))
        .num_columns(5)
        .striped(true)
        .spacing(egui::vec2(20.0, 8.0))
        .show(ui, |ui| {
            for title in ["Score", "Before", "Now", "Difference", "Reliable change"] {
                ui.label(RichText::new(title).strong());
            }
            ui.end_row();
            for row in &change.rows {
                ui.label(&row.name);
                ui.label(&row.before);
                ui.label(&row.now);
                ui.label(&row.difference);
                if row.reading == "not computable" {
                    ui.label(RichText::new(&row.reading).color(theme::muted(ui)));
                } else {
                    ui.label(&row.reading);
                }
                ui.end_row();
            }
        });
    for note in &change.notes {
        ui.label(RichText::new(note).small().color(theme::muted(ui)));
    }
}
