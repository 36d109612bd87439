//! Client mode's keys: digits answer, `P` declines, Backspace or the left arrow goes back,
//! letters choose a paragraph, Enter continues. While the focus is on the answer scale the
//! arrows move along it (egui's own focus moves), so there the left arrow does not go back.

use eframe::egui::{self, Key};

use super::Action;
use super::answer_scale::scale_id;
use crate::app::KioskState;
use crate::app::kiosk_session::Step;
use crate::core::Answer;

/// Keyboard shortcuts of the current step.
pub(super) fn keyboard(ui: &egui::Ui, mode: &KioskState) -> Option<Action> {
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
    let on_scale = match (
        session.step,
        session.form(),
        ui.memory(egui::Memory::focused),
    ) {
        (Step::Item(_), Some(form), Some(focused)) => {
            let response = &form.instrument.response;
            (response.min..=response.max).any(|v| focused == scale_id(v))
        }
        _ => false,
    };
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
            if i.key_pressed(Key::Backspace) || (i.key_pressed(Key::ArrowLeft) && !on_scale) {
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
