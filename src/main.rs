//! The `securebase` binary: a thin shell over [`securebase::cli`].

use std::process::ExitCode;

fn main() -> ExitCode {
    securebase::cli::main_with_args(std::env::args_os())
}
