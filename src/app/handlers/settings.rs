//! The clinic's settings and its own questionnaires (an imported file is checked first).

use crate::app::SecurebaseApp;

impl SecurebaseApp {
    pub(in crate::app) fn save_settings(&mut self) {
        self.notice = Some(match self.settings.save(&self.data_dir) {
            Ok(()) => "Settings saved.".to_owned(),
            Err(e) => format!("The settings could not be saved: {e}"),
        });
    }

    /// Asks for a questionnaire file (through `file_choice`, which then imports it with
    /// [`Self::import_file`]).
    pub(in crate::app) fn import_instrument(&mut self) {
        let request = crate::app::views::typed_path::FileRequest::open(
            "Import a questionnaire file",
            "Questionnaire",
            "json",
        );
        self.choose_file(
            request,
            crate::app::views::typed_path::FileAction::ImportInstrument,
        );
    }

    /// Validates `path` and copies it into the data folder's `questionnaires/`: read once, as a
    /// regular file within the size limit (a FIFO or a device is refused by name, at once), and
    /// refused when its id or its short name is already loaded (as the data folder's own
    /// files are when loaded). The bytes copied are the bytes checked.
    pub fn import_file(&mut self, path: &std::path::Path) -> Result<String, String> {
        let (instrument, bytes) = crate::catalog::read_file(path).map_err(|e| e.to_string())?;
        let instrument = self
            .catalog
            .admit(path, instrument)
            .map_err(|e| e.to_string())?;
        let folder = self.data_dir.join(crate::store::QUESTIONNAIRES);
        std::fs::create_dir_all(&folder).map_err(|e| e.to_string())?;
        crate::atomic::write_atomic(&folder.join(format!("{}.json", instrument.id)), &bytes)
            .map_err(|e| format!("cannot copy the file: {e}"))?;
        let id = instrument.id.clone();
        self.catalog.instruments.push(instrument);
        Ok(id)
    }
}
