//! One administration's results, computed once for every place they are shown: the app's
//! results page and the PDF report. Scores with their 95 % bands, the plane with the client's
//! earlier points, the scores over time, change since the administration before, and the norm
//! sets that can be chosen.
//!
//! No I/O and no drawing: the caller reads the store; `chart::plane` and `chart::over_time` draw;
//! [`text`] says it all as rows and sentences, for the screen and the paper alike.

pub mod couple;
pub mod local_norms;
pub mod text;

use jiff::Timestamp;

use crate::chart::over_time::{LineChart, Series};
use crate::chart::plane::PlaneChart;
use crate::core::ScoreReport;
use crate::core::change::{Figures, FiguresFrom, ScoreChange, change, figures_or_reason};
use crate::core::chart_data;
use crate::core::instrument::Instrument;
use crate::store::settings::Settings;
use crate::store::{Administration, Client, LocalNorms};
use local_norms::NormOption;

/// The line chart has room for this many scores.
const MAX_LINES: usize = 4;

/// A date for people: `27 Nov 2026`, in the computer's time zone.
pub fn date(ts: Timestamp) -> String {
    ts.to_zoned_datetime(jiff::tz::TimeZone::system())
        .strftime("%-d %b %Y")
        .to_string()
}

/// A day for people: `5 Mar 2026`.
pub fn day(d: jiff::civil::Date) -> String {
    d.strftime("%-d %b %Y").to_string()
}

/// When an administration was given, for people: the moment for client mode (`27 Nov 2026,
/// 14:05`), the date written on a paper form (`5 Mar 2026`, no time: the form has none).
pub fn given_text(a: &Administration) -> String {
    match a.form_date {
        Some(d) => day(d),
        None => date_time(a.started),
    }
}

/// How and when an administration was given, in one line for the results page and the report:
/// `27 Nov 2026, 14:05 · client mode`, or `5 Mar 2026 · paper, double-entered (keyed in 2 Dec
/// 2026, 09:10)`. The mode is always said: a paper form keyed in once can carry a typing error.
pub fn given_line(a: &Administration) -> String {
    let line = format!("{} \u{b7} {}", given_text(a), a.source.label());
    if a.source.is_paper() {
        format!("{line} (keyed in {})", date_time(a.started))
    } else {
        line
    }
}

/// A date and time for people: `27 Nov 2026, 14:05`, in the computer's time zone.
pub fn date_time(ts: Timestamp) -> String {
    ts.to_zoned_datetime(jiff::tz::TimeZone::system())
        .strftime("%-d %b %Y, %H:%M")
        .to_string()
}

/// A percentile for people: whole numbers, and "< 1" / "> 99" at the ends rather than a 0 or
/// 100 that would claim more than a norm set can say.
pub fn percentile_text(p: f64) -> String {
    if p < 1.0 {
        "< 1".to_owned()
    } else if p > 99.0 {
        "> 99".to_owned()
    } else {
        format!("{:.0}", p.round())
    }
}

/// Everything shown about one administration.
#[derive(Debug, Clone)]
pub struct Assessment {
    /// Its instrument.
    pub instrument: Instrument,
    /// The administration.
    pub administration: Administration,
    /// Its scores.
    pub report: ScoreReport,
    /// Per score, its 95 % band where a reliability and SD are known.
    pub bands: Vec<Option<(f64, f64)>>,
    /// Per score with a band, the figures it was drawn from and whose they are (named on the
    /// page and in the report).
    pub band_figures: Vec<Option<(Figures, FiguresFrom)>>,
    /// The client's completed administrations of the same instrument before this one, oldest
    /// first, with their dates.
    pub earlier: Vec<(String, ScoreReport)>,
    /// The plane with the earlier points, for instruments that have one.
    pub chart: Option<PlaneChart>,
    /// The scores over time, when there are earlier administrations.
    pub lines: Option<LineChart>,
    /// Change since the administration before (its date, and per score), if there is one.
    pub change: Option<(String, Vec<ScoreChange>)>,
    /// Change since the first one, the intake (its date, and per score), when it is not the
    /// one before: therapy's whole course, beside its last step.
    pub since_intake: Option<(String, Vec<ScoreChange>)>,
    /// Norm sets that can be chosen for z, T and percentile.
    pub norms: Vec<NormOption>,
    /// The one the clinic chose by default (local norms, when it opted in).
    pub default_norm: Option<usize>,
}

/// The assessment of `administration` (scored as `report`), with `earlier` as returned by
/// [`earlier_of`], the clinic's figures and norm opt-in from `settings`, and its local norms.
pub fn assess(
    instrument: &Instrument,
    client: &Client,
    administration: &Administration,
    report: ScoreReport,
    earlier: Vec<(String, ScoreReport)>,
    settings: &Settings,
    local: Option<&LocalNorms>,
) -> Assessment {
    let clinic = clinic_figures(instrument, settings, local);
    let chart = plane_chart(
        instrument,
        client,
        administration,
        &report,
        &earlier,
        &clinic,
    );
    let lines = line_chart(
        instrument,
        &client.name,
        &earlier,
        &day(administration.given_on()),
        &report,
        &clinic,
    );
    // Change since the one before; without figures the views say why there is no RCI.
    let since_before = earlier
        .last()
        .map(|(d, before)| (d.clone(), change(instrument, before, &report, &clinic)));
    let since_intake = earlier
        .first()
        .filter(|_| earlier.len() >= 2)
        .map(|(d, intake)| (d.clone(), change(instrument, intake, &report, &clinic)));
    let computed_on = local.map(|n| date(n.computed)).unwrap_or_default();
    let norms = local_norms::options(instrument, local, &computed_on);
    let default_norm = norms
        .iter()
        .position(|o| o.is_local)
        .filter(|_| settings.use_local_norms);
    let bands = bands(instrument, &report, &clinic);
    let band_figures = bands
        .iter()
        .enumerate()
        .map(|(k, band)| {
            band.and_then(|_| figures_or_reason(instrument, k, clinic(k).as_ref()).ok())
        })
        .collect();
    Assessment {
        bands,
        band_figures,
        instrument: instrument.clone(),
        administration: administration.clone(),
        report,
        earlier,
        chart,
        lines,
        change: since_before,
        since_intake,
        norms,
        default_norm,
    }
}

/// The clinic's figures for score `k` of `instrument`: typed in, else computed from its intakes
/// ([`clinic_computed`]); `None` leaves the instrument file's. What every band and change uses.
pub fn clinic_figures<'a>(
    instrument: &'a Instrument,
    settings: &'a Settings,
    local: Option<&'a LocalNorms>,
) -> impl Fn(usize) -> Option<Figures> + 'a {
    move |k| {
        let s = instrument.scores.get(k)?;
        settings
            .figures_for(&instrument.id, &s.id)
            .or_else(|| clinic_computed(settings, local, &instrument.id, &s.id))
    }
}

/// One line on a client's course with `instrument`, from the intake to the latest: the two
/// headline scores with their reliable change in words, and the plane's region then and now
/// ("Attachment anxiety from 6.06 to 3.06, reliable improvement; …; from the fearful to the
/// secure region"). Words rather than arrows: the screen's font has no arrow.
pub fn since_intake_line(
    instrument: &Instrument,
    intake: &ScoreReport,
    latest: &ScoreReport,
    settings: &Settings,
    local: Option<&LocalNorms>,
) -> String {
    let clinic = clinic_figures(instrument, settings, local);
    let changes = change(instrument, intake, latest, &clinic);
    let mut order: Vec<usize> = match &instrument.plane {
        Some(p) => vec![p.y, p.x],
        None => (0..instrument.scores.len().min(2)).collect(),
    };
    order.truncate(2);
    let mut parts: Vec<String> = order
        .iter()
        .filter_map(|&k| {
            let c = changes.get(k)?;
            let (before, after) = (c.before?, c.after?);
            let reading = c
                .verdict
                .map_or("reliable change not computable", |v| v.label());
            Some(format!(
                "{} from {before:.2} to {after:.2}, {reading}",
                text::score_name(instrument, k, text::Medium::Screen)
            ))
        })
        .collect();
    if let Some(plane) = &instrument.plane {
        let region = |r: &ScoreReport| {
            let x = r.scores.get(plane.x)?.value?;
            let y = r.scores.get(plane.y)?.value?;
            Some(crate::core::plane::Region::of(x, y, plane.midpoint).label())
        };
        if let (Some(then), Some(now)) = (region(intake), region(latest)) {
            parts.push(format!("from the {then} to the {now} region"));
        }
    }
    parts.join("; ")
}

/// The clinic's own figures for a score, when it opted in and its intakes give them: α and the
/// SD of the scale score over at least `min_reliability_n` intakes, from the local norms'
/// computation. Figures the clinic typed in win over these (the caller asks for those first),
/// and these over the instrument file's. The source names them: "this clinic's intakes, n =
/// 42, α = 0.87, computed 1 Dec 2026".
pub fn clinic_computed(
    settings: &Settings,
    local: Option<&LocalNorms>,
    instrument: &str,
    score: &str,
) -> Option<Figures> {
    if !settings.use_clinic_reliability {
        return None;
    }
    let local = local?;
    let entry = local.reliability_of(instrument, score)?;
    if entry.n < settings.min_reliability_n.max(3) {
        return None;
    }
    let figures = Figures {
        reliability: entry.alpha?,
        sd: entry.sd?,
        source: format!(
            "this clinic's intakes, n = {}, \u{3b1} = {:.2}, computed {}",
            entry.n,
            entry.alpha?,
            date(local.computed)
        ),
    };
    figures.sem().map(|_| figures)
}

/// The completed administrations among `all` (a client's, each with its report when scored)
/// of the same instrument as `administration` and before it, oldest first, with their dates.
pub fn earlier_of<'a>(
    administration: &Administration,
    all: impl IntoIterator<Item = (&'a Administration, Option<&'a ScoreReport>)>,
) -> Vec<(String, ScoreReport)> {
    let mut earlier: Vec<(&Administration, &ScoreReport)> = all
        .into_iter()
        .filter(|(a, _)| {
            a.instrument_id == administration.instrument_id
                && a.status == crate::store::Status::Completed
                && a.course_key() < administration.course_key()
        })
        .filter_map(|(a, r)| Some((a, r?)))
        .collect();
    earlier.sort_by(|(a, _), (b, _)| a.course_key().cmp(&b.course_key()));
    earlier
        .into_iter()
        .map(|(a, r)| (day(a.given_on()), r.clone()))
        .collect()
}

/// The plane for this administration: earlier ones (oldest first) joined by arrows, this one
/// current; for the ECR-RS, one labelled point per relationship.
pub fn plane_chart(
    instrument: &Instrument,
    client: &Client,
    administration: &Administration,
    report: &ScoreReport,
    earlier: &[(String, ScoreReport)],
    clinic: &dyn Fn(usize) -> Option<Figures>,
) -> Option<PlaneChart> {
    let plane = instrument.plane.as_ref()?;
    let mut reports: Vec<(String, &ScoreReport)> =
        earlier.iter().map(|(d, r)| (d.clone(), r)).collect();
    reports.push((day(administration.given_on()), report));
    let to_chart =
        |p: &chart_data::PlanePoint, label: String| chart_data::PlanePoint { label, ..p.clone() };
    let mut chart = PlaneChart::for_instrument(
        instrument,
        &format!("{} \u{2014} {}", instrument.short_name, client.name),
    )?;
    chart.trajectory = chart_data::trajectory_with_figures(instrument, &reports, clinic)
        .iter()
        .map(|p| to_chart(p, p.label.clone()))
        .collect();
    if !plane.block_points.is_empty() {
        chart.labelled = chart_data::block_points_with_figures(instrument, report, clinic)
            .iter()
            .filter(|(name, _)| name != chart_data::GLOBAL_LABEL)
            // Short labels (mother, father, partner, friend) stay inside the plane.
            .map(|(name, p)| {
                let id = instrument
                    .blocks
                    .iter()
                    .find(|b| &b.name == name)
                    .map_or(name.clone(), |b| b.id.clone());
                to_chart(p, id)
            })
            .collect();
    }
    Some(chart)
}

/// Each score's 95 % band, where figures are known.
pub fn bands(
    instrument: &Instrument,
    report: &ScoreReport,
    clinic: &dyn Fn(usize) -> Option<Figures>,
) -> Vec<Option<(f64, f64)>> {
    (0..instrument.scores.len())
        .map(|i| {
            chart_data::score_line(instrument, i, &[report], clinic)
                .first()
                .copied()
                .flatten()
                .and_then(|(_, band)| band)
        })
        .collect()
}

/// The scores over time (the plane's two, or the instrument's own up to four), when there is
/// more than one administration to join.
pub fn line_chart(
    instrument: &Instrument,
    client_name: &str,
    earlier: &[(String, ScoreReport)],
    now_label: &str,
    report: &ScoreReport,
    clinic: &dyn Fn(usize) -> Option<Figures>,
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
            let line = chart_data::score_line(instrument, i, &reports, clinic);
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
