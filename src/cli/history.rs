//! `securebase history`: a client's administrations, oldest first, with their scores computed
//! again from the answers, as CSV (one row each) or one JSON document.

use std::io::Write;

use anyhow::{Context, Result};

use super::data_folder::{open_unlocked, user, warn_failures};
use super::{HistoryArgs, HistoryFormat};
use crate::catalog::Catalog;
use crate::core::score;
use crate::store::{Administration, AuditAction, AuditTarget, Client};

/// `securebase history`.
pub fn run(dir: &std::path::Path, catalog: &Catalog, args: &HistoryArgs) -> Result<()> {
    let (store, keys) = open_unlocked(dir)?;
    let client = store.find_client(&keys, &args.client).map_err(user)?;
    let loaded = store.administrations(&keys, &client.id).map_err(user)?;
    warn_failures(&loaded);
    store
        .audit(
            AuditAction::Open,
            AuditTarget::Client(&client.id),
            "history",
        )
        .map_err(user)?;
    let rows: Vec<HistoryRow> = loaded
        .records
        .iter()
        .map(|a| HistoryRow::new(catalog, a))
        .collect();
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    match args.format {
        HistoryFormat::Csv => write_history_csv(&mut out, &rows)?,
        HistoryFormat::Json => write_history_json(&mut out, &client, &rows)?,
    }
    out.flush().context("cannot write the history")?;
    Ok(())
}

/// One administration with its recomputed scores.
struct HistoryRow<'a> {
    administration: &'a Administration,
    /// (score id, value, answered, items) per score.
    scores: Vec<(String, Option<f64>, usize, usize)>,
    n_missing: Option<usize>,
    flags: Vec<String>,
}

impl<'a> HistoryRow<'a> {
    fn new(catalog: &Catalog, administration: &'a Administration) -> Self {
        let mut row = HistoryRow {
            administration,
            scores: Vec::new(),
            n_missing: None,
            flags: Vec::new(),
        };
        let Some(instrument) = catalog.get(&administration.instrument_id) else {
            row.flags.push("instrument_not_loaded".to_owned());
            return row;
        };
        if instrument.version != administration.instrument_version {
            row.flags
                .push(format!("scored_with_version:{}", instrument.version));
        }
        match administration.responses(instrument) {
            Ok(responses) => {
                let report = score(instrument, &responses);
                row.n_missing = Some(report.n_missing);
                row.scores = instrument
                    .scores
                    .iter()
                    .zip(&report.scores)
                    .map(|(d, s)| (d.id.clone(), s.value, s.n_answered, s.n_items))
                    .collect();
                row.flags
                    .extend(report.flags.iter().map(|f| f.code(instrument)));
            }
            Err(e) => row.flags.push(format!("unreadable_answers: {e}")),
        }
        row
    }
}

/// One row per administration, oldest first: its facts, then one column per score id (the
/// union over the instruments present, in order of first appearance; a score of another
/// instrument is empty), then `n_missing` and `flags`, as `securebase score` writes them.
fn write_history_csv(out: &mut impl Write, rows: &[HistoryRow<'_>]) -> Result<()> {
    let mut score_ids: Vec<&str> = Vec::new();
    for row in rows {
        for (id, ..) in &row.scores {
            if !score_ids.contains(&id.as_str()) {
                score_ids.push(id);
            }
        }
    }
    let mut csv = csv::Writer::from_writer(out);
    let fixed_header = [
        "administration",
        "instrument",
        "instrument_version",
        "status",
        "source",
        "mode",
        "date",
        "started",
        "finished",
    ];
    csv.write_record(
        fixed_header
            .iter()
            .copied()
            .chain(score_ids.iter().copied())
            .chain(["n_missing", "flags"]),
    )?;
    for row in rows {
        let a = row.administration;
        let mut record = vec![
            a.id.clone(),
            a.instrument_id.clone(),
            a.instrument_version.clone(),
            a.status.as_str().to_owned(),
            a.source.code().to_owned(),
            a.source.label().to_owned(),
            a.given_on().to_string(),
            a.started.to_string(),
            a.finished.map(|f| f.to_string()).unwrap_or_default(),
        ];
        for id in &score_ids {
            let value = row
                .scores
                .iter()
                .find(|(score, ..)| score == id)
                .and_then(|(_, value, ..)| *value);
            record.push(value.map(|v| v.to_string()).unwrap_or_default());
        }
        record.push(row.n_missing.map(|n| n.to_string()).unwrap_or_default());
        record.push(row.flags.join(";"));
        csv.write_record(&record)?;
    }
    csv.flush()?;
    Ok(())
}

fn write_history_json(
    out: &mut impl Write,
    client: &Client,
    rows: &[HistoryRow<'_>],
) -> Result<()> {
    let administrations: Vec<serde_json::Value> = rows
        .iter()
        .map(|row| {
            let a = row.administration;
            let scores: serde_json::Map<String, serde_json::Value> = row
                .scores
                .iter()
                .map(|(id, value, _, _)| (id.clone(), serde_json::json!(value)))
                .collect();
            serde_json::json!({
                "administration": a.id,
                "instrument": a.instrument_id,
                "instrument_version": a.instrument_version,
                "status": a.status.as_str(),
                "source": a.source.code(),
                "mode": a.source.label(),
                "date": a.given_on().to_string(),
                "started": a.started.to_string(),
                "finished": a.finished.map(|f| f.to_string()),
                "n_missing": row.n_missing,
                "scores": scores,
                "flags": row.flags,
            })
        })
        .collect();
    let doc = serde_json::json!({
        "client": { "id": client.id, "name": client.name },
        "administrations": administrations,
    });
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)?;
    Ok(())
}
