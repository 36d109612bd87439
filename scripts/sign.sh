# Sourced by package.sh and test-signing.sh: Authenticode signing of .exe and .msi files with
# osslsigncode (Debian), when a certificate is given:
#   SECUREBASE_SIGN_PFX            the certificate and its key, PKCS#12 (.pfx / .p12)
#   SECUREBASE_SIGN_PASSWORD_FILE  a file holding its password (or SECUREBASE_SIGN_PASSWORD)
#   SECUREBASE_SIGN_TIMESTAMP_URL  an RFC 3161 timestamp server (optional; needs the network)
# The password goes to osslsigncode in a file, never on a command line that `ps` shows.

signing_wanted() { [ -n "${SECUREBASE_SIGN_PFX:-}" ]; }

# The password file to hand to osslsigncode and openssl (a private copy when it came in the
# environment); sets sign_passfile.
sign_prepare() {
  command -v osslsigncode >/dev/null || {
    local sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends osslsigncode >/dev/null
  }
  [ -f "$SECUREBASE_SIGN_PFX" ] || { echo "$0: SECUREBASE_SIGN_PFX: no file $SECUREBASE_SIGN_PFX" >&2; exit 2; }
  if [ -n "${SECUREBASE_SIGN_PASSWORD_FILE:-}" ]; then
    sign_passfile="$SECUREBASE_SIGN_PASSWORD_FILE"
  else
    sign_passfile=$(mktemp)
    chmod 600 "$sign_passfile"
    printf '%s' "${SECUREBASE_SIGN_PASSWORD:-}" > "$sign_passfile"
  fi
  # The certificates of the .pfx, to check each signature against.
  sign_certs=$(mktemp)
  openssl pkcs12 -in "$SECUREBASE_SIGN_PFX" -nokeys -passin "file:$sign_passfile" \
    -out "$sign_certs" 2>/dev/null \
    || openssl pkcs12 -legacy -in "$SECUREBASE_SIGN_PFX" -nokeys -passin "file:$sign_passfile" -out "$sign_certs"
}

# Signs FILE in place (SHA-256), then checks the signature against the certificate.
sign_file() {
  local file=$1 signed="$1.signed"
  local args=(sign -pkcs12 "$SECUREBASE_SIGN_PFX" -readpass "$sign_passfile" -h sha256
    -n securebase -i https://securebase.app)
  [ -n "${SECUREBASE_SIGN_TIMESTAMP_URL:-}" ] && args+=(-ts "$SECUREBASE_SIGN_TIMESTAMP_URL")
  rm -f "$signed"
  osslsigncode "${args[@]}" -in "$file" -out "$signed" >/dev/null
  mv "$signed" "$file"
  sign_check "$file"
}

# Checks FILE's Authenticode signature against the certificate's chain.
sign_check() {
  osslsigncode verify -CAfile "$sign_certs" -in "$1" >/dev/null \
    || { echo "$0: the signature of $1 does not verify" >&2; return 1; }
}
