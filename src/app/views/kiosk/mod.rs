//! Client mode: one calm, large screen at a time, fully usable by keyboard.
//!
//! Keys: the number keys answer and move on, `P` is "prefer not to answer", Backspace or the
//! left arrow goes back, Enter continues. Nothing of the clinician's side is reachable: the one
//! way out is the clinician's passphrase.

mod answer_scale;
mod keyboard;
mod step;

use age::secrecy::SecretString;
use eframe::egui::{self, Key, RichText};
use jiff::Timestamp;

use super::{ViewCx, centered_column, labelled_field};
use crate::app::{Command, KioskState, a11y, theme};
use crate::core::Answer;

/// The "return to the clinician" prompt.
#[derive(Default)]
pub struct LeaveForm {
    /// The passphrase typed so far.
    pub passphrase: String,
    /// What went wrong last time.
    pub error: Option<String>,
    /// Whether the field has been given the keyboard focus once (see `UnlockForm`); cleared
    /// after a wrong try, so that the field takes the keyboard again (REDTEAM L14).
    pub focused_once: bool,
    /// Why the prompt shows.
    pub reason: LeaveReason,
}

impl LeaveForm {
    /// The screen client mode shows once it has lost the screen.
    pub fn interrupted() -> Self {
        Self {
            reason: LeaveReason::Interrupted,
            ..Self::default()
        }
    }
}

/// Why the clinician's passphrase is asked for.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub enum LeaveReason {
    /// The clinician asked to return to the workspace (the Clinician button, a close request);
    /// Cancel goes back to the form.
    #[default]
    Asked,
    /// Client mode lost the screen: another window took the focus, or the window was
    /// minimised or hidden (Alt+Tab, the Windows key, another desktop). The form stays hidden
    /// behind "Please call your clinician" until the passphrase brings it back (REDTEAM H2).
    Interrupted,
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

/// Draws client mode. The top bar's place is kept first and its one button drawn last, so that
/// Tab (and a screen reader's reading order) starts at the form, not at "Clinician".
pub fn kiosk_ui(ui: &mut egui::Ui, mode: &mut KioskState, cx: &mut ViewCx<'_>) {
    let mut action = None;
    egui::CentralPanel::default().show(ui, |ui| {
        let bar_height = ui
            .spacing()
            .interact_size
            .y
            .max(ui.text_style_height(&egui::TextStyle::Button));
        let (bar, _) = ui.allocate_exact_size(
            egui::vec2(ui.available_width(), bar_height),
            egui::Sense::hover(),
        );
        action = content_ui(ui, mode, cx);
        ui.scope_builder(egui::UiBuilder::new().max_rect(bar), |ui| {
            top_bar(ui, mode);
        });
    });
    if let Some(action) = action {
        perform(mode, action);
    }
}

/// Everything below the top bar: a save error, then the passphrase prompt, the pause or the
/// form.
fn content_ui(ui: &mut egui::Ui, mode: &mut KioskState, cx: &mut ViewCx<'_>) -> Option<Action> {
    if let Some(error) = &mode.save_error {
        ui.label(
            RichText::new(format!(
                "Your last answer could not be saved ({error}). Please let your clinician know."
            ))
            .size(theme::CLIENT_BODY_SIZE)
            .color(theme::warning(ui)),
        );
    }
    if mode.leave.is_some() || mode.paused {
        // The form is hidden: coming back to it announces its screen again.
        mode.announced = None;
        // In a scroll area, as the form is: at the largest text size on a small screen the
        // passphrase field and its button would otherwise fall below the window's edge.
        egui::ScrollArea::vertical()
            .auto_shrink([false, false])
            .show(ui, |ui| {
                if mode.leave.is_some() {
                    leave_ui(ui, mode, cx);
                } else {
                    paused_ui(ui, mode);
                }
            });
        return None;
    }
    let mut action = None;
    // A scroll position of each screen's own: a new item starts at its top, however far the
    // one before was scrolled (at the largest text the scale can be a column below the fold).
    egui::ScrollArea::vertical()
        .id_salt(("client-mode", mode.session.form_idx, mode.session.step))
        .auto_shrink([false, false])
        .show(ui, |ui| {
            // Keep clear of the scroll bar, which floats over the right edge.
            let width = theme::READING_WIDTH.min(ui.available_width() - 20.0);
            centered_column(ui, width, |ui| {
                action = step::step_ui(ui, mode);
            });
        });
    action.or_else(|| keyboard::keyboard(ui, mode))
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
    let interrupted = form.reason == LeaveReason::Interrupted;
    centered_column(
        ui,
        theme::READING_WIDTH.min(ui.available_width() - 20.0),
        |ui| {
            ui.add_space((ui.available_height() * 0.1).clamp(8.0, 100.0));
            if interrupted {
                a11y::heading(
                    ui,
                    RichText::new("Please call your clinician").size(theme::CLIENT_HEADING_SIZE),
                    1,
                );
                ui.add_space(12.0);
                ui.label(
                    RichText::new(
                        "The questionnaire is hidden for now. Your answers so far are saved, and \
                     your clinician will bring it back for you.",
                    )
                    .size(theme::CLIENT_BODY_SIZE),
                );
                ui.add_space(theme::GAP);
                a11y::heading(ui, RichText::new("For the clinician").strong(), 2);
                ui.label("Enter the clinician's passphrase to return to the form.");
            } else {
                a11y::heading(
                    ui,
                    RichText::new("For the clinician").size(theme::CLIENT_HEADING_SIZE),
                    1,
                );
                ui.label("Enter the clinician's passphrase to return to the workspace.");
            }
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
                if interrupted {
                    if ui.button("Return to the form").clicked() {
                        submit = true;
                    }
                } else {
                    if ui.button("Return to workspace").clicked() {
                        submit = true;
                    }
                    if ui.button("Cancel").clicked() || ui.input(|i| i.key_pressed(Key::Escape)) {
                        cancel = true;
                    }
                }
            });
        },
    );
    if submit && !form.passphrase.is_empty() {
        let passphrase = SecretString::from(std::mem::take(&mut form.passphrase));
        cx.push(if interrupted {
            Command::ResumeKiosk { passphrase }
        } else {
            Command::LeaveKiosk { passphrase }
        });
    }
    if cancel {
        mode.leave = None;
    }
}

fn paused_ui(ui: &mut egui::Ui, mode: &mut KioskState) {
    centered_column(
        ui,
        theme::READING_WIDTH.min(ui.available_width() - 20.0),
        |ui| {
            ui.add_space((ui.available_height() * 0.15).clamp(8.0, 160.0));
            a11y::heading(
                ui,
                RichText::new("Paused").size(theme::CLIENT_HEADING_SIZE),
                1,
            );
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
        },
    );
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
