//! More of the desktop app driven through `egui_kittest` by accessible labels: the idle pause
//! and lock, settings that last, editing clients, abandoning an administration, importing a
//! questionnaire, saved batteries, each instrument's instructions, the "unfinished" column of
//! the client list, and resuming a session of two forms.
#![cfg(feature = "gui")]

use crate::support::common_gui;

use std::path::Path;
use std::time::{Duration, Instant};

use age::secrecy::SecretString;
use common_gui::{NAME, PASS, app, click, data_folder, step, tick_label, type_into, unlock};
use eframe::egui::{self, Key, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use jiff::Timestamp;
use securebase::app::kiosk_session::Step;
use securebase::app::{Screen, SecurebaseApp};
use securebase::core::bundled::bundled;
use securebase::core::{Answer, Instrument};
use securebase::store::settings::{Settings, ThemeChoice};
use securebase::store::{Administration, Client, Source, Status, Store, new_id};

/// Replaces the whole text of a field: select all, then type over it.
fn retype_into(harness: &mut Harness<'_, SecurebaseApp>, label: &str, text: &str) {
    harness.get_by_label(label).focus();
    harness.run();
    harness.key_press_modifiers(Modifiers::COMMAND, Key::A);
    harness.run();
    harness.get_by_label(label).type_text(text);
    harness.run();
}

fn press(harness: &mut Harness<'_, SecurebaseApp>, key: Key) {
    harness.key_press(key);
    harness.run();
}

fn instrument(id: &str) -> Instrument {
    bundled()
        .into_iter()
        .map(Result::unwrap)
        .find(|i| i.id == id)
        .unwrap()
}

/// From the client list to the hand-over, then through the greeting: the first form's
/// instructions are showing.
fn start_session_at_instructions(harness: &mut Harness<'_, SecurebaseApp>, instruments: &[&str]) {
    click(harness, NAME);
    click(harness, "Start a session");
    for id in instruments {
        click(harness, &tick_label(id));
    }
    click(harness, "Start and hand over");
    assert!(
        harness.state().in_client_mode(),
        "client mode did not start"
    );
    click(harness, "Start");
    click(harness, &format!("Yes, I am {NAME}"));
    assert_eq!(step(harness), Step::Instructions);
}

/// From the client list to the first item of `instrument_id`.
fn start_session(harness: &mut Harness<'_, SecurebaseApp>, instrument_id: &str) {
    start_session_at_instructions(harness, &[instrument_id]);
    press(harness, Key::Enter); // past the instructions
}

fn paused(harness: &Harness<'_, SecurebaseApp>) -> bool {
    match &harness.state().screen {
        Screen::Kiosk(mode) => mode.paused,
        _ => panic!("not in client mode"),
    }
}

/// Back to the workspace with the passphrase: the client's page shows.
fn leave_client_mode(harness: &mut Harness<'_, SecurebaseApp>) {
    click(harness, "Clinician");
    type_into(harness, "Clinician's passphrase", PASS);
    click(harness, "Return to workspace");
    assert!(matches!(harness.state().screen, Screen::Clinician(_)));
}

/// Makes the app believe that the last input was longer ago than its idle time.
fn go_idle(harness: &mut Harness<'_, SecurebaseApp>) {
    let limit = Duration::from_secs(u64::from(harness.state().settings.idle_minutes) * 60);
    // The idle time plus a minute (not an hour: `Instant` cannot go back before the boot).
    harness.state_mut().last_input = Instant::now()
        .checked_sub(limit + Duration::from_mins(1))
        .expect("the machine has been up longer than the idle time");
    harness.run();
}

/// The store's view of the client called `name`.
fn stored_client(harness: &Harness<'_, SecurebaseApp>, name: &str) -> Client {
    let store = harness.state().store.as_ref().unwrap();
    let keys = store.unlock(&SecretString::from(PASS.to_owned())).unwrap();
    store.find_client(&keys, name).unwrap()
}

/// Every administration of the client `NAME`, oldest first.
fn stored_administrations(harness: &Harness<'_, SecurebaseApp>) -> Vec<Administration> {
    let store = harness.state().store.as_ref().unwrap();
    let keys = store.unlock(&SecretString::from(PASS.to_owned())).unwrap();
    let client = store.find_client(&keys, NAME).unwrap();
    store.administrations(&keys, &client.id).unwrap().records
}

// (a) Idle time -----------------------------------------------------------------------------

#[test]
fn idle_client_mode_pauses_and_resumes_at_the_same_item() {
    let dir = data_folder();
    let mut harness = app(dir.path());
    unlock(&mut harness);
    start_session(&mut harness, "ecr-r");
    press(&mut harness, Key::Num3);
    press(&mut harness, Key::Num5);
    assert_eq!(step(&harness), Step::Item(2));

    go_idle(&mut harness);
    assert!(harness.state().in_client_mode(), "client mode never locks");
    assert!(paused(&harness));
    harness.get_by_label("Paused");
    harness.get_by_label_contains("Your answers so far are saved");
    // The item is hidden while paused, and a number key answers nothing.
    assert!(harness.query_by_label_contains("3 of 36").is_none());
    press(&mut harness, Key::Num7);
    assert!(paused(&harness));
    assert_eq!(step(&harness), Step::Item(2));

    press(&mut harness, Key::Enter);
    assert!(!paused(&harness));
    assert_eq!(step(&harness), Step::Item(2), "resumes at the same item");
    harness.get_by_label_contains("3 of 36");
    let administration = &stored_administrations(&harness)[0];
    let values: Vec<Option<i32>> = administration.answers.iter().map(|a| a.value).collect();
    assert_eq!(
        values,
        [Some(3), Some(5)],
        "the key pressed while paused is not an answer"
    );

    // Again, this time with the Continue button.
    go_idle(&mut harness);
    assert!(paused(&harness));
    click(&mut harness, "Continue");
    assert!(!paused(&harness));
    assert_eq!(step(&harness), Step::Item(2));
    press(&mut harness, Key::Num6);
    assert_eq!(step(&harness), Step::Item(3));
}

#[test]
fn idle_client_mode_pauses_on_the_instructions_too_and_continue_does_not_skip_them() {
    let dir = data_folder();
    let mut harness = app(dir.path());
    unlock(&mut harness);
    start_session_at_instructions(&mut harness, &["ecr-r"]);
    go_idle(&mut harness);
    assert!(paused(&harness));
    harness.get_by_label("Paused");
    // "Continue" on the pause screen ends the pause; it is not the instructions' Continue.
    click(&mut harness, "Continue");
    assert!(!paused(&harness));
    assert_eq!(step(&harness), Step::Instructions);
}

#[test]
fn idle_workspace_locks() {
    let dir = data_folder();
    let mut harness = app(dir.path());
    unlock(&mut harness);
    click(&mut harness, NAME);
    go_idle(&mut harness);
    assert!(
        matches!(harness.state().screen, Screen::Unlock(_)),
        "the workspace must lock after the idle time"
    );
    harness.get_by_label_contains("locked itself");
    assert!(harness.query_by_label(NAME).is_none(), "no client shows");
    unlock(&mut harness);
}

#[test]
fn input_restarts_the_idle_clock() {
    let dir = data_folder();
    let mut harness = app(dir.path());
    unlock(&mut harness);
    // Half the idle time without input: nothing locks yet.
    let limit = Duration::from_secs(u64::from(harness.state().settings.idle_minutes) * 60);
    harness.state_mut().last_input = Instant::now()
        .checked_sub(limit / 2)
        .expect("the machine has been up longer than the idle time");
    harness.run();
    assert!(matches!(harness.state().screen, Screen::Clinician(_)));
    // A key press restarts the clock.
    press(&mut harness, Key::Tab);
    assert!(harness.state().last_input.elapsed() < limit / 4);
    assert!(matches!(harness.state().screen, Screen::Clinician(_)));
}

// (b) Settings ------------------------------------------------------------------------------

#[test]
fn settings_are_saved_to_the_data_folder_and_used_by_the_next_start() {
    let dir = data_folder();
    {
        let mut harness = app(dir.path());
        assert_eq!(harness.state().settings, Settings::default());
        unlock(&mut harness);
        click(&mut harness, "Settings");
        click(&mut harness, "High contrast");
        click(&mut harness, "Largest");
        click(&mut harness, "10 minutes");
        // Nothing changes before "Save settings".
        assert_eq!(harness.state().settings.theme, ThemeChoice::Light);
        assert!(!dir.path().join("settings.json").exists());
        click(&mut harness, "Save settings");
        let settings = &harness.state().settings;
        assert_eq!(settings.theme, ThemeChoice::HighContrast);
        assert!((settings.text_scale - 1.75).abs() < 1e-6);
        assert_eq!(settings.idle_minutes, 10);
        harness.get_by_label("Settings saved.");
        assert!(
            (harness.ctx.zoom_factor() - 1.75).abs() < 1e-6,
            "text size applied"
        );
    }
    let text = std::fs::read_to_string(dir.path().join("settings.json")).unwrap();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(json["theme"], "high_contrast");
    assert!((json["text_scale"].as_f64().unwrap() - 1.75).abs() < 1e-6);
    assert_eq!(json["idle_minutes"], 10);

    let harness = app(dir.path());
    let settings = &harness.state().settings;
    assert_eq!(settings.theme, ThemeChoice::HighContrast);
    assert!((settings.text_scale - 1.75).abs() < 1e-6);
    assert_eq!(settings.idle_minutes, 10);
    assert!((harness.ctx.zoom_factor() - 1.75).abs() < 1e-6);
    assert_eq!(
        harness.ctx.global_style().visuals.panel_fill,
        egui::Color32::BLACK,
        "high contrast: white on black"
    );
}

/// A settings file the app cannot read is not replaced by the defaults in silence: it is set
/// aside, byte for byte, the clinician is told after unlocking, and saving then writes a new
/// file beside the kept one. A file from a newer securebase is kept as it is, and saving over
/// it is refused.
#[test]
fn unreadable_settings_are_kept_aside_and_reported() {
    let dir = data_folder();
    let damaged = b"{\"format\": 1, \"figures\": [ {\"instrument\": \"ecr-r\", ";
    std::fs::write(dir.path().join("settings.json"), damaged).unwrap();
    let mut harness = app(dir.path());
    assert_eq!(harness.state().settings, Settings::default());
    unlock(&mut harness);
    let notice = harness.state().notice.clone().unwrap_or_default();
    assert!(
        notice.starts_with("The settings could not be used, so the defaults are in use"),
        "{notice:?}"
    );
    assert!(notice.contains("line 1"), "says where: {notice:?}");
    harness.get_by_label_contains("The settings could not be used");
    let kept: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.starts_with("settings.json.unreadable-"))
        .collect();
    assert_eq!(kept.len(), 1, "{kept:?}");
    assert!(notice.contains(&kept[0]), "names the kept file: {notice:?}");
    assert_eq!(std::fs::read(dir.path().join(&kept[0])).unwrap(), damaged);
    click(&mut harness, "Settings");
    click(&mut harness, "Save settings");
    harness.get_by_label("Settings saved.");
    assert_eq!(std::fs::read(dir.path().join(&kept[0])).unwrap(), damaged);

    let newer = dir.path().join("settings.json");
    let from_newer = br#"{"format": 2, "idle_minutes": 10}"#;
    std::fs::write(&newer, from_newer).unwrap();
    let harness = app(dir.path());
    assert_eq!(harness.state().settings, Settings::default());
    let notice = harness.state().notice.clone().unwrap_or_default();
    assert!(notice.contains("saving settings is refused"), "{notice:?}");
    let error = Settings::load(dir.path()).unwrap_err().to_string();
    assert!(
        error.contains("format 2") && error.contains("newer"),
        "{error}"
    );
    let refused = Settings::default()
        .save(dir.path())
        .unwrap_err()
        .to_string();
    assert_eq!(refused, error);
    assert_eq!(std::fs::read(&newer).unwrap(), from_newer);
}

/// "Back up now" is on the settings page (the save dialog returns nothing headless, as if
/// cancelled, and nothing happens); the backup it takes while the app holds the folder
/// verifies, and the app says where it is and logs it.
#[test]
fn back_up_now_takes_a_backup_that_verifies_and_is_audited() {
    let dir = data_folder();
    let mut harness = app(dir.path());
    unlock(&mut harness);
    click(&mut harness, "Settings");
    click(&mut harness, "Back up now…");
    assert_eq!(
        harness.state().notice,
        None,
        "a cancelled dialog does nothing"
    );

    let out = tempfile::tempdir().unwrap();
    let archive = out.path().join("backup.tar");
    let message = harness.state_mut().back_up_to(&archive);
    assert!(message.starts_with("Backed up "), "{message}");
    assert!(
        message.contains(&archive.display().to_string()),
        "{message}"
    );
    let manifest = securebase::store::backup::verify(&archive).unwrap();
    assert!(
        manifest
            .entries
            .iter()
            .any(|e| e.path.starts_with("clients/")),
        "the client is in it"
    );
    let store = harness.state().store.as_ref().unwrap();
    let keys = store.unlock(&SecretString::from(PASS.to_owned())).unwrap();
    let audit = store.audit_log(&keys).unwrap().records;
    assert!(
        audit
            .iter()
            .any(|e| e.record_kind.as_deref() == Some("data_folder")
                && e.detail.starts_with("backup")),
        "{audit:?}"
    );
}

/// What happened to the data folder's place (moved from Windows' Roaming folder, say) is on
/// the first screen, and stays as a notice in the workspace until dismissed.
#[test]
fn a_notice_about_the_data_folder_is_on_the_first_screen() {
    let dir = data_folder();
    let notice = "The data folder was moved from Roaming to Local.";
    let mut harness = Harness::builder()
        .with_size(egui::vec2(1280.0, 800.0))
        .build_eframe({
            let dir = dir.path().to_path_buf();
            move |cc| {
                let mut app = SecurebaseApp::new(&cc.egui_ctx, dir);
                app.folder_notice = Some(notice.to_owned());
                app.notice = Some(notice.to_owned());
                app
            }
        });
    harness.run();
    harness.get_by_label(notice);
    unlock(&mut harness);
    harness.get_by_label(notice);
    click(&mut harness, "Dismiss");
    assert!(harness.query_by_label(notice).is_none());
}

/// Windows and macOS tell egui their own light or dark mode, and egui then switches between
/// its two styles: securebase's look must be in both (found under Wine, where the window came
/// up in egui's default grey).
#[test]
fn the_look_is_securebases_whatever_the_system_theme() {
    let dir = data_folder();
    let mut harness = app(dir.path());
    let ours = harness.ctx.global_style().visuals.panel_fill;
    for system in [egui::Theme::Dark, egui::Theme::Light] {
        harness.ctx.set_theme(system);
        harness.run();
        assert_eq!(
            harness.ctx.global_style().visuals.panel_fill,
            ours,
            "system theme {system:?}"
        );
    }
}

// (c) Editing clients -----------------------------------------------------------------------

#[test]
fn editing_a_client_changes_name_and_birth_year() {
    let dir = data_folder();
    let mut harness = app(dir.path());
    unlock(&mut harness);
    let before = stored_client(&harness, NAME);
    click(&mut harness, NAME);
    click(&mut harness, "Edit");
    retype_into(&mut harness, "Pseudonym or clinic ID", "C-3001");
    retype_into(&mut harness, "Birth year (optional)", "1985");
    click(&mut harness, "Save client");
    harness.get_by_label("C-3001"); // the client's page, under its new name
    click(&mut harness, "Back to all clients");
    harness.get_by_label("C-3001");
    harness.get_by_label("1985");
    assert!(
        harness.query_by_label(NAME).is_none(),
        "the old name is gone"
    );

    let after = stored_client(&harness, "C-3001");
    assert_eq!(after.id, before.id, "the same client, not a new one");
    assert_eq!(after.birth_year, Some(1985));
    assert_eq!(after.created, before.created);
    assert!(after.updated >= before.updated);
}

#[test]
fn a_duplicate_name_is_refused_with_a_message() {
    let dir = data_folder();
    let mut harness = app(dir.path());
    unlock(&mut harness);
    // A new client with the name of an existing one (in other letter case).
    click(&mut harness, "Add client");
    type_into(&mut harness, "Pseudonym or clinic ID", "c-2042");
    click(&mut harness, "Save client");
    harness.get_by_label_contains("already exists");
    assert!(matches!(
        &harness.state().screen,
        Screen::Clinician(ws) if matches!(ws.page, securebase::app::views::Page::NewClient(_))
    ));
    // Another client, then renamed to the first one's name.
    retype_into(&mut harness, "Pseudonym or clinic ID", "C-7");
    click(&mut harness, "Save client");
    harness.get_by_label("C-7");
    click(&mut harness, "Edit");
    retype_into(&mut harness, "Pseudonym or clinic ID", NAME);
    click(&mut harness, "Save client");
    harness.get_by_label(&format!(
        "A client called \u{201c}{NAME}\u{201d} already exists."
    ));
    // Nothing changed in the store: still two clients, each under its own name.
    let store = harness.state().store.as_ref().unwrap();
    let keys = store.unlock(&SecretString::from(PASS.to_owned())).unwrap();
    let mut names: Vec<String> = store
        .clients(&keys)
        .unwrap()
        .records
        .into_iter()
        .map(|c| c.name)
        .collect();
    names.sort();
    assert_eq!(names, [NAME, "C-7"]);
}

#[test]
fn a_client_keeps_its_own_name_when_saved_unchanged() {
    let dir = data_folder();
    let mut harness = app(dir.path());
    unlock(&mut harness);
    click(&mut harness, NAME);
    click(&mut harness, "Edit");
    retype_into(&mut harness, "Birth year (optional)", "1991");
    click(&mut harness, "Save client");
    assert!(harness.query_by_label_contains("already exists").is_none());
    assert_eq!(stored_client(&harness, NAME).birth_year, Some(1991));
}

// (d) Abandoning ----------------------------------------------------------------------------

#[test]
fn mark_abandoned_sets_the_status_in_the_store() {
    let dir = data_folder();
    let mut harness = app(dir.path());
    unlock(&mut harness);
    start_session(&mut harness, "ecr-r");
    press(&mut harness, Key::Num2);
    press(&mut harness, Key::Num4);
    leave_client_mode(&mut harness);
    harness.get_by_label("unfinished (2 answered)");
    harness.get_by_label("Resume the unfinished session (1)");
    click(&mut harness, "Mark abandoned");

    let administrations = stored_administrations(&harness);
    assert_eq!(administrations.len(), 1);
    let a = &administrations[0];
    assert_eq!(a.status, Status::Abandoned);
    assert!(a.finished.is_some());
    assert_eq!(a.answers.len(), 2, "the answers are kept");
    harness.get_by_label("abandoned");
    harness.get_by_label_contains("marked as abandoned");
    assert!(
        harness
            .query_by_label_contains("Resume the unfinished session")
            .is_none()
    );
    assert!(harness.query_by_label("Mark abandoned").is_none());
}

// (e) Importing a questionnaire -------------------------------------------------------------

fn ecr_s_copy(folder: &Path, file: &str, id: &str) -> std::path::PathBuf {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("questionnaires/ecr-s.json"),
    )
    .unwrap();
    let mut json: serde_json::Value = serde_json::from_str(&text).unwrap();
    json["id"] = serde_json::Value::from(id);
    // A short name of its own: one already loaded is refused (REDTEAM L13).
    json["short_name"] = serde_json::Value::from("ECR-S clinic");
    let path = folder.join(file);
    std::fs::write(&path, serde_json::to_string_pretty(&json).unwrap()).unwrap();
    path
}

#[test]
fn importing_a_questionnaire_lists_and_keeps_it() {
    let dir = data_folder();
    let files = tempfile::tempdir().unwrap();
    let path = ecr_s_copy(files.path(), "my-ecr-s.json", "ecr-s-test");
    {
        let mut harness = app(dir.path());
        unlock(&mut harness);
        click(&mut harness, "Instruments");
        assert_eq!(harness.query_all_by_label("ECR-S").count(), 1);

        assert_eq!(
            harness.state_mut().import_file(&path),
            Ok("ecr-s-test".to_owned())
        );
        harness.run();
        assert_eq!(
            harness.query_all_by_label("ECR-S clinic").count(),
            1,
            "the imported copy is listed on the Instruments page"
        );
        assert!(harness.state().catalog.get("ecr-s-test").is_some());
        // It can be chosen for a session at once.
        click(&mut harness, "Clients");
        click(&mut harness, NAME);
        click(&mut harness, "Start a session");
        assert_eq!(harness.query_all_by_label(&tick_label("ecr-s")).count(), 1);
        let copy = tick_label("ecr-s").replacen("ECR-S", "ECR-S clinic", 1);
        assert_eq!(harness.query_all_by_label(&copy).count(), 1);
    }
    let copied = dir.path().join("questionnaires").join("ecr-s-test.json");
    assert_eq!(
        std::fs::read(&copied).unwrap(),
        std::fs::read(&path).unwrap(),
        "copied as it was into <data>/questionnaires/"
    );
    // The next start loads it from the data folder.
    let harness = app(dir.path());
    assert!(harness.state().catalog.get("ecr-s-test").is_some());
    assert!(harness.state().catalog.failures.is_empty());
}

#[test]
fn importing_a_questionnaire_with_a_loaded_id_is_refused() {
    let dir = data_folder();
    let files = tempfile::tempdir().unwrap();
    let path = ecr_s_copy(files.path(), "another-ecr-s.json", "ecr-s");
    let mut harness = app(dir.path());
    unlock(&mut harness);
    let error = harness.state_mut().import_file(&path).unwrap_err();
    assert!(error.contains("ecr-s"), "{error}");
    assert!(error.contains("already loaded"), "{error}");
    assert_eq!(
        harness
            .state()
            .catalog
            .instruments
            .iter()
            .filter(|i| i.id == "ecr-s")
            .count(),
        1
    );
    assert!(
        !dir.path()
            .join("questionnaires")
            .join("ecr-s.json")
            .exists()
    );
    assert!(
        !dir.path()
            .join("questionnaires")
            .join("another-ecr-s.json")
            .exists()
    );
}

#[test]
fn importing_a_broken_file_is_refused_with_its_name() {
    let dir = data_folder();
    let files = tempfile::tempdir().unwrap();
    let path = files.path().join("broken-questionnaire.json");
    std::fs::write(&path, "{ \"schema_version\": 1, \"id\": ").unwrap();
    let mut harness = app(dir.path());
    unlock(&mut harness);
    let n = harness.state().catalog.instruments.len();
    let error = harness.state_mut().import_file(&path).unwrap_err();
    assert!(error.contains("broken-questionnaire.json"), "{error}");
    assert_eq!(harness.state().catalog.instruments.len(), n);
    let copied = dir.path().join("questionnaires");
    assert!(
        !copied.exists() || std::fs::read_dir(&copied).unwrap().next().is_none(),
        "nothing is copied"
    );
    // A file that is JSON but not a questionnaire is refused by name too.
    let path = files.path().join("not-a-questionnaire.json");
    std::fs::write(&path, "{\"hello\": 1}").unwrap();
    let error = harness.state_mut().import_file(&path).unwrap_err();
    assert!(error.contains("not-a-questionnaire.json"), "{error}");
}

// (f) Batteries -----------------------------------------------------------------------------

#[test]
fn a_saved_battery_is_offered_next_time() {
    let dir = data_folder();
    let label = "Short intake (ECR-S, RQ)";
    {
        let mut harness = app(dir.path());
        unlock(&mut harness);
        click(&mut harness, NAME);
        click(&mut harness, "Start a session");
        assert!(harness.query_by_label(label).is_none());
        click(&mut harness, &tick_label("ecr-s"));
        click(&mut harness, &tick_label("rq"));
        click(&mut harness, "Save this choice as a battery");
        type_into(&mut harness, "Battery name", "Short intake");
        click(&mut harness, "Save battery");
        assert_eq!(
            harness
                .state()
                .settings
                .batteries
                .last()
                .map(|b| (b.name.as_str(), b.instruments.clone())),
            Some(("Short intake", vec!["ecr-s".to_owned(), "rq".to_owned()]))
        );
        // Next time on the set-up page: its button, which ticks both, in order.
        click(&mut harness, &format!("Back to {NAME}"));
        click(&mut harness, "Start a session");
        click(&mut harness, label);
        harness.get_by_label(&format!("1. {}", tick_label("ecr-s")));
        harness.get_by_label(&format!("2. {}", tick_label("rq")));
    }
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("settings.json")).unwrap())
            .unwrap();
    assert_eq!(json["batteries"][0]["name"], "Short intake");
    // And after a restart.
    let mut harness = app(dir.path());
    unlock(&mut harness);
    click(&mut harness, NAME);
    click(&mut harness, "Start a session");
    harness.get_by_label(label);
    harness.get_by_label_contains("Intake (ECR-R, RFQ-8, RQ)");
}

// (g) Instructions --------------------------------------------------------------------------

#[test]
fn each_form_shows_its_own_instructions() {
    let dir = data_folder();
    let mut harness = app(dir.path());
    unlock(&mut harness);
    start_session_at_instructions(&mut harness, &["rfq-8", "rq"]);
    harness.get_by_label("Questionnaire 1 of 2");
    harness.get_by_label(&instrument("rfq-8").instructions.text);
    assert!(
        harness
            .query_by_label(&instrument("rq").instructions.text)
            .is_none()
    );
    press(&mut harness, Key::Enter);
    for _ in 0..8 {
        press(&mut harness, Key::Num4);
    }
    assert_eq!(step(&harness), Step::Instructions);
    harness.get_by_label("Questionnaire 2 of 2");
    harness.get_by_label(&instrument("rq").instructions.text);
    assert!(
        harness
            .query_by_label(&instrument("rfq-8").instructions.text)
            .is_none()
    );
    press(&mut harness, Key::Enter);
    assert_eq!(step(&harness), Step::Choice);
}

#[test]
fn ecr_rs_instructions_come_before_its_first_block() {
    let dir = data_folder();
    let mut harness = app(dir.path());
    unlock(&mut harness);
    start_session_at_instructions(&mut harness, &["ecr-rs"]);
    harness.get_by_label(&instrument("ecr-rs").instructions.text);
    harness.get_by_label("Questionnaire 1 of 1");
    press(&mut harness, Key::Enter);
    assert_eq!(step(&harness), Step::BlockIntro(0));
}

// (h) The client list -----------------------------------------------------------------------

#[test]
fn a_client_with_an_unfinished_session_shows_it_in_the_list() {
    let dir = data_folder();
    {
        let mut harness = app(dir.path());
        unlock(&mut harness);
        assert!(harness.query_by_label_contains("unfinished").is_none());
        start_session(&mut harness, "ecr-r");
        press(&mut harness, Key::Num4);
        leave_client_mode(&mut harness);
        click(&mut harness, "Back to all clients");
        harness.get_by_label("1 unfinished");
        // The window goes away without any goodbye.
    }
    let mut harness = app(dir.path());
    unlock(&mut harness);
    harness.get_by_label("1 unfinished");
}

#[test]
fn a_finished_session_is_not_counted_as_unfinished() {
    let dir = data_folder();
    let mut harness = app(dir.path());
    unlock(&mut harness);
    start_session(&mut harness, "rfq-8");
    for _ in 0..8 {
        press(&mut harness, Key::Num4);
    }
    assert_eq!(step(&harness), Step::End);
    leave_client_mode(&mut harness);
    click(&mut harness, "Back to all clients");
    assert!(harness.query_by_label_contains("unfinished").is_none());
    assert_eq!(
        stored_administrations(&harness)[0].status,
        Status::Completed
    );
}

// Resuming two forms ------------------------------------------------------------------------

/// What the app writes when a session of ECR-S then RFQ-8 is started (both records carry the
/// same start time: `start_session` takes one `now`) and the client stops after five ECR-S
/// answers; record ids are random, here drawn so that RFQ-8's sorts first.
fn interrupted_two_form_session() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let (store, _) = Store::init(
        dir.path(),
        "Test Clinician",
        &SecretString::from(PASS.to_owned()),
        4,
    )
    .unwrap();
    let now = Timestamp::now();
    let client = Client::new(new_id().unwrap(), NAME, Some(1990), "", now).unwrap();
    store.save_client(&client).unwrap();
    let ecr_s = instrument("ecr-s");
    let mut first =
        Administration::new("f".repeat(32), &client.id, &ecr_s, Source::ClientMode, now);
    for slot in 0..5 {
        first
            .set_answer(&ecr_s, slot, Answer::Value(3), now, Some(2.0))
            .unwrap();
    }
    let second = Administration::new(
        "0".repeat(32),
        &client.id,
        &instrument("rfq-8"),
        Source::ClientMode,
        now,
    );
    store.save_administration(&first).unwrap();
    store.save_administration(&second).unwrap();
    dir
}

#[test]
fn resuming_a_two_form_session_continues_where_the_client_stopped() {
    let dir = interrupted_two_form_session();
    let mut harness = app(dir.path());
    unlock(&mut harness);
    click(&mut harness, NAME);
    click(&mut harness, "Resume the unfinished session (2)");
    click(&mut harness, "Start");
    click(&mut harness, &format!("Yes, I am {NAME}"));
    let current = match &harness.state().screen {
        Screen::Kiosk(mode) => mode.session.form().map(|f| f.instrument.id.clone()),
        _ => None,
    };
    assert_eq!(
        (current.as_deref(), step(&harness)),
        (Some("ecr-s"), Step::Item(5)),
        "the client stopped at ECR-S item 6: the session must continue there (resume order \
         follows the random record ids when start times are equal)"
    );
    harness.get_by_label_contains("6 of 12");
}
