//! What the app does for a [`Command`](super::Command): each file is one area, an
//! `impl SecurebaseApp` whose methods `Command`'s `apply` calls. Handlers are where the store
//! is read and written, files are picked and written, and the audit log is kept; views only
//! ask.

mod access;
mod backup;
mod clinicians;
mod couples;
mod exports;
pub(in crate::app) mod file_choice;
mod kiosk;
mod local_norms;
mod paper;
mod records;
mod results;
mod settings;
