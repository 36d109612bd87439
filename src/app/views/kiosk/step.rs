//! The steps of client mode, one screen each: hand-over, greeting, instructions, block
//! introductions, the items, the forced choice, the end.

use eframe::egui::{self, RichText};

use super::Action;
use super::answer_scale::answer_button;
use crate::app::kiosk_session::Step;
use crate::app::{KioskState, theme};
use crate::core::Answer;

/// Draws the current step; returns what the client clicked.
pub(super) fn step_ui(ui: &mut egui::Ui, mode: &mut KioskState) -> Option<Action> {
    let session = &mode.session;
    let name = session.client.name.clone();
    let mut action = None;
    // Room above the content, less of it when the text is large or the screen small.
    ui.add_space((ui.available_height() * 0.06).clamp(8.0, 60.0));
    match session.step {
        Step::HandOver => {
            heading(ui, &format!("Please pass the computer to {name}."));
            ui.add_space(theme::GAP);
            body(ui, "When you are ready, press Start.");
            ui.add_space(theme::GAP);
            if big_button(ui, "Start").clicked() {
                action = Some(Action::HandedOver);
            }
        }
        Step::Greeting => {
            heading(ui, &format!("Hello. Are you {name}?"));
            ui.add_space(theme::GAP);
            ui.horizontal(|ui| {
                if big_button(ui, &format!("Yes, I am {name}")).clicked() {
                    action = Some(Action::ConfirmIdentity);
                }
                ui.add_space(16.0);
                if big_button(ui, "No").clicked() {
                    action = Some(Action::DenyIdentity);
                }
            });
        }
        Step::WrongPerson => {
            heading(ui, "Please call your clinician.");
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
            heading(ui, "Before you begin");
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
            heading(ui, &block.map_or(String::new(), |bl| bl.intro.clone()));
            ui.add_space(theme::GAP);
            ui.horizontal(|ui| {
                if big_button(ui, "Continue").clicked() {
                    action = Some(Action::Continue);
                }
                ui.add_space(16.0);
                if big_button(ui, "Back").clicked() {
                    action = Some(Action::Back);
                }
            });
        }
        Step::Choice => action = choice_ui(ui, mode),
        Step::Item(slot) => action = item_ui(ui, mode, slot),
        Step::End => {
            heading(
                ui,
                "Thank you \u{2014} please return the computer to your clinician.",
            );
            ui.add_space(theme::GAP);
            body(ui, "Your answers are saved.");
        }
    }
    action
}

fn item_ui(ui: &mut egui::Ui, mode: &KioskState, slot: usize) -> Option<Action> {
    let session = &mode.session;
    let form = session.form()?;
    let instrument = &form.instrument;
    let item_slot = instrument.slots.get(slot)?;
    let item = instrument.slot_item(item_slot);
    let mut action = None;
    if let Some((position, total)) = session.progress() {
        #[expect(clippy::cast_precision_loss, reason = "item counts are small")]
        let fraction = position as f32 / total as f32;
        ui.label(
            RichText::new(format!("{position} of {total}"))
                .size(theme::PROGRESS_SIZE)
                .color(theme::muted(ui)),
        );
        ui.add(egui::ProgressBar::new(fraction).desired_height(12.0));
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
    ui.label(RichText::new(statement).size(theme::STATEMENT_SIZE));
    ui.add_space(theme::GAP);
    let current = session.current_answer();
    let response = &instrument.response;
    let n = usize::try_from(response.max - response.min + 1).unwrap_or(1);
    let spacing = 8.0;
    #[expect(clippy::cast_precision_loss, reason = "at most 101 buttons")]
    let width = ((ui.available_width() - spacing * (n as f32 - 1.0)) / n as f32).max(48.0);
    ui.horizontal(|ui| {
        ui.spacing_mut().item_spacing.x = spacing;
        for value in response.min..=response.max {
            let anchor = response.anchor(value).unwrap_or("");
            let selected = current == Some(Answer::Value(value));
            if answer_button(
                ui,
                egui::vec2(width, theme::ANSWER_BUTTON_HEIGHT),
                value,
                anchor,
                selected,
            )
            .clicked()
            {
                action = Some(Action::Answer(Answer::Value(value)));
            }
        }
    });
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

/// The forced choice: the paragraphs as large buttons.
fn choice_ui(ui: &mut egui::Ui, mode: &KioskState) -> Option<Action> {
    let session = &mode.session;
    let mut action = None;
    let form = session.form()?;
    let Some(choice) = &form.instrument.choice else {
        return None;
    };
    heading(ui, &choice.prompt);
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

/// A client-mode heading.
fn heading(ui: &mut egui::Ui, text: &str) {
    ui.label(
        RichText::new(text)
            .size(theme::CLIENT_HEADING_SIZE)
            .strong(),
    );
}

/// Client-mode body text.
fn body(ui: &mut egui::Ui, text: &str) {
    ui.label(RichText::new(text).size(theme::CLIENT_BODY_SIZE));
}
