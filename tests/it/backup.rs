//! `securebase backup`, `backup --verify` and `restore`, end to end through the binary: a
//! backup taken while another process holds the data folder restores into an empty folder
//! where every record decrypts; writes wait for a backup; a damaged or changed archive fails
//! `--verify` naming the entry; a restore never replaces anything.

use crate::support::common;
use crate::support::run;

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::{PASS, assert_same_files, save_client, save_ecr_r, secret, snapshot, temp_data_dir};
use run::{PASS_ENV, audit_rows, expect_bad_input, expect_code, library_store_with_client, sb};
use securebase::store::{Quiet, Store, new_id};

/// A data folder with two clients, three administrations and a questionnaire of the clinic's.
fn populated() -> (tempfile::TempDir, PathBuf) {
    let (tmp, dir, first) = library_store_with_client("Ada Backup", Some(1971));
    let store = Store::open(&dir).unwrap();
    let _keys = store.unlock(&secret(PASS)).unwrap();
    save_ecr_r(
        &store,
        &first,
        &new_id().unwrap(),
        3,
        "2026-01-05T10:00:00Z",
    );
    save_ecr_r(
        &store,
        &first,
        &new_id().unwrap(),
        4,
        "2026-04-05T10:00:00Z",
    );
    let second = save_client(&store, "Ben Backup", None, "notes kept encrypted");
    save_ecr_r(
        &store,
        &second.id,
        &new_id().unwrap(),
        5,
        "2026-02-01T09:00:00Z",
    );
    let own = securebase::core::bundled::BUNDLED
        .iter()
        .find(|(name, _)| name.contains("ecr-s"))
        .map(|(_, text)| *text)
        .unwrap();
    fs::write(dir.join("questionnaires/clinic-ecr-s.json"), own).unwrap();
    (tmp, dir)
}

/// Everything the passphrase opens in `dir`: clients, administrations and the audit log,
/// with no unreadable file.
fn decrypt_all(dir: &Path) -> (Vec<String>, Vec<String>, usize) {
    let store = Store::open(dir).unwrap();
    let keys = store.unlock(&secret(PASS)).unwrap();
    let clients = store.clients(&keys).unwrap();
    assert!(clients.failures.is_empty(), "{:?}", clients.failures);
    let mut administrations = Vec::new();
    for c in &clients.records {
        let loaded = store.administrations(&keys, &c.id).unwrap();
        assert!(loaded.failures.is_empty(), "{:?}", loaded.failures);
        administrations.extend(loaded.records.iter().map(|a| a.id.clone()));
    }
    let audit = store.audit_log(&keys).unwrap();
    assert!(audit.failures.is_empty(), "{:?}", audit.failures);
    administrations.sort();
    (
        clients.records.iter().map(|c| c.name.clone()).collect(),
        administrations,
        audit.records.len(),
    )
}

/// The records and files of a data folder that a restore must give back byte for byte.
fn records(dir: &Path) -> std::collections::BTreeMap<PathBuf, Vec<u8>> {
    snapshot(dir)
}

#[test]
fn a_backup_taken_while_another_process_holds_the_folder_restores_whole() {
    let (tmp, dir) = populated();
    let before = records(&dir);
    // This process holds the data folder, as the app would.
    let holder = Store::open(&dir).unwrap();

    let archive = tmp.path().join("backup.tar");
    let out = sb(&dir, &["backup", "--output", archive.to_str().unwrap()]);
    expect_code(&out, 0, "backup while the folder is held");
    assert!(out.stdout.contains("Backed up"), "{}", out.stdout);
    assert!(
        out.stderr.contains("not in its audit log"),
        "{}",
        out.stderr
    );

    let out = sb(&dir, &["backup", "--verify", archive.to_str().unwrap()]);
    expect_code(&out, 0, "verify");
    assert!(out.stdout.contains("intact"), "{}", out.stdout);
    // Nothing was written in the folder by the backup.
    assert_same_files(&before, &records(&dir), "backup");

    // Into a folder that does not exist yet, and into an empty one.
    for target in [tmp.path().join("restored/new"), tmp.path().join("empty")] {
        if target.ends_with("empty") {
            fs::create_dir(&target).unwrap();
        }
        let out = sb(
            &target,
            &[
                "restore",
                archive.to_str().unwrap(),
                "--data-dir",
                target.to_str().unwrap(),
            ],
        );
        expect_code(&out, 0, "restore");
        let restored = records(&target);
        // Every file is back, byte for byte, plus one audit entry for the restore.
        let added: Vec<&PathBuf> = restored
            .keys()
            .filter(|p| !before.contains_key(*p))
            .collect();
        assert_eq!(added.len(), 1, "{added:?}");
        assert!(added[0].starts_with("audit"), "{added:?}");
        for (path, bytes) in &before {
            assert!(
                restored.get(path) == Some(bytes),
                "{} differs",
                path.display()
            );
        }
        drop(restored);
        let (clients, administrations, audit) = decrypt_all(&target);
        assert_eq!(clients, ["Ada Backup", "Ben Backup"]);
        assert_eq!(administrations.len(), 3);
        let rows = audit_rows(&target, PASS);
        assert!(
            rows.iter()
                .any(|r| r[0] == "create" && r[3].starts_with("restored from a backup taken")),
            "{rows:?}"
        );
        assert!(audit >= 2);
    }
    drop(holder);
}

#[test]
fn a_backup_of_a_free_folder_is_in_its_audit_log_and_odd_files_are_named() {
    let (tmp, dir) = populated();
    fs::write(dir.join("notes.txt"), "not securebase's").unwrap();
    fs::write(dir.join("clients/stray.AGE"), "upper case").unwrap();
    let archive = tmp.path().join("free.tar");
    let out = sb(&dir, &["backup", "-o", archive.to_str().unwrap()]);
    expect_code(&out, 0, "backup");
    for odd in ["notes.txt", "stray.AGE"] {
        assert!(
            out.stderr.contains("not backed up") && out.stderr.contains(odd),
            "{odd}: {}",
            out.stderr
        );
    }
    let rows = audit_rows(&dir, PASS);
    assert!(
        rows.iter()
            .any(|r| r[0] == "export" && r[1] == "data_folder" && r[3].starts_with("backup (")),
        "{rows:?}"
    );
    let names = tar_names(&archive);
    assert_eq!(
        names.last().map(String::as_str),
        Some("securebase-backup.json")
    );
    assert!(
        names
            .iter()
            .any(|n| n == "questionnaires/clinic-ecr-s.json")
    );
    assert!(
        !names
            .iter()
            .any(|n| n.contains("notes") || n.contains("lock")),
        "{names:?}"
    );
}

/// The entry names of a tar archive, in order.
fn tar_names(archive: &Path) -> Vec<String> {
    let mut tar = tar::Archive::new(fs::File::open(archive).unwrap());
    tar.entries()
        .unwrap()
        .map(|e| e.unwrap().path().unwrap().to_string_lossy().into_owned())
        .collect()
}

/// Where entry `name`'s content starts in the archive, and its size.
fn entry_offset(archive: &Path, name: &str) -> (u64, u64) {
    let mut tar = tar::Archive::new(fs::File::open(archive).unwrap());
    for entry in tar.entries().unwrap() {
        let entry = entry.unwrap();
        if entry.path().unwrap().to_string_lossy() == name {
            return (entry.raw_file_position(), entry.size());
        }
    }
    panic!("{name} is not in the archive");
}

#[test]
fn a_changed_or_damaged_archive_fails_verify_naming_the_entry_and_is_never_restored() {
    let (tmp, dir) = populated();
    let archive = tmp.path().join("good.tar");
    expect_code(
        &sb(&dir, &["backup", "-o", archive.to_str().unwrap()]),
        0,
        "backup",
    );
    let good = fs::read(&archive).unwrap();
    let client = tar_names(&archive)
        .into_iter()
        .find(|n| n.starts_with("clients/"))
        .unwrap();

    let check = |bytes: &[u8], needles: &[&str], what: &str| {
        let bad = tmp.path().join("bad.tar");
        fs::write(&bad, bytes).unwrap();
        let out = sb(&dir, &["backup", "--verify", bad.to_str().unwrap()]);
        expect_bad_input(&out, needles, what);
        let target = tmp.path().join("never");
        let out = sb(
            &target,
            &[
                "restore",
                bad.to_str().unwrap(),
                "--data-dir",
                target.to_str().unwrap(),
            ],
        );
        expect_bad_input(&out, needles, what);
        assert!(!target.exists(), "{what}: nothing restored");
    };

    // One byte of a record changed.
    let (at, size) = entry_offset(&archive, &client);
    let mut changed = good.clone();
    changed[usize::try_from(at + size / 2).unwrap()] ^= 0x01;
    check(
        &changed,
        &[&format!("entry {client}"), "SHA-256"],
        "a changed byte",
    );

    // Cut short before the manifest.
    let (manifest_at, _) = entry_offset(&archive, "securebase-backup.json");
    check(
        &good[..usize::try_from(manifest_at - 512).unwrap()],
        &["securebase-backup.json", "incomplete"],
        "cut short",
    );

    // A header damaged (its checksum no longer matches).
    let mut header = good.clone();
    header[usize::try_from(at - 512 + 10).unwrap()] ^= 0x20;
    check(&header, &["damaged after entry"], "a damaged header");

    // An entry added, and one that would climb out of the folder.
    for (name, needle) in [
        ("clients/added.age", "not in the manifest"),
        ("../outside.age", "not a file of a securebase data folder"),
    ] {
        let mut rebuilt = tar::Builder::new(Vec::new());
        let mut source = tar::Archive::new(good.as_slice());
        let mut entries: Vec<(String, Vec<u8>)> = source
            .entries()
            .unwrap()
            .map(|e| {
                let mut e = e.unwrap();
                let name = e.path().unwrap().to_string_lossy().into_owned();
                let mut bytes = Vec::new();
                e.read_to_end(&mut bytes).unwrap();
                (name, bytes)
            })
            .collect();
        entries.insert(
            0,
            (name.to_owned(), b"age-encryption.org/v1 forged".to_vec()),
        );
        for (path, bytes) in &entries {
            let mut h = tar::Header::new_gnu();
            h.set_size(bytes.len() as u64);
            h.set_mode(0o600);
            // `append_data` refuses `..`; a hostile archive is written by hand.
            h.as_gnu_mut().unwrap().name[..path.len()].copy_from_slice(path.as_bytes());
            h.set_cksum();
            rebuilt.append(&h, bytes.as_slice()).unwrap();
        }
        check(
            &rebuilt.into_inner().unwrap(),
            &[&format!("entry {name}"), needle],
            name,
        );
    }
}

#[test]
fn restore_never_replaces_anything_and_backup_is_not_kept_in_the_folder() {
    let (tmp, dir) = populated();
    let archive = tmp.path().join("b.tar");
    expect_code(
        &sb(&dir, &["backup", "-o", archive.to_str().unwrap()]),
        0,
        "backup",
    );

    // A folder with something in it, even a single file, is refused and left as it was.
    let occupied = tmp.path().join("occupied");
    fs::create_dir(&occupied).unwrap();
    fs::write(occupied.join("keep.txt"), "mine").unwrap();
    let out = sb(
        &occupied,
        &[
            "restore",
            archive.to_str().unwrap(),
            "--data-dir",
            occupied.to_str().unwrap(),
        ],
    );
    expect_bad_input(
        &out,
        &["not an empty folder", "Nothing was changed"],
        "occupied",
    );
    assert_eq!(fs::read_dir(&occupied).unwrap().count(), 1);
    // Nor the live data folder itself.
    let before = snapshot(&dir);
    let out = sb(
        &dir,
        &[
            "restore",
            archive.to_str().unwrap(),
            "--data-dir",
            dir.to_str().unwrap(),
        ],
    );
    expect_bad_input(&out, &["not an empty folder"], "over the data folder");
    assert_same_files(&before, &snapshot(&dir), "restore over the data folder");

    // A backup inside the folder it backs up is refused, and so is one of no data folder.
    let inside = dir.join("clients").join("b.tar");
    let out = sb(&dir, &["backup", "-o", inside.to_str().unwrap()]);
    expect_bad_input(&out, &["inside the data folder"], "backup inside");
    assert!(!inside.exists());
    let (_t, nothing) = temp_data_dir();
    let out = sb(
        &nothing,
        &["backup", "-o", tmp.path().join("x.tar").to_str().unwrap()],
    );
    expect_bad_input(&out, &["no securebase data folder"], "no folder");
    assert!(!tmp.path().join("x.tar").exists());
}

/// The backup gate holds writes off across processes: a `client add` started while a backup
/// holds the gate waits, and finishes once the backup lets go.
#[test]
fn writes_wait_while_a_backup_reads_the_folder() {
    let (_tmp, dir, _) = library_store_with_client("Gate Keeper", None);
    let quiet = Quiet::acquire(&dir).unwrap();
    let home = dir.parent().unwrap().join("home");
    let mut child =
        crate::support::bin::in_home(&["client", "add", "--name", "Waiting Wendy"], &home)
            .env("SECUREBASE_DATA", &dir)
            .env(PASS_ENV, PASS)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
    // Long enough for the child to start and reach its write (slowly, under Wine).
    let until = Instant::now() + Duration::from_secs(if cfg!(windows) { 6 } else { 2 });
    while Instant::now() < until {
        assert!(
            child.try_wait().unwrap().is_none(),
            "the write did not wait for the backup"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let clients_before = fs::read_dir(dir.join("clients")).unwrap().count();
    assert_eq!(
        clients_before, 1,
        "no client written while the backup holds the gate"
    );
    drop(quiet);
    let status = child.wait().unwrap();
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert!(status.success(), "{stderr}");
    assert_eq!(fs::read_dir(dir.join("clients")).unwrap().count(), 2);
}
