#!/usr/bin/env bash
# Test services: a throwaway PostgreSQL on a free loopback port and Debian's Chromium.
# Sourced by scripts/test.sh; exports ENCOURS_TEST_POSTGRES_URL and ENCOURS_TEST_CHROMIUM.
set -euo pipefail

apt_updated=0
apt_install() {
  if [ "$apt_updated" = 0 ]; then apt-get update -qq >/dev/null; apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

start_postgres() {
  if [ -z "$(pg_bin)" ]; then apt_install postgresql; fi
  local bin; bin=$(pg_bin)
  local dir; dir=$(mktemp -d /tmp/encours-pg.XXXXXX)
  local port; port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  local run=(); if [ "$(id -u)" = 0 ]; then chown postgres "$dir"; run=(runuser -u postgres --); fi
  "${run[@]}" "$bin/initdb" -D "$dir/data" -U encours --auth=trust -E UTF8 >/dev/null
  "${run[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w \
    -o "-h 127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off" start >/dev/null
  "$bin/createdb" -h 127.0.0.1 -p "$port" -U encours encours_test
  export ENCOURS_TEST_POSTGRES_URL="postgresql+psycopg://encours@127.0.0.1:$port/encours_test"
  export ENCOURS_TEST_POSTGRES_STOP="${run[*]} $bin/pg_ctl -D $dir/data -m immediate stop"
}

ensure_chromium() {
  if ! command -v chromium >/dev/null 2>&1; then apt_install chromium fonts-dejavu-core; fi
  export ENCOURS_TEST_CHROMIUM="$(command -v chromium)"
}
