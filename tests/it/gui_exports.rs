//! Reports and exports from the app: the controls are where a clinician looks for them, and
//! what they write (through the same code as the command line) is right and audited.

use crate::support::common_gui;

use age::secrecy::SecretString;
use common_gui::{NAME, PASS, app, click, data_folder, ecr_r_at, type_into, unlock};
use eframe::egui;
use egui_kittest::kittest::Queryable;
use securebase::app::Screen;
use securebase::export::{Kind, Scope};
use securebase::store::{AuditAction, Store};

/// The test client with two ECR-Rs: anxiety 6 and avoidance 5, then 3 and 2.
fn folder() -> (tempfile::TempDir, String) {
    let dir = data_folder();
    let store = Store::open(dir.path()).unwrap();
    let keys = store.unlock(&SecretString::from(PASS.to_owned())).unwrap();
    let client = store.find_client(&keys, NAME).unwrap();
    store
        .save_administration(&ecr_r_at(&client, 60, 6, 5))
        .unwrap();
    store
        .save_administration(&ecr_r_at(&client, 3, 3, 2))
        .unwrap();
    (dir, client.id)
}

fn pdftotext(path: &std::path::Path) -> Option<String> {
    let out = std::process::Command::new("pdftotext")
        .args(["-layout"])
        .arg(path)
        .arg("-")
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn a_report_of_one_administration_carries_the_note_and_is_audited() {
    let (dir, client_id) = folder();
    let mut harness = app(dir.path());
    unlock(&mut harness);
    click(&mut harness, NAME);
    harness.get_all_by_label("Results").next().unwrap().click();
    harness.run();
    harness.get_by_label("Report of this administration (PDF)");
    harness.get_by_label("FHIR file");
    type_into(
        &mut harness,
        "Note for the report (printed under its heading)",
        "Second ECR-R, after twelve sessions.",
    );
    let administration_id = {
        let Screen::Clinician(ws) = &harness.state().screen else {
            panic!("not in the workspace")
        };
        let securebase::app::views::Page::Results(page) = &ws.page else {
            panic!("not on the results page")
        };
        page.administration.id.clone()
    };
    let out = tempfile::tempdir().unwrap();
    let pdf = out.path().join("report.pdf");
    harness
        .state_mut()
        .export_to(
            &Scope::Administration(client_id.clone(), administration_id.clone()),
            Kind::ReportPdf,
            &pdf,
        )
        .unwrap();
    let bytes = std::fs::read(&pdf).unwrap();
    assert!(bytes.starts_with(b"%PDF-"));
    if let Some(text) = pdftotext(&pdf) {
        assert!(
            text.contains("Second ECR-R, after twelve sessions."),
            "{text}"
        );
        assert!(text.contains(NAME));
        // This administration's scores, and the change since the one before.
        assert!(text.contains("3.00") && text.contains("2.00"));
        assert!(text.contains("Change since"));
    } else {
        println!(
            "not checked: the report's text (pdftotext, a Linux program of poppler-utils, is not \
             available{})",
            if cfg!(windows) {
                " on Windows"
            } else {
                " here"
            }
        );
    }
    let store = harness.state().store.as_ref().unwrap();
    let keys = store.unlock(&SecretString::from(PASS.to_owned())).unwrap();
    let exports: Vec<_> = store
        .audit_log(&keys)
        .unwrap()
        .records
        .into_iter()
        .filter(|e| e.action == AuditAction::Export)
        .collect();
    assert_eq!(exports.len(), 1);
    assert_eq!(exports[0].detail, "report pdf");
    assert_eq!(
        exports[0].record_id.as_deref(),
        Some(administration_id.as_str())
    );
}

#[test]
fn the_client_page_and_the_list_offer_exports_without_names_by_default() {
    let (dir, client_id) = folder();
    let mut harness = app(dir.path());
    unlock(&mut harness);
    // The list: research exports of every client.
    click(&mut harness, "Export all clients");
    harness.get_by_label("CSV file");
    harness.key_press(egui::Key::Escape);
    harness.run();
    // The client page: folded until opened.
    click(&mut harness, NAME);
    assert!(
        harness
            .query_by_label("Report of the whole history (PDF)")
            .is_none()
    );
    click(&mut harness, "Reports and exports");
    harness.get_by_label("Report of the whole history (PDF)");

    let out = tempfile::tempdir().unwrap();
    let csv = out.path().join("all.csv");
    harness
        .state_mut()
        .export_to(&Scope::All, Kind::Csv, &csv)
        .unwrap();
    let text = std::fs::read_to_string(&csv).unwrap();
    assert_eq!(text.lines().count(), 3, "a header and two administrations");
    assert!(text.contains(&client_id));
    assert!(!text.contains(NAME), "no names unless asked");
    // Asked: the names are in.
    click(&mut harness, "Include client names");
    harness
        .state_mut()
        .export_to(
            &Scope::Client(client_id),
            Kind::Json,
            &out.path().join("c.json"),
        )
        .unwrap();
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.path().join("c.json")).unwrap()).unwrap();
    assert_eq!(json[0]["client_name"], NAME);
    assert_eq!(json[1]["scores"]["anxiety"], 3.0);
}

/// A failed audit write is never silent: with the audit folder made unwritable (a file in its
/// place, which stops root too), opening results still shows them, and the clinician is told
/// the log could not record it, on screen.
#[test]
fn a_failed_audit_write_shows_a_notice() {
    let (dir, _) = folder();
    let mut harness = app(dir.path());
    unlock(&mut harness);
    let audit = dir.path().join("audit");
    std::fs::remove_dir_all(&audit).unwrap();
    std::fs::write(&audit, b"not a folder").unwrap();
    click(&mut harness, NAME);
    harness.get_all_by_label("Results").next().unwrap().click();
    harness.run();
    let notice = harness.state().notice.clone().unwrap_or_default();
    assert!(
        notice.starts_with("The results were opened, but the audit log could not record it:"),
        "notice: {notice:?}"
    );
    assert!(notice.contains("audit"), "names the folder: {notice:?}");
    harness.get_by_label_contains("the audit log could not record it");
    let Screen::Clinician(ws) = &harness.state().screen else {
        panic!("not in the workspace")
    };
    assert!(matches!(ws.page, securebase::app::views::Page::Results(_)));
}

/// The results page and the PDF report say the same thing, row for row: both place the rows
/// of `results::text` (the ECR-R has no relationship blocks, so its rows are the same on both
/// media). Every row's name and value is a label on the page, and a line of the PDF's
/// scores table.
#[test]
fn the_results_page_and_the_pdf_read_the_same_rows() {
    let (dir, client_id) = folder();
    let mut harness = app(dir.path());
    unlock(&mut harness);
    click(&mut harness, NAME);
    harness.get_all_by_label("Results").next().unwrap().click();
    harness.run();
    let (rows, administration_id) = {
        let Screen::Clinician(ws) = &harness.state().screen else {
            panic!("not in the workspace")
        };
        let securebase::app::views::Page::Results(page) = &ws.page else {
            panic!("not on the results page")
        };
        (page.score_rows().to_vec(), page.administration.id.clone())
    };
    assert_eq!(rows.len(), 2);
    for row in &rows {
        assert!(
            harness.get_all_by_label(&row.name).next().is_some(),
            "{} on screen",
            row.name
        );
        assert!(
            harness.get_all_by_label(&row.value).next().is_some(),
            "{} on screen",
            row.value
        );
    }
    let out = tempfile::tempdir().unwrap();
    let pdf = out.path().join("report.pdf");
    harness
        .state_mut()
        .export_to(
            &Scope::Administration(client_id, administration_id),
            Kind::ReportPdf,
            &pdf,
        )
        .unwrap();
    let Some(text) = pdftotext(&pdf) else {
        eprintln!("skipped the PDF half: pdftotext (poppler-utils) is not installed");
        return;
    };
    for row in &rows {
        assert!(
            text.lines()
                .any(|l| l.trim_start().starts_with(&row.name) && l.contains(&row.value)),
            "no line '{} … {}' in the PDF:\n{text}",
            row.name,
            row.value
        );
    }
}
