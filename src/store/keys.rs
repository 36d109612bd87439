//! Who can unlock a data folder: its clinicians, each with their own passphrase.
//!
//! Two levels, so that the folder's key can be replaced without anyone's passphrase (removing a
//! clinician, a recovery):
//! - the **folder key**: one X25519 identity per data folder; every record is encrypted to its
//!   public key (in `securebase.json`). `keys/folder.age` holds it, encrypted to every
//!   clinician's own public key (a standard multi-recipient age file);
//! - each **clinician's own key**: an X25519 identity, `keys/<clinician id>.age`, sealed with
//!   that clinician's passphrase (age's scrypt recipient), beside its checksum
//!   (`keys/<id>.age.sha256`). Its public key and the clinician's name are in
//!   `securebase.json`, so that the unlock screen can ask who is unlocking.
//!
//! Unlocking: passphrase → own key → `keys/folder.age` → folder key. The audit log names the
//! clinician who unlocked, and in client mode the one who started the session.
//!
//! A folder made by securebase 0.1.0 has one `identity.age` (the folder key sealed with the one
//! shared passphrase). At its first unlock that passphrase becomes the first clinician's, in
//! atomic steps ordered so that a kill at any point leaves a folder that opens with it: their
//! own key and `keys/folder.age` are written, then `securebase.json` names them (the step that
//! counts), then `identity.age` goes.

use std::fs;
use std::path::{Path, PathBuf};

use age::secrecy::SecretString;
use age::x25519;
use jiff::Timestamp;

use super::attempts;
use super::audit::{AuditAction, AuditTarget};
use super::auth::{MacKey, Signer};
use super::checksum;
use super::crypto;
use super::error::StoreError;
use super::ids::new_id;
use super::meta::{self, Clinician, Meta};
use super::{IDENTITY, Store};

/// The folder of the clinicians' sealed keys.
pub const KEYS: &str = "keys";
/// The most bytes a sealed key file may have: a few hundred are written (REDTEAM M4).
const KEY_CAP: u64 = 64 << 10;
/// The folder key, encrypted to every clinician's own key.
const FOLDER_KEY: &str = "folder.age";
/// What the first clinician of a migrated folder is called until they say otherwise.
pub const FIRST_CLINICIAN: &str = "Clinician 1";
/// The longest clinician name.
const MAX_NAME: usize = 80;

/// The unlocked folder key, and who unlocked it: what reading records needs.
pub struct Keys {
    pub(super) identity: x25519::Identity,
    /// The clinician whose passphrase unlocked it.
    pub clinician: Clinician,
    /// That clinician's own key (to seal it again under a new passphrase).
    own: x25519::Identity,
    /// The folder's authentication key, derived from the folder key: what checks every
    /// record's MAC.
    pub(super) mac: MacKey,
}

impl Keys {
    /// The folder key, unlocked by `clinician` with their `own` key.
    pub(super) fn new(
        identity: x25519::Identity,
        clinician: Clinician,
        own: x25519::Identity,
    ) -> Self {
        Self {
            mac: MacKey::of_folder(&identity),
            identity,
            clinician,
            own,
        }
    }
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Keys(unlocked by {})", self.clinician.name)
    }
}

/// A sealed key that did not open, and why.
pub(super) enum Refused {
    /// Not this clinician's passphrase.
    Wrong,
    /// The file does not match its checksum.
    Damaged(PathBuf),
}

impl Store {
    /// The path of a clinician's sealed key.
    pub(super) fn key_path(&self, clinician_id: &str) -> PathBuf {
        self.dir.join(KEYS).join(format!("{clinician_id}.age"))
    }

    /// The folder's clinicians, in the order they were added (none before a folder from
    /// securebase 0.1.0 is first unlocked).
    pub fn clinicians(&self) -> Vec<Clinician> {
        self.state().meta.clinicians.clone()
    }

    /// Unlocks with any clinician's passphrase: [`Store::unlock_as`] without a name.
    pub fn unlock(&self, passphrase: &SecretString) -> Result<Keys, StoreError> {
        self.unlock_as(None, passphrase)
    }

    /// Unlocks the private key with the passphrase of the clinician called `who` (by name or
    /// id), or of whichever clinician's it is when `who` is `None` (each key is tried: with
    /// several clinicians, naming one is quicker).
    ///
    /// A wrong passphrase is logged and is [`StoreError::WrongPassphrase`]; after
    /// three of them in a row (`attempts::FREE_TRIES`), each next try waits longer
    /// ([`StoreError::TooManyAttempts`], nothing tried), across restarts. A sealed key that does
    /// not match its checksum is [`StoreError::DamagedIdentity`], not a wrong passphrase.
    /// The audit log names the clinician from now on. A folder from securebase 0.1.0 is
    /// migrated: its one passphrase becomes the first clinician's, called `who` (or
    /// [`FIRST_CLINICIAN`]).
    pub fn unlock_as(
        &self,
        who: Option<&str>,
        passphrase: &SecretString,
    ) -> Result<Keys, StoreError> {
        let tries = attempts::read(&self.dir);
        if let Some(wait) = tries.remaining(Timestamp::now()) {
            self.audit(
                AuditAction::FailedUnlock,
                AuditTarget::Nothing,
                &format!(
                    "refused without trying: {} wrong passphrases in a row, {} still to wait",
                    tries.failed_in_a_row,
                    attempts::say(wait)
                ),
            )?;
            return Err(StoreError::TooManyAttempts {
                failed: tries.failed_in_a_row,
                wait,
            });
        }
        let meta = self.state().meta.clone();
        let opened = if meta.clinicians.is_empty() {
            let path = self.dir.join(IDENTITY);
            match self.open_key(&path, passphrase)? {
                Ok((folder_key, sealed)) => {
                    let name = who.map_or(FIRST_CLINICIAN, str::trim);
                    let (clinician, own) = self.migrate(&folder_key, &sealed, name, passphrase)?;
                    Ok((own, clinician))
                }
                Err(refused) => Err(refused),
            }
        } else {
            let candidates: Vec<&Clinician> = match who {
                Some(query) => vec![
                    meta.find(query)
                        .ok_or_else(|| StoreError::NoSuchClinician(query.trim().to_owned()))?,
                ],
                None => meta.clinicians.iter().collect(),
            };
            // Trying every clinician's key, one that cannot be read must not stop the others;
            // naming one, its problem is the answer.
            let single = candidates.len() == 1;
            let mut outcome = Err(Refused::Wrong);
            let mut problem = None;
            for clinician in candidates {
                match self.open_key(&self.key_path(&clinician.id), passphrase) {
                    Ok(Ok((identity, _))) => {
                        outcome = Ok((identity, clinician.clone()));
                        break;
                    }
                    Ok(Err(Refused::Damaged(path))) if single => {
                        outcome = Err(Refused::Damaged(path));
                    }
                    Ok(Err(_)) => {}
                    Err(e) => problem = Some(e),
                }
            }
            if let (Err(Refused::Wrong), Some(e), true) = (&outcome, problem, single) {
                return Err(e);
            }
            outcome
        };
        let (own, clinician) = match opened {
            Ok(found) => found,
            Err(Refused::Damaged(path)) => {
                self.audit(
                    AuditAction::FailedUnlock,
                    AuditTarget::Nothing,
                    &format!(
                        "{} is damaged (it does not match its checksum)",
                        relative(&self.dir, &path)
                    ),
                )?;
                return Err(StoreError::DamagedIdentity { path });
            }
            Err(Refused::Wrong) => return Err(self.wrong_passphrase(&tries, who)),
        };
        if own.to_public().to_string() != clinician.public_key {
            return Err(StoreError::Corrupt {
                path: self.key_path(&clinician.id),
                message: format!("is not {}'s key (its public key differs)", clinician.name),
            });
        }
        let identity = self.open_folder_key(&own)?;
        let keys = Keys::new(identity, clinician, own);
        self.unlocked(&tries, &keys)?;
        if self.state().meta.format < meta::AUTHENTICATED {
            self.authenticate_folder(&keys)?;
        }
        Ok(keys)
    }

    /// What follows a right passphrase (or recovery code): the count of wrong ones starts
    /// again, and from now on the audit log names `keys`' clinician and records are signed
    /// with the folder's key.
    pub(super) fn unlocked(
        &self,
        tries: &attempts::Attempts,
        keys: &Keys,
    ) -> Result<(), StoreError> {
        if *tries != attempts::Attempts::default() {
            self.remove_if_there(&self.dir.join(attempts::FILE))?;
        }
        let mut state = self.state();
        state.actor = Some(keys.clinician.clone());
        state.signer = Some(Signer::Folder(keys.mac.clone()));
        Ok(())
    }

    /// The folder key, from `keys/folder.age` with a clinician's own key; it must be the key
    /// the records are encrypted to.
    pub(super) fn open_folder_key(
        &self,
        own: &x25519::Identity,
    ) -> Result<x25519::Identity, StoreError> {
        let path = self.dir.join(KEYS).join(FOLDER_KEY);
        let shared = crate::safe_read::read_regular(&path, KEY_CAP)?;
        let identity = crypto::open_shared_identity(own, &shared).map_err(|e| match e {
            StoreError::Corrupt { message, .. } => StoreError::Corrupt {
                path: path.clone(),
                message,
            },
            other => other,
        })?;
        if identity.to_public().to_string() != self.state().meta.public_key {
            return Err(StoreError::Corrupt {
                path,
                message: "this key does not belong to this data folder's public key".to_owned(),
            });
        }
        Ok(identity)
    }

    /// Writes `keys/folder.age`: the folder key, for each of `clinicians` and the folder's
    /// recovery key.
    pub(super) fn share_folder_key(
        &self,
        identity: &x25519::Identity,
        clinicians: &[Clinician],
    ) -> Result<(), StoreError> {
        let recovery = self.state().meta.recovery.clone();
        self.share_folder_key_with(identity, clinicians, recovery.as_ref())
    }

    /// Writes `keys/folder.age` for `clinicians` and `recovery`.
    pub(super) fn share_folder_key_with(
        &self,
        identity: &x25519::Identity,
        clinicians: &[Clinician],
        recovery: Option<&super::recovery::Recovery>,
    ) -> Result<(), StoreError> {
        let shared = crypto::share_identity(
            identity,
            &folder_recipients(clinicians, recovery)?,
            &Timestamp::now().to_string(),
        )?;
        self.write_file(&self.dir.join(KEYS).join(FOLDER_KEY), &shared)
    }

    /// Forgets who unlocked: audit entries from now on name nobody until the next unlock.
    /// (Client mode keeps the clinician who started the session: it is not a lock.)
    pub fn forget_clinician(&self) {
        let mut state = self.state();
        state.actor = None;
        state.signer = None;
    }

    /// Opens the sealed key at `path`: the key and the sealed bytes, or why not. A damaged
    /// file is told apart from a wrong passphrase by its checksum; a folder without one (made
    /// before it existed) gets it once the key is known good.
    pub(super) fn open_key(
        &self,
        path: &Path,
        passphrase: &SecretString,
    ) -> Result<Result<(x25519::Identity, Vec<u8>), Refused>, StoreError> {
        let sealed = crate::safe_read::read_regular(path, KEY_CAP)?;
        match crypto::open_identity(&sealed, passphrase) {
            Ok(identity) => {
                if checksum::matches(path, &sealed).is_none() {
                    let text = checksum::text(path, &[&checksum::sha256_hex(&sealed)]);
                    self.write_file(&checksum::path_for(path), text.as_bytes())?;
                }
                Ok(Ok((identity, sealed)))
            }
            Err(StoreError::WrongPassphrase) => {
                if checksum::matches(path, &sealed) == Some(false) {
                    Ok(Err(Refused::Damaged(path.to_path_buf())))
                } else {
                    Ok(Err(Refused::Wrong))
                }
            }
            Err(StoreError::Corrupt { message, .. }) => Err(StoreError::Corrupt {
                path: path.to_path_buf(),
                message,
            }),
            Err(other) => Err(other),
        }
    }

    /// Counts a wrong passphrase (atomically, so that the count survives a kill) and logs it.
    pub(super) fn wrong_passphrase(
        &self,
        tries: &attempts::Attempts,
        who: Option<&str>,
    ) -> StoreError {
        let now = Timestamp::now();
        let tries = tries.after_failure(now);
        let next = attempts::wait_after(tries.failed_in_a_row);
        let mut detail = match who {
            Some(name) => format!("wrong passphrase for {}", name.trim()),
            None => "wrong passphrase".to_owned(),
        };
        if !next.is_zero() {
            use std::fmt::Write as _;
            let _ = write!(
                detail,
                " ({} in a row; the next try waits {})",
                tries.failed_in_a_row,
                attempts::say(next)
            );
        }
        let counted = self.write_file(&self.dir.join(attempts::FILE), &attempts::to_bytes(&tries));
        match counted
            .and_then(|()| self.audit(AuditAction::FailedUnlock, AuditTarget::Nothing, &detail))
        {
            Ok(()) => StoreError::WrongPassphrase,
            Err(e) => e,
        }
    }

    /// Writes a sealed key and its checksum, each atomically, in an order that leaves the key
    /// on disk listed in its checksum whenever a kill comes: the checksum listing the old and
    /// the new hash, the key, then the checksum listing the new one only.
    pub(super) fn write_key(&self, path: &Path, sealed: &[u8]) -> Result<(), StoreError> {
        if let Some(folder) = path.parent() {
            super::create_private_dir(folder).map_err(StoreError::io(format!(
                "cannot create {}",
                folder.display()
            )))?;
        }
        let sum = checksum::path_for(path);
        let new = checksum::sha256_hex(sealed);
        if let Ok(old) = crate::safe_read::read_regular(path, KEY_CAP) {
            let both = checksum::text(path, &[&checksum::sha256_hex(&old), &new]);
            self.write_file(&sum, both.as_bytes())?;
        }
        self.write_file(path, sealed)?;
        self.write_file(&sum, checksum::text(path, &[&new]).as_bytes())
    }

    /// Writes `securebase.json` (atomically) and keeps it as this store's description.
    pub(super) fn write_meta(&self, meta: Meta) -> Result<(), StoreError> {
        self.write_file(&self.dir.join(meta::FILE), &meta::to_bytes(&meta)?)?;
        self.state().meta = meta;
        Ok(())
    }

    /// A folder from securebase 0.1.0: its one passphrase becomes the first clinician's, whose
    /// own key is sealed at the work factor the old key had (never below this build's floor).
    fn migrate(
        &self,
        folder_key: &x25519::Identity,
        sealed: &[u8],
        name: &str,
        passphrase: &SecretString,
    ) -> Result<(Clinician, x25519::Identity), StoreError> {
        let work_factor = crypto::work_factor_of(sealed)
            .unwrap_or(crypto::DEFAULT_WORK_FACTOR)
            .max(crypto::MIN_WORK_FACTOR);
        let (clinician, own, own_sealed) = new_clinician(name, passphrase, work_factor)?;
        self.write_key(&self.key_path(&clinician.id), &own_sealed)?;
        self.share_folder_key(folder_key, std::slice::from_ref(&clinician))?;
        let mut meta = self.state().meta.clone();
        meta.format = meta::CLINICIANS;
        meta.clinicians = vec![clinician.clone()];
        self.write_meta(meta)?;
        self.state().actor = Some(clinician.clone());
        self.finish_migration()?;
        self.audit(
            AuditAction::Change,
            AuditTarget::DataFolder,
            "clinicians: the one shared passphrase became the first clinician's",
        )?;
        Ok((clinician, own))
    }

    /// Removes what an interrupted change of the keys leaves behind, once `securebase.json`
    /// names the clinicians: the old `identity.age` of a migration killed after its last step
    /// but one, and a sealed key that no clinician is named for (a kill between writing a new
    /// clinician's key and naming them). Such a key opens the folder with some passphrase
    /// nobody was given; it must not stay.
    pub(super) fn finish_migration(&self) -> Result<(), StoreError> {
        let named: Vec<String> = {
            let state = self.state();
            if state.meta.clinicians.is_empty() {
                return Ok(());
            }
            state.meta.clinicians.iter().map(|c| c.id.clone()).collect()
        };
        let mut leftovers = vec![
            self.dir.join(IDENTITY),
            checksum::path_for(&self.dir.join(IDENTITY)),
        ];
        if let Ok(entries) = fs::read_dir(self.dir.join(KEYS)) {
            for entry in entries.filter_map(Result::ok) {
                let name = entry.file_name().to_string_lossy().into_owned();
                let id = name
                    .strip_suffix(".age.sha256")
                    .or_else(|| name.strip_suffix(".age"));
                if let Some(id) = id
                    && super::ids::is_id(id)
                    && !named.iter().any(|n| n == id)
                {
                    leftovers.push(entry.path());
                }
            }
        }
        for old in leftovers {
            self.remove_if_there(&old)?;
        }
        Ok(())
    }

    /// Removes a file of the data folder (while no backup reads it); one already gone is fine.
    pub(super) fn remove_if_there(&self, path: &Path) -> Result<(), StoreError> {
        self.lock.writing(|| match fs::remove_file(path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(StoreError::io(format!(
                "cannot remove {}",
                path.display()
            ))(e)),
            _ => Ok(()),
        })
    }

    /// Adds a clinician called `name` with their own `passphrase`; needs an unlocked one.
    /// The name must be new (case-insensitive), and so must the passphrase: each passphrase
    /// names one clinician in the audit log.
    pub fn add_clinician(
        &self,
        keys: &Keys,
        name: &str,
        passphrase: &SecretString,
        work_factor: u8,
    ) -> Result<Clinician, StoreError> {
        let name = checked_name(name)?;
        let mut meta = self.state().meta.clone();
        if meta.find(&name).is_some() {
            return Err(StoreError::Invalid(format!(
                "there is already a clinician called {name:?}; nothing was changed"
            )));
        }
        for other in &meta.clinicians {
            if let Ok(sealed) = crate::safe_read::read_regular(&self.key_path(&other.id), KEY_CAP)
                && crypto::open_identity(&sealed, passphrase).is_ok()
            {
                return Err(StoreError::Invalid(
                    "that passphrase is already another clinician's: each clinician needs their \
                     own; nothing was changed"
                        .to_owned(),
                ));
            }
        }
        let (clinician, _, sealed) = new_clinician(&name, passphrase, work_factor)?;
        self.write_key(&self.key_path(&clinician.id), &sealed)?;
        meta.clinicians.push(clinician.clone());
        self.share_folder_key(&keys.identity, &meta.clinicians)?;
        // The clinician exists once securebase.json names them; a key file without a name
        // (a kill just before) is removed at the next open and never tried.
        self.write_meta(meta)?;
        self.audit(
            AuditAction::Create,
            AuditTarget::Clinician(&clinician.id),
            &format!("clinician {} added", clinician.name),
        )?;
        Ok(clinician)
    }

    /// Renames the clinician called `who` (name or id) to `to` (checked, and new). Audit
    /// entries already written keep the name they had; the entry of the change names both.
    /// Needs an unlocked clinician (`_keys` is the proof).
    pub fn rename_clinician(
        &self,
        _keys: &Keys,
        who: &str,
        to: &str,
    ) -> Result<Clinician, StoreError> {
        let to = checked_name(to)?;
        let mut meta = self.state().meta.clone();
        let id = meta
            .find(who)
            .map(|c| c.id.clone())
            .ok_or_else(|| StoreError::NoSuchClinician(who.trim().to_owned()))?;
        if meta.find(&to).is_some_and(|c| c.id != id) {
            return Err(StoreError::Invalid(format!(
                "there is already a clinician called {to:?}; nothing was changed"
            )));
        }
        let clinician = meta
            .clinicians
            .iter_mut()
            .find(|c| c.id == id)
            .ok_or_else(|| StoreError::NoSuchClinician(who.trim().to_owned()))?;
        let before = std::mem::replace(&mut clinician.name, to);
        let renamed = clinician.clone();
        self.write_meta(meta)?;
        {
            let mut state = self.state();
            if state.actor.as_ref().is_some_and(|a| a.id == renamed.id) {
                state.actor = Some(renamed.clone());
            }
        }
        self.audit(
            AuditAction::Change,
            AuditTarget::Clinician(&renamed.id),
            &format!("clinician {before} renamed {}", renamed.name),
        )?;
        Ok(renamed)
    }

    /// Seals the unlocking clinician's own key again with a new passphrase. Records and the
    /// folder key are untouched: only their key file and its checksum are rewritten.
    pub fn change_passphrase(
        &self,
        keys: &Keys,
        new_passphrase: &SecretString,
        work_factor: u8,
    ) -> Result<(), StoreError> {
        let sealed = crypto::seal_identity(
            &keys.own,
            new_passphrase,
            work_factor,
            &Timestamp::now().to_string(),
        )?;
        self.write_key(&self.key_path(&keys.clinician.id), &sealed)?;
        self.audit(
            AuditAction::PassphraseChange,
            AuditTarget::Clinician(&keys.clinician.id),
            "",
        )
    }
}

/// A new clinician called `name` (checked), their own key, freshly made, and that key sealed
/// with their `passphrase`: what set-up, migration and adding a clinician each write.
pub(super) fn new_clinician(
    name: &str,
    passphrase: &SecretString,
    work_factor: u8,
) -> Result<(Clinician, x25519::Identity, Vec<u8>), StoreError> {
    let own = x25519::Identity::generate();
    let clinician = Clinician {
        id: new_id()?,
        name: checked_name(name)?,
        added: Timestamp::now(),
        public_key: own.to_public().to_string(),
    };
    let sealed =
        crypto::seal_identity(&own, passphrase, work_factor, &clinician.added.to_string())?;
    Ok((clinician, own, sealed))
}

/// Who `keys/folder.age` is encrypted to: every clinician's own key, and the recovery key.
pub(super) fn folder_recipients(
    clinicians: &[Clinician],
    recovery: Option<&super::recovery::Recovery>,
) -> Result<Vec<x25519::Recipient>, StoreError> {
    let mut recipients = clinicians
        .iter()
        .map(|c| {
            crypto::parse_recipient(&c.public_key).map_err(|e| {
                StoreError::Invalid(format!("{}'s public key does not parse: {e}", c.name))
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    if let Some(r) = recovery {
        recipients.push(crypto::parse_recipient(&r.public_key).map_err(|e| {
            StoreError::Invalid(format!("the recovery key's public key does not parse: {e}"))
        })?);
    }
    Ok(recipients)
}

/// A clinician's name, trimmed: not empty, not too long, one line.
pub(super) fn checked_name(name: &str) -> Result<String, StoreError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(StoreError::Invalid(
            "a clinician needs a name (what the audit log calls them)".to_owned(),
        ));
    }
    if name.chars().count() > MAX_NAME || name.chars().any(char::is_control) {
        return Err(StoreError::Invalid(format!(
            "a clinician's name is one line of at most {MAX_NAME} characters"
        )));
    }
    Ok(name.to_owned())
}

fn relative(dir: &Path, path: &Path) -> String {
    path.strip_prefix(dir).unwrap_or(path).display().to_string()
}
