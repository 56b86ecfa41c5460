#!/usr/bin/env bash
# Fuzzes every Jazzer target for MINUTES minutes each (default 5), one after another, and prints
# per target: executions, crashes, duration. Without JAZZER_FUZZ the same tests run as plain
# regression tests in `mvn test`; this script is the long-running mode.
#
#   bench/fuzz.sh            # 5 minutes per target
#   bench/fuzz.sh 2          # 2 minutes per target
#   bench/fuzz.sh 1 core:io.trustmesh.core.pem.PemFuzzTest#certificates   # one target
#
# A crash is kept by Jazzer as src/test/resources/<package>/<Class>Inputs/<method>/crash-<sha1>:
# from then on it is a regression input that `mvn test` runs; commit it with the fix.
# Logs: target/fuzz/<Class>#<method>.log under the module.
set -euo pipefail
cd "$(dirname "$0")/.."

MINUTES="${1:-5}"
shift || true
TARGETS=("$@")
if [ ${#TARGETS[@]} -eq 0 ]; then
  TARGETS=(
    core:io.trustmesh.core.spiffe.SpiffeIdFuzzTest#parse
    core:io.trustmesh.core.spiffe.SpiffeIdFuzzTest#trustDomain
    core:io.trustmesh.core.pem.PemFuzzTest#certificates
    core:io.trustmesh.core.pem.PemFuzzTest#privateKey
    core:io.trustmesh.core.verify.PeerCertificateFuzzTest#der
    api:io.trustmesh.api.jwt.JwtSvidFuzzTest#validate
    api:io.trustmesh.api.jwt.JwtSvidFuzzTest#signedClaims
    server:io.trustmesh.server.ca.NodeApiCsrFuzzTest#sign
    agent:io.trustmesh.agent.WorkloadApiRequestFuzzTest#request
    proxy:io.trustmesh.proxy.SidecarFileFuzzTest#load
    proxy:io.trustmesh.proxy.PermissiveSnifferFuzzTest#firstBytes
  )
fi
SECONDS_PER_TARGET=$((MINUTES * 60))

# Compile once; each target then runs in its own JVM (Jazzer fuzzes one test per JVM).
modules=$(printf '%s\n' "${TARGETS[@]}" | cut -d: -f1 | sort -u | paste -sd,)
mvn -B -q -o -pl "$modules" -am test-compile >/dev/null

printf '%-58s %12s %8s %9s %8s\n' target executions crashes "exec/s" seconds
for t in "${TARGETS[@]}"; do
  module="${t%%:*}"
  test="${t#*:}"
  class="${test%%#*}"
  method="${test#*#}"
  resources="$module/src/test/resources/$(echo "${class%.*}" | tr . /)/${class##*.}Inputs/$method"
  before=$(ls "$resources" 2>/dev/null | grep -c '^crash-' || true)
  mkdir -p "$module/target/fuzz"
  log="$module/target/fuzz/${class##*.}#$method.log"
  start=$(date +%s)
  # -max_total_time after Jazzer's own flags wins (libFuzzer takes the last value); the
  # annotation's maxDuration is only the default.
  if JAZZER_FUZZ=1 mvn -B -o -pl "$module" -am test -Dtest="$test" -Dsurefire.failIfNoSpecifiedTests=false \
      -Dsurefire.redirectTestOutputToFile=false \
      -Djazzer.internal.arg.0=fuzz -Djazzer.internal.arg.1=-max_total_time="$SECONDS_PER_TARGET" \
      -Djazzer.internal.arg.2=-print_final_stats=1 >"$log" 2>&1; then
    status=ok
  else
    status=failed
  fi
  seconds=$(($(date +%s) - start))
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | tail -1 | grep -o '[0-9]*$' || true)
  rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | tail -1 | grep -o '[0-9]*$' || true)
  fuzzed=$(grep -o 'Done [0-9]* runs in [0-9]* second' "$log" | tail -1 | grep -o 'in [0-9]*' | grep -o '[0-9]*' || true)
  after=$(ls "$resources" 2>/dev/null | grep -c '^crash-' || true)
  crashes=$((after - before))
  if [ "$status" = failed ] && [ "$crashes" -eq 0 ]; then
    crashes="?"  # the run failed without leaving a crash file: read the log
  fi
  printf '%-58s %12s %8s %9s %8s\n' "${class##*.}#$method" "${runs:-?}" "$crashes" "${rate:-?}" "${fuzzed:-$seconds}"
done
