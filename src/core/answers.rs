//! One respondent's answers to one instrument, checked against it as they are set.

use super::error::AnswerError;
use super::instrument::Instrument;

/// The state of one answer slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Answer {
    /// Not (yet) answered: an empty CSV cell, or an item the client has not reached.
    #[default]
    Missing,
    /// The respondent chose "prefer not to answer". Scored as missing, but kept distinct so
    /// that a clinician can see it was a choice.
    Declined,
    /// A value within the response scale.
    Value(i32),
}

impl Answer {
    /// The value, if answered.
    pub fn value(self) -> Option<i32> {
        match self {
            Answer::Value(v) => Some(v),
            Answer::Missing | Answer::Declined => None,
        }
    }
}

/// All answers of one respondent to one instrument, indexed by slot
/// ([`Instrument::slots`]). Values can only be set through [`Responses::set`], which checks
/// them against the response scale, so the scorer never meets an impossible value.
#[derive(Debug, Clone, PartialEq)]
pub struct Responses {
    answers: Vec<Answer>,
    min: i32,
    max: i32,
    n_options: usize,
    choice: Option<usize>,
    seconds: Vec<Option<f64>>,
    /// Per block (ECR-RS relationship): set when it does not apply to this respondent (no
    /// father figure, no partner). Its items are not asked, its scales are not scored, and a
    /// score averaged over blocks uses the blocks that apply.
    not_applicable: Vec<bool>,
}

impl Responses {
    /// An empty form for `instrument`.
    pub fn new(instrument: &Instrument) -> Self {
        Self {
            answers: vec![Answer::Missing; instrument.n_slots()],
            min: instrument.response.min,
            max: instrument.response.max,
            n_options: instrument.choice.as_ref().map_or(0, |c| c.options.len()),
            choice: None,
            seconds: Vec::new(),
            not_applicable: vec![false; instrument.blocks.len()],
        }
    }

    /// A form filled from values in slot order (`None` = missing).
    pub fn from_values(
        instrument: &Instrument,
        values: &[Option<i64>],
    ) -> Result<Self, AnswerError> {
        let mut r = Self::new(instrument);
        for (slot, v) in values.iter().enumerate() {
            match v {
                Some(v) => r.set_value(slot, *v)?,
                None => r.set(slot, Answer::Missing)?,
            }
        }
        Ok(r)
    }

    /// Sets a slot to an answered value, checking the range.
    #[inline]
    pub fn set_value(&mut self, slot: usize, value: i64) -> Result<(), AnswerError> {
        let (min, max) = (self.min, self.max);
        let v = i32::try_from(value)
            .ok()
            .filter(|v| (min..=max).contains(v))
            .ok_or(AnswerError::OutOfRange { value, min, max })?;
        self.set(slot, Answer::Value(v))
    }

    /// Sets a slot, checking the slot and, for values, the range.
    #[inline]
    pub fn set(&mut self, slot: usize, answer: Answer) -> Result<(), AnswerError> {
        if let Answer::Value(v) = answer
            && !(self.min..=self.max).contains(&v)
        {
            return Err(AnswerError::OutOfRange {
                value: i64::from(v),
                min: self.min,
                max: self.max,
            });
        }
        let len = self.answers.len();
        let cell = self
            .answers
            .get_mut(slot)
            .ok_or(AnswerError::NoSuchSlot { slot, len })?;
        *cell = answer;
        Ok(())
    }

    /// Sets the forced choice (an index into the instrument's choice options), or clears it.
    pub fn set_choice(&mut self, option: Option<usize>) -> Result<(), AnswerError> {
        if self.n_options == 0 && option.is_some() {
            return Err(AnswerError::NoChoice);
        }
        if let Some(o) = option
            && o >= self.n_options
        {
            return Err(AnswerError::NoSuchOption {
                option: o,
                len: self.n_options,
            });
        }
        self.choice = option;
        Ok(())
    }

    /// Marks block `block` as not applying to this respondent (or applying again).
    pub fn set_not_applicable(
        &mut self,
        block: usize,
        not_applicable: bool,
    ) -> Result<(), AnswerError> {
        let len = self.not_applicable.len();
        let cell = self
            .not_applicable
            .get_mut(block)
            .ok_or(AnswerError::NoSuchBlock { block, len })?;
        *cell = not_applicable;
        Ok(())
    }

    /// Whether block `block` does not apply (false for an instrument without blocks).
    pub fn not_applicable(&self, block: usize) -> bool {
        self.not_applicable.get(block).copied().unwrap_or(false)
    }

    /// Records how many seconds the answer in `slot` took (for the speed flag).
    pub fn set_seconds(&mut self, slot: usize, seconds: f64) -> Result<(), AnswerError> {
        let len = self.answers.len();
        if slot >= len {
            return Err(AnswerError::NoSuchSlot { slot, len });
        }
        if self.seconds.len() < len {
            self.seconds.resize(len, None);
        }
        self.seconds[slot] = (seconds.is_finite() && seconds >= 0.0).then_some(seconds);
        Ok(())
    }

    /// Resets every slot to missing and clears choice and timings, keeping the allocation.
    pub fn clear(&mut self) {
        self.answers.fill(Answer::Missing);
        self.not_applicable.fill(false);
        self.choice = None;
        self.seconds.clear();
    }

    /// The answers in slot order.
    pub fn answers(&self) -> &[Answer] {
        &self.answers
    }

    /// The forced choice.
    pub fn choice(&self) -> Option<usize> {
        self.choice
    }

    /// Seconds per slot, where recorded (empty when no timing was recorded).
    pub fn seconds(&self) -> &[Option<f64>] {
        &self.seconds
    }
}
