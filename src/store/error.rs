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
    /// A folder of records whose `securebase.json` is missing or not a file (REDTEAM L6):
    /// neither opened nor set up again, so that no first-run screen or `init` is offered
    /// over a folder of records.
    #[error(
        "{0} holds securebase records, but its securebase.json is missing or is not a regular \
         file, so it cannot be opened; nothing was changed. Put securebase.json back from a \
         backup of this folder (it is not secret: it holds the public key and the clinicians' \
         names), or restore the whole backup into a new folder (`securebase restore`); do not \
         set up a new data folder here"
    )]
    MetaMissing(PathBuf),
    /// `init` on a folder that already holds a store.
    #[error("{0} already holds a securebase data folder; nothing was changed")]
    AlreadyInitialised(PathBuf),
    /// The passphrase does not unlock the identity.
    #[error("the passphrase is wrong; nothing was changed")]
    WrongPassphrase,
    /// Too many wrong passphrases in a row: the next try must wait (nothing was tried).
    #[error(
        "{failed} wrong passphrases in a row: try again in {}; nothing was tried or changed",
        super::attempts::say(*wait)
    )]
    TooManyAttempts {
        /// Wrong passphrases since the last right one.
        failed: u32,
        /// How long is left to wait.
        wait: std::time::Duration,
    },
    /// The sealed key does not match the checksum written with it: damaged or replaced.
    #[error(
        "{path} is damaged: it does not match the checksum securebase wrote with it \
         (its .sha256 beside it), so no passphrase can open it; restore it from a backup \
         (`securebase restore`); nothing was changed"
    )]
    DamagedIdentity {
        /// The file.
        path: PathBuf,
    },
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
    /// A record that reads but cannot be counted where it lies: its ids do not match its place
    /// (REDTEAM H1: an administration moved or copied into another client's folder). It is
    /// shown apart with the reason and never counted as that client's; nothing is moved or
    /// deleted.
    #[error("{path}: set apart, not counted: {reason}; nothing was moved or deleted")]
    SetApart {
        /// The file.
        path: PathBuf,
        /// Why it cannot be counted here.
        reason: String,
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
    /// No clinician is called so.
    #[error(
        "no clinician of this data folder is called {0:?}; `securebase clinician list` shows them"
    )]
    NoSuchClinician(String),
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
    /// A file-system operation failed. The cause is said in the message and is not also a
    /// `source`: printed as a chain (anyhow's `{:#}`), it said it twice (REDTEAM L12).
    #[error("{context}: {cause}")]
    Io {
        /// What was being done, with the path.
        context: String,
        /// The cause.
        cause: io::Error,
    },
    /// A file securebase will not read: not a regular file (a FIFO, a device, a link, a
    /// folder), or larger than its kind of file may be (REDTEAM M4). Named, left as it is.
    #[error("{0}; nothing was changed")]
    NotReadable(#[from] crate::safe_read::ReadError),
    /// A file or folder in the data folder that securebase did not write, or a record with no
    /// place: reported, left as it is (REDTEAM L11).
    #[error("{path}: {message}")]
    Stray {
        /// The file or folder.
        path: PathBuf,
        /// What it is.
        message: String,
    },
}

impl StoreError {
    /// Whether this is a record set apart ([`StoreError::SetApart`]) rather than one that
    /// could not be read at all.
    pub fn is_set_apart(&self) -> bool {
        matches!(self, StoreError::SetApart { .. })
    }

    /// Wraps an I/O error with what was being done.
    pub fn io(context: impl Into<String>) -> impl FnOnce(io::Error) -> StoreError {
        let context = context.into();
        move |cause| StoreError::Io { context, cause }
    }

    /// Whether the error is the user's input (a wrong passphrase, an unknown client, a bad
    /// value) rather than the machine's: the CLI exits 2 for these.
    pub fn is_user_error(&self) -> bool {
        matches!(
            self,
            StoreError::NotInitialised(_)
                | StoreError::AlreadyInitialised(_)
                | StoreError::MetaMissing(_)
                | StoreError::WrongPassphrase
                | StoreError::TooManyAttempts { .. }
                | StoreError::NoSuchClient(_)
                | StoreError::NoSuchClinician(_)
                | StoreError::AmbiguousClient { .. }
                | StoreError::Invalid(_)
        )
    }
}
