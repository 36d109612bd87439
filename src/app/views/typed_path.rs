//! The typed-path prompt, for a desktop where no file dialog can be shown (no desktop portal,
//! REDTEAM L9): it says so and asks for the path of the file to save or to open, prefilled with
//! a sensible default. Also the words the handlers and this prompt share about choosing a file:
//! what is asked ([`FileRequest`]), what a dialog answered ([`Choice`]) and what the path is
//! for ([`FileAction`]).
//!
//! Choosing itself (showing the system's dialog, telling "cancelled" from "no dialog", checking
//! a typed path) is `handlers::file_choice`'s. This view only edits the text, closes itself on
//! Cancel, and asks for the rest with [`Command::UseTypedPath`].

use crate::app::a11y;
use std::path::{Path, PathBuf};

use eframe::egui::{self, RichText};

use super::{ViewCx, labelled_field};
use crate::app::{Command, theme};
use crate::chart::{ChartKind, ImageFormat};
use crate::export::{Kind, Scope};

/// Whether a file is to be saved (a new name) or opened (an existing file).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileMode {
    /// Save a new file (or replace one).
    Save,
    /// Open an existing file.
    Open,
}

/// What a file is asked for: what a dialog shows, and for saving the name it proposes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileRequest {
    /// Save or open.
    pub mode: FileMode,
    /// The dialog's title ("Save the CSV").
    pub title: String,
    /// The file type's name, for the dialog's filter ("CSV").
    pub filter: String,
    /// The file type's extensions, without the dot.
    pub extensions: Vec<String>,
    /// For saving, the file name proposed.
    pub file_name: Option<String>,
}

impl FileRequest {
    /// Asks where to save a file of type `filter` (`extension`), proposing `file_name`.
    pub fn save(title: &str, filter: &str, extension: &str, file_name: String) -> Self {
        Self {
            mode: FileMode::Save,
            title: title.to_owned(),
            filter: filter.to_owned(),
            extensions: vec![extension.to_owned()],
            file_name: Some(file_name),
        }
    }

    /// Asks for an existing file of type `filter` (`extension`).
    pub fn open(title: &str, filter: &str, extension: &str) -> Self {
        Self {
            mode: FileMode::Open,
            title: title.to_owned(),
            filter: filter.to_owned(),
            extensions: vec![extension.to_owned()],
            file_name: None,
        }
    }
}

/// What a file dialog answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Choice {
    /// This file.
    Chosen(PathBuf),
    /// The person closed the dialog without a file: nothing is done.
    Cancelled,
    /// No dialog could be shown on this desktop: the typed-path prompt asks instead.
    Unavailable,
}

/// Shows a file dialog for a request and says what came of it. The workspace's
/// (`Workspace::file_dialog`) is the system's dialog; a test may put another in its place.
pub type FileDialog = fn(&FileRequest) -> Choice;

/// What a chosen file is for. The handler runs the same code with the path whether the dialog
/// or the typed-path prompt gave it: the same write, the same audit entry, the same notice.
#[derive(Clone, PartialEq, Eq)]
pub enum FileAction {
    /// A report, a table or a FHIR bundle.
    Export {
        /// What it covers.
        scope: Scope,
        /// Which kind of file.
        kind: Kind,
    },
    /// A chart of the open results page.
    ExportChart {
        /// Which chart.
        chart: ChartKind,
        /// PNG or SVG.
        format: ImageFormat,
    },
    /// A backup of the data folder.
    BackUp,
    /// The recovery sheet of this code, as a PDF.
    SaveRecoverySheet {
        /// The code, grouped, as shown on its page.
        code: String,
    },
    /// A questionnaire file to check and copy into the data folder.
    ImportInstrument,
}

/// The typed-path prompt, while it is open.
pub struct TypedPath {
    /// What was asked of the dialog that could not be shown.
    pub request: FileRequest,
    /// What the path is for.
    pub action: FileAction,
    /// The path as typed (prefilled with the default).
    pub path: String,
    /// The folder a relative path is taken in (the user's documents or home folder).
    pub folder: PathBuf,
    /// Why the last path typed would not do (no such folder, already there, …).
    pub problem: Option<String>,
    /// The file at `path` exists and the clinician said to replace it (asked once).
    pub replace: bool,
    /// Whether the field still has to take the keyboard (on the prompt's first frame).
    focus_pending: bool,
}

impl TypedPath {
    /// The prompt for `request`, prefilled with `folder` and, when saving, the proposed name.
    pub fn new(request: FileRequest, action: FileAction, folder: &Path) -> Self {
        let path = match &request.file_name {
            Some(name) => folder.join(name).display().to_string(),
            // Opening: the folder, ready for a file name after its separator.
            None => folder.join("").display().to_string(),
        };
        Self {
            request,
            action,
            path,
            folder: folder.to_path_buf(),
            problem: None,
            replace: false,
            focus_pending: true,
        }
    }

    /// The field's label: what to type.
    pub fn ask(&self) -> &'static str {
        match self.request.mode {
            FileMode::Save => "Type the path of the file to save:",
            FileMode::Open => "Type the path of the file to open:",
        }
    }

    /// The button that uses the path.
    pub fn button(&self) -> &'static str {
        match (self.request.mode, self.replace) {
            (FileMode::Save, false) => "Save",
            (FileMode::Save, true) => "Replace",
            (FileMode::Open, _) => "Open",
        }
    }
}

/// Draws the prompt over the page while it is open; Cancel (or Escape) closes it.
pub fn typed_path_ui(ui: &mut egui::Ui, prompt: &mut Option<TypedPath>, cx: &mut ViewCx<'_>) {
    let Some(open) = prompt else {
        return;
    };
    let mut cancel = false;
    let frame = egui::Frame::popup(ui.style()).inner_margin(theme::GAP);
    let modal = egui::Modal::new(egui::Id::unique("typed_path"))
        .frame(frame)
        .show(ui.ctx(), |ui| {
            ui.set_width(PROMPT_WIDTH.min(ui.ctx().content_rect().width() - 2.0 * theme::GAP));
            a11y::page_title(ui, &open.request.title);
            ui.add_space(8.0);
            ui.label("No file dialog is available on this desktop.");
            ui.add_space(8.0);
            let field = labelled_field(ui, open.ask(), &mut open.path, false);
            // The keyboard goes to the path at once, as in a save dialog's name field.
            if std::mem::take(&mut open.focus_pending) {
                field.request_focus();
            }
            if field.changed() {
                open.problem = None;
                open.replace = false;
            }
            let entered = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
            if let Some(problem) = &open.problem {
                ui.add_space(4.0);
                ui.label(RichText::new(problem).color(theme::warning(ui)));
            }
            ui.add_space(12.0);
            let ready = !open.path.trim().is_empty();
            ui.horizontal(|ui| {
                let used = ui
                    .add_enabled(ready, egui::Button::new(open.button()))
                    .clicked();
                if used || (entered && ready) {
                    cx.push(Command::UseTypedPath);
                }
                if ui.button("Cancel").clicked() {
                    cancel = true;
                }
            });
        });
    // Not on a click beside it, which would lose what was typed.
    let escaped = modal.is_top_modal
        && ui.input_mut(|i| i.consume_key(egui::Modifiers::NONE, egui::Key::Escape));
    if cancel || escaped {
        *prompt = None;
    }
}

/// The prompt's width, in points (narrower on a small window).
const PROMPT_WIDTH: f32 = 620.0;
