//! Choosing a file, for Import and every Export: the system's file dialog where one can be
//! shown, else the typed-path prompt (`views::typed_path`, REDTEAM L9); and the one place that
//! runs what the path is for, so that a typed path does exactly what the dialog's would have
//! (the same write, the same audit entry, the same notice).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::app::views::typed_path::{Choice, FileAction, FileMode, FileRequest, TypedPath};
use crate::app::{Screen, SecurebaseApp};

impl SecurebaseApp {
    /// Asks for a file for `action` and, given one, does it. Cancelled: nothing. No dialog on
    /// this desktop: the typed-path prompt opens, prefilled, and its Save comes back as
    /// [`Command::UseTypedPath`](crate::app::Command::UseTypedPath).
    pub(in crate::app) fn choose_file(&mut self, request: FileRequest, action: FileAction) {
        let dialog = match &self.screen {
            Screen::Clinician(ws) => ws.file_dialog,
            _ => system_dialog,
        };
        match dialog(&request) {
            Choice::Chosen(path) => self.use_file(action, &path),
            Choice::Cancelled => {}
            Choice::Unavailable => match &mut self.screen {
                Screen::Clinician(ws) => {
                    ws.typed_path = Some(TypedPath::new(request, action, &default_folder()));
                }
                // Every file is chosen in the workspace; elsewhere there is no prompt to show.
                _ => self.notice = Some("No file dialog is available on this desktop.".to_owned()),
            },
        }
    }

    /// The prompt's Save (or Open): the typed path, once it will do, is used for what the
    /// prompt was opened for; otherwise the prompt stays and says why not.
    pub(in crate::app) fn use_typed_path(&mut self) {
        let Screen::Clinician(ws) = &mut self.screen else {
            return;
        };
        let Some(mut prompt) = ws.typed_path.take() else {
            return;
        };
        match checked(&prompt) {
            Ok(path) => self.use_file(prompt.action, &path),
            Err(TypedProblem {
                said,
                asks_to_replace,
            }) => {
                prompt.problem = Some(said);
                prompt.replace = asks_to_replace;
                ws.typed_path = Some(prompt);
            }
        }
    }

    /// Does `action` with `path`, wherever the path came from.
    fn use_file(&mut self, action: FileAction, path: &Path) {
        match action {
            FileAction::Export { scope, kind } => self.export_chosen(&scope, kind, path),
            FileAction::ExportChart { chart, format } => {
                self.export_chart_chosen(chart, format, path);
            }
            FileAction::BackUp => self.back_up_chosen(path),
            FileAction::SaveRecoverySheet { code } => self.recovery_sheet_chosen(&code, path),
            // `import_file` checks the file and copies it in (Instruments page, Import).
            FileAction::ImportInstrument => {
                self.notice = Some(match self.import_file(path) {
                    Ok(id) => format!("Imported {id}."),
                    Err(e) => e,
                });
            }
        }
    }
}

/// The system's file dialog, through rfd, told apart from no dialog at all.
///
/// rfd's blocking dialog answers `None` both when the person cancels and when no dialog could
/// be shown. On Linux and the BSDs rfd 0.17 asks the xdg-desktop-portal over D-Bus (libdbus,
/// opened at run time) and, when that fails, runs `zenity`; it gives up, with `None`, when
/// libdbus is missing, when there is no session bus, when no portal answers
/// (`org.freedesktop.portal.Desktop` unknown, or without a file chooser), when the portal says
/// it could not show one, and when zenity is not installed. None of those shows a window or
/// waits for a person, so each returns within milliseconds; a cancel needs a person to see a
/// dialog and close it, which takes longer than [`NO_DIALOG_WITHIN`]. So a `None` sooner than
/// that is read as "no dialog".
///
/// That is more robust than asking the session bus whether the portal is there: a portal on
/// the bus may still have no file chooser (or fail to show it), and without a portal rfd may
/// still show zenity's dialog; the quick answer is what every way of failing has in common.
/// A person who closes a dialog within the first second is, at worst, offered the typed path
/// and can cancel it too.
///
/// On Windows and macOS rfd shows the system's own dialog, which is always there: `None` is a
/// cancel, as before.
pub(in crate::app) fn system_dialog(request: &FileRequest) -> Choice {
    let mut dialog = rfd::FileDialog::new().set_title(&request.title);
    if !request.extensions.is_empty() {
        dialog = dialog.add_filter(&request.filter, &request.extensions);
    }
    if let Some(name) = &request.file_name {
        dialog = dialog.set_file_name(name);
    }
    let asked = Instant::now();
    let picked = match request.mode {
        FileMode::Save => dialog.save_file(),
        FileMode::Open => dialog.pick_file(),
    };
    answer(picked, asked.elapsed(), USES_PORTAL)
}

/// Whether rfd's dialogs go through the desktop portal here (which may be missing), rather than
/// the system's own dialog.
const USES_PORTAL: bool = cfg!(any(
    target_os = "linux",
    target_os = "freebsd",
    target_os = "dragonfly",
    target_os = "netbsd",
    target_os = "openbsd"
));

/// A dialog that answered `None` sooner than this was never shown (see [`system_dialog`]).
const NO_DIALOG_WITHIN: Duration = Duration::from_secs(1);

/// What rfd's answer `picked`, after `took`, means (see [`system_dialog`]).
fn answer(picked: Option<PathBuf>, took: Duration, uses_portal: bool) -> Choice {
    match picked {
        Some(path) => Choice::Chosen(path),
        None if uses_portal && took < NO_DIALOG_WITHIN => Choice::Unavailable,
        None => Choice::Cancelled,
    }
}

/// Where the typed-path prompt proposes files: the user's documents folder, else their home
/// folder, else the working folder.
fn default_folder() -> PathBuf {
    let dirs = directories::UserDirs::new();
    dirs.as_ref()
        .and_then(|d| d.document_dir().filter(|p| p.is_dir()))
        .or_else(|| dirs.as_ref().map(directories::UserDirs::home_dir))
        .map(Path::to_path_buf)
        .or_else(|| std::env::current_dir().ok())
        .unwrap_or_default()
}

/// Why a typed path will not do, said in the prompt.
struct TypedProblem {
    said: String,
    /// The file exists: the button now says Replace.
    asks_to_replace: bool,
}

impl TypedProblem {
    fn new(said: String) -> Self {
        Self {
            said,
            asks_to_replace: false,
        }
    }
}

/// The typed path, made whole (`~` is the home folder, a relative path is taken in the
/// prompt's folder), if it will do: to save, a file in an existing folder (one already there
/// only once the clinician said to replace it, as a save dialog asks); to open, an existing
/// file.
fn checked(prompt: &TypedPath) -> Result<PathBuf, TypedProblem> {
    let typed = prompt.path.trim();
    if typed.is_empty() {
        return Err(TypedProblem::new("Type a path first.".to_owned()));
    }
    let path = whole(typed, &prompt.folder);
    let shown = path.display();
    if path.is_dir() {
        return Err(TypedProblem::new(format!(
            "{shown} is a folder: add the file's name."
        )));
    }
    match prompt.request.mode {
        FileMode::Open if !path.is_file() => {
            Err(TypedProblem::new(format!("There is no file at {shown}.")))
        }
        FileMode::Open => Ok(path),
        FileMode::Save => {
            let folder = path.parent().filter(|p| !p.as_os_str().is_empty());
            if let Some(folder) = folder
                && !folder.is_dir()
            {
                return Err(TypedProblem::new(format!(
                    "There is no folder {}.",
                    folder.display()
                )));
            }
            if path.exists() && !prompt.replace {
                return Err(TypedProblem {
                    said: format!("{shown} already exists. Replace it?"),
                    asks_to_replace: true,
                });
            }
            Ok(path)
        }
    }
}

/// `typed` as a whole path: a leading `~` is the home folder; a relative path is in `folder`.
fn whole(typed: &str, folder: &Path) -> PathBuf {
    let home = || directories::UserDirs::new().map(|d| d.home_dir().to_path_buf());
    let path = match typed.strip_prefix('~') {
        Some("") => home().unwrap_or_else(|| PathBuf::from(typed)),
        Some(rest) if rest.starts_with(['/', std::path::MAIN_SEPARATOR]) => home().map_or_else(
            || PathBuf::from(typed),
            |h| h.join(rest.trim_start_matches(['/', std::path::MAIN_SEPARATOR])),
        ),
        _ => PathBuf::from(typed),
    };
    if path.is_absolute() {
        path
    } else {
        folder.join(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_quick_none_is_no_dialog_only_where_the_portal_is_asked() {
        let quick = Duration::from_millis(30);
        let slow = Duration::from_secs(4);
        assert_eq!(answer(None, quick, true), Choice::Unavailable);
        assert_eq!(answer(None, slow, true), Choice::Cancelled);
        assert_eq!(answer(None, quick, false), Choice::Cancelled);
        let path = PathBuf::from("/tmp/x.csv");
        assert_eq!(
            answer(Some(path.clone()), quick, true),
            Choice::Chosen(path)
        );
    }

    #[test]
    fn a_typed_path_is_made_whole_in_the_prompts_folder_or_home() {
        let folder = Path::new("/srv/docs");
        assert_eq!(whole("a.csv", folder), folder.join("a.csv"));
        let absolute = std::env::temp_dir().join("a.csv");
        assert_eq!(whole(&absolute.display().to_string(), folder), absolute);
        if let Some(home) = directories::UserDirs::new().map(|d| d.home_dir().to_path_buf()) {
            assert_eq!(whole("~/a.csv", folder), home.join("a.csv"));
            assert_eq!(whole("~", folder), home);
        }
        // Someone's "~bob" is not expanded (only the user's own home is known here).
        assert_eq!(whole("~bob/a.csv", folder), folder.join("~bob/a.csv"));
    }
}
