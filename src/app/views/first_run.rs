//! First run: where the data will live, and the passphrase that protects it.

use crate::app::a11y;
use std::path::Path;

use age::secrecy::SecretString;
use eframe::egui::{self, RichText};

use super::{ViewCx, centered_column, labelled_field};
use crate::app::{Command, theme};

/// The first-run form.
#[derive(Default)]
pub struct FirstRunForm {
    /// Where the data folder will be.
    pub folder: String,
    /// The first clinician's name.
    pub name: String,
    /// The passphrase.
    pub passphrase: String,
    /// The passphrase again.
    pub again: String,
    /// Ticked: "I understand that without a passphrase or the recovery sheet …".
    pub understood: bool,
    /// What went wrong last time.
    pub error: Option<String>,
}

impl FirstRunForm {
    /// The form for `folder`.
    pub fn new(folder: &Path) -> Self {
        Self {
            folder: folder.display().to_string(),
            ..Self::default()
        }
    }
}

/// Draws the first-run screen.
pub fn first_run_ui(ui: &mut egui::Ui, form: &mut FirstRunForm, cx: &mut ViewCx<'_>) {
    let folder_notice = cx.folder_notice;
    let mut create = false;
    egui::CentralPanel::default().show(ui, |ui| {
        egui::ScrollArea::vertical()
            .auto_shrink([false, false])
            .show(ui, |ui| {
                centered_column(ui, 620.0, |ui| {
                    ui.add_space(16.0);
                    ui.label(
                        RichText::new("Welcome to securebase")
                            .size(theme::TITLE_SIZE)
                            .strong(),
                    );
                    ui.add_space(8.0);
                    ui.label(
                        "Before the first client, set up where securebase keeps its records and \
                     the passphrase that protects them.",
                    );
                    ui.add_space(12.0);
                    a11y::section_title(ui, "Data folder");
                    ui.label(RichText::new(&form.folder).monospace());
                    ui.label(
                        RichText::new(
                            "Records are kept here, encrypted. Back them up regularly with \
                             Settings, \"Back up now\". To use another folder, start securebase \
                             with --data-dir; IT can set one for every user of this computer \
                             (docs/install.md in the documentation says how).",
                        )
                        .color(theme::muted(ui)),
                    );
                    if let Some(notice) = folder_notice {
                        ui.label(RichText::new(notice).color(theme::warning(ui)));
                    }
                    ui.add_space(12.0);
                    a11y::section_title(ui, "You, the first clinician");
                    ui.label(
                        "The audit log names who opened, changed or exported what. Colleagues \
                         are added later (Settings, Clinicians), each with their own passphrase.",
                    );
                    labelled_field(ui, "Your name", &mut form.name, false);
                    ui.add_space(8.0);
                    a11y::section_title(ui, "Your passphrase");
                    ui.label(
                        "It unlocks every record. Choose at least 8 characters; a few unrelated \
                     words are easy to remember and hard to guess.",
                    );
                    labelled_field(ui, "Passphrase", &mut form.passphrase, true);
                    labelled_field(ui, "Passphrase again", &mut form.again, true);
                    ui.add_space(8.0);
                    egui::Frame::group(ui.style()).show(ui, |ui| {
                        ui.label(
                            RichText::new("Nobody can open the records without a passphrase.")
                                .strong()
                                .color(theme::warning(ui)),
                        );
                        ui.label(
                            "The records are encrypted. Nobody — not securebase, not an \
                             administrator — can open them without a clinician's passphrase. \
                             Next, securebase makes a recovery sheet: a code, shown once, with \
                             which the clinic sets a new passphrase for a clinician who forgot \
                             theirs. If the passphrases and the sheet are all lost, so are the \
                             records.",
                        );
                        ui.checkbox(
                            &mut form.understood,
                            "I understand: without a passphrase or the recovery sheet, the \
                             records cannot be opened",
                        );
                    });
                    ui.add_space(12.0);
                    let problem = if form.name.trim().is_empty() {
                        Some("Type your name: the audit log calls you by it.")
                    } else {
                        passphrase_problem(&form.passphrase, &form.again, form.understood)
                    };
                    if let Some(problem) = problem {
                        ui.label(RichText::new(problem).color(theme::muted(ui)));
                    }
                    if let Some(error) = &form.error {
                        ui.label(RichText::new(error).color(theme::warning(ui)));
                    }
                    let button = egui::Button::new(
                        RichText::new("Create the data folder").size(theme::EMPHASIS_SIZE),
                    )
                    .min_size(egui::vec2(260.0, 44.0));
                    if ui.add_enabled(problem.is_none(), button).clicked() {
                        create = true;
                    }
                });
            });
    });
    if create {
        let passphrase = SecretString::from(std::mem::take(&mut form.passphrase));
        form.again.clear();
        cx.push(Command::CreateStore {
            name: form.name.trim().to_owned(),
            passphrase,
        });
    }
}

/// Why the passphrase cannot be used yet, if it cannot.
fn passphrase_problem(passphrase: &str, again: &str, understood: bool) -> Option<&'static str> {
    if passphrase.chars().count() < 8 {
        Some("The passphrase needs at least 8 characters.")
    } else if passphrase != again {
        Some("The two passphrases are not the same yet.")
    } else if !understood {
        Some("Please confirm that you understand how the records are opened.")
    } else {
        None
    }
}
