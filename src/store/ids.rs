//! Record ids: random, so that a file name says nothing about the person in it.

use std::fmt::Write as _;

use super::error::StoreError;

/// A new random id: 128 bits as 32 lower-case hex digits.
pub fn new_id() -> Result<String, StoreError> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes)
        .map_err(|e| StoreError::Crypto(format!("no randomness available: {e}")))?;
    Ok(bytes.iter().fold(String::with_capacity(32), |mut hex, b| {
        let _ = write!(hex, "{b:02x}");
        hex
    }))
}

/// Whether `s` has the shape of an id (so that a file name can be trusted as one).
pub fn is_id(s: &str) -> bool {
    s.len() == 32
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_random_and_well_formed() -> Result<(), StoreError> {
        let (a, b) = (new_id()?, new_id()?);
        assert!(is_id(&a) && is_id(&b));
        assert_ne!(a, b);
        assert!(!is_id("../../etc/passwd"));
        Ok(())
    }
}
