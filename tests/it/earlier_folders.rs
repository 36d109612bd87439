//! Data folders made by earlier releases (`tests/data/folders/`, each made by that release's
//! own binary): the current securebase reads every record and every audit entry of a copy,
//! and prints what that release printed for them.

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
    assert!(
        !out.stderr.contains("warning"),
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
        assert_eq!(out.stdout, expected(file), "{client}'s history");
    }
    let out = run(&dir, &["export", "--all", "--format", "csv", "-o", "-"]);
    assert_eq!(out.stdout, expected("export.csv"), "the research export");

    // Every entry 0.1.0 wrote is there, in its order, with what it said; newer ones follow.
    let out = run(&dir, &["audit"]);
    let printed = expected("audit.tsv");
    let then: Vec<&str> = printed.lines().collect();
    let now: Vec<&str> = out.stdout.lines().collect();
    assert!(then.len() > 10, "the fixture has its audit log");
    assert_eq!(&now[..then.len()], &then[..], "the audit log of 0.1.0");
}
