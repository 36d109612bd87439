//! Scoring: answers in, a [`ScoreReport`] out. Pure: no I/O, no clock, no allocation per call
//! when a report is reused through [`score_into`] (the batch CLI scores millions of rows).
//!
//! The rules (all data in the instrument file, see `questionnaires/README.md`):
//! - an item is keyed forward, reversed as `(min + max) - x`, or through a recode table;
//! - a scale is the mean (or prorated sum) of its answered items when no more than its
//!   `max_missing` items are missing, otherwise it has no score and says why;
//! - derived scores combine earlier scores; a missing component leaves them unscored;
//! - validity flags describe the answering and never exclude a score.

use super::answers::{Answer, Responses};
use super::instrument::{Instrument, Keying, ScoreRule};
use super::schema::ScaleMethod;
use super::score_report::{Flag, NotScored, Score, ScoreReport};
use super::validity;

/// Scores `responses` to `instrument`.
///
/// `responses` must have been made for this instrument ([`Responses::new`]); a form of another
/// length is scored on the slots both share.
pub fn score(instrument: &Instrument, responses: &Responses) -> ScoreReport {
    let mut report = ScoreReport::default();
    score_into(instrument, responses, &mut report);
    report
}

/// Like [`score`], reusing `report`'s allocations.
pub fn score_into(instrument: &Instrument, responses: &Responses, report: &mut ScoreReport) {
    let answers = responses.answers();
    let (min, max) = (instrument.response.min, instrument.response.max);
    report.scores.clear();
    report.flags.clear();
    report.category = None;
    (report.n_missing, report.n_declined) = count_missing(instrument, responses);
    let gap = instrument.validity.contradiction_gap;

    for (idx, def) in instrument.scores.iter().enumerate() {
        let score = match &def.rule {
            // A block that does not apply: not asked, not scored, not a missing-data problem.
            ScoreRule::Scale { slots, .. }
                if def.block_idx.is_some_and(|b| responses.not_applicable(b)) =>
            {
                Score {
                    value: None,
                    n_answered: 0,
                    n_items: slots.len(),
                    not_scored: Some(NotScored::NotApplicable),
                }
            }
            ScoreRule::Scale {
                method,
                slots,
                max_missing,
            } => {
                // One pass gives the scale and, for the contradiction flag, the keyed sums of
                // its forward and its reversed items.
                let mut sum = 0.0;
                let mut n = 0usize;
                let mut halves = KeyedHalves::default();
                for (slot, keying) in slots {
                    let Some(v) = answers.get(*slot).and_then(|a| a.value()) else {
                        continue;
                    };
                    let keyed = keyed_value(instrument, *keying, v, min, max);
                    halves.add(*keying, keyed);
                    sum += keyed;
                    n += 1;
                }
                if let Some(gap) = gap
                    && halves.contradict(gap)
                {
                    report.flags.push(Flag::Contradiction { score_idx: idx });
                }
                let missing = slots.len() - n;
                if missing > *max_missing || n == 0 {
                    report.flags.push(Flag::TooManyMissing { score_idx: idx });
                    Score {
                        value: None,
                        n_answered: n,
                        n_items: slots.len(),
                        not_scored: Some(NotScored::TooManyMissing {
                            missing,
                            allowed: *max_missing,
                        }),
                    }
                } else {
                    let mean = sum / n as f64;
                    let value = match method {
                        ScaleMethod::Mean => mean,
                        ScaleMethod::Sum if missing == 0 => sum,
                        ScaleMethod::Sum => mean * slots.len() as f64,
                    };
                    Score {
                        value: Some(value),
                        n_answered: n,
                        n_items: slots.len(),
                        not_scored: None,
                    }
                }
            }
            ScoreRule::Linear { terms, constant } => {
                let mut total = *constant;
                let mut n = 0;
                for (idx, weight) in terms {
                    if let Some(v) = report.scores.get(*idx).and_then(|s| s.value) {
                        total += weight * v;
                        n += 1;
                    }
                }
                component_score(total, n, terms.len(), 0, false)
            }
            ScoreRule::Mean {
                scores,
                max_missing,
            } => mean_of_applicable(report, scores, *max_missing),
        };
        report.scores.push(score);
    }

    validity::flag_answering(instrument, responses, report);
    validity::categorise(instrument, responses, report);
    // A fixed order, whatever order the checks ran in (stable: scores stay in score order).
    report.flags.sort_by_key(Flag::rank);
}

/// How many answers are missing, and of those how many were declined. The items of a block
/// that does not apply were never asked: they are not missing.
fn count_missing(instrument: &Instrument, responses: &Responses) -> (usize, usize) {
    let (mut missing, mut declined) = (0, 0);
    for (slot, answer) in responses.answers().iter().enumerate() {
        let skipped = instrument
            .slots
            .get(slot)
            .and_then(|s| s.block_idx)
            .is_some_and(|b| responses.not_applicable(b));
        match answer {
            Answer::Value(_) => {}
            Answer::Missing if skipped => {}
            Answer::Missing => missing += 1,
            Answer::Declined => {
                missing += 1;
                declined += 1;
            }
        }
    }
    (missing, declined)
}

/// A derived mean over the component scores that apply (securebase's rule for the ECR-RS
/// global scores: the mean over the relationships the client has); a component whose block
/// does not apply is left out of both the mean and the missing count. None applying is its own
/// reason.
fn mean_of_applicable(report: &ScoreReport, scores: &[usize], max_missing: usize) -> Score {
    let mut total = 0.0;
    let mut n = 0;
    let mut applicable = 0;
    for idx in scores {
        let Some(s) = report.scores.get(*idx) else {
            continue;
        };
        if s.not_scored == Some(NotScored::NotApplicable) {
            continue;
        }
        applicable += 1;
        if let Some(v) = s.value {
            total += v;
            n += 1;
        }
    }
    if applicable == 0 && !scores.is_empty() {
        return Score {
            value: None,
            n_answered: 0,
            n_items: 0,
            not_scored: Some(NotScored::NoneApplies),
        };
    }
    component_score(total, n, applicable, max_missing, true)
}

/// Keyed sums of a scale's forward and reversed items, for the contradiction flag.
#[derive(Default)]
struct KeyedHalves {
    forward: f64,
    n_forward: usize,
    reversed: f64,
    n_reversed: usize,
}

impl KeyedHalves {
    fn add(&mut self, keying: Keying, keyed: f64) {
        match keying {
            Keying::Forward => {
                self.forward += keyed;
                self.n_forward += 1;
            }
            Keying::Reverse => {
                self.reversed += keyed;
                self.n_reversed += 1;
            }
            Keying::Recode(_) => {}
        }
    }

    /// Whether the forward and reversed items' means differ by at least `gap`.
    fn contradict(&self, gap: f64) -> bool {
        // |f/nf - r/nr| >= gap, cross-multiplied: the sums are whole numbers, so this is
        // exact, where the divided form misses a gap of exactly 3 (7/3 against 16/3).
        let (nf, nr) = (self.n_forward as f64, self.n_reversed as f64);
        self.n_forward > 0
            && self.n_reversed > 0
            && (self.forward * nr - self.reversed * nf).abs() >= gap * nf * nr
    }
}

fn component_score(total: f64, n: usize, n_items: usize, allowed: usize, mean: bool) -> Score {
    let missing = n_items - n;
    if missing > allowed || n == 0 {
        return Score {
            value: None,
            n_answered: n,
            n_items,
            not_scored: Some(NotScored::MissingComponents { missing, allowed }),
        };
    }
    Score {
        value: Some(if mean { total / n as f64 } else { total }),
        n_answered: n,
        n_items,
        not_scored: None,
    }
}

/// The value an answer contributes to a scale.
pub fn keyed_value(instrument: &Instrument, keying: Keying, value: i32, min: i32, max: i32) -> f64 {
    match keying {
        Keying::Forward => f64::from(value),
        Keying::Reverse => f64::from(min + max - value),
        Keying::Recode(t) => instrument
            .recode_tables
            .get(t)
            .and_then(|table| table.values.get(usize::try_from(value - min).ok()?))
            .copied()
            .unwrap_or(f64::NAN),
    }
}

/// Reverse keying as a function, for tests and views: `(min + max) - x`.
pub fn reverse(value: i32, min: i32, max: i32) -> i32 {
    min + max - value
}
