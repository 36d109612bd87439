//! The page's two charts as images, rendered by `chart` and cached as textures.

use eframe::egui;

use super::ResultsPage;
use crate::app::widgets::cached_texture;
use crate::chart::Drawable;

/// The plane as an image, drawn by the chart renderer at the screen's pixel density and drawn
/// again only when that size or the chart changes.
pub(super) fn plane_ui(ui: &mut egui::Ui, page: &mut ResultsPage) {
    let Some(chart) = page.chart.as_ref() else {
        return;
    };
    let side = (ui.available_width() * 0.5).clamp(280.0, 480.0);
    let image = cached_texture(
        ui,
        &mut page.texture,
        "plane",
        [side, side],
        |w, h, scale| chart.render_rgb(w, h, scale),
    );
    if let Some(image) = image {
        ui.add(image.alt_text("The anxiety-avoidance plane with this and earlier administrations"));
    }
}

/// The scores over time, drawn as [`plane_ui`] draws the plane.
pub(super) fn lines_ui(ui: &mut egui::Ui, page: &mut ResultsPage) {
    let Some(chart) = page.lines.as_ref() else {
        return;
    };
    let width = ui.available_width().clamp(400.0, 900.0);
    let size = [width, width * 0.4];
    let image = cached_texture(ui, &mut page.line_texture, "lines", size, |w, h, scale| {
        chart.render_rgb(w, h, scale)
    });
    if let Some(image) = image {
        ui.add(image.alt_text("The scores at each administration, joined by lines"));
    }
}
