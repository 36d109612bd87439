//! The scores table of the results page, and the choice of norm set above it.

use eframe::egui::{self, RichText};

use crate::app::theme;
use crate::results::text;

use super::ResultsPage;

/// The norm set for z, T and percentile: a choice when there is one, and what it is.
pub(super) fn norm_choice_ui(ui: &mut egui::Ui, page: &mut ResultsPage) {
    if page.norms.is_empty() {
        return;
    }
    let mut selected = page.norm_selected;
    ui.horizontal(|ui| {
        let label = ui.label("Norms for z, T and percentile");
        let shown = selected
            .and_then(|i| page.norms.get(i))
            .map_or("none".to_owned(), |n| n.short.clone());
        egui::ComboBox::from_id_salt("norm_set")
            .selected_text(shown)
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut selected, None, "none");
                for (i, option) in page.norms.iter().enumerate() {
                    ui.selectable_value(&mut selected, Some(i), &option.short);
                }
            })
            .response
            .labelled_by(label.id);
    });
    if selected != page.norm_selected {
        page.select_norm(selected);
    }
    if let Some(note) = page.norm_note().filter(|_| page.norm_selected.is_some()) {
        ui.label(RichText::new(note).small().color(theme::muted(ui)));
    }
}

/// Score, value (or why there is none), 95 % band, answered, possible range, flags; with z, T
/// and percentile when a norm set is chosen. The rows are `results::text`'s, as on paper.
pub(super) fn scores_grid_ui(ui: &mut egui::Ui, rows: &[text::ScoreRow]) {
    let with_norms = rows.iter().any(|r| r.standing.is_some());
    let mut titles = vec!["Score", "Value", "95 % band", "Answered", "Range", "Flags"];
    if with_norms {
        titles.extend(["z", "T", "Percentile"]);
    }
    egui::Grid::new("scores")
        .num_columns(titles.len())
        .striped(true)
        .spacing(egui::vec2(20.0, 10.0))
        .show(ui, |ui| {
            for title in &titles {
                ui.label(RichText::new(*title).strong());
            }
            ui.end_row();
            for row in rows {
                ui.label(&row.name).on_hover_text(&row.higher_means);
                match &row.not_scored {
                    Some(reason) if row.value == text::NONE => {
                        ui.label(RichText::new(reason).color(theme::warning(ui)))
                    }
                    _ => ui.label(
                        RichText::new(&row.value)
                            .strong()
                            .size(theme::EMPHASIS_SIZE),
                    ),
                };
                match &row.band {
                    Some(band) => ui.label(band),
                    None => ui
                        .label(RichText::new(text::NONE).color(theme::muted(ui)))
                        .on_hover_text("No reliability and SD for this score: see Settings."),
                };
                ui.label(&row.answered);
                ui.label(&row.range);
                // Flags about this score (the form's own flags are listed under Validity).
                if row.flags.is_empty() {
                    ui.label(RichText::new(text::NONE).color(theme::muted(ui)));
                } else {
                    ui.label(RichText::new(row.flags.join("; ")).color(theme::warning(ui)));
                }
                if let Some(standing) = &row.standing {
                    for cell in standing {
                        ui.label(cell);
                    }
                } else if with_norms {
                    for _ in 0..3 {
                        ui.label(text::NONE);
                    }
                }
                ui.end_row();
            }
        });
}
