#!/usr/bin/env bash
# Checks the image tarball without a container runtime: its configuration (non-root user, volumes, ports,
# environment), then its filesystem run as a container would run it: the layers unpacked, the root file system read-only
# (as in the Kubernetes example) with /data and /tmp writable, the entrypoint started as the image's user in a chroot,
# in a network namespace of its own (so on the image's own ports). It must become ready on the management port, accept
# a signed webhook and deliver its record (payroll-db target), and stop on SIGTERM. Prints its resident memory.
#
# Usage: image/check-image.sh [IMAGE_TAR] [ROUTES_DIR] [NAME=VALUE...]
#   IMAGE_TAR   default target/clockrelay-image.tar (mvn -B -Pimage package)
#   ROUTES_DIR  a folder mounted at /routes, as the Kubernetes example mounts its ConfigMap; "" or none: the image's own
#   NAME=VALUE  added to the container's environment, e.g. CLOCKRELAY_DB_URL=jdbc:postgresql://127.0.0.1:5432/clockrelay
# Environment:
#   LOAD_SECONDS=N     then sends signed webhooks for N seconds with wrk (bench/) and prints the memory after that
#   MEMORY_LIMIT=256M  runs it in a memory cgroup with that limit, as a container's limit would (killed when over it)
#   HOST_NETWORK=1     shares this machine's network (to reach a database here) on free ports instead of 8080/9876
# Needs root (chroot, mounts, namespaces), python3, curl, openssl, iproute2; wrk for LOAD_SECONDS.
set -euo pipefail
cd "$(dirname "$0")/.."
image=$(realpath "${1:-target/clockrelay-image.tar}")
routes=${2:+$(realpath "$2")}
shift $(( $# < 2 ? $# : 2 ))
extra_env=("$@")
secret=check-image-secret
work=$(mktemp -d)
pid= cgroup=
cleanup() {
  [ -z "$pid" ] || kill -9 "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"
  # A killed process may leave its cgroup a moment later.
  [ -z "$cgroup" ] || for _ in $(seq 10); do rmdir "$cgroup" 2>/dev/null && break; sleep 0.5; done
}
trap cleanup EXIT
fail() { echo "FAILED: $*" >&2; [ -f "$work/app.log" ] && tail -30 "$work/app.log" >&2; exit 1; }

echo "== $image ($(du -h "$image" | cut -f1))"
mkdir "$work/image" "$work/rootfs"
tar -xf "$image" -C "$work/image"
# The configuration, checked and handed over as the entrypoint and environment (NUL-separated) and the layers.
python3 - "$work" <<'EOF'
import json, sys
work = sys.argv[1]
manifest = json.load(open(f"{work}/image/manifest.json"))[0]
config = json.load(open(f"{work}/image/{manifest['Config']}"))["config"]
print("tags:", manifest["RepoTags"])
for key in ("User", "Entrypoint", "Cmd", "WorkingDir", "ExposedPorts", "Volumes", "Env"):
    print(f"{key}: {config.get(key)}")
env = config.get("Env", [])
checks = {
    "runs as the non-root user 10001": config.get("User") == "10001:10001",
    "volumes /data and /routes": set(config.get("Volumes", {})) == {"/data", "/routes"},
    "ports 8080 and 9876": set(config.get("ExposedPorts", {})) == {"8080/tcp", "9876/tcp"},
    "store under /data": any(e.startswith("CLOCKRELAY_DB_URL=jdbc:h2:file:/data/") for e in env),
    "routes folder /routes": "CLOCKRELAY_ROUTES_DIR=/routes" in env,
    "memory settings": any(e.startswith("JAVA_TOOL_OPTIONS=-Xmx") for e in env),
}
for name, ok in checks.items():
    print(("ok  " if ok else "BAD ") + name)
open(f"{work}/user", "w").write(config["User"])
open(f"{work}/entrypoint", "w").write("\0".join(config["Entrypoint"] + (config.get("Cmd") or [])))
open(f"{work}/env", "w").write("\0".join(env))
open(f"{work}/layers", "w").write("".join(layer + "\n" for layer in manifest["Layers"]))
sys.exit(0 if all(checks.values()) else 1)
EOF
while read -r layer; do
  tar -xf "$work/image/$layer" -C "$work/rootfs" --warning=no-unknown-keyword
done < "$work/layers"
user=$(cat "$work/user")
mapfile -d '' entrypoint < "$work/entrypoint"
mapfile -d '' env < "$work/env"
[ "$(stat -c %u "$work/rootfs/data")" = "${user%%:*}" ] || fail "/data is not the user's"
echo "ok  /data belongs to $user; file system $(du -sh "$work/rootfs" | cut -f1)"

port=8080 management=9876 network=--net
if [ -n "${HOST_NETWORK:-}" ]; then
  read -r port management < <(python3 -c 'import socket
s = [socket.socket() for _ in range(2)]
for x in s: x.bind(("127.0.0.1", 0))
print(*[x.getsockname()[1] for x in s])')
  network= extra_env=(CLOCKRELAY_PORT=$port CLOCKRELAY_MANAGEMENT_PORT=$management "${extra_env[@]}")
fi
if [ -n "${MEMORY_LIMIT:-}" ]; then
  if [ -f /sys/fs/cgroup/cgroup.controllers ]; then    # cgroup v2
    cgroup=/sys/fs/cgroup$(awk -F: '$1 == "0" {print $3}' /proc/self/cgroup)/clockrelay-check-$$
    mkdir "$cgroup" && numfmt --from=iec "$MEMORY_LIMIT" > "$cgroup/memory.max"
  else                                                  # cgroup v1
    cgroup=/sys/fs/cgroup/memory$(awk -F: '$2 == "memory" {print $3}' /proc/self/cgroup)/clockrelay-check-$$
    mkdir "$cgroup" && numfmt --from=iec "$MEMORY_LIMIT" > "$cgroup/memory.limit_in_bytes"
  fi
  echo "ok  memory limit $MEMORY_LIMIT: $cgroup"
fi

# What a runtime provides (/dev, /proc, /sys, /etc/hosts, /etc/resolv.conf, the volumes), in a mount namespace that
# ends with the process; then the image's environment only, its user, its entrypoint.
mkdir -p "$work/rootfs/dev" "$work/rootfs/proc" "$work/rootfs/sys"
touch "$work/rootfs/etc/hosts" "$work/rootfs/etc/resolv.conf"
unshare --mount $network sh -c '
  root=$1 routes=$2 cgroup=$3; shift 3
  [ -z "$cgroup" ] || echo $$ > "$cgroup/cgroup.procs"
  ip link set lo up 2>/dev/null || true
  mount --bind "$root" "$root"
  mount --bind "$root/data" "$root/data"; mount -t tmpfs -o mode=1777 tmpfs "$root/tmp"
  mount --rbind /dev "$root/dev"; mount -t proc proc "$root/proc"; mount --rbind /sys "$root/sys"
  mount --bind /etc/hosts "$root/etc/hosts"; mount --bind /etc/resolv.conf "$root/etc/resolv.conf"
  [ -z "$routes" ] || mount --bind -o ro "$routes" "$root/routes"
  mount -o remount,bind,ro "$root"
  exec env -i "$@"' sh "$work/rootfs" "$routes" "$cgroup" "${env[@]}" CLOCKEYE_WEBHOOK_SECRET=$secret "${extra_env[@]}" \
  "$(command -v chroot)" --userspec="$user" "$work/rootfs" "${entrypoint[@]}" > "$work/app.log" 2>&1 &
pid=$!
began=$(date +%s%N)
inside() { if [ -n "$network" ]; then nsenter --target "$pid" --net "$@"; else "$@"; fi; }

for _ in $(seq 1 600); do
  inside curl -sf -o /dev/null "http://127.0.0.1:$management/observe/health/ready" && break
  kill -0 "$pid" 2>/dev/null || fail "the container's process exited"
  sleep 0.1
done
inside curl -sf -o /dev/null "http://127.0.0.1:$management/observe/health/ready" || fail "not ready after 60 s"
echo "ok  ready after $(( ($(date +%s%N) - began) / 1000000 )) ms: /observe/health/ready" \
  "$(inside curl -s "http://127.0.0.1:$management/observe/health/ready"), /observe/health/live" \
  "$(inside curl -s "http://127.0.0.1:$management/observe/health/live") on port $management"
[ "$(ps -o uid= -p "$pid" | tr -d ' ')" = "${user%%:*}" ] || fail "the process does not run as $user"
echo "ok  process $pid runs as uid $(ps -o uid= -p "$pid" | tr -d ' '): $(ps -o args= -p "$pid" | cut -c1-100)"
echo "ok  $(grep -m1 'Picked up JAVA_TOOL_OPTIONS' "$work/app.log" || echo 'no JAVA_TOOL_OPTIONS')"

body='{"id":"evt_check_image_'$$'","type":"time_entry.created","created_at":"2024-01-15T10:30:00Z","data":{"id":"te_check_'$$'","user_id":"usr_check","start_time":"2024-01-15T09:00:00Z","duration":3600}}'
signature=sha256=$(printf '%s' "$body" | openssl dgst -sha256 -hmac "$secret" -hex | sed 's/.*= //')
answer=$(inside curl -s -X POST "http://127.0.0.1:$port/webhooks/clockeye" -H 'Content-Type: application/json' \
  -H "X-ClockEye-Signature: $signature" -d "$body")
[ "$answer" = '{"status":"accepted"}' ] || fail "webhook answered $answer"
echo "ok  webhook on port $port: $answer; /data holds: $(ls "$work/rootfs/data" | tr '\n' ' ')"
if [[ " ${extra_env[*]} " != *" CLOCKRELAY_LOG_LEVEL="* ]]; then    # the line is logged at INFO
  for _ in $(seq 1 200); do grep -q "delivery delivered target=payroll-db .*eventId=evt_check_image_$$ " "$work/app.log" && break; sleep 0.1; done
  grep -q "delivery delivered target=payroll-db .*eventId=evt_check_image_$$ " "$work/app.log" || fail "the webhook's record was not delivered"
  echo "ok  its record delivered to the payroll-db target"
fi
[ -z "$routes" ] || echo "ok  $routes mounted at /routes; routes started: $(grep -o 'Started [a-z0-9-]*' "$work/app.log" | cut -d' ' -f2 | tr '\n' ' ')"

memory() { awk '/VmRSS|VmHWM/ {printf "%s %d MB  ", $1, $2 / 1024}' "/proc/$pid/status"; }
echo "    memory after start: $(memory)"
if [ -n "${LOAD_SECONDS:-}" ]; then
  python3 bench/signed-clockeye-requests.py 300000 "$secret" "$work/requests.tsv"
  REQUESTS=$work/requests.tsv THREADS=2 inside wrk -t2 -c64 -d"${LOAD_SECONDS}s" -s bench/clockeye-ingest.lua \
    "http://127.0.0.1:$port" | grep -E 'Requests/sec|Non-2xx|errors' || true
  kill -0 "$pid" 2>/dev/null || fail "the process died under load (over the memory limit?)"
  echo "    memory after ${LOAD_SECONDS} s of load: $(memory)"
fi

kill -TERM "$pid"
stopping=$(date +%s)
status=0; wait "$pid" || status=$?
pid=
echo "ok  stopped on SIGTERM in $(( $(date +%s) - stopping )) s (exit status $status: 143 is the JVM's after SIGTERM)"
echo "PASSED"
