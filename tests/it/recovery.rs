//! The recovery sheet on the command line: made at set-up, a typing error caught before any
//! try, a new passphrase with the code, a new sheet that makes the old one useless, every use
//! in the audit log; and `clinician remove` and `rename`.

use std::path::Path;

use crate::support::common::PASS;
use crate::support::run::{
    NEW_PASS_ENV, Out, PASS_ENV, audit_rows, expect_bad_input, expect_code, sb, sb_with,
};

const NEW: &str = "a new passphrase for the clinician";

/// The code printed by `init` (without --recovery-sheet).
fn code_of(out: &Out) -> String {
    out.stdout
        .lines()
        .find_map(|l| l.split("keep it locked away): ").nth(1))
        .expect("init prints the recovery code")
        .trim()
        .to_owned()
}

fn set_up(dir: &Path) -> String {
    let out = sb_with(
        dir,
        &[(PASS_ENV, PASS), (NEW_PASS_ENV, PASS)],
        &["init", "--name", "Dr Ana"],
    );
    expect_code(&out, 0, "init");
    code_of(&out)
}

fn recover(dir: &Path, code: &str) -> Out {
    sb_with(
        dir,
        &[("SECUREBASE_RECOVERY_CODE", code), (NEW_PASS_ENV, NEW)],
        &["recovery", "use", "--clinician", "Dr Ana"],
    )
}

#[test]
fn the_recovery_code_sets_a_new_passphrase_and_a_new_sheet_retires_it() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let code = set_up(&dir);
    assert_eq!(code.len(), 35, "6 groups of 5 with hyphens: {code}");

    // A typing error: named by its group, nothing tried, nothing counted.
    let mut typo: Vec<char> = code.chars().collect();
    typo[13] = if typo[13] == 'A' { 'B' } else { 'A' };
    let typo: String = typo.into_iter().collect();
    expect_bad_input(
        &recover(&dir, &typo),
        &["group 3", "nothing was tried"],
        "typo",
    );
    assert!(
        !dir.join("unlock-attempts.json").exists(),
        "a typo is not a guess"
    );

    // The code, typed loosely (small letters, no hyphens): a new passphrase.
    let loose = code.to_lowercase().replace('-', " ");
    let out = recover(&dir, &loose);
    expect_code(&out, 0, "recovery use");
    expect_bad_input(
        &sb(&dir, &["client", "list"]),
        &["passphrase is wrong"],
        "old one",
    );
    let out = sb_with(&dir, &[(PASS_ENV, NEW)], &["client", "list"]);
    expect_code(&out, 0, "the new passphrase unlocks");

    // A new sheet: the old code opens nothing; the new one does.
    let sheet = tmp.path().join("sheet.pdf");
    let out = sb_with(
        &dir,
        &[(PASS_ENV, NEW)],
        &["recovery", "new", "--output", sheet.to_str().unwrap()],
    );
    expect_code(&out, 0, "recovery new");
    assert!(std::fs::read(&sheet).unwrap().starts_with(b"%PDF"));
    expect_bad_input(&recover(&dir, &code), &["does not open"], "the old sheet");
    let text = std::process::Command::new("pdftotext")
        .args([sheet.to_str().unwrap(), "-"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    let groups: Vec<&str> = text
        .lines()
        .filter(|l| l.len() == 5 && l.chars().all(|c| c.is_ascii_alphanumeric()))
        .collect();
    assert_eq!(groups.len(), 6, "{text}");
    let out = recover(&dir, &groups.join("-"));
    expect_code(&out, 0, "the new sheet's code");

    let rows = audit_rows(&dir, NEW);
    let details: Vec<&str> = rows.iter().map(|r| r[3].as_str()).collect();
    assert!(details.contains(&"recovery sheet made"), "{details:?}");
    assert!(
        details.contains(&"recovery sheet made; the earlier one no longer works"),
        "{details:?}"
    );
    assert_eq!(
        details
            .iter()
            .filter(|d| **d == "new passphrase set with the recovery sheet")
            .count(),
        2,
        "{details:?}"
    );
    // The wrong (old) code was counted as a wrong try.
    assert!(rows.iter().any(|r| r[0] == "failed_unlock"), "{rows:?}");
}

#[test]
fn a_removed_clinician_opens_nothing_and_a_rename_keeps_the_log() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    set_up(&dir);
    let ben = "the passphrase of Ben";
    let out = sb_with(
        &dir,
        &[(PASS_ENV, PASS), (NEW_PASS_ENV, ben)],
        &["clinician", "add", "--name", "Dr Ben"],
    );
    expect_code(&out, 0, "clinician add");
    expect_code(
        &sb(&dir, &["client", "add", "--name", "C-1"]),
        0,
        "client add",
    );
    // What Ben could keep before he goes: his own key file, the folder key file, his
    // passphrase, and so the old folder key.
    let list = sb_with(&dir, &[], &["clinician", "list"]);
    let ben_id = list
        .stdout
        .lines()
        .find(|l| l.contains("Dr Ben"))
        .and_then(|l| l.split('\t').next())
        .unwrap()
        .to_owned();
    let kept = tmp.path().join("kept");
    std::fs::create_dir_all(kept.join("keys")).unwrap();
    for file in [format!("keys/{ben_id}.age"), "keys/folder.age".to_owned()] {
        std::fs::copy(dir.join(&file), kept.join(&file)).unwrap();
    }
    let old_key = crate::support::open_format::folder_secret(
        &kept,
        Path::new(&format!("keys/{ben_id}.age")),
        ben,
    );
    // Nobody removes themselves.
    let out = sb_with(
        &dir,
        &[(PASS_ENV, ben), ("SECUREBASE_CLINICIAN", "Dr Ben")],
        &["clinician", "remove", "--name", "Dr Ben"],
    );
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains("another clinician removes them"),
        "{}",
        out.stderr
    );
    let out = sb_with(
        &dir,
        &[(PASS_ENV, PASS), ("SECUREBASE_CLINICIAN", "Dr Ana")],
        &["clinician", "remove", "--name", "Dr Ben"],
    );
    expect_code(&out, 0, "clinician remove");
    let out = sb_with(&dir, &[(PASS_ENV, ben)], &["client", "list"]);
    assert_eq!(
        out.code, 2,
        "Ben's passphrase opens nothing: {}",
        out.stderr
    );
    // His copy of the old key opens nothing added after the removal, nor what was re-encrypted.
    let out = sb(&dir, &["client", "add", "--name", "C-2"]);
    expect_code(&out, 0, "client add after the removal");
    let clients: Vec<_> = std::fs::read_dir(dir.join("clients"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(clients.len(), 2);
    for client in &clients {
        assert!(
            age::decrypt(&old_key, &std::fs::read(client).unwrap()).is_err(),
            "{} opens with the removed clinician's old key",
            client.display()
        );
    }
    let out = sb(
        &dir,
        &[
            "clinician",
            "rename",
            "--name",
            "Dr Ana",
            "--to",
            "Dr Ana Costa",
        ],
    );
    expect_code(&out, 0, "rename");
    let out = sb(&dir, &["verify"]);
    expect_code(&out, 0, "verify after a removal and a rename");
    let rows = crate::support::run::audit_rows_with_clinician(&dir, PASS);
    assert!(
        rows.iter().any(|r| r[3] == "set up" && r[4] == "Dr Ana"),
        "the set-up keeps the name it was written with: {rows:?}"
    );
    assert!(
        rows.iter()
            .any(|r| r[3].starts_with("clinician Dr Ben removed") && r[4] == "Dr Ana"),
        "{rows:?}"
    );
}
