//! Writes a laid-out document ([`Layout`]) as PDF with krilla: the fonts are embedded (subset,
//! with a Unicode map, so the text can be searched and extracted), images are the PNGs of the
//! same chart renderer the app uses.

use krilla::Document;
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect, Size, Transform};
use krilla::image::Image;
use krilla::metadata::Metadata;
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::surface::Surface;
use krilla::text::{Font, TextDirection};

use super::layout::{BOLD, Layout, Op, REGULAR, Rgb};

/// Why a PDF could not be made.
#[derive(Debug, thiserror::Error)]
#[error("the PDF could not be made: {0}")]
pub struct PdfError(String);

fn fill((r, g, b): Rgb) -> Fill {
    Fill {
        paint: rgb::Color::new(r, g, b).into(),
        opacity: NormalizedF32::ONE,
        rule: krilla::paint::FillRule::default(),
    }
}

/// The document as PDF bytes, with `title` in its metadata.
pub fn render(layout: &Layout, title: &str) -> Result<Vec<u8>, PdfError> {
    let regular = Font::new(REGULAR.to_vec().into(), 0)
        .ok_or_else(|| PdfError("the regular font did not load".into()))?;
    let bold = Font::new(BOLD.to_vec().into(), 0)
        .ok_or_else(|| PdfError("the bold font did not load".into()))?;
    let images = layout
        .images
        .iter()
        .map(|png| Image::from_png(png.clone().into(), true).map_err(PdfError))
        .collect::<Result<Vec<_>, _>>()?;
    let (width, height) = layout.paper.size();
    let mut document = Document::new();
    document.set_metadata(
        Metadata::new()
            .title(title.to_owned())
            .creator(format!("securebase {}", env!("CARGO_PKG_VERSION"))),
    );
    for ops in &layout.pages {
        let settings = PageSettings::from_wh(width, height)
            .ok_or_else(|| PdfError("the paper size is not valid".into()))?;
        let mut page = document.start_page_with(settings);
        let mut surface = page.surface();
        for op in ops {
            draw(&mut surface, op, &regular, &bold, &images)?;
        }
        surface.finish();
        page.finish();
    }
    document.finish().map_err(|e| PdfError(format!("{e:?}")))
}

fn draw(
    surface: &mut Surface<'_>,
    op: &Op,
    regular: &Font,
    bold: &Font,
    images: &[Image],
) -> Result<(), PdfError> {
    match op {
        Op::Text {
            x,
            y,
            size,
            bold: is_bold,
            colour,
            text,
        } => {
            // Text is drawn with the current fill (and stroke, which stays off).
            surface.set_fill(Some(fill(*colour)));
            surface.set_stroke(None);
            let font = if *is_bold { bold } else { regular };
            surface.draw_text(
                Point::from_xy(*x, *y),
                font.clone(),
                *size,
                text,
                false,
                TextDirection::Auto,
            );
        }
        Op::Rect {
            x,
            y,
            w,
            h,
            fill: f,
        } => {
            let rect = Rect::from_xywh(*x, *y, *w, *h)
                .ok_or_else(|| PdfError("a rectangle has no area".into()))?;
            let mut path = PathBuilder::new();
            path.push_rect(rect);
            let path = path
                .finish()
                .ok_or_else(|| PdfError("a rectangle has no path".into()))?;
            surface.set_fill(Some(fill(*f)));
            surface.set_stroke(None);
            surface.draw_path(&path);
        }
        Op::Line {
            from,
            to,
            width,
            colour: (r, g, b),
        } => {
            let mut path = PathBuilder::new();
            path.move_to(from.0, from.1);
            path.line_to(to.0, to.1);
            let path = path
                .finish()
                .ok_or_else(|| PdfError("a line has no path".into()))?;
            // An open path would be filled too if a fill were set.
            surface.set_fill(None);
            surface.set_stroke(Some(Stroke {
                paint: rgb::Color::new(*r, *g, *b).into(),
                width: *width,
                ..Stroke::default()
            }));
            surface.draw_path(&path);
            surface.set_stroke(None);
        }
        Op::Image { index, x, y, w, h } => {
            let image = images
                .get(*index)
                .ok_or_else(|| PdfError("an image is missing".into()))?;
            let size =
                Size::from_wh(*w, *h).ok_or_else(|| PdfError("an image has no size".into()))?;
            surface.push_transform(&Transform::from_translate(*x, *y));
            surface.draw_image(image.clone(), size);
            surface.pop();
        }
    }
    Ok(())
}
