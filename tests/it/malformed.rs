//! Malformed questionnaire files: each must be refused with the right JSON path and message.
//!
//! Every file in `tests/data/malformed/` is `tests/data/valid/minimal.json` with one defect (or, for the
//! not-JSON cases, no JSON at all). The table [`CASES`] says, per file, where the error must
//! point and a distinctive part of its message.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use securebase::catalog::Catalog;
use securebase::core::Instrument;
use securebase::core::bundled;

/// (file in `tests/data/malformed/`, expected `path`, part of the expected `message`).
const CASES: &[(&str, &str, &str)] = &[
    // Items.
    (
        "item-number-duplicate.json",
        "$.items[2].number",
        "item number 2 is used twice (also at $.items[1])",
    ),
    (
        "item-number-zero.json",
        "$.items[3].number",
        "item numbers start at 1",
    ),
    (
        "item-text-empty.json",
        "$.items[2].text",
        "item text must not be empty",
    ),
    // Response scale and anchors.
    (
        "response-min-above-max.json",
        "$.response_scale",
        "min (6) must be less than max (5)",
    ),
    (
        "response-min-equals-max.json",
        "$.response_scale",
        "min (5) must be less than max (5)",
    ),
    (
        "response-too-many-points.json",
        "$.response_scale",
        "at most 101 points",
    ),
    (
        "anchor-outside-scale.json",
        "$.response_scale.anchors.6",
        "anchor 6 is outside the scale 1-5",
    ),
    (
        "anchor-key-not-number.json",
        "$.response_scale.anchors.five",
        "anchor key \"five\" is not a whole number",
    ),
    // Scales.
    ("scales-empty.json", "$.scales", "at least one scale"),
    (
        "scale-no-items.json",
        "$.scales[0].items",
        "scale \"alpha\" has no items",
    ),
    (
        "scale-unknown-item.json",
        "$.scales[1].items[2]",
        "item 9 is not defined in $.items",
    ),
    (
        "scale-item-listed-twice.json",
        "$.scales[1].items[2]",
        "item 3 is listed twice in scale \"beta\"",
    ),
    (
        "reverse-not-in-scale.json",
        "$.scales[0].reverse[0]",
        "item 3 is reversed but not in scale \"alpha\"",
    ),
    (
        "max-missing-too-large.json",
        "$.scales[0].max_missing",
        "max_missing 2 must be less than the number of items (2)",
    ),
    (
        "max-missing-fraction-one.json",
        "$.max_missing_fraction",
        "must be at least 0 and less than 1",
    ),
    // Recode tables.
    (
        "recode-table-missing-value.json",
        "$.recode_tables.agree",
        "no value for answer(s) 3",
    ),
    (
        "recode-key-outside-scale.json",
        "$.recode_tables.agree.6",
        "recode key 6 is outside the response scale 1-5",
    ),
    (
        "recode-and-reverse.json",
        "$.scales[1].recode.4",
        "item 4 is both reversed and recoded",
    ),
    (
        "recode-unknown-table.json",
        "$.scales[1].recode.4",
        "recode table \"agreement\" is not defined",
    ),
    (
        "recode-item-not-in-scale.json",
        "$.scales[1].recode.1",
        "item 1 is recoded but not in scale \"beta\"",
    ),
    // Score ids.
    (
        "score-id-duplicate.json",
        "$.scales[1].id",
        "score id \"alpha\" is already used at $.scales[0].id",
    ),
    (
        "derived-id-duplicate.json",
        "$.derived[0].id",
        "score id \"beta\" is already used at $.scales[1].id",
    ),
    (
        "score-id-reserved-flags.json",
        "$.scales[1].id",
        "score id \"flags\" is reserved",
    ),
    (
        "score-id-item-column.json",
        "$.derived[0].id",
        "score id \"q1\" is reserved",
    ),
    // Derived scores.
    (
        "derived-unknown-score.json",
        "$.derived[0].scores[1]",
        "score \"gamma\" is not defined",
    ),
    (
        "derived-score-listed-twice.json",
        "$.derived[0].scores[1]",
        "score \"alpha\" is listed twice",
    ),
    (
        "derived-max-missing-too-large.json",
        "$.derived[0].max_missing",
        "max_missing 2 must be less than the number of scores (2)",
    ),
    (
        "derived-linear-zero-weight.json",
        "$.derived[0].terms[1].weight",
        "non-zero",
    ),
    // Header fields.
    (
        "schema-version-unsupported.json",
        "$.schema_version",
        "schema version 2 is not supported",
    ),
    (
        "instrument-id-uppercase.json",
        "$.id",
        "id \"MINI\" must be lower-case",
    ),
    ("citation-empty.json", "$.citation", "must not be empty"),
    // Plane, choice, category.
    (
        "plane-unknown-score.json",
        "$.plane.x",
        "score \"gamma\" is not defined",
    ),
    (
        "plane-block-without-blocks.json",
        "$.plane.block_x",
        "block_x/block_y need $.blocks",
    ),
    (
        "choice-unknown-item.json",
        "$.choice.options[1].item",
        "item 7 is not defined in $.items",
    ),
    (
        "choice-duplicate-value.json",
        "$.choice.options[1].value",
        "value \"a\" is used twice",
    ),
    (
        "choice-id-clashes-with-score.json",
        "$.choice.id",
        "\"alpha\" is already a score id",
    ),
    (
        "category-unknown-score.json",
        "$.category.options[1].score",
        "score \"gamma\" is not defined",
    ),
    (
        "category-unknown-choice.json",
        "$.category.options[1].choice",
        "\"C\" is not a value of $.choice.options",
    ),
    (
        "category-empty-caveat.json",
        "$.category.caveat",
        "must carry its caveat",
    ),
    // Validity, reliability, norms.
    (
        "validity-negative-gap.json",
        "$.validity.contradiction_gap",
        "must be a number of at least 0",
    ),
    (
        "reliability-above-one.json",
        "$.reliability[0].value",
        "1.2 must be between 0 and 1",
    ),
    (
        "reliability-exactly-one.json",
        "$.reliability[0].value",
        "1 must be between 0 and 1",
    ),
    (
        "reliability-zero.json",
        "$.reliability[0].value",
        "0 must be between 0 and 1",
    ),
    (
        "reliability-unknown-score.json",
        "$.reliability[0].score",
        "score \"gamma\" is not defined",
    ),
    (
        "norm-sd-zero.json",
        "$.norm_sets[0].scores.alpha",
        "sd positive",
    ),
    (
        "norm-sd-negative.json",
        "$.norm_sets[0].scores.alpha",
        "sd positive",
    ),
    (
        "norm-unknown-score.json",
        "$.norm_sets[0].scores.gamma",
        "score \"gamma\" is not defined",
    ),
    // JSON types, fields and syntax (reported by serde with the path it reached).
    (
        "type-string-for-number.json",
        "$.response_scale.max",
        "invalid type: string \"5\", expected i32",
    ),
    (
        "type-items-not-array.json",
        "$.scales[0].items",
        "invalid type: string \"1, 2\", expected a sequence",
    ),
    (
        "type-top-level-items-object.json",
        "$.items",
        "invalid type: map, expected a sequence",
    ),
    (
        "type-unknown-method.json",
        "$.scales[1].method",
        "unknown variant `median`, expected `mean` or `sum`",
    ),
    (
        "unknown-field-typo.json",
        "$.scales[0].reversed",
        "unknown field `reversed`",
    ),
    (
        "unknown-field-license-spelling.json",
        "$.license_note",
        "unknown field `license_note`",
    ),
    (
        "missing-field-method.json",
        "$.scales[1]",
        "missing field `method`",
    ),
    (
        "missing-field-citation.json",
        "$",
        "missing field `citation`",
    ),
    (
        "duplicate-field.json",
        "$.scales[1]",
        "duplicate field `name`",
    ),
    // Not JSON at all: the path is `$` and the message carries line and column.
    (
        "not-json-yaml.json",
        "$",
        "expected value at line 1 column 1",
    ),
    (
        "empty-file.json",
        "$",
        "EOF while parsing a value at line 1 column 0",
    ),
    ("not-an-object.json", "$", "expected struct InstrumentFile"),
    // Found by review: syntax errors report `$`; overflowing scales, keys given twice,
    // choices and categories that cannot mean what they say, degenerate planes and runs.
    (
        "bad-json-missing-comma.json",
        "$",
        "expected `,` or `}` at line 22 column 38",
    ),
    (
        "bad-json-trailing-comma.json",
        "$",
        "trailing comma at line 17 column 3",
    ),
    (
        "bad-json-truncated.json",
        "$",
        "EOF while parsing a value at line 30 column 0",
    ),
    (
        "response-scale-overflow.json",
        "$.response_scale",
        "must lie within -1000..1000",
    ),
    (
        "anchor-same-value-twice.json",
        "$.response_scale.anchors.1",
        "answer 1 has two anchor labels",
    ),
    (
        "json-duplicate-key-in-recode-table.json",
        "$.recode_tables.agree",
        "key \"5\" appears twice",
    ),
    (
        "json-duplicate-key-in-scale-recode.json",
        "$.scales[1].recode",
        "key \"4\" appears twice",
    ),
    (
        "scale-recode-item-twice.json",
        "$.scales[1].recode.4",
        "twice",
    ),
    ("plane-same-score-both-axes.json", "$.plane.y", "both axes"),
    (
        "plane-midpoint-outside-range.json",
        "$.plane.midpoint",
        "outside",
    ),
    (
        "category-choice-of-other-score.json",
        "$.category.options[0].choice",
        "not an item of score",
    ),
    (
        "choice-two-options-same-item.json",
        "$.choice.options[1].item",
        "twice",
    ),
    (
        "category-score-twice.json",
        "$.category.options[1].score",
        "twice",
    ),
    (
        "longstring-run-one.json",
        "$.validity.longstring_run",
        "at least 2",
    ),
    // A norm set says what its figures are (AUDIT.md D6), and they must fit the score.
    ("norm-metric-sum.json", "$.norm_sets[0].metric", "is a mean"),
    (
        "norm-scale-other.json",
        "$.norm_sets[0].scale",
        "answered on 1-7",
    ),
    (
        "norm-mean-outside-range.json",
        "$.norm_sets[0].scores.alpha.mean",
        "outside the score's possible range 1 to 5",
    ),
    (
        "norm-sample-no-country.json",
        "$.norm_sets[0].sample",
        "country",
    ),
    // Which way is better is data, required of every score: change over time reads it.
    (
        "better-missing.json",
        "$.derived[0].better",
        "does not say which way is better",
    ),
    (
        "better-reason-empty.json",
        "$.scales[1].better_reason",
        "but not why",
    ),
];

fn tests_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data")
}

/// The text of `tests/<file>`.
fn read(file: &str) -> String {
    let path = tests_dir().join(file);
    fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// Loads `tests/data/<file>` and returns every way its error differs from the expectation (empty
/// when it matches).
fn mismatch(file: &str, expected_path: &str, expected_message_part: &str) -> Vec<String> {
    let text = read(file);
    let Err(err) = Instrument::from_json(file, &text) else {
        return vec![format!("{file}: loaded without error")];
    };
    let mut problems = Vec::new();
    if err.file != file {
        problems.push(format!("{file}: error names file {:?}", err.file));
    }
    if err.path != expected_path {
        problems.push(format!(
            "{file}: path is {:?}, expected {expected_path:?} (message: {:?})",
            err.path, err.message
        ));
    }
    if !err.message.contains(expected_message_part) {
        problems.push(format!(
            "{file}: message {:?} does not contain {expected_message_part:?}",
            err.message
        ));
    }
    let shown = err.to_string();
    if !shown.starts_with(&format!("{file}: at {}: ", err.path)) {
        problems.push(format!(
            "{file}: Display {shown:?} does not start with the file and path"
        ));
    }
    problems
}

/// Asserts that `tests/data/malformed/<file>` is refused at `expected_path` with a message
/// containing `expected_message_part`.
fn check(file: &str, expected_path: &str, expected_message_part: &str) {
    let problems = mismatch(
        &format!("malformed/{file}"),
        expected_path,
        expected_message_part,
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn minimal_instrument_is_valid() {
    let text = read("valid/minimal.json");
    let instrument = Instrument::from_json("minimal.json", &text)
        .unwrap_or_else(|e| panic!("the base of the malformed files must load: {e}"));
    assert_eq!(instrument.id, "mini");
    assert_eq!(instrument.items.len(), 4);
    let ids: Vec<&str> = instrument.scores.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, ["alpha", "beta", "total"]);
}

#[test]
fn every_malformed_file_is_refused_as_expected() {
    let mut problems = Vec::new();
    for &(file, path, message) in CASES {
        problems.extend(mismatch(&format!("malformed/{file}"), path, message));
    }
    assert!(
        problems.is_empty(),
        "{} problem(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn table_and_folder_agree() {
    let listed: BTreeSet<&str> = CASES.iter().map(|(file, _, _)| *file).collect();
    assert_eq!(listed.len(), CASES.len(), "a file is listed twice in CASES");
    let on_disk: BTreeSet<String> = fs::read_dir(tests_dir().join("malformed"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    let on_disk: BTreeSet<&str> = on_disk.iter().map(String::as_str).collect();
    assert_eq!(
        listed, on_disk,
        "every file in tests/data/malformed/ needs a row in CASES"
    );
    let distinct: BTreeSet<String> = on_disk
        .iter()
        .map(|f| read(&format!("malformed/{f}")))
        .collect();
    assert_eq!(
        distinct.len(),
        on_disk.len(),
        "two malformed files are identical"
    );
}

// The required cases also get a test each, so that a failure names its case in the test list.
// The expectations stay in CASES; these only pick the row.
fn check_row(file: &str) {
    let &(_, path, message) = CASES
        .iter()
        .find(|(f, _, _)| *f == file)
        .unwrap_or_else(|| panic!("{file} is not in CASES"));
    check(file, path, message);
}

macro_rules! cases {
    ($($name:ident => $file:literal;)*) => {
        $(#[test] fn $name() { check_row($file); })*
    };
}

cases! {
    unknown_item_in_scale => "scale-unknown-item.json";
    duplicate_item_number => "item-number-duplicate.json";
    recode_table_missing_value => "recode-table-missing-value.json";
    reverse_key_on_recoded_item => "recode-and-reverse.json";
    min_above_max => "response-min-above-max.json";
    min_equals_max => "response-min-equals-max.json";
    empty_scale => "scale-no-items.json";
    derived_names_unknown_score => "derived-unknown-score.json";
    not_json_has_line_and_column => "not-json-yaml.json";
    string_where_number_belongs => "type-string-for-number.json";
    items_not_an_array => "type-items-not-array.json";
    unknown_field => "unknown-field-typo.json";
    missing_required_field => "missing-field-method.json";
    reversed_item_not_in_scale => "reverse-not-in-scale.json";
    recode_names_unknown_table => "recode-unknown-table.json";
    recode_key_outside_scale => "recode-key-outside-scale.json";
    duplicate_score_id => "score-id-duplicate.json";
    unsupported_schema_version => "schema-version-unsupported.json";
    empty_item_text => "item-text-empty.json";
    anchor_outside_scale => "anchor-outside-scale.json";
    max_missing_not_below_item_count => "max-missing-too-large.json";
    plane_names_unknown_score => "plane-unknown-score.json";
    category_names_unknown_score => "category-unknown-score.json";
    choice_option_names_unknown_item => "choice-unknown-item.json";
    reliability_outside_open_unit_interval => "reliability-above-one.json";
    reliability_of_one => "reliability-exactly-one.json";
    norm_sd_zero => "norm-sd-zero.json";
    norm_sd_negative => "norm-sd-negative.json";
    score_id_clashes_with_flags_column => "score-id-reserved-flags.json";
    score_id_clashes_with_item_column => "score-id-item-column.json";
}

// ---------------------------------------------------------------------------------------------
// The catalog: a broken file in a folder never stops the good ones.

#[test]
fn catalog_keeps_good_files_next_to_a_broken_one() {
    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("a-broken.json");
    let good = dir.path().join("b-good.json");
    fs::write(&broken, read("malformed/scale-unknown-item.json")).unwrap();
    fs::write(&good, read("valid/minimal.json")).unwrap();
    fs::write(dir.path().join("notes.txt"), "not a questionnaire").unwrap();

    let mut catalog = Catalog::bundled();
    assert!(
        catalog.failures.is_empty(),
        "bundled failures: {:?}",
        catalog.failures
    );
    let n_bundled = catalog.instruments.len();
    catalog.load_dir(dir.path()).unwrap();

    assert!(
        catalog.get("mini").is_some(),
        "the good file was not loaded"
    );
    assert_eq!(catalog.instruments.len(), n_bundled + 1);
    for (name, _) in bundled::BUNDLED {
        let id = name.trim_end_matches(".json");
        assert!(catalog.get(id).is_some(), "bundled {id} lost");
    }
    assert_eq!(catalog.failures.len(), 1, "{:?}", catalog.failures);
    let failure = &catalog.failures[0];
    assert_eq!(failure.file, broken);
    let expected = format!("{}: at $.scales[1].items[2]: ", broken.display());
    assert!(
        failure.error.to_string().starts_with(&expected),
        "error {:?} should start with {expected:?}",
        failure.error
    );
    assert!(
        failure.error.to_string().contains("item 9 is not defined"),
        "{}",
        failure.error
    );
}

#[test]
fn catalog_lists_unparsable_file_with_its_name() {
    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("syntax.json");
    fs::write(&broken, read("malformed/bad-json-trailing-comma.json")).unwrap();
    fs::write(dir.path().join("z-good.json"), read("valid/minimal.json")).unwrap();

    let mut catalog = Catalog::bundled();
    catalog.load_dir(dir.path()).unwrap();
    assert!(catalog.get("mini").is_some());
    assert_eq!(catalog.failures.len(), 1, "{:?}", catalog.failures);
    assert_eq!(catalog.failures[0].file, broken);
    // A syntax error has the path `$`; the position is in the message.
    assert!(
        catalog.failures[0]
            .error
            .to_string()
            .starts_with(&format!("{}: at $: ", broken.display())),
        "{}",
        catalog.failures[0].error
    );
    assert!(
        catalog.failures[0]
            .error
            .to_string()
            .contains("line 17 column 3")
    );
}

#[test]
fn catalog_refuses_a_copy_of_a_bundled_instrument() {
    let original = Catalog::bundled().get("ecr-r").unwrap().name.clone();
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("my-ecr-r.json");
    let ecr_r = bundled::BUNDLED
        .iter()
        .find(|(name, _)| *name == "ecr-r.json")
        .unwrap()
        .1;
    // A changed copy: if it were taken, the name would show it.
    let tampered = ecr_r.replacen(
        &format!("\"name\": {original:?}"),
        "\"name\": \"Tampered\"",
        1,
    );
    assert_ne!(
        tampered, ecr_r,
        "the copy must differ from the bundled file"
    );
    fs::write(&copy, tampered).unwrap();
    fs::write(dir.path().join("other.json"), read("valid/minimal.json")).unwrap();

    let mut catalog = Catalog::bundled();
    let n_bundled = catalog.instruments.len();
    catalog.load_dir(dir.path()).unwrap();

    assert_eq!(
        catalog.instruments.len(),
        n_bundled + 1,
        "only the minimal file is new"
    );
    assert_eq!(
        catalog
            .instruments
            .iter()
            .filter(|i| i.id == "ecr-r")
            .count(),
        1
    );
    assert_eq!(
        catalog.get("ecr-r").unwrap().name,
        original,
        "the bundled ECR-R was replaced"
    );
    assert_eq!(catalog.failures.len(), 1, "{:?}", catalog.failures);
    let failure = &catalog.failures[0];
    assert_eq!(failure.file, copy);
    assert!(
        failure
            .error
            .to_string()
            .contains(&copy.display().to_string()),
        "{}",
        failure.error
    );
    assert!(
        failure
            .error
            .to_string()
            .contains("\"ecr-r\" is already loaded"),
        "{}",
        failure.error
    );
}

#[test]
fn catalog_refuses_a_second_folder_file_with_the_same_id() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("a.json"), read("valid/minimal.json")).unwrap();
    fs::write(dir.path().join("b.json"), read("valid/minimal.json")).unwrap();
    let mut catalog = Catalog::bundled();
    catalog.load_dir(dir.path()).unwrap();
    assert_eq!(
        catalog
            .instruments
            .iter()
            .filter(|i| i.id == "mini")
            .count(),
        1
    );
    assert_eq!(catalog.failures.len(), 1, "{:?}", catalog.failures);
    assert_eq!(catalog.failures[0].file, dir.path().join("b.json"));
}

#[test]
fn catalog_reads_a_file_with_a_byte_order_mark() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!("\u{feff}{}", read("valid/minimal.json"));
    fs::write(dir.path().join("bom.json"), text).unwrap();
    let mut catalog = Catalog::bundled();
    catalog.load_dir(dir.path()).unwrap();
    assert!(catalog.failures.is_empty(), "{:?}", catalog.failures);
    assert!(catalog.get("mini").is_some());
}

#[test]
fn catalog_reports_a_missing_folder() {
    let dir = tempfile::tempdir().unwrap();
    let mut catalog = Catalog::bundled();
    assert!(catalog.load_dir(&dir.path().join("absent")).is_err());
}
