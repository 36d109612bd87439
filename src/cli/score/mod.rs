//! `securebase score`: stream a CSV of respondents through the scorer.
//!
//! Memory does not grow with the number of rows: a reader thread parses batches of rows
//! ([`reader`]) that are recycled once scored and written ([`writer`]).
//! An output file is written through [`crate::atomic::AtomicFile`], so on any error it is
//! neither created nor changed.
//!
//! The pipeline is a folder because its parts are only for `score`: this file (header,
//! delimiter, the two threads), [`reader`], [`writer`], [`columns`] (which column is which item)
//! and [`line_index`] (the line numbers that errors name).

pub(super) mod columns;
mod line_index;
mod reader;
mod writer;

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::path::Path;
use std::sync::mpsc;

use anyhow::{Context, Result};

use columns::ColumnMap;
use line_index::LineIndex;
use reader::{Batch, ReadContext, read_batches, read_record};
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
        score_stream(instrument, reader, &mut out, args, &input_name)?;
        out.flush().context("cannot write to standard output")?;
    } else {
        check_output_path(&args.input, &args.output)?;
        let mut out = AtomicFile::create(&args.output)
            .with_context(|| format!("cannot create output {}", args.output.display()))?;
        score_stream(instrument, reader, &mut out, args, &input_name)?;
        out.commit()
            .with_context(|| format!("cannot write output {}", args.output.display()))?;
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
/// the input, plain errors for I/O trouble.
pub fn score_stream(
    instrument: &Instrument,
    input: impl Read + Send,
    output: &mut impl Write,
    args: &ScoreArgs,
    input_name: &str,
) -> Result<()> {
    let json = args.format == Format::Json;
    let (mut reader, columns) = open_input(
        instrument,
        input,
        args.delimiter,
        json,
        args.category,
        input_name,
    )?;
    if json && let Some(name) = columns.duplicate_pass_through() {
        return bad_input(format!(
            "{input_name}: line 1: column {name:?} appears twice; JSON output needs unique column names"
        ));
    }

    let mut writer = RowWriter::new(instrument, &columns, args.format, args.category, output)?;
    let ctx = ReadContext {
        instrument,
        columns: &columns,
        policy: args.invalid,
        input_name,
    };
    std::thread::scope(|scope| {
        // Two batches in flight keep both threads busy without letting memory grow.
        let (tx, rx) = mpsc::sync_channel::<Result<Batch>>(2);
        let (recycle_tx, recycle_rx) = mpsc::channel::<Batch>();
        let reader_thread = scope.spawn(move || read_batches(&mut reader, &ctx, &tx, &recycle_rx));
        let mut report = ScoreReport::default();
        for batch in rx {
            let batch = batch?;
            for row in batch.filled() {
                score_into(instrument, &row.responses, &mut report);
                writer.write_row(&row.record, &report, &row.invalid, row.line)?;
            }
            // The reader may have finished; then the batch is simply dropped.
            let _ = recycle_tx.send(batch);
        }
        if reader_thread.join().is_err() {
            anyhow::bail!("the input reader stopped unexpectedly");
        }
        writer.finish()
    })
}

/// Reads and maps the header of `input` (after a byte-order mark; the delimiter detected unless
/// given), leaving the reader at the first data row. `json` and `category` are what
/// [`ColumnMap::new`] needs to know of the output. Errors name the input and line 1.
pub fn open_input<R: Read>(
    instrument: &Instrument,
    input: R,
    delimiter: Delimiter,
    json: bool,
    category: bool,
    input_name: &str,
) -> Result<(csv::Reader<LineIndex<impl Read>>, ColumnMap)> {
    let mut input = BufReader::with_capacity(1 << 16, input);
    let mut first_line =
        read_header_line(&mut input).with_context(|| format!("cannot read {input_name}"))?;
    if let Some(rest) = first_line.strip_prefix(b"\xEF\xBB\xBF") {
        first_line = rest.to_vec();
    }
    if first_line.trim_ascii().is_empty() {
        return bad_input(format!(
            "{input_name}: the input is empty; expected a header row naming the columns"
        ));
    }
    let delimiter = match delimiter {
        Delimiter::Byte(b) => b,
        Delimiter::Auto => detect_delimiter(&first_line)
            .map_err(|m| BadInput(format!("{input_name}: line 1: {m}")))?,
    };

    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .delimiter(delimiter)
        .flexible(true)
        .buffer_capacity(1 << 16)
        .from_reader(LineIndex::new(io::Cursor::new(first_line).chain(input)));

    let mut record = csv::ByteRecord::new();
    if !read_record(&mut reader, &mut record, input_name)? {
        return bad_input(format!("{input_name}: no header row"));
    }
    let header: Vec<&[u8]> = record.iter().collect();
    if header.iter().any(|h| std::str::from_utf8(h).is_err()) {
        if json {
            return bad_input(format!(
                "{input_name}: line 1: the header is not valid UTF-8; JSON output needs UTF-8 text (save the file as UTF-8)"
            ));
        }
        eprintln!(
            "securebase: warning: {input_name}: the header is not valid UTF-8; text columns are passed through byte for byte"
        );
    }
    let columns = ColumnMap::new(instrument, &header, json, category)
        .map_err(|m| BadInput(format!("{input_name}: line 1: {m}")))?;
    for w in &columns.warnings {
        eprintln!("securebase: warning: {input_name}: {w}");
    }
    Ok((reader, columns))
}

/// Every row of `input` (in `score`'s input format) as answers to `instrument`, for commands
/// that need them all at once (`reliability`). Cells are checked as `score` checks them: an
/// invalid cell is an error naming its line and column.
pub fn read_all(
    instrument: &Instrument,
    input: impl Read + Send,
    input_name: &str,
) -> Result<Vec<Responses>> {
    let (mut reader, columns) =
        open_input(instrument, input, Delimiter::Auto, false, false, input_name)?;
    let ctx = ReadContext {
        instrument,
        columns: &columns,
        policy: InvalidPolicy::Error,
        input_name,
    };
    let (tx, rx) = mpsc::sync_channel::<Result<Batch>>(2);
    let (_recycle_tx, recycle_rx) = mpsc::channel::<Batch>();
    std::thread::scope(|scope| {
        scope.spawn(move || read_batches(&mut reader, &ctx, &tx, &recycle_rx));
        let mut all = Vec::new();
        for batch in rx {
            all.extend(batch?.filled().iter().map(|row| row.responses.clone()));
        }
        Ok(all)
    })
}

/// Reads the header line: up to the first line break outside double quotes, so that a quoted
/// header name with a line break in it does not cut the header short.
fn read_header_line(input: &mut impl BufRead) -> io::Result<Vec<u8>> {
    let mut line = Vec::new();
    loop {
        let before = line.len();
        if input.read_until(b'\n', &mut line)? == 0 {
            return Ok(line);
        }
        let quotes = memchr::memchr_iter(b'"', &line).count();
        if quotes.is_multiple_of(2) || line.len() == before {
            return Ok(line);
        }
    }
}

/// Picks comma, semicolon or tab: whichever occurs most often outside quotes in the header.
/// A tie between two that both occur is ambiguous and an error; none at all means one column,
/// read as comma-separated.
pub fn detect_delimiter(header: &[u8]) -> Result<u8, String> {
    let mut counts = [(b',', 0usize), (b';', 0), (b'\t', 0)];
    let mut quoted = false;
    for &b in header {
        if b == b'"' {
            quoted = !quoted;
        } else if !quoted {
            for (d, n) in &mut counts {
                if b == *d {
                    *n += 1;
                }
            }
        }
    }
    counts.sort_by_key(|c| std::cmp::Reverse(c.1));
    match counts {
        [(_, 0), ..] => Ok(b','),
        [(a, na), (b, nb), _] if na == nb => Err(format!(
            "cannot tell the delimiter: the header has {na} {} and {nb} {}; pass --delimiter",
            delimiter_name(a),
            delimiter_name(b)
        )),
        [(a, _), ..] => Ok(a),
    }
}

fn delimiter_name(d: u8) -> &'static str {
    match d {
        b',' => "commas",
        b';' => "semicolons",
        _ => "tabs",
    }
}
