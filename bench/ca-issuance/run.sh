#!/usr/bin/env bash
# CA issuance benchmark (not part of CI): builds the server module with the reactor, compiles the
# harness against it and runs it pinned to one core, beside the crypto floor.
# Usage: bench/ca-issuance/run.sh [SECONDS_PER_MEASUREMENT [ROUNDS]]   (defaults 5 and 3)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
cp_file="$(mktemp)"
# One invocation, so the reactor resolves the sibling modules (nothing is installed into ~/.m2).
mvn -q -o -B -pl server -am package dependency:build-classpath -DskipTests -Dmdep.outputFile="$cp_file" >/dev/null
cp="server/target/classes:api/target/classes:core/target/classes:$(cat "$cp_file")"
out="$(mktemp -d)"
javac -d "$out" -cp "$cp" bench/ca-issuance/CaIssuanceBench.java bench/ca-issuance/NoPersistence.java
echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), java $(java -version 2>&1 | head -1)"
exec taskset -c 0 java -XX:ActiveProcessorCount=1 -Dlogback.configurationFile=bench/ca-issuance/logback.xml -cp "$out:$cp" CaIssuanceBench "${1:-5}" "${2:-3}"
