//! REDTEAM L9: where no file dialog can be shown (no xdg-desktop-portal, no zenity), Import and
//! every Export said nothing and did nothing. Now they say so and ask for a typed path, which
//! then does what the dialog's path would have done.

use crate::support::common_gui;

use std::path::Path;

use age::secrecy::SecretString;
use common_gui::{NAME, PASS, a_real_dialog_might_open, app, click, data_folder, ecr_r_at, unlock};
use eframe::egui;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use securebase::app::views::Page;
use securebase::app::views::typed_path::Choice;
use securebase::app::{Command, Screen, SecurebaseApp, Workspace};
use securebase::store::{AuditAction, Store};

/// The prompt's field, saving.
const TO_SAVE: &str = "Type the path of the file to save:";
/// The prompt's field, opening.
const TO_OPEN: &str = "Type the path of the file to open:";

/// Replaces the text of the field labelled `label` (select all, then type), as a person would.
fn retype(harness: &mut Harness<'_, SecurebaseApp>, label: &str, text: &str) {
    harness.get_by_label(label).focus();
    harness.run();
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    harness.run();
    harness.get_by_label(label).type_text(text);
    harness.run();
}

/// The bug as found: "Export all clients → CSV file" with the real dialog, on a machine with no
/// portal (no D-Bus session) and no zenity. Before the fix nothing at all happened.
#[test]
fn without_a_portal_export_all_clients_asks_for_a_typed_path_and_saves_there() {
    if a_real_dialog_might_open() {
        println!("not checked: a real file dialog might open here (a D-Bus session or zenity)");
        return;
    }
    let dir = data_folder();
    let mut harness = app(dir.path());
    unlock(&mut harness);
    click(&mut harness, "Export all clients");
    click(&mut harness, "CSV file");
    harness.get_by_label_contains("No file dialog is available on this desktop");
    let out = tempfile::tempdir().unwrap();
    let csv = out.path().join("all clients.csv");
    retype(&mut harness, TO_SAVE, csv.to_str().unwrap());
    click(&mut harness, "Save");
    let text = std::fs::read_to_string(&csv).expect("the typed path was written");
    assert!(text.starts_with("client_id,"), "the CSV table: {text}");
    assert_eq!(
        text.lines().count(),
        1,
        "a header, and no administrations yet"
    );
    assert_eq!(
        harness.state().notice.as_deref(),
        Some(format!("Saved {}.", csv.display()).as_str())
    );
}

/// The workspace's file dialog, replaced: as on a desktop where none can be shown.
fn no_dialog(harness: &mut Harness<'_, SecurebaseApp>) {
    workspace(harness).file_dialog = |_| Choice::Unavailable;
}

fn workspace<'h>(harness: &'h mut Harness<'_, SecurebaseApp>) -> &'h mut Workspace {
    match &mut harness.state_mut().screen {
        Screen::Clinician(ws) => ws,
        _ => panic!("not in the workspace"),
    }
}

/// The prompt's text field, as typed so far (`None`: the prompt is closed).
fn prompt_text(harness: &mut Harness<'_, SecurebaseApp>) -> Option<String> {
    workspace(harness)
        .typed_path
        .as_ref()
        .map(|p| p.path.clone())
}

/// The test client with one ECR-R (anxiety 6, avoidance 5).
fn folder_with_an_ecr_r() -> tempfile::TempDir {
    let dir = data_folder();
    let store = Store::open(dir.path()).unwrap();
    let keys = store.unlock(&SecretString::from(PASS.to_owned())).unwrap();
    let client = store.find_client(&keys, NAME).unwrap();
    store
        .save_administration(&ecr_r_at(&client, 3, 6, 5))
        .unwrap();
    dir
}

/// The audit log's export entries' details.
fn exports_audited(harness: &Harness<'_, SecurebaseApp>) -> Vec<String> {
    let store = harness.state().store.as_ref().unwrap();
    let keys = store.unlock(&SecretString::from(PASS.to_owned())).unwrap();
    store
        .audit_log(&keys)
        .unwrap()
        .records
        .into_iter()
        .filter(|e| e.action == AuditAction::Export)
        .map(|e| e.detail)
        .collect()
}

/// A typed path does what the dialog's would: the same file, the same audit entry, the same
/// notice. The prompt proposes the dialog's file name in the user's folder.
#[test]
fn a_typed_path_exports_as_the_dialog_would_and_is_audited() {
    let dir = folder_with_an_ecr_r();
    let mut harness = app(dir.path());
    unlock(&mut harness);
    no_dialog(&mut harness);
    click(&mut harness, "Export all clients");
    click(&mut harness, "JSON file");
    harness.get_by_label("Save the JSON");
    harness.get_by_label("No file dialog is available on this desktop.");
    let proposed = prompt_text(&mut harness).expect("the prompt is open");
    let proposed = Path::new(&proposed);
    assert!(proposed.is_absolute(), "{proposed:?}");
    let name = proposed.file_name().unwrap().to_str().unwrap();
    assert!(
        name.starts_with("securebase-all-") && proposed.extension() == Some("json".as_ref()),
        "the dialog's file name: {name}"
    );
    let out = tempfile::tempdir().unwrap();
    let json = out.path().join("everyone.json");
    retype(&mut harness, TO_SAVE, json.to_str().unwrap());
    click(&mut harness, "Save");
    assert_eq!(prompt_text(&mut harness), None, "the prompt closes");
    let table: serde_json::Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    assert_eq!(table[0]["scores"]["anxiety"], 6.0);
    assert_eq!(
        harness.state().notice.as_deref(),
        Some(format!("Saved {}.", json.display()).as_str())
    );
    assert_eq!(exports_audited(&harness), ["json export"]);
}

/// A path that will not do keeps the prompt open and says why: no such folder, a folder, and
/// a file already there (saved over only once the clinician says Replace).
#[test]
fn a_typed_path_that_will_not_do_is_said_and_a_file_is_replaced_only_when_asked() {
    let dir = folder_with_an_ecr_r();
    let mut harness = app(dir.path());
    unlock(&mut harness);
    no_dialog(&mut harness);
    click(&mut harness, NAME);
    harness.get_all_by_label("Results").next().unwrap().click();
    harness.run();
    click(&mut harness, "Save plane as SVG");
    let out = tempfile::tempdir().unwrap();

    let nowhere = out.path().join("no such folder").join("plane.svg");
    retype(&mut harness, TO_SAVE, nowhere.to_str().unwrap());
    click(&mut harness, "Save");
    harness.get_by_label_contains("There is no folder");
    assert!(prompt_text(&mut harness).is_some(), "the prompt stays");

    retype(&mut harness, TO_SAVE, out.path().to_str().unwrap());
    click(&mut harness, "Save");
    harness.get_by_label_contains("is a folder: add the file's name.");

    let svg = out.path().join("plane.svg");
    std::fs::write(&svg, "earlier").unwrap();
    retype(&mut harness, TO_SAVE, svg.to_str().unwrap());
    click(&mut harness, "Save");
    harness.get_by_label_contains("already exists. Replace it?");
    assert_eq!(std::fs::read_to_string(&svg).unwrap(), "earlier");
    click(&mut harness, "Replace");
    assert_eq!(prompt_text(&mut harness), None);
    assert!(std::fs::read_to_string(&svg).unwrap().contains("<svg"));
    assert_eq!(exports_audited(&harness), ["plane chart svg"]);
}

/// Import asks for the file to open; a path with nothing there is said, a real one imported.
#[test]
fn import_without_a_dialog_opens_a_typed_path() {
    let dir = data_folder();
    let mut harness = app(dir.path());
    unlock(&mut harness);
    no_dialog(&mut harness);
    click(&mut harness, "Instruments");
    click(&mut harness, "Import a questionnaire file\u{2026}");
    let proposed = prompt_text(&mut harness).expect("the prompt is open");
    assert!(
        proposed.ends_with(std::path::MAIN_SEPARATOR),
        "a folder, ready for a file name: {proposed}"
    );
    let files = tempfile::tempdir().unwrap();
    retype(
        &mut harness,
        TO_OPEN,
        files.path().join("missing.json").to_str().unwrap(),
    );
    click(&mut harness, "Open");
    harness.get_by_label_contains("There is no file at");
    let file = files.path().join("mini.json");
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/valid/minimal.json"),
        &file,
    )
    .unwrap();
    retype(&mut harness, TO_OPEN, file.to_str().unwrap());
    harness.key_press(egui::Key::Enter);
    harness.run();
    assert_eq!(prompt_text(&mut harness), None);
    assert_eq!(harness.state().notice.as_deref(), Some("Imported mini."));
    assert!(dir.path().join("questionnaires/mini.json").is_file());
}

/// Back up now and the recovery sheet: the same prompt, the same results as through a dialog.
#[test]
fn the_backup_and_the_recovery_sheet_are_saved_to_a_typed_path() {
    let dir = data_folder();
    let mut harness = app(dir.path());
    unlock(&mut harness);
    no_dialog(&mut harness);
    let out = tempfile::tempdir().unwrap();
    click(&mut harness, "Settings");
    click(&mut harness, "Back up now\u{2026}");
    let proposed = prompt_text(&mut harness).expect("the prompt is open");
    assert_eq!(
        Path::new(&proposed).extension(),
        Some("tar".as_ref()),
        "the dialog's file name: {proposed}"
    );
    let tar = out.path().join("backup.tar");
    retype(&mut harness, TO_SAVE, tar.to_str().unwrap());
    click(&mut harness, "Save");
    assert!(tar.is_file());
    let notice = harness.state().notice.clone().unwrap_or_default();
    assert!(notice.starts_with("Backed up "), "{notice}");

    let ctx = harness.ctx.clone();
    harness.state_mut().apply(&ctx, Command::NewRecoverySheet);
    harness.run();
    no_dialog(&mut harness);
    click(&mut harness, "Save the sheet as PDF\u{2026}");
    let pdf = out.path().join("sheet.pdf");
    retype(&mut harness, TO_SAVE, pdf.to_str().unwrap());
    click(&mut harness, "Save");
    assert!(std::fs::read(&pdf).unwrap().starts_with(b"%PDF-"));
    let Page::RecoverySheet(page) = &workspace(&mut harness).page else {
        panic!("not on the recovery sheet");
    };
    assert!(page.said.is_some(), "the page says where it went");
}

/// A cancelled dialog does nothing (no prompt); Cancel closes the prompt without a file; a
/// dialog that gives a path saves there with no prompt.
#[test]
fn cancel_does_nothing_and_a_chosen_file_needs_no_prompt() {
    let dir = data_folder();
    let mut harness = app(dir.path());
    unlock(&mut harness);
    let notice = harness.state().notice.clone();
    workspace(&mut harness).file_dialog = |_| Choice::Cancelled;
    click(&mut harness, "Export all clients");
    click(&mut harness, "CSV file");
    assert_eq!(prompt_text(&mut harness), None);
    assert_eq!(harness.state().notice, notice, "nothing more said");

    no_dialog(&mut harness);
    click(&mut harness, "Export all clients");
    click(&mut harness, "CSV file");
    assert!(prompt_text(&mut harness).is_some());
    click(&mut harness, "Cancel");
    assert_eq!(prompt_text(&mut harness), None);
    assert_eq!(harness.state().notice, notice, "nothing more said");
    // Escape too, even from the field; a click beside the prompt keeps it.
    click(&mut harness, "Export all clients");
    click(&mut harness, "CSV file");
    let proposed = prompt_text(&mut harness).unwrap();
    // The field has the keyboard as soon as the prompt shows.
    harness.get_by_label(TO_SAVE).type_text("x");
    harness.run();
    harness.get_by_label("Add client").click();
    harness.run();
    assert_eq!(prompt_text(&mut harness), Some(format!("{proposed}x")));
    assert!(
        matches!(workspace(&mut harness).page, Page::Clients),
        "the page is behind it"
    );
    harness.key_press(egui::Key::Escape);
    harness.run();
    assert_eq!(prompt_text(&mut harness), None);
    assert!(exports_audited(&harness).is_empty());

    workspace(&mut harness).file_dialog = |request| {
        Choice::Chosen(std::env::temp_dir().join(format!(
            "securebase-test-{}-{}",
            std::process::id(),
            request.file_name.as_deref().unwrap_or("none")
        )))
    };
    click(&mut harness, "Export all clients");
    click(&mut harness, "CSV file");
    assert_eq!(prompt_text(&mut harness), None);
    let notice = harness.state().notice.clone().unwrap();
    let saved = notice
        .strip_prefix("Saved ")
        .and_then(|s| s.strip_suffix('.'))
        .expect("saved");
    assert!(
        std::fs::read_to_string(saved)
            .unwrap()
            .starts_with("client_id")
    );
    std::fs::remove_file(saved).unwrap();
}
