//! Independent check: `securebase score` against R (`psych::scoreItems`; RFQ-8 recoded in R) and
//! `securebase reliability` against `psych::alpha` (α, its Feldt interval, r.drop, mean, SD) on
//! simulated ECR-R, ECR-S and RFQ-8 data (`tests/data/independent/check_psych.R`). Skipped, with a
//! message, when Rscript or R's psych package is not installed.

use std::path::Path;
use std::process::Command;

/// True when `Rscript` runs and can load psych.
fn r_with_psych() -> bool {
    Command::new("Rscript")
        .args(["-e", "suppressPackageStartupMessages(library(psych))"])
        .output()
        .is_ok_and(|out| out.status.success())
}

#[test]
#[cfg_attr(
    windows,
    ignore = "on Windows: runs R (Rscript with psych), a Linux program here"
)]
fn securebase_agrees_with_psych() {
    if !r_with_psych() {
        println!(
            "skipped: Rscript/psych not installed (install R and r-cran-psych to run this check)"
        );
        return;
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/independent/check_psych.R");
    let work = tempfile::tempdir().expect("temp dir");
    let out = Command::new("Rscript")
        .arg(&script)
        .arg(env!("CARGO_BIN_EXE_securebase"))
        .arg(work.path())
        .output()
        .expect("run Rscript");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    println!("{stdout}");
    if !stderr.is_empty() {
        println!("stderr:\n{stderr}");
    }
    assert!(
        out.status.success(),
        "securebase disagrees with the independent R scoring ({}):\n{stdout}\n{stderr}",
        out.status
    );
}
