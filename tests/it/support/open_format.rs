//! The data folder's open format, done here without securebase's own code: what someone
//! holding only `age`, `jq` and `openssl` does (README, "The format is open"). Tests use it to
//! read records as another tool would and to make records securebase must accept (or refuse)
//! — an independent implementation of `src/store/auth.rs`.

use std::fs;
use std::path::Path;
use std::str::FromStr;

use age::secrecy::{ExposeSecret, SecretString};
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The folder's secret key: the clinician's own key from `keys/<id>.age` (with their
/// passphrase), then `keys/folder.age` with it — `age -d keys/<id>.age > own.txt; age -d -i
/// own.txt keys/folder.age`.
pub fn folder_secret(dir: &Path, clinician_key: &Path, passphrase: &str) -> age::x25519::Identity {
    let sealed = fs::read(dir.join(clinician_key)).expect("clinician's key reads");
    let own = age::decrypt(
        &age::scrypt::Identity::new(SecretString::from(passphrase.to_owned())),
        &sealed,
    )
    .expect("the passphrase opens the clinician's key");
    let own = secret_line(&own);
    let own = age::x25519::Identity::from_str(&own).expect("own key parses");
    let shared = fs::read(dir.join("keys/folder.age")).expect("folder key reads");
    let folder = age::decrypt(&own, &shared).expect("the own key opens the folder key");
    age::x25519::Identity::from_str(&secret_line(&folder)).expect("folder key parses")
}

fn secret_line(plain: &[u8]) -> String {
    String::from_utf8_lossy(plain)
        .lines()
        .find(|l| l.starts_with("AGE-SECRET-KEY-"))
        .expect("an identity file holds a secret key")
        .to_owned()
}

fn hmac(key: &[u8], message: &[u8]) -> Vec<u8> {
    let mut m = Hmac::<Sha256>::new_from_slice(key).expect("any key length");
    m.update(message);
    m.finalize().into_bytes().to_vec()
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// `A = HMAC-SHA256(key: the AGE-SECRET-KEY-1… text, message: "securebase authentication key v1")`.
pub fn authentication_key(folder: &age::x25519::Identity) -> Vec<u8> {
    hmac(
        folder.to_string().expose_secret().as_bytes(),
        b"securebase authentication key v1",
    )
}

/// A record's plaintext as securebase writes it from folder format 3, signed with the folder's
/// key: `{"body": …, "auth": {"by": "folder", "signed_at": …, "mac": …}}`, where `mac =
/// HMAC-SHA256(A, "securebase record v1\n" + path + "\n" + signed_at + "\n" + body)`.
pub fn signed_plaintext(folder: &age::x25519::Identity, path: &str, body: &str) -> Vec<u8> {
    let signed_at = "2026-12-01T10:00:00Z";
    let message = format!("securebase record v1\n{path}\n{signed_at}\n{body}");
    let mac = hex(&hmac(&authentication_key(folder), message.as_bytes()));
    serde_json::to_vec(&serde_json::json!({
        "body": body,
        "auth": {"by": "folder", "signed_at": signed_at, "mac": mac},
    }))
    .expect("JSON")
}

/// Whether a record's plaintext (`age -d`) checks, as the README says to check it; its body.
pub fn check(folder: &age::x25519::Identity, path: &str, plain: &[u8]) -> Option<String> {
    let value: serde_json::Value = serde_json::from_slice(plain).ok()?;
    let body = value["body"].as_str()?;
    let auth = &value["auth"];
    let signed_at = auth["signed_at"].as_str()?;
    let message = format!("securebase record v1\n{path}\n{signed_at}\n{body}");
    let key = match auth["by"].as_str()? {
        "folder" => authentication_key(folder),
        "session" => {
            let scope = auth["session"].as_str()?;
            hmac(
                &authentication_key(folder),
                format!("securebase session v1\n{scope}").as_bytes(),
            )
        }
        _ => return None,
    };
    (hex(&hmac(&key, message.as_bytes())) == auth["mac"].as_str()?).then(|| body.to_owned())
}

/// A record's plaintext signed with a session key, as client mode writes it: `S =
/// HMAC-SHA256(A, "securebase session v1\n" + scope)`, the MAC made with `S`, and `scope` (the
/// session's JSON text) stored beside it.
pub fn session_plaintext(
    folder: &age::x25519::Identity,
    scope: &str,
    path: &str,
    signed_at: &str,
    body: &str,
) -> Vec<u8> {
    let key = hmac(
        &authentication_key(folder),
        format!("securebase session v1\n{scope}").as_bytes(),
    );
    let message = format!("securebase record v1\n{path}\n{signed_at}\n{body}");
    let mac = hex(&hmac(&key, message.as_bytes()));
    serde_json::to_vec(&serde_json::json!({
        "body": body,
        "auth": {"by": "session", "signed_at": signed_at, "session": scope, "mac": mac},
    }))
    .expect("JSON")
}

/// SHA-256 of a body, hex: an audit entry's link (`prev`) to the one before.
pub fn chain_hash(body: &str) -> String {
    use sha2::Digest as _;
    hex(&Sha256::digest(body.as_bytes()))
}
