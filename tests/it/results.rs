//! The results model (`results::text`): what the results page and the PDF report both say,
//! row by row, worked by hand for the ECR-RS (relationship blocks) and for the minimal 1-5
//! test instrument (`tests/data/valid/minimal.json`: a recode table, a reliability figure).

use jiff::Timestamp;
use securebase::core::Answer;
use securebase::core::bundled::bundled;
use securebase::core::instrument::Instrument;
use securebase::results::text::{self, Medium, ScoreRow};
use securebase::results::{Assessment, assess};
use securebase::store::settings::Settings;
use securebase::store::{Administration, Client, Source, Status};

/// `instrument` answered as `cells` (column, answer); the other slots unanswered.
pub fn assessed(instrument: &Instrument, cells: &[(String, i32)]) -> Assessment {
    let when = Timestamp::now();
    let client = Client::new("c1".to_owned(), "C-7", None, "", when).unwrap();
    let mut a = Administration::new("a1".to_owned(), "c1", instrument, Source::PaperEntry, when);
    for (column, value) in cells {
        let slot = instrument
            .slots
            .iter()
            .position(|s| &s.column == column)
            .unwrap_or_else(|| panic!("no column {column}"));
        a.set_answer(instrument, slot, Answer::Value(*value), when, None)
            .unwrap();
    }
    a.status = Status::Completed;
    let report = securebase::core::score(instrument, &a.responses(instrument).unwrap());
    assess(
        instrument,
        &client,
        &a,
        report,
        Vec::new(),
        &Settings::default(),
        None,
    )
}

/// (name, value, answered, range, flags with reason) of each row.
fn cells(rows: &[ScoreRow]) -> Vec<(String, String, String, String, String)> {
    rows.iter()
        .map(|r| {
            (
                r.name.clone(),
                r.value.clone(),
                r.answered.clone(),
                r.range.clone(),
                r.flags_with_reason(),
            )
        })
        .collect()
}

fn check(rows: &[ScoreRow], expect: &[(&str, &str, &str, &str, &str)]) {
    let expect: Vec<(String, String, String, String, String)> = expect
        .iter()
        .map(|(a, b, c, d, e)| {
            (
                (*a).to_owned(),
                (*b).to_owned(),
                (*c).to_owned(),
                (*d).to_owned(),
                (*e).to_owned(),
            )
        })
        .collect();
    assert_eq!(cells(rows), expect);
}

/// The ECR-RS: each relationship's anxiety (items 7-9) and avoidance (items 1-6, 1-4
/// reversed), then the global scores as the mean over the four relationships. Mother anxiety
/// 2, 2, 2 = 2.00; avoidance keyed 1 (answers 7 7 7 7 1 1) = 1.00. Father anxiety 3, 4, 5 =
/// 4.00; avoidance keyed 6 = 6.00. Partner and friend unanswered: too few items. Global
/// anxiety (2 + 4) / 2 of four relationships: not scored.
#[test]
fn ecr_rs_rows_name_whose_scores_they_are_short_on_screen_and_in_full_on_paper() {
    let rs = bundled()
        .into_iter()
        .map(Result::unwrap)
        .find(|i| i.id == "ecr-rs")
        .unwrap();
    let mut answers = Vec::new();
    for (block, anxiety, avoidance) in [("mother", [2, 2, 2], 1), ("father", [3, 4, 5], 6)] {
        for (item, a) in (7..=9).zip(anxiety) {
            answers.push((format!("{block}_q{item}"), a));
        }
        for item in 1..=6 {
            let a = if item <= 4 { 8 - avoidance } else { avoidance };
            answers.push((format!("{block}_q{item}"), a));
        }
    }
    let a = assessed(&rs, &answers);
    let screen = text::score_rows(&a, None, Medium::Screen);
    let paper = text::score_rows(&a, None, Medium::Paper);
    let names = |rows: &[ScoreRow]| rows.iter().map(|r| r.name.clone()).collect::<Vec<_>>();
    assert_eq!(
        names(&screen)[..4],
        [
            "mother: attachment anxiety",
            "mother: attachment avoidance",
            "father: attachment anxiety",
            "father: attachment avoidance"
        ]
    );
    assert_eq!(
        names(&paper)[..4],
        [
            "mother or mother-like figure: attachment anxiety",
            "mother or mother-like figure: attachment avoidance",
            "father or father-like figure: attachment anxiety",
            "father or father-like figure: attachment avoidance"
        ]
    );
    // Everything but the name is the same on both.
    for (s, p) in screen.iter().zip(&paper) {
        assert_eq!(
            (&s.value, &s.answered, &s.range, &s.flags, &s.band),
            (&p.value, &p.answered, &p.range, &p.flags, &p.band)
        );
    }
    let values: Vec<&str> = screen.iter().map(|r| r.value.as_str()).collect();
    assert_eq!(values[..4], ["2.00", "1.00", "4.00", "6.00"]);
    assert_eq!(screen[4].answered, "0 of 3");
    assert_eq!(screen[4].value, text::NONE);
    assert!(screen[4].not_scored.is_some());
    assert!(
        screen
            .iter()
            .all(|r| r.range == "1 to 7" && r.standing.is_none())
    );
    // How to read: the two global meanings once each, not once per relationship.
    let readings = text::readings(&a);
    assert_eq!(readings.how_to_read.len(), 2, "{:?}", readings.how_to_read);
    assert!(readings.how_to_read[0].starts_with("Global attachment anxiety: Higher = "));
    assert!(readings.how_to_read[1].starts_with("Global attachment avoidance: Higher = "));
    assert!(readings.how_to_read.iter().all(|l| l.ends_with('.')));
    assert!(readings.choice.is_none());
    // No published norms for the ECR-RS, and no bands: both media say so.
    assert_eq!(text::norm_note(&rs, None).as_deref(), Some(text::NO_NORMS));
    assert_eq!(text::bands_note(&a), Some(text::NO_BANDS));
}

/// The minimal instrument, all four items answered 4 (1-5). alpha = mean(4, 6 - 4) = 3.00;
/// beta = mean(4, recode "agree" of 4 = 1) = 2.50, possible 0 to 5; total = mean(3, 2.5) =
/// 2.75. alpha's file reliability .80 with SD 1.1: SEM = 1.1 * sqrt(.2) = 0.4919, band
/// 3 -/+ 1.96 * 0.4919 = 2.04 to 3.96. Item 1 answered 4 and its reversal, item 2, also 4
/// (keyed 2): the two contradict each other, and alpha's row says so; four 4s in a row are
/// flagged for the form as a whole. The forced choice was not made; the category is
/// alpha's (the higher of alpha and beta); the plane point (beta 2.5, alpha 3) is below the
/// midpoint 3 on x and at it on y.
#[test]
fn a_one_to_five_instrument_reads_in_its_own_range() {
    let file = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/valid/minimal.json");
    let mini = Instrument::from_json(file, &std::fs::read_to_string(file).unwrap()).unwrap();
    let a = assessed(
        &mini,
        &(1..=4).map(|n| (format!("q{n}"), 4)).collect::<Vec<_>>(),
    );
    let rows = text::score_rows(&a, None, Medium::Screen);
    check(
        &rows,
        &[
            (
                "Alpha",
                "3.00",
                "2 of 2",
                "1 to 5",
                "reversed items contradict the others",
            ),
            ("Beta", "2.50", "2 of 2", "0 to 5", ""),
            ("Total", "2.75", "2 of 2", "0 to 5", ""),
        ],
    );
    assert_eq!(rows[0].band.as_deref(), Some("2.04 to 3.96"));
    assert_eq!(rows[1].band, None);
    assert_eq!(text::bands_note(&a), None, "one score has a band");
    assert_eq!(
        text::score_rows(&a, None, Medium::Paper),
        rows,
        "no blocks: the same"
    );

    // Against the file's norm set (alpha: mean 3, SD 1): z 0, T 50, percentile 50; beta has
    // no figures in the set.
    let set = &a.norms[0];
    let normed = text::score_rows(&a, Some(set), Medium::Screen);
    assert_eq!(
        normed[0].standing,
        Some(["+0.00".to_owned(), "50".to_owned(), "50".to_owned()])
    );
    let dash = text::NONE.to_owned();
    assert_eq!(normed[1].standing, Some([dash.clone(), dash.clone(), dash]));
    assert!(
        text::norm_note(&mini, Some(set))
            .unwrap()
            .ends_with(text::STANDING_NOTE)
    );
    assert_eq!(text::norm_note(&mini, None), None, "it has a published set");

    let readings = text::readings(&a);
    assert_eq!(
        readings.flags,
        [
            "4 identical answers in a row: check for inattentive answering",
            "Alpha: answers to reversed items contradict the other items"
        ]
    );
    let (category, _) = readings.category.clone().unwrap();
    assert_eq!(category, "Descriptive category: a");
    let (region, caveat) = readings.region.clone().unwrap();
    assert!(
        region.starts_with("Region of the anxiety-avoidance plane: "),
        "{region}"
    );
    assert!(!caveat.is_empty());
}

/// The client page's headline: the plane's scores by name, else the first two (the RFQ-8
/// showed raw ids, "rfq c — · rfq u —").
#[test]
fn headlines_name_their_scores() {
    let find = |id: &str| {
        bundled()
            .into_iter()
            .map(Result::unwrap)
            .find(|i| i.id == id)
            .unwrap()
    };
    let ecr_r = find("ecr-r");
    let a = assessed(
        &ecr_r,
        &(1..=36).map(|n| (format!("q{n}"), 4)).collect::<Vec<_>>(),
    );
    assert_eq!(
        text::headline(&ecr_r, &a.report),
        "Attachment anxiety 4.00 \u{b7} Attachment avoidance 4.00"
    );
    let rfq = find("rfq-8");
    let a = assessed(&rfq, &[]);
    assert_eq!(
        text::headline(&rfq, &a.report),
        "Certainty about mental states (RFQ_c) \u{2014} \u{b7} Uncertainty about mental states \
         (RFQ_u) \u{2014}"
    );
}

/// AUDIT.md D2, securebase's rule: with "no romantic partner", the ECR-RS global scores are the
/// mean over the three relationships that apply, and say so ("based on 3 of 4
/// relationships"); the partner's rows say it does not apply. With no relationship applying,
/// there is no global score, and the row says why. Mother anxiety 2, father 4, friend 6 (items
/// 7-9): global anxiety (2 + 4 + 6) / 3 = 4.00.
#[test]
fn ecr_rs_globals_are_the_mean_over_the_relationships_that_apply() {
    let rs = bundled()
        .into_iter()
        .map(Result::unwrap)
        .find(|i| i.id == "ecr-rs")
        .unwrap();
    let assess_with = |not_applicable: &[&str], cells: &[(String, i32)]| {
        let when = Timestamp::now();
        let client = Client::new("c1".to_owned(), "C-7", None, "", when).unwrap();
        let mut a = Administration::new("a1".to_owned(), "c1", &rs, Source::ClientMode, when);
        a.not_applicable = not_applicable.iter().map(|b| (*b).to_owned()).collect();
        for (column, value) in cells {
            let slot = rs.slots.iter().position(|s| &s.column == column).unwrap();
            a.set_answer(&rs, slot, Answer::Value(*value), when, None)
                .unwrap();
        }
        a.status = Status::Completed;
        let report = securebase::core::score(&rs, &a.responses(&rs).unwrap());
        assess(
            &rs,
            &client,
            &a,
            report,
            Vec::new(),
            &Settings::default(),
            None,
        )
    };
    let mut cells = Vec::new();
    for (block, anxiety) in [("mother", 2), ("father", 4), ("friend", 6)] {
        for item in 1..=9 {
            cells.push((
                format!("{block}_q{item}"),
                if item >= 7 { anxiety } else { 4 },
            ));
        }
    }
    let a = assess_with(&["partner"], &cells);
    for medium in [Medium::Screen, Medium::Paper] {
        let rows = text::score_rows(&a, None, medium);
        let global = rows
            .iter()
            .find(|r| r.name == "Global attachment anxiety")
            .unwrap();
        assert_eq!(global.value, "4.00");
        assert_eq!(global.answered, "based on 3 of 4 relationships");
        let partner = &rows[rs.score_index("partner_anxiety").unwrap()];
        assert_eq!(partner.value, text::NONE);
        assert_eq!(
            partner.not_scored.as_deref(),
            Some("does not apply (marked at set-up)")
        );
        assert!(partner.flags.is_empty(), "not a missing-data flag");
    }
    // No relationship applies: no global score, and why.
    let none = assess_with(&["mother", "father", "partner", "friend"], &[]);
    let rows = text::score_rows(&none, None, Medium::Screen);
    let global = rows
        .iter()
        .find(|r| r.name == "Global attachment anxiety")
        .unwrap();
    assert_eq!(global.value, text::NONE);
    assert_eq!(global.answered, "based on 0 of 4 relationships");
    assert!(
        global
            .not_scored
            .as_deref()
            .unwrap()
            .contains("none of the parts")
    );
    // A block id the instrument does not have is a named error, not a silent skip.
    let mut bad = Administration::new(
        "a2".to_owned(),
        "c1",
        &rs,
        Source::ClientMode,
        Timestamp::now(),
    );
    bad.not_applicable = vec!["cousin".to_owned()];
    let err = bad.responses(&rs).unwrap_err().to_string();
    assert!(err.contains("\"cousin\""), "{err}");
}

/// Each band names the figures it was drawn from: the minimal instrument's alpha band comes
/// from the file's reliability .80 and SD 1.1 (Tester, 2024); beta has no band and no note.
#[test]
fn bands_name_their_figures() {
    let file = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/valid/minimal.json");
    let mini = Instrument::from_json(file, &std::fs::read_to_string(file).unwrap()).unwrap();
    let a = assessed(
        &mini,
        &(1..=4).map(|n| (format!("q{n}"), 4)).collect::<Vec<_>>(),
    );
    assert_eq!(
        text::band_notes(&a),
        [
            "alpha: 95 % band from reliability 0.80 and SD 1.10 (Tester (2024); from the instrument file)."
        ]
    );
}
