//! Encryption at rest in the standard age format (age-encryption.org/v1).
//!
//! Records are encrypted to the store's X25519 public key, which is kept in the clear, so
//! that client mode can save answers without anything being unlocked. The matching identity
//! (private key) is itself an age file encrypted with the clinician's passphrase (scrypt), and
//! its plaintext is a standard age identity file, so that the `age` command-line tool can use it
//! directly: `age -d -i keys/<clinician id>.age clients/<id>.age`.

use std::str::FromStr;

use age::secrecy::{ExposeSecret, SecretString};
use age::x25519;

use super::error::StoreError;

/// scrypt work factor (log2 N) for the passphrase: 2^17 with r = 8, p = 1, OWASP's recommended
/// minimum for scrypt. Unlocking costs about half a second and 128 MiB here, which makes each
/// guess at a stolen identity file expensive while keeping start-up quick. (age's own default,
/// tuned to one second, is 2^18.) The factor is stored in each sealed key, so it can be raised
/// later without breaking anything.
pub const DEFAULT_WORK_FACTOR: u8 = 17;

/// The lowest work factor a release build seals with, whatever `SECUREBASE_SCRYPT_WORK_FACTOR`
/// says: the default, OWASP's minimum (REDTEAM L8: `=1` sealed a real folder's key at 2^1).
/// Debug builds (the tests) go lower, so that unlocking in a test takes milliseconds.
pub const MIN_WORK_FACTOR: u8 = if cfg!(debug_assertions) {
    1
} else {
    DEFAULT_WORK_FACTOR
};

/// The highest work factor accepted when unlocking (age's own limit).
const MAX_WORK_FACTOR: u8 = 22;

/// Encrypts `plaintext` to `recipient`.
pub fn encrypt(recipient: &x25519::Recipient, plaintext: &[u8]) -> Result<Vec<u8>, StoreError> {
    age::encrypt(recipient, plaintext).map_err(|e| StoreError::Crypto(e.to_string()))
}

/// Decrypts an age file with the store's identity.
pub fn decrypt(identity: &x25519::Identity, ciphertext: &[u8]) -> Result<Vec<u8>, String> {
    age::decrypt(identity, ciphertext).map_err(|e| e.to_string())
}

/// Parses a public key (`age1…`).
pub fn parse_recipient(text: &str) -> Result<x25519::Recipient, String> {
    x25519::Recipient::from_str(text.trim()).map_err(str::to_owned)
}

/// The identity file's plaintext: comments, then the secret key, as `age-keygen` writes it.
fn identity_text(identity: &x25519::Identity, created: &str) -> SecretString {
    SecretString::from(format!(
        "# securebase identity, format 1\n# created: {created}\n# public key: {}\n{}\n",
        identity.to_public(),
        identity.to_string().expose_secret()
    ))
}

/// Seals `identity` with `passphrase` (scrypt at `work_factor`).
pub fn seal_identity(
    identity: &x25519::Identity,
    passphrase: &SecretString,
    work_factor: u8,
    created: &str,
) -> Result<Vec<u8>, StoreError> {
    if work_factor < MIN_WORK_FACTOR {
        return Err(StoreError::Invalid(format!(
            "a key-derivation work factor of {work_factor} is below the {MIN_WORK_FACTOR} this \
             build accepts; nothing was changed"
        )));
    }
    let mut recipient = age::scrypt::Recipient::new(passphrase.clone());
    recipient.set_work_factor(work_factor);
    let text = identity_text(identity, created);
    age::encrypt(&recipient, text.expose_secret().as_bytes())
        .map_err(|e| StoreError::Crypto(e.to_string()))
}

/// Opens a sealed identity. A wrong passphrase is [`StoreError::WrongPassphrase`]; anything
/// else wrong with the file is [`StoreError::Corrupt`] (with `path` filled in by the caller).
pub fn open_identity(
    sealed: &[u8],
    passphrase: &SecretString,
) -> Result<x25519::Identity, StoreError> {
    let mut identity = age::scrypt::Identity::new(passphrase.clone());
    identity.set_max_work_factor(MAX_WORK_FACTOR);
    let plaintext = age::decrypt(&identity, sealed).map_err(|e| match e {
        age::DecryptError::DecryptionFailed | age::DecryptError::NoMatchingKeys => {
            StoreError::WrongPassphrase
        }
        other => StoreError::Corrupt {
            path: "the sealed key".into(),
            message: other.to_string(),
        },
    })?;
    identity_from_text(plaintext)
}

/// The identity in an identity file's plaintext (comments, then `AGE-SECRET-KEY-…`).
fn identity_from_text(plaintext: Vec<u8>) -> Result<x25519::Identity, StoreError> {
    let text = String::from_utf8(plaintext).map_err(|_| StoreError::Corrupt {
        path: "the sealed key".into(),
        message: "the identity is not text".to_owned(),
    })?;
    let key = text
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with("AGE-SECRET-KEY-"))
        .ok_or_else(|| StoreError::Corrupt {
            path: "the sealed key".into(),
            message: "no secret key in the identity".to_owned(),
        })?;
    x25519::Identity::from_str(key).map_err(|e| StoreError::Corrupt {
        path: "the sealed key".into(),
        message: format!("the secret key does not parse: {e}"),
    })
}

/// Encrypts the identity file of `identity` to every one of `recipients` (the clinicians' own
/// keys): any one of them opens it, with `age -d -i`.
pub fn share_identity(
    identity: &x25519::Identity,
    recipients: &[x25519::Recipient],
    created: &str,
) -> Result<Vec<u8>, StoreError> {
    let text = identity_text(identity, created);
    let encryptor =
        age::Encryptor::with_recipients(recipients.iter().map(|r| r as &dyn age::Recipient))
            .map_err(|e| StoreError::Crypto(e.to_string()))?;
    let mut out = Vec::new();
    let write = |out: &mut Vec<u8>| -> std::io::Result<()> {
        use std::io::Write as _;
        let mut writer = encryptor.wrap_output(out)?;
        writer.write_all(text.expose_secret().as_bytes())?;
        writer.finish().map(|_| ())
    };
    write(&mut out).map_err(|e| StoreError::Crypto(e.to_string()))?;
    Ok(out)
}

/// Opens an identity shared with [`share_identity`] with one of its recipients' identities.
/// The caller names the file in a [`StoreError::Corrupt`].
pub fn open_shared_identity(
    with: &x25519::Identity,
    shared: &[u8],
) -> Result<x25519::Identity, StoreError> {
    let plaintext = age::decrypt(with, shared).map_err(|e| StoreError::Corrupt {
        path: "the shared key".into(),
        message: format!("cannot be opened with this clinician's key ({e})"),
    })?;
    identity_from_text(plaintext)
}

/// The scrypt work factor a sealed key was made with (its header's `-> scrypt SALT N` line),
/// so that a key sealed again for the same passphrase costs as much to guess.
pub fn work_factor_of(sealed: &[u8]) -> Option<u8> {
    let header_end = sealed.windows(4).position(|w| w == b"\n---")?;
    let header = std::str::from_utf8(&sealed[..header_end]).ok()?;
    header
        .lines()
        .find_map(|l| l.strip_prefix("-> scrypt "))
        .and_then(|rest| rest.split_whitespace().nth(1))
        .and_then(|n| n.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_identity_opens_only_with_its_passphrase() -> Result<(), StoreError> {
        let identity = x25519::Identity::generate();
        let right = SecretString::from("correct horse".to_owned());
        let wrong = SecretString::from("battery staple".to_owned());
        let sealed = seal_identity(&identity, &right, 4, "2026-11-27T00:00:00Z")?;
        assert_eq!(work_factor_of(&sealed), Some(4));
        let opened = open_identity(&sealed, &right)?;
        assert_eq!(
            opened.to_public().to_string(),
            identity.to_public().to_string()
        );
        assert!(matches!(
            open_identity(&sealed, &wrong),
            Err(StoreError::WrongPassphrase)
        ));
        Ok(())
    }

    #[test]
    fn a_shared_identity_opens_with_each_recipient_and_no_other() -> Result<(), StoreError> {
        let folder = x25519::Identity::generate();
        let ana = x25519::Identity::generate();
        let ben = x25519::Identity::generate();
        let shared = share_identity(
            &folder,
            &[ana.to_public(), ben.to_public()],
            "2026-12-01T00:00:00Z",
        )?;
        for who in [&ana, &ben] {
            let opened = open_shared_identity(who, &shared)?;
            assert_eq!(
                opened.to_public().to_string(),
                folder.to_public().to_string()
            );
        }
        let other = x25519::Identity::generate();
        assert!(open_shared_identity(&other, &shared).is_err());
        Ok(())
    }

    #[test]
    fn records_round_trip() -> Result<(), StoreError> {
        let identity = x25519::Identity::generate();
        let sealed = encrypt(&identity.to_public(), b"{\"format\":1}")?;
        assert_eq!(
            decrypt(&identity, &sealed).map_err(StoreError::Invalid)?,
            b"{\"format\":1}"
        );
        let other = x25519::Identity::generate();
        assert!(decrypt(&other, &sealed).is_err());
        Ok(())
    }
}
