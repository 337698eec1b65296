#!/usr/bin/env bash
# Step 5 of bench/run.sh alone: signed ClockEye webhooks at a paced 1,000 requests/s for S seconds into clockrelay
# with its store on PostgreSQL and the bench's e2e target (bench/routes: a row per record in bench_e2e); prints wrk's
# figures, then received -> row in PostgreSQL (records, p50 ms, p99 ms, max ms) once everything is delivered.
# Needs a PostgreSQL at 127.0.0.1:5432 trusting the postgres user, wrk, target/clockrelay.jar. Ports 8080, 9876.
# Usage: bench/end-to-end.sh [S, default 15]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-15}; secret=bench-secret-0123456789; work=$(mktemp -d); db=clockrelay_e2e
psql() { command psql -h 127.0.0.1 -U postgres -v ON_ERROR_STOP=1 -qtA "$@"; }
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null; psql -d postgres -c "DROP DATABASE IF EXISTS $db" || true; rm -rf "$work"' EXIT
python3 bench/signed-clockeye-requests.py $((secs * 1000 + 2000)) "$secret" "$work/requests.tsv" 2000000 > /dev/null
psql -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
psql -d $db -c "CREATE TABLE bench_e2e (event_id VARCHAR(400), received_at TIMESTAMPTZ, written_at TIMESTAMPTZ DEFAULT clock_timestamp())"
(cd "$work" && exec env CLOCKEYE_WEBHOOK_SECRET=$secret CLOCKRELAY_DB_URL=jdbc:postgresql://127.0.0.1:5432/$db CLOCKRELAY_DB_USER=postgres \
  CLOCKRELAY_LOG_LEVEL=WARN CLOCKRELAY_ROUTES_DIR="$OLDPWD/bench/routes" PAYROLL_DB_ENABLED=false BENCH_E2E=true \
  java ${JAVA_OPTS:-@$OLDPWD/jvm.options} -jar "$OLDPWD/target/clockrelay.jar" > "$work/app.log" 2>&1) & pid=$!
for _ in $(seq 1 600); do curl -s -o /dev/null http://127.0.0.1:9876/observe/health/ready && break; sleep 0.05; done
REQUESTS=$work/requests.tsv THREADS=2 RATE=1000 wrk -t2 -c16 -d${secs}s --latency -s bench/clockeye-ingest.lua http://127.0.0.1:8080 > "$work/wrk.txt"
grep -E "Requests/sec|Non-2xx| 99%" "$work/wrk.txt" | tr -s ' ' | tr '\n' ' '; echo
for _ in $(seq 1 600); do
  [ "$(psql -d $db -c "SELECT (SELECT count(*) FROM inbox WHERE status = 'pending') + (SELECT count(*) FROM deliveries WHERE status = 'pending')")" = 0 ] && break
  sleep 0.2
done
echo "records|p50 ms|p99 ms|max ms"
psql -d $db -c "SELECT count(*), round(percentile_cont(0.5) WITHIN GROUP (ORDER BY ms)::numeric, 1), round(percentile_cont(0.99) WITHIN GROUP (ORDER BY ms)::numeric, 1),
  round(max(ms)::numeric, 1) FROM (SELECT extract(epoch FROM written_at - received_at) * 1000 AS ms FROM bench_e2e) t"
