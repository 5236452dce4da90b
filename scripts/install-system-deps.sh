#!/usr/bin/env bash
# Installs what Kyso's tests and demo need on a Debian machine, only when missing. Fails loudly: a
# missing dependency is an error, never a skipped test.
set -euo pipefail
need_apt=()
command -v softhsm2-util >/dev/null || need_apt+=(softhsm2)
command -v pkcs11-tool >/dev/null || need_apt+=(opensc)
command -v pdfsig >/dev/null || need_apt+=(poppler-utils)
command -v qpdf >/dev/null || need_apt+=(qpdf)
command -v openssl >/dev/null || need_apt+=(openssl)
# Validates the ETSI TS 119 102-2 reports against their schema in the tests.
command -v xmllint >/dev/null || need_apt+=(libxml2-utils)
[ -x /usr/bin/time ] || need_apt+=(time)
# The browser of the end-to-end tests (Debian's; browser downloads are not used).
[ "${KYSO_SKIP_INTEROP_INSTALL:-}" = 1 ] || [ -x /usr/bin/chromium ] || need_apt+=(chromium fonts-dejavu-core)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "installing ${need_apt[*]}"
  SUDO=; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi
if [ "${KYSO_SKIP_INTEROP_INSTALL:-}" != 1 ] && ! command -v pyhanko >/dev/null; then
  echo "installing pyHanko"
  python3 -m pip install -q --disable-pip-version-check pyhanko pyhanko-cli
  command -v pyenv >/dev/null && pyenv rehash || true
fi
[ "${KYSO_SKIP_INTEROP_INSTALL:-}" = 1 ] || [ -x /usr/bin/chromium ] || { echo "missing after install: chromium" >&2; exit 1; }
for tool in softhsm2-util pkcs11-tool pdfsig qpdf openssl xmllint; do
  command -v "$tool" >/dev/null || { echo "missing after install: $tool" >&2; exit 1; }
done
[ -f /usr/lib/softhsm/libsofthsm2.so ] || { echo "SoftHSM2 module missing: /usr/lib/softhsm/libsofthsm2.so" >&2; exit 1; }
