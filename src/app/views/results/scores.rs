//! The scores table of the results page, and the choice of norm set above it.

use eframe::egui::{self, RichText};

use crate::app::a11y::A11yTable;
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
    A11yTable::show(ui, "Scores", rows.len() + 1, titles.len(), |ui, table| {
        egui::Grid::new("scores")
            .num_columns(titles.len())
            .striped(true)
            .spacing(egui::vec2(20.0, 10.0))
            .show(ui, |ui| {
                table.row(ui, 0);
                for title in &titles {
                    table.header(ui, title);
                }
                ui.end_row();
                for (k, row) in rows.iter().enumerate() {
                    table.row(ui, k + 1);
                    score_row_ui(ui, table, row, with_norms);
                    ui.end_row();
                }
            });
    });
}

/// One score's cells.
fn score_row_ui(ui: &mut egui::Ui, table: &mut A11yTable, row: &text::ScoreRow, with_norms: bool) {
    table.named_cell(ui, |ui| {
        ui.label(&row.name).on_hover_text(&row.higher_means)
    });
    match &row.not_scored {
        Some(reason) if row.value == text::NONE => {
            table.text_cell(ui, RichText::new(reason).color(theme::warning(ui)));
        }
        _ => table.text_cell(
            ui,
            RichText::new(&row.value)
                .strong()
                .size(theme::EMPHASIS_SIZE),
        ),
    }
    match &row.band {
        Some(band) => table.text_cell(ui, band),
        None => {
            table.named_cell(ui, |ui| {
                ui.label(RichText::new(text::NONE).color(theme::muted(ui)))
                    .on_hover_text("No reliability and SD for this score: see Settings.")
            });
        }
    }
    table.text_cell(ui, &row.answered);
    table.text_cell(ui, &row.range);
    // Flags about this score (the form's own flags are listed under Validity).
    if row.flags.is_empty() {
        table.text_cell(ui, RichText::new(text::NONE).color(theme::muted(ui)));
    } else {
        table.text_cell(
            ui,
            RichText::new(row.flags.join("; ")).color(theme::warning(ui)),
        );
    }
    if let Some(standing) = &row.standing {
        for cell in standing {
            table.text_cell(ui, cell);
        }
    } else if with_norms {
        for _ in 0..3 {
            table.text_cell(ui, text::NONE);
        }
    }
}
