//! The clinic's local norms: which administrations form them, and the norm sets a results view
//! can offer for z, T and percentile.
//!
//! A local norm set is each client's *first* completed administration of an instrument (their
//! intake), so that clients seen often do not weigh more than others and change over therapy
//! does not shift the reference. The statistics are the core's ([`local_norm_set`]); this
//! module only chooses the reports and names the result. No I/O: the caller reads the store.

use std::collections::BTreeMap;

use jiff::Timestamp;

use crate::catalog::Catalog;
use crate::core::ScoreReport;
use crate::core::instrument::Instrument;
use crate::core::norms::{Standing, local_norm_set, percentile_rank, standing};
use crate::core::reliability::reliability;
use crate::store::records::FORMAT;
use crate::store::{Administration, LocalNormEntry, LocalNorms, LocalReliabilityEntry, Status};

/// Each client's intake of each instrument: of the completed administrations given (each with
/// what the caller needs of it, e.g. its report), the first in the client's course
/// ([`Administration::course_key`]: the day given, then the moment started, then the id),
/// per instrument and client, in (instrument, client) order. The one rule for local norms and
/// the clinic's own reliability, so that both describe the same people.
pub fn intakes<'a, T>(
    administrations: impl IntoIterator<Item = (&'a Administration, T)>,
) -> Vec<(&'a Administration, T)> {
    let mut first: BTreeMap<(&str, &str), (&Administration, T)> = BTreeMap::new();
    for (a, value) in administrations {
        if a.status != Status::Completed {
            continue;
        }
        let key = (a.instrument_id.as_str(), a.client_id.as_str());
        let earlier = first
            .get(&key)
            .is_some_and(|(b, _)| b.course_key() <= a.course_key());
        if !earlier {
            first.insert(key, (a, value));
        }
    }
    first.into_values().collect()
}

/// Local norms from every client's first completed administration of each instrument.
///
/// `administrations` are all administrations of all clients, each with its report when it
/// could be scored. Instruments not in `catalog` are left out.
pub fn compute(
    catalog: &Catalog,
    administrations: &[(&Administration, Option<&ScoreReport>)],
    now: Timestamp,
) -> LocalNorms {
    let first = intakes(
        administrations
            .iter()
            .filter_map(|(a, report)| report.map(|r| (*a, r))),
    );
    let mut scores = Vec::new();
    let mut reliabilities = Vec::new();
    for instrument in &catalog.instruments {
        let reports: Vec<&ScoreReport> = first
            .iter()
            .filter(|(a, _)| a.instrument_id == instrument.id)
            .map(|(_, r)| *r)
            .collect();
        for (idx, norm) in local_norm_set(instrument, &reports) {
            let mut values: Vec<f64> = reports
                .iter()
                .filter_map(|r| r.scores.get(idx).and_then(|s| s.value))
                .collect();
            values.sort_by(f64::total_cmp);
            scores.push(LocalNormEntry {
                instrument: instrument.id.clone(),
                score: instrument.scores[idx].id.clone(),
                n: norm.n,
                mean: norm.mean,
                sd: norm.sd,
                values,
            });
        }
        // The same intakes' answers, for each scale's own reliability.
        let answers: Vec<_> = first
            .iter()
            .filter(|(a, _)| a.instrument_id == instrument.id)
            .filter_map(|(a, _)| a.responses(instrument).ok())
            .collect();
        let answers: Vec<&crate::core::Responses> = answers.iter().collect();
        if answers.is_empty() {
            continue;
        }
        for s in reliability(instrument, &answers) {
            reliabilities.push(LocalReliabilityEntry {
                instrument: instrument.id.clone(),
                score: s.id,
                n: s.n,
                alpha: s.alpha,
                alpha_ci: s.alpha_ci,
                mean: s.mean,
                sd: s.sd,
            });
        }
    }
    LocalNorms {
        format: FORMAT,
        computed: now,
        scores,
        reliability: reliabilities,
    }
}

/// A norm set a results view can offer: its name and, per score of the instrument, mean, SD
/// and n where it has them.
#[derive(Debug, Clone, PartialEq)]
pub struct NormOption {
    /// Name for people, with its n and date or source.
    pub label: String,
    /// Short name for the chart's legend.
    pub short: String,
    /// Whether this is the clinic's local set (else a published one).
    pub is_local: bool,
    /// Per score of the instrument (same order): (mean, SD, n).
    pub scores: Vec<Option<(f64, f64, usize)>>,
    /// Per score, the local set's own scores, sorted (empty for a published set, and for local
    /// norms computed before securebase kept them).
    pub values: Vec<Vec<f64>>,
}

impl NormOption {
    /// The standing of `value` on score `k`: z and T from the set's mean and SD; the
    /// percentile is a local set's empirical rank among its own scores
    /// ([`percentile_rank`]), a published set's from the normal curve (which assumes a normal
    /// distribution, and says so in [`NormOption::percentile_note`]). `None` when the set has
    /// no figures for the score, or when it is local but its scores were not kept.
    pub fn standing(&self, k: usize, value: f64) -> Option<Standing> {
        let (mean, sd, _) = self.scores.get(k).copied().flatten()?;
        let normal = standing(value, mean, sd)?;
        if !self.is_local {
            return Some(normal);
        }
        let values = self.values.get(k).filter(|v| !v.is_empty())?;
        Some(Standing {
            percentile: percentile_rank(value, values)?,
            ..normal
        })
    }

    /// How the percentiles of this set are found, for the norm note.
    pub fn percentile_note(&self) -> &'static str {
        if self.is_local {
            "Percentiles are ranks among this clinic's own intakes (ties count half)."
        } else {
            "Percentiles assume a normal distribution."
        }
    }

    /// Whether the set has figures for any score.
    pub fn is_empty(&self) -> bool {
        self.scores.iter().all(Option::is_none)
    }
}

/// The norm sets for `instrument`: the clinic's local norms (when computed and holding any of
/// its scores; `computed_on` is their date for people), then the instrument file's published
/// sets.
pub fn options(
    instrument: &Instrument,
    local: Option<&LocalNorms>,
    computed_on: &str,
) -> Vec<NormOption> {
    let mut all = Vec::new();
    if let Some(local) = local {
        let scores: Vec<Option<(f64, f64, usize)>> = instrument
            .scores
            .iter()
            .map(|s| {
                local
                    .get(&instrument.id, &s.id)
                    .map(|e| (e.mean, e.sd, e.n))
            })
            .collect();
        let n = scores
            .iter()
            .flatten()
            .map(|(_, _, n)| *n)
            .max()
            .unwrap_or(0);
        let values = instrument
            .scores
            .iter()
            .map(|s| {
                local
                    .get(&instrument.id, &s.id)
                    .map(|e| e.values.clone())
                    .unwrap_or_default()
            })
            .collect();
        let option = NormOption {
            label: format!(
                "Local norms: this clinic's first administrations, n = {n}, computed {computed_on}"
            ),
            short: format!("local, n = {n}"),
            is_local: true,
            scores,
            values,
        };
        if !option.is_empty() {
            all.push(option);
        }
    }
    for set in &instrument.norm_sets {
        let n = usize::try_from(set.n).unwrap_or(usize::MAX);
        all.push(NormOption {
            label: format!(
                "{}, n = {}, {} sample, {}, {} ({})",
                set.name,
                set.n,
                if set.sample.clinical {
                    "clinical"
                } else {
                    "non-clinical"
                },
                set.sample.country,
                set.sample.language,
                set.source
            ),
            short: format!("{}, n = {}", set.name, set.n),
            is_local: false,
            scores: instrument
                .scores
                .iter()
                .map(|s| set.scores.0.get(&s.id).map(|d| (d.mean, d.sd, n)))
                .collect(),
            values: Vec::new(),
        });
    }
    all
}
