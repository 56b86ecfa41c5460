#!/usr/bin/env bash
# Control-plane benchmark (not part of CI): issuance with 1, 2 and 3 servers on one PostgreSQL, and
# how long a change made through one server takes to reach 1,000 workloads of an agent on another.
# Usage: bench/control-plane/run.sh [SECONDS_PER_MEASUREMENT [PARTS]]   (default 5, all)
#   PARTS: all, or a comma-separated list of issuance, propagation, federation, fanout
# PostgreSQL: $TRUSTMESH_TEST_POSTGRES_URL, else a private one started (and stopped) with .ci/postgres.sh.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
if [ -z "${TRUSTMESH_TEST_POSTGRES_URL:-}" ]; then
  pgdir="$(mktemp -d /tmp/trustmesh-bench-pg.XXXXXX)"
  trap '.ci/postgres.sh stop "$pgdir"' EXIT
  eval "$(.ci/postgres.sh start "$pgdir")"
fi
# One invocation, so the reactor resolves the sibling modules (nothing is installed into ~/.m2). A
# relative output file lands in each module's own directory: server's and agent's are joined below.
mvn -q -o -B -pl server,agent -am package dependency:build-classpath -DskipTests \
  -Dmdep.outputFile=target/bench-classpath.txt >/dev/null
cp="server/target/classes:agent/target/classes:api/target/classes:core/target/classes"
cp="$cp:$(cat server/target/bench-classpath.txt):$(cat agent/target/bench-classpath.txt)"
out="$(mktemp -d)"
javac -d "$out" -cp "$cp" bench/control-plane/ControlPlaneBench.java bench/control-plane/RotationFanOut.java bench/ca-issuance/CaIssuanceBench.java bench/ca-issuance/NoPersistence.java
echo "cpu: $(nproc) x $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), java $(java -version 2>&1 | head -1)"
TRUSTMESH_TEST_POSTGRES_URL="$TRUSTMESH_TEST_POSTGRES_URL" java -Dlogback.configurationFile=bench/control-plane/logback.xml \
  -cp "$out:$cp" ControlPlaneBench "${1:-5}" "${2:-all}"
