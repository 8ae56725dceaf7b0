#!/usr/bin/env bash
# A PostgreSQL server from Debian's packages on loopback for helpdesk's tests and benchmarks.
# The cluster (initdb), its socket, log and PID live under $PG_DIR; /etc and the system cluster are not touched.
# PostgreSQL refuses to run as root: as root the server runs as the `postgres` user the package creates (or a
# `helpdesk-pg` system user made here). The role $PG_ROLE (a superuser) signs in with $PG_PASSWORD over TCP.
# With PG_WATCH=<pid> the server is stopped (by its PID) when that process ends and $PG_DIR is removed, so a test
# run leaves nothing behind.
# Usage: server.sh install|start|stop|status.
set -euo pipefail
PG_DIR=${PG_DIR:-/tmp/helpdesk-pg}
PG_PORT=${PG_PORT:-15432}
PG_ROLE=${PG_ROLE:-helpdesk}
PG_PASSWORD=${PG_PASSWORD:-helpdesk-test}
HOST=127.0.0.1

log() { printf "[pg %s] %s\n" "$(date +%T.%3N)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
alive() { [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null && [ "$(ps -o stat= -p "$1" 2>/dev/null | cut -c1)" != Z ]; }
bindir() {
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -x "$d/initdb" ] || die "PostgreSQL is not installed (tests/run-all.sh installs the Debian package postgresql)"
  echo "$d"
}
pid() { head -n 1 "$PG_DIR/data/postmaster.pid" 2>/dev/null || true; }

# Who runs the server: ourselves, or as root an unprivileged system user.
runner() {
  if [ "$(id -u)" != 0 ]; then id -un; return; fi
  if id postgres >/dev/null 2>&1; then echo postgres; return; fi
  id helpdesk-pg >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin helpdesk-pg
  echo helpdesk-pg
}
as_runner() {
  local u=$1; shift
  if [ "$(id -un)" = "$u" ]; then "$@"; else runuser -u "$u" -- "$@"; fi
}

install() {
  [ "$(id -u)" = 0 ] || die "install needs root"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >/dev/null
}

start() {
  local bin u p
  bin=$(bindir)
  u=$(runner)
  mkdir -p "$PG_DIR/run" "$PG_DIR/log"
  if alive "$(pid)"; then return 0; fi
  if [ ! -s "$PG_DIR/data/PG_VERSION" ]; then
    rm -rf "$PG_DIR/data"
    printf '%s\n' "$PG_PASSWORD" > "$PG_DIR/pwfile"
    chmod 600 "$PG_DIR/pwfile"
    [ "$(id -u)" = 0 ] && chown -R "$u" "$PG_DIR"
    as_runner "$u" "$bin/initdb" -D "$PG_DIR/data" -U "$PG_ROLE" --pwfile="$PG_DIR/pwfile" -E UTF8 --locale=C.UTF-8 \
      --auth-local=trust --auth-host=scram-sha-256 --no-sync >"$PG_DIR/log/initdb.log" 2>&1 \
      || die "initdb failed: $(tail -n 3 "$PG_DIR/log/initdb.log")"
    rm -f "$PG_DIR/pwfile"
  fi
  tls
  [ "$(id -u)" = 0 ] && chown -R "$u" "$PG_DIR"
  # A test server: durability is not needed, speed is.
  as_runner "$u" "$bin/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/log/postgres.log" -w -t 30 start -o \
    "-p $PG_PORT -k $PG_DIR/run -c listen_addresses=$HOST -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200 -c ssl=on -c ssl_cert_file=$PG_DIR/tls/server.pem -c ssl_key_file=$PG_DIR/tls/server.key" \
    </dev/null >/dev/null 2>&1 || die "postgres did not start: $(tail -n 5 "$PG_DIR/log/postgres.log")"
  p=$(pid)
  alive "$p" || die "postgres is not running (see $PG_DIR/log/postgres.log)"
  if [ -n "${PG_WATCH:-}" ]; then
    setsid bash -c "while kill -0 $PG_WATCH 2>/dev/null; do sleep 0.5; done; kill -INT $p 2>/dev/null
      while kill -0 $p 2>/dev/null; do sleep 0.1; done; rm -rf '$PG_DIR'" \
      </dev/null >/dev/null 2>&1 &
  fi
  log "ready: postgres://$PG_ROLE@$HOST:$PG_PORT/postgres (pid $p)"
}

# A CA of its own ($PG_DIR/tls/ca.pem) and a certificate for $HOST signed by it: clients that verify connect with
# sslrootcert=$PG_DIR/tls/ca.pem; plain connections are still accepted.
tls() {
  local t=$PG_DIR/tls
  [ -s "$t/server.pem" ] && return 0
  mkdir -p "$t"
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=helpdesk test CA" -keyout "$t/ca.key" -out "$t/ca.pem" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign" >/dev/null 2>&1 || die "openssl: CA"
  openssl req -newkey rsa:2048 -nodes -subj "/CN=$HOST" -keyout "$t/server.key" -out "$t/server.csr" >/dev/null 2>&1 \
    || die "openssl: server key"
  printf 'subjectAltName=IP:%s\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' "$HOST" > "$t/ext.cnf"
  openssl x509 -req -in "$t/server.csr" -CA "$t/ca.pem" -CAkey "$t/ca.key" -CAcreateserial -days 2 \
    -extfile "$t/ext.cnf" -out "$t/server.pem" >/dev/null 2>&1 || die "openssl: server certificate"
  chmod 600 "$t/server.key" "$t/ca.key"
}

stop() {
  local p
  p=$(pid)
  alive "$p" || return 0
  # SIGINT is PostgreSQL's fast shutdown: open sessions are ended, nothing waits on a client.
  kill -INT "$p" 2>/dev/null || true
  for _ in $(seq 1 200); do alive "$p" || return 0; sleep 0.05; done
  kill -KILL "$p" 2>/dev/null || true
}

case "${1:-}" in
  install) install ;;
  start) start ;;
  stop) stop ;;
  status) alive "$(pid)" && echo "postgres running (pid $(pid))" || echo "postgres stopped" ;;
  *) echo "usage: $0 install|start|stop|status" >&2; exit 2 ;;
esac
