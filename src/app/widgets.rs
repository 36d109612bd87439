//! Widgets more than one screen uses: a centred column, a labelled field, a chart texture that
//! is rendered only when its size changes, and the export controls.

use eframe::egui::{self, RichText};

use super::views::ViewCx;
use super::{Command, Remembered, theme};
use crate::export::{Kind, Scope};

/// A column of at most `width` points, centred horizontally.
pub fn centered_column<R>(
    ui: &mut egui::Ui,
    width: f32,
    add: impl FnOnce(&mut egui::Ui) -> R,
) -> R {
    let available = ui.available_width();
    let width = width.min(available);
    let margin = ((available - width) / 2.0).max(0.0);
    ui.horizontal(|ui| {
        ui.add_space(margin);
        ui.vertical(|ui| {
            ui.set_width(width);
            add(ui)
        })
        .inner
    })
    .inner
}

/// A labelled single-line text field; the label is its accessible name.
pub fn labelled_field(
    ui: &mut egui::Ui,
    label: &str,
    text: &mut String,
    password: bool,
) -> egui::Response {
    let label = ui.label(label);
    ui.add(
        egui::TextEdit::singleline(text)
            .password(password)
            .desired_width(f32::INFINITY),
    )
    .labelled_by(label.id)
}

/// An image of `size` points from `texture`, rendered by `render(width, height, scale)` (in
/// pixels, and pixels per chart point) only when the pixel size differs from the cached one:
/// an unchanged page costs no rendering.
pub fn cached_texture<'a>(
    ui: &mut egui::Ui,
    texture: &'a mut Option<(egui::TextureHandle, [usize; 2])>,
    name: &str,
    size: [f32; 2],
    render: impl FnOnce(u32, u32, f64) -> Result<Vec<u8>, crate::chart::ChartError>,
) -> Option<egui::Image<'a>> {
    let ppp = ui.ctx().pixels_per_point();
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "a few hundred pixels"
    )]
    let pixels = [
        (size[0] * ppp).round() as usize,
        (size[1] * ppp).round() as usize,
    ];
    if texture.as_ref().map(|(_, p)| *p) != Some(pixels) {
        let w = u32::try_from(pixels[0]).unwrap_or(480);
        let h = u32::try_from(pixels[1]).unwrap_or(480);
        // The charts' sizes are in points of a 480-point chart; scale with the drawn size.
        let scale = f64::from(ppp) * f64::from(size[0].min(size[1])) / 480.0;
        match render(w, h, scale) {
            Ok(rgb) => {
                let image = egui::ColorImage::from_rgb(pixels, &rgb);
                let handle = ui
                    .ctx()
                    .load_texture(name, image, egui::TextureOptions::LINEAR);
                *texture = Some((handle, pixels));
            }
            Err(e) => {
                ui.label(e.to_string());
                return None;
            }
        }
    }
    texture
        .as_ref()
        .map(|(handle, _)| egui::Image::new((handle.id(), egui::vec2(size[0], size[1]))))
}

/// The export controls shared by the results, client and client-list pages: the PDF report
/// with the clinician's note, and the CSV, JSON and FHIR exports, each through a save dialog.
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
