//! REDTEAM H1: an administration moved or copied into another client's folder was shown,
//! scored, reported and exported as that client's. Now it is set apart: named with the reason
//! by every command that reads it, never counted as the folder's client's, and nothing is moved
//! or deleted. (Before the fix, `history --client Alice` listed Bob's ECR-R as Alice's.)

use std::fs;
use std::path::Path;

use crate::support::common::{self, save_client, secret, snapshot, temp_data_dir};
use crate::support::run::{Out, expect_code, sb};

use securebase::store::{Store, new_id};

/// Data rows of a CSV (the header dropped).
fn data_rows(out: &Out) -> usize {
    out.stdout.lines().skip(1).filter(|l| !l.is_empty()).count()
}

fn folder(dir: &Path, client_id: &str) -> std::path::PathBuf {
    dir.join("administrations").join(client_id)
}

/// Alice with no administration, Bob with one completed ECR-R.
fn alice_and_bob() -> (
    tempfile::TempDir,
    std::path::PathBuf,
    String,
    String,
    String,
) {
    let (tmp, dir) = temp_data_dir();
    let (store, _keys) = Store::init(
        &dir,
        "Test Clinician",
        &secret(common::PASS),
        common::WORK_FACTOR,
    )
    .unwrap();
    let alice = save_client(&store, "Alice", None, "").id;
    let bob = save_client(&store, "Bob", None, "").id;
    let administration = new_id().unwrap();
    common::save_ecr_r(&store, &bob, &administration, 7, "2026-03-01T10:00:00Z");
    (tmp, dir, alice, bob, administration)
}

fn assert_set_apart(out: &Out, file: &str, owner: &str, what: &str) {
    assert!(
        out.stderr.contains("set apart") && out.stderr.contains(file),
        "{what}: the misplaced file should be named as set apart:\n{}",
        out.stderr
    );
    assert!(
        out.stderr.contains(&format!("belongs to client {owner}")),
        "{what}: the reason should name its own client:\n{}",
        out.stderr
    );
}

#[test]
fn an_administration_moved_into_another_clients_folder_is_set_apart_everywhere() {
    let (_tmp, dir, alice, bob, administration) = alice_and_bob();
    fs::create_dir_all(folder(&dir, &alice)).unwrap();
    let name = format!("{administration}.age");
    fs::rename(
        folder(&dir, &bob).join(&name),
        folder(&dir, &alice).join(&name),
    )
    .unwrap();
    let before = snapshot(&dir);

    let history = sb(&dir, &["history", "--client", "Alice"]);
    expect_code(&history, 0, "history");
    assert_eq!(
        data_rows(&history),
        0,
        "not in Alice's history: {}",
        history.stdout
    );
    assert_set_apart(&history, &name, &bob, "history");

    let export = sb(
        &dir,
        &["export", "--client", "Alice", "--format", "csv", "-o", "-"],
    );
    expect_code(&export, 0, "export");
    assert!(
        !export.stdout.contains(&administration),
        "not exported as Alice's:\n{}",
        export.stdout
    );
    assert_set_apart(&export, &name, &bob, "export");

    let report = dir.parent().unwrap().join("alice.pdf");
    let out = sb(
        &dir,
        &[
            "report",
            "--client",
            "Alice",
            "-o",
            report.to_str().unwrap(),
        ],
    );
    assert_set_apart(&out, &name, &bob, "report");

    let all = sb(&dir, &["export", "--format", "csv", "-o", "-"]);
    assert!(!all.stdout.contains(&administration), "{}", all.stdout);

    // Quarantine moves nothing and deletes nothing (the audit log grows, nothing else).
    assert_eq!(
        common::outside_audit(&snapshot(&dir)),
        common::outside_audit(&before)
    );
}

#[test]
fn a_copy_stays_its_clients_and_is_set_apart_in_the_other_folder() {
    let (_tmp, dir, alice, bob, administration) = alice_and_bob();
    fs::create_dir_all(folder(&dir, &alice)).unwrap();
    let name = format!("{administration}.age");
    fs::copy(
        folder(&dir, &bob).join(&name),
        folder(&dir, &alice).join(&name),
    )
    .unwrap();

    let bobs = sb(&dir, &["history", "--client", "Bob"]);
    expect_code(&bobs, 0, "Bob's history");
    assert_eq!(data_rows(&bobs), 1, "{}", bobs.stdout);
    assert!(!bobs.stderr.contains("set apart"), "{}", bobs.stderr);

    let alices = sb(&dir, &["history", "--client", "Alice"]);
    assert_eq!(data_rows(&alices), 0, "{}", alices.stdout);
    assert_set_apart(&alices, &name, &bob, "Alice's history");
}

#[test]
fn swapped_folders_swap_nothing() {
    let (_tmp, dir, alice, bob, _) = alice_and_bob();
    let store = Store::open(&dir).unwrap();
    let _keys = store.unlock(&common::secret(common::PASS)).unwrap();
    common::save_ecr_r(
        &store,
        &alice,
        &new_id().unwrap(),
        2,
        "2026-03-02T10:00:00Z",
    );
    drop(store);
    let parked = dir.join("administrations").join("parked");
    fs::rename(folder(&dir, &alice), &parked).unwrap();
    fs::rename(folder(&dir, &bob), folder(&dir, &alice)).unwrap();
    fs::rename(&parked, folder(&dir, &bob)).unwrap();

    for (client, owner) in [("Alice", &bob), ("Bob", &alice)] {
        let out = sb(&dir, &["history", "--client", client]);
        expect_code(&out, 0, "history");
        assert_eq!(data_rows(&out), 0, "{client}: {}", out.stdout);
        assert!(
            out.stderr.contains(&format!("belongs to client {owner}")),
            "{}",
            out.stderr
        );
    }
}
