//! `securebase-app`: the desktop app with no console window (what the Start Menu shortcut
//! starts on Windows). `securebase` is the same app and the command line, and is a console
//! program; ARCHITECTURE.md says why there are two.
#![cfg_attr(windows, windows_subsystem = "windows")]

use std::process::ExitCode;

fn main() -> ExitCode {
    let _ = securebase::app::STARTED.set(std::time::Instant::now());
    securebase::cli::app_main(std::env::args_os())
}
