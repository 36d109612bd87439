//! A paper form keyed in: its record made at the start, its draft saved after every key (so a
//! crash loses nothing), and the form saved as completed; each step in the audit log.

use jiff::Timestamp;

use crate::app::paper_entry::PaperEntry;
use crate::app::views::Page;
use crate::app::views::paper::PaperPage;
use crate::app::{Screen, SecurebaseApp};
use crate::store::{Administration, AuditAction, AuditTarget, new_id};

impl SecurebaseApp {
    pub(in crate::app) fn start_paper_entry(
        &mut self,
        client_id: &str,
        instrument_id: &str,
        form_date: jiff::civil::Date,
        double: bool,
    ) {
        let (Some(store), Screen::Clinician(ws)) = (&self.store, &mut self.screen) else {
            return;
        };
        let Some(instrument) = self.catalog.get(instrument_id) else {
            return;
        };
        let id = match new_id() {
            Ok(id) => id,
            Err(e) => {
                self.notice = Some(format!("The form could not be started: {e}"));
                return;
            }
        };
        let entry = PaperEntry::new(
            id,
            client_id,
            instrument,
            form_date,
            double,
            Timestamp::now(),
        );
        let a = &entry.record();
        let saved = store.save_administration(a).and_then(|()| {
            store.audit(
                AuditAction::Create,
                AuditTarget::Administration(&a.id),
                &format!(
                    "paper entry of {} dated {form_date} started ({})",
                    instrument.id,
                    a.source.label()
                ),
            )
        });
        ws.records.forget(client_id);
        match saved {
            Ok(()) => ws.page = Page::PaperEntry(PaperPage::Keying(Box::new(entry))),
            Err(e) => self.notice = Some(format!("The form could not be started: {e}")),
        }
    }

    pub(in crate::app) fn save_paper_draft(&mut self, administration: &Administration) {
        let (Some(store), Screen::Clinician(ws)) = (&self.store, &mut self.screen) else {
            return;
        };
        if let Err(e) = store.save_administration(administration) {
            self.notice = Some(format!(
                "The last key could not be saved: {e}. Keying can go on; what is on the screen \
                 is saved with the next key."
            ));
        }
        ws.records.forget(&administration.client_id);
    }

    pub(in crate::app) fn finish_paper_entry(&mut self, administration: &Administration) {
        let Some(store) = &self.store else {
            return;
        };
        let saved = store.save_administration(administration);
        if let Err(e) = saved {
            self.notice = Some(format!(
                "The form could not be saved: {e}. Its keying is kept; try Enter again."
            ));
            return;
        }
        crate::app::note_audit(
            &mut self.notice,
            "The paper form was saved",
            store.audit(
                AuditAction::Change,
                AuditTarget::Administration(&administration.id),
                &format!(
                    "paper entry of {} completed ({})",
                    administration.instrument_id,
                    administration.source.label()
                ),
            ),
        );
        if let Screen::Clinician(ws) = &mut self.screen {
            ws.records.forget(&administration.client_id);
        }
        self.open_results(&administration.client_id, &administration.id);
    }

    pub(in crate::app) fn continue_paper_entry(
        &mut self,
        client_id: &str,
        administration_id: &str,
    ) {
        let (Some(store), Screen::Clinician(ws)) = (&self.store, &mut self.screen) else {
            return;
        };
        let Some(a) = ws
            .administrations_of(store, &self.catalog, client_id)
            .iter()
            .find(|a| a.id == administration_id)
            .cloned()
        else {
            return;
        };
        let Some(instrument) = self.catalog.get(&a.instrument_id) else {
            self.notice = Some(format!(
                "The questionnaire {} is not loaded, so this form cannot be keyed.",
                a.instrument_id
            ));
            return;
        };
        match PaperEntry::resume(instrument, a) {
            Ok(entry) => ws.page = Page::PaperEntry(PaperPage::Keying(Box::new(entry))),
            Err(_) => {
                self.notice =
                    Some("This form's keying does not fit its questionnaire any more.".to_owned());
            }
        }
    }
}
