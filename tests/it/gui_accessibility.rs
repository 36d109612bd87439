//! What the accessibility layer is told (issue 16), read from the AccessKit tree that egui
//! hands the platform: the item screen as one radio group named by its statement, the
//! progress as a named value, headings, tables whose cells carry their header's column, the
//! focus on each new screen, and the clinician's workspace done by keyboard alone.
//! (`scripts/test-desktop.sh` reads the same tree through AT-SPI, as Orca does.)

use crate::support::common_gui;

use age::secrecy::SecretString;
use common_gui::{
    NAME, PASS, a_real_dialog_might_open, app, click, data_folder, ecr_r, ecr_r_at, step,
    tick_label, unlock,
};
use eframe::egui::{Key, Modifiers, accesskit::Role, accesskit::Toggled};
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use securebase::app::kiosk_session::Step;
use securebase::app::{Screen, SecurebaseApp};
use securebase::store::Store;

/// The label of the node that has the keyboard focus ("" for none, or an unnamed one).
#[expect(
    clippy::redundant_closure_for_method_calls,
    reason = "the method's path is not general over the node's lifetime"
)]
fn focused(harness: &Harness<'_, SecurebaseApp>) -> String {
    harness
        .query_all(egui_kittest::kittest::By::new().predicate(|node| node.is_focused()))
        .next()
        .and_then(|node| {
            let node = node.accesskit_node();
            // A label's text is its value.
            node.label().or_else(|| node.value())
        })
        .unwrap_or_default()
}

/// Presses Tab until the focus is on the widget named `label`; fails, naming each widget the
/// focus passed, if it is not reached within `limit` presses.
fn tab_to(harness: &mut Harness<'_, SecurebaseApp>, label: &str, limit: usize) {
    let mut passed = Vec::new();
    for _ in 0..limit {
        harness.key_press(Key::Tab);
        harness.run();
        let now = focused(harness);
        if now == label {
            return;
        }
        passed.push(now);
    }
    panic!("{label:?} not reached by Tab in {limit} presses; the focus went {passed:?}");
}

fn press(harness: &mut Harness<'_, SecurebaseApp>, key: Key) {
    harness.key_press(key);
    harness.run();
}

/// Into client mode at the first ECR-R item, by clicks (the keyboard path has its own test).
fn first_item(harness: &mut Harness<'_, SecurebaseApp>) {
    unlock(harness);
    click(harness, NAME);
    click(harness, "Start a session");
    click(harness, &tick_label("ecr-r"));
    click(harness, "Start and hand over");
    click(harness, "Start");
    click(harness, &format!("Yes, I am {NAME}"));
    press(harness, Key::Enter);
    assert_eq!(step(harness), Step::Item(0));
}

#[test]
fn an_item_is_its_statement_then_one_radio_group_named_by_it() {
    let dir = data_folder();
    let mut harness = app(dir.path());
    first_item(&mut harness);
    let instrument = ecr_r();
    let statement = instrument.slot_item(&instrument.slots[0]).text.clone();

    // The statement has the focus: a screen reader reads it first.
    assert_eq!(focused(&harness), statement);
    let group = harness.get_by_role(Role::RadioGroup);
    assert_eq!(
        group.accesskit_node().label().as_deref(),
        Some(statement.as_str())
    );
    assert_eq!(group.accesskit_node().data().size_of_set(), Some(7));
    assert_eq!(
        group.accesskit_node().description().as_deref(),
        Some("Not answered yet")
    );
    let radios: Vec<_> = group
        .children_recursive()
        .filter(|n| n.accesskit_node().role() == Role::RadioButton)
        .collect();
    let names: Vec<_> = radios
        .iter()
        .map(|n| n.accesskit_node().label().unwrap_or_default())
        .collect();
    assert_eq!(
        names,
        [
            "1 Strongly disagree",
            "2",
            "3",
            "4 Neutral/mixed",
            "5",
            "6",
            "7 Strongly agree"
        ]
    );
    for (k, radio) in radios.iter().enumerate() {
        assert_eq!(radio.accesskit_node().data().position_in_set(), Some(k));
        assert_eq!(radio.accesskit_node().toggled(), Some(Toggled::False));
    }
    // The progress: named "Item 1 of 36", its value 1 of 36.
    let progress = harness.get_by_role(Role::ProgressIndicator);
    assert_eq!(
        progress.accesskit_node().label().as_deref(),
        Some("Item 1 of 36")
    );
    assert_eq!(progress.accesskit_node().numeric_value(), Some(1.0));
    assert_eq!(
        progress.accesskit_node().data().max_numeric_value(),
        Some(36.0)
    );

    // Answer 5, go back: the group says the answer, the fifth radio is checked, and the
    // focus is on the statement again.
    press(&mut harness, Key::Num5);
    assert_eq!(step(&harness), Step::Item(1));
    let second = instrument.slot_item(&instrument.slots[1]).text.clone();
    assert_eq!(
        focused(&harness),
        second,
        "a new item moves the focus to its statement"
    );
    click(&mut harness, "Back");
    assert_eq!(focused(&harness), statement);
    let group = harness.get_by_role(Role::RadioGroup);
    assert_eq!(
        group.accesskit_node().description().as_deref(),
        Some("Your answer: 5")
    );
    let checked: Vec<_> = group
        .children_recursive()
        .filter(|n| n.accesskit_node().toggled() == Some(Toggled::True))
        .map(|n| n.accesskit_node().label().unwrap_or_default())
        .collect();
    assert_eq!(checked, ["5"]);

    // Tab goes down the page: the scale, Back, Prefer not to answer, and only then the
    // Clinician button.
    tab_to(&mut harness, "1 Strongly disagree", 1);
    // On the scale the arrows move along it; there ← does not go back.
    press(&mut harness, Key::ArrowRight);
    assert_eq!(focused(&harness), "2");
    press(&mut harness, Key::ArrowLeft);
    assert_eq!(focused(&harness), "1 Strongly disagree");
    assert_eq!(
        step(&harness),
        Step::Item(0),
        "← on the scale did not go back"
    );
    tab_to(&mut harness, "Back", 7);
    tab_to(&mut harness, "Prefer not to answer", 1);
    tab_to(&mut harness, "Clinician", 1);
    // The window says it is in client mode.
    let root = harness.root();
    assert_eq!(
        root.accesskit_node().label().as_deref(),
        Some("securebase \u{2014} client mode")
    );
}

#[test]
fn client_mode_starts_tab_at_the_form_and_its_headings_are_headings() {
    let dir = data_folder();
    let mut harness = app(dir.path());
    unlock(&mut harness);
    click(&mut harness, NAME);
    click(&mut harness, "Start a session");
    click(&mut harness, &tick_label("ecr-r"));
    click(&mut harness, "Start and hand over");
    let heading = format!("Please pass the computer to {NAME}.");
    let node = harness.get_by_role_and_label(Role::Heading, &heading);
    assert_eq!(node.accesskit_node().level(), Some(1));
    assert_eq!(
        focused(&harness),
        heading,
        "the new screen's heading has the focus"
    );
    // Tab: first the form's button, not "Clinician".
    tab_to(&mut harness, "Start", 1);
    press(&mut harness, Key::Enter);
    harness.get_by_role_and_label(Role::Heading, &format!("Hello. Are you {NAME}?"));
    tab_to(&mut harness, &format!("Yes, I am {NAME}"), 1);
    tab_to(&mut harness, "No", 1);
}

/// The test folder, its client with one ECR-R a month ago.
fn with_an_ecr_r() -> tempfile::TempDir {
    let dir = data_folder();
    let store = Store::open(dir.path()).unwrap();
    let keys = store.unlock(&SecretString::from(PASS.to_owned())).unwrap();
    let client = store.find_client(&keys, NAME).unwrap();
    store
        .save_administration(&ecr_r_at(&client, 30, 6, 5))
        .unwrap();
    drop(store);
    dir
}

#[test]
fn the_tables_tie_each_cell_to_its_column_header() {
    let dir = with_an_ecr_r();
    let mut harness = app(dir.path());
    unlock(&mut harness);
    harness.get_by_role_and_label(Role::Heading, "Clients");
    // Each table: its header row, then rows whose cells sit under the header of their column.
    let check_table = |harness: &Harness<'_, SecurebaseApp>, name: &str, want: &[&str]| {
        let table = harness.get_by_role_and_label(Role::Table, name);
        let rows: Vec<_> = table
            .children_recursive()
            .filter(|n| n.accesskit_node().role() == Role::Row)
            .collect();
        assert!(rows.len() >= 2, "{name}: a header row and a row of data");
        let headers: Vec<_> = rows[0]
            .children()
            .filter(|n| n.accesskit_node().role() == Role::ColumnHeader)
            .map(|n| {
                let node = n.accesskit_node();
                (node.data().column_index(), node.label().unwrap_or_default())
            })
            .collect();
        let titles: Vec<_> = headers.iter().map(|(_, t)| t.as_str()).collect();
        assert_eq!(titles, want, "{name}: the column headers");
        for (r, row) in rows.iter().enumerate().skip(1) {
            let cells: Vec<_> = row
                .children()
                .filter(|n| n.accesskit_node().role() == Role::Cell)
                .map(|n| {
                    let node = n.accesskit_node();
                    (node.data().row_index(), node.data().column_index())
                })
                .collect();
            assert_eq!(
                cells.len(),
                headers.len(),
                "{name}: row {r} has a cell per column"
            );
            for (c, (row_index, column)) in cells.iter().enumerate() {
                assert_eq!(*column, headers[c].0, "{name}: row {r}, cell {c}");
                assert_eq!(*row_index, row.accesskit_node().data().row_index());
            }
        }
        assert_eq!(
            table.accesskit_node().data().column_count(),
            Some(want.len())
        );
    };
    check_table(
        &harness,
        "Clients",
        &[
            "Pseudonym / clinic ID",
            "Birth year",
            "Last administration",
            "In progress",
        ],
    );
    click(&mut harness, NAME);
    check_table(
        &harness,
        "Administrations",
        &[
            "Date",
            "Questionnaire",
            "Mode",
            "Status",
            "Scores",
            "Actions",
        ],
    );
    click(&mut harness, "Results");
    check_table(
        &harness,
        "Scores",
        &["Score", "Value", "95 % band", "Answered", "Range", "Flags"],
    );
}

#[test]
fn the_clinician_does_everything_by_keyboard_alone() {
    let dir = with_an_ecr_r();
    let mut harness = app(dir.path());
    // Unlock: the field has the keyboard; type, Enter.
    assert_eq!(focused(&harness), "Clinician's passphrase");
    harness
        .get_by_label("Clinician's passphrase")
        .type_text(PASS);
    harness.run();
    press(&mut harness, Key::Enter);
    assert!(matches!(harness.state().screen, Screen::Clinician(_)));
    // Find the client: the search field, then Enter opens the one client it shows.
    assert_eq!(
        focused(&harness),
        "Search",
        "the client list starts at its search field"
    );
    harness.get_by_label("Search").type_text("2042");
    harness.run();
    press(&mut harness, Key::Enter);
    harness.get_by_label("Start a session");
    // Results of the earlier administration, then an export.
    tab_to(&mut harness, "Results", 30);
    press(&mut harness, Key::Enter);
    harness.get_by_role_and_label(Role::Table, "Scores");
    tab_to(&mut harness, "CSV file", 40);
    if a_real_dialog_might_open() {
        println!("not checked: the export by keyboard (a real file dialog might open here)");
    } else {
        let out = tempfile::tempdir().unwrap();
        let path = out.path().join("by-keyboard.csv");
        press(&mut harness, Key::Enter);
        // The typed-path prompt (no dialog here) has the keyboard: select all, type, Enter.
        harness.key_press_modifiers(Modifiers::COMMAND, Key::A);
        harness.run();
        harness
            .get_by_label("Type the path of the file to save:")
            .type_text(&path.display().to_string());
        harness.run();
        press(&mut harness, Key::Enter);
        let csv = std::fs::read_to_string(&path).unwrap();
        assert!(csv.lines().count() >= 2, "{csv}");
    }
    // Back to the client and a session started, by keyboard.
    tab_to(&mut harness, "Clients", 60);
    press(&mut harness, Key::Enter);
    tab_to(&mut harness, "Search", 10);
    press(&mut harness, Key::Enter);
    tab_to(&mut harness, "Start a session", 30);
    press(&mut harness, Key::Enter);
    tab_to(&mut harness, &tick_label("ecr-r"), 40);
    press(&mut harness, Key::Space);
    tab_to(&mut harness, "Start and hand over", 40);
    press(&mut harness, Key::Enter);
    assert!(harness.state().in_client_mode());
}
