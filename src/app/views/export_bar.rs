//! The export controls shared by the results, client and client-list pages: the PDF report
//! with the clinician's note, and the CSV, JSON and FHIR exports, each through a save dialog.

use eframe::egui::{self, RichText};

use super::ViewCx;
use crate::app::{Command, Remembered, theme};
use crate::export::{Kind, Scope};

/// Which controls a page shows.
pub struct ExportBar<'a> {
    /// What the exports cover.
    pub scope: Scope,
    /// The report button's label, when the page offers a report.
    pub report: Option<&'a str>,
    /// Words after "Export" on the table buttons' line ("this administration").
    pub what: &'a str,
    /// Folded under a "Reports and exports" header (opened by a click), for pages where the
    /// controls are not the main thing.
    pub folded: bool,
}

/// Draws the controls; clicks become [`Command::Export`].
pub fn export_bar_ui(
    ui: &mut egui::Ui,
    bar: &ExportBar<'_>,
    remembered: &mut Remembered,
    cx: &mut ViewCx<'_>,
) {
    ui.add_space(theme::GAP);
    if bar.folded {
        egui::CollapsingHeader::new(RichText::new("Reports and exports").strong())
            .default_open(false)
            .show(ui, |ui| {
                controls_ui(ui, bar, remembered, cx);
            });
    } else {
        ui.label(RichText::new("Reports and exports").strong());
        controls_ui(ui, bar, remembered, cx);
    }
}

fn controls_ui(
    ui: &mut egui::Ui,
    bar: &ExportBar<'_>,
    remembered: &mut Remembered,
    cx: &mut ViewCx<'_>,
) {
    if let Some(report) = bar.report {
        let label = ui.label("Note for the report (printed under its heading)");
        ui.add(
            egui::TextEdit::multiline(&mut remembered.report_note)
                .desired_rows(2)
                .desired_width(560.0),
        )
        .labelled_by(label.id);
        if ui.button(report).clicked() {
            cx.push(Command::Export {
                scope: bar.scope.clone(),
                kind: Kind::ReportPdf,
            });
        }
    }
    ui.horizontal(|ui| {
        ui.label(format!("Export {}:", bar.what));
        for kind in [Kind::Csv, Kind::Json, Kind::Fhir] {
            if ui
                .button(format!("{} file", kind.label()))
                .on_hover_text(match kind {
                    Kind::Csv | Kind::Json => {
                        "One row per administration: answers and scores, for research tools"
                    }
                    _ => "An HL7 FHIR R4 bundle, for record systems",
                })
                .clicked()
            {
                cx.push(Command::Export {
                    scope: bar.scope.clone(),
                    kind,
                });
            }
        }
        ui.checkbox(&mut remembered.export_names, "Include client names");
    });
    ui.label(
        RichText::new(
            "File names never contain a client's name; exports name clients by id unless names \
             are included. Every export is written to the audit log.",
        )
        .small()
        .color(theme::muted(ui)),
    );
}
