//! Validity flags and the descriptive category.
//!
//! Flags describe *how* a form was answered (long identical runs, all-midpoint answering,
//! contradictions between reversed and forward items, implausible speed). They are shown
//! beside the scores and never remove a score: the clinician decides what they mean.

use super::answers::Responses;
use super::instrument::Instrument;
use super::score_report::{CategoryResult, Flag, ScoreReport};

/// Appends the answering flags (longstring, all-midpoint, fast) to `report`. The contradiction
/// flag needs each scale's keyed sums and is raised by the scorer as it computes them.
pub fn flag_answering(instrument: &Instrument, responses: &Responses, report: &mut ScoreReport) {
    let answers = responses.answers();
    let rules = &instrument.validity;

    // Longest run of identical answers and all-midpoint answering, in one pass.
    let mid = instrument
        .response
        .midpoint()
        .filter(|_| rules.all_midpoint);
    let (mut best, mut run, mut last) = (0usize, 0usize, None);
    let (mut answered, mut all_mid) = (0usize, true);
    for v in answers.iter().map(|a| a.value()) {
        match v {
            Some(v) => {
                run = if last == Some(v) { run + 1 } else { 1 };
                answered += 1;
                all_mid &= Some(v) == mid;
            }
            None => run = 0,
        }
        last = v;
        best = best.max(run);
    }
    if rules
        .longstring_run
        .is_some_and(|threshold| best >= threshold)
    {
        report.flags.push(Flag::Longstring { run: best });
    }
    // Half the form at least, so that two answers of 4 in an empty form do not flag.
    if mid.is_some() && all_mid && answered >= 2 && answered * 2 >= answers.len() {
        report.flags.push(Flag::AllMidpoint);
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
