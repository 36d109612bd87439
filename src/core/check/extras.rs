//! The checks of the sections after the scores: `$.choice` (the forced choice), `$.category`,
//! `$.plane`, `$.validity`, `$.reliability` and `$.norm_sets`.
//!
//! Apart from the pass in [`super`] because each is optional or has defaults, and each only
//! refers back to items and scores already checked.

use std::collections::HashMap;

use super::{Check, Checker, is_score_id, looks_like_item_column};
use crate::core::instrument::{
    Block, Category, CategoryOption, Choice, Plane, RESERVED_COLUMNS, Reliability, ResponseScale,
    ScoreDef, ScoreRule, Validity,
};
use crate::core::schema::{self, CategoryMethod};

impl Checker<'_> {
    pub(super) fn choice(
        &self,
        c: &schema::ChoiceDef,
        item_idx: &HashMap<u32, usize>,
        ids: &HashMap<String, String>,
    ) -> Check<Choice> {
        if !is_score_id(&c.id)
            || looks_like_item_column(&c.id)
            || RESERVED_COLUMNS.contains(&c.id.as_str())
        {
            return Err(self.err(
                "$.choice.id",
                format!("choice id {:?} must be lower-case letters, digits and '_', and not an item or output column", c.id),
            ));
        }
        if ids.contains_key(&c.id) {
            return Err(self.err("$.choice.id", format!("{:?} is already a score id", c.id)));
        }
        if c.options.len() < 2 {
            return Err(self.err(
                "$.choice.options",
                "a forced choice needs at least two options",
            ));
        }
        let mut options = Vec::new();
        for (i, o) in c.options.iter().enumerate() {
            let path = format!("$.choice.options[{i}]");
            if o.value.trim().is_empty() || o.value.trim() != o.value {
                return Err(self.err(
                    format!("{path}.value"),
                    "value must be non-empty, without surrounding space",
                ));
            }
            if options
                .iter()
                .any(|(v, _): &(String, usize)| v.eq_ignore_ascii_case(&o.value))
            {
                return Err(self.err(
                    format!("{path}.value"),
                    format!("value {:?} is used twice", o.value),
                ));
            }
            let Some(&idx) = item_idx.get(&o.item) else {
                return Err(self.err(
                    format!("{path}.item"),
                    format!("item {} is not defined in $.items", o.item),
                ));
            };
            if options.iter().any(|(_, other)| *other == idx) {
                return Err(self.err(
                    format!("{path}.item"),
                    format!("item {} is shown by two options (twice)", o.item),
                ));
            }
            options.push((o.value.clone(), idx));
        }
        Ok(Choice {
            id: c.id.clone(),
            prompt: c.prompt.clone(),
            verified: c.verified,
            note: c.note.clone(),
            options,
        })
    }

    pub(super) fn category(
        &self,
        c: &schema::CategoryDef,
        scores: &[ScoreDef],
        choice: Option<&Choice>,
        n_items: usize,
    ) -> Check<Category> {
        let CategoryMethod::HighestScore = c.method;
        if c.options.len() < 2 {
            return Err(self.err(
                "$.category.options",
                "a category needs at least two options",
            ));
        }
        let mut options = Vec::new();
        for (i, o) in c.options.iter().enumerate() {
            let path = format!("$.category.options[{i}]");
            let Some(score_idx) = scores.iter().position(|s| s.id == o.score) else {
                return Err(self.err(
                    format!("{path}.score"),
                    format!("score {:?} is not defined", o.score),
                ));
            };
            if options
                .iter()
                .any(|p: &CategoryOption| p.score_idx == score_idx)
            {
                return Err(self.err(
                    format!("{path}.score"),
                    format!(
                        "score {:?} is compared twice; every result would tie",
                        o.score
                    ),
                ));
            }
            if options.iter().any(|p: &CategoryOption| p.label == o.label)
                || o.label.trim().is_empty()
            {
                return Err(self.err(
                    format!("{path}.label"),
                    format!("label {:?} must be non-empty and not used twice", o.label),
                ));
            }
            let choice_idx = match (&o.choice, choice) {
                (None, _) => None,
                (Some(v), None) => {
                    return Err(self.err(
                        format!("{path}.choice"),
                        format!("names choice {v:?} but the instrument has no $.choice"),
                    ));
                }
                (Some(v), Some(ch)) => Some(ch.option_index(v).ok_or_else(|| {
                    self.err(
                        format!("{path}.choice"),
                        format!("{v:?} is not a value of $.choice.options"),
                    )
                })?),
            };
            // The forced-choice option standing for a category must show one of the items of
            // the category's score, or ties would be broken by the wrong paragraph.
            if let (Some(c), Some(ch), ScoreRule::Scale { slots, .. }) =
                (choice_idx, choice, &scores[score_idx].rule)
            {
                let shown = ch.options.get(c).map(|(_, item)| *item);
                if !slots.iter().any(|(slot, _)| Some(*slot % n_items) == shown) {
                    return Err(self.err(
                        format!("{path}.choice"),
                        format!(
                            "choice {:?} shows an item that is not an item of score {:?}",
                            o.choice.as_deref().unwrap_or_default(),
                            o.score
                        ),
                    ));
                }
            }
            options.push(CategoryOption {
                label: o.label.clone(),
                score_idx,
                choice_idx,
            });
        }
        if c.caveat.trim().is_empty() {
            return Err(self.err("$.category.caveat", "a category must carry its caveat"));
        }
        Ok(Category {
            options,
            caveat: c.caveat.clone(),
        })
    }

    pub(super) fn plane(
        &self,
        p: &schema::PlaneDef,
        scores: &[ScoreDef],
        blocks: &[Block],
    ) -> Check<Plane> {
        let find = |id: &str, path: &str| -> Check<usize> {
            scores
                .iter()
                .position(|s| s.id == id)
                .ok_or_else(|| self.err(path, format!("score {id:?} is not defined")))
        };
        let x = find(&p.x, "$.plane.x")?;
        let y = find(&p.y, "$.plane.y")?;
        if x == y {
            return Err(self.err("$.plane.y", "the same score cannot be on both axes"));
        }
        if !p.midpoint.is_finite() {
            return Err(self.err("$.plane.midpoint", "must be a finite number"));
        }
        for axis in [x, y] {
            let (lo, hi) = scores[axis].range;
            if p.midpoint < lo || p.midpoint > hi {
                return Err(self.err(
                    "$.plane.midpoint",
                    format!(
                        "midpoint {} is outside the range {lo}-{hi} of score {:?}",
                        p.midpoint, scores[axis].id
                    ),
                ));
            }
        }
        let mut block_points = Vec::new();
        match (&p.block_x, &p.block_y) {
            (None, None) => {}
            (Some(bx), Some(by)) => {
                if blocks.is_empty() {
                    return Err(self.err("$.plane.block_x", "block_x/block_y need $.blocks"));
                }
                for (b, block) in blocks.iter().enumerate() {
                    let xi = find(&format!("{}_{bx}", block.id), "$.plane.block_x")?;
                    let yi = find(&format!("{}_{by}", block.id), "$.plane.block_y")?;
                    block_points.push((b, xi, yi));
                }
            }
            _ => return Err(self.err("$.plane", "give both block_x and block_y, or neither")),
        }
        Ok(Plane {
            x,
            y,
            midpoint: p.midpoint,
            block_points,
        })
    }

    pub(super) fn validity(
        &self,
        v: &schema::ValidityDef,
        response: &ResponseScale,
        n_slots: usize,
    ) -> Check<Validity> {
        let longstring_run = match v.longstring_run {
            Some(0) => None,
            Some(1) => {
                return Err(self.err(
                    "$.validity.longstring_run",
                    "a run must be at least 2 answers long (0 turns the flag off)",
                ));
            }
            Some(n) => Some(n),
            None => Some(n_slots.div_ceil(2).max(2)),
        };
        let contradiction_gap = match v.contradiction_gap {
            Some(g) if !g.is_finite() || g < 0.0 => {
                return Err(self.err(
                    "$.validity.contradiction_gap",
                    "must be a number of at least 0",
                ));
            }
            Some(0.0) => None,
            Some(g) => Some(g),
            None => Some(f64::from(response.max - response.min) / 2.0),
        };
        let min_seconds_per_item = match v.min_seconds_per_item {
            Some(s) if !s.is_finite() || s < 0.0 => {
                return Err(self.err(
                    "$.validity.min_seconds_per_item",
                    "must be a number of at least 0",
                ));
            }
            Some(0.0) => None,
            Some(s) => Some(s),
            None => Some(2.0),
        };
        Ok(Validity {
            longstring_run,
            all_midpoint: v.all_midpoint.unwrap_or(true),
            contradiction_gap,
            min_seconds_per_item,
        })
    }

    pub(super) fn reliability(
        &self,
        raw: &[schema::ReliabilityDef],
        scores: &[ScoreDef],
    ) -> Check<Vec<Reliability>> {
        raw.iter()
            .enumerate()
            .map(|(i, r)| {
                let path = format!("$.reliability[{i}]");
                let score_idx = scores.iter().position(|s| s.id == r.score).ok_or_else(|| {
                    self.err(
                        format!("{path}.score"),
                        format!("score {:?} is not defined", r.score),
                    )
                })?;
                if !(r.value > 0.0 && r.value < 1.0) {
                    return Err(self.err(
                        format!("{path}.value"),
                        format!("{} must be between 0 and 1", r.value),
                    ));
                }
                if let Some(sd) = r.sd
                    && !(sd.is_finite() && sd > 0.0)
                {
                    return Err(self.err(
                        format!("{path}.sd"),
                        format!("{sd} must be a positive number"),
                    ));
                }
                if r.statistic.trim().is_empty() {
                    return Err(self.err(
                        format!("{path}.statistic"),
                        "say which coefficient this is (alpha, test-retest, ...)",
                    ));
                }
                if r.source.trim().is_empty() {
                    return Err(self.err(
                        format!("{path}.source"),
                        "a reliability figure needs its source",
                    ));
                }
                Ok(Reliability {
                    score_idx,
                    statistic: r.statistic.clone(),
                    value: r.value,
                    sd: r.sd,
                    source: r.source.clone(),
                })
            })
            .collect()
    }

    pub(super) fn norm_sets(
        &self,
        raw: &[schema::NormSetDef],
        scores: &[ScoreDef],
        response: &ResponseScale,
    ) -> Check<()> {
        // Looked up once per entry of every set: a map, not a search of the scores each time.
        let index: HashMap<&str, &ScoreDef> = scores.iter().map(|s| (s.id.as_str(), s)).collect();
        for (i, set) in raw.iter().enumerate() {
            let path = format!("$.norm_sets[{i}]");
            if set.source.trim().is_empty() {
                return Err(self.err(format!("{path}.source"), "a norm set needs its source"));
            }
            if set.n < 2 {
                return Err(self.err(format!("{path}.n"), "a norm set needs n of at least 2"));
            }
            if set.sample.country.trim().is_empty() || set.sample.language.trim().is_empty() {
                return Err(self.err(
                    format!("{path}.sample"),
                    "a norm set's sample needs its country and its language or form",
                ));
            }
            if (set.scale.min, set.scale.max) != (response.min, response.max) {
                return Err(self.err(
                    format!("{path}.scale"),
                    format!(
                        "the sample answered on {}-{}, this instrument on {}-{}: its figures do not apply",
                        set.scale.min, set.scale.max, response.min, response.max
                    ),
                ));
            }
            for (id, norm) in &set.scores {
                let spath = format!("{path}.scores.{id}");
                let Some(&score) = index.get(id.as_str()) else {
                    return Err(self.err(&spath, format!("score {id:?} is not defined")));
                };
                if !(norm.mean.is_finite() && norm.sd.is_finite() && norm.sd > 0.0) {
                    return Err(self.err(&spath, "mean must be finite and sd positive"));
                }
                if let Some(metric) = metric_of(score)
                    && metric != set.metric
                {
                    return Err(self.err(
                        format!("{path}.metric"),
                        format!(
                            "the set is of {} scores, but {id:?} is a {}: its figures do not apply",
                            metric_name(set.metric),
                            metric_name(metric)
                        ),
                    ));
                }
                let (lo, hi) = score.range;
                if !(lo..=hi).contains(&norm.mean) {
                    return Err(self.err(
                        format!("{spath}.mean"),
                        format!(
                            "mean {} lies outside the score's possible range {lo} to {hi} (a sum, or another scale?)",
                            norm.mean
                        ),
                    ));
                }
            }
        }
        Ok(())
    }
}

/// The metric a score is on, as norm sets name it: a scale's method, a derived mean's "mean";
/// `None` for a linear derived score (its figures are of that score itself).
fn metric_of(score: &ScoreDef) -> Option<schema::NormMetric> {
    match &score.rule {
        ScoreRule::Scale { method, .. } => Some(match method {
            schema::ScaleMethod::Mean => schema::NormMetric::Mean,
            schema::ScaleMethod::Sum => schema::NormMetric::Sum,
        }),
        ScoreRule::Mean { .. } => Some(schema::NormMetric::Mean),
        ScoreRule::Linear { .. } => None,
    }
}

fn metric_name(metric: schema::NormMetric) -> &'static str {
    match metric {
        schema::NormMetric::Mean => "mean",
        schema::NormMetric::Sum => "sum",
    }
}
