//! `securebase score`: stream a CSV of respondents through the scorer.
//!
//! The header is read first ([`header`]: in one pass, within limits, every way it can be
//! unreadable named), then the data in chunks of whole records ([`chunks`]), scored on as
//! many threads as there are cores and written in input order. Memory does not grow with the
//! number of rows or their width: the bytes in flight are bounded (one row larger than that
//! goes through alone). An output file is written through [`crate::atomic::AtomicFile`], so
//! on any error it is neither created nor changed.
//!
//! The pipeline is a folder because its parts are only for `score`: this file (the command,
//! the threads' work), [`header`], [`records`] (CSV records out of bytes, as the `csv` crate
//! reads them), [`chunks`] (the input cut at record boundaries, the threads, the order),
//! [`reader`] (records into checked answers), [`writer`] (scored rows out), [`columns`]
//! (which column is which item) and [`line_index`] (the line numbers that errors name).

mod chunks;
pub(super) mod columns;
mod header;
mod line_index;
mod reader;
mod records;
mod writer;

use std::fs::File;
use std::io::{self, Read, Write};
use std::path::Path;

use anyhow::{Context, Result};

use chunks::ChunkReader;
use columns::{ColumnMap, quoted};
use reader::{ReadContext, RowReader};
use writer::RowWriter;

use super::{BadInput, Delimiter, Format, InvalidPolicy, ScoreArgs, bad_input};
use crate::atomic::AtomicFile;
use crate::catalog::Catalog;
use crate::core::instrument::Instrument;
use crate::core::{Responses, ScoreReport, score_into};

/// Runs `securebase score`.
pub fn run(catalog: &Catalog, args: &ScoreArgs) -> Result<()> {
    let Some(instrument) = catalog.get(&args.instrument) else {
        return bad_input(format!(
            "unknown instrument {:?}; loaded: {}",
            args.instrument,
            catalog.ids().join(", ")
        ));
    };
    let input_name = display_name(&args.input, "standard input");
    let reader: Box<dyn Read + Send> =
        if is_dash(&args.input) {
            Box::new(io::stdin())
        } else if args.input.is_dir() {
            // Said here, the same way everywhere: Linux would open a folder and fail on the
            // first read, Windows refuses to open it.
            return Err(BadInput(format!(
                "{} is a folder; give the CSV file to score",
                args.input.display()
            ))
            .into());
        } else {
            Box::new(File::open(&args.input).map_err(|e| {
                BadInput(format!("cannot open input {}: {e}", args.input.display()))
            })?)
        };

    if is_dash(&args.output) {
        let stdout = io::stdout();
        let mut out = io::BufWriter::with_capacity(1 << 16, stdout);
        score_stream(
            instrument,
            reader,
            &mut out,
            args,
            &input_name,
            "standard output",
        )?;
        out.flush().context("cannot write to standard output")?;
    } else {
        check_output_path(&args.input, &args.output)?;
        let output_name = format!("output {}", args.output.display());
        let mut out = AtomicFile::create(&args.output)
            .with_context(|| format!("cannot create {output_name}"))?;
        score_stream(
            instrument,
            reader,
            &mut out,
            args,
            &input_name,
            &output_name,
        )?;
        out.commit()
            .with_context(|| format!("cannot write {output_name}"))?;
    }
    Ok(())
}

/// Refuses an output that would replace the input, or that names a folder or sits in a folder
/// that does not exist: mistakes in the arguments (exit 2), found before any work is done.
fn check_output_path(input: &Path, output: &Path) -> Result<()> {
    if output.is_dir() {
        return bad_input(format!(
            "output {} is a folder; name a file",
            output.display()
        ));
    }
    let parent = match output.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    if !parent.is_dir() {
        return bad_input(format!(
            "cannot write output {}: folder {} does not exist",
            output.display(),
            parent.display()
        ));
    }
    if !is_dash(input)
        && let (Ok(a), Ok(b)) = (input.canonicalize(), output.canonicalize())
        && a == b
    {
        return bad_input(format!(
            "output {} is the input file; write the scores to another file",
            output.display()
        ));
    }
    Ok(())
}

fn is_dash(path: &Path) -> bool {
    path.as_os_str() == "-"
}

fn display_name(path: &Path, dash: &str) -> String {
    if is_dash(path) {
        dash.to_owned()
    } else {
        path.display().to_string()
    }
}

/// Scores every row of `input` onto `output`. Errors are [`BadInput`] for anything wrong with
/// the input, plain errors for I/O trouble; a failed write names `output_name` ("standard
/// output", "output scored.csv") and keeps the I/O error as its cause (a closed pipe is then
/// seen as one).
pub fn score_stream(
    instrument: &Instrument,
    input: impl Read + Send,
    output: &mut impl Write,
    args: &ScoreArgs,
    input_name: &str,
    output_name: &str,
) -> Result<()> {
    let json = args.format == Format::Json;
    let (reader, columns) = open_input(
        instrument,
        input,
        args.delimiter,
        json,
        args.category,
        input_name,
    )?;
    if json && let Some(name) = columns.duplicate_pass_through() {
        return bad_input(format!(
            "{input_name}: line 1: column {} appears twice; JSON output needs unique column names",
            quoted(name.as_bytes())
        ));
    }
    let mut write = |bytes: &[u8]| {
        output
            .write_all(bytes)
            .map_err(|e| anyhow::Error::new(e).context(format!("cannot write {output_name}")))
    };
    let ctx = ReadContext {
        instrument,
        columns: &columns,
        policy: args.invalid,
        input_name,
        delimiter: reader.delimiter(),
    };
    let formatter = RowWriter::new(instrument, &columns, args.format, args.category);
    let mut start = Vec::new();
    formatter.start(&mut start);
    write(&start)?;

    let mut any_rows = false;
    chunks::run(
        reader,
        input_name,
        workers(),
        || Worker {
            rows: RowReader::new(&ctx),
            writer: RowWriter::new(instrument, &columns, args.format, args.category),
            report: ScoreReport::default(),
        },
        |worker, chunk, out| {
            let Worker {
                rows,
                writer,
                report,
            } = worker;
            rows.read_rows(chunk, |row| {
                score_into(instrument, row.responses, report);
                writer.row(out, row, report)
            })
        },
        |bytes| {
            // A JSON row starts with the comma that separates it from the one before.
            let bytes = match bytes.split_first() {
                Some((b',', rest)) if json && !any_rows => rest,
                _ => bytes,
            };
            any_rows |= !bytes.is_empty();
            write(bytes)
        },
    )?;
    let mut end = Vec::new();
    formatter.end(any_rows, &mut end);
    write(&end)
}

/// One scoring thread's state.
struct Worker<'a> {
    rows: RowReader<'a>,
    writer: RowWriter<'a>,
    report: ScoreReport,
}

/// Scoring threads: one per core (the reading and writing threads mostly wait).
fn workers() -> usize {
    std::thread::available_parallelism()
        .map_or(1, std::num::NonZero::get)
        .clamp(1, 8)
}

/// Reads and maps the header of `input` (after a byte-order mark; the delimiter detected unless
/// given), returning the reader of the data that follows. `json` and `category` are what
/// [`ColumnMap::new`] needs to know of the output. Errors name the input and line 1.
pub fn open_input<R: Read>(
    instrument: &Instrument,
    mut input: R,
    delimiter: Delimiter,
    json: bool,
    category: bool,
    input_name: &str,
) -> Result<(ChunkReader<R>, ColumnMap)> {
    let header = header::read_header(&mut input, delimiter, input_name)?;
    let names: Vec<&[u8]> = header.names.iter().map(Vec::as_slice).collect();
    if names.iter().any(|h| std::str::from_utf8(h).is_err()) {
        if json {
            return bad_input(format!(
                "{input_name}: line 1: the header is not valid UTF-8; JSON output needs UTF-8 text (save the file as UTF-8)"
            ));
        }
        eprintln!(
            "securebase: warning: {input_name}: the header is not valid UTF-8; text columns are passed through byte for byte"
        );
    }
    let columns = ColumnMap::new(instrument, &names, json, category).map_err(|m| {
        let note = header
            .long_name
            .map(|n| format!("; {}", n.note()))
            .unwrap_or_default();
        BadInput(format!("{input_name}: line 1: {m}{note}"))
    })?;
    for w in &columns.warnings {
        eprintln!("securebase: warning: {input_name}: {w}");
    }
    Ok((ChunkReader::new(input, &header), columns))
}

/// Every row of `input` (in `score`'s input format) as answers to `instrument`, for commands
/// that need them all at once (`reliability`). Cells are checked as `score` checks them: an
/// invalid cell is an error naming its line and column.
pub fn read_all(
    instrument: &Instrument,
    input: impl Read,
    input_name: &str,
) -> Result<Vec<Responses>> {
    let (reader, columns) =
        open_input(instrument, input, Delimiter::Auto, false, false, input_name)?;
    let ctx = ReadContext {
        instrument,
        columns: &columns,
        policy: InvalidPolicy::Error,
        input_name,
        delimiter: reader.delimiter(),
    };
    let mut rows = RowReader::new(&ctx);
    let mut all = Vec::new();
    chunks::run_here(reader, input_name, |chunk| {
        rows.read_rows(chunk, |row| {
            all.push(row.responses.clone());
            Ok(())
        })
    })?;
    Ok(all)
}

#[cfg(test)]
mod tests {
    use std::fmt::Write as _;
    use std::io::{self, Write};
    use std::path::PathBuf;

    use super::*;

    /// A disk that fills up after `room` bytes.
    struct FullDisk {
        room: usize,
    }

    impl Write for FullDisk {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            if self.room == 0 {
                return Err(io::Error::from_raw_os_error(28));
            }
            let n = buf.len().min(self.room);
            self.room -= n;
            Ok(n)
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    fn args(format: Format) -> ScoreArgs {
        ScoreArgs {
            instrument: "ecr-r".to_owned(),
            input: PathBuf::from("in.csv"),
            output: PathBuf::from("scored.csv"),
            format,
            delimiter: Delimiter::Auto,
            invalid: InvalidPolicy::Error,
            category: false,
        }
    }

    /// REDTEAM L12: a write that fails (a full disk under `-o`) names the output, not only
    /// the temporary file it goes through, and keeps the I/O error as its cause (which is how
    /// a closed pipe is told from other failures).
    #[test]
    fn a_failed_write_names_the_output() {
        let catalog = Catalog::bundled();
        let instrument = catalog.get("ecr-r").unwrap();
        let mut input = String::from("id");
        for q in 1..=36 {
            let _ = write!(input, ",q{q}");
        }
        input.push('\n');
        for k in 0..50_000 {
            let _ = writeln!(input, "r{k}{}", ",4".repeat(36));
        }
        for format in [Format::Csv, Format::Json] {
            for room in [0, 10, 100_000] {
                let mut disk = FullDisk { room };
                let err = score_stream(
                    instrument,
                    input.as_bytes(),
                    &mut disk,
                    &args(format),
                    "in.csv",
                    "output scored.csv",
                )
                .unwrap_err();
                assert!(
                    format!("{err:#}").starts_with("cannot write output scored.csv: "),
                    "{err:#}"
                );
                assert!(err.downcast_ref::<BadInput>().is_none());
                let io = err.chain().find_map(|c| c.downcast_ref::<io::Error>());
                assert_eq!(io.and_then(io::Error::raw_os_error), Some(28), "{err:#}");
            }
        }
    }
}
