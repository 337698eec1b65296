#!/usr/bin/env bash
# Recovery after SIGKILL (issue 13's scenario): N signed ClockEye webhooks for E employees, each employee's sent one
# after another (each acknowledged before the next; E concurrent senders, bench/kill-recovery.py), with the store and
# a payroll-db target on PostgreSQL and the HTTP target payroll-api pointing at bench/payroll-receiver.js, which
# verifies every request with the npm standardwebhooks library and records the arrival order. clockrelay is SIGKILLed
# three times while it holds claims and restarted right away. Reports what was acknowledged and delivered, the order
# per employee, signature failures, the time from the last acknowledgement to the last delivery and the recovery
# after each restart, into bench/results/<date>-kill-recovery.md (and prints it).
# Needs: Java 17+, Python 3, Node.js, target/clockrelay.jar, a PostgreSQL at 127.0.0.1:5432 trusting user postgres
# (it creates and drops its own two databases). Ports 18080, 19876 (clockrelay) and 18090 (the receiver).
# Usage: bench/kill-recovery.sh [N, default 10000] [E, default 48]   (KEEP=1 keeps the logs and the databases)
# With CLOCKRELAY_INSTANCE set in the environment, every life of the instance has that name, and a restart takes
# back the killed life's claims at once; OUT names the report file.
set -euo pipefail
cd "$(dirname "$0")/.."
export COUNT=${1:-10000} EMPLOYEES=${2:-48} KILLS=3
export STORE_DB=clockrelay_killrec PAYROLL_DB=clockrelay_killrec_payroll
export SECRET=bench-secret-0123456789 APP_PORT=18080 MANAGEMENT_PORT=19876
export RECEIVER_URL=http://127.0.0.1:18090/payroll RECEIVER_SECRET=whsec_$(head -c 32 /dev/urandom | base64)
export JAVA_OPTS=${JAVA_OPTS:-@$PWD/jvm.options}
export WORK=$(mktemp -d) OUT=${OUT:-bench/results/$(date +%Y-%m-%d)-kill-recovery.md}
export ARRIVALS=$WORK/arrivals.tsv
psql() { command psql -h 127.0.0.1 -U postgres -v ON_ERROR_STOP=1 -qtA "$@"; }
drop() { psql -d postgres -c "DROP DATABASE IF EXISTS $STORE_DB" -c "DROP DATABASE IF EXISTS $PAYROLL_DB"; }
cleanup() {
  local pid; pid=$(cat "$WORK/app.pid" 2>/dev/null) && [ "$(ps -o comm= -p "$pid")" = java ] && kill -9 "$pid" 2>/dev/null || true
  [ -n "${receiver:-}" ] && kill "$receiver" 2>/dev/null || true
  wait 2>/dev/null || true
  [ -n "${KEEP:-}" ] || drop || true
  if [ -n "${KEEP:-}" ]; then echo "logs kept in $WORK, databases $STORE_DB and $PAYROLL_DB kept" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

[ -d bench/node_modules/standardwebhooks ] || (cd bench && npm install --no-audit --no-fund --silent)
[ -f target/clockrelay.jar ] || { echo "build the jar first: mvn -B -q package -DskipTests" >&2; exit 1; }
drop
psql -d postgres -c "CREATE DATABASE $STORE_DB" -c "CREATE DATABASE $PAYROLL_DB"

PORT=18090 WEBHOOK_SECRET=$RECEIVER_SECRET node bench/payroll-receiver.js > "$WORK/receiver.log" 2>&1 & receiver=$!
for _ in $(seq 1 100); do grep -q listening "$WORK/receiver.log" && break; sleep 0.05; done

python3 bench/kill-recovery.py
cat "$OUT"
