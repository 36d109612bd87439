//! Client mode: one calm, large screen at a time, fully usable by keyboard.
//!
//! Keys: the number keys answer and move on, `P` is "prefer not to answer", Backspace or the
//! left arrow goes back, Enter continues. Nothing of the clinician's side is reachable: the one
//! way out is the clinician's passphrase.

use age::secrecy::SecretString;
use eframe::egui::{self, Key, RichText};
use jiff::Timestamp;

use super::{ViewCx, centered_column, labelled_field};
use crate::app::kiosk_session::Step;
use crate::app::{Command, KioskState, theme};
use crate::core::Answer;

/// The "return to the clinician" prompt.
#[derive(Default)]
pub struct LeaveForm {
    /// The passphrase typed so far.
    pub passphrase: String,
    /// What went wrong last time.
    pub error: Option<String>,
    /// Whether the field has been given the keyboard focus once (see `UnlockForm`).
    pub focused_once: bool,
}

/// What the client did this frame.
#[derive(Clone, Copy)]
enum Action {
    HandedOver,
    ConfirmIdentity,
    DenyIdentity,
    BackToGreeting,
    Continue,
    Choose(usize),
    Answer(Answer),
    Back,
}

/// Draws client mode.
pub fn kiosk_ui(ui: &mut egui::Ui, mode: &mut KioskState, cx: &mut ViewCx<'_>) {
    let mut action = None;
    egui::CentralPanel::default().show(ui, |ui| {
        top_bar(ui, mode);
        if let Some(error) = &mode.save_error {
            ui.label(
                RichText::new(format!(
                    "Your last answer could not be saved ({error}). Please let your clinician know."
                ))
                .size(theme::CLIENT_BODY_SIZE)
                .color(theme::warning(ui)),
            );
        }
        if mode.leave.is_some() {
            leave_ui(ui, mode, cx);
            return;
        }
        if mode.paused {
            paused_ui(ui, mode);
            return;
        }
        egui::ScrollArea::vertical()
            .auto_shrink([false, false])
            .show(ui, |ui| {
                // Keep clear of the scroll bar, which floats over the right edge.
                let width = theme::READING_WIDTH.min(ui.available_width() - 20.0);
                centered_column(ui, width, |ui| {
                    action = step_ui(ui, mode);
                });
            });
        if action.is_none() {
            action = keyboard(ui, mode);
        }
    });
    if let Some(action) = action {
        perform(mode, action);
    }
}

/// The only control besides the form: the way back to the clinician.
fn top_bar(ui: &mut egui::Ui, mode: &mut KioskState) {
    ui.horizontal(|ui| {
        ui.label(RichText::new("securebase").color(theme::muted(ui)));
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            if mode.leave.is_none()
                && ui
                    .button("Clinician")
                    .on_hover_text(
                        "For your clinician: return to the workspace (needs the passphrase)",
                    )
                    .clicked()
            {
                mode.leave = Some(LeaveForm::default());
            }
        });
    });
}

fn leave_ui(ui: &mut egui::Ui, mode: &mut KioskState, cx: &mut ViewCx<'_>) {
    let Some(form) = &mut mode.leave else {
        return;
    };
    let mut submit = false;
    let mut cancel = false;
    centered_column(ui, 460.0, |ui| {
        ui.add_space(100.0);
        ui.label(RichText::new("For the clinician").size(theme::CLIENT_HEADING_SIZE));
        ui.label("Enter the clinician's passphrase to return to the workspace.");
        ui.add_space(12.0);
        let field = labelled_field(ui, "Clinician's passphrase", &mut form.passphrase, true);
        if !form.focused_once {
            field.request_focus();
            form.focused_once = true;
        }
        if field.lost_focus() && ui.input(|i| i.key_pressed(Key::Enter)) {
            submit = true;
        }
        if let Some(error) = &form.error {
            ui.label(RichText::new(error).color(theme::warning(ui)));
        }
        ui.add_space(8.0);
        ui.horizontal(|ui| {
            if ui.button("Return to workspace").clicked() {
                submit = true;
            }
            if ui.button("Cancel").clicked() || ui.input(|i| i.key_pressed(Key::Escape)) {
                cancel = true;
            }
        });
    });
    if submit && !form.passphrase.is_empty() {
        cx.push(Command::LeaveKiosk {
            passphrase: SecretString::from(std::mem::take(&mut form.passphrase)),
        });
    }
    if cancel {
        mode.leave = None;
    }
}

fn paused_ui(ui: &mut egui::Ui, mode: &mut KioskState) {
    centered_column(ui, theme::READING_WIDTH, |ui| {
        ui.add_space(160.0);
        ui.label(RichText::new("Paused").size(theme::CLIENT_HEADING_SIZE));
        ui.add_space(12.0);
        ui.label(
            RichText::new("Take your time. Your answers so far are saved.")
                .size(theme::CLIENT_BODY_SIZE),
        );
        ui.add_space(theme::GAP);
        let button = egui::Button::new(RichText::new("Continue").size(theme::CLIENT_BODY_SIZE))
            .min_size(egui::vec2(220.0, 64.0));
        if ui.add(button).clicked()
            || ui.input(|i| i.key_pressed(Key::Enter) || i.key_pressed(Key::Space))
        {
            mode.paused = false;
        }
    });
}

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

fn heading(ui: &mut egui::Ui, text: &str) {
    ui.label(
        RichText::new(text)
            .size(theme::CLIENT_HEADING_SIZE)
            .strong(),
    );
}

fn body(ui: &mut egui::Ui, text: &str) {
    ui.label(RichText::new(text).size(theme::CLIENT_BODY_SIZE));
}

/// Draws the current step; returns what the client clicked.
fn step_ui(ui: &mut egui::Ui, mode: &mut KioskState) -> Option<Action> {
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

/// One point of the response scale: the number large, its anchor label (if any) small beneath,
/// both centred in a button of exactly `size`, so that the scale is one even row. Its
/// accessible name is "5" or "1 Strongly disagree".
fn answer_button(
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

/// Keyboard shortcuts of the current step.
fn keyboard(ui: &egui::Ui, mode: &KioskState) -> Option<Action> {
    const DIGITS: [Key; 10] = [
        Key::Num0,
        Key::Num1,
        Key::Num2,
        Key::Num3,
        Key::Num4,
        Key::Num5,
        Key::Num6,
        Key::Num7,
        Key::Num8,
        Key::Num9,
    ];
    let session = &mode.session;
    ui.input(|i| match session.step {
        Step::Item(_) => {
            let form = session.form()?;
            let (min, max) = (form.instrument.response.min, form.instrument.response.max);
            for (digit, key) in DIGITS.iter().enumerate() {
                let value = i32::try_from(digit).ok()?;
                if i.key_pressed(*key) && (min..=max).contains(&value) {
                    return Some(Action::Answer(Answer::Value(value)));
                }
            }
            if i.key_pressed(Key::P) {
                return Some(Action::Answer(Answer::Declined));
            }
            if i.key_pressed(Key::Backspace) || i.key_pressed(Key::ArrowLeft) {
                return Some(Action::Back);
            }
            None
        }
        Step::Choice => {
            let options = session.form()?.instrument.choice.as_ref()?.options.len();
            let letters = [Key::A, Key::B, Key::C, Key::D, Key::E, Key::F];
            for (k, key) in letters.iter().enumerate().take(options) {
                if i.key_pressed(*key) {
                    return Some(Action::Choose(k));
                }
            }
            if i.key_pressed(Key::Backspace) || i.key_pressed(Key::ArrowLeft) {
                return Some(Action::Back);
            }
            None
        }
        Step::Instructions | Step::BlockIntro(_) if i.key_pressed(Key::Enter) => {
            Some(Action::Continue)
        }
        Step::BlockIntro(_) if i.key_pressed(Key::Backspace) || i.key_pressed(Key::ArrowLeft) => {
            Some(Action::Back)
        }
        _ => None,
    })
}

fn perform(mode: &mut KioskState, action: Action) {
    let session = &mut mode.session;
    match action {
        Action::HandedOver => session.handed_over(),
        Action::ConfirmIdentity => session.confirm_identity(),
        Action::DenyIdentity => session.deny_identity(),
        Action::BackToGreeting => session.back_to_greeting(),
        Action::Continue => session.continue_on(),
        Action::Choose(option) => session.choose(option),
        Action::Back => session.back(),
        Action::Answer(answer) => {
            let seconds = mode.shown_at.elapsed().as_secs_f64();
            // The value comes from the instrument's own buttons, so it is always in range.
            let _ = session.answer(answer, Some(seconds), Timestamp::now());
        }
    }
    mode.shown_at = std::time::Instant::now();
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
