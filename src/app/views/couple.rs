//! The couple page: both partners on one plane for each questionnaire they both completed
//! (a colour and a shape each, a legend with their names, each latest point with its band),
//! the reading of where the two stand, each partner's latest scores, and the couple's report
//! and exports. The clinician's page only: in client mode each partner sees their own form.

use crate::app::a11y;
use eframe::egui::{self, RichText};

use super::{Page, ViewCx};
use crate::app::widgets::{ExportBar, cached_texture, export_bar_ui};
use crate::app::{Command, Remembered, theme};
use crate::chart::Drawable;
use crate::export::Scope;
use crate::results::couple::CoupleResults;
use crate::store::Couple;

/// The page's state: the couple, what `results::couple` computed, and the planes' textures.
pub struct CouplePage {
    /// The couple.
    pub couple: Couple,
    /// What the page shows.
    pub results: CoupleResults,
    /// One texture per plane, drawn again only when its size changes.
    textures: Vec<Option<(egui::TextureHandle, [usize; 2])>>,
}

impl CouplePage {
    /// The page of `couple` with its `results`.
    pub fn new(couple: Couple, results: CoupleResults) -> Self {
        let textures = results.planes.iter().map(|_| None).collect();
        Self {
            couple,
            results,
            textures,
        }
    }
}

/// Draws the page.
pub fn couple_ui(
    ui: &mut egui::Ui,
    page: &mut CouplePage,
    remembered: &mut Remembered,
    cx: &mut ViewCx<'_>,
) {
    let [a, b] = &page.results.names;
    ui.add_space(8.0);
    ui.horizontal(|ui| {
        for (name, id) in [a, b].into_iter().zip(&page.couple.clients) {
            if ui.link(format!("Back to {name}")).clicked() {
                cx.push(Command::Navigate(Page::ClientPage {
                    client_id: id.clone(),
                    edit: None,
                }));
            }
        }
    });
    a11y::page_title(ui, format!("{a} and {b}: the couple"));
    let since = crate::results::day(page.couple.since);
    let status = match page.couple.ended {
        Some(end) => format!("Linked from {since} to {}.", crate::results::day(end)),
        None => format!("Linked since {since}."),
    };
    ui.label(RichText::new(status).color(theme::muted(ui)));
    let bar = ExportBar {
        scope: Scope::Couple {
            id: page.couple.id.clone(),
            clients: page.couple.clients.clone(),
        },
        report: Some("Couple report (PDF)"),
        what: "both partners",
        folded: true,
    };
    export_bar_ui(ui, &bar, remembered, cx);
    ui.add_space(theme::GAP);
    egui::ScrollArea::vertical()
        .auto_shrink([false, false])
        .show(ui, |ui| {
            if page.results.planes.is_empty() {
                ui.label("The two have no questionnaire in common yet.");
            }
            for (plane, texture) in page.results.planes.iter().zip(&mut page.textures) {
                let i = &plane.instrument;
                ui.label(
                    RichText::new(format!("{} \u{2014} {}", i.short_name, i.name))
                        .strong()
                        .size(theme::EMPHASIS_SIZE),
                );
                ui.horizontal_top(|ui| {
                    if let Some(chart) = &plane.chart {
                        let side = (ui.available_width() * 0.45).clamp(280.0, 460.0);
                        let image = cached_texture(
                            ui,
                            texture,
                            &format!("couple-{}", i.id),
                            [side, side],
                            |w, h, scale| chart.render_rgb(w, h, scale),
                        );
                        if let Some(image) = image {
                            ui.add(image.alt_text(format!(
                                "The anxiety-avoidance plane with {a}'s course (blue circles) \
                                 and {b}'s (vermillion squares)"
                            )));
                        }
                    }
                    ui.vertical(|ui| {
                        for line in &plane.reading {
                            ui.add(egui::Label::new(line).wrap());
                            ui.add_space(4.0);
                        }
                        ui.add_space(theme::GAP);
                        egui::Grid::new(format!("couple-latest-{}", i.id))
                            .num_columns(3)
                            .striped(true)
                            .spacing(egui::vec2(14.0, 6.0))
                            .show(ui, |ui| {
                                for title in ["Partner", "Latest", "Scores"] {
                                    ui.label(RichText::new(title).strong());
                                }
                                ui.end_row();
                                for (name, (day, scores)) in
                                    page.results.names.iter().zip(&plane.latest)
                                {
                                    ui.label(name);
                                    ui.label(day);
                                    ui.label(scores);
                                    ui.end_row();
                                }
                            });
                    });
                });
                ui.add_space(theme::GAP);
            }
            for line in &page.results.apart {
                ui.label(RichText::new(line).color(theme::muted(ui)));
            }
        });
}
