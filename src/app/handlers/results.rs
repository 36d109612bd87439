//! Opening an administration's results: everything the page shows is computed here, once, by
//! the core (scores, the plane and its history, the line chart, change, norm sets); and saving
//! the page's charts as PNG or SVG with the same renderer.

use crate::app::views::Page;
use crate::app::views::results::{ChartKind, ImageFormat, ResultsPage};
use crate::app::views::typed_path::{FileAction, FileRequest};
use crate::app::{Screen, SecurebaseApp};
use crate::core::score;
use crate::results;
use crate::store::{AuditAction, AuditTarget};

impl SecurebaseApp {
    pub(in crate::app) fn open_results(&mut self, client_id: &str, administration_id: &str) {
        let (Some(store), Screen::Clinician(ws)) = (&self.store, &mut self.screen) else {
            return;
        };
        let Some(client) = ws.records.client(client_id).cloned() else {
            return;
        };
        // The client's administrations, read once: this one, and the earlier ones below.
        let all = ws
            .administrations_of(store, &self.catalog, client_id)
            .to_vec();
        let Some(administration) = all.iter().find(|a| a.id == administration_id).cloned() else {
            return;
        };
        let Some(instrument) = self.catalog.get(&administration.instrument_id).cloned() else {
            self.notice = Some(format!(
                "The questionnaire {} is not loaded, so these answers cannot be scored.",
                administration.instrument_id
            ));
            return;
        };
        let report = match administration.responses(&instrument) {
            Ok(responses) => score(&instrument, &responses),
            Err(e) => {
                self.notice = Some(format!("These answers cannot be scored: {e}"));
                return;
            }
        };
        crate::app::note_audit(
            &mut self.notice,
            "The results were opened",
            store.audit(
                AuditAction::Open,
                AuditTarget::Administration(&administration.id),
                "results",
            ),
        );
        let earlier = results::earlier_of(
            &administration,
            all.iter().map(|a| (a, ws.records.reports.get(&a.id))),
        );
        let assessment = results::assess(
            &instrument,
            &client,
            &administration,
            report,
            earlier,
            &self.settings,
            ws.records.local_norms.as_ref(),
        );
        let page = ResultsPage::new(client, assessment);
        ws.page = Page::Results(Box::new(page));
    }

    pub(in crate::app) fn export_chart(&mut self, chart: ChartKind, format: ImageFormat) {
        let Screen::Clinician(ws) = &self.screen else {
            return;
        };
        let Page::Results(page) = &ws.page else {
            return;
        };
        let request = FileRequest::save(
            "Save the chart",
            format.label(),
            format.extension(),
            page.default_file_name(chart, format),
        );
        self.choose_file(request, FileAction::ExportChart { chart, format });
    }

    /// Saves the chart to `path`, chosen in the dialog or typed, and says how it went.
    pub(in crate::app) fn export_chart_chosen(
        &mut self,
        chart: ChartKind,
        format: ImageFormat,
        path: &std::path::Path,
    ) {
        self.notice = Some(match self.export_chart_to(chart, format, path) {
            Ok(()) => format!("Saved {}.", path.display()),
            Err(e) => e,
        });
    }

    /// Writes a chart of the open results page to `path` (atomically) and records the export
    /// in the audit log.
    pub fn export_chart_to(
        &mut self,
        chart: ChartKind,
        format: ImageFormat,
        path: &std::path::Path,
    ) -> Result<(), String> {
        let (Some(store), Screen::Clinician(ws)) = (&self.store, &self.screen) else {
            return Err("Nothing is open.".to_owned());
        };
        let Page::Results(page) = &ws.page else {
            return Err("No results page is open.".to_owned());
        };
        let bytes = page.chart_bytes(chart, format)?;
        crate::atomic::write_atomic(path, &bytes)
            .map_err(|e| format!("The chart could not be saved to {}: {e}", path.display()))?;
        store
            .audit(
                AuditAction::Export,
                AuditTarget::Administration(&page.administration.id),
                &format!("{} chart {}", chart.name(), format.extension()),
            )
            .map_err(|e| {
                format!(
                    "Saved {}, but the audit log could not record the export: {e}",
                    path.display()
                )
            })
    }
}
