//! Validity flags and the descriptive category.
//!
//! Flags describe *how* a form was answered (long identical runs, all-midpoint answering,
//! contradictions between reversed and forward items, implausible speed). They are shown
//! beside the scores and never remove a score: the clinician decides what they mean.

use super::answers::Responses;
use super::instrument::{Instrument, Keying, ScoreRule};
use super::scoring::{CategoryResult, Flag, ScoreReport};

/// Appends the answering flags (longstring, all-midpoint, contradiction, fast) to `report`.
pub fn flag_answering(instrument: &Instrument, responses: &Responses, report: &mut ScoreReport) {
    let answers = responses.answers();
    let rules = &instrument.validity;

    if let Some(threshold) = rules.longstring_run {
        let run = longest_run(answers.iter().map(|a| a.value()));
        if run >= threshold {
            report.flags.push(Flag::Longstring { run });
        }
    }

    if rules.all_midpoint
        && let Some(mid) = instrument.response.midpoint()
    {
        let mut answered = 0usize;
        let mut all_mid = true;
        for v in answers.iter().filter_map(|a| a.value()) {
            answered += 1;
            all_mid &= v == mid;
        }
        // Half the form at least, so that two answers of 4 in an empty form do not flag.
        if all_mid && answered >= 2 && answered * 2 >= answers.len() {
            report.flags.push(Flag::AllMidpoint);
        }
    }

    if let Some(gap) = rules.contradiction_gap {
        let (min, max) = (instrument.response.min, instrument.response.max);
        for (idx, def) in instrument.scores.iter().enumerate() {
            let ScoreRule::Scale { slots, .. } = &def.rule else {
                continue;
            };
            let (mut fwd, mut n_fwd, mut rev, mut n_rev) = (0.0, 0usize, 0.0, 0usize);
            for (slot, keying) in slots {
                let Some(v) = answers.get(*slot).and_then(|a| a.value()) else {
                    continue;
                };
                match keying {
                    Keying::Forward => {
                        fwd += f64::from(v);
                        n_fwd += 1;
                    }
                    Keying::Reverse => {
                        rev += f64::from(min + max - v);
                        n_rev += 1;
                    }
                    Keying::Recode(_) => {}
                }
            }
            // |fwd/n_fwd - rev/n_rev| >= gap, cross-multiplied: the sums are whole numbers, so
            // this is exact, where the divided form misses a gap of exactly 3 (7/3 vs 16/3).
            let (nf, nr) = (n_fwd as f64, n_rev as f64);
            if n_fwd > 0 && n_rev > 0 && (fwd * nr - rev * nf).abs() >= gap * nf * nr {
                report.flags.push(Flag::Contradiction { score_idx: idx });
            }
        }
    }

    if let Some(min_seconds) = rules.min_seconds_per_item {
        let (total, n) = responses
            .seconds()
            .iter()
            .zip(answers)
            .filter(|(_, a)| a.value().is_some())
            .filter_map(|(s, _)| *s)
            .fold((0.0, 0usize), |(t, n), s| (t + s, n + 1));
        // Judge only a form mostly timed, so that a few resumed answers do not decide it.
        if n >= 3 && n * 2 >= answers.len() && total / (n as f64) < min_seconds {
            report.flags.push(Flag::Fast);
        }
    }
}

/// Longest run of equal consecutive answered values; a missing answer ends a run.
pub fn longest_run(values: impl Iterator<Item = Option<i32>>) -> usize {
    let (mut best, mut run, mut last) = (0usize, 0usize, None);
    for v in values {
        match v {
            Some(v) if Some(v) == last => run += 1,
            Some(v) => {
                run = 1;
                last = Some(v);
            }
            None => {
                run = 0;
                last = None;
            }
        }
        best = best.max(run);
    }
    best
}

/// Sets `report.category` for instruments with a category (RQ): the highest-scoring option;
/// a tie is broken by the forced choice when it names one of the tied options. Flags a tie
/// that stays unresolved, and a forced choice that is not among the highest-rated.
pub fn categorise(instrument: &Instrument, responses: &Responses, report: &mut ScoreReport) {
    let Some(category) = &instrument.category else {
        return;
    };
    let mut best = f64::NEG_INFINITY;
    for option in &category.options {
        match report.scores.get(option.score_idx).and_then(|s| s.value) {
            Some(v) => best = best.max(v),
            None => return,
        }
    }
    let is_top = |i: usize| {
        category
            .options
            .get(i)
            .and_then(|o| report.scores.get(o.score_idx))
            .and_then(|s| s.value)
            == Some(best)
    };
    let tied: Vec<usize> = (0..category.options.len()).filter(|&i| is_top(i)).collect();
    let chosen = responses.choice().and_then(|c| {
        category
            .options
            .iter()
            .position(|o| o.choice_idx == Some(c))
    });
    if let Some(c) = chosen
        && !tied.contains(&c)
    {
        report.flags.push(Flag::ChoiceDisagrees);
    }
    report.category = match (tied.as_slice(), chosen) {
        ([only], _) => Some(CategoryResult {
            option_idx: *only,
            by_tie_break: false,
        }),
        (_, Some(c)) if tied.contains(&c) => Some(CategoryResult {
            option_idx: c,
            by_tie_break: true,
        }),
        _ => {
            report.flags.push(Flag::CategoryTie);
            None
        }
    };
}
