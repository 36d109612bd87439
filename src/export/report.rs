//! The PDF report: for one administration, or for a client's whole history. What it says, in
//! order: the client's pseudonym, the report's date and scope, the clinician's note; for the
//! whole history, every administration with its headline scores; then per questionnaire (its
//! latest administration, with the earlier ones for the plane and for change): name, citation
//! and version, when and how it was given, the scores table (value, 95 % band, answered, why a
//! score is missing, and z/T/percentile when the clinic chose a norm set), the validity flags,
//! the plane and the scores over time (the app's own renderer), the change table, the RQ's
//! forced choice and the RFQ-8's reading, the descriptive region and category with their
//! caveats; and last a careful reading of the two dimensions. Every page's footer names
//! securebase and its version and says the scores are not a diagnosis.

use jiff::Timestamp;

use super::layout::{Layout, Style};
use super::pdf::{PdfError, render};
use super::{ClientData, Scored};
use crate::chart::Drawable;
use crate::results::text::{self, Medium};
use crate::results::{Assessment, assess, date, day, earlier_of};
use crate::store::settings::Paper;
use crate::store::settings::Settings;
use crate::store::{Client, LocalNorms, Source, Status};

/// The reading of the dimensions that closes every report: descriptive, never diagnostic.
pub const ABOUT: &str = "Attachment anxiety describes worry about rejection and abandonment \
and a strong wish for closeness and reassurance; attachment avoidance describes discomfort \
with closeness and with depending on others. Both are continuous dimensions measured by self-report: \
a score says how strongly the person endorsed these statements when they answered, within the \
questionnaire's range. Lower values on both describe a more secure way of relating, and \
movement towards lower values is what attachment-focused therapy works towards. The four \
regions of the plane (secure, preoccupied, dismissing, fearful) describe where a point lies \
relative to the scale's midpoint; they are not types of person. A difference between two \
administrations is reliable only where the reliable change index (Jacobson & Truax, 1991) \
exceeds 1.96 in size; without reliability figures a difference may be measurement error.";

/// The footer line of every page.
pub fn footer() -> String {
    format!(
        "securebase {} \u{b7} These scores describe questionnaire answers; they are not a diagnosis.",
        env!("CARGO_PKG_VERSION")
    )
}

/// What a report is asked for.
pub struct ReportRequest<'a> {
    /// The client and their administrations (oldest first).
    pub data: &'a ClientData,
    /// Only this administration (else the whole history).
    pub administration: Option<&'a str>,
    /// The clinician's note, printed under the heading (may be empty).
    pub note: &'a str,
    /// Paper size.
    pub paper: Paper,
    /// The clinic's settings (reliability figures, norm opt-in).
    pub settings: &'a Settings,
    /// The clinic's local norms, if computed.
    pub local_norms: Option<&'a LocalNorms>,
    /// When the report is made.
    pub now: Timestamp,
}

/// Why a report cannot be made.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// Nothing to report.
    #[error("{0}")]
    Nothing(String),
    /// The PDF writer failed.
    #[error(transparent)]
    Pdf(#[from] PdfError),
}

/// The assessments a report shows: the chosen administration, or the latest completed one of
/// each questionnaire, each with the completed ones before it.
pub fn assessments(request: &ReportRequest<'_>) -> Result<Vec<Assessment>, ReportError> {
    let data = request.data;
    let all = || {
        data.administrations
            .iter()
            .map(|s| (&s.administration, s.report.as_ref()))
    };
    let focus: Vec<&Scored> = if let Some(id) = request.administration {
        let s = data
            .administrations
            .iter()
            .find(|s| s.administration.id == id)
            .ok_or_else(|| ReportError::Nothing(format!("there is no administration {id}")))?;
        vec![s]
    } else {
        let mut latest: Vec<&Scored> = Vec::new();
        for s in data.administrations.iter().rev() {
            if s.administration.status == Status::Completed
                && !latest
                    .iter()
                    .any(|l| l.administration.instrument_id == s.administration.instrument_id)
            {
                latest.push(s);
            }
        }
        // In the order the questionnaires were first given (intake first).
        let first = |id: &str| {
            data.administrations
                .iter()
                .find(|s| s.administration.instrument_id == id)
                .map(|s| (s.administration.given_on(), s.administration.started))
        };
        latest.sort_by_key(|s| {
            (
                first(&s.administration.instrument_id),
                s.administration.instrument_id.clone(),
            )
        });
        latest
    };
    let mut out = Vec::new();
    for s in focus {
        let (Some(instrument), Some(report)) = (&s.instrument, &s.report) else {
            if request.administration.is_some() {
                return Err(ReportError::Nothing(format!(
                    "administration {} cannot be scored (its questionnaire {} is not loaded, or its answers do not fit it)",
                    s.administration.id, s.administration.instrument_id
                )));
            }
            continue;
        };
        let earlier = earlier_of(&s.administration, all());
        out.push(assess(
            instrument,
            &data.client,
            &s.administration,
            report.clone(),
            earlier,
            request.settings,
            request.local_norms,
        ));
    }
    if out.is_empty() {
        return Err(ReportError::Nothing(format!(
            "{} has no completed administration to report",
            data.client.name
        )));
    }
    Ok(out)
}

/// The report as PDF bytes.
pub fn report_pdf(request: &ReportRequest<'_>) -> Result<Vec<u8>, ReportError> {
    let layout = report_layout(request)?;
    Ok(render(
        &layout,
        &format!(
            "Attachment assessment report \u{2014} {}",
            request.data.client.name
        ),
    )?)
}

/// The report laid out on pages (what [`report_pdf`] writes).
pub fn report_layout(request: &ReportRequest<'_>) -> Result<Layout, ReportError> {
    let assessments = assessments(request)?;
    let mut doc = Layout::new(request.paper)
        .ok_or_else(|| ReportError::Nothing("the embedded fonts did not load".into()))?;
    header(&mut doc, request, &assessments);
    if request.administration.is_none() {
        history(&mut doc, request.data);
    }
    for a in &assessments {
        section(&mut doc, a);
    }
    doc.heading("About these scores", Style::HEADING, 40.0);
    doc.paragraph(ABOUT, Style::BODY);
    doc.space(4.0);
    doc.paragraph(
        "These scores are not a diagnosis. They should be read together with the clinical \
         assessment and the person's own account.",
        Style::BODY,
    );
    doc.footers(&footer());
    Ok(doc)
}

fn header(doc: &mut Layout, request: &ReportRequest<'_>, assessments: &[Assessment]) {
    let client: &Client = &request.data.client;
    doc.paragraph("Attachment assessment report", Style::TITLE);
    doc.space(4.0);
    let mut facts = vec![format!("Client: {}", client.name)];
    if let Some(year) = client.birth_year {
        facts.push(format!("Year of birth: {year}"));
    }
    facts.push(format!(
        "Report made: {} ({})",
        date(request.now),
        iso_date(request.now)
    ));
    doc.paragraph(&facts.join(" \u{b7} "), Style::BODY);
    let scope = if let (Some(_), Some(a)) = (request.administration, assessments.first()) {
        format!(
            "This report covers one administration: {} on {}.",
            a.instrument.short_name,
            day(a.administration.given_on())
        )
    } else {
        let dates: Vec<jiff::civil::Date> = request
            .data
            .administrations
            .iter()
            .map(|s| s.administration.given_on())
            .collect();
        match (dates.iter().min(), dates.iter().max()) {
            (Some(first), Some(last)) => format!(
                "This report covers the client's whole history: {} administrations from {} to {}.",
                dates.len(),
                day(*first),
                day(*last)
            ),
            _ => "This report covers the client's whole history.".to_owned(),
        }
    };
    doc.paragraph(&scope, Style::BODY);
    if !request.note.trim().is_empty() {
        doc.heading("Clinician's note", Style::SUBHEADING, 14.0);
        doc.paragraph(request.note.trim(), Style::BODY);
    }
    doc.rule();
}

/// Every administration, oldest first, with its headline scores.
fn history(doc: &mut Layout, data: &ClientData) {
    doc.heading("Administrations", Style::HEADING, 40.0);
    let rows: Vec<Vec<String>> = data
        .administrations
        .iter()
        .map(|s| {
            let a = &s.administration;
            let name = s
                .instrument
                .as_ref()
                .map_or(a.instrument_id.clone(), |i| i.short_name.clone());
            let status = match a.status {
                Status::Completed => "completed",
                Status::InProgress => "not finished",
                Status::Abandoned => "abandoned",
            };
            let scores = match (&s.instrument, &s.report, a.status) {
                (Some(i), Some(r), Status::Completed) => i
                    .scores
                    .iter()
                    .zip(&r.scores)
                    .filter(|(d, _)| d.block_idx.is_none())
                    .map(|(d, v)| format!("{} {}", d.name, text::number(v.value)))
                    .collect::<Vec<_>>()
                    .join("; "),
                _ => String::new(),
            };
            vec![day(a.given_on()), name, status.to_owned(), scores]
        })
        .collect();
    doc.table(
        &[1.1, 1.4, 1.0, 4.0],
        &["Date", "Questionnaire", "Status", "Scores"].map(str::to_owned),
        &rows,
    );
    doc.paragraph(&modes_line(data), Style::SMALL);
}

/// How each administration of the table was given, under it: "Mode of administration: client
/// mode, for all." or, when they differ, each mode with its administrations ("paper, single
/// entry: 3 Feb 2025 ECR-R; client mode: the others", where one mode is more than half). A
/// sentence under the table rather than a column, which would wrap beside the scores.
fn modes_line(data: &ClientData) -> String {
    let all = &data.administrations;
    let Some(first) = all.first().map(|s| s.administration.source) else {
        return String::new();
    };
    if all.iter().all(|s| s.administration.source == first) {
        return format!("Mode of administration: {}, for all.", first.label());
    }
    // A mode of more than half is "the others"; each other mode lists its administrations.
    let modes = [
        Source::ClientMode,
        Source::PaperEntry,
        Source::PaperDoubleEntry,
    ];
    let count = |m: Source| all.iter().filter(|s| s.administration.source == m).count();
    let common = modes.into_iter().find(|&m| count(m) * 2 > all.len());
    let mut parts: Vec<String> = modes
        .into_iter()
        .filter(|&m| Some(m) != common && count(m) > 0)
        .map(|m| {
            let which: Vec<String> = all
                .iter()
                .filter(|s| s.administration.source == m)
                .map(|s| {
                    let name = s
                        .instrument
                        .as_ref()
                        .map_or(s.administration.instrument_id.as_str(), |i| {
                            i.short_name.as_str()
                        });
                    format!("{} {name}", day(s.administration.given_on()))
                })
                .collect();
            format!("{}: {}", m.label(), which.join(", "))
        })
        .collect();
    if let Some(common) = common {
        parts.push(format!("{}: the others", common.label()));
    }
    format!("Mode of administration \u{2014} {}.", parts.join("; "))
}

/// `2026-11-27`, in the computer's time zone: the date as record systems write it.
fn iso_date(ts: Timestamp) -> String {
    ts.to_zoned_datetime(jiff::tz::TimeZone::system())
        .strftime("%Y-%m-%d")
        .to_string()
}

#[expect(clippy::too_many_lines, reason = "one section, in reading order")]
fn section(doc: &mut Layout, a: &Assessment) {
    let i = &a.instrument;
    doc.heading(
        &format!("{} \u{2014} {}", i.short_name, i.name),
        Style::HEADING,
        80.0,
    );
    doc.paragraph(
        &format!("{} Definition version {}.", i.citation, i.version),
        Style::SMALL,
    );
    doc.space(3.0);
    let adm = &a.administration;
    let source = match adm.source {
        Source::ClientMode => "client mode, filled in by the client on screen".to_owned(),
        Source::PaperEntry => format!(
            "paper, single entry: keyed in once from the paper form on {}",
            crate::results::date_time(adm.started)
        ),
        Source::PaperDoubleEntry => format!(
            "paper, double-entered: keyed in twice from the paper form, every difference \
             checked against the paper, on {}",
            crate::results::date_time(adm.started)
        ),
    };
    doc.paragraph(
        &format!(
            "Given on {} ({}), {source}: {} of {} items answered ({} declined).",
            crate::results::given_text(adm),
            adm.given_on(),
            i.n_slots() - a.report.n_missing,
            i.n_slots(),
            a.report.n_declined
        ),
        Style::BODY,
    );
    match adm.status {
        Status::Completed => {}
        Status::InProgress => doc.paragraph(
            "Not finished: the client has not completed this questionnaire. The scores below \
             are from the answers given so far and may change.",
            Style::SUBHEADING,
        ),
        Status::Abandoned => doc.paragraph(
            "Abandoned: this questionnaire was not completed. The scores below are from the \
             answers given before it was abandoned.",
            Style::SUBHEADING,
        ),
    }
    if !a.earlier.is_empty() {
        let dates: Vec<&str> = a.earlier.iter().map(|(d, _)| d.as_str()).collect();
        doc.paragraph(
            &format!("Earlier administrations: {}.", dates.join(", ")),
            Style::BODY,
        );
    }
    doc.space(4.0);

    // Scores, with standings against the clinic's chosen norm set.
    let norm = a.default_norm.and_then(|k| a.norms.get(k));
    let mut header = vec!["Score", "Value", "95 % band", "Answered", "Flags"];
    if norm.is_some() {
        header.extend(["z", "T", "Percentile"]);
    }
    let rows: Vec<Vec<String>> = text::score_rows(a, norm, Medium::Paper)
        .into_iter()
        .map(|r| {
            let flags = r.flags_with_reason();
            let mut row = vec![
                r.name,
                r.value,
                r.band.unwrap_or_else(|| text::NONE.to_owned()),
                r.answered,
                flags,
            ];
            row.extend(r.standing.into_iter().flatten());
            row
        })
        .collect();
    let widths: &[f32] = if norm.is_some() {
        &[2.4, 0.8, 1.3, 1.1, 1.5, 0.7, 0.5, 1.1]
    } else {
        &[2.4, 0.8, 1.3, 1.1, 2.4]
    };
    doc.table(
        widths,
        &header.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>(),
        &rows,
    );
    if let Some(note) = text::norm_note(&a.instrument, norm) {
        doc.paragraph(&note, Style::SMALL);
    }
    if let Some(note) = text::bands_note(a) {
        doc.paragraph(note, Style::SMALL);
    }
    for note in text::band_notes(a) {
        doc.paragraph(&note, Style::SMALL);
    }
    let readings = text::readings(a);
    let flags = if readings.flags.is_empty() {
        format!("Validity flags: none. {}", text::NO_FLAGS)
    } else {
        format!(
            "Validity flags: {}. {}",
            readings.flags.join("; "),
            text::FLAGS_NOTE
        )
    };
    doc.space(2.0);
    doc.paragraph(&flags, Style::BODY);
    doc.paragraph(text::MISSING_NOTE, Style::SMALL);

    charts(doc, a);

    for change in text::changes(a, Medium::Paper) {
        doc.heading(&change.heading, Style::SUBHEADING, 50.0);
        let rows: Vec<Vec<String>> = change
            .rows
            .into_iter()
            .map(|r| vec![r.name, r.before, r.now, r.difference, r.reading])
            .collect();
        doc.table(
            &[2.4, 0.9, 0.9, 1.1, 2.4],
            &["Score", "Before", "Now", "Difference", "Reliable change"].map(str::to_owned),
            &rows,
        );
        for note in change.notes {
            doc.paragraph(&note, Style::SMALL);
        }
    }

    readings_section(doc, &readings);
    doc.space(6.0);
}

/// The plane and the scores over time, side by side, as the app draws them.
fn charts(doc: &mut Layout, a: &Assessment) {
    // 660 pixels for about 235 points: 200 dots per inch in print.
    const PX: u32 = 660;
    let mut pngs = Vec::new();
    // Drawn as a 330-point chart scaled down: its text comes out at about 9 points.
    let scale = f64::from(PX) / 330.0;
    let mut failed = Vec::new();
    let plane = a
        .chart
        .as_ref()
        .map(|c| ("plane", c.render_png(PX, PX, scale)));
    let lines = a
        .lines
        .as_ref()
        .map(|c| ("chart over time", c.render_png(PX, PX, scale)));
    for (what, png) in [plane, lines].into_iter().flatten() {
        match png {
            Ok(png) => pngs.push(png),
            // The report is still worth having without the picture; it says what is missing.
            Err(e) => failed.push(format!("The {what} could not be drawn ({e}).")),
        }
    }
    for line in failed {
        doc.paragraph(&line, Style::SMALL);
    }
    if pngs.is_empty() {
        return;
    }
    let gap = 12.0;
    let side = ((doc.width() - gap) / 2.0).min(240.0);
    doc.space(4.0);
    doc.images(pngs, side, side, gap);
}

/// The RQ's forced choice, the category, the region, and how to read each score.
fn readings_section(doc: &mut Layout, readings: &text::Readings) {
    if let Some(choice) = &readings.choice {
        doc.heading(&choice.heading, Style::SUBHEADING, 30.0);
        doc.paragraph(&choice.paragraph, Style::BODY);
        doc.paragraph(&choice.agreement, Style::BODY);
    }
    for (line, caveat) in [&readings.category, &readings.region].into_iter().flatten() {
        doc.paragraph(&format!("{line}."), Style::SUBHEADING);
        doc.paragraph(caveat, Style::SMALL);
    }
    if !readings.how_to_read.is_empty() {
        doc.heading("How to read the scores", Style::SUBHEADING, 20.0);
        for line in &readings.how_to_read {
            doc.paragraph(line, Style::BODY);
        }
    }
}
