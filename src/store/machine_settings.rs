//! The machine settings file: what a clinic's IT sets for every user of a PC.
//!
//! One small INI file, because that is what Windows administrators write and deploy (Group
//! Policy file preferences, Intune, a script, Notepad):
//!
//! ```ini
//! ; securebase machine settings
//! [securebase]
//! data_folder = D:\Clinic\securebase
//! ```
//!
//! It lives in `%ProgramData%\securebase\securebase.ini` on Windows,
//! `/Library/Application Support/securebase/securebase.ini` on macOS and
//! `/etc/securebase/securebase.ini` elsewhere; `SECUREBASE_MACHINE_SETTINGS` names another file
//! (to try one out before deploying it, and for tests). The per-machine installer writes it
//! through `securebase machine-settings --data-folder DIR`.
//!
//! A file that is there but cannot be read is an error naming the file and line, never "no
//! setting": falling back to the default folder would show a clinic a new, empty data folder
//! instead of its records.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// The one section of the file.
const SECTION: &str = "securebase";
/// The key of the data folder.
const DATA_FOLDER: &str = "data_folder";
/// Larger than any real settings file: a bigger one is refused before it is read whole.
const MAX_BYTES: u64 = 64 * 1024;

/// What the machine settings say.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MachineSettings {
    /// The data folder for every user of this PC, environment variables (`%USERNAME%`)
    /// already expanded.
    pub data_folder: Option<PathBuf>,
}

/// A machine settings file that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MachineSettingsError {
    /// The file is there but cannot be read.
    #[error("cannot read the machine settings file {file}: {message}")]
    Unreadable {
        /// The file.
        file: PathBuf,
        /// Why.
        message: String,
    },
    /// A line of the file is wrong.
    #[error("machine settings file {file}, line {line}: {message}")]
    Line {
        /// The file.
        file: PathBuf,
        /// 1-based line number.
        line: usize,
        /// What is wrong, and what would be right.
        message: String,
    },
}

/// Where this system keeps the machine settings file (`SECUREBASE_MACHINE_SETTINGS` aside).
pub fn system_path() -> PathBuf {
    if cfg!(windows) {
        let program_data = std::env::var_os("ProgramData")
            .filter(|v| !v.is_empty())
            .map_or_else(|| PathBuf::from(r"C:\ProgramData"), PathBuf::from);
        program_data.join("securebase").join("securebase.ini")
    } else if cfg!(target_os = "macos") {
        PathBuf::from("/Library/Application Support/securebase/securebase.ini")
    } else {
        PathBuf::from("/etc/securebase/securebase.ini")
    }
}

/// The machine settings file in use: `SECUREBASE_MACHINE_SETTINGS`, else the system's.
pub fn path() -> PathBuf {
    crate::env::machine_settings().unwrap_or_else(system_path)
}

/// Reads the machine settings file at `file`; no file is no settings.
pub fn load(file: &Path) -> Result<MachineSettings, MachineSettingsError> {
    let unreadable = |message: String| MachineSettingsError::Unreadable {
        file: file.to_path_buf(),
        message,
    };
    let metadata = match std::fs::metadata(file) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Ok(MachineSettings::default());
        }
        Err(e) => return Err(unreadable(e.to_string())),
    };
    if !metadata.is_file() {
        return Err(unreadable("it is not a regular file".to_owned()));
    }
    if metadata.len() > MAX_BYTES {
        return Err(unreadable(format!(
            "it is {} bytes; a settings file is at most {MAX_BYTES}",
            metadata.len()
        )));
    }
    let bytes =
        crate::safe_read::read_regular(file, MAX_BYTES).map_err(|e| unreadable(e.to_string()))?;
    let text = decode(&bytes).map_err(unreadable)?;
    parse(file, &text, &|name| std::env::var(name).ok())
}

/// The file's text: UTF-8 (with or without a byte-order mark), or UTF-16 with its mark, which
/// is what Windows PowerShell 5's `>` and `Out-File` write.
fn decode(bytes: &[u8]) -> Result<String, String> {
    let utf16 = |units: Vec<u16>| {
        String::from_utf16(&units).map_err(|_| "it is not valid UTF-16 text".to_owned())
    };
    match bytes {
        [0xEF, 0xBB, 0xBF, rest @ ..] => std::str::from_utf8(rest)
            .map(str::to_owned)
            .map_err(|e| format!("it is not UTF-8 text ({e})")),
        [0xFF, 0xFE, rest @ ..] => utf16(
            rest.chunks(2)
                .map(|c| u16::from_le_bytes([c[0], *c.get(1).unwrap_or(&0)]))
                .collect(),
        ),
        [0xFE, 0xFF, rest @ ..] => utf16(
            rest.chunks(2)
                .map(|c| u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)]))
                .collect(),
        ),
        _ => std::str::from_utf8(bytes)
            .map(str::to_owned)
            .map_err(|e| format!("it is not UTF-8 text ({e})")),
    }
}

/// Parses the text of `file`; `env` looks up the variables that `%NAME%` names.
pub fn parse(
    file: &Path,
    text: &str,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<MachineSettings, MachineSettingsError> {
    let at = |line: usize, message: String| MachineSettingsError::Line {
        file: file.to_path_buf(),
        line,
        message,
    };
    let mut settings = MachineSettings::default();
    for (index, raw) in text.lines().enumerate() {
        let n = index + 1;
        let line = raw.trim();
        if line.is_empty() || line.starts_with(';') || line.starts_with('#') {
            continue;
        }
        if let Some(section) = line.strip_prefix('[') {
            let Some(name) = section.strip_suffix(']') else {
                return Err(at(
                    n,
                    format!("{line:?} opens a section but has no closing ]"),
                ));
            };
            if !name.trim().eq_ignore_ascii_case(SECTION) {
                return Err(at(
                    n,
                    format!(
                        "unknown section [{}]; the only section is [{SECTION}]",
                        name.trim()
                    ),
                ));
            }
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            return Err(at(
                n,
                format!("{line:?} is not a setting; write {DATA_FOLDER} = <folder>"),
            ));
        };
        let key = key.trim();
        if !key.eq_ignore_ascii_case(DATA_FOLDER) {
            return Err(at(
                n,
                format!("unknown setting {key:?}; the only setting is {DATA_FOLDER}"),
            ));
        }
        if settings.data_folder.is_some() {
            return Err(at(n, format!("{DATA_FOLDER} is set twice")));
        }
        let value = unquote(value.trim());
        if value.is_empty() {
            return Err(at(n, format!("{DATA_FOLDER} is empty; give a folder")));
        }
        let expanded = expand(value, env).map_err(|m| at(n, m))?;
        let folder = PathBuf::from(&expanded);
        if !is_absolute(&expanded) {
            return Err(at(
                n,
                format!(
                    "{DATA_FOLDER} = {expanded} is not a full path (such as D:\\securebase or \\\\server\\share\\securebase)"
                ),
            ));
        }
        settings.data_folder = Some(folder);
    }
    Ok(settings)
}

/// Strips one pair of matching quotes, which people add around paths with spaces.
fn unquote(value: &str) -> &str {
    for quote in ['"', '\''] {
        if let Some(inner) = value
            .strip_prefix(quote)
            .and_then(|v| v.strip_suffix(quote))
        {
            return inner;
        }
    }
    value
}

/// Replaces `%NAME%` with the environment variable `NAME` (`%%` is a `%`), so that one file
/// can give each user their own folder (`\\server\securebase\%USERNAME%`).
fn expand(value: &str, env: &dyn Fn(&str) -> Option<String>) -> Result<String, String> {
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(start) = rest.find('%') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        let Some(end) = after.find('%') else {
            return Err(format!(
                "{value:?} has a % without its closing %; write %% for a % sign"
            ));
        };
        let name = &after[..end];
        if name.is_empty() {
            out.push('%');
        } else {
            match env(name) {
                Some(v) => out.push_str(&v),
                None => {
                    return Err(format!(
                        "{value:?} names %{name}%, which is not set for this user"
                    ));
                }
            }
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Whether `path` is a full path on this system (or, on Windows, a UNC path).
fn is_absolute(path: &str) -> bool {
    Path::new(path).is_absolute() || (cfg!(windows) && path.starts_with(r"\\"))
}

/// The text of a machine settings file that sets `data_folder` (what the installer writes).
pub fn render(data_folder: &Path) -> String {
    let mut text = String::new();
    let _ = writeln!(
        text,
        "; securebase machine settings: used by every user of this computer."
    );
    let _ = writeln!(
        text,
        "; Written by `securebase machine-settings`; see docs/install.md in securebase's documentation."
    );
    let _ = writeln!(text, "[{SECTION}]");
    let _ = writeln!(text, "{DATA_FOLDER} = {}", data_folder.display());
    if cfg!(windows) {
        text.replace('\n', "\r\n")
    } else {
        text
    }
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "in tests a panic is a failure"
)]
mod tests {
    use super::*;

    fn env(name: &str) -> Option<String> {
        (name == "USERNAME").then(|| "dr-ana".to_owned())
    }

    fn check(text: &str) -> Result<Option<PathBuf>, String> {
        parse(Path::new("machine.ini"), text, &env)
            .map(|s| s.data_folder)
            .map_err(|e| e.to_string())
    }

    #[cfg(unix)]
    const ROOT: &str = "/srv/securebase";
    #[cfg(windows)]
    const ROOT: &str = r"D:\securebase";

    #[test]
    fn a_data_folder_with_comments_quotes_and_a_variable() {
        let text = format!(
            "; comment\r\n# another\r\n\r\n[SecureBase]\r\n  Data_Folder = \"{ROOT}/%USERNAME%\"  \r\n"
        );
        assert_eq!(
            check(&text),
            Ok(Some(PathBuf::from(format!("{ROOT}/dr-ana"))))
        );
        assert_eq!(check(&format!("data_folder={ROOT}")), Ok(Some(ROOT.into())));
        assert_eq!(
            check(&format!("data_folder = {ROOT}/100%%")),
            Ok(Some(PathBuf::from(format!("{ROOT}/100%"))))
        );
        assert_eq!(check("; nothing set\n"), Ok(None));
    }

    #[test]
    fn every_mistake_names_its_line() {
        let cases = [
            (
                "[securebase]\ndata_folder =\n",
                "line 2: data_folder is empty",
            ),
            ("[other]\n", "line 1: unknown section [other]"),
            ("[securebase\n", "line 1: \"[securebase\" opens a section"),
            (
                "\n\ndatafolder = x\n",
                "line 3: unknown setting \"datafolder\"",
            ),
            ("just words\n", "line 1: \"just words\" is not a setting"),
            (
                "data_folder = relative\\path\n",
                "line 1: data_folder = relative\\path is not a full path",
            ),
            (
                "data_folder = %HOMEPATH%\\x\n",
                "line 1: \"%HOMEPATH%\\\\x\" names %HOMEPATH%, which is not set",
            ),
            (
                "data_folder = 50%\n",
                "line 1: \"50%\" has a % without its closing %",
            ),
        ];
        for (text, expected) in cases {
            let err = check(text).expect_err(text);
            assert!(
                err.contains(&format!("machine.ini, {expected}")),
                "{text:?}: {err}"
            );
        }
        let twice = format!("data_folder = {ROOT}\ndata_folder = {ROOT}\n");
        assert!(
            check(&twice)
                .unwrap_err()
                .contains("line 2: data_folder is set twice")
        );
    }

    #[test]
    fn utf8_and_utf16_files_with_their_marks() {
        let text = format!("[securebase]\r\ndata_folder = {ROOT}\r\n");
        let mut little_endian = vec![0xFF, 0xFE];
        little_endian.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        let mut big_endian = vec![0xFE, 0xFF];
        big_endian.extend(text.encode_utf16().flat_map(u16::to_be_bytes));
        let mut with_mark = vec![0xEF, 0xBB, 0xBF];
        with_mark.extend(text.as_bytes());
        for bytes in [
            little_endian,
            big_endian,
            with_mark,
            text.clone().into_bytes(),
        ] {
            assert_eq!(decode(&bytes).as_deref(), Ok(text.as_str()));
        }
        assert!(decode(&[0xC3, 0x28]).unwrap_err().contains("not UTF-8"));
    }

    #[test]
    fn a_missing_file_is_no_setting_and_a_folder_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(
            load(&dir.path().join("none.ini")),
            Ok(MachineSettings::default())
        );
        let err = load(dir.path()).unwrap_err().to_string();
        assert!(err.contains("not a regular file"), "{err}");
    }

    #[test]
    fn what_the_installer_writes_reads_back() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("securebase.ini");
        let folder = Path::new(ROOT).join("clinic data");
        std::fs::write(&file, render(&folder)).unwrap();
        assert_eq!(load(&file).unwrap().data_folder, Some(folder));
    }
}
