//! The scale checks: `$.recode_tables`, then `$.scales` with each scale's items, reversals and
//! recodings, and each scale's score definitions (one per block).
//!
//! Apart from the pass in [`super`] because scales are the largest section of the file and
//! everything after them (derived scores, plane, category) refers to the scores built here.

use std::collections::{HashMap, HashSet};

use super::{Check, Checker};
use crate::core::instrument::{
    Block, Direction, Keying, RecodeTable, ResponseScale, ScoreDef, ScoreRule,
};
use crate::core::limits::MAX_SCORE_MAGNITUDE;
use crate::core::schema::{self, ScaleMethod, UniqueMap};

impl Checker<'_> {
    pub(super) fn recode_tables(
        &self,
        raw: &UniqueMap<UniqueMap<f64>>,
        response: &ResponseScale,
    ) -> Check<(Vec<RecodeTable>, HashMap<String, usize>)> {
        let mut tables = Vec::new();
        let mut index = HashMap::new();
        for (name, map) in raw {
            let path = format!("$.recode_tables.{name}");
            let n = usize::try_from(response.max - response.min).unwrap_or(0) + 1;
            let mut values = vec![None; n];
            for (key, value) in map {
                let vpath = format!("{path}.{key}");
                let answer: i32 = key.trim().parse().map_err(|_| {
                    self.err(&vpath, format!("recode key {key:?} is not a whole number"))
                })?;
                if answer < response.min || answer > response.max {
                    return Err(self.err(
                        &vpath,
                        format!(
                            "recode key {answer} is outside the response scale {}-{}",
                            response.min, response.max
                        ),
                    ));
                }
                if !value.is_finite() {
                    return Err(self.err(&vpath, "recoded value must be a finite number"));
                }
                let slot = usize::try_from(answer - response.min).unwrap_or(0);
                if values[slot].replace(*value).is_some() {
                    return Err(self.err(&vpath, format!("answer {answer} is recoded twice")));
                }
            }
            let missing: Vec<String> = values
                .iter()
                .enumerate()
                .filter(|(_, v)| v.is_none())
                .map(|(i, _)| (response.min + i32::try_from(i).unwrap_or(0)).to_string())
                .collect();
            if !missing.is_empty() {
                return Err(self.err(
                    &path,
                    format!(
                        "recode table has no value for answer(s) {}; every answer {}-{} needs one",
                        missing.join(", "),
                        response.min,
                        response.max
                    ),
                ));
            }
            index.insert(name.clone(), tables.len());
            tables.push(RecodeTable {
                name: name.clone(),
                values: values.into_iter().flatten().collect(),
            });
        }
        Ok((tables, index))
    }

    /// Checks every scale of `$.scales`, in order; an instrument needs at least one.
    pub(super) fn scale_rules(
        &self,
        scales: &[schema::ScaleDef],
        item_idx: &HashMap<u32, usize>,
        table_idx: &HashMap<String, usize>,
        tables: &[RecodeTable],
        response: &ResponseScale,
        default_fraction: f64,
    ) -> Check<Vec<ScaleRuleParts>> {
        let mut scale_rules = Vec::new();
        for (s_idx, scale) in scales.iter().enumerate() {
            let path = format!("$.scales[{s_idx}]");
            let rule = self.scale(
                &path,
                scale,
                item_idx,
                table_idx,
                tables,
                response,
                default_fraction,
            )?;
            scale_rules.push(rule);
        }
        if scales.is_empty() {
            return Err(self.err("$.scales", "an instrument needs at least one scale"));
        }
        Ok(scale_rules)
    }

    /// The scales' score definitions: one per scale, or one per scale and block
    /// (`mother_anxiety`, …), block by block; each id is claimed in `ids`.
    pub(super) fn scale_scores(
        &self,
        scales: &[schema::ScaleDef],
        rules: &[ScaleRuleParts],
        blocks: &[Block],
        n_items: usize,
        ids: &mut HashMap<String, String>,
    ) -> Check<Vec<ScoreDef>> {
        let mut scores: Vec<ScoreDef> = Vec::new();
        let block_list: Vec<Option<usize>> = if blocks.is_empty() {
            vec![None]
        } else {
            (0..blocks.len()).map(Some).collect()
        };
        for block_idx in &block_list {
            for (s_idx, (scale, (method, keyed, max_missing, range))) in
                scales.iter().zip(rules).enumerate()
            {
                let id = match block_idx {
                    Some(b) => format!("{}_{}", blocks[*b].id, scale.id),
                    None => scale.id.clone(),
                };
                let path = format!("$.scales[{s_idx}].id");
                self.claim_id(ids, &id, &path)?;
                let slots_of_scale = keyed
                    .iter()
                    .map(|(item, keying)| (slot_index(blocks, n_items, *block_idx, *item), *keying))
                    .collect();
                scores.push(ScoreDef {
                    id,
                    name: scale.name.clone(),
                    higher_means: scale.higher_means.clone(),
                    // A missing `better` is refused at the end of the pass (`Checker::better`).
                    better: scale.better.map_or(Direction::Neither, Into::into),
                    better_reason: scale.better_reason.clone(),
                    block_idx: *block_idx,
                    base_id: scale.id.clone(),
                    rule: ScoreRule::Scale {
                        method: *method,
                        slots: slots_of_scale,
                        max_missing: *max_missing,
                    },
                    range: *range,
                });
            }
        }
        Ok(scores)
    }

    /// Checks one scale; returns (method, (item index, keying), `max_missing`, range).
    #[expect(clippy::too_many_arguments, reason = "private helper of one pass")]
    fn scale(
        &self,
        path: &str,
        scale: &schema::ScaleDef,
        item_idx: &HashMap<u32, usize>,
        table_idx: &HashMap<String, usize>,
        tables: &[RecodeTable],
        response: &ResponseScale,
        default_fraction: f64,
    ) -> Check<ScaleRuleParts> {
        if scale.name.trim().is_empty() {
            return Err(self.err(format!("{path}.name"), "must not be empty"));
        }
        if scale.items.is_empty() {
            return Err(self.err(
                format!("{path}.items"),
                format!("scale {:?} has no items", scale.id),
            ));
        }
        let mut members = HashSet::new();
        let mut keyed = Vec::with_capacity(scale.items.len());
        for (i, number) in scale.items.iter().enumerate() {
            let ipath = format!("{path}.items[{i}]");
            let Some(&idx) = item_idx.get(number) else {
                return Err(self.err(ipath, format!("item {number} is not defined in $.items")));
            };
            if !members.insert(*number) {
                return Err(self.err(
                    ipath,
                    format!("item {number} is listed twice in scale {:?}", scale.id),
                ));
            }
            keyed.push((*number, idx));
        }
        let (reversed, recoded) = self.scale_keying(path, scale, &members, table_idx)?;
        let n = keyed.len();
        let max_missing = match scale.max_missing {
            Some(m) if m >= n => {
                return Err(self.err(
                    format!("{path}.max_missing"),
                    format!("max_missing {m} must be less than the number of items ({n})"),
                ));
            }
            Some(m) => m,
            // Rounded down: 20 % of 18 is 3.6, so 3 may be missing.
            None => allowed_missing(n, default_fraction),
        };
        let max_missing = max_missing.min(n.saturating_sub(1));
        let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
        // The largest value in size an item can contribute: the running sum of the scorer
        // (mean and sum alike) stays within n times it.
        let mut peak: f64 = 0.0;
        let keyed: Vec<(usize, Keying)> = keyed
            .into_iter()
            .map(|(number, idx)| {
                let keying = if reversed.contains(&number) {
                    Keying::Reverse
                } else if let Some(&t) = recoded.get(&number) {
                    Keying::Recode(t)
                } else {
                    Keying::Forward
                };
                let (a, b) = match keying {
                    Keying::Forward | Keying::Reverse => {
                        (f64::from(response.min), f64::from(response.max))
                    }
                    Keying::Recode(t) => tables[t]
                        .values
                        .iter()
                        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
                            (a.min(*v), b.max(*v))
                        }),
                };
                lo = lo.min(a);
                hi = hi.max(b);
                peak = peak.max(a.abs()).max(b.abs());
                (idx, keying)
            })
            .collect();
        let bound = n as f64 * peak;
        if bound.is_nan() || bound > MAX_SCORE_MAGNITUDE {
            return Err(self.err(
                path,
                format!(
                    "score {:?} can reach {}: {n} items × answers or recode values up to {peak:e} in size; {}: use smaller recode values",
                    scale.id,
                    magnitude(bound),
                    magnitude_rule()
                ),
            ));
        }
        let range = match scale.method {
            ScaleMethod::Mean => (lo, hi),
            ScaleMethod::Sum => (lo * n as f64, hi * n as f64),
        };
        Ok((scale.method, keyed, max_missing, range))
    }

    /// Checks a scale's `reverse` and `recode` lists against its members.
    fn scale_keying(
        &self,
        path: &str,
        scale: &schema::ScaleDef,
        members: &HashSet<u32>,
        table_idx: &HashMap<String, usize>,
    ) -> Check<(HashSet<u32>, HashMap<u32, usize>)> {
        let mut reversed = HashSet::new();
        for (i, number) in scale.reverse.iter().enumerate() {
            let rpath = format!("{path}.reverse[{i}]");
            if !members.contains(number) {
                return Err(self.err(
                    rpath,
                    format!("item {number} is reversed but not in scale {:?}", scale.id),
                ));
            }
            if !reversed.insert(*number) {
                return Err(self.err(rpath, format!("item {number} is reversed twice")));
            }
        }
        let mut recoded = HashMap::new();
        for (key, table) in &scale.recode {
            let rpath = format!("{path}.recode.{key}");
            let number: u32 = key
                .trim()
                .parse()
                .map_err(|_| self.err(&rpath, format!("{key:?} is not an item number")))?;
            if !members.contains(&number) {
                return Err(self.err(
                    &rpath,
                    format!("item {number} is recoded but not in scale {:?}", scale.id),
                ));
            }
            if reversed.contains(&number) {
                return Err(self.err(
                    &rpath,
                    format!(
                        "item {number} is both reversed and recoded; put the reversal into the recode table"
                    ),
                ));
            }
            let Some(&t) = table_idx.get(table) else {
                return Err(self.err(
                    &rpath,
                    format!("recode table {table:?} is not defined in $.recode_tables"),
                ));
            };
            if recoded.insert(number, t).is_some() {
                return Err(self.err(
                    &rpath,
                    format!("item {number} is recoded twice (keys written two ways)"),
                ));
            }
        }
        Ok((reversed, recoded))
    }
}

/// `1.2e12`, or what an overflow means for the scores.
pub(super) fn magnitude(bound: f64) -> String {
    if bound.is_finite() {
        format!("{bound:e} in size")
    } else {
        "more than any number (its scores would be inf or NaN)".to_owned()
    }
}

/// The rule every score is held to, for messages.
pub(super) fn magnitude_rule() -> String {
    format!(
        "a score, and any sum on the way to one, may be at most {MAX_SCORE_MAGNITUDE:e} in size ({})",
        super::limits::SEE
    )
}

type ScaleRuleParts = (ScaleMethod, Vec<(usize, Keying)>, usize, (f64, f64));

fn slot_index(blocks: &[Block], n_items: usize, block: Option<usize>, item_idx: usize) -> usize {
    match (blocks.is_empty(), block) {
        (false, Some(b)) => b * n_items + item_idx,
        _ => item_idx,
    }
}

/// How many of `n` items may be missing under the fraction `f` (0 ≤ f < 1): ⌊n · f⌋, computed
/// exactly on the decimal the file wrote (the shortest decimal that reads back as `f`, which is
/// what the JSON said), not in floating point, where 90 · 0.7 comes out as 62.99999999999999
/// and rounds down to 62 instead of 63 (AUDIT.md D5).
pub(crate) fn allowed_missing(n: usize, f: f64) -> usize {
    let text = format!("{f}");
    let (whole, digits) = text.split_once('.').unwrap_or((&text, ""));
    let (Ok(whole), Ok(frac), true) = (
        whole.parse::<u128>(),
        if digits.is_empty() {
            Ok(0)
        } else {
            digits.parse::<u128>()
        },
        digits.len() <= 30,
    ) else {
        // Not a plain decimal of reasonable length (a fraction below 1e-30): nothing of any
        // real form's size may be missing.
        return 0;
    };
    let scale = 10_u128.pow(u32::try_from(digits.len()).unwrap_or(0));
    let n = n as u128;
    let allowed = (n * whole * scale + n * frac) / scale;
    usize::try_from(allowed).unwrap_or(usize::MAX)
}

#[cfg(test)]
mod tests {
    use super::allowed_missing;

    #[test]
    fn the_missing_count_is_exact_where_floating_point_is_not() {
        // The audit's cases: floating point gives 62, 28 and 28.
        assert_eq!(allowed_missing(90, 0.7), 63);
        assert_eq!(allowed_missing(50, 0.58), 29);
        assert_eq!(allowed_missing(100, 0.29), 29);
        // The bundled rule, 20 %: 3 of 18, 1 of 6, 0 of 3.
        assert_eq!(allowed_missing(18, 0.2), 3);
        assert_eq!(allowed_missing(6, 0.2), 1);
        assert_eq!(allowed_missing(3, 0.2), 0);
        assert_eq!(allowed_missing(7, 0.0), 0);
        // Every fraction of two decimals and every n to 100 agrees with exact integer
        // arithmetic: ⌊n · p / 100⌋.
        for p in 0..100_u32 {
            let f = f64::from(p) / 100.0;
            for n in 1..=100_usize {
                assert_eq!(allowed_missing(n, f), n * p as usize / 100, "n {n}, f {f}");
            }
        }
    }
}
