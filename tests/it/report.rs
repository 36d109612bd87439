//! End-to-end tests of `securebase report`: the real binary writes a PDF of a client's whole
//! history or of one administration, and Debian's poppler-utils (`pdftotext -layout`,
//! `pdfinfo`) read it back. The data folders are built through the store API with exact
//! answers, so every number the report prints is known.

use crate::support::export_common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use export_common::{
    add_client, ecr_r_answers, expect_code, export_rows, instrument, new_folder, run_in,
    save_answers, sb, ts, values,
};
use securebase::core::Answer;
use securebase::results::date;

/// The first client's pseudonym.
const NAME: &str = "C-3101";
/// The other client's pseudonym, which no report of the first may show.
const OTHER: &str = "OTHER-7788";

/// When each administration of the first client started.
const ECR_R_1: &str = "2025-02-03T10:00:00Z";
const RQ: &str = "2025-02-10T10:00:00Z";
const RFQ_8: &str = "2025-02-17T10:00:00Z";
const ECR_R_2: &str = "2025-05-12T10:00:00Z";
const ECR_R_3: &str = "2025-09-08T10:00:00Z";
const ECR_R_OPEN: &str = "2025-11-20T10:00:00Z";

/// A data folder with the two clients.
struct Folder {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
    /// The first client's id.
    client_id: String,
    /// The RQ's administration id.
    rq_id: String,
    /// The other client's ECR-R.
    other_ecr_r_id: String,
}

impl Folder {
    /// A path for an output file, outside the data folder.
    fn out(&self, name: &str) -> PathBuf {
        self.dir.parent().unwrap().join(name)
    }
}

/// The first client (`NAME`, born 1984) has three completed ECR-Rs (anxiety/avoidance 6/5,
/// 4/4, 3/2), an RQ whose forced choice (C) is not its highest rating (A = 7), an RFQ-8, and an
/// ECR-R still in progress (the newest); the other client has one ECR-R.
fn folder() -> Folder {
    let (tmp, dir, store) = new_folder();
    let client = add_client(&store, NAME, Some(1984));
    save_answers(
        &store,
        &client,
        "ecr-r",
        ECR_R_1,
        &ecr_r_answers(6, 5),
        None,
        true,
    );
    // Paragraph ratings A-D: 7, 2, 3, 1; the forced choice is C.
    let rq = save_answers(
        &store,
        &client,
        "rq",
        RQ,
        &values(&[7, 2, 3, 1]),
        Some("C"),
        true,
    );
    save_answers(
        &store,
        &client,
        "rfq-8",
        RFQ_8,
        &values(&[2, 5, 3, 6, 4, 5, 3, 6]),
        None,
        true,
    );
    save_answers(
        &store,
        &client,
        "ecr-r",
        ECR_R_2,
        &ecr_r_answers(4, 4),
        None,
        true,
    );
    save_answers(
        &store,
        &client,
        "ecr-r",
        ECR_R_3,
        &ecr_r_answers(3, 2),
        None,
        true,
    );
    // Ten items in, not finished: the report must show the 3/2 one as the latest.
    let partial: Vec<Answer> = ecr_r_answers(7, 7).into_iter().take(10).collect();
    save_answers(&store, &client, "ecr-r", ECR_R_OPEN, &partial, None, false);

    let other = add_client(&store, OTHER, Some(1970));
    let other_ecr_r = save_answers(
        &store,
        &other,
        "ecr-r",
        "2025-03-01T10:00:00Z",
        &ecr_r_answers(5, 6),
        None,
        true,
    );
    drop(store);
    Folder {
        _tmp: tmp,
        dir,
        client_id: client.id,
        rq_id: rq.id,
        other_ecr_r_id: other_ecr_r.id,
    }
}

/// `pdftotext -layout FILE -`.
fn pdf_text(path: &Path) -> String {
    let out = Command::new("pdftotext")
        .arg("-layout")
        .arg(path)
        .arg("-")
        .output()
        .expect("pdftotext runs (Debian package poppler-utils)");
    assert!(
        out.status.success(),
        "pdftotext failed on {}: {}",
        path.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("pdftotext writes UTF-8")
}

/// `pdfinfo FILE`: (page width, page height) in points, and the number of pages.
fn pdf_info(path: &Path) -> ((f64, f64), usize) {
    let out = Command::new("pdfinfo")
        .arg(path)
        .output()
        .expect("pdfinfo runs (Debian package poppler-utils)");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "pdfinfo failed on {}: {text}",
        path.display()
    );
    let field = |name: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(name))
            .map_or_else(|| panic!("pdfinfo has no {name:?}:\n{text}"), str::trim)
            .to_owned()
    };
    // `Page size:      595.276 x 841.89 pts (A4)`
    let size = field("Page size:");
    let numbers: Vec<f64> = size
        .split_whitespace()
        .filter_map(|w| w.parse().ok())
        .collect();
    assert!(numbers.len() >= 2, "page size {size:?}");
    let pages = field("Pages:").parse().expect("page count");
    ((numbers[0], numbers[1]), pages)
}

/// Whitespace runs made single spaces: phrases survive `-layout`'s column padding.
fn squash(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `pdfimages -list FILE`: how many images (not soft masks) the PDF holds.
fn pdf_images(path: &Path) -> usize {
    let out = Command::new("pdfimages")
        .arg("-list")
        .arg(path)
        .output()
        .expect("pdfimages runs (Debian package poppler-utils)");
    assert!(
        out.status.success(),
        "pdfimages failed on {}",
        path.display()
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .skip(2)
        .filter(|l| l.split_whitespace().nth(2) == Some("image"))
        .count()
}

/// The row of the history table that starts with `date` and names `questionnaire`, with its
/// wrapped continuation lines, squashed.
fn history_row(text: &str, date: &str, questionnaire: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let start = lines
        .iter()
        .position(|l| {
            l.starts_with(date) && l[date.len()..].split_whitespace().next() == Some(questionnaire)
        })
        .unwrap_or_else(|| panic!("no history row {date} {questionnaire}:\n{text}"));
    let mut row = vec![lines[start]];
    row.extend(
        lines[start + 1..]
            .iter()
            .take_while(|l| l.starts_with("    ")),
    );
    squash(&row.join(" "))
}

/// The first line that, squashed, starts with `prefix`.
fn line_starting(text: &str, prefix: &str) -> String {
    text.lines()
        .map(squash)
        .find(|l| l.starts_with(prefix))
        .unwrap_or_else(|| panic!("no line starts with {prefix:?}:\n{text}"))
}

/// Runs `securebase report ARGS` and asserts it succeeded and wrote `output`.
fn report_ok(f: &Folder, output: &Path, args: &[&str]) {
    let mut all = vec!["report", "--output", output.to_str().unwrap()];
    all.extend_from_slice(args);
    let out = sb(&f.dir, &all);
    expect_code(&out, 0, &format!("report {args:?}"));
    assert!(output.is_file(), "report {args:?} wrote no file");
    assert!(
        std::fs::read(output).unwrap().starts_with(b"%PDF-"),
        "report {args:?} did not write a PDF"
    );
}

/// The history table of the whole-history report: every administration, oldest first, with its
/// status and headline scores.
fn history_table(text: &str) {
    let rows = [
        (
            ECR_R_1,
            "ECR-R",
            "completed",
            vec!["Attachment anxiety 6.00", "Attachment avoidance 5.00"],
        ),
        (
            RQ,
            "RQ",
            "completed",
            vec!["Secure (rating of paragraph A) 7.00", "Model of self 3.00"],
        ),
        (
            RFQ_8,
            "RFQ-8",
            "completed",
            vec!["(RFQ_c) 0.50", "(RFQ_u) 1.17"],
        ),
        (
            ECR_R_2,
            "ECR-R",
            "completed",
            vec!["Attachment anxiety 4.00", "Attachment avoidance 4.00"],
        ),
        (
            ECR_R_3,
            "ECR-R",
            "completed",
            vec!["Attachment anxiety 3.00", "Attachment avoidance 2.00"],
        ),
        (ECR_R_OPEN, "ECR-R", "not finished", vec![]),
    ];
    let mut last = 0;
    for (started, short, status, scores) in rows {
        let day = date(ts(started));
        let row = history_row(text, &day, short);
        assert!(row.contains(status), "history row {row:?}: status {status}");
        for score in scores {
            assert!(
                row.contains(score),
                "history row {row:?} should have {score:?}"
            );
        }
        // Oldest first.
        let at = text.find(&format!("{day} ")).unwrap();
        assert!(at > last, "history row {day} is out of order:\n{text}");
        last = at;
    }
    assert!(
        !history_row(text, &date(ts(ECR_R_OPEN)), "ECR-R").contains("Attachment"),
        "an unfinished administration has no headline scores"
    );
}

/// The ECR-R section of the whole-history report: the latest completed one (not the unfinished
/// newer one), with its earlier ones and the change since the one before.
fn ecr_r_section(text: &str) {
    let flat = squash(text);
    let has = |needle: &str| {
        assert!(
            flat.contains(needle),
            "the report should contain {needle:?}:\n{text}"
        );
    };
    has(&format!("Given on {}", date(ts(ECR_R_3))));
    // The mode of administration, said in the section and under the history table.
    has("paper, single entry: keyed in once from the paper form on");
    has("Mode of administration: paper, single entry, for all.");
    has(&format!(
        "Earlier administrations: {}, {}.",
        date(ts(ECR_R_1)),
        date(ts(ECR_R_2))
    ));
    assert!(line_starting(text, "Attachment anxiety 3").starts_with("Attachment anxiety 3.00 "));
    assert!(
        line_starting(text, "Attachment avoidance 2").starts_with("Attachment avoidance 2.00 ")
    );
    has(&format!("Change since {}", date(ts(ECR_R_2))));
    assert!(
        line_starting(text, "Attachment anxiety 4.00 ")
            .starts_with("Attachment anxiety 4.00 3.00 -1.00"),
        "change row of anxiety:\n{text}"
    );
    assert!(
        line_starting(text, "Attachment avoidance 4.00 ")
            .starts_with("Attachment avoidance 4.00 2.00 -2.00"),
        "change row of avoidance:\n{text}"
    );
    // The missing-data rule, as securebase's (AUDIT.md D4).
    has("This is securebase's policy: the instruments' authors publish no missing-data rule.");
    // Three ECR-Rs: change since intake too, and where the client started on the plane.
    has(&format!("Change since intake ({})", date(ts(ECR_R_1))));
    has(&format!(
        "Region of the anxiety-avoidance plane: secure (at intake, {}: fearful).",
        date(ts(ECR_R_1))
    ));
}

/// A4 pages, each with its footer: securebase, its version, not a diagnosis, and the page
/// number.
fn a4_with_footers(pdf: &Path, text: &str) {
    let ((width, height), pages) = pdf_info(pdf);
    assert!(
        (width - 595.28).abs() < 0.5 && (height - 841.89).abs() < 0.5,
        "A4 by default, not {width} x {height}"
    );
    assert!(pages >= 2, "{pages} pages");
    let footer = format!("securebase {}", env!("CARGO_PKG_VERSION"));
    for page in 1..=pages {
        let number = format!("Page {page} of {pages}");
        let line = text
            .lines()
            .find(|l| l.contains(&number))
            .unwrap_or_else(|| panic!("no {number:?}:\n{text}"));
        assert!(
            line.contains(&footer) && line.contains("not a diagnosis"),
            "footer of page {page}: {line:?}"
        );
    }
    assert_eq!(
        text.lines().filter(|l| l.contains(&footer)).count(),
        pages,
        "one footer per page:\n{text}"
    );
}

#[test]
#[cfg_attr(
    windows,
    ignore = "on Windows: reads the PDF back with pdftotext, pdfinfo and pdfimages (poppler-utils), Linux programs"
)]
fn whole_history_report_says_what_it_must() {
    let f = folder();
    let pdf = f.out("history.pdf");
    // Accents and a dash: the embedded fonts carry a Unicode map, so the text reads back.
    let note = "Reviewed with Zoë in session twelve \u{2014} next review in März.";
    let args = [
        "report",
        "--client",
        NAME,
        "--output",
        pdf.to_str().unwrap(),
        "--note",
        note,
    ];
    let started = Instant::now();
    let out = sb(&f.dir, &args);
    let elapsed = started.elapsed();
    println!("securebase report (whole history, 6 administrations, debug build): {elapsed:.2?}");
    expect_code(&out, 0, "report");
    assert!(
        elapsed.as_secs_f64() < 60.0,
        "a report took {elapsed:?} (sanity bound 60 s; the real measure is `cargo bench --bench report`)"
    );

    let text = pdf_text(&pdf);
    let flat = squash(&text);
    let has = |needle: &str| {
        assert!(
            flat.contains(needle),
            "the report should contain {needle:?}:\n{text}"
        );
    };

    // Who, and the clinician's note under the heading.
    has(&format!("Client: {NAME}"));
    has("Year of birth: 1984");
    has(&format!("Clinician's note {note}"));
    assert!(
        !text.contains(OTHER),
        "another client's name is in the report:\n{text}"
    );
    has(&format!(
        "whole history: 6 administrations from {} to {}.",
        date(ts(ECR_R_1)),
        date(ts(ECR_R_OPEN))
    ));

    // Each questionnaire's section: short and full name, and its citation.
    for id in ["ecr-r", "rq", "rfq-8"] {
        let i = instrument(id);
        has(&format!("{} \u{2014} {}", i.short_name, i.name));
        let citation: Vec<&str> = i.citation.split_whitespace().take(4).collect();
        has(&citation.join(" "));
    }
    has("Fraley, R. C., Waller, N. G., & Brennan, K. A. (2000)");
    has("Experiences in Close Relationships - Revised");

    history_table(&text);
    // The latest ECR-R's date is also given as record systems write it.
    has(&format!(
        "({})",
        ts(ECR_R_3)
            .to_zoned_datetime(jiff::tz::TimeZone::system())
            .strftime("%Y-%m-%d")
    ));

    ecr_r_section(&text);
    // The RQ's and RFQ-8's sections.
    has(&format!("Given on {}", date(ts(RQ))));
    has("Forced choice: paragraph C");
    has(&format!("Given on {}", date(ts(RFQ_8))));

    // The plane and the ECR-R's scores over time are drawn (no chart for one-off RQ / RFQ-8).
    assert_eq!(pdf_images(&pdf), 2, "the ECR-R's plane and line chart");

    a4_with_footers(&pdf, &text);

    // The export is logged, by client id only.
    let exports = export_rows(&f.dir);
    assert_eq!(exports.len(), 1, "{exports:?}");
    assert_eq!(exports[0].detail, "report pdf");
    assert_eq!(exports[0].record_kind, "client");
    assert_eq!(exports[0].record_id, f.client_id);
}

#[test]
#[cfg_attr(
    windows,
    ignore = "on Windows: reads the PDF back with pdftotext, pdfinfo and pdfimages (poppler-utils), Linux programs"
)]
fn letter_paper_and_the_client_by_id() {
    let f = folder();
    let pdf = f.out("letter.pdf");
    report_ok(&f, &pdf, &["--client", &f.client_id, "--paper", "letter"]);
    let ((width, height), _) = pdf_info(&pdf);
    assert!(
        (width - 612.0).abs() < 0.5 && (height - 792.0).abs() < 0.5,
        "US letter, not {width} x {height}"
    );
    let text = pdf_text(&pdf);
    assert!(text.contains(NAME), "{text}");
    assert!(!text.contains(OTHER), "{text}");
    // Upper case names the same paper.
    let upper = f.out("LETTER.pdf");
    report_ok(&f, &upper, &["--client", NAME, "--paper", "LETTER"]);
    assert_eq!(pdf_info(&upper).0, (width, height));

    let exports = export_rows(&f.dir);
    assert_eq!(exports.len(), 2, "{exports:?}");
    assert!(
        exports.iter().all(|e| e.detail == "report pdf"),
        "{exports:?}"
    );
}

#[test]
#[cfg_attr(
    windows,
    ignore = "on Windows: reads the PDF back with pdftotext, pdfinfo and pdfimages (poppler-utils), Linux programs"
)]
fn one_administration_report_is_about_the_rq_only() {
    let f = folder();
    let pdf = f.out("rq.pdf");
    report_ok(&f, &pdf, &["--client", NAME, "--administration", &f.rq_id]);
    let text = pdf_text(&pdf);
    let flat = squash(&text);
    for needle in [
        "RQ \u{2014} Relationship Questionnaire",
        &format!(
            "This report covers one administration: RQ on {}.",
            date(ts(RQ))
        ),
        "Forced choice: paragraph C",
        // The paragraph chosen, verbatim.
        "I want to be completely emotionally intimate with others",
        "The forced choice is not the paragraph rated highest: the two parts disagree.",
        "Descriptive category: secure.",
        "Model of self 3.00",
        "Model of other 7.00",
        "not a diagnosis",
    ] {
        assert!(flat.contains(needle), "{needle:?} missing:\n{text}");
    }
    assert!(flat.contains("disagree"));
    for absent in ["ECR-R", "RFQ-8", "Change since", OTHER] {
        assert!(
            !text.contains(absent),
            "{absent:?} in a report of the RQ only:\n{text}"
        );
    }
    assert!(
        !text.lines().any(|l| l.trim() == "Administrations"),
        "no history table in a one-administration report:\n{text}"
    );

    let exports = export_rows(&f.dir);
    assert_eq!(exports.len(), 1, "{exports:?}");
    assert_eq!(exports[0].detail, "report pdf");
    assert_eq!(exports[0].record_kind, "administration");
    assert_eq!(exports[0].record_id, f.rq_id);
}

#[test]
fn errors_write_nothing_and_log_no_export() {
    let f = folder();
    let cwd = f.dir.parent().unwrap().to_path_buf();
    let pdf = f.out("never.pdf");
    let path = pdf.to_str().unwrap();

    let out = sb(
        &f.dir,
        &["report", "--client", "NOBODY-1", "--output", path],
    );
    expect_code(&out, 2, "unknown client");
    assert!(out.stderr.contains("NOBODY-1"), "{}", out.stderr);
    assert!(!pdf.exists(), "unknown client: a file was written");

    let out = sb(
        &f.dir,
        &[
            "report", "--client", NAME, "--paper", "a5", "--output", path,
        ],
    );
    expect_code(&out, 2, "--paper a5");
    assert!(out.stderr.contains("a5"), "{}", out.stderr);
    assert!(!pdf.exists(), "--paper a5: a file was written");

    let out = sb(
        &f.dir,
        &[
            "report",
            "--client",
            NAME,
            "--administration",
            "0123456789abcdef",
            "--output",
            path,
        ],
    );
    expect_code(&out, 2, "unknown administration");
    assert!(!pdf.exists(), "unknown administration: a file was written");

    // Another client's administration is not this client's.
    let out = sb(
        &f.dir,
        &[
            "report",
            "--client",
            NAME,
            "--administration",
            &f.other_ecr_r_id,
            "--output",
            path,
        ],
    );
    expect_code(&out, 2, "another client's administration");
    assert!(
        !pdf.exists(),
        "another client's administration: a file was written"
    );

    let out = run_in(
        &f.dir,
        &cwd,
        Some("not the passphrase"),
        &["report", "--client", NAME, "--output", path],
    );
    assert_ne!(out.code, 0, "a wrong passphrase must fail:\n{}", out.stderr);
    assert!(!pdf.exists(), "wrong passphrase: a file was written");

    let out = run_in(
        &f.dir,
        &cwd,
        None,
        &["report", "--client", NAME, "--output", path],
    );
    assert_ne!(out.code, 0, "no passphrase must fail:\n{}", out.stderr);
    assert!(!pdf.exists(), "no passphrase: a file was written");

    // A file already there is left as it was when the report fails.
    std::fs::write(&pdf, b"keep me").unwrap();
    let out = sb(
        &f.dir,
        &["report", "--client", "NOBODY-1", "--output", path],
    );
    expect_code(&out, 2, "unknown client over an existing file");
    assert_eq!(std::fs::read(&pdf).unwrap(), b"keep me");

    // Missing --output is a usage error.
    let out = sb(&f.dir, &["report", "--client", NAME]);
    expect_code(&out, 2, "no --output");

    let exports = export_rows(&f.dir);
    assert!(
        exports.is_empty(),
        "failed reports were logged: {exports:?}"
    );
    let failed = export_common::audit_rows(&f.dir)
        .into_iter()
        .filter(|r| r.action == "failed_unlock")
        .count();
    assert_eq!(failed, 1, "the wrong passphrase is logged once");
}

/// Administrations given in different modes: each paper form is dated by the date written on
/// it (a form keyed in last but dated first comes first), the line under the history table names
/// each mode with its administrations, and each section says how its administration was given.
#[test]
#[cfg_attr(
    windows,
    ignore = "on Windows: reads the PDF back with pdftotext, pdfinfo and pdfimages (poppler-utils), Linux programs"
)]
fn each_mode_of_administration_is_said_and_paper_forms_go_by_their_date() {
    let (tmp, dir, store) = new_folder();
    let client = add_client(&store, NAME, Some(1984));
    let mut on_screen = save_answers(
        &store,
        &client,
        "ecr-r",
        "2025-06-02T10:00:00Z",
        &ecr_r_answers(4, 4),
        None,
        true,
    );
    on_screen.source = securebase::store::Source::ClientMode;
    store.save_administration(&on_screen).unwrap();
    save_answers(
        &store,
        &client,
        "ecr-r",
        "2025-07-07T10:00:00Z",
        &ecr_r_answers(3, 2),
        None,
        true,
    );
    // Keyed in last, twice, from a form dated before the others: the intake.
    let mut intake = save_answers(
        &store,
        &client,
        "ecr-r",
        "2025-08-04T10:00:00Z",
        &ecr_r_answers(6, 5),
        None,
        true,
    );
    intake.source = securebase::store::Source::PaperDoubleEntry;
    intake.form_date = Some(jiff::civil::date(2025, 5, 5));
    store.save_administration(&intake).unwrap();
    drop(store);
    let f = Folder {
        dir,
        client_id: client.id.clone(),
        rq_id: String::new(),
        other_ecr_r_id: String::new(),
        _tmp: tmp,
    };
    let pdf = f.out("modes.pdf");
    report_ok(&f, &pdf, &["--client", NAME]);
    let text = pdf_text(&pdf);
    let flat = squash(&text);
    let has = |needle: &str| {
        assert!(
            flat.contains(needle),
            "the report should contain {needle:?}:\n{text}"
        );
    };
    has("whole history: 3 administrations from 5 May 2025 to");
    has(&format!(
        "Mode of administration \u{2014} client mode: {} ECR-R; paper, single entry: {} ECR-R; \
         paper, double-entered: 5 May 2025 ECR-R.",
        date(ts("2025-06-02T10:00:00Z")),
        date(ts("2025-07-07T10:00:00Z"))
    ));
    // The history table goes by the day given: the dated intake first.
    let intake_at = text.find("5 May 2025 ").expect("the intake's row");
    let on_screen_at = text
        .find(&format!("{} ", date(ts("2025-06-02T10:00:00Z"))))
        .unwrap();
    assert!(intake_at < on_screen_at, "{text}");
    // The latest ECR-R's section: keyed in once, from paper; earlier ones from the intake on.
    has("paper, single entry: keyed in once from the paper form on");
    has(&format!(
        "Earlier administrations: 5 May 2025, {}.",
        date(ts("2025-06-02T10:00:00Z"))
    ));
}
