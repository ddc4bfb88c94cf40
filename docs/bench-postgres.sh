#!/usr/bin/env bash
# Measures openswf on SQLite and on PostgreSQL back to back, on one machine:
# one server on SQLite, one server on PostgreSQL, two servers on one
# PostgreSQL database (the load spread over both). For each it runs the
# workflow load and the heartbeat load apart, and prints the bench's
# reports, the CPU time (user+system, from /proc) that the openswf servers
# and the PostgreSQL processes spent per workflow and per heartbeat, and
# the store's writes and reruns (from /metrics).
#
#   PG_URL=postgres://postgres@127.0.0.1:5432/test?sslmode=disable docs/bench-postgres.sh [bench flags...]
#   CASES=pg1,pg2 docs/bench-postgres.sh -duration 5s    # some cases only
#   PORT_BASE=18950 docs/bench-postgres.sh                # servers on other ports (four from PORT_BASE)
#   OPENSWF_BIN=/tmp/openswf-old docs/bench-postgres.sh   # measure a given build (an A/B of two commits)
#   ROUNDS=5 docs/bench-postgres.sh                       # every case five times over, and the medians
#                                                         # (even rounds run the cases in the reverse order)
#
# Needs: go, curl, psql, a PostgreSQL that PG_URL reaches and whose server
# runs on this machine (for its CPU time). Each PostgreSQL case uses a fresh
# schema. PostgreSQL's CPU is that of the servers' backends (read as the
# load starts and ends: a backend that exits meanwhile is lost) and of its
# background processes.
set -euo pipefail
cd "$(dirname "$0")/.."
PG_URL=${PG_URL:-postgres://postgres@127.0.0.1:5432/test?sslmode=disable}
# psql refuses the parameters only openswf's driver knows (pool_max_conns
# and the like): its URL is PG_URL without them.
PSQL_URL=${PG_URL%%\?*}
if [[ $PG_URL == *\?* ]]; then
	params=$(tr '&' '\n' <<<"${PG_URL#*\?}" | { grep -v '^pool_' || true; } | paste -sd'&' -)
	[ -z "$params" ] || PSQL_URL="$PSQL_URL?$params"
fi
BIN=${OPENSWF_BIN:-}
if [ -z "$BIN" ]; then
	BIN=$(mktemp -d)/openswf
	go build -o "$BIN" ./cmd/openswf
fi
WORK=$(mktemp -d)
# Servers start in command substitutions, so they are not this shell's jobs:
# their pids are kept in a file, and whatever happens they stop with it.
# The schemas the cases made are dropped too (their names are kept in a file).
cleanup() {
	kill $(jobs -p) $(cat "$WORK/pids" 2>/dev/null) 2>/dev/null || true
	for s in $(cat "$WORK/schemas" 2>/dev/null); do
		psql "$PSQL_URL" -qc "DROP SCHEMA IF EXISTS $s CASCADE" >/dev/null 2>&1 || echo "could not drop schema $s" >&2
	done
	rm -rf "$WORK"
}
trap cleanup EXIT

ticks() { # user+system clock ticks of the given pids
	local sum=0 pid f
	for pid in "$@"; do
		f=$(sed 's/^.*) //' /proc/$pid/stat 2>/dev/null) || continue
		set -- $f
		[ $# -ge 13 ] || continue
		sum=$((sum + ${12} + ${13}))
	done
	echo $sum
}
# The PostgreSQL processes that work for the servers measured: their
# backends (named by application_name, so that other clients of the same
# PostgreSQL do not count) and the shared background processes (WAL writer,
# checkpointer, background writer, autovacuum), which other clients share.
APP=openswf-bench-$$
pg_pids() {
	psql "$PSQL_URL" -Atc "SELECT pid FROM pg_stat_activity WHERE application_name = '$APP'" 2>/dev/null || true
	pgrep -f 'postgres: .*(walwriter|checkpointer|background writer|autovacuum)' || true
}
metric() { curl -s "http://$1/metrics" | awk -v m="$2" '$1==m {print $2}'; }

serve() { # addr database -> pid
	"$BIN" serve --listen "$1" --database "$2" >"$WORK/$1.log" 2>&1 &
	echo $! | tee -a "$WORK/pids"
}
wait_up() { for _ in $(seq 100); do curl -sf "http://$1/healthz" >/dev/null && return; sleep 0.1; done; echo "server $1 did not start" >&2; exit 1; }

# pg_snapshot: "pid ticks" of each PostgreSQL process that works for the
# servers measured.
pg_snapshot() { for p in $(pg_pids); do echo "$p $(ticks $p)"; done; }

# measure PHASE ENDPOINTS PIDS...: runs the bench for one load and prints
# its report and the CPU that the servers and PostgreSQL spent on the
# timed load alone, from its start to its end as the bench marks them
# (the load's setup — for heartbeats, opening the activity tasks — does
# not count).
measure() {
	local phase=$1 endpoints=$2; shift 2
	local skip=-skip-heartbeats
	[ "$phase" = heartbeats ] && skip=-skip-workflows
	local s0= s1= pg hz out n bp line
	hz=$(getconf CLK_TCK)
	: >"$WORK/bench.out"
	# The bench's output comes through a pipe, read line by line as it
	# comes: the script waits for the marks without spending CPU on
	# looking for them, so that the load alone runs.
	rm -f "$WORK/bench.fifo"; mkfifo "$WORK/bench.fifo"
	"$BIN" bench -marks -endpoint "$endpoints" $skip "${BENCH_FLAGS[@]}" >"$WORK/bench.fifo" &
	bp=$!
	while IFS= read -r line; do
		case $line in
		"mark: $phase start") s0=$(ticks "$@"); pg_snapshot >"$WORK/pg.start" ;;
		"mark: $phase end") s1=$(ticks "$@"); pg_snapshot >"$WORK/pg.end" ;;
		esac
		echo "$line" >>"$WORK/bench.out"
	done <"$WORK/bench.fifo"
	wait $bp
	[ -n "$s1" ] || s0= # the load was skipped, or did not end
	out=$(grep -v '^load:\|^mark:' "$WORK/bench.out" || true)
	echo "$out"
	# The round, the case and the load's rate, for the summary.
	echo "$out" | awk -v r="$ROUND" -v c="$CASE" '
		$1 == "workflows" { sub("/s", "", $4); print r, c, "workflows", $4 }
		$1 == "heartbeats" { print r, c, "heartbeats", $2 }' >>"$WORK/results"
	[ -n "$s0" ] || return 0 # the load was skipped
	# A backend that started during the load counts from zero; one that
	# ended during it is lost (the pools keep theirs).
	pg=$(awk 'NR == FNR { first[$1] = $2; next } { s += $2 - ($1 in first ? first[$1] : 0) } END { print s + 0 }' "$WORK/pg.start" "$WORK/pg.end")
	if [ "$phase" = workflows ]; then
		n=$(echo "$out" | awk '$1=="workflows" {print $2}')
		awk -v o=$((s1 - s0)) -v p="$pg" -v n="${n:-0}" -v hz="$hz" 'BEGIN { if (n > 0) printf "cpu per workflow: openswf %.2f ms, postgres %.2f ms\n", 1000*o/hz/n, 1000*p/hz/n }'
	else
		n=$(echo "$out" | grep '^heartbeats' | grep -o '([0-9]* calls' | tr -dc 0-9)
		awk -v o=$((s1 - s0)) -v p="$pg" -v n="${n:-0}" -v hz="$hz" 'BEGIN { if (n > 0) printf "cpu per heartbeat: openswf %.3f ms, postgres %.3f ms\n", 1000*o/hz/n, 1000*p/hz/n }'
	fi
}

run_case() { # name database addr...
	local name=$1 db=$2; shift 2
	local pids=() a
	for a in "$@"; do pids+=("$(serve "$a" "$db")"); done
	for a in "$@"; do wait_up "$a"; done
	for a in "${pids[@]}"; do # answering, but not this server (the port was taken)?
		kill -0 "$a" 2>/dev/null || { echo "a server exited at start:" >&2; cat "$WORK"/*.log >&2; exit 1; }
	done
	local endpoints
	endpoints=$(printf 'http://%s,' "$@"); endpoints=${endpoints%,}
	echo "== $name"
	measure workflows "$endpoints" "${pids[@]}"
	measure heartbeats "$endpoints" "${pids[@]}"
	local writes=0 retries=0 w r
	for a in "$@"; do
		w=$(metric "$a" openswf_store_writes_total); r=$(metric "$a" openswf_store_write_retries_total)
		writes=$((writes + ${w:-0})); retries=$((retries + ${r:-0}))
	done
	echo "store: $writes writes, $retries reruns"
	for p in "${pids[@]}"; do kill "$p"; wait "$p" 2>/dev/null || true; done
}

BENCH_FLAGS=("$@")
schema() { local s="bench_$(date +%s)_$RANDOM"; echo "$s" >>"$WORK/schemas"; echo "$s"; }
CASES=${CASES:-sqlite,pg1,pg2} # which cases to run, comma-separated
ROUNDS=${ROUNDS:-1}      # how many times to run them all, one after the other
P=${PORT_BASE:-17950}    # the servers listen on P to P+3
: >"$WORK/results"
one_case() { # runs the case $CASE of round $ROUND, if CASES has it
	case ",$CASES," in *",$CASE,"*) ;; *) return 0 ;; esac
	case $CASE in
	sqlite) run_case "SQLite, one server" "$WORK/bench.db.$ROUND" 127.0.0.1:$P ;;
	pg1) run_case "PostgreSQL, one server" "$PG_URL&application_name=$APP&schema=$(schema)" 127.0.0.1:$((P + 1)) ;;
	pg2) run_case "PostgreSQL, two servers" "$PG_URL&application_name=$APP&schema=$(schema)" 127.0.0.1:$((P + 2)) 127.0.0.1:$((P + 3)) ;;
	esac
}
# The machine's speed drifts over minutes, so the case run last in a round
# would bear most of it: odd rounds run the cases in one order and even
# rounds in the other (ABBA), and the drift weighs on each case alike.
for ROUND in $(seq "$ROUNDS"); do
	[ "$ROUNDS" = 1 ] || echo "=== round $ROUND of $ROUNDS"
	order="sqlite pg1 pg2"
	[ $((ROUND % 2)) = 1 ] || order="pg2 pg1 sqlite"
	for CASE in $order; do one_case; done
done

# The ratios the targets are set in, each of two cases measured in the same
# round (minutes apart), and their medians over the rounds: on a shared
# machine whose speed drifts, the median of several rounds says more than
# any one.
awk '
	{ rate[$1, $2, $3] = $4; if ($1 > rounds) rounds = $1 }
	function ratio(r, a, b, load) {
		if (!((r, a, load) in rate) || !((r, b, load) in rate) || rate[r, b, load] == 0) return ""
		return 100 * rate[r, a, load] / rate[r, b, load]
	}
	function median(list, n,   i, j, t) {
		for (i = 2; i <= n; i++) for (j = i; j > 1 && list[j-1] > list[j]; j--) { t = list[j]; list[j] = list[j-1]; list[j-1] = t }
		return n % 2 ? list[(n+1)/2] : (list[n/2] + list[n/2+1]) / 2
	}
	END {
		split("pg1 sqlite workflows|pg2 pg1 workflows|pg1 sqlite heartbeats|pg2 pg1 heartbeats", specs, "|")
		split("workflows/s, one server on PostgreSQL / SQLite|workflows/s, two servers / one|heartbeats/s, one server on PostgreSQL / SQLite|heartbeats/s, two servers / one", names, "|")
		for (k = 1; k <= 4; k++) {
			split(specs[k], s, " ")
			n = 0; line = ""
			for (r = 1; r <= rounds; r++) {
				x = ratio(r, s[1], s[2], s[3])
				if (x == "") continue
				list[++n] = x; line = line sprintf(" %.0f%%", x)
			}
			if (n == 0) continue
			if (!header++) print "== ratios by round, and their median"
			printf "%s:%s; median %.0f%%\n", names[k], line, median(list, n)
		}
	}' "$WORK/results"
