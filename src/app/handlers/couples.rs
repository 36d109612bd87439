//! Couples in the app: linking two clients, ending a link, and the couple page (both partners
//! on one plane), each audited under the couple.

use crate::app::views::Page;
use crate::app::views::couple::CouplePage;
use crate::app::{Screen, SecurebaseApp};
use crate::results::couple::{Partner, couple_results};
use crate::store::{AuditAction, AuditTarget, Couple, CoupleError, new_id};

/// The folder's couples, or `None` with the reason in the clinician's notice.
fn read_couples(
    store: &crate::store::Store,
    keys: &crate::store::Keys,
    notice: &mut Option<String>,
) -> Option<crate::store::Couples> {
    store
        .couples(keys)
        .map_err(|e| *notice = Some(format!("The couples could not be read: {e}")))
        .ok()
}

impl SecurebaseApp {
    pub(in crate::app) fn link_couple(&mut self, clients: &[String; 2]) {
        let (Some(store), Screen::Clinician(ws)) = (&self.store, &mut self.screen) else {
            return;
        };
        // Read afresh: the command line may have linked or unlinked since the unlock.
        let Some(mut couples) = read_couples(store, &ws.keys, &mut self.notice) else {
            return;
        };
        let Ok(id) = new_id() else {
            self.notice = Some("The couple could not be made.".to_owned());
            return;
        };
        let name = |id: &str| {
            ws.records
                .client(id)
                .map_or_else(|| "a client".to_owned(), |c| c.name.clone())
        };
        let couple = Couple {
            id,
            clients: clients.clone(),
            label: String::new(),
            since: crate::store::records::today(),
            ended: None,
        };
        let linked = match couples.link(couple) {
            Ok(c) => c.clone(),
            Err(CoupleError::AlreadyLinked { client_id, couple }) => {
                let partner = couple.partner_of(&client_id).map(name).unwrap_or_default();
                self.notice = Some(format!(
                    "{} is already in a couple, with {partner}; end that link first.",
                    name(&client_id)
                ));
                return;
            }
            Err(e) => {
                self.notice = Some(format!("The couple could not be linked: {e}."));
                return;
            }
        };
        let saved = store.save_couples(&couples).and_then(|()| {
            store.audit(
                AuditAction::Create,
                AuditTarget::Couple(&linked.id),
                &format!("couple linked: clients {} and {}", clients[0], clients[1]),
            )
        });
        match saved {
            Ok(()) => {
                let done = format!(
                    "{} and {} are linked as a couple.",
                    name(&clients[0]),
                    name(&clients[1])
                );
                ws.records.couples = couples;
                ws.remembered.partner_choice = None;
                self.notice = Some(done);
            }
            Err(e) => self.notice = Some(format!("The couple could not be saved: {e}")),
        }
    }

    pub(in crate::app) fn unlink_couple(&mut self, client_id: &str) {
        let (Some(store), Screen::Clinician(ws)) = (&self.store, &mut self.screen) else {
            return;
        };
        // Read afresh: the command line may have linked or unlinked since the unlock.
        let Some(mut couples) = read_couples(store, &ws.keys, &mut self.notice) else {
            return;
        };
        let Ok(id) = couples
            .unlink(client_id, crate::store::records::today())
            .map(|c| c.id.clone())
        else {
            return;
        };
        let saved = store.save_couples(&couples).and_then(|()| {
            store.audit(
                AuditAction::Change,
                AuditTarget::Couple(&id),
                "couple unlinked",
            )
        });
        match saved {
            Ok(()) => {
                ws.records.couples = couples;
                self.notice = Some(
                    "The couple link was ended; both partners' records stay as they are."
                        .to_owned(),
                );
            }
            Err(e) => self.notice = Some(format!("The couple could not be saved: {e}")),
        }
    }

    pub(in crate::app) fn open_couple(&mut self, client_id: &str) {
        let (Some(store), Screen::Clinician(ws)) = (&self.store, &mut self.screen) else {
            return;
        };
        let Some(couple) = ws.records.couples.latest_of(client_id).cloned() else {
            return;
        };
        let (Some(a), Some(b)) = (
            ws.records.client(&couple.clients[0]).cloned(),
            ws.records.client(&couple.clients[1]).cloned(),
        ) else {
            self.notice = Some("One partner of this couple is no longer a client.".to_owned());
            return;
        };
        let first = ws.administrations_of(store, &self.catalog, &a.id).to_vec();
        let second = ws.administrations_of(store, &self.catalog, &b.id).to_vec();
        let reports = &ws.records.reports;
        let pa = Partner {
            name: &a.name,
            administrations: first.iter().map(|x| (x, reports.get(&x.id))).collect(),
        };
        let pb = Partner {
            name: &b.name,
            administrations: second.iter().map(|x| (x, reports.get(&x.id))).collect(),
        };
        let results = couple_results(
            &self.catalog.instruments,
            [&pa, &pb],
            &self.settings,
            ws.records.local_norms.as_ref(),
        );
        crate::app::note_audit(
            &mut self.notice,
            "The couple page was opened",
            store.audit(
                AuditAction::Open,
                AuditTarget::Couple(&couple.id),
                "couple page",
            ),
        );
        ws.page = Page::Couple(Box::new(CouplePage::new(couple, results)));
    }
}
