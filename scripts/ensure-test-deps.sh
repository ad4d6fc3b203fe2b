#!/usr/bin/env bash
# Installs the system programs the test suite runs against, when they are missing:
#   /usr/bin/chromium        browser tests (playwright-core drives Debian's Chromium)
#   /usr/sbin/mosquitto      broker-interop tests (an independent MQTT 3.1.1 / 5 broker)
#   /usr/bin/mosquitto_sub   interop with mosquitto's clients and an emulator-issued certificate
#   Debian's python3 + paho  the Python client written from docs/protocol.md (/usr/bin/python3)
# `pnpm test` runs this first, so the README's test command alone passes on a fresh Debian
# machine as root. Anywhere else it says what to install and stops, rather than letting
# tests fail one by one.
set -euo pipefail

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -x /usr/sbin/mosquitto ] || missing+=(mosquitto)
[ -x /usr/bin/mosquitto_sub ] || missing+=(mosquitto-clients)
if ! /usr/bin/python3 -c 'import paho.mqtt' >/dev/null 2>&1; then missing+=(python3-paho-mqtt); fi

[ ${#missing[@]} -eq 0 ] && exit 0

if [ "${WEBCOMM_SKIP_SYSTEM_DEPS:-}" = "1" ]; then
  echo "ensure-test-deps: WEBCOMM_SKIP_SYSTEM_DEPS=1, not installing: ${missing[*]} (tests needing them will fail)" >&2
  exit 0
fi

explain() {
  cat >&2 <<MSG
ensure-test-deps: the tests need these system packages, which are missing: ${missing[*]}
  $1
  On Debian or Ubuntu, as root:  apt-get update && apt-get install -y ${missing[*]}
  Elsewhere: install Chromium at /usr/bin/chromium, the mosquitto broker and clients, and
  Python 3 with paho-mqtt, then run the tests again.
MSG
  exit 1
}

command -v apt-get >/dev/null 2>&1 || explain "This is not a Debian-like system (no apt-get), so they cannot be installed automatically."
[ "$(id -u)" -eq 0 ] || explain "Installing them needs root (you are $(id -un))."

echo "ensure-test-deps: installing ${missing[*]} with apt-get (first run only)"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
