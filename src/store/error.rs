//! What can go wrong with the data folder, said so that a clinician knows what to do.

use std::io;
use std::path::PathBuf;

use thiserror::Error;

/// An error of the store.
#[derive(Debug, Error)]
pub enum StoreError {
    /// No data folder has been set up here yet.
    #[error("no securebase data folder at {0}; run `securebase init` to set one up")]
    NotInitialised(PathBuf),
    /// `init` on a folder that already holds a store.
    #[error("{0} already holds a securebase data folder; nothing was changed")]
    AlreadyInitialised(PathBuf),
    /// The passphrase does not unlock the identity.
    #[error("the passphrase is wrong; nothing was changed")]
    WrongPassphrase,
    /// Another process holds the data folder.
    #[error(
        "the data folder {dir} is in use by another securebase{}; close it first",
        pid.map(|p| format!(" (process {p})")).unwrap_or_default()
    )]
    Locked {
        /// The data folder.
        dir: PathBuf,
        /// The holder's process id, when it could be read.
        pid: Option<u32>,
    },
    /// A backup and a write waited for each other for too long.
    #[error("{what} (waited {} s for {}); try again in a moment", waited.as_secs(), file.display())]
    Busy {
        /// The lock file waited for.
        file: PathBuf,
        /// How long.
        waited: std::time::Duration,
        /// Who was in the way.
        what: &'static str,
    },
    /// A file that cannot be decrypted or read as a record.
    #[error("{path}: {message}")]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        message: String,
    },
    /// A file written by a newer securebase.
    #[error(
        "{path}: written by a newer securebase (format {found}; this version reads up to {supported}); update securebase"
    )]
    TooNew {
        /// The file.
        path: PathBuf,
        /// Its format version.
        found: u32,
        /// The newest this build reads.
        supported: u32,
    },
    /// No client matches a name or id.
    #[error("no client is called or has the id {0:?}; `securebase client list` shows them")]
    NoSuchClient(String),
    /// A name that several clients share.
    #[error("{query:?} matches {} clients ({}); give the id instead", ids.len(), ids.join(", "))]
    AmbiguousClient {
        /// What was asked for.
        query: String,
        /// The matching ids.
        ids: Vec<String>,
    },
    /// A value a record cannot hold.
    #[error("{0}")]
    Invalid(String),
    /// Encryption failed (should not happen with a valid key).
    #[error("encryption failed: {0}")]
    Crypto(String),
    /// A file-system operation failed.
    #[error("{context}: {source}")]
    Io {
        /// What was being done, with the path.
        context: String,
        /// The cause.
        #[source]
        source: io::Error,
    },
}

impl StoreError {
    /// Wraps an I/O error with what was being done.
    pub fn io(context: impl Into<String>) -> impl FnOnce(io::Error) -> StoreError {
        let context = context.into();
        move |source| StoreError::Io { context, source }
    }

    /// Whether the error is the user's input (a wrong passphrase, an unknown client, a bad
    /// value) rather than the machine's: the CLI exits 2 for these.
    pub fn is_user_error(&self) -> bool {
        matches!(
            self,
            StoreError::NotInitialised(_)
                | StoreError::AlreadyInitialised(_)
                | StoreError::WrongPassphrase
                | StoreError::NoSuchClient(_)
                | StoreError::AmbiguousClient { .. }
                | StoreError::Invalid(_)
        )
    }
}
