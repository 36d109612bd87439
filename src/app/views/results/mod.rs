//! An administration's results: scores (with z, T and percentile against a chosen norm set),
//! missing answers, validity flags, the plane with the client's history, the scores over time,
//! change since the administration before, and the descriptive category with its caveat.

mod change;
mod charts;
mod readings;
mod scores;

use crate::app::a11y;
use eframe::egui::{self, RichText};

use super::{Page, ViewCx};
use crate::app::{Command, Remembered, theme};
use crate::chart::over_time::LineChart;
use crate::chart::plane::{NormRegion, PlaneChart};
pub use crate::chart::{ChartKind, ImageFormat};
use crate::core::ScoreReport;
use crate::core::change::ScoreChange;
use crate::core::instrument::Instrument;
use crate::core::norms::Standing;
use crate::results::local_norms::NormOption;
use crate::results::text::{self, Medium};
use crate::store::{Administration, Client};

/// What the results page shows; everything was computed by the core when the page opened.
pub struct ResultsPage {
    /// The client.
    pub client: Client,
    /// The administration.
    pub administration: Administration,
    /// Its instrument.
    pub instrument: Instrument,
    /// Its scores.
    pub report: ScoreReport,
    /// Per score, its 95 % band where a reliability and SD are known.
    pub bands: Vec<Option<(f64, f64)>>,
    /// The plane with the client's earlier points, for instruments that have one.
    pub chart: Option<PlaneChart>,
    /// The scores over time, when there are earlier administrations.
    pub lines: Option<LineChart>,
    /// Change since the administration before (its date, and per score), if there is one.
    pub change: Option<(String, Vec<ScoreChange>)>,
    /// Norm sets that can be chosen for z, T and percentile.
    pub norms: Vec<NormOption>,
    /// The chosen one (index into `norms`); change it with [`ResultsPage::select_norm`].
    pub norm_selected: Option<usize>,
    /// The plane as a texture, with the pixel size it was drawn at (redrawn only when that or
    /// the chart changes).
    pub texture: Option<(egui::TextureHandle, [usize; 2])>,
    /// The line chart as a texture, likewise.
    pub line_texture: Option<(egui::TextureHandle, [usize; 2])>,
    /// What the page says, from `results::text` (as the PDF does): the score rows without a
    /// norm set, then with each of `norms` (so that choosing one redraws without rescoring).
    pub rows: Vec<Vec<text::ScoreRow>>,
    /// The change tables (since the one before, since intake) and their notes.
    pub change_text: Vec<text::Change>,
    /// The readings.
    pub readings: text::Readings,
    /// The figures each band was drawn from (`results::text::band_notes`).
    pub band_notes: Vec<String>,
}

impl ResultsPage {
    /// The page for an assessment, with the clinic's default norm set chosen.
    pub fn new(client: Client, a: crate::results::Assessment) -> Self {
        let rows = std::iter::once(None)
            .chain(a.norms.iter().map(Some))
            .map(|norm| text::score_rows(&a, norm, Medium::Screen))
            .collect();
        let change_text = text::changes(&a, Medium::Screen);
        let readings = text::readings(&a);
        let band_notes = text::band_notes(&a);
        let mut page = Self {
            rows,
            change_text,
            readings,
            band_notes,
            client,
            administration: a.administration,
            instrument: a.instrument,
            report: a.report,
            bands: a.bands,
            chart: a.chart,
            lines: a.lines,
            change: a.change,
            norms: a.norms,
            norm_selected: None,
            texture: None,
            line_texture: None,
        };
        page.select_norm(a.default_norm);
        page
    }

    /// Chooses a norm set (or none): standings follow it, and the plane shows its region.
    pub fn select_norm(&mut self, selected: Option<usize>) {
        let selected = selected.filter(|&i| i < self.norms.len());
        self.norm_selected = selected;
        if let Some(chart) = &mut self.chart {
            chart.norm = selected
                .and_then(|i| self.norms.get(i))
                .and_then(|set| norm_region(&self.instrument, set));
            self.texture = None;
        }
    }

    /// The standing of each score against the chosen norm set.
    pub fn standings(&self) -> Vec<Option<Standing>> {
        let set = self.norm_selected.and_then(|i| self.norms.get(i));
        self.report
            .scores
            .iter()
            .enumerate()
            .map(|(idx, s)| set?.standing(idx, s.value?))
            .collect()
    }

    /// The score rows for the chosen norm set.
    pub fn score_rows(&self) -> &[text::ScoreRow] {
        let k = self.norm_selected.map_or(0, |i| i + 1);
        self.rows.get(k).map_or(&[], Vec::as_slice)
    }

    /// The note on norms for the chosen set (or that there are none published).
    pub fn norm_note(&self) -> Option<String> {
        text::norm_note(
            &self.instrument,
            self.norm_selected.and_then(|i| self.norms.get(i)),
        )
    }

    /// A file name for a chart: instrument, date and chart, never the client's name.
    pub fn default_file_name(&self, chart: ChartKind, format: ImageFormat) -> String {
        let date = self.administration.given_on();
        format!(
            "securebase-{}-{date}-{}.{}",
            self.instrument.id,
            chart.name(),
            format.extension()
        )
    }

    /// A chart of the page as file bytes: the same renderer as the screen; PNG at print
    /// density.
    pub fn chart_bytes(&self, chart: ChartKind, format: ImageFormat) -> Result<Vec<u8>, String> {
        use crate::chart::Drawable;
        let bytes = match chart {
            ChartKind::Plane => {
                let c = self
                    .chart
                    .as_ref()
                    .ok_or("This questionnaire has no plane to save.")?;
                match format {
                    ImageFormat::Png => c.render_png(1440, 1440, 3.0),
                    ImageFormat::Svg => c.render_svg(720, 720).map(String::into_bytes),
                }
            }
            ChartKind::Lines => {
                let c = self
                    .lines
                    .as_ref()
                    .ok_or("There is no chart over time: this is the only administration.")?;
                match format {
                    ImageFormat::Png => c.render_png(1920, 1080, 2.0),
                    ImageFormat::Svg => c.render_svg(960, 540).map(String::into_bytes),
                }
            }
        };
        bytes.map_err(|e| e.to_string())
    }
}

/// The norm region (mean ± 1 SD on both plane axes) when the set has both plane scores.
fn norm_region(instrument: &Instrument, set: &NormOption) -> Option<NormRegion> {
    let plane = instrument.plane.as_ref()?;
    let (mx, sx, _) = set.scores.get(plane.x).copied().flatten()?;
    let (my, sy, _) = set.scores.get(plane.y).copied().flatten()?;
    Some(NormRegion {
        x: (mx, sx),
        y: (my, sy),
        label: set.short.clone(),
    })
}

/// Draws the results page.
pub fn results_ui(
    ui: &mut egui::Ui,
    page: &mut ResultsPage,
    remembered: &mut Remembered,
    cx: &mut ViewCx<'_>,
) {
    ui.add_space(8.0);
    if ui.link(format!("Back to {}", page.client.name)).clicked() {
        cx.push(Command::Navigate(Page::ClientPage {
            client_id: page.client.id.clone(),
            edit: None,
        }));
    }
    a11y::page_title(
        ui,
        format!(
            "{} \u{2014} {}",
            page.instrument.short_name, page.client.name
        ),
    );
    ui.label(
        RichText::new(format!(
            "{} · {} · {} of {} answered ({} declined)",
            page.instrument.name,
            crate::results::given_line(&page.administration),
            page.instrument.n_slots() - page.report.n_missing,
            page.instrument.n_slots(),
            page.report.n_declined
        ))
        .color(theme::muted(ui)),
    );
    scores::norm_choice_ui(ui, page);
    ui.add_space(theme::GAP);
    egui::ScrollArea::vertical()
        .auto_shrink([false, false])
        .show(ui, |ui| {
            ui.horizontal_top(|ui| {
                if page.chart.is_some() {
                    ui.vertical(|ui| {
                        charts::plane_ui(ui, page);
                        export_buttons_ui(ui, cx, ChartKind::Plane);
                    });
                    ui.add_space(theme::GAP);
                }
                ui.vertical(|ui| {
                    scores::scores_grid_ui(ui, page.score_rows());
                    for note in &page.band_notes {
                        ui.label(RichText::new(note).small().color(theme::muted(ui)));
                    }
                    for change in &page.change_text {
                        ui.add_space(theme::GAP);
                        change::change_ui(ui, change);
                    }
                });
            });
            if page.lines.is_some() {
                ui.add_space(theme::GAP);
                charts::lines_ui(ui, page);
                export_buttons_ui(ui, cx, ChartKind::Lines);
            }
            ui.add_space(theme::GAP);
            readings::readings_ui(
                ui,
                &page.readings,
                page.norm_note()
                    .filter(|_| page.norm_selected.is_none())
                    .as_deref(),
            );
            let bar = crate::app::widgets::ExportBar {
                scope: crate::export::Scope::Administration(
                    page.client.id.clone(),
                    page.administration.id.clone(),
                ),
                report: Some("Report of this administration (PDF)"),
                what: "this administration",
                folded: false,
            };
            crate::app::widgets::export_bar_ui(ui, &bar, remembered, cx);
        });
}

/// "Save as PNG" and "Save as SVG" for one chart.
fn export_buttons_ui(ui: &mut egui::Ui, cx: &mut ViewCx<'_>, chart: ChartKind) {
    ui.horizontal(|ui| {
        let what = match chart {
            ChartKind::Plane => "plane",
            ChartKind::Lines => "chart",
        };
        for format in [ImageFormat::Png, ImageFormat::Svg] {
            if ui
                .button(format!(
                    "Save {what} as {}",
                    format.extension().to_uppercase()
                ))
                .clicked()
            {
                cx.push(Command::ExportChart { chart, format });
            }
        }
    });
}
