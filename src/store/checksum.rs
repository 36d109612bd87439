//! `identity.age.sha256`: the SHA-256 of the sealed key, as `sha256sum` writes it, so that a
//! damaged `identity.age` is reported as damaged rather than as a wrong passphrase (REDTEAM
//! L7: age cannot tell a flipped bit in the scrypt salt from a wrong passphrase).
//!
//! A new sealed key is written in three atomic steps — the checksum file listing the old and
//! the new hash, then the key, then the file listing only the new one — so that a kill at any
//! point leaves the key on disk listed. `sha256sum -c identity.age.sha256` checks it by hand.

use std::fs;
use std::path::Path;

use sha2::{Digest, Sha256};

/// The file, beside `identity.age`.
pub const FILE: &str = "identity.age.sha256";

/// The hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    Sha256::digest(bytes)
        .iter()
        .fold(String::with_capacity(64), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

/// The file's text listing `hashes` for `name`.
pub fn text(name: &str, hashes: &[&str]) -> String {
    use std::fmt::Write as _;
    hashes.iter().fold(String::new(), |mut s, h| {
        let _ = writeln!(s, "{h}  {name}");
        s
    })
}

/// Whether `sealed` is among the hashes the file in `dir` lists: `None` when there is no file
/// (a folder made before it existed), or it does not read.
pub fn matches(dir: &Path, sealed: &[u8]) -> Option<bool> {
    let listed = fs::read_to_string(dir.join(FILE)).ok()?;
    let hashes: Vec<&str> = listed
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .filter(|h| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()))
        .collect();
    if hashes.is_empty() {
        return None;
    }
    let hash = sha256_hex(sealed);
    Some(hashes.iter().any(|h| h.eq_ignore_ascii_case(&hash)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_lists_hashes_as_sha256sum_does_and_is_matched() {
        let tmp = tempfile::tempdir().unwrap();
        assert_eq!(matches(tmp.path(), b"key"), None);
        let a = sha256_hex(b"old key");
        let b = sha256_hex(b"new key");
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        fs::write(tmp.path().join(FILE), text("identity.age", &[&a, &b])).unwrap();
        assert_eq!(matches(tmp.path(), b"old key"), Some(true));
        assert_eq!(matches(tmp.path(), b"new key"), Some(true));
        assert_eq!(matches(tmp.path(), b"new kez"), Some(false));
        fs::write(tmp.path().join(FILE), "not a checksum\n").unwrap();
        assert_eq!(matches(tmp.path(), b"key"), None);
    }
}
