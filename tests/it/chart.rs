//! The plane renderer: a fixed case drawn to PNG and SVG and compared with committed references
//! (PNG within a pixel tolerance; the SVG keeps its axis titles and date labels as text).
//! `UPDATE_CHART_REFERENCES=1 cargo test --test it chart::` rewrites the references after a
//! deliberate change; look at them before committing.

use std::path::PathBuf;

use securebase::chart::Drawable;
use securebase::chart::plane::{NormRegion, PlaneChart};
use securebase::core::chart_data::PlanePoint;

/// The ECR-R's empty plane: 1-7, midpoint 4.
fn ecr_r_plane(title: &str) -> PlaneChart {
    let ecr_r = securebase::core::bundled::bundled()
        .into_iter()
        .map(Result::unwrap)
        .find(|i| i.id == "ecr-r")
        .unwrap();
    let chart = PlaneChart::for_instrument(&ecr_r, title).unwrap();
    assert_eq!((chart.range, chart.midpoint), ((1.0, 7.0), 4.0));
    chart
}

fn fixed_case() -> PlaneChart {
    let point = |x: f64, y: f64, label: &str, band: Option<f64>| PlanePoint {
        x,
        y,
        x_band: band.map(|b| (x - b, x + b)),
        y_band: band.map(|b| (y - b, y + b)),
        label: label.to_owned(),
    };
    let mut chart = ecr_r_plane("ECR-R: C-1042, five administrations");
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
        .join("tests/data/charts")
        .join(name)
}

fn update() -> bool {
    std::env::var_os("UPDATE_CHART_REFERENCES").is_some()
}

#[test]
fn png_matches_the_reference() {
    let (w, h) = (720, 720);
    let png = fixed_case().render_png(w, h, 1.0).unwrap();
    let path = reference("trajectory.png");
    if update() {
        std::fs::write(&path, &png).unwrap();
    }
    let expected = decode(&std::fs::read(&path).unwrap());
    let got = fixed_case().render_rgb(w, h, 1.0).unwrap();
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
    let svg = fixed_case().render_svg(720, 720).unwrap();
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
    let a = fixed_case().render_rgb(720, 720, 1.0).unwrap();
    let b = moved.render_rgb(720, 720, 1.0).unwrap();
    let differing = a.chunks(3).zip(b.chunks(3)).filter(|(x, y)| x != y).count();
    assert!(differing > 500, "only {differing} pixels changed");
}

#[test]
fn many_points_become_a_density() {
    let mut chart = ecr_r_plane("many");
    chart.cloud = (0..100_000)
        .map(|i| {
            let t = f64::from(i) / 100_000.0;
            (1.0 + 6.0 * t, 1.0 + 6.0 * (1.0 - t))
        })
        .collect();
    let svg = chart.render_svg(400, 400).unwrap();
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

// The chart over time: the same renderer, the same kind of reference test.

fn fixed_lines() -> securebase::chart::over_time::LineChart {
    use securebase::chart::over_time::{LineChart, Series};
    LineChart {
        title: "ECR-R over time: C-1042".to_owned(),
        y_title: "Score".to_owned(),
        range: (1.0, 7.0),
        dates: [
            "2 Dec 2025",
            "20 Feb 2026",
            "11 May 2026",
            "30 Jul 2026",
            "18 Oct 2026",
        ]
        .map(str::to_owned)
        .to_vec(),
        series: vec![
            Series {
                name: "Attachment anxiety".to_owned(),
                values: vec![Some(6.1), Some(5.1), None, Some(4.1), Some(3.1)],
                bands: vec![None, None, None, None, Some((2.5, 3.7))],
            },
            Series {
                name: "Attachment avoidance".to_owned(),
                values: vec![Some(4.9), Some(4.8), Some(3.9), Some(2.9), Some(1.9)],
                bands: vec![None; 5],
            },
        ],
    }
}

#[test]
fn line_chart_png_and_svg_match_their_references() {
    let (w, h) = (960, 540);
    let png = fixed_lines().render_png(w, h, 1.0).unwrap();
    let svg = fixed_lines().render_svg(w, h).unwrap();
    let (png_path, svg_path) = (reference("over-time.png"), reference("over-time.svg"));
    if update() {
        std::fs::write(&png_path, &png).unwrap();
        std::fs::write(&svg_path, &svg).unwrap();
    }
    let expected = decode(&std::fs::read(&png_path).unwrap());
    let got = fixed_lines().render_rgb(w, h, 1.0).unwrap();
    assert_eq!(expected.len(), got.len(), "size differs");
    let differing = expected
        .chunks(3)
        .zip(got.chunks(3))
        .filter(|(a, b)| a.iter().zip(*b).any(|(x, y)| x.abs_diff(*y) > 24))
        .count();
    assert!(
        (differing as f64) < 0.002 * f64::from(w * h),
        "{differing} pixels differ"
    );
    for text in [
        "Attachment anxiety",
        "Attachment avoidance",
        "2 Dec 2025",
        "18 Oct 2026",
        "Score",
        "Administration",
    ] {
        assert!(
            svg.lines().any(|l| l.trim() == text),
            "the SVG lacks {text:?} as a text line"
        );
    }
    assert_eq!(svg, std::fs::read_to_string(&svg_path).unwrap());
}

#[test]
fn a_missing_value_leaves_a_gap_in_its_marks_not_a_zero() {
    // Anxiety has no value at the third administration: one marker fewer than avoidance, and
    // nothing is drawn at the bottom of the axis for it.
    let svg = fixed_lines().render_svg(960, 540).unwrap();
    let circles = svg.matches("<circle").count();
    assert_eq!(circles, 4, "anxiety: 4 circles for 4 values");
    let mut all = fixed_lines();
    all.series[0].values[2] = Some(5.0);
    let svg = all.render_svg(960, 540).unwrap();
    assert_eq!(svg.matches("<circle").count(), 5);
}

/// A clinic's 1-5 questionnaire is drawn on its own plane, never the ECR's 1-7: through the
/// results (what the app's page and the PDF report draw) and through `securebase plot`, which
/// all build it with `PlaneChart::for_instrument`. `tests/data/valid/minimal.json`: answers 1-5,
/// plane x "beta" (0 to 5, through its recode table) and y "alpha" (1 to 5), midpoint 3.
#[test]
fn a_one_to_five_instrument_is_drawn_on_its_own_plane_everywhere() {
    use securebase::core::Answer;
    use securebase::core::instrument::Instrument;
    use securebase::store::{Administration, Client, Source, Status};

    let folder = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/valid");
    let file = folder.join("minimal.json");
    let text = std::fs::read_to_string(&file).unwrap();
    let mini = Instrument::from_json(file.to_str().unwrap(), &text).unwrap();
    let when = jiff::Timestamp::now();
    let client = Client::new("c1".to_owned(), "C-5", None, "", when).unwrap();
    let mut administration =
        Administration::new("a1".to_owned(), "c1", &mini, Source::PaperEntry, when);
    for slot in 0..4 {
        administration
            .set_answer(&mini, slot, Answer::Value(4), when, None)
            .unwrap();
    }
    administration.status = Status::Completed;
    let responses = administration.responses(&mini).unwrap();
    let report = securebase::core::score(&mini, &responses);
    let results = securebase::results::assess(
        &mini,
        &client,
        &administration,
        report,
        Vec::new(),
        &securebase::store::settings::Settings::default(),
        None,
    );
    let chart = results.chart.expect("a plane");
    assert_eq!(chart.range, (0.0, 5.0));
    assert!(
        (chart.midpoint - 3.0).abs() < 1e-12,
        "midpoint {}",
        chart.midpoint
    );

    let tmp = tempfile::tempdir().unwrap();
    let scores = tmp.path().join("scores.csv");
    std::fs::write(&scores, "beta,alpha\n1,2\n4.5,4\n").unwrap();
    let svg = tmp.path().join("plane.svg");
    let out = crate::support::bin::command(&[])
        .arg("--questionnaires")
        .arg(&folder)
        .args(["plot", "--instrument", "mini", "--input"])
        .arg(&scores)
        .arg("--output")
        .arg(&svg)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&svg).unwrap();
    let labels: Vec<&str> = text
        .split("<text")
        .skip(1)
        .filter_map(|t| Some(t.split_once('>')?.1.split_once("</text>")?.0.trim()))
        .collect();
    let ticks = |n: &str| labels.contains(&n);
    assert!(ticks("0") && ticks("5"), "ticks 0 to 5: {labels:?}");
    assert!(!ticks("6") && !ticks("7"), "no tick of a 1-7 plane");
}
