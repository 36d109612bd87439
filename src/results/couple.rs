//! A couple on one plane: for each questionnaire with a plane that both partners completed,
//! both courses on one chart (a colour and a shape each, a legend with their names, each point
//! with its 95 % band where figures exist) and a descriptive reading of where the two stand
//! relative to each other, with no clinical label. A questionnaire only one partner took is
//! said, and shown apart (in that partner's own results).
//!
//! No I/O and no drawing, as the rest of `results`: the app's couple page and the couple report
//! both show what this computes.

use crate::chart::plane::{PartnerTrack, PlaneChart};
use crate::core::ScoreReport;
use crate::core::change::{Z95, figures_or_reason};
use crate::core::chart_data;
use crate::core::instrument::Instrument;
use crate::store::settings::Settings;
use crate::store::{Administration, LocalNorms, Status};

use super::{clinic_figures, day, text};

/// One partner as the couple's results need them: their name and their scored
/// administrations, oldest first.
pub struct Partner<'a> {
    /// What the clinician calls them.
    pub name: &'a str,
    /// Their administrations with their reports (scored ones only are used).
    pub administrations: Vec<(&'a Administration, Option<&'a ScoreReport>)>,
}

/// One questionnaire both partners completed: on one plane, when it has one.
pub struct CouplePlane {
    /// The questionnaire.
    pub instrument: Instrument,
    /// Both courses on one plane (`None` for a questionnaire without a plane).
    pub chart: Option<PlaneChart>,
    /// Where the two stand relative to each other, one sentence per score of the plane (or the
    /// first two scores), from each partner's latest administration.
    pub reading: Vec<String>,
    /// Each partner's latest administration's day and headline scores.
    pub latest: [(String, String); 2],
}

/// What a couple's page and report show.
pub struct CoupleResults {
    /// The partners' names, in the couple's order.
    pub names: [String; 2],
    /// One entry per questionnaire both completed, in catalog order.
    pub planes: Vec<CouplePlane>,
    /// Questionnaires only one of them completed ("Sam took the RQ; Alex has not: shown apart,
    /// in Sam's own results").
    pub apart: Vec<String>,
}

/// Each partner's completed, scored administrations of `instrument`, oldest first.
fn done<'a>(
    partner: &Partner<'a>,
    instrument: &Instrument,
) -> Vec<(&'a Administration, &'a ScoreReport)> {
    let mut v: Vec<(&Administration, &ScoreReport)> = partner
        .administrations
        .iter()
        .filter(|(a, _)| a.instrument_id == instrument.id && a.status == Status::Completed)
        .filter_map(|(a, r)| Some((*a, (*r)?)))
        .collect();
    v.sort_by(|(a, _), (b, _)| a.course_key().cmp(&b.course_key()));
    v
}

/// The couple's results over `instruments` (the catalog's, in its order).
pub fn couple_results(
    instruments: &[Instrument],
    partners: [&Partner<'_>; 2],
    settings: &Settings,
    local: Option<&LocalNorms>,
) -> CoupleResults {
    let names = partners.map(|p| p.name.to_owned());
    let mut planes = Vec::new();
    let mut apart = Vec::new();
    for instrument in instruments {
        let courses = partners.map(|p| done(p, instrument));
        match (courses[0].is_empty(), courses[1].is_empty()) {
            (true, true) => {}
            (false, false) => {
                planes.push(couple_plane(instrument, &names, &courses, settings, local));
            }
            (a_none, _) => {
                let (took, not) = if a_none {
                    (&names[1], &names[0])
                } else {
                    (&names[0], &names[1])
                };
                apart.push(format!(
                    "{took} took the {short}; {not} has not: the {short} is shown apart, in \
                     {took}'s own results.",
                    short = instrument.short_name
                ));
            }
        }
    }
    CoupleResults {
        names,
        planes,
        apart,
    }
}

fn couple_plane(
    instrument: &Instrument,
    names: &[String; 2],
    courses: &[Vec<(&Administration, &ScoreReport)>; 2],
    settings: &Settings,
    local: Option<&LocalNorms>,
) -> CouplePlane {
    let clinic = clinic_figures(instrument, settings, local);
    let axes = couple_axes(instrument);
    // The legend names the partners; the title is the questionnaire's (and its block's).
    let title = match axes.as_ref().and_then(|a| a.2.as_ref()) {
        Some(block) => format!("{}: about the {block}", instrument.short_name),
        None => instrument.short_name.clone(),
    };
    let chart = PlaneChart::for_instrument(instrument, &title).map(|mut chart| {
        for (name, course) in names.iter().zip(courses) {
            let reports: Vec<(String, &ScoreReport)> = course
                .iter()
                .map(|(a, r)| (day(a.given_on()), *r))
                .collect();
            let points = match &axes {
                Some((x, y, _)) => reports
                    .iter()
                    .filter_map(|(label, r)| {
                        chart_data::point(instrument, r, (*x, *y), label, &clinic)
                    })
                    .collect(),
                None => Vec::new(),
            };
            chart.partners.push(PartnerTrack {
                name: name.clone(),
                points,
            });
        }
        chart
    });
    let latest = [0, 1].map(|k| {
        courses[k]
            .last()
            .map(|(a, r)| (day(a.given_on()), text::headline(instrument, r)))
            .unwrap_or_default()
    });
    let mut reading = Vec::new();
    // The plane's two scores, anxiety first; without a plane (RFQ-8), its first two scores.
    let compared: Vec<usize> = match &axes {
        Some((x, y, _)) => vec![*y, *x],
        None => (0..instrument.scores.len().min(2)).collect(),
    };
    if let (Some((_, a)), Some((_, b))) = (courses[0].last(), courses[1].last()) {
        for k in compared {
            if let Some(line) = compare(instrument, k, names, [a, b], clinic(k).as_ref()) {
                reading.push(line);
            }
        }
    }
    CouplePlane {
        instrument: instrument.clone(),
        chart,
        reading,
        latest,
    }
}

/// The two scores a couple's plane shows, (x, y), and the block they are about: for a
/// questionnaire with a block about the romantic partner (the ECR-RS's `partner`), that
/// block's avoidance and anxiety — the relationship couples work is about — else the plane's
/// own two scores. `None` without a plane.
fn couple_axes(instrument: &Instrument) -> Option<(usize, usize, Option<String>)> {
    let plane = instrument.plane.as_ref()?;
    let partner_block = instrument
        .blocks
        .iter()
        .position(|b| b.id == "partner")
        .and_then(|k| plane.block_points.iter().find(|(b, _, _)| *b == k))
        .map(|&(b, x, y)| (x, y, instrument.blocks.get(b).map(|bl| bl.name.clone())));
    Some(partner_block.unwrap_or((plane.x, plane.y, None)))
}

/// One sentence on score `score_idx` of the two partners' latest reports: who is higher, by how much,
/// and whether the difference is beyond measurement error. Two people's scores each carry
/// their error, so a difference is beyond it when it exceeds 1.96 times the standard error of
/// the difference, `SEM · √2` (the same figures for both). Without usable figures it says
/// that this cannot be told.
pub fn compare(
    instrument: &Instrument,
    score_idx: usize,
    names: &[String; 2],
    reports: [&ScoreReport; 2],
    clinic: Option<&crate::core::change::Figures>,
) -> Option<String> {
    let first = reports[0].scores.get(score_idx)?.value?;
    let second = reports[1].scores.get(score_idx)?.value?;
    let score = instrument.scores.get(score_idx)?.name.to_lowercase();
    let limit = figures_or_reason(instrument, score_idx, clinic)
        .ok()
        .and_then(|(f, _)| Some((Z95 * f.sem()? * std::f64::consts::SQRT_2, f.source)));
    let (x, y) = (&names[0], &names[1]);
    if (first - second).abs() < 1e-9 {
        return Some(format!(
            "{x}'s and {y}'s {score} are the same ({first:.2})."
        ));
    }
    let (high, low, hv, lv) = if first > second {
        (x, y, first, second)
    } else {
        (y, x, second, first)
    };
    Some(match limit {
        Some((limit, source)) if (first - second).abs() <= limit => format!(
            "{x}'s and {y}'s {score} are within measurement error of each other ({first:.2} vs \
             {second:.2}; a difference of up to {limit:.2} is, from {source})."
        ),
        Some((limit, source)) => format!(
            "{high}'s {score} is higher than {low}'s ({hv:.2} vs {lv:.2}), beyond measurement \
             error (a difference of up to {limit:.2} is within it, from {source})."
        ),
        None => format!(
            "{high}'s {score} is higher than {low}'s ({hv:.2} vs {lv:.2}); without reliability \
             figures for this score, whether that is beyond measurement error cannot be said."
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::bundled::bundled;
    use crate::core::change::Figures;
    use crate::core::{Answer, Responses, score};

    fn ecr_r() -> Instrument {
        bundled()
            .into_iter()
            .flatten()
            .find(|i| i.id == "ecr-r")
            .unwrap()
    }

    /// An ECR-R report with every anxiety item `anxiety` and every avoidance item `avoidance`
    /// after keying (reversed items answered 8 minus it).
    fn report(i: &Instrument, anxiety: i32, avoidance: i32) -> ScoreReport {
        let reversed = [9, 11, 20, 22, 26, 27, 28, 29, 30, 31, 33, 34, 35, 36];
        let mut r = Responses::new(i);
        for slot in 0..36 {
            let n = slot + 1;
            let target = if n <= 18 { anxiety } else { avoidance };
            let v = if reversed.contains(&n) {
                8 - target
            } else {
                target
            };
            r.set(slot, Answer::Value(v)).unwrap();
        }
        score(i, &r)
    }

    fn names() -> [String; 2] {
        ["Alex".to_owned(), "Sam".to_owned()]
    }

    #[test]
    fn who_is_higher_and_whether_beyond_measurement_error() {
        let ecr = ecr_r();
        let anxiety = ecr.score_index("anxiety").unwrap();
        // SEM = 1.1 * sqrt(1 - 0.91) = 0.33; the limit for a difference between two people is
        // 1.96 * 0.33 * sqrt(2) = 0.9147...
        let figures = Figures {
            reliability: 0.91,
            sd: 1.1,
            source: "a test sample".into(),
        };
        let (high, low) = (report(&ecr, 5, 2), report(&ecr, 2, 5));
        let line = compare(&ecr, anxiety, &names(), [&high, &low], Some(&figures)).unwrap();
        assert_eq!(
            line,
            "Alex's attachment anxiety is higher than Sam's (5.00 vs 2.00), beyond measurement \
             error (a difference of up to 0.91 is within it, from a test sample)."
        );
        // Sam higher: named first.
        let line = compare(&ecr, anxiety, &names(), [&low, &high], Some(&figures)).unwrap();
        assert!(
            line.starts_with("Sam's attachment anxiety is higher than Alex's (5.00 vs 2.00)"),
            "{line}"
        );
        let (same1, same2) = (report(&ecr, 4, 3), report(&ecr, 4, 3));
        assert_eq!(
            compare(&ecr, anxiety, &names(), [&same1, &same2], Some(&figures)).unwrap(),
            "Alex's and Sam's attachment anxiety are the same (4.00)."
        );
        let wide = Figures {
            reliability: 0.5,
            sd: 2.0,
            source: "a wide sample".into(),
        };
        // SEM = 2 * sqrt(0.5) = 1.414...; limit = 1.96 * 1.414 * 1.414 = 3.92: 5 vs 2 is within.
        assert_eq!(
            compare(&ecr, anxiety, &names(), [&high, &low], Some(&wide)).unwrap(),
            "Alex's and Sam's attachment anxiety are within measurement error of each other \
             (5.00 vs 2.00; a difference of up to 3.92 is, from a wide sample)."
        );
        // Without figures anywhere (the instrument file's taken away too).
        let mut bare = ecr.clone();
        bare.reliability.clear();
        let line = compare(&bare, anxiety, &names(), [&high, &low], None).unwrap();
        assert!(
            line.ends_with("whether that is beyond measurement error cannot be said."),
            "{line}"
        );
    }

    /// The ECR-RS's couple plane is about the romantic partner: its points and its reading are
    /// the partner block's scores, not the global ones over four relationships.
    #[test]
    fn an_ecr_rs_couple_plane_is_the_partner_block() {
        let rs = bundled()
            .into_iter()
            .flatten()
            .find(|i| i.id == "ecr-rs")
            .unwrap();
        let partner = rs.blocks.iter().position(|b| b.id == "partner").unwrap();
        // Every answer 6 about the partner, 2 about everyone else: partner and global differ.
        let answers = |about_partner: i32| {
            let mut r = Responses::new(&rs);
            for (slot, s) in rs.slots.iter().enumerate() {
                let v = if s.block_idx == Some(partner) {
                    about_partner
                } else {
                    2
                };
                r.set(slot, Answer::Value(v)).unwrap();
            }
            score(&rs, &r)
        };
        let (ra, rb) = (answers(6), answers(3));
        let admin = |client: &str| {
            let mut a = Administration::new(
                client.into(),
                client,
                &rs,
                crate::store::Source::ClientMode,
                jiff::Timestamp::UNIX_EPOCH,
            );
            a.status = Status::Completed;
            a
        };
        let (aa, ab) = (admin("a"), admin("b"));
        let pa = Partner {
            name: "Alex",
            administrations: vec![(&aa, Some(&ra))],
        };
        let pb = Partner {
            name: "Sam",
            administrations: vec![(&ab, Some(&rb))],
        };
        let results = couple_results(
            std::slice::from_ref(&rs),
            [&pa, &pb],
            &Settings::default(),
            None,
        );
        let plane = &results.planes[0];
        let x = rs.score_index("partner_avoidance").unwrap();
        let y = rs.score_index("partner_anxiety").unwrap();
        let global_x = rs.score_index("global_avoidance").unwrap();
        assert_ne!(ra.scores[x].value, ra.scores[global_x].value);
        let chart = plane.chart.as_ref().unwrap();
        let point = &chart.partners[0].points[0];
        assert_eq!(Some(point.x), ra.scores[x].value);
        assert_eq!(Some(point.y), ra.scores[y].value);
        assert!(chart.title.contains("romantic partner"), "{}", chart.title);
        let name = rs.scores[y].name.to_lowercase();
        assert!(plane.reading[0].contains(&name), "{:?}", plane.reading);
    }
}
