//! `securebase machine-settings`: what IT sets for every user of a PC (see
//! [`crate::store::machine_settings`]), and where the data folder is, and why.

use anyhow::Result;

use super::{BadInput, MachineSettingsArgs};
use crate::store::{machine_settings, paths};

/// Shows the machine settings and the data folder in use; or sets or clears the data folder.
pub fn run(args: &MachineSettingsArgs, explicit: Option<std::path::PathBuf>) -> Result<()> {
    let file = machine_settings::path();
    if let Some(folder) = &args.data_folder {
        // Its plain full form: `D:\data\.` (what the installer passes) is `D:\data`.
        let folder = &std::path::absolute(folder)
            .map_err(|e| BadInput(format!("{}: {e}", folder.display())))?;
        let text = machine_settings::render(folder);
        // What is written must read back: check it as the app will.
        machine_settings::parse(&file, &text, &|name| std::env::var(name).ok())
            .map_err(|e| BadInput(e.to_string()))?;
        if let Some(parent) = file.parent() {
            std::fs::create_dir_all(parent).map_err(|e| {
                anyhow::anyhow!(
                    "cannot create {}: {e} (run it as an administrator)",
                    parent.display()
                )
            })?;
        }
        crate::atomic::write_atomic(&file, text.as_bytes()).map_err(|e| {
            anyhow::anyhow!(
                "cannot write {}: {e} (run it as an administrator)",
                file.display()
            )
        })?;
        println!(
            "{}: the data folder of every user of this computer is {}",
            file.display(),
            folder.display()
        );
        return Ok(());
    }
    if args.clear {
        match std::fs::remove_file(&file) {
            Ok(()) => println!("{}: removed", file.display()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                println!("{}: there is none", file.display());
            }
            Err(e) => anyhow::bail!("cannot remove {}: {e}", file.display()),
        }
        return Ok(());
    }
    match machine_settings::load(&file) {
        Ok(settings) => match &settings.data_folder {
            Some(folder) => println!(
                "Machine settings: {} sets data_folder = {}",
                file.display(),
                folder.display()
            ),
            None => println!("Machine settings: none ({} sets nothing)", file.display()),
        },
        Err(e) => return Err(BadInput(e.to_string()).into()),
    }
    let candidates = paths::candidates(explicit).map_err(|e| BadInput(e.to_string()))?;
    match paths::plan(&candidates, &paths::contents) {
        Some(location) => {
            println!(
                "Data folder: {} (from {})",
                location.dir.display(),
                location.source
            );
            if let Some(from) = &location.move_from {
                println!(
                    "  It is at {} now (Roaming), and moves there when securebase next opens it.",
                    from.display()
                );
            }
            if let Some(notice) = &location.notice {
                println!("  {notice}");
            }
        }
        None => println!("Data folder: none (no home folder; pass --data-dir)"),
    }
    Ok(())
}
