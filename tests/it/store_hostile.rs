//! The data folder is never trusted blindly (REDTEAM M3, M4, L5, L6, L10, L11, L12): each
//! test here reproduced its finding before the fix. The real binary, on folders made with the
//! library and then tampered with as the red team did.

// Several tests here need Unix (FIFOs, modes, links); on Windows their helpers go unused.
#![cfg_attr(not(unix), allow(unused_imports, dead_code))]

use std::fs;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use crate::support::common::{PASS, WORK_FACTOR, save_client, secret, temp_data_dir};
use crate::support::run::{expect_bad_input, expect_code, library_store_with_client, sb};
use securebase::store::Store;

#[cfg(unix)]
fn mkfifo(path: &Path) {
    assert!(
        Command::new("mkfifo").arg(path).status().unwrap().success(),
        "mkfifo {}",
        path.display()
    );
}

/// M3: folders 0700 and files 0600 whatever the umask (000 here: every folder was 0777 and
/// `lock` 0666), and a folder opened up later is reported, not silently used.
#[cfg(unix)]
#[test]
fn modes_are_private_whatever_the_umask_and_wider_ones_are_reported() {
    use std::os::unix::fs::PermissionsExt;
    let (_tmp, dir) = temp_data_dir();
    // The umask is the process's: set it for `init` only, in a shell.
    let bin = env!("CARGO_BIN_EXE_securebase");
    let status = Command::new("sh")
        .arg("-c")
        .arg(format!("umask 000; exec '{bin}' init"))
        .env("SECUREBASE_DATA", &dir)
        .env("SECUREBASE_PASSPHRASE", PASS)
        .env("SECUREBASE_SCRYPT_WORK_FACTOR", WORK_FACTOR.to_string())
        .env("HOME", dir.parent().unwrap())
        .output()
        .unwrap();
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&dir), 0o700, "the data folder");
    for entry in fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let want = if path.is_dir() { 0o700 } else { 0o600 };
        assert_eq!(mode(&path), want, "{}", path.display());
    }
    let out = sb(&dir, &["client", "list"]);
    expect_code(&out, 0, "client list");
    assert!(!out.stderr.contains("other users"), "{}", out.stderr);
    fs::set_permissions(dir.join("clients"), fs::Permissions::from_mode(0o755)).unwrap();
    let out = sb(&dir, &["client", "list"]);
    expect_code(&out, 0, "client list");
    assert!(
        out.stderr
            .contains("other users of this computer can see into the data folder")
            && out.stderr.contains("clients (0755)"),
        "{}",
        out.stderr
    );
}

/// M4: a FIFO in place of a clinician's key hung every command; a FIFO, a link to a device,
/// a stray file and an upper-case `.AGE` among the clients were skipped without a word (L11).
#[cfg(unix)]
#[test]
fn planted_files_are_named_and_nothing_hangs() {
    let (_tmp, dir, id) = library_store_with_client("Alice", None);
    let clients = dir.join("clients");
    mkfifo(&clients.join(format!("{}.age", "e".repeat(32))));
    std::os::unix::fs::symlink("/dev/zero", clients.join(format!("{}.age", "f".repeat(32))))
        .unwrap();
    fs::write(clients.join("notes.txt"), "left by someone").unwrap();
    fs::rename(
        clients.join(format!("{id}.age")),
        clients.join(format!("{id}.AGE")),
    )
    .unwrap();
    let started = Instant::now();
    let out = sb(&dir, &["client", "list"]);
    expect_code(&out, 0, "client list");
    assert!(started.elapsed() < Duration::from_secs(20));
    for needle in [
        "a named pipe (FIFO), not a record",
        "a symbolic link, not a record",
        "notes.txt: not a record securebase wrote",
        ".AGE: named with an upper-case extension",
        // Alice's administrations folder does not exist: no orphan to report here.
    ] {
        assert!(
            out.stderr.contains(needle),
            "{needle:?} in:\n{}",
            out.stderr
        );
    }
    // The clinician's key as a FIFO: a named refusal, at once.
    let keys = dir.join("keys");
    let key = fs::read_dir(&keys)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            name.len() == 36 && p.extension().is_some_and(|e| e == "age")
        })
        .unwrap();
    fs::rename(&key, keys.join("saved")).unwrap();
    mkfifo(&key);
    let started = Instant::now();
    let out = sb(&dir, &["client", "list"]);
    assert!(started.elapsed() < Duration::from_secs(20), "it hung");
    assert_ne!(out.code, 0);
    assert!(
        out.stderr.contains("named pipe (FIFO), not a regular file"),
        "{}",
        out.stderr
    );
}

/// L11: a client's record removed, its administrations left: said, with their count; the
/// whole `clients/` folder removed: said.
#[test]
fn orphaned_administrations_and_a_missing_clients_folder_are_reported() {
    let (_tmp, dir) = temp_data_dir();
    let (store, _keys) = Store::init(&dir, "Test Clinician", &secret(PASS), WORK_FACTOR).unwrap();
    let alice = save_client(&store, "Alice", None, "");
    save_client(&store, "Bob", None, "");
    crate::support::common::save_ecr_r(
        &store,
        &alice.id,
        "a".repeat(32).as_str(),
        4,
        "2026-01-05T10:00:00Z",
    );
    drop(store);
    fs::remove_file(dir.join("clients").join(format!("{}.age", alice.id))).unwrap();
    let out = sb(&dir, &["client", "list"]);
    expect_code(&out, 0, "client list");
    assert!(
        out.stderr
            .contains("1 administration of a client with no record")
            && out.stderr.contains(&alice.id),
        "{}",
        out.stderr
    );
    fs::remove_dir_all(dir.join("clients")).unwrap();
    let out = sb(&dir, &["client", "list"]);
    assert!(
        out.stderr.contains("the clients folder is missing"),
        "{}",
        out.stderr
    );
}

/// L6: without `securebase.json` the folder said "run `securebase init`", and `init` said it
/// "already holds a data folder". Now both say the same thing, and nothing is set up over it.
#[test]
fn a_missing_meta_file_gives_one_way_forward() {
    let (_tmp, dir, _id) = library_store_with_client("Alice", None);
    fs::remove_file(dir.join("securebase.json")).unwrap();
    let needle = "holds securebase records, but its securebase.json is missing";
    let out = sb(&dir, &["client", "list"]);
    expect_bad_input(&out, &[needle], "client list");
    assert!(!out.stderr.contains("securebase init"), "{}", out.stderr);
    let out = sb(&dir, &["init"]);
    expect_bad_input(&out, &[needle], "init");
    assert!(
        !dir.join("securebase.json").exists(),
        "init set up a folder over the records"
    );
}

/// L10: names are unique after NFKC and case, and invisible or direction characters are
/// refused.
#[test]
fn look_alike_client_names_are_refused() {
    let (_tmp, dir, _id) = library_store_with_client("J\u{e5}n", None);
    let out = sb(&dir, &["client", "add", "--name", "Ja\u{30a}n"]);
    expect_bad_input(&out, &["already exists"], "decomposed å");
    let out = sb(&dir, &["client", "add", "--name", "J\u{c5}N"]);
    expect_bad_input(&out, &["already exists"], "upper case");
    for (name, code) in [("Ann\u{200b}", "U+200B"), ("Ann\u{202e}evoN", "U+202E")] {
        let out = sb(&dir, &["client", "add", "--name", name]);
        expect_bad_input(&out, &[code], name);
    }
    let out = sb(&dir, &["client", "add", "--name", "Ann"]);
    expect_code(&out, 0, "a plain new name");
}

/// L5: a second process refused while the first one starts names the first one (45 of 50
/// refusals named nobody).
#[test]
fn a_refusal_names_the_holder() {
    let (_tmp, dir, _id) = library_store_with_client("Alice", None);
    let store = Store::open(&dir).unwrap();
    // The pid file is written right after the lock is taken; a refused process waits for it.
    fs::remove_file(dir.join("lock.pid")).unwrap();
    let writer = {
        let dir = dir.clone();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(300));
            fs::write(dir.join("lock.pid"), format!("{}\n", std::process::id())).unwrap();
        })
    };
    let out = sb(&dir, &["client", "list"]);
    writer.join().unwrap();
    assert!(
        out.stderr
            .contains(&format!("(process {})", std::process::id())),
        "{}",
        out.stderr
    );
    drop(store);
}

/// L12: an I/O error's cause was printed twice ("Is a directory (os error 21): Is a
/// directory (os error 21)").
#[test]
fn an_io_cause_is_said_once() {
    let (_tmp, dir, _id) = library_store_with_client("Alice", None);
    // The log's folder replaced by a file: the audit write after the client's fails.
    let audit = dir.join("audit");
    fs::remove_dir_all(&audit).unwrap();
    fs::write(&audit, "not a folder").unwrap();
    let out = sb(&dir, &["client", "add", "--name", "Bob"]);
    assert_ne!(out.code, 0);
    let line = out
        .stderr
        .lines()
        .find(|l| l.contains("error"))
        .unwrap_or("");
    assert_eq!(
        line.matches("os error").count(),
        1,
        "the cause once: {}",
        out.stderr
    );
}

/// L1: `enter` saved the form, then failed at its audit entry with a bare "cannot write
/// …/audit/…", and a retry saved a second copy. Now it says the form was saved, and the same
/// `enter` again writes the missing entry and saves nothing new.
#[test]
fn an_enter_whose_audit_entry_failed_is_said_and_a_retry_makes_no_copy() {
    let (tmp, dir, id) = library_store_with_client("Alice", None);
    let answers = vec!["5"; 36].join(",");
    let args = [
        "enter",
        "--client",
        "Alice",
        "--instrument",
        "ecr-r",
        "--answers",
        &answers,
    ];
    let audit = dir.join("audit");
    let kept = tmp.path().join("audit-kept");
    fs::rename(&audit, &kept).unwrap();
    fs::write(&audit, "not a folder").unwrap();
    let out = sb(&dir, &args);
    expect_code(&out, 1, "enter with the log unwritable");
    assert!(
        out.stderr.contains("the administration was saved (id")
            && out.stderr.contains("saves no second copy"),
        "{}",
        out.stderr
    );
    let administrations = dir.join("administrations").join(&id);
    assert_eq!(fs::read_dir(&administrations).unwrap().count(), 1);
    fs::remove_file(&audit).unwrap();
    fs::rename(&kept, &audit).unwrap();
    // `verify` says which record has no creation entry (as a kill between the two writes
    // leaves it too).
    let out = sb(&dir, &["verify"]);
    assert!(
        out.stdout
            .contains("audit log has no entry for its creation"),
        "{}",
        out.stdout
    );
    let out = sb(&dir, &args);
    expect_code(&out, 0, "the same enter again");
    assert!(
        out.stderr.contains("nothing new was saved"),
        "{}",
        out.stderr
    );
    assert_eq!(
        fs::read_dir(&administrations).unwrap().count(),
        1,
        "a second copy"
    );
    let rows = crate::support::run::audit_rows(&dir, PASS);
    let created = rows
        .iter()
        .filter(|[action, kind, _, _]| action == "create" && kind == "administration")
        .count();
    assert_eq!(created, 1, "{rows:?}");
    // A third, deliberate entry of the same answers is a new form.
    let out = sb(&dir, &args);
    expect_code(&out, 0, "a second form with the same answers");
    assert_eq!(fs::read_dir(&administrations).unwrap().count(), 2);
}
