//! The plane renderer: a fixed case drawn to PNG and SVG and compared with committed references
//! (PNG within a pixel tolerance; the SVG keeps its axis titles and date labels as text).
//! `UPDATE_CHART_REFERENCES=1 cargo test --test chart` rewrites the references after a
//! deliberate change; look at them before committing.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

use securebase::report::chart::{
    ChartPoint, NormRegion, PlaneChart, render_png, render_rgb, render_svg,
};

fn fixed_case() -> PlaneChart {
    let point = |x: f64, y: f64, label: &str, band: Option<f64>| ChartPoint {
        x,
        y,
        x_band: band.map(|b| (x - b, x + b)),
        y_band: band.map(|b| (y - b, y + b)),
        label: label.to_owned(),
    };
    let mut chart = PlaneChart::attachment("ECR-R: C-1042, five administrations");
    chart.trajectory = vec![
        point(4.9, 6.1, "2 Dec 2025", None),
        point(4.8, 5.1, "20 Feb 2026", None),
        point(3.9, 5.0, "11 May 2026", None),
        point(2.9, 4.1, "30 Jul 2026", None),
        point(1.9, 3.1, "18 Oct 2026", Some(0.55)),
    ];
    chart.norm = Some(NormRegion {
        x: (2.9, 1.1),
        y: (3.6, 1.1),
        label: "clinic intake, n = 48".to_owned(),
    });
    chart
}

fn reference(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/charts")
        .join(name)
}

fn update() -> bool {
    std::env::var_os("UPDATE_CHART_REFERENCES").is_some()
}

#[test]
fn png_matches_the_reference() {
    let (w, h) = (720, 720);
    let png = render_png(&fixed_case(), w, h, 1.0).unwrap();
    let path = reference("trajectory.png");
    if update() {
        std::fs::write(&path, &png).unwrap();
    }
    let expected = decode(&std::fs::read(&path).unwrap());
    let got = render_rgb(&fixed_case(), w, h, 1.0).unwrap();
    assert_eq!(expected.len(), got.len(), "size differs");
    // Tolerance: anti-aliasing may differ by a few levels between builds; a changed chart
    // moves many pixels by a lot.
    let differing = expected
        .chunks(3)
        .zip(got.chunks(3))
        .filter(|(a, b)| a.iter().zip(*b).any(|(x, y)| x.abs_diff(*y) > 24))
        .count();
    let share = differing as f64 / f64::from(w * h);
    assert!(
        share < 0.002,
        "{differing} pixels differ ({:.3} %)",
        share * 100.0
    );
}

#[test]
fn svg_matches_the_reference_and_keeps_text_as_text() {
    let svg = render_svg(&fixed_case(), 720, 720).unwrap();
    let path = reference("trajectory.svg");
    if update() {
        std::fs::write(&path, &svg).unwrap();
    }
    for text in [
        "Avoidance",
        "Anxiety",
        "2 Dec 2025",
        "18 Oct 2026",
        "secure",
        "fearful",
        "preoccupied",
        "dismissing",
    ] {
        assert!(
            svg.lines().any(|l| l.trim() == text),
            "the SVG lacks {text:?} as a text line"
        );
    }
    assert_eq!(
        svg,
        std::fs::read_to_string(&path).unwrap(),
        "the SVG differs from the reference"
    );
}

#[test]
fn a_changed_chart_does_not_match() {
    // The comparison can fail: move the current point and many pixels change.
    let mut moved = fixed_case();
    if let Some(last) = moved.trajectory.last_mut() {
        last.x = 6.0;
        last.y = 6.0;
    }
    let a = render_rgb(&fixed_case(), 720, 720, 1.0).unwrap();
    let b = render_rgb(&moved, 720, 720, 1.0).unwrap();
    let differing = a.chunks(3).zip(b.chunks(3)).filter(|(x, y)| x != y).count();
    assert!(differing > 500, "only {differing} pixels changed");
}

#[test]
fn many_points_become_a_density() {
    let mut chart = PlaneChart::attachment("many");
    chart.cloud = (0..100_000)
        .map(|i| {
            let t = f64::from(i) / 100_000.0;
            (1.0 + 6.0 * t, 1.0 + 6.0 * (1.0 - t))
        })
        .collect();
    let svg = render_svg(&chart, 400, 400).unwrap();
    // A density grid has at most 60 x 60 cells, not 100,000 dots.
    assert!(
        svg.matches("<rect").count() < 3_700,
        "{} rects",
        svg.matches("<rect").count()
    );
    assert!(svg.matches("<circle").count() < 10);
}

fn decode(bytes: &[u8]) -> Vec<u8> {
    let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    buf.truncate(info.buffer_size());
    buf
}
