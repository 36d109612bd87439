#!/usr/bin/env bash
# Authenticode signing, checked with a throw-away certificate: signs copies of the Windows
# executable and the per-user MSI the way `scripts/package.sh` does with a real certificate,
# checks both signatures, and checks that a changed byte breaks one. Run after
# `scripts/package.sh --windows` (or give the files to sign as arguments).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/sign.sh
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)
files=("$@")
[ ${#files[@]} -gt 0 ] || files=(target/package/bin/securebase.exe "dist/securebase-$version-x64-user.msi")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

openssl req -x509 -newkey rsa:3072 -sha256 -days 2 -nodes -subj "/CN=securebase test signing" \
  -addext "extendedKeyUsage=codeSigning" -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null
printf 'throw-away' > "$work/pass"
openssl pkcs12 -export -inkey "$work/key.pem" -in "$work/cert.pem" -passout "file:$work/pass" \
  -out "$work/test.pfx"
export SECUREBASE_SIGN_PFX="$work/test.pfx" SECUREBASE_SIGN_PASSWORD_FILE="$work/pass"
unset SECUREBASE_SIGN_TIMESTAMP_URL
sign_prepare

for file in "${files[@]}"; do
  copy="$work/$(basename "$file")"
  cp "$file" "$copy"
  osslsigncode verify -in "$copy" >/dev/null 2>&1 && { echo "$file is already signed" >&2; exit 1; }
  sign_file "$copy"
  osslsigncode verify -CAfile "$work/cert.pem" -in "$copy" | grep -q "Signature verification: ok" \
    || { echo "test-signing: $file: the signature does not verify" >&2; exit 1; }
  echo "test-signing: ok: $(basename "$file") signed and verified"
  # One byte of the signed content changed (flipped, a third of the way in): it must fail.
  python3 -c 'import sys; p = sys.argv[1]; b = bytearray(open(p, "rb").read()); b[len(b) // 3] ^= 0xFF; open(p, "wb").write(b)' "$copy"
  if osslsigncode verify -CAfile "$work/cert.pem" -in "$copy" >/dev/null 2>&1; then
    echo "test-signing: $file: a changed byte still verifies" >&2
    exit 1
  fi
  echo "test-signing: ok: $(basename "$file") with one byte changed fails verification"
done
