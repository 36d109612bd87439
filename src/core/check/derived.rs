//! The derived-score checks: `$.derived`, scores computed from other scores (a weighted sum,
//! or a mean), with their possible range from the ranges of the scores they use, and the
//! largest size any of their sums can reach, which must be a finite number within
//! [`MAX_SCORE_MAGNITUDE`] (REDTEAM L3: weights of ±1e308 gave `inf` and `NaN`).
//!
//! Apart from the pass in [`super`] so that the two methods' rules (which fields each takes,
//! and which it refuses) stand side by side.

use std::collections::HashMap;

use crate::core::instrument::{Direction, ScoreDef, ScoreRule};
use crate::core::limits::MAX_SCORE_MAGNITUDE;
use crate::core::schema::{self, DerivedMethod};

use super::scales::{magnitude, magnitude_rule};
use super::{Check, Checker};

/// Score id → index in the scores so far.
type Index = HashMap<String, usize>;

impl Checker<'_> {
    /// Checks `$.derived` in order onto the end of `scores`: each derived score may use the
    /// scales and the derived scores before it. Each id is claimed in `ids`.
    pub(super) fn derived_scores(
        &self,
        raw: &[schema::DerivedDef],
        scores: &mut Vec<ScoreDef>,
        ids: &mut HashMap<String, String>,
    ) -> Check<()> {
        let mut index: Index = scores
            .iter()
            .enumerate()
            .map(|(i, s)| (s.id.clone(), i))
            .collect();
        for (d_idx, derived) in raw.iter().enumerate() {
            let path = format!("$.derived[{d_idx}]");
            self.claim_id(ids, &derived.id, &format!("{path}.id"))?;
            let def = self.derived(&path, derived, scores, &index)?;
            index.insert(def.id.clone(), scores.len());
            scores.push(def);
        }
        Ok(())
    }

    fn derived(
        &self,
        path: &str,
        d: &schema::DerivedDef,
        scores: &[ScoreDef],
        index: &Index,
    ) -> Check<ScoreDef> {
        self.method_fields(path, d)?;
        let (rule, range) = match d.method {
            DerivedMethod::Linear => self.derived_linear(path, d, scores, index)?,
            DerivedMethod::Mean => self.derived_mean(path, d, scores, index)?,
        };
        if d.name.trim().is_empty() {
            return Err(self.err(format!("{path}.name"), "must not be empty"));
        }
        Ok(ScoreDef {
            id: d.id.clone(),
            name: d.name.clone(),
            higher_means: d.higher_means.clone(),
            // A missing `better` is refused at the end of the pass (`Checker::better`).
            better: d.better.map_or(Direction::Neither, Into::into),
            better_reason: d.better_reason.clone(),
            block_idx: None,
            base_id: d.id.clone(),
            rule,
            range,
        })
    }

    /// The list `d.method` needs (`terms` or `scores`), and the fields that belong to the other
    /// method, which it refuses: the first of these rules that is broken is the error.
    fn method_fields(&self, path: &str, d: &schema::DerivedDef) -> Check<()> {
        // A table, one rule a line: (broken, field, what is wrong), in the order checked.
        #[rustfmt::skip]
        let rules = match d.method {
            DerivedMethod::Linear => [
                (d.terms.is_empty(), "terms", "a linear derived score needs at least one term"),
                (!d.scores.is_empty(), "scores", "a linear derived score takes `terms`, not `scores`"),
                (d.max_missing != 0, "max_missing", "a linear derived score needs every term; max_missing applies to method mean"),
            ],
            DerivedMethod::Mean => [
                (d.scores.is_empty(), "scores", "a mean derived score needs at least one score"),
                (!d.terms.is_empty(), "terms", "a mean derived score takes `scores`, not `terms`"),
                (d.constant != 0.0, "constant", "constant applies to method linear, not mean"),
            ],
        };
        match rules.into_iter().find(|(broken, ..)| *broken) {
            Some((_, field, message)) => Err(self.err(format!("{path}.{field}"), message)),
            None => Ok(()),
        }
    }

    fn find_score(&self, index: &Index, id: &str, path: String) -> Check<usize> {
        index.get(id).copied().ok_or_else(|| {
            self.err(
                path,
                format!(
                    "score {id:?} is not defined (derived scores may use scales and earlier derived scores)"
                ),
            )
        })
    }

    fn derived_linear(
        &self,
        path: &str,
        d: &schema::DerivedDef,
        scores: &[ScoreDef],
        index: &Index,
    ) -> Check<(ScoreRule, (f64, f64))> {
        if !d.constant.is_finite() {
            return Err(self.err(format!("{path}.constant"), "must be a finite number"));
        }
        let mut terms = Vec::new();
        let (mut lo, mut hi) = (d.constant, d.constant);
        // The running total of the scorer stays within |constant| + Σ |weight| × size of score.
        let mut bound = d.constant.abs();
        for (i, t) in d.terms.iter().enumerate() {
            let idx = self.find_score(index, &t.score, format!("{path}.terms[{i}].score"))?;
            if !t.weight.is_finite() || t.weight == 0.0 {
                return Err(self.err(
                    format!("{path}.terms[{i}].weight"),
                    "weight must be a finite, non-zero number",
                ));
            }
            let (a, b) = scores[idx].range;
            bound += t.weight.abs() * a.abs().max(b.abs());
            if t.weight > 0.0 {
                lo += t.weight * a;
                hi += t.weight * b;
            } else {
                lo += t.weight * b;
                hi += t.weight * a;
            }
            terms.push((idx, t.weight));
        }
        if bound.is_nan() || bound > MAX_SCORE_MAGNITUDE {
            return Err(self.err(
                path,
                format!(
                    "score {:?} can reach {}: its constant plus the weights × the sizes of its terms' scores; {}: use smaller weights",
                    d.id,
                    magnitude(bound),
                    magnitude_rule()
                ),
            ));
        }
        Ok((
            ScoreRule::Linear {
                terms,
                constant: d.constant,
            },
            (lo, hi),
        ))
    }

    fn derived_mean(
        &self,
        path: &str,
        d: &schema::DerivedDef,
        scores: &[ScoreDef],
        index: &Index,
    ) -> Check<(ScoreRule, (f64, f64))> {
        let mut idxs = Vec::new();
        let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
        // The running total of the scorer stays within the sum of the scores' sizes.
        let mut bound = 0.0;
        for (i, id) in d.scores.iter().enumerate() {
            let idx = self.find_score(index, id, format!("{path}.scores[{i}]"))?;
            if idxs.contains(&idx) {
                return Err(self.err(
                    format!("{path}.scores[{i}]"),
                    format!("score {id:?} is listed twice"),
                ));
            }
            let (a, b) = scores[idx].range;
            lo = lo.min(a);
            hi = hi.max(b);
            bound += a.abs().max(b.abs());
            idxs.push(idx);
        }
        if bound.is_nan() || bound > MAX_SCORE_MAGNITUDE {
            return Err(self.err(
                path,
                format!(
                    "score {:?} can reach {}: the sum of its scores' sizes; {}",
                    d.id,
                    magnitude(bound),
                    magnitude_rule()
                ),
            ));
        }
        if d.max_missing >= idxs.len() {
            return Err(self.err(
                format!("{path}.max_missing"),
                format!(
                    "max_missing {} must be less than the number of scores ({})",
                    d.max_missing,
                    idxs.len()
                ),
            ));
        }
        Ok((
            ScoreRule::Mean {
                scores: idxs,
                max_missing: d.max_missing,
            },
            (lo, hi),
        ))
    }
}
