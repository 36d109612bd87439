//! `securebase couple link|list|unlink`: two clients seen together as a couple. The link is
//! its own encrypted record (`couples.age`); ending it keeps both partners' histories.

use std::io::Write;

use anyhow::Result;

use super::data_folder::{open_unlocked, user};
use super::{CoupleCommand, bad_input};
use crate::store::{self, AuditAction, AuditTarget, Client, Couple, CoupleError, Keys, Store};

/// The longest label kept.
const MAX_LABEL: usize = 200;

/// `securebase couple …`.
pub fn run(dir: &std::path::Path, command: &CoupleCommand) -> Result<()> {
    match command {
        CoupleCommand::Link {
            clients,
            label,
            since,
        } => link(dir, clients, label.as_deref(), since.as_deref()),
        CoupleCommand::List => list(dir),
        CoupleCommand::Unlink { client } => unlink(dir, client),
    }
}

/// A label as kept: trimmed, one line, at most [`MAX_LABEL`] characters.
fn checked_label(label: &str) -> Result<String> {
    let label = label.trim();
    if label.chars().any(char::is_control) {
        return bad_input("--label must be one line of text, without tabs or control characters");
    }
    if label.chars().count() > MAX_LABEL {
        return bad_input(format!("--label is longer than {MAX_LABEL} characters"));
    }
    Ok(label.to_owned())
}

fn link(
    dir: &std::path::Path,
    names: &[String],
    label: Option<&str>,
    since: Option<&str>,
) -> Result<()> {
    let [a, b] = names else {
        return bad_input(format!(
            "a couple is two clients: give --client twice (got {})",
            names.len()
        ));
    };
    let label = checked_label(label.unwrap_or(""))?;
    let today = store::records::today();
    let since = match since {
        Some(text) => store::records::parse_past_date(text, today)
            .or_else(|why| bad_input(format!("--since {why}")))?,
        None => today,
    };
    let (store, keys) = open_unlocked(dir)?;
    let first = store.find_client(&keys, a).map_err(user)?;
    let second = store.find_client(&keys, b).map_err(user)?;
    if first.id == second.id {
        return bad_input(format!(
            "both --client name the same client ({}); a couple is two clients",
            first.name
        ));
    }
    let mut couples = store.couples(&keys).map_err(user)?;
    let couple = Couple {
        id: store::new_id().map_err(user)?,
        clients: [first.id.clone(), second.id.clone()],
        label,
        since,
        ended: None,
    };
    let couple = match couples.link(couple) {
        Ok(c) => c.clone(),
        Err(CoupleError::AlreadyLinked { client_id, couple }) => {
            let who = if client_id == first.id {
                &first
            } else {
                &second
            };
            let partner = partner_name(&store, &keys, &couple, &client_id);
            return bad_input(format!(
                "{} is already in a couple (id {}, with {partner}); end it first with \
                 `securebase couple unlink --client {}`",
                who.name, couple.id, client_id
            ));
        }
        Err(e) => return bad_input(e.to_string()),
    };
    store.save_couples(&couples).map_err(user)?;
    store
        .audit(
            AuditAction::Create,
            AuditTarget::Couple(&couple.id),
            &format!("couple linked: clients {} and {}", first.id, second.id),
        )
        .map_err(user)?;
    println!(
        "{}\t{}\t{}\t{}",
        couple.id, couple.label, first.name, second.name
    );
    Ok(())
}

/// The other partner's name, or "a deleted client" when their record is gone.
fn partner_name(store: &Store, keys: &Keys, couple: &Couple, client_id: &str) -> String {
    let Some(other) = couple.partner_of(client_id) else {
        return String::new();
    };
    name_of(store, keys, other)
}

fn name_of(store: &Store, keys: &Keys, id: &str) -> String {
    store
        .find_client(keys, id)
        .map_or_else(|_| "a deleted client".to_owned(), |c: Client| c.name)
}

fn list(dir: &std::path::Path) -> Result<()> {
    let (store, keys) = open_unlocked(dir)?;
    let couples = store.couples(&keys).map_err(user)?;
    store
        .audit(AuditAction::Open, AuditTarget::Nothing, "couple list")
        .map_err(user)?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "id\tlabel\tpartner_1\tpartner_2\tsince\tended")?;
    for c in &couples.couples {
        writeln!(
            out,
            "{}\t{}\t{}\t{}\t{}\t{}",
            c.id,
            c.label,
            name_of(&store, &keys, &c.clients[0]),
            name_of(&store, &keys, &c.clients[1]),
            c.since,
            c.ended.map(|d| d.to_string()).unwrap_or_default()
        )?;
    }
    Ok(())
}

fn unlink(dir: &std::path::Path, name: &str) -> Result<()> {
    let (store, keys) = open_unlocked(dir)?;
    let client = store.find_client(&keys, name).map_err(user)?;
    let mut couples = store.couples(&keys).map_err(user)?;
    let today = store::records::today();
    let id = match couples.unlink(&client.id, today) {
        Ok(c) => c.id.clone(),
        Err(_) => return bad_input(format!("{} is not in a couple now", client.name)),
    };
    store.save_couples(&couples).map_err(user)?;
    store
        .audit(
            AuditAction::Change,
            AuditTarget::Couple(&id),
            "couple unlinked",
        )
        .map_err(user)?;
    println!("{id}");
    eprintln!("The couple was unlinked; both partners' records stay as they are.");
    Ok(())
}
