//! The limits of [`crate::core::limits`], applied: the size and nesting of the text before it
//! is parsed ([`scan`]), then the counts of the parsed file ([`Checker::sizes`]) before anything
//! is built from them, so that a file past a limit costs no more than reading it.
//!
//! Apart from the pass in [`super`] because these rules are about securebase's resources, not
//! about what the instrument means; each message carries the limit's number.

use super::{Check, Checker};
use crate::core::error::InstrumentError;
use crate::core::limits::{
    MAX_ANSWERS, MAX_BLOCKS, MAX_DEPTH, MAX_FILE_BYTES, MAX_ITEMS, MAX_LIST, MAX_SCALE_ENTRIES,
    MAX_SCORES,
};
use crate::core::schema::InstrumentFile;

/// Where the limits are written down for people, for the end of each message.
pub(super) const SEE: &str = "securebase's limit; see \"Limits\" in questionnaires/README.md";

/// The file's size, and how deep its JSON nests, before it is parsed: one pass over the bytes
/// (strings skipped), naming the line and column where the nesting goes too deep.
pub(super) fn scan(file: &str, text: &str) -> Result<(), InstrumentError> {
    let refuse = |message: String| InstrumentError {
        file: file.to_owned(),
        path: "$".to_owned(),
        message,
    };
    if text.len() as u64 > MAX_FILE_BYTES {
        return Err(refuse(format!(
            "the file is {} bytes; a questionnaire file may have at most {MAX_FILE_BYTES} bytes, 1 MiB ({SEE})",
            text.len()
        )));
    }
    let (mut depth, mut in_string, mut escaped) = (0_usize, false, false);
    let (mut line, mut column) = (1_usize, 0_usize);
    for byte in text.bytes() {
        if byte == b'\n' {
            line += 1;
            column = 0;
        } else {
            column += 1;
        }
        if in_string {
            if escaped {
                escaped = false;
            } else if byte == b'\\' {
                escaped = true;
            } else if byte == b'"' {
                in_string = false;
            }
            continue;
        }
        match byte {
            b'"' => in_string = true,
            b'{' | b'[' => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Err(refuse(format!(
                        "the JSON is nested {depth} deep at line {line} column {column}; a questionnaire file nests at most {MAX_DEPTH} deep (the format needs 5; {SEE})"
                    )));
                }
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

impl Checker<'_> {
    /// The counts of the parsed file against the limits, before slots and scores are built
    /// (blocks × items was the quadratic one).
    pub(super) fn sizes(&self, raw: &InstrumentFile) -> Check<()> {
        let n_items = raw.items.len();
        let n_blocks = raw.blocks.len();
        self.at_most("$.items", n_items, "items", "a questionnaire", MAX_ITEMS)?;
        self.at_most(
            "$.blocks",
            n_blocks,
            "blocks",
            "a questionnaire",
            MAX_BLOCKS,
        )?;
        let per_block = n_blocks.max(1);
        let n_answers = n_items * per_block;
        if n_answers > MAX_ANSWERS {
            return Err(self.err(
                "$.blocks",
                format!(
                    "{n_blocks} blocks × {n_items} items = {n_answers} answers; a form may ask for at most {MAX_ANSWERS} ({SEE})"
                ),
            ));
        }
        let n_scores = raw.scales.len() * per_block + raw.derived.len();
        if n_scores > MAX_SCORES {
            return Err(self.err(
                "$.scales",
                format!(
                    "{} scales × {per_block} block(s) + {} derived scores = {n_scores} scores; an instrument may define at most {MAX_SCORES} ({SEE})",
                    raw.scales.len(),
                    raw.derived.len()
                ),
            ));
        }
        let entries: usize = raw.scales.iter().map(|s| s.items.len()).sum::<usize>() * per_block;
        if entries > MAX_SCALE_ENTRIES {
            return Err(self.err(
                "$.scales",
                format!(
                    "the scales list {entries} items in all (counted once per block); at most {MAX_SCALE_ENTRIES} may be scored on one form ({SEE})"
                ),
            ));
        }
        self.lists(raw)
    }

    /// Every other list of the file: at most [`MAX_LIST`] entries each.
    fn lists(&self, raw: &InstrumentFile) -> Check<()> {
        let mut lists: Vec<(String, usize)> = vec![
            (
                "$.response_scale.anchors".to_owned(),
                raw.response_scale.anchors.len(),
            ),
            ("$.recode_tables".to_owned(), raw.recode_tables.len()),
            ("$.reliability".to_owned(), raw.reliability.len()),
            (
                "$.reliability_notes".to_owned(),
                raw.reliability_notes.len(),
            ),
            ("$.norm_sets".to_owned(), raw.norm_sets.len()),
        ];
        for (name, table) in &raw.recode_tables {
            lists.push((format!("$.recode_tables.{name}"), table.len()));
        }
        for (i, s) in raw.scales.iter().enumerate() {
            lists.push((format!("$.scales[{i}].reverse"), s.reverse.len()));
            lists.push((format!("$.scales[{i}].recode"), s.recode.len()));
        }
        for (i, d) in raw.derived.iter().enumerate() {
            lists.push((format!("$.derived[{i}].terms"), d.terms.len()));
            lists.push((format!("$.derived[{i}].scores"), d.scores.len()));
        }
        if let Some(c) = &raw.choice {
            lists.push(("$.choice.options".to_owned(), c.options.len()));
        }
        if let Some(c) = &raw.category {
            lists.push(("$.category.options".to_owned(), c.options.len()));
        }
        for (i, set) in raw.norm_sets.iter().enumerate() {
            lists.push((format!("$.norm_sets[{i}].scores"), set.scores.len()));
        }
        for (path, n) in lists {
            self.at_most(&path, n, "entries", "this list", MAX_LIST)?;
        }
        Ok(())
    }

    /// `n` of `what` at `path`, refused past `max`: "2001 items; a questionnaire may have at
    /// most 2000".
    fn at_most(&self, path: &str, n: usize, what: &str, scope: &str, max: usize) -> Check<()> {
        if n > max {
            return Err(self.err(
                path,
                format!("{n} {what}; {scope} may have at most {max} ({SEE})"),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::scan;

    #[test]
    fn brackets_inside_strings_are_not_nesting() {
        let deep = "[".repeat(40);
        let text = format!(r#"{{"a": "{deep} \" {deep}", "b": [[1]]}}"#);
        assert!(scan("f.json", &text).is_ok());
        let nested = format!("{{\"a\":\n  {deep}{}}}", "]".repeat(40));
        let err = scan("f.json", &nested).unwrap_err();
        assert_eq!(err.path, "$");
        // The 17th level is the 16th '[' on line 2, after two spaces.
        assert!(
            err.message
                .starts_with("the JSON is nested 17 deep at line 2 column 18;"),
            "{}",
            err.message
        );
    }
}
