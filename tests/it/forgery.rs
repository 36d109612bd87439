//! REDTEAM M1: anyone with write access to the data folder could add a client or a completed
//! administration with any answers, or delete and back-date audit entries, and nothing showed
//! it (records were encrypted to a public key kept in the clear). Now every record carries a
//! MAC only an unlocked clinician (or a session, within its scope) can make, and the audit log
//! is a hash chain. Records are forged here with `support::open_format`, an implementation of
//! the documented format independent of securebase's.

use std::fs;
use std::path::Path;

use crate::support::common::{self, PASS, save_client, secret, temp_data_dir};
use crate::support::open_format;
use crate::support::run::{Out, expect_code, sb};

use securebase::store::{Store, new_id};

fn folder_key(dir: &Path) -> age::x25519::Identity {
    open_format::folder_secret(dir, &common::key_file(dir), PASS)
}

fn encrypt(dir: &Path, plain: &[u8]) -> Vec<u8> {
    age::encrypt(&common::recipient(dir), plain).unwrap()
}

/// A folder with one client, Alice, and one completed administration of hers.
fn folder() -> (tempfile::TempDir, std::path::PathBuf, String, String) {
    let (tmp, dir) = temp_data_dir();
    let (store, _keys) = Store::init(&dir, "Test Clinician", &secret(PASS), 4).unwrap();
    let alice = save_client(&store, "Alice", None, "").id;
    let admin = new_id().unwrap();
    common::save_ecr_r(&store, &alice, &admin, 3, "2026-01-05T10:00:00Z");
    (tmp, dir, alice, admin)
}

/// Alice's id (the folder's one client with administrations).
fn alice_id(dir: &Path) -> String {
    fs::read_dir(dir.join("administrations"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .file_name()
        .to_string_lossy()
        .into_owned()
}

fn names(out: &Out) -> Vec<String> {
    out.stdout
        .lines()
        .skip(1)
        .filter_map(|l| l.split('\t').nth(1).map(str::to_owned))
        .collect()
}

#[test]
fn a_client_added_without_the_key_is_set_apart_and_never_listed() {
    let (_tmp, dir, _, _) = folder();
    let id = new_id().unwrap();
    let forged = dir.join(format!("clients/{id}.age"));
    // What 0.1.0 let anyone do: encrypt a record to the public key in securebase.json.
    fs::write(
        &forged,
        common::seal_to_store(&dir, &common::client_json(&id, "Mallory", 1)),
    )
    .unwrap();
    let out = sb(&dir, &["client", "list"]);
    expect_code(&out, 0, "client list");
    assert_eq!(names(&out), ["Alice"], "{}", out.stdout);
    assert!(
        out.stderr.contains(&forged.display().to_string())
            && out.stderr.contains("not authenticated"),
        "{}",
        out.stderr
    );
    // An administration for Alice, made with only the public key: set apart too.
    let admin = new_id().unwrap();
    let folder_of_alice = dir.join("administrations").join(alice_id(&dir));
    let genuine = fs::read_dir(&folder_of_alice)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let key = folder_key(&dir);
    let envelope: serde_json::Value =
        serde_json::from_slice(&age::decrypt(&key, &fs::read(&genuine).unwrap()).unwrap()).unwrap();
    let mut body: serde_json::Value =
        serde_json::from_str(envelope["body"].as_str().unwrap()).unwrap();
    body["id"] = admin.clone().into();
    fs::write(
        folder_of_alice.join(format!("{admin}.age")),
        common::seal_to_store(&dir, &body),
    )
    .unwrap();
    let out = sb(&dir, &["history", "--client", "Alice", "--format", "json"]);
    assert!(!out.stdout.contains(&admin), "not counted: {}", out.stdout);
    assert!(
        out.stderr.contains(&admin) && out.stderr.contains("not authenticated"),
        "{}",
        out.stderr
    );
    // Signed with another folder's key: no better.
    let stranger = age::x25519::Identity::generate();
    let body = common::client_json(&id, "Mallory", 1).to_string();
    let plain = open_format::signed_plaintext(&stranger, &format!("clients/{id}.age"), &body);
    fs::write(&forged, encrypt(&dir, &plain)).unwrap();
    let out = sb(&dir, &["client", "list"]);
    assert_eq!(names(&out), ["Alice"]);
    assert!(out.stderr.contains("does not check"), "{}", out.stderr);
    // Signed with this folder's key (what securebase writes): counted. The forgery tests can
    // fail: the independent implementation matches the real one.
    let plain =
        open_format::signed_plaintext(&folder_key(&dir), &format!("clients/{id}.age"), &body);
    fs::write(&forged, encrypt(&dir, &plain)).unwrap();
    let out = sb(&dir, &["client", "list"]);
    assert_eq!(names(&out), ["Alice", "Mallory"], "{}", out.stderr);
}

#[test]
fn answers_changed_in_a_record_are_set_apart() {
    let (_tmp, dir, alice, admin) = folder();
    let path = common::administration_file(&dir, &alice, &admin);
    let relative = format!("administrations/{alice}/{admin}.age");
    let key = folder_key(&dir);
    let plain = age::decrypt(&key, &fs::read(&path).unwrap()).unwrap();
    let mut envelope: serde_json::Value = serde_json::from_slice(&plain).unwrap();
    let body = envelope["body"]
        .as_str()
        .unwrap()
        .replace("\"value\":3", "\"value\":7");
    envelope["body"] = body.into();
    fs::write(
        &path,
        encrypt(&dir, &serde_json::to_vec(&envelope).unwrap()),
    )
    .unwrap();
    let out = sb(&dir, &["history", "--client", "Alice", "--format", "json"]);
    expect_code(&out, 0, "history");
    assert!(
        out.stderr
            .contains(&relative.replace('/', std::path::MAIN_SEPARATOR_STR))
            || out.stderr.contains(&admin),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("does not check"), "{}", out.stderr);
    assert!(!out.stdout.contains(&admin), "not counted: {}", out.stdout);
}

/// A session's scope, as the store writes it.
fn scope(client: &str, administrations: &[&str], from: &str, until: &str) -> String {
    serde_json::json!({
        "client_id": client,
        "administrations": administrations,
        "from": from,
        "until": until,
        "clinician_id": "00000000000000000000000000000000",
    })
    .to_string()
}

#[test]
fn a_session_key_vouches_for_nothing_outside_its_session() {
    let (_tmp, dir, alice, admin) = folder();
    let key = folder_key(&dir);
    let path = common::administration_file(&dir, &alice, &admin);
    let plain = age::decrypt(&key, &fs::read(&path).unwrap()).unwrap();
    let envelope: serde_json::Value = serde_json::from_slice(&plain).unwrap();
    let body = envelope["body"].as_str().unwrap().to_owned();
    let relative = format!("administrations/{alice}/{admin}.age");
    let window = ("2026-12-01T09:00:00Z", "2026-12-01T21:00:00Z");

    // In scope, signed in the window: counted.
    let session = scope(&alice, &[&admin], window.0, window.1);
    let good =
        open_format::session_plaintext(&key, &session, &relative, "2026-12-01T10:00:00Z", &body);
    fs::write(&path, encrypt(&dir, &good)).unwrap();
    let out = sb(&dir, &["history", "--client", "Alice", "--format", "json"]);
    assert!(out.stdout.contains(&admin), "in scope: {}", out.stderr);

    // A session of another administration: set apart.
    let other = scope(&alice, &[&new_id().unwrap()], window.0, window.1);
    let outside =
        open_format::session_plaintext(&key, &other, &relative, "2026-12-01T10:00:00Z", &body);
    fs::write(&path, encrypt(&dir, &outside)).unwrap();
    let out = sb(&dir, &["history", "--client", "Alice", "--format", "json"]);
    assert!(!out.stdout.contains(&admin), "{}", out.stdout);
    assert!(out.stderr.contains("did not include it"), "{}", out.stderr);

    // Signed after its window closed: set apart.
    let late =
        open_format::session_plaintext(&key, &session, &relative, "2026-12-02T10:00:00Z", &body);
    fs::write(&path, encrypt(&dir, &late)).unwrap();
    let out = sb(&dir, &["history", "--client", "Alice", "--format", "json"]);
    assert!(!out.stdout.contains(&admin), "{}", out.stdout);
    assert!(out.stderr.contains("outside its session"), "{}", out.stderr);

    // A client record signed by a session: client mode never writes one.
    let id = new_id().unwrap();
    let client_body = common::client_json(&id, "Mallory", 1).to_string();
    let forged = open_format::session_plaintext(
        &key,
        &scope(&id, &[], window.0, window.1),
        &format!("clients/{id}.age"),
        "2026-12-01T10:00:00Z",
        &client_body,
    );
    fs::write(
        dir.join(format!("clients/{id}.age")),
        encrypt(&dir, &forged),
    )
    .unwrap();
    let out = sb(&dir, &["client", "list"]);
    assert_eq!(names(&out), ["Alice"]);
    assert!(out.stderr.contains("may write only"), "{}", out.stderr);
}

#[test]
fn the_store_refuses_to_sign_outside_a_session() {
    let (_tmp, dir, alice, _) = folder();
    let store = Store::open(&dir).unwrap();
    let keys = store.unlock(&secret(PASS)).unwrap();
    let mine = new_id().unwrap();
    store
        .begin_session(&keys, &alice, std::slice::from_ref(&mine))
        .unwrap();
    drop(keys);
    // Its own administration: written. Another client, or a client record: refused.
    common::save_ecr_r(&store, &alice, &mine, 2, "2026-02-01T10:00:00Z");
    let stranger = securebase::store::Client::new(
        new_id().unwrap(),
        "Mallory",
        None,
        "",
        jiff::Timestamp::now(),
    )
    .unwrap();
    let err = store.save_client(&stranger).unwrap_err();
    assert!(err.to_string().contains("outside the session"), "{err}");
}

/// The audit log's files, in chain order.
fn audit_files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files: Vec<_> = fs::read_dir(dir.join("audit"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files
}

fn verify(dir: &Path) -> Out {
    sb(dir, &["audit", "--verify"])
}

#[test]
fn deleting_editing_reordering_or_back_dating_an_entry_breaks_the_chain() {
    let (_tmp, dir, _, _) = folder();
    for name in ["Bob", "Carol", "Dan"] {
        let out = sb(&dir, &["client", "add", "--name", name]);
        expect_code(&out, 0, "client add");
    }
    let out = verify(&dir);
    expect_code(&out, 0, "a whole chain");
    assert!(out.stdout.contains("chain is whole"), "{}", out.stdout);
    let files = audit_files(&dir);
    assert!(files.len() >= 4, "{files:?}");
    let key = folder_key(&dir);

    // Deleted: the gap is named.
    let copy = tempfile::tempdir().unwrap();
    let gone = copy_folder(&dir, copy.path());
    fs::remove_file(gone.join("audit").join(files[2].file_name().unwrap())).unwrap();
    let out = verify(&gone);
    expect_code(&out, 1, "a deleted entry");
    let first = out.stdout.lines().next().unwrap_or("");
    assert!(first.contains("audit entry 3 is missing"), "{}", out.stdout);

    // Back-dated, and re-signed with the folder's key (the strongest forger short of the
    // passphrase): the next entry no longer follows it.
    let back = tempfile::tempdir().unwrap();
    let dated = copy_folder(&dir, back.path());
    let target = dated.join("audit").join(files[2].file_name().unwrap());
    let plain = age::decrypt(&key, &fs::read(&target).unwrap()).unwrap();
    let envelope: serde_json::Value = serde_json::from_slice(&plain).unwrap();
    let mut entry: serde_json::Value =
        serde_json::from_str(envelope["body"].as_str().unwrap()).unwrap();
    entry["time"] = "2020-01-01T00:00:00Z".into();
    let body = entry.to_string();
    let relative = format!("audit/{}", files[2].file_name().unwrap().to_string_lossy());
    fs::write(
        &target,
        encrypt(
            &dated,
            &open_format::signed_plaintext(&key, &relative, &body),
        ),
    )
    .unwrap();
    let out = verify(&dated);
    expect_code(&out, 1, "a back-dated entry");
    assert!(
        out.stdout.contains("back-dated") && out.stdout.contains("does not follow"),
        "{}",
        out.stdout
    );

    // Reordered: two entries' contents swapped.
    let swap = tempfile::tempdir().unwrap();
    let swapped = copy_folder(&dir, swap.path());
    let a = swapped.join("audit").join(files[1].file_name().unwrap());
    let b = swapped.join("audit").join(files[3].file_name().unwrap());
    let (bytes_a, bytes_b) = (fs::read(&a).unwrap(), fs::read(&b).unwrap());
    fs::write(&a, bytes_b).unwrap();
    fs::write(&b, bytes_a).unwrap();
    let out = verify(&swapped);
    expect_code(&out, 1, "swapped entries");
    assert!(out.stdout.contains("broken:"), "{}", out.stdout);

    // The newest entry cut off: the chain is whole but short, and the head says so.
    let cut = tempfile::tempdir().unwrap();
    let short = copy_folder(&dir, cut.path());
    fs::remove_file(
        short
            .join("audit")
            .join(files.last().unwrap().file_name().unwrap()),
    )
    .unwrap();
    let out = verify(&short);
    expect_code(&out, 1, "the newest entry removed");
    assert!(
        out.stdout.contains("newest entries were removed"),
        "{}",
        out.stdout
    );
}

#[test]
fn an_unsigned_entry_is_only_ever_a_wrong_passphrase_or_a_backup() {
    let (_tmp, dir, _, _) = folder();
    let files = audit_files(&dir);
    let last = files.last().unwrap();
    let key = folder_key(&dir);
    let plain = age::decrypt(&key, &fs::read(last).unwrap()).unwrap();
    let envelope: serde_json::Value = serde_json::from_slice(&plain).unwrap();
    let prev_body = envelope["body"].as_str().unwrap().to_owned();
    let prev: serde_json::Value = serde_json::from_str(&prev_body).unwrap();
    let seq = prev["seq"].as_u64().unwrap() + 1;
    // Linked correctly, but with no MAC: a forged "export" that never happened.
    let entry = serde_json::json!({
        "format": 1, "time": "2026-12-01T23:59:00Z", "action": "export",
        "record_kind": null, "record_id": null, "detail": "csv export",
        "clinician": "Test Clinician", "clinician_id": null,
        "seq": seq, "prev": open_format::chain_hash(&prev_body),
    })
    .to_string();
    let name = format!("{seq:010}-{}.age", open_format::chain_hash(&entry));
    let plain = serde_json::to_vec(&serde_json::json!({"body": entry, "auth": null})).unwrap();
    fs::write(dir.join("audit").join(name), encrypt(&dir, &plain)).unwrap();
    let out = verify(&dir);
    expect_code(&out, 1, "an unsigned export entry");
    assert!(out.stdout.contains("not authenticated"), "{}", out.stdout);
    let log = sb(&dir, &["audit"]);
    assert!(
        !log.stdout.contains("csv export"),
        "not listed: {}",
        log.stdout
    );
    assert!(log.stderr.contains("set apart"), "{}", log.stderr);
}

/// A copy of a data folder (without its locks), for a test to break.
fn copy_folder(from: &Path, to: &Path) -> std::path::PathBuf {
    let target = to.join("data");
    for (relative, bytes) in common::snapshot(from) {
        let path = target.join(relative);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, bytes).unwrap();
    }
    target
}

#[test]
fn the_red_teams_back_dated_entry_is_set_apart() {
    // REDTEAM M1, as reproduced there: an entry encrypted to the public key, named and dated
    // like a 0.1.0 entry of a year before, outside the chain.
    let (_tmp, dir, _, _) = folder();
    let entry = serde_json::json!({
        "format": 1, "time": "2025-01-01T09:00:00Z", "action": "export", "detail": "csv export",
    });
    fs::write(
        dir.join("audit/20250101T090000000000000Z-deadbeef.age"),
        common::seal_to_store(&dir, &entry),
    )
    .unwrap();
    let log = sb(&dir, &["audit"]);
    expect_code(&log, 0, "audit");
    assert!(!log.stdout.contains("csv export"), "shown: {}", log.stdout);
    assert!(
        log.stderr.contains("deadbeef") && log.stderr.contains("set apart"),
        "{}",
        log.stderr
    );
    let out = verify(&dir);
    expect_code(&out, 1, "a forged entry outside the chain");
    assert!(
        out.stdout
            .contains("outside the chain and was not in the log"),
        "{}",
        out.stdout
    );
}
