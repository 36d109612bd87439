//! The checks that turn a parsed questionnaire file into an [`Instrument`].
//!
//! One pass over the file's sections, in order; every error names the JSON path of the value
//! at fault and says what would fix it. Anything this module accepts, the scorer can score.

use std::collections::{HashMap, HashSet};

use super::error::InstrumentError;
use super::instrument::{
    Block, Category, CategoryOption, Choice, Instrument, Item, Keying, Plane, RESERVED_COLUMNS,
    RecodeTable, Reliability, ResponseScale, ScoreDef, ScoreRule, Slot, Validity, item_column,
};
use super::schema::{
    self, CategoryMethod, DerivedMethod, InstrumentFile, SCHEMA_VERSION, ScaleMethod, UniqueMap,
};

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

    #[expect(
        clippy::too_many_lines,
        reason = "one linear pass over the file's sections reads best in order"
    )]
    pub(super) fn check(&self, raw: InstrumentFile) -> Check<Instrument> {
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

        let default_fraction = match raw.max_missing_fraction {
            None => 0.2,
            Some(f) if (0.0..1.0).contains(&f) => f,
            Some(f) => {
                return Err(self.err(
                    "$.max_missing_fraction",
                    format!("{f} must be at least 0 and less than 1"),
                ));
            }
        };

        // Scales, expanded per block.
        let mut scores: Vec<ScoreDef> = Vec::new();
        let mut ids: HashMap<String, String> = HashMap::new();
        let mut scale_rules = Vec::new();
        for (s_idx, scale) in raw.scales.iter().enumerate() {
            let path = format!("$.scales[{s_idx}]");
            let rule = self.scale(
                &path,
                scale,
                &item_idx,
                &table_idx,
                &recode_tables,
                &response,
                default_fraction,
            )?;
            scale_rules.push(rule);
        }
        if raw.scales.is_empty() {
            return Err(self.err("$.scales", "an instrument needs at least one scale"));
        }
        let block_list: Vec<Option<usize>> = if blocks.is_empty() {
            vec![None]
        } else {
            (0..blocks.len()).map(Some).collect()
        };
        for block_idx in &block_list {
            for (s_idx, (scale, (method, keyed, max_missing, range))) in
                raw.scales.iter().zip(&scale_rules).enumerate()
            {
                let id = match block_idx {
                    Some(b) => format!("{}_{}", blocks[*b].id, scale.id),
                    None => scale.id.clone(),
                };
                let path = format!("$.scales[{s_idx}].id");
                self.claim_id(&mut ids, &id, &path)?;
                let slots_of_scale = keyed
                    .iter()
                    .map(|(item, keying)| {
                        (slot_index(&blocks, items.len(), *block_idx, *item), *keying)
                    })
                    .collect();
                scores.push(ScoreDef {
                    id,
                    name: scale.name.clone(),
                    higher_means: scale.higher_means.clone(),
                    block_idx: *block_idx,
                    base_id: scale.id.clone(),
                    rule: ScoreRule::Scale {
                        method: *method,
                        slots: slots_of_scale,
                        max_missing: *max_missing,
                    },
                    range: *range,
                });
            }
        }

        for (d_idx, derived) in raw.derived.iter().enumerate() {
            let path = format!("$.derived[{d_idx}]");
            self.claim_id(&mut ids, &derived.id, &format!("{path}.id"))?;
            let def = self.derived(&path, derived, &scores)?;
            scores.push(def);
        }

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
        self.norm_sets(&raw.norm_sets, &scores)?;

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

    fn recode_tables(
        &self,
        raw: &UniqueMap<UniqueMap<f64>>,
        response: &ResponseScale,
    ) -> Check<(Vec<RecodeTable>, HashMap<String, usize>)> {
        let mut tables = Vec::new();
        let mut index = HashMap::new();
        for (name, map) in raw {
            let path = format!("$.recode_tables.{name}");
            let n = usize::try_from(response.max - response.min).unwrap_or(0) + 1;
            let mut values = vec![None; n];
            for (key, value) in map {
                let vpath = format!("{path}.{key}");
                let answer: i32 = key.trim().parse().map_err(|_| {
                    self.err(&vpath, format!("recode key {key:?} is not a whole number"))
                })?;
                if answer < response.min || answer > response.max {
                    return Err(self.err(
                        &vpath,
                        format!(
                            "recode key {answer} is outside the response scale {}-{}",
                            response.min, response.max
                        ),
                    ));
                }
                if !value.is_finite() {
                    return Err(self.err(&vpath, "recoded value must be a finite number"));
                }
                let slot = usize::try_from(answer - response.min).unwrap_or(0);
                if values[slot].replace(*value).is_some() {
                    return Err(self.err(&vpath, format!("answer {answer} is recoded twice")));
                }
            }
            let missing: Vec<String> = values
                .iter()
                .enumerate()
                .filter(|(_, v)| v.is_none())
                .map(|(i, _)| (response.min + i32::try_from(i).unwrap_or(0)).to_string())
                .collect();
            if !missing.is_empty() {
                return Err(self.err(
                    &path,
                    format!(
                        "recode table has no value for answer(s) {}; every answer {}-{} needs one",
                        missing.join(", "),
                        response.min,
                        response.max
                    ),
                ));
            }
            index.insert(name.clone(), tables.len());
            tables.push(RecodeTable {
                name: name.clone(),
                values: values.into_iter().flatten().collect(),
            });
        }
        Ok((tables, index))
    }

    /// Checks one scale; returns (method, (item index, keying), `max_missing`, range).
    #[expect(clippy::too_many_arguments, reason = "private helper of one pass")]
    fn scale(
        &self,
        path: &str,
        scale: &schema::ScaleDef,
        item_idx: &HashMap<u32, usize>,
        table_idx: &HashMap<String, usize>,
        tables: &[RecodeTable],
        response: &ResponseScale,
        default_fraction: f64,
    ) -> Check<ScaleRuleParts> {
        if scale.name.trim().is_empty() {
            return Err(self.err(format!("{path}.name"), "must not be empty"));
        }
        if scale.items.is_empty() {
            return Err(self.err(
                format!("{path}.items"),
                format!("scale {:?} has no items", scale.id),
            ));
        }
        let mut members = HashSet::new();
        let mut keyed = Vec::with_capacity(scale.items.len());
        for (i, number) in scale.items.iter().enumerate() {
            let ipath = format!("{path}.items[{i}]");
            let Some(&idx) = item_idx.get(number) else {
                return Err(self.err(ipath, format!("item {number} is not defined in $.items")));
            };
            if !members.insert(*number) {
                return Err(self.err(
                    ipath,
                    format!("item {number} is listed twice in scale {:?}", scale.id),
                ));
            }
            keyed.push((*number, idx));
        }
        let (reversed, recoded) = self.scale_keying(path, scale, &members, table_idx)?;
        let n = keyed.len();
        let max_missing = match scale.max_missing {
            Some(m) if m >= n => {
                return Err(self.err(
                    format!("{path}.max_missing"),
                    format!("max_missing {m} must be less than the number of items ({n})"),
                ));
            }
            Some(m) => m,
            // Rounded down: 20 % of 18 is 3.6, so 3 may be missing.
            #[expect(
                clippy::cast_possible_truncation,
                clippy::cast_sign_loss,
                reason = "non-negative, less than n"
            )]
            None => ((n as f64) * default_fraction).floor() as usize,
        };
        let max_missing = max_missing.min(n.saturating_sub(1));
        let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
        let keyed: Vec<(usize, Keying)> = keyed
            .into_iter()
            .map(|(number, idx)| {
                let keying = if reversed.contains(&number) {
                    Keying::Reverse
                } else if let Some(&t) = recoded.get(&number) {
                    Keying::Recode(t)
                } else {
                    Keying::Forward
                };
                let (a, b) = match keying {
                    Keying::Forward | Keying::Reverse => {
                        (f64::from(response.min), f64::from(response.max))
                    }
                    Keying::Recode(t) => tables[t]
                        .values
                        .iter()
                        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
                            (a.min(*v), b.max(*v))
                        }),
                };
                lo = lo.min(a);
                hi = hi.max(b);
                (idx, keying)
            })
            .collect();
        let range = match scale.method {
            ScaleMethod::Mean => (lo, hi),
            ScaleMethod::Sum => (lo * n as f64, hi * n as f64),
        };
        Ok((scale.method, keyed, max_missing, range))
    }

    /// Checks a scale's `reverse` and `recode` lists against its members.
    fn scale_keying(
        &self,
        path: &str,
        scale: &schema::ScaleDef,
        members: &HashSet<u32>,
        table_idx: &HashMap<String, usize>,
    ) -> Check<(HashSet<u32>, HashMap<u32, usize>)> {
        let mut reversed = HashSet::new();
        for (i, number) in scale.reverse.iter().enumerate() {
            let rpath = format!("{path}.reverse[{i}]");
            if !members.contains(number) {
                return Err(self.err(
                    rpath,
                    format!("item {number} is reversed but not in scale {:?}", scale.id),
                ));
            }
            if !reversed.insert(*number) {
                return Err(self.err(rpath, format!("item {number} is reversed twice")));
            }
        }
        let mut recoded = HashMap::new();
        for (key, table) in &scale.recode {
            let rpath = format!("{path}.recode.{key}");
            let number: u32 = key
                .trim()
                .parse()
                .map_err(|_| self.err(&rpath, format!("{key:?} is not an item number")))?;
            if !members.contains(&number) {
                return Err(self.err(
                    &rpath,
                    format!("item {number} is recoded but not in scale {:?}", scale.id),
                ));
            }
            if reversed.contains(&number) {
                return Err(self.err(
                    &rpath,
                    format!(
                        "item {number} is both reversed and recoded; put the reversal into the recode table"
                    ),
                ));
            }
            let Some(&t) = table_idx.get(table) else {
                return Err(self.err(
                    &rpath,
                    format!("recode table {table:?} is not defined in $.recode_tables"),
                ));
            };
            if recoded.insert(number, t).is_some() {
                return Err(self.err(
                    &rpath,
                    format!("item {number} is recoded twice (keys written two ways)"),
                ));
            }
        }
        Ok((reversed, recoded))
    }

    fn derived(&self, path: &str, d: &schema::DerivedDef, scores: &[ScoreDef]) -> Check<ScoreDef> {
        let (rule, range) = match d.method {
            DerivedMethod::Linear => self.derived_linear(path, d, scores)?,
            DerivedMethod::Mean => self.derived_mean(path, d, scores)?,
        };
        if d.name.trim().is_empty() {
            return Err(self.err(format!("{path}.name"), "must not be empty"));
        }
        Ok(ScoreDef {
            id: d.id.clone(),
            name: d.name.clone(),
            higher_means: d.higher_means.clone(),
            block_idx: None,
            base_id: d.id.clone(),
            rule,
            range,
        })
    }

    fn find_score(&self, scores: &[ScoreDef], id: &str, path: String) -> Check<usize> {
        scores.iter().position(|s| s.id == id).ok_or_else(|| {
            self.err(
                path,
                format!(
                    "score {id:?} is not defined (derived scores may use scales and earlier derived scores)"
                ),
            )
        })
    }

    fn derived_linear(
        &self,
        path: &str,
        d: &schema::DerivedDef,
        scores: &[ScoreDef],
    ) -> Check<(ScoreRule, (f64, f64))> {
        let find = |id: &str, p: String| self.find_score(scores, id, p);

        if d.terms.is_empty() {
            return Err(self.err(
                format!("{path}.terms"),
                "a linear derived score needs at least one term",
            ));
        }
        if !d.scores.is_empty() {
            return Err(self.err(
                format!("{path}.scores"),
                "a linear derived score takes `terms`, not `scores`",
            ));
        }
        if d.max_missing != 0 {
            return Err(self.err(
                format!("{path}.max_missing"),
                "a linear derived score needs every term; max_missing applies to method mean",
            ));
        }
        if !d.constant.is_finite() {
            return Err(self.err(format!("{path}.constant"), "must be a finite number"));
        }
        let mut terms = Vec::new();
        let (mut lo, mut hi) = (d.constant, d.constant);
        for (i, t) in d.terms.iter().enumerate() {
            let idx = find(&t.score, format!("{path}.terms[{i}].score"))?;
            if !t.weight.is_finite() || t.weight == 0.0 {
                return Err(self.err(
                    format!("{path}.terms[{i}].weight"),
                    "weight must be a finite, non-zero number",
                ));
            }
            let (a, b) = scores[idx].range;
            if t.weight > 0.0 {
                lo += t.weight * a;
                hi += t.weight * b;
            } else {
                lo += t.weight * b;
                hi += t.weight * a;
            }
            terms.push((idx, t.weight));
        }
        Ok((
            ScoreRule::Linear {
                terms,
                constant: d.constant,
            },
            (lo, hi),
        ))
    }

    fn derived_mean(
        &self,
        path: &str,
        d: &schema::DerivedDef,
        scores: &[ScoreDef],
    ) -> Check<(ScoreRule, (f64, f64))> {
        let find = |id: &str, p: String| self.find_score(scores, id, p);

        if d.scores.is_empty() {
            return Err(self.err(
                format!("{path}.scores"),
                "a mean derived score needs at least one score",
            ));
        }
        if !d.terms.is_empty() {
            return Err(self.err(
                format!("{path}.terms"),
                "a mean derived score takes `scores`, not `terms`",
            ));
        }
        if d.constant != 0.0 {
            return Err(self.err(
                format!("{path}.constant"),
                "constant applies to method linear, not mean",
            ));
        }
        let mut idxs = Vec::new();
        let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
        for (i, id) in d.scores.iter().enumerate() {
            let idx = find(id, format!("{path}.scores[{i}]"))?;
            if idxs.contains(&idx) {
                return Err(self.err(
                    format!("{path}.scores[{i}]"),
                    format!("score {id:?} is listed twice"),
                ));
            }
            lo = lo.min(scores[idx].range.0);
            hi = hi.max(scores[idx].range.1);
            idxs.push(idx);
        }
        if d.max_missing >= idxs.len() {
            return Err(self.err(
                format!("{path}.max_missing"),
                format!(
                    "max_missing {} must be less than the number of scores ({})",
                    d.max_missing,
                    idxs.len()
                ),
            ));
        }
        Ok((
            ScoreRule::Mean {
                scores: idxs,
                max_missing: d.max_missing,
            },
            (lo, hi),
        ))
    }

    fn choice(
        &self,
        c: &schema::ChoiceDef,
        item_idx: &HashMap<u32, usize>,
        ids: &HashMap<String, String>,
    ) -> Check<Choice> {
        if !is_score_id(&c.id)
            || looks_like_item_column(&c.id)
            || RESERVED_COLUMNS.contains(&c.id.as_str())
        {
            return Err(self.err(
                "$.choice.id",
                format!("choice id {:?} must be lower-case letters, digits and '_', and not an item or output column", c.id),
            ));
        }
        if ids.contains_key(&c.id) {
            return Err(self.err("$.choice.id", format!("{:?} is already a score id", c.id)));
        }
        if c.options.len() < 2 {
            return Err(self.err(
                "$.choice.options",
                "a forced choice needs at least two options",
            ));
        }
        let mut options = Vec::new();
        for (i, o) in c.options.iter().enumerate() {
            let path = format!("$.choice.options[{i}]");
            if o.value.trim().is_empty() || o.value.trim() != o.value {
                return Err(self.err(
                    format!("{path}.value"),
                    "value must be non-empty, without surrounding space",
                ));
            }
            if options
                .iter()
                .any(|(v, _): &(String, usize)| v.eq_ignore_ascii_case(&o.value))
            {
                return Err(self.err(
                    format!("{path}.value"),
                    format!("value {:?} is used twice", o.value),
                ));
            }
            let Some(&idx) = item_idx.get(&o.item) else {
                return Err(self.err(
                    format!("{path}.item"),
                    format!("item {} is not defined in $.items", o.item),
                ));
            };
            if options.iter().any(|(_, other)| *other == idx) {
                return Err(self.err(
                    format!("{path}.item"),
                    format!("item {} is shown by two options (twice)", o.item),
                ));
            }
            options.push((o.value.clone(), idx));
        }
        Ok(Choice {
            id: c.id.clone(),
            prompt: c.prompt.clone(),
            verified: c.verified,
            note: c.note.clone(),
            options,
        })
    }

    fn category(
        &self,
        c: &schema::CategoryDef,
        scores: &[ScoreDef],
        choice: Option<&Choice>,
        n_items: usize,
    ) -> Check<Category> {
        let CategoryMethod::HighestScore = c.method;
        if c.options.len() < 2 {
            return Err(self.err(
                "$.category.options",
                "a category needs at least two options",
            ));
        }
        let mut options = Vec::new();
        for (i, o) in c.options.iter().enumerate() {
            let path = format!("$.category.options[{i}]");
            let Some(score_idx) = scores.iter().position(|s| s.id == o.score) else {
                return Err(self.err(
                    format!("{path}.score"),
                    format!("score {:?} is not defined", o.score),
                ));
            };
            if options
                .iter()
                .any(|p: &CategoryOption| p.score_idx == score_idx)
            {
                return Err(self.err(
                    format!("{path}.score"),
                    format!(
                        "score {:?} is compared twice; every result would tie",
                        o.score
                    ),
                ));
            }
            if options.iter().any(|p: &CategoryOption| p.label == o.label)
                || o.label.trim().is_empty()
            {
                return Err(self.err(
                    format!("{path}.label"),
                    format!("label {:?} must be non-empty and not used twice", o.label),
                ));
            }
            let choice_idx = match (&o.choice, choice) {
                (None, _) => None,
                (Some(v), None) => {
                    return Err(self.err(
                        format!("{path}.choice"),
                        format!("names choice {v:?} but the instrument has no $.choice"),
                    ));
                }
                (Some(v), Some(ch)) => Some(ch.option_index(v).ok_or_else(|| {
                    self.err(
                        format!("{path}.choice"),
                        format!("{v:?} is not a value of $.choice.options"),
                    )
                })?),
            };
            // The forced-choice option standing for a category must show one of the items of
            // the category's score, or ties would be broken by the wrong paragraph.
            if let (Some(c), Some(ch), ScoreRule::Scale { slots, .. }) =
                (choice_idx, choice, &scores[score_idx].rule)
            {
                let shown = ch.options.get(c).map(|(_, item)| *item);
                if !slots.iter().any(|(slot, _)| Some(*slot % n_items) == shown) {
                    return Err(self.err(
                        format!("{path}.choice"),
                        format!(
                            "choice {:?} shows an item that is not an item of score {:?}",
                            o.choice.as_deref().unwrap_or_default(),
                            o.score
                        ),
                    ));
                }
            }
            options.push(CategoryOption {
                label: o.label.clone(),
                score_idx,
                choice_idx,
            });
        }
        if c.caveat.trim().is_empty() {
            return Err(self.err("$.category.caveat", "a category must carry its caveat"));
        }
        Ok(Category {
            options,
            caveat: c.caveat.clone(),
        })
    }

    fn plane(&self, p: &schema::PlaneDef, scores: &[ScoreDef], blocks: &[Block]) -> Check<Plane> {
        let find = |id: &str, path: &str| -> Check<usize> {
            scores
                .iter()
                .position(|s| s.id == id)
                .ok_or_else(|| self.err(path, format!("score {id:?} is not defined")))
        };
        let x = find(&p.x, "$.plane.x")?;
        let y = find(&p.y, "$.plane.y")?;
        if x == y {
            return Err(self.err("$.plane.y", "the same score cannot be on both axes"));
        }
        if !p.midpoint.is_finite() {
            return Err(self.err("$.plane.midpoint", "must be a finite number"));
        }
        for axis in [x, y] {
            let (lo, hi) = scores[axis].range;
            if p.midpoint < lo || p.midpoint > hi {
                return Err(self.err(
                    "$.plane.midpoint",
                    format!(
                        "midpoint {} is outside the range {lo}-{hi} of score {:?}",
                        p.midpoint, scores[axis].id
                    ),
                ));
            }
        }
        let mut block_points = Vec::new();
        match (&p.block_x, &p.block_y) {
            (None, None) => {}
            (Some(bx), Some(by)) => {
                if blocks.is_empty() {
                    return Err(self.err("$.plane.block_x", "block_x/block_y need $.blocks"));
                }
                for (b, block) in blocks.iter().enumerate() {
                    let xi = find(&format!("{}_{bx}", block.id), "$.plane.block_x")?;
                    let yi = find(&format!("{}_{by}", block.id), "$.plane.block_y")?;
                    block_points.push((b, xi, yi));
                }
            }
            _ => return Err(self.err("$.plane", "give both block_x and block_y, or neither")),
        }
        Ok(Plane {
            x,
            y,
            midpoint: p.midpoint,
            block_points,
        })
    }

    fn validity(
        &self,
        v: &schema::ValidityDef,
        response: &ResponseScale,
        n_slots: usize,
    ) -> Check<Validity> {
        let longstring_run = match v.longstring_run {
            Some(0) => None,
            Some(1) => {
                return Err(self.err(
                    "$.validity.longstring_run",
                    "a run must be at least 2 answers long (0 turns the flag off)",
                ));
            }
            Some(n) => Some(n),
            None => Some(n_slots.div_ceil(2).max(2)),
        };
        let contradiction_gap = match v.contradiction_gap {
            Some(g) if !g.is_finite() || g < 0.0 => {
                return Err(self.err(
                    "$.validity.contradiction_gap",
                    "must be a number of at least 0",
                ));
            }
            Some(0.0) => None,
            Some(g) => Some(g),
            None => Some(f64::from(response.max - response.min) / 2.0),
        };
        let min_seconds_per_item = match v.min_seconds_per_item {
            Some(s) if !s.is_finite() || s < 0.0 => {
                return Err(self.err(
                    "$.validity.min_seconds_per_item",
                    "must be a number of at least 0",
                ));
            }
            Some(0.0) => None,
            Some(s) => Some(s),
            None => Some(2.0),
        };
        Ok(Validity {
            longstring_run,
            all_midpoint: v.all_midpoint.unwrap_or(true),
            contradiction_gap,
            min_seconds_per_item,
        })
    }

    fn reliability(
        &self,
        raw: &[schema::ReliabilityDef],
        scores: &[ScoreDef],
    ) -> Check<Vec<Reliability>> {
        raw.iter()
            .enumerate()
            .map(|(i, r)| {
                let path = format!("$.reliability[{i}]");
                let score_idx = scores.iter().position(|s| s.id == r.score).ok_or_else(|| {
                    self.err(
                        format!("{path}.score"),
                        format!("score {:?} is not defined", r.score),
                    )
                })?;
                if !(r.value > 0.0 && r.value < 1.0) {
                    return Err(self.err(
                        format!("{path}.value"),
                        format!("{} must be between 0 and 1", r.value),
                    ));
                }
                if let Some(sd) = r.sd
                    && !(sd.is_finite() && sd > 0.0)
                {
                    return Err(self.err(
                        format!("{path}.sd"),
                        format!("{sd} must be a positive number"),
                    ));
                }
                if r.statistic.trim().is_empty() {
                    return Err(self.err(
                        format!("{path}.statistic"),
                        "say which coefficient this is (alpha, test-retest, ...)",
                    ));
                }
                if r.source.trim().is_empty() {
                    return Err(self.err(
                        format!("{path}.source"),
                        "a reliability figure needs its source",
                    ));
                }
                Ok(Reliability {
                    score_idx,
                    statistic: r.statistic.clone(),
                    value: r.value,
                    sd: r.sd,
                    source: r.source.clone(),
                })
            })
            .collect()
    }

    fn norm_sets(&self, raw: &[schema::NormSetDef], scores: &[ScoreDef]) -> Check<()> {
        for (i, set) in raw.iter().enumerate() {
            let path = format!("$.norm_sets[{i}]");
            if set.source.trim().is_empty() {
                return Err(self.err(format!("{path}.source"), "a norm set needs its source"));
            }
            if set.n < 2 {
                return Err(self.err(format!("{path}.n"), "a norm set needs n of at least 2"));
            }
            for (id, norm) in &set.scores {
                let spath = format!("{path}.scores.{id}");
                if !scores.iter().any(|s| &s.id == id) {
                    return Err(self.err(&spath, format!("score {id:?} is not defined")));
                }
                if !(norm.mean.is_finite() && norm.sd.is_finite() && norm.sd > 0.0) {
                    return Err(self.err(&spath, "mean must be finite and sd positive"));
                }
            }
        }
        Ok(())
    }
}

type ScaleRuleParts = (ScaleMethod, Vec<(usize, Keying)>, usize, (f64, f64));

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

fn slot_index(blocks: &[Block], n_items: usize, block: Option<usize>, item_idx: usize) -> usize {
    match (blocks.is_empty(), block) {
        (false, Some(b)) => b * n_items + item_idx,
        _ => item_idx,
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
/// `instrument.rs` (the checked types) does not depend on `check.rs` (which builds them).
impl Instrument {
    /// Parses and checks a questionnaire file. `file` names it in errors.
    pub fn from_json(file: &str, text: &str) -> Result<Self, InstrumentError> {
        let de = &mut serde_json::Deserializer::from_str(text);
        let raw: InstrumentFile = serde_path_to_error::deserialize(de).map_err(|e| {
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
        Self::from_file(file, raw)
    }

    /// Checks an already parsed file.
    pub fn from_file(file: &str, raw: InstrumentFile) -> Result<Self, InstrumentError> {
        Checker { file }.check(raw)
    }
}
