//! `securebase couple link|list|unlink` and `export --couple`: two clients linked as a couple
//! in an encrypted record of their own, one current couple per client, the link ended with
//! both histories kept, a couple's export holding both partners and no one else, and the
//! audit log naming the couple.

use crate::support::common::{
    PASS, WORK_FACTOR, in_audit, save_client, secret, snapshot, temp_data_dir,
};
use crate::support::run::{Out, audit_rows, expect_bad_input, expect_code, sb};
use securebase::store::Store;

struct Folder {
    _tmp: tempfile::TempDir,
    dir: std::path::PathBuf,
    ids: [String; 3],
}

/// Alex, Sam and Robin, none linked.
fn folder() -> Folder {
    let (tmp, dir) = temp_data_dir();
    let (store, _) = Store::init(&dir, "Test Clinician", &secret(PASS), WORK_FACTOR).unwrap();
    let ids = ["Alex", "Sam", "Robin"].map(|n| save_client(&store, n, None, "").id);
    Folder {
        _tmp: tmp,
        dir,
        ids,
    }
}

fn run(f: &Folder, args: &[&str]) -> Out {
    sb(&f.dir, args)
}

/// `securebase enter` of an ECR-R for `who`, dated `date`, which must succeed.
fn enter_ecr_r(f: &Folder, who: &str, answers: &str, date: &str) {
    expect_code(
        &run(
            f,
            &[
                "enter",
                "--client",
                who,
                "--instrument",
                "ecr-r",
                "--answers",
                answers,
                "--date",
                date,
            ],
        ),
        0,
        &format!("enter for {who}"),
    );
}

/// The rows of `couple list` (header checked), each split at tabs.
fn couples(f: &Folder) -> Vec<Vec<String>> {
    let out = run(f, &["couple", "list"]);
    expect_code(&out, 0, "couple list");
    let mut lines = out.stdout.lines();
    assert_eq!(
        lines.next(),
        Some("id\tlabel\tpartner_1\tpartner_2\tsince\tended")
    );
    lines
        .map(|l| l.split('\t').map(str::to_owned).collect())
        .collect()
}

#[test]
fn a_couple_is_linked_listed_and_unlinked_and_each_step_is_audited() {
    let f = folder();
    let out = run(
        &f,
        &[
            "couple",
            "link",
            "--client",
            "Alex",
            "--client",
            "Sam",
            "--label",
            "A and S",
            "--since",
            "2026-01-10",
        ],
    );
    expect_code(&out, 0, "couple link");
    let rows = couples(&f);
    assert_eq!(rows.len(), 1);
    let id = rows[0][0].clone();
    assert_eq!(rows[0][1..], ["A and S", "Alex", "Sam", "2026-01-10", ""]);
    // The link is encrypted like every record: no name or label in the clear.
    let raw = std::fs::read(f.dir.join("couples.age")).unwrap();
    for clear in ["A and S", "Alex", "Sam", f.ids[0].as_str()] {
        assert!(
            !raw.windows(clear.len()).any(|w| w == clear.as_bytes()),
            "couples.age holds {clear:?} in the clear"
        );
    }

    links_refused(&f, &id);

    // Unlinking ends the couple today and keeps it listed; either partner then links anew.
    expect_code(
        &run(&f, &["couple", "unlink", "--client", "Sam"]),
        0,
        "unlink",
    );
    let today = jiff::ZonedDateTime::now().date().to_string();
    assert_eq!(couples(&f)[0][5], today, "ended today");
    expect_bad_input(
        &run(&f, &["couple", "unlink", "--client", "Sam"]),
        &["Sam is not in a couple now"],
        "unlink twice",
    );
    expect_code(
        &run(
            &f,
            &["couple", "link", "--client", "Alex", "--client", "Robin"],
        ),
        0,
        "a new couple after the end of the first",
    );
    assert_eq!(couples(&f).len(), 2);

    let audit = audit_rows(&f.dir, PASS);
    let of_couple: Vec<&[String; 4]> = audit
        .iter()
        .filter(|r| r[1] == "couple" && r[2] == id)
        .collect();
    assert_eq!(of_couple.len(), 2, "{audit:?}");
    assert_eq!(of_couple[0][0], "create");
    assert_eq!(of_couple[1][0], "change");
    assert_eq!(of_couple[1][3], "couple unlinked");
    for row in &audit {
        for name in ["Alex", "Sam", "Robin", "A and S"] {
            assert!(
                !row[3].contains(name),
                "the audit log names {name}: {row:?}"
            );
        }
    }
    expect_code(&run(&f, &["verify"]), 0, "verify with couples.age");

    // Deleting a client for good takes their couples with them; the partner's stay.
    expect_code(
        &run(&f, &["client", "delete", "--client", "Robin", "--yes"]),
        0,
        "delete Robin",
    );
    let rows = couples(&f);
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0][0], id);
}

#[test]
fn a_couples_export_holds_both_partners_and_no_one_else() {
    let f = folder();
    expect_code(
        &run(
            &f,
            &["couple", "link", "--client", "Alex", "--client", "Sam"],
        ),
        0,
        "link",
    );
    let answers = vec!["4"; 36].join(",");
    for (who, date) in [
        ("Alex", "2026-02-01"),
        ("Sam", "2026-02-02"),
        ("Robin", "2026-02-03"),
    ] {
        enter_ecr_r(&f, who, &answers, date);
    }
    expect_bad_input(
        &run(
            &f,
            &["export", "--couple", "Robin", "--format", "csv", "-o", "-"],
        ),
        &["Robin is not in a couple"],
        "Robin has no couple",
    );
    // Either partner's name names the couple.
    for who in ["Sam", "Alex"] {
        let out = run(
            &f,
            &["export", "--couple", who, "--format", "json", "-o", "-"],
        );
        expect_code(&out, 0, "export --couple json");
        let rows: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
        let rows = rows
            .as_array()
            .or_else(|| rows["administrations"].as_array())
            .unwrap_or_else(|| panic!("rows in {rows:#}"))
            .clone();
        let mut clients: Vec<&str> = rows
            .iter()
            .map(|r| r["client_id"].as_str().unwrap())
            .collect();
        clients.sort_unstable();
        let mut expected = vec![f.ids[0].as_str(), f.ids[1].as_str()];
        expected.sort_unstable();
        assert_eq!(clients, expected, "both partners and no one else");
    }
    let out = run(
        &f,
        &[
            "export", "--couple", "Alex", "--format", "csv", "--names", "-o", "-",
        ],
    );
    expect_code(&out, 0, "export --couple csv");
    assert!(out.stdout.contains(",Alex,") && out.stdout.contains(",Sam,"));
    assert!(!out.stdout.contains("Robin"));
    let couple_id = couples(&f)[0][0].clone();
    let exports: Vec<[String; 4]> = audit_rows(&f.dir, PASS)
        .into_iter()
        .filter(|r| r[0] == "export")
        .collect();
    assert_eq!(exports.len(), 3, "{exports:?}");
    assert!(
        exports
            .iter()
            .all(|r| r[1] == "couple" && r[2] == couple_id),
        "each export names the couple: {exports:?}"
    );
    expect_bad_input(
        &run(
            &f,
            &[
                "export", "--couple", "Alex", "--client", "Sam", "--format", "csv", "-o", "-",
            ],
        ),
        &["--couple"],
        "--couple with --client",
    );
}

/// Every link that must be refused is, naming why, and changes nothing but the audit log.
fn links_refused(f: &Folder, id: &str) {
    // One current couple per client; two different clients; exactly two.
    let before = snapshot(&f.dir);
    expect_bad_input(
        &run(
            f,
            &["couple", "link", "--client", "Robin", "--client", "Alex"],
        ),
        &[
            "Alex is already in a couple",
            id,
            "with Sam",
            "couple unlink",
        ],
        "Alex again",
    );
    expect_bad_input(
        &run(
            f,
            &["couple", "link", "--client", "Robin", "--client", &f.ids[2]],
        ),
        &["same client", "Robin"],
        "Robin twice",
    );
    expect_bad_input(
        &run(f, &["couple", "link", "--client", "Robin"]),
        &["give --client twice", "got 1"],
        "one client",
    );
    expect_bad_input(
        &run(
            f,
            &["couple", "link", "--client", "Robin", "--client", "Nobody"],
        ),
        &["Nobody"],
        "an unknown client",
    );
    for since in ["2026-13-01", "tomorrow", "2999-01-01"] {
        expect_bad_input(
            &run(
                f,
                &[
                    "couple", "link", "--client", "Robin", "--client", "Sam", "--since", since,
                ],
            ),
            &["--since"],
            &format!("--since {since}"),
        );
    }
    expect_bad_input(
        &run(
            f,
            &[
                "couple", "link", "--client", "Robin", "--client", "Sam", "--label", "a\tb",
            ],
        ),
        &["--label", "one line"],
        "a tab in the label",
    );
    let after = snapshot(&f.dir);
    let changed: Vec<_> = after
        .iter()
        .filter(|(p, bytes)| before.get(*p) != Some(bytes))
        .map(|(p, _)| p.clone())
        .filter(|p| !in_audit(p))
        .collect();
    assert!(changed.is_empty(), "refused links changed {changed:?}");
}

/// The couple report (PDF, read back with pdftotext): both partners' names, each one's scores,
/// and the reading of where the two stand, with the hand-worked numbers.
#[test]
#[cfg_attr(
    windows,
    ignore = "on Windows: reads the PDF back with pdftotext (poppler-utils), a Linux program"
)]
fn the_couple_report_holds_both_partners_and_the_reading() {
    let f = folder();
    expect_code(
        &run(
            &f,
            &["couple", "link", "--client", "Alex", "--client", "Sam"],
        ),
        0,
        "link",
    );
    // Alex: anxiety 6 then 5, avoidance 2; Sam: anxiety 2, avoidance 5 then 4.
    for (who, anxiety, avoidance, date) in [
        ("Alex", 6, 2, "2026-01-05"),
        ("Alex", 5, 2, "2026-04-06"),
        ("Sam", 2, 5, "2026-01-06"),
        ("Sam", 2, 4, "2026-04-07"),
    ] {
        enter_ecr_r(
            &f,
            who,
            &crate::support::common::ecr_r_line(anxiety, avoidance),
            date,
        );
    }
    let pdf = f.dir.parent().unwrap().join("couple.pdf");
    let out = run(
        &f,
        &[
            "report",
            "--couple",
            "Sam",
            "--output",
            pdf.to_str().unwrap(),
        ],
    );
    expect_code(&out, 0, "report --couple");
    let text = std::process::Command::new("pdftotext")
        .args(["-layout"])
        .arg(&pdf)
        .arg("-")
        .output()
        .expect("pdftotext runs (poppler-utils)");
    let text = String::from_utf8(text.stdout).unwrap();
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    for needle in [
        "Couple assessment report",
        "Partners: Alex and Sam",
        "ECR-R \u{2014} Experiences in Close Relationships - Revised",
        "Alex's attachment anxiety is higher than Sam's (5.00 vs 2.00)",
        "Sam's attachment avoidance is higher than Alex's (4.00 vs 2.00)",
        "Alex 6 Apr 2026",
        "Sam 7 Apr 2026",
        "Attachment anxiety 5.00",
        "Attachment avoidance 4.00",
    ] {
        assert!(
            flat.contains(needle),
            "the couple report lacks {needle:?}:\n{text}"
        );
    }
    assert!(!flat.contains("Robin"));
    let exports: Vec<[String; 4]> = audit_rows(&f.dir, PASS)
        .into_iter()
        .filter(|r| r[0] == "export")
        .collect();
    assert_eq!(exports.len(), 1);
    assert_eq!(exports[0][1], "couple");
}
