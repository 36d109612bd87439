//! Opening an administration's results: everything the page shows is computed here, once, by
//! the core (scores, the plane and its history, the line chart, change, norm sets); and saving
//! the page's charts as PNG or SVG with the same renderer.

use super::views::results::{ChartKind, ImageFormat, ResultsPage};
use super::views::{self, Page};
use super::{Screen, SecurebaseApp};
use crate::core::ScoreReport;
use crate::core::instrument::Instrument;
use crate::core::plot;
use crate::core::score;
use crate::report::line::{LineChart, Series};
use crate::store::{AuditAction, Status};

/// The line chart has room for this many scores.
const MAX_LINES: usize = 4;

impl SecurebaseApp {
    pub(super) fn open_results(&mut self, client_id: &str, administration_id: &str) {
        let (Some(store), Screen::Clinician(ws)) = (&self.store, &mut self.screen) else {
            return;
        };
        let Some(client) = ws.clients.iter().find(|c| c.id == client_id).cloned() else {
            return;
        };
        let Some(administration) = ws
            .administrations_of(store, &self.catalog, client_id)
            .iter()
            .find(|a| a.id == administration_id)
            .cloned()
        else {
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
        let _ = store.audit(
            AuditAction::Open,
            Some("administration"),
            Some(&administration.id),
            "results",
        );
        let earlier = earlier_reports(ws, store, &self.catalog, &administration);
        // The clinic's reliability and SD (Settings), where it gave them.
        let settings = &self.settings;
        let clinic = |score_idx: usize| {
            instrument
                .scores
                .get(score_idx)
                .and_then(|s| settings.figures_for(&instrument.id, &s.id))
        };
        let chart = views::results::plane_chart(
            &instrument,
            &client,
            &administration,
            &report,
            &earlier,
            &clinic,
        );
        let now_label = views::date(administration.started);
        let lines = line_chart(
            &instrument,
            &client.name,
            &earlier,
            &now_label,
            &report,
            &clinic,
        );
        // Change since the one before; without figures the view says why there is no RCI.
        let change = earlier.last().map(|(date, before)| {
            (
                date.clone(),
                crate::core::change::change(&instrument, before, &report, &clinic),
            )
        });
        let local = ws.local_norms.as_ref();
        let computed_on = local.map(|n| views::date(n.computed)).unwrap_or_default();
        let norms = crate::clinic_norms::options(&instrument, local, &computed_on);
        // The local set is chosen when the clinic opted in.
        let norm_selected = norms
            .iter()
            .position(|o| o.is_local)
            .filter(|_| settings.use_local_norms);
        let bands = bands(&instrument, &report, &clinic);
        let mut page = ResultsPage {
            client,
            administration,
            instrument,
            report,
            bands,
            chart,
            lines,
            change,
            norms,
            norm_selected: None,
            texture: None,
            line_texture: None,
        };
        page.select_norm(norm_selected);
        ws.page = Page::Results(Box::new(page));
    }

    pub(super) fn export_chart(&mut self, chart: ChartKind, format: ImageFormat) {
        let Screen::Clinician(ws) = &self.screen else {
            return;
        };
        let Page::Results(page) = &ws.page else {
            return;
        };
        let Some(path) = rfd::FileDialog::new()
            .add_filter(format.label(), &[format.extension()])
            .set_title("Save the chart")
            .set_file_name(page.default_file_name(chart, format))
            .save_file()
        else {
            return;
        };
        self.notice = Some(match self.export_chart_to(chart, format, &path) {
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
        let _ = store.audit(
            AuditAction::Export,
            Some("administration"),
            Some(&page.administration.id),
            &format!("{} chart {}", chart.name(), format.extension()),
        );
        Ok(())
    }
}

/// The client's completed administrations of the same instrument before `administration`,
/// oldest first, each with its date and report.
fn earlier_reports(
    ws: &mut super::Workspace,
    store: &crate::store::Store,
    catalog: &crate::catalog::Catalog,
    administration: &crate::store::Administration,
) -> Vec<(String, ScoreReport)> {
    let all = ws
        .administrations_of(store, catalog, &administration.client_id)
        .to_vec();
    all.iter()
        .filter(|a| {
            a.instrument_id == administration.instrument_id
                && a.status == Status::Completed
                && a.started < administration.started
        })
        .filter_map(|a| Some((views::date(a.started), ws.reports.get(&a.id)?.clone())))
        .collect()
}

/// Each score's 95 % band, where figures are known.
fn bands(
    instrument: &Instrument,
    report: &ScoreReport,
    clinic: &dyn Fn(usize) -> Option<crate::core::change::Figures>,
) -> Vec<Option<(f64, f64)>> {
    (0..instrument.scores.len())
        .map(|i| {
            plot::score_line(instrument, i, &[report], clinic)
                .first()
                .copied()
                .flatten()
                .and_then(|(_, band)| band)
        })
        .collect()
}

/// The scores over time (the plane's two, or the instrument's own up to four), when there is
/// more than one administration to join.
fn line_chart(
    instrument: &Instrument,
    client_name: &str,
    earlier: &[(String, ScoreReport)],
    now_label: &str,
    report: &ScoreReport,
    clinic: &dyn Fn(usize) -> Option<crate::core::change::Figures>,
) -> Option<LineChart> {
    if earlier.is_empty() {
        return None;
    }
    let indices: Vec<usize> = match &instrument.plane {
        Some(plane) => vec![plane.y, plane.x],
        None => (0..instrument.scores.len())
            .filter(|&i| instrument.scores[i].block_idx.is_none())
            .take(MAX_LINES)
            .collect(),
    };
    let mut reports: Vec<&ScoreReport> = earlier.iter().map(|(_, r)| r).collect();
    reports.push(report);
    let mut dates: Vec<String> = earlier.iter().map(|(d, _)| d.clone()).collect();
    dates.push(now_label.to_owned());
    let range = indices
        .iter()
        .filter_map(|&i| instrument.scores.get(i))
        .fold(None, |acc: Option<(f64, f64)>, s| {
            Some(acc.map_or(s.range, |(lo, hi)| (lo.min(s.range.0), hi.max(s.range.1))))
        })?;
    let series = indices
        .iter()
        .map(|&i| {
            let line = plot::score_line(instrument, i, &reports, clinic);
            Series {
                name: instrument.scores[i].name.clone(),
                values: line.iter().map(|p| p.map(|(v, _)| v)).collect(),
                bands: line.iter().map(|p| p.and_then(|(_, b)| b)).collect(),
            }
        })
        .collect();
    Some(LineChart {
        title: format!("{} over time \u{2014} {client_name}", instrument.short_name),
        y_title: "Score".to_owned(),
        range,
        dates,
        series,
    })
}
