//! Helpers shared by the test modules.
// Each test module uses its own subset of these.
#![allow(dead_code)]

pub mod bin;
pub mod common;
#[cfg(feature = "gui")]
pub mod common_gui;
pub mod export_common;
pub mod open_format;
pub mod run;
