#!/usr/bin/env bash
# Builds clockrelay's base image with neither a registry nor a container daemon: a Java runtime cut by jlink from the
# JDK that runs the build, the shared libraries that runtime needs (copied from this machine), a non-root user and
# the folders the app uses. Written as a `docker save` tarball, which Jib takes as base image (`tar://`).
#
# Usage: image/base-image.sh OUTPUT.tar      (JAVA_HOME: the JDK to cut the runtime from; default: the java on PATH)
# Needs Linux (the image's libraries are this machine's), any user: ownership in the image is set by tar, not chown.
set -euo pipefail

out=$(realpath -m "$1")
java_home=${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}
uid=10001                       # the non-root user the container runs as (clockrelay:clockrelay)
# The modules the app uses: `jdeps --multi-release 17 --print-module-deps --ignore-missing-deps target/clockrelay.jar`,
# plus the service providers jdeps cannot see: jdk.crypto.ec (TLS with elliptic curves, for Clockodo's API and HTTP
# targets) and jdk.zipfs. image/check-image.sh proves the app starts on it.
modules=${IMAGE_JAVA_MODULES:-java.base,java.compiler,java.desktop,java.instrument,java.prefs,java.rmi,java.scripting,java.security.jgss,java.sql.rowset,jdk.jfr,jdk.management,jdk.net,jdk.unsupported,jdk.crypto.ec,jdk.zipfs}
case $(uname -m) in x86_64) arch=amd64 ;; aarch64) arch=arm64 ;; *) arch=$(uname -m) ;; esac

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=$work/rootfs
mkdir -p "$root/etc" "$root/tmp" "$root/data" "$root/routes" "$work/layer"

# java.beans lives in java.desktop; its AWT native libraries (and the X11 libraries they need) are left out.
"$java_home/bin/jlink" --add-modules "$modules" --exclude-files='glob:/java.desktop/lib/**' \
  --strip-debug --no-header-files --no-man-pages --output "$root/opt/java"
# The JDK's class data sharing archive for this runtime: a faster start (the JDK images ship one; jlink makes none).
"$root/opt/java/bin/java" -Xshare:dump > /dev/null

# Every shared library the runtime's programs and libraries load, with the dynamic loader, at their paths here.
find "$root/opt/java" -type f \( -name '*.so' -o -perm -u+x \) -print0 | { xargs -0 ldd 2>/dev/null || true; } |
  awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\/.*ld-linux/ {print $1}' | sort -u |
  while read -r lib; do case $lib in "$root"/*) ;; *) cp -L --parents "$lib" "$root" ;; esac; done

cat > "$root/etc/passwd" <<EOF
root:x:0:0:root:/root:/sbin/nologin
clockrelay:x:$uid:$uid:clockrelay:/tmp:/sbin/nologin
EOF
cat > "$root/etc/group" <<EOF
root:x:0:
clockrelay:x:$uid:
EOF
echo 'hosts: files dns' > "$root/etc/nsswitch.conf"
chmod 1777 "$root/tmp"
chmod 755 "$root/data" "$root/routes"

# One layer (sorted, fixed times, numeric owners: the same bytes for the same JDK but for the CDS archive, which JDK 17
# does not dump reproducibly). Everything is root's except /data, the user's, so that a volume there starts writable.
tar_opts=(--sort=name --mtime=@0 --numeric-owner --format=gnu -C "$root")
tar -cf "$work/layer/layer.tar" "${tar_opts[@]}" --owner=0 --group=0 $(cd "$root" && ls -A | grep -vx data)
tar -rf "$work/layer/layer.tar" "${tar_opts[@]}" --owner=$uid --group=$uid data
diff_id=sha256:$(sha256sum "$work/layer/layer.tar" | cut -d' ' -f1)

cat > "$work/layer/config.json" <<EOF
{"architecture":"$arch","os":"linux","created":"1970-01-01T00:00:00Z",
 "config":{"User":"$uid:$uid","Env":["PATH=/opt/java/bin:/usr/bin:/bin","JAVA_HOME=/opt/java"]},
 "rootfs":{"type":"layers","diff_ids":["$diff_id"]},
 "history":[{"created":"1970-01-01T00:00:00Z","created_by":"image/base-image.sh: jlink runtime ($modules)"}]}
EOF
echo '[{"Config":"config.json","RepoTags":["clockrelay-base:local"],"Layers":["layer.tar"]}]' > "$work/layer/manifest.json"
mkdir -p "$(dirname "$out")"
tar -cf "$out" --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$work/layer" manifest.json config.json layer.tar
echo "base image: $out ($(du -h "$out" | cut -f1), runtime $("$root/opt/java/bin/java" -version 2>&1 | head -1))"
