#!/usr/bin/env bash
# What the test suite uses that pip cannot install, from Debian's packages:
#   postgresql  the PostgreSQL connector's tests start a throw-away cluster of their own
#               (tests/connectors/conftest.py); the system's service is never started
#   chromium    the web app's browser tests drive it headless through Playwright
# Each is installed only when absent. Where nothing can be installed (not root, no apt-get)
# it says so and the tests that need it skip, saying why.
set -euo pipefail

have_postgres() {
  command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1 && return 0
  compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null
}

have_chromium() {
  command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1
}

missing=()
have_postgres || missing+=(postgresql)
have_chromium || missing+=(chromium)
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "services.sh: ${missing[*]} not installed and cannot be (needs root and apt-get);" \
       "the tests that need them will skip" >&2
  exit 0
fi
# policy-rc.d answering 101 stops the packages' scripts from starting services
policy=/usr/sbin/policy-rc.d
created_policy=
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' > "$policy"
  chmod +x "$policy"
  created_policy=1
fi
trap 'if [ -n "$created_policy" ]; then rm -f "$policy"; fi' EXIT
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "${missing[@]}" >/dev/null
