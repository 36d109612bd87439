//! The couple report (PDF): both partners on one plane for each questionnaire they both took,
//! with the descriptive reading of where the two stand (`results::couple`), each partner's
//! latest scores, the questionnaires only one took, and how to read it all. Each partner's
//! own history is in their own report.

use jiff::Timestamp;

use super::ClientData;
use super::layout::{Layout, Style};
use super::pdf::render;
use super::report::{ABOUT, ReportError, footer};
use crate::chart::Drawable;
use crate::core::instrument::Instrument;
use crate::results::couple::{Partner, couple_results};
use crate::results::date;
use crate::store::LocalNorms;
use crate::store::settings::{Paper, Settings};

/// How a couple report is read, after the reading of the dimensions.
pub const ABOUT_COUPLES: &str = "Each partner answered alone, about themselves. The two \
courses show each person's own answers over time; a difference between partners describes \
where each stands on the two dimensions, not who is right, and not a diagnosis of the couple. \
A difference between two people's scores is beyond measurement error only where it exceeds \
1.96 times the standard error of the difference (the SEM times the square root of 2).";

/// What a couple report is asked for.
pub struct CoupleReportRequest<'a> {
    /// Both partners' data (in any order).
    pub data: &'a [ClientData],
    /// The couple's two client ids, in the couple's order.
    pub clients: &'a [String; 2],
    /// The questionnaires, in catalog order.
    pub instruments: &'a [Instrument],
    /// The clinician's note.
    pub note: &'a str,
    /// Paper size.
    pub paper: Paper,
    /// The clinic's settings (figures).
    pub settings: &'a Settings,
    /// The clinic's local norms.
    pub local_norms: Option<&'a LocalNorms>,
    /// When the report is made.
    pub now: Timestamp,
}

/// A partner's name and administrations, as the couple's results take them.
fn partner(d: &ClientData) -> Partner<'_> {
    Partner {
        name: &d.client.name,
        administrations: d
            .administrations
            .iter()
            .map(|s| (&s.administration, s.report.as_ref()))
            .collect(),
    }
}

/// The couple report as PDF bytes.
///
/// # Errors
/// When a partner's data is missing, or the PDF cannot be written.
pub fn couple_report_pdf(request: &CoupleReportRequest<'_>) -> Result<Vec<u8>, ReportError> {
    let [a, b] = request.clients.each_ref().map(|id| {
        request
            .data
            .iter()
            .find(|d| &d.client.id == id)
            .ok_or_else(|| ReportError::Nothing(format!("client {id} of the couple is not there")))
    });
    let (a, b) = (a?, b?);
    let (pa, pb) = (partner(a), partner(b));
    let results = couple_results(
        request.instruments,
        [&pa, &pb],
        request.settings,
        request.local_norms,
    );
    if results.planes.is_empty() && results.apart.is_empty() {
        return Err(ReportError::Nothing(format!(
            "neither {} nor {} has a completed questionnaire",
            a.client.name, b.client.name
        )));
    }
    let mut doc = Layout::new(request.paper)
        .ok_or_else(|| ReportError::Nothing("the embedded fonts did not load".into()))?;
    doc.paragraph("Couple assessment report", Style::TITLE);
    doc.space(4.0);
    doc.paragraph(
        &format!(
            "Partners: {} and {} \u{b7} Report made: {}",
            a.client.name,
            b.client.name,
            date(request.now)
        ),
        Style::BODY,
    );
    if !request.note.trim().is_empty() {
        doc.heading("Clinician's note", Style::SUBHEADING, 14.0);
        doc.paragraph(request.note.trim(), Style::BODY);
    }
    doc.rule();
    for plane in &results.planes {
        let i = &plane.instrument;
        doc.heading(
            &format!("{} \u{2014} {}", i.short_name, i.name),
            Style::HEADING,
            120.0,
        );
        if let Some(chart) = &plane.chart {
            const PX: u32 = 900;
            let scale = f64::from(PX) / 360.0;
            match chart.render_png(PX, PX, scale) {
                Ok(png) => {
                    let side = doc.width().min(300.0);
                    doc.images(vec![png], side, side, 0.0);
                }
                Err(e) => doc.paragraph(
                    &format!("The plane could not be drawn ({e})."),
                    Style::SMALL,
                ),
            }
        }
        for line in &plane.reading {
            doc.paragraph(line, Style::BODY);
        }
        doc.space(4.0);
        let rows: Vec<Vec<String>> = results
            .names
            .iter()
            .zip(&plane.latest)
            .map(|(name, (day, scores))| vec![name.clone(), day.clone(), scores.clone()])
            .collect();
        doc.table(
            &[1.4, 1.1, 5.0],
            &["Partner", "Latest", "Scores"].map(str::to_owned),
            &rows,
        );
    }
    for line in &results.apart {
        doc.paragraph(line, Style::BODY);
    }
    doc.heading("About these scores", Style::HEADING, 40.0);
    doc.paragraph(ABOUT, Style::BODY);
    doc.space(4.0);
    doc.paragraph(ABOUT_COUPLES, Style::BODY);
    doc.footers(&footer());
    Ok(render(
        &doc,
        &format!(
            "Couple assessment report \u{2014} {} and {}",
            a.client.name, b.client.name
        ),
    )?)
}
