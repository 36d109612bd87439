//! The `securebase` binary. The one place that knows both front ends: with a command it runs
//! the command line ([`securebase::cli`]); without one it opens the app ([`securebase::app`],
//! when built with the `gui` feature).

use std::process::ExitCode;

use securebase::cli;

fn main() -> ExitCode {
    #[cfg(feature = "gui")]
    securebase::app::STARTED.set(std::time::Instant::now()).ok();
    let args = match cli::parse(std::env::args_os()) {
        Ok(args) => args,
        Err(code) => return code,
    };
    if args.command.is_some() {
        return cli::finish(cli::run(&args));
    }
    cli::finish(open_app(&args))
}

/// The app on the data folder the options and the machine choose.
#[cfg(feature = "gui")]
fn open_app(args: &cli::Cli) -> anyhow::Result<()> {
    cli::locate(args.data_dir.clone()).and_then(securebase::app::open)
}

/// Without the `gui` feature there is no app to open.
#[cfg(not(feature = "gui"))]
fn open_app(_args: &cli::Cli) -> anyhow::Result<()> {
    Err(cli::BadInput(
        "this build has no desktop app (built without the `gui` feature); give a command, see --help"
            .to_owned(),
    )
    .into())
}
