//! A paper form keyed in by the clinician: the grid's state and its transitions, with no
//! drawing, so that the keying (digits move on, a key marks "left blank", the arrows move), the
//! second entry of a double entry and the resolution of the items where the two entries differ
//! are tested without a window. The record's draft ([`PaperDraft`]) holds every value keyed;
//! the app saves it after each key, so a crash loses nothing.

use std::collections::BTreeMap;

use jiff::Timestamp;

use crate::core::instrument::Instrument;
use crate::core::{Answer, AnswerError};

/// Why a paper form cannot be saved as completed yet.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PaperError {
    /// Rows where the two entries differ and the paper was not looked at yet.
    #[error("{0} item(s) where the two entries differ are not resolved yet")]
    Unresolved(usize),
    /// A value that does not fit the instrument (a changed questionnaire file).
    #[error("item {column}: {source}")]
    Answer {
        /// The item's column.
        column: String,
        /// Why it does not fit.
        source: AnswerError,
    },
}
use crate::store::{Administration, PaperDraft, Source, Status};

/// A row of the grid that two entries keyed differently, and what was chosen for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Row {
    /// An answer slot.
    Slot(usize),
    /// The forced choice (after the items).
    Choice,
}

/// Where the keying stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Keying an entry (the draft says which).
    Keying,
    /// Both entries keyed; the rows where they differ are resolved against the paper.
    Resolving,
}

/// What Enter at the end of an entry led to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Finished {
    /// Not at the end of the form yet: nothing happened.
    NotYet,
    /// The first of two entries is done; the second starts, blank.
    SecondEntry,
    /// The entries differ on some rows: resolve them.
    Resolve,
    /// The form is ready to be saved as completed.
    Ready,
}

/// The grid of one paper form being keyed in.
#[derive(Debug, Clone)]
pub struct PaperEntry {
    /// The instrument.
    pub instrument: Instrument,
    /// The record, in progress (its draft is [`Self::record`]'s).
    pub administration: Administration,
    /// What was keyed.
    draft: PaperDraft,
    /// The row the cursor is on; `rows()` is the end of the form ("press Enter").
    pub cursor: usize,
    /// Keying or resolving.
    pub phase: Phase,
    /// What was chosen for each differing row (`None` inside: left blank).
    pub resolved: BTreeMap<usize, Option<String>>,
    /// Digits typed so far for a scale above 9 (a value that one more digit could extend).
    pending: Option<i32>,
    /// Why the last key did nothing (a value outside the scale), until the next key.
    pub refused: Option<String>,
    /// The row the grid last scrolled to (the view's: it follows the cursor).
    pub scrolled_to: Option<usize>,
}

impl PaperEntry {
    /// A new form of `instrument` for `client_id`, dated `form_date`, keyed once or twice.
    pub fn new(
        id: String,
        client_id: &str,
        instrument: &Instrument,
        form_date: jiff::civil::Date,
        double: bool,
        now: Timestamp,
    ) -> Self {
        let source = if double {
            Source::PaperDoubleEntry
        } else {
            Source::PaperEntry
        };
        let mut administration = Administration::new(id, client_id, instrument, source, now);
        administration.form_date = Some(form_date);
        let draft = PaperDraft {
            double,
            entry: 1,
            reached: 0,
            first: vec![None; instrument.n_slots()],
            first_choice: None,
            second: Vec::new(),
            second_choice: None,
        };
        Self::at_start(instrument, administration, draft)
    }

    /// The grid of `administration` with `draft`, its cursor on the first row.
    fn at_start(
        instrument: &Instrument,
        administration: Administration,
        draft: PaperDraft,
    ) -> Self {
        Self {
            instrument: instrument.clone(),
            administration,
            draft,
            cursor: 0,
            phase: Phase::Keying,
            resolved: BTreeMap::new(),
            pending: None,
            refused: None,
            scrolled_to: None,
        }
    }

    /// Keying resumed from a saved record: at the row the current entry had reached. The
    /// record back when it holds no draft that fits `instrument`.
    ///
    /// # Errors
    /// The record itself, boxed, when it is not a paper form in progress.
    pub fn resume(
        instrument: &Instrument,
        mut administration: Administration,
    ) -> Result<Self, Box<Administration>> {
        let fits = |d: &PaperDraft| {
            d.first.len() == instrument.n_slots()
                && (d.second.is_empty() || d.second.len() == instrument.n_slots())
                && matches!(d.entry, 1 | 2)
        };
        let draft = match administration.draft.take() {
            Some(d) if fits(&d) && administration.status == Status::InProgress => d,
            other => {
                administration.draft = other;
                return Err(Box::new(administration));
            }
        };
        let mut entry = Self::at_start(instrument, administration, draft);
        entry.cursor = entry.draft.reached.min(entry.rows());
        Ok(entry)
    }

    /// The record as it is saved after a key: in progress, with what was keyed.
    pub fn record(&self) -> Administration {
        let mut a = self.administration.clone();
        a.draft = Some(self.draft.clone());
        a
    }

    /// The rows of the grid: one per answer slot, then the forced choice if there is one.
    pub fn rows(&self) -> usize {
        self.instrument.n_slots() + usize::from(self.instrument.choice.is_some())
    }

    /// Keyed twice.
    pub fn double(&self) -> bool {
        self.draft.double
    }

    /// The entry being keyed: 1 or 2.
    pub fn entry(&self) -> u8 {
        self.draft.entry
    }

    /// How many rows the current entry has reached (rows after it show as not keyed yet).
    pub fn reached(&self) -> usize {
        self.draft.reached
    }

    /// What row `row` holds in the current entry, as shown: the value, "blank", the choice,
    /// or nothing when not reached.
    pub fn shown(&self, row: usize) -> Option<String> {
        if row >= self.reached() && row != self.cursor {
            return None;
        }
        let d = &self.draft;
        let (values, choice) = if d.entry == 2 {
            (&d.second, &d.second_choice)
        } else {
            (&d.first, &d.first_choice)
        };
        if row < self.instrument.n_slots() {
            match values.get(row).copied().flatten() {
                Some(v) => Some(v.to_string()),
                None if row < self.reached() => Some("blank".to_owned()),
                None => None,
            }
        } else {
            choice
                .clone()
                .or_else(|| (row < self.reached()).then(|| "blank".to_owned()))
        }
    }

    fn values_mut(&mut self) -> &mut Vec<Option<i32>> {
        let n = self.instrument.n_slots();
        let d = &mut self.draft;
        if d.entry == 2 {
            if d.second.len() != n {
                d.second = vec![None; n];
            }
            &mut d.second
        } else {
            &mut d.first
        }
    }

    /// Moves to `row` and marks the rows before it reached.
    fn go(&mut self, row: usize) {
        self.pending = None;
        self.cursor = row.min(self.rows());
        let cursor = self.cursor;
        let d = &mut self.draft;
        d.reached = d.reached.max(cursor);
    }

    /// A digit typed on the current row. A value that one more digit could still extend
    /// within the scale (a 1 on a 0-10 scale) waits for it; any other moves on. Returns whether
    /// the draft changed.
    pub fn digit(&mut self, digit: u8) -> bool {
        self.refused = None;
        if self.phase != Phase::Keying || self.cursor >= self.instrument.n_slots() {
            return false;
        }
        let (min, max) = (self.instrument.response.min, self.instrument.response.max);
        let value = self.pending.map_or(0, |p| p * 10) + i32::from(digit);
        let extendable = value > 0 && value * 10 <= max;
        if value > max || (value < min && !extendable) {
            self.pending = None;
            self.refused = Some(format!(
                "{value} is not on this form's scale ({min} to {max})"
            ));
            return false;
        }
        let row = self.cursor;
        self.values_mut()[row] = (value >= min).then_some(value);
        if extendable {
            self.pending = Some(value);
            let d = &mut self.draft;
            d.reached = d.reached.max(row);
        } else {
            self.go(row + 1);
        }
        true
    }

    /// "Left blank" on the current row, and on to the next.
    pub fn blank(&mut self) -> bool {
        self.refused = None;
        if self.phase != Phase::Keying || self.cursor >= self.rows() {
            return false;
        }
        let row = self.cursor;
        if row < self.instrument.n_slots() {
            self.values_mut()[row] = None;
        } else {
            self.set_choice(None);
        }
        self.go(row + 1);
        true
    }

    /// A letter typed on the forced choice's row: the option it names, and on to the end.
    pub fn letter(&mut self, letter: &str) -> bool {
        self.refused = None;
        if self.phase != Phase::Keying || self.cursor != self.instrument.n_slots() {
            return false;
        }
        let Some(choice) = &self.instrument.choice else {
            return false;
        };
        let Some(option) = choice
            .option_index(letter)
            .and_then(|k| choice.options.get(k))
        else {
            let values: Vec<&str> = choice.options.iter().map(|(v, _)| v.as_str()).collect();
            self.refused = Some(format!(
                "{letter} is not one of the choices ({})",
                values.join(", ")
            ));
            return false;
        };
        let value = option.0.clone();
        self.set_choice(Some(value));
        self.go(self.cursor + 1);
        true
    }

    fn set_choice(&mut self, value: Option<String>) {
        let d = &mut self.draft;
        if d.entry == 2 {
            d.second_choice = value;
        } else {
            d.first_choice = value;
        }
    }

    /// The arrow up: the row before (its value stays until keyed again).
    pub fn up(&mut self) {
        self.refused = None;
        if self.phase == Phase::Keying {
            self.pending = None;
            self.cursor = self.cursor.saturating_sub(1);
        }
    }

    /// The arrow down: the next row, as far as the end of the form (a row passed without a
    /// key is left blank).
    pub fn down(&mut self) -> bool {
        self.refused = None;
        if self.phase != Phase::Keying || self.cursor >= self.rows() {
            return false;
        }
        self.go(self.cursor + 1);
        true
    }

    /// Enter: at the end of the form, the entry is done. A double entry's first entry leads to
    /// the second, blank; the second to the rows where the two differ, if any.
    pub fn finish_entry(&mut self) -> Finished {
        self.refused = None;
        if self.phase != Phase::Keying {
            return Finished::NotYet;
        }
        if self.cursor < self.rows() {
            // A value waiting for a second digit is complete as it is.
            if self.pending.is_some() {
                self.go(self.cursor + 1);
            }
            return Finished::NotYet;
        }
        let n = self.instrument.n_slots();
        let d = &mut self.draft;
        if d.double && d.entry == 1 {
            d.entry = 2;
            d.reached = 0;
            d.second = vec![None; n];
            d.second_choice = None;
            self.cursor = 0;
            return Finished::SecondEntry;
        }
        if self.differences().is_empty() {
            Finished::Ready
        } else {
            self.phase = Phase::Resolving;
            Finished::Resolve
        }
    }

    /// The rows where the two entries of a double entry differ, in form order (none for a
    /// single entry, or before the second entry is done).
    pub fn differences(&self) -> Vec<Row> {
        let d = &self.draft;
        if !d.double || d.entry != 2 || d.reached < self.rows() {
            return Vec::new();
        }
        let mut rows: Vec<Row> = (0..self.instrument.n_slots())
            .filter(|&k| d.first.get(k) != d.second.get(k))
            .map(Row::Slot)
            .collect();
        if self.instrument.choice.is_some() && d.first_choice != d.second_choice {
            rows.push(Row::Choice);
        }
        rows
    }

    /// The two entries' values of a differing row, as shown ("4", "blank").
    pub fn both(&self, row: &Row) -> (String, String) {
        let d = &self.draft;
        let show = |v: Option<String>| v.unwrap_or_else(|| "blank".to_owned());
        match row {
            Row::Slot(k) => (
                show(d.first.get(*k).copied().flatten().map(|v| v.to_string())),
                show(d.second.get(*k).copied().flatten().map(|v| v.to_string())),
            ),
            Row::Choice => (show(d.first_choice.clone()), show(d.second_choice.clone())),
        }
    }

    /// The grid row index of `row`.
    pub fn index(&self, row: &Row) -> usize {
        match row {
            Row::Slot(k) => *k,
            Row::Choice => self.instrument.n_slots(),
        }
    }

    /// What the paper says for a differing row: a value of the scale (or a choice's letter),
    /// or `None` for left blank.
    pub fn resolve(&mut self, row: &Row, value: Option<String>) {
        let index = self.index(row);
        self.resolved.insert(index, value);
    }

    /// How many differing rows are still to be resolved.
    pub fn unresolved(&self) -> usize {
        self.differences()
            .iter()
            .filter(|r| !self.resolved.contains_key(&self.index(r)))
            .count()
    }

    /// The record as completed: the answers of the one entry, or of the rows both entries
    /// agree on and the resolved ones; its draft gone.
    ///
    /// # Errors
    /// When a differing row is not resolved yet, or a value does not fit the instrument.
    pub fn completed(&self, now: Timestamp) -> Result<Administration, PaperError> {
        let differing = self.differences();
        let unresolved = self.unresolved();
        if unresolved > 0 {
            return Err(PaperError::Unresolved(unresolved));
        }
        let d = &self.draft;
        let mut a = self.administration.clone();
        a.answers.clear();
        for (slot, def) in self.instrument.slots.iter().enumerate() {
            let value = if differing.contains(&Row::Slot(slot)) {
                let chosen = self.resolved.get(&slot).cloned().flatten();
                chosen.and_then(|text| text.parse::<i32>().ok())
            } else {
                d.first.get(slot).copied().flatten()
            };
            let answer = value.map_or(Answer::Missing, Answer::Value);
            a.set_answer(&self.instrument, slot, answer, now, None)
                .map_err(|source| PaperError::Answer {
                    column: def.column.clone(),
                    source,
                })?;
        }
        a.choice = if differing.contains(&Row::Choice) {
            self.resolved
                .get(&self.instrument.n_slots())
                .cloned()
                .flatten()
        } else {
            d.first_choice.clone()
        };
        a.status = Status::Completed;
        a.finished = Some(now);
        a.draft = None;
        Ok(a)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::bundled::bundled;

    fn instrument(id: &str) -> Instrument {
        bundled()
            .into_iter()
            .flatten()
            .find(|i| i.id == id)
            .unwrap()
    }

    fn form(id: &str, double: bool) -> PaperEntry {
        PaperEntry::new(
            "a1".into(),
            "c1",
            &instrument(id),
            jiff::civil::date(2026, 3, 5),
            double,
            Timestamp::UNIX_EPOCH,
        )
    }

    fn values(a: &Administration) -> Vec<(String, Option<i32>)> {
        a.answers
            .iter()
            .map(|x| (x.column.clone(), x.value))
            .collect()
    }

    #[test]
    fn thirty_six_digits_and_enter_key_a_whole_ecr_r() {
        let mut f = form("ecr-r", false);
        let mut keys = 0;
        for k in 0..36 {
            assert!(f.digit(u8::try_from(k % 7 + 1).unwrap()));
            keys += 1;
        }
        assert_eq!(f.cursor, 36);
        assert_eq!(f.finish_entry(), Finished::Ready);
        keys += 1;
        assert_eq!(keys, 37);
        let a = f.completed(Timestamp::UNIX_EPOCH).unwrap();
        assert_eq!(a.status, Status::Completed);
        assert_eq!(a.draft, None);
        assert_eq!(a.source, Source::PaperEntry);
        assert_eq!(a.form_date, Some(jiff::civil::date(2026, 3, 5)));
        assert_eq!(a.answers.len(), 36);
        assert_eq!(a.answers[8].value, Some(2), "q9 is the ninth digit");
    }

    #[test]
    fn blanks_arrows_and_refused_values() {
        let mut f = form("ecr-r", false);
        assert!(!f.digit(8), "8 is off a 1-7 scale");
        assert!(f.refused.as_deref().unwrap().contains("1 to 7"));
        assert!(!f.digit(0));
        assert_eq!(f.cursor, 0, "a refused key does not move");
        assert!(f.digit(4));
        assert!(f.blank());
        assert!(f.digit(6));
        f.up();
        f.up();
        assert_eq!(f.shown(1).as_deref(), Some("blank"));
        assert_eq!(f.shown(5), None, "not reached");
        assert!(f.digit(3), "a row keyed again");
        assert_eq!(f.cursor, 2);
        for _ in 2..36 {
            f.down();
        }
        assert_eq!(f.finish_entry(), Finished::Ready);
        let a = f.completed(Timestamp::UNIX_EPOCH).unwrap();
        assert_eq!(
            values(&a),
            [
                ("q1".into(), Some(4)),
                ("q2".into(), Some(3)),
                ("q3".into(), Some(6))
            ]
        );
    }

    #[test]
    fn enter_before_the_end_does_nothing() {
        let mut f = form("ecr-r", false);
        f.digit(3);
        assert_eq!(f.finish_entry(), Finished::NotYet);
        assert!(
            f.completed(Timestamp::UNIX_EPOCH)
                .is_ok_and(|a| a.answers.len() == 1)
        );
    }

    #[test]
    fn a_double_entry_shows_its_differences_and_keeps_what_was_resolved() {
        let mut f = form("rq", true);
        assert_eq!(f.rows(), 5, "four ratings and the forced choice");
        for d in [6, 2, 5, 3] {
            f.digit(d);
        }
        assert!(!f.letter("E"));
        assert!(f.letter("c"));
        assert_eq!(f.finish_entry(), Finished::SecondEntry);
        assert_eq!(f.entry(), 2);
        assert_eq!(f.shown(0), None, "the second entry starts blank");
        for d in [6, 3, 5] {
            f.digit(d);
        }
        f.blank();
        f.letter("C");
        assert_eq!(f.finish_entry(), Finished::Resolve);
        assert_eq!(f.differences(), [Row::Slot(1), Row::Slot(3)]);
        assert_eq!(f.both(&Row::Slot(1)), ("2".into(), "3".into()));
        assert_eq!(f.both(&Row::Slot(3)), ("3".into(), "blank".into()));
        assert!(matches!(
            f.completed(Timestamp::UNIX_EPOCH),
            Err(PaperError::Unresolved(2))
        ));
        f.resolve(&Row::Slot(1), Some("2".into()));
        f.resolve(&Row::Slot(3), None);
        assert_eq!(f.unresolved(), 0);
        let a = f.completed(Timestamp::UNIX_EPOCH).unwrap();
        assert_eq!(a.source, Source::PaperDoubleEntry);
        assert_eq!(
            values(&a),
            [
                ("q1".into(), Some(6)),
                ("q2".into(), Some(2)),
                ("q3".into(), Some(5))
            ]
        );
        assert_eq!(a.choice.as_deref(), Some("C"));
    }

    #[test]
    fn a_scale_above_nine_waits_for_a_second_digit_only_when_it_could_follow() {
        let mut i = instrument("ecr-r");
        i.response.min = 0;
        i.response.max = 10;
        let mut f = PaperEntry::new(
            "a".into(),
            "c",
            &i,
            jiff::civil::date(2026, 1, 1),
            false,
            Timestamp::UNIX_EPOCH,
        );
        f.digit(1);
        assert_eq!(f.cursor, 0, "1 could be 10");
        f.digit(0);
        assert_eq!(f.cursor, 1);
        f.digit(2);
        assert_eq!(f.cursor, 2, "2 cannot be extended");
        f.digit(0);
        assert_eq!(f.cursor, 3, "0 is a value of 0-10");
        f.digit(1);
        assert!(f.blank(), "1 then blank: the blank moves the cursor on");
        assert_eq!(f.shown(0).as_deref(), Some("10"));
        assert_eq!(f.shown(1).as_deref(), Some("2"));
        assert_eq!(f.shown(2).as_deref(), Some("0"));
    }

    #[test]
    fn a_saved_draft_resumes_where_its_entry_had_reached() {
        let mut f = form("ecr-r", true);
        for _ in 0..10 {
            f.digit(5);
        }
        let saved = f.record();
        let again = PaperEntry::resume(&instrument("ecr-r"), saved).unwrap();
        assert_eq!(again.cursor, 10);
        assert_eq!(again.shown(9).as_deref(), Some("5"));
        assert!(again.double());
        let done = f.completed(Timestamp::UNIX_EPOCH).unwrap();
        assert!(PaperEntry::resume(&instrument("ecr-r"), done).is_err());
    }
}
