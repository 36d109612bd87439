//! A power cut in the middle of a form loses no saved answer.
//!
//! `answers_survive_sigkill` starts child processes (this same test binary, running the ignored
//! test `kill_child`) that answer an ECR-R item by item through the store, printing a line after
//! each save has returned. It kills each child with SIGKILL at a random moment, then opens the
//! store the way the app would after a crash, and checks that nothing is corrupt and that every
//! answer whose save had returned is on disk with its value.
//!
//! It runs on Windows too (a kill is `TerminateProcess` there). Processes start far more
//! slowly under Wine than on Linux, so the kill moments are spread over the time one child
//! takes to start and finish a whole form, measured first.

use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use age::secrecy::SecretString;
use jiff::Timestamp;
use securebase::core::Answer;
use securebase::core::bundled::bundled;
use securebase::core::instrument::Instrument;
use securebase::store::{Administration, Client, Source, Store, new_id};

const CHILD_ENV: &str = "SECUREBASE_KILL_CHILD_DIR";
const CLIENT_ENV: &str = "SECUREBASE_KILL_CHILD_CLIENT";
const SEED_ENV: &str = "SECUREBASE_KILL_CHILD_SEED";

fn passphrase() -> SecretString {
    SecretString::from("kill test passphrase".to_owned())
}

fn ecr_r() -> Instrument {
    bundled()
        .into_iter()
        .flatten()
        .find(|i| i.id == "ecr-r")
        .unwrap()
}

/// xorshift: reproducible "random" moments and answers.
fn next(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

/// The child: answers every item of a new ECR-R administration, one save per answer, and says
/// so on stdout after each save returns. Runs only when started by `answers_survive_sigkill`.
#[test]
#[ignore = "child process of answers_survive_sigkill"]
fn kill_child() {
    let Ok(dir) = std::env::var(CHILD_ENV) else {
        return;
    };
    let client_id = std::env::var(CLIENT_ENV).unwrap();
    let mut seed: u64 = std::env::var(SEED_ENV).unwrap().parse().unwrap();
    let instrument = ecr_r();
    let store = Store::open(Path::new(&dir)).unwrap();
    // Client mode's own way: a session key for this one administration, nothing else.
    let keys = store.unlock(&passphrase()).unwrap();
    let id = new_id().unwrap();
    store
        .begin_session(&keys, &client_id, std::slice::from_ref(&id))
        .unwrap();
    drop(keys);
    let mut administration = Administration::new(
        id,
        &client_id,
        &instrument,
        Source::ClientMode,
        Timestamp::now(),
    );
    let mut out = std::io::stdout().lock();
    for slot in 0..instrument.n_slots() {
        let answer = match next(&mut seed) % 8 {
            0 => Answer::Declined,
            v => Answer::Value(i32::try_from(v).unwrap().min(7)),
        };
        administration
            .set_answer(&instrument, slot, answer, Timestamp::now(), Some(1.5))
            .unwrap();
        store.save_administration(&administration).unwrap();
        let value = match answer {
            Answer::Value(v) => v.to_string(),
            _ => "declined".to_owned(),
        };
        writeln!(out, "saved {} {slot} {value}", administration.id).unwrap();
        out.flush().unwrap();
    }
}

/// This test binary, running `kill_child` on `dir` for a new client, answers drawn from `seed`.
fn child_command(exe: &Path, dir: &Path, client_id: &str, seed: u64) -> Command {
    let mut command = Command::new(exe);
    command
        .args([
            "--exact",
            "kill::kill_child",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_ENV, dir)
        .env(CLIENT_ENV, client_id)
        .env(SEED_ENV, (seed | 1).to_string())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    command
}

#[test]
fn answers_survive_sigkill() {
    let rounds: u32 = std::env::var("SECUREBASE_KILL_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(200);
    let dir = tempfile::tempdir().unwrap();
    {
        let (store, _) = Store::init(dir.path(), "Test Clinician", &passphrase(), 4).unwrap();
        let client =
            Client::new(new_id().unwrap(), "kill-test", None, "", Timestamp::now()).unwrap();
        store.save_client(&client).unwrap();
    }
    let instrument = ecr_r();
    let exe = std::env::current_exe().unwrap();
    let mut seed: u64 = 0x5EC0_BA5E;
    let (mut killed_mid_form, mut saves_checked) = (0u32, 0usize);
    let started = Instant::now();

    let child = |client_id: &str, seed: u64| child_command(&exe, dir.path(), client_id, seed);
    // How long a child takes from start to the end of the form, unkilled.
    let timed = Instant::now();
    let status = child(&new_id().unwrap(), 1).status().unwrap();
    assert!(status.success(), "the child fills a form when not killed");
    let whole_form = u64::try_from(timed.elapsed().as_micros())
        .unwrap()
        .max(10_000);

    for round in 0..rounds {
        // A client of its own per round keeps each check to one round's records.
        let client_id = new_id().unwrap();
        let mut child = child(&client_id, next(&mut seed))
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        // Somewhere between start-up and the end of the form.
        std::thread::sleep(Duration::from_micros(next(&mut seed) % whole_form));
        child.kill().unwrap(); // SIGKILL on Unix, TerminateProcess on Windows
        child.wait().unwrap();
        let mut output = String::new();
        child
            .stdout
            .take()
            .unwrap()
            .read_to_string(&mut output)
            .unwrap();
        let saved = saved_answers(&output);
        if !saved.is_empty() && saved.len() < instrument.n_slots() {
            killed_mid_form += 1;
        }

        // As after a crash: open (taking over the dead child's lock), unlock, read everything.
        let store = Store::open(dir.path()).unwrap();
        let keys = store.unlock(&passphrase()).unwrap();
        let loaded = store.administrations(&keys, &client_id).unwrap();
        assert!(
            loaded.failures.is_empty(),
            "round {round}: corrupt records after a kill: {:?}",
            loaded.failures
        );
        for (id, slot, value) in &saved {
            let record = loaded
                .records
                .iter()
                .find(|a| &a.id == id)
                .unwrap_or_else(|| panic!("round {round}: administration {id} lost"));
            let column = &instrument.slots[*slot].column;
            let stored = record
                .answers
                .iter()
                .find(|a| &a.column == column)
                .unwrap_or_else(|| panic!("round {round}: saved answer {column} lost"));
            let expected = if value == "declined" {
                None
            } else {
                Some(value.parse().unwrap())
            };
            assert_eq!(stored.value, expected, "round {round}: {column}");
            saves_checked += 1;
        }
        let leftovers: Vec<_> = walk(dir.path())
            .into_iter()
            .filter(|p| p.to_string_lossy().ends_with(".tmp"))
            .collect();
        assert!(
            leftovers.is_empty(),
            "temporary files not cleaned: {leftovers:?}"
        );
    }
    eprintln!(
        "{rounds} kills ({killed_mid_form} in the middle of a form), {saves_checked} saved answers \
         checked, in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    // The kill moments must actually land inside forms, or the test proves nothing.
    assert!(
        killed_mid_form >= rounds / 4,
        "only {killed_mid_form} of {rounds} kills landed mid-form"
    );
}

/// The child's "saved <administration> <slot> <value>" lines: what it had saved when killed.
fn saved_answers(output: &str) -> Vec<(String, usize, String)> {
    output
        .lines()
        .filter_map(|l| l.strip_prefix("saved "))
        .map(|l| {
            let mut parts = l.split(' ');
            (
                parts.next().unwrap().to_owned(),
                parts.next().unwrap().parse().unwrap(),
                parts.next().unwrap().to_owned(),
            )
        })
        .collect()
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}
