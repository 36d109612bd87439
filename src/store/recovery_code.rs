//! The recovery code of a data folder: 120 random bits that seal a copy of the folder's key (with
//! age's passphrase recipient), printed once on the recovery sheet so that the clinic can set a
//! new passphrase for a clinician who forgot theirs. Pure: no files, no store.
//!
//! # Its text
//!
//! Six groups of five characters, `XXXXC-XXXXC-XXXXC-XXXXC-XXXXC-XXXXC`, in Crockford's base 32
//! (`0123456789ABCDEFGHJKMNPQRSTVWXYZ`: no I, L, O or U, so that nothing reads as something
//! else). In each group the four `X` carry 20 bits (24 × 5 = 120 in all) and `C` is a check
//! character over them, so that a typing error is found, and its group named, before the code
//! is tried against the sealed key (a wrong code costs a slow scrypt unlock; a mistyped one
//! costs nothing).
//!
//! # The check character (Luhn mod N, N = 32)
//!
//! Each character stands for its place in the alphabet: `0`–`9` are 0–9, `A` 10, `B` 11, `C`
//! 12, `D` 13, `E` 14, `F` 15, `G` 16, `H` 17, `J` 18, `K` 19, `M` 20, `N` 21, `P` 22, `Q` 23,
//! `R` 24, `S` 25, `T` 26, `V` 27, `W` 28, `X` 29, `Y` 30, `Z` 31. By hand, for one group's
//! four data characters:
//!
//! 1. From the rightmost data character leftwards, double every other value, starting with the
//!    rightmost: the 4th and 2nd are doubled, the 3rd and 1st are kept.
//! 2. A doubled value of 32 or more is written in base 32 and its two digits added: subtract 31
//!    (for example 29 × 2 = 58 becomes 1 + 26 = 27).
//! 3. Add the four values. The check character is the one whose value brings the total to a
//!    multiple of 32: `(32 − total mod 32) mod 32`.
//!
//! Example, the group `K7QX` (19, 7, 23, 29): X doubled is 58, which becomes 27; Q stays 23; 7
//! doubled is 14; K stays 19. 27 + 23 + 14 + 19 = 83; 83 mod 32 = 19; 32 − 19 = 13, which is
//! `D`: the group is `K7QXD`. Checking a typed group is the same sum with the check character
//! added undoubled: 13 + 83 = 96, a multiple of 32.
//!
//! # What it catches, and what not
//!
//! - Every single wrong character (doubling-and-adding is a one-to-one map of 0–31, so one
//!   changed value always changes the total by something that is not a multiple of 32).
//! - Every swap of two neighbouring characters within a group (the check character included)
//!   except `0` and `Z` swapped (`0Z` ↔ `Z0`): doubled-and-added, 31 becomes 31 and 0 stays 0,
//!   so their swap leaves the total as it was. That is 2 of the 992 ordered pairs of different
//!   characters at each of the four neighbouring places (the unit tests count them). A swap of
//!   two different characters that are not neighbours, or two errors in one group, may pass.
//! - A group typed whole into the wrong place, or groups swapped, is not caught by the check; it
//!   is then simply the wrong code, which the sealed key refuses.
//!
//! This is not Crockford's own check symbol (mod 37, with the extra symbols `*~$=U`): one per
//! group names where the mistake is, and it needs no symbols beyond the 32.

use std::fmt;

use age::secrecy::SecretString;
use thiserror::Error;

use super::error::StoreError;

/// Crockford's base 32 alphabet: a character's value is its place here.
pub const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/// Groups in a code.
pub const GROUPS: usize = 6;
/// Data characters per group (the fifth is the check).
pub const DATA_PER_GROUP: usize = 4;
/// Characters of a code without separators: 6 groups of 5.
pub const LENGTH: usize = GROUPS * (DATA_PER_GROUP + 1);

const N: u32 = 32;
const DATA: usize = GROUPS * DATA_PER_GROUP;

/// A recovery code: 24 values of 5 bits (120 random bits). Its [`Display`](fmt::Display) is the
/// text printed on the sheet; [`Debug`](fmt::Debug) never shows it, so that a log or a panic
/// message cannot leak it. (The values are not wiped from memory when dropped; [`Self::secret`]
/// hands on a [`SecretString`], which is.)
#[derive(Clone, PartialEq, Eq)]
pub struct RecoveryCode {
    /// Each 0–31, the data characters' values in order.
    values: [u8; DATA],
}

/// Why a typed recovery code was not accepted; each says what to do, for a clinician.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CodeError {
    /// A character that recovery codes never contain.
    #[error(
        "'{character}' (character {position} of what was typed) is not used in recovery codes, \
         which have only the digits 0-9 and the letters A-Z without I, L, O and U: check it \
         against the sheet"
    )]
    NotInAlphabet {
        /// The character as typed.
        character: char,
        /// Its place in what was typed, from 1 (spaces and hyphens counted).
        position: usize,
    },
    /// Too few or too many characters.
    #[error(
        "{found} characters were typed, not counting spaces and hyphens; a recovery code has \
         30 (6 groups of 5): check that no group is missing or typed twice"
    )]
    WrongLength {
        /// Characters found, separators not counted.
        found: usize,
    },
    /// One group or more whose check character does not match (first group is 1).
    #[error("{}", mistyped(groups))]
    Mistyped {
        /// Each group's number (from 1) and its five characters as read (upper case).
        groups: Vec<(usize, String)>,
    },
}

fn mistyped(groups: &[(usize, String)]) -> String {
    let named: Vec<String> = groups
        .iter()
        .map(|(number, text)| format!("{number} ({text})"))
        .collect();
    match named.as_slice() {
        [one] => format!(
            "group {one} has a typing error: check its five characters against the sheet; \
             nothing was tried"
        ),
        [init @ .., last] => format!(
            "groups {} and {last} have typing errors: check their characters against the \
             sheet; nothing was tried",
            init.join(", ")
        ),
        [] => "the code has a typing error; nothing was tried".to_owned(),
    }
}

/// Luhn mod 32 check value over data values (each 0–31), as the module documentation works it
/// by hand.
fn check_value(data: &[u8]) -> u8 {
    let sum: u32 = data
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &v)| {
            let v = u32::from(v);
            if i % 2 == 0 {
                let doubled = 2 * v;
                doubled / N + doubled % N
            } else {
                v
            }
        })
        .sum();
    // Always below 32.
    u8::try_from((N - sum % N) % N).unwrap_or(0)
}

/// A character's value (0–31), with Crockford's readings: any case, I and L as 1, O as 0.
fn value(c: char) -> Option<u8> {
    let upper = match c.to_ascii_uppercase() {
        'I' | 'L' => '1',
        'O' => '0',
        other => other,
    };
    let byte = u8::try_from(upper).ok()?;
    ALPHABET
        .iter()
        .position(|&a| a == byte)
        .and_then(|p| u8::try_from(p).ok())
}

fn symbol(value: u8) -> char {
    char::from(ALPHABET[usize::from(value % 32)])
}

/// What may stand between characters and is skipped: spaces (any white space) and hyphens.
fn is_separator(c: char) -> bool {
    c.is_whitespace() || c == '-'
}

impl RecoveryCode {
    /// A new code from the operating system's random source (120 bits).
    ///
    /// # Errors
    /// [`StoreError::Crypto`] when the system gives no randomness.
    pub fn generate() -> Result<RecoveryCode, StoreError> {
        let mut values = [0u8; DATA];
        getrandom::fill(&mut values)
            .map_err(|e| StoreError::Crypto(format!("no randomness available: {e}")))?;
        // 256 is a multiple of 32, so the low 5 bits of a random byte are uniform.
        for v in &mut values {
            *v &= 0x1F;
        }
        Ok(RecoveryCode { values })
    }

    /// Reads a code as a clinician types it from the sheet: any case, spaces and hyphens
    /// anywhere (or none), I and L read as 1 and O as 0.
    ///
    /// # Errors
    /// [`CodeError::NotInAlphabet`] names the first character that no code contains (such as
    /// U); [`CodeError::WrongLength`] says how many were found; [`CodeError::Mistyped`] names
    /// every group whose check character does not match.
    pub fn parse(text: &str) -> Result<RecoveryCode, CodeError> {
        let mut read = Vec::with_capacity(LENGTH);
        for (i, c) in text.chars().enumerate() {
            if is_separator(c) {
                continue;
            }
            let v = value(c).ok_or(CodeError::NotInAlphabet {
                character: c,
                position: i + 1,
            })?;
            read.push(v);
        }
        if read.len() != LENGTH {
            return Err(CodeError::WrongLength { found: read.len() });
        }
        let mut values = [0u8; DATA];
        let mut groups = Vec::new();
        for (g, group) in read.chunks_exact(DATA_PER_GROUP + 1).enumerate() {
            let (data, check) = group.split_at(DATA_PER_GROUP);
            if check != [check_value(data)] {
                groups.push((g + 1, group.iter().map(|&v| symbol(v)).collect()));
            }
            values[g * DATA_PER_GROUP..(g + 1) * DATA_PER_GROUP].copy_from_slice(data);
        }
        if !groups.is_empty() {
            return Err(CodeError::Mistyped { groups });
        }
        Ok(RecoveryCode { values })
    }

    /// The canonical text (upper case, grouped with hyphens), which is the passphrase that
    /// seals and opens the recovery copy of the key: however the code was typed, the same
    /// code gives the same secret.
    pub fn secret(&self) -> SecretString {
        SecretString::from(self.to_string())
    }
}

impl fmt::Display for RecoveryCode {
    /// `XXXXC-XXXXC-XXXXC-XXXXC-XXXXC-XXXXC`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (g, data) in self.values.chunks_exact(DATA_PER_GROUP).enumerate() {
            if g > 0 {
                f.write_str("-")?;
            }
            for &v in data {
                write!(f, "{}", symbol(v))?;
            }
            write!(f, "{}", symbol(check_value(data)))?;
        }
        Ok(())
    }
}

impl fmt::Debug for RecoveryCode {
    /// Never the code itself.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RecoveryCode(\u{2026})")
    }
}

#[cfg(test)]
mod tests {
    use age::secrecy::ExposeSecret;

    use super::*;

    /// A fixed valid code (its check characters computed by `check_value`).
    fn fixed() -> RecoveryCode {
        let mut values = [0u8; DATA];
        for (i, v) in values.iter_mut().enumerate() {
            // 24 different values (7 is prime to 32), Z (31) among them.
            *v = u8::try_from((i * 7 + 3) % 32).unwrap_or(0);
        }
        RecoveryCode { values }
    }

    fn symbols(text: &str) -> Vec<char> {
        text.chars().filter(|c| *c != '-').collect()
    }

    fn grouped(chars: &[char]) -> String {
        chars
            .chunks(DATA_PER_GROUP + 1)
            .map(|g| g.iter().collect::<String>())
            .collect::<Vec<_>>()
            .join("-")
    }

    #[test]
    fn hand_worked_group() {
        // K7QX: K = 19, 7 = 7, Q = 23, X = 29.
        // From the right, doubling the 4th and 2nd:
        //   X: 29 × 2 = 58 ≥ 32, so 58 = 1·32 + 26 → 1 + 26 = 27
        //   Q: 23 (kept)
        //   7:  7 × 2 = 14
        //   K: 19 (kept)
        // Sum 27 + 23 + 14 + 19 = 83; 83 mod 32 = 19; (32 − 19) mod 32 = 13 → 'D'.
        let data: Vec<u8> = "K7QX".chars().filter_map(value).collect();
        assert_eq!(data, [19, 7, 23, 29]);
        assert_eq!(check_value(&data), 13);
        assert_eq!(symbol(13), 'D');
        // A valid code with K7QXD as its first group parses; with K7QXE it does not.
        let rest = "-00000-00000-00000-00000-00000";
        assert!(RecoveryCode::parse(&format!("K7QXD{rest}")).is_ok());
        assert_eq!(
            RecoveryCode::parse(&format!("K7QXE{rest}")),
            Err(CodeError::Mistyped {
                groups: vec![(1, "K7QXE".to_owned())]
            })
        );
    }

    #[test]
    fn generate_display_parse_round_trip() -> Result<(), Box<dyn std::error::Error>> {
        let a = RecoveryCode::generate()?;
        let b = RecoveryCode::generate()?;
        assert_ne!(a, b, "120 random bits never repeat");
        let text = a.to_string();
        assert_eq!(text.len(), 35);
        let groups: Vec<&str> = text.split('-').collect();
        assert_eq!(groups.len(), 6);
        assert!(
            groups
                .iter()
                .all(|g| g.len() == 5 && g.bytes().all(|b| ALPHABET.contains(&b)))
        );
        let back = RecoveryCode::parse(&text)?;
        assert_eq!(back, a);
        assert_eq!(back.secret().expose_secret(), text);
        Ok(())
    }

    #[test]
    fn typing_freedoms_are_accepted() -> Result<(), CodeError> {
        let code = fixed();
        let text = code.to_string();
        let plain = text.replace('-', "");
        for typed in [
            text.to_lowercase(),
            plain.clone(),
            plain.to_lowercase(),
            text.replace('-', " "),
            format!("  {}  ", text.replace('-', " - ")),
            plain
                .chars()
                .enumerate()
                .flat_map(|(i, c)| [c, if i % 3 == 0 { ' ' } else { '-' }])
                .collect(),
            format!("{text}\n"),
        ] {
            assert_eq!(RecoveryCode::parse(&typed)?, code, "{typed:?}");
        }
        // Crockford's readings: I, i, L, l are 1; O, o are 0.
        let with_ones = "1111T-00000-00000-00000-00000-00000";
        assert_eq!(check_value(&[1, 1, 1, 1]), 26); // 2 + 1 + 2 + 1 = 6; 32 - 6 = 26, T
        let expected = RecoveryCode::parse(with_ones)?;
        for typed in [
            "IiLlT-OoOoO-00000-00000-00000-00000",
            "ilIL t oooo0 00000 00000 00000 00000",
        ] {
            assert_eq!(RecoveryCode::parse(typed)?, expected, "{typed:?}");
        }
        // The secret is the canonical text, however it was typed.
        assert_eq!(
            RecoveryCode::parse(&plain.to_lowercase())?
                .secret()
                .expose_secret(),
            text
        );
        Ok(())
    }

    #[test]
    fn errors_say_what_and_where() {
        let text = fixed().to_string();
        // U, and other characters, are named with their place in what was typed.
        let mut with_u: Vec<char> = text.chars().collect();
        with_u[7] = 'u';
        let typed: String = with_u.into_iter().collect();
        let e = RecoveryCode::parse(&typed).unwrap_err();
        assert_eq!(
            e,
            CodeError::NotInAlphabet {
                character: 'u',
                position: 8
            }
        );
        assert!(
            e.to_string()
                .contains("'u' (character 8 of what was typed)")
        );
        assert!(matches!(
            RecoveryCode::parse("ABCDE-12345-\u{e9}"),
            Err(CodeError::NotInAlphabet {
                character: '\u{e9}',
                position: 13
            })
        ));
        assert!(matches!(
            RecoveryCode::parse("ABCD*"),
            Err(CodeError::NotInAlphabet { character: '*', .. })
        ));
        // Lengths.
        let short = &text[..29];
        let e = RecoveryCode::parse(short).unwrap_err();
        assert_eq!(e, CodeError::WrongLength { found: 25 });
        assert!(e.to_string().contains("25 characters"));
        assert!(e.to_string().contains("30 (6 groups of 5)"));
        assert_eq!(
            RecoveryCode::parse(&format!("{text}-00000")),
            Err(CodeError::WrongLength { found: 35 })
        );
        assert_eq!(
            RecoveryCode::parse("  - "),
            Err(CodeError::WrongLength { found: 0 })
        );
        // A mistyped group is named by its number and what was read.
        let mut chars = symbols(&text);
        let g3 = 2 * 5;
        chars[g3] = symbol((value(chars[g3]).unwrap_or(0) + 1) % 32);
        let group: String = chars[g3..g3 + 5].iter().collect();
        let e = RecoveryCode::parse(&grouped(&chars)).unwrap_err();
        assert_eq!(
            e.to_string(),
            format!(
                "group 3 ({group}) has a typing error: check its five characters against the \
                 sheet; nothing was tried"
            )
        );
        // Several are all named.
        chars[0] = symbol((value(chars[0]).unwrap_or(0) + 1) % 32);
        chars[29] = symbol((value(chars[29]).unwrap_or(0) + 1) % 32);
        let e = RecoveryCode::parse(&grouped(&chars)).unwrap_err();
        let CodeError::Mistyped { groups } = &e else {
            panic!("{e}");
        };
        assert_eq!(
            groups.iter().map(|(n, _)| *n).collect::<Vec<_>>(),
            [1, 3, 6]
        );
        assert!(e.to_string().starts_with("groups 1 ("));
        assert!(e.to_string().contains(") and 6 ("));
    }

    #[test]
    fn debug_never_shows_the_code() {
        let code = fixed();
        let debug = format!("{code:?}");
        assert_eq!(debug, "RecoveryCode(\u{2026})");
        assert!(!debug.contains(&code.to_string()[..5]));
    }

    #[test]
    fn every_single_substitution_is_caught() {
        let chars = symbols(&fixed().to_string());
        assert!(RecoveryCode::parse(&grouped(&chars)).is_ok());
        let mut tried = 0;
        for position in 0..LENGTH {
            for &other in ALPHABET {
                let other = char::from(other);
                if other == chars[position] {
                    continue;
                }
                let mut typed = chars.clone();
                typed[position] = other;
                let group = position / 5 + 1;
                assert_eq!(
                    RecoveryCode::parse(&grouped(&typed))
                        .err()
                        .and_then(|e| match e {
                            CodeError::Mistyped { groups } => Some(groups),
                            _ => None,
                        })
                        .map(|g| g.iter().map(|(n, _)| *n).collect::<Vec<_>>()),
                    Some(vec![group]),
                    "{other} at {position}"
                );
                tried += 1;
            }
        }
        assert_eq!(tried, 30 * 31);
    }

    /// Swaps of neighbouring characters within a group, for every ordered pair of different
    /// values at every neighbouring place (the three among the data characters, and the last
    /// data character with the check): all are caught but `0`/`Z`, as the module says.
    #[test]
    fn neighbour_swaps_are_caught_but_zero_and_z() {
        let mut missed = Vec::new();
        let mut tried = 0;
        // Data places (p, p + 1).
        for p in 0..DATA_PER_GROUP - 1 {
            for a in 0..32u8 {
                for b in (0..32u8).filter(|&b| b != a) {
                    let mut data = [5u8, 17, 26, 9];
                    data[p] = a;
                    data[p + 1] = b;
                    let check = check_value(&data);
                    data.swap(p, p + 1);
                    tried += 1;
                    if check_value(&data) == check {
                        missed.push((p, symbol(a), symbol(b)));
                    }
                }
            }
        }
        assert_eq!(tried, 3 * 32 * 31);
        assert_eq!(
            missed,
            [(0, '0', 'Z'), (0, 'Z', '0'), (1, '0', 'Z'), (1, 'Z', '0')]
                .into_iter()
                .chain([(2, '0', 'Z'), (2, 'Z', '0')])
                .collect::<Vec<_>>()
        );
        // The last data character and the check: every last data value a, with each first
        // three that make the check b ≠ a.
        let (mut tried, mut missed_last) = (0, Vec::new());
        for a in 0..32u8 {
            for first in 0..32u8 {
                let data = [first, 17, 26, a];
                let b = check_value(&data);
                if b == a {
                    continue;
                }
                tried += 1;
                let swapped = [first, 17, 26, b];
                if check_value(&swapped) == a {
                    missed_last.push((symbol(a), symbol(b)));
                }
            }
        }
        assert!(tried > 900);
        missed_last.sort_unstable();
        missed_last.dedup();
        assert_eq!(missed_last, [('0', 'Z'), ('Z', '0')]);
        // And through parse, on the fixed code: each swap of different neighbours in each
        // group is refused unless it is 0/Z.
        let chars = symbols(&fixed().to_string());
        let (mut through_parse, mut passed) = (0, 0);
        for g in 0..GROUPS {
            for p in 0..DATA_PER_GROUP {
                let (i, j) = (g * 5 + p, g * 5 + p + 1);
                if chars[i] == chars[j] {
                    continue;
                }
                let mut typed = chars.clone();
                typed.swap(i, j);
                through_parse += 1;
                if RecoveryCode::parse(&grouped(&typed)).is_ok() {
                    assert!(
                        matches!((chars[i], chars[j]), ('0', 'Z') | ('Z', '0')),
                        "{}{} at {i}",
                        chars[i],
                        chars[j]
                    );
                    passed += 1;
                }
            }
        }
        assert_eq!(through_parse, 24);
        assert_eq!(passed, 0, "the fixed code has no 0 next to Z");
    }
}
