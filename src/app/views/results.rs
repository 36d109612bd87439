//! An administration's results: scores, missing answers, validity flags, and the descriptive
//! category with its caveat. (The plane and change over time are their own page, later.)

use eframe::egui::{self, RichText};

use super::{Page, date_time};
use crate::app::{Command, Screen, SecurebaseApp, theme};
use crate::core::ScoreReport;
use crate::core::instrument::Instrument;
use crate::core::plane::{REGION_CAVEAT, Region};
use crate::store::{Administration, Client};

/// What the results page shows; the report was computed by the core when the page opened.
pub struct ResultsPage {
    /// The client.
    pub client: Client,
    /// The administration.
    pub administration: Administration,
    /// Its instrument.
    pub instrument: Instrument,
    /// Its scores.
    pub report: ScoreReport,
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
    let Page::Results(page) = &ws.page else {
        return;
    };
    let ResultsPage {
        client,
        administration,
        instrument,
        report,
    } = page.as_ref();
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
    egui::ScrollArea::vertical().auto_shrink([false, false]).show(ui, |ui| {
        scores_grid_ui(ui, instrument, report, theme_choice);
        ui.add_space(theme::GAP);
        if let (Some(choice), Some(def)) = (&administration.choice, &instrument.choice) {
            let paragraph = def
                .options
                .iter()
                .find(|(v, _)| v == choice)
                .and_then(|(_, item)| instrument.items.get(*item))
                .map_or("", |i| i.text.as_str());
            ui.label(RichText::new(format!("Forced choice: paragraph {choice}")).strong());
            ui.label(RichText::new(paragraph).italics());
        }
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
            ui.label(RichText::new(format!("Region of the anxiety-avoidance plane: {}", region.label())).strong());
            ui.label(RichText::new(REGION_CAVEAT).color(theme::muted(theme_choice)));
        }
        ui.add_space(theme::GAP);
        ui.label(RichText::new("Validity").strong());
        if report.flags.is_empty() {
            ui.label("No flags: nothing unusual about how the form was answered.");
        }
        for flag in &report.flags {
            ui.label(RichText::new(format!("\u{2022} {}", flag.describe(instrument))).color(theme::warning(theme_choice)));
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
                ui.label(&def.name).on_hover_text(&def.higher_means);
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
