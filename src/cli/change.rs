//! `securebase change`: every pair a client's results pages show — each completed
//! administration against the one before and, from the third on, against the intake — per
//! score, with both values, the reliable change index, its verdict in the score's good
//! direction, and the figures used or why there are none. For scripts and research; the
//! arithmetic is the core's (`core::change`) with the app's figures (`results::clinic_figures`).

use std::io::Write;

use anyhow::{Context, Result};
use serde_json::{Value, json};

use super::data_folder::{open_unlocked, user, warn_failures};
use super::{BadInput, ChangeArgs, HistoryFormat};
use crate::catalog::Catalog;
use crate::core::change::change;
use crate::core::{ScoreReport, score};
use crate::results::{clinic_figures, day};
use crate::store::settings::Settings;
use crate::store::{Administration, AuditAction, AuditTarget, Status};

/// The columns, in order (the JSON rows have the same keys).
const COLUMNS: [&str; 17] = [
    "instrument",
    "administration",
    "date",
    "compared_with",
    "since_administration",
    "since_date",
    "score",
    "better",
    "before",
    "after",
    "difference",
    "rci",
    "verdict",
    "reliability",
    "sd",
    "figures_source",
    "not_computable",
];

/// `securebase change`.
pub fn run(dir: &std::path::Path, catalog: &Catalog, args: &ChangeArgs) -> Result<()> {
    if let Some(id) = &args.instrument
        && catalog.get(id).is_none()
    {
        return Err(BadInput(format!(
            "unknown instrument {id:?}; loaded: {}",
            catalog.ids().join(", ")
        ))
        .into());
    }
    let (store, keys) = open_unlocked(dir)?;
    let client = store.find_client(&keys, &args.client).map_err(user)?;
    let loaded = store.administrations(&keys, &client.id).map_err(user)?;
    warn_failures(&loaded);
    let settings = Settings::load(dir).unwrap_or_else(|e| {
        eprintln!("securebase: warning: the default settings are used: {e}");
        Settings::default()
    });
    let local = store.local_norms(&keys).unwrap_or_else(|e| {
        eprintln!("securebase: warning: the clinic's own figures are not used: {e}");
        None
    });
    store
        .audit(AuditAction::Open, AuditTarget::Client(&client.id), "change")
        .map_err(user)?;
    let mut rows = Vec::new();
    for instrument in &catalog.instruments {
        if args
            .instrument
            .as_ref()
            .is_some_and(|id| !instrument.id.eq_ignore_ascii_case(id))
        {
            continue;
        }
        let mut done: Vec<(&Administration, ScoreReport)> = loaded
            .records
            .iter()
            .filter(|a| a.instrument_id == instrument.id && a.status == Status::Completed)
            .filter_map(|a| Some((a, score(instrument, &a.responses(instrument).ok()?))))
            .collect();
        done.sort_by(|(a, _), (b, _)| a.course_key().cmp(&b.course_key()));
        let clinic = clinic_figures(instrument, &settings, local.as_ref());
        for j in 1..done.len() {
            let mut pairs = vec![("previous", j - 1)];
            if j >= 2 {
                pairs.push(("intake", 0));
            }
            let (now, now_report) = &done[j];
            for (what, i) in pairs {
                let (then, then_report) = &done[i];
                for c in change(instrument, then_report, now_report, &clinic) {
                    let def = &instrument.scores[c.score_idx];
                    rows.push(json!({
                        "instrument": instrument.id,
                        "administration": now.id,
                        "date": day(now.given_on()),
                        "compared_with": what,
                        "since_administration": then.id,
                        "since_date": day(then.given_on()),
                        "score": c.score_id,
                        "better": def.better.name(),
                        "before": c.before,
                        "after": c.after,
                        "difference": c.difference,
                        "rci": c.rci,
                        "verdict": c.verdict.map(crate::core::change::Verdict::label),
                        "reliability": c.figures.as_ref().map(|(f, _)| f.reliability),
                        "sd": c.figures.as_ref().map(|(f, _)| f.sd),
                        "figures_source": c.figures.as_ref().map(|(f, from)| format!("{} ({})", f.source, from.label())),
                        "not_computable": c.not_computable.as_ref().map(ToString::to_string),
                    }));
                }
            }
        }
    }
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    match args.format {
        HistoryFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &Value::Array(rows))?;
            writeln!(out)?;
        }
        HistoryFormat::Csv => {
            let mut w = csv::Writer::from_writer(&mut out);
            w.write_record(COLUMNS)?;
            for row in &rows {
                w.write_record(COLUMNS.map(|c| match &row[c] {
                    Value::Null => String::new(),
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                }))?;
            }
            w.flush()?;
        }
    }
    out.flush().context("cannot write the changes")?;
    Ok(())
}
