//! Checked instruments: the only form in which the rest of securebase sees a questionnaire.
//!
//! [`Instrument::from_json`] parses a questionnaire file ([`crate::core::schema`]) and checks
//! every cross-reference (items named by scales, recode tables, derived scores, the plane,
//! the forced choice). After that, scoring cannot meet an unknown item or an unscored
//! dependency: invariants live here, not in the scorer. No file I/O: callers pass the text.

use super::schema::ScaleMethod;

pub use super::schema::{Instructions, NormSetDef as NormSet};

/// Output columns that a score id may not take.
pub const RESERVED_COLUMNS: [&str; 4] = ["n_missing", "flags", "category", "scores"];

/// A validated instrument.
#[derive(Debug, Clone)]
pub struct Instrument {
    /// Stable id (`ecr-r`).
    pub id: String,
    /// Version of the definition.
    pub version: String,
    /// Language of the wording.
    pub language: String,
    /// Full name.
    pub name: String,
    /// Short name.
    pub short_name: String,
    /// Publication to cite.
    pub citation: String,
    /// Permission note.
    pub licence_note: String,
    /// What was verified and what not.
    pub verification_note: String,
    /// Instructions with their verification status.
    pub instructions: Instructions,
    /// The answer scale.
    pub response: ResponseScale,
    /// Items in presentation order.
    pub items: Vec<Item>,
    /// Repeated blocks (ECR-RS targets); empty for most instruments.
    pub blocks: Vec<Block>,
    /// What the blocks are, in the plural ("relationships").
    pub blocks_noun: String,
    /// Every answer the form asks for, in presentation order: each item once, or each item once
    /// per block. Answers are indexed by slot.
    pub slots: Vec<Slot>,
    /// Scores in output order: scales (per block), then derived scores.
    pub scores: Vec<ScoreDef>,
    /// Recode tables, indexed by [`Keying::Recode`].
    pub recode_tables: Vec<RecodeTable>,
    /// The forced choice, if any.
    pub choice: Option<Choice>,
    /// The authors' categorical reading, if any.
    pub category: Option<Category>,
    /// The attachment plane, if the instrument has one.
    pub plane: Option<Plane>,
    /// Validity-flag thresholds, defaults resolved.
    pub validity: Validity,
    /// Reliability figures usable for measurement error.
    pub reliability: Vec<Reliability>,
    /// Reliability information that is not a usable number.
    pub reliability_notes: Vec<String>,
    /// Norm sets (none shipped yet).
    pub norm_sets: Vec<NormSet>,
    /// Why there are (no) norms.
    pub norms_note: String,
}

/// The answer scale.
#[derive(Debug, Clone)]
pub struct ResponseScale {
    /// Lowest answer.
    pub min: i32,
    /// Highest answer.
    pub max: i32,
    /// Labelled values, ascending.
    pub anchors: Vec<(i32, String)>,
    /// Note on unverified labels.
    pub note: String,
}

impl ResponseScale {
    /// Whether `value` is an allowed answer.
    pub fn contains(&self, value: i64) -> bool {
        value >= i64::from(self.min) && value <= i64::from(self.max)
    }

    /// The middle answer, when the scale has one (odd number of points).
    pub fn midpoint(&self) -> Option<i32> {
        let span = self.max - self.min;
        (span % 2 == 0).then_some(self.min + span / 2)
    }

    /// The label of `value`, if it is an anchor.
    pub fn anchor(&self, value: i32) -> Option<&str> {
        self.anchors
            .iter()
            .find(|(v, _)| *v == value)
            .map(|(_, label)| label.as_str())
    }
}

/// One item.
#[derive(Debug, Clone)]
pub struct Item {
    /// The item's number in the published key.
    pub number: u32,
    /// Verbatim wording.
    pub text: String,
    /// Printed label (RQ `A`-`D`).
    pub label: Option<String>,
}

/// One repeated block.
#[derive(Debug, Clone)]
pub struct Block {
    /// Id, the prefix of its columns and scores.
    pub id: String,
    /// Who it is about.
    pub name: String,
    /// Header shown before its items.
    pub intro: String,
}

/// One answer the form asks for.
#[derive(Debug, Clone)]
pub struct Slot {
    /// Index into [`Instrument::items`].
    pub item_idx: usize,
    /// Index into [`Instrument::blocks`], for instruments with blocks.
    pub block_idx: Option<usize>,
    /// Column name in CSV files (`q7`, `mother_q3`).
    pub column: String,
}

/// How one item value enters a scale.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keying {
    /// As answered.
    Forward,
    /// `(min + max) - x`.
    Reverse,
    /// Through the recode table with this index.
    Recode(usize),
}

/// A recode table: scored value per answer, indexed by `answer - min`.
#[derive(Debug, Clone)]
pub struct RecodeTable {
    /// Its name in the file.
    pub name: String,
    /// Scored value for each answer from min to max.
    pub values: Vec<f64>,
}

/// One score the instrument defines.
#[derive(Debug, Clone)]
pub struct ScoreDef {
    /// Output id (`anxiety`, `mother_avoidance`, `model_of_self`).
    pub id: String,
    /// Name for people.
    pub name: String,
    /// What a high value means.
    pub higher_means: String,
    /// Which way is better when it changes (the file's `better`).
    pub better: Direction,
    /// Why, in one line (the file's `better_reason`).
    pub better_reason: String,
    /// For per-block scales: the block.
    pub block_idx: Option<usize>,
    /// For per-block scales: the scale id without the block prefix.
    pub base_id: String,
    /// How it is computed.
    pub rule: ScoreRule,
    /// Lowest and highest possible value.
    pub range: (f64, f64),
}

/// Which way is better for a score: data in each questionnaire file (`"better"`), checked to
/// be there for every score, and read by reliable change for its verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// A fall is an improvement (attachment anxiety, avoidance, RFQ-8 uncertainty).
    LowerIsBetter,
    /// A rise is an improvement (the RQ's model of self and of other, the secure rating).
    HigherIsBetter,
    /// Neither way is better in itself (RFQ-8 certainty, whose both extremes are of concern):
    /// change is reported as an increase or a decrease.
    Neither,
}

impl Direction {
    /// The file's word for it, and the command line's: `lower`, `higher`, `neither`.
    pub fn name(self) -> &'static str {
        match self {
            Direction::LowerIsBetter => "lower",
            Direction::HigherIsBetter => "higher",
            Direction::Neither => "neither",
        }
    }
}

impl From<super::schema::Better> for Direction {
    fn from(better: super::schema::Better) -> Self {
        match better {
            super::schema::Better::Lower => Direction::LowerIsBetter,
            super::schema::Better::Higher => Direction::HigherIsBetter,
            super::schema::Better::Neither => Direction::Neither,
        }
    }
}

/// How a score is computed.
#[derive(Debug, Clone)]
pub enum ScoreRule {
    /// From items.
    Scale {
        /// Mean or sum.
        method: ScaleMethod,
        /// Slots and how each is keyed.
        slots: Vec<(usize, Keying)>,
        /// How many slots may be missing.
        max_missing: usize,
    },
    /// `constant + sum(weight * score)`; all terms needed. Terms index earlier scores.
    Linear {
        /// (score index, weight).
        terms: Vec<(usize, f64)>,
        /// Added constant.
        constant: f64,
    },
    /// Mean of earlier scores.
    Mean {
        /// Score indices.
        scores: Vec<usize>,
        /// How many may be unscored.
        max_missing: usize,
    },
}

/// The forced choice.
#[derive(Debug, Clone)]
pub struct Choice {
    /// Column / key (`choice`).
    pub id: String,
    /// The question.
    pub prompt: String,
    /// Whether the prompt is verified.
    pub verified: bool,
    /// Note on the prompt's source.
    pub note: String,
    /// Options: (CSV value, item index).
    pub options: Vec<(String, usize)>,
}

impl Choice {
    /// The option whose value matches `text` (case-insensitive, surrounding space ignored).
    pub fn option_index(&self, text: &str) -> Option<usize> {
        let text = text.trim();
        self.options
            .iter()
            .position(|(value, _)| value.eq_ignore_ascii_case(text))
    }
}

/// The authors' categorical reading.
#[derive(Debug, Clone)]
pub struct Category {
    /// Candidates: (label, score index, forced-choice option index).
    pub options: Vec<CategoryOption>,
    /// Shown wherever the category is.
    pub caveat: String,
}

/// One candidate category.
#[derive(Debug, Clone)]
pub struct CategoryOption {
    /// Category name.
    pub label: String,
    /// Index of the score compared.
    pub score_idx: usize,
    /// Index of the forced-choice option standing for it.
    pub choice_idx: Option<usize>,
}

/// The plane: avoidance across, anxiety up.
#[derive(Debug, Clone)]
pub struct Plane {
    /// Score index on x.
    pub x: usize,
    /// Score index on y.
    pub y: usize,
    /// Where the descriptive regions divide.
    pub midpoint: f64,
    /// Per block: (block index, x score index, y score index).
    pub block_points: Vec<(usize, usize, usize)>,
}

/// Resolved validity thresholds; `None` means the flag is off.
#[derive(Debug, Clone)]
pub struct Validity {
    /// Minimum run length that flags.
    pub longstring_run: Option<usize>,
    /// Whether all-midpoint answering flags.
    pub all_midpoint: bool,
    /// Minimum keyed gap that flags.
    pub contradiction_gap: Option<f64>,
    /// Mean seconds per item below which answering is flagged as fast.
    pub min_seconds_per_item: Option<f64>,
}

/// A usable reliability figure.
#[derive(Debug, Clone)]
pub struct Reliability {
    /// Score index.
    pub score_idx: usize,
    /// Kind of coefficient.
    pub statistic: String,
    /// The coefficient.
    pub value: f64,
    /// SD from the same source.
    pub sd: Option<f64>,
    /// Source.
    pub source: String,
}

impl Instrument {
    /// Index of the score with this id.
    pub fn score_index(&self, id: &str) -> Option<usize> {
        self.scores.iter().position(|s| s.id == id)
    }

    /// Number of answer slots.
    pub fn n_slots(&self) -> usize {
        self.slots.len()
    }

    /// The item shown in `slot`.
    pub fn slot_item(&self, slot: &Slot) -> &Item {
        // Slots are built from items, so the index is always in bounds.
        &self.items[slot.item_idx]
    }
}

/// Column name of item `number`, optionally in a block.
pub fn item_column(block: Option<&str>, number: u32) -> String {
    match block {
        Some(b) => format!("{b}_q{number}"),
        None => format!("q{number}"),
    }
}
