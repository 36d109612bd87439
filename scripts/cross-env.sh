# Sourced by the scripts that build for another system (build-windows.sh, test-windows.sh,
# check-other-targets.sh). Installs Debian's rustc-web 1.96 pair and the MinGW linker when
# missing, and points cargo at them. rustup's toolchain has only the Linux target and no std
# source; Debian's rustc-web with rust-web-src builds std for the target (-Zbuild-std).
# The cross builds go to target/cross, so they never invalidate the Linux build in target/.

cross_need="rustc-web rust-web-src cargo-web rust-web-clippy gcc-mingw-w64-x86-64-posix"

cross_install() {
  local missing="" p
  for p in "$@"; do
    dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
  done
  [ -z "$missing" ] && return 0
  if ! command -v apt-get >/dev/null; then
    echo "$0: needs the Debian packages$missing (and apt-get to install them)" >&2
    exit 1
  fi
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "$0: installing$missing" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
}

cross_install $cross_need
# The pair must be new enough for the project's rust-version (1.95); bookworm-security has 1.96.
cross_version=$(/usr/bin/rustc --version | awk '{ print $2 }')
case "$cross_version" in
  1.9[5-9]* | 1.[1-9][0-9][0-9]* | [2-9].*) ;;
  *) echo "$0: Debian's rustc-web is $cross_version; 1.95 or later is needed (apt-get update, then install rustc-web and rust-web-src again)" >&2
     exit 1 ;;
esac

# Debian's cargo, rustc and cargo-clippy, not rustup's proxies (which come first on PATH).
export PATH="/usr/bin:$PATH"
export CARGO=/usr/bin/cargo RUSTC=/usr/bin/rustc RUSTDOC=/usr/bin/rustdoc
# -Zbuild-std is unstable; the packaged compiler is a stable release.
export RUSTC_BOOTSTRAP=1
export CARGO_TARGET_X86_64_PC_WINDOWS_GNU_LINKER=x86_64-w64-mingw32-gcc-posix
export CARGO_TARGET_X86_64_PC_WINDOWS_GNU_AR=x86_64-w64-mingw32-gcc-ar-posix
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
cross_target_dir="$PWD/target/cross"
# The cargo profile of the Windows build: release (what a clinic gets), or smoke (CI's, built
# only to be run under Wine; see Cargo.toml).
build_profile="${SECUREBASE_BUILD_PROFILE:-release}"
windows_out="$cross_target_dir/x86_64-pc-windows-gnu/$build_profile"
