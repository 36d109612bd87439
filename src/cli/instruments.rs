//! `securebase instruments`: list what is loaded, or check files.

use std::io::Write;

use anyhow::Result;

use super::help::item_columns;
use super::{InstrumentsArgs, ListFormat, bad_input};
use crate::catalog::{Catalog, LoadError, load_file};

/// Runs `securebase instruments`.
pub fn run(catalog: &Catalog, args: &InstrumentsArgs) -> Result<()> {
    let mut out = std::io::stdout().lock();
    if !args.validate.is_empty() {
        let mut failed = 0;
        for path in &args.validate {
            match load_file(path) {
                Ok(i) => {
                    writeln!(
                        out,
                        "{}: ok: {} {} ({} items; scores: {})",
                        path.display(),
                        i.id,
                        i.version,
                        i.n_slots(),
                        i.scores
                            .iter()
                            .map(|s| s.id.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )?;
                    if crate::core::bundled::BUNDLED
                        .iter()
                        .any(|(name, _)| name.trim_end_matches(".json") == i.id)
                    {
                        writeln!(
                            out,
                            "  note: {} is a bundled id; a folder file with this id is not loaded",
                            i.id
                        )?;
                    } else if let Err(LoadError::DuplicateShortName { other, .. }) =
                        Catalog::bundled().admit(path, i.clone())
                    {
                        writeln!(
                            out,
                            "  note: short name {:?} is the bundled {other}'s; a folder file with it is not loaded",
                            i.short_name
                        )?;
                    }
                }
                Err(e) => {
                    failed += 1;
                    eprintln!("securebase: error: {e}");
                }
            }
        }
        out.flush()?;
        if failed > 0 {
            return bad_input(format!(
                "{failed} of {} file(s) failed",
                args.validate.len()
            ));
        }
        return Ok(());
    }

    if args.format == ListFormat::Json {
        serde_json::to_writer_pretty(&mut out, &json_list(catalog))?;
        writeln!(out)?;
        for f in &catalog.failures {
            eprintln!("securebase: warning: not loaded: {}", f.error);
        }
        return Ok(());
    }
    for i in &catalog.instruments {
        let scores: Vec<&str> = i.scores.iter().map(|s| s.id.as_str()).collect();
        let mut columns = item_columns(i);
        if let Some(c) = &i.choice {
            columns = format!("{columns}; optional: {}", c.id);
        }
        writeln!(
            out,
            "{:<8} {} (version {}, {} answers on {}-{})",
            i.id,
            i.name,
            i.version,
            i.n_slots(),
            i.response.min,
            i.response.max
        )?;
        writeln!(out, "{:<8} columns: {columns}", "")?;
        writeln!(out, "{:<8} scores:  {}", "", scores.join(", "))?;
    }
    if !catalog.failures.is_empty() {
        writeln!(out, "\nNot loaded:")?;
        for f in &catalog.failures {
            writeln!(out, "  {}", f.error)?;
        }
    }
    Ok(())
}

/// The loaded instruments for scripts: `[{"id", "name", "version", "answers", "scale":
/// [min, max], "scores": [{"id", "name", "range": [low, high], "better", "better_reason"}]}]`,
/// `better` being `lower`, `higher` or `neither`.
fn json_list(catalog: &Catalog) -> serde_json::Value {
    catalog
        .instruments
        .iter()
        .map(|i| {
            serde_json::json!({
                "id": i.id,
                "name": i.name,
                "version": i.version,
                "answers": i.n_slots(),
                "scale": [i.response.min, i.response.max],
                "scores": i.scores.iter().map(|s| serde_json::json!({
                    "id": s.id,
                    "name": s.name,
                    "range": [s.range.0, s.range.1],
                    "better": s.better.name(),
                    "better_reason": s.better_reason,
                })).collect::<Vec<_>>(),
            })
        })
        .collect()
}
