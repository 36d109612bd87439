//! The texts of the file, every one: not longer than [`MAX_TEXT_CHARS`], and free of what a
//! reader cannot see (REDTEAM L13): control characters (C0, DEL, C1: NUL, BEL, …) and the
//! bidirectional formatting characters that make a text display in another order than it is
//! stored (U+202A–U+202E, U+2066–U+2069, U+200E, U+200F, U+061C). A clinician reads an item
//! to a client, prints it and scores it; it must say what it shows.
//!
//! A line break (U+000A) is allowed in the texts that are prose (instructions, notes, the
//! forced choice's prompt, the category's caveat, a block's introduction), not in a one-line
//! text (an item, an anchor, a name). No bundled file has any of these characters, and their
//! wording is checked word for word elsewhere.

use super::{Check, Checker};
use crate::core::limits::MAX_TEXT_CHARS;
use crate::core::schema::InstrumentFile;

/// Whether a text may hold line breaks.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Lines {
    One,
    Prose,
}

impl Checker<'_> {
    /// Every text of the file, in file order; the first one at fault is the error, naming its
    /// JSON path and the code point.
    pub(super) fn texts(&self, raw: &InstrumentFile) -> Check<()> {
        use Lines::{One, Prose};
        for (path, text, lines) in [
            ("$.id", &raw.id, One),
            ("$.version", &raw.version, One),
            ("$.language", &raw.language, One),
            ("$.name", &raw.name, One),
            ("$.short_name", &raw.short_name, One),
            ("$.citation", &raw.citation, Prose),
            ("$.licence_note", &raw.licence_note, Prose),
            ("$.verification_note", &raw.verification_note, Prose),
            ("$.instructions.text", &raw.instructions.text, Prose),
            ("$.instructions.note", &raw.instructions.note, Prose),
            ("$.response_scale.note", &raw.response_scale.note, Prose),
            ("$.norms_note", &raw.norms_note, Prose),
        ] {
            self.text(|| path.to_owned(), text, lines)?;
        }
        if let Some(noun) = &raw.blocks_noun {
            self.text(|| "$.blocks_noun".to_owned(), noun, One)?;
        }
        for (key, label) in &raw.response_scale.anchors {
            self.text(|| format!("$.response_scale.anchors.{key}"), label, One)?;
        }
        for (i, item) in raw.items.iter().enumerate() {
            self.text(|| format!("$.items[{i}].text"), &item.text, One)?;
            if let Some(label) = &item.label {
                self.text(|| format!("$.items[{i}].label"), label, One)?;
            }
        }
        for (i, b) in raw.blocks.iter().enumerate() {
            self.text(|| format!("$.blocks[{i}].id"), &b.id, One)?;
            self.text(|| format!("$.blocks[{i}].name"), &b.name, One)?;
            self.text(|| format!("$.blocks[{i}].intro"), &b.intro, Prose)?;
        }
        for name in raw.recode_tables.keys() {
            self.text(|| format!("$.recode_tables.{name}"), name, One)?;
        }
        for (i, s) in raw.scales.iter().enumerate() {
            for (field, text) in [
                ("id", &s.id),
                ("name", &s.name),
                ("higher_means", &s.higher_means),
                ("better_reason", &s.better_reason),
            ] {
                self.text(|| format!("$.scales[{i}].{field}"), text, One)?;
            }
            for (key, table) in &s.recode {
                self.text(|| format!("$.scales[{i}].recode.{key}"), table, One)?;
            }
        }
        for (i, d) in raw.derived.iter().enumerate() {
            for (field, text) in [
                ("id", &d.id),
                ("name", &d.name),
                ("higher_means", &d.higher_means),
                ("better_reason", &d.better_reason),
            ] {
                self.text(|| format!("$.derived[{i}].{field}"), text, One)?;
            }
            for (j, t) in d.terms.iter().enumerate() {
                self.text(|| format!("$.derived[{i}].terms[{j}].score"), &t.score, One)?;
            }
            for (j, id) in d.scores.iter().enumerate() {
                self.text(|| format!("$.derived[{i}].scores[{j}]"), id, One)?;
            }
        }
        self.texts_after_scores(raw)
    }

    /// The texts of the sections after the scores: choice, category, plane, reliability, norms.
    fn texts_after_scores(&self, raw: &InstrumentFile) -> Check<()> {
        use Lines::{One, Prose};
        if let Some(c) = &raw.choice {
            self.text(|| "$.choice.id".to_owned(), &c.id, One)?;
            self.text(|| "$.choice.prompt".to_owned(), &c.prompt, Prose)?;
            self.text(|| "$.choice.note".to_owned(), &c.note, Prose)?;
            for (i, o) in c.options.iter().enumerate() {
                self.text(|| format!("$.choice.options[{i}].value"), &o.value, One)?;
            }
        }
        if let Some(c) = &raw.category {
            for (i, o) in c.options.iter().enumerate() {
                self.text(|| format!("$.category.options[{i}].label"), &o.label, One)?;
                self.text(|| format!("$.category.options[{i}].score"), &o.score, One)?;
                if let Some(choice) = &o.choice {
                    self.text(|| format!("$.category.options[{i}].choice"), choice, One)?;
                }
            }
            self.text(|| "$.category.caveat".to_owned(), &c.caveat, Prose)?;
        }
        if let Some(p) = &raw.plane {
            for (field, text) in [("x", Some(&p.x)), ("y", Some(&p.y))].into_iter().chain([
                ("block_x", p.block_x.as_ref()),
                ("block_y", p.block_y.as_ref()),
            ]) {
                if let Some(text) = text {
                    self.text(|| format!("$.plane.{field}"), text, One)?;
                }
            }
        }
        for (i, r) in raw.reliability.iter().enumerate() {
            for (field, text) in [
                ("score", &r.score),
                ("statistic", &r.statistic),
                ("source", &r.source),
            ] {
                self.text(|| format!("$.reliability[{i}].{field}"), text, One)?;
            }
        }
        for (i, note) in raw.reliability_notes.iter().enumerate() {
            self.text(|| format!("$.reliability_notes[{i}]"), note, Prose)?;
        }
        for (i, set) in raw.norm_sets.iter().enumerate() {
            for (field, text) in [
                ("id", &set.id),
                ("name", &set.name),
                ("source", &set.source),
                ("sample.country", &set.sample.country),
                ("sample.language", &set.sample.language),
            ] {
                self.text(|| format!("$.norm_sets[{i}].{field}"), text, One)?;
            }
            for id in set.scores.keys() {
                self.text(|| format!("$.norm_sets[{i}].scores.{id}"), id, One)?;
            }
        }
        Ok(())
    }

    /// One text: its length, then its characters. `path` is built only for an error.
    fn text(&self, path: impl Fn() -> String, text: &str, lines: Lines) -> Check<()> {
        let n_chars = text.chars().count();
        if n_chars > MAX_TEXT_CHARS {
            return Err(self.err(
                path(),
                format!(
                    "this text is {n_chars} characters long; a text may have at most {MAX_TEXT_CHARS} ({})",
                    super::limits::SEE
                ),
            ));
        }
        for (at, c) in text.chars().enumerate() {
            let problem = match (c, lines) {
                ('\n', Lines::Prose) => continue,
                ('\n', Lines::One) => format!(
                    "{}, a line break, at character {}: this text is one line",
                    code_point(c),
                    at + 1
                ),
                (c, _) if c.is_control() => format!(
                    "{}, a control character, at character {}: it is invisible, or shown as a box, and is not part of any wording; remove it",
                    code_point(c),
                    at + 1
                ),
                (c, _) => match bidi_name(c) {
                    Some(name) => format!(
                        "U+{:04X} ({name}), a bidirectional formatting character, at character {}: it can make the text display in another order than it is stored, scored and printed; remove it",
                        u32::from(c),
                        at + 1
                    ),
                    None => continue,
                },
            };
            return Err(self.err(path(), format!("this text has {problem}")));
        }
        Ok(())
    }
}

/// `U+0007 (BEL)`: the code point, with the name of the controls one may meet.
fn code_point(c: char) -> String {
    let name = match c {
        '\0' => Some("NUL"),
        '\u{7}' => Some("BEL"),
        '\u{8}' => Some("BACKSPACE"),
        '\t' => Some("TAB"),
        '\n' => Some("LINE FEED"),
        '\r' => Some("CARRIAGE RETURN"),
        '\u{1b}' => Some("ESCAPE"),
        '\u{7f}' => Some("DELETE"),
        '\u{85}' => Some("NEXT LINE"),
        _ => None,
    };
    match name {
        Some(name) => format!("U+{:04X} ({name})", u32::from(c)),
        None => format!("U+{:04X}", u32::from(c)),
    }
}

/// The Unicode name of a bidirectional formatting character; `None` for any other.
fn bidi_name(c: char) -> Option<&'static str> {
    Some(match c {
        '\u{061C}' => "ARABIC LETTER MARK",
        '\u{200E}' => "LEFT-TO-RIGHT MARK",
        '\u{200F}' => "RIGHT-TO-LEFT MARK",
        '\u{202A}' => "LEFT-TO-RIGHT EMBEDDING",
        '\u{202B}' => "RIGHT-TO-LEFT EMBEDDING",
        '\u{202C}' => "POP DIRECTIONAL FORMATTING",
        '\u{202D}' => "LEFT-TO-RIGHT OVERRIDE",
        '\u{202E}' => "RIGHT-TO-LEFT OVERRIDE",
        '\u{2066}' => "LEFT-TO-RIGHT ISOLATE",
        '\u{2067}' => "RIGHT-TO-LEFT ISOLATE",
        '\u{2068}' => "FIRST STRONG ISOLATE",
        '\u{2069}' => "POP DIRECTIONAL ISOLATE",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::{bidi_name, code_point};

    #[test]
    fn every_bidirectional_formatting_character_is_named() {
        let listed = ['\u{061C}', '\u{200E}', '\u{200F}']
            .into_iter()
            .chain('\u{202A}'..='\u{202E}')
            .chain('\u{2066}'..='\u{2069}');
        for c in listed {
            assert!(bidi_name(c).is_some(), "U+{:04X}", u32::from(c));
        }
        // Neighbours that are ordinary text (a hyphen, a narrow no-break space, é).
        for c in ['\u{2010}', '\u{202F}', '\u{2065}', '\u{206A}', 'é', '-'] {
            assert!(bidi_name(c).is_none(), "U+{:04X}", u32::from(c));
        }
        assert_eq!(code_point('\u{202E}'), "U+202E");
        assert_eq!(code_point('\0'), "U+0000 (NUL)");
    }
}
