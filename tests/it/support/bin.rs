//! The one way the tests run the `securebase` binary: each caller sets up its command (the
//! folder, the environment, the streams), and [`outcome`] checks what every run must hold.

use std::process::Output;

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_securebase");

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
