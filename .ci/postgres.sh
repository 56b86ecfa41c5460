#!/usr/bin/env bash
# Starts a private PostgreSQL for the datastore contract tests and prints the URL to export as
# TRUSTMESH_TEST_POSTGRES_URL. Usage: eval "$(.ci/postgres.sh start DIR)"; ...; .ci/postgres.sh stop DIR
# '.ci/postgres.sh restart DIR' restarts it on the same port (the HA suite restarts its own under load).
# Installs PostgreSQL with apt-get when it is missing. Listens on 127.0.0.1 only.
set -euo pipefail
cmd="${1:?start|restart|stop}"
dir="${2:?data directory}"

bin=""
for d in /usr/lib/postgresql/*/bin; do
  [ -x "$d/pg_ctl" ] && bin="$d"
done
if [ -z "$bin" ] && [ "$cmd" = start ]; then
  echo "ci: installing postgresql" >&2
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  for d in /usr/lib/postgresql/*/bin; do
    [ -x "$d/pg_ctl" ] && bin="$d"
  done
fi

as_pg() {
  if [ "$(id -u)" = 0 ]; then
    su postgres -s /bin/sh -c "$*"
  else
    sh -c "$*"
  fi
}

case "$cmd" in
  start)
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres "$dir"
    as_pg "'$bin/initdb' -D '$dir/data' -A trust -U postgres >/dev/null"
    as_pg "'$bin/pg_ctl' -D '$dir/data' -l '$dir/log' -o \"-c listen_addresses=127.0.0.1 -p $port -k '$dir'\" -w start >/dev/null"
    as_pg "'$bin/psql' -h 127.0.0.1 -p $port -U postgres -q -c \"CREATE USER trustmesh PASSWORD 'trustmesh'\" -c 'CREATE DATABASE trustmesh OWNER trustmesh'" >/dev/null
    echo "export TRUSTMESH_TEST_POSTGRES_URL=postgres://trustmesh:trustmesh@127.0.0.1:$port/trustmesh"
    ;;
  restart)
    as_pg "'$bin/pg_ctl' -D '$dir/data' -l '$dir/log' -m fast -w restart >/dev/null"
    ;;
  stop)
    [ -d "$dir/data" ] && as_pg "'$bin/pg_ctl' -D '$dir/data' -m fast -w stop >/dev/null" || true
    ;;
esac
