//! `securebase enter --date`: the date written on a paper form dates the administration in
//! every output (history, change, exports, FHIR, the report), orders it in the client's course
//! before forms given later but keyed in earlier, and is refused, naming `--date` and saving
//! nothing, when it is not a calendar date, is in the future or is before 1900.

use serde_json::Value;

use crate::support::common::{administration_ids, assert_same_files, ecr_r_line, snapshot};
use crate::support::run::{Out, expect_bad_input, expect_code, library_store_with_client, sb};

const NAME: &str = "Paper Pat";

fn enter(dir: &std::path::Path, answers: &str, date: Option<&str>) -> Out {
    let mut args = vec![
        "enter",
        "--client",
        NAME,
        "--instrument",
        "ecr-r",
        "--answers",
        answers,
    ];
    if let Some(d) = date {
        args.extend(["--date", d]);
    }
    sb(dir, &args)
}

fn history(dir: &std::path::Path) -> Vec<Value> {
    let out = sb(dir, &["history", "--client", NAME, "--format", "json"]);
    expect_code(&out, 0, "history");
    let doc: Value = serde_json::from_str(&out.stdout).unwrap();
    doc["administrations"].as_array().unwrap().clone()
}

#[test]
fn a_paper_forms_date_dates_it_everywhere_and_orders_the_course() {
    let (_tmp, dir, client_id) = library_store_with_client(NAME, Some(1990));
    let today = jiff::ZonedDateTime::now().date();

    // Keyed in first: a form filled today (no --date), anxiety 2, avoidance 3.
    let out = enter(&dir, &ecr_r_line(2, 3), None);
    expect_code(&out, 0, "enter without --date");
    assert!(
        out.stdout
            .contains(&format!("given {today} (paper, single entry)")),
        "{}",
        out.stdout
    );
    // Keyed in second: the intake form, dated 5 March 2026 on the paper, anxiety 6, avoidance 5.
    let out = enter(&dir, &ecr_r_line(6, 5), Some("2026-03-05"));
    expect_code(&out, 0, "enter --date");
    assert!(
        out.stdout
            .contains("given 2026-03-05 (paper, single entry)"),
        "{}",
        out.stdout
    );

    // history: the dated form first, with its date and mode; keyed in (started) today.
    let rows = history(&dir);
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["date"], "2026-03-05");
    assert_eq!(rows[0]["mode"], "paper, single entry");
    assert_eq!(rows[0]["source"], "paper_entry");
    assert_eq!(rows[0]["scores"]["anxiety"], 6.0);
    let keyed: jiff::Timestamp = rows[0]["started"].as_str().unwrap().parse().unwrap();
    assert!(
        keyed > "2026-03-06T00:00:00Z".parse().unwrap(),
        "started is when it was keyed in"
    );
    assert_eq!(rows[1]["date"], today.to_string());
    assert_eq!(rows[1]["scores"]["anxiety"], 2.0);

    // change: the later form against the dated intake, in that order.
    let out = sb(&dir, &["change", "--client", NAME, "--format", "json"]);
    expect_code(&out, 0, "change");
    let change: Value = serde_json::from_str(&out.stdout).unwrap();
    let rows: Vec<&Value> = change
        .as_array()
        .or_else(|| change["changes"].as_array())
        .unwrap_or_else(|| panic!("change rows in {change:#}"))
        .iter()
        .filter(|r| r["score"] == "anxiety")
        .collect();
    assert_eq!(rows.len(), 1, "{change:#}");
    assert_eq!(rows[0]["since_date"], "5 Mar 2026");
    assert_eq!(rows[0]["before"], 6.0);
    assert_eq!(rows[0]["after"], 2.0);

    // The research export and FHIR carry the form's date.
    let out = sb(
        &dir,
        &["export", "--client", NAME, "--format", "json", "-o", "-"],
    );
    expect_code(&out, 0, "export json");
    let table: Value = serde_json::from_str(&out.stdout).unwrap();
    let dates: Vec<&str> = table
        .as_array()
        .or_else(|| table["administrations"].as_array())
        .unwrap_or_else(|| panic!("rows in {table:#}"))
        .iter()
        .map(|r| r["date"].as_str().unwrap())
        .collect();
    assert!(dates.contains(&"2026-03-05"), "{dates:?}");
    let out = sb(
        &dir,
        &["export", "--client", NAME, "--format", "fhir", "-o", "-"],
    );
    expect_code(&out, 0, "export fhir");
    assert!(
        out.stdout.contains("\"authored\": \"2026-03-05\""),
        "{}",
        out.stdout
    );
    assert_eq!(administration_ids(&dir, &client_id).len(), 2);
}

#[test]
fn a_date_that_is_not_the_forms_is_refused_and_nothing_is_saved() {
    let (_tmp, dir, client_id) = library_store_with_client(NAME, None);
    let before = snapshot(&dir);
    let tomorrow = jiff::ZonedDateTime::now()
        .date()
        .tomorrow()
        .unwrap()
        .to_string();
    for (date, needles) in [
        ("2026-13-01", vec!["--date", "2026-13-01", "YYYY-MM-DD"]),
        ("2026-02-30", vec!["--date", "2026-02-30", "YYYY-MM-DD"]),
        ("05/03/2026", vec!["--date", "05/03/2026", "YYYY-MM-DD"]),
        ("2026-3-5", vec!["--date", "2026-3-5", "YYYY-MM-DD"]),
        ("", vec!["--date", "YYYY-MM-DD"]),
        (
            tomorrow.as_str(),
            vec!["--date", tomorrow.as_str(), "after today"],
        ),
        ("1899-12-31", vec!["--date", "1899-12-31", "before 1900"]),
    ] {
        let out = enter(&dir, &ecr_r_line(4, 4), Some(date));
        expect_bad_input(&out, &needles, &format!("--date {date:?}"));
    }
    assert_same_files(&before, &snapshot(&dir), "refused dates");
    assert!(administration_ids(&dir, &client_id).is_empty());
}
