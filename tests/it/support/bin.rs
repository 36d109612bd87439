//! The one way the tests run the `securebase` binary: [`command`] starts from a clean
//! securebase environment (and [`in_home`] gives it a private home), each caller adds its
//! folder, arguments and streams, and [`outcome`] checks what every run must hold.

use std::path::Path;
use std::process::{Command, Output};

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_securebase");

/// `securebase ARGS` with none of the caller's `SECUREBASE_*` variables (a developer's own
/// data folder, passphrase or questionnaire folder must never reach a test), and the quick
/// scrypt work factor of the test folders. Streams and the rest are the caller's to set.
pub fn command(args: &[&str]) -> Command {
    let mut command = Command::new(BIN);
    command.args(args);
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("SECUREBASE_") {
            command.env_remove(name);
        }
    }
    command.env(
        "SECUREBASE_SCRYPT_WORK_FACTOR",
        super::common::WORK_FACTOR.to_string(),
    );
    command
}

/// [`command`] with a private home under `home`: no default data folder, settings or machine
/// settings of the person running the tests are found.
pub fn in_home(args: &[&str], home: &Path) -> Command {
    let mut command = command(args);
    command
        .env("HOME", home)
        .env("XDG_DATA_HOME", home.join("share"))
        .env("XDG_CONFIG_HOME", home.join("config"));
    command
}

/// The exit code, standard output and standard error of a finished run of `securebase ARGS`.
/// Fails the test when the binary panicked or was killed by a signal, whatever the caller
/// expected of it.
pub fn outcome(args: &[&str], out: Output) -> (i32, Vec<u8>, String) {
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        !stderr.contains("panicked"),
        "securebase {args:?} panicked:\n{stderr}"
    );
    let code = out
        .status
        .code()
        .unwrap_or_else(|| panic!("securebase {args:?} was killed by a signal; stderr:\n{stderr}"));
    (code, out.stdout, stderr)
}
