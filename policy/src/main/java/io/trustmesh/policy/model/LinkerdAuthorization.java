package io.trustmesh.policy.model;

import java.util.List;

/**
 * What admits clients to a Linkerd Server: a {@code ServerAuthorization}, or an
 * {@code AuthorizationPolicy} resolved through its authentication refs. {@code server} is the
 * Server's name (empty with a label selector: then {@code serverSelector} matched Servers' labels
 * is not modelled and the authorization applies to all Servers of the namespace).
 */
public record LinkerdAuthorization(
    ObjectRef ref, String server, boolean meshTlsRequired, boolean unauthenticated, List<String> identities) {
  public LinkerdAuthorization {
    identities = List.copyOf(identities);
  }
}
