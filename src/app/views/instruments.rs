//! Every loaded instrument with its version, citation and licence; files that failed; import.

use crate::app::a11y;
use eframe::egui::{self, RichText};

use super::ViewCx;
use crate::app::{Command, theme};

/// Draws the instruments page.
pub fn instruments_ui(ui: &mut egui::Ui, cx: &mut ViewCx<'_>) {
    let catalog = cx.catalog;
    ui.add_space(8.0);
    ui.horizontal(|ui| {
        a11y::page_title(ui, "Instruments");
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            if ui.button("Import a questionnaire file\u{2026}").clicked() {
                cx.push(Command::ImportInstrument);
            }
        });
    });
    ui.label(
        RichText::new(
            "An imported file is checked before it is copied into the data folder; a file \
             that does not pass is refused with its error.",
        )
        .color(theme::muted(ui)),
    );
    ui.add_space(8.0);
    egui::ScrollArea::vertical()
        .auto_shrink([false, false])
        .show(ui, |ui| {
            if !catalog.failures.is_empty() {
                ui.label(
                    RichText::new("Files that could not be loaded")
                        .strong()
                        .color(theme::warning(ui)),
                );
                for f in &catalog.failures {
                    ui.label(RichText::new(f.error.to_string()).color(theme::warning(ui)));
                }
                ui.add_space(theme::GAP);
            }
            for instrument in &catalog.instruments {
                egui::Frame::group(ui.style()).show(ui, |ui| {
                    ui.set_width(ui.available_width());
                    ui.horizontal(|ui| {
                        ui.label(
                            RichText::new(&instrument.short_name)
                                .strong()
                                .size(theme::EMPHASIS_SIZE),
                        );
                        ui.label(&instrument.name);
                        ui.label(
                            RichText::new(format!(
                                "version {} · {} · {} answers",
                                instrument.version,
                                instrument.language,
                                instrument.n_slots()
                            ))
                            .color(theme::muted(ui)),
                        );
                    });
                    ui.label(&instrument.citation);
                    ui.label(
                        RichText::new(format!("Licence: {}", instrument.licence_note))
                            .color(theme::muted(ui)),
                    );
                    if !instrument.instructions.verified {
                        ui.label(
                            RichText::new("Instructions not verified against the published form.")
                                .color(theme::warning(ui)),
                        );
                    }
                    let scores: Vec<&str> =
                        instrument.scores.iter().map(|s| s.id.as_str()).collect();
                    ui.label(format!("Scores: {}", scores.join(", ")));
                });
                ui.add_space(6.0);
            }
        });
}
