//! `securebase report` (a PDF for a client's file) and `securebase export` (CSV, JSON or FHIR
//! for other systems). Both read through the store, write atomically and record the export in
//! the audit log.

use std::io::Write;

use anyhow::{Context, Result};
use jiff::Timestamp;

use super::data_folder::{open_unlocked, user};
use super::{BadInput, ExportArgs, ExportFormat, ReportArgs};
use crate::catalog::Catalog;
use crate::export::report::{ReportRequest, report_pdf};
use crate::export::{Scope, fhir, gather, table, write_audited};
use crate::store::settings::Paper;
use crate::store::settings::Settings;

/// `securebase report`.
pub fn report(dir: &std::path::Path, catalog: &Catalog, args: &ReportArgs) -> Result<()> {
    let paper = Paper::parse(&args.paper).ok_or_else(|| {
        BadInput(format!(
            "{:?} is not a paper size; use a4 or letter",
            args.paper
        ))
    })?;
    let (store, keys) = open_unlocked(dir)?;
    let client = store.find_client(&keys, &args.client).map_err(user)?;
    let scope = match &args.administration {
        Some(id) => Scope::Administration(client.id.clone(), id.clone()),
        None => Scope::Client(client.id.clone()),
    };
    // One administration's report still shows the earlier ones: read the whole client.
    let read = Scope::Client(client.id.clone());
    let (data, failures) = gather(&store, &keys, catalog, &read).map_err(user)?;
    for f in &failures {
        eprintln!("securebase: warning: skipped unreadable record: {f}");
    }
    let Some(client_data) = data.first() else {
        return Err(BadInput(format!("no records for {}", client.name)).into());
    };
    let settings = Settings::load(dir).unwrap_or_else(|e| {
        eprintln!("securebase: warning: the defaults are used for the report: {e}");
        Settings::default()
    });
    let local = store.local_norms(&keys).unwrap_or_else(|e| {
        eprintln!("securebase: warning: local norms not used: {e}");
        None
    });
    let request = ReportRequest {
        data: client_data,
        administration: args.administration.as_deref(),
        note: args.note.as_deref().unwrap_or(""),
        paper,
        settings: &settings,
        local_norms: local.as_ref(),
        now: Timestamp::now(),
    };
    let pdf = report_pdf(&request).map_err(|e| match e {
        crate::export::report::ReportError::Nothing(m) => BadInput(m).into(),
        pdf @ crate::export::report::ReportError::Pdf(_) => anyhow::Error::new(pdf),
    })?;
    write_audited(&store, &args.output, &pdf, &scope, "report pdf").map_err(user)?;
    eprintln!("Wrote {}.", args.output.display());
    Ok(())
}

/// `securebase export`.
pub fn export(dir: &std::path::Path, catalog: &Catalog, args: &ExportArgs) -> Result<()> {
    let (store, keys) = open_unlocked(dir)?;
    let scope = match (&args.client, args.all) {
        (Some(_), true) => {
            return Err(BadInput("give either --client or --all, not both".into()).into());
        }
        (None, false) => {
            return Err(BadInput("say whose data: --client NAME-OR-ID, or --all".into()).into());
        }
        (None, true) => {
            if args.administration.is_some() {
                return Err(BadInput("--administration needs --client".into()).into());
            }
            Scope::All
        }
        (Some(name), false) => {
            let client = store.find_client(&keys, name).map_err(user)?;
            match &args.administration {
                Some(id) => Scope::Administration(client.id, id.clone()),
                None => Scope::Client(client.id),
            }
        }
    };
    let (data, failures) = gather(&store, &keys, catalog, &scope).map_err(user)?;
    for f in &failures {
        eprintln!("securebase: warning: skipped unreadable record: {f}");
    }
    let (bytes, what) = match args.format {
        ExportFormat::Csv => (table::csv_bytes(catalog, &data, args.names), "csv export"),
        ExportFormat::Json => (table::json_bytes(&data, args.names), "json export"),
        ExportFormat::Fhir => (
            fhir::bundle_bytes(&data, args.names, &Timestamp::now().to_string()),
            "fhir export",
        ),
    };
    let bytes = bytes.map_err(anyhow::Error::msg)?;
    if args.output.as_os_str() == "-" {
        store
            .audit(
                crate::store::AuditAction::Export,
                scope.audit_target(),
                what,
            )
            .map_err(user)?;
        let mut out = std::io::stdout().lock();
        out.write_all(&bytes)
            .context("cannot write to standard output")?;
        return Ok(());
    }
    write_audited(&store, &args.output, &bytes, &scope, what).map_err(user)?;
    eprintln!("Wrote {}.", args.output.display());
    Ok(())
}
