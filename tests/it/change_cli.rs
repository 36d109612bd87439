//! Issue 12's RFQ-8 promise, end to end: a client with two RFQ-8s whose uncertainty (`rfq_u`,
//! lower is better) falls reliably, with the clinic's figures set, reads "reliable
//! improvement" in `securebase change`, in the PDF report and on the results page. Before:
//! items 2, 4, 5, 6, 8 answered 7 and item 7 answered 1 (`rfq_u` = 3); after: all eight
//! answered 4 (`rfq_u` = 0). Figures .8 and SD .8: RCI = -3 / √(2 · .8² · .2) = -5.93.

use crate::support::export_common::{
    add_client, expect_code, new_folder, save_answers, sb, values,
};
use securebase::store::settings::{ClinicFigures, Settings};

/// RFQ-8 answers: items 2, 4, 5, 6, 8 at `u`, item 7 at `u7`, items 1 and 3 at 4.
pub fn rfq_answers(u: i32, u7: i32) -> Vec<i32> {
    (1..=8)
        .map(|n| match n {
            7 => u7,
            2 | 4 | 5 | 6 | 8 => u,
            _ => 4,
        })
        .collect()
}

/// The clinic's figures for RFQ-8 uncertainty.
pub fn rfq_figures() -> Settings {
    Settings {
        figures: vec![ClinicFigures {
            instrument: "rfq-8".to_owned(),
            score: "rfq_u".to_owned(),
            reliability: 0.8,
            sd: 0.8,
            source: "Test clinic sample (2026)".to_owned(),
        }],
        ..Settings::default()
    }
}

#[test]
fn a_reliable_fall_in_rfq_uncertainty_reads_reliable_improvement_in_change_and_the_report() {
    let (_tmp, dir, store) = new_folder();
    let client = add_client(&store, "C-RFQ", None);
    save_answers(
        &store,
        &client,
        "rfq-8",
        "2026-01-10T09:00:00Z",
        &values(&rfq_answers(7, 1)),
        None,
        true,
    );
    save_answers(
        &store,
        &client,
        "rfq-8",
        "2026-06-10T09:00:00Z",
        &values(&rfq_answers(4, 4)),
        None,
        true,
    );
    drop(store);
    rfq_figures().save(&dir).unwrap();

    let out = sb(&dir, &["change", "--client", "C-RFQ", "--format", "json"]);
    expect_code(&out, 0, "change");
    let rows: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let u = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["score"] == "rfq_u")
        .expect("a row for rfq_u");
    assert_eq!(u["verdict"], "reliable improvement");
    assert_eq!(u["better"], "lower");
    assert_eq!(u["compared_with"], "previous");
    assert_eq!(
        (u["before"].as_f64(), u["after"].as_f64()),
        (Some(3.0), Some(0.0))
    );
    let expected = -3.0 / (2.0 * 0.8_f64.powi(2) * 0.2).sqrt();
    assert!((u["rci"].as_f64().unwrap() - expected).abs() < 1e-12);
    assert!(
        u["figures_source"]
            .as_str()
            .unwrap()
            .contains("Test clinic sample")
    );
    // Without figures for certainty: why, in words.
    let c = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["score"] == "rfq_c")
        .unwrap();
    assert!(c["verdict"].is_null());
    assert!(
        c["not_computable"]
            .as_str()
            .unwrap()
            .contains("no reliability and SD")
    );
    // Two administrations: one pair, no intake pair yet.
    assert!(
        rows.as_array()
            .unwrap()
            .iter()
            .all(|r| r["compared_with"] == "previous")
    );
    let csv = sb(&dir, &["change", "--client", "C-RFQ"]);
    expect_code(&csv, 0, "change as CSV");
    assert!(
        csv.stdout
            .lines()
            .next()
            .unwrap()
            .starts_with("instrument,administration,date,compared_with")
    );
    assert!(csv.stdout.contains("reliable improvement"));

    let pdf = dir.parent().unwrap().join("rfq.pdf");
    let out = sb(
        &dir,
        &[
            "report",
            "--client",
            "C-RFQ",
            "--output",
            pdf.to_str().unwrap(),
        ],
    );
    expect_code(&out, 0, "report");
    let Ok(text) = std::process::Command::new("pdftotext")
        .arg(&pdf)
        .arg("-")
        .output()
    else {
        eprintln!("skipped the PDF half: pdftotext (poppler-utils) is not installed");
        return;
    };
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("reliable improvement"), "{text}");
}
