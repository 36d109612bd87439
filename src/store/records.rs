//! What the store keeps: clients and administrations, as serde types with a format version.
//!
//! Scores are never stored: they are recomputed from the answers with the core every time a
//! record is read, so a record can never disagree with the scoring rules it is shown with.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::error::StoreError;
use crate::core::instrument::Instrument;
use crate::core::{Answer, AnswerError, Responses};

/// The record format this build writes (and the newest it reads).
pub const FORMAT: u32 = 1;

/// A client.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Client {
    /// Record format version.
    pub format: u32,
    /// Random id; also the file name.
    pub id: String,
    /// Pseudonym or clinic id: what the clinician calls the client.
    pub name: String,
    /// Optional year of birth.
    #[serde(default)]
    pub birth_year: Option<i32>,
    /// Free-text notes of the clinician.
    #[serde(default)]
    pub notes: String,
    /// When the record was created.
    pub created: Timestamp,
    /// When it was last changed.
    pub updated: Timestamp,
}

impl Client {
    /// A new client; checks the name and birth year.
    pub fn new(
        id: String,
        name: &str,
        birth_year: Option<i32>,
        notes: &str,
        now: Timestamp,
    ) -> Result<Self, StoreError> {
        let client = Self {
            format: FORMAT,
            id,
            name: name.trim().to_owned(),
            birth_year,
            notes: notes.to_owned(),
            created: now,
            updated: now,
        };
        client.check(now)?;
        Ok(client)
    }

    /// Checks the fields a person typed.
    pub fn check(&self, now: Timestamp) -> Result<(), StoreError> {
        if self.name.is_empty() {
            return Err(StoreError::Invalid(
                "a client needs a name (a pseudonym or clinic id)".to_owned(),
            ));
        }
        if self.name.chars().any(char::is_control) {
            return Err(StoreError::Invalid(
                "a client's name may not contain line breaks, tabs or other control characters"
                    .to_owned(),
            ));
        }
        if let Some(c) = self.name.chars().find(|&c| is_invisible(c)) {
            return Err(StoreError::Invalid(format!(
                "a client's name may not contain invisible or text-direction characters \
                 (U+{:04X} here): two names that look the same must be the same name",
                u32::from(c)
            )));
        }
        if self.name.chars().count() > 200 {
            return Err(StoreError::Invalid(
                "a client's name may have at most 200 characters".to_owned(),
            ));
        }
        let this_year = now.to_zoned_datetime(jiff::tz::TimeZone::UTC).year();
        if let Some(year) = self.birth_year
            && !(1900..=i32::from(this_year)).contains(&year)
        {
            return Err(StoreError::Invalid(format!(
                "birth year {year} must lie between 1900 and {this_year}"
            )));
        }
        Ok(())
    }
}

/// What two client names are compared by: NFKC (so `Jån` typed as one character or as `a` and
/// a combining ring, and full-width `Ａ`, are the same name) and lower case. Names are unique
/// by this key (REDTEAM L10); the name is kept as typed.
pub fn name_key(name: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    name.trim().nfkc().collect::<String>().to_lowercase()
}

/// Characters that show nothing or turn text around: zero-width spaces and joiners, the soft
/// hyphen, the byte-order mark, and the bidirectional marks, embeddings, overrides and
/// isolates (U+202E made `Ann` + U+202E + `evoN` look like another name).
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{061C}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{2069}'
            | '\u{FEFF}'
    )
}

/// Where an administration stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Being filled in.
    InProgress,
    /// Finished by the client (or entered from paper).
    Completed,
    /// Given up; kept, not scored as complete.
    Abandoned,
}

impl Status {
    /// Lower-case name, as in files.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::InProgress => "in_progress",
            Status::Completed => "completed",
            Status::Abandoned => "abandoned",
        }
    }
}

/// How the answers came in: the mode of administration, shown wherever its scores are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// The client filled the form in client mode.
    ClientMode,
    /// A paper form keyed in once (`securebase enter`, and every paper form entered before
    /// securebase had double entry).
    PaperEntry,
    /// A paper form keyed in twice, the second time without seeing the first, with every
    /// item where the two differed resolved against the paper.
    PaperDoubleEntry,
}

impl Source {
    /// The code in exports and `history` (`client_mode`, `paper_entry`,
    /// `paper_double_entry`): the record's own spelling.
    pub fn code(self) -> &'static str {
        match self {
            Self::ClientMode => "client_mode",
            Self::PaperEntry => "paper_entry",
            Self::PaperDoubleEntry => "paper_double_entry",
        }
    }

    /// The mode in words, as the results page, the report and the exports show it.
    pub fn label(self) -> &'static str {
        match self {
            Self::ClientMode => "client mode",
            Self::PaperEntry => "paper, single entry",
            Self::PaperDoubleEntry => "paper, double-entered",
        }
    }

    /// Whether the answers were keyed in from paper.
    pub fn is_paper(self) -> bool {
        matches!(self, Self::PaperEntry | Self::PaperDoubleEntry)
    }
}

/// One given answer. An item the client has not reached has no entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredAnswer {
    /// The item's column (`q7`, `mother_q3`): stable across versions of a definition.
    pub column: String,
    /// The value, or `None` when the client chose "prefer not to answer".
    pub value: Option<i32>,
    /// When it was given (the last time, if it was changed).
    pub at: Timestamp,
    /// Seconds spent on the item, where measured.
    #[serde(default)]
    pub seconds: Option<f64>,
}

/// One administration of one instrument to one client.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Administration {
    /// Record format version.
    pub format: u32,
    /// Random id; also the file name.
    pub id: String,
    /// The client's id.
    pub client_id: String,
    /// Instrument id.
    pub instrument_id: String,
    /// Version of the instrument's definition when it was given.
    pub instrument_version: String,
    /// When it started.
    pub started: Timestamp,
    /// When it was completed or abandoned.
    #[serde(default)]
    pub finished: Option<Timestamp>,
    /// Where it stands.
    pub status: Status,
    /// How the answers came in.
    pub source: Source,
    /// The date written on a paper form: the day the client filled it, which can be weeks
    /// before it was keyed in (`started`). Where it is set it is the administration's date
    /// everywhere (pages, charts, change, reports, exports); client mode has none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub form_date: Option<jiff::civil::Date>,
    /// Given answers, in the order first given.
    pub answers: Vec<StoredAnswer>,
    /// The forced choice (`A`), if the instrument has one and it was made.
    #[serde(default)]
    pub choice: Option<String>,
    /// Ids of the blocks that do not apply to this client (ECR-RS: `father`, `partner`),
    /// marked by the clinician at set-up: not asked, not scored, left out of scores averaged
    /// over blocks. Absent in records made before securebase had them, and when all apply.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_applicable: Vec<String>,
    /// A paper form while it is being keyed in, saved at every key so that a crash loses
    /// nothing; `None` once it is saved as completed, and for client mode.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub draft: Option<PaperDraft>,
}

/// Today in this computer's time zone: the day [`parse_past_date`] checks against, and the
/// day a couple is linked or unlinked.
pub fn today() -> jiff::civil::Date {
    Timestamp::now()
        .to_zoned_datetime(jiff::tz::TimeZone::system())
        .date()
}

/// A date that has been, as typed (`2026-03-05`): a calendar date, `YYYY-MM-DD`, not after
/// `today` (a form cannot have been filled tomorrow) and not before 1900 (a typing slip). The
/// one rule for the date written on a paper form (`securebase enter --date`, the app's paper
/// entry) and a couple's since-date.
///
/// # Errors
/// What is wrong with it, in a sentence that quotes it.
pub fn parse_past_date(text: &str, today: jiff::civil::Date) -> Result<jiff::civil::Date, String> {
    let text = text.trim();
    let shape_ok = text.len() == 10
        && text.bytes().enumerate().all(|(k, b)| match k {
            4 | 7 => b == b'-',
            _ => b.is_ascii_digit(),
        });
    let date = shape_ok
        .then(|| text.parse::<jiff::civil::Date>().ok())
        .flatten();
    let Some(date) = date else {
        return Err(format!(
            "{text:?} is not a date: write it as YYYY-MM-DD, e.g. {today}"
        ));
    };
    if date > today {
        return Err(format!(
            "{date} is after today ({today}): give a date that has been"
        ));
    }
    if date.year() < 1900 {
        return Err(format!("{date} is before 1900: a typing slip?"));
    }
    Ok(date)
}

/// Two clients seen together as a couple (Emotionally Focused couples therapy): the link only.
/// Each partner's records stay their own, and ending the link keeps both histories.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Couple {
    /// Random id.
    pub id: String,
    /// The two clients' ids, in the order they were linked.
    pub clients: [String; 2],
    /// What the clinician calls the couple (encrypted with the rest; may be empty).
    #[serde(default)]
    pub label: String,
    /// Since when they are seen as a couple.
    pub since: jiff::civil::Date,
    /// When the link was ended, if it was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended: Option<jiff::civil::Date>,
}

impl Couple {
    /// Whether `client_id` is one of the two.
    pub fn has(&self, client_id: &str) -> bool {
        self.clients.iter().any(|c| c == client_id)
    }

    /// The other partner of `client_id`.
    pub fn partner_of(&self, client_id: &str) -> Option<&str> {
        match &self.clients {
            [a, b] if a == client_id => Some(b),
            [a, b] if b == client_id => Some(a),
            _ => None,
        }
    }
}

/// Every couple of the data folder, current and ended, in the order they were linked: one
/// record (`couples.age`), as small as a client list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Couples {
    /// Record format version.
    pub format: u32,
    /// The couples.
    pub couples: Vec<Couple>,
}

impl Default for Couples {
    fn default() -> Self {
        Self {
            format: FORMAT,
            couples: Vec::new(),
        }
    }
}

impl Couples {
    /// The current couple of `client_id` (a client is in at most one at a time).
    pub fn current_of(&self, client_id: &str) -> Option<&Couple> {
        self.couples
            .iter()
            .find(|c| c.ended.is_none() && c.has(client_id))
    }

    /// The couple of `client_id` to show or export: the current one, else the latest ended.
    pub fn latest_of(&self, client_id: &str) -> Option<&Couple> {
        self.current_of(client_id)
            .or_else(|| self.couples.iter().rev().find(|c| c.has(client_id)))
    }

    /// Links two clients, as the command line and the app both do: two different clients,
    /// neither in a current couple. Returns the new couple (also added here).
    ///
    /// # Errors
    /// Why not, naming the client already in a couple (with that couple).
    pub fn link(&mut self, couple: Couple) -> Result<&Couple, CoupleError> {
        let [a, b] = &couple.clients;
        if a == b {
            return Err(CoupleError::SameClient);
        }
        for c in [a, b] {
            if let Some(current) = self.current_of(c) {
                return Err(CoupleError::AlreadyLinked {
                    client_id: c.clone(),
                    couple: Box::new(current.clone()),
                });
            }
        }
        let at = self.couples.len();
        self.couples.push(couple);
        Ok(&self.couples[at])
    }

    /// Ends `client_id`'s current couple on `today` (never before it began). Returns it.
    ///
    /// # Errors
    /// When the client is not in a couple now.
    pub fn unlink(
        &mut self,
        client_id: &str,
        today: jiff::civil::Date,
    ) -> Result<&Couple, CoupleError> {
        let couple = self
            .couples
            .iter_mut()
            .find(|c| c.ended.is_none() && c.has(client_id))
            .ok_or(CoupleError::NotLinked)?;
        couple.ended = Some(today.max(couple.since));
        Ok(couple)
    }
}

/// Why two clients cannot be linked, or a link not ended.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CoupleError {
    /// Both are the same client.
    #[error("both name the same client; a couple is two clients")]
    SameClient,
    /// One of them is already in a current couple.
    #[error("client {client_id} is already in a couple (id {})", couple.id)]
    AlreadyLinked {
        /// The client.
        client_id: String,
        /// Their current couple.
        couple: Box<Couple>,
    },
    /// The client is in no current couple.
    #[error("not in a couple now")]
    NotLinked,
}

/// A paper form being keyed in: each entry's values as keyed, one per answer slot. The
/// record's `answers` are filled only when the form is saved as completed: from the one entry,
/// or, keyed twice, from the items both entries agree on and the differences resolved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaperDraft {
    /// Keyed twice (double entry): the second time without seeing the first.
    pub double: bool,
    /// The entry being keyed: 1, or 2 for the second of a double entry.
    pub entry: u8,
    /// How many rows of the current entry were reached (keying resumes there).
    pub reached: usize,
    /// The first entry, per slot: the value keyed, `None` for left blank.
    pub first: Vec<Option<i32>>,
    /// The forced choice in the first entry, if the instrument has one and it was keyed.
    #[serde(default)]
    pub first_choice: Option<String>,
    /// The second entry, per slot (empty until it starts).
    #[serde(default)]
    pub second: Vec<Option<i32>>,
    /// The forced choice in the second entry.
    #[serde(default)]
    pub second_choice: Option<String>,
}

/// An administration's answers that do not fit its instrument's definition: the record and
/// the questionnaire file disagree (a changed file, a damaged record), and a score from it
/// could not be trusted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecordError {
    /// An answer to a column the instrument does not have.
    #[error("answer {column:?} is not an item of {instrument}")]
    UnknownColumn {
        /// The record's column.
        column: String,
        /// The instrument's id.
        instrument: String,
    },
    /// An answer outside the response scale.
    #[error("answer {column}: {source}")]
    Answer {
        /// The column.
        column: String,
        /// Why it does not fit.
        source: AnswerError,
    },
    /// A forced choice that is not one of the instrument's options.
    #[error("choice {choice:?} is not an option of {instrument}")]
    UnknownChoice {
        /// The record's choice.
        choice: String,
        /// The instrument's id.
        instrument: String,
    },
    /// A forced choice the instrument cannot take.
    #[error(transparent)]
    Choice(AnswerError),
    /// A block marked "does not apply" that the instrument does not have.
    #[error("block {block:?} (marked as not applying) is not a block of {instrument}")]
    UnknownBlock {
        /// The record's block id.
        block: String,
        /// The instrument's id.
        instrument: String,
    },
}

impl Administration {
    /// A new, empty administration of `instrument`.
    pub fn new(
        id: String,
        client_id: &str,
        instrument: &Instrument,
        source: Source,
        now: Timestamp,
    ) -> Self {
        Self {
            format: FORMAT,
            id,
            client_id: client_id.to_owned(),
            instrument_id: instrument.id.clone(),
            instrument_version: instrument.version.clone(),
            started: now,
            finished: None,
            status: Status::InProgress,
            source,
            form_date: None,
            answers: Vec::new(),
            choice: None,
            not_applicable: Vec::new(),
            draft: None,
        }
    }

    /// The day it was given: the date written on a paper form, else the day it started in
    /// this computer's time zone.
    pub fn given_on(&self) -> jiff::civil::Date {
        self.form_date.unwrap_or_else(|| {
            self.started
                .to_zoned_datetime(jiff::tz::TimeZone::system())
                .date()
        })
    }

    /// Where it stands in a client's course: by the day given, then the moment it started,
    /// then the id. A paper form dated in March comes before a client-mode form of April even
    /// when it was keyed in later; the id only breaks exact ties, so that every list agrees.
    pub fn course_key(&self) -> (jiff::civil::Date, Timestamp, &str) {
        (self.given_on(), self.started, &self.id)
    }

    /// Records the answer to `slot` (replacing an earlier one). `Answer::Missing` removes it.
    pub fn set_answer(
        &mut self,
        instrument: &Instrument,
        slot: usize,
        answer: Answer,
        at: Timestamp,
        seconds: Option<f64>,
    ) -> Result<(), AnswerError> {
        // Check through the core's own rules before anything is kept.
        Responses::new(instrument).set(slot, answer)?;
        let Some(column) = instrument.slots.get(slot).map(|s| s.column.clone()) else {
            return Err(AnswerError::NoSuchSlot {
                slot,
                len: instrument.n_slots(),
            });
        };
        let value = match answer {
            Answer::Value(v) => Some(v),
            Answer::Declined => None,
            Answer::Missing => {
                self.answers.retain(|a| a.column != column);
                return Ok(());
            }
        };
        let entry = StoredAnswer {
            column,
            value,
            at,
            seconds,
        };
        match self.answers.iter_mut().find(|a| a.column == entry.column) {
            Some(existing) => *existing = entry,
            None => self.answers.push(entry),
        }
        Ok(())
    }

    /// The answers as the core's [`Responses`], checked against `instrument`. An answer that
    /// does not fit (an unknown column, a value out of range) is an error naming it: the record
    /// and the definition disagree, and a score from it could not be trusted.
    ///
    /// # Errors
    /// A [`RecordError`] naming the answer (or the choice) that does not fit.
    pub fn responses(&self, instrument: &Instrument) -> Result<Responses, RecordError> {
        let mut responses = Responses::new(instrument);
        for a in &self.answers {
            let slot = instrument
                .slots
                .iter()
                .position(|s| s.column == a.column)
                .ok_or_else(|| RecordError::UnknownColumn {
                    column: a.column.clone(),
                    instrument: instrument.id.clone(),
                })?;
            let answer = a.value.map_or(Answer::Declined, Answer::Value);
            responses
                .set(slot, answer)
                .map_err(|source| RecordError::Answer {
                    column: a.column.clone(),
                    source,
                })?;
            if let Some(s) = a.seconds {
                let _ = responses.set_seconds(slot, s);
            }
        }
        for block in &self.not_applicable {
            let idx = instrument
                .blocks
                .iter()
                .position(|b| &b.id == block)
                .ok_or_else(|| RecordError::UnknownBlock {
                    block: block.clone(),
                    instrument: instrument.id.clone(),
                })?;
            // The index exists: it was just found.
            let _ = responses.set_not_applicable(idx, true);
        }
        if let (Some(choice), Some(def)) = (&self.choice, &instrument.choice) {
            let option = def
                .option_index(choice)
                .ok_or_else(|| RecordError::UnknownChoice {
                    choice: choice.clone(),
                    instrument: instrument.id.clone(),
                })?;
            responses
                .set_choice(Some(option))
                .map_err(RecordError::Choice)?;
        }
        Ok(responses)
    }

    /// The first slot without an answer: where a resumed form continues.
    pub fn next_slot(&self, instrument: &Instrument) -> Option<usize> {
        instrument
            .slots
            .iter()
            .position(|s| !self.answers.iter().any(|a| a.column == s.column))
    }
}

/// Reads a record's JSON and checks its format version.
pub fn parse<T: for<'de> Deserialize<'de>>(
    path: &std::path::Path,
    bytes: &[u8],
) -> Result<T, StoreError> {
    #[derive(Deserialize)]
    struct Version {
        format: u32,
    }
    let version: Version = serde_json::from_slice(bytes).map_err(|e| StoreError::Corrupt {
        path: path.to_path_buf(),
        message: format!("not a securebase record: {e}"),
    })?;
    if version.format > FORMAT {
        return Err(StoreError::TooNew {
            path: path.to_path_buf(),
            found: version.format,
            supported: FORMAT,
        });
    }
    serde_json::from_slice(bytes).map_err(|e| StoreError::Corrupt {
        path: path.to_path_buf(),
        message: format!("record does not read: {e}"),
    })
}

/// A clinic's local norms: mean and SD per score from its clients' first completed
/// administrations, with how many and when they were computed. Kept encrypted like the records
/// (a mean of a few clients is about those clients).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LocalNorms {
    /// Record format version.
    pub format: u32,
    /// When they were computed.
    pub computed: Timestamp,
    /// One entry per score with a usable set.
    pub scores: Vec<LocalNormEntry>,
    /// Per scale, its reliability over the same intakes (empty in norms computed before
    /// securebase computed it).
    #[serde(default)]
    pub reliability: Vec<LocalReliabilityEntry>,
}

/// Mean and SD of one score of one instrument.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LocalNormEntry {
    /// Instrument id.
    pub instrument: String,
    /// Score id.
    pub score: String,
    /// How many clients' first administrations.
    pub n: usize,
    /// Mean.
    pub mean: f64,
    /// Sample SD.
    pub sd: f64,
    /// The scores themselves, sorted: percentiles are their empirical ranks. Empty in norms
    /// computed before securebase kept them (compute again for percentiles).
    #[serde(default)]
    pub values: Vec<f64>,
}

/// The reliability of one scale over the clinic's intakes (`core::reliability`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LocalReliabilityEntry {
    /// Instrument id.
    pub instrument: String,
    /// Score (scale) id.
    pub score: String,
    /// Intakes with every item of the scale answered.
    pub n: usize,
    /// Cronbach's alpha, when computable.
    pub alpha: Option<f64>,
    /// Its 95 % Feldt interval.
    pub alpha_ci: Option<(f64, f64)>,
    /// Mean of the scale score over those intakes.
    pub mean: Option<f64>,
    /// Its SD.
    pub sd: Option<f64>,
}

impl LocalNorms {
    /// The reliability entry for a scale of an instrument.
    pub fn reliability_of(&self, instrument: &str, score: &str) -> Option<&LocalReliabilityEntry> {
        self.reliability
            .iter()
            .find(|e| e.instrument == instrument && e.score == score)
    }

    /// The entry for a score of an instrument.
    pub fn get(&self, instrument: &str, score: &str) -> Option<&LocalNormEntry> {
        self.scores
            .iter()
            .find(|e| e.instrument == instrument && e.score == score)
    }
}
