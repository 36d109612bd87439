//! The pure domain: instruments, answers, scoring, validity flags and the plane.
//!
//! Nothing in here touches files, the clock or a GUI: values in, values out. The CLI, the
//! store, the app and the tests all drive these same functions, so a score means the same
//! thing everywhere. (`bundled` embeds files at compile time; that is not run-time I/O.)

pub mod answers;
pub mod bundled;
pub mod change;
pub mod chart_data;
mod check;
pub mod error;
pub mod f_distribution;
pub mod instrument;
pub mod limits;
pub mod norms;
pub mod plane;
pub mod reliability;
pub mod schema;
pub mod score_report;
pub mod scoring;
pub mod validity;

pub use answers::{Answer, Responses};
pub use error::{AnswerError, InstrumentError};
pub use instrument::Instrument;
pub use score_report::{Flag, NotScored, Score, ScoreReport};
pub use scoring::{score, score_into};
