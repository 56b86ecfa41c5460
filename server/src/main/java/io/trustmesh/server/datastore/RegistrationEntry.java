package io.trustmesh.server.datastore;

import io.trustmesh.core.BadInputException;
import io.trustmesh.core.spiffe.SpiffeId;
import io.trustmesh.core.spiffe.TrustDomain;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A registration entry: the SPIFFE ID a workload gets, the agent (parent) that may serve it, and
 * the selectors a workload must match, e.g. {@code unix:uid:1000}. A workload matching every
 * selector of an entry gets that entry's SVID.
 *
 * @param ttl the SVID lifetime for this entry; {@link Duration#ZERO} means the server default
 * @param federatesWith foreign trust domains whose bundles this entry's workloads receive
 */
public record RegistrationEntry(
    String id,
    SpiffeId spiffeId,
    SpiffeId parentId,
    List<String> selectors,
    Duration ttl,
    List<String> dnsNames,
    String hint,
    Instant createdAt,
    List<TrustDomain> federatesWith) {
  private static final Pattern SELECTOR = Pattern.compile("[a-z0-9_]+:[a-z0-9_]+:.+");

  /** An entry that federates with no foreign trust domain. */
  public RegistrationEntry(String id, SpiffeId spiffeId, SpiffeId parentId, List<String> selectors, Duration ttl,
      List<String> dnsNames, String hint, Instant createdAt) {
    this(id, spiffeId, parentId, selectors, ttl, dnsNames, hint, createdAt, List.of());
  }

  public RegistrationEntry {
    federatesWith = List.copyOf(federatesWith);
    if (federatesWith.contains(spiffeId.trustDomain())) {
      throw new BadInputException("an entry cannot federate with its own trust domain: " + spiffeId.trustDomain().name());
    }
    selectors = List.copyOf(selectors);
    dnsNames = List.copyOf(dnsNames);
    hint = hint == null ? "" : hint;
    if (selectors.isEmpty()) {
      throw new BadInputException("an entry needs at least one selector, e.g. --selector unix:uid:1000");
    }
    for (String s : selectors) {
      validateSelector(s);
    }
    if (ttl.isNegative()) {
      throw new BadInputException("ttl must not be negative: " + ttl);
    }
  }

  /** {@code type:key:value}, e.g. {@code unix:uid:1000} or {@code unix:path:/usr/bin/app}. */
  public static String validateSelector(String s) {
    if (s == null || !SELECTOR.matcher(s).matches()) {
      throw new BadInputException("invalid selector '" + s + "' (expected type:key:value, e.g. unix:uid:1000)");
    }
    return s;
  }
}
