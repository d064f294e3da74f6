# Private Redis and PostgreSQL servers for the dedup store tests (stores/redis.hpp,
# stores/postgres.hpp). Sourced by tools/test.sh, which calls services_start before the
# builds and services_stop on exit. To run the store tests by hand:
#
#   source tests/services.sh && services_start
#   (cd build/dev && ctest -R 'dedup_(redis|postgres)' --output-on-failure)
#   services_stop
#
# Both servers listen on 127.0.0.1 only, on free ports, with their data in temporary
# directories (no persistence); nothing is left behind after services_stop. The tests
# read:
#   JOBWIRE_TEST_REDIS_HOST, JOBWIRE_TEST_REDIS_PORT   Redis
#   JOBWIRE_TEST_PG_CONNINFO                           libpq connection string
#   JOBWIRE_TEST_PG_CTL                                a script: `$JOBWIRE_TEST_PG_CTL down`
#                                                      stops the PostgreSQL server, `up`
#                                                      starts it again on the same port and
#                                                      data (the outbox store's restart test)
# When they are unset the store tests are skipped locally and fail under CI=true.
# services_restart_postgres restarts the server the same way by hand.

_jw_pg_bin=${JOBWIRE_PG_BIN:-/usr/lib/postgresql/15/bin}
_jw_redis_dir=""
_jw_pg_dir=""

_jw_free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# Runs a command as the postgres user when we are root (PostgreSQL refuses to run as
# root), directly otherwise.
_jw_as_pg() {
  if [[ $(id -u) -eq 0 ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

_jw_start_redis() {
  command -v redis-server >/dev/null || { echo "services: redis-server not installed" >&2; return 1; }
  _jw_redis_dir=$(mktemp -d "${TMPDIR:-/tmp}/jobwire-redis.XXXXXX") || return 1
  local port
  port=$(_jw_free_port) || return 1
  redis-server --bind 127.0.0.1 --port "$port" --protected-mode yes \
    --save '' --appendonly no --dir "$_jw_redis_dir" \
    --daemonize yes --pidfile "$_jw_redis_dir/redis.pid" --logfile "$_jw_redis_dir/redis.log" || return 1
  local i
  for i in $(seq 1 100); do
    if [[ "$(redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null)" == PONG ]]; then
      export JOBWIRE_TEST_REDIS_HOST=127.0.0.1 JOBWIRE_TEST_REDIS_PORT=$port
      echo "services: redis-server on 127.0.0.1:$port"
      return 0
    fi
    sleep 0.1
  done
  echo "services: redis-server did not answer" >&2
  cat "$_jw_redis_dir/redis.log" >&2 2>/dev/null
  return 1
}

_jw_start_postgres() {
  [[ -x "$_jw_pg_bin/initdb" ]] || { echo "services: PostgreSQL not found in $_jw_pg_bin" >&2; return 1; }
  _jw_pg_dir=$(mktemp -d "${TMPDIR:-/tmp}/jobwire-pg.XXXXXX") || return 1
  chmod 755 "$_jw_pg_dir"
  [[ $(id -u) -eq 0 ]] && chown postgres: "$_jw_pg_dir"
  local port
  port=$(_jw_free_port) || return 1
  # trust auth for the test role only makes sense because the server listens on
  # loopback and a private socket directory and lives only for the test run.
  _jw_as_pg "$_jw_pg_bin/initdb" -D "$_jw_pg_dir/data" -U jobwire --auth=trust --no-sync -E UTF8 \
    >"$_jw_pg_dir/initdb.log" 2>&1 || { cat "$_jw_pg_dir/initdb.log" >&2; return 1; }
  local opts="-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$_jw_pg_dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=100"
  # The control script the restart test runs (down: a fast shutdown, which ends every
  # session as a server restart does; up: the same server again).
  local as_pg=""
  [[ $(id -u) -eq 0 ]] && as_pg="runuser -u postgres --"
  cat >"$_jw_pg_dir/ctl.sh" <<CTL
#!/usr/bin/env bash
case "\$1" in
  down) exec $as_pg "$_jw_pg_bin/pg_ctl" -D "$_jw_pg_dir/data" -m fast -w -t 15 stop >/dev/null ;;
  up) exec $as_pg "$_jw_pg_bin/pg_ctl" -D "$_jw_pg_dir/data" -l "$_jw_pg_dir/postgres.log" -w -t 15 -o "$opts" start >/dev/null ;;
  *) echo "usage: \$0 down|up" >&2; exit 2 ;;
esac
CTL
  chmod 755 "$_jw_pg_dir/ctl.sh"
  "$_jw_pg_dir/ctl.sh" up || { cat "$_jw_pg_dir/postgres.log" >&2; return 1; }
  local i
  for i in $(seq 1 100); do
    if "$_jw_pg_bin/pg_isready" -q -h 127.0.0.1 -p "$port"; then
      export JOBWIRE_TEST_PG_CONNINFO="host=127.0.0.1 port=$port user=jobwire dbname=postgres connect_timeout=5"
      export JOBWIRE_TEST_PG_CTL="$_jw_pg_dir/ctl.sh"
      echo "services: PostgreSQL on 127.0.0.1:$port"
      return 0
    fi
    sleep 0.1
  done
  echo "services: PostgreSQL did not answer" >&2
  return 1
}

services_start() {
  if ! _jw_start_redis || ! _jw_start_postgres; then
    services_stop
    return 1
  fi
}

# Stops and starts the PostgreSQL server of services_start (same port, same data): every
# open connection breaks, as in a production server restart.
services_restart_postgres() {
  [[ -n "$_jw_pg_dir" && -x "$_jw_pg_dir/ctl.sh" ]] || { echo "services: PostgreSQL is not running" >&2; return 1; }
  "$_jw_pg_dir/ctl.sh" down && "$_jw_pg_dir/ctl.sh" up
}

services_stop() {
  if [[ -n "$_jw_redis_dir" ]]; then
    if [[ -f "$_jw_redis_dir/redis.pid" ]]; then
      local pid
      pid=$(cat "$_jw_redis_dir/redis.pid")
      kill "$pid" 2>/dev/null
      local i
      for i in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    fi
    rm -rf "$_jw_redis_dir"
    _jw_redis_dir=""
  fi
  if [[ -n "$_jw_pg_dir" ]]; then
    if [[ -f "$_jw_pg_dir/data/postmaster.pid" ]]; then
      _jw_as_pg "$_jw_pg_bin/pg_ctl" -D "$_jw_pg_dir/data" -m immediate -w stop >/dev/null 2>&1
    fi
    rm -rf "$_jw_pg_dir"
    _jw_pg_dir=""
  fi
  unset JOBWIRE_TEST_REDIS_HOST JOBWIRE_TEST_REDIS_PORT JOBWIRE_TEST_PG_CONNINFO JOBWIRE_TEST_PG_CTL
  return 0
}
