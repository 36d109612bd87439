//! `securebase verify`: the whole data folder checked at once — every record decrypts, its
//! authentication checks and it lies where its ids say; the audit log's chain is whole; and
//! every record the audit log says was created is still there, or left a signed tombstone.

use std::collections::BTreeSet;
use std::fs;

use serde::{Deserialize, Serialize};

use super::chain::ChainReport;
use super::error::StoreError;
use super::records::{Administration, Client};
use super::{ADMINISTRATIONS, AuditAction, HasId, Keys, Store, TOMBSTONES};

/// A deleted record's signed note: what was deleted, when, by whom.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tombstone {
    /// Record format version.
    pub format: u32,
    /// `client` or `administration`.
    pub kind: String,
    /// The deleted record's id.
    pub id: String,
    /// For an administration, its client.
    #[serde(default)]
    pub client_id: Option<String>,
    /// When.
    pub deleted: jiff::Timestamp,
}

impl HasId for Tombstone {
    fn file_id(&self) -> Option<&str> {
        None
    }
}

/// What `securebase verify` found.
#[derive(Debug, Default)]
pub struct FolderReport {
    /// Records that read, checked and lie in their place.
    pub good: usize,
    /// Records set apart or unreadable, each naming its file and why.
    pub failures: Vec<StoreError>,
    /// Records the audit log says were created, gone without a tombstone.
    pub missing: Vec<String>,
    /// Records whose creation the audit log does not have (REDTEAM L1: securebase stopped
    /// between saving a record and logging it). Said, not counted as problems: the record is
    /// authenticated, only its log entry is missing.
    pub unlogged: Vec<String>,
    /// The audit log's chain.
    pub chain: ChainReport,
}

impl FolderReport {
    /// Whether everything checked.
    pub fn is_sound(&self) -> bool {
        self.failures.is_empty() && self.missing.is_empty() && self.chain.is_whole()
    }
}

impl Store {
    /// Checks the whole data folder (see the module's doc).
    pub fn verify(&self, keys: &Keys) -> Result<FolderReport, StoreError> {
        let mut report = FolderReport::default();
        let mut present: BTreeSet<(String, String)> = BTreeSet::new();
        let clients = self.clients(keys)?;
        for c in &clients.records {
            present.insert(("client".to_owned(), c.id.clone()));
        }
        report.good += clients.records.len();
        report.failures.extend(clients.failures);
        for folder in fs::read_dir(self.dir.join(ADMINISTRATIONS))
            .into_iter()
            .flatten()
            .filter_map(Result::ok)
            .filter(|e| e.path().is_dir())
        {
            let loaded = self.read_folder::<Administration>(keys, &folder.path())?;
            for a in &loaded.records {
                present.insert(("administration".to_owned(), a.id.clone()));
            }
            report.good += loaded.records.len();
            report.failures.extend(loaded.failures);
        }
        match self.local_norms(keys) {
            Ok(Some(_)) => report.good += 1,
            Ok(None) => {}
            Err(e) => report.failures.push(e),
        }
        match self.couples(keys) {
            Ok(c) if !c.couples.is_empty() => report.good += 1,
            Ok(_) => {}
            Err(e) => report.failures.push(e),
        }
        let tombstones = self.read_folder::<Tombstone>(keys, &self.dir.join(TOMBSTONES))?;
        report.good += tombstones.records.len();
        report.failures.extend(tombstones.failures);
        for t in &tombstones.records {
            present.insert((t.kind.clone(), t.id.clone()));
        }
        let log = self.audit_log(keys)?;
        report.good += log.records.len();
        report.failures.extend(log.failures);
        let logged: BTreeSet<(&str, &str)> = log
            .records
            .iter()
            .filter(|e| e.action == AuditAction::Create)
            .filter_map(|e| Some((e.record_kind.as_deref()?, e.record_id.as_deref()?)))
            .collect();
        for (kind, id) in &present {
            if matches!(kind.as_str(), "client" | "administration")
                && !logged.contains(&(kind.as_str(), id.as_str()))
                && !tombstones.records.iter().any(|t| &t.id == id)
            {
                report.unlogged.push(format!(
                    "the {kind} {id} is in the folder, authenticated, but the audit log has no \
                     entry for its creation (securebase stopped between saving it and logging \
                     it); for a paper entry, the same `securebase enter` again writes the entry"
                ));
            }
        }
        for entry in &log.records {
            if entry.action != AuditAction::Create {
                continue;
            }
            if let (Some(kind @ ("client" | "administration")), Some(id)) =
                (entry.record_kind.as_deref(), entry.record_id.as_deref())
                && !present.contains(&(kind.to_owned(), id.to_owned()))
                && !report.failures.iter().any(|f| names(f, id))
            {
                report.missing.push(format!(
                    "the {kind} {id}, created {} by {}, is gone, with no tombstone: it was \
                     removed outside securebase",
                    entry.time,
                    entry.clinician.as_deref().unwrap_or("nobody named")
                ));
            }
        }
        report.chain = self.check_audit(keys)?;
        Ok(report)
    }
}

/// Whether a failure is about the record with this id (its file is named by it).
fn names(failure: &StoreError, id: &str) -> bool {
    match failure {
        StoreError::SetApart { path, .. }
        | StoreError::Corrupt { path, .. }
        | StoreError::TooNew { path, .. } => {
            path.file_stem().is_some_and(|s| s.to_string_lossy() == id)
        }
        _ => false,
    }
}

/// The tombstone of a record.
pub(super) fn tombstone_name(kind: &str, id: &str) -> String {
    format!("{kind}-{id}.age")
}

impl Store {
    /// Deletes a client and their administrations, leaving a signed tombstone for each (so
    /// that `securebase verify` tells a deletion from a record gone missing). Audited.
    pub fn delete_client(&self, keys: &Keys, client: &Client) -> Result<usize, StoreError> {
        let administrations = self.administrations(keys, &client.id)?;
        let folder = self.dir.join(TOMBSTONES);
        super::create_private_dir(&folder).map_err(StoreError::io(format!(
            "cannot create {}",
            folder.display()
        )))?;
        let now = jiff::Timestamp::now();
        let mut gone = Vec::new();
        for a in &administrations.records {
            let stone = Tombstone {
                format: super::records::FORMAT,
                kind: "administration".to_owned(),
                id: a.id.clone(),
                client_id: Some(client.id.clone()),
                deleted: now,
            };
            self.write_record(&folder.join(tombstone_name(&stone.kind, &stone.id)), &stone)?;
            gone.push(self.administration_path(&client.id, &a.id)?);
        }
        let stone = Tombstone {
            format: super::records::FORMAT,
            kind: "client".to_owned(),
            id: client.id.clone(),
            client_id: None,
            deleted: now,
        };
        self.write_record(&folder.join(tombstone_name(&stone.kind, &stone.id)), &stone)?;
        gone.push(self.client_path(&client.id)?);
        for path in &gone {
            self.remove_if_there(path)?;
        }
        // The client's folder of administrations, now empty (one that is not stays).
        let _ = fs::remove_dir(self.dir.join(ADMINISTRATIONS).join(&client.id));
        // Their couples go too: a link (and its label) is about both partners, and this one
        // is gone for good. The partner's own records stay.
        let mut couples = self.couples(keys)?;
        let before = couples.couples.len();
        couples.couples.retain(|c| !c.has(&client.id));
        if couples.couples.len() != before {
            self.save_couples(&couples)?;
        }
        let count = administrations.records.len();
        self.audit(
            AuditAction::Delete,
            super::AuditTarget::Client(&client.id),
            &format!("deleted, with its {count} administrations (tombstones left)"),
        )?;
        Ok(count)
    }
}
