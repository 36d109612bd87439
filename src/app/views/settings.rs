//! Settings: clinicians, backup, idle lock, text size, theme, figures.

use crate::app::a11y;
use eframe::egui::{self, RichText};

use super::ViewCx;
use crate::app::{Command, theme};
use crate::store::settings::{ClinicFigures, IDLE_CHOICES, Settings, TEXT_SCALES, ThemeChoice};

/// The settings being edited.
pub struct SettingsForm {
    /// The edited copy.
    pub settings: Settings,
    /// The reliability figures being typed.
    pub figures: FiguresForm,
    /// A clinician being added (boxed: pages are moved around by value).
    pub clinician: Box<super::clinicians::ClinicianForm>,
}

/// A clinic's reliability and SD for one score, as typed.
#[derive(Default)]
pub struct FiguresForm {
    /// Instrument id.
    pub instrument: String,
    /// Score id.
    pub score: String,
    /// Reliability as typed.
    pub reliability: String,
    /// SD as typed.
    pub sd: String,
    /// Source.
    pub source: String,
    /// What is wrong with it.
    pub error: Option<String>,
}

impl FiguresForm {
    /// The figures, checked.
    fn parsed(&self) -> Result<ClinicFigures, String> {
        let number = |text: &str, what: &str| {
            text.trim()
                .replace(',', ".")
                .parse::<f64>()
                .map_err(|_| format!("The {what} should be a number."))
        };
        if self.instrument.is_empty() || self.score.is_empty() {
            return Err("Choose the questionnaire and the score.".to_owned());
        }
        let figures = ClinicFigures {
            instrument: self.instrument.clone(),
            score: self.score.clone(),
            reliability: number(&self.reliability, "reliability")?,
            sd: number(&self.sd, "SD")?,
            source: self.source.trim().to_owned(),
        };
        if figures.figures().is_none() {
            return Err(
                "The reliability must lie between 0 and 1, the SD be above 0, and the source be given."
                    .to_owned(),
            );
        }
        Ok(figures)
    }
}

impl From<&Settings> for SettingsForm {
    fn from(settings: &Settings) -> Self {
        Self {
            settings: settings.clone(),
            figures: FiguresForm::default(),
            clinician: Box::default(),
        }
    }
}

/// Draws the settings page.
pub fn settings_ui(
    ui: &mut egui::Ui,
    form: &mut SettingsForm,
    local_norms: Option<&crate::store::LocalNorms>,
    cx: &mut ViewCx<'_>,
) {
    ui.add_space(8.0);
    a11y::page_title(ui, "Settings");
    ui.add_space(theme::GAP);
    // The page scrolls; its Save button stays in view below it.
    egui::ScrollArea::vertical()
        .auto_shrink([false, false])
        .max_height((ui.available_height() - 56.0).max(120.0))
        .show(ui, |ui| {
            settings_body(ui, form, local_norms, cx);
        });
    ui.separator();
    if ui.button("Save settings").clicked() {
        cx.push(Command::SaveSettings(form.settings.clone()));
    }
}

/// Everything on the settings page below its heading (it scrolls).
fn settings_body(
    ui: &mut egui::Ui,
    form: &mut SettingsForm,
    local_norms: Option<&crate::store::LocalNorms>,
    cx: &mut ViewCx<'_>,
) {
    super::clinicians::clinicians_ui(ui, &mut form.clinician, cx);
    ui.add_space(theme::GAP);
    super::clinicians::recovery_ui(ui, cx);
    ui.add_space(theme::GAP);
    backup_ui(ui, cx);
    ui.add_space(theme::GAP);
    let s = &mut form.settings;
    a11y::section_title(ui, "Lock after");
    ui.label(
        RichText::new("Without input for this long, the workspace locks and client mode shows a calm pause screen.")
            .color(theme::muted(ui)),
    );
    a11y::group(ui, "Lock after", |ui| {
        ui.horizontal(|ui| {
            for minutes in IDLE_CHOICES {
                ui.radio_value(&mut s.idle_minutes, minutes, format!("{minutes} minutes"));
            }
        });
    });
    ui.add_space(theme::GAP);
    a11y::section_title(ui, "Text size");
    a11y::group(ui, "Text size", |ui| {
        ui.horizontal(|ui| {
            for (label, scale) in TEXT_SCALES {
                if ui
                    .radio((s.text_scale - scale).abs() < 0.01, label)
                    .clicked()
                {
                    s.text_scale = scale;
                }
            }
        });
    });
    ui.add_space(theme::GAP);
    a11y::section_title(ui, "Theme");
    a11y::group(ui, "Theme", |ui| {
        ui.horizontal(|ui| {
            for choice in ThemeChoice::ALL {
                ui.radio_value(&mut s.theme, choice, choice.label());
            }
        });
    });
    ui.add_space(theme::GAP);
    a11y::section_title(ui, "Paper for PDF reports");
    ui.horizontal(|ui| {
        use crate::store::settings::Paper;
        ui.radio_value(&mut s.paper, Paper::A4, "A4");
        ui.radio_value(&mut s.paper, Paper::Letter, "US Letter");
    });
    ui.add_space(theme::GAP);
    a11y::section_title(ui, "Paper forms");
    ui.checkbox(
        &mut s.paper_double_entry,
        "Key paper forms in twice by default (double entry: the second time without seeing the \
         first, then each difference checked against the paper)",
    );
    ui.add_space(theme::GAP);
    if !s.batteries.is_empty() {
        a11y::section_title(ui, "The clinic's batteries");
        let mut remove = None;
        for (i, b) in s.batteries.iter().enumerate() {
            ui.horizontal(|ui| {
                ui.label(format!("{}: {}", b.name, b.instruments.join(", ")));
                if ui.small_button(format!("Remove {}", b.name)).clicked() {
                    remove = Some(i);
                }
            });
        }
        if let Some(i) = remove {
            s.batteries.remove(i);
        }
        ui.add_space(theme::GAP);
    }
    figures_ui(ui, &mut form.settings, &mut form.figures, cx.catalog);
    ui.add_space(theme::GAP);
    local_norms_ui(ui, &mut form.settings, local_norms, cx);
}

/// "Back up now": acts at once (it is not one of the settings saved below).
fn backup_ui(ui: &mut egui::Ui, cx: &mut ViewCx<'_>) {
    a11y::section_title(ui, "Backup");
    ui.label(
        RichText::new(
            "One file of the encrypted records, taken while securebase runs; nothing in it is \
             decrypted, and it opens with the same passphrases. Keep it on another disk or a \
             server. IT can schedule the same with `securebase backup --output FILE`.",
        )
        .color(theme::muted(ui)),
    );
    if ui.button("Back up now…").clicked() {
        cx.push(Command::BackUp);
    }
}

/// Reliability and SD per score, for measurement error and reliable change.
fn figures_ui(
    ui: &mut egui::Ui,
    settings: &mut Settings,
    form: &mut FiguresForm,
    catalog: &crate::catalog::Catalog,
) {
    a11y::section_title(ui, "Reliability for reliable change");
    ui.label(
        RichText::new(
            "No verified reliability figures ship with the questionnaires. Enter a reliability \
             and SD from a source you trust, with the source, and results show 95 % bands and \
             the reliable change index for that score.",
        )
        .color(theme::muted(ui)),
    );
    let mut remove = None;
    for (i, f) in settings.figures.iter().enumerate() {
        ui.horizontal(|ui| {
            ui.label(format!(
                "{} {}: reliability {}, SD {} ({})",
                f.instrument, f.score, f.reliability, f.sd, f.source
            ));
            if ui
                .small_button(format!("Remove {} {}", f.instrument, f.score))
                .clicked()
            {
                remove = Some(i);
            }
        });
    }
    if let Some(i) = remove {
        settings.figures.remove(i);
    }
    ui.horizontal(|ui| {
        let label = ui.label("Questionnaire");
        let shown = if form.instrument.is_empty() {
            "choose".to_owned()
        } else {
            form.instrument.clone()
        };
        egui::ComboBox::from_id_salt("figures_instrument")
            .selected_text(shown)
            .show_ui(ui, |ui| {
                for i in &catalog.instruments {
                    ui.selectable_value(&mut form.instrument, i.id.clone(), &i.short_name);
                }
            })
            .response
            .labelled_by(label.id);
        let label = ui.label("Score");
        let scores: Vec<String> = catalog
            .get(&form.instrument)
            .map(|i| i.scores.iter().map(|s| s.id.clone()).collect())
            .unwrap_or_default();
        let shown = if form.score.is_empty() {
            "choose".to_owned()
        } else {
            form.score.clone()
        };
        egui::ComboBox::from_id_salt("figures_score")
            .selected_text(shown)
            .show_ui(ui, |ui| {
                for id in &scores {
                    ui.selectable_value(&mut form.score, id.clone(), id);
                }
            })
            .response
            .labelled_by(label.id);
    });
    ui.horizontal(|ui| {
        for (label, text, width) in [
            ("Reliability", &mut form.reliability, 70.0),
            ("SD", &mut form.sd, 70.0),
            ("Source", &mut form.source, 320.0),
        ] {
            let label = ui.label(label);
            ui.add(egui::TextEdit::singleline(text).desired_width(width))
                .labelled_by(label.id);
        }
        if ui.button("Add figures").clicked() {
            match form.parsed() {
                Ok(figures) => {
                    settings.figures.retain(|f| {
                        !(f.instrument == figures.instrument && f.score == figures.score)
                    });
                    settings.figures.push(figures);
                    *form = FiguresForm::default();
                }
                Err(e) => form.error = Some(e),
            }
        }
    });
    if let Some(error) = &form.error {
        ui.label(RichText::new(error).color(theme::warning(ui)));
    }
}

/// The clinic's local norms: what they are (n, date, per score), computing them again, and the
/// opt-in that makes results use them.
fn local_norms_ui(
    ui: &mut egui::Ui,
    settings: &mut Settings,
    norms: Option<&crate::store::LocalNorms>,
    cx: &mut ViewCx<'_>,
) {
    a11y::section_title(ui, "Local norms");
    ui.label(
        RichText::new(
            "Mean and SD of each score over this clinic's clients, from each client's first \
             completed administration. They describe your clinic's intake, not the population.",
        )
        .color(theme::muted(ui)),
    );
    match norms {
        None => {
            ui.label("Not computed yet.");
        }
        Some(norms) => {
            ui.label(format!("Computed {}.", super::date(norms.computed)));
            egui::Grid::new("local_norms")
                .num_columns(5)
                .striped(true)
                .spacing(egui::vec2(20.0, 4.0))
                .show(ui, |ui| {
                    for title in ["Questionnaire", "Score", "n", "Mean", "SD"] {
                        ui.label(RichText::new(title).strong());
                    }
                    ui.end_row();
                    for e in &norms.scores {
                        ui.label(&e.instrument);
                        ui.label(&e.score);
                        ui.label(e.n.to_string());
                        ui.label(format!("{:.2}", e.mean));
                        ui.label(format!("{:.2}", e.sd));
                        ui.end_row();
                    }
                });
        }
    }
    ui.horizontal(|ui| {
        let verb = if norms.is_some() {
            "Compute again"
        } else {
            "Compute local norms"
        };
        if ui.button(verb).clicked() {
            cx.push(Command::ComputeLocalNorms);
        }
        ui.checkbox(
            &mut settings.use_local_norms,
            "Show results against local norms (z, T, percentile, and their region on the plane)",
        );
    });
    clinic_reliability_ui(ui, settings, norms);
}

/// The clinic's own reliability per scale (computed with the local norms, over the same
/// intakes), what α means, and the opt-in that lets bands and reliable change use it.
fn clinic_reliability_ui(
    ui: &mut egui::Ui,
    settings: &mut Settings,
    norms: Option<&crate::store::LocalNorms>,
) {
    ui.add_space(theme::GAP / 2.0);
    a11y::section_title(ui, "This clinic's own reliability");
    ui.label(
        RichText::new(
            "Cronbach's \u{3b1} says how consistently a scale's items agree in your clinic's \
             intakes, from 0 (not at all) to 1 (completely). With the SD of the score it gives \
             the standard error of measurement, SD \u{b7} \u{221a}(1 \u{2212} \u{3b1}): the \
             95 % band around each score and the reliable change index. Figures typed in above \
             win over these, and these over the questionnaire file's.",
        )
        .color(theme::muted(ui)),
    );
    let min_n = settings.min_reliability_n;
    match norms.filter(|n| !n.reliability.is_empty()) {
        None => {
            ui.label("Not computed yet: it is computed with the local norms.");
        }
        Some(norms) => {
            egui::Grid::new("clinic_reliability")
                .num_columns(6)
                .striped(true)
                .spacing(egui::vec2(20.0, 4.0))
                .show(ui, |ui| {
                    for title in [
                        "Questionnaire",
                        "Scale",
                        "n",
                        "\u{3b1}",
                        "95 % interval",
                        "SD",
                    ] {
                        ui.label(RichText::new(title).strong());
                    }
                    ui.end_row();
                    for e in &norms.reliability {
                        ui.label(&e.instrument);
                        ui.label(&e.score);
                        ui.label(e.n.to_string());
                        if let Some(alpha) = e.alpha.filter(|_| e.n >= min_n) {
                            ui.label(format!("{alpha:.2}"));
                            ui.label(e.alpha_ci.map_or_else(
                                || "\u{2014}".to_owned(),
                                |(lo, hi)| format!("{lo:.2} to {hi:.2}"),
                            ));
                            ui.label(
                                e.sd.map_or_else(|| "\u{2014}".to_owned(), |sd| format!("{sd:.2}")),
                            );
                        } else {
                            let why = if e.n < min_n {
                                format!("not enough data (n < {min_n})")
                            } else {
                                "not computable: the items do not vary".to_owned()
                            };
                            ui.label(RichText::new(why).color(theme::muted(ui)));
                            ui.label("");
                            ui.label("");
                        }
                        ui.end_row();
                    }
                });
        }
    }
    ui.horizontal(|ui| {
        ui.checkbox(
            &mut settings.use_clinic_reliability,
            "Use the clinic's own figures for bands and reliable change",
        );
        let label = ui.label("Fewest intakes");
        ui.add(egui::DragValue::new(&mut settings.min_reliability_n).range(3..=10_000))
            .labelled_by(label.id);
    });
}
