//! Errors of the core: a questionnaire file that does not make sense, an answer that does not fit.

use thiserror::Error;

/// A questionnaire definition that cannot be used, with where and why.
///
/// `path` is a JSON path into the file (`$.scales[1].items[3]`), or `$` with the line and column
/// in `message` when the file is not JSON at all.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{file}: at {path}: {message}")]
pub struct InstrumentError {
    /// The file name (or `<bundled>/ecr-r.json` for a built-in file).
    pub file: String,
    /// JSON path of the offending value.
    pub path: String,
    /// What is wrong, and where it helps, how to fix it.
    pub message: String,
}

/// An answer that does not fit the instrument.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum AnswerError {
    /// A value outside the response scale.
    #[error("{value} is outside {min}-{max}")]
    OutOfRange {
        /// The value given.
        value: i64,
        /// Lowest allowed.
        min: i32,
        /// Highest allowed.
        max: i32,
    },
    /// A slot index past the end of the form.
    #[error("answer slot {slot} does not exist (the form has {len})")]
    NoSuchSlot {
        /// The index given.
        slot: usize,
        /// Number of slots.
        len: usize,
    },
    /// A forced-choice option that does not exist.
    #[error("choice option {option} does not exist (there are {len})")]
    NoSuchOption {
        /// The index given.
        option: usize,
        /// Number of options.
        len: usize,
    },
    /// A block index past the instrument's blocks.
    #[error("block {block} does not exist (the form has {len})")]
    NoSuchBlock {
        /// The index given.
        block: usize,
        /// Number of blocks.
        len: usize,
    },
    /// A forced choice given to an instrument that has none.
    #[error("this instrument has no forced choice")]
    NoChoice,
}
