package io.trustmesh.doctor;

import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What {@code doctor connect} or {@code doctor files} found: the steps in order, the peer's chain,
 * the verdict (causes from {@link io.trustmesh.core.diagnosis.Cause}) and the fixes, numbered.
 */
public record DoctorReport(String command, String target, List<Step> steps, List<X509Certificate> peerChain,
    List<Finding> findings, Instant checkedAt) {

  public boolean healthy() {
    return findings.isEmpty();
  }

  /** 0 healthy, 1 a problem found (usage errors, 2, never get this far). */
  public int exitCode() {
    return healthy() ? 0 : 1;
  }

  /** Numbered-in-order fixes, one per distinct cause. */
  public List<String> fixes() {
    Set<String> out = new LinkedHashSet<>();
    findings.forEach(f -> out.add(f.cause().fix()));
    return List.copyOf(out);
  }

  public String verdict() {
    if (healthy()) {
      return "healthy: no problem found with " + target;
    }
    return "problem: " + findings.get(0).cause().sentence();
  }

  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("target", target);
    m.put("checked_at", checkedAt.toString());
    List<Map<String, Object>> steps = new ArrayList<>();
    this.steps.forEach(s -> steps.add(s.toMap()));
    m.put("steps", steps);
    m.put("peer", Map.of("chain", CertificateView.chain(peerChain, checkedAt)));
    Map<String, Object> verdict = new LinkedHashMap<>();
    verdict.put("healthy", healthy());
    verdict.put("summary", verdict());
    List<Map<String, Object>> causes = new ArrayList<>();
    findings.forEach(f -> causes.add(f.toMap()));
    verdict.put("causes", causes);
    m.put("verdict", verdict);
    m.put("fixes", fixes());
    return m;
  }

  public String text() {
    StringBuilder b = new StringBuilder();
    b.append("doctor ").append(command).append(' ').append(target).append('\n');
    for (Step s : steps) {
      b.append(s.ok() ? "  ok    " : "  FAIL  ").append(s.name()).append(": ").append(s.detail()).append('\n');
    }
    if (!peerChain.isEmpty()) {
      b.append(command.equals("connect") ? "\nserver chain (as sent):\n" : "\nchain (as in the file):\n");
      for (int i = 0; i < peerChain.size(); i++) {
        for (String line : CertificateView.lines(i, peerChain.get(i), checkedAt)) {
          b.append("  ").append(line).append('\n');
        }
      }
    }
    b.append('\n').append(verdict()).append('\n');
    for (Finding f : findings) {
      b.append("  [").append(f.cause().code()).append("] ").append(f.cause().sentence()).append('\n');
      b.append("      ").append(f.detail()).append('\n');
    }
    List<String> fixes = fixes();
    if (!fixes.isEmpty()) {
      b.append("\nfixes:\n");
      for (int i = 0; i < fixes.size(); i++) {
        b.append("  ").append(i + 1).append(". ").append(fixes.get(i)).append('\n');
      }
    }
    return Terminal.safe(b.toString());
  }
}
