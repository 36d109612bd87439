//! The readings under the tables: the forced choice, how to read the scores, the category
//! and region with their caveats, the validity flags and the note on norms.

use crate::app::a11y;
use eframe::egui::{self, RichText};

use crate::app::theme;
use crate::results::text;

/// The readings beside the numbers: the RQ's forced choice and category, the plane's region,
/// how to read the scores, the validity flags, and the note on norms, each with its caveat.
pub(super) fn readings_ui(ui: &mut egui::Ui, readings: &text::Readings, norm_note: Option<&str>) {
    if let Some(choice) = &readings.choice {
        ui.label(RichText::new(&choice.heading).strong());
        ui.label(RichText::new(&choice.paragraph).italics());
        ui.label(&choice.agreement);
    }
    // How to read each score (for the RFQ-8, the authors' reading of high and low values).
    if !readings.how_to_read.is_empty() {
        ui.add_space(8.0);
        a11y::section_title(ui, "How to read the scores");
        for line in &readings.how_to_read {
            ui.label(line);
        }
    }
    ui.add_space(8.0);
    for (line, caveat) in [&readings.category, &readings.region].into_iter().flatten() {
        ui.label(RichText::new(line).strong());
        ui.label(RichText::new(caveat).color(theme::muted(ui)));
    }
    ui.add_space(theme::GAP);
    a11y::section_title(ui, "Validity");
    if readings.flags.is_empty() {
        ui.label(text::NO_FLAGS);
    }
    for flag in &readings.flags {
        ui.label(RichText::new(format!("\u{2022} {flag}")).color(theme::warning(ui)));
    }
    for note in [text::FLAGS_NOTE, text::MISSING_NOTE] {
        ui.label(RichText::new(note).small().color(theme::muted(ui)));
    }
    if let Some(note) = norm_note {
        ui.add_space(8.0);
        ui.label(RichText::new(note).small().color(theme::muted(ui)));
    }
}
