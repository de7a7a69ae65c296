#!/usr/bin/env bash
# Services the test suite uses that pip cannot install: a PostgreSQL server for the
# PostgreSQL connector's tests. Installs Debian's `postgresql` package when its binaries
# (initdb, pg_ctl) are absent, without starting the system's service: the tests start a
# throw-away cluster of their own (tests/connectors/conftest.py). Where the package cannot
# be installed (not root, no apt-get), it says so and the PostgreSQL tests skip.
set -euo pipefail

have_postgres() {
  command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1 && return 0
  compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null
}

if have_postgres; then
  exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "services.sh: PostgreSQL is not installed and cannot be (needs root and apt-get);" \
       "the PostgreSQL tests will skip" >&2
  exit 0
fi
# policy-rc.d answering 101 stops the package's scripts from starting the service
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
apt-get install -y -qq postgresql >/dev/null
