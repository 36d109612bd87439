//! The results view on its own: it draws from its page's state and a `ViewCx` (settings,
//! catalog, a command list), with no app, no store and no key behind it. What it shows is the
//! results model's rows; what it asks for is a command.

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use securebase::app::views::ViewCx;
use securebase::app::views::results::{ChartKind, ImageFormat, ResultsPage, results_ui};
use securebase::app::{Command, Remembered};
use securebase::catalog::Catalog;
use securebase::core::instrument::Instrument;
use securebase::store::Client;
use securebase::store::settings::Settings;

/// What the view is drawn from, and what it asked for.
struct State {
    page: ResultsPage,
    remembered: Remembered,
    settings: Settings,
    catalog: Catalog,
    commands: Vec<Command>,
}

#[test]
fn the_results_view_draws_the_models_rows_from_its_page_alone() {
    let file = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/valid/minimal.json");
    let mini = Instrument::from_json(file, &std::fs::read_to_string(file).unwrap()).unwrap();
    let answers: Vec<(String, i32)> = (1..=4).map(|n| (format!("q{n}"), 4)).collect();
    let assessment = crate::results::assessed(&mini, &answers);
    let client = Client::new("c1".to_owned(), "C-7", None, "", jiff::Timestamp::now()).unwrap();
    let state = State {
        page: ResultsPage::new(client, assessment),
        remembered: Remembered::default(),
        settings: Settings::default(),
        catalog: Catalog::bundled(),
        commands: Vec::new(),
    };
    let mut harness = Harness::builder()
        .with_size(eframe::egui::vec2(1280.0, 900.0))
        .build_ui_state(
            |ui, state: &mut State| {
                let data_dir = std::path::PathBuf::new();
                let mut cx = ViewCx {
                    clinicians: &[],
                    unlocked_as: None,
                    recovery: None,
                    settings: &state.settings,
                    catalog: &state.catalog,
                    data_dir: &data_dir,
                    notice: None,
                    folder_notice: None,
                    commands: &mut state.commands,
                };
                results_ui(ui, &mut state.page, &mut state.remembered, &mut cx);
            },
            state,
        );
    harness.run();
    let rows = harness.state().page.score_rows().to_vec();
    assert_eq!(rows.len(), 3, "alpha, beta, total");
    for row in &rows {
        harness.get_by_label(&row.name);
        assert!(
            harness.get_all_by_label(&row.value).next().is_some(),
            "{}'s value {} on screen",
            row.name,
            row.value
        );
    }
    assert!(
        harness.state().commands.is_empty(),
        "drawing asks for nothing"
    );
    harness.get_by_label("Save plane as PNG").click();
    harness.run();
    let asked: Vec<_> = harness
        .state()
        .commands
        .iter()
        .filter(|c| {
            matches!(
                c,
                Command::ExportChart {
                    chart: ChartKind::Plane,
                    format: ImageFormat::Png
                }
            )
        })
        .collect();
    assert_eq!(asked.len(), 1, "a click is one command");
}
