//! Local norms without a window: the core's statistics per score, the choice of each client's
//! first completed administration, the norm sets offered to a results page, and the encrypted
//! record in the store. Every figure is worked by hand in the comments.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::float_cmp)]

use age::secrecy::SecretString;
use jiff::{SignedDuration, Timestamp};
use securebase::catalog::Catalog;
use securebase::core::bundled::bundled;
use securebase::core::chart_data::score_line;
use securebase::core::instrument::Instrument;
use securebase::core::norms::local_norm_set;
use securebase::core::{Responses, ScoreReport, score};
use securebase::results::local_norms::{compute, options};
use securebase::store::{Administration, LocalNormEntry, LocalNorms, Source, Status, Store};

fn instrument(id: &str) -> Instrument {
    bundled()
        .into_iter()
        .flatten()
        .find(|i| i.id == id)
        .unwrap()
}

/// An ECR-R report whose anxiety and avoidance are exactly the targets (reversed items are
/// answered 8 - target).
fn ecr_r_report(anxiety: i64, avoidance: i64) -> ScoreReport {
    let ecr = instrument("ecr-r");
    let reversed = [9, 11, 20, 22, 26, 27, 28, 29, 30, 31, 33, 34, 35, 36];
    let values: Vec<Option<i64>> = (1..=36)
        .map(|n| {
            let t = if n <= 18 { anxiety } else { avoidance };
            Some(if reversed.contains(&n) { 8 - t } else { t })
        })
        .collect();
    let report = score(&ecr, &Responses::from_values(&ecr, &values).unwrap());
    assert_eq!(report.scores[0].value, Some(anxiety as f64));
    report
}

fn administration(
    client: &str,
    instrument: &Instrument,
    days_ago: i64,
    status: Status,
) -> Administration {
    let when = Timestamp::now() - SignedDuration::from_hours(24 * days_ago);
    let mut a = Administration::new(
        securebase::store::new_id().unwrap(),
        client,
        instrument,
        Source::PaperEntry,
        when,
    );
    a.status = status;
    a
}

#[test]
fn local_norm_set_per_score() {
    let ecr = instrument("ecr-r");
    // Anxiety 2, 4, 6: mean 4, SD √((4 + 0 + 4) / 2) = 2.
    // Avoidance 1, 2, 6: mean 3, SD √((4 + 1 + 9) / 2) = √7 = 2.6457513.
    let reports = [ecr_r_report(2, 1), ecr_r_report(4, 2), ecr_r_report(6, 6)];
    let refs: Vec<&ScoreReport> = reports.iter().collect();
    let set = local_norm_set(&ecr, &refs);
    assert_eq!(set.len(), 2);
    let (anx_idx, anx) = set[0];
    assert_eq!(ecr.scores[anx_idx].id, "anxiety");
    assert_eq!((anx.n, anx.mean, anx.sd), (3, 4.0, 2.0));
    let (_, avo) = set[1];
    assert_eq!((avo.n, avo.mean), (3, 3.0));
    assert!((avo.sd - 7f64.sqrt()).abs() < 1e-12);
    // One report is not a set.
    assert!(local_norm_set(&ecr, &refs[..1]).is_empty());
}

#[test]
fn only_each_clients_first_completed_administration_counts() {
    let ecr = instrument("ecr-r");
    // Client a: completed 100 days ago (2, 1), again 5 days ago (7, 7): only the first.
    // Client b: abandoned 90 days ago (1, 1), in progress 85 days ago, completed 80 days ago
    // (4, 2): only the completed one. Client c: completed (6, 6).
    let rows = [
        ("a", 100, Status::Completed, Some(ecr_r_report(2, 1))),
        ("a", 5, Status::Completed, Some(ecr_r_report(7, 7))),
        ("b", 90, Status::Abandoned, Some(ecr_r_report(1, 1))),
        ("b", 85, Status::InProgress, Some(ecr_r_report(1, 7))),
        ("b", 80, Status::Completed, Some(ecr_r_report(4, 2))),
        ("c", 70, Status::Completed, Some(ecr_r_report(6, 6))),
        // Completed but unscorable (no report): left out, and c's first still counts.
        ("d", 60, Status::Completed, None),
    ];
    let admins: Vec<(Administration, Option<ScoreReport>)> = rows
        .into_iter()
        .map(|(c, days, status, r)| (administration(c, &ecr, days, status), r))
        .collect();
    let pairs: Vec<_> = admins.iter().map(|(a, r)| (a, r.as_ref())).collect();
    let now = Timestamp::now();
    let norms = compute(&Catalog::bundled(), &pairs, now);
    assert_eq!(norms.computed, now);
    let anxiety = norms.get("ecr-r", "anxiety").unwrap();
    assert_eq!((anxiety.n, anxiety.mean, anxiety.sd), (3, 4.0, 2.0));
    let avoidance = norms.get("ecr-r", "avoidance").unwrap();
    assert!((avoidance.sd - 7f64.sqrt()).abs() < 1e-12);
    // No other instrument had administrations.
    assert!(norms.scores.iter().all(|e| e.instrument == "ecr-r"));
    // Order does not matter: the same norms from the rows reversed.
    let reversed: Vec<_> = pairs.iter().rev().copied().collect();
    assert_eq!(compute(&Catalog::bundled(), &reversed, now), norms);
}

#[test]
fn norm_options_offer_local_norms_with_their_n_and_date() {
    let ecr = instrument("ecr-r");
    let local = LocalNorms {
        format: 1,
        computed: Timestamp::now(),
        scores: vec![LocalNormEntry {
            instrument: "ecr-r".into(),
            score: "anxiety".into(),
            n: 41,
            mean: 3.9,
            sd: 1.2,
            values: Vec::new(),
        }],
        reliability: Vec::new(),
    };
    let offered = options(&ecr, Some(&local), "27 Nov 2026");
    assert_eq!(offered.len(), 1);
    assert_eq!(offered[0].short, "local, n = 41");
    assert!(offered[0].label.contains("n = 41, computed 27 Nov 2026"));
    assert_eq!(offered[0].scores[0], Some((3.9, 1.2, 41)));
    assert_eq!(offered[0].scores[1], None);
    // Local norms of another instrument are not offered for this one.
    assert!(options(&instrument("rq"), Some(&local), "x").is_empty());
    assert!(options(&ecr, None, "x").is_empty());
}

#[test]
fn score_line_keeps_every_administration_in_its_place() {
    let ecr = instrument("ecr-r");
    let mut unscored = ecr_r_report(3, 3);
    unscored.scores[0].value = None;
    let reports = [ecr_r_report(7, 5), unscored, ecr_r_report(2, 2)];
    let refs: Vec<&ScoreReport> = reports.iter().collect();
    // Without figures: values without bands, and a hole where there is no value.
    let line = score_line(&ecr, 0, &refs, &|_| None);
    assert_eq!(line, vec![Some((7.0, None)), None, Some((2.0, None))]);
    // With reliability .84 and SD 1: SEM = √(1 - .84) = 0.4; band 1.96 · 0.4 = 0.784 each way.
    let figures = securebase::core::change::Figures {
        reliability: 0.84,
        sd: 1.0,
        source: "test".into(),
    };
    let line = score_line(&ecr, 0, &refs, &|_| Some(figures.clone()));
    let (v, band) = line[2].unwrap();
    let (lo, hi) = band.unwrap();
    assert_eq!(v, 2.0);
    assert!(
        (lo - 1.216).abs() < 1e-9 && (hi - 2.784).abs() < 1e-9,
        "{lo} {hi}"
    );
    // Cut to the range at the top: 7 + 0.784 > 7.
    let (_, band) = line[0].unwrap();
    let (lo, hi) = band.unwrap();
    assert!((lo - 6.216).abs() < 1e-9 && hi == 7.0, "{lo} {hi}");
    assert!(score_line(&ecr, 99, &refs, &|_| None).is_empty());
}

#[test]
fn the_store_keeps_local_norms_encrypted_and_names_a_damaged_file() {
    let dir = tempfile::tempdir().unwrap();
    let pass = SecretString::from("local norms test".to_owned());
    let (store, keys) = Store::init(dir.path(), "Test Clinician", &pass, 4).unwrap();
    assert_eq!(store.local_norms(&keys).unwrap(), None);
    let norms = LocalNorms {
        format: 1,
        computed: Timestamp::now(),
        scores: vec![LocalNormEntry {
            instrument: "ecr-r".into(),
            score: "avoidance".into(),
            n: 12,
            mean: 3.25,
            sd: 0.875,
            values: vec![2.5, 3.0, 4.25],
        }],
        reliability: Vec::new(),
    };
    store.save_local_norms(&norms).unwrap();
    assert_eq!(store.local_norms(&keys).unwrap(), Some(norms));
    let path = dir.path().join("local-norms.age");
    let bytes = std::fs::read(&path).unwrap();
    assert!(!String::from_utf8_lossy(&bytes).contains("avoidance"));
    std::fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
    let err = store.local_norms(&keys).unwrap_err().to_string();
    assert!(err.contains("local-norms.age"), "{err}");
}

/// AUDIT.md D3: a local set's percentile is the empirical rank among the clinic's own intakes,
/// 100 · (count below + ½ · count equal) / n, not the normal curve's. Eight intakes' anxiety:
/// 2, 3, 3, 3, 4, 5, 6, 6 (mean 4, SD √(18/7)). A client at 3: 1 below, 3 equal →
/// 100 · (1 + 1.5) / 8 = 31.25; at 6: 6 below, 2 equal → 87.5; at 1: 0; at 7: 100. The normal
/// curve would give Φ((3 - 4) / 1.6036) = 26.6 for 3. A published set keeps the normal curve
/// and says that it assumes a normal distribution.
#[test]
fn local_percentiles_are_empirical_ranks_with_ties_counted_half() {
    let ecr = instrument("ecr-r");
    let values = vec![2.0, 3.0, 3.0, 3.0, 4.0, 5.0, 6.0, 6.0];
    let sd = (18.0_f64 / 7.0).sqrt();
    let local = LocalNorms {
        format: 1,
        computed: Timestamp::now(),
        scores: vec![LocalNormEntry {
            instrument: "ecr-r".into(),
            score: "anxiety".into(),
            n: 8,
            mean: 4.0,
            sd,
            values,
        }],
        reliability: Vec::new(),
    };
    let set = &options(&ecr, Some(&local), "1 Dec 2026")[0];
    let pct = |v: f64| set.standing(0, v).unwrap().percentile;
    assert!((pct(3.0) - 31.25).abs() < 1e-12, "{}", pct(3.0));
    assert!((pct(6.0) - 87.5).abs() < 1e-12);
    assert!((pct(4.0) - 56.25).abs() < 1e-12, "4: 4 below, 1 equal");
    assert_eq!(pct(1.0), 0.0);
    assert_eq!(pct(7.0), 100.0);
    // z and T still come from the mean and SD.
    let st = set.standing(0, 3.0).unwrap();
    assert!((st.z - (-1.0 / sd)).abs() < 1e-12);
    assert!(
        set.percentile_note()
            .contains("ranks among this clinic's own intakes")
    );
    // Local norms kept before the scores were: no percentile rather than a normal-curve one.
    let mut old = local.clone();
    old.scores[0].values.clear();
    assert_eq!(options(&ecr, Some(&old), "x")[0].standing(0, 3.0), None);
}

/// Computing local norms keeps each score's intake values, sorted, for the ranks, and each
/// scale's reliability over the same intakes.
#[test]
fn computed_local_norms_keep_the_intake_scores_sorted() {
    let ecr = instrument("ecr-r");
    let reversed = [9, 11, 20, 22, 26, 27, 28, 29, 30, 31, 33, 34, 35, 36];
    let admins: Vec<(Administration, Option<ScoreReport>)> =
        [("a", 5, 2), ("b", 2, 6), ("c", 4, 4)]
            .into_iter()
            .map(|(client, anx, avo)| {
                let mut a = administration(client, &ecr, 10, Status::Completed);
                for n in 1..=36 {
                    let t = if n <= 18 { anx } else { avo };
                    let v = if reversed.contains(&n) { 8 - t } else { t };
                    a.set_answer(
                        &ecr,
                        n - 1,
                        securebase::core::Answer::Value(v),
                        a.started,
                        None,
                    )
                    .unwrap();
                }
                let report = score(&ecr, &a.responses(&ecr).unwrap());
                (a, Some(report))
            })
            .collect();
    let pairs: Vec<_> = admins.iter().map(|(a, r)| (a, r.as_ref())).collect();
    let norms = compute(&Catalog::bundled(), &pairs, Timestamp::now());
    assert_eq!(
        norms.get("ecr-r", "anxiety").unwrap().values,
        [2.0, 4.0, 5.0]
    );
    assert_eq!(
        norms.get("ecr-r", "avoidance").unwrap().values,
        [2.0, 4.0, 6.0]
    );
    // Every item of a client keyed alike: each scale's items agree perfectly, alpha 1.
    let r = norms.reliability_of("ecr-r", "anxiety").unwrap();
    assert_eq!(r.n, 3);
    assert!((r.alpha.unwrap() - 1.0).abs() < 1e-12);
    assert!(
        (r.sd.unwrap() - (7.0_f64 / 3.0).sqrt()).abs() < 1e-12,
        "2, 4, 5: SD √(14/3 / 2)"
    );
}
