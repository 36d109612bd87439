//! `securebase.json`: the clear-text description of a data folder — its format, its public key,
//! and its clinicians' names (so that the unlock screen can ask who is unlocking before anything
//! is unlocked; names of clinicians, never of clients).

use std::path::Path;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::error::StoreError;

/// The file.
pub const FILE: &str = "securebase.json";

/// Format of a folder whose records are authenticated (`store::auth`), with clinicians.
/// Format 1 (securebase 0.1.0) had one `identity.age` for everyone; format 2 had clinicians,
/// each with their own sealed copy of the key in `keys/`, and records without a MAC. Both are
/// migrated at their first unlock.
pub const FORMAT: u32 = 3;
/// The first format with clinicians.
pub const CLINICIANS: u32 = 2;
/// The first format whose records are all authenticated.
pub const AUTHENTICATED: u32 = 3;

/// The clear-text description of a data folder.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Meta {
    /// [`FORMAT`], or 1 for a folder not migrated yet.
    pub format: u32,
    /// What the folder is, for whoever finds it.
    pub what: String,
    /// The X25519 public key every record is encrypted to.
    pub public_key: String,
    /// When the folder was set up.
    pub created: Timestamp,
    /// Who can unlock, in the order they were added (empty in format 1).
    #[serde(default)]
    pub clinicians: Vec<Clinician>,
    /// The recovery key, once one was made (`keys/recovery.age`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recovery: Option<super::recovery::Recovery>,
}

/// A clinician of the data folder: a name, and their own key in `keys/<id>.age`, sealed with
/// their passphrase, which opens the folder key in `keys/folder.age`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Clinician {
    /// Random id; the name of their key file.
    pub id: String,
    /// What the audit log calls them.
    pub name: String,
    /// When they were added.
    pub added: Timestamp,
    /// Their own key's public half (`age1…`): `keys/folder.age` is encrypted to it.
    pub public_key: String,
}

/// What a new folder's `securebase.json` says about itself.
pub const WHAT: &str = "securebase data folder: records are age files (age-encryption.org/v1) \
    encrypted to public_key, each holding {body, auth}: the record's JSON and its HMAC-SHA256; \
    keys/folder.age holds the private key, encrypted to each clinician's own key; \
    keys/<clinician id>.age holds that key, sealed with the clinician's passphrase (age's \
    scrypt recipient); the README of securebase says how to check everything";

/// Reads `securebase.json` in `dir`.
pub fn read(dir: &Path) -> Result<Meta, StoreError> {
    #[derive(Deserialize)]
    struct Version {
        format: u32,
    }
    let path = dir.join(FILE);
    let bytes = crate::safe_read::read_regular(&path, 1 << 20)?;
    let version: Version = serde_json::from_slice(&bytes).map_err(|e| StoreError::Corrupt {
        path: path.clone(),
        message: format!("not a securebase data folder description: {e}"),
    })?;
    if version.format > FORMAT {
        return Err(StoreError::TooNew {
            path,
            found: version.format,
            supported: FORMAT,
        });
    }
    let meta: Meta = serde_json::from_slice(&bytes).map_err(|e| StoreError::Corrupt {
        path: path.clone(),
        message: format!("does not read: {e}"),
    })?;
    if meta.format >= CLINICIANS && meta.clinicians.is_empty() {
        return Err(StoreError::Corrupt {
            path,
            message: "names no clinician, so nobody could unlock it".to_owned(),
        });
    }
    Ok(meta)
}

/// The bytes of `meta`.
pub fn to_bytes(meta: &Meta) -> Result<Vec<u8>, StoreError> {
    serde_json::to_vec_pretty(meta).map_err(|e| StoreError::Crypto(e.to_string()))
}

impl Meta {
    /// The clinician called `query` (case-insensitive, surrounding space ignored) or with that
    /// id.
    pub fn find(&self, query: &str) -> Option<&Clinician> {
        let query = query.trim();
        self.clinicians
            .iter()
            .find(|c| c.id == query || c.name.to_lowercase() == query.to_lowercase())
    }
}
