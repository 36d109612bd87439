//! Which CSV column is which item, and what a cell says.
//!
//! Item columns are `q1` … `qN` by item number, case-insensitive, zero padding allowed (`Q07`);
//! instruments with blocks prefix the block id (`mother_q3`); an instrument with a forced choice
//! reads it from the column named by its choice id (`choice`). Every other column is passed
//! through unchanged.

use crate::core::instrument::Instrument;

/// What one input column is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnRole {
    /// Not an item: copied to the output unchanged.
    PassThrough,
    /// The answer in this slot of the instrument.
    Item {
        /// Slot index.
        slot: usize,
    },
    /// The forced choice.
    Choice,
}

/// The roles of a header's columns.
#[derive(Debug, Clone)]
pub struct ColumnMap {
    /// One per input column.
    pub roles: Vec<ColumnRole>,
    /// The header as written (lossy UTF-8), for messages and JSON keys.
    pub names: Vec<String>,
    /// The header's bytes exactly as read, for CSV output: passed through unchanged even when
    /// the file is not UTF-8.
    pub raw_names: Vec<Vec<u8>>,
    /// Canonical names of item columns (`q7` for `Q07`), for flags; empty for others.
    pub canonical: Vec<String>,
    /// Indices of pass-through columns, in order.
    pub pass_through: Vec<usize>,
    /// Things worth telling the user that do not stop scoring.
    pub warnings: Vec<String>,
}

impl ColumnMap {
    /// Maps `header` onto `instrument`'s slots. Errors name the missing or clashing columns.
    /// `json` says whether the output is JSON, whose objects also hold a `scores` key;
    /// `category` whether a `category` column is written.
    pub fn new(
        instrument: &Instrument,
        header: &[&[u8]],
        json: bool,
        category: bool,
    ) -> Result<Self, String> {
        let names: Vec<String> = header
            .iter()
            .map(|h| String::from_utf8_lossy(h).into_owned())
            .collect();
        let mut roles = Vec::with_capacity(names.len());
        let mut canonical = Vec::with_capacity(names.len());
        let mut slot_column: Vec<Option<usize>> = vec![None; instrument.n_slots()];
        let mut choice_column: Option<usize> = None;
        let mut warnings = Vec::new();
        // Names the output itself uses: a pass-through column of the same name would be
        // ambiguous.
        let mut output_names: Vec<&str> = instrument.scores.iter().map(|s| s.id.as_str()).collect();
        output_names.extend(["n_missing", "flags"]);
        if category && instrument.category.is_some() {
            output_names.push("category");
        }
        if json {
            output_names.push("scores");
        }

        for (col, name) in names.iter().enumerate() {
            let key = name.trim().to_ascii_lowercase();
            if let Some(choice) = &instrument.choice
                && key == choice.id
            {
                if let Some(first) = choice_column {
                    return Err(format!(
                        "columns {} and {} ({} and {}) are both the forced choice; keep one",
                        first + 1,
                        col + 1,
                        quoted(names[first].as_bytes()),
                        quoted(name.as_bytes())
                    ));
                }
                choice_column = Some(col);
                roles.push(ColumnRole::Choice);
                canonical.push(choice.id.clone());
                continue;
            }
            if let Some((block, number)) = item_reference(&key) {
                if let Some(slot) = find_slot(instrument, block, number) {
                    if let Some(first) = slot_column[slot] {
                        return Err(format!(
                            "columns {} and {} ({} and {}) both hold {}; keep one",
                            first + 1,
                            col + 1,
                            quoted(names[first].as_bytes()),
                            quoted(name.as_bytes()),
                            instrument.slots[slot].column
                        ));
                    }
                    slot_column[slot] = Some(col);
                    roles.push(ColumnRole::Item { slot });
                    canonical.push(instrument.slots[slot].column.clone());
                } else {
                    warnings.push(format!(
                        "column {} looks like an item but {} has no such item; passed through unchanged",
                        quoted(name.as_bytes()),
                        instrument.id
                    ));
                    roles.push(ColumnRole::PassThrough);
                    canonical.push(String::new());
                }
            } else {
                if output_names.contains(&key.as_str()) {
                    return Err(format!(
                        "input column {} has the name of an output column; rename it (is this file already scored?)",
                        quoted(name.as_bytes())
                    ));
                }
                roles.push(ColumnRole::PassThrough);
                canonical.push(String::new());
            }
        }

        if let Some(message) = missing_columns(instrument, &slot_column, &names) {
            return Err(message);
        }

        let pass_through = roles
            .iter()
            .enumerate()
            .filter(|(_, r)| matches!(r, ColumnRole::PassThrough))
            .map(|(i, _)| i)
            .collect();
        Ok(Self {
            roles,
            names,
            raw_names: header.iter().map(|h| h.to_vec()).collect(),
            canonical,
            pass_through,
            warnings,
        })
    }

    /// A pass-through name used twice, if any (JSON objects cannot hold both).
    pub fn duplicate_pass_through(&self) -> Option<&str> {
        let mut seen = std::collections::HashSet::new();
        self.pass_through
            .iter()
            .map(|&i| self.names[i].as_str())
            .find(|name| !seen.insert(*name))
    }
}

/// The error for item columns the header lacks, if any.
fn missing_columns(
    instrument: &Instrument,
    slot_column: &[Option<usize>],
    names: &[String],
) -> Option<String> {
    let missing: Vec<&str> = slot_column
        .iter()
        .zip(&instrument.slots)
        .filter(|(col, _)| col.is_none())
        .map(|(_, slot)| slot.column.as_str())
        .collect();
    if missing.is_empty() {
        return None;
    }
    let mut message = format!(
        "missing item column(s) for {}: {}",
        instrument.id,
        missing.join(", ")
    );
    if let Some(hint) = delimiter_hint(names) {
        message.push_str("; ");
        message.push_str(&hint);
    }
    Some(message)
}

/// `q7` -> (None, 7); `mother_q07` -> (Some("mother"), 7). `key` is lower case and trimmed.
fn item_reference(key: &str) -> Option<(Option<&str>, u32)> {
    let (block, tail) = match key.rfind('_') {
        Some(i) => (Some(&key[..i]), &key[i + 1..]),
        None => (None, key),
    };
    let digits = tail.strip_prefix('q')?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((block, digits.parse().ok()?))
}

fn find_slot(instrument: &Instrument, block: Option<&str>, number: u32) -> Option<usize> {
    instrument.slots.iter().position(|slot| {
        let block_matches = match (slot.block_idx, block) {
            (None, None) => true,
            (Some(b), Some(name)) => instrument.blocks.get(b).is_some_and(|bl| bl.id == name),
            _ => false,
        };
        block_matches && instrument.slot_item(slot).number == number
    })
}

/// When the header is one column full of another delimiter, say so.
fn delimiter_hint(names: &[String]) -> Option<String> {
    if names.len() != 1 {
        return None;
    }
    let only = &names[0];
    [(',', "comma"), (';', "semicolon"), ('\t', "tab")]
        .iter()
        .find(|(c, _)| only.contains(*c))
        .map(|(_, word)| format!("the header looks {word}-separated: try --delimiter auto"))
}

/// How much of a cell or a name a message quotes.
const SHOWN_BYTES: usize = 200;

/// `bytes` quoted for a message (`"8"`); one longer than 200 bytes by its start and its
/// length (`"77777…"…(50000000 bytes)`), so that a huge cell makes a short message.
pub fn quoted(bytes: &[u8]) -> String {
    if bytes.len() <= SHOWN_BYTES {
        return format!("{:?}", String::from_utf8_lossy(bytes));
    }
    format!(
        "{:?}…({} bytes)",
        String::from_utf8_lossy(&bytes[..char_boundary(bytes, SHOWN_BYTES)]),
        bytes.len()
    )
}

/// `text` for a message, cut after 200 bytes with `…`.
pub fn shortened(text: &str) -> String {
    if text.len() <= SHOWN_BYTES {
        return text.to_owned();
    }
    let cut = char_boundary(text.as_bytes(), SHOWN_BYTES);
    format!("{}…", text.get(..cut).unwrap_or_default())
}

/// `at`, or the start of the UTF-8 character it falls in.
fn char_boundary(bytes: &[u8], at: usize) -> usize {
    let mut cut = at.min(bytes.len());
    while cut > 0 && cut < bytes.len() && cut + 3 >= at && bytes[cut] & 0xC0 == 0x80 {
        cut -= 1;
    }
    cut
}

/// What a cell holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CellValue {
    /// Empty, `NA` or `.`.
    Missing,
    /// A whole number (range not yet checked).
    Number(i64),
    /// Anything else.
    NotANumber,
}

/// Reads one answer cell. Surrounding spaces are ignored; `NA` is case-insensitive; a whole
/// number may be written with a trailing `.0` (as spreadsheets export `3.00`).
#[inline]
pub fn parse_cell(cell: &[u8]) -> CellValue {
    // Fast path: one digit, the common case in every instrument shipped.
    if let [d @ b'0'..=b'9'] = cell {
        return CellValue::Number(i64::from(d - b'0'));
    }
    let cell = cell.trim_ascii();
    if cell.is_empty() || cell == b"." || cell.eq_ignore_ascii_case(b"na") {
        return CellValue::Missing;
    }
    let (negative, rest) = match cell {
        [b'-', rest @ ..] => (true, rest),
        [b'+', rest @ ..] => (false, rest),
        _ => (false, cell),
    };
    let (int_part, frac_part) = match rest.iter().position(|&b| b == b'.') {
        Some(i) => (&rest[..i], &rest[i + 1..]),
        None => (rest, &[][..]),
    };
    if int_part.is_empty()
        || int_part.len() > 12
        || !int_part.iter().all(u8::is_ascii_digit)
        || !frac_part.iter().all(|&b| b == b'0')
    {
        return CellValue::NotANumber;
    }
    let mut value: i64 = 0;
    for &b in int_part {
        value = value * 10 + i64::from(b - b'0');
    }
    CellValue::Number(if negative { -value } else { value })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells() {
        assert_eq!(parse_cell(b"7"), CellValue::Number(7));
        assert_eq!(parse_cell(b" 7 "), CellValue::Number(7));
        assert_eq!(parse_cell(b"07"), CellValue::Number(7));
        assert_eq!(parse_cell(b"3.00"), CellValue::Number(3));
        assert_eq!(parse_cell(b"-1"), CellValue::Number(-1));
        assert_eq!(parse_cell(b""), CellValue::Missing);
        assert_eq!(parse_cell(b"  "), CellValue::Missing);
        assert_eq!(parse_cell(b"NA"), CellValue::Missing);
        assert_eq!(parse_cell(b"na"), CellValue::Missing);
        assert_eq!(parse_cell(b"."), CellValue::Missing);
        assert_eq!(parse_cell(b"3.5"), CellValue::NotANumber);
        assert_eq!(parse_cell(b"seven"), CellValue::NotANumber);
        assert_eq!(parse_cell(b"3."), CellValue::Number(3));
        assert_eq!(parse_cell(b".5"), CellValue::NotANumber);
        assert_eq!(parse_cell(b"1e3"), CellValue::NotANumber);
        assert_eq!(parse_cell(b"-"), CellValue::NotANumber);
        assert_eq!(parse_cell(b"99999999999999999999"), CellValue::NotANumber);
    }

    #[test]
    fn long_cells_and_names_are_cut() {
        assert_eq!(quoted(b"8"), "\"8\"");
        let m = quoted(&vec![b'7'; 50_000_000]);
        assert_eq!(m, format!("\"{}\"…(50000000 bytes)", "7".repeat(200)));
        // Never inside a character.
        let text = format!("{}é{}", "a".repeat(199), "b".repeat(300));
        assert_eq!(shortened(&text), format!("{}…", "a".repeat(199)));
        assert!(quoted(text.as_bytes()).starts_with(&format!("\"{}\"…", "a".repeat(199))));
        assert_eq!(shortened("q7"), "q7");
    }

    #[test]
    fn item_references() {
        assert_eq!(item_reference("q7"), Some((None, 7)));
        assert_eq!(item_reference("q007"), Some((None, 7)));
        assert_eq!(item_reference("mother_q3"), Some((Some("mother"), 3)));
        assert_eq!(item_reference("q"), None);
        assert_eq!(item_reference("quality"), None);
        assert_eq!(item_reference("id"), None);
    }
}
