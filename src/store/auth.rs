//! Records no one can forge: every record and audit entry carries a MAC (HMAC-SHA256) made with
//! a key that only an unlocked clinician holds, or, in client mode, a session key that can
//! vouch for nothing outside its session.
//!
//! Inside each record's age file (from folder format 3) is a small JSON object:
//!
//! ```text
//! {"body": "<the record's own JSON, as a string>",
//!  "auth": {"by": "folder" | "session", "signed_at": "<time>", "session": "<scope JSON>", "mac": "<hex>"}}
//! ```
//!
//! The keys, each HMAC-SHA256 (key, message), with nothing but standard tools to recompute
//! them (README, "The format is open"):
//! - the **folder's authentication key** `A = HMAC(folder secret key text, "securebase
//!   authentication key v1")`, where the folder secret key text is the `AGE-SECRET-KEY-1…`
//!   line that `keys/folder.age` holds: whoever can decrypt the records can check them, and
//!   nobody else can make a MAC that checks;
//! - a **session key** `S = HMAC(A, "securebase session v1\n" + scope)`, where `scope` is the
//!   session's JSON text as stored in `auth.session`: one client, the ids of that session's
//!   administrations, a time window, and the clinician who started it. Client mode holds `S`
//!   and not `A`, so what it signs is bound to its scope: the verifier recomputes `S` from the
//!   scope and refuses a record outside it;
//! - the **MAC** of a record: `HMAC(A or S, "securebase record v1\n" + path + "\n" +
//!   signed_at + "\n" + body)`, where `path` is the file's place in the data folder with `/`
//!   (`administrations/<client>/<id>.age`): a record moved or copied elsewhere no longer
//!   checks.

use hmac::{Hmac, Mac};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use age::secrecy::ExposeSecret;
use age::x25519;

type HmacSha256 = Hmac<Sha256>;

/// The message the folder's authentication key is derived with.
const FOLDER_KEY_LABEL: &str = "securebase authentication key v1";
/// What comes before a session's scope in its key's message.
const SESSION_LABEL: &str = "securebase session v1\n";
/// What comes before a record's path in its MAC's message.
const RECORD_LABEL: &str = "securebase record v1\n";

/// How long a session key vouches for what client mode writes: a long intake with breaks,
/// and never the next day's.
pub const SESSION_HOURS: i64 = 12;

/// A 32-byte HMAC key (never printed).
#[derive(Clone, PartialEq, Eq)]
pub struct MacKey([u8; 32]);

impl std::fmt::Debug for MacKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MacKey(…)")
    }
}

impl MacKey {
    /// The folder's authentication key, from its secret key.
    pub fn of_folder(identity: &x25519::Identity) -> Self {
        let secret = identity.to_string();
        Self(hmac(
            secret.expose_secret().as_bytes(),
            FOLDER_KEY_LABEL.as_bytes(),
        ))
    }

    /// The key of the session whose scope is `scope` (its JSON text).
    pub fn of_session(&self, scope: &str) -> Self {
        let mut message = SESSION_LABEL.as_bytes().to_vec();
        message.extend_from_slice(scope.as_bytes());
        Self(hmac(&self.0, &message))
    }

    /// The MAC of a record's `body` written at `path` at `signed_at`.
    fn mac(&self, path: &str, signed_at: &str, body: &str) -> [u8; 32] {
        hmac(&self.0, &record_message(path, signed_at, body))
    }

    /// Whether `mac` (hex) is this key's MAC of `message`, compared in constant time.
    pub fn checks(&self, message: &[u8], mac: &str) -> bool {
        let Some(expected) = unhex(mac) else {
            return false;
        };
        let Ok(mut m) = HmacSha256::new_from_slice(&self.0) else {
            return false;
        };
        m.update(message);
        m.verify_slice(&expected).is_ok()
    }
}

/// The message a record's MAC is of.
fn record_message(path: &str, signed_at: &str, body: &str) -> Vec<u8> {
    let mut message = Vec::with_capacity(RECORD_LABEL.len() + path.len() + body.len() + 40);
    message.extend_from_slice(RECORD_LABEL.as_bytes());
    message.extend_from_slice(path.as_bytes());
    message.push(b'\n');
    message.extend_from_slice(signed_at.as_bytes());
    message.push(b'\n');
    message.extend_from_slice(body.as_bytes());
    message
}

fn hmac(key: &[u8], message: &[u8]) -> [u8; 32] {
    // HMAC takes a key of any length; new_from_slice cannot fail for it.
    let Ok(mut m) = HmacSha256::new_from_slice(key) else {
        unreachable!("HMAC accepts keys of every length")
    };
    m.update(message);
    m.finalize().into_bytes().into()
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::with_capacity(64), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

/// What a session may write: its client's administrations of that session, and the audit
/// entries of its time window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scope {
    /// The client.
    pub client_id: String,
    /// The administrations of the session (new, and resumed ones in progress).
    pub administrations: Vec<String>,
    /// When the session began.
    pub from: Timestamp,
    /// When its key stops vouching.
    pub until: Timestamp,
    /// The clinician who started it.
    pub clinician_id: String,
}

impl Scope {
    /// Whether `at` is in the window.
    pub fn covers_time(&self, at: Timestamp) -> bool {
        self.from <= at && at <= self.until
    }
}

/// Who signs what this process writes.
#[derive(Debug, Clone)]
pub enum Signer {
    /// An unlocked clinician: the folder's authentication key.
    Folder(MacKey),
    /// Client mode: a session's key, and its scope as signed.
    Session {
        /// The session key.
        key: MacKey,
        /// The scope.
        scope: Scope,
        /// Its JSON text, as the session key was derived from it.
        text: String,
    },
}

impl Signer {
    /// A session signer, from the folder's key and the session's scope.
    pub fn session(folder: &MacKey, scope: Scope) -> Result<Self, serde_json::Error> {
        let text = serde_json::to_string(&scope)?;
        Ok(Signer::Session {
            key: folder.of_session(&text),
            scope,
            text,
        })
    }

    /// The session's scope, for a session signer.
    pub fn scope(&self) -> Option<&Scope> {
        match self {
            Signer::Folder(_) => None,
            Signer::Session { scope, .. } => Some(scope),
        }
    }

    /// The authentication of `body` written at `path` now.
    pub fn sign(&self, path: &str, body: &str) -> Auth {
        let signed_at = Timestamp::now().to_string();
        let (by, session, key) = match self {
            Signer::Folder(key) => (By::Folder, None, key),
            Signer::Session { key, text, .. } => (By::Session, Some(text.clone()), key),
        };
        let mac = hex(&key.mac(path, &signed_at, body));
        Auth {
            by,
            signed_at,
            session,
            mac,
        }
    }
}

/// Which key made a MAC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum By {
    /// The folder's authentication key (an unlocked clinician).
    Folder,
    /// A session key (client mode).
    Session,
}

/// A record's authentication.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Auth {
    /// Which key.
    pub by: By,
    /// When it was signed (as signed: the exact text).
    pub signed_at: String,
    /// The session's scope, for a session key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session: Option<String>,
    /// HMAC-SHA256, hex.
    pub mac: String,
}

/// What a record file holds from folder format 3.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Envelope {
    /// The record's JSON.
    pub body: String,
    /// Its authentication; `None` only for what is written with nothing unlocked (a wrong
    /// passphrase's audit entry).
    pub auth: Option<Auth>,
}

/// Who vouches for a record that checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Vouched {
    /// An unlocked clinician.
    Folder,
    /// Client mode, within this scope (the caller checks that the record is in it).
    Session(Scope),
}

/// Why a record's authentication does not check.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Unvouched {
    /// No MAC at all.
    #[error("it is not authenticated (no MAC): it was not written by securebase")]
    Missing,
    /// The MAC does not check.
    #[error(
        "its authentication does not check: it was changed, moved, or not written with this \
         data folder's key"
    )]
    Mismatch,
    /// A session key's MAC, without a scope that reads.
    #[error("it names a session that does not read ({0})")]
    BadScope(String),
    /// Signed outside its session's time window.
    #[error("it was signed at {at}, outside its session's time window ({from} to {until})")]
    OutsideWindow {
        /// When it says it was signed.
        at: String,
        /// The window's start.
        from: Timestamp,
        /// Its end.
        until: Timestamp,
    },
}

impl Envelope {
    /// Checks the authentication of this envelope, found at `path`, with the folder's key.
    pub fn verify(&self, folder: &MacKey, path: &str) -> Result<Vouched, Unvouched> {
        let auth = self.auth.as_ref().ok_or(Unvouched::Missing)?;
        let message = record_message(path, &auth.signed_at, &self.body);
        match auth.by {
            By::Folder => {
                if folder.checks(&message, &auth.mac) {
                    Ok(Vouched::Folder)
                } else {
                    Err(Unvouched::Mismatch)
                }
            }
            By::Session => {
                let text = auth
                    .session
                    .as_deref()
                    .ok_or_else(|| Unvouched::BadScope("no scope".to_owned()))?;
                if !folder.of_session(text).checks(&message, &auth.mac) {
                    return Err(Unvouched::Mismatch);
                }
                let scope: Scope =
                    serde_json::from_str(text).map_err(|e| Unvouched::BadScope(e.to_string()))?;
                let at: Timestamp = auth
                    .signed_at
                    .parse()
                    .map_err(|e: jiff::Error| Unvouched::BadScope(e.to_string()))?;
                if !scope.covers_time(at) {
                    return Err(Unvouched::OutsideWindow {
                        at: auth.signed_at.clone(),
                        from: scope.from,
                        until: scope.until,
                    });
                }
                Ok(Vouched::Session(scope))
            }
        }
    }
}

/// The SHA-256 of an audit entry's body, hex: what the next entry's `prev` names.
pub fn chain_hash(body: &str) -> String {
    use sha2::Digest as _;
    hex(&Sha256::digest(body.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folder() -> MacKey {
        MacKey::of_folder(&x25519::Identity::generate())
    }

    fn scope() -> Scope {
        let now = Timestamp::now();
        Scope {
            client_id: "c1".to_owned(),
            administrations: vec!["a1".to_owned()],
            from: now - jiff::SignedDuration::from_mins(1),
            until: now + jiff::SignedDuration::from_hours(SESSION_HOURS),
            clinician_id: "k1".to_owned(),
        }
    }

    #[test]
    fn a_folder_mac_checks_and_any_change_breaks_it() {
        let key = folder();
        let auth = Signer::Folder(key.clone()).sign("clients/c1.age", "{\"a\":1}");
        let envelope = Envelope {
            body: "{\"a\":1}".to_owned(),
            auth: Some(auth),
        };
        assert_eq!(envelope.verify(&key, "clients/c1.age"), Ok(Vouched::Folder));
        // Another place, another body, another key: none checks.
        assert_eq!(
            envelope.verify(&key, "clients/c2.age"),
            Err(Unvouched::Mismatch)
        );
        let mut changed = envelope.clone();
        changed.body = "{\"a\":2}".to_owned();
        assert_eq!(
            changed.verify(&key, "clients/c1.age"),
            Err(Unvouched::Mismatch)
        );
        assert_eq!(
            envelope.verify(&folder(), "clients/c1.age"),
            Err(Unvouched::Mismatch)
        );
        let mut backdated = envelope.clone();
        if let Some(a) = &mut backdated.auth {
            a.signed_at = "2020-01-01T00:00:00Z".to_owned();
        }
        assert_eq!(
            backdated.verify(&key, "clients/c1.age"),
            Err(Unvouched::Mismatch)
        );
        let bare = Envelope {
            body: envelope.body.clone(),
            auth: None,
        };
        assert_eq!(bare.verify(&key, "clients/c1.age"), Err(Unvouched::Missing));
    }

    #[test]
    fn a_session_mac_checks_only_with_its_own_scope() -> Result<(), serde_json::Error> {
        let key = folder();
        let signer = Signer::session(&key, scope())?;
        let path = "administrations/c1/a1.age";
        let envelope = Envelope {
            body: "{}".to_owned(),
            auth: Some(signer.sign(path, "{}")),
        };
        assert_eq!(
            envelope.verify(&key, path),
            Ok(Vouched::Session(scope_of(&signer)))
        );
        // A widened scope (another client, another administration) is another key.
        let mut widened = envelope.clone();
        if let Some(a) = &mut widened.auth {
            a.session = a.session.as_ref().map(|s| s.replace("\"c1\"", "\"c2\""));
        }
        assert_eq!(widened.verify(&key, path), Err(Unvouched::Mismatch));
        // A session whose window is over cannot sign now.
        let mut old = scope();
        old.from = Timestamp::UNIX_EPOCH;
        old.until = Timestamp::UNIX_EPOCH + jiff::SignedDuration::from_hours(1);
        let stale = Signer::session(&key, old)?;
        let late = Envelope {
            body: "{}".to_owned(),
            auth: Some(stale.sign(path, "{}")),
        };
        assert!(matches!(
            late.verify(&key, path),
            Err(Unvouched::OutsideWindow { .. })
        ));
        Ok(())
    }

    fn scope_of(signer: &Signer) -> Scope {
        signer.scope().cloned().unwrap_or_else(scope)
    }

    #[test]
    fn the_keys_are_the_documented_hmacs() {
        // RFC 4231 test case 2: HMAC-SHA256("Jefe", "what do ya want for nothing?").
        assert_eq!(
            hex(&hmac(b"Jefe", b"what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        assert_eq!(unhex("00ff10"), Some(vec![0, 255, 16]));
        assert_eq!(unhex("0"), None);
    }
}
