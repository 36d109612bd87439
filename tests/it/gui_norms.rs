//! The app's local norms (computed in Settings, opt-in, used for z, T, percentile and the norm
//! region) and the results page's chart exports, driven through the real app.

use crate::support::common_gui;

use age::secrecy::SecretString;
use common_gui::{NAME, PASS, app, click, data_folder, ecr_r_at, unlock};
use egui_kittest::kittest::Queryable;
use jiff::{SignedDuration, Timestamp};
use securebase::app::Screen;
use securebase::app::views::Page;
use securebase::app::views::results::{ChartKind, ImageFormat, ResultsPage};
use securebase::store::{AuditAction, Client, Status, Store, new_id};

/// Three clients' first ECR-Rs: anxiety 2, 4, 6 (mean 4, SD √((4 + 0 + 4) / 2) = 2) and
/// avoidance 1, 2, 6 (mean 3, SD √((4 + 1 + 9) / 2) = √7 = 2.6458). The test client also has
/// a later ECR-R (anxiety 7, avoidance 6), and another client an abandoned one before its
/// first completed one: neither may count.
fn clinic() -> tempfile::TempDir {
    let dir = data_folder();
    let store = Store::open(dir.path()).unwrap();
    let keys = store.unlock(&SecretString::from(PASS.to_owned())).unwrap();
    let first = store.find_client(&keys, NAME).unwrap();
    store
        .save_administration(&ecr_r_at(&first, 100, 2, 1))
        .unwrap();
    store
        .save_administration(&ecr_r_at(&first, 5, 7, 6))
        .unwrap();
    for (name, anxiety, avoidance) in [("C-2050", 4, 2), ("C-2051", 6, 6)] {
        let client = Client::new(new_id().unwrap(), name, None, "", Timestamp::now()).unwrap();
        store.save_client(&client).unwrap();
        if name == "C-2051" {
            let mut abandoned = ecr_r_at(&client, 90, 1, 1);
            abandoned.status = Status::Abandoned;
            store.save_administration(&abandoned).unwrap();
        }
        store
            .save_administration(&ecr_r_at(&client, 80, anxiety, avoidance))
            .unwrap();
    }
    dir
}

/// The test client with one ECR-R (anxiety 3, avoidance 3).
fn one_ecr_r() -> tempfile::TempDir {
    let dir = data_folder();
    let store = Store::open(dir.path()).unwrap();
    let keys = store.unlock(&SecretString::from(PASS.to_owned())).unwrap();
    let client = store.find_client(&keys, NAME).unwrap();
    store
        .save_administration(&ecr_r_at(&client, 10, 3, 3))
        .unwrap();
    dir
}

fn results_page<'a>(
    harness: &'a egui_kittest::Harness<'_, securebase::app::SecurebaseApp>,
) -> &'a ResultsPage {
    let Screen::Clinician(ws) = &harness.state().screen else {
        panic!("not in the workspace");
    };
    let Page::Results(page) = &ws.page else {
        panic!("not on the results page");
    };
    page
}

#[test]
fn local_norms_are_computed_from_first_administrations_and_used_when_chosen() {
    let dir = clinic();
    let mut harness = app(dir.path());
    unlock(&mut harness);
    click(&mut harness, "Settings");
    harness.get_by_label("Not computed yet.");
    click(&mut harness, "Compute local norms");
    {
        let Screen::Clinician(ws) = &harness.state().screen else {
            panic!("not in the workspace");
        };
        let norms = ws.records.local_norms.as_ref().expect("computed");
        let anxiety = norms.get("ecr-r", "anxiety").unwrap();
        assert_eq!(anxiety.n, 3);
        assert!((anxiety.mean - 4.0).abs() < 1e-12, "{}", anxiety.mean);
        assert!((anxiety.sd - 2.0).abs() < 1e-12, "{}", anxiety.sd);
        let avoidance = norms.get("ecr-r", "avoidance").unwrap();
        assert_eq!(avoidance.n, 3);
        assert!((avoidance.mean - 3.0).abs() < 1e-12);
        assert!((avoidance.sd - 7f64.sqrt()).abs() < 1e-12);
    }
    // Shown with their n (the table) and kept encrypted in the data folder.
    assert!(harness.query_all_by_label("3").count() >= 2);
    let file = std::fs::read(dir.path().join("local-norms.age")).unwrap();
    assert!(!String::from_utf8_lossy(&file).contains("anxiety"));

    // Opt in, save, and open the later ECR-R (anxiety 7, avoidance 6).
    click(
        &mut harness,
        "Show results against local norms (z, T, percentile, and their region on the plane)",
    );
    click(&mut harness, "Save settings");
    assert!(harness.state().settings.use_local_norms);
    click(&mut harness, "Clients");
    click(&mut harness, NAME);
    harness.get_all_by_label("Results").next().unwrap().click();
    harness.run();
    let page = results_page(&harness);
    let standings = page.standings();
    let anxiety = page.instrument.score_index("anxiety").unwrap();
    let avoidance = page.instrument.score_index("avoidance").unwrap();
    // Anxiety 7: z = (7 - 4) / 2 = 1.5, T = 65; the percentile is the empirical rank among
    // the three intakes (2, 4, 6): all three below, 100, shown as "> 99" (AUDIT.md D3; the
    // normal curve would have said 93).
    let st = standings[anxiety].unwrap();
    assert!((st.z - 1.5).abs() < 1e-12);
    assert!((st.t - 65.0).abs() < 1e-9);
    assert!((st.percentile - 100.0).abs() < 1e-12, "{}", st.percentile);
    // Avoidance 6: z = 3 / √7 = 1.133893, T = 61.34.
    let st = standings[avoidance].unwrap();
    assert!((st.z - 3.0 / 7f64.sqrt()).abs() < 1e-12);
    harness.get_by_label("+1.50");
    harness.get_by_label("65");
    assert!(harness.query_all_by_label("> 99").count() >= 1);
    harness.get_by_label_contains("n = 3, computed");
    // The norm region on the plane: mean ± 1 SD per axis.
    let norm = page
        .chart
        .as_ref()
        .unwrap()
        .norm
        .as_ref()
        .expect("norm region");
    assert_eq!(norm.x, (3.0, 7f64.sqrt()));
    assert_eq!(norm.y, (4.0, 2.0));
    assert_eq!(norm.label, "local, n = 3");

    // Choosing no norm set removes the standings and the region.
    let Screen::Clinician(ws) = &mut harness.state_mut().screen else {
        unreachable!()
    };
    let Page::Results(page) = &mut ws.page else {
        unreachable!()
    };
    page.select_norm(None);
    harness.run();
    let page = results_page(&harness);
    assert!(page.standings().iter().all(Option::is_none));
    assert!(page.chart.as_ref().unwrap().norm.is_none());
    assert!(harness.query_by_label("+1.50").is_none());
}

#[test]
fn without_opting_in_results_show_no_standing() {
    let dir = clinic();
    let mut harness = app(dir.path());
    unlock(&mut harness);
    click(&mut harness, "Settings");
    click(&mut harness, "Compute local norms");
    click(&mut harness, "Clients");
    click(&mut harness, NAME);
    harness.get_all_by_label("Results").next().unwrap().click();
    harness.run();
    let page = results_page(&harness);
    // Offered, not chosen.
    assert_eq!(page.norms.len(), 1);
    assert_eq!(page.norm_selected, None);
    assert!(page.standings().iter().all(Option::is_none));
    assert!(page.chart.as_ref().unwrap().norm.is_none());
    assert!(harness.query_by_label("Percentile").is_none());
}

#[test]
fn too_few_clients_give_no_local_norms() {
    // One client only: an SD needs at least two.
    let dir = one_ecr_r();
    let mut harness = app(dir.path());
    unlock(&mut harness);
    click(&mut harness, "Settings");
    click(&mut harness, "Compute local norms");
    harness.get_by_label_contains("No local norms: at least two clients");
    assert!(!dir.path().join("local-norms.age").exists());
}

#[test]
fn charts_are_saved_as_png_and_svg_and_each_export_is_audited() {
    let dir = clinic();
    let mut harness = app(dir.path());
    unlock(&mut harness);
    click(&mut harness, NAME);
    harness.get_all_by_label("Results").next().unwrap().click();
    harness.run();
    // The buttons are there (they open a save dialog, which a test cannot drive).
    harness.get_by_label("Save plane as PNG");
    harness.get_by_label("Save chart as SVG");
    let page = results_page(&harness);
    let name = page.default_file_name(ChartKind::Plane, ImageFormat::Png);
    assert!(
        name.starts_with("securebase-ecr-r-") && name.ends_with("-plane.png"),
        "{name}"
    );
    assert!(!name.contains(NAME));
    let first_date =
        securebase::app::views::date(Timestamp::now() - SignedDuration::from_hours(24 * 100));

    let out = tempfile::tempdir().unwrap();
    let app_state = harness.state_mut();
    let png = out.path().join("plane.png");
    app_state
        .export_chart_to(ChartKind::Plane, ImageFormat::Png, &png)
        .unwrap();
    let bytes = std::fs::read(&png).unwrap();
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
    let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    let info = decoder.read_info().unwrap();
    assert_eq!((info.info().width, info.info().height), (1440, 1440));

    let svg = out.path().join("plane.svg");
    app_state
        .export_chart_to(ChartKind::Plane, ImageFormat::Svg, &svg)
        .unwrap();
    let text = std::fs::read_to_string(&svg).unwrap();
    for needle in ["Avoidance", "Anxiety", first_date.as_str()] {
        assert!(text.contains(needle), "the plane SVG lacks {needle}");
    }
    let lines = out.path().join("lines.svg");
    app_state
        .export_chart_to(ChartKind::Lines, ImageFormat::Svg, &lines)
        .unwrap();
    let text = std::fs::read_to_string(&lines).unwrap();
    for needle in [
        "Attachment anxiety",
        "Attachment avoidance",
        first_date.as_str(),
    ] {
        assert!(text.contains(needle), "the line SVG lacks {needle}");
    }

    let store = harness.state().store.as_ref().unwrap();
    let keys = store.unlock(&SecretString::from(PASS.to_owned())).unwrap();
    let exports: Vec<String> = store
        .audit_log(&keys)
        .unwrap()
        .records
        .into_iter()
        .filter(|e| e.action == AuditAction::Export)
        .map(|e| e.detail)
        .collect();
    assert_eq!(
        exports,
        ["plane chart png", "plane chart svg", "over-time chart svg"]
    );
}

#[test]
fn a_single_administration_has_no_chart_over_time() {
    let dir = one_ecr_r();
    let mut harness = app(dir.path());
    unlock(&mut harness);
    click(&mut harness, NAME);
    click(&mut harness, "Results");
    assert!(results_page(&harness).lines.is_none());
    assert!(harness.query_by_label("Save chart as PNG").is_none());
    let out = tempfile::tempdir().unwrap();
    let err = harness
        .state_mut()
        .export_chart_to(
            ChartKind::Lines,
            ImageFormat::Png,
            &out.path().join("x.png"),
        )
        .unwrap_err();
    assert!(err.contains("only administration"), "{err}");
    assert!(!out.path().join("x.png").exists());
}

/// Issue 12's promise: with the opt-in and enough intakes, a clinic that typed in no figure
/// sees bands and reliable change, and the page names the figures ("this clinic's intakes,
/// n = …, α = …"). Six intakes whose items vary a little (so that α is below 1); the test
/// client's intake (anxiety 6, avoidance 5) and a later ECR-R (2, 2).
#[test]
fn the_clinics_own_reliability_gives_bands_and_reliable_change_without_typed_figures() {
    use securebase::core::Answer;
    let dir = data_folder();
    let settings = securebase::store::settings::Settings {
        use_clinic_reliability: true,
        min_reliability_n: 5,
        ..Default::default()
    };
    settings.save(dir.path()).unwrap();
    let store = Store::open(dir.path()).unwrap();
    let keys = store.unlock(&SecretString::from(PASS.to_owned())).unwrap();
    let first = store.find_client(&keys, NAME).unwrap();
    let varied = |client: &Client, days: i64, anxiety: i32, avoidance: i32, k: i32| {
        let mut a = ecr_r_at(client, days, anxiety, avoidance);
        let instrument = common_gui::ecr_r();
        // Items 1 and 19 (both forward) one step off for some clients.
        let step = |v: i32| (v + (k % 3) - 1).clamp(1, 7);
        for slot in [0, 18] {
            let base = if slot == 0 { anxiety } else { avoidance };
            a.set_answer(
                &instrument,
                slot,
                Answer::Value(step(base)),
                a.started,
                None,
            )
            .unwrap();
        }
        a
    };
    store
        .save_administration(&varied(&first, 100, 6, 5, 0))
        .unwrap();
    store
        .save_administration(&ecr_r_at(&first, 5, 2, 2))
        .unwrap();
    for (k, (anxiety, avoidance)) in [(3, 2), (5, 4), (2, 6), (4, 3), (6, 6)]
        .into_iter()
        .enumerate()
    {
        let client = Client::new(
            new_id().unwrap(),
            &format!("C-30{k}"),
            None,
            "",
            Timestamp::now(),
        )
        .unwrap();
        store.save_client(&client).unwrap();
        let k = i32::try_from(k).unwrap() + 1;
        store
            .save_administration(&varied(&client, 80, anxiety, avoidance, k))
            .unwrap();
    }
    drop(store);
    let mut harness = app(dir.path());
    unlock(&mut harness);
    click(&mut harness, "Settings");
    click(&mut harness, "Compute local norms");
    harness.get_by_label("This clinic's own reliability");
    click(&mut harness, "Clients");
    click(&mut harness, NAME);
    // The newest first: the later ECR-R.
    harness.get_all_by_label("Results").next().unwrap().click();
    harness.run();
    let page = results_page(&harness);
    let anxiety = page.instrument.score_index("anxiety").unwrap();
    assert!(
        page.bands[anxiety].is_some(),
        "a band without typed figures"
    );
    let change = page.change_text.first().expect("a change table");
    assert_eq!(
        change.rows[anxiety].reading.split(" (").next(),
        Some("reliable improvement")
    );
    let note = change
        .notes
        .iter()
        .find(|n| n.starts_with("anxiety:"))
        .expect("a note on anxiety's figures");
    assert!(
        note.contains("this clinic's intakes, n = 6, \u{3b1} = "),
        "{note}"
    );
    assert!(
        harness
            .query_all_by_label_contains("this clinic's intakes, n = 6")
            .count()
            >= 1,
        "the page names the figures"
    );
}

/// The results page of the later of two RFQ-8s says "reliable improvement" for a reliable fall
/// in uncertainty (lower is better), and the client page's line since intake says so too.
#[test]
fn the_results_page_reads_a_reliable_fall_in_rfq_uncertainty_as_improvement() {
    use crate::change_cli::{rfq_answers, rfq_figures};
    use securebase::core::Answer;
    let dir = data_folder();
    rfq_figures().save(dir.path()).unwrap();
    let store = Store::open(dir.path()).unwrap();
    let keys = store.unlock(&SecretString::from(PASS.to_owned())).unwrap();
    let client = store.find_client(&keys, NAME).unwrap();
    let rfq = securebase::catalog::Catalog::bundled()
        .get("rfq-8")
        .cloned()
        .unwrap();
    for (days, (u, u7)) in [(100, (7, 1)), (10, (4, 4))] {
        let when = Timestamp::now() - SignedDuration::from_hours(24 * days);
        let mut a = securebase::store::Administration::new(
            new_id().unwrap(),
            &client.id,
            &rfq,
            securebase::store::Source::PaperEntry,
            when,
        );
        for (slot, v) in rfq_answers(u, u7).into_iter().enumerate() {
            a.set_answer(&rfq, slot, Answer::Value(v), when, None)
                .unwrap();
        }
        a.status = Status::Completed;
        a.finished = Some(when);
        store.save_administration(&a).unwrap();
    }
    drop(store);
    let mut harness = app(dir.path());
    unlock(&mut harness);
    click(&mut harness, NAME);
    assert!(
        harness
            .query_all_by_label_contains(
                "Uncertainty about mental states (RFQ_u) from 3.00 to 0.00, reliable improvement"
            )
            .count()
            == 1,
        "the line since intake"
    );
    // The newest first: the later RFQ-8.
    harness.get_all_by_label("Results").next().unwrap().click();
    harness.run();
    let page = results_page(&harness);
    let u = page.instrument.score_index("rfq_u").unwrap();
    assert_eq!(
        page.change_text[0].rows[u].reading.split(" (").next(),
        Some("reliable improvement")
    );
    assert!(
        harness
            .query_all_by_label_contains("reliable improvement (RCI -5.93)")
            .count()
            == 1
    );
}
