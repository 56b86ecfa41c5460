package io.trustmesh.agent;

import io.trustmesh.core.svid.X509Svid;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** What the Workload API needs from the agent, and nothing more. */
interface WorkloadIdentities {
  Snapshot snapshot();

  /** The entries whose selectors are all among {@code selectors}, with their SVIDs still valid now. */
  List<Map.Entry<Registration, X509Svid>> entitled(Set<String> selectors);

  /** A JWT-SVID for an entry (asks the server). */
  String signJwtSvid(String entryId, List<String> audience);

  /** Calls {@code listener} after every change; close the handle to stop. */
  AutoCloseable onUpdate(Runnable listener);

  Clock clock();
}
