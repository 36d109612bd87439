//! The command line: every subcommand of `securebase` (`score`, `instruments`, `plot`, `init`,
//! `client`, `enter`, `history`, `report`, `export`, `audit`, `change-passphrase`, `backup`,
//! `restore`, `machine-settings`) in a file of its own, or shared by a pair that belongs
//! together (`init.rs` also changes the passphrase, `export.rs` also writes the report,
//! `backup.rs` also restores); `score/` is a folder, its pipeline. Their clap types are in
//! `args.rs`; what the commands over the data folder share (finding, opening, unlocking) is in
//! `data_folder.rs`. This file parses the command line ([`parse`]), runs its command ([`run`])
//! and turns the result into an exit code ([`finish`]).
//!
//! Client data (a name, a birth year, notes, answers) can be given as `-` and is then read from
//! standard input before the command runs (`client_data.rs`), so that it is in neither `ps`
//! nor the shell's history.
//!
//! Exit codes are part of the contract: 0 success, 2 bad input or arguments, 1 anything else.
//! Errors that are the user's input carry [`BadInput`], and so does an output path refused for
//! what it is ([`crate::atomic::NotReplaced`]); everything else is exit 1.

mod args;
mod audit;
mod backup;
mod change;
mod client;
mod client_data;
mod couple;
mod data_folder;
mod enter;
mod export;
mod help;
mod history;
mod init;
mod instruments;
mod machine;
mod passphrase;
mod plot;
mod recovery;
mod reliability;
mod score;

use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};

use crate::catalog::Catalog;

pub use args::{
    BackupArgs, ChangeArgs, Cli, ClientCommand, ClinicianCommand, Command, CoupleCommand,
    Delimiter, EnterArgs, ExportArgs, ExportFormat, Format, HistoryArgs, HistoryFormat, InitArgs,
    InstrumentsArgs, InvalidPolicy, ListFormat, MachineSettingsArgs, PlotArgs, RecoveryCommand,
    ReliabilityArgs, ReportArgs, RestoreArgs, ScoreArgs,
};
pub use score::columns::{CellValue, ColumnMap, ColumnRole, parse_cell};

/// An error caused by the user's input or arguments: exit code 2.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct BadInput(pub String);

/// Shorthand for returning a [`BadInput`].
pub(crate) fn bad_input<T>(message: impl Into<String>) -> anyhow::Result<T> {
    Err(BadInput(message.into()).into())
}

/// Parses `args` (with every instrument's columns in `score --help`). `Err` is the exit code
/// when there is nothing to run: help or a version was printed (0), or the command line is
/// wrong (2, the reason printed on stderr).
pub fn parse<I, T>(args: I) -> Result<Cli, ExitCode>
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let catalog_for_help = Catalog::bundled();
    let command = Cli::command().mut_subcommand("score", |c| {
        c.after_long_help(help::columns_help(&catalog_for_help))
            .after_help("Run `securebase score --help` for every instrument's columns.")
    });
    let matches = match command.try_get_matches_from(args) {
        Ok(m) => m,
        Err(e) => {
            e.print().ok();
            return Err(if e.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            });
        }
    };
    Cli::from_arg_matches(&matches).map_err(|e| {
        e.print().ok();
        ExitCode::from(2)
    })
}

/// The exit code of a command's result, its error printed on stderr: 0, 1 for a failure, 2
/// for bad input ([`BadInput`]); a closed pipe (`| head`) is success.
pub fn finish(result: anyhow::Result<()>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => report_error(&e),
    }
}

/// Where the data folder is (and a notice about it, such as a move from Windows' Roaming
/// place), for the app, which `main` starts.
pub fn locate(data_dir: Option<PathBuf>) -> anyhow::Result<crate::store::paths::Location> {
    data_folder::locate(data_dir)
}

fn report_error(e: &anyhow::Error) -> ExitCode {
    if is_broken_pipe(e) {
        // The reader went away (`| head`): not an error of ours.
        return ExitCode::SUCCESS;
    }
    let mut stderr = std::io::stderr().lock();
    let _ = writeln!(stderr, "securebase: error: {e:#}");
    if e.downcast_ref::<BadInput>().is_some() || is_refused_output(e) {
        ExitCode::from(2)
    } else {
        ExitCode::from(1)
    }
}

/// An output path that is not written to for what it is (a link to a file, a folder, a disk,
/// a FIFO nobody reads: [`crate::atomic::NotReplaced`]): the user's choice of path, exit 2.
fn is_refused_output(e: &anyhow::Error) -> bool {
    use crate::store::StoreError;
    use crate::store::backup::BackupError;
    e.chain().any(|cause| {
        let io = cause.downcast_ref::<std::io::Error>().or_else(|| {
            match (
                cause.downcast_ref::<StoreError>(),
                cause.downcast_ref::<BackupError>(),
            ) {
                (Some(StoreError::Io { cause, .. }), _)
                | (_, Some(BackupError::Store(StoreError::Io { cause, .. }))) => Some(cause),
                _ => None,
            }
        });
        io.is_some_and(crate::atomic::is_not_replaced)
    })
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// Runs a parsed command line's command (`main` starts the app when there is none).
pub fn run(cli: &Cli) -> anyhow::Result<()> {
    let data_dir = || data_folder::data_dir(cli.data_dir.clone());
    // The clinic's own instruments live in the data folder, when there is one.
    let own = crate::store::paths::resolve(cli.data_dir.clone())
        .map(|dir| dir.join(crate::store::QUESTIONNAIRES));
    let catalog = Catalog::load(cli.questionnaires.as_deref(), own.as_deref())?;
    let Some(command) = &cli.command else {
        return bad_input("give a command (see --help); without one, securebase opens the app");
    };
    // Client data given as `-` (kept out of argv): read now, before any passphrase prompt.
    let command = &client_data::from_stdin(command)?;
    match command {
        Command::Score(args) => {
            warn_failures(&catalog);
            score::run(&catalog, args)
        }
        Command::Instruments(args) => instruments::run(&catalog, args),
        Command::Plot(args) => plot::run(&catalog, args),
        Command::Init(args) => init::init(&data_dir()?, args),
        Command::Recovery { command } => recovery::run(&data_dir()?, command),
        Command::Clinician { command } => init::clinician(&data_dir()?, command),
        Command::Client { command } => client::run(&data_dir()?, command),
        Command::Couple { command } => couple::run(&data_dir()?, command),
        Command::Enter(args) => {
            warn_failures(&catalog);
            enter::run(&data_dir()?, &catalog, args)
        }
        Command::History(args) => {
            warn_failures(&catalog);
            history::run(&data_dir()?, &catalog, args)
        }
        Command::Report(args) => {
            warn_failures(&catalog);
            export::report(&data_dir()?, &catalog, args)
        }
        Command::Export(args) => {
            warn_failures(&catalog);
            export::export(&data_dir()?, &catalog, args)
        }
        Command::Audit { verify } => audit::run(&data_dir()?, *verify),
        Command::Verify => audit::verify(&data_dir()?),
        Command::Change(args) => {
            warn_failures(&catalog);
            change::run(&data_dir()?, &catalog, args)
        }
        Command::Reliability(args) => match &args.input {
            Some(_) => reliability::run(&catalog, args, None),
            None => reliability::run(&catalog, args, Some(&data_dir()?)),
        },
        Command::ChangePassphrase => init::change_passphrase(&data_dir()?),
        Command::Backup(args) => match &args.verify {
            Some(archive) => backup::verify(archive),
            None => backup::backup(&data_dir()?, args),
        },
        Command::Restore(args) => backup::restore(&data_dir()?, args),
        Command::MachineSettings(args) => machine::run(args, cli.data_dir.clone()),
    }
}

/// Broken questionnaire files do not stop scoring; say so once on stderr.
fn warn_failures(catalog: &Catalog) {
    let mut stderr = std::io::stderr().lock();
    for f in &catalog.failures {
        let _ = writeln!(stderr, "securebase: warning: not loaded: {}", f.error);
    }
}
