#!/usr/bin/env bash
# Footprint of an idle sidecar: time from start to the first mTLS connection that completes a
# request through it, and its RSS and threads once idle, for
#   - trustmesh proxy inbound, started by ./trustmesh with the defaults a user gets (one workload);
#   - the same without the launcher's sidecar defaults (trustmesh-plain: java -jar, as before);
#   - trustmesh proxy run serving WORKLOADS inbound listeners in one process (the node shape),
#     reported per workload served;
#   - HAProxy and stunnel with one listener each, and HAProxy with WORKLOADS frontends.
# Not part of CI. Needs: haproxy stunnel4 nginx python3 (Debian packages) and the fat jar.
#
#   bench/footprint.sh                      # REPEAT=3 medians, WORKLOADS=20
#   REPEAT=5 WORKLOADS=50 SETTLE=5 bench/footprint.sh
#   BEFORE_JAR=/tmp/main.jar SHAPES="trustmesh-before trustmesh-inbound" bench/footprint.sh
#   BEFORE_ROOT=/tmp/main-checkout SHAPES="trustmesh-before-launcher trustmesh-inbound" bench/footprint.sh
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
REPEAT="${REPEAT:-3}"
WORKLOADS="${WORKLOADS:-20}"
SETTLE="${SETTLE:-3}"          # seconds idle before RSS is read
BACKEND_PORT=18180
BASE_PORT=18500
for tool in haproxy stunnel4 nginx python3 java; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is missing (apt-get install haproxy stunnel4 nginx)" >&2; exit 2; }
done
work="$(mktemp -d /tmp/trustmesh-footprint.XXXXXX)"
nginx_pid=
cleanup() { [ -n "$nginx_pid" ] && kill "$nginx_pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
log() { echo "bench: $*" >&2; }

tm() { "$root/trustmesh" "$@"; }
tm ca init --trust-domain bench.trustmesh --dir "$work/ca" >/dev/null
tm cert issue --ca "$work/ca" --spiffe-id spiffe://bench.trustmesh/ns/bench/sa/server --dns localhost \
  --ttl 24h --out "$work/server" >/dev/null
tm cert issue --ca "$work/ca" --spiffe-id spiffe://bench.trustmesh/ns/bench/sa/client --ttl 24h \
  --out "$work/client" >/dev/null
cat "$work/server/svid.pem" "$work/server/svid_key.pem" > "$work/server/haproxy.pem"
CA="$work/ca/root.pem"

mkdir -p "$work/www" "$work/nginx"
printf 'hello from the backend\n' > "$work/www/small.txt"
chmod a+rX "$work"; chmod -R a+rX "$work/www"  # nginx workers run as www-data
cat > "$work/nginx/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $work/nginx/body; proxy_temp_path $work/nginx/proxy;
  fastcgi_temp_path $work/nginx/fcgi; uwsgi_temp_path $work/nginx/uwsgi; scgi_temp_path $work/nginx/scgi;
  server { listen 127.0.0.1:$BACKEND_PORT; root $work/www; }
}
CONF
nginx -c "$work/nginx/nginx.conf" -p "$work/nginx" 2>"$work/nginx/stderr" &
nginx_pid=$!

# --- configurations --------------------------------------------------------------------------
{
  echo "identity: {svid_dir: $work/server}"
  echo "inbound:"
  for i in $(seq 0 $((WORKLOADS - 1))); do
    echo "  - {name: w$i, listen: 127.0.0.1:$((BASE_PORT + i)), target: 127.0.0.1:$BACKEND_PORT,"
    echo "     allow: {ids: [spiffe://bench.trustmesh/ns/bench/sa/client]}}"
  done
} > "$work/node.yaml"
haproxy_cfg() { # N frontends
  cat <<CONF
global
  nbthread 1
  tune.ssl.cachesize 0
  ssl-default-bind-options ssl-min-ver TLSv1.2 no-tls-tickets
defaults
  mode tcp
  timeout connect 5s
  timeout client 600s
  timeout server 600s
backend be
  server s1 127.0.0.1:$BACKEND_PORT
CONF
  for i in $(seq 0 $(($1 - 1))); do
    printf 'frontend fe%d\n  bind 127.0.0.1:%d ssl crt %s ca-file %s verify required no-tls-tickets\n  default_backend be\n' \
      "$i" $((BASE_PORT + i)) "$work/server/haproxy.pem" "$CA"
  done
}
haproxy_cfg 1 > "$work/haproxy1.cfg"
haproxy_cfg "$WORKLOADS" > "$work/haproxyN.cfg"
cat > "$work/stunnel.conf" <<CONF
foreground = yes
pid =
[tls]
accept = 127.0.0.1:$BASE_PORT
connect = 127.0.0.1:$BACKEND_PORT
cert = $work/server/svid.pem
key = $work/server/svid_key.pem
CAfile = $CA
verifyChain = yes
requireCert = yes
options = NO_TICKET
sessionCacheSize = 1
CONF

declare -A CMD=(
  [trustmesh-inbound]="$root/trustmesh proxy inbound --listen 127.0.0.1:$BASE_PORT --target 127.0.0.1:$BACKEND_PORT --svid-dir $work/server --allow-id spiffe://bench.trustmesh/ns/bench/sa/client"
  [trustmesh-plain]="java -jar $root/cli/target/trustmesh.jar proxy inbound --listen 127.0.0.1:$BASE_PORT --target 127.0.0.1:$BACKEND_PORT --svid-dir $work/server --allow-id spiffe://bench.trustmesh/ns/bench/sa/client"
  [trustmesh-node]="$root/trustmesh proxy run --config $work/node.yaml"
  [haproxy]="haproxy -db -f $work/haproxy1.cfg"
  [haproxy-node]="haproxy -db -f $work/haproxyN.cfg"
  [stunnel]="stunnel4 $work/stunnel.conf"
)
# BEFORE_JAR=path/to/an/older/trustmesh.jar adds "trustmesh-before": that jar run as the old launcher did.
if [ -n "${BEFORE_JAR:-}" ]; then
  CMD[trustmesh-before]="java -jar $BEFORE_JAR proxy inbound --listen 127.0.0.1:$BASE_PORT --target 127.0.0.1:$BACKEND_PORT --svid-dir $work/server --allow-id spiffe://bench.trustmesh/ns/bench/sa/client"
fi
# BEFORE_ROOT=a checkout whose cli/target/trustmesh.jar is built adds "trustmesh-before-launcher": that
# checkout's ./trustmesh (its own defaults and CDS archive; never rebuilt here).
if [ -n "${BEFORE_ROOT:-}" ]; then
  CMD[trustmesh-before-launcher]="env TRUSTMESH_NO_BUILD=1 $BEFORE_ROOT/trustmesh proxy inbound --listen 127.0.0.1:$BASE_PORT --target 127.0.0.1:$BACKEND_PORT --svid-dir $work/server --allow-id spiffe://bench.trustmesh/ns/bench/sa/client"
fi
declare -A PER=([trustmesh-before]=1 [trustmesh-before-launcher]=1 [trustmesh-plain]=1 [trustmesh-inbound]=1 [trustmesh-node]=$WORKLOADS [haproxy]=1 [haproxy-node]=$WORKLOADS [stunnel]=1)
SHAPES="${SHAPES:-trustmesh-plain trustmesh-inbound trustmesh-node haproxy haproxy-node stunnel}"

# The launcher trains the sidecar's CDS archive on its first sidecar start after a build (a minute or
# more on a loaded machine); do that here, not inside a measured start.
tm proxy inbound --help >/dev/null

median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
declare -A R
for shape in $SHAPES; do
  for i in $(seq 1 "$REPEAT"); do
    load=$(cut -d' ' -f1 /proc/loadavg)
    # shellcheck disable=SC2086
    line=$(FIRST_CONN_LOG="$work/$shape.$i.log" python3 "$root/bench/first_conn.py" "$BASE_PORT" \
      "$work/client/svid.pem" "$work/client/svid_key.pem" "$CA" "$SETTLE" -- ${CMD[$shape]})
    log "$shape run $i (load $load): $line"
    R[$shape,first,$i]=$(sed -n 's/.*first_ms=\(-\{0,1\}[0-9]*\).*/\1/p' <<<"$line")
    R[$shape,cpu,$i]=$(sed -n 's/.*cpu_ms=\(-\{0,1\}[0-9]*\).*/\1/p' <<<"$line")
    R[$shape,rss,$i]=$(sed -n 's/.*rss_kb=\([0-9]*\).*/\1/p' <<<"$line")
    R[$shape,threads,$i]=$(sed -n 's/.*threads=\([0-9]*\).*/\1/p' <<<"$line")
    R[$shape,load,$i]=$load
  done
done
med() { for i in $(seq 1 "$REPEAT"); do echo "${R[$1,$2,$i]}"; done | median; }
echo
echo "Medians of $REPEAT starts; $(nproc) CPUs; load average per run in brackets; $(date -u '+%F %H:%M UTC')"
echo
echo "| shape | workloads | first connection after start | its CPU until then | idle RSS | RSS per workload | threads | load averages |"
echo "|---|---|---|---|---|---|---|---|"
for shape in $SHAPES; do
  rss=$(med "$shape" rss)
  loads=$(for i in $(seq 1 "$REPEAT"); do printf '%s ' "${R[$shape,load,$i]}"; done)
  printf '| %s | %s | %s ms | %s ms | %.1f MB | %.1f MB | %s | %s|\n' "$shape" "${PER[$shape]}" "$(med "$shape" first)" \
    "$(med "$shape" cpu)" \
    "$(awk -v r="$rss" 'BEGIN {print r / 1024}')" "$(awk -v r="$rss" -v n="${PER[$shape]}" 'BEGIN {print r / 1024 / n}')" \
    "$(med "$shape" threads)" "$loads"
done
