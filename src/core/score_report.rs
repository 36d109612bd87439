//! What scoring says about one set of answers: the [`ScoreReport`] (scores, flags, category)
//! and its parts. Apart from `scoring.rs`, which computes it, and `validity.rs`, which adds the
//! flags, so that neither of the two depends on the other's file.

use super::instrument::Instrument;

/// Why a score has no value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotScored {
    /// More items were missing than the scale allows.
    TooManyMissing {
        /// Items missing.
        missing: usize,
        /// Items allowed to be missing.
        allowed: usize,
    },
    /// A score this one is computed from has no value.
    MissingComponents {
        /// Components without a value.
        missing: usize,
        /// Components allowed to be missing.
        allowed: usize,
    },
    /// The scale's block does not apply to this respondent (marked at set-up).
    NotApplicable,
    /// A score over blocks where none applies.
    NoneApplies,
}

impl std::fmt::Display for NotScored {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NotScored::TooManyMissing { missing, allowed } => write!(
                f,
                "not scored: {missing} items missing, at most {allowed} allowed"
            ),
            NotScored::MissingComponents { missing, allowed } => write!(
                f,
                "not scored: {missing} component scores missing, at most {allowed} allowed"
            ),
            NotScored::NotApplicable => write!(f, "does not apply (marked at set-up)"),
            NotScored::NoneApplies => write!(
                f,
                "not scored: none of the parts it is averaged over applies"
            ),
        }
    }
}

/// One computed score.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Score {
    /// The value, or `None` with a reason in `not_scored`.
    pub value: Option<f64>,
    /// Items (for scales) or component scores (for derived scores) that had a value.
    pub n_answered: usize,
    /// Items or components in all.
    pub n_items: usize,
    /// Why there is no value.
    pub not_scored: Option<NotScored>,
}

/// Something about how the form was answered that a clinician should see.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Flag {
    /// A score could not be computed because too many items were missing.
    TooManyMissing {
        /// Score index.
        score_idx: usize,
    },
    /// A long run of identical consecutive answers.
    Longstring {
        /// Length of the longest run.
        run: usize,
    },
    /// Every answer was the scale midpoint.
    AllMidpoint,
    /// Forward and reversed items of a scale disagree after keying.
    Contradiction {
        /// Score index of the scale.
        score_idx: usize,
    },
    /// Answers were given faster than is plausible for reading the items.
    Fast,
    /// The forced choice is not among the highest-rated options.
    ChoiceDisagrees,
    /// The highest ratings tie and the forced choice does not resolve it.
    CategoryTie,
}

impl Flag {
    /// Position of the flag's kind in the fixed output order.
    pub(super) fn rank(&self) -> u8 {
        match self {
            Flag::TooManyMissing { .. } => 0,
            Flag::Longstring { .. } => 1,
            Flag::AllMidpoint => 2,
            Flag::Contradiction { .. } => 3,
            Flag::Fast => 4,
            Flag::ChoiceDisagrees => 5,
            Flag::CategoryTie => 6,
        }
    }

    /// The flag's code as written in CSV and JSON (`too_many_missing:anxiety`).
    pub fn code(&self, instrument: &Instrument) -> String {
        let score = |i: usize| instrument.scores.get(i).map_or("?", |s| s.id.as_str());
        match self {
            Flag::TooManyMissing { score_idx } => format!("too_many_missing:{}", score(*score_idx)),
            Flag::Longstring { run } => format!("longstring:{run}"),
            Flag::AllMidpoint => "all_midpoint".to_owned(),
            Flag::Contradiction { score_idx } => format!("contradiction:{}", score(*score_idx)),
            Flag::Fast => "fast".to_owned(),
            Flag::ChoiceDisagrees => "choice_disagrees".to_owned(),
            Flag::CategoryTie => "category_tie".to_owned(),
        }
    }

    /// The score a flag is about, for flags about one score (too many missing, contradiction).
    pub fn score_idx(&self) -> Option<usize> {
        match self {
            Flag::TooManyMissing { score_idx } | Flag::Contradiction { score_idx } => {
                Some(*score_idx)
            }
            _ => None,
        }
    }

    /// A few words for a score's row in a table (`contradiction`), for flags about one score.
    pub fn short(&self) -> Option<&'static str> {
        match self {
            Flag::TooManyMissing { .. } => Some("too many items missing"),
            Flag::Contradiction { .. } => Some("reversed items contradict the others"),
            _ => None,
        }
    }

    /// A sentence for the clinician.
    pub fn describe(&self, instrument: &Instrument) -> String {
        let score = |i: usize| instrument.scores.get(i).map_or("?", |s| s.name.as_str());
        match self {
            Flag::TooManyMissing { score_idx } => {
                format!("{}: too many items missing to score", score(*score_idx))
            }
            Flag::Longstring { run } => {
                format!("{run} identical answers in a row: check for inattentive answering")
            }
            Flag::AllMidpoint => "Every answer is the scale midpoint".to_owned(),
            Flag::Contradiction { score_idx } => format!(
                "{}: answers to reversed items contradict the other items",
                score(*score_idx)
            ),
            Flag::Fast => "Answered faster than the items can be read".to_owned(),
            Flag::ChoiceDisagrees => {
                "The forced choice is not the highest-rated paragraph".to_owned()
            }
            Flag::CategoryTie => {
                "Highest ratings tie and the forced choice does not resolve it".to_owned()
            }
        }
    }
}

/// The descriptive category, when the instrument defines one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CategoryResult {
    /// Index into the instrument's category options.
    pub option_idx: usize,
    /// Whether a tie was broken by the forced choice.
    pub by_tie_break: bool,
}

/// Everything scoring says about one set of answers.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ScoreReport {
    /// One per [`Instrument::scores`], same order.
    pub scores: Vec<Score>,
    /// Answer slots without a value (missing or declined).
    pub n_missing: usize,
    /// Of those, how many the respondent declined ("prefer not to answer").
    pub n_declined: usize,
    /// Validity and missing-data flags, in a fixed order.
    pub flags: Vec<Flag>,
    /// The descriptive category (RQ), if defined and determinable.
    pub category: Option<CategoryResult>,
}
