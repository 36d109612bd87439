//! One point of the answer scale as a button of its own drawing: an even row of equal buttons,
//! the number large and its anchor beneath.

use eframe::egui;

use crate::app::theme;

/// One point of the response scale: the number large, its anchor label (if any) small beneath,
/// both centred in a button of exactly `size`, so that the scale is one even row. Its
/// accessible name is "5" or "1 Strongly disagree".
pub(super) fn answer_button(
    ui: &mut egui::Ui,
    size: egui::Vec2,
    value: i32,
    anchor: &str,
    selected: bool,
) -> egui::Response {
    let (rect, response) = ui.allocate_exact_size(size, egui::Sense::click());
    let name = if anchor.is_empty() {
        value.to_string()
    } else {
        format!("{value} {anchor}")
    };
    response.widget_info(|| egui::WidgetInfo::selected(egui::Role::Button, true, selected, &name));
    if ui.is_rect_visible(rect) {
        let visuals = ui.style().interact_selectable(&response, selected);
        let fill = if selected {
            theme::accent(ui)
        } else {
            visuals.weak_bg_fill
        };
        let text = if selected {
            theme::on_accent(ui)
        } else {
            visuals.text_color()
        };
        let painter = ui.painter();
        painter.rect(rect, 8.0, fill, visuals.bg_stroke, egui::StrokeKind::Inside);
        if response.has_focus() {
            painter.rect_stroke(
                rect.expand(3.0),
                10.0,
                ui.style().visuals.selection.stroke,
                egui::StrokeKind::Outside,
            );
        }
        let number = painter.layout_no_wrap(
            value.to_string(),
            egui::FontId::proportional(theme::ANSWER_NUMBER_SIZE),
            text,
        );
        let mut job = egui::text::LayoutJob::simple(
            anchor.to_owned(),
            egui::FontId::proportional(theme::ANSWER_ANCHOR_SIZE),
            text,
            rect.width() - 10.0,
        );
        job.halign = egui::Align::Center;
        let label = ui.fonts_mut(|f| f.layout_job(job));
        let total = number.size().y
            + if anchor.is_empty() {
                0.0
            } else {
                4.0 + label.size().y
            };
        let top = rect.center().y - total / 2.0;
        painter.galley(
            egui::pos2(rect.center().x - number.size().x / 2.0, top),
            number.clone(),
            text,
        );
        if !anchor.is_empty() {
            let y = top + number.size().y + 4.0;
            // A centred job is laid out around x = 0: place it at the button's centre.
            painter.galley(egui::pos2(rect.center().x, y), label, text);
        }
    }
    response
}
