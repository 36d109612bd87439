//! Adding and editing a client.

use crate::app::a11y;
use eframe::egui::{self, RichText};

use super::{Page, ViewCx, labelled_field};
use crate::app::{Command, theme};
use crate::store::Client;

/// The client form.
#[derive(Default, Clone)]
pub struct ClientForm {
    /// Pseudonym or clinic id.
    pub name: String,
    /// Year of birth as typed.
    pub birth_year: String,
    /// Notes.
    pub notes: String,
    /// What went wrong last time.
    pub error: Option<String>,
}

impl ClientForm {
    /// The form filled from a client, for editing.
    pub fn from_client(client: &Client) -> Self {
        Self {
            name: client.name.clone(),
            birth_year: client.birth_year.map(|y| y.to_string()).unwrap_or_default(),
            notes: client.notes.clone(),
            error: None,
        }
    }

    /// The fields, checked: (name, birth year) or what is wrong.
    fn parsed(&self) -> Result<(String, Option<i32>), String> {
        let name = self.name.trim();
        if name.is_empty() {
            return Err("Enter a pseudonym or clinic ID.".to_owned());
        }
        let year = self.birth_year.trim();
        let birth_year = if year.is_empty() {
            None
        } else {
            Some(
                year.parse::<i32>()
                    .map_err(|_| "The birth year should be a year, like 1984.".to_owned())?,
            )
        };
        Ok((name.to_owned(), birth_year))
    }
}

/// Draws the form's fields and its buttons; returns the command to save, if asked.
pub fn client_form_fields(
    ui: &mut egui::Ui,
    form: &mut ClientForm,
    id: Option<&str>,
) -> (Option<Command>, bool) {
    ui.label(
        RichText::new("Use a pseudonym or the clinic's ID rather than a full name.")
            .color(theme::muted(ui)),
    );
    labelled_field(ui, "Pseudonym or clinic ID", &mut form.name, false);
    labelled_field(ui, "Birth year (optional)", &mut form.birth_year, false);
    let label = ui.label("Notes (optional)");
    ui.add(
        egui::TextEdit::multiline(&mut form.notes)
            .desired_rows(4)
            .desired_width(f32::INFINITY),
    )
    .labelled_by(label.id);
    if let Some(error) = &form.error {
        ui.label(RichText::new(error).color(theme::warning(ui)));
    }
    let mut command = None;
    let mut cancel = false;
    ui.horizontal(|ui| {
        if ui.button("Save client").clicked() {
            match form.parsed() {
                Ok((name, birth_year)) => {
                    command = Some(Command::SaveClient {
                        id: id.map(str::to_owned),
                        name,
                        birth_year,
                        notes: form.notes.clone(),
                    });
                }
                Err(e) => form.error = Some(e),
            }
        }
        if ui.button("Cancel").clicked() {
            cancel = true;
        }
    });
    (command, cancel)
}

/// Draws the "add client" page.
pub fn new_client_ui(ui: &mut egui::Ui, form: &mut ClientForm, cx: &mut ViewCx<'_>) {
    ui.add_space(8.0);
    a11y::page_title(ui, "Add a client");
    ui.add_space(8.0);
    ui.scope(|ui| {
        ui.set_max_width(520.0);
        let (command, cancel) = client_form_fields(ui, form, None);
        if let Some(command) = command {
            cx.push(command);
        }
        if cancel {
            cx.push(Command::Navigate(Page::Clients));
        }
    });
}
