//! A clinic's own psychometrics, from its own item-level answers: per scale the number of
//! complete answer sets, Cronbach's α with its 95 % confidence interval, each item's corrected
//! item-total correlation, and the scale score's mean and SD.
//!
//! Rows count for a scale only when every item of that scale is answered (a declined item is
//! not an answer): α needs complete rows, and a prorated score would enter the mean. Items are
//! keyed as the scale keys them (reversed, recoded), so that α describes the score the clinic
//! sees. The interval is Feldt's (Feldt, 1965; Feldt, Woodruff & Salih, 1987), the one R's
//! `psych::alpha` reports: with n rows and k items,
//! 1 − (1 − α)·F(1 − p/2; n − 1, (n − 1)(k − 1)) to 1 − (1 − α)·F(p/2; …), p = .05.
//! Pure: answers in, figures out.

use super::answers::Responses;
use super::f_distribution::f_quantile;
use super::instrument::{Instrument, ScoreRule};
use super::schema::ScaleMethod;
use super::scoring::keyed_value;

/// What a clinic's answers say about one scale.
#[derive(Debug, Clone, PartialEq)]
pub struct ScaleReliability {
    /// Index into [`Instrument::scores`].
    pub score_idx: usize,
    /// The score's id (`anxiety`, `mother_avoidance`).
    pub id: String,
    /// Rows with every item of the scale answered.
    pub n: usize,
    /// Cronbach's α (raw, from the covariances), when n ≥ 2 and the total varies.
    pub alpha: Option<f64>,
    /// Its 95 % Feldt interval, when α exists and n ≥ 3.
    pub alpha_ci: Option<(f64, f64)>,
    /// Mean of the scale score over the complete rows (as the scale scores it: mean or sum).
    pub mean: Option<f64>,
    /// Its SD (divisor n − 1), when n ≥ 2.
    pub sd: Option<f64>,
    /// Per item, in the scale's order.
    pub items: Vec<ItemTotal>,
}

/// One item's corrected item-total correlation.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemTotal {
    /// The item's number in the instrument.
    pub item: u32,
    /// Its column (`q7`, `mother_q3`).
    pub column: String,
    /// Its correlation with the sum of the scale's other items, when both vary.
    pub r_drop: Option<f64>,
}

/// Per scale of `instrument` (scales scored from items; derived scores have no items), in
/// score order: its figures over `rows`.
pub fn reliability(instrument: &Instrument, rows: &[&Responses]) -> Vec<ScaleReliability> {
    let (min, max) = (instrument.response.min, instrument.response.max);
    instrument
        .scores
        .iter()
        .enumerate()
        .filter_map(|(idx, def)| {
            let ScoreRule::Scale { method, slots, .. } = &def.rule else {
                return None;
            };
            // The keyed values of every complete row: one Vec per row, one value per item.
            let data: Vec<Vec<f64>> = rows
                .iter()
                .filter_map(|r| {
                    slots
                        .iter()
                        .map(|(slot, keying)| {
                            let value = r.answers().get(*slot)?.value()?;
                            Some(keyed_value(instrument, *keying, value, min, max))
                        })
                        .collect::<Option<Vec<f64>>>()
                })
                .collect();
            let scale_score = |row: &[f64]| {
                let sum: f64 = row.iter().sum();
                match method {
                    ScaleMethod::Sum => sum,
                    #[expect(clippy::cast_precision_loss, reason = "a scale has few items")]
                    ScaleMethod::Mean => sum / row.len() as f64,
                }
            };
            let scores: Vec<f64> = data.iter().map(|r| scale_score(r)).collect();
            let (mean, sd) = mean_sd(&scores);
            let alpha = cronbach_alpha(&data, slots.len());
            Some(ScaleReliability {
                score_idx: idx,
                id: def.id.clone(),
                n: data.len(),
                alpha,
                alpha_ci: alpha.and_then(|a| feldt_interval(a, data.len(), slots.len())),
                mean,
                sd,
                items: slots
                    .iter()
                    .enumerate()
                    .map(|(i, (slot, _))| {
                        let s = &instrument.slots[*slot];
                        ItemTotal {
                            item: instrument.slot_item(s).number,
                            column: s.column.clone(),
                            r_drop: r_drop(&data, i),
                        }
                    })
                    .collect(),
            })
        })
        .collect()
}

/// Mean, and SD with divisor n − 1 (two passes).
fn mean_sd(values: &[f64]) -> (Option<f64>, Option<f64>) {
    if values.is_empty() {
        return (None, None);
    }
    #[expect(clippy::cast_precision_loss, reason = "row counts are far below 2^52")]
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    if values.len() < 2 {
        return (Some(mean), None);
    }
    let ss: f64 = values.iter().map(|v| (v - mean).powi(2)).sum();
    (Some(mean), Some((ss / (n - 1.0)).sqrt()))
}

/// The sample covariance of columns `i` and `j` of `data` (divisor n − 1); `column(j)` may be
/// a derived column given as a function of the row.
fn covariance(data: &[Vec<f64>], x: &dyn Fn(&[f64]) -> f64, y: &dyn Fn(&[f64]) -> f64) -> f64 {
    #[expect(clippy::cast_precision_loss, reason = "row counts are far below 2^52")]
    let n = data.len() as f64;
    let mx = data.iter().map(|r| x(r)).sum::<f64>() / n;
    let my = data.iter().map(|r| y(r)).sum::<f64>() / n;
    data.iter().map(|r| (x(r) - mx) * (y(r) - my)).sum::<f64>() / (n - 1.0)
}

/// Cronbach's α: k/(k − 1) · (1 − Σ var(item) / var(total)), with k items; `None` for fewer
/// than two rows or items, or a total that does not vary.
pub fn cronbach_alpha(data: &[Vec<f64>], k: usize) -> Option<f64> {
    if data.len() < 2 || k < 2 {
        return None;
    }
    let total = |r: &[f64]| r.iter().sum::<f64>();
    let var_total = covariance(data, &total, &total);
    if var_total <= 0.0 {
        return None;
    }
    let var_items: f64 = (0..k)
        .map(|i| {
            let item = move |r: &[f64]| r[i];
            covariance(data, &item, &item)
        })
        .sum();
    #[expect(clippy::cast_precision_loss, reason = "a scale has few items")]
    let k = k as f64;
    Some(k / (k - 1.0) * (1.0 - var_items / var_total))
}

/// The correlation of item `i` with the sum of the other items; `None` when either does not
/// vary or there are fewer than two rows or items.
fn r_drop(data: &[Vec<f64>], i: usize) -> Option<f64> {
    if data.len() < 2 || data.first().is_none_or(|r| r.len() < 2) {
        return None;
    }
    let item = move |r: &[f64]| r[i];
    let rest = move |r: &[f64]| r.iter().sum::<f64>() - r[i];
    let (vi, vr) = (
        covariance(data, &item, &item),
        covariance(data, &rest, &rest),
    );
    if vi <= 0.0 || vr <= 0.0 {
        return None;
    }
    Some(covariance(data, &item, &rest) / (vi * vr).sqrt())
}

/// Feldt's 95 % interval of α over `n` rows and `k` items; `None` below three rows.
pub fn feldt_interval(alpha: f64, n: usize, k: usize) -> Option<(f64, f64)> {
    if n < 3 || k < 2 {
        return None;
    }
    #[expect(clippy::cast_precision_loss, reason = "row and item counts are small")]
    let (d1, d2) = ((n - 1) as f64, ((n - 1) * (k - 1)) as f64);
    let upper_f = f_quantile(0.975, d1, d2)?;
    let lower_f = f_quantile(0.025, d1, d2)?;
    Some((1.0 - (1.0 - alpha) * upper_f, 1.0 - (1.0 - alpha) * lower_f))
}
