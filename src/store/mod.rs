//! The data folder: clients, administrations and the audit log, encrypted and authenticated
//! at rest.
//!
//! ```text
//! <data folder>/
//!   securebase.json                 format, the public key, the clinicians' names (in the clear)
//!   keys/folder.age                 the folder key, for each clinician's own key and the recovery key
//!   keys/<clinician>.age            that clinician's own key, sealed with their passphrase
//!   keys/<clinician>.age.sha256     its checksum, so that damage is not taken for a wrong passphrase
//!   keys/recovery.age               the recovery key, sealed with the recovery sheet's code
//!   unlock-attempts.json            wrong passphrases in a row, for the wait before the next try
//!   lock, lock.pid                  one writer at a time, and the holder's process id
//!   backup.lock                     held by a backup, so that it sees no write half done
//!   clients/<id>.age                one client each
//!   administrations/<client>/<id>.age   one administration each
//!   audit/<seq>-<sha256>.age        one audit entry each, never changed, chained (`chain`)
//!   audit-head.age                  how far the audit log went, signed
//!   audit-earlier.age               the entries from before the chain (an earlier version's), signed
//!   tombstones/<kind>-<id>.age      a deleted record's signed note
//!   local-norms.age                 the clinic's local norms, when computed
//!   couples.age                     the clients linked as couples, when any were
//!   questionnaires/*.json           instruments added by the clinic
//!   rotation.staging/, rotation/    only while the folder key is being replaced (`rotation`)
//! ```
//!
//! Every record is encrypted to the folder's public key and signed (`auth`, `sealed`): by the
//! folder's authentication key while a clinician has unlocked, by a session key in client
//! mode, which holds no key that reads. Reading needs the [`Keys`] that a passphrase unlocks.
//! Every write goes through [`crate::atomic`] (temporary file, fsync, rename, fsync of the
//! folder) and returns only once the data is on disk. A file that cannot be read, or does not
//! check, is reported by name and skipped; the rest still load. File names are random ids,
//! numbers and hashes, never anything that identifies a person.

mod attempts;
pub mod audit;
mod auth;
pub mod backup;
mod chain;
mod checksum;
mod crypto;
pub mod error;
mod ids;
mod keys;
mod lock;
pub mod machine_settings;
mod meta;
pub mod paths;
pub mod records;
pub mod recovery;
pub mod recovery_code;
mod rotation;
mod sealed;
pub mod settings;
pub mod verify;

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use age::secrecy::SecretString;
use age::x25519;
use jiff::Timestamp;

pub use audit::{AuditAction, AuditEntry, AuditTarget};
pub use chain::ChainReport;
pub use crypto::{DEFAULT_WORK_FACTOR, MIN_WORK_FACTOR};
pub use error::StoreError;
pub use ids::new_id;
pub use keys::{FIRST_CLINICIAN, Keys};
pub use lock::{Lock, Quiet};
pub use meta::Clinician;
pub use records::{
    Administration, Client, Couple, CoupleError, Couples, LocalNormEntry, LocalNorms,
    LocalReliabilityEntry, PaperDraft, RecordError, Source, Status, StoredAnswer,
};
pub use verify::{FolderReport, Tombstone};

use crate::atomic::write_atomic;

const META: &str = meta::FILE;
/// The one sealed key of a folder from securebase 0.1.0, migrated at its first unlock.
const IDENTITY: &str = "identity.age";
const CLIENTS: &str = "clients";
const ADMINISTRATIONS: &str = "administrations";
const AUDIT: &str = "audit";
/// Signed notes of deleted records, so that a record gone without one is seen as missing.
const TOMBSTONES: &str = "tombstones";
const LOCAL_NORMS: &str = "local-norms.age";
const COUPLES: &str = "couples.age";
/// Folder of the clinic's own questionnaire files.
pub const QUESTIONNAIRES: &str = "questionnaires";

/// An open data folder, locked for this process.
#[derive(Debug)]
pub struct Store {
    dir: PathBuf,
    lock: Lock,
    state: Mutex<State>,
}

/// What changes while a store is open.
#[derive(Debug)]
struct State {
    /// `securebase.json` as last read or written.
    meta: meta::Meta,
    /// Who the audit log names: the clinician who unlocked (in client mode, the one who
    /// started the session).
    actor: Option<Clinician>,
    /// What signs the records this process writes: the folder's key while a clinician has
    /// unlocked, a session key in client mode, nothing when locked.
    signer: Option<auth::Signer>,
}

/// Records read from the store, and the files that could not be read.
#[derive(Debug)]
pub struct Loaded<T> {
    /// What was read.
    pub records: Vec<T>,
    /// Files that could not be read, each with its name and why.
    pub failures: Vec<StoreError>,
}

/// Creates `dir` (and any missing parent) readable by its owner only, whatever the umask
/// (REDTEAM M3: with umask 000 every folder was 0777, with 022 anyone local could count the
/// clients and read activity times from names). Files are 0600 already (`atomic`, `lock`).
pub(crate) fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// The data folder's own folders and files that other users of this computer may read or
/// change (group or other permission bits), each with its mode: reported at open, not
/// changed (IT may have reasons). Always empty on Windows, where folders inherit the user
/// profile's access list.
pub fn loose_modes(dir: &Path) -> Vec<(PathBuf, u32)> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mut paths = vec![dir.to_path_buf()];
        for sub in [
            CLIENTS,
            ADMINISTRATIONS,
            AUDIT,
            keys::KEYS,
            TOMBSTONES,
            QUESTIONNAIRES,
        ] {
            paths.push(dir.join(sub));
        }
        // Not each client's folder: a stat per client on every open, and one made wide sits in
        // a wide `administrations/` (the folders securebase makes now are 0700).
        // The lock files are tightened when opened (`lock`); the pid file is written anew.
        paths.push(dir.join(META));
        paths
            .into_iter()
            .filter_map(|p| {
                let mode = fs::symlink_metadata(&p).ok()?.permissions().mode() & 0o777;
                (mode & 0o077 != 0).then_some((p, mode))
            })
            .collect()
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        Vec::new()
    }
}

/// [`loose_modes`] as one warning, or none.
pub fn loose_modes_warning(dir: &Path) -> Option<String> {
    let loose = loose_modes(dir);
    if loose.is_empty() {
        return None;
    }
    let listed: Vec<String> = loose
        .iter()
        .take(5)
        .map(|(p, mode)| format!("{} ({mode:04o})", p.display()))
        .collect();
    Some(format!(
        "other users of this computer can see into the data folder: {}{}; securebase makes \
         its folders 0700 and its files 0600. To close it: chmod -R go-rwx {}",
        listed.join(", "),
        if loose.len() > 5 {
            format!(" and {} more", loose.len() - 5)
        } else {
            String::new()
        },
        dir.display()
    ))
}

impl Store {
    /// Whether `dir` holds a data folder.
    pub fn is_initialised(dir: &Path) -> bool {
        dir.join(META).is_file()
    }

    /// Sets up a new data folder in `dir` (created if needed) with its first clinician,
    /// `name`, and their `passphrase`, and returns it open and unlocked. `work_factor` is
    /// scrypt's log2 N ([`DEFAULT_WORK_FACTOR`]).
    pub fn init(
        dir: &Path,
        name: &str,
        passphrase: &SecretString,
        work_factor: u8,
    ) -> Result<(Store, Keys), StoreError> {
        if Self::is_initialised(dir) {
            return Err(StoreError::AlreadyInitialised(dir.to_path_buf()));
        }
        if Self::holds_records(dir) {
            return Err(StoreError::MetaMissing(dir.to_path_buf()));
        }
        let name = keys::checked_name(name)?;
        create_private_dir(dir)
            .map_err(StoreError::io(format!("cannot create {}", dir.display())))?;
        // A folder that was there already (made by IT, or empty from a first try) is made
        // the owner's too: securebase sets it up, so it is securebase's to close (M3).
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            fs::set_permissions(dir, fs::Permissions::from_mode(0o700)).map_err(StoreError::io(
                format!("cannot make {} private", dir.display()),
            ))?;
        }
        let lock = Lock::acquire(dir)?;
        for sub in [CLIENTS, ADMINISTRATIONS, AUDIT, QUESTIONNAIRES, keys::KEYS] {
            let path = dir.join(sub);
            create_private_dir(&path)
                .map_err(StoreError::io(format!("cannot create {}", path.display())))?;
        }
        let now = Timestamp::now();
        let identity = x25519::Identity::generate();
        let (clinician, own, sealed) = keys::new_clinician(&name, passphrase, work_factor)?;
        let meta = meta::Meta {
            format: meta::FORMAT,
            what: meta::WHAT.to_owned(),
            public_key: identity.to_public().to_string(),
            created: now,
            clinicians: vec![clinician.clone()],
            recovery: None,
        };
        let store = Store {
            dir: dir.to_path_buf(),
            lock,
            state: Mutex::new(State {
                meta: meta.clone(),
                actor: Some(clinician.clone()),
                signer: Some(auth::Signer::Folder(auth::MacKey::of_folder(&identity))),
            }),
        };
        store.write_key(&store.key_path(&clinician.id), &sealed)?;
        store.share_folder_key(&identity, std::slice::from_ref(&clinician))?;
        // The meta file is written last: a folder is initialised only once it is complete.
        let meta_path = dir.join(META);
        write_atomic(&meta_path, &meta::to_bytes(&meta)?).map_err(StoreError::io(format!(
            "cannot write {}",
            meta_path.display()
        )))?;
        store.audit(AuditAction::Create, AuditTarget::DataFolder, "set up")?;
        Ok((store, Keys::new(identity, clinician, own)))
    }

    /// Whether `dir` holds what only a data folder holds (keys, records, the log), with or
    /// without its `securebase.json`: such a folder is never set up again (REDTEAM L6).
    pub fn holds_records(dir: &Path) -> bool {
        // A folder counts only with something in it: `init` makes the empty folders first.
        let has_content = |name: &str| match fs::read_dir(dir.join(name)) {
            Ok(mut entries) => entries.next().is_some(),
            Err(_) => fs::symlink_metadata(dir.join(name)).is_ok(),
        };
        [IDENTITY, META, keys::KEYS, CLIENTS, ADMINISTRATIONS, AUDIT]
            .iter()
            .any(|name| has_content(name))
    }

    /// Opens the data folder in `dir` for this process; nothing is unlocked.
    pub fn open(dir: &Path) -> Result<Store, StoreError> {
        if !Self::is_initialised(dir) && Self::holds_records(dir) {
            return Err(StoreError::MetaMissing(dir.to_path_buf()));
        }
        if !Self::is_initialised(dir) {
            return Err(StoreError::NotInitialised(dir.to_path_buf()));
        }
        let lock = Lock::acquire(dir)?;
        // A replacement of the keys that got as far as its commit point is finished first:
        // until then securebase.json may still name the old key (store::rotation).
        rotation::finish(dir, &lock)?;
        let meta = meta::read(dir)?;
        crypto::parse_recipient(&meta.public_key).map_err(|e| StoreError::Corrupt {
            path: dir.join(META),
            message: format!("public key does not parse: {e}"),
        })?;
        let store = Store {
            dir: dir.to_path_buf(),
            lock,
            state: Mutex::new(State {
                meta,
                actor: None,
                signer: None,
            }),
        };
        store.remove_stale_temporaries();
        store.finish_migration()?;
        Ok(store)
    }

    /// The store's changing state (a poisoned lock is only a panic elsewhere: the state is
    /// plain data, still whole).
    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Removes temporary files left by a writer that died mid-write (a crash, a kill, a power
    /// cut). Holding the lock, no other writer can be using them. Their content was never
    /// renamed into place, so nothing that was saved is lost.
    fn remove_stale_temporaries(&self) {
        let mut folders = vec![
            self.dir.clone(),
            self.dir.join(CLIENTS),
            self.dir.join(AUDIT),
            self.dir.join(keys::KEYS),
        ];
        if let Ok(entries) = fs::read_dir(self.dir.join(ADMINISTRATIONS)) {
            folders.extend(
                entries
                    .filter_map(Result::ok)
                    .map(|e| e.path())
                    .filter(|p| p.is_dir()),
            );
        }
        for folder in folders {
            let Ok(entries) = fs::read_dir(&folder) else {
                continue;
            };
            for entry in entries.filter_map(Result::ok) {
                let name = entry.file_name();
                let name = name.to_string_lossy();
                if name.starts_with(crate::atomic::TEMP_PREFIX) && name.ends_with(".tmp") {
                    let _ = fs::remove_file(entry.path());
                }
            }
        }
    }

    /// The public key every record is encrypted to (`securebase.json`, checked at open).
    fn recipient(&self) -> Result<x25519::Recipient, StoreError> {
        let text = self.state().meta.public_key.clone();
        crypto::parse_recipient(&text).map_err(|e| StoreError::Corrupt {
            path: self.dir.join(META),
            message: format!("public key does not parse: {e}"),
        })
    }

    /// The data folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Saves a client (new or changed); returns once it is on disk.
    pub fn save_client(&self, client: &Client) -> Result<(), StoreError> {
        let path = self.client_path(&client.id)?;
        self.write_record(&path, client)
    }

    /// Saves an administration (new or changed); returns once it is on disk. Needs nothing
    /// unlocked: this is what client mode calls after every answer.
    pub fn save_administration(&self, administration: &Administration) -> Result<(), StoreError> {
        let path = self.administration_path(&administration.client_id, &administration.id)?;
        if let Some(folder) = path.parent() {
            create_private_dir(folder).map_err(StoreError::io(format!(
                "cannot create {}",
                folder.display()
            )))?;
        }
        self.write_record(&path, administration)
    }

    /// Every client, sorted by name; unreadable files are listed in `failures`.
    pub fn clients(&self, keys: &Keys) -> Result<Loaded<Client>, StoreError> {
        let folder = self.dir.join(CLIENTS);
        let mut loaded: Loaded<Client> = self.read_folder(keys, &folder)?;
        if !folder.is_dir() {
            loaded.failures.push(StoreError::Stray {
                path: folder,
                message: "the clients folder is missing, so no client can be listed; restore \
                          it from a backup"
                    .to_owned(),
            });
        }
        loaded.failures.extend(self.orphans(&loaded));
        loaded.records.sort_by(|a, b| {
            a.name
                .to_lowercase()
                .cmp(&b.name.to_lowercase())
                .then(a.id.cmp(&b.id))
        });
        Ok(loaded)
    }

    /// Administrations whose client has no record (REDTEAM L11): a folder
    /// `administrations/<id>/` with no `clients/<id>.age` that read, and no tombstone saying
    /// the client was deleted. Each is named with its count; nothing is moved.
    fn orphans(&self, clients: &Loaded<Client>) -> Vec<StoreError> {
        let Ok(entries) = fs::read_dir(self.dir.join(ADMINISTRATIONS)) else {
            return Vec::new();
        };
        let mut orphans = Vec::new();
        for entry in entries.filter_map(Result::ok) {
            let id = entry.file_name().to_string_lossy().into_owned();
            let path = entry.path();
            if !path.is_dir() {
                orphans.push(StoreError::Stray {
                    path,
                    message: "not a client's folder of administrations (an unexpected file)"
                        .to_owned(),
                });
                continue;
            }
            if clients.records.iter().any(|c| c.id == id) {
                continue;
            }
            let count = sealed::record_files(&path).map_or(0, |f| f.len());
            if count == 0 {
                continue;
            }
            let client_file = self.dir.join(CLIENTS).join(format!("{id}.age"));
            let why = if client_file.exists() {
                format!("{} does not read (see above)", client_file.display())
            } else {
                format!("{} is missing", client_file.display())
            };
            orphans.push(StoreError::Stray {
                path,
                message: format!(
                    "{count} administration{} of a client with no record ({why}); they are \
                     not listed under anyone and were left as they are; restore the client's \
                     file from a backup",
                    if count == 1 { "" } else { "s" }
                ),
            });
        }
        orphans.sort_by_key(ToString::to_string);
        orphans
    }

    /// The client with this id, or the one whose name is this (case-insensitive).
    pub fn find_client(&self, keys: &Keys, query: &str) -> Result<Client, StoreError> {
        let query = query.trim();
        let all = self.clients(keys)?.records;
        if let Some(c) = all.iter().find(|c| c.id == query) {
            return Ok(c.clone());
        }
        let matching: Vec<&Client> = all
            .iter()
            .filter(|c| records::name_key(&c.name) == records::name_key(query))
            .collect();
        match matching.as_slice() {
            [] => Err(StoreError::NoSuchClient(query.to_owned())),
            [one] => Ok((*one).clone()),
            many => Err(StoreError::AmbiguousClient {
                query: query.to_owned(),
                ids: many.iter().map(|c| c.id.clone()).collect(),
            }),
        }
    }

    /// A client's administrations, oldest first ([`Administration::course_key`]'s order).
    pub fn administrations(
        &self,
        keys: &Keys,
        client_id: &str,
    ) -> Result<Loaded<Administration>, StoreError> {
        let folder = self.administrations_folder(client_id)?;
        if !folder.is_dir() {
            return Ok(Loaded {
                records: Vec::new(),
                failures: Vec::new(),
            });
        }
        let mut loaded: Loaded<Administration> = self.read_folder(keys, &folder)?;
        loaded
            .records
            .sort_by_cached_key(|a| (a.given_on(), a.started, a.id.clone()));
        Ok(loaded)
    }

    /// How many administrations a client has, without decrypting anything.
    pub fn count_administrations(&self, client_id: &str) -> usize {
        self.administrations_folder(client_id)
            .ok()
            .and_then(|f| fs::read_dir(f).ok())
            .map_or(0, |entries| {
                entries
                    .filter_map(Result::ok)
                    .filter(|e| e.path().extension().is_some_and(|x| x == "age"))
                    .count()
            })
    }

    /// Appends an entry to the audit log (needs nothing unlocked).
    pub fn audit(
        &self,
        action: AuditAction,
        target: AuditTarget<'_>,
        detail: &str,
    ) -> Result<(), StoreError> {
        let actor = self.state().actor.clone();
        let entry = AuditEntry {
            format: records::FORMAT,
            time: Timestamp::now(),
            action,
            record_kind: target.kind().map(str::to_owned),
            record_id: target.id(),
            detail: detail.to_owned(),
            clinician: actor.as_ref().map(|c| c.name.clone()),
            clinician_id: actor.map(|c| c.id),
            seq: None,
            prev: None,
        };
        self.append_audit(entry)
    }

    /// Saves the clinic's local norms (replacing earlier ones); returns once on disk.
    pub fn save_local_norms(&self, norms: &LocalNorms) -> Result<(), StoreError> {
        self.write_record(&self.dir.join(LOCAL_NORMS), norms)
    }

    /// The clinic's local norms, `None` when never computed. A file that cannot be read is an
    /// error naming it (nothing else is affected).
    pub fn local_norms(&self, keys: &Keys) -> Result<Option<LocalNorms>, StoreError> {
        let path = self.dir.join(LOCAL_NORMS);
        if !path.exists() {
            return Ok(None);
        }
        self.read_record::<LocalNorms>(keys, &path).map(Some)
    }

    /// Saves the couples (replacing the earlier list); returns once on disk.
    pub fn save_couples(&self, couples: &Couples) -> Result<(), StoreError> {
        self.write_record(&self.dir.join(COUPLES), couples)
    }

    /// The couples, none when no client was ever linked. A file that cannot be read is an
    /// error naming it (nothing else is affected).
    pub fn couples(&self, keys: &Keys) -> Result<Couples, StoreError> {
        let path = self.dir.join(COUPLES);
        if !path.exists() {
            return Ok(Couples::default());
        }
        self.read_record::<Couples>(keys, &path)
    }

    /// The whole audit log, oldest first.
    /// An entry without a MAC is set apart unless it may be one: a wrong passphrase's (written
    /// with nothing unlocked), or one listed as there before the folder was authenticated.
    pub fn audit_log(&self, keys: &Keys) -> Result<Loaded<AuditEntry>, StoreError> {
        let checked = self.read_folder_checked::<AuditEntry>(keys, &self.dir.join(AUDIT))?;
        let authenticated = self.authenticated();
        let mut loaded = Loaded {
            records: Vec::with_capacity(checked.records.len()),
            failures: checked.failures,
        };
        let earlier = self.earlier_entries(keys).unwrap_or_else(|e| {
            loaded.failures.push(e);
            chain::Earlier::default()
        });
        for c in checked.records {
            let forged = authenticated && c.vouched.is_none() && !earlier.may_stand_unsigned(&c);
            if forged {
                loaded.failures.push(StoreError::SetApart {
                    path: c.path,
                    reason: "this audit entry is not authenticated, and only what is \
                             written with nothing unlocked (a wrong passphrase, a backup) or was \
                             there before the log was authenticated may be: it was not written \
                             by securebase"
                        .to_owned(),
                });
            } else {
                loaded.records.push(c.record);
            }
        }
        loaded.records.sort_by_key(|e| (e.time, e.seq));
        Ok(loaded)
    }

    fn client_path(&self, id: &str) -> Result<PathBuf, StoreError> {
        checked_id(id)?;
        Ok(self.dir.join(CLIENTS).join(format!("{id}.age")))
    }

    fn administrations_folder(&self, client_id: &str) -> Result<PathBuf, StoreError> {
        checked_id(client_id)?;
        Ok(self.dir.join(ADMINISTRATIONS).join(client_id))
    }

    fn administration_path(&self, client_id: &str, id: &str) -> Result<PathBuf, StoreError> {
        checked_id(id)?;
        Ok(self
            .administrations_folder(client_id)?
            .join(format!("{id}.age")))
    }

    /// Writes a file of the data folder atomically, while no backup is reading it.
    fn write_file(&self, path: &Path, bytes: &[u8]) -> Result<(), StoreError> {
        self.lock.writing(|| {
            write_atomic(path, bytes)
                .map_err(StoreError::io(format!("cannot write {}", path.display())))
        })
    }
}

/// Records whose ids say where their file must lie.
pub trait HasId {
    /// The id, if the record kind names its file by id.
    fn file_id(&self) -> Option<&str>;
    /// The client whose folder the file must lie in, for records kept per client.
    fn owner_id(&self) -> Option<&str> {
        None
    }
}

impl HasId for Client {
    fn file_id(&self) -> Option<&str> {
        Some(&self.id)
    }
}

impl HasId for Administration {
    fn file_id(&self) -> Option<&str> {
        Some(&self.id)
    }
    fn owner_id(&self) -> Option<&str> {
        Some(&self.client_id)
    }
}

impl HasId for LocalNorms {
    fn file_id(&self) -> Option<&str> {
        None
    }
}

impl HasId for Couples {
    fn file_id(&self) -> Option<&str> {
        None
    }
}

impl HasId for AuditEntry {
    fn file_id(&self) -> Option<&str> {
        None
    }
}

/// A record counts only where its own ids say it lies: its file is named by its id, and a
/// per-client record lies in its client's folder. A copy or a move (a manual restore, a sync
/// conflict, someone with write access) is set apart rather than shown as another's.
fn check_place<T: HasId>(record: &T, path: &Path) -> Result<(), StoreError> {
    let name = |p: Option<&Path>| {
        p.and_then(|p| p.file_stem())
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default()
    };
    if let Some(id) = record.file_id() {
        let stem = name(Some(path));
        if stem != id {
            return Err(StoreError::SetApart {
                path: path.to_path_buf(),
                reason: format!("it holds record {id}, not the one its file name says ({stem})"),
            });
        }
    }
    if let Some(owner) = record.owner_id() {
        let folder = name(path.parent());
        if folder != owner {
            return Err(StoreError::SetApart {
                path: path.to_path_buf(),
                reason: format!(
                    "it belongs to client {owner}, but lies in the folder of client {folder}"
                ),
            });
        }
    }
    Ok(())
}

fn checked_id(id: &str) -> Result<(), StoreError> {
    if ids::is_id(id) {
        Ok(())
    } else {
        Err(StoreError::Invalid(format!("{id:?} is not a record id")))
    }
}
