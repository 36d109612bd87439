//! How large a questionnaire file may be, and how large the instrument it describes (REDTEAM M6
//! and L3): one place for the numbers, which the checker applies, the catalog's reader caps its
//! reads by, and `questionnaires/README.md` ("Limits") documents.
//!
//! Each limit lies far above any real questionnaire (the largest bundled file is under 9 KB,
//! with 36 items; the largest instruments in clinical use have a few hundred items and a
//! hundred-odd scales), and each is there because, without it, a small file could make
//! securebase use memory or time out of proportion to it: 6000 blocks × 6000 items is a 450 KB
//! file and was 36 million answers, 2.8 GB. A file past a limit is refused before any of that
//! work, with the limit's number in the message. No I/O here: numbers only.

/// The most bytes a questionnaire file may have: 1 MiB, a hundred times the largest bundled
/// file. Read no further than this (a link to `/dev/zero` never ends).
pub const MAX_FILE_BYTES: u64 = 1 << 20;

/// The deepest the file's JSON may nest (objects and arrays within each other). The format
/// itself needs five (`$.norm_sets[0].scores.anxiety`).
pub const MAX_DEPTH: usize = 16;

/// The most characters any one text of the file may have (an item, an instruction, a note).
/// The longest bundled one, an RQ paragraph, has about a thousand.
pub const MAX_TEXT_CHARS: usize = 20_000;

/// The most items a questionnaire may have (the MMPI-2, among the longest, has 567).
pub const MAX_ITEMS: usize = 2_000;

/// The most repeated blocks (the ECR-RS has 4 relationships).
pub const MAX_BLOCKS: usize = 100;

/// The most answers one form may ask for: items × blocks (the items alone without blocks).
pub const MAX_ANSWERS: usize = 20_000;

/// The most scores an instrument may define: its scales times its blocks, plus its derived
/// scores.
pub const MAX_SCORES: usize = 2_000;

/// The most item entries the scales may list in all, counted once per block: what scoring
/// goes through for one form.
pub const MAX_SCALE_ENTRIES: usize = 100_000;

/// The most entries of any other list: the options of the forced choice and of the category,
/// the terms or scores of one derived score, recode tables, reliability figures and notes, norm
/// sets and the scores of each.
pub const MAX_LIST: usize = 1_000;

/// The largest magnitude any score may reach, or any sum on the way to one: a sum of a few
/// hundred items of a 1000-point scale is below a million. A score past it would print as
/// `inf` or `NaN` long before it meant anything.
pub const MAX_SCORE_MAGNITUDE: f64 = 1e12;
