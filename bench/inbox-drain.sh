#!/usr/bin/env bash
# How fast the process stage works through a backlog: N pending ClockEye webhooks for E employees in the inbox of a
# PostgreSQL store (as a burst of intake leaves them), then the packaged jar started on it; prints how long mapping
# them took (inbox empty) and until payroll-db (into the store) had them all, from ready.
# Needs a PostgreSQL at 127.0.0.1:5432 that trusts the postgres user, and target/clockrelay.jar. Ports 18080, 19876.
# Usage: bench/inbox-drain.sh [E, default 48] [N, default 10000]
set -euo pipefail
cd "$(dirname "$0")/.."
users=${1:-48}
n=${2:-10000}
db=clockrelay_inbox_drain
psql() { command psql -h 127.0.0.1 -U postgres -v ON_ERROR_STOP=1 -qtA "$@"; }
work=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null; psql -d postgres -c "DROP DATABASE IF EXISTS $db" || true; rm -rf "$work"' EXIT
psql -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
export CLOCKRELAY_DB_URL="jdbc:postgresql://127.0.0.1:5432/$db" CLOCKRELAY_DB_USER=postgres CLOCKRELAY_PORT=18080 \
  CLOCKRELAY_MANAGEMENT_PORT=19876 CLOCKEYE_WEBHOOK_SECRET=bench-secret-0123456789
start() { (cd "$work" && exec java ${JAVA_OPTS:-@$OLDPWD/jvm.options} -jar "$OLDPWD/target/clockrelay.jar" >>"$work/app.log" 2>&1) & pid=$!
  for _ in $(seq 1 240); do curl -sf -o /dev/null localhost:19876/observe/health/ready && return; sleep 0.1; done; echo "not ready" >&2; exit 1; }
start; kill $pid; wait $pid 2>/dev/null || true; pid=          # the first start creates the tables
psql -d $db -c "INSERT INTO inbox (source, event_id, event_type, received_at, payload, status, attempts, next_attempt_at, ordering_key, record_key)
  SELECT 'clockeye', 'evt_d_'||g, 'time_entry.created', now(),
         '{\"id\":\"evt_d_'||g||'\",\"type\":\"time_entry.created\",\"created_at\":\"2024-01-15T10:30:00Z\",\"data\":{\"id\":\"te_d_'||g||'\",\"user_id\":\"usr_'||(g % $users)||'\",\"project_id\":\"prj_abc123\",\"start_time\":\"2024-01-15T09:00:00Z\",\"duration\":3600}}',
         'pending', 0, now(), 'clockeye:user:usr_'||(g % $users), 'clockeye:time_entry:te_d_'||g FROM generate_series(1, $n) g"
start
ready=$(date +%s.%N)
while [ "$(psql -d $db -c "SELECT count(*) FROM inbox WHERE status = 'pending'")" != 0 ]; do sleep 0.2; done
mapped=$(date +%s.%N)
while [ "$(psql -d $db -c "SELECT count(*) FROM deliveries WHERE status = 'pending'")" != 0 ]; do sleep 0.2; done
delivered=$(date +%s.%N)
python3 -c "m=$mapped-$ready; d=$delivered-$ready; print(f'{$n} pending webhooks of $users employees mapped in {m:.1f} s from ready ({$n/m:.0f}/s), delivered to payroll-db by {d:.1f} s')"
