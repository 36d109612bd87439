//! `securebase client add|list|delete`: the clients of the data folder. A name, birth year or
//! notes given as `-` have been read from standard input before this runs (`client_data`).

use std::io::Write;

use anyhow::Result;
use jiff::Timestamp;

use super::data_folder::{open_unlocked, user, warn_failures};
use super::{ClientCommand, bad_input};
use crate::store::{self, AuditAction, AuditTarget, Client};

/// `securebase client add|list`.
pub fn run(dir: &std::path::Path, command: &ClientCommand) -> Result<()> {
    match command {
        ClientCommand::Add {
            name,
            birth_year,
            notes,
        } => {
            let birth_year = birth_year.as_deref().map(parse_year).transpose()?;
            let (store, keys) = open_unlocked(dir)?;
            let existing = store.clients(&keys).map_err(user)?;
            warn_failures(&existing);
            if let Some(same) = existing
                .records
                .iter()
                .find(|c| store::records::name_key(&c.name) == store::records::name_key(name))
            {
                return bad_input(format!(
                    "a client called {:?} already exists (id {}); choose another name",
                    same.name, same.id
                ));
            }
            let client = Client::new(
                store::new_id().map_err(user)?,
                name,
                birth_year,
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
        ClientCommand::Delete { client, yes } => {
            let (store, keys) = open_unlocked(dir)?;
            let found = store.find_client(&keys, client).map_err(user)?;
            if !yes {
                return bad_input(format!(
                    "deleting {} ({}) removes them and every administration for good; give \
                     --yes to do it (nothing was deleted)",
                    found.name, found.id
                ));
            }
            let count = store.delete_client(&keys, &found).map_err(user)?;
            println!("{}\t{}", found.id, found.name);
            eprintln!(
                "Deleted {} and {count} administrations; a signed tombstone stays for each.",
                found.name
            );
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

/// `--birth-year`'s value (from argv or standard input) as a year.
fn parse_year(text: &str) -> Result<i32> {
    text.trim().parse().or_else(|_| {
        bad_input(format!(
            "--birth-year: {text:?} is not a year; give one such as 1985"
        ))
    })
}
