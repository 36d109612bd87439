//! The commands over the data folder: `init`, `client`, `enter`, `history`, `audit`,
//! `change-passphrase`.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result};
use jiff::Timestamp;

use super::passphrase;
use super::{BadInput, ClientCommand, EnterArgs, HistoryArgs, HistoryFormat, bad_input};
use crate::catalog::Catalog;
use crate::core::instrument::Instrument;
use crate::core::{Answer, ScoreReport, score};
use crate::store::{
    self, Administration, AuditAction, AuditTarget, Client, Keys, Loaded, Source, Status, Store,
    StoreError,
};

/// Turns store errors into exit codes: the user's mistakes are [`BadInput`] (exit 2).
pub(super) fn user(e: StoreError) -> anyhow::Error {
    if e.is_user_error() {
        BadInput(e.to_string()).into()
    } else {
        anyhow::Error::new(e)
    }
}

/// Opens the store in `dir`.
fn open(dir: &std::path::Path) -> Result<Store> {
    Store::open(dir).map_err(user)
}

/// Opens and unlocks the store.
pub(super) fn open_unlocked(dir: &std::path::Path) -> Result<(Store, Keys)> {
    let store = open(dir)?;
    let pass = passphrase::ask("Passphrase: ")?;
    let keys = store.unlock(&pass).map_err(user)?;
    Ok((store, keys))
}

/// Reports files that could not be read, without stopping.
fn warn_failures<T>(loaded: &Loaded<T>) {
    for f in &loaded.failures {
        eprintln!("securebase: warning: skipped unreadable record: {f}");
    }
}

/// `securebase init`.
pub fn init(dir: &std::path::Path) -> Result<()> {
    if Store::is_initialised(dir) {
        return Err(user(StoreError::AlreadyInitialised(dir.to_path_buf())));
    }
    let pass = passphrase::ask_new(crate::env::PASSPHRASE)?;
    let (store, _keys) = Store::init(dir, &pass, passphrase::work_factor()?).map_err(user)?;
    println!("Data folder set up at {}", store.dir().display());
    println!(
        "Keep the passphrase safe: it cannot be recovered, and without it nobody can read the records."
    );
    Ok(())
}

/// `securebase client add|list`.
pub fn client(dir: &std::path::Path, command: &ClientCommand) -> Result<()> {
    match command {
        ClientCommand::Add {
            name,
            birth_year,
            notes,
        } => {
            let (store, keys) = open_unlocked(dir)?;
            let existing = store.clients(&keys).map_err(user)?;
            warn_failures(&existing);
            if let Some(same) = existing
                .records
                .iter()
                .find(|c| c.name.to_lowercase() == name.trim().to_lowercase())
            {
                return bad_input(format!(
                    "a client called {:?} already exists (id {}); choose another name",
                    same.name, same.id
                ));
            }
            let client = Client::new(
                store::new_id().map_err(user)?,
                name,
                *birth_year,
                notes.as_deref().unwrap_or(""),
                Timestamp::now(),
            )
            .map_err(user)?;
            store.save_client(&client).map_err(user)?;
            store
                .audit(AuditAction::Create, AuditTarget::Client(&client.id), "")
                .map_err(user)?;
            println!("{}\t{}", client.id, client.name);
            Ok(())
        }
        ClientCommand::List => {
            let (store, keys) = open_unlocked(dir)?;
            let clients = store.clients(&keys).map_err(user)?;
            warn_failures(&clients);
            let mut out = std::io::stdout().lock();
            writeln!(out, "id\tname\tbirth_year\tcreated\tadministrations")?;
            for c in &clients.records {
                writeln!(
                    out,
                    "{}\t{}\t{}\t{}\t{}",
                    c.id,
                    c.name,
                    c.birth_year.map(|y| y.to_string()).unwrap_or_default(),
                    c.created.strftime("%Y-%m-%d"),
                    store.count_administrations(&c.id)
                )?;
            }
            Ok(())
        }
    }
}

/// `securebase enter`: a paper form typed in.
pub fn enter(dir: &std::path::Path, catalog: &Catalog, args: &EnterArgs) -> Result<()> {
    let Some(instrument) = catalog.get(&args.instrument) else {
        return bad_input(format!(
            "unknown instrument {:?}; loaded: {}",
            args.instrument,
            catalog.ids().join(", ")
        ));
    };
    let answers = parse_answers(instrument, &args.answers)?;
    let (store, keys) = open_unlocked(dir)?;
    let client = store.find_client(&keys, &args.client).map_err(user)?;
    let now = Timestamp::now();
    let mut administration = Administration::new(
        store::new_id().map_err(user)?,
        &client.id,
        instrument,
        Source::PaperEntry,
        now,
    );
    for (slot, answer) in answers.into_iter().enumerate() {
        administration
            .set_answer(instrument, slot, answer, now, None)
            .map_err(|e| BadInput(format!("answer {}: {e}", slot + 1)))?;
    }
    if let Some(choice) = &args.choice {
        let Some(def) = &instrument.choice else {
            return bad_input(format!("{} has no forced choice", instrument.id));
        };
        let Some(option) = def.option_index(choice) else {
            let values: Vec<&str> = def.options.iter().map(|(v, _)| v.as_str()).collect();
            return bad_input(format!(
                "choice {choice:?} is not one of {}",
                values.join(", ")
            ));
        };
        administration.choice = def.options.get(option).map(|(v, _)| v.clone());
    }
    administration.status = Status::Completed;
    administration.finished = Some(now);
    store.save_administration(&administration).map_err(user)?;
    store
        .audit(
            AuditAction::Create,
            AuditTarget::Administration(&administration.id),
            &format!("paper entry of {}", instrument.id),
        )
        .map_err(user)?;
    let responses = administration
        .responses(instrument)
        .map_err(|e| anyhow::anyhow!("record {}: {e}", administration.id))?;
    let report = score(instrument, &responses);
    store
        .audit(
            AuditAction::Open,
            AuditTarget::Administration(&administration.id),
            "scores shown",
        )
        .map_err(user)?;
    print_report(instrument, &client, &administration, &report)
}

/// `--answers 1,2,,4,x`: values in item order; empty = not answered; `x` = prefer not to
/// answer. Exactly one value per item.
fn parse_answers(instrument: &Instrument, text: &str) -> Result<Vec<Answer>> {
    let cells: Vec<&str> = text.split(',').collect();
    if cells.len() != instrument.n_slots() {
        return bad_input(format!(
            "{} needs {} answers separated by commas (empty for not answered), got {}",
            instrument.id,
            instrument.n_slots(),
            cells.len()
        ));
    }
    let (min, max) = (instrument.response.min, instrument.response.max);
    cells
        .iter()
        .zip(&instrument.slots)
        .map(|(cell, slot)| {
            let cell = cell.trim();
            if cell.is_empty() {
                return Ok(Answer::Missing);
            }
            if cell.eq_ignore_ascii_case("x") {
                return Ok(Answer::Declined);
            }
            match cell.parse::<i32>() {
                Ok(v) if (min..=max).contains(&v) => Ok(Answer::Value(v)),
                Ok(_) => bad_input(format!("{}: {cell:?} is outside {min}-{max}", slot.column)),
                Err(_) => bad_input(format!(
                    "{}: {cell:?} is not a whole number from {min} to {max} (empty = not answered, x = prefer not to answer)",
                    slot.column
                )),
            }
        })
        .collect()
}

fn print_report(
    instrument: &Instrument,
    client: &Client,
    administration: &Administration,
    report: &ScoreReport,
) -> Result<()> {
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "{} for {} (administration {}), {} answered, {} missing",
        instrument.short_name,
        client.name,
        administration.id,
        instrument.n_slots() - report.n_missing,
        report.n_missing
    )?;
    for (def, s) in instrument.scores.iter().zip(&report.scores) {
        match (s.value, s.not_scored) {
            (Some(v), _) => writeln!(
                out,
                "  {:<20} {v:.2}  (exactly {v}; {} of {} answered)",
                def.id, s.n_answered, s.n_items
            )?,
            (None, Some(reason)) => writeln!(out, "  {:<20} -     {reason}", def.id)?,
            (None, None) => writeln!(out, "  {:<20} -", def.id)?,
        }
    }
    if let (Some(c), Some(def)) = (report.category, &instrument.category)
        && let Some(option) = def.options.get(c.option_idx)
    {
        writeln!(out, "  category: {} ({})", option.label, def.caveat)?;
    }
    for flag in &report.flags {
        writeln!(out, "  flag: {}", flag.describe(instrument))?;
    }
    Ok(())
}

/// `securebase history`.
pub fn history(dir: &std::path::Path, catalog: &Catalog, args: &HistoryArgs) -> Result<()> {
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
            source_name(a.source).to_owned(),
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
                "source": source_name(a.source),
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

fn source_name(source: Source) -> &'static str {
    match source {
        Source::ClientMode => "client_mode",
        Source::PaperEntry => "paper_entry",
    }
}

/// `securebase audit`.
pub fn audit(dir: &std::path::Path) -> Result<()> {
    let (store, keys) = open_unlocked(dir)?;
    let log = store.audit_log(&keys).map_err(user)?;
    warn_failures(&log);
    let mut out = std::io::stdout().lock();
    writeln!(out, "time\taction\trecord_kind\trecord_id\tdetail")?;
    for e in &log.records {
        writeln!(
            out,
            "{}\t{}\t{}\t{}\t{}",
            e.time,
            e.action.as_str(),
            e.record_kind.as_deref().unwrap_or(""),
            e.record_id.as_deref().unwrap_or(""),
            e.detail
        )?;
    }
    Ok(())
}

/// `securebase change-passphrase`.
pub fn change_passphrase(dir: &std::path::Path) -> Result<()> {
    let store = open(dir)?;
    let old = passphrase::ask("Current passphrase: ")?;
    let keys = store.unlock(&old).map_err(user)?;
    let new = passphrase::ask_changed()?;
    store
        .change_passphrase(&keys, &new, passphrase::work_factor()?)
        .map_err(user)?;
    println!(
        "Passphrase changed. The records were not touched; only the key that opens them was re-sealed."
    );
    Ok(())
}

/// The data folder to use, or an error saying how to name one. A move from Windows' Roaming
/// place is carried out here, and what happened is said on stderr.
pub fn data_dir(explicit: Option<PathBuf>) -> Result<PathBuf> {
    let location = locate(explicit)?;
    if let Some(notice) = &location.notice {
        eprintln!("securebase: note: {notice}");
    }
    Ok(location.dir)
}

/// Where the data folder is and why, after any move from Roaming.
pub fn locate(explicit: Option<PathBuf>) -> Result<store::paths::Location> {
    let candidates = store::paths::candidates(explicit).map_err(|e| BadInput(e.to_string()))?;
    match store::paths::plan(&candidates, &store::paths::contents) {
        Some(location) => Ok(store::paths::settle(location)),
        None => bad_input("no home folder to put the data folder in; pass --data-dir"),
    }
}
