//! Opens the real app window on one named screen, with demo data, for screenshots.
//!
//!     cargo run --example screenshots -- <screen> [width height] [text-scale]
//!
//! The app is the real `SecurebaseApp` in a real eframe window; only the clicks that lead to
//! the screen are replaced by the same commands the views would send. `scripts/screenshots.sh`
//! runs it under Xvfb for every screen and saves `docs/screenshots/*.png`. Demo data is made
//! once under `target/screenshot-data` (passphrase `demo passphrase`).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]
// Demo data: small counters turned into days and seconds.
#![allow(clippy::cast_possible_wrap)]

use std::path::Path;

use age::secrecy::SecretString;
use eframe::egui;
use jiff::{Timestamp, ToSpan};
use securebase::app::kiosk_session::Step;
use securebase::app::views::Page;
use securebase::app::views::session_setup::SetupForm;
use securebase::app::{Command, Screen, SecurebaseApp};
use securebase::core::Answer;
use securebase::core::bundled::bundled;
use securebase::core::instrument::Instrument;
use securebase::store::{Administration, Client, Source, Status, Store, new_id};

const PASS: &str = "demo passphrase";

fn instrument(id: &str) -> Instrument {
    bundled()
        .into_iter()
        .flatten()
        .find(|i| i.id == id)
        .unwrap()
}

/// An administration `days_ago` days old, every item answered by `answer(slot)`.
fn administration(
    client: &Client,
    instrument: &Instrument,
    days_ago: i64,
    answer: impl Fn(usize) -> Answer,
) -> Administration {
    let started = Timestamp::now() - (days_ago * 24).hours();
    let mut a = Administration::new(
        new_id().unwrap(),
        &client.id,
        instrument,
        Source::ClientMode,
        started,
    );
    for slot in 0..instrument.n_slots() {
        a.set_answer(
            instrument,
            slot,
            answer(slot),
            started + (slot as i64 * 7).seconds(),
            Some(7.0),
        )
        .unwrap();
    }
    a.status = Status::Completed;
    a.finished = Some(started + 10.minutes());
    a
}

/// ECR-R answers for a point (anxiety, avoidance): forward items near the target, reversed ones
/// mirrored, a little variation so that it looks like a person.
fn ecr_r_answers(anxiety: i32, avoidance: i32) -> impl Fn(usize) -> Answer {
    ecr_r_answers_of(anxiety, avoidance, 0)
}

/// [`ecr_r_answers`] with the variation shifted by `person`, so that people differ item by item
/// (what gives a clinic's own alpha something to measure).
fn ecr_r_answers_of(anxiety: i32, avoidance: i32, person: usize) -> impl Fn(usize) -> Answer {
    const REVERSED: [usize; 14] = [9, 11, 20, 22, 26, 27, 28, 29, 30, 31, 33, 34, 35, 36];
    move |slot| {
        let number = slot + 1;
        let target = if number <= 18 { anxiety } else { avoidance };
        // The clinic's other people vary more item by item, as people do (an alpha near .9).
        let wobble = if person == 0 {
            [0, 1, 0, -1, 0, 1, -1, 0][slot % 8]
        } else {
            [0, 2, -1, -2, 1, 2, -2, 0, 1, -1, 3, -3][(slot * 7 + person * person * 5) % 12]
        };
        let value = (target + wobble).clamp(1, 7);
        Answer::Value(if REVERSED.contains(&number) {
            8 - value
        } else {
            value
        })
    }
}

/// A group practice: a colleague with her own passphrase (the unlock screen lists both), and
/// the folder's recovery sheet.
fn add_colleague(store: &Store, keys: &securebase::store::Keys) {
    store
        .add_clinician(
            keys,
            "Dr Lena Brandt",
            &SecretString::from("demo passphrase of Lena".to_owned()),
            10,
        )
        .unwrap();
    // As at set-up: a recovery sheet (its code is not kept).
    store.new_recovery(keys).unwrap();
}

fn build_demo(dir: &Path) {
    let _ = std::fs::remove_dir_all(dir);
    let (store, keys) = Store::init(
        dir,
        "Dr Maya Okafor",
        &SecretString::from(PASS.to_owned()),
        10,
    )
    .unwrap();
    add_colleague(&store, &keys);
    let ecr_r = instrument("ecr-r");
    let names = [
        (
            "C-1042",
            Some(1986),
            "Referred by GP; attachment-focused therapy since spring.",
        ),
        ("C-1007", Some(1979), ""),
        ("C-1013", None, ""),
        ("C-1021", Some(1994), ""),
        ("C-1030", Some(1968), ""),
        ("C-1036", Some(2001), ""),
        ("C-1055", Some(1990), ""),
        ("C-1061", None, ""),
        ("C-1068", Some(1983), ""),
        ("C-1074", Some(1975), ""),
    ];
    for (i, (name, year, notes)) in names.iter().enumerate() {
        let client = Client::new(
            new_id().unwrap(),
            name,
            *year,
            notes,
            Timestamp::now() - ((400 - i as i64 * 30) * 24).hours(),
        )
        .unwrap();
        store.save_client(&client).unwrap();
        if i == 0 {
            // Five ECR-Rs over a year, moving towards secure; an RQ and an RFQ-8 at intake.
            for (k, (anx, avo)) in [(6, 5), (5, 5), (5, 4), (4, 3), (3, 2)].iter().enumerate() {
                store
                    .save_administration(&administration(
                        &client,
                        &ecr_r,
                        360 - k as i64 * 80,
                        ecr_r_answers(*anx, *avo),
                    ))
                    .unwrap();
            }
            let rq = instrument("rq");
            let mut a = administration(&client, &rq, 360, |slot| Answer::Value([2, 6, 5, 3][slot]));
            a.choice = Some("C".to_owned());
            store.save_administration(&a).unwrap();
            // An ECR-RS: close to mother and best friend, avoidant with father, anxious with
            // the partner. Per block, items 1-4 are reversed avoidance, 5-6 avoidance, 7-9 anxiety.
            let rs = instrument("ecr-rs");
            let per_block = [
                [6, 6, 6, 6, 2, 2, 2, 2, 3],
                [2, 2, 3, 2, 6, 6, 3, 3, 2],
                [5, 5, 5, 4, 3, 2, 6, 6, 7],
                [7, 6, 6, 6, 1, 2, 2, 1, 2],
            ];
            store
                .save_administration(&administration(&client, &rs, 30, |slot| {
                    Answer::Value(per_block[slot / 9][slot % 9])
                }))
                .unwrap();
            let rfq = instrument("rfq-8");
            store
                .save_administration(&administration(&client, &rfq, 360, |slot| {
                    Answer::Value([3, 5, 4, 6, 5, 4, 2, 6][slot])
                }))
                .unwrap();
        } else if i != 5 {
            // The other clients' intakes: spread over the plane, for local norms.
            let (anxiety, avoidance) = [
                (0, 0),
                (4, 4),
                (3, 2),
                (5, 3),
                (2, 5),
                (0, 0),
                (4, 2),
                (6, 4),
                (3, 4),
                (5, 5),
            ][i];
            store
                .save_administration(&administration(
                    &client,
                    &ecr_r,
                    90 - i as i64,
                    ecr_r_answers(anxiety, avoidance),
                ))
                .unwrap();
        }
        if i == 5 {
            let mut a = administration(&client, &ecr_r, 2, ecr_r_answers(5, 3));
            a.status = Status::InProgress;
            a.finished = None;
            a.answers.truncate(14);
            store.save_administration(&a).unwrap();
        }
    }
    earlier_intakes(&store, &ecr_r);
}

/// Thirty-two earlier intakes of the clinic's (C-2001…): enough for its own reliability.
fn earlier_intakes(store: &Store, ecr_r: &Instrument) {
    for k in 0..32_usize {
        let client = Client::new(
            new_id().unwrap(),
            &format!("C-{}", 2001 + k),
            None,
            "",
            Timestamp::now() - ((700 - k as i64 * 5) * 24).hours(),
        )
        .unwrap();
        store.save_client(&client).unwrap();
        let anxiety = [2, 3, 4, 5, 6, 3, 4, 5][k % 8];
        let avoidance = [2, 4, 3, 5, 4, 6, 2, 3][(k * 3) % 8];
        store
            .save_administration(&administration(
                &client,
                ecr_r,
                600 - k as i64 * 10,
                ecr_r_answers_of(anxiety, avoidance, k + 1),
            ))
            .unwrap();
    }
}

/// Local norms (and the clinic's own reliability) computed, each opted into or not.
fn computed_norms(app: &mut SecurebaseApp, ctx: &egui::Context, norms: bool, figures: bool) {
    app.apply(ctx, Command::ComputeLocalNorms);
    app.settings.use_local_norms = norms;
    app.settings.use_clinic_reliability = figures;
}

/// The id of the demo client called `name`.
fn client_named(app: &SecurebaseApp, name: &str) -> String {
    match &app.screen {
        Screen::Clinician(ws) => ws
            .records
            .clients
            .iter()
            .find(|c| c.name == name)
            .unwrap()
            .id
            .clone(),
        _ => panic!("did not unlock"),
    }
}

/// The unlock screen's "Forgot your passphrase?", with a typing error in the second group, as
/// the clinician would see it.
fn forgot(app: &mut SecurebaseApp) {
    if let securebase::app::Screen::Unlock(form) = &mut app.screen {
        form.recovery.open = true;
        "Dr Lena Brandt".clone_into(&mut form.clinician);
        "5NZKA-D0M4P-WKWRG-CSJRY-XQANZ-4J04F".clone_into(&mut form.recovery.code);
    }
}

/// Settings, asking whether to remove Dr Lena Brandt.
fn removing_lena(app: &mut SecurebaseApp, ctx: &egui::Context) {
    let mut form = securebase::app::views::settings::SettingsForm::from(&app.settings);
    form.clinician.removing = app
        .store
        .as_ref()
        .and_then(|s| {
            s.clinicians()
                .into_iter()
                .find(|c| c.name == "Dr Lena Brandt")
        })
        .map(|c| c.id);
    app.apply(ctx, Command::Navigate(Page::Settings(form)));
}

/// Drives the app to `screen`.
fn drive(app: &mut SecurebaseApp, ctx: &egui::Context, screen: &str) {
    if screen == "unlock" || screen == "first-run" {
        return;
    }
    if screen == "forgot" {
        forgot(app);
        return;
    }
    app.apply(
        ctx,
        Command::Unlock {
            clinician: None,
            passphrase: SecretString::from(PASS.to_owned()),
        },
    );
    let client_id = client_named(app, "C-1042");
    let page = |client_id: &str| {
        Command::Navigate(Page::ClientPage {
            client_id: client_id.to_owned(),
            edit: None,
        })
    };
    match screen {
        "clients" => {}
        "client" => app.apply(ctx, page(&client_id)),
        "setup" => {
            let mut form = SetupForm::new(&client_id);
            form.selected = vec!["ecr-r".into(), "rfq-8".into(), "rq".into()];
            app.apply(ctx, Command::Navigate(Page::SessionSetup(form)));
        }
        "setup-ecrrs" => {
            let mut form = SetupForm::new(&client_id);
            form.selected = vec!["ecr-rs".into()];
            form.not_applicable = vec![("ecr-rs".into(), "partner".into())];
            app.apply(ctx, Command::Navigate(Page::SessionSetup(form)));
        }
        "instruments" => app.apply(ctx, Command::Navigate(Page::Instruments)),
        // "Export all clients → CSV file" through the real file dialog: under Xvfb no portal
        // answers, so the typed-path prompt shows (REDTEAM L9).
        "typed-path" => app.apply(
            ctx,
            Command::Export {
                scope: securebase::export::Scope::All,
                kind: securebase::export::Kind::Csv,
            },
        ),
        "recovery-sheet" => app.apply(ctx, Command::NewRecoverySheet),
        "settings-remove" => removing_lena(app, ctx),
        "settings" => {
            let form = securebase::app::views::settings::SettingsForm::from(&app.settings);
            app.apply(ctx, Command::Navigate(Page::Settings(form)));
        }
        "settings-norms" | "settings-reliability" => {
            computed_norms(app, ctx, true, screen == "settings-reliability");
            let form = securebase::app::views::settings::SettingsForm::from(&app.settings);
            app.apply(ctx, Command::Navigate(Page::Settings(form)));
        }
        "results"
        | "results-rq"
        | "results-ecrrs"
        | "results-rfq"
        | "results-intake"
        | "results-norms"
        | "results-clinic-figures" => {
            if matches!(screen, "results-norms" | "results-clinic-figures") {
                computed_norms(
                    app,
                    ctx,
                    screen == "results-norms",
                    screen != "results-norms",
                );
            }
            let (client_id, wanted) = match screen {
                "results-rq" => (client_id.clone(), "rq"),
                "results-ecrrs" => (client_id.clone(), "ecr-rs"),
                "results-rfq" => (client_id.clone(), "rfq-8"),
                "results-intake" => (client_named(app, "C-1007"), "ecr-r"),
                _ => (client_id.clone(), "ecr-r"),
            };
            app.apply(ctx, page(&client_id));
            let id = match &mut app.screen {
                Screen::Clinician(ws) => {
                    let store = app.store.as_ref().unwrap();
                    ws.administrations_of(store, &app.catalog, &client_id)
                        .iter()
                        .filter(|a| a.instrument_id == wanted)
                        .max_by_key(|a| a.started)
                        .unwrap()
                        .id
                        .clone()
                }
                _ => unreachable!(),
            };
            app.apply(
                ctx,
                Command::OpenResults {
                    client_id: client_id.clone(),
                    administration_id: id,
                },
            );
        }
        _ => client_mode(app, ctx, &client_id, screen),
    }
}

/// C-1007 and C-1013 as a couple on the couple page: each with their intake ECR-R and two
/// more after it, three each.
fn couple(app: &mut SecurebaseApp, ctx: &egui::Context) {
    let ids = ["C-1007", "C-1013"].map(|name| client_named(app, name));
    let ecr_r = instrument("ecr-r");
    for (k, id) in ids.iter().enumerate() {
        let client = match &app.screen {
            Screen::Clinician(ws) => ws.records.client(id).cloned().unwrap(),
            _ => unreachable!(),
        };
        let later = if k == 0 {
            [(80, 4, 5), (20, 3, 4)]
        } else {
            [(75, 5, 3), (15, 5, 2)]
        };
        let store = app.store.as_ref().unwrap();
        for (days, anxiety, avoidance) in later {
            store
                .save_administration(&administration(
                    &client,
                    &ecr_r,
                    days,
                    ecr_r_answers_of(anxiety, avoidance, k + 1),
                ))
                .unwrap();
        }
        if let Screen::Clinician(ws) = &mut app.screen {
            ws.records.forget(id);
        }
    }
    app.apply(
        ctx,
        Command::LinkCouple {
            clients: ids.clone(),
        },
    );
    app.apply(
        ctx,
        Command::OpenCouple {
            client_id: ids[0].clone(),
        },
    );
}

/// A paper ECR-R dated 5 March: the set-up, the grid at item 13, or (keyed twice, with a slip
/// in each entry) the two differences, one of them resolved.
fn paper(app: &mut SecurebaseApp, ctx: &egui::Context, client_id: &str, screen: &str) {
    use securebase::app::views::paper::{PaperPage, PaperSetup};
    if screen == "paper-setup" {
        let mut setup = PaperSetup::new(client_id, true);
        setup.instrument = Some("ecr-r".into());
        setup.date = "2026-03-05".into();
        app.apply(
            ctx,
            Command::Navigate(Page::PaperEntry(PaperPage::Setup(setup))),
        );
        return;
    }
    app.apply(
        ctx,
        Command::StartPaperEntry {
            client_id: client_id.to_owned(),
            instrument_id: "ecr-r".into(),
            form_date: jiff::civil::date(2026, 3, 5),
            double: screen == "paper-mismatch",
        },
    );
    let Screen::Clinician(ws) = &mut app.screen else {
        panic!("not in the workspace");
    };
    let Page::PaperEntry(PaperPage::Keying(entry)) = &mut ws.page else {
        panic!("not keying");
    };
    let paper: Vec<u8> = (0..36u8)
        .map(|k| [5, 6, 4, 5, 3, 6, 5, 4, 2, 6, 3, 5][usize::from(k % 12)])
        .collect();
    if screen == "paper-entry" {
        for &d in &paper[..12] {
            entry.digit(d);
        }
        entry.blank();
        entry.up();
        return;
    }
    for (k, &d) in paper.iter().enumerate() {
        entry.digit(if k == 6 { 2 } else { d });
    }
    entry.finish_entry();
    for (k, &d) in paper.iter().enumerate() {
        entry.digit(if k == 23 { 3 } else { d });
    }
    entry.finish_entry();
    entry.resolve(
        &securebase::app::paper_entry::Row::Slot(6),
        Some("5".into()),
    );
}

fn client_mode(app: &mut SecurebaseApp, ctx: &egui::Context, client_id: &str, screen: &str) {
    if screen.starts_with("paper-") {
        return paper(app, ctx, client_id, screen);
    }
    if screen == "couple" {
        return couple(app, ctx);
    }
    let instruments = match screen {
        "choice" => vec!["rq".to_owned()],
        "block" | "block-item" => vec!["ecr-rs".to_owned()],
        _ => vec!["ecr-r".to_owned(), "rfq-8".to_owned()],
    };
    app.apply(
        ctx,
        Command::StartSession {
            client_id: client_id.to_owned(),
            instruments,
            not_applicable: Vec::new(),
            then_partner: None,
        },
    );
    let Screen::Kiosk(mode) = &mut app.screen else {
        panic!("no client mode");
    };
    let session = &mut mode.session;
    if screen == "handover" {
        return;
    }
    session.handed_over();
    if screen == "greeting" {
        return;
    }
    session.confirm_identity();
    if screen == "instructions" {
        return;
    }
    session.continue_on();
    match screen {
        "item" | "interrupted" => {
            for k in 0..11 {
                session
                    .answer(
                        Answer::Value([5, 6, 4, 5, 3, 6, 5, 4, 2, 6, 3][k]),
                        Some(6.0),
                        Timestamp::now(),
                    )
                    .unwrap();
            }
            // Item 12 shown with an answer, as after going back.
            session
                .answer(Answer::Value(5), Some(6.0), Timestamp::now())
                .unwrap();
            session.back();
        }
        "end" => {
            while session.step != Step::End {
                match session.step {
                    Step::Item(_) => session
                        .answer(Answer::Value(4), Some(5.0), Timestamp::now())
                        .unwrap(),
                    _ => session.continue_on(),
                }
            }
        }
        "block-item" => {
            session.continue_on();
            session
                .answer(Answer::Value(3), Some(5.0), Timestamp::now())
                .unwrap();
        }
        _ => {}
    }
    if screen == "interrupted" {
        // Alt+Tab away from the form and back (REDTEAM H2).
        mode.leave = Some(securebase::app::views::kiosk::LeaveForm::interrupted());
    }
    let _ = session.take_dirty();
}

fn copy_dir(from: &Path, to: &Path) {
    // Private, as securebase makes its own folders (else the app warns about the modes).
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else if entry.file_name() != "lock" {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// The demo folder is built once and reused; it is built again when `build_demo` changes
/// (bump this).
const DEMO_VERSION: &str = "6";

fn main() -> eframe::Result {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let screen = args
        .first()
        .cloned()
        .unwrap_or_else(|| "clients".to_owned());
    let width: f32 = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(1280.0);
    let height: f32 = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(800.0);
    let scale: f32 = args.get(3).and_then(|a| a.parse().ok()).unwrap_or(1.0);
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshot-data");
    let demo = root.join("demo");
    let version = root.join("demo-version");
    if !Store::is_initialised(&demo)
        || std::fs::read_to_string(&version).ok().as_deref() != Some(DEMO_VERSION)
    {
        build_demo(&demo);
        std::fs::write(&version, DEMO_VERSION).unwrap();
    }
    // Every run works on its own copy, so that one screenshot's session never shows in another.
    let data_dir = root.join(format!("run-{screen}"));
    let _ = std::fs::remove_dir_all(&data_dir);
    if screen != "first-run" {
        copy_dir(&demo, &data_dir);
    }
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("securebase")
            .with_position([0.0, 0.0])
            .with_inner_size([width, height])
            .with_decorations(false),
        ..Default::default()
    };
    eframe::run_native(
        "securebase",
        options,
        Box::new(move |cc| {
            let mut app = SecurebaseApp::new(&cc.egui_ctx, data_dir);
            app.settings.text_scale = scale;
            drive(&mut app, &cc.egui_ctx, &screen);
            Ok(Box::new(app))
        }),
    )
}
