//! Colours, spacing and text sizes: the only place the app's look is decided.
//!
//! Client mode is meant for an anxious person on an unfamiliar PC: large type, generous
//! spacing, calm colours, nothing that flashes. High contrast is white on black with yellow
//! focus, for low vision.

use eframe::egui::{self, Color32, FontId, Stroke, TextStyle, Visuals};

use crate::store::settings::{Settings, ThemeChoice};

/// Size of an item's statement in client mode.
pub const STATEMENT_SIZE: f32 = 30.0;
/// Size of headings in client mode.
pub const CLIENT_HEADING_SIZE: f32 = 34.0;
/// Size of body text in client mode.
pub const CLIENT_BODY_SIZE: f32 = 22.0;
/// Height of the answer buttons in client mode.
pub const ANSWER_BUTTON_HEIGHT: f32 = 88.0;
/// Widest that reading text gets, so that lines stay easy to follow.
pub const READING_WIDTH: f32 = 880.0;
/// Space between blocks.
pub const GAP: f32 = 24.0;

/// A calm accent (blue-teal), readable on both light and dark.
pub fn accent(theme: ThemeChoice) -> Color32 {
    match theme {
        ThemeChoice::Light => Color32::from_rgb(0x1f, 0x5f, 0x7a),
        ThemeChoice::Dark => Color32::from_rgb(0x7f, 0xc4, 0xd8),
        ThemeChoice::HighContrast => Color32::from_rgb(0xff, 0xe6, 0x00),
    }
}

/// Text on the accent colour.
pub fn on_accent(theme: ThemeChoice) -> Color32 {
    match theme {
        ThemeChoice::Light => Color32::WHITE,
        ThemeChoice::Dark | ThemeChoice::HighContrast => Color32::BLACK,
    }
}

/// Colour of a warning (flags, wrong passphrase): amber, not alarm red.
pub fn warning(theme: ThemeChoice) -> Color32 {
    match theme {
        ThemeChoice::Light => Color32::from_rgb(0x8a, 0x4b, 0x00),
        ThemeChoice::Dark => Color32::from_rgb(0xf2, 0xb8, 0x5c),
        ThemeChoice::HighContrast => Color32::from_rgb(0xff, 0xb0, 0x00),
    }
}

/// Colour of secondary text.
pub fn muted(theme: ThemeChoice) -> Color32 {
    match theme {
        ThemeChoice::Light => Color32::from_rgb(0x55, 0x5b, 0x61),
        ThemeChoice::Dark => Color32::from_rgb(0xb0, 0xb6, 0xbc),
        ThemeChoice::HighContrast => Color32::WHITE,
    }
}

/// Applies the settings to the context: visuals, text sizes, zoom.
pub fn apply(ctx: &egui::Context, settings: &Settings) {
    let visuals = visuals(settings.theme);
    // egui keeps a style per system theme and switches when the system reports one (Windows
    // and macOS do, X11 does not): securebase's own choice must win under either.
    ctx.set_visuals_of(egui::Theme::Dark, visuals.clone());
    ctx.set_visuals_of(egui::Theme::Light, visuals);
    ctx.all_styles_mut(|style| {
        style.text_styles = [
            (TextStyle::Heading, FontId::proportional(26.0)),
            (TextStyle::Body, FontId::proportional(16.0)),
            (TextStyle::Button, FontId::proportional(16.0)),
            (TextStyle::Small, FontId::proportional(13.0)),
            (TextStyle::Monospace, FontId::monospace(15.0)),
        ]
        .into();
        style.spacing.item_spacing = egui::vec2(10.0, 10.0);
        style.spacing.button_padding = egui::vec2(14.0, 8.0);
        style.spacing.interact_size.y = 34.0;
    });
    ctx.set_zoom_factor(settings.text_scale);
}

fn visuals(theme: ThemeChoice) -> Visuals {
    let accent = accent(theme);
    match theme {
        ThemeChoice::Light => {
            let mut v = Visuals::light();
            // Visible edges on every control: a field or a checkbox must not look like text.
            v.widgets.inactive.bg_stroke = Stroke::new(1.0, Color32::from_gray(150));
            v.widgets.inactive.weak_bg_fill = Color32::from_rgb(0xec, 0xeb, 0xe6);
            v.extreme_bg_color = Color32::WHITE;
            // Near-black text: egui's default grey is too faint for reading long statements.
            v.override_text_color = Some(Color32::from_gray(28));
            v.panel_fill = Color32::from_rgb(0xf7, 0xf6, 0xf2);
            v.window_fill = Color32::from_rgb(0xfd, 0xfc, 0xf9);
            // A light selection with dark text: readable under the near-black text colour.
            v.selection.bg_fill = Color32::from_rgb(0xc9, 0xe2, 0xea);
            v.selection.stroke = Stroke::new(1.5, accent);
            v.hyperlink_color = accent;
            v
        }
        ThemeChoice::Dark => {
            let mut v = Visuals::dark();
            v.widgets.inactive.bg_stroke = Stroke::new(1.0, Color32::from_gray(110));
            v.panel_fill = Color32::from_rgb(0x1d, 0x22, 0x26);
            v.selection.bg_fill = Color32::from_rgb(0x2f, 0x6f, 0x86);
            v.hyperlink_color = accent;
            v
        }
        ThemeChoice::HighContrast => {
            let mut v = Visuals::dark();
            v.override_text_color = Some(Color32::WHITE);
            v.panel_fill = Color32::BLACK;
            v.window_fill = Color32::BLACK;
            v.extreme_bg_color = Color32::BLACK;
            v.faint_bg_color = Color32::from_gray(20);
            v.selection.bg_fill = Color32::from_rgb(0x00, 0x3a, 0x8c);
            v.selection.stroke = Stroke::new(2.0, accent);
            for w in [
                &mut v.widgets.inactive,
                &mut v.widgets.hovered,
                &mut v.widgets.active,
                &mut v.widgets.open,
                &mut v.widgets.noninteractive,
            ] {
                w.bg_stroke = Stroke::new(2.0, Color32::WHITE);
                w.fg_stroke = Stroke::new(2.0, Color32::WHITE);
            }
            v.widgets.inactive.weak_bg_fill = Color32::BLACK;
            v.widgets.inactive.bg_fill = Color32::BLACK;
            v.widgets.hovered.weak_bg_fill = Color32::from_gray(40);
            v.widgets.hovered.bg_stroke = Stroke::new(3.0, accent);
            v.widgets.active.bg_stroke = Stroke::new(3.0, accent);
            v.hyperlink_color = accent;
            v
        }
    }
}
