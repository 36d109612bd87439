//! The writing half of `securebase score`: scored rows out as CSV or JSON.

use std::fmt::Write as _;
use std::io::Write;

use anyhow::Result;

use super::columns::ColumnMap;
use crate::cli::{BadInput, Format};
use crate::core::ScoreReport;
use crate::core::instrument::Instrument;

/// Writes scored rows as CSV or JSON.
pub struct RowWriter<'a, W: Write> {
    instrument: &'a Instrument,
    columns: &'a ColumnMap,
    format: Format,
    /// Whether the descriptive category is written (`--category`, instruments that have one).
    with_category: bool,
    csv: Option<csv::Writer<&'a mut W>>,
    raw: Option<&'a mut W>,
    n_rows: u64,
    buf: String,
}

impl<'a, W: Write> RowWriter<'a, W> {
    pub fn new(
        instrument: &'a Instrument,
        columns: &'a ColumnMap,
        format: Format,
        category: bool,
        output: &'a mut W,
    ) -> Result<Self> {
        let with_category = category && instrument.category.is_some();
        let mut writer = Self {
            instrument,
            columns,
            format,
            with_category,
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
                    csv.write_field(&columns.raw_names[i])?;
                }
                for s in &instrument.scores {
                    csv.write_field(&s.id)?;
                }
                if with_category {
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

    pub fn write_row(
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
                        // Display of f64 is Rust's shortest form that reads back to the same
                        // f64. (ryu is faster but breaks ties between two shortest forms
                        // differently; the contract is Rust's form.)
                        let _ = write!(number, "{v}");
                    }
                    csv.write_field(&number)?;
                }
                if self.with_category {
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
                if self.with_category {
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

    pub fn finish(self) -> Result<()> {
        if let Some(mut csv) = self.csv {
            csv.flush()?;
        }
        if let Some(out) = self.raw {
            out.write_all(if self.n_rows == 0 { b"]\n" } else { b"\n]\n" })?;
        }
        Ok(())
    }
}
