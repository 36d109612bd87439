//! The `securebase` binary: a thin shell over [`securebase::cli`].

use std::process::ExitCode;

fn main() -> ExitCode {
    #[cfg(feature = "gui")]
    let _ = securebase::app::STARTED.set(std::time::Instant::now());
    securebase::cli::main_with_args(std::env::args_os())
}
