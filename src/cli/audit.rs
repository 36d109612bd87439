//! `securebase audit`: the audit log, one tab-separated line per entry, with the clinician
//! who unlocked (empty for entries written with nothing unlocked, and before clinicians).

use std::io::Write;

use anyhow::Result;

use super::data_folder::{open_unlocked, user, warn_failures};

/// `securebase audit`.
pub fn run(dir: &std::path::Path) -> Result<()> {
    let (store, keys) = open_unlocked(dir)?;
    let log = store.audit_log(&keys).map_err(user)?;
    warn_failures(&log);
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "time\taction\trecord_kind\trecord_id\tdetail\tclinician"
    )?;
    for e in &log.records {
        writeln!(
            out,
            "{}\t{}\t{}\t{}\t{}\t{}",
            e.time,
            e.action.as_str(),
            e.record_kind.as_deref().unwrap_or(""),
            e.record_id.as_deref().unwrap_or(""),
            e.detail,
            e.clinician.as_deref().unwrap_or("")
        )?;
    }
    Ok(())
}
