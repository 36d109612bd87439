//! Helpers shared by the app's kittest files: a data folder with one client, the app on it,
//! and typing and clicking by accessible label.
// Each test file uses its own subset of these.
#![allow(dead_code)]

use std::path::Path;

use age::secrecy::SecretString;
use eframe::egui;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use jiff::{SignedDuration, Timestamp};
use securebase::app::kiosk_session::Step;
use securebase::app::{Screen, SecurebaseApp};
use securebase::core::Answer;
use securebase::core::bundled::bundled;
use securebase::core::instrument::Instrument;
use securebase::store::{Administration, Client, Source, Status, Store, new_id};

/// The clinician's passphrase of the test data folders.
pub const PASS: &str = "kittest passphrase";
/// The one client's pseudonym.
pub const NAME: &str = "C-2042";

/// A data folder with one client (a low scrypt cost keeps unlocking quick).
pub fn data_folder() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let (store, _) = Store::init(
        dir.path(),
        "Test Clinician",
        &SecretString::from(PASS.to_owned()),
        4,
    )
    .unwrap();
    let client = Client::new(new_id().unwrap(), NAME, Some(1990), "", Timestamp::now()).unwrap();
    store.save_client(&client).unwrap();
    dir
}

/// The real app on `dir`, in a 1280 x 800 window.
pub fn app(dir: &Path) -> Harness<'static, SecurebaseApp> {
    let dir = dir.to_path_buf();
    let mut harness = Harness::builder()
        .with_size(egui::vec2(1280.0, 800.0))
        .build_eframe(move |cc| SecurebaseApp::new(&cc.egui_ctx, dir));
    harness.run();
    harness
}

/// Types `text` into the field labelled `label`.
pub fn type_into(harness: &mut Harness<'_, SecurebaseApp>, label: &str, text: &str) {
    harness.get_by_label(label).focus();
    harness.run();
    harness.get_by_label(label).type_text(text);
    harness.run();
}

/// Clicks the widget labelled `label`, scrolling it into view first as a person would (a
/// click outside a scroll area's view would miss).
pub fn click(harness: &mut Harness<'_, SecurebaseApp>, label: &str) {
    harness.get_by_label(label).scroll_to_me();
    harness.run();
    harness.get_by_label(label).click();
    harness.run();
}

/// Unlocks with the right passphrase.
pub fn unlock(harness: &mut Harness<'_, SecurebaseApp>) {
    type_into(harness, "Clinician's passphrase", PASS);
    click(harness, "Unlock");
    assert!(
        matches!(harness.state().screen, Screen::Clinician(_)),
        "not unlocked"
    );
}

/// The set-up page's checkbox label of an instrument.
pub fn tick_label(id: &str) -> String {
    let instrument = bundled()
        .into_iter()
        .flatten()
        .find(|i| i.id == id)
        .unwrap();
    format!("{} \u{2014} {}", instrument.short_name, instrument.name)
}

/// Client mode's current screen.
pub fn step(harness: &Harness<'_, SecurebaseApp>) -> Step {
    match &harness.state().screen {
        Screen::Kiosk(mode) => mode.session.step,
        _ => panic!("not in client mode"),
    }
}

/// The bundled ECR-R.
pub fn ecr_r() -> Instrument {
    bundled()
        .into_iter()
        .flatten()
        .find(|i| i.id == "ecr-r")
        .unwrap()
}

/// An ECR-R whose anxiety and avoidance scores are exactly `anxiety` and `avoidance` (reversed
/// items are answered 8 - target, so every keyed value equals the target).
pub fn ecr_r_at(client: &Client, days_ago: i64, anxiety: i32, avoidance: i32) -> Administration {
    let instrument = ecr_r();
    let reversed = [9, 11, 20, 22, 26, 27, 28, 29, 30, 31, 33, 34, 35, 36];
    let when = Timestamp::now() - SignedDuration::from_hours(24 * days_ago);
    let mut a = Administration::new(
        new_id().unwrap(),
        &client.id,
        &instrument,
        Source::PaperEntry,
        when,
    );
    for slot in 0..36 {
        let number = slot + 1;
        let target = if number <= 18 { anxiety } else { avoidance };
        let value = if reversed.contains(&number) {
            8 - target
        } else {
            target
        };
        a.set_answer(&instrument, slot, Answer::Value(value), when, None)
            .unwrap();
    }
    a.status = Status::Completed;
    a.finished = Some(when);
    a
}

/// Whether a real file dialog might open here: rfd's portal needs a D-Bus session bus (named
/// by `DBUS_SESSION_BUS_ADDRESS`, at `$XDG_RUNTIME_DIR/bus`, or started by `dbus-launch` on an
/// X display), its fallback is the `zenity` program, and elsewhere than Linux the dialog is
/// the system's own. A test that uses the real dialog is skipped then, so as never to open
/// one on a developer's desktop and wait for a click.
pub fn a_real_dialog_might_open() -> bool {
    let on_path = |program: &str| {
        std::env::var_os("PATH")
            .is_some_and(|p| std::env::split_paths(&p).any(|d| d.join(program).is_file()))
    };
    !cfg!(target_os = "linux")
        || std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some()
        || std::env::var_os("XDG_RUNTIME_DIR")
            .is_some_and(|d| std::path::Path::new(&d).join("bus").exists())
        || (std::env::var_os("DISPLAY").is_some() && on_path("dbus-launch"))
        || on_path("zenity")
}
