//! `securebase report` (a PDF for a client's file) and `securebase export` (CSV, JSON or FHIR
//! for other systems). Both read through the store, write atomically and record the export in
//! the audit log.

use std::io::Write;

use anyhow::{Context, Result};
use jiff::Timestamp;

use super::data_folder::{open_unlocked, user, warn_each};
use super::{BadInput, ExportArgs, ExportFormat, ReportArgs};
use crate::catalog::Catalog;
use crate::export::report::ReportError;
use crate::export::{ExportError, ExportRequest, Kind, Scope, gather, write_audited};
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
    let (scope, whose) = match (&args.couple, &args.client) {
        (Some(name), _) => (couple_scope(&store, &keys, name)?, name.clone()),
        (None, Some(name)) => {
            let client = store.find_client(&keys, name).map_err(user)?;
            let scope = match &args.administration {
                Some(id) => Scope::Administration(client.id.clone(), id.clone()),
                None => Scope::Client(client.id.clone()),
            };
            (scope, client.name)
        }
        (None, None) => {
            return Err(BadInput("say whose report: --client or --couple".into()).into());
        }
    };
    let (data, failures) =
        gather(&store, &keys, catalog, &scope.to_read(Kind::ReportPdf)).map_err(user)?;
    warn_each(&failures);
    if data.is_empty() {
        return Err(BadInput(format!("no records for {whose}")).into());
    }
    let settings = Settings::load(dir).unwrap_or_else(|e| {
        eprintln!("securebase: warning: the defaults are used for the report: {e}");
        Settings::default()
    });
    let local = store.local_norms(&keys).unwrap_or_else(|e| {
        eprintln!("securebase: warning: local norms not used: {e}");
        None
    });
    let pdf = crate::export::bytes(&ExportRequest {
        kind: Kind::ReportPdf,
        scope: &scope,
        data: &data,
        catalog,
        names: true,
        note: args.note.as_deref().unwrap_or(""),
        paper,
        settings: &settings,
        local_norms: local.as_ref(),
        now: Timestamp::now(),
    })
    .map_err(|e| match e {
        ExportError::Report(ReportError::Nothing(m)) => BadInput(m).into(),
        other => anyhow::Error::new(other),
    })?;
    write_audited(
        &store,
        &args.output,
        &pdf,
        &scope,
        Kind::ReportPdf.audit_detail(),
    )
    .map_err(user)?;
    eprintln!("Wrote {}.", args.output.display());
    Ok(())
}

/// `securebase export`.
pub fn export(dir: &std::path::Path, catalog: &Catalog, args: &ExportArgs) -> Result<()> {
    let (store, keys) = open_unlocked(dir)?;
    let scope = if let Some(name) = &args.couple {
        couple_scope(&store, &keys, name)?
    } else {
        client_scope(&store, &keys, args)?
    };
    let (data, failures) = gather(&store, &keys, catalog, &scope).map_err(user)?;
    warn_each(&failures);
    let kind = match args.format {
        ExportFormat::Csv => Kind::Csv,
        ExportFormat::Json => Kind::Json,
        ExportFormat::Fhir => Kind::Fhir,
    };
    let what = kind.audit_detail();
    // Tables and bundles use neither the settings nor the note; they are there for reports.
    let settings = Settings::default();
    let bytes = crate::export::bytes(&ExportRequest {
        kind,
        scope: &scope,
        data: &data,
        catalog,
        names: args.names,
        note: "",
        paper: settings.paper,
        settings: &settings,
        local_norms: None,
        now: Timestamp::now(),
    })?;
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

/// `--client` (one client, or one administration of theirs) or `--all`.
fn client_scope(
    store: &crate::store::Store,
    keys: &crate::store::Keys,
    args: &ExportArgs,
) -> Result<Scope> {
    Ok(match (&args.client, args.all) {
        (Some(_), true) => {
            return Err(BadInput("give either --client or --all, not both".into()).into());
        }
        (None, false) => {
            return Err(BadInput(
                "say whose data: --client NAME-OR-ID, --couple NAME-OR-ID, or --all".into(),
            )
            .into());
        }
        (None, true) => {
            if args.administration.is_some() {
                return Err(BadInput("--administration needs --client".into()).into());
            }
            Scope::All
        }
        (Some(name), false) => {
            let client = store.find_client(keys, name).map_err(user)?;
            match &args.administration {
                Some(id) => Scope::Administration(client.id, id.clone()),
                None => Scope::Client(client.id),
            }
        }
    })
}

/// `--couple`: both partners of the couple one of them is in (the current couple, else the
/// latest ended one).
fn couple_scope(
    store: &crate::store::Store,
    keys: &crate::store::Keys,
    name: &str,
) -> Result<Scope> {
    let client = store.find_client(keys, name).map_err(user)?;
    let couples = store.couples(keys).map_err(user)?;
    let Some(couple) = couples.latest_of(&client.id) else {
        return Err(BadInput(format!(
            "{} is not in a couple (securebase couple link --client A --client B)",
            client.name
        ))
        .into());
    };
    Ok(Scope::Couple {
        id: couple.id.clone(),
        clients: couple.clients.clone(),
    })
}
