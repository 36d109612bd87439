//! The attachment plane, drawn once for every place it appears: the app (as pixels for a
//! texture), PNG and SVG exports, and `securebase plot`.
//!
//! Avoidance runs across, anxiety up, both over the instrument's range with midlines at the
//! midpoint and the four descriptive regions labelled quietly. The client's current point is a
//! large filled dot with its 95 % uncertainty box; earlier points are hollow, joined by arrows
//! in time order and labelled with their dates. The palette is Okabe-Ito (safe for colour-blind
//! readers) and the marks differ in shape and fill as well as colour, so a greyscale print reads
//! the same. The font is embedded (`DejaVu Sans`): no system font is looked up, so the same chart
//! comes out everywhere.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::RGBAColor;

use super::{BLUE, ChartError, Drawable, FONT, GREEN, GREY, INK, VERMILLION, err, line_width, px};
use crate::core::chart_data::PlanePoint;
use crate::core::instrument::Instrument;

/// A norm region: mean ± 1 SD on both axes.
#[derive(Debug, Clone, PartialEq)]
pub struct NormRegion {
    /// Mean and SD of x.
    pub x: (f64, f64),
    /// Mean and SD of y.
    pub y: (f64, f64),
    /// Its name and n, shown in the legend.
    pub label: String,
}

/// Everything the plane shows.
#[derive(Debug, Clone, PartialEq)]
pub struct PlaneChart {
    /// Title above the plane.
    pub title: String,
    /// Horizontal axis title.
    pub x_title: String,
    /// Vertical axis title.
    pub y_title: String,
    /// Lowest and highest value of both axes.
    pub range: (f64, f64),
    /// Where the descriptive regions divide.
    pub midpoint: f64,
    /// The client's points in time order; the last is the current one.
    pub trajectory: Vec<PlanePoint>,
    /// Points without order (ECR-RS relationships), each labelled.
    pub labelled: Vec<PlanePoint>,
    /// Many respondents (research): drawn as a density when there are many.
    pub cloud: Vec<(f64, f64)>,
    /// The selected norm set, if any.
    pub norm: Option<NormRegion>,
    /// A couple: each partner's points in time order (the last is their current one), drawn
    /// in a colour and a shape of their own, with a legend naming them.
    pub partners: Vec<PartnerTrack>,
}

/// One partner's course on a couple's plane.
#[derive(Debug, Clone, PartialEq)]
pub struct PartnerTrack {
    /// The partner's name, as the legend shows it.
    pub name: String,
    /// Their points, oldest first; each labelled with its date.
    pub points: Vec<PlanePoint>,
}

fn partner_colour(k: usize) -> RGBColor {
    if k == 0 { BLUE } else { VERMILLION }
}

impl PlaneChart {
    /// An empty plane for `instrument`: avoidance across, anxiety up, on the possible range of
    /// its two plane scores (one range for both axes, so that the plane stays square) and
    /// divided at its own midpoint. The one builder the app, the PDF report and `securebase
    /// plot` all use, so that a clinic's 1-5 questionnaire is drawn on 1-5 everywhere. `None`
    /// when the instrument has no plane.
    pub fn for_instrument(instrument: &Instrument, title: &str) -> Option<Self> {
        let plane = instrument.plane.as_ref()?;
        let (x, y) = (
            instrument.scores.get(plane.x)?.range,
            instrument.scores.get(plane.y)?.range,
        );
        Some(Self {
            title: title.to_owned(),
            x_title: "Avoidance".to_owned(),
            y_title: "Anxiety".to_owned(),
            range: (x.0.min(y.0), x.1.max(y.1)),
            midpoint: plane.midpoint,
            trajectory: Vec::new(),
            labelled: Vec::new(),
            cloud: Vec::new(),
            norm: None,
            partners: Vec::new(),
        })
    }
}

impl Drawable for PlaneChart {
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

#[expect(
    clippy::too_many_lines,
    reason = "one pass over the chart's layers, in drawing order"
)]
fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    chart: &PlaneChart,
    scale: f64,
) -> Result<(), ChartError>
where
    DB::ErrorType: 'static,
{
    root.fill(&WHITE).map_err(err)?;
    let font = |size: f64| (FONT, f64::from(px(size, scale)));
    let (lo, hi) = chart.range;
    let mut plane = ChartBuilder::on(root)
        .caption(&chart.title, font(16.0).into_font().color(&INK))
        .margin(px(14.0, scale))
        .x_label_area_size(px(44.0, scale))
        .y_label_area_size(px(52.0, scale))
        .build_cartesian_2d(lo..hi, lo..hi)
        .map_err(err)?;
    plane
        .configure_mesh()
        .disable_mesh()
        .x_labels(7)
        .y_labels(7)
        .x_label_formatter(&|v| format!("{v:.0}"))
        .y_label_formatter(&|v| format!("{v:.0}"))
        .x_desc(chart.x_title.as_str())
        .y_desc(chart.y_title.as_str())
        .axis_desc_style(font(14.0).into_font().color(&INK))
        .label_style(font(12.0).into_font().color(&INK))
        .draw()
        .map_err(err)?;

    draw_cloud(&mut plane, chart, scale)?;

    // Midlines and the four regions, quietly.
    let m = chart.midpoint;
    let grey = GREY.mix(0.7).stroke_width(line_width(1.0, scale));
    plane
        .draw_series(LineSeries::new([(m, lo), (m, hi)], grey))
        .map_err(err)?;
    plane
        .draw_series(LineSeries::new([(lo, m), (hi, m)], grey))
        .map_err(err)?;
    let pad = (hi - lo) * 0.02;
    let region = font(13.0).into_font().color(&GREY);
    for (text, x, y) in [
        ("secure", lo + pad, lo + pad * 4.0),
        ("preoccupied", lo + pad, hi - pad),
        ("dismissing", m + pad, lo + pad * 4.0),
        ("fearful", m + pad, hi - pad),
    ] {
        plane
            .draw_series(std::iter::once(Text::new(text, (x, y), region.clone())))
            .map_err(err)?;
    }

    if let Some(norm) = &chart.norm {
        let ((mx, sx), (my, sy)) = (norm.x, norm.y);
        plane
            .draw_series(std::iter::once(Rectangle::new(
                [(mx - sx, my - sy), (mx + sx, my + sy)],
                GREEN.mix(0.12).filled(),
            )))
            .map_err(err)?;
        plane
            .draw_series(std::iter::once(Rectangle::new(
                [(mx - sx, my - sy), (mx + sx, my + sy)],
                GREEN.stroke_width(line_width(1.5, scale)),
            )))
            .map_err(err)?;
        plane
            .draw_series(std::iter::once(Text::new(
                format!("norm: {}", norm.label),
                (mx - sx, my + sy + pad),
                font(11.0).into_font().color(&GREEN),
            )))
            .map_err(err)?;
    }

    // Relationships (ECR-RS): labelled diamonds.
    for p in &chart.labelled {
        plane
            .draw_series(std::iter::once(
                EmptyElement::at((p.x, p.y))
                    + Polygon::new(
                        vec![
                            (0, -px(6.0, scale)),
                            (px(6.0, scale), 0),
                            (0, px(6.0, scale)),
                            (-px(6.0, scale), 0),
                        ],
                        BLUE.filled(),
                    )
                    + Text::new(
                        p.label.clone(),
                        (px(8.0, scale), -px(6.0, scale)),
                        font(12.0).into_font().color(&INK),
                    ),
            ))
            .map_err(err)?;
    }

    draw_partners(&mut plane, chart, scale)?;
    draw_legend(root, chart, scale)?;

    // Earlier points joined by arrows, then the current point with its uncertainty box.
    let path = &chart.trajectory;
    for pair in path.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        plane
            .draw_series(LineSeries::new(
                [(a.x, a.y), (b.x, b.y)],
                BLUE.stroke_width(line_width(2.0, scale)),
            ))
            .map_err(err)?;
        let (dx, dy) = (b.x - a.x, b.y - a.y);
        let length = dx.hypot(dy);
        if length > 1e-9 {
            // An arrowhead just short of the next point's marker.
            let (ux, uy) = (dx / length, dy / length);
            let size = (hi - lo) * 0.025;
            let tip = (b.x - ux * size * 0.8, b.y - uy * size * 0.8);
            let base = (tip.0 - ux * size, tip.1 - uy * size);
            let left = (base.0 - uy * size * 0.5, base.1 + ux * size * 0.5);
            let right = (base.0 + uy * size * 0.5, base.1 - ux * size * 0.5);
            plane
                .draw_series(std::iter::once(Polygon::new(
                    vec![tip, left, right],
                    BLUE.filled(),
                )))
                .map_err(err)?;
        }
    }
    if let Some((current, earlier)) = path.split_last() {
        // Data units per pixel across, to tell whether a label would run into another point.
        let (area_px, _) = plane.plotting_area().dim_in_pixel();
        let per_px = (hi - lo) / f64::from(area_px.max(1));
        for p in earlier {
            // Right of the point, unless another point sits where the text would be; then left.
            let text_px = p.label.chars().count() as f64 * 11.0 * scale * 0.58;
            let reach = (10.0 * scale + text_px) * per_px;
            let blocked = path.iter().any(|q| {
                let dx = q.x - p.x;
                dx > 1e-9 && dx < reach && (q.y - p.y).abs() < 24.0 * scale * per_px
            });
            #[expect(clippy::cast_possible_truncation, reason = "pixel offsets are small")]
            let dx = if blocked {
                -px(10.0, scale) - text_px.round() as i32
            } else {
                px(10.0, scale)
            };
            plane
                .draw_series(std::iter::once(
                    EmptyElement::at((p.x, p.y))
                        + Circle::new((0, 0), px(6.0, scale), WHITE.filled())
                        + Circle::new(
                            (0, 0),
                            px(6.0, scale),
                            BLUE.stroke_width(line_width(2.0, scale)),
                        )
                        + Text::new(
                            p.label.clone(),
                            (dx, px(7.0, scale)),
                            font(11.0).into_font().color(&BLUE),
                        ),
                ))
                .map_err(err)?;
        }
        draw_band(&mut plane, current, VERMILLION, true, chart.range, scale)?;
        plane
            .draw_series(std::iter::once(
                EmptyElement::at((current.x, current.y))
                    + Circle::new((0, 0), px(8.0, scale), VERMILLION.filled())
                    + Circle::new(
                        (0, 0),
                        px(8.0, scale),
                        INK.stroke_width(line_width(1.0, scale)),
                    )
                    + Text::new(
                        current.label.clone(),
                        (px(12.0, scale), px(8.0, scale)),
                        font(13.0).into_font().color(&INK),
                    ),
            ))
            .map_err(err)?;
    }
    Ok(())
}

/// A point's 95 % band as a box cut to the plane's `range`: the current point's shaded and
/// outlined, an earlier point's outlined faintly (its uncertainty said without covering the
/// course). Nothing where the point has no band.
fn draw_band<DB: DrawingBackend>(
    plane: &mut Plane<'_, DB>,
    p: &PlanePoint,
    colour: RGBColor,
    current: bool,
    (lo, hi): (f64, f64),
    scale: f64,
) -> Result<(), ChartError>
where
    DB::ErrorType: 'static,
{
    let (Some((x0, x1)), Some((y0, y1))) = (p.x_band, p.y_band) else {
        return Ok(());
    };
    let corners = [(x0.max(lo), y0.max(lo)), (x1.min(hi), y1.min(hi))];
    if current {
        plane
            .draw_series(std::iter::once(Rectangle::new(
                corners,
                colour.mix(0.12).filled(),
            )))
            .map_err(err)?;
        plane
            .draw_series(std::iter::once(Rectangle::new(
                corners,
                colour.stroke_width(line_width(1.5, scale)),
            )))
            .map_err(err)?;
    } else {
        plane
            .draw_series(std::iter::once(Rectangle::new(
                corners,
                colour.mix(0.45).stroke_width(line_width(1.0, scale)),
            )))
            .map_err(err)?;
    }
    Ok(())
}

/// The plane's drawing context.
type Plane<'a, DB> = ChartContext<
    'a,
    DB,
    Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
>;

/// Partner `k`'s marker at `at`, with `label` beside it: the first partner is a blue circle,
/// the second a vermillion square, told apart by shape as well as colour (a colour-blind
/// reader, a grey printout). Hollow for earlier points, filled for the current one.
fn partner_marker<DB: DrawingBackend>(
    plane: &mut Plane<'_, DB>,
    k: usize,
    at: (f64, f64),
    size: f64,
    filled: bool,
    label: (String, f64, RGBColor),
    scale: f64,
) -> Result<(), ChartError>
where
    DB::ErrorType: 'static,
{
    let colour = partner_colour(k);
    let size = px(size, scale);
    let style = if filled {
        colour.filled()
    } else {
        colour.stroke_width(line_width(2.0, scale))
    };
    if k == 0 {
        plane
            .draw_series(std::iter::once(
                EmptyElement::at(at)
                    + Circle::new((0, 0), size, WHITE.filled())
                    + Circle::new((0, 0), size, style),
            ))
            .map_err(err)?;
    } else {
        plane
            .draw_series(std::iter::once(
                EmptyElement::at(at)
                    + Rectangle::new([(-size, -size), (size, size)], WHITE.filled())
                    + Rectangle::new([(-size, -size), (size, size)], style),
            ))
            .map_err(err)?;
    }
    let (text, font_size, text_colour) = label;
    plane
        .draw_series(std::iter::once(
            EmptyElement::at(at)
                + Text::new(
                    text,
                    (size + px(4.0, scale), -size),
                    (FONT, f64::from(px(font_size, scale)))
                        .into_font()
                        .color(&text_colour),
                ),
        ))
        .map_err(err)?;
    Ok(())
}

/// A couple's two courses: each partner's points joined in time order, earlier ones hollow and
/// dated with their 95 % band outlined, the current one filled with its band shaded.
fn draw_partners<DB: DrawingBackend>(
    plane: &mut Plane<'_, DB>,
    chart: &PlaneChart,
    scale: f64,
) -> Result<(), ChartError>
where
    DB::ErrorType: 'static,
{
    for (k, track) in chart.partners.iter().enumerate() {
        let colour = partner_colour(k);
        let points: Vec<(f64, f64)> = track.points.iter().map(|p| (p.x, p.y)).collect();
        plane
            .draw_series(LineSeries::new(
                points,
                colour.stroke_width(line_width(2.0, scale)),
            ))
            .map_err(err)?;
        let Some((current, earlier)) = track.points.split_last() else {
            continue;
        };
        draw_band(plane, current, colour, true, chart.range, scale)?;
        for p in earlier {
            draw_band(plane, p, colour, false, chart.range, scale)?;
            partner_marker(
                plane,
                k,
                (p.x, p.y),
                5.0,
                false,
                (p.label.clone(), 11.0, colour),
                scale,
            )?;
        }
        partner_marker(
            plane,
            k,
            (current.x, current.y),
            8.0,
            true,
            (format!("{} {}", track.name, current.label), 13.0, INK),
            scale,
        )?;
    }
    Ok(())
}

/// A couple's legend, in the caption's row (outside the plane, where no point can be): the
/// first partner's marker and name at the left, the second's at the right.
fn draw_legend<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    chart: &PlaneChart,
    scale: f64,
) -> Result<(), ChartError>
where
    DB::ErrorType: 'static,
{
    let (width, _) = root.dim_in_pixel();
    let width = i32::try_from(width).unwrap_or(i32::MAX);
    let size = px(6.0, scale);
    let y = px(14.0, scale) + size;
    for (k, track) in chart.partners.iter().enumerate().take(2) {
        let colour = partner_colour(k);
        let style = colour.filled();
        let text_style = (FONT, f64::from(px(13.0, scale))).into_font().color(&INK);
        let (text_w, _) = root
            .estimate_text_size(&track.name, &text_style)
            .map_err(err)?;
        let text_w = i32::try_from(text_w).unwrap_or(0);
        // Left: marker then name; right: marker then name, ending at the right margin.
        let x = if k == 0 {
            px(20.0, scale)
        } else {
            width - px(14.0, scale) - text_w - 2 * size - px(6.0, scale)
        };
        if k == 0 {
            root.draw(&Circle::new((x, y), size, style)).map_err(err)?;
        } else {
            root.draw(&Rectangle::new(
                [(x - size, y - size), (x + size, y + size)],
                style,
            ))
            .map_err(err)?;
        }
        root.draw(&Text::new(
            track.name.clone(),
            (x + size + px(6.0, scale), y - size - px(1.0, scale)),
            text_style,
        ))
        .map_err(err)?;
    }
    Ok(())
}

/// Many respondents: dots with transparency up to a few thousand, a density grid beyond.
fn draw_cloud<DB: DrawingBackend>(
    plane: &mut ChartContext<
        '_,
        DB,
        Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
    >,
    chart: &PlaneChart,
    scale: f64,
) -> Result<(), ChartError>
where
    DB::ErrorType: 'static,
{
    const DOTS_UP_TO: usize = 3_000;
    const BINS: usize = 60;
    let cloud = &chart.cloud;
    if cloud.is_empty() {
        return Ok(());
    }
    let (lo, hi) = chart.range;
    if cloud.len() <= DOTS_UP_TO {
        return plane
            .draw_series(
                cloud
                    .iter()
                    .map(|&(x, y)| Circle::new((x, y), px(3.0, scale), BLUE.mix(0.35).filled())),
            )
            .map(|_| ())
            .map_err(err);
    }
    let mut counts = vec![0u32; BINS * BINS];
    let width = (hi - lo) / BINS as f64;
    for &(x, y) in cloud {
        #[expect(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "clamped to 0..BINS"
        )]
        let bin = |v: f64| (((v - lo) / width).floor().clamp(0.0, (BINS - 1) as f64)) as usize;
        counts[bin(y) * BINS + bin(x)] += 1;
    }
    let max = f64::from(counts.iter().copied().max().unwrap_or(1).max(1));
    let cells = counts
        .iter()
        .enumerate()
        .filter(|(_, c)| **c > 0)
        .map(|(i, &c)| {
            let (row, col) = (i / BINS, i % BINS);
            let (x0, y0) = (lo + col as f64 * width, lo + row as f64 * width);
            // Log shading keeps sparse cells visible beside dense ones.
            let alpha = 0.12 + 0.88 * (1.0 + f64::from(c)).ln() / (1.0 + max).ln();
            Rectangle::new(
                [(x0, y0), (x0 + width, y0 + width)],
                RGBAColor(BLUE.0, BLUE.1, BLUE.2, alpha).filled(),
            )
        });
    plane.draw_series(cells).map(|_| ()).map_err(err)
}
