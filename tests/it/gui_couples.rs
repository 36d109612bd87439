//! Couples in the real app (kittest): two clients linked from one's page, the couple page with
//! both partners' three administrations on one plane and the reading of where they stand, and
//! the link ended with both histories kept.

use age::secrecy::SecretString;
use egui_kittest::kittest::Queryable;
use securebase::app::views::Page;
use securebase::app::{Screen, SecurebaseApp};
use securebase::store::{Client, Store, new_id};

use crate::support::common_gui::{NAME, PASS, app, click, data_folder, ecr_r_at, unlock};

const PARTNER: &str = "C-2043";

/// The folder of `data_folder` with a second client, and three ECR-Rs each: `NAME` anxious
/// (6, 5, 5) and not avoidant (2), `PARTNER` avoidant (6, 5, 4) and not anxious (2).
fn couple_folder() -> tempfile::TempDir {
    let dir = data_folder();
    let store = Store::open(dir.path()).unwrap();
    let keys = store.unlock(&SecretString::from(PASS.to_owned())).unwrap();
    let first = store.find_client(&keys, NAME).unwrap();
    let second = Client::new(
        new_id().unwrap(),
        PARTNER,
        Some(1988),
        "",
        jiff::Timestamp::now(),
    )
    .unwrap();
    store.save_client(&second).unwrap();
    for (days, anxiety, avoidance) in [(120, 6, 2), (60, 5, 2), (10, 5, 2)] {
        store
            .save_administration(&ecr_r_at(&first, days, anxiety, avoidance))
            .unwrap();
    }
    for (days, anxiety, avoidance) in [(121, 2, 6), (61, 2, 5), (11, 2, 4)] {
        store
            .save_administration(&ecr_r_at(&second, days, anxiety, avoidance))
            .unwrap();
    }
    dir
}

fn on_couple_page(harness: &egui_kittest::Harness<'_, SecurebaseApp>) -> bool {
    matches!(&harness.state().screen, Screen::Clinician(ws) if matches!(ws.page, Page::Couple(_)))
}

/// Unlocks and links `PARTNER` from `NAME`'s page; `NAME`'s page stays open.
fn link_from_page(harness: &mut egui_kittest::Harness<'_, SecurebaseApp>) {
    unlock(harness);
    click(harness, NAME);
    click(harness, "Link as a couple with");
    click(harness, PARTNER);
    click(harness, "Link");
}

#[test]
fn two_clients_are_linked_and_shown_on_one_plane() {
    let dir = couple_folder();
    let mut harness = app(dir.path());
    link_from_page(&mut harness);
    harness.get_by_label_contains(&format!("In a couple with {PARTNER} since"));

    click(&mut harness, "Couple page");
    assert!(on_couple_page(&harness));
    harness.get_by_label(&format!("{NAME} and {PARTNER}: the couple"));
    harness.get_by_label_contains(&format!(
        "{NAME}'s attachment anxiety is higher than {PARTNER}'s (5.00 vs 2.00)"
    ));
    harness.get_by_label_contains(&format!(
        "{PARTNER}'s attachment avoidance is higher than {NAME}'s (4.00 vs 2.00)"
    ));
    harness.get_by_label("Attachment anxiety 5.00 \u{b7} Attachment avoidance 2.00");
    harness.get_by_label("Attachment anxiety 2.00 \u{b7} Attachment avoidance 4.00");
    // The plane holds both courses, three points each.
    match &harness.state().screen {
        Screen::Clinician(ws) => match &ws.page {
            Page::Couple(page) => {
                let chart = page.results.planes[0].chart.as_ref().unwrap();
                assert_eq!(chart.partners.len(), 2);
                assert_eq!(chart.partners[0].name, NAME);
                assert_eq!(chart.partners[1].name, PARTNER);
                assert!(chart.partners.iter().all(|p| p.points.len() == 3));
            }
            _ => unreachable!(),
        },
        _ => unreachable!(),
    }

    // Ended from the partner's page: both histories stay.
    click(&mut harness, &format!("Back to {PARTNER}"));
    click(&mut harness, "End the couple link");
    harness.get_by_label_contains("The couple link was ended");
    assert!(harness.query_by_label("Couple page").is_none());
    harness.get_by_label("Link as a couple with");
    let store = harness.state().store.as_ref().unwrap();
    let keys = store.unlock(&SecretString::from(PASS.to_owned())).unwrap();
    let couples = store.couples(&keys).unwrap();
    assert_eq!(couples.couples.len(), 1);
    assert!(couples.couples[0].ended.is_some());
    for name in [NAME, PARTNER] {
        let client = store.find_client(&keys, name).unwrap();
        assert_eq!(
            store
                .administrations(&keys, &client.id)
                .unwrap()
                .records
                .len(),
            3
        );
    }
}

/// Answers the RFQ-8 on screen: the instructions, then eight items by digit.
fn answer_rfq(harness: &mut egui_kittest::Harness<'_, SecurebaseApp>, digit: eframe::egui::Key) {
    harness.key_press(eframe::egui::Key::Enter); // past the instructions
    harness.run();
    for _ in 0..8 {
        harness.key_press(digit);
        harness.run();
    }
    assert_eq!(
        crate::support::common_gui::step(harness),
        securebase::app::kiosk_session::Step::End
    );
}

/// The hand-over and "Are you …?" of `me` (never offering `other`), then the RFQ-8.
fn fill_as(
    harness: &mut egui_kittest::Harness<'_, SecurebaseApp>,
    me: &str,
    other: &str,
    digit: eframe::egui::Key,
) {
    click(harness, "Start");
    assert!(
        harness
            .query_by_label(&format!("Yes, I am {other}"))
            .is_none()
    );
    click(harness, &format!("Yes, I am {me}"));
    answer_rfq(harness, digit);
}

/// The clinician takes the computer back with the passphrase.
fn take_back(harness: &mut egui_kittest::Harness<'_, SecurebaseApp>) {
    click(harness, "Clinician");
    crate::support::common_gui::type_into(harness, "Clinician's passphrase", PASS);
    click(harness, "Return to workspace");
}

#[test]
fn a_couples_session_hands_the_computer_to_each_partner_in_turn() {
    let dir = couple_folder();
    let mut harness = app(dir.path());
    link_from_page(&mut harness);
    click(&mut harness, "Start a session");
    click(
        &mut harness,
        &crate::support::common_gui::tick_label("rfq-8"),
    );
    harness.get_by_label_contains("A couple's session").click();
    harness.run();
    click(&mut harness, "Start and hand over");

    // The first partner: their own hand-over and check, their own form only.
    fill_as(&mut harness, NAME, PARTNER, eframe::egui::Key::Num6);

    // The clinician takes the computer back; the second partner's session starts at once.
    take_back(&mut harness);
    match &harness.state().screen {
        Screen::Kiosk(mode) => {
            assert_eq!(mode.session.client.name, PARTNER);
            assert!(
                mode.session
                    .forms
                    .iter()
                    .all(|f| f.administration.client_id == mode.session.client.id),
                "the second partner's session holds only their forms"
            );
        }
        _ => panic!("the second partner's session did not start"),
    }
    fill_as(&mut harness, PARTNER, NAME, eframe::egui::Key::Num2);
    take_back(&mut harness);
    assert!(matches!(harness.state().screen, Screen::Clinician(_)));

    // Each partner has their own RFQ-8, with their own answers.
    let store = harness.state().store.as_ref().unwrap();
    let keys = store.unlock(&SecretString::from(PASS.to_owned())).unwrap();
    for (name, value) in [(NAME, 6), (PARTNER, 2)] {
        let client = store.find_client(&keys, name).unwrap();
        let rfq: Vec<_> = store
            .administrations(&keys, &client.id)
            .unwrap()
            .records
            .into_iter()
            .filter(|a| a.instrument_id == "rfq-8")
            .collect();
        assert_eq!(rfq.len(), 1, "{name}");
        assert_eq!(rfq[0].status, securebase::store::Status::Completed);
        assert!(
            rfq[0].answers.iter().all(|a| a.value == Some(value)),
            "{name}"
        );
    }
}
