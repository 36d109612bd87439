//! Colours, spacing and text sizes: the only place the app's look is decided.
//!
//! Client mode is meant for an anxious person on an unfamiliar PC: large type, generous
//! spacing, calm colours, nothing that flashes. High contrast is white on black with yellow
//! focus, for low vision.

// The one place that mixes colours (clippy.toml refuses them elsewhere).
#![allow(clippy::disallowed_methods)]

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
/// The height of an answer button in the column the scale becomes when its row is too narrow.
pub const ANSWER_ROW_HEIGHT: f32 = 52.0;
/// Size of the number on an answer button in client mode.
pub const ANSWER_NUMBER_SIZE: f32 = 26.0;
/// Size of the anchor ("Strongly agree") under it.
pub const ANSWER_ANCHOR_SIZE: f32 = 15.0;
/// Size of "12 of 36" above an item in client mode.
pub const PROGRESS_SIZE: f32 = 18.0;
/// Size of the key hints under the form in client mode.
pub const HINT_SIZE: f32 = 16.0;
/// Size of a screen's title outside the workspace (welcome, unlock).
pub const TITLE_SIZE: f32 = 32.0;
/// Size of "securebase" in the workspace's top bar.
pub const WORDMARK_SIZE: f32 = 20.0;
/// Size of emphasised text in the workspace: a section's title, a score's value, the label
/// of a page's main button.
pub const EMPHASIS_SIZE: f32 = 18.0;
/// Widest that reading text gets, so that lines stay easy to follow.
pub const READING_WIDTH: f32 = 880.0;
/// Space between blocks.
pub const GAP: f32 = 24.0;

/// The palette of a theme: the colours securebase chooses, put into egui's [`Visuals`] by
/// [`apply`] and read back from there by views ([`accent`], [`warning`], [`muted`],
/// [`on_accent`]), so that a view never needs to know which theme is on.
struct Palette {
    /// A calm accent (blue-teal), readable on the theme's background.
    accent: Color32,
    /// A warning (flags, a wrong passphrase): amber, not alarm red.
    warning: Color32,
    /// Secondary text.
    muted: Color32,
}

fn palette(theme: ThemeChoice) -> Palette {
    match theme {
        ThemeChoice::Light => Palette {
            accent: Color32::from_rgb(0x1f, 0x5f, 0x7a),
            warning: Color32::from_rgb(0x8a, 0x4b, 0x00),
            muted: Color32::from_rgb(0x55, 0x5b, 0x61),
        },
        ThemeChoice::Dark => Palette {
            accent: Color32::from_rgb(0x7f, 0xc4, 0xd8),
            warning: Color32::from_rgb(0xf2, 0xb8, 0x5c),
            muted: Color32::from_rgb(0xb0, 0xb6, 0xbc),
        },
        ThemeChoice::HighContrast => Palette {
            accent: Color32::from_rgb(0xff, 0xe6, 0x00),
            warning: Color32::from_rgb(0xff, 0xb0, 0x00),
            muted: Color32::WHITE,
        },
    }
}

/// The accent colour (egui's hyperlink colour, which [`apply`] sets to it).
pub fn accent(ui: &egui::Ui) -> Color32 {
    ui.visuals().hyperlink_color
}

/// Text on the accent colour: black or white, whichever contrasts more with it.
pub fn on_accent(ui: &egui::Ui) -> Color32 {
    let [r, g, b, _] = accent(ui).to_array();
    // Relative luminance, roughly (sRGB weights on the stored values): light accents get black.
    let luminance = 0.2126 * f32::from(r) + 0.7152 * f32::from(g) + 0.0722 * f32::from(b);
    if luminance > 128.0 {
        Color32::BLACK
    } else {
        Color32::WHITE
    }
}

/// The warning colour (egui's `warn_fg_color`).
pub fn warning(ui: &egui::Ui) -> Color32 {
    ui.visuals().warn_fg_color
}

/// The colour of secondary text (egui's weak text colour).
pub fn muted(ui: &egui::Ui) -> Color32 {
    ui.visuals().weak_text_color()
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
    let Palette {
        accent,
        warning,
        muted,
    } = palette(theme);
    let mut v = match theme {
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
            v
        }
        ThemeChoice::Dark => {
            let mut v = Visuals::dark();
            v.widgets.inactive.bg_stroke = Stroke::new(1.0, Color32::from_gray(110));
            v.panel_fill = Color32::from_rgb(0x1d, 0x22, 0x26);
            v.selection.bg_fill = Color32::from_rgb(0x2f, 0x6f, 0x86);
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
            v
        }
    };
    v.hyperlink_color = accent;
    v.warn_fg_color = warning;
    v.weak_text_color = Some(muted);
    v
}
