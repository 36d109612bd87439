//! Clients and administrations: saving a client, marking a questionnaire abandoned.

use jiff::Timestamp;

use crate::app::views::Page;
use crate::app::{Screen, SecurebaseApp};
use crate::store::{AuditAction, AuditTarget, Client, Status, new_id};

impl SecurebaseApp {
    pub(in crate::app) fn save_client(
        &mut self,
        id: Option<&str>,
        name: &str,
        birth_year: Option<i32>,
        notes: &str,
    ) {
        let (Some(store), Screen::Clinician(ws)) = (&self.store, &mut self.screen) else {
            return;
        };
        let now = Timestamp::now();
        let duplicate = ws.records.clients.iter().find(|c| {
            crate::store::records::name_key(&c.name) == crate::store::records::name_key(name)
                && Some(c.id.as_str()) != id
        });
        let result = if let Some(other) = duplicate {
            Err(format!(
                "A client called \u{201c}{}\u{201d} already exists.",
                other.name
            ))
        } else {
            let client = match id {
                Some(id) => ws.records.client(id).cloned().map(|mut c| {
                    name.trim().clone_into(&mut c.name);
                    c.birth_year = birth_year;
                    notes.clone_into(&mut c.notes);
                    c.updated = now;
                    c
                }),
                None => new_id()
                    .ok()
                    .and_then(|new| Client::new(new, name, birth_year, notes, now).ok()),
            };
            match client {
                None => Err("The client could not be created.".to_owned()),
                Some(client) => client
                    .check(now)
                    .and_then(|()| store.save_client(&client))
                    .and_then(|()| {
                        let action = if id.is_some() {
                            AuditAction::Change
                        } else {
                            AuditAction::Create
                        };
                        store.audit(action, AuditTarget::Client(&client.id), "")
                    })
                    .map(|()| client)
                    .map_err(|e| e.to_string()),
            }
        };
        match result {
            Ok(client) => {
                ws.records.clients.retain(|c| c.id != client.id);
                ws.records.clients.push(client.clone());
                ws.records.clients.sort_by_key(|c| c.name.to_lowercase());
                ws.page = Page::ClientPage {
                    client_id: client.id,
                    edit: None,
                };
            }
            Err(message) => match &mut ws.page {
                Page::NewClient(form)
                | Page::ClientPage {
                    edit: Some(form), ..
                } => form.error = Some(message),
                _ => self.notice = Some(message),
            },
        }
    }

    pub(in crate::app) fn abandon(&mut self, client_id: &str, administration_id: &str) {
        let (Some(store), Screen::Clinician(ws)) = (&self.store, &mut self.screen) else {
            return;
        };
        let mut records = ws
            .administrations_of(store, &self.catalog, client_id)
            .to_vec();
        if let Some(a) = records.iter_mut().find(|a| a.id == administration_id) {
            a.status = Status::Abandoned;
            a.finished = Some(Timestamp::now());
            match store.save_administration(a).and_then(|()| {
                store.audit(
                    AuditAction::Change,
                    AuditTarget::Administration(&a.id),
                    "abandoned",
                )
            }) {
                Ok(()) => {
                    self.notice = Some("The questionnaire was marked as abandoned.".to_owned());
                }
                Err(e) => self.notice = Some(format!("Could not save: {e}")),
            }
        }
        // Read again from the store: the page shows what is on disk.
        ws.records.forget(client_id);
    }
}
