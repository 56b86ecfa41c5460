package io.trustmesh.server.internal;

import io.trustmesh.api.node.proto.Entry;
import io.trustmesh.core.spiffe.SpiffeId;
import io.trustmesh.core.spiffe.TrustDomain;
import io.trustmesh.server.datastore.RegistrationEntry;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

/** Conversions between datastore records and their protobuf form. */
public final class Protos {
  private Protos() {}

  public static Entry toProto(RegistrationEntry e) {
    return Entry.newBuilder().setId(e.id()).setSpiffeId(e.spiffeId().toString()).setParentId(e.parentId().toString())
        .addAllSelectors(e.selectors()).setTtlSeconds(e.ttl().toSeconds()).addAllDnsNames(e.dnsNames())
        .setHint(e.hint()).addAllFederatesWith(e.federatesWith().stream().map(TrustDomain::name).toList()).build();
  }

  public static RegistrationEntry fromProto(Entry e, Instant now) {
    String id = e.getId().isEmpty() ? UUID.randomUUID().toString() : e.getId();
    return new RegistrationEntry(id, SpiffeId.parse(e.getSpiffeId()), SpiffeId.parse(e.getParentId()),
        e.getSelectorsList(), Duration.ofSeconds(e.getTtlSeconds()), e.getDnsNamesList(), e.getHint(), now,
        e.getFederatesWithList().stream().map(TrustDomain::parse).distinct().toList());
  }
}
