//! Wrong passphrases in a row, and the wait they impose before the next try.
//!
//! The real risk to a sealed key is offline guessing at a copy of it, which only scrypt's cost
//! slows (and a floor on it: [`super::crypto::MIN_WORK_FACTOR`]). This is the online half:
//! someone at the clinic's PC (or at the client-mode prompt) trying passphrase after passphrase.
//! The first [`FREE_TRIES`] cost nothing (anyone mistypes); after that each try waits twice as
//! long as the one before, up to [`MAX_WAIT`]. The count lives in a small clear file of the data
//! folder, written atomically, so that it survives restarts; a right passphrase clears it.
//! Someone who can delete files in the data folder can clear it too, which is why it is only the
//! online half.

use std::path::Path;
use std::time::Duration;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// The file, beside `securebase.json`.
pub const FILE: &str = "unlock-attempts.json";
/// Wrong passphrases in a row that cost no wait.
pub const FREE_TRIES: u32 = 3;
/// The wait after the first try beyond the free ones; it doubles with each further one.
const FIRST_WAIT: Duration = Duration::from_secs(5);
/// The longest wait: long enough to make guessing at the keyboard hopeless, short enough that a
/// clinician locked out by a client's tries at the client-mode prompt is back within minutes.
pub const MAX_WAIT: Duration = Duration::from_mins(15);

/// What the file holds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attempts {
    /// Wrong passphrases since the last right one.
    pub failed_in_a_row: u32,
    /// When the last of them was typed.
    pub last_failed: Option<Timestamp>,
}

/// How long to wait after `failed_in_a_row` wrong passphrases before the next try.
pub fn wait_after(failed_in_a_row: u32) -> Duration {
    if failed_in_a_row < FREE_TRIES {
        return Duration::ZERO;
    }
    let doublings = (failed_in_a_row - FREE_TRIES).min(20);
    FIRST_WAIT.saturating_mul(1 << doublings).min(MAX_WAIT)
}

impl Attempts {
    /// The wait still to go at `now`, if any. A clock set back (`now` before the last failure)
    /// waits the whole wait again rather than none.
    pub fn remaining(&self, now: Timestamp) -> Option<Duration> {
        let last = self.last_failed?;
        let wait = wait_after(self.failed_in_a_row);
        let since = now.duration_since(last);
        let since = Duration::try_from(since).unwrap_or(Duration::ZERO);
        let left = wait.saturating_sub(since);
        (!left.is_zero()).then_some(left)
    }

    /// The count after one more wrong passphrase at `now`.
    pub fn after_failure(&self, now: Timestamp) -> Attempts {
        Attempts {
            failed_in_a_row: self.failed_in_a_row.saturating_add(1),
            last_failed: Some(now),
        }
    }
}

/// The count in `dir`: none when there is no file. A file that does not read (damaged, or
/// edited by hand) counts as the free tries used up, so that damaging it buys no free guesses
/// and locks no one out either.
pub fn read(dir: &Path) -> Attempts {
    match crate::safe_read::read_regular(&dir.join(FILE), 64 << 10) {
        Ok(bytes) => serde_json::from_slice(&bytes).unwrap_or(Attempts {
            failed_in_a_row: FREE_TRIES,
            last_failed: None,
        }),
        Err(_) => Attempts::default(),
    }
}

/// The file's bytes.
pub fn to_bytes(attempts: &Attempts) -> Vec<u8> {
    // Two plain fields: serialising them cannot fail.
    serde_json::to_vec_pretty(attempts).unwrap_or_default()
}

/// A wait said for a person: "40 s", "2 min 40 s".
pub fn say(wait: Duration) -> String {
    let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    match (secs / 60, secs % 60) {
        (0, s) => format!("{s} s"),
        (m, 0) => format!("{m} min"),
        (m, s) => format!("{m} min {s} s"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wait_is_free_three_times_then_doubles_up_to_the_cap() {
        let waits: Vec<u64> = (0..14).map(|n| wait_after(n).as_secs()).collect();
        assert_eq!(
            waits,
            [0, 0, 0, 5, 10, 20, 40, 80, 160, 320, 640, 900, 900, 900]
        );
        assert_eq!(wait_after(u32::MAX), MAX_WAIT);
    }

    #[test]
    fn the_remaining_wait_counts_from_the_last_failure_and_a_clock_set_back_waits_again() {
        let last: Timestamp = "2026-12-01T10:00:00Z".parse().unwrap();
        let at = |s: &str| s.parse::<Timestamp>().unwrap();
        let four = Attempts {
            failed_in_a_row: 4,
            last_failed: Some(last),
        };
        assert_eq!(
            four.remaining(at("2026-12-01T10:00:03Z")),
            Some(Duration::from_secs(7))
        );
        assert_eq!(four.remaining(at("2026-12-01T10:00:10Z")), None);
        assert_eq!(
            four.remaining(at("2026-12-01T09:00:00Z")),
            Some(Duration::from_secs(10))
        );
        let two = Attempts {
            failed_in_a_row: 2,
            last_failed: Some(last),
        };
        assert_eq!(two.remaining(last), None);
        assert_eq!(two.after_failure(last).remaining(last), Some(FIRST_WAIT));
        assert_eq!(Attempts::default().remaining(last), None);
    }

    #[test]
    fn waits_are_said_in_minutes_and_seconds() {
        assert_eq!(say(Duration::from_secs(5)), "5 s");
        assert_eq!(say(Duration::from_millis(4200)), "5 s");
        assert_eq!(say(Duration::from_mins(2)), "2 min");
        assert_eq!(say(Duration::from_secs(160)), "2 min 40 s");
    }
}
