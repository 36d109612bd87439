//! The audit log: who did what to which record, and when.
//!
//! Append-only: every entry is its own file in `audit/`, encrypted like the records, written
//! once atomically and never changed. File names sort by time, so reading them in name order
//! reads the log in order. An entry names records by id only.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditAction {
    /// A record was created.
    Create,
    /// Results were opened (scores seen).
    Open,
    /// A record was changed (completed, abandoned, edited).
    Change,
    /// Data left securebase (an export or a report).
    Export,
    /// Someone typed a wrong passphrase.
    FailedUnlock,
    /// The passphrase was changed.
    PassphraseChange,
    /// A record was deleted (a tombstone stays).
    Delete,
    /// Client mode lost the screen and hid the form, or was brought back to it.
    Interrupted,
}

impl AuditAction {
    /// Lower-case name, as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            AuditAction::Create => "create",
            AuditAction::Open => "open",
            AuditAction::Change => "change",
            AuditAction::Export => "export",
            AuditAction::FailedUnlock => "failed_unlock",
            AuditAction::PassphraseChange => "passphrase_change",
            AuditAction::Delete => "delete",
            AuditAction::Interrupted => "interrupted",
        }
    }
}

/// What an entry is about: a record by kind and id, or the data folder, or nothing in
/// particular (a wrong passphrase). Stored as `record_kind` and `record_id`, as before.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditTarget<'a> {
    /// No record: the store as a whole (a failed unlock, a passphrase change, an export of
    /// everything).
    Nothing,
    /// The data folder itself (set up, backed up, restored).
    DataFolder,
    /// The clinic's local norms.
    LocalNorms,
    /// A client record, by id.
    Client(&'a str),
    /// An administration record, by id.
    Administration(&'a str),
    /// A clinician of the folder, by id.
    Clinician(&'a str),
    /// A couple, by id.
    Couple(&'a str),
}

impl AuditTarget<'_> {
    /// The stored `record_kind`.
    pub fn kind(self) -> Option<&'static str> {
        match self {
            AuditTarget::Nothing => None,
            AuditTarget::DataFolder => Some("data_folder"),
            AuditTarget::LocalNorms => Some("local_norms"),
            AuditTarget::Client(_) => Some("client"),
            AuditTarget::Administration(_) => Some("administration"),
            AuditTarget::Clinician(_) => Some("clinician"),
            AuditTarget::Couple(_) => Some("couple"),
        }
    }

    /// The stored `record_id`.
    pub fn id(self) -> Option<String> {
        match self {
            AuditTarget::Client(id)
            | AuditTarget::Administration(id)
            | AuditTarget::Clinician(id)
            | AuditTarget::Couple(id) => Some(id.to_owned()),
            AuditTarget::Nothing | AuditTarget::DataFolder | AuditTarget::LocalNorms => None,
        }
    }
}

impl AuditEntry {
    /// Whether securebase writes this kind of entry with nothing unlocked, and so without a
    /// MAC: a wrong passphrase, and a backup or restore (which copy encrypted files and need no
    /// passphrase). Any other entry without a MAC was not written by securebase.
    pub fn may_be_unsigned(&self) -> bool {
        self.action == AuditAction::FailedUnlock
            || (self.record_kind.as_deref() == Some("data_folder")
                && self.clinician_id.is_none()
                && matches!(self.action, AuditAction::Export | AuditAction::Create))
    }
}

/// One entry of the log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// Record format version.
    pub format: u32,
    /// When.
    pub time: Timestamp,
    /// What.
    pub action: AuditAction,
    /// Kind of record (`client`, `administration`), if a record is concerned.
    #[serde(default)]
    pub record_kind: Option<String>,
    /// The record's id.
    #[serde(default)]
    pub record_id: Option<String>,
    /// A few words more (`completed`, `csv export`), never a client's name or an answer.
    #[serde(default)]
    pub detail: String,
    /// The clinician who unlocked (in client mode: who started the session), by name as it
    /// was then; `None` before anyone unlocked (a wrong passphrase) and in folders from
    /// before clinicians.
    #[serde(default)]
    pub clinician: Option<String>,
    /// Their id.
    #[serde(default)]
    pub clinician_id: Option<String>,
    /// Its number in the chain (1, 2, …), from folder format 3 (see `store::chain`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seq: Option<u64>,
    /// SHA-256 of the previous entry's JSON (none for the first).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prev: Option<String>,
}
