//! Data folders made by earlier releases (`tests/data/folders/`, each made by that release's
//! own binary): the current securebase reads every record and every audit entry of a copy,
//! and prints what that release printed for them, with the fields added since (each
//! administration's mode in words and its date, issue 15) and nothing else changed.

use std::fs;
use std::path::{Path, PathBuf};

use crate::support::run::{Out, PASS_ENV, expect_code, sb_with};

const V0_1_0_PASS: &str = "fixture passphrase 0.1.0";

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/folders")
        .join(name)
}

/// A copy of `from` in `to` (the committed folder is never opened itself).
fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).unwrap();
        }
    }
}

fn run(dir: &Path, args: &[&str]) -> Out {
    let out = sb_with(dir, &[(PASS_ENV, V0_1_0_PASS)], args);
    expect_code(&out, 0, &args.join(" "));
    // A folder of 0.1.0 has the modes its umask gave (REDTEAM M3): said, and nothing else.
    let warnings: Vec<&str> = out
        .stderr
        .lines()
        .filter(|l| l.contains("warning") && !l.contains("other users of this computer"))
        .collect();
    assert!(
        warnings.is_empty(),
        "{}: nothing is skipped or set apart:\n{}",
        args.join(" "),
        out.stderr
    );
    out
}

#[test]
fn a_folder_made_by_0_1_0_keeps_every_record_and_audit_entry() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let made = fixture("v0.1.0");
    copy_tree(&made.join("data"), &dir);
    let expected = |file: &str| fs::read_to_string(made.join(file)).unwrap();

    for (client, file) in [
        ("Fixture Alice", "history-alice.json"),
        ("Fixture Bob", "history-bob.json"),
    ] {
        let out = run(&dir, &["history", "--client", client, "--format", "json"]);
        assert_history_as_made(&out.stdout, &expected(file), client);
    }
    let out = run(&dir, &["export", "--all", "--format", "csv", "-o", "-"]);
    assert_export_as_made(&out.stdout, &expected("export.csv"));

    // Every entry 0.1.0 wrote is there, in its order, with what it said (and no clinician:
    // there were none); newer ones follow, naming the clinician.
    let out = run(&dir, &["audit"]);
    let printed = expected("audit.tsv");
    let then: Vec<String> = printed.lines().skip(1).map(|l| format!("{l}\t")).collect();
    let now: Vec<&str> = out.stdout.lines().skip(1).collect();
    assert!(then.len() > 10, "the fixture has its audit log");
    assert_eq!(&now[..then.len()], &then[..], "the audit log of 0.1.0");
    let migrated = now
        .iter()
        .find(|l| l.contains("the one shared passphrase became the first clinician's"))
        .expect("the migration is in the audit log");
    assert!(migrated.ends_with("\tClinician 1"), "{migrated}");
    assert!(now.last().unwrap().ends_with("\tClinician 1"), "{now:?}");

    // The folder is migrated: one clinician with the old passphrase, its key in keys/, the
    // old identity.age gone, and securebase.json format 2.
    assert!(!dir.join("identity.age").exists());
    let list = sb_with(&dir, &[], &["clinician", "list"]);
    expect_code(&list, 0, "clinician list");
    let rows: Vec<&str> = list.stdout.lines().skip(1).collect();
    assert_eq!(rows.len(), 1, "{}", list.stdout);
    assert_eq!(rows[0].split('\t').nth(1), Some("Clinician 1"));
    let meta: serde_json::Value =
        serde_json::from_slice(&fs::read(dir.join("securebase.json")).unwrap()).unwrap();
    assert_eq!(meta["format"], 3, "{meta}");
    // And it reads again, the same, with the same passphrase.
    let out = run(
        &dir,
        &["history", "--client", "Fixture Bob", "--format", "json"],
    );
    assert_history_as_made(&out.stdout, &expected("history-bob.json"), "Fixture Bob");
}

/// A migration killed between its steps leaves a folder that opens with the old passphrase:
/// before `securebase.json` names the clinician, it is still a folder of 0.1.0 (a key copied
/// into keys/ is never tried); after, the old `identity.age` is cleared away at the next open.
#[test]
fn a_migration_killed_between_its_steps_leaves_a_folder_that_opens() {
    let made = fixture("v0.1.0");
    // Killed after the key was copied into keys/, before securebase.json named the clinician.
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    copy_tree(&made.join("data"), &dir);
    fs::create_dir_all(dir.join("keys")).unwrap();
    fs::copy(
        dir.join("identity.age"),
        dir.join("keys/00000000000000000000000000000001.age"),
    )
    .unwrap();
    fs::write(
        dir.join("keys/folder.age"),
        b"written for a clinician never named",
    )
    .unwrap();
    alice_reads_as_made(&dir, &made);
    assert!(
        !dir.join("keys/00000000000000000000000000000001.age")
            .exists(),
        "a key no clinician is named for does not stay"
    );

    // Killed after securebase.json named the clinician, before identity.age was removed.
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    copy_tree(&made.join("data"), &dir);
    run(&dir, &["client", "list"]);
    fs::copy(made.join("data/identity.age"), dir.join("identity.age")).unwrap();
    alice_reads_as_made(&dir, &made);
    assert!(
        !dir.join("identity.age").exists(),
        "the leftover is cleared"
    );
}

/// Alice's history reads as 0.1.0 printed it.
fn alice_reads_as_made(dir: &Path, made: &Path) {
    let out = run(
        dir,
        &["history", "--client", "Fixture Alice", "--format", "json"],
    );
    assert_history_as_made(
        &out.stdout,
        &fs::read_to_string(made.join("history-alice.json")).unwrap(),
        "Fixture Alice",
    );
}

/// The day an administration of 0.1.0 was given: the day it started, in this computer's time
/// zone (0.1.0 had no paper form dates).
fn day_started(started: &serde_json::Value) -> String {
    let started: jiff::Timestamp = started.as_str().unwrap().parse().unwrap();
    started
        .to_zoned_datetime(jiff::tz::TimeZone::system())
        .date()
        .to_string()
}

/// `history --format json` now against what 0.1.0 printed: the same client, the same
/// administrations in the same order, every field 0.1.0 printed with its value, and added
/// only `mode` (the words for `source`) and `date`.
fn assert_history_as_made(now: &str, then: &str, client: &str) {
    let now: serde_json::Value = serde_json::from_str(now).unwrap();
    let then: serde_json::Value = serde_json::from_str(then).unwrap();
    assert_eq!(now["client"], then["client"], "{client}");
    let (now, then) = (
        now["administrations"].as_array().unwrap(),
        then["administrations"].as_array().unwrap(),
    );
    assert_eq!(now.len(), then.len(), "{client}'s administrations");
    assert!(!then.is_empty());
    for (n, t) in now.iter().zip(then) {
        let (n, t) = (n.as_object().unwrap(), t.as_object().unwrap());
        for (key, value) in t {
            assert_eq!(
                n.get(key),
                Some(value),
                "{client}: {key} of {}",
                t["administration"]
            );
        }
        let mut added: Vec<&str> = n
            .keys()
            .filter(|k| !t.contains_key(*k))
            .map(String::as_str)
            .collect();
        added.sort_unstable();
        assert_eq!(added, ["date", "mode"], "{client}: only these are new");
        let mode = match t["source"].as_str().unwrap() {
            "client_mode" => "client mode",
            "paper_entry" => "paper, single entry",
            other => panic!("0.1.0 had no source {other}"),
        };
        assert_eq!(n["mode"], mode);
        assert_eq!(n["date"].as_str().unwrap(), day_started(&t["started"]));
    }
}

/// The research export now against 0.1.0's: the same rows in the same order, every column of
/// 0.1.0 with its values, and one column added, `date`, after `source`.
fn assert_export_as_made(now: &str, then: &str) {
    let read = |text: &str| -> Vec<Vec<String>> {
        csv::Reader::from_reader(text.as_bytes())
            .into_records()
            .map(|r| r.unwrap().iter().map(str::to_owned).collect())
            .collect()
    };
    let header = |text: &str| -> Vec<String> {
        csv::Reader::from_reader(text.as_bytes())
            .headers()
            .unwrap()
            .iter()
            .map(str::to_owned)
            .collect()
    };
    let (now_header, then_header) = (header(now), header(then));
    let mut expected_header = then_header.clone();
    let at = then_header.iter().position(|c| c == "source").unwrap() + 1;
    expected_header.insert(at, "date".to_owned());
    assert_eq!(now_header, expected_header, "the export's columns");
    let (now_rows, then_rows) = (read(now), read(then));
    assert_eq!(now_rows.len(), then_rows.len(), "the export's rows");
    assert!(!then_rows.is_empty());
    let started = then_header.iter().position(|c| c == "started").unwrap();
    for (n, t) in now_rows.iter().zip(&then_rows) {
        let mut n = n.clone();
        let date = n.remove(at);
        assert_eq!(&n, t, "a row of the export");
        assert_eq!(
            date,
            day_started(&serde_json::Value::String(t[started].clone()))
        );
    }
}
