//! "Enter a paper form" in the real app (kittest): the grid keyed by digits alone (36 digits
//! and Enter for an ECR-R), double entry with its differences resolved against the paper, and
//! a keying that survives the app going away mid-form.

use age::secrecy::SecretString;
use eframe::egui::{Key, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use securebase::app::views::Page;
use securebase::app::views::paper::PaperPage;
use securebase::app::{Screen, SecurebaseApp};
use securebase::store::{Administration, Source, Status};

use crate::support::common_gui::{NAME, PASS, app, click, data_folder, ecr_r, tick_label, unlock};

/// Every administration of `NAME`, oldest first, read from the folder by the app's store.
fn stored(harness: &Harness<'_, SecurebaseApp>) -> Vec<Administration> {
    let store = harness.state().store.as_ref().unwrap();
    let keys = store.unlock(&SecretString::from(PASS.to_owned())).unwrap();
    let client = store.find_client(&keys, NAME).unwrap();
    store.administrations(&keys, &client.id).unwrap().records
}

/// Keys `digits`, one key press each; returns how many keys were pressed.
fn key_digits(harness: &mut Harness<'_, SecurebaseApp>, digits: &[u8]) -> usize {
    for &d in digits {
        let key = match d {
            1 => Key::Num1,
            2 => Key::Num2,
            3 => Key::Num3,
            4 => Key::Num4,
            5 => Key::Num5,
            6 => Key::Num6,
            7 => Key::Num7,
            _ => panic!("not on the ECR-R's scale: {d}"),
        };
        harness.key_press(key);
        harness.run();
    }
    digits.len()
}

fn press(harness: &mut Harness<'_, SecurebaseApp>, key: Key) {
    harness.key_press(key);
    harness.run();
}

/// From the client list to the grid of an ECR-R dated 5 March 2026.
fn start_keying(harness: &mut Harness<'_, SecurebaseApp>, double: bool) {
    click(harness, NAME);
    click(harness, "Enter a paper form");
    click(harness, &tick_label("ecr-r"));
    let date = "Date written on the form (YYYY-MM-DD)";
    harness.get_by_label(date).focus();
    harness.run();
    harness.key_press_modifiers(Modifiers::COMMAND, Key::A);
    harness.run();
    harness.get_by_label(date).type_text("2026-03-05");
    harness.run();
    let ticked = harness.state().settings.paper_double_entry;
    if double != ticked {
        harness.get_by_label_contains("Key it in twice").click();
        harness.run();
    }
    click(harness, "Start keying");
    harness.get_by_label_contains("paper form of C-2042, dated 5 Mar 2026");
}

/// The intended answers: the ECR-R's items 1..=36 answered 1..7 in turn.
fn paper() -> Vec<u8> {
    (0..36u8).map(|k| k % 7 + 1).collect()
}

#[test]
fn a_single_entry_takes_36_digits_and_enter_and_is_saved_as_keyed() {
    let dir = data_folder();
    let mut harness = app(dir.path());
    unlock(&mut harness);
    start_keying(&mut harness, false);
    // Each row shows its item's number and statement beside the cell.
    let instrument = ecr_r();
    harness.get_by_label(&instrument.items[0].text);
    harness.get_by_label(&instrument.items[35].text);
    harness.get_by_label("Single entry.");
    let mut keys = key_digits(&mut harness, &paper());
    harness.get_by_label("End of the form: press Enter");
    press(&mut harness, Key::Enter);
    keys += 1;
    assert_eq!(keys, 37, "36 digits and Enter");
    // The form is saved and its results are open.
    harness.get_by_label_contains("5 Mar 2026 \u{b7} paper, single entry (keyed in");
    let all = stored(&harness);
    assert_eq!(all.len(), 1);
    let a = &all[0];
    assert_eq!(a.status, Status::Completed);
    assert_eq!(a.source, Source::PaperEntry);
    assert_eq!(a.form_date, Some(jiff::civil::date(2026, 3, 5)));
    assert_eq!(a.draft, None);
    let keyed: Vec<Option<i32>> = a.answers.iter().map(|x| x.value).collect();
    let expected: Vec<Option<i32>> = paper().iter().map(|&d| Some(i32::from(d))).collect();
    assert_eq!(keyed, expected);
}

#[test]
fn a_double_entry_with_two_differences_keeps_what_the_paper_says() {
    let dir = data_folder();
    let mut harness = app(dir.path());
    unlock(&mut harness);
    start_keying(&mut harness, true);
    harness.get_by_label("First entry of two.");
    // The first entry slips at item 7 (a 2 for the paper's 7); the second at item 20 (a 5
    // for the paper's 6).
    let mut first = paper();
    first[6] = 2;
    key_digits(&mut harness, &first);
    press(&mut harness, Key::Enter);
    harness.get_by_label_contains("Second entry of two");
    match &harness.state().screen {
        Screen::Clinician(ws) => match &ws.page {
            Page::PaperEntry(PaperPage::Keying(entry)) => {
                assert!(
                    (0..36).all(|row| entry.shown(row).is_none()),
                    "the second entry does not show the first"
                );
            }
            _ => panic!("not keying"),
        },
        _ => panic!("not in the workspace"),
    }
    let mut second = paper();
    second[19] = 5;
    key_digits(&mut harness, &second);
    press(&mut harness, Key::Enter);

    harness.get_by_label_contains("The two entries differ on 2 items");
    harness.get_by_label("First entry: 2. Second entry: 7.");
    harness.get_by_label("First entry: 6. Second entry: 5.");
    assert!(
        harness.query_by_label("Save the form").is_some(),
        "Save is there, not enabled yet"
    );
    // Item 7: the paper says 7; item 20: the paper says 6. Each option row is the scale 1-7,
    // then "left blank", in the order of the items.
    harness.get_all_by_label("7").next().unwrap().click();
    harness.run();
    harness.get_all_by_label("6").nth(1).unwrap().click();
    harness.run();
    click(&mut harness, "Save the form");
    harness.get_by_label_contains("paper, double-entered (keyed in");

    let all = stored(&harness);
    assert_eq!(all.len(), 1);
    let a = &all[0];
    assert_eq!(a.status, Status::Completed);
    assert_eq!(a.source, Source::PaperDoubleEntry);
    let keyed: Vec<Option<i32>> = a.answers.iter().map(|x| x.value).collect();
    let expected: Vec<Option<i32>> = paper().iter().map(|&d| Some(i32::from(d))).collect();
    assert_eq!(keyed, expected, "the stored answers are the resolved ones");
}

#[test]
fn keying_survives_the_app_going_away_and_goes_on_where_it_stopped() {
    let dir = data_folder();
    let mut harness = app(dir.path());
    unlock(&mut harness);
    start_keying(&mut harness, false);
    key_digits(&mut harness, &paper()[..10]);
    // Every key was saved: the draft holds the ten values.
    let all = stored(&harness);
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].status, Status::InProgress);
    let draft = all[0].draft.clone().unwrap();
    assert_eq!(draft.reached, 10);
    assert_eq!(draft.first[9], Some(3));
    // The window goes away without any goodbye (a crash or a power cut).
    drop(harness);

    let mut harness = app(dir.path());
    unlock(&mut harness);
    click(&mut harness, NAME);
    assert!(
        harness
            .query_by_label_contains("Resume the unfinished session")
            .is_none(),
        "a paper form is not handed over to the client"
    );
    harness.get_by_label("being keyed in (entry 1, 10 of 36 items)");
    click(&mut harness, "Continue keying");
    key_digits(&mut harness, &paper()[10..]);
    press(&mut harness, Key::Enter);
    harness.get_by_label_contains("paper, single entry (keyed in");
    let all = stored(&harness);
    assert_eq!(all[0].status, Status::Completed);
    assert_eq!(all[0].answers.len(), 36);
}
