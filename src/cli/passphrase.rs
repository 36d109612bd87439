//! Asking for the passphrase: on the terminal (never echoed), or from `SECUREBASE_PASSPHRASE`
//! for scripts (the names and readers are in [`crate::env`]).

use age::secrecy::SecretString;
use anyhow::Result;

use super::bad_input;
use crate::env;

/// The shortest passphrase accepted for a new data folder.
pub const MIN_LENGTH: usize = 8;

/// The passphrase, from the environment or the terminal.
pub fn ask(prompt: &str) -> Result<SecretString> {
    ask_from(env::PASSPHRASE, prompt)
}

fn ask_from(name: &str, prompt: &str) -> Result<SecretString> {
    if let Some(value) = env::passphrase(name) {
        return Ok(SecretString::from(value));
    }
    match rpassword::prompt_password(prompt) {
        Ok(p) => Ok(SecretString::from(p)),
        Err(e) => bad_input(format!(
            "cannot ask for the passphrase ({e}); run in a terminal or set {name}"
        )),
    }
}

/// A new passphrase: typed twice on the terminal, at least [`MIN_LENGTH`] characters; or taken
/// from `env` as it is (scripts and tests), with a warning when it is short.
pub fn ask_new(name: &str) -> Result<SecretString> {
    if let Some(value) = env::passphrase(name) {
        // A script chose it: take it as given (a test may use a short one), but say so.
        if value.is_empty() {
            return bad_input(format!("{name} is empty; nothing was changed"));
        }
        if value.chars().count() < MIN_LENGTH {
            eprintln!(
                "securebase: warning: the passphrase in {name} has fewer than {MIN_LENGTH} characters; \
                 choose a longer one for real records"
            );
        }
        return Ok(SecretString::from(value));
    }
    let passphrase = {
        eprintln!(
            "Choose the clinician's passphrase. It unlocks every record in this data folder.\n\
             The records are encrypted, and nobody (securebase included) can open them without\n\
             a passphrase or the recovery sheet. Write it down and keep it somewhere safe."
        );
        let first = rpassword::prompt_password("New passphrase: ").or_else(|e| {
            bad_input(format!(
                "cannot ask for a passphrase ({e}); run in a terminal or set {name}"
            ))
        })?;
        let second = rpassword::prompt_password("Type it again: ")?;
        if first != second {
            return bad_input("the two passphrases differ; nothing was changed");
        }
        first
    };
    if passphrase.chars().count() < MIN_LENGTH {
        return bad_input(format!(
            "a passphrase needs at least {MIN_LENGTH} characters; nothing was changed"
        ));
    }
    Ok(SecretString::from(passphrase))
}

/// The new passphrase for `change-passphrase`.
pub fn ask_changed() -> Result<SecretString> {
    ask_new(env::NEW_PASSPHRASE)
}

/// scrypt's work factor for a new passphrase; a warning on stderr when the variable sets it.
/// Below the floor of this build ([`crate::store::MIN_WORK_FACTOR`]) it is refused.
pub fn work_factor() -> Result<u8> {
    match env::work_factor(
        crate::store::DEFAULT_WORK_FACTOR,
        crate::store::MIN_WORK_FACTOR,
    ) {
        Ok(factor) => {
            if let Some(warning) = factor.notice() {
                eprintln!("securebase: warning: {warning}");
            }
            Ok(factor.log_n)
        }
        Err(e) => bad_input(e.to_string()),
    }
}
