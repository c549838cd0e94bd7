# Start a private PostgreSQL for the backend tests and export KIOSK_TEST_POSTGRES_URL (sourced by test.sh).
# Its own data folder, port and socket, so it never touches a system cluster; safe to run again (a running
# server is left as it is). As root (CI, no systemd) the server runs as the postgres user via runuser.

kiosk_pg_start() {
  local version bin data port sock
  version="$(ls /usr/lib/postgresql 2>/dev/null | sort -V | tail -n 1)"
  if [ -z "$version" ]; then
    log "PostgreSQL is not installed: apt-get install postgresql (scripts/apt/test-backend.txt)"
    return 1
  fi
  bin="/usr/lib/postgresql/$version/bin"
  port="${KIOSK_PG_PORT:-54329}"
  sock="/tmp/kiosk-pg-$port"
  if [ "$(id -u)" -eq 0 ]; then
    data="${KIOSK_PG_DATA:-/var/lib/postgresql/kiosk-test-$version}"
    as_pg() { runuser -u postgres -- "$@"; }
    mkdir -p "$data" "$sock"
    chown postgres:postgres "$data" "$sock"
  else
    data="${KIOSK_PG_DATA:-$HOME/.cache/kiosk-test-pg-$version}"
    as_pg() { "$@"; }
    mkdir -p "$data" "$sock"
  fi
  chmod 700 "$data"
  if [ ! -s "$data/PG_VERSION" ]; then
    as_pg "$bin/initdb" -D "$data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  fi
  if ! as_pg "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    as_pg "$bin/pg_ctl" -D "$data" -l "$data/server.log" -w -t 60 \
      -o "-p $port -k $sock -c listen_addresses=127.0.0.1 -c max_connections=200" start >/dev/null
  fi
  as_pg "$bin/psql" -h "$sock" -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 -qAt -c \
    "DO \$\$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'kiosk') THEN
       CREATE ROLE kiosk LOGIN CREATEDB PASSWORD 'kiosk'; END IF; END \$\$;
     GRANT pg_signal_backend TO kiosk;" >/dev/null
  export KIOSK_TEST_POSTGRES_URL="postgresql://kiosk:kiosk@127.0.0.1:$port/postgres"
  log "PostgreSQL $version on 127.0.0.1:$port ($data)"
}

kiosk_pg_start
