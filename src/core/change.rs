//! Measurement error and change over therapy (DESIGN.md §4): the standard error of
//! measurement, 95 % bands around a score, and Jacobson-Truax reliable change between two
//! administrations of the same instrument.
//!
//! What lives here: the arithmetic ([`sem`], [`band95`], [`rci`], [`verdict`]), the verdict
//! in the score's good direction ([`Direction`], which each instrument file states per score),
//! where the reliability and SD come from ([`figures_for`]: the clinic's figures win over the
//! instrument file's), and [`change`], which puts these together over two score reports.
//!
//! What must not: I/O, the clock, formatting for a particular view, and any instrument-specific
//! code (`if id == "ecr-r"`). A figure that is missing is data, not an error: [`change`] says
//! plainly what is missing ([`NotComputable`]) and never invents a figure.

use super::instrument::Instrument;
use super::score_report::ScoreReport;

/// The two-sided 95 % critical value of the standard normal distribution used throughout
/// (Jacobson & Truax 1991 use 1.96, not 1.959963…, and so do we).
pub const Z95: f64 = 1.96;

/// The standard error of measurement: `sd * sqrt(1 - reliability)`.
///
/// `None` unless `sd` is a finite number above 0 and `reliability` lies strictly between 0 and
/// 1 (a reliability of 1 would claim no measurement error at all; 0 or below is no reliability).
///
/// Example: SD 1.2, r = .91 → 1.2 · √.09 = 0.36.
pub fn sem(sd: f64, reliability: f64) -> Option<f64> {
    let usable = sd.is_finite() && sd > 0.0 && reliability > 0.0 && reliability < 1.0;
    usable.then(|| sd * (1.0 - reliability).sqrt())
}

/// The 95 % band around `score`: `score ± 1.96 · sem`, as (low, high).
///
/// Plain arithmetic, not clamped: the band may reach past the score's possible range. Use
/// [`band95_within`] for drawing.
pub fn band95(score: f64, sem: f64) -> (f64, f64) {
    let half = Z95 * sem;
    (score - half, score + half)
}

/// [`band95`] cut to `range` (the score's lowest and highest possible value, e.g.
/// [`ScoreDef::range`](super::instrument::ScoreDef::range)), for drawing: a band on a 1-7 scale
/// never reaches below 1 or above 7.
pub fn band95_within(score: f64, sem: f64, range: (f64, f64)) -> (f64, f64) {
    let (low, high) = band95(score, sem);
    // `max`/`min` rather than `clamp`: `clamp` panics on a reversed or NaN range.
    (
        low.max(range.0).min(range.1),
        high.min(range.1).max(range.0),
    )
}

/// The Jacobson-Truax reliable change index: `(after - before) / sqrt(2 · sem²)`.
///
/// `None` when `sem` is not a finite number above 0 or a score is not finite.
///
/// Example: 5.5 → 4.2 with SEM 0.36: −1.3 / √(2 · 0.1296) = −1.3 / 0.5091… = −2.553….
pub fn rci(before: f64, after: f64, sem: f64) -> Option<f64> {
    if !(sem.is_finite() && sem > 0.0 && before.is_finite() && after.is_finite()) {
        return None;
    }
    Some((after - before) / (2.0 * sem * sem).sqrt())
}

/// Which way is better for a score: each instrument file says so per score
/// (`ScoreDef::better`).
pub use crate::core::instrument::Direction;

/// What a reliable change index says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// |RCI| > 1.96 in the better direction.
    ReliableImprovement,
    /// |RCI| ≤ 1.96: the change is within measurement error.
    NoReliableChange,
    /// |RCI| > 1.96 in the worse direction.
    ReliableDeterioration,
    /// |RCI| > 1.96 upwards, for a score where neither direction is better.
    ReliableIncrease,
    /// |RCI| > 1.96 downwards, for a score where neither direction is better.
    ReliableDecrease,
}

impl Verdict {
    /// Lower-case words for people ("reliable improvement").
    pub fn label(self) -> &'static str {
        match self {
            Verdict::ReliableImprovement => "reliable improvement",
            Verdict::NoReliableChange => "no reliable change",
            Verdict::ReliableDeterioration => "reliable deterioration",
            Verdict::ReliableIncrease => "reliable increase",
            Verdict::ReliableDecrease => "reliable decrease",
        }
    }

    /// Whether the change exceeds measurement error.
    pub fn is_reliable(self) -> bool {
        self != Verdict::NoReliableChange
    }
}

/// The verdict for a reliable change index `rci` on a score whose better direction is
/// `direction`.
///
/// Reliable means |RCI| **strictly** greater than [`Z95`] (DESIGN.md §4): an RCI of exactly
/// 1.96 is [`Verdict::NoReliableChange`]. An RCI computed from figures that should give 1.96
/// exactly may land one rounding step either side; no tolerance is applied. A NaN is
/// [`Verdict::NoReliableChange`] (but [`rci`] never returns one).
pub fn verdict(rci: f64, direction: Direction) -> Verdict {
    if rci.is_nan() || rci.abs() <= Z95 {
        return Verdict::NoReliableChange;
    }
    let up = rci > 0.0;
    match (direction, up) {
        (Direction::LowerIsBetter, false) | (Direction::HigherIsBetter, true) => {
            Verdict::ReliableImprovement
        }
        (Direction::LowerIsBetter, true) | (Direction::HigherIsBetter, false) => {
            Verdict::ReliableDeterioration
        }
        (Direction::Neither, true) => Verdict::ReliableIncrease,
        (Direction::Neither, false) => Verdict::ReliableDecrease,
    }
}

/// The reliability and SD used for a score's measurement error, with their source.
#[derive(Debug, Clone, PartialEq)]
pub struct Figures {
    /// The reliability coefficient, strictly between 0 and 1.
    pub reliability: f64,
    /// The standard deviation from the same source, above 0.
    pub sd: f64,
    /// Where the figures come from, citable (a publication, "clinic sample 2024, n = 212").
    pub source: String,
}

impl Figures {
    /// The SEM these figures give ([`sem`]); `None` when they are not usable.
    pub fn sem(&self) -> Option<f64> {
        sem(self.sd, self.reliability)
    }
}

/// Whose figures were used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FiguresFrom {
    /// The instrument file's `reliability` entry.
    Instrument,
    /// Figures the clinic entered (they win over the instrument file's).
    Clinic,
}

impl FiguresFrom {
    /// Words for people ("the instrument file").
    pub fn label(self) -> &'static str {
        match self {
            FiguresFrom::Instrument => "the instrument file",
            FiguresFrom::Clinic => "the clinic",
        }
    }
}

/// Why a change (or a band) cannot be computed for a score. [`std::fmt::Display`] says plainly
/// what is missing.
#[derive(Debug, Clone, PartialEq)]
pub enum NotComputable {
    /// The instrument has no score with this index.
    NoSuchScore {
        /// The index asked for.
        score_idx: usize,
    },
    /// The score has no value in one administration or both.
    ScoreMissing {
        /// Missing in the earlier administration.
        before: bool,
        /// Missing in the later administration.
        after: bool,
    },
    /// Neither the clinic nor the instrument file gives a reliability for this score.
    NoFigures,
    /// The instrument file gives a reliability for this score but no SD from the same source.
    NoSd {
        /// The kind of coefficient given (`alpha`, `test-retest`).
        statistic: String,
        /// The coefficient given.
        reliability: f64,
        /// Its source.
        source: String,
    },
    /// The figures found cannot give a standard error of measurement.
    UnusableFigures {
        /// Whose figures they are.
        from: FiguresFrom,
        /// The reliability given.
        reliability: f64,
        /// The SD given.
        sd: f64,
    },
}

impl std::fmt::Display for NotComputable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("cannot compute change: ")?;
        match self {
            NotComputable::NoSuchScore { score_idx } => {
                write!(f, "the instrument has no score number {score_idx}")
            }
            NotComputable::ScoreMissing { before, after } => {
                let which = match (before, after) {
                    (true, true) => "both administrations",
                    (true, false) => "the earlier administration",
                    (false, _) => "the later administration",
                };
                write!(f, "the score is missing in {which}")
            }
            NotComputable::NoFigures => f.write_str(
                "no reliability and SD for this score (the instrument file gives neither, \
                 and no clinic figures are set)",
            ),
            NotComputable::NoSd {
                statistic,
                reliability,
                source,
            } => write!(
                f,
                "no SD for this score (the instrument file gives a reliability, {statistic} = \
                 {reliability}, from {source}, but no SD from the same source; the clinic can \
                 enter a reliability and SD)"
            ),
            NotComputable::UnusableFigures {
                from,
                reliability,
                sd,
            } => write!(
                f,
                "the figures from {} are not usable (reliability {reliability} must lie \
                 strictly between 0 and 1, SD {sd} must be above 0)",
                from.label()
            ),
        }
    }
}

impl std::error::Error for NotComputable {}

/// The figures for score `score_idx`, or why there are none.
///
/// Precedence: the clinic's figures (`clinic`), when given, win, and are used only if usable:
/// unusable clinic figures are reported as [`NotComputable::UnusableFigures`], never silently
/// replaced by the instrument file's. Otherwise the first of the instrument's `reliability`
/// entries for this score that has an SD. Otherwise [`NotComputable::NoSd`] when the file has
/// a reliability for the score but no SD, or [`NotComputable::NoFigures`].
pub fn figures_or_reason(
    instrument: &Instrument,
    score_idx: usize,
    clinic: Option<&Figures>,
) -> Result<(Figures, FiguresFrom), NotComputable> {
    if score_idx >= instrument.scores.len() {
        return Err(NotComputable::NoSuchScore { score_idx });
    }
    if let Some(figures) = clinic {
        return match figures.sem() {
            Some(_) => Ok((figures.clone(), FiguresFrom::Clinic)),
            None => Err(NotComputable::UnusableFigures {
                from: FiguresFrom::Clinic,
                reliability: figures.reliability,
                sd: figures.sd,
            }),
        };
    }
    let entries = || {
        instrument
            .reliability
            .iter()
            .filter(move |r| r.score_idx == score_idx)
    };
    if let Some((entry, sd)) = entries().find_map(|r| r.sd.map(|sd| (r, sd))) {
        let figures = Figures {
            reliability: entry.value,
            sd,
            source: entry.source.clone(),
        };
        // The instrument check guarantees usable figures; re-checked so that a hand-built
        // `Instrument` cannot produce a NaN band.
        return match figures.sem() {
            Some(_) => Ok((figures, FiguresFrom::Instrument)),
            None => Err(NotComputable::UnusableFigures {
                from: FiguresFrom::Instrument,
                reliability: figures.reliability,
                sd: figures.sd,
            }),
        };
    }
    Err(match entries().next() {
        Some(r) => NotComputable::NoSd {
            statistic: r.statistic.clone(),
            reliability: r.value,
            source: r.source.clone(),
        },
        None => NotComputable::NoFigures,
    })
}

/// The figures for score `score_idx`: the clinic's when given (and usable), else the
/// instrument file's first reliability entry for that score that has an SD, else `None`.
/// [`figures_or_reason`] says why not.
pub fn figures_for(
    instrument: &Instrument,
    score_idx: usize,
    clinic: Option<&Figures>,
) -> Option<(Figures, FiguresFrom)> {
    figures_or_reason(instrument, score_idx, clinic).ok()
}

/// Change in one score between two administrations.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoreChange {
    /// Index into [`Instrument::scores`].
    pub score_idx: usize,
    /// The score's id.
    pub score_id: String,
    /// Which way is better (the instrument file's `better`).
    pub direction: Direction,
    /// The earlier value.
    pub before: Option<f64>,
    /// The later value.
    pub after: Option<f64>,
    /// `after - before`, when both have a value (even without figures).
    pub difference: Option<f64>,
    /// The figures used, and whose they are, when usable figures exist (even when a score
    /// is missing).
    pub figures: Option<(Figures, FiguresFrom)>,
    /// The standard error of measurement from `figures`.
    pub sem: Option<f64>,
    /// The reliable change index.
    pub rci: Option<f64>,
    /// What the RCI says.
    pub verdict: Option<Verdict>,
    /// Why there is no RCI; `None` exactly when `rci` is `Some`. A missing score is reported
    /// before missing figures.
    pub not_computable: Option<NotComputable>,
}

/// Reliable change in every score of `instrument` from `before` to `after`, in the
/// instrument's score order.
///
/// Both reports must be of `instrument` (a shorter report counts as missing the scores it
/// lacks). `clinic(score_idx)` gives the clinic's figures for a score, which win over the
/// instrument file's ([`figures_or_reason`]); pass `&|_| None` to use the file's only.
pub fn change(
    instrument: &Instrument,
    before: &ScoreReport,
    after: &ScoreReport,
    clinic: &dyn Fn(usize) -> Option<Figures>,
) -> Vec<ScoreChange> {
    instrument
        .scores
        .iter()
        .enumerate()
        .map(|(idx, def)| {
            // Scoring never produces a non-finite value; one would count as missing.
            let value = |report: &ScoreReport| {
                report
                    .scores
                    .get(idx)
                    .and_then(|s| s.value)
                    .filter(|v| v.is_finite())
            };
            let (x1, x2) = (value(before), value(after));
            let difference = x1.zip(x2).map(|(a, b)| b - a);
            let direction = def.better;
            let clinic_figures = clinic(idx);
            let found = figures_or_reason(instrument, idx, clinic_figures.as_ref());
            let sem = found.as_ref().ok().and_then(|(f, _)| f.sem());
            let rci = x1.zip(x2).zip(sem).and_then(|((a, b), s)| rci(a, b, s));
            let not_computable = match (&found, rci) {
                (_, Some(_)) => None,
                _ if x1.is_none() || x2.is_none() => Some(NotComputable::ScoreMissing {
                    before: x1.is_none(),
                    after: x2.is_none(),
                }),
                (Err(reason), None) => Some(reason.clone()),
                // Two finite values and usable figures give an RCI unless the SEM underflows
                // to 0 (an SD of about 1e-308): the figures are then indeed unusable.
                (Ok((f, from)), None) => Some(NotComputable::UnusableFigures {
                    from: *from,
                    reliability: f.reliability,
                    sd: f.sd,
                }),
            };
            ScoreChange {
                score_idx: idx,
                score_id: def.id.clone(),
                direction,
                before: x1,
                after: x2,
                difference,
                figures: found.ok(),
                sem,
                rci,
                verdict: rci.map(|r| verdict(r, direction)),
                not_computable,
            }
        })
        .collect()
}
