//! The reading half of `securebase score`: the records of a chunk into checked
//! [`Responses`], row by row, each bad row an error naming its line.
//!
//! One [`RowReader`] per worker thread; it keeps its buffers from row to row and from chunk
//! to chunk, so reading allocates nothing per row.

use anyhow::Result;

use super::chunks::Chunk;
use super::columns::{CellValue, ColumnMap, ColumnRole, parse_cell, quoted, shortened};
use super::line_index::line_at;
use super::records::{Dialect, Fields, Parsed, is_line_break};
use crate::cli::{BadInput, InvalidPolicy};
use crate::core::Responses;
use crate::core::instrument::Instrument;

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
    /// The delimiter.
    pub delimiter: u8,
}

/// One input row, read and checked.
pub struct Row<'r> {
    /// The chunk's bytes (fields are ranges of these or of the fields' own buffer).
    pub data: &'r [u8],
    /// The row's fields, one per column.
    pub fields: &'r Fields,
    /// The answers.
    pub responses: &'r Responses,
    /// Columns whose cell was invalid and counted as missing (`--invalid missing`).
    pub invalid: &'r [usize],
}

/// What the caller of [`RowReader::read_rows`] may find wrong with a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowProblem {
    /// The cell in this column is not UTF-8 (JSON output needs text).
    NotUtf8 {
        /// The column.
        col: usize,
    },
}

/// [`RowReader`]'s code of a pass-through column.
const PASS: u32 = u32::MAX;
/// [`RowReader`]'s code of the forced-choice column (and of a slot too large for a code,
/// which cannot happen: instruments have at most a few thousand slots).
const CHOICE: u32 = u32::MAX - 1;

/// Reads rows out of chunks.
pub struct RowReader<'a> {
    ctx: &'a ReadContext<'a>,
    dialect: Dialect,
    /// Per column: its item's slot, or [`PASS`] or [`CHOICE`] (a compact [`ColumnRole`] for
    /// the per-cell loop).
    codes: Vec<u32>,
    /// Per column: how many item columns follow in a row from it (itself included).
    runs: Vec<u32>,
    fields: Fields,
    responses: Responses,
    invalid: Vec<usize>,
    /// Whether quote-free chunks take the one-pass path (tests compare it with the other).
    one_pass: bool,
}

impl<'a> RowReader<'a> {
    /// A reader for `ctx`'s input.
    pub fn new(ctx: &'a ReadContext<'a>) -> Self {
        Self {
            ctx,
            dialect: Dialect::new(ctx.delimiter),
            codes: ctx
                .columns
                .roles
                .iter()
                .map(|role| match role {
                    ColumnRole::PassThrough => PASS,
                    ColumnRole::Choice => CHOICE,
                    ColumnRole::Item { slot } => u32::try_from(*slot).unwrap_or(CHOICE),
                })
                .collect(),
            runs: {
                let mut runs = vec![0u32; ctx.columns.roles.len()];
                let mut run = 0;
                for (k, role) in ctx.columns.roles.iter().enumerate().rev() {
                    run = if matches!(role, ColumnRole::Item { .. }) {
                        run + 1
                    } else {
                        0
                    };
                    runs[k] = run;
                }
                runs
            },
            fields: Fields::default(),
            responses: Responses::new(ctx.instrument),
            invalid: Vec::new(),
            one_pass: true,
        }
    }

    /// Calls `each` with every row of `chunk`, in order. Stops at the first row that is
    /// wrong ([`BadInput`] naming the input, the line and the column) or that `each` refuses.
    pub fn read_rows(
        &mut self,
        chunk: &Chunk,
        mut each: impl FnMut(&Row<'_>) -> Result<(), RowProblem>,
    ) -> Result<()> {
        let ctx = self.ctx;
        let n_columns = ctx.columns.roles.len();
        let data = chunk.data.as_slice();
        let line = |start: usize| line_at(data, chunk.start_line, chunk.after_cr, start);
        let Self {
            dialect,
            codes,
            runs,
            fields,
            responses,
            invalid,
            ..
        } = self;
        let (instrument, policy, roles) = (ctx.instrument, ctx.policy, &ctx.columns.roles);
        // A chunk without a quote (almost every chunk of almost every file) has its records
        // end at the first line break, and most rows are read in one pass ([`fill_plain`]).
        let plain = self.one_pass && memchr::memchr(b'"', data).is_none();
        let delimiter = dialect.delimiter();
        let mut pos = 0;
        loop {
            let (start, end, problem) = if plain {
                while data.get(pos).copied().is_some_and(is_line_break) {
                    pos += 1;
                }
                if pos >= data.len() {
                    break;
                }
                let start = pos;
                if let Some(record_end) =
                    fill_plain(codes, runs, data, start, delimiter, fields, responses)
                {
                    invalid.clear();
                    (start, (record_end + 1).min(data.len()), None)
                } else {
                    match read_record(
                        dialect, instrument, roles, codes, data, start, fields, policy, responses,
                        invalid,
                    ) {
                        Some(read) => read,
                        None => break,
                    }
                }
            } else {
                match read_record(
                    dialect, instrument, roles, codes, data, pos, fields, policy, responses,
                    invalid,
                ) {
                    Some(read) => read,
                    None => break,
                }
            };
            pos = end;
            if fields.len() != n_columns {
                // A lone empty field is a blank line made of spaces: skip it like a blank line.
                if fields.len() == 1
                    && fields
                        .get(data, 0)
                        .is_some_and(|f| f.trim_ascii().is_empty())
                {
                    continue;
                }
                return Err(BadInput(format!(
                    "{}: line {}: {} fields, but the header has {n_columns}",
                    ctx.input_name,
                    line(start),
                    fields.len()
                ))
                .into());
            }
            if let Some((col, problem)) = problem {
                let cell = fields.get(data, col).unwrap_or_default();
                return Err(BadInput(cell_error(
                    ctx.input_name,
                    line(start),
                    ctx.columns,
                    col,
                    cell,
                    &problem,
                ))
                .into());
            }
            let row = Row {
                data,
                fields,
                responses,
                invalid,
            };
            if let Err(RowProblem::NotUtf8 { col }) = each(&row) {
                return Err(BadInput(format!(
                    "{}: line {}, column {}: not valid UTF-8 (JSON output needs UTF-8 text; save the file as UTF-8)",
                    ctx.input_name,
                    line(start),
                    shortened(&ctx.columns.names[col])
                ))
                .into());
            }
        }
        Ok(())
    }
}

/// A record read the general way: where it starts and ends, and its first invalid cell.
type ReadRecord = (usize, usize, Option<(usize, String)>);

/// Reads the record at `pos` the general way: parsed, then its cells read. `None` at the
/// end; otherwise (start, end, the first invalid cell) when its field count is right (a
/// wrong count is for the caller to report, before any cell).
#[expect(
    clippy::too_many_arguments,
    reason = "the reader's state, borrowed apart: no struct to build per row"
)]
fn read_record(
    dialect: &Dialect,
    instrument: &Instrument,
    roles: &[ColumnRole],
    codes: &[u32],
    data: &[u8],
    pos: usize,
    fields: &mut Fields,
    policy: InvalidPolicy,
    responses: &mut Responses,
    invalid: &mut Vec<usize>,
) -> Option<ReadRecord> {
    let Parsed::Record { start, end } = dialect.parse(data, pos, true, codes.len(), fields) else {
        return None;
    };
    let problem = if fields.len() == codes.len() {
        fill_row(
            instrument, roles, codes, data, fields, policy, responses, invalid,
        )
        .err()
    } else {
        None
    };
    Some((start, end, problem))
}

/// Reads the record at `start` (in a chunk without quotes, so the record ends at the first
/// line break) and its answers in one pass, when it is the common kind: as many fields as
/// columns, every answer empty or one digit within the scale, no forced choice. Returns
/// where the record ends (its line break, or the end of the data), or `None`, and the record
/// is read again the general way, which finds the same fields and says what is wrong (a row
/// read here is one the general way reads the same, without a problem).
///
/// Four answers in a row written `d,d,d,d,` are taken in one step: the eight bytes are
/// checked as one word (the delimiters at odd offsets, digits at even ones).
#[inline]
fn fill_plain(
    codes: &[u32],
    runs: &[u32],
    data: &[u8],
    start: usize,
    delimiter: u8,
    fields: &mut Fields,
    responses: &mut Responses,
) -> Option<usize> {
    responses.clear();
    let last = codes.len().checked_sub(1)?;
    let slots = fields.slots(codes.len());
    let delimiters = 0x0100_0100_0100_0100 * u64::from(delimiter);
    let ends_record = |e: usize| data.get(e).is_none_or(|&b| b != delimiter);
    let mut p = start;
    let mut col = 0;
    while let Some(&code) = codes.get(col) {
        let field_end = if code == PASS {
            data.get(p..)
                .unwrap_or_default()
                .iter()
                .position(|&b| b == delimiter || is_line_break(b))
                .map_or(data.len(), |i| p + i)
        } else if code == CHOICE {
            return None;
        } else {
            if runs.get(col).is_some_and(|&r| r >= 4)
                && col + 4 <= last
                && let Some(word) = data.get(p..p + 8)
            {
                let bytes: [u8; 8] = word.try_into().ok()?;
                let word = u64::from_le_bytes(bytes);
                if word & 0xFF00_FF00_FF00_FF00 == delimiters && four_digits(word) {
                    for k in 0..4 {
                        let code = *codes.get(col + k)?;
                        responses
                            .set_value(code as usize, i64::from(bytes[2 * k] - b'0'))
                            .ok()?;
                        *slots.get_mut(col + k)? = (p + 2 * k, p + 2 * k + 1);
                    }
                    col += 4;
                    p += 8;
                    continue;
                }
            }
            match data.get(p).copied() {
                None => p,
                Some(b) if b == delimiter || is_line_break(b) => p,
                Some(d @ b'0'..=b'9')
                    if data
                        .get(p + 1)
                        .is_none_or(|&b| b == delimiter || is_line_break(b))
                        && responses
                            .set_value(code as usize, i64::from(d - b'0'))
                            .is_ok() =>
                {
                    p + 1
                }
                _ => return None,
            }
        };
        *slots.get_mut(col)? = (p, field_end);
        if col == last {
            return ends_record(field_end).then_some(field_end);
        }
        if ends_record(field_end) {
            return None;
        }
        p = field_end + 1;
        col += 1;
    }
    None
}

/// Whether bytes 0, 2, 4 and 6 of `word` are ASCII digits: in each 16-bit lane, adding 0x50
/// sets bit 7 exactly when the byte is at least `0`, adding 0x46 sets bit 7 or 8 exactly when
/// it is above `9` (no carry leaves a lane).
#[inline]
fn four_digits(word: u64) -> bool {
    let x = word & 0x00FF_00FF_00FF_00FF;
    let at_least_0 = (x + 0x0050_0050_0050_0050) & 0x0080_0080_0080_0080;
    let above_9 = (x + 0x0046_0046_0046_0046) & 0x0180_0180_0180_0180;
    at_least_0 == 0x0080_0080_0080_0080 && above_9 == 0
}

/// Reads one record's answer cells into `responses`. An invalid cell is returned as
/// (column, problem) under `InvalidPolicy::Error`, or listed in `invalid` otherwise.
#[expect(
    clippy::too_many_arguments,
    reason = "the loop every cell of every row goes through: no struct to build per row"
)]
#[inline]
fn fill_row(
    instrument: &Instrument,
    roles: &[ColumnRole],
    codes: &[u32],
    data: &[u8],
    fields: &Fields,
    policy: InvalidPolicy,
    responses: &mut Responses,
    invalid: &mut Vec<usize>,
) -> Result<(), (usize, String)> {
    responses.clear();
    invalid.clear();
    let source = fields.source(data);
    for (col, (&code, &(start, end))) in codes.iter().zip(fields.ranges()).enumerate() {
        if code == PASS {
            continue;
        }
        let cell = source.get(start..end).unwrap_or_default();
        // One digit within the scale: the common case, set at once.
        if let [d @ b'0'..=b'9'] = cell
            && code < CHOICE
            && responses
                .set_value(code as usize, i64::from(d - b'0'))
                .is_ok()
        {
            continue;
        }
        let role = roles.get(col).copied().unwrap_or(ColumnRole::PassThrough);
        read_cell_slowly(instrument, role, col, cell, policy, responses, invalid)
            .map_err(|p| (col, p))?;
    }
    Ok(())
}

/// Reads the cell of column `col` (whose role is `role`) into `responses`: any cell but the
/// common one digit within the scale, which the callers set themselves. An invalid cell is
/// the problem under `InvalidPolicy::Error`, or listed in `invalid` otherwise.
#[inline(never)]
fn read_cell_slowly(
    instrument: &Instrument,
    role: ColumnRole,
    col: usize,
    cell: &[u8],
    policy: InvalidPolicy,
    responses: &mut Responses,
    invalid: &mut Vec<usize>,
) -> Result<(), String> {
    let (min, max) = (instrument.response.min, instrument.response.max);
    let problem = match role {
        ColumnRole::PassThrough => return Ok(()),
        ColumnRole::Item { slot } => match parse_cell(cell) {
            CellValue::Missing => return Ok(()),
            CellValue::Number(v) => match responses.set_value(slot, v) {
                Ok(()) => return Ok(()),
                Err(_) => format!("is outside {min}-{max}"),
            },
            CellValue::NotANumber => format!(
                "is not a whole number from {min} to {max} (leave empty, NA or . for a missing answer)"
            ),
        },
        ColumnRole::Choice => {
            let Some(choice) = &instrument.choice else {
                return Ok(());
            };
            if matches!(parse_cell(cell), CellValue::Missing) {
                return Ok(());
            }
            let text = String::from_utf8_lossy(cell);
            if let Some(o) = choice.option_index(text.trim()) {
                // The option exists, so setting it cannot fail.
                let _ = responses.set_choice(Some(o));
                return Ok(());
            }
            let values: Vec<&str> = choice.options.iter().map(|(v, _)| v.as_str()).collect();
            format!("is not one of {}", values.join(", "))
        }
    };
    match policy {
        InvalidPolicy::Error => Err(problem),
        InvalidPolicy::Missing => {
            invalid.push(col);
            Ok(())
        }
    }
}

/// "in.csv: line 7, column q7: "8" is outside 1-7", with a long cell quoted by its start.
fn cell_error(
    input_name: &str,
    line: u64,
    columns: &ColumnMap,
    col: usize,
    cell: &[u8],
    problem: &str,
) -> String {
    let written = columns.names[col].trim();
    let canonical = &columns.canonical[col];
    let column = if written == canonical {
        canonical.clone()
    } else {
        format!("{} ({canonical})", shortened(written))
    };
    format!(
        "{input_name}: line {line}, column {column}: {} {problem}",
        quoted(cell)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;
    use crate::cli::Delimiter;
    use crate::cli::score::chunks::{ChunkReader, run_here};
    use crate::cli::score::header::read_header;
    use proptest::prelude::*;
    use std::fmt::Write as _;

    /// What reading `input` as RFQ-8 answers gives: every row's answers and pass-through
    /// cells, then the error if any.
    fn read(input: &[u8], one_pass: bool, policy: InvalidPolicy) -> (Vec<String>, String) {
        let catalog = Catalog::bundled();
        let instrument = catalog.get("rfq-8").unwrap();
        let mut source = input;
        let header = read_header(&mut source, Delimiter::Byte(b','), "in.csv").unwrap();
        let names: Vec<&[u8]> = header.names.iter().map(Vec::as_slice).collect();
        let columns = ColumnMap::new(instrument, &names, false, false).unwrap();
        let ctx = ReadContext {
            instrument,
            columns: &columns,
            policy,
            input_name: "in.csv",
            delimiter: b',',
        };
        let mut rows = RowReader::new(&ctx);
        rows.one_pass = one_pass;
        let mut out = Vec::new();
        let reader = ChunkReader::with_chunk_bytes(source, &header, 64);
        let result = run_here(reader, "in.csv", |chunk| {
            rows.read_rows(chunk, |row| {
                let cells: Vec<String> = columns
                    .pass_through
                    .iter()
                    .map(|&i| {
                        String::from_utf8_lossy(row.fields.get(row.data, i).unwrap()).into_owned()
                    })
                    .collect();
                out.push(format!(
                    "{:?} {cells:?} {:?}",
                    row.responses.answers(),
                    row.invalid
                ));
                Ok(())
            })
        });
        (
            out,
            result.err().map(|e| format!("{e:#}")).unwrap_or_default(),
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1000))]

        /// The one-pass path reads exactly what the general one reads: the same answers, the
        /// same cells, the same first error, whatever the rows hold.
        #[test]
        fn one_pass_reads_as_the_general_path(
            rows in proptest::collection::vec(
                (
                    proptest::collection::vec(
                        prop_oneof![
                            12 => Just("4"), 3 => Just(""), 1 => Just("8"), 1 => Just("0"),
                            1 => Just("NA"), 1 => Just(" 5"), 1 => Just("3.0"), 1 => Just("x"),
                            1 => Just("12"), 1 => Just("a;b"), 1 => Just("\"2\""),
                        ],
                        8..11,
                    ),
                    prop_oneof![Just("\n"), Just("\r\n"), Just("\r"), Just("\n\n"), Just("\n  \n")],
                ),
                0..12,
            ),
            missing in any::<bool>(),
        ) {
            // Rows of id + 8 items + note, most of them whole; some ragged, as hostile files are.
            let mut input = String::from("id,q1,q2,q3,q4,q5,q6,q7,q8,note\n");
            for (k, (cells, ending)) in rows.iter().enumerate() {
                let _ = write!(input, "r{k},");
                input.push_str(&cells.join(","));
                input.push_str(ending);
            }
            let policy = if missing { InvalidPolicy::Missing } else { InvalidPolicy::Error };
            prop_assert_eq!(read(input.as_bytes(), true, policy), read(input.as_bytes(), false, policy));
        }
    }

    #[test]
    fn four_digits_in_a_word() {
        for b in 0..=255u8 {
            let word = u64::from_le_bytes([b'1', b',', b, b',', b'7', b',', b'0', b',']);
            assert_eq!(four_digits(word), b.is_ascii_digit(), "byte {b}");
        }
    }

    #[test]
    fn one_pass_and_general_agree_on_plain_rows() {
        let input = b"id,q1,q2,q3,q4,q5,q6,q7,q8,note\nr1,1,2,,4,5,6,7,,x\n\n  \nr2,7,7,7,7,7,7,7,7,\nr3,1,8,3,4,5,6,7,1,y";
        for policy in [InvalidPolicy::Error, InvalidPolicy::Missing] {
            let general = read(input, false, policy);
            assert_eq!(read(input, true, policy), general);
            assert_eq!(
                general.0.len(),
                if policy == InvalidPolicy::Error { 2 } else { 3 }
            );
        }
        assert!(
            read(input, true, InvalidPolicy::Error)
                .1
                .contains("in.csv: line 6, column q2: \"8\" is outside 1-7")
        );
    }
}
