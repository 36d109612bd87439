//! `securebase plot`: the respondents of a scored CSV on the attachment plane, as PNG or SVG,
//! of at most [`MAX_SIDE`] pixels a side and [`MAX_PIXELS`] in all.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

use anyhow::{Context, Result};

use super::{BadInput, PlotArgs, bad_input};
use crate::atomic::write_atomic;
use crate::catalog::Catalog;
use crate::chart::Drawable;
use crate::chart::plane::PlaneChart;

/// The most pixels a side of the picture may have (`--width`, `--height`; checked by clap).
pub const MAX_SIDE: u32 = 10_000;
/// The most pixels a picture may have, width × height: 25 megapixels, 75 MB of RGB while it
/// is drawn. Beyond, `--width 100000 --height 100000` asked for 30 GB and aborted (REDTEAM
/// M6); the same cap for SVG keeps one rule.
pub const MAX_PIXELS: u64 = 25_000_000;

/// Runs `securebase plot`.
pub fn run(catalog: &Catalog, args: &PlotArgs) -> Result<()> {
    let pixels = u64::from(args.width) * u64::from(args.height);
    if args.width == 0 || args.height == 0 || pixels > MAX_PIXELS {
        return bad_input(format!(
            "a picture of {} × {} pixels is {:.1} megapixels; the most is {} megapixels \
             (--width × --height ≤ {MAX_PIXELS}), each side 1 to {MAX_SIDE}",
            args.width,
            args.height,
            pixels as f64 / 1e6,
            MAX_PIXELS / 1_000_000,
        ));
    }
    let Some(instrument) = catalog.get(&args.instrument) else {
        return bad_input(format!(
            "unknown instrument {:?}; loaded: {}",
            args.instrument,
            catalog.ids().join(", ")
        ));
    };
    let Some(plane) = &instrument.plane else {
        return bad_input(format!(
            "{} has no anxiety-avoidance plane to draw",
            instrument.id
        ));
    };
    let (x_id, y_id) = (
        &instrument.scores[plane.x].id,
        &instrument.scores[plane.y].id,
    );
    let svg = match args
        .output
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
    {
        Some(e) if e == "svg" => true,
        Some(e) if e == "png" => false,
        _ => return bad_input("--output must end in .png or .svg"),
    };
    let input: Box<dyn Read> =
        if args.input.as_os_str() == "-" {
            Box::new(io::stdin())
        } else {
            Box::new(File::open(&args.input).map_err(|e| {
                BadInput(format!("cannot open input {}: {e}", args.input.display()))
            })?)
        };
    let cloud = read_points(input, x_id, y_id, &args.input)?;
    let title = format!("{}: {} respondents", instrument.short_name, cloud.len());
    let Some(mut chart) = PlaneChart::for_instrument(instrument, &title) else {
        return bad_input(format!(
            "{} has no anxiety-avoidance plane to draw",
            instrument.id
        ));
    };
    chart.cloud = cloud;
    let bytes = if svg {
        chart.render_svg(args.width, args.height)?.into_bytes()
    } else {
        chart.render_png(args.width, args.height, f64::from(args.width) / 800.0)?
    };
    write_atomic(&args.output, &bytes)
        .with_context(|| format!("cannot write {}", args.output.display()))
}

/// (x, y) of every row whose two scores are present; rows with an empty score are skipped.
fn read_points(input: impl Read, x_id: &str, y_id: &str, name: &Path) -> Result<Vec<(f64, f64)>> {
    let mut reader = csv::ReaderBuilder::new().flexible(false).from_reader(input);
    let header = reader
        .byte_headers()
        .map_err(|e| BadInput(format!("{}: {e}", name.display())))?
        .clone();
    let find = |id: &str| {
        header
            .iter()
            .position(|h| h.trim_ascii().eq_ignore_ascii_case(id.as_bytes()))
            .ok_or_else(|| {
                BadInput(format!(
                    "{}: no {id:?} column; plot reads the output of `securebase score`",
                    name.display()
                ))
            })
    };
    let (xi, yi) = (find(x_id)?, find(y_id)?);
    let mut points = Vec::new();
    let mut record = csv::ByteRecord::new();
    while reader
        .read_byte_record(&mut record)
        .map_err(|e| BadInput(format!("{}: {e}", name.display())))?
    {
        let cell = |i: usize| -> Result<Option<f64>> {
            let text = std::str::from_utf8(record.get(i).unwrap_or_default())
                .unwrap_or("")
                .trim();
            if text.is_empty() {
                return Ok(None);
            }
            let line = record.position().map_or(0, csv::Position::line);
            text.parse::<f64>().map(Some).map_err(|_| {
                BadInput(format!(
                    "{}: line {line}: {text:?} is not a number",
                    name.display()
                ))
                .into()
            })
        };
        if let (Some(x), Some(y)) = (cell(xi)?, cell(yi)?) {
            points.push((x, y));
        }
    }
    Ok(points)
}
