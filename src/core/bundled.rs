//! The questionnaires shipped inside the binary (compiled in from `questionnaires/`).

use super::error::InstrumentError;
use super::instrument::Instrument;

/// (file name, text) of every bundled questionnaire, in the order they are listed.
pub const BUNDLED: [(&str, &str); 6] = [
    (
        "ecr-r.json",
        include_str!("../../questionnaires/ecr-r.json"),
    ),
    (
        "ecr-rs.json",
        include_str!("../../questionnaires/ecr-rs.json"),
    ),
    (
        "ecr-s.json",
        include_str!("../../questionnaires/ecr-s.json"),
    ),
    ("ecr.json", include_str!("../../questionnaires/ecr.json")),
    ("rq.json", include_str!("../../questionnaires/rq.json")),
    (
        "rfq-8.json",
        include_str!("../../questionnaires/rfq-8.json"),
    ),
];

/// Parses every bundled questionnaire. A failure here is a build defect, caught by the tests;
/// callers still get it as an error rather than a panic.
pub fn bundled() -> Vec<Result<Instrument, InstrumentError>> {
    BUNDLED
        .iter()
        .map(|(name, text)| Instrument::from_json(&format!("<bundled>/{name}"), text))
        .collect()
}
