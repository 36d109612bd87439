//! Everything that leaves securebase as a file: the PDF report ([`pdf`]), research tables as
//! CSV or JSON ([`table`]), and HL7 FHIR R4 bundles ([`fhir`]).
//!
//! The formatters are pure — records in, bytes out — so the app, the command line and the
//! tests produce the same files. [`gather`] reads what an export covers from the store and
//! scores it with the core; [`write_audited`] writes a file atomically and records the export in
//! the audit log. An export names no client unless asked to (`names`); the PDF report is for
//! the client's file and names their pseudonym.

pub mod couple_report;
pub mod fhir;
pub mod layout;
pub mod pdf;
pub mod recovery_sheet;
pub mod report;
pub mod table;

use std::path::Path;

use jiff::Timestamp;

use crate::catalog::Catalog;
use crate::core::ScoreReport;
use crate::core::instrument::Instrument;
use crate::core::score;
use crate::store::settings::{Paper, Settings};
use crate::store::{
    Administration, AuditAction, AuditTarget, Client, Keys, LocalNorms, Store, StoreError,
};
use report::ReportError;

/// One administration with its instrument and scores, as exports need it.
#[derive(Debug, Clone)]
pub struct Scored {
    /// The record.
    pub administration: Administration,
    /// Its instrument, when loaded.
    pub instrument: Option<Instrument>,
    /// Its scores, when the answers fit the instrument.
    pub report: Option<ScoreReport>,
}

/// A client and their administrations, oldest first.
#[derive(Debug, Clone)]
pub struct ClientData {
    /// The client.
    pub client: Client,
    /// Their administrations, oldest first.
    pub administrations: Vec<Scored>,
}

/// What an export covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// Every administration of every client.
    All,
    /// Every administration of one client (by id).
    Client(String),
    /// One administration (client id, administration id).
    Administration(String, String),
    /// Every administration of both partners of a couple.
    Couple {
        /// The couple's id (what the audit log names).
        id: String,
        /// The two clients' ids.
        clients: [String; 2],
    },
}

impl Scope {
    /// What the audit log names for this scope.
    pub fn audit_target(&self) -> AuditTarget<'_> {
        match self {
            Scope::All => AuditTarget::Nothing,
            Scope::Client(id) => AuditTarget::Client(id),
            Scope::Administration(_, id) => AuditTarget::Administration(id),
            Scope::Couple { id, .. } => AuditTarget::Couple(id),
        }
    }
}

/// The kinds of export file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The PDF report.
    ReportPdf,
    /// The research table as CSV.
    Csv,
    /// The research table as JSON.
    Json,
    /// An HL7 FHIR R4 bundle (JSON).
    Fhir,
}

impl Kind {
    /// File name extension.
    pub fn extension(self) -> &'static str {
        match self {
            Kind::ReportPdf => "pdf",
            Kind::Csv => "csv",
            Kind::Json => "json",
            Kind::Fhir => "fhir.json",
        }
    }

    /// What the audit log says.
    pub fn audit_detail(self) -> &'static str {
        match self {
            Kind::ReportPdf => "report pdf",
            Kind::Csv => "csv export",
            Kind::Json => "json export",
            Kind::Fhir => "fhir export",
        }
    }

    /// Name for people (buttons, dialogs).
    pub fn label(self) -> &'static str {
        match self {
            Kind::ReportPdf => "PDF report",
            Kind::Csv => "CSV",
            Kind::Json => "JSON",
            Kind::Fhir => "FHIR",
        }
    }
}

impl Scope {
    /// What must be read to export this scope as `kind`: a report of one administration still
    /// shows the client's earlier ones (the plane's history, change since the one before), so
    /// it reads the whole client.
    #[must_use]
    pub fn to_read(&self, kind: Kind) -> Scope {
        match (kind, self) {
            (Kind::ReportPdf, Scope::Administration(client, _)) => Scope::Client(client.clone()),
            _ => self.clone(),
        }
    }
}

/// Everything one export file is made from: what was read ([`gather`]) and the choices around
/// it. The app and the command line both fill one in and call [`bytes`], so that the same
/// request gives the same file from either.
pub struct ExportRequest<'a> {
    /// Which kind of file.
    pub kind: Kind,
    /// What it covers (for a report, which administration).
    pub scope: &'a Scope,
    /// What was read for it (with [`Scope::to_read`]).
    pub data: &'a [ClientData],
    /// The instruments (the CSV's columns).
    pub catalog: &'a Catalog,
    /// Whether tables and bundles include client names (a report always names its client).
    pub names: bool,
    /// The clinician's note under the report's heading.
    pub note: &'a str,
    /// The report's paper.
    pub paper: Paper,
    /// The clinic's settings (figures, the local-norms opt-in).
    pub settings: &'a Settings,
    /// The clinic's local norms, when computed.
    pub local_norms: Option<&'a LocalNorms>,
    /// When the file is made (the report's date, the bundle's timestamp).
    pub now: Timestamp,
}

/// Why an export file could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The report has nothing to show, or could not be drawn.
    #[error(transparent)]
    Report(#[from] ReportError),
    /// The CSV writer failed.
    #[error("the CSV file could not be made: {0}")]
    Csv(#[source] csv::Error),
    /// The JSON writer failed.
    #[error("the JSON file could not be made: {0}")]
    Json(#[source] serde_json::Error),
}

/// The export file's bytes.
///
/// # Errors
/// [`ExportError::Report`] when a report has nothing to show (no client read, no such
/// administration, nothing completed) or the PDF fails; the writers' errors otherwise.
pub fn bytes(request: &ExportRequest<'_>) -> Result<Vec<u8>, ExportError> {
    let r = request;
    match r.kind {
        Kind::ReportPdf if matches!(r.scope, Scope::Couple { .. }) => {
            let Scope::Couple { clients, .. } = r.scope else {
                unreachable!("matched above")
            };
            Ok(couple_report::couple_report_pdf(
                &couple_report::CoupleReportRequest {
                    data: r.data,
                    clients,
                    instruments: &r.catalog.instruments,
                    note: r.note,
                    paper: r.paper,
                    settings: r.settings,
                    local_norms: r.local_norms,
                    now: r.now,
                },
            )?)
        }
        Kind::ReportPdf => {
            let data = r
                .data
                .first()
                .ok_or_else(|| ReportError::Nothing("there is nothing to report".to_owned()))?;
            let administration = match r.scope {
                Scope::Administration(_, id) => Some(id.as_str()),
                _ => None,
            };
            Ok(report::report_pdf(&report::ReportRequest {
                data,
                administration,
                note: r.note,
                paper: r.paper,
                settings: r.settings,
                local_norms: r.local_norms,
                now: r.now,
            })?)
        }
        Kind::Csv => table::csv_bytes(r.catalog, r.data, r.names),
        Kind::Json => table::json_bytes(r.data, r.names),
        Kind::Fhir => fhir::bundle_bytes(r.data, r.names, &r.now.to_string()),
    }
}

/// Scores one administration with its instrument from `catalog`.
pub fn scored(catalog: &Catalog, administration: Administration) -> Scored {
    let instrument = catalog.get(&administration.instrument_id).cloned();
    let report = instrument
        .as_ref()
        .and_then(|i| administration.responses(i).ok().map(|r| score(i, &r)));
    Scored {
        administration,
        instrument,
        report,
    }
}

/// Reads and scores what `scope` covers. Records that cannot be read are returned as
/// failures (named), and the rest is exported.
pub fn gather(
    store: &Store,
    keys: &Keys,
    catalog: &Catalog,
    scope: &Scope,
) -> Result<(Vec<ClientData>, Vec<StoreError>), StoreError> {
    let loaded = store.clients(keys)?;
    let mut failures = loaded.failures;
    let mut out = Vec::new();
    for client in loaded.records {
        let wanted = match scope {
            Scope::All => true,
            Scope::Client(id) | Scope::Administration(id, _) => &client.id == id,
            Scope::Couple { clients, .. } => clients.contains(&client.id),
        };
        if !wanted {
            continue;
        }
        let administrations = store.administrations(keys, &client.id)?;
        failures.extend(administrations.failures);
        let administrations = administrations
            .records
            .into_iter()
            .filter(|a| match scope {
                Scope::Administration(_, id) => &a.id == id,
                _ => true,
            })
            .map(|a| scored(catalog, a))
            .collect();
        out.push(ClientData {
            client,
            administrations,
        });
    }
    if let Scope::Administration(_, id) = scope
        && out.iter().all(|c| c.administrations.is_empty())
    {
        return Err(StoreError::Invalid(format!(
            "there is no administration {id}"
        )));
    }
    if let Scope::Client(id) = scope
        && out.is_empty()
    {
        return Err(StoreError::NoSuchClient(id.clone()));
    }
    if let Scope::Couple { clients, .. } = scope
        && let Some(gone) = clients
            .iter()
            .find(|id| !out.iter().any(|c| &c.client.id == *id))
    {
        return Err(StoreError::NoSuchClient(gone.clone()));
    }
    Ok((out, failures))
}

/// Writes `bytes` to `path` atomically, then records the export (`detail`, e.g. `csv
/// export`) in the audit log. The file is complete or absent; the audit entry follows it.
pub fn write_audited(
    store: &Store,
    path: &Path,
    bytes: &[u8],
    scope: &Scope,
    detail: &str,
) -> Result<(), StoreError> {
    crate::atomic::write_atomic(path, bytes)
        .map_err(StoreError::io(format!("cannot write {}", path.display())))?;
    store.audit(AuditAction::Export, scope.audit_target(), detail)
}

/// A file name for an export that never contains the client's name:
/// `securebase-[report-]<what>-<date>.<ext>`, where `what` is `client-<first 8 of the id>`
/// (after the administration's instrument, when known) or `all`.
pub fn default_file_name(
    scope: &Scope,
    instrument: Option<&str>,
    today: &str,
    kind: Kind,
) -> String {
    let short = |id: &str| id.chars().take(8).collect::<String>();
    let what = match scope {
        Scope::All => "all".to_owned(),
        Scope::Client(id) => format!("client-{}", short(id)),
        Scope::Couple { id, .. } => format!("couple-{}", short(id)),
        Scope::Administration(client, _) => match instrument {
            Some(i) => format!("{i}-client-{}", short(client)),
            None => format!("administration-client-{}", short(client)),
        },
    };
    let report = if kind == Kind::ReportPdf {
        "report-"
    } else {
        ""
    };
    format!("securebase-{report}{what}-{today}.{}", kind.extension())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_say_what_and_when_never_who() {
        let client = "0123456789abcdef0123456789abcdef".to_owned();
        let one = Scope::Administration(client.clone(), "ff".repeat(16));
        assert_eq!(
            default_file_name(&one, Some("ecr-r"), "2026-11-27", Kind::ReportPdf),
            "securebase-report-ecr-r-client-01234567-2026-11-27.pdf"
        );
        assert_eq!(
            default_file_name(&Scope::Client(client), None, "2026-11-27", Kind::Fhir),
            "securebase-client-01234567-2026-11-27.fhir.json"
        );
        assert_eq!(
            default_file_name(&Scope::All, None, "2026-11-27", Kind::Csv),
            "securebase-all-2026-11-27.csv"
        );
    }
}
