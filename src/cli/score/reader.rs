//! The reading half of `securebase score`: CSV records into checked [`Responses`], in batches.
//!
//! Reading and parsing run on their own thread while the main thread scores and writes, so
//! both cores work on a large file. Batches are recycled through a return channel, and the
//! forward channel is bounded: memory stays a few batches, whatever the number of rows.

use std::io::Read;
use std::sync::mpsc::{Receiver, SyncSender};

use anyhow::Result;

use super::columns::{CellValue, ColumnMap, ColumnRole, parse_cell};
use super::line_index::LineIndex;
use crate::cli::{BadInput, InvalidPolicy};
use crate::core::Responses;
use crate::core::instrument::Instrument;

/// Rows per batch: large enough to make channel traffic negligible, small enough to stay in
/// cache.
pub const BATCH_ROWS: usize = 512;

/// One input row, read and parsed.
pub struct Row {
    /// The raw record (pass-through cells are copied from here).
    pub record: csv::ByteRecord,
    /// The answers.
    pub responses: Responses,
    /// Columns whose cell was invalid and counted as missing (`--invalid missing`).
    pub invalid: Vec<usize>,
    /// Line in the input where the row starts.
    pub line: u64,
}

/// Up to [`BATCH_ROWS`] rows; only the first `len` are filled.
pub struct Batch {
    /// Row buffers, reused.
    pub rows: Vec<Row>,
    /// How many rows are filled.
    pub len: usize,
}

impl Batch {
    fn new(instrument: &Instrument) -> Self {
        Self {
            rows: (0..BATCH_ROWS)
                .map(|_| Row {
                    record: csv::ByteRecord::new(),
                    responses: Responses::new(instrument),
                    invalid: Vec::new(),
                    line: 0,
                })
                .collect(),
            len: 0,
        }
    }

    /// The filled rows.
    pub fn filled(&self) -> &[Row] {
        &self.rows[..self.len]
    }
}

/// What the reader needs to know.
pub struct ReadContext<'a> {
    /// The instrument scored.
    pub instrument: &'a Instrument,
    /// The header's column roles.
    pub columns: &'a ColumnMap,
    /// What an invalid cell does.
    pub policy: InvalidPolicy,
    /// Input name for messages.
    pub input_name: &'a str,
}

/// Reads every remaining record, sending filled batches to `tx`; an error is sent in-band and
/// ends reading. Stops quietly when the receiver has gone away.
pub fn read_batches<R: Read>(
    reader: &mut csv::Reader<LineIndex<R>>,
    ctx: &ReadContext<'_>,
    tx: &SyncSender<Result<Batch>>,
    recycle: &Receiver<Batch>,
) {
    let n_columns = ctx.columns.roles.len();
    loop {
        let mut batch = recycle
            .try_recv()
            .unwrap_or_else(|_| Batch::new(ctx.instrument));
        batch.len = 0;
        let mut at_end = false;
        while batch.len < BATCH_ROWS {
            let row = &mut batch.rows[batch.len];
            match read_record(reader, &mut row.record, ctx.input_name) {
                Ok(true) => {}
                Ok(false) => {
                    at_end = true;
                    break;
                }
                Err(e) => {
                    let _ = tx.send(Err(e));
                    return;
                }
            }
            let record = &row.record;
            let byte = record.position().map_or(0, csv::Position::byte);
            row.line = reader.get_mut().line_of(byte);
            if record.len() != n_columns {
                // A lone empty field is a blank line made of spaces: skip it like a blank line.
                if record.len() == 1 && record.get(0).is_some_and(|f| f.trim_ascii().is_empty()) {
                    continue;
                }
                let message = format!(
                    "{}: line {}: {} fields, but the header has {n_columns}",
                    ctx.input_name,
                    row.line,
                    record.len()
                );
                let _ = tx.send(Err(BadInput(message).into()));
                return;
            }
            if let Err((col, cell, problem)) = fill_row(
                ctx.instrument,
                ctx.columns,
                record,
                ctx.policy,
                &mut row.responses,
                &mut row.invalid,
            ) {
                let message =
                    cell_error(ctx.input_name, row.line, ctx.columns, col, cell, &problem);
                let _ = tx.send(Err(BadInput(message).into()));
                return;
            }
            batch.len += 1;
        }
        if batch.len > 0 && tx.send(Ok(batch)).is_err() {
            return;
        }
        if at_end {
            return;
        }
    }
}

/// Reads one record's answer cells into `responses`. An invalid cell is returned as
/// (column, cell, problem) under `InvalidPolicy::Error`, or listed in `invalid` otherwise.
fn fill_row<'r>(
    instrument: &Instrument,
    columns: &ColumnMap,
    record: &'r csv::ByteRecord,
    policy: InvalidPolicy,
    responses: &mut Responses,
    invalid: &mut Vec<usize>,
) -> Result<(), (usize, &'r [u8], String)> {
    let (min, max) = (instrument.response.min, instrument.response.max);
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
                    match policy {
                        InvalidPolicy::Error => return Err((col, cell, problem)),
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
                if let Some(o) = choice.option_index(trimmed) {
                    // The option exists, so setting it cannot fail.
                    let _ = responses.set_choice(Some(o));
                } else {
                    let values: Vec<&str> =
                        choice.options.iter().map(|(v, _)| v.as_str()).collect();
                    let problem = format!("is not one of {}", values.join(", "));
                    match policy {
                        InvalidPolicy::Error => return Err((col, cell, problem)),
                        InvalidPolicy::Missing => invalid.push(col),
                    }
                }
            }
        }
    }
    Ok(())
}

pub fn read_record<R: Read>(
    reader: &mut csv::Reader<R>,
    record: &mut csv::ByteRecord,
    input_name: &str,
) -> Result<bool> {
    reader.read_byte_record(record).map_err(|e| {
        let line = e
            .position()
            .map_or(String::new(), |p| format!("line {}: ", p.line()));
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
