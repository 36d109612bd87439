//! The writing half of `securebase score`: scored rows as CSV or JSON bytes.
//!
//! Each worker formats its chunk's rows into a buffer of its own; the buffers are written in
//! input order. CSV is written exactly as the `csv` crate writes it (comma-separated, `\n`
//! line ends, a field quoted when it holds a comma, a quote, `\r` or `\n`, quotes doubled),
//! and scores in Rust's shortest form that reads back to the same number (`Display` of
//! `f64`), remembered per value: a scale mean takes few distinct values, so most are copied,
//! not formatted.

use std::io::Write as _;

use super::columns::ColumnMap;
use super::reader::{Row, RowProblem};
use super::records::{ONES, word_at, zero_bytes};
use crate::cli::Format;
use crate::core::ScoreReport;
use crate::core::instrument::Instrument;

/// Formats scored rows.
pub struct RowWriter<'a> {
    instrument: &'a Instrument,
    columns: &'a ColumnMap,
    format: Format,
    /// Whether the descriptive category is written (`--category`, instruments that have one).
    with_category: bool,
    /// The flags of the row being written.
    flags: String,
    numbers: NumberCache,
    /// JSON: each pass-through column's key, `"name":`, and each score's.
    json_keys: Vec<Vec<u8>>,
    json_score_keys: Vec<Vec<u8>>,
}

impl<'a> RowWriter<'a> {
    /// A writer of `format` rows for `instrument`, whose input has `columns`.
    pub fn new(
        instrument: &'a Instrument,
        columns: &'a ColumnMap,
        format: Format,
        category: bool,
    ) -> Self {
        let key = |name: &str| {
            let mut k = serde_json::to_vec(name).unwrap_or_default();
            k.push(b':');
            k
        };
        let (json_keys, json_score_keys) = if format == Format::Json {
            (
                columns
                    .pass_through
                    .iter()
                    .map(|&i| key(&columns.names[i]))
                    .collect(),
                instrument.scores.iter().map(|s| key(&s.id)).collect(),
            )
        } else {
            (Vec::new(), Vec::new())
        };
        Self {
            instrument,
            columns,
            format,
            with_category: category && instrument.category.is_some(),
            flags: String::with_capacity(64),
            numbers: NumberCache::new(),
            json_keys,
            json_score_keys,
        }
    }

    /// What comes before the rows: the CSV header row, or JSON's `[`.
    pub fn start(&self, out: &mut Vec<u8>) {
        match self.format {
            Format::Csv => {
                let mut fields: Vec<&[u8]> = Vec::new();
                for &i in &self.columns.pass_through {
                    fields.push(&self.columns.raw_names[i]);
                }
                for s in &self.instrument.scores {
                    fields.push(s.id.as_bytes());
                }
                if self.with_category {
                    fields.push(b"category");
                }
                fields.extend([&b"n_missing"[..], b"flags"]);
                for (k, field) in fields.iter().enumerate() {
                    if k > 0 {
                        out.push(b',');
                    }
                    csv_field(out, field);
                }
                out.push(b'\n');
            }
            Format::Json => out.push(b'['),
        }
    }

    /// What comes after the rows; `any_rows` says whether there were any.
    pub fn end(&self, any_rows: bool, out: &mut Vec<u8>) {
        if self.format == Format::Json {
            out.extend_from_slice(if any_rows { b"\n]\n" } else { b"]\n" });
        }
    }

    /// Appends one scored row. A JSON row starts with `,` (the caller drops the first row's);
    /// a cell JSON cannot hold is refused, with nothing appended.
    pub fn row(
        &mut self,
        out: &mut Vec<u8>,
        row: &Row<'_>,
        report: &ScoreReport,
    ) -> Result<(), RowProblem> {
        let (instrument, columns) = (self.instrument, self.columns);
        self.flags.clear();
        for (k, &col) in row.invalid.iter().enumerate() {
            if k > 0 {
                self.flags.push(';');
            }
            self.flags.push_str("invalid:");
            self.flags.push_str(&columns.canonical[col]);
        }
        for flag in &report.flags {
            if !self.flags.is_empty() {
                self.flags.push(';');
            }
            self.flags.push_str(&flag.code(instrument));
        }
        let category = report
            .category
            .and_then(|c| instrument.category.as_ref()?.options.get(c.option_idx))
            .map(|o| o.label.as_str());
        let cell = |i: usize| row.fields.get(row.data, i).unwrap_or_default();

        match self.format {
            Format::Csv => {
                for &i in &columns.pass_through {
                    csv_field(out, cell(i));
                    out.push(b',');
                }
                for s in &report.scores {
                    if let Some(v) = s.value {
                        self.numbers.write(out, v);
                    }
                    out.push(b',');
                }
                if self.with_category {
                    csv_field(out, category.unwrap_or("").as_bytes());
                    out.push(b',');
                }
                write_count(out, report.n_missing);
                out.push(b',');
                csv_field(out, self.flags.as_bytes());
                out.push(b'\n');
            }
            Format::Json => {
                let start = out.len();
                out.extend_from_slice(b",\n{");
                for (&i, key) in columns.pass_through.iter().zip(&self.json_keys) {
                    let Ok(value) = std::str::from_utf8(cell(i)) else {
                        out.truncate(start);
                        return Err(RowProblem::NotUtf8 { col: i });
                    };
                    out.extend_from_slice(key);
                    json(out, value);
                    out.push(b',');
                }
                out.extend_from_slice(b"\"scores\":{");
                for (k, (key, s)) in self.json_score_keys.iter().zip(&report.scores).enumerate() {
                    if k > 0 {
                        out.push(b',');
                    }
                    out.extend_from_slice(key);
                    json(out, &s.value);
                }
                out.push(b'}');
                if self.with_category {
                    out.extend_from_slice(b",\"category\":");
                    json(out, &category);
                }
                out.extend_from_slice(b",\"n_missing\":");
                write_count(out, report.n_missing);
                out.extend_from_slice(b",\"flags\":[");
                for (k, code) in self.flags.split(';').filter(|c| !c.is_empty()).enumerate() {
                    if k > 0 {
                        out.push(b',');
                    }
                    json(out, code);
                }
                out.extend_from_slice(b"]}");
            }
        }
        Ok(())
    }
}

/// Appends `value` as JSON (`serde_json`'s form: the contract of JSON output).
fn json(out: &mut Vec<u8>, value: &(impl serde::Serialize + ?Sized)) {
    // Writing strings and numbers into a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, value);
}

/// Appends one CSV field, quoted when it must be.
#[inline]
fn csv_field(out: &mut Vec<u8>, field: &[u8]) {
    if needs_quotes(field) {
        out.push(b'"');
        for &b in field {
            if b == b'"' {
                out.push(b'"');
            }
            out.push(b);
        }
        out.push(b'"');
    } else {
        out.extend_from_slice(field);
    }
}

/// Whether `field` holds a comma, a quote, `\r` or `\n`: eight bytes at a time (the last
/// word padded with zeros, which are none of them).
#[inline]
fn needs_quotes(field: &[u8]) -> bool {
    let mut at = 0;
    while at < field.len() {
        let word = word_at(field, at);
        if zero_bytes(word ^ (ONES * u64::from(b',')))
            | zero_bytes(word ^ (ONES * u64::from(b'"')))
            | zero_bytes(word ^ (ONES * u64::from(b'\r')))
            | zero_bytes(word ^ (ONES * u64::from(b'\n')))
            != 0
        {
            return true;
        }
        at += 8;
    }
    false
}

/// Appends `n` in decimal.
fn write_count(out: &mut Vec<u8>, n: usize) {
    if n < 10 {
        out.push(b'0' + u8::try_from(n).unwrap_or(0));
    } else {
        let _ = write!(out, "{n}");
    }
}

/// The formatted forms of recently written numbers, by their bits: a direct-mapped table.
struct NumberCache {
    slots: Vec<Slot>,
}

#[derive(Clone, Copy)]
struct Slot {
    bits: u64,
    /// 0 for an empty slot (no number formats to nothing).
    len: u8,
    text: [u8; Slot::MAX],
}

impl Slot {
    /// Longer forms (huge or tiny numbers, written out in full) are not kept.
    const MAX: usize = 24;
}

const CACHE_BITS: u32 = 12;

impl NumberCache {
    fn new() -> Self {
        Self {
            slots: vec![
                Slot {
                    bits: 0,
                    len: 0,
                    text: [0; Slot::MAX],
                };
                1 << CACHE_BITS
            ],
        }
    }

    /// Appends `v` as `Display` writes it: Rust's shortest form that reads back to `v`. (ryu
    /// is faster but breaks ties between two shortest forms differently; the contract is
    /// Rust's form, and the cache keeps it exactly, byte for byte.)
    #[inline]
    fn write(&mut self, out: &mut Vec<u8>, v: f64) {
        let bits = v.to_bits();
        let index = usize::try_from(bits.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - CACHE_BITS))
            .unwrap_or(0);
        let Some(slot) = self.slots.get_mut(index) else {
            let _ = write!(out, "{v}");
            return;
        };
        if slot.len > 0 && slot.bits == bits {
            // The whole slot (a fixed-size copy, no call), then back to the text's end.
            let end = out.len() + usize::from(slot.len);
            out.extend_from_slice(&slot.text);
            out.truncate(end);
            return;
        }
        let start = out.len();
        let _ = write!(out, "{v}");
        let text = &out[start..];
        if let Ok(len) = u8::try_from(text.len())
            && text.len() <= Slot::MAX
        {
            slot.bits = bits;
            slot.len = len;
            slot.text[..text.len()].copy_from_slice(text);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fmt::Write as _;

    /// The cache writes what `Display` writes, for edge values and for every mean a scale of
    /// up to 40 items on a 1-101 scale can take.
    #[test]
    fn numbers_as_display_writes_them() {
        let mut cache = NumberCache::new();
        let mut values = vec![
            0.0,
            -0.0,
            1.0,
            0.1,
            1e-7,
            1e16,
            1e21,
            1e300,
            f64::MIN_POSITIVE,
            5e-324,
            f64::MAX,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            2.0 / 3.0,
            4.722_222_222_222_222,
        ];
        for n in 1..=40u32 {
            for sum in n..=101 * n {
                values.push(f64::from(sum) / f64::from(n));
            }
        }
        for round in 0..2 {
            let mut out = Vec::new();
            let mut want = String::new();
            for &v in &values {
                cache.write(&mut out, v);
                out.push(b' ');
                let _ = write!(want, "{v} ");
            }
            assert_eq!(String::from_utf8(out).unwrap(), want, "round {round}");
        }
    }

    #[test]
    fn csv_fields_quoted_as_the_csv_crate_quotes_them() {
        let fields: [&[u8]; 10] = [
            b"sixteen bytes ok",
            b"fifteen bytes,x",
            b"\x00\xff\"",
            b"plain",
            b"a,b",
            b"say \"hi\"",
            b"two\nlines",
            b"cr\r",
            b"",
            b" x ",
        ];
        let mut ours = Vec::new();
        for (k, f) in fields.iter().enumerate() {
            if k > 0 {
                ours.push(b',');
            }
            csv_field(&mut ours, f);
        }
        ours.push(b'\n');
        let mut theirs = csv::Writer::from_writer(Vec::new());
        theirs.write_record(fields).unwrap();
        assert_eq!(ours, theirs.into_inner().unwrap());
    }
}
