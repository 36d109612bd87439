//! The desktop app: the clinician's workspace and the locked client mode.
//!
//! State lives in [`SecurebaseApp`] (the screen and its records in `state`); each screen is
//! drawn by one `*_ui` function under `views/`, which gets its page's own state and a narrow
//! [`views::ViewCx`], never the app or the store. Anything that touches the store (saving,
//! unlocking, starting a session, reading a client's records) is returned as a [`Command`] and
//! applied after the frame by [`SecurebaseApp::apply`]. Scores are computed by the core, never
//! by a view.

pub mod a11y;
mod command;
pub mod frame_stats;
mod handlers;
pub mod kiosk_session;
pub mod paper_entry;
mod state;
pub mod theme;
pub mod views;
mod widgets;
mod window_gone;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use eframe::egui;

use crate::store::settings::Settings;
pub use command::Command;
pub use state::{KioskState, NextPartner, Records, Remembered, Screen, Workspace};

use crate::catalog::Catalog;
use crate::store::{Store, StoreError};

/// A failed audit write is never dropped: it joins the clinician's notice, which says what was
/// done (`done`, e.g. "The results were opened") and that the log could not record it. The
/// action itself has happened, so it is not undone; the clinician (or IT) can fix the folder.
fn note_audit(notice: &mut Option<String>, done: &str, result: Result<(), StoreError>) {
    if let Err(e) = result {
        add_notice(
            notice,
            format!("{done}, but the audit log could not record it: {e}"),
        );
    }
}

/// Adds `message` after whatever the clinician's notice already says.
fn add_notice(notice: &mut Option<String>, message: String) {
    *notice = Some(match notice.take() {
        Some(earlier) => format!("{earlier} {message}"),
        None => message,
    });
}

/// When the process started (set first thing in `main`): the first-frame measurement counts
/// from here.
pub static STARTED: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();

/// [`run`] on a located data folder (`cli::locate`): what both executables do without a
/// command.
pub fn open(location: crate::store::paths::Location) -> anyhow::Result<()> {
    run(location.dir, location.notice)
        .map_err(|e| anyhow::anyhow!("the window could not be opened: {e}"))
}

/// Starts the app on the data folder `data_dir` (created on first run); `folder_notice` says
/// something about where that folder is (moved from Windows' Roaming place, say).
pub fn run(data_dir: PathBuf, folder_notice: Option<String>) -> eframe::Result {
    let mut viewport = egui::ViewportBuilder::default()
        .with_title("securebase")
        .with_app_id("securebase")
        .with_inner_size([1180.0, 760.0])
        .with_min_inner_size([900.0, 600.0]);
    if let Some(icon) = icon() {
        viewport = viewport.with_icon(icon);
    }
    let options = eframe::NativeOptions {
        viewport,
        ..Default::default()
    };
    window_gone::catching(|| run_window(options, data_dir, folder_notice))
}

fn run_window(
    options: eframe::NativeOptions,
    data_dir: PathBuf,
    folder_notice: Option<String>,
) -> eframe::Result {
    eframe::run_native(
        "securebase",
        options,
        Box::new(move |cc| {
            let mut app = SecurebaseApp::new(&cc.egui_ctx, data_dir);
            app.folder_notice.clone_from(&folder_notice);
            // Where the folder is comes first, then what the settings said.
            if let Some(folder) = folder_notice {
                let settings = app.notice.replace(folder);
                if let Some(settings) = settings {
                    add_notice(&mut app.notice, settings);
                }
            }
            Ok(Box::new(app))
        }),
    )
}

/// A message for someone who started the app without a terminal: a message box, and stderr.
pub fn tell(message: &str) {
    eprintln!("{message}");
    rfd::MessageDialog::new()
        .set_title("securebase")
        .set_description(message)
        .set_level(rfd::MessageLevel::Warning)
        .set_buttons(rfd::MessageButtons::Ok)
        .show();
}

/// The window icon: `assets/icon/securebase-256.png`, compiled in.
fn icon() -> Option<egui::IconData> {
    let bytes: &[u8] = include_bytes!("../../assets/icon/securebase-256.png");
    let mut decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::ALPHA);
    let mut reader = decoder.read_info().ok()?;
    let mut rgba = vec![0; reader.output_buffer_size()?];
    let info = reader.next_frame(&mut rgba).ok()?;
    rgba.truncate(info.buffer_size());
    (info.color_type == png::ColorType::Rgba).then_some(egui::IconData {
        rgba,
        width: info.width,
        height: info.height,
    })
}

/// The app.
pub struct SecurebaseApp {
    /// The data folder.
    pub data_dir: PathBuf,
    /// The open store (absent on first run, or when another process holds it).
    pub store: Option<Store>,
    /// Bundled instruments plus the clinic's own.
    pub catalog: Catalog,
    /// The clinic's settings.
    pub settings: Settings,
    /// The screen.
    pub screen: Screen,
    /// Commands from this frame's views, applied after it.
    pub commands: Vec<Command>,
    /// A short message for the clinician (saved, imported, …).
    pub notice: Option<String>,
    /// Something about where the data folder is, shown on the first screen (a move from
    /// Windows' Roaming place, an older folder left there).
    pub folder_notice: Option<String>,
    /// Last keyboard or pointer input.
    pub last_input: Instant,
    /// The settings the look was last built from (re-applied only when they change).
    applied: Option<Settings>,
    /// Whether the first frame has been drawn.
    drew_first_frame: bool,
    /// The window's title as last set (it says when client mode is on).
    title: &'static str,
    /// Frame times, when measured ([`frame_stats`]).
    frame_stats: Option<frame_stats::FrameStats>,
}

impl SecurebaseApp {
    /// The app on `data_dir`: first run, or the unlock screen, or a problem.
    pub fn new(ctx: &egui::Context, data_dir: PathBuf) -> Self {
        let (settings, settings_problem) = Settings::load_or_set_aside(&data_dir);
        let mut app = Self {
            catalog: load_catalog(&data_dir),
            data_dir,
            store: None,
            settings,
            screen: Screen::Problem(String::new()),
            commands: Vec::new(),
            notice: settings_problem,
            folder_notice: None,
            last_input: Instant::now(),
            applied: None,
            drew_first_frame: false,
            title: a11y::window_title(false),
            frame_stats: frame_stats::FrameStats::from_env(),
        };
        // The work-factor variable is a test knob: whenever it is set, the clinician is told.
        match crate::env::work_factor(
            crate::store::DEFAULT_WORK_FACTOR,
            crate::store::MIN_WORK_FACTOR,
        ) {
            Ok(factor) => {
                if let Some(notice) = factor.notice() {
                    add_notice(&mut app.notice, notice);
                }
            }
            Err(e) => add_notice(
                &mut app.notice,
                format!("{e}. No passphrase can be set until it is."),
            ),
        }
        app.open_store();
        app.apply_look(ctx);
        app
    }

    /// Opens the data folder, choosing the first screen.
    fn open_store(&mut self) {
        // A folder of records without its securebase.json is said, never set up again.
        if !Store::is_initialised(&self.data_dir) && !Store::holds_records(&self.data_dir) {
            self.screen = Screen::FirstRun(views::first_run::FirstRunForm::new(&self.data_dir));
            return;
        }
        match Store::open(&self.data_dir) {
            Ok(store) => {
                self.store = Some(store);
                self.screen = Screen::Unlock(views::unlock::UnlockForm::default());
                if let Some(warning) = crate::store::loose_modes_warning(&self.data_dir) {
                    add_notice(&mut self.notice, format!("Warning: {warning}"));
                }
            }
            Err(e) => self.screen = Screen::Problem(e.to_string()),
        }
    }

    fn apply_look(&mut self, ctx: &egui::Context) {
        if self.applied.as_ref() != Some(&self.settings) {
            theme::apply(ctx, &self.settings);
            self.applied = Some(self.settings.clone());
        }
    }

    /// Whether client mode is showing.
    pub fn in_client_mode(&self) -> bool {
        matches!(self.screen, Screen::Kiosk(_))
    }

    /// Idle handling: the workspace locks, client mode pauses.
    fn handle_idle(&mut self, ctx: &egui::Context) {
        let active = ctx.input(|i| !i.events.is_empty() || i.pointer.any_down());
        let now = Instant::now();
        if active {
            self.last_input = now;
        }
        let limit = Duration::from_secs(u64::from(self.settings.idle_minutes) * 60);
        let idle = now.duration_since(self.last_input);
        if idle >= limit {
            match &mut self.screen {
                Screen::Clinician(_) => {
                    self.lock(Some(views::unlock::UnlockForm::locked_after_idle()));
                }
                Screen::Kiosk(mode) if !mode.paused => mode.paused = true,
                _ => {}
            }
        } else if matches!(self.screen, Screen::Clinician(_) | Screen::Kiosk(_)) {
            // Wake up once when the idle time runs out; otherwise repaint only on input.
            ctx.request_repaint_after(limit.saturating_sub(idle));
        }
    }

    /// A close request: in client mode it needs the clinician's passphrase.
    fn handle_close(&mut self, ctx: &egui::Context) {
        if !ctx.input(|i| i.viewport().close_requested()) {
            return;
        }
        if let Screen::Kiosk(mode) = &mut self.screen {
            ctx.send_viewport_cmd(egui::ViewportCommand::CancelClose);
            mode.paused = false;
            if mode.leave.is_none() {
                mode.leave = Some(views::kiosk::LeaveForm::default());
            }
        }
    }
}

impl eframe::App for SecurebaseApp {
    fn logic(&mut self, ctx: &egui::Context, _frame: &mut eframe::Frame) {
        self.apply_look(ctx);
        if let (Some(store), Screen::Clinician(ws)) = (&self.store, &mut self.screen)
            && ws.load_page(store, &self.catalog)
        {
            ctx.request_repaint();
        }
        self.handle_close(ctx);
        self.watch_kiosk_focus(ctx);
        self.handle_idle(ctx);
    }

    fn ui(&mut self, ui: &mut egui::Ui, frame: &mut eframe::Frame) {
        let ui_started = std::time::Instant::now();
        let clinicians = self
            .store
            .as_ref()
            .map(Store::clinicians)
            .unwrap_or_default();
        let unlocked_as = match &self.screen {
            Screen::Clinician(ws) => Some(ws.keys.clinician.name.clone()),
            _ => None,
        };
        let recovery = self.store.as_ref().and_then(Store::recovery);
        let title = a11y::window_title(self.in_client_mode());
        if title != self.title {
            ui.ctx()
                .send_viewport_cmd(egui::ViewportCommand::Title(title.to_owned()));
            self.title = title;
        }
        a11y::name_window(ui.ctx(), title);
        let mut cx = views::ViewCx {
            clinicians: &clinicians,
            unlocked_as: unlocked_as.as_deref(),
            recovery: recovery.as_ref(),
            settings: &self.settings,
            catalog: &self.catalog,
            data_dir: &self.data_dir,
            notice: self.notice.as_deref(),
            folder_notice: self.folder_notice.as_deref(),
            commands: &mut self.commands,
        };
        views::screen_ui(ui, &mut self.screen, &mut cx);
        let commands = std::mem::take(&mut self.commands);
        for command in commands {
            self.apply(ui.ctx(), command);
        }
        self.save_kiosk();
        if !self.drew_first_frame {
            self.drew_first_frame = true;
            if crate::env::print_timing()
                && let Some(started) = STARTED.get()
            {
                eprintln!("first frame after {} ms", started.elapsed().as_millis());
            }
        }
        if let Some(stats) = &mut self.frame_stats {
            stats.record(frame.info().cpu_usage, ui_started.elapsed());
            ui.ctx().request_repaint();
        }
    }
}

/// Bundled instruments plus the data folder's own (`Catalog::load`); a folder that cannot be
/// read is listed with the files that failed, and the bundled ones stay usable.
fn load_catalog(data_dir: &Path) -> Catalog {
    let own = data_dir.join(crate::store::QUESTIONNAIRES);
    Catalog::load(None, Some(&own)).unwrap_or_else(|error| {
        let mut catalog = Catalog::bundled();
        catalog
            .failures
            .push(crate::catalog::LoadFailure { file: own, error });
        catalog
    })
}
