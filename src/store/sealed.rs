//! A record on disk: encrypted to the folder's public key, authenticated ([`super::auth`]),
//! and in its place. Every record of the store is written and read here.
//!
//! Reading checks, in order: the file decrypts; its MAC checks (from folder format 3; a folder
//! of an earlier format is authenticated at its first unlock, and until then a record without
//! a MAC still reads); a record signed by a session key is one its session could write; the
//! record's own ids are where it lies. A record that fails any of these is set apart
//! ([`StoreError::SetApart`]) with the reason: listed, never counted, never moved or deleted.

use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::auth::{self, Envelope, Scope, Unvouched, Vouched};
use super::error::StoreError;
use super::{HasId, Keys, Loaded, Store, crypto, meta, records};

/// Where a file lies in the data folder, and so what it may hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Place {
    /// `clients/<id>.age`.
    Client(String),
    /// `administrations/<client>/<id>.age`.
    Administration {
        /// The client's folder.
        client: String,
        /// The file's id.
        id: String,
    },
    /// `audit/…`.
    Audit,
    /// `tombstones/…`.
    Tombstone,
    /// `audit-head.age`.
    AuditHead,
    /// Anything else (the local norms, the couples).
    Other,
}

impl Place {
    /// The most bytes a sealed file of this place may have (REDTEAM M4: a planted huge file,
    /// or a link to `/dev/zero`, is refused by name, not read until memory runs out). Far
    /// above what securebase writes: a client is a few hundred bytes, an administration of a
    /// 36-item form about 10 KB, an audit entry well under 1 KB; the local norms grow with
    /// the clinic's instruments, not its clients.
    pub(super) fn cap(&self) -> u64 {
        match self {
            Place::Client(_) | Place::Audit | Place::Tombstone | Place::AuditHead => 1 << 20,
            Place::Administration { .. } => 16 << 20,
            Place::Other => 64 << 20,
        }
    }

    /// The place of a path relative to the data folder (`/`-separated).
    pub(super) fn of(relative: &str) -> Place {
        let stem = |f: &str| f.strip_suffix(".age").unwrap_or(f).to_owned();
        match relative.split('/').collect::<Vec<_>>().as_slice() {
            [super::CLIENTS, file] => Place::Client(stem(file)),
            [super::ADMINISTRATIONS, client, file] => Place::Administration {
                client: (*client).to_owned(),
                id: stem(file),
            },
            [super::AUDIT, _] => Place::Audit,
            [super::TOMBSTONES, _] => Place::Tombstone,
            [super::chain::HEAD] => Place::AuditHead,
            _ => Place::Other,
        }
    }

    /// Whether a session with `scope` may write here; why not if not.
    pub(super) fn in_scope(&self, scope: &Scope) -> Result<(), String> {
        match self {
            Place::Administration { client, id }
                if *client == scope.client_id && scope.administrations.contains(id) =>
            {
                Ok(())
            }
            Place::Audit | Place::AuditHead => Ok(()),
            Place::Administration { .. } => Err(format!(
                "it was signed in client mode by a session of client {} that did not include it",
                scope.client_id
            )),
            _ => Err(format!(
                "it was signed in client mode (a session of client {}), which may write only its \
                 own administrations",
                scope.client_id
            )),
        }
    }
}

/// A record that was read, with what its authentication says.
#[derive(Debug)]
pub(super) struct Checked<T> {
    /// Its file.
    pub path: PathBuf,
    /// The record.
    pub record: T,
    /// SHA-256 of its JSON (what the audit chain links).
    pub body_hash: String,
    /// Who vouches for it; `None` for a record without a MAC (a folder not authenticated yet,
    /// or an audit entry written with nothing unlocked).
    pub vouched: Option<Vouched>,
}

impl Store {
    /// `path` relative to the data folder, with `/` whatever the system.
    pub(super) fn relative(&self, path: &Path) -> String {
        let rel = path.strip_prefix(&self.dir).unwrap_or(path);
        rel.components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/")
    }

    /// Whether this folder's records are authenticated (format 3 and later).
    pub(super) fn authenticated(&self) -> bool {
        self.state().meta.format >= meta::AUTHENTICATED
    }

    /// Writes a record's JSON `body`, signed by whoever is unlocked (an unlocked clinician, or
    /// client mode's session, within its scope). Once the folder is authenticated, nothing is
    /// written unsigned but an audit entry with nothing unlocked (`unsigned_ok`).
    pub(super) fn write_body(
        &self,
        path: &Path,
        body: String,
        unsigned_ok: bool,
    ) -> Result<(), StoreError> {
        let signer = self.state().signer.clone();
        // Signed whenever something is unlocked: a folder being authenticated signs its
        // records before securebase.json says format 3.
        let plain = if self.authenticated() || signer.is_some() {
            let relative = self.relative(path);
            let auth = match signer {
                Some(signer) => {
                    if let Some(scope) = signer.scope() {
                        Place::of(&relative).in_scope(scope).map_err(|_| {
                            StoreError::Invalid(format!(
                                "client mode cannot write {relative}: it is outside the \
                                 session; nothing was written"
                            ))
                        })?;
                    }
                    Some(signer.sign(&relative, &body))
                }
                None if unsigned_ok => None,
                None => {
                    return Err(StoreError::Invalid(format!(
                        "nothing is unlocked, so {relative} cannot be signed; nothing was written"
                    )));
                }
            };
            serde_json::to_vec(&Envelope { body, auth })
                .map_err(|e| StoreError::Crypto(e.to_string()))?
        } else {
            body.into_bytes()
        };
        let sealed = crypto::encrypt(&self.recipient()?, &plain)?;
        self.write_file(path, &sealed)
    }

    /// Writes a record (see [`Store::write_body`]).
    pub(super) fn write_sealed<T: Serialize>(
        &self,
        path: &Path,
        record: &T,
        unsigned_ok: bool,
    ) -> Result<(), StoreError> {
        let body = serde_json::to_string(record).map_err(|e| StoreError::Crypto(e.to_string()))?;
        self.write_body(path, body, unsigned_ok)
    }

    /// Writes a record that must be signed.
    pub(super) fn write_record<T: Serialize>(
        &self,
        path: &Path,
        record: &T,
    ) -> Result<(), StoreError> {
        self.write_sealed(path, record, false)
    }

    /// The bytes of the sealed file at `path`: a regular file within its place's cap, or why
    /// not (named: a FIFO, a device, a link, a file too large).
    pub(super) fn read_sealed(&self, path: &Path) -> Result<Vec<u8>, StoreError> {
        let cap = Place::of(&self.relative(path)).cap();
        Ok(crate::safe_read::read_regular(path, cap)?)
    }

    /// Reads, authenticates and places one record.
    pub(super) fn read_checked<T>(&self, keys: &Keys, path: &Path) -> Result<Checked<T>, StoreError>
    where
        T: for<'de> Deserialize<'de> + HasId,
    {
        let sealed = self.read_sealed(path)?;
        let plain = crypto::decrypt(&keys.identity, &sealed).map_err(|e| StoreError::Corrupt {
            path: path.to_path_buf(),
            message: format!(
                "cannot be decrypted ({e}); the file is damaged or not from this data folder"
            ),
        })?;
        let set_apart = |reason: String| StoreError::SetApart {
            path: path.to_path_buf(),
            reason,
        };
        let (body, vouched) = match envelope(&plain) {
            Some(envelope) => {
                let relative = self.relative(path);
                let vouched = match envelope.verify(&keys.mac, &relative) {
                    Ok(Vouched::Session(scope)) => {
                        Place::of(&relative).in_scope(&scope).map_err(set_apart)?;
                        Some(Vouched::Session(scope))
                    }
                    Ok(Vouched::Folder) => Some(Vouched::Folder),
                    Err(Unvouched::Missing) if Place::of(&relative) == Place::Audit => None,
                    Err(why) => {
                        // A record moved from its place is told as such: what it says of
                        // itself is more use to the clinician than "does not check".
                        if let Ok(record) = records::parse::<T>(path, envelope.body.as_bytes()) {
                            super::check_place(&record, path)?;
                        }
                        return Err(set_apart(why.to_string()));
                    }
                };
                (envelope.body.into_bytes(), vouched)
            }
            // An audit entry from before authentication stays as it was written: the chain
            // check tells it apart from one added since (`store::chain`).
            None if self.authenticated() && Place::of(&self.relative(path)) != Place::Audit => {
                return Err(set_apart(Unvouched::Missing.to_string()));
            }
            None => (plain, None),
        };
        let record: T = records::parse(path, &body)?;
        super::check_place(&record, path)?;
        Ok(Checked {
            path: path.to_path_buf(),
            record,
            body_hash: super::auth::chain_hash(&String::from_utf8_lossy(&body)),
            vouched,
        })
    }

    /// Reads one record (see [`Store::read_checked`]).
    pub(super) fn read_record<T>(&self, keys: &Keys, path: &Path) -> Result<T, StoreError>
    where
        T: for<'de> Deserialize<'de> + HasId,
    {
        self.read_checked(keys, path).map(|c| c.record)
    }

    /// Reads every `*.age` record of a folder, in name order. A file that fails is kept in
    /// `failures` with its name.
    pub(super) fn read_folder<T>(&self, keys: &Keys, folder: &Path) -> Result<Loaded<T>, StoreError>
    where
        T: for<'de> Deserialize<'de> + HasId,
    {
        let checked = self.read_folder_checked(keys, folder)?;
        Ok(Loaded {
            records: checked.records.into_iter().map(|c| c.record).collect(),
            failures: checked.failures,
        })
    }

    /// [`Store::read_folder`], keeping what each record's authentication says.
    pub(super) fn read_folder_checked<T>(
        &self,
        keys: &Keys,
        folder: &Path,
    ) -> Result<Loaded<Checked<T>>, StoreError>
    where
        T: for<'de> Deserialize<'de> + HasId,
    {
        let paths = record_files(folder)?;
        let mut loaded = Loaded {
            records: Vec::with_capacity(paths.len()),
            failures: strays(folder),
        };
        for path in paths {
            match self.read_checked::<T>(keys, &path) {
                Ok(record) => loaded.records.push(record),
                Err(e) => loaded.failures.push(e),
            }
        }
        Ok(loaded)
    }
}

impl Store {
    /// Hands the signing over to client mode: from now on what this process writes is signed
    /// with a session key that vouches only for `administrations` of `client_id`, for
    /// 12 hours (`auth::SESSION_HOURS`). The folder's key is no longer held by the store; leaving
    /// client mode needs a clinician's passphrase again.
    pub fn begin_session(
        &self,
        keys: &Keys,
        client_id: &str,
        administrations: &[String],
    ) -> Result<(), StoreError> {
        let now = jiff::Timestamp::now();
        let scope = Scope {
            client_id: client_id.to_owned(),
            administrations: administrations.to_vec(),
            // A minute's slack for a clock that moves back a little.
            from: now - jiff::SignedDuration::from_mins(1),
            until: now + jiff::SignedDuration::from_hours(auth::SESSION_HOURS),
            clinician_id: keys.clinician.id.clone(),
        };
        let signer = auth::Signer::session(&keys.mac, scope)
            .map_err(|e| StoreError::Crypto(e.to_string()))?;
        self.state().signer = Some(signer);
        Ok(())
    }

    /// Takes the signing back from client mode (a session that could not start).
    pub fn end_session(&self, keys: &Keys) {
        self.state().signer = Some(auth::Signer::Folder(keys.mac.clone()));
    }

    /// Signs every record of a folder whose records had no MAC yet (format 2, or a 0.1.0
    /// folder just migrated), then says the folder is authenticated. Records are signed as
    /// found: securebase cannot vouch for what they held before. Each record is rewritten
    /// atomically; a kill part-way leaves some signed, and the next unlock signs the rest
    /// (`securebase.json` says format 3 only once all are).
    pub(super) fn authenticate_folder(&self, keys: &Keys) -> Result<(), StoreError> {
        let mut signed = 0usize;
        for path in self.record_paths()? {
            if Place::of(&self.relative(&path)) == Place::Audit {
                continue;
            }
            let Ok(sealed) = self.read_sealed(&path) else {
                continue;
            };
            // What cannot be decrypted or read is left as it is, to be reported when read.
            let Ok(plain) = crypto::decrypt(&keys.identity, &sealed) else {
                continue;
            };
            if envelope(&plain).is_some() {
                continue;
            }
            let Ok(body) = String::from_utf8(plain) else {
                continue;
            };
            if serde_json::from_str::<serde_json::Value>(&body).is_err() {
                continue;
            }
            self.write_body(&path, body, false)?;
            signed += 1;
        }
        // The entries already in the log, listed and signed: the only ones that may lie
        // outside the chain from now on (`chain::Earlier`).
        let mut entries = std::collections::BTreeMap::new();
        for path in record_files(&self.dir.join(super::AUDIT))? {
            let Ok(plain) = self
                .read_sealed(&path)
                .map_err(|_| ())
                .and_then(|sealed| crypto::decrypt(&keys.identity, &sealed).map_err(|_| ()))
            else {
                continue;
            };
            if envelope(&plain).is_none()
                && let Some(name) = path.file_name()
            {
                entries.insert(
                    name.to_string_lossy().into_owned(),
                    auth::chain_hash(&String::from_utf8_lossy(&plain)),
                );
            }
        }
        let earlier = entries.len();
        self.write_record(
            &self.dir.join(super::chain::EARLIER),
            &super::chain::Earlier {
                format: super::records::FORMAT,
                entries,
            },
        )?;
        let mut meta = self.state().meta.clone();
        meta.format = meta::AUTHENTICATED;
        meta::WHAT.clone_into(&mut meta.what);
        self.write_file(&self.dir.join(meta::FILE), &meta::to_bytes(&meta)?)?;
        self.state().meta = meta;
        self.audit(
            super::AuditAction::Change,
            super::AuditTarget::DataFolder,
            &format!(
                "records authenticated: {signed} records signed as they were found (securebase \
                 cannot vouch for what they held before); the {earlier} earlier audit entries \
                 are outside the chain"
            ),
        )
    }

    /// Every record file of the folder: clients, administrations, local norms, couples, tombstones,
    /// the audit log and its head.
    pub(super) fn record_paths(&self) -> Result<Vec<PathBuf>, StoreError> {
        let mut paths = record_files(&self.dir.join(super::CLIENTS))?;
        for client in fs::read_dir(self.dir.join(super::ADMINISTRATIONS))
            .into_iter()
            .flatten()
            .filter_map(Result::ok)
            .filter(|e| e.path().is_dir())
        {
            paths.extend(record_files(&client.path())?);
        }
        paths.extend(record_files(&self.dir.join(super::TOMBSTONES))?);
        paths.extend(record_files(&self.dir.join(super::AUDIT))?);
        for single in [
            super::LOCAL_NORMS,
            super::COUPLES,
            super::chain::HEAD,
            super::chain::EARLIER,
        ] {
            let path = self.dir.join(single);
            if path.is_file() {
                paths.push(path);
            }
        }
        Ok(paths)
    }
}

/// The `*.age` files of a folder, sorted (none when it does not exist).
pub(super) fn record_files(folder: &Path) -> Result<Vec<PathBuf>, StoreError> {
    let mut paths: Vec<PathBuf> = match fs::read_dir(folder) {
        Ok(entries) => entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "age"))
            .collect(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(e) => {
            return Err(StoreError::io(format!("cannot read {}", folder.display()))(
                e,
            ));
        }
    };
    paths.sort();
    Ok(paths)
}

/// What lies in a folder of records that is not one: each named, never silently skipped
/// (REDTEAM L11, M4). A record securebase wrote is a regular file `<name>.age`; the
/// temporaries of a write that died (`.securebase-….tmp`) are removed at open and not listed.
pub(super) fn strays(folder: &Path) -> Vec<StoreError> {
    let Ok(entries) = fs::read_dir(folder) else {
        return Vec::new();
    };
    let mut strays: Vec<(PathBuf, String)> = Vec::new();
    for entry in entries.filter_map(Result::ok) {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        // Exactly `age`: the case matters, as it does on the systems where an `.AGE` was
        // seen to vanish (REDTEAM L11).
        let extension = path.extension().and_then(|e| e.to_str());
        if name.starts_with(crate::atomic::TEMP_PREFIX) && extension == Some("tmp") {
            continue;
        }
        let kind = entry.file_type().ok().and_then(crate::safe_read::kind_of);
        let message = match kind {
            None if extension == Some("age") => continue,
            Some(kind) => format!("{kind}, not a record securebase wrote; it is not read"),
            None if extension.is_some_and(|e| e.eq_ignore_ascii_case("age")) => {
                "named with an upper-case extension: securebase writes and reads only \
                 `.age`; if it is a record, rename it to end in `.age`"
                    .to_owned()
            }
            None => "not a record securebase wrote (an unexpected file)".to_owned(),
        };
        strays.push((path, format!("{message}; it was left as it is")));
    }
    strays.sort();
    strays
        .into_iter()
        .map(|(path, message)| StoreError::Stray { path, message })
        .collect()
}

/// The envelope a file's plaintext is, if it is one (a bare record of an earlier format is
/// not: it has no `body`).
pub(super) fn envelope(plain: &[u8]) -> Option<Envelope> {
    #[derive(Deserialize)]
    struct Probe {
        body: Option<serde_json::Value>,
    }
    let probe: Probe = serde_json::from_slice(plain).ok()?;
    probe.body.as_ref()?;
    serde_json::from_slice(plain).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_are_read_from_paths() {
        assert_eq!(
            Place::of("clients/abc.age"),
            Place::Client("abc".to_owned())
        );
        assert_eq!(
            Place::of("administrations/c/a.age"),
            Place::Administration {
                client: "c".to_owned(),
                id: "a".to_owned()
            }
        );
        assert_eq!(Place::of("audit/x.age"), Place::Audit);
        assert_eq!(Place::of("local-norms.age"), Place::Other);
    }
}
