package io.trustmesh.api.workload;

import io.trustmesh.api.workload.proto.X509SVID;
import io.trustmesh.core.spiffe.SpiffeId;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Which of the SVIDs in one {@code X509SVIDResponse} a workload uses. A process that runs as the
 * same uid as its neighbours is entitled to all of their SVIDs; each sidecar names the one it
 * presents. Without a name the first one is used, as the Workload API spec makes it the default.
 */
final class SvidChoice {
  private SvidChoice() {}

  /**
   * @throws IllegalArgumentException naming the wanted ID and the ones offered, when the wanted
   *     ID is not among them (or the response is empty)
   */
  static X509SVID choose(List<X509SVID> offered, Optional<SpiffeId> wanted) {
    if (offered.isEmpty()) {
      throw new IllegalArgumentException("the response carries no SVID");
    }
    if (wanted.isEmpty()) {
      return offered.get(0);
    }
    String id = wanted.get().toString();
    return offered.stream().filter(s -> id.equals(s.getSpiffeId())).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("the agent offers no SVID for " + id + " (it offers "
            + offered.stream().map(s -> printable(s.getSpiffeId())).collect(Collectors.joining(", ")) + ")"));
  }

  /** The IDs come from the agent; keep the message on one line whatever they hold. */
  private static String printable(String id) {
    return id.replaceAll("\\p{Cntrl}", "?");
  }
}
