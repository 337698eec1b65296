#!/usr/bin/env bash
# The benchmark: clockrelay's ingest beside a bare Vert.x server (the limit) and ClockEye's Express receiver (the
# alternative users write by hand), under the same load in the same run; end-to-end latency and sustained delivery
# into PostgreSQL; start-up time and memory. Writes bench/results/<date>.md and prints it.
# Needs: Java 17+, Maven, Python 3, a PostgreSQL at 127.0.0.1:5432 trusting user postgres (installs wrk, Node.js
# and Express itself). Usage: bench/run.sh [seconds per load, default 15]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-15}
secret=bench-secret-0123456789
out=bench/results/$(date +%Y-%m-%d).md
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
command -v node >/dev/null || { apt-get update -qq && apt-get install -y -qq nodejs npm; }
[ -d bench/node_modules/express ] || (cd bench && npm install --no-audit --no-fund --silent)
[ -f target/clockrelay.jar ] || mvn -B -q package -DskipTests
# One file of unique webhooks per load: the loads of one server run against the same process and store, and a
# replayed id would be answered "duplicate", a cheaper path than a new webhook (the runs before 2026-11-26 did that).
python3 bench/signed-clockeye-requests.py 400000 "$secret" "$work/requests-c16.tsv" 0
python3 bench/signed-clockeye-requests.py 500000 "$secret" "$work/requests-c64.tsv" 1000000
python3 bench/signed-clockeye-requests.py 40000 "$secret" "$work/requests-r1000.tsv" 2000000
export REQUESTS="$work/requests-c16.tsv" THREADS=2
# The options clockrelay ships with (jvm.options, the image's too); the same for the bare Vert.x server.
JAVA_OPTS=${JAVA_OPTS:-@$PWD/jvm.options}
psql() { command psql -h 127.0.0.1 -U postgres -v ON_ERROR_STOP=1 -qtA "$@"; }

wait_http() { for _ in $(seq 1 1200); do curl -s -o /dev/null "$1" && return 0; sleep 0.05; done; echo "no answer from $1" >&2; return 1; }
rss_mb() { echo $(( $(ps -o rss= -p "$1") / 1024 )); }
# load NAME PORT CONNECTIONS [RATE]: one wrk run; prints "req/s p50 p99 p99.9 errors" (non-2xx and socket errors)
load() {
  local rate=${4:-0}
  RATE=$rate CONNECTIONS=$3 wrk -t2 -c"$3" -d"${secs}s" --latency -s bench/clockeye-ingest.lua "http://127.0.0.1:$2" > "$work/wrk.txt"
  awk '/Requests\/sec/{r=$2} / 50%/{p50=$2} / 99%/{p99=$2} /^p99.9 /{p999=$2} /Non-2xx/{e+=$4} /Socket errors/{for (i = 3; i <= NF; i++) e += $i + 0} END {printf "%s %s %s %s ", r, p50, p99, p999; print (e?e:0)}' "$work/wrk.txt"
}
declare -A result
measure() { # KEY PORT PID
  result[$1.c16]=$(REQUESTS="$work/requests-c16.tsv" load "$1" "$2" 16)
  result[$1.c64]=$(REQUESTS="$work/requests-c64.tsv" load "$1" "$2" 64); result[$1.rss]=$(rss_mb "$3")
  result[$1.r1000]=$(REQUESTS="$work/requests-r1000.tsv" load "$1" "$2" 16 1000)
}
start_clockrelay() { # KEY DB_URL DB_USER [extra env...]
  local key=$1 url=$2 user=$3; shift 3
  local began=$(date +%s%N)
  (cd "$work" && exec env CLOCKEYE_WEBHOOK_SECRET=$secret CLOCKRELAY_DB_URL="$url" CLOCKRELAY_DB_USER="$user" CLOCKRELAY_LOG_LEVEL=WARN "$@" \
     java $JAVA_OPTS -jar "$OLDPWD/target/clockrelay.jar" > "$work/$key.log" 2>&1) & pid=$!
  wait_http http://127.0.0.1:9876/observe/health
  result[$key.ready]=$(( ($(date +%s%N) - began) / 1000000 ))
}

# 1. the limit: a bare Vert.x server
java $JAVA_OPTS -cp target/clockrelay.jar bench/BareVertx.java 8081 > "$work/vertx.log" 2>&1 & pid=$!
wait_http http://127.0.0.1:8081/; measure vertx 8081 $pid; kill $pid; wait $pid 2>/dev/null || true
# 2. the alternative: ClockEye's Express receiver
PORT=8082 WEBHOOK_SECRET=$secret node bench/express-receiver.js > "$work/express.log" 2>&1 & pid=$!
wait_http http://127.0.0.1:8082/; measure express 8082 $pid; kill $pid; wait $pid 2>/dev/null || true
# 3. clockrelay on its embedded H2 default
start_clockrelay h2 "jdbc:h2:file:./data/clockrelay;WRITE_DELAY=0" sa
measure h2 8080 $pid; kill $pid; wait $pid 2>/dev/null || true
# 4. clockrelay with its store on PostgreSQL, plus the end-to-end target
psql -d postgres -c "DROP DATABASE IF EXISTS clockrelay_bench" -c "CREATE DATABASE clockrelay_bench"
psql -d clockrelay_bench -c "CREATE TABLE bench_e2e (event_id VARCHAR(400), received_at TIMESTAMPTZ, written_at TIMESTAMPTZ DEFAULT clock_timestamp())"
start_clockrelay pg "jdbc:postgresql://127.0.0.1:5432/clockrelay_bench" postgres \
  CLOCKRELAY_ROUTES_DIR="$PWD/bench/routes" PAYROLL_DB_ENABLED=true
measure pg 8080 $pid
psql -d clockrelay_bench -c "TRUNCATE bench_e2e"
kill $pid; wait $pid 2>/dev/null || true
# 5. end to end at 1,000 requests/s: webhook received -> row in a PostgreSQL table (the e2e target only)
psql -d clockrelay_bench -c "TRUNCATE inbox, deliveries, bench_e2e"
start_clockrelay e2e "jdbc:postgresql://127.0.0.1:5432/clockrelay_bench" postgres \
  CLOCKRELAY_ROUTES_DIR="$PWD/bench/routes" PAYROLL_DB_ENABLED=false BENCH_E2E=true
load e2e 8080 16 1000 > /dev/null
for _ in $(seq 1 300); do
  [ "$(psql -d clockrelay_bench -c "SELECT (SELECT count(*) FROM inbox WHERE status = 'pending') + (SELECT count(*) FROM deliveries WHERE status = 'pending')")" = 0 ] && break
  sleep 0.2
done
result[e2e]=$(psql -d clockrelay_bench -c "SELECT count(*), round(percentile_cont(0.5) WITHIN GROUP (ORDER BY ms)::numeric, 1), round(percentile_cont(0.99) WITHIN GROUP (ORDER BY ms)::numeric, 1) FROM (SELECT extract(epoch FROM written_at - received_at) * 1000 AS ms FROM bench_e2e) t" | tr '|' ' ')
kill $pid; wait $pid 2>/dev/null || true
# 6. sustained delivery into PostgreSQL: 100,000 pending records
result[drain]=$(bench/delivery-drain.sh 100000 | tail -1)

col() { echo "${result[$1]}" | awk -v i="$2" '{print $i}'; }
ratio() { python3 -c "a,b=float('$1' or 0),float('$2' or 1); print(f'{a/b:.2f}' if b else '-')"; }
{
  echo "# clockrelay benchmark, $(date -u +%Y-%m-%dT%H:%MZ)"
  echo
  echo "$(nproc) cores, $(free -g | awk '/Mem/{print $2}') GiB; wrk (2 threads) on the same machine; ${secs} s per load; unique signed ClockEye webhooks."
  echo "Java: $(java -version 2>&1 | head -1); JAVA_OPTS='${JAVA_OPTS}'"
  echo
  echo "| server | load | requests/s | p50 | p99 | p99.9 | errors | ÷ bare Vert.x | ÷ Express |"
  echo "|---|---|---|---|---|---|---|---|---|"
  for key in vertx express h2 pg; do
    for l in c16 c64 r1000; do
      name=$(case $key in vertx) echo "bare Vert.x (the limit)";; express) echo "Express receiver (no storage)";; h2) echo "clockrelay, H2 default";; pg) echo "clockrelay, PostgreSQL store";; esac)
      what=$(case $l in c16) echo "16 connections";; c64) echo "64 connections";; r1000) echo "1,000 req/s";; esac)
      echo "| $name | $what | $(col $key.$l 1) | $(col $key.$l 2) | $(col $key.$l 3) | $(col $key.$l 4) | $(col $key.$l 5) | $(ratio "$(col $key.$l 1)" "$(col vertx.$l 1)") | $(ratio "$(col $key.$l 1)" "$(col express.$l 1)") |"
    done
  done
  echo
  echo "- End to end at 1,000 requests/s (received → row in a PostgreSQL table, $(echo ${result[e2e]} | awk '{print $1}') records): p50 $(echo ${result[e2e]} | awk '{print $2}') ms, p99 $(echo ${result[e2e]} | awk '{print $3}') ms."
  echo "- Sustained delivery: ${result[drain]}."
  echo "- Start to ready: H2 ${result[h2.ready]} ms, PostgreSQL ${result[pg.ready]} ms."
  echo "- Resident memory after the 64-connection load: bare Vert.x ${result[vertx.rss]} MB, Express ${result[express.rss]} MB, clockrelay H2 ${result[h2.rss]} MB, PostgreSQL ${result[pg.rss]} MB."
} > "$out"
cat "$out"
