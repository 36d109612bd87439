//! Computing the clinic's local norms from the workspace (Settings asks for it).

use jiff::Timestamp;

use crate::app::{Screen, SecurebaseApp};
use crate::store::{Administration, AuditAction, AuditTarget};

impl SecurebaseApp {
    /// Reads every client's administrations, computes local norms from each client's first
    /// completed administration per instrument, and keeps them (encrypted) in the data folder.
    pub(in crate::app) fn compute_local_norms(&mut self) {
        let (Some(store), Screen::Clinician(ws)) = (&self.store, &mut self.screen) else {
            return;
        };
        let ids: Vec<String> = ws.records.clients.iter().map(|c| c.id.clone()).collect();
        let mut all: Vec<Administration> = Vec::new();
        for id in &ids {
            all.extend_from_slice(ws.administrations_of(store, &self.catalog, id));
        }
        let pairs: Vec<_> = all
            .iter()
            .map(|a| (a, ws.records.reports.get(&a.id)))
            .collect();
        let norms = crate::results::local_norms::compute(&self.catalog, &pairs, Timestamp::now());
        let mut audit = Ok(());
        self.notice = Some(if norms.scores.is_empty() {
            "No local norms: at least two clients need a completed first administration of the \
             same questionnaire."
                .to_owned()
        } else {
            match store.save_local_norms(&norms) {
                Ok(()) => {
                    audit = store.audit(AuditAction::Create, AuditTarget::LocalNorms, "");
                    let n = norms.scores.iter().map(|e| e.n).max().unwrap_or(0);
                    ws.records.local_norms = Some(norms);
                    format!(
                        "Local norms and the clinic's own reliability computed from up to {n} \
                         clients' first administrations."
                    )
                }
                Err(e) => format!("The local norms could not be saved: {e}"),
            }
        });
        crate::app::note_audit(&mut self.notice, "The local norms were saved", audit);
    }
}
