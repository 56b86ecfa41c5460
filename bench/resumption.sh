#!/usr/bin/env bash
# Benchmark (issue 14 item 2): server-side CPU per new mTLS connection when the client side resumes
# its sessions, trustmesh beside HAProxy with its session cache and tickets on. Each side is a pair:
#
#   mtlsload -m hs -s 0 (plaintext, new TCP connection + 1 request + close, 16 threads)
#     -> outbound proxy (originates mTLS, resumes its session to the inbound)   core 0
#     -> inbound proxy  (terminates mTLS, session cache + tickets)               core 1  <- measured
#     -> nginx (one worker)                                                      core 0
#
# trustmesh: `proxy outbound --resumption` -> `proxy inbound --resumption`, through the launcher
# (the JVM flags a user gets). HAProxy 2.6: a frontend-to-server `ssl crt ... verify required`
# (HAProxy reuses the server-side TLS session by default) -> a `bind ... ssl ... verify required`
# with tickets on and `tune.ssl.cachesize` 20000 (its defaults). Same certificates (one CA, a server
# SVID, a client SVID), same client, same warm-up. The figure: CPU seconds of the INBOUND process
# (utime + stime from /proc/PID/stat, all its threads) over the run, divided by the requests the
# client completed, in ms. The outbound's CPU is reported beside it. The resumed share is read from
# HAProxy's `show info` (SslFrontendSessionReuse_pct) and from trustmesh's inbound access log
# (tls_resumed; the access log is on for trustmesh only, its writer thread counts in its CPU).
#
# Not part of CI. Needs haproxy nginx libssl-dev gcc (Debian) and the fat jar. Results: markdown on stdout.
#   DURATION=10 REPEAT=3 bench/resumption.sh
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DURATION="${DURATION:-10}"
REPEAT="${REPEAT:-3}"
PROXIES="${PROXIES:-haproxy trustmesh}"
LOADGEN_SRC="${LOADGEN_SRC:-$root/../shared/bench/mtlsload.c}"
PORT_OFFSET="${PORT_OFFSET:-0}"
BACKEND_PORT=$((18180 + PORT_OFFSET))
declare -A IN_PORT=([haproxy]=$((18543 + PORT_OFFSET)) [trustmesh]=$((18545 + PORT_OFFSET)))
declare -A OUT_PORT=([haproxy]=$((18553 + PORT_OFFSET)) [trustmesh]=$((18555 + PORT_OFFSET)))
for p in $BACKEND_PORT "${IN_PORT[@]}" "${OUT_PORT[@]}"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
    echo "bench: port $p is already in use (another run?); set PORT_OFFSET" >&2; exit 2
  fi
done
for tool in haproxy nginx gcc taskset java python3; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is missing (apt-get install haproxy nginx libssl-dev gcc)" >&2; exit 2; }
done

work="$(mktemp -d /tmp/trustmesh-resumption.XXXXXX)"
pids=()
cleanup() {
  for p in "${pids[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]:-}"; do [ -n "$p" ] && wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
log() { echo "bench: $*" >&2; }

gcc -O2 -pthread -o "$work/mtlsload" "$LOADGEN_SRC" -lssl -lcrypto

tm() { TRUSTMESH_NO_BUILD="${TRUSTMESH_NO_BUILD:-}" "$root/trustmesh" "$@"; }
tm ca init --trust-domain bench.trustmesh --dir "$work/ca" >/dev/null
tm cert issue --ca "$work/ca" --spiffe-id spiffe://bench.trustmesh/ns/bench/sa/server --dns localhost \
  --ttl 24h --out "$work/server" >/dev/null
tm cert issue --ca "$work/ca" --spiffe-id spiffe://bench.trustmesh/ns/bench/sa/client \
  --ttl 24h --out "$work/client" >/dev/null
cat "$work/server/svid.pem" "$work/server/svid_key.pem" > "$work/server/haproxy.pem"
cat "$work/client/svid.pem" "$work/client/svid_key.pem" > "$work/client/haproxy.pem"
CA="$work/ca/root.pem"
chmod -R a+rX "$work"
chmod 600 "$work"/server/svid_key.pem "$work"/client/svid_key.pem

mkdir -p "$work/www" "$work/nginx"
printf 'hello from the backend\n' > "$work/www/small.txt"
cat > "$work/nginx/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $work/nginx/body; proxy_temp_path $work/nginx/proxy;
  fastcgi_temp_path $work/nginx/fcgi; uwsgi_temp_path $work/nginx/uwsgi; scgi_temp_path $work/nginx/scgi;
  server { listen 127.0.0.1:$BACKEND_PORT; root $work/www; }
}
CONF
taskset -c 0 nginx -c "$work/nginx/nginx.conf" -p "$work/nginx" 2>"$work/nginx/stderr" &
pids+=($!)

wait_port() {
  # the first start of a build prepares the launcher's class-data-sharing archive: allow minutes
  for _ in $(seq 1 3000); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "bench: nothing listens on port $1" >&2; return 1
}
wait_port $BACKEND_PORT

# start_X prints "INBOUND_PID OUTBOUND_PID"
start_haproxy() {
  cat > "$work/haproxy-in.cfg" <<CONF
global
  nbthread 1
  stats socket $work/haproxy-in.sock
  ssl-default-bind-ciphersuites TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256
  ssl-default-bind-options ssl-min-ver TLSv1.2
defaults
  mode tcp
  timeout connect 5s
  timeout client 60s
  timeout server 60s
frontend fe
  bind 127.0.0.1:${IN_PORT[haproxy]} ssl crt $work/server/haproxy.pem ca-file $CA verify required
  default_backend be
backend be
  server s1 127.0.0.1:$BACKEND_PORT
CONF
  cat > "$work/haproxy-out.cfg" <<CONF
global
  nbthread 1
defaults
  mode tcp
  timeout connect 5s
  timeout client 60s
  timeout server 60s
frontend fe
  bind 127.0.0.1:${OUT_PORT[haproxy]}
  default_backend be
backend be
  server s1 127.0.0.1:${IN_PORT[haproxy]} ssl crt $work/client/haproxy.pem ca-file $CA verify required sni str(localhost)
CONF
  taskset -c 1 haproxy -db -f "$work/haproxy-in.cfg" >"$work/haproxy-in.log" 2>&1 &
  local in=$!
  taskset -c 0 haproxy -db -f "$work/haproxy-out.cfg" >"$work/haproxy-out.log" 2>&1 &
  echo "$in $!"
}
start_trustmesh() {
  TRUSTMESH_NO_BUILD=1 taskset -c 1 "$root/trustmesh" proxy inbound \
    --listen 127.0.0.1:${IN_PORT[trustmesh]} --target 127.0.0.1:$BACKEND_PORT --svid-dir "$work/server" \
    --allow-trust-domain bench.trustmesh --resumption --access-log "$work/trustmesh-in.access.log" \
    >"$work/trustmesh-in.log" 2>&1 &
  local in=$!
  TRUSTMESH_NO_BUILD=1 taskset -c 0 "$root/trustmesh" proxy outbound \
    --listen 127.0.0.1:${OUT_PORT[trustmesh]} --target 127.0.0.1:${IN_PORT[trustmesh]} --svid-dir "$work/client" \
    --expect-trust-domain bench.trustmesh --resumption >"$work/trustmesh-out.log" 2>&1 &
  echo "$in $!"
}

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
field() { local v; v=$(sed -n "s/.* $1=\([0-9.]*\).*/\1/p"); echo "${v:-0}"; }
hz=$(getconf CLK_TCK)
median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
resumed_share() {
  case $1 in
    haproxy) python3 - "$work/haproxy-in.sock" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.sendall(b"show info\n")
data = b""
while chunk := s.recv(65536):
    data += chunk
info = dict(l.split(": ", 1) for l in data.decode().splitlines() if ": " in l)
print(info.get("SslFrontendSessionReuse_pct", "?") + "%")
PY
    ;;
    trustmesh) python3 - "$work/trustmesh-in.access.log" <<'PY'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
ok = [l for l in lines if l.get("result") == "ok"]
print("%.0f%% of %d" % (100.0 * sum(1 for l in ok if l.get("tls_resumed")) / max(1, len(ok)), len(ok)))
PY
    ;;
  esac
}

declare -A R
for proxy in $PROXIES; do
  read -r in_pid out_pid < <(start_"$proxy")
  pids+=("$in_pid" "$out_pid")
  wait_port "${IN_PORT[$proxy]}"; wait_port "${OUT_PORT[$proxy]}"
  log "$proxy: inbound pid $in_pid, outbound pid $out_pid"
  log "warming up: ${DURATION}s"
  taskset -c 0 "$work/mtlsload" -m hs -s 0 -c 16 -d "$DURATION" -p "${OUT_PORT[$proxy]}" >/dev/null
  for i in $(seq 1 "$REPEAT"); do
    R[$proxy,load,$i]=$(cut -d' ' -f1 /proc/loadavg)
    i0=$(cpu_ticks "$in_pid"); o0=$(cpu_ticks "$out_pid")
    # HAProxy's reuse percentage is a rate over the last second: read it while the load runs
    if [ "$i" = "$REPEAT" ]; then (sleep $((DURATION / 2)); resumed_share "$proxy" > "$work/$proxy.resumed") & fi
    out=$(taskset -c 0 "$work/mtlsload" -m hs -s 0 -c 16 -d "$DURATION" -p "${OUT_PORT[$proxy]}")
    i1=$(cpu_ticks "$in_pid"); o1=$(cpu_ticks "$out_pid")
    ok=$(echo "$out" | field ok); err=$(echo "$out" | field err); rate=$(echo "$out" | field rate)
    p50=$(echo "$out" | field p50)
    R[$proxy,in,$i]=$(awk -v a="$i0" -v b="$i1" -v n="$ok" -v hz="$hz" 'BEGIN {printf "%.3f", n ? (b - a) / hz * 1000 / n : 0}')
    R[$proxy,out,$i]=$(awk -v a="$o0" -v b="$o1" -v n="$ok" -v hz="$hz" 'BEGIN {printf "%.3f", n ? (b - a) / hz * 1000 / n : 0}')
    R[$proxy,rate,$i]=$rate
    log "$proxy run $i: $ok ok, $err errors, $rate/s, p50 ${p50} ms; inbound ${R[$proxy,in,$i]} ms CPU/conn, outbound ${R[$proxy,out,$i]} ms; load ${R[$proxy,load,$i]}"
  done
  wait_port "${IN_PORT[$proxy]}"
  R[$proxy,resumed]=$(cat "$work/$proxy.resumed" 2>/dev/null || echo "?")
  log "$proxy resumed: ${R[$proxy,resumed]}"
  kill "$in_pid" "$out_pid" 2>/dev/null || true
  wait "$in_pid" "$out_pid" 2>/dev/null || true
done

med() { for i in $(seq 1 "$REPEAT"); do echo "${R[$1,$2,$i]}"; done | median; }
loads() { for i in $(seq 1 "$REPEAT"); do printf '%s ' "${R[$1,load,$i]}"; done; }
echo
echo "Resuming client side, new connection + 1 request, 16 clients, ${DURATION}s x $REPEAT (medians); $(nproc) cores"
echo
echo "| pair | inbound CPU per connection (ms) | outbound CPU per connection (ms) | connections/s | resumed | load avg (1 min) per run |"
echo "|---|---|---|---|---|---|"
for proxy in $PROXIES; do
  echo "| $proxy | $(med "$proxy" in) | $(med "$proxy" out) | $(med "$proxy" rate) | ${R[$proxy,resumed]} | $(loads "$proxy")|"
done
if [[ " $PROXIES " == *" haproxy "* && " $PROXIES " == *" trustmesh "* ]]; then
  echo
  echo "| trustmesh / HAProxy, inbound CPU per resumed connection (target <= 0.5x) | $(awk -v a="$(med trustmesh in)" -v b="$(med haproxy in)" 'BEGIN {printf "%.2fx", b ? a / b : 0}') |"
  echo "|---|---|"
fi
