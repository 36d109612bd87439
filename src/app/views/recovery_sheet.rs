//! The recovery sheet, shown once: after set-up, and whenever a clinician makes a new one. The
//! code lives on this page only; leaving it forgets the code.

use crate::app::a11y;
use eframe::egui::{self, RichText};

use super::{Page, ViewCx, centered_column};
use crate::app::{Command, theme};

/// A recovery code just made, on its way to paper.
pub struct RecoverySheetPage {
    /// The code, grouped.
    pub code: String,
    /// Whether this is the folder's first (made at set-up).
    pub first: bool,
    /// Where the sheet was saved, or why it was not.
    pub said: Option<String>,
}

/// Draws the recovery sheet page.
pub fn recovery_sheet_ui(ui: &mut egui::Ui, page: &RecoverySheetPage, cx: &mut ViewCx<'_>) {
    egui::ScrollArea::vertical()
        .auto_shrink([false, false])
        .show(ui, |ui| {
            centered_column(ui, 640.0, |ui| {
                ui.add_space(16.0);
                a11y::page_title(ui, "Your recovery sheet");
                ui.add_space(8.0);
                ui.label(
                    "With this code the clinic can set a new passphrase for a clinician who \
                     forgot theirs (on the unlock screen: \u{201c}Forgot your passphrase?\u{201d}). \
                     It is shown only now: save the sheet and print it.",
                );
                ui.add_space(12.0);
                egui::Frame::group(ui.style()).show(ui, |ui| {
                    ui.set_width(ui.available_width());
                    ui.label(RichText::new("Recovery code").color(theme::muted(ui)));
                    ui.label(
                        RichText::new(&page.code)
                            .monospace()
                            .size(theme::TITLE_SIZE)
                            .strong(),
                    );
                });
                ui.add_space(12.0);
                a11y::section_title(ui, "Where to keep it");
                ui.label(
                    "In a locked cabinet or the clinic's safe, away from this computer. Anyone \
                     with the sheet and the data folder can read every record: do not \
                     photograph it, email it or keep the PDF on this PC once printed.",
                );
                if !page.first {
                    ui.label(
                        RichText::new("The earlier recovery sheet no longer works: shred it.")
                            .color(theme::warning(ui)),
                    );
                }
                ui.add_space(12.0);
                ui.horizontal(|ui| {
                    if ui.button("Save the sheet as PDF\u{2026}").clicked() {
                        cx.push(Command::SaveRecoverySheet {
                            code: page.code.clone(),
                        });
                    }
                    if ui.button("Done: it is printed and put away").clicked() {
                        cx.push(Command::Navigate(Page::Clients));
                    }
                });
                if let Some(said) = &page.said {
                    ui.label(said);
                }
            });
        });
}
