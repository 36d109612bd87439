//! Charts: the anxiety-avoidance plane (`plane`) and the scores over time (`over_time`), and
//! what they share here: the [`Drawable`] trait whose provided methods render any chart as
//! pixels, PNG or SVG, the embedded font, the palette, and [`ChartError`].
//!
//! Pure rendering: values in, bytes out; writing files is the caller's (through `atomic`).
//! Not the PDF report, which is `export::report`, nor the chart data, which is
//! `core::chart_data`.

pub mod over_time;
pub mod plane;

use std::sync::Once;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::{FontStyle, register_font};

/// Okabe-Ito blue: earlier points and arrows.
pub(crate) const BLUE: RGBColor = RGBColor(0x00, 0x72, 0xB2);
/// Okabe-Ito vermillion: the current point.
pub(crate) const VERMILLION: RGBColor = RGBColor(0xD5, 0x5E, 0x00);
/// Okabe-Ito bluish green: the norm region.
pub(crate) const GREEN: RGBColor = RGBColor(0x00, 0x9E, 0x73);
/// Quiet grey for midlines and region labels.
pub(crate) const GREY: RGBColor = RGBColor(0x80, 0x80, 0x80);
/// Near-black for text.
pub(crate) const INK: RGBColor = RGBColor(0x20, 0x20, 0x20);

/// The font family name the embedded font is registered under.
pub(crate) const FONT: &str = "securebase-sans";

/// Which chart of an administration's results (the app saves either).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChartKind {
    /// The anxiety-avoidance plane.
    Plane,
    /// The scores over time.
    Lines,
}

impl ChartKind {
    /// Name in file names and the audit log.
    pub fn name(self) -> &'static str {
        match self {
            ChartKind::Plane => "plane",
            ChartKind::Lines => "over-time",
        }
    }
}

/// An image file format for charts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageFormat {
    /// Pixels, at print density.
    Png,
    /// Vector, text kept as text.
    Svg,
}

impl ImageFormat {
    /// File name extension.
    pub fn extension(self) -> &'static str {
        match self {
            ImageFormat::Png => "png",
            ImageFormat::Svg => "svg",
        }
    }

    /// Name in the save dialog.
    pub fn label(self) -> &'static str {
        match self {
            ImageFormat::Png => "PNG image",
            ImageFormat::Svg => "SVG image",
        }
    }
}

/// Drawing failed (the backend reported an error).
#[derive(Debug, thiserror::Error)]
#[error("the chart could not be drawn: {0}")]
pub struct ChartError(String);

impl ChartError {
    /// An error with this message.
    pub fn new(message: &str) -> Self {
        Self(message.to_owned())
    }
}

pub(crate) fn err<E: std::fmt::Display>(e: E) -> ChartError {
    ChartError(e.to_string())
}

/// Registers the embedded font under [`FONT`], once per process.
fn register() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // The bytes are compiled in and valid; a failure would only mean text is not drawn.
        let _ = register_font(
            FONT,
            FontStyle::Normal,
            include_bytes!("../../assets/fonts/DejaVuSans.ttf"),
        );
    });
}

/// A chart that draws itself on any plotters backend. A chart implements [`Drawable::draw_on`];
/// the three outputs every chart has (pixels for the app's texture, PNG, SVG) are provided, so
/// that a new chart gets them all and draws the same in each.
pub trait Drawable {
    /// Draws on `root` at `scale` pixels per point.
    ///
    /// # Errors
    /// The backend's error, as a [`ChartError`].
    fn draw_on<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        scale: f64,
    ) -> Result<(), ChartError>
    where
        DB::ErrorType: 'static;

    /// The chart as RGB pixels (`width` × `height` × 3), at `scale` pixels per point.
    ///
    /// # Errors
    /// When drawing fails.
    fn render_rgb(&self, width: u32, height: u32, scale: f64) -> Result<Vec<u8>, ChartError> {
        register();
        let mut buffer = vec![255u8; width as usize * height as usize * 3];
        {
            let root = BitMapBackend::with_buffer(&mut buffer, (width, height)).into_drawing_area();
            self.draw_on(&root, scale)?;
            root.present().map_err(err)?;
        }
        Ok(buffer)
    }

    /// The chart as a PNG file's bytes.
    ///
    /// # Errors
    /// When drawing or encoding fails.
    fn render_png(&self, width: u32, height: u32, scale: f64) -> Result<Vec<u8>, ChartError> {
        encode_png(&self.render_rgb(width, height, scale)?, width, height)
    }

    /// The chart as an SVG document (text stays text).
    ///
    /// # Errors
    /// When drawing fails.
    fn render_svg(&self, width: u32, height: u32) -> Result<String, ChartError> {
        register();
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
            self.draw_on(&root, 1.0)?;
            root.present().map_err(err)?;
        }
        Ok(svg)
    }
}

/// RGB pixels as a PNG file's bytes.
fn encode_png(rgb: &[u8], width: u32, height: u32) -> Result<Vec<u8>, ChartError> {
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, width, height);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().map_err(err)?;
        writer.write_image_data(rgb).map_err(err)?;
    }
    Ok(out)
}

/// `points` at `scale`, in whole pixels.
#[expect(clippy::cast_possible_truncation, reason = "pixel sizes are small")]
pub(crate) fn px(points: f64, scale: f64) -> i32 {
    (points * scale).round() as i32
}

/// A line width in pixels, at least one.
pub(crate) fn line_width(points: f64, scale: f64) -> u32 {
    u32::try_from(px(points, scale).max(1)).unwrap_or(1)
}
