//! The checks that turn a parsed questionnaire file into an [`Instrument`].
//!
//! One pass over the file's sections, in order; every error names the JSON path of the value
//! at fault and says what would fix it. Anything this module accepts, the scorer can score.
//!
//! This file holds the pass itself ([`Checker::check`]), the sections every other check builds
//! on (header, response scale, items, blocks, answer slots) and `Instrument::from_json`; the
//! rest is split by section of the file, each an `impl Checker` of its own: [`scales`] (recode
//! tables, scales and their keying, expanded per block), [`derived`] (derived scores) and
//! [`extras`] (forced choice, category, plane, validity, reliability, norm sets). Before any of
//! them, [`limits`] bounds the file's size, nesting and counts and [`text`] every text's length
//! and characters (REDTEAM M6, L13); the scales and derived scores bound the magnitude their
//! scores can reach (L3).

mod derived;
mod extras;
mod limits;
mod scales;
mod text;

use std::collections::{HashMap, HashSet};

use super::error::InstrumentError;
use super::instrument::{
    Block, Instrument, Item, RESERVED_COLUMNS, ResponseScale, Slot, item_column,
};
use super::schema::{self, InstrumentFile, SCHEMA_VERSION};

pub(super) struct Checker<'a> {
    pub(super) file: &'a str,
}

type Check<T> = Result<T, InstrumentError>;

impl Checker<'_> {
    fn err(&self, path: impl Into<String>, message: impl Into<String>) -> InstrumentError {
        InstrumentError {
            file: self.file.to_owned(),
            path: path.into(),
            message: message.into(),
        }
    }

    /// The one pass: the file's sections in order, each checked against those before it.
    pub(super) fn check(&self, raw: InstrumentFile) -> Check<Instrument> {
        self.sizes(&raw)?;
        self.texts(&raw)?;
        self.header(&raw)?;
        let response = self.response_scale(&raw.response_scale)?;
        let items = self.items(&raw.items)?;
        let item_idx: HashMap<u32, usize> = items
            .iter()
            .enumerate()
            .map(|(i, item)| (item.number, i))
            .collect();
        let blocks = self.blocks(&raw.blocks)?;
        let slots = build_slots(&items, &blocks);
        let (recode_tables, table_idx) = self.recode_tables(&raw.recode_tables, &response)?;
        let default_fraction = self.max_missing_fraction(raw.max_missing_fraction)?;

        // Scales, expanded per block.
        let mut ids: HashMap<String, String> = HashMap::new();
        let scale_rules = self.scale_rules(
            &raw.scales,
            &item_idx,
            &table_idx,
            &recode_tables,
            &response,
            default_fraction,
        )?;
        let mut scores =
            self.scale_scores(&raw.scales, &scale_rules, &blocks, items.len(), &mut ids)?;
        self.derived_scores(&raw.derived, &mut scores, &mut ids)?;

        let choice = match &raw.choice {
            Some(c) => Some(self.choice(c, &item_idx, &ids)?),
            None => None,
        };
        let category = match &raw.category {
            Some(c) => Some(self.category(c, &scores, choice.as_ref(), items.len())?),
            None => None,
        };
        let plane = match &raw.plane {
            Some(p) => Some(self.plane(p, &scores, &blocks)?),
            None => None,
        };
        let validity = self.validity(&raw.validity, &response, slots.len())?;
        let reliability = self.reliability(&raw.reliability, &scores)?;
        self.norm_sets(&raw.norm_sets, &scores, &response)?;
        self.better(&raw)?;

        Ok(Instrument {
            id: raw.id,
            version: raw.version,
            language: raw.language,
            name: raw.name,
            short_name: raw.short_name,
            citation: raw.citation,
            licence_note: raw.licence_note,
            verification_note: raw.verification_note,
            instructions: raw.instructions,
            response,
            items,
            blocks,
            blocks_noun: raw.blocks_noun.unwrap_or_else(|| "blocks".to_owned()),
            slots,
            scores,
            recode_tables,
            choice,
            category,
            plane,
            validity,
            reliability,
            reliability_notes: raw.reliability_notes,
            norm_sets: raw.norm_sets,
            norms_note: raw.norms_note,
        })
    }

    /// Every scale and derived score says which way is better, and why: change over time is
    /// read by it (reliable improvement or deterioration), so it cannot be left to a guess.
    /// Checked last, so that a file's other errors are reported first.
    fn better(&self, raw: &InstrumentFile) -> Check<()> {
        let scales = raw
            .scales
            .iter()
            .map(|s| (&s.id, s.better, &s.better_reason));
        let derived = raw
            .derived
            .iter()
            .map(|d| (&d.id, d.better, &d.better_reason));
        for (section, list) in [
            ("scales", scales.collect::<Vec<_>>()),
            ("derived", derived.collect()),
        ] {
            for (i, (id, better, reason)) in list.into_iter().enumerate() {
                if better.is_none() {
                    return Err(self.err(
                        format!("$.{section}[{i}].better"),
                        format!(
                            "score {id:?} does not say which way is better: add \"better\": \"lower\", \"higher\" or \"neither\", with a one-line \"better_reason\" (change over time is read by it)"
                        ),
                    ));
                }
                if reason.trim().is_empty() {
                    return Err(self.err(
                        format!("$.{section}[{i}].better_reason"),
                        format!("score {id:?} says which way is better but not why: add a one-line \"better_reason\""),
                    ));
                }
            }
        }
        Ok(())
    }

    /// `$.schema_version`, `$.id`, and the texts every instrument must have.
    fn header(&self, raw: &InstrumentFile) -> Check<()> {
        if raw.schema_version != SCHEMA_VERSION {
            return Err(self.err(
                "$.schema_version",
                format!(
                    "schema version {} is not supported (this build reads {SCHEMA_VERSION})",
                    raw.schema_version
                ),
            ));
        }
        if !is_instrument_id(&raw.id) {
            return Err(self.err(
                "$.id",
                format!(
                    "id {:?} must be lower-case letters, digits, '-' or '_', starting with a letter",
                    raw.id
                ),
            ));
        }
        for (path, value) in [
            ("$.version", &raw.version),
            ("$.language", &raw.language),
            ("$.name", &raw.name),
            ("$.short_name", &raw.short_name),
            ("$.citation", &raw.citation),
            ("$.licence_note", &raw.licence_note),
            ("$.instructions.text", &raw.instructions.text),
        ] {
            if value.trim().is_empty() {
                return Err(self.err(path, "must not be empty"));
            }
        }
        Ok(())
    }

    /// `$.max_missing_fraction`: the share of a scale's items that may be missing where the
    /// scale does not say (0.2 when absent).
    fn max_missing_fraction(&self, raw: Option<f64>) -> Check<f64> {
        match raw {
            None => Ok(0.2),
            Some(f) if (0.0..1.0).contains(&f) => Ok(f),
            Some(f) => Err(self.err(
                "$.max_missing_fraction",
                format!("{f} must be at least 0 and less than 1"),
            )),
        }
    }

    fn claim_id(&self, ids: &mut HashMap<String, String>, id: &str, path: &str) -> Check<()> {
        if !is_score_id(id) {
            return Err(self.err(
                path,
                format!(
                    "score id {id:?} must be lower-case letters, digits and '_', starting with a letter"
                ),
            ));
        }
        if RESERVED_COLUMNS.contains(&id) || looks_like_item_column(id) {
            return Err(self.err(
                path,
                format!("score id {id:?} is reserved for an output or item column; choose another"),
            ));
        }
        if let Some(first) = ids.get(id) {
            return Err(self.err(path, format!("score id {id:?} is already used at {first}")));
        }
        ids.insert(id.to_owned(), path.to_owned());
        Ok(())
    }

    fn response_scale(&self, raw: &schema::ResponseScale) -> Check<ResponseScale> {
        if raw.min >= raw.max {
            return Err(self.err(
                "$.response_scale",
                format!("min ({}) must be less than max ({})", raw.min, raw.max),
            ));
        }
        // Bounded so that no sum or reversal (`min + max - x`) can overflow.
        if raw.min < -1000 || raw.max > 1000 {
            return Err(self.err(
                "$.response_scale",
                format!(
                    "min and max must lie within -1000..1000 (got {}..{})",
                    raw.min, raw.max
                ),
            ));
        }
        if i64::from(raw.max) - i64::from(raw.min) > 100 {
            return Err(self.err(
                "$.response_scale",
                "a response scale may have at most 101 points",
            ));
        }
        let mut anchors = Vec::new();
        for (key, label) in &raw.anchors {
            let path = format!("$.response_scale.anchors.{key}");
            let value: i32 = key.trim().parse().map_err(|_| {
                self.err(&path, format!("anchor key {key:?} is not a whole number"))
            })?;
            if value < raw.min || value > raw.max {
                return Err(self.err(
                    &path,
                    format!(
                        "anchor {value} is outside the scale {}-{}",
                        raw.min, raw.max
                    ),
                ));
            }
            if label.trim().is_empty() {
                return Err(self.err(&path, "anchor label must not be empty"));
            }
            if anchors.iter().any(|(v, _)| *v == value) {
                return Err(self.err(
                    &path,
                    format!("answer {value} has two anchor labels (keys written two ways)"),
                ));
            }
            anchors.push((value, label.clone()));
        }
        anchors.sort_by_key(|(v, _)| *v);
        Ok(ResponseScale {
            min: raw.min,
            max: raw.max,
            anchors,
            note: raw.note.clone(),
        })
    }

    fn items(&self, raw: &[schema::ItemDef]) -> Check<Vec<Item>> {
        if raw.is_empty() {
            return Err(self.err("$.items", "an instrument needs at least one item"));
        }
        let mut seen = HashMap::new();
        let mut items = Vec::with_capacity(raw.len());
        for (i, item) in raw.iter().enumerate() {
            let path = format!("$.items[{i}]");
            if item.number == 0 {
                return Err(self.err(format!("{path}.number"), "item numbers start at 1"));
            }
            if let Some(first) = seen.insert(item.number, i) {
                return Err(self.err(
                    format!("{path}.number"),
                    format!(
                        "item number {} is used twice (also at $.items[{first}])",
                        item.number
                    ),
                ));
            }
            if item.text.trim().is_empty() {
                return Err(self.err(format!("{path}.text"), "item text must not be empty"));
            }
            items.push(Item {
                number: item.number,
                text: item.text.clone(),
                label: item.label.clone(),
            });
        }
        Ok(items)
    }

    fn blocks(&self, raw: &[schema::BlockDef]) -> Check<Vec<Block>> {
        let mut seen = HashSet::new();
        let mut blocks = Vec::new();
        for (i, b) in raw.iter().enumerate() {
            let path = format!("$.blocks[{i}]");
            if !is_score_id(&b.id) {
                return Err(self.err(
                    format!("{path}.id"),
                    format!(
                        "block id {:?} must be lower-case letters, digits and '_'",
                        b.id
                    ),
                ));
            }
            if !seen.insert(b.id.clone()) {
                return Err(self.err(
                    format!("{path}.id"),
                    format!("block id {:?} is used twice", b.id),
                ));
            }
            if b.name.trim().is_empty() {
                return Err(self.err(format!("{path}.name"), "must not be empty"));
            }
            blocks.push(Block {
                id: b.id.clone(),
                name: b.name.clone(),
                intro: b.intro.clone(),
            });
        }
        Ok(blocks)
    }
}

fn build_slots(items: &[Item], blocks: &[Block]) -> Vec<Slot> {
    if blocks.is_empty() {
        items
            .iter()
            .enumerate()
            .map(|(i, item)| Slot {
                item_idx: i,
                block_idx: None,
                column: item_column(None, item.number),
            })
            .collect()
    } else {
        blocks
            .iter()
            .enumerate()
            .flat_map(|(b, block)| {
                items.iter().enumerate().map(move |(i, item)| Slot {
                    item_idx: i,
                    block_idx: Some(b),
                    column: item_column(Some(&block.id), item.number),
                })
            })
            .collect()
    }
}

fn is_instrument_id(id: &str) -> bool {
    let mut chars = id.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}

fn is_score_id(id: &str) -> bool {
    let mut chars = id.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// `q12` or `x_q12`: names that item columns use.
fn looks_like_item_column(id: &str) -> bool {
    let tail = id.rsplit('_').next().unwrap_or(id);
    tail.strip_prefix('q')
        .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
}

/// Reading a questionnaire file is checking it: the constructors live with the checker, so that
/// `instrument.rs` (the checked types) does not depend on `check/` (which builds them).
impl Instrument {
    /// Parses and checks a questionnaire file. `file` names it in errors.
    ///
    /// The text is one JSON object, with nothing but whitespace after it (two files run
    /// together are an error at the second, with its line and column: REDTEAM L4), within the
    /// limits of [`crate::core::limits`] (M6).
    pub fn from_json(file: &str, text: &str) -> Result<Self, InstrumentError> {
        limits::scan(file, text)?;
        let de = &mut serde_json::Deserializer::from_str(text);
        let raw: InstrumentFile = serde_path_to_error::deserialize(&mut *de).map_err(|e| {
            let path = e.path().to_string();
            // A file that is not JSON has no meaningful path: `$`, with line and column in
            // the message.
            let not_json = matches!(
                e.inner().classify(),
                serde_json::error::Category::Syntax | serde_json::error::Category::Eof
            );
            let path = if not_json || path == "." || path.is_empty() {
                "$".to_owned()
            } else {
                format!("$.{path}")
            };
            InstrumentError {
                file: file.to_owned(),
                path,
                message: e.into_inner().to_string(),
            }
        })?;
        de.end().map_err(|e| InstrumentError {
            file: file.to_owned(),
            path: "$".to_owned(),
            message: format!("{e}: a questionnaire file is one JSON object, and nothing may follow it (two files run together?)"),
        })?;
        Self::from_file(file, raw)
    }

    /// Checks an already parsed file.
    pub fn from_file(file: &str, raw: InstrumentFile) -> Result<Self, InstrumentError> {
        Checker { file }.check(raw)
    }
}
