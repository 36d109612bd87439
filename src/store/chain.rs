//! The audit log as a hash chain: deleting, editing, reordering or back-dating an entry breaks
//! it, and [`Store::check_audit`] names the first broken link.
//!
//! Each entry (from folder format 3) has a sequence number `seq` (1, 2, …) and `prev`, the
//! SHA-256 of the previous entry's JSON. Its file is `audit/<seq>-<sha256 of its own
//! JSON>.age`, so that the next entry can be linked with nothing unlocked (a wrong passphrase
//! is logged before anyone unlocks); the names are only hints, checked against the contents.
//! Every entry is authenticated like a record, except those written with nothing unlocked
//! (wrong passphrases): those can only be chained, not signed, so anyone with write access
//! could add such an entry at the end of the log — never change or remove one already
//! followed by a signed entry.
//!
//! Removing the newest entries leaves a chain that is whole but short: `audit-head.age`, signed
//! and rewritten after each signed entry, says how far the log went, so that a cut is seen.

use std::collections::BTreeMap;
use std::fs;

use serde::{Deserialize, Serialize};

use super::auth::{self, Vouched};
use super::error::StoreError;
use super::sealed::Checked;
use super::{AUDIT, AuditEntry, HasId, Keys, Store};

/// The signed note of the newest signed entry.
pub(super) const HEAD: &str = "audit-head.age";
/// The signed list of the entries written before the log was authenticated (a folder of an
/// earlier version): the only entries that may lie outside the chain.
pub(super) const EARLIER: &str = "audit-earlier.age";

/// How far back in time an entry may be from the one before it without being called
/// back-dated: a clock corrected by the network, not a forged date.
const CLOCK_SLACK: jiff::SignedDuration = jiff::SignedDuration::from_mins(5);

/// What `audit-head.age` holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct Head {
    /// Record format version.
    pub format: u32,
    /// The newest signed entry's number.
    pub seq: u64,
    /// The SHA-256 of its JSON.
    pub hash: String,
}

impl HasId for Head {
    fn file_id(&self) -> Option<&str> {
        None
    }
}

/// What `audit-earlier.age` holds: each earlier entry's file name and the SHA-256 of its JSON,
/// as found when the log was authenticated.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct Earlier {
    /// Record format version.
    pub format: u32,
    /// File name → SHA-256 of the entry's JSON.
    pub entries: BTreeMap<String, String>,
}

impl HasId for Earlier {
    fn file_id(&self) -> Option<&str> {
        None
    }
}

impl Earlier {
    /// Whether `c`, an entry without a MAC, may stand as securebase's: in the chain, one that
    /// is written with nothing unlocked; outside it, one of the earlier entries, unchanged.
    /// (The audit log's reader and the chain check both ask this.)
    pub(super) fn may_stand_unsigned(&self, c: &Checked<AuditEntry>) -> bool {
        match c.record.seq {
            Some(_) => c.record.may_be_unsigned(),
            None => self.lists(c),
        }
    }

    /// Whether `c`, an entry outside the chain, is one of the earlier entries, unchanged.
    pub(super) fn lists(&self, c: &Checked<AuditEntry>) -> bool {
        c.path
            .file_name()
            .and_then(|n| self.entries.get(n.to_string_lossy().as_ref()))
            .is_some_and(|hash| *hash == c.body_hash)
    }
}

/// What the audit log's chain says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChainReport {
    /// Entries in the chain.
    pub chained: usize,
    /// Entries from before the folder was authenticated (securebase cannot vouch for them).
    pub before_chain: usize,
    /// Chained entries written with nothing unlocked (wrong passphrases): chained, unsigned.
    pub unsigned: usize,
    /// What is wrong, the first broken link first; empty when the chain is whole.
    pub problems: Vec<String>,
}

impl ChainReport {
    /// Whether the chain is whole.
    pub fn is_whole(&self) -> bool {
        self.problems.is_empty()
    }
}

/// The name of an entry's file: its number, zero-padded so that names sort in order, and its
/// hash (short enough for a tar header's 100 bytes with `audit/` before it).
pub(super) fn entry_name(seq: u64, hash: &str) -> String {
    format!("{seq:010}-{hash}.age")
}

/// The sequence number and hash a file name gives (entries of format 3).
fn parse_name(name: &str) -> Option<(u64, &str)> {
    let (seq, hash) = name.strip_suffix(".age")?.split_once('-')?;
    (seq.len() == 10 && hash.len() == 64)
        .then(|| seq.parse().ok().map(|seq| (seq, hash)))
        .flatten()
}

impl Store {
    /// The newest link of the chain, from the file names: its number and hash.
    pub(super) fn last_link(&self) -> Option<(u64, String)> {
        let entries = fs::read_dir(self.dir.join(AUDIT)).ok()?;
        entries
            .filter_map(Result::ok)
            .filter_map(|e| {
                let name = e.file_name().to_string_lossy().into_owned();
                parse_name(&name).map(|(seq, hash)| (seq, hash.to_owned()))
            })
            .max_by_key(|(seq, _)| *seq)
    }

    /// Writes the next entry of the chain (the entry's `seq` and `prev` are set here) and,
    /// when it is signed, the head.
    pub(super) fn append_audit(&self, mut entry: AuditEntry) -> Result<(), StoreError> {
        let folder = self.dir.join(AUDIT);
        super::create_private_dir(&folder).map_err(StoreError::io(format!(
            "cannot create {}",
            folder.display()
        )))?;
        if !self.authenticated() {
            // Before authentication (a folder from an earlier version, not yet unlocked): the
            // earlier naming, no chain.
            let stamp = entry
                .time
                .strftime("%Y%m%dT%H%M%S%.9fZ")
                .to_string()
                .replace('.', "");
            let name = format!("{stamp}-{}.age", &super::new_id()?[..8]);
            return self.write_sealed(&folder.join(name), &entry, true);
        }
        let last = self.last_link();
        entry.seq = Some(last.as_ref().map_or(1, |(seq, _)| seq + 1));
        entry.prev = last.map(|(_, hash)| hash);
        let body = serde_json::to_string(&entry).map_err(|e| StoreError::Crypto(e.to_string()))?;
        let hash = auth::chain_hash(&body);
        let seq = entry.seq.unwrap_or(1);
        let path = folder.join(entry_name(seq, &hash));
        self.write_body(&path, body, true)?;
        if self.state().signer.is_some() {
            let head = Head {
                format: super::records::FORMAT,
                seq,
                hash,
            };
            self.write_record(&self.dir.join(HEAD), &head)?;
        }
        Ok(())
    }

    /// Checks the audit log's chain: every entry in order, linked to the one before, none
    /// back-dated, none missing, none cut from the end.
    pub fn check_audit(&self, keys: &Keys) -> Result<ChainReport, StoreError> {
        let loaded = self.read_folder_checked::<AuditEntry>(keys, &self.dir.join(AUDIT))?;
        let mut report = ChainReport::default();
        let mut links: Vec<(String, Checked<AuditEntry>)> = Vec::new();
        let mut outside = Vec::new();
        for failure in &loaded.failures {
            report.problems.push(format!(
                "an audit entry does not check: {failure}; the chain breaks there"
            ));
        }
        for c in loaded.records {
            let name = c
                .path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            match c.record.seq {
                Some(_) => links.push((name, c)),
                None => outside.push(c),
            }
        }
        links.sort_by_key(|(_, c)| c.record.seq);
        report.chained = links.len();
        self.check_outside(keys, &outside, &mut report);
        let mut expected = 1;
        let mut before: Option<&Checked<AuditEntry>> = None;
        for (name, c) in &links {
            let seq = c.record.seq.unwrap_or(0);
            let at = format!("audit entry {seq} ({})", c.record.time);
            if seq < expected {
                report
                    .problems
                    .push(format!("{at}: there are two entries numbered {seq}"));
            } else if seq > expected {
                report.problems.push(if expected == seq - 1 {
                    format!("audit entry {expected} is missing: it was deleted")
                } else {
                    format!(
                        "audit entries {expected} to {} are missing: they were deleted",
                        seq - 1
                    )
                });
            }
            match (before, &c.record.prev) {
                (Some(b), Some(prev)) if *prev != b.body_hash => report.problems.push(format!(
                    "{at} does not follow entry {}: an entry was changed, replaced or reordered",
                    b.record.seq.unwrap_or(0)
                )),
                (Some(b), None) => report.problems.push(format!(
                    "{at} names no entry before it, but follows entry {}",
                    b.record.seq.unwrap_or(0)
                )),
                (None, Some(_)) if seq == 1 => report
                    .problems
                    .push(format!("{at} is the first, yet names one before it")),
                _ => {}
            }
            if let Some(b) = before
                && c.record.time + CLOCK_SLACK < b.record.time
            {
                report.problems.push(format!(
                    "{at} is dated before entry {} ({}): it was back-dated",
                    b.record.seq.unwrap_or(0),
                    b.record.time
                ));
            }
            if parse_name(name).is_some_and(|(s, h)| s != seq || h != c.body_hash) {
                report.problems.push(format!(
                    "{at}: its file name {name} does not match what it holds (renamed)"
                ));
            }
            match &c.vouched {
                Some(Vouched::Folder | Vouched::Session(_)) => {}
                None if c.record.may_be_unsigned() => report.unsigned += 1,
                None => report.problems.push(format!(
                    "{at} ({}) is not authenticated, and only what is written with nothing \
                     unlocked may be (a wrong passphrase, a backup): it was not written by \
                     securebase",
                    c.record.action.as_str()
                )),
            }
            expected = expected.max(seq + 1);
            before = Some(c);
        }
        self.check_head(keys, &links, &mut report);
        Ok(report)
    }

    /// Entries outside the chain: each must be one listed when the log was authenticated.
    fn check_outside(
        &self,
        keys: &Keys,
        outside: &[Checked<AuditEntry>],
        report: &mut ChainReport,
    ) {
        let earlier = self.earlier_entries(keys).unwrap_or_else(|e| {
            report.problems.push(e.to_string());
            Earlier::default()
        });
        for c in outside {
            if earlier.may_stand_unsigned(c) {
                report.before_chain += 1;
            } else {
                report.problems.push(format!(
                    "an audit entry of {} ({}, {}) is outside the chain and was not in the log \
                     when it was authenticated: it was not written by securebase",
                    c.record.time,
                    c.record.action.as_str(),
                    c.path.display()
                ));
            }
        }
    }

    /// The entries from before the log was authenticated (none for a folder authenticated
    /// from the start).
    pub(super) fn earlier_entries(&self, keys: &Keys) -> Result<Earlier, StoreError> {
        let path = self.dir.join(EARLIER);
        if !path.exists() {
            return Ok(Earlier::default());
        }
        self.read_record(keys, &path)
    }

    /// Whether the chain reaches as far as `audit-head.age` says it went.
    fn check_head(
        &self,
        keys: &Keys,
        links: &[(String, Checked<AuditEntry>)],
        report: &mut ChainReport,
    ) {
        let path = self.dir.join(HEAD);
        if !path.exists() {
            if links.iter().any(|(_, c)| c.vouched.is_some()) {
                report.problems.push(format!(
                    "{HEAD} is missing: whether the newest entries were removed cannot be told"
                ));
            }
            return;
        }
        match self.read_record::<Head>(keys, &path) {
            Ok(head) => match links.iter().find(|(_, c)| c.record.seq == Some(head.seq)) {
                Some((_, c)) if c.body_hash == head.hash => {}
                Some(_) => report.problems.push(format!(
                    "audit entry {} is not the one written as the newest signed entry: it was \
                         replaced",
                    head.seq
                )),
                None => report.problems.push(format!(
                    "the log ends at entry {}, but entry {} was written: the newest entries \
                         were removed",
                    links.last().and_then(|(_, c)| c.record.seq).unwrap_or(0),
                    head.seq
                )),
            },
            Err(e) => report.problems.push(format!("{e}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_carry_the_number_and_hash() {
        let hash = "a".repeat(64);
        let name = entry_name(42, &hash);
        assert_eq!(name.len() + "audit/".len(), 85);
        assert_eq!(parse_name(&name), Some((42, hash.as_str())));
        assert_eq!(parse_name("20260101T000000000000000Z-1a2b3c4d.age"), None);
    }
}
