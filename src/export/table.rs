//! Research tables: one row per administration, with its item answers and scores, as CSV or
//! JSON.
//!
//! CSV columns, in order: `client_id`, `client_name` (only when names are asked for),
//! `administration_id`, `instrument`, `instrument_version`, `status`, `source`, `started`,
//! `finished` (RFC 3339, UTC), `choice` (the RQ's forced choice), `n_missing`, `declined`
//! (the table's item columns answered "prefer not to answer", `ecr_r_q5`, space-separated),
//! `flags` (codes as in
//! `securebase score`), then for each instrument present, in catalog order, its item columns
//! and its score columns, each prefixed with the instrument id in snake case (`ecr_r_q1`,
//! `ecr_r_anxiety`); a row leaves other instruments' columns empty. Answers are the numbers
//! given, empty when not given or declined; scores are exact (shortest round-trip form), empty
//! when not computed. JSON is an array of one object per administration with the same facts,
//! answers as `{"q1": 5, "q2": "declined"}` (not reached: absent) and scores as
//! `{"anxiety": 3.5, "avoidance": null}`.

use serde_json::{Map, Value, json};

use super::{ClientData, ExportError, Scored};
use crate::catalog::Catalog;
use crate::core::instrument::Instrument;

/// Instruments present in `data`, in catalog order. An administration of an instrument that is
/// not loaded keeps its row with the fixed columns only (its answers cannot be named).
fn instruments_in<'a>(catalog: &'a Catalog, data: &'a [ClientData]) -> Vec<&'a Instrument> {
    let mut present: Vec<&Instrument> = catalog
        .instruments
        .iter()
        .filter(|i| {
            data.iter()
                .flat_map(|c| &c.administrations)
                .any(|s| s.administration.instrument_id == i.id)
        })
        .collect();
    present.dedup_by(|a, b| a.id == b.id);
    present
}

/// `ecr-r` → `ecr_r`: a prefix that statistics packages accept in a column name.
fn prefix(instrument_id: &str) -> String {
    instrument_id
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

fn time(t: Option<jiff::Timestamp>) -> String {
    t.map(|t| t.to_string()).unwrap_or_default()
}

/// The flags' codes, then what a clinic marked: `not_applicable:partner` for a block that does
/// not apply and `based_on:global_anxiety:3_of_4_relationships` for a score averaged over the
/// blocks that do (the exports say what the page and the report say).
fn flags(s: &Scored) -> Vec<String> {
    let (Some(r), Some(i)) = (&s.report, &s.instrument) else {
        return Vec::new();
    };
    let mut codes: Vec<String> = r.flags.iter().map(|f| f.code(i)).collect();
    codes.extend(
        s.administration
            .not_applicable
            .iter()
            .map(|b| format!("not_applicable:{b}")),
    );
    for (def, score) in i.scores.iter().zip(&r.scores) {
        if let Some((used, total)) = crate::results::text::basis(def, score) {
            codes.push(format!(
                "based_on:{}:{used}_of_{total}_{}",
                def.id, i.blocks_noun
            ));
        }
    }
    codes
}

/// The declined items' columns, as named in the table (`ecr_r_q5`).
fn declined(s: &Scored) -> Vec<String> {
    let p = prefix(&s.administration.instrument_id);
    s.administration
        .answers
        .iter()
        .filter(|a| a.value.is_none())
        .map(|a| format!("{p}_{}", a.column))
        .collect()
}

/// The CSV table of `data`.
///
/// # Errors
/// When the CSV writer fails (it writes to memory, so hardly ever).
pub fn csv_bytes(
    catalog: &Catalog,
    data: &[ClientData],
    names: bool,
) -> Result<Vec<u8>, ExportError> {
    let instruments = instruments_in(catalog, data);
    let mut header: Vec<String> = ["client_id"].map(str::to_owned).to_vec();
    if names {
        header.push("client_name".to_owned());
    }
    header.extend(
        [
            "administration_id",
            "instrument",
            "instrument_version",
            "status",
            "source",
            "date",
            "started",
            "finished",
            "choice",
            "n_missing",
            "declined",
            "flags",
        ]
        .map(str::to_owned),
    );
    // Per instrument: where its columns start.
    let mut starts = Vec::new();
    for i in &instruments {
        starts.push(header.len());
        let p = prefix(&i.id);
        header.extend(i.slots.iter().map(|s| format!("{p}_{}", s.column)));
        header.extend(i.scores.iter().map(|s| format!("{p}_{}", s.id)));
    }
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record(&header).map_err(ExportError::Csv)?;
    for c in data {
        for s in &c.administrations {
            let a = &s.administration;
            let mut row = vec![String::new(); header.len()];
            let mut k = 0;
            let mut put = |v: String| {
                row[k] = v;
                k += 1;
            };
            put(c.client.id.clone());
            if names {
                put(c.client.name.clone());
            }
            put(a.id.clone());
            put(a.instrument_id.clone());
            put(a.instrument_version.clone());
            put(a.status.as_str().to_owned());
            put(a.source.code().to_owned());
            put(a.given_on().to_string());
            put(time(Some(a.started)));
            put(time(a.finished));
            put(a.choice.clone().unwrap_or_default());
            put(s
                .report
                .as_ref()
                .map(|r| r.n_missing.to_string())
                .unwrap_or_default());
            put(declined(s).join(" "));
            put(flags(s).join(" "));
            if let Some(pos) = instruments.iter().position(|i| i.id == a.instrument_id) {
                let i = instruments[pos];
                let start = starts[pos];
                for (j, slot) in i.slots.iter().enumerate() {
                    if let Some(v) = a
                        .answers
                        .iter()
                        .find(|x| x.column == slot.column)
                        .and_then(|x| x.value)
                    {
                        row[start + j] = v.to_string();
                    }
                }
                if let Some(r) = &s.report {
                    for (j, sc) in r.scores.iter().enumerate() {
                        if let Some(v) = sc.value {
                            row[start + i.slots.len() + j] = v.to_string();
                        }
                    }
                }
            }
            out.write_record(&row).map_err(ExportError::Csv)?;
        }
    }
    out.into_inner()
        .map_err(|e| ExportError::Csv(e.into_error().into()))
}

/// The JSON table of `data` (pretty-printed).
///
/// # Errors
/// When the JSON writer fails (it writes to memory, so hardly ever).
pub fn json_bytes(data: &[ClientData], names: bool) -> Result<Vec<u8>, ExportError> {
    let rows: Vec<Value> = data
        .iter()
        .flat_map(|c| c.administrations.iter().map(move |s| (c, s)))
        .map(|(c, s)| {
            let a = &s.administration;
            let mut row = Map::new();
            row.insert("client_id".into(), json!(c.client.id));
            if names {
                row.insert("client_name".into(), json!(c.client.name));
            }
            let answers: Map<String, Value> = match &s.instrument {
                // In the instrument's slot order, when it is loaded.
                Some(i) => i
                    .slots
                    .iter()
                    .filter_map(|slot| a.answers.iter().find(|x| x.column == slot.column))
                    .map(|x| {
                        (
                            x.column.clone(),
                            x.value.map_or(json!("declined"), |v| json!(v)),
                        )
                    })
                    .collect(),
                None => a
                    .answers
                    .iter()
                    .map(|x| {
                        (
                            x.column.clone(),
                            x.value.map_or(json!("declined"), |v| json!(v)),
                        )
                    })
                    .collect(),
            };
            let scores: Map<String, Value> = match (&s.instrument, &s.report) {
                (Some(i), Some(r)) => i
                    .scores
                    .iter()
                    .zip(&r.scores)
                    .map(|(d, v)| (d.id.clone(), json!(v.value)))
                    .collect(),
                _ => Map::new(),
            };
            row.insert("administration_id".into(), json!(a.id));
            row.insert("instrument".into(), json!(a.instrument_id));
            row.insert("instrument_version".into(), json!(a.instrument_version));
            row.insert("status".into(), json!(a.status.as_str()));
            row.insert("source".into(), json!(a.source.code()));
            row.insert("date".into(), json!(a.given_on().to_string()));
            row.insert("started".into(), json!(a.started.to_string()));
            row.insert("finished".into(), json!(a.finished.map(|t| t.to_string())));
            row.insert("choice".into(), json!(a.choice));
            row.insert(
                "n_missing".into(),
                json!(s.report.as_ref().map(|r| r.n_missing)),
            );
            row.insert("flags".into(), json!(flags(s)));
            row.insert("answers".into(), Value::Object(answers));
            row.insert("scores".into(), Value::Object(scores));
            Value::Object(row)
        })
        .collect();
    serde_json::to_vec_pretty(&rows).map_err(ExportError::Json)
}
