//! The questionnaire file format, mirrored exactly as serde types.
//!
//! These types say what a `questionnaires/*.json` file *looks like*; they check nothing beyond
//! JSON types. [`crate::core::instrument`] turns them into checked [`Instrument`]s
//! ("parse, don't validate"). The format is documented for people in `questionnaires/README.md`;
//! keep the two in step.
//!
//! [`Instrument`]: crate::core::instrument::Instrument

use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;
use std::ops::Deref;

use serde::de::{MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};

/// The schema version this build reads and writes.
pub const SCHEMA_VERSION: u32 = 1;

/// A whole questionnaire file.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InstrumentFile {
    /// Version of this file format (not of the instrument); see [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// Stable identifier, lower case (`ecr-r`). Used on the command line and in records.
    pub id: String,
    /// Version of this definition; records keep it so that old scores stay explainable.
    pub version: String,
    /// BCP 47 language tag of the wording (`en`).
    pub language: String,
    /// Full name.
    pub name: String,
    /// Short name for tables and buttons (`ECR-R`).
    pub short_name: String,
    /// The publication to cite.
    pub citation: String,
    /// What is known about permission to use the instrument.
    pub licence_note: String,
    /// Where the wording and key were checked, and what is not verified.
    #[serde(default)]
    pub verification_note: String,
    /// What the respondent reads before the items.
    pub instructions: Instructions,
    /// The answer scale shared by all items.
    pub response_scale: ResponseScale,
    /// The items, in the order they are presented.
    pub items: Vec<ItemDef>,
    /// Repeated blocks: the same items asked about several people (ECR-RS). Empty for most.
    #[serde(default)]
    pub blocks: Vec<BlockDef>,
    /// What the blocks are, in the plural, for people ("relationships"): "based on 3 of 4
    /// relationships". `blocks` if absent.
    #[serde(default)]
    pub blocks_noun: Option<String>,
    /// Named recode tables (response value -> scored value), used by scales' `recode`.
    #[serde(default)]
    pub recode_tables: UniqueMap<UniqueMap<f64>>,
    /// Scales scored directly from items.
    pub scales: Vec<ScaleDef>,
    /// Scores computed from other scores.
    #[serde(default)]
    pub derived: Vec<DerivedDef>,
    /// A forced choice between items (RQ part 1).
    #[serde(default)]
    pub choice: Option<ChoiceDef>,
    /// A categorical reading of the scores defined by the instrument's authors (RQ).
    #[serde(default)]
    pub category: Option<CategoryDef>,
    /// Which two scores make the attachment plane.
    #[serde(default)]
    pub plane: Option<PlaneDef>,
    /// Thresholds of the validity flags; absent means the defaults.
    #[serde(default)]
    pub validity: ValidityDef,
    /// Default share of a scale's items that may be missing (rounded down); 0.2 if absent.
    #[serde(default)]
    pub max_missing_fraction: Option<f64>,
    /// Numeric reliability figures with their source (used for measurement error).
    #[serde(default)]
    pub reliability: Vec<ReliabilityDef>,
    /// What is known about reliability that is not a usable number, for people to read.
    #[serde(default)]
    pub reliability_notes: Vec<String>,
    /// Norm sets with their source. None shipped until a verified source exists.
    #[serde(default)]
    pub norm_sets: Vec<NormSetDef>,
    /// Why there are (no) norms.
    #[serde(default)]
    pub norms_note: String,
}

/// Instructions with their verification status.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Instructions {
    /// The text shown to the respondent.
    pub text: String,
    /// True only when checked against the authors' published form.
    pub verified: bool,
    /// Where the text comes from when it is not verified.
    #[serde(default)]
    pub note: String,
}

/// The answer scale.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResponseScale {
    /// Lowest answer.
    pub min: i32,
    /// Highest answer.
    pub max: i32,
    /// Labels of some answer values, keyed by the value as a string (`"1"`).
    pub anchors: UniqueMap<String>,
    /// Which anchors are unverified, for people to read.
    #[serde(default)]
    pub note: String,
}

/// One item.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ItemDef {
    /// The item's number; scoring and CSV columns (`q7`) refer to it.
    pub number: u32,
    /// Verbatim wording.
    pub text: String,
    /// A printed label where the instrument uses one (RQ: `A`-`D`).
    #[serde(default)]
    pub label: Option<String>,
}

/// One repeated block (a relationship target in the ECR-RS).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BlockDef {
    /// Identifier; prefixes the block's columns (`mother_q1`) and scores (`mother_anxiety`).
    pub id: String,
    /// Who the block is about (`mother or mother-like figure`).
    pub name: String,
    /// The header shown before the block's items.
    pub intro: String,
}

/// A scale scored from items.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScaleDef {
    /// Score id; also the output column. In an instrument with blocks the id is prefixed
    /// per block (`mother_anxiety`).
    pub id: String,
    /// Name for people.
    pub name: String,
    /// `mean` or `sum` of the scored items.
    pub method: ScaleMethod,
    /// Item numbers that belong to the scale.
    pub items: Vec<u32>,
    /// Items scored `(min + max) - x`.
    #[serde(default)]
    pub reverse: Vec<u32>,
    /// Items scored through a recode table: item number (as a string) -> table name.
    #[serde(default)]
    pub recode: UniqueMap<String>,
    /// How many items may be missing before the scale is not scored; overrides the default.
    #[serde(default)]
    pub max_missing: Option<usize>,
    /// What a high score means, for people.
    #[serde(default)]
    pub higher_means: String,
    /// Which way is better when the score changes: `lower`, `higher` or `neither`. The
    /// checker requires it of every score, naming the one that lacks it.
    #[serde(default)]
    pub better: Option<Better>,
    /// Why, in one line, for people (shown beside change over time).
    #[serde(default)]
    pub better_reason: String,
}

/// How item values combine into a scale score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScaleMethod {
    /// Mean of the answered items.
    Mean,
    /// Sum of the items; with missing items allowed, the mean times the number of items
    /// (prorated), so that a missing item does not look like a low answer.
    Sum,
}

/// A score computed from other scores.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DerivedDef {
    /// Score id (output column).
    pub id: String,
    /// Name for people.
    pub name: String,
    /// `linear`: `constant + sum(weight * score)`, every term must be scored;
    /// `mean`: mean of `scores`, up to `max_missing` of them may be unscored.
    pub method: DerivedMethod,
    /// The weighted scores of a `linear` score.
    #[serde(default)]
    pub terms: Vec<TermDef>,
    /// Added to a `linear` score.
    #[serde(default)]
    pub constant: f64,
    /// The scores averaged by a `mean` score.
    #[serde(default)]
    pub scores: Vec<String>,
    /// How many of a `mean` score's scores may be unscored; 0 if absent.
    #[serde(default)]
    pub max_missing: usize,
    /// What a high score means, for people.
    #[serde(default)]
    pub higher_means: String,
    /// Which way is better when the score changes: `lower`, `higher` or `neither`. The
    /// checker requires it of every score, naming the one that lacks it.
    #[serde(default)]
    pub better: Option<Better>,
    /// Why, in one line, for people (shown beside change over time).
    #[serde(default)]
    pub better_reason: String,
}

/// Which way a score is better when it changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Better {
    /// A fall is an improvement.
    Lower,
    /// A rise is an improvement.
    Higher,
    /// Neither way is better in itself: change is an increase or a decrease.
    Neither,
}

/// How a derived score is computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DerivedMethod {
    /// Weighted sum plus a constant.
    Linear,
    /// Mean of other scores.
    Mean,
}

/// One weighted term of a linear derived score.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TermDef {
    /// The score id.
    pub score: String,
    /// Its weight.
    pub weight: f64,
}

/// A forced choice between items (RQ: "which paragraph describes you best?").
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChoiceDef {
    /// CSV column and record key of the choice (`choice`).
    pub id: String,
    /// What the respondent is asked.
    pub prompt: String,
    /// True only when the prompt is checked against the published form.
    pub verified: bool,
    /// Where the prompt comes from.
    #[serde(default)]
    pub note: String,
    /// The options, each pointing at an item whose text it shows.
    pub options: Vec<ChoiceOptionDef>,
}

/// One option of a forced choice.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChoiceOptionDef {
    /// The value written in a CSV cell (`A`).
    pub value: String,
    /// The item whose text the option shows.
    pub item: u32,
}

/// A categorical reading defined by the instrument's authors.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CategoryDef {
    /// Only `highest_score` exists: the option whose score is highest; a tie is broken by the
    /// forced choice when the chosen option is among the tied ones.
    pub method: CategoryMethod,
    /// The candidate categories.
    pub options: Vec<CategoryOptionDef>,
    /// The caveat shown wherever the category is shown.
    pub caveat: String,
}

/// How a category is chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CategoryMethod {
    /// The highest score wins; ties broken by the forced choice.
    HighestScore,
}

/// One candidate category.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CategoryOptionDef {
    /// The category's name (`secure`).
    pub label: String,
    /// The score compared.
    pub score: String,
    /// The forced-choice value that stands for this category, if any.
    #[serde(default)]
    pub choice: Option<String>,
}

/// The attachment plane of an instrument.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlaneDef {
    /// Score on the horizontal axis (avoidance).
    pub x: String,
    /// Score on the vertical axis (anxiety).
    pub y: String,
    /// Where the descriptive regions divide, on both axes.
    pub midpoint: f64,
    /// For instruments with blocks: the base scale ids drawn once per block.
    #[serde(default)]
    pub block_x: Option<String>,
    /// See `block_x`.
    #[serde(default)]
    pub block_y: Option<String>,
}

/// Thresholds of the validity flags.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ValidityDef {
    /// Flag a run of at least this many identical consecutive answers; absent: half the
    /// items, rounded up; 0 turns the flag off.
    #[serde(default)]
    pub longstring_run: Option<usize>,
    /// Flag when every answer is the scale midpoint (needs an odd scale); default true.
    #[serde(default)]
    pub all_midpoint: Option<bool>,
    /// Flag a scale whose forward and reversed items disagree by at least this much after
    /// keying; absent: half the response range; 0 turns the flag off.
    #[serde(default)]
    pub contradiction_gap: Option<f64>,
    /// Flag when answers took on average less than this many seconds each; default 2.
    #[serde(default)]
    pub min_seconds_per_item: Option<f64>,
}

/// A reliability figure for one score.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReliabilityDef {
    /// The score it belongs to.
    pub score: String,
    /// What kind of coefficient (`alpha`, `test-retest`).
    pub statistic: String,
    /// The coefficient, between 0 and 1.
    pub value: f64,
    /// The standard deviation from the same source, needed for measurement error.
    #[serde(default)]
    pub sd: Option<f64>,
    /// The source, citable.
    pub source: String,
}

/// A norm set: means and standard deviations of a reference sample.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NormSetDef {
    /// Identifier.
    pub id: String,
    /// Name for people.
    pub name: String,
    /// The source, citable.
    pub source: String,
    /// Sample size.
    pub n: u32,
    /// Whether the figures are of mean scores or of sums (a sum-normed set is useless for a
    /// mean-scored scale, and the ECR-S, say, circulates with both).
    pub metric: NormMetric,
    /// The response scale the sample answered on (an ECR normed on 1-5 is not a 1-7 norm).
    pub scale: NormScale,
    /// Who the sample was.
    pub sample: NormSample,
    /// Mean and SD per score id.
    pub scores: UniqueMap<NormDef>,
}

/// The metric of a norm set's figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NormMetric {
    /// Mean of the items (as a `mean` scale scores).
    Mean,
    /// Sum of the items (as a `sum` scale scores).
    Sum,
}

/// The response scale of a norm sample.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NormScale {
    /// Lowest answer.
    pub min: i32,
    /// Highest answer.
    pub max: i32,
}

/// Who a norm sample was.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NormSample {
    /// A clinical sample (patients) or not (students, the general population).
    pub clinical: bool,
    /// Where it was collected.
    pub country: String,
    /// The language or form answered (`en`, "German ECR-RD").
    pub language: String,
}

/// Mean and SD of one score in a norm set.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NormDef {
    /// Mean.
    pub mean: f64,
    /// Standard deviation (> 0).
    pub sd: f64,
}

/// A JSON object read into a sorted map that refuses a key given twice.
///
/// Plain maps keep the last of two equal keys without a word; in a scoring key
/// (`"5": 2, "5": 0`) that would silently change scores, so it is an error here.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(transparent)]
pub struct UniqueMap<V>(pub BTreeMap<String, V>);

impl<V> Deref for UniqueMap<V> {
    type Target = BTreeMap<String, V>;

    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl<'a, V> IntoIterator for &'a UniqueMap<V> {
    type Item = (&'a String, &'a V);
    type IntoIter = std::collections::btree_map::Iter<'a, String, V>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl<'de, V: Deserialize<'de>> Deserialize<'de> for UniqueMap<V> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct UniqueVisitor<V>(PhantomData<V>);

        impl<'de, V: Deserialize<'de>> Visitor<'de> for UniqueVisitor<V> {
            type Value = UniqueMap<V>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut out = BTreeMap::new();
                while let Some(key) = map.next_key::<String>()? {
                    if out.contains_key(&key) {
                        return Err(serde::de::Error::custom(format!(
                            "key {key:?} appears twice in this object"
                        )));
                    }
                    let value = map.next_value()?;
                    out.insert(key, value);
                }
                Ok(UniqueMap(out))
            }
        }

        deserializer.deserialize_map(UniqueVisitor(PhantomData))
    }
}
