//! Windows builds only: compiles the icon and the version information (what Explorer shows in
//! a file's Properties, and what IT's inventory tools read) into the executables, with the
//! resource compiler of the MinGW toolchain. Other targets need nothing.

use std::env;
use std::path::PathBuf;
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=assets/icon/securebase.ico");
    println!("cargo:rerun-if-env-changed=WINDRES");
    if env::var("CARGO_CFG_TARGET_OS").as_deref() != Ok("windows") {
        return;
    }
    if env::var("CARGO_CFG_TARGET_ENV").as_deref() != Ok("gnu") {
        println!(
            "cargo:warning=the icon and version information are compiled in for the \
             windows-gnu target only (scripts/build-windows.sh); this build has neither"
        );
        return;
    }
    let (Ok(out), Ok(manifest_dir), Ok(arch)) = (
        env::var("OUT_DIR"),
        env::var("CARGO_MANIFEST_DIR"),
        env::var("CARGO_CFG_TARGET_ARCH"),
    ) else {
        panic!("cargo did not set OUT_DIR, CARGO_MANIFEST_DIR or CARGO_CFG_TARGET_ARCH");
    };
    let out = PathBuf::from(out);
    let icon = PathBuf::from(manifest_dir).join("assets/icon/securebase.ico");
    let version = env::var("CARGO_PKG_VERSION").unwrap_or_default();
    let numbers: Vec<u32> = version
        .split(['.', '-', '+'])
        .take(3)
        .map(|n| n.parse().unwrap_or(0))
        .collect();
    let [major, minor, patch] = [0, 1, 2].map(|i| numbers.get(i).copied().unwrap_or(0));
    let rc = format!(
        r#"#include <winver.h>
1 ICON "{icon}"
1 VERSIONINFO
FILEVERSION {major},{minor},{patch},0
PRODUCTVERSION {major},{minor},{patch},0
FILEOS VOS_NT_WINDOWS32
FILETYPE VFT_APP
BEGIN
  BLOCK "StringFileInfo"
  BEGIN
    BLOCK "040904B0"
    BEGIN
      VALUE "CompanyName", "securebase"
      VALUE "FileDescription", "securebase: adult attachment assessment"
      VALUE "FileVersion", "{version}"
      VALUE "InternalName", "securebase"
      VALUE "LegalCopyright", "MIT OR Apache-2.0"
      VALUE "ProductName", "securebase"
      VALUE "ProductVersion", "{version}"
    END
  END
  BLOCK "VarFileInfo"
  BEGIN
    VALUE "Translation", 0x409, 1200
  END
END
"#,
        icon = icon.display().to_string().replace('\\', "/"),
    );
    let rc_path = out.join("securebase.rc");
    let res_path = out.join("securebase-resources.o");
    if let Err(e) = std::fs::write(&rc_path, rc) {
        panic!("cannot write {}: {e}", rc_path.display());
    }
    let explicit = env::var("WINDRES").ok();
    let windres = explicit.clone().unwrap_or_else(|| {
        if cfg!(windows) {
            "windres".to_owned()
        } else {
            format!("{arch}-w64-mingw32-windres")
        }
    });
    let status = Command::new(&windres)
        .arg("--input")
        .arg(&rc_path)
        .arg("--output-format=coff")
        .arg("--output")
        .arg(&res_path)
        .status();
    match status {
        Ok(s) if s.success() => {}
        Ok(s) => panic!("{windres} failed ({s}) on {}", rc_path.display()),
        // Built on Windows itself without MinGW on PATH: the programs work, only without
        // the icon. A cross build (the release packages) must have it.
        Err(e) if cfg!(windows) && explicit.is_none() => {
            println!(
                "cargo:warning=no windres on PATH ({e}): the executables have no icon or \
                 version information"
            );
            return;
        }
        Err(e) => panic!(
            "cannot run {windres} ({e}): install the MinGW toolchain (Debian: \
             gcc-mingw-w64-x86-64-posix), or set WINDRES"
        ),
    }
    // Bins only: the test harnesses need no icon.
    println!("cargo:rustc-link-arg-bins={}", res_path.display());
}
