//! Settings, Clinicians and Recovery sheet: who can unlock (add, rename, remove), and the way
//! back for a forgotten passphrase.

use crate::app::a11y;
use eframe::egui::{self, RichText};

use super::ViewCx;
use crate::app::{Command, theme};

/// A new clinician, as typed.
#[derive(Default)]
pub struct ClinicianForm {
    /// Their name.
    pub name: String,
    /// Their passphrase.
    pub passphrase: String,
    /// The passphrase again.
    pub again: String,
    /// Why it was refused.
    pub error: Option<String>,
    /// What happened (added, removed, renamed).
    pub said: Option<String>,
    /// A clinician being renamed: their id and the name typed.
    pub renaming: Option<(String, String)>,
    /// A clinician whose removal waits for "Yes, remove": their id.
    pub removing: Option<String>,
}

/// The folder's clinicians, and the form that adds one.
pub fn clinicians_ui(ui: &mut egui::Ui, form: &mut ClinicianForm, cx: &mut ViewCx<'_>) {
    a11y::section_title(ui, "Clinicians");
    ui.label(
        RichText::new(
            "Each clinician unlocks with their own passphrase, and the audit log names who \
             opened, changed or exported what. Any of them can leave client mode.",
        )
        .color(theme::muted(ui)),
    );
    let several = cx.clinicians.len() > 1;
    egui::Grid::new("clinicians")
        .num_columns(3)
        .spacing([24.0, 4.0])
        .show(ui, |ui| {
            for clinician in cx.clinicians {
                let you = cx.unlocked_as == Some(clinician.name.as_str());
                ui.label(if you {
                    RichText::new(format!("{} (you)", clinician.name)).strong()
                } else {
                    RichText::new(&clinician.name)
                });
                ui.label(
                    RichText::new(format!("added {}", super::date(clinician.added)))
                        .color(theme::muted(ui)),
                );
                ui.horizontal(|ui| {
                    if ui
                        .button("Rename")
                        .on_hover_text(format!("Rename {}", clinician.name))
                        .clicked()
                    {
                        form.renaming = Some((clinician.id.clone(), clinician.name.clone()));
                        form.removing = None;
                    }
                    // Nobody removes themselves, and the last clinician stays.
                    if several
                        && !you
                        && ui
                            .button("Remove")
                            .on_hover_text(format!("Remove {}", clinician.name))
                            .clicked()
                    {
                        form.removing = Some(clinician.id.clone());
                        form.renaming = None;
                    }
                });
                ui.end_row();
            }
        });
    change_ui(ui, form, cx);
    ui.add_space(4.0);
    ui.scope(|ui| {
        ui.set_max_width(520.0);
        add_clinician_ui(ui, form, cx);
    });
}

/// The form that adds a clinician.
fn add_clinician_ui(ui: &mut egui::Ui, form: &mut ClinicianForm, cx: &mut ViewCx<'_>) {
    ui.label("Add a clinician: they choose their own passphrase, at least 8 characters.");
    super::labelled_field(ui, "Name", &mut form.name, false);
    super::labelled_field(ui, "Their passphrase", &mut form.passphrase, true);
    super::labelled_field(ui, "Their passphrase again", &mut form.again, true);
    let problem = if form.name.trim().is_empty() {
        Some("Type their name: the audit log calls them by it.")
    } else if form.passphrase.chars().count() < 8 {
        Some("Their passphrase needs at least 8 characters.")
    } else if form.passphrase != form.again {
        Some("The two passphrases differ.")
    } else {
        None
    };
    if let Some(problem) = problem {
        ui.label(RichText::new(problem).color(theme::muted(ui)));
    }
    if let Some(error) = &form.error {
        ui.label(RichText::new(error).color(theme::warning(ui)));
    }
    if let Some(said) = &form.said {
        ui.label(said);
    }
    if ui
        .add_enabled(problem.is_none(), egui::Button::new("Add clinician"))
        .clicked()
    {
        form.again.clear();
        form.error = None;
        form.said = None;
        cx.push(Command::AddClinician {
            name: form.name.trim().to_owned(),
            passphrase: age::secrecy::SecretString::from(std::mem::take(&mut form.passphrase)),
        });
    }
}

/// A rename or a removal in progress: its field, or its confirmation.
fn change_ui(ui: &mut egui::Ui, form: &mut ClinicianForm, cx: &mut ViewCx<'_>) {
    let name_of = |id: &str| {
        cx.clinicians
            .iter()
            .find(|c| c.id == id)
            .map(|c| c.name.clone())
            .unwrap_or_default()
    };
    if let Some((id, typed)) = &mut form.renaming {
        let id = id.clone();
        ui.add_space(4.0);
        super::labelled_field(ui, &format!("New name for {}", name_of(&id)), typed, false);
        let name = typed.trim().to_owned();
        ui.horizontal(|ui| {
            if ui
                .add_enabled(!name.is_empty(), egui::Button::new("Save the name"))
                .clicked()
            {
                cx.push(Command::RenameClinician {
                    id: id.clone(),
                    name: name.clone(),
                });
            }
            if ui.button("Cancel").clicked() {
                form.renaming = None;
            }
        });
    }
    if let Some(id) = form.removing.clone() {
        ui.add_space(4.0);
        egui::Frame::group(ui.style()).show(ui, |ui| {
            ui.label(
                RichText::new(format!("Remove {}?", name_of(&id)))
                    .strong()
                    .color(theme::warning(ui)),
            );
            ui.label(
                "Their passphrase stops working. The folder's key is replaced and every record \
                 encrypted again, so that a copy of the old key they may have kept opens \
                 nothing written from now on. Their entries in the audit log stay.",
            );
            ui.horizontal(|ui| {
                if ui.button("Yes, remove").clicked() {
                    cx.push(Command::RemoveClinician { id: id.clone() });
                }
                if ui.button("Cancel").clicked() {
                    form.removing = None;
                }
            });
        });
    }
}

/// The recovery sheet: when it was made, and a new one.
pub fn recovery_ui(ui: &mut egui::Ui, cx: &mut ViewCx<'_>) {
    a11y::section_title(ui, "Recovery sheet");
    match cx.recovery {
        Some(r) => ui.label(format!(
            "Made on {} by {}. With its code the clinic sets a new passphrase for a clinician \
             who forgot theirs.",
            super::date(r.created),
            r.made_by
        )),
        None => ui.label(
            RichText::new(
                "This data folder has no recovery sheet: a forgotten passphrase cannot be \
                 replaced. Make one and keep it locked away.",
            )
            .color(theme::warning(ui)),
        ),
    };
    if ui
        .button("Make a new recovery sheet")
        .on_hover_text("The earlier sheet stops working")
        .clicked()
    {
        cx.push(Command::NewRecoverySheet);
    }
}
