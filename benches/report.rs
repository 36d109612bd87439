//! Benchmark of the PDF report (target: under 1 s), on a client with a long history: twelve
//! ECR-Rs over two years, an RQ, an RFQ-8 and an ECR-RS — a five-page report with three plane
//! charts, a chart over time and the change table.
//!
//!     cargo bench --bench report
//!
//! Measures `report_pdf` alone (layout, both chart renderings as PNG, the PDF with embedded,
//! subset fonts): the median and the slowest of 10 runs, after one warm-up; and the same with
//! the whole-history CSV, JSON and FHIR exports.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::time::{Duration, Instant};

use jiff::{SignedDuration, Timestamp};
use securebase::catalog::Catalog;
use securebase::core::Answer;
use securebase::export::report::{ReportRequest, report_pdf};
use securebase::export::{ClientData, fhir, scored, table};
use securebase::store::settings::Paper;
use securebase::store::settings::Settings;
use securebase::store::{Administration, Client, Source, Status, new_id};

fn main() {
    // `cargo test --all-targets` runs this file too, without `--bench`: nothing to measure then.
    if !std::env::args().any(|a| a == "--bench") {
        println!("benches/report.rs: run with `cargo bench --bench report`");
        return;
    }
    let catalog = Catalog::bundled();
    let data = history(&catalog);
    let settings = Settings::default();
    let request = ReportRequest {
        data: &data,
        administration: None,
        note: "Benchmark report: twelve ECR-Rs over two years.",
        paper: Paper::A4,
        settings: &settings,
        local_norms: None,
        now: Timestamp::now(),
    };
    let pdf = report_pdf(&request).unwrap();
    println!("report: {} bytes", pdf.len());
    let report = time(|| {
        report_pdf(&request).unwrap();
    });
    println!(
        "PDF report, whole history:    median {:>7.1} ms, slowest {:>7.1} ms",
        ms(report.0),
        ms(report.1)
    );
    let slice = std::slice::from_ref(&data);
    let csv = time(|| {
        table::csv_bytes(&catalog, slice, false).unwrap();
    });
    println!(
        "CSV export:                   median {:>7.1} ms, slowest {:>7.1} ms",
        ms(csv.0),
        ms(csv.1)
    );
    let json = time(|| {
        table::json_bytes(slice, false).unwrap();
    });
    println!(
        "JSON export:                  median {:>7.1} ms, slowest {:>7.1} ms",
        ms(json.0),
        ms(json.1)
    );
    let bundle = time(|| {
        fhir::bundle_bytes(slice, false, "2026-11-27T10:00:00Z").unwrap();
    });
    println!(
        "FHIR bundle:                  median {:>7.1} ms, slowest {:>7.1} ms",
        ms(bundle.0),
        ms(bundle.1)
    );
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Median and slowest of 10 runs after a warm-up.
fn time(mut f: impl FnMut()) -> (Duration, Duration) {
    f();
    let mut runs: Vec<Duration> = (0..10)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .collect();
    runs.sort();
    (runs[5], runs[9])
}

fn history(catalog: &Catalog) -> ClientData {
    let now = Timestamp::now();
    let client = Client::new(new_id().unwrap(), "C-BENCH", Some(1985), "", now).unwrap();
    let mut administrations = Vec::new();
    let mut add =
        |id: &str, days_ago: i64, answer: &dyn Fn(usize) -> Answer, choice: Option<&str>| {
            let instrument = catalog.get(id).unwrap();
            let when = now - SignedDuration::from_hours(24 * days_ago);
            let mut a = Administration::new(
                new_id().unwrap(),
                &client.id,
                instrument,
                Source::ClientMode,
                when,
            );
            for slot in 0..instrument.n_slots() {
                a.set_answer(instrument, slot, answer(slot), when, Some(6.0))
                    .unwrap();
            }
            a.choice = choice.map(str::to_owned);
            a.status = Status::Completed;
            a.finished = Some(when);
            administrations.push(scored(catalog, a));
        };
    for k in 0..12 {
        let level = 6 - i32::try_from(k / 3).unwrap();
        add(
            "ecr-r",
            730 - k * 60,
            &move |slot| Answer::Value((level + i32::try_from(slot % 3).unwrap() - 1).clamp(1, 7)),
            None,
        );
    }
    add(
        "rq",
        730,
        &|slot| Answer::Value([2, 6, 5, 3][slot]),
        Some("C"),
    );
    add(
        "rfq-8",
        730,
        &|slot| Answer::Value([3, 5, 4, 6, 5, 4, 2, 6][slot]),
        None,
    );
    add(
        "ecr-rs",
        30,
        &|slot| Answer::Value(i32::try_from(slot % 7).unwrap() + 1),
        None,
    );
    administrations.sort_by_key(|s| s.administration.started);
    ClientData {
        client,
        administrations,
    }
}
