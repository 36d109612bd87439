//! The command line: `securebase score`, `securebase instruments`.
//!
//! Exit codes are part of the contract: 0 success, 2 bad input or arguments, 1 anything else.
//! Errors that are the user's input carry [`BadInput`]; everything else is exit 1.

mod backup;
mod columns;
mod export;
mod help;
mod instruments;
mod line_index;
mod machine;
mod passphrase;
mod plot;
mod records;
mod row_reader;
mod row_writer;
mod score;

use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};

use crate::catalog::Catalog;

pub use columns::{CellValue, ColumnMap, ColumnRole, parse_cell};

/// An error caused by the user's input or arguments: exit code 2.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct BadInput(pub String);

/// Shorthand for returning a [`BadInput`].
pub(crate) fn bad_input<T>(message: impl Into<String>) -> anyhow::Result<T> {
    Err(BadInput(message.into()).into())
}

/// securebase: score adult attachment questionnaires.
#[derive(Debug, Parser)]
#[command(name = "securebase", version, about, long_about = None)]
pub struct Cli {
    /// Also load questionnaire files (*.json) from this folder.
    #[arg(
        long,
        global = true,
        value_name = "DIR",
        env = crate::env::QUESTIONNAIRES
    )]
    pub questionnaires: Option<PathBuf>,

    /// The data folder. Without it: `SECUREBASE_DATA`, else the machine settings file's
    /// `data_folder`, else the platform's local application-data folder (`securebase
    /// machine-settings` says which and why).
    #[arg(long, global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,

    /// What to do; without a command, the desktop app starts.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Score a CSV file of many respondents (one row each) with one instrument.
    Score(ScoreArgs),
    /// List the loaded instruments, or check questionnaire files.
    Instruments(InstrumentsArgs),
    /// Draw the respondents of a scored CSV on the attachment plane (PNG or SVG).
    Plot(PlotArgs),
    /// Set up a data folder and its passphrase.
    Init,
    /// Add or list clients.
    Client {
        /// What to do with clients.
        #[command(subcommand)]
        command: ClientCommand,
    },
    /// Enter a paper form for a client; prints the scores.
    Enter(EnterArgs),
    /// A client's administrations with their scores, oldest first.
    History(HistoryArgs),
    /// Write a PDF report of a client's history or of one administration.
    Report(ReportArgs),
    /// Export administrations as CSV, JSON or an HL7 FHIR R4 bundle.
    Export(ExportArgs),
    /// Print the audit log.
    Audit,
    /// Change the passphrase (re-seals the key; records are not rewritten).
    ChangePassphrase,
    /// Back up the data folder into one file (works while the app runs; no passphrase
    /// needed), or check a backup.
    Backup(BackupArgs),
    /// Restore a backup into an empty or new folder (`--data-dir`).
    Restore(RestoreArgs),
    /// Show where the data folder is and why; or, for IT, set the data folder of every user
    /// of this computer (the machine settings file).
    MachineSettings(MachineSettingsArgs),
}

/// Arguments of `securebase backup`.
#[derive(Debug, clap::Args)]
pub struct BackupArgs {
    /// The backup file to write (whole, or not at all), somewhere other than the data folder.
    #[arg(
        long,
        short = 'o',
        value_name = "FILE",
        required_unless_present = "verify"
    )]
    pub output: Option<PathBuf>,
    /// Check this backup instead: that every entry is there and matches its SHA-256.
    #[arg(long, value_name = "FILE", conflicts_with = "output")]
    pub verify: Option<PathBuf>,
}

/// Arguments of `securebase restore`.
#[derive(Debug, clap::Args)]
pub struct RestoreArgs {
    /// The backup file (from `securebase backup` or the app's "Back up now").
    #[arg(value_name = "FILE")]
    pub archive: PathBuf,
}

/// Arguments of `securebase machine-settings`.
#[derive(Debug, clap::Args)]
pub struct MachineSettingsArgs {
    /// Set the data folder of every user of this computer (needs the right to write the
    /// machine settings file: an administrator, or the installer).
    #[arg(long, value_name = "DIR", conflicts_with = "clear")]
    pub data_folder: Option<PathBuf>,
    /// Remove the machine settings file.
    #[arg(long)]
    pub clear: bool,
}

/// `securebase client …`.
#[derive(Debug, Subcommand)]
pub enum ClientCommand {
    /// Add a client.
    Add {
        /// Pseudonym or clinic id.
        #[arg(long)]
        name: String,
        /// Year of birth.
        #[arg(long, value_name = "YEAR")]
        birth_year: Option<i32>,
        /// Notes of the clinician.
        #[arg(long)]
        notes: Option<String>,
    },
    /// List clients: id, name, birth year, created, number of administrations.
    List,
}

/// Arguments of `securebase enter`.
#[derive(Debug, clap::Args)]
pub struct EnterArgs {
    /// The client's name or id.
    #[arg(long, value_name = "NAME-OR-ID")]
    pub client: String,
    /// Instrument id.
    #[arg(long, value_name = "ID")]
    pub instrument: String,
    /// One value per item in item order, separated by commas: empty = not answered,
    /// x = prefer not to answer. ECR-RS: mother 1-9, father 1-9, partner 1-9, friend 1-9.
    #[arg(long, value_name = "1,2,,4,...", allow_hyphen_values = true)]
    pub answers: String,
    /// The forced choice, for instruments that have one (RQ: A-D).
    #[arg(long)]
    pub choice: Option<String>,
}

/// Arguments of `securebase history`.
#[derive(Debug, clap::Args)]
pub struct HistoryArgs {
    /// The client's name or id.
    #[arg(long, value_name = "NAME-OR-ID")]
    pub client: String,
    /// Output format: csv (one row per administration, one column per score) or json.
    #[arg(long, value_enum, default_value_t = HistoryFormat::Csv)]
    pub format: HistoryFormat,
}

/// Arguments of `securebase report`.
#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// The client's name or id.
    #[arg(long, value_name = "NAME-OR-ID")]
    pub client: String,
    /// Only this administration (its id, from `securebase history --format json`); without
    /// it, the client's whole history.
    #[arg(long, value_name = "ID")]
    pub administration: Option<String>,
    /// The PDF file to write (written whole, or not at all).
    #[arg(long, short = 'o', value_name = "FILE.pdf")]
    pub output: PathBuf,
    /// Paper size: a4 or letter.
    #[arg(long, default_value = "a4")]
    pub paper: String,
    /// A note of the clinician, printed under the heading.
    #[arg(long)]
    pub note: Option<String>,
}

/// Arguments of `securebase export`.
#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// The client's name or id.
    #[arg(long, value_name = "NAME-OR-ID")]
    pub client: Option<String>,
    /// Every client (for research).
    #[arg(long)]
    pub all: bool,
    /// Only this administration of the client.
    #[arg(long, value_name = "ID")]
    pub administration: Option<String>,
    /// csv or json (one row per administration: answers and scores), or fhir (an HL7 FHIR R4
    /// `Bundle` of `Questionnaire`, `QuestionnaireResponse` and `Observation` resources).
    #[arg(long, value_enum)]
    pub format: ExportFormat,
    /// The file to write; `-` is standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: PathBuf,
    /// Include client names (pseudonyms); without it, clients are known by id only.
    #[arg(long)]
    pub names: bool,
}

/// Format of `export`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// One row per administration.
    Csv,
    /// One object per administration.
    Json,
    /// An HL7 FHIR R4 Bundle (collection).
    Fhir,
}

/// Output format of `history`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum HistoryFormat {
    /// One row per administration, one column per score.
    Csv,
    /// One document with every administration.
    Json,
}

/// Arguments of `securebase score`.
#[derive(Debug, clap::Args)]
pub struct ScoreArgs {
    /// Instrument id (see `securebase instruments`), e.g. ecr-r.
    #[arg(long, short = 'i', value_name = "ID")]
    pub instrument: String,
    /// CSV file to score; `-` is standard input.
    #[arg(long, value_name = "FILE", default_value = "-")]
    pub input: PathBuf,
    /// Where to write the result; `-` is standard output. A file is written only when the
    /// whole input scored without error.
    #[arg(long, short = 'o', value_name = "FILE", default_value = "-")]
    pub output: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Csv)]
    pub format: Format,
    /// Input delimiter; `auto` detects comma, semicolon or tab from the header line.
    #[arg(long, value_name = "auto|,|;|tab", default_value = "auto", value_parser = parse_delimiter)]
    pub delimiter: Delimiter,
    /// What an answer that is not a whole number within the response scale does: stop with an
    /// error (`error`), or count as missing and flag the row `invalid:<column>` (`missing`).
    #[arg(long, value_enum, default_value_t = InvalidPolicy::Error)]
    pub invalid: InvalidPolicy,
    /// Also write the descriptive category (RQ: the highest-rated paragraph, ties broken by
    /// the forced choice) as a `category` column after the scores (a key in JSON).
    #[arg(long)]
    pub category: bool,
}

/// Arguments of `securebase plot`.
#[derive(Debug, clap::Args)]
pub struct PlotArgs {
    /// Instrument id whose plane to draw (its avoidance and anxiety columns are read).
    #[arg(long, short = 'i', value_name = "ID")]
    pub instrument: String,
    /// A CSV written by `securebase score`; `-` is standard input.
    #[arg(long, value_name = "FILE", default_value = "-")]
    pub input: PathBuf,
    /// The picture: a file ending in .png or .svg.
    #[arg(long, short = 'o', value_name = "FILE.png|FILE.svg")]
    pub output: PathBuf,
    /// Width in pixels.
    #[arg(long, default_value_t = 900)]
    pub width: u32,
    /// Height in pixels.
    #[arg(long, default_value_t = 900)]
    pub height: u32,
}

/// Arguments of `securebase instruments`.
#[derive(Debug, clap::Args)]
pub struct InstrumentsArgs {
    /// Check these questionnaire files instead of listing; exit 2 if any fails.
    #[arg(long, value_name = "FILE", num_args = 1..)]
    pub validate: Vec<PathBuf>,
}

/// Output format of `score`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Comma-separated values with a header row.
    Csv,
    /// One JSON array of objects.
    Json,
}

/// What to do with an invalid answer cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum InvalidPolicy {
    /// Stop with exit code 2, naming line, column and value.
    Error,
    /// Treat as missing and flag the row.
    Missing,
}

/// Input delimiter choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delimiter {
    /// Detect from the header line.
    Auto,
    /// This byte.
    Byte(u8),
}

fn parse_delimiter(s: &str) -> Result<Delimiter, String> {
    match s {
        "auto" => Ok(Delimiter::Auto),
        "," | "comma" => Ok(Delimiter::Byte(b',')),
        ";" | "semicolon" => Ok(Delimiter::Byte(b';')),
        "tab" | "\t" | "\\t" => Ok(Delimiter::Byte(b'\t')),
        other => Err(format!(
            "{other:?} is not a delimiter; use auto, ',', ';' or tab"
        )),
    }
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
    records::locate(data_dir)
}

fn report_error(e: &anyhow::Error) -> ExitCode {
    if is_broken_pipe(e) {
        // The reader went away (`| head`): not an error of ours.
        return ExitCode::SUCCESS;
    }
    let mut stderr = std::io::stderr().lock();
    let _ = writeln!(stderr, "securebase: error: {e:#}");
    if e.downcast_ref::<BadInput>().is_some() {
        ExitCode::from(2)
    } else {
        ExitCode::from(1)
    }
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
    let mut catalog = Catalog::bundled();
    if let Some(dir) = &cli.questionnaires {
        catalog
            .load_dir(dir)
            .with_context(|| format!("cannot read questionnaire folder {}", dir.display()))?;
    }
    let data_dir = || records::data_dir(cli.data_dir.clone());
    // The clinic's own instruments live in the data folder, when there is one.
    if let Some(dir) = crate::store::paths::resolve(cli.data_dir.clone()) {
        let own = dir.join(crate::store::QUESTIONNAIRES);
        if own.is_dir() {
            catalog
                .load_dir(&own)
                .with_context(|| format!("cannot read questionnaire folder {}", own.display()))?;
        }
    }
    let Some(command) = &cli.command else {
        return bad_input("give a command (see --help); without one, securebase opens the app");
    };
    match command {
        Command::Score(args) => {
            warn_failures(&catalog);
            score::run(&catalog, args)
        }
        Command::Instruments(args) => instruments::run(&catalog, args),
        Command::Plot(args) => plot::run(&catalog, args),
        Command::Init => records::init(&data_dir()?),
        Command::Client { command } => records::client(&data_dir()?, command),
        Command::Enter(args) => {
            warn_failures(&catalog);
            records::enter(&data_dir()?, &catalog, args)
        }
        Command::History(args) => {
            warn_failures(&catalog);
            records::history(&data_dir()?, &catalog, args)
        }
        Command::Report(args) => {
            warn_failures(&catalog);
            export::report(&data_dir()?, &catalog, args)
        }
        Command::Export(args) => {
            warn_failures(&catalog);
            export::export(&data_dir()?, &catalog, args)
        }
        Command::Audit => records::audit(&data_dir()?),
        Command::ChangePassphrase => records::change_passphrase(&data_dir()?),
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
