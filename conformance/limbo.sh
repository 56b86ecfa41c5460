#!/usr/bin/env bash
# Runs the x509-limbo path-validation suite through `trustmesh cert verify --batch` and prints
# pass / wrongly accepted / wrongly rejected / skipped with the id of every wrong answer.
# Exits non-zero when any chain is wrongly accepted (a security hole).
#
#   conformance/limbo.sh ../shared/conformance/x509-limbo.json [RESULTS.json]
#
# RESULTS.json (optional) receives limbo's harness result format. Needs python3 and Java 17; the
# fat jar is built by the launcher when missing or stale.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
suite="${1:?usage: conformance/limbo.sh SUITE.json [RESULTS.json]}"
results="${2:-}"
[ -f "$suite" ] || { echo "limbo: suite not found: $suite" >&2; exit 2; }
command -v python3 >/dev/null 2>&1 || { echo "limbo: python3 is needed" >&2; exit 2; }

if [ ! -f /usr/share/publicsuffix/public_suffix_list.dat ] && [ -z "${TRUSTMESH_JAVA_OPTS:-}" ]; then
  echo "limbo: warning: no Public Suffix List (apt-get install publicsuffix); wildcard checks fall back" \
    "to refusing only single-label suffixes" >&2
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
python3 "$here/limbo.py" convert "$suite" >"$work/cases.jsonl"
# Exit 1 from --batch only means some case was refused; the verdicts say which.
rc=0
"$here/../trustmesh" cert verify --batch <"$work/cases.jsonl" >"$work/verdicts.jsonl" || rc=$?
if [ "$rc" -gt 1 ]; then
  echo "limbo: trustmesh cert verify --batch failed (exit $rc)" >&2
  exit "$rc"
fi
python3 "$here/limbo.py" score "$suite" "$work/verdicts.jsonl" ${results:+"$results"}
