//! Page layout for the PDF report: text measured with the embedded fonts, wrapped into lines,
//! tables, images, and pages that break where the content no longer fits. The result is a list
//! of drawing operations per page ([`Op`]), which [`super::pdf`] turns into PDF; keeping the two
//! apart lets the footer say "page 2 of 3" and lets tests look at the layout without a PDF.
//!
//! Units are PDF points (1/72 inch), origin at the top-left corner, y growing downwards; a
//! text's y is its baseline.

use crate::store::settings::Paper;

/// The regular face, embedded: `DejaVu Sans` (licence in `assets/fonts/`).
pub const REGULAR: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
/// The bold face.
pub const BOLD: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf");

/// A colour, RGB.
pub type Rgb = (u8, u8, u8);

/// Body text.
pub const INK: Rgb = (0x20, 0x20, 0x20);
/// Secondary text (citations, notes, the footer).
pub const MUTED: Rgb = (0x55, 0x55, 0x55);
/// Table header background.
pub const SHADE: Rgb = (0xEE, 0xEE, 0xEE);
/// Rules.
pub const RULE: Rgb = (0xAA, 0xAA, 0xAA);

/// One drawing operation.
#[derive(Debug, Clone, PartialEq)]
pub enum Op {
    /// A line of text; `y` is its baseline.
    Text {
        /// Left edge.
        x: f32,
        /// Baseline.
        y: f32,
        /// Size in points.
        size: f32,
        /// Bold face.
        bold: bool,
        /// Colour.
        colour: Rgb,
        /// The text (one line).
        text: String,
    },
    /// A filled rectangle.
    Rect {
        /// Left.
        x: f32,
        /// Top.
        y: f32,
        /// Width.
        w: f32,
        /// Height.
        h: f32,
        /// Fill colour.
        fill: Rgb,
    },
    /// A straight line.
    Line {
        /// Start.
        from: (f32, f32),
        /// End.
        to: (f32, f32),
        /// Width.
        width: f32,
        /// Colour.
        colour: Rgb,
    },
    /// A PNG image (index into [`Layout::images`]) scaled into a box.
    Image {
        /// Which image.
        index: usize,
        /// Left.
        x: f32,
        /// Top.
        y: f32,
        /// Width.
        w: f32,
        /// Height.
        h: f32,
    },
}

/// Measures text with the embedded faces.
pub struct Measure {
    regular: rustybuzz::Face<'static>,
    bold: rustybuzz::Face<'static>,
}

impl Measure {
    /// The embedded faces; `None` only if they failed to parse (they are compiled in).
    pub fn new() -> Option<Self> {
        Some(Self {
            regular: rustybuzz::Face::from_slice(REGULAR, 0)?,
            bold: rustybuzz::Face::from_slice(BOLD, 0)?,
        })
    }

    /// Width of `text` at `size` points, as the PDF will set it (shaped, kerned).
    pub fn width(&self, text: &str, size: f32, bold: bool) -> f32 {
        let face = if bold { &self.bold } else { &self.regular };
        let mut buffer = rustybuzz::UnicodeBuffer::new();
        buffer.push_str(text);
        buffer.guess_segment_properties();
        let shaped = rustybuzz::shape(face, &[], buffer);
        let units: i64 = shaped
            .glyph_positions()
            .iter()
            .map(|p| i64::from(p.x_advance))
            .sum();
        units as f32 / face.units_per_em() as f32 * size
    }

    /// `text` broken into lines no wider than `max` (at word boundaries; a word longer than
    /// the line stands alone). Line breaks in `text` are kept. Each word is measured once and
    /// a line's width is the sum of its words and spaces (kerning never crosses a space).
    pub fn wrap(&self, text: &str, size: f32, bold: bool, max: f32) -> Vec<String> {
        let space = self.width(" ", size, bold);
        let mut lines = Vec::new();
        for paragraph in text.lines() {
            let mut line = String::new();
            let mut line_width = 0.0;
            for word in paragraph.split_whitespace() {
                let w = self.width(word, size, bold);
                if line.is_empty() {
                    line.push_str(word);
                    line_width = w;
                } else if line_width + space + w <= max {
                    line.push(' ');
                    line.push_str(word);
                    line_width += space + w;
                } else {
                    lines.push(std::mem::replace(&mut line, word.to_owned()));
                    line_width = w;
                }
            }
            lines.push(line);
        }
        if lines.is_empty() {
            lines.push(String::new());
        }
        lines
    }
}

/// Text style of a paragraph.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    /// Size in points.
    pub size: f32,
    /// Bold face.
    pub bold: bool,
    /// Colour.
    pub colour: Rgb,
}

impl Style {
    /// Body text.
    pub const BODY: Style = Style {
        size: 10.0,
        bold: false,
        colour: INK,
    };
    /// Small print.
    pub const SMALL: Style = Style {
        size: 8.5,
        bold: false,
        colour: MUTED,
    };
    /// A section heading.
    pub const HEADING: Style = Style {
        size: 13.0,
        bold: true,
        colour: INK,
    };
    /// A sub-heading.
    pub const SUBHEADING: Style = Style {
        size: 10.5,
        bold: true,
        colour: INK,
    };
    /// The document title.
    pub const TITLE: Style = Style {
        size: 18.0,
        bold: true,
        colour: INK,
    };

    fn line_height(self) -> f32 {
        self.size * 1.35
    }
}

/// A document being laid out.
pub struct Layout {
    /// Paper size.
    pub paper: Paper,
    /// Pages of operations.
    pub pages: Vec<Vec<Op>>,
    /// PNG images, referenced by [`Op::Image`].
    pub images: Vec<Vec<u8>>,
    measure: Measure,
    y: f32,
}

/// Page margin, points (18 mm).
pub const MARGIN: f32 = 51.0;
/// Room kept for the footer at the bottom of each page.
const FOOTER: f32 = 28.0;

impl Layout {
    /// An empty document with one page.
    pub fn new(paper: Paper) -> Option<Self> {
        Some(Self {
            paper,
            pages: vec![Vec::new()],
            images: Vec::new(),
            measure: Measure::new()?,
            y: MARGIN,
        })
    }

    /// Width of the text column.
    pub fn width(&self) -> f32 {
        self.paper.size().0 - 2.0 * MARGIN
    }

    fn bottom(&self) -> f32 {
        self.paper.size().1 - MARGIN - FOOTER
    }

    /// The text measurer.
    pub fn measure(&self) -> &Measure {
        &self.measure
    }

    fn push(&mut self, op: Op) {
        if let Some(page) = self.pages.last_mut() {
            page.push(op);
        }
    }

    /// Starts a new page.
    pub fn page_break(&mut self) {
        self.pages.push(Vec::new());
        self.y = MARGIN;
    }

    /// Makes sure `height` points fit below the cursor, breaking the page if not.
    pub fn need(&mut self, height: f32) {
        if self.y + height > self.bottom() && self.y > MARGIN {
            self.page_break();
        }
    }

    /// Vertical space.
    pub fn space(&mut self, points: f32) {
        self.y += points;
    }

    /// A wrapped paragraph at the left margin.
    pub fn paragraph(&mut self, text: &str, style: Style) {
        self.paragraph_at(text, style, MARGIN, self.width());
    }

    /// A wrapped paragraph in a column at `x`, `width` wide.
    pub fn paragraph_at(&mut self, text: &str, style: Style, x: f32, width: f32) {
        for line in self.measure.wrap(text, style.size, style.bold, width) {
            self.need(style.line_height());
            self.y += style.size;
            self.push(Op::Text {
                x,
                y: self.y,
                size: style.size,
                bold: style.bold,
                colour: style.colour,
                text: line,
            });
            self.y += style.line_height() - style.size;
        }
    }

    /// A heading, kept on the page with at least `keep` points of what follows.
    pub fn heading(&mut self, text: &str, style: Style, keep: f32) {
        self.need(style.line_height() + keep);
        self.space(4.0);
        self.paragraph(text, style);
        self.space(2.0);
    }

    /// A horizontal rule across the text column.
    pub fn rule(&mut self) {
        self.need(6.0);
        self.space(3.0);
        let (x0, x1) = (MARGIN, MARGIN + self.width());
        let y = self.y;
        self.push(Op::Line {
            from: (x0, y),
            to: (x1, y),
            width: 0.6,
            colour: RULE,
        });
        self.space(5.0);
    }

    /// A table: `widths` are shares of the text column; the header row is shaded and repeated
    /// after a page break; cells wrap.
    pub fn table(&mut self, widths: &[f32], header: &[String], rows: &[Vec<String>]) {
        let total: f32 = widths.iter().sum();
        let columns: Vec<f32> = widths.iter().map(|w| w / total * self.width()).collect();
        let pad = 3.0;
        self.table_row(&columns, header, true, pad);
        for row in rows {
            let height = self.row_height(&columns, row, pad);
            if self.y + height > self.bottom() {
                self.page_break();
                self.table_row(&columns, header, true, pad);
            }
            self.table_row(&columns, row, false, pad);
        }
        self.space(4.0);
    }

    fn row_height(&self, columns: &[f32], cells: &[String], pad: f32) -> f32 {
        let style = Style::BODY;
        let lines = cells
            .iter()
            .zip(columns)
            .map(|(c, w)| self.measure.wrap(c, style.size, false, w - 2.0 * pad).len())
            .max()
            .unwrap_or(1);
        lines as f32 * style.line_height() + 2.0 * pad
    }

    fn table_row(&mut self, columns: &[f32], cells: &[String], header: bool, pad: f32) {
        let style = Style {
            bold: header,
            ..Style::BODY
        };
        let height = self.row_height(columns, cells, pad);
        self.need(height);
        let top = self.y;
        if header {
            self.push(Op::Rect {
                x: MARGIN,
                y: top,
                w: self.width(),
                h: height,
                fill: SHADE,
            });
        }
        let mut x = MARGIN;
        for (cell, w) in cells.iter().zip(columns) {
            let mut y = top + pad;
            for line in self
                .measure
                .wrap(cell, style.size, style.bold, w - 2.0 * pad)
            {
                y += style.size;
                self.push(Op::Text {
                    x: x + pad,
                    y,
                    size: style.size,
                    bold: style.bold,
                    colour: style.colour,
                    text: line,
                });
                y += style.line_height() - style.size;
            }
            x += w;
        }
        self.y = top + height;
        let y = self.y;
        self.push(Op::Line {
            from: (MARGIN, y),
            to: (MARGIN + self.width(), y),
            width: 0.4,
            colour: RULE,
        });
    }

    /// Images side by side, each `w` × `h` points, with `gap` between them.
    pub fn images(&mut self, pngs: Vec<Vec<u8>>, w: f32, h: f32, gap: f32) {
        self.need(h);
        let mut x = MARGIN;
        for png in pngs {
            self.images.push(png);
            let index = self.images.len() - 1;
            let y = self.y;
            self.push(Op::Image { index, x, y, w, h });
            x += w + gap;
        }
        self.space(h + 6.0);
    }

    /// Writes `footer(page, pages)` at the bottom of every page, left, and the page number
    /// right.
    pub fn footers(&mut self, footer: &str) {
        let (width, height) = self.paper.size();
        let n = self.pages.len();
        let y = height - MARGIN + 6.0;
        for (i, page) in self.pages.iter_mut().enumerate() {
            let number = format!("Page {} of {n}", i + 1);
            let number_width = self.measure.width(&number, Style::SMALL.size, false);
            page.push(Op::Line {
                from: (MARGIN, y - 12.0),
                to: (width - MARGIN, y - 12.0),
                width: 0.4,
                colour: RULE,
            });
            page.push(Op::Text {
                x: MARGIN,
                y,
                size: Style::SMALL.size,
                bold: false,
                colour: MUTED,
                text: footer.to_owned(),
            });
            page.push(Op::Text {
                x: width - MARGIN - number_width,
                y,
                size: Style::SMALL.size,
                bold: false,
                colour: MUTED,
                text: number,
            });
        }
    }
}
