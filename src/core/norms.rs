//! Norms (DESIGN.md §4): a score's standing as z, T and percentile against a reference mean
//! and SD, from a published norm set in the instrument file or from a clinic's own
//! administrations ([`local_norms`]).
//!
//! What lives here: the sample statistics of a local norm set, z/T/percentile, and the standard
//! normal CDF with the error function it needs ([`erf`], [`erfc`], [`normal_cdf`]), implemented
//! here (W. J. Cody's rational Chebyshev approximations) so that the core needs no numerics
//! crate.
//!
//! What must not: reading administrations from the store, choosing which administrations form
//! a local norm set (the caller passes the scores), or showing a standing where no norm set is
//! present. Nothing here rounds for display.

use super::instrument::NormSet;

/// Mean and SD of a clinic's own scores on one score of one instrument.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LocalNorm {
    /// How many scores (shown beside every standing against this set).
    pub n: usize,
    /// Their mean.
    pub mean: f64,
    /// Their sample standard deviation (divisor `n - 1`), above 0.
    pub sd: f64,
}

impl LocalNorm {
    /// The standing of `score` against this set ([`standing`]).
    pub fn standing(&self, score: f64) -> Option<Standing> {
        standing(score, self.mean, self.sd)
    }
}

/// The empirical percentile rank of `score` among `values`: 100 · (count below + ½ · count
/// equal) / n, the mid-rank definition, so that a score shared by many counts half of them.
/// For a clinic's local norms, whose raw scores are at hand: a bounded, skewed or zero-inflated
/// score (RFQ-8, avoidance) is ranked as it is, not as a normal curve would have it. `None`
/// for no values or a non-finite score.
///
/// Example: 3 among [1, 2, 3, 3, 5] → 100 · (2 + ½ · 2) / 5 = 60.
pub fn percentile_rank(score: f64, values: &[f64]) -> Option<f64> {
    if values.is_empty() || !score.is_finite() {
        return None;
    }
    let below = values.iter().filter(|v| **v < score).count();
    #[expect(
        clippy::float_cmp,
        reason = "ties are exact: the same score from the same rule"
    )]
    let equal = values.iter().filter(|v| **v == score).count();
    #[expect(clippy::cast_precision_loss, reason = "counts of clients")]
    let rank = 100.0 * (below as f64 + 0.5 * equal as f64) / values.len() as f64;
    Some(rank)
}

/// A local norm set from a clinic's own scores (unscored administrations left out by the
/// caller).
///
/// `None` when there are fewer than 2 scores, when any score is not finite, or when all scores
/// are equal (an SD of 0 gives no standing). The SD is the sample SD, with divisor `n - 1`,
/// computed in two passes (mean first, then squared deviations) for accuracy.
///
/// Example: [2, 4, 4, 4, 5, 5, 7, 9] → n 8, mean 40 / 8 = 5, SD √(32 / 7) = 2.138….
pub fn local_norms(scores: &[f64]) -> Option<LocalNorm> {
    let n = scores.len();
    let first = *scores.first()?;
    if n < 2 || scores.iter().any(|s| !s.is_finite()) {
        return None;
    }
    // Exact test: the mean of equal values need not come out exactly equal to them in floating
    // point, which would leave a tiny non-zero SD.
    #[expect(clippy::float_cmp, reason = "all equal means bit-for-bit equal here")]
    if scores.iter().all(|s| *s == first) {
        return None;
    }
    let mean = scores.iter().sum::<f64>() / n as f64;
    let squares: f64 = scores.iter().map(|s| (s - mean) * (s - mean)).sum();
    let sd = (squares / (n - 1) as f64).sqrt();
    (sd.is_finite() && sd > 0.0).then_some(LocalNorm { n, mean, sd })
}

/// Local norms for every score of an instrument, from a clinic's reports — one per client, its
/// first completed administration (the caller chooses them). Scores without a value in a report
/// are left out of that score's set; a score whose set [`local_norms`] refuses is left out.
///
/// Returns (score index, norm) in score order.
pub fn local_norm_set(
    instrument: &super::instrument::Instrument,
    reports: &[&super::score_report::ScoreReport],
) -> Vec<(usize, LocalNorm)> {
    (0..instrument.scores.len())
        .filter_map(|idx| {
            let values: Vec<f64> = reports
                .iter()
                .filter_map(|r| r.scores.get(idx).and_then(|s| s.value))
                .collect();
            local_norms(&values).map(|norm| (idx, norm))
        })
        .collect()
}

/// `(score - mean) / sd`; `None` unless `sd` is finite and above 0 and the result is finite.
pub fn z(score: f64, mean: f64, sd: f64) -> Option<f64> {
    if !(sd.is_finite() && sd > 0.0) {
        return None;
    }
    let z = (score - mean) / sd;
    z.is_finite().then_some(z)
}

/// The T score: `50 + 10 z`.
pub fn t_score(z: f64) -> f64 {
    50.0 + 10.0 * z
}

/// The percentile of `z` under the normal curve: `100 · Φ(z)`, between 0 and 100 (not
/// rounded).
///
/// Accuracy: that of [`normal_cdf`], times 100.
pub fn percentile(z: f64) -> f64 {
    100.0 * normal_cdf(z)
}

/// A score's standing against a reference mean and SD.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Standing {
    /// [`z`].
    pub z: f64,
    /// [`t_score`].
    pub t: f64,
    /// [`percentile`], 0-100.
    pub percentile: f64,
}

/// z, T and percentile of `score` against `mean` and `sd`; `None` when [`z`] is.
pub fn standing(score: f64, mean: f64, sd: f64) -> Option<Standing> {
    let z = z(score, mean, sd)?;
    Some(Standing {
        z,
        t: t_score(z),
        percentile: percentile(z),
    })
}

/// The standing of `score` on the score `score_id` against a norm set from the instrument file;
/// `None` when the set has no figures for that score.
pub fn norm_standing(set: &NormSet, score_id: &str, score: f64) -> Option<Standing> {
    let norm = set.scores.get(score_id)?;
    standing(score, norm.mean, norm.sd)
}

/// The standard normal cumulative distribution function Φ(z) = ½ · erfc(−z / √2).
///
/// Computed through [`erfc`], so the lower tail keeps its relative accuracy instead of being
/// lost in `1 - …`. Accuracy (checked against 25-digit values in `tests/it/change.rs`): absolute
/// error below 1e-15 for every z, and relative error below 1e-13 for −10 ≤ z ≤ 0 (the rounding
/// of z / √2 costs about 2(z²/2) units in the last place). NaN gives NaN; ±∞ gives 1 and 0.
pub fn normal_cdf(z: f64) -> f64 {
    0.5 * erfc(-z / std::f64::consts::SQRT_2)
}

/// The error function erf(x) = (2 / √π) ∫₀ˣ e^(−t²) dt.
///
/// W. J. Cody's rational Chebyshev approximations ("Rational Chebyshev approximations for the
/// error function", Math. Comp. 23 (1969) 631-638; coefficients as in his netlib SPECFUN
/// routine CALERF): theoretically good to at least 18 significant digits; in double precision
/// within a few units in the last place (relative error below 1e-15 for |x| ≤ 5, checked
/// against 40-digit values).
pub fn erf(x: f64) -> f64 {
    let y = x.abs();
    if y <= ERF_THRESHOLD {
        return x * erf_small(y);
    }
    // 1 - erfc for the rest; `0.5 - e + 0.5` as Cody writes it.
    let r = 0.5 - erfc_positive(y) + 0.5;
    if x < 0.0 { -r } else { r }
}

/// The complementary error function erfc(x) = 1 − erf(x), accurate in relative terms for large
/// positive x (where `1.0 - erf(x)` would be 0). Same method and accuracy as [`erf`]; 0 for
/// x ≥ 26.543 (below the smallest double).
pub fn erfc(x: f64) -> f64 {
    if x.is_nan() {
        return f64::NAN;
    }
    let y = x.abs();
    if y <= ERF_THRESHOLD {
        return 1.0 - x * erf_small(y);
    }
    let r = erfc_positive(y);
    if x < 0.0 { 2.0 - r } else { r }
}

/// Where Cody's first interval ends.
const ERF_THRESHOLD: f64 = 0.46875;

/// Below this, erf(x) is 2x/√π to machine precision and x² is not computed (it could
/// underflow).
const ERF_XSMALL: f64 = 1.11e-16;

/// Above this, erfc(x) underflows to 0.
const ERFC_XBIG: f64 = 26.543;

/// 1/√π, as Cody gives it.
#[expect(clippy::excessive_precision, reason = "as published")]
const FRAC_1_SQRT_PI: f64 = 0.564_189_583_547_756_286_95;

/// erf(x)/x for 0 ≤ x ≤ 0.46875.
#[expect(
    clippy::excessive_precision,
    reason = "Cody's published coefficients, digit for digit"
)]
fn erf_small(y: f64) -> f64 {
    const A: [f64; 5] = [
        3.161_123_743_870_565_60E00,
        1.138_641_541_510_501_56E02,
        3.774_852_376_853_020_21E02,
        3.209_377_589_138_469_47E03,
        1.857_777_061_846_031_53E-1,
    ];
    const B: [f64; 4] = [
        2.360_129_095_234_412_09E01,
        2.440_246_379_344_441_73E02,
        1.282_616_526_077_372_28E03,
        2.844_236_833_439_170_62E03,
    ];
    let ysq = if y > ERF_XSMALL { y * y } else { 0.0 };
    let mut num = A[4] * ysq;
    let mut den = ysq;
    for (a, b) in A.iter().zip(&B).take(3) {
        num = (num + a) * ysq;
        den = (den + b) * ysq;
    }
    (num + A[3]) / (den + B[3])
}

/// erfc(y) for y > 0.46875 (and NaN-free y).
#[expect(
    clippy::excessive_precision,
    reason = "Cody's published coefficients, digit for digit"
)]
fn erfc_positive(y: f64) -> f64 {
    const C: [f64; 9] = [
        5.641_884_969_886_700_89E-1,
        8.883_149_794_388_375_94E00,
        6.611_919_063_714_162_95E01,
        2.986_351_381_974_001_31E02,
        8.819_522_212_417_690_90E02,
        1.712_047_612_634_070_58E03,
        2.051_078_377_826_071_47E03,
        1.230_339_354_797_997_25E03,
        2.153_115_354_744_038_46E-8,
    ];
    const D: [f64; 8] = [
        1.574_492_611_070_983_47E01,
        1.176_939_508_913_124_99E02,
        5.371_811_018_620_098_58E02,
        1.621_389_574_566_690_19E03,
        3.290_799_235_733_459_63E03,
        4.362_619_090_143_247_16E03,
        3.439_367_674_143_721_64E03,
        1.230_339_354_803_749_42E03,
    ];
    const P: [f64; 6] = [
        3.053_266_349_612_323_44E-1,
        3.603_448_999_498_044_39E-1,
        1.257_817_261_112_292_46E-1,
        1.608_378_514_874_227_66E-2,
        6.587_491_615_298_378_03E-4,
        1.631_538_713_730_209_78E-2,
    ];
    const Q: [f64; 5] = [
        2.568_520_192_289_822_42E00,
        1.872_952_849_923_460_47E00,
        5.279_051_029_514_284_12E-1,
        6.051_834_131_244_131_91E-2,
        2.335_204_976_268_691_85E-3,
    ];
    // erfc(y) = exp(-y²) · R(y); exp(-y²) is split as exp(-a²) · exp(-(y-a)(y+a)) with a = y
    // rounded down to a sixteenth, so that y² is not rounded before the exponential.
    let scaled = if y <= 4.0 {
        let mut num = C[8] * y;
        let mut den = y;
        for (c, d) in C.iter().zip(&D).take(7) {
            num = (num + c) * y;
            den = (den + d) * y;
        }
        (num + C[7]) / (den + D[7])
    } else {
        if y >= ERFC_XBIG {
            return 0.0;
        }
        let ysq = 1.0 / (y * y);
        let mut num = P[5] * ysq;
        let mut den = ysq;
        for (p, q) in P.iter().zip(&Q).take(4) {
            num = (num + p) * ysq;
            den = (den + q) * ysq;
        }
        let r = ysq * (num + P[4]) / (den + Q[4]);
        (FRAC_1_SQRT_PI - r) / y
    };
    let a = (y * 16.0).trunc() / 16.0;
    let del = (y - a) * (y + a);
    (-a * a).exp() * (-del).exp() * scaled
}
