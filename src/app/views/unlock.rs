//! The unlock screen: the passphrase opens the workspace.

use age::secrecy::SecretString;
use eframe::egui::{self, RichText};

use super::{ViewCx, centered_column, labelled_field};
use crate::app::{Command, theme};
use crate::store::recovery_code::{CodeError, LENGTH};

/// The unlock form.
#[derive(Default)]
pub struct UnlockForm {
    /// Who is unlocking (a name of the folder's clinicians), when there are several.
    pub clinician: String,
    /// The passphrase typed so far.
    pub passphrase: String,
    /// What went wrong last time.
    pub error: Option<String>,
    /// Why the workspace is locked, when it locked itself.
    pub reason: Option<String>,
    /// Whether the field has been given the keyboard focus once. Only once: asking every frame
    /// makes egui repaint without end while the window itself is not focused.
    pub focused_once: bool,
    /// "Forgot your passphrase?": the recovery sheet's form.
    pub recovery: RecoveryForm,
}

/// A new passphrase with the recovery code, as typed.
#[derive(Default)]
pub struct RecoveryForm {
    /// Shown (instead of the passphrase field).
    pub open: bool,
    /// The code as typed.
    pub code: String,
    /// The new passphrase.
    pub passphrase: String,
    /// Again.
    pub again: String,
    /// What went wrong last time.
    pub error: Option<String>,
}

impl UnlockForm {
    /// After the idle time ran out.
    pub fn locked_after_idle() -> Self {
        Self {
            reason: Some("The workspace locked itself after a while without use.".to_owned()),
            ..Self::default()
        }
    }
}

/// Draws the unlock screen.
pub fn unlock_ui(ui: &mut egui::Ui, form: &mut UnlockForm, cx: &mut ViewCx<'_>) {
    let folder = cx.data_dir.display().to_string();
    let folder_notice = cx.folder_notice;
    let mut unlock = false;
    egui::CentralPanel::default().show(ui, |ui| {
        centered_column(ui, 440.0, |ui| {
            ui.add_space(120.0);
            ui.label(
                RichText::new("securebase")
                    .size(theme::TITLE_SIZE)
                    .strong()
                    .color(theme::accent(ui)),
            );
            ui.add_space(4.0);
            ui.label(
                RichText::new("Locked")
                    .size(theme::EMPHASIS_SIZE)
                    .color(theme::muted(ui)),
            );
            ui.add_space(theme::GAP);
            if let Some(reason) = &form.reason {
                ui.label(reason);
            }
            let several = cx.clinicians.len() > 1;
            if several {
                let label = ui.label("Clinician");
                egui::ComboBox::from_id_salt("unlock-clinician")
                    .width(280.0)
                    .selected_text(if form.clinician.is_empty() {
                        "Choose your name"
                    } else {
                        form.clinician.as_str()
                    })
                    .show_ui(ui, |ui| {
                        for c in cx.clinicians {
                            ui.selectable_value(&mut form.clinician, c.name.clone(), &c.name);
                        }
                    })
                    .response
                    .labelled_by(label.id);
                ui.add_space(4.0);
            } else if let [only] = cx.clinicians {
                ui.label(RichText::new(&only.name).color(theme::muted(ui)));
            }
            if form.recovery.open {
                let clinician = match cx.clinicians {
                    [only] => only.name.clone(),
                    _ => form.clinician.clone(),
                };
                recovery_ui(ui, &mut form.recovery, &clinician, cx);
                return;
            }
            let ready = !form.passphrase.is_empty() && (!several || !form.clinician.is_empty());
            let label = if several {
                "Your passphrase"
            } else {
                "Clinician's passphrase"
            };
            let field = labelled_field(ui, label, &mut form.passphrase, true);
            if !form.focused_once {
                field.request_focus();
                form.focused_once = true;
            }
            if field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter)) {
                unlock = true;
            }
            if let Some(error) = &form.error {
                ui.label(RichText::new(error).color(theme::warning(ui)));
            }
            ui.add_space(8.0);
            let button = egui::Button::new(RichText::new("Unlock").size(theme::EMPHASIS_SIZE))
                .min_size(egui::vec2(160.0, 42.0));
            if ui.add_enabled(ready, button).clicked() {
                unlock = true;
            }
            if several && form.clinician.is_empty() && !form.passphrase.is_empty() {
                ui.label(RichText::new("Choose your name first.").color(theme::muted(ui)));
            }
            if cx.recovery.is_some() && ui.link("Forgot your passphrase?").clicked() {
                form.recovery.open = true;
            }
            ui.add_space(theme::GAP * 2.0);
            ui.label(
                RichText::new(format!("Data folder: {folder}"))
                    .small()
                    .color(theme::muted(ui)),
            );
            if let Some(notice) = folder_notice {
                ui.add_space(8.0);
                ui.label(RichText::new(notice).color(theme::warning(ui)));
            }
        });
    });
    let several = cx.clinicians.len() > 1;
    if unlock && !form.passphrase.is_empty() && (!several || !form.clinician.is_empty()) {
        let passphrase = SecretString::from(std::mem::take(&mut form.passphrase));
        cx.push(Command::Unlock {
            clinician: several.then(|| form.clinician.clone()),
            passphrase,
        });
    }
}

/// The recovery sheet's form: the code (checked as typed, group by group), and a new
/// passphrase twice, for `clinician` (chosen above when there are several).
fn recovery_ui(ui: &mut egui::Ui, form: &mut RecoveryForm, clinician: &str, cx: &mut ViewCx<'_>) {
    ui.label(
        "Type the code of the data folder's recovery sheet, then choose a new passphrase. \
         The records stay as they are; the old passphrase stops working.",
    );
    ui.add_space(4.0);
    labelled_field(ui, "Recovery code", &mut form.code, false);
    // A typing error is named as soon as the whole code is there, before anything is tried.
    let code_problem = match crate::store::recovery_code::RecoveryCode::parse(&form.code) {
        Ok(_) => None,
        Err(_) if form.code.trim().is_empty() => Some("Type the code from the sheet.".to_owned()),
        // Still typing: no error yet, only how far.
        Err(CodeError::WrongLength { found }) if found < LENGTH => {
            Some(format!("{found} of the code's {LENGTH} characters so far."))
        }
        Err(e) => Some(e.to_string()),
    };
    labelled_field(ui, "New passphrase", &mut form.passphrase, true);
    labelled_field(ui, "New passphrase again", &mut form.again, true);
    let problem = if clinician.is_empty() {
        Some("Choose your name first.".to_owned())
    } else if let Some(p) = code_problem {
        Some(p)
    } else if form.passphrase.chars().count() < 8 {
        Some("The new passphrase needs at least 8 characters.".to_owned())
    } else if form.passphrase != form.again {
        Some("The two passphrases are not the same yet.".to_owned())
    } else {
        None
    };
    if let Some(problem) = &problem {
        ui.label(RichText::new(problem).color(theme::muted(ui)));
    }
    if let Some(error) = &form.error {
        ui.label(RichText::new(error).color(theme::warning(ui)));
    }
    ui.add_space(8.0);
    ui.horizontal(|ui| {
        if ui
            .add_enabled(
                problem.is_none(),
                egui::Button::new("Set the new passphrase"),
            )
            .clicked()
        {
            form.again.clear();
            form.error = None;
            cx.push(Command::Recover {
                clinician: clinician.to_owned(),
                code: form.code.clone(),
                passphrase: SecretString::from(std::mem::take(&mut form.passphrase)),
            });
        }
        if ui.button("Back").clicked() {
            *form = RecoveryForm::default();
        }
    });
}
