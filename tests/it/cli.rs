//! End-to-end tests of the `securebase` binary: they run the real executable and pin the
//! contract of `securebase score` and `securebase instruments` (input forms, output columns,
//! error messages, exit codes, atomic output files, streaming).

use std::collections::BTreeSet;
use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;

use serde_json::Value;

use crate::support::bin::outcome;

// ---------------------------------------------------------------------------------------------
// Running the binary
// ---------------------------------------------------------------------------------------------

/// Starts the binary in the package root (so `questionnaires/…` resolves) with all three
/// standard streams piped and without a questionnaire folder from the environment.
fn spawn(args: &[&str]) -> Child {
    crate::support::bin::command(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("cannot start the securebase binary")
}

/// Runs `securebase ARGS` with `stdin` on standard input; returns (exit code, stdout, stderr).
/// Every run also checks that the binary did not panic and was not killed by a signal.
fn run(args: &[&str], stdin: impl Into<Vec<u8>>) -> (i32, String, String) {
    let (code, stdout, stderr) = run_raw(args, stdin);
    let stdout = String::from_utf8(stdout).expect("stdout is UTF-8");
    (code, stdout, stderr)
}

/// [`run`] with stdout as bytes, for inputs that are not UTF-8.
fn run_raw(args: &[&str], stdin: impl Into<Vec<u8>>) -> (i32, Vec<u8>, String) {
    let mut child = spawn(args);
    let input: Vec<u8> = stdin.into();
    let mut pipe = child.stdin.take().expect("stdin is piped");
    // Fed from a thread so that a large input cannot deadlock against a full stdout pipe.
    // The binary may stop reading early (an error on line 3): a broken pipe here is fine.
    let feeder = thread::spawn(move || {
        let _ = pipe.write_all(&input);
    });
    let out = child
        .wait_with_output()
        .expect("cannot wait for securebase");
    feeder.join().expect("stdin feeder thread panicked");
    outcome(args, out)
}

/// Asserts exit code 2 and that stderr contains every one of `needles`; returns stderr.
fn expect_bad_input(args: &[&str], stdin: impl Into<Vec<u8>>, needles: &[&str]) -> String {
    let (code, _stdout, stderr) = run(args, stdin);
    assert_eq!(
        code, 2,
        "securebase {args:?}: expected exit 2; stderr:\n{stderr}"
    );
    for needle in needles {
        assert!(
            stderr.contains(needle),
            "securebase {args:?}: stderr should contain {needle:?}; it is:\n{stderr}"
        );
    }
    stderr
}

// ---------------------------------------------------------------------------------------------
// Building inputs and reading outputs
// ---------------------------------------------------------------------------------------------

/// `prefix` + `q1` … `prefix` + `qN`.
fn q_names(prefix: &str, n: usize) -> Vec<String> {
    (1..=n).map(|i| format!("{prefix}q{i}")).collect()
}

/// One line of a delimited file (no quoting: callers quote by hand where they mean to).
fn line<S: AsRef<str>>(fields: &[S], delimiter: &str) -> String {
    let mut s = fields
        .iter()
        .map(AsRef::as_ref)
        .collect::<Vec<_>>()
        .join(delimiter);
    s.push('\n');
    s
}

/// ECR-R respondent A: a plausible, fully answered form that raises no validity flag.
///
/// anxiety (items 1-18; 9 and 11 reversed as 8 - x):
///   forward 4+5+3+6+4+5+3+6 (q1-q8) + 5 (q10) + 4+6+5+4+3+5+6 (q12-q18) = 74
///   reversed q9 = 2 -> 6, q11 = 3 -> 5                                   = 11
///   (74 + 11) / 18 = 85 / 18 = 4.722222222222222
/// avoidance (items 19-36; all but 19, 21, 23, 24, 25, 32 reversed):
///   forward q19 2 + q21 3 + q23 2 + q24 1 + q25 2 + q32 3                = 13
///   reversed q20 6->2, q22 5->3, q26 6->2, q27 7->1, q28 5->3, q29 6->2,
///            q30 4->4, q31 5->3, q33 6->2, q34 5->3, q35 7->1, q36 6->2  = 28
///   (13 + 28) / 18 = 41 / 18 = 2.2777777777777777
#[rustfmt::skip]
const ROW_A: [&str; 36] = [
    "4", "5", "3", "6", "4", "5", "3", "6", "2", "5", "3", "4", "6", "5", "4", "3", "5", "6", // 1-18
    "2", "6", "3", "5", "2", "1", "2", "6", "7", "5", "6", "4", "5", "3", "6", "5", "7", "6", // 19-36
];
const ROW_A_ANXIETY: &str = "4.722222222222222";
const ROW_A_AVOIDANCE: &str = "2.2777777777777777";

/// ECR-R respondent B: q1 empty, q2 NA, q3 `.` (3 of 18 anxiety items missing: still scored),
/// q19-q22 empty (4 of 18 avoidance items missing: not scored).
///
/// anxiety: q4-q18 are 5 except q9 = 3 and q11 = 3, which reversed (8 - 3) are 5 too,
///   so 15 answers of 5: 75 / 15 = 5 (written `5`, not `5.0`).
/// avoidance: empty, flag `too_many_missing:avoidance`. `n_missing` = 3 + 4 = 7.
#[rustfmt::skip]
const ROW_B: [&str; 36] = [
    "", "NA", ".", "5", "5", "5", "5", "5", "3", "5", "3", "5", "5", "5", "5", "5", "5", "5", // 1-18
    "", "", "", "", "2", "3", "2", "6", "5", "6", "5", "6", "5", "3", "6", "5", "6", "5", // 19-36
];

/// `row` with item `item` (1-based) replaced by `value`.
fn with_item<'a>(row: &[&'a str], item: usize, value: &'a str) -> Vec<&'a str> {
    let mut row = row.to_vec();
    row[item - 1] = value;
    row
}

/// `id`, the 36 items, `site`: the small ECR-R file most tests use.
fn ecr_r_file(delimiter: &str, item_names: &[String], rows: &[(&str, &[&str], &str)]) -> String {
    let mut header = vec!["id".to_owned()];
    header.extend(item_names.iter().cloned());
    header.push("site".to_owned());
    let mut text = line(&header, delimiter);
    for (id, items, site) in rows {
        let mut fields = vec![*id];
        fields.extend_from_slice(items);
        fields.push(site);
        text.push_str(&line(&fields, delimiter));
    }
    text
}

/// The two-respondent ECR-R file (A and B) with comma, semicolon or tab.
fn small_ecr_r(delimiter: &str) -> String {
    ecr_r_file(
        delimiter,
        &q_names("", 36),
        &[("r1", &ROW_A, "north"), ("r2", &ROW_B, "south")],
    )
}

/// What scoring [`small_ecr_r`] must print, whatever the input delimiter.
const SMALL_ECR_R_SCORED: &str = "id,site,anxiety,avoidance,n_missing,flags\n\
     r1,north,4.722222222222222,2.2777777777777777,0,\n\
     r2,south,5,,7,too_many_missing:avoidance\n";

/// An ECR-R file of `id` + items, one row per entry.
fn ecr_r_rows(rows: &[Vec<&str>]) -> String {
    let mut header = vec!["id".to_owned()];
    header.extend(q_names("", 36));
    let mut text = line(&header, ",");
    for (k, items) in rows.iter().enumerate() {
        let mut fields = vec![format!("r{}", k + 1)];
        fields.extend(items.iter().map(|s| (*s).to_owned()));
        text.push_str(&line(&fields, ","));
    }
    text
}

/// Parses CSV output into (header, rows).
fn parse_csv(text: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes());
    let mut records = reader.records().map(|r| {
        r.expect("output is valid CSV")
            .iter()
            .map(str::to_owned)
            .collect::<Vec<_>>()
    });
    let header = records.next().expect("output has a header row");
    (header, records.collect())
}

/// The cell of `row` under column `name`.
fn cell<'a>(header: &[String], row: &'a [String], name: &str) -> &'a str {
    let i = header
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name:?} in {header:?}"));
    &row[i]
}

fn assert_close(actual: &Value, expected: f64) {
    let a = actual
        .as_f64()
        .unwrap_or_else(|| panic!("{actual} is not a number"));
    assert!((a - expected).abs() < 1e-12, "{a} != {expected}");
}

/// Names in a folder, sorted.
fn dir_names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

// ---------------------------------------------------------------------------------------------
// Scoring: values and output shape
// ---------------------------------------------------------------------------------------------

#[test]
fn ecr_r_csv_hand_checked() {
    // Arithmetic: see ROW_A and ROW_B.
    let (code, stdout, stderr) = run(&["score", "--instrument", "ecr-r"], small_ecr_r(","));
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout, SMALL_ECR_R_SCORED);
    assert!(stdout.contains(ROW_A_ANXIETY) && stdout.contains(ROW_A_AVOIDANCE));
}

#[test]
fn explicit_dash_input_and_output_and_short_flags() {
    let (code, stdout, stderr) = run(
        &[
            "score", "-i", "ECR-R", "--input", "-", "-o", "-", "--format", "csv",
        ],
        small_ecr_r(","),
    );
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout, SMALL_ECR_R_SCORED);
}

#[test]
fn input_from_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.csv");
    fs::write(&input, small_ecr_r(",")).unwrap();
    let (code, stdout, stderr) = run(
        &["score", "-i", "ecr-r", "--input", input.to_str().unwrap()],
        "",
    );
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout, SMALL_ECR_R_SCORED);
}

#[test]
fn missing_input_file_is_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("no-such-file.csv");
    expect_bad_input(
        &["score", "-i", "ecr-r", "--input", input.to_str().unwrap()],
        "",
        &["no-such-file.csv"],
    );
}

/// A folder given as the input is the user's mistake on every system (Linux would open it and
/// fail on the first read, exit 1; Windows refuses to open it).
#[test]
fn a_folder_as_input_is_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    expect_bad_input(
        &[
            "score",
            "-i",
            "ecr-r",
            "--input",
            dir.path().to_str().unwrap(),
        ],
        "",
        &["is a folder", &dir.path().display().to_string()],
    );
}

#[test]
fn json_output() {
    let (code, stdout, stderr) = run(
        &["score", "-i", "ecr-r", "--format", "json"],
        small_ecr_r(","),
    );
    assert_eq!(code, 0, "{stderr}");
    let value: Value = serde_json::from_str(&stdout).expect("output is one JSON document");
    let rows = value.as_array().expect("a JSON array");
    assert_eq!(rows.len(), 2);

    let a = &rows[0];
    assert_eq!(a["id"], "r1");
    assert_eq!(a["site"], "north");
    assert_close(&a["scores"]["anxiety"], 85.0 / 18.0);
    assert_close(&a["scores"]["avoidance"], 41.0 / 18.0);
    assert_eq!(a["scores"].as_object().unwrap().len(), 2);
    assert_eq!(a["n_missing"], 0);
    assert_eq!(a["flags"], serde_json::json!([]));
    // Exactly these keys: no item columns.
    let keys: BTreeSet<&str> = a.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        BTreeSet::from(["id", "site", "scores", "n_missing", "flags"])
    );

    let b = &rows[1];
    assert_eq!(b["id"], "r2");
    assert_eq!(b["site"], "south");
    assert_close(&b["scores"]["anxiety"], 5.0);
    assert!(b["scores"]["avoidance"].is_null(), "{b}");
    assert_eq!(b["n_missing"], 7);
    assert_eq!(
        b["flags"],
        serde_json::json!(["too_many_missing:avoidance"])
    );

    // Full precision in the text too, and the object's keys in contract order.
    assert!(stdout.contains(ROW_A_ANXIETY) && stdout.contains(ROW_A_AVOIDANCE));
    let first = &stdout[..stdout.find('}').unwrap()];
    let pos = |key: &str| {
        stdout
            .find(key)
            .unwrap_or_else(|| panic!("{key} not in {first}"))
    };
    assert!(pos("\"id\"") < pos("\"site\""));
    assert!(pos("\"site\"") < pos("\"scores\""));
    assert!(pos("\"scores\"") < pos("\"n_missing\""));
    assert!(pos("\"n_missing\"") < pos("\"flags\""));
}

#[test]
fn json_header_only_is_an_empty_array() {
    let input = ecr_r_file(",", &q_names("", 36), &[]);
    let (code, stdout, stderr) = run(&["score", "-i", "ecr-r", "--format", "json"], input);
    assert_eq!(code, 0, "{stderr}");
    let value: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(value, serde_json::json!([]));
}

#[test]
fn semicolon_and_tab_are_detected() {
    for delimiter in [";", "\t"] {
        let (code, stdout, stderr) = run(&["score", "-i", "ecr-r"], small_ecr_r(delimiter));
        assert_eq!(code, 0, "delimiter {delimiter:?}: {stderr}");
        // Output is always comma-separated.
        assert_eq!(stdout, SMALL_ECR_R_SCORED, "delimiter {delimiter:?}");
    }
}

#[test]
fn delimiter_can_be_given() {
    for (delimiter, flag) in [(",", ","), (";", ";"), ("\t", "tab")] {
        let (code, stdout, stderr) = run(
            &["score", "-i", "ecr-r", "--delimiter", flag],
            small_ecr_r(delimiter),
        );
        assert_eq!(code, 0, "--delimiter {flag}: {stderr}");
        assert_eq!(stdout, SMALL_ECR_R_SCORED, "--delimiter {flag}");
    }
    let (code, stdout, stderr) = run(
        &["score", "-i", "ecr-r", "--delimiter", "auto"],
        small_ecr_r(";"),
    );
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout, SMALL_ECR_R_SCORED);
}

#[test]
fn byte_order_mark_is_accepted() {
    for delimiter in [",", ";", "\t"] {
        let mut input = "\u{feff}".to_owned();
        input.push_str(&small_ecr_r(delimiter));
        let (code, stdout, stderr) = run(&["score", "-i", "ecr-r"], input.clone());
        assert_eq!(code, 0, "delimiter {delimiter:?}: {stderr}");
        // The first column is `id`, not BOM + `id`.
        assert_eq!(stdout, SMALL_ECR_R_SCORED, "delimiter {delimiter:?}");

        let (code, stdout, stderr) = run(&["score", "-i", "ecr-r", "--format", "json"], input);
        assert_eq!(code, 0, "{stderr}");
        let value: Value = serde_json::from_str(&stdout).unwrap();
        assert_eq!(value[0]["id"], "r1");
    }
}

#[test]
fn zero_padded_and_upper_case_item_headers() {
    let styles: [fn(usize) -> String; 4] = [
        |i| format!("Q{i:02}"),
        |i| format!("q{i:03}"),
        |i| format!("Q{i}"),
        |i| {
            if i % 2 == 0 {
                format!("Q{i:02}")
            } else {
                format!("q{i}")
            }
        },
    ];
    for style in styles {
        let names: Vec<String> = (1..=36).map(style).collect();
        let input = ecr_r_file(
            ",",
            &names,
            &[("r1", &ROW_A, "north"), ("r2", &ROW_B, "south")],
        );
        let (code, stdout, stderr) = run(&["score", "-i", "ecr-r"], input);
        assert_eq!(code, 0, "{names:?}: {stderr}");
        assert_eq!(stdout, SMALL_ECR_R_SCORED, "{names:?}");
    }
}

#[test]
fn header_only_gives_only_the_header() {
    let input = ecr_r_file(",", &q_names("", 36), &[]);
    let (code, stdout, stderr) = run(&["score", "-i", "ecr-r"], input.clone());
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout, "id,site,anxiety,avoidance,n_missing,flags\n");

    // Without a final newline too.
    let (code, stdout, stderr) = run(&["score", "-i", "ecr-r"], input.trim_end());
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout, "id,site,anxiety,avoidance,n_missing,flags\n");
}

#[test]
fn items_only_input_has_no_pass_through_columns() {
    let (code, stdout, stderr) = run(
        &["score", "-i", "ecr-r"],
        line(&q_names("", 36), ",") + &line(&ROW_A, ","),
    );
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        stdout,
        format!("anxiety,avoidance,n_missing,flags\n{ROW_A_ANXIETY},{ROW_A_AVOIDANCE},0,\n")
    );
}

/// One row of [`quoted_file`]: pass-through columns around and between the items.
fn quoted_row(name: &str, id: &str, items: &[&str], note: &str, say: &str, zz: &str) -> String {
    let mut fields = vec![name, id];
    fields.extend_from_slice(&items[..18]);
    fields.push(note);
    fields.extend_from_slice(&items[18..]);
    fields.push(say);
    fields.push(zz);
    line(&fields, ",")
}

/// Pass-through columns before, between and after the items, with quoted commas, embedded
/// newlines, doubled quotes and surrounding spaces, in header and rows. Seven lines.
fn quoted_file() -> String {
    let mut header = vec!["\"name, full\"".to_owned(), "id".to_owned()];
    header.extend(q_names("", 18));
    header.push("note".to_owned());
    header.extend((19..=36).map(|i| format!("q{i}")));
    header.push("\"say \"\"hi\"\"\"".to_owned());
    header.push(" zz ".to_owned());
    let mut input = line(&header, ",");
    // Lines 2-3 (embedded newline in the note).
    input.push_str(&quoted_row(
        "\"Doe, Jane\"",
        "r1",
        &ROW_A,
        "\"first line\nsecond line\"",
        "\"a \"\"b\"\"\"",
        " x ",
    ));
    // Line 4.
    input.push_str(&quoted_row("plain", "r2", &ROW_B, "", "", ""));
    // Lines 5-7 (two embedded newlines, one in the name).
    input.push_str(&quoted_row(
        "\"multi\nline, name\"",
        "r3",
        &ROW_A,
        "\"n1\nn2\"",
        "ok",
        "007",
    ));
    input
}

#[test]
fn pass_through_columns_keep_order_and_content() {
    let input = quoted_file();
    let (code, stdout, stderr) = run(&["score", "-i", "ecr-r"], input.clone());
    assert_eq!(code, 0, "{stderr}");
    let (out_header, rows) = parse_csv(&stdout);
    assert_eq!(
        out_header,
        [
            "name, full",
            "id",
            "note",
            "say \"hi\"",
            " zz ",
            "anxiety",
            "avoidance",
            "n_missing",
            "flags"
        ]
    );
    assert_eq!(
        rows,
        [
            [
                "Doe, Jane",
                "r1",
                "first line\nsecond line",
                "a \"b\"",
                " x ",
                ROW_A_ANXIETY,
                ROW_A_AVOIDANCE,
                "0",
                ""
            ],
            [
                "plain",
                "r2",
                "",
                "",
                "",
                "5",
                "",
                "7",
                "too_many_missing:avoidance"
            ],
            [
                "multi\nline, name",
                "r3",
                "n1\nn2",
                "ok",
                "007",
                ROW_A_ANXIETY,
                ROW_A_AVOIDANCE,
                "0",
                ""
            ],
        ]
    );

    // JSON keeps them too.
    let (code, stdout, stderr) = run(&["score", "-i", "ecr-r", "--format", "json"], input);
    assert_eq!(code, 0, "{stderr}");
    let value: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(value[0]["name, full"], "Doe, Jane");
    assert_eq!(value[0]["note"], "first line\nsecond line");
    assert_eq!(value[0]["say \"hi\""], "a \"b\"");
    assert_eq!(value[0][" zz "], " x ");
    assert_eq!(value[2]["name, full"], "multi\nline, name");
}

#[test]
fn line_numbers_count_embedded_newlines() {
    // quoted_file() is lines 1-7; the next row starts on line 8.
    let input =
        quoted_file() + &quoted_row("late", "r4", &with_item(&ROW_A, 7, "seven"), "", "", "");
    expect_bad_input(
        &["score", "-i", "ecr-r"],
        input,
        &["line 8, column q7: \"seven\""],
    );
    // A ragged row after them: line 9.
    let input = quoted_file()
        + &quoted_row("late", "r4", &ROW_A, "", "", "")
        + &line(&["only", "three", "fields"], ",");
    let stderr = expect_bad_input(&["score", "-i", "ecr-r"], input, &["line 9"]);
    assert!(!stderr.contains("line 8"), "{stderr}");
}

#[test]
fn missing_answers_empty_na_dot() {
    // q7 (a forward anxiety item, answered 3 in ROW_A) missing: anxiety = (85 - 3) / 17
    // = 82 / 17 = 4.823529411764706; avoidance unchanged; n_missing 1; no flag.
    for missing in ["", "NA", "."] {
        let input = ecr_r_rows(&[with_item(&ROW_A, 7, missing)]);
        let (code, stdout, stderr) = run(&["score", "-i", "ecr-r"], input);
        assert_eq!(code, 0, "{missing:?}: {stderr}");
        assert_eq!(
            stdout,
            format!(
                "id,anxiety,avoidance,n_missing,flags\nr1,4.823529411764706,{ROW_A_AVOIDANCE},1,\n"
            ),
            "{missing:?}"
        );
    }
}

#[test]
fn three_missing_per_scale_scored_four_not() {
    let anxiety_3 = {
        let mut r = ROW_A.to_vec();
        r[..3].copy_from_slice(&["", "NA", "."]);
        r
    };
    let anxiety_4 = {
        let mut r = ROW_A.to_vec();
        r[..4].copy_from_slice(&["", "NA", ".", ""]);
        r
    };
    let avoidance_3 = {
        let mut r = ROW_A.to_vec();
        r[18..21].copy_from_slice(&["", "", ""]);
        r
    };
    let avoidance_4 = {
        let mut r = ROW_A.to_vec();
        r[18..22].copy_from_slice(&["", "", "", ""]);
        r
    };
    let both_4 = {
        let mut r = anxiety_4.clone();
        r[18..22].copy_from_slice(&["", "", "", ""]);
        r
    };
    let all_missing = vec![""; 36];
    let input = ecr_r_rows(&[
        anxiety_3,
        anxiety_4,
        avoidance_3,
        avoidance_4,
        both_4,
        all_missing,
    ]);
    let (code, stdout, stderr) = run(&["score", "-i", "ecr-r"], input);
    assert_eq!(code, 0, "{stderr}");
    // r1: anxiety without q1-q3 (4 + 5 + 3): (85 - 12) / 15 = 73 / 15 = 4.866666666666666
    // r3: avoidance without q19 (2), q20 (6 -> 2), q21 (3): (41 - 7) / 15 = 34 / 15
    //     = 2.2666666666666666
    assert_eq!(
        stdout,
        format!(
            "id,anxiety,avoidance,n_missing,flags\n\
             r1,4.866666666666666,{ROW_A_AVOIDANCE},3,\n\
             r2,,{ROW_A_AVOIDANCE},4,too_many_missing:anxiety\n\
             r3,{ROW_A_ANXIETY},2.2666666666666666,3,\n\
             r4,{ROW_A_ANXIETY},,4,too_many_missing:avoidance\n\
             r5,,,8,too_many_missing:anxiety;too_many_missing:avoidance\n\
             r6,,,36,too_many_missing:anxiety;too_many_missing:avoidance\n"
        )
    );
}

// ---------------------------------------------------------------------------------------------
// Invalid answers
// ---------------------------------------------------------------------------------------------

#[test]
fn invalid_values_are_errors_naming_line_column_value() {
    for bad in ["3.5", "0", "8", "seven", "-1", "1e0", "7+"] {
        let input = ecr_r_rows(&[ROW_A.to_vec(), with_item(&ROW_A, 7, bad)]);
        let (code, _stdout, stderr) = run(&["score", "-i", "ecr-r"], input);
        assert_eq!(code, 2, "value {bad:?}: {stderr}");
        let expected = format!("line 3, column q7: \"{bad}\"");
        assert!(
            stderr.contains(&expected),
            "value {bad:?}: want {expected:?} in:\n{stderr}"
        );
    }
    // Out-of-range numbers say the range, exactly as the contract's example.
    for bad in ["0", "8"] {
        let input = ecr_r_rows(&[ROW_A.to_vec(), with_item(&ROW_A, 7, bad)]);
        expect_bad_input(
            &["score", "-i", "ecr-r"],
            input,
            &[&format!("line 3, column q7: \"{bad}\" is outside 1-7")],
        );
    }
}

#[test]
fn contract_example_line_14() {
    // Header on line 1, twelve good rows on lines 2-13, the bad one on line 14.
    let mut rows = vec![ROW_A.to_vec(); 12];
    rows.push(with_item(&ROW_A, 7, "8"));
    expect_bad_input(
        &["score", "-i", "ecr-r"],
        ecr_r_rows(&rows),
        &["line 14, column q7: \"8\" is outside 1-7"],
    );
}

#[test]
fn invalid_value_in_a_padded_column_names_the_column() {
    let names: Vec<String> = (1..=36).map(|i| format!("Q{i:02}")).collect();
    let input = ecr_r_file(",", &names, &[("r1", &with_item(&ROW_A, 7, "8"), "x")]);
    let stderr = expect_bad_input(&["score", "-i", "ecr-r"], input, &["line 2", "\"8\""]);
    assert!(stderr.contains("Q07") || stderr.contains("q7"), "{stderr}");
}

#[test]
fn invalid_as_missing_flags_the_row() {
    // Same as a missing q7: anxiety 82 / 17 = 4.823529411764706, n_missing 1, flag invalid:q7.
    for bad in ["3.5", "0", "8", "seven"] {
        let input = ecr_r_rows(&[ROW_A.to_vec(), with_item(&ROW_A, 7, bad)]);
        let (code, stdout, stderr) = run(&["score", "-i", "ecr-r", "--invalid", "missing"], input);
        assert_eq!(code, 0, "value {bad:?}: {stderr}");
        assert_eq!(
            stdout,
            format!(
                "id,anxiety,avoidance,n_missing,flags\n\
                 r1,{ROW_A_ANXIETY},{ROW_A_AVOIDANCE},0,\n\
                 r2,4.823529411764706,{ROW_A_AVOIDANCE},1,invalid:q7\n"
            ),
            "value {bad:?}"
        );
    }
}

#[test]
fn invalid_as_missing_several_cells_and_json() {
    // q7 and Q30 invalid (column written `Q30`: the flag uses the item's name q30), and
    // q1-q3 missing: anxiety has 4 missing -> not scored.
    let mut items = with_item(&ROW_A, 7, "x");
    items[29] = "99";
    items[..3].copy_from_slice(&["", "", ""]);
    let mut names = q_names("", 36);
    names[29] = "Q30".to_owned();
    let input = ecr_r_file(",", &names, &[("r1", &items, "s")]);
    let (code, stdout, stderr) = run(
        &[
            "score",
            "-i",
            "ecr-r",
            "--invalid",
            "missing",
            "--format",
            "json",
        ],
        input,
    );
    assert_eq!(code, 0, "{stderr}");
    let value: Value = serde_json::from_str(&stdout).unwrap();
    let row = &value[0];
    assert!(row["scores"]["anxiety"].is_null(), "{row}");
    // Avoidance without q30 (4 -> 4): (41 - 4) / 17 = 37 / 17.
    assert_close(&row["scores"]["avoidance"], 37.0 / 17.0);
    assert_eq!(row["n_missing"], 5);
    let flags: BTreeSet<&str> = row["flags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect();
    assert_eq!(
        flags,
        BTreeSet::from(["invalid:q7", "invalid:q30", "too_many_missing:anxiety"])
    );
}

// ---------------------------------------------------------------------------------------------
// Malformed input
// ---------------------------------------------------------------------------------------------

#[test]
fn missing_item_columns_are_named() {
    let names: Vec<String> = q_names("", 36)
        .into_iter()
        .filter(|n| n != "q7" && n != "q30")
        .collect();
    let mut header = vec!["id".to_owned()];
    header.extend(names);
    let input = line(&header, ",") + &line(&vec!["r1"; 35], ",");
    let (code, stdout, stderr) = run(&["score", "-i", "ecr-r"], input);
    assert_eq!(code, 2, "{stderr}");
    assert!(stdout.is_empty(), "{stdout}");
    let in_message: BTreeSet<&str> = stderr
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| w.starts_with('q') && w[1..].parse::<u32>().is_ok())
        .collect();
    assert_eq!(in_message, BTreeSet::from(["q7", "q30"]), "{stderr}");
}

#[test]
fn duplicate_item_column_is_an_error() {
    let mut header = vec!["id".to_owned()];
    header.extend(q_names("", 36));
    header.push("Q07".to_owned());
    let mut fields = vec!["r1"];
    fields.extend_from_slice(&ROW_A);
    fields.push("3");
    let input = line(&header, ",") + &line(&fields, ",");
    let stderr = expect_bad_input(&["score", "-i", "ecr-r"], input, &["Q07"]);
    assert!(stderr.contains("q7"), "{stderr}");
}

#[test]
fn wrong_delimiter_given_is_a_clear_error() {
    for (file_delimiter, flag) in [(";", ","), (",", ";"), (",", "tab"), ("\t", ",")] {
        let (code, stdout, stderr) = run(
            &["score", "-i", "ecr-r", "--delimiter", flag],
            small_ecr_r(file_delimiter),
        );
        assert_eq!(
            code, 2,
            "file {file_delimiter:?}, --delimiter {flag}: {stderr}"
        );
        assert!(stdout.is_empty(), "{stdout}");
        assert!(
            stderr.contains("delimiter"),
            "file {file_delimiter:?}, --delimiter {flag}: the error should point at the delimiter:\n{stderr}"
        );
    }
}

#[test]
fn ragged_rows_name_the_line() {
    let good = {
        let mut f = vec!["r"];
        f.extend_from_slice(&ROW_A);
        line(&f, ",")
    };
    let header = {
        let mut h = vec!["id".to_owned()];
        h.extend(q_names("", 36));
        line(&h, ",")
    };
    // Too few fields on line 4.
    let input = header.clone() + &good + &good + &line(&["r", "1", "2"], ",") + &good;
    expect_bad_input(&["score", "-i", "ecr-r"], input, &["line 4"]);
    // Too many fields on line 3.
    let input = header.clone() + &good + &good.replace('\n', ",extra\n") + &good;
    expect_bad_input(&["score", "-i", "ecr-r"], input, &["line 3"]);
    // One field short (last item forgotten) on line 2.
    let input = header + &good.replacen(",6\n", "\n", 1);
    expect_bad_input(&["score", "-i", "ecr-r"], input, &["line 2"]);
}

#[test]
fn empty_input_is_an_error() {
    for input in ["", "\n", "\u{feff}", "\r\n"] {
        let (code, stdout, stderr) = run(&["score", "-i", "ecr-r"], input);
        assert_eq!(code, 2, "input {input:?}: {stderr}");
        assert!(stdout.is_empty(), "{stdout}");
        assert!(!stderr.trim().is_empty());
    }
}

#[test]
fn crlf_line_endings_are_read_and_counted() {
    // Spreadsheets on Windows write CRLF. Values are read without the CR ...
    let input = small_ecr_r(",").replace('\n', "\r\n");
    let (code, stdout, stderr) = run(&["score", "-i", "ecr-r"], input);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout, SMALL_ECR_R_SCORED);
    // ... and line numbers in errors are still physical lines (bad row on line 3).
    let input = ecr_r_rows(&[ROW_A.to_vec(), with_item(&ROW_A, 7, "8")]).replace('\n', "\r\n");
    expect_bad_input(
        &["score", "-i", "ecr-r"],
        input,
        &["line 3, column q7: \"8\" is outside 1-7"],
    );
}

#[test]
fn blank_lines_do_not_shift_line_numbers() {
    // Header (1), blank (2), good row (3), blank (4), bad row (5).
    let header = {
        let mut h = vec!["id".to_owned()];
        h.extend(q_names("", 36));
        line(&h, ",")
    };
    let row = |items: &[&str]| {
        let mut f = vec!["r"];
        f.extend_from_slice(items);
        line(&f, ",")
    };
    let input = header + "\n" + &row(&ROW_A) + "\n" + &row(&with_item(&ROW_A, 7, "8"));
    expect_bad_input(
        &["score", "-i", "ecr-r"],
        input,
        &["line 5, column q7: \"8\" is outside 1-7"],
    );
}

#[test]
fn pass_through_column_named_like_another_instruments_output() {
    // `category` is an output column of RQ only, and `scores` only a key of JSON output: for
    // ECR-R to CSV they are ordinary non-item columns and pass through unchanged.
    for name in ["category", "scores"] {
        let mut header = vec!["id".to_owned(), name.to_owned()];
        header.extend(q_names("", 36));
        let mut fields = vec!["r1", "outpatient"];
        fields.extend_from_slice(&ROW_A);
        let input = line(&header, ",") + &line(&fields, ",");
        let (code, stdout, stderr) = run(&["score", "-i", "ecr-r"], input);
        assert_eq!(code, 0, "column {name:?}: {stderr}");
        assert_eq!(
            stdout,
            format!(
                "id,{name},anxiety,avoidance,n_missing,flags\n\
                 r1,outpatient,{ROW_A_ANXIETY},{ROW_A_AVOIDANCE},0,\n"
            )
        );
    }
}

#[test]
fn header_with_embedded_newline_still_detects_the_delimiter() {
    // The header row's first field is quoted and spans two physical lines.
    for delimiter in [",", ";", "\t"] {
        let mut header = vec!["\"patient\nname\"".to_owned()];
        header.extend(q_names("", 36));
        let mut fields = vec!["Jo"];
        fields.extend_from_slice(&ROW_A);
        let input = line(&header, delimiter) + &line(&fields, delimiter);
        let (code, stdout, stderr) = run(&["score", "-i", "ecr-r"], input);
        assert_eq!(code, 0, "delimiter {delimiter:?}: {stderr}");
        assert_eq!(
            stdout,
            format!(
                "\"patient\nname\",anxiety,avoidance,n_missing,flags\n\
                 Jo,{ROW_A_ANXIETY},{ROW_A_AVOIDANCE},0,\n"
            ),
            "delimiter {delimiter:?}"
        );
    }
}

#[test]
fn input_that_is_not_utf8_is_refused_or_passed_unchanged() {
    // Input must be UTF-8. A Latin-1 file (`é` is the single byte E9) is either refused with
    // exit 2, or its pass-through header and cells reach the output byte for byte: never
    // silently re-encoded.
    let mut input = b"id,pr\xe9nom,".to_vec();
    input.extend_from_slice(line(&q_names("", 36), ",").as_bytes());
    input.extend_from_slice(b"r1,Ren\xe9,");
    input.extend_from_slice(line(&ROW_A, ",").as_bytes());
    let (code, stdout, stderr) = run_raw(&["score", "-i", "ecr-r"], input);
    match code {
        2 => assert!(!stderr.trim().is_empty()),
        0 => {
            let mut expected =
                b"id,pr\xe9nom,anxiety,avoidance,n_missing,flags\nr1,Ren\xe9,".to_vec();
            expected
                .extend_from_slice(format!("{ROW_A_ANXIETY},{ROW_A_AVOIDANCE},0,\n").as_bytes());
            assert!(
                stdout == expected,
                "pass-through bytes changed:\n want {}\n got  {}",
                expected.escape_ascii(),
                stdout.escape_ascii()
            );
        }
        other => panic!("exit {other}: {stderr}"),
    }
}

// ---------------------------------------------------------------------------------------------
// Output files
// ---------------------------------------------------------------------------------------------

/// Inputs that must fail, with the arguments to fail them with.
fn failing_cases() -> Vec<(&'static str, Vec<&'static str>, String)> {
    let good_then_bad = ecr_r_rows(&[ROW_A.to_vec(), ROW_A.to_vec(), with_item(&ROW_A, 30, "9")]);
    let ragged = ecr_r_rows(&[ROW_A.to_vec()]) + "r9,1,2\n";
    vec![
        (
            "invalid value on the last line",
            vec!["-i", "ecr-r"],
            good_then_bad.clone(),
        ),
        (
            "invalid value, JSON",
            vec!["-i", "ecr-r", "--format", "json"],
            good_then_bad,
        ),
        ("ragged row", vec!["-i", "ecr-r"], ragged),
        (
            "missing columns",
            vec!["-i", "ecr-r"],
            "id,q1,q2\n1,2,3\n".to_owned(),
        ),
        ("empty input", vec!["-i", "ecr-r"], String::new()),
        (
            "unknown instrument",
            vec!["-i", "no-such-instrument"],
            small_ecr_r(","),
        ),
        (
            "wrong delimiter",
            vec!["-i", "ecr-r", "--delimiter", ";"],
            small_ecr_r(","),
        ),
    ]
}

#[test]
fn output_file_not_created_on_error() {
    for (what, args, input) in failing_cases() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("scored.csv");
        let mut full = vec!["score"];
        full.extend(args);
        full.extend(["--output", out.to_str().unwrap()]);
        let (code, _stdout, stderr) = run(&full, input);
        assert_eq!(code, 2, "{what}: {stderr}");
        assert!(!out.exists(), "{what}: the output file was created");
        assert_eq!(
            dir_names(dir.path()),
            Vec::<String>::new(),
            "{what}: leftovers"
        );
    }
}

#[test]
fn existing_output_file_unchanged_on_error() {
    let original: &[u8] = b"precious,bytes\r\n\x00\xff not even UTF-8\n";
    for (what, args, input) in failing_cases() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("scored.csv");
        fs::write(&out, original).unwrap();
        let mut full = vec!["score"];
        full.extend(args);
        full.extend(["-o", out.to_str().unwrap()]);
        let (code, _stdout, stderr) = run(&full, input);
        assert_eq!(code, 2, "{what}: {stderr}");
        assert_eq!(
            fs::read(&out).unwrap(),
            original,
            "{what}: the output file changed"
        );
        assert_eq!(dir_names(dir.path()), ["scored.csv"], "{what}: leftovers");
    }
}

#[test]
fn output_file_on_success_and_no_temp_files() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("scored.csv");
    let (code, stdout, stderr) = run(
        &["score", "-i", "ecr-r", "--output", out.to_str().unwrap()],
        small_ecr_r(","),
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.is_empty(),
        "nothing on stdout when writing a file: {stdout}"
    );
    assert_eq!(fs::read_to_string(&out).unwrap(), SMALL_ECR_R_SCORED);
    assert_eq!(dir_names(dir.path()), ["scored.csv"]);

    // An existing file is replaced whole; JSON too.
    fs::write(
        &out,
        "old contents that are longer than the new ones ".repeat(100),
    )
    .unwrap();
    let (code, _stdout, stderr) = run(
        &[
            "score",
            "-i",
            "ecr-r",
            "--format",
            "json",
            "-o",
            out.to_str().unwrap(),
        ],
        small_ecr_r(","),
    );
    assert_eq!(code, 0, "{stderr}");
    let value: Value = serde_json::from_str(&fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(value.as_array().unwrap().len(), 2);
    assert_eq!(dir_names(dir.path()), ["scored.csv"]);

    // Reading from a file in the same folder leaves just the two files.
    let input = dir.path().join("in.csv");
    fs::write(&input, small_ecr_r(";")).unwrap();
    let (code, _stdout, stderr) = run(
        &[
            "score",
            "-i",
            "ecr-r",
            "--input",
            input.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
        ],
        "",
    );
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(fs::read_to_string(&out).unwrap(), SMALL_ECR_R_SCORED);
    assert_eq!(dir_names(dir.path()), ["in.csv", "scored.csv"]);
}

// ---------------------------------------------------------------------------------------------
// Arguments
// ---------------------------------------------------------------------------------------------

#[test]
fn unknown_instrument() {
    let (code, stdout, stderr) = run(&["score", "-i", "ecr-x"], small_ecr_r(","));
    assert_eq!(code, 2, "{stderr}");
    assert!(stdout.is_empty(), "{stdout}");
    assert!(stderr.contains("ecr-x"), "{stderr}");
}

#[test]
fn bad_arguments_exit_2() {
    let cases: [&[&str]; 10] = [
        &["score", "-i", "ecr-r", "--frobnicate"],
        &["score", "-i", "ecr-r", "--format", "xml"],
        &["score", "-i", "ecr-r", "--format"],
        &["score", "-i", "ecr-r", "--delimiter", "|"],
        &["score", "-i", "ecr-r", "--invalid", "ignore"],
        &["score"],
        &["score", "--input", "-"],
        &["frobnicate"],
        &["instruments", "--frobnicate"],
        &["--no-such-flag"],
    ];
    for args in cases {
        let (code, stdout, stderr) = run(args, small_ecr_r(","));
        assert_eq!(code, 2, "{args:?}: stdout {stdout:?}, stderr:\n{stderr}");
        assert!(!stderr.trim().is_empty(), "{args:?}: no message");
    }
}

#[test]
fn score_help_mentions_every_instruments_columns() {
    let (code, stdout, stderr) = run(&["score", "--help"], "");
    assert_eq!(code, 0, "{stderr}");
    // Help text may be wrapped to any width; compare with whitespace normalised.
    let help = stdout.split_whitespace().collect::<Vec<_>>().join(" ");
    for needle in [
        "ecr-r",
        "ecr-rs",
        "ecr-s",
        "rq",
        "rfq-8",
        "q1-q36",
        "q1-q12",
        "q1-q4",
        "q1-q8",
        "mother_q1-mother_q9",
        "father_q1-father_q9",
        "partner_q1-partner_q9",
        "friend_q1-friend_q9",
        "choice",
        "anxiety",
        "avoidance",
        "category",
        "n_missing",
        "flags",
    ] {
        assert!(
            help.contains(needle),
            "score --help lacks {needle:?}:\n{stdout}"
        );
    }
    // `ecr` (the original ECR) is listed as an instrument of its own.
    assert!(
        stdout
            .lines()
            .any(|l| l.split_whitespace().next() == Some("ecr")),
        "{stdout}"
    );
}

// ---------------------------------------------------------------------------------------------
// RQ and ECR-RS
// ---------------------------------------------------------------------------------------------

#[test]
fn rq_choice_category_and_disagreement() {
    // Scores are the ratings of A-D; model of self = A + D - B - C; of other = A + C - B - D.
    // r1: 6,2,3,5 choice a (lower case): secure highest, chosen -> secure, no flag;
    //     self 6+5-2-3 = 6, other 6+3-2-5 = 2.
    // r2: 3,6,2,2 choice D: fearful highest, D not among the highest -> choice_disagrees;
    //     self 3+2-6-2 = -3, other 3+2-6-2 = -3.
    // r3: 5,5,1,2 choice b: A and B tie, the choice breaks the tie -> fearful, no flag;
    //     self 5+2-5-1 = 1, other 5+1-5-2 = -1.
    // r4: the same ratings, no choice: the tie stays -> no category, flag category_tie.
    let input = "id,choice,q1,q2,q3,q4\n\
                 r1,a,6,2,3,5\n\
                 r2,D,3,6,2,2\n\
                 r3,b,5,5,1,2\n\
                 r4,,5,5,1,2\n";
    let (code, stdout, stderr) = run(&["score", "-i", "rq", "--category"], input);
    assert_eq!(code, 0, "{stderr}");
    let (header, rows) = parse_csv(&stdout);
    // With --category: scores, then category, then n_missing and flags, at the end.
    assert_eq!(
        header[header.len() - 9..],
        [
            "secure",
            "fearful",
            "preoccupied",
            "dismissing",
            "model_of_self",
            "model_of_other",
            "category",
            "n_missing",
            "flags"
        ]
    );
    assert_eq!(header[0], "id");
    let expected = [
        ("r1", ["6", "2", "3", "5", "6", "2"], "secure", ""),
        (
            "r2",
            ["3", "6", "2", "2", "-3", "-3"],
            "fearful",
            "choice_disagrees",
        ),
        ("r3", ["5", "5", "1", "2", "1", "-1"], "fearful", ""),
        ("r4", ["5", "5", "1", "2", "1", "-1"], "", "category_tie"),
    ];
    assert_eq!(rows.len(), expected.len());
    for (row, (id, scores, category, flags)) in rows.iter().zip(expected) {
        assert_eq!(cell(&header, row, "id"), id);
        let got: Vec<&str> = [
            "secure",
            "fearful",
            "preoccupied",
            "dismissing",
            "model_of_self",
            "model_of_other",
        ]
        .iter()
        .map(|s| cell(&header, row, s))
        .collect();
        assert_eq!(got, scores, "{id}");
        assert_eq!(cell(&header, row, "category"), category, "{id}");
        assert_eq!(cell(&header, row, "n_missing"), "0", "{id}");
        assert_eq!(cell(&header, row, "flags"), flags, "{id}");
    }

    // JSON carries the category as a string or null.
    let (code, stdout, stderr) = run(
        &["score", "-i", "rq", "--format", "json", "--category"],
        input,
    );
    assert_eq!(code, 0, "{stderr}");
    let value: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(value[0]["category"], "secure");
    assert_close(&value[1]["scores"]["model_of_self"], -3.0);
    assert_eq!(value[1]["flags"], serde_json::json!(["choice_disagrees"]));
    assert!(value[3]["category"].is_null(), "{}", value[3]);
}

#[test]
fn rq_without_choice_column() {
    // secure 7, fearful 1, preoccupied 2, dismissing 3: self 7+3-1-2 = 7, other 7+2-1-3 = 5.
    // Without --category the columns are exactly the contract's: scores, n_missing, flags.
    let (code, stdout, stderr) = run(&["score", "-i", "rq"], "Q1;Q2;Q3;Q4\n7;1;2;3\n");
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        stdout,
        "secure,fearful,preoccupied,dismissing,model_of_self,model_of_other,n_missing,flags\n\
         7,1,2,3,7,5,0,\n"
    );
    let (code, stdout, stderr) = run(
        &["score", "-i", "rq", "--category"],
        "Q1;Q2;Q3;Q4\n7;1;2;3\n",
    );
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        stdout,
        "secure,fearful,preoccupied,dismissing,model_of_self,model_of_other,category,n_missing,flags\n\
         7,1,2,3,7,5,secure,0,\n"
    );
    // JSON objects hold exactly the pass-through columns, scores, n_missing and flags.
    let (code, stdout, stderr) = run(
        &["score", "-i", "rq", "--format", "json"],
        "Q1;Q2;Q3;Q4\n7;1;2;3\n",
    );
    assert_eq!(code, 0, "{stderr}");
    let value: Value = serde_json::from_str(&stdout).unwrap();
    let keys: Vec<&String> = value[0].as_object().unwrap().keys().collect();
    assert_eq!(keys, ["scores", "n_missing", "flags"]);
}

#[test]
fn rq_invalid_choice() {
    let input = "id,q1,q2,q3,q4,choice\nr1,6,2,3,5,A\nr2,3,6,2,2,E\n";
    expect_bad_input(
        &["score", "-i", "rq"],
        input,
        &["line 3, column choice", "\"E\""],
    );
    let input = "id,q1,q2,q3,q4,choice\nr1,6,2,3,5,secure\n";
    expect_bad_input(
        &["score", "-i", "rq"],
        input,
        &["line 2, column choice", "\"secure\""],
    );

    // With --invalid missing the choice is ignored and the row flagged.
    let input = "id,q1,q2,q3,q4,choice\nr1,3,6,2,2,E\n";
    let (code, stdout, stderr) = run(
        &["score", "-i", "rq", "--invalid", "missing", "--category"],
        input,
    );
    assert_eq!(code, 0, "{stderr}");
    let (header, rows) = parse_csv(&stdout);
    assert_eq!(cell(&header, &rows[0], "category"), "fearful");
    assert_eq!(cell(&header, &rows[0], "flags"), "invalid:choice");
}

#[test]
fn ecr_rs_block_columns() {
    // Per block, avoidance = mean of items 1-6 with 1-4 reversed (8 - x); anxiety = mean of
    // items 7-9. Globals are the means of the four block scores.
    // mother  6,5,6,7,2,1 | 3,2,4: avoidance (2+3+2+1+2+1)/6 = 11/6 = 1.8333333333333333,
    //                              anxiety 9/3 = 3
    // father  2,3,2,1,5,6 | 6,5,7: avoidance (6+5+6+7+5+6)/6 = 35/6 = 5.833333333333333,
    //                              anxiety 18/3 = 6
    // partner 5,5,4,5,3,3 | 2,3,2: avoidance (3+3+4+3+3+3)/6 = 19/6 = 3.1666666666666665,
    //                              anxiety 7/3 = 2.3333333333333335
    // friend  6,6,6,6,2,2 | 1,1,1: avoidance 12/6 = 2, anxiety 3/3 = 1
    // global_anxiety   = (3 + 6 + 7/3 + 1) / 4 = 3.0833333333333335
    // global_avoidance = (11/6 + 35/6 + 19/6 + 2) / 4 = 3.208333333333333
    let blocks: [(&str, [&str; 9]); 4] = [
        ("friend", ["6", "6", "6", "6", "2", "2", "1", "1", "1"]),
        ("mother", ["6", "5", "6", "7", "2", "1", "3", "2", "4"]),
        ("partner", ["5", "5", "4", "5", "3", "3", "2", "3", "2"]),
        ("father", ["2", "3", "2", "1", "5", "6", "6", "5", "7"]),
    ];
    // Columns in an unusual order and spelling: friend first, upper case and padding.
    let mut header = vec!["id".to_owned()];
    let mut values = vec!["p1"];
    for (block, answers) in &blocks {
        for (k, v) in answers.iter().enumerate() {
            header.push(match *block {
                "mother" => format!("Mother_Q{:02}", k + 1),
                "partner" => format!("PARTNER_q{}", k + 1),
                _ => format!("{block}_q{}", k + 1),
            });
            values.push(*v);
        }
    }
    header.push("wave".to_owned());
    values.push("2");
    let input = line(&header, ",") + &line(&values, ",");
    let (code, stdout, stderr) = run(&["score", "-i", "ecr-rs"], input);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        stdout,
        "id,wave,mother_anxiety,mother_avoidance,father_anxiety,father_avoidance,\
         partner_anxiety,partner_avoidance,friend_anxiety,friend_avoidance,\
         global_anxiety,global_avoidance,n_missing,flags\n\
         p1,2,3,1.8333333333333333,6,5.833333333333333,2.3333333333333335,3.1666666666666665,\
         1,2,3.0833333333333335,3.208333333333333,0,\n"
    );
}

#[test]
fn ecr_rs_missing_block_column_is_named() {
    let mut header = vec!["id".to_owned()];
    for block in ["mother", "father", "partner", "friend"] {
        header.extend(q_names(&format!("{block}_"), 9));
    }
    header.retain(|h| h != "father_q3");
    let stderr = expect_bad_input(
        &["score", "-i", "ecr-rs"],
        line(&header, ","),
        &["father_q3"],
    );
    assert!(!stderr.contains("mother_q1"), "{stderr}");

    // Plain q1-q9 are not ECR-RS columns.
    let mut header = vec!["id".to_owned()];
    header.extend(q_names("", 36));
    expect_bad_input(
        &["score", "-i", "ecr-rs"],
        line(&header, ","),
        &["mother_q1", "friend_q9"],
    );
}

// ---------------------------------------------------------------------------------------------
// `securebase instruments`
// ---------------------------------------------------------------------------------------------

#[test]
fn instruments_lists_all_six() {
    let (code, stdout, stderr) = run(&["instruments"], "");
    assert_eq!(code, 0, "{stderr}");
    let listed: BTreeSet<&str> = stdout
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    for id in ["ecr-r", "ecr-rs", "ecr-s", "ecr", "rq", "rfq-8"] {
        assert!(listed.contains(id), "{id} not listed:\n{stdout}");
    }
}

/// For scripts: every score with its id, range and which way is better.
#[test]
fn instruments_json_lists_each_scores_range_and_better() {
    let (code, stdout, stderr) = run(&["instruments", "--format", "json"], "");
    assert_eq!(code, 0, "{stderr}");
    let list: Value = serde_json::from_str(&stdout).unwrap();
    let score = |instrument: &str, score: &str| -> Value {
        let i = list
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["id"] == instrument)
            .unwrap_or_else(|| panic!("{instrument} listed"));
        i["scores"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"] == score)
            .unwrap_or_else(|| panic!("{instrument} {score} listed"))
            .clone()
    };
    assert_eq!(score("ecr-r", "anxiety")["better"], "lower");
    assert_eq!(
        score("ecr-r", "anxiety")["range"],
        serde_json::json!([1.0, 7.0])
    );
    assert_eq!(score("rfq-8", "rfq_u")["better"], "lower");
    assert_eq!(score("rfq-8", "rfq_c")["better"], "neither");
    assert_eq!(score("rq", "model_of_self")["better"], "higher");
    assert_eq!(
        score("rq", "model_of_self")["range"],
        serde_json::json!([-12.0, 12.0])
    );
    for i in list.as_array().unwrap() {
        for s in i["scores"].as_array().unwrap() {
            assert!(
                ["lower", "higher", "neither"].contains(&s["better"].as_str().unwrap()),
                "{s}"
            );
        }
    }
}

#[test]
fn instruments_validate() {
    let (code, stdout, stderr) = run(
        &["instruments", "--validate", "questionnaires/ecr-r.json"],
        "",
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("ecr-r"), "{stdout}");

    let all = [
        "questionnaires/ecr-r.json",
        "questionnaires/ecr-rs.json",
        "questionnaires/ecr-s.json",
        "questionnaires/ecr.json",
        "questionnaires/rq.json",
        "questionnaires/rfq-8.json",
    ];
    let mut args = vec!["instruments", "--validate"];
    args.extend(all);
    let (code, _stdout, stderr) = run(&args, "");
    assert_eq!(code, 0, "{stderr}");

    let dir = tempfile::tempdir().unwrap();
    let original =
        fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("questionnaires/ecr-r.json"))
            .unwrap();
    // Well-formed JSON, broken instrument: a reversed item that is not in the scale.
    let broken = original.replace("\"reverse\": [9, 11]", "\"reverse\": [9, 99]");
    assert_ne!(broken, original, "the fixture edit must apply");
    let broken_path = dir.path().join("broken-reverse.json");
    fs::write(&broken_path, broken).unwrap();
    // Not JSON at all.
    let truncated_path = dir.path().join("truncated.json");
    fs::write(&truncated_path, &original[..original.len() / 2]).unwrap();
    let missing_path = dir.path().join("missing.json");

    for path in [&broken_path, &truncated_path, &missing_path] {
        let name = path.file_name().unwrap().to_str().unwrap();
        expect_bad_input(
            &["instruments", "--validate", path.to_str().unwrap()],
            "",
            &[name],
        );
        // One bad file among good ones still fails.
        expect_bad_input(
            &[
                "instruments",
                "--validate",
                "questionnaires/rq.json",
                path.to_str().unwrap(),
                "questionnaires/ecr-r.json",
            ],
            "",
            &[name],
        );
    }
    let stderr = expect_bad_input(
        &["instruments", "--validate", broken_path.to_str().unwrap()],
        "",
        &["99"],
    );
    assert!(stderr.contains("reverse"), "{stderr}");
}

// ---------------------------------------------------------------------------------------------
// Streaming
// ---------------------------------------------------------------------------------------------

const BIG_ROWS: usize = 200_000;

/// Row `k` of the big input: [`ROW_A`] or [`ROW_B`] alternately, so scores are known.
fn big_input_row(k: usize) -> String {
    let items: &[&str] = if k.is_multiple_of(2) { &ROW_A } else { &ROW_B };
    let mut s = format!("r{k}");
    for v in items {
        s.push(',');
        s.push_str(v);
    }
    s.push('\n');
    s
}

fn big_input_header() -> String {
    let mut h = vec!["id".to_owned()];
    h.extend(q_names("", 36));
    line(&h, ",")
}

#[test]
fn large_input_through_stdin() {
    let mut input = big_input_header();
    for k in 0..BIG_ROWS {
        input.push_str(&big_input_row(k));
    }
    let (code, stdout, stderr) = run(&["score", "-i", "ecr-r"], input);
    assert_eq!(code, 0, "{stderr}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), BIG_ROWS + 1);
    assert_eq!(lines[0], "id,anxiety,avoidance,n_missing,flags");
    assert_eq!(lines[1], format!("r0,{ROW_A_ANXIETY},{ROW_A_AVOIDANCE},0,"));
    // Every row, in input order.
    let a = format!("{ROW_A_ANXIETY},{ROW_A_AVOIDANCE},0,");
    for (k, out) in lines[1..].iter().enumerate() {
        let rest = out
            .strip_prefix(&format!("r{k},"))
            .unwrap_or_else(|| panic!("output row {k} is {out:?}"));
        let expected = if k.is_multiple_of(2) {
            a.as_str()
        } else {
            "5,,7,too_many_missing:avoidance"
        };
        assert_eq!(rest, expected, "output row {k}");
    }
}

#[test]
fn errors_and_flags_land_on_the_right_row_in_a_long_file() {
    // Rows far apart, so that any batching or buffering in the reader is crossed.
    for bad_row in [1_000, 4_097, 50_001] {
        let mut rows = vec![ROW_A.to_vec(); 60_000];
        rows[bad_row] = with_item(&ROW_A, 7, "8");
        let input = ecr_r_rows(&rows);
        // Row index k is on line k + 2 (header on line 1).
        let line_no = bad_row + 2;
        expect_bad_input(
            &["score", "-i", "ecr-r"],
            input.clone(),
            &[&format!("line {line_no}, column q7: \"8\" is outside 1-7")],
        );
        let (code, stdout, stderr) = run(&["score", "-i", "ecr-r", "--invalid", "missing"], input);
        assert_eq!(code, 0, "{stderr}");
        let flagged: Vec<&str> = stdout
            .lines()
            .filter(|l| l.ends_with("invalid:q7"))
            .collect();
        assert_eq!(
            flagged,
            [format!(
                "r{},4.823529411764706,{ROW_A_AVOIDANCE},1,invalid:q7",
                bad_row + 1
            )]
        );
    }
}

#[test]
fn output_starts_before_input_ends() {
    // A streaming scorer writes its first rows long before the last input row arrives; one
    // that collects everything first cannot. The feeder marks when it has written it all.
    let mut child = spawn(&["score", "-i", "ecr-r"]);
    let mut stdin = child.stdin.take().unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let all_written = Arc::new(AtomicBool::new(false));
    let done = Arc::clone(&all_written);
    let feeder = thread::spawn(move || {
        let mut result = stdin.write_all(big_input_header().as_bytes());
        let mut chunk = String::new();
        for k in 0..BIG_ROWS {
            chunk.push_str(&big_input_row(k));
            if chunk.len() > 8192 {
                result = result.and_then(|()| stdin.write_all(chunk.as_bytes()));
                chunk.clear();
            }
        }
        result = result.and_then(|()| stdin.write_all(chunk.as_bytes()));
        done.store(true, Ordering::SeqCst);
        result
    });
    let errors = thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s);
        s
    });

    let mut stdout = BufReader::new(stdout);
    let mut header = String::new();
    stdout.read_line(&mut header).expect("some output");
    let finished_before_output = all_written.load(Ordering::SeqCst);
    let rows = stdout
        .lines()
        .collect::<Result<Vec<String>, _>>()
        .expect("UTF-8 lines")
        .len();
    let status = child.wait().unwrap();
    feeder.join().unwrap().expect("all input written");
    let stderr = errors.join().unwrap();
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(status.code(), Some(0), "{stderr}");
    assert_eq!(header, "id,anxiety,avoidance,n_missing,flags\n");
    assert!(
        !finished_before_output,
        "no output before all {BIG_ROWS} rows were read: the scorer does not stream"
    );
    assert_eq!(rows, BIG_ROWS, "one output row per input row");
}
