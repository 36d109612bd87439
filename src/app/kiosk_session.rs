//! A client's session in the kiosk (what the UI calls client mode): which form, which screen,
//! what was answered.
//!
//! Plain state and transitions, no drawing, so that the flow (greeting, instructions, forced
//! choice, one item per screen, back, next instrument, end) is tested without a window. Every
//! change that touches answers marks the current administration dirty; the app saves it through
//! the store before the next frame.

use jiff::Timestamp;

use crate::core::instrument::Instrument;
use crate::core::{Answer, AnswerError};
use crate::store::{Administration, Client, Status};

/// One instrument of the session with its administration record.
#[derive(Debug, Clone)]
pub struct Form {
    /// The instrument.
    pub instrument: Instrument,
    /// Its record (answers as given so far).
    pub administration: Administration,
}

impl Form {
    /// Whether `slot` is asked: it exists and its block (if any) applies to this client.
    pub fn asked(&self, slot: usize) -> bool {
        let Some(s) = self.instrument.slots.get(slot) else {
            return false;
        };
        s.block_idx
            .and_then(|b| self.instrument.blocks.get(b))
            .is_none_or(|b| !self.administration.not_applicable.contains(&b.id))
    }

    /// The first asked slot at or after `from`.
    fn next_asked(&self, from: usize) -> Option<usize> {
        (from..self.instrument.n_slots()).find(|&s| self.asked(s))
    }

    /// The last asked slot before `before`.
    fn prev_asked(&self, before: usize) -> Option<usize> {
        (0..before.min(self.instrument.n_slots()))
            .rev()
            .find(|&s| self.asked(s))
    }

    /// The first asked slot without an answer: where a resumed form continues.
    fn next_unanswered(&self) -> Option<usize> {
        let answered = |slot: usize| {
            let column = &self.instrument.slots[slot].column;
            self.administration
                .answers
                .iter()
                .any(|a| &a.column == column)
        };
        (0..self.instrument.n_slots()).find(|&s| self.asked(s) && !answered(s))
    }

    /// The screen for asked slot `slot`: a block's first item is preceded by its header.
    fn item_step(&self, slot: usize) -> Step {
        first_item_step(&self.instrument, slot)
    }

    /// The first screen of the items: the first asked item (or its block's header).
    fn first_step(&self) -> Step {
        self.next_asked(0).map_or(Step::End, |s| self.item_step(s))
    }
}

/// The screen client mode shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Step {
    /// "Please pass the computer to …": the first screen, while the PC changes hands.
    HandOver,
    /// "Are you …?"
    Greeting,
    /// The client said they are not the person named: call the clinician.
    WrongPerson,
    /// The current instrument's instructions.
    Instructions,
    /// The header of a repeated block (ECR-RS: "about your mother …").
    BlockIntro(usize),
    /// The forced choice (RQ part 1).
    Choice,
    /// One item, by answer slot.
    Item(usize),
    /// "Thank you — please return the computer to your clinician."
    End,
}

/// A client's session.
#[derive(Debug, Clone)]
pub struct KioskSession {
    /// Who it is for.
    pub client: Client,
    /// The forms, in the order given.
    pub forms: Vec<Form>,
    /// Index of the current form.
    pub form_idx: usize,
    /// The current screen.
    pub step: Step,
    /// Indices of forms changed since they were last saved.
    pub dirty: Vec<usize>,
}

impl KioskSession {
    /// A session over `forms`, starting at the hand-over. Forms already completed are skipped;
    /// a form with answers resumes at its first unanswered item.
    pub fn new(client: Client, forms: Vec<Form>) -> Self {
        let form_idx = forms
            .iter()
            .position(|f| f.administration.status == Status::InProgress)
            .unwrap_or(forms.len());
        Self {
            client,
            forms,
            form_idx,
            step: Step::HandOver,
            dirty: Vec::new(),
        }
    }

    /// The current form.
    pub fn form(&self) -> Option<&Form> {
        self.forms.get(self.form_idx)
    }

    /// The computer has been handed over: ask who is there.
    pub fn handed_over(&mut self) {
        self.step = Step::Greeting;
    }

    /// The client confirmed who they are: on to the first (or resumed) screen.
    pub fn confirm_identity(&mut self) {
        self.step = self.entry_step();
    }

    /// The client said they are someone else.
    pub fn deny_identity(&mut self) {
        self.step = Step::WrongPerson;
    }

    /// Back to the greeting (after "No", once the clinician has sorted it out).
    pub fn back_to_greeting(&mut self) {
        self.step = Step::Greeting;
    }

    /// Where the current form starts or resumes.
    fn entry_step(&self) -> Step {
        let Some(form) = self.form() else {
            return Step::End;
        };
        let started =
            !form.administration.answers.is_empty() || form.administration.choice.is_some();
        if !started {
            return Step::Instructions;
        }
        if form.instrument.choice.is_some() && form.administration.choice.is_none() {
            return Step::Choice;
        }
        match form.next_unanswered() {
            Some(slot) => Step::Item(slot),
            // Every item answered but not marked complete (a crash at the very end).
            None => form
                .prev_asked(form.instrument.n_slots())
                .map_or(Step::End, Step::Item),
        }
    }

    /// "Continue" on the instructions or a block header.
    pub fn continue_on(&mut self) {
        let Some(form) = self.form() else {
            self.step = Step::End;
            return;
        };
        self.step = match self.step {
            // Back at the instructions, the client goes through the form from its start again
            // (a resumed form enters at its first unanswered item instead: `entry_step`).
            Step::Instructions if form.instrument.choice.is_some() => Step::Choice,
            Step::Instructions => form.first_step(),
            Step::BlockIntro(b) => Step::Item(b * form.instrument.items.len()),
            other => other,
        };
    }

    /// The forced choice was made.
    pub fn choose(&mut self, option: usize) {
        let Some(form) = self.forms.get_mut(self.form_idx) else {
            return;
        };
        let Some(choice) = &form.instrument.choice else {
            return;
        };
        let Some((value, _)) = choice.options.get(option) else {
            return;
        };
        form.administration.choice = Some(value.clone());
        self.mark_dirty();
        self.step = self.forms[self.form_idx].first_step();
    }

    /// The current item was answered (a value, or "prefer not to answer"); on to the next
    /// screen. `seconds` is how long the item was shown.
    pub fn answer(
        &mut self,
        answer: Answer,
        seconds: Option<f64>,
        now: Timestamp,
    ) -> Result<(), AnswerError> {
        let Step::Item(slot) = self.step else {
            return Ok(());
        };
        let Some(form) = self.forms.get_mut(self.form_idx) else {
            return Ok(());
        };
        form.administration
            .set_answer(&form.instrument, slot, answer, now, seconds)?;
        self.mark_dirty();
        self.advance(slot, now);
        Ok(())
    }

    /// The answer given to the current item, if any (to show it selected after "Back").
    pub fn current_answer(&self) -> Option<Answer> {
        let (Step::Item(slot), Some(form)) = (self.step, self.form()) else {
            return None;
        };
        let column = &form.instrument.slots.get(slot)?.column;
        form.administration
            .answers
            .iter()
            .find(|a| &a.column == column)
            .map(|a| a.value.map_or(Answer::Declined, Answer::Value))
    }

    fn advance(&mut self, slot: usize, now: Timestamp) {
        let Some(form) = self.forms.get_mut(self.form_idx) else {
            return;
        };
        if let Some(next) = form.next_asked(slot + 1) {
            self.step = form.item_step(next);
            return;
        }
        // The form is complete.
        form.administration.status = Status::Completed;
        form.administration.finished = Some(now);
        self.mark_dirty();
        self.next_form();
    }

    /// On to the next form still in progress: its instructions, or where it was left.
    fn next_form(&mut self) {
        self.form_idx += 1;
        while self
            .forms
            .get(self.form_idx)
            .is_some_and(|f| f.administration.status != Status::InProgress)
        {
            self.form_idx += 1;
        }
        self.step = match self.form() {
            None => Step::End,
            Some(f) if f.administration.answers.is_empty() && f.administration.choice.is_none() => {
                Step::Instructions
            }
            Some(_) => self.entry_step(),
        };
    }

    /// "Back": the previous screen of the current form (never into a finished form), over the
    /// items that are asked only.
    pub fn back(&mut self) {
        let Some(form) = self.form() else {
            return;
        };
        let n_items = form.instrument.items.len();
        let has_blocks = !form.instrument.blocks.is_empty();
        let before_items = if form.instrument.choice.is_some() {
            Step::Choice
        } else {
            Step::Instructions
        };
        self.step = match self.step {
            Step::Item(slot) if has_blocks && slot % n_items == 0 => {
                Step::BlockIntro(slot / n_items)
            }
            Step::Item(slot) => form.prev_asked(slot).map_or(before_items, Step::Item),
            Step::BlockIntro(b) => form
                .prev_asked(b * n_items)
                .map_or(before_items, Step::Item),
            Step::Choice => Step::Instructions,
            other => other,
        };
    }

    /// "12 of 36": the current item's position and the form's size.
    pub fn progress(&self) -> Option<(usize, usize)> {
        let form = self.form()?;
        match self.step {
            Step::Item(slot) => {
                let n_asked = (0..form.instrument.n_slots())
                    .filter(|&s| form.asked(s))
                    .count();
                let position = (0..=slot).filter(|&s| form.asked(s)).count();
                Some((position, n_asked))
            }
            _ => None,
        }
    }

    fn mark_dirty(&mut self) {
        if !self.dirty.contains(&self.form_idx) {
            self.dirty.push(self.form_idx);
        }
    }

    /// The administrations to save now, clearing the list.
    pub fn take_dirty(&mut self) -> Vec<Administration> {
        let dirty = std::mem::take(&mut self.dirty);
        dirty
            .into_iter()
            .filter_map(|i| self.forms.get(i).map(|f| f.administration.clone()))
            .collect()
    }
}

/// The screen for item `slot`: its block's header first when it opens a block.
fn first_item_step(instrument: &Instrument, slot: usize) -> Step {
    let n_items = instrument.items.len();
    if !instrument.blocks.is_empty() && n_items > 0 && slot.is_multiple_of(n_items) {
        Step::BlockIntro(slot / n_items)
    } else {
        Step::Item(slot)
    }
}
