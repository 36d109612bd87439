//! Where the data folder is.
//!
//! In order: `--data-dir`; else `SECUREBASE_DATA`; else the machine settings file's
//! `data_folder` (what a clinic's IT sets, [`super::machine_settings`]); else the platform's
//! folder for local application data:
//!
//! | system  | default data folder |
//! |---------|---------------------|
//! | Linux   | `~/.local/share/securebase` |
//! | Windows | `%LOCALAPPDATA%\securebase\securebase\data` |
//! | macOS   | `~/Library/Application Support/org.securebase.securebase` |
//!
//! On Windows the default is *Local*, not *Roaming*: in a domain with roaming profiles, every
//! file in Roaming is copied to the server at each logon and logoff, and a data folder is
//! thousands of small records. Earlier builds used `%APPDATA%` (Roaming). A data folder found
//! there is never left behind and never replaced by a new, empty one: when the Local place has
//! none, it is moved there with one rename (atomic on one volume), and if it cannot be moved it
//! is used where it is. Either way a [`Location::notice`] says what happened.
//!
//! [`plan`] decides without touching anything; [`settle`] carries out the move.

use std::path::{Path, PathBuf};

use super::machine_settings::{self, MachineSettingsError};

/// Why this data folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// `--data-dir`.
    Argument,
    /// `SECUREBASE_DATA`.
    Environment,
    /// The machine settings file (its path).
    MachineSettings(PathBuf),
    /// The platform's place for local application data.
    Default,
    /// The earlier default, Windows' Roaming application data, where a data folder was found.
    Roaming,
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::Argument => f.write_str("--data-dir"),
            Source::Environment => write!(f, "the environment variable {}", crate::env::DATA),
            Source::MachineSettings(file) => {
                write!(f, "the machine settings file {}", file.display())
            }
            Source::Default => f.write_str("the default for this system"),
            Source::Roaming => f.write_str("an earlier securebase's default (Roaming)"),
        }
    }
}

/// The data folder to use, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The data folder.
    pub dir: PathBuf,
    /// Why this one.
    pub source: Source,
    /// A move from Roaming to do before the folder is used ([`settle`]).
    pub move_from: Option<PathBuf>,
    /// Something the clinician should be told (a folder moved, or found in an old place).
    pub notice: Option<String>,
}

/// What the choice of data folder depends on, gathered once so that [`plan`] is pure.
#[derive(Debug, Clone, Default)]
pub struct Candidates {
    /// `--data-dir`.
    pub argument: Option<PathBuf>,
    /// `SECUREBASE_DATA`.
    pub environment: Option<PathBuf>,
    /// The machine settings file and what it sets.
    pub machine: Option<(PathBuf, PathBuf)>,
    /// The platform's local default.
    pub local: Option<PathBuf>,
    /// Windows' Roaming place of earlier builds (`None` where it is the local one).
    pub roaming: Option<PathBuf>,
}

/// What is in a candidate folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Contents {
    /// Nothing there.
    Absent,
    /// An empty folder.
    Empty,
    /// A securebase data folder.
    DataFolder,
    /// Something else.
    Other,
}

/// What is at `dir`.
pub fn contents(dir: &Path) -> Contents {
    if super::Store::is_initialised(dir) {
        return Contents::DataFolder;
    }
    match std::fs::read_dir(dir) {
        Ok(mut entries) => {
            if entries.next().is_none() {
                Contents::Empty
            } else {
                Contents::Other
            }
        }
        // A file where a folder of the path should be: there is no such folder either.
        Err(e)
            if matches!(
                e.kind(),
                std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory
            ) =>
        {
            Contents::Absent
        }
        Err(_) => Contents::Other,
    }
}

/// The platform's default data folder (local application data), if it has a home folder.
pub fn default_data_dir() -> Option<PathBuf> {
    project_dirs().map(|dirs| dirs.data_local_dir().to_path_buf())
}

/// Where earlier builds put the data folder on Windows (Roaming); `None` elsewhere, where
/// the two places are one.
pub fn roaming_data_dir() -> Option<PathBuf> {
    let dirs = project_dirs()?;
    (dirs.data_dir() != dirs.data_local_dir()).then(|| dirs.data_dir().to_path_buf())
}

fn project_dirs() -> Option<directories::ProjectDirs> {
    directories::ProjectDirs::from("org", "securebase", "securebase")
}

/// Gathers the candidates from this process: `explicit` (`--data-dir`), the environment, the
/// machine settings file and the platform's folders. A machine settings file that exists but
/// cannot be read is an error.
pub fn candidates(explicit: Option<PathBuf>) -> Result<Candidates, MachineSettingsError> {
    let environment = crate::env::data_folder();
    // The machine settings matter only when nothing more specific is given; a broken file
    // must not stop a clinician who names the folder.
    let machine = if explicit.is_none() && environment.is_none() {
        let file = machine_settings::path();
        machine_settings::load(&file)?
            .data_folder
            .map(|folder| (file, folder))
    } else {
        None
    };
    Ok(Candidates {
        argument: explicit,
        environment,
        machine,
        local: default_data_dir(),
        roaming: roaming_data_dir(),
    })
}

/// Chooses the data folder; `contents` says what is in a folder. Touches nothing.
pub fn plan(candidates: &Candidates, contents: &dyn Fn(&Path) -> Contents) -> Option<Location> {
    let chosen = |dir: &PathBuf, source: Source| Location {
        dir: dir.clone(),
        source,
        move_from: None,
        notice: None,
    };
    if let Some(dir) = &candidates.argument {
        return Some(chosen(dir, Source::Argument));
    }
    if let Some(dir) = &candidates.environment {
        return Some(chosen(dir, Source::Environment));
    }
    if let Some((file, dir)) = &candidates.machine {
        return Some(chosen(dir, Source::MachineSettings(file.clone())));
    }
    let local = candidates.local.as_ref()?;
    let Some(roaming) = candidates
        .roaming
        .as_ref()
        .filter(|r| *r != local && contents(r) == Contents::DataFolder)
    else {
        return Some(chosen(local, Source::Default));
    };
    Some(match contents(local) {
        Contents::DataFolder => Location {
            notice: Some(format!(
                "An older data folder is also at {} (Roaming). securebase uses the one at {}; \
                 the older one was left as it is.",
                roaming.display(),
                local.display()
            )),
            ..chosen(local, Source::Default)
        },
        Contents::Absent | Contents::Empty => Location {
            move_from: Some(roaming.clone()),
            ..chosen(local, Source::Default)
        },
        Contents::Other => Location {
            notice: Some(format!(
                "securebase uses the data folder at {} (Roaming). It was not moved to {}, \
                 because something else is already there.",
                roaming.display(),
                local.display()
            )),
            ..chosen(roaming, Source::Roaming)
        },
    })
}

/// Carries out a planned move from Roaming: one rename, so the folder is either still all at
/// the old place or all at the new one. If the rename fails (another program has a file open,
/// or the two places are on different volumes), the folder is used where it is.
pub fn settle(location: Location) -> Location {
    let Some(from) = location.move_from.clone() else {
        return location;
    };
    let to = location.dir.clone();
    let moved = (|| {
        if let Some(parent) = to.parent() {
            std::fs::create_dir_all(parent)?;
        }
        if contents(&to) == Contents::Empty {
            std::fs::remove_dir(&to)?;
        }
        std::fs::rename(&from, &to)
    })();
    match moved {
        Ok(()) => Location {
            move_from: None,
            notice: Some(format!(
                "The data folder was moved from {} (Roaming) to {}, the local place, which \
                 roaming profiles do not copy at every logon. Nothing in it changed.",
                from.display(),
                to.display()
            )),
            ..location
        },
        Err(e) => Location {
            dir: from.clone(),
            source: Source::Roaming,
            move_from: None,
            notice: Some(format!(
                "securebase uses the data folder at {} (Roaming). It could not be moved to {} \
                 ({e}); it will be tried again at the next start.",
                from.display(),
                to.display()
            )),
        },
    }
}

/// The data folder to use: the explicit one, else `SECUREBASE_DATA`, else the machine
/// setting, else the default. Touches nothing: where a move from Roaming is due, this is the
/// Roaming folder, where the records still are.
pub fn resolve(explicit: Option<PathBuf>) -> Option<PathBuf> {
    let candidates = candidates(explicit).ok()?;
    plan(&candidates, &contents).map(|l| l.move_from.unwrap_or(l.dir))
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "in tests a panic is a failure"
)]
mod tests {
    use super::*;

    fn local() -> PathBuf {
        PathBuf::from("/home/ana/AppData/Local/securebase/securebase/data")
    }
    fn roaming() -> PathBuf {
        PathBuf::from("/home/ana/AppData/Roaming/securebase/securebase/data")
    }

    fn defaults() -> Candidates {
        Candidates {
            local: Some(local()),
            roaming: Some(roaming()),
            ..Candidates::default()
        }
    }

    fn with(local_has: Contents, roaming_has: Contents) -> impl Fn(&Path) -> Contents {
        move |p: &Path| {
            if p == local() {
                local_has
            } else if p == roaming() {
                roaming_has
            } else {
                Contents::Absent
            }
        }
    }

    #[test]
    fn argument_then_environment_then_machine_settings_then_default() {
        let any = with(Contents::DataFolder, Contents::DataFolder);
        let mut c = Candidates {
            argument: Some("/a".into()),
            environment: Some("/e".into()),
            machine: Some(("/etc/securebase/securebase.ini".into(), "/m".into())),
            ..defaults()
        };
        let pick = |c: &Candidates| plan(c, &any).map(|l| (l.dir, l.source));
        assert_eq!(pick(&c), Some(("/a".into(), Source::Argument)));
        c.argument = None;
        assert_eq!(pick(&c), Some(("/e".into(), Source::Environment)));
        c.environment = None;
        assert_eq!(
            pick(&c),
            Some((
                "/m".into(),
                Source::MachineSettings("/etc/securebase/securebase.ini".into())
            ))
        );
        c.machine = None;
        assert_eq!(pick(&c), Some((local(), Source::Default)));
        c.local = None;
        assert_eq!(pick(&c), None);
    }

    #[test]
    fn a_roaming_data_folder_is_moved_when_local_has_none() {
        for local_has in [Contents::Absent, Contents::Empty] {
            let l = plan(&defaults(), &with(local_has, Contents::DataFolder)).unwrap();
            assert_eq!(l.dir, local());
            assert_eq!(l.move_from, Some(roaming()));
        }
    }

    #[test]
    fn a_roaming_data_folder_is_never_replaced_by_a_new_one() {
        // Local holds something else: Roaming is used in place, and the notice says so.
        let l = plan(&defaults(), &with(Contents::Other, Contents::DataFolder)).unwrap();
        assert_eq!(
            (l.dir.clone(), l.source.clone()),
            (roaming(), Source::Roaming)
        );
        assert!(l.notice.unwrap().contains("not moved"));
        // Both hold one: Local wins, and the notice names the older one.
        let l = plan(
            &defaults(),
            &with(Contents::DataFolder, Contents::DataFolder),
        )
        .unwrap();
        assert_eq!(l.dir, local());
        assert!(l.notice.unwrap().contains(&roaming().display().to_string()));
        // Nothing in Roaming: the local default, quietly.
        let l = plan(&defaults(), &with(Contents::Absent, Contents::Other)).unwrap();
        assert_eq!((l.dir, l.move_from, l.notice), (local(), None, None));
    }

    #[test]
    fn settle_moves_the_whole_folder_or_uses_it_where_it_is() {
        let tmp = tempfile::tempdir().unwrap();
        let roaming = tmp.path().join("Roaming/securebase/data");
        let local = tmp.path().join("Local/securebase/data");
        std::fs::create_dir_all(roaming.join("clients")).unwrap();
        std::fs::write(roaming.join("securebase.json"), "{}").unwrap();
        std::fs::write(roaming.join("clients/x.age"), "sealed").unwrap();
        let candidates = Candidates {
            local: Some(local.clone()),
            roaming: Some(roaming.clone()),
            ..Candidates::default()
        };
        let planned = plan(&candidates, &contents).unwrap();
        assert_eq!(planned.move_from.as_deref(), Some(roaming.as_path()));
        let settled = settle(planned);
        assert_eq!(settled.dir, local);
        assert!(settled.notice.unwrap().contains("was moved"));
        assert_eq!(
            std::fs::read_to_string(local.join("clients/x.age")).unwrap(),
            "sealed"
        );
        assert!(!roaming.exists());
        // Planned again, nothing is due.
        assert_eq!(plan(&candidates, &contents).unwrap().move_from, None);

        // A move that fails (the parent of the new place is a file) keeps the old place.
        std::fs::rename(&local, &roaming).unwrap();
        let blocked = tmp.path().join("blocked");
        std::fs::write(&blocked, "a file").unwrap();
        let candidates = Candidates {
            local: Some(blocked.join("data")),
            ..candidates
        };
        let settled = settle(plan(&candidates, &contents).unwrap());
        assert_eq!(
            (settled.dir.clone(), settled.source),
            (roaming.clone(), Source::Roaming)
        );
        assert!(settled.notice.unwrap().contains("could not be moved"));
        assert!(roaming.join("clients/x.age").is_file());
    }
}
