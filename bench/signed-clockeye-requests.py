#!/usr/bin/env python3
"""Writes N ClockEye webhooks with unique ids, signed as ClockEye signs them, one per line: signature TAB body.
Usage: signed-clockeye-requests.py N SECRET OUT [FIRST]: ids FIRST to FIRST+N-1 (default 0), so that two files can
hold different webhooks."""
import hashlib
import hmac
import json
import sys

count, secret, out = int(sys.argv[1]), sys.argv[2].encode(), sys.argv[3]
first = int(sys.argv[4]) if len(sys.argv) > 4 else 0
with open(out, "w") as f:
    for i in range(first, first + count):
        body = json.dumps({
            "id": f"evt_bench_{i}", "type": "time_entry.created", "created_at": "2024-01-15T10:30:00Z",
            "data": {"id": f"te_bench_{i}", "user_id": f"usr_{i % 500}", "project_id": "prj_abc123",
                     "start_time": "2024-01-15T09:00:00Z", "duration": 3600, "description": "Working on feature X"},
        }, separators=(",", ":"))
        f.write("sha256=" + hmac.new(secret, body.encode(), hashlib.sha256).hexdigest() + "\t" + body + "\n")
