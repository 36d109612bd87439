//! The recovery key: a way back for a clinician who forgot their passphrase.
//!
//! `keys/recovery.age` holds an X25519 identity sealed with the recovery code (age's scrypt
//! recipient, the code's canonical text as passphrase; [`super::recovery_code`]), and
//! `keys/folder.age` is encrypted to its public key as well as to every clinician's own. The
//! code is printed once, on the recovery sheet, and kept nowhere else. With it a clinician gets
//! a new own key sealed with a new passphrase; the records are not touched.
//!
//! Making a new recovery key replaces the old: `keys/folder.age` is encrypted to the new one
//! and no longer to the old, then `keys/recovery.age` is rewritten, so the old sheet opens
//! nothing. (Interrupted between the two, neither code works until a new sheet is made; the
//! clinicians' passphrases are untouched.)

use age::secrecy::SecretString;
use age::x25519;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::attempts;
use super::audit::{AuditAction, AuditTarget};
use super::error::StoreError;
use super::keys::{KEYS, Keys, new_clinician};
use super::meta::Clinician;
use super::recovery_code::RecoveryCode;
use super::{Store, crypto};

/// The sealed recovery key.
pub const FILE: &str = "recovery.age";

/// What `securebase.json` says of the recovery key (in the clear: no secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recovery {
    /// Its public key (`age1…`): `keys/folder.age` is encrypted to it.
    pub public_key: String,
    /// When its sheet was made.
    pub created: Timestamp,
    /// By whom.
    pub made_by: String,
}

impl Store {
    /// The folder's recovery key, if one was made.
    pub fn recovery(&self) -> Option<Recovery> {
        self.state().meta.recovery.clone()
    }

    /// Makes a new recovery key (replacing any earlier one, whose sheet then opens nothing) and
    /// returns its code, to be printed on the sheet and kept nowhere else. Audited.
    pub fn new_recovery(&self, keys: &Keys) -> Result<RecoveryCode, StoreError> {
        let code = RecoveryCode::generate()?;
        let identity = x25519::Identity::generate();
        let created = Timestamp::now();
        let sealed = crypto::seal_identity(
            &identity,
            &code.secret(),
            crypto::DEFAULT_WORK_FACTOR.max(crypto::MIN_WORK_FACTOR),
            &created.to_string(),
        )?;
        let replaced = self.recovery().is_some();
        let mut meta = self.state().meta.clone();
        meta.recovery = Some(Recovery {
            public_key: identity.to_public().to_string(),
            created,
            made_by: keys.clinician.name.clone(),
        });
        // The folder key for the new recovery key, and no longer for the old one; then the
        // sealed key; then securebase.json names it.
        self.share_folder_key_with(&keys.identity, &meta.clinicians, meta.recovery.as_ref())?;
        self.write_key(&self.dir.join(KEYS).join(FILE), &sealed)?;
        self.write_meta(meta)?;
        self.audit(
            AuditAction::Create,
            AuditTarget::DataFolder,
            if replaced {
                "recovery sheet made; the earlier one no longer works"
            } else {
                "recovery sheet made"
            },
        )?;
        Ok(code)
    }

    /// Sets a new passphrase for the clinician called `who` with the recovery code, and
    /// unlocks as them. Their old passphrase stops working; the records are not touched. A
    /// wrong code counts as a wrong passphrase (the same waits after three).
    pub fn recover(
        &self,
        code: &RecoveryCode,
        who: &str,
        new_passphrase: &SecretString,
        work_factor: u8,
    ) -> Result<Keys, StoreError> {
        let tries = attempts::read(&self.dir);
        if let Some(wait) = tries.remaining(Timestamp::now()) {
            return Err(StoreError::TooManyAttempts {
                failed: tries.failed_in_a_row,
                wait,
            });
        }
        let meta = self.state().meta.clone();
        let clinician = meta
            .find(who)
            .cloned()
            .ok_or_else(|| StoreError::NoSuchClinician(who.trim().to_owned()))?;
        if meta.recovery.is_none() {
            return Err(StoreError::Invalid(
                "this data folder has no recovery key: a clinician who is unlocked can make \
                 one (Settings, Recovery sheet); nothing was changed"
                    .to_owned(),
            ));
        }
        let path = self.dir.join(KEYS).join(FILE);
        let Ok((recovery, _)) = self.open_key(&path, &code.secret())? else {
            return Err(self.wrong_passphrase(&tries, Some("the recovery key")));
        };
        let identity = self.open_folder_key(&recovery)?;
        let (fresh, own, sealed) = new_clinician(&clinician.name, new_passphrase, work_factor)?;
        let renewed = Clinician {
            public_key: fresh.public_key,
            ..clinician.clone()
        };
        let mut meta = meta;
        for c in &mut meta.clinicians {
            if c.id == renewed.id {
                *c = renewed.clone();
            }
        }
        // Their new key, the folder key for it (and not their old one), then securebase.json.
        self.write_key(&self.key_path(&renewed.id), &sealed)?;
        self.share_folder_key_with(&identity, &meta.clinicians, meta.recovery.as_ref())?;
        self.write_meta(meta)?;
        let keys = Keys::new(identity, renewed, own);
        self.unlocked(&tries, &keys)?;
        self.audit(
            AuditAction::PassphraseChange,
            AuditTarget::Clinician(&keys.clinician.id),
            "new passphrase set with the recovery sheet",
        )?;
        Ok(keys)
    }
}
