//! `securebase-app`: the desktop app with no console window (what the Start Menu shortcut
//! starts on Windows). `securebase` is the same app and the command line, and is a console
//! program; ARCHITECTURE.md says why there are two.
//!
//! It takes the app's own options only. With no console to print to, a command line it cannot
//! run, or an error that keeps the window from opening, is shown in a message box (and on
//! stderr, for a terminal).
#![cfg_attr(windows, windows_subsystem = "windows")]

use std::process::ExitCode;

use clap::Parser;
use securebase::app::tell;
use securebase::cli::{Cli, locate};

fn main() -> ExitCode {
    securebase::app::STARTED.set(std::time::Instant::now()).ok();
    let args = match Cli::try_parse() {
        Ok(args) => args,
        Err(e) => {
            tell(&e.to_string());
            return if e.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    if args.command.is_some() {
        tell(
            "securebase-app opens the securebase window only. For commands, run securebase \
             (securebase.exe on Windows) in a terminal: securebase --help lists them.",
        );
        return ExitCode::from(2);
    }
    match locate(args.data_dir.clone()).and_then(securebase::app::open) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tell(&format!("securebase could not start: {e:#}"));
            ExitCode::from(1)
        }
    }
}
