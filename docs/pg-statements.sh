#!/usr/bin/env bash
# Counts what PostgreSQL does for each workflow (or heartbeat) of openswf's benchmark:
# statements (calls, plans, buffers, WAL records and bytes, execution time),
# per unit of work, and the tables' inserts, updates (HOT or not) and deletes.
# Unlike workflows/s, these counts do not drift with a shared machine's
# speed: they tell a change to the PostgreSQL path that saves a few percent
# from none, where throughput cannot.
#
#   docs/pg-statements.sh              # one server, the workflow load
#   SERVERS=2 docs/pg-statements.sh    # two servers sharing the database
#   LOAD=heartbeats docs/pg-statements.sh   # the heartbeat load instead
#   DURATION=20s TOP=40 docs/pg-statements.sh
#   OPENSWF_BIN=/tmp/openswf-old docs/pg-statements.sh   # a given build
#
# It runs a PostgreSQL of its own (initdb in a temporary directory, port
# PG_PORT, default 5499, with pg_stat_statements loaded), so it needs the
# PostgreSQL server binaries (pg_config --bindir, or Debian's
# /usr/lib/postgresql/*/bin); run as root, it runs them as the user
# postgres. The servers are warmed with the load first; then the statistics
# are reset and the load measured.
set -euo pipefail
cd "$(dirname "$0")/.."
SERVERS=${SERVERS:-1}
DURATION=${DURATION:-10s}
TOP=${TOP:-30}
LOAD=${LOAD:-workflows} # or heartbeats
PG_PORT=${PG_PORT:-5499}
PORT_BASE=${PORT_BASE:-18990}

BINDIR=$(pg_config --bindir 2>/dev/null || true)
[ -x "$BINDIR/initdb" ] || BINDIR=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -x "$BINDIR/initdb" ] || { echo "no PostgreSQL server binaries (initdb) found" >&2; exit 1; }
BIN=${OPENSWF_BIN:-}
WORK=$(mktemp -d)
if [ -z "$BIN" ]; then
	BIN=$WORK/openswf
	go build -o "$BIN" ./cmd/openswf
fi
as_pg() { # runs PostgreSQL's own commands, as postgres when this is root
	if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
PGDATA=$WORK/data
cleanup() {
	kill $(cat "$WORK/pids" 2>/dev/null) 2>/dev/null || true
	as_pg "$BINDIR/pg_ctl" -D "$PGDATA" -m immediate stop >/dev/null 2>&1 || true
	rm -rf "$WORK"
}
trap cleanup EXIT
[ "$(id -u)" != 0 ] || chown postgres "$WORK"
as_pg "$BINDIR/initdb" -D "$PGDATA" -A trust -U postgres >/dev/null
cat >>"$PGDATA/postgresql.conf" <<EOF
port = $PG_PORT
listen_addresses = '127.0.0.1'
unix_socket_directories = '$WORK'
shared_preload_libraries = 'pg_stat_statements'
pg_stat_statements.track_planning = on
pg_stat_statements.max = 1000
EOF
as_pg "$BINDIR/pg_ctl" -D "$PGDATA" -l "$WORK/postgres.log" -w start >/dev/null
URL="postgres://postgres@127.0.0.1:$PG_PORT/postgres?sslmode=disable"
psql "$URL" -qc "CREATE EXTENSION pg_stat_statements"

endpoints=
for i in $(seq "$SERVERS"); do
	addr=127.0.0.1:$((PORT_BASE + i))
	"$BIN" serve --listen "$addr" --database "$URL" >"$WORK/server$i.log" 2>&1 &
	echo $! >>"$WORK/pids"
	endpoints="$endpoints,http://$addr"
	for _ in $(seq 100); do curl -sf "http://$addr/healthz" >/dev/null && break; sleep 0.1; done
done
endpoints=${endpoints#,}
reset() { psql "$URL" -qAtc "SELECT pg_stat_statements_reset(); SELECT pg_stat_reset()" >/dev/null; }
case $LOAD in
workflows)
	"$BIN" bench -endpoint "$endpoints" -skip-heartbeats -duration 2s -warmup 0 >/dev/null
	reset
	"$BIN" bench -endpoint "$endpoints" -skip-heartbeats -duration "$DURATION" -warmup 0 >"$WORK/bench.out"
	grep '^workflows' "$WORK/bench.out"
	n=$(awk '$1 == "workflows" { print $2 }' "$WORK/bench.out")
	unit=workflow
	about="the bench's verification included: 2 history reads each"
	;;
heartbeats)
	"$BIN" bench -endpoint "$endpoints" -skip-workflows -duration 2s >/dev/null
	# The statistics start with the timed load, after its setup (starting
	# the runs and taking their activity tasks).
	"$BIN" bench -marks -endpoint "$endpoints" -skip-workflows -duration "$DURATION" | while IFS= read -r line; do
		[ "$line" != "mark: heartbeats start" ] || reset
		echo "$line" >>"$WORK/bench.out"
	done
	grep '^heartbeats' "$WORK/bench.out"
	n=$(grep '^heartbeats' "$WORK/bench.out" | grep -o '([0-9]* calls' | tr -dc 0-9)
	unit=heartbeat
	about="RecordActivityTaskHeartbeat over open activity tasks"
	;;
*) echo "LOAD is workflows or heartbeats, not $LOAD" >&2; exit 1 ;;
esac
[ "${n:-0}" -gt 0 ] || { echo "no $unit completed" >&2; exit 1; }
sleep 1 # the statistics of the backends reach the shared counters

echo "== per $unit ($n, $SERVERS server(s); $about)"
psql "$URL" -P footer=off -c "
	SELECT round(sum(calls) / $n::numeric, 2) AS statements, round(sum(plans) / $n::numeric, 3) AS plans,
		round(sum(shared_blks_hit + shared_blks_read) / $n::numeric, 1) AS buffers,
		round(sum(wal_records) / $n::numeric, 1) AS wal_records, round(sum(wal_bytes) / $n::numeric) AS wal_bytes,
		round((sum(total_exec_time) * 1000 / $n)::numeric) AS exec_us
	FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = 'postgres') AND query NOT LIKE '%pg_stat%'"
echo "== by statement, per $unit (exec_us is wall time: it includes waits for locks)"
psql "$URL" -P footer=off -c "
	SELECT round(calls / $n::numeric, 2) AS calls, round((shared_blks_hit + shared_blks_read) / nullif(calls, 0)::numeric, 1) AS buf_per_call,
		round(wal_records / nullif(calls, 0)::numeric, 1) AS wal_per_call, round(wal_bytes / $n::numeric) AS wal_bytes,
		round((total_exec_time * 1000 / $n)::numeric) AS exec_us,
		left(regexp_replace(query, '\s+', ' ', 'g'), 90) AS statement
	FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = 'postgres') AND query NOT LIKE '%pg_stat%'
	ORDER BY calls DESC, total_exec_time DESC LIMIT $TOP"
echo "== heaviest by buffers"
psql "$URL" -P footer=off -c "SELECT calls, shared_blks_hit + shared_blks_read AS buffers, wal_records, left(regexp_replace(query, '\\s+', ' ', 'g'), 90) AS statement FROM pg_stat_statements WHERE query NOT LIKE '%pg_stat%' ORDER BY 2 DESC LIMIT 5"
echo "== tables, per $unit"
psql "$URL" -P footer=off -c "
	SELECT relname AS table, round(n_tup_ins / $n::numeric, 2) AS inserts, round(n_tup_upd / $n::numeric, 2) AS updates,
		round(n_tup_hot_upd / $n::numeric, 2) AS hot_updates, round(n_tup_del / $n::numeric, 2) AS deletes
	FROM pg_stat_user_tables WHERE n_tup_ins + n_tup_upd + n_tup_del > 0 ORDER BY relname"
