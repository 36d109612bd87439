//! Asking for the passphrase: on the terminal (never echoed), or from `SECUREBASE_PASSPHRASE`
//! for scripts.

use age::secrecy::SecretString;
use anyhow::Result;

use super::bad_input;

/// Environment variable holding the passphrase, for scripts.
pub const PASSPHRASE_ENV: &str = "SECUREBASE_PASSPHRASE";
/// Environment variable holding the new passphrase for `change-passphrase`, for scripts.
pub const NEW_PASSPHRASE_ENV: &str = "SECUREBASE_NEW_PASSPHRASE";
/// Environment variable that sets scrypt's work factor for new passphrases. For tests, which
/// would otherwise spend a second per unlock; real use keeps the default.
pub const WORK_FACTOR_ENV: &str = "SECUREBASE_SCRYPT_WORK_FACTOR";

/// The shortest passphrase accepted for a new data folder.
pub const MIN_LENGTH: usize = 8;

/// The passphrase, from the environment or the terminal.
pub fn ask(prompt: &str) -> Result<SecretString> {
    ask_from(PASSPHRASE_ENV, prompt)
}

fn ask_from(env: &str, prompt: &str) -> Result<SecretString> {
    if let Ok(value) = std::env::var(env) {
        return Ok(SecretString::from(value));
    }
    match rpassword::prompt_password(prompt) {
        Ok(p) => Ok(SecretString::from(p)),
        Err(e) => bad_input(format!(
            "cannot ask for the passphrase ({e}); run in a terminal or set {env}"
        )),
    }
}

/// A new passphrase: typed twice on the terminal, at least [`MIN_LENGTH`] characters; or taken
/// from `env` as it is (scripts and tests), with a warning when it is short.
pub fn ask_new(env: &str) -> Result<SecretString> {
    if let Ok(value) = std::env::var(env) {
        // A script chose it: take it as given (a test may use a short one), but say so.
        if value.is_empty() {
            return bad_input(format!("{env} is empty; nothing was changed"));
        }
        if value.chars().count() < MIN_LENGTH {
            eprintln!(
                "securebase: warning: the passphrase in {env} has fewer than {MIN_LENGTH} characters; \
                 choose a longer one for real records"
            );
        }
        return Ok(SecretString::from(value));
    }
    let passphrase = {
        eprintln!(
            "Choose the clinician's passphrase. It unlocks every record in this data folder.\n\
             It cannot be recovered: the records are encrypted with it, and nobody (securebase\n\
             included) can open them without it. Write it down and keep it somewhere safe."
        );
        let first = rpassword::prompt_password("New passphrase: ").or_else(|e| {
            bad_input(format!(
                "cannot ask for a passphrase ({e}); run in a terminal or set {env}"
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
    ask_new(NEW_PASSPHRASE_ENV)
}

/// scrypt's work factor for a new passphrase.
pub fn work_factor() -> Result<u8> {
    match std::env::var(WORK_FACTOR_ENV) {
        Err(_) => Ok(crate::store::DEFAULT_WORK_FACTOR),
        Ok(v) => match v.trim().parse::<u8>() {
            Ok(n) if (1..=22).contains(&n) => Ok(n),
            _ => bad_input(format!("{WORK_FACTOR_ENV} must be a number from 1 to 22")),
        },
    }
}
