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
    let now = Timestamp::now();
    let today = store::records::today();
    let form_date = args
        .date
        .as_deref()
        .map(|d| parse_form_date(d, today))
        .transpose()?;
    let (store, keys) = open_unlocked(dir)?;
    let client = store.find_client(&keys, &args.client).map_err(user)?;
    let mut administration = Administration::new(
        store::new_id().map_err(user)?,
        &client.id,
        instrument,
        Source::PaperEntry,
        now,
    );
    administration.form_date = form_date;
    for (slot, answer) in answers.into_iter().enumerate() {
        administration
            .set_answer(instrument, slot, answer, now, None)
            .map_err(|e| BadInput(format!("answer {}: {e}", slot + 1)))?;
    }
    if let Some(choice) = &args.choice {
        administration.choice = Some(choice_of(instrument, choice)?);
    }
    administration.status = Status::Completed;
    administration.finished = Some(now);
    // A run that saved this same form and then could not write its audit entry (REDTEAM L1):
    // its entry is written now, and no second copy is saved.
    let administration = if let Some(earlier) = unaudited_copy(&store, &keys, &administration)? {
        store
            .audit(
                AuditAction::Create,
                AuditTarget::Administration(&earlier.id),
                &format!(
                    "paper entry of {} dated {}, saved at {} by a run that could not write \
                     this entry",
                    instrument.id,
                    earlier.given_on(),
                    earlier.started
                ),
            )
            .map_err(|e| not_audited(&earlier.id, &e))?;
        eprintln!(
            "securebase: note: this form was already saved, at {}, as administration {}, \
             by a run that could not write its audit entry; nothing new was saved, and the \
             entry is written now",
            earlier.started, earlier.id
        );
        earlier
    } else {
        store.save_administration(&administration).map_err(user)?;
        store
            .audit(
                AuditAction::Create,
                AuditTarget::Administration(&administration.id),
                &format!(
                    "paper entry of {} dated {} ({})",
                    instrument.id,
                    administration.given_on(),
                    administration.source.label()
                ),
            )
            .map_err(|e| not_audited(&administration.id, &e))?;
        administration
    };
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
        .map_err(|e| {
            anyhow::anyhow!(
                "the administration was saved (id {}) and its creation is in the audit log, \
                 but showing its scores could not be logged: {e}; the scores are not shown \
                 (`securebase history` shows them once the log can be written)",
                administration.id
            )
        })?;
    print_report(instrument, &client, &administration, &report)
}

/// What `enter` says when the form was saved but its audit entry was not written: exactly
/// that, and how to put it right without a second copy.
fn not_audited(id: &str, e: &store::StoreError) -> anyhow::Error {
    anyhow::anyhow!(
        "the administration was saved (id {id}), but its audit entry could not be written: {e}. \
         Do not enter the form again by hand: once the audit log can be written, run the same \
         `securebase enter` again; it finds this administration, writes the missing entry and \
         saves no second copy"
    )
}

/// A completed paper entry of this client with the same instrument, answers and choice as
/// `new`, whose creation the audit log does not have: what an `enter` that failed at its
/// audit entry (or was killed just before it) left. The log is read only when such a form
/// exists. A second identical form whose creation was logged is taken as a new form.
fn unaudited_copy(
    store: &store::Store,
    keys: &store::Keys,
    new: &Administration,
) -> Result<Option<Administration>> {
    let same = |a: &Administration| {
        a.instrument_id == new.instrument_id
            && a.instrument_version == new.instrument_version
            && a.source == Source::PaperEntry
            && a.form_date == new.form_date
            && a.status == Status::Completed
            && a.choice == new.choice
            && a.not_applicable == new.not_applicable
            && a.answers.len() == new.answers.len()
            && a.answers
                .iter()
                .zip(&new.answers)
                .all(|(x, y)| x.column == y.column && x.value == y.value)
    };
    let candidates: Vec<Administration> = store
        .administrations(keys, &new.client_id)
        .map_err(user)?
        .records
        .into_iter()
        .filter(|a| same(a))
        .collect();
    if candidates.is_empty() {
        return Ok(None);
    }
    let logged: std::collections::HashSet<String> = store
        .audit_log(keys)
        .map_err(user)?
        .records
        .into_iter()
        .filter(|e| e.action == AuditAction::Create)
        .filter_map(|e| e.record_id)
        .collect();
    Ok(candidates.into_iter().find(|a| !logged.contains(&a.id)))
}

/// `--choice C`: one of the instrument's forced-choice options.
fn choice_of(instrument: &Instrument, choice: &str) -> Result<String> {
    let Some(def) = &instrument.choice else {
        return bad_input(format!("{} has no forced choice", instrument.id));
    };
    let Some(option) = def.option_index(choice).and_then(|k| def.options.get(k)) else {
        let values: Vec<&str> = def.options.iter().map(|(v, _)| v.as_str()).collect();
        return bad_input(format!(
            "choice {choice:?} is not one of {}",
            values.join(", ")
        ));
    };
    Ok(option.0.clone())
}

/// `--date 2026-03-05`: the date written on the form ([`store::records::parse_past_date`]).
fn parse_form_date(text: &str, today: jiff::civil::Date) -> Result<jiff::civil::Date> {
    store::records::parse_past_date(text, today).or_else(|why| bad_input(format!("--date {why}")))
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
        "{} for {} (administration {}), given {} ({}), {} answered, {} missing",
        instrument.short_name,
        client.name,
        administration.id,
        administration.given_on(),
        administration.source.label(),
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
