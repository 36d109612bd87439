//! Removing a clinician replaces the folder's key and re-encrypts every record. Killed at any
//! moment, the folder opens with the old keys or the new ones, never neither, and loses
//! nothing: `securebase clinician remove` is killed (SIGKILL) at random moments, over and over, and
//! after each kill the folder is opened and read in full.

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::support::bin;
use crate::support::common::{self, PASS, save_client, secret};

use securebase::store::{Store, new_id};

const OTHER_PASS: &str = "the second clinician's passphrase";

/// xorshift: reproducible "random" moments.
fn next(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

/// What the folder holds, by id.
fn contents(dir: &Path, pass: &str) -> (BTreeSet<String>, BTreeSet<String>) {
    let store = Store::open(dir).unwrap();
    let keys = store.unlock(&secret(pass)).unwrap();
    let clients = store.clients(&keys).unwrap();
    assert!(clients.failures.is_empty(), "{:?}", clients.failures);
    let mut administrations = BTreeSet::new();
    for c in &clients.records {
        let loaded = store.administrations(&keys, &c.id).unwrap();
        assert!(loaded.failures.is_empty(), "{:?}", loaded.failures);
        administrations.extend(loaded.records.into_iter().map(|a| a.id));
    }
    let chain = store.check_audit(&keys).unwrap();
    assert!(chain.is_whole(), "{:?}", chain.problems);
    (
        clients.records.into_iter().map(|c| c.id).collect(),
        administrations,
    )
}

fn restore(template: &std::collections::BTreeMap<std::path::PathBuf, Vec<u8>>, dir: &Path) {
    if dir.exists() {
        fs::remove_dir_all(dir).unwrap();
    }
    for (relative, bytes) in template {
        let path = dir.join(relative);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, bytes).unwrap();
    }
}

fn remove_command(dir: &Path) -> std::process::Command {
    let mut command = bin::command(&[
        "--data-dir",
        dir.to_str().unwrap(),
        "clinician",
        "remove",
        "--name",
        "Dr Second",
    ]);
    command
        .env("SECUREBASE_PASSPHRASE", PASS)
        .env("SECUREBASE_CLINICIAN", "Dr First")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    command
}

#[test]
fn a_key_replacement_killed_anywhere_opens_with_the_old_keys_or_the_new() {
    let rounds: u32 = std::env::var("SECUREBASE_KILL_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(100);
    let tmp = tempfile::tempdir().unwrap();
    let origin = tmp.path().join("origin");
    let old_key;
    {
        let (store, keys) =
            Store::init(&origin, "Dr First", &secret(PASS), common::WORK_FACTOR).unwrap();
        store
            .add_clinician(&keys, "Dr Second", &secret(OTHER_PASS), common::WORK_FACTOR)
            .unwrap();
        for i in 0..15 {
            let client = save_client(&store, &format!("Client {i}"), None, "");
            for month in 1..=2 {
                common::save_ecr_r(
                    &store,
                    &client.id,
                    &new_id().unwrap(),
                    3,
                    &format!("2026-0{month}-05T10:00:00Z"),
                );
            }
        }
        let first = Path::new("keys").join(format!("{}.age", keys.clinician.id));
        old_key = crate::support::open_format::folder_secret(&origin, &first, PASS);
    }
    let template = common::snapshot(&origin);
    let expected = contents(&origin, PASS);
    let probe = |dir: &Path| {
        let client = expected.0.iter().next().unwrap();
        age::decrypt(
            &old_key,
            &fs::read(common::client_file(dir, client)).unwrap(),
        )
        .is_ok()
    };

    // How long a removal takes, unkilled.
    let dir = tmp.path().join("data");
    restore(&template, &dir);
    let timed = Instant::now();
    let status = remove_command(&dir).status().unwrap();
    assert!(status.success(), "the removal runs when not killed");
    let whole = u64::try_from(timed.elapsed().as_micros())
        .unwrap()
        .max(10_000);
    assert_eq!(contents(&dir, PASS), expected);
    assert!(!probe(&dir), "after a removal the old key opens nothing");

    let mut seed: u64 = 0x00DD_BA11;
    let (mut old, mut new, mut staged, mut committed) = (0, 0, 0, 0);
    let started = Instant::now();
    for round in 0..rounds {
        restore(&template, &dir);
        let mut child = remove_command(&dir).spawn().unwrap();
        std::thread::sleep(Duration::from_micros(next(&mut seed) % whole));
        child.kill().unwrap();
        child.wait().unwrap();
        staged += u32::from(dir.join("rotation.staging").exists());
        committed += u32::from(dir.join("rotation").exists());

        // The folder opens, with the first clinician's passphrase, and holds everything.
        assert_eq!(contents(&dir, PASS), expected, "round {round}");
        assert!(!dir.join("rotation.staging").exists() && !dir.join("rotation").exists());
        let store = Store::open(&dir).unwrap();
        let second = store.clinicians().iter().any(|c| c.name == "Dr Second");
        let second_unlocks = store.unlock(&secret(OTHER_PASS)).is_ok();
        drop(store);
        if probe(&dir) {
            // The old keys: nothing was replaced, and the second clinician is still one.
            assert!(
                second && second_unlocks,
                "round {round}: old key, but no Dr Second"
            );
            old += 1;
        } else {
            // The new keys: the second clinician is gone and opens nothing.
            assert!(
                !second && !second_unlocks,
                "round {round}: new key, but Dr Second stays"
            );
            new += 1;
        }
    }
    eprintln!(
        "{rounds} kills in {:.1} s: {old} left the old keys, {new} the new ones; {staged} were \
         killed while staging, {committed} after the commit point",
        started.elapsed().as_secs_f64()
    );
    assert!(
        rounds < 20 || (old > 0 && new > 0),
        "kills should land on both sides"
    );
}
