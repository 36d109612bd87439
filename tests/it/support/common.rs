//! Helpers shared by `store`, `store_cli` and `backup`: data folders, snapshots of their bytes, records
//! sealed by hand, and the broken files of the corrupt-file tests.
#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use age::secrecy::SecretString;
use jiff::Timestamp;
use securebase::catalog::Catalog;
use securebase::core::Answer;
use securebase::core::instrument::Instrument;
use securebase::store::{Administration, Client, Source, Status, Store, new_id};

/// The clinician's passphrase of every test data folder.
pub const PASS: &str = "correct horse battery";
/// scrypt work factor for tests (2^10: fast; real folders use 2^18).
pub const WORK_FACTOR: u8 = 10;

/// `s` as a secret.
pub fn secret(s: &str) -> SecretString {
    SecretString::from(s.to_owned())
}

/// A timestamp from RFC 3339 text.
pub fn ts(s: &str) -> Timestamp {
    s.parse().expect("test timestamp parses")
}

/// A bundled instrument.
pub fn instrument(id: &str) -> Instrument {
    Catalog::bundled()
        .get(id)
        .cloned()
        .unwrap_or_else(|| panic!("{id} is bundled"))
}

/// A new temporary folder and the (not yet existing) data folder inside it.
pub fn temp_data_dir() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().expect("temporary folder");
    let dir = tmp.path().join("data");
    (tmp, dir)
}

/// securebase's own working files at the top of a data folder: the writer lock (which on
/// Windows nobody else can even read while it is held), the holder's process id (rewritten by
/// every run that opens the folder) and the backup gate.
pub const LOCK_FILES: [&str; 3] = ["lock", "lock.pid", "backup.lock"];
/// The count of wrong passphrases in a row (not a record; a wrong try writes it).
pub const UNLOCK_ATTEMPTS: &str = "unlock-attempts.json";

/// Every file under `dir` but the [`LOCK_FILES`] and [`UNLOCK_ATTEMPTS`], by path relative to `dir`, with its bytes.
pub fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<PathBuf, Vec<u8>>) {
        let Ok(entries) = fs::read_dir(dir) else {
            return;
        };
        for entry in entries {
            let path = entry.expect("folder entry").path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let rel = path.strip_prefix(root).expect("under root").to_path_buf();
                if LOCK_FILES.iter().any(|l| rel == Path::new(l))
                    || rel == Path::new(UNLOCK_ATTEMPTS)
                {
                    continue;
                }
                out.insert(rel, fs::read(&path).expect("file reads"));
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// Whether a snapshot path lies in the audit log (its entries, and the signed note of how far
/// it goes, rewritten with each signed entry).
pub fn in_audit(path: &Path) -> bool {
    path.starts_with("audit") || path == Path::new("audit-head.age")
}

/// The files outside `audit/`.
pub fn outside_audit(snap: &BTreeMap<PathBuf, Vec<u8>>) -> BTreeMap<PathBuf, Vec<u8>> {
    snap.iter()
        .filter(|(p, _)| !in_audit(p))
        .map(|(p, b)| (p.clone(), b.clone()))
        .collect()
}

/// The audit files of a snapshot.
pub fn audit_files(snap: &BTreeMap<PathBuf, Vec<u8>>) -> BTreeSet<PathBuf> {
    snap.keys()
        .filter(|p| p.starts_with("audit"))
        .cloned()
        .collect()
}

/// Asserts two snapshots are equal, naming the first file that differs.
pub fn assert_same_files(
    before: &BTreeMap<PathBuf, Vec<u8>>,
    after: &BTreeMap<PathBuf, Vec<u8>>,
    what: &str,
) {
    let names_before: BTreeSet<&PathBuf> = before.keys().collect();
    let names_after: BTreeSet<&PathBuf> = after.keys().collect();
    assert_eq!(
        names_before, names_after,
        "{what}: the set of files changed"
    );
    for (path, bytes) in before {
        assert!(after[path] == *bytes, "{what}: {} changed", path.display());
    }
}

/// The process id the lock's holder wrote (`lock.pid`), which must be a bare number.
pub fn lock_pid(dir: &Path) -> u32 {
    let text = fs::read_to_string(dir.join("lock.pid")).expect("lock.pid reads");
    text.trim()
        .parse()
        .unwrap_or_else(|_| panic!("lock.pid holds {text:?}, not a process id"))
}

/// The data folder's public key, from `securebase.json`.
pub fn recipient(dir: &Path) -> age::x25519::Recipient {
    let meta: serde_json::Value =
        serde_json::from_slice(&fs::read(dir.join("securebase.json")).expect("meta reads"))
            .expect("meta is JSON");
    let key = meta["public_key"].as_str().expect("public_key is text");
    age::x25519::Recipient::from_str(key).expect("public key parses")
}

/// `json` encrypted to the data folder's public key, as securebase itself would write it.
pub fn seal_to_store(dir: &Path, json: &serde_json::Value) -> Vec<u8> {
    let bytes = serde_json::to_vec(json).expect("JSON serialises");
    age::encrypt(&recipient(dir), &bytes).expect("age encrypts")
}

/// `json` as a record at `path` (relative to `dir`, `/`-separated) of an authenticated data
/// folder: signed with the folder's key found with the passphrase [`PASS`] (by
/// `open_format`, independently of securebase), then encrypted.
pub fn seal_signed(dir: &Path, path: &str, json: &serde_json::Value) -> Vec<u8> {
    let folder = super::open_format::folder_secret(dir, &key_file(dir), PASS);
    let body = serde_json::to_string(json).expect("JSON serialises");
    let plain = super::open_format::signed_plaintext(&folder, path, &body);
    age::encrypt(&recipient(dir), &plain).expect("age encrypts")
}

/// A client record's JSON, as format 1 writes it (or with another `format`).
pub fn client_json(id: &str, name: &str, format: u32) -> serde_json::Value {
    serde_json::json!({
        "format": format,
        "id": id,
        "name": name,
        "birth_year": 1970,
        "notes": "",
        "created": "2026-01-02T03:04:05Z",
        "updated": "2026-01-02T03:04:05Z",
    })
}

/// A new client, saved (needs nothing unlocked).
pub fn save_client(store: &Store, name: &str, birth_year: Option<i32>, notes: &str) -> Client {
    let client = Client::new(
        new_id().expect("id"),
        name,
        birth_year,
        notes,
        Timestamp::now(),
    )
    .expect("valid client");
    store.save_client(&client).expect("client saved");
    client
}

/// A completed ECR-R paper entry with every item answered `value`, started at `started`,
/// saved under `id`.
pub fn save_ecr_r(
    store: &Store,
    client_id: &str,
    id: &str,
    value: i32,
    started: &str,
) -> Administration {
    let ecr_r = instrument("ecr-r");
    let started = ts(started);
    let mut a = Administration::new(
        id.to_owned(),
        client_id,
        &ecr_r,
        Source::PaperEntry,
        started,
    );
    for slot in 0..ecr_r.n_slots() {
        a.set_answer(&ecr_r, slot, Answer::Value(value), started, None)
            .expect("value in range");
    }
    a.status = Status::Completed;
    a.finished = Some(started);
    store.save_administration(&a).expect("administration saved");
    a
}

/// Path of a client's record.
pub fn client_file(dir: &Path, id: &str) -> PathBuf {
    dir.join("clients").join(format!("{id}.age"))
}

/// Path of an administration's record.
pub fn administration_file(dir: &Path, client_id: &str, id: &str) -> PathBuf {
    dir.join("administrations")
        .join(client_id)
        .join(format!("{id}.age"))
}

/// Cuts a file to half its length.
pub fn cut_in_half(path: &Path) {
    let bytes = fs::read(path).expect("file reads");
    fs::write(path, &bytes[..bytes.len() / 2]).expect("file writes");
}

/// A data folder with good records and one of each kind of broken file.
pub struct Broken {
    /// The good clients' names, sorted as `client list` sorts them.
    pub good_names: Vec<String>,
    /// The client with two good administrations and one cut in half.
    pub with_administrations: Client,
    /// Its good administrations' ids, oldest first.
    pub good_administrations: Vec<String>,
    /// Truncated client file.
    pub truncated: PathBuf,
    /// Garbage client file.
    pub garbage: PathBuf,
    /// Client file encrypted to a different key.
    pub other_key: PathBuf,
    /// Client file whose record id disagrees with its file name.
    pub wrong_id: PathBuf,
    /// Administration file cut in half.
    pub half_administration: PathBuf,
    /// Client file written by a newer securebase (`"format": 2`), if asked for.
    pub too_new: Option<PathBuf>,
}

impl Broken {
    /// The broken client files.
    pub fn client_failures(&self) -> BTreeSet<PathBuf> {
        let mut set: BTreeSet<PathBuf> = [
            &self.truncated,
            &self.garbage,
            &self.other_key,
            &self.wrong_id,
        ]
        .into_iter()
        .cloned()
        .collect();
        set.extend(self.too_new.clone());
        set
    }
}

/// Fills the (initialised, open) store with three good clients, two good administrations, and
/// the broken files. Writes through the library where it can, then breaks files by hand.
pub fn make_broken(store: &Store, with_too_new: bool) -> Broken {
    let dir = store.dir().to_path_buf();
    let alice = save_client(store, "Alice Good", Some(1980), "");
    save_client(store, "bob good", None, "");
    save_client(store, "Carol Good", Some(1991), "");

    // Truncated: a valid client file, then its last half cut off.
    let truncated = save_client(store, "Truncated Client", Some(1960), "");
    let truncated = client_file(&dir, &truncated.id);
    let bytes = fs::read(&truncated).expect("reads");
    fs::write(&truncated, &bytes[..bytes.len() - bytes.len() / 3]).expect("writes");

    // Garbage: bytes that are no age file at all.
    let garbage = client_file(&dir, &new_id().expect("id"));
    let noise: Vec<u8> = (0u16..400)
        .map(|i| u8::try_from((i * 37 + 11) % 251).expect("byte"))
        .collect();
    fs::write(&garbage, noise).expect("writes");

    // A well-formed age file holding a well-formed client, but for another key.
    let other_id = new_id().expect("id");
    let other_key = client_file(&dir, &other_id);
    let stranger = age::x25519::Identity::generate().to_public();
    let json = serde_json::to_vec(&client_json(&other_id, "Other Key", 1)).expect("JSON");
    fs::write(
        &other_key,
        age::encrypt(&stranger, &json).expect("encrypts"),
    )
    .expect("writes");

    // A good record under another record's name.
    let moved = save_client(store, "Moved Client", None, "");
    let wrong_id = client_file(&dir, &new_id().expect("id"));
    fs::rename(client_file(&dir, &moved.id), &wrong_id).expect("renames");

    // Administrations: two good ones, one cut in half.
    let first = save_ecr_r(
        store,
        &alice.id,
        &new_id().expect("id"),
        3,
        "2025-01-01T10:00:00Z",
    );
    let second = save_ecr_r(
        store,
        &alice.id,
        &new_id().expect("id"),
        5,
        "2025-06-01T10:00:00Z",
    );
    let half = save_ecr_r(
        store,
        &alice.id,
        &new_id().expect("id"),
        6,
        "2025-03-01T10:00:00Z",
    );
    let half_administration = administration_file(&dir, &alice.id, &half.id);
    cut_in_half(&half_administration);

    let too_new = with_too_new.then(|| {
        let id = new_id().expect("id");
        let path = client_file(&dir, &id);
        fs::write(
            &path,
            seal_signed(
                &dir,
                &format!("clients/{id}.age"),
                &client_json(&id, "From The Future", 2),
            ),
        )
        .expect("writes");
        path
    });

    Broken {
        good_names: vec![
            "Alice Good".to_owned(),
            "bob good".to_owned(),
            "Carol Good".to_owned(),
        ],
        with_administrations: alice,
        good_administrations: vec![first.id, second.id],
        truncated,
        garbage,
        other_key,
        wrong_id,
        half_administration,
        too_new,
    }
}

/// The one clinician's own sealed key of a data folder, relative to `dir`
/// (`keys/<clinician id>.age`, not the shared `keys/folder.age` nor the recovery key
/// `keys/recovery.age`); panics unless there is exactly one.
pub fn key_file(dir: &Path) -> PathBuf {
    let keys: Vec<PathBuf> = fs::read_dir(dir.join("keys"))
        .expect("keys/ reads")
        .map(|e| e.expect("entry reads").path())
        .filter(|p| p.extension().is_some_and(|x| x == "age"))
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n != "folder.age" && n != "recovery.age")
        })
        .collect();
    assert_eq!(keys.len(), 1, "one clinician's key: {keys:?}");
    keys[0].strip_prefix(dir).expect("under dir").to_path_buf()
}

/// Ids of the administrations saved for a client (from the file names).
pub fn administration_ids(dir: &Path, client_id: &str) -> BTreeSet<String> {
    let Ok(entries) = fs::read_dir(dir.join("administrations").join(client_id)) else {
        return BTreeSet::new();
    };
    entries
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "age"))
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect()
}

/// `enter --answers` for an ECR-R of exactly these scores: the anxiety items (1-18) answer
/// `anxiety` and the avoidance items (19-36) `avoidance`, the reversed ones (9, 11; 20, 22,
/// 26-31, 33-36, as in `questionnaires/ecr-r.json`) 8 minus it, so each scale's mean is exact.
pub fn ecr_r_line(anxiety: i32, avoidance: i32) -> String {
    let reversed_avoidance = [20, 22, 26, 27, 28, 29, 30, 31, 33, 34, 35, 36];
    (1..=36)
        .map(|item| {
            let v = match item {
                9 | 11 => 8 - anxiety,
                1..=18 => anxiety,
                i if reversed_avoidance.contains(&i) => 8 - avoidance,
                _ => avoidance,
            };
            v.to_string()
        })
        .collect::<Vec<_>>()
        .join(",")
}
