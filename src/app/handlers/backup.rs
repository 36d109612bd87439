//! "Back up now" in Settings: the data folder into one file, through a save dialog (or a typed
//! path where there is none: `file_choice`), with an audit entry (the same code as
//! `securebase backup`).

use std::fmt::Write as _;

use jiff::Timestamp;

use crate::app::SecurebaseApp;
use crate::app::views::typed_path::{FileAction, FileRequest};
use crate::store::backup;
use crate::store::{AuditAction, AuditTarget};

impl SecurebaseApp {
    /// Asks where to save the backup, then takes it.
    pub(in crate::app) fn back_up(&mut self) {
        let today = Timestamp::now()
            .to_zoned_datetime(jiff::tz::TimeZone::system())
            .strftime("%Y-%m-%d")
            .to_string();
        let request = FileRequest::save(
            "Save the backup",
            "securebase backup",
            "tar",
            format!("securebase-backup-{today}.tar"),
        );
        self.choose_file(request, FileAction::BackUp);
    }

    /// Takes the backup into `path`, chosen in the dialog or typed, and says how it went.
    pub(in crate::app) fn back_up_chosen(&mut self, path: &std::path::Path) {
        self.notice = Some(self.back_up_to(path));
    }

    /// Takes a backup into `path`; returns what to tell the clinician.
    pub fn back_up_to(&mut self, path: &std::path::Path) -> String {
        let Some(store) = &self.store else {
            return "There is no data folder to back up yet.".to_owned();
        };
        let summary = match backup::create(store.dir(), path) {
            Ok(summary) => summary,
            Err(e) => return format!("The backup was not made: {e}"),
        };
        let mut message = format!(
            "Backed up {} files ({} KB) to {}. Keep it on another disk or a server.",
            summary.manifest.entries.len(),
            summary.bytes().div_ceil(1024),
            path.display()
        );
        if !summary.skipped.is_empty() {
            let skipped: Vec<String> = summary
                .skipped
                .iter()
                .map(|p| p.display().to_string())
                .collect();
            let _ = write!(
                message,
                " Not backed up, as they are not securebase files: {}.",
                skipped.join(", ")
            );
        }
        let detail = format!("backup ({} files)", summary.manifest.entries.len());
        if let Err(e) = store.audit(AuditAction::Export, AuditTarget::DataFolder, &detail) {
            message = format!("{message} The audit log could not record it: {e}");
        }
        message
    }
}
