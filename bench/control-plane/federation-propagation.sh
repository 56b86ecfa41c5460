#!/bin/sh
# Federated-bundle propagation: the time from a bundle change in trust domain A (here: A's bundle
# becoming available to B through 'federation create') until a Workload API client in B
# (java-spiffe 0.8.17) holds it. Runs JavaSpiffeReceivesFederatedBundlesTest N times (default 5)
# and prints each figure. Parameters of the run: partner refresh hint 1 s, agent sync 200 ms.
# The bound in production is: refresh hint (default 5 min) + agent sync interval (5 s) + one
# Workload API push; the fetch itself is one HTTPS GET.
# Usage: bench/control-plane/federation-propagation.sh [RUNS]
set -eu
cd "$(dirname "$0")/../.."
runs=${1:-5}
i=0
while [ "$i" -lt "$runs" ]; do
  i=$((i + 1))
  mvn -B -q -o -pl it -am test -Dtest=JavaSpiffeReceivesFederatedBundlesTest \
      -Dsurefire.failIfNoSpecifiedTests=false >/dev/null 2>&1 || { echo "run $i failed" >&2; exit 1; }
  grep -h "federated bundle propagation" it/target/surefire-reports/*JavaSpiffeReceivesFederatedBundlesTest-output.txt
done
