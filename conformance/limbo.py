#!/usr/bin/env python3
"""x509-limbo harness for trustmesh (standard library only).

  limbo.py convert SUITE.json > cases.jsonl    # the batch input of `trustmesh cert verify --batch`
  limbo.py score SUITE.json verdicts.jsonl [RESULTS.json]

`score` prints pass / wrongly accepted / wrongly rejected / skipped with the id of every wrong
answer, optionally writes limbo's harness result format, and exits 1 when any chain was wrongly
accepted (a security hole), 0 otherwise.
"""
import json
import sys

# Cases skipped on purpose, each with the reason recorded in docs/conformance.md.
# Keep this empty unless a feature is deliberately unsupported.
SKIPS = {
    # The suite marks these as conflicting with a webpki:: case (its `conflicts_with` field): one
    # verifier cannot pass both. trustmesh's plain X.509 profile is the web PKI one, so it takes
    # the webpki:: side and skips the RFC 5280-only side.
    "rfc5280::eku::ee-without-eku":
        "conflicts with webpki::eku::ee-without-eku; the web PKI profile requires an EKU in the leaf",
    "rfc5280::ca-as-leaf":
        "conflicts with webpki::ca-as-leaf; the web PKI profile refuses a CA certificate as leaf",
    "rfc5280::nc::permitted-dns-match-noncritical":
        "conflicts with webpki::nc::permitted-dns-match-noncritical; the web PKI profile enforces "
        "name constraints whether or not they are marked critical",
    # Feature `pedantic-rfc5280`, and at odds with cve::cve-2024-0567, which expects a trust
    # anchor issued by another CA and lacking an AKI to be accepted. A trust anchor is a name and
    # a key (RFC 5280 6.1.1 (d)); its own AKI does not matter to the path. Intermediates and leaves
    # without an AKI are refused.
    "rfc5280::aki::cross-signed-root-missing-aki":
        "pedantic-rfc5280: trust anchors are not required to carry an AKI (see cve::cve-2024-0567)",
    # Feature `pedantic-public-suffix-wildcard`, PRIVATE section of the Public Suffix List.
    "webpki::san::public-suffix-private-namespace-wildcard-san":
        "pedantic-public-suffix-wildcard: wildcards over PRIVATE-section suffixes (*.s3.amazonaws.com) "
        "are matched, as browsers do; only ICANN-section public suffixes refuse a wildcard",
}


def load(path):
    with open(path, encoding="utf-8") as f:
        suite = json.load(f)
    if suite.get("version") != 1:
        sys.exit("limbo: unsupported suite version %r in %s" % (suite.get("version"), path))
    return suite["testcases"]


def skip_reason(case):
    return SKIPS.get(case["id"])


def convert(path):
    out = sys.stdout
    for case in load(path):
        if skip_reason(case):
            continue
        line = {
            "id": case["id"],
            "trusted": case["trusted_certs"],
            "intermediates": case["untrusted_intermediates"],
            "leaf": case["peer_certificate"],
            "at": case["validation_time"],
            "usage": "client" if case["validation_kind"] == "CLIENT" else "server",
            "max_depth": case["max_chain_depth"],
            "crls": case["crls"],
        }
        name = case.get("expected_peer_name")
        if name:
            if name["kind"] == "DNS":
                line["dns"] = name["value"]
            elif name["kind"] == "IP":
                line["ip"] = name["value"]
        out.write(json.dumps(line) + "\n")


def score(path, verdicts_path, results_path=None):
    cases = load(path)
    verdicts = {}
    with open(verdicts_path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                v = json.loads(line)
                verdicts[v.get("id")] = v
    passed, accepted, rejected, skipped, errors = [], [], [], [], []
    results = []
    for case in cases:
        cid, expected = case["id"], case["expected_result"]
        reason = skip_reason(case)
        if reason:
            skipped.append(cid)
            results.append({"id": cid, "actual_result": "SKIPPED", "context": reason})
            continue
        v = verdicts.get(cid)
        if v is None or v.get("result") not in ("valid", "invalid"):
            errors.append((cid, (v or {}).get("reason", "no verdict")))
            # An error refuses the chain: count it as a rejection.
            v = {"result": "invalid", "reason": "error: " + (v or {}).get("reason", "no verdict")}
        actual = "SUCCESS" if v["result"] == "valid" else "FAILURE"
        results.append({"id": cid, "actual_result": actual, "context": v.get("reason") or None})
        if actual == expected:
            passed.append(cid)
        elif actual == "SUCCESS":
            accepted.append((cid, case["description"].strip().splitlines()[0]))
        else:
            rejected.append((cid, v.get("reason")))
    print("x509-limbo: %d cases: %d pass, %d wrongly accepted, %d wrongly rejected, %d skipped"
          % (len(cases), len(passed), len(accepted), len(rejected), len(skipped)))
    for cid, why in accepted:
        print("  WRONGLY ACCEPTED %s" % cid)
    for cid, why in rejected:
        print("  wrongly rejected %s: %s" % (cid, why))
    for cid, why in errors:
        print("  error %s: %s" % (cid, why))
    for cid in skipped:
        print("  skipped %s: %s" % (cid, SKIPS[cid]))
    if results_path:
        with open(results_path, "w", encoding="utf-8") as f:
            json.dump({"version": 1, "harness": "trustmesh", "results": results}, f, indent=1)
    return 1 if accepted else 0


def main(argv):
    if len(argv) >= 2 and argv[0] == "convert":
        convert(argv[1])
        return 0
    if len(argv) in (3, 4) and argv[0] == "score":
        return score(*argv[1:])
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
