//! Guessing at the passphrase (REDTEAM L7, L8): after three wrong passphrases in a row each
//! next try waits longer, across restarts, with audit entries; a right passphrase clears the
//! count; a damaged sealed key is reported as damaged, not as a wrong passphrase.
//! (Before: 20 wrong tries at a constant 0.3 s each, and a flipped salt byte read "the
//! passphrase is wrong".)

use std::fs;

use crate::support::common::{self, PASS, UNLOCK_ATTEMPTS};
use crate::support::run::{
    PASS_ENV, audit_rows, expect_bad_input, expect_code, library_store_with_client, sb, sb_with,
};

const WRONG: &str = "not the passphrase";

fn list_with(dir: &std::path::Path, pass: &str) -> crate::support::run::Out {
    sb_with(dir, &[(PASS_ENV, pass)], &["client", "list"])
}

#[test]
fn three_wrong_tries_are_free_then_every_try_waits_even_a_right_one_across_restarts() {
    let (_tmp, dir, _) = library_store_with_client("Guessed At", None);
    for n in 1..=3 {
        let out = list_with(&dir, WRONG);
        expect_bad_input(&out, &["passphrase is wrong"], &format!("wrong try {n}"));
    }
    // Each run is a new process: the count is on disk. The fourth try waits 5 s, right or not.
    for pass in [WRONG, PASS] {
        let out = list_with(&dir, pass);
        expect_bad_input(
            &out,
            &[
                "3 wrong passphrases in a row",
                "try again in",
                "nothing was tried",
            ],
            "a try during the wait",
        );
    }
    // Five seconds later (the last failure moved back in time), the right one opens and
    // clears the count.
    let file = dir.join(UNLOCK_ATTEMPTS);
    let mut count: serde_json::Value = serde_json::from_slice(&fs::read(&file).unwrap()).unwrap();
    assert_eq!(count["failed_in_a_row"], 3, "{count}");
    count["last_failed"] = "2026-01-01T00:00:00Z".into();
    fs::write(&file, serde_json::to_vec(&count).unwrap()).unwrap();
    expect_code(
        &list_with(&dir, PASS),
        0,
        "the right passphrase after the wait",
    );
    assert!(!file.exists(), "a right passphrase clears the count");
    expect_bad_input(
        &list_with(&dir, WRONG),
        &["passphrase is wrong"],
        "free again",
    );

    let rows = audit_rows(&dir, PASS);
    let failed: Vec<&str> = rows
        .iter()
        .filter(|r| r[0] == "failed_unlock")
        .map(|r| r[3].as_str())
        .collect();
    assert_eq!(failed.len(), 6, "{rows:?}");
    assert_eq!(&failed[..2], ["wrong passphrase", "wrong passphrase"]);
    assert!(
        failed[2].contains("3 in a row; the next try waits 5 s"),
        "{failed:?}"
    );
    for refused in &failed[3..5] {
        assert!(refused.starts_with("refused without trying"), "{failed:?}");
    }
}

#[test]
fn a_damaged_identity_is_reported_as_damaged_and_not_counted_as_a_guess() {
    let (_tmp, dir, _) = library_store_with_client("Damaged Key", None);
    let key = common::key_file(&dir);
    let path = dir.join(&key);
    let mut sealed = fs::read(&path).unwrap();
    // Inside the scrypt stanza's salt: age itself can only say "no matching keys".
    sealed[30] ^= 0x01;
    fs::write(&path, &sealed).unwrap();
    for _ in 0..4 {
        let out = list_with(&dir, PASS);
        expect_code(&out, 1, "a damaged key is not the user's input");
        assert!(
            out.stderr
                .contains(&format!("{} is damaged", key.display()))
                && out.stderr.contains("backup"),
            "{}",
            out.stderr
        );
        assert!(
            !out.stderr.contains("passphrase is wrong"),
            "{}",
            out.stderr
        );
    }
    assert!(
        !dir.join(UNLOCK_ATTEMPTS).exists(),
        "a damaged key is not a wrong passphrase"
    );
}

#[test]
fn a_folder_without_a_checksum_gets_one_on_the_first_right_unlock() {
    let (_tmp, dir, _) = library_store_with_client("Older Folder", None);
    let mut sum = dir.join(common::key_file(&dir)).into_os_string();
    sum.push(".sha256");
    let sum = std::path::PathBuf::from(sum);
    let written = fs::read(&sum).unwrap();
    fs::remove_file(&sum).unwrap();
    expect_bad_input(
        &list_with(&dir, WRONG),
        &["passphrase is wrong"],
        "no checksum yet",
    );
    assert!(!sum.exists(), "a wrong passphrase writes no checksum");
    expect_code(&sb(&dir, &["client", "list"]), 0, "right passphrase");
    assert_eq!(fs::read(&sum).unwrap(), written);
}
