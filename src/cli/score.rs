//! `securebase score`: stream a CSV of respondents through the scorer.
//!
//! Memory does not grow with the number of rows: one record buffer, one set of responses and
//! one report are reused for every row. An output file is written through
//! [`crate::atomic::AtomicFile`], so on any error it is neither created nor changed.

use std::fmt::Write as _;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::path::Path;

use anyhow::{Context, Result};

use super::columns::{CellValue, ColumnMap, ColumnRole, parse_cell};
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
    let reader: Box<dyn Read> = if is_dash(&args.input) {
        Box::new(io::stdin().lock())
    } else {
        Box::new(File::open(&args.input).map_err(|e| {
            BadInput(format!("cannot open input {}: {e}", args.input.display()))
        })?)
    };

    if is_dash(&args.output) {
        let stdout = io::stdout().lock();
        let mut out = io::BufWriter::with_capacity(1 << 16, stdout);
        score_stream(instrument, reader, &mut out, args, &input_name)?;
        out.flush().context("cannot write to standard output")?;
    } else {
        let mut out = AtomicFile::create(&args.output)
            .with_context(|| format!("cannot create output {}", args.output.display()))?;
        score_stream(instrument, reader, &mut out, args, &input_name)?;
        out.commit()
            .with_context(|| format!("cannot write output {}", args.output.display()))?;
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
    input: impl Read,
    output: &mut impl Write,
    args: &ScoreArgs,
    input_name: &str,
) -> Result<()> {
    let mut input = BufReader::with_capacity(1 << 16, input);
    let mut first_line = Vec::new();
    input
        .read_until(b'\n', &mut first_line)
        .with_context(|| format!("cannot read {input_name}"))?;
    if let Some(rest) = first_line.strip_prefix(b"\xEF\xBB\xBF") {
        first_line = rest.to_vec();
    }
    if first_line.trim_ascii().is_empty() {
        return bad_input(format!(
            "{input_name}: the input is empty; expected a header row naming the columns"
        ));
    }
    let delimiter = match args.delimiter {
        Delimiter::Byte(b) => b,
        Delimiter::Auto => detect_delimiter(&first_line).map_err(|m| BadInput(format!("{input_name}: line 1: {m}")))?,
    };

    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .delimiter(delimiter)
        .flexible(true)
        .buffer_capacity(1 << 16)
        .from_reader(io::Cursor::new(first_line).chain(input));

    let mut record = csv::ByteRecord::new();
    if !read_record(&mut reader, &mut record, input_name)? {
        return bad_input(format!("{input_name}: no header row"));
    }
    let header: Vec<&[u8]> = record.iter().collect();
    let columns = ColumnMap::new(instrument, &header)
        .map_err(|m| BadInput(format!("{input_name}: line 1: {m}")))?;
    for w in &columns.warnings {
        eprintln!("securebase: warning: {input_name}: {w}");
    }
    if args.format == Format::Json
        && let Some(name) = columns.duplicate_pass_through()
    {
        return bad_input(format!(
            "{input_name}: line 1: column {name:?} appears twice; JSON output needs unique column names"
        ));
    }

    let mut writer = RowWriter::new(instrument, &columns, args.format, output)?;
    let mut responses = Responses::new(instrument);
    let mut report = ScoreReport::default();
    let mut invalid: Vec<usize> = Vec::new();
    let n_columns = columns.roles.len();
    let (min, max) = (instrument.response.min, instrument.response.max);

    while read_record(&mut reader, &mut record, input_name)? {
        let line = record.position().map_or(0, csv::Position::line);
        if record.len() != n_columns {
            // A lone empty field is a blank line made of spaces: skip it like a blank line.
            if record.len() == 1 && record.get(0).is_some_and(|f| f.trim_ascii().is_empty()) {
                continue;
            }
            return bad_input(format!(
                "{input_name}: line {line}: {} fields, but the header has {n_columns}",
                record.len()
            ));
        }
        responses.clear();
        invalid.clear();
        for (col, (cell, role)) in record.iter().zip(&columns.roles).enumerate() {
            match role {
                ColumnRole::PassThrough => {}
                ColumnRole::Item { slot } => {
                    let problem = match parse_cell(cell) {
                        CellValue::Missing => None,
                        CellValue::Number(v) => match responses.set_value(*slot, v) {
                            Ok(()) => None,
                            Err(_) => Some(format!("is outside {min}-{max}")),
                        },
                        CellValue::NotANumber => Some(format!(
                            "is not a whole number from {min} to {max} (leave empty, NA or . for a missing answer)"
                        )),
                    };
                    if let Some(problem) = problem {
                        match args.invalid {
                            InvalidPolicy::Error => {
                                return bad_input(cell_error(input_name, line, &columns, col, cell, &problem));
                            }
                            InvalidPolicy::Missing => invalid.push(col),
                        }
                    }
                }
                ColumnRole::Choice => {
                    let Some(choice) = &instrument.choice else {
                        continue;
                    };
                    let text = String::from_utf8_lossy(cell);
                    let trimmed = text.trim();
                    if matches!(parse_cell(cell), CellValue::Missing) {
                        continue;
                    }
                    match choice.option_index(trimmed) {
                        Some(o) => {
                            // The option exists, so setting it cannot fail.
                            let _ = responses.set_choice(Some(o));
                        }
                        None => {
                            let values: Vec<&str> =
                                choice.options.iter().map(|(v, _)| v.as_str()).collect();
                            let problem = format!("is not one of {}", values.join(", "));
                            match args.invalid {
                                InvalidPolicy::Error => {
                                    return bad_input(cell_error(input_name, line, &columns, col, cell, &problem));
                                }
                                InvalidPolicy::Missing => invalid.push(col),
                            }
                        }
                    }
                }
            }
        }
        score_into(instrument, &responses, &mut report);
        writer.write_row(&record, &report, &invalid, line)?;
    }
    writer.finish()
}

fn read_record<R: Read>(
    reader: &mut csv::Reader<R>,
    record: &mut csv::ByteRecord,
    input_name: &str,
) -> Result<bool> {
    reader.read_byte_record(record).map_err(|e| {
        let line = e.position().map_or(String::new(), |p| format!("line {}: ", p.line()));
        match e.kind() {
            csv::ErrorKind::Io(_) => anyhow::anyhow!("cannot read {input_name}: {e}"),
            _ => BadInput(format!("{input_name}: {line}{e}")).into(),
        }
    })
}

fn cell_error(
    input_name: &str,
    line: u64,
    columns: &ColumnMap,
    col: usize,
    cell: &[u8],
    problem: &str,
) -> String {
    let written = &columns.names[col];
    let canonical = &columns.canonical[col];
    let column = if written.trim() == canonical {
        canonical.clone()
    } else {
        format!("{} ({canonical})", written.trim())
    };
    format!(
        "{input_name}: line {line}, column {column}: {:?} {problem}",
        String::from_utf8_lossy(cell)
    )
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
    counts.sort_by(|a, b| b.1.cmp(&a.1));
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

/// Writes scored rows as CSV or JSON.
struct RowWriter<'a, W: Write> {
    instrument: &'a Instrument,
    columns: &'a ColumnMap,
    format: Format,
    csv: Option<csv::Writer<&'a mut W>>,
    raw: Option<&'a mut W>,
    n_rows: u64,
    buf: String,
}

impl<'a, W: Write> RowWriter<'a, W> {
    fn new(
        instrument: &'a Instrument,
        columns: &'a ColumnMap,
        format: Format,
        output: &'a mut W,
    ) -> Result<Self> {
        let mut writer = Self {
            instrument,
            columns,
            format,
            csv: None,
            raw: None,
            n_rows: 0,
            buf: String::with_capacity(256),
        };
        match format {
            Format::Csv => {
                let mut csv = csv::WriterBuilder::new()
                    .buffer_capacity(1 << 16)
                    .from_writer(output);
                for &i in &columns.pass_through {
                    csv.write_field(columns.names[i].as_bytes())?;
                }
                for s in &instrument.scores {
                    csv.write_field(&s.id)?;
                }
                if instrument.category.is_some() {
                    csv.write_field("category")?;
                }
                csv.write_field("n_missing")?;
                csv.write_field("flags")?;
                csv.write_record(None::<&[u8]>)?;
                writer.csv = Some(csv);
            }
            Format::Json => {
                output.write_all(b"[")?;
                writer.raw = Some(output);
            }
        }
        Ok(writer)
    }

    fn write_row(
        &mut self,
        record: &csv::ByteRecord,
        report: &ScoreReport,
        invalid: &[usize],
        line: u64,
    ) -> Result<()> {
        let (instrument, columns) = (self.instrument, self.columns);
        self.buf.clear();
        for (k, &col) in invalid.iter().enumerate() {
            if k > 0 {
                self.buf.push(';');
            }
            self.buf.push_str("invalid:");
            self.buf.push_str(&columns.canonical[col]);
        }
        for flag in &report.flags {
            if !self.buf.is_empty() {
                self.buf.push(';');
            }
            self.buf.push_str(&flag.code(instrument));
        }
        let category = report
            .category
            .and_then(|c| instrument.category.as_ref()?.options.get(c.option_idx))
            .map(|o| o.label.as_str());

        match self.format {
            Format::Csv => {
                let Some(csv) = self.csv.as_mut() else {
                    return Ok(());
                };
                for &i in &columns.pass_through {
                    csv.write_field(record.get(i).unwrap_or_default())?;
                }
                let mut number = String::with_capacity(24);
                for s in &report.scores {
                    number.clear();
                    if let Some(v) = s.value {
                        // Display of f64 is Rust's shortest form that reads back to the same f64.
                        let _ = write!(number, "{v}");
                    }
                    csv.write_field(&number)?;
                }
                if instrument.category.is_some() {
                    csv.write_field(category.unwrap_or(""))?;
                }
                number.clear();
                let _ = write!(number, "{}", report.n_missing);
                csv.write_field(&number)?;
                csv.write_field(&self.buf)?;
                csv.write_record(None::<&[u8]>)?;
            }
            Format::Json => {
                let Some(out) = self.raw.as_mut() else {
                    return Ok(());
                };
                out.write_all(if self.n_rows == 0 { b"\n{" } else { b",\n{" })?;
                for &i in &columns.pass_through {
                    let value = std::str::from_utf8(record.get(i).unwrap_or_default()).map_err(|_| {
                        BadInput(format!(
                            "line {line}, column {}: not valid UTF-8 (JSON output needs UTF-8 text)",
                            columns.names[i]
                        ))
                    })?;
                    serde_json::to_writer(&mut **out, &columns.names[i])?;
                    out.write_all(b":")?;
                    serde_json::to_writer(&mut **out, value)?;
                    out.write_all(b",")?;
                }
                out.write_all(b"\"scores\":{")?;
                for (k, (def, s)) in instrument.scores.iter().zip(&report.scores).enumerate() {
                    if k > 0 {
                        out.write_all(b",")?;
                    }
                    serde_json::to_writer(&mut **out, &def.id)?;
                    out.write_all(b":")?;
                    serde_json::to_writer(&mut **out, &s.value)?;
                }
                out.write_all(b"}")?;
                if instrument.category.is_some() {
                    out.write_all(b",\"category\":")?;
                    serde_json::to_writer(&mut **out, &category)?;
                }
                write!(out, ",\"n_missing\":{},\"flags\":[", report.n_missing)?;
                for (k, code) in self.buf.split(';').filter(|c| !c.is_empty()).enumerate() {
                    if k > 0 {
                        out.write_all(b",")?;
                    }
                    serde_json::to_writer(&mut **out, code)?;
                }
                out.write_all(b"]}")?;
            }
        }
        self.n_rows += 1;
        Ok(())
    }

    fn finish(self) -> Result<()> {
        if let Some(mut csv) = self.csv {
            csv.flush()?;
        }
        if let Some(out) = self.raw {
            out.write_all(if self.n_rows == 0 { b"]\n" } else { b"\n]\n" })?;
        }
        Ok(())
    }
}
