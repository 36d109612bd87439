//! Running the `securebase` binary on a data folder, for the tests of its data-folder
//! commands (`store_cli`, `backup`).
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Stdio;

use securebase::store::Store;

use super::common::{PASS, WORK_FACTOR, save_client, secret, temp_data_dir};

pub use super::bin::BIN;
/// The variable a script gives the passphrase in.
pub const PASS_ENV: &str = "SECUREBASE_PASSPHRASE";
/// The variable a script gives a new passphrase in.
pub const NEW_PASS_ENV: &str = "SECUREBASE_NEW_PASSPHRASE";

/// What one run of the binary did.
#[derive(Debug)]
pub struct Out {
    /// Exit code.
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
    /// The process id it ran as.
    pub pid: u32,
}

/// Runs `securebase ARGS` on the data folder `dir` (through `SECUREBASE_DATA`) with `env` and
/// nothing else from the securebase environment of the caller. Standard input is empty, so a
/// missing passphrase variable can never wait on a terminal.
pub fn sb_with(dir: &Path, env: &[(&str, &str)], args: &[&str]) -> Out {
    let home = dir.parent().expect("data folder has a parent").join("home");
    let mut command = super::bin::in_home(args, &home);
    command
        .env("SECUREBASE_DATA", dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        command.env(k, v);
    }
    let child = command.spawn().expect("cannot start securebase");
    let pid = child.id();
    let out = child
        .wait_with_output()
        .expect("cannot wait for securebase");
    let (code, stdout, stderr) = super::bin::outcome(args, out);
    Out {
        code,
        stdout: String::from_utf8(stdout).expect("stdout is UTF-8"),
        stderr,
        pid,
    }
}

/// [`sb_with`] with the right passphrase.
pub fn sb(dir: &Path, args: &[&str]) -> Out {
    sb_with(dir, &[(PASS_ENV, PASS)], args)
}

/// Asserts the exit code, showing both streams when it is wrong.
pub fn expect_code(out: &Out, code: i32, what: &str) {
    assert_eq!(
        out.code, code,
        "{what}: expected exit {code}\nstdout:\n{}\nstderr:\n{}",
        out.stdout, out.stderr
    );
}

/// Asserts exit 2 and that stderr names every one of `needles`.
pub fn expect_bad_input(out: &Out, needles: &[&str], what: &str) {
    expect_code(out, 2, what);
    for needle in needles {
        assert!(
            out.stderr.contains(needle),
            "{what}: stderr should contain {needle:?}; it is:\n{}",
            out.stderr
        );
    }
}

/// A data folder set up through the library (faster than `init` + `client add`), closed again.
pub fn library_store_with_client(
    name: &str,
    birth_year: Option<i32>,
) -> (tempfile::TempDir, PathBuf, String) {
    let (tmp, dir) = temp_data_dir();
    let (store, _keys) = Store::init(&dir, "Test Clinician", &secret(PASS), WORK_FACTOR).unwrap();
    let client = save_client(&store, name, birth_year, "");
    (tmp, dir, client.id)
}

/// The audit log as printed by `securebase audit`: action, record kind, record id, detail.
pub fn audit_rows(dir: &Path, pass: &str) -> Vec<[String; 4]> {
    audit_rows_with_clinician(dir, pass)
        .into_iter()
        .map(|[a, k, i, d, _]| [a, k, i, d])
        .collect()
}

/// [`audit_rows`] with the clinician each entry names (empty when none).
pub fn audit_rows_with_clinician(dir: &Path, pass: &str) -> Vec<[String; 5]> {
    let out = sb_with(dir, &[(PASS_ENV, pass)], &["audit"]);
    expect_code(&out, 0, "audit");
    let mut lines = out.stdout.lines();
    assert_eq!(
        lines.next(),
        Some("time\taction\trecord_kind\trecord_id\tdetail\tclinician")
    );
    lines
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            assert_eq!(f.len(), 6, "audit line {l:?}");
            assert!(
                f[0].parse::<jiff::Timestamp>().is_ok(),
                "audit time {:?}",
                f[0]
            );
            [f[1], f[2], f[3], f[4], f[5]].map(str::to_owned)
        })
        .collect()
}
