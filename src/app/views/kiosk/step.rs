//! The steps of client mode, one screen each: hand-over, greeting, instructions, block
//! introductions, the items, the forced choice, the end.
//!
//! Each screen's heading (an item's statement) takes the keyboard focus when the screen
//! appears, so that a screen reader reads it first and Tab goes on down the page.

use eframe::egui::{self, RichText};

use super::Action;
use super::answer_scale::scale_ui;
use crate::app::kiosk_session::Step;
use crate::app::{KioskState, a11y, theme};
use crate::core::Answer;

/// Draws the current step; returns what the client clicked.
pub(super) fn step_ui(ui: &mut egui::Ui, mode: &mut KioskState) -> Option<Action> {
    let screen = (mode.session.form_idx, mode.session.step);
    let focus = mode.announced != Some(screen);
    mode.announced = Some(screen);
    // Every screen's widgets have ids of their own: to the accessibility layer a new screen is
    // new nodes, never an earlier screen's nodes given another role (which screen readers
    // would go on describing by their old interfaces).
    ui.push_id(screen, |ui| screen_ui(ui, mode, focus)).inner
}

fn screen_ui(ui: &mut egui::Ui, mode: &KioskState, focus: bool) -> Option<Action> {
    let session = &mode.session;
    let name = session.client.name.clone();
    let mut action = None;
    // Room above the content, less of it when the text is large or the screen small.
    ui.add_space((ui.available_height() * 0.06).clamp(8.0, 60.0));
    match session.step {
        Step::HandOver => {
            heading(ui, &format!("Please pass the computer to {name}."), focus);
            ui.add_space(theme::GAP);
            body(ui, "When you are ready, press Start.");
            ui.add_space(theme::GAP);
            if big_button(ui, "Start").clicked() {
                action = Some(Action::HandedOver);
            }
        }
        Step::Greeting => {
            heading(ui, &format!("Hello. Are you {name}?"), focus);
            ui.add_space(theme::GAP);
            // One row, its buttons top-aligned and of one height: a long name wraps inside
            // its button rather than pushing the other one down.
            action = button_row(
                ui,
                &[
                    (&format!("Yes, I am {name}"), Action::ConfirmIdentity),
                    ("No", Action::DenyIdentity),
                ],
            );
        }
        Step::WrongPerson => {
            heading(ui, "Please call your clinician.", focus);
            ui.add_space(theme::GAP);
            body(
                ui,
                "These questions are meant for someone else. Your clinician will sort it out.",
            );
            ui.add_space(theme::GAP);
            if big_button(ui, "Back").clicked() {
                action = Some(Action::BackToGreeting);
            }
        }
        Step::Instructions => {
            let form = session.form()?;
            ui.label(
                RichText::new(format!(
                    "Questionnaire {} of {}",
                    session.form_idx + 1,
                    session.forms.len()
                ))
                .size(theme::CLIENT_BODY_SIZE)
                .color(theme::muted(ui)),
            );
            ui.add_space(12.0);
            heading(ui, "Before you begin", focus);
            ui.add_space(12.0);
            body(ui, &form.instrument.instructions.text);
            ui.add_space(12.0);
            body(
                ui,
                "There are no right or wrong answers. You can go back at any time.",
            );
            ui.add_space(theme::GAP);
            if big_button(ui, "Continue").clicked() {
                action = Some(Action::Continue);
            }
        }
        Step::BlockIntro(b) => {
            let form = session.form()?;
            let block = form.instrument.blocks.get(b);
            heading(
                ui,
                &block.map_or(String::new(), |bl| bl.intro.clone()),
                focus,
            );
            ui.add_space(theme::GAP);
            action = button_row(
                ui,
                &[("Continue", Action::Continue), ("Back", Action::Back)],
            );
        }
        Step::Choice => action = choice_ui(ui, mode, focus),
        Step::Item(slot) => action = item_ui(ui, mode, slot, focus),
        Step::End => {
            heading(
                ui,
                "Thank you \u{2014} please return the computer to your clinician.",
                focus,
            );
            ui.add_space(theme::GAP);
            body(ui, "Your answers are saved.");
        }
    }
    action
}

fn item_ui(ui: &mut egui::Ui, mode: &KioskState, slot: usize, focus: bool) -> Option<Action> {
    let session = &mode.session;
    let form = session.form()?;
    let instrument = &form.instrument;
    let item_slot = instrument.slots.get(slot)?;
    let item = instrument.slot_item(item_slot);
    let mut action = None;
    if let Some((position, total)) = session.progress() {
        progress_ui(ui, position, total);
    }
    ui.add_space(theme::GAP);
    if let Some(block) = item_slot.block_idx.and_then(|b| instrument.blocks.get(b)) {
        ui.label(
            RichText::new(format!("About your {}", block.name))
                .size(theme::CLIENT_BODY_SIZE)
                .color(theme::accent(ui)),
        );
        ui.add_space(8.0);
    }
    let statement = match &item.label {
        Some(label) => format!("Paragraph {label}: {}", item.text),
        None => item.text.clone(),
    };
    statement_ui(ui, &statement, focus);
    ui.add_space(theme::GAP);
    let current = session.current_answer();
    let response = &instrument.response;
    if let Some(value) = scale_ui(ui, response, &statement, current) {
        action = Some(Action::Answer(Answer::Value(value)));
    }
    ui.add_space(16.0);
    ui.horizontal(|ui| {
        let back = egui::Button::new(RichText::new("Back").size(theme::CLIENT_BODY_SIZE))
            .min_size(egui::vec2(200.0, 54.0));
        if ui.add(back).clicked() {
            action = Some(Action::Back);
        }
        ui.add_space(16.0);
        let decline =
            egui::Button::new(RichText::new("Prefer not to answer").size(theme::CLIENT_BODY_SIZE))
                .selected(current == Some(Answer::Declined))
                .min_size(egui::vec2(260.0, 54.0));
        if ui.add(decline).clicked() {
            action = Some(Action::Answer(Answer::Declined));
        }
    });
    ui.add_space(theme::GAP);
    ui.label(
        RichText::new(format!(
            "Keys: {}\u{2013}{} answer · P prefer not to answer · Backspace back",
            response.min, response.max
        ))
        .size(theme::HINT_SIZE)
        .color(theme::muted(ui)),
    );
    action
}

/// "Item 12 of 36" and a progress bar named by it, its value the item's number.
fn progress_ui(ui: &mut egui::Ui, position: usize, total: usize) {
    #[expect(clippy::cast_precision_loss, reason = "item counts are small")]
    let fraction = position as f32 / total as f32;
    let label = ui.label(
        RichText::new(format!("Item {position} of {total}"))
            .size(theme::PROGRESS_SIZE)
            .color(theme::muted(ui)),
    );
    let bar = ui
        .add(egui::ProgressBar::new(fraction).desired_height(12.0))
        .labelled_by(label.id);
    #[expect(clippy::cast_precision_loss, reason = "item counts are small")]
    ui.ctx().accesskit_node_builder(bar.id, |node| {
        node.set_min_numeric_value(0.0);
        node.set_max_numeric_value(total as f64);
        node.set_numeric_value(position as f64);
    });
}

/// The forced choice: the paragraphs as large buttons.
fn choice_ui(ui: &mut egui::Ui, mode: &KioskState, focus: bool) -> Option<Action> {
    let session = &mode.session;
    let mut action = None;
    let form = session.form()?;
    let Some(choice) = &form.instrument.choice else {
        return None;
    };
    heading(ui, &choice.prompt, focus);
    ui.add_space(theme::GAP);
    let chosen = form.administration.choice.clone();
    for (i, (value, item_idx)) in choice.options.iter().enumerate() {
        let text = form
            .instrument
            .items
            .get(*item_idx)
            .map_or("", |it| it.text.as_str());
        let label = format!("{value}.  {text}");
        let button = egui::Button::new(RichText::new(label).size(theme::CLIENT_BODY_SIZE))
            .wrap()
            .selected(chosen.as_deref() == Some(value.as_str()))
            .min_size(egui::vec2(ui.available_width(), 80.0));
        if ui.add(button).clicked() {
            action = Some(Action::Choose(i));
        }
        ui.add_space(8.0);
    }
    ui.add_space(12.0);
    if big_button(ui, "Back").clicked() {
        action = Some(Action::Back);
    }
    ui.add_space(12.0);
    ui.label(
        RichText::new("Keys: the letter of a paragraph chooses it · Backspace back")
            .size(theme::HINT_SIZE),
    );
    action
}
/// Buttons side by side, top-aligned and of one height (the tallest one's): a text too long
/// for its share of the row wraps inside its button, and the row stays one row.
fn button_row(ui: &mut egui::Ui, buttons: &[(&str, Action)]) -> Option<Action> {
    let gap = 16.0;
    #[expect(clippy::cast_precision_loss, reason = "two or three buttons")]
    let count = buttons.len().max(1) as f32;
    let room = (ui.available_width() - gap * (count - 1.0)) / count;
    let padding = ui.spacing().button_padding;
    // Each button as wide as its text on one line (at least 220 points, at most its share);
    // all as high as the tallest text needs at that width.
    let laid: Vec<(egui::WidgetText, f32, f32)> = buttons
        .iter()
        .map(|(text, _)| {
            let text: egui::WidgetText = RichText::new(*text).size(theme::CLIENT_BODY_SIZE).into();
            let one_line = text
                .clone()
                .into_galley(
                    ui,
                    Some(egui::TextWrapMode::Extend),
                    f32::INFINITY,
                    egui::TextStyle::Button,
                )
                .size()
                .x;
            let width = (one_line + 2.0 * padding.x + 1.0).clamp(220.0_f32.min(room), room);
            let height = text
                .clone()
                .into_galley(
                    ui,
                    Some(egui::TextWrapMode::Wrap),
                    width - 2.0 * padding.x,
                    egui::TextStyle::Button,
                )
                .size()
                .y
                + 2.0 * padding.y;
            (text, width, height)
        })
        .collect();
    let height = laid.iter().map(|(_, _, h)| *h).fold(64.0_f32, f32::max);
    let mut action = None;
    ui.with_layout(egui::Layout::left_to_right(egui::Align::TOP), |ui| {
        ui.spacing_mut().item_spacing.x = gap;
        for ((text, width, _), (_, then)) in laid.into_iter().zip(buttons) {
            let button = egui::Button::new(text).wrap();
            if ui.add_sized([width, height], button).clicked() {
                action = Some(*then);
            }
        }
    });
    action
}

/// A large button, its text centred.
fn big_button(ui: &mut egui::Ui, text: &str) -> egui::Response {
    // In a horizontal layout egui centres a wide button's text; in a vertical one it would not.
    ui.horizontal(|ui| {
        ui.add(
            egui::Button::new(RichText::new(text).size(theme::CLIENT_BODY_SIZE))
                .min_size(egui::vec2(220.0, 64.0)),
        )
    })
    .inner
}

/// A client-mode heading: a heading to the accessibility layer, and given the keyboard focus
/// when `focus` (the screen has just appeared).
fn heading(ui: &mut egui::Ui, text: &str, focus: bool) {
    let text = RichText::new(text)
        .size(theme::CLIENT_HEADING_SIZE)
        .strong();
    let response = focusable_text(ui, text, focus);
    a11y::mark_heading(ui, &response, 1);
}

/// An item's statement, given the keyboard focus when the item has just appeared.
fn statement_ui(ui: &mut egui::Ui, statement: &str, focus: bool) {
    focusable_text(
        ui,
        RichText::new(statement).size(theme::STATEMENT_SIZE),
        focus,
    );
}

/// Wrapped text that the keyboard can reach, so that a screen reader can be sent to it; takes
/// the focus when `focus`. Drawn as plain text: egui would underline a focused label, which
/// reads as a link, and static text needs no focus mark (nothing happens on a key there).
fn focusable_text(ui: &mut egui::Ui, text: RichText, focus: bool) -> egui::Response {
    let (position, galley, response) = egui::Label::new(text)
        .wrap()
        .selectable(false)
        .sense(egui::Sense::focusable_noninteractive())
        .layout_in_ui(ui);
    response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Label, true, galley.text()));
    if ui.is_rect_visible(response.rect) {
        ui.painter()
            .galley(position, galley, ui.visuals().text_color());
    }
    if focus {
        response.request_focus();
    }
    response
}

/// Client-mode body text.
fn body(ui: &mut egui::Ui, text: &str) {
    ui.label(RichText::new(text).size(theme::CLIENT_BODY_SIZE));
}
