#!/usr/bin/env python3
"""The kill-recovery run of bench/kill-recovery.sh (which prepares the databases and the HTTP receiver, then calls
this): N signed ClockEye webhooks for E employees, each employee's sent one after another by its own thread, each
acknowledged (200) before the next; connection errors and 503 are retried after RETRY_PAUSE until acknowledged.
Meanwhile clockrelay (java @jvm.options -jar target/clockrelay.jar) is SIGKILLed at KILLS spread points of the
progress, each time while it holds claims, and restarted right away. Then it waits until both targets have every
record and writes the report (markdown) to OUT.

Settings from the environment: COUNT, EMPLOYEES, KILLS, SECRET, APP_PORT, MANAGEMENT_PORT, STORE_DB, PAYROLL_DB,
RECEIVER_URL, RECEIVER_SECRET, ARRIVALS (the receiver's file), WORK (logs, pid file), OUT, JAVA_OPTS."""
import collections
import hashlib
import hmac
import http.client
import json
import os
import signal
import subprocess
import sys
import threading
import time

env = os.environ
COUNT, EMPLOYEES, KILLS = int(env["COUNT"]), int(env["EMPLOYEES"]), int(env.get("KILLS", "3"))
SECRET = env["SECRET"].encode()
APP_PORT, MANAGEMENT_PORT = int(env["APP_PORT"]), int(env["MANAGEMENT_PORT"])
WORK, OUT, ARRIVALS = env["WORK"], env["OUT"], env["ARRIVALS"]
RETRY_PAUSE = 0.05
UPTIME = float(env.get("UPTIME", "3"))  # seconds an instance works after ready before the next kill, at least
DRAIN_LIMIT = 300  # seconds to wait, after the last acknowledgement, for the targets to have everything


def psql(db, sql):
    return subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", db, "-v", "ON_ERROR_STOP=1", "-qtA",
                           "-F", "\t", "-c", sql], check=True, capture_output=True, text=True).stdout.strip()


def store(sql):
    return psql(env["STORE_DB"], sql)


# --- the webhooks: employee e sends seq 0, 1, 2, ... (10,000 over 48: 208 or 209 each)
plan = [[] for _ in range(EMPLOYEES)]
for i in range(COUNT):
    plan[i % EMPLOYEES].append(i // EMPLOYEES)


def webhook(employee, seq):
    minute = employee * 1000 + seq
    body = json.dumps({
        "id": f"evt_kr_{employee}_{seq}", "type": "time_entry.created",
        "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(1700000000 + minute * 60)),
        "data": {"id": f"te_kr_{employee}_{seq}", "user_id": f"usr_kr_{employee}", "project_id": "prj_abc123",
                 "start_time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(1700000000 + minute * 60 - 3600)),
                 "duration": 3600, "description": f"entry {seq} of employee {employee}"},
    }, separators=(",", ":"))
    return body, "sha256=" + hmac.new(SECRET, body.encode(), hashlib.sha256).hexdigest()


acks = {}                      # event id -> acknowledgement time
answers = collections.Counter()  # "200 accepted", "503", "connection error", ...
lock = threading.Lock()


def sender(employee):
    connection = None
    for seq in plan[employee]:
        body, signature = webhook(employee, seq)
        while True:
            try:
                if connection is None:
                    connection = http.client.HTTPConnection("127.0.0.1", APP_PORT, timeout=30)
                connection.request("POST", "/webhooks/clockeye", body,
                                   {"Content-Type": "application/json", "X-ClockEye-Signature": signature})
                response = connection.getresponse()
                answer = response.read()
                status = response.status
                if response.getheader("Connection", "").lower() == "close":
                    connection.close()
                    connection = None
            except (OSError, http.client.HTTPException):
                if connection is not None:
                    connection.close()
                connection = None
                with lock:
                    answers["connection error"] += 1
                time.sleep(RETRY_PAUSE)
                continue
            if status == 200:
                with lock:
                    acks[f"evt_kr_{employee}_{seq}"] = time.time()
                    answers["200 " + json.loads(answer).get("status", "?")] += 1
                break
            with lock:
                answers[str(status)] += 1
            if status != 503:   # anything else would be retried for ever: give this webhook up, the report shows it
                break
            time.sleep(RETRY_PAUSE)
    if connection is not None:
        connection.close()


# --- clockrelay, started, killed and restarted
app = {"process": None, "log": None}
instances = []                  # per start: spawned, ready


def ready():
    try:
        connection = http.client.HTTPConnection("127.0.0.1", MANAGEMENT_PORT, timeout=1)
        connection.request("GET", "/observe/health/ready")
        ok = connection.getresponse().status == 200
        connection.close()
        return ok
    except OSError:
        return False


def start_app():
    number = len(instances) + 1
    log = open(os.path.join(WORK, f"app-{number}.log"), "w")
    app_env = dict(env, CLOCKEYE_WEBHOOK_SECRET=SECRET.decode(), CLOCKRELAY_PORT=str(APP_PORT),
                   CLOCKRELAY_MANAGEMENT_PORT=str(MANAGEMENT_PORT),
                   CLOCKRELAY_DB_URL=f"jdbc:postgresql://127.0.0.1:5432/{env['STORE_DB']}", CLOCKRELAY_DB_USER="postgres",
                   PAYROLL_DB_ENABLED="true", PAYROLL_DB_URL=f"jdbc:postgresql://127.0.0.1:5432/{env['PAYROLL_DB']}",
                   PAYROLL_DB_USER="postgres", PAYROLL_API_ENABLED="true", PAYROLL_API_URL=env["RECEIVER_URL"],
                   PAYROLL_API_SECRET=env["RECEIVER_SECRET"])
    stale_tokens = {token for _, token, _ in claims()} if instances else set()  # the first start creates the tables
    spawned = time.time()
    process = subprocess.Popen(["java", *env["JAVA_OPTS"].split(), "-jar", os.path.abspath("target/clockrelay.jar")],
                               cwd=WORK, env=app_env, stdout=log, stderr=subprocess.STDOUT)
    with open(os.path.join(WORK, "app.pid"), "w") as f:
        f.write(str(process.pid))
    app.update(process=process, log=log)
    instance = {"spawned": spawned, "ready": None, "stale_tokens": stale_tokens}
    instances.append(instance)
    deadline = time.time() + 60
    while not ready():
        if process.poll() is not None or time.time() > deadline:
            sys.exit(f"clockrelay did not become ready: see {log.name}")
        time.sleep(0.02)
    instance["ready"] = time.time()


CLAIMS = ("SELECT 'inbox', claim_token, count(*) FROM inbox WHERE status = 'pending' AND claim_token IS NOT NULL GROUP BY 2"
          " UNION ALL SELECT 'deliveries', claim_token, count(*) FROM deliveries WHERE status = 'pending' AND claim_token IS NOT NULL GROUP BY 2")


def claims():
    """(table, claim token, rows) of every claim in the store, the dead instances' included."""
    return [(t, token, int(n)) for t, token, n in (row.split("\t") for row in store(CLAIMS).splitlines())]


def held_by_this_instance():
    """Inbox rows and deliveries under a claim token the current instance took (not one left by a killed one)."""
    held = {"inbox": 0, "deliveries": 0}
    for table, token, rows in claims():
        if token not in instances[-1]["stale_tokens"]:
            held[table] += rows
    return held["inbox"], held["deliveries"]


def kill_while_holding():
    """SIGKILL once the instance holds claims of its own: inbox rows and deliveries if that comes within 2 s, else
    either; returns what it held."""
    began = time.time()
    while True:
        inbox_held, deliveries_held = held_by_this_instance()
        if inbox_held > 0 and deliveries_held > 0:
            break
        if inbox_held + deliveries_held > 0 and time.time() > began + 2 or time.time() > began + 20:
            break
        time.sleep(0.01)
    killed = time.time()
    app["process"].send_signal(signal.SIGKILL)
    app["process"].wait()
    app["log"].close()
    return {"killed": killed, "inbox_held": inbox_held, "deliveries_held": deliveries_held}


def main():
    start_app()
    began = time.time()
    threads = [threading.Thread(target=sender, args=(e,), daemon=True) for e in range(EMPLOYEES)]
    for t in threads:
        t.start()
    kills = []
    for k in range(1, KILLS + 1):
        # spread: at k/(KILLS+1) of the webhooks acknowledged, and not before the instance has worked UPTIME s
        while len(acks) < COUNT * k // (KILLS + 1) and any(t.is_alive() for t in threads):
            time.sleep(0.005)
        while time.time() < instances[-1]["ready"] + UPTIME:
            time.sleep(0.005)
        kill = kill_while_holding()
        kill["acked_before"] = len(acks)
        kill["acked_ids"] = set(acks)
        start_app()
        kills.append(kill)
    for t in threads:
        t.join()
    last_ack = max(acks.values()) if acks else began
    # wait until nothing is pending in the store and the receiver has every record (or the limit)
    while time.time() < last_ack + DRAIN_LIMIT:
        pending = store("SELECT (SELECT count(*) FROM inbox WHERE status = 'pending') + (SELECT count(*) FROM deliveries WHERE status = 'pending')")
        if pending == "0" and len(read_arrivals()[0]) >= len(acks):
            break
        time.sleep(0.2)
    time.sleep(0.5)   # the receiver's last lines reach its file
    report(began, last_ack, kills)
    app["process"].terminate()
    app["process"].wait()


def read_arrivals():
    first, order, bad, lines = {}, collections.defaultdict(list), [], 0
    with open(ARRIVALS) as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) < 5:
                continue
            lines += 1
            at, _, event_id, user, verdict = float(parts[0]) / 1000, parts[1], parts[2], parts[3], parts[4]
            if verdict != "ok":
                bad.append(verdict)
                continue
            if event_id in first:
                continue    # a repeat (counted by the caller); order is judged on first arrivals
            first[event_id] = at
            employee, seq = map(int, event_id[len("evt_kr_"):].split("_"))
            order[employee].append(seq)
    return first, order, bad, lines


def report(began, last_ack, kills):
    first, order, bad, lines = read_arrivals()
    # order at the HTTP target: a record's first arrival after a later record of the same employee had arrived
    out_of_order, employees_out_of_order = 0, set()
    for employee, seqs in order.items():
        highest = -1
        for seq in seqs:
            if seq < highest:
                out_of_order += 1
                employees_out_of_order.add(employee)
            highest = max(highest, seq)
    http_duplicates = lines - len(bad) - len(first)
    missing_http = len(set(acks) - set(first))
    payroll_rows = int(psql(env["PAYROLL_DB"], "SELECT count(*) FROM payroll_time_records WHERE record_id LIKE 'clockeye:time_entry:te_kr_%'"))
    payroll_wrong = int(psql(env["PAYROLL_DB"], "SELECT count(*) FROM payroll_time_records WHERE record_id LIKE 'clockeye:time_entry:te_kr_%'"
                                                " AND last_event_id <> replace(record_id, 'clockeye:time_entry:te_', 'evt_')"))
    statuses = store("SELECT target, status, count(*), sum(attempts), count(*) FILTER (WHERE attempts > 1) FROM deliveries GROUP BY 1, 2 ORDER BY 1, 2")
    inbox_statuses = store("SELECT status, count(*) FROM inbox GROUP BY 1 ORDER BY 1")
    dead_letters = store("SELECT count(*) FROM dead_letters")
    # order as the store saw it: per target and employee, a record marked delivered before an earlier one was
    inversions = store("SELECT target, count(*) FROM (SELECT target, delivered_at, max(delivered_at) OVER (PARTITION BY target, ordering_key"
                       " ORDER BY inbox_id ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS before FROM deliveries"
                       " WHERE status = 'delivered') t WHERE delivered_at < before GROUP BY 1")
    delivered = {row.split("\t")[0]: float(row.split("\t")[1]) for row in
                 store("SELECT event_id, extract(epoch FROM delivered_at) FROM deliveries WHERE target = 'payroll-db' AND status = 'delivered'").splitlines()}
    processed = [float(t) for t in store("SELECT extract(epoch FROM processed_at) FROM inbox WHERE processed_at IS NOT NULL").splitlines()]
    last_http = max(first.values()) if first else float("nan")
    last_db = max(delivered.values()) if delivered else float("nan")

    def after(times, since):
        later = [t for t in times if t >= since]
        return min(later) - since if later else float("nan")

    recoveries = []
    for k, kill in enumerate(kills):
        instance = instances[k + 1]
        backlog = kill["acked_ids"]
        drained_http = max((first.get(e, float("inf")) for e in backlog), default=float("nan"))
        drained_db = max((delivered.get(e, float("inf")) for e in backlog), default=float("nan"))
        # what happened after the next kill is the next instance's work, not this one's
        end = kills[k + 1]["killed"] - instance["spawned"] if k + 1 < len(kills) else float("inf")
        recoveries.append((k + 1, kill, instance, end, after(first.values(), instance["spawned"]),
                           after(delivered.values(), instance["spawned"]), drained_http - instance["spawned"],
                           drained_db - instance["spawned"]))

    def s(x, end=float("inf")):
        if x != x or x == float("inf"):
            return "never"
        return f"{x:.1f} s" if x <= end else f"not before the next kill ({x:.1f} s)"

    with open(OUT, "w") as o:
        w = lambda line="": print(line, file=o)
        w(f"# Kill recovery, {time.strftime('%Y-%m-%dT%H:%MZ', time.gmtime())}")
        w()
        w(f"`bench/kill-recovery.sh {COUNT} {EMPLOYEES}`: {COUNT:,} signed ClockEye webhooks for {EMPLOYEES} employees, each employee's"
          f" sent one after another (each acknowledged before the next) by its own thread ({EMPLOYEES} concurrent senders; connection"
          f" errors and 503 retried after {RETRY_PAUSE * 1000:.0f} ms). Store and payroll-db target on PostgreSQL"
          f" ({psql('postgres', 'SHOW server_version')}, 127.0.0.1), HTTP target payroll-api → bench/payroll-receiver.js"
          f" (verifies with npm standardwebhooks). clockrelay: `java {env['JAVA_OPTS']} -jar target/clockrelay.jar`"
          + (f" named CLOCKRELAY_INSTANCE={env['CLOCKRELAY_INSTANCE']} (a restart takes back its claims at once)," if env.get('CLOCKRELAY_INSTANCE')
             else " without CLOCKRELAY_INSTANCE (a restart waits for the killed one's leases),") +
          f" SIGKILLed {len(kills)} times while holding claims and restarted right away. {os.cpu_count()} cores shared by"
          f" everything.")
        w()
        w("| | result |")
        w("|---|---|")
        w(f"| webhooks acknowledged | {len(acks):,} of {COUNT:,} (answers: {', '.join(f'{k}: {v:,}' for k, v in sorted(answers.items()))}) |")
        w(f"| sending took | {last_ack - began:.1f} s, restarts included |")
        w(f"| records at the HTTP target | {len(first):,} distinct ({missing_http} acknowledged missing), {http_duplicates} repeated arrivals |")
        w(f"| rows in the payroll table | {payroll_rows:,} ({payroll_wrong} whose last event is not their own) |")
        w(f"| out-of-order arrivals at the HTTP target | {out_of_order} ({len(employees_out_of_order)} employees) |")
        w(f"| delivered before an earlier record of the same employee, by the store's delivered_at | {', '.join(inversions.splitlines()) or 'none'} |")
        w(f"| signature failures at the HTTP target | {len(bad)}{(' (' + bad[0] + ')') if bad else ''} |")
        w(f"| last acknowledgement → last record delivered | HTTP {s(last_http - last_ack)}, payroll-db {s(last_db - last_ack)} (target: ≤ 30 s) |")
        w(f"| dead letters | {dead_letters} |")
        w()
        w("Deliveries in the store (target, status, rows, attempts, rows attempted more than once):"
          f" {'; '.join(r.replace(chr(9), ' ') for r in statuses.splitlines())}. Inbox: {'; '.join(r.replace(chr(9), ' ') for r in inbox_statuses.splitlines())}.")
        w()
        w("| kill | at (s after the first send) | acknowledged before | held by the killed instance (inbox rows, deliveries) | restart → ready |"
          " restart → first delivery (HTTP, payroll-db) | restart → backlog drained (HTTP, payroll-db) |")
        w("|---|---|---|---|---|---|---|")
        for k, kill, instance, end, first_http, first_db, drain_http, drain_db in recoveries:
            w(f"| {k} | {kill['killed'] - began:.1f} | {kill['acked_before']:,} | {kill['inbox_held']}, {kill['deliveries_held']} |"
              f" {instance['ready'] - instance['spawned']:.1f} s | {s(first_http, end)}, {s(first_db, end)} |"
              f" {s(drain_http, end)}, {s(drain_db, end)} |")
        w()
        w("Flow per 5 s after the first send (acknowledged, mapped by the process stage, first arrivals at the HTTP target,"
          " delivered to payroll-db), and the instances' lives:")
        w()
        w("| s | acknowledged | mapped | HTTP | payroll-db | |")
        w("|---|---|---|---|---|---|")
        end = max(last_ack, last_http, last_db, *processed)
        for start in range(0, int(end - began) + 5, 5):
            lo, hi = began + start, began + start + 5
            count = lambda times: sum(1 for t in times if lo <= t < hi)
            events = [f"kill {k + 1} at {kill['killed'] - began:.1f}" for k, kill in enumerate(kills) if lo <= kill["killed"] < hi]
            events += [f"ready at {i['ready'] - began:.1f}" for i in instances[1:] if lo <= i["ready"] < hi]
            w(f"| {start}–{start + 5} | {count(acks.values())} | {count(processed)} | {count(first.values())} | {count(delivered.values())} | {', '.join(events)} |")
        w()
        w("\"Backlog drained\": every record of the webhooks acknowledged before the kill is at the target (first arrival at the"
          " receiver; delivered_at in the store for payroll-db). The restart is the moment the new process was spawned, right"
          " after the killed one was reaped.")


if __name__ == "__main__":
    try:
        main()
    finally:
        if app["process"] is not None and app["process"].poll() is None:
            app["process"].kill()
