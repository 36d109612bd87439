//! Scores over time: one line per score across a client's administrations, the companion of
//! the plane (which shows two scores at once but hides the dates' spacing).
//!
//! Drawn with the same font, palette and marks as [`super::plane`] (all in [`super`]), for the same three outputs
//! (pixels for the app, PNG, SVG). Administrations are spaced evenly and labelled with their
//! dates: sessions are what the clinician counts, and uneven gaps stay readable in the labels.
//! Each line has its own colour *and* marker shape, so a greyscale print still tells them
//! apart; the 95 % band, where known, is a vertical bar at each point.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{BLUE, ChartError, Drawable, FONT, GREEN, GREY, INK, VERMILLION, err, line_width, px};

/// One score's values, one per administration (`None` where it has no value).
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// The score's name, for the legend.
    pub name: String,
    /// Per administration, in the chart's order.
    pub values: Vec<Option<f64>>,
    /// Per administration, the 95 % band where known.
    pub bands: Vec<Option<(f64, f64)>>,
}

/// Everything the line chart shows.
#[derive(Debug, Clone, PartialEq)]
pub struct LineChart {
    /// Title above the chart.
    pub title: String,
    /// Vertical axis title.
    pub y_title: String,
    /// Lowest and highest value of the vertical axis (the scores' possible range).
    pub range: (f64, f64),
    /// Administration labels (dates), oldest first.
    pub dates: Vec<String>,
    /// Up to four scores.
    pub series: Vec<Series>,
}

/// Okabe-Ito colours in legend order.
const COLOURS: [RGBColor; 4] = [BLUE, VERMILLION, GREEN, RGBColor(0xCC, 0x79, 0xA7)];

impl Drawable for LineChart {
    fn draw_on<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        scale: f64,
    ) -> Result<(), ChartError>
    where
        DB::ErrorType: 'static,
    {
        draw(root, self, scale)
    }
}

/// The outline of marker `k` (square, triangle, diamond) around the origin, in pixels; `None`
/// for the first marker, a circle.
fn marker_shape(k: usize, scale: f64) -> Option<Vec<(i32, i32)>> {
    let r = px(5.0, scale);
    match k % 4 {
        0 => None,
        1 => Some(vec![(-r, -r), (r, -r), (r, r), (-r, r)]),
        2 => Some(vec![(0, -r - 1), (r + 1, r), (-r - 1, r)]),
        _ => Some(vec![(0, -r - 1), (r + 1, 0), (0, r + 1), (-r - 1, 0)]),
    }
}

#[expect(
    clippy::too_many_lines,
    reason = "one pass over the chart's layers, in drawing order"
)]
fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    chart: &LineChart,
    scale: f64,
) -> Result<(), ChartError>
where
    DB::ErrorType: 'static,
{
    root.fill(&WHITE).map_err(err)?;
    let font = |size: f64| (FONT, f64::from(px(size, scale)));
    let (lo, hi) = chart.range;
    let n = chart.dates.len().max(1);
    let x_max = (n as f64 - 0.5).max(0.5);
    let mut plot = ChartBuilder::on(root)
        .caption(&chart.title, font(16.0).into_font().color(&INK))
        .margin(px(14.0, scale))
        .x_label_area_size(px(44.0, scale))
        .y_label_area_size(px(52.0, scale))
        .build_cartesian_2d(-0.5..x_max, lo..hi)
        .map_err(err)?;
    let dates = chart.dates.clone();
    // Every administration keeps its date label: when they would run into each other the
    // labels get smaller (to about 8 points), and beyond that only every k-th is written.
    let (width_px, _) = root.dim_in_pixel();
    let per_label = f64::from(width_px) * 0.85 / n as f64;
    let longest = dates
        .iter()
        .map(|d| d.chars().count())
        .max()
        .unwrap_or(1)
        .max(1) as f64;
    let fitting = per_label / (longest * 0.62);
    let label_size = fitting.clamp(8.0 * scale, 11.0 * scale);
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "a small positive step"
    )]
    let every = ((label_size / fitting).ceil() as usize).max(1);
    plot.configure_mesh()
        .disable_x_mesh()
        .light_line_style(WHITE.mix(0.0))
        .x_labels(n.min(12))
        .y_labels(7)
        .x_label_formatter(&|v: &f64| {
            // Labels only at whole positions: the administrations.
            let i = v.round();
            if (v - i).abs() > 1e-6 || i < 0.0 {
                return String::new();
            }
            #[expect(
                clippy::cast_possible_truncation,
                clippy::cast_sign_loss,
                reason = "checked non-negative and whole"
            )]
            let i = i as usize;
            if i.is_multiple_of(every) || i + 1 == dates.len() {
                dates.get(i).cloned().unwrap_or_default()
            } else {
                String::new()
            }
        })
        .y_label_formatter(&|v| format!("{v:.0}"))
        .x_desc("Administration")
        .y_desc(chart.y_title.as_str())
        .axis_desc_style(font(14.0).into_font().color(&INK))
        .label_style(font(11.0).into_font().color(&INK))
        .x_label_style((FONT, label_size).into_font().color(&INK))
        .draw()
        .map_err(err)?;

    for (k, series) in chart.series.iter().enumerate() {
        let colour = COLOURS[k % COLOURS.len()];
        let points: Vec<(f64, f64)> = series
            .values
            .iter()
            .enumerate()
            .filter_map(|(i, v)| v.map(|v| (i as f64, v)))
            .collect();
        for (i, band) in series.bands.iter().enumerate() {
            if let Some((b0, b1)) = band {
                let x = i as f64 + (k as f64 - 0.5 * (chart.series.len() as f64 - 1.0)) * 0.04;
                plot.draw_series(LineSeries::new(
                    [(x, b0.max(lo)), (x, b1.min(hi))],
                    colour.mix(0.5).stroke_width(line_width(2.0, scale)),
                ))
                .map_err(err)?;
            }
        }
        plot.draw_series(LineSeries::new(
            points.iter().copied(),
            colour.stroke_width(line_width(2.0, scale)),
        ))
        .map_err(err)?
        .label(series.name.as_str())
        .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], colour.stroke_width(2)));
        match marker_shape(k, scale) {
            None => plot.draw_series(
                points
                    .iter()
                    .map(|&p| Circle::new(p, px(5.0, scale), colour.filled())),
            ),
            Some(shape) => plot.draw_series(
                points
                    .iter()
                    .map(|&p| EmptyElement::at(p) + Polygon::new(shape.clone(), colour.filled())),
            ),
        }
        .map_err(err)?;
    }
    if !chart.series.is_empty() {
        plot.configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .background_style(WHITE.mix(0.85))
            .border_style(GREY)
            .label_font(font(12.0).into_font().color(&INK))
            .draw()
            .map_err(err)?;
    }
    Ok(())
}
