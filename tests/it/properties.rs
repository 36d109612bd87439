//! Property tests of the scoring core, over every bundled instrument.
//!
//! - reversing twice is the identity, and mirroring every answer (`x -> min + max - x`)
//!   mirrors every score that is built by reversing and averaging (ECR-R: `8 - anxiety`);
//! - every score that has a value lies within the range the instrument declares for it;
//! - changing one answer changes only the scores that depend on that slot, directly (the
//!   slot is in the scale) or through derived scores; the dependencies are read from the
//!   instrument definition, not from the scorer.
//!
//! Answers are random, with random missing and declined answers. Case counts stay modest
//! so that the file runs in a few seconds in a debug build.

use std::collections::BTreeSet;
use std::sync::LazyLock;

use proptest::collection::vec;
use proptest::prelude::*;
use securebase::core::bundled::bundled;
use securebase::core::instrument::{Keying, ScoreRule};
use securebase::core::schema::ScaleMethod;
use securebase::core::scoring::{keyed_value, reverse};
use securebase::core::{Answer, Instrument, Responses, ScoreReport, score};

/// Slack for comparisons of computed means.
const SLACK: f64 = 1e-9;

/// Cases per property; each case scores every bundled instrument.
const CASES: u32 = 256;

static INSTRUMENTS: LazyLock<Vec<Instrument>> = LazyLock::new(|| {
    bundled()
        .into_iter()
        .map(|r| r.expect("bundled instrument parses"))
        .collect()
});

/// Enough generated cells for the longest form.
fn max_slots() -> usize {
    INSTRUMENTS
        .iter()
        .map(Instrument::n_slots)
        .max()
        .unwrap_or(0)
}

fn instrument(id: &str) -> &'static Instrument {
    INSTRUMENTS
        .iter()
        .find(|i| i.id == id)
        .unwrap_or_else(|| panic!("no bundled instrument {id:?}"))
}

/// A generated form, independent of the instrument: per slot a (kind, value) seed, a share
/// of missing answers, and a forced-choice seed.
#[derive(Debug, Clone)]
struct Form {
    /// 0: complete, 1: a few missing, 2: many missing.
    density: usize,
    /// Per slot: kind in 0..100 (below the missing share: missing or declined), value seed.
    cells: Vec<(u8, u8)>,
    /// Forced-choice seed; `None` leaves the choice empty.
    choice: Option<usize>,
}

fn form_strategy() -> impl Strategy<Value = Form> {
    (
        0usize..3,
        vec((0u8..100, any::<u8>()), max_slots()),
        proptest::option::of(0usize..16),
    )
        .prop_map(|(density, cells, choice)| Form {
            density,
            cells,
            choice,
        })
}

/// The answer a generated cell stands for on `instrument`'s scale.
fn answer(instrument: &Instrument, density: usize, (kind, seed): (u8, u8)) -> Answer {
    let missing_pct = [0u8, 8, 35][density % 3];
    if kind < missing_pct / 2 {
        Answer::Missing
    } else if kind < missing_pct {
        Answer::Declined
    } else {
        let (min, max) = (instrument.response.min, instrument.response.max);
        Answer::Value(min + i32::from(seed) % (max - min + 1))
    }
}

fn responses(instrument: &Instrument, form: &Form) -> Responses {
    let mut r = Responses::new(instrument);
    for slot in 0..instrument.n_slots() {
        r.set(slot, answer(instrument, form.density, form.cells[slot]))
            .unwrap();
    }
    if let (Some(choice), Some(def)) = (form.choice, &instrument.choice) {
        r.set_choice(Some(choice % def.options.len())).unwrap();
    }
    r
}

/// For each score, the answer slots it depends on: a scale's own slots, and for derived
/// scores the union over the scores they combine.
fn dependencies(instrument: &Instrument) -> Vec<BTreeSet<usize>> {
    let mut deps: Vec<BTreeSet<usize>> = Vec::with_capacity(instrument.scores.len());
    for def in &instrument.scores {
        let set = match &def.rule {
            ScoreRule::Scale { slots, .. } => slots.iter().map(|(slot, _)| *slot).collect(),
            ScoreRule::Linear { terms, .. } => terms
                .iter()
                .flat_map(|(idx, _)| deps[*idx].iter().copied())
                .collect(),
            ScoreRule::Mean { scores, .. } => scores
                .iter()
                .flat_map(|idx| deps[*idx].iter().copied())
                .collect(),
        };
        deps.push(set);
    }
    deps
}

/// For each score, the constant `a` with `score(mirrored answers) = a - score(answers)`, when
/// mirroring (`x -> min + max - x`) acts that way on it: scales keyed forward or reversed, and
/// linear or mean scores of such scales. `None` for recoded scales (RFQ-8), whose tables are
/// not symmetric.
#[expect(
    clippy::float_cmp,
    reason = "the constants are small integers times small weights: equal means exactly equal"
)]
fn mirror_constants(instrument: &Instrument) -> Vec<Option<f64>> {
    let m = f64::from(instrument.response.min + instrument.response.max);
    let mut constants: Vec<Option<f64>> = Vec::with_capacity(instrument.scores.len());
    for def in &instrument.scores {
        let a = match &def.rule {
            ScoreRule::Scale { method, slots, .. } => {
                let symmetric = slots
                    .iter()
                    .all(|(_, k)| matches!(k, Keying::Forward | Keying::Reverse));
                symmetric.then_some(match method {
                    ScaleMethod::Mean => m,
                    ScaleMethod::Sum => m * slots.len() as f64,
                })
            }
            // c + sum w (a_j - v_j) = (2c + sum w a_j) - (c + sum w v_j)
            ScoreRule::Linear { terms, constant } => terms
                .iter()
                .map(|(idx, w)| constants[*idx].map(|a| w * a))
                .sum::<Option<f64>>()
                .map(|s| 2.0 * constant + s),
            // A mean of scores that all mirror around the same constant mirrors around it.
            ScoreRule::Mean { scores, .. } => {
                let parts: Option<Vec<f64>> = scores.iter().map(|idx| constants[*idx]).collect();
                parts.and_then(|p| {
                    let first = *p.first()?;
                    p.iter().all(|a| *a == first).then_some(first)
                })
            }
        };
        constants.push(a);
    }
    constants
}

fn mirrored(instrument: &Instrument, responses: &Responses) -> Responses {
    let (min, max) = (instrument.response.min, instrument.response.max);
    let mut out = responses.clone();
    for (slot, a) in responses.answers().iter().enumerate() {
        if let Answer::Value(v) = a {
            out.set(slot, Answer::Value(reverse(*v, min, max))).unwrap();
        }
    }
    out
}

/// Asserts that every score of `mirror` is the mirror image of the same score of `plain`.
fn assert_mirrored(
    instrument: &Instrument,
    plain: &ScoreReport,
    mirror: &ScoreReport,
) -> Result<(), TestCaseError> {
    for (idx, centre) in mirror_constants(instrument).into_iter().enumerate() {
        let id = &instrument.scores[idx].id;
        let (before, after) = (&plain.scores[idx], &mirror.scores[idx]);
        prop_assert_eq!(
            before.not_scored,
            after.not_scored,
            "{}: scored in one only",
            id
        );
        let (Some(centre), Some(before), Some(after)) = (centre, before.value, after.value) else {
            continue;
        };
        prop_assert!(
            (after - (centre - before)).abs() <= SLACK,
            "{}: mirrored {} but expected {} - {} = {}",
            id,
            after,
            centre,
            before,
            centre - before
        );
    }
    Ok(())
}

#[test]
fn reversing_twice_is_identity() {
    proptest!(
        ProptestConfig::with_cases(256),
        |(min in -20i32..20, span in 1i32..20, offset in 0i32..20)| {
            let max = min + span;
            let x = min + offset % (span + 1);
            let once = reverse(x, min, max);
            prop_assert!((min..=max).contains(&once), "{} reversed to {} outside {}..={}", x, once, min, max);
            prop_assert_eq!(reverse(once, min, max), x);
        }
    );
}

/// The issue's example: on the ECR-R, mirroring every answer gives 8 - anxiety and
/// 8 - avoidance, with the same missing answers.
#[test]
fn ecr_r_mirrored_answers_mirror_the_scales_around_the_midpoint() {
    let ecr_r = instrument("ecr-r");
    let anxiety = ecr_r.score_index("anxiety").unwrap();
    let avoidance = ecr_r.score_index("avoidance").unwrap();
    proptest!(ProptestConfig::with_cases(CASES), |(form in form_strategy())| {
        let r = responses(ecr_r, &form);
        let (a, b) = (score(ecr_r, &r), score(ecr_r, &mirrored(ecr_r, &r)));
        for idx in [anxiety, avoidance] {
            prop_assert_eq!(a.scores[idx].value.is_some(), b.scores[idx].value.is_some());
            if let (Some(x), Some(y)) = (a.scores[idx].value, b.scores[idx].value) {
                prop_assert!((y - (8.0 - x)).abs() <= SLACK, "{} -> {}", x, y);
            }
        }
    });
}

#[test]
fn mirrored_answers_mirror_every_symmetric_score() {
    proptest!(ProptestConfig::with_cases(CASES), |(form in form_strategy())| {
        for instrument in INSTRUMENTS.iter() {
            let r = responses(instrument, &form);
            let (a, b) = (score(instrument, &r), score(instrument, &mirrored(instrument, &r)));
            assert_mirrored(instrument, &a, &b)?;
        }
    });
}

#[test]
fn every_score_lies_within_its_declared_range() {
    proptest!(ProptestConfig::with_cases(CASES), |(form in form_strategy())| {
        for instrument in INSTRUMENTS.iter() {
            let r = responses(instrument, &form);
            let report = score(instrument, &r);
            prop_assert_eq!(report.scores.len(), instrument.scores.len());
            let n_missing = r.answers().iter().filter(|a| a.value().is_none()).count();
            prop_assert_eq!(report.n_missing, n_missing, "{}", instrument.id);
            for (def, s) in instrument.scores.iter().zip(&report.scores) {
                let (lo, hi) = def.range;
                if let Some(v) = s.value {
                    prop_assert!(
                        v >= lo - SLACK && v <= hi + SLACK,
                        "{} {}: {} outside {}..={}", instrument.id, def.id, v, lo, hi
                    );
                }
                prop_assert_eq!(s.value.is_none(), s.not_scored.is_some(), "{} {}", instrument.id, def.id);
            }
        }
    });
}

#[test]
#[expect(
    clippy::float_cmp,
    reason = "keyed values and means of small integers: a change is a change, however small"
)]
fn changing_one_answer_changes_only_the_scores_that_depend_on_it() {
    let all_deps: Vec<Vec<BTreeSet<usize>>> = INSTRUMENTS.iter().map(dependencies).collect();
    proptest!(
        ProptestConfig::with_cases(CASES),
        |(form in form_strategy(), slot_seed in any::<usize>(), new_cell in (0u8..100, any::<u8>()))| {
            for (instrument, deps) in INSTRUMENTS.iter().zip(&all_deps) {
                let slot = slot_seed % instrument.n_slots();
                let before = responses(instrument, &form);
                let mut after = before.clone();
                // Density 2: the new answer is missing or declined about a third of the time.
                after.set(slot, answer(instrument, 2, new_cell)).unwrap();
                let (a, b) = (score(instrument, &before), score(instrument, &after));
                for (idx, def) in instrument.scores.iter().enumerate() {
                    if !deps[idx].contains(&slot) {
                        prop_assert_eq!(
                            a.scores[idx], b.scores[idx],
                            "{} {}: changed by slot {}, which it does not depend on",
                            instrument.id, def.id, slot
                        );
                    }
                }
                // And the other way round: a scale that contains the slot moves when the
                // slot's keyed value moves (both forms scored).
                let (old, new) = (before.answers()[slot].value(), after.answers()[slot].value());
                let (min, max) = (instrument.response.min, instrument.response.max);
                for (idx, def) in instrument.scores.iter().enumerate() {
                    let ScoreRule::Scale { slots, .. } = &def.rule else { continue };
                    let Some((_, keying)) = slots.iter().find(|(s, _)| *s == slot) else { continue };
                    if let (Some(o), Some(n), Some(x), Some(y)) =
                        (old, new, a.scores[idx].value, b.scores[idx].value)
                    {
                        let moved = keyed_value(instrument, *keying, o, min, max)
                            != keyed_value(instrument, *keying, n, min, max);
                        prop_assert_eq!(
                            moved, x != y,
                            "{} {}: slot {} {} -> {}, score {} -> {}",
                            instrument.id, def.id, slot, o, n, x, y
                        );
                    }
                }
            }
        }
    );
}

#[test]
fn the_forced_choice_changes_no_score() {
    proptest!(
        ProptestConfig::with_cases(CASES),
        |(form in form_strategy(), choice in proptest::option::of(0usize..16))| {
            for instrument in INSTRUMENTS.iter().filter(|i| i.choice.is_some()) {
                let before = responses(instrument, &form);
                let mut after = before.clone();
                let n_options = instrument.choice.as_ref().map_or(1, |c| c.options.len());
                after.set_choice(choice.map(|c| c % n_options)).unwrap();
                prop_assert_eq!(
                    score(instrument, &before).scores,
                    score(instrument, &after).scores
                );
            }
        }
    );
}
