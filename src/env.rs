//! Every environment variable securebase reads: its name, and the one function that reads it.
//!
//! One place, so that the command line and the app can never read a variable two ways (the app
//! once accepted a work factor the command line refused). Nothing else in `src/` calls
//! `std::env::var` on a `SECUREBASE_*` name; `scripts/check-layers.sh` checks that.

//!
//! A leaf: it depends on nothing else in the crate, so every layer may use it.

use std::ffi::OsString;
use std::path::PathBuf;

/// The data folder, for this process (before the machine settings file and the default).
pub const DATA: &str = "SECUREBASE_DATA";
/// A folder of extra questionnaire files (as `--questionnaires`).
pub const QUESTIONNAIRES: &str = "SECUREBASE_QUESTIONNAIRES";
/// Another machine settings file than the system's (tests, and IT trying a file out).
pub const MACHINE_SETTINGS: &str = "SECUREBASE_MACHINE_SETTINGS";
/// The passphrase, for scripts.
pub const PASSPHRASE: &str = "SECUREBASE_PASSPHRASE";
/// Which clinician is unlocking (name or id). Unset, each clinician's key is tried.
pub const CLINICIAN: &str = "SECUREBASE_CLINICIAN";
/// The new passphrase for `change-passphrase`, for scripts.
pub const NEW_PASSPHRASE: &str = "SECUREBASE_NEW_PASSPHRASE";
/// The recovery code for `securebase recovery use` (else it is asked for).
pub const RECOVERY_CODE: &str = "SECUREBASE_RECOVERY_CODE";
/// scrypt's work factor (log2 N) for new passphrases. A test knob: tests would otherwise spend
/// a second per unlock. Below the default it weakens the key derivation, and both front ends
/// say so.
pub const SCRYPT_WORK_FACTOR: &str = "SECUREBASE_SCRYPT_WORK_FACTOR";
/// Frame-time measurement every N frames (`scripts/frame-time.sh`).
pub const FRAME_STATS: &str = "SECUREBASE_FRAME_STATS";
/// Print the time to the first frame on stderr (`scripts/gui-perf.sh`).
pub const PRINT_TIMING: &str = "SECUREBASE_PRINT_TIMING";

/// A variable's value, when set and not empty.
fn non_empty(name: &str) -> Option<OsString> {
    std::env::var_os(name).filter(|v| !v.is_empty())
}

/// `SECUREBASE_DATA`.
pub fn data_folder() -> Option<PathBuf> {
    non_empty(DATA).map(PathBuf::from)
}

/// `SECUREBASE_MACHINE_SETTINGS`.
pub fn machine_settings() -> Option<PathBuf> {
    non_empty(MACHINE_SETTINGS).map(PathBuf::from)
}

/// A passphrase variable ([`PASSPHRASE`] or [`NEW_PASSPHRASE`]) as set, empty included (an
/// empty new passphrase is refused by its caller, with the variable's name).
pub fn passphrase(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

/// `SECUREBASE_RECOVERY_CODE`, when set.
pub fn recovery_code() -> Option<String> {
    std::env::var(RECOVERY_CODE).ok()
}

/// `SECUREBASE_CLINICIAN`, when set and not blank.
pub fn clinician() -> Option<String> {
    std::env::var(CLINICIAN)
        .ok()
        .filter(|v| !v.trim().is_empty())
}

/// `SECUREBASE_FRAME_STATS`: measure every N frames, when a positive N is given.
pub fn frame_stats() -> Option<usize> {
    std::env::var(FRAME_STATS)
        .ok()?
        .trim()
        .parse()
        .ok()
        .filter(|&n| n > 0)
}

/// `SECUREBASE_PRINT_TIMING`.
pub fn print_timing() -> bool {
    std::env::var_os(PRINT_TIMING).is_some()
}

/// scrypt's work factor for a new passphrase, with the default it replaces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorkFactor {
    /// log2 N.
    pub log_n: u8,
    /// The store's default (`store::DEFAULT_WORK_FACTOR`), given by the caller.
    pub default: u8,
    /// Whether it comes from [`SCRYPT_WORK_FACTOR`] rather than the default.
    pub set: bool,
}

impl WorkFactor {
    /// A sentence for the clinician whenever the variable is set (it is a test knob), saying
    /// how it differs from the default; `None` when it is not set.
    pub fn notice(self) -> Option<String> {
        if !self.set {
            return None;
        }
        Some(if self.log_n < self.default {
            format!(
                "{SCRYPT_WORK_FACTOR}={} is set: new passphrases get a weaker key derivation \
                 than the default ({}). It is meant for tests; unset it for real records.",
                self.log_n, self.default
            )
        } else {
            format!(
                "{SCRYPT_WORK_FACTOR}={} is set: new passphrases get this key-derivation work \
                 factor instead of the default ({}).",
                self.log_n, self.default
            )
        })
    }
}

/// The work factor is not a number from 1 to 22, or is below what this build accepts.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BadWorkFactor {
    /// Not a work factor at all.
    #[error("{SCRYPT_WORK_FACTOR} must be a number from 1 to 22, not {0:?}")]
    NotAFactor(String),
    /// Below the floor (release builds: the default).
    #[error(
        "{SCRYPT_WORK_FACTOR}={value} is below {floor}, the lowest key-derivation work factor \
         this build accepts (lower ones are for tests, in debug builds); unset it"
    )]
    BelowFloor {
        /// The value given.
        value: u8,
        /// The lowest accepted (`store::MIN_WORK_FACTOR`).
        floor: u8,
    },
}

/// `SECUREBASE_SCRYPT_WORK_FACTOR`, or `default` when unset; refused below `floor`.
pub fn work_factor(default: u8, floor: u8) -> Result<WorkFactor, BadWorkFactor> {
    parse_work_factor(
        std::env::var(SCRYPT_WORK_FACTOR).ok().as_deref(),
        default,
        floor,
    )
}

/// The parser behind [`work_factor`]: `None` (unset) gives `default`.
pub fn parse_work_factor(
    value: Option<&str>,
    default: u8,
    floor: u8,
) -> Result<WorkFactor, BadWorkFactor> {
    let Some(value) = value else {
        return Ok(WorkFactor {
            log_n: default,
            default,
            set: false,
        });
    };
    match value.trim().parse::<u8>() {
        Ok(log_n) if (1..=22).contains(&log_n) && log_n < floor => Err(BadWorkFactor::BelowFloor {
            value: log_n,
            floor,
        }),
        Ok(log_n) if (1..=22).contains(&log_n) => Ok(WorkFactor {
            log_n,
            default,
            set: true,
        }),
        _ => Err(BadWorkFactor::NotAFactor(value.to_owned())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// As `store::DEFAULT_WORK_FACTOR` (the parser is given the default; it does not know it).
    const DEFAULT_WORK_FACTOR: u8 = 17;

    #[test]
    fn the_work_factor_is_the_default_unless_set_and_refused_when_not_a_factor() {
        let parse = |v| parse_work_factor(v, DEFAULT_WORK_FACTOR, 1);
        let default = parse(None).unwrap();
        assert_eq!(default.log_n, DEFAULT_WORK_FACTOR);
        assert_eq!(default.notice(), None);
        let low = parse(Some(" 10 ")).unwrap();
        assert_eq!(low.log_n, 10);
        assert!(low.notice().unwrap().contains("weaker key derivation"));
        assert!(low.notice().unwrap().contains("(17)"));
        let high = parse(Some("20")).unwrap().notice().unwrap();
        assert!(
            high.contains("=20 is set") && !high.contains("weaker"),
            "{high}"
        );
        for bad in ["", "0", "23", "ten", "-1", "1e3"] {
            let e = parse(Some(bad)).unwrap_err();
            assert_eq!(e, BadWorkFactor::NotAFactor(bad.to_owned()));
            assert!(e.to_string().contains("from 1 to 22"), "{e}");
        }
    }

    #[test]
    fn a_work_factor_below_the_floor_is_refused_whatever_the_variable_says() {
        let parse = |v| parse_work_factor(v, DEFAULT_WORK_FACTOR, DEFAULT_WORK_FACTOR);
        for low in ["1", "10", "16"] {
            let e = parse(Some(low)).unwrap_err();
            assert!(
                matches!(e, BadWorkFactor::BelowFloor { floor: 17, .. }),
                "{e:?}"
            );
            assert!(e.to_string().contains("below 17"), "{e}");
        }
        assert_eq!(parse(Some("17")).unwrap().log_n, 17);
        assert_eq!(parse(None).unwrap().log_n, 17);
    }
}
