//! One point of the answer scale as a button of its own drawing: an even row of equal buttons,
//! the number large and its anchor beneath; or, where the row is too narrow for the anchors'
//! words (the largest text on a small screen), a column of full-width buttons, the anchor
//! beside the number.

use eframe::egui;

use crate::app::{a11y, theme};
use crate::core::Answer;
use crate::core::instrument::ResponseScale;

/// The scale of one item: one radio group named by the `statement`, described by the
/// `current` answer; returns the value clicked. A screen reader says the statement, then
/// "5, radio button, 5 of 7".
pub(super) fn scale_ui(
    ui: &mut egui::Ui,
    response: &ResponseScale,
    statement: &str,
    current: Option<Answer>,
) -> Option<i32> {
    let n = usize::try_from(response.max - response.min + 1).unwrap_or(1);
    let spacing = 8.0;
    #[expect(clippy::cast_precision_loss, reason = "at most 101 buttons")]
    let width = ((ui.available_width() - spacing * (n as f32 - 1.0)) / n as f32).max(48.0);
    let anchors: Vec<&str> = (response.min..=response.max)
        .filter_map(|value| response.anchor(value))
        .collect();
    // One even row where the anchors fit; else a column of full-width buttons.
    let in_row = fits_in_a_row(ui, &anchors, width);
    let size = if in_row {
        egui::vec2(width, theme::ANSWER_BUTTON_HEIGHT)
    } else {
        egui::vec2(ui.available_width(), theme::ANSWER_ROW_HEIGHT)
    };
    let answered = match current {
        Some(Answer::Value(value)) => match response.anchor(value) {
            Some(anchor) => format!("Your answer: {value} {anchor}"),
            None => format!("Your answer: {value}"),
        },
        Some(Answer::Declined) => "Your answer: prefer not to answer".to_owned(),
        Some(Answer::Missing) | None => "Not answered yet".to_owned(),
    };
    let mut clicked = None;
    a11y::radio_group(ui, statement, &answered, n, |ui| {
        let layout = if in_row {
            egui::Layout::left_to_right(egui::Align::TOP)
        } else {
            egui::Layout::top_down(egui::Align::LEFT)
        };
        ui.with_layout(layout, |ui| {
            ui.spacing_mut().item_spacing = egui::vec2(spacing, spacing);
            for (position, value) in (response.min..=response.max).enumerate() {
                let anchor = response.anchor(value).unwrap_or("");
                let selected = current == Some(Answer::Value(value));
                if answer_button(ui, size, (value, position), anchor, selected, !in_row).clicked() {
                    clicked = Some(value);
                }
            }
        });
    });
    clicked
}

/// One point of the response scale: the number large, its anchor label (if any) small beneath,
/// both centred in a button of exactly `size`, so that the scale is one even row. To the
/// accessibility layer it is a radio button named "5" or "1 Strongly disagree", at
/// `position` (from 0) in its group, checked when `selected`. `in_column`: the number and the
/// anchor side by side, for the scale as a column.
fn answer_button(
    ui: &mut egui::Ui,
    size: egui::Vec2,
    (value, position): (i32, usize),
    anchor: &str,
    selected: bool,
    in_column: bool,
) -> egui::Response {
    let (rect, _) = ui.allocate_exact_size(size, egui::Sense::hover());
    let response = ui.interact(rect, scale_id(value), egui::Sense::click());
    let name = if anchor.is_empty() {
        value.to_string()
    } else {
        format!("{value} {anchor}")
    };
    response
        .widget_info(|| egui::WidgetInfo::selected(egui::Role::RadioButton, true, selected, &name));
    ui.ctx().accesskit_node_builder(response.id, |node| {
        node.set_position_in_set(position);
    });
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
        if in_column {
            // The number at the left, its anchor beside it.
            let left = rect.left() + 20.0;
            painter.galley(
                egui::pos2(left, rect.center().y - number.size().y / 2.0),
                number.clone(),
                text,
            );
            if !anchor.is_empty() {
                let label = painter.layout(
                    anchor.to_owned(),
                    egui::FontId::proportional(theme::ANSWER_ANCHOR_SIZE),
                    text,
                    rect.width() - 80.0,
                );
                painter.galley(
                    egui::pos2(left + 44.0, rect.center().y - label.size().y / 2.0),
                    label,
                    text,
                );
            }
            return response;
        }
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

/// The id of the scale's point `value`: the same on every item, so that the keyboard knows
/// when the focus is on the scale.
pub(super) fn scale_id(value: i32) -> egui::Id {
    egui::Id::unique(("answer-scale", value))
}

/// Whether the scale fits in one row of buttons `width` wide: each anchor's longest word must
/// fit on its button (egui would break a word that does not, "Strongl-y").
fn fits_in_a_row(ui: &egui::Ui, anchors: &[&str], width: f32) -> bool {
    let widest = anchors
        .iter()
        .flat_map(|anchor| anchor.split([' ', '/']))
        .map(|word| {
            ui.painter()
                .layout_no_wrap(
                    word.to_owned(),
                    egui::FontId::proportional(theme::ANSWER_ANCHOR_SIZE),
                    egui::Color32::WHITE,
                )
                .size()
                .x
        })
        .fold(0.0_f32, f32::max);
    widest + 14.0 <= width
}
