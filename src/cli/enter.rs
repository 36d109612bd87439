//! `securebase enter`: a paper form typed in as `--answers 1,2,,4,…`, saved as a completed
//! administration, and its scores printed.

use std::io::Write;

use anyhow::Result;
use jiff::Timestamp;

use super::data_folder::{open_unlocked, user};
use super::{BadInput, EnterArgs, bad_input};
use crate::catalog::Catalog;
use crate::core::instrument::Instrument;
use crate::core::{Answer, ScoreReport, score};
use crate::store::{self, Administration, AuditAction, AuditTarget, Client, Source, Status};

/// `securebase enter`: a paper form typed in.
pub fn run(dir: &std::path::Path, catalog: &Catalog, args: &EnterArgs) -> Result<()> {
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
