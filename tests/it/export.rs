//! End-to-end tests of `securebase export`: the real binary writes the research table as CSV or
//! JSON (and a FHIR bundle) for one client, one administration or everyone, and the tests read
//! the files back against the column contract of `securebase::export::table` and against the
//! core's own scores. The data folders are built through the store API with exact answers.

use crate::support::export_common;

use std::collections::BTreeSet;
use std::path::PathBuf;

use export_common::{
    add_client, core_scores, ecr_r_answers, expect_code, export_rows, instrument, new_folder,
    run_in, save_answers, sb, values,
};
use securebase::core::Answer;
use securebase::store::Administration;
use serde_json::Value;

/// The first client's pseudonym.
const NAME: &str = "C-5150";
/// The other client's pseudonym.
const OTHER: &str = "D-6060";

/// The columns every CSV row starts with (without `--names`).
const FIXED: [&str; 13] = [
    "client_id",
    "administration_id",
    "instrument",
    "instrument_version",
    "status",
    "source",
    "date",
    "started",
    "finished",
    "choice",
    "n_missing",
    "declined",
    "flags",
];

const ECR_R_AT: &str = "2025-03-01T10:00:00Z";
const RQ_AT: &str = "2025-03-02T10:00:00Z";
const ECR_RS_AT: &str = "2025-03-03T10:00:00Z";

/// The ECR-R item values: item n is answered `(n - 1) % 7 + 1` (1, 2, …, 7, 1, 2, …), except
/// item 5, declined, and item 30, not reached.
fn ecr_r_value(number: usize) -> Option<i32> {
    (number != 5 && number != 30).then(|| i32::try_from((number - 1) % 7 + 1).unwrap())
}

/// A data folder with the two clients.
struct Folder {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
    client_id: String,
    other_id: String,
    /// The first client's administrations, oldest first: ECR-R, RQ, ECR-RS.
    administrations: Vec<Administration>,
    /// The other client's one ECR-R.
    other_ecr_r: Administration,
}

impl Folder {
    /// A path for an output file, outside the data folder.
    fn out(&self, name: &str) -> PathBuf {
        self.dir.parent().unwrap().join(name)
    }

    /// `securebase export ARGS --output FILE`, asserted to succeed; the file's bytes.
    fn export_file(&self, file: &str, args: &[&str]) -> Vec<u8> {
        let path = self.out(file);
        let mut all = vec!["export"];
        all.extend_from_slice(args);
        all.extend_from_slice(&["--output", path.to_str().unwrap()]);
        let out = sb(&self.dir, &all);
        expect_code(&out, 0, &format!("export {args:?}"));
        assert!(
            out.stdout.is_empty(),
            "a file export printed {}",
            out.stdout
        );
        std::fs::read(&path).unwrap_or_else(|_| panic!("export {args:?} wrote no file"))
    }
}

/// The first client (`NAME`) has an ECR-R with item 5 declined and item 30 not reached, an RQ
/// (ratings 6, 2, 3, 1; forced choice A) and an ECR-RS; the other client has one ECR-R.
fn folder() -> Folder {
    let (tmp, dir, store) = new_folder();
    let client = add_client(&store, NAME, Some(1985));
    let ecr_r: Vec<Answer> = (1..=36)
        .map(|n| match (n, ecr_r_value(n)) {
            (5, _) => Answer::Declined,
            (_, Some(v)) => Answer::Value(v),
            (_, None) => Answer::Missing,
        })
        .collect();
    let a = save_answers(&store, &client, "ecr-r", ECR_R_AT, &ecr_r, None, true);
    let rq = save_answers(
        &store,
        &client,
        "rq",
        RQ_AT,
        &values(&[6, 2, 3, 1]),
        Some("A"),
        true,
    );
    let rs: Vec<i32> = (0..36).map(|k| (k * 3) % 7 + 1).collect();
    let rs = save_answers(
        &store,
        &client,
        "ecr-rs",
        ECR_RS_AT,
        &values(&rs),
        None,
        true,
    );
    let other = add_client(&store, OTHER, None);
    let other_ecr_r = save_answers(
        &store,
        &other,
        "ecr-r",
        "2025-04-01T10:00:00Z",
        &ecr_r_answers(4, 4),
        None,
        true,
    );
    drop(store);
    Folder {
        _tmp: tmp,
        dir,
        client_id: client.id,
        other_id: other.id,
        administrations: vec![a, rq, rs],
        other_ecr_r,
    }
}

/// A CSV table: its header and rows, every row as long as the header.
struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    fn parse(bytes: &[u8]) -> Table {
        let mut reader = csv::Reader::from_reader(bytes);
        let header: Vec<String> = reader
            .headers()
            .expect("CSV header")
            .iter()
            .map(str::to_owned)
            .collect();
        let rows: Vec<Vec<String>> = reader
            .records()
            .map(|r| r.expect("CSV row").iter().map(str::to_owned).collect())
            .collect();
        let names: BTreeSet<&String> = header.iter().collect();
        assert_eq!(names.len(), header.len(), "duplicate columns: {header:?}");
        for row in &rows {
            assert_eq!(row.len(), header.len(), "row {row:?}");
        }
        Table { header, rows }
    }

    fn col(&self, name: &str) -> usize {
        self.header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("no column {name:?} in {:?}", self.header))
    }

    /// The row of administration `id`.
    fn row(&self, id: &str) -> &[String] {
        let c = self.col("administration_id");
        self.rows
            .iter()
            .find(|r| r[c] == id)
            .unwrap_or_else(|| panic!("no row for administration {id}"))
    }

    fn cell<'a>(&self, row: &'a [String], name: &str) -> &'a str {
        &row[self.col(name)]
    }
}

/// `ecr-r` → `ecr_r`.
fn prefix(instrument_id: &str) -> String {
    instrument_id.replace('-', "_")
}

/// An instrument's item columns and then its score columns, prefixed.
fn instrument_columns(id: &str) -> Vec<String> {
    let i = instrument(id);
    let p = prefix(id);
    i.slots
        .iter()
        .map(|s| format!("{p}_{}", s.column))
        .chain(i.scores.iter().map(|s| format!("{p}_{}", s.id)))
        .collect()
}

/// Whether two scores are the same number, to the bit.
#[expect(clippy::float_cmp, reason = "exported scores must round-trip exactly")]
fn same(a: f64, b: f64) -> bool {
    a == b
}

/// The row's score cells equal the core's scores of `a`, exactly (or are empty where the core
/// computed none); and its answer cells are the stored answers (empty when declined or not
/// reached); and every other instrument's columns are empty.
fn check_row(table: &Table, a: &Administration) {
    let row = table.row(&a.id);
    let i = instrument(&a.instrument_id);
    let p = prefix(&i.id);
    for slot in &i.slots {
        let given = a
            .answers
            .iter()
            .find(|x| x.column == slot.column)
            .and_then(|x| x.value)
            .map(|v| v.to_string())
            .unwrap_or_default();
        assert_eq!(
            table.cell(row, &format!("{p}_{}", slot.column)),
            given,
            "{} {}",
            i.id,
            slot.column
        );
    }
    let report = core_scores(a);
    for (def, s) in i.scores.iter().zip(&report.scores) {
        let cell = table.cell(row, &format!("{p}_{}", def.id));
        match s.value {
            Some(v) => {
                let parsed: f64 = cell
                    .parse()
                    .unwrap_or_else(|_| panic!("{} {}: {cell:?} is no number", i.id, def.id));
                assert!(same(parsed, v), "{} {}: {cell} != core {v}", i.id, def.id);
            }
            None => assert_eq!(cell, "", "{} {} is not computed", i.id, def.id),
        }
    }
    assert_eq!(table.cell(row, "n_missing"), report.n_missing.to_string());
    let flags: Vec<String> = report.flags.iter().map(|f| f.code(&i)).collect();
    assert_eq!(table.cell(row, "flags"), flags.join(" "));
    assert_eq!(table.cell(row, "instrument"), i.id);
    assert_eq!(table.cell(row, "instrument_version"), i.version);
    assert_eq!(table.cell(row, "status"), "completed");
    assert_eq!(table.cell(row, "source"), "paper_entry");
    assert_eq!(table.cell(row, "client_id"), a.client_id);
    assert_eq!(table.cell(row, "date"), a.given_on().to_string());
    let started: jiff::Timestamp = table.cell(row, "started").parse().unwrap();
    assert_eq!(started, a.started);
    let finished: jiff::Timestamp = table.cell(row, "finished").parse().unwrap();
    assert_eq!(Some(finished), a.finished);
    // Other instruments' columns stay empty.
    let own: BTreeSet<String> = instrument_columns(&i.id).into_iter().collect();
    let first = FIXED.len() + usize::from(table.header[1] == "client_name");
    for (k, name) in table.header.iter().enumerate().skip(first) {
        if !own.contains(name) {
            assert_eq!(row[k], "", "{} row: {name} should be empty", i.id);
        }
    }
}

#[test]
fn csv_follows_the_column_contract_and_the_core_scores() {
    let f = folder();
    let bytes = f.export_file("client.csv", &["--client", NAME, "--format", "csv"]);
    let table = Table::parse(&bytes);

    // Fixed columns, no name; then each instrument present in catalog order (ECR-R, ECR-RS,
    // RQ), its items then its scores.
    assert_eq!(&table.header[..FIXED.len()], FIXED);
    assert!(!table.header.iter().any(|h| h == "client_name"));
    let mut expected: Vec<String> = FIXED.iter().map(|s| (*s).to_owned()).collect();
    for id in ["ecr-r", "ecr-rs", "rq"] {
        expected.extend(instrument_columns(id));
    }
    assert_eq!(table.header, expected);
    for name in (1..=36)
        .map(|n| format!("ecr_r_q{n}"))
        .chain(["ecr_r_anxiety", "ecr_r_avoidance", "rq_q1", "rq_secure"].map(str::to_owned))
        .chain(["rq_model_of_self", "rq_model_of_other", "ecr_rs_mother_q1"].map(str::to_owned))
        .chain(["ecr_rs_global_anxiety"].map(str::to_owned))
    {
        table.col(&name);
    }

    // One row per administration, oldest first.
    let ids: Vec<&str> = table.rows.iter().map(|r| r[1].as_str()).collect();
    let want: Vec<&str> = f.administrations.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(ids, want);
    for a in &f.administrations {
        check_row(&table, a);
    }

    // The ECR-R: item 5 declined, item 30 not reached; both cells empty, only q5 declined.
    let ecr_r = &f.administrations[0];
    let row = table.row(&ecr_r.id);
    for n in 1..=36 {
        let want = ecr_r_value(n).map(|v| v.to_string()).unwrap_or_default();
        assert_eq!(table.cell(row, &format!("ecr_r_q{n}")), want, "q{n}");
    }
    assert_eq!(table.cell(row, "ecr_r_q5"), "");
    assert_eq!(table.cell(row, "ecr_r_q30"), "");
    // `declined` lists the declined item (q5) only, not the unreached q30: see
    // `csv_declined_names_the_tables_own_columns` for how it names it.
    let declined = table.cell(row, "declined");
    assert!(
        declined.ends_with("q5") && !declined.contains(' '),
        "{declined:?}"
    );
    assert_eq!(
        table.cell(row, "n_missing"),
        "2",
        "one declined, one not reached"
    );
    assert_eq!(table.cell(row, "choice"), "");
    // Hand check of anxiety: items 1-18 without the declined item 5 (17 items); values
    // 1,2,3,4,_,6,7,1,2,3,4,5,6,7,1,2,3,4 with items 9 and 11 reversed (8 - x: 2 -> 6, 4 -> 4):
    // 1+2+3+4+6+7+1+6+3+4+5+6+7+1+2+3+4 = 65, so 65 / 17.
    let anxiety: f64 = table.cell(row, "ecr_r_anxiety").parse().unwrap();
    assert!((anxiety - 65.0 / 17.0).abs() < 1e-12, "anxiety {anxiety}");

    // The RQ: ratings and forced choice.
    let rq = table.row(&f.administrations[1].id);
    assert_eq!(table.cell(rq, "choice"), "A");
    let ratings: Vec<&str> = (1..=4)
        .map(|n| table.cell(rq, &format!("rq_q{n}")))
        .collect();
    assert_eq!(ratings, ["6", "2", "3", "1"]);
    assert_eq!(table.cell(rq, "rq_model_of_self"), "2", "6 + 1 - 2 - 3");
    assert_eq!(table.cell(rq, "declined"), "");

    // Nobody's name without --names.
    let text = String::from_utf8(bytes).unwrap();
    assert!(!text.contains(NAME) && !text.contains(OTHER), "{text}");
    assert!(!text.contains(&f.other_id), "another client's id: {text}");
}

#[test]
fn csv_declined_names_the_tables_own_columns() {
    let f = folder();
    let table =
        Table::parse(&f.export_file("declined.csv", &["--client", NAME, "--format", "csv"]));
    let row = table.row(&f.administrations[0].id);
    // The contract: `declined` lists "the item columns answered 'prefer not to answer'", and
    // the table's item columns are the prefixed ones: a reader finds the declined cell by the
    // name it lists.
    let declined = table.cell(row, "declined");
    assert_eq!(
        declined, "ecr_r_q5",
        "`declined` should name the table's own column of the declined item (ecr_r_q5), \
         so that it can be matched against the header"
    );
    for name in declined.split(' ') {
        assert_eq!(table.cell(row, name), "", "declined {name} has no value");
    }
}

#[test]
fn csv_with_names_has_the_name_second() {
    let f = folder();
    let bytes = f.export_file(
        "named.csv",
        &["--client", NAME, "--format", "csv", "--names"],
    );
    let table = Table::parse(&bytes);
    assert_eq!(table.header[0], "client_id");
    assert_eq!(table.header[1], "client_name");
    assert_eq!(&table.header[2..=FIXED.len()], &FIXED[1..]);
    assert_eq!(table.rows.len(), 3);
    for row in &table.rows {
        assert_eq!(row[0], f.client_id);
        assert_eq!(row[1], NAME);
    }
    for a in &f.administrations {
        check_row(&table, a);
    }
}

/// `answers` of a JSON row: column → value.
fn json_answers(row: &Value) -> &serde_json::Map<String, Value> {
    row["answers"].as_object().expect("answers is an object")
}

#[test]
fn json_has_answers_and_scores() {
    let f = folder();
    let bytes = f.export_file("client.json", &["--client", NAME, "--format", "json"]);
    let rows: Vec<Value> = serde_json::from_slice(&bytes).expect("JSON array");
    assert_eq!(rows.len(), 3);
    for (row, a) in rows.iter().zip(&f.administrations) {
        let i = instrument(&a.instrument_id);
        assert_eq!(row["client_id"], f.client_id.as_str());
        assert!(row.get("client_name").is_none(), "no name without --names");
        assert_eq!(row["administration_id"], a.id.as_str());
        assert_eq!(row["instrument"], i.id.as_str());
        assert_eq!(row["instrument_version"], i.version.as_str());
        assert_eq!(row["status"], "completed");
        assert_eq!(row["source"], "paper_entry");
        assert_eq!(row["date"], a.given_on().to_string().as_str());
        let started: jiff::Timestamp = row["started"].as_str().unwrap().parse().unwrap();
        assert_eq!(started, a.started);
        let report = core_scores(a);
        assert_eq!(row["n_missing"], report.n_missing);
        let flags: Vec<String> = report.flags.iter().map(|f| f.code(&i)).collect();
        assert_eq!(row["flags"], serde_json::json!(flags));
        // Scores: every score of the instrument, in order, exactly the core's.
        let scores = row["scores"].as_object().expect("scores is an object");
        let ids: Vec<&String> = scores.keys().collect();
        let want: Vec<&String> = i.scores.iter().map(|s| &s.id).collect();
        assert_eq!(ids, want);
        for (def, s) in i.scores.iter().zip(&report.scores) {
            match s.value {
                Some(v) => assert!(
                    same(scores[&def.id].as_f64().unwrap(), v),
                    "{} {}",
                    i.id,
                    def.id
                ),
                None => assert!(scores[&def.id].is_null()),
            }
        }
    }

    // The ECR-R: numbers as numbers, the declined item as "declined", the unreached one absent,
    // in item order.
    let answers = json_answers(&rows[0]);
    assert_eq!(answers["q1"], 1);
    assert_eq!(answers["q5"], "declined");
    assert!(!answers.contains_key("q30"), "not reached: absent");
    let keys: Vec<&str> = answers.keys().map(String::as_str).collect();
    let want: Vec<String> = (1..=36)
        .filter(|&n| n != 30)
        .map(|n| format!("q{n}"))
        .collect();
    assert_eq!(keys, want);
    for n in (1..=36).filter(|&n| n != 5 && n != 30) {
        assert_eq!(answers[&format!("q{n}")], ecr_r_value(n).unwrap(), "q{n}");
    }
    assert!(same(
        rows[0]["scores"]["anxiety"].as_f64().unwrap(),
        core_scores(&f.administrations[0]).scores[0].value.unwrap()
    ));
    assert!(rows[0]["choice"].is_null());

    // The RQ.
    assert_eq!(rows[1]["choice"], "A");
    assert_eq!(
        serde_json::Value::Object(json_answers(&rows[1]).clone()),
        serde_json::json!({"q1": 6, "q2": 2, "q3": 3, "q4": 1})
    );

    let text = String::from_utf8(bytes).unwrap();
    assert!(!text.contains(NAME) && !text.contains(OTHER));
}

#[test]
fn json_of_everyone_to_standard_output() {
    let f = folder();
    let cwd = f.dir.parent().unwrap();
    let out = sb(
        &f.dir,
        &[
            "export", "--all", "--format", "json", "--output", "-", "--names",
        ],
    );
    expect_code(&out, 0, "export --all to stdout");
    assert!(
        !cwd.join("-").exists(),
        "`-` is standard output, not a file"
    );
    let rows: Vec<Value> = serde_json::from_slice(&out.stdout_bytes).expect("JSON on stdout");
    assert_eq!(rows.len(), 4, "three of the first client, one of the other");
    let clients: BTreeSet<&str> = rows
        .iter()
        .map(|r| r["client_id"].as_str().unwrap())
        .collect();
    assert_eq!(
        clients,
        BTreeSet::from([f.client_id.as_str(), f.other_id.as_str()])
    );
    let other = rows
        .iter()
        .find(|r| r["administration_id"] == f.other_ecr_r.id.as_str())
        .expect("the other client's row");
    assert_eq!(other["client_name"], OTHER);
    assert_eq!(other["instrument"], "ecr-r");
    assert_eq!(other["scores"]["anxiety"], 4.0);
    assert_eq!(other["scores"]["avoidance"], 4.0);
    assert!(
        rows.iter()
            .filter(|r| r["client_id"] == f.client_id.as_str())
            .all(|r| r["client_name"] == NAME)
    );

    // CSV of everyone: both clients' rows, every instrument's columns.
    let table = Table::parse(&f.export_file("all.csv", &["--all", "--format", "csv"]));
    assert_eq!(table.rows.len(), 4);
    for a in f.administrations.iter().chain([&f.other_ecr_r]) {
        check_row(&table, a);
    }
}

#[test]
fn one_administration_is_one_row() {
    let f = folder();
    let rq = &f.administrations[1];
    let table = Table::parse(&f.export_file(
        "rq.csv",
        &[
            "--client",
            NAME,
            "--administration",
            &rq.id,
            "--format",
            "csv",
        ],
    ));
    assert_eq!(table.rows.len(), 1);
    assert_eq!(table.cell(&table.rows[0], "administration_id"), rq.id);
    // Only the RQ's columns.
    let mut expected: Vec<String> = FIXED.iter().map(|s| (*s).to_owned()).collect();
    expected.extend(instrument_columns("rq"));
    assert_eq!(table.header, expected);
    check_row(&table, rq);

    let bytes = f.export_file(
        "rq.json",
        &[
            "--client",
            &f.client_id,
            "--administration",
            &rq.id,
            "--format",
            "json",
        ],
    );
    let rows: Vec<Value> = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["administration_id"], rq.id.as_str());
}

#[test]
fn fhir_bundle_of_a_client() {
    let f = folder();
    let bytes = f.export_file("client.fhir.json", &["--client", NAME, "--format", "fhir"]);
    let bundle: Value = serde_json::from_slice(&bytes).expect("FHIR JSON");
    assert_eq!(bundle["resourceType"], "Bundle");
    assert_eq!(bundle["type"], "collection");
    let responses = bundle["entry"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["resource"]["resourceType"] == "QuestionnaireResponse")
        .count();
    assert_eq!(responses, 3, "one QuestionnaireResponse per administration");
    let text = String::from_utf8(bytes).unwrap();
    assert!(!text.contains(NAME), "no name without --names");
}

#[test]
fn bad_requests_exit_2_and_write_nothing() {
    let f = folder();
    let file = f.out("never.csv");
    let path = file.to_str().unwrap();
    let other = f.other_ecr_r.id.clone();
    let cases: [(&str, Vec<&str>); 7] = [
        (
            "--client and --all",
            vec!["--client", NAME, "--all", "--format", "csv"],
        ),
        ("neither --client nor --all", vec!["--format", "csv"]),
        (
            "unknown client",
            vec!["--client", "NOBODY-9", "--format", "csv"],
        ),
        (
            "--administration without --client",
            vec!["--all", "--administration", "0123", "--format", "csv"],
        ),
        (
            "unknown administration",
            vec![
                "--client",
                NAME,
                "--administration",
                "0123456789abcdef",
                "--format",
                "csv",
            ],
        ),
        ("unknown format", vec!["--client", NAME, "--format", "xml"]),
        (
            "another client's administration",
            vec![
                "--client",
                NAME,
                "--administration",
                &other,
                "--format",
                "csv",
            ],
        ),
    ];
    for (what, args) in cases {
        let mut all = vec!["export"];
        all.extend(args);
        all.extend(["--output", path]);
        let out = sb(&f.dir, &all);
        expect_code(&out, 2, what);
        assert!(!file.exists(), "{what}: a file was written");
        assert!(out.stdout.is_empty(), "{what}: printed {}", out.stdout);
    }
    let out = sb(
        &f.dir,
        &[
            "export", "--client", "NOBODY-9", "--format", "csv", "--output", path,
        ],
    );
    assert!(out.stderr.contains("NOBODY-9"), "{}", out.stderr);

    // A wrong passphrase: no file either.
    let out = run_in(
        &f.dir,
        f.dir.parent().unwrap(),
        Some("not the passphrase"),
        &["export", "--all", "--format", "csv", "--output", path],
    );
    assert_ne!(out.code, 0);
    assert!(!file.exists(), "wrong passphrase: a file was written");

    let exports = export_rows(&f.dir);
    assert!(
        exports.is_empty(),
        "failed exports were logged: {exports:?}"
    );
}

#[test]
fn every_export_is_audited() {
    let f = folder();
    let rq = f.administrations[1].id.clone();
    f.export_file("a.csv", &["--client", NAME, "--format", "csv"]);
    f.export_file("a.json", &["--client", NAME, "--format", "json"]);
    f.export_file("a.fhir.json", &["--client", NAME, "--format", "fhir"]);
    let out = sb(
        &f.dir,
        &[
            "export", "--client", NAME, "--format", "csv", "--output", "-",
        ],
    );
    expect_code(&out, 0, "csv to stdout");
    assert!(out.stdout.starts_with("client_id,"), "{}", out.stdout);
    f.export_file("all.json", &["--all", "--format", "json"]);
    f.export_file(
        "rq.csv",
        &["--client", NAME, "--administration", &rq, "--format", "csv"],
    );

    let rows: Vec<(String, String, String)> = export_rows(&f.dir)
        .into_iter()
        .map(|r| (r.detail, r.record_kind, r.record_id))
        .collect();
    let client = |detail: &str| (detail.to_owned(), "client".to_owned(), f.client_id.clone());
    assert_eq!(
        rows,
        [
            client("csv export"),
            client("json export"),
            client("fhir export"),
            client("csv export"),
            ("json export".to_owned(), String::new(), String::new()),
            (
                "csv export".to_owned(),
                "administration".to_owned(),
                rq.clone()
            ),
        ]
    );
    // The log names no client.
    let out = sb(&f.dir, &["audit"]);
    assert!(!out.stdout.contains(NAME), "{}", out.stdout);
}

/// An ECR-RS without a partner: the CSV's flags and the FHIR bundle say what the page says,
/// the block that did not apply and "based on 3 of 4 relationships".
#[test]
fn exports_say_which_relationship_did_not_apply_and_what_the_globals_rest_on() {
    use crate::support::export_common::{add_client, expect_code, instrument, new_folder, sb, ts};
    use securebase::core::Answer;
    use securebase::store::{Administration, Source, Status, new_id};
    let (_tmp, dir, store) = new_folder();
    let client = add_client(&store, "C-RS", None);
    let rs = instrument("ecr-rs");
    let when = ts("2026-03-01T10:00:00Z");
    let mut a = Administration::new(new_id().unwrap(), &client.id, &rs, Source::ClientMode, when);
    a.not_applicable = vec!["partner".to_owned()];
    for (slot, s) in rs.slots.iter().enumerate() {
        if !s.column.starts_with("partner_") {
            a.set_answer(&rs, slot, Answer::Value(4), when, None)
                .unwrap();
        }
    }
    a.status = Status::Completed;
    a.finished = Some(when);
    store.save_administration(&a).unwrap();
    drop(store);
    let csv = sb(
        &dir,
        &[
            "export", "--client", "C-RS", "--format", "csv", "--output", "-",
        ],
    );
    expect_code(&csv, 0, "csv export");
    assert!(
        csv.stdout.contains("not_applicable:partner"),
        "{}",
        csv.stdout
    );
    assert!(
        csv.stdout
            .contains("based_on:global_anxiety:3_of_4_relationships"),
        "{}",
        csv.stdout
    );
    let fhir = sb(
        &dir,
        &[
            "export", "--client", "C-RS", "--format", "fhir", "--output", "-",
        ],
    );
    expect_code(&fhir, 0, "fhir export");
    assert!(fhir.stdout.contains("based on 3 of 4 relationships"));
}
