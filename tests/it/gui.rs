//! The desktop app driven through `egui_kittest`, by the widgets' accessible labels, the way a
//! screen reader (or a person) would: unlock, start a session, fill a form by keyboard, go back,
//! decline, try to leave with a wrong passphrase, restart mid-form.
#![cfg(feature = "gui")]

use crate::support::common_gui;

use age::secrecy::SecretString;
use common_gui::{NAME, PASS, app, click, data_folder, step, tick_label, type_into, unlock};
use eframe::egui::{self, Key};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use securebase::app::kiosk_session::Step;
use securebase::app::{Screen, SecurebaseApp};
use securebase::core::bundled::bundled;
use securebase::core::score;
use securebase::store::{Status, Store};

/// From the client list to the first item of `instrument_id`.
fn start_session(harness: &mut Harness<'_, SecurebaseApp>, instrument_id: &str) {
    click(harness, NAME);
    click(harness, "Start a session");
    click(harness, &tick_label(instrument_id));
    click(harness, "Start and hand over");
    assert!(
        harness.state().in_client_mode(),
        "client mode did not start"
    );
    click(harness, "Start");
    click(harness, &format!("Yes, I am {NAME}"));
    harness.key_press(Key::Enter); // past the instructions
    harness.run();
}

fn key_for(value: i32) -> Key {
    [
        Key::Num0,
        Key::Num1,
        Key::Num2,
        Key::Num3,
        Key::Num4,
        Key::Num5,
        Key::Num6,
        Key::Num7,
    ][usize::try_from(value).unwrap()]
}

/// The answers the store holds for the client's only administration of `instrument_id`.
fn stored(
    dir_app: &Harness<'_, SecurebaseApp>,
    instrument_id: &str,
) -> securebase::store::Administration {
    let store = dir_app.state().store.as_ref().unwrap();
    let keys = store.unlock(&SecretString::from(PASS.to_owned())).unwrap();
    let client = store.find_client(&keys, NAME).unwrap();
    let mut found = store
        .administrations(&keys, &client.id)
        .unwrap()
        .records
        .into_iter()
        .filter(|a| a.instrument_id == instrument_id)
        .collect::<Vec<_>>();
    assert_eq!(found.len(), 1);
    found.remove(0)
}

#[test]
fn an_ecr_r_completed_entirely_by_keyboard() {
    let dir = data_folder();
    let mut harness = app(dir.path());
    unlock(&mut harness);
    start_session(&mut harness, "ecr-r");
    assert_eq!(step(&harness), Step::Item(0));
    // Item k (1-based) is answered (k % 7) + 1: 2, 3, …, 7, 1, 2, …
    for k in 1..=36 {
        assert_eq!(step(&harness), Step::Item(k - 1), "before item {k}");
        harness.key_press(key_for(i32::try_from(k % 7).unwrap() + 1));
        harness.run();
    }
    assert_eq!(step(&harness), Step::End);
    harness.get_by_label_contains("Thank you");

    let administration = stored(&harness, "ecr-r");
    assert_eq!(administration.status, Status::Completed);
    assert_eq!(administration.answers.len(), 36);
    let instrument = bundled()
        .into_iter()
        .flatten()
        .find(|i| i.id == "ecr-r")
        .unwrap();
    let report = score(&instrument, &administration.responses(&instrument).unwrap());
    // Anxiety, items 1-18 answered (k % 7) + 1: 2,3,4,5,6,7,1,2,3,4,5,6,7,1,2,3,4,5; items 9 and
    // 11 (answered 3 and 5) are reversed to 5 and 3, which leaves the sum unchanged: 2+3+4+5+6+7
    // = 27, 1+2+3+4+5+6+7 = 28 (items 7-13), 1+2+3+4+5 = 15 (items 14-18): 70 / 18.
    assert!((report.scores[0].value.unwrap() - 70.0 / 18.0).abs() < 1e-12);
    // Avoidance, items 19-36 answered 6,7,1,2,3,4,5,6,7,1,2,3,4,5,6,7,1,2. Forward items 19, 21,
    // 23, 24, 25, 32 = 6+1+3+4+5+5 = 24. Reversed 20, 22, 26, 27, 28, 29, 30, 31, 33, 34, 35, 36
    // answered 7,2,6,7,1,2,3,4,6,7,1,2 = 48 over 12 items -> 12 * 8 - 48 = 48.
    // (24 + 48) / 18 = 72 / 18 = 4.
    assert!((report.scores[1].value.unwrap() - 72.0 / 18.0).abs() < 1e-12);
}

#[test]
fn going_back_changes_an_answer_and_prefer_not_to_answer_is_kept() {
    let dir = data_folder();
    let mut harness = app(dir.path());
    unlock(&mut harness);
    start_session(&mut harness, "ecr-r");
    harness.key_press(Key::Num2);
    harness.run();
    harness.key_press(Key::Num3);
    harness.run();
    assert_eq!(step(&harness), Step::Item(2));
    // Back with the button, then with Backspace: now on item 1 again.
    click(&mut harness, "Back");
    harness.key_press(Key::Backspace);
    harness.run();
    assert_eq!(step(&harness), Step::Item(0));
    click(&mut harness, "1 Strongly disagree"); // item 1 -> 1, by its button
    assert_eq!(step(&harness), Step::Item(1));
    click(&mut harness, "Prefer not to answer"); // item 2 declined
    harness.key_press(Key::P); // item 3 declined by key
    harness.run();
    assert_eq!(step(&harness), Step::Item(3));

    let administration = stored(&harness, "ecr-r");
    let answer = |column: &str| {
        administration
            .answers
            .iter()
            .find(|a| a.column == column)
            .map(|a| a.value)
    };
    assert_eq!(answer("q1"), Some(Some(1)));
    assert_eq!(answer("q2"), Some(None), "declined is stored as no value");
    assert_eq!(answer("q3"), Some(None));
    assert_eq!(answer("q4"), None, "not reached is no entry at all");
    assert_eq!(administration.status, Status::InProgress);
}

#[test]
fn leaving_client_mode_needs_the_right_passphrase() {
    let dir = data_folder();
    let mut harness = app(dir.path());
    unlock(&mut harness);
    start_session(&mut harness, "ecr-r");
    click(&mut harness, "Clinician");
    type_into(&mut harness, "Clinician's passphrase", "not the passphrase");
    click(&mut harness, "Return to workspace");
    assert!(
        harness.state().in_client_mode(),
        "a wrong passphrase must not leave client mode"
    );
    harness.get_by_label_contains("not right");
    // A close request is refused too, and asks for the passphrase.
    click(&mut harness, "Cancel");
    harness.event(egui::Event::WindowFocused(true));
    type_into_leave_after_close(&mut harness);
    assert!(matches!(harness.state().screen, Screen::Clinician(_)));
}

/// Closes the window from outside: client mode cancels it and asks for the passphrase.
fn type_into_leave_after_close(harness: &mut Harness<'_, SecurebaseApp>) {
    harness
        .input_mut()
        .viewports
        .entry(egui::ViewportId::ROOT)
        .or_default()
        .events
        .push(egui::ViewportEvent::Close);
    harness.run();
    assert!(
        harness.state().in_client_mode(),
        "closing must not leave client mode"
    );
    type_into(harness, "Clinician's passphrase", PASS);
    click(harness, "Return to workspace");
}

#[test]
fn the_clinician_side_is_unreachable_from_client_mode() {
    let dir = data_folder();
    let mut harness = app(dir.path());
    unlock(&mut harness);
    start_session(&mut harness, "ecr-r");
    for label in [
        "Clients",
        "Instruments",
        "Settings",
        "Lock",
        NAME,
        "Add client",
        "Results",
    ] {
        assert!(
            harness.query_by_label(label).is_none(),
            "{label:?} is reachable from client mode"
        );
    }
}

#[test]
fn a_restart_mid_form_resumes_at_the_same_item() {
    let dir = data_folder();
    {
        let mut harness = app(dir.path());
        unlock(&mut harness);
        start_session(&mut harness, "ecr-r");
        for key in [Key::Num4, Key::Num5, Key::Num6, Key::Num7, Key::Num1] {
            harness.key_press(key);
            harness.run();
        }
        assert_eq!(step(&harness), Step::Item(5));
        // The window goes away without any goodbye (a crash or a power cut).
    }
    let mut harness = app(dir.path());
    unlock(&mut harness);
    click(&mut harness, NAME);
    click(&mut harness, "Resume the unfinished session (1)");
    click(&mut harness, "Start");
    click(&mut harness, &format!("Yes, I am {NAME}"));
    assert_eq!(step(&harness), Step::Item(5), "resumes at item 6");
    harness.get_by_label_contains("6 of 36");
    let administration = stored(&harness, "ecr-r");
    let values: Vec<Option<i32>> = administration.answers.iter().map(|a| a.value).collect();
    assert_eq!(values, [Some(4), Some(5), Some(6), Some(7), Some(1)]);
}

#[test]
fn rq_forced_choice_then_four_ratings() {
    let dir = data_folder();
    let mut harness = app(dir.path());
    unlock(&mut harness);
    start_session(&mut harness, "rq");
    assert_eq!(step(&harness), Step::Choice);
    harness.key_press(Key::C);
    harness.run();
    for key in [Key::Num6, Key::Num2, Key::Num3, Key::Num5] {
        harness.key_press(key);
        harness.run();
    }
    assert_eq!(step(&harness), Step::End);
    let administration = stored(&harness, "rq");
    assert_eq!(administration.choice.as_deref(), Some("C"));
    assert_eq!(administration.status, Status::Completed);
}

#[test]
fn ecr_rs_says_which_relationship_each_block_is_about() {
    let dir = data_folder();
    let mut harness = app(dir.path());
    unlock(&mut harness);
    start_session(&mut harness, "ecr-rs");
    assert_eq!(step(&harness), Step::BlockIntro(0));
    harness.get_by_label_contains("your mother or a mother-like figure");
    harness.key_press(Key::Enter);
    harness.run();
    harness.get_by_label_contains("About your mother");
    for _ in 0..9 {
        harness.key_press(Key::Num4);
        harness.run();
    }
    assert_eq!(step(&harness), Step::BlockIntro(1));
    harness.get_by_label_contains("your father or a father-like figure");
}

#[test]
fn a_wrong_passphrase_at_unlock_stays_locked() {
    let dir = data_folder();
    let mut harness = app(dir.path());
    type_into(&mut harness, "Clinician's passphrase", "wrong wrong");
    click(&mut harness, "Unlock");
    assert!(matches!(harness.state().screen, Screen::Unlock(_)));
    harness.get_by_label_contains("not right");
    unlock(&mut harness);
}

#[test]
fn first_run_creates_the_data_folder() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("new");
    let mut harness = app(&folder);
    assert!(matches!(harness.state().screen, Screen::FirstRun(_)));
    type_into(&mut harness, "Your name", "Dr Ada Test");
    type_into(&mut harness, "Passphrase", "a long enough passphrase");
    type_into(&mut harness, "Passphrase again", "a long enough passphrase");
    click(
        &mut harness,
        "I understand: without a passphrase or the recovery sheet, the records cannot be opened",
    );
    click(&mut harness, "Create the data folder");
    assert!(matches!(harness.state().screen, Screen::Clinician(_)));
    assert!(Store::is_initialised(&folder));
    // The recovery sheet comes next, its code shown once.
    harness.get_by_label("Your recovery sheet");
    assert!(harness.state().store.as_ref().unwrap().recovery().is_some());
    let names: Vec<String> = harness
        .state()
        .store
        .as_ref()
        .unwrap()
        .clinicians()
        .into_iter()
        .map(|c| c.name)
        .collect();
    assert_eq!(names, ["Dr Ada Test"], "the first clinician is named");
}

#[test]
fn adding_a_client_and_seeing_results() {
    let dir = data_folder();
    let mut harness = app(dir.path());
    unlock(&mut harness);
    click(&mut harness, "Add client");
    type_into(&mut harness, "Pseudonym or clinic ID", "C-7");
    type_into(&mut harness, "Birth year (optional)", "1977");
    click(&mut harness, "Save client");
    harness.get_by_label("C-7");
    // A short RQ, then its results.
    click(&mut harness, "Start a session");
    click(&mut harness, &tick_label("rq"));
    click(&mut harness, "Start and hand over");
    click(&mut harness, "Start");
    click(&mut harness, "Yes, I am C-7");
    harness.key_press(Key::Enter);
    harness.run();
    for key in [Key::A, Key::Num7, Key::Num1, Key::Num1, Key::Num2] {
        harness.key_press(key);
        harness.run();
    }
    click(&mut harness, "Clinician");
    type_into(&mut harness, "Clinician's passphrase", PASS);
    click(&mut harness, "Return to workspace");
    click(&mut harness, "Results");
    harness.get_by_label("Model of self");
    harness.get_by_label_contains("Descriptive category: secure");
    let Screen::Clinician(ws) = &harness.state().screen else {
        panic!("not in the workspace");
    };
    let securebase::app::views::Page::Results(page) = &ws.page else {
        panic!("not on the results page");
    };
    // secure 7, fearful 1, preoccupied 1, dismissing 2:
    // model of self = (7 + 2) - (1 + 1) = 7; model of other = (7 + 1) - (1 + 2) = 5.
    let value = |id: &str| page.report.scores[page.instrument.score_index(id).unwrap()].value;
    assert_eq!(value("model_of_self"), Some(7.0));
    assert_eq!(value("model_of_other"), Some(5.0));
}

#[test]
fn results_show_reliable_change_with_the_clinics_figures() {
    use securebase::store::settings::ClinicFigures;

    let dir = data_folder();
    {
        // Two ECR-Rs a month apart: anxiety 6 then 3, avoidance 5 then 2 (reversed items are
        // answered 8 - target, so every keyed value equals the target).
        let store = Store::open(dir.path()).unwrap();
        let keys = store.unlock(&SecretString::from(PASS.to_owned())).unwrap();
        let client = store.find_client(&keys, NAME).unwrap();
        for (days_ago, anxiety, avoidance) in [(30, 6, 5), (1, 3, 2)] {
            store
                .save_administration(&common_gui::ecr_r_at(&client, days_ago, anxiety, avoidance))
                .unwrap();
        }
    }
    let mut harness = app(dir.path());
    // Reliability .90, SD 1.0: SEM = 1.0 * sqrt(1 - .90) = 0.316227766; the RCI of anxiety is
    // (3 - 6) / sqrt(2 * 0.1) = -3 / 0.447213595 = -6.708203932: a reliable improvement
    // (lower anxiety is better). Avoidance: (2 - 5) / 0.447213595, the same.
    for score in ["anxiety", "avoidance"] {
        harness.state_mut().settings.figures.push(ClinicFigures {
            instrument: "ecr-r".to_owned(),
            score: score.to_owned(),
            reliability: 0.9,
            sd: 1.0,
            source: "test figures".to_owned(),
        });
    }
    unlock(&mut harness);
    click(&mut harness, NAME);
    // The newest administration is listed first.
    harness.get_all_by_label("Results").next().unwrap().click();
    harness.run();
    let Screen::Clinician(ws) = &harness.state().screen else {
        panic!("not in the workspace");
    };
    let securebase::app::views::Page::Results(page) = &ws.page else {
        panic!("not on the results page");
    };
    let (_, changes) = page
        .change
        .as_ref()
        .expect("a change since the administration before");
    for c in changes {
        let rci = c.rci.expect("computed with the clinic's figures");
        assert!((rci - (-3.0 / (2.0f64 * 0.1).sqrt())).abs() < 1e-9, "{rci}");
        assert_eq!(
            c.verdict.map(securebase::core::change::Verdict::label),
            Some("reliable improvement")
        );
    }
    // The view says which figures it used, per score: under the bands and under the change.
    assert_eq!(
        harness.query_all_by_label_contains("test figures").count(),
        4
    );
    // The bands reach the chart: 3 ± 1.96 * 0.316227766 = 2.380 .. 3.620.
    let chart = page.chart.as_ref().unwrap();
    let (lo, hi) = chart.trajectory.last().unwrap().y_band.unwrap();
    assert!(
        (lo - (3.0 - 1.96 * 0.1f64.sqrt())).abs() < 1e-9
            && (hi - (3.0 + 1.96 * 0.1f64.sqrt())).abs() < 1e-9
    );
}

/// At set-up the clinician marks "No romantic partner"; the client answers the mother and
/// father blocks and goes straight from the father block to the best friend's, never seeing
/// the partner's header or items; the stored administration says which block did not apply.
/// All four marked: the session cannot start, and the page says why.
#[test]
fn a_relationship_marked_at_set_up_is_never_shown_to_the_client() {
    let dir = data_folder();
    let mut harness = app(dir.path());
    unlock(&mut harness);
    click(&mut harness, NAME);
    click(&mut harness, "Start a session");
    click(&mut harness, &tick_label("ecr-rs"));
    for block in [
        "No mother or mother-like figure",
        "No father or father-like figure",
        "No romantic partner",
        "No best friend",
    ] {
        click(&mut harness, block);
    }
    harness.get_by_label_contains("At least one part of the ECR-RS must apply");
    for block in [
        "No mother or mother-like figure",
        "No father or father-like figure",
        "No best friend",
    ] {
        click(&mut harness, block);
    }
    click(&mut harness, "Start and hand over");
    assert!(
        harness.state().in_client_mode(),
        "client mode did not start"
    );
    click(&mut harness, "Start");
    click(&mut harness, &format!("Yes, I am {NAME}"));
    harness.key_press(Key::Enter); // past the instructions
    harness.run();
    for block in 0..2 {
        assert_eq!(step(&harness), Step::BlockIntro(block));
        harness.key_press(Key::Enter);
        harness.run();
        for _ in 0..9 {
            harness.key_press(Key::Num4);
            harness.run();
        }
    }
    assert_eq!(
        step(&harness),
        Step::BlockIntro(3),
        "from father straight to friend"
    );
    harness.get_by_label_contains("best friend");
    assert!(
        harness
            .query_all_by_label_contains("romantic partner")
            .next()
            .is_none(),
        "nothing of the partner block on screen"
    );
    let Screen::Kiosk(mode) = &harness.state().screen else {
        panic!("not in client mode");
    };
    assert_eq!(
        mode.session.forms[0].administration.not_applicable,
        ["partner"]
    );
}
