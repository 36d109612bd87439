//! Exports from the app: the PDF report, research tables and FHIR bundles, through a save
//! dialog (or a typed path where there is none: `file_choice`), written atomically and
//! recorded in the audit log (the same code as the command line's `report` and `export`).

use std::path::Path;

use jiff::Timestamp;

use crate::app::views::typed_path::{FileAction, FileRequest};
use crate::app::{Screen, SecurebaseApp};
use crate::export::{ExportRequest, Kind, Scope, default_file_name, gather, write_audited};

impl SecurebaseApp {
    /// Asks where to save, then exports.
    pub(in crate::app) fn export(&mut self, scope: &Scope, kind: Kind) {
        let today = Timestamp::now()
            .to_zoned_datetime(jiff::tz::TimeZone::system())
            .strftime("%Y-%m-%d")
            .to_string();
        // The administration's instrument names the file (read from the cache, never a name).
        let instrument = match (scope, &self.screen) {
            (Scope::Administration(client, id), Screen::Clinician(ws)) => ws
                .records
                .administrations
                .get(client)
                .and_then(|all| all.iter().find(|a| &a.id == id))
                .map(|a| a.instrument_id.clone()),
            _ => None,
        };
        let name = default_file_name(scope, instrument.as_deref(), &today, kind);
        let extension = kind.extension().rsplit('.').next().unwrap_or("json");
        let request = FileRequest::save(
            &format!("Save the {}", kind.label()),
            kind.label(),
            extension,
            name,
        );
        let action = FileAction::Export {
            scope: scope.clone(),
            kind,
        };
        self.choose_file(request, action);
    }

    /// Exports to `path`, chosen in the dialog or typed, and says how it went.
    pub(in crate::app) fn export_chosen(&mut self, scope: &Scope, kind: Kind, path: &Path) {
        self.notice = Some(match self.export_to(scope, kind, path) {
            Ok(()) => format!("Saved {}.", path.display()),
            Err(e) => e,
        });
    }

    /// Writes the export to `path` and records it in the audit log.
    pub fn export_to(
        &mut self,
        scope: &Scope,
        kind: Kind,
        path: &std::path::Path,
    ) -> Result<(), String> {
        let (Some(store), Screen::Clinician(ws)) = (&self.store, &self.screen) else {
            return Err("The workspace is locked.".to_owned());
        };
        let (data, failures) = gather(store, &ws.keys, &self.catalog, &scope.to_read(kind))
            .map_err(|e| e.to_string())?;
        let bytes = crate::export::bytes(&ExportRequest {
            kind,
            scope,
            data: &data,
            catalog: &self.catalog,
            names: ws.remembered.export_names,
            note: &ws.remembered.report_note,
            paper: self.settings.paper,
            settings: &self.settings,
            local_norms: ws.records.local_norms.as_ref(),
            now: Timestamp::now(),
        })
        .map_err(|e| e.to_string())?;
        write_audited(store, path, &bytes, scope, kind.audit_detail())
            .map_err(|e| e.to_string())?;
        if !failures.is_empty() {
            return Err(format!(
                "Saved, but {} record(s) were left out (unreadable, or set apart): {}",
                failures.len(),
                failures[0]
            ));
        }
        Ok(())
    }
}
