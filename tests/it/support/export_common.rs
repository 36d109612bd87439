//! Helpers shared by `report` and `export` (`use crate::support::export_common;`):
//! data folders built through the store API, administrations with exact answers, running the
//! real `securebase` binary on them, and reading its audit log back.
// Each test file uses its own subset of these.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Stdio;

use age::secrecy::SecretString;
use jiff::Timestamp;
use securebase::catalog::Catalog;
use securebase::core::instrument::Instrument;
use securebase::core::{Answer, ScoreReport, score};
use securebase::store::{Administration, Client, Source, Status, Store, new_id};

/// The clinician's passphrase of every test data folder.
pub const PASS: &str = "export test passphrase";
/// Environment variable of the passphrase.
pub const PASS_ENV: &str = "SECUREBASE_PASSPHRASE";
/// scrypt work factor for the test folders (2^10: unlocking is quick).
pub use super::common::WORK_FACTOR;

/// A bundled instrument.
pub fn instrument(id: &str) -> Instrument {
    Catalog::bundled()
        .get(id)
        .cloned()
        .unwrap_or_else(|| panic!("{id} is bundled"))
}

/// A timestamp from RFC 3339 text.
pub fn ts(s: &str) -> Timestamp {
    s.parse().expect("test timestamp parses")
}

/// A temporary folder, the data folder inside it (set up, empty, closed again) and the open
/// store to fill. Drop the store before running the binary: it holds the folder's lock.
pub fn new_folder() -> (tempfile::TempDir, PathBuf, Store) {
    let tmp = tempfile::tempdir().expect("temporary folder");
    let dir = tmp.path().join("data");
    let (store, _keys) = Store::init(
        &dir,
        "Test Clinician",
        &SecretString::from(PASS.to_owned()),
        WORK_FACTOR,
    )
    .expect("data folder set up");
    (tmp, dir, store)
}

/// A new client, saved.
pub fn add_client(store: &Store, name: &str, birth_year: Option<i32>) -> Client {
    let client = Client::new(
        new_id().expect("id"),
        name,
        birth_year,
        "",
        ts("2025-01-01T09:00:00Z"),
    )
    .expect("valid client");
    store.save_client(&client).expect("client saved");
    client
}

/// An administration of `instrument_id` with `answers` in slot order (`Answer::Missing` = not
/// reached), started at `started`, completed unless `completed` is false, saved.
pub fn save_answers(
    store: &Store,
    client: &Client,
    instrument_id: &str,
    started: &str,
    answers: &[Answer],
    choice: Option<&str>,
    completed: bool,
) -> Administration {
    let instrument = instrument(instrument_id);
    let when = ts(started);
    let mut a = Administration::new(
        new_id().expect("id"),
        &client.id,
        &instrument,
        Source::PaperEntry,
        when,
    );
    for (slot, answer) in answers.iter().enumerate() {
        a.set_answer(&instrument, slot, *answer, when, None)
            .expect("answer fits the instrument");
    }
    a.choice = choice.map(str::to_owned);
    if completed {
        a.status = Status::Completed;
        a.finished = Some(when);
    }
    store.save_administration(&a).expect("administration saved");
    a
}

/// The ECR-R answers whose anxiety and avoidance scores are exactly `anxiety` and `avoidance`:
/// items 1-18 are anxiety, 19-36 avoidance, and the reversed items are answered `8 - target`,
/// so every keyed value equals the target.
pub fn ecr_r_answers(anxiety: i32, avoidance: i32) -> Vec<Answer> {
    const REVERSED: [i32; 14] = [9, 11, 20, 22, 26, 27, 28, 29, 30, 31, 33, 34, 35, 36];
    (1..=36)
        .map(|number| {
            let target = if number <= 18 { anxiety } else { avoidance };
            let value = if REVERSED.contains(&number) {
                8 - target
            } else {
                target
            };
            Answer::Value(value)
        })
        .collect()
}

/// Values as answers.
pub fn values(values: &[i32]) -> Vec<Answer> {
    values.iter().map(|v| Answer::Value(*v)).collect()
}

/// The core's scores of a stored administration (what every export must show).
pub fn core_scores(a: &Administration) -> ScoreReport {
    let instrument = instrument(&a.instrument_id);
    let responses = a.responses(&instrument).expect("answers fit");
    score(&instrument, &responses)
}

/// What one run of the binary did.
#[derive(Debug)]
pub struct Out {
    /// Exit code.
    pub code: i32,
    /// Standard output (lossy UTF-8).
    pub stdout: String,
    /// Standard output as bytes.
    pub stdout_bytes: Vec<u8>,
    /// Standard error.
    pub stderr: String,
}

/// Runs `securebase --data-dir DIR ARGS` with the passphrase `pass` (none when `None`), in the
/// working folder `cwd`, with a private `HOME` and nothing else from the caller's securebase
/// environment. Standard input is empty, so nothing can wait on a terminal.
pub fn run_in(dir: &Path, cwd: &Path, pass: Option<&str>, args: &[&str]) -> Out {
    let home = dir.parent().expect("data folder has a parent").join("home");
    let data_dir = dir.display().to_string();
    let all: Vec<&str> = ["--data-dir", data_dir.as_str()]
        .into_iter()
        .chain(args.iter().copied())
        .collect();
    let mut command = super::bin::in_home(&all, &home);
    command
        .current_dir(cwd)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(pass) = pass {
        command.env(PASS_ENV, pass);
    }
    let out = command.output().expect("securebase starts");
    let (code, stdout, stderr) = super::bin::outcome(args, out);
    Out {
        code,
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stdout_bytes: stdout,
        stderr,
    }
}

/// [`run_in`] with the right passphrase, in the data folder's parent.
pub fn sb(dir: &Path, args: &[&str]) -> Out {
    let cwd = dir.parent().expect("data folder has a parent");
    run_in(dir, cwd, Some(PASS), args)
}

/// Asserts the exit code, showing both streams when it is wrong.
pub fn expect_code(out: &Out, code: i32, what: &str) {
    assert_eq!(
        out.code, code,
        "{what}: expected exit {code}\nstdout:\n{}\nstderr:\n{}",
        out.stdout, out.stderr
    );
}

/// One line of `securebase audit`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRow {
    /// `create`, `export`, …
    pub action: String,
    /// `client`, `administration` or empty.
    pub record_kind: String,
    /// The record's id, or empty.
    pub record_id: String,
    /// `report pdf`, `csv export`, …
    pub detail: String,
}

/// The audit log as `securebase audit` prints it (header checked).
pub fn audit_rows(dir: &Path) -> Vec<AuditRow> {
    let out = sb(dir, &["audit"]);
    expect_code(&out, 0, "audit");
    let mut lines = out.stdout.lines();
    assert_eq!(
        lines.next(),
        Some("time\taction\trecord_kind\trecord_id\tdetail\tclinician"),
        "audit header"
    );
    lines
        .map(|line| {
            let f: Vec<&str> = line.split('\t').collect();
            assert_eq!(f.len(), 6, "audit line {line:?}");
            AuditRow {
                action: f[1].to_owned(),
                record_kind: f[2].to_owned(),
                record_id: f[3].to_owned(),
                detail: f[4].to_owned(),
            }
        })
        .collect()
}

/// The audit log's export entries.
pub fn export_rows(dir: &Path) -> Vec<AuditRow> {
    audit_rows(dir)
        .into_iter()
        .filter(|r| r.action == "export")
        .collect()
}
