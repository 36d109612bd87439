//! `securebase audit`: the audit log, one tab-separated line per entry, with the clinician
//! who unlocked (empty for entries written with nothing unlocked, and before clinicians).

use std::io::Write;

use anyhow::Result;

use super::data_folder::{open_unlocked, user, warn_failures};

/// `securebase audit [--verify]`.
pub fn run(dir: &std::path::Path, verify: bool) -> Result<()> {
    let (store, keys) = open_unlocked(dir)?;
    if verify {
        let report = store.check_audit(&keys).map_err(user)?;
        return chain_verdict(&report);
    }
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

/// Says what the chain check found; an error (exit 1) when the chain is broken.
fn chain_verdict(report: &crate::store::ChainReport) -> Result<()> {
    use std::fmt::Write as _;
    for problem in &report.problems {
        println!("broken: {problem}");
    }
    let mut summary = format!("{} entries in the chain", report.chained);
    if report.unsigned > 0 {
        let _ = write!(
            summary,
            ", {} of them written with nothing unlocked (chained, not signed)",
            report.unsigned
        );
    }
    if report.before_chain > 0 {
        let _ = write!(
            summary,
            "; {} from before the log was authenticated (securebase cannot vouch for them)",
            report.before_chain
        );
    }
    if report.is_whole() {
        println!("The audit log's chain is whole: {summary}.");
        Ok(())
    } else {
        Err(anyhow::anyhow!(
            "the audit log's chain is broken ({} problems, the first broken link first); {summary}",
            report.problems.len()
        ))
    }
}

/// `securebase verify`: the whole data folder.
pub fn verify(dir: &std::path::Path) -> Result<()> {
    let (store, keys) = open_unlocked(dir)?;
    let report = store.verify(&keys).map_err(user)?;
    for failure in &report.failures {
        println!("problem: {failure}");
    }
    for missing in &report.missing {
        println!("missing: {missing}");
    }
    for problem in &report.chain.problems {
        println!("audit chain broken: {problem}");
    }
    for unlogged in &report.unlogged {
        println!("note: {unlogged}");
    }
    let problems = report.failures.len() + report.missing.len() + report.chain.problems.len();
    if report.is_sound() {
        println!(
            "The data folder checks: {} records, every one authenticated and in its place; the \
             audit log's chain is whole ({} entries).",
            report.good, report.chain.chained
        );
        Ok(())
    } else {
        Err(anyhow::anyhow!(
            "the data folder does not check: {problems} problems (listed above); {} records \
             check. Nothing was moved or deleted.",
            report.good
        ))
    }
}
