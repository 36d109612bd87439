//! `securebase reliability`: the clinic's own psychometrics per scale (n, Cronbach's α with its
//! 95 % Feldt interval, corrected item-total correlations, mean, SD), from a CSV in `score`'s
//! input format or from the data folder's intakes. The arithmetic is the core's
//! (`core::reliability`); this file reads the rows and writes the figures in full precision.

use std::fs::File;
use std::io::{self, Read, Write};
use std::path::Path;

use anyhow::{Context, Result};
use serde_json::{Value, json};

use super::data_folder::{open_unlocked, user, warn_each};
use super::{BadInput, HistoryFormat, ReliabilityArgs, bad_input, score};
use crate::catalog::Catalog;
use crate::core::Responses;
use crate::core::instrument::Instrument;
use crate::core::reliability::{ScaleReliability, reliability};

/// Runs `securebase reliability`; `data_dir` is the data folder when there is no `--input`.
pub fn run(catalog: &Catalog, args: &ReliabilityArgs, data_dir: Option<&Path>) -> Result<()> {
    let Some(instrument) = catalog.get(&args.instrument) else {
        return bad_input(format!(
            "unknown instrument {:?}; loaded: {}",
            args.instrument,
            catalog.ids().join(", ")
        ));
    };
    let rows = match (&args.input, data_dir) {
        (Some(path), _) => from_csv(instrument, path)?,
        (None, Some(dir)) => from_data_folder(instrument, dir)?,
        (None, None) => return bad_input("give --input FILE, or a data folder"),
    };
    let refs: Vec<&Responses> = rows.iter().collect();
    let scales = reliability(instrument, &refs);
    let mut out = io::stdout().lock();
    match args.format {
        HistoryFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &as_json(instrument, &scales))?;
            writeln!(out)?;
        }
        HistoryFormat::Csv => write_csv(&mut out, &scales)?,
    }
    out.flush().context("cannot write to standard output")
}

/// The rows of a CSV file (or standard input for `-`).
fn from_csv(instrument: &Instrument, path: &Path) -> Result<Vec<Responses>> {
    if path.as_os_str() == "-" {
        return score::read_all(instrument, io::stdin(), "standard input");
    }
    if path.is_dir() {
        return bad_input(format!("{} is a folder; give the CSV file", path.display()));
    }
    let file: Box<dyn Read + Send> = Box::new(
        File::open(path)
            .map_err(|e| BadInput(format!("cannot open input {}: {e}", path.display())))?,
    );
    score::read_all(instrument, file, &path.display().to_string())
}

/// Each client's intake of `instrument` (their first completed administration, the rule of
/// local norms) from the data folder. Records that cannot be read are named on stderr and
/// left out.
fn from_data_folder(instrument: &Instrument, dir: &Path) -> Result<Vec<Responses>> {
    let (store, keys) = open_unlocked(dir)?;
    let clients = store.clients(&keys).map_err(user)?;
    warn_each(&clients.failures);
    let mut all = Vec::new();
    for client in &clients.records {
        let loaded = store.administrations(&keys, &client.id).map_err(user)?;
        warn_each(&loaded.failures);
        all.extend(
            loaded
                .records
                .into_iter()
                .filter(|a| a.instrument_id == instrument.id),
        );
    }
    let usable = all.iter().filter_map(|a| match a.responses(instrument) {
        Ok(r) => Some((a, r)),
        Err(e) => {
            eprintln!("securebase: warning: administration {} left out: {e}", a.id);
            None
        }
    });
    Ok(crate::results::local_norms::intakes(usable)
        .into_iter()
        .map(|(_, r)| r)
        .collect())
}

/// `{"instrument": ID, "scales": [{"id", "n", "alpha", "alpha_ci": [low, high], "mean",
/// "sd", "items": [{"item", "r_drop"}]}]}`, numbers in full precision, `null` where a figure
/// cannot be computed.
fn as_json(instrument: &Instrument, scales: &[ScaleReliability]) -> Value {
    json!({
        "instrument": instrument.id,
        "scales": scales.iter().map(|s| json!({
            "id": s.id,
            "n": s.n,
            "alpha": s.alpha,
            "alpha_ci": s.alpha_ci.map(|(low, high)| [low, high]),
            "mean": s.mean,
            "sd": s.sd,
            "items": s.items.iter().map(|i| json!({
                "item": i.item,
                "r_drop": i.r_drop,
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })
}

/// One row per item of each scale, the scale's figures repeated on each: a tidy table for R
/// or a spreadsheet. Empty cells where a figure cannot be computed.
fn write_csv(out: &mut impl Write, scales: &[ScaleReliability]) -> Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record([
        "scale",
        "n",
        "alpha",
        "alpha_ci_low",
        "alpha_ci_high",
        "mean",
        "sd",
        "item",
        "column",
        "r_drop",
    ])?;
    let cell = |v: Option<f64>| v.map_or(String::new(), |v| v.to_string());
    for s in scales {
        for i in &s.items {
            w.write_record([
                s.id.clone(),
                s.n.to_string(),
                cell(s.alpha),
                cell(s.alpha_ci.map(|c| c.0)),
                cell(s.alpha_ci.map(|c| c.1)),
                cell(s.mean),
                cell(s.sd),
                i.item.to_string(),
                i.column.clone(),
                cell(i.r_drop),
            ])?;
        }
    }
    w.flush()?;
    Ok(())
}
