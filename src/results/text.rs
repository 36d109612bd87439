//! What securebase says about one administration, as rows and sentences: the one source for
//! the app's results page and the PDF report, which only place these (egui grid rows, or
//! table rows on paper). Numbers, dashes, names and caveats are written here once, so the
//! screen and the paper cannot drift apart again (they had: "mother:" on one and "mother or
//! mother-like figure:" on the other, ten lines of "How to read" against two).
//!
//! Where the two differ on purpose it is the [`Medium`] parameter, never an accident: the
//! screen names a relationship block by its short id, paper by its full name.

use super::{Assessment, percentile_text};
use crate::core::change::ScoreChange;
use crate::core::instrument::Instrument;
use crate::core::plane::{REGION_CAVEAT, Region};
use crate::core::{Flag, ScoreReport};
use crate::results::local_norms::NormOption;

/// The dash that stands for "no value".
pub const NONE: &str = "\u{2014}";

/// Flags never remove a score; both media say so.
pub const FLAGS_NOTE: &str = "Flags describe the answering; they never remove a score.";

/// Said wherever scores are shown: the missing-data rule is securebase's, not the authors'
/// (AUDIT.md D4; none of the shipped instruments' authors publishes one).
pub const MISSING_NOTE: &str = "Missing answers: a scale is scored when no more than its \
    allowed number of items is missing (20 % of its items, rounded down, unless the \
    questionnaire file sets another limit). This is securebase's policy: the instruments' \
    authors publish no missing-data rule.";

/// Said when there are no validity flags.
pub const NO_FLAGS: &str = "No flags: nothing unusual about how the form was answered.";

/// The sentence under a chosen norm set's name.
pub const STANDING_NOTE: &str =
    "A standing says where a score lies in that group, not whether it is a problem.";

/// Said when an instrument ships without a verified norm set.
pub const NO_NORMS: &str = "No published norms: no verified norm set exists for this \
instrument yet; the values are raw scale scores. Local norms, computed in Settings, can be \
chosen at the top of the results page.";

/// Said when no score has a 95 % band.
pub const NO_BANDS: &str = "No 95 % bands: no reliability and SD are set for these scores \
(none are verified for shipping; a clinic can enter its own).";

/// Where the rows are shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Medium {
    /// The results page: short block labels ("mother"), which fit a grid column.
    Screen,
    /// The PDF report: full block names ("mother or mother-like figure"), as a file reads.
    Paper,
}

/// A number as both media show it: two decimals, or the dash.
pub fn number(v: Option<f64>) -> String {
    v.map_or(NONE.to_owned(), |v| format!("{v:.2}"))
}

/// A range end without trailing zeros: `1`, `2.5`.
fn trim(v: f64) -> String {
    let s = format!("{v:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// One row of the scores table.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoreRow {
    /// The score's name; a relationship block's scores say whose they are.
    pub name: String,
    /// What a higher value means (the score's hover text on screen).
    pub higher_means: String,
    /// The value, two decimals, or the dash.
    pub value: String,
    /// Why there is no value, when the core did not score it.
    pub not_scored: Option<String>,
    /// The 95 % band (`3.10 to 4.20`), when reliability figures are known.
    pub band: Option<String>,
    /// `11 of 12`.
    pub answered: String,
    /// The possible range, `1 to 7`.
    pub range: String,
    /// Short flags about this score (the form's own flags are in [`Readings::flags`]).
    pub flags: Vec<String>,
    /// z, T and percentile against the chosen norm set; `None` when none is chosen, the dash
    /// in each when the set has no figures for this score.
    pub standing: Option<[String; 3]>,
}

impl ScoreRow {
    /// The flags and, for an unscored score, why: one cell for tables without a value reason.
    pub fn flags_with_reason(&self) -> String {
        let mut words = self.flags.clone();
        if let Some(reason) = &self.not_scored {
            words.retain(|w| w != "too many items missing");
            words.push(reason.clone());
        }
        words.join("; ")
    }
}

/// The scores table of `a`, with standings against `norm` when one is chosen.
pub fn score_rows(a: &Assessment, norm: Option<&NormOption>, medium: Medium) -> Vec<ScoreRow> {
    let i = &a.instrument;
    i.scores
        .iter()
        .zip(&a.report.scores)
        .enumerate()
        .map(|(k, (def, s))| ScoreRow {
            name: score_name(i, k, medium),
            higher_means: def.higher_means.clone(),
            value: number(s.value),
            not_scored: s.not_scored.map(|r| r.to_string()),
            band: a
                .bands
                .get(k)
                .copied()
                .flatten()
                .map(|(lo, hi)| format!("{lo:.2} to {hi:.2}")),
            answered: answered(i, def, s),
            range: format!("{} to {}", trim(def.range.0), trim(def.range.1)),
            flags: a
                .report
                .flags
                .iter()
                .filter(|f| f.score_idx() == Some(k))
                .filter_map(|f| f.short().map(str::to_owned))
                .collect(),
            standing: norm.map(|set| {
                let st = s.value.and_then(|v| set.standing(k, v));
                match st {
                    Some(st) => [
                        format!("{:+.2}", st.z),
                        format!("{:.0}", st.t),
                        percentile_text(st.percentile),
                    ],
                    None => [NONE.to_owned(), NONE.to_owned(), NONE.to_owned()],
                }
            }),
        })
        .collect()
}

/// "18 of 18" (items or component scores with a value, of all); for a score averaged over
/// blocks when some do not apply, on what it rests: "based on 3 of 4 relationships" (a
/// securebase rule: the mean over the blocks that apply), or that none applies.
fn answered(
    i: &Instrument,
    def: &crate::core::instrument::ScoreDef,
    s: &crate::core::Score,
) -> String {
    basis(def, s).map_or_else(
        || format!("{} of {}", s.n_answered, s.n_items),
        |(used, total)| format!("based on {used} of {total} {}", i.blocks_noun),
    )
}

/// For a score averaged over blocks when some do not apply: (blocks used, blocks in all).
/// `None` for every other score. What the page, the report and the exports all say.
pub fn basis(
    def: &crate::core::instrument::ScoreDef,
    s: &crate::core::Score,
) -> Option<(usize, usize)> {
    match &def.rule {
        crate::core::instrument::ScoreRule::Mean { scores, .. }
            if s.n_items < scores.len()
                || s.not_scored == Some(crate::core::NotScored::NoneApplies) =>
        {
            Some((s.n_items, scores.len()))
        }
        _ => None,
    }
}

/// Score `k`'s name; a block's score is prefixed with whose it is (see [`Medium`]).
pub fn score_name(instrument: &Instrument, k: usize, medium: Medium) -> String {
    let Some(def) = instrument.scores.get(k) else {
        return String::new();
    };
    match def.block_idx.and_then(|b| instrument.blocks.get(b)) {
        Some(block) => {
            let whose = match medium {
                Medium::Screen => &block.id,
                Medium::Paper => &block.name,
            };
            format!("{whose}: {}", def.name.to_lowercase())
        }
        None => def.name.clone(),
    }
}

/// One row of the change table.
#[derive(Debug, Clone, PartialEq)]
pub struct ChangeRow {
    /// The score's name.
    pub name: String,
    /// The value before, or the dash.
    pub before: String,
    /// The value now, or the dash.
    pub now: String,
    /// Now minus before, signed, or the dash.
    pub difference: String,
    /// `reliably better (RCI -2.31)`, or `not computable`.
    pub reading: String,
}

/// Change since the administration before: its date, the rows, and the notes under them
/// (which figures were used, or plainly why there is no reliable change).
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    /// The table's title: "Change since 3 Aug 2026 (the administration before)" or "Change
    /// since intake (6 Dec 2025)".
    pub heading: String,
    /// The earlier administration's date.
    pub since: String,
    /// Per score.
    pub rows: Vec<ChangeRow>,
    /// One line per score with figures or a reason; repeats next to each other merged.
    pub notes: Vec<String>,
}

/// The change sections of `a`: since the administration before, then since the intake when
/// that is another one.
pub fn changes(a: &Assessment, medium: Medium) -> Vec<Change> {
    let before = a.change.as_ref().map(|(since, c)| {
        let heading = if a.since_intake.is_some() {
            format!("Change since {since} (the administration before)")
        } else {
            format!("Change since {since}")
        };
        change_table(a, heading, since, c, medium)
    });
    let intake = a.since_intake.as_ref().map(|(since, c)| {
        change_table(
            a,
            format!("Change since intake ({since})"),
            since,
            c,
            medium,
        )
    });
    before.into_iter().chain(intake).collect()
}

/// The change section since the administration before, when there is one.
pub fn change(a: &Assessment, medium: Medium) -> Option<Change> {
    changes(a, medium).into_iter().next()
}

/// One change table: per score, before, now, the difference and the reliable change in words,
/// and a note per score on the figures used or why there are none.
fn change_table(
    a: &Assessment,
    heading: String,
    since: &str,
    changes: &[ScoreChange],
    medium: Medium,
) -> Change {
    let rows = changes
        .iter()
        .map(|c| ChangeRow {
            name: if c.score_idx < a.instrument.scores.len() {
                score_name(&a.instrument, c.score_idx, medium)
            } else {
                c.score_id.clone()
            },
            before: number(c.before),
            now: number(c.after),
            difference: c.difference.map_or(NONE.to_owned(), |d| format!("{d:+.2}")),
            reading: match (c.rci, c.verdict) {
                (Some(rci), Some(v)) => format!("{} (RCI {rci:.2})", v.label()),
                _ => "not computable".to_owned(),
            },
        })
        .collect();
    let mut notes: Vec<String> = changes
        .iter()
        .filter_map(|c| match (&c.figures, &c.not_computable) {
            (Some((f, from)), None) => Some(format!(
                "{}: reliability {:.2}, SD {:.2} ({}, from {}).",
                c.score_id,
                f.reliability,
                f.sd,
                f.source,
                from.label()
            )),
            (_, Some(reason)) => Some(format!("{}: {reason}.", c.score_id)),
            _ => None,
        })
        .collect();
    notes.dedup();
    Change {
        heading,
        since: since.to_owned(),
        rows,
        notes,
    }
}

/// The RQ-style forced choice.
#[derive(Debug, Clone, PartialEq)]
pub struct ForcedChoice {
    /// `Forced choice: paragraph B`.
    pub heading: String,
    /// The paragraph chosen, verbatim.
    pub paragraph: String,
    /// Whether it agrees with the ratings.
    pub agreement: String,
}

/// The readings beside the numbers, each with its caveat.
#[derive(Debug, Clone, PartialEq)]
pub struct Readings {
    /// The forced choice, when the instrument has one and it was made.
    pub choice: Option<ForcedChoice>,
    /// `Descriptive category: …` and its caveat.
    pub category: Option<(String, String)>,
    /// `Region of the anxiety-avoidance plane: …` and its caveat.
    pub region: Option<(String, String)>,
    /// How to read the scores: one line per distinct meaning.
    pub how_to_read: Vec<String>,
    /// Every validity flag, as a sentence; the form's own first, in the core's order.
    pub flags: Vec<String>,
}

/// The readings of `a`.
pub fn readings(a: &Assessment) -> Readings {
    let i = &a.instrument;
    let report = &a.report;
    let choice = match (&a.administration.choice, &i.choice) {
        (Some(choice), Some(def)) => Some(ForcedChoice {
            heading: format!("Forced choice: paragraph {choice}"),
            paragraph: def
                .options
                .iter()
                .find(|(v, _)| v == choice)
                .and_then(|(_, item)| i.items.get(*item))
                .map_or(String::new(), |item| item.text.clone()),
            agreement: if report.flags.contains(&Flag::ChoiceDisagrees) {
                "The forced choice is not the paragraph rated highest: the two parts disagree."
            } else {
                "The forced choice agrees with the highest rating."
            }
            .to_owned(),
        }),
        _ => None,
    };
    let category = match (report.category, &i.category) {
        (Some(category), Some(def)) => def.options.get(category.option_idx).map(|option| {
            (
                format!("Descriptive category: {}", option.label),
                def.caveat.clone(),
            )
        }),
        _ => None,
    };
    let region_of = |r: &ScoreReport| {
        let plane = i.plane.as_ref()?;
        let x = r.scores.get(plane.x)?.value?;
        let y = r.scores.get(plane.y)?.value?;
        Some(Region::of(x, y, plane.midpoint).label())
    };
    let region = region_of(report).map(|now| {
        // At intake too, when there is an earlier one: where the client started.
        let at_intake = a
            .earlier
            .first()
            .and_then(|(date, r)| Some((date, region_of(r)?)))
            .map_or(String::new(), |(date, then)| {
                format!(" (at intake, {date}: {then})")
            });
        (
            format!("Region of the anxiety-avoidance plane: {now}{at_intake}"),
            REGION_CAVEAT.to_owned(),
        )
    });
    Readings {
        choice,
        category,
        region,
        how_to_read: how_to_read(i),
        flags: report.flags.iter().map(|f| f.describe(i)).collect(),
    }
}

/// One line per score meaning: the scores outside any block (for the ECR-RS, its global
/// anxiety and avoidance, whose meaning every relationship's scores share); an instrument
/// whose scores are all in blocks gives each distinct meaning once.
fn how_to_read(i: &Instrument) -> Vec<String> {
    let line = |name: &str, means: &str| format!("{name}: {}.", means.trim_end_matches('.'));
    let unblocked: Vec<String> = i
        .scores
        .iter()
        .filter(|d| d.block_idx.is_none() && !d.higher_means.is_empty())
        .map(|d| line(&d.name, &d.higher_means))
        .collect();
    if !unblocked.is_empty() {
        return unblocked;
    }
    let mut seen: Vec<(&str, &str)> = Vec::new();
    for d in i.scores.iter().filter(|d| !d.higher_means.is_empty()) {
        if !seen
            .iter()
            .any(|(n, m)| *n == d.name && *m == d.higher_means)
        {
            seen.push((&d.name, &d.higher_means));
        }
    }
    seen.into_iter().map(|(n, m)| line(n, m)).collect()
}

/// What is said about norms: the chosen set and what a standing means, or that the instrument
/// has none published.
pub fn norm_note(instrument: &Instrument, norm: Option<&NormOption>) -> Option<String> {
    match norm {
        Some(set) => Some(format!(
            "{}. {} {STANDING_NOTE}",
            set.label,
            set.percentile_note()
        )),
        None if instrument.norm_sets.is_empty() => Some(NO_NORMS.to_owned()),
        None => None,
    }
}

/// The two scores a list of administrations shows: the plane's (anxiety, then avoidance),
/// else the first two; by their names, as the results page names them ("Attachment anxiety
/// 4.22 · Attachment avoidance 3.10").
pub fn headline(instrument: &Instrument, report: &ScoreReport) -> String {
    let mut order: Vec<usize> = match &instrument.plane {
        Some(p) => vec![p.y, p.x],
        None => (0..instrument.scores.len().min(2)).collect(),
    };
    order.truncate(2);
    order
        .iter()
        .filter_map(|&k| {
            let value = report.scores.get(k)?.value;
            Some(format!(
                "{} {}",
                score_name(instrument, k, Medium::Screen),
                number(value)
            ))
        })
        .collect::<Vec<_>>()
        .join(" \u{b7} ")
}

/// The figures each band was drawn from, one line per score with a band: "anxiety: 95 % band
/// from reliability 0.93 and SD 1.17 (this clinic's intakes, n = 41, α = 0.93, computed 1 Dec
/// 2026; from the clinic)." So that a page without a change table still names its figures.
pub fn band_notes(a: &Assessment) -> Vec<String> {
    a.instrument
        .scores
        .iter()
        .zip(&a.band_figures)
        .filter_map(|(def, f)| {
            let (f, from) = f.as_ref()?;
            Some(format!(
                "{}: 95 % band from reliability {:.2} and SD {:.2} ({}; from {}).",
                def.id,
                f.reliability,
                f.sd,
                f.source,
                from.label()
            ))
        })
        .collect()
}

/// [`NO_BANDS`], when no score has a band.
pub fn bands_note(a: &Assessment) -> Option<&'static str> {
    a.bands.iter().all(Option::is_none).then_some(NO_BANDS)
}
