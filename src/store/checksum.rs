//! `keys/<clinician>.age.sha256` (and `identity.age.sha256` in a folder from before
//! clinicians): the SHA-256 of a sealed key, as `sha256sum` writes it, so that a damaged key is
//! reported as damaged rather than as a wrong passphrase (REDTEAM L7: age cannot tell a flipped
//! bit in the scrypt salt from a wrong passphrase).
//!
//! A new sealed key is written in three atomic steps — the checksum file listing the old and
//! the new hash, then the key, then the file listing only the new one — so that a kill at any
//! point leaves the key on disk listed. `sha256sum -c identity.age.sha256` checks it by hand.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

/// The checksum file of the sealed key at `key`: its name with `.sha256` added.
pub fn path_for(key: &Path) -> PathBuf {
    let mut name = key.as_os_str().to_owned();
    name.push(".sha256");
    PathBuf::from(name)
}

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

/// The checksum file's text listing `hashes` for the key at `key` (by its file name, so that
/// `sha256sum -c` run in its folder checks it).
pub fn text(key: &Path, hashes: &[&str]) -> String {
    use std::fmt::Write as _;
    let name = key
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    hashes.iter().fold(String::new(), |mut s, h| {
        let _ = writeln!(s, "{h}  {name}");
        s
    })
}

/// Whether `sealed` is among the hashes the checksum file of `key` lists: `None` when there is
/// no such file (a folder made before it existed), or it does not read.
pub fn matches(key: &Path, sealed: &[u8]) -> Option<bool> {
    let listed = crate::safe_read::read_regular_text(&path_for(key), 64 << 10).ok()?;
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
        let key = tmp.path().join("k.age");
        assert_eq!(path_for(&key), tmp.path().join("k.age.sha256"));
        assert_eq!(matches(&key, b"key"), None);
        let a = sha256_hex(b"old key");
        let b = sha256_hex(b"new key");
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        let both = text(&key, &[&a, &b]);
        assert_eq!(both, format!("{a}  k.age\n{b}  k.age\n"));
        std::fs::write(path_for(&key), both).unwrap();
        assert_eq!(matches(&key, b"old key"), Some(true));
        assert_eq!(matches(&key, b"new key"), Some(true));
        assert_eq!(matches(&key, b"new kez"), Some(false));
        std::fs::write(path_for(&key), "not a checksum\n").unwrap();
        assert_eq!(matches(&key, b"key"), None);
    }
}
