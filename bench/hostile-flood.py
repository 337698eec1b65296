#!/usr/bin/env python3
"""A flood of forged webhooks against a running clockrelay, while valid ones are sent: what it answered, how many
valid webhooks per second it accepted meanwhile, and its peak resident memory.

    python3 bench/hostile-flood.py PORT MANAGEMENT_PORT PID SECRET CONCURRENCY BODY_BYTES SECONDS

CONCURRENCY connections at a time each send forged ClockEye webhooks of BODY_BYTES (a well-formed signature that
does not match, so the body must be read), one after another, for SECONDS; 4 senders post signed webhooks meanwhile.
PID is clockrelay's process: its VmHWM (peak resident memory) is read from /proc at the end. Loopback only.
"""
import hashlib, hmac, json, socket, sys, threading, time, urllib.request, collections, uuid

port, management, pid, secret = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
concurrency, size, seconds = int(sys.argv[5]), int(sys.argv[6]), float(sys.argv[7])
deadline = time.time() + seconds
forged = collections.Counter()
valid = collections.Counter()
lock = threading.Lock()


def post(body, signature, timeout=30):
    """One request on its own connection; the status, or the error when no answer came."""
    head = ("POST /webhooks/clockeye HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
            "X-ClockEye-Signature: sha256=%s\r\nContent-Length: %d\r\n\r\n" % (signature, len(body))).encode()
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        try:
            s.sendall(head + body)
        except OSError:
            pass  # refused before the body was read: the answer is still there to read
        try:
            line = s.makefile("rb").readline().decode("latin-1")
            return line.split(" ")[1] if line.startswith("HTTP/") else "no answer"
        except OSError as e:
            return type(e).__name__


def flood():
    body = b'{"id":"evt_forged","type":"time_entry.created","data":{"description":"' + b"x" * max(0, size - 80) + b'"}}'
    while time.time() < deadline:
        try:
            status = post(body, "ab" * 32)
        except OSError as e:
            status = type(e).__name__
        with lock:
            forged[status] += 1


def send_valid():
    while time.time() < deadline:
        event = json.dumps({"id": "evt_flood_" + uuid.uuid4().hex, "type": "time_entry.created",
                            "created_at": "2024-01-15T10:30:00Z",
                            "data": {"id": "te_" + uuid.uuid4().hex, "user_id": "usr_flood", "start_time": "2024-01-15T09:00:00Z",
                                     "duration": 60}}).encode()
        try:
            status = post(event, hmac.new(secret.encode(), event, hashlib.sha256).hexdigest())
        except OSError as e:
            status = type(e).__name__
        with lock:
            valid[status] += 1


threads = [threading.Thread(target=flood) for _ in range(concurrency)] + [threading.Thread(target=send_valid) for _ in range(4)]
started = time.time()
for t in threads:
    t.start()
for t in threads:
    t.join()
elapsed = time.time() - started
health = urllib.request.urlopen("http://127.0.0.1:%d/observe/health" % management, timeout=10).status
with open("/proc/%d/status" % pid) as f:
    memory = {line.split(":")[0]: line.split(":")[1].strip() for line in f if line.startswith(("VmHWM", "VmRSS"))}
print("flood: %d connections x %d bytes for %.0f s" % (concurrency, size, elapsed))
print("forged answers:", dict(forged))
print("valid answers:", dict(valid), "-> %.1f accepted/s" % (valid["200"] / elapsed))
print("health:", health, " VmHWM:", memory.get("VmHWM"), " VmRSS:", memory.get("VmRSS"))
