//! securebase's integration tests, in one binary (one link after a change in `src/`, not
//! twenty). Each module is one area; `cargo test --test it <module>::` runs one alone, e.g.
//! `cargo test --test it golden::`. Shared helpers are in `support/`: running the binary
//! (`run`, `export_common::sb`), data folders and records (`common`, `export_common`), and the
//! app under kittest (`common_gui`). Data files are beside this folder, in `tests/`.
// A panic is how a test fails: unwrap and expect are the clearest way to say "this must hold".
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

mod audit_text;
mod backup;
mod bundled;
mod change;
mod change_cli;
mod chart;
mod cli;
mod cli_hostile;
mod clinicians;
mod couples;
mod earlier_folders;
mod export;
mod fhir;
mod forgery;
mod golden;
mod guessing;
#[cfg(feature = "gui")]
mod gui;
#[cfg(feature = "gui")]
mod gui_accessibility;
#[cfg(feature = "gui")]
mod gui_clinicians;
#[cfg(feature = "gui")]
mod gui_couples;
#[cfg(feature = "gui")]
mod gui_exports;
#[cfg(feature = "gui")]
mod gui_file_dialog;
#[cfg(feature = "gui")]
mod gui_more;
#[cfg(feature = "gui")]
mod gui_norms;
#[cfg(feature = "gui")]
mod gui_paper;
mod independent;
mod kill;
#[cfg(feature = "gui")]
mod kiosk_session;
mod local_norms;
mod malformed;
mod paper_date;
mod properties;
mod questionnaire_hostile;
mod recovery;
mod reliability;
mod report;
mod results;
#[cfg(feature = "gui")]
mod results_view;
mod rotation_kill;
mod score_hostile;
mod set_apart;
mod store;
mod store_cli;
mod store_hostile;
