#!/usr/bin/env bash
# The request path with the retention pass running against not: a PostgreSQL store prefilled with ROWS processed
# webhooks and ROWS delivered deliveries older than CLOCKRELAY_RETENTION_DAYS (30), then wrk (bench/clockeye-ingest.lua,
# as bench/run.sh) at 64 and 16 connections with retention off (A: an interval of a day, no pass during the run) and
# with retention running during the load (B: CLOCKRELAY_RETENTION_INTERVAL_MS=1000, the first pass a second after
# the start), in the order A B A B to expose drift. Every wrk run gets a fresh copy of the prefilled store (a
# template database) and a fresh clockrelay, a 3 s warm-up with other webhooks, then SECONDS of load. Reports
# requests/s, p50, p99 and what the pass removed during each run (from the store, counted right before and after
# wrk; the pass's last finish from clockrelay_jobs) into bench/results/<date>-retention.md, and prints it.
# Needs: Java 17+, Python 3, wrk, target/clockrelay.jar, a PostgreSQL at 127.0.0.1:5432 trusting user postgres (it
# creates and drops its own two databases). Ports 18080 and 19876.
# Usage: bench/retention-load.sh [ROWS, default 300000] [SECONDS, default 15]
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-300000}
secs=${2:-15}
secret=bench-secret-0123456789
db=clockrelay_retention
template=clockrelay_retention_template
out=${OUT:-bench/results/$(date +%Y-%m-%d)-retention.md}
work=$(mktemp -d)
JAVA_OPTS=${JAVA_OPTS:-@$PWD/jvm.options}
export CLOCKRELAY_DB_URL="jdbc:postgresql://127.0.0.1:5432/$db" CLOCKRELAY_DB_USER=postgres CLOCKEYE_WEBHOOK_SECRET=$secret \
  CLOCKRELAY_PORT=18080 CLOCKRELAY_MANAGEMENT_PORT=19876 CLOCKRELAY_LOG_LEVEL=WARN
psql() { command psql -h 127.0.0.1 -U postgres -v ON_ERROR_STOP=1 -qtA "$@"; }
drop() { psql -d postgres -c "DROP DATABASE IF EXISTS $db" -c "DROP DATABASE IF EXISTS $template"; }
pid=
stop() {
  [ -n "$pid" ] || return 0
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  pid=
}
trap 'stop; drop || true; rm -rf "$work"' EXIT
start() { # RETENTION_INTERVAL_MS LOG
  (cd "$work" && exec env CLOCKRELAY_RETENTION_INTERVAL_MS=$1 java $JAVA_OPTS -jar "$OLDPWD/target/clockrelay.jar" >> "$work/$2" 2>&1) & pid=$!
  for _ in $(seq 1 240); do curl -sf -o /dev/null localhost:19876/observe/health/ready && return; sleep 0.1; done
  echo "clockrelay did not become ready: see $work/$2" >&2; exit 1
}

command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
[ -f target/clockrelay.jar ] || { echo "build the jar first: mvn -B -q package -DskipTests" >&2; exit 1; }
python3 bench/signed-clockeye-requests.py 250000 "$secret" "$work/load.tsv" 0
python3 bench/signed-clockeye-requests.py 60000 "$secret" "$work/warm.tsv" 1000000

# The template: clockrelay's tables (a first start migrates them), then the old rows, spread over the 30 days past
# the retention: processed webhooks with their payloads and their delivered deliveries to payroll-db.
drop
psql -d postgres -c "CREATE DATABASE $template"
CLOCKRELAY_DB_URL="jdbc:postgresql://127.0.0.1:5432/$template" start 86400000 prefill.log; stop
payload="'{\"id\":\"evt_old_'||g||'\",\"type\":\"time_entry.created\",\"created_at\":\"2024-01-15T10:30:00Z\",\"data\":{\"id\":\"te_old_'||g||'\",\"user_id\":\"usr_'||(g % 500)||'\",\"project_id\":\"prj_abc123\",\"start_time\":\"2024-01-15T09:00:00Z\",\"duration\":3600,\"description\":\"Working on feature X\"}}'"
record="'{\"recordId\":\"clockeye:time_entry:te_old_'||g||'\",\"eventId\":\"evt_old_'||g||'\",\"source\":\"clockeye\",\"eventType\":\"time_entry.created\",\"action\":\"upsert\",\"entity\":\"time_entry\",\"entityId\":\"te_old_'||g||'\",\"userId\":\"usr_'||(g % 500)||'\",\"start\":\"2024-01-15T09:00:00Z\",\"end\":\"2024-01-15T10:00:00Z\",\"durationSeconds\":3600,\"occurredAt\":\"2024-01-15T10:30:00Z\",\"receivedAt\":\"2024-01-15T10:30:01Z\"}'"
old="now() - interval '31 days' - (g % 2592000) * interval '1 second'"
psql -d $template -c "INSERT INTO inbox (source, event_id, event_type, received_at, payload, status, attempts, next_attempt_at, processed_at, ordering_key, record_key)
  SELECT 'clockeye', 'evt_old_'||g, 'time_entry.created', $old, $payload, 'done', 1, $old, $old + interval '1 second',
         'clockeye:user:usr_'||(g % 500), 'clockeye:time_entry:te_old_'||g FROM generate_series(1, $rows) g"
psql -d $template -c "INSERT INTO deliveries (target, event_id, record_id, ordering_key, source, entity, event_type, record, inbox_id, status, attempts, created_at, next_attempt_at, delivered_at)
  SELECT 'payroll-db', 'evt_old_'||g, 'clockeye:time_entry:te_old_'||g, 'clockeye:user:usr_'||(g % 500), 'clockeye', 'time_entry', 'time_entry.created',
         $record, g, 'delivered', 1, $old + interval '1 second', $old + interval '1 second', $old + interval '2 seconds' FROM generate_series(1, $rows) g"
psql -d $template -c "VACUUM ANALYZE"

# what the pass has left to do: delivered deliveries and payloads of processed webhooks older than the retention
OLD="SELECT (SELECT count(*) FROM deliveries WHERE status = 'delivered' AND delivered_at < now() - interval '30 days'),
            (SELECT count(*) FROM inbox WHERE status = 'done' AND processed_at < now() - interval '30 days')"
# run NAME INTERVAL_MS CONNECTIONS: one wrk run on a fresh copy; prints one table row
run() {
  psql -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db TEMPLATE $template"
  start "$2" "$1-c$3.log"
  THREADS=2 REQUESTS="$work/warm.tsv" wrk -t2 -c"$3" -d3s -s bench/clockeye-ingest.lua http://127.0.0.1:18080 > /dev/null
  local before after began ended
  before=$(psql -d $db -F ' ' -c "$OLD")
  began=$(date -u +%FT%T.%3NZ)
  THREADS=2 REQUESTS="$work/load.tsv" wrk -t2 -c"$3" -d"${secs}s" --latency -s bench/clockeye-ingest.lua http://127.0.0.1:18080 > "$work/wrk.txt"
  ended=$(date -u +%FT%T.%3NZ)
  after=$(psql -d $db -F ' ' -c "$OLD")
  local pass
  pass=$(psql -d $db -F ' ' -c "SELECT to_char(last_started_at AT TIME ZONE 'UTC', 'HH24:MI:SS.MS'), coalesce(to_char(last_finished_at AT TIME ZONE 'UTC', 'HH24:MI:SS.MS'), '-'),
           CASE WHEN last_finished_at IS NULL OR last_finished_at < last_started_at THEN 'a pass still running' WHEN last_finished_at > '$ended' THEN 'finished after the run' WHEN last_finished_at > '$began' THEN 'finished during the run' ELSE 'finished before the run' END
           FROM clockrelay_jobs WHERE name = 'retention'")
  stop
  local wrk_figures
  wrk_figures=$(awk '/Requests\/sec/{r=$2} / 50%/{p50=$2} / 99%/{p99=$2} /Non-2xx/{e+=$4} /Socket errors/{for (i = 3; i <= NF; i++) e += $i + 0} END {printf "%s | %s | %s | %s", r, p50, p99, (e?e:0)}' "$work/wrk.txt")
  read -r d0 p0 <<< "$before"; read -r d1 p1 <<< "$after"
  echo "| $1 | $3 | $wrk_figures | $((d0 - d1)) deliveries, $((p0 - p1)) payloads | $d1 deliveries, $p1 payloads | ${pass:-no pass} |"
}

{
  echo "# Request path with the retention pass running and not, $(date -u +%Y-%m-%dT%H:%MZ)"
  echo
  echo "\`bench/retention-load.sh $rows $secs\`: a PostgreSQL store ($(psql -d postgres -c 'SHOW server_version' | cut -d' ' -f1)) prefilled with $rows processed webhooks"
  echo "and $rows delivered deliveries 31–60 days old (CLOCKRELAY_RETENTION_DAYS 30, batches of 500); for each run a fresh copy"
  echo "of it and a fresh clockrelay (\`java $JAVA_OPTS -jar target/clockrelay.jar\`, CLOCKRELAY_LOG_LEVEL=WARN, payroll-db into the store),"
  echo "3 s of warm-up, then wrk -t2 for ${secs} s with unique signed ClockEye webhooks. A: retention off (interval 1 day,"
  echo "no pass during the run); B: CLOCKRELAY_RETENTION_INTERVAL_MS=1000 (the first pass starts a second after the start"
  echo "and works through the old rows in batches). $(nproc) cores shared by wrk, PostgreSQL and clockrelay."
  echo "\"Removed during the run\": counted in the store right before and right after wrk; the pass times are UTC."
  echo
  echo "| run | connections | requests/s | p50 | p99 | errors | removed during the run | old rows left after | the last retention pass: start, end (UTC) |"
  echo "|---|---|---|---|---|---|---|---|---|"
  for round in 1 2; do
    run "A$round (off)" 86400000 64; run "A$round (off)" 86400000 16
    run "B$round (running)" 1000 64; run "B$round (running)" 1000 16
  done
} > "$out"
cat "$out"
