//! Removing a clinician replaces the folder's key, so that a copy of the old key that the
//! removed person kept opens nothing written from now on: a new folder key, every record
//! encrypted to it and signed again with its authentication key, `keys/folder.age` for the
//! clinicians who stay, and a `securebase.json` naming the new public key and not the removed
//! clinician.
//!
//! Atomic and kill-proof, in three steps:
//! 1. **stage**: everything new is written under `rotation.staging/`, each file atomically, in
//!    the same layout as the folder. Nothing of the folder changes. A kill here leaves a stage
//!    that the next open removes: the folder opens with the old keys.
//! 2. **commit**: `rotation.staging/` is renamed `rotation/`, one atomic rename. From here on
//!    the new keys are the folder's.
//! 3. **roll forward**: each file of `rotation/` is renamed over its old self,
//!    `securebase.json` last, then `rotation/` is removed. A kill part-way is finished by the
//!    next open, before `securebase.json` is read ([`finish`]): the folder opens with the new
//!    keys, never with neither.
//!
//! A record that cannot be decrypted with the old key is left as it is (it is reported as
//! unreadable, as before). A record whose authentication did not check keeps its old MAC and
//! so stays set apart; an audit entry from before authentication keeps having none.

use std::fs;
use std::path::{Path, PathBuf};

use age::x25519;
use jiff::Timestamp;

use super::auth::{MacKey, Signer};
use super::error::StoreError;
use super::lock::Lock;
use super::meta::{self, Clinician};
use super::sealed::{Place, envelope};
use super::{AuditAction, AuditTarget, Keys, Store, crypto};

/// Where the new files are written before the commit.
const STAGE: &str = "rotation.staging";
/// The stage once committed: rolled forward at every open until empty.
const COMMITTED: &str = "rotation";

/// Finishes a committed rotation (or discards one not committed) in `dir`, holding its lock.
pub(super) fn finish(dir: &Path, lock: &Lock) -> Result<(), StoreError> {
    let stage = dir.join(STAGE);
    if stage.exists() {
        fs::remove_dir_all(&stage).map_err(StoreError::io(format!(
            "cannot remove the unfinished key replacement {}",
            stage.display()
        )))?;
    }
    let committed = dir.join(COMMITTED);
    if !committed.is_dir() {
        return Ok(());
    }
    lock.writing(|| {
        let mut files = Vec::new();
        walk(&committed, &mut files)?;
        // securebase.json last: until it moves, the folder's key is told by the old one, and
        // the rename of every other file is still to be finished by the next open.
        files.sort_by_key(|p| p.ends_with(meta::FILE));
        for file in files {
            let relative = file.strip_prefix(&committed).unwrap_or(&file);
            let target = dir.join(relative);
            create_parent(&target)?;
            crate::atomic::rename_durably(&file, &target).map_err(StoreError::io(format!(
                "cannot move {} into place",
                file.display()
            )))?;
        }
        fs::remove_dir_all(&committed).map_err(StoreError::io(format!(
            "cannot remove {}",
            committed.display()
        )))
    })
}

/// Creates the folder `path` goes in.
fn create_parent(path: &Path) -> Result<(), StoreError> {
    match path.parent() {
        Some(parent) => super::create_private_dir(parent).map_err(StoreError::io(format!(
            "cannot create {}",
            parent.display()
        ))),
        None => Ok(()),
    }
}

/// Every file under `folder`.
fn walk(folder: &Path, out: &mut Vec<PathBuf>) -> Result<(), StoreError> {
    let entries = fs::read_dir(folder)
        .map_err(StoreError::io(format!("cannot read {}", folder.display())))?;
    for entry in entries.filter_map(Result::ok) {
        let path = entry.path();
        if path.is_dir() {
            walk(&path, out)?;
        } else {
            out.push(path);
        }
    }
    Ok(())
}

impl Store {
    /// Removes the clinician called `who` (name or id) and replaces the folder's key (see the
    /// module's doc). Needs another clinician unlocked: nobody removes themselves, and the last
    /// clinician stays. `keys` becomes the new folder key's.
    pub fn remove_clinician(&self, keys: &mut Keys, who: &str) -> Result<Clinician, StoreError> {
        let meta = self.state().meta.clone();
        let removed = meta
            .find(who)
            .cloned()
            .ok_or_else(|| StoreError::NoSuchClinician(who.trim().to_owned()))?;
        if removed.id == keys.clinician.id {
            return Err(StoreError::Invalid(format!(
                "{} is the clinician who unlocked: another clinician removes them; nothing was \
                 changed",
                removed.name
            )));
        }
        let staying: Vec<Clinician> = meta
            .clinicians
            .iter()
            .filter(|c| c.id != removed.id)
            .cloned()
            .collect();
        let identity = x25519::Identity::generate();
        let count = self.stage(keys, &identity, &meta, &staying)?;
        let stage = self.dir.join(STAGE);
        let committed = self.dir.join(COMMITTED);
        self.lock.writing(|| {
            crate::atomic::rename_durably(&stage, &committed).map_err(StoreError::io(format!(
                "cannot commit the new keys ({})",
                stage.display()
            )))
        })?;
        finish(&self.dir, &self.lock)?;
        let mac = MacKey::of_folder(&identity);
        let replaced = meta::read(&self.dir)?;
        {
            let mut guard = self.state();
            guard.meta = replaced;
            guard.signer = Some(Signer::Folder(mac.clone()));
        }
        keys.identity = identity;
        keys.mac = mac;
        self.finish_migration()?;
        self.audit(
            AuditAction::Change,
            AuditTarget::Clinician(&removed.id),
            &format!(
                "clinician {} removed; the folder key was replaced and {count} records \
                 encrypted to the new one",
                removed.name
            ),
        )?;
        Ok(removed)
    }

    /// Writes the new folder under `rotation.staging/`: every record encrypted to `identity`
    /// (signed again with its key when its old MAC checked), `keys/folder.age` for `staying`,
    /// and `securebase.json`. Returns how many records.
    fn stage(
        &self,
        keys: &Keys,
        identity: &x25519::Identity,
        meta: &meta::Meta,
        staying: &[Clinician],
    ) -> Result<usize, StoreError> {
        let stage = self.dir.join(STAGE);
        if stage.exists() {
            fs::remove_dir_all(&stage)
                .map_err(StoreError::io(format!("cannot remove {}", stage.display())))?;
        }
        let recipient = identity.to_public();
        let signer = Signer::Folder(MacKey::of_folder(identity));
        let write = |relative: &str, bytes: &[u8]| -> Result<(), StoreError> {
            let path = stage.join(relative);
            create_parent(&path)?;
            crate::atomic::write_atomic(&path, bytes)
                .map_err(StoreError::io(format!("cannot write {}", path.display())))
        };
        let mut count = 0;
        for path in self.record_paths()? {
            let relative = self.relative(&path);
            let Ok(sealed) = crate::safe_read::read_regular(&path, 64 << 20) else {
                continue;
            };
            let Ok(plain) = crypto::decrypt(&keys.identity, &sealed) else {
                continue;
            };
            let plain = match envelope(&plain) {
                Some(old) => match old.verify(&keys.mac, &relative) {
                    Ok(vouched) => {
                        if let super::auth::Vouched::Session(scope) = &vouched
                            && Place::of(&relative).in_scope(scope).is_err()
                        {
                            plain
                        } else {
                            let resigned = super::auth::Envelope {
                                auth: Some(signer.sign(&relative, &old.body)),
                                body: old.body,
                            };
                            serde_json::to_vec(&resigned)
                                .map_err(|e| StoreError::Crypto(e.to_string()))?
                        }
                    }
                    Err(_) => plain,
                },
                None => plain,
            };
            write(&relative, &crypto::encrypt(&recipient, &plain)?)?;
            count += 1;
        }
        // The recovery key stays a way in: its sheet still works after a removal.
        let recipients = super::keys::folder_recipients(staying, meta.recovery.as_ref())?;
        let created = Timestamp::now().to_string();
        write(
            &format!("{}/folder.age", super::keys::KEYS),
            &crypto::share_identity(identity, &recipients, &created)?,
        )?;
        let mut new_meta = meta.clone();
        new_meta.public_key = recipient.to_string();
        new_meta.clinicians = staying.to_vec();
        write(meta::FILE, &meta::to_bytes(&new_meta)?)?;
        Ok(count)
    }
}
