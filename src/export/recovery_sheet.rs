//! The recovery sheet: one printed page with the data folder's recovery code, made once at set-up
//! (and again only when the clinic makes a new one), so that the clinic can set a new passphrase
//! for a clinician who forgot theirs. It says what the code is and how sensitive, shows the code
//! large in its six checked groups, names the data folder, when and by whom it was made, where
//! to keep it and how to use it, and leaves lines to write where it is stored and who checked
//! it. Laid out with [`Layout`] and written by [`pdf::render`](super::pdf::render) as the report
//! is: fonts embedded, so `pdftotext` reads it back.
//!
//! The code is read with [`RecoveryCode::parse`] before it is printed, so the sheet never shows
//! a code that could not be typed back (it is the only copy).

use std::path::Path;

use jiff::Timestamp;

use super::layout::{INK, Layout, MARGIN, Op, RULE, SHADE, Style};
use super::pdf::{PdfError, render};
use crate::store::recovery_code::{CodeError, RecoveryCode};
use crate::store::settings::Paper;

/// The document's title, in its metadata and at the top of the page.
pub const TITLE: &str = "securebase recovery sheet";

/// What a recovery sheet is made from.
pub struct SheetRequest<'a> {
    /// The recovery code, grouped (its [`Display`](std::fmt::Display) text).
    pub code: &'a str,
    /// The data folder it opens, so that a sheet is matched with its folder.
    pub data_folder: &'a Path,
    /// When the code was made (printed in UTC, so that two sheets can be told apart).
    pub created: Timestamp,
    /// The clinician who made it.
    pub made_by: &'a str,
    /// Paper size.
    pub paper: Paper,
}

/// Why a recovery sheet could not be made.
#[derive(Debug, thiserror::Error)]
pub enum RecoverySheetError {
    /// The code given is not a valid recovery code (the sheet would be useless).
    #[error("the recovery sheet was not made: {0}")]
    Code(#[from] CodeError),
    /// The embedded fonts did not load.
    #[error("the recovery sheet could not be laid out: the embedded fonts did not load")]
    Fonts,
    /// The PDF writer failed.
    #[error(transparent)]
    Pdf(#[from] PdfError),
}

/// The footer of the page.
fn footer() -> String {
    format!(
        "securebase {} \u{b7} recovery sheet \u{b7} as sensitive as the records: keep it locked away",
        env!("CARGO_PKG_VERSION")
    )
}

/// The sheet as PDF bytes (one page).
pub fn recovery_sheet_pdf(request: &SheetRequest<'_>) -> Result<Vec<u8>, RecoverySheetError> {
    let layout = recovery_sheet_layout(request)?;
    Ok(render(&layout, TITLE)?)
}

/// The code's size on the sheet, points: large enough to read each character at arm's length.
const CODE_SIZE: f32 = 26.0;
/// Groups on one line of the code.
const PER_ROW: usize = 3;

/// The sheet laid out (what [`recovery_sheet_pdf`] writes), for tests to look at.
pub fn recovery_sheet_layout(request: &SheetRequest<'_>) -> Result<Layout, RecoverySheetError> {
    let code = RecoveryCode::parse(request.code)?.to_string();
    let mut doc = Layout::new(request.paper).ok_or(RecoverySheetError::Fonts)?;

    doc.paragraph(TITLE, Style::TITLE);
    doc.space(4.0);
    doc.paragraph(
        "With the code on this sheet the clinic can set a new passphrase for a clinician of \
         this data folder who has forgotten theirs. Anyone who holds this sheet and the data \
         folder can read every record in it, so the sheet is as sensitive as the records \
         themselves.",
        Style::BODY,
    );
    doc.space(4.0);
    facts(&mut doc, request);
    doc.rule();

    doc.heading("The recovery code", Style::HEADING, 120.0);
    code_block(&mut doc, &code);
    doc.paragraph(
        "Type it in groups; each group's last character is a check, so a typing error is \
         caught before anything is tried. Capitals or small letters, with or without the \
         hyphens: both work. The letters I, L, O and U are never used: what looks like O is \
         the digit zero.",
        Style::BODY,
    );

    doc.space(6.0);
    doc.heading("Where to keep it", Style::HEADING, 30.0);
    doc.paragraph(
        "In a locked cabinet or the clinic's safe, away from the computer. Do not photograph \
         it, email it or save it on the PC: a copy is a second key to every record.",
        Style::BODY,
    );
    doc.space(3.0);
    doc.paragraph(
        "Making a new recovery sheet replaces this one: this code then stops working. Shred \
         this sheet when a new one is made.",
        Style::BODY,
    );

    doc.space(6.0);
    doc.heading("How to use it", Style::HEADING, 30.0);
    doc.paragraph(
        "On the unlock screen choose \u{201c}Forgot your passphrase?\u{201d}, or on the command \
         line run:",
        Style::BODY,
    );
    doc.paragraph(
        "securebase recovery use --clinician NAME",
        Style::SUBHEADING,
    );
    doc.paragraph(
        "Either asks for this code and for the clinician's new passphrase. The records stay \
         as they are; only that clinician's passphrase changes.",
        Style::BODY,
    );

    // Room to write by hand.
    doc.space(24.0);
    write_on(&mut doc, "Stored at:");
    doc.space(22.0);
    write_on(&mut doc, "Checked by:");
    doc.footers(&footer());
    Ok(doc)
}

/// The data folder, and when and by whom the code was made.
fn facts(doc: &mut Layout, request: &SheetRequest<'_>) {
    let width = doc.width();
    let label = "Data folder: ";
    let style = Style::BODY;
    let indent = doc.measure().width(label, style.size, style.bold);
    let lines = break_path(
        doc,
        &request.data_folder.display().to_string(),
        style,
        width - indent,
    );
    for (i, line) in lines.iter().enumerate() {
        if i == 0 {
            doc.paragraph(&format!("{label}{line}"), style);
        } else {
            // Under the path's first line, not under the label.
            doc.paragraph_at(line, style, MARGIN + indent, width - indent);
        }
    }
    doc.paragraph(
        &format!(
            "Made on {} by {}.",
            request.created.strftime("%Y-%m-%d at %H:%M UTC"),
            request.made_by.trim()
        ),
        style,
    );
}

/// `path` in lines no wider than `max`: a path has no spaces to wrap at, so it is broken after
/// a separator (`/` or `\`), or anywhere if one part alone is too wide.
fn break_path(doc: &Layout, path: &str, style: Style, max: f32) -> Vec<String> {
    let fits = |s: &str| doc.measure().width(s, style.size, style.bold) <= max;
    let mut lines = Vec::new();
    let mut line = String::new();
    // Pieces: each ends with its separator.
    let mut pieces = Vec::new();
    let mut piece = String::new();
    for c in path.chars() {
        piece.push(c);
        if c == '/' || c == '\\' {
            pieces.push(std::mem::take(&mut piece));
        }
    }
    if !piece.is_empty() {
        pieces.push(piece);
    }
    for piece in pieces {
        if fits(&format!("{line}{piece}")) {
            line.push_str(&piece);
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        for c in piece.chars() {
            if !line.is_empty() && !fits(&format!("{line}{c}")) {
                lines.push(std::mem::take(&mut line));
            }
            line.push(c);
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// The baseline of the last line of text laid out (the layout's cursor is its own).
fn last_baseline(doc: &Layout) -> Option<f32> {
    doc.pages.last()?.iter().rev().find_map(|op| match op {
        Op::Text { y, .. } => Some(*y),
        _ => None,
    })
}

/// The code in rows of three groups, each centred in its third of the column with its number
/// above it, on a light shaded panel.
fn code_block(doc: &mut Layout, code: &str) {
    let groups: Vec<&str> = code.split('-').collect();
    let rows = groups.len().div_ceil(PER_ROW);
    let label = Style::SMALL;
    let big = Style {
        size: CODE_SIZE,
        bold: true,
        colour: INK,
    };
    // Room for the panel: per row a label line and a code line, and padding.
    doc.need(rows as f32 * (label.size * 1.35 + CODE_SIZE * 1.35 + 8.0) + 20.0);
    doc.space(4.0);
    let column = doc.width() / PER_ROW as f32;
    let panel_at = doc.pages.last().map_or(0, Vec::len);
    let top = last_baseline(doc).unwrap_or(MARGIN);
    doc.space(10.0);
    for (r, row) in groups.chunks(PER_ROW).enumerate() {
        if r > 0 {
            doc.space(8.0);
        }
        // The labels' line, then the groups' line, each through the layout (which moves the
        // cursor) for the first and beside it for the others.
        for (style, texts) in [
            (
                label,
                row.iter()
                    .enumerate()
                    .map(|(i, _)| format!("group {}", r * PER_ROW + i + 1))
                    .collect::<Vec<_>>(),
            ),
            (big, row.iter().map(|g| (*g).to_owned()).collect()),
        ] {
            let centred = |i: usize, text: &str, doc: &Layout| {
                let w = doc.measure().width(text, style.size, style.bold);
                MARGIN + column * i as f32 + (column - w) / 2.0
            };
            let Some(first) = texts.first() else {
                continue;
            };
            let x = centred(0, first, doc);
            doc.paragraph_at(first, style, x, column);
            let Some(y) = last_baseline(doc) else {
                continue;
            };
            for (i, text) in texts.iter().enumerate().skip(1) {
                let x = centred(i, text, doc);
                if let Some(page) = doc.pages.last_mut() {
                    page.push(Op::Text {
                        x,
                        y,
                        size: style.size,
                        bold: style.bold,
                        colour: style.colour,
                        text: text.clone(),
                    });
                }
            }
        }
    }
    doc.space(8.0);
    let bottom = last_baseline(doc).map_or(top, |y| y + CODE_SIZE * 0.35 + 8.0);
    // The panel goes under the text, so before it in the page's operations.
    let panel_top = top + 8.0;
    let panel_width = doc.width();
    if let Some(page) = doc.pages.last_mut()
        && panel_at <= page.len()
        && bottom > panel_top
    {
        page.insert(
            panel_at,
            Op::Rect {
                x: MARGIN,
                y: panel_top,
                w: panel_width,
                h: bottom - panel_top,
                fill: SHADE,
            },
        );
    }
    doc.space(8.0);
}

/// A label with a line after it to the right margin, to write on with a pen.
fn write_on(doc: &mut Layout, label: &str) {
    let style = Style::BODY;
    doc.paragraph(label, style);
    let Some(y) = last_baseline(doc) else {
        return;
    };
    let x0 = MARGIN + doc.measure().width(label, style.size, style.bold) + 8.0;
    let x1 = MARGIN + doc.width();
    if let Some(page) = doc.pages.last_mut() {
        page.push(Op::Line {
            from: (x0, y + 2.0),
            to: (x1, y + 2.0),
            width: 0.6,
            colour: RULE,
        });
    }
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "in tests a panic is a failure"
)]
mod tests {
    use super::*;

    const CODE: &str = "K7QXD-3HWNK-R2M80-ZP4FJ-9TBEV-V6SJV";

    fn request(folder: &Path, paper: Paper) -> SheetRequest<'_> {
        SheetRequest {
            code: CODE,
            data_folder: folder,
            created: "2026-11-27T14:05:09Z".parse().unwrap(),
            made_by: "Dr Ana Souza",
            paper,
        }
    }

    /// Every text of the page, and whether each lies inside the text column and above the
    /// footer's rule.
    fn inside(layout: &Layout) -> Vec<(String, bool)> {
        let (width, height) = layout.paper.size();
        layout.pages[0]
            .iter()
            .filter_map(|op| match op {
                Op::Text {
                    x,
                    y,
                    size,
                    bold,
                    text,
                    ..
                } => {
                    let w = layout.measure().width(text, *size, *bold);
                    let ok = *x >= MARGIN - 0.01
                        && x + w <= width - MARGIN + 0.01
                        && *y <= height - MARGIN + 6.0 + 0.01;
                    Some((text.clone(), ok))
                }
                _ => None,
            })
            .collect()
    }

    #[test]
    fn fits_one_page_on_both_papers_even_with_a_long_folder() {
        let long = Path::new(
            "/home/clinic-reception-computer/Documents/Practice management/securebase/\
             a-very-long-folder-name-without-any-separator-in-it-at-all-for-the-clinic-data/data",
        );
        for paper in [Paper::A4, Paper::Letter] {
            for folder in [Path::new("/srv/clinic/securebase"), long] {
                let layout = recovery_sheet_layout(&request(folder, paper)).unwrap();
                assert_eq!(layout.pages.len(), 1, "{paper:?} {}", folder.display());
                let outside: Vec<_> = inside(&layout).into_iter().filter(|(_, ok)| !ok).collect();
                assert!(outside.is_empty(), "{outside:?}");
                // The six groups, each a line of its own (not wrapped, not split).
                let texts: Vec<String> = inside(&layout).into_iter().map(|(t, _)| t).collect();
                for group in CODE.split('-') {
                    assert!(texts.iter().any(|t| t == group), "{group}");
                }
            }
        }
    }

    #[test]
    fn refuses_a_code_that_could_not_be_typed_back() {
        let folder = Path::new("/srv/clinic/securebase");
        let mut r = request(folder, Paper::A4);
        r.code = "K7QXE-3HWNK-R2M80-ZP4FJ-9TBEV-V6SJV";
        assert!(matches!(
            recovery_sheet_pdf(&r),
            Err(RecoverySheetError::Code(CodeError::Mistyped { .. }))
        ));
        // Typed loosely, it is printed as the canonical text.
        r.code = "k7qxd 3hwnk r2m8o zp4fj 9tbev v6sjv";
        let layout = recovery_sheet_layout(&r).unwrap();
        assert!(
            inside(&layout).iter().any(|(t, _)| t == "R2M80"),
            "the letter o is printed as the digit zero"
        );
    }

    #[test]
    fn the_pdf_reads_back() {
        let folder = Path::new("/srv/clinic/securebase-data");
        let pdf = recovery_sheet_pdf(&request(folder, Paper::A4)).unwrap();
        assert!(pdf.starts_with(b"%PDF"));
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("recovery-sheet.pdf");
        std::fs::write(&path, &pdf).unwrap();
        let Ok(out) = std::process::Command::new("pdftotext")
            .arg("-layout")
            .arg(&path)
            .arg("-")
            .output()
        else {
            eprintln!("skipped the text half: pdftotext (poppler-utils) is not installed");
            return;
        };
        assert!(out.status.success());
        let text = String::from_utf8(out.stdout).unwrap();
        for group in CODE.split('-') {
            assert!(text.contains(group), "{group} in {text}");
        }
        for expected in [
            TITLE,
            "/srv/clinic/securebase-data",
            "2026-11-27 at 14:05 UTC",
            "Dr Ana Souza",
            "Forgot your passphrase?",
            "securebase recovery use --clinician NAME",
            "this code then stops working",
            "Stored at:",
            "Checked by:",
            "Page 1 of 1",
        ] {
            assert!(text.contains(expected), "{expected} in {text}");
        }
    }
}
