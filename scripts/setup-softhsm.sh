#!/usr/bin/env bash
# Creates (idempotently) a SoftHSM2 token holding signing keys and certificates from a PKI made by
# make-test-pki.sh. The token directory and config live inside the project, never in /etc.
#   usage: setup-softhsm.sh SOFTHSM_DIR PKI_DIR TOKEN_LABEL USER_PIN_FILE KEY_NAME[:ID] ...
set -euo pipefail
DIR=${1:?}; PKI=${2:?}; LABEL=${3:?}; PIN_FILE=${4:?}; shift 4
MODULE=${KYSO_PKCS11_MODULE:-/usr/lib/softhsm/libsofthsm2.so}
[ -f "$MODULE" ] || { echo "SoftHSM2 module not found at $MODULE (apt-get install softhsm2)" >&2; exit 1; }
mkdir -p "$DIR/tokens"
CONF="$DIR/softhsm2.conf"
[ -f "$CONF" ] || printf 'directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\n' \
  "$(cd "$DIR" && pwd)/tokens" > "$CONF"
export SOFTHSM2_CONF="$CONF"
if [ ! -f "$PIN_FILE" ]; then
  mkdir -p "$(dirname "$PIN_FILE")"
  (umask 077; od -An -N6 -tu4 /dev/urandom | tr -dc 0-9 | head -c 8 > "$PIN_FILE")
fi
PIN=$(cat "$PIN_FILE")
# Plain PKCS#8 copies exist only during an import; remove them whatever happens.
trap 'rm -f "$DIR"/*.p8' EXIT
if ! softhsm2-util --show-slots | grep -qE "Label:[[:space:]]+$LABEL[[:space:]]*$"; then
  softhsm2-util --init-token --free --label "$LABEL" --so-pin "$PIN$PIN" --pin "$PIN" >/dev/null
fi
for spec in "$@"; do
  name=${spec%%:*}; id=${spec#*:}; [ "$id" = "$spec" ] && id=$(printf '%s' "$name" | od -An -tx1 | tr -d ' \n' | head -c 8)
  [ -f "$DIR/$LABEL.$name.done" ] && continue
  if pkcs11-tool --module "$MODULE" --token-label "$LABEL" --login --pin "$PIN" --list-objects --type privkey 2>/dev/null \
      | grep -q "label: *$name\$"; then touch "$DIR/$LABEL.$name.done"; continue; fi
  openssl pkcs8 -topk8 -nocrypt -in "$PKI/$name.key" -out "$DIR/$name.p8"
  softhsm2-util --import "$DIR/$name.p8" --token "$LABEL" --label "$name" --id "$id" --pin "$PIN" >/dev/null
  rm -f "$DIR/$name.p8"
  pkcs11-tool --module "$MODULE" --token-label "$LABEL" --login --pin "$PIN" \
    --write-object "$PKI/$name.der" --type cert --label "$name" --id "$id" >/dev/null
  touch "$DIR/$LABEL.$name.done"
done
# CA certificates as public objects, so a token carries its whole chain like a real one.
for ca in issuing-ca root-ca; do
  [ -f "$DIR/$LABEL.$ca.done" ] && continue
  if pkcs11-tool --module "$MODULE" --token-label "$LABEL" --list-objects --type cert 2>/dev/null \
      | grep -q "label: *$ca\$"; then touch "$DIR/$LABEL.$ca.done"; continue; fi
  pkcs11-tool --module "$MODULE" --token-label "$LABEL" --login --pin "$PIN" \
    --write-object "$PKI/$ca.der" --type cert --label "$ca" >/dev/null
  touch "$DIR/$LABEL.$ca.done"
done
echo "SoftHSM2 token '$LABEL' ready in $DIR"
