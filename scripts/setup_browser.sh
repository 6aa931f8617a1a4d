#!/usr/bin/env bash
# System packages the dashboard's browser tests need: Debian's chromium in its headless-shell build
# (chromium-headless-shell: the full `chromium` binary calls update.googleapis.com and accounts.google.com
# whatever the flags, which the tests' no-request-leaves-localhost check would see; the shell makes no request
# of its own) and CJK fonts (without them Chinese renders as empty boxes). Installs only what is missing, and only as root (CI is root on a
# fresh Debian machine); otherwise it says what to install and exits 0, so `make env` works for everyone.
set -euo pipefail

missing=()
command -v chromium-headless-shell >/dev/null 2>&1 || missing+=(chromium-headless-shell)
if ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then
    missing+=(fonts-noto-cjk)
fi
if [ "${#missing[@]}" -eq 0 ]; then
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "dashboard browser tests need: ${missing[*]} (apt-get install them as root; tests will be skipped)" >&2
    exit 0
fi
echo "installing ${missing[*]} (Debian packages for the dashboard's browser tests)"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" fontconfig >/dev/null
