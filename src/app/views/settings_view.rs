//! Settings: idle lock, text size, theme.

use eframe::egui::{self, RichText};

use super::Page;
use crate::app::settings::{IDLE_CHOICES, Settings, TEXT_SCALES, ThemeChoice};
use crate::app::{Command, Screen, SecurebaseApp, theme};

/// The settings being edited.
pub struct SettingsForm {
    /// The edited copy.
    pub settings: Settings,
}

impl From<&Settings> for SettingsForm {
    fn from(settings: &Settings) -> Self {
        Self {
            settings: settings.clone(),
        }
    }
}

/// Draws the settings page.
pub fn settings_ui(app: &mut SecurebaseApp, ui: &mut egui::Ui) {
    let theme_choice = app.settings.theme;
    let SecurebaseApp {
        screen, commands, ..
    } = app;
    let Screen::Clinician(ws) = screen else {
        return;
    };
    let Page::Settings(form) = &mut ws.page else {
        return;
    };
    let s = &mut form.settings;
    ui.add_space(8.0);
    ui.heading("Settings");
    ui.add_space(theme::GAP);
    ui.label(RichText::new("Lock after").strong());
    ui.label(
        RichText::new("Without input for this long, the workspace locks and client mode shows a calm pause screen.")
            .color(theme::muted(theme_choice)),
    );
    ui.horizontal(|ui| {
        for minutes in IDLE_CHOICES {
            ui.radio_value(&mut s.idle_minutes, minutes, format!("{minutes} minutes"));
        }
    });
    ui.add_space(theme::GAP);
    ui.label(RichText::new("Text size").strong());
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
    ui.add_space(theme::GAP);
    ui.label(RichText::new("Theme").strong());
    ui.horizontal(|ui| {
        for choice in ThemeChoice::ALL {
            ui.radio_value(&mut s.theme, choice, choice.label());
        }
    });
    ui.add_space(theme::GAP);
    if !s.batteries.is_empty() {
        ui.label(RichText::new("The clinic's batteries").strong());
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
    if ui.button("Save settings").clicked() {
        commands.push(Command::SaveSettings(s.clone()));
    }
}
