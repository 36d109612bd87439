//! The derived-score checks: `$.derived`, scores computed from other scores (a weighted sum,
//! or a mean), with their possible range from the ranges of the scores they use.
//!
//! Apart from the pass in [`super`] so that the two methods' rules (which fields each takes,
//! and which it refuses) stand side by side.

use std::collections::HashMap;

use crate::core::instrument::{Direction, ScoreDef, ScoreRule};
use crate::core::schema::{self, DerivedMethod};

use super::{Check, Checker};

impl Checker<'_> {
    /// Checks `$.derived` in order onto the end of `scores`: each derived score may use the
    /// scales and the derived scores before it. Each id is claimed in `ids`.
    pub(super) fn derived_scores(
        &self,
        raw: &[schema::DerivedDef],
        scores: &mut Vec<ScoreDef>,
        ids: &mut HashMap<String, String>,
    ) -> Check<()> {
        for (d_idx, derived) in raw.iter().enumerate() {
            let path = format!("$.derived[{d_idx}]");
            self.claim_id(ids, &derived.id, &format!("{path}.id"))?;
            let def = self.derived(&path, derived, scores)?;
            scores.push(def);
        }
        Ok(())
    }

    fn derived(&self, path: &str, d: &schema::DerivedDef, scores: &[ScoreDef]) -> Check<ScoreDef> {
        self.method_fields(path, d)?;
        let (rule, range) = match d.method {
            DerivedMethod::Linear => self.derived_linear(path, d, scores)?,
            DerivedMethod::Mean => self.derived_mean(path, d, scores)?,
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

    fn find_score(&self, scores: &[ScoreDef], id: &str, path: String) -> Check<usize> {
        scores.iter().position(|s| s.id == id).ok_or_else(|| {
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
    ) -> Check<(ScoreRule, (f64, f64))> {
        if !d.constant.is_finite() {
            return Err(self.err(format!("{path}.constant"), "must be a finite number"));
        }
        let mut terms = Vec::new();
        let (mut lo, mut hi) = (d.constant, d.constant);
        for (i, t) in d.terms.iter().enumerate() {
            let idx = self.find_score(scores, &t.score, format!("{path}.terms[{i}].score"))?;
            if !t.weight.is_finite() || t.weight == 0.0 {
                return Err(self.err(
                    format!("{path}.terms[{i}].weight"),
                    "weight must be a finite, non-zero number",
                ));
            }
            let (a, b) = scores[idx].range;
            if t.weight > 0.0 {
                lo += t.weight * a;
                hi += t.weight * b;
            } else {
                lo += t.weight * b;
                hi += t.weight * a;
            }
            terms.push((idx, t.weight));
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
    ) -> Check<(ScoreRule, (f64, f64))> {
        let mut idxs = Vec::new();
        let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
        for (i, id) in d.scores.iter().enumerate() {
            let idx = self.find_score(scores, id, format!("{path}.scores[{i}]"))?;
            if idxs.contains(&idx) {
                return Err(self.err(
                    format!("{path}.scores[{i}]"),
                    format!("score {id:?} is listed twice"),
                ));
            }
            lo = lo.min(scores[idx].range.0);
            hi = hi.max(scores[idx].range.1);
            idxs.push(idx);
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
