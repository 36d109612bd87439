//! The column reference printed by `securebase score --help`, built from the loaded
//! instruments so that it can never drift from what the scorer reads.

use std::fmt::Write as _;

use crate::catalog::Catalog;
use crate::core::instrument::Instrument;

/// One paragraph per instrument: its item columns, optional columns and output scores.
pub fn columns_help(catalog: &Catalog) -> String {
    let mut out = String::from(
        "INPUT: CSV with a header row, UTF-8 (a byte-order mark is fine), delimiter comma, \
semicolon or tab. Item columns are named by item number, case-insensitive, zero padding \
allowed (q7, Q07). Empty cells, NA and . are missing answers. Every other column is passed \
through unchanged.\n\nOUTPUT: the passed-through columns, one column per score (full \
precision; empty when not scored), then n_missing and flags (separated by ;).\n\n\
EXIT CODES: 0 success, 2 bad input or arguments, 1 anything else.\n\nCOLUMNS PER INSTRUMENT:\n",
    );
    for instrument in &catalog.instruments {
        let _ = writeln!(
            out,
            "\n  {} ({}, {})",
            instrument.id, instrument.short_name, instrument.name
        );
        let _ = write!(out, "    items:    {}", item_columns(instrument));
        let labels: Vec<String> = instrument
            .items
            .iter()
            .filter_map(|i| Some(format!("q{} = {}", i.number, i.label.as_ref()?)))
            .collect();
        if labels.is_empty() {
            out.push('\n');
        } else {
            let _ = writeln!(out, " (ratings of paragraphs {})", labels.join(", "));
        }
        if let Some(choice) = &instrument.choice {
            let values: Vec<&str> = choice.options.iter().map(|(v, _)| v.as_str()).collect();
            let _ = writeln!(
                out,
                "    optional: {} ({}), the forced choice",
                choice.id,
                values.join("/")
            );
        }
        let _ = writeln!(
            out,
            "    answers:  whole numbers {}-{}",
            instrument.response.min, instrument.response.max
        );
        let ids: Vec<&str> = instrument.scores.iter().map(|s| s.id.as_str()).collect();
        let _ = writeln!(out, "    scores:   {}", ids.join(", "));
        if instrument.category.is_some() {
            let _ = writeln!(
                out,
                "    with --category: a category column after the scores (descriptive only)"
            );
        }
    }
    out
}

/// `q1-q36`, or `mother_q1-mother_q9, father_q1-…` for instruments with blocks.
pub fn item_columns(instrument: &Instrument) -> String {
    let range = |prefix: &str| {
        let first = instrument.items.first().map_or(0, |i| i.number);
        let last = instrument.items.last().map_or(0, |i| i.number);
        let contiguous = instrument
            .items
            .iter()
            .enumerate()
            .all(|(k, i)| i.number as usize == first as usize + k);
        if contiguous {
            format!("{prefix}q{first}-{prefix}q{last}")
        } else {
            instrument
                .items
                .iter()
                .map(|i| format!("{prefix}q{}", i.number))
                .collect::<Vec<_>>()
                .join(", ")
        }
    };
    if instrument.blocks.is_empty() {
        range("")
    } else {
        instrument
            .blocks
            .iter()
            .map(|b| range(&format!("{}_", b.id)))
            .collect::<Vec<_>>()
            .join(", ")
    }
}
