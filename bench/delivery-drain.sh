#!/usr/bin/env bash
# Sustained delivery into PostgreSQL: N pending records (500 users) in the deliveries table of a PostgreSQL store,
# then the packaged jar started on it; prints how long the payroll-db target took to drain them, in records/s.
# Needs a PostgreSQL at 127.0.0.1:5432 that trusts the postgres user, and target/clockrelay.jar.
# Usage: bench/delivery-drain.sh [N]   (default 20000)
set -euo pipefail
n=${1:-20000}
db=clockrelay_drain
psql() { command psql -h 127.0.0.1 -U postgres -v ON_ERROR_STOP=1 -qtA "$@"; }
psql -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
work=$(mktemp -d)
export CLOCKRELAY_DB_URL="jdbc:postgresql://127.0.0.1:5432/$db" CLOCKRELAY_DB_USER=postgres CLOCKRELAY_PORT=18080 CLOCKRELAY_MANAGEMENT_PORT=19876

start() { (cd "$work" && exec java ${JAVA_OPTS:-@$OLDPWD/jvm.options} -jar "$OLDPWD/target/clockrelay.jar" >>"$work/app.log" 2>&1) & pid=$!
  for _ in $(seq 1 120); do curl -sf -o /dev/null localhost:19876/observe/health && return; sleep 0.25; done; echo "not ready" >&2; exit 1; }
start; kill $pid; wait $pid 2>/dev/null || true          # first start creates the tables

psql -d $db -c "INSERT INTO deliveries (target, event_id, record_id, ordering_key, source, entity, event_type, record, inbox_id, status, attempts, created_at, next_attempt_at)
  SELECT 'payroll-db', 'evt_'||g, 'clockeye:time_entry:te_'||g, 'clockeye:user:usr_'||(g % 500), 'clockeye', 'time_entry', 'time_entry.created',
         '{\"recordId\":\"clockeye:time_entry:te_'||g||'\",\"eventId\":\"evt_'||g||'\",\"source\":\"clockeye\",\"eventType\":\"time_entry.created\",\"action\":\"upsert\",\"entity\":\"time_entry\",\"entityId\":\"te_'||g||'\",\"userId\":\"usr_'||(g % 500)||'\",\"start\":\"2024-01-15T09:00:00Z\",\"end\":\"2024-01-15T10:00:00Z\",\"durationSeconds\":3600,\"occurredAt\":\"2024-01-15T10:30:00Z\",\"receivedAt\":\"2024-01-15T10:30:01Z\"}',
         0, 'pending', 0, now(), now() FROM generate_series(1, $n) g"
began=$(date +%s.%N)
start
ready=$(date +%s.%N)
while [ "$(psql -d $db -c "SELECT count(*) FROM deliveries WHERE status = 'pending'")" != 0 ]; do sleep 0.2; done
ended=$(date +%s.%N)
kill $pid; wait $pid 2>/dev/null || true
rows=$(psql -d $db -c "SELECT count(*) FROM payroll_time_records")
python3 -c "s=$ended-$began; r=$ended-$ready; print(f'{$n} records delivered into PostgreSQL in {s:.1f} s: {$n/s:.0f} records/s with the start-up, {$n/r:.0f} records/s from ready; payroll rows: $rows')"
rm -rf "$work"
