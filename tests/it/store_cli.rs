//! End-to-end tests of the data-folder commands of the `securebase` binary (`init`,
//! `client add|list`, `enter`, `history`, `audit`, `change-passphrase`): exit codes and
//! messages, what is (not) written, the lock between processes, broken files, and that the
//! files are standard age files that Debian's `age` tool decrypts on its own.
//!
//! Every run gets its own temporary data folder (`SECUREBASE_DATA` or `--data-dir`), a
//! temporary `HOME`, and `SECUREBASE_SCRYPT_WORK_FACTOR=10` so that unlocking is fast.

use crate::support::common;
use crate::support::open_format;
use crate::support::run;

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::str::FromStr;
use std::time::{Duration, Instant};

use common::{
    PASS, WORK_FACTOR, administration_ids, assert_same_files, audit_files, lock_pid, make_broken,
    outside_audit, save_client, secret, snapshot, temp_data_dir,
};
use securebase::core::score;
use securebase::store::{Store, new_id};

use run::{
    NEW_PASS_ENV, Out, PASS_ENV, audit_rows, expect_bad_input, expect_code,
    library_store_with_client, sb, sb_with,
};

const LIST_HEADER: &str = "id\tname\tbirth_year\tcreated\tadministrations";

/// The rows of `client list` (header checked), each split at tabs.
fn list_rows(out: &Out) -> Vec<Vec<String>> {
    expect_code(out, 0, "client list");
    let mut lines = out.stdout.lines();
    assert_eq!(lines.next(), Some(LIST_HEADER), "{}", out.stdout);
    lines
        .map(|l| l.split('\t').map(str::to_owned).collect())
        .collect()
}

/// `answers` joined for `--answers`.
fn answers(values: &[&str]) -> String {
    values.join(",")
}

// ---------------------------------------------------------------------------------------------
// A wrong passphrase
// ---------------------------------------------------------------------------------------------

#[test]
fn wrong_passphrase_exits_2_and_writes_only_one_failed_unlock_entry() {
    let (_tmp, dir, client_id) = library_store_with_client("Wrong Pass", Some(1966));
    {
        let store = Store::open(&dir).unwrap();
        let _keys = store.unlock(&secret(PASS)).unwrap();
        common::save_ecr_r(
            &store,
            &client_id,
            &new_id().unwrap(),
            4,
            "2026-01-01T00:00:00Z",
        );
    }
    let before = snapshot(&dir);

    let out = sb_with(
        &dir,
        &[(PASS_ENV, "not the passphrase")],
        &["client", "list"],
    );
    expect_bad_input(&out, &["passphrase is wrong"], "wrong passphrase");
    assert!(out.stdout.is_empty(), "nothing listed: {}", out.stdout);

    let after = snapshot(&dir);
    // `lock.pid` holds only the process id of the last securebase that opened the folder.
    assert_eq!(lock_pid(&dir), out.pid);
    assert_same_files(
        &outside_audit(&before),
        &outside_audit(&after),
        "wrong passphrase",
    );
    let new: Vec<PathBuf> = audit_files(&after)
        .difference(&audit_files(&before))
        .cloned()
        .collect();
    assert_eq!(new.len(), 1, "exactly one new audit file: {new:?}");
    assert!(audit_files(&before).is_subset(&audit_files(&after)));
    for old in audit_files(&before) {
        assert!(after[&old] == before[&old], "{} changed", old.display());
    }

    let rows = audit_rows(&dir, PASS);
    let failed: Vec<_> = rows.iter().filter(|r| r[0] == "failed_unlock").collect();
    assert_eq!(failed.len(), 1, "{rows:?}");
    assert_eq!(rows.last().unwrap()[0], "failed_unlock", "the newest entry");
}

// ---------------------------------------------------------------------------------------------
// Broken files
// ---------------------------------------------------------------------------------------------

#[test]
fn broken_files_are_named_on_stderr_and_every_other_record_is_listed() {
    let (_tmp, dir) = temp_data_dir();
    let broken = {
        let (store, _keys) =
            Store::init(&dir, "Test Clinician", &secret(PASS), WORK_FACTOR).unwrap();
        make_broken(&store, true)
    };

    let out = sb(&dir, &["client", "list"]);
    let names: Vec<String> = list_rows(&out).into_iter().map(|r| r[1].clone()).collect();
    assert_eq!(names, broken.good_names);
    let warnings: Vec<&str> = out.stderr.lines().collect();
    for path in broken.client_failures() {
        let path = path.display().to_string();
        assert!(
            warnings
                .iter()
                .any(|w| w.contains("warning") && w.contains(&path)),
            "no warning names {path}; stderr:\n{}",
            out.stderr
        );
    }
    let too_new = broken.too_new.as_ref().unwrap().display().to_string();
    assert!(
        warnings
            .iter()
            .any(|w| w.contains(&too_new) && w.contains("newer securebase")),
        "{}",
        out.stderr
    );
    assert_eq!(
        warnings.len(),
        5,
        "one warning per broken file:\n{}",
        out.stderr
    );

    let alice = &broken.with_administrations;
    let out = sb(
        &dir,
        &["history", "--client", &alice.id, "--format", "json"],
    );
    expect_code(&out, 0, "history with a broken administration");
    let half = broken.half_administration.display().to_string();
    assert!(
        out.stderr.contains("warning") && out.stderr.contains(&half),
        "{}",
        out.stderr
    );
    let doc: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let ids: Vec<&str> = doc["administrations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["administration"].as_str().unwrap())
        .collect();
    assert_eq!(ids, broken.good_administrations);
}

// ---------------------------------------------------------------------------------------------
// Two processes
// ---------------------------------------------------------------------------------------------

/// Set by [`a_second_process_is_refused_and_stale_locks_are_taken_over`] for the copy of this
/// test binary that it starts to hold the lock.
const HOLD_ENV: &str = "SECUREBASE_TEST_HOLD_LOCK";

/// Not a test on its own: when started with `HOLD_ENV` naming a data folder, it opens the store
/// and sleeps, holding the lock until it is killed. Otherwise it returns at once.
#[test]
fn child_holds_lock_when_asked() {
    let Some(dir) = std::env::var_os(HOLD_ENV) else {
        return;
    };
    let _store = Store::open(Path::new(&dir)).unwrap();
    std::thread::sleep(Duration::from_mins(1));
}

/// Kills the child when dropped, so that a failing test leaves no process behind.
struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// On Windows too, where the lock is mandatory and a kill is `TerminateProcess`.
#[test]
fn a_second_process_is_refused_and_stale_locks_are_taken_over() {
    let (_tmp, dir, _id) = library_store_with_client("Locked Out", None);

    // This process holds the store: the binary is refused, naming this process, and changes
    // nothing (not even the lock file).
    let store = Store::open(&dir).unwrap();
    let before = snapshot(&dir);
    let out = sb(&dir, &["client", "list"]);
    expect_code(&out, 1, "while another process holds the store");
    let me = format!("process {}", std::process::id());
    assert!(
        out.stderr.contains(&me),
        "stderr should name {me}:\n{}",
        out.stderr
    );
    assert!(out.stderr.contains("in use"), "{}", out.stderr);
    assert!(out.stdout.is_empty());
    assert_same_files(&before, &snapshot(&dir), "refused second process");

    drop(store);
    let out = sb(&dir, &["client", "list"]);
    assert_eq!(list_rows(&out).len(), 1);

    // A lock left behind with a dead process id is taken over.
    fs::write(dir.join("lock.pid"), "999999\n").unwrap();
    let out = sb(&dir, &["client", "list"]);
    assert_eq!(list_rows(&out).len(), 1);
    assert_eq!(lock_pid(&dir), out.pid, "the new holder wrote its own id");

    // A holder killed (SIGKILL; TerminateProcess on Windows): its lock goes with it.
    let child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "store_cli::child_holds_lock_when_asked",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(HOLD_ENV, &dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut child = KillOnDrop(child);
    let child_pid = child.0.id();
    let deadline = Instant::now() + Duration::from_secs(15);
    while fs::read_to_string(dir.join("lock.pid"))
        .ok()
        .as_deref()
        .map(str::trim)
        != Some(child_pid.to_string().as_str())
    {
        assert!(
            child.0.try_wait().unwrap().is_none(),
            "the lock-holding child exited early"
        );
        assert!(Instant::now() < deadline, "the child never took the lock");
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = sb(&dir, &["client", "list"]);
    expect_code(&out, 1, "while the child holds the store");
    assert!(
        out.stderr.contains(&format!("process {child_pid}")),
        "{}",
        out.stderr
    );

    child.0.kill().unwrap();
    let status = child.0.wait().unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(status.signal(), Some(9), "killed with SIGKILL");
    }
    assert!(!status.success(), "killed");
    assert_eq!(
        lock_pid(&dir),
        child_pid,
        "the stale lock file is still there"
    );
    let out = sb(&dir, &["client", "list"]);
    assert_eq!(list_rows(&out).len(), 1, "{}", out.stderr);
    assert_eq!(lock_pid(&dir), out.pid);
}

// ---------------------------------------------------------------------------------------------
// Standard age files
// ---------------------------------------------------------------------------------------------

/// Whether `program` is on `PATH`.
fn on_path(program: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|d| d.join(program).is_file()))
}

/// `age -d -i KEY FILE`, parsed as JSON.
/// A record decrypted with Debian's `age` and its MAC checked as the README says (by
/// `support::open_format`, not securebase's code): the record's own JSON.
fn age_decrypt(key: &Path, dir: &Path, file: &Path) -> serde_json::Value {
    let out = Command::new("age")
        .arg("-d")
        .arg("-i")
        .arg(key)
        .arg(file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "age -d {}: {}",
        file.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    let identity = fs::read_to_string(key).unwrap();
    let folder = age::x25519::Identity::from_str(
        identity
            .lines()
            .find(|l| l.starts_with("AGE-SECRET-KEY-1"))
            .unwrap(),
    )
    .unwrap();
    let relative = file
        .strip_prefix(dir)
        .unwrap()
        .to_str()
        .unwrap()
        .replace('\\', "/");
    let body = open_format::check(&folder, &relative, &out.stdout)
        .unwrap_or_else(|| panic!("{relative}: its MAC does not check"));
    serde_json::from_str(&body).unwrap()
}

/// Opens `identity` with the passphrase into `key`, with the `age` tool through a
/// pseudo-terminal (age reads passphrases only from a terminal).
/// The folder key, unlocked with Debian's `age` alone in two standard steps (into `work`): the
/// clinician's own key with their passphrase, then `keys/folder.age` (encrypted to every
/// clinician's own key) with it.
fn folder_key_with_age(dir: &Path, work: &Path) -> PathBuf {
    let own = work.join("own.txt");
    open_identity_with_age(&dir.join(common::key_file(dir)), &own);
    let key = work.join("key.txt");
    let out = Command::new("age")
        .args(["-d", "-o"])
        .arg(&key)
        .arg("-i")
        .arg(&own)
        .arg(dir.join("keys/folder.age"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    key
}

fn open_identity_with_age(identity: &Path, key: &Path) {
    let opened = Command::new("sh")
        .arg("-c")
        .arg(r#"printf '%s\n' "$PASS" | timeout 60 script -qec 'age -d -o "$KEY" "$IDENTITY"' /dev/null"#)
        .env("PASS", PASS)
        .env("KEY", key)
        .env("IDENTITY", identity)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(
        opened.status.success(),
        "age could not open the sealed key: {}{}",
        String::from_utf8_lossy(&opened.stdout),
        String::from_utf8_lossy(&opened.stderr)
    );
}

#[test]
#[cfg_attr(
    windows,
    ignore = "on Windows: runs Debian's age and script, Linux programs"
)]
fn debians_age_tool_decrypts_the_identity_and_the_records() {
    if !on_path("age") {
        println!("skipped: age not installed");
        return;
    }
    if !on_path("script") {
        println!("skipped: script (util-linux) not installed");
        return;
    }
    let (tmp, dir) = temp_data_dir();
    expect_code(&sb(&dir, &["init"]), 0, "init");
    let out = sb(
        &dir,
        &[
            "client",
            "add",
            "--name",
            "Ada Decryptable",
            "--birth-year",
            "1965",
            "--notes",
            "seen on Tuesdays",
        ],
    );
    expect_code(&out, 0, "client add");
    let client_id = out.stdout.split('\t').next().unwrap().trim().to_owned();
    let mut values = vec!["6"; 36];
    values[4] = "x"; // q5: prefer not to answer
    values[35] = ""; // q36: not answered
    values[0] = "1";
    let out = sb(
        &dir,
        &[
            "enter",
            "--client",
            "Ada Decryptable",
            "--instrument",
            "ecr-r",
            "--answers",
            &answers(&values),
        ],
    );
    expect_code(&out, 0, "enter");
    let admin_id = administration_ids(&dir, &client_id).pop_first().unwrap();

    let key = folder_key_with_age(&dir, tmp.path());
    let identity = fs::read_to_string(&key).unwrap();
    assert_eq!(
        identity
            .lines()
            .filter(|l| l.starts_with("AGE-SECRET-KEY-1"))
            .count(),
        1,
        "a standard age identity file"
    );
    let public_key = common::recipient(&dir).to_string();
    assert!(
        identity.contains(&format!("# public key: {public_key}")),
        "the identity names the folder's public key"
    );

    let client = age_decrypt(&key, &dir, &common::client_file(&dir, &client_id));
    assert_eq!(client["id"], client_id.as_str());
    assert_eq!(client["name"], "Ada Decryptable");
    assert_eq!(client["birth_year"], 1965);
    assert_eq!(client["notes"], "seen on Tuesdays");

    let admin = age_decrypt(
        &key,
        &dir,
        &common::administration_file(&dir, &client_id, &admin_id),
    );
    assert_eq!(admin["id"], admin_id.as_str());
    assert_eq!(admin["client_id"], client_id.as_str());
    assert_eq!(admin["instrument_id"], "ecr-r");
    let stored: Vec<(String, serde_json::Value)> = admin["answers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["column"].as_str().unwrap().to_owned(), a["value"].clone()))
        .collect();
    let mut expected: Vec<(String, serde_json::Value)> = (1..=35)
        .map(|i| (format!("q{i}"), serde_json::json!(6)))
        .collect();
    expected[0].1 = serde_json::json!(1);
    expected[4].1 = serde_json::Value::Null;
    assert_eq!(stored, expected, "q5 declined (null), q36 absent");

    // The audit log is age too.
    for entry in fs::read_dir(dir.join("audit")).unwrap() {
        let entry = age_decrypt(&key, &dir, &entry.unwrap().path());
        assert!(entry["action"].is_string(), "{entry}");
    }
}

// ---------------------------------------------------------------------------------------------
// Nothing in the clear
// ---------------------------------------------------------------------------------------------

/// The payload of an age file (after the header's `---` line); panics if `bytes` is not one.
fn age_payload<'a>(path: &Path, bytes: &'a [u8]) -> &'a [u8] {
    assert!(
        bytes.starts_with(b"age-encryption.org/v1\n"),
        "{} is not an age file",
        path.display()
    );
    let mac = bytes
        .windows(5)
        .position(|w| w == b"\n--- ")
        .unwrap_or_else(|| panic!("{}: no age header end", path.display()));
    let end = bytes[mac + 1..]
        .iter()
        .position(|b| *b == b'\n')
        .expect("header line ends");
    &bytes[mac + 1 + end + 1..]
}

/// `sha256sum <id>.age` as securebase writes it beside the key (`keys/<id>.age.sha256`).
fn sha256sum_line(name: &Path, identity: &[u8]) -> Vec<u8> {
    use sha2::Digest as _;
    use std::fmt::Write as _;
    let hex = sha2::Sha256::digest(identity)
        .iter()
        .fold(String::new(), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        });
    let name = name.file_name().unwrap().to_string_lossy();
    format!("{hex}  {name}\n").into_bytes()
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

#[test]
fn no_file_in_the_data_folder_holds_a_name_a_birth_year_or_notes() {
    let (_tmp, dir) = temp_data_dir();
    expect_code(&sb(&dir, &["init"]), 0, "init");
    let people = [
        (
            "Wilhelmina Quartzfeather",
            "1937",
            "dreams about the Skerryvore lighthouse",
        ),
        (
            "Zoë Ångström-Kowalczyk",
            "1952",
            "sister lives in Tromsø; prefers mornings",
        ),
    ];
    for (name, year, notes) in people {
        let out = sb(
            &dir,
            &[
                "client",
                "add",
                "--name",
                name,
                "--birth-year",
                year,
                "--notes",
                notes,
            ],
        );
        expect_code(&out, 0, "client add");
    }
    let out = sb(
        &dir,
        &[
            "enter",
            "--client",
            "wilhelmina quartzfeather",
            "--instrument",
            "ecr-r",
            "--answers",
            &answers(&["5"; 36]),
        ],
    );
    expect_code(&out, 0, "enter");

    let files = snapshot(&dir);
    assert!(files.len() >= 8, "{:?}", files.keys());
    for (path, bytes) in &files {
        let shown = path.display().to_string();
        for (name, year, notes) in people {
            let surname = name.split(' ').nth(1).unwrap();
            for needle in [name, surname, notes, "Skerryvore", "Tromsø"] {
                assert!(
                    !shown.contains(needle),
                    "file name {shown} holds {needle:?}"
                );
                assert!(!contains(bytes, needle), "{shown} holds {needle:?}");
            }
            // Digits occur by chance in the clear parts (process id, time stamps, base64 of
            // the age header), so the year is searched where the record itself would be.
            let searched: Vec<u8> = match shown.as_str() {
                "securebase.json" => {
                    // Clear text by design; its time stamps (the clinicians' and the
                    // recovery key's too: their nanoseconds once held "1952") and the
                    // clinicians' random hex ids are left out of the search.
                    let mut meta: serde_json::Value = serde_json::from_slice(bytes).unwrap();
                    blank_stamps_and_ids(&mut meta);
                    serde_json::to_vec(&meta).unwrap()
                }
                _ if shown.ends_with(".age.sha256") => {
                    // Only the sealed key's hash, as `sha256sum` writes it (hex digits could
                    // hold a year by chance, so it is checked whole instead).
                    let key = Path::new(shown.strip_suffix(".sha256").unwrap());
                    assert_eq!(*bytes, sha256sum_line(key, &files[key]));
                    Vec::new()
                }
                _ => age_payload(path, bytes).to_vec(),
            };
            assert!(
                !contains(&searched, year),
                "{shown} holds the birth year {year}"
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// init
// ---------------------------------------------------------------------------------------------

#[test]
fn init_sets_up_once_and_refuses_short_passphrases() {
    let (tmp, dir) = temp_data_dir();
    // Eight characters: the shortest accepted.
    let out = sb_with(&dir, &[(PASS_ENV, "8 chars!")], &["init"]);
    expect_code(&out, 0, "init");
    assert!(
        out.stdout.contains(&dir.display().to_string()),
        "{}",
        out.stdout
    );
    assert!(Store::is_initialised(&dir));
    let files = snapshot(&dir);
    let names: BTreeSet<String> = files
        .keys()
        .filter(|p| !common::in_audit(p))
        .map(|p| p.display().to_string())
        .collect();
    let key = common::key_file(&dir).display().to_string();
    for name in [key.as_str(), "securebase.json"] {
        assert!(names.contains(name), "{name} is written: {names:?}");
    }
    for name in common::LOCK_FILES {
        assert!(dir.join(name).is_file(), "{name} is written");
    }
    assert_eq!(
        audit_files(&files).len(),
        2,
        "the set-up and its recovery key are logged"
    );
    assert!(
        names.contains("keys/recovery.age"),
        "a recovery key is made at set-up: {names:?}"
    );
    for sub in ["clients", "administrations", "audit", "questionnaires"] {
        assert!(dir.join(sub).is_dir(), "{sub}/ is created");
    }

    let out = sb_with(&dir, &[(PASS_ENV, "another passphrase")], &["init"]);
    expect_bad_input(
        &out,
        &["already holds", &dir.display().to_string()],
        "second init",
    );
    assert_same_files(&files, &snapshot(&dir), "second init");

    // From the environment (scripts, tests) a passphrase is taken as given: a short one works
    // with a warning; an empty one is refused and creates nothing. (At the terminal and in the
    // app a person must choose at least 8 characters.)
    let fresh = tmp.path().join("fresh-empty");
    let out = sb_with(&fresh, &[(PASS_ENV, "")], &["init"]);
    expect_bad_input(&out, &["is empty"], "empty passphrase");
    assert!(
        !fresh.exists(),
        "nothing is created for an empty passphrase"
    );
    for (k, short) in ["seven 7", "ÅÄÖåäö1"].iter().enumerate() {
        let fresh = tmp.path().join(format!("fresh-{k}"));
        let out = sb_with(&fresh, &[(PASS_ENV, short)], &["init"]);
        assert_eq!(
            out.code, 0,
            "short passphrase {short:?} from the environment"
        );
        assert!(
            out.stderr.contains("fewer than 8 characters"),
            "a short passphrase is warned about"
        );
    }
}

#[test]
fn commands_on_a_folder_without_init_say_to_run_init() {
    let tmp = tempfile::tempdir().unwrap();
    let missing = tmp.path().join("missing");
    let empty = tmp.path().join("empty");
    fs::create_dir(&empty).unwrap();
    let all_fours = answers(&["4"; 36]);
    let commands: [&[&str]; 6] = [
        &["client", "list"],
        &["client", "add", "--name", "Nobody"],
        &[
            "enter",
            "--client",
            "Nobody",
            "--instrument",
            "ecr-r",
            "--answers",
            &all_fours,
        ],
        &["history", "--client", "Nobody"],
        &["audit"],
        &["change-passphrase"],
    ];
    for dir in [&missing, &empty] {
        for args in commands {
            let out = sb_with(
                dir,
                &[(PASS_ENV, PASS), (NEW_PASS_ENV, "another passphrase")],
                args,
            );
            expect_bad_input(
                &out,
                &["securebase init", &dir.display().to_string()],
                &format!("{args:?} without init"),
            );
        }
    }
    assert!(!missing.exists(), "no folder is created");
    assert_eq!(
        fs::read_dir(&empty).unwrap().count(),
        0,
        "nothing is written"
    );
}

// ---------------------------------------------------------------------------------------------
// client add / list
// ---------------------------------------------------------------------------------------------

#[test]
fn clients_are_added_listed_and_checked() {
    let (tmp, dir) = temp_data_dir();
    // Through `--data-dir`, with `SECUREBASE_DATA` pointing elsewhere: the flag wins.
    let decoy = tmp.path().join("decoy");
    let data_dir = dir.display().to_string();
    let run = |args: &[&str]| {
        let mut all = vec!["--data-dir", data_dir.as_str()];
        all.extend_from_slice(args);
        sb(&decoy, &all)
    };
    let day_before = jiff::Timestamp::now().strftime("%Y-%m-%d").to_string();
    expect_code(&run(&["init"]), 0, "init");
    assert!(!decoy.exists());

    let robin = run(&[
        "client",
        "add",
        "--name",
        "Robin Alder",
        "--birth-year",
        "1984",
        "--notes",
        "first seen in March",
    ]);
    expect_code(&robin, 0, "client add");
    let (robin_id, robin_name) = robin.stdout.trim_end().split_once('\t').unwrap();
    assert_eq!(robin_name, "Robin Alder");
    assert!(robin_id.len() == 32 && robin_id.bytes().all(|b| b.is_ascii_hexdigit()));
    let ash = run(&["client", "add", "--name", "  ash Birch  "]);
    expect_code(&ash, 0, "client add without birth year");
    let (ash_id, ash_name) = ash.stdout.trim_end().split_once('\t').unwrap();
    assert_eq!(ash_name, "ash Birch", "the name is trimmed");

    let dup = run(&[
        "client",
        "add",
        "--name",
        "ROBIN ALDER",
        "--birth-year",
        "1990",
    ]);
    expect_bad_input(&dup, &["already exists", robin_id], "duplicate name");
    let old = run(&[
        "client",
        "add",
        "--name",
        "Old Timer",
        "--birth-year",
        "1850",
    ]);
    expect_bad_input(&old, &["1850", "1900"], "birth year 1850");

    let mut rows = list_rows(&run(&["client", "list"]));
    // Created today (UTC); a run across midnight may show the day before.
    let today = jiff::Timestamp::now().strftime("%Y-%m-%d").to_string();
    for row in &mut rows {
        if row.get(3) == Some(&day_before) {
            row[3].clone_from(&today);
        }
    }
    let expected: Vec<Vec<String>> = [
        [ash_id, "ash Birch", "", &today, "0"],
        [robin_id, "Robin Alder", "1984", &today, "0"],
    ]
    .iter()
    .map(|row| row.map(str::to_owned).to_vec())
    .collect();
    assert_eq!(
        rows, expected,
        "sorted by name, ignoring case; nothing from the refused adds"
    );

    // The audit log names the clients by id only.
    let rows = audit_rows(&dir, PASS);
    for name in ["Robin", "Alder", "Birch", "March"] {
        assert!(
            rows.iter().flatten().all(|field| !field.contains(name)),
            "audit shows {name:?}: {rows:?}"
        );
    }
    for id in [robin_id, ash_id] {
        assert!(
            rows.iter()
                .any(|r| r[0] == "create" && r[1] == "client" && r[2] == id),
            "no create entry for {id}: {rows:?}"
        );
    }
    assert_eq!(
        rows[0][..3],
        ["create", "data_folder", ""].map(str::to_owned)
    );
}

#[test]
fn client_names_cannot_break_the_tab_separated_list() {
    let (_tmp, dir, _id) = library_store_with_client("Plain Name", None);
    let mut added = 1;
    for name in ["Tab\tInside", "Line\nBreak", "Carriage\rReturn"] {
        let out = sb(&dir, &["client", "add", "--name", name]);
        match out.code {
            0 => added += 1,
            2 => {}
            _ => panic!("client add {name:?}: exit {}: {}", out.code, out.stderr),
        }
    }
    let out = sb(&dir, &["client", "list"]);
    let rows = list_rows(&out);
    assert_eq!(
        rows.len(),
        added,
        "one line per client (a name is refused or escaped):\n{}",
        out.stdout
    );
    for row in rows {
        assert_eq!(row.len(), 5, "five tab-separated fields: {row:?}");
    }
}

// ---------------------------------------------------------------------------------------------
// enter
// ---------------------------------------------------------------------------------------------

#[test]
fn enter_checks_every_answer_saves_nothing_on_error_and_keeps_declined() {
    let (_tmp, dir, client_id) = library_store_with_client("Casey Enter", Some(1979));
    let before = snapshot(&dir);
    let enter = |values: &str| {
        sb(
            &dir,
            &[
                "enter",
                "--client",
                "Casey Enter",
                "--instrument",
                "ecr-r",
                "--answers",
                values,
            ],
        )
    };

    let mut v = vec!["4"; 35];
    expect_bad_input(&enter(&answers(&v)), &["36 answers", "35"], "35 answers");
    v.extend(["4", "4"]);
    expect_bad_input(&enter(&answers(&v)), &["36 answers", "37"], "37 answers");
    for (item, bad) in [
        (7, "8"),
        (1, "0"),
        (12, "four"),
        (13, "3.5"),
        (36, "-1"),
        (20, "X1"),
    ] {
        let mut v = vec!["4"; 36];
        v[item - 1] = bad;
        let column = format!("q{item}");
        expect_bad_input(
            &enter(&answers(&v)),
            &[&column, bad],
            &format!("{bad:?} at {column}"),
        );
    }
    assert_same_files(&before, &snapshot(&dir), "refused answers");
    assert!(administration_ids(&dir, &client_id).is_empty());

    // q3 = x (prefer not to answer), q20 empty (not answered), the rest 4.
    let mut v = vec!["4"; 36];
    v[2] = "x";
    v[19] = "";
    let out = enter(&answers(&v));
    expect_code(&out, 0, "enter with x and an empty cell");
    assert!(
        out.stdout.contains("34 answered, 2 missing"),
        "{}",
        out.stdout
    );
    let score_line = |id: &str| {
        out.stdout
            .lines()
            .find(|l| l.trim_start().starts_with(id))
            .unwrap_or_else(|| panic!("no {id} line in:\n{}", out.stdout))
            .to_owned()
    };
    let anxiety = score_line("anxiety");
    assert!(
        anxiety.contains("4.00")
            && anxiety.contains("exactly 4;")
            && anxiety.contains("17 of 18 answered"),
        "{anxiety}"
    );
    assert!(score_line("avoidance").contains("17 of 18 answered"));
    assert!(!out.stderr.contains("error"), "{}", out.stderr);

    let store = Store::open(&dir).unwrap();
    let keys = store.unlock(&secret(PASS)).unwrap();
    let loaded = store.administrations(&keys, &client_id).unwrap();
    assert!(loaded.failures.is_empty(), "{:?}", loaded.failures);
    let [admin] = loaded.records.as_slice() else {
        panic!("one administration: {:?}", loaded.records)
    };
    let q3 = admin
        .answers
        .iter()
        .find(|a| a.column == "q3")
        .expect("q3 kept");
    assert_eq!(q3.value, None, "declined is stored as no value");
    assert!(
        admin.answers.iter().all(|a| a.column != "q20"),
        "not answered is no entry at all"
    );
    assert_eq!(admin.answers.len(), 35);
    assert!(
        admin
            .answers
            .iter()
            .filter(|a| a.column != "q3")
            .all(|a| a.value == Some(4))
    );
    let ecr_r = common::instrument("ecr-r");
    let report = score(&ecr_r, &admin.responses(&ecr_r).unwrap());
    assert_eq!((report.n_missing, report.n_declined), (2, 1));
    assert_eq!(store.count_administrations(&client_id), 1);
}

// ---------------------------------------------------------------------------------------------
// history, lookups, audit
// ---------------------------------------------------------------------------------------------

/// The hand-checked ECR-R form: q3 declined, q9 = 2, q11 = 3, other anxiety items 5;
/// every avoidance item 7.
///
/// anxiety (items 1-18, 9 and 11 reversed as 8 - x; q3 declined, so 17 answered):
///   15 forward items (q1, q2, q4-q8, q10, q12-q18) x 5 = 75
///   q9 = 2 -> 6, q11 = 3 -> 5                          = 11
///   (75 + 11) / 17 = 86 / 17 = 5.0588235294117645
/// avoidance (items 19-36; all but 19, 21, 23, 24, 25, 32 reversed):
///   6 forward x 7 = 42, 12 reversed x (8 - 7) = 12: 54 / 18 = 3
fn hand_checked_answers() -> String {
    let mut v = vec!["5"; 18];
    v[2] = "x";
    v[8] = "2";
    v[10] = "3";
    v.extend(["7"; 18]);
    answers(&v)
}

/// The audit log after `history_lists_oldest_first_with_recomputed_scores`.
fn assert_history_audited(dir: &Path, dana: &str, new: &str) {
    // Opening results is logged by record id, never by name.
    let rows = audit_rows(dir, PASS);
    let has = |action: &str, kind: &str, id: &str| {
        rows.iter()
            .any(|r| r[0] == action && r[1] == kind && r[2] == id)
    };
    assert!(has("create", "administration", new), "{rows:?}");
    assert!(has("open", "administration", new), "{rows:?}");
    let history_opens = rows
        .iter()
        .filter(|r| r[0] == "open" && r[1] == "client" && r[2] == dana)
        .count();
    assert_eq!(history_opens, 2, "one per history shown: {rows:?}");
    for row in &rows {
        for field in row {
            assert!(!field.to_lowercase().contains("dana"), "{row:?}");
        }
    }
}

/// (administration id, anxiety, avoidance, `n_missing`) of one history entry.
type Expected<'a> = (&'a str, f64, f64, i32);

/// Equal up to rounding.
fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-12
}

/// Checks `history --format csv` against `expected`, in order: one row per administration.
fn assert_history_csv(stdout: &str, expected: &[Expected<'_>]) {
    let mut csv = csv::Reader::from_reader(stdout.as_bytes());
    let header: Vec<String> = csv.headers().unwrap().iter().map(str::to_owned).collect();
    assert_eq!(
        header,
        [
            "administration",
            "instrument",
            "instrument_version",
            "status",
            "source",
            "mode",
            "date",
            "started",
            "finished",
            "anxiety",
            "avoidance",
            "n_missing",
            "flags"
        ]
    );
    let rows: Vec<csv::StringRecord> = csv.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 3, "one row for each of three administrations");
    for (row, (id, anxiety, avoidance, n_missing)) in rows.iter().zip(expected.iter().copied()) {
        assert_eq!(&row[0], id, "oldest first: {rows:?}");
        assert_eq!(&row[1], "ecr-r");
        assert_eq!(&row[3], "completed");
        for (column, value) in [(9, anxiety), (10, avoidance)] {
            assert!(
                close(row[column].parse().unwrap(), value),
                "{id} column {column}: {}",
                &row[column]
            );
        }
        assert_eq!(&row[11], n_missing.to_string().as_str());
    }
    assert_eq!(&rows[2][4], "paper_entry");
    assert_eq!(&rows[2][5], "paper, single entry");
}

#[test]
fn history_lists_oldest_first_with_recomputed_scores() {
    const OLD: &str = "ffffffffffffffffffffffffffffffff";
    const MIDDLE: &str = "00000000000000000000000000000001";
    let (_tmp, dir, dana) = library_store_with_client("Dana History", Some(1975));
    {
        // File names sort MIDDLE, (new), OLD; times sort OLD, MIDDLE, new.
        let store = Store::open(&dir).unwrap();
        let _keys = store.unlock(&secret(PASS)).unwrap();
        common::save_ecr_r(&store, &dana, OLD, 4, "2020-01-02T03:04:05Z");
        common::save_ecr_r(&store, &dana, MIDDLE, 2, "2024-05-06T07:08:09Z");
    }
    let out = sb(
        &dir,
        &[
            "enter",
            "--client",
            "dana history",
            "--instrument",
            "ecr-r",
            "--answers",
            &hand_checked_answers(),
        ],
    );
    expect_code(&out, 0, "enter");
    assert!(out.stdout.contains("5.06"), "{}", out.stdout);
    let new: Vec<String> = administration_ids(&dir, &dana)
        .into_iter()
        .filter(|id| id != OLD && id != MIDDLE)
        .collect();
    let [new] = new.as_slice() else {
        panic!("one new administration: {new:?}")
    };

    // Expected (administration, anxiety, avoidance), oldest first:
    //   OLD all 4: every keyed value is 4 (8 - 4 = 4): 4 and 4.
    //   MIDDLE all 2: anxiety (16 x 2 + 2 x 6) / 18 = 44 / 18;
    //                 avoidance (6 x 2 + 12 x 6) / 18 = 84 / 18.
    //   new: see `hand_checked_answers`: 86 / 17 and 3.
    let expected = [
        (OLD, 4.0, 4.0, 0),
        (MIDDLE, 44.0 / 18.0, 84.0 / 18.0, 0),
        (new.as_str(), 86.0 / 17.0, 3.0, 1),
    ];
    assert!(close(86.0 / 17.0, 5.058_823_529_411_764_5));

    let out = sb(
        &dir,
        &["history", "--client", "Dana History", "--format", "csv"],
    );
    expect_code(&out, 0, "history csv");
    assert_history_csv(&out.stdout, &expected);

    let out = sb(&dir, &["history", "--client", "nobody at all"]);
    expect_bad_input(&out, &["no client", "nobody at all"], "unknown client");

    // A second client whose name differs only in case: the name is ambiguous, the id is not.
    let other = {
        let store = Store::open(&dir).unwrap();
        let _keys = store.unlock(&secret(PASS)).unwrap();
        save_client(&store, "DANA HISTORY", None, "").id
    };
    let out = sb(&dir, &["history", "--client", "dana history"]);
    expect_bad_input(&out, &[&dana, &other, "give the id"], "ambiguous name");
    let out = sb(
        &dir,
        &[
            "enter",
            "--client",
            "DANA history",
            "--instrument",
            "ecr-r",
            "--answers",
            &answers(&["4"; 36]),
        ],
    );
    expect_bad_input(&out, &[&dana, &other], "ambiguous name for enter");
    assert_eq!(administration_ids(&dir, &dana).len(), 3, "nothing saved");
    let out = sb(&dir, &["history", "--client", &dana, "--format", "json"]);
    expect_code(&out, 0, "history json by id");
    let doc: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(doc["client"]["id"], dana.as_str());
    let listed = doc["administrations"].as_array().unwrap();
    assert_eq!(listed.len(), 3);
    for (a, (id, anxiety, avoidance, n_missing)) in listed.iter().zip(expected) {
        assert_eq!(a["administration"], id, "oldest first");
        assert_eq!(a["n_missing"], n_missing);
        assert!(
            close(a["scores"]["anxiety"].as_f64().unwrap(), anxiety),
            "{a}"
        );
        assert!(
            close(a["scores"]["avoidance"].as_f64().unwrap(), avoidance),
            "{a}"
        );
    }
    let started: Vec<jiff::Timestamp> = listed
        .iter()
        .map(|a| a["started"].as_str().unwrap().parse().unwrap())
        .collect();
    assert!(started.is_sorted());

    assert_history_audited(&dir, &dana, new);
}

// ---------------------------------------------------------------------------------------------
// change-passphrase
// ---------------------------------------------------------------------------------------------

#[test]
fn change_passphrase_reseals_only_the_identity() {
    const NEW: &str = "a brand new passphrase";
    let (_tmp, dir, client_id) = library_store_with_client("Pat Change", Some(2001));
    {
        let store = Store::open(&dir).unwrap();
        let _keys = store.unlock(&secret(PASS)).unwrap();
        common::save_ecr_r(
            &store,
            &client_id,
            &new_id().unwrap(),
            3,
            "2026-02-02T00:00:00Z",
        );
    }
    let key = common::key_file(&dir);
    let identity = || fs::read(dir.join(&key)).unwrap();
    let sealed = identity();

    let out = sb_with(
        &dir,
        &[(PASS_ENV, "not the passphrase"), (NEW_PASS_ENV, NEW)],
        &["change-passphrase"],
    );
    expect_bad_input(&out, &["passphrase is wrong"], "wrong current passphrase");
    assert_eq!(identity(), sealed);
    let out = sb_with(
        &dir,
        &[(PASS_ENV, PASS), (NEW_PASS_ENV, "")],
        &["change-passphrase"],
    );
    expect_bad_input(&out, &["is empty"], "empty new passphrase");
    assert_eq!(identity(), sealed);

    let before = snapshot(&dir);
    let out = sb_with(
        &dir,
        &[(PASS_ENV, PASS), (NEW_PASS_ENV, NEW)],
        &["change-passphrase"],
    );
    expect_code(&out, 0, "change-passphrase");
    let after = snapshot(&dir);
    assert_ne!(identity(), sealed, "the key is re-sealed");
    let mut records_before = outside_audit(&before);
    let mut records_after = outside_audit(&after);
    let mut sum_name = key.clone().into_os_string();
    sum_name.push(".sha256");
    records_before.remove(&key);
    records_after.remove(&key);
    records_before.remove(Path::new(&sum_name));
    let sum = records_after.remove(Path::new(&sum_name)).unwrap();
    assert_eq!(
        sum,
        sha256sum_line(&key, &identity()),
        "the checksum follows the key"
    );
    assert_same_files(&records_before, &records_after, "change-passphrase");
    let new_audit: Vec<PathBuf> = audit_files(&after)
        .difference(&audit_files(&before))
        .cloned()
        .collect();
    assert_eq!(new_audit.len(), 1, "{new_audit:?}");
    for old in audit_files(&before) {
        assert!(after[&old] == before[&old], "{} changed", old.display());
    }

    let out = sb(&dir, &["client", "list"]);
    expect_bad_input(
        &out,
        &["passphrase is wrong"],
        "old passphrase after the change",
    );
    let rows = audit_rows(&dir, NEW);
    assert_eq!(
        rows.iter().filter(|r| r[0] == "passphrase_change").count(),
        1,
        "{rows:?}"
    );
    assert_eq!(
        rows.iter().filter(|r| r[0] == "failed_unlock").count(),
        2,
        "the wrong current passphrase and the old one after the change: {rows:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// Where the data folder is: the machine settings file
// ---------------------------------------------------------------------------------------------

/// Runs `securebase ARGS` with no `SECUREBASE_DATA`, the machine settings file `ini`, and a
/// home of its own under `root` (so the default folder is never the real one).
fn sb_machine(root: &Path, ini: &Path, args: &[&str]) -> Out {
    let home = root.join("home");
    let out = Command::new(run::BIN)
        .args(args)
        .env_remove("SECUREBASE_DATA")
        .env_remove(PASS_ENV)
        .env("SECUREBASE_MACHINE_SETTINGS", ini)
        .env("SECUREBASE_PASSPHRASE", PASS)
        .env("SECUREBASE_SCRYPT_WORK_FACTOR", WORK_FACTOR.to_string())
        .env("HOME", &home)
        .env("XDG_DATA_HOME", home.join("share"))
        .env("LOCALAPPDATA", home.join("local"))
        .stdin(Stdio::null())
        .output()
        .unwrap();
    Out {
        code: out.status.code().unwrap(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        pid: 0,
    }
}

#[test]
fn the_machine_settings_file_sets_the_data_folder_and_a_broken_one_stops_everything() {
    let tmp = tempfile::tempdir().unwrap();
    let ini = tmp.path().join("etc").join("securebase.ini");
    let clinic = tmp.path().join("clinic data");

    // Written as the installer writes it; then every command uses that folder.
    let out = sb_machine(
        tmp.path(),
        &ini,
        &[
            "machine-settings",
            "--data-folder",
            clinic.to_str().unwrap(),
        ],
    );
    expect_code(&out, 0, "machine-settings --data-folder");
    assert!(fs::read_to_string(&ini).unwrap().contains("data_folder = "));
    let out = sb_machine(tmp.path(), &ini, &["machine-settings"]);
    expect_code(&out, 0, "machine-settings");
    assert!(
        out.stdout.contains(&format!(
            "Data folder: {} (from the machine settings file",
            clinic.display()
        )),
        "{}",
        out.stdout
    );
    expect_code(&sb_machine(tmp.path(), &ini, &["init"]), 0, "init");
    assert!(
        Store::is_initialised(&clinic),
        "init used the machine's folder"
    );

    // A broken file is an error naming its line, never a silent fall back to an empty default
    // folder; naming the folder still works.
    fs::write(&ini, "[securebase]\ndata_folder = relative/path\n").unwrap();
    let out = sb_machine(tmp.path(), &ini, &["client", "list"]);
    expect_bad_input(
        &out,
        &[&ini.display().to_string(), "line 2", "not a full path"],
        "broken file",
    );
    let out = sb_machine(
        tmp.path(),
        &ini,
        &["--data-dir", clinic.to_str().unwrap(), "client", "list"],
    );
    expect_code(
        &out,
        0,
        "--data-dir wins over a broken machine settings file",
    );
    assert!(
        !tmp.path().join("home").exists(),
        "no default folder was made"
    );

    let out = sb_machine(tmp.path(), &ini, &["machine-settings", "--clear"]);
    expect_code(&out, 0, "--clear");
    assert!(!ini.exists());
}

/// Nulls every time stamp and every `id` in `value`, at any depth: digits there are chance.
fn blank_stamps_and_ids(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                let chance = key == "id"
                    || v.as_str()
                        .is_some_and(|t| t.parse::<jiff::Timestamp>().is_ok());
                if chance {
                    *v = serde_json::Value::Null;
                } else {
                    blank_stamps_and_ids(v);
                }
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(blank_stamps_and_ids),
        _ => {}
    }
}
