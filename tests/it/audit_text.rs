//! The text fixes of the psychometric audit (AUDIT-2 section 1.4, D7-D16) in every bundled
//! questionnaire: no research tag in a string a clinician reads, one form of the midpoint
//! label, every reliability figure with its source and status, and the RFQ-8 caveat on `RFQ_c`.

use securebase::core::Instrument;
use securebase::core::bundled;

/// Every bundled instrument; a load failure is `bundled::`'s to report, so it just panics here.
fn all() -> Vec<Instrument> {
    bundled::bundled().into_iter().map(Result::unwrap).collect()
}

/// Every string of `i` a clinician reads, other than item texts: (where, text).
fn visible(i: &Instrument) -> Vec<(String, &str)> {
    let mut out: Vec<(String, &str)> = vec![
        ("citation".to_owned(), i.citation.as_str()),
        ("licence_note".to_owned(), i.licence_note.as_str()),
        ("verification_note".to_owned(), i.verification_note.as_str()),
        ("norms_note".to_owned(), i.norms_note.as_str()),
        ("instructions.note".to_owned(), i.instructions.note.as_str()),
        ("response_scale.note".to_owned(), i.response.note.as_str()),
    ];
    for (n, note) in i.reliability_notes.iter().enumerate() {
        out.push((format!("reliability_notes[{n}]"), note));
    }
    for (value, label) in &i.response.anchors {
        out.push((format!("anchor {value}"), label));
    }
    for block in &i.blocks {
        out.push((format!("block {} intro", block.id), &block.intro));
    }
    for score in &i.scores {
        out.push((format!("{} higher_means", score.id), &score.higher_means));
        out.push((format!("{} better_reason", score.id), &score.better_reason));
    }
    if let Some(choice) = &i.choice {
        out.push(("choice.note".to_owned(), &choice.note));
    }
    if let Some(category) = &i.category {
        out.push(("category.caveat".to_owned(), &category.caveat));
    }
    out
}

/// Research keys and leftovers the audit found in clinician-facing strings (D7, D8).
const FORBIDDEN: [&str; 25] = [
    "SCRIBD-RQ",
    "SCHARFE1994",
    "SFU-SELFREPORT",
    "WIKIA-RQ",
    "PYM-BLOG",
    "PAGE_",
    "SIBLEY_LIU",
    "SIBLEY_2005",
    "FRALEY_RS",
    "SUTTONG_RS",
    "WEI2007_COPIES",
    "PAPERCAMP_ECRS",
    "IRW-VERIFY",
    "DATANALYSIS-RFQ",
    "EEF-RFQ",
    "PUBCOMPARE",
    "MULLER-CRITIQUE",
    "HORVATH2023",
    "GH-RQ",
    "[journal",
    "See research notes",
    "research notes for sources",
    "Not found. Not found",
    "found. Not found.",
    "(rest truncated)",
];

/// The research tags in `text`: a listed one, or a word of capitals, digits and '_' with an
/// underscore in it (`PAGE_FRALEY_RS`; `RFQ_c` is a score name, not a tag).
fn research_tags(text: &str) -> Vec<String> {
    let mut found: Vec<String> = FORBIDDEN
        .iter()
        .filter(|tag| text.contains(*tag))
        .map(|tag| (*tag).to_owned())
        .collect();
    for word in text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')) {
        if word.contains('_') && !word.chars().any(|c| c.is_ascii_lowercase()) {
            found.push(word.to_owned());
        }
    }
    found
}

#[test]
fn the_tag_check_catches_the_old_text() {
    for old in [
        "226-244. [journal/pages seen in SCRIBD-RQ-SCHARFE1994]",
        "such as the ECR-R (SFU-SELFREPORT).",
        "(source: PAGE_FRALEY_RS (Fraley's page); status: verified)",
        "(source: IRW-VERIFY-RFQ (quotes paper Table 2)",
        "(HORVATH2023)",
        "lab files). See research notes for sources.",
        "no published instruction text was found. Not found. Per target",
        "use and validate the me[asure ...]' (rest truncated)",
        "a key like SOME_NEW_KEY",
    ] {
        assert!(!research_tags(old).is_empty(), "not caught: {old:?}");
    }
    for fine in [
        "RFQ_c and RFQ_u",
        "ECR-R, ECR-RS, RFQ-8, RFQ-R-7",
        "status: VERIFIED-PRIMARY (abstract)",
        "doi:10.1016/S0191-8869(03)00165-X",
    ] {
        assert_eq!(research_tags(fine), Vec::<String>::new(), "{fine:?}");
    }
}

/// D7, D8: no string a clinician reads carries a research key or a leftover.
#[test]
fn no_research_tag_in_any_text_a_clinician_reads() {
    let mut problems = Vec::new();
    for i in all() {
        for (place, text) in visible(&i) {
            let tags = research_tags(text);
            if !tags.is_empty() {
                problems.push(format!("{} {place}: {tags:?} in {text:?}", i.id));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// D15: the midpoint is "Neutral/mixed" in every file, in the anchors and in the notes.
#[test]
fn one_form_of_the_midpoint_label() {
    let mut anchors = 0;
    for i in all() {
        for (value, label) in &i.response.anchors {
            if label.eq_ignore_ascii_case("neutral/mixed") {
                assert_eq!(label, "Neutral/mixed", "{} anchor {value}", i.id);
                anchors += 1;
            }
        }
        for (place, text) in visible(&i) {
            assert!(
                !text.contains("Neutral/Mixed"),
                "{} {place}: {text:?}",
                i.id
            );
        }
    }
    // ECR-R, ECR-RS, ECR-S, ECR and RQ label their midpoint.
    assert_eq!(anchors, 5);
    let rq = all().into_iter().find(|i| i.id == "rq").unwrap();
    assert!(
        rq.response
            .anchors
            .contains(&(4, "Neutral/mixed".to_owned()))
    );
}

/// D16: beside `RFQ_c`, once, in the file's notes: high `RFQ_c` is not a validated marker of
/// hypermentalizing, with its source.
#[test]
fn rfq8_notes_say_high_certainty_is_not_a_validated_hypermentalizing_marker() {
    let rfq = all().into_iter().find(|i| i.id == "rfq-8").unwrap();
    let caveat = "high RFQ_c is not a validated marker of hypermentalizing";
    let notes: Vec<&String> = rfq
        .reliability_notes
        .iter()
        .chain(std::iter::once(&rfq.verification_note))
        .filter(|note| note.contains(caveat))
        .collect();
    assert_eq!(notes.len(), 1, "{:?}", rfq.reliability_notes);
    assert_eq!(notes[0].matches(caveat).count(), 1, "{}", notes[0]);
    assert!(notes[0].contains("Spitzer et al. (2021"), "{}", notes[0]);
    // The dimensionality finding itself, with its source.
    assert!(
        rfq.reliability_notes
            .iter()
            .any(|n| n.contains("misspecified") && n.contains("doi:10.1055/a-1234-6317")),
        "{:?}",
        rfq.reliability_notes
    );
}

/// D11: a reliability note with a figure in it names its source and status ("Show no number
/// without its source"), and none rests on the student essay any more.
#[test]
fn every_reliability_figure_has_its_source_and_status() {
    for i in all() {
        for note in &i.reliability_notes {
            let has_figure = note
                .as_bytes()
                .windows(2)
                .any(|w| w[0] == b'.' && w[1].is_ascii_digit());
            if has_figure {
                assert!(
                    note.contains("source: ") && note.contains("status: "),
                    "{}: {note}",
                    i.id
                );
            }
            assert!(!note.contains("student essay"), "{}: {note}", i.id);
        }
    }
}

/// D9, D12, D13, D14: the single-sentence fixes.
#[test]
fn the_notes_say_what_the_audit_found() {
    let by_id = |id: &str| all().into_iter().find(|i| i.id == id).unwrap();

    let ecr_rs = by_id("ecr-rs");
    assert_eq!(
        ecr_rs.blocks[0].intro,
        "Please answer the following questions about your mother or a mother-like figure."
    );
    assert!(
        ecr_rs
            .instructions
            .note
            .contains("block headers are securebase wording")
    );

    for id in ["ecr", "ecr-s"] {
        let i = by_id(id);
        assert!(
            i.instructions.note.contains("VERIFIED-SECONDARY")
                && i.instructions.note.contains("OSPP"),
            "{id}: {}",
            i.instructions.note
        );
        assert!(
            !i.instructions.verified,
            "{id}: still not the authors' form"
        );
    }

    let ecr = by_id("ecr");
    assert!(
        ecr.verification_note
            .contains("Self-report measurement of adult romantic attachment"),
        "{}",
        ecr.verification_note
    );

    let ecr_r = by_id("ecr-r");
    assert!(
        ecr_r
            .licence_note
            .contains("(single secondary source; confirm on Fraley's page)"),
        "{}",
        ecr_r.licence_note
    );

    let rfq = by_id("rfq-8");
    assert!(
        !rfq.licence_note.contains("truncated") && !rfq.licence_note.contains('['),
        "{}",
        rfq.licence_note
    );
}
