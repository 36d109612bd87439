//! The command line's grammar: the clap types of every subcommand and its arguments.
//!
//! Apart from [`super`] (which parses, runs and reports) so that what the command line accepts
//! reads in one place, as ripgrep keeps its flags apart. The doc comments are the `--help`
//! text. The types are re-exported as `cli::Cli`, `cli::ScoreArgs`, …

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

/// securebase: score adult attachment questionnaires.
#[derive(Debug, Clone, Parser)]
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
#[derive(Debug, Clone, Subcommand)]
pub enum Command {
    /// Score a CSV file of many respondents (one row each) with one instrument.
    Score(ScoreArgs),
    /// List the loaded instruments, or check questionnaire files.
    Instruments(InstrumentsArgs),
    /// Draw the respondents of a scored CSV on the attachment plane (PNG or SVG).
    Plot(PlotArgs),
    /// Set up a data folder, its first clinician and their passphrase.
    Init(InitArgs),
    /// Add or list the clinicians who can unlock the data folder.
    Clinician {
        /// What to do with clinicians.
        #[command(subcommand)]
        command: ClinicianCommand,
    },
    /// The recovery sheet: make a new one, or use one to set a clinician's new passphrase.
    Recovery {
        /// What to do.
        #[command(subcommand)]
        command: RecoveryCommand,
    },
    /// Add or list clients.
    Client {
        /// What to do with clients.
        #[command(subcommand)]
        command: ClientCommand,
    },
    /// Link two clients as a couple, list the couples, or end a link (both histories stay).
    Couple {
        /// What to do with couples.
        #[command(subcommand)]
        command: CoupleCommand,
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
    Audit {
        /// Check the log's hash chain instead of listing it: every entry in order, linked,
        /// none changed, removed or back-dated; exit 1 naming the first broken link.
        #[arg(long)]
        verify: bool,
    },
    /// Check the whole data folder: every record decrypts, its authentication checks and it
    /// lies where its ids say; the audit log's chain is whole; no record is gone without a
    /// tombstone. Exit 1, naming each problem, when something does not check.
    Verify,
    /// Change in a client's scores: each administration against the one before and against
    /// the intake, with the reliable change index, its verdict and the figures used.
    Change(ChangeArgs),
    /// Reliability of each scale of an instrument: n, Cronbach's alpha with its 95 % Feldt
    /// interval, corrected item-total correlations, mean and SD.
    Reliability(ReliabilityArgs),
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
#[derive(Debug, Clone, clap::Args)]
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
#[derive(Debug, Clone, clap::Args)]
pub struct RestoreArgs {
    /// The backup file (from `securebase backup` or the app's "Back up now").
    #[arg(value_name = "FILE")]
    pub archive: PathBuf,
}

/// Arguments of `securebase machine-settings`.
#[derive(Debug, Clone, clap::Args)]
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
#[derive(Debug, Clone, Subcommand)]
pub enum ClientCommand {
    /// Add a client.
    Add {
        /// Pseudonym or clinic id. `-` reads it from standard input (a line; a prompt on a
        /// terminal), and so `--birth-year -` and `--notes -`, in this order: out of `ps` and
        /// the shell's history. Given here, it is visible to every user of this computer while
        /// the command runs.
        #[arg(long)]
        name: String,
        /// Year of birth; `-` reads it from standard input (an empty line: none).
        #[arg(long, value_name = "YEAR", value_parser = parse_year_arg)]
        birth_year: Option<String>,
        /// Notes of the clinician; `-` reads them from standard input (one line).
        #[arg(long)]
        notes: Option<String>,
    },
    /// List clients: id, name, birth year, created, number of administrations.
    List,
    /// Delete a client and all their administrations, for good; a signed tombstone stays for
    /// each, so that `securebase verify` can tell a deletion from a record gone missing.
    Delete {
        /// The client's name or id; `-` reads it from standard input (a name in argv is
        /// visible to every user of this computer while the command runs).
        #[arg(long, value_name = "NAME-OR-ID")]
        client: String,
        /// Say yes: nothing is deleted without it.
        #[arg(long)]
        yes: bool,
    },
}

/// `securebase couple …`.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum CoupleCommand {
    /// Link two clients as partners (each in at most one current couple).
    Link {
        /// A partner's name or id: give it twice, once for each (a name given here is visible
        /// to every user of this computer while the command runs; an id is not identifying).
        #[arg(long = "client", value_name = "NAME-OR-ID", required = true)]
        clients: Vec<String>,
        /// What to call the couple (kept encrypted with the records).
        #[arg(long)]
        label: Option<String>,
        /// Since when they are seen as a couple, `YYYY-MM-DD` (default: today).
        #[arg(long, value_name = "YYYY-MM-DD")]
        since: Option<String>,
    },
    /// List the couples: id, label, both partners, since, ended.
    List,
    /// End a client's current couple link; both partners' records stay as they are.
    Unlink {
        /// Either partner's name or id.
        #[arg(long, value_name = "NAME-OR-ID")]
        client: String,
    },
}

/// Arguments of `securebase init`.
#[derive(Debug, Clone, clap::Args)]
pub struct InitArgs {
    /// The first clinician's name, as the audit log will call them.
    #[arg(long, default_value = crate::store::FIRST_CLINICIAN)]
    pub name: String,
    /// Where to write the recovery sheet (PDF), to print and keep locked away; without it
    /// the recovery code is printed once, here.
    #[arg(long, value_name = "FILE.pdf")]
    pub recovery_sheet: Option<PathBuf>,
}

/// `securebase recovery …`.
#[derive(Debug, Clone, Subcommand)]
pub enum RecoveryCommand {
    /// Make a new recovery sheet (an unlocked clinician's passphrase first); the earlier
    /// sheet stops working.
    New {
        /// The PDF to write.
        #[arg(long, value_name = "FILE.pdf")]
        output: PathBuf,
        /// Paper size: a4 or letter.
        #[arg(long, default_value = "a4")]
        paper: String,
    },
    /// Set a new passphrase for a clinician with the recovery code (from
    /// `SECUREBASE_RECOVERY_CODE`, or typed; the new passphrase from
    /// `SECUREBASE_NEW_PASSPHRASE`, or typed twice).
    Use {
        /// The clinician's name or id.
        #[arg(long)]
        clinician: String,
    },
}

/// `securebase clinician …`.
#[derive(Debug, Clone, Subcommand)]
pub enum ClinicianCommand {
    /// Add a clinician with their own passphrase (an unlocked clinician's passphrase first,
    /// from `SECUREBASE_PASSPHRASE`; the new one from `SECUREBASE_NEW_PASSPHRASE`, or typed
    /// twice).
    Add {
        /// Their name, as the audit log will call them.
        #[arg(long)]
        name: String,
    },
    /// List the clinicians: id, name, added (needs no passphrase: names are in the clear).
    List,
    /// Remove a clinician: another clinician's passphrase unlocks (`SECUREBASE_PASSPHRASE`,
    /// `SECUREBASE_CLINICIAN`), then the folder's key is replaced and every record encrypted
    /// to the new one, so that the removed clinician's passphrase, or a copy of the old key,
    /// opens nothing written from now on.
    Remove {
        /// Their name or id.
        #[arg(long)]
        name: String,
    },
    /// Rename a clinician (a migrated folder's "Clinician 1", a name misspelt); needs an
    /// unlocked clinician. Earlier audit entries keep the name they were written with.
    Rename {
        /// Their name or id now.
        #[arg(long)]
        name: String,
        /// The new name.
        #[arg(long = "to")]
        to: String,
    },
}

/// Arguments of `securebase enter`.
#[derive(Debug, Clone, clap::Args)]
pub struct EnterArgs {
    /// The client's name or id; `-` reads it from standard input (a line; a prompt on a
    /// terminal). A name given here is visible to every user of this computer while the
    /// command runs, and stays in the shell's history; an id is not identifying.
    #[arg(long, value_name = "NAME-OR-ID")]
    pub client: String,
    /// Instrument id.
    #[arg(long, value_name = "ID")]
    pub instrument: String,
    /// One value per item in item order, separated by commas: empty = not answered,
    /// x = prefer not to answer. ECR-RS: mother 1-9, father 1-9, partner 1-9, friend 1-9.
    /// `-` reads the line from standard input (after `--client -`'s, if both): out of `ps`
    /// and the shell's history, where answers given here are seen and kept.
    #[arg(long, value_name = "1,2,,4,...", allow_hyphen_values = true)]
    pub answers: String,
    /// The forced choice, for instruments that have one (RQ: A-D); `-` reads it from
    /// standard input (the line after the answers'; an empty line: none).
    #[arg(long)]
    pub choice: Option<String>,
    /// The date written on the form, `YYYY-MM-DD`: the day the client filled it in, which
    /// dates the administration everywhere (history, change, plots, reports, exports). Not
    /// after today. Without it, the form is dated today.
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub date: Option<String>,
}

/// Arguments of `securebase history`.
#[derive(Debug, Clone, clap::Args)]
pub struct HistoryArgs {
    /// The client's name or id; `-` reads it from standard input (a line; a prompt on a
    /// terminal). A name given here is visible to every user of this computer while the
    /// command runs, and stays in the shell's history; an id is not identifying.
    #[arg(long, value_name = "NAME-OR-ID")]
    pub client: String,
    /// Output format: csv (one row per administration, one column per score) or json.
    #[arg(long, value_enum, default_value_t = HistoryFormat::Csv)]
    pub format: HistoryFormat,
}

/// Arguments of `securebase change`.
#[derive(Debug, Clone, clap::Args)]
pub struct ChangeArgs {
    /// The client's name or id; `-` reads it from standard input (a line; a prompt on a
    /// terminal). A name given here is visible to every user of this computer while the
    /// command runs, and stays in the shell's history; an id is not identifying.
    #[arg(long, value_name = "NAME-OR-ID")]
    pub client: String,
    /// Only this instrument (default: every one the client has answered).
    #[arg(long, value_name = "ID")]
    pub instrument: Option<String>,
    /// `csv`: one row per score of each pair; `json`: the same rows as an array.
    #[arg(long, value_enum, default_value_t = HistoryFormat::Csv)]
    pub format: HistoryFormat,
}

/// Arguments of `securebase report`.
#[derive(Debug, Clone, clap::Args)]
pub struct ReportArgs {
    /// The client's name or id; `-` reads it from standard input (a line; a prompt on a
    /// terminal). A name given here is visible to every user of this computer while the
    /// command runs, and stays in the shell's history; an id is not identifying.
    #[arg(long, value_name = "NAME-OR-ID", required_unless_present = "couple")]
    pub client: Option<String>,
    /// A couple's report instead: both partners on one plane per questionnaire they both
    /// took, with a descriptive reading; either partner's name or id names the couple.
    #[arg(long, value_name = "NAME-OR-ID", conflicts_with_all = ["client", "administration"])]
    pub couple: Option<String>,
    /// Only this administration (its id, from `securebase history --format json`); without
    /// it, the client's whole history.
    #[arg(long, value_name = "ID")]
    pub administration: Option<String>,
    /// The PDF file to write (written whole, or not at all; a FIFO or a device is written
    /// into, never replaced; a link to a file is refused).
    #[arg(long, short = 'o', value_name = "FILE.pdf")]
    pub output: PathBuf,
    /// Paper size: a4 or letter.
    #[arg(long, default_value = "a4")]
    pub paper: String,
    /// A note of the clinician, printed under the heading; `-` reads it from standard input
    /// (the line after `--client -`'s, if both), out of `ps` and the shell's history.
    #[arg(long)]
    pub note: Option<String>,
}

/// Arguments of `securebase export`.
#[derive(Debug, Clone, clap::Args)]
pub struct ExportArgs {
    /// The client's name or id; `-` reads it from standard input (a name given here is
    /// visible to every user of this computer while the command runs).
    #[arg(long, value_name = "NAME-OR-ID")]
    pub client: Option<String>,
    /// Every client (for research).
    #[arg(long)]
    pub all: bool,
    /// Both partners of a couple: either partner's name or id names it (the current couple,
    /// else the latest ended one).
    #[arg(long, value_name = "NAME-OR-ID", conflicts_with_all = ["client", "all", "administration"])]
    pub couple: Option<String>,
    /// Only this administration of the client.
    #[arg(long, value_name = "ID")]
    pub administration: Option<String>,
    /// csv or json (one row per administration: answers and scores), or fhir (an HL7 FHIR R4
    /// `Bundle` of `Questionnaire`, `QuestionnaireResponse` and `Observation` resources).
    #[arg(long, value_enum)]
    pub format: ExportFormat,
    /// The file to write; `-` is standard output. A FIFO or a device is written into, never
    /// replaced; a link to a file is refused.
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

/// Arguments of `securebase reliability`.
#[derive(Debug, Clone, clap::Args)]
pub struct ReliabilityArgs {
    /// Instrument id (see `securebase instruments`), e.g. ecr-r.
    #[arg(long, short = 'i', value_name = "ID")]
    pub instrument: String,
    /// A CSV in `score`'s input format (`-` is standard input); a row counts for a scale when
    /// every item of that scale is answered. Without it: the data folder's intakes (each
    /// client's first completed administration, as for local norms).
    #[arg(long, value_name = "FILE")]
    pub input: Option<PathBuf>,
    /// `csv`: one row per item of each scale, with the scale's figures; `json`: one document.
    #[arg(long, value_enum, default_value_t = HistoryFormat::Csv)]
    pub format: HistoryFormat,
}

/// Arguments of `securebase score`.
#[derive(Debug, Clone, clap::Args)]
pub struct ScoreArgs {
    /// Instrument id (see `securebase instruments`), e.g. ecr-r.
    #[arg(long, short = 'i', value_name = "ID")]
    pub instrument: String,
    /// CSV file to score; `-` is standard input.
    #[arg(long, value_name = "FILE", default_value = "-")]
    pub input: PathBuf,
    /// Where to write the result; `-` is standard output. A file is written only when the
    /// whole input scored without error. A FIFO or a device is written into, never replaced;
    /// a link to a file is refused.
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
#[derive(Debug, Clone, clap::Args)]
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
    /// Width in pixels: 1 to 10,000, and width × height at most 25 million (25 megapixels).
    #[arg(long, value_name = "PX", default_value_t = 900, value_parser = parse_side)]
    pub width: u32,
    /// Height in pixels: 1 to 10,000, and width × height at most 25 million (25 megapixels).
    #[arg(long, value_name = "PX", default_value_t = 900, value_parser = parse_side)]
    pub height: u32,
}

/// Arguments of `securebase instruments`.
#[derive(Debug, Clone, clap::Args)]
pub struct InstrumentsArgs {
    /// Check these questionnaire files instead of listing; exit 2 if any fails.
    #[arg(long, value_name = "FILE", num_args = 1..)]
    pub validate: Vec<PathBuf>,
    /// `text` for people, or `json` for scripts: per instrument its id, version, answers and
    /// per score its id, name, possible range and which way is better.
    #[arg(long, value_enum, default_value = "text")]
    pub format: ListFormat,
}

/// Output format of `instruments`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    /// For people.
    Text,
    /// For scripts.
    Json,
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

/// `--birth-year`: a year, or `-` (read from standard input, see `client_data`).
fn parse_year_arg(s: &str) -> Result<String, String> {
    if s == super::client_data::FROM_STDIN || s.trim().parse::<i32>().is_ok() {
        Ok(s.to_owned())
    } else {
        Err(format!(
            "{s:?} is not a year; give one such as 1985, or - to read it from standard input"
        ))
    }
}

/// `plot --width`, `--height`: a whole number of pixels from 1 to [`super::plot::MAX_SIDE`].
fn parse_side(s: &str) -> Result<u32, String> {
    let max = super::plot::MAX_SIDE;
    match s.trim().parse::<u64>() {
        Ok(px) if (1..=u64::from(max)).contains(&px) => {
            u32::try_from(px).map_err(|e| e.to_string())
        }
        Ok(_) => Err(format!("a side of the picture is 1 to {max} pixels")),
        Err(_) => Err(format!(
            "{s:?} is not a whole number of pixels (1 to {max})"
        )),
    }
}
