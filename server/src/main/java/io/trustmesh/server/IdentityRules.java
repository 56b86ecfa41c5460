package io.trustmesh.server;

import io.trustmesh.core.BadInputException;
import io.trustmesh.core.spiffe.SpiffeId;
import io.trustmesh.core.spiffe.TrustDomain;
import io.trustmesh.server.datastore.DataStore;
import io.trustmesh.server.datastore.RegistrationEntry;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

/**
 * Who may hold which SPIFFE ID, decided in one place. The trust domain's name space has three
 * parts that never overlap:
 *
 * <ul>
 *   <li>{@code /trustmesh/…}: the control plane itself ({@code spiffe://TD/trustmesh/server} is the
 *       server's SVID, which agents check before they send a join token);
 *   <li>{@code /agent/NAME…}: agents; only a join token makes one, and the node API accepts only
 *       the agent SVID pinned in the node's record;
 *   <li>everything else: workloads, through registration entries.
 * </ul>
 *
 * A workload holding an agent's or the server's ID could fetch that node's SVIDs or pose as the
 * server to joining agents; an agent holding a workload's ID could pass for that workload. So an
 * entry may not take a reserved ID, nor the ID of any node that attested or has a pending token
 * (even one outside {@code /agent/}, created before this rule); a token may not be made for an
 * ID outside {@code /agent/} nor for one that an entry gives out. The node API applies the same
 * rule before it signs, so an entry written by an older version cannot be served.
 */
final class IdentityRules {
  static final String AGENT_PREFIX = "/agent/";
  static final String CONTROL_PLANE_PREFIX = "/trustmesh/";

  private final TrustDomain trustDomain;
  private final DataStore store;
  private final Clock clock;

  IdentityRules(TrustDomain trustDomain, DataStore store, Clock clock) {
    this.trustDomain = trustDomain;
    this.store = store;
    this.clock = clock;
  }

  /** The SPIFFE ID a join token may make an agent: under {@code /agent/}, given to no entry. */
  SpiffeId agentId(String raw) {
    SpiffeId id = inTrustDomain(raw, "agent SPIFFE ID");
    if (!id.path().startsWith(AGENT_PREFIX)) {
      throw new BadInputException("agent SPIFFE ID " + id + " must be under " + trustDomain.newSpiffeId("agent")
          + "/ (e.g. " + trustDomain.newSpiffeId("agent", "node-1") + "): agents and workloads never share a path");
    }
    List<RegistrationEntry> entries = store.listEntries(Optional.empty(), Optional.of(id));
    if (!entries.isEmpty()) {
      throw new BadInputException("agent SPIFFE ID " + id + " is given to workloads by registration entry "
          + entries.get(0).id() + "; an agent cannot take a workload's identity");
    }
    return id;
  }

  /** The SPIFFE ID a registration entry may give a workload: not reserved, not any node's. */
  SpiffeId workloadId(SpiffeId id) {
    inTrustDomain(id.toString(), "SPIFFE ID");
    Optional<String> why = whyNotAWorkload(id);
    if (why.isPresent()) {
      throw new BadInputException("SPIFFE ID " + id + " " + why.get() + "; a registration entry cannot give it"
          + " to a workload");
    }
    if (store.hasJoinTokenFor(id, clock.instant())) {
      throw new BadInputException("SPIFFE ID " + id + " is bound to a join token (an agent's identity);"
          + " a registration entry cannot give it to a workload");
    }
    return id;
  }

  /**
   * Why the node API must not sign {@code id} for a workload, if it must not: the same rule as
   * {@link #workloadId}, applied again at issuance so that no stored entry gets around it.
   */
  Optional<String> whyNotAWorkload(SpiffeId id) {
    String path = id.path();
    if (path.isEmpty()) {
      return Optional.of("is the trust domain itself (an X.509-SVID's ID needs a path)");
    }
    if (isUnder(path, CONTROL_PLANE_PREFIX)) {
      return Optional.of("is reserved for the trustmesh control plane (" + CONTROL_PLANE_PREFIX + "…)");
    }
    if (isUnder(path, AGENT_PREFIX)) {
      return Optional.of("is reserved for agents (" + AGENT_PREFIX + "…)");
    }
    if (store.attestedNode(id).isPresent()) {
      return Optional.of("is the identity of an attested agent");
    }
    return Optional.empty();
  }

  /** {@code /agent} itself or anything below {@code /agent/}: whole segments, never a string prefix. */
  private static boolean isUnder(String path, String prefix) {
    return path.startsWith(prefix) || path.equals(prefix.substring(0, prefix.length() - 1));
  }

  SpiffeId inTrustDomain(String raw, String what) {
    SpiffeId id = SpiffeId.parse(raw);
    if (!id.memberOf(trustDomain)) {
      throw new BadInputException(what + " " + id + " is outside trust domain " + trustDomain);
    }
    return id;
  }
}
