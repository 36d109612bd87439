//! Plain data for charts of the attachment plane and of scores over time.
//!
//! What lives here: which points a chart shows and where — a report's point on the plane
//! (avoidance across, anxiety up, from the instrument's `plane`) with its 95 % bands where a
//! reliability and SD are known ([`plane_point`]), a client's points in time order
//! ([`trajectory`]), an ECR-RS's point per relationship plus the global one ([`block_points`]),
//! and one score over time ([`score_series`]).
//!
//! What must not: drawing, colours, pixel coordinates, fonts, text layout, or deciding which
//! administrations belong together. Views turn these values into pictures; nothing here knows
//! about egui or plotters.

use super::change::{Figures, band95_within, figures_for};
use super::instrument::Instrument;
use super::score_report::ScoreReport;

/// The label of the global point in [`block_points`].
pub const GLOBAL_LABEL: &str = "global";

/// One point on the plane.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanePoint {
    /// Across: the plane's x score (avoidance).
    pub x: f64,
    /// Up: the plane's y score (anxiety).
    pub y: f64,
    /// 95 % band of `x`, cut to the score's possible range, where figures are known.
    pub x_band: Option<(f64, f64)>,
    /// 95 % band of `y`, cut to the score's possible range, where figures are known.
    pub y_band: Option<(f64, f64)>,
    /// What the point stands for (a date, a block name).
    pub label: String,
}

/// The 95 % band of score `idx` at `value`, cut to its range, when usable figures exist.
fn band(
    instrument: &Instrument,
    idx: usize,
    value: f64,
    clinic_figures: &dyn Fn(usize) -> Option<Figures>,
) -> Option<(f64, f64)> {
    let clinic = clinic_figures(idx);
    let (figures, _) = figures_for(instrument, idx, clinic.as_ref())?;
    let sem = figures.sem()?;
    let range = instrument.scores.get(idx)?.range;
    Some(band95_within(value, sem, range))
}

/// The point of scores `x` and `y` of `report`, or `None` when either has no value.
pub fn point(
    instrument: &Instrument,
    report: &ScoreReport,
    (x, y): (usize, usize),
    label: &str,
    clinic_figures: &dyn Fn(usize) -> Option<Figures>,
) -> Option<PlanePoint> {
    let value = |idx: usize| {
        report
            .scores
            .get(idx)
            .and_then(|s| s.value)
            .filter(|v| v.is_finite())
    };
    let (xv, yv) = (value(x)?, value(y)?);
    Some(PlanePoint {
        x: xv,
        y: yv,
        x_band: band(instrument, x, xv, clinic_figures),
        y_band: band(instrument, y, yv, clinic_figures),
        label: label.to_owned(),
    })
}

/// The report's point on the instrument's plane (x = `plane.x`, avoidance; y = `plane.y`,
/// anxiety), with 95 % bands where figures are known ([`figures_for`]: `clinic_figures(score
/// index)` wins over the instrument file).
///
/// `None` when the instrument has no plane or either score has no value.
pub fn plane_point(
    instrument: &Instrument,
    report: &ScoreReport,
    label: &str,
    clinic_figures: &dyn Fn(usize) -> Option<Figures>,
) -> Option<PlanePoint> {
    let plane = instrument.plane.as_ref()?;
    point(
        instrument,
        report,
        (plane.x, plane.y),
        label,
        clinic_figures,
    )
}

/// The points of `reports` — (label, usually the date; report) — in the order given (the
/// caller orders them by time), leaving out reports without a point. Bands from the instrument
/// file's figures only; see [`trajectory_with_figures`].
pub fn trajectory(instrument: &Instrument, reports: &[(String, &ScoreReport)]) -> Vec<PlanePoint> {
    trajectory_with_figures(instrument, reports, &|_| None)
}

/// [`trajectory`] with the clinic's figures for the bands (as in [`plane_point`]).
pub fn trajectory_with_figures(
    instrument: &Instrument,
    reports: &[(String, &ScoreReport)],
    clinic_figures: &dyn Fn(usize) -> Option<Figures>,
) -> Vec<PlanePoint> {
    reports
        .iter()
        .filter_map(|(label, report)| plane_point(instrument, report, label, clinic_figures))
        .collect()
}

/// One point per block (ECR-RS: mother, father, partner, friend), each labelled with the
/// block's name, in block order, followed by the global point (`plane.x`/`plane.y`) labelled
/// [`GLOBAL_LABEL`]. Points without a value are left out; an instrument without blocks gives
/// only its global point; one without a plane gives none. Bands from the instrument file's
/// figures only; see [`block_points_with_figures`].
pub fn block_points(instrument: &Instrument, report: &ScoreReport) -> Vec<(String, PlanePoint)> {
    block_points_with_figures(instrument, report, &|_| None)
}

/// [`block_points`] with the clinic's figures for the bands (as in [`plane_point`]).
pub fn block_points_with_figures(
    instrument: &Instrument,
    report: &ScoreReport,
    clinic_figures: &dyn Fn(usize) -> Option<Figures>,
) -> Vec<(String, PlanePoint)> {
    let Some(plane) = instrument.plane.as_ref() else {
        return Vec::new();
    };
    let blocks = plane.block_points.iter().filter_map(|&(b, x, y)| {
        let name = instrument.blocks.get(b)?.name.as_str();
        let p = point(instrument, report, (x, y), name, clinic_figures)?;
        Some((name.to_owned(), p))
    });
    let global = point(
        instrument,
        report,
        (plane.x, plane.y),
        GLOBAL_LABEL,
        clinic_figures,
    )
    .map(|p| (GLOBAL_LABEL.to_owned(), p));
    blocks.chain(global).collect()
}

/// Score `score_idx` over `reports` — (label, report) — for a line chart, in the order given,
/// leaving out reports where the score has no value. Empty when the instrument has no such
/// score.
pub fn score_series(
    instrument: &Instrument,
    score_idx: usize,
    reports: &[(String, &ScoreReport)],
) -> Vec<(String, f64)> {
    if score_idx >= instrument.scores.len() {
        return Vec::new();
    }
    reports
        .iter()
        .filter_map(|(label, report)| {
            let v = report.scores.get(score_idx)?.value?;
            v.is_finite().then(|| (label.clone(), v))
        })
        .collect()
}

/// A value with its 95 % band, where known.
pub type Banded = (f64, Option<(f64, f64)>);

/// Score `score_idx` per report, in the order given — `None` where it has no value — with its
/// 95 % band where figures are known (as in [`plane_point`]), for a line chart that keeps every
/// administration in its place. Empty when the instrument has no such score.
pub fn score_line(
    instrument: &Instrument,
    score_idx: usize,
    reports: &[&ScoreReport],
    clinic_figures: &dyn Fn(usize) -> Option<Figures>,
) -> Vec<Option<Banded>> {
    if score_idx >= instrument.scores.len() {
        return Vec::new();
    }
    reports
        .iter()
        .map(|report| {
            let v = report
                .scores
                .get(score_idx)?
                .value
                .filter(|v| v.is_finite())?;
            Some((v, band(instrument, score_idx, v, clinic_figures)))
        })
        .collect()
}
