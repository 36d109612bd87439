//! An administration's results: scores, missing answers, validity flags, and the descriptive
//! category with its caveat. (The plane and change over time are their own page, later.)

use eframe::egui::{self, RichText};

use super::{Page, date_time};
use crate::app::{Command, Screen, SecurebaseApp, theme};
use crate::core::ScoreReport;
use crate::core::change::ScoreChange;
use crate::core::instrument::Instrument;
use crate::core::plane::{REGION_CAVEAT, Region};
use crate::core::plot;
use crate::report::chart::{ChartPoint, PlaneChart, render_rgb};
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
    /// The plane with the client's earlier points, for instruments that have one.
    pub chart: Option<PlaneChart>,
    /// Change since the administration before (its date, and per score), if there is one.
    pub change: Option<(String, Vec<ScoreChange>)>,
    /// The chart as a texture, with the pixel size it was drawn at (redrawn only when that
    /// changes).
    pub texture: Option<(egui::TextureHandle, [usize; 2])>,
}

/// The plane for this administration: earlier ones (oldest first) joined by arrows, this one
/// current; for the ECR-RS, one labelled point per relationship.
pub fn plane_chart(
    instrument: &Instrument,
    client: &Client,
    administration: &Administration,
    report: &ScoreReport,
    earlier: &[(String, ScoreReport)],
    clinic: &dyn Fn(usize) -> Option<crate::core::change::Figures>,
) -> Option<PlaneChart> {
    let plane = instrument.plane.as_ref()?;
    let mut reports: Vec<(String, &ScoreReport)> =
        earlier.iter().map(|(d, r)| (d.clone(), r)).collect();
    reports.push((super::date(administration.started), report));
    let to_chart = |p: &plot::PlanePoint, label: String| ChartPoint {
        x: p.x,
        y: p.y,
        x_band: p.x_band,
        y_band: p.y_band,
        label,
    };
    let mut chart = PlaneChart::attachment(&format!(
        "{} \u{2014} {}",
        instrument.short_name, client.name
    ));
    chart.midpoint = plane.midpoint;
    chart.trajectory = plot::trajectory_with_figures(instrument, &reports, clinic)
        .iter()
        .map(|p| to_chart(p, p.label.clone()))
        .collect();
    if !plane.block_points.is_empty() {
        chart.labelled = plot::block_points_with_figures(instrument, report, clinic)
            .iter()
            .filter(|(name, _)| name != plot::GLOBAL_LABEL)
            // Short labels (mother, father, partner, friend) stay inside the plane.
            .map(|(name, p)| {
                let id = instrument
                    .blocks
                    .iter()
                    .find(|b| &b.name == name)
                    .map_or(name.clone(), |b| b.id.clone());
                to_chart(p, id)
            })
            .collect();
    }
    Some(chart)
}

/// Draws the results page.
pub fn results_ui(app: &mut SecurebaseApp, ui: &mut egui::Ui) {
    let theme_choice = app.settings.theme;
    let SecurebaseApp {
        screen, commands, ..
    } = app;
    let Screen::Clinician(ws) = screen else {
        return;
    };
    let Page::Results(page) = &mut ws.page else {
        return;
    };
    let ResultsPage {
        client,
        administration,
        instrument,
        report,
        chart,
        change,
        texture,
    } = page.as_mut();
    ui.add_space(8.0);
    if ui.link(format!("Back to {}", client.name)).clicked() {
        commands.push(Command::Navigate(Page::ClientPage {
            client_id: client.id.clone(),
            edit: None,
        }));
    }
    ui.heading(format!(
        "{} \u{2014} {}",
        instrument.short_name, client.name
    ));
    ui.label(
        RichText::new(format!(
            "{} · {} · {} of {} answered ({} declined)",
            instrument.name,
            date_time(administration.started),
            instrument.n_slots() - report.n_missing,
            instrument.n_slots(),
            report.n_declined
        ))
        .color(theme::muted(theme_choice)),
    );
    ui.add_space(theme::GAP);
    egui::ScrollArea::vertical()
        .auto_shrink([false, false])
        .show(ui, |ui| {
            ui.horizontal_top(|ui| {
                if let Some(chart) = chart.as_ref() {
                    plane_ui(ui, chart, texture);
                    ui.add_space(theme::GAP);
                }
                ui.vertical(|ui| {
                    scores_grid_ui(ui, instrument, report, theme_choice);
                    if let Some((date, changes)) = change.as_ref() {
                        ui.add_space(theme::GAP);
                        change_ui(ui, instrument, date, changes, theme_choice);
                    }
                });
            });
            ui.add_space(theme::GAP);
            readings_ui(ui, instrument, administration, report, theme_choice);
        });
}

fn trim(v: f64) -> String {
    let s = format!("{v:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// Score, value (or why there is none), answered, possible range.
fn scores_grid_ui(
    ui: &mut egui::Ui,
    instrument: &Instrument,
    report: &ScoreReport,
    theme_choice: crate::app::settings::ThemeChoice,
) {
    egui::Grid::new("scores")
        .num_columns(4)
        .striped(true)
        .spacing(egui::vec2(28.0, 10.0))
        .show(ui, |ui| {
            for title in ["Score", "Value", "Answered", "Range"] {
                ui.label(RichText::new(title).strong());
            }
            ui.end_row();
            for (def, s) in instrument.scores.iter().zip(&report.scores) {
                // Per-relationship scales (ECR-RS) say whose they are.
                let name = match def.block_idx.and_then(|b| instrument.blocks.get(b)) {
                    Some(block) => format!("{}: {}", block.id, def.name.to_lowercase()),
                    None => def.name.clone(),
                };
                ui.label(name).on_hover_text(&def.higher_means);
                match (s.value, s.not_scored) {
                    (Some(v), _) => ui.label(RichText::new(format!("{v:.2}")).strong().size(18.0)),
                    (None, Some(reason)) => ui.label(
                        RichText::new(reason.to_string()).color(theme::warning(theme_choice)),
                    ),
                    (None, None) => ui.label("\u{2014}"),
                };
                ui.label(format!("{} of {}", s.n_answered, s.n_items));
                ui.label(format!("{} to {}", trim(def.range.0), trim(def.range.1)));
                ui.end_row();
            }
        });
}

/// The plane as an image, drawn by the chart renderer at the screen's pixel density and drawn
/// again only when that size changes.
fn plane_ui(
    ui: &mut egui::Ui,
    chart: &PlaneChart,
    texture: &mut Option<(egui::TextureHandle, [usize; 2])>,
) {
    let side = (ui.available_width() * 0.5).clamp(280.0, 480.0);
    let ppp = ui.ctx().pixels_per_point();
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "a few hundred pixels"
    )]
    let pixels = (side * ppp).round() as usize;
    let current = texture.as_ref().map(|(_, size)| *size);
    if current != Some([pixels, pixels]) {
        let px = u32::try_from(pixels).unwrap_or(480);
        match render_rgb(chart, px, px, f64::from(ppp) * f64::from(side) / 480.0) {
            Ok(rgb) => {
                let image = egui::ColorImage::from_rgb([pixels, pixels], &rgb);
                let handle = ui
                    .ctx()
                    .load_texture("plane", image, egui::TextureOptions::LINEAR);
                *texture = Some((handle, [pixels, pixels]));
            }
            Err(e) => {
                ui.label(e.to_string());
                return;
            }
        }
    }
    if let Some((handle, _)) = texture {
        ui.add(
            egui::Image::new((handle.id(), egui::vec2(side, side)))
                .alt_text("The anxiety-avoidance plane with this and earlier administrations"),
        );
    }
}

/// Change since the administration before: per score, the difference and, where reliability
/// figures exist, the reliable change index and its reading; otherwise why not, plainly.
fn change_ui(
    ui: &mut egui::Ui,
    instrument: &Instrument,
    date: &str,
    changes: &[ScoreChange],
    theme_choice: crate::app::settings::ThemeChoice,
) {
    ui.label(RichText::new(format!("Change since {date}")).strong());
    egui::Grid::new("change")
        .num_columns(4)
        .striped(true)
        .spacing(egui::vec2(20.0, 8.0))
        .show(ui, |ui| {
            for title in ["Score", "Before", "Now", "Reliable change"] {
                ui.label(RichText::new(title).strong());
            }
            ui.end_row();
            for c in changes {
                let name = instrument
                    .scores
                    .get(c.score_idx)
                    .map_or(c.score_id.as_str(), |s| s.name.as_str());
                ui.label(name);
                ui.label(
                    c.before
                        .map_or("\u{2014}".to_owned(), |v| format!("{v:.2}")),
                );
                ui.label(c.after.map_or("\u{2014}".to_owned(), |v| format!("{v:.2}")));
                match (c.rci, c.verdict) {
                    (Some(rci), Some(verdict)) => {
                        ui.label(format!("{} (RCI {rci:.2})", verdict.label()))
                    }
                    _ => {
                        ui.label(RichText::new("not computable").color(theme::muted(theme_choice)))
                    }
                };
                ui.end_row();
            }
        });
    // Which figures were used, or plainly why there is no reliable change.
    let mut notes: Vec<String> = changes
        .iter()
        .filter_map(|c| match (&c.figures, &c.not_computable) {
            (Some((figures, from)), None) => Some(format!(
                "{}: reliability {:.2}, SD {:.2} ({}, {})",
                c.score_id,
                figures.reliability,
                figures.sd,
                figures.source,
                from.label()
            )),
            (_, Some(reason)) => Some(format!("{}: {reason}", c.score_id)),
            _ => None,
        })
        .collect();
    notes.dedup();
    for note in notes {
        ui.label(
            RichText::new(note)
                .small()
                .color(theme::muted(theme_choice)),
        );
    }
}

/// The readings beside the numbers: the RQ's forced choice and category, the plane's region,
/// the validity flags, and the note on norms, each with its caveat.
fn readings_ui(
    ui: &mut egui::Ui,
    instrument: &Instrument,
    administration: &Administration,
    report: &ScoreReport,
    theme_choice: crate::app::settings::ThemeChoice,
) {
    if let (Some(choice), Some(def)) = (&administration.choice, &instrument.choice) {
        let paragraph = def
            .options
            .iter()
            .find(|(v, _)| v == choice)
            .and_then(|(_, item)| instrument.items.get(*item))
            .map_or("", |i| i.text.as_str());
        ui.label(RichText::new(format!("Forced choice: paragraph {choice}")).strong());
        ui.label(RichText::new(paragraph).italics());
        let disagrees = report.flags.contains(&crate::core::Flag::ChoiceDisagrees);
        ui.label(if disagrees {
            "The forced choice is not the paragraph rated highest: the two parts disagree."
        } else {
            "The forced choice agrees with the highest rating."
        });
    }
    // How to read each score (for the RFQ-8, the authors' reading of high and low values).
    ui.add_space(8.0);
    ui.label(RichText::new("How to read the scores").strong());
    for def in &instrument.scores {
        if !def.higher_means.is_empty() {
            ui.label(format!("{}: {}", def.name, def.higher_means));
        }
    }
    ui.add_space(8.0);
    if let (Some(category), Some(def)) = (report.category, &instrument.category) {
        if let Some(option) = def.options.get(category.option_idx) {
            ui.label(RichText::new(format!("Descriptive category: {}", option.label)).strong());
        }
        ui.label(RichText::new(&def.caveat).color(theme::muted(theme_choice)));
    }
    if let Some(plane) = &instrument.plane
        && let (Some(x), Some(y)) = (
            report.scores.get(plane.x).and_then(|s| s.value),
            report.scores.get(plane.y).and_then(|s| s.value),
        )
    {
        let region = Region::of(x, y, plane.midpoint);
        ui.label(
            RichText::new(format!(
                "Region of the anxiety-avoidance plane: {}",
                region.label()
            ))
            .strong(),
        );
        ui.label(RichText::new(REGION_CAVEAT).color(theme::muted(theme_choice)));
    }
    ui.add_space(theme::GAP);
    ui.label(RichText::new("Validity").strong());
    if report.flags.is_empty() {
        ui.label("No flags: nothing unusual about how the form was answered.");
    }
    for flag in &report.flags {
        ui.label(
            RichText::new(format!("\u{2022} {}", flag.describe(instrument)))
                .color(theme::warning(theme_choice)),
        );
    }
    ui.label(
        RichText::new("Flags describe the answering; they never remove a score.")
            .small()
            .color(theme::muted(theme_choice)),
    );
    if !instrument.norm_sets.is_empty() {
        return;
    }
    ui.add_space(8.0);
    ui.label(
        RichText::new("No norms: no verified norm set exists for this instrument yet; the values are raw scale scores.")
            .small()
            .color(theme::muted(theme_choice)),
    );
}
