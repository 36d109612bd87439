//! Clinicians in the app: the unlock screen asks who is unlocking when there are several,
//! client mode's audit entries name the clinician who started the session, any clinician
//! leaves client mode, and a clinician is added in Settings.
#![cfg(feature = "gui")]

use crate::support::common_gui;

use age::secrecy::SecretString;
use common_gui::{NAME, PASS, app, click, data_folder, tick_label, type_into, unlock};
use eframe::egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use securebase::app::{Screen, SecurebaseApp};
use securebase::store::{AuditAction, Store};

const BEN: &str = "passphrase of Ben";

/// `dir`'s folder with a second clinician, Dr Ben.
fn add_ben(dir: &std::path::Path) {
    let store = Store::open(dir).unwrap();
    let keys = store.unlock(&SecretString::from(PASS.to_owned())).unwrap();
    store
        .add_clinician(&keys, "Dr Ben", &SecretString::from(BEN.to_owned()), 4)
        .unwrap();
}

/// Picks `name` in the unlock screen's list of clinicians (labelled "Clinician").
fn choose(harness: &mut Harness<'_, SecurebaseApp>, name: &str) {
    harness
        .get_by_role_and_label(Role::ComboBox, "Clinician")
        .click();
    harness.run();
    click(harness, name);
}

fn unlocked_as(harness: &Harness<'_, SecurebaseApp>) -> String {
    match &harness.state().screen {
        Screen::Clinician(ws) => ws.keys.clinician.name.clone(),
        _ => panic!("not unlocked"),
    }
}

#[test]
fn with_two_clinicians_the_unlock_screen_asks_who_and_client_mode_names_who_started_it() {
    let dir = data_folder();
    add_ben(dir.path());
    let mut harness = app(dir.path());
    // The passphrase alone does not unlock yet: the name is chosen first.
    type_into(&mut harness, "Your passphrase", BEN);
    harness.get_by_label_contains("Choose your name first");
    choose(&mut harness, "Dr Ben");
    click(&mut harness, "Unlock");
    assert_eq!(unlocked_as(&harness), "Dr Ben");

    // Client mode holds no key; a wrong try at its prompt is logged in Ben's session.
    click(&mut harness, NAME);
    click(&mut harness, "Start a session");
    click(&mut harness, &tick_label("ecr-r"));
    click(&mut harness, "Start and hand over");
    assert!(harness.state().in_client_mode());
    click(&mut harness, "Clinician");
    type_into(&mut harness, "Clinician's passphrase", "not a passphrase");
    click(&mut harness, "Return to workspace");
    assert!(harness.state().in_client_mode());
    // Any clinician of the folder leaves client mode: here the other one.
    type_into(&mut harness, "Clinician's passphrase", PASS);
    click(&mut harness, "Return to workspace");
    assert_eq!(unlocked_as(&harness), "Test Clinician");

    let Screen::Clinician(ws) = &harness.state().screen else {
        unreachable!()
    };
    let store = harness.state().store.as_ref().unwrap();
    let log = store.audit_log(&ws.keys).unwrap().records;
    let failed = log
        .iter()
        .find(|e| e.action == AuditAction::FailedUnlock)
        .expect("the wrong try is logged");
    assert_eq!(failed.clinician.as_deref(), Some("Dr Ben"), "{log:?}");
    let started = log
        .iter()
        .find(|e| e.record_kind.as_deref() == Some("administration"))
        .expect("the session's administration is logged");
    assert_eq!(started.clinician.as_deref(), Some("Dr Ben"), "{log:?}");
}

#[test]
fn a_clinician_is_added_in_settings_and_then_chosen_at_unlock() {
    let dir = data_folder();
    let mut harness = app(dir.path());
    unlock(&mut harness);
    click(&mut harness, "Settings");
    harness.get_by_label_contains("Test Clinician (you)");
    type_into(&mut harness, "Name", "Dr Cleo");
    type_into(&mut harness, "Their passphrase", "passphrase of Cleo");
    type_into(&mut harness, "Their passphrase again", "passphrase of Cleo");
    click(&mut harness, "Add clinician");
    harness.get_by_label_contains("Dr Cleo was added");
    click(&mut harness, "Lock");
    choose(&mut harness, "Dr Cleo");
    type_into(&mut harness, "Your passphrase", "passphrase of Cleo");
    click(&mut harness, "Unlock");
    assert_eq!(unlocked_as(&harness), "Dr Cleo");
}

#[test]
fn a_clinician_is_renamed_and_another_removed_in_settings() {
    let dir = data_folder();
    add_ben(dir.path());
    let mut harness = app(dir.path());
    choose(&mut harness, "Test Clinician");
    type_into(&mut harness, "Your passphrase", PASS);
    click(&mut harness, "Unlock");
    click(&mut harness, "Settings");
    // Nobody removes themselves: the one Remove button is Ben's.
    assert_eq!(harness.query_all_by_label("Remove").count(), 1);
    click(&mut harness, "Remove");
    harness.get_by_label_contains("Remove Dr Ben?");
    click(&mut harness, "Yes, remove");
    harness.get_by_label_contains("Dr Ben was removed");
    let store = harness.state().store.as_ref().unwrap();
    assert_eq!(store.clinicians().len(), 1);
    assert!(
        store.unlock(&SecretString::from(BEN.to_owned())).is_err(),
        "Ben's passphrase opens nothing"
    );
    // The workspace goes on with the new key: the client list still reads.
    click(&mut harness, "Clients");
    harness.get_by_label_contains(NAME);
    click(&mut harness, "Settings");
    click(&mut harness, "Rename");
    type_into(&mut harness, "New name for Test Clinician", " and more");
    click(&mut harness, "Save the name");
    harness.get_by_label_contains("Renamed: Test Clinician and more.");
    assert_eq!(unlocked_as(&harness), "Test Clinician and more");
}

#[test]
fn a_forgotten_passphrase_is_replaced_with_the_recovery_sheet() {
    let dir = data_folder();
    let code = {
        let store = Store::open(dir.path()).unwrap();
        let keys = store.unlock(&SecretString::from(PASS.to_owned())).unwrap();
        store.new_recovery(&keys).unwrap().to_string()
    };
    let mut harness = app(dir.path());
    click(&mut harness, "Forgot your passphrase?");
    // A typing error is named, group by group, before anything is tried.
    let mut typo: Vec<char> = code.chars().collect();
    typo[7] = if typo[7] == '0' { '1' } else { '0' };
    let typo: String = typo.into_iter().collect();
    type_into(&mut harness, "Recovery code", &typo);
    harness.get_by_label_contains("group 2");
    // Start again with the right code.
    click(&mut harness, "Back");
    click(&mut harness, "Forgot your passphrase?");
    type_into(&mut harness, "Recovery code", &code.to_lowercase());
    type_into(&mut harness, "New passphrase", "a brand new passphrase");
    type_into(
        &mut harness,
        "New passphrase again",
        "a brand new passphrase",
    );
    click(&mut harness, "Set the new passphrase");
    assert_eq!(unlocked_as(&harness), "Test Clinician");
    let store = harness.state().store.as_ref().unwrap();
    assert!(store.unlock(&SecretString::from(PASS.to_owned())).is_err());
    assert!(
        store
            .unlock(&SecretString::from("a brand new passphrase".to_owned()))
            .is_ok()
    );
}

#[test]
fn a_broken_audit_chain_is_said_at_unlock() {
    let dir = data_folder();
    // Someone removes the log's entry (there is one: the set-up).
    let mut entries: Vec<_> = std::fs::read_dir(dir.path().join("audit"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    assert_eq!(entries.len(), 1, "{entries:?}");
    std::fs::remove_file(&entries[0]).unwrap();
    let mut harness = app(dir.path());
    unlock(&mut harness);
    let notice = harness.state().notice.clone().unwrap_or_default();
    assert!(
        notice.contains("tampered") && notice.contains("the newest entries were removed"),
        "{notice}"
    );
}
