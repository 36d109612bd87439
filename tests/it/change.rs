//! Measurement error, reliable change, local norms and chart data (`core::change`,
//! `core::norms`, `core::chart_data`), against numbers worked by hand.
//!
//! Every expected value has its arithmetic in a comment beside it. Where the exact value is
//! irrational the comment gives it to more digits than a double holds (worked with 30-digit
//! arithmetic) and the test allows [`TOL`]. Reports are made by the real scorer from answers
//! to the bundled questionnaires; the keys used to choose the answers are in the comments.
#![expect(
    clippy::float_cmp,
    reason = "exact comparisons only of values exact in binary (5.5, 4.0, 1.5, 65.0)"
)]

use std::collections::BTreeMap;

use securebase::core::bundled::{BUNDLED, bundled};
use securebase::core::change::{
    Direction, Figures, FiguresFrom, NotComputable, Verdict, Z95, band95, band95_within, change,
    figures_for, figures_or_reason, rci, sem, verdict,
};
use securebase::core::chart_data::{
    GLOBAL_LABEL, block_points, plane_point, score_series, trajectory, trajectory_with_figures,
};
use securebase::core::instrument::NormSet;
use securebase::core::norms::{
    erf, erfc, local_norms, norm_standing, normal_cdf, percentile, standing, t_score, z,
};
use securebase::core::schema::{NormDef, UniqueMap};
use securebase::core::{Instrument, Responses, ScoreReport, score};

/// Tolerance for values computed in a few floating-point steps.
const TOL: f64 = 1e-12;

fn close(actual: f64, expected: f64, what: &str) {
    assert!(
        (actual - expected).abs() <= TOL,
        "{what}: got {actual:?}, expected {expected:?}"
    );
}

fn close_pair(actual: (f64, f64), expected: (f64, f64), what: &str) {
    close(actual.0, expected.0, &format!("{what} (low)"));
    close(actual.1, expected.1, &format!("{what} (high)"));
}

fn bundled_instrument(id: &str) -> Instrument {
    bundled()
        .into_iter()
        .map(Result::unwrap)
        .find(|i| i.id == id)
        .unwrap()
}

/// The bundled ECR-R with reliability figures added (none are shipped yet):
/// anxiety: first a test-retest r without SD, then alpha .91 with SD 1.2 (the one to use);
/// avoidance: a test-retest r .80 without SD (so: no SEM).
fn ecr_r_with_figures() -> Instrument {
    let text = BUNDLED.iter().find(|(f, _)| *f == "ecr-r.json").unwrap().1;
    let mut json: serde_json::Value = serde_json::from_str(text).unwrap();
    json["reliability"] = serde_json::json!([
        {"score": "anxiety", "statistic": "test-retest", "value": 0.86, "source": "Source R"},
        {"score": "anxiety", "statistic": "alpha", "value": 0.91, "sd": 1.2, "source": "Source A"},
        {"score": "avoidance", "statistic": "test-retest", "value": 0.8, "source": "Source B"}
    ]);
    Instrument::from_json("ecr-r+figures.json", &json.to_string()).unwrap()
}

fn clinic(reliability: f64, sd: f64) -> Figures {
    Figures {
        reliability,
        sd,
        source: "clinic sample".to_owned(),
    }
}

fn idx(instrument: &Instrument, id: &str) -> usize {
    instrument.score_index(id).unwrap()
}

/// Answers by column name (`q9`, `mother_q3`); other slots missing.
fn answers(instrument: &Instrument, cells: &[(String, i64)]) -> Responses {
    let mut r = Responses::new(instrument);
    for (column, value) in cells {
        let slot = instrument
            .slots
            .iter()
            .position(|s| &s.column == column)
            .unwrap_or_else(|| panic!("no column {column}"));
        r.set_value(slot, *value).unwrap();
    }
    r
}

/// ECR-R answers giving each item the keyed value `keyed(item)`. The key: anxiety = items
/// 1-18, reversed 9 and 11; avoidance = items 19-36, reversed 20, 22, 26-31, 33-36. A reversed
/// item answered `a` is keyed `8 - a`, so it is answered `8 - keyed`.
fn ecr_r_keyed(instrument: &Instrument, keyed: impl Fn(i64) -> Option<i64>) -> ScoreReport {
    const REVERSED: [i64; 14] = [9, 11, 20, 22, 26, 27, 28, 29, 30, 31, 33, 34, 35, 36];
    let cells: Vec<(String, i64)> = (1..=36)
        .filter_map(|item| {
            let k = keyed(item)?;
            let answer = if REVERSED.contains(&item) { 8 - k } else { k };
            Some((format!("q{item}"), answer))
        })
        .collect();
    score(instrument, &answers(instrument, &cells))
}

/// Before therapy: anxiety items 1-9 keyed 6, 10-18 keyed 5 → (9·6 + 9·5) / 18 = 99/18 = 5.5;
/// avoidance all keyed 3 → 3.0.
fn ecr_r_before(instrument: &Instrument) -> ScoreReport {
    ecr_r_keyed(instrument, |item| {
        Some(match item {
            1..=9 => 6,
            10..=18 => 5,
            _ => 3,
        })
    })
}

/// After therapy: anxiety all keyed 4 → 4.0; avoidance items 19-30 keyed 3, 31-36 keyed 4 →
/// (12·3 + 6·4) / 18 = 60/18 = 3.333….
fn ecr_r_after(instrument: &Instrument) -> ScoreReport {
    ecr_r_keyed(instrument, |item| {
        // Items 1-18 and 31-36 keyed 4, items 19-30 keyed 3.
        Some(if (19..=30).contains(&item) { 3 } else { 4 })
    })
}

// ---------------------------------------------------------------------------------------------
// SEM, bands, RCI, verdicts

#[test]
fn sem_is_sd_times_root_one_minus_r() {
    // 1.2 · √(1 - .91) = 1.2 · √.09 = 1.2 · 0.3 = 0.36
    close(sem(1.2, 0.91).unwrap(), 0.36, "sem(1.2, .91)");
    // 1.0 · √(1 - .82) = √.18 = 0.424264068711928514640…
    close(
        sem(1.0, 0.82).unwrap(),
        0.424_264_068_711_928_5,
        "sem(1, .82)",
    );
    // 0.5 · √(1 - .84) = 0.5 · 0.4 = 0.2
    close(sem(0.5, 0.84).unwrap(), 0.2, "sem(.5, .84)");
}

#[test]
fn sem_refuses_unusable_figures() {
    for (sd, r) in [
        (0.0, 0.9),
        (-1.0, 0.9),
        (f64::NAN, 0.9),
        (f64::INFINITY, 0.9),
        (1.0, 0.0),
        (1.0, 1.0),
        (1.0, 1.2),
        (1.0, -0.3),
        (1.0, f64::NAN),
    ] {
        assert_eq!(sem(sd, r), None, "sem({sd}, {r})");
    }
}

#[test]
fn band_is_score_plus_minus_1_96_sem() {
    // 1.96 · 0.36 = 0.7056; 4.0 ± 0.7056 = 3.2944 .. 4.7056
    close_pair(band95(4.0, 0.36), (3.2944, 4.7056), "band95(4, .36)");
    // Cut to the 1-7 range for drawing: 6.8 ± 0.7056 = 6.0944 .. 7.5056 → 6.0944 .. 7
    close_pair(
        band95_within(6.8, 0.36, (1.0, 7.0)),
        (6.0944, 7.0),
        "band95_within(6.8)",
    );
    // 1.2 ± 0.7056 = 0.4944 .. 1.9056 → 1 .. 1.9056
    close_pair(
        band95_within(1.2, 0.36, (1.0, 7.0)),
        (1.0, 1.9056),
        "band95_within(1.2)",
    );
    // Inside the range nothing is cut.
    assert_eq!(band95_within(4.0, 0.36, (1.0, 7.0)), band95(4.0, 0.36));
}

#[test]
fn rci_is_difference_over_root_two_sem_squared() {
    // (4.2 - 5.5) / √(2 · 0.36²) = -1.3 / √(2 · 0.1296) = -1.3 / √0.2592
    //   = -1.3 / 0.509116882454314217… = -2.553441154284754949…
    let r = rci(5.5, 4.2, 0.36).unwrap();
    close(r, -2.553_441_154_284_755, "rci(5.5 → 4.2, .36)");
    // Anxiety: lower is better → a fall past 1.96 is a reliable improvement.
    assert_eq!(
        verdict(r, Direction::LowerIsBetter),
        Verdict::ReliableImprovement
    );
    // The same difference on a higher-is-better score is a reliable deterioration,
    assert_eq!(
        verdict(r, Direction::HigherIsBetter),
        Verdict::ReliableDeterioration
    );
    // and on a score where neither way is better, a reliable decrease.
    assert_eq!(verdict(r, Direction::Neither), Verdict::ReliableDecrease);
    // Upwards: +2.553… → deterioration / improvement / increase.
    let up = rci(4.2, 5.5, 0.36).unwrap();
    close(up, 2.553_441_154_284_755, "rci(4.2 → 5.5, .36)");
    assert_eq!(
        verdict(up, Direction::LowerIsBetter),
        Verdict::ReliableDeterioration
    );
    assert_eq!(
        verdict(up, Direction::HigherIsBetter),
        Verdict::ReliableImprovement
    );
    assert_eq!(verdict(up, Direction::Neither), Verdict::ReliableIncrease);
}

#[test]
fn an_rci_of_1_5_is_no_reliable_change() {
    // SEM = √.5 (SD 1, r .5), so √(2 · SEM²) = √1 = 1 and the RCI is the difference:
    // (4.5 - 3.0) / 1 = 1.5 ≤ 1.96.
    let s = sem(1.0, 0.5).unwrap();
    let r = rci(3.0, 4.5, s).unwrap();
    close(r, 1.5, "rci(3 → 4.5, √.5)");
    for direction in [
        Direction::LowerIsBetter,
        Direction::HigherIsBetter,
        Direction::Neither,
    ] {
        assert_eq!(verdict(r, direction), Verdict::NoReliableChange);
        assert_eq!(verdict(-r, direction), Verdict::NoReliableChange);
    }
    assert!(!Verdict::NoReliableChange.is_reliable());
    assert!(Verdict::ReliableDecrease.is_reliable());
}

#[test]
fn exactly_1_96_is_not_reliable_and_the_next_double_is() {
    // DESIGN.md §4: |RCI| > 1.96 is reliable, so 1.96 itself is not (no tolerance either way).
    assert_eq!(Z95, 1.96);
    for direction in [
        Direction::LowerIsBetter,
        Direction::HigherIsBetter,
        Direction::Neither,
    ] {
        assert_eq!(verdict(1.96, direction), Verdict::NoReliableChange);
        assert_eq!(verdict(-1.96, direction), Verdict::NoReliableChange);
    }
    let above = 1.96_f64.next_up();
    assert_eq!(
        verdict(above, Direction::HigherIsBetter),
        Verdict::ReliableImprovement
    );
    assert_eq!(
        verdict(-above, Direction::HigherIsBetter),
        Verdict::ReliableDeterioration
    );
    assert_eq!(
        verdict(above, Direction::Neither),
        Verdict::ReliableIncrease
    );
    assert_eq!(
        verdict(f64::NAN, Direction::Neither),
        Verdict::NoReliableChange
    );
}

#[test]
fn rci_refuses_a_zero_or_unusable_sem() {
    assert_eq!(rci(3.0, 4.0, 0.0), None);
    assert_eq!(rci(3.0, 4.0, -0.3), None);
    assert_eq!(rci(3.0, 4.0, f64::NAN), None);
    assert_eq!(rci(f64::NAN, 4.0, 0.3), None);
    // No change at all is an RCI of 0.
    assert_eq!(rci(3.0, 3.0, 0.3), Some(0.0));
}

/// "Better" is data: every bundled score says which way, with a reason. Lower for every
/// anxiety and avoidance score and for RFQ-8 uncertainty (a reliable fall in `rfq_u` is an
/// improvement: AUDIT.md D1); higher for the RQ's models and its secure rating; neither for
/// RFQ-8 certainty (both extremes are of concern) and the RQ's insecure ratings.
#[test]
fn every_bundled_score_says_which_way_is_better() {
    use Direction::{HigherIsBetter, LowerIsBetter, Neither};
    for instrument in bundled().into_iter().map(Result::unwrap) {
        for def in &instrument.scores {
            let expected = if def.id.ends_with("anxiety") || def.id.ends_with("avoidance") {
                LowerIsBetter
            } else if ["model_of_self", "model_of_other", "secure"].contains(&def.id.as_str()) {
                HigherIsBetter
            } else if def.id == "rfq_u" {
                LowerIsBetter
            } else {
                Neither
            };
            assert_eq!(def.better, expected, "{} {}", instrument.id, def.id);
            assert!(
                def.better_reason.ends_with('.') && def.better_reason.len() > 20,
                "{} {}: a one-line reason, {:?}",
                instrument.id,
                def.id,
                def.better_reason
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Which figures

#[test]
fn clinic_figures_win_over_the_instrument_file() {
    let ecr = ecr_r_with_figures();
    let anxiety = idx(&ecr, "anxiety");
    // The file: the first anxiety entry with an SD (alpha .91, SD 1.2), not the first entry.
    let (figures, from) = figures_for(&ecr, anxiety, None).unwrap();
    assert_eq!(from, FiguresFrom::Instrument);
    assert_eq!(
        figures,
        Figures {
            reliability: 0.91,
            sd: 1.2,
            source: "Source A".to_owned()
        }
    );
    // The clinic's figures, when given, are used instead.
    let own = clinic(0.84, 0.5);
    let (figures, from) = figures_for(&ecr, anxiety, Some(&own)).unwrap();
    assert_eq!(from, FiguresFrom::Clinic);
    assert_eq!(figures, own);
}

#[test]
fn missing_figures_say_what_is_missing() {
    // Shipped ECR-R: no reliability entry at all.
    let plain = bundled_instrument("ecr-r");
    let anxiety = idx(&plain, "anxiety");
    assert_eq!(figures_for(&plain, anxiety, None), None);
    let why = figures_or_reason(&plain, anxiety, None).unwrap_err();
    assert_eq!(why, NotComputable::NoFigures);
    assert_eq!(
        why.to_string(),
        "cannot compute change: no reliability and SD for this score (the instrument file \
         gives neither, and no clinic figures are set)"
    );

    // A reliability but no SD: says that the SD is what is missing, and which r there is.
    let ecr = ecr_r_with_figures();
    let avoidance = idx(&ecr, "avoidance");
    assert_eq!(figures_for(&ecr, avoidance, None), None);
    let why = figures_or_reason(&ecr, avoidance, None).unwrap_err();
    assert_eq!(
        why,
        NotComputable::NoSd {
            statistic: "test-retest".to_owned(),
            reliability: 0.8,
            source: "Source B".to_owned()
        }
    );
    let text = why.to_string();
    assert!(
        text.starts_with("cannot compute change: no SD for this score"),
        "{text}"
    );
    assert!(text.contains("test-retest = 0.8, from Source B"), "{text}");

    // Clinic figures that cannot give an SEM are refused, not replaced by the file's.
    let anxiety = idx(&ecr, "anxiety");
    let broken = clinic(1.0, 1.2);
    assert_eq!(figures_for(&ecr, anxiety, Some(&broken)), None);
    let why = figures_or_reason(&ecr, anxiety, Some(&broken)).unwrap_err();
    assert_eq!(
        why,
        NotComputable::UnusableFigures {
            from: FiguresFrom::Clinic,
            reliability: 1.0,
            sd: 1.2
        }
    );
    assert!(
        why.to_string()
            .contains("the figures from the clinic are not usable")
    );

    // A score the instrument does not have.
    assert_eq!(
        figures_or_reason(&ecr, 99, None).unwrap_err(),
        NotComputable::NoSuchScore { score_idx: 99 }
    );
}

// ---------------------------------------------------------------------------------------------
// change() over real ECR-R reports

#[test]
fn scored_reports_are_what_the_comments_say() {
    let ecr = ecr_r_with_figures();
    let (anx, avo) = (idx(&ecr, "anxiety"), idx(&ecr, "avoidance"));
    let before = ecr_r_before(&ecr);
    let after = ecr_r_after(&ecr);
    assert_eq!(before.scores[anx].value, Some(5.5));
    assert_eq!(before.scores[avo].value, Some(3.0));
    assert_eq!(after.scores[anx].value, Some(4.0));
    close(
        after.scores[avo].value.unwrap(),
        60.0 / 18.0,
        "after avoidance",
    );
}

#[test]
fn change_with_the_instrument_files_figures() {
    let ecr = ecr_r_with_figures();
    let before = ecr_r_before(&ecr);
    let after = ecr_r_after(&ecr);
    let changes = change(&ecr, &before, &after, &|_| None);
    assert_eq!(changes.len(), 2);

    // Anxiety 5.5 → 4.0: difference -1.5; SEM (file: SD 1.2, alpha .91) = 0.36;
    // RCI = -1.5 / 0.509116882454… = -2.946278254943948… < -1.96 → reliable improvement.
    let a = &changes[0];
    assert_eq!(a.score_id, "anxiety");
    assert_eq!(a.direction, Direction::LowerIsBetter);
    assert_eq!((a.before, a.after), (Some(5.5), Some(4.0)));
    close(a.difference.unwrap(), -1.5, "anxiety difference");
    close(a.sem.unwrap(), 0.36, "anxiety sem");
    close(a.rci.unwrap(), -2.946_278_254_943_948, "anxiety rci");
    assert_eq!(a.verdict, Some(Verdict::ReliableImprovement));
    let (figures, from) = a.figures.as_ref().unwrap();
    assert_eq!(
        (from, figures.source.as_str()),
        (&FiguresFrom::Instrument, "Source A")
    );
    assert_eq!(a.not_computable, None);

    // Avoidance 3.0 → 3.333…: difference 1/3, but the file has no SD → no RCI, and says why.
    let v = &changes[1];
    assert_eq!(v.score_id, "avoidance");
    close(v.difference.unwrap(), 1.0 / 3.0, "avoidance difference");
    assert_eq!(
        (v.figures.as_ref(), v.sem, v.rci, v.verdict),
        (None, None, None, None)
    );
    assert!(matches!(v.not_computable, Some(NotComputable::NoSd { .. })));
}

#[test]
fn change_with_the_clinics_figures() {
    let ecr = ecr_r_with_figures();
    let (anx, avo) = (idx(&ecr, "anxiety"), idx(&ecr, "avoidance"));
    let before = ecr_r_before(&ecr);
    let after = ecr_r_after(&ecr);
    let own = move |i: usize| {
        if i == anx {
            Some(clinic(0.84, 0.5))
        } else if i == avo {
            Some(clinic(0.82, 1.0))
        } else {
            None
        }
    };
    let changes = change(&ecr, &before, &after, &own);

    // Anxiety, clinic SD .5, r .84: SEM = 0.5 · √.16 = 0.2; √(2 · 0.04) = 0.282842712…;
    // RCI = -1.5 / 0.282842712… = -5.303300858899106… → reliable improvement (clinic's figures
    // win over the file's).
    let a = &changes[anx];
    close(a.sem.unwrap(), 0.2, "anxiety sem");
    close(a.rci.unwrap(), -5.303_300_858_899_106, "anxiety rci");
    assert_eq!(a.verdict, Some(Verdict::ReliableImprovement));
    assert_eq!(a.figures.as_ref().unwrap().1, FiguresFrom::Clinic);

    // Avoidance, clinic SD 1, r .82: SEM = √.18; √(2 · .18) = √.36 = 0.6;
    // RCI = (1/3) / 0.6 = 0.5555… ≤ 1.96 → no reliable change.
    let v = &changes[avo];
    close(v.sem.unwrap(), 0.424_264_068_711_928_5, "avoidance sem");
    close(v.rci.unwrap(), 5.0 / 9.0, "avoidance rci");
    assert_eq!(v.verdict, Some(Verdict::NoReliableChange));
    assert_eq!(v.not_computable, None);
}

#[test]
fn change_with_a_score_missing() {
    let ecr = ecr_r_with_figures();
    let before = ecr_r_before(&ecr);
    // Anxiety items 1-4 unanswered: 4 missing > 3 allowed → anxiety not scored.
    let after = ecr_r_keyed(&ecr, |item| (item > 4).then_some(4));
    assert_eq!(after.scores[0].value, None);
    let changes = change(&ecr, &before, &after, &|_| None);
    let a = &changes[0];
    assert_eq!((a.before, a.after, a.difference), (Some(5.5), None, None));
    assert_eq!((a.rci, a.verdict), (None, None));
    // The figures exist (they would give the band) but the score is what is missing.
    assert_eq!(a.figures.as_ref().unwrap().1, FiguresFrom::Instrument);
    let why = a.not_computable.clone().unwrap();
    assert_eq!(
        why,
        NotComputable::ScoreMissing {
            before: false,
            after: true
        }
    );
    assert_eq!(
        why.to_string(),
        "cannot compute change: the score is missing in the later administration"
    );

    // An empty report (e.g. of another instrument) lacks every score; a missing score is
    // reported before missing figures.
    let changes = change(
        &ecr,
        &ScoreReport::default(),
        &ScoreReport::default(),
        &|_| None,
    );
    for c in &changes {
        assert_eq!(
            c.not_computable,
            Some(NotComputable::ScoreMissing {
                before: true,
                after: true
            }),
            "{}",
            c.score_id
        );
    }
    assert!(
        changes[0]
            .not_computable
            .as_ref()
            .unwrap()
            .to_string()
            .ends_with("both administrations")
    );
    let changes = change(&ecr, &ScoreReport::default(), &after, &|_| None);
    assert_eq!(
        changes[1].not_computable.as_ref().unwrap().to_string(),
        "cannot compute change: the score is missing in the earlier administration"
    );
}

#[test]
fn change_on_the_shipped_instrument_has_no_figures() {
    // No bundled instrument ships reliability with an SD yet: every change says so.
    let ecr = bundled_instrument("ecr-r");
    let changes = change(&ecr, &ecr_r_before(&ecr), &ecr_r_after(&ecr), &|_| None);
    for c in &changes {
        assert!(c.difference.is_some());
        assert_eq!(
            c.not_computable,
            Some(NotComputable::NoFigures),
            "{}",
            c.score_id
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Norms

#[test]
fn local_norms_mean_and_sample_sd() {
    // [2, 4, 4, 4, 5, 5, 7, 9]: sum 40, mean 40 / 8 = 5;
    // squared deviations 9 + 1 + 1 + 1 + 0 + 0 + 4 + 16 = 32; sample SD √(32 / 7)
    // = 2.138089935299395077…
    let norm = local_norms(&[2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]).unwrap();
    assert_eq!(norm.n, 8);
    assert_eq!(norm.mean, 5.0);
    close(norm.sd, 2.138_089_935_299_395, "sd");
    // 9 against it: z = 4 / √(32/7) = √3.5 = 1.870828693386970692…; T = 50 + 10 z
    // = 68.70828693386970692…; percentile 100 Φ(√3.5) = 96.93155854302989134…
    let s = norm.standing(9.0).unwrap();
    close(s.z, 1.870_828_693_386_971, "z");
    close(s.t, 68.708_286_933_869_7, "T");
    close(s.percentile, 96.931_558_543_029_9, "percentile");
}

#[test]
fn local_norms_need_two_different_scores() {
    assert_eq!(local_norms(&[]), None);
    assert_eq!(local_norms(&[3.0]), None);
    // SD 0: no standing possible.
    assert_eq!(local_norms(&[4.0, 4.0, 4.0]), None);
    assert_eq!(local_norms(&[0.1; 10]), None);
    assert_eq!(local_norms(&[3.0, f64::NAN]), None);
    // Two is enough: [1, 3] → mean 2, SD √((1 + 1) / 1) = √2.
    let norm = local_norms(&[1.0, 3.0]).unwrap();
    assert_eq!((norm.n, norm.mean), (2, 2.0));
    close(norm.sd, std::f64::consts::SQRT_2, "sd of [1, 3]");
}

#[test]
fn z_t_and_percentile() {
    // z = (8 - 5) / 2 = 1.5; T = 50 + 15 = 65; percentile 100 Φ(1.5) = 93.3192798731141934…
    assert_eq!(z(8.0, 5.0, 2.0), Some(1.5));
    assert_eq!(t_score(1.5), 65.0);
    assert_eq!(t_score(-2.0), 30.0);
    assert_eq!(t_score(0.0), 50.0);
    close(percentile(1.5), 93.319_279_873_114_19, "percentile(1.5)");
    assert_eq!(percentile(0.0), 50.0);
    assert_eq!(z(8.0, 5.0, 0.0), None);
    assert_eq!(z(8.0, 5.0, -1.0), None);
    assert_eq!(standing(8.0, 5.0, f64::NAN), None);
    let s = standing(3.0, 5.0, 2.0).unwrap();
    // z = -1; T = 40; 100 Φ(-1) = 15.865525393145705…
    assert_eq!((s.z, s.t), (-1.0, 40.0));
    close(s.percentile, 15.865_525_393_145_705, "percentile(-1)");
}

#[test]
fn standing_against_a_norm_set_from_the_file() {
    let set = NormSet {
        id: "test".to_owned(),
        name: "Test sample".to_owned(),
        source: "made up for this test".to_owned(),
        n: 100,
        metric: securebase::core::schema::NormMetric::Mean,
        scale: securebase::core::schema::NormScale { min: 1, max: 7 },
        sample: securebase::core::schema::NormSample {
            clinical: false,
            country: "Testland".to_owned(),
            language: "en".to_owned(),
        },
        scores: UniqueMap(BTreeMap::from([(
            "anxiety".to_owned(),
            NormDef { mean: 3.5, sd: 1.0 },
        )])),
    };
    // (4.5 - 3.5) / 1 = 1; T 60; 100 Φ(1) = 84.13447460685429…
    let s = norm_standing(&set, "anxiety", 4.5).unwrap();
    assert_eq!((s.z, s.t), (1.0, 60.0));
    close(s.percentile, 84.134_474_606_854_29, "percentile(1)");
    assert_eq!(norm_standing(&set, "avoidance", 4.5), None);
}

/// Φ(z) to 25 significant digits (mpmath `ncdf`, 40-digit arithmetic).
const PHI: [(f64, f64); 14] = [
    (-8.0, 6.220_960_574_271_784e-16), // 6.220960574271784123515995e-16
    (-5.0, 2.866_515_718_791_939e-7),  // 2.866515718791939116737523e-7
    (-3.0, 0.001_349_898_031_630_094_6), // 0.001349898031630094526651815
    (-2.0, 0.022_750_131_948_179_21),  // 0.02275013194817920720028264
    (-1.96, 0.024_997_895_148_220_435), // 0.02499789514822043413658427
    (-1.0, 0.158_655_253_931_457_05),  // 0.1586552539314570514147675
    (-0.5, 0.308_537_538_725_986_9),   // 0.3085375387259868963622954
    (0.0, 0.5),
    (0.5, 0.691_462_461_274_013_1),  // 0.6914624612740131036377046
    (1.0, 0.841_344_746_068_542_9),  // 0.8413447460685429485852325
    (1.96, 0.975_002_104_851_779_5), // 0.9750021048517795658634157
    (2.0, 0.977_249_868_051_820_8),  // 0.9772498680518207927997174
    (3.0, 0.998_650_101_968_369_9),  // 0.9986501019683699054733482
    (5.0, 0.999_999_713_348_428_1),  // 0.9999997133484281208060883
];

#[test]
fn normal_cdf_within_the_stated_accuracy() {
    // The brief's values.
    assert!((normal_cdf(1.96) - 0.975_002_104_851_779_5).abs() <= 1e-15);
    assert!((normal_cdf(-1.0) - 0.158_655_253_931_457_07).abs() <= 1e-15);
    assert_eq!(normal_cdf(0.0), 0.5);
    // Stated accuracy: absolute error ≤ 1e-15 everywhere, relative error ≤ 1e-13 in the lower
    // tail (z ≤ 0).
    for (x, phi) in PHI {
        let got = normal_cdf(x);
        assert!(
            (got - phi).abs() <= 1e-15,
            "Φ({x}) = {got:e}, expected {phi:e}"
        );
        if x <= 0.0 {
            assert!(
                ((got - phi) / phi).abs() <= 1e-13,
                "Φ({x}) = {got:e}, expected {phi:e} (relative)"
            );
        }
    }
    // Symmetry and monotonicity on a grid from -8 to 8.
    let mut last = 0.0;
    for i in -800..=800 {
        let x = f64::from(i) / 100.0;
        let p = normal_cdf(x);
        assert!(p >= last, "Φ not monotone at {x}");
        assert!(
            (p + normal_cdf(-x) - 1.0).abs() <= 1e-15,
            "Φ({x}) + Φ(-{x}) ≠ 1"
        );
        last = p;
    }
    assert_eq!(normal_cdf(f64::INFINITY), 1.0);
    assert_eq!(normal_cdf(f64::NEG_INFINITY), 0.0);
    assert_eq!(normal_cdf(-40.0), 0.0);
    assert!(normal_cdf(f64::NAN).is_nan());
}

#[test]
fn erf_and_erfc_at_known_values() {
    // mpmath, 30 digits: (x, erf x, erfc x). One value per interval of Cody's approximation
    // (|x| ≤ 0.46875, ≤ 4, > 4) and their edges.
    let known = [
        (0.1, 0.112_462_916_018_284_9, 0.887_537_083_981_715_2),
        (0.5, 0.520_499_877_813_046_5, 0.479_500_122_186_953_5),
        (1.0, 0.842_700_792_949_714_9, 0.157_299_207_050_285_13),
        (2.0, 0.995_322_265_018_952_7, 0.004_677_734_981_047_266),
        (3.0, 0.999_977_909_503_001_4, 2.209_049_699_858_544e-5),
        (4.5, 0.999_999_999_803_383_9, 1.966_160_441_542_887_6e-10),
    ];
    for (x, e, c) in known {
        assert!(((erf(x) - e) / e).abs() <= 1e-15, "erf({x}) = {:e}", erf(x));
        assert!(
            ((erfc(x) - c) / c).abs() <= 1e-14,
            "erfc({x}) = {:e}",
            erfc(x)
        );
        assert_eq!(erf(-x), -erf(x));
        assert!((erfc(-x) - (2.0 - c)).abs() <= 1e-15);
    }
    assert_eq!(erf(0.0), 0.0);
    assert_eq!(erfc(0.0), 1.0);
    assert_eq!(erf(f64::INFINITY), 1.0);
    assert_eq!(erfc(30.0), 0.0);
    assert_eq!(erfc(f64::NEG_INFINITY), 2.0);
}

// ---------------------------------------------------------------------------------------------
// Chart data

#[test]
fn plane_point_with_and_without_bands() {
    let ecr = ecr_r_with_figures();
    let before = ecr_r_before(&ecr);
    // x = avoidance 3.0, y = anxiety 5.5. Anxiety's band from the file (SEM .36):
    // 5.5 ± 0.7056 = 4.7944 .. 6.2056. Avoidance has no SD in the file → no band.
    let p = plane_point(&ecr, &before, "2024-01-10", &|_| None).unwrap();
    assert_eq!((p.x, p.y, p.label.as_str()), (3.0, 5.5, "2024-01-10"));
    assert_eq!(p.x_band, None);
    close_pair(p.y_band.unwrap(), (4.7944, 6.2056), "y band");

    // With the clinic's avoidance figures (SD 1, r .82: SEM √.18, 1.96 · √.18
    // = 0.831557574675379889): 3 ± 0.8315… = 2.168442425324620111 .. 3.831557574675379889.
    let avo = idx(&ecr, "avoidance");
    let own = move |i: usize| (i == avo).then(|| clinic(0.82, 1.0));
    let p = plane_point(&ecr, &before, "2024-01-10", &own).unwrap();
    close_pair(
        p.x_band.unwrap(),
        (2.168_442_425_324_62, 3.831_557_574_675_38),
        "x band",
    );

    // Anxiety 7 (every anxiety item keyed 7): 7 ± 0.7056 cut to the range → 6.2944 .. 7.
    let top = ecr_r_keyed(&ecr, |item| Some(if item <= 18 { 7 } else { 3 }));
    let p = plane_point(&ecr, &top, "top", &|_| None).unwrap();
    close_pair(p.y_band.unwrap(), (6.2944, 7.0), "cut y band");

    // No plane (RFQ-8), or a point without both scores: no point.
    let rfq = bundled_instrument("rfq-8");
    let r = score(&rfq, &Responses::new(&rfq));
    assert_eq!(plane_point(&rfq, &r, "x", &|_| None), None);
    assert_eq!(
        plane_point(&ecr, &ScoreReport::default(), "x", &|_| None),
        None
    );
}

#[test]
fn trajectory_keeps_the_given_order_and_skips_unscored() {
    let ecr = ecr_r_with_figures();
    let before = ecr_r_before(&ecr);
    let after = ecr_r_after(&ecr);
    let unscored = score(&ecr, &Responses::new(&ecr));
    let reports = [
        ("2024-01-10".to_owned(), &before),
        ("2024-02-01".to_owned(), &unscored),
        ("2024-03-05".to_owned(), &after),
    ];
    let points = trajectory(&ecr, &reports);
    let seen: Vec<(&str, f64, f64)> = points
        .iter()
        .map(|p| (p.label.as_str(), p.x, p.y))
        .collect();
    assert_eq!(
        seen,
        [("2024-01-10", 3.0, 5.5), ("2024-03-05", 60.0 / 18.0, 4.0)]
    );
    // In the order given, not sorted by label.
    let reversed = [reports[2].clone(), reports[1].clone(), reports[0].clone()];
    let labels: Vec<String> = trajectory(&ecr, &reversed)
        .into_iter()
        .map(|p| p.label)
        .collect();
    assert_eq!(labels, ["2024-03-05", "2024-01-10"]);
    // Bands: the file's by default; the clinic's through trajectory_with_figures.
    assert!(
        points
            .iter()
            .all(|p| p.y_band.is_some() && p.x_band.is_none())
    );
    let all = |_: usize| Some(clinic(0.82, 1.0));
    assert!(
        trajectory_with_figures(&ecr, &reports, &all)
            .iter()
            .all(|p| p.x_band.is_some())
    );

    // One score as a line: anxiety 5.5 then 4.0, the unscored date left out.
    let series = score_series(&ecr, idx(&ecr, "anxiety"), &reports);
    assert_eq!(
        series,
        [
            ("2024-01-10".to_owned(), 5.5),
            ("2024-03-05".to_owned(), 4.0)
        ]
    );
    assert!(score_series(&ecr, 99, &reports).is_empty());
}

/// ECR-RS answers. The key: anxiety = items 7-9 forward; avoidance = items 1-6, reversed 1-4
/// (answer `a` keyed `8 - a`). Per block: (anxiety answers to 7, 8, 9; keyed avoidance k,
/// answered `8 - k` to items 1-4 and `k` to items 5-6).
fn ecr_rs_report(instrument: &Instrument, blocks: &[(&str, [i64; 3], i64)]) -> ScoreReport {
    let mut cells = Vec::new();
    for (block, anxiety, avoidance) in blocks {
        for (item, a) in (7..=9).zip(anxiety) {
            cells.push((format!("{block}_q{item}"), *a));
        }
        for item in 1..=6 {
            let a = if item <= 4 { 8 - avoidance } else { *avoidance };
            cells.push((format!("{block}_q{item}"), a));
        }
    }
    score(instrument, &answers(instrument, &cells))
}

#[test]
fn ecr_rs_block_points_and_the_global_point() {
    let rs = bundled_instrument("ecr-rs");
    // mother: anxiety (2+2+2)/3 = 2, avoidance 1; father: (3+4+5)/3 = 4, avoidance 6;
    // partner: (7+6+5)/3 = 6, avoidance 2; friend: (1+1+1)/3 = 1, avoidance 3.
    // Global anxiety = (2+4+6+1)/4 = 13/4 = 3.25; global avoidance = (1+6+2+3)/4 = 3.
    let report = ecr_rs_report(
        &rs,
        &[
            ("mother", [2, 2, 2], 1),
            ("father", [3, 4, 5], 6),
            ("partner", [7, 6, 5], 2),
            ("friend", [1, 1, 1], 3),
        ],
    );
    let points = block_points(&rs, &report);
    let seen: Vec<(&str, &str, f64, f64)> = points
        .iter()
        .map(|(name, p)| (name.as_str(), p.label.as_str(), p.x, p.y))
        .collect();
    assert_eq!(
        seen,
        [
            (
                "mother or mother-like figure",
                "mother or mother-like figure",
                1.0,
                2.0
            ),
            (
                "father or father-like figure",
                "father or father-like figure",
                6.0,
                4.0
            ),
            ("romantic partner", "romantic partner", 2.0, 6.0),
            ("best friend", "best friend", 3.0, 1.0),
            (GLOBAL_LABEL, GLOBAL_LABEL, 3.0, 3.25),
        ]
    );
    // The global point is the plane's own point.
    let global = plane_point(&rs, &report, GLOBAL_LABEL, &|_| None).unwrap();
    assert_eq!(points[4].1, global);
    // No figures shipped: no bands.
    assert!(
        points
            .iter()
            .all(|(_, p)| p.x_band.is_none() && p.y_band.is_none())
    );

    // Friend not answered: its point is left out, and so is the global one (it needs all four
    // blocks).
    let partial = ecr_rs_report(
        &rs,
        &[
            ("mother", [2, 2, 2], 1),
            ("father", [3, 4, 5], 6),
            ("partner", [7, 6, 5], 2),
        ],
    );
    let names: Vec<String> = block_points(&rs, &partial)
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    assert_eq!(
        names,
        [
            "mother or mother-like figure",
            "father or father-like figure",
            "romantic partner"
        ]
    );

    // An instrument without blocks: only the global point; without a plane: nothing.
    let ecr = ecr_r_with_figures();
    let only = block_points(&ecr, &ecr_r_before(&ecr));
    assert_eq!(only.len(), 1);
    assert_eq!(
        (only[0].0.as_str(), only[0].1.x, only[0].1.y),
        (GLOBAL_LABEL, 3.0, 5.5)
    );
    let rfq = bundled_instrument("rfq-8");
    assert!(block_points(&rfq, &score(&rfq, &Responses::new(&rfq))).is_empty());
}

/// AUDIT.md D1: RFQ-8 uncertainty is lower-is-better, so a reliable fall is a reliable
/// improvement (it was a neutral "reliable decrease"). Before: items 2, 4, 5, 6, 8 answered 7
/// (recoded 3) and item 7 answered 1 (recoded 3): `rfq_u` = 3. After: all six answered 4
/// (recoded 0): `rfq_u` = 0. With the clinic's reliability .8 and SD .8, SEM = .8 · √.2 =
/// 0.35777 and RCI = -3 / √(2 · 0.35777²) = -5.93. RFQ-8 certainty (items 1-6 answered 4
/// before and after: recoded 0 throughout) does not change.
#[test]
fn a_reliable_fall_in_rfq_uncertainty_is_a_reliable_improvement() {
    let rfq = bundled_instrument("rfq-8");
    let cells = |u: i64, u7: i64| -> Vec<(String, i64)> {
        (1..=8)
            .map(|n| {
                let v = match n {
                    7 => u7,
                    2 | 4 | 5 | 6 | 8 => u,
                    _ => 4,
                };
                (format!("q{n}"), v)
            })
            .collect()
    };
    let before = score(&rfq, &answers(&rfq, &cells(7, 1)));
    let after = score(&rfq, &answers(&rfq, &cells(4, 4)));
    let u = idx(&rfq, "rfq_u");
    assert_eq!(before.scores[u].value, Some(3.0));
    assert_eq!(after.scores[u].value, Some(0.0));
    let changes = change(&rfq, &before, &after, &|i| {
        (i == u).then(|| clinic(0.8, 0.8))
    });
    let c = &changes[u];
    assert_eq!(c.direction, Direction::LowerIsBetter);
    close(
        c.rci.unwrap(),
        -3.0 / (2.0 * (0.8 * 0.2_f64.sqrt()).powi(2)).sqrt(),
        "rci",
    );
    assert_eq!(c.verdict, Some(Verdict::ReliableImprovement));
    assert_eq!(
        c.verdict.unwrap().label(),
        "reliable improvement",
        "the words the page, the report and `securebase change` show"
    );
    let certainty = &changes[idx(&rfq, "rfq_c")];
    assert_eq!(certainty.direction, Direction::Neither);
}
