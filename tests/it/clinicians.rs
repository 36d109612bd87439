//! Several clinicians in one data folder (`securebase clinician add|list`,
//! `SECUREBASE_CLINICIAN`): each unlocks with their own passphrase, the audit log names each,
//! a passphrase or a name is never shared, and adding one needs an unlocked one.

use std::fs;
use std::path::Path;

use crate::support::common::{snapshot, temp_data_dir};
use crate::support::run::{
    NEW_PASS_ENV, Out, PASS_ENV, audit_rows_with_clinician, expect_bad_input, expect_code, sb_with,
};

const ANA: &str = "passphrase of Ana";
const BEN: &str = "passphrase of Ben";
const CLINICIAN_ENV: &str = "SECUREBASE_CLINICIAN";

fn as_who(dir: &Path, who: Option<&str>, pass: &str, args: &[&str]) -> Out {
    let mut env = vec![(PASS_ENV, pass)];
    if let Some(who) = who {
        env.push((CLINICIAN_ENV, who));
    }
    sb_with(dir, &env, args)
}

fn names(dir: &Path) -> Vec<String> {
    let out = sb_with(dir, &[], &["clinician", "list"]);
    expect_code(&out, 0, "clinician list");
    let mut lines = out.stdout.lines();
    assert_eq!(lines.next(), Some("id\tname\tadded"));
    lines
        .map(|l| l.split('\t').nth(1).unwrap().to_owned())
        .collect()
}

/// A folder of Dr Ana's, with Dr Ben added by her.
fn ana_and_ben() -> (tempfile::TempDir, std::path::PathBuf) {
    let (tmp, dir) = temp_data_dir();
    let out = as_who(&dir, None, ANA, &["init", "--name", "Dr Ana"]);
    expect_code(&out, 0, "init");
    assert!(
        out.stdout.contains("First clinician: Dr Ana"),
        "{}",
        out.stdout
    );
    let out = sb_with(
        &dir,
        &[(PASS_ENV, ANA), (NEW_PASS_ENV, BEN)],
        &["clinician", "add", "--name", "Dr Ben"],
    );
    expect_code(&out, 0, "clinician add");
    (tmp, dir)
}

#[test]
fn a_second_clinician_unlocks_with_their_own_passphrase_and_the_audit_log_names_each() {
    let (_tmp, dir) = ana_and_ben();
    assert_eq!(names(&dir), ["Dr Ana", "Dr Ben"]);
    let add = |who, pass, name: &str| {
        let out = as_who(&dir, who, pass, &["client", "add", "--name", name]);
        expect_code(&out, 0, "client add");
    };
    add(None, BEN, "Client of Ben");
    add(Some("dr ben"), BEN, "Another of Ben");
    add(Some("Dr Ana"), ANA, "Client of Ana");
    // Ben's passphrase is not Ana's.
    expect_bad_input(
        &as_who(&dir, Some("Dr Ana"), BEN, &["client", "list"]),
        &["passphrase is wrong"],
        "Ben's passphrase as Ana",
    );
    expect_bad_input(
        &as_who(&dir, Some("Dr Nobody"), ANA, &["client", "list"]),
        &["no clinician", "Dr Nobody"],
        "an unknown clinician",
    );

    let rows = audit_rows_with_clinician(&dir, ANA);
    let by = |detail_kind: &str, clinician: &str| {
        rows.iter()
            .filter(|r| r[0] == "create" && r[1] == detail_kind && r[4] == clinician)
            .count()
    };
    assert_eq!(by("client", "Dr Ben"), 2, "{rows:?}");
    assert_eq!(by("client", "Dr Ana"), 1, "{rows:?}");
    // The set-up, and its recovery sheet.
    assert_eq!(
        by("data_folder", "Dr Ana"),
        2,
        "the set-up is Ana's: {rows:?}"
    );
    assert!(
        rows.iter()
            .any(|r| r[1] == "clinician" && r[3] == "clinician Dr Ben added" && r[4] == "Dr Ana"),
        "{rows:?}"
    );
    let failed: Vec<&[String; 5]> = rows.iter().filter(|r| r[0] == "failed_unlock").collect();
    assert_eq!(failed.len(), 1, "{rows:?}");
    assert_eq!(failed[0][3], "wrong passphrase for Dr Ana");
    assert_eq!(failed[0][4], "", "nobody unlocked: the entry names no one");
}

#[test]
fn names_and_passphrases_are_never_shared_and_adding_needs_an_unlocked_clinician() {
    let (_tmp, dir) = ana_and_ben();
    let before = snapshot(&dir);
    let add = |pass: &str, new: &str, name: &str| {
        sb_with(
            &dir,
            &[(PASS_ENV, pass), (NEW_PASS_ENV, new)],
            &["clinician", "add", "--name", name],
        )
    };
    expect_bad_input(
        &add(ANA, BEN, "Dr Cleo"),
        &["already another clinician's"],
        "Ben's passphrase again",
    );
    expect_bad_input(
        &add(ANA, "passphrase of Cleo", " dr BEN "),
        &["already a clinician called"],
        "Ben's name again",
    );
    expect_bad_input(
        &add("not a passphrase", "passphrase of Cleo", "Dr Cleo"),
        &["passphrase is wrong"],
        "nobody unlocked",
    );
    expect_bad_input(
        &add(ANA, "passphrase of Cleo", "  "),
        &["needs a name"],
        "no name",
    );
    assert_eq!(names(&dir), ["Dr Ana", "Dr Ben"]);
    let keys = |snap: &std::collections::BTreeMap<std::path::PathBuf, Vec<u8>>| {
        snap.keys()
            .filter(|p| p.starts_with("keys") || p.starts_with("securebase.json"))
            .cloned()
            .collect::<Vec<_>>()
    };
    assert_eq!(keys(&snapshot(&dir)), keys(&before), "no key was written");
}

#[test]
fn a_clinician_changes_only_their_own_passphrase() {
    let (_tmp, dir) = ana_and_ben();
    let out = sb_with(
        &dir,
        &[
            (PASS_ENV, BEN),
            (CLINICIAN_ENV, "Dr Ben"),
            (NEW_PASS_ENV, "Ben's new one"),
        ],
        &["change-passphrase"],
    );
    expect_code(&out, 0, "change-passphrase");
    expect_code(
        &as_who(&dir, None, "Ben's new one", &["client", "list"]),
        0,
        "Ben, new",
    );
    expect_code(
        &as_who(&dir, None, ANA, &["client", "list"]),
        0,
        "Ana, unchanged",
    );
    expect_bad_input(
        &as_who(&dir, Some("Dr Ben"), BEN, &["client", "list"]),
        &["passphrase is wrong"],
        "Ben's old passphrase",
    );
    // Each clinician's key is a standard age file with its checksum beside it.
    let mut extensions: Vec<String> = fs::read_dir(dir.join("keys"))
        .unwrap()
        .map(|e| {
            let path = e.unwrap().path();
            path.extension().unwrap().to_string_lossy().into_owned()
        })
        .collect();
    extensions.sort();
    // (and keys/folder.age, the folder key for both, and the recovery key made at set-up)
    assert_eq!(
        extensions,
        ["age", "age", "age", "age", "sha256", "sha256", "sha256"]
    );
}
